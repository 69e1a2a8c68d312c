/*
 * core/normalise/place.c - UK postcodes and addresses into matching keys.
 *
 * Addresses in exports are free text written by many hands: "Flat 3, 12 High
 * St", "3/12 High Street", "12 High Street, Flat 3", a premises name first, the
 * town sometimes left off, a postcode sometimes on the end. The parser finds
 * the flat, the house number (or a house name when there is no number) and
 * the street in whatever order they come, and folds the street so that
 * abbreviations meet their long forms. The conventions are in core/normalise/normalise.h.
 */
#include "core/normalise/normalise.h"
#include "core/normalise/internal.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

/* ----------------------------------------------------------- postcode */

/* Outward code shape, letters as A and digits as 9. */
static bool outward_ok(const char *shape)
{
    static const char *const shapes[] = {"A9", "A99", "A9A", "AA9", "AA99", "AA9A", NULL};
    for (int i = 0; shapes[i]; i++)
        if (!strcmp(shape, shapes[i]))
            return true;
    return false;
}

cpi_status cpi_norm_postcode(const char *raw, cpi_postcode *out, cpi_error *err)
{
    if (!raw || !out)
        return cpi_error_set(err, CPI_ERR_USAGE, "postcode: NULL argument");
    memset(out, 0, sizeof *out);
    char pc[8], shape[8];
    size_t n = 0;
    for (const char *p = raw; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (cpi_norm__space(c))
            continue;
        if (!cpi_norm__alpha(c) && !cpi_norm__digit(c))
            return cpi_error_set(err, CPI_ERR_DATA, "postcode '%.20s': character '%c' not allowed", raw,
                                 c < 0x80 && c >= 0x20 ? c : '?');
        if (n == 7)
            return cpi_error_set(err, CPI_ERR_DATA, "postcode '%.20s': longer than 7 characters", raw);
        pc[n] = (char)cpi_norm__upper(c);
        shape[n] = cpi_norm__digit(c) ? '9' : 'A';
        n++;
    }
    pc[n] = shape[n] = '\0';
    if (n < 5)
        return cpi_error_set(err, CPI_ERR_DATA, "postcode '%.20s': shorter than 5 characters", raw);
    size_t ol = n - 3;
    bool gir = !strcmp(pc, "GIR0AA");
    if (!gir && strcmp(shape + ol, "9AA") != 0)
        return cpi_error_set(err, CPI_ERR_DATA, "postcode '%.20s': inward code is not digit-letter-letter", raw);
    shape[ol] = '\0';
    if (!gir && !outward_ok(shape))
        return cpi_error_set(err, CPI_ERR_DATA, "postcode '%.20s': outward code shape %s is not a UK one", raw,
                             shape);
    /* every part fits its field (ol <= 4): plain copies */
    memcpy(out->outward, pc, ol);
    out->outward[ol] = '\0';
    memcpy(out->full, pc, ol);
    out->full[ol] = ' ';
    memcpy(out->full + ol + 1, pc + ol, 4); /* the inward code and its NUL */
    memcpy(out->sector, out->full, ol + 2);
    out->sector[ol + 2] = '\0';
    memcpy(out->district, out->outward, sizeof out->district);
    size_t al = 0;
    while (al < 2 && cpi_norm__alpha((unsigned char)pc[al]))
        al++;
    memcpy(out->area, pc, al);
    out->area[al] = '\0';
    return CPI_OK;
}

/* ------------------------------------------------------------ folding */

#define ADDR_BUF 600
#define MAX_TOKS 40

/* Folded address text: lower-case letters, digits, '/', ',' between parts, '-' only after a digit. */
typedef struct fold_out {
    char s[ADDR_BUF];
    size_t n;
    bool full;
} fold_out;

static void fo_put(fold_out *f, int32_t c)
{
    utf8proc_uint8_t enc[4];
    size_t k = 1;
    if (c < 0x80)
        enc[0] = (utf8proc_uint8_t)c;
    else
        k = (size_t)utf8proc_encode_char(c, enc);
    if (f->n + k >= ADDR_BUF) {
        f->full = true;
        return;
    }
    memcpy(f->s + f->n, enc, k);
    f->n += k;
}

