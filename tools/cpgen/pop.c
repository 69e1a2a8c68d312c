/*
 * pop.c - the simulated force: households, children in care, adults who pose
 * a risk, places, phones and online identities, and who poses a risk to whom.
 *
 * Risk is made to cluster the way it does in life: exploiters pick children
 * from a vulnerable pool (looked-after children and children in abusive homes
 * far more often), the number of children per exploiter is heavy-tailed, CSE
 * suspects share victims within networks, county-lines groups share a pool of
 * children, and missing children are found again and again at a handful of
 * hotspots. The hard cases for linking (twins, a father and son with one
 * name, unrelated namesakes, a care home full of children) are forced into
 * the first households so every dataset has them.
 */
#include "tools/cpgen/gen.h"
#include "core/array.h"

#include <stdlib.h>
#include <string.h>

#define GROW(arr, n, cap)                                    \
    do {                                                     \
        if (CPI_GROW((arr), (cap), (size_t)(n) + 1, 1024))   \
            abort();                                         \
    } while (0)

static uint32_t max_u(uint32_t a, uint32_t b) { return a > b ? a : b; }

/* Population weights of the five local authorities (Newport and Caerphilly are the largest). */
static uint8_t pick_la(rng *r)
{
    uint32_t x = rng_below(r, 100);
    return x < 30 ? 0 : x < 45 ? 1 : x < 58 ? 2 : x < 70 ? 3 : 4;
}

static void make_postcode(location *l)
{
    /* Same street and town and nearby numbers share a postcode, as real units do. */
    uint64_t h = (uint64_t)l->la * 1000003u + l->town * 7919u + l->street * 131u + l->number / 24u + l->type * 17u;
    rng r;
    rng_seed(&r, h, 99);
    static const char L[] = "ABDEFGHJLNPQRSTUWXYZ";
    snprintf(l->pc, sizeof l->pc, "%s %u%c%c", LAS[l->la].districts[l->town], 1 + rng_below(&r, 9),
             L[rng_below(&r, 20)], L[rng_below(&r, 20)]);
}

/* Open-addressed set of address keys + 1 (0 = empty slot), so no two places share one address. */
static bool addr_has(const gen_ctx *g, uint64_t k)
{
    if (!g->cap_addr)
        return false;
    for (uint32_t i = (uint32_t)(k * 0x9E3779B97F4A7C15u >> 40) & (g->cap_addr - 1);; i = (i + 1) & (g->cap_addr - 1)) {
        if (g->addr_set[i] == k + 1)
            return true;
        if (!g->addr_set[i])
            return false;
    }
}

static void addr_put(gen_ctx *g, uint64_t k)
{
    if (2 * (g->naddr + 1) > g->cap_addr) {
        uint32_t ocap = g->cap_addr;
        uint64_t *old = g->addr_set;
        g->cap_addr = ocap ? ocap * 2 : 4096;
        g->addr_set = calloc(g->cap_addr, sizeof *g->addr_set);
        if (!g->addr_set)
            abort();
        g->naddr = 0;
        for (uint32_t i = 0; i < ocap; i++)
            if (old[i])
                addr_put(g, old[i] - 1);
        free(old);
    }
    if (addr_has(g, k))
        return;
    uint32_t i = (uint32_t)(k * 0x9E3779B97F4A7C15u >> 40) & (g->cap_addr - 1);
    while (g->addr_set[i])
        i = (i + 1) & (g->cap_addr - 1);
    g->addr_set[i] = k + 1;
    g->naddr++;
}

/* The key of a building (flat 0) or of one flat in it; flat 0xFF marks "this building has flats". */
static uint64_t addr_key(const location *l, uint8_t flat)
{
    return (uint64_t)l->la << 48 | (uint64_t)l->town << 40 | (uint64_t)l->street << 24 | (uint64_t)l->number << 8 | flat;
}

/* Is l's address (with its flat, if any) already some other place's? A house and a flat at one number clash too:
 * "12 High Street" would be either. */
static bool addr_taken(const gen_ctx *g, const location *l)
{
    if (addr_has(g, addr_key(l, 0)))
        return true;
    return l->flat ? addr_has(g, addr_key(l, l->flat)) : addr_has(g, addr_key(l, 0xFF));
}

