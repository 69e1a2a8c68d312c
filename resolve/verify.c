/*
 * verify.c - walk one snapshot and confirm the store's invariants (see
 * verify.h): records decode, the key index matches them both ways, the
 * counters add up.
 *
 * "Both ways" without a second walk: every pair a record implies is probed
 * (so none is missing), and the index holds exactly as many entries as there
 * are distinct implied pairs (so none is extra). Pairs are distinct across
 * mentions (each carries its own mention reference), so only a mention's own
 * keys can repeat, and those are compared among themselves.
 */
#include "resolve/verify.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "ingest/purge.h"
#include "resolve/resolve.h"

#define MAX_SOURCES 64

typedef struct source_tally {
    char source[CPI_SOURCE_MAX];
    uint64_t records;
} source_tally;

typedef struct walk {
    source_tally src[MAX_SOURCES];
    unsigned nsrc;
    uint64_t pairs;                     /* distinct (key, mention) pairs the records imply */
    int64_t last_id[CPI_KIND_COUNT + 1]; /* n:id:P|L|T|O: the highest entity number given out */
} walk;

static cpi_status tally_source(walk *w, const char *source, cpi_error *err)
{
    for (unsigned i = 0; i < w->nsrc; i++)
        if (strcmp(w->src[i].source, source) == 0) {
            w->src[i].records++;
            return CPI_OK;
        }
    if (w->nsrc == MAX_SOURCES)
        return cpi_error_set(err, CPI_ERR_STORE, "verify: more than %d sources", MAX_SOURCES);
    snprintf(w->src[w->nsrc].source, CPI_SOURCE_MAX, "%s", source);
    w->src[w->nsrc++].records = 1;
    return CPI_OK;
}

/* Has mention m an earlier key j < i with the same name and value? (Such a pair is indexed once.) */
static bool repeated(const cpi_kvlist *keys, uint32_t i)
{
    for (uint32_t j = 0; j < i; j++)
        if (strcmp(keys->items[j].key, keys->items[i].key) == 0 &&
            strcmp(keys->items[j].value, keys->items[i].value) == 0)
            return true;
    return false;
}

/* Probe the index for every key of rec's mentions that the store indexes. */
static cpi_status check_keys(cpi_txn *txn, const cpi_record *rec, walk *w, cpi_verify_report *rep, cpi_error *err)
{
    char key[1024], mref[CPI_REF_MAX + 8];
    for (uint32_t m = 0; m < rec->nmentions; m++) {
        int ml = snprintf(mref, sizeof mref, "%s/%" PRIu32, rec->ref, m + 1);
        const cpi_kvlist *keys = &rec->mentions[m].keys;
        for (uint32_t i = 0; i < keys->count; i++) {
            const char *name = keys->items[i].key, *value = keys->items[i].value;
            size_t nl = strlen(name), vl = strlen(value);
            if (!cpi_store_key_indexed(name, vl) || repeated(keys, i))
                continue;
            memcpy(key, name, nl);
            key[nl] = CPI_KEY_SEP;
            memcpy(key + nl + 1, value, vl);
            cpi_status s = cpi_txn_get_pair(txn, CPI_DB_KEYS, key, nl + 1 + vl, mref, (size_t)ml, err);
            if (s == CPI_NOT_FOUND)
                return cpi_error_set(err, CPI_ERR_STORE,
                                     "verify: %s: its key '%s' is missing from the key index, so lookups by it "
                                     "would not find this mention",
                                     mref, name);
            if (s)
                return s;
            w->pairs++;
            rep->keys++;
        }
    }
    return CPI_OK;
}

/*
 * Each resolved mention of rec: entity_of names a well-formed id of the
 * mention's kind, one the id counter has given out, and the entity's members
 * list the mention. (Extra entity_of or members entries are found by count
 * afterwards.) A mention without an entity_of entry is one ingested since
 * the last resolve: allowed.
 */
