/*
 * phonetic.c - Double Metaphone (Lawrence Philips, "The Double Metaphone
 * Search Algorithm", C/C++ Users Journal, June 2000), for blocking: names
 * that sound alike share a code, and the alternate code catches a second
 * plausible pronunciation (Smith SM0/XMT meets Schmidt XMT/SMT).
 *
 * Written from the published algorithm, rule by rule in its order; the
 * comments name the example words the rules were made for. Codes are cut at
 * four letters, as in the original. Letters outside A-Z never reach here in
 * practice: name keys are folded (marks stripped, so Ç and Ñ arrive as C, N).
 */
#include "core/normalise/normalise.h"

#include <stdarg.h>
#include <string.h>

#define DM_LEN 4
#define DM_IN_MAX 64

typedef struct dm {
    char s[DM_IN_MAX + 8]; /* upper-case word, NUL padding after it */
    int len, last;
    char pri[DM_LEN * 2 + 4], alt[DM_LEN * 2 + 4];
    int np, na;
    bool slavo;
} dm;

static char at(const dm *d, int i) { return (i < 0 || i >= d->len) ? '\0' : d->s[i]; }

static bool vowel(const dm *d, int i)
{
    char c = at(d, i);
    return c && strchr("AEIOUY", c) != NULL;
}

/* True if the n letters at start equal one of the NULL-terminated candidates. */
static bool string_at(const dm *d, int start, int n, ...)
{
    if (start < 0 || start + n > d->len + 1)
        return false;
    va_list ap;
    va_start(ap, n);
    bool hit = false;
    for (const char *c; !hit && (c = va_arg(ap, const char *)) != NULL;)
        hit = strncmp(d->s + start, c, (size_t)n) == 0 && start + n <= d->len;
    va_end(ap);
    return hit;
}

static void append(char *buf, int *n, const char *s)
{
    for (; *s && *n < DM_LEN * 2; s++)
        buf[(*n)++] = *s;
    buf[*n] = '\0';
}

/* Add main to the primary code and alt (or main when alt is NULL) to the alternate. */
static void add2(dm *d, const char *main, const char *alt)
{
    append(d->pri, &d->np, main);
    append(d->alt, &d->na, alt ? alt : main);
}

static void add(dm *d, const char *main) { add2(d, main, NULL); }

