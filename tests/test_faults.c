/*
 * test_faults.c - the store under the faults an operator meets: a full disk,
 * the store's own size limit, a read-only file system or store, and a store
 * left locked by a process that died reading or writing. Each gives one
 * clear message (or just works), and the store stays intact: it opens,
 * cpi_store_verify and the audit chain pass, and it holds exactly the files
 * that committed.
 *
 * The full disk and the read-only file system are a small tmpfs mounted in a
 * private mount namespace (root, or a user namespace), which vanishes with
 * the test; without either the tests say why and skip. The map limit is
 * CPINDEX_MAP_LIMIT. The dead processes are forked children, killed with
 * SIGKILL while they hold a snapshot or the write lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <lmdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/store.h"
#include "testutil.h"

static char *cli, *gen, *tmp;
static char force[4200];
static int mounts = -2; /* -2 not tried, 0 private mounts available, -1 not */
static char mounts_why[256];

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

/* Run cpindex with args; stdout and stderr land in *out and *err (malloc'd). Returns its exit status. */
static int cpindex(char **out, char **err, const char *const *args)
{
    char *argv[32] = {cli};
    int n = 1;
    for (; args[n - 1]; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    char o[4200], e[4200];
    fmt(o, sizeof o, "%s/out.txt", tmp);
    fmt(e, sizeof e, "%s/err.txt", tmp);
    int st = tu_wait(tu_spawn(argv, o, e));
    char *so = tu_slurp(o, NULL), *se = tu_slurp(e, NULL);
    if (out)
        *out = so;
    else
        free(so);
    if (err)
        *err = se;
    else
        free(se);
    return st;
}

static void must_contain(const char *text, const char *fragment, const char *what)
{
    if (!text || !strstr(text, fragment))
        fail_msg("%s: wanted '%s' in:\n%s", what, fragment, text ? text : "(nothing)");
}

static void assert_intact(const char *db)
{
    char *bad = tu_store_check(db);
    if (bad)
        fail_msg("%s", bad);
}

static uint64_t records_in(const char *db)
{
    char *out;
    const char *args[] = {"--db", db, "stats", "--json", NULL};
    assert_int_equal(cpindex(&out, NULL, args), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    uint64_t n = (uint64_t)json_integer_value(json_object_get(j, "records"));
    json_decref(j);
    free(out);
    return n;
}

/* Private mounts, entered once (the chmod test runs before, while real permissions still apply). */
static bool can_mount(void)
{
    if (mounts == -2) {
        mounts = tu_private_mounts(mounts_why, sizeof mounts_why);
        /* in a user namespace we are its root now: a new store's owner, so its admin */
        struct passwd *pw = mounts == 0 ? getpwuid(geteuid()) : NULL;
        if (pw)
            setenv("CPINDEX_USER", pw->pw_name, 1);
    }
    return mounts == 0;
}

/* A fresh tmpfs of size MiB at DIR (mode 0700). */
static void mount_tmpfs(const char *dir, unsigned mib)
{
    char opts[64];
    fmt(opts, sizeof opts, "size=%um,mode=0700", mib);
    mkdir(dir, 0700);
    if (mount("tmpfs", dir, "tmpfs", 0, opts) != 0)
        fail_msg("mount tmpfs on %s: %s", dir, strerror(errno));
}

static void remount(const char *dir, unsigned long flags, const char *opts)
{
    if (mount("tmpfs", dir, "tmpfs", MS_REMOUNT | flags, opts) != 0)
        fail_msg("remount %s: %s", dir, strerror(errno));
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
    setenv("CPINDEX_REASON", "fault test on synthetic data", 1);
    unsetenv("CPINDEX_DB");
    unsetenv("CPINDEX_MAP_LIMIT");
    fmt(force, sizeof force, "%s/force", tmp);
    char cmd[8400];
    fmt(cmd, sizeof cmd, "'%s' --seed 11 --children 2000 --out '%s' >/dev/null", gen, force);
    int st;
    free(tu_run(cmd, &st));
    return st == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (mounts == 0) { /* the tmpfs mounts go with the namespace; unmount them so rm -rf can finish */
        char cmd[4400];
        fmt(cmd, sizeof cmd, "grep -o ' %s/[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null", tmp);
        free(tu_run(cmd, NULL));
    }
    tu_rmrf_free(tmp);
    free(cli);
    free(gen);
    return 0;
}

/* ---- a read-only store, without mounts (only meaningful where permissions bind: not as root) ---- */

static void test_read_only_store_files(void **state)
{
    (void)state;
    if (geteuid() == 0)
        skip(); /* root may write anything; the read-only file system test below covers root */
    char db[4200], rj[4200], src[4200];
    fmt(db, sizeof db, "%s/ro-files.db", tmp);
    fmt(rj, sizeof rj, "%s/rj-ro-files", tmp);
    fmt(src, sizeof src, "%s/miraf", force);
    const char *ingest[] = {"--db", db, "ingest", "miraf", src, "--rejects", rj, NULL};
    assert_int_equal(cpindex(NULL, NULL, ingest), 0);
    uint64_t before = records_in(db);
    char cmd[4400];
    fmt(cmd, sizeof cmd, "chmod 0400 '%s'/*.mdb && chmod 0500 '%s'", db, db);
    assert_int_equal(system(cmd), 0);
    /* refused by the system: exit 2, as access refusals; reading too, since another user may be
       writing files this one may only read, and LMDB cannot register a reader without its lock */
    const char *stats[] = {"--db", db, "stats", NULL};
    char *err;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(cpindex(NULL, &err, i ? stats : ingest), 2);
        must_contain(err, "permission denied: the store's files must be readable and writable", "a read-only store");
        free(err);
    }
    fmt(cmd, sizeof cmd, "chmod 0700 '%s' && chmod 0600 '%s'/*.mdb", db, db);
    assert_int_equal(system(cmd), 0);
    assert_intact(db);
    assert_int_equal(records_in(db), before);
}

/* ---- a full disk ---- */

static void test_disk_full(void **state)
{
    (void)state;
    if (!can_mount()) {
        print_message("skipped: %s\n", mounts_why);
        skip();
    }
    char mnt[4200], db[4200], rj[4200], src[4200];
    fmt(mnt, sizeof mnt, "%s/small", tmp);
    fmt(db, sizeof db, "%s/db", mnt);
    fmt(rj, sizeof rj, "%s/rj-full", tmp); /* rejects elsewhere: this is about the store */
    fmt(src, sizeof src, "%s/niche", force);
    mount_tmpfs(mnt, 6); /* the niche silo needs about 12 MiB */
    const char *ingest[] = {"--db", db, "ingest", "niche", src, "--rejects", rj, "--json", NULL};
    char *out, *err;
    int st = cpindex(&out, &err, ingest);
    if (st != 3)
        fail_msg("ingest onto a full disk: exit %d (want 3: a message, not a crash; 135 is SIGBUS)\n%s", st, err);
    must_contain(err, "the disk is full", "ingest onto a full disk");
    must_contain(err, "the store is as it was before it", "ingest onto a full disk");
    /* some files went in whole, the rest not at all */
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    uint64_t stored = (uint64_t)json_integer_value(json_object_get(j, "stored"));
    size_t i, ok = 0, failed = 0;
    json_t *f;
    json_array_foreach(json_object_get(j, "files"), i, f)
    {
        if (json_is_true(json_object_get(f, "ok")))
            ok++;
        else {
            failed++;
            must_contain(json_string_value(json_object_get(f, "error")), "the disk is full", "a file's error");
        }
    }
    json_decref(j);
    free(out);
    free(err);
    assert_true(ok >= 1 && failed >= 1);
    assert_intact(db);
    assert_int_equal(records_in(db), stored);

    /* the library says the same to a caller that writes directly */
    cpi_store *s;
    cpi_error e = {0};
    assert_int_equal(cpi_store_open(db, NULL, &s, &e), CPI_OK);
    cpi_store_close(s);

    /* room again: the same ingest finishes, nothing lost or doubled */
    remount(mnt, 0, "size=64m");
    assert_int_equal(cpindex(&out, NULL, ingest), 0);
    j = json_loads(out, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "unchanged")), stored);
    assert_int_equal(json_integer_value(json_object_get(j, "rejected")), 0);
    uint64_t total = (uint64_t)json_integer_value(json_object_get(j, "read"));
    json_decref(j);
    free(out);
    assert_intact(db);
    assert_int_equal(records_in(db), total);
}

