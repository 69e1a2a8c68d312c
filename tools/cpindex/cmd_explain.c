/* cmd_explain.c - `cpindex explain REF_A REF_B`: every comparison's level and weight for one pair. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "resolve/resolve.h"
#include "render/waterfall.h"

static int print_json(const char *a, const char *b, const cpi_resolve_explanation *x)
{
    cpi_jw w;
    cpi_jw_init(&w, 2);
    cpi_jw_obj(&w);
    cpi_jw_kstr(&w, "a", a);
    cpi_jw_kstr(&w, "b", b);
    cpi_jw_kstr(&w, "kind", cpi_kind_name(x->kind));
    cpi_jw_kstr(&w, "entity_a", x->entity_a);
    cpi_jw_kstr(&w, "entity_b", x->entity_b);
    cpi_jw_kstr(&w, "band", cpi_fs_band_name(x->band));
    cpi_jw_kreal(&w, "link", x->link);
    cpi_jw_kreal(&w, "possible", x->possible);
    cpi_jw_kbool(&w, "same_entity", x->entity_a[0] && strcmp(x->entity_a, x->entity_b) == 0);
    cpi_jw_kstr(&w, "note", x->note);
    cpi_jw_kstr(&w, "kept_apart_by", x->guard[0] ? x->guard : NULL);
    if (x->kind == CPI_KIND_PERSON || x->kind == CPI_KIND_LOCATION) {
        cpi_jw_key(&w, "waterfall");
        cpi_jw_fs_explain(&w, &x->ex);
    }
    cpi_jw_obj_end(&w);
    int rc = cpi_jw_print(&w, stdout) ? EXIT_DATA : EXIT_OK_;
    cpi_jw_free(&w);
    return rc;
}

static void print_text(const char *a, const char *b, const cpi_resolve_explanation *x)
{
    printf("%s  (%s, entity %s)\n%s  (%s, entity %s)\n", a, cpi_kind_name(x->kind), x->entity_a[0] ? x->entity_a : "-",
           b, cpi_kind_name(x->kind), x->entity_b[0] ? x->entity_b : "-");
    bool same = x->entity_a[0] && strcmp(x->entity_a, x->entity_b) == 0;
    printf("resolved: %s\n", same ? "the same entity" : "different entities");
    if (x->kind == CPI_KIND_PERSON || x->kind == CPI_KIND_LOCATION) {
        printf("\n%-14s %-14s %9s %9s %8s\n", "comparison", "level", "m", "u", "weight");
        printf("%-14s %-14s %9s %9s %+8.2f\n", "prior", "", "", "", x->ex.prior);
        for (size_t i = 0; i < x->ex.n_terms; i++) {
            const cpi_fs_term *t = &x->ex.terms[i];
            if (t->is_null)
                printf("%-14s %-14s %9s %9s %+8.2f  (missing on a side: no evidence)\n", t->comparison, t->level, "-",
                       "-", 0.0);
            else
                printf("%-14s %-14s %9.4f %9.4f %+8.2f%s\n", t->comparison, t->level, t->m, t->u, t->log2_bf,
                       t->tf_applied ? "  (u is this value's frequency)" : "");
        }
        printf("%-14s %-14s %9s %9s %+8.2f\n", "total", "", "", "", x->ex.total);
        printf("\nprobability %.6f: %s (link >= %g, review >= %g)\n", x->ex.probability, cpi_fs_band_name(x->band),
               x->link, x->possible);
    } else {
        printf("band: %s\n", cpi_fs_band_name(x->band));
    }
    if (x->note)
        printf("note: %s\n", x->note);
    if (x->guard[0])
        printf("kept apart by the guard: the score links them, but %s\n", x->guard);
}

int cmd_explain(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("explain");
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'}, CLI_COMMON_LONGOPTS, {0}};
    bool json = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'j') {
            json = true;
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (argc - optind != 2)
        return cli_usage_error(self, "name two mentions, e.g. niche:NOM-0000123/1 miraf:MF-2021-000045/1");
    cpi_error err = {0};
    cpi_store *st;
    cpi_grant g;
    int rc = cli_require_user(ctx, "explain", NULL, &st, &g);
    if (rc)
        return rc;
    cpi_resolve_explanation *x = malloc(sizeof *x);
    if (!x) {
        cpi_store_close(st);
        fprintf(stderr, "cpindex: out of memory\n");
        return EXIT_DATA;
    }
    cpi_status s = cpi_resolve_explain(st, argv[optind], argv[optind + 1], x, &err);
    if (s) {
        rc = cli_fail(&err);
    } else {
        /* nothing is shown unless the consultation is logged */
        const char *ids[2], *refs[2] = {argv[optind], argv[optind + 1]};
        size_t nids = 0;
        if (x->entity_a[0])
            ids[nids++] = x->entity_a;
        if (x->entity_b[0] && strcmp(x->entity_b, x->entity_a) != 0)
            ids[nids++] = x->entity_b;
        rc = cli_log_consultation(ctx, st, &g, ids, nids, refs, 2);
    }
    cpi_store_close(st);
    if (!s && rc == EXIT_OK_) {
        if (json)
            rc = print_json(argv[optind], argv[optind + 1], x);
        else
            print_text(argv[optind], argv[optind + 1], x);
    }
    free(x);
    return rc;
}
