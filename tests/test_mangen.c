/*
 * test_mangen.c - the man page and bash completion generated from the
 * command table (tools/mangen): every command and every option its usage
 * names is in both, man renders the page, the completion completes, and the
 * install rules put the programs, page and completion where `make install`
 * promises (PREFIX, DESTDIR), the installed cpindex running from there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "tools/cpindex/cli.h"

/* commands.c without its functions, as the generator links it */
#define CLI_TABLE_ONLY
#include "tools/cpindex/commands.c"

static char *dir, *man, *bash;

static int setup(void **state)
{
    (void)state;
    dir = tu_mkdtemp();
    char *gen = tu_build_path("cpi-mangen"), cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' '%s/cpindex.1' '%s/cpindex.bash'", gen, dir, dir);
    int st;
    free(tu_run(cmd, &st));
    free(gen);
    if (st != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "%s/cpindex.1", dir);
    man = tu_slurp(cmd, NULL);
    snprintf(cmd, sizeof cmd, "%s/cpindex.bash", dir);
    bash = tu_slurp(cmd, NULL);
    return man && bash ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(man);
    free(bash);
    tu_rmrf_free(dir);
    return 0;
}

/* "--with-dash" as roff writes it: "\-\-with\-dash". */
static void roff_form(const char *opt, char *out, size_t cap)
{
    size_t n = 0;
    for (; *opt && n + 3 < cap; opt++) {
        if (*opt == '-')
            out[n++] = '\\';
        out[n++] = *opt;
    }
    out[n] = '\0';
}

static void test_every_command_and_option(void **state)
{
    (void)state;
    assert_true(cli_ncommands >= 19);
    for (int i = 0; i < cli_ncommands; i++) {
        const cli_command *c = &cli_commands[i];
        char want[128];
        snprintf(want, sizeof want, "\n.SS %s\n", c->name);
        if (!strstr(man, want))
            fail_msg("the man page has no section for '%s'", c->name);
        snprintf(want, sizeof want, "\n        %s) opts='", c->name);
        if (!strstr(bash, want))
            fail_msg("the completion has no case for '%s'", c->name);
        /* every --option the usage names: in the man page and in the command's completion */
        const char *line = strstr(bash, want);
        const char *eol = strchr(line + 1, '\n');
        for (const char *p = c->usage; (p = strstr(p, "--")) != NULL;) {
            const char *e = p + 2;
            while (islower((unsigned char)*e) || *e == '-')
                e++;
            char opt[64], rf[160];
            size_t n = (size_t)(e - p);
            if (n > 2 && n < sizeof opt && (p == c->usage || p[-1] == ' ' || p[-1] == '[')) {
                memcpy(opt, p, n);
                opt[n] = '\0';
                roff_form(opt, rf, sizeof rf);
                if (!strstr(man, rf))
                    fail_msg("the man page lacks %s of '%s'", opt, c->name);
                char *hit = strstr(line, opt);
                if (!hit || hit > eol)
                    fail_msg("the completion of '%s' lacks %s", c->name, opt);
            }
            p = e;
        }
    }
    /* the command list the completion offers first */
    for (int i = 0; i < cli_ncommands; i++)
        assert_non_null(strstr(bash, cli_commands[i].name));
    assert_non_null(strstr(man, ".SH ENVIRONMENT"));
    assert_non_null(strstr(man, "NO_COLOR"));
    assert_non_null(strstr(man, "PAGER"));
}

static void test_man_renders(void **state)
{
    (void)state;
    int st;
    free(tu_run("command -v man >/dev/null 2>&1", &st));
    if (st != 0)
        skip();
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "MANWIDTH=80 man -l '%s/cpindex.1' 2>&1", dir);
    char *out = tu_run(cmd, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "SYNOPSIS"));
    assert_non_null(strstr(out, "cpindex export graph"));
    assert_non_null(strstr(out, "--max-nodes"));
    assert_null(strstr(out, "warning:"));
    free(out);
}

static void test_completion_completes(void **state)
{
    (void)state;
    char cmd[4096];
    int st;
    snprintf(cmd, sizeof cmd,
             "bash -c 'source \"%s/cpindex.bash\"; COMP_WORDS=(cpindex an); COMP_CWORD=1; _cpindex; echo \"${COMPREPLY[@]}\"; "
             "COMP_WORDS=(cpindex --db x analyse \"\"); COMP_CWORD=4; _cpindex; echo \"${COMPREPLY[@]}\"; "
             "COMP_WORDS=(cpindex export graph --max); COMP_CWORD=3; _cpindex; echo \"${COMPREPLY[@]}\"'",
             dir);
    char *out = tu_run(cmd, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "analyse\n"));
    assert_non_null(strstr(out, "networks hotspots adults communities"));
    assert_non_null(strstr(out, "--max-nodes"));
    free(out);
}

static void test_install(void **state)
{
    (void)state;
    char *build = tu_build_path(""), *stage = tu_mkdtemp(), cmd[8192];
    int st;
    snprintf(cmd, sizeof cmd, "DESTDIR='%s' cmake --install '%s' --prefix /opt/cpi >/dev/null 2>&1", stage, build);
    free(tu_run(cmd, &st));
    assert_int_equal(st, 0);
    static const char *const files[] = {"bin/cpindex", "bin/cpindex-full", "bin/cpindex-igraph.so",
                                        "share/man/man1/cpindex.1", "share/bash-completion/completions/cpindex"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/opt/cpi/%s", stage, files[i]);
        if (stat(path, &sb) != 0)
            fail_msg("make install left no %s", path);
    }
    /* the installed front finds the installed full program beside it */
    snprintf(cmd, sizeof cmd, "'%s/opt/cpi/bin/cpindex' help export", stage);
    char *out = tu_run(cmd, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "usage: cpindex export"));
    free(out);
    free(build);
    tu_rmrf_free(stage);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command_and_option),
        cmocka_unit_test(test_man_renders),
        cmocka_unit_test(test_completion_completes),
        cmocka_unit_test(test_install),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
