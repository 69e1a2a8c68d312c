/*
 * resolve/explain.c - why two mentions scored as they did, with the model
 * the last resolve trained and stored.
 *
 * The pair's comparison vector is rebuilt from the store the way resolve
 * built it in memory (the same cpi_rs_mention_fill and cpi_rs_*_vec):
 *   - term frequencies from the counts resolve stored (n:tf:sn:jones over
 *     n:tf:sn);
 *   - homes, phones and related people from the relations of the mention's
 *     record and of every record holding its Niche nominal id, as entity
 *     numbers from entity_of.
 * Differences: resolve also counts as related the people named in one event
 * across records (a Niche occurrence's occurrence_nominals rows share its
 * urn), which the store has no index to find again here; it gathers context
 * across a human --same decision; and it compares related people as its first
 * pass clustered them, where explain sees the final entities. So for a Niche
 * nominal, explain may show "related: not_shared" where resolve saw "shared":
 * the note under the waterfall says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "core/codec.h"
#include "core/normalise/normalise.h"
#include "resolve/internal.h"

#define CTX_MAX 64

typedef struct ctxset {
    uint32_t v[CTX_MAX];
    uint32_t n;
} ctxset;

static void set_add(ctxset *s, uint32_t x)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->v[i] == x)
            return;
    if (s->n < CTX_MAX)
        s->v[s->n++] = x;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The entity number of mention n of record ref, 0 if not resolved. */
static uint32_t entity_num(cpi_txn *t, const char *ref, uint32_t n)
{
    char mref[CPI_REF_MAX + 8], id[CPI_ENTITY_ID_MAX];
    int l = snprintf(mref, sizeof mref, "%s/%u", ref, n);
    cpi_slice v;
    cpi_error e;
    if (cpi_txn_get(t, CPI_DB_ENTITY_OF, mref, (size_t)l, &v, &e) || v.len >= sizeof id)
        return 0;
    memcpy(id, v.data, v.len);
    id[v.len] = '\0';
    cpi_kind k;
    uint64_t num;
    return cpi_entity_id_parse(id, &k, &num, &e) || num > UINT32_MAX ? 0 : (uint32_t)num;
}

/* Homes, phones and related people reached from mention n of rec (as resolve/context.c gathers them). */
static void record_context(cpi_txn *t, const cpi_record *rec, uint32_t n, ctxset *homes, ctxset *phones,
                           ctxset *related)
{
    for (uint32_t k = 0; k < rec->nrelations; k++) {
        const cpi_relation *r = &rec->relations[k];
        if (r->to == n && r->from >= 1 && r->from <= rec->nmentions &&
            rec->mentions[r->from - 1].kind == CPI_KIND_PERSON) {
            uint32_t e = entity_num(t, rec->ref, r->from);
            if (e)
                set_add(related, e);
        }
        if (r->from == n && r->to >= 1 && r->to <= rec->nmentions && rec->mentions[r->to - 1].kind == CPI_KIND_PERSON) {
            uint32_t e = entity_num(t, rec->ref, r->to);
            if (e)
                set_add(related, e);
        }
        if (r->from != n || r->to < 1 || r->to > rec->nmentions)
            continue;
        cpi_kind to = rec->mentions[r->to - 1].kind;
        uint8_t type = cpi_rs_rel_type(r->type);
        if (type == RS_REL_LIVES_AT && to == CPI_KIND_LOCATION) {
            uint32_t e = entity_num(t, rec->ref, r->to);
            if (e)
                set_add(homes, e);
        } else if (type == RS_REL_USES_PHONE && to == CPI_KIND_PHONE) {
            uint32_t e = entity_num(t, rec->ref, r->to);
            if (e)
                set_add(phones, e);
        } else if (type == RS_REL_HOUSEHOLD && to == CPI_KIND_PERSON) {
            for (uint32_t j = 0; j < rec->nrelations; j++) {
                const cpi_relation *h = &rec->relations[j];
                if (h->from == r->to && cpi_rs_rel_type(h->type) == RS_REL_LIVES_AT && h->to >= 1 &&
                    h->to <= rec->nmentions && rec->mentions[h->to - 1].kind == CPI_KIND_LOCATION) {
                    uint32_t e = entity_num(t, rec->ref, h->to);
                    if (e)
                        set_add(homes, e);
                }
            }
        }
    }
}

