/*
 * cmd_analyse.c - `cpindex analyse [VIEW] [--area AREA]`: the analyst's views
 * the graph build computed (graph/analytics.h): networks, hotspots (where
 * missing children are found, where risky adults and children meet), adults
 * (linked to the most children), communities - for the force or one area.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/normalise/normalise.h"
#include "graph/analytics.h"
#include "graph/graphdb.h"
#include "graph/area.h"
#include "render/render.h"
#include "query/same.h"
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

/* One row of a list: an entry, and the entries the resolver left as possibly the same person or place. */
typedef struct row {
    const cpi_aitem *it;
    const cpi_aitem *same[3];
    uint32_t nsame;
} row;

/*
 * The rows of a ranked list: an entry that is a possible match (a review
 * pair, query/same.h) of a better-ranked one is named in that one's row, not
 * given a row of its own, so one person is not counted as two of the most
 * linked adults. Networks and communities name a group, not a person: one row
 * each. Reads the possible-match edges of each entry (one seek each).
 */
static cpi_status fold_rows(cpi_txn *txn, const cpi_aitem *it, uint32_t n, bool groups, uint32_t withhold,
                            cpi_arena *arena, row **out, uint32_t *nrows, cpi_error *err)
{
    row *rows = cpi_arena_alloc(arena, sizeof *rows * (n ? n : 1));
    const char **ids = malloc(sizeof *ids * (n ? n : 1));
    uint32_t *partner = malloc(sizeof *partner * (n ? n : 1)), *rowof = malloc(sizeof *rowof * (n ? n : 1));
    cpi_status s = rows && ids && partner && rowof ? CPI_OK
                                                   : cpi_error_set(err, CPI_ERR_NOMEM, "analyse: out of memory");
    for (uint32_t i = 0; i < n && !s; i++)
        ids[i] = it[i].id[0] ? it[i].id : NULL;
    if (!s && !groups)
        s = cpi_same_partners(txn, ids, n, withhold, arena, partner, NULL, err);
    else
        for (uint32_t i = 0; i < n; i++)
            partner[i] = CPI_SAME_NONE;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && !s; i++) {
        if (partner[i] == CPI_SAME_NONE) {
            rowof[i] = k;
            rows[k++] = (row){.it = &it[i]};
        } else if (rows[rowof[partner[i]]].nsame < 3) {
            row *r = &rows[rowof[partner[i]]];
            r->same[r->nsame++] = &it[i];
        }
    }
    free(ids);
    free(partner);
    free(rowof);
    *out = rows;
    *nrows = s ? 0 : k;
    return s;
}

static void print_list(FILE *f, int width, const row *rows, uint32_t n, size_t v, uint32_t top)
{
    fprintf(f, "\n%s\n", views[v].title);
    if (!n)
        fprintf(f, "  none\n");
    for (uint32_t i = 0; i < n && i < top; i++) {
        const cpi_aitem *it = rows[i].it;
        char d[CPI_NORM_ISO_DATE_MAX] = "";
        if (views[v].list != CPI_ALIST_NETWORKS && views[v].list != CPI_ALIST_COMMUNITIES && it->day != CPI_DAY_NONE)
            cpi_norm_date_iso(it->day, d);
        char line[1024], marks[256] = "";
        if (views[v].list == CPI_ALIST_HOT_FOUND || views[v].list == CPI_ALIST_HOT_MEET) /* a place: say what it is */
            cpi_text_place_marks(it->flags, marks, sizeof marks);
        snprintf(line, sizeof line, "%s%s%s%s%s: %llu %s, %llu %s, %llu %s%s%s", it->name, it->id[0] ? " (" : "",
                 it->id, it->id[0] ? ")" : "", marks, (unsigned long long)it->n1, views[v].n1,
                 (unsigned long long)it->n2, views[v].n2, (unsigned long long)it->n3, views[v].n3,
                 d[0] ? ", last " : "", d);
        char lead[16];
        snprintf(lead, sizeof lead, "  %3u.", i + 1);
        cpi_text_wrap(f, width, lead, 7, line);
        for (uint32_t j = 0; j < rows[i].nsame; j++) {
            const cpi_aitem *o = rows[i].same[j];
            snprintf(line, sizeof line, "possibly the same %s (review): %s (%s): %llu %s on its own",
                     views[v].list == CPI_ALIST_CENTRAL ? "person" : "place", o->name, o->id,
                     (unsigned long long)o->n1, views[v].n1);
            cpi_text_wrap(f, width, "       =", 9, line);
        }
    }
}

static void list_json(cpi_jw *w, const row *rows, uint32_t n, size_t v, uint32_t top)
{
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n && i < top; i++) {
        const cpi_aitem *it = rows[i].it;
        cpi_jw_obj(w);
        cpi_jw_kint(w, "rank", (int)i + 1);
        cpi_jw_kstr(w, "entity_id", it->id[0] ? it->id : NULL);
        cpi_jw_kstr(w, "name", it->name);
        cpi_jw_key(w, "flags");
        cpi_jw_flags(w, it->flags);
        cpi_jw_kint(w, views[v].n1, (long long)it->n1);
        cpi_jw_kint(w, views[v].n2, (long long)it->n2);
        cpi_jw_kint(w, views[v].n3, (long long)it->n3);
        if (views[v].list != CPI_ALIST_NETWORKS && views[v].list != CPI_ALIST_COMMUNITIES) {
            cpi_jw_key(w, "last");
            cpi_jw_date(w, it->day);
            cpi_jw_key(w, "possibly_same");
            cpi_jw_arr(w);
            for (uint32_t j = 0; j < rows[i].nsame; j++) {
                cpi_jw_obj(w);
                cpi_jw_kstr(w, "entity_id", rows[i].same[j]->id);
                cpi_jw_kstr(w, "name", rows[i].same[j]->name);
                cpi_jw_kint(w, views[v].n1, (long long)rows[i].same[j]->n1);
                cpi_jw_kstr(w, "note", "possibly the same person (review)");
                cpi_jw_obj_end(w);
            }
            cpi_jw_arr_end(w);
        }
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
}

