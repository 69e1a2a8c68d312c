/*
 * fuzz_query.c - libFuzzer harness: the QUERY parser of `cpindex child`,
 * `person` and `address` (query/query_parse.c) on any text.
 *
 * Input: the first byte picks the lookup's kind (any, person, place) and
 * whether a --dob follows; with one, the text up to the first NUL is the
 * query and the rest the --dob text. Every result is checked against what
 * the parser promises: a form is set, its parts are NUL-terminated inside
 * their buffers, and a reference round-trips through cpi_ref_format.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_parse.h"

#define CHECK(c)                                                                                             \
    do {                                                                                                     \
        if (!(c))                                                                                            \
            abort();                                                                                         \
    } while (0)

static void check_terminated(const char *buf, size_t cap) { CHECK(memchr(buf, 0, cap) != NULL); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    static const cpi_kind kinds[3] = {0, CPI_KIND_PERSON, CPI_KIND_LOCATION};
    cpi_kind kind = kinds[data[0] % 3];
    bool with_dob = data[0] & 0x80;
    char *text = malloc(size); /* the query, NUL, the dob: copied so both end in a NUL */
    CHECK(text);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    size_t qlen = strlen(text);
    const char *dob = with_dob && qlen + 1 < size - 1 ? text + qlen + 1 : NULL;

    static cpi_query_parsed p;
    cpi_error err = {0};
    cpi_status s = cpi_query_parse(text, kind, dob, &p, &err);
    if (s == CPI_OK) {
        CHECK(p.form >= CPI_QF_ENTITY_ID && p.form <= CPI_QF_INVALID);
        check_terminated(p.text, sizeof p.text);
        CHECK(p.text[0] != '\0' && p.text[0] != ' ');
        CHECK(p.has_dob == (dob && *dob));
        if (p.form == CPI_QF_REFERENCE) {
            char back[CPI_REF_MAX + 16];
            CHECK(cpi_ref_format(&p.ref, back, sizeof back) > 0);
            cpi_ref again;
            cpi_error e2 = {0};
            CHECK(cpi_ref_parse(back, &again, &e2) == CPI_OK);
            CHECK(strcmp(again.source, p.ref.source) == 0 && strcmp(again.record_id, p.ref.record_id) == 0 &&
                  again.mention == p.ref.mention);
        }
        if (p.form == CPI_QF_POSTCODE || p.form == CPI_QF_ADDRESS)
            CHECK(kind != CPI_KIND_PERSON);
        check_terminated(p.ident, sizeof p.ident);
        check_terminated(p.tel, sizeof p.tel);
        check_terminated(p.forename, sizeof p.forename);
        check_terminated(p.surname, sizeof p.surname);
        check_terminated(p.swap_surname, sizeof p.swap_surname);
        check_terminated(p.address.key, sizeof p.address.key);
        if (p.form == CPI_QF_INVALID)
            CHECK(p.invalid[0] != '\0');
        if (p.form == CPI_QF_NAME)
            CHECK(p.forename[0] || p.surname[0]);
    } else {
        CHECK(s == CPI_ERR_USAGE || s == CPI_ERR_DATA);
        CHECK(err.msg[0] != '\0');
    }
    free(text);
    return 0;
}
