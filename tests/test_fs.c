/*
 * test_fs.c - Fellegi-Sunter weights, the waterfall, term frequencies, u
 * estimation, EM recovery of known parameters, and the stored form.
 *
 * Weights are chosen as powers of two so the expected log2 values can be
 * worked by hand; the EM test draws pairs from KNOWN m, u and lambda with a
 * fixed-seed PRNG and checks that EM finds them again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <msgpack.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "render/waterfall.h"
#include "resolve/fs.h"

#define EPS 1e-9

static const char *const NAME_LEVELS[] = {"exact", "close", "else", "null"};
static const char *const DOB_LEVELS[] = {"exact", "else", "null"};
static const char *const PC_LEVELS[] = {"full", "district", "else", "null"};

/* name (null level 3), dob (null 2), postcode (null 3). */
static void three_field_model(cpi_fs_model *m, double lambda)
{
    cpi_fs_model_init(m, lambda);
    assert_int_equal(cpi_fs_model_add(m, "name", 4, NAME_LEVELS, 3, NULL), CPI_OK);
    assert_int_equal(cpi_fs_model_add(m, "dob", 3, DOB_LEVELS, 2, NULL), CPI_OK);
    assert_int_equal(cpi_fs_model_add(m, "postcode", 4, PC_LEVELS, 3, NULL), CPI_OK);
}

static void set_levels(cpi_fs_comparison *c, const double *m, const double *u)
{
    for (uint8_t l = 0; l < c->n_levels; l++)
        if (l != c->null_level)
            c->m[l] = m[l], c->u[l] = u[l];
}

/* Hand-friendly parameters: every Bayes factor a power of two where it matters. */
static void hand_model(cpi_fs_model *m)
{
    three_field_model(m, 0.2);                                        /* prior log2(1/4) = -2 */
    set_levels(&m->cmp[0], (double[]){0.8, 0.15, 0.05}, (double[]){0.05, 0.15, 0.8}); /* exact +4 */
    set_levels(&m->cmp[1], (double[]){0.5, 0.5}, (double[]){0.0625, 0.9375});          /* exact +3 */
    set_levels(&m->cmp[2], (double[]){0.5, 0.25, 0.25}, (double[]){0.125, 0.125, 0.75});
    assert_int_equal(cpi_fs_model_check(m, NULL), CPI_OK);
}

