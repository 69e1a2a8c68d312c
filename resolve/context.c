/*
 * resolve/context.c - what a person's records say around them: the places
 * they live at and the phones they use, as resolved clusters.
 *
 * A Niche nominal row holds the name and DOB, but its address comes through
 * nominal_locations (a nominal id and a location id, lives-at) and locations
 * (the address); so a person's homes are gathered over every mention in the
 * person's current cluster, after the nominal ids have been joined. A MARAC
 * or POLIT household child lives where the adult they are recorded with
 * lives, so a household member's lives-at counts too.
 *
 * The result is a CSR table by cluster root: sorted, distinct place (or
 * phone) roots. Built once per stage; the roots it names are those of the
 * moment it was built.
 */
#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "core/array.h"
#include "resolve/internal.h"

typedef struct u64v {
    uint64_t *v;
    size_t n, cap;
} u64v;

static int push(u64v *p, uint32_t a, uint32_t b)
{
    if (CPI_GROW(p->v, p->cap, p->n + 1, 4096))
        return -1;
    p->v[p->n++] = (uint64_t)a << 32 | b;
    return 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static cpi_status finish(u64v *pp, uint32_t n, cpi_rs_ctx *out, cpi_error *err);

cpi_status cpi_rs_ctx_build(const cpi_rs_data *d, cpi_rs_uf *uf, int which, const uint32_t *owner, cpi_rs_ctx *out,
                            cpi_error *err)
{
    memset(out, 0, sizeof *out);
    u64v p = {0};
    int rc = 0;
    for (uint32_t r = 0; r < d->nrecs && !rc; r++) {
        const cpi_rs_record *rec = &d->recs[r];
        const cpi_rs_rel *rels = d->rels + rec->first_rel;
        for (uint16_t k = 0; k < rec->nrels && !rc; k++) {
            const cpi_rs_rel *x = &rels[k];
            if (d->m[x->from].kind != CPI_KIND_PERSON)
                continue;
            uint32_t who = cpi_rs_find(uf, x->from);
            if (which == RS_CTX_PEOPLE) {
                if (d->m[x->to].kind == CPI_KIND_PERSON) {
                    uint32_t other = cpi_rs_find(uf, x->to);
                    rc = push(&p, owner ? owner[x->from] : who, other) || push(&p, owner ? owner[x->to] : other, who);
                }
                continue;
            }
            if (which == RS_CTX_PHONES) {
                if (x->type == RS_REL_USES_PHONE && d->m[x->to].kind == CPI_KIND_PHONE)
                    rc = push(&p, who, cpi_rs_find(uf, x->to));
                continue;
            }
            if (x->type == RS_REL_LIVES_AT && d->m[x->to].kind == CPI_KIND_LOCATION) {
                rc = push(&p, who, cpi_rs_find(uf, x->to));
            } else if (x->type == RS_REL_HOUSEHOLD && d->m[x->to].kind == CPI_KIND_PERSON) {
                for (uint16_t j = 0; j < rec->nrels && !rc; j++)
                    if (rels[j].type == RS_REL_LIVES_AT && rels[j].from == x->to &&
                        d->m[rels[j].to].kind == CPI_KIND_LOCATION)
                        rc = push(&p, who, cpi_rs_find(uf, rels[j].to));
            }
        }
    }
    /* people named in one event, across its records */
    for (uint32_t k = 0; which == RS_CTX_PEOPLE && k < d->nxrels && !rc; k++) {
        uint32_t f = d->xrels[k].from, t = d->xrels[k].to;
        uint32_t a = cpi_rs_find(uf, f), b = cpi_rs_find(uf, t);
        rc = push(&p, owner ? owner[f] : a, b) || push(&p, owner ? owner[t] : b, a);
    }
    out->off = calloc((size_t)d->nm + 2, sizeof *out->off);
    if (rc || !out->off) {
        free(p.v);
        free(out->off);
        out->off = NULL;
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for context");
    }
    return finish(&p, d->nm, out, err);
}

/* Sorted, distinct (owner << 32 | id) pairs -> CSR by owner. Frees p. */
static cpi_status finish(u64v *pp, uint32_t n, cpi_rs_ctx *out, cpi_error *err)
{
    u64v p = *pp;
    cpi_sort(p.v, p.n, sizeof *p.v, cmp_u64);
    size_t w = 0;
    for (size_t i = 0; i < p.n; i++)
        if (w == 0 || p.v[i] != p.v[w - 1])
            p.v[w++] = p.v[i];
    out->ids = malloc((w ? w : 1) * sizeof *out->ids);
    if (!out->ids) {
        free(p.v);
        cpi_rs_ctx_free(out);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for context");
    }
    for (size_t i = 0; i < w; i++) {
        out->off[(p.v[i] >> 32) + 1]++;
        out->ids[i] = (uint32_t)p.v[i];
    }
    for (uint32_t i = 0; i < n; i++)
        out->off[i + 1] += out->off[i];
    free(p.v);
    return CPI_OK;
}

cpi_status cpi_rs_ctx_invert(const cpi_rs_ctx *in, uint32_t n, cpi_rs_ctx *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    u64v p = {0};
    for (uint32_t r = 0; r < n; r++)
        for (uint32_t k = in->off[r]; k < in->off[r + 1]; k++)
            if (push(&p, in->ids[k], r)) {
                free(p.v);
                return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for context");
            }
    out->off = calloc((size_t)n + 2, sizeof *out->off);
    if (!out->off) {
        free(p.v);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for context");
    }
    return finish(&p, n, out, err);
}

void cpi_rs_ctx_free(cpi_rs_ctx *c)
{
    free(c->off);
    free(c->ids);
    memset(c, 0, sizeof *c);
}
