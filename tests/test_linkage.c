/*
 * test_linkage.c - record linkage as a general model, on hand-written data that is not cpgen's:
 * the comparisons a plain spreadsheet gives (email, address columns, DOBs a year or a decade out),
 * the keys mapped address columns make (a town, a house number without a street, a postcode from
 * outside the UK), the guard stepping back only as far as the data shows, and a small membership
 * spreadsheet loaded with `ingest csv --map` and resolved with the defaults end to end: its
 * duplicates (names swapped, typos, a mistyped DOB, another email provider) join, and its twins
 * and its father and son of one name stay apart.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve/compare.h"
#include "core/normalise/normalise.h"
#include "resolve/internal.h"
#include "ingest/keys.h"
#include "testutil.h"

#define D(y, m, d) cpi_norm_days_from_ymd((y), (m), (d))

static void test_email_levels(void **state)
{
    (void)state;
    assert_int_equal(cpi_cmp_email("ann.price@example.org", "ann.price@example.org"), CPI_EMAIL_EXACT);
    assert_int_equal(cpi_cmp_email("ann.price@example.org", "ann.price@mail.example"), CPI_EMAIL_LOCAL);
    assert_int_equal(cpi_cmp_email("ann.price@example.org", "ann.prcie@example.org"), CPI_EMAIL_JW);
    assert_int_equal(cpi_cmp_email("ann.price@example.org", "tom.hale@other.net"), CPI_EMAIL_ELSE);
    /* initials are shared by many people: not the local-part level */
    assert_int_equal(cpi_cmp_email("a.p@example.org", "a.p@other.net"), CPI_EMAIL_ELSE);
    assert_int_equal(cpi_cmp_email(NULL, "a@b.c"), CPI_EMAIL_NULL);
    assert_int_equal(cpi_cmp_email("", "a@b.c"), CPI_EMAIL_NULL);
}

static void test_dob_tolerance(void **state)
{
    (void)state;
    int32_t a = D(1980, 3, 14), b = D(1980, 11, 2), c = D(1987, 1, 30), dad = D(1955, 6, 1);
    /* default: more than a month and no typo is a conflict */
    assert_true(cpi_rs_dob_conflict_tol(a, a, b, b, 0));
    assert_true(cpi_rs_dob_conflict(a, a, b, b));
    /* data whose matches are often a year out: under a year is not */
    assert_false(cpi_rs_dob_conflict_tol(a, a, b, b, CPI_CMP_DOB_YEAR_DAYS));
    assert_true(cpi_rs_dob_conflict_tol(a, a, c, c, CPI_CMP_DOB_YEAR_DAYS));
    /* ten years out, but a father 25 years older still conflicts */
    assert_false(cpi_rs_dob_conflict_tol(a, a, c, c, CPI_CMP_DOB_DECADE_DAYS));
    assert_true(cpi_rs_dob_conflict_tol(a, a, dad, dad, CPI_CMP_DOB_DECADE_DAYS));
    /* one-part typos never conflict, whatever the tolerance */
    assert_false(cpi_rs_dob_conflict_tol(a, a, D(1980, 3, 24), D(1980, 3, 24), 0));
}

