/*
 * test_readers.c - readers during writes: one process queries in a loop
 * while another ingests, and never sees an error or a half-written state, and
 * the writer is not slowed by the readers.
 *
 * The writer (a child process) loads a cpgen force of 2000 children through
 * `cpindex ingest`, silo by silo, then the same force recorded more messily
 * (same seed, --messiness 2: most records replaced, some new) through the
 * library with a 1 MiB starting map (LMDB rounds it up to the pages in use),
 * so the map grows under the readers. Meanwhile this process, with its own handle opened on a small
 * map (so it meets the writer's growth), repeats:
 *  - a snapshot: the record counters add up to the records it holds, and the
 *    count never goes down from one snapshot to the next;
 *  - 50 random references (from cpgen's truth): each record is absent or
 *    whole - every indexed key of every mention is in the key index;
 *  - a key lookup from each record found (its surname, or its first key):
 *    every mention the index names exists in the same snapshot and carries
 *    that key;
 *  - every 10th pass cpi_store_verify over the whole snapshot, and every 25th
 *    `cpindex stats --json` in a separate process.
 * Afterwards the store equals one loaded without readers, and the writer's CPU
 * time with readers is within twice its time alone (LMDB readers take no
 * locks a writer waits for).
 *
 * Readers during resolve: the first force ingested, the writer runs `cpindex
 * resolve`, ingests the messier force, and resolves again (each resolve
 * replaces entity_of, members, review pairs, edges and cards in one
 * transaction). Meanwhile, in each snapshot: random records' mentions each
 * have an entity whose members include them, and that entity has a card
 * and only edges to entities with members; a lookup by that entity id (what
 * `child` / `person` do first) succeeds and finds it; every 10th pass
 * cpi_store_verify and cpi_graph_verify over the whole snapshot, and every
 * 15th `cpindex person ID --json` in a separate process, which must answer
 * (exit 0) or find nothing (1: before the first resolve), never fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/store.h"
#include "resolve/verify.h"
#include "ingest/ingest.h"
#include "graph/graph.h"
#include "graph/graphdb.h"
#include "query/lookup.h"
#include "testutil.h"

#define NSOURCES 6
static const char *const sources[NSOURCES] = {"niche", "miraf", "mace", "marac", "polit", "soc"};

static char *cli, *gen, *tmp;
static char force_a[4200], force_b[4200];
static char **refs;
static size_t nrefs;

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

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Record references from a truth.csv ("source:ID/N,kind,..."; reject rows have no "/N"). */
static void load_refs(const char *dir)
{
    char p[4300], line[1024];
    fmt(p, sizeof p, "%s/truth.csv", dir);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    static size_t cap;
    while (fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ','), *slash = strchr(line, '/');
        if (!comma || !slash || slash > comma)
            continue;
        *slash = '\0';
        if (nrefs == cap) {
            cap = cap ? cap * 2 : 8192;
            refs = realloc(refs, cap * sizeof *refs);
            assert_non_null(refs);
        }
        refs[nrefs++] = strdup(line);
    }
    fclose(f);
}

static void unique_refs(void)
{
    qsort(refs, nrefs, sizeof *refs, cmp_str);
    size_t w = 0;
    for (size_t i = 0; i < nrefs; i++) {
        if (w && strcmp(refs[w - 1], refs[i]) == 0) {
            free(refs[i]);
            continue;
        }
        refs[w++] = refs[i];
    }
    nrefs = w;
}

