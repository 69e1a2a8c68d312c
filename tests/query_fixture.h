/*
 * query_fixture.h - a small hand-made force for the query tests, with every
 * answer known: records as the silo adapters would store them, resolved by
 * hand (ENTITY_OF / MEMBERS written directly), then the graph built.
 *
 *   P-0000001 Siân Pryce, child, 2010-04-03. Niche nominal NOM-0000001 with a
 *             CPP marker and a PPN not shared with social care; missing (MIRAF
 *             MF-2023-000001: HIGH, 7 episodes, no prevention interview; found
 *             at L-0000002 five times and L-0000003 once); MACE-0000001 (CSE,
 *             HIGH, SERAF 30, not flagged on Niche); in MARAC case MRC-000001's
 *             household; victim in occurrence OCC-23-000001 at L-0000002.
 *   P-0000002 Dean Morgan, adult (approx 30): poses a risk to P-1 (MIRAF and
 *             MACE), CAWN served about P-1, suspect in OCC-23-000001, phone
 *             T-0000001; poses a risk to P-0000003 too (MIRAF MF-2023-000002, and
 *             SOC-000001, where he is named twice: by name and by street name).
 *   P-0000003 Lily Price, child 2011-02-01: missing, found at L-0000002.
 *   P-0000004 Kelly Pryce, 1985-06-01: P-1's mother, MARAC victim, lives at L-1.
 *   P-0000005 Mark Evans: MARAC perpetrator only (restricted).
 *   P-0000008 Gareth Hughes, 1950-01-01: RSO, lives at L-0000001 (Niche).
 *   P-0000009 Siân Pryce, child, 2012-01-01: a second child of the same name.
 *   L-0000001 14 Heol y Coed, Bettws NP20 6PL (home); L-0000002 Bus Station,
 *   Cwmbran NP44 1PU; L-0000003 Chicken Palace, Commercial Street, Newport
 *   NP20 1LT (MACE location of concern). T-0000001 07700 900123.
 *   niche:NOM-0000099/1 is a nominal no entity was made for (unresolved).
 *   The resolver left P-1's and P-9's nominals as a possible match (p 0.62).
 */
#ifndef CPI_QUERY_FIXTURE_H
#define CPI_QUERY_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <msgpack.h>

#include "core/normalise/normalise.h"
#include "core/store.h"
#include "graph/graph.h"
#include "render/jsonw.h"
#include "testutil.h"

#define FX_MAX 16

typedef struct fx_mention {
    cpi_kind kind;
    const char *role;
    const char *entity; /* NULL: left unresolved */
    const char *raw[FX_MAX];  /* key, value, ..., NULL */
    const char *keys[FX_MAX]; /* key, value, ..., NULL */
} fx_mention;

typedef struct fx_rel {
    const char *type;
    uint32_t from, to;
    const char *day; /* yyyy-mm-dd or NULL */
} fx_rel;

static int32_t fx_day(const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3)
        return CPI_DAY_NONE;
    return cpi_norm_days_from_ymd(y, m, d);
}

static cpi_kvlist fx_kv(cpi_kv *buf, const char *const *pairs)
{
    uint32_t n = 0;
    for (; pairs && pairs[2 * n]; n++)
        buf[n] = (cpi_kv){pairs[2 * n], pairs[2 * n + 1]};
    return (cpi_kvlist){buf, n};
}

