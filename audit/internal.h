/*
 * audit/internal.h - what audit.c and audit/journal.c share: the stored
 * value's encoding and an append that does not look at the journal first.
 */
#ifndef CPI_AUDIT_INTERNAL_H
#define CPI_AUDIT_INTERNAL_H

#include <msgpack.h>

#include "audit/audit.h"

/* e as a stored value, body || BLAKE2b-256(body), with e->seq and e->prev as they are; sets e->hash. */
cpi_status cpi_audit_encode(cpi_audit_entry *e, msgpack_sbuffer *sb, cpi_error *err);

/* cpi_audit_append without folding a journal first (the fold itself uses it). */
cpi_status cpi_audit_append_chain(cpi_txn *txn, cpi_audit_entry *e, cpi_error *err);

#endif
