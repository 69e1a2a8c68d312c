/*
 * test_adapters.c - the six silo adapters (ingest/adapter_*.c) against
 * docs/formats.md, on hand-written fixtures (tests/fixtures/adapters/SILO/,
 * written by make_fixtures.py there).
 *
 * Every main fixture has the same shape: lines 2, 3 and 11 good (line 11
 * fills every slot where a silo has repeated groups, so every relation of the
 * spec is exercised; line 3 leaves slots empty, so numbering must skip them);
 * 4 wrong-column-count; 5 unterminated-quote; 6 invalid-utf8; 7
 * impossible-date; 8 empty-required-field; 9 nul-byte; 10
 * duplicate-record-id. Each file is run through its adapter's spec by the
 * engine and summarised one block per row: the reference, type and date, then
 * each mention (number, kind, role, raw values, the identifying keys) and each
 * relation by mention number, then the names of the facts. Every expected
 * block was checked line by line against docs/formats.md and the fixture row.
 *
 * Also: the spec tables themselves (counts, roles, relation types, slot
 * ranges, the required field), signatures that pick exactly one file of one
 * silo, reordered columns with alias headers and an extra column, a file of
 * another silo refused with the expected and found headers named, and the
 * records read back from a store equal to the engine's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/normalise/normalise.h"
#include "core/store.h"
#include "ingest/adapter.h"
#include "ingest/engine.h"
#include "ingest/ingest.h"
#include "ingest/keys.h"
#include "testutil.h"

/* ------------------------------------------------------------------ summaries */

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        assert_non_null(b->s);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void sb_free(sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

/*
 * The keys that identify a mention, in the order printed. Phonetic codes,
 * nickname canonicals and derived parts (birth year, postcode sector, address
 * parts) are left out: core/normalise's tests own them, and the adapters'
 * job is to feed the right columns into the right fields.
 */
static const char *const SHOWN_KEYS[] = {"nid", "pnc", "fn", "fm", "sn", "sa", "dob", "dob_lo", "dob_hi", "gender",
                                         "street", "lid", "place", "premises", "addr", "pc", "tel", "email", "user",
                                         NULL};

static void day_text(int32_t day, char out[CPI_NORM_ISO_DATE_MAX])
{
    if (day == CPI_DAY_NONE)
        snprintf(out, CPI_NORM_ISO_DATE_MAX, "-");
    else
        cpi_norm_date_iso(day, out);
}

/* One record: "L2 niche:NOM-0000001 nominal 2021-03-14", a line per mention and relation, then facts. */
static void summarise_record(sbuf *b, const cpi_record *r, bool with_line, bool with_facts)
{
    char d[CPI_NORM_ISO_DATE_MAX];
    day_text(r->day, d);
    if (with_line)
        sb_printf(b, "L%llu ", (unsigned long long)r->prov.line);
    sb_printf(b, "%s %s %s\n", r->ref, r->type, d);
    for (uint32_t i = 0; i < r->nmentions; i++) {
        const cpi_mention *m = &r->mentions[i];
        sb_printf(b, " %u %s %s [", i + 1, cpi_kind_name(m->kind), m->role);
        for (uint32_t k = 0; k < m->raw.count; k++)
            sb_printf(b, "%s%s=%s", k ? " " : "", m->raw.items[k].key, m->raw.items[k].value);
        sb_printf(b, "]");
        for (const char *const *name = SHOWN_KEYS; *name; name++)
            for (uint32_t k = 0; k < m->keys.count; k++)
                if (strcmp(m->keys.items[k].key, *name) == 0)
                    sb_printf(b, " %s=%s", *name, m->keys.items[k].value);
        sb_printf(b, "\n");
    }
    for (uint32_t i = 0; i < r->nrelations; i++) {
        const cpi_relation *rel = &r->relations[i];
        sb_printf(b, " %s %u->%u", rel->type, rel->from, rel->to);
        if (rel->day != CPI_DAY_NONE) {
            day_text(rel->day, d);
            sb_printf(b, " %s", d);
        }
        sb_printf(b, "\n");
    }
    if (with_facts) {
        sb_printf(b, " facts");
        for (uint32_t k = 0; k < r->facts.count; k++)
            sb_printf(b, "%s%s", k ? "," : " ", r->facts.items[k].key);
        sb_printf(b, "\n");
    }
}

typedef struct run_opts {
    bool with_line, with_facts, rejects;
} run_opts;

/* Run one file through the spec the adapter picks for it; the whole file as one summary. */
static char *summarise_file(const cpi_adapter *ad, const char *rel, run_opts o, const cpi_spec_file **picked)
{
    char *path = tu_source_path(rel);
    cpi_csv *csv = NULL;
    cpi_error err = {0};
    if (cpi_csv_open(path, NULL, &csv, &err) != CPI_OK)
        fail_msg("%s", err.msg);
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    const cpi_spec_file *spec = cpi_adapter_pick_default(ad, base, csv);
    if (!spec)
        fail_msg("%s: %s picked no spec", rel, ad->source);
    if (picked)
        *picked = spec;
    cpi_engine *e = NULL;
    if (cpi_engine_bind(spec, ad->source, csv, rel, &e, &err) != CPI_OK)
        fail_msg("%s", err.msg);
    sbuf b = {0};
    cpi_arena arena = {0};
    cpi_csv_row row;
    cpi_status s;
    while ((s = cpi_csv_next(csv, &row, &err)) == CPI_OK) {
        cpi_arena_reset(&arena);
        const char *reason = row.reject_reason;
        size_t column = row.reject_column;
        cpi_record rec;
        if (!reason) {
            cpi_reject rej;
            s = cpi_engine_row(e, &row, 1700000000, &arena, &rec, &rej, &err);
            if (s == CPI_ERR_DATA) {
                reason = rej.reason;
                column = rej.column;
            } else if (s != CPI_OK) {
                fail_msg("%s line %llu: %s", rel, (unsigned long long)row.line, err.msg);
            }
        }
        if (reason) {
            if (o.rejects)
                sb_printf(&b, "L%llu %s c%zu\n", (unsigned long long)row.line, reason, column);
        } else {
            summarise_record(&b, &rec, o.with_line, o.with_facts);
        }
    }
    assert_int_equal(s, CPI_NOT_FOUND);
    cpi_engine_free(e);
    cpi_csv_close(csv);
    cpi_arena_free(&arena);
    free(path);
    return b.s ? b.s : strdup("");
}

/* Compare with a readable diff of the first differing line on failure. */
static void expect_text(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return;
    const char *g = got, *w = want;
    int line = 1;
    while (*g && *g == *w) {
        if (*g == '\n')
            line++;
        g++, w++;
    }
    print_error("%s: first difference at summary line %d\n--- got:\n%s--- want:\n%s", what, line, got, want);
    fail();
}

/* -------------------------------------------------------------- expectations */

typedef struct file_case {
    const char *source;
    const char *file; /* under tests/fixtures/adapters/SOURCE/ */
    const char *record_type;
    const char *want;
} file_case;

static const file_case FILE_CASES[] = {
    {"niche", "nominals.csv", "nominal",
     "L2 niche:NOM-0000001 nominal 2021-03-14\n"
     " 1 person nominal [forenames=Siân Mair surname=JONES dob=02/11/2009 gender=F nominal_id=NOM-0000001 alias=Rhi Jones; Rhiannon Evans] nid=NOM-0000001 fn=sian fm=mair sn=jones dob=2009-11-02 gender=f\n"
     " facts created\n"
     "L3 niche:NOM-0000002 nominal 2020-02-01\n"
     " 1 person nominal [forenames=Dean surname=Morgan dob=approx 30 gender=M nominal_id=NOM-0000002 pnc=19/482213K street_name=Smokey] nid=NOM-0000002 pnc=19/482213K fn=dean sn=morgan dob_lo=1988-02-02 dob_hi=1991-02-01 gender=m street=smokey\n"
     " facts created,notes\n"
     "L4 wrong-column-count c9\n"
     "L5 unterminated-quote c9\n"
     "L6 invalid-utf8 c3\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c3\n"
     "L9 nul-byte c3\n"
     "L10 duplicate-record-id c1\n"
     "L11 niche:NOM-0000009 nominal 2022-11-11\n"
     " 1 person nominal [forenames=Rhodri surname=Davies dob=31/11/2010 nominal_id=NOM-0000009] nid=NOM-0000009 fn=rhodri sn=davies\n"
     " facts created\n"
     "L12 invalid-record-id c1\n"},
    {"niche", "locations.csv", "location",
     "L2 niche:LOC-0000001 location 2020-02-01\n"
     " 1 location location [address=Flat 2, 14 Heol y Coed, Bettws, Newport postcode=NP20 6PL location_id=LOC-0000001 place_type=HOME] lid=LOC-0000001 addr=2|14|heol y coed pc=NP20 6PL\n"
     " facts created,local_authority\n"
     "L3 niche:LOC-0000002 location 2021-03-03\n"
     " 1 location location [address=12 Commercial Street, Newport postcode=NP20 1LT location_id=LOC-0000002 place_name=Tasty Chicken place_type=TAKEAWAY] lid=LOC-0000002 place=tasty chicken addr=|12|commercial street pc=NP20 1LT\n"
     " facts created,local_authority\n"
     "L4 wrong-column-count c10\n"
     "L5 unterminated-quote c9\n"
     "L6 invalid-utf8 c4\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c4\n"
     "L9 nul-byte c4\n"
     "L10 duplicate-record-id c1\n"
     "L11 niche:LOC-0000009 location 2022-10-10\n"
     " 1 location location [address=3 Bryn Road postcode=np223aa location_id=LOC-0000009] lid=LOC-0000009 addr=|3|bryn road pc=NP22 3AA\n"
     " facts created\n"},
    {"niche", "occurrences.csv", "occurrence",
     "L2 niche:OCC-21-000123 occurrence 2021-07-03\n"
     " 1 location occurrence-location [location_id=LOC-0000001] lid=LOC-0000001\n"
     " facts area,classification,local_authority,occurrence_date,summary\n"
     "L3 niche:OCC-22-000124 occurrence 2022-01-04\n"
     " 1 location occurrence-location [location_id=LOC-0000002] lid=LOC-0000002\n"
     " facts area,classification,local_authority,occurrence_date,summary\n"
     "L4 wrong-column-count c7\n"
     "L5 unterminated-quote c7\n"
     "L6 invalid-utf8 c7\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c4\n"
     "L9 nul-byte c7\n"
     "L10 duplicate-record-id c1\n"
     "L11 niche:OCC-23-000131 occurrence 2023-01-11\n"
     " 1 location occurrence-location [location_id=LOC-0000009] lid=LOC-0000009\n"
     " facts area,classification,occurrence_date\n"},
    {"niche", "occurrence_nominals.csv", "occurrence-nominal",
     "L2 niche:ONL-0000001 occurrence-nominal 2021-07-03\n"
     " 1 person occurrence-nominal [nominal_id=NOM-0000001] nid=NOM-0000001\n"
     " facts involvement,linked_date,urn\n"
     "L3 niche:ONL-0000002 occurrence-nominal 2021-07-03\n"
     " 1 person occurrence-nominal [nominal_id=NOM-0000002] nid=NOM-0000002\n"
     " facts involvement,linked_date,urn\n"
     "L4 wrong-column-count c5\n"
     "L5 unterminated-quote c5\n"
     "L6 invalid-utf8 c5\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c4\n"
     "L9 nul-byte c4\n"
     "L10 duplicate-record-id c1\n"
     "L11 niche:ONL-0000009 occurrence-nominal 2023-01-11\n"
     " 1 person occurrence-nominal [nominal_id=NOM-0000009] nid=NOM-0000009\n"
     " facts involvement,linked_date,urn\n"},
    {"niche", "nominal_locations.csv", "nominal-location",
     "L2 niche:NLL-0000001 nominal-location 2019-01-01\n"
     " 1 person nominal [nominal_id=NOM-0000001] nid=NOM-0000001\n"
     " 2 location linked-address [location_id=LOC-0000001] lid=LOC-0000001\n"
     " lives-at 1->2 2019-01-01\n"
     " facts from_date,link_type\n"
     "L3 niche:NLL-0000002 nominal-location 2017-06-15\n"
     " 1 person nominal [nominal_id=NOM-0000002] nid=NOM-0000002\n"
     " 2 location linked-address [location_id=LOC-0000009] lid=LOC-0000009\n"
     " lives-at 1->2 2017-06-15\n"
     " facts from_date,link_type,to_date\n"
     "L4 wrong-column-count c7\n"
     "L5 unterminated-quote c6\n"
     "L6 invalid-utf8 c6\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c4\n"
     "L9 nul-byte c6\n"
     "L10 duplicate-record-id c1\n"
     "L11 niche:NLL-0000009 nominal-location 2023-03-03\n"
     " 1 person nominal [nominal_id=NOM-0000009] nid=NOM-0000009\n"
     " facts from_date,link_type\n"},
    {"niche", "warnings.csv", "warning",
     "L2 niche:WRN-0000001 warning 2020-05-05\n"
     " 1 person warning-subject [nominal_id=NOM-0000002] nid=NOM-0000002\n"
     " facts details,start_date,warning_type\n"
     "L3 niche:WRN-0000002 warning 2020-05-06\n"
     " 1 person warning-subject [nominal_id=NOM-0000001] nid=NOM-0000001\n"
     " facts end_date,start_date,warning_type\n"
     "L4 wrong-column-count c6\n"
     "L5 unterminated-quote c6\n"
     "L6 invalid-utf8 c6\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c4\n"
     "L9 nul-byte c6\n"
     "L10 duplicate-record-id c1\n"
     "L11 niche:WRN-0000009 warning 2020-05-13\n"
     " 1 person warning-subject [nominal_id=NOM-0000009] nid=NOM-0000009\n"
     " facts start_date,warning_type\n"},
    {"niche", "ppns.csv", "ppn",
     "L2 niche:PPN-0000301 ppn 2022-12-12\n"
     " 1 person ppn-subject [forenames=Siân surname=Jones dob=02/11/2009 nominal_id=NOM-0000001] nid=NOM-0000001 fn=sian sn=jones dob=2009-11-02\n"
     " 2 location ppn-address [location_id=LOC-0000001] lid=LOC-0000001\n"
     " lives-at 1->2\n"
     " facts concern,ppn_date,risk,shared_with_social_care\n"
     "L3 niche:PPN-0000302 ppn 2022-12-13\n"
     " 1 person ppn-subject [forenames=Tomos surname=Evans dob=04/06/2012] fn=tomos sn=evans dob=2012-06-04\n"
     " facts concern,ppn_date,risk,shared_with_social_care\n"
     "L4 wrong-column-count c10\n"
     "L5 unterminated-quote c10\n"
     "L6 invalid-utf8 c4\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c4\n"
     "L9 nul-byte c4\n"
     "L10 duplicate-record-id c1\n"
     "L11 niche:PPN-0000309 ppn 2022-12-20\n"
     " 1 person ppn-subject [surname=Davies] sn=davies\n"
     " 2 location ppn-address [location_id=LOC-0000009] lid=LOC-0000009\n"
     " lives-at 1->2\n"
     " facts concern,ppn_date,risk,shared_with_social_care\n"},
    {"miraf", "miraf_forms.csv", "miraf-form",
     "L2 miraf:MF-2021-000045 miraf-form 2021-08-14\n"
     " 1 person missing-child [forenames=Lily surname=Price dob=2008-02-29 gender=F nominal_id=NOM-0000004] nid=NOM-0000004 fn=lily sn=price dob=2008-02-29 gender=f\n"
     " 2 location home-address [address=14 Heol y Coed, Bettws, Newport postcode=NP20 6PL] addr=|14|heol y coed pc=NP20 6PL\n"
     " 3 person person-posing-risk [name=Dean Morgan dob=approx 30] fn=dean sn=morgan dob_lo=1989-08-15 dob_hi=1992-08-14\n"
     " 4 phone risk-person-phone [phone=07712 345678] tel=+447712345678\n"
     " 5 person person-posing-risk [name=Tyler Davies dob=1999-04-01] fn=tyler sn=davies dob=1999-04-01\n"
     " 6 person person-posing-risk [name=Riley Nowak dob=approx 36] fn=riley sn=nowak dob_lo=1983-08-15 dob_hi=1986-08-14\n"
     " 7 phone risk-person-phone [phone=+44 7604 521653] tel=+447604521653\n"
     " 8 location found-at [address=Bus station, Cwmbran postcode=NP44 1PU] addr=||bus station pc=NP44 1PU\n"
     " 9 location found-at [address=Tasty Chicken, 12 Commercial Street, Newport postcode=NP20 1LT] premises=tasty chicken addr=|12|commercial street pc=NP20 1LT\n"
     " lives-at 1->2\n"
     " poses-risk-to 3->1\n"
     " uses-phone 3->4\n"
     " cawn-served 3->1 2021-05-01\n"
     " poses-risk-to 5->1\n"
     " poses-risk-to 6->1\n"
     " uses-phone 6->7\n"
     " found-at 1->8\n"
     " found-at 1->9\n"
     " facts episodes,form_date,found_1_count,found_2_count,interview_1_date,interview_1_done,interview_1_type,last_missing_date,looked_after,placement_type,risk_factors,risk_grading,risk_person_1_cawn,risk_person_1_cawn_date,risk_person_1_relationship,risk_person_2_cawn,risk_person_2_relationship,risk_person_3_cawn,risk_person_3_relationship\n"
     "L3 miraf:MF-2022-000046 miraf-form 2022-01-05\n"
     " 1 person missing-child [forenames=Kai surname=Williams dob=approx 15 gender=M] fn=kai sn=williams dob_lo=2005-01-06 dob_hi=2008-01-05 gender=m\n"
     " 2 person person-posing-risk [name=Jordan Evans] fn=jordan sn=evans\n"
     " 3 phone risk-person-phone [phone=07700-900-123] tel=+447700900123\n"
     " poses-risk-to 2->1\n"
     " uses-phone 2->3\n"
     " cawn-served 2->1\n"
     " facts episodes,form_date,last_missing_date,looked_after,placement_type,risk_grading,risk_person_2_cawn,risk_person_2_relationship\n"
     "L4 wrong-column-count c53\n"
     "L5 unterminated-quote c52\n"
     "L6 invalid-utf8 c4\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c4\n"
     "L9 nul-byte c4\n"
     "L10 duplicate-record-id c1\n"
     "L11 miraf:MF-2023-000053 miraf-form 2023-06-01\n"
     " 1 person missing-child [forenames=Seren surname=Rees dob=2011-07-04 gender=F] fn=seren sn=rees dob=2011-07-04 gender=f\n"
     " 2 location home-address [address=7 Maes y Deri, Cwmbran postcode=NP44 3AB] addr=|7|maes y deri pc=NP44 3AB\n"
     " 3 person person-posing-risk [name=Kyle Roberts dob=approx 25] fn=kyle sn=roberts dob_lo=1996-06-02 dob_hi=1999-06-01\n"
     " 4 phone risk-person-phone [phone=07999 123123] tel=+447999123123\n"
     " 5 person person-posing-risk [name=Lee Thompson dob=2001-02-03] fn=lee sn=thompson dob=2001-02-03\n"
     " 6 phone risk-person-phone [phone=07999 123124] tel=+447999123124\n"
     " 7 person person-posing-risk [name=Sam Ali dob=approx 40] fn=sam sn=ali dob_lo=1981-06-02 dob_hi=1984-06-01\n"
     " 8 phone risk-person-phone [phone=07999 123125] tel=+447999123125\n"
     " 9 location found-at [address=Cwmbran Bus Station postcode=NP44 1PU] addr=||cwmbran bus station pc=NP44 1PU\n"
     " 10 location found-at [address=Tasty Chicken, 12 Commercial Street, Newport postcode=NP20 1LT] premises=tasty chicken addr=|12|commercial street pc=NP20 1LT\n"
     " 11 location found-at [address=32 Maes y Deri, Ebbw Vale postcode=NP23 4ST] addr=|32|maes y deri pc=NP23 4ST\n"
     " 12 location found-at [address=Newport Railway Station] addr=||newport railway station\n"
     " lives-at 1->2\n"
     " poses-risk-to 3->1\n"
     " uses-phone 3->4\n"
     " poses-risk-to 5->1\n"
     " uses-phone 5->6\n"
     " cawn-served 5->1 2023-04-01\n"
     " poses-risk-to 7->1\n"
     " uses-phone 7->8\n"
     " found-at 1->9\n"
     " found-at 1->10\n"
     " found-at 1->11\n"
     " found-at 1->12\n"
     " facts episodes,form_date,found_1_count,found_2_count,found_3_count,found_4_count,interview_1_date,interview_1_done,interview_1_notes,interview_1_type,interview_2_date,interview_2_done,interview_2_type,last_missing_date,looked_after,placement_type,risk_factors,risk_grading,risk_person_1_cawn,risk_person_1_relationship,risk_person_2_cawn,risk_person_2_cawn_date,risk_person_2_relationship,risk_person_3_cawn,risk_person_3_relationship\n"},
    {"mace", "mace_children.csv", "mace-child",
     "L2 mace:MACE-0000017 mace-child 2024-04-03\n"
     " 1 person child-discussed [name=Kai WILLIAMS dob=9 Jan 2009] fn=kai sn=williams dob=2009-01-09\n"
     " 2 location school [place_name=Cwmbran High School] place=cwmbran high school\n"
     " 3 person adult-of-concern [name=Jordan EVANS street_name=Smokey] fn=jordan sn=evans street=smokey\n"
     " 4 phone adult-phone [phone=07712345678] tel=+447712345678\n"
     " 5 person adult-of-concern [street_name=Benny] street=benny\n"
     " 6 person adult-of-concern [name=Dean MORGAN] fn=dean sn=morgan\n"
     " 7 phone adult-phone [phone=+44 7712 345679] tel=+447712345679\n"
     " 8 location location-of-concern [address=Chicken Palace, Commercial Street, Newport postcode=NP20 1LT] addr=|chicken palace|commercial street pc=NP20 1LT\n"
     " attends-school 1->2\n"
     " poses-risk-to 3->1\n"
     " uses-phone 3->4\n"
     " poses-risk-to 5->1\n"
     " poses-risk-to 6->1\n"
     " uses-phone 6->7\n"
     " frequents 1->8\n"
     " facts actions,area,exploitation_type,flagged_on_niche,meeting_date,meeting_ref,risk_level,seraf_score\n"
     "L3 mace:MACE-0000018 mace-child 2024-04-03\n"
     " 1 person child-discussed [name=Lily PRICE dob=15 yrs] fn=lily sn=price dob_lo=2008-04-04 dob_hi=2009-04-03\n"
     " 2 phone adult-phone [phone=07700 900999] tel=+447700900999\n"
     " 3 location location-of-concern [address=32 Maes y Deri, Ebbw Vale postcode=NP23 4ST] addr=|32|maes y deri pc=NP23 4ST\n"
     " frequents 1->3\n"
     " facts area,exploitation_type,flagged_on_niche,meeting_date,meeting_ref,risk_level\n"
     "L4 wrong-column-count c25\n"
     "L5 unterminated-quote c25\n"
     "L6 invalid-utf8 c5\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c5\n"
     "L9 nul-byte c5\n"
     "L10 duplicate-record-id c1\n"
     "L11 mace:MACE-0000025 mace-child 2024-04-05\n"
     " 1 person child-discussed [name=Ffion HUGHES dob=12 yrs] fn=ffion sn=hughes dob_lo=2011-04-06 dob_hi=2012-04-05\n"
     " 2 location school [place_name=Bettws High School] place=bettws high school\n"
     " 3 person adult-of-concern [name=Kyle ROBERTS street_name=K-Dog] fn=kyle sn=roberts street=k dog\n"
     " 4 phone adult-phone [phone=07999 123123] tel=+447999123123\n"
     " 5 person adult-of-concern [name=Lee THOMPSON street_name=Zed] fn=lee sn=thompson street=zed\n"
     " 6 phone adult-phone [phone=07999 123124] tel=+447999123124\n"
     " 7 person adult-of-concern [name=Sam ALI] fn=sam sn=ali\n"
     " 8 phone adult-phone [phone=07999 123125] tel=+447999123125\n"
     " 9 location location-of-concern [address=Newport Bus Station postcode=NP20 1AB] addr=||newport bus station pc=NP20 1AB\n"
     " 10 location location-of-concern [address=Flat 4, 9 Mill Street, Pontypool postcode=NP4 6AA] addr=4|9|mill street pc=NP4 6AA\n"
     " attends-school 1->2\n"
     " poses-risk-to 3->1\n"
     " uses-phone 3->4\n"
     " poses-risk-to 5->1\n"
     " uses-phone 5->6\n"
     " poses-risk-to 7->1\n"
     " uses-phone 7->8\n"
     " frequents 1->9\n"
     " frequents 1->10\n"
     " facts actions,area,exploitation_type,flagged_on_niche,meeting_date,meeting_ref,risk_level,seraf_score\n"},
    {"marac", "marac_cases.csv", "marac-case",
     "L2 marac:MRC-000310 marac-case 2022-03-07\n"
     " 1 person victim [name=PRICE, Kelly dob=4/11/88] fn=kelly sn=price dob=1988-11-04\n"
     " 2 location victim-address [address=3 Bryn Road, Tredegar postcode=NP22 3AA] addr=|3|bryn road pc=NP22 3AA\n"
     " 3 person perpetrator [name=MORGAN, Dean dob=1/1/85] fn=dean sn=morgan dob=1985-01-01\n"
     " 4 person household-child [name=Tyler age=7] fn=tyler dob_lo=2014-03-08 dob_hi=2015-03-07\n"
     " 5 person household-child [name=Ffion Price age=12] fn=ffion sn=price dob_lo=2009-03-08 dob_hi=2010-03-07\n"
     " lives-at 1->2\n"
     " poses-risk-to 3->1\n"
     " household-member 4->1\n"
     " poses-risk-to 3->4\n"
     " household-member 5->1\n"
     " poses-risk-to 3->5\n"
     " facts actions,area,dash_score,meeting_date,repeat_case\n"
     "L3 marac:MRC-000311 marac-case 2022-03-08\n"
     " 1 person victim [name=DAVIES, Millie] fn=millie sn=davies\n"
     " 2 person household-child [name=Poppy] fn=poppy\n"
     " household-member 2->1\n"
     " facts actions,area,dash_score,meeting_date,repeat_case\n"
     "L4 wrong-column-count c21\n"
     "L5 unterminated-quote c20\n"
     "L6 invalid-utf8 c6\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c6\n"
     "L9 nul-byte c6\n"
     "L10 duplicate-record-id c1\n"
     "L11 marac:MRC-000318 marac-case 1999-03-10\n"
     " 1 person victim [name=LEWIS, Ann dob=12/12/70] fn=ann sn=lewis dob=1970-12-12\n"
     " 2 location victim-address [address=Flat 1, 3 High Street, Blackwood postcode=NP12 1AA] addr=1|3|high street pc=NP12 1AA\n"
     " 3 person perpetrator [name=ROBERTS, Kyle dob=approx 30] fn=kyle sn=roberts dob_lo=1967-03-11 dob_hi=1970-03-10\n"
     " 4 person household-child [name=Amy age=2] fn=amy dob_lo=1996-03-11 dob_hi=1997-03-10\n"
     " 5 person household-child [name=Ben Lewis age=5] fn=ben sn=lewis dob_lo=1993-03-11 dob_hi=1994-03-10\n"
     " 6 person household-child [name=Cara age=9] fn=cara dob_lo=1989-03-11 dob_hi=1990-03-10\n"
     " 7 person household-child [name=Dan Lewis age=15] fn=dan sn=lewis dob_lo=1983-03-11 dob_hi=1984-03-10\n"
     " lives-at 1->2\n"
     " poses-risk-to 3->1\n"
     " household-member 4->1\n"
     " poses-risk-to 3->4\n"
     " household-member 5->1\n"
     " poses-risk-to 3->5\n"
     " household-member 6->1\n"
     " poses-risk-to 3->6\n"
     " household-member 7->1\n"
     " poses-risk-to 3->7\n"
     " facts actions,area,dash_score,meeting_date,repeat_case\n"},
    {"polit", "polit_intel.csv", "polit-intel",
     "L2 polit:PI-0000055 polit-intel 2023-01-19\n"
     " 1 person subject [forenames=Gareth surname=Hughes dob=19790312] fn=gareth sn=hughes dob=1979-03-12\n"
     " 2 location subject-address [address=22 Church Road, Risca postcode=NP11 6AB] addr=|22|church road pc=NP11 6AB\n"
     " 3 phone subject-phone [phone=+44 7700 900123] tel=+447700900123\n"
     " 4 online online-identity [username=dragon_boy79] user=dragon_boy79\n"
     " 5 online online-identity [email=g.hughes79@example.net] email=g.hughes79@example.net\n"
     " 6 person household-child [name=Ffion Hughes dob=20120301] fn=ffion sn=hughes dob=2012-03-01\n"
     " 7 person victim [name=Chloe age=13] fn=chloe dob_lo=2009-01-20 dob_hi=2010-01-19\n"
     " 8 person victim [name=Amber Lewis age=14] fn=amber sn=lewis dob_lo=2008-01-20 dob_hi=2009-01-19\n"
     " lives-at 1->2\n"
     " uses-phone 1->3\n"
     " uses-identity 1->4\n"
     " uses-identity 1->5\n"
     " household-member 6->1\n"
     " poses-risk-to 1->7\n"
     " poses-risk-to 1->8\n"
     " facts ceop_ref,children_access,devices,intel_date,lives_with_children,risk_grade,status,works_with_children\n"
     "L3 polit:PI-0000056 polit-intel 2023-01-20\n"
     " 1 person subject [forenames=Aled surname=Williams] fn=aled sn=williams\n"
     " 2 online online-identity [username=ninja_aled] user=ninja_aled\n"
     " uses-identity 1->2\n"
     " facts ceop_ref,devices,intel_date,lives_with_children,risk_grade,status,works_with_children\n"
     "L4 wrong-column-count c28\n"
     "L5 unterminated-quote c28\n"
     "L6 invalid-utf8 c4\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c4\n"
     "L9 nul-byte c4\n"
     "L10 duplicate-record-id c1\n"
     "L11 polit:PI-0000063 polit-intel 2024-01-01\n"
     " 1 person subject [forenames=Mason surname=Taylor dob=19960215] fn=mason sn=taylor dob=1996-02-15\n"
     " 2 location subject-address [address=5 Elm Avenue, Cwmbran postcode=NP44 7ED] addr=|5|elm avenue pc=NP44 7ED\n"
     " 3 phone subject-phone [phone=07590 444060] tel=+447590444060\n"
     " 4 online online-identity [username=ninja_mason] user=ninja_mason\n"
     " 5 online online-identity [username=taff_mason] user=taff_mason\n"
     " 6 online online-identity [email=m.taylor@example.org] email=m.taylor@example.org\n"
     " 7 person household-child [name=Elin Taylor dob=20140519] fn=elin sn=taylor dob=2014-05-19\n"
     " 8 person household-child [name=William Taylor dob=20150609] fn=william sn=taylor dob=2015-06-09\n"
     " 9 person victim [name=Wilbliam age=7] fn=wilbliam dob_lo=2016-01-02 dob_hi=2017-01-01\n"
     " 10 person victim [name=Chloe age=13] fn=chloe dob_lo=2010-01-02 dob_hi=2011-01-01\n"
     " 11 person victim [name=Amber Lewis age=14] fn=amber sn=lewis dob_lo=2009-01-02 dob_hi=2010-01-01\n"
     " lives-at 1->2\n"
     " uses-phone 1->3\n"
     " uses-identity 1->4\n"
     " uses-identity 1->5\n"
     " uses-identity 1->6\n"
     " household-member 7->1\n"
     " household-member 8->1\n"
     " poses-risk-to 1->9\n"
     " poses-risk-to 1->10\n"
     " poses-risk-to 1->11\n"
     " facts ceop_ref,children_access,devices,intel_date,lives_with_children,risk_grade,status,works_with_children\n"},
    {"soc", "soc_plans.csv", "soc-plan",
     "L2 soc:SOC-000012 soc-plan 2022-09-01\n"
     " 1 person child-at-risk [name=Callum Jones dob=12/05/2007] fn=callum sn=jones dob=2007-05-12\n"
     " 2 person child-at-risk [name=Mia Pugh dob=10/01/2011] fn=mia sn=pugh dob=2011-01-10\n"
     " 3 person group-member [name=Dean Morgan street_name=Benny] fn=dean sn=morgan street=benny\n"
     " 4 person group-member [street_name=Ace] street=ace\n"
     " 5 person group-member [name=Lewis Walker street_name=Bullet] fn=lewis sn=walker street=bullet\n"
     " 6 location address-used [address=Flat 4, 9 Mill Street, Pontypool postcode=NP4 6AA] addr=4|9|mill street pc=NP4 6AA\n"
     " 7 phone deal-line [phone=07912 000111] tel=+447912000111\n"
     " 8 phone deal-line [phone=+44 7912 000333] tel=+447912000333\n"
     " poses-risk-to 3->1\n"
     " poses-risk-to 3->2\n"
     " poses-risk-to 4->1\n"
     " poses-risk-to 4->2\n"
     " poses-risk-to 5->1\n"
     " poses-risk-to 5->2\n"
     " associate-of 4->3\n"
     " associate-of 5->3\n"
     " uses-phone 3->7\n"
     " uses-phone 3->8\n"
     " operates-from 3->6\n"
     " facts actions,address_1_type,area,group_ref,line_name,plan_date\n"
     "L3 soc:SOC-000013 soc-plan 2022-09-02\n"
     " 1 person group-member [name=Dean Morgan] fn=dean sn=morgan\n"
     " facts area,group_ref,line_name,plan_date\n"
     "L4 wrong-column-count c41\n"
     "L5 unterminated-quote c41\n"
     "L6 invalid-utf8 c16\n"
     "L7 impossible-date c2\n"
     "L8 empty-required-field c16\n"
     "L9 nul-byte c16\n"
     "L10 duplicate-record-id c1\n"
     "L11 soc:SOC-000020 soc-plan 2022-09-04\n"
     " 1 person child-at-risk [name=Ellis Hopkins dob=01/01/2008] fn=ellis sn=hopkins dob=2008-01-01\n"
     " 2 person child-at-risk [name=Mia Pugh dob=10/01/2011] fn=mia sn=pugh dob=2011-01-10\n"
     " 3 person child-at-risk [name=Callum Jones dob=12/05/2007] fn=callum sn=jones dob=2007-05-12\n"
     " 4 person child-at-risk [name=Isla Clarke dob=01/06/2010] fn=isla sn=clarke dob=2010-06-01\n"
     " 5 person child-at-risk [name=Oliver Pritchard dob=13/02/2007] fn=oliver sn=pritchard dob=2007-02-13\n"
     " 6 person group-member [name=Kyle Roberts street_name=K-Dog] fn=kyle sn=roberts street=k dog\n"
     " 7 person group-member [name=Lee Thompson street_name=Zed] fn=lee sn=thompson street=zed\n"
     " 8 person group-member [street_name=Ace] street=ace\n"
     " 9 person group-member [name=Sam Ali] fn=sam sn=ali\n"
     " 10 person group-member [name=Dean Morgan street_name=Benny] fn=dean sn=morgan street=benny\n"
     " 11 location address-used [address=Flat 4, 9 Mill Street, Pontypool postcode=NP4 6AA] addr=4|9|mill street pc=NP4 6AA\n"
     " 12 location address-used [address=52 Mount Pleasant, Tredegar postcode=NP22 3NP] addr=|52|mount pleasant pc=NP22 3NP\n"
     " 13 location address-used [address=90 Tan y Bryn postcode=NP20 8FE] addr=|90|tan y bryn pc=NP20 8FE\n"
     " 14 location address-used [address=54 Cwm Road, Bettws postcode=NP20 9JP] addr=|54|cwm road pc=NP20 9JP\n"
     " 15 phone deal-line [phone=07999 123123] tel=+447999123123\n"
     " 16 phone deal-line [phone=07999 123124] tel=+447999123124\n"
     " 17 phone deal-line [phone=+44 7999 123125] tel=+447999123125\n"
     " poses-risk-to 6->1\n"
     " poses-risk-to 6->2\n"
     " poses-risk-to 6->3\n"
     " poses-risk-to 6->4\n"
     " poses-risk-to 6->5\n"
     " poses-risk-to 7->1\n"
     " poses-risk-to 7->2\n"
     " poses-risk-to 7->3\n"
     " poses-risk-to 7->4\n"
     " poses-risk-to 7->5\n"
     " poses-risk-to 8->1\n"
     " poses-risk-to 8->2\n"
     " poses-risk-to 8->3\n"
     " poses-risk-to 8->4\n"
     " poses-risk-to 8->5\n"
     " poses-risk-to 9->1\n"
     " poses-risk-to 9->2\n"
     " poses-risk-to 9->3\n"
     " poses-risk-to 9->4\n"
     " poses-risk-to 9->5\n"
     " poses-risk-to 10->1\n"
     " poses-risk-to 10->2\n"
     " poses-risk-to 10->3\n"
     " poses-risk-to 10->4\n"
     " poses-risk-to 10->5\n"
     " associate-of 7->6\n"
     " associate-of 8->6\n"
     " associate-of 9->6\n"
     " associate-of 10->6\n"
     " uses-phone 6->15\n"
     " uses-phone 6->16\n"
     " uses-phone 6->17\n"
     " operates-from 6->11\n"
     " operates-from 6->12\n"
     " operates-from 6->13\n"
     " operates-from 6->14\n"
     " facts actions,address_1_type,address_2_type,address_3_type,address_4_type,area,group_ref,line_name,plan_date\n"},
};
#define NCASES (sizeof FILE_CASES / sizeof FILE_CASES[0])

static void test_fixture_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        const file_case *c = &FILE_CASES[i];
        const cpi_adapter *ad = cpi_adapter_find(c->source);
        assert_non_null(ad);
        char rel[256];
        snprintf(rel, sizeof rel, "tests/fixtures/adapters/%s/%s", c->source, c->file);
        const cpi_spec_file *spec;
        char *got = summarise_file(ad, rel, (run_opts){true, true, true}, &spec);
        assert_string_equal(spec->record_type, c->record_type);
        expect_text(rel, got, c->want);
        free(got);
    }
}

