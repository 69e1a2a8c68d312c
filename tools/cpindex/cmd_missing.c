/* cmd_missing.c - `cpindex missing QUERY`: the trigger plan for a child reported missing now. */
#include <stdio.h>

#include "query/missing.h"
#include "query_cli.h"

int cmd_missing(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("missing");
    query_opts q = {0};
    char query[512];
    int rc = query_parse(ctx, self, argc, argv, &q, query, sizeof query, true);
    if (rc >= 0)
        return rc;
    cpi_store *st;
    cpi_grant g;
    cpi_txn *txn;
    if ((rc = query_authorise(ctx, "missing", &q, &st, &g)) >= 0 || (rc = query_snapshot(st, &txn)) >= 0)
        return rc;
    cpi_error err = {0};
    cpi_arena arena = {0};
    const char *id = NULL;
    cpi_lookup l;
    cpi_missing_plan m;
    bool have = false;
    rc = query_pick(txn, query, CPI_KIND_PERSON, &q, &arena, &id, &l, &err);
    if (rc < 0) {
        if (cpi_missing_build(txn, id, &q.profile, &arena, &m, &err))
            rc = cli_fail(&err);
        else
            have = true;
    }
    cpi_txn_end(txn);
    shown sh = {0};
    int found = rc;
    if (have) {
        shown_profile(&sh, &m.profile);
        for (uint32_t i = 0; i < m.nplaces; i++)
            shown_id(&sh, m.places[i].id);
    } else if (rc == EXIT_OK_ || rc == EXIT_NOT_FOUND) {
        shown_lookup(&sh, &l);
    }
    if ((have || rc == EXIT_OK_ || rc == EXIT_NOT_FOUND) && (rc = shown_log(ctx, st, &g, &sh)) == EXIT_OK_) {
        if (have && !m.profile.is_child)
            fprintf(stderr, "cpindex missing: %s is not recorded as a child\n", id);
        if (have && q.json)
            query_print_json(cpi_missing_json(&m));
        else if (have)
            cpi_missing_text(&m, stdout, q.width);
        else {
            query_print_candidates(&l, query, &q);
            rc = found;
        }
    }
    cpi_store_close(st);
    cpi_arena_free(&arena);
    return rc;
}
