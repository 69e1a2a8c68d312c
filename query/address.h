/*
 * address.h - what the force holds on one place, warnings first: the answer
 * an officer needs before attending an address.
 *
 * From the place's card and edges (one cursor) and the cards of the people
 * shown: warnings (cuckooed or trap house, an organised crime group operating
 * from it, a MACE location of concern, missing children found there, a
 * registered sex offender or SHPO holder living there, a MARAC victim's or
 * POLIT subject's address - restricted), the risky people linked and how,
 * the children linked and how, the other residents, what kinds of
 * occurrences happened there, and the gap of an RSO living where MARAC lists
 * children. Restricted sources are withheld exactly as in a profile
 * (query/profile.h).
 *
 * Ownership: everything points into the arena given.
 */
#ifndef CPI_ADDRESS_H
#define CPI_ADDRESS_H

#include "query/profile.h"

typedef struct cpi_place_person {
    const char *id, *name, *dob;
    uint64_t flags;       /* visible flags */
    bool resident;        /* a current lives-at here */
    int score;
    cpi_pf_link *links;   /* how linked to the place (direction: the person -> the place when out) */
    uint32_t nlinks;
} cpi_place_person;

typedef struct cpi_place_activity {
    const char *type;     /* "found-at", "victim-in", "suspect-in", "missing-from", ... */
    uint32_t people, records;
    int32_t last;
} cpi_place_activity;

typedef struct cpi_place_report {
    const char *entity_id, *name, *postcode;
    uint64_t flags;
    cpi_detail detail;
    int32_t as_of;
    CPI_PF_LIST(cpi_pf_warning, warnings);
    CPI_PF_LIST(cpi_place_person, risky_people);
    CPI_PF_LIST(cpi_place_person, children);
    CPI_PF_LIST(cpi_place_person, residents); /* other people living there */
    CPI_PF_LIST(cpi_place_activity, activity);
    CPI_PF_LIST(cpi_pf_gap, gaps);
    CPI_PF_LIST(cpi_pf_withheld, withheld);
    uint32_t truncated;
} cpi_place_report;

/* The report on place id (a location entity; CPI_ERR_USAGE for anything else). */
cpi_status cpi_address_build(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena,
                             cpi_place_report *out, cpi_error *err);

#endif
