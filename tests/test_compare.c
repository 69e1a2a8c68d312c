/*
 * test_compare.c - string similarities and comparison levels.
 *
 * Expected values are worked by hand in the comments (the Jaro examples are
 * Winkler's, as on Wikipedia), never copied from the code's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "resolve/compare.h"
#include "core/normalise/normalise.h"

#define EPS 1e-9

static void test_jaro_published(void **state)
{
    (void)state;
    /* martha/marhta: 6 matches, th/ht one transposition: (1 + 1 + 5/6)/3 = 17/18; prefix "mar". */
    assert_float_equal(cpi_jaro("martha", "marhta"), 17.0 / 18, EPS);
    assert_float_equal(cpi_jaro_winkler("martha", "marhta"), 17.0 / 18 + 0.3 * (1.0 / 18), EPS);
    assert_float_equal(cpi_jaro_winkler("martha", "marhta"), 0.961, 0.0005);
    /* dwayne/duane: d,a,n,e match (window 2), none out of order: (4/6 + 4/5 + 1)/3 = 37/45; prefix "d". */
    assert_float_equal(cpi_jaro("dwayne", "duane"), 37.0 / 45, EPS);
    assert_float_equal(cpi_jaro_winkler("dwayne", "duane"), 0.84, EPS);
    /* dixon/dicksonx: d,i,o,n match (window 3; x is 5 away): (4/5 + 4/8 + 1)/3 = 23/30; prefix "di". */
    assert_float_equal(cpi_jaro("dixon", "dicksonx"), 23.0 / 30, EPS);
    assert_float_equal(cpi_jaro_winkler("dixon", "dicksonx"), 23.0 / 30 + 0.2 * (7.0 / 30), EPS);
    assert_float_equal(cpi_jaro_winkler("dixon", "dicksonx"), 0.813, 0.0005);
}

