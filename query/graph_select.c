/*
 * graph_select.c - the part of the stored graph a link chart is drawn from:
 * one child's neighbourhood, or one network (query/export_graph.h says what
 * each holds). Reads cards and edge cursors only; the child's neighbourhood
 * costs the child's edges and one cursor per neighbour walked, a network one
 * pass over the cards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/analytics.h"
#include "query/graph_select.h"
#include "query/sort.h"
#include "query/graphdb.h"
#include "query/intern.h"
#include "query/source.h"

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

static cpi_status add(cpi_intern *set, const char *id, cpi_error *err)
{
    uint32_t x;
    return cpi_intern_add(set, id, strlen(id), &x, NULL) ? NOMEM() : CPI_OK;
}

static cpi_status neighbourhood(cpi_txn *txn, const char *child, uint32_t withhold, cpi_intern *set, cpi_error *err)
{
    cpi_arena a = {0};
    cpi_card card;
    cpi_status s = cpi_card_get(txn, child, &a, &card, err);
    if (!s && card.kind != CPI_KIND_PERSON)
        s = cpi_error_set(err, CPI_ERR_USAGE, "export graph --child: %s is not a person", child);
    if (!s && !(card.sources & ~withhold))
        s = cpi_error_set(err, CPI_NOT_FOUND, "export graph --child: %s is known only to sources an export "
                                              "withholds", child);
    cpi_edge *es = NULL;
    uint32_t n = 0, total;
    if (!s)
        s = add(set, child, err);
    if (!s)
        s = cpi_graph_edges_light(txn, child, NULL, UINT32_MAX, &a, &es, &n, &total, err);
    for (uint32_t i = 0; i < n && !s; i++)
        if (linking(&es[i], withhold))
            s = add(set, es[i].other, err);
    /* one hop beyond, as the profile's connected children: the children and risky people around them */
    cpi_arena b = {0};
    for (uint32_t i = 0; i < n && !s; i++) {
        if (!linking(&es[i], withhold) || !walk_from(&es[i], withhold))
            continue;
        cpi_edge *fs;
        uint32_t m, mt;
        cpi_arena_reset(&b);
        s = cpi_graph_edges_light(txn, es[i].other, NULL, CPI_ANALYTICS_HUB + 1, &b, &fs, &m, &mt, err);
        if (s || mt > CPI_ANALYTICS_HUB) /* a hub (a station, a busy phone) links everyone: not followed */
            continue;
        for (uint32_t j = 0; j < m && !s; j++) {
            uint64_t f = cpi_flags_from_sources(fs[j].other_flags, ~withhold);
            if (linking(&fs[j], withhold) && strcmp(fs[j].type, "attends-school") != 0 &&
                cpi_entity_id_kind(fs[j].other) == CPI_KIND_PERSON &&
                ((f & CPI_EF(CPI_EF_CHILD)) || cpi_flags_risky(f)))
                s = add(set, fs[j].other, err);
        }
    }
    cpi_arena_free(&b);
    cpi_arena_free(&a);
    return s;
}

typedef struct network_walk {
    uint32_t number, withhold;
    cpi_intern *set;
} network_walk;

static cpi_status network_one(const cpi_card *card, void *ctx, cpi_error *err)
{
    const network_walk *w = ctx;
    if (card->component == w->number && (card->sources & ~w->withhold))
        return add(w->set, card->id, err);
    return CPI_OK;
}

static cpi_status network(cpi_txn *txn, uint32_t number, uint32_t withhold, cpi_intern *set, cpi_error *err)
{
    network_walk w = {number, withhold, set};
    cpi_status s = cpi_cards_each(txn, network_one, &w, err);
    if (!s && !set->count)
        s = cpi_error_set(err, CPI_NOT_FOUND, "export graph --network: there is no network %u (they are numbered "
                                              "by size from 1: see 'cpindex analyse networks')", number);
    return s;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }


cpi_status cpi_graph_select(cpi_txn *txn, const cpi_export_graph_opts *o, cpi_intern *set, const char ***ids,
                            cpi_error *err)
{
    *ids = NULL;
    cpi_status s = o->child ? neighbourhood(txn, o->child, o->withhold, set, err)
                            : network(txn, o->network, o->withhold, set, err);
    if (s)
        return s;
    const char **list = malloc(sizeof *list * (set->count ? set->count : 1));
    if (!list)
        return NOMEM();
    memcpy(list, set->strs, sizeof *list * set->count);
    cpi_qsort(list, set->count, sizeof *list, cmp_str);
    *ids = list;
    return CPI_OK;
}
