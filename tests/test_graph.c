/*
 * test_graph.c - the graph build on the hand-made force of query_fixture.h:
 * edges from relations (both ends, aggregated counts, dates, sources), from
 * Niche occurrence joins and from households (parent-of only within 14-60
 * years), card flags and agenda figures, analytics lists, a rebuild giving
 * the same graph, and the edge / card codecs' strictness and size limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <msgpack.h>

#include "graph/analytics.h"
#include "graph/graphdb.h"
#include "query_fixture.h"

typedef struct ctx {
    fx_store *f;
    cpi_txn *txn;
    cpi_arena arena;
} ctx;

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    c->f = fx_open();
    if (!c->f)
        return -1;
    cpi_error err = {0};
    if (cpi_store_read_begin(c->f->st, &c->txn, &err))
        return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    cpi_txn_end(c->txn);
    fx_close(c->f);
    cpi_arena_free(&c->arena);
    free(c);
    return 0;
}

/* The edge of `id` of this type to `other` in the given direction, or NULL. */
static const cpi_edge *edge(ctx *c, const char *id, const char *type, const char *other, bool out)
{
    cpi_edge *es;
    uint32_t n, total;
    cpi_error err = {0};
    assert_int_equal(cpi_graph_edges(c->txn, id, UINT32_MAX, &c->arena, &es, &n, &total, &err), CPI_OK);
    assert_int_equal(n, total);
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(es[i].type, type) == 0 && strcmp(es[i].other, other) == 0 && es[i].out == out)
            return &es[i];
    return NULL;
}

static bool has_ref(const cpi_edge *e, const char *ref)
{
    for (uint32_t i = 0; i < e->nrefs; i++)
        if (strcmp(e->refs[i], ref) == 0)
            return true;
    return false;
}

static void test_relation_edges_both_ends(void **state)
{
    ctx *c = *state;
    /* poses-risk-to Dean -> Sian: said by MIRAF and MACE, so two records, two sources */
    const cpi_edge *e = edge(c, "P-0000002", "poses-risk-to", "P-0000001", true);
    assert_non_null(e);
    assert_int_equal(e->count, 2);
    assert_int_equal(e->sources, CPI_SRC_BIT(CPI_SRC_MIRAF) | CPI_SRC_BIT(CPI_SRC_MACE));
    assert_int_equal(e->first, fx_day("2023-06-12"));
    assert_int_equal(e->last, fx_day("2023-07-01"));
    assert_true(has_ref(e, "miraf:MF-2023-000001") && has_ref(e, "mace:MACE-0000001"));
    assert_string_equal(e->refs[0], "mace:MACE-0000001"); /* most recent first */
    /* the same edge under the other end, pointing back */
    const cpi_edge *back = edge(c, "P-0000001", "poses-risk-to", "P-0000002", false);
    assert_non_null(back);
    assert_int_equal(back->count, 2);
    assert_true(back->other_flags & CPI_EF(CPI_EF_MIRAF_RISK));
    assert_true(e->other_flags & CPI_EF(CPI_EF_CHILD));
    /* the CAWN is dated by its own column */
    e = edge(c, "P-0000002", "cawn-served", "P-0000001", true);
    assert_non_null(e);
    assert_int_equal(e->first, fx_day("2023-05-01"));
    /* found-at keeps how many times the form says, per place */
    e = edge(c, "P-0000001", "found-at", "L-0000002", true);
    assert_non_null(e);
    assert_int_equal(e->times, 5);
    e = edge(c, "P-0000001", "found-at", "L-0000003", true);
    assert_non_null(e);
    assert_int_equal(e->times, 1);
    /* one record naming Dean twice supports Dean -> Lily once; his two mentions never link to himself */
    e = edge(c, "P-0000002", "poses-risk-to", "P-0000003", true);
    assert_non_null(e);
    assert_int_equal(e->count, 2); /* MF-2023-000002 and SOC-000001 */
    assert_null(edge(c, "P-0000002", "associate-of", "P-0000002", true));
    assert_null(edge(c, "P-0000002", "associate-of", "P-0000002", false));
    /* lives-at from three records (Niche link, PPN, MIRAF) and MARAC's for the mother */
    e = edge(c, "P-0000001", "lives-at", "L-0000001", true);
    assert_non_null(e);
    assert_int_equal(e->count, 3);
    assert_true(e->current);
}

