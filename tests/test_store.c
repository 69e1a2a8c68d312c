/*
 * test_store.c - the store: round trip of every field, strict decoding,
 * schema refusal, map growth, snapshot isolation, key index upkeep,
 * versions and permissions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/codec.h"
#include "core/store.h"
#include "testutil.h"

typedef struct fixture {
    char *dir;
    char *db;
    cpi_store *st;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    size_t n = strlen(f->dir) + 8;
    f->db = malloc(n);
    snprintf(f->db, n, "%s/db", f->dir);
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    cpi_error err = {0};
    if (cpi_store_open(f->db, &o, &f->st, &err) != CPI_OK) {
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
    free(f->db);
    tu_rmrf_free(f->dir);
    free(f);
    return 0;
}

/* A record using every field type: day, facts, every mention kind, raw and keys, dated and undated relations. */
static cpi_kv facts[] = {{"grade", "high"}, {"episodes", "7"}, {"notes", "Found at \"the park\", 02:00; ŵ"}};
static cpi_kv raw1[] = {{"forenames", "Siân"}, {"surname", "PRYCE"}, {"dob", "03/04/2009"}};
static cpi_kv keys1[] = {{"sn", "pryce"}, {"fn", "sian"}, {"dob", "2009-04-03"}};
static cpi_kv raw2[] = {{"address", "Flat 2, 14 High St"}, {"postcode", "np20 1ab"}};
static cpi_kv keys2[] = {{"pc", "NP20 1AB"}};
static cpi_kv raw3[] = {{"phone", "07700 900123"}};
static cpi_kv keys3[] = {{"tel", "+447700900123"}};
static cpi_kv raw4[] = {{"username", "@Someone_99"}};

static cpi_record sample(const char *ref, uint8_t hashbyte)
{
    static cpi_mention ms[4];
    static cpi_relation rels[2];
    ms[0] = (cpi_mention){CPI_KIND_PERSON, "missing-child", {raw1, 3}, {keys1, 3}};
    ms[1] = (cpi_mention){CPI_KIND_LOCATION, "found-at", {raw2, 2}, {keys2, 1}};
    ms[2] = (cpi_mention){CPI_KIND_PHONE, "uses-phone", {raw3, 1}, {keys3, 1}};
    ms[3] = (cpi_mention){CPI_KIND_ONLINE, "online-id", {raw4, 1}, {NULL, 0}};
    rels[0] = (cpi_relation){"found-at", 1, 2, 18000};
    rels[1] = (cpi_relation){"uses-phone", 1, 3, CPI_DAY_NONE};
    cpi_record r = {
        .ref = ref,
        .type = "form",
        .day = 17999,
        .prov = {.file = "/tmp/miraf/forms.csv", .line = 42, .ingest_time = 1700000000, .version = 1},
        .facts = {facts, 3},
        .mentions = ms,
        .nmentions = 4,
        .relations = rels,
        .nrelations = 2,
    };
    memset(r.prov.hash, hashbyte, 32);
    return r;
}

typedef struct put_ctx {
    const cpi_record *rec;
    int n;
    cpi_put_result result;
} put_ctx;

static cpi_status put_fn(cpi_txn *txn, void *vctx, cpi_error *err)
{
    put_ctx *c = vctx;
    for (int i = 0; i < c->n; i++) {
        cpi_status s = cpi_store_put_record(txn, &c->rec[i], &c->result, err);
        if (s)
            return s;
    }
    return CPI_OK;
}

static void put_one(cpi_store *st, const cpi_record *r, cpi_put_result expect)
{
    put_ctx c = {r, 1, 0};
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(st, put_fn, &c, &err), CPI_OK);
    assert_int_equal(c.result, expect);
}