static void fo_char(fold_out *f, int32_t c)
{
    if (c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x02BC)
        return;
    if (c < 0x80) {
        if (cpi_norm__alpha((int)c) || cpi_norm__digit((int)c) || c == '/' || c == ',')
            fo_put(f, cpi_norm__lower((int)c));
        else if (c == '\n' || c == ';' || c == '\r')
            fo_put(f, ',');
        else if (c == '-' && f->n && cpi_norm__digit((unsigned char)f->s[f->n - 1]))
            fo_put(f, '-');
        else
            fo_put(f, ' ');
        return;
    }
    utf8proc_category_t cat = utf8proc_category(c);
    fo_put(f, cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO ? c : ' ');
}

static cpi_status fold_address(const char *raw, fold_out *f, cpi_error *err)
{
    size_t len = strlen(raw);
    f->n = 0;
    f->full = false;
    if (cpi_norm__is_ascii(raw, len)) {
        for (size_t i = 0; i < len; i++)
            fo_char(f, (unsigned char)raw[i]);
    } else {
        int32_t cp[CPI_NORM_FOLD_CP_MAX];
        size_t n;
        cpi_status st = cpi_norm__fold_cp(raw, len, true, cp, &n, "address", err);
        if (st != CPI_OK)
            return st;
        for (size_t i = 0; i < n; i++)
            fo_char(f, cp[i]);
    }
    if (f->full)
        return cpi_error_set(err, CPI_ERR_DATA, "address: longer than %d bytes", ADDR_BUF - 1);
    f->s[f->n] = '\0';
    return CPI_OK;
}

/* ------------------------------------------------------------- tokens */

typedef struct atok {
    const char *s;
    int len;
    int seg;
    bool gone; /* consumed as postcode or flat */
} atok;

typedef struct addr_toks {
    atok t[MAX_TOKS];
    int n, nseg;
} addr_toks;

static cpi_status tokenise(char *s, addr_toks *a, cpi_error *err)
{
    a->n = 0;
    a->nseg = 0;
    bool seg_open = false;
    for (char *p = s; *p;) {
        if (*p == ',') {
            if (seg_open)
                a->nseg++;
            seg_open = false;
            p++;
            continue;
        }
        if (*p == ' ') {
            p++;
            continue;
        }
        char *q = p;
        while (*q && *q != ' ' && *q != ',')
            q++;
        if (a->n == MAX_TOKS)
            return cpi_error_set(err, CPI_ERR_DATA, "address: more than %d words", MAX_TOKS);
        a->t[a->n++] = (atok){p, (int)(q - p), a->nseg, false};
        seg_open = true;
        p = q;
    }
    if (seg_open)
        a->nseg++;
    return CPI_OK;
}

static bool tok_is(const atok *t, const char *w) { return (int)strlen(w) == t->len && !strncmp(t->s, w, (size_t)t->len); }

static bool tok_in(const atok *t, const char *const *list)
{
    for (; *list; list++)
        if (tok_is(t, *list))
            return true;
    return false;
}

/* digits, then at most one letter: "12", "12a". */
static bool is_house_number(const char *s, int len)
{
    int i = 0;
    while (i < len && cpi_norm__digit((unsigned char)s[i]))
        i++;
    if (i == 0 || i > 5)
        return false;
    if (i < len && cpi_norm__alpha((unsigned char)s[i]))
        i++;
    return i == len;
}

/* "12-14" */
static bool is_number_range(const atok *t)
{
    const char *dash = memchr(t->s, '-', (size_t)t->len);
    if (!dash)
        return false;
    int a = (int)(dash - t->s);
    return is_house_number(t->s, a) && is_house_number(dash + 1, t->len - a - 1);
}

/* "3/12": flat 3 at number 12 (see core/normalise/normalise.h). *slash set to the slash. */
static bool is_flat_slash_number(const atok *t, const char **slash)
{
    const char *sl = memchr(t->s, '/', (size_t)t->len);
    if (!sl)
        return false;
    int a = (int)(sl - t->s);
    *slash = sl;
    return is_house_number(t->s, a) && is_house_number(sl + 1, t->len - a - 1);
}

