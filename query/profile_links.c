/*
 * profile_links.c - the parts of a profile the edges give (see profile.h):
 * addresses, risky people (direct, and through the subject's places),
 * places with who else is linked to them, connected children (through the
 * same risky people, places of concern and phones), CAWN warnings and the
 * RSO-at-a-MARAC-address gap.
 *
 * Reads: a card per neighbour (cached), the edges of each risky person, of
 * each place that is not a hub, and of each phone a risky person uses. A
 * place or phone with more than CPI_ANALYTICS_HUB links is shown but not
 * walked: a railway station links half the force.
 */
#include <stdlib.h>
#include <string.h>

#include "graph/analytics.h"
#include "core/intern.h"
#include "query/answer_build.h"
#include "core/sort.h"

typedef struct card_cache {
    cpi_card card;
    cpi_status status;
} card_cache;

typedef struct lx {
    pb *b;
    cpi_intern card_ids; /* entity id -> index in cards */
    pvec cards;          /* card_cache */
    cpi_intern child_ids; /* entity id -> index in b->children */
} lx;

/* A neighbour's card, read once per profile. */
static const cpi_card *card(lx *l, const char *id)
{
    uint32_t x;
    int added;
    if (cpi_intern_add(&l->card_ids, id, strlen(id), &x, &added))
        return NULL;
    if (!added) {
        card_cache *cc = &((card_cache *)l->cards.items)[x];
        return cc->status == CPI_OK ? &cc->card : NULL;
    }
    card_cache *n = pvec_push(l->b->a, &l->cards, sizeof *n);
    if (!n)
        return NULL;
    cpi_error e2 = {0};
    n->status = cpi_card_get(l->b->txn, id, l->b->a, &n->card, &e2);
    return n->status == CPI_OK ? &n->card : NULL;
}

static const char *name_of(lx *l, const char *id)
{
    const cpi_card *c = card(l, id);
    return c && c->name && *c->name ? c->name : id;
}

static bool is_type(const cpi_edge *e, const char *t) { return strcmp(e->type, t) == 0; }

/* The refs of e from visible sources only. */
static void visible_link(pb *b, const cpi_edge *e, cpi_pf_link *out, const char *via_id, const char *via_name)
{
    *out = (cpi_pf_link){.type = e->type, .out = e->out, .current = e->current, .via_id = via_id,
                         .via_name = via_name, .first = e->first, .last = e->last, .count = e->count,
                         .times = e->times, .sources = pb_visible(b, e->sources)};
    for (uint32_t i = 0; i < e->nrefs; i++)
        if (pb_visible(b, CPI_SRC_BIT(cpi_src_of_ref(e->refs[i]))) && out->nrefs < CPI_PF_REFS)
            out->refs[out->nrefs++] = e->refs[i];
}

/* Sources of the risk flags in flags that the withhold mask hides. */
static uint32_t hidden_flag_sources(pb *b, uint64_t flags)
{
    uint32_t m = 0;
    for (unsigned f = 0; f < CPI_EF__COUNT; f++)
        if ((flags & CPI_EF(f) & CPI_EF_RISKY) && !pb_visible(b, CPI_SRC_BIT(cpi_flag_info_get(f)->source)))
            m |= CPI_SRC_BIT(cpi_flag_info_get(f)->source);
    return m;
}

static uint64_t visible_flags(pb *b, uint64_t flags) { return cpi_flags_from_sources(flags, ~b->o->withhold); }

static int popcount64(uint64_t x) { return __builtin_popcountll(x); }

static bool recent(pb *b, int32_t day) { return day != CPI_DAY_NONE && b->today - day <= 365; }

/* ------------------------------------------------------------------ risky people */

static cpi_pf_person *find_person(pb *b, const char *id)
{
    cpi_pf_person *ps = b->risky.items;
    for (uint32_t i = 0; i < b->risky.n; i++)
        if (strcmp(ps[i].id, id) == 0)
            return &ps[i];
    return NULL;
}

static int link_weight(const cpi_edge *e, bool via)
{
    if (via)
        return 5;
    if (is_type(e, "cawn-served"))
        return 30;
    if (is_type(e, "poses-risk-to") || is_type(e, "suspect-against"))
        return 25;
    if (is_type(e, "parent-of") || is_type(e, "household-member"))
        return 15;
    return 8;
}