static uint32_t add_loc(gen_ctx *g, rng *r, uint8_t type, int la)
{
    GROW(g->l, g->nl, g->cap_l);
    location *l = &g->l[g->nl];
    bool named = type != LT_HOME && type != LT_FOSTER && type != LT_CUCKOOED && type != LT_TRAP;
    memset(l, 0, sizeof *l);
    l->type = type;
    l->la = la >= 0 ? (uint8_t)la : pick_la(r);
    l->town = (uint8_t)rng_below(r, LAS[l->la].ntowns);
    l->street = name_pick_street(r);
    l->number = (uint16_t)(1 + rng_below(r, named ? 40 : 160));
    if ((type == LT_HOME || type == LT_CUCKOOED || type == LT_TRAP) && rng_chance(r, 0.18))
        l->flat = (uint8_t)(1 + rng_below(r, 12));
    l->name = (uint16_t)rng_below(r, 1000);
    /* A real address is one place: while it is taken (two homes at "57 Coed Cae Road, NP18 3WB" could
     * only be told apart by reading the truth) draw the street and number again, from a stream of
     * the place's own so the rest of the force does not shift. After 64 draws keep the last. */
    if (addr_taken(g, l)) {
        rng own;
        rng_seed(&own, g->seed, 0xADD00000000u + g->nl);
        for (int tries = 0; tries < 64 && addr_taken(g, l); tries++) {
            l->street = name_pick_street(&own);
            l->number = (uint16_t)(1 + rng_below(&own, named ? 40 : 160));
        }
    }
    addr_put(g, addr_key(l, l->flat));
    if (l->flat)
        addr_put(g, addr_key(l, 0xFF));
    make_postcode(l);
    return g->nl++;
}

static uint32_t add_person(gen_ctx *g, uint8_t sub, char gender, uint16_t fore, uint16_t sur, int32_t dob,
                           uint32_t home, uint32_t hh)
{
    GROW(g->p, g->np, g->cap_p);
    person *p = &g->p[g->np];
    memset(p, 0, sizeof *p);
    p->sub = sub;
    p->gender = gender;
    p->fore = fore;
    p->fore2 = UINT16_MAX;
    p->sur = sur;
    p->alt_sur = UINT16_MAX;
    p->dob = dob;
    p->home = home;
    p->household = hh;
    p->twin = p->namesake = NONE;
    p->phone = p->online = NONE;
    p->group = NONE;
    p->school = NONE;
    if (name_sur_common(sur))
        p->flags |= PF_COMMON;
    return g->np++;
}

/* A date of birth for someone aged between lo and hi whole years at the end date. */
static int32_t dob_for_age(gen_ctx *g, rng *r, int lo, int hi)
{
    int32_t span = (hi - lo + 1) * 365;
    return g->end - lo * 365 - 1 - (int32_t)rng_below(r, (uint32_t)span - 2);
}

static uint16_t sur_other_than(rng *r, uint16_t s)
{
    uint16_t t;
    do
        t = name_pick_sur(r);
    while (t == s);
    return t;
}

static uint32_t add_phone(gen_ctx *g, rng *r, uint32_t owner, bool landline)
{
    GROW(g->t, g->nt, g->cap_t);
    phone *t = &g->t[g->nt];
    t->owner = owner;
    if (landline) {
        const char *code = LAS[g->l[g->p[owner].home].la].dial;
        snprintf(t->digits, sizeof t->digits, "%s%06u", code, rng_below(r, 900000) + 100000);
    } else {
        snprintf(t->digits, sizeof t->digits, "07%u%08u", 1 + rng_below(r, 9), rng_below(r, 100000000));
    }
    return g->nt++;
}

static const char *const WORDS[] = {"dragon", "red", "valley", "gamer", "sk8r", "boi", "angel", "wolf",
                                    "ninja", "taff", "cymru", "lad", "kitten", "storm", "shadow", "blaze"};

