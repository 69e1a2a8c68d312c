/*
 * graph.c - the graph build: scan every record once, join its mentions to
 * entities, aggregate relations into edges, derive occurrence and household
 * edges, give each entity a card, run the analytics and write it all in the
 * caller's transaction (see graph.h for what is derived and why).
 *
 * Memory is proportional to entities + edges + supporting references (at a
 * million records: a few hundred MB at most); records are decoded one at a
 * time into an arena reset per record.
 */
#include "graph/graph.h"
#include "core/array.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/codec.h"
#include "core/normalise/normalise.h"
#include "graph/internal.h"
#include "core/sort.h"

#define NOMEM(what) cpi_error_set(err, CPI_ERR_NOMEM, "graph build: out of memory (%s)", what)
#define DAYS_PER_YEAR 365.2425

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int32_t dmin(int32_t a, int32_t b) { return a == CPI_DAY_NONE ? b : b == CPI_DAY_NONE ? a : a < b ? a : b; }
static int32_t dmax(int32_t a, int32_t b) { return a == CPI_DAY_NONE ? b : b == CPI_DAY_NONE ? a : a > b ? a : b; }

/* ------------------------------------------------------------------ building blocks */

static void g_free(g_graph *g)
{
    for (uint32_t i = 0; i < g->nedges; i++)
        free(g->edges[i].sup);
    free(g->edges);
    free(g->ents);
    free(g->ref_day);
    free(g->adj_start);
    free(g->adj);
    cpi_intern_free(&g->ids);
    cpi_intern_free(&g->refs);
    cpi_intern_free(&g->types);
    cpi_u64map_free(&g->edge_of);
    g_area_free(g);
    cpi_arena_free(&g->arena);
    memset(g, 0, sizeof *g);
}

static cpi_status ent_add(g_graph *g, const char *id, size_t len, uint32_t *out, cpi_error *err)
{
    int added;
    if (cpi_intern_add(&g->ids, id, len, out, &added))
        return NOMEM("entity ids");
    if (!added)
        return CPI_OK;
    if (CPI_GROW(g->ents, g->ents_cap, (size_t)*out + 1, 4096))
        return NOMEM("entities");
    g_ent *e = &g->ents[*out];
    memset(e, 0, sizeof *e);
    e->card.id = g->ids.strs[*out];
    e->card.kind = cpi_entity_id_kind(e->card.id);
    e->card.first = e->card.last = CPI_DAY_NONE;
    e->card.seraf = -1;
    e->card.mace_day = CPI_DAY_NONE;
    e->card.last_missing = CPI_DAY_NONE;
    e->dob_day = CPI_DAY_NONE;
    e->miraf_day = CPI_DAY_NONE;
    e->mace_area_day = CPI_DAY_NONE;
    return CPI_OK;
}

static cpi_status ref_add(g_graph *g, const char *ref, int32_t day, uint32_t *out, cpi_error *err)
{
    int added;
    if (cpi_intern_add(&g->refs, ref, strlen(ref), out, &added))
        return NOMEM("record references");
    if (CPI_GROW(g->ref_day, g->ref_day_cap, (size_t)*out + 1, 4096))
        return NOMEM("record days");
    if (added)
        g->ref_day[*out] = day;
    return CPI_OK;
}

static cpi_status type_add(g_graph *g, const char *type, uint16_t *out, cpi_error *err)
{
    uint32_t t;
    if (cpi_intern_add(&g->types, type, strlen(type), &t, NULL))
        return NOMEM("edge types");
    if (t > 255)
        return cpi_error_set(err, CPI_ERR_DATA, "graph build: more than 256 relation types (last: '%.40s')", type);
    *out = (uint16_t)t;
    return CPI_OK;
}

/*
 * Add one piece of support for edge a -[type]-> b from record rec. A record
 * counts once per edge however many of its relations say the same thing.
 */
static cpi_status edge_add(g_graph *g, uint32_t a, uint32_t b, const char *type, int32_t day, uint32_t rec,
                           uint32_t times, bool current, uint32_t *out, cpi_error *err)
{
    if (a == b)
        return CPI_OK; /* two mentions of one entity: nothing to link */
    uint16_t t = 0;
    cpi_status s = type_add(g, type, &t, err);
    if (s)
        return s;
    if (a >= (1u << 28) || b >= (1u << 28))
        return cpi_error_set(err, CPI_ERR_DATA, "graph build: more than 2^28 entities");
    uint64_t key = (uint64_t)a << 36 | (uint64_t)b << 8 | t;
    uint32_t idx;
    int added;
    if (cpi_u64map_add(&g->edge_of, key, g->nedges, &idx, &added))
        return NOMEM("edge map");
    if (added) {
        if (CPI_GROW(g->edges, g->edges_cap, (size_t)g->nedges + 1, 4096))
            return NOMEM("edges");
        g->edges[g->nedges++] = (g_edge){.a = a, .b = b, .type = t, .first = CPI_DAY_NONE, .last = CPI_DAY_NONE};
    }
    g_edge *e = &g->edges[idx];
    if (out)
        *out = idx;
    e->first = dmin(e->first, day);
    e->last = dmax(e->last, day);
    if (times > e->times)
        e->times = times;
    e->current |= current;
    e->sources |= CPI_SRC_BIT(cpi_src_of_ref(g->refs.strs[rec]));
    if (e->nsup && e->sup[e->nsup - 1] == rec)
        return CPI_OK;
    if (CPI_GROW(e->sup, e->capsup, (size_t)e->nsup + 1, 2))
        return NOMEM("edge support");
    e->sup[e->nsup++] = rec;
    e->count++;
    return CPI_OK;
}

/* ------------------------------------------------------------------ what a mention says about its entity */

static bool eq(const char *a, const char *b) { return a && b && strcasecmp(a, b) == 0; }

static void set_flag(g_graph *g, uint32_t ent, unsigned flag) { g->ents[ent].card.flags |= CPI_EF(flag); }

