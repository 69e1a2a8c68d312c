/*
 * arena.h - a bump allocator for values decoded from the store.
 *
 * A query decodes many small strings and arrays; giving each its own malloc
 * makes freeing error-prone. Everything decoded into an arena lives until
 * cpi_arena_reset() or cpi_arena_free(); nothing is freed piecemeal.
 */
#ifndef CPI_ARENA_H
#define CPI_ARENA_H

#include <stddef.h>

typedef struct cpi_arena_block cpi_arena_block;
typedef struct cpi_arena {
    cpi_arena_block *head;
    size_t block_size;
    cpi_arena_block *spare; /* blocks of the default size kept by cpi_arena_reset for the next query */
} cpi_arena;

/* A zeroed cpi_arena is ready to use; block_size 0 means the default (64 KiB). */
void *cpi_arena_alloc(cpi_arena *a, size_t n);          /* NULL on out of memory */
char *cpi_arena_strndup(cpi_arena *a, const char *s, size_t n); /* NUL-terminated copy */
char *cpi_arena_strdup(cpi_arena *a, const char *s);
/*
 * Forget everything allocated. Blocks of the default size are kept for
 * reuse (a process answering one query after another then stops returning
 * memory to the system and faulting it back in for every answer: at 1M
 * records that was a large part of a big profile's time); bigger blocks are
 * freed. So an arena holds at most what its largest query needed.
 */
void cpi_arena_reset(cpi_arena *a);
void cpi_arena_free(cpi_arena *a);

#endif