static void test_model_building(void **state)
{
    (void)state;
    cpi_fs_model m;
    three_field_model(&m, 0.1);
    assert_int_equal(m.n_cmp, 3);
    /* Starting values: m halves over the non-null levels (1, 1/2, 1/4 -> 4/7, 2/7, 1/7), u uniform. */
    assert_float_equal(m.cmp[0].m[0], 4.0 / 7, EPS);
    assert_float_equal(m.cmp[0].m[2], 1.0 / 7, EPS);
    assert_float_equal(m.cmp[0].u[1], 1.0 / 3, EPS);
    assert_int_equal(m.cmp[0].tf_level, CPI_FS_NO_TF);
    assert_int_equal(cpi_fs_model_check(&m, NULL), CPI_OK);

    cpi_error err = {0};
    assert_int_equal(cpi_fs_model_add(&m, "x", 1, NAME_LEVELS, 0, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_fs_model_add(&m, "x", 4, NAME_LEVELS, 4, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_fs_model_add(&m, "", 4, NAME_LEVELS, 3, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_fs_model_add(&m, "a_name_far_too_long_to_keep", 4, NAME_LEVELS, 3, &err),
                     CPI_ERR_USAGE);
    while (m.n_cmp < CPI_FS_MAX_CMP)
        assert_int_equal(cpi_fs_model_add(&m, "more", 3, DOB_LEVELS, 2, NULL), CPI_OK);
    assert_int_equal(cpi_fs_model_add(&m, "one_too_many", 3, DOB_LEVELS, 2, &err), CPI_ERR_USAGE);
    assert_non_null(strstr(err.msg, "16"));

    /* The checker catches what a hand edit could break. */
    three_field_model(&m, 0.1);
    m.cmp[1].m[0] = 0.7; /* m of dob now sums to 0.7 + 1/3 */
    assert_int_equal(cpi_fs_model_check(&m, &err), CPI_ERR_DATA);
    assert_non_null(strstr(err.msg, "dob"));
    three_field_model(&m, 1.0);
    assert_int_equal(cpi_fs_model_check(&m, &err), CPI_ERR_DATA);
    three_field_model(&m, 0.1);
    m.cmp[2].tf_level = 3; /* the null level cannot take TF */
    assert_int_equal(cpi_fs_model_check(&m, &err), CPI_ERR_DATA);
}

static void test_weight_and_explain(void **state)
{
    (void)state;
    cpi_fs_model m;
    hand_model(&m);
    /* name exact (+4), dob exact (+3), postcode null (0), prior -2: total 5, p = 32/33. */
    cpi_fs_vec v = {{0, 0, 3}};
    assert_float_equal(cpi_fs_prior_weight(&m), -2.0, EPS);
    assert_float_equal(cpi_fs_weight(&m, &v, NULL), 5.0, EPS);

    cpi_fs_explanation ex;
    assert_int_equal(cpi_fs_explain(&m, &v, NULL, &ex, NULL), CPI_OK);
    assert_int_equal(ex.n_terms, 3);
    assert_float_equal(ex.prior, -2.0, EPS);
    assert_string_equal(ex.terms[0].comparison, "name");
    assert_string_equal(ex.terms[0].level, "exact");
    assert_float_equal(ex.terms[0].m, 0.8, EPS);
    assert_float_equal(ex.terms[0].u, 0.05, EPS);
    assert_float_equal(ex.terms[0].log2_bf, 4.0, EPS);
    assert_float_equal(ex.terms[1].log2_bf, 3.0, EPS);
    assert_true(ex.terms[2].is_null);
    assert_string_equal(ex.terms[2].level, "null");
    assert_true(ex.terms[2].log2_bf == 0.0);
    assert_float_equal(ex.total, 5.0, EPS);
    assert_float_equal(ex.probability, 32.0 / 33, EPS);

    /* Disagreement: name else log2(0.05/0.8) = -4, dob else log2(0.5/0.9375) = log2(8/15),
     * postcode full +2, prior -2. The explanation sums to the weight for any vector. */
    cpi_fs_vec w = {{2, 1, 0}};
    double expect = -2 - 4 + log2(8.0 / 15) + 2;
    assert_float_equal(cpi_fs_weight(&m, &w, NULL), expect, EPS);
    for (uint8_t a = 0; a < 4; a++)
        for (uint8_t b = 0; b < 3; b++)
            for (uint8_t c = 0; c < 4; c++) {
                cpi_fs_vec x = {{a, b, c}};
                assert_int_equal(cpi_fs_explain(&m, &x, NULL, &ex, NULL), CPI_OK);
                double sum = ex.prior;
                for (size_t i = 0; i < ex.n_terms; i++)
                    sum += ex.terms[i].log2_bf;
                assert_float_equal(sum, ex.total, 1e-12);
                assert_float_equal(ex.total, cpi_fs_weight(&m, &x, NULL), 1e-12);
                double p = pow(2, ex.total) / (1 + pow(2, ex.total));
                assert_float_equal(ex.probability, p, 1e-12);
            }

    /* Out-of-range levels are refused, and the hot path says NaN rather than guessing. */
    cpi_fs_vec bad = {{0, 3, 0}};
    cpi_error err = {0};
    assert_int_equal(cpi_fs_explain(&m, &bad, NULL, &ex, &err), CPI_ERR_USAGE);
    assert_non_null(strstr(err.msg, "dob"));
    assert_true(isnan(cpi_fs_weight(&m, &bad, NULL)));
}

static void test_explain_format(void **state)
{
    (void)state;
    cpi_fs_model m;
    hand_model(&m);
    cpi_fs_vec v = {{0, 0, 3}};
    cpi_fs_explanation ex;
    assert_int_equal(cpi_fs_explain(&m, &v, NULL, &ex, NULL), CPI_OK);
    char buf[2048];
    int n = cpi_fs_explain_format(&ex, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(buf));
    assert_non_null(strstr(buf, "prior"));
    assert_non_null(strstr(buf, "postcode"));
    assert_non_null(strstr(buf, "+5.000"));      /* the total */
    assert_non_null(strstr(buf, "0.969697"));    /* 32/33 */
    cpi_jw w;
    cpi_jw_init(&w, 0);
    cpi_jw_fs_explain(&w, &ex);
    json_t *j = json_loads(cpi_jw_text(&w, NULL), 0, NULL);
    cpi_jw_free(&w);
    assert_non_null(j);
    assert_float_equal(json_real_value(json_object_get(j, "total")), 5.0, EPS);
    assert_float_equal(json_real_value(json_object_get(j, "prior")), -2.0, EPS);
    json_t *terms = json_object_get(j, "terms");
    assert_int_equal(json_array_size(terms), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(terms, 1), "comparison")),
                        "dob");
    assert_float_equal(json_real_value(json_object_get(json_array_get(terms, 1), "log2_bf")), 3.0,
                       EPS);
    assert_true(json_is_null(json_object_get(json_array_get(terms, 2), "m")));
    assert_true(json_is_true(json_object_get(json_array_get(terms, 2), "null")));
    json_decref(j);
    char small[16];
    assert_int_equal(cpi_fs_explain_format(&ex, small, sizeof small), n); /* snprintf contract */
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void test_term_frequency(void **state)
{
    (void)state;
    cpi_fs_model m;
    hand_model(&m);
    m.cmp[0].tf_level = 0;
    m.cmp[0].tf_floor = 1e-4;
    cpi_fs_vec v = {{0, 2, 3}}; /* name exact, dob and postcode null */
    /* Without a frequency, as before: prior -2 + 4. */
    assert_float_equal(cpi_fs_weight(&m, &v, NULL), 2.0, EPS);
    /* "jones", 1 in 5 of the names: u replaced by 0.2, BF = 0.8 / 0.2 = 4. */
    double jones[3] = {0.2, 0, 0};
    assert_float_equal(cpi_fs_weight(&m, &v, jones), -2.0 + 2.0, EPS);
    /* "pryce", 1 in 800: BF = 0.8 * 800 = 640. */
    double pryce[3] = {1.0 / 800, 0, 0};
    assert_float_equal(cpi_fs_weight(&m, &v, pryce), -2.0 + log2(640), EPS);
    assert_true(cpi_fs_weight(&m, &v, pryce) > cpi_fs_weight(&m, &v, jones));
    /* Below the floor the floor is used: BF = 0.8 / 1e-4 = 8000. */
    double seen_once[3] = {1e-7, 0, 0};
    assert_float_equal(cpi_fs_weight(&m, &v, seen_once), -2.0 + log2(8000), EPS);
    /* TF only touches its own level: name "close" keeps m/u = 1. */
    v.levels[0] = 1;
    assert_float_equal(cpi_fs_weight(&m, &v, jones), -2.0, EPS);
    /* The waterfall says so. */
    v.levels[0] = 0;
    cpi_fs_explanation ex;
    assert_int_equal(cpi_fs_explain(&m, &v, jones, &ex, NULL), CPI_OK);
    assert_true(ex.terms[0].tf_applied);
    assert_float_equal(ex.terms[0].u, 0.2, EPS);
    assert_false(ex.terms[1].tf_applied);
}

static void test_probability_and_bands(void **state)
{
    (void)state;
    assert_float_equal(cpi_fs_probability(0), 0.5, EPS);
    assert_float_equal(cpi_fs_probability(1), 2.0 / 3, EPS);
    assert_float_equal(cpi_fs_probability(-1), 1.0 / 3, EPS);
    assert_true(cpi_fs_probability(5000) == 1.0);
    double tiny = cpi_fs_probability(-5000);
    assert_true(tiny >= 0.0 && tiny < 1e-300);
    assert_int_equal(cpi_fs_band(0.995, CPI_FS_POSSIBLE_DEFAULT, CPI_FS_LINK_DEFAULT), CPI_FS_LINK);
    assert_int_equal(cpi_fs_band(0.99, CPI_FS_POSSIBLE_DEFAULT, CPI_FS_LINK_DEFAULT), CPI_FS_LINK);
    assert_int_equal(cpi_fs_band(0.989, CPI_FS_POSSIBLE_DEFAULT, CPI_FS_LINK_DEFAULT),
                     CPI_FS_POSSIBLE);
    assert_int_equal(cpi_fs_band(0.80, CPI_FS_POSSIBLE_DEFAULT, CPI_FS_LINK_DEFAULT),
                     CPI_FS_POSSIBLE);
    assert_int_equal(cpi_fs_band(0.79, CPI_FS_POSSIBLE_DEFAULT, CPI_FS_LINK_DEFAULT),
                     CPI_FS_NONLINK);
    assert_string_equal(cpi_fs_band_name(CPI_FS_POSSIBLE), "possible");
}

static void test_estimate_u(void **state)
{
    (void)state;
    cpi_fs_model m;
    three_field_model(&m, 0.1);
    /* name levels: 1 exact, 2 close, 6 else, 1 null; dob: all null; postcode: 10 full. */
    cpi_fs_vec v[10];
    const uint8_t name[10] = {0, 1, 1, 2, 2, 2, 2, 2, 2, 3};
    for (int i = 0; i < 10; i++)
        v[i] = (cpi_fs_vec){{name[i], 2, 0}};
    assert_int_equal(cpi_fs_estimate_u(&m, v, 10, NULL), CPI_OK);
    /* 9 non-null, +1 each of 3 levels: 2/12, 3/12, 7/12. */
    assert_float_equal(m.cmp[0].u[0], 2.0 / 12, EPS);
    assert_float_equal(m.cmp[0].u[1], 3.0 / 12, EPS);
    assert_float_equal(m.cmp[0].u[2], 7.0 / 12, EPS);
    /* Never observed: smoothing alone, uniform. */
    assert_float_equal(m.cmp[1].u[0], 0.5, EPS);
    /* Postcode: 11/13, 1/13, 1/13 - nothing is 0. */
    assert_float_equal(m.cmp[2].u[0], 11.0 / 13, EPS);
    assert_float_equal(m.cmp[2].u[2], 1.0 / 13, EPS);
    assert_int_equal(cpi_fs_model_check(&m, NULL), CPI_OK);
    v[4].levels[2] = 9;
    cpi_error err = {0};
    assert_int_equal(cpi_fs_estimate_u(&m, v, 10, &err), CPI_ERR_USAGE);
}

/* xorshift64*: a fixed, portable stream so the sample is the same everywhere. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static double rng_uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static uint8_t draw(const double *p, int n)
{
    double r = rng_uniform(), acc = 0;
    for (int i = 0; i < n - 1; i++) {
        acc += p[i];
        if (r < acc)
            return (uint8_t)i;
    }
    return (uint8_t)(n - 1);
}

/* True parameters over the non-null levels (null drawn separately, 10% of pairs). */
static const double TRUE_LAMBDA = 0.1;
static const double TRUE_M[3][3] = {{0.75, 0.15, 0.10}, {0.85, 0.15, 0}, {0.60, 0.30, 0.10}};
static const double TRUE_U[3][3] = {{0.02, 0.08, 0.90}, {0.05, 0.95, 0}, {0.05, 0.15, 0.80}};
static const int NONNULL[3] = {3, 2, 3};

static cpi_fs_vec *synthetic_pairs(size_t n)
{
    cpi_fs_vec *v = calloc(n, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        bool match = rng_uniform() < TRUE_LAMBDA;
        for (int c = 0; c < 3; c++) {
            bool null = rng_uniform() < 0.1;
            v[i].levels[c] = null ? (uint8_t)NONNULL[c]
                                  : draw(match ? TRUE_M[c] : TRUE_U[c], NONNULL[c]);
        }
    }
    return v;
}

static void test_em_recovers_known_parameters(void **state)
{
    (void)state;
    const size_t n = 20000;
    rng_state = 0x9E3779B97F4A7C15ULL;
    cpi_fs_vec *v = synthetic_pairs(n);
    cpi_fs_model m;
    three_field_model(&m, 0.3); /* deliberately wrong prior; m from the default start */
    for (int c = 0; c < 3; c++)
        set_levels(&m.cmp[c], m.cmp[c].m, TRUE_U[c]);
    cpi_fs_em_result r;
    assert_int_equal(cpi_fs_train_em(&m, v, n, 500, 1e-7, true, &r, NULL), CPI_OK);
    assert_true(r.converged);
    assert_true(r.iterations > 1 && r.iterations < 500);
    assert_true(r.distinct_patterns <= 4 * 3 * 4);
    assert_true(isfinite(r.log_likelihood) && r.log_likelihood < 0);
    assert_true(fabs(r.ll_change) < 1e-3);
    assert_float_equal(m.lambda, TRUE_LAMBDA, 0.02);
    for (int c = 0; c < 3; c++)
        for (int l = 0; l < NONNULL[c]; l++) {
            assert_float_equal(m.cmp[c].m[l], TRUE_M[c][l], 0.03);
            assert_float_equal(m.cmp[c].u[l], TRUE_U[c][l], EPS); /* fixed */
        }
    assert_int_equal(cpi_fs_model_check(&m, NULL), CPI_OK);

    /* Training u too still leaves a valid model (distributions summing to 1, nothing 0). */
    assert_int_equal(cpi_fs_train_em(&m, v, n, 50, 1e-7, false, &r, NULL), CPI_OK);
    assert_int_equal(cpi_fs_model_check(&m, NULL), CPI_OK);

    /* One iteration by hand on two patterns checks the E and M formulas directly. */
    cpi_fs_model h;
    hand_model(&h);
    cpi_fs_vec two[2] = {{{0, 0, 3}}, {{2, 1, 3}}};
    /* Posteriors: weight 5 -> 32/33; weight -2-4+log2(8/15) -> p = 1/(1 + 4*16*15/8) = 1/121. */
    double p1 = 32.0 / 33, p2 = 1.0 / 121;
    assert_int_equal(cpi_fs_train_em(&h, two, 2, 1, 0, true, &r, NULL), CPI_OK);
    assert_int_equal(r.iterations, 1);
    assert_int_equal(r.distinct_patterns, 2);
    assert_float_equal(h.lambda, (p1 + p2) / 2, EPS);
    /* name m[0] = (p1 + 1) / (p1 + p2 + 3); m[2] = (p2 + 1) / (p1 + p2 + 3). */
    assert_float_equal(h.cmp[0].m[0], (p1 + 1) / (p1 + p2 + 3), EPS);
    assert_float_equal(h.cmp[0].m[1], 1 / (p1 + p2 + 3), EPS);
    assert_float_equal(h.cmp[0].m[2], (p2 + 1) / (p1 + p2 + 3), EPS);
    /* postcode null in both: only the smoothing, so uniform. */
    assert_float_equal(h.cmp[2].m[0], 1.0 / 3, EPS);

    cpi_error err = {0};
    assert_int_equal(cpi_fs_train_em(&h, two, 0, 10, 1e-6, true, &r, &err), CPI_ERR_USAGE);
    free(v);
}

static void assert_models_equal(const cpi_fs_model *a, const cpi_fs_model *b)
{
    assert_int_equal(a->n_cmp, b->n_cmp);
    assert_true(a->lambda == b->lambda);
    for (int c = 0; c < a->n_cmp; c++) {
        const cpi_fs_comparison *x = &a->cmp[c], *y = &b->cmp[c];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->n_levels, y->n_levels);
        assert_int_equal(x->null_level, y->null_level);
        assert_int_equal(x->tf_level, y->tf_level);
        assert_true(x->tf_floor == y->tf_floor);
        for (int l = 0; l < x->n_levels; l++) {
            assert_string_equal(x->level_names[l], y->level_names[l]);
            assert_true(x->m[l] == y->m[l]);
            assert_true(x->u[l] == y->u[l]);
        }
    }
}

static void test_encode_round_trip(void **state)
{
    (void)state;
    cpi_fs_model m, back;
    hand_model(&m);
    m.cmp[0].tf_level = 0;
    m.cmp[0].tf_floor = 3e-5;
    m.lambda = 0.0123456789;
    char *buf;
    size_t len;
    assert_int_equal(cpi_fs_model_encode(&m, &buf, &len, NULL), CPI_OK);
    assert_int_equal(cpi_fs_model_decode(buf, len, &back, NULL), CPI_OK);
    assert_models_equal(&m, &back);

    /* Every single flipped byte, every truncation and one extra byte are refused. */
    cpi_error err = {0};
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x01;
        assert_int_equal(cpi_fs_model_decode(buf, len, &back, &err), CPI_ERR_DATA);
        buf[i] ^= 0x01;
    }
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(cpi_fs_model_decode(buf, cut, &back, &err), CPI_ERR_DATA);
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    assert_int_equal(cpi_fs_model_decode(longer, len + 1, &back, &err), CPI_ERR_DATA);
    free(longer);
    assert_int_equal(cpi_fs_model_decode(buf, len, &back, &err), CPI_OK);
    free(buf);
}