/* Context of a person mention: its own record, and every record sharing its nominal id. */
static cpi_status person_context(cpi_txn *t, const cpi_record *rec, uint32_t n, const char *nid, ctxset *homes,
                                 ctxset *phones, ctxset *related, cpi_error *err)
{
    record_context(t, rec, n, homes, phones, related);
    if (!nid)
        return CPI_OK;
    char key[CPI_REF_MAX + 8];
    int kl = snprintf(key, sizeof key, "nid%c%s", CPI_KEY_SEP, nid);
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(t, CPI_DB_KEYS, &c, err);
    if (s)
        return s;
    cpi_slice k, v;
    cpi_arena a = {0};
    cpi_status cs = cpi_cursor_seek(c, key, (size_t)kl, &k, &v, err);
    for (; cs == CPI_OK && k.len == (size_t)kl && memcmp(k.data, key, (size_t)kl) == 0;
         cs = cpi_cursor_next_dup(c, &k, &v, err)) {
        char mref[CPI_REF_MAX + 8];
        if (v.len >= sizeof mref)
            continue;
        memcpy(mref, v.data, v.len);
        mref[v.len] = '\0';
        char *slash = strrchr(mref, '/');
        if (!slash)
            continue;
        *slash = '\0';
        uint32_t num = (uint32_t)strtoul(slash + 1, NULL, 10);
        cpi_record r;
        cpi_arena_reset(&a);
        if (cpi_store_get_record(t, mref, &a, &r, err) == CPI_OK)
            record_context(t, &r, num, homes, phones, related);
    }
    cpi_arena_free(&a);
    cpi_cursor_close(c);
    return CPI_OK;
}

/* Relative frequency of a forename / surname value, from the counts resolve stored. */
static double term_frequency(cpi_txn *t, const char *counter, const char *value)
{
    if (!value)
        return 0;
    char name[600];
    int n = snprintf(name, sizeof name, "%s:%s", counter, value);
    int64_t count = 0, total = 0;
    cpi_error e;
    if (n <= 0 || (size_t)n >= sizeof name || cpi_txn_counter_get(t, name, &count, &e) ||
        cpi_txn_counter_get(t, counter, &total, &e) || total <= 0)
        return 0;
    return (double)count / (double)total;
}

static double meta_double(cpi_txn *t, const char *key, double dflt)
{
    cpi_slice v;
    cpi_error e;
    char buf[64];
    if (cpi_txn_get(t, CPI_DB_META, key, strlen(key), &v, &e) || v.len >= sizeof buf)
        return dflt;
    memcpy(buf, v.data, v.len);
    buf[v.len] = '\0';
    return strtod(buf, NULL);
}

typedef struct side {
    cpi_record rec;
    char ref[CPI_REF_MAX];
    uint32_t n;
    cpi_rs_mention m;
    cpi_rs_mention home; /* the location its own record says it lives at, when has_home */
    bool has_home;
} side;

