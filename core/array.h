/*
 * array.h - growing an array: the library's one "make room, then append".
 *
 *     if (CPI_GROW(v->items, v->cap, v->n + 1, 16))
 *         return cpi_error_set(err, CPI_ERR_NOMEM, "...");
 *     v->items[v->n++] = x;
 *
 * CPI_GROW(p, cap, need, min) makes room in the array p (an lvalue pointer,
 * heap or NULL) of cap elements (an lvalue of any unsigned integer type) for
 * need elements: when cap < need it reallocates p to the largest of twice
 * cap, need and min elements, and updates p and cap. It returns CPI_OK, or
 * CPI_ERR_NOMEM when memory runs out or the new size would overflow size_t or
 * cap's type; then p and cap are unchanged (p still owned by the caller).
 * p and cap are evaluated more than once: pass plain lvalues.
 */
#ifndef CPI_ARRAY_H
#define CPI_ARRAY_H

#include <stddef.h>

#include "core/error.h"

#define CPI_GROW(p, cap, need, min)                                                                     \
    ((size_t)(need) <= (size_t)(cap) ? CPI_OK                                                           \
                                     : cpi_grow_array(&(p), sizeof *(p), &(cap), sizeof(cap), (need), (min)))

/* CPI_GROW's slow path. pp points at the array's pointer, capp at its capacity (capsize bytes:
 * 1, 2, 4 or 8). */
cpi_status cpi_grow_array(void *pp, size_t elem, void *capp, size_t capsize, size_t need, size_t min);

#endif