static int step_c(dm *d, int cur)
{
    /* various Germanic: "bacher", "macher" */
    if (cur > 1 && !vowel(d, cur - 2) && string_at(d, cur - 1, 3, "ACH", NULL) && at(d, cur + 2) != 'I' &&
        (at(d, cur + 2) != 'E' || string_at(d, cur - 2, 6, "BACHER", "MACHER", NULL))) {
        add(d, "K");
        return 2;
    }
    if (cur == 0 && string_at(d, cur, 6, "CAESAR", NULL)) {
        add(d, "S");
        return 2;
    }
    if (string_at(d, cur, 4, "CHIA", NULL)) { /* Italian "chianti" */
        add(d, "K");
        return 2;
    }
    if (string_at(d, cur, 2, "CH", NULL)) {
        if (cur > 0 && string_at(d, cur, 4, "CHAE", NULL)) { /* "michael" */
            add2(d, "K", "X");
            return 2;
        }
        /* Greek roots: "chemistry", "chorus" */
        if (cur == 0 &&
            (string_at(d, cur + 1, 5, "HARAC", "HARIS", NULL) ||
             string_at(d, cur + 1, 3, "HOR", "HYM", "HIA", "HEM", NULL)) &&
            !string_at(d, 0, 5, "CHORE", NULL)) {
            add(d, "K");
            return 2;
        }
        /* Germanic, Greek or otherwise "ch" for "kh": "architect", "wachtler", not "tichner" */
        if (string_at(d, 0, 4, "VAN ", "VON ", NULL) || string_at(d, 0, 3, "SCH", NULL) ||
            string_at(d, cur - 2, 6, "ORCHES", "ARCHIT", "ORCHID", NULL) ||
            string_at(d, cur + 2, 1, "T", "S", NULL) ||
            ((string_at(d, cur - 1, 1, "A", "O", "U", "E", NULL) || cur == 0) &&
             (string_at(d, cur + 2, 1, "L", "R", "N", "M", "B", "H", "F", "V", "W", " ", NULL) ||
              cur + 2 >= d->len))) {
            add(d, "K");
        } else if (cur > 0) {
            if (string_at(d, 0, 2, "MC", NULL)) /* "McHugh" */
                add(d, "K");
            else
                add2(d, "X", "K");
        } else {
            add(d, "X");
        }
        return 2;
    }
    if (string_at(d, cur, 2, "CZ", NULL) && !string_at(d, cur - 2, 4, "WICZ", NULL)) { /* "czerny" */
        add2(d, "S", "X");
        return 2;
    }
    if (string_at(d, cur + 1, 3, "CIA", NULL)) { /* "focaccia" */
        add(d, "X");
        return 3;
    }
    if (string_at(d, cur, 2, "CC", NULL) && !(cur == 1 && at(d, 0) == 'M')) { /* not "McClellan" */
        if (string_at(d, cur + 2, 1, "I", "E", "H", NULL) && !string_at(d, cur + 2, 2, "HU", NULL)) {
            /* "accident", "accede", "succeed" vs "bacci", "bertucci"; "bellocchio" but not "bacchus" */
            if ((cur == 1 && at(d, cur - 1) == 'A') || string_at(d, cur - 1, 5, "UCCEE", "UCCES", NULL))
                add(d, "KS");
            else
                add(d, "X");
            return 3;
        }
        add(d, "K"); /* Pierce's rule */
        return 2;
    }
    if (string_at(d, cur, 2, "CK", "CG", "CQ", NULL)) {
        add(d, "K");
        return 2;
    }
    if (string_at(d, cur, 2, "CI", "CE", "CY", NULL)) { /* Italian vs English */
        if (string_at(d, cur, 3, "CIO", "CIE", "CIA", NULL))
            add2(d, "S", "X");
        else
            add(d, "S");
        return 2;
    }
    add(d, "K");
    if (string_at(d, cur + 1, 2, " C", " Q", " G", NULL)) /* "mac caffrey", "mac gregor" */
        return 3;
    if (string_at(d, cur + 1, 1, "C", "K", "Q", NULL) && !string_at(d, cur + 1, 2, "CE", "CI", NULL))
        return 2;
    return 1;
}

static int step_d(dm *d, int cur)
{
    if (string_at(d, cur, 2, "DG", NULL)) {
        if (string_at(d, cur + 2, 1, "I", "E", "Y", NULL)) { /* "edge" */
            add(d, "J");
            return 3;
        }
        add(d, "TK"); /* "edgar" */
        return 2;
    }
    add(d, "T");
    return string_at(d, cur, 2, "DT", "DD", NULL) ? 2 : 1;
}

static int step_gh(dm *d, int cur)
{
    if (cur > 0 && !vowel(d, cur - 1)) {
        add(d, "K");
        return 2;
    }
    if (cur == 0) { /* "ghislane", "ghiradelli" */
        add(d, at(d, cur + 2) == 'I' ? "J" : "K");
        return 2;
    }
    /* Parker's rule: "hugh", "bough", "broughton" */
    if ((cur > 1 && string_at(d, cur - 2, 1, "B", "H", "D", NULL)) ||
        (cur > 2 && string_at(d, cur - 3, 1, "B", "H", "D", NULL)) ||
        (cur > 3 && string_at(d, cur - 4, 1, "B", "H", NULL)))
        return 2;
    /* "laugh", "McLaughlin", "cough", "gough", "rough", "tough" */
    if (cur > 2 && at(d, cur - 1) == 'U' && string_at(d, cur - 3, 1, "C", "G", "L", "R", "T", NULL))
        add(d, "F");
    else if (cur > 0 && at(d, cur - 1) != 'I')
        add(d, "K");
    return 2;
}

