/*
 * resolve/weak.c - people recorded too thinly to score: a MARAC household
 * child by first name and age, a POLIT victim by first name, a MACE or SOC
 * adult by street name only. Such a mention joins a person only through
 * context, never by name alone:
 *   - a place: where the people it is recorded with live (a household child
 *     lives where the victim it is listed under lives);
 *   - a phone it is recorded as using;
 *   - a person it is related to in its record (the adult posing a risk to a
 *     victim, the line holder a group member is an associate of), whose other
 *     records name someone compatible.
 * A candidate must then agree on what the weak mention does say: a forename
 * equal, nickname-equivalent or one keystroke away (or, for a street name
 * only, the same street name - unless a phone ties them and the candidate has
 * no street name), and not conflict (an age range far from the DOB, a
 * --different). The best candidate wins (a cluster holding a strong mention
 * over one of weak mentions only, then better name agreement, then a DOB
 * that agrees with the mention's age over none, then more context shared,
 * then size); an equally good candidate that conflicts with
 * the best leaves the mention alone rather than guess. A weak mention with no candidate stays its own cluster, which later
 * weak mentions of the same household may join.
 *
 * The same placement serves named mentions that scoring left in a cluster
 * with no DOB, nominal id or PNC id (unpinned): a MACE adult of concern
 * written "Thomas REES" with no phone this time, whose name alone is too
 * common to score, but who is named for a child whose other MACE rows name
 * a Thomas Rees who is pinned down. Placing one mention joins its whole
 * cluster. Up to RS_WEAK_PASSES passes run, each with the context tables
 * rebuilt from the clusters the last one made (a child placed in one pass
 * is the context that places her adult in the next).
 *
 * A mention with a street name alone that none of that reaches is looked
 * for at the places of concern its record names (a MACE location of
 * concern, a SOC address used): it joins the one cluster holding a named
 * mention that carries the street name among the people of those places'
 * other records, and none if two such clusters are there (on the bench's
 * 1M force: +781 correct pairs, +4 wrong).
 */
#include <stdlib.h>
#include <string.h>

#include "resolve/compare.h"
#include "core/array.h"
#include "core/normalise/normalise.h"
#include "resolve/internal.h"

typedef struct weak_ctx {
    cpi_rs_data *d;
    cpi_rs_uf *uf;
    cpi_rs_ctx homes, phones, people;          /* by root at build time */
    cpi_rs_ctx at_place, on_phone;             /* inverted: place / phone root -> person roots */
    cpi_rs_ctx concern;                        /* place root -> people named with a street name in a
                                                  record that names it as a place of concern */
    const uint32_t *root_then;                 /* each mention's root when the tables were built */
    uint8_t *strong;                           /* per root: the cluster holds a strong mention */
    uint32_t *cand, *hits;                     /* candidate roots of one weak mention */
    int *fit;
    uint8_t *via_phone;
    uint32_t ncand, capcand;
    uint32_t role_concern, role_used; /* role ids of a MACE place of concern, a SOC address used (0: none) */
    bool dob; /* the weak mention being placed has a DOB or an age */
} weak_ctx;

static int add_cand(weak_ctx *w, uint32_t root, bool phone)
{
    for (uint32_t i = 0; i < w->ncand; i++)
        if (w->cand[i] == root) {
            w->hits[i]++;
            w->via_phone[i] |= phone;
            return 0;
        }
    if (w->ncand == w->capcand) {
        /* four arrays of one length: each grows from the same capacity to the same new one */
        uint32_t cap[4] = {w->capcand, w->capcand, w->capcand, w->capcand};
        size_t need = (size_t)w->ncand + 1;
        if (CPI_GROW(w->cand, cap[0], need, 64) || CPI_GROW(w->hits, cap[1], need, 64) ||
            CPI_GROW(w->via_phone, cap[2], need, 64) || CPI_GROW(w->fit, cap[3], need, 64))
            return -1;
        w->capcand = cap[0];
    }
    w->cand[w->ncand] = root;
    w->hits[w->ncand] = 1;
    w->via_phone[w->ncand] = phone;
    w->ncand++;
    return 0;
}

