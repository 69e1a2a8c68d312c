/*
 * resolve/review.c - the possible matches the last resolve left for a
 * person to decide: pairs scored in the possible band (or linked by score but
 * kept apart by the guard) whose mentions ended in different entities.
 * Children come first - a missed link on a child is what the inspection found
 * costs most - then the likeliest matches.
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "core/array.h"
#include "resolve/resolve.h"
#include "core/store.h"

static bool key_is(const msgpack_object *k, const char *name)
{
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(name) &&
           memcmp(k->via.str.ptr, name, k->via.str.size) == 0;
}

static bool number(const msgpack_object *o, double *out)
{
    switch (o->type) {
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        *out = o->via.f64;
        return true;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        *out = (double)o->via.u64;
        return true;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        *out = (double)o->via.i64;
        return true;
    default:
        return false;
    }
}

/* Decode one stored review pair strictly (resolve/write.c writes it). */
static cpi_status decode(const cpi_slice *k, const cpi_slice *v, cpi_review_item *it, cpi_error *err)
{
    memset(it, 0, sizeof *it);
    const char *key = k->data, *sep = memchr(key, CPI_KEY_SEP, k->len);
    size_t la = sep ? (size_t)(sep - key) : 0, lb = sep ? k->len - la - 1 : 0;
    if (!sep || !la || !lb || la >= CPI_REF_MAX || lb >= CPI_REF_MAX)
        return cpi_error_set(err, CPI_ERR_DATA, "review: a stored key is not two references");
    memcpy(it->ref_a, key, la);
    memcpy(it->ref_b, sep + 1, lb);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    unsigned seen = 0;
    cpi_status s = CPI_OK;
    if (msgpack_unpack_next(&u, v->data, v->len, &off) != MSGPACK_UNPACK_SUCCESS || off != v->len ||
        u.data.type != MSGPACK_OBJECT_MAP) {
        s = cpi_error_set(err, CPI_ERR_DATA, "review %s / %s: value is not one msgpack map", it->ref_a, it->ref_b);
        goto done;
    }
    for (uint32_t i = 0; i < u.data.via.map.size && !s; i++) {
        const msgpack_object *mk = &u.data.via.map.ptr[i].key, *mv = &u.data.via.map.ptr[i].val;
        double d;
        if (key_is(mk, "k") && mv->type == MSGPACK_OBJECT_POSITIVE_INTEGER && mv->via.u64 >= 1 &&
            mv->via.u64 <= CPI_KIND_COUNT) {
            it->kind = (cpi_kind)mv->via.u64;
            seen |= 1;
        } else if (key_is(mk, "p") && number(mv, &d) && d >= 0 && d <= 1) {
            it->probability = d;
            seen |= 2;
        } else if (key_is(mk, "w") && number(mv, &d)) {
            it->weight = d;
            seen |= 4;
        } else if (key_is(mk, "c") && mv->type == MSGPACK_OBJECT_BOOLEAN) {
            it->child = mv->via.boolean;
            seen |= 8;
        } else {
            s = cpi_error_set(err, CPI_ERR_DATA, "review %s / %s: unknown or mistyped field", it->ref_a, it->ref_b);
        }
    }
    if (!s && seen != 15)
        s = cpi_error_set(err, CPI_ERR_DATA, "review %s / %s: a field is missing", it->ref_a, it->ref_b);
done:
    msgpack_unpacked_destroy(&u);
    return s;
}

cpi_status cpi_review_decode(const void *key, size_t klen, const void *val, size_t vlen, cpi_review_item *out,
                             cpi_error *err)
{
    cpi_slice k = {key, klen}, v = {val, vlen};
    return decode(&k, &v, out, err);
}

static int cmp_item(const void *x, const void *y)
{
    const cpi_review_item *a = x, *b = y;
    if (a->child != b->child)
        return a->child ? -1 : 1;
    if (a->probability != b->probability)
        return a->probability > b->probability ? -1 : 1;
    int c = strcmp(a->ref_a, b->ref_a);
    return c ? c : strcmp(a->ref_b, b->ref_b);
}

cpi_status cpi_review_list(cpi_store *st, cpi_review_item **items, size_t *n, cpi_error *err)
{
    *items = NULL;
    *n = 0;
    cpi_txn *t;
    cpi_status s = cpi_store_read_begin(st, &t, err);
    if (s)
        return s;
    cpi_cursor *c;
    if ((s = cpi_cursor_open(t, CPI_DB_REVIEW, &c, err))) {
        cpi_txn_end(t);
        return s;
    }
    cpi_review_item *v = NULL;
    size_t cnt = 0, cap = 0;
    cpi_slice k, val;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &val, err);
    for (; cs == CPI_OK && !s; cs = cpi_cursor_next(c, &k, &val, err)) {
        if (CPI_GROW(v, cap, cnt + 1, 256)) {
            s = cpi_error_set(err, CPI_ERR_NOMEM, "review: out of memory");
            break;
        }
        s = decode(&k, &val, &v[cnt], err);
        cnt += s == CPI_OK;
    }
    if (!s && cs != CPI_NOT_FOUND)
        s = cs;
    cpi_cursor_close(c);
    cpi_txn_end(t);
    if (s) {
        free(v);
        return s;
    }
    cpi_sort(v, cnt, sizeof *v, cmp_item);
    *items = v;
    *n = cnt;
    return CPI_OK;
}
