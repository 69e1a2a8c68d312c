/*
 * test_profile.c - the child profile on the fixture's known child (Siân
 * Pryce, P-0000001): warnings in order, risky people with why and how,
 * places with found-at counts, connected children, gaps, identity and
 * references; withholding MARAC and POLIT item by item; brief vs full;
 * JSON keys; refusals for a place or an unknown id. A person's own risk
 * flags (OCG member, MIRAF risk person, MACE adult of concern, MARAC
 * perpetrator, suspect, CAWN served on them) open the warnings; a warning
 * withheld by role is never reported as "none"; a place's type and risk
 * markers appear wherever a list names it (fixture with fx_write_more).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "query/profile.h"
#include "render/profile_render.h"
#include "query_fixture.h"

typedef fx_ctx ctx;

static cpi_profile build(ctx *c, const char *id, cpi_detail detail, uint32_t withhold)
{
    cpi_profile_opts o = {.detail = detail, .withhold = withhold};
    cpi_profile p;
    cpi_error err = {0};
    cpi_status s = cpi_profile_build(c->txn, id, &o, &c->arena, &p, &err);
    if (s)
        fail_msg("profile %s: %s", id, err.msg);
    return p;
}

static const cpi_pf_warning *warning(const cpi_profile *p, const char *code)
{
    for (uint32_t i = 0; i < p->nwarnings; i++)
        if (strcmp(p->warnings[i].code, code) == 0)
            return &p->warnings[i];
    return NULL;
}

static const cpi_pf_person *risky(const cpi_profile *p, const char *id)
{
    for (uint32_t i = 0; i < p->nrisky_people; i++)
        if (strcmp(p->risky_people[i].id, id) == 0)
            return &p->risky_people[i];
    return NULL;
}

static bool has_link(const cpi_pf_person *r, const char *type, bool via)
{
    for (uint32_t i = 0; i < r->nlinks; i++)
        if (strcmp(r->links[i].type, type) == 0 && (r->links[i].via_id != NULL) == via)
            return true;
    return false;
}

static const cpi_pf_gap *gap(const cpi_profile *p, const char *code)
{
    for (uint32_t i = 0; i < p->ngaps; i++)
        if (strcmp(p->gaps[i].code, code) == 0)
            return &p->gaps[i];
    return NULL;
}

static void test_warnings(void **state)
{
    ctx *c = *state;
    cpi_profile p = build(c, "P-0000001", CPI_DETAIL_FULL, 0);
    assert_true(p.is_child);
    assert_string_equal(p.name, "Siân PRYCE");
    const char *expect[] = {"cpp", "missing", "exploitation", "cawn", "marac-household", "ppn", "victim"};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        if (!warning(&p, expect[i]))
            fail_msg("no '%s' warning", expect[i]);
    assert_non_null(strstr(warning(&p, "missing")->text, "7 episodes"));
    assert_non_null(strstr(warning(&p, "missing")->text, "HIGH"));
    assert_non_null(strstr(warning(&p, "exploitation")->text, "SERAF 30"));
    assert_non_null(strcasestr(warning(&p, "cawn")->text, "Dean Morgan"));
    assert_non_null(strstr(warning(&p, "cawn")->text, "P-0000002"));
    assert_non_null(strstr(warning(&p, "ppn")->text, "NOT shared"));
    assert_int_equal(warning(&p, "marac-household")->source, CPI_SRC_MARAC);
    /* most important first: every level-3 warning before any lower one */
    for (uint32_t i = 1; i < p.nwarnings; i++)
        assert_true(p.warnings[i - 1].level >= p.warnings[i].level);
    assert_int_equal(p.warnings[0].level, 3);
}

