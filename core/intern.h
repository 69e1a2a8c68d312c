/*
 * intern.h - two small open-addressing hash maps the graph build needs at a
 * million records: strings -> dense numbers (entity ids, record references,
 * urns), and 64-bit keys -> numbers (an edge's (from, to, type)).
 *
 * Interned strings are copied into the map's arena and live until
 * cpi_intern_free(); numbers are handed out 0, 1, 2... in first-seen order,
 * so callers keep parallel arrays indexed by them.
 */
#ifndef CPI_INTERN_H
#define CPI_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

#define CPI_INTERN_NONE UINT32_MAX

typedef struct cpi_intern {
    uint32_t *slots;    /* number + 1, 0 = empty */
    size_t cap;         /* power of two */
    const char **strs;  /* [count] number -> string */
    uint32_t *hashes;   /* [count] */
    uint32_t count, strs_cap;
    cpi_arena arena;
} cpi_intern;

/* Number of s (len bytes), adding it if new; *added says which. CPI_ERR_NOMEM on failure. */
cpi_status cpi_intern_add(cpi_intern *m, const char *s, size_t len, uint32_t *out, int *added);
/* Number of s, or CPI_INTERN_NONE. */
uint32_t cpi_intern_find(const cpi_intern *m, const char *s, size_t len);
void cpi_intern_free(cpi_intern *m);

typedef struct cpi_u64map {
    uint64_t *keys;
    uint32_t *vals; /* value + 1, 0 = empty */
    size_t cap, count;
} cpi_u64map;

/* Value for key, adding `fresh` if absent (*added = 1). */
cpi_status cpi_u64map_add(cpi_u64map *m, uint64_t key, uint32_t fresh, uint32_t *out, int *added);
uint32_t cpi_u64map_find(const cpi_u64map *m, uint64_t key);
void cpi_u64map_free(cpi_u64map *m);

#endif