static uint32_t add_online(gen_ctx *g, rng *r, uint32_t owner, bool email)
{
    GROW(g->o, g->no, g->cap_o);
    online *o = &g->o[g->no];
    o->owner = owner;
    o->email = email;
    person *p = &g->p[owner];
    /* Usernames are ASCII: take the leading ASCII letters of the forename and surname. */
    char fore[12], sur[24];
    size_t k = 0;
    for (const char *c = name_fore(p->fore); *c && k < sizeof fore - 1; c++)
        if ((*c | 32) >= 'a' && (*c | 32) <= 'z')
            fore[k++] = (char)(*c | 32);
    fore[k] = 0;
    k = 0;
    for (const char *c = name_sur(p->sur); *c && k < sizeof sur - 1; c++)
        if ((*c | 32) >= 'a' && (*c | 32) <= 'z')
            sur[k++] = (char)(*c | 32);
    sur[k] = 0;
    unsigned num = rng_below(r, 100);
    unsigned uniq = g->no % 1000;
    if (email)
        snprintf(o->value, sizeof o->value, "%c.%s%02u%03u@example.%s", fore[0] ? fore[0] : 'x', sur, num, uniq,
                 rng_chance(r, 0.5) ? "net" : "com");
    else
        snprintf(o->value, sizeof o->value, "%s_%s%02u%03u", WORDS[rng_below(r, 16)], fore, num, uniq);
    if (p->online == NONE)
        p->online = g->no;
    p->nonline++;
    return g->no++;
}

static void add_edge(gen_ctx *g, rng *r, uint32_t adult, uint32_t child, uint8_t type)
{
    for (uint32_t i = g->ne; i > 0 && i + 64 > g->ne; i--) /* cheap dedupe of recent edges */
        if (g->e[i - 1].adult == adult && g->e[i - 1].child == child)
            return;
    GROW(g->e, g->ne, g->cap_e);
    edge *e = &g->e[g->ne++];
    e->adult = adult;
    e->child = child;
    e->type = type;
    e->cawn = type == ET_CSE && rng_chance(r, 0.3);
    e->cawn_day = g->start + (int32_t)rng_below(r, (uint32_t)(g->end - g->start));
    if (e->cawn) {
        g->p[child].flags |= PF_CAWN;
        g->p[adult].flags |= PF_CAWN;
    }
    if (type == ET_CSE || type == ET_CCE)
        g->p[child].flags |= PF_EXPLOITED;
    if (type == ET_ONLINE)
        g->p[child].flags |= PF_ONLINE_VICTIM;
}

static uint32_t new_household(gen_ctx *g, uint32_t home)
{
    GROW(g->h, g->nh, g->cap_h);
    household *h = &g->h[g->nh];
    memset(h, 0, sizeof *h);
    h->home = home;
    h->first = g->np;
    h->mother = h->father = NONE;
    return g->nh++;
}

/* One family home: mother, maybe a father or stepfather, 1-4 children. */
static uint32_t make_family(gen_ctx *g, rng *r, uint32_t want_kids, int forced)
{
    uint32_t home = add_loc(g, r, LT_HOME, -1);
    uint32_t hi = new_household(g, home);
    uint16_t sur = forced == 2 || forced == 3 ? name_sur_index("Jones") : name_pick_sur(r);
    int eldest = forced >= 0 ? 8 + (int)rng_below(r, 8) : (int)rng_below(r, 18);
    int m_age = eldest + 18 + (int)rng_below(r, 16);
    uint32_t mother = add_person(g, PS_PARENT, 'F', name_pick_fore(r, 'F'), sur, dob_for_age(g, r, m_age, m_age), home, hi);
    bool has_father = forced == 0 || forced == 1 || rng_chance(r, 0.65);
    bool step = has_father && forced < 0 && rng_chance(r, 0.25);
    uint32_t father = NONE;
    if (has_father) {
        int f_age = m_age + (int)rng_below(r, 8);
        father = add_person(g, PS_PARENT, 'M', name_pick_fore(r, 'M'), step ? sur_other_than(r, sur) : sur,
                            dob_for_age(g, r, f_age, f_age), home, hi);
    }
    int age = eldest;
    uint32_t first_kid = g->np;
    for (uint32_t k = 0; k < want_kids; k++) {
        bool twin = k == 1 && (forced == 0 || (forced < 0 && rng_chance(r, 0.03)));
        if (k > 0 && !twin)
            age -= 1 + (int)rng_below(r, 4);
        if (age < 0)
            break;
        char gender = rng_chance(r, 0.5) ? 'M' : 'F';
        if ((forced >= 1 && forced <= 3) && k == 0)
            gender = 'M';
        uint16_t fore = name_pick_fore(r, gender);
        if ((forced == 2 || forced == 3) && k == 0)
            fore = name_fore_index("Dylan"); /* two unrelated Dylan Joneses */
        int32_t dob = twin ? g->p[g->np - 1].dob : dob_for_age(g, r, age, age);
        uint32_t c = add_person(g, PS_CHILD, gender, fore, sur, dob, home, hi);
        if (step) {
            g->p[c].flags |= PF_STEP;
            g->p[c].alt_sur = g->p[father].sur;
        }
        if (twin) {
            person *a = &g->p[c - 1], *b = &g->p[c];
            while (b->fore == a->fore)
                b->fore = name_pick_fore(r, b->gender);
            a->twin = c;
            b->twin = c - 1;
        }
        bool namesake = k == 0 && gender == 'M' && father != NONE && !step &&
                        (forced == 1 || (forced < 0 && rng_chance(r, 0.03)));
        if (namesake) {
            g->p[c].fore = g->p[father].fore;
            g->p[c].namesake = father;
            g->p[father].namesake = c;
        }
    }
    household *h = &g->h[hi];
    h->mother = mother;
    h->father = father;
    h->n = (uint8_t)(g->np - h->first);
    uint32_t nkids = g->np - first_kid;
    if (nkids > 1)
        for (uint32_t c = first_kid; c < g->np; c++)
            g->p[c].flags |= PF_SIBLING;
    if (forced >= 0)
        for (uint32_t c = h->first; c < g->np; c++)
            g->p[c].flags |= PF_NICHE;
    return nkids;
}

