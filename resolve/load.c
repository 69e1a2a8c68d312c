/*
 * resolve/load.c - one pass over the store into the resolver's compact
 * arrays (see resolve/internal.h): every record's reference, date, mentions
 * with their keys as interned ids, and relations as pairs of global mention
 * indices; then the previous run's entity of each mention, for stable ids.
 *
 * A decoded record lives in a scratch arena reset per record, so memory
 * holds only the compact form: about 80 bytes a mention plus distinct
 * strings.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/sort.h"
#include "core/array.h"
#include "core/codec.h"
#include "core/keyname.h"
#include "core/normalise/normalise.h"
#include "ingest/adapter.h"
#include "resolve/internal.h"

void cpi_rs_data_free(cpi_rs_data *d)
{
    cpi_intern_free(&d->str);
    cpi_intern_free(&d->roles);
    cpi_intern_free(&d->old_ids);
    free(d->refbuf);
    free(d->recs);
    free(d->m);
    free(d->rels);
    free(d->xrels);
    free(d->evrec);
    free(d->old_entity);
    free(d->fn_count);
    free(d->sn_count);
    memset(d, 0, sizeof *d);
}

/* A Niche occurrence involvement (kept as a fact by the adapter) that only someone of 10 or over can
 * have. Not "suspect": police record children under 10 as suspects too (and cpgen does). */
static const char *const ACTOR_INVOLVEMENTS[] = {"offender", "accused", "charged", "arrested"};

static bool in_list(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        if (strcasecmp(v, list[i]) == 0)
            return true;
    return false;
}

/* Is a person of this record an actor (RS_F_ACTOR): by its role (CPI_RF_ACTOR), or the record's involvement fact? */
static bool actor(const cpi_record *rec, unsigned role_flags)
{
    if (role_flags & CPI_RF_ACTOR)
        return true;
    for (uint32_t i = 0; i < rec->facts.count; i++)
        if (rec->facts.items[i].key && strcasecmp(rec->facts.items[i].key, "involvement") == 0 &&
            in_list(rec->facts.items[i].value, ACTOR_INVOLVEMENTS,
                    sizeof ACTOR_INVOLVEMENTS / sizeof ACTOR_INVOLVEMENTS[0]))
            return true;
    return false;
}

uint8_t cpi_rs_rel_type(const char *name)
{
    static const struct {
        const char *name;
        uint8_t type;
    } T[] = {{"lives-at", RS_REL_LIVES_AT},         {"household-member", RS_REL_HOUSEHOLD},
             {"uses-phone", RS_REL_USES_PHONE},     {"uses-identity", RS_REL_USES_IDENTITY},
             {"associate-of", RS_REL_ASSOCIATE},    {"poses-risk-to", RS_REL_POSES_RISK},
             {"found-at", RS_REL_FOUND_AT}};
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (name && strcmp(name, T[i].name) == 0)
            return T[i].type;
    return RS_REL_OTHER;
}