/* ----------------------------------------------------------- the spec tables */

static const char *const PERSON_ROLES[] = {"nominal", "occurrence-nominal", "warning-subject", "ppn-subject",
                                           "missing-child", "person-posing-risk", "child-discussed",
                                           "adult-of-concern", "victim", "perpetrator", "household-child",
                                           "subject", "child-at-risk", "group-member", NULL};
static const char *const LOCATION_ROLES[] = {"location", "occurrence-location", "linked-address", "ppn-address",
                                             "home-address", "found-at", "school", "location-of-concern",
                                             "victim-address", "subject-address", "address-used", NULL};
static const char *const PHONE_ROLES[] = {"risk-person-phone", "adult-phone", "subject-phone", "deal-line", NULL};
static const char *const ONLINE_ROLES[] = {"online-identity", NULL};

/* Each documented relation type with the kinds it joins (docs/formats.md). */
static const struct {
    const char *type;
    cpi_kind from, to;
} RELATION_TYPES[] = {
    {"lives-at", CPI_KIND_PERSON, CPI_KIND_LOCATION},       {"poses-risk-to", CPI_KIND_PERSON, CPI_KIND_PERSON},
    {"uses-phone", CPI_KIND_PERSON, CPI_KIND_PHONE},        {"found-at", CPI_KIND_PERSON, CPI_KIND_LOCATION},
    {"cawn-served", CPI_KIND_PERSON, CPI_KIND_PERSON},      {"attends-school", CPI_KIND_PERSON, CPI_KIND_LOCATION},
    {"frequents", CPI_KIND_PERSON, CPI_KIND_LOCATION},      {"household-member", CPI_KIND_PERSON, CPI_KIND_PERSON},
    {"uses-identity", CPI_KIND_PERSON, CPI_KIND_ONLINE},    {"associate-of", CPI_KIND_PERSON, CPI_KIND_PERSON},
    {"operates-from", CPI_KIND_PERSON, CPI_KIND_LOCATION},
};

