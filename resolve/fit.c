/*
 * resolve/fit.c - train a Fellegi-Sunter model on one kind's candidate
 * pairs and score them, the way Splink does:
 *   u  from random pairs of the kind's mentions (nearly all non-matches),
 *   m and lambda by EM on the blocked candidate pairs, with u held fixed
 *      (which also pins which class is "match"),
 *   then every candidate's match weight and probability, TF-adjusted.
 * Vectors are computed once and kept (16 bytes + two TF floats a pair), so
 * the comparison functions run once per pair.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "resolve/internal.h"

typedef cpi_rs_pairvec pair_vec;

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/*
 * Fill vs[0..want) with random pairs of members[0..n), skipping (up to 16
 * tries) pairs the first pass joined or scores as likely matches.
 */
static void draw_pairs(cpi_rs_vec_fn vec, void *ctx, const uint32_t *members, uint32_t n, const uint32_t *apart,
                       const cpi_fs_model *prev, uint64_t want, uint64_t *seed, cpi_fs_vec *vs)
{
    double tf[CPI_FS_MAX_CMP];
    for (uint64_t k = 0; k < want; k++) {
        uint32_t a, b;
        int tries = 0;
        bool again;
        do { /* a pair the first pass joined, or scores as a likely match, is no sample of non-matches */
            a = (uint32_t)(splitmix(seed) % n);
            b = (uint32_t)(splitmix(seed) % n);
            if (a == b)
                b = (b + 1) % n;
            again = apart && apart[members[a]] == apart[members[b]];
            if (!again) {
                vec(ctx, members[a], members[b], &vs[k], tf);
                again = prev && cpi_fs_probability(cpi_fs_weight(prev, &vs[k], tf)) >= 0.5;
            }
        } while (again && ++tries < 16);
        if (again)
            vec(ctx, members[a], members[b], &vs[k], tf);
    }
}

/*
 * u from random pairs, as Splink does. u of a level is its share among the
 * pairs where the field is present on both sides, smoothed by one count per
 * level, so a comparison present in few pairs of the main sample (a phone, a
 * PNC id, a home: a few thousand of a million) cannot show a u below about
 * one over that few thousand - a floor that does not move as the force
 * grows, while the prior falls with its size: at 1M mentions a name and a
 * shared phone stayed under the link band only because the phone's u was
 * stuck at that floor (measured: 0.0001 at 25k children and at 100k, where
 * the prior fell 2.2 bits). So each comparison present in fewer than half
 * the main sample's pairs gets a second sample drawn only among the members
 * that hold it (a member holds a comparison when comparing it with itself is
 * not null), and its u comes from there.
 */
static cpi_status estimate_u(cpi_fs_model *model, cpi_rs_vec_fn vec, void *ctx, const uint32_t *members, uint32_t n,
                             const uint32_t *apart, const cpi_fs_model *prev, const cpi_resolve_opts *o,
                             cpi_error *err)
{
    if (n < 2)
        return CPI_OK; /* nothing to sample: u stays uniform */
    uint64_t want = o->u_pairs ? o->u_pairs : CPI_RESOLVE_U_PAIRS;
    uint64_t all = (uint64_t)n * (n - 1) / 2;
    if (want > all)
        want = all;
    cpi_fs_vec *vs = malloc(want * sizeof *vs);
    uint32_t *held = malloc((size_t)n * sizeof *held);
    uint8_t *self = malloc((size_t)n * CPI_FS_MAX_CMP);
    if (!vs || !held || !self) {
        free(vs);
        free(held);
        free(self);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for random pairs");
    }
    uint64_t seed = o->seed ^ 0x5eed;
    draw_pairs(vec, ctx, members, n, apart, prev, want, &seed, vs);
    cpi_status s = cpi_fs_estimate_u(model, vs, (size_t)want, err);
    uint64_t present[CPI_FS_MAX_CMP] = {0};
    for (uint64_t k = 0; k < want; k++)
        for (int c = 0; c < model->n_cmp; c++)
            present[c] += vs[k].levels[c] != model->cmp[c].null_level;
    bool sparse = false;
    for (int c = 0; c < model->n_cmp; c++)
        sparse |= present[c] < want / 2;
    if (!s && sparse) {
        double tf[CPI_FS_MAX_CMP];
        for (uint32_t k = 0; k < n; k++) {
            cpi_fs_vec v;
            vec(ctx, members[k], members[k], &v, tf);
            memcpy(self + (size_t)k * CPI_FS_MAX_CMP, v.levels, CPI_FS_MAX_CMP);
        }
    }
    for (int c = 0; c < model->n_cmp && !s; c++) {
        if (present[c] >= want / 2)
            continue;
        uint32_t nh = 0;
        for (uint32_t k = 0; k < n; k++)
            if (self[(size_t)k * CPI_FS_MAX_CMP + c] != model->cmp[c].null_level)
                held[nh++] = members[k];
        uint64_t w2 = nh < 2 ? 0 : (uint64_t)nh * (nh - 1) / 2;
        if (w2 > want / 8) /* an eighth of the main sample: a floor near 1e-5, at an eighth of the cost */
            w2 = want / 8;
        if (w2 <= present[c])
            continue; /* no more pairs to be had than the main sample's */
        draw_pairs(vec, ctx, held, nh, apart, prev, w2, &seed, vs);
        cpi_fs_model tmp = *model;
        if (!(s = cpi_fs_estimate_u(&tmp, vs, (size_t)w2, err)))
            memcpy(model->cmp[c].u, tmp.cmp[c].u, sizeof tmp.cmp[c].u);
    }
    free(self);
    free(held);
    free(vs);
    return s;
}

