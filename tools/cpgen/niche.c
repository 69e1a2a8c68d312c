/*
 * niche.c - the records-management export: nominals, locations, occurrences
 * with their nominal links, nominal-location links, warning markers and
 * public protection notices, as the tables of docs/formats.md "niche/".
 *
 * Occurrences are made from the simulated events (missing episodes, domestic
 * incidents, exploitation concerns, county-lines drugs supply, SHPO breaches,
 * online abuse) plus background incidents, and streamed out with their
 * occurrence_nominals rows in the same pass, so nothing per occurrence is kept.
 */
#include "tools/cpgen/gen.h"

#include <stdlib.h>
#include <string.h>

typedef struct niche {
    gen_ctx *g;
    rng r;
    gen_file nom, loc, occ, onl, nll, wrn, ppn;
    uint32_t occ_seq, onl_seq, nll_seq, wrn_seq, ppn_seq;
    uint32_t *known; /* people with a nominal, for background incidents */
    uint32_t nknown;
} niche;

static const char *const H_NOM[] = {"nominal_id", "created", "surname", "forenames", "dob", "gender", "pnc_id", "aliases", "notes"};
static const char *const H_LOC[] = {"location_id", "created", "premises_name", "address_1", "address_2", "town", "postcode",
                                    "location_type", "local_authority"};
static const char *const H_OCC[] = {"urn", "occurrence_date", "classification", "location_id", "area", "local_authority", "summary"};
static const char *const H_ONL[] = {"link_id", "linked_date", "urn", "nominal_id", "involvement"};
static const char *const H_NLL[] = {"link_id", "from_date", "to_date", "nominal_id", "location_id", "link_type"};
static const char *const H_WRN[] = {"warning_id", "start_date", "end_date", "nominal_id", "warning_type", "details"};
static const char *const H_PPN[] = {"ppn_id", "ppn_date", "child_nominal_id", "child_surname", "child_forenames", "child_dob",
                                    "location_id", "concern", "risk", "shared_with_social_care"};
#define NCOLS(h) ((int)(sizeof(h) / sizeof((h)[0])))

static const char *const LTYPE[] = {"HOME", "CARE HOME", "FOSTER HOME", "SCHOOL", "PARK", "TAKEAWAY", "HOTEL",
                                    "STATION", "CUCKOOED ADDRESS", "TRAP HOUSE", "SHOP"};

static int32_t rand_day(gen_ctx *g, rng *r) { return g->start + (int32_t)rng_below(r, (uint32_t)(g->end - g->start + 1)); }

static void date_str(gen_ctx *g, int32_t day, char *b, size_t cap) { date_fmt_day(b, cap, DF_DMY4, day); }

static void write_nominal(niche *n, uint32_t pi, uint32_t num)
{
    gen_ctx *g = n->g;
    const person *p = &g->p[pi];
    row w;
    row_begin(&w, &n->nom, "NOM-%07u", num);
    int s = row_slot(&w, K_PERSON, pi, "nominal");
    w.fslot[0] = (uint8_t)s; /* the nominal id identifies the person */
    int32_t created = rand_day(g, &n->r);
    row_date(&w, created);
    written_name wn;
    mess_name(g, &n->r, pi, &wn);
    if (g->mess && rng_chance(&n->r, 0.3))
        str_upper(wn.sur);
    row_str(&w, s, wn.sur);
    row_mark_req(&w);
    row_str(&w, s, wn.fore);
    char b[64];
    mess_dob(g, &n->r, pi, DF_DMY4, created, b, sizeof b); /* an age is as at the nominal's creation */
    row_str(&w, s, b);
    row_str(&w, s, g->mess && rng_chance(&n->r, 0.02) ? "U" : (char[]){p->gender, 0});
    if (p->pnc)
        row_fmt(&w, s, "%02u/%06u%c", (90 + p->pnc % 30) % 100, p->pnc, 'A' + p->pnc % 26);
    else
        row_str(&w, s, "");
    char alias[160] = "";
    if (p->sub >= PS_RSO && rng_chance(&n->r, 0.3)) {
        const char *nick = name_nick(&n->r, p->fore);
        snprintf(alias, sizeof alias, "%s %s", nick ? nick : name_fore(p->fore), name_sur(name_pick_sur(&n->r)));
    } else if (p->alt_sur != UINT16_MAX && rng_chance(&n->r, 0.3)) {
        snprintf(alias, sizeof alias, "%s %s", name_fore(p->fore), name_sur(p->alt_sur));
    }
    row_str(&w, s, alias);
    if (p->street)
        row_fmt(&w, 0, "Known on the street as %s", name_street_alias((uint16_t)(p->street - 1)));
    else
        row_str(&w, 0, "");
    row_commit(g, &w);
}

