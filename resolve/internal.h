/*
 * resolve/internal.h - what the resolve_*.c files share: the compact
 * in-memory form of every record and mention, the union-find with its
 * conflict guard, blocking and scoring. Not a public interface.
 *
 * Layout. One pass over the store fills:
 *   - recs[r]: record r (refs sorted as the store sorts them), its mentions
 *     are mentions[recs[r].first .. +nmentions), its relations
 *     rels[recs[r].first_rel .. +nrels);
 *   - mentions[i]: kind, role, dates and up to RS_NKEYS interned key ids
 *     (0 = absent), by per-kind slot (RS_P_*, RS_L_*, ...);
 *   - strings in one cpi_intern, so comparing two keys is comparing ids and
 *     a key's text is one lookup away.
 * Mentions are numbered globally; a mention index is the unit of clustering.
 *
 * Ownership: cpi_rs_data owns every array it points to (cpi_rs_data_free).
 */
#ifndef CPI_RESOLVE_INTERNAL_H
#define CPI_RESOLVE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "resolve/fs.h"
#include "resolve/resolve.h"
#include "core/intern.h"

/* Key slots. Person, location, phone and online mentions share the array. */
enum {
    RS_P_FN = 0, /* first forename */
    RS_P_FM,     /* middle names */
    RS_P_SN,     /* surname */
    RS_P_SA,     /* second surname key (last part of a double-barrelled one) */
    RS_P_FX,     /* Double Metaphone of the forename (primary) */
    RS_P_FX2,    /* ...alternate */
    RS_P_SX,
    RS_P_SX2,
    RS_P_NID,    /* Niche nominal id */
    RS_P_PNC,
    RS_P_GENDER, /* "m" / "f"; "u" is dropped */
    RS_P_STREET, /* street name (what an adult is called) */
    RS_P_EMAIL,  /* the person's own email column (a spreadsheet's; silos write online mentions) */
    RS_P__N
};
enum {
    RS_L_ADDR = 0, RS_L_HOUSE, RS_L_FLAT, RS_L_STREET, RS_L_TOWN, RS_L_PREMISES, RS_L_PC, RS_L_PCS, RS_L_PCD,
    RS_L_PLACE, RS_L_LID, RS_L__N
};
enum { RS_T_TEL = 0, RS_T__N };
enum { RS_O_EMAIL = 0, RS_O_USER, RS_O__N };
#define RS_NKEYS 13

/* Mention flags. */
#define RS_F_CHILD_ROLE 1u /* a role that names a child (missing-child, household-child, ...) */
#define RS_F_STRONG 2u     /* person: enough to score (a full name, or a surname and a DOB, or a PNC) */
#define RS_F_WEAK 4u       /* person: some name or street name, but too little to score on its own */
#define RS_F_SCORED 8u     /* location: has address parts to score */
#define RS_F_CHILD_DOB 16u /* a DOB under 18 at the record's date */
#define RS_F_ACTOR 32u     /* person: did something on the record's date that a child under 10 cannot
                            * (a Niche offender, a MARAC perpetrator, a MACE adult of concern) */
#define RS_F_OWN_VICTIM 64u     /* person: a role the adapter marks CPI_RF_OWN_VICTIM (a POLIT victim) */
#define RS_F_OWN_HOUSEHOLD 128u /* person: CPI_RF_OWN_HOUSEHOLD (a POLIT household child) */

typedef struct cpi_rs_mention {
    uint32_t rec;   /* record index */
    uint16_t num;   /* mention number within the record, from 1 */
    uint8_t kind;   /* cpi_kind */
    uint8_t flags;  /* RS_F_* */
    uint16_t role;  /* id in cpi_rs_data.roles */
    int32_t dob_lo, dob_hi; /* person: birth range; CPI_DAY_NONE when unknown */
    uint32_t key[RS_NKEYS];
} cpi_rs_mention;

typedef struct cpi_rs_record {
    uint32_t ref;        /* offset of the reference in refbuf */
    uint32_t first;      /* first mention index */
    uint32_t first_rel;  /* first relation index */
    uint16_t nmentions;
    uint16_t nrels;
    int32_t day;
    uint32_t area;       /* the record's "area" fact (a MACE meeting's EAST / WEST) in str; 0 none */
} cpi_rs_record;

