/*
 * term.c - width, colour and paging for a text answer (see term.h). libc
 * only: the static front (front.c) prints served answers through it.
 */
#include "term.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* A number of columns from text, or 0 when it is not one in range. */
static int parse_width(const char *s)
{
    if (!s || !*s)
        return 0;
    char *end;
    long w = strtol(s, &end, 10);
    return *end || w < CLI_WIDTH_MIN || w > CLI_WIDTH_MAX ? 0 : (int)w;
}

int cli_term_parse_arg(cli_term_opts *o, const char *arg, const char *next, const char **why)
{
    static const char bad_width[] = "--width takes a number of columns from 20 to 1000";
    if (strcmp(arg, "--no-pager") == 0) {
        o->no_pager = true;
        return 1;
    }
    if (strcmp(arg, "--width") == 0 || strncmp(arg, "--width=", 8) == 0) {
        const char *v = arg[7] == '=' ? arg + 8 : next;
        int w = parse_width(v);
        if (!w) {
            *why = bad_width;
            return -1;
        }
        o->width = w;
        return arg[7] == '=' ? 1 : 2;
    }
    if (strcmp(arg, "--color") == 0 || strcmp(arg, "--colour") == 0) { /* bare: as git, always */
        o->color = CLI_COLOR_ALWAYS;
        return 1;
    }
    if (strncmp(arg, "--color=", 8) == 0 || strncmp(arg, "--colour=", 9) == 0) {
        const char *v = strchr(arg, '=') + 1;
        if (strcmp(v, "auto") == 0)
            o->color = CLI_COLOR_AUTO;
        else if (strcmp(v, "always") == 0)
            o->color = CLI_COLOR_ALWAYS;
        else if (strcmp(v, "never") == 0)
            o->color = CLI_COLOR_NEVER;
        else {
            *why = "--color takes auto, always or never";
            return -1;
        }
        return 1;
    }
    return 0;
}

void cli_term_scan(cli_term_opts *o, int argc, char **argv, bool *json)
{
    *json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--json") == 0)
            *json = true;
        const char *why;
        int used = cli_term_parse_arg(o, argv[i], i + 1 < argc ? argv[i + 1] : NULL, &why);
        if (used > 1)
            i += used - 1;
    }
}

void cli_term_decide(const cli_term_opts *o, int fd, cli_term *t)
{
    memset(t, 0, sizeof *t);
    t->tty = !o->plain && isatty(fd);
    struct winsize ws = {0};
    if (t->tty && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        t->width = ws.ws_col;
        t->height = ws.ws_row;
    } else if (t->tty) {
        t->width = parse_width(getenv("COLUMNS")); /* a terminal that will not say: the shell may know */
        t->height = 24;
    }
    if (!t->width)
        t->width = 80;
    if (o->width)
        t->width = o->width;
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    if (o->color == CLI_COLOR_ALWAYS)
        t->color = true;
    else if (o->color == CLI_COLOR_NEVER || o->plain)
        t->color = false;
    else
        t->color = t->tty && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
    const char *pager = getenv("PAGER");
    t->pager_cmd = pager ? pager : "less";
    t->pager = t->tty && !o->no_pager && !o->plain && *t->pager_cmd && strcmp(t->pager_cmd, "cat") != 0;
}

/* Bytes in the UTF-8 sequence starting with lead byte c (1 for a stray byte). */
static size_t seq_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
}