static bool meets(const cpi_rs_session *ss, const cpi_fs_vec *v)
{
    for (int k = 0; k < 2; k++)
        if (ss->cmp[k] >= 0 && !(ss->mask[k] & (1u << v->levels[ss->cmp[k]])))
            return false;
    return true;
}

/*
 * One EM session: train a copy of the model on the pairs meeting the
 * condition; keep the `take` comparisons' m in *final, and for each of them
 * the share of the session's expected matches where it is missing
 * (null_share[c]), because m is a distribution over present values only and
 * the prior's recall needs "present and agreeing".
 */
static cpi_status session(const cpi_fs_model *start, const cpi_rs_session *ss, const cpi_rs_fold *fold,
                          const pair_vec *pv, size_t n, const cpi_resolve_opts *o, cpi_fs_model *final,
                          double *null_share, double *expected, cpi_fs_em_result *r, cpi_error *err)
{
    bool folding = fold->mask && !(ss->exclude & (1u << fold->cmp));
    size_t n_meet = 0;
    for (size_t i = 0; i < n; i++)
        n_meet += meets(ss, &pv[i].v);
    *expected = 0;
    memset(r, 0, sizeof *r);
    if (n_meet == 0)
        return CPI_OK; /* nothing to learn from: the start values stay */
    size_t cap = o->em_pairs ? o->em_pairs : CPI_RESOLVE_EM_PAIRS;
    size_t n_em = n_meet < cap ? n_meet : cap;
    cpi_fs_vec *em = malloc(n_em * sizeof *em);
    uint8_t *fine = folding ? malloc(n_em) : NULL; /* the folded comparison's own level per sample */
    if (!em || (folding && !fine)) {
        free(em);
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for the EM sample");
    }
    /* an even sample: take the k-th meeting pair when k * n_em / n_meet passes the next slot */
    size_t k = 0, taken = 0;
    for (size_t i = 0; i < n && taken < n_em; i++) {
        if (!meets(ss, &pv[i].v))
            continue;
        if ((k * n_em) / n_meet >= taken) {
            em[taken] = pv[i].v;
            for (int c = 0; c < start->n_cmp; c++)
                if (ss->exclude & (1u << c))
                    em[taken].levels[c] = start->cmp[c].null_level;
            if (folding) {
                uint8_t *l = &em[taken].levels[fold->cmp];
                fine[taken] = *l;
                if (fold->mask & (1u << *l))
                    *l = fold->to;
            }
            taken++;
        }
        k++;
    }
    cpi_fs_model m = *start;
    m.lambda = 0.3;
    if (folding) { /* EM sees one level: its u is theirs together */
        cpi_fs_comparison *fc = &m.cmp[fold->cmp];
        for (int l = 0; l < fc->n_levels; l++)
            if (fold->mask & (1u << l)) {
                fc->u[fold->to] += fc->u[l];
                fc->m[fold->to] += fc->m[l];
                fc->u[l] = fc->m[l] = 1e-12; /* never seen: the model checks (0, 1] */
            }
    }
    cpi_status s = cpi_fs_train_em(&m, em, taken, o->em_iter ? o->em_iter : CPI_RESOLVE_EM_ITER,
                                   o->em_tol > 0 ? o->em_tol : CPI_RESOLVE_EM_TOL, true, r, err);
    if (s) {
        free(em);
        free(fine);
        return s;
    }
    double post_sum = 0, null_post[CPI_FS_MAX_CMP] = {0}, fine_post[CPI_FS_MAX_LEVELS] = {0};
    for (size_t i = 0; i < taken; i++) {
        double p = cpi_fs_probability(cpi_fs_weight(&m, &em[i], NULL));
        post_sum += p;
        for (int c = 0; c < start->n_cmp; c++)
            if (em[i].levels[c] == start->cmp[c].null_level)
                null_post[c] += p;
        if (folding && em[i].levels[fold->cmp] == fold->to)
            fine_post[fine[i]] += p;
    }
    free(em);
    free(fine);
    if (folding) {
        /* share the folded level's m out by the expected matches at each finer level (smoothed) */
        cpi_fs_comparison *fc = &m.cmp[fold->cmp];
        uint32_t all = fold->mask | 1u << fold->to;
        double total = 0, sum = 0;
        for (int l = 0; l < fc->n_levels; l++)
            if (all & (1u << l)) {
                total += fc->m[l]; /* the folded level's, and the smoothing EM gave the unseen ones */
                sum += fine_post[l] + CPI_FS_SMOOTHING;
            }
        for (int l = 0; l < fc->n_levels; l++)
            if (all & (1u << l))
                fc->m[l] = total * (fine_post[l] + CPI_FS_SMOOTHING) / sum;
    }
    for (int c = 0; c < start->n_cmp; c++)
        if (ss->take & (1u << c)) {
            memcpy(final->cmp[c].m, m.cmp[c].m, sizeof m.cmp[c].m);
            null_share[c] = post_sum > 0 ? null_post[c] / post_sum : 0;
        }
    *expected = m.lambda * (double)n_meet;
    return CPI_OK;
}

