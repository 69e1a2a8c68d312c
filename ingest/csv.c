/*
 * csv.c - the streaming CSV reader behind every silo adapter (see csv.h).
 *
 * Why hand-written rather than libcsv: the resync rule (reject only the
 * first physical line of a runaway quoted row and re-parse from the next
 * line) needs the bytes of the pending row and the position of its first
 * line end; libcsv hides both behind its callbacks. bench/csv_bench.c
 * measures this reader against libcsv on the same files.
 *
 * Design: one window buffer of max_row_bytes + one read chunk. The row being
 * scanned always stays in the window (a refill slides it to the front), so
 * resync is just moving the scan position back to the start of the row's
 * second line: no seek, works on pipes, and re-reads at most one row cap.
 * Once a row passes the cap it is no longer kept (only its first
 * CPI_CSV_RAW_KEEP bytes, for the reject file), so memory stays bounded.
 * Scanning records field boundaries as offsets from the row start; only a
 * row that passes every check is copied out (quotes undoubled) into the
 * field buffer, so rejected rows cost no copying.
 */
#include "ingest/csv.h"
#include "core/array.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum scan_state { ST_START, ST_UNQ, ST_Q, ST_QQ };
enum scan_result { RS_NONE, RS_ROW, RS_REJECT };

typedef struct field_span {
    size_t start, end;  /* offsets from the row start; content only (no quotes) */
    size_t stop;        /* offset of the delimiter after it (closing quote included before it) */
    bool esc;           /* holds "" pairs to undouble */
} field_span;

struct cpi_csv {
    /* source: exactly one of fd >= 0 or mem */
    int fd;
    bool own_fd;
    const unsigned char *mem;
    uint64_t mem_len, mem_off;
    bool src_eof;
    uint64_t file_size;
    char *name;

    /* window: buf[0] is file offset buf_off; row and pos index into buf */
    unsigned char *buf;
    size_t cap, len, pos, row;
    uint64_t buf_off;
    size_t chunk, max_row;

    /* state of the row being scanned */
    int st;
    uint64_t line;          /* physical line at pos */
    uint64_t row_line;
    uint64_t row_off;
    uint64_t end_line;
    uint64_t content_end;   /* file offset where the row's bytes end */
    size_t nf;              /* fields completed */
    size_t fstart;
    bool fesc;
    field_span *spans;
    size_t spans_cap;
    bool multiline;         /* a line end was seen inside quotes */
    uint64_t line1_end, line2_off;
    size_t open_col;        /* field whose quote was open at the first line end */
    size_t quote_col;       /* field of the most recently opened quote */
    size_t badq_col;        /* first field with text after its closing quote */
    bool eof_in_quote;
    bool oversized;
    size_t over_col;
    unsigned char *keep;    /* first bytes of an oversized row */
    size_t keep_len;

    /* output */
    cpi_csv_row out;
    char *fbuf;
    size_t fbuf_cap;
    const char **fptr;
    size_t *flen;
    size_t fptr_cap;

    /* header */
    char **hdr;
    size_t ncols;
    uint64_t blank;
};

/* Bytes that end a run inside an unquoted / a quoted field. */
static const unsigned char k_unq[256] = {[','] = 1, ['\n'] = 1, ['\r'] = 1};
static const unsigned char k_q[256] = {['"'] = 1, ['\n'] = 1, ['\r'] = 1};

/* ---- UTF-8 ---- */

static bool cont(unsigned char b) { return (b & 0xC0) == 0x80; }

/* Length of the valid sequence at p (lead byte >= 0x80), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    if (c < 0xC2)
        return 0;  /* stray continuation, or overlong 2-byte form */
    if (c < 0xE0)
        return left >= 2 && cont(p[1]) ? 2 : 0;
    if (c < 0xF0) {
        if (left < 3 || !cont(p[1]) || !cont(p[2]))
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
            return 0;  /* overlong, surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (left < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3]))
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
            return 0;  /* overlong, above U+10FFFF */
        return 4;
    }
    return 0;
}

