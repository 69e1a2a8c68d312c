/*
 * timeline_svg.h - one person's records on a time line, as a standalone SVG
 * picture (`cpindex export timeline`): a lane per system that holds records
 * on them, a mark per record at its date (hover for what it is and its
 * reference), years marked, missing episodes in red, and the latest records
 * listed under the chart. SVG is plain XML text written here: no library.
 *
 * The profile is built as for any answer (query/profile.h): at full detail
 * for its timeline, with the sources the caller withholds already left out;
 * the picture says which were withheld and whom to ask.
 *
 * Ownership: the stream stays the caller's.
 */
#ifndef CPI_TIMELINE_SVG_H
#define CPI_TIMELINE_SVG_H

#include <stdio.h>

#include "query/profile.h"

/* Write p's timeline as SVG to out. Returns 0, or -1 when writing failed. */
int cpi_timeline_svg(const cpi_profile *p, FILE *out);

#endif