/* Frame a hand-packed body with a valid checksum, as the encoder would. */
static size_t frame(const msgpack_sbuffer *body, unsigned char *out)
{
    out[0] = 0x92;
    memcpy(out + 1, body->data, body->size);
    out[1 + body->size] = 0xc4;
    out[2 + body->size] = 16;
    crypto_generichash(out + 3 + body->size, 16, (const unsigned char *)body->data, body->size,
                       NULL, 0);
    return body->size + 19;
}

static void pk_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

/* A one-comparison body with one thing wrong, chosen by `fault`. */
static size_t faulty_model(int fault, unsigned char *out)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, fault == 1 ? 4 : 3);
    pk_str(&pk, "v");
    msgpack_pack_uint8(&pk, fault == 2 ? 2 : 1);
    pk_str(&pk, "l");
    if (fault == 3)
        msgpack_pack_double(&pk, 1.5);
    else if (fault == 4)
        msgpack_pack_int(&pk, 0);
    else
        msgpack_pack_double(&pk, 0.1);
    pk_str(&pk, "c");
    msgpack_pack_array(&pk, 1);
    msgpack_pack_map(&pk, 7);
    pk_str(&pk, "n");
    pk_str(&pk, "dob");
    pk_str(&pk, "lv");
    msgpack_pack_array(&pk, 3);
    pk_str(&pk, "exact");
    pk_str(&pk, "else");
    pk_str(&pk, "null");
    pk_str(&pk, "nl");
    msgpack_pack_uint8(&pk, fault == 5 ? 3 : 2);
    pk_str(&pk, "tf");
    msgpack_pack_uint8(&pk, CPI_FS_NO_TF);
    pk_str(&pk, "tff");
    msgpack_pack_double(&pk, 1e-4);
    pk_str(&pk, "m");
    msgpack_pack_array(&pk, fault == 6 ? 2 : 3);
    msgpack_pack_double(&pk, 0.9);
    msgpack_pack_double(&pk, 0.1);
    if (fault != 6)
        msgpack_pack_double(&pk, 1.0);
    pk_str(&pk, "u");
    msgpack_pack_array(&pk, 3);
    msgpack_pack_double(&pk, 0.1);
    msgpack_pack_double(&pk, fault == 7 ? 0.0 : 0.9);
    msgpack_pack_double(&pk, 1.0);
    if (fault == 1) {
        pk_str(&pk, "x");
        msgpack_pack_nil(&pk);
    }
    if (fault == 8) { /* a second checksum inside the hashed part: the real one is then trailing */
        static const char zeros[16];
        msgpack_pack_bin(&pk, 16);
        msgpack_pack_bin_body(&pk, zeros, 16);
    }
    size_t n = frame(&sb, out);
    msgpack_sbuffer_destroy(&sb);
    return n;
}

