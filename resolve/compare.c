/*
 * compare.c - string similarities and comparison levels for record linkage
 * (see compare.h). Everything works on the stack with fixed bounds so the
 * resolver can call it millions of times without touching the allocator.
 */
#include "resolve/compare.h"

#include "core/normalise/normalise.h"

#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Length of s capped at CPI_CMP_KEY_MAX; NULL counts as "". */
static size_t key_len(const char *s)
{
    return s ? strnlen(s, CPI_CMP_KEY_MAX) : 0;
}

static bool is_absent(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* Equality where NULL and "" are the same absent value. */
static bool eq_or_both_absent(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* ------------------------------------------------------------ similarity */

double cpi_jaro(const char *a, const char *b)
{
    size_t la = key_len(a), lb = key_len(b);
    if (la == 0 && lb == 0)
        return 1.0;
    if (la == 0 || lb == 0)
        return 0.0;

    size_t longer = la > lb ? la : lb;
    size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    /* Clear only what is used: zeroing the full arrays cost more than the comparison itself. */
    bool a_hit[CPI_CMP_KEY_MAX], b_hit[CPI_CMP_KEY_MAX];
    memset(a_hit, 0, la);
    memset(b_hit, 0, lb);
    size_t matches = 0;

    for (size_t i = 0; i < la; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < lb ? i + window + 1 : lb;
        for (size_t j = lo; j < hi; j++) {
            if (!b_hit[j] && a[i] == b[j]) {
                a_hit[i] = b_hit[j] = true;
                matches++;
                break;
            }
        }
    }
    if (matches == 0)
        return 0.0;

    /* Matched characters taken in order from each side; a mismatch is half a transposition. */
    size_t out_of_order = 0;
    for (size_t i = 0, j = 0; i < la; i++) {
        if (!a_hit[i])
            continue;
        while (!b_hit[j])
            j++;
        if (a[i] != b[j])
            out_of_order++;
        j++;
    }
    double m = (double)matches, t = (double)(out_of_order / 2);
    return (m / (double)la + m / (double)lb + (m - t) / m) / 3.0;
}

double cpi_jaro_winkler(const char *a, const char *b)
{
    double jaro = cpi_jaro(a, b);
    size_t la = key_len(a), lb = key_len(b);
    size_t prefix = 0;
    while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
        prefix++;
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

int cpi_levenshtein(const char *a, const char *b, int max)
{
    if (max < 0)
        max = 0;
    size_t la = key_len(a), lb = key_len(b);
    size_t diff = la > lb ? la - lb : lb - la;
    if (diff > (size_t)max)
        return max + 1;

    /* One row over b; row[j] = distance between a[0..i) and b[0..j). */
    int row[CPI_CMP_KEY_MAX + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        int row_min = row[0];
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
            if (best < row_min)
                row_min = best;
        }
        /* Values along a row never fall below its minimum later on, so the bound is certain. */
        if (row_min > max)
            return max + 1;
    }
    return row[lb] > max ? max + 1 : row[lb];
}

/* ------------------------------------------------------------------ names */

/* The spelling and sound levels shared by forenames and surnames. */
static cpi_name_level spelling_level(const char *a, const char *b, const char *phon_a,
                                     const char *phon_b)
{
    double jw = cpi_jaro_winkler(a, b);
    if (jw >= CPI_CMP_NAME_JW_HIGH)
        return CPI_NAME_JW_HIGH;
    if (jw >= CPI_CMP_NAME_JW_MID)
        return CPI_NAME_JW_MID;
    if (!is_absent(phon_a) && !is_absent(phon_b) && strcmp(phon_a, phon_b) == 0)
        return CPI_NAME_PHONETIC;
    return CPI_NAME_ELSE;
}

cpi_name_level cpi_cmp_name(const char *a, const char *b, bool nickname_equiv, const char *phon_a,
                            const char *phon_b)
{
    if (is_absent(a) || is_absent(b))
        return CPI_NAME_NULL;
    if (strcmp(a, b) == 0)
        return CPI_NAME_EXACT;
    if (nickname_equiv)
        return CPI_NAME_NICKNAME;
    return spelling_level(a, b, phon_a, phon_b);
}

#define SURNAME_PARTS_MAX 4

typedef struct name_part {
    const char *p;
    size_t n;
} name_part;

/*
 * Split a surname key into its parts: on '-' or ' ' when present, else into
 * (key minus alt, alt) when the joined key ends with its alt. Parts past the
 * fourth are dropped (no real name has more). Returns the number of parts.
 */
static int surname_parts(const char *key, const char *alt, name_part *parts)
{
    int n = 0;
    if (strpbrk(key, "- ")) {
        const char *s = key;
        while (*s && n < SURNAME_PARTS_MAX) {
            size_t len = strcspn(s, "- ");
            if (len > 0)
                parts[n++] = (name_part){s, len};
            s += len;
            s += strspn(s, "- ");
        }
        return n;
    }
    size_t kl = strlen(key), al = alt ? strlen(alt) : 0;
    if (al > 0 && kl > al && strcmp(key + kl - al, alt) == 0) {
        parts[0] = (name_part){key, kl - al};
        parts[1] = (name_part){key + kl - al, al};
        return 2;
    }
    parts[0] = (name_part){key, kl};
    return 1;
}

/* Is every part in x also in y? */
static bool parts_subset(const name_part *x, int nx, const name_part *y, int ny)
{
    for (int i = 0; i < nx; i++) {
        bool found = false;
        for (int j = 0; j < ny && !found; j++)
            found = x[i].n == y[j].n && memcmp(x[i].p, y[j].p, x[i].n) == 0;
        if (!found)
            return false;
    }
    return true;
}

static bool surname_part_match(const char *a, const char *a_alt, const char *b, const char *b_alt)
{
    if ((!is_absent(a_alt) && strcmp(a_alt, b) == 0) ||
        (!is_absent(b_alt) && strcmp(b_alt, a) == 0))
        return true;
    name_part pa[SURNAME_PARTS_MAX], pb[SURNAME_PARTS_MAX];
    int na = surname_parts(a, a_alt, pa), nb = surname_parts(b, b_alt, pb);
    if (na == 0 || nb == 0 || (na == 1 && nb == 1))
        return false;
    return parts_subset(pa, na, pb, nb) || parts_subset(pb, nb, pa, na);
}

cpi_name_level cpi_cmp_surname(const char *a, const char *a_alt, const char *b, const char *b_alt,
                               const char *phon_a, const char *phon_b)
{
    if (is_absent(a) || is_absent(b))
        return CPI_NAME_NULL;
    if (strcmp(a, b) == 0)
        return CPI_NAME_EXACT;
    if (surname_part_match(a, a_alt, b, b_alt))
        return CPI_NAME_PART;
    return spelling_level(a, b, phon_a, phon_b);
}

/* ------------------------------------------------------------------ dates */

static bool dob_missing(int32_t lo, int32_t hi)
{
    return lo == CPI_CMP_DAY_NONE || hi == CPI_CMP_DAY_NONE || lo > hi;
}

/* Do the zero-padded decimal forms of x and y (width digits) differ in exactly one digit? */
static bool one_digit_apart(int x, int y, int width)
{
    int differing = 0;
    x = abs(x);
    y = abs(y);
    for (int i = 0; i < width; i++, x /= 10, y /= 10)
        differing += (x % 10) != (y % 10);
    return differing == 1 && x == y; /* digits beyond width must agree too */
}

/* Both dates exact and different: a swap, a one-part slip, or else. */
static cpi_dob_level exact_dates_level(int32_t a, int32_t b)
{
    int ya, ma, da, yb, mb, db;
    cpi_norm_ymd_from_days(a, &ya, &ma, &da);
    cpi_norm_ymd_from_days(b, &yb, &mb, &db);
    if (ya == yb && da == mb && ma == db && da <= 12 && ma <= 12)
        return CPI_DOB_SWAP;
    bool day_ok = da == db, month_ok = ma == mb, year_ok = ya == yb;
    if (day_ok + month_ok + year_ok != 2)
        return CPI_DOB_ELSE;
    if (!day_ok)
        return one_digit_apart(da, db, 2) ? CPI_DOB_ONE_PART : CPI_DOB_ELSE;
    if (!month_ok)
        return one_digit_apart(ma, mb, 2) ? CPI_DOB_ONE_PART : CPI_DOB_ELSE;
    return abs(ya - yb) == 1 || one_digit_apart(ya, yb, 4) ? CPI_DOB_ONE_PART : CPI_DOB_ELSE;
}

cpi_dob_level cpi_cmp_dob(int32_t a_lo, int32_t a_hi, int32_t b_lo, int32_t b_hi)
{
    if (dob_missing(a_lo, a_hi) || dob_missing(b_lo, b_hi))
        return CPI_DOB_NULL;
    if (a_lo == a_hi && b_lo == b_hi) {
        if (a_lo == b_lo)
            return CPI_DOB_EXACT;
        cpi_dob_level l = exact_dates_level(a_lo, b_lo);
        int32_t gap = a_lo > b_lo ? a_lo - b_lo : b_lo - a_lo;
        if (l != CPI_DOB_ELSE)
            return l;
        return gap <= CPI_CMP_DOB_YEAR_DAYS ? CPI_DOB_YEAR : gap <= CPI_CMP_DOB_DECADE_DAYS ? CPI_DOB_DECADE : l;
    }
    /* An exact date inside a range is the overlap of a one-day range with it. */
    if (a_lo <= b_hi && b_lo <= a_hi)
        return CPI_DOB_IN_RANGE;
    return CPI_DOB_ELSE;
}

/* -------------------------------------------------------------- postcodes */

cpi_postcode_level cpi_cmp_postcode(const char *a, const char *b)
{
    if (is_absent(a) || is_absent(b))
        return CPI_POSTCODE_NULL;
    size_t oa = strcspn(a, " "), ob = strcspn(b, " ");
    if (oa != ob || memcmp(a, b, oa) != 0)
        return CPI_POSTCODE_ELSE;
    const char *ia = a[oa] ? a + oa + 1 : a + oa;
    const char *ib = b[ob] ? b + ob + 1 : b + ob;
    if (strlen(ia) == 3 && strcmp(ia, ib) == 0)
        return CPI_POSTCODE_FULL;
    if (ia[0] && ia[0] == ib[0])
        return CPI_POSTCODE_SECTOR;
    return CPI_POSTCODE_DISTRICT;
}

/* ------------------------------------------------------------------ email */

cpi_email_level cpi_cmp_email(const char *a, const char *b)
{
    if (is_absent(a) || is_absent(b))
        return CPI_EMAIL_NULL;
    if (strcmp(a, b) == 0)
        return CPI_EMAIL_EXACT;
    const char *at_a = strchr(a, '@'), *at_b = strchr(b, '@');
    if (at_a && at_b && at_a - a == at_b - b && memcmp(a, b, (size_t)(at_a - a)) == 0) {
        /* initials ("f.s@") are shared by many people: the local part alone names someone only
         * when it holds at least CPI_CMP_EMAIL_LOCAL_MIN letters and digits */
        int alnum = 0;
        for (const char *c = a; c < at_a; c++)
            alnum += isalnum((unsigned char)*c) != 0;
        if (alnum >= CPI_CMP_EMAIL_LOCAL_MIN)
            return CPI_EMAIL_LOCAL;
    }
    return cpi_jaro_winkler(a, b) >= CPI_CMP_EMAIL_JW ? CPI_EMAIL_JW : CPI_EMAIL_ELSE;
}

/* -------------------------------------------------------------- addresses */

cpi_address_level cpi_cmp_address_parts(const cpi_cmp_address *a, const cpi_cmp_address *b)
{
    if (!a || !b || is_absent(a->street) || is_absent(b->street))
        return CPI_ADDRESS_NULL;
    bool postcode_same = !is_absent(a->postcode) && !is_absent(b->postcode) &&
                         strcmp(a->postcode, b->postcode) == 0;
    bool street_same = strcmp(a->street, b->street) == 0;
    bool number_same = eq_or_both_absent(a->number, b->number);
    bool numbered = !is_absent(a->number) && !is_absent(b->number);

    if (postcode_same && street_same && number_same && eq_or_both_absent(a->flat, b->flat))
        return CPI_ADDRESS_EXACT;
    if (postcode_same && street_same && number_same && numbered)
        return CPI_ADDRESS_SAME_BUILDING;
    if (number_same && numbered && cpi_jaro_winkler(a->street, b->street) >= CPI_CMP_STREET_JW)
        return CPI_ADDRESS_STREET_JW;
    return CPI_ADDRESS_ELSE;
}

/* ------------------------------------------------- identifiers and gender */

cpi_ident_level cpi_cmp_ident(const char *a, const char *b)
{
    if (is_absent(a) || is_absent(b))
        return CPI_IDENT_NULL;
    return strcmp(a, b) == 0 ? CPI_IDENT_SAME : CPI_IDENT_DIFFERENT;
}

static bool gender_missing(const char *g)
{
    return is_absent(g) || strcasecmp(g, "u") == 0 || strcasecmp(g, "unknown") == 0;
}

cpi_gender_level cpi_cmp_gender(const char *a, const char *b)
{
    if (gender_missing(a) || gender_missing(b))
        return CPI_GENDER_NULL;
    return strcasecmp(a, b) == 0 ? CPI_GENDER_SAME : CPI_GENDER_DIFFERENT;
}
