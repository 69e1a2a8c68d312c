/*
 * codec.c - msgpack encode/decode of records (see codec.h).
 *
 * Field names (one or two letters keep values small at a million records):
 *   ty type, d day, pf/pl/ph/pt/pv provenance, x facts, m mentions,
 *   rel relations, hist earlier versions.
 *   mention: k kind, r role, w raw values, n normalised keys.
 *   relation: [type, from, to, day|nil]; version: [hash, time, version].
 */
#include "core/codec.h"
#include "core/array.h"
#include "core/bytes.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

/*
 * The encoder writes msgpack itself, into a buffer the caller keeps between
 * records: msgpack-c's packer calls its writer through a pointer for every
 * header and every string (about 70 calls a record) and its sbuffer mallocs
 * 8 KiB per record, which was a sixth of an ingest's instructions. The bytes
 * are exactly what msgpack-c writes: the smallest form of every integer,
 * fixstr / str8 / str16 / str32, fixmap / map16 / map32 and so on
 * (tests/test_store.c encodes records both ways and compares).
 */
static bool buf_grow(cpi_buf *b, size_t need)
{
    return CPI_GROW(b->data, b->cap, b->len + need, 1024) == CPI_OK;
}

typedef struct enc {
    cpi_buf *b;
    bool nomem;
} enc;

/* Room for n more bytes; on failure every later write is dropped and nomem set. */
static inline unsigned char *room(enc *e, size_t n)
{
    cpi_buf *b = e->b;
    if (b->cap - b->len < n && (e->nomem || !buf_grow(b, n))) {
        e->nomem = true;
        return NULL;
    }
    unsigned char *p = b->data + b->len;
    b->len += n;
    return p;
}

static inline void put_be16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

/* A container header: fixmap/fixarray (fix | n) below 16, else 16- or 32-bit count. */
static inline void enc_container(enc *e, size_t n, unsigned char fix, unsigned char c16)
{
    unsigned char *p;
    if (n < 16) {
        if ((p = room(e, 1)))
            p[0] = (unsigned char)(fix | n);
    } else if (n < 65536) {
        if ((p = room(e, 3))) {
            p[0] = c16;
            put_be16(p + 1, (uint16_t)n);
        }
    } else if ((p = room(e, 5))) {
        p[0] = (unsigned char)(c16 + 1);
        cpi_be32_put(p + 1, (uint32_t)n);
    }
}

static inline void enc_map(enc *e, size_t n) { enc_container(e, n, 0x80, 0xde); }
static inline void enc_array(enc *e, size_t n) { enc_container(e, n, 0x90, 0xdc); }

static inline void enc_strn(enc *e, const char *s, size_t n)
{
    unsigned char *p = room(e, n + 5);
    if (!p)
        return;
    size_t h;
    if (n < 32) {
        p[0] = (unsigned char)(0xa0 | n);
        h = 1;
    } else if (n < 256) {
        p[0] = 0xd9;
        p[1] = (unsigned char)n;
        h = 2;
    } else if (n < 65536) {
        p[0] = 0xda;
        put_be16(p + 1, (uint16_t)n);
        h = 3;
    } else {
        p[0] = 0xdb;
        cpi_be32_put(p + 1, (uint32_t)n);
        h = 5;
    }
    memcpy(p + h, s, n);
    e->b->len -= 5 - h; /* room() took the largest header */
}

static inline void enc_str(enc *e, const char *s) { enc_strn(e, s ? s : "", s ? strlen(s) : 0); }

/* A short constant field name (< 32 bytes): fixstr. */
#define ENC_NAME(e, lit)                                                                             \
    do {                                                                                             \
        unsigned char *p_ = room((e), sizeof(lit));                                                 \
        if (p_) {                                                                                    \
            p_[0] = (unsigned char)(0xa0 | (sizeof(lit) - 1));                                       \
            memcpy(p_ + 1, (lit), sizeof(lit) - 1);                                                  \
        }                                                                                            \
    } while (0)

static void enc_bin32(enc *e, const uint8_t hash[32])
{
    unsigned char *p = room(e, 34);
    if (p) {
        p[0] = 0xc4;
        p[1] = 32;
        memcpy(p + 2, hash, 32);
    }
}

