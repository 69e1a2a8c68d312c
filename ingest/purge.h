/*
 * purge.h - erase one source record from the store and every index, logged.
 *
 * One write transaction removes the record (its mentions and relations live
 * inside it), its normalised keys, each mention's entity_of entry and its
 * membership of its entity, and any human link/unlink decision or possible
 * match left for review naming the record or one of its mentions; marks in META that a resolve is due (the
 * entities it touched, their edges and the analytics were derived from it);
 * and appends an erasure entry to the audit log. Either all of that commits or
 * none of it. The audit log itself keeps the reference: it is the record that
 * the erasure happened.
 *
 * Invariant after a purge of REF: no key or value in records, keys,
 * entity_of, members, overrides, review or meta names REF or REF/N. Entity
 * edges and analytics (the resolver's format) may still count it until the
 * next resolve, unless the purge ran inside one (cpi_purge_txn as a resolve's
 * purge_grant, with the record excluded from its load: what cpindex purge
 * does).
 */
#ifndef CPI_PURGE_H
#define CPI_PURGE_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/access.h"
#include "core/error.h"
#include "core/store.h"

/* CPI_META_RESOLVE_DUE (store.h) says why a resolve is due. */

typedef struct cpi_purge_result {
    uint32_t mentions;         /* mentions the record held */
    uint32_t entity_links;     /* entity_of entries removed (= members entries removed) */
    uint32_t overrides;        /* link/unlink decisions removed */
    uint32_t review_pairs;     /* possible matches left for review that named it, removed */
    uint32_t entities_touched; /* distinct entities that lost a member */
    bool resolve_due;          /* a resolve was marked due */
} cpi_purge_result;

/*
 * Purge the record ref ("source:RECORD_ID") as admin g. CPI_NOT_FOUND (nothing
 * changed, nothing logged) if there is no such record; CPI_ERR_USAGE for a
 * malformed or mention reference.
 */
cpi_status cpi_purge(cpi_store *st, const cpi_grant *g, const char *ref, cpi_purge_result *out, cpi_error *err);

/*
 * The same inside a write transaction the caller owns (cpindex purge runs it
 * first in resolve's transaction, so the erasure and the re-resolve commit
 * together). now 0: time(NULL). Restartable: out is reset on each call.
 */
cpi_status cpi_purge_txn(cpi_txn *txn, const cpi_grant *g, const char *ref, int64_t now, cpi_purge_result *out,
                         cpi_error *err);

/* The text in META CPI_META_RESOLVE_DUE into buf ("" and CPI_OK if no resolve is due). */
cpi_status cpi_purge_resolve_due(cpi_store *st, char *buf, size_t cap, cpi_error *err);

#endif