static void test_guard_steps_back_only_as_far_as_the_data(void **state)
{
    (void)state;
    cpi_rs_uf uf;
    memset(&uf, 0, sizeof uf);
    cpi_rs_guard_evidence ev = {.m_fn_else = 0.02, .n_fn_else = 300};
    ev.dob_share[CPI_DOB_EXACT] = 0.97, ev.dob_count[CPI_DOB_EXACT] = 970;
    ev.dob_share[CPI_DOB_YEAR] = 0.02, ev.dob_count[CPI_DOB_YEAR] = 20;
    ev.dob_share[CPI_DOB_DECADE] = 0.01, ev.dob_count[CPI_DOB_DECADE] = 10;
    cpi_rs_guard_set(&uf, &ev); /* a register: forenames kept, DOBs right */
    assert_false(uf.fn_soft);
    assert_int_equal(uf.dob_tol, 0);
    ev.dob_share[CPI_DOB_YEAR] = 0.12, ev.dob_count[CPI_DOB_YEAR] = 120;
    cpi_rs_guard_set(&uf, &ev);
    assert_int_equal(uf.dob_tol, CPI_CMP_DOB_YEAR_DAYS);
    ev.dob_share[CPI_DOB_DECADE] = 0.09, ev.dob_count[CPI_DOB_DECADE] = 90;
    ev.m_fn_else = 0.10;
    cpi_rs_guard_set(&uf, &ev); /* typed from paper: forenames replaced, DOB digits slipped */
    assert_true(uf.fn_soft);
    assert_int_equal(uf.dob_tol, CPI_CMP_DOB_DECADE_DAYS);
    /* a small file: a high share, but too few examples to step back on */
    ev.n_fn_else = CPI_RS_GUARD_MIN_PAIRS - 1;
    ev.dob_count[CPI_DOB_DECADE] = ev.dob_count[CPI_DOB_YEAR] = CPI_RS_GUARD_MIN_PAIRS - 1;
    cpi_rs_guard_set(&uf, &ev);
    assert_false(uf.fn_soft);
    assert_int_equal(uf.dob_tol, 0);
    /* the forename rule itself: a short form and a keystroke are one name, two names are two */
    assert_false(cpi_rs_forename_conflict("katherine", "kath"));
    assert_false(cpi_rs_forename_conflict("megan", "mgean"));
    assert_true(cpi_rs_forename_conflict("ella", "erin"));
}

/* The keys of one mention built from raw values (fields by cpi_field), as "name=value;" pairs. */
static void keys_of(cpi_kind kind, const char *const values[CPI_F__COUNT], char *out, size_t cap,
                    unsigned long *bad)
{
    cpi_arena a = {0};
    cpi_kvbuf kv = {0};
    cpi_error err = {0};
    *bad = 0;
    assert_int_equal(cpi_keys_build(kind, values, CPI_DAY_NONE, &a, &kv, bad, &err), CPI_OK);
    size_t n = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < kv.count && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s=%s;", kv.items[i].key, kv.items[i].value);
    cpi_arena_free(&a);
}

static void expect_has(const char *keys, const char *want)
{
    if (!strstr(keys, want))
        fail_msg("keys '%s' lack '%s'", keys, want);
}

static void test_address_columns_make_keys(void **state)
{
    (void)state;
    char k[1024];
    unsigned long bad;
    const char *v[CPI_F__COUNT] = {0};
    v[CPI_F_HOUSE] = "14";
    v[CPI_F_STREET] = "Wattle Grove";
    v[CPI_F_LOCALITY] = "Northgate";
    v[CPI_F_TOWN] = "Ballarat";
    v[CPI_F_POSTCODE] = "3350";
    v[CPI_F_REGION] = "Vic";
    keys_of(CPI_KIND_LOCATION, v, k, sizeof k, &bad);
    expect_has(k, "house=14;");
    expect_has(k, "town=ballarat;");
    expect_has(k, "locality=northgate;");
    expect_has(k, "region=vic;");
    expect_has(k, "pc=3350;"); /* kept whole: no sector or district */
    assert_null(strstr(k, "pcs="));
    assert_int_equal(bad, 0);
    /* a house number whose street was left empty is still a house number */
    memset(v, 0, sizeof v);
    v[CPI_F_HOUSE] = "52";
    v[CPI_F_TOWN] = "Ballarat";
    keys_of(CPI_KIND_LOCATION, v, k, sizeof k, &bad);
    expect_has(k, "house=52;");
    expect_has(k, "town=ballarat;");
    /* a mistyped UK postcode is not kept whole: it would disagree with the right one */
    memset(v, 0, sizeof v);
    v[CPI_F_STREET] = "High Street";
    v[CPI_F_POSTCODE] = "NP20 1A";
    keys_of(CPI_KIND_LOCATION, v, k, sizeof k, &bad);
    if (strstr(k, ";pc=") || strncmp(k, "pc=", 3) == 0)
        fail_msg("a mistyped UK postcode was kept: %s", k);
    assert_true(bad & (1ul << CPI_F_POSTCODE));
    /* a town alone (a city column) is a place */
    memset(v, 0, sizeof v);
    v[CPI_F_TOWN] = "Leeds";
    keys_of(CPI_KIND_LOCATION, v, k, sizeof k, &bad);
    expect_has(k, "town=leeds;");
    /* a person's own email column */
    memset(v, 0, sizeof v);
    v[CPI_F_FORENAMES] = "Ann";
    v[CPI_F_EMAIL] = "Ann.Price@Example.org";
    keys_of(CPI_KIND_PERSON, v, k, sizeof k, &bad);
    expect_has(k, "email=ann.price@example.org;");
}

