/*
 * commands.c - the table of cpindex subcommands. Adding a subcommand is one
 * cmd_NAME.c file and one row here. The table and the texts below are also
 * the source of the man page and the bash completion (tools/mangen, run at
 * build time), which compiles this file with CLI_TABLE_ONLY: the rows then
 * hold no functions, so the generator links nothing of the CLI.
 */
#include "cli.h"

#include <string.h>

#ifdef CLI_TABLE_ONLY
#define CLI_FN(f) NULL
#else
#define CLI_FN(f) f
#endif

int cmd_help(cli_ctx *ctx, int argc, char **argv);
int cmd_version(cli_ctx *ctx, int argc, char **argv);
int cmd_stats(cli_ctx *ctx, int argc, char **argv);
int cmd_resolve(cli_ctx *ctx, int argc, char **argv);
int cmd_export(cli_ctx *ctx, int argc, char **argv);
int cmd_explain(cli_ctx *ctx, int argc, char **argv);
int cmd_link(cli_ctx *ctx, int argc, char **argv);
int cmd_review(cli_ctx *ctx, int argc, char **argv);
int cmd_ingest(cli_ctx *ctx, int argc, char **argv);
int cmd_user(cli_ctx *ctx, int argc, char **argv);
int cmd_audit(cli_ctx *ctx, int argc, char **argv);
int cmd_purge(cli_ctx *ctx, int argc, char **argv);
int cmd_child(cli_ctx *ctx, int argc, char **argv);
int cmd_person(cli_ctx *ctx, int argc, char **argv);
int cmd_address(cli_ctx *ctx, int argc, char **argv);
int cmd_missing(cli_ctx *ctx, int argc, char **argv);
int cmd_agenda(cli_ctx *ctx, int argc, char **argv);
int cmd_analyse(cli_ctx *ctx, int argc, char **argv);
int cmd_serve(cli_ctx *ctx, int argc, char **argv);

const char cli_about[] =
    "cpindex links what a police force holds about children across its separate\n"
    "systems (Niche, MIRAF, MACE, MARAC, POLIT, SOC) and answers: what do we hold\n"
    "on this child, and who and what around them is a risk?\n";

const char cli_global_help[] =
    "  --db PATH   store directory (default: $CPINDEX_DB, then ./cpindex.db)\n"
    "  --force     open a store whose directory is readable by others\n"
    "  --user NAME, --reason TEXT\n"
    "              who is asking and why (default $CPINDEX_USER, $CPINDEX_REASON);\n"
    "              every command that shows, exports or changes personal data needs\n"
    "              both, and a reason of more than one word (docs/operations.md)\n"
    "  --width N   fit text answers to N columns (default: the terminal's width, or\n"
    "              80 when standard output is not a terminal)\n"
    "  --color[=WHEN]\n"
    "              colour text answers: auto (the default: only on a terminal, and\n"
    "              not when NO_COLOR is set), always or never\n"
    "  --no-pager  never page a long answer ($PAGER, else less -FRX, on a terminal)\n"
    "  --help      this text; 'cpindex help COMMAND' for one command\n"
    "  --version   print the version\n";

const char cli_exit_help[] =
    "Exit status: 0 ok, 1 nothing found, 2 usage error (or access refused),\n"
    "3 data or store error.\n";

const char cli_env_help[] =
    "CPINDEX_DB      the store directory when --db is not given\n"
    "CPINDEX_USER    who is asking, when --user is not given\n"
    "CPINDEX_REASON  why, when --reason is not given\n"
    "CPINDEX_SERVE   'off': never hand a query to a running 'cpindex serve'\n"
    "PAGER           the pager for long answers on a terminal (default: less -FRX; '' or cat: none)\n"
    "NO_COLOR        set and not empty: no colour unless --color=always\n"
    "TERM            'dumb': no colour unless --color=always\n";