/* Display name and rank for a person mention; rank 0 = nothing usable. */
static const char *person_display(const cpi_record *r, const cpi_mention *m, char *buf, size_t cap, uint8_t *rank)
{
    const char *fore = cpi_kv_get(&m->raw, "forenames"), *sur = cpi_kv_get(&m->raw, "surname");
    const char *name = cpi_kv_get(&m->raw, "name"), *street = cpi_kv_get(&m->raw, "street_name");
    if (sur) {
        snprintf(buf, cap, "%s%s%s", fore ? fore : "", fore ? " " : "", sur);
        *rank = strcmp(r->type, "nominal") == 0 ? 4 : fore ? 3 : 2;
    } else if (name) {
        snprintf(buf, cap, "%s", name);
        *rank = 2;
    } else if (street) {
        snprintf(buf, cap, "\"%s\" (street name)", street);
        *rank = 1;
    } else {
        *rank = 0;
    }
    return buf;
}

static const char *place_display(const cpi_record *r, const cpi_mention *m, char *buf, size_t cap, uint8_t *rank)
{
    const char *place = cpi_kv_get(&m->raw, "place_name"), *addr = cpi_kv_get(&m->raw, "address");
    const char *lid = cpi_kv_get(&m->raw, "location_id");
    *rank = 0;
    if (addr || place) {
        snprintf(buf, cap, "%s%s%s", place ? place : "", place && addr ? ", " : "", addr ? addr : "");
        *rank = strcmp(r->type, "location") == 0 ? 4 : addr ? 3 : 2;
    } else if (lid) {
        snprintf(buf, cap, "Niche location %s", lid);
        *rank = 1;
    }
    return buf;
}

static void note_dob(g_ent *e, const cpi_mention *m)
{
    const char *dob = cpi_kv_get(&m->keys, "dob");
    int y, mo, d;
    if (dob && sscanf(dob, "%4d-%2d-%2d", &y, &mo, &d) == 3) {
        int32_t day = cpi_norm_days_from_ymd(y, mo, d);
        if (!e->dob_exact) {
            e->dob_day = day;
            e->dob_exact = true;
            e->dob_votes = 1;
        } else if (day == e->dob_day) {
            e->dob_votes++;
        } else if (--e->dob_votes == 0) { /* majority vote: the most common DOB wins */
            e->dob_day = day;
            e->dob_votes = 1;
        }
        return;
    }
    const char *lo = cpi_kv_get(&m->keys, "dob_lo"), *hi = cpi_kv_get(&m->keys, "dob_hi");
    int y2, mo2, d2;
    if (!e->dob_exact && e->dob_day == CPI_DAY_NONE && lo && hi && sscanf(lo, "%4d-%2d-%2d", &y, &mo, &d) == 3 &&
        sscanf(hi, "%4d-%2d-%2d", &y2, &mo2, &d2) == 3)
        e->dob_day = (cpi_norm_days_from_ymd(y, mo, d) + cpi_norm_days_from_ymd(y2, mo2, d2)) / 2;
}

/* Flags a mention's role gives its entity, whatever the record says besides. */
static void role_flags(g_graph *g, uint32_t ent, const char *role, cpi_src src)
{
    g_ent *e = &g->ents[ent];
    static const struct {
        const char *role;
        int flag;  /* -1: none */
        int who;   /* 1 child role, 2 adult role */
        int src;   /* -1: any source */
    } table[] = {
        {"missing-child", CPI_EF_MISSING, 1, -1},
        {"person-posing-risk", CPI_EF_MIRAF_RISK, 0, -1},
        {"child-discussed", CPI_EF_MACE_CHILD, 1, -1},
        {"adult-of-concern", CPI_EF_MACE_ADULT, 2, -1},
        {"location-of-concern", CPI_EF_PLACE_OF_CONCERN, 0, -1},
        {"school", CPI_EF_SCHOOL, 0, -1},
        {"victim", -1, 2, CPI_SRC_MARAC},
        {"victim", CPI_EF_POLIT_CHILD, 1, CPI_SRC_POLIT},
        {"victim-address", CPI_EF_MARAC_ADDRESS, 0, -1},
        {"perpetrator", CPI_EF_PERPETRATOR, 2, -1},
        {"household-child", CPI_EF_MARAC_CHILD, 1, CPI_SRC_MARAC},
        {"household-child", CPI_EF_POLIT_CHILD, 1, CPI_SRC_POLIT},
        {"subject", CPI_EF_POLIT_SUBJECT, 2, -1},
        {"subject-address", CPI_EF_POLIT_ADDRESS, 0, -1},
        {"child-at-risk", CPI_EF_SOC_CHILD, 1, -1},
        {"group-member", CPI_EF_OCG, 2, -1},
        {"address-used", CPI_EF_OCG_ADDRESS, 0, -1},
        {"deal-line", CPI_EF_DEAL_LINE, 0, -1},
        {"found-at", CPI_EF_FOUND_AT, 0, -1},
        {"ppn-subject", CPI_EF_PPN, 1, -1},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i].role, role) != 0 || (table[i].src >= 0 && (cpi_src)table[i].src != src))
            continue;
        if (table[i].flag >= 0)
            e->card.flags |= CPI_EF(table[i].flag);
        e->child_role |= table[i].who == 1;
        e->adult_role |= table[i].who == 2;
    }
}

static void note_mention(g_graph *g, uint32_t ent, const cpi_record *r, const cpi_mention *m, cpi_src src)
{
    g_ent *e = &g->ents[ent];
    cpi_card *c = &e->card;
    if (!c->kind)
        c->kind = m->kind;
    c->nmentions++;
    c->sources |= CPI_SRC_BIT(src);
    c->first = dmin(c->first, r->day);
    c->last = dmax(c->last, r->day);
    char buf[256];
    uint8_t rank = 0;
    const char *disp = NULL;
    switch (m->kind) {
    case CPI_KIND_PERSON:
        disp = person_display(r, m, buf, sizeof buf, &rank);
        note_dob(e, m);
        break;
    case CPI_KIND_LOCATION:
        disp = place_display(r, m, buf, sizeof buf, &rank);
        if (!c->postcode) {
            const char *pc = cpi_kv_get(&m->keys, "pc");
            if (pc)
                c->postcode = cpi_arena_strdup(&g->arena, pc);
        }
        break;
    case CPI_KIND_PHONE:
        disp = cpi_kv_get(&m->raw, "phone");
        rank = disp ? 1 : 0;
        break;
    case CPI_KIND_ONLINE:
        disp = cpi_kv_get(&m->raw, "email");
        if (!disp)
            disp = cpi_kv_get(&m->raw, "username");
        rank = disp ? 1 : 0;
        break;
    }
    if (rank > e->name_rank) {
        c->name = cpi_arena_strdup(&g->arena, disp);
        e->name_rank = rank;
    }
    role_flags(g, ent, m->role, src);
}

