/*
 * test_purge.c - purging a record leaves no trace of it in records, keys,
 * entity_of, members or overrides, leaves its neighbours (including a record
 * whose id it is a prefix of) intact, marks a resolve due when it touched
 * entities, is one erasure entry in the audit log, and changes nothing when
 * refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/access.h"
#include "audit/audit.h"
#include "ingest/purge.h"
#include "core/store.h"
#include "testutil.h"

typedef struct fixture {
    char *dir;
    cpi_store *st;
    cpi_grant admin;
} fixture;

static cpi_kv keys_child[] = {{"sn", "pryce"}, {"fn", "sian"}, {"dob", "2009-04-03"}};
static cpi_kv keys_place[] = {{"pc", "NP20 1AB"}};
static cpi_kv raw_child[] = {{"surname", "Pryce"}};

static cpi_record rec(const char *ref, uint8_t hashbyte)
{
    static cpi_mention ms[2];
    static cpi_relation rel[1];
    ms[0] = (cpi_mention){CPI_KIND_PERSON, "missing-child", {raw_child, 1}, {keys_child, 3}};
    ms[1] = (cpi_mention){CPI_KIND_LOCATION, "found-at", {NULL, 0}, {keys_place, 1}};
    rel[0] = (cpi_relation){"found-at", 1, 2, 18000};
    cpi_record r = {.ref = ref, .type = "form", .day = 18000, .prov = {.file = "f.csv", .line = 2},
                    .mentions = ms, .nmentions = 2, .relations = rel, .nrelations = 1};
    memset(r.prov.hash, hashbyte, 32);
    return r;
}

static void be64(uint64_t v, unsigned char *p)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

/* Three records, as ingest and a resolver would leave them. MF-1 and MF-10 share a prefix on purpose. */
static cpi_status fill(cpi_txn *txn, void *ctx, cpi_error *err)
{
    (void)ctx;
    static const char *const refs[] = {"miraf:MF-1", "miraf:MF-10", "niche:NOM-5"};
    cpi_status s = CPI_OK;
    for (int i = 0; i < 3 && !s; i++) {
        cpi_record r = rec(refs[i], (uint8_t)(i + 1));
        cpi_put_result pr;
        s = cpi_store_put_record(txn, &r, &pr, err);
    }
    /* entity 7: the child in all three records; entity 8: the place in MF-1 and MF-10; NOM-5/2 unresolved */
    static const struct {
        const char *mref;
        uint64_t ent;
    } links[] = {{"miraf:MF-1/1", 7}, {"miraf:MF-10/1", 7}, {"niche:NOM-5/1", 7}, {"miraf:MF-1/2", 8},
                 {"miraf:MF-10/2", 8}};
    for (size_t i = 0; i < sizeof links / sizeof links[0] && !s; i++) {
        unsigned char id[8];
        be64(links[i].ent, id);
        s = cpi_txn_put(txn, CPI_DB_ENTITY_OF, links[i].mref, strlen(links[i].mref), id, 8, err);
        if (!s)
            s = cpi_txn_put(txn, CPI_DB_MEMBERS, id, 8, links[i].mref, strlen(links[i].mref), err);
    }
    static const char *const overrides[] = {"miraf:MF-1/1\x1fniche:NOM-5/1", "miraf:MF-10/1\x1fniche:NOM-5/1",
                                            "niche:NOM-5/2\x1fmiraf:MF-1/2"};
    for (size_t i = 0; i < 3 && !s; i++)
        s = cpi_txn_put(txn, CPI_DB_OVERRIDES, overrides[i], strlen(overrides[i]), "\x80", 1, err);
    return s;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    char db[4200];
    snprintf(db, sizeof db, "%s/db", f->dir);
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    cpi_error err = {0};
    char owner[CPI_USER_MAX];
    if (cpi_store_open(db, &o, &f->st, &err) || cpi_store_write(f->st, fill, NULL, &err) ||
        cpi_access_owner(f->st, owner, &err) ||
        cpi_access_authorise(f->st, owner, "data subject erasure request", "purge", &f->admin, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cpi_store_close(f->st);
    tu_rmrf_free(f->dir);
    free(f);
    return 0;
}

/* Does bytes [p, p+n) name ref or ref/N? */
static bool names(const void *p, size_t n, const char *ref)
{
    size_t rn = strlen(ref);
    const char *s = p;
    for (size_t i = 0; i + rn <= n; i++)
        if (memcmp(s + i, ref, rn) == 0 && (i + rn == n || s[i + rn] == '/' || s[i + rn] == CPI_KEY_SEP))
            return true;
    return false;
}

/* How many keys or values in db name ref. */
static int traces(cpi_store *st, cpi_db db, const char *ref)
{
    cpi_txn *t;
    assert_int_equal(cpi_store_read_begin(st, &t, NULL), CPI_OK);
    cpi_cursor *c;
    assert_int_equal(cpi_cursor_open(t, db, &c, NULL), CPI_OK);
    int n = 0;
    cpi_slice k, v;
    for (cpi_status s = cpi_cursor_seek(c, NULL, 0, &k, &v, NULL); s == CPI_OK;
         s = cpi_cursor_next(c, &k, &v, NULL))
        n += names(k.data, k.len, ref) || names(v.data, v.len, ref);
    cpi_cursor_close(c);
    cpi_txn_end(t);
    return n;
}

static uint64_t count(cpi_store *st, cpi_db db)
{
    cpi_txn *t;
    assert_int_equal(cpi_store_read_begin(st, &t, NULL), CPI_OK);
    uint64_t n;
    assert_int_equal(cpi_txn_count(t, db, &n, NULL), CPI_OK);
    cpi_txn_end(t);
    return n;
}

static void test_no_trace_left(void **state)
{
    fixture *f = *state;
    static const cpi_db dbs[] = {CPI_DB_RECORDS, CPI_DB_KEYS, CPI_DB_ENTITY_OF, CPI_DB_MEMBERS, CPI_DB_OVERRIDES};
    /* the fixture really does hold the record everywhere (so the test below can fail) */
    int before[] = {1, 4, 2, 2, 2};
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++)
        assert_int_equal(traces(f->st, dbs[i], "miraf:MF-1"), before[i]);
    uint64_t keys_before = count(f->st, CPI_DB_KEYS);

    cpi_purge_result r;
    cpi_error err = {0};
    assert_int_equal(cpi_purge(f->st, &f->admin, "miraf:MF-1", &r, &err), CPI_OK);
    assert_int_equal(r.mentions, 2);
    assert_int_equal(r.entity_links, 2);
    assert_int_equal(r.entities_touched, 2);
    assert_int_equal(r.overrides, 2);
    assert_true(r.resolve_due);
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++)
        if (traces(f->st, dbs[i], "miraf:MF-1"))
            fail_msg("database %d still names miraf:MF-1", (int)dbs[i]);

    /* neighbours untouched: MF-10 (same prefix) and NOM-5 keep their records, keys, links and decision */
    assert_int_equal(traces(f->st, CPI_DB_RECORDS, "miraf:MF-10"), 1);
    assert_int_equal(traces(f->st, CPI_DB_ENTITY_OF, "miraf:MF-10"), 2);
    assert_int_equal(traces(f->st, CPI_DB_MEMBERS, "niche:NOM-5"), 1);
    assert_int_equal(traces(f->st, CPI_DB_OVERRIDES, "miraf:MF-10"), 1);
    assert_int_equal(count(f->st, CPI_DB_KEYS), keys_before - 4);
    assert_int_equal(count(f->st, CPI_DB_MEMBERS), 3);

    /* nothing finds it any more */
    cpi_txn *t;
    assert_int_equal(cpi_store_read_begin(f->st, &t, NULL), CPI_OK);
    cpi_arena a = {0};
    cpi_record got;
    assert_int_equal(cpi_store_get_record(t, "miraf:MF-1", &a, &got, NULL), CPI_NOT_FOUND);
    int64_t nm;
    assert_int_equal(cpi_txn_counter_get(t, "rec:miraf", &nm, NULL), CPI_OK);
    assert_int_equal(nm, 1);
    assert_int_equal(cpi_txn_counter_get(t, "mentions", &nm, NULL), CPI_OK);
    assert_int_equal(nm, 4);
    cpi_arena_free(&a);
    cpi_txn_end(t);

    char due[256];
    assert_int_equal(cpi_purge_resolve_due(f->st, due, sizeof due, NULL), CPI_OK);
    assert_string_equal(due, "a purge (audit entry 1) changed 2 entities");
    assert_int_equal(traces(f->st, CPI_DB_META, "miraf:MF-1"), 0);

    /* once, logged once, as an erasure naming the record, the reason and the entities touched */
    assert_int_equal(cpi_purge(f->st, &f->admin, "miraf:MF-1", &r, &err), CPI_NOT_FOUND);
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
    assert_int_equal(rep.entries, 1);
}

