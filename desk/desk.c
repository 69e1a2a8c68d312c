/*
 * desk/desk.c - one consultation, from the gate to the log entry (desk.h):
 * authorise, shape the options by the grant, look up and build in one
 * snapshot, fit a brief text answer to its screen, log what is shown.
 */
#include <string.h>

#include "desk/desk.h"

/* Per kind: the permission-table command, and what the query must resolve to. */
static const struct {
    const char *command;
    cpi_kind kind;
} KINDS[] = {
    [CPI_DESK_CHILD] = {"child", CPI_KIND_PERSON},
    [CPI_DESK_PERSON] = {"person", CPI_KIND_PERSON},
    [CPI_DESK_ADDRESS] = {"address", CPI_KIND_LOCATION},
    [CPI_DESK_MISSING] = {"missing", CPI_KIND_PERSON},
};

const char *cpi_desk_command(cpi_desk_kind kind)
{
    return kind >= CPI_DESK_CHILD && kind <= CPI_DESK_MISSING ? KINDS[kind].command : NULL;
}

bool cpi_desk_shape(const cpi_grant *g, bool detail_set, cpi_profile_opts *o)
{
    bool officer_full = false;
    cpi_detail allowed = g->view == CPI_VIEW_FULL ? CPI_DETAIL_FULL : CPI_DETAIL_BRIEF;
    if (!detail_set)
        o->detail = allowed;
    else if (o->detail > allowed) {
        /*
         * The role rules (audit/access.c) give an officer the summary view: who,
         * warnings, risk levels, whom to call, no free text. --full cannot lift
         * that, but it can show every item of every list at that level instead
         * of the one-screen brief - so it does (the caller says what it leaves out).
         */
        o->detail = allowed;
        o->max_items = 200;
        officer_full = true;
    }
    static const struct {
        unsigned bit;
        cpi_src src;
        int index;
    } r[] = {{CPI_RESTRICTED_POLIT, CPI_SRC_POLIT, 0}, {CPI_RESTRICTED_MARAC, CPI_SRC_MARAC, 1}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        o->contact[r[i].src] = g->contact[r[i].index];
        if (!(g->restricted & r[i].bit))
            o->withhold |= CPI_SRC_BIT(r[i].src);
    }
    return officer_full;
}

/* Look the query up; exactly one resolved entity sets a->entity_id, anything else leaves the candidates. */
static cpi_status pick(cpi_txn *txn, const cpi_desk_request *rq, cpi_desk_answer *a, cpi_error *err)
{
    /* the candidates obey the same gate as the answer: a withheld source's people are counted, not named */
    cpi_lookup_opts lo = {.kind = KINDS[rq->kind].kind, .dob = rq->dob, .withhold = a->opts.withhold};
    memcpy(lo.contact, a->opts.contact, sizeof lo.contact);
    cpi_status s = cpi_lookup_run(txn, rq->query, &lo, &a->arena, &a->lookup, err);
    if (s)
        return s;
    /* one place, but not in the town the officer gave: a list of one to check, never a profile of another town;
     * one open match beside others the role hides: a list that says so, never the open one as if alone */
    const cpi_lookup *l = &a->lookup;
    if (l->n == 1 && l->items[0].entity_id && !l->more && l->items[0].area_match >= 0 && !l->withheld)
        a->entity_id = l->items[0].entity_id;
    return CPI_OK;
}

static cpi_status build(cpi_txn *txn, const cpi_desk_request *rq, cpi_desk_answer *a, cpi_error *err)
{
    switch (rq->kind) {
    case CPI_DESK_ADDRESS:
        return cpi_address_build(txn, a->entity_id, &a->opts, &a->arena, &a->place, err);
    case CPI_DESK_MISSING:
        return cpi_missing_build(txn, a->entity_id, &a->opts, &a->arena, &a->plan, err);
    default:
        return cpi_profile_build(txn, a->entity_id, &a->opts, &a->arena, &a->profile, err);
    }
}

/*
 * The brief view (an officer's, or --detail brief) of a profile or a place is
 * one screen: warnings first, the most important items, "N more" lines (issue
 * 18: answers of 107-164 lines scrolled the warnings away). An officer's
 * --full, every full view and a trigger plan show every list.
 */
static void fit(const cpi_desk_request *rq, cpi_desk_answer *a)
{
    int width = rq->screen_width >= 40 ? rq->screen_width : 40;
    if (rq->screen_lines <= 0 || a->officer_full)
        return;
    if ((rq->kind == CPI_DESK_CHILD || rq->kind == CPI_DESK_PERSON) && a->profile.detail == CPI_DETAIL_BRIEF) {
        cpi_profile_screen_fit(&a->profile, width, rq->screen_lines, a->opts.max_items, KINDS[rq->kind].command,
                               &a->profile_screen);
        a->fitted = true;
    } else if (rq->kind == CPI_DESK_ADDRESS && a->place.detail == CPI_DETAIL_BRIEF) {
        cpi_address_screen_fit(&a->place, width, rq->screen_lines, a->opts.max_items, &a->place_screen);
        a->fitted = true;
    }
}

static void shown_answer(const cpi_desk_request *rq, const cpi_desk_answer *a, cpi_desk_shown *sh)
{
    if (!a->entity_id)
        cpi_desk_shown_lookup(sh, &a->lookup);
    else if (rq->kind == CPI_DESK_ADDRESS)
        cpi_desk_shown_place(sh, &a->place);
    else if (rq->kind == CPI_DESK_MISSING)
        cpi_desk_shown_plan(sh, &a->plan);
    else
        cpi_desk_shown_profile(sh, &a->profile);
}

cpi_status cpi_desk_consult(cpi_store *st, const cpi_desk_request *rq, cpi_desk_answer *a, cpi_error *err)
{
    cpi_arena arena = a->arena; /* kept from the last consultation: its blocks are reused */
    memset(a, 0, sizeof *a);
    a->arena = arena;
    cpi_arena_reset(&a->arena);
    a->step = CPI_DESK_AUTHORISE;
    const char *command = cpi_desk_command(rq->kind);
    if (!command || !rq->query)
        return cpi_error_set(err, CPI_ERR_USAGE, "desk: no such consultation, or nothing asked");
    cpi_status s = cpi_access_authorise(st, rq->user, rq->reason, command, &a->grant, err);
    if (s)
        return s;
    a->step = CPI_DESK_READ;
    a->opts = rq->opts;
    a->officer_full = cpi_desk_shape(&a->grant, rq->detail_set, &a->opts);
    cpi_txn *txn;
    if ((s = cpi_store_read_begin(st, &txn, err)))
        return s;
    s = pick(txn, rq, a, err);
    if (!s && a->entity_id)
        s = build(txn, rq, a, err);
    if (!s && a->entity_id)
        fit(rq, a);
    cpi_txn_end(txn); /* the answer lives in the arena now: log it (a write) before anyone shows it */
    if (s)
        return s;
    a->step = CPI_DESK_LOG;
    cpi_desk_shown sh = {0};
    shown_answer(rq, a, &sh); /* a search that found nothing is a consultation too */
    s = cpi_desk_log(st, &a->grant, rq->logged_query ? rq->logged_query : rq->query, sh.ids, sh.nids, sh.refs,
                     sh.nrefs, err);
    cpi_desk_shown_free(&sh);
    if (s)
        return s;
    a->step = CPI_DESK_DONE;
    return CPI_OK;
}

void cpi_desk_answer_free(cpi_desk_answer *a)
{
    cpi_arena_free(&a->arena);
    memset(a, 0, sizeof *a);
}