static cpi_status check_entities(cpi_txn *txn, const cpi_record *rec, walk *w, cpi_verify_report *rep,
                                 cpi_error *err)
{
    char mref[CPI_REF_MAX + 8], id[CPI_ENTITY_ID_MAX];
    for (uint32_t m = 0; m < rec->nmentions; m++) {
        int ml = snprintf(mref, sizeof mref, "%s/%" PRIu32, rec->ref, m + 1);
        cpi_slice v;
        cpi_status s = cpi_txn_get(txn, CPI_DB_ENTITY_OF, mref, (size_t)ml, &v, err);
        if (s == CPI_NOT_FOUND)
            continue;
        if (s)
            return s;
        cpi_kind kind;
        uint64_t num;
        cpi_error perr = {0};
        if (v.len == 0 || v.len >= sizeof id || memchr(v.data, 0, v.len))
            return cpi_error_set(err, CPI_ERR_STORE, "verify: %s: its entity id (%zu bytes) is not an entity id", mref,
                                 v.len);
        memcpy(id, v.data, v.len);
        id[v.len] = '\0';
        if (cpi_entity_id_parse(id, &kind, &num, &perr) != CPI_OK)
            return cpi_error_set(err, CPI_ERR_STORE, "verify: %s: %s", mref, perr.msg);
        if (kind != rec->mentions[m].kind)
            return cpi_error_set(err, CPI_ERR_STORE, "verify: %s is a %s but its entity %s is of another kind", mref,
                                 cpi_kind_name(rec->mentions[m].kind), id);
        if ((int64_t)num > w->last_id[kind])
            return cpi_error_set(err, CPI_ERR_STORE,
                                 "verify: %s: entity %s is beyond the last id given out (%" PRId64 ")", mref, id,
                                 w->last_id[kind]);
        s = cpi_txn_get_pair(txn, CPI_DB_MEMBERS, id, v.len, mref, (size_t)ml, err);
        if (s == CPI_NOT_FOUND)
            return cpi_error_set(err, CPI_ERR_STORE,
                                 "verify: %s is placed in entity %s, whose members do not include it", mref, id);
        if (s)
            return s;
        rep->entity_links++;
    }
    return CPI_OK;
}

static cpi_status check_record(cpi_txn *txn, cpi_slice k, cpi_slice v, cpi_arena *arena, walk *w,
                               cpi_verify_report *rep, cpi_error *err)
{
    char ref[CPI_REF_MAX];
    if (k.len == 0 || k.len >= sizeof ref || memchr(k.data, 0, k.len))
        return cpi_error_set(err, CPI_ERR_STORE, "verify: a record key of %zu bytes is not a reference", k.len);
    memcpy(ref, k.data, k.len);
    ref[k.len] = '\0';
    cpi_ref parsed;
    cpi_error perr = {0};
    if (cpi_ref_parse(ref, &parsed, &perr) != CPI_OK || parsed.mention != 0)
        return cpi_error_set(err, CPI_ERR_STORE, "verify: record key '%.80s' is not a record reference: %s", ref,
                             perr.msg[0] ? perr.msg : "it names a mention");
    cpi_arena_reset(arena);
    cpi_record rec;
    cpi_status s = cpi_codec_decode_record(ref, v.data, v.len, arena, &rec, err);
    if (s)
        return s == CPI_ERR_NOMEM ? s : cpi_error_set(err, CPI_ERR_STORE, "verify: %s", err->msg);
    if (strcmp(rec.ref, ref) != 0)
        return cpi_error_set(err, CPI_ERR_STORE, "verify: record stored under %s calls itself %.80s", ref, rec.ref);
    if ((s = tally_source(w, parsed.source, err)) != CPI_OK)
        return s;
    rep->records++;
    rep->mentions += rec.nmentions;
    if ((s = check_keys(txn, &rec, w, rep, err)) != CPI_OK)
        return s;
    return check_entities(txn, &rec, w, rep, err);
}

