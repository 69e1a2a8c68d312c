/*
 * query_bench.c - how long cpindex takes to answer an officer's questions:
 * the child profile, the address report and the missing-child trigger plan,
 * in-process through the query library and as whole `cpindex` processes.
 *
 *   cpi-query-bench graph STORE
 *       build the entity graph the queries read (edges, cards, analytics)
 *       when the store has none yet; prints {"built", "seconds", ...}
 *   cpi-query-bench targets STORE N SEED
 *       print N random targets of each question, one "QUESTION ID" a line:
 *       child (people recorded as children), missing (children recorded as
 *       missing; any child when there are none) and address (places)
 *   cpi-query-bench run STORE TARGETS QUESTION [--detail brief|full] [--warm] [--raw FILE] [--samples FILE]
 *       answer each target of QUESTION in this process and time it
 *   cpi-query-bench cli CPINDEX STORE TARGETS QUESTION [--warm] [--limit N] [--raw FILE]
 *       run `CPINDEX --db STORE QUESTION ID --full --json` per target (the
 *       first N only with --limit) and time each process from spawn to exit
 *   cpi-query-bench floor CPINDEX N
 *       run `CPINDEX --version` N times: the floor under every CLI figure (process
 *       start, the dynamic loader, exit), timed the same way
 * cli and floor print one JSON line: n, errors, p50/p95/p99/max/mean in ms
 * (cli also "cpu": the same over each process's user + system time, from wait4)
 * (bench/latency.h); run prints {"total": that, "build": that, "cpu": that,
 * "mean_bytes"}: build is the desk's time (authorise, lookup, build, log; no
 * JSON), cpu the thread's CPU time for the whole answer (the machine is
 * shared: wall time includes waiting for a core); --raw writes every sample in microseconds; --warm answers
 * every target once, untimed, before the timed pass (otherwise the first
 * touch of each page is in the figures: after dropping the page cache, that
 * is the cold figure); --samples writes one line per timed answer, in target
 * order: "ID wall_us cpu_us build_us bytes" (which targets make the tail).
 *
 * What one in-process answer includes: what the desk does for `cpindex serve`
 * (desk/desk.h, bench/desk_bench.h: CPINDEX_USER authorised for
 * CPINDEX_REASON, a read snapshot, the lookup of the id, building the answer,
 * ending the snapshot, the consultation logged to the audit journal with one
 * flush), then rendering it as JSON text; "build" is the desk's part. The
 * journal is folded into the chain between answers, untimed. What a CLI
 * answer adds: process start, opening the store, the consultation entry
 * written to the chain (one committed write transaction), printing, exit.
 *
 * Exit status 0, 2 usage, 3 store error. Synthetic (cpgen) stores only.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "bench/desk_bench.h"
#include "bench/latency.h"
#include "core/array.h"
#include "core/store.h"
#include "query/address.h"
#include "graph/graph.h"
#include "graph/graphdb.h"
#include "render/jsonw.h"
#include "query/lookup.h"
#include "query/missing.h"
#include "query/profile.h"
#include "render/address_render.h"
#include "render/missing_render.h"
#include "render/profile_render.h"

extern char **environ;

static const char *const QUESTIONS[] = {"child", "missing", "address"};
enum { Q_CHILD, Q_MISSING, Q_ADDRESS, Q__COUNT };

static int question_parse(const char *s)
{
    for (int i = 0; i < Q__COUNT; i++)
        if (strcmp(s, QUESTIONS[i]) == 0)
            return i;
    return -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: cpi-query-bench graph STORE\n"
                    "       cpi-query-bench targets STORE N SEED\n"
                    "       cpi-query-bench run STORE TARGETS child|missing|address [--detail brief|full] "
                    "[--warm] [--raw FILE] [--samples FILE]\n"
                    "       cpi-query-bench cli CPINDEX STORE TARGETS child|missing|address [--warm] [--limit N] "
                    "[--raw FILE]\n"
                    "       cpi-query-bench floor CPINDEX N\n");
    return 2;
}

static int fail(const char *what, const cpi_error *err)
{
    fprintf(stderr, "cpi-query-bench: %s: %s\n", what, err->msg);
    return 3;
}

static cpi_status open_store(const char *dir, bool readonly, cpi_store **st, cpi_error *err)
{
    cpi_store_opts o = {.flags = readonly ? CPI_STORE_READONLY : 0};
    return cpi_store_open(dir, &o, st, err);
}

/* ------------------------------------------------------------------ graph */

