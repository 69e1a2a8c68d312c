/*
 * resolve/override.c - human link decisions: "these two mentions are the
 * same" or "these two are different", with a reason, stored in
 * CPI_DB_OVERRIDES under "refA\x1frefB" (refA < refB, so one pair has one
 * key and a later decision replaces an earlier one). Value: msgpack map
 * {s: same (bool), r: reason, t: time}, decoded strictly.
 *
 * Every resolve obeys them before anything else: --different pairs are
 * written into the cluster summaries as forbidden partners (the guard then
 * refuses any join that would bring them together, whatever the scores or
 * identifiers say), and --same pairs are joined outright. A --same that
 * joins a --different pair is counted as broken in the report: the humans
 * disagree and must look again.
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/internal.h"

/* Check a mention reference against the store; fills its kind. */
static cpi_status check_mention(cpi_txn *t, const char *text, cpi_kind *kind, cpi_error *err)
{
    cpi_ref ref;
    cpi_status s = cpi_ref_parse(text, &ref, err);
    if (s)
        return s;
    if (ref.mention == 0)
        return cpi_error_set(err, CPI_ERR_USAGE,
                             "'%s' names a record; name one mention of it as %s/N (see 'cpindex show')", text, text);
    char rec[CPI_REF_MAX];
    snprintf(rec, sizeof rec, "%s:%s", ref.source, ref.record_id);
    cpi_arena a = {0};
    cpi_record r;
    s = cpi_store_get_record(t, rec, &a, &r, err);
    if (s == CPI_OK && ref.mention > r.nmentions)
        s = cpi_error_set(err, CPI_NOT_FOUND, "record %s has %u mentions, so there is no %s", rec, r.nmentions, text);
    else if (s == CPI_OK)
        *kind = r.mentions[ref.mention - 1].kind;
    cpi_arena_free(&a);
    return s;
}

cpi_status cpi_override_write(cpi_txn *t, const char *ref_a, const char *ref_b, bool same, const char *reason,
                              int64_t now, cpi_error *err)
{
    if (!reason || !*reason)
        return cpi_error_set(err, CPI_ERR_USAGE, "a link decision needs a reason (who decided, on what evidence)");
    if (strlen(reason) >= sizeof ((cpi_override *)0)->reason)
        return cpi_error_set(err, CPI_ERR_USAGE, "the reason is longer than %zu bytes",
                             sizeof ((cpi_override *)0)->reason - 1);
    int c = strcmp(ref_a, ref_b);
    if (c == 0)
        return cpi_error_set(err, CPI_ERR_USAGE, "%s and %s are one mention", ref_a, ref_b);
    const char *a = c < 0 ? ref_a : ref_b, *b = c < 0 ? ref_b : ref_a;
    cpi_kind ka, kb;
    cpi_status s = check_mention(t, a, &ka, err);
    if (!s)
        s = check_mention(t, b, &kb, err);
    if (s)
        return s;
    if (ka != kb)
        return cpi_error_set(err, CPI_ERR_USAGE, "%s is a %s and %s a %s: only mentions of one kind can be linked", a,
                             cpi_kind_name(ka), b, cpi_kind_name(kb));
    char key[2 * CPI_REF_MAX + 2];
    int klen = snprintf(key, sizeof key, "%s%c%s", a, CPI_KEY_SEP, b);
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t rl = strlen(reason);
    msgpack_pack_map(&pk, 3);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "s", 1);
    if (same)
        msgpack_pack_true(&pk);
    else
        msgpack_pack_false(&pk);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "r", 1);
    msgpack_pack_str(&pk, rl);
    msgpack_pack_str_body(&pk, reason, rl);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "t", 1);
    msgpack_pack_int64(&pk, now);
    s = cpi_txn_put(t, CPI_DB_OVERRIDES, key, (size_t)klen, sb.data, sb.size, err);
    msgpack_sbuffer_destroy(&sb);
    return s;
}

typedef struct put_ctx {
    const char *a, *b, *reason;
    bool same;
    int64_t now;
} put_ctx;

static cpi_status put_fn(cpi_txn *t, void *vctx, cpi_error *err)
{
    put_ctx *c = vctx;
    return cpi_override_write(t, c->a, c->b, c->same, c->reason, c->now, err);
}

cpi_status cpi_override_put(cpi_store *st, const char *ref_a, const char *ref_b, bool same, const char *reason,
                            int64_t now, cpi_error *err)
{
    put_ctx ctx = {ref_a, ref_b, reason, same, now};
    return cpi_store_write(st, put_fn, &ctx, err);
}