static int grade_of(const char *v)
{
    if (eq(v, "HIGH") || eq(v, "VERY HIGH"))
        return 3;
    if (eq(v, "MEDIUM"))
        return 2;
    if (eq(v, "LOW") || eq(v, "STANDARD"))
        return 1;
    return 0;
}

static int32_t fact_day(const cpi_record *r, const char *name)
{
    const char *v = cpi_kv_get(&r->facts, name);
    int32_t day;
    cpi_error e = {0};
    if (!v || !*v || cpi_norm_date(v, r->day, CPI_DATE_EVENT, &day, &e) != CPI_OK)
        return CPI_DAY_NONE;
    return day;
}

/* ------------------------------------------------------------------ per-record facts */

typedef struct occ_link {
    uint32_t urn;    /* number in scan.urns */
    uint32_t person; /* entity */
    uint32_t rec;    /* the occurrence_nominals record */
    int32_t day;
    uint8_t inv;     /* involvement code, below */
} occ_link;

typedef struct occ {
    uint32_t place;  /* entity, CPI_INTERN_NONE if unresolved */
    uint32_t rec;
    int32_t day;
} occ;

enum { INV_NONE, INV_VICTIM, INV_SUSPECT, INV_OFFENDER, INV_WITNESS, INV_MISSING };
static const char *const inv_edge[] = {NULL, "victim-in", "suspect-in", "offender-in", "witness-in", "missing-from"};

typedef struct scan {
    g_graph *g;
    cpi_intern urns;
    occ *occs;        /* [urns.count]; place CPI_INTERN_NONE + rec CPI_INTERN_NONE = not seen */
    uint32_t occs_cap;
    occ_link *links;
    uint32_t nlinks, links_cap;
    cpi_graph_stats *stats;
} scan;

static cpi_status urn_slot(scan *sc, const char *urn, uint32_t *out, cpi_error *err)
{
    int added;
    if (cpi_intern_add(&sc->urns, urn, strlen(urn), out, &added))
        return NOMEM("urns");
    if (CPI_GROW(sc->occs, sc->occs_cap, (size_t)*out + 1, 1024))
        return NOMEM("occurrences");
    if (added)
        sc->occs[*out] = (occ){CPI_INTERN_NONE, CPI_INTERN_NONE, CPI_DAY_NONE};
    return CPI_OK;
}

