/*
 * test_http.c - the browser page's HTTP layer (`cpindex serve --http`,
 * tools/cpindex/http_serve.c) end to end: a generated force, two users with
 * passwords, the server started on a free port, and plain-socket HTTP: a
 * login gives an HttpOnly SameSite=Strict session cookie, a wrong password
 * does not; a lookup without a reason (or a one-word one) is refused and not
 * logged, one with a reason is answered warnings first and logged with the
 * user and reason; a POST without the session's CSRF token is refused; 5 wrong
 * passwords lock the name out, then even the right one is refused, and the
 * lock-out is in the audit log; values are escaped; the proxy header is
 * refused on TCP and trusted on a unix: socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define OFFICER_PW "officer test passphrase"
#define ANALYST_PW "analyst test passphrase"

static char *dir, *cli, *gen;
static char db[4200], serve_err[4300], usock[sizeof ((struct sockaddr_un *)0)->sun_path];
static const char *owner;
static pid_t server = -1;
static int port;

/* Run cpindex as the store's owner (admin, supervisor), input (NULL: none) on stdin; stdout and stderr together. */
static char *run_in(const char *input, const char *args, int *status)
{
    char cmd[8000];
    snprintf(cmd, sizeof cmd,
             "printf '%%s\\n' '%s' | CPINDEX_SERVE=off '%s' --db '%s' --user %s --reason 'http tests, generated force' "
             "%s 2>&1",
             input ? input : "", cli, db, owner, args);
    return tu_run(cmd, status);
}

static char *run(const char *args, int *status) { return run_in(NULL, args, status); }

/* Start the server with extra serve arguments; wait for its "answering" line. port is read from its log. */
static void start_server(const char *addr, const char *extra)
{
    char *argv[8] = {cli, "--db", db, "serve", "--http", (char *)addr, NULL, NULL};
    char hdr[64];
    if (extra) {
        snprintf(hdr, sizeof hdr, "--proxy-user-header=%s", extra);
        argv[6] = hdr;
    }
    unlink(serve_err); /* the last server's "answering" must not be read as this one's */
    server = tu_spawn(argv, NULL, serve_err);
    assert_true(server > 0);
    char *log = NULL;
    for (int i = 0; i < 600; i++) {
        free(log);
        log = tu_slurp(serve_err, NULL);
        if (log && strstr(log, "answering"))
            break;
        usleep(50000);
    }
    assert_non_null(log);
    assert_non_null(strstr(log, "answering"));
    char *at = strstr(log, "http://127.0.0.1:");
    port = at ? atoi(at + strlen("http://127.0.0.1:")) : 0;
    free(log);
}

static void stop_server(void)
{
    if (server > 0) {
        kill(server, SIGTERM);
        tu_wait(server);
    }
    server = -1;
}

/*
 * One HTTP/1.1 request over a plain socket (TCP to port, or the unix socket usock when via_unix), Connection:
 * close; the whole response into *resp (malloc'd). Returns the status code, or -1.
 */
static int http_at(bool via_unix, const char *method, const char *path, const char *cookie, const char *body,
                   const char *extra_header, char **resp)
{
    int fd;
    if (via_unix) {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        memcpy(a.sun_path, usock, sizeof usock);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
            return -1;
    } else {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
            return -1;
    }
    char req[16384];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s%s%s"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, path, cookie ? "Cookie: " : "", cookie ? cookie : "", cookie ? "\r\n" : "",
                     extra_header ? extra_header : "", extra_header ? "\r\n" : "",
                     body ? strlen(body) : 0, body ? body : "");
    char *with_type = NULL;
    if (body) { /* the Content-Type header goes before Content-Length */
        with_type = malloc((size_t)n + 64);
        char *cl = strstr(req, "Content-Length:");
        int head = (int)(cl - req);
        n = sprintf(with_type, "%.*sContent-Type: application/x-www-form-urlencoded\r\n%s", head, req, cl);
    }
    const char *out = with_type ? with_type : req;
    for (int off = 0; off < n;) {
        ssize_t w = write(fd, out + off, (size_t)(n - off));
        if (w <= 0)
            break;
        off += (int)w;
    }
    free(with_type);
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    for (;;) {
        if (len + 4096 > cap)
            b = realloc(b, cap *= 2);
        ssize_t r = read(fd, b + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    b[len] = '\0';
    *resp = b;
    int code = -1;
    sscanf(b, "HTTP/1.%*d %d", &code);
    return code;
}

static int http(const char *method, const char *path, const char *cookie, const char *body, char **resp)
{
    return http_at(false, method, path, cookie, body, NULL, resp);
}

/* The value of the first Set-Cookie for name ("name=VALUE"), into out; the whole header line into line. */
static bool set_cookie(const char *resp, const char *name, char *out, size_t cap, char *line, size_t lcap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "Set-Cookie: %s=", name);
    const char *p = strcasestr(resp, pat);
    if (!p)
        return false;
    const char *v = p + strlen(pat), *e = strpbrk(v, ";\r");
    snprintf(out, cap, "%s=%.*s", name, (int)(e - v), v);
    const char *le = strstr(p, "\r\n");
    snprintf(line, lcap, "%.*s", (int)(le - p), p);
    return true;
}