bool cpi_csv_utf8_valid(const void *s, size_t n)
{
    const unsigned char *p = s, *e = p + n;
    while (p < e) {
        /* Exports are overwhelmingly ASCII: test 8 bytes at a time. */
        while (e - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            if (v & 0x8080808080808080ull)
                break;
            p += 8;
        }
        if (p == e)
            break;
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t k = utf8_seq(p, (size_t)(e - p));
        if (!k)
            return false;
        p += k;
    }
    return true;
}

/* ---- source and window ---- */

static cpi_status source_read(cpi_csv *c, unsigned char *dst, size_t want, size_t *got, cpi_error *err)
{
    if (c->mem) {
        uint64_t left = c->mem_len - c->mem_off;
        size_t n = left < want ? (size_t)left : want;
        memcpy(dst, c->mem + c->mem_off, n);
        c->mem_off += n;
        *got = n;
        return CPI_OK;
    }
    for (;;) {
        ssize_t n = read(c->fd, dst, want);
        if (n >= 0) {
            *got = (size_t)n;
            return CPI_OK;
        }
        if (errno != EINTR)
            return cpi_error_set(err, CPI_ERR_IO, "%s: read error after byte %llu: %s", c->name,
                                 (unsigned long long)(c->buf_off + c->len), strerror(errno));
    }
}

/*
 * The scan is skipping an oversized row, inside a field, with the window used
 * up: NUL bytes change nothing there, and a hole in a sparse file is NUL bytes
 * that were never written, so jump over it instead of reading it (a 10 GB
 * sparse file is otherwise read zero page by zero page: over a minute here).
 * Where SEEK_DATA is not supported (a pipe, some file systems) nothing happens.
 */
static void skip_hole(cpi_csv *c)
{
    off_t cur = lseek(c->fd, 0, SEEK_CUR);
    if (cur < 0)
        return;
    off_t data = lseek(c->fd, cur, SEEK_DATA);
    if (data < 0) {
        if (errno != ENXIO)
            return;
        data = lseek(c->fd, 0, SEEK_END); /* a hole to the end of the file */
        if (data < 0)
            return;
    }
    if (data > cur)
        c->buf_off += (uint64_t)(data - cur);
}

/*
 * Slide the kept part of the window to the front and read one chunk. The
 * row being scanned is kept unless it is oversized (then only from pos).
 */
static cpi_status refill(cpi_csv *c, cpi_error *err)
{
    size_t from = c->oversized ? c->pos : c->row;
    if (from > 0) {
        memmove(c->buf, c->buf + from, c->len - from);
        c->len -= from;
        c->pos -= from;
        c->row = c->row >= from ? c->row - from : 0;
        c->buf_off += from;
    }
    if (c->oversized && c->fd >= 0 && c->len == 0 && (c->st == ST_UNQ || c->st == ST_Q))
        skip_hole(c);
    size_t room = c->cap - c->len;
    size_t want = room < c->chunk ? room : c->chunk;
    size_t got = 0;
    cpi_status s = source_read(c, c->buf + c->len, want, &got, err);
    if (s != CPI_OK)
        return s;
    c->len += got;
    if (got == 0)
        c->src_eof = true;
    return CPI_OK;
}

static uint64_t abs_off(const cpi_csv *c, size_t i) { return c->buf_off + i; }

/* ---- scanning ---- */

static void start_row(cpi_csv *c)
{
    c->row = c->pos;
    c->row_off = abs_off(c, c->pos);
    c->row_line = c->line;
    c->st = ST_START;
    c->nf = 0;
    c->fstart = 0;
    c->fesc = false;
    c->multiline = false;
    c->open_col = c->quote_col = c->badq_col = 0;
    c->eof_in_quote = false;
    c->oversized = false;
    c->over_col = 0;
    c->keep_len = 0;
}

static __attribute__((noinline)) cpi_status grow_spans(cpi_csv *c, cpi_error *err)
{
    if (CPI_GROW(c->spans, c->spans_cap, c->spans_cap + 1, 64))
        return cpi_error_set(err, CPI_ERR_NOMEM, "%s: out of memory", c->name);
    return CPI_OK;
}

