/*
 * fs.c - Fellegi-Sunter scoring, explanation, u estimation, EM training and
 * the stored form of a trained model (see fs.h for the model's meaning).
 *
 * Training runs over millions of candidate pairs but they fall into few
 * distinct comparison vectors, so EM first counts the distinct patterns in
 * an open-addressing hash table and then iterates over patterns with counts;
 * the iterations themselves never allocate.
 */
#include "resolve/fs.h"
#include "core/array.h"

#include <math.h>
#include <msgpack.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keeps lambda away from 0 and 1, where the prior weight is infinite. */
#define LAMBDA_MIN 1e-9
#define LAMBDA_MAX (1.0 - 1e-9)
/* How far a distribution's sum may stray from 1 through rounding. */
#define SUM_TOLERANCE 1e-6
#define ENCODING_VERSION 1
#define CHECKSUM_BYTES 16

/* --------------------------------------------------------------- building */

void cpi_fs_model_init(cpi_fs_model *model, double lambda)
{
    memset(model, 0, sizeof *model);
    model->lambda = lambda;
}

static bool name_fits(const char *s)
{
    return s && s[0] && strlen(s) < CPI_FS_NAME_MAX;
}

/* Starting m: halving from level to level over the non-null levels, normalised; u uniform. */
static void set_start_values(cpi_fs_comparison *c)
{
    double total = 0, mass = 1.0;
    for (uint8_t l = 0; l < c->n_levels; l++) {
        if (l == c->null_level)
            continue;
        c->m[l] = mass;
        total += mass;
        mass /= 2;
    }
    for (uint8_t l = 0; l < c->n_levels; l++) {
        bool null = l == c->null_level;
        c->m[l] = null ? 1.0 : c->m[l] / total;
        c->u[l] = null ? 1.0 : 1.0 / (c->n_levels - 1);
    }
}

cpi_status cpi_fs_model_add(cpi_fs_model *model, const char *name, uint8_t n_levels,
                            const char *const *level_names, uint8_t null_level, cpi_error *err)
{
    if (model->n_cmp >= CPI_FS_MAX_CMP)
        return cpi_error_set(err, CPI_ERR_USAGE, "fs model: more than %d comparisons",
                             CPI_FS_MAX_CMP);
    if (!name_fits(name))
        return cpi_error_set(err, CPI_ERR_USAGE, "fs model: comparison name empty or longer than %d",
                             CPI_FS_NAME_MAX - 1);
    if (n_levels < 2 || n_levels > CPI_FS_MAX_LEVELS || null_level >= n_levels)
        return cpi_error_set(err, CPI_ERR_USAGE,
                             "fs model: comparison '%s': %u levels with null level %u "
                             "(need 2..%d levels and null level below them)",
                             name, n_levels, null_level, CPI_FS_MAX_LEVELS);
    cpi_fs_comparison *c = &model->cmp[model->n_cmp];
    memset(c, 0, sizeof *c);
    for (uint8_t l = 0; l < n_levels; l++) {
        if (!name_fits(level_names[l]))
            return cpi_error_set(err, CPI_ERR_USAGE,
                                 "fs model: comparison '%s': level %u name empty or too long", name, l);
        strcpy(c->level_names[l], level_names[l]);
    }
    strcpy(c->name, name);
    c->n_levels = n_levels;
    c->null_level = null_level;
    c->tf_level = CPI_FS_NO_TF;
    c->tf_floor = CPI_FS_TF_FLOOR_DEFAULT;
    set_start_values(c);
    model->n_cmp++;
    return CPI_OK;
}

/* ------------------------------------------------------------- validation */

static bool prob_ok(double p)
{
    return isfinite(p) && p > 0.0 && p <= 1.0;
}

static bool fixed_str_ok(const char *s)
{
    return s[0] != '\0' && memchr(s, '\0', CPI_FS_NAME_MAX) != NULL;
}

