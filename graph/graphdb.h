/*
 * graphdb.h - what the graph build writes and every query reads: entity
 * edges (CPI_DB_EDGES) and entity cards (CPI_DB_ANALYTICS "e\x1fID").
 *
 * An edge is one typed relation between two entities, aggregated over every
 * record that supports it: first and last date, how many records, the
 * sources they came from and the most recent record references. It is stored
 * under both ends (dupsort), so a query walks an entity's neighbourhood with
 * one cursor and no reads of the other end: the edge also carries the other
 * entity's flags (child, risky adult, place of concern...).
 *
 * A card is an entity's summary: display name, DOB or postcode, the flags its
 * records give it (each flag belongs to one source, so restricted ones can be
 * withheld), the figures the agenda ranks by, and the analytics results
 * (network, community, reach). Queries read cards instead of decoding other
 * entities' records, which keeps a child profile to a handful of reads.
 *
 * Both are msgpack maps with short field names; decoding is strict (an
 * unknown field or wrong type is an error naming the key). LMDB stores a
 * dupsort value in at most 511 bytes, so an edge keeps at most
 * CPI_EDGE_REFS_MAX references; when it has more, `more` is set and the full
 * list is under CPI_DB_ANALYTICS "s\x1fFROM\x1fTYPE\x1fTO" (FROM -> TO as the
 * relation reads).
 *
 * Ownership: decoded strings point into the arena given to the decoder.
 */
#ifndef CPI_GRAPHDB_H
#define CPI_GRAPHDB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/model.h"
#include "core/store.h"
#include "core/source.h"

#define CPI_EDGE_REFS_MAX 4
#define CPI_EDGE_VALUE_MAX 511

/* ---- entity flags: what an entity's records say about it ---- */
enum {
    /* people */
    CPI_EF_CHILD = 0,      /* under 18 when last recorded, or recorded in a child's role */
    CPI_EF_ADULT,          /* 18 or over when last recorded, or in an adult's role */
    CPI_EF_RSO,            /* Niche warning: registered sex offender */
    CPI_EF_SHPO,           /* Niche warning: sexual harm prevention order */
    CPI_EF_CAWN,           /* served a child abduction warning notice (MIRAF, or a Niche CAWN marker) */
    CPI_EF_VIOLENT,        /* Niche warning: violent */
    CPI_EF_MIRAF_RISK,     /* named on a MIRAF form as posing a risk to a missing child */
    CPI_EF_MACE_ADULT,     /* adult of concern at a MACE meeting */
    CPI_EF_OCG,            /* member of an organised crime group (SOC plan) */
    CPI_EF_PERPETRATOR,    /* domestic abuse perpetrator at MARAC (restricted) */
    CPI_EF_POLIT_SUBJECT,  /* online child abuse subject (POLIT, restricted) */
    CPI_EF_SUSPECT,        /* suspect or offender in a Niche occurrence */
    CPI_EF_CPP,            /* Niche warning: child protection plan */
    CPI_EF_LAC,            /* looked after (Niche warning or MIRAF looked_after = Y) */
    CPI_EF_CSE_RISK,       /* Niche warning: CSE risk */
    CPI_EF_CCE_RISK,       /* Niche warning: CCE risk */
    CPI_EF_REPEAT_MISSING, /* Niche warning: repeat missing */
    CPI_EF_MARAC_MARKER,   /* Niche warning: MARAC */
    CPI_EF_MISSING,        /* a MIRAF form, or a missing person in a Niche occurrence */
    CPI_EF_MACE_CHILD,     /* discussed at a MACE meeting */
    CPI_EF_SOC_CHILD,      /* child at risk in a SOC plan */
    CPI_EF_MARAC_CHILD,    /* in a MARAC household (restricted) */
    CPI_EF_POLIT_CHILD,    /* POLIT victim or lives with a POLIT subject (restricted) */
    CPI_EF_PPN,            /* subject of a public protection notice */
    CPI_EF_PPN_UNSHARED,   /* ...one of which was not shared with social care */
    CPI_EF_VICTIM,         /* victim in a Niche occurrence */
    /* places */
    CPI_EF_HOME,           /* a home (Niche type HOME, or lived at) */
    CPI_EF_CARE_HOME,
    CPI_EF_FOSTER_HOME,
    CPI_EF_SCHOOL,
    CPI_EF_CUCKOOED,       /* SOC or Niche: cuckooed address */
    CPI_EF_TRAP_HOUSE,
    CPI_EF_PLACE_OF_CONCERN, /* MACE location of concern */
    CPI_EF_FOUND_AT,       /* a missing child was found here (MIRAF) */
    CPI_EF_MARAC_ADDRESS,  /* a MARAC victim's address (restricted) */
    CPI_EF_POLIT_ADDRESS,  /* a POLIT subject's address (restricted) */
    CPI_EF_OCG_ADDRESS,    /* an organised crime group operates from here */
    /* phones and online identities */
    CPI_EF_DEAL_LINE,      /* a county-line deal line (SOC) */
    CPI_EF_RISK_PHONE,     /* used by someone posing a risk */
    CPI_EF__COUNT
};
#define CPI_EF(f) (1ull << (f))
/* People who pose a risk to children: the "why" of a risky-people entry. */
#define CPI_EF_RISKY                                                                                    \
    (CPI_EF(CPI_EF_RSO) | CPI_EF(CPI_EF_SHPO) | CPI_EF(CPI_EF_CAWN) | CPI_EF(CPI_EF_MIRAF_RISK) |          \
     CPI_EF(CPI_EF_MACE_ADULT) | CPI_EF(CPI_EF_OCG) | CPI_EF(CPI_EF_PERPETRATOR) |                        \
     CPI_EF(CPI_EF_POLIT_SUBJECT) | CPI_EF(CPI_EF_SUSPECT))
