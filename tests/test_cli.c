/*
 * test_cli.c - the cpindex front end as a user meets it: help, version,
 * usage errors with hints and exit status 2, stats on missing, empty and
 * filled stores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "testutil.h"

static char *cli; /* path to build/cpindex */
static char *tmp;

/* Run cpindex with args (shell words), capturing stdout+stderr. */
static char *run(const char *args, int *status)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && env -u CPINDEX_DB '%s' %s 2>&1", tmp, cli, args);
    return tu_run(cmd, status);
}

static void expect(const char *args, int status, const char *fragment)
{
    int st = -1;
    char *out = run(args, &st);
    if (st != status || (fragment && !strstr(out, fragment)))
        fail_msg("cpindex %s: exit %d (want %d), output:\n%s\n(wanted '%s')", args, st, status, out,
                 fragment ? fragment : "");
    free(out);
}

static void test_help_lists_every_command(void **state)
{
    (void)state;
    int st;
    char *out = run("--help", &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "stats"));
    assert_non_null(strstr(out, "Exit status"));
    free(out);
    expect("help stats", 0, "usage: cpindex stats");
    expect("stats --help", 0, "usage: cpindex stats");
    expect("--version", 0, "cpindex ");
    expect("version", 0, "schema");
}

static void test_usage_errors(void **state)
{
    (void)state;
    expect("", 2, "usage: cpindex");
    expect("frobnicate", 2, "not a cpindex command");
    expect("stat", 2, "Did you mean 'stats'");
    expect("--bogus stats", 2, "unknown option '--bogus'");
    expect("stats --bogus", 2, "hint: see 'cpindex stats --help'");
    expect("stats extra", 2, "unexpected argument 'extra'");
    expect("help nothing", 2, "not a cpindex command");
    expect("--db", 2, "--db needs a PATH");
    expect("version extra", 2, "unexpected argument");
}

static void test_stats_missing_and_empty(void **state)
{
    (void)state;
    expect("stats", 0, "does not exist yet: it is empty");
    expect("--db nowhere stats --json", 0, "\"exists\": false");

    /* an empty store that exists */
    char path[4200];
    snprintf(path, sizeof path, "%s/empty.db", tmp);
    cpi_store *st;
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    assert_int_equal(cpi_store_open(path, &o, &st, NULL), CPI_OK);
    cpi_store_close(st);
    expect("--db empty.db stats", 0, "the store is empty");
    expect("stats --db empty.db", 0, "the store is empty");
    setenv("CPINDEX_DB", path, 1);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' stats --json", tmp, cli);
    int status;
    char *out = tu_run(cmd, &status);
    unsetenv("CPINDEX_DB");
    assert_int_equal(status, 0);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "exists")));
    assert_int_equal(json_integer_value(json_object_get(j, "records")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "schema_version")), CPI_SCHEMA_VERSION);
    assert_string_equal(json_string_value(json_object_get(j, "path")), path);
    json_decref(j);
    free(out);
}

static void test_stats_unsafe_permissions(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/open.db", tmp);
    cpi_store *st;
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    assert_int_equal(cpi_store_open(path, &o, &st, NULL), CPI_OK);
    cpi_store_close(st);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "chmod 755 '%s'", path);
    assert_int_equal(system(cmd), 0);
    expect("--db open.db stats", 2, "readable or writable by others");
    expect("--db open.db --force stats", 0, "empty");
}

static int setup(void **state)
{
    (void)state;
    cli = tu_build_path("cpindex");
    tmp = tu_mkdtemp();
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
        cmocka_unit_test(test_help_lists_every_command),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_stats_missing_and_empty),
        cmocka_unit_test(test_stats_unsafe_permissions),
    };
    return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
