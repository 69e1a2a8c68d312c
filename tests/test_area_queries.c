/*
 * test_area_queries.c - agenda --area / --since, analyse --area and export
 * graph --child / --network / --format on a force cpgen generates, through
 * the CLI as an analyst meets them.
 *
 * Every answer is checked against something the code under test did not
 * compute: the area rule of graph/area.h re-applied to cpgen's own export
 * files (Niche locations give postcode district -> local authority,
 * occurrences authority -> policing area, MACE rows the meeting's area) and
 * to each child's profile (their references and current home); --since
 * against the dates of the child's references; an exported neighbourhood
 * against the whole graph's export (read back through libcsv) and the
 * child's profile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <csv.h>
#include <ctype.h>
#include <jansson.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "testutil.h"

static char *dir, *cli;

/* ------------------------------------------------------------------ running the CLI */

static char *run(const char *user, const char *args, int *status)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && env -u CPINDEX_USER -u CPINDEX_REASON '%s' --db db --user %s "
             "--reason 'area query tests' %s 2>&1", dir, cli, user, args);
    return tu_run(cmd, status);
}

static json_t *run_json(const char *args)
{
    int st = -1;
    char *out = run("analyst1", args, &st);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    if (st != 0 || !j)
        fail_msg("cpindex %s: exit %d, not JSON (%s):\n%.2000s", args, st, je.text, out);
    free(out);
    return j;
}

static char *run_ok(const char *args)
{
    int st = -1;
    char *out = run("analyst1", args, &st);
    if (st != 0)
        fail_msg("cpindex %s: exit %d:\n%.2000s", args, st, out);
    return out;
}

/* ------------------------------------------------------------------ CSV through libcsv */

typedef struct rows {
    char ***rows;
    size_t *ncols, nrows;
    char **cur;
    size_t ncur;
} rows;

static void on_field(void *s, size_t len, void *data)
{
    rows *r = data;
    r->cur = realloc(r->cur, (r->ncur + 1) * sizeof *r->cur);
    r->cur[r->ncur++] = strndup(s ? s : "", len);
}

static void on_row(int c, void *data)
{
    (void)c;
    rows *r = data;
    r->rows = realloc(r->rows, (r->nrows + 1) * sizeof *r->rows);
    r->ncols = realloc(r->ncols, (r->nrows + 1) * sizeof *r->ncols);
    r->rows[r->nrows] = r->cur;
    r->ncols[r->nrows] = r->ncur;
    r->nrows++;
    r->cur = NULL;
    r->ncur = 0;
}

static rows parse_csv(const char *text, size_t len)
{
    rows r = {0};
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
    assert_int_equal(csv_parse(&p, text, len, on_field, on_row, &r), len);
    assert_int_equal(csv_fini(&p, on_field, on_row, &r), 0);
    csv_free(&p);
    return r;
}

static rows read_csv(const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    size_t len;
    char *text = tu_slurp(path, &len);
    assert_non_null(text);
    rows r = parse_csv(text, len);
    free(text);
    return r;
}

static void free_rows(rows *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t j = 0; j < r->ncols[i]; j++)
            free(r->rows[i][j]);
        free(r->rows[i]);
    }
    free(r->rows);
    free(r->ncols);
    memset(r, 0, sizeof *r);
}

static int col(const rows *r, const char *name)
{
    for (size_t j = 0; j < r->ncols[0]; j++)
        if (strcmp(r->rows[0][j], name) == 0)
            return (int)j;
    fail_msg("no column %s", name);
    return -1;
}

/* ------------------------------------------------------------------ the rule, from cpgen's files */

/* A tiny string map: key -> value (first seen; cpgen's tables are consistent, checked below). */
typedef struct smap {
    char **k, **v;
    size_t n;
} smap;

static const char *smap_get(const smap *m, const char *k)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->k[i], k) == 0)
            return m->v[i];
    return NULL;
}