/*
 * A field ends: its content ends at end_idx, its delimiter (or end of
 * input) is at delim. Called once per field, so kept small enough to inline.
 */
static inline cpi_status end_field(cpi_csv *c, size_t end_idx, size_t delim, cpi_error *err)
{
    if (!c->oversized) {
        if (c->nf == c->spans_cap && grow_spans(c, err) != CPI_OK)
            return CPI_ERR_NOMEM;
        field_span *f = &c->spans[c->nf];
        f->start = c->fstart;
        f->end = end_idx - c->row;
        f->stop = delim - c->row;
        f->esc = c->fesc;
    }
    c->nf++;
    return CPI_OK;
}

/*
 * Length of the line end at p (1 or 2), or 0 if a CR is the last byte in
 * the window and more input may follow (the caller refills and retries).
 */
static size_t term_len(const cpi_csv *c, size_t p)
{
    if (c->buf[p] == '\n')
        return 1;
    if (p + 1 < c->len)
        return c->buf[p + 1] == '\n' ? 2 : 1;
    return c->src_eof ? 1 : 0;
}

/* raw holds `have` of the row's `full` bytes. */
static void set_reject(cpi_csv *c, const char *reason, size_t col, const void *raw, size_t have, uint64_t full)
{
    cpi_csv_row *o = &c->out;
    o->nfields = 0;
    o->field = NULL;
    o->len = NULL;
    o->reject_reason = reason;
    o->reject_column = col;
    o->raw = raw;
    o->raw_len = have < CPI_CSV_RAW_KEEP ? have : CPI_CSV_RAW_KEEP;
    o->raw_truncated = full > o->raw_len;
}

/* Reject the first physical line of the pending row and resume at its second line (still in the window). */
static void resync(cpi_csv *c, const char *reason, size_t col)
{
    c->out.line = c->out.end_line = c->row_line;
    c->out.byte_offset = c->row_off;
    uint64_t n = c->line1_end - c->row_off;
    set_reject(c, reason, col, c->buf + c->row, (size_t)n, n);
    c->pos = (size_t)(c->line2_off - c->buf_off);
    c->line = c->row_line + 1;
}

/*
 * The field holding the first byte past the cap (a delimiter right there
 * counts for the next field), so the answer does not depend on where the
 * scan happened to notice.
 */
static size_t cap_column(const cpi_csv *c)
{
    size_t col = 1;
    for (size_t i = 0; i < c->nf; i++)
        if (c->spans[i].stop <= c->max_row)
            col++;
    return col;
}

/*
 * The row just passed the cap. A row already spanning lines is a runaway
 * quote: resync now, while its second line is still in the window. Any
 * other row is kept only as a prefix and skipped to its end.
 */
static bool cross_cap(cpi_csv *c, size_t p)
{
    if (!c->hdr) {
        /* The header: a file without one cannot be read at all, so do not look for its end
           (a 10 GB file of NULs would be read to its last byte before saying so). */
        c->out.line = c->out.end_line = c->row_line;
        c->out.byte_offset = c->row_off;
        set_reject(c, c->multiline ? "unterminated-quote" : "row-too-large", c->multiline ? c->open_col : cap_column(c),
                   c->buf + c->row, p - c->row, (uint64_t)-1);
        return true;
    }
    if (c->multiline) {
        resync(c, "unterminated-quote", c->open_col);
        return true;
    }
    size_t n = p - c->row;
    c->keep_len = n < CPI_CSV_RAW_KEEP ? n : CPI_CSV_RAW_KEEP;
    memcpy(c->keep, c->buf + c->row, c->keep_len);
    c->oversized = true;
    c->over_col = cap_column(c);
    return false;
}

/* An oversized single-line row reached a line end inside quotes: cut it there. */
static void cut_oversized(cpi_csv *c, size_t p, size_t tl)
{
    c->out.line = c->out.end_line = c->row_line;
    c->out.byte_offset = c->row_off;
    set_reject(c, "row-too-large", c->over_col, c->keep, c->keep_len, (uint64_t)-1);
    c->pos = p + tl;
    c->line++;
}

