/*
 * cmd_export.c - `cpindex export TABLE [--out FILE]`: tables out of the store.
 * TABLE picks what to export; each table is one row of the table below and
 * one library call (render/export.h, render/export_graph.h). `graph` also takes
 * a selection (--child REF: a child's neighbourhood, --hops N; --network ID;
 * --community ID), bounded by --max-nodes (default 60), and a format
 * (--format graphml|dot|csv); `timeline` is one child's records as SVG. An export is a disclosure: it is logged
 * (what, which selection, where to, how many rows or entities) before a byte
 * is written, and refused if it cannot be logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "audit/audit.h"
#include "render/export.h"
#include "render/export_graph.h"
#include "graph/graphdb.h"
#include "query/lookup.h"
#include "query/profile.h"
#include "core/source.h"
#include "render/timeline_svg.h"

typedef cpi_status (*export_fn)(cpi_store *st, FILE *out, uint64_t *rows, cpi_error *err);

static const struct {
    const char *name;
    export_fn fn;
} TABLES[] = {
    {"entities", cpi_export_entities},
    {"graph", cpi_export_graph},
    {"links", cpi_export_links},
};

/*
 * REF (an entity id, a reference, a Niche id, a name) -> exactly one person's
 * entity id, copied into id. An exit status when it is not exactly one.
 */
static int resolve_child(const cli_command *self, cpi_store *st, const char *ref, char *id, size_t cap)
{
    cpi_txn *txn;
    cpi_error err = {0};
    cpi_arena arena = {0};
    cpi_lookup l;
    cpi_status s = cpi_store_read_begin(st, &txn, &err);
    if (!s) {
        /* as the export itself, MARAC and POLIT withheld: a name known only there is not confirmed here */
        cpi_lookup_opts lo = {.kind = CPI_KIND_PERSON, .withhold = CPI_SRC_RESTRICTED};
        s = cpi_lookup_run(txn, ref, &lo, &arena, &l, &err);
        cpi_txn_end(txn);
    }
    int rc = -1;
    if (s == CPI_ERR_USAGE)
        rc = cli_usage_error(self, "--child: %s", err.msg);
    else if (s)
        rc = cli_fail(&err);
    else if (l.n == 0) {
        fprintf(stderr, "cpindex export: --child '%s': nothing matches\n", ref);
        rc = EXIT_NOT_FOUND;
    } else if (l.n > 1 || !l.items[0].entity_id) {
        fprintf(stderr, "cpindex export: --child '%s' fits %u %s; give one entity id:\n", ref, l.n + l.more,
                l.n + l.more == 1 ? "mention no entity holds" : "people");
        for (uint32_t i = 0; i < l.n; i++)
            fprintf(stderr, "  %s  %s%s%s\n", l.items[i].entity_id ? l.items[i].entity_id : l.items[i].mention_ref,
                    l.items[i].name ? l.items[i].name : "?", l.items[i].dob ? " born " : "",
                    l.items[i].dob ? l.items[i].dob : "");
        rc = EXIT_USAGE;
    } else {
        snprintf(id, cap, "%s", l.items[0].entity_id);
    }
    cpi_arena_free(&arena);
    return rc;
}

