/*
 * resolve/places.c - places: the same Niche location id links outright;
 * other place mentions with address parts or a name are blocked, scored by
 * the location model and joined strongest first under the guard (two flats,
 * two house numbers or two postcode sectors never share a place).
 *
 * Blocking rules:
 *   pc+house      full postcode and house number (or house name)
 *   street+house  street and house number: catches a missing or mistyped postcode
 *   pc+street     postcode and street: a numberless address
 *   name          the place's own name (a school, a shop, a station), which is
 *                 all some silos write, or the street of a numberless address,
 *                 which may be that name taken for a street
 * Then a place written by its name alone joins the one cluster that carries
 * the name (name_only_places).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/compare.h"
#include "core/array.h"
#include "core/sort.h"
#include "resolve/internal.h"

typedef struct place_ctx {
    const cpi_rs_data *d;
} place_ctx;

static void place_vec(void *ctx, uint32_t a, uint32_t b, cpi_fs_vec *v, double tf[CPI_FS_MAX_CMP])
{
    const place_ctx *pc = ctx;
    cpi_rs_lview la, lb;
    cpi_rs_lview_of(pc->d, a, &la);
    cpi_rs_lview_of(pc->d, b, &lb);
    cpi_rs_location_vec(&la, &lb, v);
    for (int c = 0; c < CPI_FS_MAX_CMP; c++)
        tf[c] = 0;
}

/* What the location model compares of mention i, hashed. */
static uint64_t place_sig(void *ctx, uint32_t i)
{
    const place_ctx *pc = ctx;
    return cpi_rs_hash(0, pc->d->m[i].key, sizeof pc->d->m[i].key);
}

static uint64_t key2(int rule, uint32_t x, uint32_t y)
{
    return cpi_rs_hash_u64(cpi_rs_hash_u64(cpi_rs_hash_u64(0, (uint64_t)rule), x), y);
}

enum { R_PC_HOUSE, R_STREET_HOUSE, R_PC_STREET, R_NAME, R__N };
static const char *const RULE_NAMES[] = {"place pc+house", "place street+house", "place pc+street", "place name"};

static cpi_status block_places(cpi_rs_data *d, const uint32_t *mem, uint32_t n, const cpi_resolve_opts *o,
                               cpi_rs_pairs *pairs, cpi_resolve_report *rep, cpi_error *err)
{
    cpi_status s = CPI_OK;
    for (int rule = 0; rule < R__N && !s; rule++) {
        cpi_rs_keys keys = {0};
        for (uint32_t k = 0; k < n && !s; k++) {
            const uint32_t *key = d->m[mem[k]].key;
            uint64_t order = (uint64_t)key[RS_L_PC] << 32 | key[RS_L_FLAT];
            switch (rule) {
            case R_PC_HOUSE:
                if (key[RS_L_PC] && key[RS_L_HOUSE])
                    s = cpi_rs_keys_add(&keys, key2(rule, key[RS_L_PC], key[RS_L_HOUSE]), order, mem[k], err);
                break;
            case R_STREET_HOUSE:
                if (key[RS_L_STREET] && key[RS_L_HOUSE])
                    s = cpi_rs_keys_add(&keys, key2(rule, key[RS_L_STREET], key[RS_L_HOUSE]), order, mem[k], err);
                break;
            case R_PC_STREET:
                if (key[RS_L_PC] && key[RS_L_STREET])
                    s = cpi_rs_keys_add(&keys, key2(rule, key[RS_L_PC], key[RS_L_STREET]), order, mem[k], err);
                break;
            default: {
                uint32_t name = key[RS_L_PLACE] ? key[RS_L_PLACE] : key[RS_L_PREMISES];
                if (!name && !key[RS_L_HOUSE]) /* the street of a numberless address may be a name
                                                * (cpi_rs_location_vec) */
                    name = key[RS_L_STREET];
                if (name)
                    s = cpi_rs_keys_add(&keys, key2(rule, name, 0), order, mem[k], err);
            }
            }
        }
        cpi_resolve_rule_report *rr = &rep->rules[rep->nrules++];
        snprintf(rr->name, sizeof rr->name, "%s", RULE_NAMES[rule]);
        rr->kind = CPI_KIND_LOCATION;
        if (!s)
            s = cpi_rs_block(&keys, o, pairs, rr, err);
        free(keys.v);
    }
    if (!s)
        cpi_rs_pairs_unique(pairs);
    return s;
}

