/*
 * address_render.h - the place report (query/address.h) as JSON and as text.
 */
#ifndef CPI_ADDRESS_RENDER_H
#define CPI_ADDRESS_RENDER_H

#include <stdio.h>

#include "query/address.h"
#include "render/jsonw.h"

/* The report as one JSON object (keys in docs/queries.md), written to a streaming writer (render/jsonw.h). */
void cpi_address_json_write(const cpi_place_report *r, cpi_jw *w);
/* The report as text, wrapped at width columns (under 40: 100). */
void cpi_address_text(const cpi_place_report *r, FILE *out, int width);

#endif
