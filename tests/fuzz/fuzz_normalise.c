/* fuzz_normalise.c - libFuzzer harness: every normaliser on any text (the first byte picks
 * which), must return a status and a bounded, NUL-terminated result, never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/normalise/normalise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    cpi_error err = {0};
    switch (data[0] % 9) {
    case 0: {
        cpi_person_name pn;
        cpi_norm_person_name(s, &pn, &err);
        break;
    }
    case 1: {
        char k[CPI_NORM_NAME_MAX];
        if (cpi_norm_surname_key(s, strlen(s), k, sizeof k, &err) == CPI_OK) {
            char p[CPI_NORM_DMETA_MAX], a[CPI_NORM_DMETA_MAX];
            cpi_norm_dmetaphone(k, p, a);
            cpi_norm_forenames_equivalent(k, "elizabeth");
        }
        break;
    }
    case 2: {
        int32_t day;
        if (cpi_norm_date(s, 19000, CPI_DATE_EVENT, &day, &err) == CPI_OK) {
            char iso[CPI_NORM_ISO_DATE_MAX];
            cpi_norm_date_iso(day, iso);
        }
        break;
    }
    case 3: {
        cpi_dob d;
        if (cpi_norm_dob(s, 19000, &d, &err) == CPI_OK && d.lo > d.hi)
            abort();
        break;
    }
    case 4: {
        cpi_postcode pc;
        cpi_norm_postcode(s, &pc, &err);
        break;
    }
    case 5: {
        cpi_address a;
        cpi_norm_address(s, &a, &err);
        break;
    }
    case 6: {
        char tel[CPI_NORM_PHONE_MAX];
        cpi_norm_phone(s, tel, &err);
        break;
    }
    case 7: {
        char out[CPI_NORM_IDENT_MAX];
        cpi_norm_email(s, out, sizeof out, &err);
        break;
    }
    default: {
        char out[CPI_NORM_IDENT_MAX];
        cpi_norm_username(s, out, sizeof out, &err);
        break;
    }
    }
    free(s);
    return 0;
}
