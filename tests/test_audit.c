/*
 * test_audit.c - the audit log: every field round-trips, entries chain, and
 * tampering of each kind (a changed byte anywhere, a removed entry, swapped
 * entries, a change with its hash recomputed, a lost head, a rewritten log) is
 * named at the first bad entry; the filters of 'audit show'; an entry
 * appended in a transaction that fails is not kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/store.h"
#include "testutil.h"

#define N 8 /* entries in the fixture log */

typedef struct fixture {
    char *dir;
    cpi_store *st;
} fixture;

static void key_of(uint64_t seq, unsigned char k[8])
{
    for (int i = 7; i >= 0; i--, seq >>= 8)
        k[i] = (unsigned char)seq;
}

/* Entry i of the fixture: users and references vary so the filters have something to tell apart. */
static cpi_status append_nth(cpi_store *st, int i, cpi_error *err)
{
    char user[32], query[64], ent[32], ref[64];
    snprintf(user, sizeof user, i % 2 ? "alice" : "bob");
    snprintf(query, sizeof query, "child --name 'Test Child %d'", i);
    snprintf(ent, sizeof ent, "E%d", i % 3);
    snprintf(ref, sizeof ref, "miraf:MF-%d/1", i % 4);
    const char *ents[] = {ent};
    const char *refs[] = {ref, "niche:NOM-1"};
    cpi_kv kv[] = {{"file", "force/miraf/forms.csv"}, {"read", "12"}};
    cpi_audit_entry e = {
        .time = 1700000000 + i * 86400,
        .kind = i == 1 ? CPI_AUDIT_COLLECTION : CPI_AUDIT_CONSULTATION,
        .user = user,
        .reason = "missing episode follow-up",
        .command = "child",
        .query = query,
        .entities = ents,
        .nentities = 1,
        .refs = refs,
        .nrefs = 2,
        .details = {kv, 2},
    };
    return cpi_audit_log(st, &e, err);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    char db[4200];
    snprintf(db, sizeof db, "%s/db", f->dir);
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    cpi_error err = {0};
    if (cpi_store_open(db, &o, &f->st, &err) != CPI_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    for (int i = 1; i <= N; i++)
        if (append_nth(f->st, i, &err) != CPI_OK) {
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

/* ---- raw edits, as someone with the file would make them ---- */

typedef struct raw {
    uint64_t seq;
    unsigned char *val;
    size_t len;
} raw;

static raw raw_get(cpi_store *st, uint64_t seq)
{
    cpi_txn *t;
    assert_int_equal(cpi_store_read_begin(st, &t, NULL), CPI_OK);
    unsigned char k[8];
    key_of(seq, k);
    cpi_slice v;
    assert_int_equal(cpi_txn_get(t, CPI_DB_AUDIT, k, 8, &v, NULL), CPI_OK);
    raw r = {seq, malloc(v.len), v.len};
    memcpy(r.val, v.data, v.len);
    cpi_txn_end(t);
    return r;
}

typedef struct edit {
    uint64_t seq;
    const void *val; /* NULL: delete */
    size_t len;
} edit;

static cpi_status edit_fn(cpi_txn *txn, void *ctx, cpi_error *err)
{
    edit *e = ctx;
    unsigned char k[8];
    key_of(e->seq, k);
    if (!e->val)
        return cpi_txn_del(txn, CPI_DB_AUDIT, k, 8, NULL, 0, err);
    return cpi_txn_put(txn, CPI_DB_AUDIT, k, 8, e->val, e->len, err);
}

static void raw_put(cpi_store *st, uint64_t seq, const void *val, size_t len)
{
    edit e = {seq, val, len};
    assert_int_equal(cpi_store_write(st, edit_fn, &e, NULL), CPI_OK);
}

static void expect_broken_at(cpi_store *st, uint64_t seq, const char *word)
{
    cpi_audit_report rep;
    cpi_error err = {0};
    cpi_status s = cpi_audit_verify(st, NULL, &rep, &err);
    if (s != CPI_ERR_DATA || rep.bad_seq != seq || (word && !strstr(rep.problem, word)))
        fail_msg("verify: status %d, bad entry %llu (want %llu), problem '%s' (want '%s')", s,
                 (unsigned long long)rep.bad_seq, (unsigned long long)seq, rep.problem, word ? word : "");
    assert_non_null(strstr(err.msg, "entry"));
}

/* ---- tests ---- */

static cpi_status collect(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    (void)err;
    uint64_t *seqs = ctx;
    seqs[++seqs[0]] = e->seq;
    return CPI_OK;
}

static void test_round_trip_and_intact_chain(void **state)
{
    fixture *f = *state;
    cpi_audit_report rep;
    cpi_error err = {0};
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, &err), CPI_OK);
    assert_int_equal(rep.entries, N);
    assert_int_equal(rep.last_seq, N);
    assert_int_equal(rep.bad_seq, 0);

    /* entry 3 decodes to exactly what was appended, linked to entry 2 */
    raw r2 = raw_get(f->st, 2), r3 = raw_get(f->st, 3);
    cpi_arena a = {0};
    cpi_audit_entry e2, e3;
    assert_int_equal(cpi_audit_decode(2, r2.val, r2.len, &a, &e2, &err), CPI_OK);
    assert_int_equal(cpi_audit_decode(3, r3.val, r3.len, &a, &e3, &err), CPI_OK);
    assert_memory_equal(e3.prev, e2.hash, 32);
    assert_int_equal(e3.seq, 3);
    assert_int_equal(e3.time, 1700000000 + 3 * 86400);
    assert_int_equal(e3.kind, CPI_AUDIT_CONSULTATION);
    assert_string_equal(e3.user, "alice");
    assert_string_equal(e3.reason, "missing episode follow-up");
    assert_string_equal(e3.command, "child");
    assert_string_equal(e3.query, "child --name 'Test Child 3'");
    assert_int_equal(e3.nentities, 1);
    assert_string_equal(e3.entities[0], "E0");
    assert_int_equal(e3.nrefs, 2);
    assert_string_equal(e3.refs[0], "miraf:MF-3/1");
    assert_string_equal(e3.refs[1], "niche:NOM-1");
    assert_int_equal(e3.details.count, 2);
    assert_string_equal(cpi_kv_get(&e3.details, "file"), "force/miraf/forms.csv");
    /* entry 1 chains to zeros; its hash is BLAKE2b of the body */
    raw r1 = raw_get(f->st, 1);
    cpi_audit_entry e1;
    assert_int_equal(cpi_audit_decode(1, r1.val, r1.len, &a, &e1, &err), CPI_OK);
    static const uint8_t zero[32];
    assert_memory_equal(e1.prev, zero, 32);
    uint8_t h[32];
    crypto_generichash(h, 32, r1.val, r1.len - 32, NULL, 0);
    assert_memory_equal(h, e1.hash, 32);
    assert_int_equal(e1.kind, CPI_AUDIT_COLLECTION);
    cpi_arena_free(&a);
    free(r1.val);
    free(r2.val);
    free(r3.val);
}

/* A byte changed anywhere in any entry (body or stored hash) is named at that entry. */
static void test_changed_byte_named(void **state)
{
    fixture *f = *state;
    for (uint64_t seq = 1; seq <= N; seq++) {
        raw r = raw_get(f->st, seq);
        size_t positions[] = {0, 1, r.len / 3, r.len / 2, r.len - 33, r.len - 32, r.len - 1};
        for (size_t p = 0; p < sizeof positions / sizeof positions[0]; p++) {
            unsigned char *copy = malloc(r.len);
            memcpy(copy, r.val, r.len);
            copy[positions[p]] ^= 0x01;
            raw_put(f->st, seq, copy, r.len);
            expect_broken_at(f->st, seq, "changed");
            raw_put(f->st, seq, r.val, r.len); /* restore */
            free(copy);
        }
        free(r.val);
    }
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
}

static void test_removed_entry_named(void **state)
{
    fixture *f = *state;
    static const uint64_t which[] = {1, 4, N};
    for (size_t i = 0; i < sizeof which / sizeof which[0]; i++) {
        raw r = raw_get(f->st, which[i]);
        raw_put(f->st, which[i], NULL, 0);
        expect_broken_at(f->st, which[i], "removed");
        raw_put(f->st, which[i], r.val, r.len);
        free(r.val);
    }
    /* two in a row: the first is named */
    raw a = raw_get(f->st, 3), b = raw_get(f->st, 4);
    raw_put(f->st, 3, NULL, 0);
    raw_put(f->st, 4, NULL, 0);
    expect_broken_at(f->st, 3, "removed");
    raw_put(f->st, 3, a.val, a.len);
    raw_put(f->st, 4, b.val, b.len);
    free(a.val);
    free(b.val);
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
}

static void test_swapped_entries_named(void **state)
{
    fixture *f = *state;
    static const uint64_t pairs[][2] = {{2, 3}, {1, N}, {5, 7}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        raw a = raw_get(f->st, pairs[i][0]), b = raw_get(f->st, pairs[i][1]);
        raw_put(f->st, a.seq, b.val, b.len);
        raw_put(f->st, b.seq, a.val, a.len);
        expect_broken_at(f->st, a.seq, "reordered");
        raw_put(f->st, a.seq, a.val, a.len);
        raw_put(f->st, b.seq, b.val, b.len);
        free(a.val);
        free(b.val);
    }
}

/* Someone edits a field and recomputes the entry's own hash: the next link (or the head) gives it away. */
static void test_rehashed_change_named(void **state)
{
    fixture *f = *state;
    static const uint64_t which[] = {2, N};
    for (size_t i = 0; i < sizeof which / sizeof which[0]; i++) {
        raw r = raw_get(f->st, which[i]);
        unsigned char *copy = malloc(r.len);
        memcpy(copy, r.val, r.len);
        unsigned char *p = memmem(copy, r.len - 32, "alice", 5);
        if (!p)
            p = memmem(copy, r.len - 32, "bob", 3);
        assert_non_null(p);
        p[0] = 'X'; /* same length: the msgpack stays valid */
        crypto_generichash(copy + r.len - 32, 32, copy, r.len - 32, NULL, 0);
        raw_put(f->st, r.seq, copy, r.len);
        expect_broken_at(f->st, r.seq, "recomputed");
        raw_put(f->st, r.seq, r.val, r.len);
        free(copy);
        free(r.val);
    }
}

static cpi_status del_head(cpi_txn *txn, void *ctx, cpi_error *err)
{
    (void)ctx;
    return cpi_txn_del(txn, CPI_DB_META, "audit:head", 10, NULL, 0, err);
}

static void test_lost_head_and_appending_refused(void **state)
{
    fixture *f = *state;
    assert_int_equal(cpi_store_write(f->st, del_head, NULL, NULL), CPI_OK);
    expect_broken_at(f->st, N, "head");
    cpi_error err = {0};
    assert_int_equal(append_nth(f->st, 9, &err), CPI_ERR_STORE);
    assert_non_null(strstr(err.msg, "no chain head"));
}

/* A head noted earlier catches a log rewritten from scratch with consistent hashes. */
static void test_noted_head_catches_rewrite(void **state)
{
    fixture *f = *state;
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
    uint8_t noted[32];
    memcpy(noted, rep.head, 32);
    assert_int_equal(append_nth(f->st, 9, NULL), CPI_OK);
    assert_int_equal(cpi_audit_verify(f->st, noted, &rep, NULL), CPI_OK); /* still in the chain */

    /* rewrite: drop everything and append a different history */
    for (uint64_t s = 1; s <= N + 1; s++)
        raw_put(f->st, s, NULL, 0);
    assert_int_equal(cpi_store_write(f->st, del_head, NULL, NULL), CPI_OK);
    for (int i = 20; i < 24; i++)
        assert_int_equal(append_nth(f->st, i, NULL), CPI_OK);
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK); /* self-consistent */
    cpi_error err = {0};
    assert_int_equal(cpi_audit_verify(f->st, noted, &rep, &err), CPI_ERR_DATA);
    assert_non_null(strstr(rep.problem, "rewritten"));
}

