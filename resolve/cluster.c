/*
 * resolve/cluster.c - union-find over mentions with a guard against
 * chaining.
 *
 * Pairwise links are not transitive evidence: A~B and B~C do not make A~C,
 * and joining blindly lets one vague mention ("Dylan Jones", no DOB) glue a
 * father to his son. So each cluster root keeps a summary of the values that
 * may not meet in one entity, and a join is refused when any value of one
 * side conflicts with any of the other:
 *   people - DOBs far apart (beyond swapped day/month, one mistyped part and a
 *            year either side of an age range), two PNC ids, forenames that
 *            are neither equal, nickname-equivalent, one keystroke apart (also
 *            from what a short form stands for: "thzomas" and "tom") nor
 *            explained by forename and surname written the other way round
 *            (twins: same DOB and home, different forenames), and close
 *            forenames that are not the same once one side's names are read
 *            the other way round ("Christophee", forenames "Williams", and
 *            William WILLIAMS); a Welsh and an English form (Tomos, Thomas:
 *            one name when scoring, two to the guard); a DOB that makes
 *            someone under 9 all through a year they acted in (an
 *            offender in a Niche occurrence, a MARAC perpetrator, a MACE
 *            adult of concern) or, for a PNC id's holder, the last year the
 *            records cover: a DOB-less father with a PNC id and his son of
 *            the same name born in 2019;
 *   places - two flat numbers, two house numbers, two postcode sectors, two
 *            towns ("1 Victoria Road" is in Blackwood and in Caerleon);
 *   both   - a human --different between any member of one and any of the
 *            other; people only: two mentions of one record (a MARAC victim
 *            and her child, two members of a SOC group who share a street
 *            name are always two people), but for a POLIT referral's victim
 *            and one of its household children, who may be one child.
 * Different Niche nominal ids are not a conflict: a duplicate nominal is one
 * person under two ids (the scorer counts them as evidence against instead).
 *
 * Summaries hold distinct values only, so a person seen in 500 records with
 * two spellings of a name keeps two entries; a check costs |A| x |B| tiny
 * comparisons. Joins are union by size, the smaller summary appended.
 */
#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "core/array.h"
#include "resolve/compare.h"
#include "core/normalise/normalise.h"
#include "resolve/internal.h"

#define SUMMARY_MAX 256 /* values kept per cluster; beyond, new values are not checked (reported never yet) */
#define DAY_YEAR 366

cpi_status cpi_rs_uf_init(cpi_rs_uf *uf, const cpi_rs_data *d, cpi_error *err)
{
    memset(uf, 0, sizeof *uf);
    uf->n = d->nm;
    uf->d = d;
    size_t n = d->nm ? d->nm : 1;
    uf->parent = malloc(n * sizeof *uf->parent);
    uf->size = malloc(n * sizeof *uf->size);
    uf->sum = calloc(n, sizeof *uf->sum);
    if (!uf->parent || !uf->size || !uf->sum) {
        cpi_rs_uf_free(uf);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for clusters");
    }
    for (uint32_t i = 0; i < d->nm; i++) {
        uf->parent[i] = i;
        uf->size[i] = 1;
    }
    /* records naming two or more people: their people may never share a cluster */
    uf->multi = calloc(d->nrecs ? d->nrecs : 1, 1);
    if (!uf->multi) {
        cpi_rs_uf_free(uf);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for clusters");
    }
    for (uint32_t r = 0; r < d->nrecs; r++) {
        unsigned people = 0;
        for (uint32_t k = 0; k < d->recs[r].nmentions; k++)
            people += d->m[d->recs[r].first + k].kind == CPI_KIND_PERSON;
        uf->multi[r] = people >= 2;
    }
    return CPI_OK;
}

cpi_status cpi_rs_uf_clone(cpi_rs_uf *dst, const cpi_rs_uf *src, cpi_error *err)
{
    cpi_status s = cpi_rs_uf_init(dst, src->d, err);
    if (s)
        return s;
    memcpy(dst->parent, src->parent, (size_t)src->n * sizeof *dst->parent);
    memcpy(dst->size, src->size, (size_t)src->n * sizeof *dst->size);
    dst->fn_soft = src->fn_soft;
    dst->dob_tol = src->dob_tol;
    for (uint32_t i = 0; i < src->n; i++) {
        const cpi_rs_summary *a = &src->sum[i];
        if (!a->n)
            continue;
        cpi_rs_summary *b = &dst->sum[i];
        if (!(b->v = malloc(a->n * sizeof *b->v))) {
            cpi_rs_uf_free(dst);
            return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for clusters");
        }
        memcpy(b->v, a->v, a->n * sizeof *b->v);
        b->n = b->cap = a->n;
    }
    return CPI_OK;
}