static int step_g(dm *d, int cur)
{
    if (at(d, cur + 1) == 'H')
        return step_gh(d, cur);
    if (at(d, cur + 1) == 'N') {
        if (cur == 1 && vowel(d, 0) && !d->slavo)
            add2(d, "KN", "N");
        else if (!string_at(d, cur + 2, 2, "EY", NULL) && at(d, cur + 1) != 'Y' && !d->slavo) /* not "cagney" */
            add2(d, "N", "KN");
        else
            add(d, "KN");
        return 2;
    }
    if (string_at(d, cur + 1, 2, "LI", NULL) && !d->slavo) { /* "tagliaro" */
        add2(d, "KL", "L");
        return 2;
    }
    /* -ges-, -gep-, -gel-, -gie- at the beginning */
    if (cur == 0 && (at(d, cur + 1) == 'Y' || string_at(d, cur + 1, 2, "ES", "EP", "EB", "EL", "EY", "IB", "IL",
                                                         "IN", "IE", "EI", "ER", NULL))) {
        add2(d, "K", "J");
        return 2;
    }
    /* -ger-, -gy- */
    if ((string_at(d, cur + 1, 2, "ER", NULL) || at(d, cur + 1) == 'Y') &&
        !string_at(d, 0, 6, "DANGER", "RANGER", "MANGER", NULL) && !string_at(d, cur - 1, 1, "E", "I", NULL) &&
        !string_at(d, cur - 1, 3, "RGY", "OGY", NULL)) {
        add2(d, "K", "J");
        return 2;
    }
    /* Italian "biaggi" */
    if (string_at(d, cur + 1, 1, "E", "I", "Y", NULL) || string_at(d, cur - 1, 4, "AGGI", "OGGI", NULL)) {
        if (string_at(d, 0, 4, "VAN ", "VON ", NULL) || string_at(d, 0, 3, "SCH", NULL) ||
            string_at(d, cur + 1, 2, "ET", NULL))
            add(d, "K"); /* obviously Germanic */
        else if (string_at(d, cur + 1, 3, "IER", NULL) && (cur + 4 >= d->len || at(d, cur + 4) == ' '))
            add(d, "J"); /* always soft with a French ending */
        else
            add2(d, "J", "K");
        return 2;
    }
    add(d, "K");
    return at(d, cur + 1) == 'G' ? 2 : 1;
}

static int step_j(dm *d, int cur)
{
    if (string_at(d, cur, 4, "JOSE", NULL) || string_at(d, 0, 4, "SAN ", NULL)) { /* "jose", "san jacinto" */
        if ((cur == 0 && (at(d, cur + 4) == ' ' || cur + 4 >= d->len)) || string_at(d, 0, 4, "SAN ", NULL))
            add(d, "H");
        else
            add2(d, "J", "H");
        return 1;
    }
    if (cur == 0) {
        add2(d, "J", "A"); /* Yankelovich / Jankelowicz */
    } else if (vowel(d, cur - 1) && !d->slavo && (at(d, cur + 1) == 'A' || at(d, cur + 1) == 'O')) {
        add2(d, "J", "H"); /* Spanish "bajador" */
    } else if (cur == d->last) {
        add2(d, "J", "");
    } else if (!string_at(d, cur + 1, 1, "L", "T", "K", "S", "N", "M", "B", "Z", NULL) &&
               !string_at(d, cur - 1, 1, "S", "K", "L", NULL)) {
        add(d, "J");
    }
    return at(d, cur + 1) == 'J' ? 2 : 1;
}

static int step_l(dm *d, int cur)
{
    if (at(d, cur + 1) != 'L') {
        add(d, "L");
        return 1;
    }
    /* Spanish "cabrillo", "gallegos" */
    if ((cur == d->len - 3 && string_at(d, cur - 1, 4, "ILLO", "ILLA", "ALLE", NULL)) ||
        ((string_at(d, d->last - 1, 2, "AS", "OS", NULL) || string_at(d, d->last, 1, "A", "O", NULL)) &&
         string_at(d, cur - 1, 4, "ALLE", NULL))) {
        add2(d, "L", "");
        return 2;
    }
    add(d, "L");
    return 2;
}

