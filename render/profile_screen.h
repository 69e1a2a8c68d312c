/*
 * profile_screen.h - a brief profile that fits one terminal screen: what an
 * officer reads in the seconds before attending. Warnings first (high, then
 * medium), then the people who pose a risk, the places, the children linked
 * and the current home, one line each, and for every list cut short a
 * "+ N more ..." line pointing at --full. Lines the lists leave over let the
 * most important items wrap to a second or third line instead of being cut.
 *
 * Two steps, so the consultation log names exactly what is shown:
 * cpi_profile_screen_fit() decides how many items of each list fit the line
 * budget and cuts the profile's lists (and the references and links inside
 * the items the screen does not print) down to them; the caller logs that
 * profile, then cpi_profile_screen_text() prints it.
 *
 * Ownership: the fit writes only into the profile it is given (whose arrays
 * are the caller's arena's) and into *s.
 */
#ifndef CPI_PROFILE_SCREEN_H
#define CPI_PROFILE_SCREEN_H

#include <stdint.h>
#include <stdio.h>

#include "query/profile.h"

/* The lists the screen shows, in cpi_pf_screen.more[]. */
enum { CPI_SCR_WARNINGS, CPI_SCR_GAPS, CPI_SCR_RISKY, CPI_SCR_PLACES, CPI_SCR_CHILDREN, CPI_SCR__COUNT };

typedef struct cpi_pf_screen {
    int lines;                      /* the budget it was fitted to */
    int width;
    uint32_t more[CPI_SCR__COUNT];  /* items of each list not shown */
    uint8_t at_least[CPI_SCR__COUNT]; /* 1: the brief build had cut that list already, so "N or more" */
    const char *command;            /* "child" or "person", for the --full pointer */
#define CPI_SCR_ITEMS 32
    uint8_t extra[CPI_SCR__COUNT][CPI_SCR_ITEMS]; /* lines beyond the first each item may wrap to */
} cpi_pf_screen;

/*
 * Fit p (built at CPI_DETAIL_BRIEF with at most max_items per list; 0: the
 * default 5) into `lines` lines (at least 12) of `width` columns. command
 * names the --full pointer ("child"). Cuts p's lists in place.
 */
void cpi_profile_screen_fit(cpi_profile *p, int width, int lines, uint32_t max_items, const char *command,
                            cpi_pf_screen *s);

/* Print a fitted profile: at most s->lines lines, none wider than width columns. */
void cpi_profile_screen_text(const cpi_profile *p, const cpi_pf_screen *s, FILE *out, int width);

#endif
