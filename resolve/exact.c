/*
 * resolve/exact.c - the links that need no scoring: mentions sharing an
 * identifier that names one thing.
 *   - phones on their E.164 key, online ids on their canonical email or
 *     username (these kinds are nothing but the identifier);
 *   - places sharing a Niche location id, people sharing a Niche nominal id
 *     (an occurrence's location is written as its id alone, so without this
 *     most Niche mentions could not be placed at all).
 * Joins check only what outranks an identifier: a human --different between
 * two mentions of one nominal, and two people named in one record. Values are
 * not checked: a nominal id joins dozens of records whose typos (a swapped
 * day and month here, a year off there) would otherwise refuse each other.
 */
#include <stdlib.h>

#include "resolve/internal.h"

/* Join every mention of `kind` holding key `slot` to the first mention with the same value. */
cpi_status cpi_rs_join_on_key(cpi_rs_data *d, cpi_rs_uf *uf, cpi_kind kind, int slot, cpi_resolve_kind_report *kr,
                              cpi_error *err)
{
    uint32_t *first = calloc((size_t)d->str.count + 1, sizeof *first);
    if (!first)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    for (uint32_t i = 0; i < d->nm; i++) {
        const cpi_rs_mention *m = &d->m[i];
        uint32_t k = m->key[slot];
        if (m->kind != kind || !k)
            continue;
        if (!first[k]) {
            first[k] = i + 1;
            continue;
        }
        int rc = cpi_rs_uf_join(uf, first[k] - 1, i, RS_JOIN_IDENT);
        if (rc == -2) {
            free(first);
            return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries");
        }
        if (rc == 1)
            kr->deterministic++;
        else if (rc == -1)
            kr->refused++;
    }
    free(first);
    return CPI_OK;
}

cpi_status cpi_rs_exact_kinds(cpi_rs_data *d, cpi_rs_result *res, cpi_resolve_report *rep, cpi_error *err)
{
    cpi_status s = cpi_rs_join_on_key(d, &res->uf, CPI_KIND_PHONE, RS_T_TEL, &rep->kind[CPI_KIND_PHONE], err);
    if (!s)
        s = cpi_rs_join_on_key(d, &res->uf, CPI_KIND_ONLINE, RS_O_EMAIL, &rep->kind[CPI_KIND_ONLINE], err);
    if (!s)
        s = cpi_rs_join_on_key(d, &res->uf, CPI_KIND_ONLINE, RS_O_USER, &rep->kind[CPI_KIND_ONLINE], err);
    return s;
}
