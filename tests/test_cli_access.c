/*
 * test_cli_access.c - access control and the audit log as a user meets them
 * at the command line: refusal (exit 2, one line saying what to add) without
 * a user or a reason or with a one-word reason; unknown users and wrong roles
 * refused; the environment instead of options; user add/remove logged and
 * shown to a supervisor only; a consultation logged with its reason and
 * query; a tampered log named by 'audit verify' with exit 3; purge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "testutil.h"

static char *cli;
static char *tmp;
static char owner[64];

#define WHY "--reason 'cli access test'"

/* Run cpindex in tmp with a clean environment plus env (e.g. "CPINDEX_USER=x"), capturing stdout+stderr. */
static char *run_env(const char *env, const char *args, int *status)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && env -u CPINDEX_DB -u CPINDEX_USER -u CPINDEX_REASON %s '%s' --db store %s 2>&1", tmp,
             env ? env : "", cli, args);
    return tu_run(cmd, status);
}

static void expect_env(const char *env, const char *args, int status, const char *fragment)
{
    int st = -1;
    char *out = run_env(env, args, &st);
    if (st != status || (fragment && !strstr(out, fragment)))
        fail_msg("cpindex %s: exit %d (want %d), output:\n%s\n(wanted '%s')", args, st, status, out,
                 fragment ? fragment : "");
    free(out);
}

static void expect(const char *args, int status, const char *fragment) { expect_env(NULL, args, status, fragment); }

/* Run as the store's owner (its implicit admin). */
static void as_owner(const char *args, int status, const char *fragment)
{
    char a[8400];
    snprintf(a, sizeof a, "--user %s %s %s", owner, WHY, args);
    expect(a, status, fragment);
}

static void fresh_store(void)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/store'", tmp);
    assert_int_equal(system(cmd), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/store", tmp);
    cpi_store *st;
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    assert_int_equal(cpi_store_open(path, &o, &st, NULL), CPI_OK);
    cpi_store_close(st);
}

static void test_refused_without_user_or_reason(void **state)
{
    (void)state;
    fresh_store();
    /* every data command this branch owns; the query and resolver commands add their rows */
    static const char *const commands[] = {"user list",    "user add x --role officer", "user remove x",
                                           "audit show",   "audit verify",              "purge miraf:MF-1",
                                           "ingest niche nowhere"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char a[512];
        expect(commands[i], 2, "refused: say who you are and why: add --user NAME --reason");
        snprintf(a, sizeof a, "--user %s %s", owner, commands[i]);
        expect(a, 2, "refused: say why: add --reason 'WHAT AND WHY' (or set CPINDEX_REASON)");
        snprintf(a, sizeof a, "%s --reason 'two words'", commands[i]);
        expect(a, 2, "refused: say who you are: add --user NAME (or set CPINDEX_USER)");
        snprintf(a, sizeof a, "--user %s %s --reason checking", owner, commands[i]);
        expect(a, 2, "a reason needs more than one word");
        snprintf(a, sizeof a, "--user %s %s --reason ''", owner, commands[i]);
        expect(a, 2, "say why");
        /* one line, so it reads in a log and in a terminal alike */
        int st;
        char *out = run_env(NULL, commands[i], &st);
        assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));
        free(out);
    }
    /* the environment does the same job */
    char env[256];
    snprintf(env, sizeof env, "CPINDEX_USER=%s CPINDEX_REASON='weekly user review'", owner);
    expect_env(env, "user list", 0, owner);
    snprintf(env, sizeof env, "CPINDEX_USER=%s CPINDEX_REASON=review", owner);
    expect_env(env, "user list", 2, "more than one word");
    /* an option wins over the environment */
    expect_env("CPINDEX_USER=nobody CPINDEX_REASON='weekly user review'", "user list", 2, "user 'nobody' is not known");
    snprintf(env, sizeof env, "--user %s user list", owner);
    expect_env("CPINDEX_USER=nobody CPINDEX_REASON='weekly user review'", env, 0, owner);
}

