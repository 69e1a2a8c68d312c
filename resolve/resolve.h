/*
 * resolve.h - entity resolution: cluster the mentions in the store into
 * people, places, phones and online identities, with stable entity ids.
 *
 * The run (cpi_resolve_run), in order:
 *   1. one pass over the records into compact arrays (interned keys, integer
 *      ids; resolve/load.c);
 *   2. phones and online ids on their canonical keys (exact);
 *   3. places: the same Niche location id links outright; otherwise blocked
 *      candidate pairs scored by a Fellegi-Sunter model (resolve/fs.h: u from
 *      random pairs, m by EM) and clustered;
 *   4. people: the same Niche nominal id links outright; strong mentions
 *      (a name and a DOB, or an identifier) are blocked, scored and clustered;
 *      then weak mentions (a first name and an age, a street name) join an
 *      entity only through context - the same home, phone or related person -
 *      and never by name alone;
 *   5. stable ids: each new cluster keeps the old id it overlaps most;
 *   6. one write transaction stores entity_of, members, the trained models,
 *      the possible-band pairs for review and the counters, rebuilds the
 *      graph from them (graph/graph.h) and appends the combination entry to
 *      the audit log, so a killed run leaves the previous result whole.
 * Human decisions (cpi_override_put) win over scores: --same pairs are joined
 * first, --different pairs are never put in one cluster.
 *
 * Clustering does not chain: link-band pairs are joined strongest first and a
 * join is refused when the two clusters conflict on a strong field (dates of
 * birth far apart beyond typos, two PNC ids, clearly different forenames,
 * different flats or house numbers of a place), so twins and a father and son
 * with one name stay apart.
 *
 * Entity ids: a kind letter, '-', 7 digits (P-0000001 person, L- place, T-
 * phone, O- online); new numbers come from the META counters id:P, id:L, ...
 *
 * Ownership: reports and explanations are plain values filled by the calls;
 * cpi_review_list returns a malloc'd array the caller frees. An explanation's
 * terms point into its own model field, so use it in place (do not copy).
 */
#ifndef CPI_RESOLVE_H
#define CPI_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "resolve/fs.h"
#include "core/model.h"
#include "core/store.h"
#include "graph/graph.h"


/* Defaults of the settings below. */
#define CPI_RESOLVE_BLOCK_CAP 120      /* blocks larger than this are capped */
#define CPI_RESOLVE_WINDOW 40          /* ...to each mention's next 40 in the block's order */
#define CPI_RESOLVE_U_PAIRS 1000000    /* random pairs for u */
#define CPI_RESOLVE_EM_PAIRS 2000000   /* candidate pairs EM trains on (a sample if more) */
#define CPI_RESOLVE_EM_ITER 100
#define CPI_RESOLVE_EM_TOL 1e-5

/* Progress: stage name, units done and the stage's total (0 if unknown). */
typedef void (*cpi_resolve_progress_fn)(void *ctx, const char *stage, uint64_t done, uint64_t total);

typedef struct cpi_resolve_opts {
    double link;              /* probability at or above which a pair links (CPI_FS_LINK_DEFAULT) */
    double possible;          /* at or above (and below link): kept for human review (CPI_FS_POSSIBLE_DEFAULT) */
    uint32_t block_cap;       /* largest block compared all pairs against all */
    uint32_t window;          /* in a capped block, each mention meets its next `window` neighbours */
    uint32_t u_pairs;
    uint32_t em_pairs;
    int em_iter;
    double em_tol;
    uint64_t seed;            /* for the random pairs and the EM sample */
    int64_t now;              /* seconds since the epoch, recorded with the run (0: time(NULL)) */
    bool dry_run;             /* compute and report, write nothing */
    cpi_resolve_progress_fn progress;
    void *progress_ctx;
    /*
     * Who runs it and why, for the combination entry a stored run appends to the audit log last in
     * its write transaction, after it has rebuilt the graph (graph/graph.h): entities, graph and
     * log commit together or not at all. user is required unless dry_run; command is what the log
     * names ("resolve", "purge"; NULL: "resolve"); reason may be NULL.
     */
    const char *user, *reason, *command;
    /*
     * A purge (NULL: none): exclude_record is erased first inside resolve's write transaction (not
     * on a dry run), under this grant, before anything is written, so the erasure and the
     * re-resolve that forgets it commit together (ingest/purge.h); the erasure's figures go to
     * *purge_result. May run more than once (map growth); each attempt starts afresh.
     */
    const struct cpi_grant *purge_grant;
    struct cpi_purge_result *purge_result;
    /* A record reference ("source:ID") the load leaves out, as if already erased (or NULL). */
    const char *exclude_record;
} cpi_resolve_opts;

void cpi_resolve_opts_default(cpi_resolve_opts *o);

/* *out: whether a resolve has ever stored its result in this store. */
cpi_status cpi_resolve_has_run(cpi_store *st, bool *out, cpi_error *err);

/* One blocking rule's work. */
typedef struct cpi_resolve_rule_report {
    char name[32];
    cpi_kind kind;
    uint64_t keys;          /* (key, mention) entries */
    uint64_t blocks;        /* blocks of two or more */
    uint64_t capped;        /* blocks larger than the cap */
    uint64_t largest;       /* mentions in the largest block */
    uint64_t pairs;         /* pairs emitted (before removing pairs found by earlier rules) */
} cpi_resolve_rule_report;

#define CPI_RESOLVE_MAX_RULES 24

