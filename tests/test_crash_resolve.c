/*
 * test_crash_resolve.c - crash safety of `cpindex resolve` and `cpindex
 * purge`: SIGKILL each at many seeded moments within its run, and the store
 * is always the state before the run or the state after a complete one,
 * never a mix; the next run completes and equals an uninterrupted run.
 *
 * The force: cpgen, 600 children. The store "before": Niche ingested and
 * resolved, then the five other silos ingested (unresolved), so a resolve has
 * much to change. The reference: that store resolved without interruption.
 *
 * resolve, TRIALS times, on a fresh copy of "before": start `cpindex
 * resolve`, kill it at a moment drawn within the reference run's duration
 * (every other trial within its last quarter, where the one write
 * transaction is built and committed), drawn again on a fresh copy if the
 * resolve finished first. Then:
 *  - the store opens and verifies: cpi_store_verify (entity_of and members
 *    agree, no member missing, ids and counters, review pairs) and
 *    cpi_graph_verify (no edge to nothing), and `cpindex audit verify`
 *    passes;
 *  - its resolve output - `cpindex export entities` (every mention and its
 *    entity) and the entity and edge counts - equals the state before or the
 *    reference, and the log holds a resolve's combination entry exactly
 *    when it is the reference;
 *  - `cpindex resolve` again completes, and the output equals the reference.
 *
 * purge, TRIALS times, each of a different record with several resolved
 * mentions, on a fresh copy of the reference: an uninterrupted purge of the
 * record on another copy is the reference for it (and its duration the range
 * the moment is drawn from). After the kill: the store verifies, the audit
 * log verifies, and the record is wholly present (every mention in its
 * entity, no erasure entry naming it) or wholly erased (no mention left in
 * an entity, its erasure entry present); the purge run again completes (or
 * finds nothing to purge, when the record was already erased), and the
 * records and the entities equal the uninterrupted purge's.
 *
 * Nothing here times anything: moments are drawn from measured durations and
 * re-drawn when the process outran them; the test requires only that most
 * kills hit a running process.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/store.h"
#include "testutil.h"

#define TRIALS 6
#define MAX_DRAWS 10

static char *cli, *gen, *tmp;
static char force[4200], before_db[4200], after_db[4200];
static char *before_sig, *after_sig;
static uint64_t before_comb;
static double resolve_secs;

static uint64_t rng = 0xD1B54A32D192ED03ull;
static double uniform(void) /* xorshift64*, fixed seed: the same moments every run */
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static void path(char *buf, const char *a, const char *b)
{
    int n = snprintf(buf, 4200, "%s/%s", a, b);
    assert_true(n > 0 && n < 4200);
}

static void sh(const char *fmt_, const char *a, const char *b)
{
    char cmd[9000];
    int n = snprintf(cmd, sizeof cmd, fmt_, a, b);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    int st;
    free(tu_run(cmd, &st));
    if (st != 0)
        fail_msg("'%s' failed (%d)", cmd, st);
}

static void copy_store(const char *from, const char *to) { sh("rm -rf '%2$s' && cp -r '%1$s' '%2$s'", from, to); }

static int cli_run(char **argv)
{
    return tu_wait(tu_spawn(argv, NULL, NULL));
}

/*
 * What a resolve produced, as a reader sees it: `cpindex export entities`
 * (reference,entity_id for every mention) and the entity and edge counts
 * from `cpindex stats --json`. (The export is logged, so this adds an audit
 * entry: a disclosure, never a combination.)
 */
static char *signature(const char *db)
{
    char out[4200], stats[4200];
    path(out, tmp, "entities.csv");
    path(stats, tmp, "stats.json");
    char *ex[] = {cli, "--db", (char *)db, "export", "entities", "--out", out, NULL};
    int st = cli_run(ex);
    if (st != 0)
        fail_msg("export entities from %s exited %d", db, st);
    char *st_argv[] = {cli, "--db", (char *)db, "stats", "--json", NULL};
    assert_int_equal(tu_wait(tu_spawn(st_argv, stats, NULL)), 0);
    json_t *j = json_load_file(stats, 0, NULL);
    assert_non_null(j);
    size_t len;
    char *csv = tu_slurp(out, &len);
    assert_non_null(csv);
    char *sig = malloc(len + 64);
    assert_non_null(sig);
    snprintf(sig, len + 64, "entities %lld edges %lld\n%s", (long long)json_integer_value(json_object_get(j, "entities")),
             (long long)json_integer_value(json_object_get(j, "edges")), csv);
    json_decref(j);
    free(csv);
    unlink(out);
    return sig;
}

/* ---- the audit log, read through the library ---- */

typedef struct tally {
    uint64_t n;
} tally;

