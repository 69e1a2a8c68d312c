/*
 * audit.c - the hash-chained audit log (see audit.h for the entry layout).
 *
 * Each value is body || BLAKE2b-256(body), and the body carries its own
 * sequence number and the previous entry's hash. So verify can tell apart:
 * a changed entry (its bytes no longer match its hash), a removed one (a gap
 * in the keys, or the head ahead of the last key), a reordered one (a body
 * whose sequence is not its key's) and one changed with its hash recomputed
 * (the next entry no longer links to it).
 */
#include "audit/audit.h"
#include "audit/internal.h"
#include "audit/journal.h"
#include "core/bytes.h"

#include <msgpack.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HEAD_KEY "audit:head"
#define HASH_LEN 32

static const char *const kind_names[] = {
    [CPI_AUDIT_COLLECTION] = "collection",   [CPI_AUDIT_ALTERATION] = "alteration",
    [CPI_AUDIT_CONSULTATION] = "consultation", [CPI_AUDIT_DISCLOSURE] = "disclosure",
    [CPI_AUDIT_COMBINATION] = "combination", [CPI_AUDIT_ERASURE] = "erasure",
    [CPI_AUDIT_ACCESS] = "access",
};
#define NKINDS (sizeof kind_names / sizeof kind_names[0])

const char *cpi_audit_kind_name(cpi_audit_kind kind)
{
    return (unsigned)kind < NKINDS ? kind_names[kind] : NULL;
}

cpi_status cpi_audit_kind_parse(const char *name, cpi_audit_kind *out, cpi_error *err)
{
    for (unsigned i = 1; i < NKINDS; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (cpi_audit_kind)i;
            return CPI_OK;
        }
    return cpi_error_set(err, CPI_ERR_USAGE,
                         "unknown audit entry kind '%s' (collection, alteration, consultation, disclosure, "
                         "combination, erasure, access)",
                         name);
}

static void hash_bytes(const void *data, size_t len, uint8_t out[HASH_LEN])
{
    crypto_generichash(out, HASH_LEN, data, len, NULL, 0);
}

/* ------------------------------------------------------------ the head */

/* The head: last sequence and its hash; (0, zeros) for an empty log. */
static cpi_status head_get(cpi_txn *txn, uint64_t *seq, uint8_t hash[HASH_LEN], bool *present, cpi_error *err)
{
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_META, HEAD_KEY, sizeof HEAD_KEY - 1, &v, err);
    *seq = 0;
    memset(hash, 0, HASH_LEN);
    *present = s == CPI_OK;
    if (s == CPI_NOT_FOUND)
        return CPI_OK;
    if (s)
        return s;
    if (v.len != 8 + HASH_LEN)
        return cpi_error_set(err, CPI_ERR_STORE, "audit log: the chain head in meta is malformed");
    *seq = cpi_be64_get(v.data);
    memcpy(hash, (const unsigned char *)v.data + 8, HASH_LEN);
    return CPI_OK;
}

static cpi_status head_put(cpi_txn *txn, uint64_t seq, const uint8_t hash[HASH_LEN], cpi_error *err)
{
    unsigned char v[8 + HASH_LEN];
    cpi_be64_put(v, seq);
    memcpy(v + 8, hash, HASH_LEN);
    return cpi_txn_put(txn, CPI_DB_META, HEAD_KEY, sizeof HEAD_KEY - 1, v, sizeof v, err);
}

/* ------------------------------------------------------------ encoding */

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void pack_strs(msgpack_packer *pk, const char *const *v, uint32_t n)
{
    msgpack_pack_array(pk, n);
    for (uint32_t i = 0; i < n; i++)
        pack_str(pk, v[i] ? v[i] : "");
}

static bool nonempty(const char *s) { return s && *s; }

