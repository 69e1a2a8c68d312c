/*
 * core/normalise/text.c - Unicode folding and the text keys built on it: name
 * keys, surname keys, full-name parsing, emails and usernames.
 *
 * Folding goes through utf8proc's decompose/normalise steps into a stack
 * codepoint buffer (what utf8proc_map does, minus its malloc), and pure-ASCII
 * values skip utf8proc altogether: most export values are ASCII, and the two
 * paths give the same key for the same text.
 */
#include "core/normalise/normalise.h"
#include "core/normalise/internal.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

bool cpi_norm__is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

cpi_status cpi_norm__fold_cp(const char *raw, size_t len, bool strip_marks, int32_t cp[CPI_NORM_FOLD_CP_MAX],
                             size_t *n, const char *what, cpi_error *err)
{
    int opts = UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD;
    if (strip_marks)
        opts |= UTF8PROC_STRIPMARK;
    *n = 0;
    utf8proc_ssize_t r = utf8proc_decompose((const utf8proc_uint8_t *)raw, (utf8proc_ssize_t)len, cp,
                                            CPI_NORM_FOLD_CP_MAX, (utf8proc_option_t)opts);
    if (r == UTF8PROC_ERROR_INVALIDUTF8)
        return cpi_error_set(err, CPI_ERR_DATA, "%s: invalid UTF-8", what);
    if (r < 0)
        return cpi_error_set(err, CPI_ERR_DATA, "%s: cannot normalise (%s)", what, utf8proc_errmsg(r));
    if (r > CPI_NORM_FOLD_CP_MAX)
        return cpi_error_set(err, CPI_ERR_DATA, "%s: longer than %d characters", what, CPI_NORM_FOLD_CP_MAX);
    r = utf8proc_normalize_utf32(cp, r, (utf8proc_option_t)opts);
    if (r < 0)
        return cpi_error_set(err, CPI_ERR_DATA, "%s: cannot normalise (%s)", what, utf8proc_errmsg(r));
    *n = (size_t)r;
    return CPI_OK;
}

/* Apostrophe-like characters vanish from names: O'Brien, O’Brien, Oʼ Brien. */
static bool is_apostrophe(int32_t c)
{
    return c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x02BC || c == 0x02BB;
}

