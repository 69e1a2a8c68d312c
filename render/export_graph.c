/*
 * export_graph.c - GraphML, DOT and links CSV from the stored graph (see
 * export_graph.h). One snapshot. The whole graph: two cursors, the cards
 * (nodes) and the edges (each written from the end where the relation
 * starts). A selection (render/graph_select.c): its cards, then each
 * member's edges to other members.
 */
#include "render/export_graph.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "render/csvout.h"
#include "core/normalise/normalise.h"
#include "render/graph_select.h"
#include "graph/graphdb.h"
#include "render/render.h"
#include "core/source.h"

#define IOFAIL() cpi_error_set(err, CPI_ERR_IO, "export graph: the output could not be written")


static void flag_list(uint64_t flags, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned f = 0; f < CPI_EF__COUNT && n < cap; f++)
        if (flags & CPI_EF(f))
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ";" : "", cpi_flag_info_get(f)->name);
}

static void source_list(uint32_t mask, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int s = 0; s < CPI_SRC__COUNT && n < cap; s++)
        if (mask & CPI_SRC_BIT(s))
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ";" : "", cpi_src_name((cpi_src)s));
}

static void date(int32_t day, char buf[CPI_NORM_ISO_DATE_MAX])
{
    buf[0] = '\0';
    if (day != CPI_DAY_NONE)
        cpi_norm_date_iso(day, buf);
}

/* DOT (Graphviz) quoted-string text: quote and backslash escaped, a newline as DOT's \n, other control characters dropped. */
static void dot_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n') {
            fputs("\\n", f);
            continue;
        }
        if (c == '"' || c == '\\')
            fputc('\\', f);
        if (c >= 0x20)
            fputc(c, f);
    }
}

/* Whether an entity is visible at all: something about it comes from an open source. */
static bool node_visible(const cpi_card *c, uint32_t withhold) { return (c->sources & ~withhold) != 0; }

/* How a node looks on a chart: its risk (cpi_graph_risk) as a fill colour, its kind as a shape. */
static const char *const risk_name[] = {"none", "low", "medium", "high"};
static const char *const risk_fill[] = {"#e0e0e0", "#ffe28a", "#fc8d59", "#d7301f"};
static const char *const kind_shape[] = {"box", "ellipse", "house", "diamond", "hexagon"};
#define SUBJECT_FILL "#2b83ba"

/*
 * A DOT label: the name on up to three lines of about 22 characters (a long
 * address would otherwise make one wide node), then the id.
 */