static void test_occurrence_edges(void **state)
{
    ctx *c = *state;
    const cpi_edge *e = edge(c, "P-0000002", "suspect-against", "P-0000001", true);
    assert_non_null(e);
    assert_true(has_ref(e, "niche:OCC-23-000001"));
    assert_non_null(edge(c, "P-0000001", "victim-in", "L-0000002", true));
    e = edge(c, "P-0000002", "suspect-in", "L-0000002", true);
    assert_non_null(e);
    assert_true(has_ref(e, "niche:ONL-0000002") && has_ref(e, "niche:OCC-23-000001"));
    /* no edge between the two people other than the ones the records and the join give */
    assert_null(edge(c, "P-0000001", "suspect-against", "P-0000002", true));
    assert_int_equal(c->f->gs.occurrence_links_unmatched, 0);
    /* the review pair: an edge for profiles, supported by the two mentions, probability in thousandths */
    const cpi_edge *pm = edge(c, "P-0000001", "possible-match", "P-0000009", true);
    assert_non_null(pm);
    assert_int_equal(pm->times, 620);
    assert_true(has_ref(pm, "niche:NOM-0000001/1") && has_ref(pm, "niche:NOM-0000009/1"));
    assert_int_equal(c->f->gs.possible_matches, 1);
}

static void test_household_edges(void **state)
{
    ctx *c = *state;
    /* Kelly (1985) and Sian (2010) share L-1: household and parent-of */
    assert_non_null(edge(c, "P-0000001", "household-member", "P-0000004", true));
    const cpi_edge *p = edge(c, "P-0000004", "parent-of", "P-0000001", true);
    assert_non_null(p);
    /* Gareth (1950) lives there too: a household member, but 60+ years older, so never a parent */
    assert_non_null(edge(c, "P-0000001", "household-member", "P-0000008", true));
    assert_null(edge(c, "P-0000008", "parent-of", "P-0000001", true));
    /* the recorded MARAC household-member stays as recorded: child -> victim */
    const cpi_edge *m = edge(c, "P-0000001", "household-member", "P-0000004", true);
    assert_true(m->sources & CPI_SRC_BIT(CPI_SRC_MARAC));
    assert_true(m->sources & CPI_SRC_BIT(CPI_SRC_NICHE));
}

static void test_cards(void **state)
{
    ctx *c = *state;
    cpi_card k;
    cpi_error err = {0};
    assert_int_equal(cpi_card_get(c->txn, "P-0000001", &c->arena, &k, &err), CPI_OK);
    assert_string_equal(k.name, "Siân PRYCE"); /* the Niche nominal's spelling wins */
    assert_string_equal(k.dob, "2010-04-03");
    uint64_t want = CPI_EF(CPI_EF_CHILD) | CPI_EF(CPI_EF_CPP) | CPI_EF(CPI_EF_MISSING) | CPI_EF(CPI_EF_MACE_CHILD) |
                    CPI_EF(CPI_EF_MARAC_CHILD) | CPI_EF(CPI_EF_PPN) | CPI_EF(CPI_EF_PPN_UNSHARED) |
                    CPI_EF(CPI_EF_VICTIM);
    assert_int_equal(k.flags, want);
    assert_int_equal(k.mace_risk, 3);
    assert_int_equal(k.seraf, 30);
    assert_true(k.mace_unflagged);
    assert_int_equal(k.miraf_grade, 3);
    assert_int_equal(k.episodes, 7);
    assert_int_equal(k.last_missing, fx_day("2023-06-10"));
    assert_int_equal(k.risky_reach, 3); /* Dean, Mark (MARAC), Gareth (RSO, household) */
    assert_int_equal(k.sources, CPI_SRC_BIT(CPI_SRC_NICHE) | CPI_SRC_BIT(CPI_SRC_MIRAF) | CPI_SRC_BIT(CPI_SRC_MACE) |
                                    CPI_SRC_BIT(CPI_SRC_MARAC));
    assert_int_equal(cpi_card_get(c->txn, "P-0000002", &c->arena, &k, &err), CPI_OK);
    assert_true(cpi_flags_risky(k.flags));
    assert_true(k.flags & CPI_EF(CPI_EF_CAWN));
    assert_true(k.flags & CPI_EF(CPI_EF_SUSPECT));
    assert_int_equal(k.reach, 2); /* Sian and Lily */
    assert_int_equal(cpi_card_get(c->txn, "L-0000003", &c->arena, &k, &err), CPI_OK);
    assert_true(k.flags & CPI_EF(CPI_EF_PLACE_OF_CONCERN));
    assert_true(k.flags & CPI_EF(CPI_EF_FOUND_AT));
    assert_int_equal(cpi_card_get(c->txn, "L-0000001", &c->arena, &k, &err), CPI_OK);
    assert_true(k.flags & CPI_EF(CPI_EF_HOME));
    assert_true(k.flags & CPI_EF(CPI_EF_MARAC_ADDRESS));
    assert_int_equal(cpi_card_get(c->txn, "T-0000001", &c->arena, &k, &err), CPI_OK);
    assert_true(k.flags & CPI_EF(CPI_EF_RISK_PHONE));
    assert_int_equal(cpi_card_get(c->txn, "P-0000077", &c->arena, &k, &err), CPI_NOT_FOUND);
    assert_int_equal(c->f->gs.unresolved, 1); /* niche:NOM-0000099/1 */
}

