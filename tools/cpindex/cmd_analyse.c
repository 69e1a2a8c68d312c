/*
 * cmd_analyse.c - `cpindex analyse [VIEW] [--area AREA]`: the analyst's views
 * the graph build computed (query/analytics.h): networks, hotspots (where
 * missing children are found, where risky adults and children meet), adults
 * (linked to the most children), communities - for the force or one area.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/normalise.h"
#include "query/analytics.h"
#include "query/area.h"
#include "query/render.h"
#include "query_cli.h"

static const struct {
    const char *view;
    cpi_alist list;
    const char *title, *n1, *n2, *n3;
} views[] = {
    {"central", CPI_ALIST_CENTRAL, "ADULTS LINKED TO THE MOST CHILDREN (directly or through places and phones)",
     "children", "links", "risky"},
    {"found", CPI_ALIST_HOT_FOUND, "WHERE MISSING CHILDREN ARE FOUND", "children", "most times one child",
     "records"},
    {"meet", CPI_ALIST_HOT_MEET, "WHERE RISKY ADULTS AND CHILDREN MEET", "children", "risky adults", "score"},
    {"networks", CPI_ALIST_NETWORKS, "CONNECTED NETWORKS (largest first)", "members", "children", "risky adults"},
    {"communities", CPI_ALIST_COMMUNITIES, "COMMUNITIES (Louvain, largest first)", "members", "children",
     "risky adults"},
};
#define NVIEWS (sizeof views / sizeof views[0])

/* What a user may name: the names first, the first names kept as aliases. Bits index views[]. */
static const struct {
    const char *name;
    unsigned lists;
} names[] = {
    {"networks", 1u << 3}, {"hotspots", 1u << 1 | 1u << 2}, {"adults", 1u << 0}, {"communities", 1u << 4},
    {"central", 1u << 0},  {"found", 1u << 1},              {"meet", 1u << 2},
};

static void print_list(const cpi_aitem *it, uint32_t n, size_t v, uint32_t top)
{
    printf("\n%s\n", views[v].title);
    if (!n)
        printf("  none\n");
    for (uint32_t i = 0; i < n && i < top; i++) {
        char d[CPI_NORM_ISO_DATE_MAX] = "";
        if (views[v].list != CPI_ALIST_NETWORKS && views[v].list != CPI_ALIST_COMMUNITIES && it[i].day != CPI_DAY_NONE)
            cpi_norm_date_iso(it[i].day, d);
        char line[1024];
        snprintf(line, sizeof line, "%s%s%s%s: %llu %s, %llu %s, %llu %s%s%s", it[i].name, it[i].id[0] ? " (" : "",
                 it[i].id, it[i].id[0] ? ")" : "", (unsigned long long)it[i].n1, views[v].n1,
                 (unsigned long long)it[i].n2, views[v].n2, (unsigned long long)it[i].n3, views[v].n3,
                 d[0] ? ", last " : "", d);
        char lead[16];
        snprintf(lead, sizeof lead, "  %3u.", i + 1);
        cpi_text_wrap(stdout, 100, lead, 7, line);
    }
}

static json_t *list_json(const cpi_aitem *it, uint32_t n, size_t v, uint32_t top)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n && i < top; i++) {
        json_t *o = json_pack("{s:i, s:o, s:s, s:o}", "rank", (int)i + 1, "entity_id",
                              it[i].id[0] ? json_string(it[i].id) : json_null(), "name", it[i].name, "flags",
                              cpi_json_flags(it[i].flags));
        json_object_set_new(o, views[v].n1, json_integer((json_int_t)it[i].n1));
        json_object_set_new(o, views[v].n2, json_integer((json_int_t)it[i].n2));
        json_object_set_new(o, views[v].n3, json_integer((json_int_t)it[i].n3));
        if (views[v].list != CPI_ALIST_NETWORKS && views[v].list != CPI_ALIST_COMMUNITIES)
            json_object_set_new(o, "last", cpi_json_date(it[i].day));
        json_array_append_new(a, o);
    }
    return a;
}

