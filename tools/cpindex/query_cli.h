/*
 * query_cli.h - what the query subcommands (child, person, address, missing)
 * share: the options that shape a profile, and turning QUERY into exactly
 * one entity or a printed list of candidates.
 */
#ifndef CPI_QUERY_CLI_H
#define CPI_QUERY_CLI_H

#include "cli.h"
#include "query/lookup.h"
#include "query/profile.h"

/* Long options every query command takes, and their codes. */
enum { QOPT_JSON = 2000, QOPT_DOB, QOPT_DETAIL, QOPT_FULL, QOPT_WITHHOLD, QOPT_WIDTH };
#define QUERY_LONGOPTS                                                                                   \
    {"json", no_argument, NULL, QOPT_JSON}, {"dob", required_argument, NULL, QOPT_DOB},                  \
        {"detail", required_argument, NULL, QOPT_DETAIL}, {"full", no_argument, NULL, QOPT_FULL},        \
        {"withhold", required_argument, NULL, QOPT_WITHHOLD}, {"width", required_argument, NULL, QOPT_WIDTH}

typedef struct query_opts {
    bool json;
    const char *dob;
    cpi_profile_opts profile;
    int width;
} query_opts;

/* Handle one of QUERY_LONGOPTS: -1 handled, else an exit status (usage error). */
int query_opt(const cli_command *cmd, query_opts *q, int opt, const char *arg);

/*
 * Look QUERY up as `kind`. Exactly one resolved entity: *id set (arena) and
 * -1 returned. Otherwise the candidates (or "not found") are printed and the
 * exit status returned: 0 for a list to choose from, 1 for nothing.
 */
int query_pick(cpi_txn *txn, const char *query, cpi_kind kind, const query_opts *q, cpi_arena *arena,
               const char **id, cpi_error *err);

/* Open the store read-only and begin a snapshot; an exit status on failure, -1 on success. */
int query_begin(cli_ctx *ctx, cpi_store **st, cpi_txn **txn, cpi_error *err);

/* `cpindex child` and `cpindex person`: QUERY -> one person's profile (or the candidates). */
int query_profile_command(cli_ctx *ctx, const cli_command *self, int argc, char **argv, bool child);

/* Print a JSON value to stdout and free it. */
void query_print_json(json_t *o);

#endif
