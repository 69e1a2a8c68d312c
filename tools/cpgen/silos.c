/*
 * silos.c - the five standalone systems beside Niche: MIRAF forms, MACE
 * meeting rows, MARAC cases, POLIT intelligence and SOC exploitation plans,
 * each in its own shape (date format, name format, numbered column groups)
 * as docs/formats.md defines. Each silo draws from its own random stream.
 */
#include "tools/cpgen/gen.h"

#include <stdlib.h>
#include <string.h>

typedef enum name_style { NS_PLAIN, NS_UPPER_SUR, NS_SUR_COMMA } name_style;

static int32_t rand_day(gen_ctx *g, rng *r) { return g->start + (int32_t)rng_below(r, (uint32_t)(g->end - g->start + 1)); }

/* A one-text name as this silo writes it. */
static void full_name(gen_ctx *g, rng *r, uint32_t pi, name_style st, char *buf, size_t cap)
{
    written_name wn;
    mess_name(g, r, pi, &wn);
    if (st != NS_PLAIN)
        str_upper(wn.sur);
    if (st == NS_SUR_COMMA)
        snprintf(buf, cap, "%s, %s", wn.sur, wn.fore);
    else
        snprintf(buf, cap, "%s %s", wn.fore, wn.sur);
}

static void put_date(row *w, int slot, date_fmt f, int32_t day)
{
    char b[32];
    date_fmt_day(b, sizeof b, f, day);
    row_str(w, slot, b);
}

/* An adult's DOB: officers often only guess an age, except on clean data. */
static void adult_dob(gen_ctx *g, rng *r, uint32_t pi, date_fmt f, int32_t at, char *b, size_t cap)
{
    if (g->mess && rng_chance(r, 0.3))
        snprintf(b, cap, f == DF_MON ? "%d yrs" : "approx %d", age_at(g->p[pi].dob, at));
    else
        mess_dob(g, r, pi, f, at, b, cap);
}

static void put_phone(gen_ctx *g, rng *r, row *w, int slot, uint32_t ti, int style)
{
    char b[32] = "";
    if (ti != NONE)
        mess_phone(g, r, ti, style, b, sizeof b);
    row_str(w, slot, b);
}

static void put_place(gen_ctx *g, rng *r, row *w, int slot, uint32_t li)
{
    char b[256] = "", pc[16] = "";
    if (li != NONE) {
        mess_address_line(g, r, li, b, sizeof b, true);
        mess_postcode(g, r, li, pc, sizeof pc);
    }
    row_str(w, slot, b);
    row_str(w, slot, pc);
}

static bool is_child(const person *p) { return p->sub == PS_CHILD || p->sub == PS_LAC; }

/* Up to max adults posing a risk to a child, of the given edge types (bit mask). */
static uint32_t risk_adults(gen_ctx *g, uint32_t child, unsigned types, uint32_t *out, const edge **eout, uint32_t max)
{
    uint32_t ne, n = 0;
    const uint32_t *es = pop_edges_of_child(g, child, &ne);
    for (uint32_t k = 0; k < ne && n < max; k++) {
        const edge *e = &g->e[es[k]];
        if (!(types & (1u << e->type)))
            continue;
        bool dup = false;
        for (uint32_t j = 0; j < n; j++)
            dup |= out[j] == e->adult;
        if (dup)
            continue;
        if (eout)
            eout[n] = e;
        out[n++] = e->adult;
    }
    return n;
}

/* ---------------- MIRAF ---------------- */

static const char *const H_MIRAF[] = {
    "form_ref", "form_date", "child_forenames", "child_surname", "child_dob", "gender", "niche_nominal_id",
    "home_address", "home_postcode", "placement_type", "looked_after", "risk_grading", "episodes",
    "last_missing_date", "risk_factors",
    "risk_person_1_name", "risk_person_1_dob", "risk_person_1_relationship", "risk_person_1_phone", "risk_person_1_cawn", "risk_person_1_cawn_date",
    "risk_person_2_name", "risk_person_2_dob", "risk_person_2_relationship", "risk_person_2_phone", "risk_person_2_cawn", "risk_person_2_cawn_date",
    "risk_person_3_name", "risk_person_3_dob", "risk_person_3_relationship", "risk_person_3_phone", "risk_person_3_cawn", "risk_person_3_cawn_date",
    "found_1_place", "found_1_postcode", "found_1_count", "found_2_place", "found_2_postcode", "found_2_count",
    "found_3_place", "found_3_postcode", "found_3_count", "found_4_place", "found_4_postcode", "found_4_count",
    "interview_1_date", "interview_1_type", "interview_1_done", "interview_1_notes",
    "interview_2_date", "interview_2_type", "interview_2_done", "interview_2_notes",
};