static cpi_status fx_record(cpi_txn *txn, const char *ref, const char *type, const char *day, const char *const *facts,
                            const fx_mention *ms, uint32_t nm, const fx_rel *rels, uint32_t nr, cpi_error *err)
{
    cpi_kv fbuf[FX_MAX], raw[8][FX_MAX], keys[8][FX_MAX];
    cpi_mention m[8];
    cpi_relation r[8];
    for (uint32_t i = 0; i < nm; i++)
        m[i] = (cpi_mention){ms[i].kind, ms[i].role, fx_kv(raw[i], ms[i].raw), fx_kv(keys[i], ms[i].keys)};
    for (uint32_t i = 0; i < nr; i++)
        r[i] = (cpi_relation){rels[i].type, rels[i].from, rels[i].to, fx_day(rels[i].day)};
    cpi_record rec = {.ref = ref, .type = type, .day = fx_day(day), .facts = fx_kv(fbuf, facts), .mentions = m,
                      .nmentions = nm, .relations = r, .nrelations = nr};
    rec.prov.file = "fixture.csv";
    rec.prov.line = 2;
    rec.prov.ingest_time = 1700000000;
    for (size_t i = 0; i < strlen(ref); i++)
        rec.prov.hash[i % 32] ^= (uint8_t)ref[i];
    cpi_put_result pr;
    cpi_status s = cpi_store_put_record(txn, &rec, &pr, err);
    char mref[CPI_REF_MAX + 8];
    for (uint32_t i = 0; i < nm && !s; i++) {
        if (!ms[i].entity)
            continue;
        int n = snprintf(mref, sizeof mref, "%s/%u", ref, i + 1);
        s = cpi_txn_put(txn, CPI_DB_ENTITY_OF, mref, (size_t)n, ms[i].entity, strlen(ms[i].entity), err);
        if (!s)
            s = cpi_txn_put(txn, CPI_DB_MEMBERS, ms[i].entity, strlen(ms[i].entity), mref, (size_t)n, err);
    }
    return s;
}

/* A record with relations (FXR) or without (FX). */
#define FXR(ref, type, day, facts, ms, rels)                                                                 \
    do {                                                                                                     \
        cpi_status s_ = fx_record(txn, ref, type, day, facts, ms, sizeof(ms) / sizeof(ms[0]), rels,          \
                                  (uint32_t)(sizeof(rels) / sizeof(fx_rel)), err);                           \
        if (s_)                                                                                              \
            return s_;                                                                                       \
    } while (0)
#define FX(ref, type, day, facts, ms)                                                                        \
    do {                                                                                                     \
        cpi_status s_ = fx_record(txn, ref, type, day, facts, ms, sizeof(ms) / sizeof(ms[0]), NULL, 0, err); \
        if (s_)                                                                                              \
            return s_;                                                                                       \
    } while (0)

/* Sian's identity keys, as the ingest key builder makes them. */
#define SIAN_KEYS(dob) {"fn", "sian", "nn", "sian", "sn", "pryce", "dob", dob, NULL}

