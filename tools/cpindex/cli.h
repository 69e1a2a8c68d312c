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

#include "audit/access.h"
#include "core/error.h"
#include "core/store.h"
#include "term.h"

/* Exit statuses, documented in `cpindex --help`. */
enum { EXIT_OK_ = 0, EXIT_NOT_FOUND = 1, EXIT_USAGE = 2, EXIT_DATA = 3 };

typedef struct cli_ctx {
    const char *db_path; /* --db, else $CPINDEX_DB, else ./cpindex.db */
    bool force;          /* --force: open a store readable by others */
    const char *prog;    /* "cpindex" */
    const char *user;    /* --user, else $CPINDEX_USER (read by cli_require_user) */
    const char *reason;  /* --reason, else $CPINDEX_REASON */
    int argc;            /* the command's own arguments, from its name on, for the audit log */
    char **argv;
    cli_term_opts term;  /* --width, --color, --no-pager (term.h): how a text answer is shown */
} cli_ctx;

typedef int (*cli_fn)(cli_ctx *ctx, int argc, char **argv);

typedef struct cli_command {
    const char *name;
    cli_fn fn;
    const char *summary; /* one line for `cpindex --help` */
    const char *usage;   /* full text for `cpindex help NAME` */
    /* a read-only query a running `cpindex serve` answers (serve_proto.c's sp_servable, the front):
     * the ones an officer runs before attending, where a process's start-up is most of the wait */
    bool servable;
} cli_command;

extern const cli_command cli_commands[];
extern const int cli_ncommands;
/* The rest of `cpindex --help` (commands.c), shared with the man page generator (tools/mangen). */
extern const char cli_about[];       /* what cpindex is for, a paragraph */
extern const char cli_global_help[]; /* the global options, one per line, indented */
extern const char cli_exit_help[];   /* the exit statuses */
extern const char cli_env_help[];    /* the environment variables read */

const cli_command *cli_find(const char *name);
void cli_print_usage(const cli_command *cmd);
/* The same on a terminal: folded to its width and paged when longer than the screen (`help`, `--help`). */
void cli_show_usage(const cli_ctx *ctx, const cli_command *cmd);

/*
 * Report a usage error for cmd: one line saying what is wrong and one line
 * saying where help is. Returns EXIT_USAGE.
 */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print err's message as "cpindex: message" and return the matching exit status. */
int cli_fail(const cpi_error *err);

/*
 * Options every subcommand accepts: --db PATH, --force, --help, --user NAME,
 * --reason TEXT, and the presentation options --width N, --color[=WHEN],
 * --no-pager (term.h). Commands put
 * CLI_COMMON_LONGOPTS in their option table and call cli_common_opt() for
 * any option they do not handle themselves. Returns -1 when handled and the
 * command should go on, or an exit status to return.
 */
#define CLI_OPT_DB 1000
#define CLI_OPT_FORCE 1001
#define CLI_OPT_USER 1002
#define CLI_OPT_REASON 1003
#define CLI_OPT_WIDTH 1004
#define CLI_OPT_COLOR 1005
#define CLI_OPT_NO_PAGER 1006
#define CLI_COMMON_LONGOPTS                                                                          \
    {"db", required_argument, NULL, CLI_OPT_DB}, {"force", no_argument, NULL, CLI_OPT_FORCE},        \
        {"help", no_argument, NULL, 'h'}, {"user", required_argument, NULL, CLI_OPT_USER},           \
        {"reason", required_argument, NULL, CLI_OPT_REASON},                                         \
        {"width", required_argument, NULL, CLI_OPT_WIDTH}, {"color", optional_argument, NULL, CLI_OPT_COLOR}, \
        {"colour", optional_argument, NULL, CLI_OPT_COLOR}, {"no-pager", no_argument, NULL, CLI_OPT_NO_PAGER}
int cli_common_opt(cli_ctx *ctx, const cli_command *cmd, int opt, const char *arg);

/*
 * cpindex serve: st is the store it keeps open (cpi_store_keep) at dir (the
 * path as the server's ctx->db_path names it). From then on cli_open_store and
 * cli_require_user hand out st instead of opening ctx->db_path again when that
 * names the same directory; the command's cpi_store_close leaves it open.
 * NULL: open every store afresh (the default).
 */
void cli_serve_store(cpi_store *st, const char *dir);

/*
 * The client (serve_client.c): ask a running `cpindex serve` to answer this
 * servable command. Returns -1 when none answers or it declines before running
 * anything (the caller answers in-process, silently); otherwise the command's
 * exit status, its output already written.
 */
