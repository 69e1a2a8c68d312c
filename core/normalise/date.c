/*
 * core/normalise/date.c - dates as day numbers, the date formats UK exports use,
 * and dates of birth given as dates, years or approximate ages.
 *
 * Day order is always day-month-year (or ISO year first): a UK force never
 * writes month first, so 05/04/2010 is 5 April and 13/25/2010 is an error,
 * not a guess. Two-digit years are resolved against a reference date because
 * "09" means 2009 for an incident but may mean 1909 for nobody alive - the
 * resolution rule differs for a birth date and an event date.
 */
#include "core/normalise/normalise.h"
#include "core/normalise/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CPI_DAY_UNKNOWN INT32_MIN /* = CPI_DAY_NONE in core/model.h */
#define YEAR_MIN 1800
#define YEAR_MAX 2199
#define AGE_MAX 110

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool cpi_norm_date_valid(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

/* Howard Hinnant's days_from_civil: exact for the whole proleptic Gregorian calendar. */
int32_t cpi_norm_days_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void cpi_norm_ymd_from_days(int32_t day, int *y, int *m, int *d)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int32_t cpi_norm_day_of_time(int64_t t)
{
    return (int32_t)(t >= 0 ? t / 86400 : -((86399 - t) / 86400)); /* rounded down */
}

void cpi_norm_date_iso(int32_t day, char out[CPI_NORM_ISO_DATE_MAX])
{
    int y, m, d;
    cpi_norm_ymd_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0; /* outside what ISO text without a sign can say */
    const int parts[] = {y / 1000, y / 100 % 10, y / 10 % 10, y % 10, -1, m / 10, m % 10, -1, d / 10, d % 10};
    for (int i = 0; i < 10; i++)
        out[i] = parts[i] < 0 ? '-' : (char)('0' + parts[i]);
    out[10] = '\0';
}

int32_t cpi_norm_add_years(int32_t day, int years)
{
    int y, m, d;
    cpi_norm_ymd_from_days(day, &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && !leap(y))
        d = 28;
    return cpi_norm_days_from_ymd(y, m, d);
}

/* ------------------------------------------------------------- lexing */

#define MAX_TOK 6

typedef struct tok {
    const char *s;
    int len;
    bool num;
    char sep_before; /* separator seen before this token ('\0' for the first) */
} tok;

/* The text with surrounding spaces and any trailing time ("10:15", "T10:15:00Z") removed. */
static void strip_time(const char **s, size_t *len)
{
    while (*len && cpi_norm__space((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    const char *colon = memchr(*s, ':', *len);
    if (colon) {
        const char *p = colon;
        while (p > *s && p[-1] != ' ' && p[-1] != 'T' && p[-1] != 't')
            p--;
        if (p > *s)
            *len = (size_t)(p - 1 - *s);
    }
    while (*len && cpi_norm__space((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static bool is_sep(char c) { return c == '/' || c == '-' || c == '.' || c == ' ' || c == ','; }

/* Split into digit runs and letter runs; false on any other character or too many tokens. */
static bool lex(const char *s, size_t len, tok *t, int *nt)
{
    *nt = 0;
    size_t i = 0;
    char sep = '\0';
    while (i < len) {
        char c = s[i];
        if (is_sep(c)) {
            /* "3 Mar, 2009", "05 / 04 / 2010": a slash, dash or dot outranks a comma, a comma a space */
            if (sep == '\0' || (sep == ' ' && c != ' ') || (sep == ',' && c != ' ' && c != ','))
                sep = c;
            i++;
            continue;
        }
        bool num = cpi_norm__digit((unsigned char)c);
        if (!num && !cpi_norm__alpha((unsigned char)c))
            return false;
        size_t j = i;
        while (j < len && (num ? cpi_norm__digit((unsigned char)s[j]) : cpi_norm__alpha((unsigned char)s[j])))
            j++;
        if (*nt == MAX_TOK)
            return false;
        t[*nt] = (tok){s + i, (int)(j - i), num, *nt ? sep : '\0'};
        if (*nt == 0 && sep != '\0')
            return false; /* leading punctuation */
        (*nt)++;
        sep = '\0';
        i = j;
    }
    return true;
}

static int tok_int(const tok *t)
{
    int v = 0;
    for (int i = 0; i < t->len; i++)
        v = v * 10 + (t->s[i] - '0');
    return v;
}

/* 1-12 for a month name or its first three letters ("sept" too), any case; 0 if none. */
static int month_of(const tok *t)
{
    static const char *const names[] = {"january", "february", "march",     "april",   "may",      "june",
                                        "july",    "august",   "september", "october", "november", "december"};
    if (t->num || t->len < 3 || t->len > 9)
        return 0;
    char w[10];
    for (int i = 0; i < t->len; i++)
        w[i] = (char)cpi_norm__lower((unsigned char)t->s[i]);
    w[t->len] = '\0';
    for (int m = 0; m < 12; m++) {
        if (!strcmp(w, names[m]) || (t->len == 3 && !strncmp(w, names[m], 3)))
            return m + 1;
    }
    return !strcmp(w, "sept") ? 9 : 0;
}

static bool is_ordinal(const tok *t)
{
    if (t->num || t->len != 2)
        return false;
    char a = (char)cpi_norm__lower((unsigned char)t->s[0]), b = (char)cpi_norm__lower((unsigned char)t->s[1]);
    return (a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') || (a == 't' && b == 'h');
}

/* -------------------------------------------------------------- parse */

typedef struct ymd {
    int y, m, d;
    bool two_digit_year;
} ymd;

/* Fill *v from the tokens, without range checks. False if no format fits. */
static bool match_format(tok *t, int nt, ymd *v)
{
    if (nt == 1 && t[0].num && t[0].len == 8) { /* yyyymmdd */
        int x = tok_int(&t[0]);
        *v = (ymd){x / 10000, x / 100 % 100, x % 100, false};
        return true;
    }
    if (nt == 4 && is_ordinal(&t[1])) { /* "3rd March 2009": drop the suffix */
        t[1] = t[2];
        t[2] = t[3];
        nt = 3;
    }
    if (nt != 3 || !t[0].num || !t[2].num || t[0].len > 4 || t[2].len > 4)
        return false;
    if (!t[1].num) { /* d MMM yyyy */
        int m = month_of(&t[1]);
        if (!m || t[0].len > 2 || (t[2].len != 2 && t[2].len != 4))
            return false;
        *v = (ymd){tok_int(&t[2]), m, tok_int(&t[0]), t[2].len == 2};
        return true;
    }
    if (t[1].len > 2 || t[1].sep_before != t[2].sep_before || t[1].sep_before == ',')
        return false;
    if (t[0].len == 4) { /* yyyy-mm-dd */
        if (t[2].len > 2)
            return false;
        *v = (ymd){tok_int(&t[0]), tok_int(&t[1]), tok_int(&t[2]), false};
        return true;
    }
    if (t[0].len > 2 || (t[2].len != 2 && t[2].len != 4)) /* dd/mm/yyyy, d/m/yy */
        return false;
    *v = (ymd){tok_int(&t[2]), tok_int(&t[1]), tok_int(&t[0]), t[2].len == 2};
    return true;
}

/* Two-digit year -> full year by kind (see core/normalise/normalise.h). m, d are already valid. */
static void resolve_century(ymd *v, int32_t ref_day, cpi_date_kind kind)
{
    int ry, rm, rd;
    cpi_norm_ymd_from_days(ref_day, &ry, &rm, &rd);
    int base = ry / 100 * 100;
    int best = base + v->y;
    if (kind == CPI_DATE_DOB) {
        if (!cpi_norm_date_valid(best, v->m, v->d) || cpi_norm_days_from_ymd(best, v->m, v->d) > ref_day)
            best -= 100;
    } else {
        int64_t best_dist = INT64_MAX;
        for (int c = base - 100; c <= base + 100; c += 100) {
            if (!cpi_norm_date_valid(c + v->y, v->m, v->d))
                continue;
            int64_t dist = llabs((int64_t)cpi_norm_days_from_ymd(c + v->y, v->m, v->d) - ref_day);
            if (dist < best_dist) {
                best_dist = dist;
                best = c + v->y;
            }
        }
    }
    v->y = best;
}

/* Range checks: month, then day for that month (29 Feb of a two-digit year is checked after the century). */
static cpi_status check_ymd(const ymd *v, const char *raw, cpi_error *err)
{
    if (v->m < 1 || v->m > 12)
        return cpi_error_set(err, CPI_ERR_DATA, "date '%.40s': month %d out of range", raw, v->m);
    int maxd = v->two_digit_year ? (v->m == 2 ? 29 : month_days(2001, v->m)) : month_days(v->y, v->m);
    if (v->d < 1 || v->d > maxd)
        return cpi_error_set(err, CPI_ERR_DATA, "date '%.40s': day %d out of range for month %d", raw, v->d, v->m);
    if (!v->two_digit_year && (v->y < YEAR_MIN || v->y > YEAR_MAX))
        return cpi_error_set(err, CPI_ERR_DATA, "date '%.40s': year %d outside %d-%d", raw, v->y, YEAR_MIN,
                             YEAR_MAX);
    return CPI_OK;
}

cpi_status cpi_norm_date(const char *raw, int32_t ref_day, cpi_date_kind kind, int32_t *day_out, cpi_error *err)
{
    if (!raw || !day_out)
        return cpi_error_set(err, CPI_ERR_USAGE, "date: NULL argument");
    *day_out = CPI_DAY_UNKNOWN;
    const char *s = raw;
    size_t len = strlen(raw);
    strip_time(&s, &len);
    tok t[MAX_TOK];
    int nt;
    ymd v;
    if (!len || !lex(s, len, t, &nt) || !match_format(t, nt, &v))
        return cpi_error_set(err, CPI_ERR_DATA, "date '%.40s': not a recognised day-month-year date", raw);
    cpi_status st = check_ymd(&v, raw, err);
    if (st != CPI_OK)
        return st;
    if (v.two_digit_year) {
        if (ref_day == CPI_DAY_UNKNOWN)
            return cpi_error_set(err, CPI_ERR_DATA, "date '%.40s': two-digit year with no reference date", raw);
        resolve_century(&v, ref_day, kind);
        if (!cpi_norm_date_valid(v.y, v.m, v.d))
            return cpi_error_set(err, CPI_ERR_DATA, "date '%.40s': day %d out of range for month %d of %d", raw,
                                 v.d, v.m, v.y);
    }
    int32_t day = cpi_norm_days_from_ymd(v.y, v.m, v.d);
    /* A written-out DOB after the record date is kept: a nominal may be created before the birth
     * (pre-birth safeguarding), and cpgen's Niche export has such rows. Only the absurd is refused. */
    if (kind == CPI_DATE_DOB && ref_day != CPI_DAY_UNKNOWN) {
        if (day <= cpi_norm_add_years(ref_day, -(AGE_MAX + 1)))
            return cpi_error_set(err, CPI_ERR_DATA, "date of birth '%.40s': over %d years before the record date",
                                 raw, AGE_MAX);
    }
    *day_out = day;
    return CPI_OK;
}

/* ---------------------------------------------------------------- DOB */

/* If s starts with word (followed by a non-letter or end), skip it and return true. */
static bool eat_word(const char **s, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(*s, word, n) != 0)
        return false;
    if (cpi_norm__alpha((unsigned char)(*s)[n]) && cpi_norm__alpha((unsigned char)word[n - 1]))
        return false;
    *s += n;
    while (cpi_norm__space((unsigned char)**s))
        (*s)++;
    return true;
}

/* Parse the lower-cased age text; *age = -1 if it is not an age. */
static void parse_age(const char *s, int *age, bool *approx)
{
    static const char *const uncertain[] = {"approximately", "approx.", "approx", "aprox", "about", "circa",
                                            "ca.", "c.", "c", "~", "est.", "est", NULL};
    static const char *const suffixes[] = {"years old", "year old", "yrs old", "yr old", "years", "year", "yrs",
                                           "yr", "y/o", "yo", "y", NULL};
    *age = -1;
    *approx = false;
    for (bool more = true; more;) {
        more = false;
        if (eat_word(&s, "aged") || eat_word(&s, "age")) {
            more = true;
            continue;
        }
        for (int i = 0; uncertain[i]; i++)
            if (eat_word(&s, uncertain[i])) {
                *approx = more = true;
                break;
            }
    }
    int n = 0, digits = 0;
    while (cpi_norm__digit((unsigned char)*s) && digits < 4) {
        n = n * 10 + (*s++ - '0');
        digits++;
    }
    if (!digits || digits > 3)
        return;
    while (cpi_norm__space((unsigned char)*s))
        s++;
    for (int i = 0; suffixes[i]; i++)
        if (eat_word(&s, suffixes[i]))
            break;
    if (eat_word(&s, "approx") || eat_word(&s, "approx."))
        *approx = true;
    while (*s == '?') {
        *approx = true;
        s++;
        while (cpi_norm__space((unsigned char)*s))
            s++;
    }
    if (*s == '\0')
        *age = n;
}

static cpi_status dob_from_age(int age, bool approx, int32_t record_day, const char *raw, cpi_dob *out,
                               cpi_error *err)
{
    if (age > AGE_MAX)
        return cpi_error_set(err, CPI_ERR_DATA, "age '%.40s': over %d", raw, AGE_MAX);
    if (record_day == CPI_DAY_UNKNOWN)
        return cpi_error_set(err, CPI_ERR_DATA, "age '%.40s': no record date to count from", raw);
    int widen = approx ? 1 : 0;
    out->exact = false;
    out->approx = approx;
    out->age = age;
    out->lo = cpi_norm_add_years(record_day, -(age + 1 + widen)) + 1;
    out->hi = age - widen > 0 ? cpi_norm_add_years(record_day, -(age - widen)) : record_day;
    return CPI_OK;
}

cpi_status cpi_norm_dob(const char *raw, int32_t record_day, cpi_dob *out, cpi_error *err)
{
    if (!raw || !out)
        return cpi_error_set(err, CPI_ERR_USAGE, "dob: NULL argument");
    *out = (cpi_dob){false, false, -1, CPI_DAY_UNKNOWN, CPI_DAY_UNKNOWN};
    char low[64];
    size_t len = strlen(raw);
    while (len && cpi_norm__space((unsigned char)raw[len - 1]))
        len--;
    while (len && cpi_norm__space((unsigned char)*raw)) {
        raw++;
        len--;
    }
    if (!len)
        return cpi_error_set(err, CPI_ERR_DATA, "date of birth: empty");
    if (len >= sizeof low)
        return cpi_error_set(err, CPI_ERR_DATA, "date of birth '%.40s...': too long", raw);
    for (size_t i = 0; i < len; i++)
        low[i] = (char)cpi_norm__lower((unsigned char)raw[i]);
    low[len] = '\0';
    if (len == 4 && cpi_norm__digit(low[0]) && strspn(low, "0123456789") == 4) { /* a year only */
        int y = atoi(low);
        if (y < YEAR_MIN || y > YEAR_MAX)
            return cpi_error_set(err, CPI_ERR_DATA, "date of birth '%s': year outside %d-%d", low, YEAR_MIN,
                                 YEAR_MAX);
        out->lo = cpi_norm_days_from_ymd(y, 1, 1);
        out->hi = cpi_norm_days_from_ymd(y, 12, 31);
        return CPI_OK;
    }
    int age;
    bool approx;
    parse_age(low, &age, &approx);
    if (age >= 0)
        return dob_from_age(age, approx, record_day, low, out, err);
    int32_t day;
    cpi_status st = cpi_norm_date(low, record_day, CPI_DATE_DOB, &day, err);
    if (st != CPI_OK)
        return st;
    out->exact = true;
    out->lo = out->hi = day;
    return CPI_OK;
}