static cpi_status check_comparison(const cpi_fs_comparison *c, int ci, cpi_error *err)
{
    if (!fixed_str_ok(c->name))
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: comparison %d: bad name", ci);
    if (c->n_levels < 2 || c->n_levels > CPI_FS_MAX_LEVELS)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: comparison '%s': %u levels (need 2..%d)",
                             c->name, c->n_levels, CPI_FS_MAX_LEVELS);
    if (c->null_level >= c->n_levels)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: comparison '%s': null level %u out of range",
                             c->name, c->null_level);
    if (c->tf_level != CPI_FS_NO_TF && (c->tf_level >= c->n_levels || c->tf_level == c->null_level))
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: comparison '%s': tf level %u invalid",
                             c->name, c->tf_level);
    if (!prob_ok(c->tf_floor))
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: comparison '%s': tf floor not in (0, 1]",
                             c->name);
    double msum = 0, usum = 0;
    for (uint8_t l = 0; l < c->n_levels; l++) {
        if (!fixed_str_ok(c->level_names[l]))
            return cpi_error_set(err, CPI_ERR_DATA, "fs model: comparison '%s': level %u: bad name",
                                 c->name, l);
        if (l == c->null_level)
            continue;
        if (!prob_ok(c->m[l]) || !prob_ok(c->u[l]))
            return cpi_error_set(err, CPI_ERR_DATA,
                                 "fs model: comparison '%s' level '%s': m or u not in (0, 1]", c->name,
                                 c->level_names[l]);
        msum += c->m[l];
        usum += c->u[l];
    }
    if (fabs(msum - 1.0) > SUM_TOLERANCE || fabs(usum - 1.0) > SUM_TOLERANCE)
        return cpi_error_set(err, CPI_ERR_DATA,
                             "fs model: comparison '%s': m sums to %.9g and u to %.9g, not 1", c->name,
                             msum, usum);
    return CPI_OK;
}

cpi_status cpi_fs_model_check(const cpi_fs_model *model, cpi_error *err)
{
    if (model->n_cmp == 0 || model->n_cmp > CPI_FS_MAX_CMP)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: %u comparisons (need 1..%d)", model->n_cmp,
                             CPI_FS_MAX_CMP);
    if (!isfinite(model->lambda) || model->lambda <= 0.0 || model->lambda >= 1.0)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: lambda %g not in (0, 1)", model->lambda);
    for (int c = 0; c < model->n_cmp; c++) {
        cpi_status s = check_comparison(&model->cmp[c], c, err);
        if (s != CPI_OK)
            return s;
    }
    return CPI_OK;
}

cpi_status cpi_fs_vec_check(const cpi_fs_model *model, const cpi_fs_vec *vec, cpi_error *err)
{
    for (int c = 0; c < model->n_cmp; c++)
        if (vec->levels[c] >= model->cmp[c].n_levels)
            return cpi_error_set(err, CPI_ERR_USAGE,
                                 "fs vector: comparison '%s' level %u out of range (%u levels)",
                                 model->cmp[c].name, vec->levels[c], model->cmp[c].n_levels);
    return CPI_OK;
}

/* ---------------------------------------------------------------- scoring */

double cpi_fs_prior_weight(const cpi_fs_model *model)
{
    return log2(model->lambda / (1.0 - model->lambda));
}

/* The u a term uses: the term frequency (floored) on the TF level when one is given. */
static double term_u(const cpi_fs_comparison *c, uint8_t level, double tf, bool *tf_applied)
{
    *tf_applied = level == c->tf_level && tf > 0.0;
    if (!*tf_applied)
        return c->u[level];
    return tf > c->tf_floor ? tf : c->tf_floor;
}

double cpi_fs_weight(const cpi_fs_model *model, const cpi_fs_vec *vec, const double *tf)
{
    double w = cpi_fs_prior_weight(model);
    for (int c = 0; c < model->n_cmp; c++) {
        const cpi_fs_comparison *cmp = &model->cmp[c];
        uint8_t l = vec->levels[c];
        if (l >= cmp->n_levels)
            return NAN;
        if (l == cmp->null_level)
            continue;
        bool applied;
        w += log2(cmp->m[l] / term_u(cmp, l, tf ? tf[c] : 0.0, &applied));
    }
    return w;
}

double cpi_fs_probability(double weight)
{
    /* 1 / (1 + 2^-w) neither overflows for large w nor loses everything for very negative w. */
    if (weight >= 0)
        return 1.0 / (1.0 + exp2(-weight));
    double p = exp2(weight);
    return p / (1.0 + p);
}