/* Copy the live tokens of [from, to) into out, space-separated. */
static void copy_span(const addr_toks *a, int from, int to, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = from; i < to; i++) {
        if (a->t[i].gone)
            continue;
        size_t w = (n ? 1 : 0) + (size_t)a->t[i].len;
        if (w >= cap - n) { /* what would not fit is left out whole */
            out[n] = '\0';
            return;
        }
        if (n)
            out[n++] = ' ';
        memcpy(out + n, a->t[i].s, (size_t)a->t[i].len);
        n += (size_t)a->t[i].len;
        out[n] = '\0';
    }
}

/* ------------------------------------------------------ address parts */

static const char *const FLAT_WORDS[] = {"flat", "flt", "apartment", "apt", "unit", "room", "maisonette", NULL};

/* Remove flat designators ("flat 3", "apartment no 2a", "flat 2/1") anywhere; keep the first value. */
static void take_flat(addr_toks *a, cpi_address *out)
{
    for (int i = 0; i < a->n; i++) {
        atok *t = &a->t[i];
        if (t->gone || !tok_in(t, FLAT_WORDS))
            continue;
        int v = i + 1;
        if (v < a->n && a->t[v].seg == t->seg && (tok_is(&a->t[v], "no") || tok_is(&a->t[v], "number")))
            v++;
        if (v >= a->n || a->t[v].seg != t->seg || a->t[v].len >= (int)sizeof out->flat)
            continue;
        atok *val = &a->t[v];
        bool numeric = cpi_norm__digit((unsigned char)val->s[0]);
        bool letter = val->len == 1 && cpi_norm__alpha((unsigned char)val->s[0]);
        if (!numeric && !letter)
            continue;
        if (!out->flat[0])
            cpi_norm__append(out->flat, sizeof out->flat, &(size_t){0}, val->s, (size_t)val->len);
        for (int k = i; k <= v; k++)
            a->t[k].gone = true;
    }
}

/* Remove a valid postcode at the very end (as one or two tokens). */
static void take_postcode(addr_toks *a, cpi_address *out)
{
    int last = a->n - 1;
    while (last >= 0 && a->t[last].gone)
        last--;
    if (last < 0)
        return;
    cpi_postcode pc;
    char buf[24];
    if (last >= 1 && a->t[last - 1].seg == a->t[last].seg && a->t[last].len == 3) {
        size_t bn = 0;
        cpi_norm__append(buf, sizeof buf, &bn, a->t[last - 1].s, (size_t)a->t[last - 1].len);
        cpi_norm__append(buf, sizeof buf, &bn, a->t[last].s, (size_t)a->t[last].len);
        if (a->t[last - 1].len <= 4 && cpi_norm_postcode(buf, &pc, NULL) == CPI_OK) {
            cpi_norm__copy(out->postcode, sizeof out->postcode, pc.full);
            a->t[last - 1].gone = a->t[last].gone = true;
            return;
        }
    }
    if (a->t[last].len >= 5 && a->t[last].len <= 7) {
        cpi_norm__append(buf, sizeof buf, &(size_t){0}, a->t[last].s, (size_t)a->t[last].len);
        if (cpi_norm_postcode(buf, &pc, NULL) == CPI_OK) {
            cpi_norm__copy(out->postcode, sizeof out->postcode, pc.full);
            a->t[last].gone = true;
        }
    }
}

/* Abbreviation -> long form for street and house-name words. "st" is handled by position. */
static const char *expand(const atok *t)
{
    static const char *const abbr[][2] = {
        {"rd", "road"},     {"ave", "avenue"},  {"av", "avenue"},    {"cres", "crescent"}, {"cresc", "crescent"},
        {"ln", "lane"},     {"dr", "drive"},    {"cl", "close"},     {"ct", "court"},      {"crt", "court"},
        {"pl", "place"},    {"sq", "square"},   {"terr", "terrace"}, {"ter", "terrace"},   {"tce", "terrace"},
        {"gdns", "gardens"}, {"gr", "grove"},   {"gro", "grove"},    {"pk", "park"},       {"hse", "house"},
        {"wk", "walk"},     {"mt", "mount"},    {"cott", "cottage"}, {"cotts", "cottages"}, {"bldgs", "buildings"},
        {"hts", "heights"}, {"est", "estate"},  {"grn", "green"},    {"hl", "hill"},       {"pde", "parade"},
    };
    for (size_t i = 0; i < sizeof abbr / sizeof abbr[0]; i++)
        if (tok_is(t, abbr[i][0]))
            return abbr[i][1];
    return NULL;
}

