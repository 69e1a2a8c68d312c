/*
 * http_serve.c - the browser page's HTTP side (see http_serve.h): listening,
 * sessions, login and lock-out, CSRF, and turning a lookup form into the CLI
 * command that answers it. The HTML is http_page.c's.
 */
#include "http_serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "http_page.h"
#include "serve_run.h"

#define SESSIONS_MAX 256
#define SESSION_IDLE_S (30 * 60)      /* a control-room screen left alone logs out */
#define SESSION_LIFE_S (12 * 60 * 60) /* one shift */
#define FAILS_MAX 5                   /* failed logins before the name is locked */
#define LOCK_S (15 * 60)
#define FAIL_NAMES 512                /* names whose failures are remembered */
#define BODY_MAX (16 * 1024)          /* a form's body: the fields are short */
#define TOKEN_HEX (2 * 32 + 1)
#define COOKIE "cpi_session"
#define LOGIN_COOKIE "cpi_login"

typedef struct session {
    bool used;
    char token[TOKEN_HEX], csrf[TOKEN_HEX];
    char user[CPI_USER_MAX], roles[96];
    time_t created, seen;
    char kind[16], incident[80], reason[CPI_REASON_MAX]; /* the last lookup's, to fill the form again */
} session;

typedef struct fail_count {
    char name[CPI_USER_MAX];
    unsigned fails;
    time_t last, locked_until; /* the last failure; until when the name is refused */
} fail_count;

struct http_server {
    cli_ctx ctx; /* the server's: store path, --force */
    cpi_store *st;
    struct MHD_Daemon *d;
    int lfd;
    char unix_path[sizeof ((struct sockaddr_un *)0)->sun_path];
    const char *proxy_header;
    bool secure;
    session sessions[SESSIONS_MAX];
    fail_count fails[FAIL_NAMES];
};

/* One request's state across libmicrohttpd's calls: the body as it arrives. */
typedef struct request {
    char *body;
    size_t n;
    bool too_big;
    struct timespec t0;
} request;

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A fresh random token as hex: session ids and CSRF tokens must not be guessable. */
static void new_token(char out[TOKEN_HEX])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, TOKEN_HEX, b, sizeof b);
}

/* ------------------------------------------------------------------ listening */

