/*
 * resolve.c - the resolve driver: load, overrides, exact kinds, places,
 * people (strong, then weak), stable ids, write (see resolve.h for the order
 * and why). Each stage lives in its own resolve_*.c file; this one only
 * sequences them, times them and fills the report.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resolve/internal.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double cpi_rs_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cpi_resolve_opts_default(cpi_resolve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->link = CPI_FS_LINK_DEFAULT;
    o->possible = CPI_FS_POSSIBLE_DEFAULT;
    o->block_cap = CPI_RESOLVE_BLOCK_CAP;
    o->window = CPI_RESOLVE_WINDOW;
    o->u_pairs = CPI_RESOLVE_U_PAIRS;
    o->em_pairs = CPI_RESOLVE_EM_PAIRS;
    o->em_iter = CPI_RESOLVE_EM_ITER;
    o->em_tol = CPI_RESOLVE_EM_TOL;
    o->seed = 1;
}

static cpi_status check_opts(const cpi_resolve_opts *o, cpi_error *err)
{
    if (!(o->possible > 0 && o->possible <= o->link && o->link < 1))
        return cpi_error_set(err, CPI_ERR_USAGE,
                             "thresholds must satisfy 0 < possible <= link < 1 (got possible %g, link %g)",
                             o->possible, o->link);
    if (o->block_cap < 2 || o->window < 1)
        return cpi_error_set(err, CPI_ERR_USAGE, "block cap must be at least 2 and window at least 1");
    if (!o->dry_run && !(o->user && *o->user))
        return cpi_error_set(err, CPI_ERR_USAGE, "resolve: a run that stores its result needs a user for the audit log");
    return CPI_OK;
}

static cpi_status read_counters(cpi_store *st, cpi_rs_result *res, cpi_error *err)
{
    static const char *const names[CPI_KIND_COUNT + 1] = {NULL, "id:P", "id:L", "id:T", "id:O"};
    cpi_txn *t;
    cpi_status s = cpi_store_read_begin(st, &t, err);
    for (int k = 1; k <= CPI_KIND_COUNT && !s; k++) {
        int64_t v;
        s = cpi_txn_counter_get(t, names[k], &v, err);
        res->old_next_id[k] = v > 0 ? (uint64_t)v + 1 : 1;
    }
    if (!s)
        s = cpi_txn_counter_get(t, "entities", &res->old_entities, err);
    cpi_txn_end(t);
    return s;
}

static void result_free(cpi_rs_result *res)
{
    cpi_rs_uf_free(&res->uf);
    free(res->review.v);
    free(res->entity_num);
    memset(res, 0, sizeof *res);
}

cpi_status cpi_resolve_run(cpi_store *st, const cpi_resolve_opts *opts, cpi_resolve_report *rep, cpi_error *err)
{
    cpi_resolve_opts o;
    if (opts)
        o = *opts;
    else
        cpi_resolve_opts_default(&o);
    memset(rep, 0, sizeof *rep);
    rep->link = o.link;
    rep->possible = o.possible;
    cpi_status s = check_opts(&o, err);
    if (s)
        return s;
    double t0 = cpi_rs_now(), c0 = cpu_now(), t;
    cpi_rs_data d = {0};
    cpi_rs_result res = {0};
    if ((s = cpi_rs_load(st, &d, &o, err)) || (s = read_counters(st, &res, err)))
        goto out;
    rep->records = d.nrecs;
    rep->mentions = d.nm;
    for (uint32_t i = 0; i < d.nm; i++)
        rep->kind[d.m[i].kind].mentions++;
    if ((s = cpi_rs_uf_init(&res.uf, &d, err)))
        goto out;
    for (uint32_t i = 0; i < d.nm && !s; i++)
        s = cpi_rs_uf_seed(&res.uf, i, err);
    if (s || (s = cpi_rs_overrides(st, &d, &res, rep, err)) || (s = cpi_rs_exact_kinds(&d, &res, rep, err)))
        goto out;
    t = cpi_rs_now();
    rep->seconds_load = t - t0;
    if ((s = cpi_rs_places(&d, &res, &o, rep, err)))
        goto out;
    rep->seconds_places = cpi_rs_now() - t;
    t = cpi_rs_now();
    if ((s = cpi_rs_people(&d, &res, &o, rep, err)) || (s = cpi_rs_weak(&d, &res, &o, rep, err)) ||
        (s = cpi_rs_place_names_by_people(&d, &res.uf, &rep->kind[CPI_KIND_LOCATION], err)))
        goto out;
    rep->seconds_people = cpi_rs_now() - t;
    rep->guard_forenames = !res.uf.fn_soft;
    rep->guard_dob_days = res.uf.dob_tol > 0 ? res.uf.dob_tol : 31;
    if ((s = cpi_rs_ids(&d, &res, rep, err)))
        goto out;
    for (size_t k = 0; k < res.review.n; k++) {
        const cpi_rs_scored *p = &res.review.v[k];
        if (cpi_rs_find(&res.uf, p->a) != cpi_rs_find(&res.uf, p->b))
            rep->kind[d.m[p->a].kind].review++;
    }
    t = cpi_rs_now();
    if (!o.dry_run && (s = cpi_rs_write(st, &d, &res, &o, rep, err)))
        goto out;
    rep->seconds_write = cpi_rs_now() - t;
out:
    rep->seconds_total = cpi_rs_now() - t0;
    rep->cpu_seconds = cpu_now() - c0;
    result_free(&res);
    cpi_rs_data_free(&d);
    return s;
}

cpi_status cpi_resolve_has_run(cpi_store *st, bool *out, cpi_error *err)
{
    *out = false;
    cpi_txn *t;
    cpi_status s = cpi_store_read_begin(st, &t, err);
    if (s)
        return s;
    cpi_slice v;
    s = cpi_txn_get(t, CPI_DB_META, RS_META_LINK, sizeof RS_META_LINK - 1, &v, err);
    cpi_txn_end(t);
    if (s == CPI_NOT_FOUND)
        return CPI_OK;
    *out = s == CPI_OK;
    return s;
}
