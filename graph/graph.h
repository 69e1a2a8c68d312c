/*
 * graph.h - derive the entity graph from resolved records and write it back:
 * edges (CPI_DB_EDGES), entity cards and analytics results
 * (CPI_DB_ANALYTICS); formats in graph/graphdb.h.
 *
 * Input: every record (CPI_DB_RECORDS) and the resolver's mention -> entity
 * map (CPI_DB_ENTITY_OF). A mention the resolver has not placed is left out.
 *
 * Edges come from three places:
 *  - each relation in a record between two resolved mentions (lives-at,
 *    poses-risk-to, found-at, cawn-served, uses-phone, ...);
 *  - Niche occurrences: an occurrence_nominals row names the person and their
 *    involvement, the occurrence row the place, joined by urn. A person gets
 *    victim-in / suspect-in / offender-in / witness-in / missing-from to the
 *    occurrence's place, and each suspect or offender a suspect-against edge
 *    to each victim of the same occurrence;
 *  - households: people with a current lives-at to one place (at most
 *    opts.household_max of them) become household-member; where one is a
 *    child and the other 14 to 60 years older, parent-of (adult -> child).
 *    The same rule runs on MARAC's household-member (child -> victim).
 *    These are inferences and say so: their supporting references are the
 *    lives-at / MARAC records they rest on;
 *  - the resolver's review pairs (CPI_DB_REVIEW): a possible-match edge
 *    between the two entities, for profiles to list; analytics and every risk
 *    walk leave it out.
 *
 * The whole build runs in the caller's write transaction and replaces what
 * the edges and analytics databases held, so it is restartable (the store's
 * map-growth retry may run it twice) and a reader sees the old graph or the
 * new one, never a mixture.
 *
 * cpi_graph_build_txn() is what cpi_resolve_run (resolve/resolve.h) calls at its end, inside
 * its own transaction; cpi_graph_build() runs it in a transaction of its own.
 */
#ifndef CPI_GRAPH_H
#define CPI_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/store.h"

typedef struct cpi_graph_opts {
    uint32_t household_max; /* residents above which a place is not one household; 0 = 20 */
    bool skip_analytics;    /* edges and cards only (components, communities and reach left 0) */
    int32_t today;          /* day number for "current"; CPI_DAY_NONE or 0 = the latest record's day */
} cpi_graph_opts;

typedef struct cpi_graph_stats {
    uint64_t records, mentions, unresolved; /* unresolved: mentions with no entity */
    uint64_t entities, edges;               /* edges: distinct (from, type, to) */
    uint64_t edges_from_relations, edges_from_occurrences, edges_from_households;
    uint64_t occurrence_links_unmatched;    /* occurrence_nominals rows whose urn has no occurrence row */
    uint64_t households_skipped;            /* places with more residents than household_max */
    uint64_t possible_matches;              /* review pairs between two entities, kept as possible-match edges */
    uint64_t components, largest_component, communities;
    double modularity;
    double seconds_scan, seconds_analytics, seconds_write;
} cpi_graph_stats;

/*
 * Check, in one snapshot, that the graph stands on the resolver's entities
 * (graph/verify.c): every card and edge decodes strictly, every card is
 * an entity with members, and both ends of every edge are entities - no edge
 * to nothing. While a purge has a resolve due (purge.h), an entity it emptied
 * may keep its card and edges until that resolve. CPI_ERR_STORE naming the
 * first fault. cpi_store_verify (resolve/verify.h) checks the rest of the store.
 */
typedef struct cpi_graph_verify_report {
    uint64_t cards, edges;
    bool resolve_due;
} cpi_graph_verify_report;
cpi_status cpi_graph_verify(cpi_txn *txn, cpi_graph_verify_report *rep, cpi_error *err);

cpi_status cpi_graph_build_txn(cpi_txn *txn, const cpi_graph_opts *opts, cpi_graph_stats *stats, cpi_error *err);
cpi_status cpi_graph_build(cpi_store *st, const cpi_graph_opts *opts, cpi_graph_stats *stats, cpi_error *err);

#endif