static int warning_flag(const char *type)
{
    static const struct {
        const char *name;
        int flag;
    } t[] = {
        {"CHILD PROTECTION PLAN", CPI_EF_CPP}, {"LOOKED AFTER CHILD", CPI_EF_LAC},
        {"CSE RISK", CPI_EF_CSE_RISK},         {"CCE RISK", CPI_EF_CCE_RISK},
        {"REPEAT MISSING", CPI_EF_REPEAT_MISSING}, {"REGISTERED SEX OFFENDER", CPI_EF_RSO},
        {"SHPO", CPI_EF_SHPO},                 {"CAWN", CPI_EF_CAWN},
        {"MARAC", CPI_EF_MARAC_MARKER},        {"VIOLENT", CPI_EF_VIOLENT},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (eq(type, t[i].name))
            return t[i].flag;
    return -1;
}

static int place_type_flag(const char *type)
{
    if (eq(type, "HOME"))
        return CPI_EF_HOME;
    if (eq(type, "CARE HOME"))
        return CPI_EF_CARE_HOME;
    if (eq(type, "FOSTER HOME") || eq(type, "FOSTER"))
        return CPI_EF_FOSTER_HOME;
    if (eq(type, "SCHOOL"))
        return CPI_EF_SCHOOL;
    if (eq(type, "CUCKOOED ADDRESS") || eq(type, "CUCKOOED"))
        return CPI_EF_CUCKOOED;
    if (eq(type, "TRAP HOUSE"))
        return CPI_EF_TRAP_HOUSE;
    return -1;
}

/*
 * The i-th mention of `role` in a record comes from the i-th filled group of
 * a repeated column group (formats.md: groups fill from 1, empty ones take no
 * number). The group's own facts (found_K_count, address_K_type) say which K
 * were filled; when they do not match the mentions one to one the fact is
 * not attributed rather than guessed.
 */
static const char *group_fact(const cpi_record *r, const char *role, uint32_t mention, const char *fmt, int kmax)
{
    uint32_t ordinal = 0, nrole = 0;
    for (uint32_t i = 0; i < r->nmentions; i++)
        if (strcmp(r->mentions[i].role, role) == 0) {
            if (i < mention)
                ordinal++;
            nrole++;
        }
    const char *vals[8];
    uint32_t nvals = 0;
    char name[64];
    for (int k = 1; k <= kmax && k <= 8; k++) {
        snprintf(name, sizeof name, fmt, k);
        const char *v = cpi_kv_get(&r->facts, name);
        if (v && *v)
            vals[nvals++] = v;
    }
    return nvals == nrole && ordinal < nvals ? vals[ordinal] : NULL;
}

/* Facts a record of a known silo type adds to its mentions' entities. */
static cpi_status record_facts(scan *sc, const cpi_record *r, cpi_src src, const uint32_t *ent, uint32_t rec,
                               cpi_error *err)
{
    g_graph *g = sc->g;
    const cpi_kvlist *x = &r->facts;
    uint32_t e1 = r->nmentions ? ent[0] : CPI_INTERN_NONE;
    if (src == CPI_SRC_NICHE && strcmp(r->type, "warning") == 0 && e1 != CPI_INTERN_NONE) {
        int f = warning_flag(cpi_kv_get(x, "warning_type"));
        if (f >= 0)
            set_flag(g, e1, (unsigned)f);
    } else if (src == CPI_SRC_NICHE && strcmp(r->type, "location") == 0 && e1 != CPI_INTERN_NONE) {
        int f = place_type_flag(cpi_kv_get(&r->mentions[0].raw, "place_type"));
        if (f >= 0)
            set_flag(g, e1, (unsigned)f);
    } else if (src == CPI_SRC_NICHE && strcmp(r->type, "ppn") == 0 && e1 != CPI_INTERN_NONE) {
        if (eq(cpi_kv_get(x, "shared_with_social_care"), "N"))
            set_flag(g, e1, CPI_EF_PPN_UNSHARED);
    } else if (src == CPI_SRC_NICHE && strcmp(r->type, "occurrence") == 0) {
        uint32_t u;
        cpi_status s = urn_slot(sc, strchr(r->ref, ':') + 1, &u, err);
        if (s)
            return s;
        sc->occs[u] = (occ){e1, rec, r->day};
    } else if (src == CPI_SRC_NICHE && strcmp(r->type, "occurrence-nominal") == 0 && e1 != CPI_INTERN_NONE) {
        const char *inv = cpi_kv_get(x, "involvement"), *urn = cpi_kv_get(x, "urn");
        uint8_t code = eq(inv, "VICTIM") ? INV_VICTIM : eq(inv, "SUSPECT") ? INV_SUSPECT
                     : eq(inv, "OFFENDER") ? INV_OFFENDER : eq(inv, "WITNESS") ? INV_WITNESS
                     : eq(inv, "MISSING PERSON") ? INV_MISSING : INV_NONE;
        if (code == INV_SUSPECT || code == INV_OFFENDER)
            set_flag(g, e1, CPI_EF_SUSPECT);
        if (code == INV_VICTIM)
            set_flag(g, e1, CPI_EF_VICTIM);
        if (code == INV_MISSING) {
            set_flag(g, e1, CPI_EF_MISSING);
            g->ents[e1].child_role = true;
            g->ents[e1].card.last_missing = dmax(g->ents[e1].card.last_missing, r->day);
        }
        if (code != INV_NONE && urn && *urn) {
            uint32_t u;
            cpi_status s = urn_slot(sc, urn, &u, err);
            if (s)
                return s;
            if (CPI_GROW(sc->links, sc->links_cap, (size_t)sc->nlinks + 1, 1024))
                return NOMEM("occurrence links");
            sc->links[sc->nlinks++] = (occ_link){u, e1, rec, r->day, code};
        }
    } else if (src == CPI_SRC_MIRAF) {
        for (uint32_t i = 0; i < r->nmentions; i++) {
            if (ent[i] == CPI_INTERN_NONE)
                continue;
            g_ent *e = &g->ents[ent[i]];
            const char *role = r->mentions[i].role;
            if (strcmp(role, "missing-child") == 0) {
                if (eq(cpi_kv_get(x, "looked_after"), "Y"))
                    e->card.flags |= CPI_EF(CPI_EF_LAC);
                e->card.last_missing = dmax(e->card.last_missing, fact_day(r, "last_missing_date"));
                int grade = grade_of(cpi_kv_get(x, "risk_grading"));
                const char *ep = cpi_kv_get(x, "episodes");
                if (e->miraf_day == CPI_DAY_NONE || r->day >= e->miraf_day) { /* the latest form stands */
                    e->miraf_day = r->day;
                    e->card.miraf_grade = (uint8_t)grade;
                    long n = ep ? strtol(ep, NULL, 10) : 0;
                    e->card.episodes = (uint16_t)(n < 0 ? 0 : n > 65535 ? 65535 : n);
                }
            } else if (strcmp(role, "home-address") == 0) {
                int f = place_type_flag(cpi_kv_get(x, "placement_type"));
                if (f >= 0)
                    e->card.flags |= CPI_EF(f);
            }
        }
    } else if (src == CPI_SRC_MACE) {
        for (uint32_t i = 0; i < r->nmentions; i++) {
            if (ent[i] == CPI_INTERN_NONE || strcmp(r->mentions[i].role, "child-discussed") != 0)
                continue;
            cpi_card *c = &g->ents[ent[i]].card;
            if (c->mace_day != CPI_DAY_NONE && r->day < c->mace_day)
                continue; /* an older meeting: the latest one's figures stand */
            c->mace_day = r->day;
            c->mace_risk = (uint8_t)grade_of(cpi_kv_get(x, "risk_level"));
            const char *sf = cpi_kv_get(x, "seraf_score");
            c->seraf = sf && *sf ? (int16_t)strtol(sf, NULL, 10) : -1;
            c->mace_unflagged = eq(cpi_kv_get(x, "flagged_on_niche"), "No");
        }
    } else if (src == CPI_SRC_SOC) {
        for (uint32_t i = 0; i < r->nmentions; i++) {
            if (ent[i] == CPI_INTERN_NONE || strcmp(r->mentions[i].role, "address-used") != 0)
                continue;
            int f = place_type_flag(group_fact(r, "address-used", i, "address_%d_type", 4));
            if (f >= 0)
                set_flag(g, ent[i], (unsigned)f);
        }
    }
    return CPI_OK;
}

/* Is this lives-at current? Niche says when a link is a previous address. */
static bool lives_at_current(const cpi_record *r, cpi_src src)
{
    if (src != CPI_SRC_NICHE || strcmp(r->type, "nominal-location") != 0)
        return true;
    const char *to = cpi_kv_get(&r->facts, "to_date");
    return !eq(cpi_kv_get(&r->facts, "link_type"), "PREVIOUS") && !(to && *to);
}

static cpi_status scan_record(scan *sc, cpi_txn *txn, const cpi_record *r, cpi_error *err)
{
    g_graph *g = sc->g;
    cpi_src src = cpi_src_of_ref(r->ref);
    uint32_t rec;
    cpi_status s = ref_add(g, r->ref, r->day, &rec, err);
    if (s)
        return s;
    uint32_t ent_small[32], *ent = r->nmentions <= 32 ? ent_small : malloc(sizeof *ent * r->nmentions);
    if (!ent)
        return NOMEM("mentions");
    char mref[CPI_REF_MAX + 8];
    for (uint32_t i = 0; i < r->nmentions && !s; i++) {
        ent[i] = CPI_INTERN_NONE;
        int n = snprintf(mref, sizeof mref, "%s/%u", r->ref, i + 1);
        cpi_slice v;
        cpi_status gs = cpi_txn_get(txn, CPI_DB_ENTITY_OF, mref, (size_t)n, &v, err);
        sc->stats->mentions++;
        if (gs == CPI_NOT_FOUND) {
            sc->stats->unresolved++;
            continue;
        }
        if (gs) {
            s = gs;
            break;
        }
        if (v.len == 0 || v.len >= CPI_ENTITY_ID_MAX) {
            s = cpi_error_set(err, CPI_ERR_STORE, "entity_of %s: entity id is empty or too long", mref);
            break;
        }
        s = ent_add(g, v.data, v.len, &ent[i], err);
        if (!s)
            note_mention(g, ent[i], r, &r->mentions[i], src);
    }
    if (!s)
        s = record_facts(sc, r, src, ent, rec, err);
    if (!s)
        s = g_area_note(g, r, src, ent, err);
    for (uint32_t i = 0; i < r->nrelations && !s; i++) {
        const cpi_relation *rel = &r->relations[i];
        uint32_t a = ent[rel->from - 1], b = ent[rel->to - 1];
        if (a == CPI_INTERN_NONE || b == CPI_INTERN_NONE)
            continue;
        int32_t day = rel->day != CPI_DAY_NONE ? rel->day : r->day;
        uint32_t times = 1;
        bool current = false;
        if (strcmp(rel->type, "found-at") == 0) {
            const char *cnt = group_fact(r, "found-at", rel->to - 1, "found_%d_count", 4);
            long n = cnt ? strtol(cnt, NULL, 10) : 1;
            times = n < 1 ? 1 : n > 100000 ? 100000 : (uint32_t)n;
        } else if (strcmp(rel->type, "lives-at") == 0) {
            current = lives_at_current(r, src);
        } else if (strcmp(rel->type, "cawn-served") == 0) {
            set_flag(g, a, CPI_EF_CAWN);
        }
        uint32_t before = g->nedges;
        s = edge_add(g, a, b, rel->type, day, rec, times, current, NULL, err);
        if (g->nedges > before)
            sc->stats->edges_from_relations++;
    }
    if (ent != ent_small)
        free(ent);
    sc->stats->records++;
    return s;
}

/* ------------------------------------------------------------------ derived edges */

static int cmp_link(const void *a, const void *b)
{
    const occ_link *x = a, *y = b;
    return x->urn < y->urn ? -1 : x->urn > y->urn ? 1 : 0;
}

/* Edges through Niche occurrences: person -> place by involvement, suspect -> victim. */
static cpi_status derive_occurrences(scan *sc, cpi_error *err)
{
    g_graph *g = sc->g;
    cpi_sort(sc->links, sc->nlinks, sizeof *sc->links, cmp_link);
    uint32_t before = g->nedges;
    for (uint32_t i = 0; i < sc->nlinks;) {
        uint32_t j = i;
        while (j < sc->nlinks && sc->links[j].urn == sc->links[i].urn)
            j++;
        const occ *o = &sc->occs[sc->links[i].urn];
        if (o->rec == CPI_INTERN_NONE)
            sc->stats->occurrence_links_unmatched += j - i;
        for (uint32_t k = i; k < j; k++) {
            const occ_link *l = &sc->links[k];
            cpi_status s;
            if (o->place != CPI_INTERN_NONE) {
                uint32_t ed;
                s = edge_add(g, l->person, o->place, inv_edge[l->inv], l->day, l->rec, 1, false, &ed, err);
                if (!s && o->rec != CPI_INTERN_NONE)
                    s = edge_add(g, l->person, o->place, inv_edge[l->inv], o->day, o->rec, 1, false, NULL, err);
                if (s)
                    return s;
            }
            if (l->inv != INV_SUSPECT && l->inv != INV_OFFENDER)
                continue;
            for (uint32_t v = i; v < j; v++) {
                if (sc->links[v].inv != INV_VICTIM)
                    continue;
                uint32_t rec = o->rec != CPI_INTERN_NONE ? o->rec : l->rec;
                s = edge_add(g, l->person, sc->links[v].person, "suspect-against", l->day, rec, 1, false, NULL, err);
                if (!s)
                    s = edge_add(g, l->person, sc->links[v].person, "suspect-against", l->day, sc->links[v].rec, 1,
                                 false, NULL, err);
                if (s)
                    return s;
            }
        }
        i = j;
    }
    sc->stats->edges_from_occurrences = g->nedges - before;
    return CPI_OK;
}

static bool is_child(const g_ent *e) { return (e->card.flags & CPI_EF(CPI_EF_CHILD)) != 0; }

/* Years between two birth days when both are known (b - a). */
static double years_between(int32_t a, int32_t b) { return (double)(b - a) / DAYS_PER_YEAR; }

/*
 * Possible matches the resolver left for review (CPI_DB_REVIEW, written in
 * the same transaction before the graph): a `possible-match` edge between the
 * two entities, supported by the two mention references, its `times` the
 * pair's probability in thousandths. Not a link in the world - analytics and
 * the risk walks leave it out - but a profile lists it for a person to decide.
 */
static cpi_status derive_possible(scan *sc, cpi_txn *txn, cpi_error *err)
{
    g_graph *g = sc->g;
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_REVIEW, &c, err);
    if (s)
        return s;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK && !s; cs = cpi_cursor_next(c, &k, &v, err)) {
        const char *key = k.data, *sep = memchr(key, CPI_KEY_SEP, k.len);
        size_t la = sep ? (size_t)(sep - key) : 0, lb = sep ? k.len - la - 1 : 0;
        char ra[CPI_REF_MAX + 8], rb[CPI_REF_MAX + 8];
        if (!sep || !la || !lb || la >= sizeof ra || lb >= sizeof rb)
            continue; /* not a pair of references: the resolver's review lists it as malformed */
        memcpy(ra, key, la);
        ra[la] = '\0';
        memcpy(rb, sep + 1, lb);
        rb[lb] = '\0';
        double p = -1;
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t off = 0;
        if (msgpack_unpack_next(&up, v.data, v.len, &off) == MSGPACK_UNPACK_SUCCESS && up.data.type == MSGPACK_OBJECT_MAP)
            for (uint32_t i = 0; i < up.data.via.map.size; i++) {
                const msgpack_object *mk = &up.data.via.map.ptr[i].key, *mv = &up.data.via.map.ptr[i].val;
                if (mk->type == MSGPACK_OBJECT_STR && mk->via.str.size == 1 && mk->via.str.ptr[0] == 'p' &&
                    (mv->type == MSGPACK_OBJECT_FLOAT64 || mv->type == MSGPACK_OBJECT_FLOAT32))
                    p = mv->via.f64;
            }
        msgpack_unpacked_destroy(&up);
        if (!(p >= 0 && p <= 1))
            continue;
        uint32_t ent[2] = {CPI_INTERN_NONE, CPI_INTERN_NONE};
        const char *refs[2] = {ra, rb};
        for (int j = 0; j < 2 && !s; j++) {
            cpi_slice e;
            cpi_status gs = cpi_txn_get(txn, CPI_DB_ENTITY_OF, refs[j], strlen(refs[j]), &e, err);
            if (gs == CPI_OK && e.len < CPI_ENTITY_ID_MAX)
                ent[j] = cpi_intern_find(&g->ids, e.data, e.len);
            else if (gs != CPI_NOT_FOUND && gs != CPI_OK)
                s = gs;
        }
        if (s || ent[0] == CPI_INTERN_NONE || ent[1] == CPI_INTERN_NONE || ent[0] == ent[1])
            continue;
        for (int j = 0; j < 2 && !s; j++) {
            uint32_t rec;
            s = ref_add(g, refs[j], CPI_DAY_NONE, &rec, err);
            if (!s)
                s = edge_add(g, ent[0], ent[1], "possible-match", CPI_DAY_NONE, rec, (uint32_t)(p * 1000 + 0.5), false,
                             NULL, err);
        }
        sc->stats->possible_matches++;
    }
    cpi_cursor_close(c);
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    return s;
}

