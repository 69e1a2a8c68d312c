/*
 * test_lookup.c - query text -> candidates on the fixture force: an
 * ambiguous name lists both children with what tells them apart and picks
 * neither; a DOB narrows it to one; every other query form (entity id,
 * record and mention reference, Niche id, phone, postcode, address) finds
 * what it names; an unresolved mention is a candidate too; garbage is a
 * usage error, and nothing matching is an empty list.
 * On the fixture with fx_write_more's records, search as people type it: a
 * surname alone gives ranked candidates, an address with or without a comma,
 * a town or postcode narrowing the places, a misspelt street, a phone in any
 * format; each candidate's kind, type, warnings and why it matched; a
 * possible match listed beside its pair; restricted people counted, not named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "graph/graphdb.h"
#include "query/lookup.h"
#include "render/lookup_render.h"
#include "query_fixture.h"

typedef fx_ctx ctx;

static cpi_lookup run(ctx *c, const char *q, cpi_kind kind, const char *dob)
{
    cpi_lookup_opts o = {.kind = kind, .dob = dob};
    cpi_lookup l;
    cpi_error err = {0};
    if (cpi_lookup_run(c->txn, q, &o, &c->arena, &l, &err))
        fail_msg("lookup '%s': %s", q, err.msg);
    return l;
}

static bool has(const cpi_lookup *l, const char *id)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->items[i].entity_id && strcmp(l->items[i].entity_id, id) == 0)
            return true;
    return false;
}

static bool differs(const cpi_lookup *l, const char *field)
{
    for (uint32_t i = 0; i < l->ndiffers; i++)
        if (strcmp(l->differs[i], field) == 0)
            return true;
    return false;
}

static void test_ambiguous_name_is_a_list(void **state)
{
    ctx *c = *state;
    static const char *const forms[] = {"Siân Pryce", "Sian PRYCE", "PRYCE, Sian", "  sian   pryce "};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        cpi_lookup l = run(c, forms[i], CPI_KIND_PERSON, NULL);
        assert_string_equal(l.query_kind, "name");
        /* both children, and the unresolved nominal; never only one of them */
        assert_true(has(&l, "P-0000001"));
        assert_true(has(&l, "P-0000009"));
        assert_int_equal(l.n, 3);
        assert_true(differs(&l, "dob"));
        assert_true(differs(&l, "resolved"));
    }
    /* the unresolved mention is listed as such, with its reference */
    cpi_lookup l = run(c, "Sian Pryce", CPI_KIND_PERSON, NULL);
    bool unresolved = false;
    for (uint32_t i = 0; i < l.n; i++)
        if (!l.items[i].entity_id) {
            unresolved = true;
            assert_string_equal(l.items[i].mention_ref, "niche:NOM-0000099/1");
            assert_non_null(strstr(l.items[i].matched, "not resolved"));
        }
    assert_true(unresolved);
    /* what tells them apart is in the candidates: DOB and home */
    for (uint32_t i = 0; i < l.n; i++)
        if (l.items[i].entity_id && strcmp(l.items[i].entity_id, "P-0000001") == 0) {
            assert_string_equal(l.items[i].dob, "2010-04-03");
            assert_non_null(strstr(l.items[i].home, "NP20 6PL"));
        }
}

static void test_dob_narrows(void **state)
{
    ctx *c = *state;
    static const char *const dobs[] = {"2010-04-03", "03/04/2010", "3 Apr 2010"};
    for (size_t i = 0; i < sizeof dobs / sizeof dobs[0]; i++) {
        cpi_lookup l = run(c, "Sian Pryce", CPI_KIND_PERSON, dobs[i]);
        /* P-0000009 has another DOB: out. The unresolved nominal has none recorded: it stays, said so. */
        assert_true(has(&l, "P-0000001"));
        assert_false(has(&l, "P-0000009"));
    }
    cpi_lookup l = run(c, "Sian Pryce", CPI_KIND_PERSON, "2012-01-01");
    assert_true(has(&l, "P-0000009"));
    assert_false(has(&l, "P-0000001"));
    cpi_lookup_opts o = {.kind = CPI_KIND_PERSON, .dob = "31/02/2010"};
    cpi_error err = {0};
    assert_int_equal(cpi_lookup_run(c->txn, "Sian Pryce", &o, &c->arena, &l, &err), CPI_ERR_USAGE);
}