int serve_ask(const cli_ctx *ctx, int argc, char **argv);

/*
 * The options before the command into ctx (global_opts.c), CPINDEX_DB the
 * default store: returns the index of the first argument not read, the
 * command's name when it is not an option (argc when there is none).
 */
int cli_global_opts(cli_ctx *ctx, int argc, char **argv);

/* The full program the front (front.c) runs, beside it; and the variable by which the front says
 * it asked a server already (main.c then does not ask again). */
#define CLI_FULL_NAME "cpindex-full"
/* The full program with the browser page (`serve --http`) linked in, beside it: cmd_serve.c runs it. */
#define CLI_WEB_NAME "cpindex-web"
#define CLI_SERVE_ASKED "CPINDEX_SERVE_ASKED"

/* Open the store at ctx->db_path; flags as in store.h (CPI_STORE_FORCE added from --force). */
cpi_status cli_open_store(cli_ctx *ctx, unsigned flags, cpi_store **out, cpi_error *err);

/*
 * The access gate. Every command that shows, exports or changes personal data
 * opens its store through this one call instead of cli_open_store() (child,
 * person, address and missing through cli_identify below, then the desk,
 * desk/desk.h, which authorises, builds and logs):
 *
 *   cpi_store *st;
 *   cpi_grant g;
 *   int rc = cli_require_user(ctx, "child", NULL, &st, &g);
 *   if (rc)
 *       return rc;                  // refused (exit 2, one line said what to add) or no store
 *   ... read in a snapshot, at g.view; hide restricted content unless
 *   ... cpi_access_may_read(&g, ref), naming cpi_access_contact(&g, ref) instead;
 *   ... end the snapshot, keeping copies of the entity ids and references to show
 *   rc = cli_log_consultation(ctx, st, &g, ids, nids, refs, nrefs);
 *   if (rc == 0)
 *       print the answer;           // nothing is shown unless it was logged
 *   cpi_store_close(st);
 *
 * cli_require_user takes the user and reason from --user/--reason, else
 * CPINDEX_USER/CPINDEX_REASON; refuses (before touching the store) when either
 * is missing or the reason is a single word; then opens the store with opts
 * (NULL: an existing store, read-write; --force is added) and asks
 * cpi_access_authorise() whether the user may run action. Returns 0 with *st
 * open and *grant filled, or an exit status after printing why (*st NULL).
 */
int cli_require_user(cli_ctx *ctx, const char *action, const cpi_store_opts *opts, cpi_store **st,
                     cpi_grant *grant);

/*
 * cli_require_user's first half, for a consultation the desk authorises
 * (desk/desk.h): who and why (*user, *reason) checked as above, and the store
 * opened. Returns 0, or an exit status after printing why (*st NULL).
 */
int cli_identify(cli_ctx *ctx, const char *action, const cpi_store_opts *opts, cpi_store **st, const char **user,
                 const char **reason);

/* Say why cpi_access_authorise (or the desk) refused action: exit 2 for a refusal, else as cli_fail. */
int cli_refused(const char *action, const cpi_error *err);

/*
 * Log the consultation g made (its query is this command's arguments, minus
 * --user/--reason/--db) with the entity ids and references it returned.
 * Returns 0, or prints why not and returns an exit status.
 */
int cli_log_consultation(cli_ctx *ctx, cpi_store *st, const cpi_grant *g, const char *const *entities,
                         size_t nentities, const char *const *refs, size_t nrefs);

/* Say that action's consultation could not be logged (err from cpi_desk_log); its exit status. */
int cli_log_failed(const char *action, const cpi_error *err);

/* This command's arguments as one line, without --user/--reason/--db and their values. */
void cli_query_text(const cli_ctx *ctx, char *buf, size_t cap);

/* How this command's text answer is shown (term.h): from ctx->term, the environment and standard output. */
void cli_term_get(const cli_ctx *ctx, cli_term *t);

/*
 * Print a text answer: render(arg, stream, width) writes it into memory at
 * the terminal's width (at least 40: the renderers' narrowest), then it is
 * folded to the real width, coloured and paged as cli_term_emit says. Text
 * answers go through this one call so every command is the same terminal
 * program. Returns 0, or EXIT_DATA after saying the output failed.
 */
typedef void (*cli_render_fn)(const void *arg, FILE *out, int width);
int cli_print_text(const cli_ctx *ctx, cli_render_fn render, const void *arg);

/* Format a byte count as "12.3 MiB" into buf. */
const char *cli_human_bytes(unsigned long long bytes, char *buf, unsigned cap);

#endif