static int cmd_graph(const char *dir)
{
    cpi_error err = {0};
    cpi_store *st;
    if (open_store(dir, false, &st, &err))
        return fail(dir, &err);
    cpi_txn *txn;
    uint64_t edges = 0;
    cpi_status s = cpi_store_read_begin(st, &txn, &err);
    if (!s) {
        s = cpi_txn_count(txn, CPI_DB_EDGES, &edges, &err);
        cpi_txn_end(txn);
    }
    if (s) {
        cpi_store_close(st);
        return fail(dir, &err);
    }
    if (edges) {
        cpi_store_close(st);
        printf("{\"built\": false, \"edges\": %llu}\n", (unsigned long long)edges);
        return 0;
    }
    uint64_t t0 = lat_now_ns();
    cpi_graph_stats gs;
    s = cpi_graph_build(st, NULL, &gs, &err);
    double secs = (double)(lat_now_ns() - t0) / 1e9;
    cpi_store_close(st);
    if (s)
        return fail("graph build", &err);
    printf("{\"built\": true, \"seconds\": %.3f, \"entities\": %llu, \"edges\": %llu, \"unresolved\": %llu, "
           "\"seconds_scan\": %.3f, \"seconds_analytics\": %.3f, \"seconds_write\": %.3f}\n",
           secs, (unsigned long long)gs.entities, (unsigned long long)gs.edges, (unsigned long long)gs.unresolved,
           gs.seconds_scan, gs.seconds_analytics, gs.seconds_write);
    return 0;
}

/* ---------------------------------------------------------------- targets */

static uint64_t rng_next(uint64_t *x) /* xorshift64*: fixed seed, same targets every run */
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ull;
}

/* A reservoir of n ids chosen uniformly from a stream (Algorithm R). */
typedef struct reservoir {
    char (*ids)[CPI_ENTITY_ID_MAX];
    size_t n, seen;
} reservoir;

static void reservoir_offer(reservoir *r, const char *id, uint64_t *rng)
{
    size_t slot = r->seen < r->n ? r->seen : (size_t)(rng_next(rng) % (r->seen + 1));
    if (slot < r->n)
        snprintf(r->ids[slot], sizeof r->ids[slot], "%s", id);
    r->seen++;
}

/* Print n targets of one question, drawing again (with replacement) when fewer than n exist. */
static void reservoir_print(const reservoir *r, const char *question, size_t n, uint64_t *rng)
{
    size_t have = r->seen < r->n ? r->seen : r->n;
    for (size_t i = 0; have && i < n; i++)
        printf("%s %s\n", question, r->ids[i < have ? i : (size_t)(rng_next(rng) % have)]);
}

