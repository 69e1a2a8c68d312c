/*
 * lookup.c - query text -> candidate entities (see lookup.h). Every path
 * ends in a set of mention references, which the resolver's ENTITY_OF turns
 * into entities; the candidate list is then described well enough that a
 * person can choose. Nothing here chooses.
 */
#include "query/lookup.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/normalise/normalise.h"
#include "graph/graphdb.h"
#include "core/intern.h"
#include "resolve/compare.h"
#include "query/query_parse.h"
#include "query/same.h"
#include "core/sort.h"

#define NOMEM() cpi_error_set(err, CPI_ERR_NOMEM, "lookup: out of memory")

/* Add every mention reference stored under key name\x1fvalue to set. */
static cpi_status collect(cpi_txn *txn, const char *name, const char *value, cpi_intern *set, cpi_error *err)
{
    if (!value || !*value)
        return CPI_OK;
    char key[512];
    int klen = snprintf(key, sizeof key, "%s%c%s", name, CPI_KEY_SEP, value);
    if (klen < 0 || (size_t)klen >= sizeof key)
        return CPI_OK;
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_KEYS, &c, err);
    if (s)
        return s;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, key, (size_t)klen, &k, &v, err);
    if (cs == CPI_OK && (k.len != (size_t)klen || memcmp(k.data, key, (size_t)klen) != 0))
        cs = CPI_NOT_FOUND;
    while (cs == CPI_OK) {
        uint32_t id;
        if (cpi_intern_add(set, v.data, v.len, &id, NULL)) {
            cpi_cursor_close(c);
            return NOMEM();
        }
        cs = cpi_cursor_next_dup(c, &k, &v, err);
    }
    cpi_cursor_close(c);
    return cs == CPI_NOT_FOUND ? CPI_OK : cs;
}

/* ------------------------------------------------------------------ candidates */

#define LOOKUP_POOL 2000 /* candidates gathered before ranking; past it they are only counted in `more` */

/* The town or postcode a query gave, for add_entity to mark each place found as in it or not. */
typedef struct area_given {
    const char *town;     /* folded, or NULL */
    const char *postcode; /* normalised, or NULL */
} area_given;

typedef struct found {
    cpi_lookup *out;
    cpi_arena *a;
    cpi_txn *txn;
    const cpi_lookup_opts *o;
    uint32_t max;
    cpi_intern seen;     /* entity ids and unresolved mention refs already listed */
    int32_t dob_day;     /* CPI_DAY_NONE unless --dob */
    const char *dob_iso;
    cpi_intern dob_mentions;
    bool nomem;
    int score;           /* the match quality of the search running now (cpi_candidate.score) */
    area_given area;     /* the town or postcode of the search running now, to mark places in it */
} found;

/*
 * A slot for one more candidate. Everything is gathered (up to LOOKUP_POOL)
 * before ranking, so the best matches are kept whatever order the index
 * gave them in; only then is the list cut to max.
 */
static cpi_candidate *push(found *f)
{
    cpi_lookup *l = f->out;
    if (l->n >= LOOKUP_POOL) {
        l->more++;
        return NULL;
    }
    if (l->n == 0 || (l->n & (l->n - 1)) == 0) { /* grow at powers of two */
        uint32_t cap = l->n ? l->n * 2 : 4;
        cpi_candidate *ni = cpi_arena_alloc(f->a, sizeof *ni * cap);
        if (!ni) {
            f->nomem = true;
            return NULL;
        }
        if (l->n)
            memcpy(ni, l->items, sizeof *ni * l->n);
        l->items = ni;
    }
    cpi_candidate *c = &l->items[l->n++];
    memset(c, 0, sizeof *c);
    return c;
}

/* A candidate known only to withheld sources: counted, so the list can say restricted information is held. */
static void withhold(found *f, uint32_t sources)
{
    f->out->withheld++;
    f->out->withheld_sources |= sources & f->o->withhold;
}

/* The current home of a person: address and postcode of a current lives-at edge. */
static const char *home_of(found *f, const char *id)
{
    cpi_edge *es;
    uint32_t n, total;
    cpi_error e2 = {0};
    if (cpi_graph_edges(f->txn, id, UINT32_MAX, f->a, &es, &n, &total, &e2))
        return NULL;
    const cpi_edge *best = NULL;
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(es[i].type, "lives-at") == 0 && es[i].out &&
            (!best || (es[i].current && !best->current) || (es[i].current == best->current && es[i].last > best->last)))
            best = &es[i];
    if (!best)
        return NULL;
    cpi_card pc;
    if (cpi_card_get(f->txn, best->other, f->a, &pc, &e2))
        return NULL;
    char buf[512];
    snprintf(buf, sizeof buf, "%s%s%s%s", pc.name ? pc.name : best->other, pc.postcode ? ", " : "",
             pc.postcode ? pc.postcode : "", best->current ? "" : " (previous)");
    return cpi_arena_strdup(f->a, buf);
}

