/*
 * resolve/people.c - people, strong mentions: a name with a DOB, a full
 * name, or a PNC id. (Weak mentions - a first name and an age, a street
 * name - come after, in resolve/weak.c, through context.)
 *
 * The same Niche nominal id links outright (resolve/exact.c); then each
 * cluster's homes and phones are gathered (resolve/context.c) and the strong
 * mentions are blocked:
 *   sx+year     phonetic surname and birth year (each year of an age range up to 3 years)
 *   fi+dob      forename initial and full DOB (catches a changed surname)
 *   home+fx     a resolved home and phonetic forename (catches a mistyped DOB)
 *   pnc         the PNC id
 *   phone       a resolved phone the person uses
 *   name        forename and surname as an unordered pair (catches them swapped)
 *   street+sx   street name and phonetic surname: "James ROBERTS, street name Chief" in MACE and
 *               the Niche nominal known as Chief, whom the capped name blocks of a common name
 *               (ordered by DOB) never put side by side
 *   fx+sx       phonetic forename and surname, in either order (a missing DOB, names swapped)
 *   email, email local part   the person's own email, or the part before '@'
 *   address pc+house, street+house   its own record's house number and postcode, or street
 *               (names and DOB both mistyped; places the place stage left apart)
 *   dob+postcode  the exact DOB and its own record's postcode (both names replaced)
 * scored by the person model and joined strongest first under the guard. (Phonetic forename and
 * year, for a mistyped surname and DOB together, was tried: 5.8M more pairs at 1M, +0.01 recall on
 * fake_1000 and nothing elsewhere.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/compare.h"
#include "core/sort.h"
#include "core/normalise/normalise.h"
#include "resolve/internal.h"

typedef struct person_ctx {
    const cpi_rs_data *d;
    const uint32_t *grp; /* cluster root of each mention when the context was built */
    const cpi_rs_ctx *homes, *phones;
    const cpi_rs_ctx *related; /* people related to each identifier cluster (by grp), as current roots */
    cpi_rs_pview *views;  /* each strong mention's view, built once (lookups cost more than comparing) */
    uint32_t *vidx;       /* mention -> its view, UINT32_MAX if none */
    uint32_t *home_of;    /* mention -> the location its own record says it lives at, UINT32_MAX none */
} person_ctx;

/* Each person mention's own-record home: the first lives-at from it to a location of its record. */
static uint32_t *own_homes(const cpi_rs_data *d)
{
    uint32_t *h = malloc((d->nm ? d->nm : 1) * sizeof *h);
    if (!h)
        return NULL;
    memset(h, 0xff, (d->nm ? d->nm : 1) * sizeof *h);
    for (uint32_t r = 0; r < d->nrecs; r++)
        for (uint32_t k = 0; k < d->recs[r].nrels; k++) {
            const cpi_rs_rel *x = &d->rels[d->recs[r].first_rel + k];
            if (x->type == RS_REL_LIVES_AT && d->m[x->from].kind == CPI_KIND_PERSON &&
                d->m[x->to].kind == CPI_KIND_LOCATION && h[x->from] == UINT32_MAX)
                h[x->from] = x->to;
        }
    return h;
}

static void set_related(person_ctx *pc, uint32_t i)
{
    cpi_rs_pview *v = &pc->views[pc->vidx[i]];
    v->related = cpi_rs_ctx_ids(pc->related, pc->grp[i]);
    v->nrelated = cpi_rs_ctx_n(pc->related, pc->grp[i]);
}

static void build_view(person_ctx *pc, uint32_t i, uint32_t k)
{
    cpi_rs_pview *v = &pc->views[k];
    pc->vidx[i] = k;
    cpi_rs_pview_of(pc->d, i, pc->home_of[i], v);
    uint32_t g = pc->grp[i];
    v->homes = cpi_rs_ctx_ids(pc->homes, g);
    v->nhomes = cpi_rs_ctx_n(pc->homes, g);
    v->phones = cpi_rs_ctx_ids(pc->phones, g);
    v->nphones = cpi_rs_ctx_n(pc->phones, g);
    set_related(pc, i);
}

/*
 * Two mentions of one identifier cluster (one Niche nominal id) share its homes, phones and related
 * people by construction: that is no evidence, and as training data it would teach that a match's
 * context always agrees. Their context comparisons are null (they are joined by the id anyway).
 */