/* Add (or extend) a risky person linked by edge e (from the subject, or from a place: via). */
static cpi_status add_risky(lx *l, const char *id, const cpi_edge *e, const char *via_id, const char *via_name)
{
    pb *b = l->b;
    if (strcmp(id, b->p->entity_id) == 0)
        return CPI_OK;
    uint32_t vis = pb_visible(b, e->sources);
    if (!vis)
        return pb_withhold(b, "risky_people", e->sources);
    const cpi_card *c = card(l, id);
    if (!c)
        return CPI_OK;
    uint64_t vf = visible_flags(b, c->flags);
    bool inherently = !via_id && e->out == false &&
                      (is_type(e, "poses-risk-to") || is_type(e, "cawn-served") || is_type(e, "suspect-against"));
    if (!cpi_flags_risky(vf) && !inherently) {
        if (cpi_flags_risky(c->flags)) /* risky only by what is withheld */
            return pb_withhold(b, "risky_people", hidden_flag_sources(b, c->flags));
        return CPI_OK;
    }
    cpi_pf_person *p = find_person(b, id);
    if (!p) {
        p = pvec_push(b->a, &b->risky, sizeof *p);
        if (!p)
            return pb_nomem(b);
        p->id = c->id;
        p->name = c->name;
        p->dob = c->dob;
        p->flags = vf;
        p->score = 10 * popcount64(vf & CPI_EF_RISKY);
    }
    cpi_pf_link *nl = cpi_arena_alloc(b->a, sizeof *nl * (p->nlinks + 1));
    if (!nl)
        return pb_nomem(b);
    if (p->nlinks)
        memcpy(nl, p->links, sizeof *nl * p->nlinks);
    visible_link(b, e, &nl[p->nlinks], via_id, via_name);
    if (via_id) /* the edge was read at the place: from the person's side it runs the other way */
        nl[p->nlinks].out = !e->out;
    p->links = nl;
    p->nlinks++;
    p->score += link_weight(e, via_id != NULL) + (recent(b, e->last) ? 10 : 0);
    return CPI_OK;
}

/* ------------------------------------------------------------------ connected children */

/* A connected child, by id; names and DOBs are read later, for the children kept. */
static cpi_status add_child(lx *l, const char *id, uint64_t flags, const char *kind, const char *via_id,
                            const char *via_name, uint64_t via_flags, uint32_t sources)
{
    pb *b = l->b;
    if (strcmp(id, b->p->entity_id) == 0)
        return CPI_OK;
    if (!pb_visible(b, sources))
        return pb_withhold(b, "connected_children", sources);
    uint32_t x;
    int added;
    if (cpi_intern_add(&l->child_ids, id, strlen(id), &x, &added))
        return pb_nomem(b);
    if (added) {
        cpi_pf_child *n = pvec_push(b->a, &b->children, sizeof *n);
        if (!n)
            return pb_nomem(b);
        n->id = cpi_arena_strdup(b->a, id); /* the interning map's copy dies with the pass */
        if (!n->id)
            return pb_nomem(b);
        n->flags = visible_flags(b, flags);
    }
    cpi_pf_child *c = &((cpi_pf_child *)b->children.items)[x];
    for (uint32_t i = 0; i < c->nvias; i++)
        if (strcmp(c->vias[i].id, via_id) == 0)
            return CPI_OK;
    cpi_pf_via *nv = cpi_arena_alloc(b->a, sizeof *nv * (c->nvias + 1));
    if (!nv)
        return pb_nomem(b);
    if (c->nvias)
        memcpy(nv, c->vias, sizeof *nv * c->nvias);
    nv[c->nvias++] = (cpi_pf_via){kind, via_id, via_name, via_flags};
    c->vias = nv;
    return CPI_OK;
}

static int cmp_child_links(const void *a, const void *b)
{
    const cpi_pf_child *x = a, *y = b;
    return x->nvias != y->nvias ? (x->nvias > y->nvias ? -1 : 1) : strcmp(x->id, y->id);
}