static uint32_t name_of(const cpi_rs_mention *m)
{
    return m->key[RS_L_PLACE] ? m->key[RS_L_PLACE] : m->key[RS_L_PREMISES];
}

/*
 * A place recorded by its name alone (a MACE school: "Ysgol Gyfun
 * Caerphilly") has nothing else to score on. It joins the one cluster whose
 * addressed mentions carry exactly that name; with none, the other mentions
 * of the name alone; with two or more (two shops of one chain), nothing.
 */
static cpi_status name_only_places(cpi_rs_data *d, cpi_rs_uf *uf, cpi_resolve_kind_report *kr, cpi_error *err)
{
    uint32_t *owner = calloc((size_t)d->str.count + 1, sizeof *owner); /* name -> root + 1, UINT32_MAX if two */
    uint32_t *alone = calloc((size_t)d->str.count + 1, sizeof *alone); /* name -> first name-only mention + 1 */
    if (!owner || !alone) {
        free(owner);
        free(alone);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    }
    for (uint32_t i = 0; i < d->nm; i++) {
        const cpi_rs_mention *m = &d->m[i];
        uint32_t name = name_of(m);
        if (m->kind != CPI_KIND_LOCATION || !name || !m->key[RS_L_STREET])
            continue;
        uint32_t r = cpi_rs_find(uf, i) + 1;
        if (!owner[name])
            owner[name] = r;
        else if (owner[name] != UINT32_MAX && cpi_rs_find(uf, owner[name] - 1) + 1 != r)
            owner[name] = UINT32_MAX;
    }
    for (uint32_t i = 0; i < d->nm; i++) {
        const cpi_rs_mention *m = &d->m[i];
        uint32_t name = name_of(m);
        if (m->kind != CPI_KIND_LOCATION || !name || m->key[RS_L_STREET] || m->key[RS_L_HOUSE] || m->key[RS_L_PC] ||
            m->key[RS_L_LID])
            continue;
        kr->weak++;
        uint32_t target = owner[name];
        if (target == UINT32_MAX) {
            kr->weak_ambiguous++;
            continue;
        }
        if (!target) {
            if (!alone[name]) {
                alone[name] = i + 1;
                continue;
            }
            target = alone[name];
        }
        int rc = cpi_rs_uf_join(uf, i, target - 1, RS_JOIN_GUARDED);
        if (rc == -2) {
            free(owner);
            free(alone);
            return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries");
        }
        kr->weak_linked += rc == 1;
    }
    free(owner);
    free(alone);
    return CPI_OK;
}

/*
 * A place named alone whose name two or more places carry ("New Road
 * Primary School" in Newport and in Cwmbran: at 100,000 children cpgen's
 * 410 schools repeat every name, and every MACE school mention was left
 * alone - 162,000 lost pairs, most of the place recall lost at 1M) is placed
 * through the child the record is about, once people are resolved: a child
 * goes to a school near home. "Near" is learnt from the same mentions,
 * without labels: each name-only mention spreads one vote over its
 * candidates, counted as (district the record's child lives in, the
 * candidate's district); the candidates in the child's own area gather
 * votes from every school, the others scatter. A mention then joins the
 * candidate whose district has the largest share of its child's districts'
 * votes, when that share is RS_NAME_DISTRICT_RATIO times the runner-up's
 * (two schools of one name in one area stay apart) and the child's
 * districts hold RS_NAME_DISTRICT_MIN votes.
 *
 * The record's own area (a MACE meeting's EAST or WEST: the child's home
 * area) votes the same way, counted as (area, candidate's district), and
 * gives each district the area in whose votes it holds the largest share,
 * RS_NAME_DISTRICT_RATIO times its share in any other area's (shares, not
 * counts: one area may file more rows). A mention's candidates are then
 * those in its record's area, when that leaves any: one left is the place,
 * whether or not the child has a known home (a child with none, or two
 * "Heol Las Primary School"s in Newport and Blackwood), and several are
 * scored by the district votes as above, among themselves.
 */