void cpi_rs_uf_free(cpi_rs_uf *uf)
{
    if (uf->sum)
        for (uint32_t i = 0; i < uf->n; i++)
            free(uf->sum[i].v);
    free(uf->parent);
    free(uf->size);
    free(uf->sum);
    free(uf->multi);
    memset(uf, 0, sizeof *uf);
}

uint32_t cpi_rs_find(cpi_rs_uf *uf, uint32_t i)
{
    uint32_t r = i;
    while (uf->parent[r] != r)
        r = uf->parent[r];
    while (uf->parent[i] != r) { /* path compression */
        uint32_t next = uf->parent[i];
        uf->parent[i] = r;
        i = next;
    }
    return r;
}

static int sum_add(cpi_rs_summary *s, uint8_t type, uint32_t a, int32_t b)
{
    for (uint16_t i = 0; i < s->n; i++)
        if (s->v[i].type == type && s->v[i].a == a && s->v[i].b == b)
            return 0;
    if (s->n >= SUMMARY_MAX)
        return 0;
    if (CPI_GROW(s->v, s->cap, (size_t)s->n + 1, 4))
        return -1;
    s->v[s->n++] = (cpi_rs_sumv){type, a, b};
    return 0;
}

/* Does a house key look like a number ("12", "12a", "12-14")? Named houses vary too much to forbid. */
static bool numeric(const char *s) { return s && s[0] >= '0' && s[0] <= '9'; }

/*
 * Two people of one record are two people - except where the silo says "own children" abuse names
 * the same child in two lists (a POLIT referral's victim and one of its household children: the
 * adapter's CPI_RF_OWN_* roles, RS_F_OWN_* here). The RS_SV_REC value's b says which list (1
 * victim, 2 household child, 0 anything else); only a victim and a household child of one record may
 * be one person.
 */
static int32_t rec_alias(const cpi_rs_mention *m)
{
    return m->flags & RS_F_OWN_VICTIM ? 1 : m->flags & RS_F_OWN_HOUSEHOLD ? 2 : 0;
}

static bool same_record(const cpi_rs_sumv *x, const cpi_rs_sumv *y)
{
    return x->type == RS_SV_REC && y->type == RS_SV_REC && x->a == y->a && x->b + y->b != 3;
}

cpi_status cpi_rs_uf_seed(cpi_rs_uf *uf, uint32_t i, cpi_error *err)
{
    const cpi_rs_mention *m = &uf->d->m[i];
    cpi_rs_summary *s = &uf->sum[cpi_rs_find(uf, i)];
    int rc = 0;
    if (m->kind == CPI_KIND_PERSON) {
        if (m->dob_lo != CPI_DAY_NONE)
            rc |= sum_add(s, m->dob_lo == m->dob_hi ? RS_SV_DOB : RS_SV_RANGE, (uint32_t)m->dob_lo, m->dob_hi);
        if (m->key[RS_P_PNC])
            rc |= sum_add(s, RS_SV_PNC, m->key[RS_P_PNC], 0);
        int y, mo, dd;
        if (m->key[RS_P_PNC] && uf->d->end_day != CPI_DAY_NONE) {
            /* a PNC id is made at an arrest or a charge: its holder was 10 by the records' end at the latest */
            cpi_norm_ymd_from_days(uf->d->end_day, &y, &mo, &dd);
            rc |= sum_add(s, RS_SV_ACT, (uint32_t)y, 0);
        }
        if (m->key[RS_P_FN])
            rc |= sum_add(s, RS_SV_FN, m->key[RS_P_FN], 0);
        if (m->key[RS_P_SN])
            rc |= sum_add(s, RS_SV_SN, m->key[RS_P_SN], 0);
        if (m->key[RS_P_STREET])
            rc |= sum_add(s, RS_SV_STREET, m->key[RS_P_STREET], 0);
        if (m->key[RS_P_NID])
            rc |= sum_add(s, RS_SV_NID, m->key[RS_P_NID], 0);
        if (uf->multi && uf->multi[m->rec])
            rc |= sum_add(s, RS_SV_REC, m->rec, rec_alias(m));
        if (m->flags & RS_F_ACTOR) {
            cpi_norm_ymd_from_days(uf->d->recs[m->rec].day, &y, &mo, &dd);
            rc |= sum_add(s, RS_SV_ACT, (uint32_t)y, 0);
        }
    } else if (m->kind == CPI_KIND_LOCATION) {
        if (m->key[RS_L_FLAT])
            rc |= sum_add(s, RS_SV_FLAT, m->key[RS_L_FLAT], 0);
        if (numeric(cpi_rs_key(uf->d, i, RS_L_HOUSE)))
            rc |= sum_add(s, RS_SV_HOUSE, m->key[RS_L_HOUSE], 0);
        if (m->key[RS_L_PCS])
            rc |= sum_add(s, RS_SV_PCS, m->key[RS_L_PCS], 0);
        if (m->key[RS_L_TOWN])
            rc |= sum_add(s, RS_SV_TOWN, m->key[RS_L_TOWN], 0);
    }
    return rc ? cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries") : CPI_OK;
}