/* Bind a unix socket at path, 0660: the front proxy's group reads it, nobody else. */
static int listen_unix(const char *path, char *keep, size_t cap)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path) {
        fprintf(stderr, "cpindex serve: --http unix:%s: the path is longer than %zu bytes\n", path,
                sizeof a.sun_path - 1);
        return -1;
    }
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (!S_ISSOCK(sb.st_mode)) {
            fprintf(stderr, "cpindex serve: --http unix:%s exists and is not a socket: move it away first\n", path);
            return -1;
        }
        unlink(path); /* stale: the probe in listen_at guards the store's own socket; this one is ours by name */
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    mode_t old = umask(0117);
    int b = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&a, sizeof a);
    umask(old);
    if (fd < 0 || b != 0 || listen(fd, 64) != 0) {
        fprintf(stderr, "cpindex serve: cannot listen at unix:%s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    snprintf(keep, cap, "%s", path);
    fprintf(stderr, "cpindex serve: browser page at unix:%s (for a front proxy)\n", path);
    return fd;
}

/* Bind host:port (port 0: any free port, said in the log so a test or operator can find it). */
static int listen_tcp(const char *addr)
{
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr || !colon[1]) {
        fprintf(stderr, "cpindex serve: --http takes HOST:PORT (e.g. 127.0.0.1:8080) or unix:PATH, not '%s'\n",
                addr);
        return -1;
    }
    char host[256];
    size_t hl = (size_t)(colon - addr);
    if (hl >= sizeof host)
        hl = sizeof host - 1;
    memcpy(host, addr, hl);
    host[hl] = '\0';
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') { /* [::1]:8080 */
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
    int gai = getaddrinfo(host, colon + 1, &hints, &res);
    if (gai) {
        fprintf(stderr, "cpindex serve: --http %s: %s\n", addr, gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        fprintf(stderr, "cpindex serve: cannot listen at %s: %s\n", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char shown[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s4->sin_addr, shown, sizeof shown);
            port = ntohs(s4->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s6->sin6_addr, shown, sizeof shown);
            port = ntohs(s6->sin6_port);
        }
    }
    fprintf(stderr, "cpindex serve: browser page at http://%s%s%s:%u/\n", ss.ss_family == AF_INET6 ? "[" : "",
            shown, ss.ss_family == AF_INET6 ? "]" : "", port);
    return fd;
}

/* ------------------------------------------------------------------ sessions and lock-out */

/* The session a request's cookie names, if it is live; expired ones are cleared on the way. */
static session *session_find(http_server *h, const char *token)
{
    time_t now = time(NULL);
    session *found = NULL;
    for (int i = 0; i < SESSIONS_MAX; i++) {
        session *s = &h->sessions[i];
        if (!s->used)
            continue;
        if (now - s->seen > SESSION_IDLE_S || now - s->created > SESSION_LIFE_S) {
            sodium_memzero(s, sizeof *s);
            continue;
        }
        /* every slot compared in constant time: a timing must not reveal a token's prefix */
        if (token && strlen(token) == TOKEN_HEX - 1 && sodium_memcmp(s->token, token, TOKEN_HEX - 1) == 0)
            found = s;
    }
    if (found)
        found->seen = now;
    return found;
}

/* A new session for user (the least recently used one is given up when all are taken). */
static session *session_new(http_server *h, const char *user, const char *roles)
{
    session *s = NULL;
    for (int i = 0; i < SESSIONS_MAX && !s; i++)
        if (!h->sessions[i].used)
            s = &h->sessions[i];
    if (!s) {
        s = &h->sessions[0];
        for (int i = 1; i < SESSIONS_MAX; i++)
            if (h->sessions[i].seen < s->seen)
                s = &h->sessions[i];
    }
    sodium_memzero(s, sizeof *s);
    s->used = true;
    new_token(s->token);
    new_token(s->csrf);
    snprintf(s->user, sizeof s->user, "%s", user);
    snprintf(s->roles, sizeof s->roles, "%s", roles);
    snprintf(s->kind, sizeof s->kind, "address");
    s->created = s->seen = time(NULL);
    return s;
}

/*
 * The failure count of name, made when absent. When the table is full the entry whose last failure is oldest
 * (and that is not locked) gives way, so a flood of other names cannot wipe a live count or a lock cheaply.
 */
static fail_count *fails_of(http_server *h, const char *name)
{
    fail_count *slot = NULL;
    time_t now = time(NULL);
    for (int i = 0; i < FAIL_NAMES; i++) {
        fail_count *f = &h->fails[i];
        if (f->name[0] && strcmp(f->name, name) == 0)
            return f;
        bool usable = !f->name[0] || f->locked_until <= now;
        if (usable && (!slot || (slot->name[0] && (!f->name[0] || f->last < slot->last))))
            slot = f;
    }
    if (!slot) /* every name locked: the oldest lock gives way */
        for (int i = 0; i < FAIL_NAMES; i++)
            if (!slot || h->fails[i].locked_until < slot->locked_until)
                slot = &h->fails[i];
    memset(slot, 0, sizeof *slot);
    snprintf(slot->name, sizeof slot->name, "%s", name);
    return slot;
}

/* Log a login event as an access entry (never the password): who, what happened, from where. */
static void log_login(http_server *h, const char *user, const char *event, const char *from, const char *extra)
{
    cpi_kv kv[3] = {{"event", event}, {"from", from}, {"until", extra}};
    cpi_audit_entry e = {.kind = CPI_AUDIT_ACCESS,
                         .user = user,
                         .reason = "browser login",
                         .command = "http login",
                         .details = {kv, extra ? 3 : 2}};
    cpi_error err = {0};
    if (cpi_audit_log(h->st, &e, &err) != CPI_OK)
        fprintf(stderr, "cpindex serve: warning: a login event could not be logged: %s\n", err.msg);
}

/* The roles user holds, by asking the gate whether they may look a child up (the page's least use). */
static int page_grant(http_server *h, const char *user, char *roles, size_t cap, char *why, size_t wcap)
{
    cpi_grant g;
    cpi_error err = {0};
    if (cpi_access_authorise(h->st, user, "opening the browser page", "child", &g, &err) != CPI_OK) {
        snprintf(why, wcap, "%s", err.msg);
        return -1;
    }
    cpi_roles_format(g.roles, roles, cap);
    return 0;
}

/* ------------------------------------------------------------------ forms */

/* The value of field name in an urlencoded body into out (decoded); false when absent or too long. */
static bool form_get(const char *body, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = body; p && *p; p = strchr(p, '&'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, nl) != 0 || p[nl] != '=')
            continue;
        const char *v = p + nl + 1, *end = strchr(v, '&');
        size_t n = end ? (size_t)(end - v) : strlen(v);
        if (n >= cap)
            return false;
        memcpy(out, v, n);
        out[n] = '\0';
        for (char *c = out; *c; c++)
            if (*c == '+')
                *c = ' ';
        MHD_http_unescape(out);
        return true;
    }
    if (cap)
        out[0] = '\0';
    return false;
}