static void end_row(cpi_csv *c, size_t p, size_t tl)
{
    c->content_end = abs_off(c, p);
    c->end_line = c->line;
    c->pos = p + tl;
    if (tl)
        c->line++;
}

static void finish_at_eof(cpi_csv *c, cpi_error *err, cpi_status *s)
{
    size_t p = c->pos;
    if (c->st == ST_START && !c->oversized)
        c->fstart = p - c->row;  /* "a," at end of input: the last field is empty */
    if (c->st == ST_QQ)
        *s = end_field(c, p - 1, p, err);
    else {
        c->eof_in_quote = c->st == ST_Q;
        *s = end_field(c, p, p, err);
    }
    end_row(c, p, 0);
}

/*
 * Run the state machine over the window from pos, with the hot values in
 * locals (a row is ~100 bytes, so per-field overhead is what costs). Returns
 * with *res set when a row is complete or a reject is ready; with *res still
 * RS_NONE it needs more input (window used up, or a CR whose next byte is
 * not read yet).
 */
static cpi_status scan_run(cpi_csv *c, int *res, cpi_error *err)
{
    const unsigned char *b = c->buf;
    size_t p = c->pos, e = c->len, row = c->row, tl;
    int st = c->st;
    cpi_status s;
#define SAVE() (c->pos = p, c->st = st)
    for (;;) {
        switch (st) {
        case ST_START:
            if (p == e)
                goto more;
            c->fesc = false;
            if (b[p] == '"') {
                st = ST_Q;
                c->quote_col = c->nf + 1;
                c->fstart = ++p - row;
                continue;
            }
            c->fstart = p - row;
            st = ST_UNQ;
            /* fallthrough */
        case ST_UNQ:
            while (p < e && !k_unq[b[p]])
                p++;
            if (p == e)
                goto more;
            SAVE();
            if (!c->oversized && p - row > c->max_row && cross_cap(c, p)) {
                *res = RS_REJECT;
                return CPI_OK;
            }
            if (b[p] == ',') {
                if ((s = end_field(c, p, p, err)) != CPI_OK)
                    return s;
                p++;
                st = ST_START;
                continue;
            }
            if (!(tl = term_len(c, p)))
                goto more;
            if (!c->oversized && p == row) {  /* empty line: no data, not a row */
                c->blank++;
                c->line++;
                c->pos = p + tl;
                start_row(c);
                p = c->pos;
                row = c->row;
                st = ST_START;
                continue;
            }
            *res = RS_ROW;
            end_row(c, p, tl);
            return end_field(c, p, p, err);
        case ST_Q:
            while (p < e && !k_q[b[p]])
                p++;
            if (p == e)
                goto more;
            SAVE();
            if (!c->oversized && p - row > c->max_row && cross_cap(c, p)) {
                *res = RS_REJECT;
                return CPI_OK;
            }
            if (b[p] == '"') {
                p++;
                st = ST_QQ;
                continue;
            }
            if (!(tl = term_len(c, p)))
                goto more;
            if (!c->multiline) {
                if (c->oversized) {
                    cut_oversized(c, p, tl);
                    *res = RS_REJECT;
                    return CPI_OK;
                }
                c->multiline = true;
                c->line1_end = abs_off(c, p);
                c->line2_off = abs_off(c, p + tl);
                c->open_col = c->nf + 1;
            }
            c->line++;
            p += tl;
            continue;
        default: /* ST_QQ: the byte after a quote inside a quoted field */
            if (p == e)
                goto more;
            if (b[p] == '"') {
                c->fesc = true;
                p++;
                st = ST_Q;
                continue;
            }
            if (b[p] == ',') {
                SAVE();
                if ((s = end_field(c, p - 1, p, err)) != CPI_OK)
                    return s;
                p++;
                st = ST_START;
                continue;
            }
            if (b[p] == '\n' || b[p] == '\r') {
                SAVE();
                if (!(tl = term_len(c, p)))
                    goto more;
                *res = RS_ROW;
                end_row(c, p, tl);
                return end_field(c, p - 1, p, err);
            }
            /* "ab"c: malformed; keep scanning as unquoted to find the row's end. */
            if (!c->badq_col)
                c->badq_col = c->nf + 1;
            st = ST_UNQ;
            continue;
        }
    }
more:
    SAVE();
#undef SAVE
    return CPI_OK;
}