static uint32_t want_kids(rng *r)
{
    uint32_t x = rng_below(r, 100);
    return x < 35 ? 1 : x < 70 ? 2 : x < 90 ? 3 : 4;
}

/* Looked-after children: most in care homes (several to a home), the rest fostered. */
static void make_care(gen_ctx *g, rng *r, uint32_t nlac)
{
    uint32_t nhomes = max_u(2, g->children / 300);
    uint32_t in_homes = nlac * 6 / 10;
    for (uint32_t hidx = 0; hidx < nhomes; hidx++) {
        uint32_t home = add_loc(g, r, LT_CARE, -1);
        uint32_t hi = new_household(g, home);
        uint32_t n = in_homes / nhomes + (hidx < in_homes % nhomes);
        for (uint32_t k = 0; k < n; k++) {
            char gender = rng_chance(r, 0.55) ? 'M' : 'F';
            uint32_t c = add_person(g, PS_LAC, gender, name_pick_fore(r, gender), name_pick_sur(r),
                                    dob_for_age(g, r, 11, 17), home, hi);
            g->p[c].flags |= PF_CARE_HOME | PF_NICHE;
        }
        g->h[hi].n = (uint8_t)(g->np - g->h[hi].first > 255 ? 255 : g->np - g->h[hi].first);
    }
    uint32_t fostered = nlac - in_homes;
    while (fostered > 0) {
        uint32_t home = add_loc(g, r, LT_FOSTER, -1);
        uint32_t hi = new_household(g, home);
        uint16_t sur = name_pick_sur(r);
        g->h[hi].mother = add_person(g, PS_PARENT, 'F', name_pick_fore(r, 'F'), sur, dob_for_age(g, r, 35, 60), home, hi);
        if (rng_chance(r, 0.6))
            g->h[hi].father = add_person(g, PS_PARENT, 'M', name_pick_fore(r, 'M'), sur, dob_for_age(g, r, 35, 62), home, hi);
        uint32_t n = 1 + rng_below(r, 3);
        for (uint32_t k = 0; k < n && fostered > 0; k++, fostered--) {
            char gender = rng_chance(r, 0.5) ? 'M' : 'F';
            uint32_t c = add_person(g, PS_LAC, gender, name_pick_fore(r, gender), name_pick_sur(r),
                                    dob_for_age(g, r, 4, 17), home, hi);
            g->p[c].flags |= PF_FOSTER | PF_NICHE;
        }
        g->h[hi].n = (uint8_t)(g->np - g->h[hi].first);
    }
}

/* An adult living alone at a new address. */
static uint32_t make_single(gen_ctx *g, rng *r, uint8_t sub, char gender, int lo, int hi)
{
    uint32_t home = add_loc(g, r, LT_HOME, -1);
    uint32_t h = new_household(g, home);
    uint32_t p = add_person(g, sub, gender, name_pick_fore(r, gender), name_pick_sur(r), dob_for_age(g, r, lo, hi), home, h);
    g->h[h].n = 1;
    return p;
}

