/*
 * strtab.h - a string interner: each distinct byte string gets a small
 * integer id, so the resolver holds a million mentions' keys as integers,
 * compares them by id and keeps one copy of "jones".
 *
 * Ids are dense from 1 in order of first interning; 0 means "no string".
 * Lookups hash (FNV-1a) into an open-addressed table of ids.
 *
 * Ownership: the table owns every byte. cpi_strtab_str() returns a pointer
 * that stays valid only until the next cpi_strtab_intern() (the byte buffer
 * may move when it grows), so intern everything first, then read.
 * Not thread-safe for writers; concurrent readers are fine once interning
 * has stopped.
 */
#ifndef CPI_STRTAB_H
#define CPI_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct cpi_strtab {
    char *bytes;      /* every string, NUL-terminated, back to back */
    size_t nbytes, capbytes;
    uint32_t *off;    /* off[id] = offset of string id in bytes; off[0] unused */
    uint32_t *len;    /* len[id] */
    uint32_t n;       /* strings interned; ids are 1..n */
    uint32_t capn;
    uint32_t *slots;  /* 0 = empty, else an id */
    uint32_t nslots;  /* power of two, at least twice n */
} cpi_strtab;

/* A zeroed cpi_strtab is an empty table. */
/* The id of s (len bytes, need not be NUL-terminated), interning it if new. 0 and
 * CPI_ERR_NOMEM in *err when memory runs out (or the table passes 4 GiB). */
uint32_t cpi_strtab_intern(cpi_strtab *t, const char *s, size_t len, cpi_error *err);
/* The id of s if interned, else 0. */
uint32_t cpi_strtab_find(const cpi_strtab *t, const char *s, size_t len);
/* The string of id (NULL for 0 or an unknown id). */
const char *cpi_strtab_str(const cpi_strtab *t, uint32_t id);
static inline uint32_t cpi_strtab_len(const cpi_strtab *t, uint32_t id) { return id && id <= t->n ? t->len[id] : 0; }
void cpi_strtab_free(cpi_strtab *t);

#endif
