/*
 * sort.h - qsort and qsort_r that accept an empty array. The C library's
 * declare their base pointer non-null, and an empty list here is often a
 * NULL pointer (nothing was ever pushed); UBSan rightly refuses passing it.
 */
#ifndef CPI_SORT_H
#define CPI_SORT_H

#include <stdlib.h>

static inline void cpi_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static inline void cpi_qsort_r(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *, void *),
                               void *ctx)
{
    if (n > 1)
        qsort_r(base, n, size, cmp, ctx);
}

#endif
