/*
 * cmd_serve.c - `cpindex serve`: keep the store open and answer the read-only
 * query commands (those marked servable in commands.c) for cpindex clients on
 * DIR/serve.sock, so a child's profile costs no process start-up and no
 * page faults to map the store again (issue 6). The protocol is in
 * serve_proto.h; the client side is in serve_client.c.
 *
 * Each request runs the very command function the client would have run
 * itself (same access check, same audit entry), with its stdout and stderr
 * redirected to memfds whose bytes are sent back. One connection at a time.
 *
 * With --http ADDR it also serves the browser page (http_serve.h) from the
 * same loop and thread, so the page's answers queue with the socket's.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "audit/journal.h"
#include "serve_proto.h"
#include "serve_run.h"
#include "http_serve.h" /* declarations only: http_serve.c is linked into cpindex-web alone */
#include <limits.h>

/* The journal is folded into the audit chain after SERVE_FOLD_IDLE_MS without a question, or once it holds
 * SERVE_FOLD_AT consultations. Nothing waits on it: whatever reads the log folds what is left first. */
#define SERVE_FOLD_IDLE_MS 200
#define SERVE_FOLD_AT 256
#define SERVE_FOLD_RETRY_MS 10000

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Bind a 0600 socket at path: refuse when a server answers there, remove a stale one. */
static int listen_at(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (!S_ISSOCK(sb.st_mode)) {
            fprintf(stderr, "cpindex serve: %s exists and is not a socket: move it away first\n", path);
            return -1;
        }
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof a) == 0) {
            close(probe);
            fprintf(stderr, "cpindex serve: a server already answers at %s: stop it first (it exits on SIGTERM)\n",
                    path);
            return -1;
        }
        if (probe >= 0)
            close(probe);
        if (unlink(path) != 0 && errno != ENOENT) {
            fprintf(stderr, "cpindex serve: cannot remove the stale socket %s: %s\n", path, strerror(errno));
            return -1;
        }
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "cpindex serve: socket: %s\n", strerror(errno));
        return -1;
    }
    mode_t old = umask(0177); /* born 0600: no moment when another user could connect */
    int b = bind(fd, (struct sockaddr *)&a, sizeof a);
    umask(old);
    if (b != 0 || chmod(path, 0600) != 0 || listen(fd, 16) != 0) {
        fprintf(stderr, "cpindex serve: cannot listen at %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Send the bytes written to memfd m as frames of type. */
static int send_memfd(int c, int m, int type)
{
    char buf[65536];
    if (lseek(m, 0, SEEK_SET) != 0)
        return -1;
    for (;;) {
        ssize_t n = read(m, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        if (sp_send(c, type, buf, (size_t)n))
            return -1;
    }
}

/* One connection: check who it is, read the request, run it, reply. */
static void serve_one(const cli_ctx *server, int c)
{
    unsigned uid;
    if (!sp_peer_is_us(c, &uid)) {
        fprintf(stderr, "cpindex serve: refused a connection from uid %d (not this server's user)\n", (int)uid);
        return;
    }
    struct timeval tv = {.tv_sec = 10};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv); /* a silent client cannot hold the server */
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    double t0 = now_ms();
    int type;
    char *payload;
    size_t len;
    if (sp_recv(c, &type, &payload, &len, SP_MAX_REQUEST)) {
        fprintf(stderr, "cpindex serve: a client sent no complete request\n");
        return;
    }
    sp_request r = {0};
    const cli_command *cmd = NULL;
    const char *why = NULL;
    if (type != SP_REQUEST || sp_request_decode(payload, len, &r))
        why = "not a cpindex-serve request";
    else if (!sp_request_matches(&r))
        why = "another cpindex version, protocol or store schema";
    else if (r.force != server->force)
        why = "--force differs from the server's";
    else if (!sp_servable(r.argv[0]) || !(cmd = cli_find(r.argv[0])))
        why = "not a command this server answers";
    if (why) {
        sp_send(c, SP_REFUSED, why, strlen(why));
        fprintf(stderr, "cpindex serve: request refused (answered in-process by the client): %s\n", why);
        free(r.argv);
        free(payload);
        return;
    }
    int out = memfd_create("cpindex-stdout", MFD_CLOEXEC), err = memfd_create("cpindex-stderr", MFD_CLOEXEC);
    int status = -1;
    if (out < 0 || err < 0) {
        const char *m = "the server cannot capture output";
        sp_send(c, SP_REFUSED, m, strlen(m));
    } else if (sp_send(c, SP_ACCEPTED, NULL, 0) == 0) {
        status = serve_run_captured(server, r.user, r.reason, cmd->fn, r.argc, r.argv, out, err);
        char st[16];
        int n = snprintf(st, sizeof st, "%d", status < 0 ? EXIT_DATA : status);
        if (status < 0) {
            const char *m = "cpindex serve: could not capture the command's output; nothing ran\n";
            sp_send(c, SP_STDERR, m, strlen(m));
        } else if (send_memfd(c, err, SP_STDERR) || send_memfd(c, out, SP_STDOUT)) {
            n = 0;
        }
        if (!n || sp_send(c, SP_STATUS, st, (size_t)n))
            fprintf(stderr, "cpindex serve: %s: the client went away before the answer was sent\n", r.argv[0]);
    }
    fprintf(stderr, "cpindex serve: %s exit %d %.2f ms\n", r.argv[0], status < 0 ? EXIT_DATA : status,
            now_ms() - t0);
    if (out >= 0)
        close(out);
    if (err >= 0)
        close(err);
    free(r.argv);
    free(payload);
}

#ifndef CPI_HTTP
/*
 * --http: run this command again in cpindex-web beside this program, the same
 * program with the browser page linked in. libmicrohttpd brings GnuTLS and
 * eight more shared libraries that every other command would otherwise load
 * at start-up (the front's whole point is a fast start: cli.h).
 */
static int exec_web(const cli_ctx *ctx, const http_opts *ho)
{
    char self[PATH_MAX], web[PATH_MAX + sizeof CLI_WEB_NAME + 1];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "cpindex serve: cannot find where this program is (/proc/self/exe): %s\n", strerror(errno));
        return EXIT_DATA;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(web, sizeof web, "%s/%s", self, CLI_WEB_NAME);
    /* the options as parsed: serve takes nothing else, and --user/--reason do not apply to it */
    char *args[12];
    int k = 0;
    args[k++] = (char *)ctx->prog;
    args[k++] = "--db";
    args[k++] = (char *)ctx->db_path;
    if (ctx->force)
        args[k++] = "--force";
    args[k++] = "serve";
    args[k++] = "--http";
    args[k++] = (char *)ho->addr;
    if (ho->proxy_header) {
        args[k++] = "--proxy-user-header";
        args[k++] = (char *)ho->proxy_header;
    }
    if (ho->secure_cookie)
        args[k++] = "--secure-cookie";
    args[k] = NULL;
    fflush(NULL);
    execv(web, args);
    fprintf(stderr, "cpindex serve: --http needs %s beside this program (built with it): %s\n", web, strerror(errno));
    return EXIT_DATA;
}
#endif

int cmd_serve(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("serve");
    enum { OPT_HTTP = 1, OPT_PROXY, OPT_SECURE };
    static const struct option longopts[] = {{"http", required_argument, NULL, OPT_HTTP},
                                             {"proxy-user-header", required_argument, NULL, OPT_PROXY},
                                             {"secure-cookie", no_argument, NULL, OPT_SECURE},
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    http_opts ho = {0};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == OPT_HTTP) {
            ho.addr = optarg;
            continue;
        }
        if (opt == OPT_PROXY) {
            ho.proxy_header = optarg;
            continue;
        }
        if (opt == OPT_SECURE) {
            ho.secure_cookie = true;
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if ((ho.proxy_header || ho.secure_cookie) && !ho.addr)
        return cli_usage_error(self, "--proxy-user-header and --secure-cookie go with --http ADDR");
    if (ho.proxy_header && strncmp(ho.addr, "unix:", 5) != 0)
        return cli_usage_error(self, "--proxy-user-header is trusted only with --http unix:PATH (a front proxy's "
                                     "socket), never on %s, where anyone could send the header", ho.addr);
#ifndef CPI_HTTP
    if (ho.addr)
        return exec_web(ctx, &ho);
#endif
    if (optind < argc)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
    char path[sizeof ((struct sockaddr_un *)0)->sun_path];
    if (sp_socket_path(ctx->db_path, path, sizeof path))
        return cli_usage_error(self, "the store path '%s' is too long for a socket name (%zu bytes at most)",
                               ctx->db_path, sizeof path - sizeof "/" SP_SOCKET);
    cpi_store *st;
    cpi_error e = {0};
    if (cli_open_store(ctx, 0, &st, &e) != CPI_OK)
        return cli_fail(&e);

    /* SIGINT/SIGTERM only while waiting for a connection: a request under way finishes */
    sigset_t block, waiting;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &waiting);
    sigdelset(&waiting, SIGINT);
    sigdelset(&waiting, SIGTERM);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int lfd = listen_at(path);
    if (lfd < 0) {
        cpi_store_close(st);
        return EXIT_USAGE;
    }
    /* consultations are logged with one flush and folded into the chain between questions */
    cpi_audit_journal *journal;
    if (cpi_audit_journal_open(st, &journal, &e) != CPI_OK) {
        close(lfd);
        unlink(path);
        cpi_store_close(st);
        return cli_fail(&e);
    }
    cpi_store_keep(st, true);
    cli_serve_store(st, ctx->db_path);
#ifdef CPI_HTTP
    http_server *http = NULL;
    if (ho.addr) {
        int hrc = http_start(ctx, st, &ho, &http);
        if (hrc) {
            cli_serve_store(NULL, NULL);
            cpi_audit_journal_close(journal, &e);
            cpi_store_keep(st, false);
            close(lfd);
            unlink(path);
            cpi_store_close(st);
            return hrc;
        }
    }
#endif
    /* Map every page in use now, so no question waits on the server's own first touch of a page */
    uint64_t mapped = 0;
    double t0 = now_ms();
    if (cpi_store_prefault(st, &mapped, &e) != CPI_OK) {
        fprintf(stderr, "cpindex serve: warning: %s; the first question about each record will be slower\n", e.msg);
        mapped = UINT64_MAX; /* do not try again per request */
    } else {
        fprintf(stderr, "cpindex serve: mapped the store's %llu MiB ahead in %.0f ms\n",
                (unsigned long long)(mapped >> 20), now_ms() - t0);
    }
    fprintf(stderr, "cpindex serve: answering child, person, address and missing at %s (pid %d)\n", path,
            (int)getpid());
    double retry_at = 0; /* after a fold failed, the next try */
    while (!stopping) {
        struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
        unsigned pending = cpi_audit_journal_pending(journal);
        int wait_ms = pending ? SERVE_FOLD_IDLE_MS : -1, hwait = -1;
#ifdef CPI_HTTP
        if (http) {
            p[1].fd = http_fd(http);
            hwait = http_timeout_ms(http);
        }
#endif
        if (hwait >= 0 && (wait_ms < 0 || hwait < wait_ms))
            wait_ms = hwait;
        struct timespec idle = {.tv_sec = wait_ms / 1000, .tv_nsec = wait_ms % 1000 * 1000000L};
        int n = ppoll(p, 2, wait_ms >= 0 ? &idle : NULL, &waiting);
#ifdef CPI_HTTP
        if (http && !stopping) {
            if (mapped != UINT64_MAX && p[1].revents) /* pages a writer added since: mapped before answering */
                (void)cpi_store_prefault(st, &mapped, &e);
            http_run(http); /* never blocks: whatever of the page's connections is ready */
        }
#endif
        bool sock_ready = n > 0 && (p[0].revents & POLLIN);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "cpindex serve: poll: %s\n", strerror(errno));
            break;
        }
        if ((n == 0 || pending >= SERVE_FOLD_AT) && !stopping && now_ms() >= retry_at) {
            /* a fold's commit (two flushes) happens between questions, never on an answer's path */
            if (cpi_audit_journal_fold(journal, NULL, &e) != CPI_OK) {
                fprintf(stderr, "cpindex serve: warning: %s; the consultations stay in the journal, read and "
                                "folded by whatever next reads or writes the audit log\n", e.msg);
                retry_at = now_ms() + SERVE_FOLD_RETRY_MS;
            }
        }
        if (!sock_ready || stopping)
            continue;
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        if (mapped != UINT64_MAX) /* pages a writer added since: mapped before answering */
            (void)cpi_store_prefault(st, &mapped, &e);
        serve_one(ctx, c);
        close(c);
    }
#ifdef CPI_HTTP
    http_stop(http);
#endif
    close(lfd);
    unlink(path);
    cli_serve_store(NULL, NULL);
    if (cpi_audit_journal_close(journal, &e) != CPI_OK)
        fprintf(stderr, "cpindex serve: warning: %s; the next write to the store folds the journal\n", e.msg);
    cpi_store_keep(st, false);
    cpi_store_close(st);
    fprintf(stderr, "cpindex serve: stopped\n");
    return stopping ? EXIT_OK_ : EXIT_DATA;
}