cpi_status cpi_rs_uf_forbid(cpi_rs_uf *uf, uint32_t i, uint32_t j, cpi_error *err)
{
    int rc = sum_add(&uf->sum[cpi_rs_find(uf, i)], RS_SV_NOT, j, 0);
    rc |= sum_add(&uf->sum[cpi_rs_find(uf, j)], RS_SV_NOT, i, 0);
    return rc ? cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries") : CPI_OK;
}

bool cpi_rs_dob_conflict(int32_t alo, int32_t ahi, int32_t blo, int32_t bhi)
{
    return cpi_rs_dob_conflict_tol(alo, ahi, blo, bhi, 0);
}

void cpi_rs_guard_set(cpi_rs_uf *uf, const cpi_rs_guard_evidence *ev)
{
    uf->fn_soft = ev->m_fn_else > CPI_RS_GUARD_FN_SHARE && ev->n_fn_else >= CPI_RS_GUARD_MIN_PAIRS;
    bool decade = ev->dob_share[CPI_DOB_DECADE] > CPI_RS_GUARD_M_MAX && ev->dob_count[CPI_DOB_DECADE] >= CPI_RS_GUARD_MIN_PAIRS;
    bool year = ev->dob_share[CPI_DOB_YEAR] > CPI_RS_GUARD_M_MAX && ev->dob_count[CPI_DOB_YEAR] >= CPI_RS_GUARD_MIN_PAIRS;
    uf->dob_tol = decade ? CPI_CMP_DOB_DECADE_DAYS : year ? CPI_CMP_DOB_YEAR_DAYS : 0;
}

bool cpi_rs_dob_conflict_tol(int32_t alo, int32_t ahi, int32_t blo, int32_t bhi, int32_t tol)
{
    if (alo == CPI_DAY_NONE || blo == CPI_DAY_NONE)
        return false;
    if (alo == ahi && blo == bhi) {
        cpi_dob_level l = cpi_cmp_dob(alo, ahi, blo, bhi);
        if (l != CPI_DOB_ELSE && l != CPI_DOB_YEAR && l != CPI_DOB_DECADE)
            return false;
        /* No typo explains the difference. Within a month it may still be one bad entry, but
         * siblings (even two with one name) are born months apart, and twins share a DOB - unless
         * this data's matches are often further out (tol), when only a gap beyond that is. */
        int32_t gap = alo > blo ? alo - blo : blo - alo;
        return gap > (tol > 0 ? tol : 31);
    }
    /* Ranges (an age, a year): allow a year either side for ages misjudged or counted on another day. */
    return alo > bhi + DAY_YEAR || blo > ahi + DAY_YEAR;
}

bool cpi_rs_act_conflict(int32_t dob_lo, int act_year)
{
    /* The act was on some day of act_year; its doer was 10 or over (a year's grace for a mistyped
     * DOB). Only a birth after the last day of act_year - 9 makes that impossible on every day. */
    return dob_lo != CPI_DAY_NONE && dob_lo > cpi_norm_days_from_ymd(act_year - 9, 12, 31);
}

