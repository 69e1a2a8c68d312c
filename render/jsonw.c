/* jsonw.c - the streaming JSON writer (see jsonw.h for the exact output format). */
#include "render/jsonw.h"

#include <stdlib.h>
#include <string.h>

void cpi_jw_init(cpi_jw *w, int indent)
{
    memset(w, 0, sizeof *w);
    w->indent = indent > 0 ? indent : 0;
}

void cpi_jw_free(cpi_jw *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

void cpi_jw_reset(cpi_jw *w)
{
    w->len = 0;
    w->depth = 0;
    w->first = w->after_key = w->failed = false;
}

const char *cpi_jw_text(const cpi_jw *w, size_t *len)
{
    if (len)
        *len = w->failed ? 0 : w->len;
    if (w->failed)
        return NULL;
    return w->buf ? w->buf : "";
}

int cpi_jw_print(const cpi_jw *w, FILE *f)
{
    if (w->failed || fwrite(w->buf ? w->buf : "", 1, w->len, f) != w->len || putc('\n', f) == EOF)
        return -1;
    return 0;
}

/* Room for n more bytes and the terminating NUL; false (and failed set) when out of memory. */
static bool room(cpi_jw *w, size_t n)
{
    if (w->failed)
        return false;
    if (w->len + n + 1 <= w->cap)
        return true;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + n + 1)
        cap *= 2;
    char *b = realloc(w->buf, cap);
    if (!b) {
        w->failed = true;
        return false;
    }
    w->buf = b;
    w->cap = cap;
    return true;
}

static void put(cpi_jw *w, const char *s, size_t n)
{
    if (!room(w, n))
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

/* A newline and the indentation of the current depth (nothing when compact). */
static void newline(cpi_jw *w)
{
    if (!w->indent)
        return;
    size_t n = (size_t)w->indent * (size_t)w->depth;
    if (!room(w, n + 1))
        return;
    w->buf[w->len++] = '\n';
    memset(w->buf + w->len, ' ', n);
    w->len += n;
    w->buf[w->len] = '\0';
}

/* What comes before a value or a key: nothing after a key, else a newline first in a container, else ",". */
static void before(cpi_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    if (!w->first)
        put(w, ",", 1);
    w->first = false;
    newline(w);
}

static void container_open(cpi_jw *w, char c)
{
    before(w);
    put(w, &c, 1);
    w->depth++;
    w->first = true;
}

static void container_close(cpi_jw *w, char c)
{
    w->depth--;
    if (!w->first) /* jansson: "[]" and "{}" when empty, else the closing bracket on a line of its own */
        newline(w);
    w->first = false;
    put(w, &c, 1);
}

void cpi_jw_obj(cpi_jw *w) { container_open(w, '{'); }
void cpi_jw_obj_end(cpi_jw *w) { container_close(w, '}'); }
void cpi_jw_arr(cpi_jw *w) { container_open(w, '['); }
void cpi_jw_arr_end(cpi_jw *w) { container_close(w, ']'); }

static void string(cpi_jw *w, const char *s)
{
    put(w, "\"", 1);
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, run, (size_t)((const char *)p - run));
        if (c == '\0')
            break;
        char esc[8];
        size_t n = 2;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            n = (size_t)snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
        }
        put(w, esc, n);
        run = (const char *)p + 1;
    }
    put(w, "\"", 1);
}

void cpi_jw_key(cpi_jw *w, const char *key)
{
    before(w);
    string(w, key);
    put(w, ": ", w->indent ? 2 : 1);
    w->after_key = true;
}

void cpi_jw_str(cpi_jw *w, const char *s)
{
    if (!s) {
        cpi_jw_null(w);
        return;
    }
    before(w);
    string(w, s);
}

void cpi_jw_int(cpi_jw *w, long long v)
{
    before(w);
    char b[24];
    int n = snprintf(b, sizeof b, "%lld", v);
    put(w, b, (size_t)n);
}

void cpi_jw_bool(cpi_jw *w, bool v)
{
    before(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void cpi_jw_null(cpi_jw *w)
{
    before(w);
    put(w, "null", 4);
}

void cpi_jw_real(cpi_jw *w, double v)
{
    before(w);
    char b[64];
    int n = snprintf(b, sizeof b, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof b - 2) {
        put(w, "null", 4);
        return;
    }
    if (!strchr(b, '.') && !strchr(b, 'e')) { /* jansson marks a whole real as one */
        memcpy(b + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(b, 'e');
    if (e) { /* jansson drops the exponent's '+' and its leading zeros: 1e+20 -> 1e20, 1e-05 -> 1e-5 */
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0' && end[1])
            end++;
        memmove(start, end, strlen(end) + 1);
        n = (int)strlen(b);
    }
    put(w, b, (size_t)n);
}
