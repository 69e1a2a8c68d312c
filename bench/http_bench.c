/*
 * http_bench.c - a served browser lookup's latency (issue 18: p99 <= 20 ms at
 * 1M): logs in to a running `cpindex serve --http HOST:PORT` once, then times N
 * lookups (POST /lookup, one kept-alive connection, as a browser tab would),
 * each from the request's first byte to the page's last, and prints p50, p99
 * and max. The lookups are `child` of the entity ids P-0000001, P-0000002, ...
 * (wrapping at --ids), so each answer is a whole profile and its link chart.
 *
 * usage: cpi-http-bench HOST:PORT USER N [--ids K] [--kind child|address|person]   (password on stdin)
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int connect_to(const char *hostport)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof host)
        return -1;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, colon + 1, &hints, &res))
        return -1;
    int fd = socket(res->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* Send one request and read one whole response (Content-Length framed) into *resp; the status, or -1. */
static int roundtrip(int fd, const char *req, size_t n, char **resp, size_t *cap)
{
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, req + off, n - off);
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    size_t len = 0, want = 0;
    for (;;) {
        if (len + 65536 > *cap)
            *resp = realloc(*resp, *cap = (*cap + 65536) * 2);
        ssize_t r = read(fd, *resp + len, *cap - len - 1);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        (*resp)[len] = '\0';
        char *end = strstr(*resp, "\r\n\r\n");
        if (end && !want) {
            char *cl = strcasestr(*resp, "\r\nContent-Length:");
            want = (size_t)(end + 4 - *resp) + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
        }
        if (want && len >= want)
            break;
    }
    int code = -1;
    sscanf(*resp, "HTTP/1.%*d %d", &code);
    return code;
}

/* The value after `key` up to the first of `stop`, into out. */
static int grab(const char *s, const char *key, const char *stop, char *out, size_t cap)
{
    const char *p = strstr(s, key);
    if (!p)
        return -1;
    p += strlen(key);
    size_t n = strcspn(p, stop);
    if (n >= cap)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: cpi-http-bench HOST:PORT USER N [--ids K] [--kind KIND]   (password on stdin)\n");
        return 2;
    }
    const char *addr = argv[1], *user = argv[2], *kind = "child";
    int n = atoi(argv[3]), ids = 500;
    for (int i = 4; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--ids") == 0)
            ids = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--kind") == 0)
            kind = argv[i + 1];
    }
    char pw[300];
    if (n <= 0 || ids <= 0 || !fgets(pw, sizeof pw, stdin)) {
        fprintf(stderr, "cpi-http-bench: give N > 0 and the password on stdin\n");
        return 2;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    for (char *c = pw; *c; c++)
        if (*c == ' ')
            *c = '+'; /* a passphrase of plain words: '+' is all the form encoding it needs */
    int fd = connect_to(addr);
    if (fd < 0) {
        fprintf(stderr, "cpi-http-bench: cannot connect to %s\n", addr);
        return 1;
    }
    char *resp = NULL, req[4096], pre[200], tok[100], session[200], csrf[100];
    size_t cap = 0;
    int len = snprintf(req, sizeof req, "GET /login HTTP/1.1\r\nHost: x\r\n\r\n");
    if (roundtrip(fd, req, (size_t)len, &resp, &cap) != 200 || grab(resp, "Set-Cookie: cpi_login=", ";", pre, sizeof pre) ||
        grab(resp, "name=\"csrf\" value=\"", "\"", tok, sizeof tok)) {
        fprintf(stderr, "cpi-http-bench: no login page at %s\n", addr);
        return 1;
    }
    char body[1024];
    int bl = snprintf(body, sizeof body, "user=%s&password=%s&csrf=%s", user, pw, tok);
    len = snprintf(req, sizeof req,
                   "POST /login HTTP/1.1\r\nHost: x\r\nCookie: cpi_login=%s\r\nContent-Type: "
                   "application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
                   pre, bl, body);
    if (roundtrip(fd, req, (size_t)len, &resp, &cap) != 303 ||
        grab(resp, "Set-Cookie: cpi_session=", ";", session, sizeof session)) {
        fprintf(stderr, "cpi-http-bench: login as %s failed\n", user);
        return 1;
    }
    len = snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: x\r\nCookie: cpi_session=%s\r\n\r\n", session);
    if (roundtrip(fd, req, (size_t)len, &resp, &cap) != 200 || grab(resp, "name=\"csrf\" value=\"", "\"", csrf, sizeof csrf)) {
        fprintf(stderr, "cpi-http-bench: no lookup page after logging in\n");
        return 1;
    }
    double *t = malloc(sizeof *t * (size_t)n);
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        bl = snprintf(body, sizeof body, "kind=%s&q=P-%07d&incident=BENCH-1&reason=http+benchmark+synthetic+data&csrf=%s",
                      kind, i % ids + 1, csrf);
        len = snprintf(req, sizeof req,
                       "POST /lookup HTTP/1.1\r\nHost: x\r\nCookie: cpi_session=%s\r\nContent-Type: "
                       "application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
                       session, bl, body);
        double t0 = now_ms();
        int code = roundtrip(fd, req, (size_t)len, &resp, &cap);
        t[i] = now_ms() - t0;
        if (code != 200) {
            fprintf(stderr, "cpi-http-bench: lookup %d answered %d\n", i + 1, code);
            return 1;
        }
        bytes += strlen(resp);
    }
    qsort(t, (size_t)n, sizeof *t, cmp);
    printf("served browser lookups (%s, %d, over %d ids): p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f KiB a page\n",
           kind, n, ids, t[n / 2], t[(int)((n - 1) * 0.99)], t[n - 1], (double)bytes / n / 1024);
    free(t);
    free(resp);
    close(fd);
    return 0;
}