static void smap_put(smap *m, const char *k, const char *v)
{
    const char *old = smap_get(m, k);
    if (old) {
        assert_string_equal(old, v); /* a district in two authorities would make the check meaningless */
        return;
    }
    m->k = realloc(m->k, (m->n + 1) * sizeof *m->k);
    m->v = realloc(m->v, (m->n + 1) * sizeof *m->v);
    m->k[m->n] = strdup(k);
    m->v[m->n] = strdup(v);
    m->n++;
}

static void smap_free(smap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->k[i]);
        free(m->v[i]);
    }
    free(m->k);
    free(m->v);
    memset(m, 0, sizeof *m);
}

static smap district_la, la_area, mace_area;

static void district_of(const char *postcode, char out[16])
{
    snprintf(out, 16, "%s", postcode);
    char *sp = strchr(out, ' ');
    if (sp)
        *sp = '\0';
    for (char *p = out; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

static void load_rule(void)
{
    rows r = read_csv("force/niche/locations.csv");
    int pc = col(&r, "postcode"), la = col(&r, "local_authority");
    for (size_t i = 1; i < r.nrows; i++)
        if (r.rows[i][pc][0] && r.rows[i][la][0]) {
            char d[16];
            district_of(r.rows[i][pc], d);
            smap_put(&district_la, d, r.rows[i][la]);
        }
    free_rows(&r);
    r = read_csv("force/niche/occurrences.csv");
    int ar = col(&r, "area");
    la = col(&r, "local_authority");
    for (size_t i = 1; i < r.nrows; i++)
        if (r.rows[i][ar][0] && r.rows[i][la][0])
            smap_put(&la_area, r.rows[i][la], r.rows[i][ar]);
    free_rows(&r);
    r = read_csv("force/mace/mace_children.csv");
    int id = col(&r, "mace_id");
    ar = col(&r, "area");
    for (size_t i = 1; i < r.nrows; i++)
        smap_put(&mace_area, r.rows[i][id], r.rows[i][ar]);
    free_rows(&r);
    assert_true(district_la.n >= 10 && la_area.n == 5 && mace_area.n > 10);
}

/*
 * The child's local authority and policing area by the documented rule,
 * from their profile: the latest MACE reference's meeting area; the current
 * home (latest last) - its postcode district's authority. NULL when the
 * profile does not say (no home with a postcode).
 */
static void expected_area(const char *id, char *la, char *area)
{
    char args[128];
    snprintf(args, sizeof args, "child %s --json", id);
    json_t *p = run_json(args);
    la[0] = area[0] = '\0';
    const char *best_date = NULL, *best_mace = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(p, "references"), i, x)
    {
        const char *src = json_string_value(json_object_get(x, "source"));
        const char *role = json_string_value(json_object_get(x, "role"));
        const char *date = json_string_value(json_object_get(x, "date"));
        if (strcmp(src, "mace") == 0 && role && strcmp(role, "child-discussed") == 0 && date &&
            (!best_date || strcmp(date, best_date) >= 0)) {
            best_date = date;
            best_mace = json_string_value(json_object_get(x, "ref"));
        }
    }
    const char *home_pc = NULL, *home_last = NULL, *home_status = NULL;
    json_array_foreach(json_object_get(p, "addresses"), i, x)
    {
        const char *st = json_string_value(json_object_get(x, "status"));
        const char *last = json_string_value(json_object_get(x, "last"));
        bool cur = st && strcmp(st, "current") == 0, hcur = home_status && strcmp(home_status, "current") == 0;
        if (!home_status || (cur && !hcur) || (cur == hcur && last && home_last && strcmp(last, home_last) > 0)) {
            home_status = st;
            home_last = last;
            home_pc = json_string_value(json_object_get(x, "postcode"));
        }
    }
    if (home_pc && *home_pc) {
        char d[16];
        district_of(home_pc, d);
        const char *v = smap_get(&district_la, d);
        if (v)
            snprintf(la, 64, "%s", v);
    }
    if (best_mace)
        snprintf(area, 64, "%s", smap_get(&mace_area, strchr(best_mace, ':') + 1));
    else if (la[0] && smap_get(&la_area, la))
        snprintf(area, 64, "%s", smap_get(&la_area, la));
    json_decref(p);
}

/* ------------------------------------------------------------------ setup */

static int setup(void **state)
{
    (void)state;
    dir = tu_mkdtemp();
    cli = tu_build_path("cpindex");
    char *gen = tu_build_path("cpgen");
    const char *owner = getpwuid(geteuid())->pw_name;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && export CPINDEX_DB=db CPINDEX_USER='%s' CPINDEX_REASON='area query tests: set-up' && "
             "'%s' --seed 11 --children 400 --out force >/dev/null && "
             "for s in niche miraf mace marac polit soc; do '%s' ingest $s force/$s >/dev/null || exit 1; done && "
             "'%s' resolve >/dev/null && '%s' user add '%s' --role admin >/dev/null && "
             "'%s' user add analyst1 --role analyst,polit,marac >/dev/null && "
             "'%s' user add sup1 --role supervisor >/dev/null",
             dir, owner, gen, cli, cli, cli, owner, cli, cli);
    int st;
    char *out = tu_run(cmd, &st);
    free(gen);
    if (st != 0) {
        fprintf(stderr, "setup failed (%d): %s\n", st, out);
        free(out);
        return -1;
    }
    free(out);
    load_rule();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    smap_free(&district_la);
    smap_free(&la_area);
    smap_free(&mace_area);
    tu_rmrf_free(dir);
    free(cli);
    return 0;
}