uint64_t cpi_lookup_warn_flags(uint64_t flags)
{
    uint64_t warn = CPI_EF_RISKY | CPI_EF_PLACE_RISK | CPI_EF(CPI_EF_CPP) | CPI_EF(CPI_EF_LAC) |
                    CPI_EF(CPI_EF_CSE_RISK) | CPI_EF(CPI_EF_CCE_RISK) | CPI_EF(CPI_EF_REPEAT_MISSING) |
                    CPI_EF(CPI_EF_MARAC_MARKER) | CPI_EF(CPI_EF_MISSING) | CPI_EF(CPI_EF_MACE_CHILD) |
                    CPI_EF(CPI_EF_SOC_CHILD) | CPI_EF(CPI_EF_MARAC_CHILD) | CPI_EF(CPI_EF_POLIT_CHILD) |
                    CPI_EF(CPI_EF_PPN_UNSHARED) | CPI_EF(CPI_EF_MARAC_ADDRESS) | CPI_EF(CPI_EF_POLIT_ADDRESS) |
                    CPI_EF(CPI_EF_DEAL_LINE) | CPI_EF(CPI_EF_RISK_PHONE);
    if (flags & CPI_EF(CPI_EF_CHILD)) /* a child suspect in a fight is not a warning to attend with */
        warn &= ~CPI_EF(CPI_EF_SUSPECT);
    return flags & warn;
}

/* What kind of person or place it is, in the words a list shows: the most telling of its flags. */
static const char *cand_type(cpi_kind kind, uint64_t flags)
{
    static const struct {
        unsigned flag;
        const char *type;
    } places[] = {
        {CPI_EF_TRAP_HOUSE, "trap house"},       {CPI_EF_CUCKOOED, "cuckooed address"},
        {CPI_EF_OCG_ADDRESS, "OCG address"},     {CPI_EF_PLACE_OF_CONCERN, "MACE location of concern"},
        {CPI_EF_FOUND_AT, "where missing children are found"}, {CPI_EF_CARE_HOME, "care home"},
        {CPI_EF_FOSTER_HOME, "foster home"},     {CPI_EF_SCHOOL, "school"},
        {CPI_EF_HOME, "home"},
    };
    switch (kind) {
    case CPI_KIND_PERSON:
        return flags & CPI_EF(CPI_EF_CHILD) ? "child" : flags & CPI_EF(CPI_EF_ADULT) ? "adult" : "person";
    case CPI_KIND_LOCATION:
        for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
            if (flags & CPI_EF(places[i].flag))
                return places[i].type;
        return "place";
    case CPI_KIND_PHONE:
        return flags & CPI_EF(CPI_EF_DEAL_LINE) ? "deal line" : "phone";
    default:
        return "online identity";
    }
}

static int area_match(const area_given *g, const char *name, const char *la, const char *postcode);

/* Whether a known DOB rules the entity out: it has one, and it is not the one asked for. */
static bool dob_excludes(found *f, const cpi_card *c, const char *mref)
{
    if (f->dob_day == CPI_DAY_NONE)
        return false;
    if (mref && cpi_intern_find(&f->dob_mentions, mref, strlen(mref)) != CPI_INTERN_NONE)
        return false;
    return c->dob && strcmp(c->dob, f->dob_iso) != 0;
}

static cpi_status add_entity(found *f, const char *id, const char *mref, const char *matched, cpi_error *err)
{
    uint32_t x;
    int added;
    if (cpi_intern_add(&f->seen, id, strlen(id), &x, &added))
        return NOMEM();
    if (!added)
        return CPI_OK;
    cpi_card c;
    cpi_error e2 = {0};
    if (cpi_card_get(f->txn, id, f->a, &c, &e2) != CPI_OK) {
        /* no card: an id nobody has, or resolved after the graph was built (still a candidate) */
        cpi_slice v;
        cpi_status ms = cpi_txn_get(f->txn, CPI_DB_MEMBERS, id, strlen(id), &v, err);
        if (ms == CPI_NOT_FOUND)
            return CPI_OK;
        if (ms)
            return ms;
        memset(&c, 0, sizeof c);
        c.id = cpi_arena_strdup(f->a, id);
        c.kind = cpi_entity_id_kind(id);
        c.first = c.last = CPI_DAY_NONE;
    }
    if (f->o->kind && c.kind != f->o->kind)
        return CPI_OK;
    if (dob_excludes(f, &c, mref))
        return CPI_OK;
    uint32_t open = c.sources & ~f->o->withhold;
    if (c.sources && !open) { /* its very existence is what a withheld source holds */
        withhold(f, c.sources);
        return CPI_OK;
    }
    cpi_candidate *cand = push(f);
    if (!cand)
        return f->nomem ? NOMEM() : CPI_OK;
    uint64_t flags = cpi_flags_from_sources(c.flags, ~f->o->withhold);
    *cand = (cpi_candidate){.entity_id = c.id, .mention_ref = mref ? cpi_arena_strdup(f->a, mref) : NULL,
                            .kind = c.kind, .name = c.name, .dob = c.dob, .flags = flags, .sources = open,
                            .nmentions = c.nmentions, .first = c.first, .last = c.last, .matched = matched,
                            .type = cand_type(c.kind, flags), .score = f->score,
                            .warnings = (uint32_t)__builtin_popcountll(cpi_lookup_warn_flags(flags))};
    cand->home = c.kind == CPI_KIND_PERSON ? NULL : c.postcode; /* a person's home is read once ranked */
    if (c.kind == CPI_KIND_LOCATION)
        cand->area_match = area_match(&f->area, c.name, c.la, c.postcode);
    if (f->dob_day != CPI_DAY_NONE && !c.dob)
        cand->matched = cpi_arena_strdup(f->a, "name (no DOB recorded to compare)");
    return CPI_OK;
}

