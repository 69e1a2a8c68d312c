/*
 * test_resolve.c - entity resolution end to end on a small synthetic force
 * built in the store the way ingest builds it (keys from cpi_keys_build):
 * a few hundred people in households, each with a Niche nominal, an address
 * link and often a MIRAF-style form with its own home address and typos;
 * twins (same DOB and home, different forenames) and a father and son with
 * one name. Checked: the chaining guard keeps twins and father/son apart while
 * linking their own records; human decisions are obeyed across re-resolves;
 * ids are stable when data is added; splits and merges are counted; explain
 * gives the levels and the total of a known pair; EM converges on the real
 * blocks; export writes every mention. Plus table tests of the conflict rules
 * and the entity id format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "graph/graph.h"
#include "resolve/compare.h"
#include "render/export.h"
#include "core/normalise/normalise.h"
#include "resolve/resolve.h"
#include "resolve/internal.h"
#include "ingest/keys.h"
#include "testutil.h"

/* ------------------------------------------------------------ the world */

typedef struct mspec {
    cpi_kind kind;
    const char *role;
    const char *v[CPI_F__COUNT];
} mspec;

typedef struct rspec {
    const char *type;
    unsigned from, to;
} rspec;

/* Store one record built from raw values, with keys exactly as ingest makes them, and facts. */
static cpi_status put_facts(cpi_txn *t, const char *ref, const char *type, int32_t day, const mspec *ms,
                            unsigned nm, const rspec *rs, unsigned nr, cpi_kvlist facts, cpi_error *err)
{
    cpi_arena a = {0};
    cpi_mention m[8];
    cpi_relation rel[8];
    cpi_kvbuf keys[8], raw[8];
    memset(keys, 0, sizeof keys);
    memset(raw, 0, sizeof raw);
    cpi_status s = CPI_OK;
    uint64_t h = 1469598103934665603ULL;
    for (unsigned i = 0; i < nm && !s; i++) {
        unsigned long bad = 0;
        s = cpi_keys_build(ms[i].kind, ms[i].v, day, &a, &keys[i], &bad, err);
        for (int f = 1; f < CPI_F__COUNT && !s; f++)
            if (ms[i].v[f] && *ms[i].v[f]) {
                s = cpi_kvbuf_add(&raw[i], &a, cpi_field_name((cpi_field)f), ms[i].v[f], strlen(ms[i].v[f]));
                for (const char *p = ms[i].v[f]; *p; p++)
                    h = (h ^ (unsigned char)*p) * 1099511628211ULL;
            }
        m[i] = (cpi_mention){ms[i].kind, ms[i].role, cpi_kvbuf_list(&raw[i]), cpi_kvbuf_list(&keys[i])};
    }
    for (unsigned i = 0; i < nr; i++)
        rel[i] = (cpi_relation){rs[i].type, rs[i].from, rs[i].to, CPI_DAY_NONE};
    cpi_record r = {.ref = ref, .type = type, .day = day, .prov = {.file = "test", .line = 2, .ingest_time = 1},
                    .mentions = m, .nmentions = nm, .relations = rel, .nrelations = nr, .facts = facts};
    for (int i = 0; i < 32; i++)
        r.prov.hash[i] = (uint8_t)(h >> (8 * (i % 8)));
    cpi_put_result pr;
    if (!s)
        s = cpi_store_put_record(t, &r, &pr, err);
    cpi_arena_free(&a);
    return s;
}

static cpi_status put(cpi_txn *t, const char *ref, const char *type, int32_t day, const mspec *ms, unsigned nm,
                      const rspec *rs, unsigned nr, cpi_error *err)
{
    return put_facts(t, ref, type, day, ms, nm, rs, nr, (cpi_kvlist){0}, err);
}

static const char *const FORE_M[] = {"Oliver", "Jack",  "Harry", "George", "Noah",  "Charlie", "Jacob",  "Alfie",
                                     "Freddie", "Oscar", "Leo",  "Logan",  "Rhys",  "Dafydd",  "Gethin", "Owain",
                                     "Tomos",  "Iwan",  "Callum", "Kai"};
static const char *const FORE_F[] = {"Olivia", "Amelia", "Isla",  "Ava",    "Mia",    "Ivy",   "Lily",   "Isabella",
                                     "Rosie",  "Sophia", "Grace", "Freya",  "Seren",  "Ffion", "Cerys",  "Megan",
                                     "Nia",    "Alys",   "Ella",  "Poppy"};
static const char *const SUR[] = {"Jones",   "Williams", "Davies", "Evans",  "Thomas",  "Roberts", "Hughes", "Lewis",
                                  "Morgan",  "Griffiths", "Price", "Powell", "Pryce",   "Bevan",   "Rees",   "Jenkins",
                                  "Watkins", "Harries",  "Lloyd",  "Parry",  "Pritchard", "Vaughan", "Howells", "Prosser"};
static const char *const STREETS[] = {"High Street", "Church Road", "Heol y Coed", "Mill Lane", "Station Road",
                                      "Park Avenue", "Chepstow Road", "Commercial Street"};

#define NHOUSE 120
#define MAXPEOPLE 600

typedef struct person {
    char fore[24], sur[24];
    int y, m, d;
    char gender;
    int house;
    bool form;
} person;

typedef struct world {
    person p[MAXPEOPLE];
    int np;
    int twin_a, twin_b, father, son, plain; /* indexes of the hard cases and of an ordinary person */
    int twin_c, twin_d;                      /* twins one of whom has his surname as forename */
    int twin_e, twin_f;                      /* twins, one written the other way round and mistyped */
    int twin_g, twin_h;                      /* twins with the Welsh and the English form of a name */
    int extra;                               /* records added after the first resolve */
} world;

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

static int add_person(world *w, const char *fore, const char *sur, int y, int m, int d, char g, int house)
{
    person *p = &w->p[w->np];
    snprintf(p->fore, sizeof p->fore, "%s", fore);
    snprintf(p->sur, sizeof p->sur, "%s", sur);
    p->y = y, p->m = m, p->d = d, p->gender = g, p->house = house;
    p->form = rnd(10) < 6;
    return w->np++;
}

static void build_world(world *w)
{
    memset(w, 0, sizeof *w);
    rng_state = 42;
    for (int h = 0; h < NHOUSE; h++) {
        const char *sur = SUR[rnd(sizeof SUR / sizeof SUR[0])];
        int py = 1970 + (int)rnd(20);
        add_person(w, FORE_F[rnd(20)], sur, py, 1 + (int)rnd(12), 1 + (int)rnd(28), 'F', h);
        add_person(w, FORE_M[rnd(20)], sur, py - 2, 1 + (int)rnd(12), 1 + (int)rnd(28), 'M', h);
        int kids = 1 + (int)rnd(3);
        char used[4][24] = {{0}};
        for (int k = 0; k < kids; k++) {
            char g = rnd(2) ? 'M' : 'F';
            const char *f;
            do
                f = g == 'M' ? FORE_M[rnd(20)] : FORE_F[rnd(20)];
            while (strcmp(f, used[0]) == 0 || strcmp(f, used[1]) == 0 || strcmp(f, used[2]) == 0);
            snprintf(used[k], sizeof used[k], "%s", f);
            add_person(w, f, sur, 2005 + k * 3 + (int)rnd(3), 1 + (int)rnd(12), 1 + (int)rnd(28), g, h);
        }
    }
    /* the hard cases, in households of their own */
    w->twin_a = add_person(w, "Ella", "Prosser", 2012, 5, 5, 'F', NHOUSE);
    w->twin_b = add_person(w, "Lily", "Prosser", 2012, 5, 5, 'F', NHOUSE);
    w->father = add_person(w, "Dylan", "Vaughan", 1980, 2, 3, 'M', NHOUSE + 1);
    w->son = add_person(w, "Dylan", "Vaughan", 2008, 6, 7, 'M', NHOUSE + 1);
    w->twin_c = add_person(w, "Logan", "Thomas", 2015, 10, 23, 'M', NHOUSE + 2);
    w->twin_d = add_person(w, "Thomas", "Thomas", 2015, 10, 23, 'M', NHOUSE + 2);
    w->p[w->twin_a].form = w->p[w->twin_b].form = w->p[w->father].form = w->p[w->son].form = true;
    w->p[w->twin_c].form = w->p[w->twin_d].form = true;
    /* Christopher WILLIAMS on his nominal as surname "Christophee", forenames "Williams" */
    w->twin_e = add_person(w, "Williams", "Christophee", 2013, 3, 20, 'M', NHOUSE + 3);
    w->twin_f = add_person(w, "William", "Williams", 2013, 3, 20, 'M', NHOUSE + 3);
    w->p[w->twin_e].form = w->p[w->twin_f].form = true;
    w->twin_g = add_person(w, "Tomos", "Roberts", 2008, 6, 30, 'M', NHOUSE + 4);
    w->twin_h = add_person(w, "Thomas", "Roberts", 2008, 6, 30, 'M', NHOUSE + 4);
    w->p[w->twin_g].form = w->p[w->twin_h].form = true;
    w->plain = 5;
    w->p[w->plain].form = true;
}

static void address(int house, char *addr, size_t cap, char *pc, size_t pccap)
{
    snprintf(addr, cap, "%d %s, Newport", 1 + house % 97, STREETS[house % 8]);
    snprintf(pc, pccap, "NP%d %dA%c", 10 + house % 10, 1 + house % 9, 'A' + house % 26);
}

static cpi_status write_world(cpi_txn *t, void *ctx, cpi_error *err)
{
    world *w = ctx;
    cpi_status s = CPI_OK;
    char ref[64], addr[96], pc[16], lid[32], nid[32], dob[16], iso[16], g[2] = {0};
    int32_t day = cpi_norm_days_from_ymd(2022, 6, 1);
    for (int h = 0; h < NHOUSE + 5 && !s; h++) {
        address(h, addr, sizeof addr, pc, sizeof pc);
        snprintf(lid, sizeof lid, "LOC-%07d", h + 1);
        snprintf(ref, sizeof ref, "niche:%s", lid);
        mspec loc = {CPI_KIND_LOCATION, "location", {0}};
        loc.v[CPI_F_ADDRESS] = addr, loc.v[CPI_F_POSTCODE] = pc, loc.v[CPI_F_LOCATION_ID] = lid;
        s = put(t, ref, "location", day, &loc, 1, NULL, 0, err);
    }
    for (int i = 0; i < w->np && !s; i++) {
        const person *p = &w->p[i];
        snprintf(nid, sizeof nid, "NOM-%07d", i + 1);
        snprintf(dob, sizeof dob, "%02d/%02d/%04d", p->d, p->m, p->y);
        g[0] = p->gender;
        mspec nom = {CPI_KIND_PERSON, "nominal", {0}};
        nom.v[CPI_F_FORENAMES] = p->fore, nom.v[CPI_F_SURNAME] = p->sur, nom.v[CPI_F_DOB] = dob,
        nom.v[CPI_F_GENDER] = g, nom.v[CPI_F_NOMINAL_ID] = nid;
        snprintf(ref, sizeof ref, "niche:%s", nid);
        if ((s = put(t, ref, "nominal", day, &nom, 1, NULL, 0, err)))
            break;
        /* nominal_locations: the nominal id and the location id, lives-at */
        snprintf(lid, sizeof lid, "LOC-%07d", p->house + 1);
        mspec nll[2] = {{CPI_KIND_PERSON, "nominal", {0}}, {CPI_KIND_LOCATION, "linked-address", {0}}};
        nll[0].v[CPI_F_NOMINAL_ID] = nid;
        nll[1].v[CPI_F_LOCATION_ID] = lid;
        rspec lives = {"lives-at", 1, 2};
        snprintf(ref, sizeof ref, "niche:NLL-%07d", i + 1);
        if ((s = put(t, ref, "nominal-location", day, nll, 2, &lives, 1, err)) || !p->form)
            continue;
        /* a form from another silo: its own spelling of the home address, sometimes day and month swapped */
        bool swap = i % 17 == 3 && p->d <= 12 && p->d != p->m;
        snprintf(iso, sizeof iso, "%04d-%02d-%02d", p->y, swap ? p->d : p->m, swap ? p->m : p->d);
        address(p->house, addr, sizeof addr, pc, sizeof pc);
        char *st = strstr(addr, "Street");
        if (st && i % 3 == 0)
            memmove(st + 2, st + 6, strlen(st + 6) + 1); /* "High Street" -> "High St" */
        mspec form[2] = {{CPI_KIND_PERSON, "missing-child", {0}}, {CPI_KIND_LOCATION, "home-address", {0}}};
        form[0].v[CPI_F_FORENAMES] = p->fore, form[0].v[CPI_F_SURNAME] = p->sur, form[0].v[CPI_F_DOB] = iso;
        form[1].v[CPI_F_ADDRESS] = addr, form[1].v[CPI_F_POSTCODE] = pc;
        snprintf(ref, sizeof ref, "miraf:MF-2022-%06d", i + 1);
        s = put(t, ref, "form", day + i % 300, form, 2, &lives, 1, err);
    }
    return s;
}

/* Records added later: a second form for the plain person and a new person with a form. */
static cpi_status write_more(cpi_txn *t, void *ctx, cpi_error *err)
{
    world *w = ctx;
    const person *p = &w->p[w->plain];
    char addr[96], pc[16], iso[16];
    int32_t day = cpi_norm_days_from_ymd(2023, 3, 1);
    address(p->house, addr, sizeof addr, pc, sizeof pc);
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", p->y, p->m, p->d);
    mspec form[2] = {{CPI_KIND_PERSON, "missing-child", {0}}, {CPI_KIND_LOCATION, "home-address", {0}}};
    form[0].v[CPI_F_FORENAMES] = p->fore, form[0].v[CPI_F_SURNAME] = p->sur, form[0].v[CPI_F_DOB] = iso;
    form[1].v[CPI_F_ADDRESS] = addr, form[1].v[CPI_F_POSTCODE] = pc;
    rspec lives = {"lives-at", 1, 2};
    cpi_status s = put(t, "miraf:MF-2023-900001", "form", day, form, 2, &lives, 1, err);
    mspec nw[2] = {{CPI_KIND_PERSON, "missing-child", {0}}, {CPI_KIND_LOCATION, "home-address", {0}}};
    nw[0].v[CPI_F_FORENAMES] = "Gwenllian", nw[0].v[CPI_F_SURNAME] = "Ap Hywel", nw[0].v[CPI_F_DOB] = "2011-11-11";
    nw[1].v[CPI_F_ADDRESS] = "7 Bryn Road, Tredegar", nw[1].v[CPI_F_POSTCODE] = "NP22 3AA";
    if (!s)
        s = put(t, "miraf:MF-2023-900002", "form", day, nw, 2, &lives, 1, err);
    return s;
}

/*
 * Two fathers with a son of their own name at their home, each father's nominal without a DOB (as
 * messiness leaves some), each son born in 2019 with a MIRAF form. Only what the father did says
 * they are two people: Owain Pryce holds a PNC id (made at an arrest or a charge, so at 10 or
 * over); Gethin Bevan is the offender in two occurrences of 2020 and 2021. Nothing else conflicts.
 */
