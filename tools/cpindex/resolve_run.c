/* resolve_run.c - what every resolve the CLI starts does last in its transaction (cpindex resolve, purge). */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "resolve_run.h"

cpi_status cli_resolve_after_write(cpi_txn *txn, const cpi_resolve_report *rep, void *vctx, cpi_error *err)
{
    cli_resolve_after *a = vctx;
    memset(&a->graph, 0, sizeof a->graph);
    cpi_status s = cpi_graph_build_txn(txn, NULL, &a->graph, err);
    if (s)
        return s;
    static const char *const kinds[] = {NULL, "person", "location", "phone", "online"};
    char vals[CPI_KIND_COUNT + 1][4][24], tot[3][24];
    cpi_kv kv[4 * CPI_KIND_COUNT + 3];
    uint32_t n = 0;
    char names[CPI_KIND_COUNT + 1][4][32];
    for (int k = 1; k <= CPI_KIND_COUNT; k++) {
        const cpi_resolve_kind_report *x = &rep->kind[k];
        uint64_t v[4] = {x->entities, x->merges, x->splits, x->new_ids};
        static const char *const what[4] = {"entities", "merges", "splits", "new_ids"};
        for (int i = 0; i < 4; i++) {
            snprintf(names[k][i], sizeof names[k][i], "%s_%s", kinds[k], what[i]);
            snprintf(vals[k][i], sizeof vals[k][i], "%llu", (unsigned long long)v[i]);
            kv[n++] = (cpi_kv){names[k][i], vals[k][i]};
        }
    }
    snprintf(tot[0], sizeof tot[0], "%llu", (unsigned long long)rep->mentions);
    snprintf(tot[1], sizeof tot[1], "%llu", (unsigned long long)a->graph.edges);
    snprintf(tot[2], sizeof tot[2], "%llu", (unsigned long long)(rep->overrides_same + rep->overrides_different));
    kv[n++] = (cpi_kv){"mentions", tot[0]};
    kv[n++] = (cpi_kv){"edges", tot[1]};
    kv[n++] = (cpi_kv){"human_decisions", tot[2]};
    cpi_audit_entry e = {.kind = CPI_AUDIT_COMBINATION,
                         .user = a->g->user,
                         .reason = a->g->reason,
                         .command = a->command,
                         .details = {kv, n}};
    return cpi_audit_append(txn, &e, err);
}