static bool is_letter(int32_t c)
{
    if (c < 0x80)
        return cpi_norm__alpha((int)c);
    utf8proc_category_t cat = utf8proc_category(c);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

/* Key builder: letters appended, separators collapsed to one space, no trailing space. */
typedef struct keybuf {
    char *out;
    size_t cap, len;
    bool pending_space, overflow;
} keybuf;

static void kb_sep(keybuf *kb)
{
    if (kb->len)
        kb->pending_space = true;
}

static void kb_letter(keybuf *kb, int32_t c)
{
    utf8proc_uint8_t enc[4];
    size_t n = c < 0x80 ? 1 : (size_t)utf8proc_encode_char(c, enc);
    if (c < 0x80)
        enc[0] = (utf8proc_uint8_t)c;
    size_t need = n + (kb->pending_space ? 1 : 0);
    if (kb->len + need >= kb->cap) {
        kb->overflow = true;
        return;
    }
    if (kb->pending_space)
        kb->out[kb->len++] = ' ';
    kb->pending_space = false;
    memcpy(kb->out + kb->len, enc, n);
    kb->len += n;
}

static void kb_put(keybuf *kb, int32_t c)
{
    if (is_apostrophe(c))
        return;
    if (is_letter(c))
        kb_letter(kb, c < 0x80 ? cpi_norm__lower((int)c) : c);
    else
        kb_sep(kb);
}

cpi_status cpi_norm_name_key(const char *raw, size_t len, char *out, size_t cap, cpi_error *err)
{
    if (!raw || !out || cap == 0)
        return cpi_error_set(err, CPI_ERR_USAGE, "name key: no input or no output buffer");
    out[0] = '\0';
    keybuf kb = {out, cap, 0, false, false};
    if (cpi_norm__is_ascii(raw, len)) {
        for (size_t i = 0; i < len; i++)
            kb_put(&kb, (unsigned char)raw[i]);
    } else {
        int32_t cp[CPI_NORM_FOLD_CP_MAX];
        size_t n;
        cpi_status st = cpi_norm__fold_cp(raw, len, true, cp, &n, "name", err);
        if (st != CPI_OK)
            return st;
        for (size_t i = 0; i < n; i++)
            kb_put(&kb, cp[i]);
    }
    if (kb.overflow) {
        out[0] = '\0';
        return cpi_error_set(err, CPI_ERR_USAGE, "name key: longer than the %zu-byte buffer", cap - 1);
    }
    out[kb.len] = '\0';
    return CPI_OK;
}

/* "mac" + at least three letters at s becomes "mc" + the rest; true if changed. */
static bool fold_mac(char *s)
{
    if (strncmp(s, "mac", 3) != 0)
        return false;
    size_t rest = 0;
    while (s[3 + rest] >= 'a' && s[3 + rest] <= 'z')
        rest++;
    if (rest < 3)
        return false;
    memmove(s + 1, s + 2, strlen(s + 2) + 1);
    return true;
}

/*
 * Join the parts of a name key in place ("rees jones" -> "reesjones"),
 * folding Mac to Mc at the start of each part first. A lone "mac" part is
 * folded when a part follows it ("mac donald" -> "mc donald"), since joined
 * that is MacDonald.
 */
static void join_parts(char *key, bool mac)
{
    if (mac) {
        size_t starts[CPI_NORM_NAME_MAX * 2], ns = 0;
        for (size_t i = 0; key[i]; i++)
            if (i == 0 || key[i - 1] == ' ')
                starts[ns++] = i;
        for (size_t k = ns; k-- > 0;) {
            char *p = key + starts[k];
            if (!strncmp(p, "mac ", 4) && p[4] != '\0') {
                memmove(p + 1, p + 2, strlen(p + 2) + 1);
                continue;
            }
            fold_mac(p);
        }
    }
    char *w = key;
    for (char *r = key; *r; r++)
        if (*r != ' ')
            *w++ = *r;
    *w = '\0';
}

cpi_status cpi_norm_surname_key(const char *raw, size_t len, char *out, size_t cap, cpi_error *err)
{
    char tmp[CPI_NORM_NAME_MAX * 2];
    cpi_status st = cpi_norm_name_key(raw, len, tmp, sizeof tmp, err);
    if (st != CPI_OK) {
        if (out && cap)
            out[0] = '\0';
        return st;
    }
    join_parts(tmp, true);
    size_t n = strlen(tmp);
    if (n >= cap) {
        out[0] = '\0';
        return cpi_error_set(err, CPI_ERR_USAGE, "surname key: longer than the %zu-byte buffer", cap - 1);
    }
    memcpy(out, tmp, n + 1);
    return CPI_OK;
}

/* ------------------------------------------------------ full-name parsing */

#define MAX_WORDS 12

typedef struct word {
    const char *s;
    size_t len;
    bool caps;         /* two or more letters, none lower case */
    bool lower;        /* has a lower-case letter */
    char key[CPI_NORM_NAME_MAX]; /* name key of the word, parts joined, no Mac fold */
} word;

/* Case shape of one raw word, Unicode-aware. */
static void word_case(word *w)
{
    int letters = 0;
    bool lower = false;
    utf8proc_ssize_t i = 0;
    while ((size_t)i < w->len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)w->s + i, (utf8proc_ssize_t)w->len - i, &c);
        if (k <= 0)
            break; /* already validated by the caller's fold */
        i += k;
        utf8proc_category_t cat = utf8proc_category(c);
        if (cat == UTF8PROC_CATEGORY_LL)
            lower = true;
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
            letters++;
    }
    w->lower = lower;
    w->caps = letters >= 2 && !lower;
}

static bool in_list(const char *key, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(key, *list))
            return true;
    return false;
}

static const char *const TITLES[] = {"mr", "mrs", "ms", "miss", "master", "mx", "dr", NULL};
static const char *const PARTICLES[] = {"mc", "mac", "o", "ap", "ab", "de", "van", "von", "der", "le",
                                        "la", "du", "di", "da", "del", NULL};

/* Split raw into words at spaces and commas; *comma_at = index of the first word after a comma. */
static cpi_status split_words(const char *raw, word *w, int *nw, int *comma_at, cpi_error *err)
{
    *nw = 0;
    *comma_at = -1;
    const char *p = raw;
    while (*p) {
        if (*p == ',') {
            if (*comma_at < 0)
                *comma_at = *nw;
            p++;
            continue;
        }
        if (cpi_norm__space((unsigned char)*p)) {
            p++;
            continue;
        }
        const char *s = p;
        while (*p && *p != ',' && !cpi_norm__space((unsigned char)*p))
            p++;
        if (*nw == MAX_WORDS)
            return cpi_error_set(err, CPI_ERR_DATA, "name: more than %d words", MAX_WORDS);
        word *cur = &w[*nw];
        cur->s = s;
        cur->len = (size_t)(p - s);
        cpi_status st = cpi_norm_name_key(s, cur->len, cur->key, sizeof cur->key, err);
        if (st != CPI_OK)
            return st == CPI_ERR_USAGE ? cpi_error_set(err, CPI_ERR_DATA, "name: a word is too long") : st;
        join_parts(cur->key, false);
        if (!cur->key[0])
            continue; /* punctuation only: "&", "-" */
        word_case(cur);
        (*nw)++;
    }
    return CPI_OK;
}