static void test_risky_people(void **state)
{
    ctx *c = *state;
    cpi_profile p = build(c, "P-0000001", CPI_DETAIL_FULL, 0);
    const cpi_pf_person *dean = risky(&p, "P-0000002");
    assert_non_null(dean);
    uint64_t why = CPI_EF(CPI_EF_CAWN) | CPI_EF(CPI_EF_MIRAF_RISK) | CPI_EF(CPI_EF_MACE_ADULT) |
                   CPI_EF(CPI_EF_SUSPECT) | CPI_EF(CPI_EF_OCG);
    assert_int_equal(dean->flags & CPI_EF_RISKY, why);
    assert_true(has_link(dean, "cawn-served", false));
    assert_true(has_link(dean, "poses-risk-to", false));
    assert_true(has_link(dean, "suspect-against", false));
    assert_int_equal(dean->nphones, 1);
    assert_string_equal(dean->phones[0], "07700 900123");
    assert_true(dean->noccurrences >= 1);
    /* Gareth, the RSO, is not linked to her by any record, only by living at her home */
    const cpi_pf_person *gareth = risky(&p, "P-0000008");
    assert_non_null(gareth);
    assert_true(gareth->flags & CPI_EF(CPI_EF_RSO));
    assert_true(has_link(gareth, "lives-at", true));
    /* Mark Evans is known only to MARAC */
    const cpi_pf_person *mark = risky(&p, "P-0000005");
    assert_non_null(mark);
    assert_true(mark->flags & CPI_EF(CPI_EF_PERPETRATOR));
    /* the mother is not a risky person */
    assert_null(risky(&p, "P-0000004"));
    /* Dean comes first: more reasons and closer links */
    assert_string_equal(p.risky_people[0].id, "P-0000002");
}

static void test_places_and_children(void **state)
{
    ctx *c = *state;
    cpi_profile p = build(c, "P-0000001", CPI_DETAIL_FULL, 0);
    const cpi_pf_place *bus = NULL, *home = NULL, *chicken = NULL;
    for (uint32_t i = 0; i < p.nplaces; i++) {
        if (strcmp(p.places[i].id, "L-0000002") == 0)
            bus = &p.places[i];
        if (strcmp(p.places[i].id, "L-0000001") == 0)
            home = &p.places[i];
        if (strcmp(p.places[i].id, "L-0000003") == 0)
            chicken = &p.places[i];
    }
    assert_non_null(bus);
    assert_non_null(home);
    assert_non_null(chicken);
    bool found5 = false;
    for (uint32_t i = 0; i < bus->nlinks; i++)
        found5 |= strcmp(bus->links[i].type, "found-at") == 0 && bus->links[i].times == 5;
    assert_true(found5);
    assert_int_equal(bus->children, 1); /* Lily */
    assert_true(chicken->flags & CPI_EF(CPI_EF_PLACE_OF_CONCERN));
    /* addresses: L-1, current, a home */
    assert_int_equal(p.naddresses, 1);
    assert_string_equal(p.addresses[0].id, "L-0000001");
    assert_string_equal(p.addresses[0].status, "current");
    assert_string_equal(p.addresses[0].kind, "home");
    /* Lily: through Dean and through the bus station */
    assert_int_equal(p.nconnected_children, 1);
    assert_string_equal(p.connected_children[0].id, "P-0000003");
    bool via_person = false, via_place = false;
    for (uint32_t i = 0; i < p.connected_children[0].nvias; i++) {
        via_person |= strcmp(p.connected_children[0].vias[i].id, "P-0000002") == 0;
        via_place |= strcmp(p.connected_children[0].vias[i].id, "L-0000002") == 0;
    }
    assert_true(via_person && via_place);
}

static void test_gaps_identity_timeline(void **state)
{
    ctx *c = *state;
    cpi_profile p = build(c, "P-0000001", CPI_DETAIL_FULL, 0);
    assert_non_null(gap(&p, "missing-no-prevention-interview"));
    assert_non_null(gap(&p, "mace-not-flagged")); /* CSE per MACE, only a CPP marker on Niche */
    assert_non_null(gap(&p, "ppn-not-shared"));
    const cpi_pf_gap *g = gap(&p, "rso-at-marac-address");
    assert_non_null(g);
    assert_non_null(strstr(g->text, "Gareth"));
    assert_null(gap(&p, "missing-no-miraf")); /* she has a MIRAF form */
    /* identity: both DOB forms; gender from Niche */
    assert_string_equal(p.dobs[0].text, "2010-04-03");
    assert_int_equal(p.ngenders, 1);
    assert_string_equal(p.genders[0].text, "female");
    /* every record holding one of her mentions (Niche nominal, warning, address link, PPN, occurrence
     * link; MIRAF; MACE; MARAC) is referenced and on the timeline, newest first */
    assert_int_equal(p.nreferences, 8);
    assert_int_equal(p.ntimeline, 8);
    for (uint32_t i = 1; i < p.ntimeline; i++)
        assert_true(p.timeline[i - 1].day >= p.timeline[i].day);
    assert_string_equal(p.timeline[0].ref, "mace:MACE-0000001");
    /* the resolver's review pair: the other Siân Pryce, not a risk, not a connected child */
    assert_int_equal(p.npossible_matches, 1);
    assert_string_equal(p.possible_matches[0].id, "P-0000009");
    assert_true(p.possible_matches[0].probability > 0.619 && p.possible_matches[0].probability < 0.621);
    assert_string_equal(p.possible_matches[0].mention_a, "niche:NOM-0000001/1");
    assert_string_equal(p.possible_matches[0].mention_b, "niche:NOM-0000009/1");
    assert_null(risky(&p, "P-0000009"));
    for (uint32_t i = 0; i < p.nconnected_children; i++)
        assert_string_not_equal(p.connected_children[i].id, "P-0000009");
    assert_int_equal(p.nwithheld, 0);
}