static const char *unresolved_text(found *f, const char *matched)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%s; not resolved into an entity yet (run 'cpindex resolve')", matched);
    return cpi_arena_strdup(f->a, buf);
}

/* A mention: its entity if resolved, else the mention itself as an unresolved candidate. */
static cpi_status add_mention(found *f, const char *mref, const char *matched, cpi_error *err)
{
    cpi_slice v;
    cpi_status s = cpi_txn_get(f->txn, CPI_DB_ENTITY_OF, mref, strlen(mref), &v, err);
    if (s == CPI_OK) {
        char id[CPI_ENTITY_ID_MAX];
        if (v.len == 0 || v.len >= sizeof id)
            return cpi_error_set(err, CPI_ERR_STORE, "entity_of %s: entity id is empty or too long", mref);
        memcpy(id, v.data, v.len);
        id[v.len] = '\0';
        return add_entity(f, id, mref, matched, err);
    }
    if (s != CPI_NOT_FOUND)
        return s;
    /* unresolved: describe it from its record */
    uint32_t x;
    int added;
    if (cpi_intern_add(&f->seen, mref, strlen(mref), &x, &added))
        return NOMEM();
    if (!added)
        return CPI_OK;
    cpi_ref ref;
    if (cpi_ref_parse(mref, &ref, err))
        return CPI_OK;
    char rec_ref[CPI_REF_MAX];
    snprintf(rec_ref, sizeof rec_ref, "%s:%s", ref.source, ref.record_id);
    cpi_record r;
    cpi_error e2 = {0};
    if (cpi_store_get_record(f->txn, rec_ref, f->a, &r, &e2) || ref.mention < 1 || ref.mention > r.nmentions)
        return CPI_OK;
    const cpi_mention *m = &r.mentions[ref.mention - 1];
    if (f->o->kind && m->kind != f->o->kind)
        return CPI_OK;
    const char *dob = cpi_kv_get(&m->keys, "dob");
    if (f->dob_day != CPI_DAY_NONE && dob && strcmp(dob, f->dob_iso) != 0)
        return CPI_OK;
    if (f->o->withhold & CPI_SRC_BIT(cpi_src_of_ref(mref))) {
        withhold(f, CPI_SRC_BIT(cpi_src_of_ref(mref)));
        return CPI_OK;
    }
    cpi_candidate *c = push(f);
    if (!c)
        return f->nomem ? NOMEM() : CPI_OK;
    const char *fore = cpi_kv_get(&m->raw, "forenames"), *sur = cpi_kv_get(&m->raw, "surname");
    char name[256];
    if (sur)
        snprintf(name, sizeof name, "%s%s%s", fore ? fore : "", fore ? " " : "", sur);
    else
        snprintf(name, sizeof name, "%s",
                 cpi_kv_get(&m->raw, "name") ? cpi_kv_get(&m->raw, "name")
                 : cpi_kv_get(&m->raw, "address") ? cpi_kv_get(&m->raw, "address")
                 : cpi_kv_get(&m->raw, "phone") ? cpi_kv_get(&m->raw, "phone") : "?");
    *c = (cpi_candidate){.mention_ref = cpi_arena_strdup(f->a, mref), .kind = m->kind,
                         .name = cpi_arena_strdup(f->a, name), .dob = dob ? cpi_arena_strdup(f->a, dob) : NULL,
                         .sources = CPI_SRC_BIT(cpi_src_of_ref(mref)), .nmentions = 1, .first = r.day, .last = r.day,
                         .matched = unresolved_text(f, matched), .type = cand_type(m->kind, 0),
                         .score = f->score};
    c->home = m->kind == CPI_KIND_LOCATION ? cpi_kv_get(&m->keys, "pc") : NULL;
    if (m->kind == CPI_KIND_LOCATION)
        c->area_match = area_match(&f->area, cpi_kv_get(&m->raw, "address"), NULL, c->home);
    return CPI_OK;
}

