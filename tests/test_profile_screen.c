/*
 * test_profile_screen.c - the one-screen brief profile (render/profile_screen.h)
 * and place report (render/address_screen.h)
 * on a profile with far more than a screen holds: the printed answer keeps
 * to its line budget and width at every size, high warnings come first and
 * are never dropped for lesser items, every list cut short says how many
 * more, and the fitted profile (what the consultation log names) holds only
 * what was printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/address_screen.h"
#include "render/profile_screen.h"

#define N 12

static cpi_pf_warning warnings[N];
static cpi_pf_person risky[N];
static cpi_pf_place places[N];
static cpi_pf_child children[N];
static cpi_pf_gap gaps[3];
static cpi_pf_link links[N];
static cpi_pf_address addresses[2];
static cpi_pf_withheld withheld[1];
static cpi_pf_via vias[N];
static char names[4][N][160];

/* A profile much longer than a screen; every field filled as the builder fills it. */
static void make(cpi_profile *p)
{
    memset(p, 0, sizeof *p);
    p->entity_id = "P-0000042";
    p->name = "Rhiannon Llewellyn-Ap-Gwilym";
    p->dob = "2011-05-03";
    p->is_child = true;
    p->kind = CPI_KIND_PERSON;
    for (int i = 0; i < N; i++) {
        snprintf(names[0][i], sizeof names[0][i], "Warning %d: missing 12 times, last 2024-06-21, and a long tail of "
                 "detail that will not fit one line", i);
        warnings[i] = (cpi_pf_warning){.code = "w", .text = names[0][i], .level = i < 4 ? 3 : i < 8 ? 2 : 1,
                                       .source = CPI_SRC_NICHE, .refs = {"niche:WRN-0000001"}, .nrefs = 1};
        links[i] = (cpi_pf_link){.type = "poses-risk-to", .refs = {"miraf:MF-1", "miraf:MF-2"}, .nrefs = 2};
        snprintf(names[1][i], sizeof names[1][i], "Adult Number %d", i);
        risky[i] = (cpi_pf_person){.id = "P-0000100", .name = names[1][i], .flags = CPI_EF(CPI_EF_MIRAF_RISK),
                                   .links = &links[i], .nlinks = 1, .naddresses = 1,
                                   .address_ids = {"L-0000009"}, .address_names = {"9 Somewhere"}};
        snprintf(names[2][i], sizeof names[2][i], "%d Corporation Road, Ystrad Mynach", i);
        places[i] = (cpi_pf_place){.id = "L-0000003", .name = names[2][i], .postcode = "CF82 7JY",
                                   .flags = CPI_EF(CPI_EF_TRAP_HOUSE), .links = &links[i], .nlinks = 1,
                                   .nrisky_named = 1, .risky_ids = {"P-0000100"}, .risky_names = {"x"}};
        snprintf(names[3][i], sizeof names[3][i], "Child %d", i);
        vias[i] = (cpi_pf_via){.kind = "person", .id = "P-0000100", .name = "Adult Number 1"};
        children[i] = (cpi_pf_child){.id = "P-0000200", .name = names[3][i], .vias = &vias[i], .nvias = 1};
    }
    for (int i = 0; i < 3; i++)
        gaps[i] = (cpi_pf_gap){.code = "g", .text = "At risk per MACE but no CSE marker on Niche"};
    addresses[0] = (cpi_pf_address){.id = "L-0000001", .name = "14 Heol y Coed", .status = "current", .kind = "home"};
    addresses[1] = (cpi_pf_address){.id = "L-0000002", .name = "Old place", .status = "previous", .kind = "home"};
    withheld[0] = (cpi_pf_withheld){.section = "warnings", .source = CPI_SRC_MARAC, .items = 2,
                                    .contact = "the MARAC coordinator, 01633 000000"};
    p->warnings = warnings, p->nwarnings = N;
    p->risky_people = risky, p->nrisky_people = N;
    p->places = places, p->nplaces = N;
    p->connected_children = children, p->nconnected_children = N;
    p->gaps = gaps, p->ngaps = 3;
    p->addresses = addresses, p->naddresses = 2;
    p->withheld = withheld, p->nwithheld = 1;
    p->truncated = 7;
}

static char *render(const cpi_profile *p, const cpi_pf_screen *s, int width)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    cpi_profile_screen_text(p, s, m, width);
    fclose(m);
    return buf;
}

static void measure(const char *text, int *lines, int *widest)
{
    *lines = *widest = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        int cols = 0;
        for (size_t i = 0; i < len; i++)
            cols += ((unsigned char)p[i] & 0xC0) != 0x80;
        if (cols > *widest)
            *widest = cols;
        (*lines)++;
        p = nl ? nl + 1 : p + len;
    }
}

