/*
 * test_serve.c - `cpindex serve` end to end, through the built binary: a
 * generated force is ingested and resolved, a server is started on the store,
 * and the client's answers through it are compared with the same commands
 * answered in-process (CPINDEX_SERVE=off): byte for byte, logged in the audit
 * log once per request with the request's user and reason, refused alike for
 * a user without the role; after the server is killed the client falls back
 * by itself, and SIGTERM removes the socket; a server that declines is
 * answered around, one that dies after accepting is an error (exit 3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "testutil.h"

static char *dir, *cli, *gen;
static char db[4200], sock[sizeof((struct sockaddr_un *)0)->sun_path], serve_err[4300];
static pid_t server = -1;
static char ids[4][32]; /* children with a MIRAF missing episode */

/* Run cpindex as user with reason; serve: "" (ask a server if one answers) or "off". Output only stdout
 * (which = 1) or only stderr (which = 2). */
static char *run_as(const char *user, const char *reason, const char *serve, int which, const char *args, int *status)
{
    char cmd[24000];
    snprintf(cmd, sizeof cmd,
             "env -u CPINDEX_USER -u CPINDEX_REASON CPINDEX_SERVE='%s' '%s' --db '%s' --user %s --reason '%s' %s %s",
             serve, cli, db, user, reason, args, which == 1 ? "2>/dev/null" : "2>&1 >/dev/null");
    return tu_run(cmd, status);
}

static char *run(const char *user, const char *args, int *status)
{
    return run_as(user, "serve tests, generated force", "off", 1, args, status);
}

/* Lines of the server's stderr that report a request for command with exit status rc. */
static int served(const char *command, int rc)
{
    char *log = tu_slurp(serve_err, NULL), pat[64];
    snprintf(pat, sizeof pat, "cpindex serve: %s exit %d ", command, rc);
    int n = 0;
    for (char *p = log; p && (p = strstr(p, pat)); p++)
        n++;
    free(log);
    return n;
}

/* served() once it reaches want, or after 10 s: the server logs a request after sending its answer,
 * so the client can be done before the line is written */
static int served_reaching(const char *command, int rc, int want)
{
    int n = served(command, rc);
    for (int i = 0; i < 1000 && n < want; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        n = served(command, rc);
    }
    return n;
}

static bool answers(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, sock, sizeof sock);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void start_server(void)
{
    char *argv[] = {cli, "--db", db, "serve", NULL};
    server = tu_spawn(argv, NULL, serve_err);
    assert_true(server > 0);
    for (int i = 0; i < 600 && !answers(); i++)
        usleep(50000);
    assert_true(answers());
    /* the probe above was a connection that sent nothing: the server logged it and went on */
}

static int setup(void **state)
{
    (void)state;
    dir = tu_mkdtemp();
    cli = tu_build_path("cpindex");
    gen = tu_build_path("cpgen");
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(serve_err, sizeof serve_err, "%s/serve.err", dir);
    if ((size_t)snprintf(sock, sizeof sock, "%s/serve.sock", db) >= sizeof sock)
        return -1; /* a temporary directory too deep for a socket name */
    if (tu_cli_force(cli, gen, dir, db, 5, 120) != 0)
        return -1;
    const char *owner = getpwuid(geteuid())->pw_name;
    int st1, st2, st3, st4;
    free(run(owner, "resolve", &st1));
    free(run(owner, "user add ana --role analyst,polit,marac", &st2));
    free(run(owner, "user add sup --role supervisor", &st3));
    char *ents = run("ana", "export entities", &st4);
    if (st1 || st2 || st3 || st4)
        return -1;
    /* four distinct children: the entities of MIRAF records' first mentions (the missing child) */
    int n = 0;
    for (char *p = ents; n < 4 && (p = strstr(p, "\n\"miraf:")); p++) {
        char ent[32];
        if (sscanf(p + 1, "\"%*[^/]/1\",\"%31[^\"]\"", ent) != 1)
            continue;
        bool seen = false;
        for (int i = 0; i < n; i++)
            seen |= strcmp(ids[i], ent) == 0;
        if (!seen)
            snprintf(ids[n++], sizeof ids[0], "%s", ent);
    }
    free(ents);
    return n == 4 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (server > 0) {
        kill(server, SIGKILL);
        tu_wait(server);
    }
    tu_rmrf_free(dir);
    free(cli);
    free(gen);
    return 0;
}