#define RS_NAME_DISTRICT_MIN 10.0
#define RS_NAME_DISTRICT_RATIO 3.0
/* Area votes are kept beside the district votes: the key's high half is the area's string id with
 * this bit set. */
#define RS_AREA_BIT 0x80000000u

typedef struct dvote {
    uint64_t key; /* child district << 32 | place district (0: the child district's total) */
    double w;
} dvote;

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static int cmp_dvote(const void *x, const void *y)
{
    const dvote *a = x, *b = y;
    return a->key < b->key ? -1 : a->key > b->key;
}

static bool name_only(const cpi_rs_mention *m)
{
    return m->kind == CPI_KIND_LOCATION && name_of(m) && !m->key[RS_L_STREET] && !m->key[RS_L_HOUSE] &&
           !m->key[RS_L_PC] && !m->key[RS_L_LID];
}

/* [lo, hi) of the entries of v (sorted) whose high 32 bits are x */
static void range_of(const uint64_t *v, size_t n, uint32_t x, size_t *lo, size_t *hi)
{
    size_t a = 0, b = n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if ((uint32_t)(v[mid] >> 32) < x)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    while (a < n && (uint32_t)(v[a] >> 32) == x)
        a++;
    *hi = a;
}

static double votes_of(const dvote *v, size_t n, uint64_t key)
{
    size_t a = 0, b = n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (v[mid].key < key)
            a = mid + 1;
        else
            b = mid;
    }
    return a < n && v[a].key == key ? v[a].w : 0;
}

/* The postcode districts the children of mention i's record live in (up to cap). */
static size_t child_districts(const cpi_rs_data *d, cpi_rs_uf *uf, const cpi_rs_ctx *homes, uint32_t i, uint32_t *out,
                              size_t cap)
{
    const cpi_rs_record *r = &d->recs[d->m[i].rec];
    size_t n = 0;
    for (uint32_t k = 0; k < r->nmentions; k++) {
        uint32_t p = r->first + k;
        if (d->m[p].kind != CPI_KIND_PERSON || !(d->m[p].flags & RS_F_CHILD_ROLE))
            continue;
        uint32_t root = cpi_rs_find(uf, p);
        const uint32_t *h = cpi_rs_ctx_ids(homes, root);
        for (uint32_t j = 0; j < cpi_rs_ctx_n(homes, root) && n < cap; j++) {
            uint32_t pcd = d->m[h[j]].key[RS_L_PCD];
            bool seen = !pcd;
            for (size_t q = 0; q < n && !seen; q++)
                seen = out[q] == pcd;
            if (!seen)
                out[n++] = pcd;
        }
    }
    return n;
}

static int vote(dvote **v, size_t *n, size_t *cap, uint64_t key, double w)
{
    if (CPI_GROW(*v, *cap, *n + 1, 4096))
        return -1;
    (*v)[(*n)++] = (dvote){key, w};
    return 0;
}

typedef struct dshare {
    uint32_t pd, area;
    double w, share; /* the area's votes for the district, and their share of the area's total */
} dshare;

static int cmp_dshare(const void *x, const void *y)
{
    const dshare *a = x, *b = y;
    if (a->pd != b->pd)
        return a->pd < b->pd ? -1 : 1;
    return a->share > b->share ? -1 : a->share < b->share;
}

/* The learnt area of each district from the merged votes (sorted by key): *out holds
 * district << 32 | area, sorted, for districts whose area is clear. */