/* Order the connected children and read the cards of those the profile keeps. */
static void name_children(lx *l)
{
    pb *b = l->b;
    cpi_sort(b->children.items, b->children.n, sizeof(cpi_pf_child), cmp_child_links);
    cpi_pf_child *cs = b->children.items;
    for (uint32_t i = 0; i < b->children.n && i < b->max; i++) {
        const cpi_card *c = card(l, cs[i].id);
        if (c) {
            cs[i].name = c->name;
            cs[i].dob = c->dob;
        }
    }
}

/* Edges by which a risky person reaches a child: the child is on the other end. */
static bool reaches_child(const cpi_edge *e)
{
    if (!(e->other_flags & CPI_EF(CPI_EF_CHILD)))
        return false;
    return (e->out && (is_type(e, "poses-risk-to") || is_type(e, "cawn-served") || is_type(e, "suspect-against") ||
                       is_type(e, "parent-of"))) ||
           is_type(e, "household-member");
}

static int cmp_occ(const void *a, const void *b)
{
    const cpi_pf_occurrence *x = a, *y = b;
    if (x->last != y->last)
        return x->last > y->last ? -1 : 1;
    return strcmp(x->other_id, y->other_id);
}

/* A risky person's own edges: occurrences, phones, and the other children they reach. */
static cpi_status expand_person(lx *l, cpi_pf_person *p)
{
    pb *b = l->b;
    static const char *const types[] = {"suspect-in", "offender-in", "suspect-against", "uses-phone", "lives-at",
                                        "operates-from", "poses-risk-to", "cawn-served", "parent-of",
                                        "household-member", NULL};
    cpi_edge *es;
    uint32_t n, total;
    cpi_status s = cpi_graph_edges_light(b->txn, p->id, types, UINT32_MAX, b->a, &es, &n, &total, b->err);
    if (s)
        return s;
    pvec occs = {0}, phones = {0};
    pvec occ_edges = {0}; /* the edge behind each occurrence, for its references */
    for (uint32_t i = 0; i < n && !s; i++) {
        const cpi_edge *e = &es[i];
        if (!pb_visible(b, e->sources))
            continue; /* counted where it would have shown */
        if (e->out && (is_type(e, "suspect-in") || is_type(e, "offender-in") || is_type(e, "suspect-against"))) {
            cpi_pf_occurrence *o = pvec_push(b->a, &occs, sizeof *o);
            if (!o)
                return pb_nomem(b);
            *o = (cpi_pf_occurrence){.type = e->type, .other_id = e->other, .first = e->first, .last = e->last,
                                     .count = e->count, .other_flags = visible_flags(b, e->other_flags)};
            cpi_edge **oe = pvec_push(b->a, &occ_edges, sizeof *oe);
            if (!oe)
                return pb_nomem(b);
            *oe = &es[i];
        } else if (e->out && is_type(e, "uses-phone") && phones.n < 3) {
            const char **ph = pvec_push(b->a, &phones, sizeof *ph);
            if (!ph)
                return pb_nomem(b);
            *ph = name_of(l, e->other);
            /* children through the same phone: its other users, and those they reach */
            cpi_edge *pe;
            uint32_t pn, ptotal;
            static const char *const uses[] = {"uses-phone", NULL};
            s = cpi_graph_edges_light(b->txn, e->other, uses, CPI_ANALYTICS_HUB + 1, b->a, &pe, &pn, &ptotal, b->err);
            for (uint32_t j = 0; !s && ptotal <= CPI_ANALYTICS_HUB && j < pn; j++) {
                const cpi_edge *u = &pe[j];
                if (strcmp(u->other, p->id) == 0 || !is_type(u, "uses-phone") || !pb_visible(b, u->sources))
                    continue;
                if (u->other_flags & CPI_EF(CPI_EF_CHILD)) {
                    s = add_child(l, u->other, u->other_flags, "phone", e->other, *ph, 0, u->sources);
                    continue;
                }
                cpi_edge *ue;
                uint32_t un, utotal;
                static const char *const reach[] = {"poses-risk-to", "cawn-served", "suspect-against", "parent-of",
                                                    "household-member", NULL};
                s = cpi_graph_edges_light(b->txn, u->other, reach, CPI_ANALYTICS_HUB + 1, b->a, &ue, &un, &utotal,
                                          b->err);
                for (uint32_t k = 0; !s && utotal <= CPI_ANALYTICS_HUB && k < un; k++)
                    if (reaches_child(&ue[k]))
                        s = add_child(l, ue[k].other, ue[k].other_flags, "phone", e->other, *ph, 0, ue[k].sources);
            }
        } else if (e->out && (is_type(e, "lives-at") || is_type(e, "operates-from")) && p->naddresses < 3) {
            p->address_ids[p->naddresses] = e->other;
            p->address_types[p->naddresses] = is_type(e, "operates-from") ? "operates-from"
                                              : e->current ? "lives-at" : "lived-at";
            p->address_flags[p->naddresses] = visible_flags(b, e->other_flags);
            p->address_names[p->naddresses++] = name_of(l, e->other);
        } else if (reaches_child(e)) {
            s = add_child(l, e->other, e->other_flags, "person", p->id, p->name, 0, e->sources);
        }
    }
    /* references are copied for the occurrences kept (the edge is found again by its place in occ_edges) */
    cpi_pf_occurrence *os = occs.items;
    cpi_edge **oes = occ_edges.items;
    for (uint32_t i = 0; i < occs.n && !s; i++) {
        s = cpi_edge_fill_refs(oes[i], p->id, b->a, b->err);
        for (uint32_t r = 0; !s && r < oes[i]->nrefs && os[i].nrefs < CPI_PF_REFS; r++)
            if (pb_visible(b, CPI_SRC_BIT(cpi_src_of_ref(oes[i]->refs[r]))))
                os[i].refs[os[i].nrefs++] = oes[i]->refs[r];
    }
    cpi_sort(occs.items, occs.n, sizeof(cpi_pf_occurrence), cmp_occ);
    p->noccurrences_total = occs.n;
    if (b->o->detail != CPI_DETAIL_FULL && occs.n > 4) /* the brief view shows the latest few */
        occs.n = 4;
    for (uint32_t i = 0; i < occs.n; i++)
        ((cpi_pf_occurrence *)occs.items)[i].other_name = name_of(l, ((cpi_pf_occurrence *)occs.items)[i].other_id);
    p->occurrences = occs.items;
    p->noccurrences = occs.n;
    p->phones = phones.items;
    p->nphones = phones.n;
    return s;
}