static cpi_status fx_write(cpi_txn *txn, void *ctx, cpi_error *err)
{
    (void)ctx;
    /* ---- Niche ---- */
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "nominal", "P-0000001",
                            {"nominal_id", "NOM-0000001", "surname", "PRYCE", "forenames", "Siân", "dob", "03/04/2010",
                             "gender", "F", NULL},
                            {"nid", "NOM-0000001", "fn", "sian", "nn", "sian", "sn", "pryce", "dob", "2010-04-03",
                             "gender", "f", NULL}}};
        const char *facts[] = {"created", "01/02/2019", NULL};
        FX("niche:NOM-0000001", "nominal", "2019-02-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "nominal", "P-0000009",
                            {"nominal_id", "NOM-0000009", "surname", "Pryce", "forenames", "Sian", "dob", "01/01/2012",
                             NULL},
                            {"nid", "NOM-0000009", "fn", "sian", "nn", "sian", "sn", "pryce", "dob", "2012-01-01", NULL}}};
        const char *facts[] = {NULL};
        FX("niche:NOM-0000009", "nominal", "2020-05-05", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "nominal", NULL, {"nominal_id", "NOM-0000099", "surname", "Pryce",
                                                              "forenames", "Sian", NULL},
                            {"nid", "NOM-0000099", "fn", "sian", "sn", "pryce", NULL}}};
        const char *facts[] = {NULL};
        FX("niche:NOM-0000099", "nominal", "2024-01-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "nominal", "P-0000008",
                            {"nominal_id", "NOM-0000008", "surname", "HUGHES", "forenames", "Gareth", "dob",
                             "01/01/1950", NULL},
                            {"nid", "NOM-0000008", "fn", "gareth", "sn", "hughes", "dob", "1950-01-01", NULL}}};
        const char *facts[] = {NULL};
        FX("niche:NOM-0000008", "nominal", "2019-01-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "nominal", "P-0000004",
                            {"nominal_id", "NOM-0000004", "surname", "PRYCE", "forenames", "Kelly", "dob",
                             "01/06/1985", NULL},
                            {"nid", "NOM-0000004", "fn", "kelly", "sn", "pryce", "dob", "1985-06-01", NULL}}};
        const char *facts[] = {NULL};
        FX("niche:NOM-0000004", "nominal", "2019-01-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_LOCATION, "location", "L-0000001",
                            {"location_id", "LOC-0000001", "address", "14 Heol y Coed, Bettws", "postcode",
                             "NP20 6PL", "place_type", "HOME", NULL},
                            {"lid", "LOC-0000001", "addr", "|14|heol y coed", "pc", "NP20 6PL", NULL}}};
        const char *facts[] = {NULL};
        FX("niche:LOC-0000001", "location", "2019-01-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_LOCATION, "location", "L-0000002",
                            {"location_id", "LOC-0000002", "place_name", "Bus Station", "address", "Cwmbran",
                             "postcode", "NP44 1PU", "place_type", "STATION", NULL},
                            {"lid", "LOC-0000002", "pc", "NP44 1PU", NULL}}};
        const char *facts[] = {NULL};
        FX("niche:LOC-0000002", "location", "2019-01-01", facts, ms);
    }
    /* warnings: a CPP on the child, RSO on Gareth */
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "warning-subject", "P-0000001", {"nominal_id", "NOM-0000001", NULL},
                            {"nid", "NOM-0000001", NULL}}};
        const char *facts[] = {"start_date", "05/05/2022", "warning_type", "CHILD PROTECTION PLAN", NULL};
        FX("niche:WRN-0000001", "warning", "2022-05-05", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "warning-subject", "P-0000008", {"nominal_id", "NOM-0000008", NULL},
                            {"nid", "NOM-0000008", NULL}}};
        const char *facts[] = {"start_date", "01/01/2019", "warning_type", "REGISTERED SEX OFFENDER", NULL};
        FX("niche:WRN-0000002", "warning", "2019-01-01", facts, ms);
    }
    /* who lives at L-1: the child, her mother, and the RSO */
    {
        const char *ids[3][2] = {{"niche:NLL-0000001", "P-0000001"}, {"niche:NLL-0000004", "P-0000004"},
                                 {"niche:NLL-0000008", "P-0000008"}};
        for (int i = 0; i < 3; i++) {
            fx_mention ms[] = {{CPI_KIND_PERSON, "nominal", ids[i][1], {"nominal_id", "NOM", NULL}, {NULL}},
                               {CPI_KIND_LOCATION, "linked-address", "L-0000001", {"location_id", "LOC-0000001", NULL},
                                {"lid", "LOC-0000001", NULL}}};
            fx_rel rels[] = {{"lives-at", 1, 2, "2021-01-01"}};
            const char *facts[] = {"link_type", "HOME", NULL};
            FXR(ids[i][0], "nominal-location", "2021-01-01", facts, ms, rels);
        }
    }
    /* a PPN never shared */
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "ppn-subject", "P-0000001",
                            {"surname", "Pryce", "forenames", "Sian", NULL}, SIAN_KEYS("2010-04-03")},
                           {CPI_KIND_LOCATION, "ppn-address", "L-0000001", {"location_id", "LOC-0000001", NULL},
                            {"lid", "LOC-0000001", NULL}}};
        fx_rel rels[] = {{"lives-at", 1, 2, NULL}};
        const char *facts[] = {"concern", "CSE", "risk", "HIGH", "shared_with_social_care", "N", NULL};
        FXR("niche:PPN-0000001", "ppn", "2023-02-01", facts, ms, rels);
    }
    /* occurrence OCC-23-000001 at the bus station: Sian victim, Dean suspect */
    {
        fx_mention ms[] = {{CPI_KIND_LOCATION, "occurrence-location", "L-0000002",
                            {"location_id", "LOC-0000002", NULL}, {"lid", "LOC-0000002", NULL}}};
        const char *facts[] = {"classification", "CSE CONCERN", NULL};
        FX("niche:OCC-23-000001", "occurrence", "2023-03-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "occurrence-nominal", "P-0000001", {"nominal_id", "NOM-0000001", NULL},
                            {"nid", "NOM-0000001", NULL}}};
        const char *facts[] = {"urn", "OCC-23-000001", "involvement", "VICTIM", NULL};
        FX("niche:ONL-0000001", "occurrence-nominal", "2023-03-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "occurrence-nominal", "P-0000002", {"nominal_id", "NOM-0000002", NULL},
                            {"nid", "NOM-0000002", NULL}}};
        const char *facts[] = {"urn", "OCC-23-000001", "involvement", "SUSPECT", NULL};
        FX("niche:ONL-0000002", "occurrence-nominal", "2023-03-01", facts, ms);
    }
    /* ---- MIRAF: Sian's form ---- */
    {
        fx_mention ms[] = {
            {CPI_KIND_PERSON, "missing-child", "P-0000001", {"forenames", "Siân", "surname", "Pryce", NULL},
             SIAN_KEYS("2010-04-03")},
            {CPI_KIND_LOCATION, "home-address", "L-0000001", {"address", "14 Heol y Coed, Bettws", NULL},
             {"pc", "NP20 6PL", NULL}},
            {CPI_KIND_PERSON, "person-posing-risk", "P-0000002", {"name", "Dean Morgan", "dob", "approx 30", NULL},
             {"fn", "dean", "sn", "morgan", "dob_lo", "1992-06-02", "dob_hi", "1993-06-01", NULL}},
            {CPI_KIND_PHONE, "risk-person-phone", "T-0000001", {"phone", "07700 900123", NULL},
             {"tel", "+447700900123", NULL}},
            {CPI_KIND_LOCATION, "found-at", "L-0000002", {"address", "Bus Station, Cwmbran", NULL},
             {"pc", "NP44 1PU", NULL}},
            {CPI_KIND_LOCATION, "found-at", "L-0000003", {"address", "Chicken Palace, Commercial Street, Newport", NULL},
             {"pc", "NP20 1LT", NULL}},
        };
        fx_rel rels[] = {{"lives-at", 1, 2, NULL},     {"poses-risk-to", 3, 1, NULL}, {"uses-phone", 3, 4, NULL},
                         {"cawn-served", 3, 1, "2023-05-01"}, {"found-at", 1, 5, NULL}, {"found-at", 1, 6, NULL}};
        const char *facts[] = {"looked_after", "N", "risk_grading", "HIGH", "episodes", "7", "last_missing_date",
                               "2023-06-10", "found_1_count", "5", "found_2_count", "1", "interview_1_type", "RHI",
                               "interview_1_done", "Y", NULL};
        FXR("miraf:MF-2023-000001", "miraf-form", "2023-06-12", facts, ms, rels);
    }
    /* ---- MIRAF: Lily's form, the same man ---- */
    {
        fx_mention ms[] = {
            {CPI_KIND_PERSON, "missing-child", "P-0000003", {"forenames", "Lily", "surname", "Price", NULL},
             {"fn", "lily", "sn", "price", "dob", "2011-02-01", NULL}},
            {CPI_KIND_PERSON, "person-posing-risk", "P-0000002", {"name", "Dean Morgan", NULL},
             {"fn", "dean", "sn", "morgan", NULL}},
            {CPI_KIND_LOCATION, "found-at", "L-0000002", {"address", "Bus Station, Cwmbran", NULL},
             {"pc", "NP44 1PU", NULL}},
        };
        fx_rel rels[] = {{"poses-risk-to", 2, 1, NULL}, {"found-at", 1, 3, NULL}};
        const char *facts[] = {"risk_grading", "MEDIUM", "episodes", "2", "found_1_count", "2", NULL};
        FXR("miraf:MF-2023-000002", "miraf-form", "2023-04-01", facts, ms, rels);
    }
    /* ---- MACE ---- */
    {
        fx_mention ms[] = {
            {CPI_KIND_PERSON, "child-discussed", "P-0000001", {"name", "Sian PRYCE", NULL}, SIAN_KEYS("2010-04-03")},
            {CPI_KIND_PERSON, "adult-of-concern", "P-0000002", {"name", "Dean MORGAN", NULL},
             {"fn", "dean", "sn", "morgan", NULL}},
            {CPI_KIND_LOCATION, "location-of-concern", "L-0000003",
             {"address", "Chicken Palace, Commercial Street, Newport", NULL}, {"pc", "NP20 1LT", NULL}},
        };
        fx_rel rels[] = {{"poses-risk-to", 2, 1, NULL}, {"frequents", 1, 3, NULL}};
        const char *facts[] = {"meeting_ref", "MACE-EAST-20230701", "exploitation_type", "CSE", "risk_level", "HIGH",
                               "seraf_score", "30", "flagged_on_niche", "No", NULL};
        FXR("mace:MACE-0000001", "mace-child", "2023-07-01", facts, ms, rels);
    }
    /* ---- SOC: Dean twice (by name and by street name, one entity), and Lily ---- */
    {
        fx_mention ms[] = {
            {CPI_KIND_PERSON, "child-at-risk", "P-0000003", {"name", "Lily Price", NULL},
             {"fn", "lily", "sn", "price", NULL}},
            {CPI_KIND_PERSON, "group-member", "P-0000002", {"name", "Dean Morgan", NULL},
             {"fn", "dean", "sn", "morgan", NULL}},
            {CPI_KIND_PERSON, "group-member", "P-0000002", {"street_name", "Deano", NULL}, {"street", "deano", NULL}},
            {CPI_KIND_PHONE, "deal-line", "T-0000001", {"phone", "07700900123", NULL}, {"tel", "+447700900123", NULL}},
        };
        fx_rel rels[] = {{"poses-risk-to", 2, 1, NULL}, {"poses-risk-to", 3, 1, NULL}, {"associate-of", 3, 2, NULL},
                         {"uses-phone", 2, 4, NULL}};
        const char *facts[] = {"group_ref", "OCG-0001", "line_name", "Deano line", NULL};
        FXR("soc:SOC-000001", "soc-plan", "2023-08-01", facts, ms, rels);
    }
    /* ---- the resolver left the two Siân Pryces for review (resolve/write.c's value) ---- */
    {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 4);
        msgpack_pack_str(&pk, 1);
        msgpack_pack_str_body(&pk, "k", 1);
        msgpack_pack_uint8(&pk, CPI_KIND_PERSON);
        msgpack_pack_str(&pk, 1);
        msgpack_pack_str_body(&pk, "p", 1);
        msgpack_pack_double(&pk, 0.62);
        msgpack_pack_str(&pk, 1);
        msgpack_pack_str_body(&pk, "w", 1);
        msgpack_pack_double(&pk, 1.5);
        msgpack_pack_str(&pk, 1);
        msgpack_pack_str_body(&pk, "c", 1);
        msgpack_pack_true(&pk);
        static const char key[] = "niche:NOM-0000001/1\x1f" "niche:NOM-0000009/1";
        cpi_status s_ = cpi_txn_put(txn, CPI_DB_REVIEW, key, sizeof key - 1, sb.data, sb.size, err);
        msgpack_sbuffer_destroy(&sb);
        if (s_)
            return s_;
    }
    /* ---- MARAC (restricted) ---- */
    {
        fx_mention ms[] = {
            {CPI_KIND_PERSON, "victim", "P-0000004", {"name", "PRYCE, Kelly", NULL},
             {"fn", "kelly", "sn", "pryce", "dob", "1985-06-01", NULL}},
            {CPI_KIND_LOCATION, "victim-address", "L-0000001", {"address", "14 Heol y Coed, Bettws", NULL},
             {"pc", "NP20 6PL", NULL}},
            {CPI_KIND_PERSON, "perpetrator", "P-0000005", {"name", "EVANS, Mark", NULL},
             {"fn", "mark", "sn", "evans", NULL}},
            {CPI_KIND_PERSON, "household-child", "P-0000001", {"name", "Sian", "age", "12", NULL},
             {"fn", "sian", "dob_lo", "2009-08-02", "dob_hi", "2010-08-01", NULL}},
        };
        fx_rel rels[] = {{"lives-at", 1, 2, NULL},
                         {"poses-risk-to", 3, 1, NULL},
                         {"household-member", 4, 1, NULL},
                         {"poses-risk-to", 3, 4, NULL}};
        const char *facts[] = {"dash_score", "18", "repeat_case", "N", NULL};
        FXR("marac:MRC-000001", "marac-case", "2022-08-01", facts, ms, rels);
    }
    return CPI_OK;
}

