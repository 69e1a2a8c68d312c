/*
 * screen.h - what the one-screen answers share (render/profile_screen.c,
 * render/address_screen.c): lines cut or wrapped to a width by characters,
 * and the fit that decides how many items of each list a line budget holds.
 * Not a public interface.
 *
 * A screen is fixed lines (a header, restricted notes, a footer) and lists.
 * A shown list takes a heading, its items (one line each) and, when cut, a
 * "+ N more" line. A CPI_SCR_ALWAYS list is there even when empty ("- none"
 * says so) and is one line when none of its items fit; a CPI_SCR_MERGE list
 * is left out when empty and, when none of its items fit, named on one
 * "ALSO HELD" line the merge lists share.
 */
#ifndef CPI_SCREEN_H
#define CPI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { CPI_SCR_ALWAYS = 0, CPI_SCR_MERGE = 1 };

/* One step of a fit: give list up to target items (fewer if the budget ends first). */
typedef struct cpi_scr_step {
    int list;
    uint32_t target;
} cpi_scr_step;

/* Columns of UTF-8 text: one per character. */
int cpi_scr_columns(const char *s);
/* lead then text on one line of at most width columns, cut with "..." (between characters). */
void cpi_scr_line(FILE *f, int width, const char *lead, const char *text);
/*
 * lead then text wrapped at width (continuation lines indented by indent) in
 * at most maxlines lines, the last cut with "..." if the text goes on.
 * Prints to f unless NULL; returns the lines the whole text takes.
 */
int cpi_scr_wrap(FILE *f, int width, const char *lead, int indent, const char *text, int maxlines);
/* The lines a screen takes with alloc[i] of n[i] items shown of each list, plus fixed. */
int cpi_scr_total(const uint32_t *alloc, const uint32_t *n, const uint8_t *mode, int nlists, int fixed);
/* Fill alloc[] (zeroed here) step by step while the total stays within lines; returns the lines left. */
int cpi_scr_allocate(const uint32_t *n, const uint8_t *mode, int nlists, int fixed, int lines,
                     const cpi_scr_step *steps, size_t nsteps, uint32_t *alloc);
/*
 * The last line of a one-screen answer: label then cmd (the command for everything). Two lines when
 * it does not fit one, split before the command so the command is never broken (an officer types
 * it). Prints to f unless NULL; returns the lines it takes.
 */
int cpi_scr_footer(FILE *f, int width, const char *label, const char *cmd);
/* The lines render(arg) prints at width, counted by printing into memory; on no memory, fallback. */
int cpi_scr_lines_of(void (*render)(FILE *f, int width, const void *arg), const void *arg, int width, int fallback);

#endif
