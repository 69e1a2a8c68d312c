/*
 * serve_client.c - the client side of `cpindex serve` (cmd_serve.c): hand a
 * servable command to the server on the store's socket and print its answer.
 * The protocol is in serve_proto.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "serve_proto.h"
#include "term.h"

/* Write all of buf to fd (the answer a server sent). */
static void write_out(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

/*
 * Ask a running `cpindex serve` (cmd_serve.c) to answer this servable
 * command. Returns -1 when none answers or it declines before running
 * anything: the caller then answers in-process, silently. Otherwise the
 * command ran there: its output is written out and its exit status returned
 * (EXIT_DATA, after one line, when the server failed after accepting: the
 * consultation may be logged already, so it is not run again).
 */
int serve_ask(const cli_ctx *ctx, int argc, char **argv)
{
    const char *off = getenv("CPINDEX_SERVE");
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if ((off && strcmp(off, "off") == 0) || sp_socket_path(ctx->db_path, a.sun_path, sizeof a.sun_path))
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unsigned uid;
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 || !sp_peer_is_us(fd, &uid)) {
        close(fd);
        return -1;
    }
    /* the user and reason as the command would pick them: options first, then the environment */
    const char *user = ctx->user ? ctx->user : getenv("CPINDEX_USER");
    const char *reason = ctx->reason ? ctx->reason : getenv("CPINDEX_REASON");
    /*
     * The terminal is ours, not the server's: decide width, colour and pager
     * here, tell the server the width (it renders plain, its output is a
     * memfd) and colour, fold and page what it sends back.
     */
    cli_term_opts to = ctx->term;
    bool json = false;
    cli_term_scan(&to, argc, argv, &json);
    cli_term t;
    cli_term_decide(&to, 1, &t);
    char width_arg[32];
    snprintf(width_arg, sizeof width_arg, "--width=%d", t.width);
    char **fwd = calloc((size_t)argc + 2, sizeof *fwd);
    if (!fwd) {
        close(fd);
        return -1;
    }
    fwd[0] = argv[0];
    fwd[1] = width_arg; /* right after the name: never after a "--" */
    memcpy(fwd + 2, argv + 1, sizeof *fwd * (size_t)(argc - 1));
    char *req, *data = NULL;
    size_t len;
    int type = 0;
    int enc = sp_request_encode(ctx->force, user, reason, argc + 1, fwd, &req, &len);
    free(fwd);
    if (enc) {
        close(fd);
        return -1;
    }
    int bad = sp_send(fd, SP_REQUEST, req, len) || sp_recv(fd, &type, &data, &len, SP_MAX_FRAME) ||
              type != SP_ACCEPTED;
    free(req);
    free(data);
    if (bad) {
        close(fd);
        return -1;
    }
    /* accepted: collect the whole answer, then write it, so a slow reader never holds the server */
    char *out = NULL, *err = NULL;
    size_t nout = 0, nerr = 0;
    int status = -1;
    while (status < 0) {
        if (sp_recv(fd, &type, &data, &len, SP_MAX_FRAME))
            break;
        char **buf = type == SP_STDOUT ? &out : type == SP_STDERR ? &err : NULL;
        size_t *n = type == SP_STDOUT ? &nout : &nerr;
        if (buf) {
            char *grown = realloc(*buf, *n + len);
            if (!grown) {
                free(data);
                break;
            }
            memcpy(grown + *n, data, len);
            *buf = grown;
            *n += len;
        } else if (type == SP_STATUS) {
            char *end;
            long v = strtol(data, &end, 10);
            if (end != data && !*end && v >= 0 && v < 256)
                status = (int)v;
            else {
                free(data);
                break;
            }
        } else {
            free(data);
            break;
        }
        free(data);
    }
    close(fd);
    if (status >= 0) {
        write_out(2, err, nerr);
        if (json || !nout)
            write_out(1, out, nout);
        else if (cli_term_emit(&t, out, nout, stdout) != 0 || fflush(stdout) != 0)
            status = status ? status : EXIT_DATA;
    } else {
        fprintf(stderr,
                "cpindex %s: the server at %s failed while answering (its consultation may already be logged, "
                "so it is not run again); see the server's log, or run again with CPINDEX_SERVE=off\n",
                argv[0], a.sun_path);
        status = EXIT_DATA;
    }
    free(out);
    free(err);
    return status;
}
