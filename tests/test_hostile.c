/*
 * test_hostile.c - hostile input through `cpindex ingest` and the library:
 * each gives a clear error or a reject row, in bounded memory, and loses
 * nothing from the rest of the file.
 *
 * Inputs (a MIRAF export from cpgen supplies the header and the good rows
 * put before and after each hostile one): a 100 MB field; a row of a million
 * columns; a file of nothing but quotes, and a 5 MB row of them; NUL bytes in
 * a field and in the header; invalid and overlong UTF-8; a 10 GB sparse file
 * (truncate -s 10G: all NUL, no header) and a header followed by a 1 GiB hole
 * and one good row; spreadsheet formula payloads (the reject file must not
 * start any field with = + - @ tab or CR); paths with spaces and shell
 * metacharacters for the file, the store and the reject folder; a mapping
 * file naming columns the file does not have. Peak RSS and CPU time come from
 * wait4() on the cpindex process; the library cases from getrusage().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/store.h"
#include "ingest/csv.h"
#include "ingest/ingest.h"
#include "testutil.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CPI_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(CPI_UNDER_ASAN)
#define CPI_UNDER_ASAN 1
#endif
#ifdef CPI_UNDER_ASAN
/* AddressSanitizer's shadow memory and its quarantine of freed blocks (256 MiB by default) put
 * ~120 MiB under even a small ingest, so the bound is checked by the plain build (make test); here it
 * only catches a whole file or field held several times over. */
#define RSS_LIMIT_KB (384 * 1024)
#else
#define RSS_LIMIT_KB (64 * 1024) /* every case: the reader's window is 2 MiB, a row's fields at most ~40 MB */
#endif

static char *cli, *tmp;
static char header[8192], good1[4096], good2[4096];
static size_t ncols;

static void fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, cap, f, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        fail_msg("text too long for its buffer");
}

typedef struct run {
    int status;
    long rss_kb;
    double cpu, sys, wall;
    char *out, *err;
    json_t *json; /* ingest --json output, if it parsed */
} run;

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
    json_decref(r->json);
}

/* Run cpindex with argv (NULL-terminated, without the program), measuring it. */
static run cpindex(const char *const *args)
{
    char *argv[32] = {cli};
    int n = 1;
    for (; args[n - 1]; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    char o[4200], e[4200];
    fmt(o, sizeof o, "%s/out.txt", tmp);
    fmt(e, sizeof e, "%s/err.txt", tmp);
    run r = {0};
    double t0 = tu_now();
    pid_t pid = tu_spawn(argv, o, e);
    int st;
    struct rusage ru;
    assert_int_equal(wait4(pid, &st, 0, &ru), pid);
    r.wall = tu_now() - t0;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.rss_kb = ru.ru_maxrss;
    r.cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
            (double)ru.ru_stime.tv_usec / 1e6;
    r.sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    r.out = tu_slurp(o, NULL);
    r.err = tu_slurp(e, NULL);
    r.json = json_loads(r.out ? r.out : "", 0, NULL);
    return r;
}

static uint64_t jcount(const run *r, const char *key)
{
    assert_non_null(r->json);
    return (uint64_t)json_integer_value(json_object_get(r->json, key));
}

/* Ingest one MIRAF file into a fresh store; JSON out. */
static run ingest_file(const char *file, const char *name)
{
    char db[4200], rj[4200];
    fmt(db, sizeof db, "%s/%s.db", tmp, name);
    fmt(rj, sizeof rj, "%s/%s-rejects", tmp, name);
    const char *args[] = {"--db", db, "ingest", "miraf", file, "--rejects", rj, "--json", NULL};
    return cpindex(args);
}

/* The one reject file of a run (rejects dir named after the case), read back through the CSV reader. */
typedef struct reject_row {
    unsigned long line, column;
    char reason[32];
} reject_row;

static size_t read_rejects(const char *name, reject_row *rows, size_t cap)
{
    char cmd[4400];
    fmt(cmd, sizeof cmd, "ls '%s/%s-rejects'/*.csv", tmp, name);
    char *p = tu_run(cmd, NULL);
    p[strcspn(p, "\n")] = '\0';
    cpi_csv *csv;
    cpi_error err = {0};
    cpi_csv_opts o = {.max_row_bytes = 4u << 20};
    if (cpi_csv_open(p, &o, &csv, &err) != CPI_OK)
        fail_msg("reject file %s: %s", p, err.msg);
    free(p);
    assert_int_equal(cpi_csv_ncols(csv), 6);
    size_t n = 0;
    cpi_csv_row row;
    while (cpi_csv_next(csv, &row, &err) == CPI_OK) {
        if (row.reject_reason)
            fail_msg("the reject file's own line %llu is not good CSV (%s)", (unsigned long long)row.line,
                     row.reject_reason);
        for (size_t i = 0; i < row.nfields; i++) /* spreadsheet-safe: no field starts a formula */
            if (row.len[i] && strchr("=+-@\t\r", row.field[i][0]))
                fail_msg("reject file line %llu field %zu starts with '%c': a spreadsheet would run it",
                         (unsigned long long)row.line, i + 1, row.field[i][0]);
        if (n < cap) {
            rows[n].line = strtoul(row.field[1], NULL, 10);
            rows[n].column = strtoul(row.field[2], NULL, 10);
            snprintf(rows[n].reason, sizeof rows[n].reason, "%s", row.field[3]);
        }
        n++;
    }
    cpi_csv_close(csv);
    return n;
}

/* A file: the header, good1, each of the middle rows, good2. */
static void write_case(const char *path, const char *const *middle, const size_t *lens, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "%s\n%s\n", header, good1);
    for (size_t i = 0; i < n; i++) {
        fwrite(middle[i], 1, lens[i], f);
        fputc('\n', f);
    }
    fprintf(f, "%s\n", good2);
    assert_int_equal(fclose(f), 0);
}