static cpi_status district_areas(const dvote *v, size_t n, uint64_t **out, size_t *nout, cpi_error *err)
{
    dshare *s = malloc((n ? n : 1) * sizeof *s);
    *out = malloc((n ? n : 1) * sizeof **out);
    *nout = 0;
    if (!s || !*out) {
        free(s);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    }
    size_t ns = 0;
    double total = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t hi = (uint32_t)(v[k].key >> 32), pd = (uint32_t)v[k].key;
        if (!(hi & RS_AREA_BIT))
            continue;
        if (!pd) /* the area's total sorts first among its votes */
            total = v[k].w;
        else if (total > 0)
            s[ns++] = (dshare){pd, hi & ~RS_AREA_BIT, v[k].w, v[k].w / total};
    }
    cpi_sort(s, ns, sizeof *s, cmp_dshare);
    for (size_t k = 0; k < ns;) {
        size_t j = k + 1;
        while (j < ns && s[j].pd == s[k].pd)
            j++;
        if (s[k].w >= RS_NAME_DISTRICT_MIN && (j == k + 1 || s[k].share >= RS_NAME_DISTRICT_RATIO * s[k + 1].share))
            (*out)[(*nout)++] = (uint64_t)s[k].pd << 32 | s[k].area;
        k = j;
    }
    free(s);
    return CPI_OK;
}

/* The learnt area of district pd (0: none or unclear). */
static uint32_t area_of(const uint64_t *darea, size_t n, uint32_t pd)
{
    size_t lo, hi;
    range_of(darea, n, pd, &lo, &hi);
    return pd && hi > lo ? (uint32_t)darea[lo] : 0;
}

/*
 * A child named in several MACE rows with one school name goes to one school, though which of the
 * name's schools may stay unknown (two "Caldicot High School"s in Caldicot): the rows' school
 * mentions join each other, or the place one of them was placed in. The child is the record's
 * only child-role person, as resolved; a record naming several children is left out.
 */
typedef struct child_name {
    uint32_t child, name, m;
} child_name;

static int cmp_child_name(const void *x, const void *y)
{
    const child_name *a = x, *b = y;
    if (a->child != b->child)
        return a->child < b->child ? -1 : 1;
    if (a->name != b->name)
        return a->name < b->name ? -1 : 1;
    return a->m < b->m ? -1 : a->m > b->m;
}

static cpi_status one_school_per_child(const cpi_rs_data *d, cpi_rs_uf *uf, cpi_error *err)
{
    size_t n = 0;
    for (uint32_t i = 0; i < d->nm; i++)
        n += name_only(&d->m[i]);
    child_name *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    n = 0;
    for (uint32_t i = 0; i < d->nm; i++) {
        if (!name_only(&d->m[i]))
            continue;
        const cpi_rs_record *r = &d->recs[d->m[i].rec];
        uint32_t child = UINT32_MAX, nchild = 0;
        for (uint32_t k = 0; k < r->nmentions; k++) {
            uint32_t p = r->first + k;
            if (d->m[p].kind == CPI_KIND_PERSON && (d->m[p].flags & RS_F_CHILD_ROLE) && nchild++ == 0)
                child = cpi_rs_find(uf, p);
        }
        if (nchild == 1)
            v[n++] = (child_name){child, name_of(&d->m[i]), i};
    }
    cpi_sort(v, n, sizeof *v, cmp_child_name);
    cpi_status s = CPI_OK;
    for (size_t a = 0, b; a < n && !s; a = b)
        for (b = a + 1; b < n && v[b].child == v[a].child && v[b].name == v[a].name; b++)
            if (cpi_rs_uf_join(uf, v[b].m, v[a].m, RS_JOIN_GUARDED) == -2)
                s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries");
    free(v);
    return s;
}

