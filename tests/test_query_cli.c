/*
 * test_query_cli.c - the query commands as a user meets them, on the fixture
 * force: exit statuses (0 shown or listed, 1 nothing, 2 usage or refused),
 * an ambiguous name listing candidates, JSON keys, the officer's brief view
 * with MARAC withheld against the analyst's full one, --help that teaches,
 * and every answer logged as a consultation naming what it showed; `child
 * --name QUERY` as docs/operations.md writes it; on the fixture with
 * fx_write_more, lists as people meet them: a surname alone, an address typed
 * with a town (never another town's place shown as the answer), restricted
 * people counted with whom to ask, and two adults the resolver left as a
 * possible match sharing one row of `analyse adults`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pwd.h>
#include <unistd.h>

#include "query_fixture.h"

static fx_store *fx;
static char *cli;

static char *run(const char *user, const char *args, int *status)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "env -u CPINDEX_USER -u CPINDEX_REASON '%s' --db '%s' %s%s%s %s 2>&1", cli, fx->db,
             user ? "--user " : "", user ? user : "", user ? " --reason 'query tests, fixture force'" : "", args);
    return tu_run(cmd, status);
}

static void expect(const char *user, const char *args, int status, const char *fragment)
{
    int st = -1;
    char *out = run(user, args, &st);
    if (st != status || (fragment && !strstr(out, fragment)))
        fail_msg("cpindex %s: exit %d (want %d), output:\n%s\n(wanted '%s')", args, st, status, out,
                 fragment ? fragment : "");
    free(out);
}

static json_t *run_json(const char *user, const char *args)
{
    int st = -1;
    char *out = run(user, args, &st);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    if (st != 0 || !j)
        fail_msg("cpindex %s: exit %d, not JSON (%s):\n%s", args, st, je.text, out);
    free(out);
    return j;
}

static int setup_with(bool more)
{
    fx = fx_open_with(more);
    if (!fx)
        return -1;
    cpi_store_close(fx->st); /* the CLI opens it from now on */
    fx->st = NULL;
    cli = tu_build_path("cpindex");
    const char *owner = getpwuid(geteuid())->pw_name;
    static const char *const users[][2] = {
        {"analyst1", "analyst,polit,marac"}, {"pc1", "officer"}, {"sup1", "supervisor"}};
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
        char args[256];
        int st;
        snprintf(args, sizeof args, "user add %s --role %s", users[i][0], users[i][1]);
        char *out = run(owner, args, &st);
        if (st != 0) {
            fprintf(stderr, "setup: %s\n", out);
            free(out);
            return -1;
        }
        free(out);
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    return setup_with(false);
}

static int setup_more(void **state)
{
    (void)state;
    return setup_with(true);
}

static int teardown(void **state)
{
    (void)state;
    fx_close(fx);
    free(cli);
    return 0;
}

static void test_child(void **state)
{
    (void)state;
    /* an ambiguous name: a list to choose from, exit 0, no profile */
    expect("analyst1", "child 'Sian Pryce'", 0, "pick one");
    expect("analyst1", "child Sian Pryce", 0, "P-0000009");
    expect("analyst1", "child P-0000001", 0, "WARNINGS");
    expect("analyst1", "child P-0000001", 0, "RISKY PEOPLE");
    expect("analyst1", "child 'Nobody Atall'", 1, "nothing matches");
    expect("analyst1", "child", 2, "give a QUERY");
    expect("analyst1", "child P-0000001 --detail medium", 2, "--detail");
    expect("analyst1", "child P-0000001 --withhold interpol", 2, "not a source");
    expect(NULL, "child P-0000001", 2, "refused");
    expect("sup1", "child P-0000001", 2, "refused");
    expect("analyst1", "child L-0000001", 1, "nothing matches"); /* a place is not a person */
    expect("analyst1", "child P-0000002", 0, "not recorded as a child");
    json_t *j = run_json("analyst1", "child P-0000001 --json");
    assert_string_equal(json_string_value(json_object_get(j, "entity_id")), "P-0000001");
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "full");
    assert_true(json_array_size(json_object_get(j, "timeline")) == 8);
    assert_int_equal(json_array_size(json_object_get(j, "withheld")), 0);
    json_decref(j);
    j = run_json("analyst1", "child 'Sian Pryce' --json");
    assert_int_equal(json_array_size(json_object_get(j, "candidates")), 3);
    json_decref(j);
}

