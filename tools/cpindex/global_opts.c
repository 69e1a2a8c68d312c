/*
 * global_opts.c - the options before a command (--db, --user, --reason,
 * --force, and the presentation options of term.h), read the one way by the full program (main.c) and by the front
 * (front.c), which runs without the rest of the CLI.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_global_opts(cli_ctx *ctx, int argc, char **argv)
{
    const char *env = getenv("CPINDEX_DB");
    ctx->db_path = env && *env ? env : "./cpindex.db";
    int i = 1;
    const char *why;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--force") == 0)
            ctx->force = true;
        else if ((strcmp(a, "--db") == 0 || strcmp(a, "--user") == 0 || strcmp(a, "--reason") == 0) && i + 1 < argc)
            *(a[2] == 'd' ? &ctx->db_path : a[2] == 'u' ? &ctx->user : &ctx->reason) = argv[++i];
        else if (strncmp(a, "--db=", 5) == 0)
            ctx->db_path = a + 5;
        else if (strncmp(a, "--user=", 7) == 0)
            ctx->user = a + 7;
        else if (strncmp(a, "--reason=", 9) == 0)
            ctx->reason = a + 9;
        else if (cli_term_parse_arg(&ctx->term, a, i + 1 < argc ? argv[i + 1] : NULL, &why) > 0)
            i += strcmp(a, "--width") == 0; /* its value was the next word */
        else
            break; /* --help, --version, a value missing, or a mistake: the caller's to say */
    }
    return i;
}
