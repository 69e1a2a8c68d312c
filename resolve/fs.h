/*
 * fs.h - the Fellegi-Sunter record-linkage model, as Splink uses it.
 *
 * A candidate pair is compared field by field (resolve/compare.h) into a
 * comparison vector: one level per comparison. Each level l of comparison c
 * has m = P(level | match) and u = P(level | non-match); the pair's match
 * weight is
 *     w = log2(lambda / (1 - lambda)) + sum_c log2(m[c][l] / u[c][l])
 * and its match probability 2^w / (1 + 2^w). lambda is the prior probability
 * that a candidate pair matches. u comes from random pairs
 * (cpi_fs_estimate_u), m and lambda from EM without labels (cpi_fs_train_em),
 * and every score can be explained term by term (cpi_fs_explain).
 *
 * The null level. Each comparison names one level as its null level (the
 * field missing on either side). It contributes weight 0: it is left out of
 * the sum, out of estimation and out of EM, so m and u of the other levels
 * are distributions over the non-null levels (each sums to 1) and the null
 * level's stored m and u are both 1.0.
 *
 * Ownership: a cpi_fs_model is a plain value (fixed arrays, no pointers): copy
 * it, keep it on the stack, free nothing. An explanation points into the
 * model it was made from and lives as long as that model. Encoded models are
 * malloc'd; the caller frees them.
 */
#ifndef CPI_FS_H
#define CPI_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define CPI_FS_MAX_CMP 16    /* comparisons per model */
#define CPI_FS_MAX_LEVELS 8  /* levels per comparison, null level included */
#define CPI_FS_NAME_MAX 24   /* bytes incl. NUL of a comparison or level name */
#define CPI_FS_NO_TF 0xFF    /* tf_level when a comparison takes no term-frequency adjustment */

/* Default band thresholds on the match probability. */
#define CPI_FS_LINK_DEFAULT 0.99
#define CPI_FS_POSSIBLE_DEFAULT 0.80

/* Default floor under a term frequency (see cpi_fs_weight). */
#define CPI_FS_TF_FLOOR_DEFAULT 1e-4

/*
 * Pseudo-count added to every non-null level when estimating u and m, so no
 * probability is ever 0 (a zero would make one field veto every link).
 */
#define CPI_FS_SMOOTHING 1.0

typedef struct cpi_fs_comparison {
    char name[CPI_FS_NAME_MAX];                         /* "forename", "dob", ... */
    char level_names[CPI_FS_MAX_LEVELS][CPI_FS_NAME_MAX];
    uint8_t n_levels;                                   /* 2..CPI_FS_MAX_LEVELS */
    uint8_t null_level;                                 /* < n_levels */
    uint8_t tf_level;                                   /* level taking TF adjustment, or CPI_FS_NO_TF */
    double tf_floor;                                    /* in (0, 1] */
    double m[CPI_FS_MAX_LEVELS];
    double u[CPI_FS_MAX_LEVELS];
} cpi_fs_comparison;

typedef struct cpi_fs_model {
    uint8_t n_cmp;
    double lambda; /* in (0, 1) */
    cpi_fs_comparison cmp[CPI_FS_MAX_CMP];
} cpi_fs_model;

/* One candidate pair's levels; entries past model->n_cmp are ignored. */
typedef struct cpi_fs_vec {
    uint8_t levels[CPI_FS_MAX_CMP];
} cpi_fs_vec;

/* An empty model with prior lambda. */
void cpi_fs_model_init(cpi_fs_model *model, double lambda);

/*
 * Append a comparison with n_levels levels named by level_names (each
 * shorter than CPI_FS_NAME_MAX), level null_level being the null level.
 * Starting values, which EM refines: u uniform over the non-null levels, m
 * halving from level to level in index order, because the compare.h
 * convention is strongest agreement first. No TF adjustment (set tf_level
 * and tf_floor afterwards to enable it).
 */
cpi_status cpi_fs_model_add(cpi_fs_model *model, const char *name, uint8_t n_levels,
                            const char *const *level_names, uint8_t null_level, cpi_error *err);

/* Check every invariant this header states (ranges, sums, names); CPI_ERR_DATA names the first broken one. */
cpi_status cpi_fs_model_check(const cpi_fs_model *model, cpi_error *err);

/* Check vec against model: each level < n_levels of its comparison. */
cpi_status cpi_fs_vec_check(const cpi_fs_model *model, const cpi_fs_vec *vec, cpi_error *err);

/* log2(lambda / (1 - lambda)). */
double cpi_fs_prior_weight(const cpi_fs_model *model);

/*
 * Total match weight (log2) of vec. tf may be NULL (no adjustment); else
 * tf[c] is the relative frequency in (0, 1] of the value both sides share in
 * comparison c, or 0 for "not known". When vec's level of comparison c is its
 * tf_level and tf[c] > 0, the Bayes factor is m / max(tf[c], tf_floor)
 * instead of m / u: the term frequency replaces u, as in Splink with
 * tf_adjustment_weight 1 (Splink writes it as (m/u) * (u/tf)), so agreeing on
 * "jones" counts for less than agreeing on "pryce". The floor stops a value
 * seen once in a small sample from outweighing everything else.
 * The vector must pass cpi_fs_vec_check; a level out of range gives NaN.
 */
