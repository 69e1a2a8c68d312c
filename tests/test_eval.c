/*
 * test_eval.c - cpi-eval (bench/eval.c) on a hand-made truth and export whose
 * every figure was worked out by hand below: pairwise counts overall, per
 * kind, per silo pair and for weak mentions; exact and pure clusters; a false
 * merge of two children and an adult; a mention missing from the export; an
 * exported reference that truth does not know. Then the usage and input
 * errors, each with its exit status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *tool; /* build/cpi-eval */
static char *dir;

/*
 * Mentions (weak: 4 is a MACE adult of concern, 7 a MARAC household child;
 * 5 is a MARAC victim, which is not weak: only POLIT victims are):
 *   1 niche:N-1/1  P1 child        2 niche:N-2/1  P1        3 mace:M-1/1  P1
 *   4 mace:M-1/2   P2 adult        5 marac:C-1/1  P3 parent 6 marac:C-1/2 P2
 *   7 marac:C-1/3  P4 child        8 niche:L-1/1  L1        9 mace:M-1/3  L1
 *  10 polit:PO-1/1 T1 (phone)     11 polit:PO-1/2 P2       12 soc:S-1/1    P5 adult
 * True groups: P1 {1,2,3} 3 pairs, P2 {4,6,11} 3, L1 {8,9} 1: 7 true pairs.
 */
static const char truth_csv[] = "reference,kind,true_id,role\n"
                                "niche:N-1/1,person,P1,nominal\n"
                                "niche:N-2/1,person,P1,nominal\n"
                                "mace:M-1/1,person,P1,child-discussed\n"
                                "mace:M-1/2,person,P2,adult-of-concern\n"
                                "niche:occurrences.csv:7,reject,,impossible-date\n"
                                "marac:C-1/1,person,P3,victim\n"
                                "marac:C-1/2,person,P2,perpetrator\n"
                                "marac:C-1/3,person,P4,household-child\n"
                                "niche:L-1/1,location,L1,location\n"
                                "mace:M-1/3,location,L1,location-of-concern\n"
                                "polit:PO-1/1,phone,T1,subject-phone\n"
                                "polit:PO-1/2,person,P2,suspect\n"
                                "soc:S-1/1,person,P5,group-member\n";

/* Twins P1 and P4 (listed both ways); namesakes P3 of P2 (listed one way only, still one pair) and P5
 * of P9 (never mentioned, so not a pair the export could merge). */
static const char truth_entities_csv[] = "true_id,kind,subtype,forenames,twin_of,namesake_of\n"
                                         "P1,person,child,A,P4,\n"
                                         "P2,person,adult,B,,\n"
                                         "P3,person,parent,C,,P2\n"
                                         "P4,person,looked-after-child,D,P1,\n"
                                         "P5,person,ocg-member,E,,P9\n"
                                         "L1,location,home,,,\n"
                                         "T1,phone,,,,\n"
                                         "P9,person,child,never mentioned,,P5\n";

/*
 * Predicted: E1 {1,2} 1 pair; E2 {3,7,11,12} 6 (a false merge: children P1
 * and P4 with adults P2 and P5); E3 {4,6,5} 3 (P2 with P3: a false merge
 * without a child); E5 {8,9} 1; 10 missing, so a singleton: 11 predicted
 * pairs. Correct: {1,2}, {4,6}, {8,9}: 3 pairs.
 */
static const char entities_csv[] = "reference,entity_id\n"
                                   "mace:M-1/2,E3\n"
                                   "niche:N-1/1,E1\n"
                                   "marac:C-1/3,E2\n"
                                   "niche:N-2/1,E1\n"
                                   "mace:M-1/1,E2\n"
                                   "soc:X-9/1,E6\n"
                                   "polit:PO-1/2,E2\n"
                                   "soc:S-1/1,E2\n"
                                   "marac:C-1/2,E3\n"
                                   "marac:C-1/1,E3\n"
                                   "niche:L-1/1,E5\n"
                                   "mace:M-1/3,E5\n";

static void write_file(const char *name, const char *text)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *run(const char *args, int *status)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2>&1", dir, tool, args);
    return tu_run(cmd, status);
}