cpi_status cpi_rs_place_names_by_people(cpi_rs_data *d, cpi_rs_uf *uf, cpi_resolve_kind_report *kr, cpi_error *err)
{
    cpi_rs_ctx homes = {0};
    cpi_status s = cpi_rs_ctx_build(d, uf, RS_CTX_HOMES, NULL, &homes, err);
    if (s)
        return s;
    /* (name, root) of every addressed place carrying a name */
    uint64_t *cand = NULL;
    dvote *votes = NULL;
    size_t nc = 0, capc = 0, nv = 0, capv = 0;
    for (uint32_t i = 0; i < d->nm && !s; i++) {
        const cpi_rs_mention *m = &d->m[i];
        if (m->kind != CPI_KIND_LOCATION || !name_of(m) || !m->key[RS_L_STREET])
            continue;
        if (CPI_GROW(cand, capc, nc + 1, 4096)) {
            s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
            break;
        }
        cand[nc++] = (uint64_t)name_of(m) << 32 | cpi_rs_find(uf, i);
    }
    if (!s)
        cpi_sort(cand, nc, sizeof *cand, cmp_u64);
    size_t w = 0;
    for (size_t k = 0; k < nc; k++)
        if (w == 0 || cand[k] != cand[w - 1])
            cand[w++] = cand[k];
    nc = w;
    uint32_t dist[16];
    for (uint32_t i = 0; i < d->nm && !s; i++) {
        if (!name_only(&d->m[i]))
            continue;
        size_t lo, hi;
        range_of(cand, nc, name_of(&d->m[i]), &lo, &hi);
        if (hi == lo)
            continue;
        size_t nd = child_districts(d, uf, &homes, i, dist, 16);
        for (size_t q = 0; q < nd && !s; q++) {
            int rc = vote(&votes, &nv, &capv, (uint64_t)dist[q] << 32, 1.0);
            for (size_t k = lo; k < hi && !rc; k++) {
                uint32_t pd = d->m[(uint32_t)cand[k]].key[RS_L_PCD];
                if (pd)
                    rc = vote(&votes, &nv, &capv, (uint64_t)dist[q] << 32 | pd, 1.0 / (double)(hi - lo));
            }
            if (rc)
                s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
        }
        uint32_t area = d->recs[d->m[i].rec].area;
        if (area && !s) {
            uint64_t ak = (uint64_t)(area | RS_AREA_BIT) << 32;
            int rc = vote(&votes, &nv, &capv, ak, 1.0);
            for (size_t k = lo; k < hi && !rc; k++) {
                uint32_t pd = d->m[(uint32_t)cand[k]].key[RS_L_PCD];
                if (pd)
                    rc = vote(&votes, &nv, &capv, ak | pd, 1.0 / (double)(hi - lo));
            }
            if (rc)
                s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
        }
    }
    if (!s) {
        cpi_sort(votes, nv, sizeof *votes, cmp_dvote);
        w = 0;
        for (size_t k = 0; k < nv; k++) {
            if (w && votes[w - 1].key == votes[k].key)
                votes[w - 1].w += votes[k].w;
            else
                votes[w++] = votes[k];
        }
        nv = w;
    }
    uint64_t *darea = NULL;
    size_t nda = 0;
    if (!s)
        s = district_areas(votes, nv, &darea, &nda, err);
    for (uint32_t i = 0; i < d->nm && !s; i++) {
        if (!name_only(&d->m[i]))
            continue;
        size_t lo, hi;
        range_of(cand, nc, name_of(&d->m[i]), &lo, &hi);
        if (hi - lo < 2)
            continue;
        uint32_t self = cpi_rs_find(uf, i);
        bool placed = false;
        for (size_t k = lo; k < hi && !placed; k++)
            placed = cpi_rs_find(uf, (uint32_t)cand[k]) == self;
        if (placed)
            continue;
        /* the candidates in the record's area: one is the place, several are scored among themselves */
        uint32_t area = d->recs[d->m[i].rec].area, target = UINT32_MAX;
        size_t nin = 0;
        for (size_t k = lo; k < hi && area; k++)
            if (area_of(darea, nda, d->m[(uint32_t)cand[k]].key[RS_L_PCD]) == area) {
                nin++;
                target = (uint32_t)cand[k];
            }
        if (nin != 1) {
            size_t nd = child_districts(d, uf, &homes, i, dist, 16);
            double total = 0, best = 0, second = 0;
            for (size_t q = 0; q < nd; q++)
                total += votes_of(votes, nv, (uint64_t)dist[q] << 32);
            target = UINT32_MAX;
            for (size_t k = lo; k < hi && total >= RS_NAME_DISTRICT_MIN; k++) {
                uint32_t pd = d->m[(uint32_t)cand[k]].key[RS_L_PCD];
                if (nin && area_of(darea, nda, pd) != area)
                    continue;
                double c = 0;
                for (size_t q = 0; q < nd && pd; q++)
                    c += votes_of(votes, nv, (uint64_t)dist[q] << 32 | pd) /
                         votes_of(votes, nv, (uint64_t)dist[q] << 32);
                if (c > best) {
                    second = best;
                    best = c;
                    target = (uint32_t)cand[k];
                } else if (c > second)
                    second = c;
            }
            if (best < RS_NAME_DISTRICT_RATIO * second)
                target = UINT32_MAX;
        }
        if (target == UINT32_MAX)
            continue;
        int rc = cpi_rs_uf_join(uf, i, target, RS_JOIN_GUARDED);
        if (rc == -2)
            s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries");
        else if (rc == 1 && kr->weak_ambiguous > 0) {
            kr->weak_ambiguous--;
            kr->weak_linked++;
        }
    }
    free(cand);
    free(votes);
    free(darea);
    cpi_rs_ctx_free(&homes);
    if (!s)
        s = one_school_per_child(d, uf, err);
    return s;
}