/* Scan the next row into spans (or a ready reject into c->out). */
static cpi_status scan_row(cpi_csv *c, int *res, cpi_error *err)
{
    start_row(c);
    *res = RS_NONE;
    for (;;) {
        cpi_status s = scan_run(c, res, err);
        if (s != CPI_OK || *res != RS_NONE)
            return s;
        /* Decide the cap before sliding the window, so the kept row always fits. */
        if (!c->oversized && c->pos - c->row > c->max_row && cross_cap(c, c->pos)) {
            *res = RS_REJECT;
            return CPI_OK;
        }
        if (!c->src_eof) {
            if ((s = refill(c, err)) != CPI_OK)
                return s;
            continue;
        }
        if (c->pos < c->len)
            continue;  /* a CR at the very end of input: term_len now answers 1 */
        if (c->oversized || c->pos > c->row) {
            finish_at_eof(c, err, &s);
            *res = RS_ROW;
            return s;
        }
        return CPI_OK;  /* RS_NONE: clean end of input */
    }
}

/* ---- checking and delivering a scanned row ---- */

static cpi_status grow_fields(cpi_csv *c, size_t nbytes, cpi_error *err)
{
    if (nbytes > c->fbuf_cap) {
        char *nb = realloc(c->fbuf, nbytes);
        if (!nb)
            return cpi_error_set(err, CPI_ERR_NOMEM, "%s: out of memory", c->name);
        c->fbuf = nb;
        c->fbuf_cap = nbytes;
    }
    if (c->nf > c->fptr_cap) {
        const char **np = realloc(c->fptr, c->nf * sizeof *np);
        if (!np)
            return cpi_error_set(err, CPI_ERR_NOMEM, "%s: out of memory", c->name);
        c->fptr = np;
        size_t *nl = realloc(c->flen, c->nf * sizeof *nl);
        if (!nl)
            return cpi_error_set(err, CPI_ERR_NOMEM, "%s: out of memory", c->name);
        c->flen = nl;
        c->fptr_cap = c->nf;
    }
    return CPI_OK;
}

/* Undouble the quotes of an escaped field in place; returns its new length. */
static size_t undouble(char *f, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        f[w++] = f[i];
        if (f[i] == '"')
            i++;  /* skip the second of the pair */
    }
    return w;
}

/*
 * First reason the fields' bytes are unacceptable, with its column. The
 * whole row is checked at once: delimiters are ASCII, so the row is valid
 * UTF-8 without NUL exactly when every field is; only a bad row is walked
 * field by field to name the column.
 */
static const char *check_bytes(const cpi_csv *c, size_t full, size_t *col)
{
    const unsigned char *raw = c->buf + c->row;
    if (!memchr(raw, 0, full) && cpi_csv_utf8_valid(raw, full))
        return NULL;
    for (size_t i = 0; i < c->nf; i++) {
        const field_span *f = &c->spans[i];
        const unsigned char *s = raw + f->start;
        size_t n = f->end - f->start;
        *col = i + 1;
        if (memchr(s, 0, n))
            return "nul-byte";
        if (!cpi_csv_utf8_valid(s, n))
            return "invalid-utf8";
    }
    *col = 0;
    return "invalid-utf8";  /* not reached: some field must hold the bad bytes */
}

