/*
 * heap.c - transparent huge pages for ingest's heap (see heap.h).
 *
 * Why: LMDB (without MDB_WRITEMAP, docs/architecture.md) copies every page a
 * write transaction changes into a malloc'd 4 KiB buffer. In a fresh process
 * that is fresh memory, one page fault per page: a MIRAF file of 5,344 rows
 * into a store of a million records dirtied ~15,700 pages, and the faults
 * were a third of its CPU time on this virtual machine. Debian's kernel
 * gives huge pages only where asked (transparent_hugepage=madvise); glibc
 * asks only under GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which a process
 * cannot set for itself. So: one heap extension made large up front
 * (M_TOP_PAD), advised MADV_HUGEPAGE; later small allocations come from it.
 * Address space only: memory is used as it is touched, 2 MiB at a time.
 */
#include "heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)

void cli_heap_prepare(size_t bytes)
{
    int pad = (int)(bytes > INT32_MAX ? INT32_MAX : bytes);
    void *before = sbrk(0);
    if (before == (void *)-1 || !mallopt(M_TOP_PAD, pad))
        return;
    /* 64 KiB blocks (under the mmap threshold, so from the heap) until the heap has grown,
     * which it does by the block and the pad */
    void *blocks[64];
    int n = 0;
    void *after = before;
    while (n < 64 && after == before && (blocks[n] = malloc(64 << 10)) != NULL) {
        n++;
        after = sbrk(0);
    }
    while (n > 0)
        free(blocks[--n]);
    mallopt(M_TOP_PAD, 128 << 10);  /* glibc's default: later growth in ordinary steps */
    mallopt(M_TRIM_THRESHOLD, pad); /* and the advised part is not given back on free */
    uintptr_t from = ((uintptr_t)before + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), to = (uintptr_t)after & ~(HUGE_PAGE - 1);
    if (after != (void *)-1 && to > from)
        (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
}