static void test_round_trip(void **state)
{
    fixture *f = *state;
    cpi_record in = sample("miraf:MF-2019-0042", 0xab);
    put_one(f->st, &in, CPI_PUT_STORED);

    cpi_txn *t;
    cpi_error err = {0};
    assert_int_equal(cpi_store_read_begin(f->st, &t, &err), CPI_OK);
    cpi_arena a = {0};
    cpi_record out;
    assert_int_equal(cpi_store_get_record(t, "miraf:MF-2019-0042", &a, &out, &err), CPI_OK);
    assert_string_equal(out.ref, "miraf:MF-2019-0042");
    assert_string_equal(out.type, "form");
    assert_int_equal(out.day, 17999);
    assert_string_equal(out.prov.file, "/tmp/miraf/forms.csv");
    assert_int_equal(out.prov.line, 42);
    assert_int_equal(out.prov.ingest_time, 1700000000);
    assert_int_equal(out.prov.version, 1);
    assert_memory_equal(out.prov.hash, in.prov.hash, 32);
    assert_int_equal(out.facts.count, 3);
    assert_string_equal(cpi_kv_get(&out.facts, "notes"), "Found at \"the park\", 02:00; ŵ");
    assert_int_equal(out.nmentions, 4);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(out.mentions[i].kind, in.mentions[i].kind);
        assert_string_equal(out.mentions[i].role, in.mentions[i].role);
        assert_int_equal(out.mentions[i].raw.count, in.mentions[i].raw.count);
        assert_int_equal(out.mentions[i].keys.count, in.mentions[i].keys.count);
        for (uint32_t j = 0; j < in.mentions[i].raw.count; j++) {
            assert_string_equal(out.mentions[i].raw.items[j].key, in.mentions[i].raw.items[j].key);
            assert_string_equal(out.mentions[i].raw.items[j].value, in.mentions[i].raw.items[j].value);
        }
        for (uint32_t j = 0; j < in.mentions[i].keys.count; j++)
            assert_string_equal(out.mentions[i].keys.items[j].value, in.mentions[i].keys.items[j].value);
    }
    assert_int_equal(out.nrelations, 2);
    assert_string_equal(out.relations[0].type, "found-at");
    assert_int_equal(out.relations[0].from, 1);
    assert_int_equal(out.relations[0].to, 2);
    assert_int_equal(out.relations[0].day, 18000);
    assert_int_equal(out.relations[1].day, CPI_DAY_NONE);
    assert_int_equal(out.nhistory, 0);
    assert_int_equal(cpi_store_get_record(t, "miraf:nope", &a, &out, &err), CPI_NOT_FOUND);
    cpi_arena_free(&a);
    cpi_txn_end(t);
}

static void test_record_without_day(void **state)
{
    fixture *f = *state;
    cpi_record in = sample("niche:NOM-1", 1);
    in.day = CPI_DAY_NONE;
    in.nmentions = 0;
    in.nrelations = 0;
    put_one(f->st, &in, CPI_PUT_STORED);
    cpi_txn *t;
    cpi_store_read_begin(f->st, &t, NULL);
    cpi_arena a = {0};
    cpi_record out;
    assert_int_equal(cpi_store_get_record(t, "niche:NOM-1", &a, &out, NULL), CPI_OK);
    assert_int_equal(out.day, CPI_DAY_NONE);
    assert_int_equal(out.nmentions, 0);
    cpi_arena_free(&a);
    cpi_txn_end(t);
}

static void test_versions_and_history(void **state)
{
    fixture *f = *state;
    cpi_record v1 = sample("mace:M-7", 1);
    put_one(f->st, &v1, CPI_PUT_STORED);
    put_one(f->st, &v1, CPI_PUT_UNCHANGED);
    cpi_record v2 = sample("mace:M-7", 2);
    v2.prov.ingest_time = 1700000500;
    put_one(f->st, &v2, CPI_PUT_REPLACED);
    cpi_record v3 = sample("mace:M-7", 3);
    put_one(f->st, &v3, CPI_PUT_REPLACED);

    cpi_txn *t;
    cpi_store_read_begin(f->st, &t, NULL);
    cpi_arena a = {0};
    cpi_record out;
    assert_int_equal(cpi_store_get_record(t, "mace:M-7", &a, &out, NULL), CPI_OK);
    assert_int_equal(out.prov.version, 3);
    assert_int_equal(out.nhistory, 2);
    assert_int_equal(out.history[0].version, 1);
    assert_int_equal(out.history[0].hash[0], 1);
    assert_int_equal(out.history[1].version, 2);
    assert_int_equal(out.history[1].hash[0], 2);
    assert_int_equal(out.history[1].ingest_time, 1700000500);
    int64_t n;
    assert_int_equal(cpi_txn_counter_get(t, "rec:mace", &n, NULL), CPI_OK);
    assert_int_equal(n, 1);
    cpi_arena_free(&a);
    cpi_txn_end(t);
}

static int count_key(cpi_store *st, const char *name, const char *value, const char *expect_ref)
{
    char key[256];
    int klen = snprintf(key, sizeof key, "%s%c%s", name, CPI_KEY_SEP, value);
    cpi_txn *t;
    cpi_store_read_begin(st, &t, NULL);
    cpi_cursor *c;
    cpi_cursor_open(t, CPI_DB_KEYS, &c, NULL);
    cpi_slice k, v;
    int n = 0;
    cpi_status s = cpi_cursor_seek(c, key, (size_t)klen, &k, &v, NULL);
    while (s == CPI_OK && k.len == (size_t)klen && memcmp(k.data, key, k.len) == 0) {
        if (!expect_ref || (v.len == strlen(expect_ref) && memcmp(v.data, expect_ref, v.len) == 0))
            n++;
        s = cpi_cursor_next(c, &k, &v, NULL);
    }
    cpi_cursor_close(c);
    cpi_txn_end(t);
    return n;
}