/* Add every mention of a set (in a stable order: sorted, so output does not depend on hashing). */
static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static cpi_status add_set(found *f, const cpi_intern *set, const cpi_intern *and_in, const char *matched, cpi_error *err)
{
    const char **refs = malloc(sizeof *refs * (set->count ? set->count : 1));
    if (!refs)
        return NOMEM();
    uint32_t n = 0;
    for (uint32_t i = 0; i < set->count; i++)
        if (!and_in || cpi_intern_find(and_in, set->strs[i], strlen(set->strs[i])) != CPI_INTERN_NONE)
            refs[n++] = set->strs[i];
    cpi_sort(refs, n, sizeof *refs, cmp_str);
    cpi_status s = CPI_OK;
    for (uint32_t i = 0; i < n && !s; i++)
        s = add_mention(f, refs[i], matched, err);
    free(refs);
    return s;
}

/* ------------------------------------------------------------------ query forms */

static cpi_status by_reference(found *f, const char *q, const cpi_ref *ref, cpi_error *err)
{
    cpi_status s = CPI_OK;
    if (ref->mention)
        return add_mention(f, q, "reference", err);
    cpi_record r;
    cpi_error e2 = {0};
    if (cpi_store_get_record(f->txn, q, f->a, &r, &e2) != CPI_OK)
        return CPI_OK; /* nothing stored under it: no candidates */
    char mref[CPI_REF_MAX + 8];
    for (uint32_t i = 0; i < r.nmentions && !s; i++) {
        int ml = snprintf(mref, sizeof mref, "%s/%u", q, i + 1);
        if (ml < 0 || (size_t)ml >= sizeof mref)
            break; /* a stored record's reference is shorter than CPI_REF_MAX */
        char how[96];
        snprintf(how, sizeof how, "reference (%s)", r.mentions[i].role);
        s = add_mention(f, mref, cpi_arena_strdup(f->a, how), err);
    }
    return s;
}

static cpi_status by_identifier(found *f, const char *id, bool *hit, cpi_error *err)
{
    cpi_intern set = {0};
    cpi_status s = collect(f->txn, "nid", id, &set, err);
    if (!s)
        s = collect(f->txn, "lid", id, &set, err);
    if (!s)
        s = collect(f->txn, "pnc", id, &set, err);
    *hit = set.count > 0;
    if (!s && *hit)
        s = add_set(f, &set, NULL, "identifier", err);
    cpi_intern_free(&set);
    return s;
}

/* A phone: its entity, or for a person lookup the people who use it. */
static cpi_status by_phone(found *f, const char *tel, cpi_error *err)
{
    cpi_intern set = {0};
    cpi_status s = collect(f->txn, "tel", tel, &set, err);
    if (s || f->o->kind != CPI_KIND_PERSON) {
        if (!s)
            s = add_set(f, &set, NULL, "phone", err);
        cpi_intern_free(&set);
        return s;
    }
    cpi_intern phones = {0};
    for (uint32_t i = 0; i < set.count && !s; i++) {
        cpi_slice v;
        cpi_status gs = cpi_txn_get(f->txn, CPI_DB_ENTITY_OF, set.strs[i], strlen(set.strs[i]), &v, err);
        uint32_t x;
        if (gs == CPI_OK && v.len < CPI_ENTITY_ID_MAX && cpi_intern_add(&phones, v.data, v.len, &x, NULL))
            s = NOMEM();
        else if (gs != CPI_OK && gs != CPI_NOT_FOUND)
            s = gs;
    }
    for (uint32_t i = 0; i < phones.count && !s; i++) {
        cpi_edge *es;
        uint32_t n, total;
        s = cpi_graph_edges(f->txn, phones.strs[i], UINT32_MAX, f->a, &es, &n, &total, err);
        for (uint32_t j = 0; j < n && !s; j++)
            if (strcmp(es[j].type, "uses-phone") == 0 && !es[j].out)
                s = add_entity(f, es[j].other, NULL, "uses the phone", err);
    }
    cpi_intern_free(&phones);
    cpi_intern_free(&set);
    return s;
}

/* Fold free text as the address normaliser folds a part: lower case, letters and digits, single spaces. */
static void fold(const char *raw, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < len && raw[i] && n + 2 < cap; i++) {
        unsigned char ch = (unsigned char)raw[i];
        if (isalnum(ch) || ch >= 0x80) {
            if (space && n)
                out[n++] = ' ';
            out[n++] = (char)tolower(ch);
            space = false;
        } else {
            space = true;
        }
    }
    out[n] = '\0';
}