static cpi_status write_father_son(cpi_txn *t, int k, const char *fore, const char *sur, const char *pnc,
                                   const char *involvement, cpi_error *err)
{
    int32_t day = cpi_norm_days_from_ymd(2022, 6, 1);
    char fnid[32], snid[32], ref[64], lid[32];
    snprintf(fnid, sizeof fnid, "NOM-90000%d1", k);
    snprintf(snid, sizeof snid, "NOM-90000%d2", k);
    snprintf(lid, sizeof lid, "LOC-%07d", k + 1);
    mspec fa = {CPI_KIND_PERSON, "nominal", {0}}, so = {CPI_KIND_PERSON, "nominal", {0}};
    fa.v[CPI_F_FORENAMES] = so.v[CPI_F_FORENAMES] = fore;
    fa.v[CPI_F_SURNAME] = so.v[CPI_F_SURNAME] = sur;
    fa.v[CPI_F_GENDER] = so.v[CPI_F_GENDER] = "M";
    fa.v[CPI_F_NOMINAL_ID] = fnid, so.v[CPI_F_NOMINAL_ID] = snid;
    fa.v[CPI_F_PNC] = pnc;
    so.v[CPI_F_DOB] = "04/12/2019";
    snprintf(ref, sizeof ref, "niche:%s", fnid);
    cpi_status s = put(t, ref, "nominal", day, &fa, 1, NULL, 0, err);
    snprintf(ref, sizeof ref, "niche:%s", snid);
    if (!s)
        s = put(t, ref, "nominal", day, &so, 1, NULL, 0, err);
    rspec lives = {"lives-at", 1, 2};
    for (int i = 0; i < 2 && !s; i++) {
        mspec nll[2] = {{CPI_KIND_PERSON, "nominal", {0}}, {CPI_KIND_LOCATION, "linked-address", {0}}};
        nll[0].v[CPI_F_NOMINAL_ID] = i ? snid : fnid;
        nll[1].v[CPI_F_LOCATION_ID] = lid;
        snprintf(ref, sizeof ref, "niche:NLL-90000%d%d", k, i + 1);
        s = put(t, ref, "nominal-location", day, nll, 2, &lives, 1, err);
    }
    cpi_kv inv = {"involvement", involvement};
    for (int i = 0; i < 2 && !s && involvement; i++) {
        mspec onl = {CPI_KIND_PERSON, "occurrence-nominal", {0}};
        onl.v[CPI_F_NOMINAL_ID] = fnid;
        snprintf(ref, sizeof ref, "niche:ONL-90000%d%d", k, i + 1);
        s = put_facts(t, ref, "occurrence-nominal", cpi_norm_days_from_ymd(2020 + i, 3, 1), &onl, 1, NULL, 0,
                      (cpi_kvlist){&inv, 1}, err);
    }
    char addr[96], pc[16], iso[16] = "2019-12-04";
    address(k, addr, sizeof addr, pc, sizeof pc);
    mspec form[2] = {{CPI_KIND_PERSON, "missing-child", {0}}, {CPI_KIND_LOCATION, "home-address", {0}}};
    form[0].v[CPI_F_FORENAMES] = fore, form[0].v[CPI_F_SURNAME] = sur, form[0].v[CPI_F_DOB] = iso;
    form[1].v[CPI_F_ADDRESS] = addr, form[1].v[CPI_F_POSTCODE] = pc;
    snprintf(ref, sizeof ref, "miraf:MF-2023-90010%d", k);
    if (!s)
        s = put(t, ref, "form", day, form, 2, &lives, 1, err);
    return s;
}

static cpi_status write_actor(cpi_txn *t, void *ctx, cpi_error *err)
{
    (void)ctx;
    cpi_status s = write_father_son(t, 0, "Owain", "Pryce", "96/813246S", NULL, err);
    return s ? s : write_father_son(t, 1, "Gethin", "Bevan", NULL, "OFFENDER", err);
}

/*
 * A POLIT referral about Gareth Pryce ("own children"): his daughter Seren is listed as a household
 * child (name and DOB) and as a victim (name and age); her Niche nominal lives at his address.
 */
static cpi_status write_polit(cpi_txn *t, void *ctx, cpi_error *err)
{
    (void)ctx;
    int32_t day = cpi_norm_days_from_ymd(2023, 5, 1);
    char addr[96], pc[16];
    address(2, addr, sizeof addr, pc, sizeof pc);
    mspec nom = {CPI_KIND_PERSON, "nominal", {0}};
    nom.v[CPI_F_FORENAMES] = "Seren", nom.v[CPI_F_SURNAME] = "Pryce", nom.v[CPI_F_DOB] = "04/03/2012";
    nom.v[CPI_F_GENDER] = "F", nom.v[CPI_F_NOMINAL_ID] = "NOM-9100001";
    cpi_status s = put(t, "niche:NOM-9100001", "nominal", day, &nom, 1, NULL, 0, err);
    mspec nll[2] = {{CPI_KIND_PERSON, "nominal", {0}}, {CPI_KIND_LOCATION, "linked-address", {0}}};
    nll[0].v[CPI_F_NOMINAL_ID] = "NOM-9100001";
    nll[1].v[CPI_F_LOCATION_ID] = "LOC-0000003";
    rspec lives = {"lives-at", 1, 2};
    if (!s)
        s = put(t, "niche:NLL-9100001", "nominal-location", day, nll, 2, &lives, 1, err);
    mspec pi[4] = {{CPI_KIND_PERSON, "subject", {0}}, {CPI_KIND_LOCATION, "subject-address", {0}},
                   {CPI_KIND_PERSON, "household-child", {0}}, {CPI_KIND_PERSON, "victim", {0}}};
    pi[0].v[CPI_F_SURNAME] = "Pryce", pi[0].v[CPI_F_FORENAMES] = "Gareth", pi[0].v[CPI_F_DOB] = "1980-01-01";
    pi[1].v[CPI_F_ADDRESS] = addr, pi[1].v[CPI_F_POSTCODE] = pc;
    pi[2].v[CPI_F_NAME] = "Seren Pryce", pi[2].v[CPI_F_DOB] = "2012-03-04";
    pi[3].v[CPI_F_NAME] = "Seren Pryce", pi[3].v[CPI_F_AGE] = "11";
    rspec rel[3] = {{"lives-at", 1, 2}, {"household-member", 3, 1}, {"poses-risk-to", 1, 4}};
    if (!s)
        s = put(t, "polit:PI-9000001", "polit-intel", day, pi, 4, rel, 3, err);
    return s;
}

/*
 * Two MACE rows for one child, Cerys Lloyd, each naming an adult "Rhodri Vaughan" who poses a risk
 * to her; the first row's adult is (as scoring would find through his phone) the nominal born in
 * 1990. A second Rhodri Vaughan, born in 1975, is on Niche too and nowhere near her.
 */
static cpi_status write_unpinned(cpi_txn *t, void *ctx, cpi_error *err)
{
    (void)ctx;
    int32_t day = cpi_norm_days_from_ymd(2023, 9, 1);
    const char *noms[2][3] = {{"niche:NOM-9300001", "NOM-9300001", "01/02/1990"},
                              {"niche:NOM-9300002", "NOM-9300002", "03/04/1975"}};
    cpi_status s = CPI_OK;
    for (int i = 0; i < 2 && !s; i++) {
        mspec nom = {CPI_KIND_PERSON, "nominal", {0}};
        nom.v[CPI_F_FORENAMES] = "Rhodri", nom.v[CPI_F_SURNAME] = "Vaughan", nom.v[CPI_F_DOB] = noms[i][2];
        nom.v[CPI_F_GENDER] = "M", nom.v[CPI_F_NOMINAL_ID] = noms[i][1];
        s = put(t, noms[i][0], "nominal", day, &nom, 1, NULL, 0, err);
    }
    const char *rows[2] = {"mace:MACE-9300001", "mace:MACE-9300002"};
    for (int i = 0; i < 2 && !s; i++) {
        mspec row[2] = {{CPI_KIND_PERSON, "child-discussed", {0}}, {CPI_KIND_PERSON, "adult-of-concern", {0}}};
        row[0].v[CPI_F_NAME] = "Cerys Lloyd", row[0].v[CPI_F_DOB] = "2010-05-05";
        row[1].v[CPI_F_NAME] = "Rhodri Vaughan";
        rspec risk = {"poses-risk-to", 2, 1};
        s = put(t, rows[i], "mace-child", day + i * 30, row, 2, &risk, 1, err);
    }
    return s;
}

/* ------------------------------------------------------------ fixture */

typedef struct fixture {
    char *dir, *db;
    cpi_store *st;
    world w;
    cpi_resolve_report rep;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    size_t n = strlen(f->dir) + 8;
    f->db = malloc(n);
    snprintf(f->db, n, "%s/db", f->dir);
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    cpi_error err = {0};
    build_world(&f->w);
    if (cpi_store_open(f->db, &o, &f->st, &err) || cpi_store_write(f->st, write_world, &f->w, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cpi_store_close(f->st);
    free(f->db);
    tu_rmrf_free(f->dir);
    free(f);
    return 0;
}

static void resolve(fixture *f)
{
    cpi_resolve_opts o;
    cpi_resolve_opts_default(&o);
    o.user = "resolver1", o.reason = "resolve test run";
    cpi_error err = {0};
    if (cpi_resolve_run(f->st, &o, &f->rep, &err))
        fail_msg("resolve: %s", err.msg);
}

/* The entity id of a mention ("" if none). */
static const char *entity(fixture *f, const char *ref)
{
    static char buf[4][CPI_ENTITY_ID_MAX];
    static int k;
    char *out = buf[k++ % 4];
    cpi_txn *t;
    cpi_error err;
    cpi_slice v;
    out[0] = '\0';
    assert_int_equal(cpi_store_read_begin(f->st, &t, &err), CPI_OK);
    if (cpi_txn_get(t, CPI_DB_ENTITY_OF, ref, strlen(ref), &v, &err) == CPI_OK && v.len < CPI_ENTITY_ID_MAX) {
        memcpy(out, v.data, v.len);
        out[v.len] = '\0';
    }
    cpi_txn_end(t);
    return out;
}

static const char *nominal_of(int i, char *buf)
{
    sprintf(buf, "niche:NOM-%07d/1", i + 1);
    return buf;
}
static const char *form_of(int i, char *buf)
{
    sprintf(buf, "miraf:MF-2022-%06d/1", i + 1);
    return buf;
}

static void expect_same(fixture *f, const char *a, const char *b)
{
    const char *ea = entity(f, a), *eb = entity(f, b);
    if (!*ea || strcmp(ea, eb) != 0)
        fail_msg("%s (%s) and %s (%s) should be one entity", a, ea, b, eb);
}

static void expect_apart(fixture *f, const char *a, const char *b)
{
    const char *ea = entity(f, a), *eb = entity(f, b);
    if (!*ea || !*eb || strcmp(ea, eb) == 0)
        fail_msg("%s (%s) and %s (%s) should be different entities", a, ea, b, eb);
}

/* ------------------------------------------------------------ tests */

static void test_guard_twins_and_father_son(void **state)
{
    fixture *f = *state;
    resolve(f);
    char a[64], b[64];
    world *w = &f->w;
    /* each one's own records link... */
    expect_same(f, nominal_of(w->twin_a, a), form_of(w->twin_a, b));
    expect_same(f, nominal_of(w->twin_b, a), form_of(w->twin_b, b));
    expect_same(f, nominal_of(w->father, a), form_of(w->father, b));
    expect_same(f, nominal_of(w->son, a), form_of(w->son, b));
    expect_same(f, nominal_of(w->plain, a), form_of(w->plain, b));
    /* ...and nothing chains the twins, or the father and son, together */
    expect_apart(f, nominal_of(w->twin_a, a), nominal_of(w->twin_b, b));
    expect_apart(f, form_of(w->twin_a, a), form_of(w->twin_b, b));
    expect_apart(f, nominal_of(w->father, a), nominal_of(w->son, b));
    expect_apart(f, form_of(w->father, a), form_of(w->son, b));
    /* "Thomas Thomas" is not "Logan Thomas" written the other way round */
    expect_same(f, nominal_of(w->twin_c, a), form_of(w->twin_c, b));
    expect_same(f, nominal_of(w->twin_d, a), form_of(w->twin_d, b));
    expect_apart(f, nominal_of(w->twin_c, a), nominal_of(w->twin_d, b));
    /* "Williams" is a keystroke from "William", but written the right way round he is Christophee */
    expect_apart(f, nominal_of(w->twin_e, a), nominal_of(w->twin_f, b));
    expect_apart(f, form_of(w->twin_e, a), form_of(w->twin_f, b));
    /* Tomos and Thomas may be one person's two forms when scoring, but twins of one DOB and home are two */
    expect_apart(f, nominal_of(w->twin_g, a), nominal_of(w->twin_h, b));
    expect_apart(f, form_of(w->twin_g, a), form_of(w->twin_h, b));
    /* every form linked to its own nominal, and no two people share an entity */
    int wrong = 0, missed = 0;
    for (int i = 0; i < w->np; i++) {
        if (w->p[i].form && strcmp(entity(f, nominal_of(i, a)), entity(f, form_of(i, b))) != 0)
            missed++;
        if (i + 1 < w->np && strcmp(entity(f, nominal_of(i, a)), entity(f, nominal_of(i + 1, b))) == 0)
            wrong++;
    }
    assert_int_equal(wrong, 0);
    assert_true(missed <= 2);
    assert_int_equal(f->rep.kind[CPI_KIND_PERSON].entities, (uint64_t)w->np + (uint64_t)missed);
    /* every place's mentions (location row, address links, form addresses) are one entity per house */
    sprintf(a, "niche:LOC-%07d/1", w->p[18].house + 1);
    expect_same(f, a, "niche:NLL-0000019/2");
    sprintf(a, "niche:LOC-%07d/1", w->p[w->plain].house + 1);
    expect_same(f, a, "miraf:MF-2022-000006/2");
    assert_int_equal(f->rep.kind[CPI_KIND_LOCATION].entities, NHOUSE + 5);
}

static void test_guard_actor_age(void **state)
{
    fixture *f = *state;
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(f->st, write_actor, NULL, &err), CPI_OK);
    resolve(f);
    /* each father's own records are his, each son's his... */
    expect_same(f, "niche:NOM-9000001/1", "niche:NLL-9000001/1");
    expect_same(f, "niche:NOM-9000002/1", "miraf:MF-2023-900100/1");
    expect_same(f, "niche:NOM-9000011/1", "niche:ONL-9000011/1");
    expect_same(f, "niche:NOM-9000012/1", "miraf:MF-2023-900101/1");
    /* ...and neither a PNC holder nor an offender of 2020 is a boy born in 2019 */
    expect_apart(f, "niche:NOM-9000001/1", "niche:NOM-9000002/1");
    expect_apart(f, "niche:NOM-9000011/1", "niche:NOM-9000012/1");
    expect_apart(f, "niche:ONL-9000012/1", "miraf:MF-2023-900101/1");

    /* the rule itself: under 9 all through the year acted in (a year's grace for a mistyped DOB) */
    assert_true(cpi_rs_act_conflict(cpi_norm_days_from_ymd(2019, 12, 4), 2020));
    assert_true(cpi_rs_act_conflict(cpi_norm_days_from_ymd(2012, 1, 1), 2020));
    assert_false(cpi_rs_act_conflict(cpi_norm_days_from_ymd(2011, 12, 31), 2020));
    assert_false(cpi_rs_act_conflict(cpi_norm_days_from_ymd(1986, 10, 17), 2020));
    assert_false(cpi_rs_act_conflict(CPI_DAY_NONE, 2020));
}

static void test_polit_victim_is_household_child(void **state)
{
    fixture *f = *state;
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(f->st, write_polit, NULL, &err), CPI_OK);
    resolve(f);
    /* the household child is Seren's nominal (name, DOB, home); the victim of the same referral is
     * her too: two people of one record, but a POLIT victim and household child may be one child */
    expect_same(f, "polit:PI-9000001/3", "niche:NOM-9100001/1");
    expect_same(f, "polit:PI-9000001/4", "niche:NOM-9100001/1");
    expect_apart(f, "polit:PI-9000001/1", "polit:PI-9000001/4");
}

