/*
 * test_verify.c - cpi_store_verify finds each way a store can disagree with
 * itself, and passes a store that does not.
 *
 * Table-driven: each case damages a small store in one raw write (a key index
 * entry lost or left behind, a counter off, a record that does not decode or
 * sits under a key that is not a reference) and expects verify to fail naming
 * what is wrong; the intact store, with a repeated key and a key too long to
 * index, passes with exact counts.
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
#include "core/verify.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
