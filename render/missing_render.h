/*
 * missing_render.h - the missing-child trigger plan (query/missing.h) as JSON
 * and as text.
 */
#ifndef CPI_MISSING_RENDER_H
#define CPI_MISSING_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "query/missing.h"

/* The plan as a jansson tree (caller json_decref's it). */
json_t *cpi_missing_json(const cpi_missing_plan *m);
/* The plan as text, wrapped at width columns (under 40: 100). */
void cpi_missing_text(const cpi_missing_plan *m, FILE *out, int width);

#endif