/*
 * A sports club's membership list (invented): people joined twice or more under slips of the pen.
 * True ids are the first column of TRUTH below. Twins Ella and Erin Morgan share a DOB and a home;
 * Gareth Lloyd and his son Gareth share a name and a home, 27 years apart.
 */
static const char MEMBERS[] =
    "member_no,first_name,last_name,birth_date,house_no,street,town,postcode,email\n"
    "M001,Ann,Price,1984-03-14,12,Acacia Avenue,Hexham,NE46 3AB,ann.price@example.org\n"
    "M002,Price,Ann,1984-03-14,12,Acacia Ave,Hexham,NE46 3AB,ann.price@example.org\n"
    "M003,Anne,Price,1984-03-24,12,Acacia Avenue,Hexham,NE46 3AB,\n"
    "M004,Tomasz,Nowak,1990-07-02,3,Mill Bank,Corbridge,NE45 5LT,t.nowak90@example.net\n"
    "M005,Tomasz,Nowac,1990-07-02,3,Mill Bnak,Corbridge,NE45 5LT,\n"
    "M006,Tomasz,Nowak,1990-07-02,,,Corbridge,,t.nowak90@mail.example\n"
    "M007,Ella,Morgan,2009-11-30,7,Tyne Green,Hexham,NE46 3RY,\n"
    "M008,Erin,Morgan,2009-11-30,7,Tyne Green,Hexham,NE46 3RY,\n"
    "M009,Ella,Morgan,2009-11-30,7,Tyne Grn,Hexham,NE46 3RY,\n"
    "M010,Erin,Morgan,2009-11-30,7,Tyne Green,Hexham,,\n"
    "M011,Gareth,Lloyd,1961-05-09,40,Station Road,Haltwhistle,NE49 0AH,\n"
    "M012,Gareth,Lloyd,1988-02-17,40,Station Road,Haltwhistle,NE49 0AH,\n"
    "M013,Gareth,Lloyd,1961-05-09,40,Station Rd,Haltwhistle,NE49 0AH,\n"
    "M014,Gareth,Lloyd,1988-02-17,40,Station Road,Haltwhistle,NE49 0AH,\n"
    "M015,Priya,Shah,1975-12-01,9,Hencotes,Hexham,NE46 2EB,priya.shah@example.com\n"
    "M016,Priya,Sah,1975-12-01,9,Hencotes,Hexham,NE46 2EB,priya.shah@example.com\n"
    "M017,Duncan,Reid,1979-08-21,2,Fore Street,Hexham,NE46 1LZ,\n"
    "M018,Morag,Fleming,1993-04-04,61,Battle Hill,Hexham,NE46 1BB,\n"
    "M019,Callum,Baird,2001-01-19,5,Orchard Close,Corbridge,NE45 5HB,\n"
    "M020,Siobhan,Kerr,1968-10-10,22,Beaumont Street,Hexham,NE46 3LZ,\n"
    "M021,Siobhan,Kerr,1968-10-10,22,Beaumont Street,Hexham,NE46 3LZ,s.kerr@example.org\n"
    "M022,Iain,Ross,1972-06-15,8,Priestpopple,Hexham,NE46 1PH,\n"
    "M023,Iain,Ross,1972-06-15,8,Priestpopple,Hexham,NE46 1PH,\n"
    "M024,Fiona,Grant,1988-09-09,31,Eastgate,Hexham,NE46 1BH,\n";

static const char MAP[] = "[file]\nsource = club\nid = member_no\n"
                          "[mention]\nkind = person\nrole = member\nforenames = first_name\nsurname = last_name\n"
                          "dob = birth_date\nemail = email\n"
                          "[mention]\nkind = location\nrole = home-address\nhouse = house_no\nstreet = street\n"
                          "town = town\npostcode = postcode\n"
                          "[relation]\ntype = lives-at\nfrom = 1\nto = 2\n";

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    fclose(f);
}

