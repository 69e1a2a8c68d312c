/*
 * test_access.c - users, roles and the permission table: the store's owner is
 * the first admin; unknown users and roles the table does not name are
 * refused; the role table as the issue states it (officer summary, analyst
 * full, restricted content only with its role, supervisor reads the audit,
 * admin administers); reasons of one word refused; access.conf changes rows
 * and a broken or writable one refuses everything; user add/remove logged and
 * the last admin kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/access.h"
#include "audit/audit.h"
#include "testutil.h"

#define WHY "testing the role table"

typedef struct fixture {
    char *dir;
    char db[4200];
    cpi_store *st;
    char owner[CPI_USER_MAX];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    snprintf(f->db, sizeof f->db, "%s/db", f->dir);
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    if (cpi_store_open(f->db, &o, &f->st, NULL) != CPI_OK)
        return -1;
    if (cpi_access_owner(f->st, f->owner, NULL) != CPI_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cpi_store_close(f->st);
    tu_rmrf_free(f->dir);
    free(f);
    return 0;
}

static cpi_grant grant_for(fixture *f, const char *user, const char *action)
{
    cpi_grant g;
    cpi_error err = {0};
    if (cpi_access_authorise(f->st, user, WHY, action, &g, &err) != CPI_OK)
        fail_msg("%s %s: %s", user, action, err.msg);
    return g;
}

static void add(fixture *f, const char *name, const char *roles)
{
    cpi_grant g = grant_for(f, f->owner, "user");
    unsigned bits;
    assert_int_equal(cpi_roles_parse(roles, &bits, NULL), CPI_OK);
    cpi_error err = {0};
    if (cpi_access_user_add(f->st, &g, name, bits, &err) != CPI_OK)
        fail_msg("user add %s: %s", name, err.msg);
}

static void staff(fixture *f)
{
    add(f, "olly", "officer");
    add(f, "ana", "analyst");
    add(f, "pat", "analyst,polit");
    add(f, "mo", "officer,marac");
    add(f, "sue", "supervisor");
}

/* ---- pure checks ---- */

static void test_roles_parse_and_format(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        cpi_status s;
        unsigned bits;
        const char *out;
    } cases[] = {
        {"officer", CPI_OK, CPI_ROLE_OFFICER, "officer"},
        {"polit,analyst", CPI_OK, CPI_ROLE_ANALYST | CPI_ROLE_POLIT, "analyst,polit"},
        {"admin,supervisor,marac", CPI_OK, CPI_ROLE_ADMIN | CPI_ROLE_SUPERVISOR | CPI_ROLE_MARAC,
         "marac,supervisor,admin"},
        {"officer,officer", CPI_OK, CPI_ROLE_OFFICER, "officer"},
        {"", CPI_ERR_USAGE, 0, NULL},
        {"officer,", CPI_ERR_USAGE, 0, NULL},
        {"Officer", CPI_ERR_USAGE, 0, NULL},
        {"officer, analyst", CPI_ERR_USAGE, 0, NULL},
        {"root", CPI_ERR_USAGE, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned bits = 0;
        cpi_error err = {0};
        if (cpi_roles_parse(cases[i].in, &bits, &err) != cases[i].s)
            fail_msg("'%s': want status %d (%s)", cases[i].in, cases[i].s, err.msg);
        if (cases[i].s)
            continue;
        assert_int_equal(bits, cases[i].bits);
        char buf[128];
        assert_true(cpi_roles_format(bits, buf, sizeof buf) > 0);
        assert_string_equal(buf, cases[i].out);
    }
    char tiny[5];
    assert_int_equal(cpi_roles_format(CPI_ROLE_ANALYST, tiny, sizeof tiny), -1);
    assert_string_equal(cpi_role_name(CPI_ROLE_SUPERVISOR), "supervisor");
    assert_null(cpi_role_name((cpi_role)(CPI_ROLE_OFFICER | CPI_ROLE_ADMIN)));
}