static void test_analytics_lists(void **state)
{
    ctx *c = *state;
    cpi_error err = {0};
    cpi_aitem *it;
    uint32_t n;
    assert_int_equal(cpi_analytics_list(c->txn, CPI_ALIST_HOT_FOUND, &c->arena, &it, &n, &err), CPI_OK);
    assert_true(n >= 2);
    assert_string_equal(it[0].id, "L-0000002"); /* Sian and Lily were found there */
    assert_int_equal(it[0].n1, 2);
    assert_int_equal(it[0].n2, 5);
    assert_int_equal(cpi_analytics_list(c->txn, CPI_ALIST_CENTRAL, &c->arena, &it, &n, &err), CPI_OK);
    assert_true(n >= 1);
    assert_string_equal(it[0].id, "P-0000002");
    assert_int_equal(it[0].n1, 2);
    cpi_asummary sum;
    assert_int_equal(cpi_analytics_summary(c->txn, &sum, &err), CPI_OK);
    assert_int_equal(sum.entities, c->f->gs.entities);
    assert_int_equal(sum.as_of, fx_day("2024-01-01"));
    assert_true(sum.components >= 1);
}

static void test_rebuild_is_the_same(void **state)
{
    ctx *c = *state;
    uint64_t before, after;
    cpi_error err = {0};
    assert_int_equal(cpi_txn_count(c->txn, CPI_DB_EDGES, &before, &err), CPI_OK);
    cpi_txn_end(c->txn);
    cpi_graph_stats gs;
    assert_int_equal(cpi_graph_build(c->f->st, NULL, &gs, &err), CPI_OK);
    assert_int_equal(gs.edges, c->f->gs.edges);
    assert_int_equal(cpi_store_read_begin(c->f->st, &c->txn, &err), CPI_OK);
    assert_int_equal(cpi_txn_count(c->txn, CPI_DB_EDGES, &after, &err), CPI_OK);
    assert_int_equal(before, after);
    assert_int_equal(after, 2 * gs.edges); /* every edge under both ends */
}

