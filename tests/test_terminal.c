/*
 * test_terminal.c - cpindex as a terminal program (tools/cpindex/term.h):
 * width from the terminal or 80 when output is not one, colour only on a
 * terminal and never with NO_COLOR (or TERM=dumb, or --color=never), the
 * pager only on a terminal and only for an answer longer than the screen, no
 * line ever wider than the width, and no escape sequence from the data ever
 * reaching the terminal. The unit half includes term.c itself; the end-to-end
 * half runs the CLI on the query fixture through a pipe and through a
 * pseudo-terminal of a known size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "render/render.h"
#include "query_fixture.h"
#include "tools/cpindex/term.c"

/* The widest line of text, in columns, and the number of lines. */
static int widest(const char *text, int *lines)
{
    int w = 0, n = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        /* colour codes take no columns */
        int cols = 0;
        for (size_t i = 0; i < len; i++) {
            if (p[i] == '\033') {
                while (i < len && p[i] != 'm')
                    i++;
                continue;
            }
            cols += ((unsigned char)p[i] & 0xC0) != 0x80;
        }
        if (cols > w)
            w = cols;
        n++;
        p = nl ? nl + 1 : p + len;
    }
    if (lines)
        *lines = n;
    return w;
}

/* ------------------------------------------------------------------ decisions */

static void test_not_a_tty(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    setenv("COLUMNS", "132", 1); /* only a terminal's own size counts */
    unsetenv("NO_COLOR");
    cli_term_opts o = {0};
    cli_term t;
    cli_term_decide(&o, fds[1], &t);
    assert_false(t.tty);
    assert_int_equal(t.width, 80);
    assert_false(t.color);
    assert_false(t.pager);
    o.width = 50;
    cli_term_decide(&o, fds[1], &t);
    assert_int_equal(t.width, 50);
    o.color = CLI_COLOR_ALWAYS;
    cli_term_decide(&o, fds[1], &t);
    assert_true(t.color);
    unsetenv("COLUMNS");
    close(fds[0]);
    close(fds[1]);
}

static void test_tty(void **state)
{
    (void)state;
    int master, slave;
    struct winsize ws = {.ws_row = 30, .ws_col = 100};
    assert_int_equal(openpty(&master, &slave, NULL, NULL, &ws), 0);
    unsetenv("NO_COLOR");
    setenv("TERM", "xterm", 1);
    unsetenv("PAGER");
    cli_term_opts o = {0};
    cli_term t;
    cli_term_decide(&o, slave, &t);
    assert_true(t.tty);
    assert_int_equal(t.width, 100);
    assert_int_equal(t.height, 30);
    assert_true(t.color);
    assert_true(t.pager);
    assert_string_equal(t.pager_cmd, "less");
    setenv("NO_COLOR", "1", 1);
    cli_term_decide(&o, slave, &t);
    assert_false(t.color);
    o.color = CLI_COLOR_ALWAYS; /* an explicit ask beats NO_COLOR */
    cli_term_decide(&o, slave, &t);
    assert_true(t.color);
    unsetenv("NO_COLOR");
    o.color = CLI_COLOR_NEVER;
    cli_term_decide(&o, slave, &t);
    assert_false(t.color);
    o.color = CLI_COLOR_UNSET;
    setenv("TERM", "dumb", 1);
    cli_term_decide(&o, slave, &t);
    assert_false(t.color);
    setenv("TERM", "xterm", 1);
    o.no_pager = true;
    cli_term_decide(&o, slave, &t);
    assert_false(t.pager);
    o.no_pager = false;
    setenv("PAGER", "cat", 1);
    cli_term_decide(&o, slave, &t);
    assert_false(t.pager);
    unsetenv("PAGER");
    o.plain = true; /* the server renders for a client: never colours or pages itself */
    cli_term_decide(&o, slave, &t);
    assert_false(t.color);
    assert_false(t.pager);
    close(master);
    close(slave);
}

static void test_parse(void **state)
{
    (void)state;
    cli_term_opts o = {0};
    const char *why = NULL;
    assert_int_equal(cli_term_parse_arg(&o, "--width", "60", &why), 2);
    assert_int_equal(o.width, 60);
    assert_int_equal(cli_term_parse_arg(&o, "--width=70", NULL, &why), 1);
    assert_int_equal(o.width, 70);
    assert_int_equal(cli_term_parse_arg(&o, "--width=5", NULL, &why), -1);
    assert_non_null(strstr(why, "20 to 1000"));
    assert_int_equal(cli_term_parse_arg(&o, "--color=never", NULL, &why), 1);
    assert_int_equal(o.color, CLI_COLOR_NEVER);
    assert_int_equal(cli_term_parse_arg(&o, "--color=purple", NULL, &why), -1);
    assert_int_equal(cli_term_parse_arg(&o, "--no-pager", NULL, &why), 1);
    assert_true(o.no_pager);
    assert_int_equal(cli_term_parse_arg(&o, "--json", NULL, &why), 0);
    char *argv[] = {"child", "P-1", "--json", "--width", "44", "--", "--color=always"};
    cli_term_opts s = {0};
    bool json;
    cli_term_scan(&s, 7, argv, &json);
    assert_true(json);
    assert_int_equal(s.width, 44);
    assert_int_equal(s.color, CLI_COLOR_UNSET); /* after "--" it is a query word */
}