/* Whether a place (its card's display name and local authority) is in the town a query gave. */
static bool in_town(const char *name, const char *la, const char *town)
{
    char part[CPI_NORM_ADDR_PART_MAX];
    if (la) {
        fold(la, strlen(la), part, sizeof part);
        if (strcmp(part, town) == 0)
            return true;
    }
    for (const char *p = name; p && *p;) { /* any comma-separated part of "premises, number street, town" */
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        fold(p, len, part, sizeof part);
        if (strcmp(part, town) == 0)
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* 1 when a place is in the town or postcode the query gave, -1 when not, 0 when it gave none: the narrowing's input. */
static int area_match(const area_given *g, const char *name, const char *la, const char *postcode)
{
    if (!g || (!g->town && !g->postcode))
        return 0;
    if (g->postcode && postcode && strcmp(g->postcode, postcode) == 0)
        return 1;
    if (g->town && in_town(name, la, g->town))
        return 1;
    return -1;
}

/* One street the index holds under the house number asked for, and how it answers the query. */
typedef struct street_hit {
    int score;
    char *town;          /* the town read off the end of the query (no comma), or NULL */
    const char *matched;
    char *ref;           /* a mention stored under it */
} street_hit;

/* The kind of reading a street score is: as written (3), with the town off the end (2), alike (1). */
static int hit_tier(int score) { return score >= 100 ? 3 : score >= 95 ? 2 : 1; }

/* Best reading first, then by reference, so the same query always lists the same candidates in the same order. */
static int cmp_hit(const void *x, const void *y)
{
    const street_hit *a = x, *b = y;
    return a->score != b->score ? (a->score > b->score ? -1 : 1) : strcmp(a->ref, b->ref);
}

/*
 * How the street stored under the number answers the query's street: exactly
 * (100); as its first words, the rest being the town written without a comma
 * (95); or fuzzily (Jaro-Winkler >= 0.9: 70, or 65 when the rest is a town).
 * 0: not at all. *town_at is where the town starts in qstreet, or -1.
 */
static int street_score(const char *stored, size_t slen, const char *qstreet, bool may_split, int *town_at)
{
    char st[CPI_NORM_ADDR_PART_MAX];
    if (slen >= sizeof st)
        return 0;
    memcpy(st, stored, slen);
    st[slen] = '\0';
    *town_at = -1;
    if (strcmp(st, qstreet) == 0)
        return 100;
    size_t qlen = strlen(qstreet);
    if (may_split && qlen > slen + 1 && memcmp(qstreet, st, slen) == 0 && qstreet[slen] == ' ') {
        *town_at = (int)slen + 1;
        return 95;
    }
    if (cpi_jaro_winkler(st, qstreet) >= 0.9)
        return 70;
    if (!may_split)
        return 0;
    /* the query's first words, as many as the stored street has, fuzzily; the rest the town */
    int words = 1;
    for (const char *p = st; *p; p++)
        words += *p == ' ';
    const char *q = qstreet;
    for (int w = 0; w < words && q; w++) {
        q = strchr(q, ' ');
        if (q && w + 1 < words)
            q++;
    }
    if (!q || !q[1])
        return 0;
    char head[CPI_NORM_ADDR_PART_MAX];
    size_t hl = (size_t)(q - qstreet);
    if (hl >= sizeof head)
        return 0;
    memcpy(head, qstreet, hl);
    head[hl] = '\0';
    if (cpi_jaro_winkler(st, head) < 0.9)
        return 0;
    *town_at = (int)hl + 1;
    return 65;
}

static cpi_status add_hits(found *f, street_hit *hits, uint32_t n, const area_given *given, cpi_error *err);

/*
 * An address with a house number: every street the index holds under that
 * flat and number (one cursor over "addr\x1fFLAT|NUMBER|"), each judged by
 * street_score, so that a missing comma, a misspelt street or a town typed
 * after the street still finds the place.
 */
static cpi_status by_numbered_address(found *f, const cpi_address *a, cpi_error *err)
{
    char prefix[CPI_NORM_ADDR_KEY_MAX + 8];
    int plen = snprintf(prefix, sizeof prefix, "addr%c%s|%s|", CPI_KEY_SEP, a->flat, a->number);
    if (plen < 0 || (size_t)plen >= sizeof prefix)
        return CPI_OK;
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(f->txn, CPI_DB_KEYS, &c, err);
    if (s)
        return s;
    street_hit *hits = NULL;
    uint32_t nh = 0, caph = 0;
    cpi_slice k, v;
    char last[CPI_NORM_ADDR_KEY_MAX + 8] = "";
    size_t lastlen = 0;
    int score = 0, town_at = -1;
    cpi_status cs = cpi_cursor_seek(c, prefix, (size_t)plen, &k, &v, err);
    while (cs == CPI_OK && k.len >= (size_t)plen && memcmp(k.data, prefix, (size_t)plen) == 0 && !s) {
        if (k.len != lastlen || memcmp(k.data, last, k.len) != 0) { /* a new street: judge it once */
            lastlen = k.len < sizeof last ? k.len : 0;
            memcpy(last, k.data, lastlen);
            score = street_score((const char *)k.data + plen, k.len - (size_t)plen, a->street, !a->town[0], &town_at);
        }
        if (score && nh < LOOKUP_POOL) {
            if (nh == caph) {
                caph = caph ? caph * 2 : 16;
                street_hit *nhits = cpi_arena_alloc(f->a, sizeof *nhits * caph);
                if (!nhits) {
                    s = NOMEM();
                    break;
                }
                if (nh)
                    memcpy(nhits, hits, sizeof *hits * nh);
                hits = nhits;
            }
            street_hit *h = &hits[nh++];
            h->score = score;
            h->town = town_at >= 0 ? cpi_arena_strdup(f->a, a->street + town_at) : NULL;
            char st[CPI_NORM_ADDR_PART_MAX];
            size_t sl = k.len - (size_t)plen < sizeof st ? k.len - (size_t)plen : sizeof st - 1;
            memcpy(st, (const char *)k.data + plen, sl);
            st[sl] = '\0';
            char how[CPI_NORM_ADDR_PART_MAX * 2 + 64];
            if (score == 100)
                snprintf(how, sizeof how, "address");
            else if (score == 95)
                snprintf(how, sizeof how, "address (town '%s' read from the end)", h->town);
            else
                snprintf(how, sizeof how, "number %s and a street like '%s'%s%s%s", a->number, st,
                         h->town ? " (town '" : "", h->town ? h->town : "", h->town ? "')" : "");
            h->matched = cpi_arena_strdup(f->a, how);
            h->ref = cpi_arena_alloc(f->a, v.len + 1);
            if (!h->ref || !h->matched) {
                s = NOMEM();
                break;
            }
            memcpy(h->ref, v.data, v.len);
            h->ref[v.len] = '\0';
        }
        cs = cpi_cursor_next(c, &k, &v, err);
    }
    cpi_cursor_close(c);
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    if (!s) {
        cpi_sort(hits, nh, sizeof *hits, cmp_hit); /* the best reading of each mention comes first */
        /* only the best kind of reading: a street matched as written hides its lookalikes under the same
         * number (12 Church Road is not 12 Church Lane), and one read with the town off the end hides fuzzy ones */
        while (nh && hit_tier(hits[nh - 1].score) < hit_tier(hits[0].score))
            nh--;
        area_given g = {a->town[0] ? a->town : NULL, a->postcode[0] ? a->postcode : NULL};
        s = add_hits(f, hits, nh, &g, err);
    }
    return s;
}

/*
 * Turn the street hits into candidates, best reading first (so a mention's
 * entity is described by its best match), each with the town its reading
 * gives (the query's, or the one read off the end) for area_match.
 */
static cpi_status add_hits(found *f, street_hit *hits, uint32_t n, const area_given *given, cpi_error *err)
{
    cpi_status s = CPI_OK;
    for (uint32_t i = 0; i < n && !s; i++) {
        area_given g = *given;
        if (hits[i].town)
            g.town = hits[i].town;
        f->score = hits[i].score;
        f->area = g;
        s = add_mention(f, hits[i].ref, hits[i].matched, err);
    }
    f->area = (area_given){0};
    f->score = 100;
    return s;
}

/* A postcode (every place under it), a numbered address (by_numbered_address) or a house name (its key). */
static cpi_status by_place(found *f, const cpi_query_parsed *p, cpi_error *err)
{
    cpi_intern set = {0};
    cpi_status s;
    if (p->form == CPI_QF_POSTCODE) {
        s = collect(f->txn, "pc", p->postcode.full, &set, err);
        if (!s)
            s = add_set(f, &set, NULL, "postcode", err);
        cpi_intern_free(&set);
        return s;
    }
    const cpi_address *a = &p->address;
    if (a->number[0])
        return by_numbered_address(f, a, err);
    /* a house name: its key as written (the name is the match; nothing to be fuzzy about) */
    s = collect(f->txn, "addr", a->key, &set, err);
    f->area = (area_given){a->town[0] ? a->town : NULL, a->postcode[0] ? a->postcode : NULL};
    if (!s)
        s = add_set(f, &set, NULL, "address", err);
    f->area = (area_given){0};
    cpi_intern_free(&set);
    return s;
}

/* Mentions whose forename (as written, or nickname-canonical) is fn. */
static cpi_status forename_set(cpi_txn *txn, const char *fn, cpi_intern *set, cpi_error *err)
{
    cpi_status s = collect(txn, "fn", fn, set, err);
    if (!s)
        s = collect(txn, "nn", fn, set, err);
    const char *canon[8];
    size_t nc = cpi_norm_forename_canonicals(fn, canon, 8);
    for (size_t i = 0; i < nc && !s; i++)
        s = collect(txn, "nn", canon[i], set, err);
    return s;
}

static cpi_status name_search(found *f, const char *fn, const char *sn, const char *matched, cpi_error *err)
{
    cpi_intern sset = {0}, fset = {0};
    cpi_status s = CPI_OK;
    if (sn && *sn) {
        s = collect(f->txn, "sn", sn, &sset, err);
        if (!s)
            s = collect(f->txn, "sa", sn, &sset, err);
    }
    if (!s && fn && *fn)
        s = forename_set(f->txn, fn, &fset, err);
    if (!s) {
        if (sn && *sn && fn && *fn)
            s = add_set(f, &sset, &fset, matched, err);
        else if (sn && *sn)
            s = add_set(f, &sset, NULL, matched, err);
        else
            s = add_set(f, &fset, NULL, matched, err);
    }
    cpi_intern_free(&sset);
    cpi_intern_free(&fset);
    return s;
}

/*
 * A name. Forename and surname: both must match (100), else the two read the
 * other way round (80). One word alone: as a surname (90), then as a forename
 * (50), since "Jones" typed by an officer is a surname as often as not.
 */
static cpi_status by_name(found *f, const cpi_query_parsed *p, cpi_error *err)
{
    bool dob = f->dob_day != CPI_DAY_NONE;
    if (p->single_word) {
        f->score = 90;
        cpi_status s = name_search(f, NULL, p->swap_surname, dob ? "surname and dob" : "surname", err);
        f->score = 50;
        if (!s)
            s = name_search(f, p->forename, NULL, dob ? "forename and dob" : "forename", err);
        f->score = 100;
        return s;
    }
    const char *matched = !p->forename[0] ? (dob ? "surname and dob" : "surname") : dob ? "name and dob" : "name";
    cpi_status s = name_search(f, p->forename, p->surname, matched, err);
    /* nothing: the two parts may have been written the other way round */
    if (!s && f->out->n == 0 && p->swap) {
        f->score = 80;
        s = name_search(f, p->surname, p->swap_surname, "name with forename and surname swapped", err);
        f->score = 100;
    }
    return s;
}

/* ------------------------------------------------------------------ ranking */

/* The ranking's score: the match, and for a place whether it is in the town or postcode given. */
static int rank_score(const cpi_candidate *c) { return c->score + (c->area_match > 0 ? 10 : 0); }

/* The ranking: match score, then warnings (the riskier first), then the latest record, then id for stability. */
static int cmp_cand(const void *x, const void *y)
{
    const cpi_candidate *a = x, *b = y;
    int sa = rank_score(a), sb = rank_score(b);
    if (sa != sb)
        return sa > sb ? -1 : 1;
    if (a->warnings != b->warnings)
        return a->warnings > b->warnings ? -1 : 1;
    if (a->last != b->last) /* the most recently recorded first; undated last */
        return a->last == CPI_DAY_NONE ? 1 : b->last == CPI_DAY_NONE ? -1 : a->last > b->last ? -1 : 1;
    const char *ia = a->entity_id ? a->entity_id : a->mention_ref, *ib = b->entity_id ? b->entity_id : b->mention_ref;
    return strcmp(ia ? ia : "", ib ? ib : "");
}

/*
 * Rank what was gathered and cut it to max: when the query named a town or
 * postcode and some place is in it, places elsewhere are dropped (counted in
 * `elsewhere`). Then, for the candidates kept only, read each person's home
 * and the resolver's possible matches among them, and put each possible match
 * straight after the candidate it may be the same as.
 */
static cpi_status rank_and_cut(found *f, cpi_error *err)
{
    cpi_lookup *l = f->out;
    bool any_in = false;
    for (uint32_t i = 0; i < l->n; i++)
        any_in |= l->items[i].area_match > 0;
    if (any_in) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < l->n; i++) {
            if (l->items[i].area_match < 0)
                l->elsewhere++;
            else
                l->items[k++] = l->items[i];
        }
        l->n = k;
    }
    for (uint32_t i = 0; i < l->n && !any_in; i++) /* none is where the query said: say so on each */
        if (l->items[i].area_match < 0) {
            char how[512];
            snprintf(how, sizeof how, "%s, but not in the town or postcode given", l->items[i].matched);
            l->items[i].matched = cpi_arena_strdup(f->a, how);
        }
    cpi_sort(l->items, l->n, sizeof *l->items, cmp_cand);
    if (l->n > f->max) {
        l->more += l->n - f->max;
        l->n = f->max;
    }
    for (uint32_t i = 0; i < l->n; i++)
        if (l->items[i].kind == CPI_KIND_PERSON && l->items[i].entity_id)
            l->items[i].home = home_of(f, l->items[i].entity_id);
    if (l->n < 2)
        return CPI_OK;
    const char **ids = malloc(sizeof *ids * l->n);
    uint32_t *partner = malloc(sizeof *partner * l->n), *prob = malloc(sizeof *prob * l->n);
    uint32_t *order = malloc(sizeof *order * l->n);
    cpi_candidate *copy = cpi_arena_alloc(f->a, sizeof *copy * l->n);
    cpi_status s = ids && partner && prob && order && copy ? CPI_OK : NOMEM();
    for (uint32_t i = 0; i < l->n && !s; i++)
        ids[i] = l->items[i].entity_id;
    if (!s)
        s = cpi_same_partners(f->txn, ids, l->n, f->o->withhold, f->a, partner, prob, err);
    if (!s) {
        for (uint32_t i = 0; i < l->n; i++)
            if (partner[i] != CPI_SAME_NONE) {
                l->items[i].same_as = l->items[partner[i]].entity_id;
                l->items[i].same_prob = prob[i];
            }
        cpi_same_order(partner, l->n, order);
        memcpy(copy, l->items, sizeof *copy * l->n);
        for (uint32_t i = 0; i < l->n; i++)
            l->items[i] = copy[order[i]];
    }
    free(ids);
    free(partner);
    free(prob);
    free(order);
    return s;
}

