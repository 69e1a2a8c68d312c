/*
 * test_jsonw.c - the streaming JSON writer prints exactly what jansson's
 * json_dumps prints for the same values, compact (JSON_COMPACT) and indented
 * (JSON_INDENT(2), what the CLI prints): escapes, UTF-8, reals, empty and
 * nested containers, and a few hundred random documents built both ways.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/jsonw.h"

/* A document built twice: as a jansson tree and through two writers (compact and indented). */
typedef struct both {
    cpi_jw compact, indented;
} both;

static void both_init(both *b)
{
    cpi_jw_init(&b->compact, 0);
    cpi_jw_init(&b->indented, 2);
}

static void check(both *b, json_t *tree)
{
    char *c = json_dumps(tree, JSON_COMPACT | JSON_ENCODE_ANY);
    char *i = json_dumps(tree, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    assert_non_null(c);
    assert_non_null(i);
    assert_string_equal(cpi_jw_text(&b->compact, NULL), c);
    assert_string_equal(cpi_jw_text(&b->indented, NULL), i);
    free(c);
    free(i);
    json_decref(tree);
    cpi_jw_free(&b->compact);
    cpi_jw_free(&b->indented);
}

#define BOTH(b, call)                                                                                                  \
    do {                                                                                                               \
        cpi_jw *w_ = &(b)->compact;                                                                                    \
        call;                                                                                                          \
        w_ = &(b)->indented;                                                                                           \
        call;                                                                                                          \
    } while (0)

static void test_values(void **state)
{
    (void)state;
    static const char *const strings[] = {
        "",
        "plain",
        "quote \" backslash \\ slash /",
        "\x01\x02\x07\b\t\n\x0b\f\r\x0e\x1f end",
        "\x7f del",
        "Ffion Bowen-Hughes, Caerffili \xc3\xa2\xc5\xb5\xc5\xb7",
        "emoji \xf0\x9f\x98\x80 and CJK \xe6\xbc\xa2",
        "\xe2\x80\xa8 line separator",
    };
    static const double reals[] = {0.0, 1.0, -0.5, 0.1, 0.93, 0.999999, 1e20, 1e-5, 1.5e-300, 123456789.125, 1e100};
    both b;
    both_init(&b);
    json_t *t = json_object();
    BOTH(&b, cpi_jw_obj(w_));
    json_t *a = json_array();
    BOTH(&b, cpi_jw_key(w_, "strings"));
    BOTH(&b, cpi_jw_arr(w_));
    for (size_t k = 0; k < sizeof strings / sizeof *strings; k++) {
        json_array_append_new(a, json_string(strings[k]));
        BOTH(&b, cpi_jw_str(w_, strings[k]));
    }
    BOTH(&b, cpi_jw_arr_end(w_));
    json_object_set_new(t, "strings", a);
    a = json_array();
    BOTH(&b, cpi_jw_key(w_, "reals"));
    BOTH(&b, cpi_jw_arr(w_));
    for (size_t k = 0; k < sizeof reals / sizeof *reals; k++) {
        json_array_append_new(a, json_real(reals[k]));
        BOTH(&b, cpi_jw_real(w_, reals[k]));
    }
    BOTH(&b, cpi_jw_arr_end(w_));
    json_object_set_new(t, "reals", a);
    json_object_set_new(t, "int", json_integer(-9007199254740993LL));
    BOTH(&b, cpi_jw_kint(w_, "int", -9007199254740993LL));
    json_object_set_new(t, "yes", json_true());
    BOTH(&b, cpi_jw_kbool(w_, "yes", true));
    json_object_set_new(t, "no", json_false());
    BOTH(&b, cpi_jw_kbool(w_, "no", false));
    json_object_set_new(t, "nothing", json_null());
    BOTH(&b, cpi_jw_kstr(w_, "nothing", NULL));
    json_object_set_new(t, "key \"quoted\"\n", json_object());
    BOTH(&b, cpi_jw_key(w_, "key \"quoted\"\n"));
    BOTH(&b, cpi_jw_obj(w_));
    BOTH(&b, cpi_jw_obj_end(w_));
    json_object_set_new(t, "empty", json_array());
    BOTH(&b, cpi_jw_key(w_, "empty"));
    BOTH(&b, cpi_jw_arr(w_));
    BOTH(&b, cpi_jw_arr_end(w_));
    json_t *nested = json_pack("[[], {}, [[]], {s:[]}]", "a");
    assert_non_null(nested);
    BOTH(&b, cpi_jw_key(w_, "nested"));
    BOTH(&b, (cpi_jw_arr(w_), cpi_jw_arr(w_), cpi_jw_arr_end(w_), cpi_jw_obj(w_), cpi_jw_obj_end(w_), cpi_jw_arr(w_),
              cpi_jw_arr(w_), cpi_jw_arr_end(w_), cpi_jw_arr_end(w_), cpi_jw_obj(w_), cpi_jw_key(w_, "a"),
              cpi_jw_arr(w_), cpi_jw_arr_end(w_), cpi_jw_obj_end(w_), cpi_jw_arr_end(w_)));
    json_object_set_new(t, "nested", nested);
    BOTH(&b, cpi_jw_obj_end(w_));
    check(&b, t);

    both_init(&b); /* empty documents */
    BOTH(&b, (cpi_jw_obj(w_), cpi_jw_obj_end(w_)));
    check(&b, json_object());
    both_init(&b);
    BOTH(&b, (cpi_jw_arr(w_), cpi_jw_arr_end(w_)));
    check(&b, json_array());
}

/* ------------------------------------------------------------------ random documents */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void random_string(char *out, size_t cap)
{
    static const char *const pieces[] = {"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f",
                                         "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "niche:OCC-19-000123"};
    size_t n = 0, k = next(8);
    out[0] = '\0';
    for (size_t i = 0; i < k; i++) {
        const char *p = pieces[next(sizeof pieces / sizeof *pieces)];
        if (n + strlen(p) + 1 > cap)
            break;
        strcpy(out + n, p);
        n += strlen(p);
    }
}

/* One random value written to both writers and returned as a tree. */
static json_t *random_value(both *b, int depth)
{
    char s[128];
    switch (depth > 4 ? next(5) : next(7)) {
    case 0:
        random_string(s, sizeof s);
        BOTH(b, cpi_jw_str(w_, s));
        return json_string(s);
    case 1: {
        long long v = (long long)next(2000000) - 1000000;
        BOTH(b, cpi_jw_int(w_, v));
        return json_integer(v);
    }
    case 2: {
        double v = (double)next(1000000) / (double)(1 + next(1000)) * (next(2) ? 1e-7 : 1.0);
        BOTH(b, cpi_jw_real(w_, v));
        return json_real(v);
    }
    case 3: {
        bool v = next(2);
        BOTH(b, cpi_jw_bool(w_, v));
        return json_boolean(v);
    }
    case 4:
        BOTH(b, cpi_jw_null(w_));
        return json_null();
    case 5: {
        json_t *a = json_array();
        BOTH(b, cpi_jw_arr(w_));
        for (uint32_t i = 0, n = next(5); i < n; i++)
            json_array_append_new(a, random_value(b, depth + 1));
        BOTH(b, cpi_jw_arr_end(w_));
        return a;
    }
    default: {
        json_t *o = json_object();
        BOTH(b, cpi_jw_obj(w_));
        for (uint32_t i = 0, n = next(5); i < n; i++) {
            char key[140];
            random_string(s, sizeof s);
            snprintf(key, sizeof key, "k%u%s", i, s); /* distinct keys: a tree would keep only one of two */
            BOTH(b, cpi_jw_key(w_, key));
            json_object_set_new(o, key, random_value(b, depth + 1));
        }
        BOTH(b, cpi_jw_obj_end(w_));
        return o;
    }
    }
}

static void test_random_documents(void **state)
{
    (void)state;
    for (int i = 0; i < 500; i++) {
        both b;
        both_init(&b);
        check(&b, random_value(&b, 0));
    }
}

static void test_reset_and_print(void **state)
{
    (void)state;
    cpi_jw w;
    cpi_jw_init(&w, 2);
    cpi_jw_obj(&w);
    cpi_jw_kint(&w, "a", 1);
    cpi_jw_obj_end(&w);
    cpi_jw_reset(&w);
    cpi_jw_arr(&w);
    cpi_jw_str(&w, "x");
    cpi_jw_arr_end(&w);
    size_t len;
    assert_string_equal(cpi_jw_text(&w, &len), "[\n  \"x\"\n]");
    assert_int_equal(len, 9);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_int_equal(cpi_jw_print(&w, f), 0);
    fclose(f);
    assert_string_equal(buf, "[\n  \"x\"\n]\n");
    free(buf);
    cpi_jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_random_documents),
        cmocka_unit_test(test_reset_and_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
