/*
 * jsonw.h - a streaming JSON writer: values are appended to one growing
 * buffer as they are given, with no tree in between.
 *
 * Why: the child profile is the hot answer (issue 6: p99 <= 1 ms at 1M
 * records). Building it as a jansson tree, dumping the tree and freeing it
 * cost about three quarters of the instructions of a whole in-process answer
 * (callgrind on 200 profiles at 1M records); writing the text directly costs
 * a small fraction of that.
 *
 * The output is byte for byte what jansson's json_dumps gives for the same
 * values: with indent 0 as JSON_COMPACT ("," and ":"), with indent N as
 * JSON_INDENT(N) ("{", a newline and N spaces per level, "key": value, ","
 * at line ends, "{}" and "[]" when empty); strings escaped as jansson does
 * (\" \\ \b \f \n \r \t, other control characters as \u00XX, everything
 * else as the UTF-8 given); reals as jansson prints them ("%.17g", ".0"
 * added to whole numbers, no '+' or leading zeros in the exponent). So
 * callers may switch from a tree to the writer without changing one byte of
 * their documented output; tests/test_jsonw.c checks it against jansson.
 *
 * Strings must be valid UTF-8 (the store holds normalised UTF-8 only).
 * Out of memory is sticky: every call after it does nothing and
 * cpi_jw_text returns NULL.
 */
#ifndef CPI_JSONW_H
#define CPI_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cpi_jw {
    char *buf;
    size_t len, cap;
    int indent;     /* spaces per level; 0: compact */
    int depth;      /* open containers */
    bool first;     /* nothing written yet in the innermost open container */
    bool after_key; /* a key was written: its value comes next, no separator */
    bool failed;    /* out of memory */
} cpi_jw;

/* Start an empty document; indent 0 for compact output, 2 for what the CLI prints. */
void cpi_jw_init(cpi_jw *w, int indent);
/* Free the buffer (the writer may be initialised again). */
void cpi_jw_free(cpi_jw *w);
/* Empty the buffer for the next document, keeping its memory. */
void cpi_jw_reset(cpi_jw *w);
/* The text so far, NUL-terminated (NULL after running out of memory); *len its length when len is not NULL. */
const char *cpi_jw_text(const cpi_jw *w, size_t *len);
/* Write the text and a newline to f; 0, or -1 on a write error or when out of memory. */
int cpi_jw_print(const cpi_jw *w, FILE *f);

void cpi_jw_obj(cpi_jw *w);
void cpi_jw_obj_end(cpi_jw *w);
void cpi_jw_arr(cpi_jw *w);
void cpi_jw_arr_end(cpi_jw *w);
/* An object's key; the next call writes its value. */
void cpi_jw_key(cpi_jw *w, const char *key);

void cpi_jw_str(cpi_jw *w, const char *s); /* a string, or null when s is NULL */
void cpi_jw_int(cpi_jw *w, long long v);
void cpi_jw_bool(cpi_jw *w, bool v);
void cpi_jw_null(cpi_jw *w);
void cpi_jw_real(cpi_jw *w, double v);

/* key and value in one call: the common case. */
static inline void cpi_jw_kstr(cpi_jw *w, const char *key, const char *s)
{
    cpi_jw_key(w, key);
    cpi_jw_str(w, s);
}
static inline void cpi_jw_kint(cpi_jw *w, const char *key, long long v)
{
    cpi_jw_key(w, key);
    cpi_jw_int(w, v);
}
static inline void cpi_jw_kbool(cpi_jw *w, const char *key, bool v)
{
    cpi_jw_key(w, key);
    cpi_jw_bool(w, v);
}
static inline void cpi_jw_kreal(cpi_jw *w, const char *key, double v)
{
    cpi_jw_key(w, key);
    cpi_jw_real(w, v);
}

#endif