/* Commas to pad a row whose first k fields are written out to the header's width. */
static char *pad(size_t k)
{
    char *p = malloc(ncols + 1);
    size_t n = ncols > k ? ncols - k : 0;
    memset(p, ',', n);
    p[n] = '\0';
    return p;
}

/* name: the case's name as given to ingest_file (its reject folder) */
static void expect_rejects(const run *r, const char *name, uint64_t read, uint64_t stored, const reject_row *want,
                           size_t nwant)
{
    if (r->status != 0 || !r->json)
        fail_msg("%s: exit %d\n%s", name, r->status, r->err);
    assert_int_equal(jcount(r, "read"), read);
    assert_int_equal(jcount(r, "stored"), stored); /* the good rows before and after are kept */
    assert_int_equal(jcount(r, "rejected"), nwant);
    reject_row got[16];
    assert_int_equal(read_rejects(name, got, 16), nwant);
    for (size_t i = 0; i < nwant; i++) {
        if (got[i].line != want[i].line || got[i].column != want[i].column || strcmp(got[i].reason, want[i].reason))
            fail_msg("%s: reject %zu is line %lu column %lu %s, wanted line %lu column %lu %s", name, i, got[i].line,
                     got[i].column, got[i].reason, want[i].line, want[i].column, want[i].reason);
    }
    if (r->rss_kb > RSS_LIMIT_KB)
        fail_msg("%s: peak RSS %ld KiB", name, r->rss_kb);
}

static int setup(void **state)
{
    (void)state;
    char *rel = tu_build_path("cpindex");
    cli = realpath(rel, NULL); /* absolute: one case runs from another directory */
    free(rel);
    if (!cli)
        return -1;
    char *gen = tu_build_path("cpgen");
    tmp = tu_mkdtemp();
    char *me = tu_run("id -un", NULL);
    me[strcspn(me, "\n")] = '\0';
    setenv("CPINDEX_USER", me, 1);
    free(me);
    setenv("CPINDEX_REASON", "hostile input test on synthetic data", 1);
    unsetenv("CPINDEX_DB");
    unsetenv("CPINDEX_MAP_LIMIT");
    char cmd[9000];
    fmt(cmd, sizeof cmd, "'%s' --seed 3 --children 100 --messiness 0 --out '%s/force' >/dev/null", gen, tmp);
    free(gen);
    int st;
    free(tu_run(cmd, &st));
    if (st)
        return -1;
    fmt(cmd, sizeof cmd, "%s/force/miraf/miraf_forms.csv", tmp);
    FILE *f = fopen(cmd, "r");
    if (!f || !fgets(header, sizeof header, f) || !fgets(good1, sizeof good1, f) || !fgets(good2, sizeof good2, f))
        return -1;
    fclose(f);
    header[strcspn(header, "\n")] = good1[strcspn(good1, "\n")] = good2[strcspn(good2, "\n")] = '\0';
    for (const char *p = header; *p; p++)
        ncols += *p == ',';
    ncols++;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmrf_free(tmp);
    free(cli);
    return 0;
}