static int step_s(dm *d, int cur)
{
    if (string_at(d, cur - 1, 3, "ISL", "YSL", NULL)) /* "island", "isle", "carlisle" */
        return 1;
    if (cur == 0 && string_at(d, cur, 5, "SUGAR", NULL)) {
        add2(d, "X", "S");
        return 1;
    }
    if (string_at(d, cur, 2, "SH", NULL)) {
        add(d, string_at(d, cur + 1, 4, "HEIM", "HOEK", "HOLM", "HOLZ", NULL) ? "S" : "X"); /* Germanic */
        return 2;
    }
    if (string_at(d, cur, 3, "SIO", "SIA", NULL) || string_at(d, cur, 4, "SIAN", NULL)) { /* Italian, Armenian */
        if (!d->slavo)
            add2(d, "S", "X");
        else
            add(d, "S");
        return 3;
    }
    /* German and anglicisations: "smith" meets "schmidt", "snider" meets "schneider"; Slavic -sz- */
    if ((cur == 0 && string_at(d, cur + 1, 1, "M", "N", "L", "W", NULL)) || string_at(d, cur + 1, 1, "Z", NULL)) {
        add2(d, "S", "X");
        return string_at(d, cur + 1, 1, "Z", NULL) ? 2 : 1;
    }
    if (string_at(d, cur, 2, "SC", NULL)) {
        if (at(d, cur + 2) == 'H') { /* Schlesinger's rule */
            if (string_at(d, cur + 3, 2, "OO", "ER", "EN", "UY", "ED", "EM", NULL)) { /* Dutch "school" */
                if (string_at(d, cur + 3, 2, "ER", "EN", NULL))
                    add2(d, "X", "SK"); /* "schermerhorn", "schenker" */
                else
                    add(d, "SK");
                return 3;
            }
            if (cur == 0 && !vowel(d, 3) && at(d, 3) != 'W')
                add2(d, "X", "S");
            else
                add(d, "X");
            return 3;
        }
        add(d, string_at(d, cur + 2, 1, "I", "E", "Y", NULL) ? "S" : "SK");
        return 3;
    }
    if (cur == d->last && string_at(d, cur - 2, 2, "AI", "OI", NULL)) /* French "resnais", "artois" */
        add2(d, "", "S");
    else
        add(d, "S");
    return string_at(d, cur + 1, 1, "S", "Z", NULL) ? 2 : 1;
}

static int step_t(dm *d, int cur)
{
    if (string_at(d, cur, 4, "TION", NULL) || string_at(d, cur, 3, "TIA", "TCH", NULL)) {
        add(d, "X");
        return 3;
    }
    if (string_at(d, cur, 2, "TH", NULL) || string_at(d, cur, 3, "TTH", NULL)) {
        /* "thomas", "thames", or Germanic */
        if (string_at(d, cur + 2, 2, "OM", "AM", NULL) || string_at(d, 0, 4, "VAN ", "VON ", NULL) ||
            string_at(d, 0, 3, "SCH", NULL))
            add(d, "T");
        else
            add2(d, "0", "T");
        return 2;
    }
    add(d, "T");
    return string_at(d, cur + 1, 1, "T", "D", NULL) ? 2 : 1;
}

static int step_w(dm *d, int cur)
{
    if (string_at(d, cur, 2, "WR", NULL)) {
        add(d, "R");
        return 2;
    }
    if (cur == 0 && (vowel(d, cur + 1) || string_at(d, cur, 2, "WH", NULL))) {
        if (vowel(d, cur + 1))
            add2(d, "A", "F"); /* Wasserman meets Vasserman */
        else
            add(d, "A"); /* Uomo meets Womo */
    }
    /* Arnow meets Arnoff */
    if ((cur == d->last && vowel(d, cur - 1)) ||
        string_at(d, cur - 1, 5, "EWSKI", "EWSKY", "OWSKI", "OWSKY", NULL) || string_at(d, 0, 3, "SCH", NULL)) {
        add2(d, "", "F");
        return 1;
    }
    if (string_at(d, cur, 4, "WICZ", "WITZ", NULL)) { /* Polish "filipowicz" */
        add2(d, "TS", "FX");
        return 4;
    }
    return 1;
}

static int step_x(dm *d, int cur)
{
    /* French "breaux" */
    if (!(cur == d->last &&
          (string_at(d, cur - 3, 3, "IAU", "EAU", NULL) || string_at(d, cur - 2, 2, "AU", "OU", NULL))))
        add(d, "KS");
    return string_at(d, cur + 1, 1, "C", "X", NULL) ? 2 : 1;
}

static int step_z(dm *d, int cur)
{
    if (at(d, cur + 1) == 'H') { /* Chinese pinyin "zhao" */
        add(d, "J");
        return 2;
    }
    if (string_at(d, cur + 1, 2, "ZO", "ZI", "ZA", NULL) || (d->slavo && cur > 0 && at(d, cur - 1) != 'T'))
        add2(d, "S", "TS");
    else
        add(d, "S");
    return at(d, cur + 1) == 'Z' ? 2 : 1;
}