/* A typed read (seeking each type's run of values) finds exactly what a full read filtered by type finds. */
static void test_typed_read_matches_full(void **state)
{
    ctx *c = *state;
    static const char *const sets[][6] = {{"lives-at", NULL},
                                          {"found-at", "frequents", "lives-at", "operates-from", NULL},
                                          {"poses-risk-to", "cawn-served", "suspect-against", "household-member", NULL},
                                          {"uses-phone", "suspect-in", "victim-in", "parent-of", NULL},
                                          {"no-such-type", NULL}};
    static const char *const ids[] = {"P-0000001", "P-0000002", "P-0000003", "P-0000004", "P-0000008",
                                      "L-0000001", "L-0000002", "L-0000003", "T-0000001"};
    cpi_error err = {0};
    uint32_t seen_any = 0;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        cpi_edge *all, *some;
        uint32_t nall, tall, nsome, tsome;
        assert_int_equal(cpi_graph_edges(c->txn, ids[i], UINT32_MAX, &c->arena, &all, &nall, &tall, &err), CPI_OK);
        for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
            assert_int_equal(cpi_graph_edges_light(c->txn, ids[i], sets[k], UINT32_MAX, &c->arena, &some, &nsome,
                                                   &tsome, &err), CPI_OK);
            uint32_t want = 0;
            for (uint32_t e = 0; e < nall; e++)
                for (const char *const *t = sets[k]; *t; t++)
                    if (strcmp(all[e].type, *t) == 0) {
                        want++;
                        bool found = false;
                        for (uint32_t f = 0; f < nsome; f++)
                            found |= strcmp(some[f].type, *t) == 0 && strcmp(some[f].other, all[e].other) == 0 &&
                                     some[f].out == all[e].out && some[f].count == all[e].count;
                        assert_true(found);
                    }
            assert_int_equal(nsome, want);
            assert_int_equal(tsome, want);
            seen_any += nsome;
            for (uint32_t f = 0; f < nsome; f++) { /* references skipped, and filled on demand */
                assert_int_equal(some[f].nrefs, 0);
                assert_int_equal(cpi_edge_fill_refs(&some[f], ids[i], &c->arena, &err), CPI_OK);
                assert_true(some[f].nrefs >= 1);
            }
        }
        /* max bounds a typed read */
        assert_int_equal(cpi_graph_edges_light(c->txn, ids[i], sets[1], 1, &c->arena, &some, &nsome, &tsome, &err),
                         CPI_OK);
        assert_true(nsome <= 1 && tsome <= 1);
    }
    assert_true(seen_any > 20);
}

static void test_edge_codec(void **state)
{
    (void)state;
    cpi_arena a = {0};
    cpi_error err = {0};
    char buf[CPI_EDGE_VALUE_MAX];
    size_t len;
    char r0[80], r1[80], r2[80], r3[80];
    /* long references: four do not fit in 511 bytes, so refs are dropped and `more` set */
    memset(r0, 'a', 70), memcpy(r0, "niche:", 6), r0[70] = 0;
    memcpy(r1, r0, 71), r1[7] = 'b';
    memcpy(r2, r0, 71), r2[7] = 'c';
    memcpy(r3, r0, 71), r3[7] = 'd';
    cpi_edge e = {.type = "poses-risk-to", .other = "P-0000002", .out = true, .first = 100, .last = 200, .count = 9,
                  .times = 9, .sources = 3, .other_flags = CPI_EF(CPI_EF_RSO), .refs = {r0, r1, r2, r3}, .nrefs = 4};
    assert_int_equal(cpi_edge_encode(&e, buf, sizeof buf, &len, &err), CPI_OK);
    assert_true(len <= 511);
    cpi_edge d;
    assert_int_equal(cpi_edge_decode("P-1", buf, len, &a, &d, &err), CPI_OK);
    assert_string_equal(d.type, "poses-risk-to");
    assert_int_equal(d.count, 9);
    assert_int_equal(d.first, 100);
    assert_int_equal(d.other_flags, CPI_EF(CPI_EF_RSO));
    assert_int_equal(d.nrefs, 4);
    assert_false(d.more);
    /* 8 long refs would not fit: the encoder keeps what fits and says there are more */
    char big[6][200];
    for (int i = 0; i < 4; i++) {
        memset(big[i], 'x', 150);
        memcpy(big[i], "soc:", 4);
        big[i][150] = 0;
        e.refs[i] = big[i];
    }
    assert_int_equal(cpi_edge_encode(&e, buf, sizeof buf, &len, &err), CPI_OK);
    assert_int_equal(cpi_edge_decode("P-1", buf, len, &a, &d, &err), CPI_OK);
    assert_true(d.nrefs < 4);
    assert_true(d.more);
    /* an unknown field is refused, naming the key */
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str(&pk, 2);
    msgpack_pack_str_body(&pk, "zz", 2);
    msgpack_pack_int(&pk, 1);
    assert_int_equal(cpi_edge_decode("P-1", sb.data, sb.size, &a, &d, &err), CPI_ERR_STORE);
    assert_non_null(strstr(err.msg, "P-1"));
    assert_non_null(strstr(err.msg, "zz"));
    /* extremes survive: a day before 1970, flags in the top bit, counts at their limits */
    e = (cpi_edge){.type = "lives-at", .other = "L-0000001", .current = true, .first = -40000, .last = INT32_MAX,
                   .count = UINT32_MAX, .times = 0, .sources = CPI_SRC_ALL, .other_flags = 1ull << 63 | 5,
                   .refs = {"niche:NLL-0000001"}, .nrefs = 1};
    assert_int_equal(cpi_edge_encode(&e, buf, sizeof buf, &len, &err), CPI_OK);
    assert_int_equal(cpi_edge_decode("P-1", buf, len, &a, &d, &err), CPI_OK);
    assert_int_equal(d.first, -40000);
    assert_int_equal(d.last, INT32_MAX);
    assert_int_equal(d.count, UINT32_MAX);
    assert_true(d.other_flags == (1ull << 63 | 5));
    assert_true(d.current && !d.out);
    assert_string_equal(d.refs[0], "niche:NLL-0000001");
    /* every truncation, and a trailing byte, are refused */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(cpi_edge_decode("P-1", buf, cut, &a, &d, &err), CPI_ERR_STORE);
    buf[len] = (char)0xc0;
    assert_int_equal(cpi_edge_decode("P-1", buf, len + 1, &a, &d, &err), CPI_ERR_STORE);
    assert_non_null(strstr(err.msg, "trailing"));
    msgpack_sbuffer_destroy(&sb);
    cpi_arena_free(&a);
}

