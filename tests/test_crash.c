/*
 * test_crash.c - crash safety of `cpindex ingest`: SIGKILL it at random
 * moments, many times, and the store is always a committed state, and
 * running the ingest again gives exactly what an uninterrupted run gives.
 *
 * A cpgen force of 2000 children (about 20,000 records in 12 files, 1 in 50
 * rows malformed on purpose) is ingested once without interruption: that is
 * the reference (per file the records it stored, a dump of reference +
 * content hash + version + mention count for every record, the reject
 * files). Then, ten times on a fresh store: kill an ingest of all six silos
 * at a random moment, check, start again and kill it again, check, and run it
 * to the end. Each check: the store opens, cpi_store_verify and the audit
 * chain pass, and `cpindex stats --json` shows records per source equal to a
 * whole number of files committed in order (never part of a file); a store
 * killed before its first commit reads as empty. After the
 * final run: the dump, the stats and the reject files equal the reference.
 *
 * Moments come from a fixed seed: a silo drawn in proportion to how long its
 * ingest took in the latest whole run, a moment within that time, so kills
 * land inside files' transactions; a moment the ingest outran is drawn again,
 * so all 20 kills hit a running ingest however busy the machine is.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define NSOURCES 6
#define TRIALS 10
#define MAX_FILES 64

static const char *const sources[NSOURCES] = {"niche", "miraf", "mace", "marac", "polit", "soc"};

static char *cli, *gen, *tmp;
static char force[4200];

/* The reference run: every file in the order ingest commits them, and what it stored. */
static struct {
    int source;
    uint64_t stored;
} files[MAX_FILES];
static int nfiles;
static double full_secs;
static char *ref_dump;
static char *ref_rejects[NSOURCES];

static uint64_t rng = 0x9E3779B97F4A7C15ull;
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

static pid_t start_ingest(const char *db, int s, const char *rejects, const char *out)
{
    char src[4200];
    path(src, force, sources[s]);
    char *argv[] = {cli, "--db", (char *)db, "ingest", (char *)sources[s], src, "--rejects", (char *)rejects,
                    "--json", NULL};
    pid_t pid = tu_spawn(argv, out, NULL);
    assert_true(pid > 0);
    return pid;
}

/* How long each silo's ingest takes, from the latest whole run (the machine is shared: it varies). */
static double secs[NSOURCES];

/*
 * Ingest every silo in turn. With kill_source >= 0, SIGKILL that silo's
 * ingest `delay` seconds after it starts and stop there. Returns true if the
 * kill hit it running (false: it had finished first, and the rest ran).
 * A run without a kill updates secs[].
 */
static bool ingest_all(const char *db, const char *rejects, int kill_source, double delay)
{
    bool killed = false;
    double run_secs[NSOURCES];
    for (int s = 0; s < NSOURCES && !killed; s++) {
        double t0 = tu_now();
        pid_t pid = start_ingest(db, s, rejects, "/dev/null");
        for (;;) {
            int st;
            pid_t r = waitpid(pid, &st, WNOHANG);
            if (r == pid) {
                assert_true(WIFEXITED(st));
                assert_int_equal(WEXITSTATUS(st), 0);
                break;
            }
            if (s == kill_source && tu_now() - t0 >= delay) {
                kill(pid, SIGKILL);
                killed = tu_wait(pid) == 128 + SIGKILL;
                break;
            }
            struct timespec ms = {0, 200000};
            nanosleep(&ms, NULL);
        }
        run_secs[s] = tu_now() - t0;
    }
    if (kill_source < 0)
        memcpy(secs, run_secs, sizeof secs);
    return killed;
}

/*
 * Kill one ingest at a random moment: a silo drawn in proportion to how long
 * its ingest takes, a moment drawn within that time. A moment the ingest
 * outran (the machine got faster) is drawn again; returns how many draws it took.
 */
static int kill_somewhere(const char *db, const char *rejects)
{
    for (int draws = 1; draws <= 10; draws++) {
        double total = 0;
        for (int s = 0; s < NSOURCES; s++)
            total += secs[s];
        double at = uniform() * total;
        int s = 0;
        while (s < NSOURCES - 1 && at >= secs[s])
            at -= secs[s++];
        if (ingest_all(db, rejects, s, at))
            return draws;
    }
    fail_msg("ten random moments all came after the ingest had finished");
    return -1;
}

static json_t *stats_json(const char *db)
{
    char out[4200];
    path(out, tmp, "stats.json");
    char *argv[] = {cli, "--db", (char *)db, "stats", "--json", NULL};
    assert_int_equal(tu_wait(tu_spawn(argv, out, NULL)), 0);
    json_error_t je;
    json_t *j = json_load_file(out, 0, &je);
    if (!j)
        fail_msg("stats --json is not JSON: %s", je.text);
    return j;
}

/*
 * The store opens and is intact, and its records per source are those of the
 * first k files for some k. Returns k.
 */