/* Trim spaces at both ends in place: a reason of blanks is no reason. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* ------------------------------------------------------------------ responses */

/* Queue a page (buf malloc'd, taken) with the headers every answer carries: nothing cached, nothing framed. */
static enum MHD_Result send_page(http_server *h, struct MHD_Connection *c, unsigned code, char *buf, size_t n,
                                 const char *cookie, const char *cookie2, const char *location)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(n, buf, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(buf);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store"); /* personal data stays out of caches */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                            "frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (cookie)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    if (cookie2)
        MHD_add_response_header(r, "Set-Cookie", cookie2);
    if (location)
        MHD_add_response_header(r, "Location", location);
    enum MHD_Result ok = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    (void)h;
    return ok;
}

/* A cookie's Set-Cookie value: HttpOnly and SameSite=Strict always; Secure behind TLS. */
static void cookie_value(const http_server *h, char *out, size_t cap, const char *name, const char *value,
                         int max_age)
{
    snprintf(out, cap, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", name, value, max_age,
             h->secure ? "; Secure" : "");
}

/* A page with just a message (errors before any form applies). */
static enum MHD_Result send_message(http_server *h, struct MHD_Connection *c, unsigned code, const char *msg)
{
    char *buf;
    size_t n;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return MHD_NO;
    hp_begin(f, "cpindex");
    fputs("<main><div class=\"notice refused\" id=\"notice\">", f);
    hp_esc(f, msg, SIZE_MAX);
    fputs("</div><p><a href=\"/\">Back to the lookup</a></p>", f);
    hp_end(f);
    fclose(f);
    return send_page(h, c, code, buf, n, NULL, NULL, NULL);
}

/* The login page, with a fresh login CSRF token in a cookie and the form (double submit: no state kept). */
static enum MHD_Result send_login(http_server *h, struct MHD_Connection *c, unsigned code, const char *msg)
{
    char tok[TOKEN_HEX], cookie[256];
    new_token(tok);
    cookie_value(h, cookie, sizeof cookie, LOGIN_COOKIE, tok, 600);
    char *buf;
    size_t n;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return MHD_NO;
    hp_begin(f, "cpindex: log in");
    hp_login(f, tok, msg);
    hp_end(f);
    fclose(f);
    return send_page(h, c, code, buf, n, cookie, NULL, NULL);
}

/* The lookup page for session s; notice (NULL: none), then the answer's parts when a lookup ran. */
static enum MHD_Result send_lookup(http_server *h, struct MHD_Connection *c, unsigned code, const session *s,
                                   const char *kind, const char *query, const char *notice, const char *out,
                                   size_t nout, const char *errs, size_t nerr, int status, const char *svg,
                                   size_t nsvg, const char *cookie)
{
    char *buf;
    size_t n;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return MHD_NO;
    hp_begin(f, "cpindex: lookup");
    hp_form form = {.user = s->user, .roles = s->roles, .csrf = s->csrf, .kind = kind ? kind : s->kind,
                    .query = query, .incident = s->incident, .reason = s->reason, .notice = notice,
                    .logout = !h->proxy_header};
    hp_lookup_form(f, &form);
    if (status >= 0)
        hp_answer(f, out, nout, errs, nerr, status, svg, nsvg);
    hp_end(f);
    fclose(f);
    return send_page(h, c, code, buf, n, cookie, NULL, NULL);
}

