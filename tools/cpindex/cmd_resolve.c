/* cmd_resolve.c - `cpindex resolve`: link the store's mentions into entities and report how. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "audit/audit.h"
#include "resolve/resolve.h"
#include "graph/graph.h"
#include "render/jsonw.h"

static void progress(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
    (void)ctx;
    if (total)
        fprintf(stderr, "\r%-14s %llu / %llu   ", stage, (unsigned long long)done, (unsigned long long)total);
    else
        fprintf(stderr, "\r%-14s %llu   ", stage, (unsigned long long)done);
}

static const char *const KINDS[] = {NULL, "person", "location", "phone", "online"};

static void kints(cpi_jw *w, const char *const *keys, const uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cpi_jw_kint(w, keys[i], (long long)v[i]);
}

/* {"mentions": a, "linked": b, "ambiguous": c} */
static void counted_linked(cpi_jw *w, const char *key, uint64_t a, uint64_t b, uint64_t c)
{
    static const char *const K[] = {"mentions", "linked", "ambiguous"};
    cpi_jw_key(w, key);
    cpi_jw_obj(w);
    kints(w, K, (const uint64_t[]){a, b, c}, 3);
    cpi_jw_obj_end(w);
}

static void kind_json(cpi_jw *w, const cpi_resolve_kind_report *k)
{
    static const char *const K[] = {"mentions",       "entities", "scored",  "pairs",        "link_pairs",
                                    "possible_pairs", "joined",   "refused", "by_identifier"};
    cpi_jw_obj(w);
    kints(w, K,
          (const uint64_t[]){k->mentions, k->entities, k->scored, k->pairs, k->link_pairs, k->possible_pairs,
                             k->joined, k->refused, k->deterministic},
          9);
    counted_linked(w, "weak", k->weak, k->weak_linked, k->weak_ambiguous);
    counted_linked(w, "unpinned", k->lone, k->lone_linked, k->lone_ambiguous);
    cpi_jw_kint(w, "second_look_linked", (long long)k->relinked);
    cpi_jw_kint(w, "review", (long long)k->review);
    cpi_jw_kint(w, "ambiguous", (long long)k->ambiguous);
    static const char *const ID[] = {"kept", "new", "retired", "splits", "merges"};
    cpi_jw_key(w, "ids");
    cpi_jw_obj(w);
    kints(w, ID, (const uint64_t[]){k->kept_ids, k->new_ids, k->retired_ids, k->splits, k->merges}, 5);
    cpi_jw_obj_end(w);
    if (k->trained) {
        cpi_jw_key(w, "em");
        cpi_jw_obj(w);
        cpi_jw_kint(w, "iterations", k->em.iterations);
        cpi_jw_kbool(w, "converged", k->em.converged);
        cpi_jw_kreal(w, "max_change", k->em.max_change);
        cpi_jw_kint(w, "patterns", (long long)k->em.distinct_patterns);
        cpi_jw_kreal(w, "lambda", k->lambda);
        cpi_jw_obj_end(w);
    }
    cpi_jw_obj_end(w);
}

static void print_json(const char *path, const cpi_resolve_report *r, bool dry)
{
    cpi_jw w;
    cpi_jw_init(&w, 2);
    cpi_jw_obj(&w);
    cpi_jw_kstr(&w, "path", path);
    cpi_jw_kbool(&w, "dry_run", dry);
    cpi_jw_kint(&w, "records", (long long)r->records);
    cpi_jw_kint(&w, "mentions", (long long)r->mentions);
    cpi_jw_key(&w, "thresholds");
    cpi_jw_obj(&w);
    cpi_jw_kreal(&w, "link", r->link);
    cpi_jw_kreal(&w, "possible", r->possible);
    cpi_jw_obj_end(&w);
    static const char *const OV[] = {"same", "different", "conflicting"};
    cpi_jw_key(&w, "overrides");
    cpi_jw_obj(&w);
    kints(&w, OV, (const uint64_t[]){r->overrides_same, r->overrides_different, r->overrides_broken}, 3);
    cpi_jw_obj_end(&w);
    cpi_jw_key(&w, "kinds");
    cpi_jw_obj(&w);
    for (int k = 1; k <= CPI_KIND_COUNT; k++) {
        cpi_jw_key(&w, KINDS[k]);
        kind_json(&w, &r->kind[k]);
    }
    cpi_jw_obj_end(&w);
    cpi_jw_key(&w, "blocking");
    cpi_jw_arr(&w);
    static const char *const RULE[] = {"keys", "blocks", "capped", "largest", "pairs"};
    for (unsigned i = 0; i < r->nrules; i++) {
        const cpi_resolve_rule_report *x = &r->rules[i];
        cpi_jw_obj(&w);
        cpi_jw_kstr(&w, "rule", x->name);
        kints(&w, RULE, (const uint64_t[]){x->keys, x->blocks, x->capped, x->largest, x->pairs}, 5);
        cpi_jw_obj_end(&w);
    }
    cpi_jw_arr_end(&w);
    cpi_jw_key(&w, "seconds");
    cpi_jw_obj(&w);
    cpi_jw_kreal(&w, "load", r->seconds_load);
    cpi_jw_kreal(&w, "places", r->seconds_places);
    cpi_jw_kreal(&w, "people", r->seconds_people);
    cpi_jw_kreal(&w, "write", r->seconds_write);
    cpi_jw_kreal(&w, "total", r->seconds_total);
    cpi_jw_kreal(&w, "cpu", r->cpu_seconds);
    cpi_jw_obj_end(&w);
    cpi_jw_key(&w, "guard");
    cpi_jw_obj(&w);
    cpi_jw_kbool(&w, "forenames", r->guard_forenames);
    cpi_jw_kint(&w, "dob_days", r->guard_dob_days);
    cpi_jw_obj_end(&w);
    cpi_jw_obj_end(&w);
    cpi_jw_print(&w, stdout);
    cpi_jw_free(&w);
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
