/*
 * engine.h - turns rows of one CSV file into records, by a cpi_spec_file.
 *
 * Bind once per file (columns are found by header name, so reordered or
 * extra columns are fine; a file whose headers do not fit the spec is refused
 * with the expected and found headers), then call cpi_engine_row for each
 * good row. A row either becomes a whole record or is rejected with a reason
 * word and the column at fault: never half-built.
 *
 * Ownership: the engine borrows spec and csv (both must outlive it). Records
 * from cpi_engine_row point into the arena passed and into the row (the
 * reader's buffer, valid until its next cpi_csv_next): use or copy a record
 * before reading the next row.
 */
#ifndef CPI_ENGINE_H
#define CPI_ENGINE_H

#include "core/arena.h"
#include "core/model.h"
#include "ingest/csv.h"
#include "ingest/spec.h"

typedef struct cpi_engine cpi_engine;

/* Why a row was rejected. reason is one of the documented words (docs/formats.md). */
typedef struct cpi_reject {
    const char *reason;
    size_t column;  /* 1-based field index, 0 if not one column */
    char detail[256];
} cpi_reject;

cpi_status cpi_engine_bind(const cpi_spec_file *spec, const char *source, cpi_csv *csv, const char *path,
                           cpi_engine **out, cpi_error *err);

/* Does this file's header fit spec's signature? (used to pick a spec for a file of unknown name) */
bool cpi_engine_fits(const cpi_spec_file *spec, cpi_csv *csv);
/* The headers a spec requires (id and signature), as "a, b, c", for refusal messages. */
void cpi_engine_expected(const cpi_spec_file *spec, char *out, size_t cap);

/*
 * Build rec from a good row. CPI_OK: rec is complete (prov.ingest_time = now,
 * prov.hash set, version left 0 for the store to set). CPI_ERR_DATA: the row is
 * rejected, *rej says why. Other statuses are fatal (out of memory).
 */
cpi_status cpi_engine_row(cpi_engine *e, const cpi_csv_row *row, int64_t now, cpi_arena *arena, cpi_record *rec,
                          cpi_reject *rej, cpi_error *err);

/* Forget the record ids seen so far (a re-run of the same file starts clean). */
void cpi_engine_reset(cpi_engine *e);
void cpi_engine_free(cpi_engine *e);

#endif
