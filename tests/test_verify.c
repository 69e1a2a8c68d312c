/*
 * test_verify.c - cpi_store_verify finds each way a store can disagree with
 * itself, and passes a store that does not.
 *
 * Table-driven: each case damages a small store in one raw write (a key index
 * entry lost or left behind, a counter off, a record that does not decode or
 * sits under a key that is not a reference) and expects verify to fail naming
 * what is wrong; the intact store, with a repeated key and a key too long to
 * index, passes with exact counts.
 *
 * The same for the resolver's tables and the graph, on a store built by the
 * CLI (cpgen, ingest, resolve): an entity_of entry for a mention that does not
 * exist, a mention missing from its entity's members, a member that is not
 * there, an id of the wrong kind or beyond the counter, the entity counter
 * off, review pairs naming an unresolved mention or one entity twice, an edge
 * to nothing, edges or a card for an entity without members.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "resolve/verify.h"
#include "graph/graph.h"
#include "graph/graphdb.h"
#include "testutil.h"

static char long_value[600];
static cpi_kv keys1[] = {{"sn", "pryce"}, {"fn", "sian"}, {"sn", "pryce"} /* repeated: indexed once */,
                         {"dob", "2009-04-03"}, {"yob", "2009"} /* not an indexed name */};
static cpi_kv keys2[] = {{"pc", "NP20 1AB"}, {"addr", long_value} /* too long to index */};
static cpi_kv raw[] = {{"surname", "PRYCE"}};

static cpi_record record(const char *ref, uint8_t hashbyte)
{
    static cpi_mention ms[2];
    ms[0] = (cpi_mention){CPI_KIND_PERSON, "missing-child", {raw, 1}, {keys1, 5}};
    ms[1] = (cpi_mention){CPI_KIND_LOCATION, "found-at", {NULL, 0}, {keys2, 2}};
    cpi_record r = {.ref = ref, .type = "form", .day = 18000, .prov = {.file = "f.csv", .line = 2}, .mentions = ms,
                    .nmentions = 2};
    memset(r.prov.hash, hashbyte, 32);
    return r;
}

static cpi_status fill(cpi_txn *txn, void *ctx, cpi_error *err)
{
    (void)ctx;
    const char *refs[] = {"miraf:MF-1", "miraf:MF-2", "soc:P-1"};
    for (int i = 0; i < 3; i++) {
        cpi_record r = record(refs[i], (uint8_t)(i + 1));
        cpi_put_result res;
        cpi_status s = cpi_store_put_record(txn, &r, &res, err);
        if (s)
            return s;
    }
    return CPI_OK;
}

/* ---- the damage, one raw write each ---- */

static cpi_status lose_key(cpi_txn *t, cpi_error *e)
{
    return cpi_txn_del(t, CPI_DB_KEYS, "fn\x1fsian", 7, "miraf:MF-2/1", 12, e);
}
static cpi_status stray_key(cpi_txn *t, cpi_error *e)
{
    return cpi_txn_put(t, CPI_DB_KEYS, "sn\x1fghost", 8, "miraf:MF-9/1", 12, e);
}
static cpi_status key_to_wrong_mention(cpi_txn *t, cpi_error *e)
{
    cpi_status s = cpi_txn_del(t, CPI_DB_KEYS, "pc\x1fNP20 1AB", 11, "soc:P-1/2", 9, e);
    return s ? s : cpi_txn_put(t, CPI_DB_KEYS, "pc\x1fNP20 1AB", 11, "soc:P-1/1", 9, e);
}
static cpi_status record_counter(cpi_txn *t, cpi_error *e) { return cpi_txn_counter_add(t, "rec:miraf", 1, e); }
static cpi_status mention_counter(cpi_txn *t, cpi_error *e) { return cpi_txn_counter_add(t, "mentions", -1, e); }
static cpi_status orphan_counter(cpi_txn *t, cpi_error *e) { return cpi_txn_counter_add(t, "rec:mace", 2, e); }
static cpi_status undecodable(cpi_txn *t, cpi_error *e) { return cpi_txn_put(t, CPI_DB_RECORDS, "soc:P-1", 7, "\x81\xa1z\x01", 4, e); }
static cpi_status not_a_reference(cpi_txn *t, cpi_error *e)
{
    return cpi_txn_put(t, CPI_DB_RECORDS, "no colon here", 13, "\x80", 1, e);
}
static cpi_status record_gone_raw(cpi_txn *t, cpi_error *e)
{
    return cpi_txn_del(t, CPI_DB_RECORDS, "miraf:MF-1", 10, NULL, 0, e);
}
static cpi_status nothing(cpi_txn *t, cpi_error *e)
{
    (void)t;
    (void)e;
    return CPI_OK;
}