static const char *relationship(uint8_t type, rng *r)
{
    static const char *const CSE[] = {"boyfriend", "associate", "older male", "friend"};
    switch (type) {
    case ET_CSE: return CSE[rng_below(r, 4)];
    case ET_CCE: return rng_chance(r, 0.5) ? "associate" : "dealer";
    case ET_RSO: return "family friend";
    default: return "online contact";
    }
}

static void miraf_risk_person(gen_ctx *g, rng *r, row *w, uint32_t adult, const edge *e, int32_t at)
{
    char b[160];
    int s = adult != NONE ? row_slot(w, K_PERSON, adult, "person-posing-risk") : 0;
    if (adult == NONE) {
        for (int i = 0; i < 6; i++)
            row_str(w, 0, "");
        return;
    }
    full_name(g, r, adult, NS_PLAIN, b, sizeof b);
    row_str(w, s, b);
    adult_dob(g, r, adult, DF_ISO, at, b, sizeof b);
    row_str(w, s, b);
    row_str(w, 0, relationship(e->type, r));
    const person *p = &g->p[adult];
    int sp = p->phone != NONE ? row_slot(w, K_PHONE, p->phone, "risk-person-phone") : 0;
    put_phone(g, r, w, sp, p->phone, 0);
    row_str(w, 0, e->cawn ? "Y" : "N");
    if (e->cawn)
        put_date(w, 0, DF_ISO, e->cawn_day);
    else
        row_str(w, 0, "");
}

static const char *const NOTES[] = {"Declined to engage", "Said was with friends", "Disclosed meeting older males",
                                    "Would not say where", "Engaged well; referred to youth service"};

static void miraf_form(gen_ctx *g, rng *r, gen_file *f, uint32_t ci, uint32_t seq)
{
    const person *p = &g->p[ci];
    int32_t last = day_at_age(g, r, p->dob, 10) - 10;
    if (last < g->start)
        last = g->start;
    int32_t form_day = last + 1 + (int32_t)rng_below(r, 7);
    int y, m, d;
    cpi_norm_ymd_from_days(form_day, &y, &m, &d);
    row w;
    row_begin(&w, f, "MF-%04d-%06u", y, seq);
    row_date(&w, form_day);
    int s = row_slot(&w, K_PERSON, ci, "missing-child");
    written_name wn;
    mess_name(g, r, ci, &wn);
    row_str(&w, s, wn.fore);
    row_str(&w, s, wn.sur);
    row_mark_req(&w);
    char b[256];
    mess_dob(g, r, ci, DF_ISO, form_day, b, sizeof b);
    row_str(&w, s, b);
    row_str(&w, s, (char[]){p->gender, 0});
    if (p->nom && rng_chance(r, 0.6))
        row_fmt(&w, s, "NOM-%07u", p->nom);
    else
        row_str(&w, s, "");
    int sh = row_slot(&w, K_LOCATION, p->home, "home-address");
    put_place(g, r, &w, sh, p->home);
    row_str(&w, 0, (p->flags & PF_CARE_HOME) ? "CARE HOME" : (p->flags & PF_FOSTER) ? "FOSTER" : "HOME");
    row_str(&w, 0, p->sub == PS_LAC ? "Y" : "N");
    row_str(&w, 0, (p->flags & PF_EXPLOITED) ? "HIGH" : p->episodes >= 5 ? "MEDIUM" : "LOW");
    row_fmt(&w, 0, "%u", p->episodes);
    put_date(&w, 0, DF_ISO, last);
    char rf[160] = "";
    if (p->flags & PF_EXPLOITED)
        strcat(rf, p->group != NONE ? "CCE; " : "CSE; ");
    if (p->flags & PF_DA_HOME)
        strcat(rf, "domestic abuse at home; ");
    if (p->episodes >= 5)
        strcat(rf, "repeat missing; ");
    if (rng_chance(r, 0.3))
        strcat(rf, "substance misuse; ");
    size_t n = strlen(rf);
    if (n >= 2)
        rf[n - 2] = 0;
    row_str(&w, 0, rf);
    uint32_t adults[3];
    const edge *es[3];
    uint32_t na = risk_adults(g, ci, (1u << ET_CSE) | (1u << ET_CCE) | (1u << ET_RSO) | (1u << ET_ONLINE), adults, es, 3);
    uint32_t lost = g->mess == 2 && na >= 2 && rng_chance(r, 0.2) ? 0 : NONE; /* an entry lost at K=1 */
    for (uint32_t k = 0; k < 3; k++)
        miraf_risk_person(g, r, &w, k < na && k != lost ? adults[k] : NONE, k < na ? es[k] : NULL, form_day);
    for (uint32_t k = 0; k < 4; k++) {
        if (k < p->nfound) {
            int sf = row_slot(&w, K_LOCATION, p->found[k], "found-at");
            put_place(g, r, &w, sf, p->found[k]);
            row_fmt(&w, 0, "%u", p->found_n[k]);
        } else {
            for (int i = 0; i < 3; i++)
                row_str(&w, 0, "");
        }
    }
    uint32_t ni = 1 + rng_below(r, 2);
    for (uint32_t k = 0; k < 2; k++) {
        if (k < ni) {
            put_date(&w, 0, DF_ISO, last + 1 + (int32_t)k * 3);
            row_str(&w, 0, k == 0 ? "RHI" : "PREVENTION");
            bool done = rng_chance(r, 0.7);
            row_str(&w, 0, done ? "Y" : "N");
            row_str(&w, 0, done ? NOTES[rng_below(r, 5)] : "");
        } else {
            for (int i = 0; i < 4; i++)
                row_str(&w, 0, "");
        }
    }
    row_commit(g, &w);
}