/* The counters in meta against what the walk found. */
static cpi_status check_counters(cpi_txn *txn, const walk *w, const cpi_verify_report *rep, cpi_error *err)
{
    int64_t n;
    cpi_status s = cpi_txn_counter_get(txn, "mentions", &n, err);
    if (s)
        return s;
    if (n < 0 || (uint64_t)n != rep->mentions)
        return cpi_error_set(err, CPI_ERR_STORE, "verify: the mention counter says %" PRId64 ", the records hold %" PRIu64,
                             n, rep->mentions);
    for (unsigned i = 0; i < w->nsrc; i++) {
        char name[64];
        snprintf(name, sizeof name, "rec:%s", w->src[i].source);
        if ((s = cpi_txn_counter_get(txn, name, &n, err)) != CPI_OK)
            return s;
        if (n < 0 || (uint64_t)n != w->src[i].records)
            return cpi_error_set(err, CPI_ERR_STORE,
                                 "verify: the record counter for %s says %" PRId64 ", the store holds %" PRIu64,
                                 w->src[i].source, n, w->src[i].records);
    }
    /* a counter for a source with no records left must be 0 */
    cpi_cursor *c;
    if ((s = cpi_cursor_open(txn, CPI_DB_META, &c, err)) != CPI_OK)
        return s;
    static const char prefix[] = "n:rec:";
    const size_t pl = sizeof prefix - 1;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, prefix, pl, &k, &v, err);
    for (; cs == CPI_OK && k.len > pl && memcmp(k.data, prefix, pl) == 0; cs = cpi_cursor_next(c, &k, &v, err)) {
        bool seen = false;
        for (unsigned i = 0; i < w->nsrc && !seen; i++)
            seen = strlen(w->src[i].source) == k.len - pl && memcmp(w->src[i].source, (const char *)k.data + pl, k.len - pl) == 0;
        if (seen)
            continue;
        const unsigned char *p = v.data;
        bool zero = v.len == 8;
        for (size_t i = 0; i < v.len && zero; i++)
            zero = p[i] == 0;
        if (!zero) {
            cpi_cursor_close(c);
            return cpi_error_set(err, CPI_ERR_STORE, "verify: a record counter '%.*s' is not 0 but no such records exist",
                                 (int)(k.len < 40 ? k.len : 40), (const char *)k.data);
        }
    }
    cpi_cursor_close(c);
    return cs == CPI_NOT_FOUND || cs == CPI_OK ? CPI_OK : cs;
}

/* Is a resolve due (a purge has changed entities since the last one)? */
static cpi_status resolve_due(cpi_txn *txn, bool *due, cpi_error *err)
{
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_META, CPI_META_RESOLVE_DUE, sizeof CPI_META_RESOLVE_DUE - 1, &v, err);
    *due = s == CPI_OK;
    return s == CPI_NOT_FOUND ? CPI_OK : s;
}

/* The entity of a mention reference into id ("" if it has none). */
static cpi_status entity_of(cpi_txn *txn, const char *mref, char id[CPI_ENTITY_ID_MAX], cpi_error *err)
{
    cpi_slice v;
    id[0] = '\0';
    cpi_status s = cpi_txn_get(txn, CPI_DB_ENTITY_OF, mref, strlen(mref), &v, err);
    if (s == CPI_NOT_FOUND)
        return CPI_OK;
    if (s == CPI_OK && v.len < CPI_ENTITY_ID_MAX) {
        memcpy(id, v.data, v.len);
        id[v.len] = '\0';
    }
    return s;
}

static bool same_kind(const char *id, cpi_kind kind)
{
    cpi_kind k;
    uint64_t num;
    cpi_error e = {0};
    return cpi_entity_id_parse(id, &k, &num, &e) == CPI_OK && k == kind;
}

/*
 * Each review pair decodes and names two resolved mentions of its kind, in
 * different entities. While a resolve is due a mention may have left its
 * entity (a replaced record's mention changed kind, store.h) with its pairs
 * still listed: the next resolve rewrites them.
 */
static cpi_status check_review(cpi_txn *txn, bool due, cpi_verify_report *rep, cpi_error *err)
{
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_REVIEW, &c, err);
    if (s)
        return s;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK && !s; cs = cpi_cursor_next(c, &k, &v, err)) {
        cpi_review_item it;
        cpi_error derr = {0};
        if (cpi_review_decode(k.data, k.len, v.data, v.len, &it, &derr) != CPI_OK) {
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: %s", derr.msg);
            break;
        }
        char ea[CPI_ENTITY_ID_MAX], eb[CPI_ENTITY_ID_MAX];
        if ((s = entity_of(txn, it.ref_a, ea, err)) || (s = entity_of(txn, it.ref_b, eb, err)))
            break;
        if ((!ea[0] || !eb[0]) && due)
            rep->review_pairs++; /* an ingest took a changed mention out of its entity; resolve rewrites review */
        else if (!ea[0] || !eb[0])
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: review pair %s / %s names a mention no entity holds",
                              it.ref_a, it.ref_b);
        else if (strcmp(ea, eb) == 0)
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: review pair %s / %s: both are already entity %s",
                              it.ref_a, it.ref_b, ea);
        else if (!same_kind(ea, it.kind) || !same_kind(eb, it.kind))
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: review pair %s / %s joins entities %s and %s of another kind",
                              it.ref_a, it.ref_b, ea, eb);
        else
            rep->review_pairs++;
    }
    cpi_cursor_close(c);
    if (!s && cs != CPI_NOT_FOUND)
        s = cs;
    return s;
}

