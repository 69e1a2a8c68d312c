/* strtab.c - the string interner (see strtab.h). */
#include "core/strtab.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h ^ (h >> 15);
}

static uint32_t slot_of(const cpi_strtab *t, const char *s, size_t len, bool *found)
{
    uint32_t mask = t->nslots - 1, j = hash(s, len) & mask;
    for (;; j = (j + 1) & mask) {
        uint32_t id = t->slots[j];
        if (id == 0) {
            *found = false;
            return j;
        }
        if (t->len[id] == len && memcmp(t->bytes + t->off[id], s, len) == 0) {
            *found = true;
            return j;
        }
    }
}

static int rehash(cpi_strtab *t, uint32_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t id = 1; id <= t->n; id++) {
        uint32_t j = hash(t->bytes + t->off[id], t->len[id]) & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = id;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return 0;
}

uint32_t cpi_strtab_find(const cpi_strtab *t, const char *s, size_t len)
{
    if (!t->nslots)
        return 0;
    bool found;
    uint32_t j = slot_of(t, s, len, &found);
    return found ? t->slots[j] : 0;
}

uint32_t cpi_strtab_intern(cpi_strtab *t, const char *s, size_t len, cpi_error *err)
{
    if (!t->nslots && rehash(t, 1024))
        goto nomem;
    bool found;
    uint32_t j = slot_of(t, s, len, &found);
    if (found)
        return t->slots[j];
    if (t->nbytes + len + 1 > UINT32_MAX || t->n + 2 >= UINT32_MAX / 2)
        goto nomem;
    if (t->n + 1 >= t->capn) {
        uint32_t cap = t->capn ? t->capn * 2 : 1024;
        uint32_t *off = realloc(t->off, cap * sizeof *off);
        if (!off)
            goto nomem;
        t->off = off;
        uint32_t *ln = realloc(t->len, cap * sizeof *ln);
        if (!ln)
            goto nomem;
        t->len = ln;
        t->capn = cap;
    }
    if (t->nbytes + len + 1 > t->capbytes) {
        size_t cap = t->capbytes ? t->capbytes * 2 : 65536;
        while (cap < t->nbytes + len + 1)
            cap *= 2;
        char *b = realloc(t->bytes, cap);
        if (!b)
            goto nomem;
        t->bytes = b;
        t->capbytes = cap;
    }
    uint32_t id = ++t->n;
    t->off[id] = (uint32_t)t->nbytes;
    t->len[id] = (uint32_t)len;
    memcpy(t->bytes + t->nbytes, s, len);
    t->bytes[t->nbytes + len] = '\0';
    t->nbytes += len + 1;
    t->slots[j] = id;
    if ((uint64_t)t->n * 2 > t->nslots && rehash(t, t->nslots * 2)) {
        t->n--; /* keep the table consistent: the new id was never handed out */
        t->slots[j] = 0;
        goto nomem;
    }
    return id;
nomem:
    cpi_error_set(err, CPI_ERR_NOMEM, "string table: out of memory");
    return 0;
}

const char *cpi_strtab_str(const cpi_strtab *t, uint32_t id)
{
    return id && id <= t->n ? t->bytes + t->off[id] : NULL;
}

void cpi_strtab_free(cpi_strtab *t)
{
    free(t->bytes);
    free(t->off);
    free(t->len);
    free(t->slots);
    memset(t, 0, sizeof *t);
}