double cpi_fs_weight(const cpi_fs_model *model, const cpi_fs_vec *vec, const double *tf);

/* 2^w / (1 + 2^w), computed without overflow for large |w|. */
double cpi_fs_probability(double weight);

/* One row of the waterfall. */
typedef struct cpi_fs_term {
    const char *comparison; /* points into the model */
    const char *level;      /* points into the model */
    uint8_t level_index;
    bool is_null;           /* weight 0 by definition */
    bool tf_applied;        /* u below is max(tf, tf_floor), not the model's u */
    double m, u;
    double log2_bf;         /* log2(m / u); 0 for the null level */
} cpi_fs_term;

typedef struct cpi_fs_explanation {
    double prior;           /* log2(lambda / (1 - lambda)) */
    size_t n_terms;
    cpi_fs_term terms[CPI_FS_MAX_CMP];
    double total;           /* prior + sum of log2_bf: equals cpi_fs_weight */
    double probability;     /* cpi_fs_probability(total) */
} cpi_fs_explanation;

/* Fill out with the waterfall of vec (tf as for cpi_fs_weight). */
cpi_status cpi_fs_explain(const cpi_fs_model *model, const cpi_fs_vec *vec, const double *tf,
                          cpi_fs_explanation *out, cpi_error *err);

/*
 * Write the waterfall as text lines ("prior", one per comparison, "total",
 * "probability") into buf, like snprintf: returns the length it needed.
 */
int cpi_fs_explain_format(const cpi_fs_explanation *ex, char *buf, size_t cap);

typedef enum cpi_fs_band_kind {
    CPI_FS_NONLINK = 0,
    CPI_FS_POSSIBLE, /* for human review */
    CPI_FS_LINK
} cpi_fs_band_kind;

/* LINK if prob >= upper, POSSIBLE if prob >= lower, else NONLINK. */
cpi_fs_band_kind cpi_fs_band(double prob, double lower, double upper);

/* "link", "possible", "non-link". */
const char *cpi_fs_band_name(cpi_fs_band_kind band);

/*
 * Set every comparison's u from random pairs (which are almost all
 * non-matches): the proportion of each non-null level among the pairs where
 * the field is not null, with CPI_FS_SMOOTHING added to every count. A
 * comparison null in every pair keeps uniform u. Vectors are checked first.
 */
cpi_status cpi_fs_estimate_u(cpi_fs_model *model, const cpi_fs_vec *vecs, size_t n,
                             cpi_error *err);

typedef struct cpi_fs_em_result {
    int iterations;           /* EM iterations run */
    bool converged;           /* largest parameter change fell below the tolerance */
    double max_change;        /* largest change of lambda or any m (or u) in the last iteration */
    double log_likelihood;    /* of the data under the final parameters, natural log */
    double ll_change;         /* log-likelihood gain of the last iteration */
    size_t distinct_patterns; /* distinct vectors EM ran over */
} cpi_fs_em_result;

/*
 * Train m and lambda by expectation-maximisation on unlabelled candidate
 * pairs, starting from the model's current values. Identical vectors are
 * first aggregated into distinct patterns with counts (a hash table built
 * once), so each iteration costs O(patterns * comparisons) and allocates
 * nothing. E step: each pattern's posterior match probability. M step:
 * lambda = expected matches / n; m[c][l] = expected matches at level l over
 * expected matches where c is not null, with CPI_FS_SMOOTHING added. With
 * fix_u (Splink's default) u stays as estimated from random pairs, which
 * also pins down which class is "match"; otherwise u is re-estimated the
 * same way from the expected non-matches. Stops when the largest parameter
 * change is below tolerance or after max_iter iterations. result may be
 * NULL.
 */
cpi_status cpi_fs_train_em(cpi_fs_model *model, const cpi_fs_vec *vecs, size_t n, int max_iter,
                           double tolerance, bool fix_u, cpi_fs_em_result *result,
                           cpi_error *err);

/*
 * Encode the model as msgpack: [map, bin(16)], where the map holds the
 * version and every field under a short name and bin is the BLAKE2b-128 of
 * the map's bytes, so a stored model that was damaged is refused rather than
 * used. *out is malloc'd; free() it.
 */
cpi_status cpi_fs_model_encode(const cpi_fs_model *model, char **out, size_t *len,
                               cpi_error *err);

/*
 * Decode strictly: wrong checksum, unknown or missing field, wrong type,
 * unknown version, trailing bytes or a model failing cpi_fs_model_check are
 * CPI_ERR_DATA with a message naming what is wrong.
 */
cpi_status cpi_fs_model_decode(const void *data, size_t len, cpi_fs_model *out, cpi_error *err);

#endif
