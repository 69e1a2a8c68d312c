/*
 * test_queries.c - the address report, the missing-child trigger plan and
 * the MACE agenda on the fixture force, against answers worked out by hand
 * from query_fixture.h and the rules in address.h, missing.h and agenda.h;
 * the officer told that restricted warnings exist at a MARAC address, a
 * place's markers in the missing plan's lists, and (fixture with
 * fx_write_more) two children the resolver left as a possible match sharing
 * one agenda row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "query/address.h"
#include "query/agenda.h"
#include "query/missing.h"
#include "render/address_render.h"
#include "render/agenda_render.h"
#include "render/missing_render.h"
#include "query_fixture.h"

typedef fx_ctx ctx;

static bool has_warning(const cpi_pf_warning *w, uint32_t n, const char *code)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(w[i].code, code) == 0)
            return true;
    return false;
}

static void test_address_home(void **state)
{
    ctx *c = *state;
    cpi_place_report r;
    cpi_error err = {0};
    assert_int_equal(cpi_address_build(c->txn, "L-0000001", NULL, &c->arena, &r, &err), CPI_OK);
    assert_true(has_warning(r.warnings, r.nwarnings, "marac-address"));
    assert_true(has_warning(r.warnings, r.nwarnings, "rso-resident"));
    assert_true(has_warning(r.warnings, r.nwarnings, "child-at-risk-resident"));
    assert_int_equal(r.warnings[0].level, 3);
    assert_int_equal(r.ngaps, 1);
    assert_string_equal(r.gaps[0].code, "rso-at-marac-address");
    /* risky: Gareth (lives here) and Mark (MARAC, linked through the victim's address? no: not to the place) */
    bool gareth = false;
    for (uint32_t i = 0; i < r.nrisky_people; i++)
        if (strcmp(r.risky_people[i].id, "P-0000008") == 0) {
            gareth = true;
            assert_true(r.risky_people[i].resident);
        }
    assert_true(gareth);
    assert_int_equal(r.nchildren, 1);
    assert_string_equal(r.children[0].id, "P-0000001");
    assert_int_equal(r.nresidents, 1); /* Kelly */
    assert_string_equal(r.residents[0].id, "P-0000004");
    /* withheld: the MARAC warning and the gap go; the RSO stays */
    cpi_profile_opts o = {.detail = CPI_DETAIL_FULL, .withhold = CPI_SRC_RESTRICTED};
    assert_int_equal(cpi_address_build(c->txn, "L-0000001", &o, &c->arena, &r, &err), CPI_OK);
    assert_false(has_warning(r.warnings, r.nwarnings, "marac-address"));
    assert_true(has_warning(r.warnings, r.nwarnings, "rso-resident"));
    assert_int_equal(r.ngaps, 0);
    assert_true(r.nwithheld >= 1);
    cpi_jw w;
    cpi_jw_init(&w, 0);
    cpi_address_json_write(&r, &w);
    json_t *j = fx_jw_tree(&w);
    assert_non_null(j);
    char *s = json_dumps(j, 0);
    json_decref(j);
    assert_null(strstr(s, "marac:"));
    assert_null(strstr(s, "DASH"));
    free(s);
    /* a person is not a place */
    assert_int_equal(cpi_address_build(c->txn, "P-0000001", NULL, &c->arena, &r, &err), CPI_ERR_USAGE);
}

static void test_address_hotspot(void **state)
{
    ctx *c = *state;
    cpi_place_report r;
    cpi_error err = {0};
    assert_int_equal(cpi_address_build(c->txn, "L-0000002", NULL, &c->arena, &r, &err), CPI_OK);
    assert_true(has_warning(r.warnings, r.nwarnings, "found-here"));
    bool found = false;
    for (uint32_t i = 0; i < r.nwarnings; i++)
        if (strcmp(r.warnings[i].code, "found-here") == 0) {
            found = true;
            assert_non_null(strstr(r.warnings[i].text, "2 children, 7 times")); /* Sian 5 + Lily 2 */
            assert_int_equal(r.warnings[i].level, 3);
        }
    assert_true(found);
    assert_int_equal(r.nchildren, 2);
    assert_int_equal(r.nrisky_people, 1); /* Dean, suspect in the occurrence here */
    bool victim = false, suspect = false;
    for (uint32_t i = 0; i < r.nactivity; i++) {
        victim |= strcmp(r.activity[i].type, "victim-in") == 0 && r.activity[i].people == 1;
        suspect |= strcmp(r.activity[i].type, "suspect-in") == 0 && r.activity[i].people == 1;
    }
    assert_true(victim && suspect);
}

