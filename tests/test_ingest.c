/*
 * test_ingest.c - the ingest engine and driver on a hand-made export
 * (tests/fixtures/ingest/referrals.csv) with a spec written here: mention
 * numbering with empty slots skipped, keys, relations, facts, every reject
 * reason with its line and column, the reject file, idempotence, replacement
 * with history, reordered columns, and refusal of a file that is not this
 * source's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/store.h"
#include "ingest/ingest.h"
#include "ingest/mapfile.h"
#include "testutil.h"

static const cpi_spec_file referral_spec = {
    .file_name = "referrals.csv",
    .record_type = "referral",
    .id_column = "Referral Ref|referral_ref",
    .date_column = "Referral Date",
    .date_required = true,
    .date_hint = "dd/mm/yyyy",
    .signature = {"Referral Ref", "Adult of Concern"},
    .mentions =
        {
            {CPI_KIND_PERSON,
             "subject",
             {{CPI_F_FORENAMES, "First Name", 0},
              {CPI_F_SURNAME, "Surname", CPI_SPEC_REQUIRED},
              {CPI_F_DOB, "DOB", 0},
              {CPI_F_GENDER, "Sex", 0}},
             CPI_SPEC_REQUIRED},
            {CPI_KIND_LOCATION,
             "home-address",
             {{CPI_F_ADDRESS, "Address Line 1", 0}, {CPI_F_ADDRESS, "Address Line 2", 0}, {CPI_F_POSTCODE, "Postcode", 0}},
             0},
            {CPI_KIND_PERSON, "adult-of-concern", {{CPI_F_NAME, "Adult of Concern", 0}, {CPI_F_DOB, "Adult Age", 0}}, 0},
            {CPI_KIND_PHONE, "adult-phone", {{CPI_F_PHONE, "Adult Phone", 0}}, 0},
        },
    .nmentions = 4,
    .relations = {{"lives-at", 1, 2, NULL, NULL, NULL},
                  {"poses-risk-to", 3, 1, NULL, NULL, NULL},
                  {"uses-phone", 3, 4, NULL, NULL, NULL}},
    .nrelations = 3,
};

static const cpi_adapter referral_adapter = {"ref", "test referrals", &referral_spec, 1, NULL, NULL};

typedef struct fx {
    char *dir, *db, *rejects;
    cpi_store *st;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    f->db = malloc(strlen(f->dir) + 16);
    sprintf(f->db, "%s/db", f->dir);
    f->rejects = malloc(strlen(f->dir) + 16);
    sprintf(f->rejects, "%s/rejects", f->dir);
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    cpi_error err = {0};
    if (cpi_store_open(f->db, &o, &f->st, &err) != CPI_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    cpi_store_close(f->st);
    free(f->db);
    free(f->rejects);
    tu_rmrf_free(f->dir);
    free(f);
    return 0;
}

static char *fixture_path(void) { return tu_source_path("tests/fixtures/ingest/referrals.csv"); }

static cpi_status run(fx *f, const char *path, cpi_ingest_summary *sum, cpi_error *err)
{
    cpi_ingest_opts o = {.now = 1700000000, .rejects_dir = f->rejects};
    const char *paths[] = {path};
    cpi_status s = cpi_ingest(f->st, &referral_adapter, paths, 1, &o, sum, err);
    if (s != CPI_OK)
        fprintf(stderr, "ingest %s: %s\n", path, err->msg);
    return s;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, fp);
    b[got] = '\0';
    fclose(fp);
    return b;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static const char *key(const cpi_mention *m, const char *name)
{
    return cpi_kv_get(&m->keys, name);
}

static void test_counts_and_rejects(void **state)
{
    fx *f = *state;
    char *p = fixture_path();
    static cpi_ingest_summary sum;
    cpi_error err = {0};
    assert_int_equal(run(f, p, &sum, &err), CPI_OK);
    assert_int_equal(sum.total.read, 7);
    assert_int_equal(sum.total.stored, 3);
    assert_int_equal(sum.total.rejected, 4);
    assert_int_equal(sum.total.unchanged + sum.total.replaced, 0);
    assert_string_equal(sum.files[0].record_type, "referral");

    /* the reject file: one line per reject, with file, line, column and reason */
    assert_true(sum.reject_path[0]);
    struct stat sb;
    assert_int_equal(stat(sum.reject_path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    char *rj = slurp(sum.reject_path);
    assert_non_null(rj);
    assert_non_null(strstr(rj, "file,line,column,reason,detail,raw\n"));
    char want[4096];
    snprintf(want, sizeof want, "\"%s\",4,2,\"impossible-date\"", p);
    assert_non_null(strstr(rj, want));
    snprintf(want, sizeof want, "\"%s\",5,4,\"empty-required-field\"", p);
    assert_non_null(strstr(rj, want));
    snprintf(want, sizeof want, "\"%s\",6,1,\"duplicate-record-id\"", p);
    assert_non_null(strstr(rj, want));
    snprintf(want, sizeof want, "\"%s\",7,1,\"invalid-record-id\"", p);
    assert_non_null(strstr(rj, want));
    int lines = 0;
    for (char *c = rj; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 5);
    free(rj);
    free(p);
}

static void test_record_content(void **state)
{
    fx *f = *state;
    char *p = fixture_path();
    static cpi_ingest_summary sum;
    cpi_error err = {0};
    assert_int_equal(run(f, p, &sum, &err), CPI_OK);
    cpi_txn *txn;
    assert_int_equal(cpi_store_read_begin(f->st, &txn, &err), CPI_OK);
    cpi_arena a = {0};
    cpi_record r;

    assert_int_equal(cpi_store_get_record(txn, "ref:R-1", &a, &r, &err), CPI_OK);
    assert_string_equal(r.type, "referral");
    assert_int_equal(r.prov.line, 2);
    assert_int_equal(r.prov.version, 1);
    assert_int_equal(r.nmentions, 4);
    assert_string_equal(r.mentions[0].role, "subject");
    assert_string_equal(cpi_kv_get(&r.mentions[0].raw, "forenames"), "Siân"); /* raw kept for display */
    assert_string_equal(key(&r.mentions[0], "fn"), "sian");
    assert_string_equal(key(&r.mentions[0], "sn"), "pryce");
    assert_string_equal(key(&r.mentions[0], "dob"), "2010-04-05");
    assert_string_equal(key(&r.mentions[0], "gender"), "f");
    assert_int_equal(r.mentions[1].kind, CPI_KIND_LOCATION);
    assert_string_equal(cpi_kv_get(&r.mentions[1].raw, "address"), "Flat 2, 14 High St"); /* lines joined */
    assert_string_equal(key(&r.mentions[1], "pc"), "NP20 1AB");
    assert_string_equal(key(&r.mentions[1], "flat"), "2");
    assert_string_equal(key(&r.mentions[1], "house"), "14");
    assert_string_equal(key(&r.mentions[1], "street_k"), "high street");
    assert_string_equal(r.mentions[2].role, "adult-of-concern");
    assert_string_equal(key(&r.mentions[2], "sn"), "jones");
    assert_string_equal(key(&r.mentions[2], "fn"), "dai");
    assert_non_null(key(&r.mentions[2], "dob_lo")); /* approx 40 -> a range */
    assert_null(key(&r.mentions[2], "dob"));
    assert_string_equal(key(&r.mentions[3], "tel"), "+447700900123");
    assert_int_equal(r.nrelations, 3);
    assert_string_equal(r.relations[1].type, "poses-risk-to");
    assert_int_equal(r.relations[1].from, 3);
    assert_int_equal(r.relations[1].to, 1);
    /* columns no mention took are facts under their lower-cased header, the date among them */
    assert_string_equal(cpi_kv_get(&r.facts, "notes"), "Seen with older males, \"Dai\"");
    assert_string_equal(cpi_kv_get(&r.facts, "referral date"), "03/04/2024");
    assert_null(cpi_kv_get(&r.facts, "surname"));

    /* empty slots take no number: R-2 has subject and home only */
    assert_int_equal(cpi_store_get_record(txn, "ref:R-2", &a, &r, &err), CPI_OK);
    assert_int_equal(r.nmentions, 2);
    assert_int_equal(r.nrelations, 1);
    assert_string_equal(r.relations[0].type, "lives-at");

    /* a DOB that cannot be read is kept raw, with no key, and does not reject an optional field */
    assert_int_equal(cpi_store_get_record(txn, "ref:R-6", &a, &r, &err), CPI_OK);
    assert_string_equal(cpi_kv_get(&r.mentions[0].raw, "dob"), "13/13/2012");
    assert_null(key(&r.mentions[0], "dob"));
    assert_string_equal(key(&r.mentions[0], "fn"), "llyr");

    /* rejected rows left nothing */
    assert_int_equal(cpi_store_get_record(txn, "ref:R-3", &a, &r, &err), CPI_NOT_FOUND);
    assert_int_equal(cpi_store_get_record(txn, "ref:R-4", &a, &r, &err), CPI_NOT_FOUND);
    cpi_txn_end(txn);
    cpi_arena_free(&a);
    free(p);
}

static void test_idempotent_and_replace(void **state)
{
    fx *f = *state;
    char *p = fixture_path();
    static cpi_ingest_summary sum;
    cpi_error err = {0};
    assert_int_equal(run(f, p, &sum, &err), CPI_OK);
    assert_int_equal(run(f, p, &sum, &err), CPI_OK);
    assert_int_equal(sum.total.read, 7);
    assert_int_equal(sum.total.unchanged, 3);
    assert_int_equal(sum.total.stored + sum.total.replaced, 0);
    assert_int_equal(sum.total.rejected, 4);

    /* the same rows with columns reordered and an empty extra column: still unchanged */
    char path[4096];
    snprintf(path, sizeof path, "%s/reordered.csv", f->dir);
    write_file(path, "Extra,Surname,Referral Date,Referral Ref,First Name,DOB,Sex,Address Line 1,Address Line 2,"
                     "Postcode,Adult of Concern,Adult Age,Adult Phone,Notes\n"
                     ",Evans,04/04/2024,R-2,Tom,2011-02-01,M,7 Church Rd,,NP4 5QT,,,,\n");
    assert_int_equal(run(f, path, &sum, &err), CPI_OK);
    assert_int_equal(sum.total.unchanged, 1);

    /* new content under the same reference replaces it and keeps the old version's hash */
    cpi_txn *txn;
    cpi_arena a = {0};
    cpi_record r;
    assert_int_equal(cpi_store_read_begin(f->st, &txn, &err), CPI_OK);
    assert_int_equal(cpi_store_get_record(txn, "ref:R-2", &a, &r, &err), CPI_OK);
    uint8_t old_hash[32];
    memcpy(old_hash, r.prov.hash, 32);
    cpi_txn_end(txn);
    write_file(path, "Referral Ref,Referral Date,First Name,Surname,DOB,Sex,Address Line 1,Address Line 2,Postcode,"
                     "Adult of Concern,Adult Age,Adult Phone,Notes\n"
                     "R-2,04/04/2024,Tom,Evans,2011-02-01,M,9 Church Rd,,NP4 5QT,,,,moved\n");
    assert_int_equal(run(f, path, &sum, &err), CPI_OK);
    assert_int_equal(sum.total.replaced, 1);
    assert_int_equal(cpi_store_read_begin(f->st, &txn, &err), CPI_OK);
    assert_int_equal(cpi_store_get_record(txn, "ref:R-2", &a, &r, &err), CPI_OK);
    assert_int_equal(r.prov.version, 2);
    assert_int_equal(r.nhistory, 1);
    assert_memory_equal(r.history[0].hash, old_hash, 32);
    assert_memory_not_equal(r.prov.hash, old_hash, 32);
    assert_string_equal(cpi_kv_get(&r.mentions[1].keys, "house"), "9");
    cpi_txn_end(txn);
    cpi_arena_free(&a);
    free(p);
}

static void test_wrong_source_refused(void **state)
{
    fx *f = *state;
    char path[4096];
    snprintf(path, sizeof path, "%s/miraf_forms.csv", f->dir);
    write_file(path, "form_ref,form_date,child_surname\nMF-2021-000001,2021-01-01,Price\n");
    static cpi_ingest_summary sum;
    cpi_error err = {0};
    assert_int_equal(run(f, path, &sum, &err), CPI_ERR_DATA);
    assert_non_null(strstr(err.msg, "Referral Ref"));  /* expected */
    assert_non_null(strstr(err.msg, "form_ref"));      /* found */
    assert_int_equal(sum.files[0].status, CPI_ERR_DATA);
    assert_int_equal(sum.total.read, 0);
    /* and a missing file is an I/O error naming it */
    snprintf(path, sizeof path, "%s/nope.csv", f->dir);
    assert_int_equal(run(f, path, &sum, &err), CPI_ERR_IO);
    assert_non_null(strstr(err.msg, "nope.csv"));
}

static void test_reader_rejects_and_formulas(void **state)
{
    fx *f = *state;
    char path[4096];
    snprintf(path, sizeof path, "%s/bad.csv", f->dir);
    FILE *fp = fopen(path, "wb");
    fputs("Referral Ref,Referral Date,First Name,Surname,DOB,Sex,Address Line 1,Address Line 2,Postcode,"
          "Adult of Concern,Adult Age,Adult Phone,Notes\n",
          fp);
    fputs("R-1,03/04/2024,Ann,Lewis,,,,,,,,,too,many\n", fp);          /* line 2: wrong-column-count */
    fputs("R-2,03/04/2024,Ann,Le\xC3\x28wis,,,,,,,,,\n", fp);          /* line 3: invalid-utf8 */
    fputs("R-3,03/04/2024,Ann,Le", fp);                                /* line 4: nul-byte */
    fputc('\0', fp);
    fputs("wis,,,,,,,,,\n", fp);
    fputs("=HYPERLINK(1),03/04/2024,Ann,Lewis,,,,,,,,,\n", fp);       /* line 5: invalid id, a formula */
    fputs("R-5,03/04/2024,Ann,Lewis,,,,,,,,,\"open\n", fp);            /* line 6: unterminated-quote */
    fputs("R-6,03/04/2024,Ann,Lewis,,,,,,,,,fine\n", fp);              /* line 7: good */
    fclose(fp);
    static cpi_ingest_summary sum;
    cpi_error err = {0};
    assert_int_equal(run(f, path, &sum, &err), CPI_OK);
    assert_int_equal(sum.total.read, 6);
    assert_int_equal(sum.total.stored, 1);
    assert_int_equal(sum.total.rejected, 5);
    char *rj = slurp(sum.reject_path);
    assert_non_null(strstr(rj, ",2,14,\"wrong-column-count\""));
    assert_non_null(strstr(rj, ",3,4,\"invalid-utf8\""));
    assert_non_null(strstr(rj, ",4,4,\"nul-byte\""));
    assert_non_null(strstr(rj, ",6,13,\"unterminated-quote\""));
    assert_non_null(strstr(rj, "\"'=HYPERLINK(1),03/04")); /* neutralised for spreadsheets */
    assert_non_null(strstr(rj, "Le\\xC3(wis"));            /* bad bytes shown, file stays UTF-8 */
    assert_non_null(strstr(rj, "Le\\x00wis"));
    free(rj);
}

static void test_folder(void **state)
{
    fx *f = *state;
    char sub[4096], path[4200];
    snprintf(sub, sizeof sub, "%s/export", f->dir);
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/referrals.csv", sub);
    char *p = fixture_path();
    char *text = slurp(p);
    write_file(path, text);
    snprintf(path, sizeof path, "%s/README.txt", sub);
    write_file(path, "not a csv: skipped\n");
    static cpi_ingest_summary sum;
    cpi_error err = {0};
    assert_int_equal(run(f, sub, &sum, &err), CPI_OK);
    assert_int_equal(sum.nfiles, 1);
    assert_int_equal(sum.total.stored, 3);
    free(text);
    free(p);
}

/* The shipped example mapping loads the same spreadsheet through the generic adapter. */
static void test_example_map(void **state)
{
    fx *f = *state;
    char *map = tu_source_path("docs/example-map.ini");
    char *p = fixture_path();
    cpi_mapfile *mf = NULL;
    cpi_error err = {0};
    assert_int_equal(cpi_mapfile_load(map, &mf, &err), CPI_OK);
    cpi_ingest_opts o = {.now = 1700000000, .rejects_dir = f->rejects};
    const char *paths[] = {p};
    static cpi_ingest_summary sum;
    assert_int_equal(cpi_ingest(f->st, &mf->adapter, paths, 1, &o, &sum, &err), CPI_OK);
    assert_int_equal(sum.total.read, 7);
    assert_int_equal(sum.total.stored, 3);
    assert_int_equal(sum.total.rejected, 4);
    cpi_txn *txn;
    cpi_arena a = {0};
    cpi_record r;
    assert_int_equal(cpi_store_read_begin(f->st, &txn, &err), CPI_OK);
    assert_int_equal(cpi_store_get_record(txn, "yot:R-1", &a, &r, &err), CPI_OK);
    assert_string_equal(r.type, "referral");
    assert_int_equal(r.nmentions, 4);
    assert_string_equal(cpi_kv_get(&r.mentions[0].keys, "sn"), "pryce");
    cpi_txn_end(txn);
    cpi_arena_free(&a);
    cpi_mapfile_free(mf);
    free(map);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_and_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotent_and_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_source_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_rejects_and_formulas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_example_map, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