/* A store of its own in a new directory (*dir, for tu_rmrf_free), written by `write`. */
static cpi_store *scratch_store(cpi_write_fn write, void *ctx, char **dir)
{
    char db[4096];
    *dir = tu_mkdtemp();
    snprintf(db, sizeof db, "%s/db", *dir);
    cpi_store_opts so = {.flags = CPI_STORE_CREATE};
    cpi_store *st;
    cpi_error err = {0};
    assert_int_equal(cpi_store_open(db, &so, &st, &err), CPI_OK);
    assert_int_equal(cpi_store_write(st, write, ctx, &err), CPI_OK);
    return st;
}

/* Every mention its own cluster, with its own values in its summary. */
static void seeded_uf(cpi_rs_uf *uf, const cpi_rs_data *d)
{
    cpi_error err = {0};
    assert_int_equal(cpi_rs_uf_init(uf, d, &err), CPI_OK);
    for (uint32_t i = 0; i < d->nm; i++)
        assert_int_equal(cpi_rs_uf_seed(uf, i, &err), CPI_OK);
}

/* n mentions of one kind, each alone in its record, with no values (no DOB) for the test to set. */
static void lone_mentions(cpi_rs_data *d, cpi_rs_mention *m, cpi_rs_record *r, uint32_t n, cpi_kind kind)
{
    memset(m, 0, n * sizeof *m);
    memset(r, 0, n * sizeof *r);
    for (uint32_t i = 0; i < n; i++) {
        m[i].kind = (uint8_t)kind;
        m[i].rec = i;
        m[i].num = 1;
        m[i].dob_lo = m[i].dob_hi = CPI_DAY_NONE;
        r[i] = (cpi_rs_record){.first = i, .nmentions = 1};
    }
    d->m = m, d->nm = n, d->recs = r, d->nrecs = n;
}

static uint32_t mention_of(const cpi_rs_data *d, const char *ref)
{
    uint32_t i;
    if (cpi_rs_find_mention(d, ref, &i) != CPI_OK)
        fail_msg("no mention %s", ref);
    return i;
}

/*
 * The context pass on its own (resolve/weak.c), after the clusters scoring would make: the second
 * row's adult, a name with no DOB or id in his cluster, is placed through the child his row names
 * with the adult her other row names - never the namesake the context does not reach.
 */
static void test_unpinned_placed_through_context(void **state)
{
    fixture *f = *state;
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(f->st, write_unpinned, NULL, &err), CPI_OK);
    cpi_resolve_opts o;
    cpi_resolve_opts_default(&o);
    cpi_rs_data d = {0};
    cpi_rs_result res = {0};
    cpi_resolve_report rep = {0};
    assert_int_equal(cpi_rs_load(f->st, &d, &o, &err), CPI_OK);
    seeded_uf(&res.uf, &d);
    uint32_t nom = mention_of(&d, "niche:NOM-9300001/1"), other = mention_of(&d, "niche:NOM-9300002/1");
    uint32_t child_a = mention_of(&d, "mace:MACE-9300001/1"), adult_a = mention_of(&d, "mace:MACE-9300001/2");
    uint32_t child_b = mention_of(&d, "mace:MACE-9300002/1"), adult_b = mention_of(&d, "mace:MACE-9300002/2");
    /* what scoring would have done: the child's two rows, the first row's adult to his nominal */
    assert_int_equal(cpi_rs_uf_join(&res.uf, child_a, child_b, RS_JOIN_GUARDED), 1);
    assert_int_equal(cpi_rs_uf_join(&res.uf, adult_a, nom, RS_JOIN_GUARDED), 1);
    assert_int_equal(cpi_rs_weak(&d, &res, &o, &rep, &err), CPI_OK);
    assert_int_equal(cpi_rs_find(&res.uf, adult_b), cpi_rs_find(&res.uf, nom));
    assert_int_not_equal(cpi_rs_find(&res.uf, adult_b), cpi_rs_find(&res.uf, other));
    assert_true(rep.kind[CPI_KIND_PERSON].lone >= 1);
    assert_true(rep.kind[CPI_KIND_PERSON].lone_linked >= 1);
    cpi_rs_uf_free(&res.uf);
    cpi_rs_data_free(&d);
}

/*
 * A MACE adult written by street name alone ("Milo"), in a row whose child's DOB was mistyped (so
 * the row's child, and through her the adult, reach no one), is placed at the row's location of
 * concern: other rows of 100 Church Road name Milo, who is placed (Daniel NOWAK, Niche nominal). If
 * another placed cluster called Milo is named at that place too, the mention is left alone.
 */
static cpi_status write_concern_rows(cpi_txn *t, void *ctx, cpi_error *err)
{
    bool two_milos = ctx != NULL;
    int32_t day = cpi_norm_days_from_ymd(2024, 3, 5);
    const char *noms[2][4] = {{"niche:NOM-9500001", "NOM-9500001", "Daniel", "Nowak"},
                              {"niche:NOM-9500002", "NOM-9500002", "Rhys", "Evans"}};
    cpi_status s = CPI_OK;
    for (int i = 0; i < 2 && !s; i++) {
        mspec nom = {CPI_KIND_PERSON, "nominal", {0}};
        nom.v[CPI_F_FORENAMES] = noms[i][2], nom.v[CPI_F_SURNAME] = noms[i][3];
        nom.v[CPI_F_DOB] = i ? "02/02/1995" : "15/03/2002";
        nom.v[CPI_F_NOMINAL_ID] = noms[i][1], nom.v[CPI_F_STREET_NAME] = "Milo";
        s = put(t, noms[i][0], "nominal", day, &nom, 1, NULL, 0, err);
    }
    /* rows 1 and 2 name the adult by name; row 3 by street name only, for a child with another DOB */
    const char *rows[4] = {"mace:MACE-9500001", "mace:MACE-9500002", "mace:MACE-9500003", "mace:MACE-9500004"};
    for (int i = 0; i < (two_milos ? 4 : 3) && !s; i++) {
        mspec row[3] = {{CPI_KIND_PERSON, "child-discussed", {0}},
                        {CPI_KIND_PERSON, "adult-of-concern", {0}},
                        {CPI_KIND_LOCATION, "location-of-concern", {0}}};
        row[0].v[CPI_F_NAME] = i == 3 ? "Seren Price" : "Rhiannon Thomas";
        row[0].v[CPI_F_DOB] = i == 2 ? "2012-01-17" : i == 3 ? "2011-06-01" : "2013-01-17";
        row[1].v[CPI_F_NAME] = i < 2 ? "Daniel NOWAK" : i == 3 ? "Rhys EVANS" : NULL;
        row[1].v[CPI_F_STREET_NAME] = "Milo";
        row[2].v[CPI_F_ADDRESS] = "100 Church Road, Risca", row[2].v[CPI_F_POSTCODE] = "NP11 2GS";
        rspec risk = {"poses-risk-to", 2, 1};
        s = put(t, rows[i], "mace-child", day + i * 30, row, 3, &risk, 1, err);
    }
    return s;
}

static void concern_placement(bool two_milos)
{
    char *dir;
    cpi_store *st = scratch_store(write_concern_rows, two_milos ? "" : NULL, &dir);
    cpi_error err = {0};
    cpi_resolve_opts o;
    cpi_resolve_opts_default(&o);
    cpi_rs_data d = {0};
    cpi_rs_result res = {0};
    cpi_resolve_report rep = {0};
    assert_int_equal(cpi_rs_load(st, &d, &o, &err), CPI_OK);
    seeded_uf(&res.uf, &d);
    uint32_t nom = mention_of(&d, "niche:NOM-9500001/1"), evans = mention_of(&d, "niche:NOM-9500002/1");
    uint32_t milo = mention_of(&d, "mace:MACE-9500003/2");
    /* what places and scoring would have done: one place, the named adults to their nominals */
    uint32_t place = mention_of(&d, "mace:MACE-9500001/3");
    for (int i = 2; i <= (two_milos ? 4 : 3); i++) {
        char ref[64];
        snprintf(ref, sizeof ref, "mace:MACE-950000%d/3", i);
        assert_int_equal(cpi_rs_uf_join(&res.uf, place, mention_of(&d, ref), RS_JOIN_GUARDED), 1);
    }
    assert_int_equal(cpi_rs_uf_join(&res.uf, nom, mention_of(&d, "mace:MACE-9500001/2"), RS_JOIN_GUARDED), 1);
    assert_int_equal(cpi_rs_uf_join(&res.uf, nom, mention_of(&d, "mace:MACE-9500002/2"), RS_JOIN_GUARDED), 1);
    if (two_milos)
        assert_int_equal(cpi_rs_uf_join(&res.uf, evans, mention_of(&d, "mace:MACE-9500004/2"), RS_JOIN_GUARDED),
                         1);
    assert_int_equal(cpi_rs_weak(&d, &res, &o, &rep, &err), CPI_OK);
    assert_int_equal(cpi_rs_find(&res.uf, milo) == cpi_rs_find(&res.uf, nom), !two_milos);
    assert_int_not_equal(cpi_rs_find(&res.uf, milo), cpi_rs_find(&res.uf, evans));
    assert_int_equal(rep.kind[CPI_KIND_PERSON].weak_linked, two_milos ? 0 : 1);
    cpi_rs_uf_free(&res.uf);
    cpi_rs_data_free(&d);
    cpi_store_close(st);
    tu_rmrf_free(dir);
}

static void test_street_name_at_place_of_concern(void **state)
{
    (void)state;
    concern_placement(false);
    concern_placement(true);
}

/*
 * The second look (resolve/relook.c): the child's two MACE rows, a possible pair, are taken again
 * when the adults each row names are very likely one person (the same name, nothing conflicting),
 * at the model's related-shared weight - and only if that weight reaches the link band.
 */
static void test_second_look(void **state)
{
    fixture *f = *state;
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(f->st, write_unpinned, NULL, &err), CPI_OK);
    cpi_resolve_opts o;
    cpi_resolve_opts_default(&o);
    cpi_rs_data d = {0};
    cpi_rs_result res = {0};
    cpi_resolve_kind_report kr = {0};
    assert_int_equal(cpi_rs_load(f->st, &d, &o, &err), CPI_OK);
    seeded_uf(&res.uf, &d);
    uint32_t child_a = mention_of(&d, "mace:MACE-9300001/1"), child_b = mention_of(&d, "mace:MACE-9300002/1");
    /* a model where sharing a related person is worth log2(0.3/0.0002) - log2(0.68/0.9998) = 11.1 bits */
    res.person_trained = true;
    cpi_fs_comparison *rel = &res.person_model.cmp[RS_PC_RELATED];
    rel->m[RS_REL_SHARED] = 0.3, rel->u[RS_REL_SHARED] = 0.0002;
    rel->m[RS_REL_NONE] = 0.68, rel->u[RS_REL_NONE] = 0.9998;
    uint64_t joins = 0;
    /* -6 bits + 11.1 = 5.1 bits, probability 0.97: still below the link band */
    assert_int_equal(cpi_rs_scored_add(&res.review, child_a, child_b, -6.0, cpi_fs_probability(-6.0),
                                       RS_PAIR_RELATED_NONE, &err), CPI_OK);
    assert_int_equal(cpi_rs_relook(&d, &res, &o, &kr, &joins, &err), CPI_OK);
    assert_int_equal(joins, 0);
    assert_int_not_equal(cpi_rs_find(&res.uf, child_a), cpi_rs_find(&res.uf, child_b));
    /* 0 bits + 11.1: a link */
    res.review.v[0].weight = 0.0, res.review.v[0].prob = 0.5;
    assert_int_equal(cpi_rs_relook(&d, &res, &o, &kr, &joins, &err), CPI_OK);
    assert_int_equal(joins, 1);
    assert_int_equal(kr.relinked, 1);
    assert_int_equal(cpi_rs_find(&res.uf, child_a), cpi_rs_find(&res.uf, child_b));
    free(res.review.v);
    cpi_rs_uf_free(&res.uf);
    cpi_rs_data_free(&d);
}

/*
 * Flags a pair's vector gives the DOB-less phase and the second look (cpi_rs_person_flags): name and
 * street name agreeing mark a pair for the DOB-less phase unless the two use different phones (two
 * adults of one name and street name, each with her own phone, are two people); a side with no
 * street name or no phone is marked for the second look to ask the clusters.
 */
static void test_person_pair_flags(void **state)
{
    (void)state;
    cpi_fs_vec v;
    memset(&v, 0, sizeof v);
    v.levels[RS_PC_FORENAME] = CPI_NAME_EXACT, v.levels[RS_PC_SURNAME] = CPI_NAME_EXACT;
    v.levels[RS_PC_DOB] = CPI_DOB_NULL, v.levels[RS_PC_GENDER] = CPI_IDENT_NULL;
    v.levels[RS_PC_NID] = CPI_IDENT_NULL, v.levels[RS_PC_PNC] = CPI_IDENT_NULL;
    v.levels[RS_PC_HOME] = RS_CTX_NULL, v.levels[RS_PC_PHONE] = RS_CTX_NULL;
    v.levels[RS_PC_STREET] = CPI_IDENT_SAME, v.levels[RS_PC_RELATED] = RS_REL_NONE;
    uint8_t f = cpi_rs_person_flags(&v);
    assert_true(f & RS_PAIR_NAME_STREET);
    assert_true(f & RS_PAIR_PHONE_NULL);
    assert_false(f & RS_PAIR_STREET_NULL);
    assert_true(f & RS_PAIR_RELATED_NONE);
    v.levels[RS_PC_PHONE] = RS_CTX_SAME;
    f = cpi_rs_person_flags(&v);
    assert_true(f & RS_PAIR_NAME_STREET);
    assert_true(f & RS_PAIR_CORROBORATED);
    assert_false(f & RS_PAIR_PHONE_NULL);
    v.levels[RS_PC_PHONE] = RS_CTX_DIFFERENT;
    f = cpi_rs_person_flags(&v);
    assert_false(f & RS_PAIR_NAME_STREET);
    v.levels[RS_PC_STREET] = CPI_IDENT_NULL;
    f = cpi_rs_person_flags(&v);
    assert_true(f & RS_PAIR_STREET_NULL);
    assert_false(f & RS_PAIR_CORROBORATED);
}

