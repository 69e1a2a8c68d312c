/* cmd_resolve.c - `cpindex resolve`: link the store's mentions into entities and report how. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "audit/audit.h"
#include "resolve/resolve.h"

static void progress(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
    (void)ctx;
    if (total)
        fprintf(stderr, "\r%-14s %llu / %llu   ", stage, (unsigned long long)done, (unsigned long long)total);
    else
        fprintf(stderr, "\r%-14s %llu   ", stage, (unsigned long long)done);
}

static const char *const KINDS[] = {NULL, "person", "location", "phone", "online"};

static json_t *kind_json(const cpi_resolve_kind_report *k)
{
    json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "mentions", (json_int_t)k->mentions,
                          "entities", (json_int_t)k->entities, "scored", (json_int_t)k->scored, "pairs",
                          (json_int_t)k->pairs, "link_pairs", (json_int_t)k->link_pairs, "possible_pairs",
                          (json_int_t)k->possible_pairs, "joined", (json_int_t)k->joined, "refused",
                          (json_int_t)k->refused, "by_identifier", (json_int_t)k->deterministic);
    json_object_set_new(o, "weak", json_pack("{s:I, s:I, s:I}", "mentions", (json_int_t)k->weak, "linked",
                                             (json_int_t)k->weak_linked, "ambiguous", (json_int_t)k->weak_ambiguous));
    json_object_set_new(o, "unpinned", json_pack("{s:I, s:I, s:I}", "mentions", (json_int_t)k->lone, "linked",
                                                 (json_int_t)k->lone_linked, "ambiguous",
                                                 (json_int_t)k->lone_ambiguous));
    json_object_set_new(o, "second_look_linked", json_integer((json_int_t)k->relinked));
    json_object_set_new(o, "review", json_integer((json_int_t)k->review));
    json_object_set_new(o, "ambiguous", json_integer((json_int_t)k->ambiguous));
    json_object_set_new(o, "ids", json_pack("{s:I, s:I, s:I, s:I, s:I}", "kept", (json_int_t)k->kept_ids, "new",
                                            (json_int_t)k->new_ids, "retired", (json_int_t)k->retired_ids, "splits",
                                            (json_int_t)k->splits, "merges", (json_int_t)k->merges));
    if (k->trained)
        json_object_set_new(o, "em", json_pack("{s:i, s:b, s:f, s:I, s:f}", "iterations", k->em.iterations,
                                               "converged", k->em.converged, "max_change", k->em.max_change,
                                               "patterns", (json_int_t)k->em.distinct_patterns, "lambda",
                                               k->lambda));
    return o;
}

static void print_json(const char *path, const cpi_resolve_report *r, bool dry)
{
    json_t *kinds = json_object();
    for (int k = 1; k <= CPI_KIND_COUNT; k++)
        json_object_set_new(kinds, KINDS[k], kind_json(&r->kind[k]));
    json_t *rules = json_array();
    for (unsigned i = 0; i < r->nrules; i++) {
        const cpi_resolve_rule_report *x = &r->rules[i];
        json_array_append_new(rules, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "rule", x->name, "keys",
                                               (json_int_t)x->keys, "blocks", (json_int_t)x->blocks, "capped",
                                               (json_int_t)x->capped, "largest", (json_int_t)x->largest, "pairs",
                                               (json_int_t)x->pairs));
    }
    json_t *o = json_pack("{s:s, s:b, s:I, s:I, s:{s:f, s:f}, s:{s:I, s:I, s:I}, s:o, s:o, s:{s:f, s:f, s:f, s:f, "
                          "s:f, s:f}}",
                          "path", path, "dry_run", dry, "records", (json_int_t)r->records, "mentions",
                          (json_int_t)r->mentions, "thresholds", "link", r->link, "possible", r->possible,
                          "overrides", "same", (json_int_t)r->overrides_same, "different",
                          (json_int_t)r->overrides_different, "conflicting", (json_int_t)r->overrides_broken,
                          "kinds", kinds, "blocking", rules, "seconds", "load", r->seconds_load, "places",
                          r->seconds_places, "people", r->seconds_people, "write", r->seconds_write, "total",
                          r->seconds_total, "cpu", r->cpu_seconds);
    json_object_set_new(o, "guard", json_pack("{s:b, s:i}", "forenames", r->guard_forenames, "dob_days",
                                              r->guard_dob_days));
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(o);
}

static void print_text(const char *path, const cpi_resolve_report *r, bool dry)
{
    printf("resolve %s: %llu records, %llu mentions in %.1f s%s\n", path, (unsigned long long)r->records,
           (unsigned long long)r->mentions, r->seconds_total, dry ? " (dry run: nothing written)" : "");
    printf("thresholds  link at probability >= %g, review (possible) >= %g  (--link, --possible)\n", r->link,
           r->possible);
    printf("guard       %s; DOBs no typo explains conflict beyond %d days%s\n",
           r->guard_forenames ? "two forenames are two people" : "forenames do not conflict (this data's matches "
                                                                "often differ on them)",
           r->guard_dob_days, r->guard_dob_days > 31 ? " (this data's matches are often that far out)" : "");
    if (r->overrides_same || r->overrides_different)
        printf("decisions   %llu same, %llu different obeyed%s\n", (unsigned long long)r->overrides_same,
               (unsigned long long)r->overrides_different,
               r->overrides_broken ? "; some --same decisions join conflicting records: check them" : "");
    printf("\n%-9s %9s %9s %9s %9s %8s %8s %8s %7s\n", "kind", "mentions", "entities", "pairs", "linked", "refused",
           "review", "new ids", "kept");
    for (int k = 1; k <= CPI_KIND_COUNT; k++) {
        const cpi_resolve_kind_report *x = &r->kind[k];
        printf("%-9s %9llu %9llu %9llu %9llu %8llu %8llu %8llu %7llu\n", KINDS[k], (unsigned long long)x->mentions,
               (unsigned long long)x->entities, (unsigned long long)x->pairs,
               (unsigned long long)(x->joined + x->deterministic), (unsigned long long)x->refused,
               (unsigned long long)x->review, (unsigned long long)x->new_ids, (unsigned long long)x->kept_ids);
    }
    const cpi_resolve_kind_report *p = &r->kind[CPI_KIND_PERSON];
    printf("\nweak people (first name and age, street name): %llu, linked through context %llu, ambiguous %llu\n",
           (unsigned long long)p->weak, (unsigned long long)p->weak_linked, (unsigned long long)p->weak_ambiguous);
    printf("named people whose entity had no DOB or id (a MACE adult by name): %llu, linked through context %llu, "
           "ambiguous %llu\n",
           (unsigned long long)p->lone, (unsigned long long)p->lone_linked, (unsigned long long)p->lone_ambiguous);
    printf("possible pairs linked on a second look (a related person now shared): %llu\n",
           (unsigned long long)p->relinked);
    printf("people without a DOB left alone because two conflicting entities fit them: %llu\n",
           (unsigned long long)p->ambiguous);
    const cpi_resolve_kind_report *l = &r->kind[CPI_KIND_LOCATION];
    printf("places by name only (a school): %llu, linked to the place of that name %llu, ambiguous %llu\n",
           (unsigned long long)l->weak, (unsigned long long)l->weak_linked, (unsigned long long)l->weak_ambiguous);
    for (int k = 1; k <= CPI_KIND_COUNT; k++) {
        const cpi_resolve_kind_report *x = &r->kind[k];
        if (x->splits || x->merges || x->retired_ids)
            printf("%s ids: %llu split, %llu merged, %llu retired since the last resolve\n", KINDS[k],
                   (unsigned long long)x->splits, (unsigned long long)x->merges, (unsigned long long)x->retired_ids);
    }
    printf("\nblocking rule          blocks   largest   capped      pairs\n");
    for (unsigned i = 0; i < r->nrules; i++) {
        const cpi_resolve_rule_report *x = &r->rules[i];
        printf("%-20s %8llu %9llu %8llu %10llu\n", x->name, (unsigned long long)x->blocks,
               (unsigned long long)x->largest, (unsigned long long)x->capped, (unsigned long long)x->pairs);
    }
    for (int k = 1; k <= 2; k++) {
        const cpi_resolve_kind_report *x = &r->kind[k];
        if (x->trained)
            printf("%s model: EM %d iterations%s, %zu patterns, prior %.4f\n", KINDS[k], x->em.iterations,
                   x->em.converged ? " (converged)" : " (NOT converged)", x->em.distinct_patterns, x->lambda);
    }
    printf("time: load %.1f s, places %.1f s, people %.1f s, write %.1f s (wall); %.1f s of processor time\n",
           r->seconds_load, r->seconds_places, r->seconds_people, r->seconds_write, r->cpu_seconds);
}

static int parse_prob(const cli_command *self, const char *opt, const char *arg, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (*end || !(v > 0 && v < 1))
        return cli_usage_error(self, "%s needs a probability between 0 and 1, not '%s'", opt, arg);
    *out = v;
    return -1;
}

int cmd_resolve(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("resolve");
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"link", required_argument, NULL, 'l'},
                                             {"possible", required_argument, NULL, 'p'},
                                             {"block-cap", required_argument, NULL, 'c'},
                                             {"dry-run", no_argument, NULL, 'n'},
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    cpi_resolve_opts o;
    cpi_resolve_opts_default(&o);
    bool json = false;
    int opt, rc;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            json = true;
            continue;
        case 'n':
            o.dry_run = true;
            continue;
        case 'l':
            if ((rc = parse_prob(self, "--link", optarg, &o.link)) >= 0)
                return rc;
            continue;
        case 'p':
            if ((rc = parse_prob(self, "--possible", optarg, &o.possible)) >= 0)
                return rc;
            continue;
        case 'c': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 2 || v > 1000000)
                return cli_usage_error(self, "--block-cap needs a number of mentions from 2 to 1000000");
            o.block_cap = (uint32_t)v;
            continue;
        }
        }
        if ((rc = cli_common_opt(ctx, self, opt, optarg)) >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
    if (o.possible > o.link)
        return cli_usage_error(self, "--possible (%g) must not be above --link (%g)", o.possible, o.link);
    o.now = (int64_t)time(NULL);
    if (isatty(STDERR_FILENO))
        o.progress = progress;

    cpi_error err = {0};
    cpi_store *st;
    cpi_grant g;
    int grc = cli_require_user(ctx, "resolve", NULL, &st, &g);
    if (grc)
        return grc;
    o.user = g.user, o.reason = g.reason, o.command = "resolve";
    cpi_resolve_report rep;
    cpi_status s = cpi_resolve_run(st, &o, &rep, &err);
    cpi_store_close(st);
    if (o.progress)
        fprintf(stderr, "\r%-40s\r", "");
    if (s)
        return cli_fail(&err);
    if (json) {
        print_json(ctx->db_path, &rep, o.dry_run);
    } else {
        print_text(ctx->db_path, &rep, o.dry_run);
        if (!o.dry_run)
            printf("graph: %llu entities, %llu edges, %llu networks (largest %llu), %llu communities, built in %.1f s\n",
                   (unsigned long long)rep.graph.entities, (unsigned long long)rep.graph.edges,
                   (unsigned long long)rep.graph.components, (unsigned long long)rep.graph.largest_component,
                   (unsigned long long)rep.graph.communities,
                   rep.graph.seconds_scan + rep.graph.seconds_analytics + rep.graph.seconds_write);
    }
    return EXIT_OK_;
}
