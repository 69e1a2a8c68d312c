/*
 * csv_bench.c - is the hand-written reader (ingest/csv.c) fast enough, and
 * how does it compare with libcsv on the same file?
 *
 * ingest/csv.c is hand-written because its resync rule needs the raw bytes
 * of the pending row, which libcsv does not expose; the project rule is that
 * a hand-written parser must be measured against the library. This program
 * generates two files (deterministic, synthetic, no personal data), reads
 * each 5 times with both parsers (alternating) and prints the median MB/s
 * and rows/s side by side, with the ratio:
 *   simple: 2M rows x 20 columns, no quotes (~200 MB)
 *   quoted: the same plus quoted fields with commas (every 4th row), with a
 *           line break (every 50th) and with doubled quotes (every 20th)
 * The work is not identical, and the difference favours libcsv: our reader
 * checks every field's UTF-8 and NUL bytes and copies the fields out
 * NUL-terminated; the libcsv callbacks only count fields and bytes.
 *
 * Build and run (not part of ctest; any build dir works, files go to DIR):
 *   cc -O2 -std=c17 -D_GNU_SOURCE -I. -o build-csv/csv_bench \
 *      bench/csv_bench.c ingest/csv.c core/error.c -lcsv
 *   build-csv/csv_bench [DIR=/tmp] [ROWS=2000000]
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ingest/csv.h"

#define NCOLS 20
#define RUNS 5

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const char *const k_words[] = {"Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes",
                                      "Lewis", "Morgan", "Griffiths", "Cardiff", "Newport", "Swansea", "Wrexham"};
#define NWORDS (sizeof k_words / sizeof k_words[0])

/* One field of about 4 bytes on average, so a row is ~100 bytes. */
static void put_field(FILE *f, unsigned long row, int col, bool quoted)
{
    if (col == 0) {
        fprintf(f, "R%lu", row);
        return;
    }
    if (quoted && col == 7 && row % 4 == 0) {
        const char *a = k_words[rnd() % NWORDS], *b = k_words[rnd() % NWORDS];
        if (row % 50 == 0)
            fprintf(f, "\"%s,\n%s\"", a, b);
        else if (row % 20 == 0)
            fprintf(f, "\"%s \"\"%s\"\"\"", a, b);
        else
            fprintf(f, "\"%s, %s\"", a, b);
        return;
    }
    switch (col % 4) {
    case 0: fprintf(f, "%u", (unsigned)(rnd() % 1000)); break;
    case 1: fputs(k_words[rnd() % NWORDS], f); break;
    case 2: break; /* empty */
    default: fprintf(f, "%c%u", 'A' + (int)(rnd() % 26), (unsigned)(rnd() % 100)); break;
    }
}

static int generate(const char *path, unsigned long rows, bool quoted)
{
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0)
        return 0;  /* reuse: the content is deterministic */
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    static char vbuf[1 << 20];
    setvbuf(f, vbuf, _IOFBF, sizeof vbuf);
    for (int c = 0; c < NCOLS; c++)
        fprintf(f, "%scol%d", c ? "," : "", c);
    fputc('\n', f);
    for (unsigned long r = 0; r < rows; r++) {
        for (int c = 0; c < NCOLS; c++) {
            if (c)
                fputc(',', f);
            put_field(f, r, c, quoted);
        }
        fputc('\n', f);
    }
    return fclose(f);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct counts {
    uint64_t rows, fields, bytes, rejects;
} counts;

static int run_cpi(const char *path, counts *k)
{
    cpi_csv *csv;
    cpi_error err;
    if (cpi_csv_open(path, NULL, &csv, &err) != CPI_OK) {
        fprintf(stderr, "csv_bench: %s\n", err.msg);
        return -1;
    }
    cpi_csv_row r;
    cpi_status s;
    memset(k, 0, sizeof *k);
    while ((s = cpi_csv_next(csv, &r, &err)) == CPI_OK) {
        if (r.reject_reason) {
            k->rejects++;
            continue;
        }
        k->rows++;
        k->fields += r.nfields;
        for (size_t i = 0; i < r.nfields; i++)
            k->bytes += r.len[i];
    }
    cpi_csv_close(csv);
    if (s != CPI_NOT_FOUND) {
        fprintf(stderr, "csv_bench: %s\n", err.msg);
        return -1;
    }
    k->rows++;  /* count the header as libcsv does */
    k->fields += NCOLS;
    return 0;
}

static void cb_field(void *s, size_t len, void *data)
{
    counts *k = data;
    k->fields++;
    k->bytes += len;
}

static void cb_row(int c, void *data)
{
    ((counts *)data)->rows++;
}

static int run_libcsv(const char *path, counts *k)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct csv_parser p;
    csv_init(&p, 0);
    memset(k, 0, sizeof *k);
    static char buf[1 << 20];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (csv_parse(&p, buf, n, cb_field, cb_row, k) != n) {
            fprintf(stderr, "csv_bench: libcsv: %s\n", csv_strerror(csv_error(&p)));
            rc = -1;
            break;
        }
    csv_fini(&p, cb_field, cb_row, k);
    csv_free(&p);
    fclose(f);
    k->bytes -= 4 * 10 + 5 * 10; /* the header names col0..col19, which run_cpi does not count */
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bench_file(const char *label, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    double mb = (double)st.st_size / 1e6;
    double t_cpi[RUNS], t_lib[RUNS];
    counts kc, kl;
    for (int i = 0; i < RUNS; i++) {
        double t0 = now();
        if (run_cpi(path, &kc) != 0)
            return -1;
        double t1 = now();
        if (run_libcsv(path, &kl) != 0)
            return -1;
        t_lib[i] = now() - t1;
        t_cpi[i] = t1 - t0;
    }
    if (kc.rows != kl.rows || kc.fields != kl.fields || kc.bytes != kl.bytes || kc.rejects)
        fprintf(stderr, "csv_bench: %s: parsers disagree: cpi %llu rows %llu fields %llu rejects, libcsv %llu rows %llu fields\n",
                label, (unsigned long long)kc.rows, (unsigned long long)kc.fields, (unsigned long long)kc.rejects,
                (unsigned long long)kl.rows, (unsigned long long)kl.fields);
    qsort(t_cpi, RUNS, sizeof t_cpi[0], cmp_double);
    qsort(t_lib, RUNS, sizeof t_lib[0], cmp_double);
    double mc = t_cpi[RUNS / 2], ml = t_lib[RUNS / 2];
    printf("%-7s %8.1f MB %9llu rows | cpi_csv %7.1f MB/s %10.0f rows/s | libcsv %7.1f MB/s %10.0f rows/s | "
           "cpi/libcsv %.2fx\n",
           label, mb, (unsigned long long)kc.rows - 1, mb / mc, (double)(kc.rows - 1) / mc, mb / ml,
           (double)(kl.rows - 1) / ml, ml / mc);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    unsigned long rows = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000000ul;
    char simple[4096], quoted[4096];
    snprintf(simple, sizeof simple, "%s/csv_bench_simple_%lu.csv", dir, rows);
    snprintf(quoted, sizeof quoted, "%s/csv_bench_quoted_%lu.csv", dir, rows);
    rng_state = 0x9E3779B97F4A7C15ull;
    if (generate(simple, rows, false) != 0)
        return perror(simple), 1;
    rng_state = 0x9E3779B97F4A7C15ull;
    if (generate(quoted, rows, true) != 0)
        return perror(quoted), 1;
    printf("median of %d runs, files in page cache after the first run\n", RUNS);
    if (bench_file("simple", simple) != 0 || bench_file("quoted", quoted) != 0)
        return 1;
    return 0;
}
