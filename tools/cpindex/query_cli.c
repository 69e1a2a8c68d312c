/* query_cli.c - options, the access gate, entity picking and consultation logging for the query commands
 * (see query_cli.h). */
#include "query_cli.h"

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

int query_authorise(cli_ctx *ctx, const char *action, query_opts *q, cpi_store **st, cpi_grant *g)
{
    int rc = cli_require_user(ctx, action, NULL, st, g);
    if (rc)
        return rc;
    cpi_detail allowed = g->view == CPI_VIEW_FULL ? CPI_DETAIL_FULL : CPI_DETAIL_BRIEF;
    if (!q->detail_set)
        q->profile.detail = allowed;
    else if (q->profile.detail > allowed) {
        /*
         * The role rules (audit/access.c) give an officer the summary view: who,
         * warnings, risk levels, whom to call, no free text. --full cannot lift
         * that, but it can show every item of every list at that level instead
         * of the one-screen brief - so it does, and says what it leaves out.
         */
        q->profile.detail = allowed;
        q->profile.max_items = 200;
        q->officer_full = true;
        fprintf(stderr, "cpindex %s: --full for your role (summary view): every list in full, without free-text "
                        "details or the timeline (those need the analyst role)\n", action);
    }
    static const struct {
        unsigned bit;
        cpi_src src;
        int index;
    } r[] = {{CPI_RESTRICTED_POLIT, CPI_SRC_POLIT, 0}, {CPI_RESTRICTED_MARAC, CPI_SRC_MARAC, 1}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        q->profile.contact[r[i].src] = g->contact[r[i].index];
        if (!(g->restricted & r[i].bit))
            q->profile.withhold |= CPI_SRC_BIT(r[i].src);
    }
    return -1;
}

void query_print_json(json_t *o)
{
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(o);
}

/* Write the answer as JSON the way query_print_json prints a tree (JSON_INDENT(2), a newline), without the tree. */
static void query_print_jw(void (*write)(const void *, cpi_jw *), const void *answer)
{
    cpi_jw w;
    cpi_jw_init(&w, 2);
    write(answer, &w);
    if (cpi_jw_print(&w, stdout))
        fprintf(stderr, "cpindex: writing the JSON answer failed (out of memory or output closed)\n");
    cpi_jw_free(&w);
}

int query_pick(cpi_txn *txn, const char *query, cpi_kind kind, const query_opts *q, cpi_arena *arena,
               const char **id, cpi_lookup *l, cpi_error *err)
{
    /* the candidates obey the same gate as the answer: a withheld source's people are counted, not named */
    cpi_lookup_opts lo = {.kind = kind, .dob = q->dob, .withhold = q->profile.withhold};
    memcpy(lo.contact, q->profile.contact, sizeof lo.contact);
    cpi_status s = cpi_lookup_run(txn, query, &lo, arena, l, err);
    if (s)
        return cli_fail(err);
    /* one place, but not in the town the officer gave: a list of one to check, never a profile of another town;
     * one open match beside others the role hides: a list that says so, never the open one as if alone */
    if (l->n == 1 && l->items[0].entity_id && !l->more && l->items[0].area_match >= 0 && !l->withheld) {
        *id = l->items[0].entity_id;
        return -1;
    }
    return l->n == 0 ? EXIT_NOT_FOUND : EXIT_OK_;
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
    if (q->json)
        query_print_json(cpi_lookup_json(l, query));
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

static void push(const char ***arr, size_t *n, size_t *cap, const char *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*arr)[i], v) == 0)
            return;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        const char **na = realloc(*arr, sizeof *na * ncap);
        if (!na)
            return; /* the log then names fewer items; never more than were shown */
        *arr = na;
        *cap = ncap;
    }
    (*arr)[(*n)++] = v;
}

void shown_id(shown *s, const char *id) { push(&s->ids, &s->nids, &s->capids, id); }
void shown_ref(shown *s, const char *ref) { push(&s->refs, &s->nrefs, &s->caprefs, ref); }

static void link_refs(shown *s, const cpi_pf_link *l, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        shown_id(s, l[i].via_id);
        for (uint32_t r = 0; r < l[i].nrefs; r++)
            shown_ref(s, l[i].refs[r]);
    }
}

void shown_profile(shown *s, const cpi_profile *p)
{
    shown_id(s, p->entity_id);
    for (uint32_t i = 0; i < p->nrisky_people; i++) {
        const cpi_pf_person *r = &p->risky_people[i];
        shown_id(s, r->id);
        link_refs(s, r->links, r->nlinks);
        for (uint32_t j = 0; j < r->noccurrences; j++) {
            shown_id(s, r->occurrences[j].other_id);
            for (uint32_t k = 0; k < r->occurrences[j].nrefs; k++)
                shown_ref(s, r->occurrences[j].refs[k]);
        }
        for (uint32_t j = 0; j < r->naddresses; j++)
            shown_id(s, r->address_ids[j]);
    }
    for (uint32_t i = 0; i < p->nplaces; i++) {
        shown_id(s, p->places[i].id);
        link_refs(s, p->places[i].links, p->places[i].nlinks);
        for (uint32_t j = 0; j < p->places[i].nrisky_named; j++)
            shown_id(s, p->places[i].risky_ids[j]);
    }
    for (uint32_t i = 0; i < p->nconnected_children; i++) {
        shown_id(s, p->connected_children[i].id);
        for (uint32_t j = 0; j < p->connected_children[i].nvias; j++)
            shown_id(s, p->connected_children[i].vias[j].id);
    }
    for (uint32_t i = 0; i < p->naddresses; i++)
        shown_id(s, p->addresses[i].id);
    for (uint32_t i = 0; i < p->nreferences; i++)
        shown_ref(s, p->references[i].ref);
    for (uint32_t i = 0; i < p->nwarnings; i++)
        for (uint32_t r = 0; r < p->warnings[i].nrefs; r++)
            shown_ref(s, p->warnings[i].refs[r]);
    for (uint32_t i = 0; i < p->ngaps; i++)
        for (uint32_t r = 0; r < p->gaps[i].nrefs; r++)
            shown_ref(s, p->gaps[i].refs[r]);
    for (uint32_t i = 0; i < p->ntimeline; i++)
        shown_ref(s, p->timeline[i].ref);
}

