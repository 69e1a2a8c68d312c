/*
 * mapfile.h - the generic adapter: `cpindex ingest csv --map FILE`.
 *
 * A small INI mapping file names the source, the record-id column, and which
 * columns hold each mention's fields, so a force's own spreadsheet loads
 * without recompiling. The format is documented in docs/mapping.md, with an
 * example in docs/example-map.ini. The result is an ordinary cpi_adapter with
 * one file spec (file_name NULL, no signature, pick NULL), run by the same
 * engine as the silo adapters.
 *
 * Errors: CPI_ERR_USAGE for anything wrong in the mapping (the message is
 * "FILE: line N: key 'K': ..."), CPI_ERR_IO if the file cannot be read,
 * CPI_ERR_NOMEM. On error *out is NULL.
 *
 * Ownership: cpi_mapfile_load returns an object that owns every string the
 * adapter points to; free it with cpi_mapfile_free after the ingest.
 */
#ifndef CPI_MAPFILE_H
#define CPI_MAPFILE_H

#include "core/arena.h"
#include "ingest/adapter.h"

typedef struct cpi_mapfile {
    cpi_adapter adapter;
    cpi_spec_file spec;
    char source[CPI_SOURCE_MAX];
    cpi_arena arena;
} cpi_mapfile;

/* Parse path; errors name the file, line and key. */
cpi_status cpi_mapfile_load(const char *path, cpi_mapfile **out, cpi_error *err);
/* Parse from memory (name is used in messages); for tests and fuzzing. */
cpi_status cpi_mapfile_parse(const char *name, const char *text, size_t len, cpi_mapfile **out, cpi_error *err);
void cpi_mapfile_free(cpi_mapfile *m);

#endif