static void test_unknown_user_and_roles(void **state)
{
    (void)state;
    fresh_store();
    expect("--user nobody " WHY " user list", 2, "refused: user 'nobody' is not known to this store");
    expect("--user 'bad name' " WHY " user list", 2, "a user name is");
    as_owner("user add olly --role officer", 0, "user olly: officer (logged)");
    as_owner("user add sue --role supervisor", 0, "user sue: supervisor");
    as_owner("user add ana --role analyst,polit", 0, "user ana: analyst,polit");
    as_owner("user add x --role king", 2, "unknown role 'king'");
    as_owner("user add x", 2, "say which roles");
    expect("--user olly " WHY " purge miraf:MF-1", 2, "refused: user 'olly' (officer) may not run 'purge'; it needs the role admin");
    expect("--user olly " WHY " user add eve --role admin", 2, "may not run 'user'");
    expect("--user olly " WHY " ingest niche nowhere", 2, "refused: user 'olly' (officer) may not run 'ingest'");
    expect("--user ana " WHY " ingest niche nowhere", 2, "may not run 'ingest'; it needs the role admin");
    expect("--user nobody " WHY " ingest niche nowhere", 2, "user 'nobody' is not known");
    expect("--user olly " WHY " audit show", 2, "needs the role supervisor");
    expect("--user ana " WHY " audit verify", 2, "needs the role supervisor,admin");
    /* the owner administers but does not read the audit log until given the role */
    as_owner("audit show", 2, "needs the role supervisor");
    as_owner("audit verify", 0, "audit log intact");
    as_owner("user list", 0, "olly");
    as_owner("user remove olly", 0, "user olly removed (logged)");
    as_owner("user remove olly", 1, "no user 'olly'");
    expect("--user olly " WHY " user list", 2, "not known");
    char a[256];
    snprintf(a, sizeof a, "user remove %s", owner);
    as_owner(a, 2, "last admin");
}

static void test_supervisor_reads_who_did_what(void **state)
{
    (void)state;
    fresh_store();
    as_owner("user add olly --role officer", 0, NULL);
    as_owner("user add sue --role supervisor", 0, NULL);
    as_owner("user remove olly", 0, NULL);
    int st;
    /* --user after 'audit show' filters; the supervisor is named before the command */
    char *out = run_env(NULL, "--user sue --reason 'quarterly access review' audit show --kind access --json", &st);
    assert_int_equal(st, 0);
    json_error_t je;
    json_t *arr = json_loads(out, 0, &je);
    if (!arr)
        fail_msg("not JSON: %s", out);
    assert_int_equal(json_array_size(arr), 4); /* owner written down, olly, sue, olly removed */
    static const char *const want_cmd[] = {"user add", "user add", "user add", "user remove"};
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(arr, i);
        assert_string_equal(json_string_value(json_object_get(e, "command")), want_cmd[i]);
        assert_string_equal(json_string_value(json_object_get(e, "user")), owner);
        assert_string_equal(json_string_value(json_object_get(e, "reason")), "cli access test");
    }
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(arr, 3), "details"), "user")),
                        "olly");
    json_decref(arr);
    free(out);

    expect("--user sue --reason 'quarterly access review' audit show --user olly", 1, "no audit entries match");
    expect("--user sue --reason 'quarterly access review' audit show --user sue", 0, "consultation");
    expect("--user sue --reason 'quarterly access review' audit show --since 2999-01-01", 1, NULL);
    expect("--user sue --reason 'quarterly access review' audit show --since 31/01/2024", 2, "--since takes a date");
    expect("--user sue --reason 'quarterly access review' audit show --kind deletion", 2, "unknown audit entry kind");
    /* 'audit show --user U' with nobody named as the asker: say where the asker goes */
    expect("audit show --user olly --reason 'quarterly access review'", 2, "put --user NAME before 'audit'");

    /* each 'audit show' was itself logged, with the reason and what was asked, minus who and why */
    out = run_env(NULL,
                  "--user sue --reason 'quarterly access review' audit show --kind consultation --user sue --json",
                  &st);
    assert_int_equal(st, 0);
    arr = json_loads(out, 0, &je);
    assert_non_null(arr);
    assert_true(json_array_size(arr) >= 3);
    json_t *first = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(first, "reason")), "quarterly access review");
    assert_string_equal(json_string_value(json_object_get(first, "command")), "audit");
    assert_string_equal(json_string_value(json_object_get(first, "query")), "audit show --kind access --json");
    json_decref(arr);
    free(out);
}

static cpi_status flip(cpi_txn *txn, void *ctx, cpi_error *err)
{
    uint64_t seq = *(uint64_t *)ctx;
    unsigned char k[8];
    for (int i = 7; i >= 0; i--, seq >>= 8)
        k[i] = (unsigned char)seq;
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_AUDIT, k, 8, &v, err);
    if (s)
        return s;
    unsigned char buf[4096];
    memcpy(buf, v.data, v.len);
    buf[v.len / 2] ^= 0x20;
    return cpi_txn_put(txn, CPI_DB_AUDIT, k, 8, buf, v.len, err);
}