/* parent-of when one is a child and the other 14..60 years older: the rule graph.h states. */
static cpi_status household_pair(g_graph *g, uint32_t p, uint32_t q, const g_edge *ep, const g_edge *eq_,
                                 bool care_home, bool add_member, cpi_error *err)
{
    int32_t day = dmax(ep->last, eq_->last);
    uint32_t recs[2] = {ep->sup[ep->nsup - 1], eq_->sup[eq_->nsup - 1]};
    for (int k = 0; k < 2; k++) {
        cpi_status s = CPI_OK;
        if (add_member)
            s = edge_add(g, p < q ? p : q, p < q ? q : p, "household-member", day, recs[k], 1, true, NULL, err);
        const g_ent *P = &g->ents[p], *Q = &g->ents[q];
        if (!s && !care_home && P->dob_day != CPI_DAY_NONE && Q->dob_day != CPI_DAY_NONE && is_child(P) != is_child(Q)) {
            uint32_t adult = is_child(P) ? q : p, child = is_child(P) ? p : q;
            double gap = years_between(g->ents[adult].dob_day, g->ents[child].dob_day);
            if (gap >= 14 && gap <= 60)
                s = edge_add(g, adult, child, "parent-of", day, recs[k], 1, true, NULL, err);
        }
        if (s)
            return s;
    }
    return CPI_OK;
}