static void test_key_index_follows_records(void **state)
{
    fixture *f = *state;
    cpi_record a = sample("miraf:A", 1), b = sample("miraf:B", 2);
    put_one(f->st, &a, CPI_PUT_STORED);
    put_one(f->st, &b, CPI_PUT_STORED);
    assert_int_equal(count_key(f->st, "sn", "pryce", NULL), 2);
    assert_int_equal(count_key(f->st, "sn", "pryce", "miraf:A/1"), 1);
    assert_int_equal(count_key(f->st, "tel", "+447700900123", "miraf:B/3"), 1);

    /* a new version with a different surname moves the key */
    cpi_kv k2[] = {{"sn", "evans"}, {"fn", "sian"}, {"dob", "2009-04-03"}};
    cpi_record a2 = sample("miraf:A", 9);
    a2.mentions[0].keys = (cpi_kvlist){k2, 3};
    put_one(f->st, &a2, CPI_PUT_REPLACED);
    assert_int_equal(count_key(f->st, "sn", "pryce", "miraf:A/1"), 0);
    assert_int_equal(count_key(f->st, "sn", "evans", "miraf:A/1"), 1);
    assert_int_equal(count_key(f->st, "sn", "pryce", NULL), 1);
}

static cpi_status delete_b(cpi_txn *txn, void *ctx, cpi_error *err)
{
    (void)ctx;
    return cpi_store_delete_record(txn, "miraf:B", err);
}

static void test_delete(void **state)
{
    fixture *f = *state;
    cpi_record a = sample("miraf:A", 1), b = sample("miraf:B", 2);
    put_one(f->st, &a, CPI_PUT_STORED);
    put_one(f->st, &b, CPI_PUT_STORED);
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(f->st, delete_b, NULL, &err), CPI_OK);
    assert_int_equal(count_key(f->st, "sn", "pryce", NULL), 1);
    assert_int_equal(count_key(f->st, "sn", "pryce", "miraf:B/1"), 0);
    cpi_store_stats s;
    assert_int_equal(cpi_store_stats_get(f->st, &s, &err), CPI_OK);
    assert_int_equal(s.records, 1);
    assert_int_equal(s.mentions, 4);
    assert_int_equal(s.nsources, 1);
    assert_string_equal(s.sources[0].source, "miraf");
    assert_int_equal(s.sources[0].records, 1);
    assert_int_equal(cpi_store_write(f->st, delete_b, NULL, &err), CPI_NOT_FOUND);
}

static void test_stats_empty_and_counts(void **state)
{
    fixture *f = *state;
    cpi_error err = {0};
    cpi_store_stats s;
    assert_int_equal(cpi_store_stats_get(f->st, &s, &err), CPI_OK);
    assert_int_equal(s.records, 0);
    assert_int_equal(s.nsources, 0);
    assert_int_equal(s.schema_version, CPI_SCHEMA_VERSION);
    cpi_record a = sample("niche:N1", 1), b = sample("miraf:M1", 2), c = sample("miraf:M2", 3);
    put_one(f->st, &a, CPI_PUT_STORED);
    put_one(f->st, &b, CPI_PUT_STORED);
    put_one(f->st, &c, CPI_PUT_STORED);
    assert_int_equal(cpi_store_stats_get(f->st, &s, &err), CPI_OK);
    assert_int_equal(s.records, 3);
    assert_int_equal(s.mentions, 12);
    assert_int_equal(s.nsources, 2);
    assert_string_equal(s.sources[0].source, "miraf"); /* in key order */
    assert_int_equal(s.sources[0].records, 2);
    assert_string_equal(s.sources[1].source, "niche");
    assert_true(s.file_bytes > 0);
}

static cpi_status put_schema(cpi_txn *txn, void *ctx, cpi_error *err)
{
    const unsigned char *be = ctx;
    return cpi_txn_put(txn, CPI_DB_META, "schema", 6, be, 4, err);
}

static void test_schema_refusal(void **state)
{
    fixture *f = *state;
    unsigned char newer[4] = {0, 0, 0, CPI_SCHEMA_VERSION + 1};
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(f->st, put_schema, newer, &err), CPI_OK);
    cpi_store_close(f->st);
    f->st = NULL;
    cpi_store *st = NULL;
    assert_int_equal(cpi_store_open(f->db, NULL, &st, &err), CPI_ERR_SCHEMA);
    assert_null(st);
    char want[32];
    snprintf(want, sizeof want, "schema version %d", CPI_SCHEMA_VERSION + 1);
    assert_non_null(strstr(err.msg, want));
    assert_non_null(strstr(err.msg, "newer"));
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    assert_int_equal(cpi_store_open(f->db, &o, &st, &err), CPI_ERR_SCHEMA);
    /* restore so teardown can close something */
    cpi_store_opts o2 = {.flags = CPI_STORE_CREATE};
    char *other = malloc(strlen(f->dir) + 8);
    sprintf(other, "%s/db2", f->dir);
    assert_int_equal(cpi_store_open(other, &o2, &f->st, &err), CPI_OK);
    free(other);
}

