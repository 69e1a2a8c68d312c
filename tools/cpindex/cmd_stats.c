/* cmd_stats.c - `cpindex stats`: what the store holds, for a person or as JSON. */
#include <stdio.h>

#include "cli.h"
#include "render/jsonw.h"

static int print_json(const char *path, bool exists, const cpi_store_stats *s)
{
    cpi_jw w;
    cpi_jw_init(&w, 2);
    cpi_jw_obj(&w);
    cpi_jw_kstr(&w, "path", path);
    cpi_jw_kbool(&w, "exists", exists);
    cpi_jw_kint(&w, "schema_version", (int)s->schema_version);
    cpi_jw_kint(&w, "records", (long long)s->records);
    cpi_jw_key(&w, "records_by_source");
    cpi_jw_obj(&w);
    for (unsigned i = 0; i < s->nsources; i++)
        cpi_jw_kint(&w, s->sources[i].source, (long long)s->sources[i].records);
    cpi_jw_obj_end(&w);
    cpi_jw_kint(&w, "mentions", (long long)s->mentions);
    cpi_jw_kint(&w, "entities", (long long)s->entities);
    cpi_jw_kint(&w, "edges", (long long)s->edges);
    cpi_jw_kint(&w, "audit_entries", (long long)s->audit_entries);
    cpi_jw_kint(&w, "file_bytes", (long long)s->file_bytes);
    cpi_jw_kint(&w, "map_bytes", (long long)s->map_size);
    cpi_jw_obj_end(&w);
    int rc = cpi_jw_print(&w, stdout) ? EXIT_DATA : EXIT_OK_;
    cpi_jw_free(&w);
    return rc;
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