/* Everyone listed under id in an inverted table, as current roots. */
static int add_listed(weak_ctx *w, const cpi_rs_ctx *inv, uint32_t id, uint32_t self, bool phone)
{
    uint32_t n = cpi_rs_ctx_n(inv, id);
    const uint32_t *r = cpi_rs_ctx_ids(inv, id);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t root = cpi_rs_find(w->uf, r[k]);
        if (root != self && w->d->m[root].kind == CPI_KIND_PERSON && add_cand(w, root, phone))
            return -1;
    }
    return 0;
}

static int add_homes_of(weak_ctx *w, uint32_t person_root_then, uint32_t self)
{
    uint32_t n = cpi_rs_ctx_n(&w->homes, person_root_then);
    const uint32_t *h = cpi_rs_ctx_ids(&w->homes, person_root_then);
    for (uint32_t k = 0; k < n; k++)
        if (add_listed(w, &w->at_place, h[k], self, false))
            return -1;
    return 0;
}

/* Gather candidate roots for weak mention i. */
static int gather(weak_ctx *w, uint32_t i)
{
    uint32_t root_then = w->root_then[i];
    const cpi_rs_data *d = w->d;
    uint32_t self = cpi_rs_find(w->uf, i);
    w->ncand = 0;
    if (add_homes_of(w, root_then, self))
        return -1;
    uint32_t n = cpi_rs_ctx_n(&w->phones, root_then);
    const uint32_t *t = cpi_rs_ctx_ids(&w->phones, root_then);
    for (uint32_t k = 0; k < n; k++)
        if (add_listed(w, &w->on_phone, t[k], self, true))
            return -1;
    /* the people i is recorded with: where they live (household), and who else they relate to */
    const cpi_rs_record *rec = &d->recs[d->m[i].rec];
    for (uint16_t k = 0; k < rec->nrels; k++) {
        const cpi_rs_rel *x = &d->rels[rec->first_rel + k];
        uint32_t other = x->from == i ? x->to : x->to == i ? x->from : UINT32_MAX;
        if (other == UINT32_MAX || d->m[other].kind != CPI_KIND_PERSON)
            continue;
        if (x->type == RS_REL_HOUSEHOLD && add_homes_of(w, w->root_then[other], self))
            return -1;
        if (add_listed(w, &w->people, w->root_then[other], self, false))
            return -1;
    }
    return 0;
}

/* Is location mention j one its record names as a place of concern (MACE) or used (SOC)? */
static bool concern_place(const weak_ctx *w, uint32_t j)
{
    const cpi_rs_mention *m = &w->d->m[j];
    return m->kind == CPI_KIND_LOCATION && m->role && (m->role == w->role_concern || m->role == w->role_used);
}

/*
 * Candidates for a mention recorded by a street name alone whose record's people gave none: the
 * people with a street name named in other records of the places of concern its record names. A
 * MACE row naming "Milo" and 100 Church Road, Risca, for a child whose DOB was mistyped (so her
 * rows, and the adults they name, stay apart): Church Road's other rows name Milo, who is placed.
 */
static int gather_concern(weak_ctx *w, uint32_t i)
{
    const cpi_rs_data *d = w->d;
    const cpi_rs_record *rec = &d->recs[d->m[i].rec];
    uint32_t self = cpi_rs_find(w->uf, i);
    w->ncand = 0;
    for (uint32_t a = rec->first; a < rec->first + rec->nmentions; a++)
        if (concern_place(w, a) && add_listed(w, &w->concern, w->root_then[a], self, false))
            return -1;
    return 0;
}

/* 0 exact, 1 nickname, 2 a keystroke or close spelling, -1 no forename of the cluster agrees. */
static int name_agreement(const cpi_rs_data *d, const cpi_rs_summary *s, uint8_t type, uint32_t id)
{
    if (cpi_rs_sum_has(s, type, id))
        return 0;
    const char *a = cpi_intern_id_str(&d->str, id);
    int best = -1;
    for (uint16_t k = 0; k < s->n; k++) {
        if (s->v[k].type != type)
            continue;
        const char *b = cpi_intern_id_str(&d->str, s->v[k].a);
        if (type == RS_SV_FN && cpi_norm_forenames_equivalent(a, b))
            best = best < 0 || best > 1 ? 1 : best;
        else if (cpi_levenshtein(a, b, 1) <= 1 || cpi_jaro_winkler(a, b) >= CPI_CMP_NAME_JW_HIGH)
            best = best < 0 ? 2 : best;
    }
    return best;
}