static void test_missing_plan(void **state)
{
    ctx *c = *state;
    cpi_missing_plan m;
    cpi_error err = {0};
    assert_int_equal(cpi_missing_build(c->txn, "P-0000001", NULL, &c->arena, &m, &err), CPI_OK);
    assert_string_equal(m.home_id, "L-0000001");
    assert_int_equal(m.miraf_grade, 3);
    assert_int_equal(m.episodes, 7);
    /* as of her last record (2023-07-01) everything is within a year, so each reason also gets +20:
     * bus station: found 5 times 100 + 50 + 20, victim in an occurrence there 30 + 20 = 220;
     * chicken shop: found once 100 + 10 + 20, frequents per MACE 60 + 20 = 210 */
    assert_true(m.nplaces >= 2);
    assert_string_equal(m.places[0].id, "L-0000002");
    assert_int_equal(m.places[0].score, 220);
    assert_string_equal(m.places[1].id, "L-0000003");
    assert_int_equal(m.places[1].score, 210);
    /* the home is the start, not a place to search; Dean's phone is there to trace */
    for (uint32_t i = 0; i < m.nplaces; i++)
        assert_string_not_equal(m.places[i].id, "L-0000001");
    assert_true(m.profile.nrisky_people >= 1);
    assert_string_equal(m.profile.risky_people[0].id, "P-0000002");
    assert_int_equal(m.profile.risky_people[0].nphones, 1);
    cpi_jw w;
    cpi_jw_init(&w, 0);
    cpi_missing_json_write(&m, &w);
    json_t *j = fx_jw_tree(&w);
    assert_non_null(j);
    json_t *first = json_array_get(json_object_get(j, "search"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "entity_id")), "L-0000002");
    assert_int_equal(json_integer_value(json_object_get(first, "rank")), 1);
    json_decref(j);
}

static const cpi_agenda_item *item(const cpi_agenda *a, const char *id)
{
    for (uint32_t i = 0; i < a->n; i++)
        if (strcmp(a->items[i].id, id) == 0)
            return &a->items[i];
    return NULL;
}

static void test_agenda(void **state)
{
    ctx *c = *state;
    cpi_agenda a;
    cpi_error err = {0};
    cpi_agenda_opts o = {.as_of = fx_day("2023-07-15")};
    assert_int_equal(cpi_agenda_build(c->txn, &o, &c->arena, &a, &err), CPI_OK);
    const cpi_agenda_item *sian = item(&a, "P-0000001"), *lily = item(&a, "P-0000003");
    assert_non_null(sian);
    assert_non_null(lily);
    /* Sian: MACE HIGH 30 + SERAF 30/2 15 + MIRAF HIGH 20 + 7 episodes 14 + missing 2023-06-10 (35 days) 15
     *       + 3 risky people 15 + no CSE/CCE marker 10 = 119 */
    assert_int_equal(sian->score, 119);
    int sum = 0;
    for (uint32_t i = 0; i < sian->nparts; i++)
        sum += sian->parts[i].points;
    assert_int_equal(sum, sian->score);
    assert_true(sian->discussed);
    /* Lily: MIRAF MEDIUM 10 + 2 episodes 4 + SOC child 15 + 1 risky person 5 + never discussed but linked
     * to Dean, an adult of concern, 10 = 44 */
    assert_int_equal(lily->score, 44);
    assert_false(lily->discussed);
    assert_string_equal(lily->linked_adult_id, "P-0000002");
    assert_string_equal(a.items[0].id, "P-0000001");
    /* --new leaves out the child already discussed */
    o.new_only = true;
    assert_int_equal(cpi_agenda_build(c->txn, &o, &c->arena, &a, &err), CPI_OK);
    assert_null(item(&a, "P-0000001"));
    assert_non_null(item(&a, "P-0000003"));
    /* withholding MARAC takes Mark out of Sian's risky count? No: the card's count is from the graph
     * build; the MARAC-only flag does not put a child on the agenda or add its own points */
    o.new_only = false;
    o.top = 1;
    assert_int_equal(cpi_agenda_build(c->txn, &o, &c->arena, &a, &err), CPI_OK);
    assert_int_equal(a.n, 1);
    assert_true(a.considered >= 2);
}

static char *text_of(void (*fn)(const void *, FILE *, int), const void *answer)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(answer, f, 100);
    fclose(f);
    return buf;
}
static void address_text(const void *r, FILE *f, int w) { cpi_address_text(r, f, w); }
static void missing_text(const void *m, FILE *f, int w) { cpi_missing_text(m, f, w); }
static void agenda_text(const void *a, FILE *f, int w) { cpi_agenda_text(a, f, w); }

