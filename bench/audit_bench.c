/*
 * audit_bench.c - what the audit log costs: a query's consultation entry (one
 * write transaction, committed to disk) and how long verify and a filtered
 * 'audit show' take once the log is long.
 *
 * Writes N consultation entries (each with 3 entity ids and 8 references, like
 * a child profile) into a fresh store in a temporary directory, timing every
 * append, then times cpi_audit_verify and cpi_audit_query (one user's entries)
 * over the whole log, 5 runs each, and prints medians. Synthetic values only.
 *
 * Build and run (not part of ctest):
 *   cmake --build build && cc -O2 -std=c17 -D_GNU_SOURCE -I. -o build/audit_bench \
 *      bench/audit_bench.c build/libcpindex.a -llmdb -lmsgpackc -lsodium -lutf8proc -ljansson -ligraph -lcsv -lm
 *   build/audit_bench [N]        (default 20000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static cpi_status count(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    (void)e;
    (void)err;
    (*(uint64_t *)ctx)++;
    return CPI_OK;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    char dir[] = "/tmp/audit-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 3;
    char db[64];
    snprintf(db, sizeof db, "%s/db", dir);
    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    if (cpi_store_open(db, &o, &st, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 3;
    }
    double *t = malloc(sizeof *t * (size_t)n);
    for (int i = 0; i < n; i++) {
        cpi_grant g = {.reason = "benchmark run, synthetic", .action = "child"};
        snprintf(g.user, sizeof g.user, "user%d", i % 50);
        char e[3][16], r[8][40], q[64];
        const char *ents[3], *refs[8];
        for (int k = 0; k < 3; k++) {
            snprintf(e[k], sizeof e[k], "E%d", (i * 7 + k) % 100000);
            ents[k] = e[k];
        }
        for (int k = 0; k < 8; k++) {
            snprintf(r[k], sizeof r[k], "niche:NOM-%07d/%d", (i * 13 + k) % 1000000, k + 1);
            refs[k] = r[k];
        }
        snprintf(q, sizeof q, "child --name 'Synthetic %d' --dob 2010-01-01", i);
        double t0 = now();
        if (cpi_audit_consultation(st, &g, q, ents, 3, refs, 8, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 3;
        }
        t[i] = now() - t0;
    }
    qsort(t, (size_t)n, sizeof *t, cmp_d);
    printf("consultation append: median %.3f ms, p99 %.3f ms (%d entries, one committed write txn each)\n",
           t[n / 2] * 1e3, t[(size_t)n * 99 / 100] * 1e3, n);
    double v[5], qt[5];
    uint64_t hits = 0;
    for (int r = 0; r < 5; r++) {
        cpi_audit_report rep;
        double t0 = now();
        if (cpi_audit_verify(st, NULL, &rep, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 3;
        }
        v[r] = now() - t0;
        cpi_audit_filter f = {.user = "user7"};
        hits = 0;
        t0 = now();
        cpi_audit_query(st, &f, count, &hits, &err);
        qt[r] = now() - t0;
    }
    qsort(v, 5, sizeof *v, cmp_d);
    qsort(qt, 5, sizeof *qt, cmp_d);
    printf("verify:      median %.1f ms for %d entries (%.0f entries/s)\n", v[2] * 1e3, n, n / v[2]);
    printf("audit query: median %.1f ms for %d entries, %llu matched (one user)\n", qt[2] * 1e3, n,
           (unsigned long long)hits);
    cpi_store_stats s;
    cpi_store_stats_get(st, &s, &err);
    printf("store size:  %.1f MiB on disk (%.0f bytes per entry)\n", s.file_bytes / 1048576.0,
           (double)s.file_bytes / n);
    cpi_store_close(st);
    free(t);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 3;
}