typedef cpi_status (*damage_fn)(cpi_txn *, cpi_error *);
static cpi_status run_damage(cpi_txn *txn, void *ctx, cpi_error *err) { return ((damage_fn)ctx)(txn, err); }

static const struct {
    const char *name;
    damage_fn damage;
    const char *fragment; /* NULL: verify passes */
} cases[] = {
    {"intact", nothing, NULL},
    {"a key index entry lost", lose_key, "miraf:MF-2/1: its key 'fn' is missing from the key index"},
    {"a key index entry left behind", stray_key, "entries for mentions that are gone"},
    {"a key pointing at the wrong mention", key_to_wrong_mention, "soc:P-1/2: its key 'pc' is missing"},
    {"record counter off", record_counter, "record counter for miraf says 3, the store holds 2"},
    {"mention counter off", mention_counter, "mention counter says 5, the records hold 6"},
    {"counter for records that do not exist", orphan_counter, "'n:rec:mace' is not 0"},
    {"a record that does not decode", undecodable, "soc:P-1"},
    {"a record key that is not a reference", not_a_reference, "not a record reference"},
    {"a record removed without its keys", record_gone_raw, "entries for mentions that are gone"},
};

static void test_verify_cases(void **state)
{
    (void)state;
    memset(long_value, 'x', sizeof long_value - 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir = tu_mkdtemp();
        char db[4200];
        snprintf(db, sizeof db, "%s/db", dir);
        cpi_store *st;
        cpi_error err = {0};
        cpi_store_opts o = {.flags = CPI_STORE_CREATE};
        assert_int_equal(cpi_store_open(db, &o, &st, &err), CPI_OK);
        assert_int_equal(cpi_store_write(st, fill, NULL, &err), CPI_OK);
        assert_int_equal(cpi_store_write(st, run_damage, (void *)cases[i].damage, &err), CPI_OK);
        cpi_txn *t;
        assert_int_equal(cpi_store_read_begin(st, &t, &err), CPI_OK);
        cpi_verify_report rep;
        cpi_error_clear(&err);
        cpi_status s = cpi_store_verify(t, &rep, &err);
        cpi_txn_end(t);
        cpi_store_close(st);
        tu_rmrf_free(dir);
        if (!cases[i].fragment) {
            if (s != CPI_OK)
                fail_msg("%s: verify failed: %s", cases[i].name, err.msg);
            /* 3 records x 2 mentions; per record sn, fn, dob and pc: the repeat, yob and the long addr are not indexed */
            assert_int_equal(rep.records, 3);
            assert_int_equal(rep.mentions, 6);
            assert_int_equal(rep.keys, 12);
            continue;
        }
        if (s == CPI_OK || !strstr(err.msg, cases[i].fragment))
            fail_msg("%s: verify gave %d '%s', wanted a failure naming '%s'", cases[i].name, s, err.msg,
                     cases[i].fragment);
    }
}

/* ---- the resolver's tables and the graph, on a resolved store ---- */

static char *rdir, rstore[4200];