/* Relation types the resolver reads; others are RS_REL_OTHER. */
enum { RS_REL_OTHER = 0, RS_REL_LIVES_AT, RS_REL_HOUSEHOLD, RS_REL_USES_PHONE, RS_REL_USES_IDENTITY,
       RS_REL_ASSOCIATE, RS_REL_POSES_RISK, RS_REL_FOUND_AT };

typedef struct cpi_rs_rel {
    uint32_t from, to; /* global mention indices */
    uint8_t type;      /* RS_REL_* */
} cpi_rs_rel;

typedef struct cpi_rs_data {
    cpi_intern str;   /* key values */
    cpi_intern roles; /* role names */
    char *refbuf;     /* record references, NUL-terminated */
    size_t nref, capref;
    cpi_rs_record *recs;
    uint32_t nrecs, caprecs;
    cpi_rs_mention *m;
    uint32_t nm, capm;
    cpi_rs_rel *rels;
    uint32_t nrels, caprels;
    cpi_rs_rel *xrels;    /* people named in records of one event (resolve/load.c), both orders not stored */
    uint32_t nxrels, capxrels;
    uint32_t *evrec;      /* (record, named record) pairs found while loading: 2 per pair */
    uint32_t nev, capev;
    uint32_t *old_entity; /* per mention: id in old_ids of its entity before this run, 0 none */
    cpi_intern old_ids;
    uint64_t n_fn, n_sn;       /* distinct person descriptions with a forename / surname: TF denominators */
    uint32_t *fn_count;        /* per string id: descriptions holding it as forename (TF numerators) */
    uint32_t *sn_count;        /* ...as surname */
    int32_t end_day;           /* the latest record date no later than today: what the store covers up to */
    int32_t today;             /* when this resolve runs (UTC day): later record dates are typos */
} cpi_rs_data;

void cpi_rs_data_free(cpi_rs_data *d);
/* One pass over CPI_DB_RECORDS and CPI_DB_ENTITY_OF. */
cpi_status cpi_rs_load(cpi_store *st, cpi_rs_data *d, const cpi_resolve_opts *opts, cpi_error *err);
/* "source:RECORD_ID/N" of mention i into buf; returns the length. */
int cpi_rs_mention_ref(const cpi_rs_data *d, uint32_t i, char *buf, size_t cap);
static inline const char *cpi_rs_rec_ref(const cpi_rs_data *d, uint32_t r) { return d->refbuf + d->recs[r].ref; }
static inline const char *cpi_rs_key(const cpi_rs_data *d, uint32_t i, int slot)
{
    return cpi_intern_id_str(&d->str, d->m[i].key[slot]);
}
/* Find the mention index of a mention reference; CPI_NOT_FOUND if none. */
cpi_status cpi_rs_find_mention(const cpi_rs_data *d, const char *ref, uint32_t *out);
/* A relation type name as RS_REL_*. */
uint8_t cpi_rs_rel_type(const char *name);
/* Fill key slots, dob and flags of one decoded mention (shared by the loader and explain). */
cpi_status cpi_rs_mention_fill(cpi_intern *str, const cpi_mention *src, int32_t record_day, cpi_rs_mention *out,
                               cpi_error *err);

/* ------------------------------------------------------------- union-find */

/*
 * The union-find over all mentions, with a per-root summary of the values
 * that must not meet in one cluster (distinct DOBs, PNCs, forenames; flats,
 * house numbers and postcode sectors for places; human --different partners).
 * cpi_rs_uf_join refuses when the two roots conflict.
 */
typedef struct cpi_rs_sumv {
    uint8_t type;  /* RS_SV_* */
    uint32_t a;
    int32_t b;
} cpi_rs_sumv;

/* RS_SV_STREET is kept for look-ups by the weak pass, never a conflict (people have several). */
enum { RS_SV_DOB = 1, RS_SV_RANGE, RS_SV_PNC, RS_SV_FN, RS_SV_SN, RS_SV_STREET, RS_SV_FLAT, RS_SV_HOUSE, RS_SV_PCS,
       RS_SV_NOT, RS_SV_REC /* a record naming two or more people: one of them per cluster */, RS_SV_TOWN,
       RS_SV_ACT /* a = a year its person was 10 or over in (RS_F_ACTOR, or holding a PNC id by the end of
                  * the records): a DOB that makes them under 9 all that year conflicts */,
       RS_SV_NID /* a Niche nominal id: never a conflict, but the DOB-less phase's joins below the link band
                    do not make two nominals one */ };

typedef struct cpi_rs_summary {
    cpi_rs_sumv *v;
    uint16_t n, cap;
} cpi_rs_summary;