/* Every string in a JSON value, to look for what must not be there. */
static bool json_mentions(json_t *v, const char *needle)
{
    char *s = json_dumps(v, 0);
    bool found = strstr(s, needle) != NULL;
    free(s);
    return found;
}

static void test_withholding(void **state)
{
    ctx *c = *state;
    cpi_profile p = build(c, "P-0000001", CPI_DETAIL_FULL, CPI_SRC_RESTRICTED);
    assert_null(warning(&p, "marac-household"));
    assert_null(risky(&p, "P-0000005")); /* known only to MARAC */
    assert_null(gap(&p, "rso-at-marac-address"));
    assert_false(p.flags & CPI_EF(CPI_EF_MARAC_CHILD));
    /* the open sources are untouched */
    assert_non_null(warning(&p, "cawn"));
    assert_non_null(risky(&p, "P-0000002"));
    /* and it says what exists and whom to ask, per section */
    bool w = false, r = false, g = false;
    for (uint32_t i = 0; i < p.nwithheld; i++) {
        assert_int_equal(p.withheld[i].source, CPI_SRC_MARAC);
        assert_non_null(strstr(p.withheld[i].contact, "MARAC"));
        w |= strcmp(p.withheld[i].section, "warnings") == 0;
        r |= strcmp(p.withheld[i].section, "risky_people") == 0;
        g |= strcmp(p.withheld[i].section, "gaps") == 0;
    }
    assert_true(w && r && g);
    /* nothing from MARAC anywhere in the answer: no reference, no name, no DASH */
    json_t *j = cpi_profile_json(&p);
    assert_false(json_mentions(j, "marac:"));
    assert_false(json_mentions(j, "Mark Evans"));
    assert_false(json_mentions(j, "EVANS"));
    assert_false(json_mentions(j, "DASH"));
    assert_false(json_mentions(j, "marac-child"));
    json_decref(j);
    /* a contact given by access control is the one shown */
    cpi_profile_opts o = {.detail = CPI_DETAIL_BRIEF, .withhold = CPI_SRC_RESTRICTED};
    o.contact[CPI_SRC_MARAC] = "DS Jones, ext 4321";
    cpi_error err = {0};
    assert_int_equal(cpi_profile_build(c->txn, "P-0000001", &o, &c->arena, &p, &err), CPI_OK);
    assert_string_equal(p.withheld[0].contact, "DS Jones, ext 4321");
}

static void test_brief_and_json(void **state)
{
    ctx *c = *state;
    cpi_profile_opts o = {.detail = CPI_DETAIL_BRIEF, .max_items = 1};
    cpi_profile p;
    cpi_error err = {0};
    assert_int_equal(cpi_profile_build(c->txn, "P-0000001", &o, &c->arena, &p, &err), CPI_OK);
    assert_int_equal(p.ntimeline, 0);
    assert_int_equal(p.nrisky_people, 1);
    assert_string_equal(p.risky_people[0].id, "P-0000002");
    assert_int_equal(p.nplaces, 1);
    assert_true(p.truncated >= 4); /* 2 risky people, 2 places left off at least */
    json_t *j = cpi_profile_json(&p);
    const char *keys[] = {"entity_id", "names", "dobs", "addresses", "references", "warnings", "risky_people",
                          "places", "connected_children", "timeline", "possible_matches", "gaps", "withheld"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!json_object_get(j, keys[i]))
            fail_msg("JSON has no '%s'", keys[i]);
    assert_string_equal(json_string_value(json_object_get(j, "entity_id")), "P-0000001");
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "brief");
    json_decref(j);
    /* text: warnings come before risky people, and no line is wider than asked */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cpi_profile_text(&p, f, 60);
    fclose(f);
    assert_true(strstr(buf, "WARNINGS") < strstr(buf, "RISKY PEOPLE"));
    for (char *line = buf; *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        /* count characters, not bytes: Siân's â is two bytes */
        size_t chars = 0;
        for (size_t i = 0; i < n; i++)
            chars += ((unsigned char)line[i] & 0xC0) != 0x80;
        bool long_word = memchr(line, ' ', n) == NULL;
        if (chars > 60 && !long_word)
            fail_msg("line wider than 60: %.*s", (int)n, line);
        line = nl ? nl + 1 : line + n;
    }
    free(buf);
}

