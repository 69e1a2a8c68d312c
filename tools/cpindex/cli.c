/* cli.c - helpers shared by the subcommands (see cli.h). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk/desk.h"

void cli_print_usage(const cli_command *cmd) { fputs(cmd->usage, stdout); }

/* cli_print_text's renderer for a usage text: as written (its lines are already under 100 columns). */
static void render_usage(const void *cmd, FILE *out, int width)
{
    (void)width;
    fputs(((const cli_command *)cmd)->usage, out);
}

void cli_show_usage(const cli_ctx *ctx, const cli_command *cmd) { cli_print_text(ctx, render_usage, cmd); }

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cpindex %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nhint: see 'cpindex %s --help'\n", cmd->name);
    return EXIT_USAGE;
}

int cli_fail(const cpi_error *err)
{
    fprintf(stderr, "cpindex: %s\n", err->msg[0] ? err->msg : cpi_status_name(err->status));
    return cpi_status_exit_code(err->status);
}

int cli_common_opt(cli_ctx *ctx, const cli_command *cmd, int opt, const char *arg)
{
    switch (opt) {
    case CLI_OPT_DB:
        ctx->db_path = arg;
        return -1;
    case CLI_OPT_FORCE:
        ctx->force = true;
        return -1;
    case CLI_OPT_USER:
        ctx->user = arg;
        return -1;
    case CLI_OPT_REASON:
        ctx->reason = arg;
        return -1;
    case CLI_OPT_WIDTH:
    case CLI_OPT_COLOR:
    case CLI_OPT_NO_PAGER: {
        char word[64];
        const char *why = "";
        snprintf(word, sizeof word, "--%s%s%s", opt == CLI_OPT_WIDTH ? "width" : opt == CLI_OPT_COLOR ? "color" : "no-pager",
                 arg ? "=" : "", arg ? arg : "");
        if (cli_term_parse_arg(&ctx->term, word, NULL, &why) < 0)
            return cli_usage_error(cmd, "%s", why);
        return -1;
    }
    case 'h':
        cli_show_usage(ctx, cmd);
        return EXIT_OK_;
    default:
        /* getopt has already said what was wrong */
        fprintf(stderr, "hint: see 'cpindex %s --help'\n", cmd->name);
        return EXIT_USAGE;
    }
}

/*
 * CPINDEX_MAP_LIMIT: how large the store may grow (bytes, or with a K, M, G or
 * T suffix, powers of 1024), so an operator can cap a store below the disk's
 * size or raise the 1 TiB default. Unset or empty: the library's default.
 */
static cpi_status map_limit(cpi_store_opts *o, cpi_error *err)
{
    const char *v = getenv("CPINDEX_MAP_LIMIT");
    if (!v || !*v)
        return CPI_OK;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned shift = 0;
    switch (*end) {
    case 'K': case 'k': shift = 10; end++; break;
    case 'M': case 'm': shift = 20; end++; break;
    case 'G': case 'g': shift = 30; end++; break;
    case 'T': case 't': shift = 40; end++; break;
    default: break;
    }
    if (errno || end == v || *end || !isdigit((unsigned char)v[0]) || n > (UINT64_MAX >> shift) ||
        (n << shift) < (1ull << 20))
        return cpi_error_set(err, CPI_ERR_USAGE,
                             "CPINDEX_MAP_LIMIT='%.40s' is not a store size of 1M or more (write e.g. 512M or 20G)", v);
    o->max_map_size = (uint64_t)n << shift;
    return CPI_OK;
}

/* ---- the store cpindex serve keeps open ---- */

static cpi_store *served;
static char served_dir[PATH_MAX]; /* realpath of its directory */
static const char *served_name;   /* the path as the server was given it */

void cli_serve_store(cpi_store *st, const char *dir)
{
    served = st;
    served_name = dir;
    if (!st || !realpath(dir, served_dir))
        served_dir[0] = '\0';
}

/* The served store, when dir is its directory (never for a store to be created). */
static cpi_store *served_for(const char *dir, unsigned flags)
{
    if (!served || (flags & CPI_STORE_CREATE))
        return NULL;
    if (strcmp(dir, served_name) == 0)
        return served;
    char real[PATH_MAX];
    return served_dir[0] && realpath(dir, real) && strcmp(real, served_dir) == 0 ? served : NULL;
}

cpi_status cli_open_store(cli_ctx *ctx, unsigned flags, cpi_store **out, cpi_error *err)
{
    cpi_store_opts o = {.flags = flags | (ctx->force ? CPI_STORE_FORCE : 0)};
    *out = NULL;
    if ((*out = served_for(ctx->db_path, flags)))
        return CPI_OK;
    if (map_limit(&o, err) != CPI_OK)
        return err->status;
    return cpi_store_open(ctx->db_path, &o, out, err);
}

/* ---- the access gate ---- */

/* --user/--reason win over the environment; an empty value counts as none. */
static const char *pick(const char *opt, const char *env)
{
    if (opt)
        return *opt ? opt : NULL;
    const char *e = getenv(env);
    return e && *e ? e : NULL;
}