static void write_location(niche *n, uint32_t li, uint32_t num)
{
    gen_ctx *g = n->g;
    const location *l = &g->l[li];
    row w;
    row_begin(&w, &n->loc, "LOC-%07u", num);
    int s = row_slot(&w, K_LOCATION, li, "location");
    w.fslot[0] = (uint8_t)s;
    row_date(&w, rand_day(g, &n->r));
    char b[160];
    place_name(l->type, l->name, l->la, l->town, b, sizeof b);
    row_str(&w, s, b);
    mess_address_1(g, &n->r, li, b, sizeof b);
    row_str(&w, s, b);
    row_mark_req(&w);
    row_str(&w, s, "");
    row_str(&w, s, LAS[l->la].towns[l->town]);
    mess_postcode(g, &n->r, li, b, sizeof b);
    row_str(&w, s, b);
    row_str(&w, s, LTYPE[l->type]);
    row_str(&w, 0, LAS[l->la].name);
    row_commit(g, &w);
}

static const char *summary_for(const char *cls, rng *r)
{
    static const char *const MISS[] = {"Child reported missing from home address.", "Child failed to return to placement.",
                                       "Missing overnight; returned of own accord.", "Located by patrols and returned home."};
    static const char *const OTHER[] = {"Report received; enquiries ongoing.", "Officers attended; safeguarding referral made.",
                                        "Intelligence shared with partners.", "Words of advice given."};
    if (!strcmp(cls, "MISSING PERSON"))
        return MISS[rng_below(r, 4)];
    return OTHER[rng_below(r, 4)];
}

/* One occurrence and a link row for each involved person who is on Niche. */
static void occurrence(niche *n, int32_t day, const char *cls, uint32_t li, const uint32_t *who, const char *const *inv,
                       uint32_t nwho)
{
    gen_ctx *g = n->g;
    int y, m, d;
    cpi_norm_ymd_from_days(day, &y, &m, &d);
    char urn[32];
    snprintf(urn, sizeof urn, "OCC-%02d-%06u", y % 100, ++n->occ_seq);
    const location *l = &g->l[li];
    row w;
    row_begin(&w, &n->occ, "%s", urn);
    row_date(&w, day);
    row_str(&w, 0, cls);
    int s = row_slot(&w, K_LOCATION, li, "occurrence-location");
    row_fmt(&w, s, "LOC-%07u", pop_locnum(g, &n->r, li));
    row_mark_req(&w);
    row_str(&w, 0, LAS[l->la].area);
    row_str(&w, 0, LAS[l->la].name);
    row_str(&w, 0, summary_for(cls, &n->r));
    row_commit(g, &w);
    for (uint32_t k = 0; k < nwho; k++) {
        if (who[k] == NONE || !g->p[who[k]].nom)
            continue;
        row_begin(&w, &n->onl, "ONL-%07u", ++n->onl_seq);
        row_date(&w, day);
        row_str(&w, 0, urn);
        s = row_slot(&w, K_PERSON, who[k], "occurrence-nominal");
        row_fmt(&w, s, "NOM-%07u", pop_nominal(g, &n->r, who[k]));
        row_mark_req(&w);
        row_str(&w, 0, inv[k]);
        row_commit(g, &w);
    }
}

