/*
 * out.c - writing rows: RFC 4180 CSV, the truth row for each mention, and the
 * deliberately malformed rows of --bad-rows.
 *
 * A row is built field by field, each field tagged with the mention slot it
 * belongs to. On commit, slots whose fields are all empty are dropped and the
 * rest numbered from 1 in slot order: exactly the rule the ingest engine
 * applies (ingest/spec.h), so truth.csv and the adapters count the same way.
 * A malformed row is written as one physical line and listed in the truth as
 * a reject, with none of its mentions.
 */
#include "tools/cpgen/gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const KIND[] = {"", "person", "location", "phone", "online"};

/* Write one field, quoted only when it must be. */
static void put_field(FILE *fp, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') {
            quote = true;
            break;
        }
    if (!quote) {
        fwrite_unlocked(s, 1, n, fp);
        return;
    }
    putc_unlocked('"', fp);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            putc_unlocked('"', fp);
        putc_unlocked(s[i], fp);
    }
    putc_unlocked('"', fp);
}

int out_open(gen_ctx *g, gen_file *f, const char *source, const char *name, date_fmt df,
             const char *const *header, int ncols)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", g->out, source);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    snprintf(path, sizeof path, "%s/%s/%s", g->out, source, name);
    memset(f, 0, sizeof *f);
    f->fp = fopen(path, "wb");
    if (!f->fp)
        return -1;
    setvbuf(f->fp, NULL, _IOFBF, 1 << 20);
    f->source = source;
    f->name = name;
    f->dfmt = df;
    f->ncols = ncols;
    for (int i = 0; i < ncols; i++) {
        if (i)
            putc_unlocked(',', f->fp);
        put_field(f->fp, header[i], strlen(header[i]));
    }
    putc_unlocked('\n', f->fp);
    return 0;
}

int out_close(gen_ctx *g, gen_file *f)
{
    int rc = ferror(f->fp) ? -1 : 0;
    if (fclose(f->fp) != 0)
        rc = -1;
    f->fp = NULL;
    if (g->nfiles < (int)(sizeof g->files / sizeof g->files[0]))
        g->files[g->nfiles++] = *f;
    return rc;
}

void row_begin(row *w, gen_file *f, const char *id_fmt, ...)
{
    w->f = f;
    w->len = 0;
    w->nf = 0;
    w->nslots = 0;
    w->date_col = -1;
    w->req_col = -1;
    va_list ap;
    va_start(ap, id_fmt);
    vsnprintf(w->id, sizeof w->id, id_fmt, ap);
    va_end(ap);
    row_str(w, 0, w->id);
}

int row_slot(row *w, int kind, uint32_t true_id, const char *role)
{
    if (w->nslots >= ROW_MAX_SLOTS)
        abort(); /* a table wider than the format allows is a generator bug */
    w->nslots++;
    w->slot[w->nslots].kind = (uint8_t)kind;
    w->slot[w->nslots].id = true_id;
    w->slot[w->nslots].role = role;
    return w->nslots;
}

void row_str(row *w, int slot, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (w->nf >= ROW_MAX_FIELDS || w->len + n >= ROW_BUF)
        abort();
    memcpy(w->buf + w->len, s ? s : "", n);
    w->fstart[w->nf] = (uint16_t)w->len;
    w->flen[w->nf] = (uint16_t)n;
    w->fslot[w->nf] = (uint8_t)slot;
    w->len += n;
    w->nf++;
}

void row_fmt(row *w, int slot, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    row_str(w, slot, tmp);
}

void row_date(row *w, int32_t day)
{
    char b[32];
    int y, m, d;
    cpi_norm_ymd_from_days(day, &y, &m, &d);
    w->date_y = y;
    w->date_m = m;
    w->date_d = d;
    date_fmt_ymd(b, sizeof b, w->f->dfmt, y, m, d);
    w->date_col = w->nf;
    row_str(w, 0, b);
}

void row_mark_req(row *w) { w->req_col = w->nf - 1; }

static const char *const REASONS[] = {"wrong-column-count", "unterminated-quote", "invalid-utf8",
                                      "impossible-date", "empty-required-field", "nul-byte"};