/* Encode e's body into sb (already initialised). */
static void encode_body(msgpack_sbuffer *sb, const cpi_audit_entry *e)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    uint32_t n = 6 + nonempty(e->reason) + nonempty(e->query) + (e->nentities > 0) + (e->nrefs > 0) +
                 (e->details.count > 0);
    msgpack_pack_map(&pk, n);
    pack_str(&pk, "n");
    msgpack_pack_uint64(&pk, e->seq);
    pack_str(&pk, "p");
    msgpack_pack_bin(&pk, HASH_LEN);
    msgpack_pack_bin_body(&pk, e->prev, HASH_LEN);
    pack_str(&pk, "t");
    msgpack_pack_int64(&pk, e->time);
    pack_str(&pk, "k");
    pack_str(&pk, kind_names[e->kind]);
    pack_str(&pk, "u");
    pack_str(&pk, e->user);
    pack_str(&pk, "c");
    pack_str(&pk, e->command);
    if (nonempty(e->reason)) {
        pack_str(&pk, "w");
        pack_str(&pk, e->reason);
    }
    if (nonempty(e->query)) {
        pack_str(&pk, "q");
        pack_str(&pk, e->query);
    }
    if (e->nentities) {
        pack_str(&pk, "e");
        pack_strs(&pk, e->entities, e->nentities);
    }
    if (e->nrefs) {
        pack_str(&pk, "r");
        pack_strs(&pk, e->refs, e->nrefs);
    }
    if (e->details.count) {
        pack_str(&pk, "x");
        msgpack_pack_map(&pk, e->details.count);
        for (uint32_t i = 0; i < e->details.count; i++) {
            pack_str(&pk, e->details.items[i].key ? e->details.items[i].key : "");
            pack_str(&pk, e->details.items[i].value ? e->details.items[i].value : "");
        }
    }
}

cpi_status cpi_audit_encode(cpi_audit_entry *e, msgpack_sbuffer *sb, cpi_error *err)
{
    if (sodium_init() < 0)
        return cpi_error_set(err, CPI_ERR_NOMEM, "libsodium failed to initialise");
    encode_body(sb, e);
    if (!sb->data)
        return cpi_error_set(err, CPI_ERR_NOMEM, "audit log: out of memory");
    hash_bytes(sb->data, sb->size, e->hash);
    msgpack_sbuffer_write(sb, (const char *)e->hash, HASH_LEN);
    return CPI_OK;
}

static cpi_status check_entry(const cpi_audit_entry *e, cpi_error *err)
{
    if (!nonempty(e->user) || !nonempty(e->command) || !cpi_audit_kind_name(e->kind) || e->kind == 0)
        return cpi_error_set(err, CPI_ERR_USAGE, "audit entry: a kind, a user and a command are required");
    return CPI_OK;
}

cpi_status cpi_audit_append_chain(cpi_txn *txn, cpi_audit_entry *e, cpi_error *err)
{
    cpi_status s = check_entry(e, err);
    if (s)
        return s;
    uint64_t seq;
    bool present;
    if ((s = head_get(txn, &seq, e->prev, &present, err)))
        return s;
    if (!present) {
        uint64_t n;
        if ((s = cpi_txn_count(txn, CPI_DB_AUDIT, &n, err)))
            return s;
        if (n)
            return cpi_error_set(err, CPI_ERR_STORE,
                                 "audit log: %llu entries but no chain head in meta; refusing to append "
                                 "(run 'cpindex audit verify')",
                                 (unsigned long long)n);
    }
    e->seq = seq + 1;
    if (e->time == 0)
        e->time = (int64_t)time(NULL);

    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    s = cpi_audit_encode(e, &sb, err);
    unsigned char key[8];
    cpi_be64_put(key, e->seq);
    if (!s)
        s = cpi_txn_put(txn, CPI_DB_AUDIT, key, sizeof key, sb.data, sb.size, err);
    msgpack_sbuffer_destroy(&sb);
    if (!s)
        s = head_put(txn, e->seq, e->hash, err);
    return s;
}

/* Consultations a server journalled (audit/journal.h) go into the chain first, so it stays in time order. */
cpi_status cpi_audit_append(cpi_txn *txn, cpi_audit_entry *e, cpi_error *err)
{
    cpi_status s = check_entry(e, err);
    if (!s)
        s = cpi_audit_journal_fold_txn(txn, NULL, err);
    return s ? s : cpi_audit_append_chain(txn, e, err);
}