/*
 * The second look asks the clusters what a pair's own mentions could not say: a Niche nominal
 * "William Davies, 25/09/2001, street name Milo" and a MIRAF form's "William Davies, 2001-09-25"
 * scored possible (a common name), but the form is now one cluster with a MACE row naming William
 * DAVIES, street name Milo. The street name agreeing at the clusters' level takes the pair into the
 * link band; a cluster whose street name is another leaves it apart.
 */
static cpi_status write_street_clusters(cpi_txn *t, void *ctx, cpi_error *err)
{
    const char *street = ctx;
    int32_t day = cpi_norm_days_from_ymd(2023, 9, 1);
    mspec nom = {CPI_KIND_PERSON, "nominal", {0}};
    nom.v[CPI_F_FORENAMES] = "William", nom.v[CPI_F_SURNAME] = "Davies", nom.v[CPI_F_DOB] = "25/09/2001";
    nom.v[CPI_F_NOMINAL_ID] = "NOM-9400001", nom.v[CPI_F_STREET_NAME] = "Milo";
    cpi_status s = put(t, "niche:NOM-9400001", "nominal", day, &nom, 1, NULL, 0, err);
    mspec form = {CPI_KIND_PERSON, "person-posing-risk", {0}};
    form.v[CPI_F_NAME] = "William Davies", form.v[CPI_F_DOB] = "2001-09-25";
    if (!s)
        s = put(t, "miraf:MF-9400001", "miraf-form", day, &form, 1, NULL, 0, err);
    mspec row = {CPI_KIND_PERSON, "adult-of-concern", {0}};
    row.v[CPI_F_NAME] = "William DAVIES", row.v[CPI_F_STREET_NAME] = street;
    if (!s)
        s = put(t, "mace:MACE-9400001", "mace-child", day, &row, 1, NULL, 0, err);
    return s;
}

static void second_look_street(const char *street, bool joins_expected)
{
    char *dir;
    cpi_store *st = scratch_store(write_street_clusters, (void *)street, &dir);
    cpi_error err = {0};
    cpi_resolve_opts o;
    cpi_resolve_opts_default(&o);
    cpi_rs_data d = {0};
    cpi_rs_result res = {0};
    cpi_resolve_kind_report kr = {0};
    assert_int_equal(cpi_rs_load(st, &d, &o, &err), CPI_OK);
    seeded_uf(&res.uf, &d);
    uint32_t nom = mention_of(&d, "niche:NOM-9400001/1"), form = mention_of(&d, "miraf:MF-9400001/1");
    uint32_t row = mention_of(&d, "mace:MACE-9400001/1");
    assert_int_equal(cpi_rs_uf_join(&res.uf, form, row, RS_JOIN_GUARDED), 1);
    /* street name agreeing: log2(1.0 / 0.033) = 5.0 bits; differing: log2(0.01 / 0.967) = -6.6 */
    res.person_trained = true;
    cpi_fs_comparison *c = &res.person_model.cmp[RS_PC_STREET];
    c->m[CPI_IDENT_SAME] = 1.0, c->u[CPI_IDENT_SAME] = 0.033;
    c->m[CPI_IDENT_DIFFERENT] = 0.01, c->u[CPI_IDENT_DIFFERENT] = 0.967;
    /* 5.1 bits (probability 0.97) + 5.0 = 10.1 bits: a link */
    assert_int_equal(
        cpi_rs_scored_add(&res.review, nom, form, 5.1, cpi_fs_probability(5.1), RS_PAIR_STREET_NULL, &err), CPI_OK);
    uint64_t joins = 0;
    assert_int_equal(cpi_rs_relook(&d, &res, &o, &kr, &joins, &err), CPI_OK);
    assert_int_equal(joins, joins_expected ? 1 : 0);
    assert_int_equal(cpi_rs_find(&res.uf, nom) == cpi_rs_find(&res.uf, form), joins_expected);
    free(res.review.v);
    cpi_rs_uf_free(&res.uf);
    cpi_rs_data_free(&d);
    cpi_store_close(st);
    tu_rmrf_free(dir);
}

static void test_second_look_cluster_street(void **state)
{
    (void)state;
    second_look_street("Milo", true);
    second_look_street("Ace", false);
}

static void test_em_converges_on_real_blocks(void **state)
{
    fixture *f = *state;
    resolve(f);
    for (int k = CPI_KIND_PERSON; k <= CPI_KIND_LOCATION; k++) {
        const cpi_resolve_kind_report *r = &f->rep.kind[k];
        assert_true(r->trained);
        assert_true(r->em.converged);
        assert_true(r->em.iterations > 0 && r->em.iterations < CPI_RESOLVE_EM_ITER * 2);
        assert_true(r->pairs > 0);
        assert_true(r->lambda > 0 && r->lambda < 0.5);
    }
    /* the stored model decodes and says what the data says: agreeing on a DOB is strong evidence */
    cpi_txn *t;
    cpi_error err;
    cpi_slice v;
    cpi_fs_model m;
    assert_int_equal(cpi_store_read_begin(f->st, &t, &err), CPI_OK);
    assert_int_equal(cpi_txn_get(t, CPI_DB_META, "model:person", 12, &v, &err), CPI_OK);
    assert_int_equal(cpi_fs_model_decode(v.data, v.len, &m, &err), CPI_OK);
    cpi_txn_end(t);
    assert_string_equal(m.cmp[RS_PC_DOB].name, "dob");
    assert_true(m.cmp[RS_PC_DOB].m[CPI_DOB_EXACT] > 10 * m.cmp[RS_PC_DOB].u[CPI_DOB_EXACT]);
    assert_true(m.cmp[RS_PC_FORENAME].m[CPI_NAME_ELSE] < m.cmp[RS_PC_FORENAME].u[CPI_NAME_ELSE]);
}