/* Write the row malformed for `reason` as exactly one physical line. */
static void write_bad(row *w, int reason)
{
    FILE *fp = w->f->fp;
    int nf = w->nf;
    if (reason == 0)
        nf = nf > 2 ? nf - 1 : nf + 1; /* one field short (or one extra for tiny tables) */
    for (int i = 0; i < nf; i++) {
        if (i)
            putc_unlocked(',', fp);
        if (i >= w->nf) {
            fputs_unlocked("extra", fp);
            continue;
        }
        const char *s = w->buf + w->fstart[i];
        size_t n = w->flen[i];
        if (reason == 1 && i == nf - 1) {
            /* An opened quote with no quote after it on the line, so a reader can resync. */
            putc_unlocked('"', fp);
            for (size_t k = 0; k < n; k++)
                if (s[k] != '"')
                    putc_unlocked(s[k], fp);
            fputs_unlocked(" unfinished", fp);
        } else if (reason == 2 && i == w->req_col) {
            char b[ROW_BUF + 2];
            memcpy(b, s, n);
            memcpy(b + n, "\xC3\x28", 2);
            put_field(fp, b, n + 2);
        } else if (reason == 3 && i == w->date_col) {
            char b[32];
            date_fmt_ymd(b, sizeof b, w->f->dfmt, w->date_y, 2, 30 + (w->date_d & 1));
            fputs_unlocked(b, fp);
        } else if (reason == 4 && i == w->req_col) {
            /* the required field left empty */
        } else if (reason == 5 && i == w->req_col) {
            char b[ROW_BUF + 1];
            size_t cut = n > 1 ? 1 : n;
            memcpy(b, s, cut);
            b[cut] = '\0';
            memcpy(b + cut + 1, s + cut, n - cut);
            put_field(fp, b, n + 1);
        } else {
            put_field(fp, s, n);
        }
    }
    putc_unlocked('\n', fp);
}

static void write_good(gen_ctx *g, row *w)
{
    FILE *fp = w->f->fp;
    bool present[ROW_MAX_SLOTS + 1] = {false};
    for (int i = 0; i < w->nf; i++) {
        if (i)
            putc_unlocked(',', fp);
        put_field(fp, w->buf + w->fstart[i], w->flen[i]);
        if (w->flen[i])
            present[w->fslot[i]] = true;
    }
    putc_unlocked('\n', fp);
    uint32_t n = 0;
    for (int s = 1; s <= w->nslots; s++) {
        if (!present[s])
            continue;
        n++;
        char pfx = w->slot[s].kind == K_PERSON ? 'P' : w->slot[s].kind == K_LOCATION ? 'L'
                 : w->slot[s].kind == K_PHONE ? 'T' : 'O';
        fprintf(g->truth, "%s:%s/%u,%s,%c%07u,%s\n", w->f->source, w->id, n, KIND[w->slot[s].kind], pfx,
                w->slot[s].id + 1, w->slot[s].role);
    }
    g->total_mentions += n;
    g->total_records++;
}

void row_commit(gen_ctx *g, row *w)
{
    gen_file *f = w->f;
    uint64_t line = f->rows + 2; /* header is line 1 and good rows never span lines */
    f->rows++;
    g->total_rows++;
    if (g->bad_permille && rng_below(&g->bad, 1000) < g->bad_permille) {
        int reason = (int)rng_below(&g->bad, 6);
        if (reason == 3 && w->date_col < 0)
            reason = 0;
        if ((reason == 2 || reason == 4 || reason == 5) && w->req_col < 0)
            reason = 0;
        write_bad(w, reason);
        f->rejects++;
        fprintf(g->truth, "%s:%s:%llu,reject,,%s\n", f->source, f->name, (unsigned long long)line,
                REASONS[reason]);
        return;
    }
    write_good(g, w);
    if (g->progress && (g->total_rows & 0xffff) == 0)
        gen_progress(g, f->name);
}

void gen_progress(gen_ctx *g, const char *what)
{
    fprintf(stderr, "\rcpgen: %-28s %12llu rows", what, (unsigned long long)g->total_rows);
}