/*
 * More of the force, for the tests of search as people type it, warnings and
 * possible matches in lists (written after fx_write, before the graph):
 *   L-0000011 14 Heol y Coed, Caerphilly CF83 1AA: a trap house (Niche), the
 *             same number and street as L-0000001 in another town; OCG-0002
 *             operates from it (SOC-000002). L-0000012 14 Heol y Coed Isaf,
 *             Caerphilly CF83 1AB: a home on a street whose name starts alike.
 *   P-0000020 Gareth JONES, 1980-02-02: OCG-0002 member (SOC), poses a risk
 *             to P-0000009, who is a child at risk in that plan; a suspect
 *             in OCC-23-000001 (2023) and a victim in OCC-24-000002 (2024).
 *   P-0000021 Gareth Jones, 1980-02-02: a second entity for him (Niche
 *             nominal only, and a MIRAF person posing a risk to Lily, P-3);
 *             the resolver left P-20 and P-21 as a possible match (p 0.71).
 *   P-0000022 Mark EVANS, 1990-03-03: on Niche only; another man than the
 *             MARAC perpetrator P-0000005 of the same name.
 * So P-0000009 (a possible match of P-0000001) is on the agenda too.
 */
static cpi_status fx_write_more(cpi_txn *txn, void *ctx, cpi_error *err)
{
    (void)ctx;
    {
        fx_mention ms[] = {{CPI_KIND_LOCATION, "location", "L-0000011",
                            {"location_id", "LOC-0000011", "address", "14 Heol y Coed, Caerphilly", "postcode",
                             "CF83 1AA", "place_type", "TRAP HOUSE", NULL},
                            {"lid", "LOC-0000011", "addr", "|14|heol y coed", "pc", "CF83 1AA", NULL}}};
        const char *facts[] = {"local_authority", "Caerphilly", NULL};
        FX("niche:LOC-0000011", "location", "2022-01-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_LOCATION, "location", "L-0000012",
                            {"location_id", "LOC-0000012", "address", "14 Heol y Coed Isaf, Caerphilly", "postcode",
                             "CF83 1AB", "place_type", "HOME", NULL},
                            {"lid", "LOC-0000012", "addr", "|14|heol y coed isaf", "pc", "CF83 1AB", NULL}}};
        const char *facts[] = {"local_authority", "Caerphilly", NULL};
        FX("niche:LOC-0000012", "location", "2022-01-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "nominal", "P-0000020",
                            {"nominal_id", "NOM-0000020", "surname", "JONES", "forenames", "Gareth", "dob",
                             "02/02/1980", NULL},
                            {"nid", "NOM-0000020", "fn", "gareth", "sn", "jones", "dob", "1980-02-02", NULL}}};
        const char *facts[] = {NULL};
        FX("niche:NOM-0000020", "nominal", "2021-01-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "nominal", "P-0000022",
                            {"nominal_id", "NOM-0000022", "surname", "EVANS", "forenames", "Mark", "dob",
                             "03/03/1990", NULL},
                            {"nid", "NOM-0000022", "fn", "mark", "sn", "evans", "dob", "1990-03-03", NULL}}};
        const char *facts[] = {NULL};
        FX("niche:NOM-0000022", "nominal", "2021-06-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "nominal", "P-0000021",
                            {"nominal_id", "NOM-0000021", "surname", "Jones", "forenames", "Gareth", "dob",
                             "02/02/1980", NULL},
                            {"nid", "NOM-0000021", "fn", "gareth", "sn", "jones", "dob", "1980-02-02", NULL}}};
        const char *facts[] = {NULL};
        FX("niche:NOM-0000021", "nominal", "2020-01-01", facts, ms);
    }
    {
        fx_mention ms[] = {
            {CPI_KIND_PERSON, "child-at-risk", "P-0000009", {"name", "Sian Pryce", "dob", "01/01/2012", NULL},
             {"fn", "sian", "sn", "pryce", "dob", "2012-01-01", NULL}},
            {CPI_KIND_PERSON, "group-member", "P-0000020", {"name", "Gareth Jones", NULL},
             {"fn", "gareth", "sn", "jones", NULL}},
            {CPI_KIND_LOCATION, "address-used", "L-0000011", {"address", "14 Heol y Coed, Caerphilly", NULL},
             {"addr", "|14|heol y coed", "pc", "CF83 1AA", NULL}},
        };
        fx_rel rels[] = {{"poses-risk-to", 2, 1, NULL}, {"operates-from", 2, 3, NULL}};
        const char *facts[] = {"group_ref", "OCG-0002", "line_name", "Jonesy line", "address_1_type", "TRAP HOUSE",
                               NULL};
        FXR("soc:SOC-000002", "soc-plan", "2023-09-01", facts, ms, rels);
    }
    {
        fx_mention ms[] = {
            {CPI_KIND_PERSON, "missing-child", "P-0000003", {"forenames", "Lily", "surname", "Price", NULL},
             {"fn", "lily", "sn", "price", "dob", "2011-02-01", NULL}},
            {CPI_KIND_PERSON, "person-posing-risk", "P-0000021", {"name", "Gareth Jones", NULL},
             {"fn", "gareth", "sn", "jones", NULL}},
        };
        fx_rel rels[] = {{"poses-risk-to", 2, 1, NULL}};
        const char *facts[] = {"risk_grading", "LOW", "episodes", "1", NULL};
        FXR("miraf:MF-2023-000003", "miraf-form", "2023-02-01", facts, ms, rels);
    }
    /* Gareth (P-20): a suspect in 2023, a victim since (a victim is not a risk flag: it comes after his own) */
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "occurrence-nominal", "P-0000020", {"nominal_id", "NOM-0000020", NULL},
                            {"nid", "NOM-0000020", NULL}}};
        const char *facts[] = {"urn", "OCC-23-000001", "involvement", "SUSPECT", NULL};
        FX("niche:ONL-0000020", "occurrence-nominal", "2023-03-01", facts, ms);
    }
    {
        fx_mention ms[] = {{CPI_KIND_PERSON, "occurrence-nominal", "P-0000020", {"nominal_id", "NOM-0000020", NULL},
                            {"nid", "NOM-0000020", NULL}}};
        const char *facts[] = {"urn", "OCC-24-000002", "involvement", "VICTIM", NULL};
        FX("niche:ONL-0000021", "occurrence-nominal", "2024-02-01", facts, ms);
    }
    {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 4);
        msgpack_pack_str(&pk, 1);
        msgpack_pack_str_body(&pk, "k", 1);
        msgpack_pack_uint8(&pk, CPI_KIND_PERSON);
        msgpack_pack_str(&pk, 1);
        msgpack_pack_str_body(&pk, "p", 1);
        msgpack_pack_double(&pk, 0.71);
        msgpack_pack_str(&pk, 1);
        msgpack_pack_str_body(&pk, "w", 1);
        msgpack_pack_double(&pk, 2.0);
        msgpack_pack_str(&pk, 1);
        msgpack_pack_str_body(&pk, "c", 1);
        msgpack_pack_true(&pk);
        static const char key[] = "niche:NOM-0000020/1\x1f" "niche:NOM-0000021/1";
        cpi_status s_ = cpi_txn_put(txn, CPI_DB_REVIEW, key, sizeof key - 1, sb.data, sb.size, err);
        msgpack_sbuffer_destroy(&sb);
        if (s_)
            return s_;
    }
    return CPI_OK;
}