static cpi_status grab(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    (void)err;
    char *out = ctx;
    snprintf(out, 512, "%s|%s|%s|%s|%u:%s,%s|%s|%s", cpi_audit_kind_name(e->kind), e->command, e->reason,
             e->nrefs ? e->refs[0] : "", e->nentities, e->nentities ? e->entities[0] : "",
             e->nentities > 1 ? e->entities[1] : "", cpi_kv_get(&e->details, "mentions"),
             cpi_kv_get(&e->details, "resolve_due"));
    return CPI_OK;
}

static void test_erasure_entry(void **state)
{
    fixture *f = *state;
    cpi_purge_result r;
    assert_int_equal(cpi_purge(f->st, &f->admin, "miraf:MF-10", &r, NULL), CPI_OK);
    char got[512] = "";
    cpi_audit_filter flt = {.entity = "miraf:MF-10/2"};
    assert_int_equal(cpi_audit_query(f->st, &flt, grab, got, NULL), CPI_OK);
    assert_string_equal(got, "erasure|purge|data subject erasure request|miraf:MF-10|2:7,8|2|yes");
}

static cpi_status put_unresolved(cpi_txn *txn, void *ctx, cpi_error *err)
{
    (void)ctx;
    static cpi_kv k[] = {{"sn", "evans"}};
    static cpi_mention m[] = {{CPI_KIND_PERSON, "subject", {NULL, 0}, {k, 1}}};
    cpi_record r = {.ref = "soc:SP-9", .type = "plan", .day = CPI_DAY_NONE, .prov = {.file = "s.csv"},
                    .mentions = m, .nmentions = 1};
    cpi_put_result pr;
    return cpi_store_put_record(txn, &r, &pr, err);
}