static void person_vec(void *ctx, uint32_t a, uint32_t b, cpi_fs_vec *v, double tf[CPI_FS_MAX_CMP])
{
    const person_ctx *pc = ctx;
    cpi_rs_person_vec(&pc->views[pc->vidx[a]], &pc->views[pc->vidx[b]], v, tf);
    if (a != b && pc->grp[a] == pc->grp[b]) {
        v->levels[RS_PC_HOME] = RS_CTX_NULL;
        v->levels[RS_PC_PHONE] = RS_CTX_NULL;
        v->levels[RS_PC_RELATED] = RS_REL_NULL;
    }
}

uint8_t cpi_rs_person_flags(const cpi_fs_vec *v)
{
    uint8_t f = 0;
    if (v->levels[RS_PC_NID] == CPI_IDENT_DIFFERENT)
        f |= RS_PAIR_OTHER_NOMINAL;
    if (v->levels[RS_PC_PNC] == CPI_IDENT_SAME || v->levels[RS_PC_PHONE] == RS_CTX_SAME ||
        v->levels[RS_PC_STREET] == CPI_IDENT_SAME)
        f |= RS_PAIR_CORROBORATED;
    uint8_t fl = v->levels[RS_PC_FORENAME];
    if (v->levels[RS_PC_STREET] == CPI_IDENT_SAME && (fl == CPI_NAME_EXACT || fl == CPI_NAME_NICKNAME) &&
        v->levels[RS_PC_SURNAME] == CPI_NAME_EXACT && v->levels[RS_PC_PHONE] != RS_CTX_DIFFERENT)
        f |= RS_PAIR_NAME_STREET;
    if ((fl == CPI_NAME_EXACT || fl == CPI_NAME_NICKNAME) && v->levels[RS_PC_SURNAME] == CPI_NAME_EXACT &&
        (v->levels[RS_PC_RELATED] == RS_REL_SHARED || v->levels[RS_PC_HOME] == RS_CTX_SAME))
        f |= RS_PAIR_NAME_CONTEXT;
    if (v->levels[RS_PC_RELATED] == RS_REL_NONE)
        f |= RS_PAIR_RELATED_NONE;
    if (v->levels[RS_PC_STREET] == CPI_IDENT_NULL)
        f |= RS_PAIR_STREET_NULL;
    if (v->levels[RS_PC_PHONE] == RS_CTX_NULL)
        f |= RS_PAIR_PHONE_NULL;
    return f;
}