/* ------------------------------------------------------------------ agenda --area */

/* Scores never rise down the list and ranks count from 1. */
static void check_order(json_t *children)
{
    size_t i;
    json_t *x;
    json_int_t prev = INT32_MAX;
    json_array_foreach(children, i, x)
    {
        json_int_t sc = json_integer_value(json_object_get(x, "score"));
        assert_true(sc <= prev);
        assert_true(sc > 0);
        assert_int_equal(json_integer_value(json_object_get(x, "rank")), (json_int_t)i + 1);
        prev = sc;
    }
}

static void test_agenda_area(void **state)
{
    (void)state;
    static const char *const las[] = {"Newport", "Torfaen", "Monmouthshire", "Blaenau Gwent", "Caerphilly"};
    json_t *all = run_json("agenda --top 10000 --json");
    size_t whole = json_array_size(json_object_get(all, "children"));
    json_decref(all);
    size_t sum = 0, checked = 0, unplaced = 0;
    for (size_t a = 0; a < 5; a++) {
        char args[128];
        snprintf(args, sizeof args, "agenda --area '%s' --top 10000 --json", las[a]);
        json_t *j = run_json(args);
        assert_string_equal(json_string_value(json_object_get(j, "area")), las[a]);
        json_t *kids = json_object_get(j, "children");
        check_order(kids);
        sum += json_array_size(kids);
        unplaced = (size_t)json_integer_value(json_object_get(json_object_get(j, "unplaced"), "total"));
        size_t i;
        json_t *x;
        json_array_foreach(kids, i, x)
        {
            const char *id = json_string_value(json_object_get(x, "entity_id"));
            assert_string_equal(json_string_value(json_object_get(x, "local_authority")), las[a]);
            if (i >= 8) /* the rule re-applied from the profile for the top of each list (each costs a CLI run) */
                continue;
            char la[64], area[64];
            expected_area(id, la, area);
            if (la[0]) {
                if (strcmp(la, las[a]) != 0)
                    fail_msg("%s is on the %s agenda but their current home is in %s", id, las[a], la);
                checked++;
            }
        }
        json_decref(j);
    }
    /* the five authorities' agendas and the unplaced children together are the force's agenda: nobody lost */
    assert_int_equal(sum + unplaced, whole);
    assert_true(checked >= 20);
    /* policing areas: the latest MACE meeting's area, else the home authority's */
    checked = 0;
    const char *areas[] = {"east", "WEST"};
    for (size_t a = 0; a < 2; a++) {
        char args[128];
        snprintf(args, sizeof args, "agenda --area %s --top 10000 --json", areas[a]);
        json_t *j = run_json(args);
        const char *canon = json_string_value(json_object_get(j, "area"));
        assert_true(strcasecmp(canon, areas[a]) == 0);
        json_t *kids = json_object_get(j, "children");
        check_order(kids);
        assert_true(json_array_size(kids) > 0);
        size_t i;
        json_t *x;
        json_array_foreach(kids, i, x)
        {
            const char *id = json_string_value(json_object_get(x, "entity_id"));
            char la[64], area[64];
            expected_area(id, la, area);
            if (area[0]) {
                if (strcasecmp(area, areas[a]) != 0)
                    fail_msg("%s is on the %s agenda but the rule puts them in %s", id, areas[a], area);
                checked++;
            }
        }
        json_decref(j);
    }
    assert_true(checked >= 15);
    /* an unknown area: a usage error naming the areas there are; any case is accepted */
    int st;
    char *out = run("analyst1", "agenda --area Gotham", &st);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "Gotham"));
    assert_non_null(strstr(out, "Blaenau Gwent"));
    assert_non_null(strstr(out, "WEST"));
    free(out);
    out = run_ok("agenda --area 'blaenau gwent' --top 3");
    assert_non_null(strstr(out, "for Blaenau Gwent"));
    free(out);
}

