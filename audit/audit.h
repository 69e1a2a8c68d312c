/*
 * audit.h - the audit log (Data Protection Act 2018, section 62): one entry per
 * collection, alteration, consultation, disclosure, combination and erasure,
 * append-only and hash-chained.
 *
 * How a command uses it:
 *  - a query (child, person, address, missing, agenda, analyse, review,
 *    explain): after its read snapshot has ENDED (a write may grow the map,
 *    which must not happen under a live snapshot of the same process), one call
 *      cpi_audit_consultation(st, &grant, query, entity_ids, n, refs, m, &err);
 *    with every entity id (as shown to the user) and record or mention
 *    reference it returned; copy them out of the snapshot first. If that call
 *    fails, show nothing: an unlogged consultation must not happen.
 *  - a writer (ingest, resolve, link, purge, export) appends its entry inside
 *    its own write transaction with cpi_audit_append(), so the change and its
 *    log entry commit together or not at all.
 *
 * Details per kind (cpi_audit_entry.details, all text):
 *   collection   file, blake2b, record_type, read, stored, unchanged, replaced, rejected
 *   alteration   file, replaced (count); refs = the replaced references when < 1000
 *   consultation (query, entities, refs carry it); details optional
 *   disclosure   what, to (path or destination), recipient (if given), format, count
 *   combination  resolve: merges, splits, entities, mentions; link/unlink: decision, why
 *   erasure      ref, mentions, entity_links, resolve_due
 *   access       user, roles (user add/remove; not one of the six s62 kinds)
 *
 * Storage: CPI_DB_AUDIT maps u64 BE sequence (from 1, no gaps) to
 *   value = body || BLAKE2b-256(body)
 * where body is a msgpack map {n seq, p prev hash (bin 32), t time, k kind,
 * u user, w reason, c command, q query, e [entity ids], r [refs], x {details}}
 * (w, q, e, r, x omitted when empty) and p is the previous entry's hash (32
 * zero bytes for entry 1). META "audit:head" holds the last sequence (u64 BE)
 * and its hash, so removing the newest entries is detected too. A chain
 * without a secret shows accidental or naive change, not a rewrite by someone
 * who recomputes every hash: note the head hash that 'audit verify' prints and
 * keep it outside the store (verify --head HEX checks against it).
 *
 * Ownership: entries passed in are borrowed; entries handed to a visitor live
 * until the visitor returns.
 */
#ifndef CPI_AUDIT_H
#define CPI_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/access.h"
#include "core/error.h"
#include "core/model.h"
#include "core/store.h"

typedef enum cpi_audit_kind {
    CPI_AUDIT_COLLECTION = 1,
    CPI_AUDIT_ALTERATION,
    CPI_AUDIT_CONSULTATION,
    CPI_AUDIT_DISCLOSURE,
    CPI_AUDIT_COMBINATION,
    CPI_AUDIT_ERASURE,
    CPI_AUDIT_ACCESS,
} cpi_audit_kind;

/* "collection", ... or NULL. */
const char *cpi_audit_kind_name(cpi_audit_kind kind);
/* Parse a kind name; CPI_ERR_USAGE if unknown. */
cpi_status cpi_audit_kind_parse(const char *name, cpi_audit_kind *out, cpi_error *err);

typedef struct cpi_audit_entry {
    uint64_t seq;            /* set by append */
    int64_t time;            /* seconds since the epoch, UTC; 0 on append = now */
    cpi_audit_kind kind;
    const char *user;        /* required */
    const char *reason;      /* NULL or "" if none */
    const char *command;     /* required: "child", "ingest", "user add", ... */
    const char *query;       /* what was asked, as typed; NULL if nothing */
    const char *const *entities; /* entity ids as shown to the user */
    uint32_t nentities;
    const char *const *refs; /* record or mention references */
    uint32_t nrefs;
    cpi_kvlist details;      /* kind-specific, see above */
    uint8_t prev[32];        /* set by append / decode */
    uint8_t hash[32];        /* set by append / decode */
} cpi_audit_entry;

/*
 * Append e in the caller's write transaction: next sequence, chained to the
 * head, head moved. Sets e->seq, e->time (if 0), e->prev, e->hash.
 */
cpi_status cpi_audit_append(cpi_txn *txn, cpi_audit_entry *e, cpi_error *err);

/* Append e in a write transaction of its own. */
cpi_status cpi_audit_log(cpi_store *st, cpi_audit_entry *e, cpi_error *err);

/*
 * Log that g.user ran g.action for g.reason, asking query, and was shown these
 * entities and references. One entry; its own write transaction.
 */
cpi_status cpi_audit_consultation(cpi_store *st, const cpi_grant *g, const char *query,
                                  const char *const *entities, size_t nentities, const char *const *refs,
                                  size_t nrefs, cpi_error *err);

/* What verify found. */
typedef struct cpi_audit_report {
    uint64_t entries;  /* entries checked */
    uint64_t last_seq; /* the head's sequence */
    uint8_t head[32];  /* the head's hash */
    uint64_t bad_seq;  /* the first entry changed, removed or reordered; 0 if intact */
    char problem[256]; /* what is wrong with it, one line */
} cpi_audit_report;

/*
 * Walk the chain from entry 1. CPI_OK if intact; CPI_ERR_DATA if not, with
 * report->bad_seq naming the first entry that was changed, removed or
 * reordered and err/report->problem saying how. expect_head (NULL: none) is a
 * head hash noted earlier: the chain must still contain it at or before the head.
 */
cpi_status cpi_audit_verify(cpi_store *st, const uint8_t *expect_head, cpi_audit_report *report, cpi_error *err);

/* Which entries cpi_audit_query visits; zero fields match everything. */
typedef struct cpi_audit_filter {
    const char *user;   /* exact user name */
    const char *entity; /* an entity id in e[], or a reference: matches that record and its mentions */
    int64_t since;      /* entries at or after this time */
    int kind;           /* a cpi_audit_kind, 0 = any */
} cpi_audit_filter;

typedef cpi_status (*cpi_audit_visit_fn)(void *ctx, const cpi_audit_entry *e, cpi_error *err);

/* Visit matching entries oldest first. A visitor returning non-OK stops the walk with that status. */
cpi_status cpi_audit_query(cpi_store *st, const cpi_audit_filter *f, cpi_audit_visit_fn fn, void *ctx,
                           cpi_error *err);

/* Decode one stored value (for tools and tests): strict, the hash checked. Strings point into arena. */
cpi_status cpi_audit_decode(uint64_t seq, const void *data, size_t len, cpi_arena *arena, cpi_audit_entry *out,
                            cpi_error *err);

#endif
