/*
 * area.c - read the areas the graph build stored (graph/area.h) and match an
 * area a user typed against them.
 */
#include "graph/area.h"

#include <msgpack.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *cpi_area_kind_name(int kind)
{
    return kind == CPI_AREA_LA ? "local-authority" : kind == CPI_AREA_POLICING ? "policing-area" : "unknown";
}

static cpi_status bad(cpi_error *err)
{
    return cpi_error_set(err, CPI_ERR_STORE, "stored analytics 'areas' is malformed; rebuild with 'cpindex resolve'");
}

cpi_status cpi_areas_list(cpi_txn *txn, cpi_arena *arena, cpi_area_info **out, uint32_t *n, cpi_error *err)
{
    *out = NULL;
    *n = 0;
    char key[16];
    int klen = snprintf(key, sizeof key, "a%careas", CPI_KEY_SEP);
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_ANALYTICS, key, (size_t)klen, &v, err);
    if (s == CPI_NOT_FOUND)
        return cpi_error_set(err, CPI_NOT_FOUND, "this store's graph holds no areas: run 'cpindex resolve' (the graph "
                                                 "build decides each child's area)");
    if (s)
        return s;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    if (msgpack_unpack_next(&up, v.data, v.len, &off) != MSGPACK_UNPACK_SUCCESS || off != v.len ||
        up.data.type != MSGPACK_OBJECT_ARRAY) {
        msgpack_unpacked_destroy(&up);
        return bad(err);
    }
    uint32_t cnt = up.data.via.array.size;
    cpi_area_info *items = cnt ? cpi_arena_alloc(arena, sizeof *items * cnt) : NULL;
    if (cnt && !items)
        s = cpi_error_set(err, CPI_ERR_NOMEM, "areas: out of memory");
    for (uint32_t i = 0; i < cnt && !s; i++) {
        const msgpack_object *a = &up.data.via.array.ptr[i];
        if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size != 5 || a->via.array.ptr[0].type != MSGPACK_OBJECT_STR) {
            s = bad(err);
            break;
        }
        const msgpack_object *f = a->via.array.ptr;
        for (int j = 1; j < 5; j++)
            if (f[j].type != MSGPACK_OBJECT_POSITIVE_INTEGER || f[j].via.u64 > UINT32_MAX)
                s = bad(err);
        if (!s && f[1].via.u64 != CPI_AREA_LA && f[1].via.u64 != CPI_AREA_POLICING)
            s = bad(err);
        if (s)
            break;
        items[i] = (cpi_area_info){cpi_arena_strndup(arena, f[0].via.str.ptr, f[0].via.str.size), (int)f[1].via.u64,
                                   (uint32_t)f[2].via.u64, (uint32_t)f[3].via.u64, (uint32_t)f[4].via.u64};
        if (!items[i].name)
            s = cpi_error_set(err, CPI_ERR_NOMEM, "areas: out of memory");
    }
    msgpack_unpacked_destroy(&up);
    if (!s) {
        *out = items;
        *n = cnt;
    }
    return s;
}

cpi_status cpi_area_find(cpi_txn *txn, const char *name, cpi_arena *arena, const char **canon, int *kind,
                         cpi_error *err)
{
    *canon = NULL;
    cpi_area_info *a;
    uint32_t n;
    cpi_status s = cpi_areas_list(txn, arena, &a, &n, err);
    if (s)
        return s;
    for (uint32_t i = 0; i < n; i++)
        if (strcasecmp(a[i].name, name) == 0) {
            *canon = a[i].name;
            if (kind)
                *kind = a[i].kind;
            return CPI_OK;
        }
    if (!n)
        return cpi_error_set(err, CPI_NOT_FOUND, "no area is known in this store: no Niche location gives a local "
                                                 "authority and no MACE meeting an area");
    char list[1024];
    size_t len = 0;
    list[0] = '\0';
    for (uint32_t i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", a[i].name);
    return cpi_error_set(err, CPI_ERR_USAGE, "no area '%s' in this store; the areas known are: %s", name, list);
}

bool cpi_card_in_area(const cpi_card *c, const char *area)
{
    return area && ((c->la && strcasecmp(c->la, area) == 0) || (c->area && strcasecmp(c->area, area) == 0));
}

bool cpi_card_placed(const cpi_card *c, int kind) { return kind == CPI_AREA_LA ? c->la != NULL : c->area != NULL; }
