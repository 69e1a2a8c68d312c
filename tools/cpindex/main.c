/*
 * main.c - cpindex-full, the whole program (front.c runs it): global options, then dispatch through the
 * command table in commands.c. Everything real happens in libcpindex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/store.h"
#include "serve_proto.h"

/* `cpindex --help`: every command one line each, the global options, the exit statuses. */
static void render_main_help(const void *arg, FILE *f, int width)
{
    (void)arg;
    (void)width;
    fprintf(f, "usage: cpindex [--db PATH] [--force] COMMAND [ARGS]\n\n%s\nCommands:\n", cli_about);
    for (int i = 0; i < cli_ncommands; i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(f, "\nGlobal options (also accepted after the command):\n%s\n%s", cli_global_help, cli_exit_help);
}

/* Through the terminal layer: folded to the width, paged on a short screen (as git's help). */
static void print_main_help(const cli_ctx *ctx) { cli_print_text(ctx, render_main_help, NULL); }

int cmd_help(cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        print_main_help(ctx);
        return EXIT_OK_;
    }
    const cli_command *cmd = cli_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "cpindex help: '%s' is not a cpindex command\nhint: see 'cpindex --help'\n", argv[1]);
        return EXIT_USAGE;
    }
    cli_show_usage(ctx, cmd);
    return EXIT_OK_;
}

int cmd_version(cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        cli_print_usage(cli_find("version"));
        return EXIT_OK_;
    }
    if (argc > 1)
        return cli_usage_error(cli_find("version"), "unexpected argument '%s'", argv[1]);
    printf("cpindex %s (store schema %d)\n", CPI_VERSION, CPI_SCHEMA_VERSION);
    return EXIT_OK_;
}

/* Edit distance, for "did you mean" on a mistyped command. */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 30 || lb > 30)
        return 99;
    int d[31][31];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = c < del ? (c < ins ? c : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

static int unknown_command(const char *name)
{
    fprintf(stderr, "cpindex: '%s' is not a cpindex command.", name);
    const char *best = NULL;
    int bd = 3;
    for (int i = 0; i < cli_ncommands; i++) {
        int d = distance(name, cli_commands[i].name);
        if (d < bd) {
            bd = d;
            best = cli_commands[i].name;
        }
    }
    if (best)
        fprintf(stderr, " Did you mean '%s'?", best);
    fprintf(stderr, "\nhint: see 'cpindex --help'\n");
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {.prog = "cpindex"};
    int i = cli_global_opts(&ctx, argc, argv);
    if (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_main_help(&ctx);
            return EXIT_OK_;
        }
        if (strcmp(a, "--version") == 0) {
            printf("cpindex %s (store schema %d)\n", CPI_VERSION, CPI_SCHEMA_VERSION);
            return EXIT_OK_;
        }
        cli_term_opts scratch = {0};
        const char *why = NULL;
        if (cli_term_parse_arg(&scratch, a, i + 1 < argc ? argv[i + 1] : NULL, &why) < 0)
            fprintf(stderr, "cpindex: %s\nhint: see 'cpindex --help'\n", why);
        else if (strcmp(a, "--db") == 0 || strcmp(a, "--user") == 0 || strcmp(a, "--reason") == 0)
            fprintf(stderr, "cpindex: %s needs a %s\nhint: see 'cpindex --help'\n", a,
                    a[2] == 'd' ? "PATH" : "value");
        else
            fprintf(stderr, "cpindex: unknown option '%s'\nhint: see 'cpindex --help'\n", a);
        return EXIT_USAGE;
    }
    if (i >= argc) {
        print_main_help(&ctx);
        return EXIT_USAGE;
    }
    const cli_command *cmd = cli_find(argv[i]);
    if (!cmd)
        return unknown_command(argv[i]);
    /* the front (front.c) asked a server already, when it could: not twice */
    const char *asked = getenv(CLI_SERVE_ASKED);
    if (asked)
        unsetenv(CLI_SERVE_ASKED);
    else if (sp_servable(cmd->name)) {
        int rc = serve_ask(&ctx, argc - i, argv + i);
        if (rc >= 0)
            return rc;
    }
    optind = 0; /* each command runs its own getopt from the start */
    /* a copy for the audit log: getopt reorders the command's own argv as it parses */
    char **logged_argv = calloc((size_t)(argc - i) + 1, sizeof *logged_argv);
    if (!logged_argv) {
        fprintf(stderr, "cpindex: out of memory\n");
        return EXIT_DATA;
    }
    memcpy(logged_argv, argv + i, sizeof *logged_argv * (size_t)(argc - i));
    ctx.argc = argc - i;
    ctx.argv = logged_argv;
    int rc = cmd->fn(&ctx, argc - i, argv + i);
    free(logged_argv); /* (a static pointer to it was optimised away: valgrind saw a definite leak) */
    return rc;
}
