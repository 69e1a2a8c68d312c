/*
 * purge.c - erase one record from the store and every index, in one write
 * transaction with its erasure entry (see purge.h).
 *
 * The resolver's tables are reached through what they are keyed by: a
 * mention's entity comes from entity_of, and its members entry is the pair
 * (entity, mention). Entity edges and analytics are derived from many records
 * and their format belongs to the resolver, so they are not edited here: a
 * resolve is marked due in META instead, and the next resolve rebuilds them.
 */
#include "ingest/purge.h"
#include "core/array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"

typedef struct purge_job {
    const cpi_grant *g;
    const char *ref;
    cpi_purge_result *out;
    int64_t now;
} purge_job;

/* An entity id for the log: a u64 (8 bytes BE) in decimal, printable text as it is, else hex. */
static void format_entity(const cpi_slice *id, char *buf, size_t cap)
{
    const unsigned char *p = id->data;
    if (id->len == 8) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | p[i];
        snprintf(buf, cap, "%llu", (unsigned long long)v);
        return;
    }
    bool printable = id->len > 0 && id->len < cap;
    for (size_t i = 0; printable && i < id->len; i++)
        printable = p[i] >= 0x21 && p[i] < 0x7f;
    if (printable) {
        memcpy(buf, p, id->len);
        buf[id->len] = '\0';
        return;
    }
    size_t off = 0;
    for (size_t i = 0; i < id->len && off + 3 <= cap; i++)
        off += (size_t)snprintf(buf + off, cap - off, "%02x", p[i]);
    if (off == 0 && cap)
        buf[0] = '\0';
}

/* Does the reference r name the record ref or one of its mentions? */
static bool names_record(const char *r, size_t rn, const char *ref)
{
    size_t n = strlen(ref);
    return rn >= n && memcmp(r, ref, n) == 0 && (rn == n || r[n] == '/');
}

/* A growing list of malloc'd strings. */
typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static bool strlist_add(strlist *l, const void *s, size_t n)
{
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->v[i]) == n && memcmp(l->v[i], s, n) == 0)
            return true; /* distinct values only */
    if (CPI_GROW(l->v, l->cap, l->n + 1, 8))
        return false;
    char *c = malloc(n + 1);
    if (!c)
        return false;
    memcpy(c, s, n);
    c[n] = '\0';
    l->v[l->n++] = c;
    return true;
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Remove each mention's entity_of entry and its members pair; collect the entities touched. */
static cpi_status unlink_mentions(cpi_txn *txn, const char *ref, uint32_t nmentions, strlist *entities,
                                  cpi_purge_result *out, cpi_error *err)
{
    for (uint32_t i = 1; i <= nmentions; i++) {
        char mref[CPI_REF_MAX];
        int mlen = snprintf(mref, sizeof mref, "%s/%u", ref, i);
        if (mlen < 0 || (size_t)mlen >= sizeof mref)
            return cpi_error_set(err, CPI_ERR_DATA, "reference %s: too long", ref);
        cpi_slice ent;
        cpi_status s = cpi_txn_get(txn, CPI_DB_ENTITY_OF, mref, (size_t)mlen, &ent, err);
        if (s == CPI_NOT_FOUND)
            continue; /* not resolved yet */
        if (s)
            return s;
        /* copy: the slice dies with the first write */
        unsigned char id[512];
        if (ent.len > sizeof id)
            return cpi_error_set(err, CPI_ERR_STORE, "entity_of %s: entity id longer than %zu bytes", mref,
                                 sizeof id);
        size_t idlen = ent.len;
        memcpy(id, ent.data, idlen);
        char shown[64];
        format_entity(&(cpi_slice){id, idlen}, shown, sizeof shown);
        if (!strlist_add(entities, shown, strlen(shown)))
            return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
        if ((s = cpi_txn_del(txn, CPI_DB_ENTITY_OF, mref, (size_t)mlen, NULL, 0, err)))
            return s;
        s = cpi_txn_del(txn, CPI_DB_MEMBERS, id, idlen, mref, (size_t)mlen, err);
        if (s && s != CPI_NOT_FOUND)
            return s;
        out->entity_links++;
    }
    out->entities_touched = (uint32_t)entities->n;
    return CPI_OK;
}

/*
 * Remove the pairs ("refA\x1frefB") of db where either side is the record or
 * one of its mentions: human link/unlink decisions (overrides), and the
 * possible matches resolve left for review. Returns how many in *n.
 */
static cpi_status drop_pairs(cpi_txn *txn, cpi_db db, const char *ref, uint32_t *n, cpi_error *err)
{
    strlist doomed = {0};
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, db, &c, err);
    if (s)
        return s;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK; cs = cpi_cursor_next(c, &k, &v, err)) {
        const char *key = k.data;
        const char *sep = memchr(key, CPI_KEY_SEP, k.len);
        size_t an = sep ? (size_t)(sep - key) : k.len;
        bool hit = names_record(key, an, ref) || (sep && names_record(sep + 1, k.len - an - 1, ref));
        if (hit && !strlist_add(&doomed, key, k.len)) {
            s = cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
            break;
        }
    }
    cpi_cursor_close(c);
    if (!s && cs != CPI_NOT_FOUND)
        s = cs;
    /* deleted after the walk, so the cursor never steps over a hole it made */
    for (size_t i = 0; !s && i < doomed.n; i++)
        s = cpi_txn_del(txn, db, doomed.v[i], strlen(doomed.v[i]), NULL, 0, err);
    if (!s)
        *n = (uint32_t)doomed.n;
    strlist_free(&doomed);
    return s;
}

