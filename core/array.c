/* array.c - CPI_GROW's slow path (see array.h). */
#include "core/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t get_cap(const void *capp, size_t capsize)
{
    switch (capsize) {
    case 1: return *(const uint8_t *)capp;
    case 2: return *(const uint16_t *)capp;
    case 4: return *(const uint32_t *)capp;
    default: return (size_t) * (const uint64_t *)capp;
    }
}

static void set_cap(void *capp, size_t capsize, size_t cap)
{
    switch (capsize) {
    case 1: *(uint8_t *)capp = (uint8_t)cap; break;
    case 2: *(uint16_t *)capp = (uint16_t)cap; break;
    case 4: *(uint32_t *)capp = (uint32_t)cap; break;
    default: *(uint64_t *)capp = cap; break;
    }
}

cpi_status cpi_grow_array(void *pp, size_t elem, void *capp, size_t capsize, size_t need, size_t min)
{
    size_t cap = get_cap(capp, capsize);
    if (need <= cap)
        return CPI_OK;
    size_t most = capsize >= sizeof(size_t) ? SIZE_MAX : ((size_t)1 << (8 * capsize)) - 1; /* what cap can hold */
    if (most > SIZE_MAX / elem)
        most = SIZE_MAX / elem;
    if (need > most)
        return CPI_ERR_NOMEM;
    size_t ncap = cap <= most / 2 ? cap * 2 : most;
    if (ncap < need)
        ncap = need;
    if (ncap < min)
        ncap = min < most ? min : most;
    void *p;
    memcpy(&p, pp, sizeof p);
    void *np = realloc(p, ncap * elem);
    if (!np)
        return CPI_ERR_NOMEM;
    memcpy(pp, &np, sizeof np);
    set_cap(capp, capsize, ncap);
    return CPI_OK;
}
