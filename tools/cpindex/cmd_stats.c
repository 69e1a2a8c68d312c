/* cmd_stats.c - `cpindex stats`: what the store holds, for a person or as JSON. */
#include <jansson.h>
#include <stdio.h>

#include "cli.h"

static int print_json(const char *path, bool exists, const cpi_store_stats *s)
{
    json_t *by = json_object();
    for (unsigned i = 0; i < s->nsources; i++)
        json_object_set_new(by, s->sources[i].source, json_integer((json_int_t)s->sources[i].records));
    json_t *o = json_pack("{s:s, s:b, s:i, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "path", path, "exists",
                          exists, "schema_version", (int)s->schema_version, "records", (json_int_t)s->records,
                          "records_by_source", by, "mentions", (json_int_t)s->mentions, "entities",
                          (json_int_t)s->entities, "edges", (json_int_t)s->edges, "audit_entries",
                          (json_int_t)s->audit_entries, "file_bytes", (json_int_t)s->file_bytes, "map_bytes",
                          (json_int_t)s->map_size);
    if (!o)
        return EXIT_DATA;
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(o);
    return EXIT_OK_;
}

static void print_text(const char *path, const cpi_store_stats *s)
{
    char b1[32], b2[32];
    printf("store     %s (schema %u, %s on disk, map %s)\n", path, s->schema_version,
           cli_human_bytes(s->file_bytes, b1, sizeof b1), cli_human_bytes(s->map_size, b2, sizeof b2));
    if (s->records == 0) {
        printf("records   0: the store is empty; load a silo with 'cpindex ingest SOURCE PATH'\n");
        return;
    }
    printf("records   %llu\n", (unsigned long long)s->records);
    for (unsigned i = 0; i < s->nsources; i++)
        printf("  %-8s %llu\n", s->sources[i].source, (unsigned long long)s->sources[i].records);
    printf("mentions  %llu\n", (unsigned long long)s->mentions);
    printf("entities  %llu%s\n", (unsigned long long)s->entities,
           s->entities ? "" : " (run 'cpindex resolve' to link mentions into entities)");
    printf("edges     %llu\n", (unsigned long long)s->edges);
    printf("audit     %llu entries\n", (unsigned long long)s->audit_entries);
}

int cmd_stats(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("stats");
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'}, CLI_COMMON_LONGOPTS, {0}};
    bool json = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'j') {
            json = true;
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);

    cpi_error err = {0};
    cpi_store *st;
    cpi_store_stats s = {0};
    cpi_status rc = cli_open_store(ctx, CPI_STORE_READONLY, &st, &err);
    if (rc == CPI_NOT_FOUND) {
        if (json)
            return print_json(ctx->db_path, false, &s);
        printf("store     %s does not exist yet: it is empty\n"
               "          load a silo with 'cpindex ingest SOURCE PATH'\n",
               ctx->db_path);
        return EXIT_OK_;
    }
    if (rc)
        return cli_fail(&err);
    rc = cpi_store_stats_get(st, &s, &err);
    cpi_store_close(st);
    if (rc)
        return cli_fail(&err);
    if (json)
        return print_json(ctx->db_path, true, &s);
    print_text(ctx->db_path, &s);
    return EXIT_OK_;
}
