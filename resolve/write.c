/*
 * resolve/write.c - store what a resolve produced, in one write transaction
 * (so a killed run leaves the previous result whole):
 *   entity_of   every mention reference -> its entity id
 *   members     entity id -> mention references (dupsort), written in key order
 *   review      "refA\x1frefB" -> {k kind, p probability, w weight, c child}: the
 *               possible-band pairs (and refused links) whose mentions ended apart
 *   meta        model:person / model:location (checksummed, resolve/fs.h), the
 *               thresholds resolve:link / resolve:possible, and the counters
 *               n:entities, n:id:P|L|T|O (last number used), n:tf:fn / n:tf:sn
 *               (mentions with a forename / surname: the TF denominators explain uses);
 *               and it removes resolve:due, since it redoes what a purge left to it;
 * then the graph is rebuilt from them (graph/graph.h) and the combination logged
 * (resolve/log.c), in the same transaction.
 * The callback rebuilds everything from the in-memory result, so when the
 * store grows its map and re-runs it, nothing from the aborted attempt leaks.
 */
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/purge.h"
#include "core/array.h"
#include "core/sort.h"
#include "resolve/internal.h"

typedef struct write_ctx {
    cpi_rs_data *d;
    cpi_rs_result *res;
    const cpi_resolve_opts *o;
    uint64_t *order; /* members written in entity-id order: (kind, number, mention) */
    uint64_t nentities;
    cpi_resolve_report *rep;
} write_ctx;

static const char *const KIND_KEY[CPI_KIND_COUNT + 1] = {NULL, "id:P", "id:L", "id:T", "id:O"};

static cpi_status set_counter(cpi_txn *t, const char *name, int64_t value, cpi_error *err)
{
    int64_t cur;
    cpi_status s = cpi_txn_counter_get(t, name, &cur, err);
    return s ? s : cpi_txn_counter_add(t, name, value - cur, err);
}

static cpi_status put_text(cpi_txn *t, const char *key, const char *text, cpi_error *err)
{
    return cpi_txn_put(t, CPI_DB_META, key, strlen(key), text, strlen(text), err);
}

static cpi_status put_model(cpi_txn *t, const char *key, const cpi_fs_model *m, cpi_error *err)
{
    char *buf;
    size_t len;
    cpi_status s = cpi_fs_model_encode(m, &buf, &len, err);
    if (s)
        return s;
    s = cpi_txn_put(t, CPI_DB_META, key, strlen(key), buf, len, err);
    free(buf);
    return s;
}

static cpi_status put_review(cpi_txn *t, write_ctx *w, const cpi_rs_scored *p, cpi_error *err)
{
    const cpi_rs_data *d = w->d;
    char ra[CPI_REF_MAX], rb[CPI_REF_MAX], key[2 * CPI_REF_MAX + 2];
    cpi_rs_mention_ref(d, p->a, ra, sizeof ra);
    cpi_rs_mention_ref(d, p->b, rb, sizeof rb);
    bool swap = strcmp(ra, rb) > 0;
    int klen = snprintf(key, sizeof key, "%s%c%s", swap ? rb : ra, CPI_KEY_SEP, swap ? ra : rb);
    unsigned child = RS_F_CHILD_ROLE | RS_F_CHILD_DOB;
    bool is_child = (d->m[p->a].flags & child) || (d->m[p->b].flags & child);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 4);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "k", 1);
    msgpack_pack_uint8(&pk, d->m[p->a].kind);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "p", 1);
    msgpack_pack_double(&pk, p->prob);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "w", 1);
    msgpack_pack_double(&pk, p->weight);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "c", 1);
    if (is_child)
        msgpack_pack_true(&pk);
    else
        msgpack_pack_false(&pk);
    cpi_status s = cpi_txn_put(t, CPI_DB_REVIEW, key, (size_t)klen, sb.data, sb.size, err);
    msgpack_sbuffer_destroy(&sb);
    return s;
}