static int cmp_edge_by_place(const void *a, const void *b, void *ctx)
{
    const g_edge *edges = ctx;
    uint32_t x = edges[*(const uint32_t *)a].b, y = edges[*(const uint32_t *)b].b;
    return x < y ? -1 : x > y ? 1 : 0;
}

static cpi_status derive_households(scan *sc, uint32_t household_max, cpi_error *err)
{
    g_graph *g = sc->g;
    uint16_t lives, member;
    uint32_t t;
    lives = (t = cpi_intern_find(&g->types, "lives-at", 8)) == CPI_INTERN_NONE ? UINT16_MAX : (uint16_t)t;
    member = (t = cpi_intern_find(&g->types, "household-member", 16)) == CPI_INTERN_NONE ? UINT16_MAX : (uint16_t)t;
    uint32_t n = 0, nedges = g->nedges, before = g->nedges;
    uint32_t *idx = malloc(sizeof *idx * (nedges ? nedges : 1));
    if (!idx)
        return NOMEM("households");
    for (uint32_t i = 0; i < nedges; i++)
        if (g->edges[i].type == lives && g->edges[i].current &&
            g->ents[g->edges[i].a].card.kind == CPI_KIND_PERSON)
            idx[n++] = i;
    cpi_sort_r(idx, n, sizeof *idx, cmp_edge_by_place, g->edges);
    cpi_status s = CPI_OK;
    for (uint32_t i = 0; i < n && !s;) {
        uint32_t j = i;
        while (j < n && g->edges[idx[j]].b == g->edges[idx[i]].b)
            j++;
        const cpi_card *place = &g->ents[g->edges[idx[i]].b].card;
        if (j - i > household_max) {
            sc->stats->households_skipped++;
        } else if (!(place->flags & (CPI_EF(CPI_EF_SCHOOL) | CPI_EF_PLACE_RISK))) {
            bool care = (place->flags & (CPI_EF(CPI_EF_CARE_HOME) | CPI_EF(CPI_EF_FOSTER_HOME))) != 0;
            for (uint32_t p = i; p < j && !s; p++)
                for (uint32_t q = p + 1; q < j && !s; q++) {
                    /* g->edges may move as edges are added: copy what the pair needs */
                    g_edge ep = g->edges[idx[p]], eq_ = g->edges[idx[q]];
                    if (ep.a != eq_.a)
                        s = household_pair(g, ep.a, eq_.a, &ep, &eq_, care, true, err);
                }
        }
        i = j;
    }
    /* MARAC and POLIT say household-member outright (child -> adult): parent-of by the same age rule */
    for (uint32_t i = 0; i < nedges && !s && member != UINT16_MAX; i++) {
        g_edge e = g->edges[i];
        if (e.type == member && (e.sources & CPI_SRC_BIT(CPI_SRC_MARAC)))
            s = household_pair(g, e.a, e.b, &e, &e, false, false, err);
    }
    free(idx);
    sc->stats->edges_from_households = g->nedges - before;
    return s;
}