/* Key name -> slot for one kind; -1 if the resolver does not read it. */
static int slot_of(cpi_kind kind, const char *name, int *second)
{
    static const struct {
        uint8_t kind;
        const char *name;
        int8_t slot, second; /* second: the slot for a second value under the same name */
    } T[] = {
        {CPI_KIND_PERSON, CPI_KEY_FN, RS_P_FN, -1},         {CPI_KIND_PERSON, CPI_KEY_FM, RS_P_FM, -1},
        {CPI_KIND_PERSON, CPI_KEY_SN, RS_P_SN, -1},         {CPI_KIND_PERSON, CPI_KEY_SA, RS_P_SA, -1},
        {CPI_KIND_PERSON, CPI_KEY_FX, RS_P_FX, RS_P_FX2},   {CPI_KIND_PERSON, CPI_KEY_SX, RS_P_SX, RS_P_SX2},
        {CPI_KIND_PERSON, CPI_KEY_NID, RS_P_NID, -1},       {CPI_KIND_PERSON, CPI_KEY_PNC, RS_P_PNC, -1},
        {CPI_KIND_PERSON, CPI_KEY_GENDER, RS_P_GENDER, -1}, {CPI_KIND_PERSON, CPI_KEY_STREET, RS_P_STREET, -1},
        {CPI_KIND_PERSON, CPI_KEY_EMAIL, RS_P_EMAIL, -1},
        {CPI_KIND_LOCATION, CPI_KEY_ADDR, RS_L_ADDR, -1},   {CPI_KIND_LOCATION, CPI_KEY_HOUSE, RS_L_HOUSE, -1},
        {CPI_KIND_LOCATION, CPI_KEY_FLAT, RS_L_FLAT, -1},   {CPI_KIND_LOCATION, CPI_KEY_STREET_K, RS_L_STREET, -1},
        {CPI_KIND_LOCATION, CPI_KEY_TOWN, RS_L_TOWN, -1},   {CPI_KIND_LOCATION, CPI_KEY_PREMISES, RS_L_PREMISES, -1},
        {CPI_KIND_LOCATION, CPI_KEY_PC, RS_L_PC, -1},       {CPI_KIND_LOCATION, CPI_KEY_PCS, RS_L_PCS, -1},
        {CPI_KIND_LOCATION, CPI_KEY_PCD, RS_L_PCD, -1},     {CPI_KIND_LOCATION, CPI_KEY_PLACE, RS_L_PLACE, -1},
        {CPI_KIND_LOCATION, CPI_KEY_LID, RS_L_LID, -1},     {CPI_KIND_PHONE, CPI_KEY_TEL, RS_T_TEL, -1},
        {CPI_KIND_ONLINE, CPI_KEY_EMAIL, RS_O_EMAIL, -1},   {CPI_KIND_ONLINE, CPI_KEY_USER, RS_O_USER, -1},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (T[i].kind == kind && strcmp(T[i].name, name) == 0) {
            *second = T[i].second;
            return T[i].slot;
        }
    return -1;
}

/* "yyyy-mm-dd" -> day number; CPI_DAY_NONE if malformed. */
static int32_t iso_day(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || !cpi_norm_date_valid(y, m, d))
        return CPI_DAY_NONE;
    return cpi_norm_days_from_ymd(y, m, d);
}

cpi_status cpi_rs_mention_fill(cpi_intern *str, const cpi_mention *src, int32_t record_day, cpi_rs_mention *out,
                               cpi_error *err)
{
    memset(out->key, 0, sizeof out->key);
    out->kind = (uint8_t)src->kind;
    out->flags = 0;
    int32_t dob = CPI_DAY_NONE, lo = CPI_DAY_NONE, hi = CPI_DAY_NONE, by = CPI_DAY_NONE;
    for (uint32_t k = 0; k < src->keys.count; k++) {
        const char *name = src->keys.items[k].key, *value = src->keys.items[k].value;
        if (!value || !*value)
            continue;
        if (src->kind == CPI_KIND_PERSON) {
            if (strcmp(name, CPI_KEY_DOB) == 0) {
                if (dob == CPI_DAY_NONE)
                    dob = iso_day(value);
                continue;
            }
            if (strcmp(name, CPI_KEY_DOB_LO) == 0) {
                lo = iso_day(value);
                continue;
            }
            if (strcmp(name, CPI_KEY_DOB_HI) == 0) {
                hi = iso_day(value);
                continue;
            }
            if (strcmp(name, CPI_KEY_BY) == 0) {
                int y = atoi(value);
                if (y >= 1800 && y <= 2199)
                    by = cpi_norm_days_from_ymd(y, 1, 1);
                continue;
            }
            if (strcmp(name, CPI_KEY_GENDER) == 0 && strcmp(value, "m") != 0 && strcmp(value, "f") != 0)
                continue;
        }
        int second, slot = slot_of(src->kind, name, &second);
        if (slot < 0)
            continue;
        if (out->key[slot]) {
            if (second < 0 || out->key[second])
                continue;
            slot = second;
        }
        uint32_t id = cpi_intern_id(str, value, strlen(value), err);
        if (!id)
            return CPI_ERR_NOMEM;
        out->key[slot] = id;
    }
    out->dob_lo = out->dob_hi = CPI_DAY_NONE;
    if (src->kind != CPI_KIND_PERSON) {
        if (src->kind == CPI_KIND_LOCATION &&
            (out->key[RS_L_STREET] || out->key[RS_L_PLACE] || out->key[RS_L_PREMISES]))
            out->flags |= RS_F_SCORED;
        return CPI_OK;
    }
    if (dob != CPI_DAY_NONE) {
        out->dob_lo = out->dob_hi = dob;
    } else if (lo != CPI_DAY_NONE && hi != CPI_DAY_NONE && lo <= hi) {
        out->dob_lo = lo;
        out->dob_hi = hi;
    } else if (by != CPI_DAY_NONE) {
        int y, m, d;
        cpi_norm_ymd_from_days(by, &y, &m, &d);
        out->dob_lo = by;
        out->dob_hi = cpi_norm_days_from_ymd(y, 12, 31);
    }
    const uint32_t *k = out->key;
    bool exact = out->dob_lo != CPI_DAY_NONE && out->dob_lo == out->dob_hi;
    /* Enough to score on its own: two of a person's identifying fields (a forename, a surname, an
     * exact DOB, an email), or a PNC id. */
    int ids = (k[RS_P_FN] != 0) + (k[RS_P_SN] != 0) + exact + (k[RS_P_EMAIL] != 0);
    if (ids >= 2 || k[RS_P_PNC])
        out->flags |= RS_F_STRONG;
    else if (k[RS_P_FN] || k[RS_P_SN] || k[RS_P_STREET])
        out->flags |= RS_F_WEAK;
    if (record_day != CPI_DAY_NONE && out->dob_hi != CPI_DAY_NONE && out->dob_hi <= record_day &&
        cpi_norm_add_years(out->dob_hi, 18) > record_day)
        out->flags |= RS_F_CHILD_DOB;
    return CPI_OK;
}