static void dot_label(FILE *f, const char *name, const char *id)
{
    int col = 0, lines = 1;
    for (const char *p = name; p && *p; p++) {
        if (*p == ' ' && col >= 18) {
            if (lines == 3) { /* the rest would be a fourth line: cut */
                fputs("...", f);
                break;
            }
            fputs("\\n", f);
            col = 0;
            lines++;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            fputc('\\', f);
        if (c >= 0x20)
            fputc(c, f);
        col += (c & 0xC0) != 0x80;
    }
    fprintf(f, "\\n%s", id);
}

/* One node in the chosen format (CSV has no node rows: its rows are links, each naming both ends). */
static void emit_node(FILE *f, const cpi_export_graph_opts *o, const cpi_card *card, int hop, uint64_t *rows)
{
    char flags[1024];
    uint64_t vis = cpi_flags_from_sources(card->flags, ~o->withhold);
    flag_list(vis, flags, sizeof flags);
    int risk = cpi_graph_risk(card->kind, vis);
    bool subject = o->child && strcmp(card->id, o->child) == 0;
    const char *shape = kind_shape[card->kind <= CPI_KIND_ONLINE ? card->kind : 0];
    const char *fill = subject ? SUBJECT_FILL : risk_fill[risk];
    if (o->format == CPI_GRAPH_GRAPHML) {
        fprintf(f, "    <node id=\"%s\"><data key=\"kind\">%s</data><data key=\"name\">", card->id,
                cpi_kind_name(card->kind));
        cpi_xml_text(f, card->name);
        fprintf(f, "</data><data key=\"dob\">%s</data><data key=\"postcode\">%s</data>"
                   "<data key=\"flags\">%s</data><data key=\"network\">%u</data><data key=\"community\">%u</data>"
                   "<data key=\"risk\">%s</data><data key=\"colour\">%s</data><data key=\"shape\">%s</data>"
                   "<data key=\"subject\">%s</data><data key=\"hop\">%d</data></node>\n",
                card->dob ? card->dob : "", card->postcode ? card->postcode : "", flags, card->component,
                card->community, risk_name[risk], fill, shape, subject ? "true" : "false", hop);
    } else if (o->format == CPI_GRAPH_DOT) {
        fprintf(f, "  \"%s\" [shape=%s, style=\"filled%s\", fillcolor=\"%s\"%s, label=\"", card->id, shape,
                subject ? ",bold" : "", fill,
                subject ? ", peripheries=2, penwidth=3, fontsize=14, fontcolor=\"white\""
                : risk == 3 ? ", fontcolor=\"white\"" : "");
        dot_label(f, card->name, card->id);
        fprintf(f, "\", kind=\"%s\", risk=\"%s\", hop=%d, dob=\"%s\", postcode=\"%s\", flags=\"%s\", network=%u, "
                   "community=%u];\n",
                cpi_kind_name(card->kind), risk_name[risk], hop, card->dob ? card->dob : "",
                card->postcode ? card->postcode : "", flags, card->component, card->community);
    } else {
        return;
    }
    (*rows)++;
}

/* An edge's DOT style on a chart: red and heavy for risk to a child, orange for where children were found. */
static const char *edge_style(const char *type)
{
    static const char *const red[] = {"poses-risk-to", "cawn-served", "suspect-in", "offender-in", "suspect-against",
                                      "abuses", "exploits"};
    for (size_t i = 0; i < sizeof red / sizeof red[0]; i++)
        if (strcmp(type, red[i]) == 0)
            return "color=\"#b2182b\", penwidth=1.8";
    if (strcmp(type, "found-at") == 0 || strcmp(type, "frequents") == 0 || strcmp(type, "missing-from") == 0)
        return "color=\"#e08214\", penwidth=1.4";
    return "color=\"#8c8c8c\"";
}

/* One edge (read from its `from` end, e->out) in the chosen format, visible part only. */
static cpi_status emit_edge(cpi_txn *txn, FILE *f, const cpi_export_graph_opts *o, const char *from,
                            const cpi_edge *e, uint64_t *n, cpi_arena *a, uint64_t *rows, cpi_error *err)
{
    uint32_t vis = e->sources & ~o->withhold;
    char first[CPI_NORM_ISO_DATE_MAX], last[CPI_NORM_ISO_DATE_MAX], src[128], refs[CPI_EDGE_REFS_MAX * 90];
    date(e->first, first);
    date(e->last, last);
    source_list(vis, src, sizeof src);
    size_t rn = 0;
    refs[0] = '\0';
    for (uint32_t r = 0; r < e->nrefs && rn < sizeof refs; r++)
        if (vis & CPI_SRC_BIT(cpi_src_of_ref(e->refs[r])))
            rn += (size_t)snprintf(refs + rn, sizeof refs - rn, "%s%s", rn ? ";" : "", e->refs[r]);
    if (o->format == CPI_GRAPH_GRAPHML) {
        fprintf(f, "    <edge id=\"e%llu\" source=\"%s\" target=\"%s\"><data key=\"type\">", (unsigned long long)++*n,
                from, e->other);
        cpi_xml_text(f, e->type);
        fprintf(f, "</data><data key=\"first\">%s</data><data key=\"last\">%s</data><data key=\"records\">%u</data>"
                   "<data key=\"sources\">%s</data><data key=\"refs\">",
                first, last, e->count, src);
        cpi_xml_text(f, refs);
        fputs("</data></edge>\n", f);
    } else if (o->format == CPI_GRAPH_DOT) {
        fprintf(f, "  \"%s\" -> \"%s\" [%s, label=\"", from, e->other, edge_style(e->type));
        dot_text(f, e->type);
        fprintf(f, "\", first=\"%s\", last=\"%s\", records=%u, sources=\"%s\", refs=\"", first, last, e->count, src);
        dot_text(f, refs);
        fputs("\"];\n", f);
    } else {
        cpi_card fc, tc;
        cpi_error e2 = {0};
        bool hf = cpi_card_get(txn, from, a, &fc, &e2) == CPI_OK, ht = cpi_card_get(txn, e->other, a, &tc, &e2) == CPI_OK;
        char records[16];
        snprintf(records, sizeof records, "%u", e->count);
        const char *row[] = {from, hf ? cpi_kind_name(fc.kind) : "", hf ? fc.name : "", e->type, e->other,
                             ht ? cpi_kind_name(tc.kind) : "", ht ? tc.name : "", first, last, records, src, refs};
        if (cpi_csv_write_row(f, row, sizeof row / sizeof row[0]))
            return IOFAIL();
    }
    (*rows)++;
    return CPI_OK;
}

typedef struct node_walk {
    FILE *f;
    const cpi_export_graph_opts *o;
    uint64_t *rows;
} node_walk;

static cpi_status node_one(const cpi_card *card, void *ctx, cpi_error *err)
{
    (void)err;
    const node_walk *w = ctx;
    if (node_visible(card, w->o->withhold))
        emit_node(w->f, w->o, card, -1, w->rows);
    return CPI_OK;
}

static cpi_status nodes(cpi_txn *txn, FILE *f, const cpi_export_graph_opts *o, uint64_t *rows, cpi_error *err)
{
    node_walk w = {f, o, rows};
    return cpi_cards_each(txn, node_one, &w, err);
}

/* Every edge once (from its `out` end), visible part only; `kind`/`name` of the ends from their cards. */
static cpi_status edges(cpi_txn *txn, FILE *f, const cpi_export_graph_opts *o, uint64_t *rows, cpi_error *err)
{
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_EDGES, &c, err);
    if (s)
        return s;
    cpi_arena a = {0};
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    uint64_t n = 0;
    for (; !s && cs == CPI_OK; cs = cpi_cursor_next(c, &k, &v, err)) {
        char from[CPI_ENTITY_ID_MAX];
        if (k.len >= sizeof from)
            continue;
        memcpy(from, k.data, k.len);
        from[k.len] = '\0';
        cpi_edge e;
        cpi_arena_reset(&a);
        if ((s = cpi_edge_decode(from, v.data, v.len, &a, &e, err)))
            break;
        if (e.out && (e.sources & ~o->withhold))
            s = emit_edge(txn, f, o, from, &e, &n, &a, rows, err);
    }
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    cpi_arena_free(&a);
    cpi_cursor_close(c);
    return s;
}

