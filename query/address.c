/*
 * address.c - the report on one place (see address.h). One cursor over the
 * place's edges gives everyone linked to it with the other end's flags; cards
 * are read only for the people shown, and one MARAC or POLIT record at most
 * for the restricted warning's detail.
 */
#include "query/address.h"

#include <stdlib.h>
#include <string.h>

#include "query/answer_build.h"
#include "core/sort.h"

typedef struct acc {
    const char *id;
    uint64_t flags;      /* all flags (from the edge) */
    uint32_t sources;    /* visible sources of its links */
    uint32_t hidden;     /* withheld sources of its links */
    bool resident;
    int32_t last;
    pvec links;          /* cpi_pf_link */
} acc;

static bool is_type(const cpi_edge *e, const char *t) { return strcmp(e->type, t) == 0; }

static acc *acc_of(pb *b, pvec *v, const char *id)
{
    acc *a = v->items;
    for (uint32_t i = 0; i < v->n; i++)
        if (strcmp(a[i].id, id) == 0)
            return &a[i];
    acc *n = pvec_push(b->a, v, sizeof *n);
    if (n) {
        n->id = id;
        n->last = CPI_DAY_NONE;
    }
    return n;
}

static int32_t dmax(int32_t a, int32_t b) { return a == CPI_DAY_NONE ? b : b == CPI_DAY_NONE ? a : a > b ? a : b; }

static cpi_status add_activity(pb *b, pvec *act, const cpi_edge *e)
{
    cpi_place_activity *a = act->items;
    uint32_t i = 0;
    for (; i < act->n; i++)
        if (strcmp(a[i].type, e->type) == 0)
            break;
    if (i == act->n) {
        cpi_place_activity *n = pvec_push(b->a, act, sizeof *n);
        if (!n)
            return pb_nomem(b);
        n->type = e->type;
        n->last = CPI_DAY_NONE;
        a = act->items;
    }
    a[i].people++;
    a[i].records += e->count;
    a[i].last = dmax(a[i].last, e->last);
    return CPI_OK;
}

static int score_person(const acc *a, bool risky)
{
    int s = 10 * __builtin_popcountll(a->flags & (risky ? CPI_EF_RISKY : ~(uint64_t)0)) + (a->resident ? 30 : 0);
    return s + (int)(a->links.n * 3);
}

static int cmp_person(const void *x, const void *y)
{
    const cpi_place_person *a = x, *b = y;
    return a->score != b->score ? (a->score > b->score ? -1 : 1) : strcmp(a->id, b->id);
}

/* People of one kind, ordered, cut to max; cards read only for those kept. */
static cpi_status people(pb *b, acc *all, uint32_t n, int kind, cpi_place_person **out, uint32_t *nout,
                         uint32_t *truncated)
{
    pvec v = {0};
    for (uint32_t i = 0; i < n; i++) {
        const acc *a = &all[i];
        if (!a->sources)
            continue;
        uint64_t vf = cpi_flags_from_sources(a->flags, ~b->o->withhold);
        bool risky = cpi_flags_risky(vf), child = (a->flags & CPI_EF(CPI_EF_CHILD)) != 0;
        if ((kind == 0 && !risky) || (kind == 1 && (risky || !child)) || (kind == 2 && (risky || child || !a->resident)))
            continue;
        cpi_place_person *p = pvec_push(b->a, &v, sizeof *p);
        if (!p)
            return pb_nomem(b);
        *p = (cpi_place_person){.id = a->id, .flags = vf, .resident = a->resident, .score = score_person(a, risky),
                                .links = a->links.items, .nlinks = a->links.n};
    }
    cpi_sort(v.items, v.n, sizeof(cpi_place_person), cmp_person);
    if (v.n > b->max) {
        *truncated += v.n - b->max;
        v.n = b->max;
    }
    cpi_place_person *ps = v.items;
    for (uint32_t i = 0; i < v.n; i++) {
        cpi_card c;
        cpi_error e2 = {0};
        if (cpi_card_get(b->txn, ps[i].id, b->a, &c, &e2) == CPI_OK) {
            ps[i].name = c.name;
            ps[i].dob = c.dob;
        }
    }
    *out = v.items;
    *nout = v.n;
    return CPI_OK;
}