static bool is_child(const person *p) { return p->sub == PS_CHILD || p->sub == PS_LAC; }

/* A child aged lo..hi, drawn with looked-after children and children in abusive homes favoured. */
static uint32_t pick_vulnerable(gen_ctx *g, rng *r, int lo, int hi)
{
    for (int tries = 0; tries < 4000; tries++) {
        uint32_t c = rng_below(r, g->np);
        const person *p = &g->p[c];
        if (!is_child(p))
            continue;
        int a = age_at(p->dob, g->end);
        if (a < lo || a > hi)
            continue;
        uint32_t w = p->sub == PS_LAC ? 8 : (p->flags & PF_DA_HOME) ? 3 : 1;
        if (rng_below(r, 8) < w)
            return c;
    }
    return NONE;
}

static void make_cse(gen_ctx *g, rng *r)
{
    uint32_t n = max_u(3, g->children / 80);
    uint32_t prev = NONE;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = make_single(g, r, PS_CSE, rng_chance(r, 0.9) ? 'M' : 'F', 18, 45);
        if (rng_chance(r, 0.5))
            g->p[a].street = (uint16_t)(1 + name_pick_alias(r));
        uint32_t k = rng_heavy(r, 1.2, 25);
        /* Networks: half the suspects share the previous suspect's victims. */
        if (prev != NONE && rng_chance(r, 0.5)) {
            uint32_t ne = g->ne;
            for (uint32_t j = 0; j < ne; j++)
                if (g->e[j].adult == prev && rng_chance(r, 0.6))
                    add_edge(g, r, a, g->e[j].child, ET_CSE);
        }
        for (uint32_t j = 0; j < k; j++) {
            uint32_t c = pick_vulnerable(g, r, 11, 17);
            if (c != NONE)
                add_edge(g, r, a, c, ET_CSE);
        }
        prev = a;
    }
}

static void make_ocg(gen_ctx *g, rng *r)
{
    uint32_t n = max_u(1, g->children / 400);
    for (uint32_t i = 0; i < n; i++) {
        GROW(g->g, g->ng, g->cap_g);
        group *gr = &g->g[g->ng];
        memset(gr, 0, sizeof *gr);
        gr->first = g->np;
        gr->n = (uint8_t)(4 + rng_below(r, 5));
        gr->line_name = name_pick_alias(r);
        for (uint32_t k = 0; k < gr->n; k++) {
            uint32_t a = make_single(g, r, PS_OCG, rng_chance(r, 0.9) ? 'M' : 'F', 18, 40);
            g->p[a].group = g->ng;
            if (rng_chance(r, 0.8))
                g->p[a].street = (uint16_t)(1 + name_pick_alias(r));
        }
        int la = g->l[g->p[gr->first].home].la;
        gr->naddr = (uint8_t)(1 + rng_below(r, 4));
        for (uint32_t k = 0; k < gr->naddr; k++)
            gr->addr[k] = add_loc(g, r, k == 0 && gr->naddr > 1 ? LT_TRAP : LT_CUCKOOED, la);
        gr->nlines = (uint8_t)(1 + rng_below(r, 3));
        for (uint32_t k = 0; k < gr->nlines; k++)
            gr->lines[k] = add_phone(g, r, gr->first, false);
        uint32_t nk = 2 + rng_below(r, 7);
        for (uint32_t k = 0; k < nk; k++) {
            uint32_t c = pick_vulnerable(g, r, 13, 17);
            if (c == NONE)
                continue;
            g->p[c].group = g->ng;
            for (uint32_t m = 0; m < gr->n; m++)
                add_edge(g, r, gr->first + m, c, ET_CCE);
        }
        g->ng++;
    }
}

