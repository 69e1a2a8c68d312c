/* intern.c - string interning and a u64 map, linear probing (see intern.h). */
#include "core/intern.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static cpi_status intern_grow(cpi_intern *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    uint32_t *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return CPI_ERR_NOMEM;
    for (uint32_t i = 0; i < m->count; i++) {
        size_t j = m->hashes[i] & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = i + 1;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return CPI_OK;
}

uint32_t cpi_intern_find(const cpi_intern *m, const char *s, size_t len)
{
    if (!m->cap)
        return CPI_INTERN_NONE;
    uint32_t h = hash_bytes(s, len);
    for (size_t j = h & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        uint32_t v = m->slots[j];
        if (!v)
            return CPI_INTERN_NONE;
        const char *t = m->strs[v - 1];
        if (m->hashes[v - 1] == h && strncmp(t, s, len) == 0 && t[len] == '\0')
            return v - 1;
    }
}

cpi_status cpi_intern_add(cpi_intern *m, const char *s, size_t len, uint32_t *out, int *added)
{
    if (added)
        *added = 0;
    uint32_t found = cpi_intern_find(m, s, len);
    if (found != CPI_INTERN_NONE) {
        *out = found;
        return CPI_OK;
    }
    if ((m->count + 1) * 2 > m->cap && intern_grow(m))
        return CPI_ERR_NOMEM;
    if (m->count == m->strs_cap) {
        uint32_t ncap = m->strs_cap ? m->strs_cap * 2 : 1024;
        const char **ns = realloc(m->strs, sizeof *ns * ncap);
        if (!ns)
            return CPI_ERR_NOMEM;
        m->strs = ns;
        uint32_t *nh = realloc(m->hashes, sizeof *nh * ncap);
        if (!nh)
            return CPI_ERR_NOMEM;
        m->hashes = nh;
        m->strs_cap = ncap;
    }
    char *copy = cpi_arena_strndup(&m->arena, s, len);
    if (!copy)
        return CPI_ERR_NOMEM;
    uint32_t h = hash_bytes(s, len), id = m->count++;
    m->strs[id] = copy;
    m->hashes[id] = h;
    size_t j = h & (m->cap - 1);
    while (m->slots[j])
        j = (j + 1) & (m->cap - 1);
    m->slots[j] = id + 1;
    *out = id;
    if (added)
        *added = 1;
    return CPI_OK;
}

void cpi_intern_free(cpi_intern *m)
{
    free(m->slots);
    free(m->strs);
    free(m->hashes);
    cpi_arena_free(&m->arena);
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