static cpi_status log_fn(cpi_txn *txn, void *ctx, cpi_error *err)
{
    cpi_audit_entry *e = ctx;
    return cpi_audit_append(txn, e, err);
}

cpi_status cpi_audit_log(cpi_store *st, cpi_audit_entry *e, cpi_error *err)
{
    /* append only reads e's inputs and overwrites its outputs, so a re-run after map growth is harmless */
    return cpi_store_write(st, log_fn, e, err);
}

cpi_status cpi_audit_consultation(cpi_store *st, const cpi_grant *g, const char *query,
                                  const char *const *entities, size_t nentities, const char *const *refs,
                                  size_t nrefs, cpi_error *err)
{
    if (nentities > UINT32_MAX || nrefs > UINT32_MAX)
        return cpi_error_set(err, CPI_ERR_USAGE, "audit log: too many results to log in one entry");
    cpi_audit_entry e = {
        .kind = CPI_AUDIT_CONSULTATION,
        .user = g->user,
        .reason = g->reason,
        .command = g->action,
        .query = query,
        .entities = entities,
        .nentities = (uint32_t)nentities,
        .refs = refs,
        .nrefs = (uint32_t)nrefs,
    };
    cpi_audit_journal *j = cpi_store_journal(st);
    if (j) { /* cpindex serve: one flush before the answer is shown, folded into the chain after */
        bool fitted = false;
        cpi_status s = cpi_audit_journal_append(j, &e, &fitted, err);
        if (s || fitted)
            return s;
    }
    return cpi_audit_log(st, &e, err);
}

/* ------------------------------------------------------------ decoding */

typedef struct dec {
    uint64_t seq;
    cpi_arena *arena;
    cpi_error *err;
} dec;

static cpi_status bad(dec *d, const char *field, const char *what)
{
    return cpi_error_set(d->err, CPI_ERR_DATA, "audit entry %llu: field '%s' %s", (unsigned long long)d->seq,
                         field, what);
}

static cpi_status nomem(dec *d)
{
    return cpi_error_set(d->err, CPI_ERR_NOMEM, "audit entry %llu: out of memory", (unsigned long long)d->seq);
}

static cpi_status get_str(dec *d, const msgpack_object *o, const char *field, const char **out)
{
    if (o->type != MSGPACK_OBJECT_STR)
        return bad(d, field, "is not a string");
    *out = cpi_arena_strndup(d->arena, o->via.str.ptr, o->via.str.size);
    return *out ? CPI_OK : nomem(d);
}

static cpi_status get_strs(dec *d, const msgpack_object *o, const char *field, const char *const **out,
                           uint32_t *n)
{
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return bad(d, field, "is not an array");
    *n = o->via.array.size;
    const char **v = *n ? cpi_arena_alloc(d->arena, sizeof *v * *n) : NULL;
    if (*n && !v)
        return nomem(d);
    for (uint32_t i = 0; i < *n; i++) {
        cpi_status s = get_str(d, &o->via.array.ptr[i], field, &v[i]);
        if (s)
            return s;
    }
    *out = v;
    return CPI_OK;
}

static bool key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, name, n) == 0;
}

enum { F_N = 1, F_P = 2, F_T = 4, F_K = 8, F_U = 16, F_C = 32, F_ALL = 63 };

