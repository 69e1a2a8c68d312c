/* cmd_person.c - `cpindex person QUERY`: what is held on anyone, and the children around them. */
#include "query_cli.h"

int cmd_person(cli_ctx *ctx, int argc, char **argv)
{
    return query_profile_command(ctx, cli_find("person"), argc, argv, false);
}