/* ------------------------------------------------------------------ agenda --since */

static void test_agenda_since(void **state)
{
    (void)state;
    const char *since = "2024-03-01";
    json_t *j = run_json("agenda --area EAST --since 2024-03-01 --top 40 --json");
    assert_string_equal(json_string_value(json_object_get(j, "since")), since);
    size_t i, flagged = 0, quiet = 0;
    json_t *x;
    /* the area's children and those in no area alike */
    json_t *kids = json_deep_copy(json_object_get(j, "children"));
    json_array_extend(kids, json_object_get(json_object_get(j, "unplaced"), "children"));
    /* a child the resolver left as a possible match of a listed one shares that one's row (query/same.h) */
    size_t listed = json_array_size(kids);
    json_array_foreach(kids, i, x) listed += json_array_size(json_object_get(x, "possibly_same"));
    assert_true(listed >= 10);
    json_array_foreach(kids, i, x)
    {
        const char *id = json_string_value(json_object_get(x, "entity_id"));
        json_t *sn = json_object_get(x, "since");
        assert_non_null(sn);
        char args[128];
        snprintf(args, sizeof args, "child %s --json", id);
        json_t *p = run_json(args);
        size_t k, after = 0;
        json_t *r;
        const char *newest = NULL;
        json_array_foreach(json_object_get(p, "references"), k, r)
        {
            const char *d = json_string_value(json_object_get(r, "date"));
            if (d && strcmp(d, since) > 0) {
                after++;
                if (!newest || strcmp(d, newest) > 0)
                    newest = d;
            }
        }
        if (json_is_true(json_object_get(sn, "new")) != (after > 0))
            fail_msg("%s: since.new is %s but the profile has %zu records after %s", id,
                     json_is_true(json_object_get(sn, "new")) ? "true" : "false", after, since);
        assert_int_equal(json_integer_value(json_object_get(sn, "records")), (json_int_t)after);
        assert_int_equal(json_array_size(json_object_get(sn, "refs")), after < 5 ? after : 5);
        assert_int_equal(json_integer_value(json_object_get(sn, "change")),
                         json_integer_value(json_object_get(x, "score")) -
                             json_integer_value(json_object_get(sn, "score_then")));
        flagged += after > 0;
        quiet += after == 0;
        json_decref(p);
    }
    json_decref(kids);
    assert_int_equal(json_integer_value(json_object_get(j, "new")), (json_int_t)flagged);
    assert_true(flagged > 0);
    json_decref(j);
    /* a date after every record: nothing is new, and the score then is today's bar the 90-day window */
    j = run_json("agenda --since 2030-01-01 --top 50 --json");
    assert_int_equal(json_integer_value(json_object_get(j, "new")), 0);
    json_decref(j);
    char *out = run_ok("agenda --area WEST --since 2024-03-01 --top 5");
    assert_non_null(strstr(out, "marked NEW"));
    free(out);
    (void)quiet;
}

/* ------------------------------------------------------------------ analyse --area */

