/*
 * sort.h - qsort and qsort_r that may be given nothing.
 *
 * qsort's base is declared non-null, so qsort(NULL, 0, ...) - an empty list
 * whose buffer was never allocated - is undefined behaviour (UBSan reports
 * it), however harmless glibc is about it. Every sort of a list that may be
 * empty goes through cpi_sort (cpi_sort_r with a context).
 */
#ifndef CPI_CORE_SORT_H
#define CPI_CORE_SORT_H

#include <stddef.h>
#include <stdlib.h>

static inline void cpi_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static inline void cpi_sort_r(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *, void *),
                              void *ctx)
{
    if (n > 1)
        qsort_r(base, n, size, cmp, ctx);
}

#endif
