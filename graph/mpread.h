/*
 * mpread.h - a strict reader for the few msgpack types our edge and card
 * values use (maps, arrays, strings, integers, booleans), reading in place.
 *
 * Why not msgpack-c's unpacker: a child profile decodes several hundred
 * edges, and msgpack_unpack_next() builds an object tree in a freshly
 * malloc'd zone for each one; measured on a cpgen force (bench/profile_bench),
 * that was half of a profile's instructions. Reading the handful of types
 * directly does no allocation. It is held to the same strictness by the codec
 * tests (every truncation, trailing bytes, wrong types, unknown fields).
 *
 * Every function returns false, leaving *r unusable, when the next value is
 * not of the type asked for or runs past the end. Strings are returned as
 * (pointer, length) into the buffer, not NUL-terminated.
 */
#ifndef CPI_MPREAD_H
#define CPI_MPREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct mpr {
    const uint8_t *p, *end;
} mpr;

static inline bool mpr_need(const mpr *r, size_t n) { return (size_t)(r->end - r->p) >= n; }

static inline uint64_t mpr_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* A length-prefixed header: fix range in one byte, else 8/16/32-bit lengths after a tag. */
static inline bool mpr_len(mpr *r, uint8_t fix_lo, uint8_t fix_hi, uint8_t fix_mask, uint8_t t8, uint8_t t16,
                           uint8_t t32, uint32_t *out)
{
    if (!mpr_need(r, 1))
        return false;
    uint8_t b = *r->p;
    int n;
    if (b >= fix_lo && b <= fix_hi) {
        *out = b & fix_mask;
        r->p++;
        return true;
    }
    if (t8 && b == t8)
        n = 1;
    else if (b == t16)
        n = 2;
    else if (b == t32)
        n = 4;
    else
        return false;
    if (!mpr_need(r, 1 + (size_t)n))
        return false;
    *out = (uint32_t)mpr_be(r->p + 1, n);
    r->p += 1 + n;
    return true;
}

static inline bool mpr_map(mpr *r, uint32_t *n) { return mpr_len(r, 0x80, 0x8f, 0x0f, 0, 0xde, 0xdf, n); }
static inline bool mpr_array(mpr *r, uint32_t *n) { return mpr_len(r, 0x90, 0x9f, 0x0f, 0, 0xdc, 0xdd, n); }

static inline bool mpr_str(mpr *r, const char **s, uint32_t *n)
{
    if (!mpr_len(r, 0xa0, 0xbf, 0x1f, 0xd9, 0xda, 0xdb, n) || !mpr_need(r, *n))
        return false;
    *s = (const char *)r->p;
    r->p += *n;
    return true;
}

/* Any integer encoding, as a signed 64-bit value (unsigned above INT64_MAX refused). */
static inline bool mpr_int(mpr *r, int64_t *out)
{
    if (!mpr_need(r, 1))
        return false;
    uint8_t b = *r->p;
    if (b <= 0x7f) {
        *out = b;
        r->p++;
        return true;
    }
    if (b >= 0xe0) {
        *out = (int8_t)b;
        r->p++;
        return true;
    }
    int n;
    bool sign;
    switch (b) {
    case 0xcc: n = 1; sign = false; break;
    case 0xcd: n = 2; sign = false; break;
    case 0xce: n = 4; sign = false; break;
    case 0xcf: n = 8; sign = false; break;
    case 0xd0: n = 1; sign = true; break;
    case 0xd1: n = 2; sign = true; break;
    case 0xd2: n = 4; sign = true; break;
    case 0xd3: n = 8; sign = true; break;
    default: return false;
    }
    if (!mpr_need(r, 1 + (size_t)n))
        return false;
    uint64_t v = mpr_be(r->p + 1, n);
    if (sign) {
        *out = n == 1 ? (int8_t)v : n == 2 ? (int16_t)v : n == 4 ? (int32_t)v : (int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)v;
    }
    r->p += 1 + n;
    return true;
}

/* An unsigned integer up to 2^64-1 (flags). */
static inline bool mpr_uint(mpr *r, uint64_t *out)
{
    if (mpr_need(r, 9) && *r->p == 0xcf) {
        *out = mpr_be(r->p + 1, 8);
        r->p += 9;
        return true;
    }
    int64_t v;
    if (!mpr_int(r, &v) || v < 0)
        return false;
    *out = (uint64_t)v;
    return true;
}

static inline bool mpr_bool(mpr *r, bool *out)
{
    if (!mpr_need(r, 1) || (*r->p != 0xc2 && *r->p != 0xc3))
        return false;
    *out = *r->p++ == 0xc3;
    return true;
}

/* Whether key (k, n) is the string literal `lit` (its length known at compile time). */
#define MPR_KEY(k, n, lit) ((n) == sizeof(lit) - 1 && memcmp((k), (lit), sizeof(lit) - 1) == 0)

#endif