/* First key/value of db (copied), or "" if empty. */
static cpi_status first(cpi_txn *t, cpi_db db, char *key, size_t kcap, size_t *klen, char *val, size_t vcap, size_t *vlen,
                        cpi_error *e)
{
    key[0] = val[0] = '\0';
    *klen = *vlen = 0;
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(t, db, &c, e);
    if (s)
        return s;
    cpi_slice k, v;
    s = cpi_cursor_seek(c, NULL, 0, &k, &v, e);
    if (s == CPI_OK && k.len < kcap && v.len < vcap) {
        memcpy(key, k.data, k.len);
        key[k.len] = '\0';
        memcpy(val, v.data, v.len);
        val[v.len] = '\0';
        *klen = k.len;
        *vlen = v.len;
    }
    cpi_cursor_close(c);
    return s;
}

static cpi_status ghost_entity_of(cpi_txn *t, cpi_error *e)
{
    cpi_status s = cpi_txn_put(t, CPI_DB_ENTITY_OF, "niche:GHOST/1", 13, "P-0000001", 9, e);
    return s ? s : cpi_txn_put(t, CPI_DB_MEMBERS, "P-0000001", 9, "niche:GHOST/1", 13, e);
}
static cpi_status member_lost(cpi_txn *t, cpi_error *e)
{
    char k[256], v[256];
    size_t kl = 0, vl = 0;
    cpi_status s = first(t, CPI_DB_ENTITY_OF, k, sizeof k, &kl, v, sizeof v, &vl, e);
    return s ? s : cpi_txn_del(t, CPI_DB_MEMBERS, v, vl, k, kl, e);
}
static cpi_status member_ghost(cpi_txn *t, cpi_error *e)
{
    return cpi_txn_put(t, CPI_DB_MEMBERS, "P-0000001", 9, "niche:GHOST/1", 13, e);
}
/* Move the first mention to entity id (entity_of and members both), keeping them in step. */
static cpi_status move_first(cpi_txn *t, const char *id, cpi_error *e)
{
    char k[256], v[256];
    size_t kl = 0, vl = 0;
    cpi_status s = first(t, CPI_DB_ENTITY_OF, k, sizeof k, &kl, v, sizeof v, &vl, e);
    if (!s)
        s = cpi_txn_del(t, CPI_DB_MEMBERS, v, vl, k, kl, e);
    if (!s)
        s = cpi_txn_put(t, CPI_DB_ENTITY_OF, k, kl, id, strlen(id), e);
    return s ? s : cpi_txn_put(t, CPI_DB_MEMBERS, id, strlen(id), k, kl, e);
}
static cpi_status wrong_kind(cpi_txn *t, cpi_error *e)
{
    char k[256], v[256];
    size_t kl = 0, vl = 0;
    cpi_status s = first(t, CPI_DB_ENTITY_OF, k, sizeof k, &kl, v, sizeof v, &vl, e);
    return s ? s : move_first(t, v[0] == 'L' ? "P-0000001" : "L-0000001", e);
}
static cpi_status beyond_counter(cpi_txn *t, cpi_error *e)
{
    char k[256], v[256];
    size_t kl = 0, vl = 0;
    cpi_status s = first(t, CPI_DB_ENTITY_OF, k, sizeof k, &kl, v, sizeof v, &vl, e);
    char id[16];
    snprintf(id, sizeof id, "%c-9999999", v[0]);
    return s ? s : move_first(t, id, e);
}
static cpi_status entity_counter(cpi_txn *t, cpi_error *e) { return cpi_txn_counter_add(t, "entities", 1, e); }
static cpi_status review_ghost(cpi_txn *t, cpi_error *e)
{
    char k[600], v[256];
    size_t kl = 0, vl = 0;
    cpi_status s = first(t, CPI_DB_REVIEW, k, sizeof k, &kl, v, sizeof v, &vl, e);
    return s ? s : cpi_txn_put(t, CPI_DB_REVIEW, "niche:GHOST/1\x1fniche:GHOST/2", 27, v, vl, e);
}
static cpi_status review_same_entity(cpi_txn *t, cpi_error *e)
{
    /* the first review pair's first mention moves into the second's entity */
    char k[600], v[256], ent[64];
    size_t kl = 0, vl = 0;
    cpi_status s = first(t, CPI_DB_REVIEW, k, sizeof k, &kl, v, sizeof v, &vl, e);
    if (s)
        return s;
    char *sep = strchr(k, '\x1f');
    *sep = '\0';
    const char *a = k, *b = sep + 1;
    cpi_slice ea, eb;
    if ((s = cpi_txn_get(t, CPI_DB_ENTITY_OF, a, strlen(a), &ea, e)) || (s = cpi_txn_get(t, CPI_DB_ENTITY_OF, b, strlen(b), &eb, e)))
        return s;
    char olda[64];
    snprintf(olda, sizeof olda, "%.*s", (int)ea.len, (const char *)ea.data);
    snprintf(ent, sizeof ent, "%.*s", (int)eb.len, (const char *)eb.data);
    if ((s = cpi_txn_del(t, CPI_DB_MEMBERS, olda, strlen(olda), a, strlen(a), e)) ||
        (s = cpi_txn_put(t, CPI_DB_ENTITY_OF, a, strlen(a), ent, strlen(ent), e)))
        return s;
    return cpi_txn_put(t, CPI_DB_MEMBERS, ent, strlen(ent), a, strlen(a), e);
}
/* A copy of the first edge with its other end changed to `to`, stored under `from` (or the first edge's own key). */
static cpi_status forged_edge(cpi_txn *t, const char *from, const char *to, cpi_error *e)
{
    char k[256], v[600];
    size_t kl = 0, vl = 0;
    cpi_status s = first(t, CPI_DB_EDGES, k, sizeof k, &kl, v, sizeof v, &vl, e);
    if (s)
        return s;
    cpi_arena a = {0};
    cpi_edge edge;
    s = cpi_edge_decode(k, v, vl, &a, &edge, e);
    char buf[CPI_EDGE_VALUE_MAX];
    size_t len;
    if (!s) {
        edge.other = to;
        s = cpi_edge_encode(&edge, buf, sizeof buf, &len, e);
    }
    if (!s)
        s = cpi_txn_put(t, CPI_DB_EDGES, from ? from : k, strlen(from ? from : k), buf, len, e);
    cpi_arena_free(&a);
    return s;
}
static cpi_status edge_to_nothing(cpi_txn *t, cpi_error *e) { return forged_edge(t, NULL, "P-9999998", e); }
static cpi_status edges_of_nothing(cpi_txn *t, cpi_error *e) { return forged_edge(t, "P-9999996", "P-0000001", e); }
static cpi_status card_of_nothing(cpi_txn *t, cpi_error *e)
{
    char key[64];
    size_t kl = cpi_card_key("P-0000001", key, sizeof key);
    cpi_slice v;
    cpi_status s = cpi_txn_get(t, CPI_DB_ANALYTICS, key, kl, &v, e);
    if (s)
        return s;
    char copy[4096];
    size_t vl = v.len < sizeof copy ? v.len : sizeof copy;
    memcpy(copy, v.data, vl);
    kl = cpi_card_key("P-9999997", key, sizeof key);
    return cpi_txn_put(t, CPI_DB_ANALYTICS, key, kl, copy, vl, e);
}

