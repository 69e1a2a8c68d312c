/*
 * commands.c - the table of cpindex subcommands. Adding a subcommand is one
 * cmd_NAME.c file and one row here.
 */
#include "cli.h"

#include <string.h>

int cmd_help(cli_ctx *ctx, int argc, char **argv);
int cmd_version(cli_ctx *ctx, int argc, char **argv);
int cmd_stats(cli_ctx *ctx, int argc, char **argv);

const cli_command cli_commands[] = {
    {"stats", cmd_stats, "show what the store holds: records per source, mentions, entities, size",
     "usage: cpindex stats [--json] [--db PATH]\n"
     "\n"
     "Print what the store holds: records per source, mentions, entities, edges,\n"
     "audit entries, schema version and size on disk. An empty or missing store is\n"
     "reported as empty (exit 0).\n"
     "\n"
     "  --json       one JSON object: path, exists, schema_version, records,\n"
     "               records_by_source, mentions, entities, edges, audit_entries,\n"
     "               file_bytes, map_bytes\n"
     "  --db PATH    the store directory (default $CPINDEX_DB, then ./cpindex.db)\n"},
    {"help", cmd_help, "show help for cpindex or for one command",
     "usage: cpindex help [COMMAND]\n"
     "\n"
     "With no COMMAND, list every command. With one, show its full usage\n"
     "(the same as 'cpindex COMMAND --help').\n"},
    {"version", cmd_version, "print the cpindex version and store schema version",
     "usage: cpindex version\n"},
};

const int cli_ncommands = (int)(sizeof cli_commands / sizeof cli_commands[0]);

const cli_command *cli_find(const char *name)
{
    for (int i = 0; i < cli_ncommands; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}