/* A schema 1 store: its index also holds the kinds schema 2 dropped (sx, street, ...). */
static cpi_status make_schema1(cpi_txn *txn, void *ctx, cpi_error *err)
{
    (void)ctx;
    static const char *const keys[] = {"sn\x1fpryce", "sx\x1fPRS", "street\x1f" "high street", "street_k\x1f" "high street",
                                       "pcd\x1fNP20", "place\x1fnewport", "email\x1f" "a@b.c", "user\x1f" "abc",
                                       "tel\x1f" "07700900123"};
    static const char *const refs[] = {"miraf:M1/1", "miraf:M1/2"};
    unsigned char one[4] = {0, 0, 0, 1};
    cpi_status s = cpi_txn_put(txn, CPI_DB_META, "schema", 6, one, 4, err);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !s; i++)
        for (size_t j = 0; j < 2 && !s; j++)
            s = cpi_txn_put(txn, CPI_DB_KEYS, keys[i], strlen(keys[i]), refs[j], strlen(refs[j]), err);
    return s;
}

static cpi_status count_keys(cpi_txn *txn, void *ctx, cpi_error *err)
{
    return cpi_txn_count(txn, CPI_DB_KEYS, ctx, err);
}

static void test_schema1_upgrade(void **state)
{
    fixture *f = *state;
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(f->st, make_schema1, NULL, &err), CPI_OK);
    uint64_t n = 0;
    assert_int_equal(cpi_store_write(f->st, count_keys, &n, &err), CPI_OK);
    assert_int_equal(n, 18);
    cpi_store_close(f->st);
    f->st = NULL;
    assert_int_equal(cpi_store_open(f->db, NULL, &f->st, &err), CPI_OK);
    assert_int_equal(cpi_store_write(f->st, count_keys, &n, &err), CPI_OK);
    assert_int_equal(n, 4); /* sn and tel, two mentions each; the dropped kinds are gone */
    cpi_store_stats st;
    assert_int_equal(cpi_store_stats_get(f->st, &st, &err), CPI_OK);
    assert_int_equal(st.schema_version, 2);
    cpi_store_close(f->st); /* and it stays upgraded */
    f->st = NULL;
    assert_int_equal(cpi_store_open(f->db, NULL, &f->st, &err), CPI_OK);
    assert_int_equal(cpi_store_write(f->st, count_keys, &n, &err), CPI_OK);
    assert_int_equal(n, 4);
}

static void test_missing_store(void **state)
{
    fixture *f = *state;
    char path[4200];
    snprintf(path, sizeof path, "%s/absent", f->dir);
    cpi_store *st = NULL;
    cpi_error err = {0};
    assert_int_equal(cpi_store_open(path, NULL, &st, &err), CPI_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no store"));
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0); /* a read open never creates */
}

/*
 * An ingest killed after it made the store's directory but before its first
 * commit leaves an empty directory (or LMDB files with nothing in them): that
 * is an empty store, not one "made by something else" (found by test_crash).
 */