static cpi_status decode_map(dec *d, const msgpack_object *root, cpi_audit_entry *out)
{
    if (root->type != MSGPACK_OBJECT_MAP)
        return bad(d, "(root)", "is not a map");
    unsigned seen = 0;
    for (uint32_t i = 0; i < root->via.map.size; i++) {
        const msgpack_object *k = &root->via.map.ptr[i].key, *v = &root->via.map.ptr[i].val;
        cpi_status s = CPI_OK;
        if (key_is(k, "n")) {
            if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
                return bad(d, "n", "is not a sequence number");
            out->seq = v->via.u64;
            seen |= F_N;
        } else if (key_is(k, "p")) {
            if (v->type != MSGPACK_OBJECT_BIN || v->via.bin.size != HASH_LEN)
                return bad(d, "p", "is not a 32-byte hash");
            memcpy(out->prev, v->via.bin.ptr, HASH_LEN);
            seen |= F_P;
        } else if (key_is(k, "t")) {
            if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= (uint64_t)INT64_MAX)
                out->time = (int64_t)v->via.u64;
            else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
                out->time = v->via.i64;
            else
                return bad(d, "t", "is not a time");
            seen |= F_T;
        } else if (key_is(k, "k")) {
            const char *name;
            if ((s = get_str(d, v, "k", &name)))
                return s;
            cpi_audit_kind kind = CPI_AUDIT_COLLECTION;
            if (cpi_audit_kind_parse(name, &kind, NULL) != CPI_OK)
                return bad(d, "k", "is not a kind this version knows");
            out->kind = kind;
            seen |= F_K;
        } else if (key_is(k, "u")) {
            s = get_str(d, v, "u", &out->user);
            seen |= F_U;
        } else if (key_is(k, "c")) {
            s = get_str(d, v, "c", &out->command);
            seen |= F_C;
        } else if (key_is(k, "w")) {
            s = get_str(d, v, "w", &out->reason);
        } else if (key_is(k, "q")) {
            s = get_str(d, v, "q", &out->query);
        } else if (key_is(k, "e")) {
            s = get_strs(d, v, "e", &out->entities, &out->nentities);
        } else if (key_is(k, "r")) {
            s = get_strs(d, v, "r", &out->refs, &out->nrefs);
        } else if (key_is(k, "x")) {
            if (v->type != MSGPACK_OBJECT_MAP)
                return bad(d, "x", "is not a map");
            out->details.count = v->via.map.size;
            out->details.items = out->details.count ? cpi_arena_alloc(d->arena, sizeof(cpi_kv) * out->details.count)
                                                    : NULL;
            if (out->details.count && !out->details.items)
                return nomem(d);
            for (uint32_t j = 0; !s && j < out->details.count; j++) {
                s = get_str(d, &v->via.map.ptr[j].key, "x", &out->details.items[j].key);
                if (!s)
                    s = get_str(d, &v->via.map.ptr[j].val, "x", &out->details.items[j].value);
            }
        } else {
            return bad(d, "(root)", "holds a field this version does not understand");
        }
        if (s)
            return s;
    }
    return seen == F_ALL ? CPI_OK : bad(d, "(root)", "lacks required fields");
}

cpi_status cpi_audit_decode(uint64_t seq, const void *data, size_t len, cpi_arena *arena, cpi_audit_entry *out,
                            cpi_error *err)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return cpi_error_set(err, CPI_ERR_NOMEM, "libsodium failed to initialise");
    if (len <= HASH_LEN)
        return cpi_error_set(err, CPI_ERR_DATA, "audit entry %llu: too short to hold an entry and its hash",
                             (unsigned long long)seq);
    size_t blen = len - HASH_LEN;
    uint8_t h[HASH_LEN];
    hash_bytes(data, blen, h);
    if (sodium_memcmp(h, (const unsigned char *)data + blen, HASH_LEN) != 0)
        return cpi_error_set(err, CPI_ERR_DATA, "audit entry %llu: its content does not match its hash",
                             (unsigned long long)seq);
    memcpy(out->hash, h, HASH_LEN);
    dec d = {seq, arena, err};
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    cpi_status s;
    if (msgpack_unpack_next(&up, data, blen, &off) != MSGPACK_UNPACK_SUCCESS)
        s = cpi_error_set(err, CPI_ERR_DATA, "audit entry %llu: not valid msgpack", (unsigned long long)seq);
    else if (off != blen)
        s = cpi_error_set(err, CPI_ERR_DATA, "audit entry %llu: trailing bytes", (unsigned long long)seq);
    else
        s = decode_map(&d, &up.data, out);
    msgpack_unpacked_destroy(&up);
    return s;
}