/* What docs/formats.md says of each file: slots, relations, the required field, the date. */
static const struct {
    const char *source, *file;
    unsigned nmentions, nrelations;
    const char *required_column, *date_column, *date_hint;
} SHAPES[] = {
    {"niche", "nominals.csv", 1, 0, "surname", "created", "dd/mm/yyyy"},
    {"niche", "locations.csv", 1, 0, "address_1", "created", "dd/mm/yyyy"},
    {"niche", "occurrences.csv", 1, 0, "location_id", "occurrence_date", "dd/mm/yyyy"},
    {"niche", "occurrence_nominals.csv", 1, 0, "nominal_id", "linked_date", "dd/mm/yyyy"},
    {"niche", "nominal_locations.csv", 2, 1, "nominal_id", "from_date", "dd/mm/yyyy"},
    {"niche", "warnings.csv", 1, 0, "nominal_id", "start_date", "dd/mm/yyyy"},
    {"niche", "ppns.csv", 2, 1, "child_surname", "ppn_date", "dd/mm/yyyy"},
    {"miraf", "miraf_forms.csv", 12, 14, "child_surname", "form_date", "yyyy-mm-dd"},
    {"mace", "mace_children.csv", 10, 9, "child_name", "meeting_date", "d MMM yyyy"},
    {"marac", "marac_cases.csv", 7, 10, "victim_name", "meeting_date", "d/m/yy"},
    {"polit", "polit_intel.csv", 11, 10, "subject_surname", "intel_date", "yyyymmdd"},
    {"soc", "soc_plans.csv", 17, 36, "adult_1_name", "plan_date", "dd/mm/yyyy"},
};
#define NSHAPES (sizeof SHAPES / sizeof SHAPES[0])

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* The first alias of a "a|b|c" column name. */
static void first_alias(const char *col, char *out, size_t cap)
{
    snprintf(out, cap, "%.*s", (int)strcspn(col, "|"), col);
}

