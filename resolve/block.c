/*
 * resolve/block.c - candidate pairs by blocking: never all pairs.
 *
 * A blocking rule gives each mention zero or more keys (a hash of, say,
 * phonetic surname + birth year). Sorting the (key, order, mention) entries
 * puts each block together; every pair inside a block is a candidate. A
 * block larger than the cap (a common surname in a big year) is not compared
 * all against all: its members, sorted by the rule's `order` (for example
 * the full DOB and forename), each meet only their next `window` neighbours,
 * and the rule's report counts the block as capped, so the loss is visible.
 *
 * Pairs from all rules go into one array as (a << 32 | b), a < b, then a
 * radix sort and a pass removing repeats leave each candidate pair once.
 */
#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "core/array.h"
#include "resolve/internal.h"

uint64_t cpi_rs_hash(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    if (!h)
        h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

uint64_t cpi_rs_hash_u64(uint64_t h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    return cpi_rs_hash(h, b, 8);
}

cpi_status cpi_rs_keys_add(cpi_rs_keys *k, uint64_t key, uint64_t order, uint32_t m, cpi_error *err)
{
    if (CPI_GROW(k->v, k->cap, k->n + 1, 4096))
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for blocking keys");
    k->v[k->n++] = (cpi_rs_bkey){key, order, m};
    return CPI_OK;
}

cpi_status cpi_rs_pairs_add(cpi_rs_pairs *p, uint32_t a, uint32_t b, cpi_error *err)
{
    if (a == b)
        return CPI_OK;
    if (CPI_GROW(p->v, p->cap, p->n + 1, 65536))
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for candidate pairs");
    p->v[p->n++] = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
    return CPI_OK;
}

void cpi_rs_pairs_free(cpi_rs_pairs *p)
{
    free(p->v);
    memset(p, 0, sizeof *p);
}

static int cmp_bkey(const void *x, const void *y)
{
    const cpi_rs_bkey *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    return a->m < b->m ? -1 : a->m > b->m;
}

cpi_status cpi_rs_block(cpi_rs_keys *k, const cpi_resolve_opts *o, cpi_rs_pairs *out, cpi_resolve_rule_report *rep,
                        cpi_error *err)
{
    cpi_sort(k->v, k->n, sizeof *k->v, cmp_bkey);
    rep->keys += k->n;
    size_t cap = o->block_cap ? o->block_cap : CPI_RESOLVE_BLOCK_CAP;
    size_t window = o->window ? o->window : CPI_RESOLVE_WINDOW;
    cpi_status s = CPI_OK;
    for (size_t i = 0; i < k->n && !s;) {
        size_t j = i + 1;
        while (j < k->n && k->v[j].key == k->v[i].key)
            j++;
        size_t n = j - i;
        if (n >= 2) {
            rep->blocks++;
            if (n > rep->largest)
                rep->largest = n;
            bool capped = n > cap;
            rep->capped += capped;
            size_t w = capped ? window : n;
            for (size_t a = i; a < j && !s; a++)
                for (size_t b = a + 1; b < j && b <= a + w && !s; b++)
                    if (k->v[a].m != k->v[b].m) {
                        s = cpi_rs_pairs_add(out, k->v[a].m, k->v[b].m, err);
                        rep->pairs++;
                    }
        }
        i = j;
    }
    free(k->v);
    memset(k, 0, sizeof *k);
    return s;
}

/* LSD radix sort on 16-bit digits; falls back to nothing fancy when memory is short. */
static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static void sort_u64(uint64_t *v, size_t n)
{
    uint64_t *tmp = n > 4096 ? malloc(n * sizeof *tmp) : NULL;
    size_t *count = tmp ? malloc(65536 * sizeof *count) : NULL;
    if (!count) {
        free(tmp);
        cpi_sort(v, n, sizeof *v, cmp_u64);
        return;
    }
    uint64_t *src = v, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    /* four passes: the result is back in v */
    free(tmp);
    free(count);
}

void cpi_rs_pairs_unique(cpi_rs_pairs *p)
{
    sort_u64(p->v, p->n);
    size_t w = 0;
    for (size_t i = 0; i < p->n; i++)
        if (w == 0 || p->v[i] != p->v[w - 1])
            p->v[w++] = p->v[i];
    p->n = w;
}