/* One insertion, deletion, substitution or swap of neighbours turns a into b. */
static bool one_edit(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la == lb) {
        size_t i = 0;
        while (i < la && a[i] == b[i])
            i++;
        if (i == la)
            return true;
        if (strcmp(a + i + 1, b + i + 1) == 0)
            return true; /* substitution */
        return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && strcmp(a + i + 2, b + i + 2) == 0;
    }
    if (la + 1 != lb && lb + 1 != la)
        return false;
    const char *s = la < lb ? a : b, *l = la < lb ? b : a;
    size_t i = 0;
    while (s[i] && s[i] == l[i])
        i++;
    return strcmp(s + i, l + i + 1) == 0;
}

bool cpi_rs_forename_conflict(const char *a, const char *b)
{
    if (!a || !b || !*a || !*b || strcmp(a, b) == 0)
        return false;
    if (one_edit(a, b) || cpi_norm_forenames_one_name(a, b))
        return false;
    /* A mistyped full form beside a short one: "thzomas" and "tom" (thomas), "micahel" and "mikey". */
    const char *ca[8], *cb[8];
    size_t na = cpi_norm_forename_short_of(a, ca, 8), nb = cpi_norm_forename_short_of(b, cb, 8);
    for (size_t i = 0; i < nb; i++)
        if (one_edit(a, cb[i]))
            return false;
    for (size_t i = 0; i < na; i++)
        if (one_edit(b, ca[i]))
            return false;
    /* An initial or a cut-short form: "j" and "james", "chris" and "christopher". */
    size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;
    if (strncmp(a, b, n) == 0 && (n == 1 || n >= 3))
        return false;
    return true;
}

/* Does summary S hold a surname that name x could be (equal, a keystroke away, a nickname, cut short)? */
static bool surname_like(const cpi_rs_uf *uf, const cpi_rs_summary *S, uint32_t x)
{
    const char *xs = cpi_intern_id_str(&uf->d->str, x);
    for (uint16_t i = 0; i < S->n; i++)
        if (S->v[i].type == RS_SV_SN && (S->v[i].a == x ||
                                         !cpi_rs_forename_conflict(xs, cpi_intern_id_str(&uf->d->str, S->v[i].a))))
            return true;
    return false;
}

/*
 * Forenames x and y (of sides A and B) conflict unless they were written the
 * other way round: x like one of B's surnames and y like one of A's ("Chalrie
 * BEVAN" and "BEVAN, Charlie"). Both crossings are needed - twins "Logan
 * Thomas" and "Thomas Thomas" cross only one way.
 */
static bool has_surname(const cpi_rs_summary *S) { return cpi_rs_sum_has_type(S, RS_SV_SN); }

static bool near_name(const char *name, void *ctx) { return one_edit(name, ctx); }

/* A known forename, or one keystroke from one ("christophee"). */
static bool forename_like(const char *s) { return cpi_norm_forename_any(near_name, (void *)s); }

/*
 * Side A wrote its names the other way round, and under that reading its
 * forename is not y: x (A's forename) is one of B's surnames, and every
 * surname of A is a forename, unlike B's surnames and unlike y. Twins
 * "Christophee" (forenames "Williams") and William WILLIAMS: "Williams" is
 * one keystroke from "William", but the child is Christopher.
 */
static bool swapped_other_name(const cpi_rs_uf *uf, const cpi_rs_summary *A, uint32_t x, const cpi_rs_summary *B,
                               uint32_t y)
{
    if (x == y || !surname_like(uf, B, x))
        return false;
    const char *yn = cpi_intern_id_str(&uf->d->str, y);
    bool any = false;
    for (uint16_t i = 0; i < A->n; i++) {
        if (A->v[i].type != RS_SV_SN)
            continue;
        const char *s = cpi_intern_id_str(&uf->d->str, A->v[i].a);
        if (surname_like(uf, B, A->v[i].a) || !cpi_rs_forename_conflict(s, yn) || !forename_like(s))
            return false;
        any = true;
    }
    return any;
}