/* ------------------------------------------------------------------ finishing the cards */

static void finish_cards(g_graph *g)
{
    uint16_t uses = UINT16_MAX, lives = UINT16_MAX;
    uint32_t t;
    if ((t = cpi_intern_find(&g->types, "uses-phone", 10)) != CPI_INTERN_NONE)
        uses = (uint16_t)t;
    if ((t = cpi_intern_find(&g->types, "lives-at", 8)) != CPI_INTERN_NONE)
        lives = (uint16_t)t;
    for (uint32_t i = 0; i < G_NENTS(g); i++) {
        g_ent *e = &g->ents[i];
        cpi_card *c = &e->card;
        if (c->kind != CPI_KIND_PERSON)
            continue;
        bool child;
        if (e->dob_day != CPI_DAY_NONE && c->last != CPI_DAY_NONE) {
            double age_last = years_between(e->dob_day, c->last);
            double age_first = years_between(e->dob_day, c->first);
            child = age_last < 18 || (age_first < 18 && e->child_role);
        } else {
            child = e->child_role;
        }
        c->flags |= child ? CPI_EF(CPI_EF_CHILD) : (e->adult_role || e->dob_day != CPI_DAY_NONE) ? CPI_EF(CPI_EF_ADULT) : 0;
        if (e->dob_exact) {
            char iso[CPI_NORM_ISO_DATE_MAX];
            cpi_norm_date_iso(e->dob_day, iso);
            c->dob = cpi_arena_strdup(&g->arena, iso);
        }
    }
    for (uint32_t i = 0; i < g->nedges; i++) {
        const g_edge *e = &g->edges[i];
        cpi_card *a = &g->ents[e->a].card, *b = &g->ents[e->b].card;
        if (e->type == uses && (a->flags & CPI_EF_RISKY))
            b->flags |= CPI_EF(CPI_EF_RISK_PHONE);
        if (e->type == lives && b->kind == CPI_KIND_LOCATION &&
            !(b->flags & (CPI_EF(CPI_EF_CARE_HOME) | CPI_EF(CPI_EF_FOSTER_HOME) | CPI_EF(CPI_EF_SCHOOL))))
            b->flags |= CPI_EF(CPI_EF_HOME);
    }
}

/* Incident edges per entity (CSR), and each entity's number of distinct neighbours. */
static cpi_status build_adjacency(g_graph *g, cpi_error *err)
{
    uint32_t n = G_NENTS(g);
    g->adj_start = calloc((size_t)n + 1, sizeof *g->adj_start);
    g->adj = malloc(sizeof *g->adj * ((size_t)g->nedges * 2 + 1));
    uint32_t *fill = calloc((size_t)n + 1, sizeof *fill);
    if (!g->adj_start || !g->adj || !fill) {
        free(fill);
        return NOMEM("adjacency");
    }
    for (uint32_t i = 0; i < g->nedges; i++) {
        g->adj_start[g->edges[i].a + 1]++;
        g->adj_start[g->edges[i].b + 1]++;
    }
    for (uint32_t i = 0; i < n; i++)
        g->adj_start[i + 1] += g->adj_start[i];
    for (uint32_t i = 0; i < g->nedges; i++) {
        g->adj[g->adj_start[g->edges[i].a] + fill[g->edges[i].a]++] = i;
        g->adj[g->adj_start[g->edges[i].b] + fill[g->edges[i].b]++] = i;
    }
    /* degree = distinct neighbours; fill[] is reused as a last-seen marker */
    for (uint32_t i = 0; i <= n; i++)
        fill[i] = UINT32_MAX;
    for (uint32_t v = 0; v < n; v++) {
        uint32_t deg = 0;
        for (uint32_t k = g->adj_start[v]; k < g->adj_start[v + 1]; k++) {
            const g_edge *e = &g->edges[g->adj[k]];
            uint32_t o = e->a == v ? e->b : e->a;
            if (fill[o] != v) {
                fill[o] = v;
                deg++;
            }
        }
        g->ents[v].card.degree = deg;
    }
    free(fill);
    return CPI_OK;
}

/* ------------------------------------------------------------------ writing */

/* Most recent first; undated last; ties by record number (first met first). */
static int cmp_sup(const void *a, const void *b, void *ctx)
{
    const g_graph *g = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int32_t dx = g->ref_day[x], dy = g->ref_day[y];
    if (dx != dy) {
        if (dx == CPI_DAY_NONE)
            return 1;
        if (dy == CPI_DAY_NONE)
            return -1;
        return dx > dy ? -1 : 1;
    }
    return x < y ? -1 : x > y ? 1 : 0;
}

static int cmp_ent_id(const void *a, const void *b, void *ctx)
{
    const g_graph *g = ctx;
    return strcmp(g->ids.strs[*(const uint32_t *)a], g->ids.strs[*(const uint32_t *)b]);
}

static cpi_status write_support_list(cpi_txn *txn, const g_graph *g, const g_edge *e, cpi_error *err)
{
    char key[3 * CPI_ENTITY_ID_MAX + 80];
    int klen = snprintf(key, sizeof key, "s%c%s%c%s%c%s", CPI_KEY_SEP, g->ids.strs[e->a], CPI_KEY_SEP,
                        G_TYPE(g, e), CPI_KEY_SEP, g->ids.strs[e->b]);
    if (klen < 0 || (size_t)klen >= 511)
        return CPI_OK; /* cannot be a key; the edge still holds its most recent references */
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, e->nsup);
    for (uint32_t i = 0; i < e->nsup; i++) {
        const char *r = g->refs.strs[e->sup[i]];
        size_t n = strlen(r);
        msgpack_pack_str(&pk, n);
        msgpack_pack_str_body(&pk, r, n);
    }
    cpi_status s = sb.data ? cpi_txn_put(txn, CPI_DB_ANALYTICS, key, (size_t)klen, sb.data, sb.size, err)
                           : NOMEM("support list");
    msgpack_sbuffer_destroy(&sb);
    return s;
}