typedef struct fx_store {
    char *dir, *db;
    cpi_store *st;
    cpi_graph_stats gs;
} fx_store;

/* Build the fixture store (with fx_write_more's records when more) and its graph; NULL (with a message) on failure. */
static fx_store *fx_open_with(bool more)
{
    fx_store *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    size_t n = strlen(f->dir) + 8;
    f->db = malloc(n);
    snprintf(f->db, n, "%s/db", f->dir);
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    cpi_error err = {0};
    if (cpi_store_open(f->db, &o, &f->st, &err) || cpi_store_write(f->st, fx_write, NULL, &err) ||
        (more && cpi_store_write(f->st, fx_write_more, NULL, &err)) || cpi_graph_build(f->st, NULL, &f->gs, &err)) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        return NULL;
    }
    return f;
}

static fx_store *fx_open(void) { return fx_open_with(false); }

static void fx_close(fx_store *f)
{
    if (!f)
        return;
    cpi_store_close(f->st);
    free(f->db);
    tu_rmrf_free(f->dir);
    free(f);
}

/* A cmocka group over the fixture store with one read snapshot (test_lookup, test_profile, test_queries). */
typedef struct fx_ctx {
    fx_store *f;
    cpi_txn *txn;
    cpi_arena arena;
} fx_ctx;