/* Does summary s hold value a of this type? */
static inline bool cpi_rs_sum_has(const cpi_rs_summary *s, uint8_t type, uint32_t a)
{
    for (uint16_t k = 0; k < s->n; k++)
        if (s->v[k].type == type && s->v[k].a == a)
            return true;
    return false;
}
/* Does summary s hold any value of this type? */
static inline bool cpi_rs_sum_has_type(const cpi_rs_summary *s, uint8_t type)
{
    for (uint16_t k = 0; k < s->n; k++)
        if (s->v[k].type == type)
            return true;
    return false;
}

typedef struct cpi_rs_uf {
    uint32_t *parent;
    uint32_t *size;
    cpi_rs_summary *sum; /* indexed by root */
    uint8_t *multi;      /* per record: it names two or more people */
    uint32_t n;
    const cpi_rs_data *d;
    bool fn_soft; /* forenames do not conflict: the data shows matches often differ on them (see
                   * CPI_RS_GUARD_FN_SHARE); the score alone decides */
    int32_t dob_tol; /* days two exact DOBs no typo explains may be apart without conflict: 31, or as far
                      * as this data's matches are often apart (a year, ten years; CPI_RS_GUARD_M_MAX) */
} cpi_rs_uf;

/*
 * The guard's forename and DOB rules hold unless this data shows its matches break them
 * (cpi_rs_guard_set, from cpi_rs_guard_evidence). A register whose forenames and DOBs are reliable
 * (a force's: twins differ by forename alone, a father and son by DOB alone) keeps both; data where
 * a duplicate's forename is often replaced outright, or its DOB typed a year or a decade out, would
 * otherwise have every such duplicate refused.
 *
 * DOB: two DOBs up to a year (ten years) apart stop conflicting when more than CPI_RS_GUARD_M_MAX of
 * the likely matches are that far apart. Measured: cpgen forces 0.001 / 0.014-0.017 (10k and 1M),
 * FEBRL 0.00-0.01, Splink's fake_1000 0.20 / 0.21.
 * Forenames: two forenames stop conflicting when more than CPI_RS_GUARD_FN_SHARE of the distinct
 * likely matches with one DOB differ on them. Twins are such pairs in any register, about 1-2% of
 * births; measured: cpgen forces (whose twins are over-represented) 0.037 at 10k and 0.034 at 1M,
 * FEBRL1 0.095, FEBRL2 0.18, fake_1000 0.081.
 * Either also needs CPI_RS_GUARD_MIN_PAIRS examples.
 */
#define CPI_RS_GUARD_M_MAX 0.04
#define CPI_RS_GUARD_FN_SHARE 0.06

cpi_status cpi_rs_uf_init(cpi_rs_uf *uf, const cpi_rs_data *d, cpi_error *err);
/* A deep copy (dst must be unused or freed). */
cpi_status cpi_rs_uf_clone(cpi_rs_uf *dst, const cpi_rs_uf *src, cpi_error *err);
void cpi_rs_uf_free(cpi_rs_uf *uf);
uint32_t cpi_rs_find(cpi_rs_uf *uf, uint32_t i);
/* Add mention i's own conflict values to its root's summary (once per mention). */
cpi_status cpi_rs_uf_seed(cpi_rs_uf *uf, uint32_t i, cpi_error *err);
/* Forbid i and j from one cluster (a human --different). */
cpi_status cpi_rs_uf_forbid(cpi_rs_uf *uf, uint32_t i, uint32_t j, cpi_error *err);
/* Would joining the clusters of i and j put conflicting values together? */
bool cpi_rs_uf_conflict(cpi_rs_uf *uf, uint32_t i, uint32_t j);
/* How strictly a join is checked. */
typedef enum cpi_rs_join_mode {
    RS_JOIN_GUARDED,  /* refuse any conflict (scores, context) */
    RS_JOIN_IDENT,    /* a shared identifier: refuse only a human --different or two people of one record,
                         not values - typos pile up across the dozens of records one nominal id joins */
    RS_JOIN_FORCE     /* a human --same */
} cpi_rs_join_mode;
/* Join under `mode`. Returns 1 joined, 0 already one cluster, -1 refused; -2 NOMEM. */
int cpi_rs_uf_join(cpi_rs_uf *uf, uint32_t i, uint32_t j, cpi_rs_join_mode mode);

