/*
 * keys.h - the normalised matching keys of one mention, from its raw values.
 *
 * This is where ingest meets core/normalise: one function per mention kind
 * turns the values an export gave (names, DOB or age, address, postcode,
 * phone, identifiers) into the short keys the store indexes and the resolver
 * compares. Their names are core/keyname.h's table (CPI_KEY_*): written here,
 * indexed by the store, read by the resolver and the queries.
 *
 * A key name may carry several values (nn for an ambiguous short form, fx / sx
 * for a Double Metaphone alternate); a value is never repeated under one name.
 * A value that cannot be normalised adds no key; its field's bit is set in
 * *bad so the engine can reject the row when the field is required.
 */
#ifndef CPI_KEYS_H
#define CPI_KEYS_H

#include "core/arena.h"
#include "core/keyname.h"
#include "ingest/kvbuf.h"
#include "ingest/spec.h"

/* values[f] is the raw text of field f (NULL or "" if absent). */
cpi_status cpi_keys_build(cpi_kind kind, const char *const values[CPI_F__COUNT], int32_t record_day,
                          cpi_arena *arena, cpi_kvbuf *keys, unsigned long *bad, cpi_error *err);

/*
 * The street name a free-text note gives ("Known on the street as Smokey", "street name: K-Dog"),
 * copied into the arena; NULL when the note names none (or on no memory: *nomem is set).
 * The name runs to the end of the note or its first '.', ',', ';', '(' or '"'.
 */
const char *cpi_keys_street_from_note(const char *note, cpi_arena *arena, bool *nomem);

#endif