/* ------------------------------------------------------------------ places */

static cpi_pf_place *find_place(pb *b, const char *id)
{
    cpi_pf_place *ps = b->places.items;
    for (uint32_t i = 0; i < b->places.n; i++)
        if (strcmp(ps[i].id, id) == 0)
            return &ps[i];
    return NULL;
}

static int place_weight(const cpi_edge *e)
{
    if (is_type(e, "lives-at"))
        return e->current ? 50 : 15;
    if (is_type(e, "found-at"))
        return 20 + 5 * (int)(e->times > 10 ? 10 : e->times);
    if (is_type(e, "frequents"))
        return 25;
    if (is_type(e, "victim-in") || is_type(e, "missing-from"))
        return 10 + (int)(e->count > 10 ? 10 : e->count);
    return 5;
}

static cpi_status add_place_link(lx *l, const cpi_edge *e)
{
    pb *b = l->b;
    uint32_t vis = pb_visible(b, e->sources);
    if (!vis)
        return pb_withhold(b, "places", e->sources);
    cpi_pf_place *p = find_place(b, e->other);
    if (!p) {
        const cpi_card *c = card(l, e->other);
        if (!c)
            return CPI_OK;
        p = pvec_push(b->a, &b->places, sizeof *p);
        if (!p)
            return pb_nomem(b);
        p->id = c->id;
        p->name = c->name;
        p->postcode = c->postcode;
        p->flags = visible_flags(b, c->flags);
        p->score = 8 * popcount64(p->flags & CPI_EF_PLACE_RISK);
    }
    cpi_pf_link *nl = cpi_arena_alloc(b->a, sizeof *nl * (p->nlinks + 1));
    if (!nl)
        return pb_nomem(b);
    if (p->nlinks)
        memcpy(nl, p->links, sizeof *nl * p->nlinks);
    visible_link(b, e, &nl[p->nlinks], NULL, NULL);
    p->links = nl;
    p->nlinks++;
    p->score += place_weight(e) + (recent(b, e->last) ? 10 : 0);
    return CPI_OK;
}