/* ---- the store's own size limit ---- */

static void test_map_limit(void **state)
{
    (void)state;
    char db[4200], rj[4200], src[4200];
    fmt(db, sizeof db, "%s/capped.db", tmp);
    fmt(rj, sizeof rj, "%s/rj-capped", tmp);
    fmt(src, sizeof src, "%s/niche", force);
    const char *ingest[] = {"--db", db, "ingest", "niche", src, "--rejects", rj, "--json", NULL};
    char *out, *err;
    setenv("CPINDEX_MAP_LIMIT", "4M", 1);
    assert_int_equal(cpindex(&out, &err, ingest), 3);
    must_contain(err, "full at its size limit of 4 MiB", "ingest past the limit");
    must_contain(err, "CPINDEX_MAP_LIMIT", "ingest past the limit");
    json_t *j = json_loads(out, 0, NULL);
    uint64_t stored = (uint64_t)json_integer_value(json_object_get(j, "stored"));
    json_decref(j);
    free(out);
    free(err);
    assert_true(stored > 0); /* the first files fit */
    assert_intact(db);
    assert_int_equal(records_in(db), stored);

    setenv("CPINDEX_MAP_LIMIT", "lots", 1);
    assert_int_equal(cpindex(NULL, &err, ingest), 2);
    must_contain(err, "CPINDEX_MAP_LIMIT='lots' is not a store size", "a limit that is not a size");
    free(err);
    setenv("CPINDEX_MAP_LIMIT", "64k", 1);
    assert_int_equal(cpindex(NULL, &err, ingest), 2);
    free(err);

    setenv("CPINDEX_MAP_LIMIT", "1G", 1); /* raised: the rest goes in */
    assert_int_equal(cpindex(&out, NULL, ingest), 0);
    j = json_loads(out, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "unchanged")), stored);
    uint64_t total = (uint64_t)json_integer_value(json_object_get(j, "read"));
    json_decref(j);
    free(out);
    unsetenv("CPINDEX_MAP_LIMIT");
    assert_intact(db);
    assert_int_equal(records_in(db), total);
}