static void make_rso_online(gen_ctx *g, rng *r)
{
    uint32_t n = max_u(2, g->children / 100);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = make_single(g, r, PS_RSO, rng_chance(r, 0.95) ? 'M' : 'F', 25, 70);
        if (i % 3 == 0)
            g->p[a].flags |= PF_SHPO;
        if (rng_chance(r, 0.3)) {
            uint32_t k = 1 + rng_below(r, 2);
            for (uint32_t j = 0; j < k; j++) {
                uint32_t c = pick_vulnerable(g, r, 6, 15);
                if (c != NONE)
                    add_edge(g, r, a, c, ET_RSO);
            }
        }
    }
    n = max_u(2, g->children / 300);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = make_single(g, r, PS_ONLINE, 'M', 20, 65);
        uint32_t k = 1 + rng_below(r, 3);
        for (uint32_t j = 0; j < k; j++) {
            uint32_t c = pick_vulnerable(g, r, 10, 16);
            if (c != NONE)
                add_edge(g, r, a, c, ET_ONLINE);
        }
    }
}

/* Fathers turned offenders: domestic abuse in ~12% of two-parent homes, a few online offenders. */
static void mark_family_offenders(gen_ctx *g, rng *r)
{
    uint32_t online_left = max_u(1, g->children / 300);
    for (uint32_t hi = 0; hi < g->nh; hi++) {
        household *h = &g->h[hi];
        if (h->father == NONE || g->l[h->home].type != LT_HOME)
            continue;
        if (rng_chance(r, 0.18)) {
            h->da = true;
            g->p[h->father].sub = PS_DA;
            for (uint32_t m = h->first; m < h->first + h->n; m++)
                g->p[m].flags |= PF_DA_HOME;
        } else if (online_left && rng_chance(r, 0.05)) {
            online_left--;
            g->p[h->father].sub = PS_ONLINE;
        }
    }
}

static void add_family_edges(gen_ctx *g, rng *r)
{
    for (uint32_t hi = 0; hi < g->nh; hi++) {
        household *h = &g->h[hi];
        if (h->father == NONE)
            continue;
        uint8_t t = g->p[h->father].sub == PS_DA ? ET_DA : g->p[h->father].sub == PS_ONLINE ? ET_ONLINE : 255;
        if (t == 255)
            continue;
        for (uint32_t m = h->first; m < h->first + h->n; m++)
            if (is_child(&g->p[m]) && (t == ET_DA || (age_at(g->p[m].dob, g->end) >= 8 && rng_chance(r, 0.5))))
                add_edge(g, r, h->father, m, t);
    }
}

static void make_places(gen_ctx *g, rng *r)
{
    uint32_t N = g->children;
    g->nschools = max_u(5, N / 250);
    g->schools = malloc(sizeof *g->schools * g->nschools);
    for (uint32_t i = 0; i < g->nschools; i++)
        g->schools[i] = add_loc(g, r, LT_SCHOOL, (int)(i % 5));
    uint32_t counts[] = {max_u(3, N / 500), max_u(3, N / 400), max_u(2, N / 1000), max_u(4, N / 800), max_u(2, N / 600)};
    uint8_t types[] = {LT_PARK, LT_TAKEAWAY, LT_HOTEL, LT_STATION, LT_SHOP};
    g->nhot = 0;
    for (int t = 0; t < 5; t++)
        g->nhot += counts[t];
    g->hot = malloc(sizeof *g->hot * g->nhot);
    uint32_t k = 0;
    for (int t = 0; t < 5; t++)
        for (uint32_t i = 0; i < counts[t]; i++)
            g->hot[k++] = add_loc(g, r, types[t], -1);
    for (uint32_t i = g->nhot; i > 1; i--) { /* shuffle so the busiest hotspots are of every type */
        uint32_t j = rng_below(r, i);
        uint32_t tmp = g->hot[i - 1];
        g->hot[i - 1] = g->hot[j];
        g->hot[j] = tmp;
    }
}

static void give_contacts(gen_ctx *g, rng *r)
{
    for (uint32_t i = 0; i < g->np; i++) {
        person *p = &g->p[i];
        int a = age_at(p->dob, g->end);
        bool risky = p->sub >= PS_RSO;
        double ph = risky ? 0.95 : is_child(p) ? (a >= 12 ? 0.4 : 0.0) : 0.8;
        if (rng_chance(r, ph))
            p->phone = add_phone(g, r, i, !risky && !is_child(p) && rng_chance(r, 0.15));
        if (p->sub == PS_ONLINE) {
            uint32_t k = 1 + rng_below(r, 3);
            for (uint32_t j = 0; j < k; j++)
                add_online(g, r, i, j == 2);
        } else if ((is_child(p) && a >= 12 && rng_chance(r, 0.15)) || (p->sub == PS_CSE && rng_chance(r, 0.3))) {
            add_online(g, r, i, false);
        }
        if (is_child(p) && a >= 4) {
            /* A school in the child's own local authority. */
            uint32_t la = g->l[p->home].la;
            uint32_t base = rng_below(r, g->nschools);
            p->school = g->schools[base];
            for (uint32_t s = 0; s < g->nschools; s++) {
                uint32_t cand = g->schools[(base + s) % g->nschools];
                if (g->l[cand].la == la) {
                    p->school = cand;
                    break;
                }
            }
        }
    }
}

