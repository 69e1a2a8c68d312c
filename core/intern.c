/* intern.c - the string interner and a u64 map, linear probing (see intern.h). */
#include "core/intern.h"
#include "core/array.h"

#include <stdlib.h>
#include <string.h>

struct cpi_intern_chunk {
    cpi_intern_chunk *next;
    size_t used, cap;
    char data[];
};

#define CHUNK (64 * 1024)

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h ^ (h >> 15); /* the table indexes by the low bits */
}

static cpi_status rehash(cpi_intern *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    uint64_t *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return CPI_ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i]) {
            size_t j = (m->slots[i] >> 32) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = m->slots[i];
        }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return CPI_OK;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t slot_of(const cpi_intern *m, const char *s, size_t len, uint32_t h)
{
    for (size_t j = h & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        uint64_t v = m->slots[j];
        if (!v || ((uint32_t)(v >> 32) == h && m->lens[(uint32_t)v - 1] == len &&
                   memcmp(m->strs[(uint32_t)v - 1], s, len) == 0))
            return j;
    }
}

uint32_t cpi_intern_find(const cpi_intern *m, const char *s, size_t len)
{
    if (!m->cap)
        return CPI_INTERN_NONE;
    uint64_t v = m->slots[slot_of(m, s, len, hash_bytes(s, len))];
    return v ? (uint32_t)v - 1 : CPI_INTERN_NONE;
}

/* A NUL-terminated copy of s in the chunks; NULL on out of memory. */
static char *copy_of(cpi_intern *m, const char *s, size_t len)
{
    size_t need = len + 1;
    cpi_intern_chunk *c = m->chunks;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > CHUNK ? need : CHUNK;
        if (!(c = malloc(sizeof *c + cap)))
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = m->chunks;
        m->chunks = c;
    }
    char *p = c->data + c->used;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    c->used += need;
    return p;
}

cpi_status cpi_intern_add(cpi_intern *m, const char *s, size_t len, uint32_t *out, int *added)
{
    if (added)
        *added = 0;
    if (!m->cap && rehash(m))
        return CPI_ERR_NOMEM;
    uint32_t h = hash_bytes(s, len);
    size_t j = slot_of(m, s, len, h);
    if (m->slots[j]) {
        *out = (uint32_t)m->slots[j] - 1;
        return CPI_OK;
    }
    if (len > UINT32_MAX - 8 || m->count >= UINT32_MAX - 2)
        return CPI_ERR_NOMEM;
    if (m->count == m->strs_cap) { /* strs and lens: one capacity, each grown from it to the same new one */
        uint32_t cap[2] = {m->strs_cap, m->strs_cap};
        size_t need = (size_t)m->count + 1;
        if (CPI_GROW(m->strs, cap[0], need, 1024) || CPI_GROW(m->lens, cap[1], need, 1024))
            return CPI_ERR_NOMEM;
        m->strs_cap = cap[0];
    }
    const char *copy = copy_of(m, s, len);
    if (!copy)
        return CPI_ERR_NOMEM;
    uint32_t id = m->count++;
    m->strs[id] = copy;
    m->lens[id] = (uint32_t)len;
    m->slots[j] = (uint64_t)h << 32 | (id + 1);
    *out = id;
    if (added)
        *added = 1;
    if ((size_t)m->count * 2 > m->cap && rehash(m)) {
        m->slots[j] = 0; /* keep the table consistent: the number was never handed out */
        m->count--;
        return CPI_ERR_NOMEM;
    }
    return CPI_OK;
}

uint32_t cpi_intern_id(cpi_intern *m, const char *s, size_t len, cpi_error *err)
{
    uint32_t x;
    if (cpi_intern_add(m, s, len, &x, NULL)) {
        cpi_error_set(err, CPI_ERR_NOMEM, "string table: out of memory");
        return 0;
    }
    return x + 1;
}

void cpi_intern_free(cpi_intern *m)
{
    free(m->slots);
    free(m->strs);
    free(m->lens);
    for (cpi_intern_chunk *c = m->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    memset(m, 0, sizeof *m);
}

static size_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

uint32_t cpi_u64map_find(const cpi_u64map *m, uint64_t key)
{
    if (!m->cap)
        return CPI_INTERN_NONE;
    for (size_t j = mix(key) & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        if (!m->vals[j])
            return CPI_INTERN_NONE;
        if (m->keys[j] == key)
            return m->vals[j] - 1;
    }
}

cpi_status cpi_u64map_add(cpi_u64map *m, uint64_t key, uint32_t fresh, uint32_t *out, int *added)
{
    if (added)
        *added = 0;
    if ((m->count + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        uint64_t *nk = calloc(ncap, sizeof *nk);
        uint32_t *nv = calloc(ncap, sizeof *nv);
        if (!nk || !nv) {
            free(nk);
            free(nv);
            return CPI_ERR_NOMEM;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->vals[i]) {
                size_t j = mix(m->keys[i]) & (ncap - 1);
                while (nv[j])
                    j = (j + 1) & (ncap - 1);
                nk[j] = m->keys[i];
                nv[j] = m->vals[i];
            }
        free(m->keys);
        free(m->vals);
        m->keys = nk;
        m->vals = nv;
        m->cap = ncap;
    }
    size_t j = mix(key) & (m->cap - 1);
    for (; m->vals[j]; j = (j + 1) & (m->cap - 1))
        if (m->keys[j] == key) {
            *out = m->vals[j] - 1;
            return CPI_OK;
        }
    m->keys[j] = key;
    m->vals[j] = fresh + 1;
    m->count++;
    *out = fresh;
    if (added)
        *added = 1;
    return CPI_OK;
}

void cpi_u64map_free(cpi_u64map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