/* Surname key from words [a, b), joined with spaces first so Mac/Mc and parts fold as one surname. */
static cpi_status surname_from_words(const word *w, int a, int b, char *out, cpi_error *err)
{
    char buf[CPI_NORM_NAME_MAX * 2];
    size_t len = 0;
    for (int i = a; i < b; i++) {
        if (len + w[i].len + 1 >= sizeof buf)
            return cpi_error_set(err, CPI_ERR_DATA, "name: surname too long");
        if (len)
            buf[len++] = ' ';
        memcpy(buf + len, w[i].s, w[i].len);
        len += w[i].len;
    }
    cpi_status st = cpi_norm_surname_key(buf, len, out, CPI_NORM_NAME_MAX, err);
    return st == CPI_ERR_USAGE ? cpi_error_set(err, CPI_ERR_DATA, "name: surname too long") : st;
}

/* surname_alt for a surname written as several parts: its last part. */
static cpi_status alt_last_part(const char *raw, size_t len, char *alt, cpi_error *err)
{
    char key[CPI_NORM_NAME_MAX * 2];
    cpi_status st = cpi_norm_name_key(raw, len, key, sizeof key, err);
    if (st != CPI_OK)
        return st == CPI_ERR_USAGE ? cpi_error_set(err, CPI_ERR_DATA, "name: surname too long") : st;
    char *last = strrchr(key, ' ');
    alt[0] = '\0';
    if (last && strcmp(key, "mac") && strncmp(key, "mac ", 4) && strncmp(key, "mc ", 3) && strncmp(key, "o ", 2)) {
        cpi_norm__copy(alt, CPI_NORM_NAME_MAX, last + 1);
        fold_mac(alt);
    }
    return CPI_OK;
}

static void add_forename(cpi_person_name *out, const char *key)
{
    if (out->n_forenames < CPI_NORM_FORENAMES_MAX)
        cpi_norm__copy(out->forenames[out->n_forenames++], CPI_NORM_NAME_MAX, key);
}

/* Which words [*sa, *sb) are the surname, by the rules in core/normalise/normalise.h; *guessed if by rule 4. */
static void pick_surname(const word *w, int first, int nw, int comma_at, int *sa, int *sb, bool *guessed)
{
    *guessed = false;
    if (comma_at > first) {
        *sa = first;
        *sb = comma_at;
        return;
    }
    int caps = 0, lower = 0, ca = -1, cb = -1;
    for (int i = first; i < nw; i++) {
        if (w[i].caps) {
            caps++;
            if (ca < 0)
                ca = i;
            cb = i + 1;
        } else if (w[i].lower) {
            lower++;
        }
    }
    if (caps && lower && caps == cb - ca) { /* one run of capitals */
        *sa = ca;
        *sb = cb;
        return;
    }
    if (nw - first == 1 && !w[first].caps) { /* one word, not in capitals: a forename only */
        *sa = *sb = nw;
        return;
    }
    *guessed = true;
    *sb = nw;
    *sa = nw - 1;
    while (*sa - 1 > first && in_list(w[*sa - 1].key, PARTICLES))
        (*sa)--;
}

cpi_status cpi_norm_person_name(const char *raw, cpi_person_name *out, cpi_error *err)
{
    if (!raw || !out)
        return cpi_error_set(err, CPI_ERR_USAGE, "person name: NULL argument");
    memset(out, 0, sizeof *out);
    word w[MAX_WORDS];
    int nw, comma_at;
    cpi_status st = split_words(raw, w, &nw, &comma_at, err);
    if (st != CPI_OK)
        return st;
    int first = 0;
    if (nw > 1 && in_list(w[0].key, TITLES) && comma_at != 1)
        first = 1;
    if (nw - first <= 0)
        return cpi_error_set(err, CPI_ERR_DATA, "name '%.60s': no letters", raw);
    int sa, sb;
    bool guessed;
    pick_surname(w, first, nw, comma_at, &sa, &sb, &guessed);
    if (sa < sb) {
        if ((st = surname_from_words(w, sa, sb, out->surname, err)) != CPI_OK)
            return st;
        if (sb - sa == 1) {
            if ((st = alt_last_part(w[sa].s, w[sa].len, out->surname_alt, err)) != CPI_OK)
                return st;
        } else if (!in_list(w[sa].key, PARTICLES)) {
            cpi_norm__copy(out->surname_alt, CPI_NORM_NAME_MAX, w[sb - 1].key);
            fold_mac(out->surname_alt);
        }
        if (guessed && !out->surname_alt[0] && sb - sa == 1 && sa - first >= 2)
            if ((st = surname_from_words(w, sa - 1, sb, out->surname_alt, err)) != CPI_OK)
                return st;
    }
    for (int i = first; i < nw; i++)
        if (i < sa || i >= sb)
            add_forename(out, w[i].key);
    return CPI_OK;
}

