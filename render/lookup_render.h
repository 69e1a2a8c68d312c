/*
 * lookup_render.h - a lookup's candidate list (query/lookup.h) as JSON and as
 * text.
 */
#ifndef CPI_LOOKUP_RENDER_H
#define CPI_LOOKUP_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "query/lookup.h"

/*
 * The candidate list as JSON: {"query", "query_kind", "candidates": [{...,
 * "type", "warnings", "markers", "possibly_same_as"}], "more", "differs",
 * "withheld": [{source, items, contact}], "elsewhere", "town"}.
 */
json_t *cpi_lookup_json(const cpi_lookup *l, const char *query);
/* Print the candidate list for a person to choose from. */
void cpi_lookup_text(const cpi_lookup *l, const char *query, FILE *out);

#endif