typedef struct cpi_resolve_kind_report {
    uint64_t mentions;
    uint64_t entities;
    uint64_t scored;          /* mentions that took part in scoring */
    uint64_t pairs;           /* distinct candidate pairs scored */
    uint64_t link_pairs, possible_pairs;
    uint64_t joined;          /* unions made by link-band pairs */
    uint64_t refused;         /* link-band unions refused: the clusters conflict */
    uint64_t ambiguous;       /* people without a DOB left alone: two conflicting entities fit them */
    uint64_t deterministic;   /* unions made by an identifier (nominal, location id, phone, ...) */
    uint64_t weak, weak_linked, weak_ambiguous; /* people: weak mentions and what became of them */
    uint64_t lone, lone_linked, lone_ambiguous; /* people: named mentions that scoring left without a DOB or
                                                 * an id in their cluster, placed through context too */
    uint64_t relinked;        /* people: possible pairs linked on a second look (a related person now shared) */
    uint64_t review;          /* possible pairs left for review (not in one cluster) */
    uint64_t kept_ids, new_ids, retired_ids, splits, merges;
    bool trained;             /* the model was trained this run */
    cpi_fs_em_result em;
    double lambda;
} cpi_resolve_kind_report;

typedef struct cpi_resolve_report {
    uint64_t records, mentions;
    double link, possible;
    uint64_t overrides_same, overrides_different;
    uint64_t overrides_broken; /* --same decisions that joined conflicting clusters (a --different, DOBs far apart, ...) */
    cpi_resolve_kind_report kind[CPI_KIND_COUNT + 1]; /* indexed by cpi_kind */
    cpi_resolve_rule_report rules[CPI_RESOLVE_MAX_RULES];
    unsigned nrules;
    double seconds_load, seconds_places, seconds_people, seconds_write, seconds_total;
    double cpu_seconds;       /* processor time of the whole run, all threads (the machine may be shared) */
    bool guard_forenames;     /* the guard's forename rule held (the data did not show it broken) */
    int guard_dob_days;       /* days two DOBs no typo explains may be apart in one entity (31, 366, 3653) */
    cpi_graph_stats graph;    /* the graph the stored run rebuilt from its entities (zero on a dry run) */
} cpi_resolve_report;

/* Resolve everything in the store and store the result, the graph and its log entry (unless opts->dry_run). */
cpi_status cpi_resolve_run(cpi_store *st, const cpi_resolve_opts *opts, cpi_resolve_report *rep, cpi_error *err);

/* ------------------------------------------------------------ overrides */

/*
 * Record a human decision that two mentions (SOURCE:RECORD_ID/N, of one
 * kind) are the same entity or different ones, with a reason, replacing any
 * earlier decision on the pair. It takes effect at the next resolve.
 */
cpi_status cpi_override_put(cpi_store *st, const char *ref_a, const char *ref_b, bool same, const char *reason,
                            int64_t now, cpi_error *err);
/* The same inside the caller's write transaction, so the decision and its audit entry commit together. */
cpi_status cpi_override_write(cpi_txn *txn, const char *ref_a, const char *ref_b, bool same, const char *reason,
                              int64_t now, cpi_error *err);

typedef struct cpi_override {
    char ref_a[CPI_REF_MAX], ref_b[CPI_REF_MAX]; /* ref_a < ref_b */
    bool same;
    char reason[256];
    int64_t time;
} cpi_override;

/* Decode one stored override (key "refA\x1frefB", msgpack value). */
cpi_status cpi_override_decode(const void *key, size_t klen, const void *val, size_t vlen, cpi_override *out,
                               cpi_error *err);

/* --------------------------------------------------------------- review */

typedef struct cpi_review_item {
    char ref_a[CPI_REF_MAX], ref_b[CPI_REF_MAX];
    cpi_kind kind;
    double probability, weight;
    bool child;               /* either mention is a child (by role, or a DOB under 18 at the record date) */
} cpi_review_item;

/* Decode one stored review pair (key "refA\x1frefB", msgpack value) strictly: CPI_ERR_DATA naming the pair. */
cpi_status cpi_review_decode(const void *key, size_t klen, const void *val, size_t vlen, cpi_review_item *out,
                             cpi_error *err);

/* The possible-band pairs of the last resolve, children first, then by probability (highest first). */
cpi_status cpi_review_list(cpi_store *st, cpi_review_item **items, size_t *n, cpi_error *err);

/* -------------------------------------------------------------- explain */

typedef struct cpi_resolve_explanation {
    cpi_kind kind;
    cpi_fs_model model;       /* the stored model the pair was scored with */
    cpi_fs_explanation ex;    /* points into model */
    cpi_fs_band_kind band;
    double link, possible;
    char entity_a[CPI_ENTITY_ID_MAX], entity_b[CPI_ENTITY_ID_MAX]; /* "" if not resolved */
    const char *note;         /* static text when the pair is decided by something other than the score */
    char guard[384];          /* why the two entities were kept apart when the score links them: the
                               * first pair of their members the guard finds in conflict ("" none) */
} cpi_resolve_explanation;

/*
 * Explain the score of two mentions of one kind with the model the last
 * resolve trained: every comparison's level and weight, the prior, the total
 * and the probability. Phones and online ids have no model (they link on
 * equal keys): the note says so. CPI_NOT_FOUND when a mention does not exist
 * or nothing has been resolved yet.
 */
cpi_status cpi_resolve_explain(cpi_store *st, const char *ref_a, const char *ref_b, cpi_resolve_explanation *out,
                               cpi_error *err);

/* ------------------------------------------------------------- entity ids */

/* Format / parse "P-0000001". parse: CPI_ERR_USAGE if malformed. */
int cpi_entity_id_format(cpi_kind kind, uint64_t number, char *buf, size_t cap);
cpi_status cpi_entity_id_parse(const char *text, cpi_kind *kind, uint64_t *number, cpi_error *err);

#endif