/* A restricted record's headline, for the warning (the record is read only if it may be shown). */
static const char *marac_detail(pb *b, const char *ref)
{
    cpi_record r;
    cpi_error e2 = {0};
    if (!ref || cpi_store_get_record(b->txn, ref, b->a, &r, &e2) != CPI_OK)
        return "";
    const char *dash = cpi_kv_get(&r.facts, "dash_score");
    return pb_fmt(b, " (case %s heard %s%s%s)", strchr(ref, ':') + 1, pb_date(b, r.day), dash ? ", DASH " : "",
                  dash ? dash : "");
}

static cpi_status place_warnings(pb *b, const cpi_card *c, acc *all, uint32_t n, const pvec *act)
{
    cpi_status s = CPI_OK;
    uint64_t f = c->flags;
    /* the references behind each kind of link, for the warnings' sources */
    const char *ocg_ref[1] = {NULL}, *marac_ref[1] = {NULL}, *polit_ref[1] = {NULL};
    uint32_t rso = 0, found_children = 0, concern_children = 0;
    const char *rso_name = NULL, *rso_id = NULL;
    for (uint32_t i = 0; i < n; i++) {
        acc *a = &all[i];
        cpi_pf_link *ls = a->links.items;
        for (uint32_t k = 0; k < a->links.n; k++) {
            const char *r0 = ls[k].nrefs ? ls[k].refs[0] : NULL;
            if (strcmp(ls[k].type, "operates-from") == 0 && !ocg_ref[0])
                ocg_ref[0] = r0;
            if (strcmp(ls[k].type, "found-at") == 0)
                found_children++;
            if (strcmp(ls[k].type, "frequents") == 0)
                concern_children++;
        }
        if (a->resident && (a->flags & (CPI_EF(CPI_EF_RSO) | CPI_EF(CPI_EF_SHPO))) && a->sources) {
            rso++;
            if (!rso_id) {
                rso_id = a->id;
                cpi_card pc;
                cpi_error e2 = {0};
                rso_name = cpi_card_get(b->txn, a->id, b->a, &pc, &e2) == CPI_OK ? pc.name : a->id;
            }
        }
    }
    /* MARAC and POLIT references come from the edges' own refs; found below per source */
    for (uint32_t i = 0; i < n; i++) {
        cpi_pf_link *ls = all[i].links.items;
        for (uint32_t k = 0; k < all[i].links.n; k++)
            for (uint32_t r = 0; r < ls[k].nrefs; r++) {
                cpi_src src = cpi_src_of_ref(ls[k].refs[r]);
                if (src == CPI_SRC_MARAC && !marac_ref[0])
                    marac_ref[0] = ls[k].refs[r];
                if (src == CPI_SRC_POLIT && !polit_ref[0])
                    polit_ref[0] = ls[k].refs[r];
            }
    }
    if (f & (CPI_EF(CPI_EF_CUCKOOED) | CPI_EF(CPI_EF_TRAP_HOUSE) | CPI_EF(CPI_EF_OCG_ADDRESS)))
        s = pb_add_warning(b, "ocg-address", 3, CPI_SRC_SOC, CPI_DAY_NONE, CPI_DAY_NONE, ocg_ref, ocg_ref[0] ? 1 : 0,
                           pb_fmt(b, "%s%s", f & CPI_EF(CPI_EF_TRAP_HOUSE) ? "Trap house"
                                             : f & CPI_EF(CPI_EF_CUCKOOED) ? "Cuckooed address"
                                                                           : "Address used by an organised crime group",
                                  f & CPI_EF(CPI_EF_OCG_ADDRESS) ? " (SOC plan: a county line operates from here)" : ""));
    if (!s && rso)
        s = pb_add_warning(b, "rso-resident", 3, CPI_SRC_NICHE, CPI_DAY_NONE, CPI_DAY_NONE, NULL, 0,
                           pb_fmt(b, "A registered sex offender or SHPO holder lives here: %s (%s)%s", rso_name, rso_id,
                                  rso > 1 ? pb_fmt(b, " and %u more", rso - 1) : ""));
    if (!s && (f & CPI_EF(CPI_EF_PLACE_OF_CONCERN)))
        s = pb_add_warning(b, "place-of-concern", 3, CPI_SRC_MACE, CPI_DAY_NONE, CPI_DAY_NONE, NULL, 0,
                           pb_fmt(b, "MACE location of concern: %u child%s discussed at MACE frequent it",
                                  concern_children, concern_children == 1 ? "" : "ren"));
    if (!s && (f & CPI_EF(CPI_EF_FOUND_AT))) {
        const cpi_place_activity *a = act->items;
        uint32_t times = 0;
        int32_t last = CPI_DAY_NONE;
        for (uint32_t i = 0; i < act->n; i++)
            if (strcmp(a[i].type, "found-at") == 0)
                last = a[i].last;
        for (uint32_t i = 0; i < n; i++) {
            cpi_pf_link *ls = all[i].links.items;
            for (uint32_t k = 0; k < all[i].links.n; k++)
                if (strcmp(ls[k].type, "found-at") == 0)
                    times += ls[k].times;
        }
        s = pb_add_warning(b, "found-here", found_children >= 2 ? 3 : 2, CPI_SRC_MIRAF, last, CPI_DAY_NONE, NULL, 0,
                           pb_fmt(b, "Missing children found here: %u child%s, %u time%s, last %s", found_children,
                                  found_children == 1 ? "" : "ren", times, times == 1 ? "" : "s", pb_date(b, last)));
    }
    if (!s && (f & CPI_EF(CPI_EF_MARAC_ADDRESS)))
        s = pb_add_warning(b, "marac-address", 3, CPI_SRC_MARAC, CPI_DAY_NONE, CPI_DAY_NONE, marac_ref,
                           marac_ref[0] ? 1 : 0,
                           pb_fmt(b, "A MARAC victim's address%s", pb_visible(b, CPI_SRC_BIT(CPI_SRC_MARAC))
                                                                      ? marac_detail(b, marac_ref[0]) : ""));
    if (!s && (f & CPI_EF(CPI_EF_POLIT_ADDRESS)))
        s = pb_add_warning(b, "polit-address", 3, CPI_SRC_POLIT, CPI_DAY_NONE, CPI_DAY_NONE, polit_ref,
                           polit_ref[0] ? 1 : 0, "An online child abuse (POLIT) subject's address");
    /* children at risk who live here */
    for (uint32_t i = 0; i < n && !s; i++) {
        const acc *a = &all[i];
        uint64_t vf = cpi_flags_from_sources(a->flags, ~b->o->withhold);
        uint64_t risk = vf & (CPI_EF(CPI_EF_CPP) | CPI_EF(CPI_EF_LAC) | CPI_EF(CPI_EF_MISSING) | CPI_EF(CPI_EF_CSE_RISK) |
                              CPI_EF(CPI_EF_CCE_RISK) | CPI_EF(CPI_EF_MACE_CHILD) | CPI_EF(CPI_EF_MARAC_CHILD) |
                              CPI_EF(CPI_EF_POLIT_CHILD) | CPI_EF(CPI_EF_SOC_CHILD));
        if (!a->resident || !(a->flags & CPI_EF(CPI_EF_CHILD)) || !risk || !a->sources)
            continue;
        cpi_card pc;
        cpi_error e2 = {0};
        const char *name = cpi_card_get(b->txn, a->id, b->a, &pc, &e2) == CPI_OK ? pc.name : a->id;
        char fl[400];
        cpi_flag_labels(risk, ~(uint64_t)0, fl, sizeof fl);
        s = pb_add_warning(b, "child-at-risk-resident", 2, CPI_SRC_NICHE, a->last, CPI_DAY_NONE, NULL, 0,
                           pb_fmt(b, "A child at risk lives here: %s (%s): %s", name, a->id, fl));
    }
    if (!s && rso && (f & CPI_EF(CPI_EF_MARAC_ADDRESS))) {
        uint32_t kids = 0;
        for (uint32_t i = 0; i < n; i++)
            kids += (all[i].flags & CPI_EF(CPI_EF_MARAC_CHILD)) != 0;
        if (kids)
            s = pb_add_gap(b, "rso-at-marac-address", CPI_SRC_MARAC, marac_ref, marac_ref[0] ? 1 : 0,
                           pb_fmt(b, "%s (%s), a registered sex offender or SHPO holder, lives here, and MARAC lists "
                                     "%u child%s in a household here", rso_name, rso_id, kids, kids == 1 ? "" : "ren"));
    }
    return s;
}