static void test_officer_sees_less(void **state)
{
    (void)state;
    json_t *j = run_json("pc1", "child P-0000001 --json");
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "brief");
    assert_int_equal(json_array_size(json_object_get(j, "timeline")), 0);
    json_t *w = json_object_get(j, "withheld");
    assert_true(json_array_size(w) >= 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(w, 0), "source")), "marac");
    char *s = json_dumps(j, 0);
    assert_null(strstr(s, "marac:"));
    assert_null(strstr(s, "EVANS"));
    free(s);
    json_decref(j);
    /* --full for an officer: every list at the summary level, saying what the role leaves out */
    expect("pc1", "child P-0000001 --full", 0, "without free-text details or the timeline");
    expect("pc1", "agenda", 2, "refused");
}

static void test_other_commands(void **state)
{
    (void)state;
    expect("analyst1", "address 'NP20 6PL'", 0, "MARAC victim's address");
    expect("analyst1", "address L-0000002", 0, "Missing children found here");
    expect("analyst1", "missing P-0000001", 0, "SEARCH FIRST");
    json_t *j = run_json("analyst1", "missing P-0000001 --json");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "search"), 0), "entity_id")),
                        "L-0000002");
    json_decref(j);
    j = run_json("analyst1", "agenda --json --as-of 2023-07-15");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "children"), 0), "entity_id")),
                        "P-0000001");
    json_decref(j);
    j = run_json("analyst1", "analyse --json");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "found"), 0), "entity_id")),
                        "L-0000002");
    json_decref(j);
    /* the stored lists carry every source's markers: with MARAC and POLIT withheld none of theirs show */
    {
        int st = -1;
        char *all = run("analyst1", "analyse --json", &st);
        assert_int_equal(st, 0);
        char *held = run("analyst1", "analyse --json --withhold marac,polit", &st);
        assert_int_equal(st, 0);
        assert_non_null(strstr(all, "\"marac-")); /* the fixture's lists hold a MARAC marker */
        assert_null(strstr(held, "\"marac-"));
        assert_null(strstr(held, "\"polit-"));
        free(all);
        free(held);
    }
    /* the trigger plan: warnings first, and each person to locate with when and where they were linked */
    {
        int st = -1;
        char *plan = run("analyst1", "missing P-0000001 --width 200", &st);
        assert_int_equal(st, 0);
        const char *warn = strstr(plan, "WARNINGS"), *search = strstr(plan, "SEARCH FIRST");
        const char *locate = strstr(plan, "PEOPLE TO LOCATE");
        if (!warn || !search || !locate || warn > search)
            fail_msg("the plan's warnings are not first:\n%s", plan);
        const char *children = strstr(locate, "CHILDREN WHO MAY BE WITH THEM");
        const char *cawn = strstr(locate, "cawn-served 2023-05-01 [miraf:MF-2023-000001]");
        if (!children || !cawn || cawn > children || !strstr(locate, "poses-risk-to 2022-08-01 [marac:MRC-000001]"))
            fail_msg("the people to locate lack when and where they were linked:\n%s", plan);
        free(plan);
    }
    expect("analyst1", "analyse central", 0, "Dean");
    expect("analyst1", "analyse hotspots --width 120", 0, "(L-0000003) [MACE location of concern");
    expect("analyst1", "analyse nonsense", 2, "not a view");
    expect("analyst1", "person P-0000002", 0, "CHILDREN LINKED");
    const char *helps[] = {"child", "person", "address", "missing", "agenda", "analyse"};
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        char args[64];
        snprintf(args, sizeof args, "%s --help", helps[i]);
        expect(NULL, args, 0, "Example:");
    }
}

static void test_consultations_logged(void **state)
{
    (void)state;
    expect("analyst1", "child P-0000001", 0, NULL);
    int st;
    char *out;
    char cmd[8192]; /* 'audit show' takes the supervisor's --user before 'audit' */
    snprintf(cmd, sizeof cmd,
             "env -u CPINDEX_USER '%s' --db '%s' --user sup1 audit show --entity P-0000002 --kind consultation "
             "--json --reason 'query tests, checking the log' 2>&1",
             cli, fx->db);
    out = tu_run(cmd, &st);
    assert_int_equal(st, 0);
    /* the profile of P-0000001 showed Dean (P-0000002): the log says so */
    assert_non_null(strstr(out, "child P-0000001"));
    free(out);
}