/* Do two person values conflict? Exposed for the weak pass and tests. */
bool cpi_rs_dob_conflict(int32_t alo, int32_t ahi, int32_t blo, int32_t bhi);
/* The same, tolerating exact DOBs up to tol days apart (cpi_rs_uf.dob_tol; 0 means the default 31). */
bool cpi_rs_dob_conflict_tol(int32_t alo, int32_t ahi, int32_t blo, int32_t bhi, int32_t tol);
/* What the data shows about its matches, for the guard (counted in resolve/people.c). */
typedef struct cpi_rs_guard_evidence {
    double m_fn_else;   /* the share of distinct likely matches with one DOB whose forenames differ outright */
    size_t n_fn_else;   /* ...and their count */
    double dob_share[CPI_FS_MAX_LEVELS]; /* likely matches (names exact) at each DOB level, as shares */
    size_t dob_count[CPI_FS_MAX_LEVELS]; /* ...and counts */
} cpi_rs_guard_evidence;
/*
 * Soften the guard as far as this data's matches differ: a rule steps back when both the share is
 * over its threshold (above) and at least CPI_RS_GUARD_MIN_PAIRS likely matches show it, so a small
 * file's twins (four pairs) do not switch the forename rule off.
 */
void cpi_rs_guard_set(cpi_rs_uf *uf, const cpi_rs_guard_evidence *ev);
#define CPI_RS_GUARD_MIN_PAIRS 20
/* A person born on or after dob_lo cannot have acted in act_year (RS_SV_ACT): under 9 all year. */
bool cpi_rs_act_conflict(int32_t dob_lo, int act_year);
bool cpi_rs_forename_conflict(const char *a, const char *b);

/* ---------------------------------------------------------------- blocking */

/* Candidate pairs: (a << 32 | b) with a < b, sorted, distinct. */
typedef struct cpi_rs_pairs {
    uint64_t *v;
    size_t n, cap;
} cpi_rs_pairs;

/* (key hash, mention, order) entries of one blocking rule. */
typedef struct cpi_rs_bkey {
    uint64_t key;
    uint64_t order; /* sort order inside the block: neighbours meet when the block is capped */
    uint32_t m;
} cpi_rs_bkey;

typedef struct cpi_rs_keys {
    cpi_rs_bkey *v;
    size_t n, cap;
} cpi_rs_keys;

cpi_status cpi_rs_keys_add(cpi_rs_keys *k, uint64_t key, uint64_t order, uint32_t m, cpi_error *err);
/* Sort a rule's keys into blocks and append its pairs; fills rep. Clears k. */
cpi_status cpi_rs_block(cpi_rs_keys *k, const cpi_resolve_opts *o, cpi_rs_pairs *out, cpi_resolve_rule_report *rep,
                        cpi_error *err);
/* Sort and remove duplicate pairs. */
void cpi_rs_pairs_unique(cpi_rs_pairs *p);
cpi_status cpi_rs_pairs_add(cpi_rs_pairs *p, uint32_t a, uint32_t b, cpi_error *err);
void cpi_rs_pairs_free(cpi_rs_pairs *p);
uint64_t cpi_rs_hash(uint64_t h, const void *data, size_t len);
uint64_t cpi_rs_hash_u64(uint64_t h, uint64_t v);

/* ----------------------------------------------------------------- scoring */

/* Person comparisons, in model order. */
enum { RS_PC_FORENAME = 0, RS_PC_SURNAME, RS_PC_DOB, RS_PC_GENDER, RS_PC_NID, RS_PC_PNC, RS_PC_HOME, RS_PC_PHONE,
       RS_PC_STREET, RS_PC_RELATED, RS_PC_EMAIL,
       /* the address the person's own record gives (null when the homes are one resolved place) */
       RS_PC_ADDR_HOUSE, RS_PC_ADDR_STREET, RS_PC_ADDR_POSTCODE, RS_PC_ADDR_TOWN, RS_PC__N };
/* Location comparisons. */
enum { RS_LC_ADDRESS = 0, RS_LC_POSTCODE, RS_LC_FLAT, RS_LC_HOUSE, RS_LC_NAME, RS_LC_TOWN, RS_LC__N };

/* Levels of the context and identifier comparisons written here. */
enum { RS_CTX_SAME = 0, RS_CTX_DIFFERENT, RS_CTX_NULL, RS_CTX_NLEVELS };
enum { RS_FLAT_SAME = 0, RS_FLAT_ONE_SIDE, RS_FLAT_DIFFERENT, RS_FLAT_NONE, RS_FLAT_NLEVELS };
enum { RS_PLACE_EXACT = 0, RS_PLACE_JW, RS_PLACE_ELSE, RS_PLACE_NULL, RS_PLACE_NLEVELS };
enum { RS_REL_SHARED = 0, RS_REL_NONE, RS_REL_NULL, RS_REL_NLEVELS };