static int setup(void **state)
{
    (void)state;
    char *rel = tu_build_path("cpi-eval");
    tool = realpath(rel, NULL); /* the test cds into its temp dir */
    free(rel);
    if (!tool)
        return -1;
    dir = tu_mkdtemp();
    write_file("truth.csv", truth_csv);
    write_file("truth_entities.csv", truth_entities_csv);
    write_file("entities.csv", entities_csv);
    return dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmrf_free(dir);
    free(tool);
    return 0;
}

static json_t *run_json(const char *args)
{
    int st = -1;
    char *out = run(args, &st);
    if (st != 0)
        fail_msg("cpi-eval %s: exit %d\n%s", args, st, out);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    if (!doc)
        fail_msg("cpi-eval %s: not JSON (%s):\n%s", args, jerr.text, out);
    free(out);
    return doc;
}

static json_t *at(json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *k = strtok(buf, "."); k; k = strtok(NULL, ".")) {
        o = json_is_array(o) ? json_array_get(o, (size_t)atoi(k)) : json_object_get(o, k);
        if (!o)
            fail_msg("no '%s' in the JSON (at '%s')", path, k);
    }
    return o;
}

static void int_at(json_t *doc, const char *path, long long want)
{
    json_t *v = at(doc, path);
    if (!json_is_integer(v) || json_integer_value(v) != want)
        fail_msg("%s: want %lld, got %lld", path, want, (long long)json_integer_value(v));
}

/* want < 0 means null (undefined: nothing to divide by). */
static void real_at(json_t *doc, const char *path, double want)
{
    json_t *v = at(doc, path);
    if (want < 0) {
        if (!json_is_null(v))
            fail_msg("%s: want null, got %g", path, json_number_value(v));
        return;
    }
    if (!json_is_number(v) || fabs(json_number_value(v) - want) > 1e-9)
        fail_msg("%s: want %.6f, got %.6f", path, want, json_number_value(v));
}

static void str_at(json_t *doc, const char *path, const char *want)
{
    json_t *v = at(doc, path);
    if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
        fail_msg("%s: want '%s', got '%s'", path, want, json_is_string(v) ? json_string_value(v) : "(not a string)");
}

/* t, p, c pairs and the precision / recall / F1 worked from them. */
static void prf_at(json_t *doc, const char *path, long long t, long long p, long long c)
{
    char k[200];
    snprintf(k, sizeof k, "%s.true_pairs", path);
    int_at(doc, k, t);
    snprintf(k, sizeof k, "%s.predicted_pairs", path);
    int_at(doc, k, p);
    snprintf(k, sizeof k, "%s.correct_pairs", path);
    int_at(doc, k, c);
    snprintf(k, sizeof k, "%s.precision", path);
    real_at(doc, k, p ? (double)c / (double)p : -1);
    snprintf(k, sizeof k, "%s.recall", path);
    real_at(doc, k, t ? (double)c / (double)t : -1);
    snprintf(k, sizeof k, "%s.f1", path);
    real_at(doc, k, p && t ? 2.0 * (double)c / (double)(p + t) : -1);
}

