/* serve_run.c - one command run with its output captured, for the servers (see serve_run.h). */
#include "serve_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int serve_run_captured(const cli_ctx *server, const char *user, const char *reason, cli_fn fn, int argc,
                       char *const *argv, int out, int err)
{
    char **args = calloc((size_t)argc + 1, sizeof *args);   /* getopt permutes this one */
    char **logged = calloc((size_t)argc + 1, sizeof *logged); /* the audit log's copy */
    if (!args || !logged) {
        free(args);
        free(logged);
        return -1;
    }
    memcpy(args, argv, sizeof *args * (size_t)argc);
    memcpy(logged, argv, sizeof *logged * (size_t)argc);
    fflush(stdout);
    fflush(stderr);
    int save1 = dup(1), save2 = dup(2);
    if (save1 < 0 || save2 < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
        if (save1 >= 0)
            dup2(save1, 1), close(save1);
        if (save2 >= 0)
            dup2(save2, 2), close(save2);
        free(args);
        free(logged);
        return -1;
    }
    /* a fresh context: nothing of the last request, nothing of the server's environment
     * (the user and reason are the client's; "" means none, as an empty --user does) */
    cli_ctx ctx = {.prog = server->prog,
                   .db_path = server->db_path,
                   .force = server->force,
                   .user = user ? user : "",
                   .reason = reason ? reason : "",
                   .argc = argc,
                   .argv = logged,
                   .term = {.plain = true}}; /* the client colours, folds and pages (serve_client.c) */
    optind = 0;
    opterr = 1;
    int status = fn(&ctx, argc, args);
    fflush(stdout);
    fflush(stderr);
    dup2(save1, 1);
    dup2(save2, 2);
    close(save1);
    close(save2);
    clearerr(stdout);
    clearerr(stderr);
    free(args);
    free(logged);
    return status;
}
