/*
 * heap.h - the CLI's heap policy for big writes (ingest): ask for transparent
 * huge pages on the heap LMDB copies its dirty pages into.
 */
#ifndef CPI_CLI_HEAP_H
#define CPI_CLI_HEAP_H

#include <stddef.h>

/*
 * Grow the heap once by `bytes` of address space and advise it MADV_HUGEPAGE,
 * so the pages a write transaction dirties (LMDB mallocs one 4 KiB copy of
 * each page it changes) fault in 2 MiB at a time. Best effort: does nothing
 * where the heap cannot be grown or advised (another allocator, a sanitizer).
 * Call once, early, before the write.
 */
void cli_heap_prepare(size_t bytes);

#endif