/* ------------------------------------------------------------ verify */

typedef struct verify_state {
    cpi_audit_report *rep;
    cpi_error *err;
} verify_state;

/* Note the first problem: which entry, and how. Returns CPI_ERR_DATA. */
static cpi_status broken(verify_state *v, uint64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static cpi_status broken(verify_state *v, uint64_t seq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->rep->problem, sizeof v->rep->problem, fmt, ap);
    va_end(ap);
    v->rep->bad_seq = seq;
    return cpi_error_set(v->err, CPI_ERR_DATA, "audit log broken at entry %llu: %s", (unsigned long long)seq,
                         v->rep->problem);
}

static cpi_status verify_txn(cpi_txn *txn, const uint8_t *expect_head, cpi_audit_report *rep, cpi_error *err)
{
    verify_state v = {rep, err};
    uint64_t head_seq;
    uint8_t head_hash[HASH_LEN];
    bool head_present;
    cpi_status s = head_get(txn, &head_seq, head_hash, &head_present, err);
    if (s)
        return s;
    rep->last_seq = head_seq;
    memcpy(rep->head, head_hash, HASH_LEN);

    cpi_cursor *c;
    if ((s = cpi_cursor_open(txn, CPI_DB_AUDIT, &c, err)))
        return s;
    cpi_arena arena = {0};
    uint8_t prev[HASH_LEN] = {0};
    uint64_t expected = 1;
    bool saw_expected_head = false;
    cpi_slice k, val;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &val, err);
    for (; cs == CPI_OK && !s; cs = cpi_cursor_next(c, &k, &val, err)) {
        if (k.len != 8) {
            s = broken(&v, expected, "a key that is not a sequence number was inserted before it");
            break;
        }
        uint64_t seq = cpi_be64_get(k.data);
        if (seq != expected) {
            if (seq == 0)
                s = broken(&v, 0, "an entry 0 was inserted before the first entry");
            else if (seq == expected + 1)
                s = broken(&v, expected, "it was removed (the log goes from %llu to %llu)",
                           (unsigned long long)(expected - 1), (unsigned long long)seq);
            else
                s = broken(&v, expected, "it was removed, with the entries up to %llu", (unsigned long long)(seq - 1));
            break;
        }
        cpi_arena_reset(&arena);
        cpi_audit_entry e;
        cpi_error derr = {0};
        if (cpi_audit_decode(seq, val.data, val.len, &arena, &e, &derr) != CPI_OK) {
            s = derr.status == CPI_ERR_NOMEM ? (*err = derr, derr.status)
                                               : broken(&v, seq, "it was changed: %s", derr.msg);
            break;
        }
        if (e.seq != seq) {
            s = broken(&v, seq, "it holds entry %llu's content: entries were reordered", (unsigned long long)e.seq);
            break;
        }
        if (sodium_memcmp(e.prev, prev, HASH_LEN) != 0) {
            /* both hashes are self-consistent: one of the pair was changed and re-hashed */
            s = broken(&v, seq - 1 ? seq - 1 : 1,
                       "entry %llu no longer links to it: entry %llu was changed and its hash recomputed, or "
                       "entry %llu's link was",
                       (unsigned long long)seq, (unsigned long long)(seq - 1), (unsigned long long)seq);
            break;
        }
        if (expect_head && sodium_memcmp(e.hash, expect_head, HASH_LEN) == 0)
            saw_expected_head = true;
        memcpy(prev, e.hash, HASH_LEN);
        rep->entries++;
        expected++;
    }
    cpi_cursor_close(c);
    cpi_arena_free(&arena);
    if (s)
        return s;
    if (cs != CPI_NOT_FOUND)
        return cs;

    uint64_t last = expected - 1;
    if (!head_present && last > 0)
        return broken(&v, last, "the chain head in meta was removed");
    if (head_seq > last)
        return head_seq == last + 1
                   ? broken(&v, last + 1, "it was removed (it was the newest entry)")
                   : broken(&v, last + 1, "it was removed, with the entries up to %llu (the newest)",
                            (unsigned long long)head_seq);
    if (head_seq < last)
        return broken(&v, head_seq + 1, "it was added after the chain head, not by cpindex");
    if (last > 0 && sodium_memcmp(head_hash, prev, HASH_LEN) != 0)
        return broken(&v, last, "it was changed and its hash recomputed (it no longer matches the chain head)");
    if (expect_head && !saw_expected_head) {
        snprintf(rep->problem, sizeof rep->problem,
                 "the head noted earlier is not in the log: the log was rewritten or replaced");
        rep->bad_seq = 0;
        return cpi_error_set(err, CPI_ERR_DATA, "audit log: %s", rep->problem);
    }
    return CPI_OK;
}