/* Copy the row out once, then terminate each field where its delimiter was. */
static cpi_status deliver_fields(cpi_csv *c, size_t full, cpi_error *err)
{
    cpi_status s = grow_fields(c, full + 1, err);
    if (s != CPI_OK)
        return s;
    memcpy(c->fbuf, c->buf + c->row, full);
    for (size_t i = 0; i < c->nf; i++) {
        const field_span *f = &c->spans[i];
        char *fp = c->fbuf + f->start;
        size_t n = f->end - f->start;
        if (f->esc)
            n = undouble(fp, n);
        fp[n] = '\0';
        c->fptr[i] = fp;
        c->flen[i] = n;
    }
    c->out.nfields = c->nf;
    c->out.field = c->fptr;
    c->out.len = c->flen;
    c->out.reject_reason = NULL;
    c->out.reject_column = 0;
    return CPI_OK;
}

/*
 * Classify a scanned row (expect = header's column count, 0 for the header
 * itself, which has no count to match and is never resynced).
 */
static cpi_status classify(cpi_csv *c, size_t expect, cpi_error *err)
{
    cpi_csv_row *o = &c->out;
    uint64_t full = c->content_end - c->row_off;
    o->line = c->row_line;
    o->end_line = c->end_line;
    o->byte_offset = c->row_off;
    if (c->oversized) {
        set_reject(c, "row-too-large", c->over_col, c->keep, c->keep_len, full);
        return CPI_OK;
    }
    if (full > c->max_row) {
        /* a closing quote right at the row end is the one byte the scan does not weigh */
        if (expect && c->multiline) {
            resync(c, "unterminated-quote", c->open_col);  /* as cross_cap would have */
            return CPI_OK;
        }
        size_t col = cap_column(c);
        set_reject(c, "row-too-large", col, c->buf + c->row, (size_t)full, full);
        return CPI_OK;
    }
    bool quote_bad = c->eof_in_quote || c->badq_col;
    bool count_bad = expect && c->nf != expect;
    if (expect && c->multiline && (quote_bad || count_bad)) {
        resync(c, quote_bad ? "unterminated-quote" : "wrong-column-count", c->open_col);
        return CPI_OK;
    }
    const unsigned char *raw = c->buf + c->row;
    if (quote_bad) {
        set_reject(c, "unterminated-quote", c->badq_col ? c->badq_col : c->quote_col, raw, (size_t)full, full);
        return CPI_OK;
    }
    if (count_bad) {
        set_reject(c, "wrong-column-count", c->nf < expect ? c->nf + 1 : expect + 1, raw, (size_t)full, full);
        return CPI_OK;
    }
    size_t col = 0;
    const char *why = check_bytes(c, (size_t)full, &col);
    if (why) {
        set_reject(c, why, col, raw, (size_t)full, full);
        return CPI_OK;
    }
    o->raw = (const char *)raw;
    o->raw_len = full > CPI_CSV_RAW_KEEP ? CPI_CSV_RAW_KEEP : (size_t)full;
    o->raw_truncated = full > CPI_CSV_RAW_KEEP;
    return deliver_fields(c, (size_t)full, err);
}

cpi_status cpi_csv_next(cpi_csv *c, cpi_csv_row *row, cpi_error *err)
{
    int res;
    cpi_status s = scan_row(c, &res, err);
    if (s != CPI_OK)
        return s;
    if (res == RS_NONE)
        return CPI_NOT_FOUND;
    if (res == RS_ROW && (s = classify(c, c->ncols, err)) != CPI_OK)
        return s;
    *row = c->out;
    return CPI_OK;
}

/* ---- header ---- */

static void trimmed(const char *s, const char **b, size_t *n)
{
    size_t len = strlen(s);
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    *b = s;
    *n = len;
}

static bool same_name(const char *x, const char *y)
{
    const char *a, *b;
    size_t na, nb;
    trimmed(x, &a, &na);
    trimmed(y, &b, &nb);
    return na == nb && strncasecmp(a, b, na) == 0;
}

