/*
 * answer_build.h - the state an officer's answer passes between its parts
 * while it is built, and the helpers that add to it: warnings, gaps and what
 * was withheld, each source's restricted items counted with whom to contact.
 *
 * Private to query/, shared by three files only:
 *   query/profile.c        identity, warnings, timeline, gaps: from the
 *                          subject's own records; owns the helpers below
 *   query/profile_links.c  risky people, places, connected children: from
 *                          edges and cards (pb_links)
 *   query/address.c        the place report, built with the same helpers so
 *                          that it withholds and warns exactly as a profile
 *                          does (query/address.h promises it), not by a copy
 * Not given to address through query/profile.h: that is the profile's
 * public interface (commands, tests, benchmarks), and this is how a build
 * works inside, free to change with it.
 */
#ifndef CPI_ANSWER_BUILD_H
#define CPI_ANSWER_BUILD_H

#include "query/profile.h"

/* A grow-by-doubling array in the arena. */
typedef struct pvec {
    void *items;
    uint32_t n, cap;
} pvec;

void *pvec_push(cpi_arena *a, pvec *v, size_t size); /* zeroed slot, NULL on out of memory */

typedef struct pb {
    cpi_txn *txn;
    cpi_arena *a;
    const cpi_profile_opts *o;
    cpi_profile *p;
    cpi_error *err;
    cpi_card card;
    int32_t today;
    uint32_t max;
    cpi_edge *edges; /* the subject's */
    uint32_t nedges;
    /* what the record pass found, for warnings and gaps the link pass completes */
    bool niche_cse_marker, niche_cce_marker, marac_household;
    uint32_t mace_meetings;
    const char *marac_case;
    /* lists under construction */
    pvec names, dobs, genders, addresses, references, warnings, risky, places, children, timeline, gaps, withheld,
        possible;
} pb;

/* Visible part of a source mask (what is not withheld). */
static inline uint32_t pb_visible(const pb *b, uint32_t sources) { return sources & ~b->o->withhold; }

/* Count items of `section` withheld because of the withheld sources in `sources`. */
cpi_status pb_withhold(pb *b, const char *section, uint32_t sources);
/* A date as yyyy-mm-dd in the arena ("" for CPI_DAY_NONE). */
const char *pb_date(pb *b, int32_t day);
/* printf into the arena. */
const char *pb_fmt(pb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
cpi_status pb_nomem(pb *b);
cpi_status pb_add_warning(pb *b, const char *code, int level, cpi_src src, int32_t day, int32_t end,
                          const char *const *refs, uint32_t nrefs, const char *text);
cpi_status pb_add_gap(pb *b, const char *code, cpi_src src, const char *const *refs, uint32_t nrefs,
                      const char *text);

/* The link pass (profile_links.c): addresses, risky people, places, connected children, CAWN warnings. */
cpi_status pb_links(pb *b);

#endif