/* A selection's nodes, then the edges between them (each once, from its `out` end; possible matches left out). */
static cpi_status selected(cpi_txn *txn, FILE *f, const cpi_export_graph_opts *o, const cpi_intern *set,
                           const char **ids, const cpi_graph_sel_info *info, uint64_t *rows, cpi_error *err)
{
    cpi_arena a = {0};
    cpi_status s = CPI_OK;
    for (uint32_t i = 0; i < set->count && !s; i++) {
        cpi_card card;
        cpi_arena_reset(&a);
        int hop = info->hop[cpi_intern_find(set, ids[i], strlen(ids[i]))];
        if (!(s = cpi_card_get(txn, ids[i], &a, &card, err)) && node_visible(&card, o->withhold))
            emit_node(f, o, &card, hop, rows);
    }
    uint64_t n = 0;
    for (uint32_t i = 0; i < set->count && !s; i++) {
        cpi_edge *es;
        uint32_t ne, total;
        cpi_arena_reset(&a);
        s = cpi_graph_edges(txn, ids[i], UINT32_MAX, &a, &es, &ne, &total, err);
        for (uint32_t j = 0; j < ne && !s; j++)
            if (es[j].out && (es[j].sources & ~o->withhold) && strcmp(es[j].type, "possible-match") != 0 &&
                cpi_intern_find(set, es[j].other, strlen(es[j].other)) != CPI_INTERN_NONE)
                s = emit_edge(txn, f, o, ids[i], &es[j], &n, &a, rows, err);
    }
    cpi_arena_free(&a);
    return s;
}