static void test_reason_and_name_checks(void **state)
{
    (void)state;
    static const struct {
        const char *reason;
        bool ok;
    } reasons[] = {
        {"", false},
        {"lookup", false},
        {"   lookup   ", false},
        {"missing episode", true},
        {"  control room  check ", true},
        {"tab\tseparated", true},
        {"no\u00a0break", true}, /* a no-break space separates words too */
        {"two\nlines", false},
        {"bad \xff utf8", false},
        {"Gwenllïan's referral, strategy meeting", true},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        cpi_error err = {0};
        cpi_status s = cpi_access_check_reason(reasons[i].reason, &err);
        if ((s == CPI_OK) != reasons[i].ok)
            fail_msg("reason '%s': %s", reasons[i].reason, s ? err.msg : "accepted");
        if (!reasons[i].ok)
            assert_int_equal(s, CPI_ERR_ACCESS);
    }
    char longr[CPI_REASON_MAX + 8];
    memset(longr, 'a', sizeof longr - 1);
    longr[sizeof longr - 1] = '\0';
    longr[3] = ' ';
    assert_int_equal(cpi_access_check_reason(longr, NULL), CPI_ERR_ACCESS);
    assert_int_equal(cpi_access_check_reason(NULL, NULL), CPI_ERR_ACCESS);

    static const struct {
        const char *name;
        bool ok;
    } names[] = {
        {"alice", true}, {"a.jones@force", true}, {"PC-1234", true}, {"_x", false},  {"", false},
        {"al ice", false}, {"al;ice", false},       {"é", false},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((cpi_access_check_user_name(names[i].name, NULL) == CPI_OK) != names[i].ok)
            fail_msg("name '%s'", names[i].name);
    char longn[CPI_USER_MAX + 1];
    memset(longn, 'a', CPI_USER_MAX);
    longn[CPI_USER_MAX] = '\0';
    assert_int_equal(cpi_access_check_user_name(longn, NULL), CPI_ERR_USAGE);
    longn[CPI_USER_MAX - 1] = '\0';
    assert_int_equal(cpi_access_check_user_name(longn, NULL), CPI_OK);
}

/* ---- the store ---- */

static void test_owner_is_first_admin(void **state)
{
    fixture *f = *state;
    struct passwd *pw = getpwuid(getuid());
    if (pw)
        assert_string_equal(f->owner, pw->pw_name);
    cpi_grant g = grant_for(f, f->owner, "ingest");
    assert_int_equal(g.roles, CPI_ROLE_ADMIN);
    assert_int_equal(g.view, CPI_VIEW_FULL);
    assert_string_equal(g.reason, WHY);
    assert_string_equal(g.action, "ingest");
    cpi_error err = {0};
    assert_int_equal(cpi_access_authorise(f->st, "someone", WHY, "ingest", &g, &err), CPI_ERR_ACCESS);
    assert_non_null(strstr(err.msg, "user 'someone' is not known"));
    assert_non_null(strstr(err.msg, "cpindex user add someone --role"));
    /* an admin is not an officer: default deny */
    assert_int_equal(cpi_access_authorise(f->st, f->owner, WHY, "child", &g, &err), CPI_ERR_ACCESS);
    assert_non_null(strstr(err.msg, "needs the role officer,analyst"));
    /* nothing was written to make that so */
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
    assert_int_equal(rep.entries, 0);
}

static void test_role_table(void **state)
{
    fixture *f = *state;
    staff(f);
    const char *owner = f->owner;
    const struct {
        const char *user, *action;
        cpi_status s;
        cpi_view view;
        unsigned restricted;
    } cases[] = {
        {"olly", "child", CPI_OK, CPI_VIEW_SUMMARY, 0},
        {"olly", "person", CPI_OK, CPI_VIEW_SUMMARY, 0},
        {"olly", "address", CPI_OK, CPI_VIEW_SUMMARY, 0},
        {"olly", "missing", CPI_OK, CPI_VIEW_SUMMARY, 0},
        {"olly", "agenda", CPI_ERR_ACCESS, 0, 0},
        {"olly", "export", CPI_ERR_ACCESS, 0, 0},
        {"olly", "ingest", CPI_ERR_ACCESS, 0, 0},
        {"olly", "audit", CPI_ERR_ACCESS, 0, 0},
        {"ana", "child", CPI_OK, CPI_VIEW_FULL, 0},
        {"ana", "agenda", CPI_OK, CPI_VIEW_FULL, 0},
        {"ana", "analyse", CPI_OK, CPI_VIEW_FULL, 0},
        {"ana", "export", CPI_OK, CPI_VIEW_FULL, 0},
        {"ana", "review", CPI_OK, CPI_VIEW_FULL, 0},
        {"ana", "explain", CPI_OK, CPI_VIEW_FULL, 0},
        {"ana", "ingest", CPI_ERR_ACCESS, 0, 0},
        {"ana", "purge", CPI_ERR_ACCESS, 0, 0},
        {"ana", "link", CPI_ERR_ACCESS, 0, 0},
        {"ana", "audit", CPI_ERR_ACCESS, 0, 0},
        {"pat", "analyse", CPI_OK, CPI_VIEW_FULL, CPI_RESTRICTED_POLIT},
        {"mo", "child", CPI_OK, CPI_VIEW_SUMMARY, CPI_RESTRICTED_MARAC},
        {"mo", "agenda", CPI_ERR_ACCESS, 0, 0},
        {"sue", "audit", CPI_OK, CPI_VIEW_FULL, 0},
        {"sue", "audit-verify", CPI_OK, CPI_VIEW_FULL, 0},
        {"sue", "child", CPI_ERR_ACCESS, 0, 0},
        {"sue", "user", CPI_ERR_ACCESS, 0, 0},
        {owner, "ingest", CPI_OK, CPI_VIEW_FULL, 0},
        {owner, "resolve", CPI_OK, CPI_VIEW_FULL, 0},
        {owner, "purge", CPI_OK, CPI_VIEW_FULL, 0},
        {owner, "user", CPI_OK, CPI_VIEW_FULL, 0},
        {owner, "audit-verify", CPI_OK, CPI_VIEW_FULL, 0},
        {owner, "audit", CPI_ERR_ACCESS, 0, 0},
        {owner, "analyse", CPI_ERR_ACCESS, 0, 0},
        {"nobody", "child", CPI_ERR_ACCESS, 0, 0},
        {"ana", "frobnicate", CPI_ERR_ACCESS, 0, 0},
        {"ana", "", CPI_ERR_ACCESS, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cpi_grant g;
        cpi_error err = {0};
        cpi_status s = cpi_access_authorise(f->st, cases[i].user, WHY, cases[i].action, &g, &err);
        if (s != cases[i].s)
            fail_msg("%s %s: status %d (want %d): %s", cases[i].user, cases[i].action, s, cases[i].s, err.msg);
        if (s) {
            if (cases[i].action[0] && strcmp(cases[i].action, "frobnicate") != 0)
                assert_non_null(strstr(err.msg, cases[i].user));
            assert_null(strstr(err.msg, WHY)); /* the reason's text is never echoed */
            continue;
        }
        if (g.view != cases[i].view || g.restricted != cases[i].restricted)
            fail_msg("%s %s: view %d restricted %u", cases[i].user, cases[i].action, g.view, g.restricted);
    }
    /* one-word reason refused even for a known user */
    cpi_grant g;
    assert_int_equal(cpi_access_authorise(f->st, "ana", "checking", "child", &g, NULL), CPI_ERR_ACCESS);
    assert_int_equal(cpi_access_authorise(f->st, "ana", NULL, "child", &g, NULL), CPI_ERR_ACCESS);
    assert_int_equal(cpi_access_authorise(f->st, NULL, WHY, "child", &g, NULL), CPI_ERR_ACCESS);
}

static void test_restricted_content(void **state)
{
    fixture *f = *state;
    staff(f);
    const struct {
        const char *user, *ref;
        bool may;
    } cases[] = {
        {"ana", "niche:NOM-1", true},       {"ana", "miraf:MF-1/2", true},  {"ana", "polit:PL-1", false},
        {"ana", "polit:PL-1/3", false},     {"ana", "marac:MC-7", false},   {"pat", "polit:PL-1", true},
        {"pat", "marac:MC-7", false},       {"mo", "marac:MC-7/1", true},   {"mo", "polit:PL-1", false},
        {"olly", "polit:PL-1", false},      {"olly", "soc:SP-1", true},     {"ana", "politics:X-1", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cpi_grant g = grant_for(f, cases[i].user, strcmp(cases[i].user, "ana") && strcmp(cases[i].user, "pat")
                                                      ? "child"
                                                      : "analyse");
        if (cpi_access_may_read(&g, cases[i].ref) != cases[i].may)
            fail_msg("%s reading %s", cases[i].user, cases[i].ref);
    }
    cpi_grant g = grant_for(f, "olly", "child");
    assert_non_null(strstr(cpi_access_contact(&g, "polit:PL-1"), "POLIT"));
    assert_non_null(strstr(cpi_access_contact(&g, "marac:MC-1/2"), "MARAC"));
    assert_null(cpi_access_contact(&g, "niche:NOM-1"));
}

static void write_conf(fixture *f, const char *text, mode_t mode)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/access.conf", f->db);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_access_conf(void **state)
{
    fixture *f = *state;
    staff(f);
    write_conf(f,
               "# a force that lets officers see meeting agendas, in summary\n"
               "agenda   officer  summary\n"
               "\n"
               "child analyst none\r\n"
               "contact polit   Online CSE desk, ext. 4471\n",
               0600);
    cpi_grant g = grant_for(f, "olly", "agenda");
    assert_int_equal(g.view, CPI_VIEW_SUMMARY);
    assert_string_equal(cpi_access_contact(&g, "polit:PL-1"), "Online CSE desk, ext. 4471");
    cpi_error err = {0};
    assert_int_equal(cpi_access_authorise(f->st, "ana", WHY, "child", &g, &err), CPI_ERR_ACCESS);
    assert_non_null(strstr(err.msg, "needs the role officer"));
    /* other rows keep their defaults */
    assert_int_equal(grant_for(f, "ana", "agenda").view, CPI_VIEW_FULL);

    static const struct {
        const char *text;
        const char *want;
    } broken[] = {
        {"agenda officer\n", ":1: the level"},
        {"# ok\nagenda officer most\n", ":2: the level"},
        {"agenda officer summary extra\n", ":1: the level"},
        {"agenda superuser full\n", ":1: say one role"},
        {"agenda officer,analyst full\n", ":1: say one role"},
        {"frobnicate officer full\n", ":1: unknown command 'frobnicate'"},
        {"contact niche Someone\n", ":1: contact names a restricted source"},
        {"contact polit\n", ":1: contact needs a text"},
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        write_conf(f, broken[i].text, 0600);
        cpi_error e2 = {0};
        /* a broken file refuses everything, not just the broken row */
        assert_int_equal(cpi_access_authorise(f->st, "olly", WHY, "child", &g, &e2), CPI_ERR_DATA);
        if (!strstr(e2.msg, broken[i].want) || !strstr(e2.msg, "access.conf"))
            fail_msg("'%s': %s (want '%s')", broken[i].text, e2.msg, broken[i].want);
    }
    write_conf(f, "agenda officer summary\n", 0622);
    assert_int_equal(cpi_access_authorise(f->st, "olly", WHY, "agenda", &g, &err), CPI_ERR_DATA);
    assert_non_null(strstr(err.msg, "changed by others"));
}

typedef struct seen {
    int n;
    char what[16][160];
} seen;

static cpi_status note_access(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    (void)err;
    seen *s = ctx;
    if (s->n < 16)
        snprintf(s->what[s->n++], sizeof s->what[0], "%s by %s: %s %s%s%s", e->command, e->user,
                 cpi_kv_get(&e->details, "user"), cpi_kv_get(&e->details, "roles"),
                 cpi_kv_get(&e->details, "note") ? " / " : "",
                 cpi_kv_get(&e->details, "note") ? cpi_kv_get(&e->details, "note") : "");
    return CPI_OK;
}

static void test_user_add_remove_logged(void **state)
{
    fixture *f = *state;
    add(f, "olly", "officer");
    add(f, "olly", "officer,marac"); /* a change of roles */
    cpi_grant adm = grant_for(f, f->owner, "user");
    cpi_error err = {0};
    assert_int_equal(cpi_access_user_remove(f->st, &adm, "olly", &err), CPI_OK);
    assert_int_equal(cpi_access_authorise(f->st, "olly", WHY, "child", &(cpi_grant){0}, NULL), CPI_ERR_ACCESS);
    assert_int_equal(cpi_access_user_remove(f->st, &adm, "olly", &err), CPI_NOT_FOUND);

    cpi_audit_filter flt = {.kind = CPI_AUDIT_ACCESS};
    seen s = {0};
    assert_int_equal(cpi_audit_query(f->st, &flt, note_access, &s, NULL), CPI_OK);
    assert_int_equal(s.n, 4);
    char want[4][200];
    snprintf(want[0], sizeof want[0], "user add by %s: %s admin / the store's owner, its first admin", f->owner,
             f->owner);
    snprintf(want[1], sizeof want[1], "user add by %s: olly officer", f->owner);
    snprintf(want[2], sizeof want[2], "user add by %s: olly officer,marac / roles changed, were officer", f->owner);
    snprintf(want[3], sizeof want[3], "user remove by %s: olly officer,marac", f->owner);
    for (int i = 0; i < 4; i++)
        assert_string_equal(s.what[i], want[i]);
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
    assert_int_equal(rep.entries, 4);
}

static void test_last_admin_kept(void **state)
{
    fixture *f = *state;
    cpi_grant adm = grant_for(f, f->owner, "user");
    cpi_error err = {0};
    /* implicit owner: cannot be removed */
    assert_int_equal(cpi_access_user_remove(f->st, &adm, f->owner, &err), CPI_ERR_ACCESS);
    /* nor demoted while the only admin (and the failed attempt leaves nothing behind) */
    assert_int_equal(cpi_access_user_add(f->st, &adm, f->owner, CPI_ROLE_ANALYST, &err), CPI_ERR_ACCESS);
    assert_non_null(strstr(err.msg, "last admin"));
    cpi_audit_report rep;
    assert_int_equal(cpi_audit_verify(f->st, NULL, &rep, NULL), CPI_OK);
    assert_int_equal(rep.entries, 0);
    add(f, "root2", "admin");
    cpi_grant r2 = grant_for(f, "root2", "user");
    assert_int_equal(cpi_access_user_remove(f->st, &r2, "root2", &err), CPI_OK);
    assert_int_equal(cpi_access_user_remove(f->st, &adm, f->owner, &err), CPI_ERR_ACCESS);
    /* a second admin makes the owner removable */
    add(f, "root3", "admin,supervisor");
    assert_int_equal(cpi_access_user_remove(f->st, &adm, f->owner, &err), CPI_OK);
    assert_int_equal(cpi_access_authorise(f->st, f->owner, WHY, "ingest", &adm, NULL), CPI_ERR_ACCESS);
}

static void test_user_list_and_wrong_grant(void **state)
{
    fixture *f = *state;
    cpi_grant adm = grant_for(f, f->owner, "user");
    cpi_user *u;
    size_t n;
    assert_int_equal(cpi_access_user_list(f->st, &adm, &u, &n, NULL), CPI_OK);
    assert_int_equal(n, 1);
    assert_string_equal(u[0].name, f->owner);
    assert_int_equal(u[0].roles, CPI_ROLE_ADMIN);
    free(u);
    staff(f);
    assert_int_equal(cpi_access_user_list(f->st, &adm, &u, &n, NULL), CPI_OK);
    assert_int_equal(n, 6);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(u[i - 1].name, u[i].name) < 0);
    const cpi_user *olly = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(u[i].name, "olly") == 0)
            olly = &u[i];
    assert_non_null(olly);
    assert_int_equal(olly->roles, CPI_ROLE_OFFICER);
    assert_string_equal(olly->added_by, f->owner);
    assert_true(olly->added > 0);
    free(u);
    /* the listing was logged as a consultation */
    cpi_audit_filter flt = {.kind = CPI_AUDIT_CONSULTATION};
    seen s = {0};
    assert_int_equal(cpi_audit_query(f->st, &flt, note_access, &s, NULL), CPI_OK);
    assert_int_equal(s.n, 2);
    /* a grant for another command cannot manage users */
    cpi_grant ing = grant_for(f, f->owner, "ingest");
    assert_int_equal(cpi_access_user_add(f->st, &ing, "eve", CPI_ROLE_ADMIN, NULL), CPI_ERR_ACCESS);
    assert_int_equal(cpi_access_user_remove(f->st, &ing, "ana", NULL), CPI_ERR_ACCESS);
    assert_int_equal(cpi_access_user_list(f->st, &ing, &u, &n, NULL), CPI_ERR_ACCESS);
    assert_int_equal(cpi_access_user_add(f->st, &adm, "bad name", CPI_ROLE_ADMIN, NULL), CPI_ERR_USAGE);
    assert_int_equal(cpi_access_user_add(f->st, &adm, "eve", 0, NULL), CPI_ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_parse_and_format),
        cmocka_unit_test(test_reason_and_name_checks),
        cmocka_unit_test_setup_teardown(test_owner_is_first_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restricted_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_conf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_add_remove_logged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_admin_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_list_and_wrong_grant, setup, teardown),
    };
    return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
