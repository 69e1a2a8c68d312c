/* cmd_purge.c - `cpindex purge REFERENCE`: erase one source record from the store and every index, and
 * re-resolve without it in the same transaction (admin, logged). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ingest/purge.h"
#include "resolve/resolve.h"

typedef struct purge_ctx {
    int64_t now;
    cpi_purge_result r;
} purge_ctx;

int cmd_purge(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("purge");
    static const struct option longopts[] = {{"no-resolve", no_argument, NULL, 'N'}, CLI_COMMON_LONGOPTS, {0}};
    bool no_resolve = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'N') {
            no_resolve = true;
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (optind >= argc)
        return cli_usage_error(self, "say which record: purge SOURCE:RECORD_ID --reason TEXT");
    if (optind + 1 < argc)
        return cli_usage_error(self, "purge one record at a time (unexpected '%s')", argv[optind + 1]);
    const char *ref = argv[optind];
    cpi_error err = {0};
    cpi_ref parsed;
    if (cpi_ref_parse(ref, &parsed, &err) != CPI_OK)
        return cli_usage_error(self, "%s", err.msg);
    if (parsed.mention)
        return cli_usage_error(self, "%s names a mention; purge takes a record reference (SOURCE:RECORD_ID)", ref);

    cpi_store *st;
    cpi_grant g;
    int rc = cli_require_user(ctx, "purge", NULL, &st, &g);
    if (rc)
        return rc;
    purge_ctx p = {.now = (int64_t)time(NULL)};
    bool resolved = false;
    cpi_status s = no_resolve ? CPI_OK : cpi_resolve_has_run(st, &resolved, &err);
    cpi_resolve_report rep;
    if (!s && resolved) { /* a missing record fails here, before the whole store is resolved for nothing */
        cpi_txn *t;
        cpi_slice v;
        if (!(s = cpi_store_read_begin(st, &t, &err))) {
            s = cpi_txn_get(t, CPI_DB_RECORDS, ref, strlen(ref), &v, &err);
            cpi_txn_end(t);
        }
        if (s == CPI_NOT_FOUND)
            s = cpi_purge(st, &g, ref, &p.r, &err); /* reports it as a plain purge does */
    }
    if (!s && resolved) {
        /* one transaction: erase, re-resolve what is left, rebuild the graph, log erasure and combination */
        cpi_resolve_opts o;
        cpi_resolve_opts_default(&o);
        o.now = p.now;
        o.exclude_record = ref;
        o.purge_grant = &g; /* the erasure, first in the transaction that re-resolves without the record */
        o.purge_result = &p.r;
        o.user = g.user, o.reason = g.reason, o.command = "purge";
        s = cpi_resolve_run(st, &o, &rep, &err);
    } else if (!s) {
        s = cpi_purge(st, &g, ref, &p.r, &err);
    }
    cpi_store_close(st);
    if (s)
        return cli_fail(&err);
    printf("purged %s: %u mentions, %u entity links, %u link decisions removed (logged as an erasure)\n", ref,
           p.r.mentions, p.r.entity_links, p.r.overrides);
    if (resolved)
        printf("re-resolved without it in the same transaction: %llu entities, graph %llu edges (logged as a "
               "combination)\n",
               (unsigned long long)rep.kind[CPI_KIND_PERSON].entities + rep.kind[CPI_KIND_LOCATION].entities +
                   rep.kind[CPI_KIND_PHONE].entities + rep.kind[CPI_KIND_ONLINE].entities,
               (unsigned long long)rep.graph.edges);
    else if (p.r.resolve_due)
        printf("a resolve is due: %u entities lost a member, and their edges and analytics still count it until "
               "'cpindex resolve' runs\n",
               p.r.entities_touched);
    return EXIT_OK_;
}