static void test_analyse_area(void **state)
{
    (void)state;
    json_t *whole = run_json("analyse hotspots --top 200 --json");
    json_t *j = run_json("analyse hotspots --area newport --top 200 --json");
    assert_string_equal(json_string_value(json_object_get(j, "area")), "Newport");
    json_t *found = json_object_get(j, "found"), *wfound = json_object_get(whole, "found");
    assert_non_null(json_object_get(j, "meet"));
    assert_null(json_object_get(j, "central"));
    assert_true(json_array_size(found) > 0);
    assert_true(json_array_size(found) < json_array_size(wfound));
    /* each place really is in Newport (its postcode district's authority), and the order is the force's */
    size_t i, last_pos = 0;
    json_t *x;
    json_array_foreach(found, i, x)
    {
        const char *id = json_string_value(json_object_get(x, "entity_id"));
        size_t k, pos = SIZE_MAX;
        json_t *w;
        json_array_foreach(wfound, k, w) if (strcmp(json_string_value(json_object_get(w, "entity_id")), id) == 0) pos = k;
        if (pos != SIZE_MAX) {
            assert_true(i == 0 || pos > last_pos);
            last_pos = pos;
        }
        if (i >= 6)
            continue;
        char args[128];
        snprintf(args, sizeof args, "address %s --json", id);
        json_t *p = run_json(args);
        const char *pc = json_string_value(json_object_get(p, "postcode"));
        if (pc && *pc) {
            char d[16];
            district_of(pc, d);
            const char *la = smap_get(&district_la, d);
            if (la && strcmp(la, "Newport") != 0)
                fail_msg("hotspot %s (%s) is listed for Newport but is in %s", id, pc, la);
        }
        json_decref(p);
    }
    json_decref(j);
    json_decref(whole);
    /* the names and the old ones */
    j = run_json("analyse adults --area WEST --top 5 --json");
    assert_non_null(json_object_get(j, "central"));
    assert_null(json_object_get(j, "found"));
    json_decref(j);
    char *out = run_ok("analyse central --top 3");
    assert_non_null(strstr(out, "ADULTS LINKED"));
    free(out);
    out = run_ok("analyse networks --area Torfaen --top 3");
    assert_non_null(strstr(out, "area Torfaen"));
    free(out);
    int st;
    out = run("analyst1", "analyse hotspots --area Narnia", &st);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "Caerphilly"));
    free(out);
}

/* ------------------------------------------------------------------ export graph */

typedef struct strset {
    char **s;
    size_t n;
} strset;

static bool has(const strset *s, const char *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->s[i], v) == 0)
            return true;
    return false;
}

static void add(strset *s, const char *v, size_t len)
{
    char *c = strndup(v, len);
    if (has(s, c)) {
        free(c);
        return;
    }
    s->s = realloc(s->s, (s->n + 1) * sizeof *s->s);
    s->s[s->n++] = c;
}

static void strset_free(strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->s[i]);
    free(s->s);
    memset(s, 0, sizeof *s);
}

/* Links CSV rows as "from|type|to", and the ids named. */
static size_t links_of(const char *csv, strset *links, strset *ids)
{
    rows r = parse_csv(csv, strlen(csv));
    assert_true(r.nrows >= 1);
    assert_int_equal(r.ncols[0], 12);
    assert_string_equal(r.rows[0][0], "from_id");
    for (size_t i = 1; i < r.nrows; i++) {
        assert_int_equal(r.ncols[i], 12);
        char key[256];
        int n = snprintf(key, sizeof key, "%s|%s|%s", r.rows[i][0], r.rows[i][3], r.rows[i][4]);
        add(links, key, (size_t)n);
        if (ids) {
            add(ids, r.rows[i][0], strlen(r.rows[i][0]));
            add(ids, r.rows[i][4], strlen(r.rows[i][4]));
        }
    }
    size_t n = r.nrows - 1;
    free_rows(&r);
    return n;
}

/*
 * DOT: brackets and braces balance outside quoted strings, every quoted string
 * closes; node statements declare ids, and both ends of every edge are
 * declared. Returns the number of edges; fills nodes.
 */
