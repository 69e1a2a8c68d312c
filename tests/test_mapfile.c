/*
 * test_mapfile.c - the mapping-file parser: docs/example-map.ini into exactly
 * the spec it describes, every error naming its line and key, edge cases that
 * must parse to the same spec as their plain form, and the referrals fixture
 * checked against the example map's columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "ingest/mapfile.h"
#include "testutil.h"

static cpi_mapfile *parse_ok(const char *text)
{
    cpi_mapfile *m = NULL;
    cpi_error err = {0};
    cpi_status s = cpi_mapfile_parse("map.ini", text, strlen(text), &m, &err);
    if (s != CPI_OK)
        fail_msg("expected a good parse, got: %s\n--- text ---\n%s", err.msg, text);
    return m;
}

static void str_eq(const char *what, const char *want, const char *got)
{
    if (!want && !got)
        return;
    if (!want || !got || strcmp(want, got) != 0)
        fail_msg("%s: want '%s', got '%s'", what, want ? want : "(null)", got ? got : "(null)");
}

/* Every member of two specs, so a parser that sets something extra or forgets something fails. */
static void spec_eq(const cpi_spec_file *w, const cpi_spec_file *g)
{
    str_eq("file_name", w->file_name, g->file_name);
    str_eq("record_type", w->record_type, g->record_type);
    str_eq("id_column", w->id_column, g->id_column);
    str_eq("date_column", w->date_column, g->date_column);
    assert_int_equal(w->date_required, g->date_required);
    str_eq("date_hint", w->date_hint, g->date_hint);
    for (int i = 0; i < 8; i++) {
        str_eq("signature", w->signature[i], g->signature[i]);
        if (!w->signature[i])
            break;
    }
    assert_int_equal(w->nmentions, g->nmentions);
    for (unsigned i = 0; i < w->nmentions; i++) {
        const cpi_spec_mention *wm = &w->mentions[i], *gm = &g->mentions[i];
        assert_int_equal(wm->kind, gm->kind);
        str_eq("role", wm->role, gm->role);
        assert_int_equal(wm->flags, gm->flags);
        for (int f = 0; f < CPI_SPEC_MAX_FIELDS; f++) {
            if (wm->fields[f].field != gm->fields[f].field)
                fail_msg("mention %u field %d: want %s, got %s", i + 1, f, cpi_field_name(wm->fields[f].field),
                         cpi_field_name(gm->fields[f].field));
            str_eq("column", wm->fields[f].column, gm->fields[f].column);
            assert_int_equal(wm->fields[f].flags, gm->fields[f].flags);
        }
    }
    assert_int_equal(w->nrelations, g->nrelations);
    for (unsigned i = 0; i < w->nrelations; i++) {
        const cpi_spec_relation *wr = &w->relations[i], *gr = &g->relations[i];
        str_eq("type", wr->type, gr->type);
        assert_int_equal(wr->from, gr->from);
        assert_int_equal(wr->to, gr->to);
        str_eq("relation date", wr->date_column, gr->date_column);
        str_eq("if_column", wr->if_column, gr->if_column);
        str_eq("if_value", wr->if_value, gr->if_value);
    }
}

static const cpi_spec_file example_spec = {
    .file_name = NULL,
    .record_type = "referral",
    .id_column = "Referral Ref",
    .date_column = "Referral Date",
    .date_required = true,
    .mentions =
        {
            {CPI_KIND_PERSON,
             "subject",
             {{CPI_F_FORENAMES, "First Name|Forename", 0},
              {CPI_F_SURNAME, "Surname|Family Name", CPI_SPEC_REQUIRED},
              {CPI_F_DOB, "DOB|Date of Birth", 0},
              {CPI_F_GENDER, "Sex", 0}},
             CPI_SPEC_REQUIRED},
            {CPI_KIND_LOCATION,
             "home-address",
             {{CPI_F_ADDRESS, "Address Line 1", 0},
              {CPI_F_ADDRESS, "Address Line 2", 0},
              {CPI_F_POSTCODE, "Postcode", 0}},
             0},
            {CPI_KIND_PERSON, "person-posing-risk", {{CPI_F_NAME, "Adult of Concern", 0}, {CPI_F_AGE, "Adult Age", 0}}, 0},
            {CPI_KIND_PHONE, "phone-of-adult", {{CPI_F_PHONE, "Adult Phone", 0}}, 0},
        },
    .nmentions = 4,
    .relations =
        {
            {"lives-at", 1, 2, NULL, NULL, NULL},
            {"poses-risk-to", 3, 1, "Referral Date", NULL, NULL},
            {"uses-phone", 3, 4, NULL, NULL, NULL},
        },
    .nrelations = 3,
};

