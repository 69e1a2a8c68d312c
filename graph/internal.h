/*
 * graph/internal.h - the in-memory graph the build assembles before writing
 * it (graph/graph.c), shared with the analytics pass (graph/analytics.c).
 * Not a public interface: nothing outside graph/
 * includes it.
 *
 * Entities and edges are dense arrays indexed by the numbers the interning
 * maps hand out. After the scan, adj_start/adj give each entity's incident
 * edges (CSR form) so both passes walk neighbourhoods without hashing.
 */
#ifndef CPI_GRAPH_INTERNAL_H
#define CPI_GRAPH_INTERNAL_H

#include "graph/graph.h"
#include "graph/graphdb.h"
#include "core/intern.h"

typedef struct g_ent {
    cpi_card card;       /* id, name, dob, flags... as written */
    uint8_t name_rank;   /* how complete the chosen display name is */
    int32_t dob_day;     /* exact or mid-range birth day, CPI_DAY_NONE if unknown */
    bool dob_exact;
    uint32_t dob_votes;  /* how many mentions gave dob_day */
    bool child_role, adult_role;
    int32_t miraf_day;   /* the latest MIRAF form's date, whose grading the card keeps */
    /* area (graph/graph_area.c) */
    const char *la_own;  /* place: the local authority its own Niche location row gives */
    const char *town;    /* place: the town key of its first mention that has one */
    const char *mace_area; /* person: the policing area of their latest MACE meeting */
    int32_t mace_area_day;
    uint64_t area_mask;  /* bit i: in g_graph.area_names number i (the first 64 areas) */
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
    /* areas (graph/graph_area.c) */
    cpi_intern area_votes; /* "K\x1fKEY\x1fVALUE" -> number; K: d district -> LA, t town -> LA, a LA -> area */
    uint32_t *votes;       /* [area_votes.count] */
    uint32_t votes_cap;
    cpi_intern area_names; /* canonical area names: local authorities, then policing areas */
    uint8_t *area_kind;    /* [area_names.count] CPI_AREA_LA or CPI_AREA_POLICING */
    uint32_t *area_children, *area_people, *area_places; /* [area_names.count] */
} g_graph;

#define G_NENTS(g) ((g)->ids.count)
#define G_TYPE(g, e) ((g)->types.strs[(e)->type])

/* Area notes from one record (after its mentions are numbered in ent[]), during the scan. */
cpi_status g_area_note(g_graph *g, const cpi_record *r, cpi_src src, const uint32_t *ent, cpi_error *err);
/* After the adjacency: each entity's local authority and policing area, into the cards and area_mask. */
cpi_status g_area_assign(g_graph *g, cpi_error *err);
/* The known areas with their counts ("a\x1fareas"). */
cpi_status g_area_write(const g_graph *g, cpi_txn *txn, cpi_error *err);
void g_area_free(g_graph *g);

/*
 * Components, communities and reach into the cards; summary lists into the
 * analytics database (keys "a\x1f..."; see graph/analytics.h).
 */
cpi_status cpi_graph_analyse(g_graph *g, cpi_txn *txn, cpi_graph_stats *stats, cpi_error *err);

#endif
