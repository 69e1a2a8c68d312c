/* test_model.c - reference parsing and formatting, kinds, kv lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/model.h"

static void test_ref_record(void **state)
{
    (void)state;
    cpi_ref r;
    cpi_error err = {0};
    assert_int_equal(cpi_ref_parse("miraf:MF-2019-0042", &r, &err), CPI_OK);
    assert_string_equal(r.source, "miraf");
    assert_string_equal(r.record_id, "MF-2019-0042");
    assert_int_equal(r.mention, 0);
    char buf[CPI_REF_MAX];
    assert_int_equal(cpi_ref_format(&r, buf, sizeof buf), 18);
    assert_string_equal(buf, "miraf:MF-2019-0042");
}

static void test_ref_mention(void **state)
{
    (void)state;
    cpi_ref r;
    assert_int_equal(cpi_ref_parse("niche:OCC-19-000123/12", &r, NULL), CPI_OK);
    assert_string_equal(r.source, "niche");
    assert_string_equal(r.record_id, "OCC-19-000123");
    assert_int_equal(r.mention, 12);
    char buf[CPI_REF_MAX];
    cpi_ref_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "niche:OCC-19-000123/12");
    assert_int_equal(cpi_ref_parse("soc:P.1_a/65535", &r, NULL), CPI_OK);
    assert_int_equal(r.mention, 65535);
}

static void test_ref_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",                     /* nothing */
        "miraf",                /* no colon */
        ":MF-1",                /* no source */
        "miraf:",               /* no id */
        "Miraf:MF-1",           /* upper-case source */
        "1miraf:MF-1",          /* source starts with a digit */
        "miraf:MF 1",           /* space in id */
        "miraf:MF-1/",          /* empty mention */
        "miraf:MF-1/0",         /* mention 0 */
        "miraf:MF-1/01",        /* leading zero */
        "miraf:MF-1/2x",        /* not a number */
        "miraf:MF-1/65536",     /* too large */
        "miraf:MF-1/2/3",       /* two slashes */
        "averyveryverylongsourcename:X", /* source too long */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cpi_ref r;
        cpi_error err = {0};
        assert_int_equal(cpi_ref_parse(bad[i], &r, &err), CPI_ERR_USAGE);
        assert_int_equal(err.status, CPI_ERR_USAGE);
        assert_true(strlen(err.msg) > 10);
    }
    char longid[100];
    memset(longid, 'A', sizeof longid);
    memcpy(longid, "niche:", 6);
    longid[99] = '\0';
    cpi_ref r;
    assert_int_equal(cpi_ref_parse(longid, &r, NULL), CPI_ERR_USAGE);
}

static void test_ref_format_small_buffer(void **state)
{
    (void)state;
    cpi_ref r;
    assert_int_equal(cpi_ref_parse("mace:M-1/3", &r, NULL), CPI_OK);
    char buf[6];
    assert_int_equal(cpi_ref_format(&r, buf, sizeof buf), -1);
}

static void test_kinds_and_kv(void **state)
{
    (void)state;
    cpi_kind k;
    assert_int_equal(cpi_kind_parse("location", &k), CPI_OK);
    assert_int_equal(k, CPI_KIND_LOCATION);
    assert_string_equal(cpi_kind_name(CPI_KIND_ONLINE), "online");
    assert_int_equal(cpi_kind_parse("vehicle", &k), CPI_ERR_USAGE);
    assert_null(cpi_kind_name((cpi_kind)9));
    cpi_kv items[] = {{"surname", "Pryce"}, {"dob", "2009-03-01"}};
    cpi_kvlist l = {items, 2};
    assert_string_equal(cpi_kv_get(&l, "dob"), "2009-03-01");
    assert_null(cpi_kv_get(&l, "forenames"));
}

static void test_status_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(cpi_status_exit_code(CPI_OK), 0);
    assert_int_equal(cpi_status_exit_code(CPI_NOT_FOUND), 1);
    assert_int_equal(cpi_status_exit_code(CPI_ERR_USAGE), 2);
    assert_int_equal(cpi_status_exit_code(CPI_ERR_DATA), 3);
    assert_int_equal(cpi_status_exit_code(CPI_ERR_STORE), 3);
    assert_int_equal(cpi_status_exit_code(CPI_ERR_SCHEMA), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_record),       cmocka_unit_test(test_ref_mention),
        cmocka_unit_test(test_ref_malformed),    cmocka_unit_test(test_ref_format_small_buffer),
        cmocka_unit_test(test_kinds_and_kv),     cmocka_unit_test(test_status_exit_codes),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