static void test_budget_every_size(void **state)
{
    (void)state;
    static const int sizes[][2] = {{80, 23}, {40, 23}, {120, 23}, {80, 12}, {60, 40}, {200, 18}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        cpi_profile p;
        cpi_pf_screen s;
        make(&p);
        cpi_profile_screen_fit(&p, sizes[k][0], sizes[k][1], 0, "child", &s);
        char *out = render(&p, &s, sizes[k][0]);
        int lines, widest;
        measure(out, &lines, &widest);
        if (lines > sizes[k][1] || widest > sizes[k][0])
            fail_msg("%dx%d: %d lines, %d columns:\n%s", sizes[k][0], sizes[k][1], lines, widest, out);
        /* the high warnings first: all four when there is room for more than the bare structure */
        assert_true(p.nwarnings >= (sizes[k][1] >= 18 ? 4u : 2u));
        for (uint32_t i = 0; i < p.nwarnings && i < 4; i++)
            assert_int_equal(p.warnings[i].level, 3);
        assert_non_null(strstr(out, "  !! Warning 0"));
        assert_true(strstr(out, "RESTRICTED") < strstr(out, "WARNINGS"));
        assert_true(strstr(out, "WARNINGS") < strstr(out, "RISKY PEOPLE"));
        /* what was cut is counted and points at --full */
        assert_int_equal(p.nwarnings + s.more[CPI_SCR_WARNINGS], N);
        assert_int_equal(p.nrisky_people + s.more[CPI_SCR_RISKY], N);
        assert_true(s.more[CPI_SCR_RISKY] > 0);
        char want[64];
        if (p.nrisky_people)
            snprintf(want, sizeof want, "+ %u or more risky people (--full)", s.more[CPI_SCR_RISKY]);
        else
            snprintf(want, sizeof want, "RISKY PEOPLE: %u or more (--full)", s.more[CPI_SCR_RISKY]);
        if (!strstr(out, want))
            fail_msg("no '%s' in:\n%s", want, out);
        if (!strstr(out, "cpindex child P-0000042 --full)"))
            { fprintf(stderr, "%s", out); fail_msg("%dx%d: no pointer to --full", sizes[k][0], sizes[k][1]); }
        assert_non_null(strstr(out, "HOME: 14 Heol y Coed"));
        /* the fitted profile names only what the screen printed: the log says no more */
        assert_int_equal(p.naddresses, 1);
        assert_int_equal(p.nreferences, 0);
        for (uint32_t i = 0; i < p.nrisky_people; i++) {
            assert_int_equal(p.risky_people[i].naddresses, 0);
            assert_int_equal(p.risky_people[i].links[0].nrefs, 0);
        }
        for (uint32_t i = 0; i < p.nwarnings; i++)
            assert_true(p.warnings[i].nrefs <= 1);
        free(out);
    }
}

static void test_short_profile_whole(void **state)
{
    (void)state;
    cpi_profile p;
    cpi_pf_screen s;
    make(&p);
    p.nwarnings = 2;
    p.nrisky_people = 1;
    p.nplaces = 0;
    p.nconnected_children = 0;
    p.ngaps = 0;
    p.nwithheld = 0;
    p.truncated = 0;
    cpi_profile_screen_fit(&p, 80, 23, 0, "child", &s);
    char *out = render(&p, &s, 80);
    assert_int_equal(p.nwarnings, 2);
    assert_int_equal(p.nrisky_people, 1);
    assert_null(strstr(out, "more"));
    assert_non_null(strstr(out, "PLACES - none"));
    /* room left over: the long warning wraps instead of being cut */
    assert_null(strstr(out, "..."));
    assert_non_null(strstr(out, "will not fit one line"));
    free(out);
}

/* The place report's screen: the same budget, warnings first, the people cut to what is printed. */
static void test_address_budget(void **state)
{
    (void)state;
    static cpi_place_person ps[3][N];
    static cpi_place_activity act[N];
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < N; i++)
            ps[k][i] = (cpi_place_person){.id = "P-0000300", .name = names[1][i], .flags = CPI_EF(CPI_EF_OCG),
                                          .links = &links[i], .nlinks = 1};
    for (int i = 0; i < N; i++)
        act[i] = (cpi_place_activity){.type = "victim-in", .people = 2, .records = 3};
    static const int sizes[][2] = {{80, 23}, {40, 23}, {80, 12}, {120, 18}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        cpi_profile p;
        make(&p); /* for its warnings, links and withheld notes */
        for (int i = 0; i < N; i++)
            links[i].nrefs = 2;
        cpi_place_report r = {.entity_id = "L-0000003", .name = "89 Corporation Rd, Ystrad Mynach",
                              .postcode = "CF82 7JY", .flags = CPI_EF(CPI_EF_TRAP_HOUSE), .truncated = 4};
        r.warnings = warnings, r.nwarnings = N;
        r.risky_people = ps[0], r.nrisky_people = N;
        r.children = ps[1], r.nchildren = N;
        r.residents = ps[2], r.nresidents = N;
        r.activity = act, r.nactivity = N;
        r.gaps = gaps, r.ngaps = 3;
        r.withheld = withheld, r.nwithheld = 1;
        cpi_place_screen s;
        cpi_address_screen_fit(&r, sizes[k][0], sizes[k][1], 0, &s);
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        cpi_address_screen_text(&r, &s, m, sizes[k][0]);
        fclose(m);
        int lines, widest;
        measure(buf, &lines, &widest);
        if (lines > sizes[k][1] || widest > sizes[k][0])
            fail_msg("%dx%d: %d lines, %d columns:\n%s", sizes[k][0], sizes[k][1], lines, widest, buf);
        assert_true(strstr(buf, "RESTRICTED") < strstr(buf, "WARNINGS"));
        assert_true(r.nwarnings >= 2);
        assert_int_equal(r.nwarnings + s.more[CPI_ASCR_WARNINGS], N);
        assert_int_equal(r.nrisky_people + s.more[CPI_ASCR_RISKY], N);
        assert_non_null(strstr(buf, "cpindex address L-0000003 --full"));
        for (uint32_t i = 0; i < r.nrisky_people; i++)
            assert_int_equal(r.risky_people[i].links[0].nrefs, 0); /* the log names no reference it did not print */
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget_every_size),
        cmocka_unit_test(test_short_profile_whole),
        cmocka_unit_test(test_address_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