static void occ_missing(niche *n)
{
    gen_ctx *g = n->g;
    for (uint32_t i = 0; i < g->np; i++) {
        const person *p = &g->p[i];
        if (!(p->flags & PF_MISSING))
            continue;
        const household *h = &g->h[p->household];
        uint32_t reporter = h->mother != NONE ? h->mother : h->father;
        uint32_t eps = p->episodes < 12 ? p->episodes : 12;
        for (uint32_t e = 0; e < eps; e++) {
            uint32_t who[2] = {i, reporter};
            const char *inv[2] = {"MISSING PERSON", "REPORTING PERSON"};
            occurrence(n, day_at_age(g, &n->r, p->dob, 10), "MISSING PERSON", p->home, who, inv, 2);
        }
    }
}

static void occ_family(niche *n)
{
    gen_ctx *g = n->g;
    for (uint32_t hi = 0; hi < g->nh; hi++) {
        const household *h = &g->h[hi];
        if (!h->da)
            continue;
        uint32_t k = 1 + rng_below(&n->r, 4);
        for (uint32_t e = 0; e < k; e++) {
            uint32_t who[8];
            const char *inv[8];
            uint32_t nw = 0;
            who[nw] = h->mother, inv[nw++] = "VICTIM";
            who[nw] = h->father, inv[nw++] = "SUSPECT";
            for (uint32_t m = h->first; m < h->first + h->n && nw < 8; m++)
                if (g->p[m].sub == PS_CHILD && rng_chance(&n->r, 0.4))
                    who[nw] = m, inv[nw++] = "WITNESS";
            occurrence(n, rand_day(g, &n->r), "DOMESTIC INCIDENT", h->home, who, inv, nw);
        }
    }
}

static void occ_edges(niche *n)
{
    gen_ctx *g = n->g;
    for (uint32_t i = 0; i < g->ne; i++) {
        const edge *e = &g->e[i];
        uint32_t who[2] = {e->child, e->adult};
        const char *inv[2] = {"VICTIM", "SUSPECT"};
        if (e->type == ET_CSE && rng_chance(&n->r, 0.6)) {
            const char *cls = rng_chance(&n->r, 0.25) ? "SEXUAL OFFENCE AGAINST CHILD" : "CSE CONCERN";
            uint32_t li = rng_chance(&n->r, 0.5) ? g->p[e->adult].home : g->hot[rng_zipf(&n->r, g->nhot)];
            occurrence(n, day_at_age(g, &n->r, g->p[e->child].dob, 11), cls, li, who, inv, 2);
        } else if (e->type == ET_ONLINE) {
            occurrence(n, rand_day(g, &n->r), "ONLINE CHILD ABUSE", e->child == NONE ? 0 : g->p[e->child].home, who, inv, 2);
        } else if (e->type == ET_RSO && rng_chance(&n->r, 0.5)) {
            occurrence(n, rand_day(g, &n->r), "CONCERN FOR WELFARE", g->p[e->child].home, who, inv, 2);
        }
    }
}

static void occ_groups(niche *n)
{
    gen_ctx *g = n->g;
    for (uint32_t gi = 0; gi < g->ng; gi++) {
        const group *gr = &g->g[gi];
        uint32_t k = 2 + rng_below(&n->r, 5);
        uint32_t nc;
        const uint32_t *es = pop_edges_of_adult(g, gr->first, &nc);
        for (uint32_t e = 0; e < k; e++) {
            uint32_t who[4];
            const char *inv[4];
            uint32_t nw = 0;
            who[nw] = gr->first + rng_below(&n->r, gr->n), inv[nw++] = "OFFENDER";
            who[nw] = gr->first + rng_below(&n->r, gr->n), inv[nw++] = "SUSPECT";
            if (who[1] == who[0])
                nw--;
            if (nc)
                who[nw] = g->e[es[rng_below(&n->r, nc)]].child, inv[nw++] = "SUSPECT";
            occurrence(n, rand_day(g, &n->r), "DRUGS SUPPLY", gr->addr[rng_below(&n->r, gr->naddr)], who, inv, nw);
        }
    }
    for (uint32_t i = 0; i < g->np; i++) {
        const person *p = &g->p[i];
        if ((p->sub == PS_CHILD || p->sub == PS_LAC) && p->group != NONE) {
            uint32_t who[1] = {i};
            const char *inv[1] = {"VICTIM"};
            occurrence(n, day_at_age(g, &n->r, p->dob, 12), "CCE CONCERN", g->g[p->group].addr[0], who, inv, 1);
        }
        if ((p->flags & PF_SHPO) && rng_chance(&n->r, 0.4)) {
            uint32_t who[1] = {i};
            const char *inv[1] = {"OFFENDER"};
            occurrence(n, rand_day(g, &n->r), "BREACH OF SHPO", p->home, who, inv, 1);
        }
    }
}