static void test_refusals(void **state)
{
    ctx *c = *state;
    cpi_profile p;
    cpi_error err = {0};
    assert_int_equal(cpi_profile_build(c->txn, "L-0000001", NULL, &c->arena, &p, &err), CPI_ERR_USAGE);
    assert_non_null(strstr(err.msg, "address"));
    assert_int_equal(cpi_profile_build(c->txn, "P-0000404", NULL, &c->arena, &p, &err), CPI_NOT_FOUND);
    assert_non_null(strstr(err.msg, "P-0000404"));
}

static void test_adult_profile(void **state)
{
    ctx *c = *state;
    cpi_profile p = build(c, "P-0000002", CPI_DETAIL_FULL, 0);
    assert_false(p.is_child);
    /* the children he is linked to are his connected children */
    bool sian = false, lily = false;
    for (uint32_t i = 0; i < p.nconnected_children; i++) {
        sian |= strcmp(p.connected_children[i].id, "P-0000001") == 0;
        lily |= strcmp(p.connected_children[i].id, "P-0000003") == 0;
    }
    assert_true(sian && lily);
}

/* The profile's text at a width, as a string the caller frees. */
static char *text_of(const cpi_profile *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cpi_profile_text(p, f, 100);
    fclose(f);
    return buf;
}

static void test_own_risk_flags_first(void **state)
{
    ctx *c = *state;
    /* Dean Morgan: MIRAF risk person, MACE adult of concern, OCG member, suspect, CAWN served on him */
    for (int d = 0; d < 2; d++) {
        cpi_profile p = build(c, "P-0000002", d ? CPI_DETAIL_FULL : CPI_DETAIL_BRIEF, CPI_SRC_RESTRICTED);
        static const char *const own[] = {"ocg-member", "miraf-risk", "mace-adult", "suspect", "cawn-served-on"};
        for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
            const cpi_pf_warning *w = warning(&p, own[i]);
            if (!w || !w->own)
                fail_msg("%s view: no own '%s' warning", d ? "full" : "brief", own[i]);
        }
        assert_non_null(strstr(warning(&p, "ocg-member")->text, "OCG-0001"));
        assert_non_null(strstr(warning(&p, "miraf-risk")->text, "2 records"));
        assert_string_equal(warning(&p, "miraf-risk")->refs[0], "miraf:MF-2023-000001"); /* the latest first */
        assert_true(p.warnings[0].own);
        /* own first, then what is linked to him */
        bool linked = false;
        for (uint32_t i = 0; i < p.nwarnings; i++) {
            if (p.warnings[i].own && linked)
                fail_msg("own warning '%s' after a linked one", p.warnings[i].code);
            linked |= !p.warnings[i].own;
        }
        char *t = text_of(&p);
        assert_non_null(strstr(t, "Organised crime group member"));
        assert_null(strstr(t, "WARNINGS - none"));
        free(t);
    }
    /* a child's own suspect role is not a warning (a 14-year-old in a fight is not a risk to children) */
    cpi_profile p = build(c, "P-0000001", CPI_DETAIL_FULL, 0);
    assert_null(warning(&p, "suspect"));
    p = build(c, "P-0000002", CPI_DETAIL_FULL, 0);
    json_t *j = cpi_profile_json(&p);
    json_t *w0 = json_array_get(json_object_get(j, "warnings"), 0);
    assert_true(json_is_true(json_object_get(w0, "own")));
    json_decref(j);
}