int silo_miraf(gen_ctx *g)
{
    gen_file f;
    rng r;
    rng_seed(&r, g->seed, 20);
    if (out_open(g, &f, "miraf", "miraf_forms.csv", DF_ISO, H_MIRAF, (int)(sizeof H_MIRAF / sizeof H_MIRAF[0])))
        return -1;
    uint32_t seq = 0;
    for (uint32_t i = 0; i < g->np; i++)
        if (g->p[i].flags & PF_MISSING)
            miraf_form(g, &r, &f, i, ++seq);
    return out_close(g, &f);
}

/* ---------------- MACE ---------------- */

static const char *const H_MACE[] = {
    "mace_id", "meeting_date", "meeting_ref", "area", "child_name", "child_dob", "school", "exploitation_type",
    "risk_level", "seraf_score",
    "adult_1_name", "adult_1_street_name", "adult_1_phone", "adult_2_name", "adult_2_street_name", "adult_2_phone",
    "adult_3_name", "adult_3_street_name", "adult_3_phone",
    "location_1", "location_1_postcode", "location_2", "location_2_postcode", "actions", "flagged_on_niche",
};

static const char *const ACTIONS[] = {"Disruption visit", "Refer to YOT", "Safeguarding strategy meeting",
                                      "Share intelligence with partners", "Return home interview", "Flag address on Niche",
                                      "Closure order application", "IDVA support"};

static void mace_adult(gen_ctx *g, rng *r, row *w, uint32_t a)
{
    if (a == NONE) {
        for (int i = 0; i < 3; i++)
            row_str(w, 0, "");
        return;
    }
    const person *p = &g->p[a];
    int s = row_slot(w, K_PERSON, a, "adult-of-concern");
    char b[160] = "";
    bool only_street = p->street && g->mess && rng_chance(r, 0.3);
    if (!only_street)
        full_name(g, r, a, NS_UPPER_SUR, b, sizeof b);
    row_str(w, s, b);
    row_str(w, s, p->street ? name_street_alias((uint16_t)(p->street - 1)) : "");
    int sp = p->phone != NONE ? row_slot(w, K_PHONE, p->phone, "adult-phone") : 0;
    put_phone(g, r, w, sp, p->phone, 2);
}

