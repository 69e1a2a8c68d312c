/*
 * records.c - records and their key index: put (a changed record replaces the old one, its
 * mentions leave their entities until the next resolve), get, delete, and which keys are
 * indexed (see store.h for the invariants; the engine is core/store.c).
 */
#include "core/store.h"
#include "core/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/codec.h"

#define KEY_INDEX_MAX 511 /* longest key index entry + 1: LMDB's default key size limit */

/*
 * The key names the index holds: the ones a lookup starts from (a name, a DOB,
 * an identifier, an address, a postcode, a phone). The rest (phonetic
 * forename, middle names, birth year, age ranges, gender, house, flat, town,
 * sector) stay in the record for comparison but are not indexed: each index
 * entry costs a B-tree insert at ingest, and nothing looks a mention up by them.
 */
static bool indexed_key(const char *name)
{
    /* by length, then the name: this runs for every key of every mention ingested, and a
     * loop of strcmp over the list was 2.5% of an ingest */
    switch (strlen(name)) {
    case 2:
        switch (name[0]) {
        case 'f': return name[1] == 'n';
        case 'n': return name[1] == 'n';
        case 's': return name[1] == 'n' || name[1] == 'a';
        case 'p': return name[1] == 'c';
        default: return false;
        }
    case 3:
        return memcmp(name, "dob", 3) == 0 || memcmp(name, "nid", 3) == 0 || memcmp(name, "pnc", 3) == 0 ||
               memcmp(name, "lid", 3) == 0 || memcmp(name, "tel", 3) == 0;
    case 4:
        return memcmp(name, "addr", 4) == 0;
    default:
        return false;
    }
}

bool cpi_store_key_indexed(const char *name, size_t value_len)
{
    return indexed_key(name) && strlen(name) + 1 + value_len < KEY_INDEX_MAX;
}

/* Add (add=true) or remove every indexed key of every mention of rec. */
static cpi_status index_keys(cpi_txn *txn, const cpi_record *rec, bool add, cpi_error *err)
{
    char key[1024], mref[CPI_REF_MAX];
    for (uint32_t i = 0; i < rec->nmentions; i++) {
        /* "ref/N" without snprintf: this runs for every mention of every record ingested */
        size_t rl = strlen(rec->ref);
        char digits[12];
        int nd = 0;
        for (uint32_t v = i + 1; v; v /= 10)
            digits[nd++] = (char)('0' + v % 10);
        if (rl + 1 + (size_t)nd >= sizeof mref)
            return cpi_error_set(err, CPI_ERR_DATA, "reference %s: too long", rec->ref);
        memcpy(mref, rec->ref, rl);
        mref[rl] = '/';
        for (int d = 0; d < nd; d++)
            mref[rl + 1 + (size_t)d] = digits[nd - 1 - d];
        int mlen = (int)(rl + 1 + (size_t)nd);
        mref[mlen] = '\0';
        const cpi_kvlist *keys = &rec->mentions[i].keys;
        for (uint32_t j = 0; j < keys->count; j++) {
            if (!indexed_key(keys->items[j].key))
                continue;
            size_t nl = strlen(keys->items[j].key), vl = strlen(keys->items[j].value);
            size_t klen = nl + 1 + vl;
            if (klen >= KEY_INDEX_MAX) /* LMDB's default key size limit */
                continue;              /* an over-long key cannot be looked up exactly anyway */
            memcpy(key, keys->items[j].key, nl);
            key[nl] = CPI_KEY_SEP;
            memcpy(key + nl + 1, keys->items[j].value, vl);
            cpi_status s = add ? cpi_store_keybuf_add(txn, key, (size_t)klen, mref, (size_t)mlen, err)
                               : cpi_txn_del(txn, CPI_DB_KEYS, key, (size_t)klen, mref, (size_t)mlen, err);
            if (s && !(s == CPI_NOT_FOUND && !add))
                return s;
        }
    }
    return CPI_OK;
}

