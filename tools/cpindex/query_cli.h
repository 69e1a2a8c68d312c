/*
 * query_cli.h - what the query subcommands (child, person, address, missing,
 * agenda, analyse) share: the options that shape an answer, the access gate
 * applied to a profile's options, turning QUERY into exactly one entity or a
 * printed list of candidates, and logging what was shown.
 *
 * Every query follows the gate's order (tools/cpindex/cli.h): authorise,
 * read in one snapshot, end the snapshot, log the consultation with every
 * entity id and reference the answer holds, and only then print.
 */
#ifndef CPI_QUERY_CLI_H
#define CPI_QUERY_CLI_H

#include "cli.h"
#include "audit/access.h"
#include "render/jsonw.h"
#include "query/lookup.h"
#include "query/profile.h"

/* Long options every query command takes, and their codes. */
/* QOPT_NAME comes last so the range QOPT_JSON..QOPT_NAME is every query option a command hands to query_opt. */
enum { QOPT_JSON = 2000, QOPT_DOB, QOPT_DETAIL, QOPT_FULL, QOPT_WITHHOLD, QOPT_WIDTH, QOPT_TOP, QOPT_AS_OF, QOPT_NAME };
#define QUERY_LONGOPTS                                                                                   \
    {"json", no_argument, NULL, QOPT_JSON}, {"dob", required_argument, NULL, QOPT_DOB},                  \
        {"detail", required_argument, NULL, QOPT_DETAIL}, {"full", no_argument, NULL, QOPT_FULL},        \
        {"withhold", required_argument, NULL, QOPT_WITHHOLD}, {"name", required_argument, NULL, QOPT_NAME}

typedef struct query_opts {
    bool json;
    const char *dob;
    bool detail_set;
    cpi_profile_opts profile;
    bool officer_full; /* --full asked by a role allowed the summary only: every list, still no free text */
    const char *name; /* --name TEXT: the QUERY given as an option (docs/operations.md's form) */
} query_opts;

/* Handle one of QUERY_LONGOPTS: -1 handled, else an exit status (usage error). */
int query_opt(const cli_command *cmd, query_opts *q, int opt, const char *arg);

/* Parse argv with QUERY_LONGOPTS + the common ones; the words after the options joined into query. */
int query_parse(cli_ctx *ctx, const cli_command *self, int argc, char **argv, query_opts *q, char *query,
                size_t cap, bool need_query);

/*
 * Authorise (the gate), then shape the profile options by the grant: the
 * detail level never above what the role allows (the grant's by default; an
 * officer's --full is every list in full at the summary level, said on
 * stderr: see query_cli.c), and
 * restricted sources the user may not read withheld, with the grant's
 * contacts. Returns -1 with *st open, or an exit status.
 */
int query_authorise(cli_ctx *ctx, const char *action, query_opts *q, cpi_store **st, cpi_grant *g);

/*
 * Look QUERY up as `kind`. Exactly one resolved entity: *id set and -1
 * returned, *l unused. Otherwise *l holds the candidates (maybe none) and the
 * exit status to end with is returned (0 a list to choose from, 1 nothing).
 */
int query_pick(cpi_txn *txn, const char *query, cpi_kind kind, const query_opts *q, cpi_arena *arena,
               const char **id, cpi_lookup *l, cpi_error *err);

/* Print a candidate list (or "nothing matches") as text or JSON. */
void query_print_candidates(const cli_ctx *ctx, const cpi_lookup *l, const char *query, const query_opts *q);

/* A growing list of entity ids and references shown, for the consultation log. */
typedef struct shown {
    const char **ids, **refs;
    size_t nids, nrefs, capids, caprefs;
} shown;
void shown_id(shown *s, const char *id);
void shown_ref(shown *s, const char *ref);
void shown_profile(shown *s, const cpi_profile *p);
void shown_lookup(shown *s, const cpi_lookup *l);
/* Log the consultation (0) or say why not (an exit status); frees the lists either way. */
int shown_log(cli_ctx *ctx, cpi_store *st, const cpi_grant *g, shown *s);

/* Open a read snapshot; -1, or an exit status after saying why (the store is then closed). */
int query_snapshot(cpi_store *st, cpi_txn **txn);

/*
 * One answer a query command gives for an entity: how to build it, what of it
 * to log as shown, and how to print it. Each command is one of these; the
 * sequence (parse, authorise, snapshot, pick, build, log, print) is
 * query_command's alone.
 */
typedef struct query_answer {
    cpi_kind kind; /* what QUERY must resolve to */
    size_t size;   /* of the built answer */
    cpi_status (*build)(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena, void *out,
                        cpi_error *err);
    void (*shown)(shown *s, const void *answer);
    json_t *(*json)(const void *answer); /* the answer as a jansson tree (when json_write is NULL) */
    void (*text)(const void *answer, FILE *out, int width);
    /* optional: a line for stderr before the answer (e.g. 'not recorded as a child') */
    void (*note)(const void *answer, const char *id);
    /* optional: the answer written to a streaming writer (render/jsonw.h), used instead of json: no tree is built */
    void (*json_write)(const void *answer, cpi_jw *w);
    /* optional: cut a text answer to the screen before it is logged (so the log names what is shown) */
    void (*fit)(void *answer, const query_opts *q, const cli_term *t, const char *command);
} query_answer;

/* Lines a brief answer may take: one 24-row screen with the prompt left in view, or a smaller terminal's. */
int query_screen_lines(const cli_term *t);

/* Run QUERY through the gate to one entity's answer (or the candidates), logged before it is shown. */
int query_command(cli_ctx *ctx, const cli_command *self, int argc, char **argv, const query_answer *a);

/* `cpindex child` and `cpindex person`: QUERY -> one person's profile (or the candidates). */
int query_profile_command(cli_ctx *ctx, const cli_command *self, int argc, char **argv, bool child);

/* Print a JSON value to stdout and free it. */
void query_print_json(json_t *o);

#endif
