/*
 * http_page.h - the HTML of the control-room page `cpindex serve --http`
 * serves (http_serve.c): the login form, the lookup form with its reason box,
 * the answer, and a child's link chart as inline SVG.
 *
 * The answer is the CLI's own text renderer's output (warnings first, the
 * access rules already applied by the command that made it), split into its
 * sections and HTML-escaped value by value: nothing from the store or the
 * request reaches the page unescaped. The page carries no script.
 */
#ifndef CPI_HTTP_PAGE_H
#define CPI_HTTP_PAGE_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"

/* Write s (n bytes, or up to NUL when n is (size_t)-1) to f with & < > " ' escaped. */
void hp_esc(FILE *f, const char *s, size_t n);

/* What the lookup form shows: who is logged in, and the last lookup's values to fill it again. */
typedef struct hp_form {
    const char *user, *roles; /* the session's user and roles ("officer,marac") */
    const char *csrf;         /* the session's CSRF token, put in every form */
    const char *kind, *query, *incident, *reason;
    const char *notice;       /* a refusal or problem to show above the answer; NULL none */
    bool logout;              /* show the log-out button (not behind a proxy that logs people in) */
} hp_form;

/* The page's head and style, then the body's start; hp_end closes it. */
void hp_begin(FILE *f, const char *title);
void hp_end(FILE *f);

/* The login form; msg (NULL: none) says why the last try failed. */
void hp_login(FILE *f, const char *csrf, const char *msg);

/* The lookup form, filled from form. */
void hp_lookup_form(FILE *f, const hp_form *form);

/*
 * The answer a command gave: its stdout (out, nout) as sections, warnings
 * first as the renderer wrote them, the WARNINGS and RESTRICTED sections
 * marked; its stderr (notes, refusals, "nothing matches") as notices; status
 * its exit status. Entity ids (P-0000001, L-0000003) become links that fill
 * the form, never lookups by themselves: each lookup needs its reason.
 * svg (nsvg bytes, 0: none) is the child's chart, put under the warnings.
 */
void hp_answer(FILE *f, const char *out, size_t nout, const char *errs, size_t nerr, int status, const char *svg,
               size_t nsvg);

/* The chart's SVG, as hp_child_chart_command wrote it, under its heading. */
void hp_chart(FILE *f, const char *svg, size_t n);

/*
 * `child` as the CLI runs it (query_command: the same gate, snapshot and
 * consultation log), whose answer also draws the child's link chart as SVG
 * into the FILE set by hp_chart_sink (nothing when NULL). The chart holds
 * only what the profile holds, so it shows and logs nothing more.
 */
int hp_child_chart_command(cli_ctx *ctx, int argc, char **argv);
void hp_chart_sink(FILE *f);

#endif