static void test_card_codec(void **state)
{
    (void)state;
    cpi_arena a = {0};
    cpi_error err = {0};
    cpi_card k = {.id = "P-0000042", .kind = CPI_KIND_PERSON, .name = "Lily Price", .dob = "2011-02-01",
                  .flags = CPI_EF(CPI_EF_CHILD) | CPI_EF(CPI_EF_MISSING), .sources = 6, .nmentions = 3,
                  .first = -5, .last = 19000, .mace_risk = 2, .seraf = -1, .mace_day = CPI_DAY_NONE,
                  .miraf_grade = 1, .episodes = 4, .last_missing = 18999, .degree = 7, .component = 1,
                  .community = 12, .reach = 0, .risky_reach = 2};
    char *buf;
    size_t len;
    assert_int_equal(cpi_card_encode(&k, &buf, &len, &err), CPI_OK);
    cpi_card d;
    assert_int_equal(cpi_card_decode("P-0000042", buf, len, &a, &d, &err), CPI_OK);
    assert_string_equal(d.name, "Lily Price");
    assert_string_equal(d.dob, "2011-02-01");
    assert_null(d.postcode);
    assert_int_equal(d.flags, k.flags);
    assert_int_equal(d.seraf, -1);
    assert_int_equal(d.mace_day, CPI_DAY_NONE);
    assert_int_equal(d.first, -5);
    assert_int_equal(d.community, 12);
    assert_int_equal(d.risky_reach, 2);
    for (size_t cut = 0; cut < len; cut++) /* every truncation refused */
        assert_int_not_equal(cpi_card_decode("P-0000042", buf, cut, &a, &d, &err), CPI_OK);
    free(buf);
    cpi_arena_free(&a);
}

static void test_entity_id_kind(void **state)
{
    (void)state;
    assert_int_equal(cpi_entity_id_kind("P-0000001"), CPI_KIND_PERSON);
    assert_int_equal(cpi_entity_id_kind("L-1"), CPI_KIND_LOCATION);
    assert_int_equal(cpi_entity_id_kind("T-0000001"), CPI_KIND_PHONE);
    assert_int_equal(cpi_entity_id_kind("O-0000001"), CPI_KIND_ONLINE);
    assert_int_equal(cpi_entity_id_kind("X-0000001"), 0);
    assert_int_equal(cpi_entity_id_kind("P-"), 0);
    assert_int_equal(cpi_entity_id_kind("P-12a"), 0);
    assert_int_equal(cpi_entity_id_kind("niche:NOM-1"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_relation_edges_both_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_occurrence_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_household_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analytics_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rebuild_is_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_read_matches_full, setup, teardown),
        cmocka_unit_test(test_edge_codec),
        cmocka_unit_test(test_card_codec),
        cmocka_unit_test(test_entity_id_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