/* (a) the same bytes on stdout and stderr, and the same exit status, with and without the server */
static void test_same_answer(void **state)
{
    (void)state;
    start_server();
    int before = served("child", 0);
    static const char *const forms[] = {"--json", "", "--full", "--detail brief --json"};
    for (int i = 0; i < 4; i++)
        for (int f = 0; f < 4; f++)
            for (int which = 1; which <= 2; which++) {
                char args[256];
                snprintf(args, sizeof args, "child %s %s", ids[i], forms[f]);
                int s1, s2;
                char *a = run_as("ana", "serve tests, generated force", "", which, args, &s1);
                char *b = run_as("ana", "serve tests, generated force", "off", which, args, &s2);
                assert_int_equal(s1, 0);
                assert_int_equal(s2, 0);
                if (strcmp(a, b) != 0)
                    fail_msg("%s (%s): through the server:\n%.400s\nin-process:\n%.400s", args,
                             which == 1 ? "stdout" : "stderr", a, b);
                if (which == 1)
                    assert_true(strlen(a) > 100);
                free(a);
                free(b);
            }
    /* every request through the server reached it: nothing was answered in-process by mistake */
    assert_int_equal(served_reaching("child", 0, before + 4 * 4 * 2) - before, 4 * 4 * 2);
    /* the other servable commands go through it too */
    int st;
    char *p = run_as("ana", "serve tests, generated force", "", 1, "person P-0000001 --json", &st);
    assert_int_equal(served_reaching("person", st, 1), 1);
    free(p);
}

/* (b) one audit entry per request, with the request's user and reason (not the server's) */
static void test_audited(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        char reason[64], args[256];
        snprintf(reason, sizeof reason, "served request number %d, generated force", i);
        snprintf(args, sizeof args, "child %s --json", ids[i]);
        int st;
        free(run_as("ana", reason, "", 1, args, &st));
        assert_int_equal(st, 0);
    }
    int st;
    char *log = run("sup", "audit show --json", &st);
    assert_int_equal(st, 0);
    json_error_t je;
    json_t *all = json_loads(log, 0, &je);
    if (!all)
        fail_msg("audit show --json: %s", je.text);
    for (int i = 0; i < 3; i++) {
        char reason[64], query[256];
        snprintf(reason, sizeof reason, "served request number %d, generated force", i);
        snprintf(query, sizeof query, "child %s --json", ids[i]);
        int n = 0;
        size_t k;
        json_t *e;
        json_array_foreach(all, k, e) {
            const char *r = json_string_value(json_object_get(e, "reason"));
            if (r && strcmp(r, reason) == 0) {
                n++;
                assert_string_equal(json_string_value(json_object_get(e, "user")), "ana");
                assert_string_equal(json_string_value(json_object_get(e, "kind")), "consultation");
                assert_string_equal(json_string_value(json_object_get(e, "query")), query);
            }
        }
        assert_int_equal(n, 1);
    }
    json_decref(all);
    free(log);
}

/* (c) a user without the role is refused through the server as in-process: exit 2, the same words */
static void test_refused(void **state)
{
    (void)state;
    const char *owner = getpwuid(geteuid())->pw_name; /* the admin: no role that may read a child */
    char args[256];
    snprintf(args, sizeof args, "child %s --json", ids[0]);
    int s1, s2, before = served("child", 2);
    char *a = run_as(owner, "serve tests, generated force", "", 2, args, &s1);
    char *b = run_as(owner, "serve tests, generated force", "off", 2, args, &s2);
    assert_int_equal(s1, 2);
    assert_int_equal(s2, 2);
    assert_non_null(strstr(a, "refused"));
    assert_string_equal(a, b);
    assert_int_equal(served_reaching("child", 2, before + 1) - before, 1);
    free(a);
    free(b);
    /* and no reason at all: refused before the store is read, through the server too */
    char *c = run_as("ana", "", "", 2, args, &s1);
    assert_int_equal(s1, 2);
    assert_non_null(strstr(c, "refused"));
    free(c);
}

/* (c2) `cpindex` is a small front (front.c): a served query needs nothing else, any other command
 * runs cpindex-full beside it - here there is none, and it says so */
