/* cmd_link.c - `cpindex link A B --same|--different --reason TEXT`: a human decision resolve obeys. */
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "core/resolve.h"

int cmd_link(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("link");
    static const struct option longopts[] = {{"same", no_argument, NULL, 's'},
                                             {"different", no_argument, NULL, 'd'},
                                             {"reason", required_argument, NULL, 'r'},
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    int same = -1;
    const char *reason = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 's' || opt == 'd') {
            if (same >= 0 && same != (opt == 's'))
                return cli_usage_error(self, "say --same or --different, not both");
            same = opt == 's';
            continue;
        }
        if (opt == 'r') {
            reason = optarg;
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
    if (!reason || !*reason)
        return cli_usage_error(self, "give a --reason (who decided, on what evidence): it is kept with the decision");
    cpi_error err = {0};
    cpi_store *st;
    if (cli_open_store(ctx, 0, &st, &err))
        return cli_fail(&err);
    cpi_status s = cpi_override_put(st, argv[optind], argv[optind + 1], same, reason, (int64_t)time(NULL), &err);
    cpi_store_close(st);
    if (s)
        return cli_fail(&err);
    printf("recorded: %s and %s are %s.\nIt takes effect at the next 'cpindex resolve'.\n", argv[optind],
           argv[optind + 1], same ? "the same" : "different");
    return EXIT_OK_;
}