/* The CSRF token the page put in its first form. */
static void csrf_of(const char *resp, char *out, size_t cap)
{
    const char *p = strstr(resp, "name=\"csrf\" value=\"");
    assert_non_null(p);
    p += strlen("name=\"csrf\" value=\"");
    snprintf(out, cap, "%.*s", (int)(strchr(p, '"') - p), p);
}

/* Log in as user with pw: the status of the POST; the session cookie into cookie (when 303). */
static int login(const char *user, const char *pw, char *cookie, size_t cap)
{
    char *r, pre[200], line[400], tok[100], body[600];
    assert_int_equal(http("GET", "/login", NULL, NULL, &r), 200);
    assert_true(set_cookie(r, "cpi_login", pre, sizeof pre, line, sizeof line));
    csrf_of(r, tok, sizeof tok);
    free(r);
    snprintf(body, sizeof body, "user=%s&password=%s&csrf=%s", user, pw, tok);
    for (char *c = body; *c; c++)
        if (*c == ' ')
            *c = '+';
    int code = http("POST", "/login", pre, body, &r);
    if (code == 303)
        assert_true(set_cookie(r, "cpi_session", cookie, cap, line, sizeof line));
    free(r);
    return code;
}

/* The consultations in the audit log by user, as `audit show` prints them. */
static char *audit_of(const char *user)
{
    char args[200];
    snprintf(args, sizeof args, "audit show --user %s", user);
    int st;
    char *out = run(args, &st);
    assert_int_equal(st, 0);
    return out;
}

static int setup(void **state)
{
    (void)state;
    dir = tu_mkdtemp();
    cli = tu_build_path("cpindex");
    gen = tu_build_path("cpgen");
    owner = getpwuid(geteuid())->pw_name;
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(serve_err, sizeof serve_err, "%s/serve.err", dir);
    if ((size_t)snprintf(usock, sizeof usock, "%s/http.sock", dir) >= sizeof usock)
        return -1; /* a temporary directory too deep for a socket name */
    if (tu_cli_force(cli, gen, dir, db, 1, 500) != 0)
        return -1;
    int st[6];
    char add[200];
    free(run("resolve", &st[0]));
    snprintf(add, sizeof add, "user add %s --role admin,supervisor", owner);
    free(run(add, &st[1]));
    free(run("user add pc1 --role officer", &st[2]));
    free(run("user add ana --role analyst,marac", &st[3]));
    free(run_in(OFFICER_PW, "user passwd pc1", &st[4]));
    free(run_in(ANALYST_PW, "user passwd ana", &st[5]));
    for (int i = 0; i < 6; i++)
        if (st[i])
            return -1;
    start_server("127.0.0.1:0", NULL);
    return port > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    stop_server();
    tu_rmrf_free(dir);
    free(cli);
    free(gen);
    return 0;
}