/* msgpack-c's unsigned forms: fixint, then 0xcc / 0xcd / 0xce / 0xcf. */
static void enc_uint(enc *e, uint64_t v)
{
    unsigned char *p;
    if (v < 128) {
        if ((p = room(e, 1)))
            p[0] = (unsigned char)v;
    } else if (v < 256) {
        if ((p = room(e, 2))) {
            p[0] = 0xcc;
            p[1] = (unsigned char)v;
        }
    } else if (v < 65536) {
        if ((p = room(e, 3))) {
            p[0] = 0xcd;
            put_be16(p + 1, (uint16_t)v);
        }
    } else if (v < (1ull << 32)) {
        if ((p = room(e, 5))) {
            p[0] = 0xce;
            cpi_be32_put(p + 1, (uint32_t)v);
        }
    } else if ((p = room(e, 9))) {
        p[0] = 0xcf;
        cpi_be64_put(p + 1, v);
    }
}

/* msgpack-c's signed forms: non-negative values as enc_uint; -32..-1 a negative
 * fixint; then 0xd0 / 0xd1 / 0xd2 / 0xd3 by size. */
static void enc_int(enc *e, int64_t v)
{
    unsigned char *p;
    if (v >= 0) {
        enc_uint(e, (uint64_t)v);
    } else if (v >= -32) {
        if ((p = room(e, 1)))
            p[0] = (unsigned char)(int8_t)v;
    } else if (v >= -128) {
        if ((p = room(e, 2))) {
            p[0] = 0xd0;
            p[1] = (unsigned char)(int8_t)v;
        }
    } else if (v >= -32768) {
        if ((p = room(e, 3))) {
            p[0] = 0xd1;
            put_be16(p + 1, (uint16_t)(int16_t)v);
        }
    } else if (v >= INT32_MIN) {
        if ((p = room(e, 5))) {
            p[0] = 0xd2;
            cpi_be32_put(p + 1, (uint32_t)(int32_t)v);
        }
    } else if ((p = room(e, 9))) {
        p[0] = 0xd3;
        cpi_be64_put(p + 1, (uint64_t)v);
    }
}

static void enc_kvlist(enc *e, const cpi_kvlist *l)
{
    enc_map(e, l->count);
    for (uint32_t i = 0; i < l->count; i++) {
        enc_str(e, l->items[i].key);
        enc_str(e, l->items[i].value);
    }
}

cpi_status cpi_codec_encode_record_buf(const cpi_record *rec, cpi_buf *b, cpi_error *err)
{
    enc e = {b, false};
    b->len = 0;
    enc_map(&e, 10 + (rec->day != CPI_DAY_NONE));
    ENC_NAME(&e, "ty");
    enc_str(&e, rec->type);
    if (rec->day != CPI_DAY_NONE) {
        ENC_NAME(&e, "d");
        enc_int(&e, rec->day);
    }
    ENC_NAME(&e, "pf");
    enc_str(&e, rec->prov.file);
    ENC_NAME(&e, "pl");
    enc_uint(&e, rec->prov.line);
    ENC_NAME(&e, "ph");
    enc_bin32(&e, rec->prov.hash);
    ENC_NAME(&e, "pt");
    enc_int(&e, rec->prov.ingest_time);
    ENC_NAME(&e, "pv");
    enc_uint(&e, rec->prov.version);
    ENC_NAME(&e, "x");
    enc_kvlist(&e, &rec->facts);

    ENC_NAME(&e, "m");
    enc_array(&e, rec->nmentions);
    for (uint32_t i = 0; i < rec->nmentions; i++) {
        const cpi_mention *m = &rec->mentions[i];
        enc_map(&e, 4);
        ENC_NAME(&e, "k");
        enc_uint(&e, (uint8_t)m->kind);
        ENC_NAME(&e, "r");
        enc_str(&e, m->role);
        ENC_NAME(&e, "w");
        enc_kvlist(&e, &m->raw);
        ENC_NAME(&e, "n");
        enc_kvlist(&e, &m->keys);
    }

    ENC_NAME(&e, "rel");
    enc_array(&e, rec->nrelations);
    for (uint32_t i = 0; i < rec->nrelations; i++) {
        const cpi_relation *r = &rec->relations[i];
        enc_array(&e, 4);
        enc_str(&e, r->type);
        enc_uint(&e, r->from);
        enc_uint(&e, r->to);
        if (r->day == CPI_DAY_NONE) {
            unsigned char *p = room(&e, 1);
            if (p)
                p[0] = 0xc0; /* nil */
        } else {
            enc_int(&e, r->day);
        }
    }

    ENC_NAME(&e, "hist");
    enc_array(&e, rec->nhistory);
    for (uint32_t i = 0; i < rec->nhistory; i++) {
        const cpi_version *v = &rec->history[i];
        enc_array(&e, 3);
        enc_bin32(&e, v->hash);
        enc_int(&e, v->ingest_time);
        enc_uint(&e, v->version);
    }
    if (e.nomem)
        return cpi_error_set(err, CPI_ERR_NOMEM, "encoding record %s: out of memory", rec->ref);
    return CPI_OK;
}