static enum MHD_Result redirect(http_server *h, struct MHD_Connection *c, const char *to, const char *cookie,
                                const char *cookie2)
{
    char *empty = strdup("");
    return empty ? send_page(h, c, MHD_HTTP_SEE_OTHER, empty, 0, cookie, cookie2, to) : MHD_NO;
}

/* ------------------------------------------------------------------ handlers */

/* The client's address for the log of a login, as text ("unix" behind a proxy). */
static void client_addr(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "unix");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out, (socklen_t)cap);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out, (socklen_t)cap);
}

/* POST /login: the login CSRF pair, the lock-out, then the password. */
static enum MHD_Result do_login(http_server *h, struct MHD_Connection *c, const char *body)
{
    char user[CPI_USER_MAX + 1], pw[CPI_PASSWORD_MAX + 2], csrf[TOKEN_HEX + 1], from[64];
    const char *cookie_tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, LOGIN_COOKIE);
    bool have_csrf = form_get(body, "csrf", csrf, sizeof csrf);
    if (!have_csrf || !cookie_tok || strlen(csrf) != TOKEN_HEX - 1 || strlen(cookie_tok) != TOKEN_HEX - 1 ||
        sodium_memcmp(csrf, cookie_tok, TOKEN_HEX - 1) != 0)
        return send_login(h, c, MHD_HTTP_FORBIDDEN,
                          "The login form had expired or did not come from this page (CSRF check). Try again.");
    form_get(body, "user", user, sizeof user);
    bool pw_ok = form_get(body, "password", pw, sizeof pw);
    client_addr(c, from, sizeof from);
    char *name = trim(user);
    if (!*name || cpi_access_check_user_name(name, NULL) != CPI_OK) {
        sodium_memzero(pw, sizeof pw);
        return send_login(h, c, MHD_HTTP_UNAUTHORIZED, "Wrong user name or password.");
    }
    fail_count *fc = fails_of(h, name);
    time_t now = time(NULL);
    if (fc->fails && now - fc->last > LOCK_S)
        fc->fails = 0; /* failures count towards a lock within a lock's length of each other */
    if (fc->locked_until > now) {
        sodium_memzero(pw, sizeof pw);
        char msg[256], when[32];
        struct tm tm;
        gmtime_r(&fc->locked_until, &tm);
        strftime(when, sizeof when, "%H:%M UTC", &tm);
        snprintf(msg, sizeof msg, "This account is locked after %d failed logins, until %s. Ask your supervisor "
                                  "or an administrator if that was not you.", FAILS_MAX, when);
        return send_login(h, c, 429, msg);
    }
    cpi_error err = {0};
    cpi_status s = pw_ok ? cpi_access_password_check(h->st, name, pw, &err) : CPI_ERR_ACCESS;
    sodium_memzero(pw, sizeof pw);
    if (s != CPI_OK) {
        if (s != CPI_ERR_ACCESS)
            return send_message(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, err.msg);
        fc->last = now;
        if (++fc->fails >= FAILS_MAX) {
            fc->locked_until = now + LOCK_S;
            fc->fails = 0;
            char until[32];
            struct tm tm;
            gmtime_r(&fc->locked_until, &tm);
            strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
            log_login(h, name, "locked out after 5 failed logins", from, until);
            fprintf(stderr, "cpindex serve: a user name was locked out after %d failed logins\n", FAILS_MAX);
            return send_login(h, c, 429, "Wrong user name or password. After 5 failed logins this account is "
                                         "locked for 15 minutes.");
        }
        return send_login(h, c, MHD_HTTP_UNAUTHORIZED, "Wrong user name or password.");
    }
    char roles[96], why[CPI_ERROR_MSG_MAX];
    if (page_grant(h, name, roles, sizeof roles, why, sizeof why))
        return send_login(h, c, MHD_HTTP_FORBIDDEN, why);
    fc->fails = 0;
    session *ss = session_new(h, name, roles);
    log_login(h, name, "logged in", from, NULL);
    char cookie[256], clear[256];
    cookie_value(h, cookie, sizeof cookie, COOKIE, ss->token, SESSION_LIFE_S);
    cookie_value(h, clear, sizeof clear, LOGIN_COOKIE, "", 0);
    return redirect(h, c, "/", cookie, clear);
}