static cpi_status load_side(cpi_txn *t, const char *text, cpi_arena *a, cpi_intern *str, side *s, cpi_error *err)
{
    cpi_ref ref;
    cpi_status st = cpi_ref_parse(text, &ref, err);
    if (st)
        return st;
    if (ref.mention == 0)
        return cpi_error_set(err, CPI_ERR_USAGE, "'%s' names a record; name one of its mentions as %s/N", text, text);
    snprintf(s->ref, sizeof s->ref, "%s:%s", ref.source, ref.record_id);
    if ((st = cpi_store_get_record(t, s->ref, a, &s->rec, err)))
        return st;
    if (ref.mention > s->rec.nmentions)
        return cpi_error_set(err, CPI_NOT_FOUND, "record %s has %u mentions, so there is no %s", s->ref,
                             s->rec.nmentions, text);
    s->n = ref.mention;
    if ((st = cpi_rs_mention_fill(str, &s->rec.mentions[s->n - 1], s->rec.day, &s->m, err)))
        return st;
    /* its own record's home, as resolve/people.c takes it: the first lives-at to a location */
    s->has_home = false;
    for (uint32_t k = 0; k < s->rec.nrelations && !s->has_home; k++) {
        const cpi_relation *r = &s->rec.relations[k];
        if (r->from == s->n && r->to >= 1 && r->to <= s->rec.nmentions &&
            cpi_rs_rel_type(r->type) == RS_REL_LIVES_AT && s->rec.mentions[r->to - 1].kind == CPI_KIND_LOCATION) {
            if ((st = cpi_rs_mention_fill(str, &s->rec.mentions[r->to - 1], s->rec.day, &s->home, err)))
                return st;
            s->has_home = true;
        }
    }
    return CPI_OK;
}

static const char *key_of(const cpi_intern *str, const side *s, int slot)
{
    return cpi_intern_id_str(str, s->m.key[slot]);
}

static void entity_text(cpi_txn *t, const side *s, char *out)
{
    char mref[CPI_REF_MAX + 8];
    int l = snprintf(mref, sizeof mref, "%s/%u", s->ref, s->n);
    cpi_slice v;
    cpi_error e;
    out[0] = '\0';
    if (cpi_txn_get(t, CPI_DB_ENTITY_OF, mref, (size_t)l, &v, &e) == CPI_OK && v.len < CPI_ENTITY_ID_MAX) {
        memcpy(out, v.data, v.len);
        out[v.len] = '\0';
    }
}

/* ------------------------------------------------ why two entities stay apart */

#define APART_MAX_MEMBERS 2000 /* members read per entity: a check costs |A| x |B| */

typedef struct members {
    side *v;
    size_t n;
} members;

/* The person or place mentions of entity id, as the guard sees them (at most APART_MAX_MEMBERS). */
static cpi_status load_members(cpi_txn *t, const char *id, cpi_arena *a, cpi_intern *str, members *out, cpi_error *err)
{
    out->n = 0;
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(t, CPI_DB_MEMBERS, &c, err);
    if (s)
        return s;
    cpi_slice k, v;
    s = cpi_cursor_seek(c, id, strlen(id), &k, &v, err);
    while (s == CPI_OK && k.len == strlen(id) && memcmp(k.data, id, k.len) == 0 && out->n < APART_MAX_MEMBERS) {
        char ref[CPI_REF_MAX + 16];
        if (v.len < sizeof ref) {
            memcpy(ref, v.data, v.len);
            ref[v.len] = '\0';
            if (!out->v && !(out->v = calloc(APART_MAX_MEMBERS, sizeof *out->v))) {
                s = cpi_error_set(err, CPI_ERR_NOMEM, "explain: out of memory for members");
                break;
            }
            if (load_side(t, ref, a, str, &out->v[out->n], err) == CPI_OK)
                out->n++;
        }
        s = cpi_cursor_next_dup(c, &k, &v, err);
    }
    cpi_cursor_close(c);
    return s == CPI_NOT_FOUND ? CPI_OK : s;
}