static const char *source_of(const char *ref, char *buf)
{
    const char *colon = strchr(ref, ':');
    size_t n = colon ? (size_t)(colon - ref) : 0;
    if (n >= CPI_SOURCE_MAX)
        n = CPI_SOURCE_MAX - 1;
    memcpy(buf, ref, n);
    buf[n] = '\0';
    return buf;
}

/*
 * A replaced record's mention N is no longer the mention the last resolve
 * placed when the new version has no mention N or one of another kind: take
 * it out of its entity (entity_of and members) and mark a resolve due, so no
 * reader sees a place inside a person or an entity member that is gone. A
 * mention of the same kind keeps its entity until the next resolve, which
 * uses it as the hint that keeps entity ids stable.
 */
static cpi_status unlink_changed_mentions(cpi_txn *txn, const cpi_record *old, const cpi_record *next, cpi_error *err)
{
    bool unlinked = false;
    for (uint32_t m = 1; m <= old->nmentions; m++) {
        if (m <= next->nmentions && next->mentions[m - 1].kind == old->mentions[m - 1].kind)
            continue;
        char mref[CPI_REF_MAX + 16], id[64];
        int ml = snprintf(mref, sizeof mref, "%s/%u", old->ref, m);
        if (ml < 0 || (size_t)ml >= sizeof mref)
            return cpi_error_set(err, CPI_ERR_DATA, "reference %s: too long", old->ref);
        cpi_slice v;
        cpi_status s = cpi_txn_get(txn, CPI_DB_ENTITY_OF, mref, (size_t)ml, &v, err);
        if (s == CPI_NOT_FOUND)
            continue;
        if (s)
            return s;
        if (v.len >= sizeof id)
            return cpi_error_set(err, CPI_ERR_STORE, "entity_of %s: entity id longer than %zu bytes", mref, sizeof id);
        size_t il = v.len;
        memcpy(id, v.data, il); /* the slice dies with the first write */
        if ((s = cpi_txn_del(txn, CPI_DB_ENTITY_OF, mref, (size_t)ml, NULL, 0, err)))
            return s;
        s = cpi_txn_del(txn, CPI_DB_MEMBERS, id, il, mref, (size_t)ml, err);
        if (s && s != CPI_NOT_FOUND)
            return s;
        unlinked = true;
    }
    if (!unlinked)
        return CPI_OK;
    static const char why[] = "an ingest replaced records whose mentions changed kind or went";
    return cpi_txn_put(txn, CPI_DB_META, CPI_META_RESOLVE_DUE, sizeof CPI_META_RESOLVE_DUE - 1, why, sizeof why - 1,
                       err);
}

/*
 * Store a record. A new reference (the common case at ingest) costs one
 * B-tree operation: the value is put with MDB_NOOVERWRITE, which hands back
 * the stored value instead when the reference exists; only then is the old
 * version decoded, compared and replaced. The put goes through one cursor kept
 * for the transaction, so rows whose references arrive in order (as a silo's
 * export lists them) land on the leaf page the last one did without a descent
 * from the root; the value is encoded into a buffer kept for the transaction.
 */