static void test_hundred_megabyte_field(void **state)
{
    (void)state;
    char path[4200];
    fmt(path, sizeof path, "%s/big.csv", tmp);
    size_t big = 100u << 20;
    char *p = pad(4), *row = malloc(big + 4096);
    int n = snprintf(row, 4096, "MF-2099-000001,2022-12-22,Dean,\"");
    memset(row + n, 'x', big);
    snprintf(row + n + big, 4096 - 0, "\"%s", p);
    const char *mid[] = {row};
    size_t lens[] = {strlen(row)};
    write_case(path, mid, lens, 1);
    free(row);
    free(p);
    run r = ingest_file(path, "big");
    reject_row want[] = {{3, 4, "row-too-large"}};
    expect_rejects(&r, "big", 3, 2, want, 1);
    print_message("hostile: 100 MB field: %.2f s, %ld KiB peak RSS\n", r.wall, r.rss_kb);
    run_free(&r);
}

static void test_million_columns(void **state)
{
    (void)state;
    char path[4200];
    fmt(path, sizeof path, "%s/wide.csv", tmp);
    size_t n = 1000000;
    char *row = malloc(n + 64);
    int k = snprintf(row, 64, "MF-2099-000002");
    memset(row + k, ',', n - 1);
    row[k + n - 1] = '\0';
    const char *mid[] = {row};
    size_t lens[] = {strlen(row)};
    write_case(path, mid, lens, 1);
    free(row);
    run r = ingest_file(path, "wide");
    reject_row want[] = {{3, ncols + 1, "wrong-column-count"}};
    expect_rejects(&r, "wide", 3, 2, want, 1);
    print_message("hostile: a million columns: %.2f s, %ld KiB peak RSS\n", r.wall, r.rss_kb);
    run_free(&r);
}

static void test_quotes(void **state)
{
    (void)state;
    /* a file of nothing but quotes: no header, said at once */
    char path[4200];
    fmt(path, sizeof path, "%s/quotes.csv", tmp);
    size_t n = 10u << 20;
    char *q = malloc(n);
    memset(q, '"', n);
    FILE *f = fopen(path, "wb");
    fwrite(q, 1, n, f);
    fclose(f);
    run r = ingest_file(path, "quotes");
    assert_int_equal(r.status, 3);
    if (!strstr(r.err, "quotes.csv: line 1: bad header row (row-too-large): it runs past 1048576 bytes without ending"))
        fail_msg("a file of quotes: %s", r.err);
    assert_true(r.rss_kb < RSS_LIMIT_KB);
    run_free(&r);
    /* a 5 MB row of quotes inside a good file */
    fmt(path, sizeof path, "%s/quote-row.csv", tmp);
    const char *mid[] = {q};
    size_t lens[] = {5u << 20};
    write_case(path, mid, lens, 1);
    free(q);
    r = ingest_file(path, "quote-row");
    reject_row want[] = {{3, 1, "row-too-large"}};
    expect_rejects(&r, "quote-row", 3, 2, want, 1);
    run_free(&r);
}