/* Everyday incidents among people already on Niche: most of what a force records. */
static void occ_background(niche *n)
{
    gen_ctx *g = n->g;
    uint32_t target = g->children * 3 / 2;
    for (uint32_t i = 0; i < target && n->nknown; i++) {
        uint32_t who[3];
        const char *inv[3];
        const char *cls;
        uint32_t a = n->known[rng_below(&n->r, n->nknown)];
        const person *p = &g->p[a];
        uint32_t nw = 0;
        if (p->sub == PS_CHILD || p->sub == PS_LAC) {
            cls = "CONCERN FOR WELFARE";
            who[nw] = a, inv[nw++] = "VICTIM";
            const household *h = &g->h[p->household];
            if (h->mother != NONE)
                who[nw] = h->mother, inv[nw++] = "REPORTING PERSON";
        } else {
            cls = "ASSAULT";
            who[nw] = a, inv[nw++] = "VICTIM";
            who[nw] = n->known[rng_below(&n->r, n->nknown)], inv[nw++] = "SUSPECT";
            who[nw] = n->known[rng_below(&n->r, n->nknown)], inv[nw++] = "WITNESS";
            if (who[1] == a)
                nw = 1;
        }
        uint32_t li = rng_chance(&n->r, 0.5) ? p->home : g->hot[rng_below(&n->r, g->nhot)];
        occurrence(n, rand_day(g, &n->r), cls, li, who, inv, nw);
    }
}

static void nll(niche *n, uint32_t pi, uint32_t nom, uint32_t li, const char *type, int32_t from, int32_t to)
{
    gen_ctx *g = n->g;
    row w;
    row_begin(&w, &n->nll, "NLL-%07u", ++n->nll_seq);
    row_date(&w, from);
    char b[32] = "";
    if (to)
        date_str(g, to, b, sizeof b);
    row_str(&w, 0, b);
    int s = row_slot(&w, K_PERSON, pi, "nominal");
    row_fmt(&w, s, "NOM-%07u", nom);
    row_mark_req(&w);
    int s2 = row_slot(&w, K_LOCATION, li, "linked-address");
    row_fmt(&w, s2, "LOC-%07u", pop_locnum(g, &n->r, li));
    row_str(&w, 0, type);
    row_commit(g, &w);
}

static void write_nlls(niche *n)
{
    gen_ctx *g = n->g;
    for (uint32_t i = 0; i < g->np; i++) {
        const person *p = &g->p[i];
        if (!p->nom)
            continue;
        const char *type = p->sub == PS_LAC ? "PLACEMENT" : p->sub == PS_RSO ? "REGISTERED ADDRESS" : "HOME";
        int32_t from = rand_day(g, &n->r);
        nll(n, i, p->nom, p->home, type, from, 0);
        if (p->nom2)
            nll(n, i, p->nom2, p->home, type, rand_day(g, &n->r), 0);
        if (rng_chance(&n->r, 0.2)) {
            uint32_t prev = g->h[rng_below(&n->r, g->nh)].home;
            if (prev != p->home && g->l[prev].type == LT_HOME)
                nll(n, i, p->nom, prev, "PREVIOUS", from - 400 - (int32_t)rng_below(&n->r, 2000), from - 1);
        }
    }
}

