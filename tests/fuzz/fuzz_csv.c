/* fuzz_csv.c - libFuzzer harness: the CSV reader on any bytes, at a read size and row cap
 * chosen by the first bytes, must end every row as good or rejected, never crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    cpi_csv_opts o = {.read_bytes = 1 + data[0] % 64, .max_row_bytes = 16 + (size_t)data[1] * 8};
    cpi_csv *csv;
    cpi_error err = {0};
    if (cpi_csv_open_mem((const char *)data + 2, size - 2, &o, &csv, &err) != CPI_OK)
        return 0;
    size_t ncols = cpi_csv_ncols(csv);
    cpi_csv_row row;
    while (cpi_csv_next(csv, &row, &err) == CPI_OK) {
        if (!row.reject_reason) {
            if (row.nfields != ncols)
                abort(); /* a good row always has the header's width */
            for (size_t i = 0; i < row.nfields; i++)
                if (strlen(row.field[i]) != row.len[i] || !cpi_csv_utf8_valid(row.field[i], row.len[i]))
                    abort();
        }
    }
    cpi_csv_close(csv);
    return 0;
}
