/*
 * csvout.h - writing CSV that is safe to open in a spreadsheet.
 *
 * Every export and reject file cpindex writes goes through here, so one place
 * keeps the rule: every field quoted (RFC 4180, '"' doubled), and a field that
 * a spreadsheet would run as a formula (first character = + - @ tab or CR)
 * prefixed with a single quote. Bytes that are not UTF-8, and NUL, are written
 * as \xHH so the file is always valid UTF-8 text.
 */
#ifndef CPI_CSVOUT_H
#define CPI_CSVOUT_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

/* Write s[0..n) as one field (no separator). Returns 0, or -1 if the stream failed. */
int cpi_csv_write_field(FILE *fp, const char *s, size_t n);

/* Write fields[0..count) as one row: comma-separated, '\n' at the end. NULL fields are empty. */
int cpi_csv_write_row(FILE *fp, const char *const *fields, size_t count);

#endif