/* Does the POST carry the session's CSRF token? */
static bool csrf_ok(const session *s, const char *body)
{
    char t[TOKEN_HEX + 1];
    return form_get(body, "csrf", t, sizeof t) && strlen(t) == TOKEN_HEX - 1 &&
           sodium_memcmp(t, s->csrf, TOKEN_HEX - 1) == 0;
}

/* Read a memfd's bytes into a malloc'd buffer. */
static char *slurp(int fd, size_t *n)
{
    *n = 0;
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0 || lseek(fd, 0, SEEK_SET) != 0)
        return NULL;
    char *b = malloc((size_t)end + 1);
    if (!b)
        return NULL;
    size_t got = 0;
    while (got < (size_t)end) {
        ssize_t r = read(fd, b + got, (size_t)end - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    b[got] = '\0';
    *n = got;
    return b;
}

/* POST /lookup: the reason first, then the CLI's own command for the kind asked, captured. */
static enum MHD_Result do_lookup(http_server *h, struct MHD_Connection *c, session *s, const char *body)
{
    char kind[16], qbuf[512], incident[80], rbuf[CPI_REASON_MAX];
    form_get(body, "kind", kind, sizeof kind);
    bool q_ok = form_get(body, "q", qbuf, sizeof qbuf);
    form_get(body, "incident", incident, sizeof incident);
    form_get(body, "reason", rbuf, sizeof rbuf);
    char *q = trim(qbuf), *inc = trim(incident), *reason = trim(rbuf);
    snprintf(s->incident, sizeof s->incident, "%s", inc);
    snprintf(s->reason, sizeof s->reason, "%s", reason);
    cli_fn fn = NULL;
    const char *cmd = NULL;
    if (strcmp(kind, "child") == 0)
        fn = hp_child_chart_command, cmd = "child";
    else if (strcmp(kind, "person") == 0 || strcmp(kind, "phone") == 0)
        cmd = "person";
    else if (strcmp(kind, "address") == 0)
        cmd = "address";
    if (!cmd)
        return send_lookup(h, c, MHD_HTTP_BAD_REQUEST, s, NULL, q, "Choose what to look up: child, person, "
                           "address or phone.", NULL, 0, NULL, 0, -1, NULL, 0, NULL);
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    if (!q_ok || !*q)
        return send_lookup(h, c, MHD_HTTP_BAD_REQUEST, s, kind, q, "Type what to look up (at most 500 bytes).",
                           NULL, 0, NULL, 0, -1, NULL, 0, NULL);
    if (!*reason)
        return send_lookup(h, c, MHD_HTTP_FORBIDDEN, s, kind, q,
                           "Refused: a reason is required. Give the incident number and say what you are doing and "
                           "why (for example 'attending concern for welfare'): every lookup is logged with it.",
                           NULL, 0, NULL, 0, -1, NULL, 0, NULL);
    cpi_error err = {0};
    if (cpi_access_check_reason(reason, &err) != CPI_OK) {
        char msg[CPI_ERROR_MSG_MAX + 64];
        snprintf(msg, sizeof msg, "Refused: %s.", err.msg);
        return send_lookup(h, c, MHD_HTTP_FORBIDDEN, s, kind, q, msg, NULL, 0, NULL, 0, -1, NULL, 0, NULL);
    }
    char full[CPI_REASON_MAX];
    if (*inc)
        snprintf(full, sizeof full, "incident %s: %s", inc, reason);
    else
        snprintf(full, sizeof full, "%s", reason);
    if (!fn)
        fn = cli_find(cmd)->fn;
    /* "--" keeps a query that starts with '-' a query, never an option */
    char *argv[] = {(char *)cmd, q[0] == '-' ? "--" : q, q[0] == '-' ? q : NULL, NULL};
    int argc = q[0] == '-' ? 3 : 2;
    int out = memfd_create("cpindex-http-out", MFD_CLOEXEC), errfd = memfd_create("cpindex-http-err", MFD_CLOEXEC);
    char *svg = NULL;
    size_t nsvg = 0;
    FILE *chart = fn == hp_child_chart_command ? open_memstream(&svg, &nsvg) : NULL;
    int status = -1;
    if (out >= 0 && errfd >= 0) {
        hp_chart_sink(chart);
        status = serve_run_captured(&h->ctx, s->user, full, fn, argc, argv, out, errfd);
        hp_chart_sink(NULL);
    }
    if (chart)
        fclose(chart);
    size_t no = 0, ne = 0;
    char *obuf = status >= 0 ? slurp(out, &no) : NULL, *ebuf = status >= 0 ? slurp(errfd, &ne) : NULL;
    if (out >= 0)
        close(out);
    if (errfd >= 0)
        close(errfd);
    enum MHD_Result r;
    if (status < 0)
        r = send_lookup(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, s, kind, q,
                        "The server could not run the lookup (out of memory?); nothing was shown or logged.", NULL,
                        0, NULL, 0, -1, NULL, 0, NULL);
    else
        r = send_lookup(h, c, status <= EXIT_NOT_FOUND ? MHD_HTTP_OK : status == EXIT_USAGE ? MHD_HTTP_FORBIDDEN
                                                                                             : MHD_HTTP_INTERNAL_SERVER_ERROR,
                        s, kind, q, NULL, obuf, no, ebuf, ne, status, status == EXIT_OK_ ? svg : NULL,
                        status == EXIT_OK_ ? nsvg : 0, NULL);
    free(obuf);
    free(ebuf);
    free(svg);
    return r;
}

/* The session behind the request: the cookie's, or behind a proxy one made for the header's user. */
static session *request_session(http_server *h, struct MHD_Connection *c, char *cookie, size_t cap,
                                const char **refusal)
{
    const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    session *s = session_find(h, tok);
    *refusal = NULL;
    if (!h->proxy_header)
        return s;
    const char *user = MHD_lookup_connection_value(c, MHD_HEADER_KIND, h->proxy_header);
    if (!user || cpi_access_check_user_name(user, NULL) != CPI_OK) {
        *refusal = "The front proxy did not say who is logged in (or gave a name that is not a user name).";
        return NULL;
    }
    if (s && strcmp(s->user, user) == 0)
        return s;
    char roles[96];
    static char why[CPI_ERROR_MSG_MAX];
    if (page_grant(h, user, roles, sizeof roles, why, sizeof why)) {
        *refusal = why;
        return NULL;
    }
    s = session_new(h, user, roles);
    log_login(h, user, "named by the front proxy", "unix", NULL);
    cookie_value(h, cookie, cap, COOKIE, s->token, SESSION_LIFE_S);
    return s;
}

/* Route one complete request. */
static enum MHD_Result route(http_server *h, struct MHD_Connection *c, const char *url, const char *method,
                             request *rq)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0, post = strcmp(method, "POST") == 0;
    if (!get && !post)
        return send_message(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, "Only GET and POST are answered here.");
    if (post) {
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        if (rq->too_big)
            return send_message(h, c, MHD_HTTP_CONTENT_TOO_LARGE, "That form is too large.");
        if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
            return send_message(h, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Send the page's own form.");
    }
    const char *body = rq->body ? rq->body : "";
    if (!h->proxy_header && strcmp(url, "/login") == 0)
        return post ? do_login(h, c, body) : send_login(h, c, MHD_HTTP_OK, NULL);
    char cookie[256] = "";
    const char *refusal;
    session *s = request_session(h, c, cookie, sizeof cookie, &refusal);
    if (!s) {
        if (refusal)
            return send_message(h, c, MHD_HTTP_FORBIDDEN, refusal);
        return get && strcmp(url, "/") == 0 ? redirect(h, c, "/login", NULL, NULL)
                                            : send_login(h, c, MHD_HTTP_UNAUTHORIZED,
                                                         "Your session has ended. Log in again.");
    }
    if (post && !csrf_ok(s, body))
        return send_lookup(h, c, MHD_HTTP_FORBIDDEN, s, NULL, "", "Refused: this form did not come from this page "
                           "(CSRF check failed). Nothing was looked up. Use the form below.",
                           NULL, 0, NULL, 0, -1, NULL, 0, cookie[0] ? cookie : NULL);
    if (post && strcmp(url, "/logout") == 0) {
        sodium_memzero(s, sizeof *s);
        char clear[256];
        cookie_value(h, clear, sizeof clear, COOKIE, "", 0);
        return redirect(h, c, "/login", clear, NULL);
    }
    if (post && strcmp(url, "/lookup") == 0)
        return do_lookup(h, c, s, body);
    if (get && strcmp(url, "/") == 0) {
        const char *kind = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "kind");
        const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
        if (kind && strcmp(kind, "child") && strcmp(kind, "person") && strcmp(kind, "address") &&
            strcmp(kind, "phone"))
            kind = NULL;
        return send_lookup(h, c, MHD_HTTP_OK, s, kind, q ? q : "", NULL, NULL, 0, NULL, 0, -1, NULL, 0,
                           cookie[0] ? cookie : NULL);
    }
    return send_message(h, c, MHD_HTTP_NOT_FOUND, "There is no such page here.");
}