cpi_status cpi_audit_verify(cpi_store *st, const uint8_t *expect_head, cpi_audit_report *report, cpi_error *err)
{
    memset(report, 0, sizeof *report);
    if (sodium_init() < 0)
        return cpi_error_set(err, CPI_ERR_NOMEM, "libsodium failed to initialise");
    cpi_status s = cpi_audit_journal_settle(st, err); /* what a server journalled is part of the log */
    if (s)
        return s;
    cpi_txn *txn;
    s = cpi_store_read_begin(st, &txn, err);
    if (s)
        return s;
    s = verify_txn(txn, expect_head, report, err);
    cpi_txn_end(txn);
    return s;
}

/* ------------------------------------------------------------ query */

/* ref r names what the filter asks about: the same reference, a mention of that record, or the record of that mention. */
static bool ref_matches(const char *r, const char *want)
{
    size_t nr = strlen(r), nw = strlen(want);
    if (nr == nw)
        return memcmp(r, want, nr) == 0;
    if (nr > nw)
        return memcmp(r, want, nw) == 0 && r[nw] == '/';
    return memcmp(want, r, nr) == 0 && want[nr] == '/';
}

static bool matches(const cpi_audit_filter *f, const cpi_audit_entry *e)
{
    if (f->kind && (int)e->kind != f->kind)
        return false;
    if (f->since && e->time < f->since)
        return false;
    if (f->user && strcmp(e->user, f->user) != 0)
        return false;
    if (f->entity) {
        for (uint32_t i = 0; i < e->nentities; i++)
            if (strcmp(e->entities[i], f->entity) == 0)
                return true;
        for (uint32_t i = 0; i < e->nrefs; i++)
            if (ref_matches(e->refs[i], f->entity))
                return true;
        return false;
    }
    return true;
}

cpi_status cpi_audit_query(cpi_store *st, const cpi_audit_filter *f, cpi_audit_visit_fn fn, void *ctx,
                           cpi_error *err)
{
    static const cpi_audit_filter all = {0};
    if (!f)
        f = &all;
    cpi_status s = cpi_audit_journal_settle(st, err); /* what a server journalled is part of the log */
    if (s)
        return s;
    cpi_txn *txn;
    s = cpi_store_read_begin(st, &txn, err);
    if (s)
        return s;
    cpi_cursor *c;
    if ((s = cpi_cursor_open(txn, CPI_DB_AUDIT, &c, err))) {
        cpi_txn_end(txn);
        return s;
    }
    cpi_arena arena = {0};
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK && !s; cs = cpi_cursor_next(c, &k, &v, err)) {
        uint64_t seq = k.len == 8 ? cpi_be64_get(k.data) : 0;
        cpi_arena_reset(&arena);
        cpi_audit_entry e;
        if ((s = cpi_audit_decode(seq, v.data, v.len, &arena, &e, err)))
            break; /* a broken entry is not shown as if it were sound: 'audit verify' says where */
        if (matches(f, &e))
            s = fn(ctx, &e, err);
    }
    if (!s && cs != CPI_NOT_FOUND)
        s = cs;
    cpi_cursor_close(c);
    cpi_arena_free(&arena);
    cpi_txn_end(txn);
    return s;
}
