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
#include "core/source.h"
#include "ingest/csv.h"
#include "ingest/spec.h"

typedef struct cpi_adapter cpi_adapter;

/*
 * What a person's role in a silo's records tells the resolver about them
 * (cpi_adapter_role.flags). The resolver knows no silo or role by name: it
 * asks cpi_adapter_role_flags.
 */
#define CPI_RF_CHILD 1u          /* the role names a child (the guard keeps a child and an adult apart) */
#define CPI_RF_ACTOR 2u          /* its holder acted on the record's date: 10 or over (an adult posing a risk) */
#define CPI_RF_OWN_VICTIM 4u     /* "own children" abuse: a record's victim and one of its household */
#define CPI_RF_OWN_HOUSEHOLD 8u  /* children (CPI_RF_OWN_HOUSEHOLD) may be one person; two people of one
                                  * record are otherwise two people */

typedef struct cpi_adapter_role {
    const char *role; /* as the adapter's files give it ("victim") */
    unsigned flags;   /* CPI_RF_* (0: said so that a mapped file's use of the word is not taken for another silo's) */
} cpi_adapter_role;

struct cpi_adapter {
    const char *source;      /* "niche", "miraf", ... (core/source.h) also the reference prefix */
    const char *description; /* one line for --help */
    const cpi_spec_file *files;
    unsigned nfiles;
    /*
     * Choose the spec for a file (by its name, else by its headers). NULL
     * means the default: cpi_adapter_pick_default.
     */
    const cpi_spec_file *(*pick)(const cpi_adapter *ad, const char *file_name, cpi_csv *csv);
    /* The roles its files give people that mean something to the resolver, ending at {NULL}; NULL for none. */
    const cpi_adapter_role *roles;
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

/*
 * The CPI_RF_* flags of a person's role in a record of adapter ad: its own row for the role. ad NULL
 * (a source loaded through a mapping file, which uses the silos' words): what the role means in every
 * silo that names it, CPI_RF_CHILD and CPI_RF_ACTOR only - "victim" is a child in POLIT, the adult at
 * risk in MARAC, so neither in a mapped file. 0 for a role no silo flags.
 */
unsigned cpi_adapter_role_flags(const cpi_adapter *ad, const char *role);

#endif