static const cpi_spec_file *find_spec(const cpi_adapter *ad, const char *file)
{
    for (unsigned i = 0; i < ad->nfiles; i++)
        if (strcmp(ad->files[i].file_name, file) == 0)
            return &ad->files[i];
    return NULL;
}

static void test_adapter_table(void **state)
{
    (void)state;
    static const char *const ORDER[] = {"niche", "miraf", "mace", "marac", "polit", "soc"};
    size_t n = 0;
    for (const cpi_adapter *const *a = cpi_adapters; *a; a++, n++) {
        assert_true(n < 6);
        assert_string_equal((*a)->source, ORDER[n]);
        assert_ptr_equal(cpi_adapter_find(ORDER[n]), *a);
        assert_non_null((*a)->description);
        assert_int_equal((*a)->nfiles, n == 0 ? 7 : 1);
    }
    assert_int_equal(n, 6);
    assert_null(cpi_adapter_find("csv"));
}

/* The roles the resolver is told about: each row names a role its adapter's files give a person,
 * and the facts resolve relied on when it knew them by name. */
static void test_adapter_roles(void **state)
{
    (void)state;
    for (const cpi_adapter *const *a = cpi_adapters; *a; a++) {
        cpi_src src; /* every silo is one of core/source.h's */
        assert_true(cpi_src_parse((*a)->source, &src) && src != CPI_SRC_OTHER);
        for (const cpi_adapter_role *r = (*a)->roles; r && r->role; r++) {
            bool used = false;
            for (unsigned f = 0; f < (*a)->nfiles; f++)
                for (unsigned m = 0; m < (*a)->files[f].nmentions; m++)
                    used |= (*a)->files[f].mentions[m].kind == CPI_KIND_PERSON &&
                            strcmp((*a)->files[f].mentions[m].role, r->role) == 0;
            if (!used)
                fail_msg("%s: role %s is in its role table but none of its files gives it", (*a)->source, r->role);
        }
    }
    static const struct {
        const char *source, *role;
        unsigned flags;
    } T[] = {
        {"polit", "victim", CPI_RF_CHILD | CPI_RF_OWN_VICTIM},
        {"polit", "household-child", CPI_RF_CHILD | CPI_RF_OWN_HOUSEHOLD},
        {"polit", "subject", 0},
        {"marac", "victim", 0},
        {"marac", "household-child", CPI_RF_CHILD},
        {"marac", "perpetrator", CPI_RF_ACTOR},
        {"mace", "adult-of-concern", CPI_RF_ACTOR},
        {"mace", "child-discussed", CPI_RF_CHILD},
        {"miraf", "missing-child", CPI_RF_CHILD},
        {"miraf", "person-posing-risk", 0},
        {"niche", "ppn-subject", CPI_RF_CHILD},
        {"niche", "nominal", 0},
        {"soc", "child-at-risk", CPI_RF_CHILD},
        /* a mapped file's source: what the word means in every silo, never the own-children lists */
        {"visits", "victim", 0},
        {"visits", "household-child", CPI_RF_CHILD},
        {"visits", "missing-child", CPI_RF_CHILD},
        {"visits", "perpetrator", CPI_RF_ACTOR},
        {"visits", "home-address", 0},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (cpi_adapter_role_flags(cpi_adapter_find(T[i].source), T[i].role) != T[i].flags)
            fail_msg("%s %s: flags %u, not %u", T[i].source, T[i].role,
                     cpi_adapter_role_flags(cpi_adapter_find(T[i].source), T[i].role), T[i].flags);
    assert_int_equal(cpi_adapter_role_flags(NULL, NULL), 0);
}

static void test_spec_tables(void **state)
{
    (void)state;
    unsigned seen = 0;
    for (size_t i = 0; i < NSHAPES; i++) {
        const cpi_adapter *ad = cpi_adapter_find(SHAPES[i].source);
        const cpi_spec_file *sp = find_spec(ad, SHAPES[i].file);
        assert_non_null(sp);
        seen++;
        char a[64];
        assert_int_equal(sp->nmentions, SHAPES[i].nmentions);
        assert_int_equal(sp->nrelations, SHAPES[i].nrelations);
        assert_true(sp->nmentions <= CPI_SPEC_MAX_MENTIONS && sp->nrelations <= CPI_SPEC_MAX_RELATIONS);
        /* a miscounted n* would hide a slot or run into zeroed entries */
        for (unsigned m = 0; m < CPI_SPEC_MAX_MENTIONS; m++)
            assert_true((m < sp->nmentions) == (sp->mentions[m].kind != 0));
        for (unsigned r = 0; r < CPI_SPEC_MAX_RELATIONS; r++)
            assert_true((r < sp->nrelations) == (sp->relations[r].type != NULL));

        assert_true(sp->date_required);
        first_alias(sp->date_column, a, sizeof a);
        assert_string_equal(a, SHAPES[i].date_column);
        assert_string_equal(sp->date_hint, SHAPES[i].date_hint);
        assert_non_null(sp->id_column);
        unsigned nsig = 0;
        while (nsig < 8 && sp->signature[nsig])
            nsig++;
        assert_in_range(nsig, 2, 4);

        /* exactly one required field, on a required mention: the file's "required field" */
        unsigned nreq = 0;
        for (unsigned m = 0; m < sp->nmentions; m++) {
            const cpi_spec_mention *sm = &sp->mentions[m];
            const char *const *roles = sm->kind == CPI_KIND_PERSON     ? PERSON_ROLES
                                       : sm->kind == CPI_KIND_LOCATION ? LOCATION_ROLES
                                       : sm->kind == CPI_KIND_PHONE    ? PHONE_ROLES
                                                                       : ONLINE_ROLES;
            if (!in_list(roles, sm->role))
                fail_msg("%s slot %u: role %s is not a documented %s role", SHAPES[i].file, m + 1, sm->role,
                         cpi_kind_name(sm->kind));
            assert_int_not_equal(sm->fields[0].field, CPI_F_NONE);
            unsigned mreq = 0;
            for (unsigned f = 0; f < CPI_SPEC_MAX_FIELDS && sm->fields[f].field != CPI_F_NONE; f++)
                if (sm->fields[f].flags & CPI_SPEC_REQUIRED) {
                    first_alias(sm->fields[f].column, a, sizeof a);
                    assert_string_equal(a, SHAPES[i].required_column);
                    mreq++;
                }
            assert_int_equal(mreq ? CPI_SPEC_REQUIRED : 0, sm->flags & CPI_SPEC_REQUIRED);
            nreq += mreq;
        }
        assert_int_equal(nreq, 1);

        /* relations: documented type, slots in range, and joining the kinds the type joins */
        for (unsigned r = 0; r < sp->nrelations; r++) {
            const cpi_spec_relation *sr = &sp->relations[r];
            assert_in_range(sr->from, 1, sp->nmentions);
            assert_in_range(sr->to, 1, sp->nmentions);
            assert_int_not_equal(sr->from, sr->to);
            assert_true((sr->if_column == NULL) == (sr->if_value == NULL));
            size_t t = 0;
            while (t < sizeof RELATION_TYPES / sizeof RELATION_TYPES[0] && strcmp(RELATION_TYPES[t].type, sr->type))
                t++;
            if (t == sizeof RELATION_TYPES / sizeof RELATION_TYPES[0])
                fail_msg("%s relation %u: %s is not a documented type", SHAPES[i].file, r + 1, sr->type);
            if (sp->mentions[sr->from - 1].kind != RELATION_TYPES[t].from ||
                sp->mentions[sr->to - 1].kind != RELATION_TYPES[t].to)
                fail_msg("%s relation %u: %s %u->%u joins the wrong kinds", SHAPES[i].file, r + 1, sr->type,
                         sr->from, sr->to);
        }
    }
    /* every spec of every adapter is described above */
    unsigned total = 0;
    for (const cpi_adapter *const *a = cpi_adapters; *a; a++)
        total += (*a)->nfiles;
    assert_int_equal(seen, total);
}

/* ------------------------------------------------------- headers and signatures */

/* cpi_csv_column for a "a|b|c" spec column. */
static int column_of(cpi_csv *csv, const char *spec_col)
{
    char buf[256];
    const char *names[9];
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", spec_col);
    for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok && n < 8; tok = strtok_r(NULL, "|", &save))
        names[n++] = tok;
    names[n] = NULL;
    return cpi_csv_column(csv, names);
}