#define GROW(ptr, n, cap, need)                                                                  \
    do {                                                                                         \
        if (CPI_GROW(ptr, cap, (size_t)(n) + (need), 1024))                                      \
            return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory loading mentions"); \
    } while (0)

static cpi_status add_record(cpi_rs_data *d, const cpi_record *rec, const char *source, cpi_error *err)
{
    size_t rl = strlen(rec->ref) + 1;
    GROW(d->refbuf, d->nref, d->capref, rl);
    GROW(d->recs, d->nrecs, d->caprecs, 1);
    GROW(d->m, d->nm, d->capm, rec->nmentions);
    GROW(d->rels, d->nrels, d->caprels, rec->nrelations);
    if (d->nref + rl > UINT32_MAX || (uint64_t)d->nm + rec->nmentions > UINT32_MAX - 1)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: more records than one run can hold");
    cpi_rs_record *r = &d->recs[d->nrecs];
    r->ref = (uint32_t)d->nref;
    memcpy(d->refbuf + d->nref, rec->ref, rl);
    d->nref += rl;
    r->first = d->nm;
    r->nmentions = (uint16_t)rec->nmentions;
    r->first_rel = d->nrels;
    r->nrels = 0;
    r->day = rec->day;
    if (rec->day != CPI_DAY_NONE && rec->day > d->end_day && rec->day <= d->today)
        d->end_day = rec->day;
    const cpi_adapter *ad = cpi_adapter_find(source); /* NULL: a mapped source */
    for (uint32_t i = 0; i < rec->nmentions; i++) {
        cpi_rs_mention *m = &d->m[d->nm + i];
        cpi_status s = cpi_rs_mention_fill(&d->str, &rec->mentions[i], rec->day, m, err);
        if (s)
            return s;
        m->rec = d->nrecs;
        m->num = (uint16_t)(i + 1);
        const char *role = rec->mentions[i].role ? rec->mentions[i].role : "";
        uint32_t rid = cpi_intern_id(&d->roles, role, strlen(role), err);
        if (!rid)
            return CPI_ERR_NOMEM;
        m->role = (uint16_t)(rid > UINT16_MAX ? 0 : rid);
        unsigned rf = cpi_adapter_role_flags(ad, role);
        if (rf & CPI_RF_CHILD)
            m->flags |= RS_F_CHILD_ROLE;
        if (m->kind == CPI_KIND_PERSON && rec->day != CPI_DAY_NONE && actor(rec, rf))
            m->flags |= RS_F_ACTOR;
        if (m->role && (rf & CPI_RF_OWN_VICTIM))
            m->flags |= RS_F_OWN_VICTIM;
        if (m->role && (rf & CPI_RF_OWN_HOUSEHOLD))
            m->flags |= RS_F_OWN_HOUSEHOLD;
    }
    for (uint32_t i = 0; i < rec->nrelations; i++) {
        const cpi_relation *rel = &rec->relations[i];
        if (rel->from < 1 || rel->to < 1 || rel->from > rec->nmentions || rel->to > rec->nmentions)
            continue;
        cpi_rs_rel *o = &d->rels[d->nrels++];
        o->from = d->nm + rel->from - 1;
        o->to = d->nm + rel->to - 1;
        o->type = cpi_rs_rel_type(rel->type);
        r->nrels++;
    }
    /* the area a record is filed under (MACE, MARAC and SOC meetings, Niche occurrences): where a
     * school named alone is looked for (cpi_rs_place_names_by_people) */
    r->area = 0;
    for (uint32_t i = 0; i < rec->facts.count && !r->area; i++) {
        const char *k = rec->facts.items[i].key, *v = rec->facts.items[i].value;
        if (k && v && *v && strcasecmp(k, "area") == 0 && !(r->area = cpi_intern_id(&d->str, v, strlen(v), err)))
            return CPI_ERR_NOMEM;
    }
    /* a fact naming another record's id (an occurrence_nominals row's urn): resolved after loading */
    for (uint32_t i = 0; i < rec->facts.count; i++) {
        const char *v = rec->facts.items[i].value;
        if (!v || !strpbrk(v, "0123456789") || !cpi_ref_valid_record_id(v))
            continue;
        uint32_t id = cpi_intern_id(&d->str, v, strlen(v), err);
        if (!id)
            return CPI_ERR_NOMEM;
        GROW(d->evrec, d->nev, d->capev, 2);
        d->evrec[d->nev++] = d->nrecs;
        d->evrec[d->nev++] = id;
    }
    d->nm += rec->nmentions;
    d->nrecs++;
    return CPI_OK;
}

int cpi_rs_mention_ref(const cpi_rs_data *d, uint32_t i, char *buf, size_t cap)
{
    return snprintf(buf, cap, "%s/%u", cpi_rs_rec_ref(d, d->m[i].rec), (unsigned)d->m[i].num);
}

/* Record index of ref (len bytes), or UINT32_MAX. Records are in the store's (byte) order. */
static uint32_t find_record(const cpi_rs_data *d, const char *ref, size_t len)
{
    uint32_t lo = 0, hi = d->nrecs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const char *r = cpi_rs_rec_ref(d, mid);
        size_t rl = strlen(r);
        int c = memcmp(r, ref, rl < len ? rl : len);
        if (c == 0)
            c = rl < len ? -1 : rl > len ? 1 : 0;
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return UINT32_MAX;
}

/* Mention index of "ref/N" (len bytes). */
static bool find_mention(const cpi_rs_data *d, const char *ref, size_t len, uint32_t *out)
{
    size_t slash = len;
    while (slash > 0 && ref[slash - 1] != '/')
        slash--;
    if (slash == 0 || slash == len)
        return false;
    unsigned long n = 0;
    for (size_t i = slash; i < len; i++) {
        if (ref[i] < '0' || ref[i] > '9' || n > CPI_MENTION_MAX)
            return false;
        n = n * 10 + (unsigned long)(ref[i] - '0');
    }
    uint32_t r = find_record(d, ref, slash - 1);
    if (r == UINT32_MAX || n < 1 || n > d->recs[r].nmentions)
        return false;
    *out = d->recs[r].first + (uint32_t)n - 1;
    return true;
}

static int cmp_pair(const void *x, const void *y)
{
    const uint32_t *a = x, *b = y;
    return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1) : (a[1] < b[1] ? -1 : a[1] > b[1]);
}