/* How well candidate root c fits weak mention i: -1 not at all, else lower is better (name level). */
static int fit(weak_ctx *w, uint32_t i, uint32_t c, bool via_phone)
{
    const cpi_rs_data *d = w->d;
    const cpi_rs_mention *m = &d->m[i];
    const cpi_rs_summary *s = &w->uf->sum[c];
    int level = 3;
    if (m->key[RS_P_FN]) {
        level = name_agreement(d, s, RS_SV_FN, m->key[RS_P_FN]);
        /* one name only, and it is the candidate's surname: a household child written "Moore, 3" */
        if (level < 0 && !m->key[RS_P_SN] && cpi_rs_sum_has(s, RS_SV_SN, m->key[RS_P_FN]) &&
            m->dob_lo != CPI_DAY_NONE)
            level = 2;
        if (level < 0)
            return -1;
    }
    if (m->key[RS_P_SN]) {
        int l = name_agreement(d, s, RS_SV_SN, m->key[RS_P_SN]);
        if (l < 0)
            return -1;
        if (!m->key[RS_P_FN])
            level = l;
    }
    if (!m->key[RS_P_FN] && !m->key[RS_P_SN]) {
        /* a street name only: the cluster must carry it, or be tied by a phone and carry none */
        if (!m->key[RS_P_STREET])
            return -1;
        if (!cpi_rs_sum_has(s, RS_SV_STREET, m->key[RS_P_STREET]) &&
            !(via_phone && !cpi_rs_sum_has_type(s, RS_SV_STREET)))
            return -1;
        level = cpi_rs_sum_has(s, RS_SV_STREET, m->key[RS_P_STREET]) ? 0 : 2;
    }
    if (cpi_rs_uf_conflict(w->uf, i, c))
        return -1;
    return level;
}

/* Is candidate k a better home for the weak mention than candidate j? A cluster holding a strong
 * mention first: another weak mention that agrees more exactly is only a fallback. */
static bool has_dob(const cpi_rs_summary *s)
{
    return cpi_rs_sum_has_type(s, RS_SV_DOB) || cpi_rs_sum_has_type(s, RS_SV_RANGE);
}

/* Does a cluster hold what pins a person down: a DOB, a Niche nominal id or a PNC id? */
static bool corroborated(const cpi_rs_summary *s)
{
    return cpi_rs_sum_has_type(s, RS_SV_DOB) || cpi_rs_sum_has_type(s, RS_SV_NID) ||
           cpi_rs_sum_has_type(s, RS_SV_PNC);
}

static bool better(const weak_ctx *w, uint32_t k, int j)
{
    uint32_t ck = w->cand[k], cj = w->cand[j];
    if (w->strong[ck] != w->strong[cj])
        return w->strong[ck] > w->strong[cj];
    if (w->fit[k] != w->fit[j])
        return w->fit[k] < w->fit[j];
    /* An age the candidate's DOB agrees with (a conflicting one is no candidate) is evidence; a
     * candidate with no DOB has none: "William, 8" is the son born in 2010, not his DOB-less father */
    if (w->dob && has_dob(&w->uf->sum[ck]) != has_dob(&w->uf->sum[cj]))
        return has_dob(&w->uf->sum[ck]);
    if (w->hits[k] != w->hits[j])
        return w->hits[k] > w->hits[j];
    if (w->uf->size[ck] != w->uf->size[cj])
        return w->uf->size[ck] > w->uf->size[cj];
    return ck < cj;
}

/*
 * w->concern: for each place root, the people with a street name in the records that name it as a
 * place of concern, each as the mention (a CSR table like cpi_rs_ctx's, by root at build time).
 */
