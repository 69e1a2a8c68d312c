/*
 * test_query_parse.c - the QUERY parser alone, without a store
 * (query/query_parse.c): each form is recognised with its normalised parts,
 * the kind of lookup decides whether a place is considered, --dob is read
 * in any documented format, and what is none of the forms says so. Inputs
 * the fuzzer (tests/fuzz/fuzz_query.c) has found trouble with are kept at
 * the end as regression cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "query/query_parse.h"

static cpi_query_parsed p;

static cpi_qform parse(const char *q, cpi_kind kind, const char *dob)
{
    cpi_error err = {0};
    if (cpi_query_parse(q, kind, dob, &p, &err) != CPI_OK)
        fail_msg("parse '%s': %s", q, err.msg);
    return p.form;
}

static void test_entity_id_and_references(void **state)
{
    (void)state;
    assert_int_equal(parse("  P-0000042 ", CPI_KIND_PERSON, NULL), CPI_QF_ENTITY_ID);
    assert_string_equal(p.text, "P-0000042");
    assert_false(p.try_ident);
    assert_int_equal(parse("L-0000007", 0, NULL), CPI_QF_ENTITY_ID);
    assert_int_equal(parse("niche:NOM-0000123", CPI_KIND_PERSON, NULL), CPI_QF_REFERENCE);
    assert_string_equal(p.ref.source, "niche");
    assert_string_equal(p.ref.record_id, "NOM-0000123");
    assert_int_equal(p.ref.mention, 0);
    assert_int_equal(parse("miraf:MF-2021-000045/2", CPI_KIND_PERSON, NULL), CPI_QF_REFERENCE);
    assert_int_equal(p.ref.mention, 2);
    /* not an entity id: the letter must be a kind's and digits must follow */
    assert_int_not_equal(parse("X-0000001", CPI_KIND_PERSON, NULL), CPI_QF_ENTITY_ID);
    assert_int_not_equal(parse("P-", CPI_KIND_PERSON, NULL), CPI_QF_ENTITY_ID);
}

static void test_identifier_then_phone(void **state)
{
    (void)state;
    /* a system id is tried first as typed, upper-cased and without spaces */
    parse("nom-0000123", CPI_KIND_PERSON, NULL);
    assert_true(p.try_ident);
    assert_string_equal(p.ident, "NOM-0000123");
    assert_int_equal(parse("07700 900123", CPI_KIND_PERSON, NULL), CPI_QF_PHONE);
    assert_string_equal(p.ident, "07700900123");
    assert_true(strlen(p.tel) >= 10);
    /* too few digits for a phone */
    assert_int_not_equal(parse("0770 09", CPI_KIND_PERSON, NULL), CPI_QF_PHONE);
}

static void test_places_only_when_a_place_may_be_meant(void **state)
{
    (void)state;
    assert_int_equal(parse("np20 1ab", 0, NULL), CPI_QF_POSTCODE);
    assert_string_equal(p.postcode.full, "NP20 1AB");
    assert_int_equal(parse("np20 1ab", CPI_KIND_LOCATION, NULL), CPI_QF_POSTCODE);
    /* a person lookup never reads a postcode as a place */
    assert_int_not_equal(parse("np20 1ab", CPI_KIND_PERSON, NULL), CPI_QF_POSTCODE);
    assert_int_equal(parse("Flat 2, 14 High Street, Newport NP20 1AB", CPI_KIND_LOCATION, NULL), CPI_QF_ADDRESS);
    assert_string_equal(p.address.postcode, "NP20 1AB");
    assert_true(p.address.key[0] != '\0');
    /* no digit: a name, not an address */
    assert_int_equal(parse("High Street", CPI_KIND_LOCATION, NULL), CPI_QF_NAME);
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(parse("Siân PRYCE", CPI_KIND_PERSON, NULL), CPI_QF_NAME);
    assert_string_equal(p.forename, "sian");
    assert_string_equal(p.surname, "pryce");
    assert_true(p.swap);
    assert_string_equal(p.swap_surname, "sian");
    assert_int_equal(parse("PRYCE, Sian", CPI_KIND_PERSON, NULL), CPI_QF_NAME);
    assert_string_equal(p.forename, "sian");
    assert_string_equal(p.surname, "pryce");
    /* a first name alone (MARAC records children so): no surname, nothing to swap */
    assert_int_equal(parse("Rhiannon", CPI_KIND_PERSON, NULL), CPI_QF_NAME);
    assert_string_equal(p.forename, "rhiannon");
    assert_string_equal(p.surname, "");
    assert_false(p.swap);
    /* two forenames: not swapped either */
    parse("John Paul SMITH", CPI_KIND_PERSON, NULL);
    assert_false(p.swap);
}

static void test_dob(void **state)
{
    (void)state;
    parse("Sian Pryce", CPI_KIND_PERSON, "03/04/2009");
    assert_true(p.has_dob);
    assert_string_equal(p.dob_iso, "2009-04-03");
    parse("Sian Pryce", CPI_KIND_PERSON, "2009-04-03");
    assert_string_equal(p.dob_iso, "2009-04-03");
    parse("Sian Pryce", CPI_KIND_PERSON, "");
    assert_false(p.has_dob);
    cpi_error err = {0};
    assert_int_equal(cpi_query_parse("Sian Pryce", CPI_KIND_PERSON, "31/02/2009", &p, &err), CPI_ERR_USAGE);
    assert_non_null(strstr(err.msg, "--dob"));
}

static void test_errors(void **state)
{
    (void)state;
    cpi_error err = {0};
    assert_int_equal(cpi_query_parse("   ", CPI_KIND_PERSON, NULL, &p, &err), CPI_ERR_USAGE);
    assert_non_null(strstr(err.msg, "empty"));
    err = (cpi_error){0};
    assert_int_equal(cpi_query_parse("niche:", CPI_KIND_PERSON, NULL, &p, &err), CPI_ERR_USAGE);
    assert_true(err.msg[0] != '\0');
    /* punctuation only: no form, but only after the store has been asked about system ids */
    assert_int_equal(parse("!!!", CPI_KIND_PERSON, NULL), CPI_QF_INVALID);
    assert_true(p.try_ident);
    assert_non_null(strstr(p.invalid, "is not an entity id"));
    /* a query longer than the kept text is cut, not overrun */
    char longq[2000];
    memset(longq, 'a', sizeof longq - 1);
    longq[sizeof longq - 1] = '\0';
    parse(longq, CPI_KIND_PERSON, NULL);
    assert_int_equal(strlen(p.text), CPI_QUERY_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entity_id_and_references),
        cmocka_unit_test(test_identifier_then_phone),
        cmocka_unit_test(test_places_only_when_a_place_may_be_meant),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_dob),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
