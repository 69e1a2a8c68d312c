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
#include "core/verify.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/codec.h"

#define MAX_SOURCES 64

typedef struct source_tally {
    char source[CPI_SOURCE_MAX];
    uint64_t records;
} source_tally;

typedef struct walk {
    source_tally src[MAX_SOURCES];
    unsigned nsrc;
    uint64_t pairs; /* distinct (key, mention) pairs the records imply */
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
    return check_keys(txn, &rec, w, rep, err);
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

cpi_status cpi_store_verify(cpi_txn *txn, cpi_verify_report *report, cpi_error *err)
{
    memset(report, 0, sizeof *report);
    walk w = {0};
    cpi_arena arena = {0};
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_RECORDS, &c, err);
    if (s)
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
    return check_counters(txn, &w, report, err);
}
