/*
 * test_ingest_audit.c - ingest logs what it collects: one collection entry per
 * file (file, BLAKE2b of its bytes, counts, user, reason) in the file's own
 * transaction, an alteration entry listing replaced references (up to 999,
 * else the count alone), exactly once even when map growth re-runs the file,
 * and nothing for a file that was not ingested.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/store.h"
#include "ingest/ingest.h"
#include "testutil.h"

/* A small silo of its own: one file, a person and a place per row. */
static const cpi_spec_file spec = {
    .file_name = "visits.csv",
    .record_type = "visit",
    .id_column = "Ref",
    .date_column = "Date",
    .date_required = true,
    .date_hint = "yyyy-mm-dd",
    .signature = {"Ref", "Surname"},
    .mentions =
        {
            {CPI_KIND_PERSON, "subject", {{CPI_F_SURNAME, "Surname", CPI_SPEC_REQUIRED}}, CPI_SPEC_REQUIRED},
            {CPI_KIND_LOCATION, "home-address", {{CPI_F_POSTCODE, "Postcode", 0}}, 0},
        },
    .nmentions = 2,
    .relations = {{"lives-at", 1, 2, NULL, NULL, NULL}},
    .nrelations = 1,
};
static const cpi_adapter adapter = {"visit", "test visits", &spec, 1, NULL, NULL};

typedef struct fx {
    char *dir;
    char db[4200], file[4200], rejects[4200];
    cpi_store *st;
} fx;

static int open_store(fx *f, uint64_t map)
{
    cpi_store_opts o = {.flags = CPI_STORE_CREATE, .initial_map_size = map};
    return cpi_store_open(f->db, &o, &f->st, NULL) == CPI_OK ? 0 : -1;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    snprintf(f->db, sizeof f->db, "%s/db", f->dir);
    snprintf(f->file, sizeof f->file, "%s/visits.csv", f->dir);
    snprintf(f->rejects, sizeof f->rejects, "%s/rejects", f->dir);
    *state = f;
    return open_store(f, 0);
}

static int teardown(void **state)
{
    fx *f = *state;
    cpi_store_close(f->st);
    tu_rmrf_free(f->dir);
    free(f);
    return 0;
}

/* rows visits, R-1..R-n; `variant` changes every row's content (so a re-ingest replaces them all). */
static void write_visits(fx *f, int n, int variant, bool with_bad_row)
{
    FILE *fp = fopen(f->file, "w");
    assert_non_null(fp);
    fputs("Ref,Date,Surname,Postcode\n", fp);
    for (int i = 1; i <= n; i++)
        fprintf(fp, "R-%d,2024-04-%02d,Testname%d,NP20 %dAB\n", i, 1 + (i + variant) % 28, i, (i + variant) % 10);
    if (with_bad_row)
        fputs("R-BAD,not a date,Nobody,\n", fp);
    fclose(fp);
}

static cpi_status ingest(fx *f, const char *user, cpi_ingest_summary *sum)
{
    cpi_ingest_opts o = {.now = 1700000000, .rejects_dir = f->rejects, .audit_user = user,
                         .audit_reason = user ? "monthly visits export" : NULL, .no_reserve = true};
    const char *paths[] = {f->file};
    cpi_error err = {0};
    cpi_status s = cpi_ingest(f->st, &adapter, paths, 1, &o, sum, &err);
    if (s)
        fprintf(stderr, "ingest: %s\n", err.msg);
    return s;
}

typedef struct got {
    int n;
    cpi_audit_kind kind[8];
    char user[8][32], reason[8][64], detail[8][512];
    uint32_t nrefs[8];
    char refs[8][256];
} got;

static cpi_status grab(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    (void)err;
    got *g = ctx;
    if (g->n >= 8)
        return CPI_OK;
    int i = g->n++;
    g->kind[i] = e->kind;
    snprintf(g->user[i], sizeof g->user[i], "%s", e->user);
    snprintf(g->reason[i], sizeof g->reason[i], "%s", e->reason ? e->reason : "");
    size_t off = 0;
    for (uint32_t k = 0; k < e->details.count && off < sizeof g->detail[i]; k++)
        off += (size_t)snprintf(g->detail[i] + off, sizeof g->detail[i] - off, "%s%s=%s", k ? " " : "",
                                e->details.items[k].key, e->details.items[k].value);
    g->nrefs[i] = e->nrefs;
    off = 0;
    for (uint32_t k = 0; k < e->nrefs && k < 4 && off < sizeof g->refs[i]; k++)
        off += (size_t)snprintf(g->refs[i] + off, sizeof g->refs[i] - off, "%s%s", k ? " " : "", e->refs[k]);
    return CPI_OK;
}

static got entries(fx *f)
{
    got g = {0};
    assert_int_equal(cpi_audit_query(f->st, NULL, grab, &g, NULL), CPI_OK);
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
    assert_int_equal(rep.entries, (uint64_t)g.n);
    return g;
}