static cpi_status purge_fn(cpi_txn *txn, void *ctx, cpi_error *err)
{
    const purge_job *j = ctx;
    return cpi_purge_txn(txn, j->g, j->ref, j->now, j->out, err);
}

static cpi_status check_request(const cpi_grant *g, const char *ref, cpi_error *err)
{
    if (strcmp(g->action, "purge") != 0)
        return cpi_error_set(err, CPI_ERR_ACCESS, "purge needs a grant for 'purge', not '%s'", g->action);
    cpi_ref r;
    cpi_status s = cpi_ref_parse(ref, &r, err);
    if (s)
        return s;
    if (r.mention)
        return cpi_error_set(err, CPI_ERR_USAGE,
                             "%s names a mention; purge takes a record reference (SOURCE:RECORD_ID)", ref);
    return CPI_OK;
}

cpi_status cpi_purge_txn(cpi_txn *txn, const cpi_grant *g, const char *ref, int64_t now, cpi_purge_result *out,
                         cpi_error *err)
{
    cpi_status s0 = check_request(g, ref, err);
    if (s0)
        return s0;
    purge_job jj = {.g = g, .ref = ref, .out = out, .now = now ? now : (int64_t)time(NULL)};
    const purge_job *j = &jj;
    memset(out, 0, sizeof *out); /* restartable: the store may run this again after growing the map */

    cpi_arena arena = {0};
    cpi_record rec;
    cpi_status s = cpi_store_get_record(txn, j->ref, &arena, &rec, err);
    if (s) {
        cpi_arena_free(&arena);
        return s;
    }
    out->mentions = rec.nmentions;
    cpi_arena_free(&arena);

    strlist entities = {0};
    if (!(s = unlink_mentions(txn, j->ref, out->mentions, &entities, out, err)) &&
        !(s = drop_pairs(txn, CPI_DB_OVERRIDES, j->ref, &out->overrides, err)) &&
        !(s = drop_pairs(txn, CPI_DB_REVIEW, j->ref, &out->review_pairs, err)))
        s = cpi_store_delete_record(txn, j->ref, err);
    out->resolve_due = out->entity_links || out->overrides;
    cpi_audit_entry e = {0};
    if (!s) {
        char nm[16], nl[16], no[16];
        snprintf(nm, sizeof nm, "%u", out->mentions);
        snprintf(nl, sizeof nl, "%u", out->entity_links);
        snprintf(no, sizeof no, "%u", out->overrides);
        cpi_kv kv[] = {{"ref", j->ref}, {"mentions", nm}, {"entity_links", nl}, {"overrides", no},
                       {"resolve_due", out->resolve_due ? "yes" : "no"}};
        const char *refs[] = {j->ref};
        e = (cpi_audit_entry){
            .kind = CPI_AUDIT_ERASURE,
            .time = j->now,
            .user = j->g->user,
            .reason = j->g->reason,
            .command = "purge",
            .query = j->ref,
            .entities = (const char *const *)entities.v,
            .nentities = (uint32_t)entities.n,
            .refs = refs,
            .nrefs = 1,
            .details = {kv, sizeof kv / sizeof kv[0]},
        };
        s = cpi_audit_append(txn, &e, err);
    }
    /* the note names the audit entry, not the record: META keeps no trace of what was erased */
    if (!s && out->resolve_due) {
        char why[128];
        int n = snprintf(why, sizeof why, "a purge (audit entry %llu) changed %u entities",
                         (unsigned long long)e.seq, out->entities_touched);
        s = cpi_txn_put(txn, CPI_DB_META, CPI_META_RESOLVE_DUE, sizeof CPI_META_RESOLVE_DUE - 1, why, (size_t)n,
                        err);
    }
    strlist_free(&entities);
    return s;
}

cpi_status cpi_purge(cpi_store *st, const cpi_grant *g, const char *ref, cpi_purge_result *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    cpi_status s = check_request(g, ref, err);
    if (s)
        return s;
    purge_job j = {.g = g, .ref = ref, .out = out, .now = (int64_t)time(NULL)};
    return cpi_store_write(st, purge_fn, &j, err);
}

cpi_status cpi_purge_resolve_due(cpi_store *st, char *buf, size_t cap, cpi_error *err)
{
    if (cap)
        buf[0] = '\0';
    cpi_txn *txn;
    cpi_status s = cpi_store_read_begin(st, &txn, err);
    if (s)
        return s;
    cpi_slice v;
    s = cpi_txn_get(txn, CPI_DB_META, CPI_META_RESOLVE_DUE, sizeof CPI_META_RESOLVE_DUE - 1, &v, err);
    if (s == CPI_OK && cap)
        snprintf(buf, cap, "%.*s", (int)(v.len < cap ? v.len : cap - 1), (const char *)v.data);
    cpi_txn_end(txn);
    return s == CPI_NOT_FOUND ? CPI_OK : s;
}
