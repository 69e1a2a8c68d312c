/* cmd_agenda.c - `cpindex agenda`: the children a MACE meeting should discuss, by a published score. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/normalise/normalise.h"
#include "query/agenda.h"
#include "render/agenda_render.h"
#include "query_cli.h"

/* cli_print_text's renderer: the agenda at the terminal's width. */
static void render_agenda(const void *a, FILE *out, int width) { cpi_agenda_text(a, out, width); }

int cmd_agenda(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("agenda");
    static const struct option longopts[] = {{"top", required_argument, NULL, QOPT_TOP},
                                             {"as-of", required_argument, NULL, QOPT_AS_OF},
                                             {"new", no_argument, NULL, 'n'},
                                             {"area", required_argument, NULL, 'a'},
                                             {"since", required_argument, NULL, 's'},
                                             QUERY_LONGOPTS,
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    query_opts q = {0};
    cpi_agenda_opts ao = {0};
    int opt, rc;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == QOPT_TOP) {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 10000)
                return cli_usage_error(self, "--top takes a number from 1 to 10000");
            ao.top = (uint32_t)n;
        } else if (opt == QOPT_AS_OF) {
            cpi_error e2 = {0};
            if (cpi_norm_date(optarg, 0, CPI_DATE_EVENT, &ao.as_of, &e2) != CPI_OK)
                return cli_usage_error(self, "--as-of: %s", e2.msg);
        } else if (opt == 'n') {
            ao.new_only = true;
        } else if (opt == 'a') {
            if (!*optarg)
                return cli_usage_error(self, "--area takes a local authority or policing area (e.g. Newport, EAST)");
            ao.area = optarg;
        } else if (opt == 's') {
            cpi_error e2 = {0};
            if (cpi_norm_date(optarg, 0, CPI_DATE_EVENT, &ao.since, &e2) != CPI_OK)
                return cli_usage_error(self, "--since: %s", e2.msg);
        } else if ((rc = opt >= QOPT_JSON && opt <= QOPT_NAME ? query_opt(self, &q, opt, optarg)
                                                               : cli_common_opt(ctx, self, opt, optarg)) >= 0) {
            return rc;
        }
    }
    if (optind < argc)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
    if (q.name) /* query_opt takes --name for every query command; only a lookup has a QUERY to give */
        return cli_usage_error(self, "--name is for the commands that look someone up (child, person, address, "
                                     "missing)");
    cpi_store *st;
    cpi_grant g;
    cpi_txn *txn;
    if ((rc = query_authorise(ctx, "agenda", &q, &st, &g)) >= 0 || (rc = query_snapshot(st, &txn)) >= 0)
        return rc;
    ao.withhold = q.profile.withhold;
    cpi_error err = {0};
    cpi_arena arena = {0};
    cpi_agenda a;
    cpi_status s = cpi_agenda_build(txn, &ao, &arena, &a, &err);
    cpi_txn_end(txn);
    if (s) {
        cpi_store_close(st);
        cpi_arena_free(&arena);
        if (s == CPI_ERR_USAGE) /* an area the store does not know: the message lists those it does */
            return cli_usage_error(self, "--area: %s", err.msg);
        return cli_fail(&err);
    }
    cpi_desk_shown sh = {0};
    for (uint32_t i = 0; i < a.n; i++) {
        cpi_desk_shown_id(&sh, a.items[i].id);
        for (uint32_t j = 0; j < a.items[i].nnew_refs; j++)
            cpi_desk_shown_ref(&sh, a.items[i].new_refs[j]);
    }
    for (uint32_t i = 0; i < a.nunplaced; i++) {
        cpi_desk_shown_id(&sh, a.unplaced[i].id);
        for (uint32_t j = 0; j < a.unplaced[i].nnew_refs; j++)
            cpi_desk_shown_ref(&sh, a.unplaced[i].new_refs[j]);
    }
    if ((rc = shown_log(ctx, st, &g, &sh)) == EXIT_OK_) {
        if (q.json) {
            cpi_jw w;
            cpi_jw_init(&w, 2);
            cpi_agenda_json_write(&a, &w);
            query_print_jw(&w);
        } else
            rc = cli_print_text(ctx, render_agenda, &a);
    }
    cpi_store_close(st);
    cpi_arena_free(&arena);
    return rc;
}
