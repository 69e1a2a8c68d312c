/*
 * graph_select.c - the part of the stored graph a link chart is drawn from:
 * one child's neighbourhood, or one network (render/export_graph.h says what
 * each holds). Reads cards and edge cursors only; the child's neighbourhood
 * costs the child's edges and one cursor per neighbour walked, a network one
 * pass over the cards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/analytics.h"
#include "render/graph_select.h"
#include "core/sort.h"
#include "graph/graphdb.h"
#include "core/intern.h"
#include "core/source.h"

#define NOMEM() cpi_error_set(err, CPI_ERR_NOMEM, "export graph: out of memory")

/* Edges that are no link in the world (the resolver's possible matches) join nothing here. */
static bool linking(const cpi_edge *e, uint32_t withhold)
{
    return (e->sources & ~withhold) && strcmp(e->type, "possible-match") != 0;
}

/* Whether the walk goes on from a neighbour: risky people, places of concern, phones, online ids. */
static bool walk_from(const cpi_edge *e, uint32_t withhold)
{
    uint64_t f = cpi_flags_from_sources(e->other_flags, ~withhold);
    switch (cpi_entity_id_kind(e->other)) {
    case CPI_KIND_PERSON:
        return cpi_flags_risky(f);
    case CPI_KIND_LOCATION:
        return !(f & CPI_EF(CPI_EF_SCHOOL)) &&
               ((f & CPI_EF_PLACE_RISK) || strcmp(e->type, "found-at") == 0 || strcmp(e->type, "frequents") == 0 ||
                strcmp(e->type, "victim-in") == 0);
    case CPI_KIND_PHONE:
    case CPI_KIND_ONLINE:
        return true;
    }
    return false;
}

int cpi_graph_risk(cpi_kind kind, uint64_t f)
{
    switch (kind) {
    case CPI_KIND_PERSON:
        if (cpi_flags_risky(f))
            return 3;
        if (f & (CPI_EF(CPI_EF_CPP) | CPI_EF(CPI_EF_CSE_RISK) | CPI_EF(CPI_EF_CCE_RISK) | CPI_EF(CPI_EF_MISSING) |
                 CPI_EF(CPI_EF_REPEAT_MISSING) | CPI_EF(CPI_EF_MACE_CHILD) | CPI_EF(CPI_EF_SOC_CHILD) |
                 CPI_EF(CPI_EF_MARAC_CHILD) | CPI_EF(CPI_EF_POLIT_CHILD) | CPI_EF(CPI_EF_PPN)))
            return 2;
        return (f & CPI_EF(CPI_EF_CHILD)) ? 1 : 0;
    case CPI_KIND_LOCATION:
        if (f & (CPI_EF(CPI_EF_CUCKOOED) | CPI_EF(CPI_EF_TRAP_HOUSE) | CPI_EF(CPI_EF_PLACE_OF_CONCERN) |
                 CPI_EF(CPI_EF_OCG_ADDRESS)))
            return 3;
        return (f & (CPI_EF(CPI_EF_FOUND_AT) | CPI_EF(CPI_EF_MARAC_ADDRESS) | CPI_EF(CPI_EF_POLIT_ADDRESS))) ? 2 : 0;
    case CPI_KIND_PHONE:
    case CPI_KIND_ONLINE:
        return (f & CPI_EF(CPI_EF_DEAL_LINE)) ? 3 : (f & CPI_EF(CPI_EF_RISK_PHONE)) ? 2 : 0;
    }
    return 0;
}

/* Every entity a selection reaches, with what bounding it needs: how far, through whom, how risky. */
typedef struct reach {
    cpi_intern set;
    uint8_t *hop;
    uint32_t *parent; /* the set number it was reached from (itself for the child) */
    int *risk;        /* cpi_graph_risk of its visible flags */
    uint64_t *flags;  /* its visible flags */
    uint32_t cap;
} reach;

/*
 * Add id at hop from parent (UINT32_MAX: the walk's start) unless reached
 * already: the first, shortest, walk is the one a bounded chart keeps.
 */
static cpi_status add(reach *r, const char *id, uint8_t hop, uint32_t parent, uint64_t flags, cpi_error *err)
{
    uint32_t x;
    int added = 0;
    if (cpi_intern_add(&r->set, id, strlen(id), &x, &added))
        return NOMEM();
    if (!added)
        return CPI_OK; /* reached before, by as short a walk or shorter: breadth first */
    if (x >= r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 256;
        uint8_t *h = realloc(r->hop, cap);
        if (h)
            r->hop = h;
        uint32_t *p = realloc(r->parent, sizeof *p * cap);
        if (p)
            r->parent = p;
        int *k = realloc(r->risk, sizeof *k * cap);
        if (k)
            r->risk = k;
        uint64_t *f = realloc(r->flags, sizeof *f * cap);
        if (f)
            r->flags = f;
        if (!h || !p || !k || !f)
            return NOMEM();
        r->cap = cap;
    }
    r->hop[x] = hop;
    r->parent[x] = parent == UINT32_MAX ? x : parent;
    r->flags[x] = flags;
    r->risk[x] = cpi_graph_risk(cpi_entity_id_kind(id), flags);
    return CPI_OK;
}