static bool fn_conflict(const cpi_rs_uf *uf, const cpi_rs_summary *A, uint32_t x, const cpi_rs_summary *B, uint32_t y)
{
    const char *xn = cpi_intern_id_str(&uf->d->str, x), *yn = cpi_intern_id_str(&uf->d->str, y);
    if (!cpi_rs_forename_conflict(xn, yn))
        return swapped_other_name(uf, A, x, B, y) || swapped_other_name(uf, B, y, A, x);
    /* Two mistypings of one name, one on each side ("oliveg" and "olivre"), with the name itself
     * on either side: each one keystroke from it. (Only keystrokes bridge: nicknames do not chain,
     * Beth is short for Bethan and for Elizabeth.) */
    for (int side = 0; side < 2; side++) {
        const cpi_rs_summary *S = side ? B : A;
        for (uint16_t i = 0; i < S->n; i++) {
            if (S->v[i].type != RS_SV_FN || S->v[i].a == x || S->v[i].a == y)
                continue;
            const char *z = cpi_intern_id_str(&uf->d->str, S->v[i].a);
            if (one_edit(xn, z) && one_edit(z, yn))
                return false;
        }
    }
    /* A side without any surname (a MARAC child written "Jade", age 4) cannot show the crossing
     * itself: then the other side must - "HALL Jade" read as forename hall and "Jade Hall" in one
     * cluster, where both forenames are also its surnames. */
    /* A side with one name and no surname at all may have written the family name alone: a MARAC
     * household child "Moore", age 3, is Elin Moore, not a child whose forename is Moore. */
    if ((!has_surname(A) && surname_like(uf, B, x)) || (!has_surname(B) && surname_like(uf, A, y)))
        return false;
    bool xc = surname_like(uf, B, x) || (!has_surname(B) && surname_like(uf, A, x));
    bool yc = surname_like(uf, A, y) || (!has_surname(A) && surname_like(uf, B, y));
    return !(xc && yc);
}

static bool pair_conflict(cpi_rs_uf *uf, const cpi_rs_summary *A, const cpi_rs_sumv *x, const cpi_rs_summary *B,
                          const cpi_rs_sumv *y, uint32_t rootB, bool values)
{
    if (x->type == RS_SV_NOT)
        return cpi_rs_find(uf, x->a) == rootB;
    if (y->type == RS_SV_NOT)
        return false; /* checked from the other side */
    if (!values)
        return same_record(x, y);
    bool xd = x->type == RS_SV_DOB || x->type == RS_SV_RANGE, yd = y->type == RS_SV_DOB || y->type == RS_SV_RANGE;
    if (xd && yd)
        return cpi_rs_dob_conflict_tol((int32_t)x->a, x->b, (int32_t)y->a, y->b, uf->dob_tol);
    if (xd && y->type == RS_SV_ACT)
        return cpi_rs_act_conflict((int32_t)x->a, (int)y->a);
    if (yd && x->type == RS_SV_ACT)
        return cpi_rs_act_conflict((int32_t)y->a, (int)x->a);
    if (same_record(x, y))
        return true; /* two people named in one record are two people */
    if (x->type != y->type || x->a == y->a)
        return false;
    switch (x->type) {
    case RS_SV_REC:
        return false; /* different records: fine (the same record is caught above, x->a == y->a) */
    case RS_SV_PNC:
    case RS_SV_FLAT:
    case RS_SV_HOUSE:
    case RS_SV_PCS:
    case RS_SV_TOWN:
        return true;
    case RS_SV_FN:
        return !uf->fn_soft && fn_conflict(uf, A, x->a, B, y->a);
    default:
        return false;
    }
}

/* values: check conflicting values too, not only human decisions and shared records */
static bool roots_conflict(cpi_rs_uf *uf, uint32_t ra, uint32_t rb, bool values)
{
    const cpi_rs_summary *A = &uf->sum[ra], *B = &uf->sum[rb];
    for (uint16_t i = 0; i < A->n; i++)
        for (uint16_t j = 0; j < B->n; j++)
            if (pair_conflict(uf, A, &A->v[i], B, &B->v[j], rb, values))
                return true;
    /* the --different partners of B, which the loop above only saw from A's side */
    for (uint16_t j = 0; j < B->n; j++)
        if (B->v[j].type == RS_SV_NOT && cpi_rs_find(uf, B->v[j].a) == ra)
            return true;
    return false;
}