static void mace_row(gen_ctx *g, rng *r, gen_file *f, uint32_t ci, uint32_t seq)
{
    const person *p = &g->p[ci];
    const location *home = &g->l[p->home];
    const char *area = LAS[home->la].area;
    int32_t any = day_at_age(g, r, p->dob, 11);
    int y, m, d;
    cpi_norm_ymd_from_days(any, &y, &m, &d);
    int32_t day = cpi_norm_days_from_ymd(y, m, area[0] == 'E' ? 5 : 12);
    if (day > g->end)
        day = g->end;
    row w;
    row_begin(&w, f, "MACE-%07u", seq);
    row_date(&w, day);
    char b[256];
    date_fmt_day(b, sizeof b, DF_COMPACT, day);
    row_fmt(&w, 0, "MACE-%s-%s", area, b);
    row_str(&w, 0, area);
    int s = row_slot(&w, K_PERSON, ci, "child-discussed");
    full_name(g, r, ci, NS_UPPER_SUR, b, sizeof b);
    row_str(&w, s, b);
    row_mark_req(&w);
    if (g->mess && rng_chance(r, 0.15))
        snprintf(b, sizeof b, "%d yrs", age_at(p->dob, day));
    else
        mess_dob(g, r, ci, DF_MON, day, b, sizeof b);
    row_str(&w, s, b);
    int ss = p->school != NONE ? row_slot(&w, K_LOCATION, p->school, "school") : 0;
    if (p->school != NONE) {
        const location *l = &g->l[p->school];
        place_name(l->type, l->name, l->la, l->town, b, sizeof b);
        row_str(&w, ss, b);
    } else {
        row_str(&w, 0, "");
    }
    uint32_t adults[3];
    uint32_t na = risk_adults(g, ci, (1u << ET_CSE) | (1u << ET_CCE), adults, NULL, 3);
    bool cse = false, cce = false;
    uint32_t ne;
    const uint32_t *es = pop_edges_of_child(g, ci, &ne);
    for (uint32_t k = 0; k < ne; k++) {
        cse |= g->e[es[k]].type == ET_CSE;
        cce |= g->e[es[k]].type == ET_CCE;
    }
    row_str(&w, 0, cse && cce ? "CSE/CCE" : cce ? "CCE" : "CSE");
    uint32_t seraf = 10 + rng_below(r, 31);
    row_str(&w, 0, seraf >= 30 ? "HIGH" : seraf >= 20 ? "MEDIUM" : "LOW");
    row_fmt(&w, 0, "%u", seraf);
    for (uint32_t k = 0; k < 3; k++)
        mace_adult(g, r, &w, k < na ? adults[k] : NONE);
    uint32_t locs[2], nl = 0;
    for (uint32_t k = 0; k < p->nfound && nl < 2; k++)
        locs[nl++] = p->found[k];
    if (nl < 2 && p->group != NONE)
        locs[nl++] = g->g[p->group].addr[0];
    for (uint32_t k = 0; k < 2; k++) {
        int sl = k < nl ? row_slot(&w, K_LOCATION, locs[k], "location-of-concern") : 0;
        put_place(g, r, &w, sl, k < nl ? locs[k] : NONE);
    }
    row_fmt(&w, 0, "%s; %s", ACTIONS[rng_below(r, 8)], ACTIONS[rng_below(r, 8)]);
    row_str(&w, 0, (p->flags & PF_CSE_FLAG) ? "Yes" : "No");
    row_commit(g, &w);
}

int silo_mace(gen_ctx *g)
{
    gen_file f;
    rng r;
    rng_seed(&r, g->seed, 30);
    if (out_open(g, &f, "mace", "mace_children.csv", DF_MON, H_MACE, (int)(sizeof H_MACE / sizeof H_MACE[0])))
        return -1;
    uint32_t seq = 0;
    for (uint32_t i = 0; i < g->np; i++) {
        if (!(g->p[i].flags & PF_EXPLOITED))
            continue;
        uint32_t meetings = 1 + rng_below(&r, 4);
        for (uint32_t k = 0; k < meetings; k++)
            mace_row(g, &r, &f, i, ++seq);
    }
    return out_close(g, &f);
}

/* ---------------- MARAC ---------------- */

static const char *const H_MARAC[] = {
    "case_id", "meeting_date", "area", "dash_score", "repeat_case", "victim_name", "victim_dob", "victim_address",
    "victim_postcode", "perpetrator_name", "perpetrator_dob",
    "child_1_name", "child_1_age", "child_2_name", "child_2_age", "child_3_name", "child_3_age", "child_4_name", "child_4_age",
    "actions",
};

