/*
 * agenda_render.h - a MACE meeting agenda (query/agenda.h) as JSON and as text.
 */
#ifndef CPI_AGENDA_RENDER_H
#define CPI_AGENDA_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "query/agenda.h"

/* The agenda as a jansson tree (caller json_decref's it). */
json_t *cpi_agenda_json(const cpi_agenda *a);
/* The agenda as text, wrapped at width columns (under 40: 100). */
void cpi_agenda_text(const cpi_agenda *a, FILE *out, int width);

#endif