/* Places where risk is recorded (not homes or schools in themselves). */
#define CPI_EF_PLACE_RISK                                                                               \
    (CPI_EF(CPI_EF_CUCKOOED) | CPI_EF(CPI_EF_TRAP_HOUSE) | CPI_EF(CPI_EF_PLACE_OF_CONCERN) |               \
     CPI_EF(CPI_EF_FOUND_AT) | CPI_EF(CPI_EF_OCG_ADDRESS))

/*
 * Whether flags describe a person who poses a risk to children: any risk flag
 * on an adult; on someone recorded as a child, a flag other than being an
 * occurrence suspect (a 17-year-old named as an adult of concern is a risk; a
 * 14-year-old suspect in a fight is not counted as one).
 */
bool cpi_flags_risky(uint64_t flags);

typedef struct cpi_flag_info {
    const char *name;  /* stable JSON name: "rso", "place-of-concern" */
    const char *label; /* for people: "registered sex offender" */
    cpi_src source;    /* the silo that says so (restricted flags are withheld with it) */
} cpi_flag_info;

/* NULL past the end. */
const cpi_flag_info *cpi_flag_info_get(unsigned flag);
/*
 * "label; label" for the flags in flags & mask, in flag order ("" for none): a
 * warning's text names them (query/address.c) and every text answer lists them.
 */
void cpi_flag_labels(uint64_t flags, uint64_t mask, char *out, size_t cap);
/* The flags in mask whose source is in src_mask. */
uint64_t cpi_flags_from_sources(uint64_t mask, uint32_t src_mask);

/* ---- edges ---- */

typedef struct cpi_edge {
    const char *type;   /* relation type ("poses-risk-to") or a derived one ("suspect-in") */
    const char *other;  /* entity id at the other end */
    bool out;           /* true: this entity is the relation's subject (this -> other) */
    bool current;       /* lives-at: at least one supporting record does not mark it previous */
    bool more;          /* more supporting references than refs[] holds (full list in analytics) */
    int32_t first, last;/* supporting dates, CPI_DAY_NONE if none is dated */
    uint32_t count;     /* supporting records */
    uint32_t times;     /* found-at: the most times found there on one form; possible-match: the pair's
                           probability in thousandths; else = count */
    uint32_t sources;   /* CPI_SRC_BIT mask of the supporting records */
    uint64_t other_flags; /* the other entity's card flags */
    const char *refs[CPI_EDGE_REFS_MAX]; /* most recent supporting record references first */
    uint32_t nrefs;
    bool refs_skipped;  /* read by cpi_graph_edges_light: refs not copied (cpi_edge_fill_refs) */
    const void *raw;    /* the stored value (valid while the transaction is open), for fill_refs */
    size_t raw_len;
} cpi_edge;

/* Encode into buf (at most CPI_EDGE_VALUE_MAX bytes; refs are dropped from the end to fit). */
cpi_status cpi_edge_encode(const cpi_edge *e, char *buf, size_t cap, size_t *len, cpi_error *err);
cpi_status cpi_edge_decode(const char *key, const void *data, size_t len, cpi_arena *arena, cpi_edge *out,
                           cpi_error *err);

