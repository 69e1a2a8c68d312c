/*
 * same.h - the resolver's open questions in a list: where two entities of a
 * ranked list are a pair the resolver left for review (a possible match,
 * CPI_DB_REVIEW, kept in the graph as `possible-match` edges), a list shows
 * them together as "possibly the same person (review)" rather than as two
 * people, so a meeting does not discuss one child twice and an officer
 * choosing a candidate sees that two rows may be one person.
 *
 * Nothing is merged: the entities stay apart until `cpindex review` / `link`
 * decides, and each keeps its own figures.
 *
 * Ownership: plain arrays the caller owns.
 */
#ifndef CPI_SAME_H
#define CPI_SAME_H

#include <stdint.h>

#include "core/arena.h"
#include "core/store.h"

#define CPI_SAME_NONE UINT32_MAX

/*
 * For n entity ids in rank order (best first), set partner[i] to the index
 * j < i of the best-ranked entity that ids[i] is a possible match of, through
 * any chain of possible matches inside the list (so a group hangs off its
 * best-ranked member), or CPI_SAME_NONE; prob[i] (may be NULL) to the
 * probability of that pair in thousandths (0 when reached through a chain).
 * A pair resting only on sources in `withhold` (CPI_SRC_BIT mask) is not
 * used: it would tell a user what a withheld source holds. Reads one seek
 * per id (cpi_graph_edges_light, possible-match edges only). NULL ids are
 * never paired.
 */
cpi_status cpi_same_partners(cpi_txn *txn, const char *const *ids, uint32_t n, uint32_t withhold, cpi_arena *arena,
                             uint32_t *partner, uint32_t *prob, cpi_error *err);

/*
 * The order to show a list in: each group's best-ranked member where it
 * ranks, the rest of its group straight after it (in rank order), everything
 * else as ranked. order[k] is the index shown k-th. Stable, O(n log n).
 */
void cpi_same_order(const uint32_t *partner, uint32_t n, uint32_t *order);

#endif
