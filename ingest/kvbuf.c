/* kvbuf.c - arena-backed growable key/value lists (see kvbuf.h). */
#include "ingest/kvbuf.h"

#include <string.h>

static cpi_status grow(cpi_kvbuf *b, cpi_arena *a)
{
    if (b->count == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 8;
        cpi_kv *items = cpi_arena_alloc(a, sizeof *items * cap);
        if (!items)
            return CPI_ERR_NOMEM;
        if (b->count)
            memcpy(items, b->items, sizeof *items * b->count);
        b->items = items;
        b->cap = cap;
    }
    return CPI_OK;
}

cpi_status cpi_kvbuf_add(cpi_kvbuf *b, cpi_arena *a, const char *key, const char *value, size_t len)
{
    if (grow(b, a) != CPI_OK)
        return CPI_ERR_NOMEM;
    char *v = cpi_arena_strndup(a, value, len);
    if (!v)
        return CPI_ERR_NOMEM;
    b->items[b->count++] = (cpi_kv){key, v};
    return CPI_OK;
}

cpi_status cpi_kvbuf_add_ref(cpi_kvbuf *b, cpi_arena *a, const char *key, const char *value)
{
    if (grow(b, a) != CPI_OK)
        return CPI_ERR_NOMEM;
    b->items[b->count++] = (cpi_kv){key, value};
    return CPI_OK;
}

cpi_status cpi_kvbuf_add_nonempty(cpi_kvbuf *b, cpi_arena *a, const char *key, const char *value)
{
    if (!value || !*value)
        return CPI_OK;
    return cpi_kvbuf_add(b, a, key, value, strlen(value));
}