/* Free what a walk reached (the kept ids were copied into the caller's set). */
static void reach_free(reach *r)
{
    cpi_intern_free(&r->set);
    free(r->hop);
    free(r->parent);
    free(r->risk);
    free(r->flags);
}

/*
 * The child, every entity linked to them (hop 1), then hop by hop the
 * children and risky people around the risky people, places of concern,
 * phones and ids reached - as a profile finds connected children, so a
 * chart shows what the profile says.
 */
static cpi_status neighbourhood(cpi_txn *txn, const char *child, uint32_t hops, uint32_t withhold, reach *r,
                                cpi_error *err)
{
    cpi_arena a = {0};
    cpi_card card;
    cpi_status s = cpi_card_get(txn, child, &a, &card, err);
    if (!s && card.kind != CPI_KIND_PERSON)
        s = cpi_error_set(err, CPI_ERR_USAGE, "export graph --child: %s is not a person", child);
    if (!s && !(card.sources & ~withhold))
        s = cpi_error_set(err, CPI_NOT_FOUND, "export graph --child: %s is known only to sources an export "
                                              "withholds", child);
    if (!s)
        s = add(r, child, 0, UINT32_MAX, cpi_flags_from_sources(card.flags, ~withhold), err);
    cpi_edge *es = NULL;
    uint32_t n = 0, total;
    if (!s)
        s = cpi_graph_edges_light(txn, child, NULL, UINT32_MAX, &a, &es, &n, &total, err);
    /* the walk goes on from the neighbours walk_from allows: their numbers, hop by hop */
    uint32_t *frontier = NULL, nf = 0, capf = 0;
    for (uint32_t i = 0; i < n && !s; i++) {
        if (!linking(&es[i], withhold))
            continue;
        uint32_t before = r->set.count;
        s = add(r, es[i].other, 1, 0, cpi_flags_from_sources(es[i].other_flags, ~withhold), err);
        if (!s && r->set.count > before && walk_from(&es[i], withhold)) {
            if (nf == capf) {
                capf = capf ? capf * 2 : 64;
                uint32_t *g = realloc(frontier, sizeof *g * capf);
                if (!g) {
                    s = NOMEM();
                    break;
                }
                frontier = g;
            }
            frontier[nf++] = before;
        }
    }
    /* each hop beyond, as the profile's connected children: the children and risky people around them */
    cpi_arena b = {0};
    for (uint32_t hop = 2; hop <= hops && nf && !s; hop++) {
        uint32_t *next = NULL, nn = 0, capn = 0;
        for (uint32_t k = 0; k < nf && !s; k++) {
            const char *from = r->set.strs[frontier[k]];
            cpi_edge *fs;
            uint32_t m, mt;
            cpi_arena_reset(&b);
            s = cpi_graph_edges_light(txn, from, NULL, CPI_ANALYTICS_HUB + 1, &b, &fs, &m, &mt, err);
            if (s || mt > CPI_ANALYTICS_HUB) /* a hub (a station, a busy phone) links everyone: not followed */
                continue;
            for (uint32_t j = 0; j < m && !s; j++) {
                uint64_t f = cpi_flags_from_sources(fs[j].other_flags, ~withhold);
                if (!linking(&fs[j], withhold) || strcmp(fs[j].type, "attends-school") == 0 ||
                    cpi_entity_id_kind(fs[j].other) != CPI_KIND_PERSON ||
                    !((f & CPI_EF(CPI_EF_CHILD)) || cpi_flags_risky(f)))
                    continue;
                uint32_t before = r->set.count;
                s = add(r, fs[j].other, (uint8_t)(hop < 255 ? hop : 255), frontier[k], f, err);
                if (!s && r->set.count > before && hop < hops && cpi_flags_risky(f)) {
                    if (nn == capn) {
                        capn = capn ? capn * 2 : 64;
                        uint32_t *g = realloc(next, sizeof *g * capn);
                        if (!g) {
                            s = NOMEM();
                            break;
                        }
                        next = g;
                    }
                    next[nn++] = before;
                }
            }
        }
        free(frontier);
        frontier = next;
        nf = nn;
    }
    free(frontier);
    cpi_arena_free(&b);
    cpi_arena_free(&a);
    return s;
}

typedef struct group_walk {
    uint32_t network, community, withhold;
    reach *r;
} group_walk;

/* One card of the pass over all cards: in the network or community asked for, and visible? */
static cpi_status group_one(const cpi_card *card, void *ctx, cpi_error *err)
{
    const group_walk *w = ctx;
    bool in = w->network ? card->component == w->network : card->community == w->community;
    if (in && (card->sources & ~w->withhold))
        return add(w->r, card->id, 0, UINT32_MAX, cpi_flags_from_sources(card->flags, ~w->withhold), err);
    return CPI_OK;
}

