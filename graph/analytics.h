/*
 * analytics.h - the analyst's views the graph build leaves in
 * CPI_DB_ANALYTICS, and how to read them back.
 *
 * The build (graph/graph.c -> analytics.c) computes over the whole entity
 * graph, once per resolve:
 *   - networks: connected components (igraph), numbered by size, 1 = largest;
 *   - communities: Louvain (igraph_community_multilevel, fixed seed, so the
 *     same store gives the same numbers), numbered by size;
 *   - central adults: each adult's reach = distinct children linked to them
 *     directly (a person-to-person edge), through a place they operate from
 *     or live at (to the children found, seen, victimised or living there), or through a phone they use (its other users and the
 *     children those are linked to); places with more than CPI_ANALYTICS_HUB
 *     links are not followed, so a railway station does not make everyone
 *     central;
 *   - hotspots: places where missing children were found (distinct children,
 *     most times found, latest date), and places where risky adults and
 *     children meet (both linked by found-at, frequents, operates-from or an
 *     occurrence; score = children x risky adults).
 * School attendance is left out of networks, communities and reach: a school
 * links hundreds of children and says nothing about risk.
 *
 * Each list is stored under "a\x1fNAME" as a msgpack array of
 * [id, name, flags, n1, n2, n3, day] in rank order; what n1..n3 mean is
 * listed per list below. "a\x1fsummary" holds the totals.
 *
 * Ownership: strings point into the arena passed to the readers.
 */
#ifndef CPI_ANALYTICS_H
#define CPI_ANALYTICS_H

#include <stdint.h>

#include "core/arena.h"
#include "core/store.h"

#define CPI_ANALYTICS_HUB 200  /* links above which a place or phone is not followed for reach */
#define CPI_ANALYTICS_TOP 200  /* entries kept per list */

typedef enum cpi_alist {
    CPI_ALIST_CENTRAL,     /* adults: n1 reach, n2 distinct entities linked, n3 risky (1/0); day = latest record */
    CPI_ALIST_HOT_FOUND,   /* places: n1 children found there, n2 most times one child found there, n3 forms;
                              day = latest */
    CPI_ALIST_HOT_MEET,    /* places: n1 children, n2 risky adults, n3 score = n1 x n2; day = latest */
    CPI_ALIST_NETWORKS,    /* components: id = a risky member ("" if none), name = "network N", n1 size,
                              n2 children, n3 risky adults; day = N */
    CPI_ALIST_COMMUNITIES, /* communities: as networks, day = community number */
    CPI_ALIST__COUNT
} cpi_alist;

const char *cpi_alist_name(cpi_alist l); /* "central", "hot-found", "hot-meet", "networks", "communities" */

typedef struct cpi_aitem {
    const char *id;
    const char *name;
    uint64_t flags;
    uint64_t n1, n2, n3;
    int32_t day;
} cpi_aitem;

typedef struct cpi_asummary {
    uint64_t entities, edges, components, largest_component, communities;
    double modularity;
    int32_t as_of; /* the latest record day the build saw */
} cpi_asummary;

/* CPI_NOT_FOUND (with a message saying to run resolve) when the graph has not been built. */
cpi_status cpi_analytics_summary(cpi_txn *txn, cpi_asummary *out, cpi_error *err);
cpi_status cpi_analytics_list(cpi_txn *txn, cpi_alist which, cpi_arena *arena, cpi_aitem **out, uint32_t *n,
                              cpi_error *err);
/*
 * The same list for one area (a stored name: cpi_area_find), ranked as the
 * whole list is: adults and places in the area (graph/area.h), networks and
 * communities with at least one member in it (their figures are the whole
 * group's). Stored under "a\x1fNAME\x1fAREA", top CPI_ANALYTICS_TOP each.
 * area NULL: the whole force.
 */
cpi_status cpi_analytics_list_area(cpi_txn *txn, cpi_alist which, const char *area, cpi_arena *arena,
                                   cpi_aitem **out, uint32_t *n, cpi_error *err);

#endif
