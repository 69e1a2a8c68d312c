/*
 * address_render.h - the place report (query/address.h) as JSON and as text.
 */
#ifndef CPI_ADDRESS_RENDER_H
#define CPI_ADDRESS_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "query/address.h"

/* The report as a jansson tree (caller json_decref's it). */
json_t *cpi_address_json(const cpi_place_report *r);
/* The report as text, wrapped at width columns (under 40: 100). */
void cpi_address_text(const cpi_place_report *r, FILE *out, int width);

#endif