/* What the text answer shows, for cli_print_text. */
typedef struct analyse_text {
    const cpi_asummary *sum;
    const char *canon;
    unsigned want;
    uint32_t top;
    row **rows;
    const uint32_t *nrows;
} analyse_text;

/* The summary line, the area note and each view asked for, at the terminal's width. */
static void render_analyse(const void *arg, FILE *f, int width)
{
    const analyse_text *t = arg;
    char d[CPI_NORM_ISO_DATE_MAX] = "?", line[512];
    if (t->sum->as_of != CPI_DAY_NONE)
        cpi_norm_date_iso(t->sum->as_of, d);
    snprintf(line, sizeof line,
             "graph as of %s: %llu entities, %llu links; %llu networks (largest %llu), %llu communities "
             "(modularity %.2f)",
             d, (unsigned long long)t->sum->entities, (unsigned long long)t->sum->edges,
             (unsigned long long)t->sum->components, (unsigned long long)t->sum->largest_component,
             (unsigned long long)t->sum->communities, t->sum->modularity);
    cpi_text_wrap(f, width, "", 2, line);
    if (t->canon) {
        snprintf(line, sizeof line, "area %s: adults and places in it, networks and communities with a member in it "
                                    "(the figures are the whole group's)", t->canon);
        cpi_text_wrap(f, width, "", 2, line);
    }
    for (size_t v = 0; v < NVIEWS; v++)
        if (t->want & (1u << v))
            print_list(f, width, t->rows[v], t->nrows[v], v, t->top);
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
    query_opts q = {0};
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
    row *rows[NVIEWS] = {0};
    uint32_t nrows[NVIEWS] = {0};
    for (size_t v = 0; v < NVIEWS && !s; v++)
        if (want & (1u << v)) {
            s = cpi_analytics_list_area(txn, views[v].list, canon, &arena, &items[v], &counts[v], &err);
            /* the stored lists carry every source's markers: a role without MARAC or POLIT sees none of theirs */
            for (uint32_t i = 0; !s && i < counts[v]; i++)
                items[v][i].flags &= ~cpi_flags_from_sources(items[v][i].flags, q.profile.withhold);
            if (!s)
                s = fold_rows(txn, items[v], counts[v],
                              views[v].list == CPI_ALIST_NETWORKS || views[v].list == CPI_ALIST_COMMUNITIES,
                              q.profile.withhold, &arena, &rows[v], &nrows[v], &err);
        }
    cpi_txn_end(txn);
    if (s) {
        cpi_store_close(st);
        cpi_arena_free(&arena);
        if (s == CPI_ERR_USAGE)
            return cli_usage_error(self, "--area: %s", err.msg);
        return cli_fail(&err);
    }
    cpi_desk_shown sh = {0};
    for (size_t v = 0; v < NVIEWS; v++)
        for (uint32_t i = 0; i < nrows[v] && i < top; i++) {
            if (rows[v][i].it->id[0])
                cpi_desk_shown_id(&sh, rows[v][i].it->id);
            for (uint32_t j = 0; j < rows[v][i].nsame; j++)
                cpi_desk_shown_id(&sh, rows[v][i].same[j]->id);
        }
    if ((rc = shown_log(ctx, st, &g, &sh)) == EXIT_OK_) {
        if (q.json) {
            cpi_jw w;
            cpi_jw_init(&w, 2);
            cpi_jw_obj(&w);
            cpi_jw_key(&w, "as_of");
            cpi_jw_date(&w, sum.as_of);
            cpi_jw_kstr(&w, "area", canon);
            cpi_jw_kint(&w, "entities", (long long)sum.entities);
            cpi_jw_kint(&w, "edges", (long long)sum.edges);
            cpi_jw_kint(&w, "network_count", (long long)sum.components);
            cpi_jw_kint(&w, "largest_network", (long long)sum.largest_component);
            cpi_jw_kint(&w, "community_count", (long long)sum.communities);
            cpi_jw_kreal(&w, "modularity", sum.modularity);
            for (size_t v = 0; v < NVIEWS; v++)
                if (want & (1u << v)) {
                    cpi_jw_key(&w, views[v].view);
                    list_json(&w, rows[v], nrows[v], v, top);
                }
            cpi_jw_obj_end(&w);
            cpi_jw_print(&w, stdout);
            cpi_jw_free(&w);
        } else {
            analyse_text t = {&sum, canon, want, top, rows, nrows};
            rc = cli_print_text(ctx, render_analyse, &t);
        }
    }
    cpi_store_close(st);
    cpi_arena_free(&arena);
    return rc;
}