static cpi_status write_terms(cpi_txn *t, const cpi_rs_data *d, cpi_error *err);

static cpi_status write_fn(cpi_txn *t, void *vctx, cpi_error *err)
{
    write_ctx *w = vctx;
    cpi_rs_data *d = w->d;
    cpi_rs_result *res = w->res;
    cpi_status s;
    if (w->o->purge_grant && (s = cpi_purge_txn(t, w->o->purge_grant, w->o->exclude_record, w->o->now,
                                                 w->o->purge_result, err)))
        return s;
    if ((s = cpi_txn_clear(t, CPI_DB_ENTITY_OF, err)) || (s = cpi_txn_clear(t, CPI_DB_MEMBERS, err)) ||
        (s = cpi_txn_clear(t, CPI_DB_REVIEW, err)))
        return s;
    char ref[CPI_REF_MAX], id[CPI_ENTITY_ID_MAX];
    for (uint32_t i = 0; i < d->nm && !s; i++) {
        uint32_t r = cpi_rs_find(&res->uf, i);
        int rl = cpi_rs_mention_ref(d, i, ref, sizeof ref);
        int il = cpi_entity_id_format((cpi_kind)d->m[i].kind, res->entity_num[r], id, sizeof id);
        if (rl < 0 || (size_t)rl >= sizeof ref || il < 0)
            return cpi_error_set(err, CPI_ERR_DATA, "resolve: mention %u has an unwritable reference or id", i);
        s = cpi_txn_put(t, CPI_DB_ENTITY_OF, ref, (size_t)rl, id, (size_t)il, err);
    }
    for (uint32_t k = 0; k < d->nm && !s; k++) {
        uint64_t o = w->order[k];
        uint32_t i = (uint32_t)o;
        int rl = cpi_rs_mention_ref(d, i, ref, sizeof ref);
        int il = cpi_entity_id_format((cpi_kind)d->m[i].kind, res->entity_num[cpi_rs_find(&res->uf, i)], id,
                                      sizeof id);
        s = cpi_txn_put(t, CPI_DB_MEMBERS, id, (size_t)il, ref, (size_t)rl, err);
    }
    for (size_t k = 0; k < res->review.n && !s; k++) {
        const cpi_rs_scored *p = &res->review.v[k];
        if (cpi_rs_find(&res->uf, p->a) != cpi_rs_find(&res->uf, p->b))
            s = put_review(t, w, p, err);
    }
    if (s)
        return s;
    if (res->person_trained && (s = put_model(t, RS_META_MODEL_PERSON, &res->person_model, err)))
        return s;
    if (res->location_trained && (s = put_model(t, RS_META_MODEL_LOCATION, &res->location_model, err)))
        return s;
    char num[32];
    snprintf(num, sizeof num, "%.17g", w->o->link);
    if ((s = put_text(t, RS_META_LINK, num, err)))
        return s;
    snprintf(num, sizeof num, "%.17g", w->o->possible);
    if ((s = put_text(t, RS_META_POSSIBLE, num, err)))
        return s;
    /* how far the guard stepped back on this data, for explain to judge pairs as resolve did */
    if ((s = put_text(t, RS_META_GUARD_FN, res->uf.fn_soft ? "off" : "on", err)))
        return s;
    snprintf(num, sizeof num, "%d", (int)(res->uf.dob_tol > 0 ? res->uf.dob_tol : 31));
    if ((s = put_text(t, RS_META_GUARD_DOB, num, err)))
        return s;
    for (int k = 1; k <= CPI_KIND_COUNT && !s; k++)
        s = set_counter(t, KIND_KEY[k], (int64_t)res->next_id[k] - 1, err);
    if (!s)
        s = set_counter(t, "entities", (int64_t)w->nentities, err);
    if (!s)
        s = write_terms(t, d, err);
    if (!s)
        s = set_counter(t, RS_META_TF_FN, (int64_t)d->n_fn, err);
    if (!s)
        s = set_counter(t, RS_META_TF_SN, (int64_t)d->n_sn, err);
    if (!s) { /* whatever a purge left due, this run has done */
        s = cpi_txn_del(t, CPI_DB_META, CPI_META_RESOLVE_DUE, sizeof CPI_META_RESOLVE_DUE - 1, NULL, 0, err);
        if (s == CPI_NOT_FOUND)
            s = CPI_OK;
    }
    if (!s) { /* the graph stands on these entities, and the log says what was combined */
        memset(&w->rep->graph, 0, sizeof w->rep->graph);
        s = cpi_graph_build_txn(t, NULL, &w->rep->graph, err);
    }
    if (!s)
        s = cpi_rs_log_combination(t, w->o, w->rep, err);
    return s;
}