/* ------------------------------------------------------------------ folding and colour */

static void test_fold_never_past_width(void **state)
{
    (void)state;
    const char *text = "  !! A warning with many words that goes on well past any narrow terminal's edge, "
                       "naming miraf:MF-2023-000001 and a reference-without-spaces-that-is-far-wider-than-forty-"
                       "columns-on-its-own\n"
                       "Siân Pryce ŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷ (Welsh letters are one column each)\n"
                       "\n"
                       "short\n";
    for (int w = 20; w <= 120; w += 7) {
        cli_term t = {.width = w};
        size_t n;
        char *out = cli_term_format(&t, text, strlen(text), &n);
        assert_non_null(out);
        int lines;
        int wmax = widest(out, &lines);
        if (wmax > w)
            fail_msg("width %d: a line of %d columns:\n%s", w, wmax, out);
        assert_true(lines >= 4);
        assert_null(strchr(out, '\033'));
        /* nothing lost: every word is still there */
        assert_non_null(strstr(out, "short"));
        assert_non_null(strstr(out, "(Welsh"));
        free(out);
    }
    /* the library's own wrapper keeps to the width too, long words and all */
    for (int w = 40; w <= 100; w += 15) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        cpi_text_wrap(m, w, "  !!", 6, text);
        fclose(m);
        int wmax = widest(buf, NULL);
        if (wmax > w)
            fail_msg("cpi_text_wrap at %d: a line of %d columns:\n%s", w, wmax, buf);
        free(buf);
    }
}

static void test_colour_and_escapes(void **state)
{
    (void)state;
    const char *text = "WARNINGS\n  !! high\n  ! medium\n  - information\n  RESTRICTED: marac holds more\n"
                       "  evil \033[2J\033]0;owned\007 name\n";
    cli_term t = {.width = 80, .color = true};
    size_t n;
    char *out = cli_term_format(&t, text, strlen(text), &n);
    assert_non_null(strstr(out, "\033[1mWARNINGS\033[0m"));
    assert_non_null(strstr(out, "\033[1;31m  !! high\033[0m"));
    assert_non_null(strstr(out, "\033[33m  ! medium\033[0m"));
    assert_non_null(strstr(out, "\n  - information\n")); /* information: plain */
    assert_non_null(strstr(out, "\033[1;35m  RESTRICTED:"));
    /* escape sequences in the data are shown, never obeyed */
    assert_null(strstr(out, "\033[2J"));
    assert_null(strstr(out, "\033]0"));
    assert_non_null(strstr(out, "evil ?[2J?]0;owned? name"));
    free(out);
    t.color = false;
    out = cli_term_format(&t, text, strlen(text), &n);
    assert_null(strchr(out, '\033'));
    free(out);
}

/* ------------------------------------------------------------------ the CLI, end to end */

static fx_store *fx;
static char *cli;

static char *run(const char *env, const char *user, const char *args, int *status)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "env -u CPINDEX_USER -u CPINDEX_REASON -u NO_COLOR -u COLUMNS CPINDEX_SERVE=off %s '%s' --db '%s' "
             "--user %s --reason 'terminal tests, fixture force' %s 2>/dev/null",
             env, cli, fx->db, user, args);
    return tu_run(cmd, status);
}

/*
 * Run the CLI on a pseudo-terminal of cols x rows with extra environment
 * (NAME=VALUE words), returning all it wrote to the terminal.
 */
static char *run_tty(int cols, int rows, const char *env, const char *user, const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "exec env -u CPINDEX_USER -u CPINDEX_REASON -u NO_COLOR -u COLUMNS TERM=xterm CPINDEX_SERVE=off %s '%s' "
             "--db '%s' --user %s --reason 'terminal tests, fixture force' %s 2>/dev/null",
             env, cli, fx->db, user, args);
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    struct termios tio;
    cfmakeraw(&tio); /* no \n -> \r\n: the bytes as written */
    int master;
    pid_t pid = forkpty(&master, NULL, &tio, &ws);
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t r = read(master, buf + len, cap - len - 1);
        if (r <= 0)
            break; /* EIO once the child has gone */
        len += (size_t)r;
    }
    buf[len] = '\0';
    int st;
    waitpid(pid, &st, 0);
    close(master);
    return buf;
}