static void marac_case(gen_ctx *g, rng *r, gen_file *f, const household *h, uint32_t seq, bool repeat)
{
    int32_t day = rand_day(g, r);
    row w;
    row_begin(&w, f, "MRC-%06u", seq);
    row_date(&w, day);
    row_str(&w, 0, LAS[g->l[h->home].la].area);
    row_fmt(&w, 0, "%u", 14 + rng_below(r, 14));
    row_str(&w, 0, repeat ? "Y" : "N");
    char b[256];
    int sv = row_slot(&w, K_PERSON, h->mother, "victim");
    full_name(g, r, h->mother, NS_SUR_COMMA, b, sizeof b);
    row_str(&w, sv, b);
    row_mark_req(&w);
    mess_dob(g, r, h->mother, DF_DMY2, day, b, sizeof b);
    row_str(&w, sv, b);
    int sa = row_slot(&w, K_LOCATION, h->home, "victim-address");
    put_place(g, r, &w, sa, h->home);
    int sp = row_slot(&w, K_PERSON, h->father, "perpetrator");
    full_name(g, r, h->father, NS_SUR_COMMA, b, sizeof b);
    row_str(&w, sp, b);
    adult_dob(g, r, h->father, DF_DMY2, day, b, sizeof b);
    row_str(&w, sp, b);
    uint32_t nk = 0;
    for (uint32_t m = h->first; m < h->first + h->n && nk < 4; m++) {
        const person *c = &g->p[m];
        if (!is_child(c) || c->dob > day)
            continue;
        int sc = row_slot(&w, K_PERSON, m, "household-child");
        if (rng_chance(r, 0.6)) {
            written_name wn;
            mess_name(g, r, m, &wn);
            row_str(&w, sc, wn.fore);
        } else {
            full_name(g, r, m, NS_PLAIN, b, sizeof b);
            row_str(&w, sc, b);
        }
        row_fmt(&w, sc, "%d", age_at(c->dob, day));
        nk++;
    }
    for (; nk < 4; nk++) {
        row_str(&w, 0, "");
        row_str(&w, 0, "");
    }
    row_fmt(&w, 0, "%s; %s", ACTIONS[7], ACTIONS[rng_below(r, 8)]);
    row_commit(g, &w);
}

int silo_marac(gen_ctx *g)
{
    gen_file f;
    rng r;
    rng_seed(&r, g->seed, 40);
    if (out_open(g, &f, "marac", "marac_cases.csv", DF_DMY2, H_MARAC, (int)(sizeof H_MARAC / sizeof H_MARAC[0])))
        return -1;
    uint32_t seq = 0;
    for (uint32_t hi = 0; hi < g->nh; hi++) {
        const household *h = &g->h[hi];
        if (!h->da)
            continue;
        uint32_t cases = rng_heavy(&r, 1.5, 4);
        for (uint32_t k = 0; k < cases; k++)
            marac_case(g, &r, &f, h, ++seq, k > 0);
    }
    return out_close(g, &f);
}

/* ---------------- POLIT ---------------- */

static const char *const H_POLIT[] = {
    "intel_ref", "intel_date", "ceop_ref", "subject_surname", "subject_forenames", "subject_dob", "subject_address",
    "subject_postcode", "subject_phone", "username_1", "username_2", "email_1", "devices", "lives_with_children",
    "works_with_children", "children_access",
    "household_child_1_name", "household_child_1_dob", "household_child_2_name", "household_child_2_dob",
    "victim_1_name", "victim_1_age", "victim_2_name", "victim_2_age", "victim_3_name", "victim_3_age",
    "risk_grade", "status",
};