cpi_status cpi_fs_explain(const cpi_fs_model *model, const cpi_fs_vec *vec, const double *tf,
                          cpi_fs_explanation *out, cpi_error *err)
{
    cpi_status s = cpi_fs_vec_check(model, vec, err);
    if (s != CPI_OK)
        return s;
    memset(out, 0, sizeof *out);
    out->prior = cpi_fs_prior_weight(model);
    out->total = out->prior;
    out->n_terms = model->n_cmp;
    for (int c = 0; c < model->n_cmp; c++) {
        const cpi_fs_comparison *cmp = &model->cmp[c];
        cpi_fs_term *t = &out->terms[c];
        uint8_t l = vec->levels[c];
        t->comparison = cmp->name;
        t->level = cmp->level_names[l];
        t->level_index = l;
        t->is_null = l == cmp->null_level;
        t->m = cmp->m[l];
        t->u = t->is_null ? cmp->u[l] : term_u(cmp, l, tf ? tf[c] : 0.0, &t->tf_applied);
        t->log2_bf = t->is_null ? 0.0 : log2(t->m / t->u);
        out->total += t->log2_bf;
    }
    out->probability = cpi_fs_probability(out->total);
    return CPI_OK;
}

int cpi_fs_explain_format(const cpi_fs_explanation *ex, char *buf, size_t cap)
{
    size_t used = 0;
    int n;
#define APPEND(...)                                                                       \
    do {                                                                                  \
        n = snprintf(used < cap ? buf + used : NULL, used < cap ? cap - used : 0, __VA_ARGS__); \
        if (n < 0)                                                                        \
            return n;                                                                     \
        used += (size_t)n;                                                                \
    } while (0)
    APPEND("%-16s %-16s %10s %10s %9s\n", "comparison", "level", "m", "u", "weight");
    APPEND("%-16s %-16s %10s %10s %+9.3f\n", "prior", "", "", "", ex->prior);
    for (size_t i = 0; i < ex->n_terms; i++) {
        const cpi_fs_term *t = &ex->terms[i];
        if (t->is_null)
            APPEND("%-16s %-16s %10s %10s %+9.3f\n", t->comparison, t->level, "-", "-", 0.0);
        else
            APPEND("%-16s %-16s %10.4g %10.4g%s %+9.3f\n", t->comparison, t->level, t->m, t->u,
                   t->tf_applied ? "*" : " ", t->log2_bf);
    }
    APPEND("%-16s %-16s %10s %10s %+9.3f\n", "total", "", "", "", ex->total);
    APPEND("probability %.6f\n", ex->probability);
#undef APPEND
    return (int)used;
}

cpi_fs_band_kind cpi_fs_band(double prob, double lower, double upper)
{
    if (prob >= upper)
        return CPI_FS_LINK;
    if (prob >= lower)
        return CPI_FS_POSSIBLE;
    return CPI_FS_NONLINK;
}

const char *cpi_fs_band_name(cpi_fs_band_kind band)
{
    switch (band) {
    case CPI_FS_LINK: return "link";
    case CPI_FS_POSSIBLE: return "possible";
    default: return "non-link";
    }
}

/* ------------------------------------------------------------- estimation */

/* Turn per-level expected counts into a smoothed distribution over the non-null levels. */
static void smoothed_distribution(const cpi_fs_comparison *c, const double *counts, double *out)
{
    double total = 0;
    for (uint8_t l = 0; l < c->n_levels; l++)
        if (l != c->null_level)
            total += counts[l];
    double denom = total + CPI_FS_SMOOTHING * (c->n_levels - 1);
    for (uint8_t l = 0; l < c->n_levels; l++)
        out[l] = l == c->null_level ? 1.0 : (counts[l] + CPI_FS_SMOOTHING) / denom;
}

cpi_status cpi_fs_estimate_u(cpi_fs_model *model, const cpi_fs_vec *vecs, size_t n,
                             cpi_error *err)
{
    for (size_t i = 0; i < n; i++) {
        cpi_status s = cpi_fs_vec_check(model, &vecs[i], err);
        if (s != CPI_OK)
            return s;
    }
    for (int c = 0; c < model->n_cmp; c++) {
        double counts[CPI_FS_MAX_LEVELS] = {0};
        for (size_t i = 0; i < n; i++)
            counts[vecs[i].levels[c]] += 1.0;
        smoothed_distribution(&model->cmp[c], counts, model->cmp[c].u);
    }
    return CPI_OK;
}