static const struct {
    const char *name;
    damage_fn damage;
    const char *fragment; /* NULL: verify passes */
} resolved_cases[] = {
    {"resolved and intact", nothing, NULL},
    {"entity_of names a mention that does not exist", ghost_entity_of, "only"},
    {"a mention missing from its entity's members", member_lost, "whose members do not include it"},
    {"an entity lists a member that does not exist", member_ghost, "some members are missing"},
    {"an entity id of another kind", wrong_kind, "of another kind"},
    {"an entity id beyond the counter", beyond_counter, "beyond the last id given out"},
    {"the entity counter off", entity_counter, "the entity counter says"},
    {"a review pair naming mentions no entity holds", review_ghost, "names a mention no entity holds"},
    {"a review pair inside one entity", review_same_entity, "both are already entity"},
    {"an edge to nothing", edge_to_nothing, "P-9999998, which is not an entity"},
    {"edges of an entity without members", edges_of_nothing, "P-9999996 has edges but is not an entity"},
    {"a card of an entity without members", card_of_nothing, "a card for P-9999997"},
};

static int setup_resolved(void **state)
{
    (void)state;
    rdir = tu_mkdtemp();
    char *cli = tu_build_path("cpindex"), *gen = tu_build_path("cpgen"), *me = tu_run("id -un", NULL);
    me[strcspn(me, "\n")] = '\0';
    setenv("CPINDEX_USER", me, 1);
    setenv("CPINDEX_REASON", "verify test on synthetic data", 1);
    snprintf(rstore, sizeof rstore, "%s/db", rdir);
    char cmd[16000];
    snprintf(cmd, sizeof cmd,
             "set -e; '%s' --seed 4 --children 300 --out '%s/f' >/dev/null; "
             "for s in niche miraf mace marac polit soc; do '%s' --db '%s' ingest $s '%s/f/'$s >/dev/null; done; "
             "'%s' --db '%s' resolve >/dev/null",
             gen, rdir, cli, rstore, rdir, cli, rstore);
    int st;
    free(tu_run(cmd, &st));
    free(cli);
    free(gen);
    free(me);
    return st == 0 ? 0 : -1;
}