static cpi_status count_entry(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    (void)e;
    (void)err;
    ((tally *)ctx)->n++;
    return CPI_OK;
}

/* Entries of a kind (naming entity/ref if given). */
static uint64_t audit_count(const char *db, cpi_audit_kind kind, const char *entity)
{
    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts o = {.flags = CPI_STORE_READONLY};
    if (cpi_store_open(db, &o, &st, &err) != CPI_OK)
        fail_msg("%s does not open: %s", db, err.msg);
    tally t = {0};
    cpi_audit_filter f = {.kind = (int)kind, .entity = entity};
    if (cpi_audit_query(st, &f, count_entry, &t, &err) != CPI_OK)
        fail_msg("audit query on %s: %s", db, err.msg);
    cpi_store_close(st);
    return t.n;
}

/* The store verifies (records, keys, entities, review pairs, graph, chain) and so does `cpindex audit verify`. */
static void check_intact(const char *db, const char *when)
{
    char *bad = tu_store_check(db);
    if (bad)
        fail_msg("%s: %s", when, bad);
    char *argv[] = {cli, "--db", (char *)db, "audit", "verify", NULL};
    int st = cli_run(argv);
    if (st != 0)
        fail_msg("%s: cpindex audit verify exited %d", when, st);
}

/*
 * Start argv and SIGKILL it `delay` seconds later. Returns true if the kill
 * hit it running; false if it had exited first (its status must be 0 or
 * `also_ok`).
 */
static bool run_and_kill(char **argv, double delay, int also_ok)
{
    double t0 = tu_now();
    pid_t pid = tu_spawn(argv, NULL, NULL);
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            assert_true(WIFEXITED(st));
            if (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != also_ok)
                fail_msg("%s %s exited %d before it could be killed", argv[3], argv[4] ? argv[4] : "", WEXITSTATUS(st));
            return false;
        }
        if (tu_now() - t0 >= delay) {
            kill(pid, SIGKILL);
            return tu_wait(pid) == 128 + SIGKILL;
        }
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
}

static int setup(void **state)
{
    (void)state;
    cli = tu_build_path("cpindex");
    gen = tu_build_path("cpgen");
    tmp = tu_mkdtemp();
    if (!tmp)
        return -1;
    char *me = tu_run("id -un", NULL);
    me[strcspn(me, "\n")] = '\0';
    setenv("CPINDEX_USER", me, 1);
    setenv("CPINDEX_REASON", "crash safety test of resolve and purge on synthetic data", 1);
    unsetenv("CPINDEX_DB");
    unsetenv("CPINDEX_MAP_LIMIT");
    snprintf(force, sizeof force, "%s/force", tmp);
    snprintf(before_db, sizeof before_db, "%s/before.db", tmp);
    snprintf(after_db, sizeof after_db, "%s/after.db", tmp);
    char cmd[65536];
    int cl = snprintf(cmd, sizeof cmd,
             "set -e; '%s' --seed 9 --children 600 --out '%s' >/dev/null; "
             "'%s' --db '%s' ingest niche '%s/niche' >/dev/null; "
             "'%s' --db '%s' user add '%s' --role admin,analyst,supervisor >/dev/null; "
             "'%s' --db '%s' resolve >/dev/null; "
             "for s in miraf mace marac polit soc; do '%s' --db '%s' ingest $s '%s/'$s >/dev/null; done",
             gen, force, cli, before_db, force, cli, before_db, me, cli, before_db, cli, before_db, force);
    free(me);
    if (cl < 0 || (size_t)cl >= sizeof cmd)
        return -1;
    int st;
    free(tu_run(cmd, &st));
    return st == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(before_sig);
    free(after_sig);
    tu_rmrf_free(tmp);
    free(cli);
    free(gen);
    return 0;
}

/* The uninterrupted resolve: the "after" store and signature, and how long it took. */
static void reference_resolve(void)
{
    check_intact(before_db, "the store before resolve");
    before_sig = signature(before_db);
    before_comb = audit_count(before_db, CPI_AUDIT_COMBINATION, NULL);
    copy_store(before_db, after_db);
    char *argv[] = {cli, "--db", after_db, "resolve", NULL};
    double t0 = tu_now();
    assert_int_equal(cli_run(argv), 0);
    resolve_secs = tu_now() - t0;
    check_intact(after_db, "the store after an uninterrupted resolve");
    after_sig = signature(after_db);
    assert_int_equal(audit_count(after_db, CPI_AUDIT_COMBINATION, NULL), before_comb + 1);
    /* the run changes much: the other five silos' mentions get entities, and the graph grows */
    assert_true(strcmp(before_sig, after_sig) != 0);
    assert_true(strlen(after_sig) > 20000);
}

