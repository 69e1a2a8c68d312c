/*
 * test_memcheck.c - the everyday cpindex commands under valgrind memcheck:
 * no memory error and no definite leak, on their normal path and on their
 * refusals. The quick, always-run part of `make check-memory` (which runs the
 * whole demo under valgrind); every leak valgrind finds there gets a line here.
 *
 * Skipped where valgrind is not installed, and in the sanitizer build
 * (valgrind cannot run AddressSanitizer binaries; that build checks the same
 * paths its own way).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define CPI_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CPI_ASAN 1
#endif
#endif

static char *cli, *tmp;

static void fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, cap, f, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        fail_msg("text too long for its buffer");
}

/* Run `cpindex ARGS` under memcheck; the command must exit `want`, and valgrind must find nothing. */
static void memcheck(const char *args, int want)
{
    char cmd[9000], log[4200];
    fmt(log, sizeof log, "%s/valgrind.log", tmp);
    fmt(cmd, sizeof cmd,
        "cd '%s' && valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "
        "--log-file='%s' '%s' --db '%s/db' %s >/dev/null 2>&1",
        tmp, log, cli, tmp, args);
    int st;
    free(tu_run(cmd, &st));
    if (st != want) {
        char *v = tu_slurp(log, NULL);
        fail_msg("cpindex %s: exit %d, wanted %d%s\n%s", args, st, want, st == 99 ? " (valgrind found errors)" : "",
                 v ? v : "");
    }
}

static int setup(void **state)
{
    (void)state;
    char *rel = tu_build_path("cpindex-full"); /* the whole program: the static front only hands over */
    cli = realpath(rel, NULL);
    free(rel);
    char *gen = tu_build_path("cpgen");
    tmp = tu_mkdtemp();
    if (!cli || !tmp)
        return -1;
    char *me = tu_run("id -un", NULL);
    me[strcspn(me, "\n")] = '\0';
    setenv("CPINDEX_USER", me, 1);
    free(me);
    setenv("CPINDEX_REASON", "memcheck test on synthetic data", 1);
    unsetenv("CPINDEX_DB");
    char cmd[9000];
    fmt(cmd, sizeof cmd, "'%s' --seed 9 --children 100 --bad-rows 50 --out '%s/force' >/dev/null", gen, tmp);
    free(gen);
    int st;
    free(tu_run(cmd, &st));
    return st;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmrf_free(tmp);
    free(cli);
    return 0;
}

static void test_commands_under_memcheck(void **state)
{
    (void)state;
#ifdef CPI_ASAN
    skip();
#endif
    int st;
    free(tu_run("valgrind --version >/dev/null 2>&1", &st));
    if (st != 0) {
        print_message("skipped: valgrind is not installed\n");
        skip();
    }
    memcheck("ingest miraf force/miraf --json", 0); /* with rejects (--bad-rows) */
    memcheck("ingest niche force/miraf", 3);        /* the wrong silo's file */
    memcheck("stats --json", 0);
    memcheck("user add \"$CPINDEX_USER\" --role admin,supervisor", 0);
    memcheck("audit show --kind collection --json", 0);
    memcheck("audit verify", 0);
    memcheck("purge miraf:no-such-record", 1);
    memcheck("frobnicate", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands_under_memcheck),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
