/*
 * mess.c - how values come to be written wrongly: the recording errors of
 * --messiness 1 (realistic) and 2 (hostile).
 *
 * Each helper takes the true value and returns what a busy officer, a partner
 * agency or a form typed: typos, nicknames, Welsh names without their
 * diacritics, forename and surname swapped, a stepfather's surname, dates with
 * day and month swapped or the year off by one, approximate ages, St for
 * Street, flats written several ways, postcodes without a space or in lower
 * case, phones in several formats. At messiness 0 every helper returns the
 * clean value, so a test can check clean output against truth_entities.csv.
 */
#include "tools/cpgen/gen.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Chance of an error of some kind, scaled by messiness. */
static bool err(gen_ctx *g, rng *r, double base)
{
    if (g->mess == 0)
        return false;
    return rng_chance(r, g->mess == 1 ? base : base * 3.0);
}

void str_upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 32);
}

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* One keyboard slip on ASCII letters only, so UTF-8 sequences stay whole. */
static void typo(rng *r, char *s, size_t cap)
{
    size_t n = strlen(s);
    size_t pos[64], np = 0;
    for (size_t i = 1; i < n && np < 64; i++) /* keep the initial: people rarely get it wrong */
        if (is_alpha(s[i]))
            pos[np++] = i;
    if (!np)
        return;
    size_t i = pos[rng_below(r, (uint32_t)np)];
    char c = (char)('a' + rng_below(r, 26));
    switch (rng_below(r, 4)) {
    case 0: /* insert */
        if (n + 2 < cap) {
            memmove(s + i + 1, s + i, n - i + 1);
            s[i] = c;
        }
        break;
    case 1: /* delete */
        if (n > 2)
            memmove(s + i, s + i + 1, n - i);
        break;
    case 2: /* substitute */
        if (s[i] == c)
            c = c == 'z' ? 'a' : (char)(c + 1);
        s[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(c - 32) : c;
        break;
    default: /* transpose with the next letter */
        if (i + 1 < n && is_alpha(s[i + 1]) && s[i] != s[i + 1]) {
            char t = s[i];
            s[i] = s[i + 1];
            s[i + 1] = t;
        } else if (s[i] != c) {
            s[i] = c;
        }
    }
}

static bool has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

/* Siân -> Sian: what a system without Welsh characters stores. */
static void strip_marks(char *s, size_t cap)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
    if (n >= 0 && (size_t)n < cap)
        memcpy(s, out, (size_t)n + 1);
    free(out);
}

void mess_name(gen_ctx *g, rng *r, uint32_t pi, written_name *out)
{
    const person *p = &g->p[pi];
    snprintf(out->fore, sizeof out->fore, "%s", name_fore(p->fore));
    snprintf(out->sur, sizeof out->sur, "%s", name_sur(p->sur));
    if (g->mess == 0)
        return;
    if (has_non_ascii(out->fore) && rng_chance(r, g->mess == 1 ? 0.4 : 0.7))
        strip_marks(out->fore, sizeof out->fore);
    if (name_has_nick(p->fore) && err(g, r, 0.07))
        snprintf(out->fore, sizeof out->fore, "%s", name_nick(r, p->fore));
    if (p->alt_sur != UINT16_MAX && err(g, r, 0.15)) {
        if (rng_chance(r, 0.5))
            snprintf(out->sur, sizeof out->sur, "%s", name_sur(p->alt_sur));
        else
            snprintf(out->sur, sizeof out->sur, "%s-%s", name_sur(p->sur), name_sur(p->alt_sur));
    }
    if (err(g, r, 0.025))
        typo(r, out->fore, sizeof out->fore);
    if (err(g, r, 0.025))
        typo(r, out->sur, sizeof out->sur);
    if (err(g, r, 0.015)) {
        written_name t = *out;
        memcpy(out->sur, t.fore, sizeof t.fore);
        memcpy(out->fore, t.sur, sizeof out->fore - 1);
        out->fore[sizeof out->fore - 1] = 0;
    }
}

void mess_dob(gen_ctx *g, rng *r, uint32_t pi, date_fmt f, int32_t at, char *buf, size_t cap)
{
    const person *p = &g->p[pi];
    int y, m, d;
    cpi_norm_ymd_from_days(p->dob, &y, &m, &d);
    if (err(g, r, 0.04)) {
        buf[0] = 0;
        return;
    }
    if (err(g, r, 0.02)) {
        int a = age_at(p->dob, at);
        if (a < 0)
            a = 0;
        if (f == DF_MON)
            snprintf(buf, cap, "%d yrs", a);
        else
            snprintf(buf, cap, "approx %d", a);
        return;
    }
    if (d <= 12 && d != m && err(g, r, 0.02)) {
        int t = d;
        d = m;
        m = t;
    } else if (err(g, r, 0.02)) {
        y += rng_chance(r, 0.5) ? 1 : -1;
        if (m == 2 && d == 29)
            d = 28;
    }
    date_fmt_ymd(buf, cap, f, y, m, d);
}

