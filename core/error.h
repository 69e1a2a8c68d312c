/*
 * error.h - the one way the library reports failure.
 *
 * The library never prints and never exits. Every fallible function returns a
 * cpi_status and, when given a non-NULL cpi_error*, fills it with a message a
 * person can act on: it names the file, line and field where one applies, and
 * for stored values the key. Messages must not carry personal data beyond a
 * record reference, because they may reach shared logs.
 */
#ifndef CPI_ERROR_H
#define CPI_ERROR_H

#include <stddef.h>

typedef enum cpi_status {
    CPI_OK = 0,
    CPI_NOT_FOUND,   /* the thing asked for is not there */
    CPI_ERR_USAGE,   /* caller passed something malformed */
    CPI_ERR_DATA,    /* input data is malformed (a row, a value, a file) */
    CPI_ERR_STORE,   /* LMDB or on-disk state problem */
    CPI_ERR_SCHEMA,  /* store written by an unknown or newer schema */
    CPI_ERR_IO,      /* file system error */
    CPI_ERR_NOMEM,
    CPI_ERR_ACCESS   /* refused by access control */
} cpi_status;

#define CPI_ERROR_MSG_MAX 512

typedef struct cpi_error {
    cpi_status status;
    char msg[CPI_ERROR_MSG_MAX];
} cpi_error;

/* Set err (if non-NULL) and return status, so callers can `return cpi_error_set(...)`. */
cpi_status cpi_error_set(cpi_error *err, cpi_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset err to CPI_OK with an empty message. */
void cpi_error_clear(cpi_error *err);

/* Short lower-case name of a status ("not found", "data error", ...). */
const char *cpi_status_name(cpi_status status);

/*
 * The CLI exit status for a library status, as documented in `cpindex --help`:
 * 0 ok, 1 nothing found, 2 usage error, 3 data or store error.
 */
int cpi_status_exit_code(cpi_status status);

#endif