static int setup(void **state)
{
    (void)state;
    cli = tu_build_path("cpindex");
    gen = tu_build_path("cpgen");
    tmp = tu_mkdtemp();
    char *me = tu_run("id -un", NULL);
    me[strcspn(me, "\n")] = '\0';
    setenv("CPINDEX_USER", me, 1);
    free(me);
    setenv("CPINDEX_REASON", "readers during writes test on synthetic data", 1);
    unsetenv("CPINDEX_DB");
    unsetenv("CPINDEX_MAP_LIMIT");
    fmt(force_a, sizeof force_a, "%s/a", tmp);
    fmt(force_b, sizeof force_b, "%s/b", tmp);
    char cmd[9000];
    fmt(cmd, sizeof cmd,
        "'%s' --seed 5 --children 2000 --messiness 1 --out '%s' >/dev/null && "
        "'%s' --seed 5 --children 2000 --messiness 2 --out '%s' >/dev/null",
        gen, force_a, gen, force_b);
    int st;
    free(tu_run(cmd, &st));
    if (st)
        return -1;
    load_refs(force_a);
    load_refs(force_b);
    unique_refs();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < nrefs; i++)
        free(refs[i]);
    free(refs);
    tu_rmrf_free(tmp);
    free(cli);
    free(gen);
    return 0;
}

/* ---- the writer (a child process: no cmocka here, exit status says how it went) ---- */

/*
 * The live writer waits at a gate after its first file until the reader has
 * read a snapshot of the partly loaded store (or a minute has passed): ingest
 * became fast enough that the windows between commits were often missed.
 * The small silos go first and Niche, most of the records, last.
 */
static int gate[2] = {-1, -1};

static void writer(const char *db, const char *rejects, bool gated)
{
    for (int k = 0; k < NSOURCES; k++) {
        int s = (k + 1) % NSOURCES;
        char src[4300];
        snprintf(src, sizeof src, "%s/%s", force_a, sources[s]);
        char *argv[] = {cli, "--db", (char *)db, "ingest", (char *)sources[s], src, "--rejects", (char *)rejects, NULL};
        if (tu_wait(tu_spawn(argv, NULL, NULL)) != 0)
            _exit(10 + s);
        if (gated && k == 0) {
            struct pollfd p = {.fd = gate[0], .events = POLLIN};
            char c;
            if (poll(&p, 1, 60000) == 1 && read(gate[0], &c, 1) != 1)
                _exit(50);
        }
    }
    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts o = {.initial_map_size = 1u << 20};
    if (cpi_store_open(db, &o, &st, &err) != CPI_OK)
        _exit(20);
    for (int s = 0; s < NSOURCES; s++) {
        char src[4300];
        snprintf(src, sizeof src, "%s/%s", force_b, sources[s]);
        const char *paths[] = {src};
        cpi_ingest_opts io = {.rejects_dir = rejects, .audit_user = "writer", .audit_reason = "second export"};
        static cpi_ingest_summary sum;
        if (cpi_ingest(st, cpi_adapter_find(sources[s]), paths, 1, &io, &sum, &err) != CPI_OK) {
            fprintf(stderr, "writer: %s\n", err.msg);
            _exit(30 + s);
        }
    }
    unsigned growths = cpi_store_growths(st);
    cpi_store_close(st);
    _exit(growths >= 1 ? 0 : 40); /* the readers must have met map growth */
}

static pid_t start_writer(const char *db, const char *rejects, bool gated)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        writer(db, rejects, gated);
    return pid;
}

static double cpu_seconds(const struct rusage *ru)
{
    return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 + (double)ru->ru_stime.tv_sec +
           (double)ru->ru_stime.tv_usec / 1e6;
}