/*
 * A person mention as the comparison sees it: key texts, birth range, and
 * the entities its context reaches (homes, phones and related people, as
 * sorted numbers: cluster roots during a run - for related people, the
 * clusters of resolve's first pass - and entity numbers when explaining from
 * the store).
 */
typedef struct cpi_rs_lview {
    const char *house, *flat, *street, *pc, *town, *place;
} cpi_rs_lview;

typedef struct cpi_rs_pview {
    const char *fn, *sn, *sa, *fx, *fx2, *sx, *sx2, *nid, *pnc, *gender, *street, *email;
    cpi_rs_lview home; /* the address its own record says it lives at (lives-at); all NULL: none */
    int32_t dob_lo, dob_hi;
    const uint32_t *homes;
    uint32_t nhomes;
    const uint32_t *phones;
    uint32_t nphones;
    const uint32_t *related; /* people it is related to in its records (the child an adult poses a risk to) */
    uint32_t nrelated;
    double tf_fn, tf_sn; /* relative frequency of fn / sn (0: unknown) */
} cpi_rs_pview;

void cpi_rs_person_model(cpi_fs_model *model);
void cpi_rs_location_model(cpi_fs_model *model);
/* The comparison vector of a pair, and the TF array for cpi_fs_weight (tf[c], 0 = none). */
void cpi_rs_person_vec(const cpi_rs_pview *a, const cpi_rs_pview *b, cpi_fs_vec *v, double tf[CPI_FS_MAX_CMP]);
void cpi_rs_location_vec(const cpi_rs_lview *a, const cpi_rs_lview *b, cpi_fs_vec *v);
/* The level of the related-people comparison alone (what cpi_rs_person_vec puts there). */
uint8_t cpi_rs_related_level(const cpi_rs_pview *a, const cpi_rs_pview *b);
/* A view of mention i (homes/phones left empty for the caller to set; home_m: its own record's home
 * location mention, UINT32_MAX none). */
void cpi_rs_pview_of(const cpi_rs_data *d, uint32_t i, uint32_t home_m, cpi_rs_pview *v);
/* The key texts and DOB of a person mention into v (resolve and explain both build views here). */
void cpi_rs_pview_keys(cpi_rs_pview *v, const cpi_intern *str, const cpi_rs_mention *m);
/* A location view of a mention's key texts. */
void cpi_rs_lview_keys(cpi_rs_lview *v, const cpi_intern *str, const cpi_rs_mention *m);
/* Postcode level that also compares postcodes from outside the UK (kept whole): equal or else. */
uint8_t cpi_rs_postcode_level(const char *a, const char *b);
void cpi_rs_lview_of(const cpi_rs_data *d, uint32_t i, cpi_rs_lview *v);
/* A location view from key texts (any may be NULL); resolve and explain both build views here. */
void cpi_rs_lview_set(cpi_rs_lview *v, const char *house, const char *flat, const char *street, const char *pc,
                      const char *town, const char *place, const char *premises);

/* ------------------------------------------------------------ the run */

/* A scored candidate pair. */
typedef struct cpi_rs_scored {
    uint32_t a, b;
    double weight;
    double prob;
    uint8_t flags; /* RS_PAIR_* */
} cpi_rs_scored;

/* What a person pair's vector says beyond its weight, for the DOB-less phase of cpi_rs_join_links. */
#define RS_PAIR_OTHER_NOMINAL 1u /* both hold Niche nominal ids, different ones */
#define RS_PAIR_CORROBORATED 2u  /* a PNC, phone or street name agrees */
#define RS_PAIR_NAME_STREET 4u   /* forename (or a nickname of it), surname and street name all agree,
                                    and the phones do not differ: kept below the possible band for the
                                    DOB-less phase */
#define RS_PAIR_NAME_CONTEXT 8u  /* forename (or a nickname of it) and surname agree, and so does a
                                    related person or a home */
#define RS_PAIR_RELATED_NONE 16u /* both are related to people, none of them shared (resolve/relook.c) */
#define RS_PAIR_STREET_NULL 32u  /* a side holds no street name: its clusters' may agree (resolve/relook.c) */
#define RS_PAIR_PHONE_NULL 64u   /* a side's identifier cluster uses no phone: its cluster's may (ditto) */