static size_t parse_dot(const char *dot, strset *nodes)
{
    int brace = 0, bracket = 0;
    bool q = false;
    for (const char *p = dot; *p; p++) {
        if (q) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                q = false;
            continue;
        }
        if (*p == '"')
            q = true;
        brace += *p == '{';
        brace -= *p == '}';
        bracket += *p == '[';
        bracket -= *p == ']';
        assert_true(brace >= 0 && bracket >= 0);
    }
    assert_false(q);
    assert_int_equal(brace, 0);
    assert_int_equal(bracket, 0);
    assert_true(strncmp(dot, "digraph ", 8) == 0);
    size_t edges = 0;
    const char *line = dot;
    strset ends = {0};
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *l = line;
        while (*l == ' ')
            l++;
        if (*l == '"') {
            const char *e1 = strchr(l + 1, '"');
            assert_non_null(e1);
            if (strncmp(e1 + 1, " -> \"", 5) == 0) {
                const char *b = e1 + 6, *e2 = strchr(b, '"');
                assert_non_null(e2);
                add(&ends, l + 1, (size_t)(e1 - l - 1));
                add(&ends, b, (size_t)(e2 - b));
                edges++;
            } else {
                assert_true(strncmp(e1 + 1, " [", 2) == 0);
                add(nodes, l + 1, (size_t)(e1 - l - 1));
            }
        }
        line = nl ? nl + 1 : NULL;
        (void)len;
    }
    for (size_t i = 0; i < ends.n; i++)
        if (!has(nodes, ends.s[i]))
            fail_msg("DOT edge end %s is not declared as a node", ends.s[i]);
    strset_free(&ends);
    return edges;
}

static int disclosures(void)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' --db db --user sup1 audit show --kind disclosure --json "
             "--reason 'area query tests: the log' 2>&1", dir, cli);
    int st;
    char *out = tu_run(cmd, &st);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    if ((st != 0 && st != 1) || !j) /* 1: none yet */
        fail_msg("audit show: %d %s", st, out);
    free(out);
    int n = (int)json_array_size(j);
    json_t *last = json_array_get(j, json_array_size(j) - 1);
    if (n && strstr(json_string_value(json_object_get(last, "query")), "--child"))
        assert_non_null(strstr(json_string_value(json_object_get(json_object_get(last, "details"), "selection")),
                               "child P-"));
    json_decref(j);
    return n;
}