static bool place_has(const cpi_pf_place *p, const char *type)
{
    for (uint32_t i = 0; i < p->nlinks; i++)
        if (strcmp(p->links[i].type, type) == 0)
            return true;
    return false;
}

/*
 * Who else is linked to a place. How many children and risky people: the
 * graph build's counts from the place's card (over open sources only when
 * anything is withheld). Who: the risky people who live at or operate from it
 * (added to risky people "via" the place; at the subject's own home, anyone
 * risky linked to it in any way), and - for places of concern, not the home
 * or a school - the children found or seen there. Only the edges of those
 * types are decoded; a place with more than CPI_ANALYTICS_HUB such links is a
 * hub and is not walked.
 */
static cpi_status expand_place(lx *l, cpi_pf_place *p)
{
    pb *b = l->b;
    /* how many: the graph build's counts, on open sources only when anything is withheld */
    const cpi_card *c = card(l, p->id);
    if (c) {
        bool open = (b->o->withhold & CPI_SRC_RESTRICTED) != 0;
        uint32_t kids = open ? c->reach_open : c->reach;
        p->children = kids && b->p->is_child ? kids - 1 : kids;
        p->risky = open ? c->risky_reach_open : c->risky_reach;
    }
    if (p->flags & CPI_EF(CPI_EF_SCHOOL) && !place_has(p, "found-at") && !place_has(p, "frequents"))
        return CPI_OK; /* a school links hundreds of children: say it, do not walk it */
    /* who: the people who live or operate here, and the children found or seen here */
    static const char *const types[] = {"lives-at", "operates-from", "found-at", "frequents", NULL};
    cpi_edge *es;
    uint32_t n, total;
    cpi_status s = cpi_graph_edges_light(b->txn, p->id, types, CPI_ANALYTICS_HUB + 1, b->a, &es, &n, &total, b->err);
    if (s)
        return s;
    if (total > CPI_ANALYTICS_HUB) {
        p->hub = true;
        return CPI_OK;
    }
    bool home = false;
    for (uint32_t i = 0; i < p->nlinks; i++)
        home |= strcmp(p->links[i].type, "lives-at") == 0 && p->links[i].current;
    bool concern = place_has(p, "found-at") || place_has(p, "frequents") || (p->flags & CPI_EF_PLACE_RISK);
    for (uint32_t i = 0; i < n && !s; i++) {
        const cpi_edge *e = &es[i];
        if (strcmp(e->other, b->p->entity_id) == 0 || !pb_visible(b, e->sources))
            continue;
        uint64_t vf = visible_flags(b, e->other_flags);
        if (cpi_flags_risky(vf) && (is_type(e, "lives-at") || is_type(e, "operates-from"))) {
            bool named = false;
            for (uint32_t k = 0; k < p->nrisky_named; k++)
                named |= strcmp(p->risky_ids[k], e->other) == 0;
            if (!named && p->nrisky_named < 3) {
                p->risky_ids[p->nrisky_named] = e->other;
                p->risky_names[p->nrisky_named++] = name_of(l, e->other);
            }
            s = cpi_edge_fill_refs(&es[i], p->id, b->a, b->err); /* kept: its references are shown */
            if (!s)
                s = add_risky(l, e->other, e, p->id, p->name);
        } else if ((e->other_flags & CPI_EF(CPI_EF_CHILD)) && concern && !home &&
                   (is_type(e, "found-at") || is_type(e, "frequents"))) {
            s = add_child(l, e->other, e->other_flags, "place", p->id, p->name, p->flags, e->sources);
        }
    }
    /* at the child's own home, anyone risky linked to it is listed, whatever the link */
    if (!s && home) {
        static const char *const any[] = {"suspect-in", "offender-in", "victim-in", "missing-from", NULL};
        s = cpi_graph_edges_light(b->txn, p->id, any, CPI_ANALYTICS_HUB + 1, b->a, &es, &n, &total, b->err);
        for (uint32_t i = 0; i < n && !s; i++)
            if (strcmp(es[i].other, b->p->entity_id) != 0 && cpi_flags_risky(visible_flags(b, es[i].other_flags)) &&
                pb_visible(b, es[i].sources) && !(s = cpi_edge_fill_refs(&es[i], p->id, b->a, b->err)))
                s = add_risky(l, es[i].other, &es[i], p->id, p->name);
    }
    return s;
}