/*
 * What the guard may step back on, counted among the candidate pairs the model trained in the first
 * pass would link even without the field in question (the other fields make them one person): the
 * share and count at each DOB level of those the DOB was left out of; and of those with one DOB the
 * forename was left out of, the share of distinct (forenames, surnames, DOB) that differ on
 * forenames outright. EM's own m would not do: for the DOB it comes from pairs selected on names
 * alone, where namesakes (father and son) stand in for DOB typos (m of within_10y 0.24 on a cpgen
 * force, against 0.014 counted here), and for the forename it grew with the force (0.018 at 10k,
 * 0.13 at 1M, where it took 745 of 998 twin pairs for one person).
 */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static cpi_status guard_evidence(const cpi_rs_data *d, const cpi_rs_pairs *pairs, const cpi_rs_pairvec *pv,
                                 const cpi_fs_model *model, double link, cpi_rs_guard_evidence *ev, cpi_error *err)
{
    memset(ev, 0, sizeof *ev);
    size_t tot = 0, nf = 0;
    uint64_t *fk = malloc((pairs->n ? pairs->n : 1) * sizeof *fk);
    if (!fk)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for the guard's evidence");
    for (size_t k = 0; k < pairs->n; k++) {
        double tf[CPI_FS_MAX_CMP] = {pv[k].tf0, pv[k].tf1};
        cpi_fs_vec v = pv[k].v;
        uint8_t dob = v.levels[RS_PC_DOB], fn = v.levels[RS_PC_FORENAME];
        if (dob != CPI_DOB_NULL) {
            v.levels[RS_PC_DOB] = CPI_DOB_NULL;
            if (cpi_fs_probability(cpi_fs_weight(model, &v, tf)) >= link) {
                ev->dob_count[dob]++;
                tot++;
            }
            v.levels[RS_PC_DOB] = dob;
        }
        if (fn == CPI_NAME_NULL || dob != CPI_DOB_EXACT) /* one DOB: twins are the pairs to tell apart */
            continue;
        v.levels[RS_PC_FORENAME] = CPI_NAME_NULL;
        tf[RS_PC_FORENAME] = 0;
        if (cpi_fs_probability(cpi_fs_weight(model, &v, tf)) < link)
            continue;
        /* one entry per distinct (forename pair, surname pair, DOB): twins recorded in ten rows each
         * are one pair of people, not a hundred pairs of mentions */
        const cpi_rs_mention *a = &d->m[pairs->v[k] >> 32], *b = &d->m[(uint32_t)pairs->v[k]];
        uint32_t f0 = a->key[RS_P_FN], f1 = b->key[RS_P_FN], s0 = a->key[RS_P_SN], s1 = b->key[RS_P_SN];
        uint64_t h = cpi_rs_hash_u64(0, f0 < f1 ? (uint64_t)f0 << 32 | f1 : (uint64_t)f1 << 32 | f0);
        h = cpi_rs_hash_u64(h, s0 < s1 ? (uint64_t)s0 << 32 | s1 : (uint64_t)s1 << 32 | s0);
        h = cpi_rs_hash_u64(h, (uint64_t)(uint32_t)(a->dob_lo < b->dob_lo ? a->dob_lo : b->dob_lo));
        fk[nf++] = h << 1 | (fn == CPI_NAME_ELSE);
    }
    cpi_sort(fk, nf, sizeof *fk, cmp_u64);
    size_t distinct = 0;
    for (size_t k = 0; k < nf; k++)
        if (k == 0 || fk[k] != fk[k - 1]) {
            distinct++;
            ev->n_fn_else += fk[k] & 1;
        }
    free(fk);
    ev->m_fn_else = distinct ? (double)ev->n_fn_else / (double)distinct : 0;
    for (int i = 0; i < CPI_FS_MAX_LEVELS; i++)
        ev->dob_share[i] = tot ? (double)ev->dob_count[i] / (double)tot : 0;
    return CPI_OK;
}

/* What the person model compares of mention i, hashed (homes and phones by their cluster's table row). */
static uint64_t person_sig(void *ctx, uint32_t i)
{
    const person_ctx *pc = ctx;
    const cpi_rs_mention *m = &pc->d->m[i];
    uint64_t h = cpi_rs_hash(0, m->key, sizeof m->key);
    if (pc->home_of[i] != UINT32_MAX) /* its own record's address is compared too */
        h = cpi_rs_hash(h, pc->d->m[pc->home_of[i]].key, sizeof m->key);
    h = cpi_rs_hash_u64(h, (uint64_t)(uint32_t)m->dob_lo << 32 | (uint32_t)m->dob_hi);
    uint32_t g = pc->grp[i];
    h = cpi_rs_hash(h, cpi_rs_ctx_ids(pc->homes, g), cpi_rs_ctx_n(pc->homes, g) * sizeof(uint32_t));
    h = cpi_rs_hash_u64(h, 0x9e37);
    h = cpi_rs_hash(h, cpi_rs_ctx_ids(pc->phones, g), cpi_rs_ctx_n(pc->phones, g) * sizeof(uint32_t));
    h = cpi_rs_hash_u64(h, 0x9e38);
    return cpi_rs_hash(h, cpi_rs_ctx_ids(pc->related, pc->grp[i]),
                       cpi_rs_ctx_n(pc->related, pc->grp[i]) * sizeof(uint32_t));
}

/*
 * Scoring passes. Each after the first sees who every mention is related to as the one before
 * clustered them: two MACE rows naming "Oliver Jenkins" as a risk to "Elin Thompson" (one with
 * her DOB, one with her age) link the adult once the child is one entity, and the child's
 * mentions link through the adult the pass after.
 */
#define RS_PEOPLE_PASSES 3

enum { R_SX_YEAR, R_FI_DOB, R_HOME_FX, R_PNC, R_PHONE, R_NAME, R_STREET_SX, R_FX_SX, R_EMAIL,
       R_EMAIL_LOCAL, R_ADDR_HOUSE_PC, R_ADDR_HOUSE_STREET, R_DOB_PC, R__N };
