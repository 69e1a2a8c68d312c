/* cli.c - helpers shared by the subcommands (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

void cli_print_usage(const cli_command *cmd) { fputs(cmd->usage, stdout); }

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cpindex %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nhint: see 'cpindex %s --help'\n", cmd->name);
    return EXIT_USAGE;
}

int cli_fail(const cpi_error *err)
{
    fprintf(stderr, "cpindex: %s\n", err->msg[0] ? err->msg : cpi_status_name(err->status));
    return cpi_status_exit_code(err->status);
}

int cli_common_opt(cli_ctx *ctx, const cli_command *cmd, int opt, const char *arg)
{
    switch (opt) {
    case CLI_OPT_DB:
        ctx->db_path = arg;
        return -1;
    case CLI_OPT_FORCE:
        ctx->force = true;
        return -1;
    case 'h':
        cli_print_usage(cmd);
        return EXIT_OK_;
    default:
        /* getopt has already said what was wrong */
        fprintf(stderr, "hint: see 'cpindex %s --help'\n", cmd->name);
        return EXIT_USAGE;
    }
}

cpi_status cli_open_store(cli_ctx *ctx, unsigned flags, cpi_store **out, cpi_error *err)
{
    cpi_store_opts o = {.flags = flags | (ctx->force ? CPI_STORE_FORCE : 0)};
    return cpi_store_open(ctx->db_path, &o, out, err);
}

const char *cli_human_bytes(unsigned long long bytes, char *buf, unsigned cap)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}
