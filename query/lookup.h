/*
 * lookup.h - turn what an officer types into the entities it may mean, and
 * never pick one of several.
 *
 * A QUERY may be:
 *   - an entity id: P-0000042, L-0000007, T-..., O-...;
 *   - a record or mention reference: niche:NOM-0000123, miraf:MF-2021-000045/1;
 *   - a system's own id: a Niche nominal or location id (NOM-0000123,
 *     LOC-0000042) or a PNC id (19/482213K);
 *   - a phone number (for a person: the people who use it);
 *   - a postcode or an address (places);
 *   - a name, "Forename Surname" or "SURNAME, Forename", optionally with a
 *     DOB: every mention whose surname key matches and whose forename or its
 *     nickname-canonical matches, through CPI_DB_KEYS (sn / sa, fn / nn, dob).
 * Each entity found becomes one candidate with what tells it apart from the
 * others (DOB, home postcode, sources, first and last seen): the caller shows
 * a list when there is more than one, and a profile only when there is one.
 * A mention the resolver has not placed in an entity is a candidate too,
 * marked unresolved, so nothing the force holds is silently missed.
 *
 * Ownership: candidates point into the arena given.
 */
#ifndef CPI_LOOKUP_H
#define CPI_LOOKUP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/store.h"

typedef struct cpi_lookup_opts {
    cpi_kind kind;        /* CPI_KIND_PERSON or CPI_KIND_LOCATION; 0: any */
    const char *dob;      /* optional date of birth (any documented date format) to narrow a name */
    uint32_t max;         /* candidates kept (0: 20); more are counted in `more` */
} cpi_lookup_opts;

typedef struct cpi_candidate {
    const char *entity_id;    /* NULL for an unresolved mention */
    const char *mention_ref;  /* the mention that matched, for unresolved ones and as evidence */
    cpi_kind kind;
    const char *name, *dob;
    const char *home;         /* person: current home address and postcode; place: its postcode */
    uint64_t flags;
    uint32_t sources, nmentions;
    int32_t first, last;
    const char *matched;      /* how the query found it: "entity id", "reference", "name", "name and dob", ... */
} cpi_candidate;

typedef struct cpi_lookup {
    const char *query_kind;   /* "entity id", "reference", "identifier", "phone", "postcode", "address", "name" */
    cpi_candidate *items;
    uint32_t n, more;
    const char *differs[8];   /* fields whose values differ between candidates: "dob", "home", ... */
    uint32_t ndiffers;
} cpi_lookup;

/*
 * Find the candidates for query. CPI_OK with n == 0 when nothing matches
 * (callers report "not found"); CPI_ERR_USAGE for a query that is none of the
 * forms above (with a message saying what is accepted).
 */
cpi_status cpi_lookup_run(cpi_txn *txn, const char *query, const cpi_lookup_opts *opts, cpi_arena *arena,
                          cpi_lookup *out, cpi_error *err);

/* The candidate list as JSON: {"query", "query_kind", "candidates": [...], "more", "differs": [...]}. */
json_t *cpi_lookup_json(const cpi_lookup *l, const char *query);
/* Print the candidate list for a person to choose from. */
void cpi_lookup_text(const cpi_lookup *l, const char *query, FILE *out);

#endif