int cli_identify(cli_ctx *ctx, const char *action, const cpi_store_opts *opts, cpi_store **st, const char **user,
                 const char **reason)
{
    *st = NULL;
    *user = pick(ctx->user, "CPINDEX_USER");
    *reason = pick(ctx->reason, "CPINDEX_REASON");
    /* each message is one line saying exactly what to add */
    if (!*user && !*reason) {
        fprintf(stderr,
                "cpindex %s: refused: say who you are and why: add --user NAME --reason 'WHAT AND WHY' "
                "(or set CPINDEX_USER and CPINDEX_REASON)\n",
                action);
        return EXIT_USAGE;
    }
    if (!*user) {
        fprintf(stderr, "cpindex %s: refused: say who you are: add --user NAME (or set CPINDEX_USER)\n", action);
        return EXIT_USAGE;
    }
    if (!*reason) {
        fprintf(stderr, "cpindex %s: refused: say why: add --reason 'WHAT AND WHY' (or set CPINDEX_REASON)\n",
                action);
        return EXIT_USAGE;
    }
    cpi_error err = {0};
    if (cpi_access_check_reason(*reason, &err) != CPI_OK) {
        fprintf(stderr,
                "cpindex %s: refused: %s: add a fuller --reason, e.g. --reason 'missing episode, attending "
                "address'\n",
                action, err.msg);
        return EXIT_USAGE;
    }
    if (cpi_access_check_user_name(*user, &err) != CPI_OK) {
        fprintf(stderr, "cpindex %s: refused: %s\n", action, err.msg);
        return EXIT_USAGE;
    }
    cpi_store_opts o = opts ? *opts : (cpi_store_opts){0};
    o.flags |= ctx->force ? CPI_STORE_FORCE : 0;
    if (!(*st = served_for(ctx->db_path, o.flags)) &&
        (map_limit(&o, &err) != CPI_OK || cpi_store_open(ctx->db_path, &o, st, &err) != CPI_OK))
        return cli_fail(&err);
    return EXIT_OK_;
}

int cli_refused(const char *action, const cpi_error *err)
{
    if (err->status == CPI_ERR_ACCESS) {
        fprintf(stderr, "cpindex %s: refused: %s\n", action, err->msg);
        return EXIT_USAGE;
    }
    return cli_fail(err);
}

int cli_require_user(cli_ctx *ctx, const char *action, const cpi_store_opts *opts, cpi_store **st,
                     cpi_grant *grant)
{
    memset(grant, 0, sizeof *grant);
    const char *user, *reason;
    int rc = cli_identify(ctx, action, opts, st, &user, &reason);
    if (rc)
        return rc;
    cpi_error err = {0};
    if (cpi_access_authorise(*st, user, reason, action, grant, &err) != CPI_OK) {
        cpi_store_close(*st);
        *st = NULL;
        return cli_refused(action, &err);
    }
    return EXIT_OK_;
}

/*
 * Options that say who is asking or where, not what, and those that say only
 * how the answer looks (width, colour, pager: the serve client adds its
 * terminal's width): left out of the logged query.
 */
static int skip_arg(const char *a)
{
    if (strcmp(a, "--no-pager") == 0 || strcmp(a, "--color") == 0 || strncmp(a, "--color=", 8) == 0 ||
        strcmp(a, "--colour") == 0 || strncmp(a, "--colour=", 9) == 0)
        return 1;
    static const char *const with_value[] = {"--user", "--reason", "--db", "--width"};
    for (size_t i = 0; i < sizeof with_value / sizeof with_value[0]; i++) {
        size_t n = strlen(with_value[i]);
        if (strncmp(a, with_value[i], n) == 0) {
            if (a[n] == '\0')
                return 2;
            if (a[n] == '=')
                return 1;
        }
    }
    return strcmp(a, "--force") == 0 ? 1 : 0;
}

void cli_query_text(const cli_ctx *ctx, char *buf, size_t cap)
{
    size_t off = 0;
    if (cap)
        buf[0] = '\0';
    for (int i = 0; i < ctx->argc && off + 1 < cap;) {
        const char *a = ctx->argv[i];
        int skip = skip_arg(a);
        if (skip) {
            i += skip;
            continue;
        }
        bool quote = !*a || strpbrk(a, " \t'\"") != NULL;
        int w = snprintf(buf + off, cap - off, quote ? "%s'%s'" : "%s%s", off ? " " : "", a);
        if (w < 0 || (size_t)w >= cap - off)
            break;
        off += (size_t)w;
        i++;
    }
}

int cli_log_consultation(cli_ctx *ctx, cpi_store *st, const cpi_grant *g, const char *const *entities,
                         size_t nentities, const char *const *refs, size_t nrefs)
{
    char query[2048];
    cli_query_text(ctx, query, sizeof query);
    cpi_error err = {0};
    if (cpi_desk_log(st, g, query, entities, nentities, refs, nrefs, &err) != CPI_OK)
        return cli_log_failed(g->action, &err);
    return EXIT_OK_;
}

int cli_log_failed(const char *action, const cpi_error *err)
{
    fprintf(stderr, "cpindex %s: %s\n", action, err->msg);
    return cpi_status_exit_code(err->status);
}

const char *cli_human_bytes(unsigned long long bytes, char *buf, unsigned cap)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

void cli_term_get(const cli_ctx *ctx, cli_term *t) { cli_term_decide(&ctx->term, 1, t); }

int cli_print_text(const cli_ctx *ctx, cli_render_fn render, const void *arg)
{
    cli_term t;
    cli_term_get(ctx, &t);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        fprintf(stderr, "cpindex: out of memory\n");
        return EXIT_DATA;
    }
    /* the renderers wrap at 40 or more; a narrower screen is folded by cli_term_emit */
    render(arg, mem, t.width >= 40 ? t.width : 40);
    int bad = fclose(mem) != 0;
    if (!bad)
        bad = cli_term_emit(&t, buf, len, stdout) != 0 || fflush(stdout) != 0;
    free(buf);
    if (bad) {
        fprintf(stderr, "cpindex: writing the answer failed\n");
        return EXIT_DATA;
    }
    return EXIT_OK_;
}
