/*
 * render.h - pieces every query renderer shares: dates, flags, sources,
 * references and links as JSON values, and word-wrapped text lines.
 *
 * JSON helpers return new references (json_t with refcount 1) for the caller
 * to hand to json_object_set_new / json_array_append_new.
 */
#ifndef CPI_RENDER_H
#define CPI_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "render/jsonw.h"
#include "query/profile.h"

json_t *cpi_json_date(int32_t day);                 /* "yyyy-mm-dd" or null */
json_t *cpi_json_str(const char *s);                /* string or null */
json_t *cpi_json_sources(uint32_t mask);            /* ["niche", "miraf"] */
json_t *cpi_json_flags(uint64_t flags);             /* ["rso", "cawn"] */
json_t *cpi_json_reasons(uint64_t flags);           /* the risk flags as [{"code", "text"}] */
json_t *cpi_json_refs(const char *const *refs, uint32_t n);
json_t *cpi_json_link(const cpi_pf_link *l);
json_t *cpi_json_links(const cpi_pf_link *l, uint32_t n);
json_t *cpi_json_warnings(const cpi_pf_warning *w, uint32_t n);
json_t *cpi_json_gaps(const cpi_pf_gap *g, uint32_t n);
json_t *cpi_json_withheld(const cpi_pf_withheld *w, uint32_t n);

/*
 * The same values written to a streaming writer (render/jsonw.h), byte for byte
 * what the json_t helpers above dump to: the profile's fast path. Each writes
 * one value (after a key, or as an array element).
 */
void cpi_jw_date(cpi_jw *w, int32_t day);
void cpi_jw_sources(cpi_jw *w, uint32_t mask);
void cpi_jw_flags(cpi_jw *w, uint64_t flags);
void cpi_jw_reasons(cpi_jw *w, uint64_t flags);
void cpi_jw_refs(cpi_jw *w, const char *const *refs, uint32_t n);
void cpi_jw_link(cpi_jw *w, const cpi_pf_link *l);
void cpi_jw_links(cpi_jw *w, const cpi_pf_link *l, uint32_t n);
void cpi_jw_warnings(cpi_jw *w, const cpi_pf_warning *wn, uint32_t n);
void cpi_jw_gaps(cpi_jw *w, const cpi_pf_gap *g, uint32_t n);
void cpi_jw_withheld(cpi_jw *w, const cpi_pf_withheld *wh, uint32_t n);

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
