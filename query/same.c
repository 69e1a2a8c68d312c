/*
 * same.c - possible matches inside a ranked list (see same.h). The pairs come
 * from the graph's possible-match edges, which the build writes under both
 * ends, so one seek per listed entity finds every pair the list holds.
 */
#include "query/same.h"

#include <stdlib.h>
#include <string.h>

#include "graph/graphdb.h"
#include "core/intern.h"
#include "core/sort.h"

/* Follow partner links to the group's best-ranked member (partner always points to a smaller index). */
static uint32_t root_of(const uint32_t *partner, uint32_t i)
{
    while (partner[i] != CPI_SAME_NONE)
        i = partner[i];
    return i;
}

cpi_status cpi_same_partners(cpi_txn *txn, const char *const *ids, uint32_t n, uint32_t withhold, cpi_arena *arena,
                             uint32_t *partner, uint32_t *prob, cpi_error *err)
{
    for (uint32_t i = 0; i < n; i++) {
        partner[i] = CPI_SAME_NONE;
        if (prob)
            prob[i] = 0;
    }
    if (n < 2)
        return CPI_OK;
    cpi_intern index = {0}; /* id -> its number in the intern table; pos[number] = its first position */
    uint32_t *pos = malloc(sizeof *pos * n);
    cpi_status s = pos ? CPI_OK : cpi_error_set(err, CPI_ERR_NOMEM, "possible matches: out of memory");
    for (uint32_t i = 0; i < n && !s; i++) {
        uint32_t x;
        int added;
        if (ids[i] && cpi_intern_add(&index, ids[i], strlen(ids[i]), &x, &added))
            s = cpi_error_set(err, CPI_ERR_NOMEM, "possible matches: out of memory");
        else if (ids[i] && added)
            pos[x] = i;
    }
    static const char *const types[] = {"possible-match", NULL};
    /* ranks go down the list, so a pair is settled when its lower-ranked end is read: the higher end's
     * root is final by then, and joining the two groups keeps every partner pointing up the list */
    for (uint32_t i = 0; i < n && !s; i++) {
        if (!ids[i] || pos[cpi_intern_find(&index, ids[i], strlen(ids[i]))] != i)
            continue; /* NULL, or a repeat of an id listed above */
        cpi_edge *es;
        uint32_t ne, total;
        s = cpi_graph_edges_light(txn, ids[i], types, UINT32_MAX, arena, &es, &ne, &total, err);
        if (s == CPI_NOT_FOUND) { /* no edges at all: nothing to pair */
            s = CPI_OK;
            continue;
        }
        for (uint32_t k = 0; k < ne && !s; k++) {
            if (!(es[k].sources & ~withhold))
                continue;
            uint32_t x = cpi_intern_find(&index, es[k].other, strlen(es[k].other));
            if (x == CPI_INTERN_NONE || pos[x] == i)
                continue;
            uint32_t j = pos[x];
            uint32_t ri = root_of(partner, i), rj = root_of(partner, j);
            if (ri == rj)
                continue;
            /* the later group hangs off the earlier one's best-ranked member */
            uint32_t hi = ri < rj ? ri : rj, lo = ri < rj ? rj : ri;
            partner[lo] = hi;
            if (prob)
                prob[lo] = (lo == i || lo == j) && (hi == i || hi == j) ? es[k].times : 0;
        }
    }
    /* point every member straight at its group's best-ranked member */
    for (uint32_t i = 0; i < n; i++)
        if (partner[i] != CPI_SAME_NONE) {
            uint32_t r = root_of(partner, i);
            if (prob && partner[i] != r)
                prob[i] = 0;
            partner[i] = r;
        }
    cpi_intern_free(&index);
    free(pos);
    return s;
}

typedef struct ord {
    uint32_t root, i;
} ord;

/* By group (its best-ranked member's index), then by rank inside the group. */
static int cmp_ord(const void *a, const void *b)
{
    const ord *x = a, *y = b;
    if (x->root != y->root)
        return x->root < y->root ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

void cpi_same_order(const uint32_t *partner, uint32_t n, uint32_t *order)
{
    ord *o = malloc(sizeof *o * (n ? n : 1));
    if (!o) { /* no memory to regroup: the ranked order is still a true answer */
        for (uint32_t i = 0; i < n; i++)
            order[i] = i;
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        o[i] = (ord){root_of(partner, i), i};
    cpi_sort(o, n, sizeof *o, cmp_ord);
    for (uint32_t i = 0; i < n; i++)
        order[i] = o[i].i;
    free(o);
}