/* Wait for the writer; returns its CPU seconds (its own and its children's) and checks it succeeded. */
static double finish_writer(pid_t pid)
{
    int st;
    struct rusage ru;
    assert_int_equal(wait4(pid, &st, 0, &ru), pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("the writer failed: status %d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return cpu_seconds(&ru);
}

/* ---- the readers' checks, in one snapshot ---- */

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ull;
}

static void check_or_fail(cpi_status s, const cpi_error *err, const char *what)
{
    if (s != CPI_OK)
        fail_msg("reader: %s: %s (%s)", what, err->msg, cpi_status_name(s));
}

/* The record counters add up to the records in the snapshot. Returns the count. */
static uint64_t check_counts(cpi_txn *t)
{
    cpi_error err = {0};
    uint64_t n = 0, sum = 0;
    check_or_fail(cpi_txn_count(t, CPI_DB_RECORDS, &n, &err), &err, "count records");
    cpi_cursor *c;
    check_or_fail(cpi_cursor_open(t, CPI_DB_META, &c, &err), &err, "cursor on meta");
    cpi_slice k, v;
    cpi_status s = cpi_cursor_seek(c, "n:rec:", 6, &k, &v, &err);
    for (; s == CPI_OK && k.len > 6 && memcmp(k.data, "n:rec:", 6) == 0; s = cpi_cursor_next(c, &k, &v, &err)) {
        assert_int_equal(v.len, 8);
        uint64_t x = 0;
        for (int i = 0; i < 8; i++)
            x = x << 8 | ((const unsigned char *)v.data)[i];
        sum += x;
    }
    cpi_cursor_close(c);
    if (s != CPI_OK && s != CPI_NOT_FOUND)
        check_or_fail(s, &err, "walk counters");
    if (sum != n)
        fail_msg("reader: a snapshot holds %llu records but its counters say %llu: a half-written state",
                 (unsigned long long)n, (unsigned long long)sum);
    return n;
}

/* Every indexed key of every mention of rec is in the snapshot's key index. */
static void check_whole(cpi_txn *t, const cpi_record *rec)
{
    char key[1100], mref[CPI_REF_MAX + 8];
    cpi_error err = {0};
    for (uint32_t m = 0; m < rec->nmentions; m++) {
        int ml = snprintf(mref, sizeof mref, "%s/%u", rec->ref, m + 1);
        const cpi_kvlist *keys = &rec->mentions[m].keys;
        for (uint32_t i = 0; i < keys->count; i++) {
            size_t nl = strlen(keys->items[i].key), vl = strlen(keys->items[i].value);
            if (!cpi_store_key_indexed(keys->items[i].key, vl))
                continue;
            int kl = snprintf(key, sizeof key, "%s%c%s", keys->items[i].key, CPI_KEY_SEP, keys->items[i].value);
            assert_true(kl == (int)(nl + 1 + vl));
            cpi_status s = cpi_txn_get_pair(t, CPI_DB_KEYS, key, (size_t)kl, mref, (size_t)ml, &err);
            if (s == CPI_NOT_FOUND)
                fail_msg("reader: %s is in the snapshot but its key %s is not: a half-written record", mref,
                         keys->items[i].key);
            check_or_fail(s, &err, "key probe");
        }
    }
}

/* Look up one key of rec as a query would: every mention the index names exists here and has the key. */
static unsigned check_lookup(cpi_txn *t, const cpi_record *rec, cpi_arena *arena)
{
    const cpi_kv *kv = NULL;
    for (uint32_t m = 0; m < rec->nmentions && !kv; m++)
        for (uint32_t i = 0; i < rec->mentions[m].keys.count && !kv; i++)
            if (cpi_store_key_indexed(rec->mentions[m].keys.items[i].key, strlen(rec->mentions[m].keys.items[i].value)))
                kv = &rec->mentions[m].keys.items[i];
    if (!kv)
        return 0;
    char key[1100], name[64], value[1024];
    snprintf(name, sizeof name, "%s", kv->key);
    snprintf(value, sizeof value, "%s", kv->value);
    int kl = snprintf(key, sizeof key, "%s%c%s", name, CPI_KEY_SEP, value);
    cpi_error err = {0};
    cpi_cursor *c;
    check_or_fail(cpi_cursor_open(t, CPI_DB_KEYS, &c, &err), &err, "cursor on keys");
    cpi_slice k, v;
    cpi_status s = cpi_cursor_seek(c, key, (size_t)kl, &k, &v, &err);
    unsigned seen = 0;
    if (s != CPI_OK || k.len != (size_t)kl || memcmp(k.data, key, (size_t)kl) != 0)
        fail_msg("reader: key %s of %s found no mentions at all", name, rec->ref);
    for (; s == CPI_OK && seen < 200; s = cpi_cursor_next_dup(c, &k, &v, &err), seen++) {
        char mref[CPI_REF_MAX + 8];
        snprintf(mref, sizeof mref, "%.*s", (int)v.len, (const char *)v.data);
        char *slash = strrchr(mref, '/');
        assert_non_null(slash);
        *slash = '\0';
        unsigned n = (unsigned)strtoul(slash + 1, NULL, 10);
        cpi_record other;
        cpi_status gs = cpi_store_get_record(t, mref, arena, &other, &err);
        if (gs == CPI_NOT_FOUND)
            fail_msg("reader: key %s names %s/%u, which the same snapshot does not hold", name, mref, n);
        check_or_fail(gs, &err, "get a looked-up record");
        assert_true(n >= 1 && n <= other.nmentions);
        const char *have = cpi_kv_get(&other.mentions[n - 1].keys, name);
        bool match = false;
        for (uint32_t i = 0; i < other.mentions[n - 1].keys.count && !match; i++)
            match = strcmp(other.mentions[n - 1].keys.items[i].key, name) == 0 &&
                    strcmp(other.mentions[n - 1].keys.items[i].value, value) == 0;
        if (!match)
            fail_msg("reader: key %s names %s/%u, whose key is '%s' now: a stale index entry", name, mref, n,
                     have ? have : "(none)");
    }
    cpi_cursor_close(c);
    if (s != CPI_OK && s != CPI_NOT_FOUND)
        check_or_fail(s, &err, "step through a key's mentions");
    return seen;
}

static uint64_t stats_records(const char *db)
{
    char out[4300];
    fmt(out, sizeof out, "%s/stats.json", tmp);
    char *argv[] = {cli, "--db", (char *)db, "stats", "--json", NULL};
    int st = tu_wait(tu_spawn(argv, out, NULL));
    if (st != 0)
        fail_msg("reader: cpindex stats exited %d during an ingest", st);
    json_t *j = json_load_file(out, 0, NULL);
    assert_non_null(j);
    uint64_t n = (uint64_t)json_integer_value(json_object_get(j, "records"));
    json_decref(j);
    return n;
}

static void test_readers_during_ingest(void **state)
{
    (void)state;
    char solo[4300], live[4300], rj[4300];
    fmt(rj, sizeof rj, "%s/rejects", tmp);
    fmt(solo, sizeof solo, "%s/solo.db", tmp);
    fmt(live, sizeof live, "%s/live.db", tmp);

    double solo_cpu = finish_writer(start_writer(solo, rj, false));

    assert_int_equal(pipe(gate), 0);
    pid_t w = start_writer(live, rj, true);
    cpi_store *st = NULL;
    cpi_error err = {0};
    cpi_arena arena = {0};
    uint64_t last = 0, passes = 0, verifies = 0, records_read = 0, lookups = 0, partial = 0, cli_stats = 0;
    double live_cpu = 0;
    for (;;) {
        int wst;
        struct rusage ru;
        if (wait4(w, &wst, WNOHANG, &ru) == w) {
            if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
                fail_msg("the writer failed: status %d", WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst));
            live_cpu = cpu_seconds(&ru);
            break;
        }
        if (!st) {
            cpi_store_opts o = {.flags = CPI_STORE_READONLY, .initial_map_size = 1u << 20};
            cpi_status s = cpi_store_open(live, &o, &st, &err);
            if (s == CPI_NOT_FOUND) /* before the first commit */
                continue;
            check_or_fail(s, &err, "open during an ingest");
        }
        cpi_txn *t;
        check_or_fail(cpi_store_read_begin(st, &t, &err), &err, "begin a snapshot during an ingest");
        uint64_t n = check_counts(t);
        if (n < last)
            fail_msg("reader: %llu records, after a snapshot with %llu", (unsigned long long)n, (unsigned long long)last);
        last = n;
        for (int i = 0; i < 50; i++) {
            const char *ref = refs[next_rand() % nrefs];
            cpi_record rec;
            cpi_arena_reset(&arena);
            cpi_status s = cpi_store_get_record(t, ref, &arena, &rec, &err);
            if (s == CPI_NOT_FOUND)
                continue;
            check_or_fail(s, &err, "get a record during an ingest");
            records_read++;
            check_whole(t, &rec);
            lookups += check_lookup(t, &rec, &arena);
        }
        if (passes % 10 == 0) {
            cpi_verify_report rep;
            check_or_fail(cpi_store_verify(t, &rep, &err), &err, "verify a snapshot during an ingest");
            verifies++;
        }
        cpi_txn_end(t);
        if (passes % 25 == 0) {
            uint64_t cn = stats_records(live);
            if (cn < last)
                fail_msg("reader: cpindex stats said %llu records after a snapshot with %llu", (unsigned long long)cn,
                         (unsigned long long)last);
            cli_stats++;
        }
        if (n > 0 && n < nrefs / 2 && partial++ == 0 && write(gate[1], "x", 1) != 1) /* open the gate */
            fail_msg("reader: could not signal the writer");
        passes++;
    }
    close(gate[0]);
    close(gate[1]);
    cpi_arena_free(&arena);
    if (st)
        cpi_store_close(st);
    print_message("readers: %llu passes (%llu while partly loaded), %llu records read whole, %llu mentions looked "
                  "up, %llu full verifies, %llu stats runs; writer cpu %.2f s beside them, %.2f s alone\n",
                  (unsigned long long)passes, (unsigned long long)partial, (unsigned long long)records_read,
                  (unsigned long long)lookups, (unsigned long long)verifies, (unsigned long long)cli_stats, live_cpu,
                  solo_cpu);
    /* the readers must really have overlapped the writes; how often depends on the machine's load,
       so ask for a little of each rather than a rate (a busy shared machine gives far fewer passes) */
    assert_true(passes >= 5 && verifies >= 1 && partial >= 1);

    /* the same store as without readers */
    char *bad = tu_store_check(live);
    if (bad)
        fail_msg("%s", bad);
    char *a = tu_store_dump(solo), *b = tu_store_dump(live);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(strcmp(a, b) == 0);
    free(a);
    free(b);

    /* the writer is not starved: LMDB readers take no lock it waits for, so beside them it does
       about the same work (its wall time depends on how busy the machine is, its CPU time not) */
    if (live_cpu > 2 * solo_cpu + 0.5)
        fail_msg("the writer took %.2f cpu-s beside readers, %.2f alone", live_cpu, solo_cpu);
}