static void warning(niche *n, uint32_t pi, const char *type, const char *details)
{
    gen_ctx *g = n->g;
    row w;
    row_begin(&w, &n->wrn, "WRN-%07u", ++n->wrn_seq);
    int32_t from = rand_day(g, &n->r);
    row_date(&w, from);
    char b[32] = "";
    if (rng_chance(&n->r, 0.2))
        date_str(g, from + 90 + (int32_t)rng_below(&n->r, 700), b, sizeof b);
    row_str(&w, 0, b);
    int s = row_slot(&w, K_PERSON, pi, "warning-subject");
    row_fmt(&w, s, "NOM-%07u", pop_nominal(g, &n->r, pi));
    row_mark_req(&w);
    row_str(&w, 0, type);
    row_str(&w, 0, details);
    row_commit(g, &w);
}

static const char *const SHPO_CONDITIONS[] = {
    "Not to have unsupervised contact with any child under 16",
    "Not to use any device capable of accessing the internet unless it retains history",
    "Not to enter any park or play area where children are present",
    "Not to reside in a household with any child under 18 without approval",
};

static void write_warnings(niche *n)
{
    gen_ctx *g = n->g;
    for (uint32_t i = 0; i < g->np; i++) {
        const person *p = &g->p[i];
        if (!p->nom)
            continue;
        if (p->flags & PF_CPP)
            warning(n, i, "CHILD PROTECTION PLAN", "");
        if (p->sub == PS_LAC)
            warning(n, i, "LOOKED AFTER CHILD", "");
        if (p->flags & PF_CSE_FLAG)
            warning(n, i, p->group != NONE ? "CCE RISK" : "CSE RISK", "");
        if ((p->flags & PF_MISSING) && p->episodes >= 3)
            warning(n, i, "REPEAT MISSING", "");
        if (p->sub == PS_RSO)
            warning(n, i, "REGISTERED SEX OFFENDER", "");
        if (p->flags & PF_SHPO)
            warning(n, i, "SHPO", SHPO_CONDITIONS[rng_below(&n->r, 4)]);
        if ((p->flags & PF_CAWN) && p->sub >= PS_RSO) {
            uint32_t ne;
            const uint32_t *es = pop_edges_of_adult(g, i, &ne);
            for (uint32_t k = 0; k < ne; k++) {
                const edge *e = &g->e[es[k]];
                if (e->cawn && g->p[e->child].nom) {
                    char b[96];
                    snprintf(b, sizeof b, "CAWN served in respect of NOM-%07u", g->p[e->child].nom);
                    warning(n, i, "CAWN", b);
                }
            }
        }
        if (p->sub == PS_PARENT && (p->flags & PF_DA_HOME) && p->gender == 'F')
            warning(n, i, "MARAC", "");
        if (p->sub == PS_DA || (p->sub == PS_OCG && rng_chance(&n->r, 0.5)))
            warning(n, i, "VIOLENT", "");
    }
}

static void ppn(niche *n, uint32_t ci, const char *concern, const char *risk)
{
    gen_ctx *g = n->g;
    const person *p = &g->p[ci];
    row w;
    row_begin(&w, &n->ppn, "PPN-%07u", ++n->ppn_seq);
    int32_t day = rand_day(g, &n->r);
    row_date(&w, day);
    int s = row_slot(&w, K_PERSON, ci, "ppn-subject");
    if (p->nom && rng_chance(&n->r, 0.9))
        row_fmt(&w, s, "NOM-%07u", pop_nominal(g, &n->r, ci));
    else
        row_str(&w, s, "");
    written_name wn;
    mess_name(g, &n->r, ci, &wn);
    row_str(&w, s, wn.sur);
    row_mark_req(&w);
    row_str(&w, s, wn.fore);
    char b[64];
    mess_dob(g, &n->r, ci, DF_DMY4, day, b, sizeof b);
    row_str(&w, s, b);
    int s2 = row_slot(&w, K_LOCATION, p->home, "ppn-address");
    row_fmt(&w, s2, "LOC-%07u", pop_locnum(g, &n->r, p->home));
    row_str(&w, 0, concern);
    row_str(&w, 0, risk);
    row_str(&w, 0, rng_chance(&n->r, 0.8) ? "Y" : "N");
    row_commit(g, &w);
}

