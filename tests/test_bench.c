/*
 * test_bench.c - the parts of the benchmark suite a wrong figure would come
 * from: the nearest-rank percentiles both latency drivers report
 * (bench/latency.h), cpi-pg-export's CSV (what PostgreSQL is loaded with must
 * be exactly what the store holds), and report.py --check (the gate CI runs on
 * every benchmark result).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/latency.h"
#include "core/store.h"
#include "testutil.h"

/* ------------------------------------------------------------ percentiles */

static void test_nearest_rank(void **state)
{
    (void)state;
    static const struct {
        size_t n;  /* samples 1..n */
        double p;
        uint64_t want;
    } cases[] = {
        {1, 50, 1},      {1, 99, 1},      {2, 50, 1},       {2, 99, 2},       {3, 50, 2},
        {10, 50, 5},     {10, 95, 10},    {10, 99, 10},     {100, 50, 50},    {100, 95, 95},
        {100, 99, 99},   {100, 100, 100}, {1000, 50, 500},  {1000, 95, 950},  {1000, 99, 990},
        {1001, 99, 991}, {999, 99, 990},  {20000, 99, 19800},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t *v = malloc(cases[i].n * sizeof *v);
        assert_non_null(v);
        for (size_t k = 0; k < cases[i].n; k++)
            v[k] = k + 1;
        uint64_t got = lat_rank(v, cases[i].n, cases[i].p);
        if (got != cases[i].want)
            fail_msg("n=%zu p%g: got %llu, want %llu", cases[i].n, cases[i].p, (unsigned long long)got,
                     (unsigned long long)cases[i].want);
        free(v);
    }
}

/* lat_report sorts, converts ns to ms and writes every raw sample; the JSON must parse. */
static void test_report_json(void **state)
{
    (void)state;
    lat_samples s = {0};
    /* 200 samples in reverse: 200 ms .. 1 ms, so sorting matters */
    for (int i = 200; i >= 1; i--)
        assert_int_equal(lat_add(&s, (uint64_t)i * 1000000u), 0);
    char *buf = NULL, *raw = NULL;
    size_t len = 0, rawlen = 0;
    FILE *out = open_memstream(&buf, &len), *rf = open_memstream(&raw, &rawlen);
    lat_report(&s, 3, out, rf);
    fclose(out);
    fclose(rf);
    json_error_t je;
    json_t *j = json_loads(buf, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "errors")), 3);
    assert_true(json_real_value(json_object_get(j, "p50_ms")) == 100.0);
    assert_true(json_real_value(json_object_get(j, "p95_ms")) == 190.0);
    assert_true(json_real_value(json_object_get(j, "p99_ms")) == 198.0);
    assert_true(json_real_value(json_object_get(j, "max_ms")) == 200.0);
    assert_true(json_real_value(json_object_get(j, "mean_ms")) == 100.5);
    /* raw samples in microseconds, in the order measured */
    assert_true(strncmp(raw, "200000.000\n199000.000\n", 22) == 0);
    size_t lines = 0;
    for (char *p = raw; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 200);
    json_decref(j);
    free(buf);
    free(raw);
    free(s.ns);

    /* no samples: still one well-formed object */
    lat_samples empty = {0};
    out = open_memstream(&buf, &len);
    lat_report(&empty, 7, out, NULL);
    fclose(out);
    j = json_loads(buf, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "errors")), 7);
    json_decref(j);
    free(buf);
}

/* --------------------------------------------------------------- pg_export */

/* Values a CSV writer gets wrong: quotes, commas, a newline, a leading '-' or '=', UTF-8. */
static cpi_kv facts[] = {{"notes", "Found at \"the park\", 02:00\nsecond line"}, {"formula", "=1+2"}};
static cpi_kv raw1[] = {{"forenames", "Siân"}, {"surname", "O'NEILL, jr"}};
static cpi_kv keys1[] = {{"fn", "siân"}, {"sn", "o'neill"}, {"dob", "2009-04-03"}, {"nn", "sian"},
                         {"nn", "siani"}};
static cpi_kv raw2[] = {{"phone", "+44 7700 900123"}};
static cpi_kv keys2[] = {{"tel", "+447700900123"}};

typedef struct rows {
    char ***rows; /* rows[i][j], NUL-terminated copies */
    size_t *ncols, nrows, cap;
    char **cur;
    size_t ncur;
} rows;

static void on_field(void *s, size_t len, void *data)
{
    rows *r = data;
    r->cur = realloc(r->cur, (r->ncur + 1) * sizeof *r->cur);
    r->cur[r->ncur] = strndup(s ? s : "", len);
    r->ncur++;
}

