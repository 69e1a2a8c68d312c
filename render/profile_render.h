/*
 * profile_render.h - a profile (query/profile.h) as JSON and as text; the
 * one-screen form is render/profile_screen.h.
 */
#ifndef CPI_PROFILE_RENDER_H
#define CPI_PROFILE_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "query/profile.h"
#include "render/jsonw.h"

/*
 * The profile as one JSON object, written to a streaming writer
 * (render/jsonw.h): keys documented in docs/queries.md. The fast path: what
 * `cpindex child --json` prints and the benchmarks time.
 */
void cpi_profile_json_write(const cpi_profile *p, cpi_jw *w);
/* The same as a jansson tree (caller json_decref's it), parsed from that text: for callers that inspect it. */
json_t *cpi_profile_json(const cpi_profile *p);
/* Text for a terminal of `width` columns (100 if 0), warnings first. */
void cpi_profile_text(const cpi_profile *p, FILE *out, int width);

#endif