static void polit_entry(gen_ctx *g, rng *r, gen_file *f, uint32_t ai, uint32_t seq)
{
    const person *p = &g->p[ai];
    int32_t day = rand_day(g, r);
    int y, m, d;
    cpi_norm_ymd_from_days(day, &y, &m, &d);
    row w;
    row_begin(&w, f, "PI-%07u", seq);
    row_date(&w, day);
    if (rng_chance(r, 0.7))
        row_fmt(&w, 0, "CEOP-%04d-%06u", y, rng_below(r, 1000000));
    else
        row_str(&w, 0, "");
    int s = row_slot(&w, K_PERSON, ai, "subject");
    written_name wn;
    mess_name(g, r, ai, &wn);
    row_str(&w, s, wn.sur);
    row_mark_req(&w);
    row_str(&w, s, wn.fore);
    char b[256];
    mess_dob(g, r, ai, DF_COMPACT, day, b, sizeof b);
    row_str(&w, s, b);
    int sa = row_slot(&w, K_LOCATION, p->home, "subject-address");
    put_place(g, r, &w, sa, p->home);
    int sp = p->phone != NONE ? row_slot(&w, K_PHONE, p->phone, "subject-phone") : 0;
    put_phone(g, r, &w, sp, p->phone, 1);
    uint32_t users[2], nu = 0, email = NONE;
    for (uint32_t k = 0; p->online != NONE && k < p->nonline; k++) {
        uint32_t oi = p->online + k;
        if (g->o[oi].email)
            email = oi;
        else if (nu < 2)
            users[nu++] = oi;
    }
    for (uint32_t k = 0; k < 2; k++) {
        int so = k < nu ? row_slot(&w, K_ONLINE, users[k], "online-identity") : 0;
        row_str(&w, so, k < nu ? g->o[users[k]].value : "");
    }
    int se = email != NONE ? row_slot(&w, K_ONLINE, email, "online-identity") : 0;
    row_str(&w, se, email != NONE ? g->o[email].value : "");
    row_str(&w, 0, rng_chance(r, 0.5) ? "Android phone; laptop" : "iPhone; tablet");
    const household *h = &g->h[p->household];
    uint32_t kids[2], nk = 0;
    for (uint32_t m2 = h->first; m2 < h->first + h->n && nk < 2; m2++)
        if (is_child(&g->p[m2]) && g->p[m2].dob <= day)
            kids[nk++] = m2;
    bool works = (ai % 7) == 0;
    row_str(&w, 0, nk ? "Y" : "N");
    row_str(&w, 0, works ? "Y" : "N");
    row_str(&w, 0, nk && works ? "own children; junior football coach" : nk ? "own children" : works ? "junior football coach" : "");
    for (uint32_t k = 0; k < 2; k++) {
        if (k < nk) {
            int sc = row_slot(&w, K_PERSON, kids[k], "household-child");
            full_name(g, r, kids[k], NS_PLAIN, b, sizeof b);
            row_str(&w, sc, b);
            mess_dob(g, r, kids[k], DF_COMPACT, day, b, sizeof b);
            row_str(&w, sc, b);
        } else {
            row_str(&w, 0, "");
            row_str(&w, 0, "");
        }
    }
    uint32_t victims[3];
    uint32_t nv = 0;
    uint32_t ne;
    const uint32_t *es = pop_edges_of_adult(g, ai, &ne);
    for (uint32_t k = 0; k < ne && nv < 3; k++) {
        const edge *e = &g->e[es[k]];
        if (e->type == ET_ONLINE && age_at(g->p[e->child].dob, day) >= 6)
            victims[nv++] = e->child;
    }
    for (uint32_t k = 0; k < 3; k++) {
        if (k < nv) {
            int sv = row_slot(&w, K_PERSON, victims[k], "victim");
            if (rng_chance(r, 0.5)) {
                mess_name(g, r, victims[k], &wn);
                row_str(&w, sv, wn.fore);
            } else {
                full_name(g, r, victims[k], NS_PLAIN, b, sizeof b);
                row_str(&w, sv, b);
            }
            row_fmt(&w, sv, "%d", age_at(g->p[victims[k]].dob, day));
        } else {
            row_str(&w, 0, "");
            row_str(&w, 0, "");
        }
    }
    static const char *const GRADE[] = {"VERY HIGH", "HIGH", "MEDIUM", "LOW"};
    static const char *const STATUS[] = {"OPEN", "DEVELOPMENT", "ARRESTED", "NFA"};
    row_str(&w, 0, GRADE[rng_below(r, 4)]);
    row_str(&w, 0, STATUS[rng_below(r, 4)]);
    row_commit(g, &w);
}

int silo_polit(gen_ctx *g)
{
    gen_file f;
    rng r;
    rng_seed(&r, g->seed, 50);
    if (out_open(g, &f, "polit", "polit_intel.csv", DF_COMPACT, H_POLIT, (int)(sizeof H_POLIT / sizeof H_POLIT[0])))
        return -1;
    uint32_t seq = 0;
    for (uint32_t i = 0; i < g->np; i++) {
        if (g->p[i].sub != PS_ONLINE)
            continue;
        uint32_t k = 1 + rng_below(&r, 3);
        for (uint32_t j = 0; j < k; j++)
            polit_entry(g, &r, &f, i, ++seq);
    }
    return out_close(g, &f);
}

/* ---------------- SOC ---------------- */