static void test_other_forms(void **state)
{
    ctx *c = *state;
    cpi_lookup l = run(c, "P-0000002", 0, NULL);
    assert_string_equal(l.query_kind, "entity id");
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].entity_id, "P-0000002");
    /* a record holding three people: all three, for a person to choose */
    l = run(c, "miraf:MF-2023-000001", CPI_KIND_PERSON, NULL);
    assert_string_equal(l.query_kind, "reference");
    assert_int_equal(l.n, 2);
    assert_true(has(&l, "P-0000001") && has(&l, "P-0000002"));
    l = run(c, "miraf:MF-2023-000001/3", 0, NULL);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].entity_id, "P-0000002");
    l = run(c, "NOM-0000001", CPI_KIND_PERSON, NULL);
    assert_string_equal(l.query_kind, "identifier");
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].entity_id, "P-0000001");
    l = run(c, "nom-0000001", CPI_KIND_PERSON, NULL);
    assert_int_equal(l.n, 1);
    /* a phone: for a person lookup, the people who use it */
    l = run(c, "+44 7700 900123", CPI_KIND_PERSON, NULL);
    assert_string_equal(l.query_kind, "phone");
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].entity_id, "P-0000002");
    l = run(c, "07700900123", 0, NULL);
    assert_true(has(&l, "T-0000001"));
    /* places */
    l = run(c, "np20 6pl", CPI_KIND_LOCATION, NULL);
    assert_string_equal(l.query_kind, "postcode");
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].entity_id, "L-0000001");
    l = run(c, "14 Heol y Coed, Bettws", CPI_KIND_LOCATION, NULL);
    assert_string_equal(l.query_kind, "address");
    assert_true(has(&l, "L-0000001"));
    /* a person lookup never returns a place, and the reverse */
    l = run(c, "niche:LOC-0000001", CPI_KIND_PERSON, NULL);
    assert_int_equal(l.n, 0);
}

static void test_nothing_and_garbage(void **state)
{
    ctx *c = *state;
    cpi_lookup l = run(c, "Nobody Atall", CPI_KIND_PERSON, NULL);
    assert_int_equal(l.n, 0);
    l = run(c, "P-0000404", 0, NULL);
    assert_int_equal(l.n, 0);
    l = run(c, "niche:NOM-9999999", 0, NULL);
    assert_int_equal(l.n, 0);
    cpi_lookup_opts o = {.kind = CPI_KIND_PERSON};
    cpi_error err = {0};
    assert_int_equal(cpi_lookup_run(c->txn, "!!! ???", &o, &c->arena, &l, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_lookup_run(c->txn, "   ", &o, &c->arena, &l, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_lookup_run(c->txn, "bad:ref with space", &o, &c->arena, &l, &err), CPI_ERR_USAGE);
}

static void test_swapped_and_max(void **state)
{
    ctx *c = *state;
    /* forename and surname the other way round: found, and said so */
    cpi_lookup l = run(c, "Morgan Dean", CPI_KIND_PERSON, NULL);
    assert_true(has(&l, "P-0000002"));
    assert_non_null(strstr(l.items[0].matched, "swapped"));
    /* max: the rest counted, not dropped silently */
    cpi_lookup_opts o = {.kind = CPI_KIND_PERSON, .max = 1};
    cpi_error err = {0};
    assert_int_equal(cpi_lookup_run(c->txn, "Sian Pryce", &o, &c->arena, &l, &err), CPI_OK);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.more, 2);
    cpi_jw w;
    cpi_jw_init(&w, 0);
    cpi_lookup_json_write(&l, "Sian Pryce", &w);
    json_t *j = fx_jw_tree(&w);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "more")), 2);
    assert_int_equal(json_array_size(json_object_get(j, "candidates")), 1);
    json_decref(j);
}

static int index_of(const cpi_lookup *l, const char *id)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->items[i].entity_id && strcmp(l->items[i].entity_id, id) == 0)
            return (int)i;
    return -1;
}

static void test_surname_alone_is_ranked(void **state)
{
    ctx *c = *state;
    /* one word in mixed case: a surname first, then a forename */
    cpi_lookup l = run(c, "Pryce", CPI_KIND_PERSON, NULL);
    assert_string_equal(l.query_kind, "name");
    assert_true(has(&l, "P-0000001") && has(&l, "P-0000009") && has(&l, "P-0000004"));
    for (uint32_t i = 0; i < l.n; i++)
        assert_string_equal(l.items[i].matched, l.items[i].entity_id ? "surname" : l.items[i].matched);
    /* ranked: the child with the most warnings first */
    assert_string_equal(l.items[0].entity_id, "P-0000001");
    assert_true(l.items[0].warnings > l.items[(uint32_t)index_of(&l, "P-0000004")].warnings);
    /* a surname match ranks above a forename match of the same word */
    l = run(c, "Gareth", CPI_KIND_PERSON, NULL);
    assert_true(has(&l, "P-0000008") && has(&l, "P-0000020") && has(&l, "P-0000021"));
    assert_string_equal(l.items[0].matched, "forename");
    l = run(c, "Jones", CPI_KIND_PERSON, NULL);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].entity_id, "P-0000020"); /* the OCG member: more warnings */
    assert_string_equal(l.items[0].matched, "surname");
    assert_string_equal(l.items[0].type, "adult");
    assert_true(l.items[0].warnings >= 1);
    assert_true(l.items[0].flags & CPI_EF(CPI_EF_OCG));
}