static void test_address_restricted_not_none(void **state)
{
    ctx *c = *state;
    cpi_place_report r;
    cpi_error err = {0};
    cpi_profile_opts o = {.detail = CPI_DETAIL_BRIEF, .withhold = CPI_SRC_RESTRICTED};
    o.contact[CPI_SRC_MARAC] = "the MARAC coordinator on 01633 000000";
    assert_int_equal(cpi_address_build(c->txn, "L-0000001", &o, &c->arena, &r, &err), CPI_OK);
    char *t = text_of(address_text, &r);
    assert_non_null(strstr(t, "restricted information held: contact the MARAC coordinator on 01633 000000"));
    assert_null(strstr(t, "WARNINGS - none"));
    /* said under WARNINGS, before the warnings an officer may see */
    assert_true(strstr(t, "WARNINGS") < strstr(t, "restricted information held"));
    assert_true(strstr(t, "restricted information held") < strstr(t, "registered sex offender"));
    free(t);
    /* the analyst has nothing withheld: no such line */
    assert_int_equal(cpi_address_build(c->txn, "L-0000001", NULL, &c->arena, &r, &err), CPI_OK);
    t = text_of(address_text, &r);
    assert_null(strstr(t, "restricted information held"));
    free(t);
}

static void test_missing_plan_place_markers(void **state)
{
    ctx *c = *state;
    cpi_missing_plan m;
    cpi_error err = {0};
    assert_int_equal(cpi_missing_build(c->txn, "P-0000001", NULL, &c->arena, &m, &err), CPI_OK);
    char *t = text_of(missing_text, &m);
    /* the chicken shop is a MACE location of concern: the search list says so */
    if (!strstr(t, "(L-0000003) [MACE location of concern"))
        fail_msg("no marker on the place of concern:\n%s", t);
    free(t);
}

static void test_agenda_possible_match_one_row(void **state)
{
    ctx *c = *state;
    cpi_agenda a;
    cpi_error err = {0};
    cpi_agenda_opts o = {.as_of = fx_day("2023-09-15")};
    assert_int_equal(cpi_agenda_build(c->txn, &o, &c->arena, &a, &err), CPI_OK);
    /* both Sians are scored (P-9 is a SOC child at risk now), but only one row is hers */
    const cpi_agenda_item *sian = item(&a, "P-0000001");
    assert_non_null(sian);
    assert_null(item(&a, "P-0000009"));
    assert_int_equal(sian->nsame, 1);
    assert_string_equal(sian->same[0].id, "P-0000009");
    assert_int_equal(sian->same[0].prob, 620);
    assert_true(sian->same[0].score > 0);
    assert_int_equal(a.considered, 3); /* Sian, Lily and the second Sian were all scored */
    char *t = text_of(agenda_text, &a);
    assert_non_null(strstr(t, "possibly the same person (review): Sian Pryce (P-0000009)"));
    free(t);
    cpi_jw w;
    cpi_jw_init(&w, 0);
    cpi_agenda_json_write(&a, &w);
    json_t *j = fx_jw_tree(&w);
    assert_non_null(j);
    json_t *row = json_array_get(json_object_get(j, "children"), 0);
    assert_string_equal(json_string_value(json_object_get(row, "entity_id")), "P-0000001");
    json_t *same = json_array_get(json_object_get(row, "possibly_same"), 0);
    assert_string_equal(json_string_value(json_object_get(same, "entity_id")), "P-0000009");
    json_decref(j);
    /* --top counts rows: the top 2 are Sian (with her possible match) and Lily */
    o.top = 2;
    assert_int_equal(cpi_agenda_build(c->txn, &o, &c->arena, &a, &err), CPI_OK);
    assert_int_equal(a.n, 2);
    assert_non_null(item(&a, "P-0000003"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_home),
        cmocka_unit_test(test_address_hotspot),
        cmocka_unit_test(test_missing_plan),
        cmocka_unit_test(test_agenda),
        cmocka_unit_test(test_address_restricted_not_none),
        cmocka_unit_test(test_missing_plan_place_markers),
    };
    const struct CMUnitTest more[] = {cmocka_unit_test(test_agenda_possible_match_one_row)};
    int failed = cmocka_run_group_tests(tests, fx_setup_group, fx_teardown_group);
    return failed + cmocka_run_group_tests(more, fx_setup_group_more, fx_teardown_group);
}