cpi_status cpi_codec_encode_record(const cpi_record *rec, char **out, size_t *len, cpi_error *err)
{
    cpi_buf b = {0};
    cpi_status s = cpi_codec_encode_record_buf(rec, &b, err);
    if (s) {
        free(b.data);
        return s;
    }
    *out = (char *)b.data; /* ownership passes to the caller */
    *len = b.len;
    return CPI_OK;
}

/* ---- decoding ---- */

typedef struct dec {
    const char *ref;
    cpi_arena *arena;
    cpi_error *err;
} dec;

static cpi_status bad(dec *d, const char *field, const char *what)
{
    return cpi_error_set(d->err, CPI_ERR_STORE, "stored record '%s': field '%s' %s; refusing to guess",
                         d->ref, field, what);
}

static cpi_status get_str(dec *d, const msgpack_object *o, const char *field, const char **out)
{
    if (o->type != MSGPACK_OBJECT_STR)
        return bad(d, field, "is not a string");
    *out = cpi_arena_strndup(d->arena, o->via.str.ptr, o->via.str.size);
    return *out ? CPI_OK : cpi_error_set(d->err, CPI_ERR_NOMEM, "decoding '%s': out of memory", d->ref);
}

static cpi_status get_i64(dec *d, const msgpack_object *o, const char *field, int64_t lo, int64_t hi,
                          int64_t *out)
{
    int64_t v;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (o->via.u64 > (uint64_t)INT64_MAX)
            return bad(d, field, "is out of range");
        v = (int64_t)o->via.u64;
    } else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        v = o->via.i64;
    } else {
        return bad(d, field, "is not an integer");
    }
    if (v < lo || v > hi)
        return bad(d, field, "is out of range");
    *out = v;
    return CPI_OK;
}

static cpi_status get_hash(dec *d, const msgpack_object *o, const char *field, uint8_t out[32])
{
    if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != 32)
        return bad(d, field, "is not a 32-byte hash");
    memcpy(out, o->via.bin.ptr, 32);
    return CPI_OK;
}

static cpi_status get_kvlist(dec *d, const msgpack_object *o, const char *field, cpi_kvlist *out)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return bad(d, field, "is not a map");
    out->count = o->via.map.size;
    out->items = out->count ? cpi_arena_alloc(d->arena, sizeof(cpi_kv) * out->count) : NULL;
    if (out->count && !out->items)
        return cpi_error_set(d->err, CPI_ERR_NOMEM, "decoding '%s': out of memory", d->ref);
    for (uint32_t i = 0; i < out->count; i++) {
        cpi_status s = get_str(d, &o->via.map.ptr[i].key, field, &out->items[i].key);
        if (!s)
            s = get_str(d, &o->via.map.ptr[i].val, field, &out->items[i].value);
        if (s)
            return s;
    }
    return CPI_OK;
}

static bool key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, name, n) == 0;
}

static void *alloc_array(dec *d, size_t n, size_t size)
{
    return n ? cpi_arena_alloc(d->arena, n * size) : NULL;
}

static cpi_status decode_mention(dec *d, const msgpack_object *o, cpi_mention *m)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return bad(d, "m", "holds a mention that is not a map");
    memset(m, 0, sizeof *m);
    unsigned seen = 0;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
        cpi_status s;
        int64_t x;
        if (key_is(k, "k")) {
            s = get_i64(d, v, "m.k", CPI_KIND_PERSON, CPI_KIND_ONLINE, &x);
            m->kind = (cpi_kind)x;
            seen |= 1;
        } else if (key_is(k, "r")) {
            s = get_str(d, v, "m.r", &m->role);
            seen |= 2;
        } else if (key_is(k, "w")) {
            s = get_kvlist(d, v, "m.w", &m->raw);
            seen |= 4;
        } else if (key_is(k, "n")) {
            s = get_kvlist(d, v, "m.n", &m->keys);
            seen |= 8;
        } else {
            return bad(d, "m", "holds a mention field this version does not understand");
        }
        if (s)
            return s;
    }
    return seen == 15 ? CPI_OK : bad(d, "m", "holds a mention with fields missing");
}