/* The entity of each member's person mention, from `cpindex export entities`. */
static void entity_of(const char *entities_csv, const char *member, char *out, size_t cap)
{
    char want[64];
    snprintf(want, sizeof want, "\"club:%s/1\",\"", member);
    const char *p = strstr(entities_csv, want);
    if (!p)
        fail_msg("%s not exported:\n%s", member, entities_csv);
    p += strlen(want);
    size_t n = strcspn(p, "\"");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
}

static void expect_link(const char *csv, const char *a, const char *b, bool same)
{
    char ea[64], eb[64];
    entity_of(csv, a, ea, sizeof ea);
    entity_of(csv, b, eb, sizeof eb);
    if ((strcmp(ea, eb) == 0) != same)
        fail_msg("%s (%s) and %s (%s) should be %s", a, ea, b, eb, same ? "one person" : "two people");
}

static void test_plain_spreadsheet_end_to_end(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char path[1024], cmd[4096];
    snprintf(path, sizeof path, "%s/members.csv", dir);
    write_text(path, MEMBERS);
    snprintf(path, sizeof path, "%s/club.ini", dir);
    write_text(path, MAP);
    char *rel = tu_build_path("cpindex"), *bin = realpath(rel, NULL);
    free(rel);
    assert_non_null(bin);
    const char *user = getpwuid(getuid())->pw_name;
    snprintf(cmd, sizeof cmd,
             "cd '%s' && export CPINDEX_USER='%s' CPINDEX_REASON='linkage test on invented data' && "
             "'%s' --db db ingest csv --map club.ini members.csv >/dev/null && "
             "'%s' --db db user add '%s' --role admin,analyst >/dev/null && '%s' --db db resolve >/dev/null && "
             "'%s' --db db export entities --out entities.csv >/dev/null 2>&1",
             dir, user, bin, bin, user, bin, bin);
    int st = -1;
    free(tu_run(cmd, &st));
    assert_int_equal(st, 0);
    snprintf(path, sizeof path, "%s/entities.csv", dir);
    size_t len;
    char *csv = tu_slurp(path, &len);
    assert_non_null(csv);
    expect_link(csv, "M001", "M002", true);  /* forename and surname swapped */
    expect_link(csv, "M001", "M003", true);  /* nickname-close forename, one DOB digit, no email */
    expect_link(csv, "M004", "M005", true);  /* surname and street mistyped */
    expect_link(csv, "M004", "M006", true);  /* no address, the same email at another provider */
    expect_link(csv, "M015", "M016", true);  /* surname mistyped, one email */
    expect_link(csv, "M020", "M021", true);
    expect_link(csv, "M007", "M009", true);
    expect_link(csv, "M008", "M010", true);
    expect_link(csv, "M007", "M008", false); /* twins: one DOB and home, two forenames */
    expect_link(csv, "M009", "M010", false);
    expect_link(csv, "M011", "M013", true);
    expect_link(csv, "M012", "M014", true);
    expect_link(csv, "M011", "M012", false); /* father and son of one name and home */
    expect_link(csv, "M017", "M018", false);
    expect_link(csv, "M001", "M015", false);
    /* explain says which guard kept the twins apart */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && CPINDEX_USER='%s' CPINDEX_REASON='linkage test on invented data' '%s' --db db explain "
             "club:M011/1 club:M012/1 2>&1",
             dir, user, bin);
    char *out = tu_run(cmd, &st);
    assert_int_equal(st, 0);
    if (strstr(out, "probability 1.0") || strstr(out, ": link ("))
        if (!strstr(out, "kept apart by the guard") || !strstr(out, "DOBs"))
            fail_msg("explain of the father and son names no guard:\n%s", out);
    free(out);
    free(csv);
    free(bin);
    tu_rmrf_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_levels),
        cmocka_unit_test(test_dob_tolerance),
        cmocka_unit_test(test_guard_steps_back_only_as_far_as_the_data),
        cmocka_unit_test(test_address_columns_make_keys),
        cmocka_unit_test(test_plain_spreadsheet_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
