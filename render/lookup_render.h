/*
 * lookup_render.h - a lookup's candidate list (query/lookup.h) as JSON and as
 * text.
 */
#ifndef CPI_LOOKUP_RENDER_H
#define CPI_LOOKUP_RENDER_H

#include <stdio.h>

#include "query/lookup.h"
#include "render/jsonw.h"

/*
 * The candidate list as JSON, written to a streaming writer (render/jsonw.h): {"query", "query_kind", "candidates": [{...,
 * "type", "warnings", "markers", "possibly_same_as"}], "more", "differs",
 * "withheld": [{source, items, contact}], "elsewhere", "town"}.
 */
void cpi_lookup_json_write(const cpi_lookup *l, const char *query, cpi_jw *w);
/* Print the candidate list for a person to choose from. */
void cpi_lookup_text(const cpi_lookup *l, const char *query, FILE *out);

#endif