static void test_collection_entry_per_file(void **state)
{
    fx *f = *state;
    write_visits(f, 3, 0, true);
    cpi_ingest_summary sum;
    assert_int_equal(ingest(f, "admin1", &sum), CPI_OK);
    got g = entries(f);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.kind[0], CPI_AUDIT_COLLECTION);
    assert_string_equal(g.user[0], "admin1");
    assert_string_equal(g.reason[0], "monthly visits export");
    char hex[65];
    for (int k = 0; k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", sum.files[0].file_hash[k]);
    char want[4800];
    snprintf(want, sizeof want,
             "source=visit file=%s blake2b=%s record_type=visit read=4 stored=3 unchanged=0 replaced=0 rejected=1",
             f->file, hex);
    assert_string_equal(g.detail[0], want);
    /* the hash is of the file's bytes */
    FILE *fp = fopen(f->file, "rb");
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    uint8_t h[32];
    crypto_generichash(h, 32, buf, n, NULL, 0);
    assert_memory_equal(h, sum.files[0].file_hash, 32);

    /* the same file again: a second collection (it was read again), nothing altered */
    assert_int_equal(ingest(f, "admin1", &sum), CPI_OK);
    g = entries(f);
    assert_int_equal(g.n, 2);
    assert_non_null(strstr(g.detail[1], "unchanged=3 replaced=0"));
}

static void test_alteration_lists_replaced(void **state)
{
    fx *f = *state;
    write_visits(f, 5, 0, false);
    cpi_ingest_summary sum;
    assert_int_equal(ingest(f, "admin1", &sum), CPI_OK);
    /* rows 1..3 change, 4..5 stay: rewrite with a variant only for the first three */
    FILE *fp = fopen(f->file, "w");
    fputs("Ref,Date,Surname,Postcode\n", fp);
    for (int i = 1; i <= 5; i++)
        fprintf(fp, "R-%d,2024-04-%02d,Testname%d,NP20 %dAB\n", i, 1 + (i + (i <= 3)) % 28, i, (i + (i <= 3)) % 10);
    fclose(fp);
    assert_int_equal(ingest(f, "admin2", &sum), CPI_OK);
    assert_int_equal(sum.total.replaced, 3);
    got g = entries(f);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.kind[1], CPI_AUDIT_COLLECTION);
    assert_int_equal(g.kind[2], CPI_AUDIT_ALTERATION);
    assert_string_equal(g.user[2], "admin2");
    assert_int_equal(g.nrefs[2], 3);
    assert_string_equal(g.refs[2], "visit:R-1 visit:R-2 visit:R-3");
    char want[4400];
    snprintf(want, sizeof want, "file=%s replaced=3 listed=all", f->file);
    assert_string_equal(g.detail[2], want);
}

static void test_thousand_replaced_counted_not_listed(void **state)
{
    fx *f = *state;
    static const struct {
        int rows;
        uint32_t listed;
    } cases[] = {{999, 999}, {1000, 0}};
    for (size_t c = 0; c < 2; c++) {
        cpi_store_close(f->st);
        char cmd[4300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->db);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(open_store(f, 0), 0);
        write_visits(f, cases[c].rows, 0, false);
        cpi_ingest_summary sum;
        assert_int_equal(ingest(f, "admin1", &sum), CPI_OK);
        write_visits(f, cases[c].rows, 1, false);
        assert_int_equal(ingest(f, "admin1", &sum), CPI_OK);
        assert_int_equal(sum.total.replaced, (uint64_t)cases[c].rows);
        got g = entries(f);
        assert_int_equal(g.n, 3);
        assert_int_equal(g.kind[2], CPI_AUDIT_ALTERATION);
        assert_int_equal(g.nrefs[2], cases[c].listed);
        char want[32];
        snprintf(want, sizeof want, "replaced=%d", cases[c].rows);
        assert_non_null(strstr(g.detail[2], want));
    }
}

/* A tiny map makes the store grow and re-run the file: the log still holds one entry per file. */
static void test_logged_once_when_file_rerun(void **state)
{
    fx *f = *state;
    cpi_store_close(f->st);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->db);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(open_store(f, 1 << 16), 0);
    write_visits(f, 2000, 0, false);
    cpi_ingest_summary sum;
    assert_int_equal(ingest(f, "admin1", &sum), CPI_OK);
    assert_true(cpi_store_growths(f->st) > 0);
    write_visits(f, 2000, 1, false);
    assert_int_equal(ingest(f, "admin1", &sum), CPI_OK);
    got g = entries(f);
    assert_int_equal(g.n, 3);
    assert_non_null(strstr(g.detail[0], "stored=2000"));
    assert_non_null(strstr(g.detail[2], "replaced=2000"));
}

static void test_nothing_logged_without_user_or_for_failed_file(void **state)
{
    fx *f = *state;
    write_visits(f, 3, 0, false);
    cpi_ingest_summary sum;
    assert_int_equal(ingest(f, NULL, &sum), CPI_OK);
    assert_int_equal(entries(f).n, 0);
    /* a file of another shape is not ingested, and so not logged */
    FILE *fp = fopen(f->file, "w");
    fputs("Something,Else\n1,2\n", fp);
    fclose(fp);
    cpi_ingest_opts o = {.rejects_dir = f->rejects, .audit_user = "admin1", .audit_reason = "wrong file test"};
    const char *paths[] = {f->file};
    cpi_error err = {0};
    assert_int_equal(cpi_ingest(f->st, &adapter, paths, 1, &o, &sum, &err), CPI_ERR_DATA);
    assert_int_equal(entries(f).n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_collection_entry_per_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alteration_lists_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thousand_replaced_counted_not_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logged_once_when_file_rerun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_logged_without_user_or_for_failed_file, setup, teardown),
    };
    return cmocka_run_group_tests_name("ingest_audit", tests, NULL, NULL);
}
