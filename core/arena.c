/* arena.c - bump allocator (see arena.h). Blocks are chained; big requests get their own block. */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cpi_arena_block {
    cpi_arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

#define ALIGN (sizeof(max_align_t))

static size_t block_size(const cpi_arena *a) { return a->block_size ? a->block_size : 64 * 1024; }

static void free_chain(cpi_arena_block *b)
{
    while (b) {
        cpi_arena_block *next = b->next;
        free(b);
        b = next;
    }
}

void *cpi_arena_alloc(cpi_arena *a, size_t n)
{
    n = (n + ALIGN - 1) & ~(ALIGN - 1);
    if (n == 0)
        n = ALIGN;
    cpi_arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t bs = block_size(a);
        if (n <= bs && a->spare) {
            b = a->spare;
            a->spare = b->next;
        } else {
            size_t cap = n > bs ? n : bs;
            b = malloc(sizeof *b + cap);
            if (!b)
                return NULL;
            b->cap = cap;
        }
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

char *cpi_arena_strndup(cpi_arena *a, const char *s, size_t n)
{
    char *p = cpi_arena_alloc(a, n + 1);
    if (p) {
        if (n)
            memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *cpi_arena_strdup(cpi_arena *a, const char *s) { return cpi_arena_strndup(a, s, strlen(s)); }

void cpi_arena_reset(cpi_arena *a)
{
    cpi_arena_block *b = a->head;
    if (!b)
        return;
    /* the oldest block is last in the chain; keep it in place, the others of the default size as spares */
    size_t bs = block_size(a);
    while (b->next) {
        cpi_arena_block *next = b->next;
        if (b->cap == bs) {
            b->next = a->spare;
            a->spare = b;
        } else {
            free(b);
        }
        b = next;
    }
    b->used = 0;
    a->head = b;
}

void cpi_arena_free(cpi_arena *a)
{
    free_chain(a->head);
    free_chain(a->spare);
    a->head = a->spare = NULL;
}