static void test_possible_match_listed_together(void **state)
{
    ctx *c = *state;
    /* ranked alone, P-9 (no warnings, last seen 2020) would come after Kelly Pryce (2022) and the unresolved
     * nominal (2024); as P-1's possible match it is listed straight after P-1 */
    cpi_lookup l = run(c, "Pryce", CPI_KIND_PERSON, NULL);
    int p1 = index_of(&l, "P-0000001"), p9 = index_of(&l, "P-0000009");
    assert_true(p1 >= 0 && p9 == p1 + 1);
    assert_string_equal(l.items[p9].same_as, "P-0000001");
    assert_int_equal(l.items[p9].same_prob, 620);
    assert_null(l.items[p1].same_as);
    assert_null(l.items[(uint32_t)index_of(&l, "P-0000004")].same_as);
    cpi_jw w;
    cpi_jw_init(&w, 0);
    cpi_lookup_json_write(&l, "Pryce", &w);
    json_t *j = fx_jw_tree(&w);
    assert_non_null(j);
    json_t *cand = json_array_get(json_object_get(j, "candidates"), (size_t)p9);
    json_t *same = json_object_get(cand, "possibly_same_as");
    assert_string_equal(json_string_value(json_object_get(same, "entity_id")), "P-0000001");
    assert_non_null(strstr(json_string_value(json_object_get(same, "note")), "possibly the same person"));
    json_decref(j);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cpi_lookup_text(&l, "Pryce", f);
    fclose(f);
    assert_non_null(strstr(text, "possibly the same person (review)"));
    free(text);
}

static void test_possible_match_withheld(void **state)
{
    ctx *c = *state;
    /* both Sians are known beyond Niche here (P-9 in SOC-000002), so both are listed either way */
    cpi_lookup l = run(c, "Sian Pryce", CPI_KIND_PERSON, NULL);
    assert_string_equal(l.items[(uint32_t)index_of(&l, "P-0000009")].same_as, "P-0000001");
    /* but the pair rests on two Niche nominals: with Niche withheld it is not shown as a pair */
    cpi_lookup_opts o = {.kind = CPI_KIND_PERSON, .withhold = CPI_SRC_BIT(CPI_SRC_NICHE)};
    cpi_error err = {0};
    assert_int_equal(cpi_lookup_run(c->txn, "Sian Pryce", &o, &c->arena, &l, &err), CPI_OK);
    assert_true(has(&l, "P-0000001") && has(&l, "P-0000009"));
    for (uint32_t i = 0; i < l.n; i++)
        assert_null(l.items[i].same_as);
}

static void test_address_as_typed(void **state)
{
    ctx *c = *state;
    /* no town: both places at 14 Heol y Coed, the trap house saying what it is */
    cpi_lookup l = run(c, "14 Heol y Coed", CPI_KIND_LOCATION, NULL);
    assert_int_equal(l.n, 2);
    int trap = index_of(&l, "L-0000011");
    assert_true(trap >= 0 && has(&l, "L-0000001"));
    assert_string_equal(l.items[trap].type, "trap house");
    assert_string_equal(cpi_kind_name(l.items[trap].kind), "location");
    assert_true(l.items[trap].warnings >= 1);
    assert_int_equal(trap, 0); /* more warnings: first */
    /* the town given narrows it, with or without a comma, and the others are counted */
    static const char *const bettws[] = {"14 Heol y Coed, Bettws", "14 Heol y Coed Bettws", "14 heol-y-coed bettws",
                                         "14 Heol y Coed NP20 6PL", "14 Heol y Cood, Bettws"};
    for (size_t i = 0; i < sizeof bettws / sizeof bettws[0]; i++) {
        l = run(c, bettws[i], CPI_KIND_LOCATION, NULL);
        if (l.n != 1 || strcmp(l.items[0].entity_id, "L-0000001") != 0)
            fail_msg("'%s': %u candidates, first %s", bettws[i], l.n, l.n ? l.items[0].entity_id : "-");
        assert_int_equal(l.items[0].area_match, 1);
        assert_true(l.elsewhere >= 1); /* L-11 (and, for the misspelt street, L-12 too) */
    }
    l = run(c, "14 Heol y Coed Caerphilly", CPI_KIND_LOCATION, NULL);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].entity_id, "L-0000011");
    assert_non_null(strstr(l.items[0].matched, "caerphilly"));
    /* a misspelt street is found, and said to be a likeness */
    l = run(c, "14 Heol y Cood, Bettws", CPI_KIND_LOCATION, NULL);
    assert_non_null(strstr(l.items[0].matched, "street like 'heol y coed'"));
    /* a town that matches neither: both listed, each saying so (never a place of another town alone) */
    l = run(c, "14 Heol y Coed, Newport", CPI_KIND_LOCATION, NULL);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[0].area_match, -1);
    assert_non_null(strstr(l.items[0].matched, "not in the town"));
    /* a street found as written hides its lookalikes at that number (Heol y Coed Isaf is another street) */
    l = run(c, "14 Heol y Coed", CPI_KIND_LOCATION, NULL);
    assert_int_equal(index_of(&l, "L-0000012"), -1);
    l = run(c, "14 Heol y Coed Isaf", CPI_KIND_LOCATION, NULL);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].entity_id, "L-0000012");
    /* a different number is not a fuzzy match */
    l = run(c, "15 Heol y Coed, Bettws", CPI_KIND_LOCATION, NULL);
    assert_int_equal(l.n, 0);
}