static void test_decode_rejects_bad_content(void **state)
{
    (void)state;
    unsigned char buf[512];
    cpi_fs_model m;
    cpi_error err = {0};
    size_t n = faulty_model(0, buf);
    assert_int_equal(cpi_fs_model_decode(buf, n, &m, &err), CPI_OK); /* the control */
    assert_string_equal(m.cmp[0].name, "dob");
    assert_float_equal(m.cmp[0].m[0], 0.9, EPS);
    static const char *const expect[] = {
        NULL, "unknown", "version", "lambda", "lambda", "null level", "'m'", "m or u", "trailing",
    };
    for (int fault = 1; fault <= 8; fault++) {
        n = faulty_model(fault, buf);
        cpi_error_clear(&err);
        assert_int_equal(cpi_fs_model_decode(buf, n, &m, &err), CPI_ERR_DATA);
        if (!strstr(err.msg, expect[fault]))
            fail_msg("fault %d: message '%s' lacks '%s'", fault, err.msg, expect[fault]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_building),
        cmocka_unit_test(test_weight_and_explain),
        cmocka_unit_test(test_explain_format),
        cmocka_unit_test(test_term_frequency),
        cmocka_unit_test(test_probability_and_bands),
        cmocka_unit_test(test_estimate_u),
        cmocka_unit_test(test_em_recovers_known_parameters),
        cmocka_unit_test(test_encode_round_trip),
        cmocka_unit_test(test_decode_rejects_bad_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