/* ------------------------------------------------------------------ possible matches */

/* A review pair naming the subject: the other entity, unless a mention of the pair is withheld. */
static cpi_status add_possible(lx *l, const cpi_edge *e)
{
    pb *b = l->b;
    if (pb_visible(b, e->sources) != e->sources)
        return pb_withhold(b, "possible_matches", e->sources);
    const cpi_card *c = card(l, e->other);
    if (!c)
        return CPI_OK;
    cpi_pf_match *m = pvec_push(b->a, &b->possible, sizeof *m);
    if (!m)
        return pb_nomem(b);
    *m = (cpi_pf_match){.id = c->id, .name = c->name, .dob = c->dob, .flags = visible_flags(b, c->flags),
                        .probability = e->times / 1000.0, .pairs = e->count / 2 ? e->count / 2 : 1};
    /* the refs are the pair's two mentions: which one is the subject's, ENTITY_OF says */
    for (uint32_t i = 0; i < e->nrefs && i < 2; i++) {
        cpi_slice v;
        cpi_error e2 = {0};
        size_t idlen = strlen(b->p->entity_id);
        bool mine = cpi_txn_get(b->txn, CPI_DB_ENTITY_OF, e->refs[i], strlen(e->refs[i]), &v, &e2) == CPI_OK &&
                    v.len == idlen && memcmp(v.data, b->p->entity_id, idlen) == 0;
        if (mine && !m->mention_a)
            m->mention_a = e->refs[i];
        else if (!m->mention_b)
            m->mention_b = e->refs[i];
    }
    return CPI_OK;
}

/* ------------------------------------------------------------------ the pass */

static const char *place_kind(uint64_t flags)
{
    if (flags & CPI_EF(CPI_EF_CARE_HOME))
        return "care-home";
    if (flags & CPI_EF(CPI_EF_FOSTER_HOME))
        return "foster-home";
    if (flags & CPI_EF(CPI_EF_SCHOOL))
        return "school";
    if (flags & CPI_EF(CPI_EF_HOME))
        return "home";
    return "other";
}

static cpi_status add_address(lx *l, const cpi_edge *e)
{
    pb *b = l->b;
    if (!pb_visible(b, e->sources))
        return pb_withhold(b, "addresses", e->sources);
    const cpi_card *c = card(l, e->other);
    if (!c)
        return CPI_OK;
    cpi_pf_address *a = pvec_push(b->a, &b->addresses, sizeof *a);
    if (!a)
        return pb_nomem(b);
    *a = (cpi_pf_address){c->id, c->name, c->postcode, e->current ? "current" : "previous",
                          place_kind(c->flags), e->first, e->last, pb_visible(b, e->sources),
                          visible_flags(b, c->flags)};
    return CPI_OK;
}

