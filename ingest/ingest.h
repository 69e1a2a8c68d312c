/*
 * ingest.h - pull one silo's export files into the store.
 *
 * Each file is one write transaction: if the process dies mid-file the store
 * is as it was before that file. Every data row ends in exactly one place:
 * stored (new, unchanged or replaced) or rejected into the reject file with
 * its file, line, column, reason and raw text. read = stored + unchanged +
 * replaced + rejected, always.
 *
 * Ownership: the summary is filled by value; nothing to free.
 */
#ifndef CPI_INGEST_H
#define CPI_INGEST_H

#include <stdint.h>

#include "core/store.h"
#include "ingest/adapter.h"

typedef struct cpi_ingest_counts {
    uint64_t read, stored, unchanged, replaced, rejected;
} cpi_ingest_counts;

typedef void (*cpi_progress_fn)(void *ctx, const char *file, uint64_t bytes_done, uint64_t bytes_total,
                                uint64_t rows);

typedef struct cpi_ingest_opts {
    int64_t now;             /* ingest time, seconds since the epoch; 0 = now */
    const char *rejects_dir; /* NULL: "rejects" beside the store directory */
    cpi_progress_fn progress;
    void *progress_ctx;
    /*
     * Who collects and why. When audit_user is set, each file's transaction
     * also appends a collection entry (file, BLAKE2b, counts) and, if records
     * were replaced, an alteration entry (count; references when < 1000) to
     * the audit log, so a file and its log entries commit together. The CLI
     * always sets it.
     */
    const char *audit_user;
    const char *audit_reason;
    /* Tests only: skip the map reservation made before each file (cpi_store_reserve), so a
     * map that fills grows inside the file's transaction and re-runs it. */
    bool no_reserve;
} cpi_ingest_opts;

#define CPI_INGEST_MAX_FILES 64

typedef struct cpi_ingest_file {
    char path[1024];
    char record_type[32];
    cpi_ingest_counts counts;
    uint8_t file_hash[32]; /* BLAKE2b-256 of the file's bytes, for the audit log */
    cpi_status status;     /* CPI_OK, or why this file was not ingested */
    char error[CPI_ERROR_MSG_MAX];
} cpi_ingest_file;

typedef struct cpi_ingest_summary {
    cpi_ingest_counts total;
    cpi_ingest_file files[CPI_INGEST_MAX_FILES];
    unsigned nfiles;
    char reject_path[4096]; /* empty if nothing was rejected */
} cpi_ingest_summary;

/*
 * Ingest each path (a file, or a folder holding the silo's export files) with
 * adapter ad. A file that cannot be ingested (unreadable, wrong source) is
 * recorded in the summary and the others still go in; the first such failure
 * is returned, with its message in err.
 */
cpi_status cpi_ingest(cpi_store *st, const cpi_adapter *ad, const char *const *paths, size_t npaths,
                      const cpi_ingest_opts *opts, cpi_ingest_summary *out, cpi_error *err);

#endif