static bool key_is(const msgpack_object *k, const char *name)
{
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(name) &&
           memcmp(k->via.str.ptr, name, k->via.str.size) == 0;
}

cpi_status cpi_override_decode(const void *key, size_t klen, const void *val, size_t vlen, cpi_override *out,
                               cpi_error *err)
{
    memset(out, 0, sizeof *out);
    const char *k = key, *sep = memchr(k, CPI_KEY_SEP, klen);
    size_t la = sep ? (size_t)(sep - k) : 0, lb = sep ? klen - la - 1 : 0;
    if (!sep || la == 0 || lb == 0 || la >= CPI_REF_MAX || lb >= CPI_REF_MAX)
        return cpi_error_set(err, CPI_ERR_DATA, "override key '%.*s' is not two references", (int)(klen > 80 ? 80 : klen),
                             k);
    memcpy(out->ref_a, k, la);
    memcpy(out->ref_b, sep + 1, lb);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    cpi_status s = CPI_OK;
    unsigned seen = 0;
    if (msgpack_unpack_next(&u, val, vlen, &off) != MSGPACK_UNPACK_SUCCESS || off != vlen ||
        u.data.type != MSGPACK_OBJECT_MAP) {
        s = cpi_error_set(err, CPI_ERR_DATA, "override %s / %s: value is not one msgpack map", out->ref_a, out->ref_b);
        goto done;
    }
    for (uint32_t i = 0; i < u.data.via.map.size && !s; i++) {
        const msgpack_object *mk = &u.data.via.map.ptr[i].key, *mv = &u.data.via.map.ptr[i].val;
        if (key_is(mk, "s") && mv->type == MSGPACK_OBJECT_BOOLEAN) {
            out->same = mv->via.boolean;
            seen |= 1;
        } else if (key_is(mk, "r") && mv->type == MSGPACK_OBJECT_STR && mv->via.str.size < sizeof out->reason) {
            memcpy(out->reason, mv->via.str.ptr, mv->via.str.size);
            seen |= 2;
        } else if (key_is(mk, "t") &&
                   (mv->type == MSGPACK_OBJECT_POSITIVE_INTEGER || mv->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)) {
            out->time = mv->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int64_t)mv->via.u64 : mv->via.i64;
            seen |= 4;
        } else {
            s = cpi_error_set(err, CPI_ERR_DATA, "override %s / %s: unknown or mistyped field", out->ref_a,
                              out->ref_b);
        }
    }
    if (!s && seen != 7)
        s = cpi_error_set(err, CPI_ERR_DATA, "override %s / %s: a field is missing", out->ref_a, out->ref_b);
done:
    msgpack_unpacked_destroy(&u);
    return s;
}

cpi_status cpi_rs_overrides(cpi_store *st, cpi_rs_data *d, cpi_rs_result *res, cpi_resolve_report *rep,
                            cpi_error *err)
{
    cpi_txn *t;
    cpi_status s = cpi_store_read_begin(st, &t, err);
    if (s)
        return s;
    cpi_cursor *c;
    if ((s = cpi_cursor_open(t, CPI_DB_OVERRIDES, &c, err))) {
        cpi_txn_end(t);
        return s;
    }
    /* two passes: every --different first, so no --same can slip a forbidden pair together unseen */
    for (int pass = 0; pass < 2 && !s; pass++) {
        cpi_slice k, v;
        cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
        for (; cs == CPI_OK && !s; cs = cpi_cursor_next(c, &k, &v, err)) {
            cpi_override o;
            if ((s = cpi_override_decode(k.data, k.len, v.data, v.len, &o, err)))
                break;
            uint32_t a, b;
            if (cpi_rs_find_mention(d, o.ref_a, &a) || cpi_rs_find_mention(d, o.ref_b, &b))
                continue; /* a record was deleted since; the decision stays stored */
            if (pass == 0 && !o.same) {
                rep->overrides_different++;
                s = cpi_rs_uf_forbid(&res->uf, a, b, err);
            } else if (pass == 1 && o.same) {
                rep->overrides_same++;
                if (cpi_rs_uf_conflict(&res->uf, a, b))
                    rep->overrides_broken++;
                if (cpi_rs_uf_join(&res->uf, a, b, RS_JOIN_FORCE) == -2)
                    s = cpi_error_set(err, CPI_ERR_NOMEM, "resolve: out of memory for cluster summaries");
            }
        }
        if (!s && cs != CPI_NOT_FOUND)
            s = cs;
    }
    cpi_cursor_close(c);
    cpi_txn_end(t);
    return s;
}
