/* cmd_address.c - `cpindex address QUERY`: what is held on a place, warnings first, before attending. */
#include <stdio.h>

#include "query/address.h"
#include "query_cli.h"

int cmd_address(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("address");
    query_opts q = {0};
    char query[512];
    int rc = query_parse(ctx, self, argc, argv, &q, query, sizeof query, true);
    if (rc >= 0)
        return rc;
    cpi_store *st;
    cpi_grant g;
    cpi_txn *txn;
    if ((rc = query_authorise(ctx, "address", &q, &st, &g)) >= 0 || (rc = query_snapshot(st, &txn)) >= 0)
        return rc;
    cpi_error err = {0};
    cpi_arena arena = {0};
    const char *id = NULL;
    cpi_lookup l;
    cpi_place_report r;
    bool have = false;
    rc = query_pick(txn, query, CPI_KIND_LOCATION, &q, &arena, &id, &l, &err);
    if (rc < 0) {
        if (cpi_address_build(txn, id, &q.profile, &arena, &r, &err))
            rc = cli_fail(&err);
        else
            have = true;
    }
    cpi_txn_end(txn);
    shown sh = {0};
    int found = rc;
    if (have) {
        shown_id(&sh, r.entity_id);
        const cpi_place_person *lists[3] = {r.risky_people, r.children, r.residents};
        uint32_t ns[3] = {r.nrisky_people, r.nchildren, r.nresidents};
        for (int k = 0; k < 3; k++)
            for (uint32_t i = 0; i < ns[k]; i++) {
                shown_id(&sh, lists[k][i].id);
                for (uint32_t j = 0; j < lists[k][i].nlinks; j++)
                    for (uint32_t x = 0; x < lists[k][i].links[j].nrefs; x++)
                        shown_ref(&sh, lists[k][i].links[j].refs[x]);
            }
        for (uint32_t i = 0; i < r.nwarnings; i++)
            for (uint32_t x = 0; x < r.warnings[i].nrefs; x++)
                shown_ref(&sh, r.warnings[i].refs[x]);
    } else if (rc == EXIT_OK_ || rc == EXIT_NOT_FOUND) {
        shown_lookup(&sh, &l);
    }
    if ((have || rc == EXIT_OK_ || rc == EXIT_NOT_FOUND) && (rc = shown_log(ctx, st, &g, &sh)) == EXIT_OK_) {
        if (have && q.json)
            query_print_json(cpi_address_json(&r));
        else if (have)
            cpi_address_text(&r, stdout, q.width);
        else {
            query_print_candidates(&l, query, &q);
            rc = found;
        }
    }
    cpi_store_close(st);
    cpi_arena_free(&arena);
    return rc;
}
