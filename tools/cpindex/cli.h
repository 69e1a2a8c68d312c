/*
 * cli.h - what the cpindex subcommands share: the command table entry, the
 * global options, and small helpers for option parsing and store opening.
 *
 * Each subcommand lives in its own cmd_NAME.c as cmd_NAME(ctx, argc, argv)
 * (git's builtin shape) and is listed once in commands.c.
 */
#ifndef CPI_CLI_H
#define CPI_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "core/error.h"
#include "core/store.h"

/* Exit statuses, documented in `cpindex --help`. */
enum { EXIT_OK_ = 0, EXIT_NOT_FOUND = 1, EXIT_USAGE = 2, EXIT_DATA = 3 };

typedef struct cli_ctx {
    const char *db_path; /* --db, else $CPINDEX_DB, else ./cpindex.db */
    bool force;          /* --force: open a store readable by others */
    const char *prog;    /* "cpindex" */
} cli_ctx;

typedef int (*cli_fn)(cli_ctx *ctx, int argc, char **argv);

typedef struct cli_command {
    const char *name;
    cli_fn fn;
    const char *summary; /* one line for `cpindex --help` */
    const char *usage;   /* full text for `cpindex help NAME` */
} cli_command;

extern const cli_command cli_commands[];
extern const int cli_ncommands;

const cli_command *cli_find(const char *name);
void cli_print_usage(const cli_command *cmd);

/*
 * Report a usage error for cmd: one line saying what is wrong and one line
 * saying where help is. Returns EXIT_USAGE.
 */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print err's message as "cpindex: message" and return the matching exit status. */
int cli_fail(const cpi_error *err);

/*
 * Options every subcommand accepts: --db PATH, --force, --help. Commands put
 * CLI_COMMON_LONGOPTS in their option table and call cli_common_opt() for
 * any option they do not handle themselves. Returns -1 when handled and the
 * command should go on, or an exit status to return.
 */
#define CLI_OPT_DB 1000
#define CLI_OPT_FORCE 1001
#define CLI_COMMON_LONGOPTS                                                                          \
    {"db", required_argument, NULL, CLI_OPT_DB}, {"force", no_argument, NULL, CLI_OPT_FORCE},        \
        {"help", no_argument, NULL, 'h'}
int cli_common_opt(cli_ctx *ctx, const cli_command *cmd, int opt, const char *arg);

/* Open the store at ctx->db_path; flags as in store.h (CPI_STORE_FORCE added from --force). */
cpi_status cli_open_store(cli_ctx *ctx, unsigned flags, cpi_store **out, cpi_error *err);

/* Format a byte count as "12.3 MiB" into buf. */
const char *cli_human_bytes(unsigned long long bytes, char *buf, unsigned cap);

#endif