/* Share of all matches the prior session's condition keeps: present (1 - null share) and at its levels (m). */
static double recall(const cpi_fs_model *m, const double *null_share, const cpi_rs_session *ss)
{
    double r = 1;
    for (int k = 0; k < 2; k++) {
        if (ss->cmp[k] < 0)
            continue;
        const cpi_fs_comparison *c = &m->cmp[ss->cmp[k]];
        double p = 0;
        for (int l = 0; l < c->n_levels; l++)
            if (ss->mask[k] & (1u << l) && l != c->null_level)
                p += c->m[l];
        r *= p * (1 - null_share[ss->cmp[k]]);
    }
    return r;
}

typedef struct sig_entry {
    uint64_t sig;
    uint32_t i;
} sig_entry;

static int cmp_sig(const void *x, const void *y)
{
    const sig_entry *a = x, *b = y;
    if (a->sig != b->sig)
        return a->sig < b->sig ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

cpi_status cpi_rs_distinct(uint32_t *mem, uint32_t *n, cpi_rs_sig_fn sig, void *ctx, cpi_error *err)
{
    sig_entry *v = malloc((*n ? *n : 1) * sizeof *v);
    if (!v)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    for (uint32_t k = 0; k < *n; k++)
        v[k] = (sig_entry){sig(ctx, mem[k]), mem[k]};
    cpi_sort(v, *n, sizeof *v, cmp_sig);
    uint32_t w = 0;
    for (uint32_t k = 0; k < *n; k++)
        if (k == 0 || v[k].sig != v[k - 1].sig)
            mem[w++] = v[k].i;
    free(v);
    cpi_sort(mem, w, sizeof *mem, cmp_u32);
    *n = w;
    return CPI_OK;
}

typedef struct vec_job {
    cpi_rs_vec_fn vec;
    void *ctx;
    const cpi_rs_pairs *pairs;
    cpi_rs_pairvec *out;
    size_t lo, hi;
    const cpi_resolve_opts *o; /* progress from the first job only */
    const char *stage;
} vec_job;

static void *vec_run(void *arg)
{
    vec_job *j = arg;
    double tf[CPI_FS_MAX_CMP];
    for (size_t i = j->lo; i < j->hi; i++) {
        j->vec(j->ctx, (uint32_t)(j->pairs->v[i] >> 32), (uint32_t)j->pairs->v[i], &j->out[i].v, tf);
        j->out[i].tf0 = (float)tf[0];
        j->out[i].tf1 = (float)tf[1];
        if (j->o && j->o->progress && ((i - j->lo) & 0xfffff) == 0)
            j->o->progress(j->o->progress_ctx, j->stage, i - j->lo, j->hi - j->lo);
    }
    return NULL;
}

cpi_status cpi_rs_vectors(cpi_rs_vec_fn vec, void *ctx, const cpi_rs_pairs *pairs, const cpi_resolve_opts *o,
                          const char *stage, cpi_rs_pairvec **out, cpi_error *err)
{
    *out = malloc((pairs->n ? pairs->n : 1) * sizeof **out);
    if (!*out)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for %zu pair vectors", pairs->n);
    /* two workers: the comparisons are pure functions of read-only data */
    vec_job jobs[CPI_RS_THREADS];
    pthread_t th[CPI_RS_THREADS];
    bool started[CPI_RS_THREADS] = {false};
    size_t per = (pairs->n + CPI_RS_THREADS - 1) / CPI_RS_THREADS;
    for (int k = 0; k < CPI_RS_THREADS; k++) {
        size_t lo = (size_t)k * per, hi = lo + per > pairs->n ? pairs->n : lo + per;
        jobs[k] = (vec_job){vec, ctx, pairs, *out, lo < hi ? lo : hi, hi, k == 0 ? o : NULL, stage};
        if (k > 0 && pairs->n > 65536)
            started[k] = pthread_create(&th[k], NULL, vec_run, &jobs[k]) == 0;
    }
    vec_run(&jobs[0]);
    for (int k = 1; k < CPI_RS_THREADS; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else
            vec_run(&jobs[k]); /* small input, or no thread: do it here */
    }
    return CPI_OK;
}

cpi_status cpi_rs_fit_and_score(cpi_fs_model *model, const cpi_rs_training *tr, cpi_rs_vec_fn vec,
                                cpi_rs_flags_fn flags, void *ctx,
                                const uint32_t *distinct, uint32_t ndistinct, uint32_t population,
                                const uint32_t *apart, const cpi_fs_model *prev, const cpi_rs_pairs *pairs,
                                const cpi_rs_pairvec *pv, const cpi_resolve_opts *o, cpi_rs_scoredv *out,
                                cpi_resolve_kind_report *kr, cpi_error *err)
{
    kr->pairs = pairs->n;
    cpi_status s = estimate_u(model, vec, ctx, distinct, ndistinct, apart, prev, o, err);
    if (s || pairs->n == 0)
        return s;

    cpi_fs_model final = *model;
    double expected_prior = 0, null_share[CPI_FS_MAX_CMP] = {0};
    kr->em.converged = true;
    for (int i = 0; i < tr->n && !s; i++) {
        double expected;
        cpi_fs_em_result r;
        s = session(model, &tr->s[i], &tr->fold, pv, pairs->n, o, &final, null_share, &expected, &r, err);
        kr->em.iterations += r.iterations;
        kr->em.converged &= r.converged || r.iterations == 0;
        kr->em.distinct_patterns += r.distinct_patterns;
        if (r.max_change > kr->em.max_change)
            kr->em.max_change = r.max_change;
        if (i == tr->prior_session)
            expected_prior = expected;
    }
    if (!s) {
        double all = (double)population * ((double)population - 1) / 2;
        double rc = recall(&final, null_share, &tr->s[tr->prior_session]);
        double lambda = all > 0 && rc > 0 ? expected_prior / rc / all : 0;
        final.lambda = lambda < 1e-9 ? 1e-9 : lambda > 0.5 ? 0.5 : lambda;
        *model = final;
        kr->trained = true;
        kr->lambda = model->lambda;
    }

    for (size_t i = 0; i < pairs->n && !s; i++) {
        double t[CPI_FS_MAX_CMP] = {pv[i].tf0, pv[i].tf1};
        double w = cpi_fs_weight(model, &pv[i].v, t);
        double p = cpi_fs_probability(w);
        uint8_t f = flags ? flags(&pv[i].v) : 0;
        if (p >= o->possible || (f & RS_PAIR_NAME_STREET)) {
            s = cpi_rs_scored_add(out, (uint32_t)(pairs->v[i] >> 32), (uint32_t)pairs->v[i], w, p, f, err);
            if (p >= o->link)
                kr->link_pairs++;
            else if (p >= o->possible)
                kr->possible_pairs++;
        }
    }
    return s;
}