/* What a chart shows, for its title: whose or which group, and how many of how many entities. */
static void chart_title(cpi_txn *txn, const cpi_export_graph_opts *o, uint32_t shown, uint32_t total, char *buf,
                        size_t cap)
{
    size_t n;
    if (o->child) {
        cpi_arena a = {0};
        cpi_card c;
        cpi_error e = {0};
        bool have = cpi_card_get(txn, o->child, &a, &c, &e) == CPI_OK;
        n = (size_t)snprintf(buf, cap, "%s %s: %u of %u entities within %u hops", o->child,
                             have && c.name ? c.name : "", shown, total, o->hops ? o->hops : 2);
        cpi_arena_free(&a);
    } else {
        n = (size_t)snprintf(buf, cap, "%s %u: %u of %u entities", o->network ? "network" : "community",
                             o->network ? o->network : o->community, shown, total);
    }
    if (shown < total && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "\n(%s; --max-nodes for more)",
                              o->child ? "the nearest to the child, highest risk first" : "the highest risk");
    if (n < cap)
        snprintf(buf + n, cap - n, "\nred: poses a risk, trap house, place of concern, deal line - orange: child at "
                                   "risk, place children were found\nyellow: other child - grey: other%s",
                 o->child ? " - blue: the child" : "");
}

/*
 * The DOT graph's attributes. A chart of one child is laid out radially
 * from the child (twopi: each hop a ring), a group by springs (neato): the
 * hierarchical default put a neighbourhood's dozens of entities in one rank,
 * a 32767-pixel strip. size caps the drawing at a readable 16 inches.
 */
static void dot_header(FILE *f, const cpi_export_graph_opts *o, const char *title)
{
    fputs("digraph cpindex {\n", f);
    if (o->child) {
        fprintf(f, "  graph [layout=twopi, root=\"%s\", ranksep=\"2.2 1.6\", overlap=false, "
                   "size=\"16,16\", outputorder=edgesfirst, fontname=\"Helvetica\", labelloc=t, fontsize=18, "
                   "label=\"",
                o->child);
    } else if (o->network || o->community) {
        fputs("  graph [layout=neato, overlap=false, sep=\"+8\", size=\"16,16\", "
              "outputorder=edgesfirst, fontname=\"Helvetica\", labelloc=t, fontsize=18, label=\"",
              f);
    } else {
        fputs("  graph [overlap=false];\n  node [fontsize=10];\n  edge [fontsize=8];\n", f);
        return;
    }
    dot_text(f, title);
    fputs("\"];\n  node [fontsize=10, fontname=\"Helvetica\", margin=\"0.06,0.03\"];\n"
          "  edge [fontsize=7, fontname=\"Helvetica\", arrowsize=0.6, fontcolor=\"#555555\"];\n",
          f);
}

static cpi_status have_graph(cpi_txn *txn, cpi_error *err)
{
    char key[8];
    size_t klen = cpi_card_key("", key, sizeof key);
    cpi_cursor *c;
    cpi_slice k, v;
    bool any = false;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_ANALYTICS, &c, err);
    if (!s) {
        any = cpi_cursor_seek(c, key, klen, &k, &v, err) == CPI_OK && k.len > klen && memcmp(k.data, key, klen) == 0;
        cpi_cursor_close(c);
    }
    if (!s && !any)
        s = cpi_error_set(err, CPI_NOT_FOUND, "export graph: no graph in this store yet; run 'cpindex resolve'");
    return s;
}

cpi_status cpi_export_graph_count(cpi_store *st, const cpi_export_graph_opts *opts, uint64_t *nodes_out,
                                  cpi_error *err)
{
    *nodes_out = 0;
    if (!opts || (!opts->child && !opts->network && !opts->community))
        return cpi_error_set(err, CPI_ERR_USAGE, "export graph: count a selection (--child, --network or "
                                                 "--community) only");
    cpi_txn *txn;
    cpi_status s = cpi_store_read_begin(st, &txn, err);
    if (s)
        return s;
    cpi_intern set = {0};
    const char **ids = NULL;
    cpi_graph_sel_info info = {0};
    if (!(s = have_graph(txn, err)) && !(s = cpi_graph_select(txn, opts, &set, &ids, &info, err)))
        *nodes_out = set.count;
    free(info.hop);
    free(ids);
    cpi_intern_free(&set);
    cpi_txn_end(txn);
    return s;
}

