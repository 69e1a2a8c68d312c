/*
 * query_cli.h - what the query subcommands (child, person, address, missing,
 * agenda, analyse) share: the options that shape an answer, asking the desk
 * (desk/desk.h) and printing its answer or the candidates, and for agenda and
 * analyse the gate applied to their options and logging what was shown.
 *
 * Every query follows the gate's order: authorise, read in one snapshot, end
 * the snapshot, log the consultation with every entity id and reference the
 * answer holds, and only then print. For child, person, address and missing
 * the desk does all of it but the printing.
 */
#ifndef CPI_QUERY_CLI_H
#define CPI_QUERY_CLI_H

#include "cli.h"
#include "audit/access.h"
#include "desk/desk.h"
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
 * Authorise (the gate), then shape the profile options by the grant
 * (cpi_desk_shape: an officer's --full is every list in full at the summary
 * level, said on stderr). Returns -1 with *st open, or an exit status.
 */
int query_authorise(cli_ctx *ctx, const char *action, query_opts *q, cpi_store **st, cpi_grant *g);

/* Print a candidate list (or "nothing matches") as text or JSON. */
void query_print_candidates(const cli_ctx *ctx, const cpi_lookup *l, const char *query, const query_opts *q);

/* Log the consultation (0) or say why not (an exit status); frees the lists either way. */
int shown_log(cli_ctx *ctx, cpi_store *st, const cpi_grant *g, cpi_desk_shown *s);

/* Open a read snapshot; -1, or an exit status after saying why (the store is then closed). */
int query_snapshot(cpi_store *st, cpi_txn **txn);

/*
 * How a query command prints the desk's answer about one entity. Each command
 * is one of these; the sequence (parse, identify, ask the desk, print) is
 * query_command's alone.
 */
typedef struct query_answer {
    cpi_desk_kind kind;
    bool fit; /* a brief text answer is fitted to the screen (the desk cuts it before logging) */
    void (*text)(const cpi_desk_answer *a, FILE *out, int width);
    /* optional: a line for stderr before the answer (e.g. 'not recorded as a child') */
    void (*note)(const cpi_desk_answer *a);
    /* the answer as JSON, written to a streaming writer (render/jsonw.h): no tree is built */
    void (*json_write)(const cpi_desk_answer *a, cpi_jw *w);
} query_answer;

/* Lines a brief answer may take: one 24-row screen with the prompt left in view, or a smaller terminal's. */
int query_screen_lines(const cli_term *t);

/* Ask the desk about QUERY: one entity's answer (or the candidates), logged before it is shown. */
int query_command(cli_ctx *ctx, const cli_command *self, int argc, char **argv, const query_answer *a);

/* `cpindex child` and `cpindex person`: QUERY -> one person's profile (or the candidates). */
int query_profile_command(cli_ctx *ctx, const cli_command *self, int argc, char **argv, bool child);

/* Print what w holds to stdout as the query commands print JSON (init it with indent 2; a newline after), and free it. */
void query_print_jw(cpi_jw *w);

#endif