static const char *const RULE_NAMES[] = {"person sx+year",   "person fi+dob",       "person home+fx",
                                         "person pnc",       "person phone",        "person name",
                                         "person street+sx", "person fx+sx",
                                         "person email",     "person email local",  "person address pc+house",
                                         "person address street+house", "person dob+postcode"};

static uint64_t key3(int rule, uint64_t x, uint64_t y)
{
    return cpi_rs_hash_u64(cpi_rs_hash_u64(cpi_rs_hash_u64(0, (uint64_t)rule), x), y);
}

static cpi_status rule_keys(const person_ctx *pc, int rule, uint32_t i, cpi_rs_keys *keys, cpi_error *err)
{
    const cpi_rs_data *d = pc->d;
    const cpi_rs_mention *m = &d->m[i];
    const uint32_t *k = m->key;
    uint64_t order = (uint64_t)(uint32_t)(m->dob_lo == CPI_DAY_NONE ? INT32_MAX : m->dob_lo) << 32 | k[RS_P_FN];
    bool exact = m->dob_lo != CPI_DAY_NONE && m->dob_lo == m->dob_hi;
    cpi_status s = CPI_OK;
    switch (rule) {
    case R_SX_YEAR: {
        uint32_t x = k[RS_P_SX];
        if (x && m->dob_lo != CPI_DAY_NONE) {
            int y0, y1, mo, dd;
            cpi_norm_ymd_from_days(m->dob_lo, &y0, &mo, &dd);
            cpi_norm_ymd_from_days(m->dob_hi, &y1, &mo, &dd);
            if (y1 - y0 <= 3)
                for (int y = y0; y <= y1 && !s; y++)
                    s = cpi_rs_keys_add(keys, key3(rule, x, (uint64_t)y), order, i, err);
        }
        break;
    }
    case R_EMAIL:
        if (k[RS_P_EMAIL])
            s = cpi_rs_keys_add(keys, key3(rule, k[RS_P_EMAIL], 0), order, i, err);
        break;
    case R_EMAIL_LOCAL: {
        /* the part before '@': the same person at another provider, or a mistyped domain */
        const char *e = cpi_rs_key(d, i, RS_P_EMAIL), *at = e ? strchr(e, '@') : NULL;
        if (at && at > e)
            s = cpi_rs_keys_add(keys, key3(rule, cpi_rs_hash(0, e, (size_t)(at - e)), 0), order, i, err);
        break;
    }
    case R_DOB_PC: {
        /* the exact DOB and its own record's postcode: both names replaced or mistyped */
        uint32_t hm = pc->home_of[i];
        if (exact && hm != UINT32_MAX && d->m[hm].key[RS_L_PC])
            s = cpi_rs_keys_add(keys, key3(rule, (uint64_t)(uint32_t)m->dob_lo, d->m[hm].key[RS_L_PC]), order, i,
                                err);
        break;
    }
    case R_ADDR_HOUSE_PC:
    case R_ADDR_HOUSE_STREET: {
        /* the house number and postcode, or street, of its own record's address: people whose names
         * and DOB were both mistyped, and places the place stage left apart */
        uint32_t hm = pc->home_of[i];
        if (hm != UINT32_MAX) {
            const uint32_t *hk = d->m[hm].key;
            uint32_t other = hk[rule == R_ADDR_HOUSE_PC ? RS_L_PC : RS_L_STREET];
            if (hk[RS_L_HOUSE] && other)
                s = cpi_rs_keys_add(keys, key3(rule, hk[RS_L_HOUSE], other), order, i, err);
        }
        break;
    }
    case R_FI_DOB: {
        const char *fn = cpi_rs_key(d, i, RS_P_FN);
        if (fn && exact)
            s = cpi_rs_keys_add(keys, key3(rule, (unsigned char)fn[0], (uint64_t)(uint32_t)m->dob_lo), order, i, err);
        break;
    }
    case R_HOME_FX:
        if (k[RS_P_FX]) {
            uint32_t g = pc->grp[i], n = cpi_rs_ctx_n(pc->homes, g);
            const uint32_t *h = cpi_rs_ctx_ids(pc->homes, g);
            for (uint32_t j = 0; j < n && !s; j++)
                s = cpi_rs_keys_add(keys, key3(rule, h[j], k[RS_P_FX]), order, i, err);
        }
        break;
    case R_PNC:
        if (k[RS_P_PNC])
            s = cpi_rs_keys_add(keys, key3(rule, k[RS_P_PNC], 0), order, i, err);
        break;
    case R_PHONE: {
        uint32_t g = pc->grp[i], n = cpi_rs_ctx_n(pc->phones, g);
        const uint32_t *t = cpi_rs_ctx_ids(pc->phones, g);
        for (uint32_t j = 0; j < n && !s; j++)
            s = cpi_rs_keys_add(keys, key3(rule, t[j], 0), order, i, err);
        break;
    }
    case R_NAME:
        if (k[RS_P_FN] && k[RS_P_SN]) {
            uint32_t a = k[RS_P_FN] < k[RS_P_SN] ? k[RS_P_FN] : k[RS_P_SN];
            uint32_t b = k[RS_P_FN] < k[RS_P_SN] ? k[RS_P_SN] : k[RS_P_FN];
            s = cpi_rs_keys_add(keys, key3(rule, a, b), order, i, err);
        }
        break;
    case R_STREET_SX:
        if (k[RS_P_STREET] && k[RS_P_SX])
            s = cpi_rs_keys_add(keys, key3(rule, k[RS_P_STREET], k[RS_P_SX]), order, i, err);
        break;
    default: /* phonetic forename and surname, in either order (written the other way round) */
        if (k[RS_P_FX] && k[RS_P_SX]) {
            uint32_t a = k[RS_P_FX] < k[RS_P_SX] ? k[RS_P_FX] : k[RS_P_SX];
            uint32_t b = k[RS_P_FX] < k[RS_P_SX] ? k[RS_P_SX] : k[RS_P_FX];
            s = cpi_rs_keys_add(keys, key3(rule, a, b), order, i, err);
        }
    }
    return s;
}

