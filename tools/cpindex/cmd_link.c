/*
 * cmd_link.c - `cpindex link A B --same|--different --reason TEXT`: a human
 * decision every later resolve obeys. The decision and its audit entry (a
 * combination: decision, why) are written in one transaction, so neither
 * exists without the other. --reason is both the decision's reason and the
 * access reason the gate asks for.
 */
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "audit/audit.h"
#include "resolve/resolve.h"

typedef struct link_ctx {
    cli_ctx *cli;
    const cpi_grant *g;
    const char *a, *b, *reason;
    bool same;
    int64_t now;
} link_ctx;

static cpi_status link_write(cpi_txn *t, void *vctx, cpi_error *err)
{
    link_ctx *c = vctx;
    cpi_status s = cpi_override_write(t, c->a, c->b, c->same, c->reason, c->now, err);
    if (s)
        return s;
    char query[2048];
    cli_query_text(c->cli, query, sizeof query);
    const char *refs[2] = {c->a, c->b};
    cpi_kv kv[2] = {{"decision", c->same ? "same" : "different"}, {"why", c->reason}};
    cpi_audit_entry e = {.kind = CPI_AUDIT_COMBINATION,
                         .user = c->g->user,
                         .reason = c->g->reason,
                         .command = "link",
                         .query = query,
                         .refs = refs,
                         .nrefs = 2,
                         .details = {kv, 2}};
    return cpi_audit_append(t, &e, err);
}

int cmd_link(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("link");
    static const struct option longopts[] = {{"same", no_argument, NULL, 's'},
                                             {"different", no_argument, NULL, 'd'},
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    int same = -1;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 's' || opt == 'd') {
            if (same >= 0 && same != (opt == 's'))
                return cli_usage_error(self, "say --same or --different, not both");
            same = opt == 's';
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (argc - optind != 2)
        return cli_usage_error(self, "name two mentions, e.g. niche:NOM-0000123/1 miraf:MF-2021-000045/1");
    if (same < 0)
        return cli_usage_error(self, "say whether they are the --same or --different");

    cpi_store *st;
    cpi_grant g;
    int rc = cli_require_user(ctx, "link", NULL, &st, &g);
    if (rc)
        return rc;
    cpi_error err = {0};
    link_ctx lc = {ctx, &g, argv[optind], argv[optind + 1], g.reason, same, (int64_t)time(NULL)};
    cpi_status s = cpi_store_write(st, link_write, &lc, &err);
    cpi_store_close(st);
    if (s)
        return cli_fail(&err);
    printf("recorded: %s and %s are %s.\nIt takes effect at the next 'cpindex resolve'.\n", argv[optind],
           argv[optind + 1], same ? "the same" : "different");
    return EXIT_OK_;
}
