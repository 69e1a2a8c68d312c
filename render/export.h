/*
 * export.h - tables out of the store for other tools (spreadsheets, link
 * charts): CSV written to a caller's stream.
 *
 * CSV is RFC 4180 with a header row, written through render/csvout (every field
 * quoted; a field a spreadsheet would run as a formula gets a leading ').
 *
 * Ownership: the stream stays the caller's (not closed here).
 */
#ifndef CPI_EXPORT_H
#define CPI_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "core/store.h"

/*
 * `reference,entity_id` for every mention of every record, in reference
 * order; entity_id is empty for a mention resolve has not seen yet. *rows
 * (if non-NULL) gets the number of data rows. CPI_ERR_IO if the stream fails.
 */
cpi_status cpi_export_entities(cpi_store *st, FILE *out, uint64_t *rows, cpi_error *err);

#endif