static void test_explain_known_pair(void **state)
{
    fixture *f = *state;
    resolve(f);
    char a[64], b[64];
    cpi_resolve_explanation *x = malloc(sizeof *x);
    cpi_error err = {0};
    /* the plain person's nominal and form agree on every name and the DOB */
    assert_int_equal(cpi_resolve_explain(f->st, nominal_of(f->w.plain, a), form_of(f->w.plain, b), x, &err), CPI_OK);
    assert_int_equal(x->kind, CPI_KIND_PERSON);
    assert_int_equal(x->ex.n_terms, x->model.n_cmp);
    assert_string_equal(x->ex.terms[RS_PC_FORENAME].level, "exact");
    assert_true(x->ex.terms[RS_PC_FORENAME].tf_applied);
    assert_string_equal(x->ex.terms[RS_PC_SURNAME].level, "exact");
    assert_string_equal(x->ex.terms[RS_PC_DOB].level, "exact");
    assert_string_equal(x->ex.terms[RS_PC_HOME].level, "same");
    double sum = x->ex.prior;
    for (size_t i = 0; i < x->ex.n_terms; i++)
        sum += x->ex.terms[i].log2_bf;
    assert_true(sum - x->ex.total < 1e-9 && x->ex.total - sum < 1e-9);
    if (x->ex.total < 15)
        fail_msg("a pair agreeing on names, DOB and home should weigh well over the link threshold, not %.2f",
                 x->ex.total);
    assert_int_equal(x->band, CPI_FS_LINK);
    assert_string_equal(x->entity_a, x->entity_b);
    /* the twins: forenames differ ("else"), everything else agrees, and they are apart */
    assert_int_equal(
        cpi_resolve_explain(f->st, nominal_of(f->w.twin_a, a), nominal_of(f->w.twin_b, b), x, &err), CPI_OK);
    assert_string_equal(x->ex.terms[RS_PC_FORENAME].level, "else");
    assert_string_equal(x->ex.terms[RS_PC_DOB].level, "exact");
    assert_string_equal(x->ex.terms[RS_PC_NID].level, "different");
    assert_string_not_equal(x->entity_a, x->entity_b);
    /* a swapped day and month is its own level */
    int sw = -1;
    for (int i = 0; i < f->w.np && sw < 0; i++)
        if (f->w.p[i].form && i % 17 == 3 && f->w.p[i].d <= 12 && f->w.p[i].d != f->w.p[i].m)
            sw = i;
    assert_true(sw >= 0);
    assert_int_equal(cpi_resolve_explain(f->st, nominal_of(sw, a), form_of(sw, b), x, &err), CPI_OK);
    assert_string_equal(x->ex.terms[RS_PC_DOB].level, "swap");
    /* mixed kinds and records are refused with a reason */
    assert_int_equal(cpi_resolve_explain(f->st, nominal_of(sw, a), "niche:LOC-0000001/1", x, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_resolve_explain(f->st, "niche:NOM-0000001", "niche:NOM-0000002/1", x, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_resolve_explain(f->st, "niche:NOM-9999999/1", "niche:NOM-0000002/1", x, &err),
                     CPI_NOT_FOUND);
    free(x);
}

static void test_overrides_obeyed_across_resolves(void **state)
{
    fixture *f = *state;
    world *w = &f->w;
    char a[64], b[64], c[64], d[64];
    cpi_error err = {0};
    resolve(f);
    int p1 = 10, p2 = 40; /* two unrelated people */
    expect_apart(f, nominal_of(p1, a), nominal_of(p2, b));
    expect_same(f, nominal_of(w->plain, c), form_of(w->plain, d));
    assert_int_equal(cpi_override_put(f->st, nominal_of(p1, a), nominal_of(p2, b), true, "test: same", 1, &err),
                     CPI_OK);
    assert_int_equal(cpi_override_put(f->st, form_of(w->plain, d), nominal_of(w->plain, c), false, "test: different",
                                      1, &err),
                     CPI_OK);
    for (int round = 0; round < 2; round++) {
        resolve(f);
        assert_int_equal(f->rep.overrides_same, 1);
        assert_int_equal(f->rep.overrides_different, 1);
        expect_same(f, nominal_of(p1, a), nominal_of(p2, b));
        expect_apart(f, nominal_of(w->plain, c), form_of(w->plain, d));
    }
    /* a new decision on the pair replaces the old one */
    assert_int_equal(cpi_override_put(f->st, nominal_of(w->plain, c), form_of(w->plain, d), true, "test: after all",
                                      2, &err),
                     CPI_OK);
    resolve(f);
    assert_int_equal(f->rep.overrides_different, 0);
    expect_same(f, nominal_of(w->plain, c), form_of(w->plain, d));
    /* refused: one mention twice, a record instead of a mention, two kinds, no reason */
    assert_int_equal(cpi_override_put(f->st, a, a, true, "x", 1, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_override_put(f->st, "niche:NOM-0000001", b, true, "x", 1, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_override_put(f->st, a, "niche:LOC-0000001/1", true, "x", 1, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_override_put(f->st, a, b, true, "", 1, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_override_put(f->st, a, "niche:NOM-0000001/2", true, "x", 1, &err), CPI_NOT_FOUND);
}

static void test_stable_ids_with_added_data(void **state)
{
    fixture *f = *state;
    resolve(f);
    uint64_t first_entities = f->rep.kind[CPI_KIND_PERSON].entities;
    char a[64];
    char *before = malloc((size_t)f->w.np * CPI_ENTITY_ID_MAX);
    for (int i = 0; i < f->w.np; i++)
        strcpy(before + (size_t)i * CPI_ENTITY_ID_MAX, entity(f, nominal_of(i, a)));
    cpi_kind k; /* ids are well formed */
    uint64_t num;
    cpi_error err;
    assert_int_equal(cpi_entity_id_parse(before, &k, &num, &err), CPI_OK);
    assert_int_equal(k, CPI_KIND_PERSON);

    assert_int_equal(cpi_store_write(f->st, write_more, &f->w, &err), CPI_OK);
    resolve(f);
    for (int i = 0; i < f->w.np; i++)
        assert_string_equal(entity(f, nominal_of(i, a)), before + (size_t)i * CPI_ENTITY_ID_MAX);
    const cpi_resolve_kind_report *r = &f->rep.kind[CPI_KIND_PERSON];
    assert_int_equal(r->kept_ids, first_entities);
    assert_int_equal(r->new_ids, 1); /* the new person; the new form joined the plain person */
    assert_int_equal(r->splits, 0);
    assert_int_equal(r->merges, 0);
    assert_string_equal(entity(f, "miraf:MF-2023-900001/1"), before + (size_t)f->w.plain * CPI_ENTITY_ID_MAX);
    /* the new person's number comes after every number handed out before */
    assert_int_equal(cpi_entity_id_parse(entity(f, "miraf:MF-2023-900002/1"), &k, &num, &err), CPI_OK);
    assert_true(num > first_entities);
    free(before);
}

/* What the combination entries of the log say: how many, and the last one's user, command and edges. */
typedef struct combination_seen {
    unsigned n;
    char user[CPI_USER_MAX], command[32], edges[24];
} combination_seen;

static cpi_status note_combination(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    combination_seen *c = ctx;
    c->n++;
    snprintf(c->user, sizeof c->user, "%s", e->user);
    snprintf(c->command, sizeof c->command, "%s", e->command);
    const char *edges = cpi_kv_get(&e->details, "edges");
    snprintf(c->edges, sizeof c->edges, "%s", edges ? edges : "");
    return CPI_OK;
}

/* The graph a resolve left stands on its entities, is what a fresh build makes, and is logged with them. */
static void check_graph_of_run(fixture *f, unsigned runs)
{
    cpi_error err = {0};
    cpi_txn *t;
    cpi_graph_verify_report vr;
    assert_int_equal(cpi_store_read_begin(f->st, &t, &err), CPI_OK);
    assert_int_equal(cpi_graph_verify(t, &vr, &err), CPI_OK);
    cpi_txn_end(t);
    assert_false(vr.resolve_due);
    uint64_t entities = 0;
    for (int k = 1; k <= CPI_KIND_COUNT; k++)
        entities += f->rep.kind[k].entities;
    assert_true(f->rep.graph.edges > 0);
    assert_int_equal(f->rep.graph.entities, entities);
    cpi_graph_stats fresh;
    assert_int_equal(cpi_graph_build(f->st, NULL, &fresh, &err), CPI_OK);
    cpi_graph_verify_report again; /* the fresh build stored what the run had: the same cards and edges */
    assert_int_equal(cpi_store_read_begin(f->st, &t, &err), CPI_OK);
    assert_int_equal(cpi_graph_verify(t, &again, &err), CPI_OK);
    cpi_txn_end(t);
    assert_int_equal(again.cards, vr.cards);
    assert_int_equal(again.edges, vr.edges);
    assert_int_equal(fresh.edges, f->rep.graph.edges);
    assert_int_equal(fresh.entities, f->rep.graph.entities);
    assert_int_equal(fresh.components, f->rep.graph.components);
    combination_seen c = {0};
    cpi_audit_filter flt = {.kind = CPI_AUDIT_COMBINATION};
    assert_int_equal(cpi_audit_query(f->st, &flt, note_combination, &c, &err), CPI_OK);
    assert_int_equal(c.n, runs);
    assert_string_equal(c.user, "resolver1");
    assert_string_equal(c.command, "resolve");
    char edges[24];
    snprintf(edges, sizeof edges, "%llu", (unsigned long long)f->rep.graph.edges);
    assert_string_equal(c.edges, edges);
}

/* cpi_resolve_run alone rebuilds the graph in its transaction and logs the combination; again after new data. */
static void test_run_builds_graph(void **state)
{
    fixture *f = *state;
    resolve(f);
    check_graph_of_run(f, 1);
    uint64_t edges = f->rep.graph.edges, people = f->rep.kind[CPI_KIND_PERSON].entities;
    cpi_error err = {0};
    assert_int_equal(cpi_store_write(f->st, write_more, &f->w, &err), CPI_OK);
    resolve(f);
    check_graph_of_run(f, 2);
    assert_int_equal(f->rep.kind[CPI_KIND_PERSON].entities, people + 1);
    assert_true(f->rep.graph.edges > edges);
    /* a run that stores its result is logged, so it needs a user; a dry run does not */
    cpi_resolve_opts o;
    cpi_resolve_opts_default(&o);
    assert_int_equal(cpi_resolve_run(f->st, &o, &f->rep, &err), CPI_ERR_USAGE);
    o.dry_run = true;
    assert_int_equal(cpi_resolve_run(f->st, &o, &f->rep, &err), CPI_OK);
    assert_int_equal(f->rep.graph.edges, 0);
}

static void test_split_and_merge_counted(void **state)
{
    fixture *f = *state;
    world *w = &f->w;
    char a[64], b[64];
    cpi_error err = {0};
    resolve(f);
    char *id = strdup(entity(f, nominal_of(w->plain, a)));
    expect_same(f, nominal_of(w->plain, a), form_of(w->plain, b));
    /* split a person's form from the nominal: one split, the larger part (nominal and its
     * address link) keeps the id, the form gets a new one */
    assert_int_equal(cpi_override_put(f->st, nominal_of(w->plain, a), form_of(w->plain, b), false, "test: split", 1,
                                      &err),
                     CPI_OK);
    resolve(f);
    const cpi_resolve_kind_report *r = &f->rep.kind[CPI_KIND_PERSON];
    assert_int_equal(r->splits, 1);
    assert_int_equal(r->merges, 0);
    assert_int_equal(r->new_ids, 1);
    assert_int_equal(r->retired_ids, 0);
    assert_string_equal(entity(f, nominal_of(w->plain, a)), id);
    assert_string_not_equal(entity(f, form_of(w->plain, b)), id);
    /* change the decision: they merge again under the id most of them carried */
    assert_int_equal(cpi_override_put(f->st, form_of(w->plain, b), nominal_of(w->plain, a), true, "test: merge", 2,
                                      &err),
                     CPI_OK);
    resolve(f);
    assert_int_equal(r->merges, 1);
    assert_int_equal(r->splits, 0);
    assert_int_equal(r->new_ids, 0);
    assert_int_equal(r->retired_ids, 1);
    assert_string_equal(entity(f, form_of(w->plain, b)), id);
    free(id);
}

static void test_export_every_mention(void **state)
{
    fixture *f = *state;
    resolve(f);
    char *path = malloc(strlen(f->dir) + 16);
    sprintf(path, "%s/entities.csv", f->dir);
    FILE *out = fopen(path, "w");
    uint64_t rows = 0;
    cpi_error err = {0};
    assert_int_equal(cpi_export_entities(f->st, out, &rows, &err), CPI_OK);
    fclose(out);
    assert_int_equal(rows, f->rep.mentions);
    FILE *in = fopen(path, "r");
    char line[256];
    uint64_t n = 0, empty = 0;
    assert_non_null(fgets(line, sizeof line, in));
    assert_string_equal(line, "reference,entity_id\n");
    while (fgets(line, sizeof line, in)) {
        n++;
        char *comma = strchr(line, ',');
        assert_non_null(comma);
        empty += comma[1] == '\n';
    }
    fclose(in);
    assert_int_equal(n, f->rep.mentions);
    assert_int_equal(empty, 0);
    free(path);
}

/* ------------------------------------------------------------ the commands */

static char *cpindex_cmd(fixture *f, const char *args, int *status)
{
    char cmd[8192];
    char *bin = tu_build_path("cpindex");
    const char *user = getpwuid(getuid())->pw_name;
    snprintf(cmd, sizeof cmd, "env -u CPINDEX_USER -u CPINDEX_REASON -u CPINDEX_DB '%s' --db '%s' %s 2>&1", bin,
             f->db, args);
    char *p = strstr(cmd, "@USER@");
    if (p) { /* splice the store owner's name (the implicit admin) in */
        char rest[8192];
        snprintf(rest, sizeof rest, "%s%s", user, p + 6);
        snprintf(p, sizeof cmd - (size_t)(p - cmd), "%s", rest);
    }
    free(bin);
    return tu_run(cmd, status);
}

static json_t *cpindex_json(fixture *f, const char *args)
{
    int st = -1;
    char *out = cpindex_cmd(f, args, &st);
    json_error_t je;
    json_t *j = st == 0 ? json_loads(out, 0, &je) : NULL;
    if (!j)
        fail_msg("cpindex %s: exit %d, output:\n%s", args, st, out);
    free(out);
    return j;
}

static void expect_cmd(fixture *f, const char *args, int status, const char *fragment)
{
    int st = -1;
    char *out = cpindex_cmd(f, args, &st);
    if (st != status || (fragment && !strstr(out, fragment)))
        fail_msg("cpindex %s: exit %d (want %d), output:\n%s\n(wanted '%s')", args, st, status, out,
                 fragment ? fragment : "");
    free(out);
}

static cpi_status count_kind(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    (void)err;
    ((int *)ctx)[e->kind]++;
    return CPI_OK;
}

static void test_commands_end_to_end(void **state)
{
    fixture *f = *state;
    world *w = &f->w;
    char a[64], b[64], args[512];
    /* nothing without a user and a reason */
    static const char *const gated[] = {"resolve", "review", "export entities", "explain niche:NOM-0000001/1 "
                                        "niche:NOM-0000002/1", "link niche:NOM-0000001/1 niche:NOM-0000002/1 --same"};
    for (size_t i = 0; i < sizeof gated / sizeof gated[0]; i++)
        expect_cmd(f, gated[i], 2, "refused");
    json_t *r = cpindex_json(f, "resolve --json --user @USER@ --reason 'resolve command test run'");
    /* reading and exporting are an analyst's: the owner is only an admin */
    expect_cmd(f, "user add an.analyst --role analyst --user @USER@ --reason 'test analyst account'", 0, NULL);
    json_t *person = json_object_get(json_object_get(r, "kinds"), "person");
    assert_int_equal(json_integer_value(json_object_get(person, "entities")), w->np);
    assert_true(json_is_true(json_object_get(json_object_get(person, "em"), "converged")));
    json_int_t mentions = json_integer_value(json_object_get(r, "mentions"));
    assert_true(mentions > 0);
    json_decref(r);
    /* explain: the plain person's nominal and form, one entity, linked */
    snprintf(args, sizeof args, "explain %s %s --json --user an.analyst --reason 'explain command test run'",
             nominal_of(w->plain, a), form_of(w->plain, b));
    json_t *x = cpindex_json(f, args);
    assert_string_equal(json_string_value(json_object_get(x, "band")), "link");
    assert_true(json_is_true(json_object_get(x, "same_entity")));
    assert_int_equal(json_array_size(json_object_get(json_object_get(x, "waterfall"), "terms")), RS_PC__N);
    json_decref(x);
    /* review lists what it shows, children first */
    json_t *rv = cpindex_json(f, "review --json --limit 3 --user an.analyst --reason 'review command test run'");
    assert_true(json_integer_value(json_object_get(rv, "shown")) <= 3);
    json_t *pairs = json_object_get(rv, "pairs");
    bool seen_adult = false;
    for (size_t i = 0; i < json_array_size(pairs); i++) {
        bool child = json_is_true(json_object_get(json_array_get(pairs, i), "child"));
        assert_false(child && seen_adult);
        seen_adult |= !child;
    }
    json_decref(rv);
    /* a decision, then the next resolve obeys it */
    snprintf(args, sizeof args, "link %s %s --different --user @USER@ --reason 'different people, checked by hand'",
             nominal_of(w->plain, a), form_of(w->plain, b));
    expect_cmd(f, args, 0, "takes effect at the next");
    expect_cmd(f, "resolve --user @USER@ --reason 'resolve after a decision'", 0, "decisions   0 same, 1 different");
    expect_apart(f, nominal_of(w->plain, a), form_of(w->plain, b));
    /* export: a line per mention and the header */
    snprintf(args, sizeof args, "export entities --out '%s/e.csv' --user an.analyst --reason 'export command test run'",
             f->dir);
    expect_cmd(f, args, 0, "exported");
    char *cmd = malloc(strlen(f->dir) + 64);
    sprintf(cmd, "wc -l < '%s/e.csv'", f->dir);
    char *wc = tu_run(cmd, NULL);
    assert_int_equal(strtoull(wc, NULL, 10), (unsigned long long)mentions + 1);
    free(wc);
    free(cmd);
    /* each left its entry in the audit log */
    int kinds[CPI_AUDIT_ACCESS + 1] = {0};
    cpi_error err = {0};
    assert_int_equal(cpi_audit_query(f->st, &(cpi_audit_filter){0}, count_kind, kinds, &err), CPI_OK);
    assert_int_equal(kinds[CPI_AUDIT_COMBINATION], 3); /* two resolves and the decision */
    assert_int_equal(kinds[CPI_AUDIT_CONSULTATION], 2); /* explain, review */
    assert_int_equal(kinds[CPI_AUDIT_DISCLOSURE], 1);
    /* usage errors */
    expect_cmd(f, "link niche:NOM-0000001/1 --same --user @USER@ --reason 'two words'", 2, "name two mentions");
    expect_cmd(f, "link niche:NOM-0000001/1 niche:NOM-0000002/1 --user @USER@ --reason 'two words'", 2,
               "--same or --different");
    expect_cmd(f, "export people --user an.analyst --reason 'two words'", 2, "not something export writes");
    expect_cmd(f, "resolve --link 1.5 --user @USER@ --reason 'two words'", 2, "probability between 0 and 1");
}

/*
 * An adult of concern written in MACE with his name and street name but no DOB, each time as a
 * risk to another child than his Niche nominal's occurrences name: the pair scores below the
 * link band (no DOB, nothing related shared), but forename, surname and street name together
 * are one person, so he joins his nominal. Another "Gethin Harries" known as "Ace" does not.
 */
static cpi_status write_adults(cpi_txn *t, void *ctx, cpi_error *err)
{
    world *w = ctx;
    int32_t day = cpi_norm_days_from_ymd(2023, 5, 1);
    mspec nom = {CPI_KIND_PERSON, "nominal", {0}};
    nom.v[CPI_F_FORENAMES] = "Gethin", nom.v[CPI_F_SURNAME] = "HARRIES", nom.v[CPI_F_DOB] = "14/02/1986",
    nom.v[CPI_F_GENDER] = "M", nom.v[CPI_F_NOMINAL_ID] = "NOM-0900001", nom.v[CPI_F_STREET_NAME] = "Smokey";
    cpi_status s = put(t, "niche:NOM-0900001", "nominal", day, &nom, 1, NULL, 0, err);
    char ref[64], dob[16];
    for (int k = 0; k < 3 && !s; k++) {
        const person *c = &w->p[2 + 5 * k]; /* a child of some household */
        mspec mace[3] = {{CPI_KIND_PERSON, "child-discussed", {0}}, {CPI_KIND_PERSON, "adult-of-concern", {0}},
                         {CPI_KIND_PERSON, "adult-of-concern", {0}}};
        char name[64];
        snprintf(name, sizeof name, "%s %s", c->fore, c->sur);
        snprintf(dob, sizeof dob, "%04d-%02d-%02d", c->y, c->m, c->d);
        mace[0].v[CPI_F_NAME] = name, mace[0].v[CPI_F_DOB] = dob;
        mace[1].v[CPI_F_NAME] = "Gethin HARRIES", mace[1].v[CPI_F_STREET_NAME] = k == 2 ? "Ace" : "Smokey";
        mace[2].v[CPI_F_NAME] = "Rhys MORGAN"; /* a second adult, so the record names several people */
        rspec rel[2] = {{"poses-risk-to", 2, 1}, {"poses-risk-to", 3, 1}};
        snprintf(ref, sizeof ref, "mace:MACE-09%05d", k + 1);
        s = put(t, ref, "mace-child", day + k, mace, 3, rel, 2, err);
    }
    return s;
}

static void test_street_named_adult(void **state)
{
    fixture *f = *state;
    cpi_error err = {0};
    if (cpi_store_write(f->st, write_adults, &f->w, &err))
        fail_msg("write: %s", err.msg);
    resolve(f);
    expect_same(f, "mace:MACE-0900001/2", "niche:NOM-0900001/1");
    expect_same(f, "mace:MACE-0900002/2", "niche:NOM-0900001/1");
    expect_apart(f, "mace:MACE-0900003/2", "niche:NOM-0900001/1");
}

/*
 * The DOB-less phase of cpi_rs_join_links: a person without a DOB joins a cluster through a pair
 * below the link band only when the pair says the names and a context (or the street name)
 * agree, and even then not when that would make two Niche nominals one.
 */
static void test_deferred_below_link(void **state)
{
    (void)state;
    enum { N = 8 };
    cpi_rs_data d = {0};
    cpi_rs_mention m[N];
    cpi_rs_record r[N];
    lone_mentions(&d, m, r, N, CPI_KIND_PERSON);
    for (uint32_t i = 1; i < N; i += 2)
        m[i].dob_lo = m[i].dob_hi = 12000 + (int32_t)i; /* odd ones have a DOB */
    m[4].key[RS_P_NID] = 41; /* 4 and 5: two nominals */
    m[5].key[RS_P_NID] = 42;
    cpi_rs_uf uf;
    seeded_uf(&uf, &d);
    uint8_t defer[N];
    for (uint32_t i = 0; i < N; i++)
        defer[i] = m[i].dob_lo == CPI_DAY_NONE;
    cpi_rs_scored v[] = {
        {0, 1, 4.2, 0.95, RS_PAIR_NAME_CONTEXT}, /* names and a related person agree: joins */
        {2, 3, 4.2, 0.95, 0},                    /* the same probability alone: stays apart */
        {4, 5, 4.2, 0.95, RS_PAIR_NAME_CONTEXT}, /* two nominals: stays apart */
        {6, 7, -1.0, 0.33, RS_PAIR_NAME_STREET}, /* name and street name: joins whatever the score */
    };
    cpi_resolve_kind_report kr = {0};
    cpi_rs_join_links(&uf, v, sizeof v / sizeof v[0], 0.99, defer, &kr);
    assert_int_equal(cpi_rs_find(&uf, 0), cpi_rs_find(&uf, 1));
    assert_int_not_equal(cpi_rs_find(&uf, 2), cpi_rs_find(&uf, 3));
    assert_int_not_equal(cpi_rs_find(&uf, 4), cpi_rs_find(&uf, 5));
    assert_int_equal(cpi_rs_find(&uf, 6), cpi_rs_find(&uf, 7));
    assert_int_equal(kr.joined, 2);
    cpi_rs_uf_free(&uf);
}

/*
 * The street+sx blocking rule: a MACE row's "James ROBERTS, street name Chief" (no DOB) and the
 * Niche nominal known as Chief meet although the name block of a common name is capped (ordered by
 * DOB, the DOB-less row meets only the nominals born latest).
 */
static cpi_status write_capped_name(cpi_txn *t, void *ctx, cpi_error *err)
{
    (void)ctx;
    int32_t day = cpi_norm_days_from_ymd(2024, 3, 5);
    cpi_status s = CPI_OK;
    for (int i = 0; i < 9 && !s; i++) {
        char ref[32], nid[16], dob[16];
        snprintf(nid, sizeof nid, "NOM-96%05d", i);
        snprintf(ref, sizeof ref, "niche:%s", nid);
        snprintf(dob, sizeof dob, "01/02/%d", 1980 + i);
        mspec nom = {CPI_KIND_PERSON, "nominal", {0}};
        nom.v[CPI_F_FORENAMES] = "James", nom.v[CPI_F_SURNAME] = "Roberts", nom.v[CPI_F_DOB] = dob;
        nom.v[CPI_F_NOMINAL_ID] = nid, nom.v[CPI_F_STREET_NAME] = i == 0 ? "Chief" : NULL;
        s = put(t, ref, "nominal", day, &nom, 1, NULL, 0, err);
    }
    mspec row = {CPI_KIND_PERSON, "adult-of-concern", {0}};
    row.v[CPI_F_NAME] = "James ROBERTS", row.v[CPI_F_STREET_NAME] = "Chief";
    return s ? s : put(t, "mace:MACE-9600001", "mace-child", day, &row, 1, NULL, 0, err);
}

static void test_block_street_surname(void **state)
{
    (void)state;
    char *dir;
    cpi_store *st = scratch_store(write_capped_name, NULL, &dir);
    cpi_error err = {0};
    cpi_resolve_opts o;
    cpi_resolve_opts_default(&o);
    o.block_cap = 4, o.window = 2, o.dry_run = true;
    cpi_resolve_report *rep = calloc(1, sizeof *rep);
    assert_int_equal(cpi_resolve_run(st, &o, rep, &err), CPI_OK);
    const cpi_resolve_rule_report *name = NULL, *street = NULL;
    for (unsigned k = 0; k < rep->nrules; k++) {
        if (strcmp(rep->rules[k].name, "person name") == 0)
            name = &rep->rules[k];
        if (strcmp(rep->rules[k].name, "person street+sx") == 0)
            street = &rep->rules[k];
    }
    assert_non_null(name);
    assert_non_null(street);
    assert_int_equal(name->capped, 1); /* the ten James Roberts */
    assert_int_equal(street->blocks, 1);
    assert_int_equal(street->pairs, 1); /* the row and the nominal known as Chief */
    free(rep);
    cpi_store_close(st);
    tu_rmrf_free(dir);
}

/*
 * Two namesakes in the DOB-less phase: a mention known by name and street name alone ("Thomas
 * ROBERTS, Nitro") links to another MACE row of that adult (the link band), and fits two clusters
 * that conflict (born 1981 and 1989), one of them below the link band: it joins the row, and
 * neither of the two. With one of them alone it joins that one too.
 */
static void test_deferred_namesakes(void **state)
{
    (void)state;
    enum { N = 4 };
    cpi_rs_data d = {0};
    cpi_rs_mention m[N];
    cpi_rs_record r[N];
    lone_mentions(&d, m, r, N, CPI_KIND_PERSON);
    m[1].dob_lo = m[1].dob_hi = cpi_norm_days_from_ymd(1981, 5, 19);
    m[2].dob_lo = m[2].dob_hi = cpi_norm_days_from_ymd(1989, 8, 16);
    /* both: the 1989 cluster fits too, below the link band (linked: in it, through a related
     * person) - either way the mention joins neither */
    for (int both = 2; both >= 0; both--) {
        cpi_rs_uf uf;
        seeded_uf(&uf, &d);
        assert_true(cpi_rs_uf_conflict(&uf, 1, 2));
        uint8_t defer[N] = {1, 0, 0, 0};
        cpi_rs_scored v[] = {{0, 3, 12.0, 0.9998, RS_PAIR_NAME_CONTEXT},
                             {0, 1, -4.6, 0.04, RS_PAIR_NAME_STREET},
                             {0, 2, -0.5, 0.41, RS_PAIR_NAME_STREET}};
        if (both == 2)
            v[2] = (cpi_rs_scored){0, 2, 8.0, 0.996, 0};
        cpi_resolve_kind_report kr = {0};
        cpi_rs_join_links(&uf, v, both ? 3 : 2, 0.99, defer, &kr);
        assert_int_equal(cpi_rs_find(&uf, 0), cpi_rs_find(&uf, 3));
        assert_int_equal(cpi_rs_find(&uf, 0) == cpi_rs_find(&uf, 1), !both);
        assert_int_not_equal(cpi_rs_find(&uf, 0), cpi_rs_find(&uf, 2));
        assert_int_equal(kr.joined, both ? 1 : 2);
        cpi_rs_uf_free(&uf);
    }
}

/*
 * Places (resolve/places.c): a Niche location written without its house number on a street where
 * two numbered houses are known fits either, so it is left alone rather than guessed into the
 * first (cpi_rs_place_defer + cpi_rs_join_links); with one numbered house it joins it. And a
 * numberless Niche location does not link to a numbered one of another location id
 * (cpi_rs_place_demote), though it still links to a numbered form address with no id.
 */
static void test_numberless_places(void **state)
{
    (void)state;
    enum { N = 7 };
    cpi_rs_data d = {0};
    cpi_rs_mention m[N];
    cpi_rs_record r[N];
    memset(m, 0, sizeof m);
    memset(r, 0, sizeof r);
    cpi_error err = {0};
    uint32_t h1 = cpi_intern_id(&d.str, "1", 1, &err), h2 = cpi_intern_id(&d.str, "2", 1, &err);
    uint32_t st = cpi_intern_id(&d.str, "maple close", 11, &err);
    uint32_t pc = cpi_intern_id(&d.str, "CF83 7BD", 8, &err), pcs = cpi_intern_id(&d.str, "CF83 7", 6, &err);
    uint32_t lid[N];
    for (uint32_t i = 0; i < N; i++) {
        char b[16];
        snprintf(b, sizeof b, "LOC-%u", i);
        lid[i] = cpi_intern_id(&d.str, b, strlen(b), &err);
        m[i].kind = CPI_KIND_LOCATION;
        m[i].rec = i;
        m[i].num = 1;
        m[i].key[RS_L_STREET] = st, m[i].key[RS_L_PC] = pc, m[i].key[RS_L_PCS] = pcs;
        r[i] = (cpi_rs_record){.first = i, .nmentions = 1};
    }
    /* 0: "1 Maple Close", 1: "2 Maple Close", 2: "Maple Close" - a form each, no location id */
    m[0].key[RS_L_HOUSE] = h1, m[1].key[RS_L_HOUSE] = h2;
    /* 3: Niche "1 Maple Close", 4: Niche "Maple Close" (another id), 5: a form "1 Maple Close" */
    m[3].key[RS_L_HOUSE] = h1, m[3].key[RS_L_LID] = lid[3];
    m[4].key[RS_L_LID] = lid[4];
    m[5].key[RS_L_HOUSE] = h1;
    /* 6: Niche "Maple Close" on its own (with 3 alone on the street) */
    d.m = m, d.nm = N, d.recs = r, d.nrecs = N;
    cpi_rs_uf uf;
    assert_int_equal(cpi_rs_uf_init(&uf, &d, &err), CPI_OK);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(cpi_rs_uf_seed(&uf, i, &err), CPI_OK);
    uint8_t defer[N];
    cpi_rs_place_defer(&d, defer);
    assert_false(defer[0]);
    assert_false(defer[3]);
    assert_true(defer[2]);
    assert_true(defer[4]);
    cpi_rs_scored v[] = {
        {2, 0, 8.0, 0.999, 0}, {2, 1, 8.0, 0.999, 0}, /* numberless form: two houses fit */
        {4, 3, 8.0, 0.999, 0},                        /* numberless Niche id vs numbered Niche id */
        {4, 5, 8.0, 0.999, 0},                        /* ... vs a numbered form without an id */
    };
    size_t nv = sizeof v / sizeof v[0];
    assert_int_equal(cpi_rs_place_demote(&d, v, nv, 0.99), 1);
    assert_true(v[2].prob < 0.99);
    assert_true(v[3].prob >= 0.99);
    cpi_resolve_kind_report kr = {0};
    cpi_rs_join_links(&uf, v, nv, 0.99, defer, &kr);
    assert_int_not_equal(cpi_rs_find(&uf, 2), cpi_rs_find(&uf, 0));
    assert_int_not_equal(cpi_rs_find(&uf, 2), cpi_rs_find(&uf, 1));
    assert_int_equal(kr.ambiguous, 1);
    assert_int_not_equal(cpi_rs_find(&uf, 4), cpi_rs_find(&uf, 3));
    assert_int_equal(cpi_rs_find(&uf, 4), cpi_rs_find(&uf, 5));
    cpi_rs_uf_free(&uf);
    cpi_intern_free(&d.str);
}

/*
 * A place written by its name where an address goes ("Parc Rogerstone, NP10 9TW" on a MIRAF form,
 * which the address normaliser reads as a street) against the Niche location holding that name
 * at 26 High Street (cpi_rs_location_vec): the name agrees and the two streets are not compared.
 * A numberless street that is not the place's name, and a numbered address on a street of that
 * name, still compare as streets.
 */
static void test_place_named_as_street(void **state)
{
    (void)state;
    cpi_rs_lview form, niche, street, numbered;
    cpi_rs_lview_set(&form, NULL, NULL, "parc rogerstone", "NP10 9TW", "rogerstone", NULL, NULL);
    cpi_rs_lview_set(&niche, "26", NULL, "high street", "NP10 9TW", "rogerstone", "parc rogerstone", NULL);
    cpi_rs_lview_set(&street, NULL, NULL, "high street", "NP10 9TW", "rogerstone", NULL, NULL);
    cpi_rs_lview_set(&numbered, "3", NULL, "parc rogerstone", "NP10 9TW", "rogerstone", NULL, NULL);
    cpi_fs_vec v;
    cpi_rs_location_vec(&form, &niche, &v);
    assert_int_equal(v.levels[RS_LC_NAME], RS_PLACE_EXACT);
    assert_int_equal(v.levels[RS_LC_ADDRESS], CPI_ADDRESS_NULL);
    assert_int_equal(v.levels[RS_LC_POSTCODE], CPI_POSTCODE_FULL);
    cpi_rs_location_vec(&niche, &form, &v); /* either side */
    assert_int_equal(v.levels[RS_LC_NAME], RS_PLACE_EXACT);
    cpi_rs_location_vec(&street, &niche, &v);
    assert_int_equal(v.levels[RS_LC_NAME], RS_PLACE_NULL);
    cpi_rs_location_vec(&numbered, &niche, &v);
    assert_int_equal(v.levels[RS_LC_NAME], RS_PLACE_NULL);
    assert_int_equal(v.levels[RS_LC_ADDRESS], CPI_ADDRESS_ELSE);
}

/*
 * Forenames written the other way round, seen from a side with no surname at all: a MARAC child
 * "Jade" (age 4) beside a cluster holding "HALL Jade" (forename hall, mistyped hpall) and "Jade
 * Hall" does not conflict, since the cluster shows the crossing itself; "Logan" beside twins'
 * "Thomas Thomas" still does. And two mistypings of one forename ("oliveg", "olivre") conflict
 * until one side also holds the name they are both a keystroke from.
 */
static void test_swapped_names_weak_side(void **state)
{
    (void)state;
    static const char *const NAMES[][2] = {{"jade", NULL},       {"hpall", "jade"},   {"jade", "hall"},
                                           {"logan", NULL},      {"thomas", "thomas"}, {"oliveg", "moore"},
                                           {"oliver", "moore"},  {"olivre", "moore"},  {"ellie", "moore"},
                                           {"millie", "moore"}};
    enum { N = 10 };
    cpi_rs_data d = {0};
    cpi_rs_mention m[N];
    cpi_rs_record r[N];
    memset(m, 0, sizeof m);
    memset(r, 0, sizeof r);
    cpi_error err = {0};
    for (uint32_t i = 0; i < N; i++) {
        m[i].kind = CPI_KIND_PERSON;
        m[i].rec = i;
        m[i].num = 1;
        m[i].dob_lo = m[i].dob_hi = CPI_DAY_NONE;
        m[i].key[RS_P_FN] = cpi_intern_id(&d.str, NAMES[i][0], strlen(NAMES[i][0]), &err);
        if (NAMES[i][1])
            m[i].key[RS_P_SN] = cpi_intern_id(&d.str, NAMES[i][1], strlen(NAMES[i][1]), &err);
        r[i] = (cpi_rs_record){.first = i, .nmentions = 1};
    }
    d.m = m, d.nm = N, d.recs = r, d.nrecs = N;
    cpi_rs_uf uf;
    assert_int_equal(cpi_rs_uf_init(&uf, &d, &err), CPI_OK);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(cpi_rs_uf_seed(&uf, i, &err), CPI_OK);
    assert_int_equal(cpi_rs_uf_join(&uf, 1, 2, RS_JOIN_FORCE), 1);
    assert_false(cpi_rs_uf_conflict(&uf, 0, 1));
    assert_false(cpi_rs_uf_conflict(&uf, 1, 0));
    assert_true(cpi_rs_uf_conflict(&uf, 3, 4));
    assert_true(cpi_rs_uf_conflict(&uf, 4, 3));
    assert_true(cpi_rs_uf_conflict(&uf, 3, 1));
    /* two mistypings of one name bridge through it; two names a keystroke apart from nothing do not */
    assert_true(cpi_rs_uf_conflict(&uf, 5, 7));
    assert_int_equal(cpi_rs_uf_join(&uf, 5, 6, RS_JOIN_GUARDED), 1);
    assert_false(cpi_rs_uf_conflict(&uf, 5, 7));
    assert_false(cpi_rs_uf_conflict(&uf, 7, 5));
    assert_true(cpi_rs_uf_conflict(&uf, 8, 9));
    assert_true(cpi_rs_uf_conflict(&uf, 8, 5));
    cpi_rs_uf_free(&uf);
    cpi_intern_free(&d.str);
}

static void test_conflict_rules(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        bool conflict;
    } F[] = {
        {"ella", "lily", true},       {"ella", "ella", false},     {"elizabeth", "beth", false},
        {"dafydd", "dai", false},     {"rhiannon", "rhianon", false}, {"jack", "jatk", false},
        {"amelia", "amleia", false},  {"j", "james", false},       {"chris", "christopher", false},
        {"bethan", "elizabeth", true}, {"oliver", "olivia", true},  {"", "ella", false},
        /* a mistyped full form beside a short one: one keystroke from what the short one stands for */
        {"thzomas", "tom", false},    {"mikey", "micahel", false}, {"rhpiannon", "rhi", false},
        {"tim", "thomas", true},      {"tom", "thzmoas", true},
    };
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++)
        if (cpi_rs_forename_conflict(F[i].a, F[i].b) != F[i].conflict)
            fail_msg("forenames %s / %s: conflict should be %d", F[i].a, F[i].b, F[i].conflict);
    int32_t d = cpi_norm_days_from_ymd(2009, 3, 12);
    static const struct {
        int y, m, dd;
        bool conflict;
    } D[] = {
        {2009, 3, 12, false}, {2009, 12, 3, false}, /* swapped */
        {2010, 3, 12, false}, {2009, 3, 13, false}, /* a year off, one digit */
        {2009, 4, 2, false},  /* two parts, but within a month: maybe one bad entry */
        {2009, 9, 30, true},  /* a sibling months apart */
        {1980, 3, 12, true},  /* a father */
    };
    for (size_t i = 0; i < sizeof D / sizeof D[0]; i++) {
        int32_t e = cpi_norm_days_from_ymd(D[i].y, D[i].m, D[i].dd);
        if (cpi_rs_dob_conflict(d, d, e, e) != D[i].conflict)
            fail_msg("dob %04d-%02d-%02d: conflict should be %d", D[i].y, D[i].m, D[i].dd, D[i].conflict);
    }
    /* an age range (15 on 2024-06-01) against dates: a year's slack either side */
    int32_t lo = cpi_norm_days_from_ymd(2008, 6, 2), hi = cpi_norm_days_from_ymd(2009, 6, 1);
    assert_false(cpi_rs_dob_conflict(lo, hi, d, d));
    assert_false(cpi_rs_dob_conflict(lo, hi, cpi_norm_days_from_ymd(2010, 3, 1), cpi_norm_days_from_ymd(2010, 3, 1)));
    assert_true(cpi_rs_dob_conflict(lo, hi, cpi_norm_days_from_ymd(2012, 3, 1), cpi_norm_days_from_ymd(2012, 3, 1)));
    assert_false(cpi_rs_dob_conflict(CPI_DAY_NONE, CPI_DAY_NONE, d, d));
}

static void test_entity_ids(void **state)
{
    (void)state;
    char buf[CPI_ENTITY_ID_MAX];
    cpi_kind k;
    uint64_t n;
    cpi_error err;
    assert_int_equal(cpi_entity_id_format(CPI_KIND_PERSON, 1, buf, sizeof buf), 9);
    assert_string_equal(buf, "P-0000001");
    assert_int_equal(cpi_entity_id_format(CPI_KIND_LOCATION, 42, buf, sizeof buf), 9);
    assert_string_equal(buf, "L-0000042");
    cpi_entity_id_format(CPI_KIND_PHONE, 12345678, buf, sizeof buf);
    assert_string_equal(buf, "T-12345678");
    assert_int_equal(cpi_entity_id_parse("O-0000007", &k, &n, &err), CPI_OK);
    assert_int_equal(k, CPI_KIND_ONLINE);
    assert_int_equal(n, 7);
    static const char *const bad[] = {"", "P-", "P0000001", "X-0000001", "P-000000a", "P-0000000", "P-00001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cpi_entity_id_parse(bad[i], &k, &n, &err), CPI_ERR_USAGE);
    assert_int_equal(cpi_entity_id_format((cpi_kind)9, 1, buf, sizeof buf), -1);
}

static void test_intern(void **state)
{
    (void)state;
    cpi_intern t = {0};
    cpi_error err;
    char s[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(s, sizeof s, "value-%d", i);
        assert_int_equal(cpi_intern_id(&t, s, strlen(s), &err), (uint32_t)i + 1);
    }
    for (int i = 4999; i >= 0; i--) {
        snprintf(s, sizeof s, "value-%d", i);
        assert_int_equal(cpi_intern_id(&t, s, strlen(s), &err), (uint32_t)i + 1);
        assert_int_equal(cpi_intern_find_id(&t, s, strlen(s)), (uint32_t)i + 1);
        assert_string_equal(cpi_intern_id_str(&t, (uint32_t)i + 1), s);
    }
    assert_int_equal(cpi_intern_find_id(&t, "value-5000", 10), 0);
    assert_null(cpi_intern_id_str(&t, 0));
    assert_null(cpi_intern_id_str(&t, 5001));
    assert_int_equal(cpi_intern_id(&t, "", 0, &err), 5001); /* the empty string is a string */
    const char *first = t.strs[0];
    uint32_t x;
    int added;
    assert_int_equal(cpi_intern_add(&t, "value-7", 7, &x, &added), CPI_OK); /* numbers are ids - 1 */
    assert_int_equal(x, 7);
    assert_false(added);
    assert_int_equal(cpi_intern_add(&t, "value-70000x", 11, &x, &added), CPI_OK); /* not NUL-terminated */
    assert_true(added);
    assert_int_equal(x, 5001);
    assert_int_equal(cpi_intern_len(&t, x), 11);
    assert_int_equal(cpi_intern_find(&t, "value-70000", 11), 5001);
    assert_int_equal(cpi_intern_find(&t, "value-7000", 10), CPI_INTERN_NONE);
    assert_ptr_equal(t.strs[0], first); /* strings stay put as the table grows */
    assert_string_equal(first, "value-0");
    cpi_intern_free(&t);
}

/*
 * u of a comparison few members hold (a phone, a PNC id): measured among the members that hold
 * it, not floored by how few pairs of the main random sample happen to have it on both sides.
 * 20,000 members; 1 in 100 holds a "phone". In the first half of the run the holders' phones
 * are all different (true u of "same" is 0); in the second they come in groups of 5 (u = 4/199).
 * The main sample of 200,000 pairs sees about 20 pairs with phones on both sides: u of "same"
 * would be at least 1/22 either way.
 */
typedef struct u_ctx {
    int groups; /* 0: every holder's phone is its own */
} u_ctx;

static void u_vec(void *ctx, uint32_t a, uint32_t b, cpi_fs_vec *v, double tf[CPI_FS_MAX_CMP])
{
    const u_ctx *c = ctx;
    memset(v, 0, sizeof *v);
    for (int k = 0; k < CPI_FS_MAX_CMP; k++)
        tf[k] = 0;
    v->levels[0] = a % 2 == b % 2 ? 0 : 1;
    if (a % 100 || b % 100)
        v->levels[1] = 2;
    else {
        uint32_t pa = c->groups ? a / 100 % (uint32_t)c->groups : a, pb = c->groups ? b / 100 % (uint32_t)c->groups : b;
        v->levels[1] = pa == pb ? 0 : 1;
    }
}

static void test_u_of_rare_comparison(void **state)
{
    (void)state;
    static const char *const levels[] = {"same", "different", "null"};
    enum { N = 20000 };
    uint32_t *mem = malloc(N * sizeof *mem);
    assert_non_null(mem);
    for (uint32_t i = 0; i < N; i++)
        mem[i] = i;
    cpi_resolve_opts o = {0};
    cpi_resolve_opts_default(&o);
    o.u_pairs = 200000;
    for (int run = 0; run < 2; run++) {
        u_ctx c = {run ? 40 : 0};
        cpi_fs_model m;
        cpi_error err;
        cpi_fs_model_init(&m, 1e-3);
        assert_int_equal(cpi_fs_model_add(&m, "parity", 3, levels, 2, &err), CPI_OK);
        assert_int_equal(cpi_fs_model_add(&m, "phone", 3, levels, 2, &err), CPI_OK);
        cpi_rs_training tr = {.n = 0};
        cpi_rs_pairs none = {0};
        cpi_rs_scoredv out = {0};
        cpi_resolve_kind_report kr = {0};
        assert_int_equal(cpi_rs_fit_and_score(&m, &tr, u_vec, NULL, &c, mem, N, N, NULL, NULL, &none, NULL, &o, &out,
                                              &kr, &err),
                         CPI_OK);
        /* the common comparison comes from the main sample: half the pairs agree on parity */
        assert_true(m.cmp[0].u[0] > 0.48 && m.cmp[0].u[0] < 0.52);
        if (run == 0)
            assert_true(m.cmp[1].u[0] < 1e-3);
        else
            assert_true(m.cmp[1].u[0] > 0.015 && m.cmp[1].u[0] < 0.026);
        free(out.v);
    }
    free(mem);
}

/*
 * Folded levels (cpi_rs_fold): EM sees a DOB "a year out" or "ten years out" as "else", and the m
 * that level learns is shared out by the session's expected matches at each finer level, not by
 * how often the levels occur. Hand-written pairs, two comparisons: "agree" (same / different /
 * null) and "dob" (exact / year / decade / else / null). 400 matches agree, their DOB exact 300,
 * a year out 60, ten years out 20, else 20; 4,000 non-matches disagree, DOB a year out 200, ten
 * years out 1,200, else 2,600. The folded m (100 of 400 matches, 0.25) splits about 60 : 20 : 20;
 * shared by occurrence it would give "a year out" 0.016. u stays each level's own.
 */
static void fold_u_vec(void *ctx, uint32_t a, uint32_t b, cpi_fs_vec *v, double tf[CPI_FS_MAX_CMP])
{
    (void)ctx;
    memset(v, 0, sizeof *v);
    for (int k = 0; k < CPI_FS_MAX_CMP; k++)
        tf[k] = 0;
    uint32_t h = (a * 2654435761u) ^ (b * 40503u);
    v->levels[0] = 1;
    v->levels[1] = h % 20 == 0 ? 1 : h % 20 <= 6 ? 2 : 3; /* year 1/20, decade 6/20, else 13/20 */
}

static void test_fold_shares_by_matches(void **state)
{
    (void)state;
    static const char *const agree[] = {"same", "different", "null"};
    static const char *const dob[] = {"exact", "year", "decade", "else", "null"};
    enum { NM = 400, NU = 4000, N = NM + NU, MEMBERS = 5000 };
    cpi_rs_pairs pairs = {0};
    cpi_rs_pairvec *pv = calloc(N, sizeof *pv);
    uint32_t *mem = malloc(MEMBERS * sizeof *mem);
    assert_non_null(pv);
    assert_non_null(mem);
    for (uint32_t i = 0; i < MEMBERS; i++)
        mem[i] = i;
    cpi_error err;
    for (uint32_t k = 0; k < N; k++) {
        assert_int_equal(cpi_rs_pairs_add(&pairs, k, k + N, &err), CPI_OK);
        bool match = k < NM;
        uint32_t r = match ? k : k - NM;
        pv[k].v.levels[0] = match ? 0 : 1;
        pv[k].v.levels[1] = match ? (r < 300 ? 0 : r < 360 ? 1 : r < 380 ? 2 : 3)
                                  : (r < 200 ? 1 : r < 1400 ? 2 : 3);
    }
    cpi_resolve_opts o = {0};
    cpi_resolve_opts_default(&o);
    o.u_pairs = 100000;
    o.possible = 1.1; /* score nothing: the model is what is under test */
    cpi_fs_model m;
    cpi_fs_model_init(&m, 1e-3);
    assert_int_equal(cpi_fs_model_add(&m, "agree", 3, agree, 2, &err), CPI_OK);
    assert_int_equal(cpi_fs_model_add(&m, "dob", 5, dob, 4, &err), CPI_OK);
    cpi_rs_training tr = {.n = 1, .prior_session = 0, .fold = {1, 3, 1u << 1 | 1u << 2}};
    tr.s[0] = (cpi_rs_session){{-1, -1}, {0, 0}, 0, 3};
    cpi_rs_scoredv out = {0};
    cpi_resolve_kind_report kr = {0};
    assert_int_equal(cpi_rs_fit_and_score(&m, &tr, fold_u_vec, NULL, NULL, mem, MEMBERS, MEMBERS, NULL, NULL, &pairs,
                                          pv, &o, &out, &kr, &err),
                     CPI_OK);
    assert_true(kr.trained);
    assert_int_equal(cpi_fs_model_check(&m, &err), CPI_OK);
    const double *dm = m.cmp[1].m, *du = m.cmp[1].u;
    assert_true(dm[0] > 0.70 && dm[0] < 0.80);
    assert_true(dm[1] > 0.12 && dm[1] < 0.18);                 /* 60 of the 100 folded matches */
    assert_true(dm[2] > 0.03 && dm[2] < 0.07 && dm[3] > 0.03 && dm[3] < 0.07);
    assert_true(du[1] > 0.04 && du[1] < 0.06 && du[2] > 0.27 && du[2] < 0.33); /* u unfolded */
    cpi_rs_pairs_free(&pairs);
    free(out.v);
    free(pv);
    free(mem);
}

/*
 * A school written by its name alone, where several schools carry the name
 * (cpi_rs_place_names_by_people): it joins the one in the district its
 * record's child lives near, learnt from every such mention's votes. Four
 * names, each carried by a school in NP19 and one elsewhere; children living
 * in NP18 name each three times: NP19 collects their votes and each mention
 * joins its NP19 school. A fifth name carried by two NP19 schools stays
 * ambiguous.
 */
static void test_school_by_child_district(void **state)
{
    (void)state;
    enum { NAMES = 5, PER = 3, NSCHOOL = 2 * NAMES, NREC = NSCHOOL + NAMES * PER, NM = NSCHOOL + NAMES * PER * 3 };
    static const char *const OTHER[NAMES] = {"NP44", "NP7", "NP25", "NP10", "NP19"};
    cpi_rs_data d = {0};
    cpi_rs_mention m[NM];
    cpi_rs_record r[NREC];
    cpi_rs_rel rel[NAMES * PER];
    memset(m, 0, sizeof m);
    memset(r, 0, sizeof r);
    cpi_error err = {0};
    uint32_t np19 = cpi_intern_id(&d.str, "NP19", 4, &err), np18 = cpi_intern_id(&d.str, "NP18", 4, &err);
    uint32_t street = cpi_intern_id(&d.str, "maes y deri", 11, &err), name[NAMES];
    uint32_t nm = 0, nr = 0, nrel = 0;
    for (int k = 0; k < NAMES; k++) {
        char b[32];
        snprintf(b, sizeof b, "school %d", k);
        name[k] = cpi_intern_id(&d.str, b, strlen(b), &err);
        for (int j = 0; j < 2; j++) { /* school 2k in NP19, 2k+1 elsewhere */
            m[nm] = (cpi_rs_mention){.rec = nr, .num = 1, .kind = CPI_KIND_LOCATION};
            m[nm].key[RS_L_PLACE] = name[k];
            m[nm].key[RS_L_STREET] = street;
            m[nm].key[RS_L_PCD] = j ? cpi_intern_id(&d.str, OTHER[k], strlen(OTHER[k]), &err) : np19;
            r[nr++] = (cpi_rs_record){.first = nm++, .nmentions = 1};
        }
    }
    uint32_t first_named = nm;
    for (int k = 0; k < NAMES; k++)
        for (int q = 0; q < PER; q++) { /* a MACE row: the child, the school by name, the child's home */
            r[nr] = (cpi_rs_record){.first = nm, .nmentions = 3, .first_rel = nrel, .nrels = 1};
            m[nm] = (cpi_rs_mention){.rec = nr, .num = 1, .kind = CPI_KIND_PERSON, .flags = RS_F_CHILD_ROLE};
            m[nm + 1] = (cpi_rs_mention){.rec = nr, .num = 2, .kind = CPI_KIND_LOCATION};
            m[nm + 1].key[RS_L_PLACE] = name[k];
            m[nm + 2] = (cpi_rs_mention){.rec = nr, .num = 3, .kind = CPI_KIND_LOCATION};
            m[nm + 2].key[RS_L_STREET] = street;
            m[nm + 2].key[RS_L_PCD] = np18;
            rel[nrel++] = (cpi_rs_rel){nm, nm + 2, RS_REL_LIVES_AT};
            nm += 3;
            nr++;
        }
    d.m = m, d.nm = nm, d.recs = r, d.nrecs = nr, d.rels = rel, d.nrels = nrel;
    cpi_rs_uf uf;
    assert_int_equal(cpi_rs_uf_init(&uf, &d, &err), CPI_OK);
    for (uint32_t i = 0; i < nm; i++)
        assert_int_equal(cpi_rs_uf_seed(&uf, i, &err), CPI_OK);
    cpi_resolve_kind_report kr = {0};
    kr.weak_ambiguous = NAMES * PER;
    assert_int_equal(cpi_rs_place_names_by_people(&d, &uf, &kr, &err), CPI_OK);
    for (int k = 0; k < NAMES; k++)
        for (int q = 0; q < PER; q++) {
            uint32_t i = first_named + (uint32_t)(k * PER + q) * 3 + 1;
            if (k < NAMES - 1) {
                assert_int_equal(cpi_rs_find(&uf, i), cpi_rs_find(&uf, (uint32_t)(2 * k)));
                assert_int_not_equal(cpi_rs_find(&uf, i), cpi_rs_find(&uf, (uint32_t)(2 * k + 1)));
            } else {
                assert_int_not_equal(cpi_rs_find(&uf, i), cpi_rs_find(&uf, (uint32_t)(2 * k)));
                assert_int_not_equal(cpi_rs_find(&uf, i), cpi_rs_find(&uf, (uint32_t)(2 * k + 1)));
            }
        }
    assert_int_equal(kr.weak_linked, (NAMES - 1) * PER);
    assert_int_equal(kr.weak_ambiguous, PER);
    cpi_rs_uf_free(&uf);
    cpi_intern_free(&d.str);
}

/*
 * The record's area (cpi_rs_place_names_by_people): a MACE row's EAST or WEST, and the district
 * each area's schools are in, learnt from rows naming schools only one place carries (twelve
 * EAST rows name schools in NP20, twelve WEST rows schools in NP44). Then "Heol Las Primary
 * School", carried by a school in NP20 and one in NP44, named in a WEST row whose child has no
 * known home joins the NP44 school; "Ysgol Gyfun Newport", carried by two NP20 schools, named in
 * an EAST row stays alone.
 */
static void test_school_by_area(void **state)
{
    (void)state;
    enum { LEARN = 12, NSCHOOL = 2 * LEARN + 4, NM = NSCHOOL + 2 * LEARN + 2 };
    cpi_rs_data d = {0};
    cpi_rs_mention m[NM];
    cpi_rs_record r[NM];
    memset(m, 0, sizeof m);
    memset(r, 0, sizeof r);
    cpi_error err = {0};
    uint32_t pd[2] = {cpi_intern_id(&d.str, "NP20", 4, &err), cpi_intern_id(&d.str, "NP44", 4, &err)};
    uint32_t area[2] = {cpi_intern_id(&d.str, "EAST", 4, &err), cpi_intern_id(&d.str, "WEST", 4, &err)};
    uint32_t street = cpi_intern_id(&d.str, "maes y deri", 11, &err);
    uint32_t las = cpi_intern_id(&d.str, "heol las primary school", 23, &err);
    uint32_t ysgol = cpi_intern_id(&d.str, "ysgol gyfun newport", 19, &err);
    uint32_t nm = 0, name[2 * LEARN];
    /* one school per learning name (the first LEARN in NP20), then Heol Las in NP20 and NP44, then
     * Ysgol Gyfun Newport twice in NP20 */
    for (uint32_t k = 0; k < NSCHOOL; k++) {
        char b[32];
        snprintf(b, sizeof b, "school %u", k);
        m[nm] = (cpi_rs_mention){.rec = nm, .num = 1, .kind = CPI_KIND_LOCATION};
        if (k < 2 * LEARN)
            m[nm].key[RS_L_PLACE] = name[k] = cpi_intern_id(&d.str, b, strlen(b), &err);
        else
            m[nm].key[RS_L_PLACE] = k < 2 * LEARN + 2 ? las : ysgol;
        m[nm].key[RS_L_STREET] = street;
        m[nm].key[RS_L_PCD] = pd[k < LEARN || k == 2 * LEARN || k >= 2 * LEARN + 2 ? 0 : 1];
        r[nm] = (cpi_rs_record){.first = nm, .nmentions = 1};
        nm++;
    }
    /* the MACE rows, the school by its name alone */
    for (uint32_t k = 0; k < 2 * LEARN + 2; k++) {
        m[nm] = (cpi_rs_mention){.rec = nm, .num = 1, .kind = CPI_KIND_LOCATION};
        m[nm].key[RS_L_PLACE] = k < 2 * LEARN ? name[k] : k == 2 * LEARN ? las : ysgol;
        r[nm] = (cpi_rs_record){.first = nm, .nmentions = 1,
                                .area = area[k < LEARN || k == 2 * LEARN + 1 ? 0 : 1]};
        nm++;
    }
    uint32_t las_row = NSCHOOL + 2 * LEARN, ysgol_row = las_row + 1;
    d.m = m, d.nm = nm, d.recs = r, d.nrecs = nm;
    cpi_rs_uf uf;
    assert_int_equal(cpi_rs_uf_init(&uf, &d, &err), CPI_OK);
    for (uint32_t i = 0; i < nm; i++)
        assert_int_equal(cpi_rs_uf_seed(&uf, i, &err), CPI_OK);
    cpi_resolve_kind_report kr = {0};
    assert_int_equal(cpi_rs_place_names_by_people(&d, &uf, &kr, &err), CPI_OK);
    assert_int_equal(cpi_rs_find(&uf, las_row), cpi_rs_find(&uf, 2 * LEARN + 1));
    assert_int_not_equal(cpi_rs_find(&uf, las_row), cpi_rs_find(&uf, 2 * LEARN));
    assert_int_not_equal(cpi_rs_find(&uf, ysgol_row), cpi_rs_find(&uf, 2 * LEARN + 2));
    assert_int_not_equal(cpi_rs_find(&uf, ysgol_row), cpi_rs_find(&uf, 2 * LEARN + 3));
    cpi_rs_uf_free(&uf);
    cpi_intern_free(&d.str);
}

/*
 * One child, one school (cpi_rs_place_names_by_people): two "Caldicot High School"s in NP26, and
 * a child named in two MACE rows with that school and no known home. Which school is unknown,
 * but the two rows' school mentions are one place; another child's row naming it is not joined
 * to them.
 */
static void test_school_one_per_child(void **state)
{
    (void)state;
    enum { NM = 2 + 3 * 2 };
    cpi_rs_data d = {0};
    cpi_rs_mention m[NM];
    cpi_rs_record r[5];
    memset(m, 0, sizeof m);
    memset(r, 0, sizeof r);
    cpi_error err = {0};
    uint32_t name = cpi_intern_id(&d.str, "caldicot high school", 20, &err);
    uint32_t pd = cpi_intern_id(&d.str, "NP26", 4, &err), street = cpi_intern_id(&d.str, "church road", 11, &err);
    uint32_t nm = 0, nr = 0;
    for (int k = 0; k < 2; k++) {
        m[nm] = (cpi_rs_mention){.rec = nr, .num = 1, .kind = CPI_KIND_LOCATION};
        m[nm].key[RS_L_PLACE] = name, m[nm].key[RS_L_STREET] = street, m[nm].key[RS_L_PCD] = pd;
        r[nr++] = (cpi_rs_record){.first = nm++, .nmentions = 1};
    }
    for (int k = 0; k < 3; k++) { /* rows 0 and 1: one child; row 2: another */
        r[nr] = (cpi_rs_record){.first = nm, .nmentions = 2};
        m[nm] = (cpi_rs_mention){.rec = nr, .num = 1, .kind = CPI_KIND_PERSON, .flags = RS_F_CHILD_ROLE};
        m[nm + 1] = (cpi_rs_mention){.rec = nr, .num = 2, .kind = CPI_KIND_LOCATION};
        m[nm + 1].key[RS_L_PLACE] = name;
        nm += 2;
        nr++;
    }
    d.m = m, d.nm = nm, d.recs = r, d.nrecs = nr;
    cpi_rs_uf uf;
    assert_int_equal(cpi_rs_uf_init(&uf, &d, &err), CPI_OK);
    for (uint32_t i = 0; i < nm; i++)
        assert_int_equal(cpi_rs_uf_seed(&uf, i, &err), CPI_OK);
    assert_int_equal(cpi_rs_uf_join(&uf, 2, 4, RS_JOIN_FORCE), 1); /* the child, resolved */
    cpi_resolve_kind_report kr = {0};
    assert_int_equal(cpi_rs_place_names_by_people(&d, &uf, &kr, &err), CPI_OK);
    assert_int_equal(cpi_rs_find(&uf, 3), cpi_rs_find(&uf, 5));
    assert_int_not_equal(cpi_rs_find(&uf, 3), cpi_rs_find(&uf, 7));
    assert_int_not_equal(cpi_rs_find(&uf, 3), cpi_rs_find(&uf, 0));
    assert_int_not_equal(cpi_rs_find(&uf, 3), cpi_rs_find(&uf, 1));
    cpi_rs_uf_free(&uf);
    cpi_intern_free(&d.str);
}

/*
 * Related people can be kept by identifier cluster while naming current
 * roots (cpi_rs_ctx_build's owner): mentions 0 and 1 are one Niche nominal
 * (grp), 2 and 3 are two rows naming a child (4 and 5) that a later pass
 * joined with mention 1's cluster. Mention 2's row lists the child's current
 * root; mention 0's row, over its identifier cluster only, does not list the
 * people mention 2's row names.
 */
static void test_related_by_identifier_cluster(void **state)
{
    (void)state;
    enum { N = 6 };
    cpi_rs_data d = {0};
    cpi_rs_mention m[N];
    cpi_rs_record r[3];
    memset(m, 0, sizeof m);
    cpi_error err = {0};
    for (uint32_t i = 0; i < N; i++)
        m[i].kind = CPI_KIND_PERSON;
    /* records: {0, 1}, {2, 3}, {4, 5} */
    r[0] = (cpi_rs_record){.first = 0, .nmentions = 2};
    r[1] = (cpi_rs_record){.first = 2, .nmentions = 2, .first_rel = 0, .nrels = 1};
    r[2] = (cpi_rs_record){.first = 4, .nmentions = 2, .first_rel = 1, .nrels = 1};
    m[0].rec = m[1].rec = 0, m[2].rec = m[3].rec = 1, m[4].rec = m[5].rec = 2;
    /* mention 2 poses a risk to mention 3; mention 4 to mention 5 */
    cpi_rs_rel rel[2] = {{2, 3, RS_REL_POSES_RISK}, {4, 5, RS_REL_POSES_RISK}};
    d.m = m, d.nm = N, d.recs = r, d.nrecs = 3, d.rels = rel, d.nrels = 2;
    cpi_rs_uf uf;
    assert_int_equal(cpi_rs_uf_init(&uf, &d, &err), CPI_OK);
    assert_int_equal(cpi_rs_uf_join(&uf, 0, 1, RS_JOIN_FORCE), 1); /* one nominal id */
    uint32_t grp[N];
    for (uint32_t i = 0; i < N; i++)
        grp[i] = cpi_rs_find(&uf, i);
    /* a later pass: the two children are one, and the adult of row 2 joined the nominal */
    assert_int_equal(cpi_rs_uf_join(&uf, 3, 5, RS_JOIN_FORCE), 1);
    assert_int_equal(cpi_rs_uf_join(&uf, 4, 0, RS_JOIN_FORCE), 1);
    cpi_rs_ctx whole, own;
    assert_int_equal(cpi_rs_ctx_build(&d, &uf, RS_CTX_PEOPLE, NULL, &whole, &err), CPI_OK);
    assert_int_equal(cpi_rs_ctx_build(&d, &uf, RS_CTX_PEOPLE, grp, &own, &err), CPI_OK);
    uint32_t child = cpi_rs_find(&uf, 3);
    /* by the whole cluster, the nominal's mentions relate to the child (through mention 4) */
    assert_int_equal(cpi_rs_ctx_n(&whole, cpi_rs_find(&uf, 0)), 1);
    assert_int_equal(cpi_rs_ctx_ids(&whole, cpi_rs_find(&uf, 0))[0], child);
    /* by identifier cluster, mentions 0 and 1 relate to no one; mention 2 to the child's current root */
    assert_int_equal(cpi_rs_ctx_n(&own, grp[0]), 0);
    assert_int_equal(cpi_rs_ctx_n(&own, grp[2]), 1);
    assert_int_equal(cpi_rs_ctx_ids(&own, grp[2])[0], child);
    cpi_rs_ctx_free(&whole);
    cpi_rs_ctx_free(&own);
    cpi_rs_uf_free(&uf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_guard_twins_and_father_son, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guard_actor_age, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polit_victim_is_household_child, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unpinned_placed_through_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_look, setup, teardown),
        cmocka_unit_test(test_person_pair_flags),
        cmocka_unit_test(test_second_look_cluster_street),
        cmocka_unit_test(test_street_name_at_place_of_concern),
        cmocka_unit_test_setup_teardown(test_em_converges_on_real_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explain_known_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overrides_obeyed_across_resolves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stable_ids_with_added_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_builds_graph, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_and_merge_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_every_mention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_street_named_adult, setup, teardown),
        cmocka_unit_test(test_deferred_below_link),
        cmocka_unit_test(test_deferred_namesakes),
        cmocka_unit_test(test_block_street_surname),
        cmocka_unit_test(test_numberless_places),
        cmocka_unit_test(test_place_named_as_street),
        cmocka_unit_test(test_swapped_names_weak_side),
        cmocka_unit_test(test_conflict_rules),
        cmocka_unit_test(test_entity_ids),
        cmocka_unit_test(test_intern),
        cmocka_unit_test(test_u_of_rare_comparison),
        cmocka_unit_test(test_fold_shares_by_matches),
        cmocka_unit_test(test_school_by_child_district),
        cmocka_unit_test(test_school_by_area),
        cmocka_unit_test(test_school_one_per_child),
        cmocka_unit_test(test_related_by_identifier_cluster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