static void day_text(int32_t day, char *buf, size_t cap)
{
    int y, m, d;
    cpi_norm_ymd_from_days(day, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

/*
 * The first reason the guard (resolve/cluster.c) has to keep one member of A and one of B apart, in
 * words naming both mentions; false when none is found among the members read. It checks what the
 * guard checks, in the order a reader would want: two people of one record, two PNC ids, DOBs no
 * typo explains, a DOB too young for what the other did, forenames that are two names; for places
 * two flats, house numbers, postcode sectors or towns. (The guard's subtler forename cases - names
 * written the other way round - are not re-derived here.)
 */
static bool member_conflict(const cpi_intern *str, const side *x, const side *y, bool fn_on, int32_t dob_tol,
                            char *out, size_t cap)
{
    char ax[CPI_REF_MAX + 16], bx[CPI_REF_MAX + 16];
    snprintf(ax, sizeof ax, "%s/%u", x->ref, x->n);
    snprintf(bx, sizeof bx, "%s/%u", y->ref, y->n);
    const cpi_rs_mention *a = &x->m, *b = &y->m;
    if (a->kind == CPI_KIND_PERSON) {
        if (strcmp(x->ref, y->ref) == 0 && x->n != y->n) {
            snprintf(out, cap, "%s and %s are two people named in one record", ax, bx);
            return true;
        }
        if (a->key[RS_P_PNC] && b->key[RS_P_PNC] && a->key[RS_P_PNC] != b->key[RS_P_PNC]) {
            snprintf(out, cap, "two PNC ids: %s (%s) and %s (%s)", cpi_intern_id_str(str, a->key[RS_P_PNC]), ax,
                     cpi_intern_id_str(str, b->key[RS_P_PNC]), bx);
            return true;
        }
        if (cpi_rs_dob_conflict_tol(a->dob_lo, a->dob_hi, b->dob_lo, b->dob_hi, dob_tol)) {
            char da[16], db[16];
            day_text(a->dob_lo, da, sizeof da);
            day_text(b->dob_lo, db, sizeof db);
            snprintf(out, cap,
                     "DOBs %s (%s) and %s (%s) are further apart than a typo explains (this data's matches "
                     "allow %d days)",
                     da, ax, db, bx, (int)dob_tol);
            return true;
        }
        const side *ac[2] = {x, y}, *ot[2] = {y, x};
        for (int k = 0; k < 2; k++) {
            int yy, mm, dd;
            if (!(ac[k]->m.flags & RS_F_ACTOR) || ac[k]->rec.day == CPI_DAY_NONE)
                continue;
            cpi_norm_ymd_from_days(ac[k]->rec.day, &yy, &mm, &dd);
            if (cpi_rs_act_conflict(ot[k]->m.dob_lo, yy)) {
                const char *role = ac[k]->rec.mentions[ac[k]->n - 1].role;
                snprintf(out, cap, "%s/%u acted as %s in %d, when the DOB of %s/%u makes them under 10", ac[k]->ref,
                         ac[k]->n, role ? role : "an actor", yy, ot[k]->ref, ot[k]->n);
                return true;
            }
        }
        const char *fa = cpi_intern_id_str(str, a->key[RS_P_FN]), *fb = cpi_intern_id_str(str, b->key[RS_P_FN]);
        if (fn_on && cpi_rs_forename_conflict(fa, fb)) {
            snprintf(out, cap, "forenames '%s' (%s) and '%s' (%s) are two names, not a spelling or a short form", fa,
                     ax, fb, bx);
            return true;
        }
        return false;
    }
    static const struct {
        int slot;
        const char *what;
    } P[] = {{RS_L_FLAT, "flats"}, {RS_L_HOUSE, "house numbers"}, {RS_L_PCS, "postcode sectors"}, {RS_L_TOWN, "towns"}};
    for (size_t k = 0; k < sizeof P / sizeof P[0]; k++) {
        uint32_t va = a->key[P[k].slot], vb = b->key[P[k].slot];
        const char *ta = cpi_intern_id_str(str, va);
        if (P[k].slot == RS_L_HOUSE && !(ta && ta[0] >= '0' && ta[0] <= '9'))
            continue;
        if (va && vb && va != vb) {
            snprintf(out, cap, "two %s: '%s' (%s) and '%s' (%s)", P[k].what, ta, ax, cpi_intern_id_str(str, vb), bx);
            return true;
        }
    }
    return false;
}

/* Fill out->guard with why entities entity_a and entity_b stayed apart (see member_conflict). */
static cpi_status apart_reason(cpi_txn *t, cpi_resolve_explanation *out, cpi_intern *str, cpi_arena *arena,
                               cpi_error *err)
{
    char fn[8] = "on";
    cpi_slice v;
    cpi_error e;
    if (cpi_txn_get(t, CPI_DB_META, RS_META_GUARD_FN, strlen(RS_META_GUARD_FN), &v, &e) == CPI_OK && v.len < sizeof fn) {
        memcpy(fn, v.data, v.len);
        fn[v.len] = '\0';
    }
    int32_t tol = (int32_t)meta_double(t, RS_META_GUARD_DOB, 31);
    members A = {0}, B = {0};
    cpi_status s = load_members(t, out->entity_a, arena, str, &A, err);
    if (!s)
        s = load_members(t, out->entity_b, arena, str, &B, err);
    bool found = false;
    for (size_t i = 0; i < A.n && !s && !found; i++)
        for (size_t j = 0; j < B.n && !found; j++)
            found = member_conflict(str, &A.v[i], &B.v[j], strcmp(fn, "off") != 0, tol, out->guard,
                                    sizeof out->guard);
    if (!s && !found)
        snprintf(out->guard, sizeof out->guard,
                 "no two of their members conflict as the guard reads them (of %zu and %zu read): a human "
                 "--different, or clusters joined in another order, kept them apart",
                 A.n, B.n);
    free(A.v);
    free(B.v);
    return s;
}

static cpi_status explain_in(cpi_txn *t, const char *ref_a, const char *ref_b, cpi_resolve_explanation *out,
                             cpi_intern *str, cpi_arena *arena, cpi_error *err)
{
    side a, b;
    cpi_status s;
    if ((s = load_side(t, ref_a, arena, str, &a, err)) || (s = load_side(t, ref_b, arena, str, &b, err)))
        return s;
    if (a.m.kind != b.m.kind)
        return cpi_error_set(err, CPI_ERR_USAGE, "%s is a %s and %s a %s: only mentions of one kind compare", ref_a,
                             cpi_kind_name(a.m.kind), ref_b, cpi_kind_name(b.m.kind));
    out->kind = (cpi_kind)a.m.kind;
    entity_text(t, &a, out->entity_a);
    entity_text(t, &b, out->entity_b);
    out->link = meta_double(t, RS_META_LINK, CPI_FS_LINK_DEFAULT);
    out->possible = meta_double(t, RS_META_POSSIBLE, CPI_FS_POSSIBLE_DEFAULT);
    if (out->kind == CPI_KIND_PHONE || out->kind == CPI_KIND_ONLINE) {
        out->note = "phones and online ids are not scored: they link when their canonical keys are equal";
        bool same = false;
        for (int k = 0; k < RS_NKEYS; k++)
            same |= a.m.key[k] && a.m.key[k] == b.m.key[k];
        out->band = same ? CPI_FS_LINK : CPI_FS_NONLINK;
        return CPI_OK;
    }
    const char *mkey = out->kind == CPI_KIND_PERSON ? RS_META_MODEL_PERSON : RS_META_MODEL_LOCATION;
    cpi_slice mv;
    s = cpi_txn_get(t, CPI_DB_META, mkey, strlen(mkey), &mv, err);
    if (s == CPI_NOT_FOUND)
        return cpi_error_set(err, CPI_NOT_FOUND, "no trained %s model yet: run 'cpindex resolve' first",
                             cpi_kind_name(out->kind));
    if (s || (s = cpi_fs_model_decode(mv.data, mv.len, &out->model, err)))
        return s;
    cpi_fs_vec vec;
    double tf[CPI_FS_MAX_CMP] = {0};
    if (out->kind == CPI_KIND_PERSON) {
        ctxset ha = {0}, pa = {0}, ra = {0}, hb = {0}, pb = {0}, rb = {0};
        if ((s = person_context(t, &a.rec, a.n, key_of(str, &a, RS_P_NID), &ha, &pa, &ra, err)) ||
            (s = person_context(t, &b.rec, b.n, key_of(str, &b, RS_P_NID), &hb, &pb, &rb, err)))
            return s;
        ctxset *sets[6] = {&ha, &pa, &ra, &hb, &pb, &rb};
        for (int i = 0; i < 6; i++)
            cpi_sort(sets[i]->v, sets[i]->n, sizeof sets[i]->v[0], cmp_u32);
        cpi_rs_pview va, vb;
        const side *sides[2] = {&a, &b};
        cpi_rs_pview *views[2] = {&va, &vb};
        for (int i = 0; i < 2; i++) {
            const side *x = sides[i];
            cpi_rs_pview *v = views[i];
            memset(v, 0, sizeof *v);
            cpi_rs_pview_keys(v, str, &x->m);
            if (x->has_home)
                cpi_rs_lview_keys(&v->home, str, &x->home);
            v->tf_fn = term_frequency(t, RS_META_TF_FN, v->fn);
            v->tf_sn = term_frequency(t, RS_META_TF_SN, v->sn);
        }
        va.homes = ha.v, va.nhomes = ha.n, va.phones = pa.v, va.nphones = pa.n, va.related = ra.v, va.nrelated = ra.n;
        vb.homes = hb.v, vb.nhomes = hb.n, vb.phones = pb.v, vb.nphones = pb.n, vb.related = rb.v, vb.nrelated = rb.n;
        cpi_rs_person_vec(&va, &vb, &vec, tf);
        if (va.nid && vb.nid && strcmp(va.nid, vb.nid) == 0)
            out->note = "the same Niche nominal id: linked outright, whatever the score";
        else if (va.nid || vb.nid)
            out->note = "resolve also counts people named in one Niche occurrence as related, which explain "
                        "cannot look up: 'related' may have been 'shared' in resolve";
        else if ((a.m.flags | b.m.flags) & RS_F_WEAK)
            out->note = "a weak mention (first name and age, or a street name): resolve links it only through "
                        "context - a shared home, phone or related person - never by this score alone";
    } else {
        cpi_rs_lview la, lb;
        const side *sides[2] = {&a, &b};
        cpi_rs_lview *views[2] = {&la, &lb};
        for (int i = 0; i < 2; i++)
            cpi_rs_lview_set(views[i], key_of(str, sides[i], RS_L_HOUSE), key_of(str, sides[i], RS_L_FLAT),
                             key_of(str, sides[i], RS_L_STREET), key_of(str, sides[i], RS_L_PC),
                             key_of(str, sides[i], RS_L_TOWN), key_of(str, sides[i], RS_L_PLACE),
                             key_of(str, sides[i], RS_L_PREMISES));
        cpi_rs_location_vec(&la, &lb, &vec);
        if (a.m.key[RS_L_LID] && a.m.key[RS_L_LID] == b.m.key[RS_L_LID])
            out->note = "the same Niche location id: linked outright, whatever the score";
    }
    if ((s = cpi_fs_explain(&out->model, &vec, tf, &out->ex, err)))
        return s;
    out->band = cpi_fs_band(out->ex.probability, out->possible, out->link);
    if (out->band == CPI_FS_LINK && out->entity_a[0] && out->entity_b[0] && strcmp(out->entity_a, out->entity_b) != 0)
        return apart_reason(t, out, str, arena, err);
    return CPI_OK;
}

cpi_status cpi_resolve_explain(cpi_store *st, const char *ref_a, const char *ref_b, cpi_resolve_explanation *out,
                               cpi_error *err)
{
    memset(out, 0, sizeof *out);
    cpi_txn *t;
    cpi_status s = cpi_store_read_begin(st, &t, err);
    if (s)
        return s;
    cpi_intern str = {0};
    cpi_arena arena = {0};
    s = explain_in(t, ref_a, ref_b, out, &str, &arena, err);
    cpi_arena_free(&arena);
    cpi_intern_free(&str);
    cpi_txn_end(t);
    return s;
}