cpi_status cpi_export_graph_ex(cpi_store *st, FILE *out, const cpi_export_graph_opts *opts, uint64_t *rows,
                               cpi_error *err)
{
    cpi_export_graph_opts o = opts ? *opts : (cpi_export_graph_opts){.withhold = CPI_SRC_RESTRICTED};
    uint64_t local = 0;
    if (!rows)
        rows = &local;
    *rows = 0;
    cpi_txn *txn;
    cpi_status s = cpi_store_read_begin(st, &txn, err);
    if (s)
        return s;
    cpi_intern set = {0};
    const char **ids = NULL;
    cpi_graph_sel_info info = {0};
    bool sel = o.child || o.network || o.community;
    s = have_graph(txn, err);
    if (!s && sel) /* select first: a missing child or network is an error before a byte is written */
        s = cpi_graph_select(txn, &o, &set, &ids, &info, err);
    char title[512] = "";
    if (!s && sel)
        chart_title(txn, &o, set.count, info.total, title, sizeof title);
    if (!s && o.format == CPI_GRAPH_GRAPHML) {
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n", out);
        static const char *const nkeys[] = {"kind", "name",  "dob",    "postcode", "flags",   "network",
                                            "community", "risk", "colour", "shape",    "subject", "hop"};
        static const char *const ntypes[] = {"string", "string", "string", "string", "string",  "int",
                                             "int",    "string", "string", "string", "boolean", "int"};
        static const char *const ekeys[] = {"type", "first", "last", "records", "sources", "refs"};
        for (size_t i = 0; i < sizeof nkeys / sizeof nkeys[0]; i++)
            fprintf(out, "  <key id=\"%s\" for=\"node\" attr.name=\"%s\" attr.type=\"%s\"/>\n", nkeys[i], nkeys[i],
                    ntypes[i]);
        for (size_t i = 0; i < sizeof ekeys / sizeof ekeys[0]; i++)
            fprintf(out, "  <key id=\"%s\" for=\"edge\" attr.name=\"%s\" attr.type=\"%s\"/>\n", ekeys[i], ekeys[i],
                    i == 3 ? "int" : "string");
        fputs("  <key id=\"description\" for=\"graph\" attr.name=\"description\" attr.type=\"string\"/>\n"
              "  <graph id=\"cpindex\" edgedefault=\"directed\">\n", out);
        if (title[0]) {
            fputs("    <data key=\"description\">", out);
            cpi_xml_text(out, title);
            fputs("</data>\n", out);
        }
    } else if (!s && o.format == CPI_GRAPH_DOT) {
        dot_header(out, &o, title);
    } else if (!s) {
        static const char *const header[] = {"from_id", "from_kind", "from_name", "type", "to_id", "to_kind", "to_name",
                                             "first", "last", "records", "sources", "refs"};
        if (cpi_csv_write_row(out, header, sizeof header / sizeof header[0]))
            s = IOFAIL();
    }
    if (!s && sel)
        s = selected(txn, out, &o, &set, ids, &info, rows, err);
    else if (!s) {
        s = nodes(txn, out, &o, rows, err);
        if (!s)
            s = edges(txn, out, &o, rows, err);
    }
    if (!s && o.format == CPI_GRAPH_GRAPHML)
        fputs("  </graph>\n</graphml>\n", out);
    else if (!s && o.format == CPI_GRAPH_DOT)
        fputs("}\n", out);
    free(info.hop);
    free(ids);
    cpi_intern_free(&set);
    cpi_txn_end(txn);
    if (!s && (fflush(out) != 0 || ferror(out)))
        s = IOFAIL();
    return s;
}

cpi_status cpi_export_graph(cpi_store *st, FILE *out, uint64_t *rows, cpi_error *err)
{
    cpi_export_graph_opts o = {.format = CPI_GRAPH_GRAPHML, .withhold = CPI_SRC_RESTRICTED};
    return cpi_export_graph_ex(st, out, &o, rows, err);
}

cpi_status cpi_export_links(cpi_store *st, FILE *out, uint64_t *rows, cpi_error *err)
{
    cpi_export_graph_opts o = {.format = CPI_GRAPH_LINKS_CSV, .withhold = CPI_SRC_RESTRICTED};
    return cpi_export_graph_ex(st, out, &o, rows, err);
}