static cpi_csv *open_fixture(const char *source, const char *file)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/adapters/%s/%s", source, file);
    char *path = tu_source_path(rel);
    cpi_csv *csv = NULL;
    cpi_error err = {0};
    if (cpi_csv_open(path, NULL, &csv, &err) != CPI_OK)
        fail_msg("%s", err.msg);
    free(path);
    return csv;
}

/* Each column a spec names must be in its file: the engine keeps an unknown optional column silently empty. */
static void check_columns_bound(const cpi_spec_file *sp, cpi_csv *csv, const char *what)
{
    const char *cols[CPI_SPEC_MAX_MENTIONS * CPI_SPEC_MAX_FIELDS + 2 * CPI_SPEC_MAX_RELATIONS + 2];
    size_t n = 0;
    cols[n++] = sp->id_column;
    cols[n++] = sp->date_column;
    for (unsigned m = 0; m < sp->nmentions; m++)
        for (unsigned f = 0; f < CPI_SPEC_MAX_FIELDS && sp->mentions[m].fields[f].field != CPI_F_NONE; f++)
            cols[n++] = sp->mentions[m].fields[f].column;
    for (unsigned r = 0; r < sp->nrelations; r++) {
        if (sp->relations[r].date_column)
            cols[n++] = sp->relations[r].date_column;
        if (sp->relations[r].if_column)
            cols[n++] = sp->relations[r].if_column;
    }
    for (size_t i = 0; i < n; i++)
        if (column_of(csv, cols[i]) < 0)
            fail_msg("%s: no header for spec column %s", what, cols[i]);
}