/* ---------------------------------------------------- pattern aggregation */

typedef struct pattern {
    cpi_fs_vec vec;
    double count;
} pattern;

typedef struct pattern_set {
    pattern *items;
    size_t n, cap;
    size_t *slots; /* index into items, or SIZE_MAX for empty */
    size_t n_slots; /* power of two, kept at least twice n */
} pattern_set;

static uint64_t vec_hash(const cpi_fs_vec *v, int n_cmp)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (int c = 0; c < n_cmp; c++) {
        h ^= v->levels[c];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static cpi_status slots_rebuild(pattern_set *ps, size_t n_slots, int n_cmp, cpi_error *err)
{
    size_t *slots = malloc(n_slots * sizeof *slots);
    if (!slots)
        return cpi_error_set(err, CPI_ERR_NOMEM, "fs em: no memory for pattern table");
    for (size_t i = 0; i < n_slots; i++)
        slots[i] = SIZE_MAX;
    for (size_t i = 0; i < ps->n; i++) {
        size_t j = vec_hash(&ps->items[i].vec, n_cmp) & (n_slots - 1);
        while (slots[j] != SIZE_MAX)
            j = (j + 1) & (n_slots - 1);
        slots[j] = i;
    }
    free(ps->slots);
    ps->slots = slots;
    ps->n_slots = n_slots;
    return CPI_OK;
}

/* Count one vector into the set; only the first n_cmp levels are the key. */
static cpi_status pattern_add(pattern_set *ps, const cpi_fs_vec *v, int n_cmp, cpi_error *err)
{
    size_t j = vec_hash(v, n_cmp) & (ps->n_slots - 1);
    for (; ps->slots[j] != SIZE_MAX; j = (j + 1) & (ps->n_slots - 1)) {
        pattern *p = &ps->items[ps->slots[j]];
        if (memcmp(p->vec.levels, v->levels, (size_t)n_cmp) == 0) {
            p->count += 1.0;
            return CPI_OK;
        }
    }
    if (CPI_GROW(ps->items, ps->cap, ps->n + 1, 0))
        return cpi_error_set(err, CPI_ERR_NOMEM, "fs em: no memory for patterns");
    pattern *p = &ps->items[ps->n];
    memset(p, 0, sizeof *p);
    memcpy(p->vec.levels, v->levels, (size_t)n_cmp);
    p->count = 1.0;
    ps->slots[j] = ps->n++;
    if (ps->n * 2 > ps->n_slots)
        return slots_rebuild(ps, ps->n_slots * 2, n_cmp, err);
    return CPI_OK;
}

static void pattern_set_free(pattern_set *ps)
{
    free(ps->items);
    free(ps->slots);
}

static cpi_status aggregate(const cpi_fs_model *model, const cpi_fs_vec *vecs, size_t n,
                            pattern_set *ps, cpi_error *err)
{
    memset(ps, 0, sizeof *ps);
    ps->cap = 256;
    ps->items = malloc(ps->cap * sizeof *ps->items);
    if (!ps->items)
        return cpi_error_set(err, CPI_ERR_NOMEM, "fs em: no memory for patterns");
    cpi_status s = slots_rebuild(ps, 1024, model->n_cmp, err);
    for (size_t i = 0; s == CPI_OK && i < n; i++) {
        s = cpi_fs_vec_check(model, &vecs[i], err);
        if (s == CPI_OK)
            s = pattern_add(ps, &vecs[i], model->n_cmp, err);
    }
    return s;
}

/* ---------------------------------------------------------------------- EM */

/* Natural logs of m and u (null levels 0) so a pattern's likelihood is a sum, never underflowing. */
typedef struct log_params {
    double log_lambda, log_not_lambda;
    double lm[CPI_FS_MAX_CMP][CPI_FS_MAX_LEVELS];
    double lu[CPI_FS_MAX_CMP][CPI_FS_MAX_LEVELS];
} log_params;

static void log_params_fill(const cpi_fs_model *model, log_params *lp)
{
    lp->log_lambda = log(model->lambda);
    lp->log_not_lambda = log1p(-model->lambda);
    for (int c = 0; c < model->n_cmp; c++) {
        const cpi_fs_comparison *cmp = &model->cmp[c];
        for (uint8_t l = 0; l < cmp->n_levels; l++) {
            bool null = l == cmp->null_level;
            lp->lm[c][l] = null ? 0.0 : log(cmp->m[l]);
            lp->lu[c][l] = null ? 0.0 : log(cmp->u[l]);
        }
    }
}

/* Posterior match probability of one pattern; adds count * log P(pattern) to *ll. */
static double pattern_posterior(const log_params *lp, const pattern *p, int n_cmp, double *ll)
{
    double a = lp->log_lambda, b = lp->log_not_lambda;
    for (int c = 0; c < n_cmp; c++) {
        a += lp->lm[c][p->vec.levels[c]];
        b += lp->lu[c][p->vec.levels[c]];
    }
    double hi = a > b ? a : b, lo = a > b ? b : a;
    *ll += p->count * (hi + log1p(exp(lo - hi)));
    return 1.0 / (1.0 + exp(b - a));
}

typedef struct em_sums {
    double match_total, all_total;
    double m[CPI_FS_MAX_CMP][CPI_FS_MAX_LEVELS];
    double u[CPI_FS_MAX_CMP][CPI_FS_MAX_LEVELS];
} em_sums;

/* E step over all patterns: expected counts by class; returns the log-likelihood. */
static double e_step(const cpi_fs_model *model, const pattern_set *ps, em_sums *sums)
{
    log_params lp;
    log_params_fill(model, &lp);
    memset(sums, 0, sizeof *sums);
    double ll = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const pattern *p = &ps->items[i];
        double post = pattern_posterior(&lp, p, model->n_cmp, &ll);
        double em = p->count * post, eu = p->count - em;
        sums->match_total += em;
        sums->all_total += p->count;
        for (int c = 0; c < model->n_cmp; c++) {
            sums->m[c][p->vec.levels[c]] += em;
            sums->u[c][p->vec.levels[c]] += eu;
        }
    }
    return ll;
}