/* A password gives a session cookie that scripts cannot read nor other sites send; a wrong one does not. */
static void test_login(void **state)
{
    (void)state;
    char *r, cookie[200];
    assert_int_equal(http("GET", "/", NULL, NULL, &r), 303); /* no session: to the login page */
    assert_non_null(strstr(r, "Location: /login"));
    free(r);
    assert_int_equal(login("pc1", "not the password", cookie, sizeof cookie), 401);
    assert_int_equal(login("nobody", "not the password", cookie, sizeof cookie), 401);
    /* the login's own cookie is HttpOnly and SameSite=Strict too */
    assert_int_equal(http("GET", "/login", NULL, NULL, &r), 200);
    char v[200], line[400];
    assert_true(set_cookie(r, "cpi_login", v, sizeof v, line, sizeof line));
    assert_non_null(strstr(line, "HttpOnly"));
    assert_non_null(strstr(line, "SameSite=Strict"));
    assert_non_null(strstr(r, "Cache-Control: no-store"));
    free(r);
    /* a login form posted without its cookie (another site's form) is refused */
    assert_int_equal(http("POST", "/login", NULL, "user=pc1&password=officer+test+passphrase&csrf=00", &r), 403);
    free(r);

    char *page, pre[200], tok[100], body[300];
    assert_int_equal(http("GET", "/login", NULL, NULL, &page), 200);
    assert_true(set_cookie(page, "cpi_login", pre, sizeof pre, line, sizeof line));
    csrf_of(page, tok, sizeof tok);
    free(page);
    snprintf(body, sizeof body, "user=pc1&password=officer+test+passphrase&csrf=%s", tok);
    assert_int_equal(http("POST", "/login", pre, body, &r), 303);
    assert_true(set_cookie(r, "cpi_session", cookie, sizeof cookie, line, sizeof line));
    assert_non_null(strstr(line, "HttpOnly"));
    assert_non_null(strstr(line, "SameSite=Strict"));
    assert_non_null(strstr(line, "Max-Age="));
    assert_null(strstr(line, "Secure")); /* not behind TLS unless --secure-cookie */
    assert_true(strlen(cookie) > strlen("cpi_session=") + 60); /* 256 random bits */
    free(r);
    assert_int_equal(http("GET", "/", cookie, NULL, &r), 200);
    assert_non_null(strstr(r, "pc1"));
    assert_non_null(strstr(r, "(officer)"));
    free(r);
    /* a made-up session is no session */
    assert_int_equal(http("GET", "/", "cpi_session=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                          NULL, &r), 303);
    free(r);
}

/* A lookup without a reason is refused before anything is read, and so is not logged; with one it is. */
static void test_reason_required(void **state)
{
    (void)state;
    char cookie[200], *r, tok[100], body[600];
    assert_int_equal(login("pc1", OFFICER_PW, cookie, sizeof cookie), 303);
    assert_int_equal(http("GET", "/", cookie, NULL, &r), 200);
    csrf_of(r, tok, sizeof tok);
    free(r);
    char *before = audit_of("pc1");
    snprintf(body, sizeof body, "kind=address&q=91+Edward+Street%%2C+Cwmbran&incident=INC-77&reason=&csrf=%s", tok);
    assert_int_equal(http("POST", "/lookup", cookie, body, &r), 403);
    assert_non_null(strstr(r, "a reason is required"));
    assert_null(strstr(r, "id=\"answer\""));
    free(r);
    snprintf(body, sizeof body, "kind=address&q=91+Edward+Street%%2C+Cwmbran&incident=INC-77&reason=checking&csrf=%s",
             tok);
    assert_int_equal(http("POST", "/lookup", cookie, body, &r), 403);
    assert_non_null(strstr(r, "more than one word"));
    free(r);
    char *after = audit_of("pc1");
    assert_string_equal(before, after); /* nothing looked up, nothing logged */
    free(before);
    free(after);

    snprintf(body, sizeof body,
             "kind=address&q=91+Edward+Street%%2C+Cwmbran&incident=INC-77&reason=attending+a+domestic&csrf=%s", tok);
    assert_int_equal(http("POST", "/lookup", cookie, body, &r), 200);
    assert_non_null(strstr(r, "<section class=\"warn\"><h3>WARNINGS"));
    assert_non_null(strstr(r, "A child at risk lives here"));
    assert_non_null(strstr(r, "MARAC coordinator"));      /* told restricted information is held */
    assert_null(strstr(r, "MARAC victim&#39;s address")); /* an officer sees none of it */
    assert_null(strstr(r, "MRC-"));
    char *warn = strstr(r, "WARNINGS"), *risky = strstr(r, "RISKY PEOPLE");
    assert_true(warn && risky && warn < risky); /* warnings first */
    free(r);
    after = audit_of("pc1");
    assert_non_null(strstr(after, "incident INC-77: attending a domestic"));
    assert_non_null(strstr(after, "L-0000025"));
    free(after);
}

/* A POST must carry the session's CSRF token: another site's form (or a stale page) changes nothing. */
static void test_csrf(void **state)
{
    (void)state;
    char cookie[200], *r;
    assert_int_equal(login("pc1", OFFICER_PW, cookie, sizeof cookie), 303);
    char *before = audit_of("pc1");
    const char *forms[] = {"kind=child&q=P-0000008&reason=attending+a+call",
                           "kind=child&q=P-0000008&reason=attending+a+call&csrf=",
                           "kind=child&q=P-0000008&reason=attending+a+call&csrf="
                           "0000000000000000000000000000000000000000000000000000000000000000"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        assert_int_equal(http("POST", "/lookup", cookie, forms[i], &r), 403);
        assert_non_null(strstr(r, "CSRF"));
        assert_null(strstr(r, "id=\"answer\""));
        free(r);
    }
    /* logging out needs the token too */
    assert_int_equal(http("POST", "/logout", cookie, "csrf=x", &r), 403);
    free(r);
    char *after = audit_of("pc1");
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* 5 wrong passwords lock the name: then even the right one is refused, and the lock-out is logged. */
static void test_lockout(void **state)
{
    (void)state;
    char cookie[200];
    for (int i = 1; i <= 4; i++)
        assert_int_equal(login("ana", "wrong guess number", cookie, sizeof cookie), 401);
    assert_int_equal(login("ana", "wrong guess number", cookie, sizeof cookie), 429);
    assert_int_equal(login("ana", ANALYST_PW, cookie, sizeof cookie), 429);
    char *log = audit_of("ana");
    assert_non_null(strstr(log, "locked out after 5 failed logins"));
    free(log);
    /* another user is not locked by ana's failures */
    assert_int_equal(login("pc1", OFFICER_PW, cookie, sizeof cookie), 303);
}

/* What a user typed comes back escaped: no markup of theirs reaches the page. */
static void test_escaped(void **state)
{
    (void)state;
    char cookie[200], *r, tok[100], body[600];
    assert_int_equal(login("pc1", OFFICER_PW, cookie, sizeof cookie), 303);
    assert_int_equal(http("GET", "/?kind=person&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", cookie, NULL, &r), 200);
    assert_null(strstr(r, "<script>"));
    assert_non_null(strstr(r, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    csrf_of(r, tok, sizeof tok);
    free(r);
    snprintf(body, sizeof body, "kind=person&q=%%3Cb%%3Ejones%%22%%3E&reason=attending+a+call&csrf=%s", tok);
    assert_int_equal(http("POST", "/lookup", cookie, body, &r), 200);
    assert_null(strstr(r, "<b>jones"));
    assert_non_null(strstr(r, "&lt;b&gt;jones&quot;&gt;"));
    free(r);
}

/* The proxy's header is trusted on a unix: socket only; there it names the user, and without it nothing is shown. */
static void test_proxy_header(void **state)
{
    (void)state;
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "'%s' --db '%s' serve --http 127.0.0.1:0 --proxy-user-header X-Remote-User 2>&1", cli,
             db);
    int st;
    char *out = tu_run(cmd, &st);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "only with --http unix:PATH"));
    free(out);

    stop_server();
    char addr[4400];
    snprintf(addr, sizeof addr, "unix:%s", usock);
    start_server(addr, "X-Remote-User");
    char *r;
    assert_int_equal(http_at(true, "GET", "/", NULL, NULL, "X-Remote-User: pc1", &r), 200);
    assert_non_null(strstr(r, "pc1"));
    assert_non_null(strstr(r, "(officer)"));
    free(r);
    assert_int_equal(http_at(true, "GET", "/", NULL, NULL, NULL, &r), 403);
    assert_null(strstr(r, "name=\"csrf\""));
    free(r);
    assert_int_equal(http_at(true, "GET", "/", NULL, NULL, "X-Remote-User: stranger", &r), 403);
    assert_non_null(strstr(r, "not known to this store"));
    free(r);
    stop_server();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login),   cmocka_unit_test(test_reason_required), cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_lockout), cmocka_unit_test(test_escaped),         cmocka_unit_test(test_proxy_header),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