/*
 * Which place mentions cpi_rs_join_links places last, and only where one place fits (it leaves a
 * mention alone when two conflicting clusters score alike): an address with neither postcode nor
 * town ("1 Victoria Road") may be in any town, and one without a house number ("Monmouth Road,
 * NP20 5EW") may be any house on its street.
 */
void cpi_rs_place_defer(const cpi_rs_data *d, uint8_t *defer)
{
    for (uint32_t i = 0; i < d->nm; i++) {
        const uint32_t *k = d->m[i].key;
        defer[i] = d->m[i].kind == CPI_KIND_LOCATION && ((!k[RS_L_PC] && !k[RS_L_TOWN]) || !k[RS_L_HOUSE]);
    }
}

/*
 * Niche keeps one location record per address. A Niche location written without its house number
 * and another Niche location id that has one are, far more often than not, two houses on one
 * street (22 of 24 such joins were wrong at 10,000 children, seed 1, judged against cpgen's truth), so their pair
 * is demoted below the link band: it goes to review, and the numberless record joins only through
 * a mention with no location id of its own (a form giving the address in full) or not at all.
 * Returns how many pairs were demoted.
 */
size_t cpi_rs_place_demote(const cpi_rs_data *d, cpi_rs_scored *v, size_t n, double link)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const uint32_t *a = d->m[v[i].a].key, *b = d->m[v[i].b].key;
        if (v[i].prob < link || link >= 1 || !a[RS_L_LID] || !b[RS_L_LID] || a[RS_L_LID] == b[RS_L_LID])
            continue;
        if (!a[RS_L_HOUSE] == !b[RS_L_HOUSE])
            continue;
        /* weight and probability both just under the link band: cpi_rs_join_links sorts by weight and
         * counts the link pairs from the top by probability */
        double w = log2(link / (1 - link)) - 0.01;
        if (v[i].weight > w)
            v[i].weight = w;
        v[i].prob = cpi_fs_probability(v[i].weight);
        k++;
    }
    return k;
}

