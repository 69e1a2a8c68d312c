/*
 * core/normalise/phone.c - phone numbers as written in exports -> E.164, so that
 * "07700 900123", "+44 7700 900123" and "(07700) 900-123" are one key.
 *
 * Only the digits matter once the layout characters are gone; what needs
 * care is the prefix: +44, 0044, 44 and a national 0 all mean the same UK
 * number, "+44 (0)" is a common mix of both, and spreadsheets drop the 0.
 */
#include "core/normalise/normalise.h"
#include "core/normalise/internal.h"

#include <stdio.h>
#include <string.h>

#define DIGITS_MAX 20

/* Layout characters people put in phone numbers. */
static bool is_layout(char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t'; }

/* The digits of raw into d, and whether it began with '+'. Drops a "(0)" after a leading +44. */
static cpi_status collect(const char *raw, char *d, size_t *nd, bool *plus, cpi_error *err)
{
    *nd = 0;
    *plus = false;
    const char *p = raw;
    while (cpi_norm__space((unsigned char)*p))
        p++;
    if (*p == '+') {
        *plus = true;
        p++;
    }
    for (; *p; p++) {
        if (*p == '(' && p[1] == '0' && p[2] == ')' && *plus && *nd == 2) { /* "+44 (0)7700" */
            p += 2;
            continue;
        }
        if (cpi_norm__digit((unsigned char)*p)) {
            if (*nd == DIGITS_MAX)
                return cpi_error_set(err, CPI_ERR_DATA, "phone '%.30s': too many digits", raw);
            d[(*nd)++] = *p;
        } else if (!is_layout(*p) && !cpi_norm__space((unsigned char)*p)) {
            return cpi_error_set(err, CPI_ERR_DATA, "phone '%.30s': character '%c' is not part of a number", raw,
                                 (unsigned char)*p < 0x80 && (unsigned char)*p >= 0x20 ? *p : '?');
        }
    }
    d[*nd] = '\0';
    return CPI_OK;
}

/* A UK national significant number (no 0, no 44) -> "+44..." */
static cpi_status uk(const char *nsn, const char *raw, char out[CPI_NORM_PHONE_MAX], cpi_error *err)
{
    size_t n = strlen(nsn);
    if (n < 9 || n > 10)
        return cpi_error_set(err, CPI_ERR_DATA, "phone '%.30s': a UK number has 10 or 11 digits with its 0", raw);
    if (n == 9 && nsn[0] != '1' && nsn[0] != '8') /* only some 01 areas and 0800 numbers are that short */
        return cpi_error_set(err, CPI_ERR_DATA, "phone '%.30s': too few digits for a 0%c number", raw, nsn[0]);
    if (nsn[0] == '0')
        return cpi_error_set(err, CPI_ERR_DATA, "phone '%.30s': 0 after the country code", raw);
    snprintf(out, CPI_NORM_PHONE_MAX, "+44%s", nsn);
    return CPI_OK;
}

/* International digits (country code first) -> "+..." */
static cpi_status intl(const char *d, const char *raw, char out[CPI_NORM_PHONE_MAX], cpi_error *err)
{
    if (!strncmp(d, "44", 2))
        return uk(d + 2, raw, out, err);
    size_t n = strlen(d);
    if (n < 8 || n > 15 || d[0] == '0')
        return cpi_error_set(err, CPI_ERR_DATA, "phone '%.30s': not an international number", raw);
    snprintf(out, CPI_NORM_PHONE_MAX, "+%s", d);
    return CPI_OK;
}

cpi_status cpi_norm_phone(const char *raw, char out[CPI_NORM_PHONE_MAX], cpi_error *err)
{
    if (!raw || !out)
        return cpi_error_set(err, CPI_ERR_USAGE, "phone: NULL argument");
    out[0] = '\0';
    char d[DIGITS_MAX + 1];
    size_t nd;
    bool plus;
    cpi_status st = collect(raw, d, &nd, &plus, err);
    if (st != CPI_OK)
        return st;
    if (nd == 0)
        return cpi_error_set(err, CPI_ERR_DATA, "phone '%.30s': no digits", raw);
    if (plus)
        st = intl(d, raw, out, err);
    else if (!strncmp(d, "00", 2))
        st = intl(d + 2, raw, out, err);
    else if (d[0] == '0')
        st = uk(d + 1, raw, out, err);
    else if (nd == 12 && !strncmp(d, "44", 2))
        st = uk(d + 2, raw, out, err);
    else if (nd == 10)
        st = uk(d, raw, out, err); /* the 0 lost in a spreadsheet */
    else
        st = cpi_error_set(err, CPI_ERR_DATA, "phone '%.30s': %zu digits is not a UK number", raw, nd);
    if (st != CPI_OK)
        out[0] = '\0';
    return st;
}