/* A record never resolved: nothing was derived from it, so no resolve is due. */
static void test_unresolved_record_needs_no_resolve(void **state)
{
    fixture *f = *state;
    assert_int_equal(cpi_store_write(f->st, put_unresolved, NULL, NULL), CPI_OK);
    cpi_purge_result r;
    assert_int_equal(cpi_purge(f->st, &f->admin, "soc:SP-9", &r, NULL), CPI_OK);
    assert_int_equal(r.mentions, 1);
    assert_int_equal(r.entity_links, 0);
    assert_false(r.resolve_due);
    assert_int_equal(traces(f->st, CPI_DB_KEYS, "soc:SP-9"), 0);
    char due[64];
    assert_int_equal(cpi_purge_resolve_due(f->st, due, sizeof due, NULL), CPI_OK);
    assert_string_equal(due, "");
}

/* Refusals change nothing and log nothing. */
static void test_refusals(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *ref;
        cpi_status s;
    } cases[] = {
        {"miraf:MF-1/1", CPI_ERR_USAGE}, /* a mention, not a record */
        {"miraf", CPI_ERR_USAGE},
        {"miraf:MF-404", CPI_NOT_FOUND},
        {"MIRAF:MF-1", CPI_ERR_USAGE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cpi_purge_result r;
        cpi_error err = {0};
        if (cpi_purge(f->st, &f->admin, cases[i].ref, &r, &err) != cases[i].s)
            fail_msg("purge %s: %s", cases[i].ref, err.msg);
    }
    cpi_grant other = f->admin;
    snprintf(other.action, sizeof other.action, "ingest");
    cpi_purge_result r;
    assert_int_equal(cpi_purge(f->st, &other, "miraf:MF-1", &r, NULL), CPI_ERR_ACCESS);
    assert_int_equal(traces(f->st, CPI_DB_RECORDS, "miraf:MF-1"), 1);
    assert_int_equal(count(f->st, CPI_DB_AUDIT), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_trace_left, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erasure_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unresolved_record_needs_no_resolve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests_name("purge", tests, NULL, NULL);
}