/*
 * A person pair's RS_PAIR_* flags from its vector (resolve/people.c). RS_PAIR_NAME_STREET needs the
 * phones not to differ: cpgen's force holds two adults called "Rhiannon WILLIAMS", street name "Ace",
 * each with a phone of her own, and without that the DOB-less phase made them one (690 wrong pairs
 * at 1M).
 */
uint8_t cpi_rs_person_flags(const cpi_fs_vec *v);

typedef struct cpi_rs_scoredv {
    cpi_rs_scored *v;
    size_t n, cap;
} cpi_rs_scoredv;

/* Everything a run computes, as the write step stores it. */
typedef struct cpi_rs_result {
    cpi_rs_uf uf;
    cpi_fs_model person_model, location_model;
    bool person_trained, location_trained;
    cpi_rs_scoredv review; /* possible-band pairs */
    uint32_t *entity_num;  /* per root mention: the entity number assigned (0 until ids are given) */
    uint64_t next_id[CPI_KIND_COUNT + 1]; /* next free number per kind after this run */
    uint64_t old_next_id[CPI_KIND_COUNT + 1];
    int64_t old_entities;
} cpi_rs_result;

/* Join every mention of `kind` holding key `slot` to the first with the same value (resolve/exact.c). */
cpi_status cpi_rs_join_on_key(cpi_rs_data *d, cpi_rs_uf *uf, cpi_kind kind, int slot, cpi_resolve_kind_report *kr,
                              cpi_error *err);

/* Stages, each in its own file. */
cpi_status cpi_rs_exact_kinds(cpi_rs_data *d, cpi_rs_result *res, cpi_resolve_report *rep, cpi_error *err);
cpi_status cpi_rs_places(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_report *rep,
                         cpi_error *err);
cpi_status cpi_rs_people(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_report *rep,
                         cpi_error *err);
/*
 * Second look (resolve/relook.c): join possible-band person pairs, both with a DOB, scored with no
 * related person shared, whose clusters now share one, when the shared level's weight takes them
 * into the link band. *joins counts the unions.
 */
cpi_status cpi_rs_relook(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_kind_report *kr,
                         uint64_t *joins, cpi_error *err);
cpi_status cpi_rs_weak(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_report *rep,
                       cpi_error *err);
/* After people: a place written by a name several places carry joins the one in its record's area
 * (EAST / WEST) or near where its record's child lives, and one child's mentions of one name join each
 * other (resolve/places.c). */
cpi_status cpi_rs_place_names_by_people(cpi_rs_data *d, cpi_rs_uf *uf, cpi_resolve_kind_report *kr, cpi_error *err);
cpi_status cpi_rs_ids(cpi_rs_data *d, cpi_rs_result *res, cpi_resolve_report *rep, cpi_error *err);
cpi_status cpi_rs_overrides(cpi_store *st, cpi_rs_data *d, cpi_rs_result *res, cpi_resolve_report *rep,
                            cpi_error *err);

/*
 * Person context (resolve/context.c): for each cluster root, the sorted
 * place roots it lives at and phone roots it uses, gathered from the
 * relations of all its mentions: lives-at, a household member's lives-at,
 * uses-phone.
 */
typedef struct cpi_rs_ctx {
    uint32_t *off;  /* nm+1 offsets into ids, by root */
    uint32_t *ids;
} cpi_rs_ctx;
enum { RS_CTX_HOMES, RS_CTX_PHONES, RS_CTX_PEOPLE /* person roots related by any relation, both ways */ };
/* owner (RS_CTX_PEOPLE only; NULL: the current root) says under which number each mention's row of
 * related people is kept, while the people it names are always current roots. */
cpi_status cpi_rs_ctx_build(const cpi_rs_data *d, cpi_rs_uf *uf, int which, const uint32_t *owner, cpi_rs_ctx *out,
                            cpi_error *err);
/* The inverse table: for each id, the roots that list it. */
cpi_status cpi_rs_ctx_invert(const cpi_rs_ctx *in, uint32_t n, cpi_rs_ctx *out, cpi_error *err);
void cpi_rs_ctx_free(cpi_rs_ctx *c);
static inline uint32_t cpi_rs_ctx_n(const cpi_rs_ctx *c, uint32_t root) { return c->off[root + 1] - c->off[root]; }
static inline const uint32_t *cpi_rs_ctx_ids(const cpi_rs_ctx *c, uint32_t root) { return c->ids + c->off[root]; }

