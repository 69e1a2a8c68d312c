/*
 * lookup.h - turn what an officer types into the entities it may mean, and
 * never pick one of several.
 *
 * A QUERY may be:
 *   - an entity id: P-0000042, L-0000007, T-..., O-...;
 *   - a record or mention reference: niche:NOM-0000123, miraf:MF-2021-000045/1;
 *   - a system's own id: a Niche nominal or location id (NOM-0000123,
 *     LOC-0000042) or a PNC id (19/482213K);
 *   - a phone number in any format (07700 900123, +44 7700 900123,
 *     447700900123; for a person: the people who use it);
 *   - a postcode or an address (places), written as people type it: with or
 *     without commas ("6 Tan y Bryn Caerphilly" finds "6 Tan y Bryn,
 *     Caerphilly": the trailing words are tried as the town), the street
 *     matched fuzzily under the house number (Jaro-Winkler over the index's
 *     streets at that number), and a town or postcode in the query narrowing
 *     the candidates to the places in it whenever any is;
 *   - a name, "Forename Surname" or "SURNAME, Forename", optionally with a
 *     DOB: every mention whose surname key matches and whose forename or its
 *     nickname-canonical matches, through CPI_DB_KEYS (sn / sa, fn / nn, dob).
 *     One word alone ("Jones") is tried as a surname, then as a forename.
 * Each entity found becomes one candidate with what tells it apart from the
 * others (DOB, home postcode, sources, first and last seen): the caller shows
 * a list when there is more than one, and a profile only when there is one.
 * A mention the resolver has not placed in an entity is a candidate too,
 * marked unresolved, so nothing the force holds is silently missed.
 *
 * Candidates are ranked: how well they matched (an exact key and the town
 * given before a fuzzy street; a surname before a forename), then how many
 * warnings they carry, then the latest record. Each says its kind, its type
 * (child, adult; trap house, cuckooed address, MACE location of concern...),
 * its warnings and why it matched. Two candidates the resolver left as a
 * possible match are listed together (query/same.h). A candidate known only
 * to sources the user may not read is not listed but counted in `withheld`,
 * so the list can say that restricted information is held and whom to ask.
 *
 * Ownership: candidates point into the arena given.
 */
#ifndef CPI_LOOKUP_H
#define CPI_LOOKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/store.h"
#include "core/source.h"

typedef struct cpi_lookup_opts {
    cpi_kind kind;        /* CPI_KIND_PERSON or CPI_KIND_LOCATION; 0: any */
    const char *dob;      /* optional date of birth (any documented date format) to narrow a name */
    uint32_t max;         /* candidates kept (0: 20); more are counted in `more` */
    uint32_t withhold;    /* CPI_SRC_BIT mask of sources the user may not read (flags and sources left out) */
    const char *contact[CPI_SRC__COUNT]; /* whom to ask about a withheld source; NULL: a default */
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
    const char *type;         /* "child", "adult", "person"; a place's most telling type ("trap house",
                                 "cuckooed address", "MACE location of concern", "home"...); "deal line" */
    uint32_t warnings;        /* warning flags it carries (risk flags, a child's risk markers, a place's risk
                                 markers), open sources only: their labels are `flags` & CPI_LOOKUP_WARN_FLAGS */
    int score;                /* how well it matched (higher first; the ranking's first key) */
    const char *same_as;      /* the better-ranked candidate it is possibly the same person (or place) as,
                                 per the resolver's review pairs (query/same.h); NULL if none */
    uint32_t same_prob;       /* that pair's probability in thousandths (0: through another candidate) */
    int area_match;           /* a place: 1 in the town or postcode the query gave, -1 not, 0 none given */
} cpi_candidate;

/* The flags that count as a candidate's warnings (for a child, being a suspect is not one). */
uint64_t cpi_lookup_warn_flags(uint64_t flags);

typedef struct cpi_lookup {
    const char *query_kind;   /* "entity id", "reference", "identifier", "phone", "postcode", "address", "name" */
    cpi_candidate *items;
    uint32_t n, more;
    const char *differs[8];   /* fields whose values differ between candidates: "dob", "home", ... */
    uint32_t ndiffers;
    uint32_t withheld;        /* candidates left out: known only to withheld sources */
    uint32_t withheld_sources;/* CPI_SRC_BIT mask of those sources */
    const char *contact[CPI_SRC__COUNT]; /* whom to ask about each (from the options, or a default) */
    uint32_t elsewhere;       /* places left out because the town or postcode given matched others */
    const char *town;         /* the town the query was narrowed by (as folded), NULL if none */
} cpi_lookup;

/*
 * Find the candidates for query. CPI_OK with n == 0 when nothing matches
 * (callers report "not found"); CPI_ERR_USAGE for a query that is none of the
 * forms above (with a message saying what is accepted).
 */
cpi_status cpi_lookup_run(cpi_txn *txn, const char *query, const cpi_lookup_opts *opts, cpi_arena *arena,
                          cpi_lookup *out, cpi_error *err);

#endif