#define EVENT_MAX_PEOPLE 16 /* a bigger "event" is a list, not an incident: its people are not related */

/*
 * Records that name one other record of their source by id describe one
 * event: a Niche occurrence and its occurrence_nominals rows (urn). The people
 * named across them are related - a suspect and his victim, a mother and the
 * father of a domestic incident - which the person model compares like the
 * relations inside one record.
 */
static cpi_status link_events(cpi_rs_data *d, cpi_error *err)
{
    uint32_t n = d->nev / 2, *ev = malloc((n ? n : 1) * 2 * sizeof *ev);
    if (!ev)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    uint32_t m = 0;
    char ref[CPI_REF_MAX];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = d->evrec[2 * k];
        const char *own = cpi_rs_rec_ref(d, r), *colon = strchr(own, ':');
        int len = snprintf(ref, sizeof ref, "%.*s:%s", colon ? (int)(colon - own) : 0, own,
                           cpi_intern_id_str(&d->str, d->evrec[2 * k + 1]));
        uint32_t target = len > 0 && (size_t)len < sizeof ref ? find_record(d, ref, (size_t)len) : UINT32_MAX;
        if (target == UINT32_MAX || target == r)
            continue;
        ev[2 * m] = target;
        ev[2 * m + 1] = r;
        m++;
    }
    cpi_sort(ev, m, 2 * sizeof *ev, cmp_pair);
    cpi_status s = CPI_OK;
    uint32_t people[EVENT_MAX_PEOPLE];
    for (uint32_t i = 0; i < m && !s;) {
        uint32_t j = i, np = 0;
        bool big = false;
        for (; j < m && ev[2 * j] == ev[2 * i]; j++) {
            const cpi_rs_record *rec = &d->recs[ev[2 * j + 1]];
            for (uint32_t k = 0; k < rec->nmentions; k++)
                if (d->m[rec->first + k].kind == CPI_KIND_PERSON) {
                    if (np == EVENT_MAX_PEOPLE)
                        big = true;
                    else
                        people[np++] = rec->first + k;
                }
        }
        for (uint32_t a = 0; a < np && !big && !s; a++)
            for (uint32_t b = a + 1; b < np; b++) {
                if (CPI_GROW(d->xrels, d->capxrels, (size_t)d->nxrels + 1, 4096)) {
                    s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
                    break;
                }
                d->xrels[d->nxrels++] = (cpi_rs_rel){people[a], people[b], RS_REL_OTHER};
            }
        i = j;
    }
    free(ev);
    free(d->evrec);
    d->evrec = NULL;
    d->nev = d->capev = 0;
    return s;
}

