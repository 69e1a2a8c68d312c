/* cmd_child.c - `cpindex child QUERY`: everything held on a child, warnings first. */
#include "query_cli.h"

int cmd_child(cli_ctx *ctx, int argc, char **argv)
{
    return query_profile_command(ctx, cli_find("child"), argc, argv, true);
}