static void test_kill_resolve(void **state)
{
    (void)state;
    reference_resolve();
    int kills = 0, draws = 0, left_before = 0, left_after = 0;
    for (int t = 0; t < TRIALS; t++) {
        char db[4200], name[64];
        snprintf(name, sizeof name, "r%d.db", t);
        path(db, tmp, name);
        char *argv[] = {cli, "--db", db, "resolve", NULL};
        bool killed = false;
        for (int d = 0; d < MAX_DRAWS && !killed; d++) {
            copy_store(before_db, db);
            draws++;
            /* every other trial aims at the last quarter, where resolve writes and commits */
            double at = t % 2 ? 0.75 + 0.25 * uniform() : uniform();
            killed = run_and_kill(argv, at * resolve_secs, -1);
        }
        kills += killed;
        char when[128];
        snprintf(when, sizeof when, "resolve trial %d, after the kill", t);
        check_intact(db, when);
        uint64_t comb = audit_count(db, CPI_AUDIT_COMBINATION, NULL);
        char *sig = signature(db);
        if (strcmp(sig, before_sig) == 0) {
            left_before++;
            if (comb != before_comb)
                fail_msg("resolve trial %d: the entities are as before but the log has %llu combinations, not %llu", t,
                         (unsigned long long)comb, (unsigned long long)before_comb);
        } else if (strcmp(sig, after_sig) == 0) {
            left_after++;
            if (comb != before_comb + 1)
                fail_msg("resolve trial %d: the entities are the resolve's but its combination entry is missing", t);
        } else {
            fail_msg("resolve trial %d: the entities after the kill are neither the state before nor after the run", t);
        }
        free(sig);
        /* the next run completes and gives what an uninterrupted run gives */
        assert_int_equal(cli_run(argv), 0);
        snprintf(when, sizeof when, "resolve trial %d, after the rerun", t);
        check_intact(db, when);
        sig = signature(db);
        if (strcmp(sig, after_sig) != 0)
            fail_msg("resolve trial %d: the rerun's entities differ from the uninterrupted run's", t);
        free(sig);
        sh("rm -rf '%s'%s", db, "");
    }
    print_message("crash resolve: %d of %d trials killed a running resolve (%d moments drawn within %.2f s); "
                  "%d left the state before, %d the completed run\n",
                  kills, TRIALS, draws, resolve_secs, left_before, left_after);
    /* the machine's load decides how many draws land; ask for most, not all */
    assert_true(kills >= TRIALS / 2);
}

/* ---- purge ---- */

/* Record references with at least min_mentions mentions, from an entities export ("ref/N","id" rows in order). */
static char **pick_records(const char *csv, int want, int min_mentions)
{
    /* count mentions per record reference (the export is in reference order) */
    char **refs = calloc((size_t)want, sizeof *refs);
    assert_non_null(refs);
    char **all = NULL;
    size_t nall = 0, cap = 0;
    char prev[256] = "";
    int n = 0;
    for (const char *line = csv; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *next = nl ? nl + 1 : NULL;
        if (len && line[0] == '"') { /* fields are quoted */
            line++;
            len--;
        }
        const char *slash = memchr(line, '/', len), *comma = memchr(line, ',', len);
        if (slash && comma && slash < comma && comma + 1 < line + len && (size_t)(slash - line) < sizeof prev) {
            char ref[256];
            memcpy(ref, line, (size_t)(slash - line));
            ref[slash - line] = '\0';
            if (strcmp(ref, prev) != 0) {
                if (n >= min_mentions) {
                    if (nall == cap) {
                        cap = cap ? cap * 2 : 256;
                        all = realloc(all, cap * sizeof *all);
                        assert_non_null(all);
                    }
                    all[nall++] = strdup(prev);
                }
                snprintf(prev, sizeof prev, "%s", ref);
                n = 0;
            }
            n++;
        }
        line = next;
    }
    assert_true(nall >= (size_t)want);
    for (int i = 0; i < want; i++) /* spread over the sources and the file */
        refs[i] = strdup(all[(size_t)i * nall / (size_t)want]);
    for (size_t i = 0; i < nall; i++)
        free(all[i]);
    free(all);
    return refs;
}