static int cmd_targets(const char *dir, size_t n, uint64_t seed)
{
    cpi_error err = {0};
    cpi_store *st;
    if (open_store(dir, true, &st, &err))
        return fail(dir, &err);
    reservoir res[Q__COUNT];
    for (int q = 0; q < Q__COUNT; q++) {
        res[q] = (reservoir){calloc(n, sizeof *res[q].ids), n, 0};
        if (!res[q].ids) {
            fprintf(stderr, "cpi-query-bench: out of memory\n");
            return 3;
        }
    }
    uint64_t rng = seed * 0x9E3779B97F4A7C15ull + 1;
    cpi_txn *txn;
    cpi_cursor *c = NULL;
    cpi_status s = cpi_store_read_begin(st, &txn, &err);
    if (s) {
        cpi_store_close(st);
        return fail(dir, &err);
    }
    s = cpi_cursor_open(txn, CPI_DB_ANALYTICS, &c, &err);
    cpi_arena arena = {0};
    cpi_slice k, v;
    /* Cards are "e\x1fID" in CPI_DB_ANALYTICS, in id order. */
    for (s = s ? s : cpi_cursor_seek(c, "e\x1f", 2, &k, &v, &err); s == CPI_OK;
         s = cpi_cursor_next(c, &k, &v, &err)) {
        if (k.len < 3 || memcmp(k.data, "e\x1f", 2) != 0)
            break;
        char id[CPI_ENTITY_ID_MAX];
        if (k.len - 2 >= sizeof id)
            continue;
        memcpy(id, (const char *)k.data + 2, k.len - 2);
        id[k.len - 2] = '\0';
        cpi_card card;
        cpi_arena_reset(&arena);
        if ((s = cpi_card_decode(id, v.data, v.len, &arena, &card, &err)))
            break;
        if (card.kind == CPI_KIND_PERSON && (card.flags & CPI_EF(CPI_EF_CHILD))) {
            reservoir_offer(&res[Q_CHILD], id, &rng);
            if (card.flags & CPI_EF(CPI_EF_MISSING))
                reservoir_offer(&res[Q_MISSING], id, &rng);
        } else if (card.kind == CPI_KIND_LOCATION) {
            reservoir_offer(&res[Q_ADDRESS], id, &rng);
        }
    }
    if (s == CPI_NOT_FOUND)
        s = CPI_OK;
    cpi_arena_free(&arena);
    if (c)
        cpi_cursor_close(c);
    cpi_txn_end(txn);
    cpi_store_close(st);
    if (s)
        return fail("cards", &err);
    if (res[Q_CHILD].seen == 0) {
        fprintf(stderr, "cpi-query-bench: %s: no entity is recorded as a child (has the graph been built?)\n", dir);
        return 3;
    }
    reservoir_print(&res[Q_CHILD], "child", n, &rng);
    reservoir_print(res[Q_MISSING].seen ? &res[Q_MISSING] : &res[Q_CHILD], "missing", n, &rng);
    reservoir_print(&res[Q_ADDRESS], "address", n, &rng);
    fprintf(stderr, "cpi-query-bench: %zu children (%zu recorded missing), %zu places\n", res[Q_CHILD].seen,
            res[Q_MISSING].seen, res[Q_ADDRESS].seen);
    for (int q = 0; q < Q__COUNT; q++)
        free(res[q].ids);
    return 0;
}

/* Read the ids of one question from a targets file. */
static char **read_targets(const char *path, int question, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return NULL;
    }
    char line[256], **ids = NULL;
    size_t cap = 0;
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        char q[32], id[CPI_ENTITY_ID_MAX];
        if (sscanf(line, "%31s %31s", q, id) != 2 || question_parse(q) != question)
            continue;
        if (CPI_GROW(ids, cap, *n + 1, 1024))
            break;
        if (!(ids[*n] = strdup(id)))
            break;
        (*n)++;
    }
    fclose(f);
    return ids;
}

