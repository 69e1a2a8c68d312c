/*
 * verify.h - check that a store keeps the invariants store.h promises, from
 * one read snapshot: after a crash, a full disk or a killed process, and in
 * the tests that cause them.
 *
 * What is checked (the first failure is returned, naming the reference):
 *  - every record's key is a valid reference, its value decodes strictly and
 *    names the same reference;
 *  - every indexed key of every mention (cpi_store_key_indexed) is in
 *    CPI_DB_KEYS pointing at that mention, and CPI_DB_KEYS holds nothing
 *    else (its entry count equals the distinct pairs the records imply);
 *  - the counters n:rec:SOURCE and n:mentions equal what the records hold;
 *  - the resolver's tables: every entity_of entry names a mention that exists
 *    and a well-formed entity id of the mention's kind that the id counter
 *    (n:id:P|L|T|O) has given out, and that entity's members list the
 *    mention; entity_of and members hold nothing else (so no entity lists a
 *    member that is missing or placed elsewhere); n:entities equals the
 *    entities members hold (at least, when a purge has marked a resolve
 *    due: purge, and an ingest replacing a record whose mention changed kind
 *    or went, remove members and leave the count to that resolve); every
 *    review pair decodes and names two resolved mentions of its kind in two
 *    different entities (or, while a resolve is due, a mention taken out of
 *    its entity).
 * Mentions ingested since the last resolve have no entity yet: allowed.
 * The audit chain has its own check (cpi_audit_verify), and the graph
 * (edges, entity cards) its own in query/ (cpi_graph_verify, graph.h).
 *
 * Cost: one pass over the records, one key-index probe per indexed key and
 * two probes per resolved mention, one pass over members and review; about
 * as long as reading the store once.
 */
#ifndef CPI_VERIFY_H
#define CPI_VERIFY_H

#include <stdint.h>

#include "core/error.h"
#include "core/store.h"

typedef struct cpi_verify_report {
    uint64_t records;  /* records walked */
    uint64_t mentions; /* mentions in them */
    uint64_t keys;     /* key index entries confirmed */
    uint64_t entity_links; /* entity_of entries confirmed (= members entries) */
    uint64_t entities;     /* distinct entities in members */
    uint64_t review_pairs; /* review pairs confirmed */
} cpi_verify_report;

/*
 * Walk the snapshot txn. CPI_OK when every invariant holds; CPI_ERR_STORE
 * with the first difference in err otherwise; other statuses for a failure
 * to read. report is filled as far as the walk got.
 */
cpi_status cpi_store_verify(cpi_txn *txn, cpi_verify_report *report, cpi_error *err);

#endif
