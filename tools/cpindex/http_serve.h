/*
 * http_serve.h - the browser page of `cpindex serve --http ADDR` for the
 * control room (issue 18): log in, look a child, person, address or phone up
 * with a reason, read the warnings-first answer and a child's link chart.
 *
 * It runs inside cmd_serve.c's loop, on the same thread as the Unix-socket
 * server (libmicrohttpd without threads of its own: its epoll fd is polled
 * beside the socket), so one question is answered at a time and every answer
 * is the CLI command's own run (serve_run.h): same access gate, same audit
 * entry with the user and reason.
 *
 * Who is asking: a user name and password (argon2id, `cpindex user passwd`)
 * for a session cookie (HttpOnly, SameSite=Strict, Secure with --secure-cookie)
 * and a CSRF token on every POST; 5 failed logins lock the name out for 15
 * minutes (logged). Or, only when ADDR is unix:PATH, a front proxy that has
 * logged the user in names them in the header given by --proxy-user-header.
 */
#ifndef CPI_HTTP_SERVE_H
#define CPI_HTTP_SERVE_H

#include <stdbool.h>

#include "cli.h"

typedef struct http_opts {
    const char *addr;         /* host:port (port 0: any free one, logged) or unix:PATH */
    const char *proxy_header; /* NULL: passwords; else the trusted proxy's user header (unix: only) */
    bool secure_cookie;       /* add Secure to the cookie (a TLS front proxy) */
} http_opts;

typedef struct http_server http_server;

/* Listen at o->addr and start answering; 0 with *out set, or an exit status after saying why on stderr. */
int http_start(const cli_ctx *server, cpi_store *st, const http_opts *o, http_server **out);

/* The fd to poll for input (libmicrohttpd's epoll fd). */
int http_fd(const http_server *h);

/* How long the loop may sleep before http_run must be called (ms), or -1 for as long as it likes. */
int http_timeout_ms(http_server *h);

/* Handle whatever is ready: never blocks. */
void http_run(http_server *h);

/* Close every connection and the listening socket (and remove a unix: socket). */
void http_stop(http_server *h);

#endif
