/*
 * profile.h - everything the force holds on one person (a child first of
 * all), warnings first, read from the store without loading the graph.
 *
 * A profile reads: the entity's card and members (CPI_DB_MEMBERS), the
 * records its mentions sit in, its edges, and the cards and edges of the
 * people, places and phones next to it. It never scans a database and never
 * decodes a record it does not show, so it stays a handful of reads however
 * big the store is.
 *
 * Sections (JSON keys in docs/queries.md): identity (names, dobs, genders,
 * addresses, references), warnings, risky_people, places,
 * connected_children, timeline, possible_matches, gaps.
 *
 * Restricted sources. Every item carries the sources it rests on. Sources in
 * opts.withhold (POLIT and MARAC for most officers) are taken out item by
 * item: an item resting only on withheld sources is dropped and counted in
 * its section's `withheld` note, which says which source holds something and
 * whom to contact; an item also supported by an open source stays, with the
 * withheld part (flags, references) removed. Access control decides the mask;
 * the profile only obeys it.
 *
 * Ownership: everything in a cpi_profile points into the arena passed to
 * cpi_profile_build(); free the arena to free the profile.
 */
#ifndef CPI_PROFILE_H
#define CPI_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/store.h"
#include "graph/graphdb.h"
#include "core/source.h"

typedef enum cpi_detail {
    CPI_DETAIL_BRIEF = 0, /* an officer before attending: the top few of each list, no timeline */
    CPI_DETAIL_FULL = 1,  /* an analyst: every list in full, timeline included */
} cpi_detail;

typedef struct cpi_profile_opts {
    cpi_detail detail;
    uint32_t withhold;                    /* CPI_SRC_BIT mask of sources to withhold */
    const char *contact[CPI_SRC__COUNT];  /* whom to ask about a withheld source; NULL: a default */
    int32_t today;                        /* for ages and "recent"; 0 or CPI_DAY_NONE: the latest date seen */
    uint32_t max_items;                   /* per list; 0: 5 brief, 200 full */
} cpi_profile_opts;

#define CPI_PF_REFS 4 /* references kept per item (the most recent) */

/* A value as different systems wrote it: a name, a DOB, a gender. */
typedef struct cpi_pf_value {
    const char *text;
    uint32_t count;   /* mentions giving it */
    uint32_t sources; /* CPI_SRC_BIT mask */
} cpi_pf_value;

/* How this person is linked to something: one edge, seen from the profile's subject. */
typedef struct cpi_pf_link {
    const char *type;  /* "poses-risk-to", "found-at", ... */
    bool out;          /* subject -> other; for a link via a place: the other -> the place */
    bool current;
    const char *via_id, *via_name; /* when linked through a place or phone, that place or phone */
    int32_t first, last;
    uint32_t count, times, sources;
    const char *refs[CPI_PF_REFS];
    uint32_t nrefs;
} cpi_pf_link;

typedef struct cpi_pf_warning {
    const char *code;  /* "cpp", "missing", "exploitation", "cawn", "marac-household", ... */
    const char *text;  /* one line, most telling fact first */
    int level;         /* 3 high, 2 medium, 1 information */
    cpi_src source;
    int32_t day, end;  /* start (or latest) and end, CPI_DAY_NONE if none */
    const char *refs[CPI_PF_REFS];
    uint32_t nrefs;
    bool own;          /* the subject's own risk flag or risk marker (OCG member, MIRAF risk person, MACE adult
                          of concern, MARAC perpetrator, POLIT subject, suspect; RSO, SHPO, violent, CAWN
                          markers): listed before everything else, which is what is linked to them */
} cpi_pf_warning;

/* Occurrences a risky person was a suspect or offender in, by place (or by victim). */
typedef struct cpi_pf_occurrence {
    const char *type;  /* "suspect-in", "offender-in" (other = the place), "suspect-against" (other = the victim) */
    const char *other_id, *other_name;
    uint64_t other_flags;   /* the place's (or victim's) visible flags: a trap house says so wherever it is named */
    int32_t first, last;
    uint32_t count;
    const char *refs[CPI_PF_REFS];
    uint32_t nrefs;
} cpi_pf_occurrence;

typedef struct cpi_pf_person {
    const char *id, *name, *dob;
    uint64_t flags;         /* visible flags only */
    int score;              /* ordering: more reasons, closer links, more recent first */
    cpi_pf_link *links;     /* how linked to the subject */
    uint32_t nlinks;
    cpi_pf_occurrence *occurrences;
    uint32_t noccurrences;
    uint32_t noccurrences_total; /* before the brief view's cut to the latest four */
    const char **phones;    /* numbers they use */
    uint32_t nphones;
    const char *address_ids[3], *address_names[3], *address_types[3]; /* where they live or operate from */
    uint64_t address_flags[3]; /* those places' visible flags (type and risk markers) */
    uint32_t naddresses;
} cpi_pf_person;