static inline int fx_setup_group(void **state)
{
    fx_ctx *c = calloc(1, sizeof *c);
    c->f = fx_open();
    cpi_error err = {0};
    if (!c->f || cpi_store_read_begin(c->f->st, &c->txn, &err))
        return -1;
    *state = c;
    return 0;
}

/* The same over the fixture with fx_write_more's records. */
static inline int fx_setup_group_more(void **state)
{
    fx_ctx *c = calloc(1, sizeof *c);
    c->f = fx_open_with(true);
    cpi_error err = {0};
    if (!c->f || cpi_store_read_begin(c->f->st, &c->txn, &err))
        return -1;
    *state = c;
    return 0;
}

static inline int fx_teardown_group(void **state)
{
    fx_ctx *c = *state;
    cpi_txn_end(c->txn);
    fx_close(c->f);
    cpi_arena_free(&c->arena);
    free(c);
    return 0;
}

/* A streamed answer's text (indent 0) parsed back into a tree for a test to inspect, the writer freed:
 * the pattern of cpi_profile_json. NULL when the text is not one JSON value. */
static inline json_t *fx_jw_tree(cpi_jw *w)
{
    size_t len = 0;
    const char *text = cpi_jw_text(w, &len);
    json_t *j = text ? json_loadb(text, len, 0, NULL) : NULL;
    cpi_jw_free(w);
    return j;
}

#endif