static void test_front_alone(void **state)
{
    (void)state;
    char lone[4400], cmd[9000];
    snprintf(lone, sizeof lone, "%s/lone", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/cpindex'", lone, cli, lone);
    int st;
    free(tu_run(cmd, &st));
    assert_int_equal(st, 0);
    char args[256];
    snprintf(args, sizeof args, "child %s --json", ids[0]);
    char *want = run_as("ana", "serve tests, generated force", "off", 1, args, &st);
    assert_int_equal(st, 0);
    char *saved = cli;
    snprintf(cmd, sizeof cmd, "%s/cpindex", lone);
    cli = cmd;
    int s1, s2;
    char *got = run_as("ana", "serve tests, generated force", "", 1, args, &s1);
    char *err = run_as("ana", "serve tests, generated force", "", 2, "stats", &s2);
    cli = saved;
    assert_int_equal(s1, 0);
    assert_string_equal(got, want);
    assert_int_equal(s2, 3);
    assert_non_null(strstr(err, "cpindex-full"));
    free(want);
    free(got);
    free(err);
}

/* (d) a killed server leaves its socket: the client falls back and answers, silently */
static void test_stale_socket(void **state)
{
    (void)state;
    kill(server, SIGKILL);
    tu_wait(server);
    server = -1;
    struct stat sb;
    assert_int_equal(lstat(sock, &sb), 0); /* still there */
    char args[256];
    snprintf(args, sizeof args, "child %s --json", ids[1]);
    int s1, s2, s3;
    char *a = run_as("ana", "serve tests, generated force", "", 1, args, &s1);
    char *b = run_as("ana", "serve tests, generated force", "off", 1, args, &s2);
    char *e = run_as("ana", "serve tests, generated force", "", 2, args, &s3);
    assert_int_equal(s1, 0);
    assert_string_equal(a, b);
    assert_string_equal(e, ""); /* no word about the missing server */
    free(a);
    free(b);
    free(e);
}

/* (e) a new server replaces the stale socket; a second one is refused; SIGTERM removes the socket */
static void test_sigterm(void **state)
{
    (void)state;
    start_server();
    char *argv[] = {cli, "--db", db, "serve", NULL};
    char err2[4400];
    snprintf(err2, sizeof err2, "%s/serve2.err", dir);
    pid_t second = tu_spawn(argv, NULL, err2);
    assert_int_equal(tu_wait(second), 2);
    char *why = tu_slurp(err2, NULL);
    assert_non_null(strstr(why, "already answers"));
    free(why);
    assert_true(answers());
    kill(server, SIGTERM);
    assert_int_equal(tu_wait(server), 0);
    server = -1;
    struct stat sb;
    assert_int_not_equal(lstat(sock, &sb), 0);
}

/* A stand-in server at the socket: accept one request, answer with a bare reply frame of type, hang up. */
static pid_t fake_server(char type)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, sock, sizeof sock);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(l >= 0);
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 1), 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int c = accept(l, NULL, NULL);
        unsigned char buf[65536];
        ssize_t n = c >= 0 ? recv(c, buf, 5, MSG_WAITALL) : -1; /* the request's frame: header, then payload */
        size_t len = n == 5 ? (size_t)buf[1] | (size_t)buf[2] << 8 | (size_t)buf[3] << 16 : 0;
        if (n == 5 && (len > sizeof buf || recv(c, buf, len, MSG_WAITALL) != (ssize_t)len))
            n = -1;
        char reply[5] = {type, 0, 0, 0, 0};
        if (n > 0)
            send(c, reply, sizeof reply, MSG_NOSIGNAL);
        _exit(n > 0 ? 0 : 1);
    }
    close(l);
    return pid;
}

/* (f) a server that declines is answered around silently; one that accepts and dies is an error, not a re-run */
static void test_server_fails(void **state)
{
    (void)state;
    char args[256];
    snprintf(args, sizeof args, "child %s --json", ids[2]);
    int s1, s2;
    pid_t f = fake_server('V');
    char *a = run_as("ana", "serve tests, generated force", "", 1, args, &s1);
    assert_int_equal(tu_wait(f), 0); /* it was asked */
    char *b = run_as("ana", "serve tests, generated force", "off", 1, args, &s2);
    assert_int_equal(s1, 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    unlink(sock);
    f = fake_server('A');
    char *e = run_as("ana", "serve tests, generated force", "", 2, args, &s1);
    assert_int_equal(tu_wait(f), 0);
    assert_int_equal(s1, 3);
    assert_non_null(strstr(e, "failed while answering"));
    free(e);
    unlink(sock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_answer), cmocka_unit_test(test_audited), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_front_alone),  cmocka_unit_test(test_stale_socket), cmocka_unit_test(test_sigterm),
        cmocka_unit_test(test_server_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