static double max_abs_change(const double *old, const double *new, int n, double worst)
{
    for (int i = 0; i < n; i++)
        if (fabs(old[i] - new[i]) > worst)
            worst = fabs(old[i] - new[i]);
    return worst;
}

/* M step: new lambda, m (and u unless fixed); returns the largest parameter change. */
static double m_step(cpi_fs_model *model, const em_sums *sums, bool fix_u)
{
    double lambda = sums->match_total / sums->all_total;
    lambda = lambda < LAMBDA_MIN ? LAMBDA_MIN : lambda > LAMBDA_MAX ? LAMBDA_MAX : lambda;
    double change = fabs(lambda - model->lambda);
    model->lambda = lambda;
    for (int c = 0; c < model->n_cmp; c++) {
        cpi_fs_comparison *cmp = &model->cmp[c];
        double next[CPI_FS_MAX_LEVELS];
        smoothed_distribution(cmp, sums->m[c], next);
        change = max_abs_change(cmp->m, next, cmp->n_levels, change);
        memcpy(cmp->m, next, cmp->n_levels * sizeof next[0]);
        if (!fix_u) {
            smoothed_distribution(cmp, sums->u[c], next);
            change = max_abs_change(cmp->u, next, cmp->n_levels, change);
            memcpy(cmp->u, next, cmp->n_levels * sizeof next[0]);
        }
    }
    return change;
}

cpi_status cpi_fs_train_em(cpi_fs_model *model, const cpi_fs_vec *vecs, size_t n, int max_iter,
                           double tolerance, bool fix_u, cpi_fs_em_result *result,
                           cpi_error *err)
{
    cpi_fs_em_result r = {0};
    cpi_status s = cpi_fs_model_check(model, err);
    if (s != CPI_OK)
        return s;
    if (n == 0)
        return cpi_error_set(err, CPI_ERR_USAGE, "fs em: no comparison vectors to train on");
    pattern_set ps;
    s = aggregate(model, vecs, n, &ps, err);
    if (s != CPI_OK) {
        pattern_set_free(&ps);
        return s;
    }
    r.distinct_patterns = ps.n;
    em_sums sums;
    double ll = 0;
    while (r.iterations < max_iter) {
        ll = e_step(model, &ps, &sums);
        r.max_change = m_step(model, &sums, fix_u);
        r.iterations++;
        if (r.max_change < tolerance) {
            r.converged = true;
            break;
        }
    }
    /* The likelihood under the final parameters, to report the last step's gain. */
    r.log_likelihood = e_step(model, &ps, &sums);
    r.ll_change = r.iterations > 0 ? r.log_likelihood - ll : 0.0;
    pattern_set_free(&ps);
    if (result)
        *result = r;
    return CPI_OK;
}