/*
 * After the walk: entity_of and members hold exactly the entries the
 * records' resolved mentions confirmed (none for mentions that are gone, no
 * member an entity_of does not place there), the entity counter matches the
 * entities members hold, and the review pairs are sound.
 */
static cpi_status check_resolved(cpi_txn *txn, cpi_verify_report *rep, cpi_error *err)
{
    uint64_t n;
    cpi_status s = cpi_txn_count(txn, CPI_DB_ENTITY_OF, &n, err);
    if (s)
        return s;
    if (n != rep->entity_links)
        return cpi_error_set(err, CPI_ERR_STORE,
                             "verify: entity_of holds %" PRIu64 " entries but only %" PRIu64
                             " name mentions that exist and that their entity lists",
                             n, rep->entity_links);
    if ((s = cpi_txn_count(txn, CPI_DB_MEMBERS, &n, err)) != CPI_OK)
        return s;
    if (n != rep->entity_links)
        return cpi_error_set(err, CPI_ERR_STORE,
                             "verify: entities list %" PRIu64 " members but entity_of places %" PRIu64
                             " mentions: %s",
                             n, rep->entity_links,
                             n > rep->entity_links ? "some members are missing or placed elsewhere"
                                                   : "some mentions are missing from their entity");
    /* distinct entities (members is sorted by id) */
    cpi_cursor *c;
    if ((s = cpi_cursor_open(txn, CPI_DB_MEMBERS, &c, err)) != CPI_OK)
        return s;
    char prev[CPI_ENTITY_ID_MAX] = "";
    size_t prevlen = 0;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK; cs = cpi_cursor_next(c, &k, &v, err)) {
        if (k.len == prevlen && memcmp(k.data, prev, k.len) == 0)
            continue;
        rep->entities++;
        prevlen = k.len < sizeof prev ? k.len : sizeof prev - 1;
        memcpy(prev, k.data, prevlen);
    }
    cpi_cursor_close(c);
    if (cs != CPI_NOT_FOUND)
        return cs;
    int64_t counted;
    bool due;
    if ((s = cpi_txn_counter_get(txn, "entities", &counted, err)) || (s = resolve_due(txn, &due, err)))
        return s;
    /* a purge removes members but leaves the count to the resolve it marks due */
    if (due ? (uint64_t)counted < rep->entities : (uint64_t)counted != rep->entities)
        return cpi_error_set(err, CPI_ERR_STORE,
                             "verify: the entity counter says %" PRId64 ", members hold %" PRIu64 " entities%s", counted,
                             rep->entities, due ? " (more than a purge since the last resolve can explain)" : "");
    return check_review(txn, due, rep, err);
}

cpi_status cpi_store_verify(cpi_txn *txn, cpi_verify_report *report, cpi_error *err)
{
    memset(report, 0, sizeof *report);
    walk w = {0};
    static const char *const id_counter[CPI_KIND_COUNT + 1] = {NULL, "id:P", "id:L", "id:T", "id:O"};
    cpi_status s = CPI_OK;
    for (int k = 1; k <= CPI_KIND_COUNT && !s; k++)
        s = cpi_txn_counter_get(txn, id_counter[k], &w.last_id[k], err);
    if (s)
        return s;
    cpi_arena arena = {0};
    cpi_cursor *c;
    if ((s = cpi_cursor_open(txn, CPI_DB_RECORDS, &c, err)) != CPI_OK)
        return s;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK; cs = cpi_cursor_next(c, &k, &v, err))
        if ((s = check_record(txn, k, v, &arena, &w, report, err)) != CPI_OK)
            break;
    cpi_cursor_close(c);
    cpi_arena_free(&arena);
    if (s)
        return s;
    if (cs != CPI_NOT_FOUND)
        return cs;
    uint64_t entries;
    if ((s = cpi_txn_count(txn, CPI_DB_KEYS, &entries, err)) != CPI_OK)
        return s;
    if (entries != w.pairs)
        return cpi_error_set(err, CPI_ERR_STORE,
                             "verify: the key index holds %" PRIu64 " entries but the records imply %" PRIu64
                             " (%s)",
                             entries, w.pairs, entries > w.pairs ? "entries for mentions that are gone" : "some missing");
    if ((s = check_counters(txn, &w, report, err)) != CPI_OK)
        return s;
    return check_resolved(txn, report, err);
}