/* CAWNs served to protect the subject, and the RSO-at-a-MARAC-address gap. */
static cpi_status cawn_and_gaps(lx *l)
{
    pb *b = l->b;
    cpi_status s = CPI_OK;
    for (uint32_t i = 0; i < b->nedges && !s; i++) {
        const cpi_edge *e = &b->edges[i];
        if (!is_type(e, "cawn-served"))
            continue;
        if (e->out) { /* served on the subject: one of their own risk flags, so it opens the warnings */
            uint32_t before = b->warnings.n;
            s = pb_add_warning(b, "cawn-served-on", 3, CPI_SRC_MIRAF, e->last, CPI_DAY_NONE, e->refs, e->nrefs,
                               pb_fmt(b, "CAWN served on this person %s to keep them away from %s (%s)",
                                      pb_date(b, e->last), name_of(l, e->other), e->other));
            if (!s && b->warnings.n > before)
                ((cpi_pf_warning *)b->warnings.items)[b->warnings.n - 1].own = true;
            continue;
        }
        s = pb_add_warning(b, "cawn", 3, CPI_SRC_MIRAF, e->last, CPI_DAY_NONE, e->refs, e->nrefs,
                           pb_fmt(b, "CAWN served on %s (%s) %s to keep them away from this child",
                                  name_of(l, e->other), e->other, pb_date(b, e->last)));
    }
    /* an RSO or SHPO holder living where the child lives, when MARAC lists children there */
    cpi_pf_place *ps = b->places.items;
    for (uint32_t i = 0; i < b->places.n && !s; i++) {
        bool home = false;
        for (uint32_t k = 0; k < ps[i].nlinks; k++)
            home |= strcmp(ps[i].links[k].type, "lives-at") == 0 && ps[i].links[k].current;
        bool marac_place = (ps[i].flags & CPI_EF(CPI_EF_MARAC_ADDRESS)) || b->marac_household;
        if (!home || !marac_place)
            continue;
        cpi_pf_person *rp = b->risky.items;
        for (uint32_t j = 0; j < b->risky.n && !s; j++) {
            if (!(rp[j].flags & (CPI_EF(CPI_EF_RSO) | CPI_EF(CPI_EF_SHPO))))
                continue;
            for (uint32_t k = 0; k < rp[j].nlinks; k++) {
                const cpi_pf_link *lk = &rp[j].links[k];
                bool lives_here = (lk->via_id && strcmp(lk->via_id, ps[i].id) == 0 && strcmp(lk->type, "lives-at") == 0) ||
                                  strcmp(lk->type, "household-member") == 0 || strcmp(lk->type, "parent-of") == 0;
                if (!lives_here)
                    continue;
                const char *refs[2] = {b->marac_case ? b->marac_case : lk->refs[0], lk->refs[0]};
                s = pb_add_gap(b, "rso-at-marac-address", CPI_SRC_MARAC, refs, lk->nrefs ? 2 : 1,
                               pb_fmt(b, "%s (%s, %s) lives at %s, where MARAC lists children", rp[j].name, rp[j].id,
                                      rp[j].flags & CPI_EF(CPI_EF_RSO) ? "registered sex offender" : "SHPO",
                                      ps[i].name));
                break;
            }
        }
    }
    return s;
}

cpi_status pb_links(pb *b)
{
    lx l = {.b = b};
    cpi_status s = CPI_OK;
    for (uint32_t i = 0; i < b->nedges && !s; i++) {
        const cpi_edge *e = &b->edges[i];
        cpi_kind k = cpi_entity_id_kind(e->other);
        if (k == CPI_KIND_LOCATION) {
            if (is_type(e, "lives-at") && e->out)
                s = add_address(&l, e);
            if (!s)
                s = add_place_link(&l, e);
        } else if (k == CPI_KIND_PERSON && is_type(e, "possible-match")) {
            s = add_possible(&l, e);
        } else if (k == CPI_KIND_PERSON) {
            if (cpi_flags_risky(e->other_flags) || (!e->out && (is_type(e, "poses-risk-to") ||
                                                                 is_type(e, "cawn-served") ||
                                                                 is_type(e, "suspect-against"))))
                s = add_risky(&l, e->other, e, NULL, NULL);
            else if (b->p->is_child == false && reaches_child(e))
                s = add_child(&l, e->other, e->other_flags, "person", b->p->entity_id, b->p->name, 0, e->sources);
        }
    }
    /* places first: they add risky people "via" a place */
    for (uint32_t i = 0; i < b->places.n && !s; i++)
        s = expand_place(&l, &((cpi_pf_place *)b->places.items)[i]);
    for (uint32_t i = 0; i < b->risky.n && !s; i++)
        s = expand_person(&l, &((cpi_pf_person *)b->risky.items)[i]);
    if (!s)
        s = cawn_and_gaps(&l);
    if (!s)
        name_children(&l);
    cpi_intern_free(&l.card_ids);
    cpi_intern_free(&l.child_ids);
    return s;
}
