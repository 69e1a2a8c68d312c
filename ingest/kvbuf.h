/*
 * kvbuf.h - growable key/value lists, mentions and relations built into an
 * arena while one row becomes one record. Everything lives until the arena is
 * reset for the next row, so building a record costs no frees.
 */
#ifndef CPI_KVBUF_H
#define CPI_KVBUF_H

#include "core/arena.h"
#include "core/model.h"

typedef struct cpi_kvbuf {
    cpi_kv *items;
    uint32_t count, cap;
} cpi_kvbuf;

/* Append (key, value) copying value (len bytes) into the arena. CPI_ERR_NOMEM on failure. */
cpi_status cpi_kvbuf_add(cpi_kvbuf *b, cpi_arena *a, const char *key, const char *value, size_t len);
/* Append (key, value) without copying value: for strings that outlive the list (a row's
 * cells, which the reader keeps until its next row, or strings already in the arena). */
cpi_status cpi_kvbuf_add_ref(cpi_kvbuf *b, cpi_arena *a, const char *key, const char *value);
/* Append only if value is non-empty. */
cpi_status cpi_kvbuf_add_nonempty(cpi_kvbuf *b, cpi_arena *a, const char *key, const char *value);
/* View as a cpi_kvlist (no copy). */
static inline cpi_kvlist cpi_kvbuf_list(const cpi_kvbuf *b) { return (cpi_kvlist){b->items, b->count}; }

#endif