static void test_jaro_edges(void **state)
{
    (void)state;
    assert_true(cpi_jaro("pryce", "pryce") == 1.0);
    assert_true(cpi_jaro_winkler("pryce", "pryce") == 1.0);
    assert_true(cpi_jaro("", "") == 1.0);       /* documented: identical strings */
    assert_true(cpi_jaro(NULL, "") == 1.0);     /* NULL is "" */
    assert_true(cpi_jaro("", "jones") == 0.0);
    assert_true(cpi_jaro_winkler("jones", "") == 0.0);
    assert_true(cpi_jaro("abc", "xyz") == 0.0);
    assert_true(cpi_jaro("a", "b") == 0.0);
    /* williams/williamson: all 8 match in place, (1 + 8/10 + 1)/3 = 14/15; the common prefix is 8
     * but the boost counts at most 4: 14/15 + 0.4 * 1/15 = 0.96. */
    assert_float_equal(cpi_jaro("williams", "williamson"), 14.0 / 15, EPS);
    assert_float_equal(cpi_jaro_winkler("williams", "williamson"), 0.96, EPS);
    /* Symmetric. */
    const char *pairs[][2] = {{"martha", "marhta"}, {"dixon", "dicksonx"}, {"steven", "stephen"},
                              {"rees", "rhys"}, {"abcdef", "fedcba"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        assert_float_equal(cpi_jaro_winkler(pairs[i][0], pairs[i][1]),
                           cpi_jaro_winkler(pairs[i][1], pairs[i][0]), EPS);
}

/* Plain unbounded Levenshtein, to check the bounded one against. */
static int lev_reference(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int d[32][32];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

static void test_levenshtein(void **state)
{
    (void)state;
    /* kitten -> sitten -> sittin -> sitting */
    assert_int_equal(cpi_levenshtein("kitten", "sitting", 5), 3);
    assert_int_equal(cpi_levenshtein("kitten", "sitting", 3), 3);
    assert_int_equal(cpi_levenshtein("kitten", "sitting", 2), 3); /* above the bound: max + 1 */
    assert_int_equal(cpi_levenshtein("flaw", "lawn", 5), 2);
    assert_int_equal(cpi_levenshtein("saturday", "sunday", 9), 3);
    assert_int_equal(cpi_levenshtein("", "abc", 9), 3);
    assert_int_equal(cpi_levenshtein("abc", NULL, 9), 3);
    assert_int_equal(cpi_levenshtein("jones", "jones", 0), 0);
    assert_int_equal(cpi_levenshtein("abc", "abcdefgh", 2), 3);
    assert_int_equal(cpi_levenshtein("a", "b", 0), 1);

    /* Random short strings over a small alphabet: bounded == min(true, max + 1). */
    uint32_t x = 12345;
    for (int trial = 0; trial < 5000; trial++) {
        char a[12], b[12];
        char *s[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            int len = (int)(x % 11);
            for (int i = 0; i < len; i++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                s[k][i] = (char)('a' + x % 3);
            }
            s[k][len] = '\0';
        }
        int max = trial % 7;
        int truth = lev_reference(a, b);
        assert_int_equal(cpi_levenshtein(a, b, max), truth <= max ? truth : max + 1);
    }
}

static void test_name_levels(void **state)
{
    (void)state;
    assert_int_equal(cpi_cmp_name("john", "john", false, NULL, NULL), CPI_NAME_EXACT);
    assert_int_equal(cpi_cmp_name("john", "john", true, "JN", "JN"), CPI_NAME_EXACT);
    assert_int_equal(cpi_cmp_name("", "john", false, NULL, NULL), CPI_NAME_NULL);
    assert_int_equal(cpi_cmp_name("john", NULL, true, NULL, NULL), CPI_NAME_NULL);
    assert_int_equal(cpi_cmp_name("liz", "elizabeth", true, NULL, NULL), CPI_NAME_NICKNAME);
    /* catherine/katherine: 8 of 9 match in place, no prefix: 25/27 = 0.926 >= 0.92. */
    assert_float_equal(cpi_jaro_winkler("catherine", "katherine"), 25.0 / 27, EPS);
    assert_int_equal(cpi_cmp_name("catherine", "katherine", false, NULL, NULL), CPI_NAME_JW_HIGH);
    /* steven/stephen: s,t,e,e,n match, jaro 107/126, prefix "ste": 112.7/126 = 0.894. */
    assert_float_equal(cpi_jaro_winkler("steven", "stephen"), 112.7 / 126, EPS);
    assert_int_equal(cpi_cmp_name("steven", "stephen", false, NULL, NULL), CPI_NAME_JW_MID);
    /* dwayne/duane is 0.84, just under the mid band: phonetic if the keys agree, else ELSE. */
    assert_int_equal(cpi_cmp_name("dwayne", "duane", false, "TN", "TN"), CPI_NAME_PHONETIC);
    assert_int_equal(cpi_cmp_name("dwayne", "duane", false, "TN", "TNX"), CPI_NAME_ELSE);
    assert_int_equal(cpi_cmp_name("dwayne", "duane", false, "", ""), CPI_NAME_ELSE);
    /* rhys/rees: jw 0.7 (r and s match); Double Metaphone gives both RS. */
    assert_int_equal(cpi_cmp_name("rhys", "rees", false, "RS", "RS"), CPI_NAME_PHONETIC);
    assert_int_equal(cpi_cmp_name("rhys", "rees", false, NULL, NULL), CPI_NAME_ELSE);
}

static void test_surname_levels(void **state)
{
    (void)state;
    assert_int_equal(cpi_cmp_surname("jones", NULL, "jones", NULL, NULL, NULL), CPI_NAME_EXACT);
    assert_int_equal(cpi_cmp_surname("jones", NULL, "", NULL, NULL, NULL), CPI_NAME_NULL);
    /* Joined keys as the normaliser writes them, with the last part as alt. */
    assert_int_equal(cpi_cmp_surname("reesjones", "jones", "jones", "", NULL, NULL), CPI_NAME_PART);
    assert_int_equal(cpi_cmp_surname("jones", "", "reesjones", "jones", NULL, NULL), CPI_NAME_PART);
    assert_int_equal(cpi_cmp_surname("reesjones", "jones", "rees", NULL, NULL, NULL), CPI_NAME_PART);
    /* "Mary Rees Jones" (surname jones, alt reesjones) vs "Mary Rees-Jones". */
    assert_int_equal(cpi_cmp_surname("jones", "reesjones", "reesjones", "jones", NULL, NULL),
                     CPI_NAME_PART);
    /* Keys still holding separators. */
    assert_int_equal(cpi_cmp_surname("rees-jones", NULL, "jones", NULL, NULL, NULL), CPI_NAME_PART);
    assert_int_equal(cpi_cmp_surname("rees-jones", NULL, "rees", NULL, NULL, NULL), CPI_NAME_PART);
    assert_int_equal(cpi_cmp_surname("jones-rees", NULL, "rees jones", NULL, NULL, NULL),
                     CPI_NAME_PART);
    /* Sharing one part of two different barrels is not a part match. */
    cpi_name_level l = cpi_cmp_surname("smithjones", "jones", "reesjones", "jones", NULL, NULL);
    assert_int_not_equal(l, CPI_NAME_PART);
    assert_int_not_equal(l, CPI_NAME_EXACT);
    assert_int_not_equal(cpi_cmp_surname("smith-jones", NULL, "rees-jones", NULL, NULL, NULL),
                         CPI_NAME_PART);
    /* A prefix is not a part: smithson is not smith's barrel. */
    assert_int_not_equal(cpi_cmp_surname("smithson", NULL, "smith", NULL, NULL, NULL), CPI_NAME_PART);
    /* Spelling levels as for forenames: martha-like transposition in a surname. */
    assert_int_equal(cpi_cmp_surname("prcye", NULL, "pryce", NULL, NULL, NULL), CPI_NAME_JW_HIGH);
}

static int32_t D(int y, int m, int d)
{
    return cpi_norm_days_from_ymd(y, m, d);
}

static void test_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(D(1970, 1, 1), 0);
    assert_int_equal(D(1969, 12, 31), -1);
    /* 30 years of 365 days plus the 7 leap days 1972..1996 and 31 + 28 days into 2000. */
    assert_int_equal(D(2000, 1, 1), 30 * 365 + 7);
    assert_int_equal(D(2000, 2, 29), 11016);
    /* 2025-01-01 is 55 * 365 + 14 leap days (1972..2024) = 20089. */
    assert_int_equal(D(2024, 12, 31), 20088);
    assert_int_equal(D(2000, 3, 1) - D(2000, 2, 28), 2);   /* 2000 is leap (divisible by 400) */
    assert_int_equal(D(1900, 3, 1) - D(1900, 2, 28), 1);   /* 1900 is not */
    /* Round trip and consecutive days over 1600..2400. */
    int py, pm, pd;
    cpi_norm_ymd_from_days(D(1600, 1, 1) - 1, &py, &pm, &pd);
    assert_int_equal(py, 1599);
    assert_int_equal(pm, 12);
    assert_int_equal(pd, 31);
    for (int32_t day = D(1600, 1, 1); day <= D(2400, 12, 31); day++) {
        int y, m, d;
        cpi_norm_ymd_from_days(day, &y, &m, &d);
        assert_int_equal(D(y, m, d), day);
        bool next_day = (y == py && m == pm && d == pd + 1) ||
                        (y == py && m == pm + 1 && d == 1) || (y == py + 1 && m == 1 && d == 1);
        assert_true(next_day);
        py = y, pm = m, pd = d;
    }
}

static void test_dob_levels(void **state)
{
    (void)state;
    int32_t x = D(2010, 5, 4);
    assert_int_equal(cpi_cmp_dob(x, x, x, x), CPI_DOB_EXACT);
    /* 05/04/2010 vs 04/05/2010. */
    assert_int_equal(cpi_cmp_dob(D(2010, 4, 5), D(2010, 4, 5), x, x), CPI_DOB_SWAP);
    assert_int_equal(cpi_cmp_dob(D(2010, 1, 12), D(2010, 1, 12), D(2010, 12, 1), D(2010, 12, 1)),
                     CPI_DOB_SWAP);
    /* Swapped and a year apart: three parts differ, no typo explains it, but under a year apart. */
    assert_int_equal(cpi_cmp_dob(D(2011, 4, 5), D(2011, 4, 5), x, x), CPI_DOB_YEAR);
    /* Year by one (two digits differ in 2009/2010 but one year apart). */
    assert_int_equal(cpi_cmp_dob(D(2011, 5, 4), D(2011, 5, 4), x, x), CPI_DOB_ONE_PART);
    assert_int_equal(cpi_cmp_dob(D(2009, 5, 4), D(2009, 5, 4), x, x), CPI_DOB_ONE_PART);
    /* Year digit typo 2010 / 2018; two digits 2010 / 2031 is not. */
    assert_int_equal(cpi_cmp_dob(D(2018, 5, 4), D(2018, 5, 4), x, x), CPI_DOB_ONE_PART);
    assert_int_equal(cpi_cmp_dob(D(2031, 5, 4), D(2031, 5, 4), x, x), CPI_DOB_ELSE);
    /* Several digits wrong, under ten years apart (1982-10-12 / 1992-09-11): within_10y; more: else. */
    assert_int_equal(cpi_cmp_dob(D(1982, 10, 12), D(1982, 10, 12), D(1992, 9, 11), D(1992, 9, 11)),
                     CPI_DOB_DECADE);
    assert_int_equal(cpi_cmp_dob(D(1982, 10, 12), D(1982, 10, 12), D(1992, 10, 13), D(1992, 10, 13)),
                     CPI_DOB_ELSE);
    /* Day typo 12/13 and 12/22; 19/20 differs in both digits. */
    assert_int_equal(cpi_cmp_dob(D(2010, 5, 12), D(2010, 5, 12), D(2010, 5, 13), D(2010, 5, 13)),
                     CPI_DOB_ONE_PART);
    assert_int_equal(cpi_cmp_dob(D(2010, 5, 12), D(2010, 5, 12), D(2010, 5, 22), D(2010, 5, 22)),
                     CPI_DOB_ONE_PART);
    assert_int_equal(cpi_cmp_dob(D(2010, 5, 19), D(2010, 5, 19), D(2010, 5, 20), D(2010, 5, 20)),
                     CPI_DOB_YEAR);
    /* Month typo 02/12 (day 15 so it is not a swap). */
    assert_int_equal(cpi_cmp_dob(D(2010, 2, 15), D(2010, 2, 15), D(2010, 12, 15), D(2010, 12, 15)),
                     CPI_DOB_ONE_PART);
    /* Leap day typed as the 28th. */
    assert_int_equal(cpi_cmp_dob(D(2008, 2, 29), D(2008, 2, 29), D(2008, 2, 28), D(2008, 2, 28)),
                     CPI_DOB_ONE_PART);
    /* Day and month both off. */
    assert_int_equal(cpi_cmp_dob(D(2010, 6, 5), D(2010, 6, 5), x, x), CPI_DOB_YEAR);
    assert_int_equal(cpi_cmp_dob(D(2000, 6, 5), D(2000, 6, 5), x, x), CPI_DOB_DECADE);
    assert_int_equal(cpi_cmp_dob(D(1990, 6, 5), D(1990, 6, 5), x, x), CPI_DOB_ELSE);

    /* Aged 15 on 2024-06-15: born 2008-06-16 .. 2009-06-15 (see cpi_norm_dob); inclusive ends. */
    int32_t lo = D(2008, 6, 16), hi = D(2009, 6, 15);
    assert_int_equal(cpi_cmp_dob(lo, hi, lo, lo), CPI_DOB_IN_RANGE);
    assert_int_equal(cpi_cmp_dob(lo, hi, hi, hi), CPI_DOB_IN_RANGE);
    assert_int_equal(cpi_cmp_dob(hi, hi, lo, hi), CPI_DOB_IN_RANGE);
    assert_int_equal(cpi_cmp_dob(lo, hi, lo - 1, lo - 1), CPI_DOB_ELSE);
    assert_int_equal(cpi_cmp_dob(hi + 1, hi + 1, lo, hi), CPI_DOB_ELSE);
    /* A bare year against an exact date in it. */
    assert_int_equal(cpi_cmp_dob(D(2009, 1, 1), D(2009, 12, 31), D(2009, 7, 1), D(2009, 7, 1)),
                     CPI_DOB_IN_RANGE);
    /* Two ranges: touching on one day overlap, one day apart do not. */
    assert_int_equal(cpi_cmp_dob(lo, hi, hi, hi + 365), CPI_DOB_IN_RANGE);
    assert_int_equal(cpi_cmp_dob(lo, hi, hi + 1, hi + 365), CPI_DOB_ELSE);
    /* Missing. */
    assert_int_equal(cpi_cmp_dob(CPI_CMP_DAY_NONE, CPI_CMP_DAY_NONE, x, x), CPI_DOB_NULL);
    assert_int_equal(cpi_cmp_dob(x, x, CPI_CMP_DAY_NONE, x), CPI_DOB_NULL);
    assert_int_equal(cpi_cmp_dob(x, x, x + 1, x), CPI_DOB_NULL); /* lo > hi */
}

static void test_postcode_levels(void **state)
{
    (void)state;
    assert_int_equal(cpi_cmp_postcode("NP20 1AB", "NP20 1AB"), CPI_POSTCODE_FULL);
    assert_int_equal(cpi_cmp_postcode("NP20 1AB", "NP20 1AD"), CPI_POSTCODE_SECTOR);
    assert_int_equal(cpi_cmp_postcode("NP20 1AB", "NP20 2AB"), CPI_POSTCODE_DISTRICT);
    assert_int_equal(cpi_cmp_postcode("NP20 1AB", "NP19 1AB"), CPI_POSTCODE_ELSE);
    /* NP2 is a different district, not a prefix of NP20. */
    assert_int_equal(cpi_cmp_postcode("NP2 1AB", "NP20 1AB"), CPI_POSTCODE_ELSE);
    assert_int_equal(cpi_cmp_postcode("NP20", "NP20 1AB"), CPI_POSTCODE_DISTRICT);
    assert_int_equal(cpi_cmp_postcode("NP20", "NP20"), CPI_POSTCODE_DISTRICT);
    assert_int_equal(cpi_cmp_postcode("NP20 1", "NP20 1AB"), CPI_POSTCODE_SECTOR);
    assert_int_equal(cpi_cmp_postcode("", "NP20 1AB"), CPI_POSTCODE_NULL);
    assert_int_equal(cpi_cmp_postcode("NP20 1AB", NULL), CPI_POSTCODE_NULL);
}

static void test_address_levels(void **state)
{
    (void)state;
    cpi_cmp_address a = {"3", "12", "high street", "NP20 1AB"};
    cpi_cmp_address b = a;
    assert_int_equal(cpi_cmp_address_parts(&a, &b), CPI_ADDRESS_EXACT);
    b.flat = "4";
    assert_int_equal(cpi_cmp_address_parts(&a, &b), CPI_ADDRESS_SAME_BUILDING);
    b.flat = NULL;
    assert_int_equal(cpi_cmp_address_parts(&a, &b), CPI_ADDRESS_SAME_BUILDING);
    assert_int_equal(cpi_cmp_address_parts(&b, &a), CPI_ADDRESS_SAME_BUILDING);
    /* Typo in the street, other postcode: "high streat" jw = 31/33 + 0.4 * 2/33 > 0.9. */
    b = (cpi_cmp_address){"3", "12", "high streat", "NP20 1AD"};
    assert_int_equal(cpi_cmp_address_parts(&a, &b), CPI_ADDRESS_STREET_JW);
    /* Same street, no postcode on either: not EXACT, because "12 high street" is in every town. */
    cpi_cmp_address c = {"3", "12", "high street", NULL}, d = c;
    assert_int_equal(cpi_cmp_address_parts(&c, &d), CPI_ADDRESS_STREET_JW);
    b = (cpi_cmp_address){"3", "14", "high street", "NP20 1AB"};
    assert_int_equal(cpi_cmp_address_parts(&a, &b), CPI_ADDRESS_ELSE);
    b = (cpi_cmp_address){"3", "12", "mill lane", "NP20 1AB"};
    assert_int_equal(cpi_cmp_address_parts(&a, &b), CPI_ADDRESS_ELSE);
    /* Number-less: equal everything is EXACT; a different postcode is ELSE, not STREET_JW. */
    cpi_cmp_address e = {NULL, NULL, "heol fawr", "CF10 1AA"}, f = e;
    assert_int_equal(cpi_cmp_address_parts(&e, &f), CPI_ADDRESS_EXACT);
    f.postcode = "CF10 1AB";
    assert_int_equal(cpi_cmp_address_parts(&e, &f), CPI_ADDRESS_ELSE);
    f = (cpi_cmp_address){NULL, NULL, NULL, "CF10 1AA"};
    assert_int_equal(cpi_cmp_address_parts(&e, &f), CPI_ADDRESS_NULL);
    f.street = "";
    assert_int_equal(cpi_cmp_address_parts(&f, &e), CPI_ADDRESS_NULL);
}

static void test_ident_gender(void **state)
{
    (void)state;
    assert_int_equal(cpi_cmp_ident("+447700900123", "+447700900123"), CPI_IDENT_SAME);
    assert_int_equal(cpi_cmp_ident("+447700900123", "+447700900124"), CPI_IDENT_DIFFERENT);
    assert_int_equal(cpi_cmp_ident("", "+447700900123"), CPI_IDENT_NULL);
    assert_int_equal(cpi_cmp_ident("NOM-1", NULL), CPI_IDENT_NULL);
    assert_int_equal(cpi_cmp_gender("m", "M"), CPI_GENDER_SAME);
    assert_int_equal(cpi_cmp_gender("m", "f"), CPI_GENDER_DIFFERENT);
    assert_int_equal(cpi_cmp_gender("u", "f"), CPI_GENDER_NULL);
    assert_int_equal(cpi_cmp_gender("m", "Unknown"), CPI_GENDER_NULL);
    assert_int_equal(cpi_cmp_gender(NULL, "f"), CPI_GENDER_NULL);
    assert_int_equal(cpi_cmp_gender("", ""), CPI_GENDER_NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jaro_published),
        cmocka_unit_test(test_jaro_edges),
        cmocka_unit_test(test_levenshtein),
        cmocka_unit_test(test_name_levels),
        cmocka_unit_test(test_surname_levels),
        cmocka_unit_test(test_day_numbers),
        cmocka_unit_test(test_dob_levels),
        cmocka_unit_test(test_postcode_levels),
        cmocka_unit_test(test_address_levels),
        cmocka_unit_test(test_ident_gender),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