static cpi_status keep_header(cpi_csv *c, cpi_error *err)
{
    size_t total = 0;
    for (size_t i = 0; i < c->nf; i++)
        total += c->flen[i] + 1;
    /* one block: the pointer array followed by the strings */
    char **h = malloc(c->nf * sizeof *h + total);
    if (!h)
        return cpi_error_set(err, CPI_ERR_NOMEM, "%s: out of memory", c->name);
    char *w = (char *)(h + c->nf);
    for (size_t i = 0; i < c->nf; i++) {
        memcpy(w, c->fptr[i], c->flen[i] + 1);
        h[i] = w;
        w += c->flen[i] + 1;
    }
    c->hdr = h;
    c->ncols = c->nf;
    for (size_t i = 0; i < c->ncols; i++)
        for (size_t j = i + 1; j < c->ncols; j++)
            if (same_name(h[i], h[j]))
                return cpi_error_set(err, CPI_ERR_DATA, "%s: line %llu: duplicate header '%s' (columns %zu and %zu)",
                                     c->name, (unsigned long long)c->out.line, h[j], i + 1, j + 1);
    return CPI_OK;
}

static cpi_status read_header(cpi_csv *c, cpi_error *err)
{
    int res;
    cpi_status s = scan_row(c, &res, err);
    if (s != CPI_OK)
        return s;
    if (res == RS_NONE)
        return cpi_error_set(err, CPI_ERR_DATA, "%s: empty file, no header row", c->name);
    if (res == RS_ROW && (s = classify(c, 0, err)) != CPI_OK)
        return s;
    if (c->out.reject_reason) {
        if (c->out.raw_len && memchr(c->out.raw, 0, c->out.raw_len))
            return cpi_error_set(err, CPI_ERR_DATA,
                                 "%s: line %llu: bad header row (nul-byte): not a CSV text file (a binary, sparse or "
                                 "damaged file)",
                                 c->name, (unsigned long long)c->out.line);
        if (strcmp(c->out.reject_reason, "row-too-large") == 0)
            return cpi_error_set(err, CPI_ERR_DATA,
                                 "%s: line %llu: bad header row (row-too-large): it runs past %zu bytes without ending "
                                 "(an unclosed quote, or not a CSV file)",
                                 c->name, (unsigned long long)c->out.line, c->max_row);
        return cpi_error_set(err, CPI_ERR_DATA, "%s: line %llu, column %zu: bad header row (%s)", c->name,
                             (unsigned long long)c->out.line, c->out.reject_column, c->out.reject_reason);
    }
    return keep_header(c, err);
}

/* Skip a UTF-8 byte-order mark: Excel and some silo exports write one. */
static cpi_status skip_bom(cpi_csv *c, cpi_error *err)
{
    while (c->len < 3 && !c->src_eof) {
        cpi_status s = refill(c, err);
        if (s != CPI_OK)
            return s;
    }
    if (c->len >= 3 && memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0)
        c->pos = 3;
    return CPI_OK;
}

/* ---- open / close ---- */

static cpi_status make_reader(const cpi_csv_opts *opts, const char *dflt_name, cpi_csv **out, cpi_error *err)
{
    *out = NULL;
    /* the window is max_row + read_bytes: refuse sizes that would overflow it */
    if (opts && (opts->max_row_bytes > CPI_CSV_MAX_LIMIT || opts->read_bytes > CPI_CSV_MAX_LIMIT))
        return cpi_error_set(err, CPI_ERR_USAGE, "%s: max_row_bytes and read_bytes must be at most %llu",
                             opts->name ? opts->name : dflt_name, (unsigned long long)CPI_CSV_MAX_LIMIT);
    cpi_csv *c = calloc(1, sizeof *c);
    if (!c)
        return cpi_error_set(err, CPI_ERR_NOMEM, "%s: out of memory", dflt_name);
    c->fd = -1;
    c->max_row = opts && opts->max_row_bytes ? opts->max_row_bytes : CPI_CSV_DEFAULT_MAX_ROW;
    c->chunk = opts && opts->read_bytes ? opts->read_bytes : CPI_CSV_DEFAULT_READ;
    c->name = strdup(opts && opts->name ? opts->name : dflt_name);
    /* the kept row (<= cap, plus a pending CR) and one chunk must fit together */
    c->cap = c->max_row + c->chunk + 2;
    c->buf = malloc(c->cap);
    c->keep = malloc(CPI_CSV_RAW_KEEP);
    c->line = 1;
    if (!c->name || !c->buf || !c->keep) {
        cpi_csv_close(c);
        return cpi_error_set(err, CPI_ERR_NOMEM, "%s: out of memory", dflt_name);
    }
    *out = c;
    return CPI_OK;
}

