/*
 * resolve_places.c - places: the same Niche location id links outright;
 * other place mentions with address parts or a name are blocked, scored by
 * the location model and joined strongest first under the guard (two flats,
 * two house numbers or two postcode sectors never share a place).
 *
 * Blocking rules:
 *   pc+house      full postcode and house number (or house name)
 *   street+house  street and house number: catches a missing or mistyped postcode
 *   pc+street     postcode and street: a numberless address
 *   name          the place's own name (a school, a shop, a station), which is
 *                 all some silos write
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/compare.h"
#include "core/resolve_internal.h"

typedef struct place_ctx {
    const cpi_rs_data *d;
} place_ctx;

static void place_vec(void *ctx, uint32_t a, uint32_t b, cpi_fs_vec *v, double tf[CPI_FS_MAX_CMP])
{
    const place_ctx *pc = ctx;
    cpi_rs_lview la, lb;
    cpi_rs_lview_of(pc->d, a, &la);
    cpi_rs_lview_of(pc->d, b, &lb);
    cpi_rs_location_vec(&la, &lb, v);
    for (int c = 0; c < CPI_FS_MAX_CMP; c++)
        tf[c] = 0;
}

/* What the location model compares of mention i, hashed. */
static uint64_t place_sig(void *ctx, uint32_t i)
{
    const place_ctx *pc = ctx;
    return cpi_rs_hash(0, pc->d->m[i].key, sizeof pc->d->m[i].key);
}

static uint64_t key2(int rule, uint32_t x, uint32_t y)
{
    return cpi_rs_hash_u64(cpi_rs_hash_u64(cpi_rs_hash_u64(0, (uint64_t)rule), x), y);
}

enum { R_PC_HOUSE, R_STREET_HOUSE, R_PC_STREET, R_NAME, R__N };
static const char *const RULE_NAMES[] = {"place pc+house", "place street+house", "place pc+street", "place name"};

static cpi_status block_places(cpi_rs_data *d, const uint32_t *mem, uint32_t n, const cpi_resolve_opts *o,
                               cpi_rs_pairs *pairs, cpi_resolve_report *rep, cpi_error *err)
{
    cpi_status s = CPI_OK;
    for (int rule = 0; rule < R__N && !s; rule++) {
        cpi_rs_keys keys = {0};
        for (uint32_t k = 0; k < n && !s; k++) {
            const uint32_t *key = d->m[mem[k]].key;
            uint64_t order = (uint64_t)key[RS_L_PC] << 32 | key[RS_L_FLAT];
            switch (rule) {
            case R_PC_HOUSE:
                if (key[RS_L_PC] && key[RS_L_HOUSE])
                    s = cpi_rs_keys_add(&keys, key2(rule, key[RS_L_PC], key[RS_L_HOUSE]), order, mem[k], err);
                break;
            case R_STREET_HOUSE:
                if (key[RS_L_STREET] && key[RS_L_HOUSE])
                    s = cpi_rs_keys_add(&keys, key2(rule, key[RS_L_STREET], key[RS_L_HOUSE]), order, mem[k], err);
                break;
            case R_PC_STREET:
                if (key[RS_L_PC] && key[RS_L_STREET])
                    s = cpi_rs_keys_add(&keys, key2(rule, key[RS_L_PC], key[RS_L_STREET]), order, mem[k], err);
                break;
            default: {
                uint32_t name = key[RS_L_PLACE] ? key[RS_L_PLACE] : key[RS_L_PREMISES];
                if (name)
                    s = cpi_rs_keys_add(&keys, key2(rule, name, 0), order, mem[k], err);
            }
            }
        }
        cpi_resolve_rule_report *rr = &rep->rules[rep->nrules++];
        snprintf(rr->name, sizeof rr->name, "%s", RULE_NAMES[rule]);
        rr->kind = CPI_KIND_LOCATION;
        if (!s)
            s = cpi_rs_block(&keys, o, pairs, rr, err);
        free(keys.v);
    }
    if (!s)
        cpi_rs_pairs_unique(pairs);
    return s;
}

cpi_status cpi_rs_places(cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o, cpi_resolve_report *rep,
                         cpi_error *err)
{
    cpi_resolve_kind_report *kr = &rep->kind[CPI_KIND_LOCATION];
    cpi_status s = cpi_rs_join_on_key(d, &res->uf, CPI_KIND_LOCATION, RS_L_LID, kr, err);
    if (s)
        return s;
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->nm; i++)
        n += d->m[i].kind == CPI_KIND_LOCATION && (d->m[i].flags & RS_F_SCORED);
    uint32_t *mem = malloc((n ? n : 1) * sizeof *mem);
    if (!mem)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
    n = 0;
    for (uint32_t i = 0; i < d->nm; i++)
        if (d->m[i].kind == CPI_KIND_LOCATION && (d->m[i].flags & RS_F_SCORED))
            mem[n++] = i;
    kr->scored = n;
    cpi_rs_pairs pairs = {0};
    cpi_rs_scoredv sc = {0};
    s = block_places(d, mem, n, o, &pairs, rep, err);
    cpi_rs_location_model(&res->location_model);
    place_ctx pc = {d};
    /* EM sessions: on pairs sharing a full postcode learn the rest; on pairs sharing a house number
     * learn address and postcode. The prior comes from the postcode session. */
    cpi_rs_training tr = {.n = 2, .prior_session = 0};
    tr.s[0] = (cpi_rs_session){{RS_LC_POSTCODE, -1}, {1u << CPI_POSTCODE_FULL, 0},
                               1u << RS_LC_POSTCODE | 1u << RS_LC_ADDRESS,
                               1u << RS_LC_FLAT | 1u << RS_LC_HOUSE | 1u << RS_LC_NAME | 1u << RS_LC_TOWN};
    tr.s[1] = (cpi_rs_session){{RS_LC_HOUSE, -1}, {1u << CPI_IDENT_SAME, 0}, 1u << RS_LC_HOUSE,
                               1u << RS_LC_ADDRESS | 1u << RS_LC_POSTCODE};
    uint32_t nd = n;
    if (!s)
        s = cpi_rs_distinct(mem, &nd, place_sig, &pc, err);
    if (!s)
        s = cpi_rs_fit_and_score(&res->location_model, &tr, place_vec, NULL, &pc, mem, nd, n, NULL, NULL, &pairs, o,
                                 "score places", &sc, kr, err);
    res->location_trained = kr->trained;
    cpi_rs_pairs_free(&pairs);
    free(mem);
    if (!s) {
        cpi_rs_join_links(&res->uf, sc.v, sc.n, o->link, NULL, kr);
        for (size_t i = 0; i < sc.n && !s; i++)
            s = cpi_rs_scored_add(&res->review, sc.v[i].a, sc.v[i].b, sc.v[i].weight, sc.v[i].prob, sc.v[i].flags, err);
    }
    free(sc.v);
    return s;
}