static cpi_status decode_relation(dec *d, const msgpack_object *o, cpi_relation *r, uint32_t nmentions)
{
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 4)
        return bad(d, "rel", "holds a relation that is not [type, from, to, day]");
    const msgpack_object *a = o->via.array.ptr;
    int64_t from, to, day = CPI_DAY_NONE;
    cpi_status s = get_str(d, &a[0], "rel.type", &r->type);
    if (!s)
        s = get_i64(d, &a[1], "rel.from", 1, nmentions, &from);
    if (!s)
        s = get_i64(d, &a[2], "rel.to", 1, nmentions, &to);
    if (!s && a[3].type != MSGPACK_OBJECT_NIL)
        s = get_i64(d, &a[3], "rel.day", INT32_MIN + 1, INT32_MAX, &day);
    if (s)
        return s;
    r->from = (uint32_t)from;
    r->to = (uint32_t)to;
    r->day = (int32_t)day;
    return CPI_OK;
}

static cpi_status decode_version(dec *d, const msgpack_object *o, cpi_version *v)
{
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 3)
        return bad(d, "hist", "holds an entry that is not [hash, time, version]");
    const msgpack_object *a = o->via.array.ptr;
    int64_t t, n;
    cpi_status s = get_hash(d, &a[0], "hist.hash", v->hash);
    if (!s)
        s = get_i64(d, &a[1], "hist.time", INT64_MIN, INT64_MAX, &t);
    if (!s)
        s = get_i64(d, &a[2], "hist.version", 1, UINT32_MAX, &n);
    if (s)
        return s;
    v->ingest_time = t;
    v->version = (uint32_t)n;
    return CPI_OK;
}

/* Fields every record value must hold, as bits in `seen`. */
enum { F_TY = 1, F_PF = 2, F_PL = 4, F_PH = 8, F_PT = 16, F_PV = 32, F_X = 64, F_M = 128, F_REL = 256,
       F_HIST = 512, F_ALL = 1023 };

static cpi_status decode_map(dec *d, const msgpack_object *root, cpi_record *out)
{
    if (root->type != MSGPACK_OBJECT_MAP)
        return bad(d, "(root)", "is not a map");
    unsigned seen = 0;
    const msgpack_object *rel = NULL;
    for (uint32_t i = 0; i < root->via.map.size; i++) {
        const msgpack_object *k = &root->via.map.ptr[i].key, *v = &root->via.map.ptr[i].val;
        cpi_status s = CPI_OK;
        int64_t x;
        if (key_is(k, "ty")) {
            s = get_str(d, v, "ty", &out->type);
            seen |= F_TY;
        } else if (key_is(k, "d")) {
            s = get_i64(d, v, "d", INT32_MIN + 1, INT32_MAX, &x);
            out->day = (int32_t)x;
        } else if (key_is(k, "pf")) {
            s = get_str(d, v, "pf", &out->prov.file);
            seen |= F_PF;
        } else if (key_is(k, "pl")) {
            s = get_i64(d, v, "pl", 0, INT64_MAX, &x);
            out->prov.line = (uint64_t)x;
            seen |= F_PL;
        } else if (key_is(k, "ph")) {
            s = get_hash(d, v, "ph", out->prov.hash);
            seen |= F_PH;
        } else if (key_is(k, "pt")) {
            s = get_i64(d, v, "pt", INT64_MIN, INT64_MAX, &out->prov.ingest_time);
            seen |= F_PT;
        } else if (key_is(k, "pv")) {
            s = get_i64(d, v, "pv", 1, UINT32_MAX, &x);
            out->prov.version = (uint32_t)x;
            seen |= F_PV;
        } else if (key_is(k, "x")) {
            s = get_kvlist(d, v, "x", &out->facts);
            seen |= F_X;
        } else if (key_is(k, "m")) {
            if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size > CPI_MENTION_MAX)
                return bad(d, "m", "is not an array of mentions");
            out->nmentions = v->via.array.size;
            out->mentions = alloc_array(d, out->nmentions, sizeof(cpi_mention));
            for (uint32_t j = 0; !s && j < out->nmentions; j++)
                s = decode_mention(d, &v->via.array.ptr[j], &out->mentions[j]);
            seen |= F_M;
        } else if (key_is(k, "rel")) {
            rel = v; /* checked once the mention count is known */
            seen |= F_REL;
        } else if (key_is(k, "hist")) {
            if (v->type != MSGPACK_OBJECT_ARRAY)
                return bad(d, "hist", "is not an array");
            out->nhistory = v->via.array.size;
            out->history = alloc_array(d, out->nhistory, sizeof(cpi_version));
            for (uint32_t j = 0; !s && j < out->nhistory; j++)
                s = decode_version(d, &v->via.array.ptr[j], &out->history[j]);
            seen |= F_HIST;
        } else {
            char name[32];
            size_t n = k->type == MSGPACK_OBJECT_STR ? k->via.str.size : 0;
            n = n < sizeof name - 1 ? n : sizeof name - 1;
            memcpy(name, n ? k->via.str.ptr : "", n);
            name[n] = '\0';
            return cpi_error_set(d->err, CPI_ERR_STORE,
                                 "stored record '%s': unknown field '%s' (written by a newer cpindex?); "
                                 "refusing to guess",
                                 d->ref, name);
        }
        if (s)
            return s;
    }
    if (seen != F_ALL)
        return bad(d, "(root)", "lacks required fields");
    if (rel->type != MSGPACK_OBJECT_ARRAY)
        return bad(d, "rel", "is not an array");
    out->nrelations = rel->via.array.size;
    out->relations = alloc_array(d, out->nrelations, sizeof(cpi_relation));
    for (uint32_t j = 0; j < out->nrelations; j++) {
        cpi_status s = decode_relation(d, &rel->via.array.ptr[j], &out->relations[j], out->nmentions);
        if (s)
            return s;
    }
    return CPI_OK;
}