static void write_ppns(niche *n)
{
    gen_ctx *g = n->g;
    static const char *const RISK[] = {"STANDARD", "MEDIUM", "HIGH"};
    for (uint32_t i = 0; i < g->np; i++) {
        const person *p = &g->p[i];
        if (p->sub != PS_CHILD && p->sub != PS_LAC)
            continue;
        if (p->flags & PF_DA_HOME)
            ppn(n, i, "DOMESTIC ABUSE", RISK[1 + rng_below(&n->r, 2)]);
        if (p->flags & PF_EXPLOITED)
            ppn(n, i, p->group != NONE ? "CCE" : "CSE", "HIGH");
        if ((p->flags & PF_MISSING) && rng_chance(&n->r, 0.5))
            ppn(n, i, "MISSING", RISK[rng_below(&n->r, 3)]);
        if (p->flags & PF_ONLINE_VICTIM)
            ppn(n, i, "ONLINE ABUSE", "HIGH");
        if (rng_chance(&n->r, 0.08))
            ppn(n, i, rng_chance(&n->r, 0.5) ? "NEGLECT" : "OTHER", RISK[rng_below(&n->r, 2)]);
    }
}

static int open_all(niche *n)
{
    gen_ctx *g = n->g;
    if (out_open(g, &n->nom, "niche", "nominals.csv", DF_DMY4, H_NOM, NCOLS(H_NOM)) ||
        out_open(g, &n->loc, "niche", "locations.csv", DF_DMY4, H_LOC, NCOLS(H_LOC)) ||
        out_open(g, &n->occ, "niche", "occurrences.csv", DF_DMY4, H_OCC, NCOLS(H_OCC)) ||
        out_open(g, &n->onl, "niche", "occurrence_nominals.csv", DF_DMY4, H_ONL, NCOLS(H_ONL)) ||
        out_open(g, &n->nll, "niche", "nominal_locations.csv", DF_DMY4, H_NLL, NCOLS(H_NLL)) ||
        out_open(g, &n->wrn, "niche", "warnings.csv", DF_DMY4, H_WRN, NCOLS(H_WRN)) ||
        out_open(g, &n->ppn, "niche", "ppns.csv", DF_DMY4, H_PPN, NCOLS(H_PPN)))
        return -1;
    return 0;
}

int silo_niche(gen_ctx *g)
{
    niche n;
    memset(&n, 0, sizeof n);
    n.g = g;
    rng_seed(&n.r, g->seed, 10);
    if (open_all(&n))
        return -1;
    /* Nominals in number order: primary numbers follow person order, duplicates come after. */
    n.known = malloc(sizeof *n.known * (g->nominals + 1));
    for (uint32_t i = 0; i < g->np; i++)
        if (g->p[i].nom) {
            n.known[n.nknown++] = i;
            write_nominal(&n, i, g->p[i].nom);
        }
    for (uint32_t i = 0; i < g->np; i++)
        if (g->p[i].nom2)
            write_nominal(&n, i, g->p[i].nom2);
    for (uint32_t i = 0; i < g->nl; i++)
        write_location(&n, i, g->l[i].loc);
    for (uint32_t i = 0; i < g->nl; i++)
        if (g->l[i].loc2)
            write_location(&n, i, g->l[i].loc2);
    occ_missing(&n);
    occ_family(&n);
    occ_edges(&n);
    occ_groups(&n);
    occ_background(&n);
    write_nlls(&n);
    write_warnings(&n);
    write_ppns(&n);
    free(n.known);
    int rc = 0;
    gen_file *fs[] = {&n.nom, &n.loc, &n.occ, &n.onl, &n.nll, &n.wrn, &n.ppn};
    for (int i = 0; i < 7; i++)
        rc |= out_close(g, fs[i]);
    return rc;
}