/*
 * Every fixture (as exported, and reordered with alias headers) fits its own
 * spec's signature and no other spec of any silo, so a file is picked by its
 * headers alone and a file of another silo is never taken for this one.
 */
static void test_signatures(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSHAPES; i++) {
        const cpi_adapter *own_ad = cpi_adapter_find(SHAPES[i].source);
        const cpi_spec_file *own = find_spec(own_ad, SHAPES[i].file);
        for (int reordered = 0; reordered < 2; reordered++) {
            char file[128];
            snprintf(file, sizeof file, "%s%s", reordered ? "reordered_" : "", SHAPES[i].file);
            cpi_csv *csv = open_fixture(SHAPES[i].source, file);
            check_columns_bound(own, csv, file);
            for (const cpi_adapter *const *a = cpi_adapters; *a; a++) {
                for (unsigned k = 0; k < (*a)->nfiles; k++) {
                    const cpi_spec_file *sp = &(*a)->files[k];
                    if (cpi_engine_fits(sp, csv) != (sp == own))
                        fail_msg("%s/%s: signature of %s %s %s", SHAPES[i].source, file, (*a)->source,
                                 sp->file_name, sp == own ? "does not fit" : "fits too");
                }
                /* picked by headers alone (no file name) only by its own silo */
                const cpi_spec_file *got = cpi_adapter_pick_default(*a, NULL, csv);
                assert_ptr_equal(got, *a == own_ad ? own : NULL);
            }
            cpi_csv_close(csv);
        }
    }
}

