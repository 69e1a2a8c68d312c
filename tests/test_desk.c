/*
 * test_desk.c - the consultation desk (desk/desk.h) on the hand-made force of
 * query_fixture.h: a refusal reads and logs nothing; an answer is logged with
 * exactly the ids and references it shows, under the user, the command and the
 * question; the grant shapes it (an analyst without marac has MARAC withheld;
 * an officer's --full is every list at the summary level; an officer's brief
 * answer is fitted to the screen before it is logged); several matches are
 * candidates, logged too; an address and a trigger plan are answered as well.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "desk/desk.h"
#include "query_fixture.h"

#define WHY "testing the consultation desk"

typedef struct last_entry {
    unsigned n;
    char user[CPI_USER_MAX], command[32], query[128];
    uint32_t nentities, nrefs;
} last_entry;

static cpi_status note(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    last_entry *l = ctx;
    l->n++;
    snprintf(l->user, sizeof l->user, "%s", e->user);
    snprintf(l->command, sizeof l->command, "%s", e->command);
    snprintf(l->query, sizeof l->query, "%s", e->query ? e->query : "");
    l->nentities = e->nentities;
    l->nrefs = e->nrefs;
    return CPI_OK;
}

static last_entry consultations(fx_store *f)
{
    last_entry l = {0};
    cpi_audit_filter flt = {.kind = CPI_AUDIT_CONSULTATION};
    assert_int_equal(cpi_audit_query(f->st, &flt, note, &l, NULL), CPI_OK);
    return l;
}

static void add(fx_store *f, const char *name, const char *roles)
{
    char owner[CPI_USER_MAX];
    cpi_grant g;
    unsigned bits;
    cpi_error err = {0};
    assert_int_equal(cpi_access_owner(f->st, owner, &err), CPI_OK);
    assert_int_equal(cpi_access_authorise(f->st, owner, WHY, "user", &g, &err), CPI_OK);
    assert_int_equal(cpi_roles_parse(roles, &bits, NULL), CPI_OK);
    if (cpi_access_user_add(f->st, &g, name, bits, &err) != CPI_OK)
        fail_msg("user add %s: %s", name, err.msg);
}

static int setup(void **state)
{
    fx_store *f = fx_open();
    if (!f)
        return -1;
    add(f, "ana", "analyst");
    add(f, "olly", "officer,marac");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* How many ids and references the answer shows, as the desk counts them. */
static void count_shown(const cpi_desk_request *rq, const cpi_desk_answer *a, size_t *ids, size_t *refs)
{
    cpi_desk_shown sh = {0};
    if (!a->entity_id)
        cpi_desk_shown_lookup(&sh, &a->lookup);
    else if (rq->kind == CPI_DESK_ADDRESS)
        cpi_desk_shown_place(&sh, &a->place);
    else if (rq->kind == CPI_DESK_MISSING)
        cpi_desk_shown_plan(&sh, &a->plan);
    else
        cpi_desk_shown_profile(&sh, &a->profile);
    *ids = sh.nids, *refs = sh.nrefs;
    cpi_desk_shown_free(&sh);
}

/* Consult, and check the one new consultation entry names the user, the command, the question and what was shown. */
static void consult_ok(fx_store *f, const cpi_desk_request *rq, cpi_desk_answer *a)
{
    unsigned before = consultations(f).n;
    cpi_error err = {0};
    if (cpi_desk_consult(f->st, rq, a, &err) != CPI_OK)
        fail_msg("%s %s: %s", cpi_desk_command(rq->kind), rq->query, err.msg);
    assert_int_equal(a->step, CPI_DESK_DONE);
    last_entry l = consultations(f);
    assert_int_equal(l.n, before + 1);
    assert_string_equal(l.user, rq->user);
    assert_string_equal(l.command, cpi_desk_command(rq->kind));
    assert_string_equal(l.query, rq->logged_query ? rq->logged_query : rq->query);
    size_t ids, refs;
    count_shown(rq, a, &ids, &refs);
    assert_true(ids > 0);
    assert_int_equal(l.nentities, ids);
    assert_int_equal(l.nrefs, refs);
}