/* FILE for an export: created readable by the owner only (it holds references to children's records). */
static FILE *open_out(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "cpindex export: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

/*
 * `export timeline --child REF`: the child's records as an SVG time line
 * (render/timeline_svg.h). A disclosure like any export: the profile is read
 * in one snapshot (MARAC and POLIT withheld, as every export withholds
 * them), the entry names the child and every record drawn, and is logged
 * before a byte is written.
 */
static int export_timeline(cli_ctx *ctx, const cli_command *self, const char *child, const char *out_path)
{
    if (!child)
        return cli_usage_error(self, "export timeline needs --child REF (whose records)");
    cpi_store *st;
    cpi_grant g;
    int rc = cli_require_user(ctx, "export", NULL, &st, &g);
    if (rc)
        return rc;
    char id[CPI_ENTITY_ID_MAX + 1] = "";
    if ((rc = resolve_child(self, st, child, id, sizeof id)) >= 0) {
        cpi_store_close(st);
        return rc;
    }
    cpi_error err = {0};
    cpi_arena arena = {0};
    cpi_profile p;
    cpi_profile_opts po = {.detail = CPI_DETAIL_FULL, .withhold = CPI_SRC_RESTRICTED};
    po.contact[CPI_SRC_POLIT] = g.contact[0];
    po.contact[CPI_SRC_MARAC] = g.contact[1];
    cpi_txn *txn;
    cpi_status s = cpi_store_read_begin(st, &txn, &err);
    if (!s) {
        s = cpi_profile_build(txn, id, &po, &arena, &p, &err);
        cpi_txn_end(txn);
    }
    if (s) {
        cpi_store_close(st);
        cpi_arena_free(&arena);
        return s == CPI_ERR_USAGE ? cli_usage_error(self, "--child: %s", err.msg) : cli_fail(&err);
    }
    const char **refs = malloc(sizeof *refs * (p.ntimeline ? p.ntimeline : 1));
    if (!refs) {
        cpi_store_close(st);
        cpi_arena_free(&arena);
        fprintf(stderr, "cpindex export: out of memory\n");
        return EXIT_DATA;
    }
    for (uint32_t i = 0; i < p.ntimeline; i++)
        refs[i] = p.timeline[i].ref;
    char count[32], query[2048], selection[64];
    snprintf(count, sizeof count, "%u", p.ntimeline);
    snprintf(selection, sizeof selection, "child %s", id);
    cli_query_text(ctx, query, sizeof query);
    cpi_kv kv[5] = {{"what", "timeline"}, {"to", out_path ? out_path : "standard output"}, {"format", "svg"},
                    {"count", count}, {"selection", selection}};
    const char *ids[1] = {id};
    cpi_audit_entry e = {.kind = CPI_AUDIT_DISCLOSURE, .user = g.user, .reason = g.reason, .command = "export",
                         .query = query, .entities = ids, .nentities = 1, .refs = refs, .nrefs = p.ntimeline,
                         .details = {kv, 5}};
    s = cpi_audit_log(st, &e, &err);
    free(refs);
    cpi_store_close(st);
    if (s) {
        cpi_arena_free(&arena);
        fprintf(stderr, "cpindex export: this disclosure could not be logged, so nothing is written: %s\n", err.msg);
        return cpi_status_exit_code(s == CPI_ERR_USAGE ? CPI_ERR_STORE : s);
    }
    FILE *out = out_path ? open_out(out_path) : stdout;
    if (!out) {
        cpi_arena_free(&arena);
        return EXIT_DATA;
    }
    int bad = cpi_timeline_svg(&p, out) != 0;
    bad |= out != stdout ? fclose(out) != 0 : fflush(out) != 0;
    cpi_arena_free(&arena);
    if (bad) {
        fprintf(stderr, "cpindex export: could not write %s\n", out_path ? out_path : "standard output");
        return EXIT_DATA;
    }
    if (out_path)
        fprintf(stderr, "exported a timeline of %u records to %s\n", p.ntimeline, out_path);
    return EXIT_OK_;
}

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("export");
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                             {"child", required_argument, NULL, 'c'},
                                             {"network", required_argument, NULL, 'n'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"community", required_argument, NULL, 'm'},
                                             {"hops", required_argument, NULL, 'H'},
                                             {"max-nodes", required_argument, NULL, 'N'},
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    const char *out_path = NULL, *child = NULL, *format = NULL;
    uint32_t network = 0, community = 0, hops = 0, max_nodes = 60;
    bool bounded = false; /* --hops or --max-nodes given */
    int opt;
    while ((opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        if (opt == 'o') {
            out_path = optarg;
            continue;
        }
        if (opt == 'c') {
            child = optarg;
            continue;
        }
        if (opt == 'n') {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > INT32_MAX)
                return cli_usage_error(self, "--network takes a network number (from 'cpindex analyse networks')");
            network = (uint32_t)n;
            continue;
        }
        if (opt == 'f') {
            format = optarg;
            continue;
        }
        if (opt == 'm' || opt == 'H' || opt == 'N') {
            char *end;
            long n = strtol(optarg, &end, 10);
            long lo = opt == 'N' ? 0 : 1, hi = opt == 'H' ? 6 : opt == 'N' ? 100000 : INT32_MAX;
            if (*end || !*optarg || n < lo || n > hi)
                return cli_usage_error(self, opt == 'm'   ? "--community takes a community number (from 'cpindex analyse "
                                                            "communities')"
                                             : opt == 'H' ? "--hops takes a number from 1 to 6"
                                                          : "--max-nodes takes a number from 0 (no bound) to 100000");
            *(opt == 'm' ? &community : opt == 'H' ? &hops : &max_nodes) = (uint32_t)n;
            bounded |= opt != 'm';
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (optind >= argc)
        return cli_usage_error(self, "say what to export: entities, graph, links or timeline");
    if (optind + 1 < argc)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
    if (strcmp(argv[optind], "timeline") == 0) {
        if (network || community || format || bounded)
            return cli_usage_error(self, "export timeline takes --child and --out (not the graph's options)");
        return export_timeline(ctx, self, child, out_path);
    }
    export_fn fn = NULL;
    for (size_t i = 0; i < sizeof TABLES / sizeof TABLES[0]; i++)
        if (strcmp(argv[optind], TABLES[i].name) == 0)
            fn = TABLES[i].fn;
    if (!fn)
        return cli_usage_error(self, "'%s' is not something export writes (try: entities, graph, links, timeline)",
                               argv[optind]);
    bool graph = fn == cpi_export_graph;
    cpi_export_graph_opts go = {.format = CPI_GRAPH_GRAPHML, .withhold = CPI_SRC_RESTRICTED, .network = network,
                                .community = community, .hops = hops, .max_nodes = max_nodes};
    if ((child || network || community || format || bounded) && !graph)
        return cli_usage_error(self, "--child, --network, --community, --format, --hops and --max-nodes go with "
                                     "'export graph'");
    if (!!child + !!network + !!community > 1)
        return cli_usage_error(self, "give one of --child, --network and --community");
    if (hops && !child)
        return cli_usage_error(self, "--hops goes with --child (how far from the child to walk)");
    if (bounded && !child && !network && !community)
        return cli_usage_error(self, "--max-nodes bounds a selection: give --child, --network or --community");
    if (format && strcmp(format, "graphml") == 0)
        go.format = CPI_GRAPH_GRAPHML;
    else if (format && strcmp(format, "dot") == 0)
        go.format = CPI_GRAPH_DOT;
    else if (format && strcmp(format, "csv") == 0)
        go.format = CPI_GRAPH_LINKS_CSV;
    else if (format)
        return cli_usage_error(self, "--format takes graphml, dot or csv");

    cpi_error err = {0};
    cpi_store *st;
    cpi_grant g;
    int grc = cli_require_user(ctx, "export", NULL, &st, &g);
    if (grc)
        return grc;
    char child_id[CPI_ENTITY_ID_MAX + 1] = "";
    if (child && (grc = resolve_child(self, st, child, child_id, sizeof child_id)) >= 0) {
        cpi_store_close(st);
        return grc;
    }
    go.child = child ? child_id : NULL;
    /* log the disclosure first: the rows are every mention the store holds, or the selection's entities */
    int64_t mentions = 0;
    cpi_status ls = CPI_OK;
    if (go.child || go.network || go.community) {
        uint64_t nodes = 0;
        ls = cpi_export_graph_count(st, &go, &nodes, &err);
        mentions = (int64_t)nodes;
        if (ls == CPI_NOT_FOUND || ls == CPI_ERR_USAGE) { /* no such network, or not a person: nothing disclosed */
            cpi_store_close(st);
            return ls == CPI_ERR_USAGE ? cli_usage_error(self, "%s", err.msg) : cli_fail(&err);
        }
    } else {
        cpi_txn *t;
        ls = cpi_store_read_begin(st, &t, &err);
        if (!ls) {
            ls = cpi_txn_counter_get(t, "mentions", &mentions, &err);
            cpi_txn_end(t);
        }
    }
    char count[32], query[2048], selection[64] = "all";
    snprintf(count, sizeof count, "%lld", (long long)mentions);
    if (go.child)
        snprintf(selection, sizeof selection, "child %s", go.child);
    else if (go.network)
        snprintf(selection, sizeof selection, "network %u", go.network);
    else if (go.community)
        snprintf(selection, sizeof selection, "community %u", go.community);
    cli_query_text(ctx, query, sizeof query);
    const char *fmt_name = !graph ? "csv" : go.format == CPI_GRAPH_DOT ? "dot" : go.format == CPI_GRAPH_LINKS_CSV ? "csv"
                                                                                                                  : "graphml";
    cpi_kv kv[5] = {{"what", argv[optind]}, {"to", out_path ? out_path : "standard output"}, {"format", fmt_name},
                    {"count", count}, {"selection", selection}};
    const char *ids[1] = {go.child};
    cpi_audit_entry e = {.kind = CPI_AUDIT_DISCLOSURE,
                         .user = g.user,
                         .reason = g.reason,
                         .command = "export",
                         .query = query,
                         .details = {kv, graph ? 5 : 4}};
    if (go.child) {
        e.entities = ids;
        e.nentities = 1;
    }
    if (!ls)
        ls = cpi_audit_log(st, &e, &err);
    if (ls) {
        cpi_store_close(st);
        fprintf(stderr, "cpindex export: this disclosure could not be logged, so nothing is written: %s\n", err.msg);
        return cpi_status_exit_code(ls == CPI_ERR_USAGE ? CPI_ERR_STORE : ls);
    }
    FILE *out = stdout;
    if (out_path && !(out = open_out(out_path))) {
        cpi_store_close(st);
        return EXIT_DATA;
    }
    uint64_t rows = 0;
    cpi_status s = graph ? cpi_export_graph_ex(st, out, &go, &rows, &err) : fn(st, out, &rows, &err);
    cpi_store_close(st);
    if (out != stdout && fclose(out) != 0 && !s)
        s = cpi_error_set(&err, CPI_ERR_IO, "export: could not write %s: %s", out_path, strerror(errno));
    if (s)
        return cli_fail(&err);
    if (out_path)
        fprintf(stderr, "exported %llu rows to %s\n", (unsigned long long)rows, out_path);
    return EXIT_OK_;
}
