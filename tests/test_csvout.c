/*
 * test_csvout.c - CSV written for people to open: formulas neutralised, quotes
 * doubled, invalid UTF-8 and NUL escaped, and what is written reads back
 * (through libcsv) as the text that went in, with the formula prefix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/csvout.h"

static char *field(const char *s, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_int_equal(cpi_csv_write_field(fp, s, n), 0);
    fclose(fp);
    return buf;
}

static void test_fields(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t n;
        const char *out;
    } cases[] = {
        {"plain", 5, "\"plain\""},
        {"", 0, "\"\""},
        {"=HYPERLINK(\"http://x\")", 22, "\"'=HYPERLINK(\"\"http://x\"\")\""},
        {"+44 7700 900123", 15, "\"'+44 7700 900123\""},
        {"-2+3", 4, "\"'-2+3\""},
        {"@SUM(A1)", 8, "\"'@SUM(A1)\""},
        {"\tx", 2, "\"'\tx\""},
        {"\rx", 2, "\"'\rx\""},
        {"a=1", 3, "\"a=1\""}, /* only the first character makes a formula */
        {"say \"hi\", then", 14, "\"say \"\"hi\"\", then\""},
        {"line\nbreak", 10, "\"line\nbreak\""},
        {"Siân Llŷr", 11, "\"Siân Llŷr\""},
        {"bad\xff byte", 9, "\"bad\\xFF byte\""},
        {"nul\0here", 8, "\"nul\\x00here\""},
        {"cut \xc5", 5, "\"cut \\xC5\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = field(cases[i].in, cases[i].n);
        if (strcmp(got, cases[i].out) != 0)
            fail_msg("case %zu: got [%s] want [%s]", i, got, cases[i].out);
        free(got);
    }
}

typedef struct cells {
    char v[8][64];
    int n, rows;
} cells;

static void on_field(void *s, size_t n, void *ctx)
{
    cells *c = ctx;
    if (c->n < 8)
        snprintf(c->v[c->n++], 64, "%.*s", (int)n, (const char *)s);
}

static void on_row(int ch, void *ctx)
{
    (void)ch;
    ((cells *)ctx)->rows++;
}

static void test_row_reads_back(void **state)
{
    (void)state;
    const char *fields[] = {"niche:NOM-1", "=cmd|' /C calc'!A0", NULL, "Jones, \"Dai\"", "-"};
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_int_equal(cpi_csv_write_row(fp, fields, 5), 0);
    fclose(fp);
    struct csv_parser p;
    csv_init(&p, CSV_STRICT);
    cells c = {0};
    assert_int_equal(csv_parse(&p, buf, len, on_field, on_row, &c), len);
    csv_fini(&p, on_field, on_row, &c);
    csv_free(&p);
    assert_int_equal(c.rows, 1);
    assert_int_equal(c.n, 5);
    assert_string_equal(c.v[0], "niche:NOM-1");
    assert_string_equal(c.v[1], "'=cmd|' /C calc'!A0");
    assert_string_equal(c.v[2], "");
    assert_string_equal(c.v[3], "Jones, \"Dai\"");
    assert_string_equal(c.v[4], "'-");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_row_reads_back),
    };
    return cmocka_run_group_tests_name("csvout", tests, NULL, NULL);
}