cpi_status cpi_store_put_record(cpi_txn *txn, const cpi_record *rec, cpi_put_result *result, cpi_error *err)
{
    cpi_arena arena = {0};
    cpi_record old, next = *rec;
    size_t reflen = strlen(rec->ref);
    cpi_version *hist = NULL;
    cpi_status s;
    int rc;
    if (!txn->rec_cur && (rc = mdb_cursor_open(txn->txn, txn->st->dbi[CPI_DB_RECORDS], &txn->rec_cur)))
        return cpi_store_lmdb_err(err, "open cursor", txn->st->path, rc);
    next.history = NULL;
    next.nhistory = 0;
    next.prov.version = 1;
    if ((s = cpi_codec_encode_record_buf(&next, &txn->enc, err)))
        return s;
    MDB_val k = {reflen, (void *)rec->ref}, v = {txn->enc.len, txn->enc.data};
    rc = mdb_cursor_put(txn->rec_cur, &k, &v, MDB_NOOVERWRITE);
    bool existed = rc == MDB_KEYEXIST;
    if (!existed && (s = cpi_store_data_rc(txn, rc, "put", err)))
        return s;
    if (existed) {
        /* v is the stored value now: decode it before anything else writes */
        s = cpi_codec_decode_record(rec->ref, v.mv_data, v.mv_size, &arena, &old, err);
        if (s)
            goto out;
        if (memcmp(old.prov.hash, rec->prov.hash, 32) == 0) {
            *result = CPI_PUT_UNCHANGED;
            goto out;
        }
        hist = malloc(sizeof *hist * (old.nhistory + 1));
        if (!hist) {
            s = cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (old.nhistory)
            memcpy(hist, old.history, sizeof *hist * old.nhistory);
        memcpy(hist[old.nhistory].hash, old.prov.hash, 32);
        hist[old.nhistory].ingest_time = old.prov.ingest_time;
        hist[old.nhistory].version = old.prov.version;
        next.history = hist;
        next.nhistory = old.nhistory + 1;
        next.prov.version = old.prov.version + 1;
        if ((s = index_keys(txn, &old, false, err)))
            goto out;
        if ((s = cpi_codec_encode_record_buf(&next, &txn->enc, err)))
            goto out;
        if ((s = cpi_txn_put(txn, CPI_DB_RECORDS, rec->ref, reflen, txn->enc.data, txn->enc.len, err)))
            goto out;
    }
    if ((s = index_keys(txn, &next, true, err)))
        goto out;
    if (existed) {
        s = cpi_txn_counter_add(txn, "mentions", (int64_t)next.nmentions - (int64_t)old.nmentions, err);
        if (!s)
            s = unlink_changed_mentions(txn, &old, &next, err);
        *result = CPI_PUT_REPLACED;
    } else {
        char src[CPI_SOURCE_MAX], cname[64];
        memcpy(cname, "rec:", 4);
        source_of(rec->ref, src);
        memcpy(cname + 4, src, strlen(src) + 1); /* src < CPI_SOURCE_MAX, cname is 64 */
        s = cpi_txn_counter_add(txn, cname, 1, err);
        if (!s)
            s = cpi_txn_counter_add(txn, "mentions", next.nmentions, err);
        *result = CPI_PUT_STORED;
    }
out:
    free(hist);
    cpi_arena_free(&arena);
    return s;
}

cpi_status cpi_store_get_record(cpi_txn *txn, const char *ref, cpi_arena *arena, cpi_record *out, cpi_error *err)
{
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_RECORDS, ref, strlen(ref), &v, err);
    if (s == CPI_NOT_FOUND)
        return cpi_error_set(err, CPI_NOT_FOUND, "no record %s", ref);
    if (s)
        return s;
    return cpi_codec_decode_record(ref, v.data, v.len, arena, out, err);
}

cpi_status cpi_store_delete_record(cpi_txn *txn, const char *ref, cpi_error *err)
{
    cpi_arena arena = {0};
    cpi_record old;
    cpi_status s = cpi_store_get_record(txn, ref, &arena, &old, err);
    if (!s)
        s = index_keys(txn, &old, false, err);
    if (!s)
        s = cpi_txn_del(txn, CPI_DB_RECORDS, ref, strlen(ref), NULL, 0, err);
    if (!s) {
        char src[CPI_SOURCE_MAX], cname[64];
        snprintf(cname, sizeof cname, "rec:%s", source_of(ref, src));
        s = cpi_txn_counter_add(txn, cname, -1, err);
        if (!s)
            s = cpi_txn_counter_add(txn, "mentions", -(int64_t)old.nmentions, err);
    }
    cpi_arena_free(&arena);
    return s;
}