static cpi_status build_concern(weak_ctx *w, cpi_error *err)
{
    const cpi_rs_data *d = w->d;
    w->role_concern = cpi_intern_find_id(&d->roles, "location-of-concern", 19);
    w->role_used = cpi_intern_find_id(&d->roles, "address-used", 12);
    cpi_rs_ctx *c = &w->concern;
    c->off = calloc((size_t)d->nm + 2, sizeof *c->off);
    if (!c->off)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for places of concern");
    for (int fill = 0; fill < 2; fill++) {
        for (uint32_t r = 0; r < d->nrecs; r++) {
            const cpi_rs_record *rec = &d->recs[r];
            for (uint32_t a = rec->first; a < rec->first + rec->nmentions; a++) {
                if (!concern_place(w, a))
                    continue;
                uint32_t place = cpi_rs_find(w->uf, a);
                for (uint32_t b = rec->first; b < rec->first + rec->nmentions; b++)
                    if (d->m[b].kind == CPI_KIND_PERSON && d->m[b].key[RS_P_STREET]) {
                        if (fill)
                            c->ids[c->off[place + 1]++] = b;
                        else
                            c->off[place + 2]++;
                    }
            }
        }
        if (!fill) {
            for (uint32_t i = 0; i < d->nm; i++)
                c->off[i + 2] += c->off[i + 1];
            c->ids = malloc(((size_t)c->off[d->nm + 1] + 1) * sizeof *c->ids);
            if (!c->ids)
                return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for places of concern");
        }
    }
    return CPI_OK;
}

static cpi_status build(weak_ctx *w, cpi_error *err)
{
    cpi_status s;
    if ((s = cpi_rs_ctx_build(w->d, w->uf, RS_CTX_HOMES, NULL, &w->homes, err)) ||
        (s = cpi_rs_ctx_build(w->d, w->uf, RS_CTX_PHONES, NULL, &w->phones, err)) ||
        (s = cpi_rs_ctx_build(w->d, w->uf, RS_CTX_PEOPLE, NULL, &w->people, err)) ||
        (s = cpi_rs_ctx_invert(&w->homes, w->d->nm, &w->at_place, err)) ||
        (s = cpi_rs_ctx_invert(&w->phones, w->d->nm, &w->on_phone, err)) || (s = build_concern(w, err)))
        return s;
    return CPI_OK;
}

static void ctx_free(weak_ctx *w)
{
    cpi_rs_ctx_free(&w->homes);
    cpi_rs_ctx_free(&w->phones);
    cpi_rs_ctx_free(&w->people);
    cpi_rs_ctx_free(&w->at_place);
    cpi_rs_ctx_free(&w->on_phone);
    cpi_rs_ctx_free(&w->concern);
}

/* Which mentions a pass places: a weak one still alone, a strong one whose cluster is not pinned down. */
static int placeable(const cpi_rs_data *d, cpi_rs_uf *uf, uint32_t i)
{
    const cpi_rs_mention *m = &d->m[i];
    if (m->kind != CPI_KIND_PERSON)
        return 0;
    uint32_t r = cpi_rs_find(uf, i);
    if (m->flags & RS_F_WEAK)
        return uf->size[r] == 1 ? 1 : 0; /* else already placed (a nominal id, a human --same) */
    if ((m->flags & RS_F_STRONG) && !corroborated(&uf->sum[r]))
        return 2;
    return 0;
}

/*
 * One pass over the placeable mentions with the context tables built from the clusters as they
 * are now. *joins counts the unions made; ambiguous[i] says mention i was left alone because two
 * conflicting candidates fitted it equally.
 */
