/* fuzz_adapters.c - libFuzzer harness: each silo adapter's row handling. The first byte picks
 * an adapter file spec; the rest is CSV data rows under that spec's own header (every column
 * it names), so the engine, the keys and the normalisers see hostile values in every field. A
 * row must become a whole record or a reject with a reason. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/adapter.h"
#include "ingest/engine.h"

static size_t add_col(char *h, size_t off, size_t cap, const char *col)
{
    if (!col)
        return off;
    size_t n = strcspn(col, "|");
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)n, col);
    /* skip a column already in the header */
    char probe[140];
    snprintf(probe, sizeof probe, ",%s,", name);
    char tmp[8192];
    snprintf(tmp, sizeof tmp, ",%s,", h);
    if (strstr(tmp, probe))
        return off;
    return off + (size_t)snprintf(h + off, cap - off, "%s%s", off ? "," : "", name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const cpi_spec_file *specs[64];
    const char *sources[64];
    unsigned n = 0;
    for (const cpi_adapter *const *a = cpi_adapters; *a; a++)
        for (unsigned i = 0; i < (*a)->nfiles && n < 64; i++) {
            specs[n] = &(*a)->files[i];
            sources[n++] = (*a)->source;
        }
    const cpi_spec_file *sp = specs[data[0] % n];
    char header[8192] = "";
    size_t off = 0;
    off = add_col(header, off, sizeof header, sp->id_column);
    off = add_col(header, off, sizeof header, sp->date_column);
    for (unsigned m = 0; m < sp->nmentions; m++)
        for (unsigned f = 0; f < CPI_SPEC_MAX_FIELDS && sp->mentions[m].fields[f].field; f++)
            off = add_col(header, off, sizeof header, sp->mentions[m].fields[f].column);
    for (unsigned r = 0; r < sp->nrelations; r++) {
        off = add_col(header, off, sizeof header, sp->relations[r].date_column);
        off = add_col(header, off, sizeof header, sp->relations[r].if_column);
    }
    for (int i = 0; i < 8 && sp->signature[i]; i++)
        off = add_col(header, off, sizeof header, sp->signature[i]);
    size_t hl = strlen(header);
    char *text = malloc(hl + 1 + size);
    memcpy(text, header, hl);
    text[hl] = '\n';
    memcpy(text + hl + 1, data + 1, size - 1);
    cpi_csv *csv;
    cpi_error err = {0};
    if (cpi_csv_open_mem(text, hl + size, NULL, &csv, &err) != CPI_OK)
        abort(); /* the header is ours */
    cpi_engine *e;
    if (cpi_engine_bind(sp, sources[data[0] % n], csv, "fuzz.csv", &e, &err) != CPI_OK)
        abort();
    cpi_arena arena = {0};
    cpi_csv_row row;
    while (cpi_csv_next(csv, &row, &err) == CPI_OK) {
        if (row.reject_reason)
            continue;
        cpi_arena_reset(&arena);
        cpi_record rec;
        cpi_reject rej;
        cpi_status s = cpi_engine_row(e, &row, 1700000000, &arena, &rec, &rej, &err);
        if (s == CPI_ERR_DATA && !rej.reason)
            abort(); /* a reject always says why */
        if (s == CPI_OK)
            for (uint32_t i = 0; i < rec.nrelations; i++)
                if (rec.relations[i].from < 1 || rec.relations[i].from > rec.nmentions ||
                    rec.relations[i].to < 1 || rec.relations[i].to > rec.nmentions)
                    abort();
    }
    cpi_arena_free(&arena);
    cpi_engine_free(e);
    cpi_csv_close(csv);
    free(text);
    return 0;
}
