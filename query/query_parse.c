/*
 * query_parse.c - QUERY text -> its form and normalised parts, without the
 * store (see query_parse.h). The order of the tests is the order in which a
 * text is read: an entity id, a reference, then (after the store has had its
 * say on system ids) a phone, a place, a name.
 */
#include "query/query_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "graph/graphdb.h"

static bool all(const char *s, int (*pred)(int))
{
    for (; *s; s++)
        if (!pred((unsigned char)*s))
            return false;
    return true;
}

static int phone_char(int c) { return isdigit(c) || c == ' ' || c == '+' || c == '(' || c == ')' || c == '-' || c == '.'; }

static size_t count_digits(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += isdigit((unsigned char)*s) != 0;
    return n;
}

/* A system id as stored: upper case, no spaces. */
static void ident(const char *raw, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = raw; *p && n + 1 < cap; p++)
        if (!isspace((unsigned char)*p))
            out[n++] = (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

/* A place, when the lookup may be for one: a short text that is a postcode, or an address with a number. */
static bool as_place(cpi_query_parsed *p)
{
    cpi_error e = {0};
    if (strlen(p->text) <= 9 && cpi_norm_postcode(p->text, &p->postcode, &e) == CPI_OK) {
        p->form = CPI_QF_POSTCODE;
        return true;
    }
    if (count_digits(p->text) > 0 && cpi_norm_address(p->text, &p->address, &e) == CPI_OK) {
        p->form = CPI_QF_ADDRESS;
        return true;
    }
    return false;
}

static void as_name(cpi_query_parsed *p)
{
    cpi_person_name pn;
    cpi_error e = {0};
    if (cpi_norm_person_name(p->text, &pn, &e) != CPI_OK) {
        p->form = CPI_QF_INVALID;
        snprintf(p->invalid, sizeof p->invalid,
                 "'%.60s' is not an entity id (P-0000042), a reference (niche:NOM-0000123), an identifier, a "
                 "phone, a postcode, an address or a name",
                 p->text);
        return;
    }
    p->form = CPI_QF_NAME;
    if (pn.n_forenames)
        snprintf(p->forename, sizeof p->forename, "%s", pn.forenames[0]);
    snprintf(p->surname, sizeof p->surname, "%s", pn.surname);
    /* the two parts may have been written the other way round (1.5% of records) */
    if (pn.n_forenames == 1 && p->forename[0] && p->surname[0] &&
        cpi_norm_surname_key(p->forename, strlen(p->forename), p->swap_surname, sizeof p->swap_surname, &e) ==
            CPI_OK)
        p->swap = true;
    /* one word in lower or mixed case is read as a forename (MARAC's children), but an officer typing
     * "Jones" means the surname as often: keep its surname key too, for the lookup to try both */
    if (pn.n_forenames == 1 && p->forename[0] && !p->surname[0] && !strchr(p->text, ',') &&
        cpi_norm_surname_key(p->forename, strlen(p->forename), p->swap_surname, sizeof p->swap_surname, &e) ==
            CPI_OK)
        p->single_word = true;
}

cpi_status cpi_query_parse(const char *query, cpi_kind kind, const char *dob, cpi_query_parsed *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    out->dob_day = CPI_DAY_NONE;
    while (*query == ' ')
        query++;
    snprintf(out->text, sizeof out->text, "%s", query);
    for (size_t n = strlen(out->text); n && out->text[n - 1] == ' '; n--)
        out->text[n - 1] = '\0';
    if (!out->text[0])
        return cpi_error_set(err, CPI_ERR_USAGE, "an empty query: give an entity id, a reference or a name");
    if (dob && *dob) {
        cpi_error e = {0};
        if (cpi_norm_date(dob, 0, CPI_DATE_DOB, &out->dob_day, &e) != CPI_OK)
            return cpi_error_set(err, CPI_ERR_USAGE, "--dob: %s", e.msg);
        cpi_norm_date_iso(out->dob_day, out->dob_iso);
        out->has_dob = true;
    }
    const char *q = out->text;
    if (cpi_entity_id_kind(q)) {
        out->form = CPI_QF_ENTITY_ID;
        return CPI_OK;
    }
    if (strchr(q, ':')) {
        out->form = CPI_QF_REFERENCE;
        return cpi_ref_parse(q, &out->ref, err);
    }
    out->try_ident = true;
    ident(q, out->ident, sizeof out->ident);
    cpi_error e = {0};
    if (all(q, phone_char) && count_digits(q) >= 9 && cpi_norm_phone(q, out->tel, &e) == CPI_OK)
        out->form = CPI_QF_PHONE;
    else if (kind == CPI_KIND_PERSON || !as_place(out))
        as_name(out);
    return CPI_OK;
}