/* ---- a read-only file system ---- */

static void test_read_only_file_system(void **state)
{
    (void)state;
    if (!can_mount()) {
        print_message("skipped: %s\n", mounts_why);
        skip();
    }
    char mnt[4200], db[4200], rj[4200], src[4200];
    fmt(mnt, sizeof mnt, "%s/ro", tmp);
    fmt(db, sizeof db, "%s/db", mnt);
    fmt(rj, sizeof rj, "%s/rj-ro", tmp);
    fmt(src, sizeof src, "%s/mace", force);
    mount_tmpfs(mnt, 32);
    const char *ingest[] = {"--db", db, "ingest", "mace", src, "--rejects", rj, NULL};
    assert_int_equal(cpindex(NULL, NULL, ingest), 0);
    uint64_t before = records_in(db);
    assert_true(before > 0);
    remount(mnt, MS_RDONLY, NULL);

    char *out, *err;
    const char *stats[] = {"--db", db, "stats", NULL};
    assert_int_equal(cpindex(&out, NULL, stats), 0); /* reading works */
    must_contain(out, "records", "stats on a read-only file system");
    free(out);
    assert_int_equal(records_in(db), before);
    assert_int_equal(cpindex(NULL, &err, ingest), 3);
    must_contain(err, "read-only file system", "ingest onto a read-only file system");
    free(err);
    /* a library handle opened for reading says so when asked to write */
    cpi_store *s;
    cpi_error e = {0};
    cpi_store_opts ro = {.flags = CPI_STORE_READONLY};
    assert_int_equal(cpi_store_open(db, &ro, &s, &e), CPI_OK);
    cpi_store_stats ss;
    assert_int_equal(cpi_store_stats_get(s, &ss, &e), CPI_OK);
    assert_int_equal(ss.records, before);
    cpi_store_close(s);
    assert_int_equal(cpi_store_open(db, NULL, &s, &e), CPI_ERR_IO);
    must_contain(e.msg, "read-only file system", "a library open for writing");

    remount(mnt, 0, NULL);
    assert_intact(db);
}