static cpi_status write_graph(g_graph *g, cpi_txn *txn, cpi_error *err)
{
    uint32_t n = G_NENTS(g);
    uint32_t *order = malloc(sizeof *order * (n ? n : 1));
    if (!order)
        return NOMEM("write order");
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    cpi_sort_r(order, n, sizeof *order, cmp_ent_id, g);
    /* supporting references most recent first, once per edge */
    for (uint32_t i = 0; i < g->nedges; i++)
        cpi_sort_r(g->edges[i].sup, g->edges[i].nsup, sizeof(uint32_t), cmp_sup, g);
    cpi_status s = CPI_OK;
    char key[CPI_ENTITY_ID_MAX + 4], val[CPI_EDGE_VALUE_MAX];
    for (uint32_t oi = 0; oi < n && !s; oi++) {
        uint32_t v = order[oi];
        const cpi_card *c = &g->ents[v].card;
        char *buf;
        size_t len;
        size_t klen = cpi_card_key(c->id, key, sizeof key);
        s = cpi_card_encode(c, &buf, &len, err);
        if (s)
            break;
        s = cpi_txn_put(txn, CPI_DB_ANALYTICS, key, klen, buf, len, err);
        free(buf);
        for (uint32_t k = g->adj_start[v]; k < g->adj_start[v + 1] && !s; k++) {
            const g_edge *e = &g->edges[g->adj[k]];
            bool out = e->a == v;
            uint32_t other = out ? e->b : e->a;
            cpi_edge ce = {
                .type = G_TYPE(g, e), .other = g->ids.strs[other], .out = out, .current = e->current,
                .first = e->first, .last = e->last, .count = e->count, .times = e->times ? e->times : e->count,
                .sources = e->sources, .other_flags = g->ents[other].card.flags,
                .more = e->nsup > CPI_EDGE_REFS_MAX,
            };
            for (uint32_t r = 0; r < e->nsup && r < CPI_EDGE_REFS_MAX; r++)
                ce.refs[ce.nrefs++] = g->refs.strs[e->sup[r]];
            size_t vlen;
            s = cpi_edge_encode(&ce, val, sizeof val, &vlen, err);
            if (!s)
                s = cpi_txn_put(txn, CPI_DB_EDGES, c->id, strlen(c->id), val, vlen, err);
            if (!s && out && ce.more)
                s = write_support_list(txn, g, e, err);
        }
    }
    free(order);
    return s;
}

/* ------------------------------------------------------------------ the build */

cpi_status cpi_graph_build_txn(cpi_txn *txn, const cpi_graph_opts *opts, cpi_graph_stats *stats, cpi_error *err)
{
    cpi_graph_opts o = opts ? *opts : (cpi_graph_opts){0};
    cpi_graph_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    g_graph g = {0};
    scan sc = {.g = &g, .stats = stats};
    cpi_arena arena = {0};
    cpi_cursor *c = NULL;
    double t0 = now_s();
    cpi_status s = cpi_cursor_open(txn, CPI_DB_RECORDS, &c, err);
    cpi_slice k, v;
    cpi_status cs = s ? s : cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    char ref[CPI_REF_MAX];
    int32_t latest = CPI_DAY_NONE;
    while (!s && cs == CPI_OK) {
        if (k.len >= sizeof ref) {
            s = cpi_error_set(err, CPI_ERR_STORE, "records: a key of %zu bytes is too long for a reference", k.len);
            break;
        }
        memcpy(ref, k.data, k.len);
        ref[k.len] = '\0';
        cpi_record r;
        cpi_arena_reset(&arena);
        s = cpi_codec_decode_record(ref, v.data, v.len, &arena, &r, err);
        if (!s)
            s = scan_record(&sc, txn, &r, err);
        latest = dmax(latest, r.day);
        if (!s)
            cs = cpi_cursor_next(c, &k, &v, err);
    }
    cpi_cursor_close(c);
    cpi_arena_free(&arena);
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    g.today = o.today && o.today != CPI_DAY_NONE ? o.today : latest;
    if (!s)
        s = derive_occurrences(&sc, err);
    if (!s)
        s = derive_possible(&sc, txn, err);
    if (!s) {
        /* the household rule needs child/adult, so the cards are settled first */
        finish_cards(&g);
        s = derive_households(&sc, o.household_max ? o.household_max : 20, err);
    }
    if (!s)
        s = build_adjacency(&g, err);
    if (!s)
        s = g_area_assign(&g, err);
    stats->entities = G_NENTS(&g);
    stats->edges = g.nedges;
    stats->seconds_scan = now_s() - t0;
    if (!s)
        s = cpi_txn_clear(txn, CPI_DB_EDGES, err);
    if (!s)
        s = cpi_txn_clear(txn, CPI_DB_ANALYTICS, err);
    t0 = now_s();
    if (!s)
        s = g_area_write(&g, txn, err);
    if (!s && !o.skip_analytics)
        s = cpi_graph_analyse(&g, txn, stats, err);
    stats->seconds_analytics = now_s() - t0;
    t0 = now_s();
    if (!s)
        s = write_graph(&g, txn, err);
    stats->seconds_write = now_s() - t0;
    cpi_intern_free(&sc.urns);
    free(sc.occs);
    free(sc.links);
    g_free(&g);
    return s;
}

typedef struct build_ctx {
    const cpi_graph_opts *opts;
    cpi_graph_stats *stats;
} build_ctx;

static cpi_status build_fn(cpi_txn *txn, void *vctx, cpi_error *err)
{
    build_ctx *b = vctx;
    return cpi_graph_build_txn(txn, b->opts, b->stats, err);
}

cpi_status cpi_graph_build(cpi_store *st, const cpi_graph_opts *opts, cpi_graph_stats *stats, cpi_error *err)
{
    build_ctx b = {opts, stats};
    return cpi_store_write(st, build_fn, &b, err);
}
