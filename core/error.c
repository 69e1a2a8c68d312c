/* error.c - formatting and classifying library errors (see error.h). */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

cpi_status cpi_error_set(cpi_error *err, cpi_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void cpi_error_clear(cpi_error *err)
{
    if (err) {
        err->status = CPI_OK;
        err->msg[0] = '\0';
    }
}

const char *cpi_status_name(cpi_status status)
{
    static const char *const names[] = {
        [CPI_OK] = "ok",
        [CPI_NOT_FOUND] = "not found",
        [CPI_ERR_USAGE] = "usage error",
        [CPI_ERR_DATA] = "data error",
        [CPI_ERR_STORE] = "store error",
        [CPI_ERR_SCHEMA] = "schema error",
        [CPI_ERR_IO] = "i/o error",
        [CPI_ERR_NOMEM] = "out of memory",
        [CPI_ERR_ACCESS] = "access denied",
    };
    if ((unsigned)status < sizeof names / sizeof names[0] && names[status])
        return names[status];
    return "unknown error";
}

int cpi_status_exit_code(cpi_status status)
{
    switch (status) {
    case CPI_OK: return 0;
    case CPI_NOT_FOUND: return 1;
    case CPI_ERR_USAGE:
    case CPI_ERR_ACCESS: return 2;
    default: return 3;
    }
}
