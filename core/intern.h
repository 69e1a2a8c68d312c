/*
 * intern.h - the string interner, and a map of 64-bit keys to numbers.
 *
 * One interner for the whole library: the resolver holds a million mentions'
 * keys as integers (compares them by id, keeps one copy of "jones"), the graph
 * build numbers entity ids, record references and urns, queries keep sets of
 * ids. Each distinct byte string (len bytes, need not be NUL-terminated) gets a
 * number 0, 1, 2... in first-seen order, so callers keep parallel arrays
 * indexed by them; strs[number] is its NUL-terminated copy, which stays put
 * until cpi_intern_free() (interning more never moves it).
 *
 * Lookups hash (FNV-1a) into an open-addressed table that keeps each string's
 * hash beside its number, so a probe touches the string only when the hashes
 * agree. A zeroed cpi_intern is empty. Not thread-safe for writers;
 * concurrent readers are fine once interning has stopped.
 *
 * Ids are numbers + 1, for callers that keep 0 for "no string" (the resolver's
 * mention keys): cpi_intern_id(), cpi_intern_find_id(), cpi_intern_id_str().
 */
#ifndef CPI_INTERN_H
#define CPI_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define CPI_INTERN_NONE UINT32_MAX

typedef struct cpi_intern_chunk cpi_intern_chunk;
typedef struct cpi_intern {
    uint64_t *slots;    /* hash << 32 | (number + 1); 0 = empty */
    size_t cap;         /* slots: a power of two, at least twice count */
    const char **strs;  /* [count] number -> string */
    uint32_t *lens;     /* [count] number -> its length */
    uint32_t count, strs_cap;
    cpi_intern_chunk *chunks; /* the strings' bytes, NUL-terminated, back to back */
} cpi_intern;

/* Number of s (len bytes), adding it if new; *added (may be NULL) says which.
 * CPI_ERR_NOMEM when memory runs out (or past 4G strings or a 4 GiB string). */
cpi_status cpi_intern_add(cpi_intern *m, const char *s, size_t len, uint32_t *out, int *added);
/* Number of s, or CPI_INTERN_NONE. */
uint32_t cpi_intern_find(const cpi_intern *m, const char *s, size_t len);
/* The length of string number x (x < count). */
static inline uint32_t cpi_intern_len(const cpi_intern *m, uint32_t x) { return m->lens[x]; }
void cpi_intern_free(cpi_intern *m);

/* The id (number + 1) of s, interning it if new; 0 and CPI_ERR_NOMEM in *err on failure. */
uint32_t cpi_intern_id(cpi_intern *m, const char *s, size_t len, cpi_error *err);
/* The id of s if interned, else 0. */
static inline uint32_t cpi_intern_find_id(const cpi_intern *m, const char *s, size_t len)
{
    return cpi_intern_find(m, s, len) + 1; /* CPI_INTERN_NONE + 1 == 0 */
}
/* The string of id (NULL for 0 or an unknown id). */
static inline const char *cpi_intern_id_str(const cpi_intern *m, uint32_t id)
{
    return id && id <= m->count ? m->strs[id - 1] : NULL;
}

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