static void test_empty_store_directory(void **state)
{
    fixture *f = *state;
    char path[4200];
    snprintf(path, sizeof path, "%s/empty", f->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    cpi_store *st = NULL;
    cpi_error err = {0};
    cpi_store_opts ro = {.flags = CPI_STORE_READONLY};
    for (int i = 0; i < 2; i++) { /* the empty directory, then the LMDB files the first open left */
        assert_int_equal(cpi_store_open(path, &ro, &st, &err), CPI_NOT_FOUND);
        assert_null(st);
        assert_non_null(strstr(err.msg, "nothing has been ingested yet"));
        assert_int_equal(cpi_store_open(path, NULL, &st, &err), CPI_NOT_FOUND);
    }
    /* and an ingest that starts again creates it as usual */
    cpi_store_opts cr = {.flags = CPI_STORE_CREATE};
    assert_int_equal(cpi_store_open(path, &cr, &st, &err), CPI_OK);
    cpi_store_close(st);
    assert_int_equal(cpi_store_open(path, &ro, &st, &err), CPI_OK);
    cpi_store_close(st);
}

static void test_permissions(void **state)
{
    fixture *f = *state;
    struct stat sb;
    assert_int_equal(stat(f->db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    char p[4200];
    snprintf(p, sizeof p, "%s/data.mdb", f->db);
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    cpi_store_close(f->st);
    f->st = NULL;
    chmod(f->db, 0755);
    cpi_error err = {0};
    assert_int_equal(cpi_store_open(f->db, NULL, &f->st, &err), CPI_ERR_ACCESS);
    assert_non_null(strstr(err.msg, "chmod 700"));
    cpi_store_opts o = {.flags = CPI_STORE_FORCE};
    assert_int_equal(cpi_store_open(f->db, &o, &f->st, &err), CPI_OK);
}

/* Map growth: a 64 KiB initial map cannot hold this batch, so it must grow and the batch re-run. */
static cpi_status put_many(cpi_txn *txn, void *ctx, cpi_error *err)
{
    int n = *(int *)ctx;
    char ref[64];
    cpi_put_result r;
    for (int i = 0; i < n; i++) {
        snprintf(ref, sizeof ref, "polit:I-%06d", i);
        cpi_record rec = sample(ref, (uint8_t)i);
        cpi_status s = cpi_store_put_record(txn, &rec, &r, err);
        if (s)
            return s;
        if (r != CPI_PUT_STORED) /* a retried batch must start from a clean transaction */
            return cpi_error_set(err, CPI_ERR_STORE, "record %s was not new", ref);
    }
    return CPI_OK;
}

static void test_map_growth(void **state)
{
    fixture *f = *state;
    cpi_store_close(f->st);
    f->st = NULL;
    char path[4200];
    snprintf(path, sizeof path, "%s/tiny", f->dir);
    cpi_store_opts o = {.flags = CPI_STORE_CREATE, .initial_map_size = 64 * 1024};
    cpi_error err = {0};
    assert_int_equal(cpi_store_open(path, &o, &f->st, &err), CPI_OK);
    int n = 5000;
    assert_int_equal(cpi_store_write(f->st, put_many, &n, &err), CPI_OK);
    assert_true(cpi_store_growths(f->st) >= 3);
    assert_true(cpi_store_map_size(f->st) > 64 * 1024);
    cpi_store_stats s;
    assert_int_equal(cpi_store_stats_get(f->st, &s, &err), CPI_OK);
    assert_int_equal(s.records, 5000);
    assert_int_equal(s.mentions, 20000);
    assert_int_equal(count_key(f->st, "sn", "pryce", NULL), 5000);

    /* a limit that cannot be reached gives one clear error and leaves the store as it was */
    cpi_store_close(f->st);
    snprintf(path, sizeof path, "%s/capped", f->dir);
    cpi_store_opts capped = {.flags = CPI_STORE_CREATE, .initial_map_size = 64 * 1024, .max_map_size = 256 * 1024};
    f->st = NULL;
    assert_int_equal(cpi_store_open(path, &capped, &f->st, &err), CPI_OK);
    assert_int_equal(cpi_store_write(f->st, put_many, &n, &err), CPI_ERR_STORE);
    assert_non_null(strstr(err.msg, "size limit"));
    assert_int_equal(cpi_store_stats_get(f->st, &s, &err), CPI_OK);
    assert_int_equal(s.records, 0);
}

/* Resident bytes of this process's mappings of the store's data file (/proc/self/smaps), 0 if none. */
static unsigned long long mapped_rss(const char *db)
{
    char want[4200], line[4300];
    snprintf(want, sizeof want, "%s/data.mdb", db);
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    unsigned long long kb = 0, v;
    bool in = false;
    while (fgets(line, sizeof line, f)) {
        unsigned long long lo, hi;
        if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2) { /* a mapping's header line */
            const char *path = strchr(line, '/');
            in = path && strncmp(path, want, strlen(want)) == 0;
        } else if (in && sscanf(line, "Rss: %llu kB", &v) == 1) {
            kb += v;
        }
    }
    fclose(f);
    return kb * 1024;
}

typedef struct put_range {
    int from, n;
} put_range;

static cpi_status put_range_fn(cpi_txn *txn, void *ctx, cpi_error *err)
{
    const put_range *r = ctx;
    char ref[64];
    cpi_put_result res;
    for (int i = r->from; i < r->from + r->n; i++) {
        snprintf(ref, sizeof ref, "polit:I-%06d", i);
        cpi_record rec = sample(ref, (uint8_t)i);
        cpi_status s = cpi_store_put_record(txn, &rec, &res, err);
        if (s)
            return s;
    }
    return CPI_OK;
}

static void test_prefault(void **state)
{
    fixture *f = *state;
    cpi_error err = {0};
    put_range first = {0, 3000};
    assert_int_equal(cpi_store_write(f->st, put_range_fn, &first, &err), CPI_OK);
    uint64_t done = 0;
    unsigned long long before = mapped_rss(f->db);
    assert_int_equal(cpi_store_prefault(f->st, &done, &err), CPI_OK);
    assert_true(done > 64 * 4096);
    assert_int_equal(done % 4096, 0);
    assert_true(before < done);            /* the writes went through write(), not the map */
    assert_true(mapped_rss(f->db) >= done); /* now every page in use is mapped */

    uint64_t again = done; /* nothing new: nothing to do */
    assert_int_equal(cpi_store_prefault(f->st, &again, &err), CPI_OK);
    assert_int_equal(again, done);

    put_range more = {3000, 6000}; /* a writer adds pages: done moves to the new end, and they are mapped */
    assert_int_equal(cpi_store_write(f->st, put_range_fn, &more, &err), CPI_OK);
    assert_int_equal(cpi_store_prefault(f->st, &again, &err), CPI_OK);
    assert_true(again > done);
    assert_true(mapped_rss(f->db) >= again);
}

static void test_snapshot_isolation(void **state)
{
    fixture *f = *state;
    cpi_record a = sample("soc:P-1", 1);
    put_one(f->st, &a, CPI_PUT_STORED);
    cpi_txn *snap;
    cpi_error err = {0};
    assert_int_equal(cpi_store_read_begin(f->st, &snap, &err), CPI_OK);

    cpi_record b = sample("soc:P-2", 2), a2 = sample("soc:P-1", 3);
    put_one(f->st, &b, CPI_PUT_STORED);
    put_one(f->st, &a2, CPI_PUT_REPLACED);

    cpi_arena ar = {0};
    cpi_record out;
    assert_int_equal(cpi_store_get_record(snap, "soc:P-2", &ar, &out, NULL), CPI_NOT_FOUND);
    assert_int_equal(cpi_store_get_record(snap, "soc:P-1", &ar, &out, NULL), CPI_OK);
    assert_int_equal(out.prov.version, 1);
    uint64_t n;
    cpi_txn_count(snap, CPI_DB_RECORDS, &n, NULL);
    assert_int_equal(n, 1);
    cpi_txn_end(snap);

    cpi_txn *fresh;
    cpi_store_read_begin(f->st, &fresh, NULL);
    assert_int_equal(cpi_store_get_record(fresh, "soc:P-2", &ar, &out, NULL), CPI_OK);
    assert_int_equal(cpi_store_get_record(fresh, "soc:P-1", &ar, &out, NULL), CPI_OK);
    assert_int_equal(out.prov.version, 2);
    cpi_txn_end(fresh);
    cpi_arena_free(&ar);
}

static cpi_status failing_fn(cpi_txn *txn, void *ctx, cpi_error *err)
{
    cpi_record r = sample("marac:C-1", 1);
    cpi_put_result res;
    cpi_status s = cpi_store_put_record(txn, &r, &res, err);
    (void)ctx;
    return s ? s : cpi_error_set(err, CPI_ERR_DATA, "row 3 is bad");
}

static void test_failed_write_keeps_nothing(void **state)
{
    fixture *f = *state;
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(f->st, failing_fn, NULL, &err), CPI_ERR_DATA);
    assert_string_equal(err.msg, "row 3 is bad");
    cpi_store_stats s;
    cpi_store_stats_get(f->st, &s, NULL);
    assert_int_equal(s.records, 0);
    assert_int_equal(s.mentions, 0);
}

/* ---- strict decoding ---- */

static void expect_decode_error(const char *buf, size_t len, const char *fragment)
{
    cpi_arena a = {0};
    cpi_record out;
    cpi_error err = {0};
    assert_int_equal(cpi_codec_decode_record("mace:X-1", buf, len, &a, &out, &err), CPI_ERR_STORE);
    assert_non_null(strstr(err.msg, "mace:X-1")); /* names the key */
    if (fragment && !strstr(err.msg, fragment))
        fail_msg("message '%s' lacks '%s'", err.msg, fragment);
    cpi_arena_free(&a);
}

static void test_decoder_rejects(void **state)
{
    (void)state;
    cpi_record in = sample("mace:X-1", 5);
    char *buf;
    size_t len;
    assert_int_equal(cpi_codec_encode_record(&in, &buf, &len, NULL), CPI_OK);

    /* the good value decodes */
    cpi_arena a = {0};
    cpi_record out;
    assert_int_equal(cpi_codec_decode_record("mace:X-1", buf, len, &a, &out, NULL), CPI_OK);
    cpi_arena_free(&a);

    /* truncated at every length */
    for (size_t cut = 0; cut < len; cut++)
        expect_decode_error(buf, cut, NULL);

    /* containers and strings declaring more than the bytes left (fuzz_codec found the first:
     * msgpack-c tried to allocate 3.7 billion map pairs) are refused before unpacking */
    expect_decode_error("\xdf\xdf\xdf\xdf\xdf\xdf\xdf\xdf\x0a", 9, "not valid msgpack");
    expect_decode_error("\xdd\x7f\xff\xff\xff\x01", 6, "not valid msgpack");
    expect_decode_error("\x81\xa1k\xdb\x7f\xff\xff\xff", 8, "not valid msgpack");
    expect_decode_error("\x81\xa1k\xc1", 4, "not valid msgpack");

    /* trailing bytes */
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = (char)0xc0; /* msgpack nil */
    expect_decode_error(longer, len + 1, "trailing");
    free(longer);
    free(buf);

    /* an unknown field */
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str_with_body(&pk, "zz", 2);
    msgpack_pack_int(&pk, 1);
    expect_decode_error(sb.data, sb.size, "unknown field 'zz'");
    msgpack_sbuffer_clear(&sb);

    /* a field of the wrong type */
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str_with_body(&pk, "ty", 2);
    msgpack_pack_int(&pk, 7);
    expect_decode_error(sb.data, sb.size, "'ty'");
    msgpack_sbuffer_clear(&sb);

    /* not a map at all */
    msgpack_pack_array(&pk, 0);
    expect_decode_error(sb.data, sb.size, "not a map");
    msgpack_sbuffer_destroy(&sb);
}

static void test_decoder_rejects_bad_relation(void **state)
{
    (void)state;
    cpi_record in = sample("mace:X-1", 5);
    cpi_relation bad[] = {{"found-at", 1, 9, CPI_DAY_NONE}}; /* mention 9 does not exist */
    in.relations = bad;
    in.nrelations = 1;
    char *buf;
    size_t len;
    assert_int_equal(cpi_codec_encode_record(&in, &buf, &len, NULL), CPI_OK);
    expect_decode_error(buf, len, "rel.to");
    free(buf);
}

/* ---- the encoder writes what msgpack-c's packer writes ---- */

/* The record encoding as it was written with msgpack-c before the encoder became hand-written. */
static void ref_str(msgpack_packer *pk, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s ? s : "", n);
}

