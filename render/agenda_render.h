/*
 * agenda_render.h - a MACE meeting agenda (query/agenda.h) as JSON and as text.
 */
#ifndef CPI_AGENDA_RENDER_H
#define CPI_AGENDA_RENDER_H

#include <stdio.h>

#include "query/agenda.h"
#include "render/jsonw.h"

/* The agenda as one JSON object (keys in docs/queries.md), written to a streaming writer (render/jsonw.h). */
void cpi_agenda_json_write(const cpi_agenda *a, cpi_jw *w);
/* The agenda as text, wrapped at width columns (under 40: 100). */
void cpi_agenda_text(const cpi_agenda *a, FILE *out, int width);

#endif
