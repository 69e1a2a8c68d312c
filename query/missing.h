/*
 * missing.h - the trigger plan for a child reported missing now: where to
 * look first, whom to locate, which other children may be with them.
 *
 * Built on the child's full profile (query/profile.h), so it reads no more
 * than a profile does. Places are ranked by a stated rule, highest first:
 *   found-at (MIRAF)           100 + 10 x times found there (at most +50)
 *   frequents (MACE concern)    60
 *   where a risky person linked to the child lives or operates from
 *                               50, +20 if they pose a risk to or had a CAWN
 *                               served about this child
 *   an occurrence place where the child was a victim   30
 *   each of the above: +20 when its latest record is within a year of the
 *   child's latest record
 * ties broken by the latest date, then the entity id. So the place the child
 * was found most often comes first. The home or placement they went missing
 * from is listed apart, as the start.
 *
 * Ownership: everything points into the arena given.
 */
#ifndef CPI_MISSING_H
#define CPI_MISSING_H

#include "query/profile.h"

typedef struct cpi_plan_place {
    const char *id, *name, *postcode;
    uint64_t flags;
    int score;
    const char *why;      /* "found here 7 times (MIRAF), last 2022-07-19" */
    int32_t last;
} cpi_plan_place;

typedef struct cpi_missing_plan {
    cpi_profile profile;  /* the child's profile (full detail, withholding as asked) */
    CPI_PF_LIST(cpi_plan_place, places);
    const char *home_id, *home_name; /* current home or placement, NULL if none known */
    uint8_t miraf_grade;  /* from the card: 0 none, 1 low, 2 medium, 3 high */
    uint16_t episodes;
    int32_t last_missing;
} cpi_missing_plan;

cpi_status cpi_missing_build(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena,
                             cpi_missing_plan *out, cpi_error *err);

#endif