static void ref_kvlist(msgpack_packer *pk, const cpi_kvlist *l)
{
    msgpack_pack_map(pk, l->count);
    for (uint32_t i = 0; i < l->count; i++) {
        ref_str(pk, l->items[i].key);
        ref_str(pk, l->items[i].value);
    }
}

static void ref_encode(const cpi_record *rec, msgpack_sbuffer *sb)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 10 + (rec->day != CPI_DAY_NONE));
    ref_str(&pk, "ty");
    ref_str(&pk, rec->type);
    if (rec->day != CPI_DAY_NONE) {
        ref_str(&pk, "d");
        msgpack_pack_int32(&pk, rec->day);
    }
    ref_str(&pk, "pf");
    ref_str(&pk, rec->prov.file);
    ref_str(&pk, "pl");
    msgpack_pack_uint64(&pk, rec->prov.line);
    ref_str(&pk, "ph");
    msgpack_pack_bin(&pk, 32);
    msgpack_pack_bin_body(&pk, rec->prov.hash, 32);
    ref_str(&pk, "pt");
    msgpack_pack_int64(&pk, rec->prov.ingest_time);
    ref_str(&pk, "pv");
    msgpack_pack_uint32(&pk, rec->prov.version);
    ref_str(&pk, "x");
    ref_kvlist(&pk, &rec->facts);
    ref_str(&pk, "m");
    msgpack_pack_array(&pk, rec->nmentions);
    for (uint32_t i = 0; i < rec->nmentions; i++) {
        const cpi_mention *m = &rec->mentions[i];
        msgpack_pack_map(&pk, 4);
        ref_str(&pk, "k");
        msgpack_pack_uint8(&pk, (uint8_t)m->kind);
        ref_str(&pk, "r");
        ref_str(&pk, m->role);
        ref_str(&pk, "w");
        ref_kvlist(&pk, &m->raw);
        ref_str(&pk, "n");
        ref_kvlist(&pk, &m->keys);
    }
    ref_str(&pk, "rel");
    msgpack_pack_array(&pk, rec->nrelations);
    for (uint32_t i = 0; i < rec->nrelations; i++) {
        const cpi_relation *r = &rec->relations[i];
        msgpack_pack_array(&pk, 4);
        ref_str(&pk, r->type);
        msgpack_pack_uint32(&pk, r->from);
        msgpack_pack_uint32(&pk, r->to);
        if (r->day == CPI_DAY_NONE)
            msgpack_pack_nil(&pk);
        else
            msgpack_pack_int32(&pk, r->day);
    }
    ref_str(&pk, "hist");
    msgpack_pack_array(&pk, rec->nhistory);
    for (uint32_t i = 0; i < rec->nhistory; i++) {
        const cpi_version *v = &rec->history[i];
        msgpack_pack_array(&pk, 3);
        msgpack_pack_bin(&pk, 32);
        msgpack_pack_bin_body(&pk, v->hash, 32);
        msgpack_pack_int64(&pk, v->ingest_time);
        msgpack_pack_uint32(&pk, v->version);
    }
}