const cli_command cli_commands[] = {
    {"ingest", CLI_FN(cmd_ingest), "load one silo's export files into the store (every row stored or rejected)",
     "usage: cpindex ingest SOURCE PATH... --user ADMIN --reason TEXT [--json] [--rejects DIR]\n"
     "       cpindex ingest csv --map FILE PATH... --user ADMIN --reason TEXT [--json]\n"
     "\n"
     "Load one silo's export into the store. SOURCE is niche, miraf, mace, marac,\n"
     "polit or soc (formats in docs/formats.md), or csv with a mapping file for any\n"
     "other spreadsheet (docs/mapping.md). PATH is a file, or a folder holding the\n"
     "silo's *.csv files (as cpgen writes DIR/miraf/). Columns are found by header\n"
     "name, so reordered or extra columns are fine; a file of another silo is refused.\n"
     "\n"
     "Every row ends in exactly one place: stored (new, unchanged or replaced by a\n"
     "newer version, whose old hash stays in the record's history) or rejected into\n"
     "rejects/SOURCE-TIME.csv beside the store with its file, line, column and reason.\n"
     "read = stored + unchanged + replaced + rejected. Ingesting a file again changes\n"
     "nothing. Each file is one transaction: a killed ingest leaves the store as it\n"
     "was before that file.\n"
     "\n"
     "Ingest needs an admin (--user, --reason or CPINDEX_USER, CPINDEX_REASON; a new\n"
     "store's creator is its admin). Each file's transaction also logs a collection\n"
     "entry (file, BLAKE2b, counts, user, reason) and, when records were replaced, an\n"
     "alteration entry (the count, and the references when fewer than 1000).\n"
     "\n"
     "  --json         one JSON object: source, store, read, stored, unchanged, replaced,\n"
     "                 rejected, reject_file, seconds, files[] (per file the same counts,\n"
     "                 path, record_type, ok, error, blake2b)\n"
     "  --map FILE     the mapping file for SOURCE csv (example: docs/example-map.ini)\n"
     "  --rejects DIR  write the reject file in DIR instead of beside the store\n"
     "  --db PATH      the store directory (default $CPINDEX_DB, then ./cpindex.db)\n"
     "\n"
     "Exit status: 0 when every file was read (even with rejects), 2 usage, 3 when a\n"
     "file could not be ingested (unreadable, wrong source, store error).\n"
     "\n"
     "Example: cpgen --children 1000 --out force &&\n"
     "         cpindex ingest miraf force/miraf --user $USER --reason 'monthly MIRAF export'\n"},
    {"child", CLI_FN(cmd_child), "everything held on a child, warnings first: risky people, places, gaps",
     "usage: cpindex child QUERY [--dob DATE] [--full | --detail brief|full] [--json]\n"
     "                     [--withhold SOURCES] [--width N] [--color=WHEN] [--no-pager] [--db PATH]\n"
     "\n"
     "Show what every system holds on one child, most important first: warnings\n"
     "(CPP, looked after, missing history and MIRAF grading, CSE/CCE risk and SERAF,\n"
     "MARAC household, CAWNs, POLIT, PPNs), gaps between systems, the people who pose\n"
     "a risk (why, how linked, when, from which records), places (home, placements,\n"
     "found-at with counts, places of concern, who else is linked there), children\n"
     "connected through the same adults, places or phones, addresses, every system's\n"
     "reference and (with --full) a timeline of every record.\n"
     "\n"
     "QUERY is a name (\"Rhiannon Jones\" or \"JONES, Rhiannon\"; nicknames match),\n"
     "an entity id (P-0000042), a record or mention reference (miraf:MF-2022-000001),\n"
     "a Niche nominal id, a PNC id or a phone number. When more than one person\n"
     "matches, nothing is guessed: the candidates are listed with what tells them\n"
     "apart (DOB, home, sources, dates); run again with the id you mean or --dob.\n"
     "\n"
     "  --dob DATE        narrow a name to this date of birth (2011-05-03, 03/05/2011)\n"
     "  --detail brief    one screen (about 24 lines): warnings first, then the most\n"
     "                    important people and places, each list cut short saying\n"
     "                    how many more (the default for an officer: before attending)\n"
     "  --full            every list in full, with the timeline (same as --detail full;\n"
     "                    the default for an analyst). An officer's role shows no\n"
     "                    free text: for an officer --full is every list in full\n"
     "                    without free-text details or the timeline, and says so\n"
     "  --withhold SRCS   leave out what these sources hold, saying only that it exists and\n"
     "                    whom to ask: a list (polit,marac) or 'restricted' (= marac,polit)\n"
     "  --json            one JSON object (keys in docs/queries.md); a list of candidates is\n"
     "                    {\"candidates\": [...]} instead\n"
     "  --width N         fit text to N columns (default: the terminal's, else 80)\n"
     "  --color=WHEN      auto (on a terminal, unless NO_COLOR), always or never\n"
     "  --no-pager        print a long answer straight out (default on a terminal:\n"
     "                    $PAGER, else less -FRX)\n"
     "\n"
     "Needs 'cpindex resolve' to have run. Exit status: 0 shown (or a list of\n"
     "candidates), 1 nothing matches, 2 usage, 3 store error.\n"
     "\n"
     "Example: cpindex child \"Rhiannon Jones\" --dob 2011-05-03\n"},
    {"person", CLI_FN(cmd_person), "what is held on anyone (an adult of concern too), and the children linked",
     "usage: cpindex person QUERY [--dob DATE] [--full] [--json] [--withhold SOURCES] [--db PATH]\n"
     "\n"
     "The same profile as 'cpindex child' for any person: an adult's warnings (RSO,\n"
     "SHPO, CAWN, MACE adult of concern, OCG member, suspect in occurrences), the\n"
     "children they are linked to directly or through places and phones, their\n"
     "places, references and timeline. QUERY and options as for 'cpindex child'.\n"
     "\n"
     "Example: cpindex person P-0003947 --full\n"},
    {"address", CLI_FN(cmd_address), "what is held on a place, warnings first: who lives there, who is linked, what happened",
     "usage: cpindex address QUERY [--full] [--json] [--withhold SOURCES] [--db PATH]\n"
     "\n"
     "Before attending an address: warnings first (cuckooed or trap house, a county\n"
     "line operating from it, a MACE location of concern, missing children found\n"
     "there, a registered sex offender or SHPO holder living there, a MARAC victim's\n"
     "or POLIT subject's address - restricted), the gap of an RSO living where MARAC\n"
     "lists children, then the risky people and the children linked to it and how,\n"
     "the other residents, and what happened there (occurrences by kind).\n"
     "\n"
     "QUERY is an address (\"7 Maes y Deri, Abergavenny\"), a postcode (NP7 2PB), an\n"
     "entity id (L-0000032), a Niche location id or a reference. Several places\n"
     "matching are listed, never guessed between. Options as for 'cpindex child'.\n"
     "\n"
     "Exit status: 0 shown (or a list), 1 nothing matches, 2 usage, 3 store error.\n"
     "\n"
     "Example: cpindex address 'NP7 2PB'\n"},
    {"missing", CLI_FN(cmd_missing), "trigger plan for a child missing now: where to look first, whom to locate",
     "usage: cpindex missing QUERY [--dob DATE] [--json] [--withhold SOURCES] [--db PATH]\n"
     "\n"
     "For a child reported missing now: the MIRAF grading, episodes and last missing\n"
     "date; the places to search, ranked (found there before: 100 + 10 per time, at\n"
     "most +50; frequents, per MACE: 60; where a risky person linked to the child\n"
     "lives or operates from: 50, +20 if they pose a risk to or had a CAWN about this\n"
     "child; an occurrence place where the child was a victim: 30; each of these +20\n"
     "when recorded within a year of the child's latest record), so the place the\n"
     "child was found most often comes first; the people to locate with their phones and addresses; and the\n"
     "children who may be with them (same risky adults, places or phones).\n"
     "\n"
     "QUERY as for 'cpindex child'.\n"
     "\n"
     "Example: cpindex missing \"Rhiannon Jones\" --dob 2011-05-03\n"},
    {"agenda", CLI_FN(cmd_agenda), "MACE meeting agenda: children ranked by a published score, with its parts",
     "usage: cpindex agenda [--area AREA] [--since DATE] [--top N] [--new] [--as-of DATE] [--json]\n"
     "                      [--withhold SOURCES] [--db PATH]\n"
     "\n"
     "The children a MACE meeting should discuss, highest score first, each with the\n"
     "points that make up the score. A meeting covers one area: give it with --area\n"
     "(without it, the whole force). Every child with an exploitation signal (MACE,\n"
     "CSE/CCE marker, SOC plan, MIRAF grading medium or high) and every child an adult\n"
     "of concern is linked to is scored:\n"
     "  latest MACE risk level   HIGH 30, MEDIUM 15, LOW 5\n"
     "  latest SERAF score       score / 2 (0-20)\n"
     "  latest MIRAF grading     HIGH 20, MEDIUM 10, LOW 3\n"
     "  missing episodes         2 each, at most 20\n"
     "  missing in the last 90 days (to --as-of)   15\n"
     "  risky people linked      5 each, at most 25\n"
     "  child at risk in a SOC plan                15\n"
     "  at risk per MACE but no CSE/CCE marker on Niche              10\n"
     "  linked to an adult of concern but never discussed at MACE    10\n"
     "Ties: the longest unreviewed first.\n"
     "\n"
     "  --area AREA    a local authority (Newport, Torfaen, Monmouthshire, Blaenau Gwent,\n"
     "                 Caerphilly) or policing area (EAST, WEST), any case. A child is in\n"
     "                 the area of their latest MACE meeting, and in the local authority\n"
     "                 of their current home (docs/queries.md, 'Areas'). Children whose\n"
     "                 area is unknown are listed apart, never dropped. A name the store\n"
     "                 does not know is refused with the list of those it does\n"
     "  --since DATE   the last meeting: mark NEW each child with records after DATE,\n"
     "                 list them, and give the score as it stood on DATE\n"
     "  --top N        children listed (default 40)\n"
     "  --new          only children never discussed at MACE\n"
     "  --as-of DATE   the meeting date for 'the last 90 days' (default: the latest record)\n"
     "  --json         {as_of, area, since, considered, new, children: [{rank, entity_id,\n"
     "                 name, local_authority, area, score, parts, since: {new, records,\n"
     "                 refs, score_then, change}}], unplaced: {total, children}}\n"
     "\n"
     "Example: cpindex agenda --area Newport --since 2024-06-05 --top 20\n"},
    {"analyse", CLI_FN(cmd_analyse), "networks, hotspots, adults linked to most children, communities; per area",
     "usage: cpindex analyse [networks|hotspots|adults|communities] [--area AREA] [--top N] [--json]\n"
     "                       [--db PATH]\n"
     "\n"
     "What the graph build (run at the end of 'cpindex resolve') computed over every\n"
     "entity and link (school attendance left out):\n"
     "  networks     connected networks (igraph components), largest first; export one\n"
     "               with 'cpindex export graph --network N'\n"
     "  hotspots     places where missing children were found (children, most times;\n"
     "               JSON key found) and places where risky adults and children meet\n"
     "               (score = children x risky adults; JSON key meet)\n"
     "  adults       adults linked to the most children, directly or through one place\n"
     "               or phone (places with over 200 links are not followed; JSON key\n"
     "               central)\n"
     "  communities  Louvain communities (igraph, fixed seed), largest first\n"
     "The first names still work: central (= adults), found and meet (= hotspots).\n"
     "With no VIEW, all. Follow an id with 'cpindex person ID' or 'cpindex address ID'.\n"
     "\n"
     "  --area AREA  one local authority (Newport, Torfaen, ...) or policing area (EAST,\n"
     "               WEST): adults and places in it, networks and communities with a\n"
     "               member in it (docs/queries.md, 'Areas')\n"
     "  --top N      entries per view (default 10, at most 200)\n"
     "  --json       {as_of, area, entities, edges, ..., central: [...], found, meet, ...}\n"
     "\n"
     "Exit status: 0, 1 when the graph has not been built, 2 usage, 3 store error.\n"
     "\n"
     "Example: cpindex analyse hotspots --area Newport --top 20\n"},
    {"stats", CLI_FN(cmd_stats), "show what the store holds: records per source, mentions, entities, size",
     "usage: cpindex stats [--json] [--db PATH]\n"
     "\n"
     "Print what the store holds: records per source, mentions, entities, edges,\n"
     "audit entries, schema version and size on disk. An empty or missing store is\n"
     "reported as empty (exit 0).\n"
     "\n"
     "  --json       one JSON object: path, exists, schema_version, records,\n"
     "               records_by_source, mentions, entities, edges, audit_entries,\n"
     "               file_bytes, map_bytes\n"
     "  --db PATH    the store directory (default $CPINDEX_DB, then ./cpindex.db)\n"},
    {"user", CLI_FN(cmd_user), "add, remove or list the people who may use the store and their roles (admin)",
     "usage: cpindex user add NAME --role ROLE[,ROLE...] --user ADMIN --reason TEXT\n"
     "       cpindex user remove NAME --user ADMIN --reason TEXT\n"
     "       cpindex user list [--json] --user ADMIN --reason TEXT\n"
     "\n"
     "Users and their roles live in the store. Roles: officer (child, person, address,\n"
     "missing in summary), analyst (every query and export in full), polit and marac\n"
     "(that silo's content, added to officer or analyst), supervisor (reads the audit\n"
     "log), admin (ingest, resolve, link, purge, users). Restricted content (POLIT,\n"
     "MARAC) is shown only to holders of its role; others see that it exists and whom\n"
     "to contact. Until the first 'user add', the OS user who owns the store is its only\n"
     "user, as admin; the first add writes that user down. The last admin cannot be\n"
     "removed. 'user add' on an existing user replaces their roles. Every add, remove\n"
     "and list is logged. Roles per command: docs/operations.md.\n"
     "\n"
     "  --role LIST  roles, comma-separated, no spaces: officer,polit\n"
     "  --json       (list) one JSON array of {user, roles, added, added_by}\n"
     "\n"
     "Exit status: 0 done, 1 no such user (remove), 2 usage or refused, 3 store error.\n"
     "\n"
     "Example: cpindex user add pc1234 --role officer,marac --user admin1 --reason 'new starter, MASH'\n"},
    {"audit", CLI_FN(cmd_audit), "show who looked at what and why (supervisor), or verify the log's hash chain",
     "usage: cpindex [--user SUPERVISOR] audit show [--user U] [--entity ID|REF] [--since DATE]\n"
     "                                    [--kind KIND] [--json] --reason TEXT\n"
     "       cpindex audit verify [--head HEX] [--json] --user NAME --reason TEXT\n"
     "\n"
     "Every collection (ingest), alteration (a record replaced), consultation (a query\n"
     "and what it returned), disclosure (export), combination (resolve, link, unlink),\n"
     "erasure (purge) and change of users is one entry in an append-only log, each\n"
     "holding the BLAKE2b hash of the one before.\n"
     "\n"
     "show (supervisor): entries oldest first, with user, time, reason, command, query,\n"
     "and the entity ids and references returned. Showing is itself logged. Here --user\n"
     "filters the log, so name yourself before 'audit' or with CPINDEX_USER.\n"
     "  --user U       entries made by U\n"
     "  --entity ID    entries that returned entity ID or reference ID (a record's\n"
     "                 reference also matches its mentions, SOURCE:ID/N)\n"
     "  --since DATE   entries at or after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC)\n"
     "  --kind KIND    collection, alteration, consultation, disclosure, combination,\n"
     "                 erasure or access\n"
     "  --json         one JSON array of entries (every list in full)\n"
     "\n"
     "verify (supervisor or admin): walk the chain and name the first entry that was\n"
     "changed, removed or reordered. It prints the head hash: keep it outside the\n"
     "store, and --head HEX later also catches a log rewritten with fresh hashes.\n"
     "\n"
     "Exit status: 0 ok, 1 no entries match (show), 2 usage or refused, 3 the chain is\n"
     "broken (verify) or a store error.\n"},
    {"purge", CLI_FN(cmd_purge), "erase one source record from the store and every index (admin, logged)",
     "usage: cpindex purge SOURCE:RECORD_ID --user ADMIN --reason TEXT [--no-resolve]\n"
     "\n"
     "Remove a record, its mentions and relations, its matching keys, its mentions'\n"
     "entity links and memberships and any link/unlink decision naming it, logged as\n"
     "an erasure with the reason. On a resolved store the same transaction re-resolves\n"
     "without the record and rebuilds the graph (a resolve's time; logged as a\n"
     "combination), so afterwards no query, edge or count cites it.\n"
     "The audit log keeps the reference: it records that the erasure happened.\n"
     "\n"
     "  --no-resolve  erase only (for a batch): a resolve is marked due, and edges and\n"
     "                analytics still count the record until 'cpindex resolve' runs\n"
     "\n"
     "Exit status: 0 purged, 1 no such record, 2 usage or refused, 3 store error.\n"
     "\n"
     "Example: cpindex purge miraf:MF-2021-000045 --user admin1 --reason 'erasure request 2024/17, DPO'\n"},
    {"resolve", CLI_FN(cmd_resolve), "link mentions into people, places, phones and online ids (entities)",
     "usage: cpindex resolve --user ADMIN --reason TEXT [--link P] [--possible P] [--block-cap N]\n"
     "                       [--dry-run] [--json] [--db PATH]\n"
     "\n"
     "Cluster every mention in the store into entities and store the result\n"
     "(which entity each mention belongs to, and each entity's mentions).\n"
     "\n"
     "How: phones and online ids link on their canonical form. Places and people\n"
     "sharing a Niche location or nominal id link outright. Other mentions are\n"
     "paired by blocking rules (never all pairs), each pair is compared field by\n"
     "field and scored by a Fellegi-Sunter model trained on this data (u from\n"
     "random pairs, m by EM), and pairs are joined strongest first - but never\n"
     "when that would put conflicting facts in one entity (DOBs far apart, two\n"
     "PNC ids, clearly different forenames: twins, a father and son). People\n"
     "recorded only by first name and age, or by a street name, are linked only\n"
     "through context (their household's home, a phone, a related person).\n"
     "Decisions made with 'cpindex link' always win. Entity ids (P-0000001,\n"
     "L-, T-, O-) stay the same from run to run; splits and merges are counted.\n"
     "\n"
     "  --link P       join pairs with match probability >= P (default 0.99)\n"
     "  --possible P   keep pairs >= P (and below --link) for 'cpindex review'\n"
     "                 (default 0.8)\n"
     "  --block-cap N  a block of more than N mentions is capped: each mention meets\n"
     "                 only its nearest 40 (default 120); capped blocks are reported\n"
     "  --dry-run      compute and report, store nothing\n"
     "  --json         the report as one JSON object\n"
     "  --db PATH      the store directory (default $CPINDEX_DB, then ./cpindex.db)\n"
     "\n"
     "Then: 'cpindex review' (possible matches to decide), 'cpindex explain A B'\n"
     "(why two mentions scored as they did), 'cpindex export entities'.\n"},
    {"review", CLI_FN(cmd_review), "list possible matches for a person to decide, children first",
     "usage: cpindex review --user ANALYST --reason TEXT [--kind person|location] [--limit N] [--json]\n"
     "\n"
     "List the pairs the last 'cpindex resolve' could not decide: a match\n"
     "probability in the possible band (below --link, at or above --possible),\n"
     "or linked by score but kept apart because their entities conflict. Pairs\n"
     "involving a child come first (a child by role - missing child, child\n"
     "discussed, household child, child at risk, PPN subject, POLIT victim - or\n"
     "a DOB under 18 at the record's date), then the likeliest. Each shows the\n"
     "two records side by side and the commands that explain and settle it.\n"
     "\n"
     "  --kind K    only person or only location pairs\n"
     "  --limit N   show N pairs (default 20; 0 shows all)\n"
     "  --json      {total, shown, pairs: [{a, b, kind, child, probability, weight,\n"
     "              record_a: {role, date, values}, record_b: ...}]}\n"
     "  --db PATH   the store directory (default $CPINDEX_DB, then ./cpindex.db)\n"
     "\n"
     "Needs an analyst; what was shown is logged (a consultation).\n"
     "Settle a pair with 'cpindex link A B --same|--different --user U --reason TEXT'.\n"},
    {"link", CLI_FN(cmd_link), "record a human decision: two mentions are the same, or different",
     "usage: cpindex link REF_A REF_B (--same | --different) --user ADMIN --reason TEXT [--db PATH]\n"
     "\n"
     "Record that two mentions (SOURCE:RECORD_ID/N, of one kind) are the same\n"
     "entity, or different ones. Every later 'cpindex resolve' obeys it whatever\n"
     "the scores and identifiers say: --same joins their entities, --different\n"
     "keeps them apart (and stops anything else from bringing them together).\n"
     "A new decision on the same pair replaces the old one. The reason is kept\n"
     "with the decision, so say who decided and on what evidence.\n"
     "\n"
     "  --same / --different   the decision\n"
     "  --reason TEXT          why: kept with the decision and in the audit log\n"
     "  --user ADMIN           who decides (an admin); the decision is logged\n"
     "  --db PATH              the store directory (default $CPINDEX_DB, then ./cpindex.db)\n"
     "\n"
     "example: cpindex link niche:NOM-0000123/1 marac:MRC-000310/4 --different \\\n"
     "           --user ds.evans --reason \"twin sister, checked with the school 12/03/2024\"\n"},
    {"explain", CLI_FN(cmd_explain), "show why two mentions were (or were not) linked, field by field",
     "usage: cpindex explain REF_A REF_B --user ANALYST --reason TEXT [--json] [--db PATH]\n"
     "\n"
     "Compare two mentions (SOURCE:RECORD_ID/N, of one kind) with the model the\n"
     "last 'cpindex resolve' trained, and show the waterfall: the prior (how\n"
     "rare a match is), then each comparison's level (exact, nickname, close\n"
     "spelling, ... missing), its m and u probabilities and its weight\n"
     "log2(m/u), the total weight, the match probability and its band (link,\n"
     "possible, non-link). Also shows the entity each mention is in, and why\n"
     "when that differs from what the score alone would say (the same Niche id,\n"
     "a conflict that stopped a chain, a human decision).\n"
     "\n"
     "  --json      the same as one JSON object (the waterfall under \"waterfall\")\n"
     "  --db PATH   the store directory (default $CPINDEX_DB, then ./cpindex.db)\n"
     "\n"
     "Needs an analyst; what was shown is logged (a consultation).\n"
     "\n"
     "example: cpindex explain niche:NOM-0000123/1 miraf:MF-2021-000045/1 \\\n"
     "           --user a.jones --reason 'checking a MIRAF link before the strategy meeting'\n"},
    {"export", CLI_FN(cmd_export), "write a table from the store: entities, graph (or a child's neighbourhood), links",
     "usage: cpindex export TABLE --user ANALYST --reason TEXT [--out FILE] [--db PATH]\n"
     "       cpindex export graph [--child REF | --network ID] [--format graphml|dot|csv] ...\n"
     "\n"
     "Write a table from the store as CSV (RFC 4180, header row first) to\n"
     "standard output or FILE. Tables:\n"
     "\n"
     "  entities   reference,entity_id - every mention of every record and the\n"
     "             entity 'cpindex resolve' put it in (empty if resolve has not\n"
     "             run since the record was ingested)\n"
     "  graph      the entity graph as GraphML for Gephi, yEd or Cytoscape: nodes\n"
     "             (kind, name, dob, postcode, flags, network, community) and each\n"
     "             edge once (type, first, last, records, sources, refs)\n"
     "  links      the same edges as CSV for link-chart tools: from_id, from_kind,\n"
     "             from_name, type, to_id, to_kind, to_name, first, last, records,\n"
     "             sources, refs\n"
     "graph and links leave out what only MARAC or POLIT hold (docs/queries.md).\n"
     "\n"
     "For a link chart of one case rather than the force, graph takes a selection:\n"
     "  --child REF   the child (an entity id, a reference, or a name that fits one\n"
     "                person), everyone and everything linked to them, and one hop\n"
     "                beyond: the children and risky people around the risky people,\n"
     "                places of concern, phones and online ids linked to the child\n"
     "  --network ID  every entity of network ID ('cpindex analyse networks')\n"
     "  --format F    graphml (default), dot (Graphviz: 'dot -Tsvg'), or csv (the\n"
     "                links CSV above, one row per link naming both entities)\n"
     "\n"
     "  --out FILE  write to FILE (created readable by you only) instead of stdout\n"
     "  --db PATH   the store directory (default $CPINDEX_DB, then ./cpindex.db)\n"
     "\n"
     "A field starting with = + - or @ is written with a leading ' so a\n"
     "spreadsheet never runs it as a formula.\n"
     "\n"
     "An export is a disclosure: it is logged (what, which selection, where to,\n"
     "how many rows, or for a selection how many entities)\n"
     "before anything is written, and refused if it cannot be. Needs an analyst.\n"
     "\n"
     "example: cpindex export entities --out entities.csv --user a.jones \\\n"
     "           --reason 'link chart for the OCG-0003 review'\n"
     "         cpindex export graph --out force.graphml\n"
     "         cpindex export graph --child P-0000047 --format dot --out p47.dot\n"},
    {"serve", CLI_FN(cmd_serve), "keep the store open and answer child, person, address, missing fast",
     "usage: cpindex serve [--db PATH]\n"
     "\n"
     "Open the store once and answer the read-only queries (child, person, address,\n"
     "missing) that cpindex commands on this machine send it, so an answer costs\n"
     "no start-up and no re-reading of the store: a child's profile in about a\n"
     "millisecond instead of ten or more. Run it in the background, or under systemd:\n"
     "\n"
     "  cpindex --db /srv/cpindex.db serve 2>>/var/log/cpindex-serve.log &\n"
     "\n"
     "It listens on PATH/serve.sock (mode 0600, in the 0700 store directory) and\n"
     "answers only processes of its own user (checked on every connection). Every\n"
     "command checks for that socket and, when a server answers, sends it the\n"
     "command with the --user and --reason it was given (or CPINDEX_USER and\n"
     "CPINDEX_REASON): the server runs exactly what the command would have run, so\n"
     "the same access rules apply and every answer is logged in the audit log just\n"
     "the same. When no server answers, or it is another cpindex version, the\n"
     "command answers by itself, silently. CPINDEX_SERVE=off never asks a server.\n"
     "\n"
     "One request at a time; one line per request on stderr (command, exit status,\n"
     "milliseconds: no personal data). SIGINT or SIGTERM stops it and removes the\n"
     "socket; a second server on the same store is refused.\n"
     "\n"
     "Exit status: 0 stopped by a signal, 2 usage (or a server already answers),\n"
     "3 store error.\n"},
    {"help", CLI_FN(cmd_help), "show help for cpindex or for one command",
     "usage: cpindex help [COMMAND]\n"
     "\n"
     "With no COMMAND, list every command. With one, show its full usage\n"
     "(the same as 'cpindex COMMAND --help').\n"},
    {"version", CLI_FN(cmd_version), "print the cpindex version and store schema version",
     "usage: cpindex version\n"},
};

const int cli_ncommands = (int)(sizeof cli_commands / sizeof cli_commands[0]);

const cli_command *cli_find(const char *name)
{
    for (int i = 0; i < cli_ncommands; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}