cpi_status cpi_rs_find_mention(const cpi_rs_data *d, const char *ref, uint32_t *out)
{
    return find_mention(d, ref, strlen(ref), out) ? CPI_OK : CPI_NOT_FOUND;
}

static cpi_status load_records(cpi_txn *t, cpi_rs_data *d, const cpi_resolve_opts *o, cpi_error *err)
{
    uint64_t total = 0;
    cpi_status s = cpi_txn_count(t, CPI_DB_RECORDS, &total, err);
    if (s)
        return s;
    cpi_cursor *c;
    if ((s = cpi_cursor_open(t, CPI_DB_RECORDS, &c, err)))
        return s;
    cpi_arena arena = {.block_size = 1 << 16};
    cpi_slice k, v;
    char ref[CPI_REF_MAX], source[CPI_SOURCE_MAX];
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK; cs = cpi_cursor_next(c, &k, &v, err)) {
        if (k.len >= sizeof ref) {
            s = cpi_error_set(err, CPI_ERR_STORE, "resolve: a record key of %zu bytes is too long", k.len);
            break;
        }
        memcpy(ref, k.data, k.len);
        ref[k.len] = '\0';
        if (o && o->exclude_record && strcmp(ref, o->exclude_record) == 0)
            continue; /* being purged in the write transaction */
        const char *colon = strchr(ref, ':');
        size_t sl = colon ? (size_t)(colon - ref) : 0;
        if (sl >= sizeof source)
            sl = 0;
        memcpy(source, ref, sl);
        source[sl] = '\0';
        cpi_record rec;
        cpi_arena_reset(&arena);
        if ((s = cpi_codec_decode_record(ref, v.data, v.len, &arena, &rec, err)))
            break;
        rec.ref = ref;
        if ((s = add_record(d, &rec, source, err)))
            break;
        if (o && o->progress && (d->nrecs & 0xffff) == 0)
            o->progress(o->progress_ctx, "load", d->nrecs, total);
    }
    if (!s && cs != CPI_NOT_FOUND)
        s = cs;
    cpi_arena_free(&arena);
    cpi_cursor_close(c);
    return s;
}