static void test_query_filters(void **state)
{
    fixture *f = *state;
    static const struct {
        cpi_audit_filter f;
        uint64_t want[N + 1]; /* count, then sequences */
    } cases[] = {
        {{0}, {8, 1, 2, 3, 4, 5, 6, 7, 8}},
        {{.user = "alice"}, {4, 1, 3, 5, 7}},
        {{.user = "nobody"}, {0}},
        {{.entity = "E1"}, {3, 1, 4, 7}},
        /* a record reference matches its mentions; a mention matches its record's reference */
        {{.entity = "miraf:MF-2"}, {2, 2, 6}},
        {{.entity = "miraf:MF-2/1"}, {2, 2, 6}},
        {{.entity = "miraf:MF-2/3"}, {0}},
        {{.entity = "miraf:MF-"}, {0}},
        {{.entity = "niche:NOM-1"}, {8, 1, 2, 3, 4, 5, 6, 7, 8}},
        {{.since = 1700000000 + 6 * 86400}, {3, 6, 7, 8}},
        {{.kind = CPI_AUDIT_COLLECTION}, {1, 1}},
        {{.user = "bob", .entity = "E2", .since = 1700000000 + 3 * 86400}, {1, 8}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t got[N + 2] = {0};
        assert_int_equal(cpi_audit_query(f->st, &cases[i].f, collect, got, NULL), CPI_OK);
        if (got[0] != cases[i].want[0])
            fail_msg("case %zu: %llu entries, want %llu", i, (unsigned long long)got[0],
                     (unsigned long long)cases[i].want[0]);
        for (uint64_t j = 1; j <= got[0]; j++)
            assert_int_equal(got[j], cases[i].want[j]);
    }
}

static cpi_status append_then_fail(cpi_txn *txn, void *ctx, cpi_error *err)
{
    cpi_audit_entry e = {.kind = CPI_AUDIT_ERASURE, .user = "alice", .command = "purge"};
    cpi_status s = cpi_audit_append(txn, &e, err);
    *(uint64_t *)ctx = e.seq;
    return s ? s : cpi_error_set(err, CPI_ERR_DATA, "the change failed");
}

static void test_entry_in_failed_transaction_not_kept(void **state)
{
    fixture *f = *state;
    uint64_t seq = 0;
    assert_int_equal(cpi_store_write(f->st, append_then_fail, &seq, NULL), CPI_ERR_DATA);
    assert_int_equal(seq, N + 1);
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
    assert_int_equal(rep.entries, N);
    /* and the next real entry takes that number */
    assert_int_equal(append_nth(f->st, 9, NULL), CPI_OK);
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
    assert_int_equal(rep.last_seq, N + 1);
}

static void test_append_needs_user_and_command(void **state)
{
    fixture *f = *state;
    cpi_audit_entry e = {.kind = CPI_AUDIT_CONSULTATION, .command = "child"};
    assert_int_equal(cpi_audit_log(f->st, &e, NULL), CPI_ERR_USAGE);
    e.user = "alice";
    e.command = "";
    assert_int_equal(cpi_audit_log(f->st, &e, NULL), CPI_ERR_USAGE);
    e.command = "child";
    e.kind = (cpi_audit_kind)99;
    assert_int_equal(cpi_audit_log(f->st, &e, NULL), CPI_ERR_USAGE);
    cpi_audit_kind k;
    assert_int_equal(cpi_audit_kind_parse("erasure", &k, NULL), CPI_OK);
    assert_int_equal(k, CPI_AUDIT_ERASURE);
    assert_int_equal(cpi_audit_kind_parse("deletion", &k, NULL), CPI_ERR_USAGE);
}

/* The decoder refuses what it does not understand even when the hash fits. */
static void test_decoder_strict(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "\x81\xa1z\x01",                        /* unknown field */
        "\x82\xa1n\x01\xa1t\x01",               /* fields missing */
        "\x01",                                  /* not a map */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        size_t n = strlen(bodies[i]);
        unsigned char buf[64];
        memcpy(buf, bodies[i], n);
        crypto_generichash(buf + n, 32, buf, n, NULL, 0);
        cpi_arena a = {0};
        cpi_audit_entry e;
        cpi_error err = {0};
        assert_int_equal(cpi_audit_decode(5, buf, n + 32, &a, &e, &err), CPI_ERR_DATA);
        assert_non_null(strstr(err.msg, "audit entry 5"));
        cpi_arena_free(&a);
    }
}

