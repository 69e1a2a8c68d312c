/*
 * test_purge_cli.c - `cpindex purge` on a resolved store, end to end: a
 * generated force is ingested and resolved through the CLI, a record that a
 * child's profile lists is purged, and afterwards no table but the audit log
 * holds its reference (entity links, members, edges, analytics, review pairs
 * included: purge re-resolves in its own transaction), the child's profile no
 * longer lists it, no resolve is left due, the store verifies, and the log
 * holds an erasure followed by the re-resolve's combination entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/purge.h"
#include "core/store.h"
#include "testutil.h"

static char *dir, *cli, *gen;
static char db[4200];

static char *run(const char *user, const char *args, int *status)
{
    char cmd[24000];
    snprintf(cmd, sizeof cmd,
             "env -u CPINDEX_USER -u CPINDEX_REASON '%s' --db '%s' --user %s --reason 'purge tests, generated force' "
             "%s 2>&1",
             cli, db, user, args);
    return tu_run(cmd, status);
}

static void ok(const char *user, const char *args)
{
    int st = -1;
    char *out = run(user, args, &st);
    if (st != 0)
        fail_msg("cpindex %s: exit %d:\n%s", args, st, out);
    free(out);
}

static int setup(void **state)
{
    (void)state;
    dir = tu_mkdtemp();
    cli = tu_build_path("cpindex");
    gen = tu_build_path("cpgen");
    snprintf(db, sizeof db, "%s/db", dir);
    if (tu_cli_force(cli, gen, dir, db, 11, 150) != 0)
        return -1;
    const char *owner = getpwuid(geteuid())->pw_name;
    int st1, st2, st3;
    free(run(owner, "resolve", &st1));
    free(run(owner, "user add ana --role analyst,polit,marac", &st2));
    free(run(owner, "user add sup --role supervisor", &st3));
    return st1 || st2 || st3 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmrf_free(dir);
    free(cli);
    free(gen);
    return 0;
}

/* Does [p, p+n) name ref as a whole reference (ref, ref/N, or ref then a quote or separator)? */
static bool names(const char *p, size_t n, const char *ref)
{
    size_t rn = strlen(ref);
    for (size_t i = 0; i + rn <= n; i++)
        if (memcmp(p + i, ref, rn) == 0 &&
            (i + rn == n || p[i + rn] == '/' || p[i + rn] == '"' || p[i + rn] == CPI_KEY_SEP || p[i + rn] == 0))
            return true;
    return false;
}

/* Keys and values naming ref in every table but the audit log (which must keep it). */
static int traces(const char *ref)
{
    cpi_store *st;
    cpi_store_opts o = {.flags = CPI_STORE_READONLY};
    cpi_error err = {0};
    if (cpi_store_open(db, &o, &st, &err))
        fail_msg("open: %s", err.msg);
    cpi_txn *t;
    assert_int_equal(cpi_store_read_begin(st, &t, NULL), CPI_OK);
    int n = 0;
    for (int d = 0; d < CPI_DB__COUNT; d++) {
        if (d == CPI_DB_AUDIT)
            continue;
        cpi_cursor *c;
        assert_int_equal(cpi_cursor_open(t, (cpi_db)d, &c, NULL), CPI_OK);
        cpi_slice k, v;
        for (cpi_status s = cpi_cursor_seek(c, NULL, 0, &k, &v, NULL); s == CPI_OK;
             s = cpi_cursor_next(c, &k, &v, NULL))
            n += names(k.data, k.len, ref) || names(v.data, v.len, ref);
        cpi_cursor_close(c);
    }
    cpi_slice v;
    bool due = cpi_txn_get(t, CPI_DB_META, CPI_META_RESOLVE_DUE, sizeof CPI_META_RESOLVE_DUE - 1, &v, NULL) == CPI_OK;
    cpi_txn_end(t);
    cpi_store_close(st);
    return n + (due ? 1000 : 0);
}

static void test_purge_re_resolves(void **state)
{
    (void)state;
    /* the first MIRAF record's missing child: a child with a profile that lists the record */
    int st;
    char *ents = run("ana", "export entities", &st);
    assert_int_equal(st, 0);
    char *line = strstr(ents, "\n\"miraf:");
    assert_non_null(line);
    char ref[128], ent[64];
    assert_int_equal(sscanf(line + 1, "\"%127[^/]/1\",\"%63[^\"]\"", ref, ent), 2);
    free(ents);
    char args[512];
    snprintf(args, sizeof args, "child %s --json", ent);
    char *before = run("ana", args, &st);
    assert_int_equal(st, 0);
    assert_true(names(before, strlen(before), ref));
    free(before);
    assert_true(traces(ref) > 0);

    snprintf(args, sizeof args, "purge %s", ref);
    const char *owner = getpwuid(geteuid())->pw_name;
    char *out = run(owner, args, &st);
    if (st != 0 || !strstr(out, "re-resolved"))
        fail_msg("purge: exit %d:\n%s", st, out);
    free(out);

    assert_int_equal(traces(ref), 0);
    snprintf(args, sizeof args, "child %s --json", ent);
    char *after = run("ana", args, &st);
    if (names(after, strlen(after), ref))
        fail_msg("the profile still names %s after the purge:\n%s", ref, after);
    free(after);
    char *bad = tu_store_check(db);
    if (bad)
        fail_msg("store after purge: %s", bad);

    /* the log: the erasure, then the re-resolve's combination, both by purge; the chain intact */
    char *log = run("sup", "audit show --json", &st);
    assert_int_equal(st, 0);
    const char *er = strstr(log, "\"erasure\"");
    assert_non_null(er);
    const char *comb = strstr(er, "\"combination\"");
    assert_non_null(comb);
    assert_non_null(strstr(comb, "\"purge\""));
    free(log);
    ok("sup", "audit verify");

    /* a second purge of it: not found, nothing changed */
    snprintf(args, sizeof args, "purge %s", ref);
    char *again = run(owner, args, &st);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(again, "no record"));
    free(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_purge_re_resolves)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