static void test_encoder_matches_msgpack_c(void **state)
{
    (void)state;
    /* every integer and length at and around each boundary of msgpack's forms */
    static const int64_t ints[] = {INT64_MIN, -(1ll << 32), INT32_MIN - 1ll, INT32_MIN, -32769, -32768, -32767,
                                   -129, -128, -127, -33, -32, -31, -1, 0, 1, 127, 128, 255, 256, 65535, 65536,
                                   (1ll << 32) - 1, 1ll << 32, INT64_MAX};
    static const size_t lens[] = {0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536, 70000};
    char *big = malloc(70001);
    assert_non_null(big);
    memset(big, 'a', 70000);
    big[70000] = '\0';
    cpi_buf b = {0};
    size_t nint = sizeof ints / sizeof ints[0], nlen = sizeof lens / sizeof lens[0];
    for (size_t i = 0; i < nint; i++) {
        for (size_t l = 0; l < nlen; l++) {
            int64_t x = ints[i];
            int32_t x32 = x < INT32_MIN + 1 ? INT32_MIN + 1 : x > INT32_MAX ? INT32_MAX : (int32_t)x;
            /* strings and maps/arrays of each size class */
            size_t nkv = lens[l] < 70000 ? lens[l] : 17;
            cpi_kv *kv = calloc(nkv ? nkv : 1, sizeof *kv);
            assert_non_null(kv);
            for (size_t k = 0; k < nkv; k++)
                kv[k] = (cpi_kv){"k", big + 70000 - (k % 40)};
            cpi_kv one[] = {{"value", big + 70000 - lens[l]}, {"n", NULL}};
            cpi_mention m[2] = {{CPI_KIND_PERSON, big + 70000 - lens[(l + 3) % nlen], {one, 2}, {kv, (uint32_t)nkv}},
                                {CPI_KIND_ONLINE, NULL, {NULL, 0}, {one, 1}}};
            cpi_relation r[] = {{"lives-at", 1, 2, CPI_DAY_NONE}, {big + 70000 - lens[l], (uint32_t)(x & 0xffffffff), 70000, x32}};
            cpi_version v[] = {{{1, 2, 3}, x, (uint32_t)(x & 0xffffffff)}, {{9}, -x - 1, 7}};
            cpi_record rec = {.ref = "mace:X-1", .type = big + 70000 - lens[(l + 1) % nlen],
                              .day = (i & 1) ? CPI_DAY_NONE : x32,
                              .prov = {.file = l == 0 ? NULL : big + 70000 - lens[l], .line = (uint64_t)x,
                                       .ingest_time = x, .version = (uint32_t)(x & 0xffffffff)},
                              .facts = {kv, (uint32_t)nkv}, .mentions = m, .nmentions = 2, .relations = r,
                              .nrelations = 2, .history = v, .nhistory = (uint32_t)(l % 3)};
            msgpack_sbuffer sb;
            msgpack_sbuffer_init(&sb);
            ref_encode(&rec, &sb);
            assert_int_equal(cpi_codec_encode_record_buf(&rec, &b, NULL), CPI_OK);
            if (b.len != sb.size || memcmp(b.data, sb.data, sb.size) != 0)
                fail_msg("encoding differs from msgpack-c's for integer %lld, length %zu (%zu bytes vs %zu)",
                         (long long)x, lens[l], b.len, sb.size);
            char *out;
            size_t len;
            assert_int_equal(cpi_codec_encode_record(&rec, &out, &len, NULL), CPI_OK);
            assert_int_equal(len, sb.size);
            assert_memory_equal(out, sb.data, len);
            free(out);
            msgpack_sbuffer_destroy(&sb);
            free(kv);
        }
    }
    free(b.data);
    free(big);
}

