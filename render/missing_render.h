/*
 * missing_render.h - the missing-child trigger plan (query/missing.h) as JSON
 * and as text.
 */
#ifndef CPI_MISSING_RENDER_H
#define CPI_MISSING_RENDER_H

#include <stdio.h>

#include "query/missing.h"
#include "render/jsonw.h"

/* The plan as one JSON object (keys in docs/queries.md), written to a streaming writer (render/jsonw.h). */
void cpi_missing_json_write(const cpi_missing_plan *m, cpi_jw *w);
/* The plan as text, wrapped at width columns (under 40: 100). */
void cpi_missing_text(const cpi_missing_plan *m, FILE *out, int width);

#endif