static void test_refused_reads_and_logs_nothing(void **state)
{
    fx_store *f = *state;
    char owner[CPI_USER_MAX];
    assert_int_equal(cpi_access_owner(f->st, owner, NULL), CPI_OK);
    const char *who[] = {"nobody", owner}; /* unknown; the owner is only an admin */
    for (int i = 0; i < 2; i++) {
        cpi_desk_request rq = {.kind = CPI_DESK_CHILD, .user = who[i], .reason = WHY, .query = "P-0000001"};
        cpi_desk_answer a = {0};
        cpi_error err = {0};
        assert_int_equal(cpi_desk_consult(f->st, &rq, &a, &err), CPI_ERR_ACCESS);
        assert_int_equal(a.step, CPI_DESK_AUTHORISE);
        assert_null(a.entity_id);
        cpi_desk_answer_free(&a);
    }
    cpi_desk_request rq = {.kind = CPI_DESK_CHILD, .user = "ana", .reason = "why", .query = "P-0000001"};
    cpi_desk_answer a = {0};
    assert_int_equal(cpi_desk_consult(f->st, &rq, &a, NULL), CPI_ERR_ACCESS); /* a one-word reason */
    cpi_desk_answer_free(&a);
    assert_int_equal(consultations(f).n, 0);
}

static void test_child_logged_as_shown(void **state)
{
    fx_store *f = *state;
    cpi_desk_request rq = {.kind = CPI_DESK_CHILD, .user = "ana", .reason = WHY, .query = "P-0000001",
                           .logged_query = "child P-0000001 --full"};
    cpi_desk_answer a = {0};
    consult_ok(f, &rq, &a);
    assert_string_equal(a.entity_id, "P-0000001");
    assert_int_equal(a.profile.detail, CPI_DETAIL_FULL); /* the analyst's level */
    assert_true(a.opts.withhold & CPI_SRC_BIT(CPI_SRC_MARAC)); /* no marac role */
    assert_true(a.opts.withhold & CPI_SRC_BIT(CPI_SRC_POLIT));
    assert_false(a.officer_full);
    assert_false(a.fitted);
    /* the same answer consulted into again: its arena reused */
    rq.logged_query = NULL;
    consult_ok(f, &rq, &a);
    assert_string_equal(a.entity_id, "P-0000001");
    cpi_desk_answer_free(&a);
}

static void test_officer_shaped_and_fitted(void **state)
{
    fx_store *f = *state;
    cpi_desk_request rq = {.kind = CPI_DESK_CHILD, .user = "olly", .reason = WHY, .query = "P-0000001",
                           .opts = {.detail = CPI_DETAIL_FULL}, .detail_set = true};
    cpi_desk_answer a = {0};
    consult_ok(f, &rq, &a);
    assert_true(a.officer_full); /* --full: every list, at the summary level */
    assert_int_equal(a.profile.detail, CPI_DETAIL_BRIEF);
    assert_int_equal(a.opts.max_items, 200);
    assert_false(a.opts.withhold & CPI_SRC_BIT(CPI_SRC_MARAC)); /* olly holds marac */
    /* the brief answer on a small screen: cut before it is logged, and logged as cut */
    cpi_desk_request brief = {.kind = CPI_DESK_CHILD, .user = "olly", .reason = WHY, .query = "P-0000001",
                              .screen_width = 40, .screen_lines = 12};
    consult_ok(f, &brief, &a);
    assert_false(a.officer_full);
    assert_true(a.fitted);
    cpi_desk_answer_free(&a);
}

static void test_candidates_logged(void **state)
{
    fx_store *f = *state;
    cpi_desk_request rq = {.kind = CPI_DESK_PERSON, .user = "ana", .reason = WHY, .query = "Sian Pryce"};
    cpi_desk_answer a = {0};
    consult_ok(f, &rq, &a);
    assert_null(a.entity_id); /* two children of that name (and more): a list to choose from */
    assert_true(a.lookup.n >= 2);
    cpi_desk_answer_free(&a);
}

static void test_address_and_missing(void **state)
{
    fx_store *f = *state;
    cpi_desk_request rq = {.kind = CPI_DESK_ADDRESS, .user = "ana", .reason = WHY, .query = "L-0000001"};
    cpi_desk_answer a = {0};
    consult_ok(f, &rq, &a);
    assert_string_equal(a.place.entity_id, "L-0000001");
    cpi_desk_request m = {.kind = CPI_DESK_MISSING, .user = "olly", .reason = WHY, .query = "P-0000001"};
    consult_ok(f, &m, &a);
    assert_true(a.plan.profile.is_child);
    assert_true(a.plan.nplaces > 0);
    cpi_desk_answer_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refused_reads_and_logs_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child_logged_as_shown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_officer_shaped_and_fitted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_candidates_logged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_and_missing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