bool cpi_rs_uf_conflict(cpi_rs_uf *uf, uint32_t i, uint32_t j)
{
    uint32_t ra = cpi_rs_find(uf, i), rb = cpi_rs_find(uf, j);
    return ra != rb && roots_conflict(uf, ra, rb, true);
}

int cpi_rs_uf_join(cpi_rs_uf *uf, uint32_t i, uint32_t j, cpi_rs_join_mode mode)
{
    uint32_t ra = cpi_rs_find(uf, i), rb = cpi_rs_find(uf, j);
    if (ra == rb)
        return 0;
    if (mode != RS_JOIN_FORCE && roots_conflict(uf, ra, rb, mode == RS_JOIN_GUARDED))
        return -1;
    if (uf->size[ra] < uf->size[rb] || (uf->size[ra] == uf->size[rb] && rb < ra)) {
        uint32_t t = ra;
        ra = rb;
        rb = t;
    }
    cpi_rs_summary *A = &uf->sum[ra], *B = &uf->sum[rb];
    for (uint16_t k = 0; k < B->n; k++)
        if (sum_add(A, B->v[k].type, B->v[k].a, B->v[k].b))
            return -2;
    free(B->v);
    memset(B, 0, sizeof *B);
    uf->parent[rb] = ra;
    uf->size[ra] += uf->size[rb];
    return 1;
}