static cpi_status weak_pass(weak_ctx *w, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_kind_report *kr,
                            uint8_t *ambiguous, uint64_t *joins, cpi_error *err)
{
    cpi_rs_data *d = w->d;
    uint32_t *root_then = (uint32_t *)w->root_then;
    ctx_free(w);
    cpi_status s = build(w, err);
    for (uint32_t i = 0; !s && i < d->nm; i++) {
        root_then[i] = cpi_rs_find(&res->uf, i);
        w->strong[i] = 0;
    }
    for (uint32_t i = 0; !s && i < d->nm; i++)
        if (d->m[i].flags & RS_F_STRONG)
            w->strong[root_then[i]] = 1;
    *joins = 0;
    for (uint32_t i = 0; !s && i < d->nm; i++) {
        const cpi_rs_mention *m = &d->m[i];
        ambiguous[i] = 0;
        int what = placeable(d, &res->uf, i);
        if (!what)
            continue;
        if (gather(w, i)) {
            s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for weak candidates");
            break;
        }
        /* rank: a cluster with a strong mention, name agreement, an agreeing DOB, context shared, size */
        w->dob = m->dob_lo != CPI_DAY_NONE;
        int best = -1;
        for (uint32_t k = 0; k < w->ncand; k++) {
            int f = fit(w, i, w->cand[k], w->via_phone[k]);
            w->fit[k] = f;
            if (f >= 0 && (best < 0 || better(w, k, best)))
                best = (int)k;
        }
        if (best < 0 && !m->key[RS_P_FN] && !m->key[RS_P_SN] && m->key[RS_P_STREET]) {
            /* through places of concern, only when one cluster alone carries the street name */
            if (gather_concern(w, i)) {
                s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for weak candidates");
                break;
            }
            uint32_t nfit = 0;
            for (uint32_t k = 0; k < w->ncand; k++) {
                w->fit[k] = fit(w, i, w->cand[k], false);
                if (w->fit[k] >= 0 && w->strong[w->cand[k]] && nfit++ == 0)
                    best = (int)k;
            }
            if (nfit != 1)
                continue;
            int rc = cpi_rs_uf_join(&res->uf, i, w->cand[best], RS_JOIN_GUARDED);
            if (rc == -2)
                s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries");
            else if (rc == 1) {
                (*joins)++;
                kr->weak_linked += what == 1;
                kr->lone_linked += what == 2;
                w->strong[cpi_rs_find(&res->uf, i)] = 1;
            }
            continue;
        }
        if (best < 0)
            continue;
        uint32_t best_c = w->cand[best];
        bool tie = false;
        for (uint32_t k = 0; k < w->ncand && !tie; k++)
            tie = (int)k != best && w->fit[k] == w->fit[best] &&
                  w->strong[cpi_rs_find(&res->uf, w->cand[k])] == w->strong[best_c] && w->hits[k] == w->hits[best] &&
                  (!w->dob || has_dob(&res->uf.sum[w->cand[k]]) == has_dob(&res->uf.sum[best_c])) &&
                  cpi_rs_uf_conflict(&res->uf, w->cand[k], best_c);
        if (tie) {
            ambiguous[i] = (uint8_t)what;
            continue;
        }
        int rc = cpi_rs_uf_join(&res->uf, i, best_c, RS_JOIN_GUARDED);
        if (rc == -2)
            s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries");
        else if (rc == 1) {
            (*joins)++;
            if (what == 1)
                kr->weak_linked++;
            else
                kr->lone_linked++;
            uint8_t strong = w->strong[best_c] | w->strong[i];
            w->strong[cpi_rs_find(&res->uf, i)] = strong; /* the root may have moved */
        }
        if (o->progress && (i & 0xffff) == 0)
            o->progress(o->progress_ctx, "weak people", i, d->nm);
    }
    return s;
}

cpi_status cpi_rs_weak(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_report *rep,
                       cpi_error *err)
{
    cpi_resolve_kind_report *kr = &rep->kind[CPI_KIND_PERSON];
    weak_ctx w = {.d = d, .uf = &res->uf};
    cpi_status s = CPI_OK;
    size_t n = d->nm ? d->nm : 1;
    uint32_t *root_then = malloc(n * sizeof *root_then);
    uint8_t *ambiguous = calloc(n, 1);
    w.strong = calloc(n, 1);
    w.root_then = root_then;
    if (!root_then || !ambiguous || !w.strong)
        s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    for (uint32_t i = 0; !s && i < d->nm; i++) {
        kr->weak += d->m[i].kind == CPI_KIND_PERSON && (d->m[i].flags & RS_F_WEAK);
        kr->lone += placeable(d, &res->uf, i) == 2;
    }
    /* each pass's joins give the next more context (a child placed, the adult named with her next),
     * and so may a second look at the possible pairs */
    uint64_t joins = 1, relinks = 0;
    for (int pass = 0; !s && (joins || relinks) && pass < RS_WEAK_PASSES; pass++) {
        s = weak_pass(&w, res, o, kr, ambiguous, &joins, err);
        if (!s)
            s = cpi_rs_relook(d, res, o, kr, &relinks, err);
    }
    for (uint32_t i = 0; !s && i < d->nm; i++) {
        kr->weak_ambiguous += ambiguous[i] == 1;
        kr->lone_ambiguous += ambiguous[i] == 2;
    }
    free(ambiguous);
    free(root_then);
    free(w.strong);
    free(w.fit);
    ctx_free(&w);
    free(w.cand);
    free(w.hits);
    free(w.via_phone);
    return s;
}
