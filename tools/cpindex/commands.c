/*
 * commands.c - the table of cpindex subcommands. Adding a subcommand is one
 * cmd_NAME.c file and one row here.
 */
#include "cli.h"

#include <string.h>

int cmd_help(cli_ctx *ctx, int argc, char **argv);
int cmd_version(cli_ctx *ctx, int argc, char **argv);
int cmd_stats(cli_ctx *ctx, int argc, char **argv);
int cmd_ingest(cli_ctx *ctx, int argc, char **argv);
int cmd_child(cli_ctx *ctx, int argc, char **argv);
int cmd_person(cli_ctx *ctx, int argc, char **argv);

const cli_command cli_commands[] = {
    {"ingest", cmd_ingest, "load one silo's export files into the store (every row stored or rejected)",
     "usage: cpindex ingest SOURCE PATH... [--json] [--rejects DIR] [--db PATH]\n"
     "       cpindex ingest csv --map FILE PATH... [--json]\n"
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
     "Example: cpgen --children 1000 --out force && cpindex ingest miraf force/miraf\n"},
    {"child", cmd_child, "everything held on a child, warnings first: risky people, places, gaps",
     "usage: cpindex child QUERY [--dob DATE] [--full | --detail brief|full] [--json]\n"
     "                     [--withhold SOURCES] [--width N] [--db PATH]\n"
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
     "  --detail brief    the top 5 of each list, no timeline (the default: before attending)\n"
     "  --full            every list in full, with the timeline (same as --detail full)\n"
     "  --withhold SRCS   leave out what these sources hold, saying only that it exists and\n"
     "                    whom to ask: a list (polit,marac) or 'restricted' (= marac,polit)\n"
     "  --json            one JSON object (keys in docs/queries.md); a list of candidates is\n"
     "                    {\"candidates\": [...]} instead\n"
     "  --width N         wrap text at N columns (default 100)\n"
     "\n"
     "Needs 'cpindex resolve' to have run. Exit status: 0 shown (or a list of\n"
     "candidates), 1 nothing matches, 2 usage, 3 store error.\n"
     "\n"
     "Example: cpindex child \"Rhiannon Jones\" --dob 2011-05-03\n"},
    {"person", cmd_person, "what is held on anyone (an adult of concern too), and the children linked",
     "usage: cpindex person QUERY [--dob DATE] [--full] [--json] [--withhold SOURCES] [--db PATH]\n"
     "\n"
     "The same profile as 'cpindex child' for any person: an adult's warnings (RSO,\n"
     "SHPO, CAWN, MACE adult of concern, OCG member, suspect in occurrences), the\n"
     "children they are linked to directly or through places and phones, their\n"
     "places, references and timeline. QUERY and options as for 'cpindex child'.\n"
     "\n"
     "Example: cpindex person P-0003947 --full\n"},
    {"stats", cmd_stats, "show what the store holds: records per source, mentions, entities, size",
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
    {"help", cmd_help, "show help for cpindex or for one command",
     "usage: cpindex help [COMMAND]\n"
     "\n"
     "With no COMMAND, list every command. With one, show its full usage\n"
     "(the same as 'cpindex COMMAND --help').\n"},
    {"version", cmd_version, "print the cpindex version and store schema version",
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