static const char *const H_SOC[] = {
    "plan_id", "plan_date", "group_ref", "line_name", "area",
    "child_1_name", "child_1_dob", "child_2_name", "child_2_dob", "child_3_name", "child_3_dob",
    "child_4_name", "child_4_dob", "child_5_name", "child_5_dob",
    "adult_1_name", "adult_1_street_name", "adult_2_name", "adult_2_street_name", "adult_3_name", "adult_3_street_name",
    "adult_4_name", "adult_4_street_name", "adult_5_name", "adult_5_street_name",
    "address_1", "address_1_postcode", "address_1_type", "address_2", "address_2_postcode", "address_2_type",
    "address_3", "address_3_postcode", "address_3_type", "address_4", "address_4_postcode", "address_4_type",
    "deal_line_1", "deal_line_2", "deal_line_3", "actions",
};

static void soc_plan(gen_ctx *g, rng *r, gen_file *f, uint32_t gi, uint32_t seq)
{
    const group *gr = &g->g[gi];
    int32_t day = rand_day(g, r);
    row w;
    row_begin(&w, f, "SOC-%06u", seq);
    row_date(&w, day);
    row_fmt(&w, 0, "OCG-%04u", gi + 1);
    row_fmt(&w, 0, "%s line", name_street_alias(gr->line_name));
    row_str(&w, 0, LAS[g->l[g->p[gr->first].home].la].area);
    char b[256];
    uint32_t ne, nc = 0;
    const uint32_t *es = pop_edges_of_adult(g, gr->first, &ne);
    for (uint32_t k = 0; k < 5; k++) {
        uint32_t c = NONE;
        while (nc < ne && c == NONE) {
            const edge *e = &g->e[es[nc++]];
            if (e->type == ET_CCE && g->p[e->child].dob <= day)
                c = e->child;
        }
        if (c == NONE) {
            row_str(&w, 0, "");
            row_str(&w, 0, "");
            continue;
        }
        int s = row_slot(&w, K_PERSON, c, "child-at-risk");
        full_name(g, r, c, NS_PLAIN, b, sizeof b);
        row_str(&w, s, b);
        mess_dob(g, r, c, DF_DMY4, day, b, sizeof b);
        row_str(&w, s, b);
    }
    for (uint32_t k = 0; k < 5; k++) {
        if (k >= gr->n) {
            row_str(&w, 0, "");
            row_str(&w, 0, "");
            continue;
        }
        uint32_t a = gr->first + k;
        const person *p = &g->p[a];
        int s = row_slot(&w, K_PERSON, a, "group-member");
        bool only_street = k > 0 && p->street && g->mess && rng_chance(r, 0.3);
        b[0] = 0;
        if (!only_street)
            full_name(g, r, a, NS_PLAIN, b, sizeof b);
        row_str(&w, s, b);
        if (k == 0)
            row_mark_req(&w);
        row_str(&w, s, p->street ? name_street_alias((uint16_t)(p->street - 1)) : "");
    }
    for (uint32_t k = 0; k < 4; k++) {
        int s = k < gr->naddr ? row_slot(&w, K_LOCATION, gr->addr[k], "address-used") : 0;
        put_place(g, r, &w, s, k < gr->naddr ? gr->addr[k] : NONE);
        row_str(&w, 0, k >= gr->naddr ? "" : g->l[gr->addr[k]].type == LT_TRAP ? "TRAP HOUSE" : "CUCKOOED");
    }
    for (uint32_t k = 0; k < 3; k++) {
        int s = k < gr->nlines ? row_slot(&w, K_PHONE, gr->lines[k], "deal-line") : 0;
        put_phone(g, r, &w, s, k < gr->nlines ? gr->lines[k] : NONE, 0);
    }
    row_str(&w, 0, "Closure order; safeguarding visits to children at risk");
    row_commit(g, &w);
}

int silo_soc(gen_ctx *g)
{
    gen_file f;
    rng r;
    rng_seed(&r, g->seed, 60);
    if (out_open(g, &f, "soc", "soc_plans.csv", DF_DMY4, H_SOC, (int)(sizeof H_SOC / sizeof H_SOC[0])))
        return -1;
    uint32_t seq = 0;
    for (uint32_t gi = 0; gi < g->ng; gi++) {
        uint32_t k = 1 + rng_below(&r, 5);
        for (uint32_t j = 0; j < k; j++)
            soc_plan(g, &r, &f, gi, ++seq);
    }
    return out_close(g, &f);
}
