/*
 * test_ingest_e2e.c - cpgen's whole synthetic force through every silo
 * adapter into one store, checked against the generator's own truth.
 *
 * For each run (cpgen at --bad-rows 20, clean-ish and messy): every silo
 * folder ingests; per file the rows read, records stored and rows rejected
 * equal manifest.json; the reject files hold exactly truth.csv's rejects
 * (file, line and reason, nothing more: no good row is rejected); and every
 * stored record has exactly truth.csv's mentions, numbered, kinded and
 * roled as truth numbers them (docs/formats.md), nothing more.
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

#include "core/store.h"
#include "ingest/ingest.h"
#include "testutil.h"

/* snprintf that fails the test rather than cut a path or key short. */
static void fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, cap, f, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        fail_msg("text too long for its buffer: %.80s...", buf);
}

/* One truth.csv mention row, or one reject ("source:file:line reason"). */
typedef struct truth_mention {
    char record[CPI_REF_MAX]; /* source:RECORD_ID */
    unsigned n;
    char kind[16], role[32];
} truth_mention;

typedef struct strlist {
    char **items;
    size_t count, cap;
} strlist;

static void strlist_add(strlist *l, const char *s)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->items = realloc(l->items, l->cap * sizeof *l->items);
        assert_non_null(l->items);
    }
    l->items[l->count] = strdup(s);
    assert_non_null(l->items[l->count]);
    l->count++;
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_mention(const void *a, const void *b)
{
    const truth_mention *x = a, *y = b;
    int c = strcmp(x->record, y->record);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

typedef struct truth {
    truth_mention *mentions;
    size_t nmentions, cap;
    strlist rejects; /* "source:file:line reason" */
} truth;

/* Read truth.csv: "ref,kind,true_id,role" for mentions, "source:file:line,reject,,reason" for rejects. */
static void truth_load(const char *dir, truth *t)
{
    char path[4096], line[1024];
    fmt(path, sizeof path, "%s/truth.csv", dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "reference,kind,true_id,role\n");
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        char *f[4];
        char *p = line;
        for (int i = 0; i < 4; i++) {
            /* strsep keeps the empty true_id field of a reject row */
            f[i] = strsep(&p, ",");
            assert_non_null(f[i]);
        }
        if (strcmp(f[1], "reject") == 0) {
            char r[1200];
            fmt(r, sizeof r, "%s %s", f[0], f[3]);
            strlist_add(&t->rejects, r);
            continue;
        }
        if (t->nmentions == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 4096;
            t->mentions = realloc(t->mentions, t->cap * sizeof *t->mentions);
            assert_non_null(t->mentions);
        }
        truth_mention *m = &t->mentions[t->nmentions++];
        char *slash = strrchr(f[0], '/');
        assert_non_null(slash);
        *slash = '\0';
        assert_true(strlen(f[0]) < sizeof m->record);
        strcpy(m->record, f[0]);
        m->n = (unsigned)strtoul(slash + 1, NULL, 10);
        snprintf(m->kind, sizeof m->kind, "%s", f[1]);
        snprintf(m->role, sizeof m->role, "%s", f[3]);
    }
    fclose(fp);
    qsort(t->mentions, t->nmentions, sizeof *t->mentions, cmp_mention);
}

static void truth_free(truth *t)
{
    free(t->mentions);
    strlist_free(&t->rejects);
}

/* Append a reject file's rows as "source:file:line reason" (file = the path's last component). */
static void rejects_load(const char *path, const char *source, strlist *out)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[1 << 16];
    assert_non_null(fgets(line, sizeof line, fp));
    while (fgets(line, sizeof line, fp)) {
        /* "PATH",LINE,COLUMN,"REASON","DETAIL","RAW" */
        char *end = strstr(line, "\",");
        assert_non_null(end);
        *end = '\0';
        const char *base = strrchr(line, '/');
        base = base ? base + 1 : line + 1;
        unsigned long long ln;
        char reason[64];
        if (sscanf(end + 2, "%llu,%*[0-9],\"%63[^\"]\"", &ln, reason) != 2 &&
            sscanf(end + 2, "%llu,,\"%63[^\"]\"", &ln, reason) != 2)
            fail_msg("%s: cannot read reject row %s", path, end + 2);
        char r[1200];
        fmt(r, sizeof r, "%s:%s:%llu %s", source, base, ln, reason);
        strlist_add(out, r);
    }
    fclose(fp);
}