/* ---- processes that died holding the store ---- */

static char *small_store(const char *name)
{
    char *db = malloc(4200);
    fmt(db, 4200, "%s/%s", tmp, name);
    char rj[4200], src[4200];
    fmt(rj, sizeof rj, "%s/rj-%s", tmp, name);
    fmt(src, sizeof src, "%s/miraf", force);
    const char *ingest[] = {"--db", db, "ingest", "miraf", src, "--rejects", rj, NULL};
    assert_int_equal(cpindex(NULL, NULL, ingest), 0);
    return db;
}

/* Rewrite every record with a new hash: each pass frees the previous pass's pages (unless a snapshot pins them). */
typedef struct rewrite_ctx {
    int pass;
    bool signal_and_hang; /* for the dying writer: tell the parent, then wait to be killed */
    int fd;
} rewrite_ctx;

static cpi_status rewrite_all(cpi_txn *txn, void *vctx, cpi_error *err)
{
    rewrite_ctx *c = vctx;
    static cpi_kv keys[] = {{"sn", "rewritten"}};
    static cpi_mention m = {CPI_KIND_PERSON, "subject", {NULL, 0}, {keys, 1}};
    char ref[64];
    for (int i = 0; i < 3000; i++) {
        snprintf(ref, sizeof ref, "test:R-%d", i);
        cpi_record r = {.ref = ref, .type = "t", .day = CPI_DAY_NONE, .prov = {.file = "x", .line = 1},
                        .mentions = &m, .nmentions = 1};
        memset(r.prov.hash, c->pass + 1, 32);
        memcpy(r.prov.hash, &i, sizeof i);
        cpi_put_result res;
        cpi_status s = cpi_store_put_record(txn, &r, &res, err);
        if (s)
            return s;
    }
    if (c->signal_and_hang) {
        if (write(c->fd, "w", 1) != 1)
            _exit(1);
        pause();
    }
    return CPI_OK;
}

static uint64_t file_bytes(const char *db)
{
    char p[4300];
    fmt(p, sizeof p, "%s/data.mdb", db);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    return (uint64_t)sb.st_size;
}

typedef struct slot_search {
    pid_t pid;
    bool found;
} slot_search;

static int slot_line(const char *line, void *ctx)
{
    slot_search *ss = ctx;
    long pid;
    if (sscanf(line, "%ld", &pid) == 1 && pid == (long)ss->pid)
        ss->found = true;
    return 0;
}

/*
 * Does LMDB's reader table still hold a slot of process pid? Asked from a
 * child process: a second environment on the same files in this process would
 * share its fcntl locks, take itself for the only user and reset the table.
 */
static bool has_slot(const char *db, pid_t pid)
{
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        MDB_env *env;
        if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 32) || mdb_env_open(env, db, MDB_NOTLS | MDB_RDONLY, 0600))
            _exit(2);
        slot_search ss = {pid, false};
        mdb_reader_list(env, slot_line, &ss);
        mdb_env_close(env);
        _exit(ss.found ? 0 : 1);
    }
    int st = tu_wait(child);
    assert_true(st == 0 || st == 1);
    return st == 0;
}

/* A child opens its own handle, takes a snapshot (or starts a write), tells us, and is killed. */
static pid_t child_dies_holding(const char *db, bool writing)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        cpi_store *st;
        if (cpi_store_open(db, NULL, &st, NULL) != CPI_OK)
            _exit(1);
        if (writing) {
            rewrite_ctx c = {.pass = 99, .signal_and_hang = true, .fd = fds[1]};
            cpi_store_write(st, rewrite_all, &c, NULL);
            _exit(1);
        }
        cpi_txn *t;
        if (cpi_store_read_begin(st, &t, NULL) != CPI_OK || write(fds[1], "r", 1) != 1)
            _exit(1);
        pause();
        _exit(1);
    }
    close(fds[1]);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    close(fds[0]);
    kill(pid, SIGKILL);
    assert_int_equal(tu_wait(pid), 128 + SIGKILL);
    return pid;
}

