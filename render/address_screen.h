/*
 * address_screen.h - a brief place report (query/address.h) that fits one
 * terminal screen, as the child profile does (render/profile_screen.h): the
 * place and its markers, warnings first, then the risky people and the
 * children linked to it, the other residents and what happened there, one
 * line each, every list cut short ending "+ N more ... (--full)".
 *
 * Fit, log, print: cpi_address_screen_fit() cuts the report's lists (and the
 * references inside the items it keeps) to what will be printed, so the
 * consultation logged names exactly what is shown.
 */
#ifndef CPI_ADDRESS_SCREEN_H
#define CPI_ADDRESS_SCREEN_H

#include <stdint.h>
#include <stdio.h>

#include "query/address.h"

enum { CPI_ASCR_WARNINGS, CPI_ASCR_GAPS, CPI_ASCR_RISKY, CPI_ASCR_CHILDREN, CPI_ASCR_RESIDENTS, CPI_ASCR_ACTIVITY,
       CPI_ASCR__COUNT };

typedef struct cpi_place_screen {
    int lines, width;
    uint32_t more[CPI_ASCR__COUNT];     /* items of each list not shown */
    uint8_t at_least[CPI_ASCR__COUNT];  /* 1: the brief build had cut that list already */
} cpi_place_screen;

/* Fit r (built brief, at most max_items per list; 0: 5) into lines (at least 12) of width columns; cuts r. */
void cpi_address_screen_fit(cpi_place_report *r, int width, int lines, uint32_t max_items, cpi_place_screen *s);
/* Print a fitted report: at most s->lines lines, none wider than width. */
void cpi_address_screen_text(const cpi_place_report *r, const cpi_place_screen *s, FILE *out, int width);

#endif