/* A consonant written once or doubled, always the same code. */
static int step_plain(dm *d, int cur, const char *code)
{
    add(d, code);
    return at(d, cur + 1) == d->s[cur] ? 2 : 1;
}

static int step(dm *d, int cur)
{
    char c = d->s[cur];
    switch (c) {
    case 'A': case 'E': case 'I': case 'O': case 'U': case 'Y':
        if (cur == 0)
            add(d, "A"); /* every initial vowel maps to A */
        return 1;
    case 'B': return step_plain(d, cur, "P");
    case 'C': return step_c(d, cur);
    case 'D': return step_d(d, cur);
    case 'F': return step_plain(d, cur, "F");
    case 'G': return step_g(d, cur);
    case 'H': /* kept only first or between vowels, and before a vowel */
        if ((cur == 0 || vowel(d, cur - 1)) && vowel(d, cur + 1)) {
            add(d, "H");
            return 2;
        }
        return 1;
    case 'J': return step_j(d, cur);
    case 'K': return step_plain(d, cur, "K");
    case 'L': return step_l(d, cur);
    case 'M': /* "dumb", "thumb" */
        add(d, "M");
        if ((string_at(d, cur - 1, 3, "UMB", NULL) &&
             (cur + 1 == d->last || string_at(d, cur + 2, 2, "ER", NULL))) ||
            at(d, cur + 1) == 'M')
            return 2;
        return 1;
    case 'N': return step_plain(d, cur, "N");
    case 'P':
        if (at(d, cur + 1) == 'H') {
            add(d, "F");
            return 2;
        }
        add(d, "P"); /* "campbell", "raspberry" */
        return string_at(d, cur + 1, 1, "P", "B", NULL) ? 2 : 1;
    case 'Q': return step_plain(d, cur, "K");
    case 'R': /* French "rogier", but not "hochmeier" */
        if (cur == d->last && !d->slavo && string_at(d, cur - 2, 2, "IE", NULL) &&
            !string_at(d, cur - 4, 2, "ME", "MA", NULL))
            add2(d, "", "R");
        else
            add(d, "R");
        return at(d, cur + 1) == 'R' ? 2 : 1;
    case 'S': return step_s(d, cur);
    case 'T': return step_t(d, cur);
    case 'V': return step_plain(d, cur, "F");
    case 'W': return step_w(d, cur);
    case 'X': return step_x(d, cur);
    case 'Z': return step_z(d, cur);
    default: return 1;
    }
}

/* Upper-case letters and single spaces of key (the original algorithm reads spaces: "VAN ", "SAN "). */
static void load(dm *d, const char *key)
{
    memset(d, 0, sizeof *d);
    for (const char *p = key; *p && d->len < DM_IN_MAX; p++) {
        char c = *p;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c >= 'A' && c <= 'Z')
            d->s[d->len++] = c;
        else if (c == ' ' && d->len && d->s[d->len - 1] != ' ')
            d->s[d->len++] = ' ';
    }
    while (d->len && d->s[d->len - 1] == ' ')
        d->s[--d->len] = '\0';
    d->last = d->len - 1;
    d->slavo = strchr(d->s, 'W') || strchr(d->s, 'K') || strstr(d->s, "CZ") || strstr(d->s, "WITZ");
}

void cpi_norm_dmetaphone(const char *key, char primary[CPI_NORM_DMETA_MAX], char alternate[CPI_NORM_DMETA_MAX])
{
    dm d;
    load(&d, key ? key : "");
    int cur = 0;
    if (string_at(&d, 0, 2, "GN", "KN", "PN", "WR", "PS", NULL)) /* silent first letter */
        cur = 1;
    if (at(&d, 0) == 'X') { /* "Xavier" */
        add(&d, "S");
        cur = 1;
    }
    while ((d.np < DM_LEN || d.na < DM_LEN) && cur < d.len)
        cur += step(&d, cur);
    d.pri[d.np < DM_LEN ? d.np : DM_LEN] = '\0';
    d.alt[d.na < DM_LEN ? d.na : DM_LEN] = '\0';
    memcpy(primary, d.pri, strlen(d.pri) + 1);
    memcpy(alternate, d.alt, strlen(d.alt) + 1);
}