/* ------------------------------------------------------------- encoding */

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void pack_doubles(msgpack_packer *pk, const double *v, int n)
{
    msgpack_pack_array(pk, (size_t)n);
    for (int i = 0; i < n; i++)
        msgpack_pack_double(pk, v[i]);
}

static void pack_comparison(msgpack_packer *pk, const cpi_fs_comparison *c)
{
    msgpack_pack_map(pk, 7);
    pack_str(pk, "n");
    pack_str(pk, c->name);
    pack_str(pk, "lv");
    msgpack_pack_array(pk, c->n_levels);
    for (uint8_t l = 0; l < c->n_levels; l++)
        pack_str(pk, c->level_names[l]);
    pack_str(pk, "nl");
    msgpack_pack_uint8(pk, c->null_level);
    pack_str(pk, "tf");
    msgpack_pack_uint8(pk, c->tf_level);
    pack_str(pk, "tff");
    msgpack_pack_double(pk, c->tf_floor);
    pack_str(pk, "m");
    pack_doubles(pk, c->m, c->n_levels);
    pack_str(pk, "u");
    pack_doubles(pk, c->u, c->n_levels);
}

cpi_status cpi_fs_model_encode(const cpi_fs_model *model, char **out, size_t *len,
                               cpi_error *err)
{
    cpi_status s = cpi_fs_model_check(model, err);
    if (s != CPI_OK)
        return s;
    if (sodium_init() < 0)
        return cpi_error_set(err, CPI_ERR_NOMEM, "fs model: libsodium failed to initialise");
    msgpack_sbuffer body;
    msgpack_sbuffer_init(&body);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 3);
    pack_str(&pk, "v");
    msgpack_pack_uint8(&pk, ENCODING_VERSION);
    pack_str(&pk, "l");
    msgpack_pack_double(&pk, model->lambda);
    pack_str(&pk, "c");
    msgpack_pack_array(&pk, model->n_cmp);
    for (int c = 0; c < model->n_cmp; c++)
        pack_comparison(&pk, &model->cmp[c]);

    /* [map, bin16]: fixarray byte, the map, bin8 header, checksum. */
    size_t total = 1 + body.size + 2 + CHECKSUM_BYTES;
    unsigned char *buf = body.data ? malloc(total) : NULL;
    if (!buf) {
        msgpack_sbuffer_destroy(&body);
        return cpi_error_set(err, CPI_ERR_NOMEM, "fs model: no memory to encode");
    }
    buf[0] = 0x92;
    memcpy(buf + 1, body.data, body.size);
    buf[1 + body.size] = 0xc4;
    buf[2 + body.size] = CHECKSUM_BYTES;
    crypto_generichash(buf + 3 + body.size, CHECKSUM_BYTES, (const unsigned char *)body.data,
                       body.size, NULL, 0);
    msgpack_sbuffer_destroy(&body);
    *out = (char *)buf;
    *len = total;
    return CPI_OK;
}

/* ------------------------------------------------------------- decoding */

static bool key_is(const msgpack_object *k, const char *name)
{
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(name) &&
           memcmp(k->via.str.ptr, name, k->via.str.size) == 0;
}

static cpi_status get_name(const msgpack_object *o, char *dst, const char *what, cpi_error *err)
{
    if (o->type != MSGPACK_OBJECT_STR || o->via.str.size == 0 || o->via.str.size >= CPI_FS_NAME_MAX ||
        memchr(o->via.str.ptr, '\0', o->via.str.size))
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: %s is not a name of 1..%d bytes", what,
                             CPI_FS_NAME_MAX - 1);
    memcpy(dst, o->via.str.ptr, o->via.str.size);
    dst[o->via.str.size] = '\0';
    return CPI_OK;
}

static cpi_status get_u8(const msgpack_object *o, uint8_t *dst, const char *what, cpi_error *err)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > 255)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: %s is not an integer 0..255", what);
    *dst = (uint8_t)o->via.u64;
    return CPI_OK;
}