static void test_name_option(void **state)
{
    (void)state;
    /* docs/operations.md: cpindex child --name '...' */
    expect("analyst1", "child --name 'Sian Pryce'", 0, "pick one");
    expect("analyst1", "child --name 'PRYCE, Sian' --dob 2010-04-03", 0, "P-0000001  Siân PRYCE, born 2010-04-03");
    expect("analyst1", "child --name P-0000001", 0, "WARNINGS");
    expect("analyst1", "person --name P-0000002", 0, "PERSON P-0000002");
    expect("analyst1", "child --name 'Sian Pryce' Sian", 2, "give the QUERY once");
    expect("analyst1", "child --name ''", 2, "--name takes");
    expect("analyst1", "agenda --name x", 2, "--name is for");
    expect(NULL, "child --help", 0, "--name QUERY");
    /* the one place at that number and street is in Bettws, not the town given: checked, not shown as the answer */
    int st;
    char *out = run("analyst1", "address --name '14 Heol y Coed, Cwmbran'", &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "L-0000001"));
    assert_non_null(strstr(out, "not in the town"));
    assert_null(strstr(out, "PLACE L-0000001"));
    free(out);
}

static void test_lists_as_typed(void **state)
{
    (void)state;
    /* a surname alone: ranked candidates, each saying kind, type, warnings and why */
    expect("analyst1", "person Jones", 0, "matched by surname");
    expect("analyst1", "person Jones", 0, "person, adult");
    expect("analyst1", "person Jones", 0, "possibly the same person (review)");
    json_t *j = run_json("analyst1", "person Jones --json");
    json_t *c0 = json_array_get(json_object_get(j, "candidates"), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "entity_id")), "P-0000020");
    assert_string_equal(json_string_value(json_object_get(c0, "type")), "adult");
    assert_true(json_integer_value(json_object_get(c0, "warnings")) >= 1);
    json_decref(j);
    /* an address as typed: without a comma, the town read from the end */
    expect("analyst1", "address '14 Heol y Coed Caerphilly'", 0, "PLACE L-0000011");
    expect("analyst1", "address '14 Heol y Coed, Bettws'", 0, "PLACE L-0000001");
    /* no town given: both, the trap house saying so */
    expect("analyst1", "address '14 Heol y Coed'", 0, "location, trap house");
    /* a town that neither is in: a list to check, never the profile of a place in another town */
    int st;
    char *out = run("analyst1", "address '14 Heol y Coed, Newport'", &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "pick one"));
    assert_non_null(strstr(out, "not in the town"));
    assert_null(strstr(out, "PLACE L-"));
    free(out);
    /* an officer: the open Mark Evans and, of the one known only to MARAC, that he is held and whom to ask -
     * a list to read, never the open one's profile as if he were the only one */
    out = run("pc1", "person 'Mark Evans'", &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "P-0000022"));
    assert_null(strstr(out, "PERSON P-0000022"));
    assert_non_null(strstr(out, "restricted information held"));
    assert_non_null(strstr(out, "MARAC"));
    assert_null(strstr(out, "P-0000005"));
    free(out);
    /* known only to MARAC, asked by id: not "nothing matches", but held and whom to ask */
    out = run("pc1", "person P-0000005", &st);
    assert_int_equal(st, 1);
    assert_non_null(strstr(out, "restricted information held"));
    assert_null(strstr(out, "nothing matches"));
    free(out);
}

static void test_adults_possible_match_one_row(void **state)
{
    (void)state;
    json_t *j = run_json("analyst1", "analyse adults --json --top 50");
    json_t *rows = json_object_get(j, "central"), *r;
    size_t i;
    int gareth = 0;
    const char *other = NULL;
    json_array_foreach(rows, i, r)
    {
        const char *id = json_string_value(json_object_get(r, "entity_id"));
        if (strcmp(id, "P-0000020") == 0 || strcmp(id, "P-0000021") == 0) {
            gareth++;
            json_t *same = json_array_get(json_object_get(r, "possibly_same"), 0);
            other = same ? json_string_value(json_object_get(same, "entity_id")) : NULL;
            assert_non_null(other);
            assert_string_not_equal(other, id);
        }
    }
    assert_int_equal(gareth, 1); /* one row for the two Gareth Joneses */
    json_decref(j);
    expect("analyst1", "analyse adults", 0, "possibly the same person (review): Gareth");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_child),
        cmocka_unit_test(test_officer_sees_less),
        cmocka_unit_test(test_other_commands),
        cmocka_unit_test(test_consultations_logged),
        cmocka_unit_test(test_name_option),
    };
    const struct CMUnitTest more[] = {
        cmocka_unit_test(test_lists_as_typed),
        cmocka_unit_test(test_adults_possible_match_one_row),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    return failed + cmocka_run_group_tests(more, setup_more, teardown);
}