/*
 * msgpack-c allocates a container's elements from its declared count before
 * reading them, so nine bytes declaring a map of 3.7 billion pairs ask for
 * tens of GB (found by tests/fuzz/fuzz_codec). Walk the tokens first: every
 * element takes at least one byte, so a count larger than the bytes left, or
 * a string longer than them, cannot be honest and is refused before unpacking.
 */
static bool counts_plausible(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i++];
        uint64_t n = 0, skip = 0; /* n: elements that follow; skip: payload bytes */
        size_t hdr = 0;           /* bytes of length after the type byte */
        if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
            continue;
        if ((c & 0xf0) == 0x80) {
            n = 2u * (c & 0x0f);
        } else if ((c & 0xf0) == 0x90) {
            n = c & 0x0f;
        } else if ((c & 0xe0) == 0xa0) {
            skip = c & 0x1f;
        } else {
            switch (c) {
            case 0xc4: case 0xd9: hdr = 1; break;           /* bin8, str8: length follows */
            case 0xc5: case 0xda: case 0xdc: case 0xde: hdr = 2; break;
            case 0xc6: case 0xdb: case 0xdd: case 0xdf: hdr = 4; break;
            case 0xcc: case 0xd0: skip = 1; break;
            case 0xcd: case 0xd1: skip = 2; break;
            case 0xca: case 0xce: case 0xd2: skip = 4; break;
            case 0xcb: case 0xcf: case 0xd3: skip = 8; break;
            case 0xd4: skip = 2; break; case 0xd5: skip = 3; break; case 0xd6: skip = 5; break;
            case 0xd7: skip = 9; break; case 0xd8: skip = 17; break;
            case 0xc7: hdr = 1; skip = 1; break;             /* ext8: length, type, data */
            case 0xc8: hdr = 2; skip = 1; break;
            case 0xc9: hdr = 4; skip = 1; break;
            default: return false;                          /* 0xc1: never used */
            }
            if (hdr) {
                if (len - i < hdr)
                    return false;
                uint64_t v = 0;
                for (size_t k = 0; k < hdr; k++)
                    v = v << 8 | p[i + k];
                i += hdr;
                if (c == 0xdc || c == 0xdd)
                    n = v;
                else if (c == 0xde || c == 0xdf)
                    n = 2 * v;
                else
                    skip += v;
            }
        }
        if (n > len - i || skip > len - i)
            return false;
        i += (size_t)skip;
    }
    return true;
}

cpi_status cpi_codec_decode_record(const char *ref, const void *data, size_t len, cpi_arena *arena,
                                   cpi_record *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    if (!counts_plausible(data, len))
        return cpi_error_set(err, CPI_ERR_STORE, "stored record '%s': value is not valid msgpack", ref);
    out->day = CPI_DAY_NONE;
    dec d = {ref, arena, err};
    out->ref = cpi_arena_strdup(arena, ref);
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    msgpack_unpack_return r = msgpack_unpack_next(&up, data, len, &off);
    cpi_status s;
    if (r != MSGPACK_UNPACK_SUCCESS)
        s = cpi_error_set(err, CPI_ERR_STORE, "stored record '%s': value is not valid msgpack", ref);
    else if (off != len)
        s = cpi_error_set(err, CPI_ERR_STORE, "stored record '%s': trailing bytes after the value", ref);
    else
        s = decode_map(&d, &up.data, out);
    msgpack_unpacked_destroy(&up);
    return s;
}