typedef struct cpi_pf_place {
    const char *id, *name, *postcode;
    uint64_t flags;
    int score;
    cpi_pf_link *links;     /* how the subject is linked to it */
    uint32_t nlinks;
    uint32_t children, risky; /* others linked to it (visible sources only, unless a hub) */
    bool hub;               /* more than CPI_ANALYTICS_HUB links: not walked; counts from the graph build */
    const char *risky_ids[3], *risky_names[3];
    uint32_t nrisky_named;
} cpi_pf_place;

typedef struct cpi_pf_via {
    const char *kind;      /* "person", "place", "phone" */
    const char *id, *name;
    uint64_t flags;        /* a place's visible flags (its type and risk markers); 0 for people and phones */
} cpi_pf_via;

typedef struct cpi_pf_child {
    const char *id, *name, *dob;
    uint64_t flags;
    cpi_pf_via *vias;
    uint32_t nvias;
} cpi_pf_child;

typedef struct cpi_pf_event {
    int32_t day;
    const char *ref, *type, *role, *summary;
    cpi_src source;
} cpi_pf_event;

/* Another entity the resolver thinks may be this one, for a person to decide (cpindex review / link). */
typedef struct cpi_pf_match {
    const char *id, *name, *dob;
    uint64_t flags;
    double probability;    /* the best pair's */
    const char *mention_a, *mention_b; /* that pair: one of this entity's mentions, one of the other's */
    uint32_t pairs;        /* pairs between the two entities left for review */
} cpi_pf_match;

typedef struct cpi_pf_gap {
    const char *code;   /* "mace-not-flagged", "missing-no-prevention-interview", ... */
    const char *text;
    cpi_src source;
    const char *refs[CPI_PF_REFS];
    uint32_t nrefs;
} cpi_pf_gap;

typedef struct cpi_pf_address {
    const char *id, *name, *postcode;
    const char *status; /* "current" or "previous" */
    const char *kind;   /* "home", "care-home", "foster-home", "school", "other" */
    int32_t first, last;
    uint32_t sources;
    uint64_t flags;     /* the place's visible flags: type and risk markers (trap house, cuckooed, ...) */
} cpi_pf_address;

typedef struct cpi_pf_reference {
    const char *ref, *type, *role;
    int32_t day;
    cpi_src source;
} cpi_pf_reference;

/* What a section left out because its source is withheld. */
typedef struct cpi_pf_withheld {
    const char *section; /* "warnings", "risky_people", ... */
    cpi_src source;
    uint32_t items;
    const char *contact;
} cpi_pf_withheld;

#define CPI_PF_LIST(T, name) \
    T *name;                 \
    uint32_t n##name

typedef struct cpi_profile {
    const char *entity_id, *name, *dob;
    cpi_kind kind;
    bool is_child;
    uint64_t flags; /* visible card flags */
    cpi_detail detail;
    int32_t as_of;
    CPI_PF_LIST(cpi_pf_value, names);
    CPI_PF_LIST(cpi_pf_value, dobs);
    CPI_PF_LIST(cpi_pf_value, genders);
    CPI_PF_LIST(cpi_pf_address, addresses);
    CPI_PF_LIST(cpi_pf_reference, references);
    CPI_PF_LIST(cpi_pf_warning, warnings);
    CPI_PF_LIST(cpi_pf_person, risky_people);
    CPI_PF_LIST(cpi_pf_place, places);
    CPI_PF_LIST(cpi_pf_child, connected_children);
    CPI_PF_LIST(cpi_pf_event, timeline);
    CPI_PF_LIST(cpi_pf_match, possible_matches); /* the resolver's review pairs naming this person */
    CPI_PF_LIST(cpi_pf_gap, gaps);
    CPI_PF_LIST(cpi_pf_withheld, withheld);
    uint32_t truncated; /* risky people, places, children, warnings... left off for the detail level */
} cpi_profile;

/*
 * Build the profile of entity id (a person; CPI_ERR_USAGE for a place or
 * phone: see cpi_address_*). CPI_NOT_FOUND if the graph has no such entity.
 */
cpi_status cpi_profile_build(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena,
                             cpi_profile *out, cpi_error *err);

#endif