static cpi_status start_reading(cpi_csv *c, cpi_csv **out, cpi_error *err)
{
    cpi_status s = skip_bom(c, err);
    if (s == CPI_OK)
        s = read_header(c, err);
    if (s != CPI_OK) {
        cpi_csv_close(c);
        *out = NULL;
        return s;
    }
    *out = c;
    return CPI_OK;
}

cpi_status cpi_csv_open_mem(const char *buf, size_t len, const cpi_csv_opts *opts, cpi_csv **out,
                            cpi_error *err)
{
    cpi_csv *c;
    cpi_status s = make_reader(opts, "<memory>", &c, err);
    if (s != CPI_OK)
        return s;
    c->mem = (const unsigned char *)(buf ? buf : "");
    c->mem_len = c->file_size = len;
    return start_reading(c, out, err);
}

static cpi_status open_fd_named(int fd, bool own, const char *dflt, const cpi_csv_opts *opts, cpi_csv **out,
                                cpi_error *err)
{
    cpi_csv *c;
    cpi_status s = make_reader(opts, dflt, &c, err);
    if (s != CPI_OK) {
        if (own)
            close(fd);
        return s;
    }
    c->fd = fd;
    c->own_fd = own;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        c->file_size = (uint64_t)st.st_size;
    return start_reading(c, out, err);
}

cpi_status cpi_csv_open_fd(int fd, const cpi_csv_opts *opts, cpi_csv **out, cpi_error *err)
{
    char dflt[32];
    snprintf(dflt, sizeof dflt, "<fd %d>", fd);
    return open_fd_named(fd, false, dflt, opts, out, err);
}

cpi_status cpi_csv_open(const char *path, const cpi_csv_opts *opts, cpi_csv **out, cpi_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cpi_error_set(err, CPI_ERR_IO, "%s: cannot open: %s", opts && opts->name ? opts->name : path,
                             strerror(errno));
    return open_fd_named(fd, true, path, opts, out, err);
}

void cpi_csv_close(cpi_csv *c)
{
    if (!c)
        return;
    if (c->own_fd && c->fd >= 0)
        close(c->fd);
    free(c->name);
    free(c->buf);
    free(c->keep);
    free(c->spans);
    free(c->fbuf);
    free(c->fptr);
    free(c->flen);
    free(c->hdr);
    free(c);
}

/* ---- accessors ---- */

const char *cpi_csv_name(const cpi_csv *c) { return c->name; }
size_t cpi_csv_ncols(const cpi_csv *c) { return c->ncols; }
const char *cpi_csv_header(const cpi_csv *c, size_t i) { return i < c->ncols ? c->hdr[i] : NULL; }
uint64_t cpi_csv_bytes_read(const cpi_csv *c) { return c->buf_off + c->pos; }
uint64_t cpi_csv_file_size(const cpi_csv *c) { return c->file_size; }
uint64_t cpi_csv_blank_lines(const cpi_csv *c) { return c->blank; }

int cpi_csv_column(const cpi_csv *c, const char *const names[])
{
    for (size_t i = 0; i < c->ncols; i++)
        for (size_t k = 0; names && names[k]; k++)
            if (same_name(c->hdr[i], names[k]))
                return i > (size_t)INT32_MAX ? -1 : (int)i;
    return -1;
}

char *cpi_csv_header_list(const cpi_csv *c, char *buf, size_t size)
{
    if (!size)
        return buf;
    size_t w = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->ncols; i++) {
        int n = snprintf(buf + w, size - w, "%s%s", i ? ", " : "", c->hdr[i]);
        if (n < 0 || (size_t)n >= size - w) {
            if (size >= 4)
                memcpy(buf + size - 4, "...", 4);
            return buf;
        }
        w += (size_t)n;
    }
    return buf;
}