static int setup(void **state)
{
    (void)state;
    fx = fx_open();
    if (!fx)
        return -1;
    cpi_store_close(fx->st);
    fx->st = NULL;
    cli = tu_build_path("cpindex");
    const char *owner = getpwuid(geteuid())->pw_name;
    static const char *const users[][2] = {{"analyst1", "analyst,polit,marac"}, {"pc1", "officer"}};
    for (size_t i = 0; i < 2; i++) {
        char args[256];
        int st;
        snprintf(args, sizeof args, "user add %s --role %s", users[i][0], users[i][1]);
        free(run("", owner, args, &st));
        if (st != 0)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_close(fx);
    free(cli);
    return 0;
}

static void test_cli_pipe(void **state)
{
    (void)state;
    int st, lines;
    /* not a terminal: 80 columns, no colour, whoever asks */
    static const char *const asks[][2] = {{"pc1", "child P-0000001"}, {"analyst1", "child P-0000001"},
                                          {"analyst1", "person P-0000002"}, {"analyst1", "address 'NP20 6PL'"},
                                          {"analyst1", "missing P-0000001"}, {"analyst1", "agenda"},
                                          {"analyst1", "analyse"}, {"analyst1", "child 'Sian Pryce'"}};
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        char *out = run("", asks[i][0], asks[i][1], &st);
        assert_int_equal(st, 0);
        int w = widest(out, &lines);
        if (w > 80 || strchr(out, '\033'))
            fail_msg("%s: %d columns or escapes in:\n%s", asks[i][1], w, out);
        free(out);
        char args[256];
        snprintf(args, sizeof args, "%s --width 44", asks[i][1]);
        out = run("", asks[i][0], args, &st);
        assert_int_equal(st, 0);
        if ((w = widest(out, NULL)) > 44)
            fail_msg("%s: %d columns:\n%s", args, w, out);
        free(out);
    }
    /* --color=always on a pipe colours; NO_COLOR does not stop an explicit ask */
    char *out = run("NO_COLOR=1", "analyst1", "child P-0000001 --color=always", &st);
    assert_non_null(strstr(out, "\033[1;31m"));
    free(out);
    out = run("", "analyst1", "--color=always child P-0000001", &st); /* before the command too */
    assert_non_null(strstr(out, "\033[1m"));
    free(out);
    out = run("", "analyst1", "child P-0000001 --width 5", &st);
    assert_int_equal(st, 2);
    free(out);
}

static void test_cli_officer_screen(void **state)
{
    (void)state;
    int st, lines;
    char *out = run("", "pc1", "child P-0000001", &st);
    assert_int_equal(st, 0);
    widest(out, &lines);
    if (lines > 24)
        fail_msg("the officer's brief view is %d lines:\n%s", lines, out);
    /* warnings first, the restricted note before them, the pointer to --full last */
    char *w = strstr(out, "WARNINGS"), *r = strstr(out, "RISKY PEOPLE"), *res = strstr(out, "RESTRICTED");
    assert_non_null(w);
    assert_non_null(r);
    assert_non_null(res);
    assert_true(res < w && w < r);
    assert_non_null(strstr(out, "cpindex child P-0000001 --full"));
    assert_null(strstr(out, "marac:"));
    free(out);
    /* a place before attending: one screen too */
    out = run("", "pc1", "address L-0000002", &st);
    assert_int_equal(st, 0);
    widest(out, &lines);
    if (lines > 24)
        fail_msg("the officer's brief place report is %d lines:\n%s", lines, out);
    assert_non_null(strstr(out, "cpindex address L-0000002 --full"));
    free(out);
    /* --full for an officer: more (every list), still nothing restricted */
    out = run("", "pc1", "child P-0000001 --full", &st);
    assert_int_equal(st, 0);
    assert_null(strstr(out, "marac:"));
    assert_non_null(strstr(out, "REFERENCES"));
    free(out);
}

static void test_cli_tty(void **state)
{
    (void)state;
    /* a 60 x 40 terminal: its width, colour, and a short answer not paged */
    char *out = run_tty(60, 40, "PAGER='sed s/^/PAGED:/'", "pc1", "child P-0000001");
    int lines, w = widest(out, &lines);
    if (w > 60)
        fail_msg("%d columns on a 60-column terminal:\n%s", w, out);
    assert_non_null(strstr(out, "\033[1m"));
    assert_null(strstr(out, "PAGED:"));
    free(out);
    /* NO_COLOR: no escapes at all */
    out = run_tty(60, 40, "NO_COLOR=1 PAGER=cat", "pc1", "child P-0000001");
    assert_null(strchr(out, '\033'));
    assert_non_null(strstr(out, "WARNINGS"));
    free(out);
    /* a long answer on a short screen goes through $PAGER; --no-pager does not */
    out = run_tty(80, 10, "PAGER='sed s/^/PAGED:/'", "analyst1", "child P-0000001");
    assert_non_null(strstr(out, "PAGED:"));
    free(out);
    out = run_tty(80, 10, "PAGER='sed s/^/PAGED:/'", "analyst1", "child P-0000001 --no-pager");
    assert_null(strstr(out, "PAGED:"));
    assert_non_null(strstr(out, "WARNINGS"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_not_a_tty),
        cmocka_unit_test(test_tty),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_fold_never_past_width),
        cmocka_unit_test(test_colour_and_escapes),
    };
    const struct CMUnitTest cli_tests[] = {
        cmocka_unit_test(test_cli_pipe),
        cmocka_unit_test(test_cli_officer_screen),
        cmocka_unit_test(test_cli_tty),
    };
    int failed = cmocka_run_group_tests(unit, NULL, NULL);
    return failed + cmocka_run_group_tests(cli_tests, setup, teardown);
}