static void free_targets(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

/* -------------------------------------------------------------- in-process */

/* One answer, as `cpindex QUESTION ID --json` computes it in a server: through the desk, logged, without the process. */
static cpi_status answer(cpi_store *st, desk_bench *b, int question, const char *id, const cpi_profile_opts *po,
                         cpi_desk_answer *ans, size_t *bytes, uint64_t *build_ns, cpi_error *err)
{
    static const cpi_desk_kind kinds[Q__COUNT] = {CPI_DESK_CHILD, CPI_DESK_MISSING, CPI_DESK_ADDRESS};
    cpi_desk_request rq = {.kind = kinds[question], .user = b->user, .reason = b->reason, .query = id,
                           .opts = *po, .detail_set = true};
    uint64_t t0 = lat_now_ns();
    cpi_status s = cpi_desk_consult(st, &rq, ans, err);
    *build_ns = lat_now_ns() - t0;
    if (!s && !ans->entity_id)
        s = cpi_error_set(err, CPI_NOT_FOUND, "%s: %u candidates", id, ans->lookup.n);
    if (s)
        return s;
    /* streamed, as `cpindex QUESTION --json` writes it (compact here; one writer kept, as a server would) */
    static cpi_jw w;
    cpi_jw_reset(&w);
    if (question == Q_CHILD)
        cpi_profile_json_write(&ans->profile, &w);
    else if (question == Q_MISSING)
        cpi_missing_json_write(&ans->plan, &w);
    else
        cpi_address_json_write(&ans->place, &w);
    size_t len = 0;
    if (!cpi_jw_text(&w, &len))
        s = cpi_error_set(err, CPI_ERR_NOMEM, "%s: rendering JSON", id);
    *bytes = len;
    return s;
}

static int cmd_run(const char *dir, const char *targets, int question, cpi_detail detail, bool warm,
                   const char *raw_path, const char *samples_path)
{
    size_t n;
    char **ids = read_targets(targets, question, &n);
    if (!ids || n == 0) {
        fprintf(stderr, "cpi-query-bench: %s: no %s targets\n", targets, QUESTIONS[question]);
        free_targets(ids, ids ? n : 0);
        return 3;
    }
    cpi_error err = {0};
    cpi_store *st;
    if (open_store(dir, false, &st, &err)) { /* read-write: every consultation is logged */
        free_targets(ids, n);
        return fail(dir, &err);
    }
    desk_bench b;
    int rc = desk_bench_open(&b, st, "cpi-query-bench");
    if (rc) {
        cpi_store_close(st);
        free_targets(ids, n);
        return rc;
    }
    FILE *samples = samples_path ? fopen(samples_path, "w") : NULL;
    if (samples_path && !samples) {
        perror(samples_path);
        desk_bench_close(&b, &err);
        cpi_store_close(st);
        free_targets(ids, n);
        return 3;
    }
    /* The missing-child plan is built on the full profile whatever is asked (query/missing.h). */
    cpi_profile_opts po = {.detail = detail};
    cpi_desk_answer ans = {0}; /* one answer (and its arena) kept across consultations, as a server would */
    lat_samples lat = {0}, build = {0}, cpu = {0};
    unsigned long errors = 0;
    size_t bytes = 0, total_bytes = 0;
    for (int pass = warm ? 0 : 1; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            uint64_t t0 = lat_now_ns(), c0 = lat_cpu_ns(), build_ns = 0;
            cpi_status s = answer(st, &b, question, ids[i], &po, &ans, &bytes, &build_ns, &err);
            uint64_t t1 = lat_now_ns(), c1 = lat_cpu_ns();
            if (s && ans.step == CPI_DESK_AUTHORISE) { /* refused: every answer would be */
                fprintf(stderr, "cpi-query-bench: refused: %s\n", err.msg);
                cpi_desk_answer_free(&ans);
                desk_bench_close(&b, &err);
                cpi_store_close(st);
                free_targets(ids, n);
                return 2;
            }
            cpi_error ferr = {0};
            if (desk_bench_settle(&b, &ferr)) /* untimed, between answers */
                fprintf(stderr, "cpi-query-bench: %s\n", ferr.msg);
            if (pass == 0)
                continue;
            if (s) {
                if (errors++ < 3)
                    fprintf(stderr, "cpi-query-bench: %s %s: %s\n", QUESTIONS[question], ids[i], err.msg);
                continue;
            }
            total_bytes += bytes;
            if (samples)
                fprintf(samples, "%s %.3f %.3f %.3f %zu\n", ids[i], (double)(t1 - t0) / 1e3, (double)(c1 - c0) / 1e3,
                        (double)build_ns / 1e3, bytes);
            lat_add(&lat, t1 - t0);
            lat_add(&build, build_ns);
            lat_add(&cpu, c1 - c0);
        }
    }
    FILE *raw = raw_path ? fopen(raw_path, "w") : NULL;
    if (raw_path && !raw)
        perror(raw_path);
    printf("{\"total\": ");
    lat_report(&lat, errors, stdout, raw);
    printf(", \"build\": ");
    lat_report(&build, errors, stdout, NULL);
    printf(", \"cpu\": ");
    lat_report(&cpu, errors, stdout, NULL);
    printf(", \"mean_bytes\": %zu}\n", lat.n ? total_bytes / lat.n : 0);
    if (raw)
        fclose(raw);
    free(lat.ns);
    free(build.ns);
    free(cpu.ns);
    cpi_desk_answer_free(&ans);
    if (desk_bench_close(&b, &err))
        fprintf(stderr, "cpi-query-bench: %s\n", err.msg);
    cpi_store_close(st);
    free_targets(ids, n);
    if (samples)
        fclose(samples);
    return errors && !lat.n ? 3 : 0;
}