/* Replace the stored term counts (n:tf:fn:VALUE, n:tf:sn:VALUE) with this run's. */
static cpi_status write_terms(cpi_txn *t, const cpi_rs_data *d, cpi_error *err)
{
    static const char prefix[] = "n:tf:";
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(t, CPI_DB_META, &c, err);
    if (s)
        return s;
    /* collect first: deleting under a live cursor is not safe */
    char **old = NULL;
    size_t nold = 0, cap = 0;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, prefix, sizeof prefix - 1, &k, &v, err);
    for (; cs == CPI_OK && k.len >= sizeof prefix - 1 && memcmp(k.data, prefix, sizeof prefix - 1) == 0;
         cs = cpi_cursor_next(c, &k, &v, err)) {
        if (CPI_GROW(old, cap, nold + 1, 1024)) {
            s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
            break;
        }
        if (!(old[nold] = strndup(k.data, k.len))) {
            s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory");
            break;
        }
        nold++;
    }
    cpi_cursor_close(c);
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    for (size_t i = 0; i < nold; i++) {
        if (!s)
            s = cpi_txn_del(t, CPI_DB_META, old[i], strlen(old[i]), NULL, 0, err);
        free(old[i]);
    }
    free(old);
    char key[600];
    unsigned char be[8];
    for (uint32_t id = 1; id <= d->str.count && !s; id++) {
        uint32_t counts[2] = {d->fn_count[id], d->sn_count[id]};
        for (int w = 0; w < 2 && !s; w++) {
            if (!counts[w] || cpi_intern_len(&d->str, id - 1) > 500)
                continue;
            int kl = snprintf(key, sizeof key, "n:%s:%s", w ? RS_META_TF_SN : RS_META_TF_FN, cpi_intern_id_str(&d->str, id));
            for (int b = 0; b < 8; b++)
                be[b] = (unsigned char)((uint64_t)counts[w] >> (56 - 8 * b));
            s = cpi_txn_put(t, CPI_DB_META, key, (size_t)kl, be, 8, err);
        }
    }
    return s;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

cpi_status cpi_rs_write(cpi_store *st, cpi_rs_data *d, cpi_rs_result *res, const cpi_resolve_opts *o,
                        cpi_resolve_report *rep, cpi_error *err)
{
    write_ctx w = {d, res, o, NULL, 0, rep};
    w.order = malloc((d->nm ? d->nm : 1) * sizeof *w.order);
    if (!w.order)
        return cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory writing");
    /* "L-" < "O-" < "P-" < "T-": sort by the id's letter, then number, then mention */
    static const uint8_t letter_rank[CPI_KIND_COUNT + 1] = {0, 3, 1, 4, 2};
    for (uint32_t i = 0; i < d->nm; i++) {
        uint64_t num = res->entity_num[cpi_rs_find(&res->uf, i)];
        w.order[i] = (uint64_t)letter_rank[d->m[i].kind] << 60 | (num & 0x0fffffff) << 32 | i;
    }
    cpi_sort(w.order, d->nm, sizeof *w.order, cmp_u64);
    for (int k = 1; k <= CPI_KIND_COUNT; k++)
        w.nentities += rep->kind[k].entities;
    cpi_status s = cpi_store_write(st, write_fn, &w, err);
    free(w.order);
    return s;
}
