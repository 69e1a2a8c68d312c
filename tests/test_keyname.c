/*
 * test_keyname.c - core/keyname.h's table is what ingest writes and the store indexes:
 * every key cpi_keys_build makes from a mention with every field filled is in the table
 * for its kind, the table's names are distinct, and the store indexes exactly the ones
 * marked indexed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/keyname.h"
#include "core/store.h"
#include "core/normalise/normalise.h"
#include "ingest/keys.h"

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < cpi_key_names_count; i++) {
        const cpi_key_name *k = &cpi_key_names[i];
        assert_ptr_equal(cpi_key_name_find(k->name), k); /* distinct */
        assert_true(k->kinds != 0);
        if (cpi_store_key_indexed(k->name, 1) != k->indexed)
            fail_msg("key %s: the table says %sindexed, the store does %s", k->name, k->indexed ? "" : "not ",
                     k->indexed ? "not" : "");
    }
    static const char *const not_keys[] = {"", "f", "fnn", "dobs", "telephone", "address", "postcode"};
    for (size_t i = 0; i < sizeof not_keys / sizeof not_keys[0]; i++) {
        assert_null(cpi_key_name_find(not_keys[i]));
        assert_false(cpi_store_key_indexed(not_keys[i], 1));
    }
}

/* Every key of a mention of kind built from values is in the table for that kind; returns how many. */
static unsigned check_keys(cpi_kind kind, const char *const values[CPI_F__COUNT])
{
    cpi_arena a = {0};
    cpi_kvbuf kv = {0};
    cpi_error err = {0};
    unsigned long bad = 0;
    assert_int_equal(cpi_keys_build(kind, values, cpi_norm_days_from_ymd(2024, 1, 1), &a, &kv, &bad, &err), CPI_OK);
    for (uint32_t i = 0; i < kv.count; i++) {
        const cpi_key_name *k = cpi_key_name_find(kv.items[i].key);
        if (!k || !(k->kinds & CPI_KEY_KIND(kind)))
            fail_msg("kind %d wrote key %s, which core/keyname.h does not list for it", (int)kind, kv.items[i].key);
    }
    unsigned n = kv.count;
    cpi_arena_free(&a);
    return n;
}

static void test_ingest_writes_table_keys(void **state)
{
    (void)state;
    const char *p[CPI_F__COUNT] = {0};
    p[CPI_F_FORENAMES] = "Katherine Mary";
    p[CPI_F_SURNAME] = "Pryce-Jones";
    p[CPI_F_DOB] = "2009-04-03";
    p[CPI_F_GENDER] = "F";
    p[CPI_F_NOMINAL_ID] = "NOM-0000123";
    p[CPI_F_PNC] = "12/345678A";
    p[CPI_F_ALIAS] = "Kate";
    p[CPI_F_STREET_NAME] = "Kit";
    p[CPI_F_EMAIL] = "kate@example.com";
    assert_true(check_keys(CPI_KIND_PERSON, p) >= 10);
    p[CPI_F_DOB] = "approx 15";
    assert_true(check_keys(CPI_KIND_PERSON, p) >= 8);

    const char *l[CPI_F__COUNT] = {0};
    l[CPI_F_ADDRESS] = "Flat 2, 14 High Street, Pontypool";
    l[CPI_F_POSTCODE] = "NP4 6JN";
    l[CPI_F_LOCATION_ID] = "LOC-0000001";
    l[CPI_F_PLACE_NAME] = "The Greyhound";
    l[CPI_F_PLACE_TYPE] = "pub";
    l[CPI_F_LOCALITY] = "Trevethin";
    l[CPI_F_REGION] = "Torfaen";
    assert_true(check_keys(CPI_KIND_LOCATION, l) >= 6);
    const char *l2[CPI_F__COUNT] = {0};
    l2[CPI_F_HOUSE] = "14";
    l2[CPI_F_STREET] = "High Street";
    l2[CPI_F_TOWN] = "Pontypool";
    l2[CPI_F_POSTCODE] = "BT1 1AA";
    assert_true(check_keys(CPI_KIND_LOCATION, l2) >= 3);

    const char *t[CPI_F__COUNT] = {0};
    t[CPI_F_PHONE] = "07700 900123";
    assert_int_equal(check_keys(CPI_KIND_PHONE, t), 1);

    const char *o[CPI_F__COUNT] = {0};
    o[CPI_F_EMAIL] = "kate@example.com";
    o[CPI_F_USERNAME] = "kate_99";
    assert_true(check_keys(CPI_KIND_ONLINE, o) >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_ingest_writes_table_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