/* Fields whose values differ between candidates: what a person should look at to choose. */
static void differs(cpi_lookup *l)
{
    l->ndiffers = 0;
    if (l->n < 2)
        return;
#define DIFFERS_STR(field, label)                                                                            \
    do {                                                                                                     \
        for (uint32_t i = 1; i < l->n; i++) {                                                                \
            const char *a = l->items[0].field, *b = l->items[i].field;                                       \
            if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) {                                    \
                l->differs[l->ndiffers++] = label;                                                           \
                break;                                                                                       \
            }                                                                                                \
        }                                                                                                    \
    } while (0)
#define DIFFERS_NUM(expr, label)                                                                             \
    do {                                                                                                     \
        for (uint32_t i = 1; i < l->n; i++) {                                                                \
            const cpi_candidate *c0 = &l->items[0], *ci = &l->items[i];                                      \
            (void)c0;                                                                                        \
            (void)ci;                                                                                        \
            if ((expr)) {                                                                                    \
                l->differs[l->ndiffers++] = label;                                                           \
                break;                                                                                       \
            }                                                                                                \
        }                                                                                                    \
    } while (0)
    DIFFERS_STR(name, "name");
    DIFFERS_STR(dob, "dob");
    DIFFERS_STR(home, "home");
    DIFFERS_NUM(c0->sources != ci->sources, "sources");
    DIFFERS_NUM((c0->flags & CPI_EF(CPI_EF_CHILD)) != (ci->flags & CPI_EF(CPI_EF_CHILD)), "child");
    DIFFERS_NUM(c0->first != ci->first || c0->last != ci->last, "dates");
    DIFFERS_NUM((c0->entity_id == NULL) != (ci->entity_id == NULL), "resolved");