static int cmp_by_child(const void *a, const void *b, void *ctx)
{
    const edge *e = ctx;
    const edge *x = &e[*(const uint32_t *)a], *y = &e[*(const uint32_t *)b];
    if (x->child != y->child)
        return x->child < y->child ? -1 : 1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static int cmp_by_adult(const void *a, const void *b, void *ctx)
{
    const edge *e = ctx;
    const edge *x = &e[*(const uint32_t *)a], *y = &e[*(const uint32_t *)b];
    if (x->adult != y->adult)
        return x->adult < y->adult ? -1 : 1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Index edges by child and by adult (counting sort: stable, so order is edge order). */
static void index_edges(gen_ctx *g)
{
    g->by_child = malloc(sizeof(uint32_t) * (g->ne + 1));
    g->by_adult = malloc(sizeof(uint32_t) * (g->ne + 1));
    g->by_child_off = calloc(g->np + 1, sizeof(uint32_t));
    g->by_adult_off = calloc(g->np + 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < g->ne; i++) {
        g->by_child[i] = i;
        g->by_adult[i] = i;
    }
    qsort_r(g->by_child, g->ne, sizeof(uint32_t), cmp_by_child, g->e);
    qsort_r(g->by_adult, g->ne, sizeof(uint32_t), cmp_by_adult, g->e);
    for (uint32_t i = 0; i < g->ne; i++) {
        g->by_child_off[g->e[i].child + 1]++;
        g->by_adult_off[g->e[i].adult + 1]++;
    }
    for (uint32_t i = 0; i < g->np; i++) {
        g->by_child_off[i + 1] += g->by_child_off[i];
        g->by_adult_off[i + 1] += g->by_adult_off[i];
    }
}

const uint32_t *pop_edges_of_child(const gen_ctx *g, uint32_t child, uint32_t *n)
{
    *n = g->by_child_off[child + 1] - g->by_child_off[child];
    return g->by_child + g->by_child_off[child];
}

const uint32_t *pop_edges_of_adult(const gen_ctx *g, uint32_t adult, uint32_t *n)
{
    *n = g->by_adult_off[adult + 1] - g->by_adult_off[adult];
    return g->by_adult + g->by_adult_off[adult];
}

/* Who goes missing, how often, and where they are found. */
static void make_missing(gen_ctx *g, rng *r)
{
    uint32_t target = g->children * 8 / 100, n = 0;
    for (uint32_t i = 0; i < g->np; i++) {
        person *p = &g->p[i];
        if (!is_child(p))
            continue;
        int a = age_at(p->dob, g->end);
        double pr = (p->flags & PF_EXPLOITED) ? 0.7 : p->sub == PS_LAC ? 0.5 : a >= 10 ? 0.035 : 0.0;
        if (!rng_chance(r, pr))
            continue;
        p->flags |= PF_MISSING;
        n++;
        bool heavy = (p->flags & PF_EXPLOITED) || p->sub == PS_LAC;
        p->episodes = (uint16_t)(heavy ? rng_heavy(r, 0.9, 60) : rng_heavy(r, 2.0, 6));
        p->nfound = (uint8_t)(p->episodes >= 2 ? 1 + rng_below(r, 4) : 1);
        uint32_t ne;
        const uint32_t *es = pop_edges_of_child(g, i, &ne);
        for (uint32_t k = 0; k < p->nfound; k++) {
            if (ne && rng_chance(r, 0.3)) {
                uint32_t adult = g->e[es[rng_below(r, ne)]].adult;
                p->found[k] = g->p[adult].group != NONE ? g->g[g->p[adult].group].addr[0] : g->p[adult].home;
            } else {
                p->found[k] = g->hot[rng_zipf(r, g->nhot)];
            }
            for (uint32_t j = 0; j < k; j++)
                if (p->found[j] == p->found[k])
                    p->found[k] = g->hot[rng_below(r, g->nhot)];
            p->found_n[k] = (uint8_t)(1 + rng_below(r, p->episodes < 8 ? p->episodes : 8));
        }
    }
    (void)target;
    (void)n;
}

/* Who is on Niche, with which nominal and location numbers (and duplicates). */
static void assign_niche(gen_ctx *g, rng *r)
{
    for (uint32_t i = 0; i < g->np; i++) {
        person *p = &g->p[i];
        bool known = p->sub >= PS_RSO || (p->flags & (PF_NICHE | PF_MISSING | PF_EXPLOITED | PF_DA_HOME |
                                                     PF_ONLINE_VICTIM | PF_CARE_HOME | PF_FOSTER)) ||
                     p->twin != NONE || p->namesake != NONE;
        if (!known)
            known = rng_chance(r, is_child(p) ? 0.45 : 0.4);
        if (!known)
            continue;
        p->flags |= PF_NICHE;
        p->nom = ++g->nominals;
        int a = age_at(p->dob, g->end);
        if (p->sub >= PS_RSO || (!is_child(p) && rng_chance(r, 0.3)) || (a >= 14 && rng_chance(r, 0.1)))
            p->pnc = 100000 + rng_below(r, 900000);
        if (p->sub == PS_CHILD && (p->flags & PF_DA_HOME) && rng_chance(r, 0.4))
            p->flags |= PF_CPP;
        if ((p->flags & PF_EXPLOITED) && rng_chance(r, 0.6))
            p->flags |= PF_CSE_FLAG; /* the rest never reached Niche */
    }
    double dup = g->mess == 0 ? 0 : g->mess == 1 ? 0.03 : 0.06;
    for (uint32_t i = 0; i < g->np; i++)
        if (g->p[i].nom && rng_chance(r, dup)) {
            g->p[i].nom2 = g->nominals + ++g->nominal_dups;
        }
    for (uint32_t i = 0; i < g->nl; i++)
        g->l[i].loc = ++g->locs;
    for (uint32_t i = 0; i < g->nl; i++)
        if (rng_chance(r, dup))
            g->l[i].loc2 = g->locs + ++g->loc_dups;
}

uint32_t pop_nominal(gen_ctx *g, rng *r, uint32_t pi)
{
    const person *p = &g->p[pi];
    return p->nom2 && rng_chance(r, 0.3) ? p->nom2 : p->nom;
}

uint32_t pop_locnum(gen_ctx *g, rng *r, uint32_t li)
{
    const location *l = &g->l[li];
    return l->loc2 && rng_chance(r, 0.3) ? l->loc2 : l->loc;
}

int pop_build(gen_ctx *g)
{
    rng r;
    rng_seed(&r, g->seed, 1);
    names_init();
    make_places(g, &r);
    uint32_t nlac = max_u(8, g->children * 4 / 100);
    uint32_t ordinary = g->children > nlac ? g->children - nlac : 0;
    uint32_t made = 0;
    for (int forced = 0; made < ordinary; forced++) {
        uint32_t want = forced < 4 ? 2 : want_kids(&r);
        if (want > ordinary - made)
            want = ordinary - made;
        made += make_family(g, &r, want, forced < 4 ? forced : -1);
    }
    make_care(g, &r, nlac);
    uint32_t witnesses = g->children / 10;
    for (uint32_t i = 0; i < witnesses; i++)
        make_single(g, &r, PS_ADULT, rng_chance(&r, 0.5) ? 'M' : 'F', 18, 80);
    mark_family_offenders(g, &r);
    make_cse(g, &r);
    make_ocg(g, &r);
    make_rso_online(g, &r);
    add_family_edges(g, &r);
    give_contacts(g, &r);
    index_edges(g);
    make_missing(g, &r);
    assign_niche(g, &r);
    return 0;
}

void gen_free(gen_ctx *g)
{
    free(g->p);
    free(g->l);
    free(g->t);
    free(g->o);
    free(g->e);
    free(g->h);
    free(g->g);
    free(g->by_child);
    free(g->by_child_off);
    free(g->by_adult);
    free(g->by_adult_off);
    free(g->hot);
    free(g->schools);
    free(g->addr_set);
}
