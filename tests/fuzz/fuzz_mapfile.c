/* fuzz_mapfile.c - libFuzzer harness: the mapping-file parser on any text. */
#include <stdint.h>

#include "ingest/mapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cpi_mapfile *m = NULL;
    cpi_error err = {0};
    if (cpi_mapfile_parse("fuzz.ini", (const char *)data, size, &m, &err) == CPI_OK)
        cpi_mapfile_free(m);
    return 0;
}
