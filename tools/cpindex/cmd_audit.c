/*
 * cmd_audit.c - `cpindex audit show|verify`: who looked at what, when and why
 * (supervisors), and whether the hash chain is intact.
 *
 * 'audit show' is itself a consultation and is logged before anything is
 * printed. Its --user is the filter (whose entries), so the supervisor asking
 * is named before the command (cpindex --user NAME audit show) or by
 * CPINDEX_USER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "render/jsonw.h"
#include "audit/audit.h"

#define TEXT_LIST_MAX 20 /* list items shown per entry in text; --json shows all */

static void iso_time(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M:%SZ", &tm);
}

static void hex(const uint8_t *h, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z], UTC. */
static bool parse_since(const char *s, int64_t *out)
{
    struct tm tm = {0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
        return false;
    const char *rest = s + n;
    if (*rest == 'T' || *rest == ' ') {
        int m = 0;
        if (sscanf(rest + 1, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &m) != 2 || m != 5)
            return false;
        rest += 1 + m;
        if (*rest == ':') {
            if (sscanf(rest + 1, "%2d%n", &tm.tm_sec, &m) != 1 || m != 2)
                return false;
            rest += 3;
        }
        if (*rest == 'Z')
            rest++;
    }
    if (*rest || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return false;
    int mday = tm.tm_mday;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (tm.tm_mday != mday) /* 31 April rolled over */
        return false;
    *out = (int64_t)t;
    return true;
}

typedef struct show_ctx {
    bool json;
    cpi_jw *arr; /* the JSON array the entries are written into */
    FILE *text;
    uint64_t n;
} show_ctx;

static void text_list(FILE *fp, const char *label, const char *const *v, uint32_t n)
{
    if (!n)
        return;
    fprintf(fp, "    %-9s ", label);
    for (uint32_t i = 0; i < n && i < TEXT_LIST_MAX; i++)
        fprintf(fp, "%s%s", i ? ", " : "", v[i]);
    if (n > TEXT_LIST_MAX)
        fprintf(fp, " ... and %u more (--json lists all)", n - TEXT_LIST_MAX);
    fputc('\n', fp);
}

static void json_strs(cpi_jw *w, const char *key, const char *const *v, uint32_t n)
{
    cpi_jw_key(w, key);
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n; i++)
        cpi_jw_str(w, v[i]);
    cpi_jw_arr_end(w);
}

static cpi_status show_one(void *vctx, const cpi_audit_entry *e, cpi_error *err)
{
    show_ctx *c = vctx;
    char when[32];
    iso_time(e->time, when, sizeof when);
    c->n++;
    if (c->json) {
        char h[65];
        hex(e->hash, 32, h);
        cpi_jw *w = c->arr;
        cpi_jw_obj(w);
        cpi_jw_kint(w, "seq", (long long)e->seq);
        cpi_jw_kstr(w, "time", when);
        cpi_jw_kstr(w, "kind", cpi_audit_kind_name(e->kind));
        cpi_jw_kstr(w, "user", e->user);
        cpi_jw_kstr(w, "reason", e->reason);
        cpi_jw_kstr(w, "command", e->command);
        cpi_jw_kstr(w, "query", e->query);
        json_strs(w, "entities", e->entities, e->nentities);
        json_strs(w, "refs", e->refs, e->nrefs);
        cpi_jw_key(w, "details");
        cpi_jw_obj(w);
        for (uint32_t i = 0; i < e->details.count; i++)
            cpi_jw_kstr(w, e->details.items[i].key, e->details.items[i].value);
        cpi_jw_obj_end(w);
        cpi_jw_kstr(w, "hash", h);
        cpi_jw_obj_end(w);
        if (w->failed)
            return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
        return CPI_OK;
    }
    fprintf(c->text, "#%llu  %s  %-12s  %s  %s\n", (unsigned long long)e->seq, when, cpi_audit_kind_name(e->kind),
            e->user, e->command);
    if (e->query)
        fprintf(c->text, "    %-9s %s\n", "query", e->query);
    if (e->reason)
        fprintf(c->text, "    %-9s %s\n", "reason", e->reason);
    text_list(c->text, "entities", e->entities, e->nentities);
    text_list(c->text, "refs", e->refs, e->nrefs);
    if (e->details.count) {
        fprintf(c->text, "    %-9s ", "details");
        for (uint32_t i = 0; i < e->details.count; i++)
            fprintf(c->text, "%s%s=%s", i ? ", " : "", e->details.items[i].key, e->details.items[i].value);
        fputc('\n', c->text);
    }
    return CPI_OK;
}

static int do_show(cli_ctx *ctx, const cli_command *self, int argc, char **argv)
{
    static const struct option longopts[] = {{"user", required_argument, NULL, 'u'},
                                             {"entity", required_argument, NULL, 'e'},
                                             {"since", required_argument, NULL, 's'},
                                             {"kind", required_argument, NULL, 'k'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"db", required_argument, NULL, CLI_OPT_DB},
                                             {"force", no_argument, NULL, CLI_OPT_FORCE},
                                             {"reason", required_argument, NULL, CLI_OPT_REASON},
                                             {"help", no_argument, NULL, 'h'},
                                             {0}};
    cpi_audit_filter f = {0};
    bool json = false;
    int opt;
    cpi_error err = {0};
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'u':
            f.user = optarg;
            break;
        case 'e':
            f.entity = optarg;
            break;
        case 's':
            if (!parse_since(optarg, &f.since))
                return cli_usage_error(self, "--since takes a date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC), not "
                                             "'%s'",
                                       optarg);
            break;
        case 'k': {
            cpi_audit_kind k;
            if (cpi_audit_kind_parse(optarg, &k, &err) != CPI_OK)
                return cli_usage_error(self, "%s", err.msg);
            f.kind = (int)k;
            break;
        }
        case 'j':
            json = true;
            break;
        default: {
            int rc = cli_common_opt(ctx, self, opt, optarg);
            if (rc >= 0)
                return rc;
        }
        }
    }
    if (optind + 1 < argc)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
    if (!ctx->user && !getenv("CPINDEX_USER") && f.user) {
        fprintf(stderr, "cpindex audit: refused: say who you are: in 'audit show', --user filters the log, so "
                        "put --user NAME before 'audit' (or set CPINDEX_USER)\n");
        return EXIT_USAGE;
    }
    cpi_store *st;
    cpi_grant g;
    int rc = cli_require_user(ctx, "audit", NULL, &st, &g);
    if (rc)
        return rc;

    /* gather first, log, then show: nothing is shown unless the consultation was logged */
    show_ctx c = {.json = json};
    char *buf = NULL;
    size_t len = 0;
    cpi_jw w;
    cpi_jw_init(&w, 2);
    if (json) {
        c.arr = &w;
        cpi_jw_arr(&w);
    } else
        c.text = open_memstream(&buf, &len);
    cpi_status s = (json ? c.arr != NULL : c.text != NULL)
                       ? cpi_audit_query(st, &f, show_one, &c, &err)
                       : cpi_error_set(&err, CPI_ERR_NOMEM, "out of memory");
    if (c.text)
        fclose(c.text);
    if (s)
        rc = cli_fail(&err);
    else
        rc = cli_log_consultation(ctx, st, &g, NULL, 0, NULL, 0);
    if (!rc) {
        if (json) {
            cpi_jw_arr_end(&w);
            cpi_jw_print(&w, stdout);
        } else if (c.n) {
            fwrite(buf, 1, len, stdout);
        } else {
            printf("no audit entries match\n");
        }
        if (!c.n)
            rc = EXIT_NOT_FOUND;
    }
    cpi_jw_free(&w);
    free(buf);
    cpi_store_close(st);
    return rc;
}