/*
 * The good rows again with columns reversed, headers renamed to aliases
 * ("Nominal Id", "Risk Person 1 Cawn Date") and an extra column: the same
 * records, mentions, keys and relations; the extra column is a fact.
 */
static void test_reordered_columns(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES; i++) {
        const file_case *c = &FILE_CASES[i];
        const cpi_adapter *ad = cpi_adapter_find(c->source);
        char rel[256], rel2[256];
        snprintf(rel, sizeof rel, "tests/fixtures/adapters/%s/%s", c->source, c->file);
        snprintf(rel2, sizeof rel2, "tests/fixtures/adapters/%s/reordered_%s", c->source, c->file);
        const cpi_spec_file *s1, *s2;
        char *want = summarise_file(ad, rel, (run_opts){false, false, false}, &s1);
        char *got = summarise_file(ad, rel2, (run_opts){false, false, false}, &s2);
        assert_ptr_equal(s1, s2);
        assert_true(strlen(want) > 0);
        expect_text(rel2, got, want);
        free(got);
        got = summarise_file(ad, rel2, (run_opts){false, true, false}, &s2);
        assert_non_null(strstr(got, "force code"));
        free(want);
        free(got);
    }
}

/* ------------------------------------------------------------ through a store */

typedef struct store_fx {
    char *dir, *db, *rejects;
    cpi_store *st;
} store_fx;

static int store_setup(void **state)
{
    store_fx *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    if (!f->dir || asprintf(&f->db, "%s/db", f->dir) < 0 || asprintf(&f->rejects, "%s/rejects", f->dir) < 0)
        return -1;
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    cpi_error err = {0};
    if (cpi_store_open(f->db, &o, &f->st, &err) != CPI_OK)
        return -1;
    *state = f;
    return 0;
}

static int store_teardown(void **state)
{
    store_fx *f = *state;
    cpi_store_close(f->st);
    free(f->db);
    free(f->rejects);
    tu_rmrf_free(f->dir);
    free(f);
    return 0;
}

/*
 * A file of one silo given to another silo's adapter is refused whole: the
 * message names the adapter, the headers it expected and those found.
 */
