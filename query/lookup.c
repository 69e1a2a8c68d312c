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

#include "core/normalise.h"
#include "query/graphdb.h"
#include "query/intern.h"
#include "query/query_parse.h"
#include "query/sort.h"

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
} found;

static cpi_candidate *push(found *f)
{
    cpi_lookup *l = f->out;
    if (l->n >= f->max) {
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
    cpi_candidate *cand = push(f);
    if (!cand)
        return f->nomem ? NOMEM() : CPI_OK;
    *cand = (cpi_candidate){.entity_id = c.id, .mention_ref = mref ? cpi_arena_strdup(f->a, mref) : NULL,
                            .kind = c.kind, .name = c.name, .dob = c.dob, .flags = c.flags, .sources = c.sources,
                            .nmentions = c.nmentions, .first = c.first, .last = c.last, .matched = matched};
    cand->home = c.kind == CPI_KIND_PERSON ? home_of(f, c.id) : c.postcode;
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
                         .matched = unresolved_text(f, matched)};
    c->home = m->kind == CPI_KIND_LOCATION ? cpi_kv_get(&m->keys, "pc") : NULL;
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
    cpi_qsort(refs, n, sizeof *refs, cmp_str);
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
    s = collect(f->txn, "addr", a->key, &set, err);
    cpi_intern in_pc = {0};
    if (!s && a->postcode[0])
        s = collect(f->txn, "pc", a->postcode, &in_pc, err);
    if (!s)
        s = add_set(f, &set, a->postcode[0] ? &in_pc : NULL, a->postcode[0] ? "address and postcode" : "address", err);
    cpi_intern_free(&in_pc);
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

static cpi_status by_name(found *f, const cpi_query_parsed *p, cpi_error *err)
{
    const char *matched = f->dob_day != CPI_DAY_NONE ? "name and dob" : "name";
    cpi_status s = name_search(f, p->forename, p->surname, matched, err);
    /* nothing: the two parts may have been written the other way round */
    if (!s && f->out->n == 0 && p->swap)
        s = name_search(f, p->surname, p->swap_surname, "name with forename and surname swapped", err);
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
    found f = {.out = out, .a = arena, .txn = txn, .o = o, .max = o->max ? o->max : 20, .dob_day = p->dob_day};
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
    cpi_intern_free(&f.seen);
    cpi_intern_free(&f.dob_mentions);
    free(p);
    if (!s)
        differs(out);
    return s;
}

/* ------------------------------------------------------------------ output */

static json_t *jdate(int32_t day)
{
    if (day == CPI_DAY_NONE)
        return json_null();
    char d[CPI_NORM_ISO_DATE_MAX];
    cpi_norm_date_iso(day, d);
    return json_string(d);
}

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

json_t *cpi_lookup_json(const cpi_lookup *l, const char *query)
{
    json_t *cands = json_array();
    for (uint32_t i = 0; i < l->n; i++) {
        const cpi_candidate *c = &l->items[i];
        json_t *src = json_array(), *flags = json_array();
        for (int s = 0; s < CPI_SRC__COUNT; s++)
            if (c->sources & CPI_SRC_BIT(s))
                json_array_append_new(src, json_string(cpi_src_name((cpi_src)s)));
        for (unsigned fl = 0; fl < CPI_EF__COUNT; fl++)
            if (c->flags & CPI_EF(fl))
                json_array_append_new(flags, json_string(cpi_flag_info_get(fl)->name));
        json_array_append_new(cands, json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:s}",
                                               "entity_id", jstr(c->entity_id), "mention_ref", jstr(c->mention_ref),
                                               "kind", cpi_kind_name(c->kind) ? cpi_kind_name(c->kind) : "?",
                                               "name", jstr(c->name), "dob", jstr(c->dob), "home", jstr(c->home),
                                               "flags", flags, "sources", src, "mentions", (int)c->nmentions,
                                               "first", jdate(c->first), "last", jdate(c->last), "matched",
                                               c->matched ? c->matched : ""));
    }
    json_t *diff = json_array();
    for (uint32_t i = 0; i < l->ndiffers; i++)
        json_array_append_new(diff, json_string(l->differs[i]));
    return json_pack("{s:s, s:s, s:o, s:i, s:o}", "query", query, "query_kind", l->query_kind ? l->query_kind : "",
                     "candidates", cands, "more", (int)l->more, "differs", diff);
}

void cpi_lookup_text(const cpi_lookup *l, const char *query, FILE *out)
{
    fprintf(out, "'%s' (%s) matches %u%s candidates; pick one by its id:\n\n", query, l->query_kind,
            l->n, l->more ? "+" : "");
    for (uint32_t i = 0; i < l->n; i++) {
        const cpi_candidate *c = &l->items[i];
        char src[64] = "", d1[CPI_NORM_ISO_DATE_MAX] = "?", d2[CPI_NORM_ISO_DATE_MAX] = "?";
        size_t n = 0;
        for (int s = 0; s < CPI_SRC__COUNT; s++)
            if (c->sources & CPI_SRC_BIT(s))
                n += (size_t)snprintf(src + n, sizeof src - n, "%s%s", n ? "," : "", cpi_src_name((cpi_src)s));
        if (c->first != CPI_DAY_NONE)
            cpi_norm_date_iso(c->first, d1);
        if (c->last != CPI_DAY_NONE)
            cpi_norm_date_iso(c->last, d2);
        fprintf(out, "  %-10s %s%s, born %s%s\n", c->entity_id ? c->entity_id : c->mention_ref, c->name ? c->name : "?",
                c->flags & CPI_EF(CPI_EF_CHILD) ? " (child)" : "", c->dob ? c->dob : "unknown",
                c->entity_id ? "" : "  [unresolved mention]");
        fprintf(out, "             home: %s\n", c->home ? c->home : "none recorded");
        fprintf(out, "             %u mention%s in %s, %s..%s; matched by %s\n", c->nmentions,
                c->nmentions == 1 ? "" : "s", src, d1, d2, c->matched ? c->matched : "?");
    }
    if (l->more)
        fprintf(out, "\n  ... and %u more: narrow the search (add --dob, or the forename)\n", l->more);
    if (l->ndiffers) {
        fprintf(out, "\n  they differ in:");
        for (uint32_t i = 0; i < l->ndiffers; i++)
            fprintf(out, " %s", l->differs[i]);
        fputc('\n', out);
    }
}
