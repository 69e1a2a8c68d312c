/* testutil.c - helpers shared by the cmocka tests (see testutil.h). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/store.h"
#include "resolve/verify.h"
#include "graph/graph.h"

char *tu_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/cpi-test-XXXXXX", base && *base ? base : "/tmp");
    char *p = mkdtemp(tmpl);
    return p ? strdup(p) : NULL;
}

void tu_rmrf_free(char *path)
{
    if (!path)
        return;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "testutil: could not remove %s\n", path);
    free(path);
}

static char *join(const char *env, const char *fallback, const char *rel)
{
    const char *base = getenv(env);
    if (!base || !*base)
        base = fallback;
    size_t n = strlen(base) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", base, rel);
    return p;
}

char *tu_build_path(const char *rel) { return join("CPI_BUILD_DIR", "build", rel); }
char *tu_source_path(const char *rel) { return join("CPI_SOURCE_DIR", ".", rel); }

char *tu_run(const char *cmd, int *exit_status)
{
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[len] = '\0';
    int st = pclose(f);
    if (exit_status)
        *exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return buf;
}

int tu_cli_force(const char *cli, const char *cpgen, const char *dir, const char *db, unsigned seed,
                 unsigned children)
{
    static const char *const silos[] = {"niche", "miraf", "mace", "marac", "polit", "soc"};
    const struct passwd *pw = getpwuid(geteuid());
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "'%s' --seed %u --children %u --out '%s/force' 2>&1", cpgen, seed, children, dir);
    for (size_t i = 0; i <= sizeof silos / sizeof silos[0]; i++) {
        if (i > 0)
            snprintf(cmd, sizeof cmd,
                     "env -u CPINDEX_USER -u CPINDEX_REASON '%s' --db '%s' --user '%s' --reason 'test fixture, "
                     "generated force' ingest %s '%s/force/%s' 2>&1",
                     cli, db, pw ? pw->pw_name : "root", silos[i - 1], dir, silos[i - 1]);
        int st = -1;
        char *out = tu_run(cmd, &st);
        if (st != 0) {
            fprintf(stderr, "tu_cli_force: %s: exit %d\n%s", cmd, st, out ? out : "");
            free(out);
            return -1;
        }
        free(out);
    }
    return 0;
}

pid_t tu_spawn(char *const argv[], const char *out_path, const char *err_path)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int er = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || er < 0 || dup2(out, 1) < 0 || dup2(er, 2) < 0)
        _exit(126);
    execv(argv[0], argv);
    _exit(127);
}

int tu_wait(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

double tu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

char *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

int tu_private_mounts(char *why, size_t cap)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (uid == 0) {
        if (unshare(CLONE_NEWNS) != 0) {
            snprintf(why, cap, "unshare(CLONE_NEWNS): %s", strerror(errno));
            return -1;
        }
    } else {
        char map[64];
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
            snprintf(why, cap, "unshare(CLONE_NEWUSER|CLONE_NEWNS): %s (no root and no user namespaces)",
                     strerror(errno));
            return -1;
        }
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        int bad = write_file("/proc/self/setgroups", "deny") || write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        if (bad || write_file("/proc/self/gid_map", map)) {
            snprintf(why, cap, "cannot map ids in the new user namespace: %s", strerror(errno));
            return -1;
        }
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        snprintf(why, cap, "cannot make mounts private: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static char *msg(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *m = malloc(n);
    if (m)
        snprintf(m, n, fmt, a, b);
    return m;
}

char *tu_store_check(const char *db)
{
    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts o = {.flags = CPI_STORE_READONLY};
    if (cpi_store_open(db, &o, &st, &err) != CPI_OK)
        return msg("store %s does not open: %s", db, err.msg);
    cpi_txn *t;
    cpi_verify_report rep;
    cpi_status s = cpi_store_read_begin(st, &t, &err);
    if (s == CPI_OK) {
        s = cpi_store_verify(t, &rep, &err);
        cpi_graph_verify_report graph_rep;
        if (s == CPI_OK)
            s = cpi_graph_verify(t, &graph_rep, &err);
        cpi_txn_end(t);
    }
    cpi_audit_report ar;
    if (s == CPI_OK)
        s = cpi_audit_verify(st, NULL, &ar, &err);
    cpi_store_close(st);
    return s == CPI_OK ? NULL : msg("store %s is not intact: %s", db, err.msg);
}

char *tu_store_dump(const char *db)
{
    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts o = {.flags = CPI_STORE_READONLY};
    if (cpi_store_open(db, &o, &st, &err) != CPI_OK)
        return NULL;
    cpi_txn *t;
    cpi_cursor *c = NULL;
    if (cpi_store_read_begin(st, &t, &err) != CPI_OK) {
        cpi_store_close(st);
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);
    cpi_arena arena = {0};
    cpi_slice k, v;
    cpi_status s = out ? cpi_cursor_open(t, CPI_DB_RECORDS, &c, &err) : CPI_ERR_NOMEM;
    if (s == CPI_OK)
        s = cpi_cursor_seek(c, NULL, 0, &k, &v, &err);
    for (; s == CPI_OK; s = cpi_cursor_next(c, &k, &v, &err)) {
        char ref[CPI_REF_MAX];
        cpi_record rec;
        snprintf(ref, sizeof ref, "%.*s", (int)k.len, (const char *)k.data);
        cpi_arena_reset(&arena);
        if ((s = cpi_store_get_record(t, ref, &arena, &rec, &err)) != CPI_OK)
            break;
        if (cap - len < 256) {
            char *no = realloc(out, cap *= 2);
            if (!no) {
                s = CPI_ERR_NOMEM;
                break;
            }
            out = no;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s ", ref);
        for (int i = 0; i < 32; i++)
            len += (size_t)snprintf(out + len, cap - len, "%02x", rec.prov.hash[i]);
        len += (size_t)snprintf(out + len, cap - len, " v%u m%u\n", rec.prov.version, rec.nmentions);
    }
    cpi_cursor_close(c);
    cpi_arena_free(&arena);
    cpi_txn_end(t);
    cpi_store_close(st);
    if (s != CPI_NOT_FOUND) {
        free(out);
        return NULL;
    }
    return out;
}
