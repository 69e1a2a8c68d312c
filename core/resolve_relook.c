/*
 * resolve_relook.c - a second look at the possible-band pairs of people once
 * links and context placement have made the clusters.
 *
 * Scoring compared the people two mentions are related to as identifier
 * clusters grouped them (resolve_people.c explains why not whole clusters:
 * EM would learn that matches always share one). After the links and the
 * context placement (resolve_weak.c) more is known: a MACE row naming
 * "Rhiannon THOMAS, 17 Jan 2013" and the Niche nominal of that name and DOB
 * scored only possible (183 nominals share a name like hers at a million
 * records), but now the adult the MACE row names and the suspect of her
 * Niche occurrence are one entity. For such a pair, scored with no related
 * person shared and whose clusters now share one, the related comparison is
 * taken again at its shared level (the model's own m and u); a pair that
 * reaches the link band is joined under the guard. Only pairs whose two
 * mentions both hold a DOB: the DOB-less are placed by cpi_rs_join_links'
 * stricter rules.
 */
#include <math.h>
#include <stdlib.h>

#include "core/resolve_internal.h"

/* log2(m / u) of one level of a comparison. */
static double bf(const cpi_fs_comparison *c, int level) { return log2(c->m[level] / c->u[level]); }

/* Do sorted lists a and b share an id other than x and y? */
static bool share(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb, uint32_t x, uint32_t y)
{
    uint32_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            i++;
        else if (a[i] > b[j])
            j++;
        else if (a[i] == x || a[i] == y)
            i++, j++;
        else
            return true;
    }
    return false;
}

/* Do summaries a and b hold a value of this type in common? */
static bool common(const cpi_rs_summary *a, const cpi_rs_summary *b, uint8_t type)
{
    for (uint16_t i = 0; i < a->n; i++)
        if (a->v[i].type == type && cpi_rs_sum_has(b, type, a->v[i].a))
            return true;
    return false;
}

/*
 * Are two related people, not (yet) one cluster, very likely one person: the same street name, or
 * the same forename and surname, and nothing that conflicts? Two MACE rows for one child each name
 * "Milo"; one row's Milo is placed (a phone), the other's is a street name alone, which can only
 * be placed once the child is. Both sides of the pair lean on each other, so this counts only with
 * the pair's own names and DOB (the possible band) behind it.
 */
static bool alike(cpi_rs_uf *uf, uint32_t x, uint32_t y)
{
    const cpi_rs_summary *a = &uf->sum[x], *b = &uf->sum[y];
    bool named = common(a, b, RS_SV_STREET) || (common(a, b, RS_SV_FN) && common(a, b, RS_SV_SN));
    return named && !cpi_rs_uf_conflict(uf, x, y);
}

#define ALIKE_MAX 16 /* related people compared pairwise per side: a hub relates to hundreds */

static bool related_alike(cpi_rs_uf *uf, const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb, uint32_t x,
                          uint32_t y)
{
    if (na > ALIKE_MAX || nb > ALIKE_MAX)
        return false;
    for (uint32_t i = 0; i < na; i++)
        for (uint32_t j = 0; j < nb; j++)
            if (a[i] != x && a[i] != y && b[j] != x && b[j] != y && a[i] != b[j] &&
                alike(uf, cpi_rs_find(uf, a[i]), cpi_rs_find(uf, b[j])))
                return true;
    return false;
}

cpi_status cpi_rs_relook(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_kind_report *kr,
                         uint64_t *joins, cpi_error *err)
{
    *joins = 0;
    const cpi_fs_comparison *rel = &res->person_model.cmp[RS_PC_RELATED];
    if (!res->person_trained || !res->review.n)
        return CPI_OK;
    double gain = bf(rel, RS_REL_SHARED) - bf(rel, RS_REL_NONE);
    if (!(gain > 0))
        return CPI_OK; /* a model that learnt nothing from related people says nothing here either */
    cpi_rs_ctx related = {0};
    cpi_status s = cpi_rs_ctx_build(d, &res->uf, RS_CTX_PEOPLE, NULL, &related, err);
    if (s)
        return s;
    uint32_t *then = malloc((d->nm ? d->nm : 1) * sizeof *then);
    if (!then) {
        cpi_rs_ctx_free(&related);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    }
    for (uint32_t i = 0; i < d->nm; i++)
        then[i] = cpi_rs_find(&res->uf, i);
    for (size_t k = 0; k < res->review.n; k++) {
        const cpi_rs_scored *p = &res->review.v[k];
        if (!(p->flags & RS_PAIR_RELATED_NONE) || d->m[p->a].kind != CPI_KIND_PERSON ||
            d->m[p->a].dob_lo == CPI_DAY_NONE || d->m[p->b].dob_lo == CPI_DAY_NONE)
            continue;
        uint32_t ra = then[p->a], rb = then[p->b];
        if (ra == rb || cpi_rs_find(&res->uf, p->a) == cpi_rs_find(&res->uf, p->b))
            continue;
        if (cpi_fs_probability(p->weight + gain) < o->link)
            continue;
        const uint32_t *la = cpi_rs_ctx_ids(&related, ra), *lb = cpi_rs_ctx_ids(&related, rb);
        uint32_t na = cpi_rs_ctx_n(&related, ra), nb = cpi_rs_ctx_n(&related, rb);
        if (!share(la, na, lb, nb, ra, rb) && !related_alike(&res->uf, la, na, lb, nb, ra, rb))
            continue;
        int rc = cpi_rs_uf_join(&res->uf, p->a, p->b, RS_JOIN_GUARDED);
        if (rc == -2) {
            s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries");
            break;
        }
        if (rc == 1) {
            (*joins)++;
            kr->relinked++;
        }
    }
    free(then);
    cpi_rs_ctx_free(&related);
    return s;
}