static bool word_in(const char *w, int len, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if ((int)strlen(words[i]) == len && !strncmp(w, words[i], (size_t)len))
            return true;
    return false;
}

/* English street names end in their type ("Mill Lane"); Welsh ones begin with it ("Heol Fawr",
 * "Stryd Fawr", "Maes y Deri"). A part marked either way is a street, not a house name or town. */
static bool street_words(const char *first, int first_len, const char *last, int last_len)
{
    static const char *const english[] = {"street", "road", "avenue", "crescent", "lane", "drive", "close", "court",
                                          "place", "square", "terrace", "gardens", "grove", "park", "walk", "way",
                                          "row", "hill", "mews", "rise", "view", "parade", "green", "heights",
                                          "st", "rd", "ave", "ln", "dr", "cl", "ct", "pl", "sq", "terr", "tce",
                                          "gdns", NULL};
    static const char *const welsh[] = {"heol", "stryd", "ffordd", "lon", "llys", "maes", "cae", "clos", "rhodfa",
                                        "cilgant", "teras", "cwrt", "parc", "pen", "tan", NULL};
    return word_in(last, last_len, english) || word_in(first, first_len, welsh);
}

/* Folded street words of tokens [from, to), abbreviations expanded, "st" by position. */
static void street_span(const addr_toks *a, int from, int to, char *out, size_t cap)
{
    int last = -1;
    for (int i = from; i < to; i++)
        if (!a->t[i].gone)
            last = i;
    size_t n = 0;
    out[0] = '\0';
    for (int i = from; i < to; i++) {
        const atok *t = &a->t[i];
        if (t->gone)
            continue;
        const char *w = tok_is(t, "st") ? (i == last && i != from ? "street" : "saint") : expand(t);
        int wl = w ? (int)strlen(w) : t->len;
        size_t k = (n ? 1 : 0) + (size_t)wl;
        if (k >= cap - n) { /* what would not fit is left out whole */
            out[n] = '\0';
            return;
        }
        if (n)
            out[n++] = ' ';
        memcpy(out + n, w ? w : t->s, (size_t)wl);
        n += (size_t)wl;
        out[n] = '\0';
    }
}

/* First and one-past-last live token of segment seg; false if it has none. */
static bool seg_span(const addr_toks *a, int seg, int *from, int *to)
{
    *from = *to = -1;
    for (int i = 0; i < a->n; i++) {
        if (a->t[i].seg != seg || a->t[i].gone)
            continue;
        if (*from < 0)
            *from = i;
        *to = i + 1;
    }
    return *from >= 0;
}

/* The live segments, in order. */
static int live_segments(const addr_toks *a, int *segs)
{
    int n = 0;
    for (int s = 0; s < a->nseg; s++) {
        int f, t;
        if (seg_span(a, s, &f, &t))
            segs[n++] = s;
    }
    return n;
}

/* Index in segs[] of the first part whose first word is a house number; its token in *tok. */
static int find_number(const addr_toks *a, const int *segs, int ns, int *tok)
{
    for (int k = 0; k < ns; k++) {
        int f, t;
        seg_span(a, segs[k], &f, &t);
        const char *sl;
        const atok *x = &a->t[f];
        if (is_house_number(x->s, x->len) || is_number_range(x) || is_flat_slash_number(x, &sl)) {
            *tok = f;
            return k;
        }
    }
    return -1;
}

static bool seg_is_street(const addr_toks *a, int seg)
{
    int f, t;
    return seg_span(a, seg, &f, &t) && street_words(a->t[f].s, a->t[f].len, a->t[t - 1].s, a->t[t - 1].len);
}

