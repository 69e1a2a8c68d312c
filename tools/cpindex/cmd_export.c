/*
 * cmd_export.c - `cpindex export TABLE [--out FILE]`: tables out of the store
 * as CSV. TABLE picks what to export; each table is one row of the table
 * below and one library call (core/export.h), so `export graph` later is one
 * more row. An export is a disclosure: it is logged (what, where to, how
 * many rows) before a byte is written, and refused if it cannot be logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/audit.h"
#include "core/export.h"
#include "query/export_graph.h"

typedef cpi_status (*export_fn)(cpi_store *st, FILE *out, uint64_t *rows, cpi_error *err);

static const struct {
    const char *name;
    export_fn fn;
} TABLES[] = {
    {"entities", cpi_export_entities},
    {"graph", cpi_export_graph},
    {"links", cpi_export_links},
};

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("export");
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'}, CLI_COMMON_LONGOPTS, {0}};
    const char *out_path = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        if (opt == 'o') {
            out_path = optarg;
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (optind >= argc)
        return cli_usage_error(self, "say what to export: entities, graph or links");
    if (optind + 1 < argc)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
    export_fn fn = NULL;
    for (size_t i = 0; i < sizeof TABLES / sizeof TABLES[0]; i++)
        if (strcmp(argv[optind], TABLES[i].name) == 0)
            fn = TABLES[i].fn;
    if (!fn)
        return cli_usage_error(self, "'%s' is not something export writes (try: entities, graph, links)",
                               argv[optind]);

    cpi_error err = {0};
    cpi_store *st;
    cpi_grant g;
    int grc = cli_require_user(ctx, "export", NULL, &st, &g);
    if (grc)
        return grc;
    /* log the disclosure first: the rows are every mention the store holds */
    int64_t mentions = 0;
    cpi_txn *t;
    cpi_status ls = cpi_store_read_begin(st, &t, &err);
    if (!ls) {
        ls = cpi_txn_counter_get(t, "mentions", &mentions, &err);
        cpi_txn_end(t);
    }
    char count[32], query[2048];
    snprintf(count, sizeof count, "%lld", (long long)mentions);
    cli_query_text(ctx, query, sizeof query);
    cpi_kv kv[4] = {{"what", argv[optind]}, {"to", out_path ? out_path : "standard output"}, {"format", "csv"},
                    {"count", count}};
    cpi_audit_entry e = {.kind = CPI_AUDIT_DISCLOSURE,
                         .user = g.user,
                         .reason = g.reason,
                         .command = "export",
                         .query = query,
                         .details = {kv, 4}};
    if (!ls)
        ls = cpi_audit_log(st, &e, &err);
    if (ls) {
        cpi_store_close(st);
        fprintf(stderr, "cpindex export: this disclosure could not be logged, so nothing is written: %s\n", err.msg);
        return cpi_status_exit_code(ls == CPI_ERR_USAGE ? CPI_ERR_STORE : ls);
    }
    FILE *out = stdout;
    if (out_path) {
        /* the file holds references to children's records: readable by the owner only */
        int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || !(out = fdopen(fd, "w"))) {
            fprintf(stderr, "cpindex export: cannot write %s: %s\n", out_path, strerror(errno));
            if (fd >= 0)
                close(fd);
            cpi_store_close(st);
            return EXIT_DATA;
        }
    }
    uint64_t rows = 0;
    cpi_status s = fn(st, out, &rows, &err);
    cpi_store_close(st);
    if (out != stdout && fclose(out) != 0 && !s)
        s = cpi_error_set(&err, CPI_ERR_IO, "export: could not write %s: %s", out_path, strerror(errno));
    if (s)
        return cli_fail(&err);
    if (out_path)
        fprintf(stderr, "exported %llu rows to %s\n", (unsigned long long)rows, out_path);
    return EXIT_OK_;
}