static void test_example_map(void **state)
{
    (void)state;
    char *path = tu_source_path("docs/example-map.ini");
    cpi_mapfile *m = NULL;
    cpi_error err = {0};
    if (cpi_mapfile_load(path, &m, &err) != CPI_OK)
        fail_msg("%s", err.msg);
    spec_eq(&example_spec, &m->spec);
    assert_string_equal(m->source, "yot");
    assert_ptr_equal(m->adapter.source, m->source);
    assert_ptr_equal(m->adapter.files, &m->spec);
    assert_int_equal(m->adapter.nfiles, 1);
    assert_null(m->adapter.pick);
    assert_non_null(m->adapter.description);
    cpi_mapfile_free(m);
    free(path);
}

/*
 * The referrals fixture fits the example map: every column the map names
 * (each alias group) is in its header, and the only column left over is the
 * free-text Notes, which becomes a fact.
 */
static void test_referrals_fixture_fits_example(void **state)
{
    (void)state;
    char *mpath = tu_source_path("docs/example-map.ini");
    char *cpath = tu_source_path("tests/fixtures/ingest/referrals.csv");
    cpi_mapfile *m = NULL;
    cpi_csv *csv = NULL;
    assert_int_equal(cpi_mapfile_load(mpath, &m, NULL), CPI_OK);
    assert_int_equal(cpi_csv_open(cpath, NULL, &csv, NULL), CPI_OK);
    bool used[64] = {0};
    assert_true(cpi_csv_ncols(csv) < 64);
    const char *cols[32];
    size_t ncols = 0;
    const cpi_spec_file *sp = &m->spec;
    cols[ncols++] = sp->id_column;
    cols[ncols++] = sp->date_column;
    for (unsigned i = 0; i < sp->nmentions; i++)
        for (int f = 0; f < CPI_SPEC_MAX_FIELDS && sp->mentions[i].fields[f].field; f++)
            cols[ncols++] = sp->mentions[i].fields[f].column;
    for (unsigned i = 0; i < sp->nrelations; i++)
        if (sp->relations[i].date_column)
            cols[ncols++] = sp->relations[i].date_column;
    for (size_t c = 0; c < ncols; c++) {
        char buf[256];
        const char *alias[8];
        int na = 0;
        snprintf(buf, sizeof buf, "%s", cols[c]);
        for (char *tok = strtok(buf, "|"); tok && na < 7; tok = strtok(NULL, "|"))
            alias[na++] = tok;
        alias[na] = NULL;
        int idx = cpi_csv_column(csv, alias);
        if (idx < 0)
            fail_msg("column '%s' of the example map is not in referrals.csv", cols[c]);
        used[idx] = true;
    }
    for (size_t i = 0; i < cpi_csv_ncols(csv); i++)
        if (!used[i])
            assert_string_equal(cpi_csv_header(csv, i), "Notes");
    cpi_csv_close(csv);
    cpi_mapfile_free(m);
    free(mpath);
    free(cpath);
}

/* A minimal good mapping that the error cases below break one piece at a time. */
#define FILE_OK "[file]\nsource = yot\nid = Ref\n"
#define PERSON_OK "[mention]\nkind = person\nrole = subject\nname = Name\n"

typedef struct bad_case {
    const char *what;
    const char *text;
    unsigned line;     /* expected "line N:" in the message; 0: the message names no line */
    const char *key;   /* expected fragment naming the key (or section) */
} bad_case;