/* A network's or community's members: one pass over the cards (the numbers are on them). */
static cpi_status group(cpi_txn *txn, const cpi_export_graph_opts *o, reach *r, cpi_error *err)
{
    group_walk w = {o->network, o->network ? 0 : o->community, o->withhold, r};
    cpi_status s = cpi_cards_each(txn, group_one, &w, err);
    if (!s && !r->set.count)
        s = o->network ? cpi_error_set(err, CPI_NOT_FOUND, "export graph --network: there is no network %u (they are "
                                                           "numbered by size from 1: see 'cpindex analyse networks')",
                                       o->network)
                       : cpi_error_set(err, CPI_NOT_FOUND, "export graph --community: there is no community %u (they "
                                                           "are numbered by size from 1: see 'cpindex analyse "
                                                           "communities')", o->community);
    return s;
}

/* Ids in order, so an export of the same store is the same file. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/*
 * What a bounded chart keeps first: the nearest to the child, and at each
 * distance the highest risk. Nearest first, because the child's own links
 * (home, family, phone, the people who pose a risk to them) are the chart;
 * the risky people around those people come after them, riskiest first.
 * Then by id, so the same store always draws the same chart.
 */
static int cmp_rank(const void *a, const void *b, void *ctx)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const reach *r = ctx;
    if (r->hop[x] != r->hop[y])
        return r->hop[x] < r->hop[y] ? -1 : 1;
    if (r->risk[x] != r->risk[y])
        return r->risk[x] > r->risk[y] ? -1 : 1;
    return strcmp(r->set.strs[x], r->set.strs[y]);
}

/*
 * Choose at most max of r's entities into keep[] (1 = kept): the child
 * (number 0 of a neighbourhood) first, then in rank order, each only when it
 * fits with every entity on its walk back to the child, so a kept entity is
 * always joined to the child on the chart.
 */
static cpi_status bound(reach *r, uint32_t max, bool from_child, uint8_t *keep, cpi_error *err)
{
    uint32_t n = r->set.count, kept = 0;
    uint32_t *order = malloc(sizeof *order * (n ? n : 1));
    if (!order)
        return NOMEM();
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    cpi_sort_r(order, n, sizeof *order, cmp_rank, r);
    if (from_child && n) {
        keep[0] = 1;
        kept = 1;
    }
    for (uint32_t k = 0; k < n && kept < max; k++) {
        uint32_t x = order[k], need = 0;
        for (uint32_t y = x; !keep[y]; y = r->parent[y]) {
            need++;
            if (r->parent[y] == y)
                break;
        }
        if (!need || kept + need > max)
            continue;
        for (uint32_t y = x; !keep[y]; y = r->parent[y]) {
            keep[y] = 1;
            kept++;
            if (r->parent[y] == y)
                break;
        }
    }
    free(order);
    return CPI_OK;
}

cpi_status cpi_graph_select(cpi_txn *txn, const cpi_export_graph_opts *o, cpi_intern *set, const char ***ids,
                            cpi_graph_sel_info *info, cpi_error *err)
{
    *ids = NULL;
    if (info)
        *info = (cpi_graph_sel_info){0};
    reach r = {0};
    cpi_status s = o->child ? neighbourhood(txn, o->child, o->hops ? o->hops : 2, o->withhold, &r, err)
                            : group(txn, o, &r, err);
    uint8_t *keep = NULL;
    uint32_t n = r.set.count;
    if (!s && !(keep = calloc(n ? n : 1, 1)))
        s = NOMEM();
    if (!s && o->max_nodes && n > o->max_nodes)
        s = bound(&r, o->max_nodes, o->child != NULL, keep, err);
    else if (!s)
        memset(keep, 1, n);
    for (uint32_t i = 0; i < n && !s; i++) {
        uint32_t x;
        if (keep[i] && cpi_intern_add(set, r.set.strs[i], strlen(r.set.strs[i]), &x, NULL))
            s = NOMEM();
    }
    if (!s && info) {
        info->total = n;
        if (!(info->hop = calloc(set->count ? set->count : 1, 1)))
            s = NOMEM();
        for (uint32_t i = 0; i < n && !s; i++)
            if (keep[i])
                info->hop[cpi_intern_find(set, r.set.strs[i], strlen(r.set.strs[i]))] = r.hop[i];
    }
    const char **list = NULL;
    if (!s && !(list = malloc(sizeof *list * (set->count ? set->count : 1))))
        s = NOMEM();
    if (!s) {
        memcpy(list, set->strs, sizeof *list * set->count);
        cpi_sort(list, set->count, sizeof *list, cmp_str);
        *ids = list;
    }
    free(keep);
    reach_free(&r);
    if (s && info) {
        free(info->hop);
        info->hop = NULL;
    }
    return s;
}