cpi_status cpi_norm_person_parts(const char *forenames, const char *surname, cpi_person_name *out,
                                 cpi_error *err)
{
    if (!out)
        return cpi_error_set(err, CPI_ERR_USAGE, "person name: NULL argument");
    memset(out, 0, sizeof *out);
    cpi_status st;
    if (surname && *surname) {
        size_t len = strlen(surname);
        if ((st = cpi_norm_surname_key(surname, len, out->surname, CPI_NORM_NAME_MAX, err)) != CPI_OK)
            return st == CPI_ERR_USAGE ? cpi_error_set(err, CPI_ERR_DATA, "surname: too long") : st;
        if ((st = alt_last_part(surname, len, out->surname_alt, err)) != CPI_OK)
            return st;
    }
    if (forenames && *forenames) {
        word w[MAX_WORDS];
        int nw, comma_at;
        if ((st = split_words(forenames, w, &nw, &comma_at, err)) != CPI_OK)
            return st;
        for (int i = 0; i < nw; i++)
            add_forename(out, w[i].key);
    }
    if (!out->surname[0] && !out->n_forenames)
        return cpi_error_set(err, CPI_ERR_DATA, "name: no letters in forenames or surname");
    return CPI_OK;
}

/* ------------------------------------------------------ emails, usernames */

/* Trim, fold without stripping marks, write UTF-8 to out. Rejects spaces/controls inside. */
static cpi_status fold_ident(const char *raw, char *out, size_t cap, const char *what, cpi_error *err)
{
    if (!raw || !out || cap == 0)
        return cpi_error_set(err, CPI_ERR_USAGE, "%s: no input or no output buffer", what);
    out[0] = '\0';
    size_t len = strlen(raw);
    while (len && cpi_norm__space((unsigned char)raw[len - 1]))
        len--;
    while (len && cpi_norm__space((unsigned char)*raw)) {
        raw++;
        len--;
    }
    int32_t cp[CPI_NORM_FOLD_CP_MAX];
    size_t n;
    cpi_status st = cpi_norm__fold_cp(raw, len, false, cp, &n, what, err);
    if (st != CPI_OK)
        return st;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        utf8proc_category_t cat = utf8proc_category(cp[i]);
        if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_ZL ||
            cat == UTF8PROC_CATEGORY_ZP) {
            out[0] = '\0';
            return cpi_error_set(err, CPI_ERR_DATA, "%s '%.80s': contains a space or control character", what, raw);
        }
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_encode_char(cp[i], enc);
        if (o + (size_t)k >= cap) {
            out[0] = '\0';
            return cpi_error_set(err, CPI_ERR_DATA, "%s '%.80s': longer than %zu bytes", what, raw, cap - 1);
        }
        memcpy(out + o, enc, (size_t)k);
        o += (size_t)k;
    }
    out[o] = '\0';
    return CPI_OK;
}

static bool domain_ok(const char *d)
{
    if (!*d || !strchr(d, '.'))
        return false;
    size_t label = 0;
    for (const char *p = d; *p; p++) {
        if (*p == '.') {
            if (!label)
                return false;
            label = 0;
        } else {
            label++;
        }
    }
    return label > 0;
}

cpi_status cpi_norm_email(const char *raw, char *out, size_t cap, cpi_error *err)
{
    if (raw) {
        while (cpi_norm__space((unsigned char)*raw))
            raw++;
        if (!strncmp(raw, "mailto:", 7) || !strncmp(raw, "MAILTO:", 7))
            raw += 7;
    }
    cpi_status st = fold_ident(raw, out, cap, "email", err);
    if (st != CPI_OK)
        return st;
    const char *at = strchr(out, '@');
    const char *why = NULL;
    if (!at)
        why = "no @";
    else if (strchr(at + 1, '@'))
        why = "more than one @";
    else if (at == out || at - out > 64)
        why = "local part empty or over 64 bytes";
    else if (!domain_ok(at + 1))
        why = "domain is not dot-separated labels";
    else if (strlen(out) > 254)
        why = "longer than 254 bytes";
    if (why) {
        out[0] = '\0';
        return cpi_error_set(err, CPI_ERR_DATA, "email '%.80s': %s", raw, why);
    }
    return CPI_OK;
}

cpi_status cpi_norm_username(const char *raw, char *out, size_t cap, cpi_error *err)
{
    if (raw) {
        while (cpi_norm__space((unsigned char)*raw))
            raw++;
        if (*raw == '@')
            raw++;
    }
    cpi_status st = fold_ident(raw, out, cap, "username", err);
    if (st == CPI_OK && !out[0])
        return cpi_error_set(err, CPI_ERR_DATA, "username: empty");
    return st;
}
