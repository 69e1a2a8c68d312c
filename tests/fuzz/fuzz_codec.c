/* fuzz_codec.c - libFuzzer harness: the strict msgpack record decoder on any bytes; a record
 * it accepts must encode and decode again to the same mentions and relations. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cpi_arena a = {0};
    cpi_record r;
    cpi_error err = {0};
    if (cpi_codec_decode_record("fuzz:R-1", data, size, &a, &r, &err) == CPI_OK) {
        char *buf;
        size_t len;
        if (cpi_codec_encode_record(&r, &buf, &len, &err) == CPI_OK) {
            cpi_record r2;
            if (cpi_codec_decode_record("fuzz:R-1", buf, len, &a, &r2, &err) != CPI_OK ||
                r2.nmentions != r.nmentions || r2.nrelations != r.nrelations)
                abort();
            free(buf);
        }
    }
    cpi_arena_free(&a);
    return 0;
}
