/*
 * export.h - tables out of the store for other tools (spreadsheets, link
 * charts): CSV written to a caller's stream.
 *
 * CSV is RFC 4180 with a header row. Because these files are opened in
 * spreadsheets, a field that begins with = + - or @ gets a leading ' so it
 * can never run as a formula (CSV injection); fields holding a comma, quote
 * or line break are quoted.
 *
 * Ownership: the stream stays the caller's (not closed here).
 */
#ifndef CPI_EXPORT_H
#define CPI_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "core/store.h"

/* Write one CSV field as described above. */
void cpi_csv_write_field(FILE *out, const char *s);

/*
 * `reference,entity_id` for every mention of every record, in reference
 * order; entity_id is empty for a mention resolve has not seen yet. *rows
 * (if non-NULL) gets the number of data rows. CPI_ERR_IO if the stream fails.
 */
cpi_status cpi_export_entities(cpi_store *st, FILE *out, uint64_t *rows, cpi_error *err);

#endif