/* Whether the code point at s (n bytes) is a combining mark in the common ranges: it takes no column. */
static bool combining(const unsigned char *s, size_t n)
{
    if (n == 2) {
        unsigned cp = (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu);
        return cp >= 0x300 && cp <= 0x36F;
    }
    if (n == 3) {
        unsigned cp = (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
        return (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
               (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200B || cp == 0x200D;
    }
    return false;
}

/* Bytes of the character at s (at most n left), never splitting a sequence the text does hold. */
static size_t char_len(const char *s, size_t n)
{
    size_t k = seq_len((unsigned char)*s);
    if (k > n)
        return 1;
    for (size_t i = 1; i < k; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return 1;
    return k;
}

int cli_term_columns(const char *s, size_t n)
{
    int cols = 0;
    for (size_t i = 0; i < n;) {
        size_t k = char_len(s + i, n - i);
        if (!combining((const unsigned char *)s + i, k))
            cols++;
        i += k;
    }
    return cols;
}

/* A growing output buffer. */
typedef struct obuf {
    char *p;
    size_t n, cap;
    bool failed;
} obuf;

/* Append n bytes; on a failed allocation the buffer is marked failed and the answer is not written half. */
static void put(obuf *b, const char *s, size_t n)
{
    if (b->failed || !n)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->failed = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* Append a C string (the colour codes). */
static void puts_(obuf *b, const char *s) { put(b, s, strlen(s)); }

/*
 * The colour of a line, from the markers the renderers (render/render.c,
 * render/profile_screen.c) start lines with; NULL for none. Only the start is
 * looked at: the words after it are data, never a marker.
 */
static const char *line_colour(const char *s, size_t n)
{
#define STARTS(lit) (n >= sizeof lit - 1 && memcmp(s, lit, sizeof lit - 1) == 0)
    if (STARTS("  !!"))
        return "\033[1;31m"; /* a high warning: bold red */
    if (STARTS("  ! "))
        return "\033[33m"; /* medium: yellow */
    if (STARTS("  RESTRICTED:") || STARTS("RESTRICTED"))
        return "\033[1;35m"; /* held and withheld: whom to ask */
    if (STARTS("  ? "))
        return "\033[36m"; /* a gap between systems */
    if (STARTS("  + ") || STARTS("("))
        return "\033[2m"; /* "N more ...": a pointer to --full */
#undef STARTS
    /* a heading: a first word of three or more capitals at the start ("WARNINGS", "CHILD P-...") */
    size_t caps = 0;
    while (caps < n && ((s[caps] >= 'A' && s[caps] <= 'Z') || s[caps] == '-'))
        caps++;
    if (caps >= 3 && (caps == n || s[caps] == ' ' || s[caps] == '(' || s[caps] == ':'))
        return "\033[1m";
    return NULL;
}

/* Leading spaces of a line. */
static int indent_of(const char *s, size_t n)
{
    int i = 0;
    while ((size_t)i < n && s[i] == ' ')
        i++;
    return i;
}

/* One physical line out: colour on, text (control characters shown as '?'), colour off, newline. */
static void put_line(obuf *b, const char *colour, int pad, const char *s, size_t n)
{
    if (colour)
        puts_(b, colour);
    for (int i = 0; i < pad; i++)
        put(b, " ", 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7F) { /* data never drives the terminal: no escape reaches it */
            put(b, s + start, i - start);
            put(b, "?", 1);
            start = i + 1;
        }
    }
    put(b, s + start, n - start);
    if (colour)
        puts_(b, "\033[0m");
    put(b, "\n", 1);
}

/*
 * Fold one logical line (no newline) to width: the first piece from column 0,
 * the rest indented under the line's own text (its indent + 2, at most a
 * third of the width). Each piece breaks at the last space that fits when
 * one is past the indent, else mid-word (a reference or URL wider than the
 * screen). Returns the physical lines written.
 */
static int fold_line(obuf *b, const cli_term *t, const char *s, size_t n)
{
    const char *colour = t->color ? line_colour(s, n) : NULL;
    int width = t->width > 0 ? t->width : 80;
    int ind = indent_of(s, n);
    int cont = ind + 2 < width / 3 ? ind + 2 : width / 3;
    int lines = 0, pad = 0;
    size_t pos = 0;
    /* trailing spaces never count against the width */
    while (n > 0 && s[n - 1] == ' ')
        n--;
    do {
        int avail = width - pad;
        size_t i = pos, last_space = 0;
        int cols = 0;
        while (i < n) {
            size_t k = char_len(s + i, n - i);
            int w = combining((const unsigned char *)s + i, k) ? 0 : 1;
            if (cols + w > avail)
                break;
            if (s[i] == ' ' && i > pos)
                last_space = i;
            cols += w;
            i += k;
        }
        size_t end = i, next = i;
        if (i < n && last_space > pos + (size_t)(pad ? 0 : ind)) { /* break at the space */
            end = last_space;
            next = last_space + 1;
        }
        if (end == pos && i < n) /* nothing fits (never: avail >= 1); take one character */
            end = next = pos + char_len(s + pos, n - pos);
        put_line(b, colour, pad, s + pos, end - pos);
        lines++;
        pos = next;
        while (pos < n && s[pos] == ' ')
            pos++;
        pad = cont;
    } while (pos < n);
    return lines;
}

/* Fold and colour all of text into b; returns the physical lines. */
static int format_all(obuf *b, const cli_term *t, const char *text, size_t len)
{
    int lines = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        lines += fold_line(b, t, text + pos, end - pos);
        pos = nl ? end + 1 : len;
    }
    return lines;
}

char *cli_term_format(const cli_term *t, const char *text, size_t len, size_t *outlen)
{
    obuf b = {0};
    format_all(&b, t, text, len);
    put(&b, "", 0);
    if (b.failed || (!b.p && !(b.p = calloc(1, 1)))) {
        free(b.p);
        return NULL;
    }
    *outlen = b.n;
    return b.p;
}

/*
 * Run the pager and write to it. Returns 0 when the pager ran (whatever the
 * reader did with it: quitting early is fine), -1 when it could not be run
 * and nothing was shown (the caller writes the answer itself).
 */
static int page(const cli_term *t, const char *text, size_t len)
{
    const char *cmd = getenv("PAGER") ? t->pager_cmd : "less -FRX";
    /* as git: less quits when it all fits (-F), keeps colour (-R) and leaves the screen as it was (-X) */
    setenv("LESS", "FRX", 0);
    setenv("LV", "-c", 0);
    fflush(stdout);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN); /* the reader may quit before the end */
    FILE *p = popen(cmd, "w");
    if (!p) {
        signal(SIGPIPE, old);
        return -1;
    }
    fwrite(text, 1, len, p);
    int st = pclose(p);
    signal(SIGPIPE, old);
    /* 127: the shell found no such program, so nothing was shown */
    return WIFEXITED(st) && WEXITSTATUS(st) == 127 ? -1 : 0;
}

int cli_term_emit(const cli_term *t, const char *text, size_t len, FILE *out)
{
    obuf b = {0};
    int lines = format_all(&b, t, text, len);
    if (b.failed) {
        free(b.p);
        return -1;
    }
    int rc = 0;
    if (!(t->pager && out == stdout && t->height > 1 && lines > t->height - 1 && page(t, b.p, b.n) == 0))
        rc = fwrite(b.p ? b.p : "", 1, b.n, out) == b.n ? 0 : -1;
    free(b.p);
    return rc;
}
