/*
 * audit/journal.h - consultations logged with one flush (issue 6: a child's
 * profile through `cpindex serve` in <= 10 ms as a whole process).
 *
 * An entry in the audit chain is an LMDB commit: its pages, an fdatasync, then
 * the meta page, a second synchronous write (~1.2 ms of the server's ~1.4 ms
 * per answer on the shared VM). `cpindex serve` instead appends each
 * consultation to DIR/audit.journal with one O_DSYNC write into space written
 * when the journal was made (so no file-system metadata changes, ~0.2 ms), and
 * only then sends the answer: a consultation is durable before it is shown,
 * as before. After answering, when no other client waits, the server folds
 * the journal into the chain (cpi_audit_journal_fold): one write transaction
 * appends the entries oldest first, with the times they were journalled, and
 * META "audit:journal" records (generation, offset) folded so far, in the
 * same commit; then the journal starts a new generation.
 *
 * Nothing is lost or logged twice whatever stops when:
 *  - a write cut short (power lost mid-append) fails its frame's checks and
 *    ends the journal: that consultation was never shown;
 *  - a server that dies with entries unfolded leaves them in the journal: every
 *    append to the chain by any process (cpi_audit_append) folds them first, in
 *    its own transaction, and so do 'audit show' and 'audit verify'
 *    (cpi_audit_journal_settle), so the log read is always whole and in order;
 *  - a fold committed but not followed by the new generation is skipped by
 *    the META mark.
 * Only the server appends (one per store: it owns DIR/serve.sock); any process
 * may fold; flock() on the journal keeps a reader off a frame being written.
 *
 * File: a 4096-byte header ("CPIJ", version 1, generation u64 BE), then frames
 * "CPJ1" | generation u64 BE | length u32 BE | value, value being an audit
 * entry encoded as in the chain (audit.h) with n 0 and p zeros, its hash
 * checked on reading. A frame of another generation, or one that fails any
 * check, ends the journal.
 */
#ifndef CPI_AUDIT_JOURNAL_H
#define CPI_AUDIT_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/error.h"
#include "core/store.h"

#define CPI_AUDIT_JOURNAL_FILE "audit.journal"
#define CPI_AUDIT_JOURNAL_SIZE (1u << 20) /* written ahead at creation; an entry that does not fit goes to the chain */

typedef struct cpi_audit_journal cpi_audit_journal;

/*
 * Open (making it when absent) the journal beside st and fold whatever an
 * earlier server left there; then cpi_audit_consultation on st appends to it
 * (cpi_store_set_journal). Close with cpi_audit_journal_close before the store.
 */
cpi_status cpi_audit_journal_open(cpi_store *st, cpi_audit_journal **out, cpi_error *err);

/* Fold what is left, detach from the store, close. An error folding is reported; the entries stay journalled. */
cpi_status cpi_audit_journal_close(cpi_audit_journal *j, cpi_error *err);

/*
 * Durably append e (kind, user, command required; time set to now when 0).
 * *fitted is false, and nothing written, when the entry does not fit in the
 * space left: the caller logs it to the chain instead (which folds the
 * journal first, so order holds).
 */
cpi_status cpi_audit_journal_append(cpi_audit_journal *j, cpi_audit_entry *e, bool *fitted, cpi_error *err);

/* Entries appended since the last fold. */
unsigned cpi_audit_journal_pending(const cpi_audit_journal *j);

/* Fold the journal into the chain in a write transaction of its own, then start a new generation. */
cpi_status cpi_audit_journal_fold(cpi_audit_journal *j, unsigned *folded, cpi_error *err);

/*
 * In the caller's write transaction: append to the chain every entry a journal
 * beside txn's store holds beyond the META mark, oldest first, and move the
 * mark. No journal, nothing to do. *folded (may be NULL) counts them.
 */
cpi_status cpi_audit_journal_fold_txn(cpi_txn *txn, unsigned *folded, cpi_error *err);

/*
 * Before reading the log: when a journal beside st holds entries the chain
 * does not, fold them (a write transaction). Reads only when there are none.
 */
cpi_status cpi_audit_journal_settle(cpi_store *st, cpi_error *err);

#endif
