/*
 * test_lookup.c - query text -> candidates on the fixture force: an
 * ambiguous name lists both children with what tells them apart and picks
 * neither; a DOB narrows it to one; every other query form (entity id,
 * record and mention reference, Niche id, phone, postcode, address) finds
 * what it names; an unresolved mention is a candidate too; garbage is a
 * usage error, and nothing matching is an empty list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "query/lookup.h"
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
    json_t *j = cpi_lookup_json(&l, "Sian Pryce");
    assert_int_equal(json_integer_value(json_object_get(j, "more")), 2);
    assert_int_equal(json_array_size(json_object_get(j, "candidates")), 1);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ambiguous_name_is_a_list),
        cmocka_unit_test(test_dob_narrows),
        cmocka_unit_test(test_other_forms),
        cmocka_unit_test(test_nothing_and_garbage),
        cmocka_unit_test(test_swapped_and_max),
    };
    return cmocka_run_group_tests(tests, fx_setup_group, fx_teardown_group);
}
