/*
 * render.h - pieces every query renderer shares: dates, flags, sources,
 * references and links as JSON values, and word-wrapped text lines.
 */
#ifndef CPI_RENDER_H
#define CPI_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "render/jsonw.h"
#include "query/profile.h"

/*
 * Values written to a streaming writer (render/jsonw.h). Each writes one value
 * (after a key, or as an array element).
 */
void cpi_jw_date(cpi_jw *w, int32_t day);                              /* "yyyy-mm-dd" or null */
void cpi_jw_sources(cpi_jw *w, uint32_t mask);                         /* ["niche", "miraf"] */
void cpi_jw_flags(cpi_jw *w, uint64_t flags);                          /* ["rso", "cawn"] */
void cpi_jw_reasons(cpi_jw *w, uint64_t flags);                        /* the risk flags as [{"code", "text", "source"}] */
void cpi_jw_refs(cpi_jw *w, const char *const *refs, uint32_t n);      /* strings */
void cpi_jw_link(cpi_jw *w, const cpi_pf_link *l);
void cpi_jw_links(cpi_jw *w, const cpi_pf_link *l, uint32_t n);
void cpi_jw_warnings(cpi_jw *w, const cpi_pf_warning *wn, uint32_t n);
void cpi_jw_gaps(cpi_jw *w, const cpi_pf_gap *g, uint32_t n);
void cpi_jw_withheld(cpi_jw *w, const cpi_pf_withheld *wh, uint32_t n);
/* Keys and values, not one value: a person's "phones" and "addresses" (the profile's people, the trigger plan's),
 * and a report's "gaps" and "withheld" (the profile's and the address report's). */
void cpi_jw_person_reach(cpi_jw *w, const cpi_pf_person *p);
void cpi_jw_gaps_withheld(cpi_jw *w, const cpi_pf_gap *g, uint32_t ng, const cpi_pf_withheld *wh, uint32_t nwh);
/* A probability in thousandths as a real (0.62), or null when 0 (not known: linked through another). */
void cpi_jw_prob(cpi_jw *w, uint32_t thousandths);

/* Print text wrapped at width: the first line after lead, the rest indented by indent. */
void cpi_text_wrap(FILE *f, int width, const char *lead, int indent, const char *text);
/* "2021-03-04", "2021-03-04..2022-01-01" or "undated". */
void cpi_text_span(char *out, size_t cap, int32_t first, int32_t last);
/*
 * A place's type and risk markers, " [trap house; MACE location of concern]"
 * ("" when it has none), for every list that names the place: an officer
 * must see that an address is a trap house wherever it appears.
 */
void cpi_text_place_marks(uint64_t flags, char *out, size_t cap);
/* The flags cpi_text_place_marks shows: risk markers and the types other than a plain home. */
#define CPI_EF_PLACE_MARKS                                                                               \
    (CPI_EF_PLACE_RISK | CPI_EF(CPI_EF_MARAC_ADDRESS) | CPI_EF(CPI_EF_POLIT_ADDRESS) | CPI_EF(CPI_EF_CARE_HOME) | \
     CPI_EF(CPI_EF_FOSTER_HOME) | CPI_EF(CPI_EF_SCHOOL))
/* A heading line, with " - none" when the section is empty. */
void cpi_text_heading(FILE *f, const char *title, uint32_t n);
/*
 * The warnings block (level markers), the gaps block and the restricted notes.
 * The warnings block is given what was withheld: when anything was, it never
 * says "none" but "restricted information held: contact ..." (whom, per source).
 */
void cpi_text_warnings(FILE *f, int width, const cpi_pf_warning *w, uint32_t n, const cpi_pf_withheld *wh,
                       uint32_t nwh);
void cpi_text_gaps(FILE *f, int width, const cpi_pf_gap *g, uint32_t n);
void cpi_text_withheld(FILE *f, int width, const cpi_pf_withheld *w, uint32_t n);

/* s as XML text (GraphML, DOT labels in SVG, the timeline): & < > " ' escaped, control characters
 * but tab dropped (XML 1.0 allows none). NULL prints nothing. */
void cpi_xml_text(FILE *f, const char *s);

#endif