/* Twenty rewrites of 3000 records on db through one open handle; returns data.mdb's growth in bytes. */
static uint64_t rewrites(cpi_store *st, const char *db)
{
    cpi_error err = {0};
    uint64_t before = file_bytes(db);
    rewrite_ctx c = {0};
    for (c.pass = 1; c.pass <= 20; c.pass++)
        assert_int_equal(cpi_store_write(st, rewrite_all, &c, &err), CPI_OK);
    return file_bytes(db) - before;
}

static void test_dead_reader(void **state)
{
    (void)state;
    char *db = small_store("dead-reader.db"), *control = small_store("control.db");
    cpi_store *st, *cst;
    cpi_error err = {0};
    /* our handles stay open throughout, so LMDB never resets the lock file behind us */
    assert_int_equal(cpi_store_open(db, NULL, &st, &err), CPI_OK);
    assert_int_equal(cpi_store_open(control, NULL, &cst, &err), CPI_OK);
    rewrite_ctx c = {0};
    assert_int_equal(cpi_store_write(st, rewrite_all, &c, &err), CPI_OK);
    assert_int_equal(cpi_store_write(cst, rewrite_all, &c, &err), CPI_OK);
    pid_t dead = child_dies_holding(db, false);
    assert_true(has_slot(db, dead)); /* LMDB alone keeps the dead process's slot */
    /* with the dead snapshot pinned, every rewrite would take fresh pages instead of reusing freed ones */
    uint64_t grew = rewrites(st, db), control_grew = rewrites(cst, control);
    if (grew > control_grew + control_grew / 4 + 65536)
        fail_msg("data.mdb grew by %llu bytes, a store without a dead reader by %llu: the dead snapshot was kept",
                 (unsigned long long)grew, (unsigned long long)control_grew);
    assert_int_equal(cpi_store_dead_readers(st), 1);
    assert_false(has_slot(db, dead));
    cpi_store_close(st);
    cpi_store_close(cst);
    assert_intact(db);

    /* a reader killed while nobody else has the store open is simply gone at the next open */
    child_dies_holding(db, false);
    assert_int_equal(cpi_store_open(db, NULL, &st, &err), CPI_OK);
    cpi_store_close(st);
    const char *stats[] = {"--db", db, "stats", NULL};
    assert_int_equal(cpindex(NULL, NULL, stats), 0);
    assert_intact(db);
    free(db);
    free(control);
}

static void test_dead_writer(void **state)
{
    (void)state;
    char *db = small_store("dead-writer.db");
    uint64_t before = records_in(db);
    cpi_store *st;
    cpi_error err = {0};
    assert_int_equal(cpi_store_open(db, NULL, &st, &err), CPI_OK);
    /* the child dies inside its write transaction, holding LMDB's writer lock */
    child_dies_holding(db, true);
    alarm(20); /* a lock that is never released would hang here: fail instead */
    rewrite_ctx c = {.pass = 1};
    assert_int_equal(cpi_store_write(st, rewrite_all, &c, &err), CPI_OK);
    alarm(0);
    cpi_store_close(st);
    assert_intact(db);
    assert_int_equal(records_in(db), before + 3000); /* ours; none of the dead writer's */

    /* the CLI writes too, after a writer died with nobody else holding the store */
    child_dies_holding(db, true);
    char src[4200], rj[4200];
    fmt(src, sizeof src, "%s/mace", force);
    fmt(rj, sizeof rj, "%s/rj-dead-writer", tmp);
    const char *ingest[] = {"--db", db, "ingest", "mace", src, "--rejects", rj, NULL};
    alarm(20);
    assert_int_equal(cpindex(NULL, NULL, ingest), 0);
    alarm(0);
    assert_intact(db);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_only_store_files), /* first: before this process enters a user namespace */
        cmocka_unit_test(test_map_limit),
        cmocka_unit_test(test_dead_reader),
        cmocka_unit_test(test_dead_writer),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_read_only_file_system),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