static void on_row(int c, void *data)
{
    (void)c;
    rows *r = data;
    r->rows = realloc(r->rows, (r->nrows + 1) * sizeof *r->rows);
    r->ncols = realloc(r->ncols, (r->nrows + 1) * sizeof *r->ncols);
    r->rows[r->nrows] = r->cur;
    r->ncols[r->nrows] = r->ncur;
    r->nrows++;
    r->cur = NULL;
    r->ncur = 0;
}

static rows read_csv(const char *path)
{
    size_t len;
    char *text = tu_slurp(path, &len);
    assert_non_null(text);
    rows r = {0};
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    assert_int_equal(csv_parse(&p, text, len, on_field, on_row, &r), len);
    assert_int_equal(csv_fini(&p, on_field, on_row, &r), 0);
    csv_free(&p);
    free(text);
    return r;
}

static void free_rows(rows *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t j = 0; j < r->ncols[i]; j++)
            free(r->rows[i][j]);
        free(r->rows[i]);
    }
    free(r->rows);
    free(r->ncols);
}

typedef struct put_ctx {
    cpi_record rec;
} put_ctx;

static cpi_status put(cpi_txn *txn, void *vctx, cpi_error *err)
{
    put_ctx *c = vctx;
    cpi_put_result res;
    cpi_status s = cpi_store_put_record(txn, &c->rec, &res, err);
    if (!s) /* mention 1 resolved, mention 2 not */
        s = cpi_txn_put(txn, CPI_DB_ENTITY_OF, "miraf:MF-1/1", 12, "P-0000042", 9, err);
    return s;
}

static void test_pg_export(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), db[4096], out[4096], path[4200];
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", out);
    int rc;
    free(tu_run(cmd, &rc));
    assert_int_equal(rc, 0);

    cpi_mention ms[2] = {{CPI_KIND_PERSON, "missing-child", {raw1, 2}, {keys1, 5}},
                         {CPI_KIND_PHONE, "risk-person-phone", {raw2, 1}, {keys2, 1}}};
    cpi_relation rels[2] = {{"uses-phone", 1, 2, 18000}, {"lives-at", 2, 1, CPI_DAY_NONE}};
    put_ctx c = {{.ref = "miraf:MF-1", .type = "miraf-form", .day = 17999,
                  .prov = {.file = "f.csv", .line = 2, .ingest_time = 1700000000, .version = 1},
                  .facts = {facts, 2}, .mentions = ms, .nmentions = 2, .relations = rels, .nrelations = 2}};
    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    assert_int_equal(cpi_store_open(db, &o, &st, &err), CPI_OK);
    assert_int_equal(cpi_store_write(st, put, &c, &err), CPI_OK);
    cpi_store_close(st);

    char *bin = tu_build_path("cpi-pg-export");
    char *argv[] = {bin, db, out, NULL};
    snprintf(path, sizeof path, "%s/stdout", dir);
    assert_int_equal(tu_wait(tu_spawn(argv, path, NULL)), 0);
    char *summary = tu_slurp(path, NULL);
    json_error_t je;
    json_t *j = json_loads(summary, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "records")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "mentions")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "resolved")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "relations")), 2);
    json_decref(j);
    free(summary);

    snprintf(path, sizeof path, "%s/record.csv", out);
    rows r = read_csv(path);
    assert_int_equal(r.nrows, 1);
    assert_int_equal(r.ncols[0], 5);
    assert_string_equal(r.rows[0][0], "miraf:MF-1");
    assert_string_equal(r.rows[0][1], "miraf");
    assert_string_equal(r.rows[0][2], "miraf-form");
    assert_string_equal(r.rows[0][3], "17999");
    j = json_loads(r.rows[0][4], 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "notes")), facts[0].value);
    assert_string_equal(json_string_value(json_object_get(j, "formula")), "=1+2"); /* not neutralised */
    json_decref(j);
    free_rows(&r);

    snprintf(path, sizeof path, "%s/mention.csv", out);
    r = read_csv(path);
    assert_int_equal(r.nrows, 2);
    assert_int_equal(r.ncols[0], 10);
    const char *want1[] = {"miraf:MF-1", "1", "person", "missing-child", "P-0000042", "siân", "o'neill", "2009-04-03"};
    for (size_t k = 0; k < 8; k++)
        assert_string_equal(r.rows[0][k], want1[k]);
    j = json_loads(r.rows[0][8], 0, &je); /* keys: every value of a repeated name kept */
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "nn")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "nn"), 1)), "siani");
    json_decref(j);
    j = json_loads(r.rows[0][9], 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "surname")), "O'NEILL, jr");
    json_decref(j);
    assert_string_equal(r.rows[1][4], ""); /* not resolved: NULL for COPY */
    assert_string_equal(r.rows[1][2], "phone");
    free_rows(&r);
    /* an unresolved entity id and an unknown day are unquoted empty fields, which COPY reads as NULL */
    snprintf(path, sizeof path, "%s/mention.csv", out);
    char *text = tu_slurp(path, NULL);
    assert_non_null(strstr(text, "\"risk-person-phone\",,,,,"));
    free(text);

    snprintf(path, sizeof path, "%s/relation.csv", out);
    text = tu_slurp(path, NULL);
    assert_string_equal(text, "\"miraf:MF-1\",\"uses-phone\",1,2,18000\n\"miraf:MF-1\",\"lives-at\",2,1,\n");
    free(text);

    /* a store that is not there: exit 3, nothing claimed */
    char *argv2[] = {bin, "/nonexistent/cpi-store", out, NULL};
    assert_int_equal(tu_wait(tu_spawn(argv2, NULL, NULL)), 3);
    free(bin);
    tu_rmrf_free(dir);
}