static cpi_status block_people(const person_ctx *pc, const uint32_t *mem, uint32_t n, const cpi_resolve_opts *o,
                               cpi_rs_pairs *pairs, cpi_resolve_report *rep, cpi_error *err)
{
    cpi_status s = CPI_OK;
    for (int rule = 0; rule < R__N && !s; rule++) {
        cpi_rs_keys keys = {0};
        for (uint32_t j = 0; j < n && !s; j++)
            s = rule_keys(pc, rule, mem[j], &keys, err);
        cpi_resolve_rule_report *rr = &rep->rules[rep->nrules++];
        snprintf(rr->name, sizeof rr->name, "%s", RULE_NAMES[rule]);
        rr->kind = CPI_KIND_PERSON;
        if (!s)
            s = cpi_rs_block(&keys, o, pairs, rr, err);
        free(keys.v);
    }
    if (!s)
        cpi_rs_pairs_unique(pairs);
    return s;
}

cpi_status cpi_rs_people(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_report *rep,
                         cpi_error *err)
{
    cpi_resolve_kind_report *kr = &rep->kind[CPI_KIND_PERSON];
    cpi_status s = cpi_rs_join_on_key(d, &res->uf, CPI_KIND_PERSON, RS_P_NID, kr, err);
    if (s)
        return s;
    cpi_rs_ctx homes = {0}, phones = {0}, related = {0};
    uint32_t *grp = malloc((d->nm ? d->nm : 1) * sizeof *grp);
    uint32_t *grp1 = malloc((d->nm ? d->nm : 1) * sizeof *grp1);
    uint32_t *mem = malloc((d->nm ? d->nm : 1) * sizeof *mem);
    uint8_t *defer = calloc(d->nm ? d->nm : 1, 1);
    cpi_rs_pairs pairs = {0};
    cpi_rs_scoredv sc = {0};
    cpi_rs_uf before = {0};
    cpi_rs_pairvec *pv = NULL;
    person_ctx pc = {0};
    if (!grp || !grp1 || !mem || !defer) {
        s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
        goto out;
    }
    if ((s = cpi_rs_ctx_build(d, &res->uf, RS_CTX_HOMES, NULL, &homes, err)) ||
        (s = cpi_rs_ctx_build(d, &res->uf, RS_CTX_PHONES, NULL, &phones, err)) ||
        (s = cpi_rs_ctx_build(d, &res->uf, RS_CTX_PEOPLE, NULL, &related, err)))
        goto out;
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->nm; i++) {
        defer[i] = d->m[i].kind == CPI_KIND_PERSON && d->m[i].dob_lo == CPI_DAY_NONE;
        grp[i] = cpi_rs_find(&res->uf, i);
        if (d->m[i].kind == CPI_KIND_PERSON && (d->m[i].flags & RS_F_STRONG))
            mem[n++] = i;
    }
    kr->scored = n;
    pc = (person_ctx){d, grp, &homes, &phones, &related, NULL, NULL, own_homes(d)};
    if (!pc.home_of) {
        s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for homes");
        goto out;
    }
    pc.views = malloc((n ? n : 1) * sizeof *pc.views);
    pc.vidx = malloc((d->nm ? d->nm : 1) * sizeof *pc.vidx);
    if (!pc.views || !pc.vidx) {
        s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for person views");
        goto out;
    }
    memset(pc.vidx, 0xff, (d->nm ? d->nm : 1) * sizeof *pc.vidx);
    for (uint32_t k = 0; k < n; k++)
        build_view(&pc, mem[k], k);
    if ((s = block_people(&pc, mem, n, o, &pairs, rep, err)))
        goto out;
    /*
     * EM sessions. On pairs with one exact DOB learn the names and identifiers (and the prior); on
     * pairs with forename and surname exact learn the DOB, and the context comparisons too: the
     * adults recorded by name alone (no DOB) with a phone, a street name and the children they pose
     * a risk to never reach the first session, and its families would teach that context always
     * agrees.
     */
    uint32_t from_b = 1u << RS_PC_DOB | 1u << RS_PC_PHONE | 1u << RS_PC_STREET | 1u << RS_PC_RELATED;
    /* EM sees a DOB a year or ten years out as one "else" (cpi_rs_fold); those levels' m is its share */
    cpi_rs_training tr = {.n = 2, .prior_session = 0,
                          .fold = {RS_PC_DOB, CPI_DOB_ELSE, 1u << CPI_DOB_YEAR | 1u << CPI_DOB_DECADE}};
    tr.s[0] = (cpi_rs_session){{RS_PC_DOB, -1}, {1u << CPI_DOB_EXACT, 0}, 1u << RS_PC_DOB,
                               ~from_b & ((1u << RS_PC__N) - 1)};
    tr.s[1] = (cpi_rs_session){{RS_PC_FORENAME, RS_PC_SURNAME},
                               {1u << CPI_NAME_EXACT, 1u << CPI_NAME_EXACT},
                               1u << RS_PC_FORENAME | 1u << RS_PC_SURNAME,
                               from_b};
    uint32_t nd = n;
    if ((s = cpi_rs_distinct(mem, &nd, person_sig, &pc, err)))
        goto out;
    /*
     * Several passes (RS_PEOPLE_PASSES). Random pairs stand in for non-matches
     * when estimating u, but a suspect named in dozens of records under slightly
     * different spellings and ages makes random pairs agree on his phone far more
     * often than two different people would. So the first pass clusters, and
     * each later one estimates u only from pairs the one before put in different
     * clusters, then retrains and clusters again from the state before people
     * were joined.
     */
    if ((s = cpi_rs_uf_clone(&before, &res->uf, err)))
        goto out;
    if ((s = cpi_rs_vectors(person_vec, &pc, &pairs, o, "compare people", &pv, err)))
        goto out;
    cpi_rs_person_model(&res->person_model);
    if ((s = cpi_rs_fit_and_score(&res->person_model, &tr, person_vec, cpi_rs_person_flags, &pc, mem, nd, n, NULL,
                                  NULL, &pairs, pv, o, &sc, kr, err)))
        goto out;
    /* the forename and DOB guards hold as far as this data's matches keep those fields (CPI_RS_GUARD_M_MAX) */
    if (kr->trained) {
        cpi_rs_guard_evidence ev;
        if ((s = guard_evidence(d, &pairs, pv, &res->person_model, o->link, &ev, err)))
            goto out;
        cpi_rs_guard_set(&res->uf, &ev);
        cpi_rs_guard_set(&before, &ev);
    }
    cpi_rs_join_links(&res->uf, sc.v, sc.n, o->link, defer, kr);
    for (int pass = 2; pass <= RS_PEOPLE_PASSES; pass++) {
        for (uint32_t i = 0; i < d->nm; i++)
            grp1[i] = cpi_rs_find(&res->uf, i);
        /*
         * This pass sees the people each mention is related to as the previous pass clustered them,
         * but gathered, as in the first pass, over the mention's identifier cluster only (grp), not
         * over the whole cluster the previous pass put it in: there, any two of its mentions would
         * share every related person by construction, EM would learn from the pairs the first pass
         * joined that matches (nearly) always share one (m of not_shared 0.04, -4.7 bits at 1M),
         * and a true pair the first pass missed would be pushed further away each pass.
         */
        /*
         * The people named are taken as the previous pass clustered them plus its possible-band
         * pairs (under the guard): a MACE row naming a child (full name and DOB, but a name shared
         * by 183 Niche nominals at 1M) and the adult who poses a risk to her (a name alone) links
         * to neither the child's nominal nor the adult's MIRAF mentions on its own; each pair is
         * only possible, and each is what would make the other shared. Evidence only: a pair still
         * needs the link band (or the DOB-less phase) to be joined.
         */
        cpi_rs_uf soft = {0};
        if ((s = cpi_rs_uf_clone(&soft, &res->uf, err)))
            goto out;
        for (size_t k = 0; k < sc.n; k++)
            if (sc.v[k].prob >= o->possible && cpi_rs_uf_join(&soft, sc.v[k].a, sc.v[k].b, RS_JOIN_GUARDED) == -2) {
                cpi_rs_uf_free(&soft);
                s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for clusters");
                goto out;
            }
        cpi_rs_ctx_free(&related);
        s = cpi_rs_ctx_build(d, &soft, RS_CTX_PEOPLE, grp, &related, err);
        cpi_rs_uf_free(&soft);
        if (s)
            goto out;
        for (uint32_t i = 0; i < d->nm; i++)
            if (pc.vidx[i] != UINT32_MAX)
                set_related(&pc, i);
        /* the vectors stay but for that one comparison */
        for (size_t k = 0; k < pairs.n; k++)
            if (pv[k].v.levels[RS_PC_RELATED] != RS_REL_NULL)
                pv[k].v.levels[RS_PC_RELATED] = cpi_rs_related_level(&pc.views[pc.vidx[pairs.v[k] >> 32]],
                                                                     &pc.views[pc.vidx[(uint32_t)pairs.v[k]]]);
        cpi_rs_uf_free(&res->uf);
        if ((s = cpi_rs_uf_clone(&res->uf, &before, err)))
            goto out;
        sc.n = 0;
        kr->joined = kr->refused = kr->ambiguous = kr->link_pairs = kr->possible_pairs = 0;
        memset(&kr->em, 0, sizeof kr->em);
        cpi_fs_model first = res->person_model;
        cpi_rs_person_model(&res->person_model);
        if ((s = cpi_rs_fit_and_score(&res->person_model, &tr, person_vec, cpi_rs_person_flags, &pc, mem, nd, n,
                                      grp1, &first, &pairs, pv, o, &sc, kr, err)))
            goto out;
        cpi_rs_join_links(&res->uf, sc.v, sc.n, o->link, defer, kr);
    }
    res->person_trained = kr->trained;
    for (size_t i = 0; i < sc.n && !s; i++)
        if (sc.v[i].prob >= o->possible) /* not the RS_PAIR_NAME_STREET pairs kept below it */
            s = cpi_rs_scored_add(&res->review, sc.v[i].a, sc.v[i].b, sc.v[i].weight, sc.v[i].prob, sc.v[i].flags,
                                  err);
out:
    cpi_rs_uf_free(&before);
    free(pv);
    free(pc.views);
    free(pc.vidx);
    free(pc.home_of);
    free(grp1);
    free(defer);
    cpi_rs_ctx_free(&homes);
    cpi_rs_ctx_free(&phones);
    cpi_rs_ctx_free(&related);
    cpi_rs_pairs_free(&pairs);
    free(sc.v);
    free(grp);
    free(mem);
    return s;
}
