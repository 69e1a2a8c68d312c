/* cmd_user.c - `cpindex user add|remove|list|passwd`: who may use the store, with which roles, and the
 * password each logs in with to the browser page (admin only, logged). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "render/jsonw.h"

static int do_list(cpi_store *st, const cpi_grant *g, bool json)
{
    cpi_user *u;
    size_t n;
    cpi_error err = {0};
    if (cpi_access_user_list(st, g, &u, &n, &err) != CPI_OK)
        return cli_fail(&err);
    cpi_jw w;
    cpi_jw_init(&w, 2);
    if (json)
        cpi_jw_arr(&w);
    else
        printf("%-24s %-36s %-20s %s\n", "user", "roles", "added", "by");
    for (size_t i = 0; i < n; i++) {
        char roles[96], when[32] = "";
        cpi_roles_format(u[i].roles, roles, sizeof roles);
        if (u[i].added) {
            time_t t = (time_t)u[i].added;
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
        }
        if (json) {
            cpi_jw_obj(&w);
            cpi_jw_kstr(&w, "user", u[i].name);
            cpi_jw_kstr(&w, "roles", roles);
            cpi_jw_kstr(&w, "added", when[0] ? when : NULL);
            cpi_jw_kstr(&w, "added_by", u[i].added_by[0] ? u[i].added_by : NULL);
            cpi_jw_obj_end(&w);
        } else {
            printf("%-24s %-36s %-20s %s\n", u[i].name, roles, when[0] ? when : "(owner, implicit)",
                   u[i].added_by);
        }
    }
    if (json) {
        cpi_jw_arr_end(&w);
        cpi_jw_print(&w, stdout);
    }
    cpi_jw_free(&w);
    free(u);
    return EXIT_OK_;
}

/* One line from f into buf without its newline; -1 at EOF or when longer than the buffer (never cut silently). */
static int read_line(FILE *f, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, f))
        return -1;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(f))
        return -1;
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

/* Ask on the terminal with echo off: the password must not show on screen nor stay in scroll-back. */
static int ask_tty(FILE *tty, const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    int fd = fileno(tty);
    bool restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    fputs(prompt, stderr);
    fflush(stderr);
    int rc = read_line(tty, buf, cap);
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return rc;
}

/*
 * The new password: from the terminal asked twice (a typo would lock the user out), else the first line of
 * stdin (scripts, tests). 0, or an exit status after saying why.
 */
static int read_password(const cli_command *self, const char *name, char *pw, size_t cap)
{
    if (isatty(0)) {
        FILE *tty = fopen("/dev/tty", "r+");
        if (!tty)
            tty = stdin;
        char again[CPI_PASSWORD_MAX + 2];
        char prompt[128];
        snprintf(prompt, sizeof prompt, "new password for %s: ", name);
        int bad = ask_tty(tty, prompt, pw, cap) || ask_tty(tty, "the same again: ", again, sizeof again);
        bool same = !bad && strcmp(pw, again) == 0;
        sodium_memzero(again, sizeof again);
        if (tty != stdin)
            fclose(tty);
        if (bad)
            return cli_usage_error(self, "no password read (at most %d bytes)", CPI_PASSWORD_MAX);
        if (!same)
            return cli_usage_error(self, "the two passwords differ; nothing changed");
        return 0;
    }
    if (read_line(stdin, pw, cap))
        return cli_usage_error(self, "give the password as the first line of stdin (at most %d bytes)",
                               CPI_PASSWORD_MAX);
    return 0;
}

int cmd_user(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("user");
    static const struct option longopts[] = {{"role", required_argument, NULL, 'r'},
                                             {"json", no_argument, NULL, 'j'},
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    const char *roles = NULL;
    bool json = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'r') {
            roles = optarg;
            continue;
        }
        if (opt == 'j') {
            json = true;
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    char **args = argv + optind;
    int nargs = argc - optind;
    if (nargs < 1)
        return cli_usage_error(self, "say what to do: add, remove or list");
    const char *verb = args[0];
    bool is_add = strcmp(verb, "add") == 0, is_remove = strcmp(verb, "remove") == 0,
         is_list = strcmp(verb, "list") == 0, is_passwd = strcmp(verb, "passwd") == 0;
    if (!is_add && !is_remove && !is_list && !is_passwd)
        return cli_usage_error(self, "unknown action '%s' (add, remove, list or passwd)", verb);
    if (is_list && nargs != 1)
        return cli_usage_error(self, "'user list' takes no arguments");
    if (!is_list && nargs != 2)
        return cli_usage_error(self, "say which user: user %s NAME", verb);
    if (is_add && !roles)
        return cli_usage_error(self, "say which roles: user add %s --role ROLE[,ROLE...]", args[1]);
    if (!is_add && roles)
        return cli_usage_error(self, "--role is only for 'user add'");
    if (!is_list && json)
        return cli_usage_error(self, "--json is only for 'user list'");
    unsigned bits = 0;
    cpi_error err = {0};
    if (is_add && cpi_roles_parse(roles, &bits, &err) != CPI_OK)
        return cli_usage_error(self, "%s", err.msg);
    if (!is_list && cpi_access_check_user_name(args[1], &err) != CPI_OK)
        return cli_usage_error(self, "%s", err.msg);
    char pw[CPI_PASSWORD_MAX + 2] = "";
    if (is_passwd) {
        int prc = read_password(self, args[1], pw, sizeof pw);
        if (prc)
            return prc;
        size_t n = strlen(pw);
        if (n < CPI_PASSWORD_MIN || n > CPI_PASSWORD_MAX) {
            sodium_memzero(pw, sizeof pw);
            return cli_usage_error(self, "a password is %d to %d bytes (a passphrase of a few words will do)",
                                   CPI_PASSWORD_MIN, CPI_PASSWORD_MAX);
        }
    }

    /* adding a user may be the first thing done to a new store: its creator becomes its admin */
    cpi_store_opts so = {.flags = is_add ? CPI_STORE_CREATE : 0};
    cpi_store *st;
    cpi_grant g;
    int rc = cli_require_user(ctx, "user", &so, &st, &g);
    if (rc) {
        sodium_memzero(pw, sizeof pw);
        return rc;
    }
    if (is_passwd) {
        if (cpi_access_password_set(st, &g, args[1], pw, &err) != CPI_OK)
            rc = cli_fail(&err);
        else
            printf("user %s: password set (logged)\n", args[1]);
        sodium_memzero(pw, sizeof pw);
    } else if (is_list) {
        rc = do_list(st, &g, json);
    } else if (is_add) {
        if (cpi_access_user_add(st, &g, args[1], bits, &err) != CPI_OK) {
            rc = cli_fail(&err);
        } else {
            char shown[96];
            cpi_roles_format(bits, shown, sizeof shown);
            printf("user %s: %s (logged)\n", args[1], shown);
        }
    } else {
        if (cpi_access_user_remove(st, &g, args[1], &err) != CPI_OK)
            rc = cli_fail(&err);
        else
            printf("user %s removed (logged)\n", args[1]);
    }
    cpi_store_close(st);
    return rc;
}
