/*
 * keys.h - the normalised matching keys of one mention, from its raw values.
 *
 * This is where ingest meets core/normalise: one function per mention kind
 * turns the values an export gave (names, DOB or age, address, postcode,
 * phone, identifiers) into the short keys the store indexes and the resolver
 * compares. Key names (stable: the store and resolver rely on them):
 *
 *   person:   fn (first forename), fm (middle names), sn (surname), sa (a second surname
 *             key: the last part of a double-barrelled one), nn (nickname-canonical
 *             forename), fx / sx (phonetic forename / surname), dob (yyyy-mm-dd), by (birth
 *             year), dob_lo / dob_hi (range from an approximate age), nid (Niche nominal id),
 *             pnc, gender (m/f/u), street (street name)
 *   location: addr (address match key), house, flat, street_k, town, premises, pc
 *             (postcode), pcs (sector), pcd (district), place (a place's name), lid (Niche
 *             location id)
 *   phone:    tel (E.164)
 *   online:   email, user
 *
 * A key name may carry several values (nn for an ambiguous short form, fx / sx
 * for a Double Metaphone alternate); a value is never repeated under one name.
 * A value that cannot be normalised adds no key; its field's bit is set in
 * *bad so the engine can reject the row when the field is required.
 */
#ifndef CPI_KEYS_H
#define CPI_KEYS_H

#include "core/arena.h"
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