static int check_committed(const char *db)
{
    json_t *j = stats_json(db);
    if (json_is_false(json_object_get(j, "exists"))) { /* killed before its first commit */
        json_decref(j);
        return 0;
    }
    char *bad = tu_store_check(db);
    if (bad)
        fail_msg("%s", bad);
    json_t *by = json_object_get(j, "records_by_source");
    assert_non_null(by);
    uint64_t have[NSOURCES] = {0};
    for (int s = 0; s < NSOURCES; s++) {
        json_t *n = json_object_get(by, sources[s]);
        have[s] = n ? (uint64_t)json_integer_value(n) : 0;
    }
    json_decref(j);
    uint64_t want[NSOURCES] = {0};
    for (int k = 0; k <= nfiles; k++) {
        if (k > 0)
            want[files[k - 1].source] += files[k - 1].stored;
        if (memcmp(want, have, sizeof want) == 0)
            return k;
    }
    fail_msg("records per source (niche %llu, miraf %llu, mace %llu, marac %llu, polit %llu, soc %llu) are not "
             "those of any whole number of files",
             (unsigned long long)have[0], (unsigned long long)have[1], (unsigned long long)have[2],
             (unsigned long long)have[3], (unsigned long long)have[4], (unsigned long long)have[5]);
    return -1;
}

/* The reject file each source's ingest wrote in dir (each run uses a fresh dir, so one per source). */
static char *rejects_of(const char *dir, int s)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "cat '%s'/%s-*.csv 2>/dev/null", dir, sources[s]);
    return tu_run(cmd, NULL);
}

static int setup(void **state)
{
    (void)state;
    cli = tu_build_path("cpindex");
    gen = tu_build_path("cpgen");
    tmp = tu_mkdtemp();
    if (!tmp)
        return -1;
    char cmd[8400];
    char *me = tu_run("id -un", NULL); /* a new store's owner is its admin */
    me[strcspn(me, "\n")] = '\0';
    setenv("CPINDEX_USER", me, 1);
    free(me);
    setenv("CPINDEX_REASON", "crash safety test on synthetic data", 1);
    unsetenv("CPINDEX_DB");
    unsetenv("CPINDEX_MAP_LIMIT");
    snprintf(force, sizeof force, "%s/force", tmp);
    snprintf(cmd, sizeof cmd, "'%s' --seed 7 --children 2000 --bad-rows 20 --out '%s' >/dev/null", gen, force);
    int st;
    free(tu_run(cmd, &st));
    return st == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(ref_dump);
    for (int s = 0; s < NSOURCES; s++)
        free(ref_rejects[s]);
    tu_rmrf_free(tmp);
    free(cli);
    free(gen);
    return 0;
}

/* The uninterrupted run, recorded file by file. */
static void reference_run(void)
{
    char db[4200], rj[4200], out[4200];
    path(db, tmp, "ref.db");
    path(rj, tmp, "ref-rejects");
    path(out, tmp, "ingest.json");
    double t0 = tu_now();
    for (int s = 0; s < NSOURCES; s++) {
        double ts = tu_now();
        assert_int_equal(tu_wait(start_ingest(db, s, rj, out)), 0);
        secs[s] = tu_now() - ts;
        json_error_t je;
        json_t *j = json_load_file(out, 0, &je);
        assert_non_null(j);
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(j, "files"), i, f)
        {
            assert_true(nfiles < MAX_FILES);
            assert_true(json_is_true(json_object_get(f, "ok")));
            files[nfiles].source = s;
            files[nfiles++].stored = (uint64_t)json_integer_value(json_object_get(f, "stored"));
        }
        json_decref(j);
        ref_rejects[s] = rejects_of(rj, s);
    }
    full_secs = tu_now() - t0;
    assert_int_equal(check_committed(db), nfiles);
    ref_dump = tu_store_dump(db);
    assert_non_null(ref_dump);
    assert_true(strlen(ref_dump) > 15000 * 80); /* ~20,000 records of ~100 bytes each */
    assert_true(nfiles >= 12);
    /* the force has rejects in several silos, so the reject files are compared too */
    int with_rejects = 0;
    for (int s = 0; s < NSOURCES; s++)
        with_rejects += strchr(ref_rejects[s], '\n') != NULL;
    assert_true(with_rejects >= 3);
}

static void test_kill_ingest_anywhere(void **state)
{
    (void)state;
    reference_run();
    int draws = 0, partial = 0;
    for (int t = 0; t < TRIALS; t++) {
        char db[4200], rj[4200], name[64];
        snprintf(name, sizeof name, "t%d.db", t);
        path(db, tmp, name);
        for (int kill_no = 0; kill_no < 2; kill_no++) {
            snprintf(name, sizeof name, "t%d-rejects-%d", t, kill_no);
            path(rj, tmp, name);
            draws += kill_somewhere(db, rj);
            int k = check_committed(db);
            partial += k < nfiles;
        }
        /* run to the end: exactly the uninterrupted result */
        snprintf(name, sizeof name, "t%d-rejects-final", t);
        path(rj, tmp, name);
        assert_false(ingest_all(db, rj, -1, 0));
        assert_int_equal(check_committed(db), nfiles);
        char *dump = tu_store_dump(db);
        assert_non_null(dump);
        if (strcmp(dump, ref_dump) != 0)
            fail_msg("trial %d: after kills and a full run the records differ from the uninterrupted run", t);
        free(dump);
        for (int s = 0; s < NSOURCES; s++) {
            char *r = rejects_of(rj, s);
            if (strcmp(r, ref_rejects[s]) != 0)
                fail_msg("trial %d: the %s reject file differs from the uninterrupted run's", t, sources[s]);
            free(r);
        }
        char cmd[4400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", db);
        assert_int_equal(system(cmd), 0);
    }
    print_message("crash: %d kills (%d moments drawn), %d left part of the force unloaded "
                  "(reference run %.2f s, %d files)\n",
                  2 * TRIALS, draws, partial, full_secs, nfiles);
    /* Most kills should cut a silo short, not only its last commit; how many do depends on the
     * machine's load, so ask for a quarter of them. */
    assert_true(partial >= TRIALS / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_ingest_anywhere),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
