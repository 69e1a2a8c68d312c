/*
 * adapter.h - the silo adapter interface and the table of adapters.
 *
 * As curl keeps one struct Curl_handler per protocol in one table, cpindex
 * keeps one cpi_adapter per silo: its source name, the specs of the files its
 * export holds (ingest/spec.h), and hooks for what a table cannot say. Adding
 * a silo is one new ingest/adapter_NAME.c and one row in adapter.c.
 */
#ifndef CPI_ADAPTER_H
#define CPI_ADAPTER_H

#include "core/model.h"
#include "ingest/csv.h"
#include "ingest/spec.h"

typedef struct cpi_adapter cpi_adapter;

struct cpi_adapter {
    const char *source;      /* "niche", "miraf", ... also the reference prefix */
    const char *description; /* one line for --help */
    const cpi_spec_file *files;
    unsigned nfiles;
    /*
     * Choose the spec for a file (by its name, else by its headers). NULL
     * means the default: cpi_adapter_pick_default.
     */
    const cpi_spec_file *(*pick)(const cpi_adapter *ad, const char *file_name, cpi_csv *csv);
};

/* By file name first, then the first spec whose signature headers the file has. NULL if none fits. */
const cpi_spec_file *cpi_adapter_pick_default(const cpi_adapter *ad, const char *file_name, cpi_csv *csv);

/* The silos, one ingest/adapter_NAME.c each, in the order of docs/formats.md. */
extern const cpi_adapter cpi_adapter_niche;
extern const cpi_adapter cpi_adapter_miraf;
extern const cpi_adapter cpi_adapter_mace;
extern const cpi_adapter cpi_adapter_marac;
extern const cpi_adapter cpi_adapter_polit;
extern const cpi_adapter cpi_adapter_soc;

/* The built-in silo adapters, NULL-terminated. */
extern const cpi_adapter *const cpi_adapters[];
const cpi_adapter *cpi_adapter_find(const char *source);

#endif
