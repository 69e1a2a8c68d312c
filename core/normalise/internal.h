/*
 * core/normalise/internal.h - helpers shared by the core/normalise*.c files and by
 * nothing else: Unicode folding into a caller's codepoint buffer, so no
 * normaliser needs utf8proc_map's per-call malloc.
 */
#ifndef CPI_NORMALISE_INTERNAL_H
#define CPI_NORMALISE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/error.h"

/* Longest value, in codepoints after folding, any normaliser accepts. */
#define CPI_NORM_FOLD_CP_MAX 512

/*
 * NFKC + case fold (+ combining marks stripped when strip_marks) of raw[0..len)
 * into cp[0..*n). Returns CPI_ERR_DATA for invalid UTF-8 or a value longer than
 * CPI_NORM_FOLD_CP_MAX codepoints; what names the value in the message.
 */
cpi_status cpi_norm__fold_cp(const char *raw, size_t len, bool strip_marks, int32_t cp[CPI_NORM_FOLD_CP_MAX],
                             size_t *n, const char *what, cpi_error *err);

/* True if all bytes are ASCII. */
bool cpi_norm__is_ascii(const char *s, size_t len);

/* ASCII-only helpers that do not depend on the locale. */
static inline bool cpi_norm__alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool cpi_norm__digit(int c) { return c >= '0' && c <= '9'; }
static inline bool cpi_norm__space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
static inline int cpi_norm__lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static inline int cpi_norm__upper(int c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }

/*
 * What snprintf(out + *n, cap - *n, "%.*s", len, s) leaves, without printf's
 * machinery (a tenth of an address's normalising went to snprintf): appends s
 * up to its first NUL or len bytes, cut to fit cap with the NUL, and moves *n
 * on by what was appended. Appending several parts gives what one snprintf of
 * them all gives, truncation included. *n < cap on entry.
 */
static inline void cpi_norm__append(char *out, size_t cap, size_t *n, const char *s, size_t len)
{
    const char *z = memchr(s, '\0', len);
    if (z)
        len = (size_t)(z - s);
    if (len > cap - 1 - *n)
        len = cap - 1 - *n;
    memcpy(out + *n, s, len);
    *n += len;
    out[*n] = '\0';
}

/* snprintf(out, cap, "%s", s). */
static inline void cpi_norm__copy(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    cpi_norm__append(out, cap, &n, s, strlen(s));
}

/* One row of the forename table (core/normalise/nicknames.c); exposed so tests can check its order. */
typedef struct cpi_norm__nickname {
    const char *nick, *canonical;
} cpi_norm__nickname;
const cpi_norm__nickname *cpi_norm__nickname_table(size_t *n);

#endif