static cpi_status get_double(const msgpack_object *o, double *dst, const char *what, cpi_error *err)
{
    if (o->type != MSGPACK_OBJECT_FLOAT64)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: %s is not a float64", what);
    *dst = o->via.f64;
    return CPI_OK;
}

/* An array of exactly n_levels elements (n_levels already known from "lv"). */
static cpi_status get_level_array(const msgpack_object *o, uint8_t n_levels, const char *what,
                                  const char *cmp_name, cpi_error *err)
{
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != n_levels)
        return cpi_error_set(err, CPI_ERR_DATA,
                             "fs model: comparison '%s': '%s' is not an array of %u", cmp_name, what,
                             n_levels);
    return CPI_OK;
}

/* The fields of a comparison map (all required), in the order they are read. */
enum { F_NAME, F_LEVELS, F_NULL, F_TF, F_TFF, F_M, F_U, F_COUNT };
static const char *const cmp_fields[F_COUNT] = {"n", "lv", "nl", "tf", "tff", "m", "u"};

static cpi_status decode_field(const msgpack_object *v, int f, cpi_fs_comparison *c, cpi_error *err)
{
    cpi_status s = CPI_OK;
    switch (f) {
    case F_NAME: return get_name(v, c->name, "comparison name", err);
    case F_LEVELS:
        if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size < 2 ||
            v->via.array.size > CPI_FS_MAX_LEVELS)
            return cpi_error_set(err, CPI_ERR_DATA, "fs model: comparison '%s': 'lv' is not an array "
                                 "of 2..%d level names", c->name, CPI_FS_MAX_LEVELS);
        c->n_levels = (uint8_t)v->via.array.size;
        for (uint8_t l = 0; s == CPI_OK && l < c->n_levels; l++)
            s = get_name(&v->via.array.ptr[l], c->level_names[l], "level name", err);
        return s;
    case F_NULL: return get_u8(v, &c->null_level, "null level", err);
    case F_TF: return get_u8(v, &c->tf_level, "tf level", err);
    case F_TFF: return get_double(v, &c->tf_floor, "tf floor", err);
    case F_M:
    case F_U: {
        double *dst = f == F_M ? c->m : c->u;
        s = get_level_array(v, c->n_levels, cmp_fields[f], c->name, err);
        for (uint8_t l = 0; s == CPI_OK && l < c->n_levels; l++)
            s = get_double(&v->via.array.ptr[l], &dst[l], cmp_fields[f], err);
        return s;
    }
    }
    return CPI_OK;
}

/* Describe a map key for an error message: its text when it is a short printable string. */
static void describe_key(const msgpack_object *k, char *out, size_t cap)
{
    if (k->type != MSGPACK_OBJECT_STR || k->via.str.size >= cap) {
        snprintf(out, cap, "(not a short string)");
        return;
    }
    for (uint32_t i = 0; i < k->via.str.size; i++)
        if (k->via.str.ptr[i] < 0x20 || k->via.str.ptr[i] > 0x7e) {
            snprintf(out, cap, "(unprintable)");
            return;
        }
    memcpy(out, k->via.str.ptr, k->via.str.size);
    out[k->via.str.size] = '\0';
}

/*
 * Match the keys of map o against names[0..n): vals[i] gets the value of
 * names[i]. Unknown, repeated and missing keys are refused by name; where
 * says which map it is.
 */
static cpi_status map_fields(const msgpack_object *o, const char *const *names, int n,
                             const msgpack_object **vals, const char *where, cpi_error *err)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: %s is not a map", where);
    for (int f = 0; f < n; f++)
        vals[f] = NULL;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object_kv *kv = &o->via.map.ptr[i];
        int f = 0;
        while (f < n && !key_is(&kv->key, names[f]))
            f++;
        if (f == n || vals[f]) {
            char key[24];
            describe_key(&kv->key, key, sizeof key);
            return cpi_error_set(err, CPI_ERR_DATA, "fs model: %s: %s field '%s'", where,
                                 f == n ? "unknown" : "repeated", key);
        }
        vals[f] = &kv->val;
    }
    for (int f = 0; f < n; f++)
        if (!vals[f])
            return cpi_error_set(err, CPI_ERR_DATA, "fs model: %s: missing field '%s'", where,
                                 names[f]);
    return CPI_OK;
}