static const bad_case bad_cases[] = {
    {"unknown section", FILE_OK PERSON_OK "[mentions]\n", 8, "[mentions]"},
    {"unknown key in [file]", "[file]\nsource = yot\nid = Ref\nids = Other\n" PERSON_OK, 4, "'ids'"},
    {"unknown key in [mention]", FILE_OK "[mention]\nkind = person\nrole = subject\nfirstname = F\n", 7,
     "'firstname'"},
    {"unknown key in [relation]", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = associate-of\nfrom = 1\nto = 2\nwhen = Y\n",
     16, "'when'"},
    {"key before a section", "source = yot\n" FILE_OK PERSON_OK, 1, "'source'"},
    {"missing source", "[file]\nid = Ref\n" PERSON_OK, 1, "'source'"},
    {"missing id", "[file]\nsource = yot\n" PERSON_OK, 1, "'id'"},
    {"missing kind", FILE_OK "[mention]\nrole = subject\nname = Name\n", 4, "'kind'"},
    {"missing role", FILE_OK "[mention]\nkind = person\nname = Name\n", 4, "'role'"},
    {"missing type", FILE_OK PERSON_OK PERSON_OK "[relation]\nfrom = 1\nto = 2\n", 12, "'type'"},
    {"missing from", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = associate-of\nto = 2\n", 12, "'from'"},
    {"missing to", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = associate-of\nfrom = 1\n", 12, "'to'"},
    {"source upper-case", "[file]\nsource = YOT\nid = Ref\n" PERSON_OK, 2, "'source'"},
    {"source starts with a digit", "[file]\nsource = 1yot\nid = Ref\n" PERSON_OK, 2, "'source'"},
    {"source with a hyphen", "[file]\nsource = yot-a\nid = Ref\n" PERSON_OK, 2, "'source'"},
    {"source too long", "[file]\nsource = abcdefghijklmnop\nid = Ref\n" PERSON_OK, 2, "'source'"},
    {"source niche", "[file]\nsource = niche\nid = Ref\n" PERSON_OK, 2, "built-in"},
    {"source miraf", "[file]\nsource = miraf\nid = Ref\n" PERSON_OK, 2, "built-in"},
    {"source mace", "[file]\nsource = mace\nid = Ref\n" PERSON_OK, 2, "built-in"},
    {"source marac", "[file]\nsource = marac\nid = Ref\n" PERSON_OK, 2, "built-in"},
    {"source polit", "[file]\nsource = polit\nid = Ref\n" PERSON_OK, 2, "built-in"},
    {"source soc", "[file]\nsource = soc\nid = Ref\n" PERSON_OK, 2, "built-in"},
    {"source csv", "[file]\nsource = csv\nid = Ref\n" PERSON_OK, 2, "built-in"},
    {"unknown kind", FILE_OK "[mention]\nkind = vehicle\nrole = subject\nname = N\n", 5, "'kind'"},
    {"unknown field name", FILE_OK "[mention]\nkind = person\nrole = subject\nfull_name = N\n", 7, "'full_name'"},
    {"field of another kind", FILE_OK "[mention]\nkind = person\nrole = subject\nname = N\npostcode = PC\n", 8,
     "'postcode'"},
    {"relation from beyond the mentions", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = associate-of\nfrom = 3\nto = 2\n",
     14, "'from'"},
    {"relation to beyond the mentions", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = associate-of\nfrom = 1\nto = 3\n",
     15, "'to'"},
    {"relation from 0", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = associate-of\nfrom = 0\nto = 2\n", 14,
     "'from'"},
    {"relation from not a number", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = associate-of\nfrom = one\nto = 2\n",
     14, "'from'"},
    {"relation from a mention to itself", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = associate-of\nfrom = 2\nto = 2\n",
     15, "'to'"},
    {"relation to past the hard cap", FILE_OK PERSON_OK "[relation]\ntype = associate-of\nfrom = 1\nto = 4900\n", 11,
     "'to'"},
    {"field twice", FILE_OK "[mention]\nkind = person\nrole = subject\nsurname = A\nsurname = B\n", 8, "'surname'"},
    {"kind twice", FILE_OK "[mention]\nkind = person\nkind = person\nrole = subject\nname = N\n", 6, "'kind'"},
    {"id twice", "[file]\nsource = yot\nid = Ref\nid = Other\n" PERSON_OK, 4, "'id'"},
    {"type twice", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = a\ntype = b\nfrom = 1\nto = 2\n", 14, "'type'"},
    {"require twice", FILE_OK "[mention]\nkind = person\nrole = subject\nname = N\nrequire = name\nrequire = name\n", 9,
     "'require'"},
    {"require an unmapped field", FILE_OK "[mention]\nkind = person\nrole = subject\nrequire = name,dob\nname = N\n", 7,
     "'require'"},
    {"require an unknown field", FILE_OK "[mention]\nkind = person\nrole = subject\nname = N\nrequire = nmae\n", 8,
     "'require'"},
    {"require an empty item", FILE_OK "[mention]\nkind = person\nrole = subject\nname = N\nrequire = name,\n", 8,
     "'require'"},
    {"required not yes/no", FILE_OK "[mention]\nkind = person\nrole = subject\nname = N\nrequired = true\n", 8,
     "'required'"},
    {"date_required without date", "[file]\nsource = yot\nid = Ref\ndate_required = yes\n" PERSON_OK, 4,
     "'date_required'"},
    {"empty value", "[file]\nsource = yot\nid =\n" PERSON_OK, 3, "'id'"},
    {"empty alias", "[file]\nsource = yot\nid = Ref||Reference\n" PERSON_OK, 3, "'id'"},
    {"trailing alias bar", FILE_OK "[mention]\nkind = person\nrole = subject\nname = Name|\n", 7, "'name'"},
    {"bad role", FILE_OK "[mention]\nkind = person\nrole = Home Address\nname = N\n", 6, "'role'"},
    {"role with a double hyphen", FILE_OK "[mention]\nkind = person\nrole = home--address\nname = N\n", 6, "'role'"},
    {"bad relation type", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = lives at\nfrom = 1\nto = 2\n", 13, "'type'"},
    {"bad record_type", "[file]\nsource = yot\nid = Ref\nrecord_type = Referral\n" PERSON_OK, 4, "'record_type'"},
    {"mention maps no column", FILE_OK "[mention]\nkind = person\nrole = subject\n" PERSON_OK, 4, "no column"},
    {"second [file]", FILE_OK PERSON_OK "[file]\n", 8, "[file]"},
    {"no [file]", PERSON_OK, 0, "[file]"},
    {"no [mention]", FILE_OK, 0, "[mention]"},
    {"no equals sign", FILE_OK "[mention]\nkind person\n", 5, "key = value"},
    {"nothing before equals", FILE_OK "[mention]\n= person\n", 5, "key = value"},
    {"unclosed section header", FILE_OK "[mention\n", 4, "section"},
    {"invalid UTF-8", FILE_OK "[mention]\nkind = person\nrole = subject\nname = Nam\xC3\x28\n", 7, "UTF-8"},
    {"control character", FILE_OK "[mention]\nkind = person\nrole = subject\nname = Na\x01me\n", 7, "control"},
    {"a lone CR inside a line", FILE_OK "[mention]\nkind = person\rrole = subject\nname = N\n", 5, "control"},
};

static void check_bad(const bad_case *c, const char *text, size_t len)
{
    cpi_mapfile *m = (cpi_mapfile *)1;
    cpi_error err = {0};
    cpi_status s = cpi_mapfile_parse("map.ini", text, len, &m, &err);
    if (s != CPI_ERR_USAGE)
        fail_msg("%s: status %d (want usage error), message '%s'", c->what, s, err.msg);
    assert_null(m);
    char want[32];
    if (c->line)
        snprintf(want, sizeof want, "map.ini: line %u:", c->line);
    else
        snprintf(want, sizeof want, "map.ini: ");
    if (strncmp(err.msg, want, strlen(want)) != 0 || !strstr(err.msg, c->key))
        fail_msg("%s: message '%s' should start '%s' and name %s", c->what, err.msg, want, c->key);
    if (!c->line && strstr(err.msg, "line "))
        fail_msg("%s: message '%s' names a line", c->what, err.msg);
}

static void test_errors_name_line_and_key(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
        check_bad(&bad_cases[i], bad_cases[i].text, strlen(bad_cases[i].text));
}

/* The NUL byte cannot live in a C string literal's length, so this one passes its length. */
static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = FILE_OK "[mention]\nkind = person\nrole = sub\0ject\nname = N\n";
    bad_case c = {"NUL byte", NULL, 6, "control"};
    check_bad(&c, text, sizeof text - 1);
}

/* Build "FILE_OK" followed by n copies of section (each with %u for its number). */
static char *repeat(const char *head, const char *section, unsigned n)
{
    size_t cap = strlen(head) + n * (strlen(section) + 16) + 1;
    char *buf = malloc(cap), *p = buf;
    p += sprintf(p, "%s", head);
    for (unsigned i = 1; i <= n; i++)
        p += sprintf(p, section, i);
    return buf;
}

static void test_too_many(void **state)
{
    (void)state;
    /* Exactly at each cap parses; one more is refused at the line of the extra section or key. */
    char *ok = repeat(FILE_OK, "[mention]\nkind = person\nrole = r%u\nname = N\n", CPI_SPEC_MAX_MENTIONS);
    cpi_mapfile *m = parse_ok(ok);
    assert_int_equal(m->spec.nmentions, CPI_SPEC_MAX_MENTIONS);
    assert_string_equal(m->spec.mentions[CPI_SPEC_MAX_MENTIONS - 1].role, "r48");
    cpi_mapfile_free(m);
    free(ok);
    char *bad = repeat(FILE_OK, "[mention]\nkind = person\nrole = r%u\nname = N\n", CPI_SPEC_MAX_MENTIONS + 1);
    bad_case c = {"49 mentions", NULL, 4 + 4 * CPI_SPEC_MAX_MENTIONS, "[mention]"};
    check_bad(&c, bad, strlen(bad));
    free(bad);

    char *rok = repeat(FILE_OK PERSON_OK PERSON_OK, "[relation]\ntype = t%u\nfrom = 1\nto = 2\n", CPI_SPEC_MAX_RELATIONS);
    m = parse_ok(rok);
    assert_int_equal(m->spec.nrelations, CPI_SPEC_MAX_RELATIONS);
    cpi_mapfile_free(m);
    free(rok);
    char *rbad =
        repeat(FILE_OK PERSON_OK PERSON_OK, "[relation]\ntype = t%u\nfrom = 1\nto = 2\n", CPI_SPEC_MAX_RELATIONS + 1);
    bad_case rc = {"65 relations", NULL, 12 + 4 * CPI_SPEC_MAX_RELATIONS, "[relation]"};
    check_bad(&rc, rbad, strlen(rbad));
    free(rbad);

    /* Eight fields fit (address repeats count one each); the ninth is refused. */
    const char *eight = FILE_OK "[mention]\nkind = location\nrole = home-address\n"
                                "address = A1\naddress = A2\naddress = A3\naddress = A4\n"
                                "postcode = P\nlocation_id = L\nplace_name = N\nplace_type = T\n";
    m = parse_ok(eight);
    assert_int_equal(m->spec.mentions[0].fields[7].field, CPI_F_PLACE_TYPE);
    cpi_mapfile_free(m);
    char nine[512];
    snprintf(nine, sizeof nine, "%saddress = A5\n", eight);
    bad_case fc = {"nine fields", NULL, 15, "'address'"};
    check_bad(&fc, nine, strlen(nine));
}

static void test_line_and_file_caps(void **state)
{
    (void)state;
    /* A line of exactly 4096 bytes (line end excluded) is fine; 4097 is refused. */
    size_t head = strlen(FILE_OK "[mention]\nkind = person\nrole = subject\n");
    char *text = malloc(head + 4200);
    for (int over = 0; over <= 1; over++) {
        memcpy(text, FILE_OK "[mention]\nkind = person\nrole = subject\n", head);
        char *p = text + head;
        memcpy(p, "name = ", 7);
        size_t len = 4096 + (size_t)over;
        memset(p + 7, 'N', len - 7);
        p[len] = '\r'; /* the CR of a CRLF does not count towards the line */
        p[len + 1] = '\n';
        size_t total = head + len + 2;
        if (!over) {
            cpi_mapfile *m = NULL;
            assert_int_equal(cpi_mapfile_parse("map.ini", text, total, &m, NULL), CPI_OK);
            assert_int_equal(strlen(m->spec.mentions[0].fields[0].column), 4096 - 7);
            cpi_mapfile_free(m);
        } else {
            bad_case c = {"line over 4 KiB", NULL, 7, "4096"};
            check_bad(&c, text, total);
        }
    }
    free(text);

    /* Over 1 MiB is refused before parsing (no line to name), from memory and from a file. */
    size_t big = (1u << 20) + 1;
    char *blob = malloc(big);
    memset(blob, '#', big);
    for (size_t i = 80; i < big; i += 81)
        blob[i] = '\n';
    cpi_mapfile *m = (cpi_mapfile *)1;
    cpi_error err = {0};
    assert_int_equal(cpi_mapfile_parse("map.ini", blob, big, &m, &err), CPI_ERR_USAGE);
    assert_null(m);
    assert_non_null(strstr(err.msg, "map.ini: "));
    assert_non_null(strstr(err.msg, "1048576"));
    char *dir = tu_mkdtemp();
    char path[4200];
    snprintf(path, sizeof path, "%s/big.ini", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(blob, 1, big, f), big);
    fclose(f);
    assert_int_equal(cpi_mapfile_load(path, &m, &err), CPI_ERR_USAGE);
    assert_non_null(strstr(err.msg, path));
    /* a comment-only file of exactly 1 MiB is under the cap: it fails only for having no sections */
    f = fopen(path, "wb");
    fwrite(blob, 1, big - 1, f);
    fclose(f);
    assert_int_equal(cpi_mapfile_load(path, &m, &err), CPI_ERR_USAGE);
    assert_non_null(strstr(err.msg, "no [file] section"));
    /* a missing file is an i/o error naming it */
    snprintf(path, sizeof path, "%s/absent.ini", dir);
    assert_int_equal(cpi_mapfile_load(path, &m, &err), CPI_ERR_IO);
    assert_null(m);
    assert_non_null(strstr(err.msg, "absent.ini"));
    tu_rmrf_free(dir);
    free(blob);
}

/* Each text must parse to the same spec as the plain one written beside it. */
typedef struct same_case {
    const char *what, *plain, *variant;
} same_case;

static const same_case same_cases[] = {
    {"CRLF line ends", FILE_OK PERSON_OK,
     "[file]\r\nsource = yot\r\nid = Ref\r\n[mention]\r\nkind = person\r\nrole = subject\r\nname = Name\r\n"},
    {"no line end at the end", FILE_OK PERSON_OK, FILE_OK "[mention]\nkind = person\nrole = subject\nname = Name"},
    {"byte-order mark", FILE_OK PERSON_OK, "\xEF\xBB\xBF" FILE_OK PERSON_OK},
    {"comments and blank lines", FILE_OK PERSON_OK,
     "# a comment\n; another\n\n[file]\n  # indented comment\nsource = yot\n\t\nid = Ref\n;x = y\n" PERSON_OK
     "# trailing\n"},
    {"spaces around keys, values and headers", FILE_OK PERSON_OK,
     "  [ file ]  \n\tsource\t=\tyot  \nid=Ref\n[mention]\n kind =person\nrole= subject \nname   =   Name\n"},
    {"key and section case", FILE_OK PERSON_OK, "[FILE]\nSource = yot\nID = Ref\n[Mention]\nKind = Person\nRole = subject\nNAME = Name\n"},
    {"aliases trimmed", FILE_OK "[mention]\nkind = person\nrole = subject\nforenames = First Name|Forename|Given\n",
     FILE_OK "[mention]\nkind = person\nrole = subject\nforenames = First Name | Forename |Given \n"},
    {"a '#' inside a value is not a comment", FILE_OK "[mention]\nkind = person\nrole = subject\nnominal_id = Nominal #\n",
     FILE_OK "[mention]\nkind = person\nrole = subject\nnominal_id = Nominal #   \n"},
    {"require lists trimmed, repeats folded", FILE_OK "[mention]\nkind = person\nrole = subject\nname = N\ndob = D\nrequire = name,dob\n",
     FILE_OK "[mention]\nkind = person\nrole = subject\nrequire =  dob , name,name\nname = N\ndob = D\n"},
    {"required = no is the default", FILE_OK PERSON_OK, FILE_OK PERSON_OK "required = No\n"},
    {"date_required = no is the default", FILE_OK "date = D\n" PERSON_OK, FILE_OK "date = D\ndate_required = no\n" PERSON_OK},
    {"record_type defaults to row", FILE_OK "record_type = row\n" PERSON_OK, FILE_OK PERSON_OK},
    {"a relation before the mentions it joins", FILE_OK PERSON_OK PERSON_OK "[relation]\ntype = associate-of\nfrom = 2\nto = 1\n",
     FILE_OK "[relation]\ntype = associate-of\nfrom = 2\nto = 1\n" PERSON_OK PERSON_OK},
};

static void test_same_spec(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof same_cases / sizeof same_cases[0]; i++) {
        cpi_mapfile *a = parse_ok(same_cases[i].plain), *b = parse_ok(same_cases[i].variant);
        print_message("  %s\n", same_cases[i].what);
        spec_eq(&a->spec, &b->spec);
        assert_string_equal(a->source, b->source);
        cpi_mapfile_free(a);
        cpi_mapfile_free(b);
    }
}

/* Repeated address lines stay in order; require on address marks the first line only. */
static void test_repeated_address(void **state)
{
    (void)state;
    cpi_mapfile *m = parse_ok(FILE_OK "[mention]\nkind = location\nrole = home-address\naddress = Line 1\n"
                                      "postcode = PC\naddress = Line 2|Town\naddress = Line 3\nrequire = address\n");
    const cpi_spec_mention *mn = &m->spec.mentions[0];
    static const struct {
        cpi_field f;
        const char *col;
        unsigned flags;
    } want[] = {{CPI_F_ADDRESS, "Line 1", CPI_SPEC_REQUIRED},
                {CPI_F_POSTCODE, "PC", 0},
                {CPI_F_ADDRESS, "Line 2|Town", 0},
                {CPI_F_ADDRESS, "Line 3", 0},
                {CPI_F_NONE, NULL, 0}};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(mn->fields[i].field, want[i].f);
        str_eq("column", want[i].col, mn->fields[i].column);
        assert_int_equal(mn->fields[i].flags, want[i].flags);
    }
    assert_int_equal(mn->flags, 0);
    assert_string_equal(m->spec.record_type, "row");
    assert_null(m->spec.date_column);
    assert_false(m->spec.date_required);
    cpi_mapfile_free(m);
}

/* Every field name parses into its own kind of mention, so none is unreachable. */
static void test_every_field_has_a_kind(void **state)
{
    (void)state;
    static const char *const kinds[] = {NULL, "person", "location", "phone", "online"};
    for (int f = CPI_F_NONE + 1; f < CPI_F__COUNT; f++) {
        int ok = 0;
        for (int k = 1; k <= 4; k++) {
            char text[256];
            snprintf(text, sizeof text, FILE_OK "[mention]\nkind = %s\nrole = r\n%s = Col\n", kinds[k],
                     cpi_field_name((cpi_field)f));
            cpi_mapfile *m = NULL;
            if (cpi_mapfile_parse("map.ini", text, strlen(text), &m, NULL) == CPI_OK) {
                ok++;
                assert_int_equal(m->spec.mentions[0].fields[0].field, f);
                cpi_mapfile_free(m);
            }
        }
        /* an email is an online identity's, and may be a person's own column too */
        int want = f == CPI_F_EMAIL ? 2 : 1;
        if (ok != want)
            fail_msg("field %s fits %d kinds (want %d)", cpi_field_name((cpi_field)f), ok, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_map),
        cmocka_unit_test(test_referrals_fixture_fits_example),
        cmocka_unit_test(test_errors_name_line_and_key),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_line_and_file_caps),
        cmocka_unit_test(test_same_spec),
        cmocka_unit_test(test_repeated_address),
        cmocka_unit_test(test_every_field_has_a_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
