/* cmd_purge.c - `cpindex purge REFERENCE`: erase one source record from the store and every index (admin, logged). */
#include <stdio.h>

#include "cli.h"
#include "core/purge.h"

int cmd_purge(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("purge");
    static const struct option longopts[] = {CLI_COMMON_LONGOPTS, {0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
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
    cpi_purge_result r;
    cpi_status s = cpi_purge(st, &g, ref, &r, &err);
    cpi_store_close(st);
    if (s)
        return cli_fail(&err);
    printf("purged %s: %u mentions, %u entity links, %u link decisions removed (logged as an erasure)\n", ref,
           r.mentions, r.entity_links, r.overrides);
    if (r.resolve_due)
        printf("a resolve is due: %u entities lost a member, and their edges and analytics still count it until "
               "'cpindex resolve' runs\n",
               r.entities_touched);
    return EXIT_OK_;
}
