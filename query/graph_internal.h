/*
 * graph_internal.h - the in-memory graph the build assembles before writing
 * it (query/graph.c), shared with the analytics pass (query/analytics.c).
 * Not a public interface: nothing outside query/graph*.c and analytics.c
 * includes it.
 *
 * Entities and edges are dense arrays indexed by the numbers the interning
 * maps hand out. After the scan, adj_start/adj give each entity's incident
 * edges (CSR form) so both passes walk neighbourhoods without hashing.
 */
#ifndef CPI_GRAPH_INTERNAL_H
#define CPI_GRAPH_INTERNAL_H

#include "query/graph.h"
#include "query/graphdb.h"
#include "query/intern.h"

typedef struct g_ent {
    cpi_card card;       /* id, name, dob, flags... as written */
    uint8_t name_rank;   /* how complete the chosen display name is */
    int32_t dob_day;     /* exact or mid-range birth day, CPI_DAY_NONE if unknown */
    bool dob_exact;
    uint32_t dob_votes;  /* how many mentions gave dob_day */
    bool child_role, adult_role;
    int32_t miraf_day;   /* the latest MIRAF form's date, whose grading the card keeps */
} g_ent;

typedef struct g_edge {
    uint32_t a, b;       /* a -> b as the relation reads */
    uint16_t type;       /* index into g_graph.types */
    bool current;
    int32_t first, last;
    uint32_t count, times, sources;
    uint32_t *sup;       /* supporting record numbers (g_graph.refs), in the order met */
    uint32_t nsup, capsup;
} g_edge;

typedef struct g_graph {
    cpi_intern ids;      /* entity id -> entity number */
    cpi_intern refs;     /* record reference -> record number */
    int32_t *ref_day;    /* [refs.count] the record's day */
    uint32_t ref_day_cap;
    cpi_intern types;    /* edge type -> number */
    g_ent *ents;
    uint32_t ents_cap;
    g_edge *edges;
    uint32_t nedges, edges_cap;
    cpi_u64map edge_of;  /* (a, b, type) -> edge number */
    uint32_t *adj_start; /* [ids.count + 1] */
    uint32_t *adj;       /* edge numbers, each edge under both ends */
    int32_t today;
    cpi_arena arena;     /* names and other card strings */
} g_graph;

#define G_NENTS(g) ((g)->ids.count)
#define G_TYPE(g, e) ((g)->types.strs[(e)->type])

/*
 * Components, communities and reach into the cards; summary lists into the
 * analytics database (keys "a\x1f..."; see query/analytics.h).
 */
cpi_status cpi_graph_analyse(g_graph *g, cpi_txn *txn, cpi_graph_stats *stats, cpi_error *err);

#endif