static void test_phone_any_format(void **state)
{
    ctx *c = *state;
    static const char *const forms[] = {"07700 900123", "07700900123",     "+44 7700 900123", "447700900123",
                                        "+44 (0)7700 900123", "0044 7700 900123", "07700-900-123", "7700900123"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        cpi_lookup l = run(c, forms[i], CPI_KIND_PERSON, NULL);
        if (!l.query_kind || strcmp(l.query_kind, "phone") != 0 || !has(&l, "P-0000002"))
            fail_msg("'%s' read as %s, %u candidates", forms[i], l.query_kind ? l.query_kind : "?", l.n);
        l = run(c, forms[i], 0, NULL);
        assert_true(has(&l, "T-0000001"));
        assert_string_equal(l.items[0].type, "deal line");
    }
}

static void test_restricted_counted_not_named(void **state)
{
    ctx *c = *state;
    cpi_lookup l = run(c, "Mark Evans", CPI_KIND_PERSON, NULL);
    assert_int_equal(l.n, 2); /* the analyst: the MARAC perpetrator and the other Mark Evans */
    assert_true(has(&l, "P-0000005") && has(&l, "P-0000022"));
    assert_int_equal(l.withheld, 0);
    cpi_lookup_opts o = {.kind = CPI_KIND_PERSON, .withhold = CPI_SRC_RESTRICTED};
    o.contact[CPI_SRC_MARAC] = "DS Jones, MARAC unit";
    cpi_error err = {0};
    assert_int_equal(cpi_lookup_run(c->txn, "Mark Evans", &o, &c->arena, &l, &err), CPI_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].entity_id, "P-0000022");
    assert_int_equal(l.withheld, 1);
    assert_int_equal(l.withheld_sources, CPI_SRC_BIT(CPI_SRC_MARAC));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cpi_lookup_text(&l, "Mark Evans", f);
    fclose(f);
    assert_non_null(strstr(text, "restricted information held: 1 more candidate known only to MARAC"));
    assert_non_null(strstr(text, "contact DS Jones, MARAC unit"));
    assert_null(strstr(text, "P-0000005"));
    free(text);
    /* by id too: counted, not shown */
    assert_int_equal(cpi_lookup_run(c->txn, "P-0000005", &o, &c->arena, &l, &err), CPI_OK);
    assert_int_equal(l.n, 0);
    assert_int_equal(l.withheld, 1);
    /* Kelly Pryce is on Niche too: listed, without her MARAC flags or source */
    assert_int_equal(cpi_lookup_run(c->txn, "Kelly Pryce", &o, &c->arena, &l, &err), CPI_OK);
    assert_int_equal(l.n, 1);
    assert_false(l.items[0].sources & CPI_SRC_BIT(CPI_SRC_MARAC));
    assert_false(l.items[0].flags & (CPI_EF(CPI_EF_MARAC_ADDRESS) | CPI_EF(CPI_EF_MARAC_CHILD)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ambiguous_name_is_a_list),
        cmocka_unit_test(test_dob_narrows),
        cmocka_unit_test(test_other_forms),
        cmocka_unit_test(test_nothing_and_garbage),
        cmocka_unit_test(test_swapped_and_max),
        cmocka_unit_test(test_possible_match_listed_together),
    };
    const struct CMUnitTest typed[] = {
        cmocka_unit_test(test_surname_alone_is_ranked), cmocka_unit_test(test_address_as_typed),
        cmocka_unit_test(test_phone_any_format), cmocka_unit_test(test_possible_match_withheld),
        cmocka_unit_test(test_restricted_counted_not_named),
    };
    int failed = cmocka_run_group_tests(tests, fx_setup_group, fx_teardown_group);
    return failed + cmocka_run_group_tests(typed, fx_setup_group_more, fx_teardown_group);
}