static void test_wrong_silo_refused(void **state)
{
    store_fx *f = *state;
    static cpi_ingest_summary sum;
    for (size_t i = 0; i < NSHAPES; i++) {
        /* each file goes to the next silo's adapter (niche files to miraf, soc to niche) */
        size_t a = 0;
        while (strcmp(cpi_adapters[a]->source, SHAPES[i].source) != 0)
            a++;
        const cpi_adapter *wrong = cpi_adapters[(a + 1) % 6];
        char rel[256];
        snprintf(rel, sizeof rel, "tests/fixtures/adapters/%s/%s", SHAPES[i].source, SHAPES[i].file);
        char *path = tu_source_path(rel);
        const char *paths[] = {path};
        cpi_ingest_opts o = {.now = 1700000000, .rejects_dir = f->rejects};
        cpi_error err = {0};
        assert_int_equal(cpi_ingest(f->st, wrong, paths, 1, &o, &sum, &err), CPI_ERR_DATA);
        assert_int_equal(sum.files[0].status, CPI_ERR_DATA);
        assert_int_equal(sum.total.read, 0);
        char want[128];
        snprintf(want, sizeof want, "not a %s export", wrong->source);
        if (!strstr(err.msg, want))
            fail_msg("%s to %s: %s", SHAPES[i].file, wrong->source, err.msg);
        /* expected: each of the wrong silo's files with its id column; found: this file's headers */
        for (unsigned k = 0; k < wrong->nfiles; k++) {
            char id[64];
            first_alias(wrong->files[k].id_column, id, sizeof id);
            if (!strstr(err.msg, wrong->files[k].file_name) || !strstr(err.msg, id))
                fail_msg("%s to %s: %s does not name %s (%s)", SHAPES[i].file, wrong->source, err.msg,
                         wrong->files[k].file_name, id);
        }
        cpi_csv *csv = open_fixture(SHAPES[i].source, SHAPES[i].file);
        snprintf(want, sizeof want, "found %s, %s", cpi_csv_header(csv, 0), cpi_csv_header(csv, 1));
        cpi_csv_close(csv);
        if (!strstr(err.msg, want))
            fail_msg("%s to %s: '%s' lacks '%s'", SHAPES[i].file, wrong->source, err.msg, want);
        free(path);
    }
    /* nothing reached the store */
    cpi_store_stats st;
    cpi_error err = {0};
    assert_int_equal(cpi_store_stats_get(f->st, &st, &err), CPI_OK);
    assert_int_equal(st.records, 0);
}

/* The blocks of a file summary that are rejects ("L4 wrong-column-count c9"), or those that are records. */
static char *summary_lines(const char *text, bool rejects)
{
    sbuf b = {0};
    bool keep = false;
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l + 1) : strlen(l);
        if (l[0] == 'L') {
            const char *sp = strchr(l, ' ');
            bool is_reject = sp && sp < l + n && !memchr(sp, ':', n - (size_t)(sp - l));
            keep = is_reject == rejects;
        }
        if (keep)
            sb_printf(&b, "%.*s", (int)n, l);
        l += n;
    }
    return b.s ? b.s : strdup("");
}

/*
 * Every main fixture through cpi_ingest into one store: the counts add up,
 * the reject file holds exactly the expected rejects (line, column, reason),
 * and each record read back from the store summarises exactly as the
 * engine built it.
 */
static void test_through_store(void **state)
{
    store_fx *f = *state;
    static cpi_ingest_summary sum;
    cpi_error err = {0};
    cpi_arena arena = {0};
    for (size_t i = 0; i < NCASES; i++) {
        const file_case *c = &FILE_CASES[i];
        char rel[256];
        snprintf(rel, sizeof rel, "tests/fixtures/adapters/%s/%s", c->source, c->file);
        char *path = tu_source_path(rel);
        const char *paths[] = {path};
        cpi_ingest_opts o = {.now = 1700000000 + (int64_t)i, .rejects_dir = f->rejects};
        if (cpi_ingest(f->st, cpi_adapter_find(c->source), paths, 1, &o, &sum, &err) != CPI_OK)
            fail_msg("%s: %s", rel, err.msg);
        assert_string_equal(sum.files[0].record_type, c->record_type);

        /* the reject file, summarised like the engine's rejects */
        char *want_rej = summary_lines(c->want, true);
        char *want_rec = summary_lines(c->want, false);
        FILE *fp = fopen(sum.reject_path, "r");
        assert_non_null(fp);
        sbuf got = {0};
        char line[8192];
        assert_non_null(fgets(line, sizeof line, fp)); /* header */
        while (fgets(line, sizeof line, fp)) {
            char *q = strstr(line, "\",");
            assert_non_null(q);
            unsigned long long ln;
            size_t col;
            char reason[64];
            if (sscanf(q + 2, "%llu,%zu,\"%63[^\"]\"", &ln, &col, reason) != 3)
                fail_msg("reject line: %s", line);
            sb_printf(&got, "L%llu %s c%zu\n", ln, reason, col);
        }
        fclose(fp);
        expect_text(sum.reject_path, got.s, want_rej);
        sb_free(&got);

        /* one "L<n> " line per reject and per record */
        uint64_t nrej = 0, nrec = 0;
        for (const char *p = want_rej; *p; p++)
            nrej += *p == 'L' && (p == want_rej || p[-1] == '\n');
        for (const char *p = want_rec; *p; p++)
            nrec += *p == 'L' && (p == want_rec || p[-1] == '\n');
        assert_int_equal(sum.total.read, nrej + nrec);
        assert_int_equal(sum.total.rejected, nrej);
        assert_int_equal(sum.total.stored, nrec);

        /* each expected record, read back from the store */
        cpi_txn *txn;
        assert_int_equal(cpi_store_read_begin(f->st, &txn, &err), CPI_OK);
        for (const char *l = want_rec; *l; l = strchr(l, '\n') + 1) {
            if (l[0] != 'L')
                continue;
            char ref[CPI_REF_MAX];
            if (sscanf(l, "L%*u %87s", ref) != 1)
                fail_msg("summary line: %s", l);
            cpi_record r;
            cpi_arena_reset(&arena);
            if (cpi_store_get_record(txn, ref, &arena, &r, &err) != CPI_OK)
                fail_msg("%s: %s", ref, err.msg);
            assert_int_equal(r.prov.version, 1);
            assert_int_equal(r.prov.ingest_time, o.now);
            sbuf one = {0};
            summarise_record(&one, &r, true, true);
            const char *next = strstr(l + 1, "\nL");
            size_t n = next ? (size_t)(next - l + 1) : strlen(l);
            if (strncmp(one.s, l, n) != 0 || strlen(one.s) != n)
                fail_msg("%s from the store:\n%s\nwant:\n%.*s", ref, one.s, (int)n, l);
            sb_free(&one);
        }
        cpi_txn_end(txn);
        free(want_rej);
        free(want_rec);
        free(path);
    }
    cpi_arena_free(&arena);
}

/* Niche's notes name an adult's street name in free text; only the name is taken, and a note
 * naming none gives nothing (not a bad value). */
static void test_street_from_note(void **state)
{
    (void)state;
    cpi_arena a = {0};
    bool nomem = true;
    const char *v = cpi_keys_street_from_note("Known on the street as Smokey", &a, &nomem);
    assert_false(nomem);
    assert_non_null(v);
    assert_string_equal(v, "Smokey");
    v = cpi_keys_street_from_note("Seen with others. KNOWN ON THE STREET AS 'K-Dog', drives a van", &a, &nomem);
    assert_non_null(v);
    assert_string_equal(v, "K-Dog");
    v = cpi_keys_street_from_note("street name: Big Mike; lives with mother", &a, &nomem);
    assert_non_null(v);
    assert_string_equal(v, "Big Mike");
    assert_null(cpi_keys_street_from_note("Seen at the station", &a, &nomem));
    assert_null(cpi_keys_street_from_note("no street name known", &a, &nomem));
    assert_null(cpi_keys_street_from_note("known on the street as .", &a, &nomem));
    assert_false(nomem);
    cpi_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adapter_table),
        cmocka_unit_test(test_spec_tables),
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_fixture_files),
        cmocka_unit_test(test_street_from_note),
        cmocka_unit_test(test_reordered_columns),
        cmocka_unit_test(test_adapter_roles),
        cmocka_unit_test_setup_teardown(test_wrong_silo_refused, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_through_store, store_setup, store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
