/* query_cli.c - options, asking the desk and printing its answer, and the gate and consultation logging of
 * agenda and analyse, for the query commands (see query_cli.h). */
#include "query_cli.h"
#include "core/array.h"

#include "render/lookup_render.h"
#include "render/profile_render.h"
#include "render/profile_screen.h"

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
        q->detail_set = true;
        return -1;
    case QOPT_DETAIL:
        if (strcmp(arg, "brief") == 0)
            q->profile.detail = CPI_DETAIL_BRIEF;
        else if (strcmp(arg, "full") == 0)
            q->profile.detail = CPI_DETAIL_FULL;
        else
            return cli_usage_error(cmd, "--detail takes 'brief' or 'full', not '%s'", arg);
        q->detail_set = true;
        return -1;
    case QOPT_WITHHOLD:
        if (strcmp(arg, "restricted") == 0)
            q->profile.withhold |= CPI_SRC_RESTRICTED;
        else if (!cpi_src_parse_list(arg, &q->profile.withhold, &bad))
            return cli_usage_error(cmd, "--withhold: '%s' is not a source (niche, miraf, mace, marac, polit, soc, "
                                        "or 'restricted' for marac,polit)", bad);
        return -1;
    case QOPT_NAME:
        /* operations.md and officers' habits write `child --name '...'`: the same QUERY as the bare words */
        if (!*arg)
            return cli_usage_error(cmd, "--name takes the name (or any QUERY) to look up");
        q->name = arg;
        return -1;
    default:
        return EXIT_USAGE;
    }
}