static const char *const STREET_WORDS[][2] = {
    {"Street", "St"}, {"Road", "Rd"}, {"Avenue", "Ave"}, {"Close", "Cl"}, {"Terrace", "Terr"}, {"Lane", "Ln"},
};

/* "Street" -> "St" (or the other way for an already short form is not needed: we store long forms). */
static void abbreviate(char *s)
{
    size_t n = strlen(s);
    for (size_t k = 0; k < sizeof STREET_WORDS / sizeof STREET_WORDS[0]; k++) {
        size_t w = strlen(STREET_WORDS[k][0]);
        if (n > w && s[n - w - 1] == ' ' && !strcmp(s + n - w, STREET_WORDS[k][0])) {
            strcpy(s + n - w, STREET_WORDS[k][1]);
            return;
        }
    }
}

void clean_address_1(const gen_ctx *g, uint32_t li, char *buf, size_t cap)
{
    const location *l = &g->l[li];
    if (l->flat)
        snprintf(buf, cap, "Flat %u, %u %s", l->flat, l->number, name_street(l->street));
    else
        snprintf(buf, cap, "%u %s", l->number, name_street(l->street));
}

static const char *premises(const gen_ctx *g, uint32_t li, char *buf, size_t cap)
{
    const location *l = &g->l[li];
    return place_name(l->type, l->name, l->la, l->town, buf, cap);
}

void clean_address_line(const gen_ctx *g, uint32_t li, char *buf, size_t cap)
{
    char a1[160], pn[128];
    clean_address_1(g, li, a1, sizeof a1);
    premises(g, li, pn, sizeof pn);
    const location *l = &g->l[li];
    if (pn[0])
        snprintf(buf, cap, "%s, %s, %s", pn, a1, LAS[l->la].towns[l->town]);
    else
        snprintf(buf, cap, "%s, %s", a1, LAS[l->la].towns[l->town]);
}

void mess_address_1(gen_ctx *g, rng *r, uint32_t li, char *buf, size_t cap)
{
    const location *l = &g->l[li];
    char street[96];
    snprintf(street, sizeof street, "%s", name_street(l->street));
    if (err(g, r, 0.15))
        abbreviate(street);
    if (err(g, r, 0.015))
        typo(r, street, sizeof street);
    if (!l->flat) {
        if (err(g, r, 0.02))
            snprintf(buf, cap, "%s", street);
        else
            snprintf(buf, cap, "%u %s", l->number, street);
        return;
    }
    switch (err(g, r, 0.3) ? 1 + rng_below(r, 3) : 0) {
    case 0: snprintf(buf, cap, "Flat %u, %u %s", l->flat, l->number, street); break;
    case 1: snprintf(buf, cap, "%u/%u %s", l->flat, l->number, street); break;
    case 2: snprintf(buf, cap, "Flat %u %u %s", l->flat, l->number, street); break;
    default: snprintf(buf, cap, "%u %s, Flat %u", l->number, street, l->flat); break;
    }
}

void mess_address_line(gen_ctx *g, rng *r, uint32_t li, char *buf, size_t cap, bool with_town)
{
    const location *l = &g->l[li];
    char a1[160], pn[128];
    mess_address_1(g, r, li, a1, sizeof a1);
    premises(g, li, pn, sizeof pn);
    if (pn[0] && err(g, r, 0.2))
        pn[0] = 0; /* the place named by its address only */
    bool town = with_town && !err(g, r, 0.1);
    snprintf(buf, cap, "%s%s%s%s%s", pn, pn[0] ? ", " : "", a1, town ? ", " : "", town ? LAS[l->la].towns[l->town] : "");
}

void mess_postcode(gen_ctx *g, rng *r, uint32_t li, char *buf, size_t cap)
{
    const char *pc = g->l[li].pc;
    if (err(g, r, 0.05)) {
        buf[0] = 0;
        return;
    }
    snprintf(buf, cap, "%s", pc);
    if (err(g, r, 0.08)) {
        char *sp = strchr(buf, ' ');
        if (sp)
            memmove(sp, sp + 1, strlen(sp));
    }
    if (err(g, r, 0.05))
        for (char *c = buf; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
}

void mess_phone(gen_ctx *g, rng *r, uint32_t ti, int style, char *buf, size_t cap)
{
    const char *d = g->t[ti].digits; /* 11 digits, national form */
    if (err(g, r, 0.05)) {
        buf[0] = 0;
        return;
    }
    if (err(g, r, 0.4))
        style = (int)rng_below(r, 4);
    bool mobile = d[1] == '7';
    switch (style) {
    case 0: snprintf(buf, cap, "%.5s %s", d, d + 5); break;
    case 1: snprintf(buf, cap, "+44 %.4s %s", d + 1, d + 5); break;
    case 2: snprintf(buf, cap, "%s", d); break;
    default:
        if (mobile)
            snprintf(buf, cap, "%.5s-%.3s-%s", d, d + 5, d + 8);
        else
            snprintf(buf, cap, "(%.5s) %s", d, d + 5);
    }
}