/* Per file of manifest.json: rows == read, records == stored, rejects == rejected. */
static void check_manifest(const char *dir, const cpi_ingest_summary *sums, size_t nsums)
{
    char path[4096];
    fmt(path, sizeof path, "%s/manifest.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        fail_msg("%s: %s", path, je.text);
    json_t *files = json_object_get(root, "files");
    assert_true(json_is_array(files));
    size_t i, matched = 0;
    json_t *f;
    json_array_foreach(files, i, f) {
        const char *rel = json_string_value(json_object_get(f, "file"));
        assert_non_null(rel);
        char want[4096];
        fmt(want, sizeof want, "%s/%s", dir, rel);
        const cpi_ingest_file *got = NULL;
        for (size_t s = 0; s < nsums && !got; s++)
            for (unsigned k = 0; k < sums[s].nfiles; k++)
                if (strcmp(sums[s].files[k].path, want) == 0)
                    got = &sums[s].files[k];
        if (!got)
            fail_msg("%s was not ingested", rel);
        matched++;
        assert_int_equal(got->status, CPI_OK);
        assert_int_equal(got->counts.read, json_integer_value(json_object_get(f, "rows")));
        assert_int_equal(got->counts.stored, json_integer_value(json_object_get(f, "records")));
        assert_int_equal(got->counts.rejected, json_integer_value(json_object_get(f, "rejects")));
        assert_int_equal(got->counts.unchanged + got->counts.replaced, 0);
    }
    size_t total = 0;
    for (size_t s = 0; s < nsums; s++)
        total += sums[s].nfiles;
    assert_int_equal(matched, total); /* and no file the generator did not write */
    json_decref(root);
}

/* Every record's mentions are exactly truth's, in truth's numbering. */
static void check_mentions(cpi_store *st, const truth *t, uint64_t stored)
{
    cpi_txn *txn;
    cpi_error err = {0};
    cpi_arena arena = {0};
    assert_int_equal(cpi_store_read_begin(st, &txn, &err), CPI_OK);
    uint64_t records = 0;
    for (size_t i = 0; i < t->nmentions;) {
        size_t j = i;
        while (j < t->nmentions && strcmp(t->mentions[j].record, t->mentions[i].record) == 0)
            j++;
        cpi_record r;
        cpi_arena_reset(&arena);
        if (cpi_store_get_record(txn, t->mentions[i].record, &arena, &r, &err) != CPI_OK)
            fail_msg("%s: not stored (%s)", t->mentions[i].record, err.msg);
        records++;
        if (r.nmentions != j - i)
            fail_msg("%s: %u mentions stored, truth has %zu", t->mentions[i].record, r.nmentions, j - i);
        for (size_t k = i; k < j; k++) {
            const truth_mention *tm = &t->mentions[k];
            assert_int_equal(tm->n, k - i + 1);
            const cpi_mention *m = &r.mentions[tm->n - 1];
            if (strcmp(cpi_kind_name(m->kind), tm->kind) != 0 || strcmp(m->role, tm->role) != 0)
                fail_msg("%s/%u: stored %s %s, truth %s %s", tm->record, tm->n, cpi_kind_name(m->kind), m->role,
                         tm->kind, tm->role);
        }
        i = j;
    }
    cpi_txn_end(txn);
    cpi_arena_free(&arena);
    /* every good row has a mention, so truth names every stored record */
    assert_int_equal(records, stored);
}

static void run_force(const char *args)
{
    char *tmp = tu_mkdtemp();
    assert_non_null(tmp);
    char *cpgen = tu_build_path("cpgen");
    char cmd[8192], force[4096], db[4096], rj[4096];
    fmt(force, sizeof force, "%s/force", tmp);
    fmt(db, sizeof db, "%s/db", tmp);
    fmt(rj, sizeof rj, "%s/rejects", tmp);
    fmt(cmd, sizeof cmd, "'%s' %s --out '%s' 2>&1", cpgen, args, force);
    int status;
    char *out = tu_run(cmd, &status);
    if (status != 0)
        fail_msg("%s: exit %d: %s", cmd, status, out ? out : "");
    free(out);

    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts so = {.flags = CPI_STORE_CREATE};
    assert_int_equal(cpi_store_open(db, &so, &st, &err), CPI_OK);
    static cpi_ingest_summary sums[8];
    strlist rejects = {0};
    uint64_t stored = 0;
    size_t n = 0;
    for (const cpi_adapter *const *a = cpi_adapters; *a; a++, n++) {
        char dir[4096];
        fmt(dir, sizeof dir, "%s/%s", force, (*a)->source);
        const char *paths[] = {dir};
        cpi_ingest_opts o = {.now = 1700000000 + (int64_t)n, .rejects_dir = rj};
        if (cpi_ingest(st, *a, paths, 1, &o, &sums[n], &err) != CPI_OK)
            fail_msg("ingest %s: %s", (*a)->source, err.msg);
        stored += sums[n].total.stored;
        if (sums[n].reject_path[0])
            rejects_load(sums[n].reject_path, (*a)->source, &rejects);
    }
    check_manifest(force, sums, n);

    truth t = {0};
    truth_load(force, &t);
    assert_true(t.rejects.count > 0);
    qsort(t.rejects.items, t.rejects.count, sizeof *t.rejects.items, cmp_str);
    qsort(rejects.items, rejects.count, sizeof *rejects.items, cmp_str);
    for (size_t i = 0; i < t.rejects.count || i < rejects.count; i++) {
        const char *want = i < t.rejects.count ? t.rejects.items[i] : "(none)";
        const char *got = i < rejects.count ? rejects.items[i] : "(none)";
        if (strcmp(want, got) != 0)
            fail_msg("%s: reject %zu: truth %s, ingest %s", args, i, want, got);
    }
    check_mentions(st, &t, stored);

    truth_free(&t);
    strlist_free(&rejects);
    cpi_store_close(st);
    free(cpgen);
    tu_rmrf_free(tmp);
}

static void test_default_force(void **state)
{
    (void)state;
    run_force("--seed 1 --children 1000 --bad-rows 20");
}

/* Messiness 2: three times the errors, lost group entries (numbering skips them), 6% duplicates. */
static void test_messy_force(void **state)
{
    (void)state;
    run_force("--seed 7 --children 1000 --messiness 2 --bad-rows 20");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_force),
        cmocka_unit_test(test_messy_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
