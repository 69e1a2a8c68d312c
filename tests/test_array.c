/* test_array.c - CPI_GROW (core/array.h): growth, any capacity type, overflow refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "core/array.h"

static void test_grow_appends(void **state)
{
    (void)state;
    int *v = NULL;
    uint32_t n = 0, cap = 0;
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(CPI_GROW(v, cap, n + 1, 16), CPI_OK);
        assert_true(cap >= n + 1);
        v[n++] = i;
    }
    assert_true(cap >= 10000 && cap < 20000 + 16);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(v[i], i);
    free(v);
}

static void test_grow_sizes(void **state)
{
    (void)state;
    double *d = NULL;
    size_t cap = 0;
    assert_int_equal(CPI_GROW(d, cap, 1, 8), CPI_OK); /* at least min */
    assert_int_equal(cap, 8);
    assert_int_equal(CPI_GROW(d, cap, 8, 8), CPI_OK); /* room already: unchanged */
    assert_int_equal(cap, 8);
    assert_int_equal(CPI_GROW(d, cap, 9, 8), CPI_OK); /* doubled */
    assert_int_equal(cap, 16);
    assert_int_equal(CPI_GROW(d, cap, 100, 8), CPI_OK); /* at least need */
    assert_int_equal(cap, 100);
    free(d);
}

static void test_grow_refuses_overflow(void **state)
{
    (void)state;
    char *c = NULL;
    uint16_t cap16 = 0;
    assert_int_equal(CPI_GROW(c, cap16, 40000, 4), CPI_OK);
    assert_int_equal(cap16, 40000);
    assert_int_equal(CPI_GROW(c, cap16, 40001, 4), CPI_OK); /* doubling would pass 65535: capped */
    assert_int_equal(cap16, UINT16_MAX);
    size_t too_many = 70000; /* more than a uint16_t can count */
    assert_int_equal(CPI_GROW(c, cap16, too_many, 4), CPI_ERR_NOMEM);
    assert_int_equal(cap16, UINT16_MAX);
    assert_non_null(c);
    free(c);

    uint64_t *big = NULL;
    size_t cap = 0;
    assert_int_equal(CPI_GROW(big, cap, SIZE_MAX / 4, 1), CPI_ERR_NOMEM); /* bytes would overflow size_t */
    assert_null(big);
    assert_int_equal(cap, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_appends),
        cmocka_unit_test(test_grow_sizes),
        cmocka_unit_test(test_grow_refuses_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