cpi_status cpi_rs_places(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_report *rep,
                         cpi_error *err)
{
    cpi_resolve_kind_report *kr = &rep->kind[CPI_KIND_LOCATION];
    cpi_status s = cpi_rs_join_on_key(d, &res->uf, CPI_KIND_LOCATION, RS_L_LID, kr, err);
    if (s)
        return s;
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->nm; i++)
        n += d->m[i].kind == CPI_KIND_LOCATION && (d->m[i].flags & RS_F_SCORED);
    uint32_t *mem = malloc((n ? n : 1) * sizeof *mem);
    if (!mem)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    n = 0;
    for (uint32_t i = 0; i < d->nm; i++)
        if (d->m[i].kind == CPI_KIND_LOCATION && (d->m[i].flags & RS_F_SCORED))
            mem[n++] = i;
    kr->scored = n;
    cpi_rs_pairs pairs = {0};
    cpi_rs_scoredv sc = {0};
    s = block_places(d, mem, n, o, &pairs, rep, err);
    cpi_rs_location_model(&res->location_model);
    place_ctx pc = {d};
    /* EM sessions: on pairs sharing a full postcode learn the rest; on pairs sharing a house number
     * learn address and postcode. The prior comes from the postcode session. */
    cpi_rs_training tr = {.n = 2, .prior_session = 0};
    tr.s[0] = (cpi_rs_session){{RS_LC_POSTCODE, -1}, {1u << CPI_POSTCODE_FULL, 0},
                               1u << RS_LC_POSTCODE | 1u << RS_LC_ADDRESS,
                               1u << RS_LC_FLAT | 1u << RS_LC_HOUSE | 1u << RS_LC_NAME | 1u << RS_LC_TOWN};
    tr.s[1] = (cpi_rs_session){{RS_LC_HOUSE, -1}, {1u << CPI_IDENT_SAME, 0}, 1u << RS_LC_HOUSE,
                               1u << RS_LC_ADDRESS | 1u << RS_LC_POSTCODE};
    uint32_t nd = n;
    if (!s)
        s = cpi_rs_distinct(mem, &nd, place_sig, &pc, err);
    cpi_rs_pairvec *pv = NULL;
    if (!s)
        s = cpi_rs_vectors(place_vec, &pc, &pairs, o, "compare places", &pv, err);
    /* two passes, as for people (resolve/people.c): a school named in dozens of records makes random
     * pairs agree on its name; the second pass estimates u away from what the first joined */
    uint8_t *defer = calloc(d->nm ? d->nm : 1, 1);
    uint32_t *grp1 = malloc((d->nm ? d->nm : 1) * sizeof *grp1);
    cpi_rs_uf before = {0};
    if (!s && (!defer || !grp1))
        s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    if (!s)
        cpi_rs_place_defer(d, defer);
    if (!s)
        s = cpi_rs_uf_clone(&before, &res->uf, err);
    if (!s)
        s = cpi_rs_fit_and_score(&res->location_model, &tr, place_vec, NULL, &pc, mem, nd, n, NULL, NULL, &pairs, pv,
                                 o, &sc, kr, err);
    if (!s) {
        cpi_rs_place_demote(d, sc.v, sc.n, o->link);
        cpi_rs_join_links(&res->uf, sc.v, sc.n, o->link, defer, kr);
        for (uint32_t i = 0; i < d->nm; i++)
            grp1[i] = cpi_rs_find(&res->uf, i);
        cpi_rs_uf_free(&res->uf);
        res->uf = before;
        memset(&before, 0, sizeof before);
        sc.n = 0;
        kr->joined = kr->refused = kr->ambiguous = kr->link_pairs = kr->possible_pairs = 0;
        memset(&kr->em, 0, sizeof kr->em);
        cpi_fs_model first = res->location_model;
        cpi_rs_location_model(&res->location_model);
        s = cpi_rs_fit_and_score(&res->location_model, &tr, place_vec, NULL, &pc, mem, nd, n, grp1, &first, &pairs,
                                 pv, o, &sc, kr, err);
        res->location_trained = kr->trained;
    }
    cpi_rs_uf_free(&before);
    free(grp1);
    free(pv);
    if (!s) {
        cpi_rs_place_demote(d, sc.v, sc.n, o->link);
        cpi_rs_join_links(&res->uf, sc.v, sc.n, o->link, defer, kr);
        for (size_t i = 0; i < sc.n && !s; i++)
            s = cpi_rs_scored_add(&res->review, sc.v[i].a, sc.v[i].b, sc.v[i].weight, sc.v[i].prob, sc.v[i].flags, err);
    }
    free(sc.v);
    free(defer);
    cpi_rs_pairs_free(&pairs);
    free(mem);
    if (!s)
        s = name_only_places(d, &res->uf, kr, err);
    return s;
}