int cmd_analyse(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("analyse");
    static const struct option longopts[] = {{"top", required_argument, NULL, QOPT_TOP},
                                             {"area", required_argument, NULL, 'a'},
                                             QUERY_LONGOPTS,
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    const char *area = NULL;
    query_opts q = {.width = 100};
    uint32_t top = 10;
    int opt, rc;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == QOPT_TOP) {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > CPI_ANALYTICS_TOP)
                return cli_usage_error(self, "--top takes a number from 1 to %d", CPI_ANALYTICS_TOP);
            top = (uint32_t)n;
        } else if (opt == 'a') {
            if (!*optarg)
                return cli_usage_error(self, "--area takes a local authority or policing area (e.g. Newport, EAST)");
            area = optarg;
        } else if ((rc = opt >= QOPT_JSON && opt <= QOPT_NAME ? query_opt(self, &q, opt, optarg)
                                                               : cli_common_opt(ctx, self, opt, optarg)) >= 0) {
            return rc;
        }
    }
    unsigned want = (1u << NVIEWS) - 1;
    if (optind < argc) {
        want = 0;
        for (size_t v = 0; v < sizeof names / sizeof names[0]; v++)
            if (strcmp(argv[optind], names[v].name) == 0)
                want = names[v].lists;
        if (!want)
            return cli_usage_error(self, "'%s' is not a view: networks, hotspots, adults or communities (or central, "
                                   "found, meet)", argv[optind]);
        if (optind + 1 < argc)
            return cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
    }
    if (q.name) /* query_opt takes --name for every query command; only a lookup has a QUERY to give */
        return cli_usage_error(self, "--name is for the commands that look someone up (child, person, address, "
                                     "missing)");
    cpi_store *st;
    cpi_grant g;
    cpi_txn *txn;
    if ((rc = query_authorise(ctx, "analyse", &q, &st, &g)) >= 0 || (rc = query_snapshot(st, &txn)) >= 0)
        return rc;
    cpi_error err = {0};
    cpi_arena arena = {0};
    cpi_asummary sum;
    cpi_aitem *items[NVIEWS] = {0};
    uint32_t counts[NVIEWS] = {0};
    const char *canon = NULL;
    cpi_status s = cpi_analytics_summary(txn, &sum, &err);
    if (!s && area)
        s = cpi_area_find(txn, area, &arena, &canon, NULL, &err);
    for (size_t v = 0; v < NVIEWS && !s; v++)
        if (want & (1u << v))
            s = cpi_analytics_list_area(txn, views[v].list, canon, &arena, &items[v], &counts[v], &err);
    cpi_txn_end(txn);
    if (s) {
        cpi_store_close(st);
        cpi_arena_free(&arena);
        if (s == CPI_ERR_USAGE)
            return cli_usage_error(self, "--area: %s", err.msg);
        return cli_fail(&err);
    }
    shown sh = {0};
    for (size_t v = 0; v < NVIEWS; v++)
        for (uint32_t i = 0; i < counts[v] && i < top; i++)
            if (items[v][i].id[0])
                shown_id(&sh, items[v][i].id);
    if ((rc = shown_log(ctx, st, &g, &sh)) == EXIT_OK_) {
        if (q.json) {
            json_t *o = json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:f}", "as_of", cpi_json_date(sum.as_of), "area",
                                  cpi_json_str(canon), "entities",
                                  (json_int_t)sum.entities, "edges", (json_int_t)sum.edges, "network_count",
                                  (json_int_t)sum.components, "largest_network", (json_int_t)sum.largest_component,
                                  "community_count", (json_int_t)sum.communities, "modularity", sum.modularity);
            for (size_t v = 0; v < NVIEWS; v++)
                if (want & (1u << v))
                    json_object_set_new(o, views[v].view, list_json(items[v], counts[v], v, top));
            query_print_json(o);
        } else {
            char d[CPI_NORM_ISO_DATE_MAX] = "?";
            if (sum.as_of != CPI_DAY_NONE)
                cpi_norm_date_iso(sum.as_of, d);
            printf("graph as of %s: %llu entities, %llu links; %llu networks (largest %llu), %llu communities "
                   "(modularity %.2f)\n",
                   d, (unsigned long long)sum.entities, (unsigned long long)sum.edges,
                   (unsigned long long)sum.components, (unsigned long long)sum.largest_component,
                   (unsigned long long)sum.communities, sum.modularity);
            if (canon)
                printf("area %s: adults and places in it, networks and communities with a member in it (the figures "
                       "are the whole group's)\n", canon);
            for (size_t v = 0; v < NVIEWS; v++)
                if (want & (1u << v))
                    print_list(items[v], counts[v], v, top);
        }
    }
    cpi_store_close(st);
    cpi_arena_free(&arena);
    return rc;
}
