/*
 * serve_run.h - run one cpindex command function inside a server with its
 * stdout and stderr captured, as `cpindex serve` does for its Unix-socket
 * clients (cmd_serve.c) and for the browser page (http_serve.c): the very
 * function the CLI runs, so the access check and the audit entry are the
 * CLI's own.
 */
#ifndef CPI_SERVE_RUN_H
#define CPI_SERVE_RUN_H

#include "cli.h"

/*
 * Run fn(argc, argv) as `cpindex` would with --user user --reason reason
 * ("" or NULL: none), in a fresh context on server's store, its stdout
 * written to the fd out and its stderr to err (both from their start).
 * argv is copied (getopt permutes the copy; the audit log keeps the order
 * given). Returns the command's exit status, or -1 when the capture could not
 * be set up (nothing ran). Not reentrant: fds 1 and 2 are swapped meanwhile,
 * so one request at a time.
 */
int serve_run_captured(const cli_ctx *server, const char *user, const char *reason, cli_fn fn, int argc,
                       char *const *argv, int out, int err);

#endif