static void test_hand_worked_figures(void **state)
{
    (void)state;
    json_t *d = run_json("--truth truth.csv --entities entities.csv --json");

    int_at(d, "input.mentions", 12);
    int_at(d, "input.reject_rows_skipped", 1);
    int_at(d, "input.export_rows", 12);
    int_at(d, "input.true_entities", 7);
    int_at(d, "input.predicted_clusters", 5); /* E1 E2 E3 E5 and the singleton; E6 has no known mention */
    int_at(d, "input.missing_from_export.count", 1);
    str_at(d, "input.missing_from_export.references.0", "polit:PO-1/1");
    int_at(d, "input.unknown_in_export.count", 1);
    str_at(d, "input.unknown_in_export.references.0", "soc:X-9/1");

    /* precision 3/11, recall 3/7, F1 6/18 */
    prf_at(d, "pairwise.all", 7, 11, 3);
    real_at(d, "pairwise.all.precision", 3.0 / 11.0);
    real_at(d, "pairwise.all.f1", 1.0 / 3.0);
    prf_at(d, "pairwise.person", 6, 10, 2);
    real_at(d, "pairwise.person.f1", 0.25);
    prf_at(d, "pairwise.location", 1, 1, 1);
    prf_at(d, "pairwise.phone", 0, 0, 0);
    prf_at(d, "pairwise.online", 0, 0, 0);
    /*
     * Weak: pairs with mention 4 or 7. True: {4,6} {4,11}. Predicted: {3,7}
     * {7,11} {7,12} {4,6} {4,5}. Correct: {4,6}.
     */
    prf_at(d, "pairwise.weak", 2, 5, 1);
    prf_at(d, "pairwise.weak.by_role.marac/household-child", 0, 3, 0);
    prf_at(d, "pairwise.weak.by_role.mace/adult-of-concern", 2, 2, 1);
    prf_at(d, "pairwise.weak.by_role.polit/victim", 0, 0, 0);

    /* silo pairs, sources in order of first appearance (niche, mace, marac, polit, soc) */
    static const struct {
        const char *a, *b;
        long long t, p, c;
    } silos[] = {
        {"niche", "niche", 1, 1, 1}, /* {1,2} */
        {"niche", "mace", 3, 1, 1},  /* true {1,3} {2,3} {8,9}; predicted and correct {8,9} */
        {"mace", "marac", 1, 3, 1},  /* true {4,6}; predicted {3,7} {4,6} {4,5} */
        {"mace", "polit", 1, 1, 0},  /* true {4,11}; predicted {3,11} */
        {"mace", "soc", 0, 1, 0},    /* predicted {3,12} */
        {"marac", "marac", 0, 1, 0}, /* predicted {6,5} */
        {"marac", "polit", 1, 1, 0}, /* true {6,11}; predicted {7,11} */
        {"marac", "soc", 0, 1, 0},   /* predicted {7,12} */
        {"polit", "soc", 0, 1, 0},   /* predicted {11,12} */
    };
    json_t *sp = at(d, "silo_pairs");
    assert_int_equal(json_array_size(sp), sizeof silos / sizeof silos[0]);
    for (size_t i = 0; i < sizeof silos / sizeof silos[0]; i++) {
        char k[64];
        snprintf(k, sizeof k, "silo_pairs.%zu.a", i);
        str_at(d, k, silos[i].a);
        snprintf(k, sizeof k, "silo_pairs.%zu.b", i);
        str_at(d, k, silos[i].b);
        snprintf(k, sizeof k, "silo_pairs.%zu", i);
        prf_at(d, k, silos[i].t, silos[i].p, silos[i].c);
    }

    /* exact: L1 and the singleton T1 only; pure: E1, E5 and the singleton */
    int_at(d, "clusters.exact.exact", 2);
    int_at(d, "clusters.exact.true_entities", 7);
    real_at(d, "clusters.exact.fraction", 2.0 / 7.0);
    int_at(d, "clusters.pure.pure", 3);
    int_at(d, "clusters.pure.clusters", 5);
    real_at(d, "clusters.pure.fraction", 0.6);
    int_at(d, "clusters.by_kind.person.exact.exact", 0);
    int_at(d, "clusters.by_kind.person.exact.true_entities", 5);
    int_at(d, "clusters.by_kind.person.pure.pure", 1);
    int_at(d, "clusters.by_kind.person.pure.clusters", 3);
    int_at(d, "clusters.by_kind.location.exact.exact", 1);
    int_at(d, "clusters.by_kind.phone.exact.exact", 1);
    int_at(d, "clusters.by_kind.phone.pure.pure", 1);
    real_at(d, "clusters.by_kind.online.exact.fraction", -1);

    /*
     * E2 merges children P1 and P4 with adults P2 and P5: 6 wrong pairs, of
     * which {11,12} has no child, so 5 with a child. E3 has no child.
     */
    int_at(d, "child_false_merges.clusters", 1);
    int_at(d, "child_false_merges.wrong_pairs_with_child", 5);
    json_t *m = at(d, "child_false_merges.listed");
    assert_int_equal(json_array_size(m), 1);
    str_at(d, "child_false_merges.listed.0.entity_id", "E2");
    int_at(d, "child_false_merges.listed.0.mentions", 4);
    int_at(d, "child_false_merges.listed.0.true_entities", 4);
    int_at(d, "child_false_merges.listed.0.wrong_pairs_with_child", 5);
    /* children first, then the adult */
    str_at(d, "child_false_merges.listed.0.members.0.true_id", "P1");
    str_at(d, "child_false_merges.listed.0.members.0.subtype", "child");
    str_at(d, "child_false_merges.listed.0.members.0.references.0", "mace:M-1/1");
    str_at(d, "child_false_merges.listed.0.members.1.true_id", "P4");
    str_at(d, "child_false_merges.listed.0.members.1.subtype", "looked-after-child");
    str_at(d, "child_false_merges.listed.0.members.1.references.0", "marac:C-1/3");
    str_at(d, "child_false_merges.listed.0.members.2.true_id", "P2");
    assert_true(json_is_false(at(d, "child_false_merges.listed.0.members.2.child")));
    str_at(d, "child_false_merges.listed.0.members.2.references.0", "polit:PO-1/2");
    str_at(d, "child_false_merges.listed.0.members.3.true_id", "P5");
    str_at(d, "child_false_merges.listed.0.members.3.subtype", "ocg-member");
    /* E2 holds the twins P1 and P4, E3 the namesakes P2 and P3 */
    int_at(d, "hard_pairs.twins.pairs", 1);
    int_at(d, "hard_pairs.twins.merged", 1);
    str_at(d, "hard_pairs.twins.listed.0.entity_id", "E2");
    str_at(d, "hard_pairs.twins.listed.0.true_ids.0", "P1");
    str_at(d, "hard_pairs.twins.listed.0.true_ids.1", "P4");
    int_at(d, "hard_pairs.father_son_namesakes.pairs", 1);
    int_at(d, "hard_pairs.father_son_namesakes.merged", 1);
    str_at(d, "hard_pairs.father_son_namesakes.listed.0.entity_id", "E3");
    json_decref(d);
}