/* ---- readers during resolve ---- */

static int cli_status(char **argv) { return tu_wait(tu_spawn(argv, NULL, NULL)); }

static void resolve_writer(const char *db, const char *rejects)
{
    char *res[] = {cli, "--db", (char *)db, "resolve", NULL};
    if (cli_status(res) != 0)
        _exit(10);
    for (int s = 0; s < NSOURCES; s++) {
        char src[4300];
        snprintf(src, sizeof src, "%s/%s", force_b, sources[s]);
        char *argv[] = {cli, "--db", (char *)db, "ingest", (char *)sources[s], src, "--rejects", (char *)rejects, NULL};
        if (cli_status(argv) != 0)
            _exit(20 + s);
    }
    _exit(cli_status(res) == 0 ? 0 : 30);
}

/*
 * A mention's entity in snapshot t: its members include it, it has a card,
 * and every edge leads to an entity with members. Returns the entity's edges
 * checked (0 if the mention is not resolved yet), and its id in id.
 */
static unsigned check_entity(cpi_txn *t, const char *mref, bool graph, char id[CPI_ENTITY_ID_MAX], cpi_arena *arena)
{
    cpi_error err = {0};
    cpi_slice v;
    id[0] = '\0';
    cpi_status s = cpi_txn_get(t, CPI_DB_ENTITY_OF, mref, strlen(mref), &v, &err);
    if (s == CPI_NOT_FOUND)
        return 0;
    check_or_fail(s, &err, "entity_of");
    assert_true(v.len > 0 && v.len < CPI_ENTITY_ID_MAX);
    memcpy(id, v.data, v.len);
    id[v.len] = '\0';
    s = cpi_txn_get_pair(t, CPI_DB_MEMBERS, id, v.len, mref, strlen(mref), &err);
    if (s == CPI_NOT_FOUND)
        fail_msg("reader: %s is in entity %s, whose members in the same snapshot do not include it", mref, id);
    check_or_fail(s, &err, "members");
    if (!graph)
        return 0;
    cpi_card card;
    s = cpi_card_get(t, id, arena, &card, &err);
    if (s == CPI_NOT_FOUND)
        fail_msg("reader: entity %s has members but no card: the graph is half written", id);
    check_or_fail(s, &err, "card");
    cpi_edge *es;
    uint32_t n, total;
    check_or_fail(cpi_graph_edges(t, id, 200, arena, &es, &n, &total, &err), &err, "edges");
    for (uint32_t i = 0; i < n; i++) {
        uint64_t members;
        check_or_fail(cpi_txn_count_dups(t, CPI_DB_MEMBERS, es[i].other, strlen(es[i].other), &members, &err), &err,
                      "members of a neighbour");
        if (members > 0)
            continue;
        /* the one allowed gap: an ingest took a changed mention out of its entity and marked a resolve due
           (store.h); until then the emptied entity keeps its card */
        cpi_slice due;
        cpi_card other;
        if (cpi_txn_get(t, CPI_DB_META, CPI_META_RESOLVE_DUE, sizeof CPI_META_RESOLVE_DUE - 1, &due, &err) != CPI_OK ||
            cpi_card_get(t, es[i].other, arena, &other, &err) != CPI_OK)
            fail_msg("reader: %s has a %s edge to %s, which has no members: an edge to nothing", id, es[i].type,
                     es[i].other);
    }
    return n;
}

