/*
 * term.h - cpindex as a terminal program: how wide the answer may be, whether
 * it is coloured, and whether a long one goes through a pager. Decided once
 * per command from the options (--width N, --color=auto|always|never,
 * --no-pager), the environment (NO_COLOR, PAGER, TERM) and whether standard
 * output is a terminal, the way git decides.
 *
 * The library renders plain text at a width (render/render.h) and never knows
 * about terminals; everything here is the CLI's. A text answer is rendered
 * into memory and handed to cli_term_emit(), which folds any line still
 * wider than the terminal, colours it by the renderers' line markers ("!!"
 * high, "! " medium, "RESTRICTED:", headings), and pages it when it is longer
 * than the screen. A served answer (serve_client.c) goes through the same
 * call in the client, which owns the terminal; the server renders plain.
 *
 * Linked into the small static front (front.c) too: libc only.
 */
#ifndef CPI_TERM_H
#define CPI_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* --color=WHEN, as given (CLI_COLOR_UNSET when not). */
enum { CLI_COLOR_UNSET = 0, CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

/* What the user asked for on the command line (any of it may be unset). */
typedef struct cli_term_opts {
    int width;     /* --width N, 0 when not given */
    int color;     /* CLI_COLOR_* */
    bool no_pager; /* --no-pager */
    bool plain;    /* set by `cpindex serve` for the commands it runs: the client colours and pages */
} cli_term_opts;

/* What was decided. */
typedef struct cli_term {
    int width;      /* columns no line may pass: --width, else the terminal's, else 80 */
    int height;     /* the terminal's rows; 0 when standard output is not a terminal */
    bool tty;       /* standard output is a terminal */
    bool color;     /* write SGR colour codes */
    bool pager;     /* page an answer longer than height - 1 lines */
    const char *pager_cmd; /* $PAGER, else "less" (with LESS=FRX when unset, as git does) */
} cli_term;

/* The narrowest and widest --width accepted. */
#define CLI_WIDTH_MIN 20
#define CLI_WIDTH_MAX 1000

/*
 * Decide for file descriptor fd (1: standard output) from o and the
 * environment. Colour: --color=always/never win; otherwise (auto) only on a
 * terminal, never when NO_COLOR is set to anything non-empty or TERM is
 * "dumb". Pager: only on a terminal, never with --no-pager, $PAGER "" or
 * "cat", or o->plain.
 */
void cli_term_decide(const cli_term_opts *o, int fd, cli_term *t);

/*
 * Parse one presentation option: "--width", "--width=N", "--color",
 * "--color=WHEN", "--no-pager". arg is the word, next the one after it (or
 * NULL). Returns how many words it used (1 or 2), 0 when arg is not one of
 * them, -1 when it is one with a bad value (*why says what is wrong).
 */
int cli_term_parse_arg(cli_term_opts *o, const char *arg, const char *next, const char **why);

/*
 * The presentation options in a command's arguments (argv from its name on):
 * used by the serve client, which does not run the command's own getopt.
 * Stops at "--". Sets *json when --json is among them.
 */
void cli_term_scan(cli_term_opts *o, int argc, char **argv, bool *json);

/* Display columns of the UTF-8 text s[0..n) (one per code point but combining marks and bytes of a bad sequence). */
int cli_term_columns(const char *s, size_t n);

/*
 * Write a text answer (len bytes) for terminal t to out: every line folded to
 * t->width columns (at a space where one is near, indented under the line's
 * own indent; a word wider than the line is cut), coloured when t->color, and
 * through the pager when t->pager and it has more lines than the screen.
 * Returns 0, or -1 when writing failed.
 */
int cli_term_emit(const cli_term *t, const char *text, size_t len, FILE *out);

/*
 * The same, into a malloc'd buffer instead of a stream and with no pager:
 * what emit would write to a file. For tests and for callers that post-process.
 * Returns NULL when out of memory; *outlen its length.
 */
char *cli_term_format(const cli_term *t, const char *text, size_t len, size_t *outlen);

#endif
