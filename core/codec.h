/*
 * codec.h - msgpack encoding of stored values.
 *
 * Values are msgpack maps with short field names. The decoder is strict: a
 * field it does not know, a wrong type, or trailing bytes make it fail with a
 * message naming the store key, because guessing at a child's record is worse
 * than refusing it.
 *
 * Ownership: cpi_codec_encode_record returns a malloc'd buffer the caller
 * frees; decoded records point into the arena given.
 */
#ifndef CPI_CODEC_H
#define CPI_CODEC_H

#include "core/arena.h"
#include "core/model.h"

/* A growable byte buffer the caller owns (free(data) when done); zeroed is empty. */
typedef struct cpi_buf {
    unsigned char *data;
    size_t len, cap;
} cpi_buf;

/* Encode rec (ref is the key, so not encoded). *out malloc'd, free() it. */
cpi_status cpi_codec_encode_record(const cpi_record *rec, char **out, size_t *len, cpi_error *err);
/* The same bytes into b (b->len set to the value's length; b grows as needed and is
 * meant to be reused from record to record, as the store's put does). */
cpi_status cpi_codec_encode_record_buf(const cpi_record *rec, cpi_buf *b, cpi_error *err);

/* Decode a record value stored under key `ref`; strings are copied into arena. */
cpi_status cpi_codec_decode_record(const char *ref, const void *data, size_t len, cpi_arena *arena,
                                   cpi_record *out, cpi_error *err);

#endif
