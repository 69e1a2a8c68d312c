/*
 * resolve/ids.c - stable entity ids across runs.
 *
 * Each new cluster takes the old id most of its mentions carried: all
 * (old id, new cluster, shared mentions) triples are ranked by shared
 * mentions (then by old id and cluster, so ties break the same way every
 * run) and taken greedily, each old id and each cluster at most once. A
 * cluster left without one gets the next number from its kind's counter.
 * An old id whose mentions now lie in two or more clusters is a split; a
 * cluster holding mentions of two or more old ids is a merge; an old id no
 * cluster took is retired (never reused: the counter only grows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "resolve/internal.h"

static const char KIND_LETTER[CPI_KIND_COUNT + 1] = {0, 'P', 'L', 'T', 'O'};

int cpi_entity_id_format(cpi_kind kind, uint64_t number, char *buf, size_t cap)
{
    if (kind < 1 || kind > CPI_KIND_COUNT)
        return -1;
    int n = snprintf(buf, cap, "%c-%07llu", KIND_LETTER[kind], (unsigned long long)number);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

cpi_status cpi_entity_id_parse(const char *text, cpi_kind *kind, uint64_t *number, cpi_error *err)
{
    size_t n = strlen(text);
    cpi_kind k = 0;
    for (int i = 1; i <= CPI_KIND_COUNT; i++)
        if (n > 0 && text[0] == KIND_LETTER[i])
            k = (cpi_kind)i;
    uint64_t v = 0;
    bool ok = k && n >= 9 && n <= 14 && text[1] == '-';
    for (size_t i = 2; ok && i < n; i++) {
        ok = text[i] >= '0' && text[i] <= '9';
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    if (!ok || v == 0)
        return cpi_error_set(err, CPI_ERR_USAGE, "'%.40s' is not an entity id (P-0000001, L-, T-, O-)", text);
    *kind = k;
    *number = v;
    return CPI_OK;
}

typedef struct triple {
    uint32_t count, old, root;
    uint64_t num; /* the old id's number, UINT64_MAX if it is not an id of this kind */
} triple;

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Most shared mentions first; ties by old number, then cluster, so every run breaks them alike. */
static int cmp_triple(const void *x, const void *y)
{
    const triple *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->num != b->num)
        return a->num < b->num ? -1 : 1;
    return a->root < b->root ? -1 : a->root > b->root;
}

static cpi_status ids_of_kind(cpi_rs_data *d, cpi_rs_result *res, cpi_kind kind, cpi_resolve_kind_report *kr,
                              cpi_error *err)
{
    /* (root << 32 | old id) for each mention of the kind that had an old id */
    size_t n = 0;
    for (uint32_t i = 0; i < d->nm; i++)
        n += d->m[i].kind == kind && d->old_entity[i];
    uint64_t *ro = malloc((n ? n : 1) * sizeof *ro);
    triple *tr = malloc((n ? n : 1) * sizeof *tr);
    uint8_t *old_taken = calloc((size_t)d->old_ids.count + 1, 1);
    uint32_t *old_roots = calloc((size_t)d->old_ids.count + 1, sizeof *old_roots); /* distinct roots per old id */
    uint32_t *old_last = calloc((size_t)d->old_ids.count + 1, sizeof *old_last);
    if (!ro || !tr || !old_taken || !old_roots || !old_last) {
        free(ro);
        free(tr);
        free(old_taken);
        free(old_roots);
        free(old_last);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory assigning ids");
    }
    n = 0;
    for (uint32_t i = 0; i < d->nm; i++)
        if (d->m[i].kind == kind && d->old_entity[i])
            ro[n++] = (uint64_t)cpi_rs_find(&res->uf, i) << 32 | d->old_entity[i];
    cpi_sort(ro, n, sizeof *ro, cmp_u64);
    size_t nt = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && ro[j] == ro[i])
            j++;
        triple t = {(uint32_t)(j - i), (uint32_t)ro[i], (uint32_t)(ro[i] >> 32), UINT64_MAX};
        cpi_kind k;
        uint64_t num;
        cpi_error e2;
        if (!cpi_entity_id_parse(cpi_intern_id_str(&d->old_ids, t.old), &k, &num, &e2) && k == kind &&
            num <= UINT32_MAX)
            t.num = num;
        tr[nt++] = t;
        i = j;
    }
    /* merges: clusters with two or more old ids (triples are grouped by root) */
    for (size_t i = 0; i < nt;) {
        size_t j = i;
        while (j < nt && tr[j].root == tr[i].root)
            j++;
        kr->merges += j - i >= 2;
        i = j;
    }
    /* splits: old ids in two or more clusters */
    for (size_t i = 0; i < nt; i++) {
        uint32_t o = tr[i].old;
        if (old_last[o] != tr[i].root + 1) {
            old_roots[o]++;
            old_last[o] = tr[i].root + 1;
        }
    }
    uint64_t seen_old = 0;
    for (uint32_t o = 1; o <= d->old_ids.count; o++) {
        kr->splits += old_roots[o] >= 2;
        seen_old += old_roots[o] > 0;
    }
    cpi_sort(tr, nt, sizeof *tr, cmp_triple);
    for (size_t i = 0; i < nt; i++) {
        const triple *t = &tr[i];
        if (old_taken[t->old] || res->entity_num[t->root] || t->num == UINT64_MAX)
            continue; /* taken, or not an id this version writes: the cluster gets a new one */
        uint64_t num = t->num;
        old_taken[t->old] = 1;
        res->entity_num[t->root] = (uint32_t)num;
        kr->kept_ids++;
        if (num >= res->next_id[kind])
            res->next_id[kind] = num + 1; /* never hand out a number already used */
    }
    kr->retired_ids = seen_old - kr->kept_ids;
    for (uint32_t i = 0; i < d->nm; i++) {
        if (d->m[i].kind != kind)
            continue;
        uint32_t r = cpi_rs_find(&res->uf, i);
        if (r != i)
            continue;
        kr->entities++;
        if (!res->entity_num[r]) {
            res->entity_num[r] = (uint32_t)res->next_id[kind]++;
            kr->new_ids++;
        }
    }
    free(ro);
    free(tr);
    free(old_taken);
    free(old_roots);
    free(old_last);
    return CPI_OK;
}

cpi_status cpi_rs_ids(cpi_rs_data *d, cpi_rs_result *res, cpi_resolve_report *rep, cpi_error *err)
{
    res->entity_num = calloc((size_t)d->nm + 1, sizeof *res->entity_num);
    if (!res->entity_num)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory assigning ids");
    for (int k = 1; k <= CPI_KIND_COUNT; k++) {
        res->next_id[k] = res->old_next_id[k] ? res->old_next_id[k] : 1;
        cpi_status s = ids_of_kind(d, res, (cpi_kind)k, &rep->kind[k], err);
        if (s)
            return s;
    }
    return CPI_OK;
}