/*
 * Training, as Splink does it (resolve/fit.c). u comes from random pairs of
 * `members`. m comes from EM sessions: each runs on the candidate pairs that
 * meet a condition (say, DOB exact) with the condition's own comparisons left
 * out (set to their null level), because among pairs selected for agreeing on
 * a field, agreement on that field says nothing; each session contributes the
 * m of the comparisons in its `take` mask. The prior is the global chance
 * that two random members match: the prior session's expected matches,
 * divided by the share of all matches its condition keeps (the product of the
 * condition levels' m from the other sessions), over all member pairs.
 */
typedef struct cpi_rs_session {
    int8_t cmp[2];       /* condition: levels[cmp[k]] is in mask[k]; cmp -1 = unused */
    uint8_t mask[2];     /* bit l = level l */
    uint32_t exclude;    /* comparisons (bit c) set to null in this session */
    uint32_t take;       /* comparisons whose m this session estimates */
} cpi_rs_session;

/*
 * Levels EM sees as one (optional): in every session, comparison `cmp`'s levels in `mask` count as
 * level `to`; after EM, the m that level learnt is shared out among them by how the session's
 * expected matches spread across them (one M-step on the finer levels, the posteriors held).
 * Fine levels of a field with few true matches in them (a DOB a year or ten years out) otherwise
 * give EM room to call a household the match: on pairs selected for one name, a father and son
 * agree on everything but the DOB. Measured on cpgen forces, m of DOB exact after the first pass:
 * 0.096 at 10k with the levels apart, 0.578 folded; after the last pass at 1M 0.027 apart (which
 * put 1,200 more wrong pairs in people known by name alone), 0.476 folded.
 */
typedef struct cpi_rs_fold {
    uint8_t cmp;
    uint8_t to;
    uint32_t mask; /* bit l = level l; 0: nothing folded */
} cpi_rs_fold;

typedef struct cpi_rs_training {
    cpi_rs_session s[4];
    int n;
    int prior_session;
    cpi_rs_fold fold;
} cpi_rs_training;

/*
 * Fit a model and score candidate pairs: u, the EM sessions and the prior as
 * above, then every candidate's weight; pairs at or above opts->possible go
 * to *out. vec fills a pair's vector and the term frequencies of comparisons
 * 0 and 1 (the only ones that take TF).
 *
 * u is sampled from `distinct`: one mention per distinct description (the
 * caller removes repeats), because a suspect named with one phone in 75 MACE
 * rows would otherwise make random pairs agree on that phone often, and
 * agreement would look cheap. `population` is the number of scored mentions,
 * for the prior.
 */
typedef void (*cpi_rs_vec_fn)(void *ctx, uint32_t a, uint32_t b, cpi_fs_vec *v, double tf[CPI_FS_MAX_CMP]);
typedef uint8_t (*cpi_rs_flags_fn)(const cpi_fs_vec *v);

/* A candidate pair's vector and the TF of comparisons 0 and 1. */
typedef struct cpi_rs_pairvec {
    cpi_fs_vec v;
    float tf0, tf1;
} cpi_rs_pairvec;

/* Worker threads for the comparisons (the machine this runs on has two cores). */
#define CPI_RS_THREADS 2
/* Every candidate pair's vector (vec must be thread-safe); *out is malloc'd, free() it. */
cpi_status cpi_rs_vectors(cpi_rs_vec_fn vec, void *ctx, const cpi_rs_pairs *pairs, const cpi_resolve_opts *o,
                          const char *stage, cpi_rs_pairvec **out, cpi_error *err);

/* `apart` and `prev` (may be NULL): a first pass's cluster of each mention and its model; u then
 * skips random pairs the first pass joined or scores as likely matches (probability >= 0.5).
 * pv holds the pairs' vectors (cpi_rs_vectors). flags (may be NULL) gives each kept pair its
 * RS_PAIR_* flags. */
cpi_status cpi_rs_fit_and_score(cpi_fs_model *model, const cpi_rs_training *tr, cpi_rs_vec_fn vec,
                                cpi_rs_flags_fn flags, void *ctx,
                                const uint32_t *distinct, uint32_t ndistinct, uint32_t population,
                                const uint32_t *apart, const cpi_fs_model *prev, const cpi_rs_pairs *pairs,
                                const cpi_rs_pairvec *pv, const cpi_resolve_opts *o, cpi_rs_scoredv *out,
                                cpi_resolve_kind_report *kr, cpi_error *err);