typedef struct last {
    char line[512];
} last;

static cpi_status keep_last(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    (void)err;
    last *l = ctx;
    size_t off = (size_t)snprintf(l->line, sizeof l->line, "%s|%s|%s|%s|%s|", cpi_audit_kind_name(e->kind), e->user,
                                  e->reason ? e->reason : "-", e->command, e->query ? e->query : "-");
    for (uint32_t i = 0; i < e->nentities && off < sizeof l->line; i++)
        off += (size_t)snprintf(l->line + off, sizeof l->line - off, "%s%s", i ? "," : "", e->entities[i]);
    off += (size_t)snprintf(l->line + off, sizeof l->line - off, "|");
    for (uint32_t i = 0; i < e->nrefs && off < sizeof l->line; i++)
        off += (size_t)snprintf(l->line + off, sizeof l->line - off, "%s%s", i ? "," : "", e->refs[i]);
    return CPI_OK;
}

/* What a query command logs: who, why, which command, what was asked, and every id and reference returned. */
static void test_consultation_logged_with_reason_and_ids(void **state)
{
    fixture *f = *state;
    cpi_grant g = {.user = "pc1234", .reason = "attending address, concern for child", .action = "child",
                   .roles = CPI_ROLE_OFFICER, .view = CPI_VIEW_SUMMARY};
    const char *ents[] = {"E42", "E7", "E42001"};
    const char *refs[] = {"miraf:MF-2021-000045/1", "niche:NOM-0000123"};
    static const struct {
        size_t nents, nrefs;
        const char *want;
    } cases[] = {
        {3, 2, "consultation|pc1234|attending address, concern for child|child|child --dob 2010-04-05|"
               "E42,E7,E42001|miraf:MF-2021-000045/1,niche:NOM-0000123"},
        {0, 0, "consultation|pc1234|attending address, concern for child|child|child --dob 2010-04-05||"},
    };
    for (size_t i = 0; i < 2; i++) {
        cpi_error err = {0};
        assert_int_equal(cpi_audit_consultation(f->st, &g, "child --dob 2010-04-05", ents, cases[i].nents, refs,
                                                cases[i].nrefs, &err),
                         CPI_OK);
        last l = {{0}};
        cpi_audit_filter flt = {.kind = CPI_AUDIT_CONSULTATION, .user = "pc1234"};
        assert_int_equal(cpi_audit_query(f->st, &flt, keep_last, &l, NULL), CPI_OK);
        assert_string_equal(l.line, cases[i].want);
    }
    /* found again by any id or reference it returned, and by the record of a returned mention */
    static const char *const finds[] = {"E7", "E42001", "miraf:MF-2021-000045", "niche:NOM-0000123/2"};
    for (size_t i = 0; i < 4; i++) {
        last l = {{0}};
        cpi_audit_filter flt = {.entity = finds[i], .user = "pc1234"};
        assert_int_equal(cpi_audit_query(f->st, &flt, keep_last, &l, NULL), CPI_OK);
        assert_string_equal(l.line, cases[0].want);
    }
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
    assert_int_equal(rep.entries, N + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_and_intact_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_byte_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed_entry_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swapped_entries_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rehashed_change_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_head_and_appending_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_noted_head_catches_rewrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_in_failed_transaction_not_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_needs_user_and_command, setup, teardown),
        cmocka_unit_test(test_decoder_strict),
        cmocka_unit_test_setup_teardown(test_consultation_logged_with_reason_and_ids, setup, teardown),
    };
    return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