/* --------------------------------------------------------------------- cli */

/*
 * Run one cpindex process, output to /dev/null; its exit status, or -1 if it
 * could not be started. question NULL: `cpindex --version`.
 */
static int spawn_one(const char *cpindex, const char *dir, const char *question, const char *id, uint64_t *cpu_ns)
{
    char *argv[] = {(char *)cpindex, "--db", (char *)dir, (char *)question, (char *)id, "--full", "--json", NULL};
    char *version[] = {(char *)cpindex, "--version", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, cpindex, &fa, NULL, question ? argv : version, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return -1;
    if (cpu_ns) /* the child's user + system time: what it cost, whatever the machine's load */
        *cpu_ns = ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
                  ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int cmd_cli(const char *cpindex, const char *dir, const char *targets, int question, bool warm,
                   size_t limit, const char *raw_path)
{
    size_t n;
    char **ids = read_targets(targets, question, &n);
    size_t all = ids ? n : 0;
    if (!ids || n == 0) {
        fprintf(stderr, "cpi-query-bench: %s: no %s targets\n", targets, QUESTIONS[question]);
        free_targets(ids, ids ? n : 0);
        return 3;
    }
    if (limit && limit < n)
        n = limit;
    lat_samples lat = {0}, cpu = {0};
    unsigned long errors = 0;
    for (int pass = warm ? 0 : 1; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            uint64_t t0 = lat_now_ns(), cpu_ns = 0;
            int rc = spawn_one(cpindex, dir, QUESTIONS[question], ids[i], &cpu_ns);
            uint64_t t1 = lat_now_ns();
            if (rc != 0) {
                if (errors++ < 3)
                    fprintf(stderr, "cpi-query-bench: %s %s %s --full --json: %s %d%s\n", cpindex,
                            QUESTIONS[question], ids[i], rc < 0 ? "cannot start:" : "exit status", rc < 0 ? errno : rc,
                            rc == 2 ? " (refused? the user needs the analyst role)" : "");
                continue;
            }
            if (pass == 1) {
                lat_add(&lat, t1 - t0);
                lat_add(&cpu, cpu_ns);
            }
        }
    }
    FILE *raw = raw_path ? fopen(raw_path, "w") : NULL;
    if (raw_path && !raw)
        perror(raw_path);
    /* the wall figures as before, with the processes' CPU time as one more key: {..., "cpu": {...}} */
    char *wall = NULL;
    size_t wall_len = 0;
    FILE *w = open_memstream(&wall, &wall_len);
    if (w) {
        lat_report(&lat, errors, w, raw);
        fclose(w);
    }
    if (wall && wall_len && wall[wall_len - 1] == '}' && cpu.n) {
        printf("%.*s, \"cpu\": ", (int)(wall_len - 1), wall);
        lat_report(&cpu, errors, stdout, NULL);
        printf("}\n");
    } else {
        printf("%s\n", wall ? wall : "{}");
    }
    free(wall);
    if (raw)
        fclose(raw);
    free(lat.ns);
    free(cpu.ns);
    free_targets(ids, all);
    return errors && !lat.n ? 3 : 0;
}

static int cmd_floor(const char *cpindex, size_t n)
{
    lat_samples lat = {0};
    unsigned long errors = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t t0 = lat_now_ns();
        int rc = spawn_one(cpindex, NULL, NULL, NULL, NULL);
        uint64_t t1 = lat_now_ns();
        if (rc != 0) {
            if (errors++ < 3)
                fprintf(stderr, "cpi-query-bench: %s --version: %s %d\n", cpindex,
                        rc < 0 ? "cannot start:" : "exit status", rc < 0 ? errno : rc);
            continue;
        }
        lat_add(&lat, t1 - t0);
    }
    lat_report(&lat, errors, stdout, NULL);
    putchar('\n');
    free(lat.ns);
    return errors && !lat.n ? 3 : 0;
}

