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

#include <msgpack.h>
#include <string.h>

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s ? s : "", n);
}

static void pack_kvlist(msgpack_packer *pk, const cpi_kvlist *l)
{
    msgpack_pack_map(pk, l->count);
    for (uint32_t i = 0; i < l->count; i++) {
        pack_str(pk, l->items[i].key);
        pack_str(pk, l->items[i].value);
    }
}

cpi_status cpi_codec_encode_record(const cpi_record *rec, char **out, size_t *len, cpi_error *err)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);

    uint32_t nfields = 10 + (rec->day != CPI_DAY_NONE);
    msgpack_pack_map(&pk, nfields);
    pack_str(&pk, "ty");
    pack_str(&pk, rec->type);
    if (rec->day != CPI_DAY_NONE) {
        pack_str(&pk, "d");
        msgpack_pack_int32(&pk, rec->day);
    }
    pack_str(&pk, "pf");
    pack_str(&pk, rec->prov.file);
    pack_str(&pk, "pl");
    msgpack_pack_uint64(&pk, rec->prov.line);
    pack_str(&pk, "ph");
    msgpack_pack_bin(&pk, 32);
    msgpack_pack_bin_body(&pk, rec->prov.hash, 32);
    pack_str(&pk, "pt");
    msgpack_pack_int64(&pk, rec->prov.ingest_time);
    pack_str(&pk, "pv");
    msgpack_pack_uint32(&pk, rec->prov.version);
    pack_str(&pk, "x");
    pack_kvlist(&pk, &rec->facts);

    pack_str(&pk, "m");
    msgpack_pack_array(&pk, rec->nmentions);
    for (uint32_t i = 0; i < rec->nmentions; i++) {
        const cpi_mention *m = &rec->mentions[i];
        msgpack_pack_map(&pk, 4);
        pack_str(&pk, "k");
        msgpack_pack_uint8(&pk, (uint8_t)m->kind);
        pack_str(&pk, "r");
        pack_str(&pk, m->role);
        pack_str(&pk, "w");
        pack_kvlist(&pk, &m->raw);
        pack_str(&pk, "n");
        pack_kvlist(&pk, &m->keys);
    }

    pack_str(&pk, "rel");
    msgpack_pack_array(&pk, rec->nrelations);
    for (uint32_t i = 0; i < rec->nrelations; i++) {
        const cpi_relation *r = &rec->relations[i];
        msgpack_pack_array(&pk, 4);
        pack_str(&pk, r->type);
        msgpack_pack_uint32(&pk, r->from);
        msgpack_pack_uint32(&pk, r->to);
        if (r->day == CPI_DAY_NONE)
            msgpack_pack_nil(&pk);
        else
            msgpack_pack_int32(&pk, r->day);
    }

    pack_str(&pk, "hist");
    msgpack_pack_array(&pk, rec->nhistory);
    for (uint32_t i = 0; i < rec->nhistory; i++) {
        const cpi_version *v = &rec->history[i];
        msgpack_pack_array(&pk, 3);
        msgpack_pack_bin(&pk, 32);
        msgpack_pack_bin_body(&pk, v->hash, 32);
        msgpack_pack_int64(&pk, v->ingest_time);
        msgpack_pack_uint32(&pk, v->version);
    }

    if (!sb.data) {
        msgpack_sbuffer_destroy(&sb);
        return cpi_error_set(err, CPI_ERR_NOMEM, "encoding record %s: out of memory", rec->ref);
    }
    *out = sb.data; /* ownership passes to the caller */
    *len = sb.size;
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