void shown_lookup(shown *s, const cpi_lookup *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        shown_id(s, l->items[i].entity_id);
        shown_ref(s, l->items[i].mention_ref);
    }
}

int shown_log(cli_ctx *ctx, cpi_store *st, const cpi_grant *g, shown *s)
{
    int rc = cli_log_consultation(ctx, st, g, s->ids, s->nids, s->refs, s->nrefs);
    free(s->ids);
    free(s->refs);
    memset(s, 0, sizeof *s);
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
    const void *answer;
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
    cpi_grant g;
    cpi_txn *txn;
    if ((rc = query_authorise(ctx, self->name, &q, &st, &g)) >= 0 || (rc = query_snapshot(st, &txn)) >= 0)
        return rc;
    cpi_error err = {0};
    cpi_arena arena = {0};
    const char *id = NULL;
    cpi_lookup l;
    void *answer = calloc(1, a->size);
    bool have = false;
    if (!answer) {
        cpi_txn_end(txn);
        cpi_store_close(st);
        cpi_error_set(&err, CPI_ERR_NOMEM, "out of memory");
        return cli_fail(&err);
    }
    rc = query_pick(txn, query, a->kind, &q, &arena, &id, &l, &err);
    if (rc < 0) {
        if (a->build(txn, id, &q.profile, &arena, answer, &err))
            rc = cli_fail(&err);
        else
            have = true;
    }
    if (have && !q.json && a->fit) {
        cli_term t;
        cli_term_get(ctx, &t);
        a->fit(answer, &q, &t, self->name);
    }
    cpi_txn_end(txn); /* the answer lives in the arena now: log before showing it */
    shown sh = {0};
    if (have)
        a->shown(&sh, answer);
    else if (rc == EXIT_OK_ || rc == EXIT_NOT_FOUND)
        shown_lookup(&sh, &l);
    int found = rc; /* a search that found nothing is a consultation too */
    if ((have || rc == EXIT_OK_ || rc == EXIT_NOT_FOUND) && (rc = shown_log(ctx, st, &g, &sh)) == EXIT_OK_) {
        if (have) {
            if (a->note)
                a->note(answer, id);
            if (q.json && a->json_write)
                query_print_jw(a->json_write, answer);
            else if (q.json)
                query_print_json(a->json(answer));
            else {
                answer_text at = {a, answer};
                rc = cli_print_text(ctx, render_answer, &at);
            }
        } else {
            query_print_candidates(ctx, &l, query, &q);
            rc = found;
        }
    }
    free(answer);
    cpi_store_close(st);
    cpi_arena_free(&arena);
    return rc;
}

/* ------------------------------------------------------------------ child and person */

/* A profile, and when its text is the one-screen brief, how it was fitted (render/profile_screen.h). */
typedef struct profile_answer {
    cpi_profile p; /* first: the answer is a cpi_profile to everything but the text */
    cpi_pf_screen screen;
    bool fitted;
} profile_answer;

static cpi_status profile_build(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena,
                                void *out, cpi_error *err)
{
    return cpi_profile_build(txn, id, opts, arena, &((profile_answer *)out)->p, err);
}
static void profile_shown(shown *s, const void *a) { shown_profile(s, &((const profile_answer *)a)->p); }
static json_t *profile_json(const void *a) { return cpi_profile_json(&((const profile_answer *)a)->p); }
static void profile_json_write(const void *a, cpi_jw *w) { cpi_profile_json_write(&((const profile_answer *)a)->p, w); }
static void profile_text(const void *a, FILE *out, int width)
{
    const profile_answer *pa = a;
    if (pa->fitted)
        cpi_profile_screen_text(&pa->p, &pa->screen, out, width);
    else
        cpi_profile_text(&pa->p, out, width);
}
/*
 * The brief view (an officer's, or --detail brief) is one screen: warnings
 * first, the most important items, "N more" lines (issue 18: answers of
 * 107-164 lines scrolled the warnings away). An officer's --full, and every
 * full view, print every list as before.
 */
static void profile_fit(void *a, const query_opts *q, const cli_term *t, const char *command)
{
    profile_answer *pa = a;
    if (pa->p.detail != CPI_DETAIL_BRIEF || q->officer_full)
        return;
    cpi_profile_screen_fit(&pa->p, t->width >= 40 ? t->width : 40, query_screen_lines(t), q->profile.max_items,
                           command, &pa->screen);
    pa->fitted = true;
}
static void child_note(const void *answer, const char *id)
{
    const cpi_profile *p = &((const profile_answer *)answer)->p;
    if (!p->is_child)
        fprintf(stderr, "cpindex child: %s is not recorded as a child; showing what is held on them "
                        "(see also 'cpindex person')\n", id);
}

int query_profile_command(cli_ctx *ctx, const cli_command *self, int argc, char **argv, bool child)
{
    const query_answer a = {CPI_KIND_PERSON, sizeof(profile_answer), profile_build, profile_shown,
                            profile_json,    profile_text,           child ? child_note : NULL,
                            profile_json_write, profile_fit};
    return query_command(ctx, self, argc, argv, &a);
}