static void test_export_child(void **state)
{
    (void)state;
    /* the child at the top of the agenda: several risky people around them */
    json_t *a = run_json("agenda --top 1 --json");
    char child[32];
    snprintf(child, sizeof child, "%s",
             json_string_value(json_object_get(json_array_get(json_object_get(a, "children"), 0), "entity_id")));
    json_decref(a);
    int before = disclosures();
    char args[256];
    snprintf(args, sizeof args, "export graph --child %s --format csv", child);
    char *csv = run_ok(args);
    assert_int_equal(disclosures(), before + 1);
    char *whole_csv = run_ok("export links");
    assert_int_equal(disclosures(), before + 2);
    strset links = {0}, ids = {0}, whole = {0};
    size_t n = links_of(csv, &links, &ids);
    links_of(whole_csv, &whole, NULL);
    assert_true(n > 0);
    assert_true(has(&ids, child));
    for (size_t i = 0; i < links.n; i++)
        if (!has(&whole, links.s[i]))
            fail_msg("neighbourhood link %s is not in the whole graph", links.s[i]);
    assert_true(links.n < whole.n);
    /* restricted sources never leave in an export */
    assert_null(strstr(csv, "marac:"));
    assert_null(strstr(csv, "polit:"));
    /* every risky person linked to the child directly through an open source is in it */
    snprintf(args, sizeof args, "child %s --json", child);
    json_t *p = run_json(args);
    size_t i, k, m, risky = 0;
    json_t *x, *l, *src;
    json_array_foreach(json_object_get(p, "risky_people"), i, x)
    {
        bool direct_open = false;
        json_array_foreach(json_object_get(x, "links"), k, l)
        {
            if (json_object_get(l, "via") || strcmp(json_string_value(json_object_get(l, "type")), "possible-match") == 0)
                continue;
            json_array_foreach(json_object_get(l, "sources"), m, src)
            {
                const char *s = json_string_value(src);
                direct_open |= strcmp(s, "marac") != 0 && strcmp(s, "polit") != 0;
            }
        }
        if (!direct_open)
            continue;
        const char *rid = json_string_value(json_object_get(x, "entity_id"));
        if (!has(&ids, rid))
            fail_msg("%s is a risky person linked to %s but not in the exported neighbourhood", rid, child);
        risky++;
    }
    assert_true(risky >= 1);
    json_decref(p);
    /* DOT of the same selection: parses, the same links; GraphML: the same nodes, a subset of the whole graph's */
    snprintf(args, sizeof args, "export graph --child %s --format dot", child);
    char *dot = run_ok(args);
    strset nodes = {0};
    assert_int_equal(parse_dot(dot, &nodes), n);
    assert_true(has(&nodes, child));
    for (i = 0; i < ids.n; i++)
        assert_true(has(&nodes, ids.s[i]));
    snprintf(args, sizeof args, "export graph --child %s", child);
    char *gml = run_ok(args);
    char *wgml = run_ok("export graph");
    size_t gnodes = 0;
    for (char *q = strstr(gml, "<node id=\""); q; q = strstr(q + 1, "<node id=\"")) {
        char *e = strchr(q + 10, '"');
        char needle[64];
        snprintf(needle, sizeof needle, "<node id=\"%.*s\"", (int)(e - q - 10), q + 10);
        assert_non_null(strstr(wgml, needle));
        gnodes++;
    }
    assert_int_equal(gnodes, nodes.n);
    /* a name that fits nobody, a network that does not exist: refused, nothing logged */
    int st, after = disclosures();
    char *out = run("analyst1", "export graph --child 'Nobody Atall-Here'", &st);
    assert_int_equal(st, 1);
    free(out);
    out = run("analyst1", "export graph --network 100000", &st);
    assert_int_equal(st, 1);
    assert_non_null(strstr(out, "no network"));
    free(out);
    out = run("analyst1", "export links --child P-0000001", &st);
    assert_int_equal(st, 2);
    free(out);
    out = run("analyst1", "export graph --format svg", &st);
    assert_int_equal(st, 2);
    free(out);
    assert_int_equal(disclosures(), after);
    strset_free(&links);
    strset_free(&ids);
    strset_free(&whole);
    strset_free(&nodes);
    free(csv);
    free(whole_csv);
    free(dot);
    free(gml);
    free(wgml);
}

static void test_export_network(void **state)
{
    (void)state;
    /* the second network (the first is most of the force): every member's card says network 2 */
    char *gml = run_ok("export graph --network 2");
    size_t members = 0;
    for (char *q = strstr(gml, "<node id=\""); q; q = strstr(q + 1, "<node id=\"")) {
        char *end = strstr(q, "</node>");
        assert_non_null(end);
        char *nw = strstr(q, "<data key=\"network\">2</data>");
        assert_true(nw && nw < end);
        members++;
    }
    json_t *j = run_json("analyse networks --top 2 --json");
    json_int_t size = json_integer_value(json_object_get(json_array_get(json_object_get(j, "networks"), 1), "members"));
    /* the counts have keys of their own: the lists would overwrite them */
    assert_true(json_is_array(json_object_get(j, "networks")));
    assert_true(json_integer_value(json_object_get(j, "network_count")) >= 2);
    assert_true(json_integer_value(json_object_get(j, "community_count")) >= 1);
    json_decref(j);
    assert_true(members >= 2);
    assert_true((json_int_t)members <= size); /* entities known only to MARAC or POLIT are withheld */
    free(gml);
    char *dot = run_ok("export graph --network 2 --format dot");
    strset nodes = {0};
    parse_dot(dot, &nodes);
    assert_int_equal(nodes.n, members);
    strset_free(&nodes);
    free(dot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agenda_area),  cmocka_unit_test(test_agenda_since),
        cmocka_unit_test(test_analyse_area), cmocka_unit_test(test_export_child),
        cmocka_unit_test(test_export_network),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
