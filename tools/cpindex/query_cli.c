/* query_cli.c - options and entity picking shared by the query commands (see query_cli.h). */
#include "query_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int query_opt(const cli_command *cmd, query_opts *q, int opt, const char *arg)
{
    const char *bad;
    switch (opt) {
    case QOPT_JSON:
        q->json = true;
        return -1;
    case QOPT_DOB:
        q->dob = arg;
        return -1;
    case QOPT_FULL:
        q->profile.detail = CPI_DETAIL_FULL;
        return -1;
    case QOPT_DETAIL:
        if (strcmp(arg, "brief") == 0)
            q->profile.detail = CPI_DETAIL_BRIEF;
        else if (strcmp(arg, "full") == 0)
            q->profile.detail = CPI_DETAIL_FULL;
        else
            return cli_usage_error(cmd, "--detail takes 'brief' or 'full', not '%s'", arg);
        return -1;
    case QOPT_WITHHOLD:
        if (strcmp(arg, "restricted") == 0)
            q->profile.withhold = CPI_SRC_RESTRICTED;
        else if (!cpi_src_parse_list(arg, &q->profile.withhold, &bad))
            return cli_usage_error(cmd, "--withhold: '%s' is not a source (niche, miraf, mace, marac, polit, soc, "
                                        "or 'restricted' for marac,polit)", bad);
        return -1;
    case QOPT_WIDTH: {
        char *end;
        long w = strtol(arg, &end, 10);
        if (*end || w < 40 || w > 1000)
            return cli_usage_error(cmd, "--width takes a number of columns from 40 to 1000");
        q->width = (int)w;
        return -1;
    }
    default:
        return EXIT_USAGE;
    }
}

int query_begin(cli_ctx *ctx, cpi_store **st, cpi_txn **txn, cpi_error *err)
{
    cpi_status s = cli_open_store(ctx, CPI_STORE_READONLY, st, err);
    if (s)
        return cli_fail(err);
    s = cpi_store_read_begin(*st, txn, err);
    if (s) {
        cpi_store_close(*st);
        return cli_fail(err);
    }
    return -1;
}

void query_print_json(json_t *o)
{
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(o);
}

int query_pick(cpi_txn *txn, const char *query, cpi_kind kind, const query_opts *q, cpi_arena *arena,
               const char **id, cpi_error *err)
{
    cpi_lookup_opts lo = {.kind = kind, .dob = q->dob};
    cpi_lookup l;
    cpi_status s = cpi_lookup_run(txn, query, &lo, arena, &l, err);
    if (s)
        return cli_fail(err);
    if (l.n == 1 && l.items[0].entity_id && !l.more) {
        *id = l.items[0].entity_id;
        return -1;
    }
    if (q->json) {
        query_print_json(cpi_lookup_json(&l, query));
    } else if (l.n == 0) {
        fprintf(stderr, "cpindex: nothing matches '%s' (read as %s)%s\n", query, l.query_kind ? l.query_kind : "?",
                q->dob ? " with that date of birth" : "");
    } else {
        cpi_lookup_text(&l, query, stdout);
    }
    return l.n == 0 ? EXIT_NOT_FOUND : EXIT_OK_;
}

int query_profile_command(cli_ctx *ctx, const cli_command *self, int argc, char **argv, bool child)
{
    static const struct option longopts[] = {QUERY_LONGOPTS, CLI_COMMON_LONGOPTS, {0}};
    query_opts q = {.width = 100};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int rc = opt >= QOPT_JSON && opt <= QOPT_WIDTH ? query_opt(self, &q, opt, optarg)
                                                       : cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (optind >= argc)
        return cli_usage_error(self, "give a QUERY: a name, an entity id or a reference");
    /* a name may come as several words without quotes */
    char query[512] = "";
    size_t n = 0;
    for (int i = optind; i < argc && n < sizeof query; i++)
        n += (size_t)snprintf(query + n, sizeof query - n, "%s%s", n ? " " : "", argv[i]);

    cpi_error err = {0};
    cpi_store *st;
    cpi_txn *txn;
    int rc = query_begin(ctx, &st, &txn, &err);
    if (rc >= 0)
        return rc;
    cpi_arena arena = {0};
    const char *id = NULL;
    rc = query_pick(txn, query, CPI_KIND_PERSON, &q, &arena, &id, &err);
    if (rc < 0) {
        cpi_profile p;
        cpi_status s = cpi_profile_build(txn, id, &q.profile, &arena, &p, &err);
        if (s) {
            rc = cli_fail(&err);
        } else {
            if (child && !p.is_child)
                fprintf(stderr, "cpindex child: %s is not recorded as a child; showing what is held on them "
                                "(see also 'cpindex person')\n", id);
            if (q.json)
                query_print_json(cpi_profile_json(&p));
            else
                cpi_profile_text(&p, stdout, q.width);
            rc = EXIT_OK_;
        }
    }
    cpi_txn_end(txn);
    cpi_store_close(st);
    cpi_arena_free(&arena);
    return rc;
}