static void test_nul_and_utf8(void **state)
{
    (void)state;
    char path[4200];
    fmt(path, sizeof path, "%s/bytes.csv", tmp);
    char *p = pad(4);
    const char *bodies[] = {
        "De\0an,Price",           /* NUL */
        "\xC0\xAF" "an,Price",    /* overlong '/' */
        "\xE0\x80\xAF,Price",     /* overlong, 3 bytes */
        "\xED\xA0\x80,Price",     /* a surrogate */
        "\xF4\x90\x80\x80,Price", /* above U+10FFFF */
        "\xFF\xFE,Price",         /* never valid */
        "ab\xE2\x82,Price",       /* cut short */
        "Price,\x80",             /* a stray continuation byte, in column 4 */
    };
    const size_t blen[] = {11, 10, 9, 9, 10, 8, 10, 7};
    char *rows[8];
    size_t lens[8];
    for (int i = 0; i < 8; i++) {
        char id[32];
        snprintf(id, sizeof id, "MF-2099-%06d", 10 + i);
        size_t n = strlen(id) + 12 + blen[i] + strlen(p);
        rows[i] = malloc(n + 1);
        int k = snprintf(rows[i], n + 1, "%s,2022-12-22,", id);
        memcpy(rows[i] + k, bodies[i], blen[i]);
        memcpy(rows[i] + k + blen[i], p, strlen(p) + 1);
        lens[i] = (size_t)k + blen[i] + strlen(p);
    }
    write_case(path, (const char *const *)rows, lens, 8);
    for (int i = 0; i < 8; i++)
        free(rows[i]);
    free(p);
    run r = ingest_file(path, "bytes");
    reject_row want[] = {{3, 3, "nul-byte"},     {4, 3, "invalid-utf8"}, {5, 3, "invalid-utf8"},
                         {6, 3, "invalid-utf8"}, {7, 3, "invalid-utf8"}, {8, 3, "invalid-utf8"},
                         {9, 3, "invalid-utf8"}, {10, 4, "invalid-utf8"}};
    expect_rejects(&r, "bytes", 10, 2, want, 8);
    run_free(&r);

    /* NUL bytes in the header: not a text file, said at once */
    fmt(path, sizeof path, "%s/binary.csv", tmp);
    FILE *f = fopen(path, "wb");
    fwrite("form_ref\0\0\0\x01\x02,x\n1,2\n", 1, 19, f);
    fclose(f);
    r = ingest_file(path, "binary");
    assert_int_equal(r.status, 3);
    if (!strstr(r.err, "binary.csv: line 1: bad header row (nul-byte): not a CSV text file"))
        fail_msg("NUL in the header: %s", r.err);
    run_free(&r);
}

static void test_sparse_files(void **state)
{
    (void)state;
    /* truncate -s 10G: ten gigabytes of NUL and no line end */
    char path[4200];
    fmt(path, sizeof path, "%s/sparse10g.csv", tmp);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)10 << 30), 0);
    close(fd);
    run r = ingest_file(path, "sparse10g");
    assert_int_equal(r.status, 3);
    if (!strstr(r.err, "sparse10g.csv: line 1: bad header row (nul-byte): not a CSV text file"))
        fail_msg("a 10 GB sparse file: %s", r.err);
    print_message("hostile: 10 GB sparse file refused in %.2f s, %.2f cpu-s, %ld KiB peak RSS\n", r.wall, r.cpu,
                  r.rss_kb);
    assert_true(r.cpu < 2.0 && r.rss_kb < RSS_LIMIT_KB);
    run_free(&r);
    /* the library's reader says the same, and as fast */
    cpi_csv *csv;
    cpi_error err = {0};
    double t0 = tu_now();
    assert_int_equal(cpi_csv_open(path, NULL, &csv, &err), CPI_ERR_DATA);
    assert_non_null(strstr(err.msg, "not a CSV text file"));
    assert_true(tu_now() - t0 < 5.0);
    unlink(path);

    /* a good header, a 1 GiB hole, one good row: the hole is one NUL row, rejected; the row after it is kept */
    fmt(path, sizeof path, "%s/hole.csv", tmp);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    char head[12000];
    int hn = snprintf(head, sizeof head, "%s\n%s\n", header, good1);
    assert_int_equal(write(fd, head, (size_t)hn), hn);
    off_t end = (off_t)hn + ((off_t)1 << 30);
    char tail[4200];
    int tn = snprintf(tail, sizeof tail, "\n%s\n", good2);
    assert_int_equal(pwrite(fd, tail, (size_t)tn, end), tn);
    close(fd);
    r = ingest_file(path, "hole");
    reject_row want[] = {{3, 1, "row-too-large"}};
    expect_rejects(&r, "hole", 3, 2, want, 1);
    print_message("hostile: header + 1 GiB hole + row: %.2f s, %.2f cpu-s, %ld KiB peak RSS\n", r.wall, r.cpu,
                  r.rss_kb);
    /* the hole is never read (SEEK_DATA), which was system time (zero pages copied twice: 3+ s);
       what is left is hashing its zeros for the audit log, user time */
    if (r.sys > 1.0)
        fail_msg("a 1 GiB hole took %.2f s of system time: it was read", r.sys);
    run_free(&r);
    unlink(path);

    /* the audit log's hash of a sparse file is the hash of its bytes, holes as the NULs they read as */
    fmt(path, sizeof path, "%s/hole8m.csv", tmp);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_int_equal(write(fd, head, (size_t)hn), hn);
    assert_int_equal(pwrite(fd, tail, (size_t)tn, (off_t)hn + (8 << 20)), tn);
    assert_int_equal(ftruncate(fd, (off_t)hn + (8 << 20) + tn + (3 << 20)), 0); /* and a hole at the end */
    close(fd);
    r = ingest_file(path, "hole8m");
    assert_int_equal(r.status, 0);
    json_t *f0 = json_array_get(json_object_get(r.json, "files"), 0);
    const char *got = json_string_value(json_object_get(f0, "blake2b"));
    assert_non_null(got);
    size_t len;
    char *bytes = tu_slurp(path, &len);
    assert_int_equal(len, (size_t)hn + (8 << 20) + tn + (3 << 20));
    unsigned char h[32];
    crypto_generichash(h, 32, (const unsigned char *)bytes, len, NULL, 0);
    free(bytes);
    char hex[65];
    for (int k = 0; k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", h[k]);
    assert_string_equal(got, hex);
    run_free(&r);
    unlink(path);
}