static int teardown_resolved(void **state)
{
    (void)state;
    tu_rmrf_free(rdir);
    return 0;
}

static void test_verify_resolved(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof resolved_cases / sizeof resolved_cases[0]; i++) {
        char db[4300], cmd[9000];
        snprintf(db, sizeof db, "%s/case%zu", rdir, i);
        snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", rstore, db);
        assert_int_equal(system(cmd), 0);
        cpi_store *st;
        cpi_error err = {0};
        cpi_store_opts o = {0};
        assert_int_equal(cpi_store_open(db, &o, &st, &err), CPI_OK);
        if (cpi_store_write(st, run_damage, (void *)resolved_cases[i].damage, &err) != CPI_OK)
            fail_msg("%s: the damage could not be done: %s", resolved_cases[i].name, err.msg);
        cpi_txn *t;
        assert_int_equal(cpi_store_read_begin(st, &t, &err), CPI_OK);
        cpi_verify_report rep;
        cpi_graph_verify_report grep_;
        cpi_error_clear(&err);
        cpi_status s = cpi_store_verify(t, &rep, &err);
        if (s == CPI_OK)
            s = cpi_graph_verify(t, &grep_, &err);
        cpi_txn_end(t);
        cpi_store_close(st);
        if (!resolved_cases[i].fragment) {
            if (s != CPI_OK)
                fail_msg("%s: verify failed: %s", resolved_cases[i].name, err.msg);
            /* everything resolved: every mention placed, and the graph covers every entity */
            assert_int_equal(rep.entity_links, rep.mentions);
            assert_true(rep.entities > 100 && rep.entities < rep.mentions);
            assert_true(rep.review_pairs > 0);
            assert_int_equal(grep_.cards, rep.entities);
            assert_true(grep_.edges > rep.entities / 2);
            assert_false(grep_.resolve_due);
            print_message("resolved store: %llu mentions in %llu entities, %llu review pairs, %llu cards, %llu edges\n",
                          (unsigned long long)rep.mentions, (unsigned long long)rep.entities,
                          (unsigned long long)rep.review_pairs, (unsigned long long)grep_.cards,
                          (unsigned long long)grep_.edges);
            continue;
        }
        if (s == CPI_OK || !strstr(err.msg, resolved_cases[i].fragment))
            fail_msg("%s: verify gave %d '%s', wanted a failure naming '%s'", resolved_cases[i].name, s, err.msg,
                     resolved_cases[i].fragment);
    }
}