static void test_withheld_warnings_never_none(void **state)
{
    ctx *c = *state;
    /* Mark Evans is known only to MARAC: the analyst sees him as a perpetrator */
    cpi_profile p = build(c, "P-0000005", CPI_DETAIL_FULL, 0);
    const cpi_pf_warning *w = warning(&p, "marac-perpetrator");
    assert_non_null(w);
    assert_true(w->own);
    assert_non_null(strstr(w->text, "MRC-000001"));
    /* the officer: no warning to show, and the text must say that one is held, and whom to ask */
    cpi_profile_opts o = {.detail = CPI_DETAIL_BRIEF, .withhold = CPI_SRC_RESTRICTED};
    o.contact[CPI_SRC_MARAC] = "the MARAC coordinator, ext 4321";
    cpi_error err = {0};
    assert_int_equal(cpi_profile_build(c->txn, "P-0000005", &o, &c->arena, &p, &err), CPI_OK);
    assert_int_equal(p.nwarnings, 0);
    char *t = text_of(&p);
    assert_null(strstr(t, "WARNINGS - none"));
    assert_non_null(strstr(t, "restricted information held: contact the MARAC coordinator, ext 4321"));
    free(t);
    /* with warnings to show as well, the restricted line is there too */
    p = build(c, "P-0000001", CPI_DETAIL_BRIEF, CPI_SRC_RESTRICTED);
    assert_true(p.nwarnings > 0);
    t = text_of(&p);
    assert_non_null(strstr(t, "restricted information held: contact"));
    free(t);
    /* nothing withheld and nothing to warn of: "none" is then the truth */
    p = build(c, "P-0000009", CPI_DETAIL_BRIEF, CPI_SRC_RESTRICTED); /* one Niche nominal, nothing else */
    assert_int_equal(p.nwithheld, 0);
    assert_int_equal(p.nwarnings, 0);
    t = text_of(&p);
    assert_non_null(strstr(t, "WARNINGS - none"));
    assert_null(strstr(t, "restricted information held"));
    free(t);
}

static void test_place_markers_in_lists(void **state)
{
    ctx *c = *state;
    /* Sian (P-9) is at risk from Gareth Jones, who operates from a trap house: the list of risky people says so */
    cpi_profile p = build(c, "P-0000009", CPI_DETAIL_BRIEF, 0);
    char *t = text_of(&p);
    if (!strstr(t, "operates-from 14 Heol y Coed, Caerphilly [trap house"))
        fail_msg("no trap house beside the address:\n%s", t);
    free(t);
    json_t *j = cpi_profile_json(&p);
    bool found = false;
    json_t *rp, *ad;
    size_t i, k;
    json_array_foreach(json_object_get(j, "risky_people"), i, rp) json_array_foreach(json_object_get(rp, "addresses"),
                                                                                         k, ad)
    {
        json_t *fl;
        size_t m;
        json_array_foreach(json_object_get(ad, "flags"), m, fl) found |= strcmp(json_string_value(fl), "trap-house") == 0;
    }
    assert_true(found);
    json_decref(j);
    /* Gareth's own profile: the place he operates from, with its markers */
    p = build(c, "P-0000020", CPI_DETAIL_BRIEF, 0);
    t = text_of(&p);
    assert_non_null(strstr(t, "trap house"));
    free(t);
}

static void test_own_before_linked(void **state)
{
    ctx *c = *state;
    /* Gareth: OCG member and suspect (2023) are his own; victim (2024, as serious as suspect, and later) is not */
    cpi_profile p = build(c, "P-0000020", CPI_DETAIL_BRIEF, 0);
    assert_int_equal(p.nwarnings, 3);
    assert_string_equal(p.warnings[0].code, "ocg-member");
    assert_string_equal(p.warnings[1].code, "suspect");
    assert_string_equal(p.warnings[2].code, "victim");
    assert_false(p.warnings[2].own);
    char *t = text_of(&p);
    assert_true(strstr(t, "Suspect or offender") < strstr(t, "Victim in"));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warnings),      cmocka_unit_test(test_risky_people),
        cmocka_unit_test(test_places_and_children), cmocka_unit_test(test_gaps_identity_timeline),
        cmocka_unit_test(test_withholding),   cmocka_unit_test(test_brief_and_json),
        cmocka_unit_test(test_refusals),      cmocka_unit_test(test_adult_profile),
    };
    const struct CMUnitTest warnings[] = {
        cmocka_unit_test(test_own_risk_flags_first),
        cmocka_unit_test(test_withheld_warnings_never_none),
    };
    const struct CMUnitTest more[] = {cmocka_unit_test(test_place_markers_in_lists),
                                      cmocka_unit_test(test_own_before_linked)};
    int failed = cmocka_run_group_tests(tests, fx_setup_group, fx_teardown_group);
    failed += cmocka_run_group_tests(warnings, fx_setup_group, fx_teardown_group);
    return failed + cmocka_run_group_tests(more, fx_setup_group_more, fx_teardown_group);
}
