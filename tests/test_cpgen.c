/*
 * test_cpgen.c - the synthetic force generator, checked from the outside.
 *
 * Runs the built cpgen at small scale (1,000 children, well under a second)
 * and reads what it wrote. The mention slots below are written from
 * docs/formats.md, not from the generator's code, so the exports, the truth
 * and the documented numbering are checked against one another: every
 * mention the documented rule finds in an export is in truth.csv with the
 * same kind and role, and nothing else is.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testutil.h"

/* ---------- small helpers: files, CSV ---------- */

typedef struct buf {
    char *p;
    size_t n;
} buf;

static buf slurp(const char *dir, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf b = {malloc((size_t)n + 1), (size_t)n};
    assert_int_equal(fread(b.p, 1, (size_t)n, f), (size_t)n);
    b.p[n] = 0;
    fclose(f);
    return b;
}

typedef struct row {
    char **f;
    int n;
} row;

typedef struct table {
    row *rows; /* rows[0] is the header */
    int n;
} table;

/* RFC 4180 parse of a whole (good) file. */
static table parse_csv(const buf *b)
{
    table t = {NULL, 0};
    int cap = 0;
    size_t i = 0;
    char *field = malloc(b->n + 1);
    while (i < b->n) {
        row r = {NULL, 0};
        int fcap = 0;
        for (;;) {
            size_t k = 0;
            if (b->p[i] == '"') {
                i++;
                for (;;) {
                    if (i >= b->n)
                        break;
                    if (b->p[i] == '"') {
                        if (i + 1 < b->n && b->p[i + 1] == '"') {
                            field[k++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field[k++] = b->p[i++];
                }
            } else {
                while (i < b->n && b->p[i] != ',' && b->p[i] != '\n')
                    field[k++] = b->p[i++];
            }
            field[k] = 0;
            if (r.n == fcap) {
                fcap = fcap ? fcap * 2 : 16;
                r.f = realloc(r.f, sizeof *r.f * (size_t)fcap);
            }
            r.f[r.n++] = strdup(field);
            if (i >= b->n || b->p[i] == '\n') {
                i++;
                break;
            }
            i++; /* the comma */
        }
        if (t.n == cap) {
            cap = cap ? cap * 2 : 256;
            t.rows = realloc(t.rows, sizeof *t.rows * (size_t)cap);
        }
        t.rows[t.n++] = r;
    }
    free(field);
    return t;
}

static void free_table(table *t)
{
    for (int i = 0; i < t->n; i++) {
        for (int j = 0; j < t->rows[i].n; j++)
            free(t->rows[i].f[j]);
        free(t->rows[i].f);
    }
    free(t->rows);
}

static table load(const char *dir, const char *rel)
{
    buf b = slurp(dir, rel);
    table t = parse_csv(&b);
    free(b.p);
    return t;
}

static int col(const table *t, const char *name)
{
    for (int j = 0; j < t->rows[0].n; j++)
        if (!strcmp(t->rows[0].f[j], name))
            return j;
    fail_msg("no column %s", name);
    return -1;
}

static char *gen(const char *args)
{
    char *dir = tu_mkdtemp();
    assert_non_null(dir);
    char *bin = tu_build_path("cpgen");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' --out '%s' %s 2>&1", bin, dir, args);
    int st = -1;
    char *out = tu_run(cmd, &st);
    if (st != 0)
        fail_msg("cpgen failed (%d): %s", st, out ? out : "");
    /* stdout and stderr are a pipe here, not a terminal: cpgen must say nothing */
    assert_string_equal(out, "");
    free(out);
    free(bin);
    return dir;
}

/* ---------- the documented mention slots (docs/formats.md) ---------- */

typedef struct slot {
    const char *kind, *role, *cols; /* cols: '|'-separated columns of the slot */
} slot;

typedef struct fspec {
    const char *source, *file, *req;
    slot s[24];
} fspec;

#define RP(k) {"person", "person-posing-risk", "risk_person_" #k "_name|risk_person_" #k "_dob"}, \
              {"phone", "risk-person-phone", "risk_person_" #k "_phone"}
#define FA(k) {"location", "found-at", "found_" #k "_place|found_" #k "_postcode"}
#define MA(k) {"person", "adult-of-concern", "adult_" #k "_name|adult_" #k "_street_name"}, \
              {"phone", "adult-phone", "adult_" #k "_phone"}
#define ML(k) {"location", "location-of-concern", "location_" #k "|location_" #k "_postcode"}
#define HC(k) {"person", "household-child", "child_" #k "_name|child_" #k "_age"}
#define PHC(k) {"person", "household-child", "household_child_" #k "_name|household_child_" #k "_dob"}
#define PV(k) {"person", "victim", "victim_" #k "_name|victim_" #k "_age"}
#define SC(k) {"person", "child-at-risk", "child_" #k "_name|child_" #k "_dob"}
#define SA(k) {"person", "group-member", "adult_" #k "_name|adult_" #k "_street_name"}
#define SL(k) {"location", "address-used", "address_" #k "|address_" #k "_postcode"}
#define SD(k) {"phone", "deal-line", "deal_line_" #k}

static const fspec SPECS[] = {
    {"niche", "niche/nominals.csv", "surname",
     {{"person", "nominal", "nominal_id|surname|forenames|dob|gender|pnc_id|aliases"}}},
    {"niche", "niche/locations.csv", "address_1",
     {{"location", "location", "location_id|premises_name|address_1|address_2|town|postcode|location_type"}}},
    {"niche", "niche/occurrences.csv", "location_id", {{"location", "occurrence-location", "location_id"}}},
    {"niche", "niche/occurrence_nominals.csv", "nominal_id", {{"person", "occurrence-nominal", "nominal_id"}}},
    {"niche", "niche/nominal_locations.csv", "nominal_id",
     {{"person", "nominal", "nominal_id"}, {"location", "linked-address", "location_id"}}},
    {"niche", "niche/warnings.csv", "nominal_id", {{"person", "warning-subject", "nominal_id"}}},
    {"niche", "niche/ppns.csv", "child_surname",
     {{"person", "ppn-subject", "child_nominal_id|child_surname|child_forenames|child_dob"},
      {"location", "ppn-address", "location_id"}}},
    {"miraf", "miraf/miraf_forms.csv", "child_surname",
     {{"person", "missing-child", "child_forenames|child_surname|child_dob|gender|niche_nominal_id"},
      {"location", "home-address", "home_address|home_postcode"}, RP(1), RP(2), RP(3), FA(1), FA(2), FA(3), FA(4)}},
    {"mace", "mace/mace_children.csv", "child_name",
     {{"person", "child-discussed", "child_name|child_dob"}, {"location", "school", "school"}, MA(1), MA(2), MA(3),
      ML(1), ML(2)}},
    {"marac", "marac/marac_cases.csv", "victim_name",
     {{"person", "victim", "victim_name|victim_dob"}, {"location", "victim-address", "victim_address|victim_postcode"},
      {"person", "perpetrator", "perpetrator_name|perpetrator_dob"}, HC(1), HC(2), HC(3), HC(4)}},
    {"polit", "polit/polit_intel.csv", "subject_surname",
     {{"person", "subject", "subject_surname|subject_forenames|subject_dob"},
      {"location", "subject-address", "subject_address|subject_postcode"}, {"phone", "subject-phone", "subject_phone"},
      {"online", "online-identity", "username_1"}, {"online", "online-identity", "username_2"},
      {"online", "online-identity", "email_1"}, PHC(1), PHC(2), PV(1), PV(2), PV(3)}},
    {"soc", "soc/soc_plans.csv", "adult_1_name",
     {SC(1), SC(2), SC(3), SC(4), SC(5), SA(1), SA(2), SA(3), SA(4), SA(5), SL(1), SL(2), SL(3), SL(4), SD(1), SD(2),
      SD(3)}},
};
#define NSPECS (sizeof SPECS / sizeof SPECS[0])

static bool slot_present(const table *t, const row *r, const char *cols)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", cols);
    for (char *save = NULL, *c = strtok_r(tmp, "|", &save); c; c = strtok_r(NULL, "|", &save))
        if (r->f[col(t, c)][0])
            return true;
    return false;
}

/* ---------- truth.csv as a sorted array of lines ---------- */

typedef struct truth {
    char **lines;
    size_t n;
    buf raw;
} truth;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static truth load_truth(const char *dir)
{
    truth t = {NULL, 0, slurp(dir, "truth.csv")};
    size_t cap = 1024;
    t.lines = malloc(sizeof *t.lines * cap);
    char *p = strchr(t.raw.p, '\n') + 1; /* skip the header */
    assert_true(!strncmp(t.raw.p, "reference,kind,true_id,role\n", 28));
    while (*p) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        *nl = 0;
        if (t.n == cap)
            t.lines = realloc(t.lines, sizeof *t.lines * (cap *= 2));
        t.lines[t.n++] = p;
        p = nl + 1;
    }
    qsort(t.lines, t.n, sizeof *t.lines, cmp_str);
    return t;
}

static void free_truth(truth *t)
{
    free(t->lines);
    free(t->raw.p);
}

/* The truth line for reference ref ("src:ID/N"), or NULL. */
static const char *truth_find(const truth *t, const char *ref)
{
    size_t lo = 0, hi = t->n, n = strlen(ref);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(t->lines[mid], ref, n);
        if (c == 0 && t->lines[mid][n] != ',')
            c = (unsigned char)t->lines[mid][n] < ',' ? -1 : 1;
        if (c == 0)
            return t->lines[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---------- tests ---------- */

static const char *const FILES[] = {
    "niche/nominals.csv", "niche/locations.csv", "niche/occurrences.csv", "niche/occurrence_nominals.csv",
    "niche/nominal_locations.csv", "niche/warnings.csv", "niche/ppns.csv", "miraf/miraf_forms.csv",
    "mace/mace_children.csv", "marac/marac_cases.csv", "polit/polit_intel.csv", "soc/soc_plans.csv",
    "truth.csv", "truth_entities.csv", "truth_relations.csv", "manifest.json",
};
#define NFILES (sizeof FILES / sizeof FILES[0])

static bool same_bytes(const char *a, const char *b, const char *rel)
{
    buf x = slurp(a, rel), y = slurp(b, rel);
    bool same = x.n == y.n && !memcmp(x.p, y.p, x.n);
    free(x.p);
    free(y.p);
    return same;
}

static void test_determinism(void **state)
{
    (void)state;
    char *a = gen("--seed 42 --children 1000 --messiness 2 --bad-rows 10");
    char *b = gen("--seed 42 --children 1000 --messiness 2 --bad-rows 10");
    char *c = gen("--seed 43 --children 1000 --messiness 2 --bad-rows 10");
    for (size_t i = 0; i < NFILES; i++)
        if (!same_bytes(a, b, FILES[i]))
            fail_msg("%s differs between two runs with the same seed", FILES[i]);
    assert_false(same_bytes(a, c, "niche/nominals.csv"));
    assert_false(same_bytes(a, c, "truth_entities.csv"));
    tu_rmrf_free(a);
    tu_rmrf_free(b);
    tu_rmrf_free(c);
}

/* Every documented mention is in the truth with its kind and role; the truth has nothing more. */
static void test_truth_matches_exports(void **state)
{
    (void)state;
    char *dir = gen("--seed 7 --children 1000");
    truth tr = load_truth(dir);
    size_t found = 0;
    for (size_t s = 0; s < NSPECS; s++) {
        const fspec *sp = &SPECS[s];
        table t = load(dir, sp->file);
        assert_true(t.n > 1);
        for (int i = 1; i < t.n; i++) {
            const row *r = &t.rows[i];
            assert_int_equal(r->n, t.rows[0].n);
            int n = 0;
            for (int k = 0; k < 24 && sp->s[k].kind; k++) {
                if (!slot_present(&t, r, sp->s[k].cols))
                    continue;
                n++;
                char ref[128], want[160];
                snprintf(ref, sizeof ref, "%s:%s/%d", sp->source, r->f[0], n);
                const char *line = truth_find(&tr, ref);
                if (!line)
                    fail_msg("%s (%s) is not in truth.csv", ref, sp->s[k].role);
                snprintf(want, sizeof want, "%s,%s,", ref, sp->s[k].kind);
                assert_memory_equal(line, want, strlen(want));
                const char *tid = line + strlen(want);
                char prefix = !strcmp(sp->s[k].kind, "person") ? 'P' : !strcmp(sp->s[k].kind, "location") ? 'L'
                              : !strcmp(sp->s[k].kind, "phone") ? 'T' : 'O';
                assert_int_equal(tid[0], prefix);
                const char *role = strchr(tid, ',') + 1;
                if (strcmp(role, sp->s[k].role))
                    fail_msg("%s: role %s, documented %s", ref, role, sp->s[k].role);
                found++;
            }
            /* and no mention beyond the documented ones */
            char ref[128];
            snprintf(ref, sizeof ref, "%s:%s/%d", sp->source, r->f[0], n + 1);
            if (truth_find(&tr, ref))
                fail_msg("truth has %s, the export row has only %d mentions", ref, n);
        }
        free_table(&t);
    }
    assert_int_equal(found, tr.n); /* no reject lines at --bad-rows 0: every truth line was matched */
    free_truth(&tr);
    tu_rmrf_free(dir);
}

typedef struct ent {
    char *id, *subtype, *fore, *sur, *dob, *home, *twin, *namesake, *household, *flags, *postcode;
} ent;

static void test_hard_cases(void **state)
{
    (void)state;
    char *dir = gen("--seed 3 --children 1000");
    table t = load(dir, "truth_entities.csv");
    int cid = col(&t, "true_id"), csub = col(&t, "subtype"), cf = col(&t, "forenames"), cs = col(&t, "surname"),
        cd = col(&t, "dob"), ch = col(&t, "home_id"), ct = col(&t, "twin_of"), cn = col(&t, "namesake_of"),
        chh = col(&t, "household"), cfl = col(&t, "flags");
    truth tr = load_truth(dir);
    int twins = 0, namesakes = 0, siblings = 0, same_name = 0, max_care = 0;
    /* People are P0000001.. in order, so row i is person i. */
    for (int i = 1; i < t.n; i++) {
        row *r = &t.rows[i];
        if (strcmp(r->f[1], "person"))
            break;
        if (r->f[ct][0]) {
            int j = atoi(r->f[ct] + 1);
            row *o = &t.rows[j];
            assert_string_equal(o->f[ct], r->f[cid]);
            assert_string_equal(o->f[cs], r->f[cs]);
            assert_string_equal(o->f[cd], r->f[cd]);
            assert_string_equal(o->f[ch], r->f[ch]);
            assert_string_not_equal(o->f[cf], r->f[cf]);
            twins++;
        }
        if (r->f[cn][0]) {
            row *o = &t.rows[atoi(r->f[cn] + 1)];
            assert_string_equal(o->f[cf], r->f[cf]);
            assert_string_equal(o->f[cs], r->f[cs]);
            assert_string_not_equal(o->f[cd], r->f[cd]);
            namesakes++;
        }
        if (strstr(r->f[cfl], "sibling"))
            siblings++;
        if (!strcmp(r->f[csub], "looked-after-child") && strstr(r->f[cfl], "care-home")) {
            int n = 0;
            for (int j = 1; j < t.n && !strcmp(t.rows[j].f[1], "person"); j++)
                n += !strcmp(t.rows[j].f[ch], r->f[ch]);
            if (n > max_care)
                max_care = n;
        }
        if (!strcmp(r->f[csub], "child") && strstr(r->f[cfl], "common-name") && same_name == 0) {
            for (int j = i + 1; j < t.n && !strcmp(t.rows[j].f[1], "person"); j++) {
                row *o = &t.rows[j];
                if (!strcmp(o->f[csub], "child") && !strcmp(o->f[cf], r->f[cf]) && !strcmp(o->f[cs], r->f[cs]) &&
                    strcmp(o->f[chh], r->f[chh])) {
                    same_name++;
                    break;
                }
            }
        }
    }
    assert_true(twins >= 2);     /* both of a pair */
    assert_true(namesakes >= 2); /* father and son */
    assert_true(siblings >= 10);
    assert_true(same_name >= 1);
    assert_true(max_care >= 4);
    /* the hard cases are in the exports, not only in the truth: the first twin is on Niche */
    for (int i = 1; i < t.n; i++)
        if (t.rows[i].f[ct][0]) {
            bool seen = false;
            for (size_t k = 0; k < tr.n && !seen; k++)
                seen = strstr(tr.lines[k], t.rows[i].f[cid]) && !strncmp(tr.lines[k], "niche:NOM-", 10);
            assert_true(seen);
            break;
        }
    free_truth(&tr);
    free_table(&t);
    tu_rmrf_free(dir);
}

/* The address of a place, from "Flat" or its house number on (a premises name before it dropped), lower case. */
static void street_address(const char *a, char *out, size_t cap)
{
    const char *p = a;
    while (*p && strncmp(p, "Flat ", 5) && !(*p >= '0' && *p <= '9' && (p == a || p[-1] == ' ')))
        p++;
    if (!*p)
        p = a;
    size_t k = 0;
    for (; *p && k + 1 < cap; p++)
        out[k++] = (char)tolower((unsigned char)*p);
    out[k] = 0;
}

static int cmp_addr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* One address is one place: two true places written "57 Coed Cae Road, Caerleon" (whatever their postcodes or
 * premises names) could be told apart by nobody, and would count as false merges against any resolver. With 20,000
 * children the birthday paradox made hundreds of such pairs before add_loc drew again on a taken address. */
static void test_unique_addresses(void **state)
{
    (void)state;
    char *dir = gen("--seed 1 --children 20000");
    table t = load(dir, "truth_entities.csv");
    int ck = col(&t, "kind"), ca = col(&t, "address");
    char **v = malloc(sizeof *v * (size_t)t.n);
    int n = 0;
    for (int i = 1; i < t.n; i++) {
        if (t.rows[i].n <= ca || strcmp(t.rows[i].f[ck], "location") || !t.rows[i].f[ca][0])
            continue;
        char a[256];
        street_address(t.rows[i].f[ca], a, sizeof a);
        v[n++] = strdup(a);
    }
    assert_true(n > 10000);
    qsort(v, (size_t)n, sizeof *v, cmp_addr);
    int dups = 0;
    for (int i = 1; i < n; i++)
        if (!strcmp(v[i], v[i - 1])) {
            if (dups++ < 5)
                print_message("two places at %s\n", v[i]);
        }
    assert_int_equal(dups, 0);
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
    free_table(&t);
    tu_rmrf_free(dir);
}

/* dd/mm/yyyy from the truth's yyyy-mm-dd */
static void iso_to_dmy(const char *iso, char *out, size_t cap)
{
    snprintf(out, cap, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* Count Niche nominals and MIRAF children whose written name or DOB differs from the truth. */
static int recording_errors(const char *dir, int *checked)
{
    table ents = load(dir, "truth_entities.csv");
    truth tr = load_truth(dir);
    int errors = 0;
    *checked = 0;
    struct { const char *file, *source, *fore, *sur, *dob; bool iso; } F[] = {
        {"niche/nominals.csv", "niche", "forenames", "surname", "dob", false},
        {"miraf/miraf_forms.csv", "miraf", "child_forenames", "child_surname", "child_dob", true},
        {"polit/polit_intel.csv", "polit", "subject_forenames", "subject_surname", "subject_dob", false},
    };
    for (size_t f = 0; f < 3; f++) {
        table t = load(dir, F[f].file);
        int cf = col(&t, F[f].fore), cs = col(&t, F[f].sur), cd = col(&t, F[f].dob);
        for (int i = 1; i < t.n; i++) {
            char ref[128];
            snprintf(ref, sizeof ref, "%s:%s/1", F[f].source, t.rows[i].f[0]);
            const char *line = truth_find(&tr, ref);
            assert_non_null(line);
            int pi = atoi(strchr(line, ',') + 1 + strlen("person,P"));
            row *e = &ents.rows[pi];
            char dob[16];
            if (F[f].iso)
                snprintf(dob, sizeof dob, "%s", e->f[5]);
            else if (f == 2)
                snprintf(dob, sizeof dob, "%.4s%.2s%.2s", e->f[5], e->f[5] + 5, e->f[5] + 8);
            else
                iso_to_dmy(e->f[5], dob, sizeof dob);
            if (strcmp(t.rows[i].f[cf], e->f[3]) || strcasecmp(t.rows[i].f[cs], e->f[4]) || strcmp(t.rows[i].f[cd], dob))
                errors++;
            (*checked)++;
        }
        free_table(&t);
    }
    free_truth(&tr);
    free_table(&ents);
    return errors;
}

static void test_messiness(void **state)
{
    (void)state;
    char *clean = gen("--seed 5 --children 1000 --messiness 0");
    char *real = gen("--seed 5 --children 1000 --messiness 1");
    char *hostile = gen("--seed 5 --children 1000 --messiness 2");
    int n0, n1, n2;
    assert_int_equal(recording_errors(clean, &n0), 0);
    assert_true(n0 > 500);
    int e1 = recording_errors(real, &n1), e2 = recording_errors(hostile, &n2);
    assert_true(e1 > n1 / 50);  /* realistic: some errors */
    print_message("recording errors: messiness 1 %d of %d, messiness 2 %d of %d\n", e1, n1, e2, n2);
    assert_true(e2 > e1 * 3 / 2); /* hostile: many more */
    /* clean postcodes and addresses: every Niche location row matches its true postcode */
    table loc = load(clean, "niche/locations.csv");
    table ents = load(clean, "truth_entities.csv");
    truth tr = load_truth(clean);
    int cpc = col(&loc, "postcode");
    for (int i = 1; i < loc.n; i++) {
        char ref[64];
        snprintf(ref, sizeof ref, "niche:%s/1", loc.rows[i].f[0]);
        const char *line = truth_find(&tr, ref);
        assert_non_null(line);
        const char *id = strstr(line, ",L") + 1;
        for (int j = 1; j < ents.n; j++)
            if (!strncmp(ents.rows[j].f[0], id, 8)) {
                assert_string_equal(loc.rows[i].f[cpc], ents.rows[j].f[9]);
                break;
            }
    }
    free_truth(&tr);
    free_table(&loc);
    free_table(&ents);
    tu_rmrf_free(clean);
    tu_rmrf_free(real);
    tu_rmrf_free(hostile);
}

/* ---------- bad rows ---------- */

static bool valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n)
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

/* Split one physical line into fields; returns -1 if a quote is left open. */
static int line_fields(const char *s, size_t n, char fields[][256], int max)
{
    int nf = 0;
    size_t i = 0;
    for (;;) {
        size_t k = 0;
        if (i < n && s[i] == '"') {
            i++;
            bool closed = false;
            while (i < n) {
                if (s[i] == '"' && i + 1 < n && s[i + 1] == '"') {
                    if (k < 255 && nf < max)
                        fields[nf][k++] = '"';
                    i += 2;
                } else if (s[i] == '"') {
                    i++;
                    closed = true;
                    break;
                } else {
                    if (k < 255 && nf < max)
                        fields[nf][k++] = s[i];
                    i++;
                }
            }
            if (!closed)
                return -1;
        } else {
            while (i < n && s[i] != ',') {
                if (k < 255 && nf < max)
                    fields[nf][k++] = s[i];
                i++;
            }
        }
        if (nf < max)
            fields[nf][k] = 0;
        nf++;
        if (i >= n)
            return nf;
        i++;
    }
}

static bool valid_date(const char *source, const char *s)
{
    int d = 0, m = 0, y = 0;
    char mon[8] = "";
    if (!strcmp(source, "niche") || !strcmp(source, "soc")) {
        if (sscanf(s, "%2d/%2d/%4d", &d, &m, &y) != 3)
            return false;
    } else if (!strcmp(source, "miraf")) {
        if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
            return false;
    } else if (!strcmp(source, "polit")) {
        if (sscanf(s, "%4d%2d%2d", &y, &m, &d) != 3)
            return false;
    } else if (!strcmp(source, "marac")) {
        if (sscanf(s, "%d/%d/%d", &d, &m, &y) != 3)
            return false;
        y += 2000;
    } else {
        static const char *const MON[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        if (sscanf(s, "%d %3s %d", &d, mon, &y) != 3)
            return false;
        for (int k = 0; k < 12; k++)
            if (!strcmp(mon, MON[k]))
                m = k + 1;
    }
    static const int md[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > md[m - 1])
        return false;
    return !(m == 2 && d == 29 && (y % 4 != 0));
}

static void test_bad_rows(void **state)
{
    (void)state;
    char *dir = gen("--seed 11 --children 1000 --bad-rows 30");
    truth tr = load_truth(dir);
    static char fields[128][256];
    size_t total_rejects = 0;
    for (size_t s = 0; s < NSPECS; s++) {
        const fspec *sp = &SPECS[s];
        buf b = slurp(dir, sp->file);
        const char *fname = strchr(sp->file, '/') + 1;
        int ncols = line_fields(b.p, (size_t)(strchr(b.p, '\n') - b.p), fields, 128);
        int req = -1;
        for (int k = 0; k < ncols; k++)
            if (!strcmp(fields[k], sp->req))
                req = k;
        assert_true(req >= 0);
        size_t pos = strchr(b.p, '\n') - b.p + 1, lineno = 1, rows = 0, rejects = 0;
        while (pos < b.n) {
            lineno++;
            rows++;
            const char *l = b.p + pos;
            const char *nl = memchr(l, '\n', b.n - pos);
            assert_non_null(nl);
            size_t n = (size_t)(nl - l);
            pos += n + 1;
            char key[256];
            snprintf(key, sizeof key, "%s:%s:%zu", sp->source, fname, lineno);
            const char *line = truth_find(&tr, key);
            bool nul = memchr(l, 0, n) != NULL, utf8 = valid_utf8((const unsigned char *)l, n);
            int nf = nul || !utf8 ? 0 : line_fields(l, n, fields, 128);
            if (!line) {
                /* a good row: well formed, and its mentions are in the truth */
                assert_false(nul);
                assert_true(utf8);
                assert_int_equal(nf, ncols);
                assert_true(fields[req][0] != 0);
                assert_true(valid_date(sp->source, fields[1]));
                continue;
            }
            rejects++;
            const char *reason = strstr(line, ",reject,,");
            assert_non_null(reason);
            reason += strlen(",reject,,");
            if (!strcmp(reason, "nul-byte"))
                assert_true(nul);
            else if (!strcmp(reason, "invalid-utf8"))
                assert_true(!nul && !utf8);
            else if (!strcmp(reason, "unterminated-quote"))
                assert_int_equal(nf, -1);
            else if (!strcmp(reason, "wrong-column-count"))
                assert_true(nf > 0 && nf != ncols);
            else if (!strcmp(reason, "impossible-date"))
                assert_true(nf == ncols && !valid_date(sp->source, fields[1]));
            else if (!strcmp(reason, "empty-required-field"))
                assert_true(nf == ncols && fields[req][0] == 0);
            else
                fail_msg("unknown reason %s", reason);
            /* a rejected row's mentions are not in the truth */
            char id[64] = "";
            size_t k = 0;
            while (k < n && k < 63 && l[k] != ',') {
                id[k] = l[k];
                k++;
            }
            id[k] = 0;
            char ref[128];
            snprintf(ref, sizeof ref, "%s:%s/1", sp->source, id);
            assert_null(truth_find(&tr, ref));
        }
        if (rows >= 500) /* about 30 per mille */
            assert_true(rejects >= rows / 100 && rejects <= rows / 15);
        total_rejects += rejects;
        free(b.p);
    }
    /* every reject in the truth was found at its line */
    size_t truth_rejects = 0;
    for (size_t i = 0; i < tr.n; i++)
        truth_rejects += strstr(tr.lines[i], ",reject,,") != NULL;
    assert_int_equal(truth_rejects, total_rejects);
    assert_true(total_rejects > 100);
    free_truth(&tr);
    tu_rmrf_free(dir);
}

static void test_usage_errors(void **state)
{
    (void)state;
    char *bin = tu_build_path("cpgen");
    const char *bad[] = {"--children 10 --out /tmp/x", "--children 1000", "--children 1000 --out /tmp/x --messiness 3",
                         "--children 1000 --out /tmp/x --start 2024-02-30", "--children abc --out /tmp/x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", bin, bad[i]);
        int st = -1;
        char *out = tu_run(cmd, &st);
        assert_int_equal(st, 2);
        assert_non_null(strstr(out, "usage:"));
        free(out);
    }
    free(bin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),      cmocka_unit_test(test_truth_matches_exports),
        cmocka_unit_test(test_hard_cases),       cmocka_unit_test(test_unique_addresses),       cmocka_unit_test(test_messiness),
        cmocka_unit_test(test_bad_rows),         cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
