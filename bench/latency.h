/*
 * latency.h - the clock and the summary the benchmark's latency drivers
 * share (bench/query_bench.c for cpindex, bench/pg_bench.c for PostgreSQL),
 * so both sides are timed and summarised by the same code.
 *
 * A sample is nanoseconds on CLOCK_MONOTONIC. Percentiles are nearest-rank
 * (p99 of 1,000 samples is the 990th smallest), so every figure reported is
 * a latency that was actually measured. Header-only: each driver is one
 * translation unit built on its own.
 */
#ifndef CPI_BENCH_LATENCY_H
#define CPI_BENCH_LATENCY_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t lat_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* CPU time this thread has used: beside wall time on a shared machine, where wall time includes waiting for a core. */
static inline uint64_t lat_cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A growing array of samples. */
typedef struct lat_samples {
    uint64_t *ns;
    size_t n, cap;
} lat_samples;

/* Add one sample; returns -1 when out of memory (the sample is lost). */
static inline int lat_add(lat_samples *s, uint64_t ns)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint64_t *p = realloc(s->ns, cap * sizeof *p);
        if (!p)
            return -1;
        s->ns = p;
        s->cap = cap;
    }
    s->ns[s->n++] = ns;
    return 0;
}

static inline int lat_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The nearest-rank p-th percentile (0 < p <= 100) of n sorted samples (p * n first: exact for whole p). */
static inline uint64_t lat_rank(const uint64_t *sorted, size_t n, double p)
{
    size_t k = (size_t)ceil(p * (double)n / 100.0);
    return sorted[k ? k - 1 : 0];
}

/*
 * Print {"n", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms"}
 * (milliseconds) to out, without a newline, and the raw samples in
 * microseconds, one a line, to raw when it is not NULL. Sorts s in place.
 */
static inline void lat_report(lat_samples *s, unsigned long errors, FILE *out, FILE *raw)
{
    if (raw)
        for (size_t i = 0; i < s->n; i++)
            fprintf(raw, "%.3f\n", (double)s->ns[i] / 1e3);
    if (s->n == 0) {
        fprintf(out, "{\"n\": 0, \"errors\": %lu}", errors);
        return;
    }
    qsort(s->ns, s->n, sizeof *s->ns, lat_cmp);
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += (double)s->ns[i];
    fprintf(out,
            "{\"n\": %zu, \"errors\": %lu, \"p50_ms\": %.4f, \"p95_ms\": %.4f, \"p99_ms\": %.4f, \"max_ms\": %.4f, "
            "\"mean_ms\": %.4f}",
            s->n, errors, (double)lat_rank(s->ns, s->n, 50) / 1e6, (double)lat_rank(s->ns, s->n, 95) / 1e6,
            (double)lat_rank(s->ns, s->n, 99) / 1e6, (double)s->ns[s->n - 1] / 1e6, sum / (double)s->n / 1e6);
}

#endif