/*
 * Load up to max edges of entity id (in stored order: by type, then other)
 * into *out (arena). *total is how many it has (all of them counted, even
 * past max), so a caller can tell a hub from an ordinary node.
 */
cpi_status cpi_graph_edges(cpi_txn *txn, const char *id, uint32_t max, cpi_arena *arena, cpi_edge **out,
                           uint32_t *n, uint32_t *total, cpi_error *err);

/*
 * The same, for walks that look at many edges and keep few (a place's or a
 * risky adult's neighbourhood): only edges whose type is in `types`
 * (NULL-terminated; NULL = all) are read, found by seeking to each type's run
 * of values rather than stepping over the others, at most max of them (*total
 * is then how many were read, so total >= max says "at least max"), and their
 * references are not copied: cpi_edge_fill_refs() copies those of an edge that
 * is kept, while the transaction is open.
 */
cpi_status cpi_graph_edges_light(cpi_txn *txn, const char *id, const char *const *types, uint32_t max,
                                 cpi_arena *arena, cpi_edge **out, uint32_t *n, uint32_t *total, cpi_error *err);
cpi_status cpi_edge_fill_refs(cpi_edge *e, const char *key, cpi_arena *arena, cpi_error *err);

/* ---- cards ---- */

typedef struct cpi_card {
    const char *id;
    cpi_kind kind;
    const char *name;     /* person: "Forename SURNAME"; place: premises and address; phone/online: value */
    const char *dob;      /* person: yyyy-mm-dd, NULL if unknown */
    const char *postcode; /* place: "NP20 1AB", NULL if unknown */
    const char *la;       /* local authority ("Newport"), NULL if unknown: graph/area.h says how it is decided */
    const char *area;     /* policing area as the silos write it ("EAST"), NULL if unknown */
    uint64_t flags;       /* CPI_EF() bits */
    uint32_t sources;     /* CPI_SRC_BIT mask of the records that mention it */
    uint32_t nmentions;
    int32_t first, last;  /* its records' dates */
    /* what the agenda ranks by (people) */
    uint8_t mace_risk;    /* latest MACE risk level: 0 none, 1 low, 2 medium, 3 high */
    int16_t seraf;        /* latest SERAF score, -1 if none */
    int32_t mace_day;     /* latest MACE meeting, CPI_DAY_NONE if never */
    bool mace_unflagged;  /* the latest MACE meeting recorded it as not flagged on Niche */
    uint8_t miraf_grade;  /* latest MIRAF risk grading: 0 none, 1 low, 2 medium, 3 high */
    uint16_t episodes;    /* missing episodes on the latest MIRAF form */
    int32_t last_missing; /* latest missing date known (MIRAF or Niche), CPI_DAY_NONE if none */
    /* graph figures (set by the analytics pass) */
    uint32_t degree;      /* distinct entities linked */
    uint32_t component;   /* connected network number, 1 = largest; 0 = isolated */
    uint32_t community;   /* community number within the whole graph (Louvain), 0 = none */
    uint32_t reach;       /* people: distinct children linked directly or through one place or phone;
                             places: distinct children linked (reach_open for places only) */
    uint32_t risky_reach; /* distinct risky people linked: to a place by any edge, to a person directly */
    uint32_t reach_open, risky_reach_open; /* the same counted on open sources only (no MARAC or POLIT):
                                              what a user without those roles may be told */
} cpi_card;

/* The card key for id: "e\x1fID". Returns the length. */
size_t cpi_card_key(const char *id, char *buf, size_t cap);
cpi_status cpi_card_encode(const cpi_card *c, char **out, size_t *len, cpi_error *err); /* *out malloc'd */
cpi_status cpi_card_decode(const char *id, const void *data, size_t len, cpi_arena *arena, cpi_card *out,
                           cpi_error *err);
/* Call fn for every card in the graph, in id order; a non-OK return from fn stops the walk and is returned. */
typedef cpi_status (*cpi_card_fn)(const cpi_card *card, void *ctx, cpi_error *err);
cpi_status cpi_cards_each(cpi_txn *txn, cpi_card_fn fn, void *ctx, cpi_error *err);
/* Read id's card. CPI_NOT_FOUND (with a message) if the graph has no such entity. */
cpi_status cpi_card_get(cpi_txn *txn, const char *id, cpi_arena *arena, cpi_card *out, cpi_error *err);

/* The kind an entity id names by its letter (P, L, T, O); 0 if not an entity id. */
cpi_kind cpi_entity_id_kind(const char *id);

#endif