/* How many of ref's mentions have an entity, and how many mentions it has (0 if the record is gone). */
static void record_state(const char *db, const char *ref, uint32_t *mentions, uint32_t *placed)
{
    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts o = {.flags = CPI_STORE_READONLY};
    assert_int_equal(cpi_store_open(db, &o, &st, &err), CPI_OK);
    cpi_txn *t;
    assert_int_equal(cpi_store_read_begin(st, &t, &err), CPI_OK);
    cpi_arena a = {0};
    cpi_record rec;
    *mentions = *placed = 0;
    if (cpi_store_get_record(t, ref, &a, &rec, &err) == CPI_OK)
        *mentions = rec.nmentions;
    /* look for entity_of entries whatever the record says: none may outlive it */
    for (uint32_t i = 1; i <= 64; i++) {
        char mref[300];
        int ml = snprintf(mref, sizeof mref, "%s/%u", ref, i);
        cpi_slice v;
        *placed += cpi_txn_get(t, CPI_DB_ENTITY_OF, mref, (size_t)ml, &v, &err) == CPI_OK;
    }
    cpi_arena_free(&a);
    cpi_txn_end(t);
    cpi_store_close(st);
}

static void test_kill_purge(void **state)
{
    (void)state;
    if (!after_sig) /* test_kill_resolve made the reference; run alone, make it here */
        reference_resolve();
    char *csv = strchr(after_sig, '\n') + 1;
    char **refs = pick_records(csv, TRIALS, 3);
    int kills = 0, draws = 0, left_present = 0, left_erased = 0;
    for (int t = 0; t < TRIALS; t++) {
        const char *ref = refs[t];
        char ref_db[4200], db[4200], name[64];
        snprintf(name, sizeof name, "p%d-ref.db", t);
        path(ref_db, tmp, name);
        snprintf(name, sizeof name, "p%d.db", t);
        path(db, tmp, name);
        uint32_t m0, p0;
        record_state(after_db, ref, &m0, &p0);
        assert_true(m0 >= 3 && p0 == m0);
        uint64_t erasures0 = audit_count(after_db, CPI_AUDIT_ERASURE, ref);
        assert_int_equal(erasures0, 0);

        /* the uninterrupted purge of this record */
        copy_store(after_db, ref_db);
        char *ref_argv[] = {cli, "--db", ref_db, "purge", (char *)ref, NULL};
        double t0 = tu_now();
        assert_int_equal(cli_run(ref_argv), 0);
        double secs = tu_now() - t0;
        uint32_t m, p;
        record_state(ref_db, ref, &m, &p);
        assert_int_equal(m + p, 0);
        assert_int_equal(audit_count(ref_db, CPI_AUDIT_ERASURE, ref), 1);
        check_intact(ref_db, "the store after an uninterrupted purge");
        char *ref_dump = tu_store_dump(ref_db), *ref_sig = signature(ref_db);

        char *argv[] = {cli, "--db", db, "purge", (char *)ref, NULL};
        bool killed = false;
        for (int d = 0; d < MAX_DRAWS && !killed; d++) {
            copy_store(after_db, db);
            draws++;
            killed = run_and_kill(argv, uniform() * secs, -1);
        }
        kills += killed;
        char when[300];
        snprintf(when, sizeof when, "purge trial %d (%s), after the kill", t, ref);
        check_intact(db, when);
        record_state(db, ref, &m, &p);
        uint64_t erasures = audit_count(db, CPI_AUDIT_ERASURE, ref);
        if (m == m0 && p == m0 && erasures == 0)
            left_present++;
        else if (m == 0 && p == 0 && erasures == 1)
            left_erased++;
        else
            fail_msg("%s: the record has %u of %u mentions, %u of them in entities, and %llu erasure entries: "
                     "neither wholly present nor wholly erased",
                     when, m, m0, p, (unsigned long long)erasures);
        /* run again: it completes (or finds the record already gone), and equals the uninterrupted purge */
        int rc = cli_run(argv);
        if (!(rc == 0 || (rc == 1 && m == 0)))
            fail_msg("purge trial %d: the rerun exited %d", t, rc);
        snprintf(when, sizeof when, "purge trial %d (%s), after the rerun", t, ref);
        check_intact(db, when);
        assert_int_equal(audit_count(db, CPI_AUDIT_ERASURE, ref), 1);
        char *dump = tu_store_dump(db), *sig = signature(db);
        if (strcmp(dump, ref_dump) != 0)
            fail_msg("purge trial %d: the records differ from the uninterrupted purge's", t);
        if (strcmp(sig, ref_sig) != 0)
            fail_msg("purge trial %d: the entities differ from the uninterrupted purge's", t);
        free(dump);
        free(sig);
        free(ref_dump);
        free(ref_sig);
        sh("rm -rf '%s' '%s'", db, ref_db);
    }
    for (int t = 0; t < TRIALS; t++)
        free(refs[t]);
    free(refs);
    print_message("crash purge: %d of %d trials killed a running purge (%d moments drawn); %d left the record "
                  "present, %d erased\n",
                  kills, TRIALS, draws, left_present, left_erased);
    assert_true(kills >= TRIALS / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_resolve),
        cmocka_unit_test(test_kill_purge),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
