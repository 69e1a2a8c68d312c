/*
 * resolve/log.c - the combination entry a stored resolve appends to the audit
 * log, last in its write transaction (resolve/write.c): per kind the entities,
 * merges, splits and new ids, then the mentions, the graph's edges and the
 * human decisions obeyed, under the user, reason and command of the options.
 */
#include <stdio.h>

#include "audit/audit.h"
#include "resolve/internal.h"

cpi_status cpi_rs_log_combination(cpi_txn *txn, const cpi_resolve_opts *o, const cpi_resolve_report *rep,
                                  cpi_error *err)
{
    static const char *const kinds[] = {NULL, "person", "location", "phone", "online"};
    static const char *const what[4] = {"entities", "merges", "splits", "new_ids"};
    char names[CPI_KIND_COUNT + 1][4][32], vals[CPI_KIND_COUNT + 1][4][24], tot[3][24];
    cpi_kv kv[4 * CPI_KIND_COUNT + 3];
    uint32_t n = 0;
    for (int k = 1; k <= CPI_KIND_COUNT; k++) {
        const cpi_resolve_kind_report *x = &rep->kind[k];
        uint64_t v[4] = {x->entities, x->merges, x->splits, x->new_ids};
        for (int i = 0; i < 4; i++) {
            snprintf(names[k][i], sizeof names[k][i], "%s_%s", kinds[k], what[i]);
            snprintf(vals[k][i], sizeof vals[k][i], "%llu", (unsigned long long)v[i]);
            kv[n++] = (cpi_kv){names[k][i], vals[k][i]};
        }
    }
    snprintf(tot[0], sizeof tot[0], "%llu", (unsigned long long)rep->mentions);
    snprintf(tot[1], sizeof tot[1], "%llu", (unsigned long long)rep->graph.edges);
    snprintf(tot[2], sizeof tot[2], "%llu", (unsigned long long)(rep->overrides_same + rep->overrides_different));
    kv[n++] = (cpi_kv){"mentions", tot[0]};
    kv[n++] = (cpi_kv){"edges", tot[1]};
    kv[n++] = (cpi_kv){"human_decisions", tot[2]};
    cpi_audit_entry e = {.kind = CPI_AUDIT_COMBINATION,
                         .user = o->user,
                         .reason = o->reason,
                         .command = o->command ? o->command : "resolve",
                         .details = {kv, n}};
    return cpi_audit_append(txn, &e, err);
}