int query_parse(cli_ctx *ctx, const cli_command *self, int argc, char **argv, query_opts *q, char *query,
                size_t cap, bool need_query)
{
    static const struct option longopts[] = {QUERY_LONGOPTS, CLI_COMMON_LONGOPTS, {0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int rc = opt >= QOPT_JSON && opt <= QOPT_NAME ? query_opt(self, q, opt, optarg)
                                                       : cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    size_t n = 0;
    query[0] = '\0';
    for (int i = optind; i < argc && n < cap; i++) /* a name may come as several words without quotes */
        n += (size_t)snprintf(query + n, cap - n, "%s%s", n ? " " : "", argv[i]);
    if (q->name && query[0])
        return cli_usage_error(self, "give the QUERY once: either --name '%s' or '%s', not both", q->name, query);
    if (q->name && !need_query)
        return cli_usage_error(self, "--name is for the commands that look someone up (child, person, address, "
                                     "missing)");
    if (q->name)
        snprintf(query, cap, "%s", q->name);
    if (need_query && !query[0])
        return cli_usage_error(self, "give a QUERY: a name, an entity id or a reference");
    if (!need_query && query[0])
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
    return -1;
}

/* The officer's --full note, on stderr before anything else the command says. */
static void officer_full_note(const char *action)
{
    fprintf(stderr, "cpindex %s: --full for your role (summary view): every list in full, without free-text "
                    "details or the timeline (those need the analyst role)\n", action);
}

int query_authorise(cli_ctx *ctx, const char *action, query_opts *q, cpi_store **st, cpi_grant *g)
{
    int rc = cli_require_user(ctx, action, NULL, st, g);
    if (rc)
        return rc;
    if ((q->officer_full = cpi_desk_shape(g, q->detail_set, &q->profile)))
        officer_full_note(action);
    return -1;
}

void query_print_jw(cpi_jw *w)
{
    if (cpi_jw_print(w, stdout))
        fprintf(stderr, "cpindex: writing the JSON answer failed (out of memory or output closed)\n");
    cpi_jw_free(w);
}

typedef struct candidates_text {
    const cpi_lookup *l;
    const char *query;
} candidates_text;

/* cli_print_text's renderer for a candidate list (the lookup renders at its own width). */
static void render_candidates(const void *arg, FILE *out, int width)
{
    (void)width;
    const candidates_text *c = arg;
    cpi_lookup_text(c->l, c->query, out);
}

int query_screen_lines(const cli_term *t)
{
    int lines = 23;
    if (t->tty && t->height > 1 && t->height - 1 < lines)
        lines = t->height - 1;
    return lines < 12 ? 12 : lines;
}

void query_print_candidates(const cli_ctx *ctx, const cpi_lookup *l, const char *query, const query_opts *q)
{
    if (q->json) {
        cpi_jw w;
        cpi_jw_init(&w, 2);
        cpi_lookup_json_write(l, query, &w);
        query_print_jw(&w);
    }
    else if (l->n == 0 && l->withheld)
        cpi_lookup_text(l, query, stdout); /* "nothing" would be false: say restricted information is held */
    else if (l->n == 0)
        fprintf(stderr, "cpindex: nothing matches '%s' (read as %s)%s\n", query, l->query_kind ? l->query_kind : "?",
                q->dob ? " with that date of birth" : "");
    else {
        candidates_text c = {l, query};
        cli_print_text(ctx, render_candidates, &c);
    }
}

/* ------------------------------------------------------------------ what was shown */

int shown_log(cli_ctx *ctx, cpi_store *st, const cpi_grant *g, cpi_desk_shown *s)
{
    int rc = cli_log_consultation(ctx, st, g, s->ids, s->nids, s->refs, s->nrefs);
    cpi_desk_shown_free(s);
    return rc;
}

int query_snapshot(cpi_store *st, cpi_txn **txn)
{
    cpi_error err = {0};
    if (cpi_store_read_begin(st, txn, &err)) {
        cpi_store_close(st);
        return cli_fail(&err);
    }
    return -1;
}

/* ------------------------------------------------------------------ the sequence every query follows */

typedef struct answer_text {
    const query_answer *a;
    const cpi_desk_answer *answer;
} answer_text;

/* cli_print_text's renderer for an answer: its own text function at the terminal's width. */
static void render_answer(const void *arg, FILE *out, int width)
{
    const answer_text *t = arg;
    t->a->text(t->answer, out, width);
}

int query_command(cli_ctx *ctx, const cli_command *self, int argc, char **argv, const query_answer *a)
{
    query_opts q = {0};
    char query[512];
    int rc = query_parse(ctx, self, argc, argv, &q, query, sizeof query, true);
    if (rc >= 0)
        return rc;
    cpi_store *st;
    const char *user, *reason;
    if ((rc = cli_identify(ctx, self->name, NULL, &st, &user, &reason)))
        return rc;
    char logged[2048]; /* the log names the command's arguments, minus who, why and where */
    cli_query_text(ctx, logged, sizeof logged);
    cpi_desk_request rq = {.kind = a->kind, .user = user, .reason = reason, .query = query, .logged_query = logged,
                           .dob = q.dob, .opts = q.profile, .detail_set = q.detail_set};
    if (!q.json && a->fit) {
        cli_term t;
        cli_term_get(ctx, &t);
        rq.screen_width = t.width;
        rq.screen_lines = query_screen_lines(&t);
    }
    cpi_error err = {0};
    cpi_desk_answer *ans = calloc(1, sizeof *ans);
    if (!ans) {
        cpi_store_close(st);
        cpi_error_set(&err, CPI_ERR_NOMEM, "out of memory");
        return cli_fail(&err);
    }
    cpi_status s = cpi_desk_consult(st, &rq, ans, &err);
    if (ans->officer_full)
        officer_full_note(self->name);
    if (s)
        rc = ans->step == CPI_DESK_AUTHORISE ? cli_refused(self->name, &err)
             : ans->step == CPI_DESK_LOG     ? cli_log_failed(self->name, &err)
                                             : cli_fail(&err);
    else if (ans->entity_id) {
        rc = EXIT_OK_;
        if (a->note)
            a->note(ans);
        if (q.json) {
            cpi_jw w;
            cpi_jw_init(&w, 2);
            a->json_write(ans, &w);
            query_print_jw(&w);
        } else {
            answer_text at = {a, ans};
            rc = cli_print_text(ctx, render_answer, &at);
        }
    } else {
        query_print_candidates(ctx, &ans->lookup, query, &q);
        rc = ans->lookup.n == 0 ? EXIT_NOT_FOUND : EXIT_OK_;
    }
    cpi_desk_answer_free(ans);
    free(ans);
    cpi_store_close(st);
    return rc;
}

/* ------------------------------------------------------------------ child and person */

static void profile_json_write(const cpi_desk_answer *a, cpi_jw *w) { cpi_profile_json_write(&a->profile, w); }
/* The brief view is one screen (the desk fitted it: desk.h); an officer's --full and every full view are not. */
static void profile_text(const cpi_desk_answer *a, FILE *out, int width)
{
    if (a->fitted)
        cpi_profile_screen_text(&a->profile, &a->profile_screen, out, width);
    else
        cpi_profile_text(&a->profile, out, width);
}
static void child_note(const cpi_desk_answer *a)
{
    if (!a->profile.is_child)
        fprintf(stderr, "cpindex child: %s is not recorded as a child; showing what is held on them "
                        "(see also 'cpindex person')\n", a->entity_id);
}

int query_profile_command(cli_ctx *ctx, const cli_command *self, int argc, char **argv, bool child)
{
    const query_answer a = {child ? CPI_DESK_CHILD : CPI_DESK_PERSON, true, profile_text,
                            child ? child_note : NULL, profile_json_write};
    return query_command(ctx, self, argc, argv, &a);
}