/* Number found in part k at token tok: number (and a flat from "3/12"), street, premises, town. */
static void parts_with_number(addr_toks *a, const int *segs, int ns, int k, int tok, cpi_address *out)
{
    atok *x = &a->t[tok];
    const char *sl;
    if (is_flat_slash_number(x, &sl)) {
        if (!out->flat[0])
            cpi_norm__append(out->flat, sizeof out->flat, &(size_t){0}, x->s, (size_t)(sl - x->s));
        cpi_norm__append(out->number, sizeof out->number, &(size_t){0}, sl + 1, (size_t)(x->len - (sl - x->s) - 1));
    } else {
        cpi_norm__append(out->number, sizeof out->number, &(size_t){0}, x->s, (size_t)x->len);
    }
    x->gone = true;
    int f, t, street_k = k;
    if (!seg_span(a, segs[k], &f, &t) && k + 1 < ns) /* "12, High Street" */
        street_k = k + 1;
    if (street_k < ns && seg_span(a, segs[street_k], &f, &t))
        street_span(a, f, t, out->street, sizeof out->street);
    if (k > 0 && seg_span(a, segs[0], &f, &t))
        street_span(a, f, t, out->premises, sizeof out->premises);
    if (ns - 1 > street_k && seg_span(a, segs[ns - 1], &f, &t))
        copy_span(a, f, t, out->town, sizeof out->town);
}

/*
 * No number: the street is the first part that looks like one; parts before it are a house
 * name. When none looks like a street, the first part is taken as the street and the last as
 * the town ("Stryd Fawr, Cwmbran" is far commoner in exports than a house name and street
 * whose street type is missing).
 */
static void parts_without_number(const addr_toks *a, const int *segs, int ns, cpi_address *out)
{
    int street_k = -1;
    for (int k = 0; k < ns && street_k < 0; k++)
        if (seg_is_street(a, segs[k]))
            street_k = k;
    if (street_k < 0)
        street_k = 0;
    int f, t;
    if (seg_span(a, segs[street_k], &f, &t))
        street_span(a, f, t, out->street, sizeof out->street);
    if (street_k > 0 && seg_span(a, segs[0], &f, &t))
        street_span(a, f, t, out->house_name, sizeof out->house_name);
    if (ns - 1 > street_k && seg_span(a, segs[ns - 1], &f, &t))
        copy_span(a, f, t, out->town, sizeof out->town);
}

cpi_status cpi_norm_address(const char *raw, cpi_address *out, cpi_error *err)
{
    if (!raw || !out)
        return cpi_error_set(err, CPI_ERR_USAGE, "address: NULL argument");
    memset(out, 0, sizeof *out);
    fold_out f;
    cpi_status st = fold_address(raw, &f, err);
    if (st != CPI_OK)
        return st;
    addr_toks a;
    if ((st = tokenise(f.s, &a, err)) != CPI_OK)
        return st;
    take_postcode(&a, out);
    take_flat(&a, out);
    int segs[MAX_TOKS];
    int ns = live_segments(&a, segs);
    int tok = -1;
    int k = ns ? find_number(&a, segs, ns, &tok) : -1;
    if (k >= 0)
        parts_with_number(&a, segs, ns, k, tok, out);
    else if (ns)
        parts_without_number(&a, segs, ns, out);
    if (!out->street[0] && !out->house_name[0]) {
        memset(out, 0, sizeof *out);
        return cpi_error_set(err, CPI_ERR_DATA, "address '%.60s': no street or house name found", raw);
    }
    size_t kn = 0;
    const char *hn = out->number[0] ? out->number : out->house_name;
    cpi_norm__append(out->key, sizeof out->key, &kn, out->flat, strlen(out->flat));
    cpi_norm__append(out->key, sizeof out->key, &kn, "|", 1);
    cpi_norm__append(out->key, sizeof out->key, &kn, hn, strlen(hn));
    cpi_norm__append(out->key, sizeof out->key, &kn, "|", 1);
    cpi_norm__append(out->key, sizeof out->key, &kn, out->street, strlen(out->street));
    return CPI_OK;
}