/* ------------------------------------------------------- report.py --check */

static void test_report_check(void **state)
{
    (void)state;
    /* A minimal well-formed run, then one defect at a time. */
    static const char *ok_size =
        "{\"children\": 1000, \"gen\": {\"status\": \"ok\", \"command\": \"cpgen\"},"
        " \"ingest\": {\"overall\": {\"complete\": true, \"records_per_s\": 1.5}},"
        " \"resolve\": {\"status\": \"not available\", \"reason\": \"r\"}, \"accuracy\": {}, \"store\": {},"
        " \"queries\": {\"in_process\": {\"child_full\": {\"warm\": %s}, \"missing\": {\"warm\": {}},"
        " \"address\": {\"warm\": {}}}}, \"pg\": {\"status\": \"%s\"}, \"peak_rss\": {\"max_kb\": %s},"
        " \"failures\": []}";
    static const struct {
        const char *warm, *pg_status, *rss, *targets;
        int want;
    } cases[] = {
        {"{\"status\": \"ok\", \"command\": \"q\", \"n\": 10, \"p99_ms\": 0.5, \"sys_s\": 0.0}", "ok", "100", "[]", 0},
        {"{}", "not available", "null", "[{\"key\": \"x\", \"met\": null}]", 0},
        {"{\"status\": \"ok\", \"command\": \"q\", \"n\": 10, \"p99_ms\": -1}", "ok", "1", "[]", 1}, /* negative */
        {"{\"status\": \"ok\", \"command\": \"q\", \"n\": 0, \"p99_ms\": 1}", "ok", "1", "[]", 1},  /* no samples */
        {"{\"status\": \"ok\", \"command\": \"\", \"n\": 5, \"p99_ms\": 1}", "ok", "1", "[]", 1},  /* no command */
        {"{}", "sort of", "1", "[]", 1},                                                          /* status */
        {"{}", "ok", "\"lots\"", "[]", 1},                                                        /* not a number */
        {"{}", "ok", "1", "[{\"key\": \"x\", \"met\": \"maybe\"}]", 1},
    };
    char *dir = tu_mkdtemp();
    char *script = tu_source_path("bench/report.py");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char size[2048], path[4096], cmd[8400];
        snprintf(size, sizeof size, ok_size, cases[i].warm, cases[i].pg_status, cases[i].rss);
        snprintf(path, sizeof path, "%s/run%zu.json", dir, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f,
                "{\"schema\": \"cpindex-bench/1\", \"run_id\": \"t\", \"machine\": {\"cores\": 2, \"mem_kib\": 1024},"
                " \"sizes\": [%s], \"targets\": %s}\n",
                size, cases[i].targets);
        fclose(f);
        snprintf(cmd, sizeof cmd, "python3 '%s' --check '%s' 2>/dev/null", script, path);
        int rc;
        free(tu_run(cmd, &rc));
        if (rc != cases[i].want)
            fail_msg("case %zu: exit %d, want %d", i, rc, cases[i].want);
    }
    /* not JSON at all */
    char path[4096], cmd[8400];
    snprintf(path, sizeof path, "%s/bad.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"schema\": \"cpindex-bench/1\", ", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "python3 '%s' --check '%s' 2>/dev/null", script, path);
    int rc;
    free(tu_run(cmd, &rc));
    assert_int_equal(rc, 1);
    free(script);
    tu_rmrf_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nearest_rank),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_pg_export),
        cmocka_unit_test(test_report_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