static void test_formula_payloads(void **state)
{
    (void)state;
    /* rejected rows whose raw text, detail and file name would be formulas in a spreadsheet */
    char dir[4200], path[4300];
    fmt(dir, sizeof dir, "%s/=cmd", tmp);
    assert_int_equal(mkdir(dir, 0700), 0);
    fmt(path, sizeof path, "%s/=1+1.csv", dir);
    char *p = pad(3);
    char rows[6][256];
    const char *starts[] = {"=HYPERLINK(\"http://x.invalid\";\"click\")", "+cmd|' /C calc'!A0", "-2+3",
                            "@SUM(1+1)", "\t=1+1", "\r=1+1"};
    const char *mid[6];
    size_t lens[6];
    for (int i = 0; i < 6; i++) {
        /* a wrong column count: rejected, so the raw row, formula first, goes to the reject file */
        snprintf(rows[i], sizeof rows[i], "%s,2022-12-22", starts[i]);
        mid[i] = rows[i];
        lens[i] = strlen(rows[i]);
    }
    write_case(path, mid, lens, 6);
    free(p);
    /* named relatively, so the reject file's file column starts with '=' too */
    char cwd[4200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    run r = ingest_file("=1+1.csv", "formula");
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(r.status, 0);
    assert_int_equal(jcount(&r, "stored"), 2);
    reject_row got[16];
    /* read_rejects fails the test if any field of the reject file starts a formula */
    size_t n = read_rejects("formula", got, 16);
    assert_int_equal(n, 6); /* the lone CR ends an empty line: "=1+1,..." then stands as a row of its own */
    run_free(&r);
}

static void test_shell_metacharacters(void **state)
{
    (void)state;
    char dir[4200], db[4300], rj[4300], file[4400];
    fmt(dir, sizeof dir, "%s/a b;$(touch PWNED) `touch PWNED2` & | > < * ? ' \" \\ #", tmp);
    assert_int_equal(mkdir(dir, 0700), 0);
    fmt(db, sizeof db, "%s/store $(touch PWNED3).db", dir);
    fmt(rj, sizeof rj, "%s/rejects; rm -rf x", dir);
    fmt(file, sizeof file, "%s/miraf forms 'x' \"y\" $HOME.csv", dir);
    char *p = pad(2);
    char bad[64];
    snprintf(bad, sizeof bad, "MF-2099-000099,not a date");
    const char *mid[] = {bad};
    size_t lens[] = {strlen(bad)};
    write_case(file, mid, lens, 1);
    free(p);
    const char *args[] = {"--db", db, "ingest", "miraf", file, "--rejects", rj, "--json", NULL};
    run r = cpindex(args);
    if (r.status != 0)
        fail_msg("odd paths: exit %d: %s", r.status, r.err);
    assert_int_equal(jcount(&r, "stored"), 2);
    assert_int_equal(jcount(&r, "rejected"), 1);
    const char *rejfile = json_string_value(json_object_get(r.json, "reject_file"));
    assert_non_null(rejfile);
    assert_true(strncmp(rejfile, rj, strlen(rj)) == 0);
    json_t *f0 = json_array_get(json_object_get(r.json, "files"), 0);
    assert_string_equal(json_string_value(json_object_get(f0, "path")), file);
    run_free(&r);
    const char *stats[] = {"--db", db, "stats", "--json", NULL};
    r = cpindex(stats);
    assert_int_equal(r.status, 0);
    assert_int_equal(jcount(&r, "records"), 2);
    run_free(&r);
    /* nothing was run by a shell */
    char cmd[4400];
    fmt(cmd, sizeof cmd, "find '%s' / . -maxdepth 1 -name 'PWNED*' 2>/dev/null | wc -l", tmp);
    char *count = tu_run(cmd, NULL);
    assert_int_equal(atoi(count), 0);
    free(count);
    char *bad_store = tu_store_check(db);
    if (bad_store)
        fail_msg("%s", bad_store);
}

static void test_mapping_to_missing_columns(void **state)
{
    (void)state;
    char map[4200], file[4200];
    fmt(map, sizeof map, "%s/map.ini", tmp);
    fmt(file, sizeof file, "%s/referrals.csv", tmp);
    FILE *f = fopen(map, "w");
    fputs("[file]\nsource = yot\nid = Referral Ref\ndate = Referral Date\n\n"
          "[mention]\nkind = person\nrole = subject\nsurname = Family Name|Last Name\nforenames = First Name\n",
          f);
    fclose(f);
    f = fopen(file, "w");
    fputs("Referral Ref,Referral Date,First Name,Surname\nR-1,2024-04-03,Sian,Pryce\n", f);
    fclose(f);
    char db[4200];
    fmt(db, sizeof db, "%s/map.db", tmp);
    const char *args[] = {"--db", db, "ingest", "csv", "--map", map, file, NULL};
    run r = cpindex(args);
    assert_int_equal(r.status, 3);
    if (!strstr(r.err, "Family Name") || !strstr(r.err, "referrals.csv"))
        fail_msg("a mapping naming missing columns: %s", r.err);
    print_message("hostile: mapping to a missing column: %s", r.err);
    run_free(&r);
    /* and the id column itself missing */
    f = fopen(map, "w");
    fputs("[file]\nsource = yot\nid = Case Number\n\n[mention]\nkind = person\nrole = subject\nsurname = Surname\n", f);
    fclose(f);
    r = cpindex(args);
    assert_int_equal(r.status, 3);
    if (!strstr(r.err, "Case Number"))
        fail_msg("a mapping naming a missing id column: %s", r.err);
    run_free(&r);
}

/* The library directly: cpi_ingest of the 100 MB field in a child process, its peak RSS measured. */
static void test_library_bounded(void **state)
{
    (void)state;
    char path[4200], db[4200], rj[4200];
    fmt(path, sizeof path, "%s/big.csv", tmp);
    fmt(db, sizeof db, "%s/lib.db", tmp);
    fmt(rj, sizeof rj, "%s/lib-rejects", tmp);
    struct stat sb;
    if (stat(path, &sb) != 0)
        skip(); /* made by test_hundred_megabyte_field */
    fflush(stdout);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        cpi_store *st;
        cpi_error err = {0};
        cpi_store_opts o = {.flags = CPI_STORE_CREATE};
        if (cpi_store_open(db, &o, &st, &err) != CPI_OK)
            _exit(2);
        const char *paths[] = {path};
        cpi_ingest_opts io = {.rejects_dir = rj};
        static cpi_ingest_summary sum;
        cpi_status s = cpi_ingest(st, cpi_adapter_find("miraf"), paths, 1, &io, &sum, &err);
        cpi_store_close(st);
        _exit(s == CPI_OK && sum.total.read == 3 && sum.total.stored == 2 && sum.total.rejected == 1 ? 0 : 3);
    }
    int status;
    struct rusage ru;
    assert_int_equal(wait4(pid, &status, 0, &ru), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    if (ru.ru_maxrss > RSS_LIMIT_KB)
        fail_msg("cpi_ingest of a 100 MB field: peak RSS %ld KiB", ru.ru_maxrss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hundred_megabyte_field),
        cmocka_unit_test(test_library_bounded),
        cmocka_unit_test(test_million_columns),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_nul_and_utf8),
        cmocka_unit_test(test_sparse_files),
        cmocka_unit_test(test_formula_payloads),
        cmocka_unit_test(test_shell_metacharacters),
        cmocka_unit_test(test_mapping_to_missing_columns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
