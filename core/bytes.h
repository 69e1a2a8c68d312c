/*
 * bytes.h - big-endian integers in byte buffers: store keys (sequence
 * numbers sort in order), msgpack, the audit chain and its journal.
 */
#ifndef CPI_BYTES_H
#define CPI_BYTES_H

#include <stdint.h>

static inline void cpi_be32_put(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static inline void cpi_be64_put(unsigned char *p, uint64_t v)
{
    cpi_be32_put(p, (uint32_t)(v >> 32));
    cpi_be32_put(p + 4, (uint32_t)v);
}

static inline uint32_t cpi_be32_get(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t cpi_be64_get(const unsigned char *p)
{
    return (uint64_t)cpi_be32_get(p) << 32 | cpi_be32_get(p + 4);
}

#endif