static cpi_status load_old_entities(cpi_txn *t, cpi_rs_data *d, cpi_error *err)
{
    d->old_entity = calloc(d->nm ? d->nm : 1, sizeof *d->old_entity);
    if (!d->old_entity)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(t, CPI_DB_ENTITY_OF, &c, err);
    if (s)
        return s;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK; cs = cpi_cursor_next(c, &k, &v, err)) {
        uint32_t i;
        if (!find_mention(d, k.data, k.len, &i))
            continue; /* its record is gone: the id is retired unless another mention carries it */
        uint32_t id = cpi_intern_id(&d->old_ids, v.data, v.len, err);
        if (!id) {
            s = CPI_ERR_NOMEM;
            break;
        }
        d->old_entity[i] = id;
    }
    if (!s && cs != CPI_NOT_FOUND)
        s = cs;
    cpi_cursor_close(c);
    return s;
}

/*
 * Term frequencies, over distinct person descriptions (forename, surname, DOB
 * range) rather than mentions: a suspect named in 75 MACE rows is one person,
 * and counting him 75 times would make his rare surname look common, so that
 * agreeing on it would count for little. This approximates counting people.
 */
typedef struct desc {
    uint32_t fn, sn;
    int32_t lo, hi;
} desc;

static int cmp_desc(const void *x, const void *y)
{
    const desc *a = x, *b = y;
    if (a->fn != b->fn)
        return a->fn < b->fn ? -1 : 1;
    if (a->sn != b->sn)
        return a->sn < b->sn ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return a->hi < b->hi ? -1 : a->hi > b->hi;
}

static cpi_status count_terms(cpi_rs_data *d, cpi_error *err)
{
    d->fn_count = calloc((size_t)d->str.count + 1, sizeof *d->fn_count);
    d->sn_count = calloc((size_t)d->str.count + 1, sizeof *d->sn_count);
    desc *v = malloc((d->nm ? d->nm : 1) * sizeof *v);
    if (!d->fn_count || !d->sn_count || !v) {
        free(v);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    }
    size_t n = 0;
    for (uint32_t i = 0; i < d->nm; i++) {
        const cpi_rs_mention *m = &d->m[i];
        if (m->kind == CPI_KIND_PERSON && (m->key[RS_P_FN] || m->key[RS_P_SN]))
            v[n++] = (desc){m->key[RS_P_FN], m->key[RS_P_SN], m->dob_lo, m->dob_hi};
    }
    cpi_sort(v, n, sizeof *v, cmp_desc);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && cmp_desc(&v[i], &v[i - 1]) == 0)
            continue;
        if (v[i].fn) {
            d->fn_count[v[i].fn]++;
            d->n_fn++;
        }
        if (v[i].sn) {
            d->sn_count[v[i].sn]++;
            d->n_sn++;
        }
    }
    free(v);
    return CPI_OK;
}

cpi_status cpi_rs_load(cpi_store *st, cpi_rs_data *d, const cpi_resolve_opts *o, cpi_error *err)
{
    cpi_txn *t;
    cpi_status s = cpi_store_read_begin(st, &t, err);
    if (s)
        return s;
    d->today = cpi_norm_day_of_time(time(NULL));
    d->end_day = CPI_DAY_NONE;
    s = load_records(t, d, o, err);
    if (!s)
        s = link_events(d, err);
    if (!s)
        s = load_old_entities(t, d, err);
    cpi_txn_end(t);
    if (!s)
        s = count_terms(d, err);
    return s;
}
