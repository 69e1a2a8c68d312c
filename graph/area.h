/*
 * area.h - which part of the force an entity belongs to, and the areas a
 * store knows, so a meeting or an analyst can work on one area.
 *
 * A force reports by local authority (in the generated force: Newport,
 * Torfaen, Monmouthshire, Blaenau Gwent, Caerphilly) and by policing area
 * (the EAST / WEST that MACE meetings, MARAC and SOC plans and Niche
 * occurrences carry). The graph build (graph/graph_area.c) decides, for each
 * entity, one of each, by this rule:
 *
 *   place   local authority: the local_authority of its own Niche location
 *           row; else the authority Niche location rows most often give for
 *           its postcode district; else for its town. Policing area: the
 *           area Niche occurrences most often record for that authority.
 *   person  local authority: that of their home - the place of their
 *           current lives-at link with the latest date (a previous address
 *           only when none is current). Policing area: the area of their
 *           latest MACE meeting (the meeting that owns the child); else that
 *           of their local authority.
 *
 * Nothing is hard-coded: the district, town and area tables are learned from
 * the store's own Niche rows, so another force's exports give its own areas.
 * An entity is IN an area when the name (any case) is its local authority or
 * its policing area. A person with no known home and never discussed at MACE
 * is in no area: callers say how many such people they left out rather than
 * lose them silently.
 *
 * Stored: the card's `la` and `area` (graph/graphdb.h), and the list of known
 * areas under CPI_DB_ANALYTICS "a\x1fareas" as a msgpack array of
 * [name, kind, children, people, places].
 *
 * Ownership: strings point into the arena passed to the readers.
 */
#ifndef CPI_AREA_H
#define CPI_AREA_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/store.h"
#include "graph/graphdb.h"

enum { CPI_AREA_LA = 1, CPI_AREA_POLICING = 2 };
#define CPI_AREA_MAX 64 /* areas a store keeps per-area analytics for */

typedef struct cpi_area_info {
    const char *name; /* as the data writes it: "Newport", "EAST" */
    int kind;         /* CPI_AREA_LA or CPI_AREA_POLICING */
    uint32_t children, people, places; /* entities in it (children are counted in people too) */
} cpi_area_info;

/* "local-authority" / "policing-area". */
const char *cpi_area_kind_name(int kind);

/* The known areas: local authorities first, then policing areas, each by name. */
cpi_status cpi_areas_list(cpi_txn *txn, cpi_arena *arena, cpi_area_info **out, uint32_t *n, cpi_error *err);

/*
 * The stored name that `name` means (compared without regard to case):
 * *canon and *kind (CPI_AREA_LA or CPI_AREA_POLICING; kind may be NULL) set
 * and CPI_OK; CPI_ERR_USAGE with a message listing the known
 * areas when there is none; CPI_NOT_FOUND when the graph holds no areas.
 */
cpi_status cpi_area_find(cpi_txn *txn, const char *name, cpi_arena *arena, const char **canon, int *kind,
                         cpi_error *err);

/* Whether the card is in `area` (a canonical name, or any case of one). */
bool cpi_card_in_area(const cpi_card *c, const char *area);
/* Whether the card's area of this kind is known at all (else: in no area of that kind). */
bool cpi_card_placed(const cpi_card *c, int kind);

#endif