/* The names the key index holds, and names that look like them but are not indexed. */
static void test_indexed_key_names(void **state)
{
    (void)state;
    static const char *const yes[] = {"fn", "nn", "sn", "sa", "dob", "nid", "pnc", "addr", "pc", "lid", "tel"};
    static const char *const no[] = {"sx", "street", "street_k", "pcd", "place", "email", "user", /* schema 1's */
                                     "", "f", "fx", "fm", "by", "gender", "house", "flat", "town", "pcs",
                                     "dob_lo", "dob_hi", "premises", "street_x", "streets", "na", "s",
                                     "fnn", "pn", "sy", "addr2", "emai", "users", "nid ", "PC"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!cpi_store_key_indexed(yes[i], 4))
            fail_msg("'%s' should be indexed", yes[i]);
        assert_false(cpi_store_key_indexed(yes[i], 600)); /* over LMDB's key size */
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (cpi_store_key_indexed(no[i], 4))
            fail_msg("'%s' should not be indexed", no[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_without_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions_and_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_index_follows_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_empty_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_refusal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema1_upgrade, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_store_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_growth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_isolation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_keeps_nothing, setup, teardown),
        cmocka_unit_test(test_decoder_rejects),
        cmocka_unit_test(test_decoder_rejects_bad_relation),
        cmocka_unit_test(test_encoder_matches_msgpack_c),
        cmocka_unit_test(test_indexed_key_names),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