/* A perfect export: every figure 1, nothing listed; the truth's order does not matter. */
static void test_perfect(void **state)
{
    (void)state;
    write_file("perfect.csv", "reference,entity_id\n"
                              "polit:PO-1/2,b\nniche:N-1/1,a\nniche:N-2/1,a\nmace:M-1/1,a\nmace:M-1/2,b\n"
                              "marac:C-1/1,c\nmarac:C-1/2,b\nmarac:C-1/3,d\nniche:L-1/1,e\nmace:M-1/3,e\n"
                              "polit:PO-1/1,f\nsoc:S-1/1,g\n");
    json_t *d = run_json("--json --entities perfect.csv --truth ./truth.csv");
    prf_at(d, "pairwise.all", 7, 7, 7);
    prf_at(d, "pairwise.weak", 2, 2, 2);
    int_at(d, "clusters.exact.exact", 7);
    int_at(d, "clusters.pure.pure", 7);
    int_at(d, "child_false_merges.clusters", 0);
    int_at(d, "hard_pairs.twins.pairs", 1);
    int_at(d, "hard_pairs.twins.merged", 0);
    int_at(d, "hard_pairs.father_son_namesakes.merged", 0);
    assert_int_equal(json_array_size(at(d, "hard_pairs.twins.listed")), 0);
    int_at(d, "input.missing_from_export.count", 0);
    json_decref(d);
}

/* The text report carries the same figures, and --max-list caps every list. */
static void test_text_and_max_list(void **state)
{
    (void)state;
    int st = -1;
    char *out = run("--truth truth.csv --entities entities.csv", &st);
    assert_int_equal(st, 0);
    static const char *const want[] = {
        "0.2727    0.4286    0.3333", /* all: P R F1 */
        "false merges involving a child: 1 clusters, 5 wrong pairs with a child",
        "entity E2: 4 mentions of 4 true entities",
        "P4 looked-after-child",
        "marac:C-1/3",
        "missing from the export (counted as singletons): 1",
        "polit:PO-1/1",
        "exported references not in truth (ignored): 1",
        "mace-marac",
        "twin pairs                   1 of 1",
        "entity E2: P1 and P4",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(out, want[i]))
            fail_msg("text report lacks '%s':\n%s", want[i], out);
    free(out);

    json_t *d = run_json("--truth truth.csv --entities entities.csv --json --max-list 0");
    assert_int_equal(json_array_size(at(d, "child_false_merges.listed")), 0);
    assert_int_equal(json_array_size(at(d, "hard_pairs.twins.listed")), 0);
    int_at(d, "child_false_merges.clusters", 1); /* still counted */
    assert_int_equal(json_array_size(at(d, "input.missing_from_export.references")), 0);
    int_at(d, "input.missing_from_export.count", 1);
    json_decref(d);
}