/* Strongest first; equal weights in mention order, so a run is reproducible. */
static int cmp_scored_desc(const void *x, const void *y)
{
    const cpi_rs_scored *a = x, *b = y;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* A deferred mention's link partner: its current root and the best weight reaching it. */
typedef struct partner {
    uint32_t m, other;
    double weight;
    bool below; /* a pair below the link band (RS_PAIR_NAME_STREET, RS_PAIR_NAME_CONTEXT) */
} partner;

/* Do the clusters of roots a and b hold different Niche nominal ids (and none in common)? */
static bool other_nominals(const cpi_rs_uf *uf, uint32_t a, uint32_t b)
{
    const cpi_rs_summary *A = &uf->sum[a], *B = &uf->sum[b];
    bool na = false, nb = false;
    for (uint16_t i = 0; i < A->n; i++) {
        if (A->v[i].type != RS_SV_NID)
            continue;
        na = true;
        for (uint16_t j = 0; j < B->n; j++)
            if (B->v[j].type == RS_SV_NID && B->v[j].a == A->v[i].a)
                return false;
    }
    for (uint16_t j = 0; j < B->n && !nb; j++)
        nb = B->v[j].type == RS_SV_NID;
    return na && nb;
}

static int cmp_partner(const void *x, const void *y)
{
    const partner *a = x, *b = y;
    if (a->m != b->m)
        return a->m < b->m ? -1 : 1;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    return a->other < b->other ? -1 : a->other > b->other;
}

/*
 * Place one deferred mention given its link partners (best first): join the
 * best cluster and every other that agrees with it, unless a cluster that
 * conflicts with the best scored nearly as well - then the mention fits two
 * different entities (a DOB-less "Harry Bevan" at a home where father and son
 * share the name) and is left alone rather than guessed.
 */
static void place_deferred(cpi_rs_uf *uf, const partner *p, size_t n, cpi_resolve_kind_report *kr)
{
    uint32_t m = p[0].m, roots[64];
    double w[64];
    bool below[64];
    size_t nr = 0;
    uint32_t self = cpi_rs_find(uf, m);
    for (size_t k = 0; k < n && nr < 64; k++) {
        uint32_t r = cpi_rs_find(uf, p[k].other);
        bool seen = r == self;
        for (size_t j = 0; j < nr && !seen; j++)
            seen = roots[j] == r;
        if (!seen) {
            roots[nr] = r;
            below[nr] = p[k].below;
            w[nr++] = p[k].weight;
        }
    }
    if (nr == 0)
        return;
    for (size_t j = 1; j < nr; j++)
        if (w[j] >= w[0] - CPI_RS_AMBIGUITY_BITS && cpi_rs_uf_conflict(uf, roots[0], roots[j])) {
            kr->ambiguous++;
            return;
        }
    /* below the link band only the name and a street name or context agree: if two candidates that
     * conflict fit, one of them below it, the mention fits two namesakes (two Thomas ROBERTS known as
     * Nitro, born 1981 and 1989; a Michael Davies known as Rocco and the other Michael Davies whose
     * MACE rows name a child of Rocco's group) and joins none of them, nor anything below the band
     * (an unpinned cluster of that name could be either) */
    bool namesakes = false;
    for (size_t j = 0; j < nr && !namesakes; j++)
        for (size_t k = 0; k < nr && below[j] && !namesakes; k++)
            namesakes = k != j && cpi_rs_uf_conflict(uf, roots[j], roots[k]);
    for (size_t j = 0; j < nr; j++) {
        bool rival = false;
        for (size_t k = 0; k < nr && namesakes && !below[j] && !rival; k++)
            rival = k != j && cpi_rs_uf_conflict(uf, roots[j], roots[k]);
        if (namesakes && (below[j] || rival)) {
            kr->ambiguous++;
            continue;
        }
        /* below the link band the name and a context agree, but not on two nominals: a child
         * nominal without a DOB and the adult of his name who targets his sibling */
        if (below[j] && other_nominals(uf, cpi_rs_find(uf, m), roots[j])) {
            kr->refused++;
            continue;
        }
        int rc = cpi_rs_uf_join(uf, m, roots[j], RS_JOIN_GUARDED);
        if (rc == 1)
            kr->joined++;
        else if (rc == -1)
            kr->refused++;
    }
}

void cpi_rs_join_links(cpi_rs_uf *uf, cpi_rs_scored *v, size_t n, double link, const uint8_t *defer,
                       cpi_resolve_kind_report *kr)
{
    cpi_sort(v, n, sizeof *v, cmp_scored_desc);
    size_t nlink = 0, ndef = 0;
    while (nlink < n && v[nlink].prob >= link)
        nlink++;
    for (size_t i = nlink; i < n && defer; i++)
        if ((v[i].flags & (RS_PAIR_NAME_STREET | RS_PAIR_NAME_CONTEXT)) && (defer[v[i].a] || defer[v[i].b]))
            ndef += (defer[v[i].a] != 0) + (defer[v[i].b] != 0);
    for (size_t i = 0; i < nlink; i++) {
        if (defer && (defer[v[i].a] || defer[v[i].b])) {
            ndef += (defer[v[i].a] != 0) + (defer[v[i].b] != 0);
            continue;
        }
        int rc = cpi_rs_uf_join(uf, v[i].a, v[i].b, RS_JOIN_GUARDED);
        if (rc == 1)
            kr->joined++;
        else if (rc == -1)
            kr->refused++;
    }
    if (!ndef)
        return;
    partner *p = malloc(ndef * sizeof *p);
    if (!p) {
        /* no memory for the careful pass: join the deferred pairs as the others were */
        for (size_t i = 0; i < nlink; i++)
            if (defer[v[i].a] || defer[v[i].b])
                kr->joined += cpi_rs_uf_join(uf, v[i].a, v[i].b, RS_JOIN_GUARDED) == 1;
        return;
    }
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        if (i >= nlink && !(v[i].flags & (RS_PAIR_NAME_STREET | RS_PAIR_NAME_CONTEXT)))
            continue;
        if ((v[i].flags & RS_PAIR_OTHER_NOMINAL) && !(v[i].flags & RS_PAIR_CORROBORATED))
            continue;
        if (defer[v[i].a])
            p[np++] = (partner){v[i].a, v[i].b, v[i].weight, i >= nlink};
        if (defer[v[i].b])
            p[np++] = (partner){v[i].b, v[i].a, v[i].weight, i >= nlink};
    }
    cpi_sort(p, np, sizeof *p, cmp_partner);
    for (size_t i = 0; i < np;) {
        size_t j = i;
        while (j < np && p[j].m == p[i].m)
            j++;
        place_deferred(uf, p + i, j - i, kr);
        i = j;
    }
    free(p);
}

cpi_status cpi_rs_scored_add(cpi_rs_scoredv *s, uint32_t a, uint32_t b, double w, double p, uint8_t flags,
                             cpi_error *err)
{
    if (CPI_GROW(s->v, s->cap, s->n + 1, 4096))
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for scored pairs");
    s->v[s->n++] = (cpi_rs_scored){a, b, w, p, flags};
    return CPI_OK;
}