static bool parse_hex32(const char *s, uint8_t out[32])
{
    if (strlen(s) != 64)
        return false;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
            !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
            return false;
        out[i] = (uint8_t)v;
    }
    return true;
}

static int do_verify(cli_ctx *ctx, const cli_command *self, int argc, char **argv)
{
    static const struct option longopts[] = {{"head", required_argument, NULL, 'H'},
                                             {"json", no_argument, NULL, 'j'},
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    uint8_t head[32];
    bool have_head = false, json = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'H') {
            if (!parse_hex32(optarg, head))
                return cli_usage_error(self, "--head takes the 64 hex digits 'audit verify' printed");
            have_head = true;
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
    if (optind + 1 < argc)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
    cpi_store *st;
    cpi_grant g;
    int rc = cli_require_user(ctx, "audit-verify", NULL, &st, &g);
    if (rc)
        return rc;
    cpi_audit_report rep;
    cpi_error err = {0};
    cpi_status s = cpi_audit_verify(st, have_head ? head : NULL, &rep, &err);
    cpi_store_close(st);
    if (s && s != CPI_ERR_DATA)
        return cli_fail(&err);
    char h[65];
    hex(rep.head, 32, h);
    if (json) {
        cpi_jw w;
        cpi_jw_init(&w, 2);
        cpi_jw_obj(&w);
        cpi_jw_kbool(&w, "intact", s == CPI_OK);
        cpi_jw_kint(&w, "entries", (long long)rep.entries);
        cpi_jw_kint(&w, "head_seq", (long long)rep.last_seq);
        cpi_jw_kstr(&w, "head", h);
        cpi_jw_kint(&w, "bad_entry", (long long)rep.bad_seq);
        cpi_jw_kstr(&w, "problem", s ? rep.problem : NULL);
        cpi_jw_obj_end(&w);
        cpi_jw_print(&w, stdout);
        cpi_jw_free(&w);
    } else if (s == CPI_OK) {
        printf("audit log intact: %llu entries, head #%llu %s\n", (unsigned long long)rep.entries,
               (unsigned long long)rep.last_seq, h);
        printf("note the head somewhere else; 'cpindex audit verify --head %s' later shows whether the log "
               "was rewritten\n",
               h);
    }
    if (s) {
        if (rep.bad_seq)
            fprintf(stderr, "cpindex audit verify: entry %llu: %s\n", (unsigned long long)rep.bad_seq,
                    rep.problem);
        else
            fprintf(stderr, "cpindex audit verify: %s\n", rep.problem);
        return EXIT_DATA;
    }
    return EXIT_OK_;
}

int cmd_audit(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("audit");
    if (argc < 2)
        return cli_usage_error(self, "say what to do: show or verify");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_print_usage(self);
        return EXIT_OK_;
    }
    /* the verb stays in argv[1]; getopt skips it as a non-option and the checks above allow for it */
    if (strcmp(argv[1], "show") == 0)
        return do_show(ctx, self, argc, argv);
    if (strcmp(argv[1], "verify") == 0)
        return do_verify(ctx, self, argc, argv);
    return cli_usage_error(self, "unknown action '%s' (show or verify)", argv[1]);
}