#undef DIFFERS_STR
#undef DIFFERS_NUM
}

cpi_status cpi_lookup_run(cpi_txn *txn, const char *query, const cpi_lookup_opts *opts, cpi_arena *arena,
                          cpi_lookup *out, cpi_error *err)
{
    static const cpi_lookup_opts defaults = {0};
    const cpi_lookup_opts *o = opts ? opts : &defaults;
    memset(out, 0, sizeof *out);
    cpi_query_parsed *p = malloc(sizeof *p);
    if (!p)
        return NOMEM();
    cpi_status s = cpi_query_parse(query, o->kind, o->dob, p, err);
    if (s) {
        free(p);
        return s;
    }
    found f = {.out = out, .a = arena, .txn = txn, .o = o, .max = o->max ? o->max : 20, .dob_day = p->dob_day,
               .score = 100};
    if (p->has_dob) {
        f.dob_iso = p->dob_iso;
        s = collect(txn, "dob", p->dob_iso, &f.dob_mentions, err);
    }
    bool hit = false;
    if (s) {
        /* fall through to cleanup */
    } else if (p->form == CPI_QF_ENTITY_ID) {
        out->query_kind = "entity id";
        s = add_entity(&f, p->text, NULL, "entity id", err);
    } else if (p->form == CPI_QF_REFERENCE) {
        out->query_kind = "reference";
        s = by_reference(&f, p->text, &p->ref, err);
    } else if ((s = by_identifier(&f, p->ident, &hit, err)) == CPI_OK && hit) {
        out->query_kind = "identifier";
    } else if (s) {
        /* error */
    } else if (p->form == CPI_QF_PHONE) {
        out->query_kind = "phone";
        s = by_phone(&f, p->tel, err);
    } else if (p->form == CPI_QF_POSTCODE || p->form == CPI_QF_ADDRESS) {
        out->query_kind = p->form == CPI_QF_POSTCODE ? "postcode" : "address";
        s = by_place(&f, p, err);
    } else if (p->form == CPI_QF_NAME) {
        out->query_kind = "name";
        s = by_name(&f, p, err);
    } else {
        out->query_kind = "name";
        s = cpi_error_set(err, CPI_ERR_USAGE, "%s", p->invalid);
    }
    if (!s && f.nomem)
        s = NOMEM();
    if (!s)
        s = rank_and_cut(&f, err);
    if (!s && p->form == CPI_QF_ADDRESS && out->elsewhere)
        out->town = p->address.town[0] ? cpi_arena_strdup(arena, p->address.town) : NULL;
    for (int src = 0; src < CPI_SRC__COUNT; src++)
        if (out->withheld_sources & CPI_SRC_BIT(src))
            out->contact[src] = o->contact[src] ? o->contact[src] : cpi_src_default_contact((cpi_src)src);
    cpi_intern_free(&f.seen);
    cpi_intern_free(&f.dob_mentions);
    free(p);
    if (!s)
        differs(out);
    return s;
}
