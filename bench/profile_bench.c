/*
 * profile_bench.c - how long one child profile takes in process, the figure
 * the issue sets a target for (p99 <= 1 ms at 1M records).
 *
 * Each timed query is what `cpindex child ID` does in a server: the desk
 * (desk/desk.h) authorises CPINDEX_USER (analyst) for CPINDEX_REASON, looks
 * the id up and builds the profile (brief or full) in a read snapshot, and
 * logs the consultation to the audit journal (bench/desk_bench.h: one flush;
 * folded between answers, untimed); then the profile is rendered to JSON text
 * (the streaming writer, render/jsonw.h). Children are every entity whose card says child,
 * taken in a fixed shuffled order (seeded), up to N; each is profiled once
 * per detail level after one untimed warm-up pass over the same children (the
 * store's pages cached, as on a server that has been running). Prints
 * p50/p90/p99/max in microseconds per detail level, wall clock and the
 * thread's CPU time side by side (the machine is shared: wall time includes
 * waiting for a core), and the largest profile.
 *
 * Built with the tree (not part of ctest):
 *   CPINDEX_USER=ANALYST CPINDEX_REASON='WHAT AND WHY' build/profile_bench STORE [N=20000]
 * A store of about 1M records: cpgen --children 100000, ingest every silo,
 * then resolve (or bench/oracle_entities, which resolves by cpgen's truth).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/desk_bench.h"
#include "core/store.h"
#include "core/array.h"
#include "render/jsonw.h"
#include "query/profile.h"
#include "render/profile_render.h"

static double now_us(clockid_t clk)
{
    struct timespec t;
    clock_gettime(clk, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Every child's entity id, from the cards. */
static char **children(cpi_store *st, size_t *n)
{
    cpi_txn *t;
    cpi_cursor *c;
    cpi_error err = {0};
    size_t cap = 1024;
    char **ids = malloc(sizeof *ids * cap);
    *n = 0;
    if (cpi_store_read_begin(st, &t, &err) || cpi_cursor_open(t, CPI_DB_ANALYTICS, &c, &err)) {
        fprintf(stderr, "profile_bench: %s\n", err.msg);
        exit(3);
    }
    char prefix[8];
    size_t plen = cpi_card_key("P-", prefix, sizeof prefix);
    cpi_slice k, v;
    cpi_arena a = {0};
    for (cpi_status s = cpi_cursor_seek(c, prefix, plen, &k, &v, &err);
         s == CPI_OK && k.len > plen && memcmp(k.data, prefix, plen) == 0; s = cpi_cursor_next(c, &k, &v, &err)) {
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)(k.len - 2), (const char *)k.data + 2);
        cpi_card card;
        cpi_arena_reset(&a);
        if (cpi_card_decode(id, v.data, v.len, &a, &card, &err) == CPI_OK && (card.flags & CPI_EF(CPI_EF_CHILD))) {
            if (CPI_GROW(ids, cap, *n + 1, 1024) || !(ids[*n] = strdup(id))) {
                fprintf(stderr, "profile_bench: out of memory\n");
                exit(3);
            }
            (*n)++;
        }
    }
    cpi_arena_free(&a);
    cpi_cursor_close(c);
    cpi_txn_end(t);
    return ids;
}