/* A re-ingested record whose mention changed kind leaves that mention's entity and marks a resolve due. */
static cpi_status replace_changed(cpi_txn *t, void *ctx, cpi_error *e)
{
    const char *ref = ctx;
    cpi_arena a = {0};
    cpi_record rec;
    cpi_status s = cpi_store_get_record(t, ref, &a, &rec, e);
    if (!s) {
        cpi_mention *ms = cpi_arena_alloc(&a, sizeof *ms * rec.nmentions);
        memcpy(ms, rec.mentions, sizeof *ms * rec.nmentions);
        ms[0].kind = ms[0].kind == CPI_KIND_PERSON ? CPI_KIND_LOCATION : CPI_KIND_PERSON;
        rec.mentions = ms;
        rec.prov.hash[0] ^= 1;
        cpi_put_result r;
        s = cpi_store_put_record(t, &rec, &r, e);
        if (!s && r != CPI_PUT_REPLACED)
            s = cpi_error_set(e, CPI_ERR_DATA, "not replaced");
    }
    cpi_arena_free(&a);
    return s;
}

static void test_replaced_mention_leaves_its_entity(void **state)
{
    (void)state;
    char db[4300], cmd[9000], ref[256], id[64];
    snprintf(db, sizeof db, "%s/replaced", rdir);
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", rstore, db);
    assert_int_equal(system(cmd), 0);
    cpi_store *st;
    cpi_error err = {0};
    cpi_store_opts o = {0};
    assert_int_equal(cpi_store_open(db, &o, &st, &err), CPI_OK);
    /* the first resolved mention that is the first of its record */
    cpi_txn *t;
    assert_int_equal(cpi_store_read_begin(st, &t, &err), CPI_OK);
    cpi_cursor *c;
    cpi_slice k, v;
    assert_int_equal(cpi_cursor_open(t, CPI_DB_ENTITY_OF, &c, &err), CPI_OK);
    ref[0] = '\0';
    for (cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, &err); cs == CPI_OK && !ref[0];
         cs = cpi_cursor_next(c, &k, &v, &err))
        if (k.len > 2 && memcmp((const char *)k.data + k.len - 2, "/1", 2) == 0 && k.len < sizeof ref) {
            snprintf(ref, sizeof ref, "%.*s", (int)(k.len - 2), (const char *)k.data);
            snprintf(id, sizeof id, "%.*s", (int)v.len, (const char *)v.data);
        }
    cpi_cursor_close(c);
    cpi_txn_end(t);
    assert_true(ref[0] != '\0');
    assert_int_equal(cpi_store_write(st, replace_changed, ref, &err), CPI_OK);
    assert_int_equal(cpi_store_read_begin(st, &t, &err), CPI_OK);
    char mref[300];
    int ml = snprintf(mref, sizeof mref, "%s/1", ref);
    assert_int_equal(cpi_txn_get(t, CPI_DB_ENTITY_OF, mref, (size_t)ml, &v, &err), CPI_NOT_FOUND);
    assert_int_equal(cpi_txn_get_pair(t, CPI_DB_MEMBERS, id, strlen(id), mref, (size_t)ml, &err), CPI_NOT_FOUND);
    assert_int_equal(cpi_txn_get(t, CPI_DB_META, CPI_META_RESOLVE_DUE, sizeof CPI_META_RESOLVE_DUE - 1, &v, &err), CPI_OK);
    /* and the store still verifies: the graph's gap is the one a due resolve allows */
    cpi_verify_report rep;
    cpi_graph_verify_report grep_;
    cpi_status s = cpi_store_verify(t, &rep, &err);
    if (!s)
        s = cpi_graph_verify(t, &grep_, &err);
    if (s)
        fail_msg("after replacing %s: %s", ref, err.msg);
    assert_true(grep_.resolve_due);
    assert_int_equal(rep.entity_links + 1, rep.mentions);
    cpi_txn_end(t);
    cpi_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_cases),
    };
    const struct CMUnitTest resolved[] = {
        cmocka_unit_test(test_verify_resolved),
        cmocka_unit_test(test_replaced_mention_leaves_its_entity),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed + cmocka_run_group_tests(resolved, setup_resolved, teardown_resolved);
}