static cpi_status decode_comparison(const msgpack_object *o, int index, cpi_fs_comparison *c,
                                    cpi_error *err)
{
    memset(c, 0, sizeof *c);
    char where[32];
    snprintf(where, sizeof where, "comparison %d", index);
    const msgpack_object *vals[F_COUNT];
    cpi_status s = map_fields(o, cmp_fields, F_COUNT, vals, where, err);
    /* Fields are read in a fixed order because "m" and "u" need n_levels from "lv". */
    for (int f = 0; s == CPI_OK && f < F_COUNT; f++)
        s = decode_field(vals[f], f, c, err);
    return s;
}

enum { T_VERSION, T_LAMBDA, T_CMPS, T_COUNT };
static const char *const top_fields[T_COUNT] = {"v", "l", "c"};

static cpi_status decode_body(const msgpack_object *o, cpi_fs_model *out, cpi_error *err)
{
    const msgpack_object *vals[T_COUNT];
    cpi_status s = map_fields(o, top_fields, T_COUNT, vals, "body", err);
    if (s != CPI_OK)
        return s;
    uint8_t version = 0;
    if ((s = get_u8(vals[T_VERSION], &version, "version", err)) != CPI_OK)
        return s;
    if (version != ENCODING_VERSION)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: encoding version %u unknown (expected %d)",
                             version, ENCODING_VERSION);
    if ((s = get_double(vals[T_LAMBDA], &out->lambda, "lambda", err)) != CPI_OK)
        return s;
    const msgpack_object *cmps = vals[T_CMPS];
    if (cmps->type != MSGPACK_OBJECT_ARRAY || cmps->via.array.size == 0 ||
        cmps->via.array.size > CPI_FS_MAX_CMP)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: 'c' is not an array of 1..%d comparisons",
                             CPI_FS_MAX_CMP);
    out->n_cmp = (uint8_t)cmps->via.array.size;
    for (int c = 0; c < out->n_cmp; c++)
        if ((s = decode_comparison(&cmps->via.array.ptr[c], c, &out->cmp[c], err)) != CPI_OK)
            return s;
    return cpi_fs_model_check(out, err);
}

/* The framing and checksum, before any msgpack parsing. */
static cpi_status check_frame(const unsigned char *p, size_t len, cpi_error *err)
{
    if (len < 1 + 1 + 2 + CHECKSUM_BYTES || p[0] != 0x92 || p[len - CHECKSUM_BYTES - 2] != 0xc4 ||
        p[len - CHECKSUM_BYTES - 1] != CHECKSUM_BYTES)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: not an encoded model (bad framing, %zu bytes)",
                             len);
    if (sodium_init() < 0)
        return cpi_error_set(err, CPI_ERR_NOMEM, "fs model: libsodium failed to initialise");
    unsigned char sum[CHECKSUM_BYTES];
    size_t body_len = len - 1 - 2 - CHECKSUM_BYTES;
    crypto_generichash(sum, CHECKSUM_BYTES, p + 1, body_len, NULL, 0);
    if (sodium_memcmp(sum, p + len - CHECKSUM_BYTES, CHECKSUM_BYTES) != 0)
        return cpi_error_set(err, CPI_ERR_DATA, "fs model: checksum mismatch (damaged value)");
    return CPI_OK;
}

cpi_status cpi_fs_model_decode(const void *data, size_t len, cpi_fs_model *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    cpi_status s = check_frame(data, len, err);
    if (s != CPI_OK)
        return s;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    msgpack_unpack_return r = msgpack_unpack_next(&up, data, len, &off);
    if (r != MSGPACK_UNPACK_SUCCESS)
        s = cpi_error_set(err, CPI_ERR_DATA, "fs model: value is not valid msgpack");
    else if (off != len)
        s = cpi_error_set(err, CPI_ERR_DATA, "fs model: trailing bytes after the value");
    else if (up.data.type != MSGPACK_OBJECT_ARRAY || up.data.via.array.size != 2 ||
             up.data.via.array.ptr[1].type != MSGPACK_OBJECT_BIN)
        s = cpi_error_set(err, CPI_ERR_DATA, "fs model: not a [body, checksum] pair");
    else
        s = decode_body(&up.data.via.array.ptr[0], out, err);
    msgpack_unpacked_destroy(&up);
    if (s != CPI_OK)
        memset(out, 0, sizeof *out);
    return s;
}