static void test_verify_names_tampered_entry(void **state)
{
    (void)state;
    fresh_store();
    as_owner("user add a1 --role officer", 0, NULL);
    as_owner("user add a2 --role officer", 0, NULL);
    as_owner("user add a3 --role officer", 0, NULL);
    int st;
    char *out = run_env(NULL, "--user a1 " WHY " audit verify", &st);
    free(out);
    char a[256];
    snprintf(a, sizeof a, "--user %s " WHY " audit verify --json", owner);
    out = run_env(NULL, a, &st);
    assert_int_equal(st, 0);
    json_t *o = json_loads(out, 0, NULL);
    assert_non_null(o);
    assert_true(json_is_true(json_object_get(o, "intact")));
    assert_int_equal(json_integer_value(json_object_get(o, "entries")), 4);
    char head[65];
    snprintf(head, sizeof head, "%s", json_string_value(json_object_get(o, "head")));
    json_decref(o);
    free(out);

    char path[4200];
    snprintf(path, sizeof path, "%s/store", tmp);
    cpi_store *s;
    cpi_store_opts so = {0};
    assert_int_equal(cpi_store_open(path, &so, &s, NULL), CPI_OK);
    uint64_t seq = 3;
    assert_int_equal(cpi_store_write(s, flip, &seq, NULL), CPI_OK);
    cpi_store_close(s);
    as_owner("audit verify", 3, "cpindex audit verify: entry 3: it was changed");
    snprintf(a, sizeof a, "audit verify --head %s", head);
    as_owner(a, 3, "entry 3");
    as_owner("audit verify --head 12", 2, "64 hex digits");
}

static cpi_status put_record(cpi_txn *txn, void *ctx, cpi_error *err)
{
    (void)ctx;
    static cpi_kv keys[] = {{"sn", "testname"}};
    static cpi_mention m[] = {{CPI_KIND_PERSON, "missing-child", {NULL, 0}, {keys, 1}}};
    cpi_record r = {.ref = "miraf:MF-1", .type = "form", .day = CPI_DAY_NONE, .prov = {.file = "f.csv"},
                    .mentions = m, .nmentions = 1};
    cpi_put_result pr;
    return cpi_store_put_record(txn, &r, &pr, err);
}

static void test_purge(void **state)
{
    (void)state;
    fresh_store();
    char path[4200];
    snprintf(path, sizeof path, "%s/store", tmp);
    cpi_store *s;
    cpi_store_opts so = {0};
    assert_int_equal(cpi_store_open(path, &so, &s, NULL), CPI_OK);
    assert_int_equal(cpi_store_write(s, put_record, NULL, NULL), CPI_OK);
    cpi_store_close(s);
    as_owner("purge", 2, "say which record");
    as_owner("purge miraf:MF-1/1", 2, "names a mention");
    as_owner("purge 'not a ref'", 2, NULL);
    as_owner("purge miraf:MF-1", 0, "purged miraf:MF-1: 1 mentions");
    as_owner("purge miraf:MF-1", 1, "no record miraf:MF-1");
    expect("stats", 0, "the store is empty");
    as_owner("user add sue --role supervisor", 0, NULL);
    expect("--user sue " WHY " audit show --entity miraf:MF-1", 0, "erasure");
}

/* The CLI ingest logs each file as a collection, in the owner's name, with the reason given. */
static void test_ingest_logged(void **state)
{
    (void)state;
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/store'", tmp);
    assert_int_equal(system(cmd), 0);
    char *file = tu_source_path("tests/fixtures/adapters/soc/soc_plans.csv");
    char a[8192];
    snprintf(a, sizeof a, "ingest soc '%s' --rejects rejects", file);
    expect(a, 2, "refused: say who you are and why");
    as_owner(a, 0, "soc_plans.csv"); /* creates the store: its creator is its admin */
    as_owner("user add sue --role supervisor", 0, NULL);
    int st;
    char *out = run_env(NULL, "--user sue " WHY " audit show --kind collection --json", &st);
    assert_int_equal(st, 0);
    json_t *arr = json_loads(out, 0, NULL);
    assert_non_null(arr);
    assert_int_equal(json_array_size(arr), 1);
    json_t *e = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(e, "user")), owner);
    assert_string_equal(json_string_value(json_object_get(e, "reason")), "cli access test");
    json_t *d = json_object_get(e, "details");
    assert_string_equal(json_string_value(json_object_get(d, "file")), file);
    assert_string_equal(json_string_value(json_object_get(d, "source")), "soc");
    assert_int_equal(strlen(json_string_value(json_object_get(d, "blake2b"))), 64);
    json_decref(arr);
    free(out);
    free(file);
}

static int setup(void **state)
{
    (void)state;
    cli = tu_build_path("cpindex");
    tmp = tu_mkdtemp();
    struct passwd *pw = getpwuid(getuid());
    if (pw)
        snprintf(owner, sizeof owner, "%s", pw->pw_name);
    else
        snprintf(owner, sizeof owner, "uid-%u", (unsigned)getuid());
    return tmp ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(cli);
    tu_rmrf_free(tmp);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_without_user_or_reason),
        cmocka_unit_test(test_unknown_user_and_roles),
        cmocka_unit_test(test_supervisor_reads_who_did_what),
        cmocka_unit_test(test_verify_names_tampered_entry),
        cmocka_unit_test(test_purge),
        cmocka_unit_test(test_ingest_logged),
    };
    return cmocka_run_group_tests_name("cli_access", tests, setup, teardown);
}