/*
 * Keep one mention of each distinct description: sig(ctx, i) hashes what the
 * model compares of mention i. Rewrites mem[0..*n) in place (order kept).
 */
typedef uint64_t (*cpi_rs_sig_fn)(void *ctx, uint32_t i);
cpi_status cpi_rs_distinct(uint32_t *mem, uint32_t *n, cpi_rs_sig_fn sig, void *ctx, cpi_error *err);

/* resolve/places.c: the place rules, exposed for tests. Mark the place mentions cpi_rs_join_links
 * should place last (no postcode nor town, or no house number); demote below link the pairs of a
 * numberless Niche location with a numbered one of another location id (returns how many). */
void cpi_rs_place_defer(const cpi_rs_data *d, uint8_t *defer);
size_t cpi_rs_place_demote(const cpi_rs_data *d, cpi_rs_scored *v, size_t n, double link);

/* Scored pair helpers shared by places and people. */
cpi_status cpi_rs_scored_add(cpi_rs_scoredv *s, uint32_t a, uint32_t b, double w, double p, uint8_t flags,
                             cpi_error *err);
/*
 * Sort pairs strongest first (ties by mention order) and join the link-band
 * ones under the guard. Pairs touching a mention with defer[i] set (people
 * without any DOB, addresses with neither postcode nor town: the guard has
 * least to check them by) wait until the rest are joined; each such mention then joins its best cluster and the clusters
 * that agree with it, or none when two conflicting clusters fit it within
 * CPI_RS_AMBIGUITY_BITS (counted in kr->ambiguous). A pair flagged
 * RS_PAIR_OTHER_NOMINAL and not RS_PAIR_CORROBORATED is not joined in that
 * phase: without a DOB, a name and a home are what a father and the son named
 * after him share, on two nominals. A pair flagged RS_PAIR_NAME_STREET takes
 * part in that phase whatever its probability: an adult of concern written
 * with his name and street name but no DOB (MACE, SOC) is recorded with
 * other children than his Niche nominal is, so the model's prior and the
 * related comparison keep the pair below the link band, yet two people who
 * share a forename, a surname and a street name are one person in practice
 * (it still has to be the only cluster that fits, and pass the guard). So
 * does a pair flagged RS_PAIR_NAME_CONTEXT in the possible band (names and a
 * related person or home agree: the same adult named as a risk to one child
 * in two MACE rows, just under the link band). Neither kind of pair below
 * the link band joins two clusters holding different Niche nominal ids (a
 * DOB-less child nominal and the adult of his name who targets his sibling).
 * And a mention that fits two conflicting clusters, one of them below the
 * link band (two adults of one name and street name), joins neither, nor
 * anything else below the band. defer may be NULL.
 */
#define CPI_RS_AMBIGUITY_BITS 3.0
/* Passes of the context placement (resolve/weak.c): each one's joins are the next one's context. */
#define RS_WEAK_PASSES 3
void cpi_rs_join_links(cpi_rs_uf *uf, cpi_rs_scored *v, size_t n, double link, const uint8_t *defer,
                       cpi_resolve_kind_report *kr);

/* Meta keys. */
#define RS_META_MODEL_PERSON "model:person"
#define RS_META_MODEL_LOCATION "model:location"
#define RS_META_LINK "resolve:link"         /* text, "%.17g" */
#define RS_META_POSSIBLE "resolve:possible"
#define RS_META_GUARD_FN "guard:forenames"  /* "on", or "off" when the data showed forenames unreliable */
#define RS_META_GUARD_DOB "guard:dob_days"  /* days two DOBs may be apart without conflict, text */
#define RS_META_TF_FN "tf:fn"                /* counters: n:tf:fn the TF denominator, n:tf:fn:VALUE each count */
#define RS_META_TF_SN "tf:sn"

/* Append the run's combination entry to the audit log in txn (resolve/log.c). */
cpi_status cpi_rs_log_combination(cpi_txn *txn, const cpi_resolve_opts *o, const cpi_resolve_report *rep,
                                  cpi_error *err);

/* Store the result, the graph and the log entry in one write transaction (resolve/write.c). */
cpi_status cpi_rs_write(cpi_store *st, cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o,
                        cpi_resolve_report *rep, cpi_error *err);

/* Monotonic seconds, for the report. */
double cpi_rs_now(void);

#endif