static void test_readers_during_resolve(void **state)
{
    (void)state;
    char db[4300], rj[4300];
    fmt(db, sizeof db, "%s/resolve.db", tmp);
    fmt(rj, sizeof rj, "%s/rejects-resolve", tmp);
    char *me = tu_run("id -un", NULL);
    me[strcspn(me, "\n")] = '\0';
    for (int s = 0; s < NSOURCES; s++) {
        char src[4300];
        fmt(src, sizeof src, "%s/%s", force_a, sources[s]);
        char *argv[] = {cli, "--db", db, "ingest", (char *)sources[s], src, "--rejects", rj, NULL};
        assert_int_equal(cli_status(argv), 0);
    }
    char *add[] = {cli, "--db", db, "user", "add", me, "--role", "admin,analyst", NULL};
    assert_int_equal(cli_status(add), 0);
    free(me);

    fflush(stdout);
    fflush(stderr);
    pid_t w = fork();
    assert_true(w >= 0);
    if (w == 0)
        resolve_writer(db, rj);

    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts o = {.flags = CPI_STORE_READONLY};
    check_or_fail(cpi_store_open(db, &o, &st, &err), &err, "open before resolve");
    cpi_arena arena = {0};
    uint64_t passes = 0, resolved_passes = 0, entities = 0, edges = 0, lookups = 0, verifies = 0, cli_queries = 0,
             cli_found = 0;
    for (;;) {
        int wst;
        if (waitpid(w, &wst, WNOHANG) == w) {
            if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
                fail_msg("the resolve writer failed: status %d", WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst));
            break;
        }
        cpi_txn *t;
        check_or_fail(cpi_store_read_begin(st, &t, &err), &err, "begin a snapshot during resolve");
        uint64_t cards = 0;
        {
            cpi_cursor *c;
            cpi_slice k, v;
            check_or_fail(cpi_cursor_open(t, CPI_DB_ANALYTICS, &c, &err), &err, "cursor on analytics");
            cards = cpi_cursor_seek(c, "e\x1f", 2, &k, &v, &err) == CPI_OK && k.len > 2 && memcmp(k.data, "e\x1f", 2) == 0;
            cpi_cursor_close(c);
        }
        char last_id[CPI_ENTITY_ID_MAX] = "";
        bool any = false;
        for (int i = 0; i < 30; i++) {
            const char *ref = refs[next_rand() % nrefs];
            cpi_record rec;
            cpi_arena_reset(&arena);
            cpi_status s = cpi_store_get_record(t, ref, &arena, &rec, &err);
            if (s == CPI_NOT_FOUND)
                continue;
            check_or_fail(s, &err, "get a record during resolve");
            for (uint32_t m = 0; m < rec.nmentions; m++) {
                char mref[CPI_REF_MAX + 8], id[CPI_ENTITY_ID_MAX];
                snprintf(mref, sizeof mref, "%s/%u", ref, m + 1);
                edges += check_entity(t, mref, cards > 0, id, &arena);
                if (id[0]) {
                    entities++;
                    any = true;
                    snprintf(last_id, sizeof last_id, "%s", id);
                }
            }
        }
        if (last_id[0]) { /* what a query does first: the entity id to its candidate */
            cpi_lookup l;
            cpi_lookup_opts lo = {0};
            cpi_arena_reset(&arena);
            check_or_fail(cpi_lookup_run(t, last_id, &lo, &arena, &l, &err), &err, "lookup by entity id during resolve");
            if (cards > 0 && (l.n != 1 || !l.items[0].entity_id || strcmp(l.items[0].entity_id, last_id) != 0))
                fail_msg("reader: looking up %s found %u candidates, not it", last_id, l.n);
            lookups++;
        }
        if (passes % 10 == 0) {
            cpi_verify_report rep;
            cpi_graph_verify_report grep_;
            check_or_fail(cpi_store_verify(t, &rep, &err), &err, "verify a snapshot during resolve");
            check_or_fail(cpi_graph_verify(t, &grep_, &err), &err, "verify the graph in a snapshot during resolve");
            verifies++;
        }
        cpi_txn_end(t);
        if (passes % 15 == 0 && last_id[0]) { /* the CLI, in its own process */
            char *q[] = {cli, "--db", db, "person", last_id, "--json", NULL};
            int rc = cli_status(q);
            if (rc != 0 && rc != 1)
                fail_msg("reader: cpindex person %s exited %d during resolve", last_id, rc);
            cli_queries++;
            cli_found += rc == 0;
        }
        resolved_passes += any;
        passes++;
    }
    cpi_arena_free(&arena);
    cpi_store_close(st);
    print_message("readers during resolve: %llu passes (%llu saw entities), %llu mentions' entities checked with "
                  "%llu edges, %llu lookups, %llu full verifies, %llu person queries (%llu answered)\n",
                  (unsigned long long)passes, (unsigned long long)resolved_passes, (unsigned long long)entities,
                  (unsigned long long)edges, (unsigned long long)lookups, (unsigned long long)verifies,
                  (unsigned long long)cli_queries, (unsigned long long)cli_found);
    /* they must have overlapped the resolves: some passes before the first, some after */
    assert_true(passes >= 5 && verifies >= 1 && resolved_passes >= 1 && resolved_passes < passes);
    char *bad = tu_store_check(db);
    if (bad)
        fail_msg("%s", bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers_during_ingest),
        cmocka_unit_test(test_readers_during_resolve),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