/* -------------------------------------------------------------------- main */

/* Parse [--detail brief|full] [--warm] [--limit N] [--raw FILE] from argv[i..]; false on anything else. */
static bool parse_flags(int argc, char **argv, int i, cpi_detail *detail, bool *warm, size_t *limit, const char **raw,
                        const char **samples)
{
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--warm") == 0)
            *warm = true;
        else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc && limit) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v <= 0)
                return false;
            *limit = (size_t)v;
        }
        else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc && samples)
            *samples = argv[++i];
        else if (strcmp(argv[i], "--raw") == 0 && i + 1 < argc)
            *raw = argv[++i];
        else if (strcmp(argv[i], "--detail") == 0 && i + 1 < argc && detail) {
            const char *d = argv[++i];
            if (strcmp(d, "brief") == 0)
                *detail = CPI_DETAIL_BRIEF;
            else if (strcmp(d, "full") == 0)
                *detail = CPI_DETAIL_FULL;
            else
                return false;
        } else
            return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *cmd = argv[1];
    if (strcmp(cmd, "graph") == 0 && argc == 3)
        return cmd_graph(argv[2]);
    if (strcmp(cmd, "floor") == 0 && argc == 4) {
        long n = strtol(argv[3], NULL, 10);
        if (n <= 0 || n > 1000000)
            return usage();
        return cmd_floor(argv[2], (size_t)n);
    }
    if (strcmp(cmd, "targets") == 0 && argc == 5) {
        long n = strtol(argv[3], NULL, 10);
        if (n <= 0 || n > 10000000)
            return usage();
        return cmd_targets(argv[2], (size_t)n, strtoull(argv[4], NULL, 10));
    }
    cpi_detail detail = CPI_DETAIL_FULL;
    bool warm = false;
    const char *raw = NULL, *samples = NULL;
    if (strcmp(cmd, "run") == 0 && argc >= 5) {
        int q = question_parse(argv[4]);
        if (q < 0 || !parse_flags(argc, argv, 5, &detail, &warm, NULL, &raw, &samples))
            return usage();
        return cmd_run(argv[2], argv[3], q, detail, warm, raw, samples);
    }
    if (strcmp(cmd, "cli") == 0 && argc >= 6) {
        int q = question_parse(argv[5]);
        size_t limit = 0;
        if (q < 0 || !parse_flags(argc, argv, 6, NULL, &warm, &limit, &raw, NULL))
            return usage();
        return cmd_cli(argv[2], argv[3], argv[4], q, warm, limit, raw);
    }
    return usage();
}
