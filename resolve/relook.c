/*
 * resolve/relook.c - a second look at the possible-band pairs of people once
 * links and context placement have made the clusters.
 *
 * Scoring compared the people two mentions are related to as identifier
 * clusters grouped them (resolve/people.c explains why not whole clusters:
 * EM would learn that matches always share one). After the links and the
 * context placement (resolve/weak.c) more is known: a MACE row naming
 * "Rhiannon THOMAS, 17 Jan 2013" and the Niche nominal of that name and DOB
 * scored only possible (183 nominals share a name like hers at a million
 * records), but now the adult the MACE row names and the suspect of her
 * Niche occurrence are one entity. For such a pair, scored with no related
 * person shared and whose clusters now share one, the related comparison is
 * taken again at its shared level (the model's own m and u); a pair that
 * reaches the link band is joined under the guard. Only pairs whose two
 * mentions both hold a DOB: the DOB-less are placed by cpi_rs_join_links'
 * stricter rules.
 *
 * The street name and the phone are asked of the clusters in the same way
 * when a side's own mention could not say: the Niche nominal "William
 * Davies, 25/09/2001, street name Milo" and a MIRAF form's "William Davies,
 * 2001-09-25" score possible on names and DOB (+5.1 bits at 1M), while the
 * form's cluster holds MACE rows naming William DAVIES, street name Milo.
 * Clusters sharing a value count at the comparison's same level; clusters
 * each holding values, none shared, at its different level (which can only
 * keep a pair apart). At 1M: +1,782 correct pairs, +146 wrong ones, all of
 * them in a cluster already holding two namesakes.
 */
#include <math.h>
#include <stdlib.h>

#include "resolve/compare.h"
#include "resolve/internal.h"

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

/*
 * What the clusters now say of a comparison the pair's own mentions could not make (a side held no
 * street name, or its identifier cluster no phone): the weight of the level the two clusters reach,
 * same if they share a value, different if each holds values and none is shared, 0 otherwise.
 */
static double cluster_street(const cpi_fs_comparison *c, const cpi_rs_summary *a, const cpi_rs_summary *b)
{
    if (!cpi_rs_sum_has_type(a, RS_SV_STREET) || !cpi_rs_sum_has_type(b, RS_SV_STREET))
        return 0;
    return bf(c, common(a, b, RS_SV_STREET) ? CPI_IDENT_SAME : CPI_IDENT_DIFFERENT);
}

static double cluster_phone(const cpi_fs_comparison *c, const cpi_rs_ctx *phones, uint32_t ra, uint32_t rb)
{
    uint32_t na = cpi_rs_ctx_n(phones, ra), nb = cpi_rs_ctx_n(phones, rb);
    if (!na || !nb)
        return 0;
    return bf(c, share(cpi_rs_ctx_ids(phones, ra), na, cpi_rs_ctx_ids(phones, rb), nb, UINT32_MAX, UINT32_MAX)
                     ? RS_CTX_SAME
                     : RS_CTX_DIFFERENT);
}

cpi_status cpi_rs_relook(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_kind_report *kr,
                         uint64_t *joins, cpi_error *err)
{
    *joins = 0;
    const cpi_fs_model *pm = &res->person_model;
    const cpi_fs_comparison *rel = &pm->cmp[RS_PC_RELATED];
    if (!res->person_trained || !res->review.n)
        return CPI_OK;
    double gain = bf(rel, RS_REL_SHARED) - bf(rel, RS_REL_NONE);
    if (!(gain > 0))
        gain = 0; /* a model that learnt nothing from related people says nothing here either */
    cpi_rs_ctx related = {0}, phones = {0};
    cpi_status s = cpi_rs_ctx_build(d, &res->uf, RS_CTX_PEOPLE, NULL, &related, err);
    if (!s)
        s = cpi_rs_ctx_build(d, &res->uf, RS_CTX_PHONES, NULL, &phones, err);
    uint32_t *then = s ? NULL : malloc((d->nm ? d->nm : 1) * sizeof *then);
    if (!s && !then)
        s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    if (s) {
        cpi_rs_ctx_free(&related);
        cpi_rs_ctx_free(&phones);
        return s;
    }
    for (uint32_t i = 0; i < d->nm; i++)
        then[i] = cpi_rs_find(&res->uf, i);
    for (size_t k = 0; k < res->review.n; k++) {
        const cpi_rs_scored *p = &res->review.v[k];
        if (d->m[p->a].kind != CPI_KIND_PERSON || d->m[p->a].dob_lo == CPI_DAY_NONE ||
            d->m[p->b].dob_lo == CPI_DAY_NONE)
            continue;
        uint32_t ra = then[p->a], rb = then[p->b];
        uint32_t ca = cpi_rs_find(&res->uf, p->a), cb = cpi_rs_find(&res->uf, p->b);
        if (ra == rb || ca == cb)
            continue;
        double w = p->weight;
        if (p->flags & RS_PAIR_STREET_NULL)
            w += cluster_street(&pm->cmp[RS_PC_STREET], &res->uf.sum[ca], &res->uf.sum[cb]);
        if (p->flags & RS_PAIR_PHONE_NULL)
            w += cluster_phone(&pm->cmp[RS_PC_PHONE], &phones, ra, rb);
        /* the related people last: comparing them pairwise costs most */
        if ((p->flags & RS_PAIR_RELATED_NONE) && gain > 0 && cpi_fs_probability(w) < o->link &&
            cpi_fs_probability(w + gain) >= o->link) {
            const uint32_t *la = cpi_rs_ctx_ids(&related, ra), *lb = cpi_rs_ctx_ids(&related, rb);
            uint32_t na = cpi_rs_ctx_n(&related, ra), nb = cpi_rs_ctx_n(&related, rb);
            if (share(la, na, lb, nb, ra, rb) || related_alike(&res->uf, la, na, lb, nb, ra, rb))
                w += gain;
        }
        if (cpi_fs_probability(w) < o->link)
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
    cpi_rs_ctx_free(&phones);
    return s;
}