/* libmicrohttpd's callback: called first with the headers, then per body chunk, then once more to answer. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    http_server *h = cls;
    request *rq = *con_cls;
    if (!rq) {
        if (!(rq = calloc(1, sizeof *rq)))
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->t0);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rq->n + *upload_size > BODY_MAX) {
            rq->too_big = true;
        } else {
            char *nb = realloc(rq->body, rq->n + *upload_size + 1);
            if (!nb)
                return MHD_NO;
            memcpy(nb + rq->n, upload, *upload_size);
            rq->n += *upload_size;
            nb[rq->n] = '\0';
            rq->body = nb;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    enum MHD_Result r = route(h, c, url, method, rq);
    fprintf(stderr, "cpindex serve: http %s %s %.2f ms\n", method, url[0] == '/' && strlen(url) < 16 ? url : "?",
            ms_since(&rq->t0));
    return r;
}

/* Free a request's state when libmicrohttpd is done with it (answered or cut off). */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    request *rq = *con_cls;
    if (rq) {
        if (rq->body)
            sodium_memzero(rq->body, rq->n); /* a login body holds a password */
        free(rq->body);
        free(rq);
    }
    *con_cls = NULL;
}

/* ------------------------------------------------------------------ the server */

int http_start(const cli_ctx *server, cpi_store *st, const http_opts *o, http_server **out)
{
    *out = NULL;
    bool is_unix = strncmp(o->addr, "unix:", 5) == 0;
    if (o->proxy_header && !is_unix) {
        fprintf(stderr, "cpindex serve: --proxy-user-header is trusted only on a unix: socket (a front proxy's), "
                        "never on %s, where anyone could send the header\n", o->addr);
        return EXIT_USAGE;
    }
    if (o->proxy_header && (!*o->proxy_header || strpbrk(o->proxy_header, " :\r\n"))) {
        fprintf(stderr, "cpindex serve: --proxy-user-header takes a header name, e.g. X-Remote-User\n");
        return EXIT_USAGE;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "cpindex serve: libsodium could not start (no random source?)\n");
        return EXIT_DATA;
    }
    http_server *h = calloc(1, sizeof *h);
    if (!h) {
        fprintf(stderr, "cpindex serve: out of memory\n");
        return EXIT_DATA;
    }
    h->ctx = *server;
    h->st = st;
    h->proxy_header = o->proxy_header;
    h->secure = o->secure_cookie;
    h->lfd = is_unix ? listen_unix(o->addr + 5, h->unix_path, sizeof h->unix_path) : listen_tcp(o->addr);
    if (h->lfd < 0) {
        free(h);
        return EXIT_USAGE;
    }
    h->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, h,
                            MHD_OPTION_LISTEN_SOCKET, h->lfd, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                            h, MHD_OPTION_END);
    if (!h->d) {
        fprintf(stderr, "cpindex serve: libmicrohttpd would not start on %s\n", o->addr);
        close(h->lfd);
        if (h->unix_path[0])
            unlink(h->unix_path);
        free(h);
        return EXIT_DATA;
    }
    *out = h;
    return 0;
}

int http_fd(const http_server *h)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
    return i ? i->epoll_fd : -1;
}

int http_timeout_ms(http_server *h)
{
    MHD_UNSIGNED_LONG_LONG t;
    if (MHD_get_timeout(h->d, &t) != MHD_YES)
        return -1;
    return t > 60000 ? 60000 : (int)t;
}

void http_run(http_server *h) { MHD_run(h->d); }

void http_stop(http_server *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d);
    close(h->lfd);
    if (h->unix_path[0])
        unlink(h->unix_path);
    sodium_memzero(h->sessions, sizeof h->sessions);
    free(h);
}
