/* fuzz_adapters.c - libFuzzer harness: each silo adapter's row handling. The first byte picks
 * an adapter file spec; the rest is CSV data rows under that spec's own header (every column
 * it names), so the engine, the keys and the normalisers see hostile values in every field. A
 * row must become a whole record or a reject with a reason, and a record must encode to the
 * value the store would hold and decode back to the same shape. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
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

/* Set up once per process: the adapter file specs and, for each, the header line naming every
 * column it reads. Rebuilding these per input cost little; what made this harness run at a few
 * hundred executions per second was the CSV reader's default 2 MiB window (1 MiB row cap plus a
 * 1 MiB read), which under ASan is an mmap, a shadow poisoning and a quarantined munmap per
 * input. The window is sized to the input below instead: the rows and the engine are the same. */
#define MAX_SPECS 64
static const cpi_spec_file *specs[MAX_SPECS];
static const char *sources[MAX_SPECS];
static char headers[MAX_SPECS][8192];
static unsigned nspecs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (const cpi_adapter *const *a = cpi_adapters; *a; a++)
        for (unsigned i = 0; i < (*a)->nfiles && nspecs < MAX_SPECS; i++) {
            const cpi_spec_file *sp = &(*a)->files[i];
            char *header = headers[nspecs];
            size_t cap = sizeof headers[nspecs], off = 0;
            off = add_col(header, off, cap, sp->id_column);
            off = add_col(header, off, cap, sp->date_column);
            for (unsigned m = 0; m < sp->nmentions; m++)
                for (unsigned f = 0; f < CPI_SPEC_MAX_FIELDS && sp->mentions[m].fields[f].field; f++)
                    off = add_col(header, off, cap, sp->mentions[m].fields[f].column);
            for (unsigned r = 0; r < sp->nrelations; r++) {
                off = add_col(header, off, cap, sp->relations[r].date_column);
                off = add_col(header, off, cap, sp->relations[r].if_column);
            }
            for (int k = 0; k < 8 && sp->signature[k]; k++)
                off = add_col(header, off, cap, sp->signature[k]);
            specs[nspecs] = sp;
            sources[nspecs++] = (*a)->source;
        }
    if (nspecs == 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned pick = data[0] % nspecs;
    const cpi_spec_file *sp = specs[pick];
    const char *header = headers[pick];
    size_t hl = strlen(header);
    char *text = malloc(hl + 1 + size);
    memcpy(text, header, hl);
    text[hl] = '\n';
    memcpy(text + hl + 1, data + 1, size - 1);
    cpi_csv *csv;
    cpi_error err = {0};
    /* a window just big enough: no row is over the cap, the whole text is one read */
    cpi_csv_opts opts = {.max_row_bytes = hl + size, .read_bytes = hl + size, .name = "fuzz.csv"};
    if (cpi_csv_open_mem(text, hl + size, &opts, &csv, &err) != CPI_OK)
        abort(); /* the header is ours */
    cpi_engine *e;
    if (cpi_engine_bind(sp, sources[pick], csv, "fuzz.csv", &e, &err) != CPI_OK)
        abort();
    cpi_arena arena = {0};
    cpi_buf enc = {0};
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
        if (s != CPI_OK)
            continue;
        for (uint32_t i = 0; i < rec.nrelations; i++)
            if (rec.relations[i].from < 1 || rec.relations[i].from > rec.nmentions ||
                rec.relations[i].to < 1 || rec.relations[i].to > rec.nmentions)
                abort();
        /* what the ingest stores next: the record's value must encode, and decode to the same
         * record shape (no store here: the store is not what this harness fuzzes) */
        rec.prov.version = 1; /* as cpi_store_put_record sets for a first put */
        rec.history = NULL;
        rec.nhistory = 0;
        if (cpi_codec_encode_record_buf(&rec, &enc, &err) != CPI_OK)
            abort();
        cpi_record back;
        if (cpi_codec_decode_record(rec.ref, enc.data, enc.len, &arena, &back, &err) != CPI_OK ||
            back.nmentions != rec.nmentions || back.nrelations != rec.nrelations ||
            back.facts.count != rec.facts.count || back.day != rec.day || strcmp(back.type, rec.type) != 0)
            abort();
    }
    free(enc.data);
    cpi_arena_free(&arena);
    cpi_engine_free(e);
    cpi_csv_close(csv);
    free(text);
    return 0;
}