static void run(cpi_store *st, desk_bench *b, char **ids, size_t n, cpi_detail detail, bool timed)
{
    double *us = malloc(sizeof *us * n), *cpu = malloc(sizeof *cpu * n), *bcpu = malloc(sizeof *bcpu * n);
    cpi_desk_answer ans = {0}; /* one answer (and its arena) kept across consultations, as a server would */
    cpi_jw w; /* one writer kept across answers, as a server would */
    cpi_jw_init(&w, 0);
    cpi_error err = {0};
    size_t worst_items = 0;
    const char *worst = "", *slowest = "";
    double slowest_us = 0;
    for (size_t i = 0; i < n; i++) {
        cpi_desk_request rq = {.kind = CPI_DESK_CHILD, .user = b->user, .reason = b->reason, .query = ids[i],
                               .opts = {.detail = detail}, .detail_set = true};
        double t0 = now_us(CLOCK_MONOTONIC), c0 = now_us(CLOCK_THREAD_CPUTIME_ID);
        if (cpi_desk_consult(st, &rq, &ans, &err) || !ans.entity_id) {
            fprintf(stderr, "profile_bench: %s: %s\n", ids[i], ans.entity_id ? err.msg : "not one entity");
            exit(ans.step == CPI_DESK_AUTHORISE ? 2 : 3);
        }
        bcpu[i] = now_us(CLOCK_THREAD_CPUTIME_ID) - c0;
        if (bcpu[i] > slowest_us) {
            slowest_us = bcpu[i];
            slowest = ids[i];
        }
        const cpi_profile *p = &ans.profile;
        cpi_jw_reset(&w);
        cpi_profile_json_write(p, &w);
        us[i] = now_us(CLOCK_MONOTONIC) - t0;
        cpu[i] = now_us(CLOCK_THREAD_CPUTIME_ID) - c0;
        size_t items = p->nrisky_people + p->nplaces + p->nconnected_children + p->ntimeline + p->nwarnings;
        if (items > worst_items) {
            worst_items = items;
            worst = ids[i];
        }
        if (desk_bench_settle(b, &err)) {
            fprintf(stderr, "profile_bench: %s\n", err.msg);
            exit(3);
        }
    }
    if (timed) {
        qsort(us, n, sizeof *us, cmp_double);
        qsort(cpu, n, sizeof *cpu, cmp_double);
        qsort(bcpu, n, sizeof *bcpu, cmp_double);
        const char *d = detail == CPI_DETAIL_FULL ? "full" : "brief";
        printf("%-5s n=%zu  desk+json wall    p50 %5.0f  p90 %5.0f  p99 %5.0f  max %6.0f us\n", d, n, us[n / 2],
               us[n * 9 / 10], us[n * 99 / 100], us[n - 1]);
        printf("%-5s n=%zu  desk+json cpu     p50 %5.0f  p90 %5.0f  p99 %5.0f  max %6.0f us\n", d, n, cpu[n / 2],
               cpu[n * 9 / 10], cpu[n * 99 / 100], cpu[n - 1]);
        printf("%-5s n=%zu  desk only cpu     p50 %5.0f  p90 %5.0f  p99 %5.0f  max %6.0f us  (slowest %s; largest "
               "%s, %zu items)\n", d, n, bcpu[n / 2], bcpu[n * 9 / 10], bcpu[n * 99 / 100], bcpu[n - 1], slowest, worst,
               worst_items);
    }
    cpi_desk_answer_free(&ans);
    cpi_jw_free(&w);
    free(us);
    free(cpu);
    free(bcpu);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: profile_bench STORE [N]\n");
        return 2;
    }
    size_t want = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000;
    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts so = {0}; /* read-write: every consultation is logged */
    if (cpi_store_open(argv[1], &so, &st, &err)) {
        fprintf(stderr, "profile_bench: %s\n", err.msg);
        return 3;
    }
    desk_bench b;
    int rc = desk_bench_open(&b, st, "profile_bench");
    if (rc) {
        cpi_store_close(st);
        return rc;
    }
    cpi_store_stats ss;
    cpi_store_stats_get(st, &ss, &err);
    size_t n;
    char **ids = children(st, &n);
    for (size_t i = n; i > 1; i--) { /* a fixed shuffle */
        size_t j = next() % i;
        char *x = ids[i - 1];
        ids[i - 1] = ids[j];
        ids[j] = x;
    }
    if (n > want)
        n = want;
    printf("store %s: %llu records, %llu entities; profiling %zu children\n", argv[1],
           (unsigned long long)ss.records, (unsigned long long)ss.entities, n);
    run(st, &b, ids, n, CPI_DETAIL_BRIEF, false); /* warm-up */
    run(st, &b, ids, n, CPI_DETAIL_BRIEF, true);
    run(st, &b, ids, n, CPI_DETAIL_FULL, true);
    if (desk_bench_close(&b, &err))
        fprintf(stderr, "profile_bench: %s\n", err.msg);
    cpi_store_close(st);
    return 0;
}