static int cmp_warning(const void *x, const void *y)
{
    const cpi_pf_warning *a = x, *b = y;
    return a->level != b->level ? (a->level > b->level ? -1 : 1) : strcmp(a->code, b->code);
}

static int cmp_activity(const void *x, const void *y)
{
    const cpi_place_activity *a = x, *b = y;
    return a->records != b->records ? (a->records > b->records ? -1 : 1) : strcmp(a->type, b->type);
}

cpi_status cpi_address_build(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena,
                             cpi_place_report *out, cpi_error *err)
{
    static const cpi_profile_opts defaults = {.detail = CPI_DETAIL_FULL};
    const cpi_profile_opts *o = opts ? opts : &defaults;
    memset(out, 0, sizeof *out);
    cpi_profile scratch = {0};
    pb b = {.txn = txn, .a = arena, .o = o, .p = &scratch, .err = err};
    cpi_status s = cpi_card_get(txn, id, arena, &b.card, err);
    if (s)
        return s;
    if (b.card.kind != CPI_KIND_LOCATION)
        return cpi_error_set(err, CPI_ERR_USAGE, "%s is a %s, not a place; use 'cpindex person' for people", id,
                             cpi_kind_name(b.card.kind));
    b.max = o->max_items ? o->max_items : o->detail == CPI_DETAIL_FULL ? 200 : 5;
    b.today = o->today && o->today != CPI_DAY_NONE ? o->today : b.card.last;
    scratch.entity_id = b.card.id;
    out->entity_id = b.card.id;
    out->name = b.card.name;
    out->postcode = b.card.postcode;
    out->flags = cpi_flags_from_sources(b.card.flags, ~o->withhold);
    out->detail = o->detail;
    out->as_of = b.today;
    cpi_edge *es;
    uint32_t n, total;
    s = cpi_graph_edges(txn, id, UINT32_MAX, arena, &es, &n, &total, err);
    pvec all = {0}, act = {0};
    for (uint32_t i = 0; i < n && !s; i++) {
        const cpi_edge *e = &es[i];
        if (cpi_entity_id_kind(e->other) != CPI_KIND_PERSON)
            continue;
        acc *a = acc_of(&b, &all, e->other);
        if (!a)
            return pb_nomem(&b);
        a->flags = e->other_flags;
        uint32_t vis = pb_visible(&b, e->sources);
        if (!vis) {
            a->hidden |= e->sources;
            continue;
        }
        a->sources |= vis;
        a->resident |= is_type(e, "lives-at") && e->current;
        a->last = dmax(a->last, e->last);
        cpi_pf_link *l = pvec_push(arena, &a->links, sizeof *l);
        if (!l)
            return pb_nomem(&b);
        *l = (cpi_pf_link){.type = e->type, .out = !e->out, .current = e->current, .first = e->first,
                           .last = e->last, .count = e->count, .times = e->times, .sources = vis};
        for (uint32_t r = 0; r < e->nrefs; r++)
            if (pb_visible(&b, CPI_SRC_BIT(cpi_src_of_ref(e->refs[r]))) && l->nrefs < CPI_PF_REFS)
                l->refs[l->nrefs++] = e->refs[r];
        if (!is_type(e, "lives-at"))
            s = add_activity(&b, &act, e);
    }
    acc *as = all.items;
    for (uint32_t i = 0; i < all.n && !s; i++)
        if (!as[i].sources && as[i].hidden) /* known here only through withheld sources */
            s = pb_withhold(&b, cpi_flags_risky(as[i].flags) ? "risky_people"
                                : (as[i].flags & CPI_EF(CPI_EF_CHILD)) ? "children" : "residents", as[i].hidden);
    if (!s)
        s = place_warnings(&b, &b.card, as, all.n, &act);
    if (!s)
        s = people(&b, as, all.n, 0, &out->risky_people, &out->nrisky_people, &out->truncated);
    if (!s)
        s = people(&b, as, all.n, 1, &out->children, &out->nchildren, &out->truncated);
    if (!s)
        s = people(&b, as, all.n, 2, &out->residents, &out->nresidents, &out->truncated);
    if (s)
        return s;
    cpi_sort(b.warnings.items, b.warnings.n, sizeof(cpi_pf_warning), cmp_warning);
    cpi_sort(act.items, act.n, sizeof(cpi_place_activity), cmp_activity);
    out->warnings = b.warnings.items;
    out->nwarnings = b.warnings.n;
    out->activity = act.items;
    out->nactivity = act.n;
    out->gaps = b.gaps.items;
    out->ngaps = b.gaps.n;
    out->withheld = b.withheld.items;
    out->nwithheld = b.withheld.n;
    return CPI_OK;
}