static void expect(const char *args, int status, const char *fragment)
{
    int st = -1;
    char *out = run(args, &st);
    if (st != status || !strstr(out, fragment))
        fail_msg("cpi-eval %s: exit %d (want %d), output:\n%s\n(wanted '%s')", args, st, status, out, fragment);
    free(out);
}

static void test_errors(void **state)
{
    (void)state;
    expect("", 2, "usage: cpi-eval");
    expect("--truth truth.csv", 2, "both required");
    expect("--truth truth.csv --entities entities.csv --max-list x", 2, "--max-list");
    expect("--truth truth.csv --entities entities.csv --max-list -1", 2, "--max-list");
    expect("--truth truth.csv --entities entities.csv --frob", 2, "unexpected argument '--frob'");
    expect("--help", 0, "usage: cpi-eval");
    expect("--truth absent.csv --entities entities.csv", 3, "absent.csv");

    write_file("dup.csv", "reference,entity_id\nniche:N-1/1,E1\nmace:M-1/1,E2\nniche:N-1/1,E1\n");
    expect("--truth truth.csv --entities dup.csv", 3, "dup.csv: line 4: reference 'niche:N-1/1' exported twice");
    write_file("noid.csv", "reference,cluster\nniche:N-1/1,E1\n");
    expect("--truth truth.csv --entities noid.csv", 3, "noid.csv: no 'entity_id' column");
    write_file("empty_id.csv", "reference,entity_id\nniche:N-1/1,\n");
    expect("--truth truth.csv --entities empty_id.csv", 3, "empty_id.csv: line 2: empty reference or entity_id");

    char *sub = malloc(strlen(dir) + 8);
    sprintf(sub, "%s/sub", dir);
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sub);
    assert_int_equal(system(cmd), 0);
    write_file("sub/truth.csv", truth_csv);
    /* a public benchmark's truth has no entity table: scored all the same, and said so */
    expect("--truth sub/truth.csv --entities entities.csv", 0, "no truth_entities.csv beside it");
    write_file("sub/truth.csv", "reference,kind,true_id,role\nniche:A/1,person,P1,x\nniche:A/1,person,P1,x\n");
    write_file("sub/truth_entities.csv", truth_entities_csv);
    expect("--truth sub/truth.csv --entities entities.csv", 3, "line 3: reference 'niche:A/1' listed twice");
    write_file("sub/truth.csv", "reference,kind,true_id,role\nniche:A/1,person,P1,x\nniche:A/2,location,P1,x\n");
    expect("--truth sub/truth.csv --entities entities.csv", 3, "line 3: true id P1 is a location here but a person");
    write_file("sub/truth.csv", "reference,kind,true_id,role\nniche:A/1,vehicle,V1,x\n");
    expect("--truth sub/truth.csv --entities entities.csv", 3, "line 2: unknown kind 'vehicle'");
    write_file("sub/truth.csv", "reference,kind,true_id,role\nA/1,person,P1,x\n");
    expect("--truth sub/truth.csv --entities entities.csv", 3, "line 2: reference 'A/1' has no SOURCE: prefix");
    write_file("sub/truth.csv", "reference,kind,true_id,role\nniche:a:1,reject,,nul-byte\n");
    expect("--truth sub/truth.csv --entities entities.csv", 3, "no mentions");
    write_file("sub/truth.csv", "reference,kind,true_id,role\nniche:A/1,person,P1,x,extra\n");
    expect("--truth sub/truth.csv --entities entities.csv", 3, "line 2: malformed row (wrong-column-count)");
    free(sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked_figures),
        cmocka_unit_test(test_perfect),
        cmocka_unit_test(test_text_and_max_list),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
