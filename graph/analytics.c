/*
 * analytics.c - networks, communities, reach and hotspots over the in-memory
 * graph the build assembled, written to CPI_DB_ANALYTICS (see analytics.h
 * for what each figure means). igraph (loaded as a module: igraph_module.h)
 * does components and Louvain; reach
 * and hotspots are neighbourhood counts done here over the CSR adjacency,
 * because they need the edge types igraph does not carry.
 */
#include "graph/analytics.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "graph/area.h"
#include "graph/igraph_module.h"
#include "graph/internal.h"
#include "core/sort.h"

#define NOMEM(what) cpi_error_set(err, CPI_ERR_NOMEM, "analytics: out of memory (%s)", what)

static const char *const list_names[CPI_ALIST__COUNT] = {"central", "hot-found", "hot-meet", "networks",
                                                         "communities"};

const char *cpi_alist_name(cpi_alist l) { return (unsigned)l < CPI_ALIST__COUNT ? list_names[l] : NULL; }

static size_t list_key(const char *name, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "a%c%s", CPI_KEY_SEP, name);
    return n < 0 ? 0 : (size_t)n;
}

/* ------------------------------------------------------------------ helpers over the graph */

static bool type_is(const g_graph *g, const g_edge *e, const char *t) { return strcmp(G_TYPE(g, e), t) == 0; }
/* Edges the analytics leave out: school attendance (says nothing about risk, links hundreds) and the
 * resolver's possible matches (not a link in the world). */
static bool is_school_edge(const g_graph *g, const g_edge *e)
{
    return type_is(g, e, "attends-school") || type_is(g, e, "possible-match");
}
static uint64_t flags_of(const g_graph *g, uint32_t v) { return g->ents[v].card.flags; }
static bool child(const g_graph *g, uint32_t v) { return (flags_of(g, v) & CPI_EF(CPI_EF_CHILD)) != 0; }
static bool adult(const g_graph *g, uint32_t v) { return (flags_of(g, v) & CPI_EF(CPI_EF_ADULT)) != 0; }
static bool risky(const g_graph *g, uint32_t v) { return cpi_flags_risky(flags_of(g, v)); }
static uint32_t other_end(const g_edge *e, uint32_t v) { return e->a == v ? e->b : e->a; }
static uint32_t nlinks(const g_graph *g, uint32_t v) { return g->adj_start[v + 1] - g->adj_start[v]; }

#define FOR_EDGES(g, v, e)                                                                                   \
    for (uint32_t k_##e = (g)->adj_start[v]; k_##e < (g)->adj_start[(v) + 1]; k_##e++)                     \
        for (const g_edge *e = &(g)->edges[(g)->adj[k_##e]]; e; e = NULL)

/* ------------------------------------------------------------------ igraph: components and communities */

typedef struct numbering {
    uint32_t *of;     /* [n] group number, 0 = a group of one */
    uint32_t ngroups; /* numbered groups (size >= 2) */
    uint32_t largest;
} numbering;

typedef struct group_size {
    int64_t group, size;
} group_size;

static int cmp_group_size(const void *a, const void *b)
{
    const group_size *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group ? 1 : 0;
}

/* Number groups 1.. by size (largest first, ties by igraph's order); singletons get 0. */
static cpi_status renumber(const int64_t *membership, uint32_t n, numbering *out, cpi_error *err)
{
    int64_t maxg = 0;
    for (uint32_t v = 0; v < n; v++)
        if (membership[v] > maxg)
            maxg = membership[v];
    group_size *gs = calloc((size_t)maxg + 1, sizeof *gs);
    uint32_t *num = calloc((size_t)maxg + 1, sizeof *num);
    out->of = calloc(n ? n : 1, sizeof *out->of);
    if (!gs || !num || !out->of) {
        free(gs);
        free(num);
        return NOMEM("groups");
    }
    for (int64_t i = 0; i <= maxg; i++)
        gs[i].group = i;
    for (uint32_t v = 0; v < n; v++)
        gs[membership[v]].size++;
    cpi_sort(gs, (size_t)maxg + 1, sizeof *gs, cmp_group_size);
    out->ngroups = 0;
    out->largest = n ? (uint32_t)gs[0].size : 0;
    for (int64_t i = 0; i <= maxg; i++)
        if (gs[i].size >= 2)
            num[gs[i].group] = ++out->ngroups;
    for (uint32_t v = 0; v < n; v++)
        out->of[v] = num[membership[v]];
    free(gs);
    free(num);
    return CPI_OK;
}

/* Components and communities (igraph, through the cpindex-igraph module), school attendance left out. */
static cpi_status run_igraph(g_graph *g, numbering *comp, numbering *comm, double *modularity, cpi_error *err)
{
    uint32_t n = G_NENTS(g);
    size_t m = 0;
    for (uint32_t i = 0; i < g->nedges; i++)
        m += !is_school_edge(g, &g->edges[i]);
    uint32_t *el = malloc((m ? m : 1) * 2 * sizeof *el);
    int64_t *cm = malloc((n ? n : 1) * sizeof *cm), *cc = malloc((n ? n : 1) * sizeof *cc);
    cpi_status s = CPI_OK;
    if (!el || !cm || !cc) {
        s = NOMEM("igraph edge list");
        goto out;
    }
    for (uint32_t i = 0, j = 0; i < g->nedges; i++) {
        if (is_school_edge(g, &g->edges[i]))
            continue;
        el[j++] = g->edges[i].a;
        el[j++] = g->edges[i].b;
    }
    if (!(s = cpi_igraph_groups(n, el, m, cm, cc, modularity, err)) && !(s = renumber(cm, n, comp, err)))
        s = renumber(cc, n, comm, err);
out:
    free(el);
    free(cm);
    free(cc);
    return s;
}

/* ------------------------------------------------------------------ reach */

/*
 * An adult's reach: distinct children linked directly; through a place they
 * operate from or live at, to the children found, seen, victimised or living
 * there (a one-off suspect-in at a takeaway is not a link to everyone found
 * there: the occurrence's own victims are linked directly by suspect-against); and through a phone they use, to its other
 * users and the children those users are linked to. Hubs are not followed.
 * stamp[] marks children already counted for v.
 */
static bool adult_to_place(const g_graph *g, const g_edge *e)
{
    const char *t = G_TYPE(g, e);
    return strcmp(t, "operates-from") == 0 || strcmp(t, "lives-at") == 0 || strcmp(t, "uses-phone") == 0;
}

static bool place_to_child(const g_graph *g, const g_edge *e)
{
    const char *t = G_TYPE(g, e);
    return strcmp(t, "found-at") == 0 || strcmp(t, "frequents") == 0 || strcmp(t, "victim-in") == 0 ||
           strcmp(t, "lives-at") == 0;
}

static uint32_t adult_reach(const g_graph *g, uint32_t v, uint32_t *stamp)
{
    uint32_t reach = 0;
#define COUNT(c)                                                                                             \
    do {                                                                                                     \
        if ((c) != v && child(g, c) && stamp[c] != v) {                                                      \
            stamp[c] = v;                                                                                    \
            reach++;                                                                                         \
        }                                                                                                    \
    } while (0)
    FOR_EDGES(g, v, e)
    {
        if (is_school_edge(g, e))
            continue;
        uint32_t o = other_end(e, v);
        const cpi_card *oc = &g->ents[o].card;
        if (oc->kind == CPI_KIND_PERSON) {
            COUNT(o);
            continue;
        }
        if (!adult_to_place(g, e) || nlinks(g, o) > CPI_ANALYTICS_HUB)
            continue;
        FOR_EDGES(g, o, e2)
        {
            uint32_t p = other_end(e2, o);
            if (p == v)
                continue;
            if (oc->kind == CPI_KIND_PHONE) {
                /* another user of the phone: their children count, and they do if a child */
                COUNT(p);
                if (nlinks(g, p) > CPI_ANALYTICS_HUB)
                    continue;
                FOR_EDGES(g, p, e3)
                {
                    uint32_t q = other_end(e3, p);
                    if (g->ents[q].card.kind == CPI_KIND_PERSON && !is_school_edge(g, e3))
                        COUNT(q);
                }
            } else if (place_to_child(g, e2)) {
                COUNT(p);
            }
        }
    }
#undef COUNT
    return reach;
}

/* The same judgement made on open sources only: what a user without the restricted roles may count. */
static bool open_edge(const g_edge *e) { return (e->sources & ~CPI_SRC_RESTRICTED) != 0; }
static bool risky_open(const g_graph *g, uint32_t v)
{
    return cpi_flags_risky(cpi_flags_from_sources(flags_of(g, v), CPI_SRC_ALL & ~CPI_SRC_RESTRICTED));
}

/*
 * Per person: reach (adults and risky people) and the risky people linked
 * directly; per place: the children and the risky people linked. Each count
 * twice: over everything, and over open sources only (`_open`), so a user
 * who may not read MARAC or POLIT sees a count that holds nothing from them.
 * st[0..3] mark what was counted for v (all / open, children / risky).
 */
static void compute_reach(g_graph *g, uint32_t *st[4])
{
    uint32_t n = G_NENTS(g);
    for (int k = 0; k < 4; k++)
        for (uint32_t v = 0; v < n; v++)
            st[k][v] = UINT32_MAX;
#define MARK(k, o, counter)                                                                                  \
    do {                                                                                                     \
        if (st[k][o] != v) {                                                                                 \
            st[k][o] = v;                                                                                    \
            counter++;                                                                                       \
        }                                                                                                    \
    } while (0)
    for (uint32_t v = 0; v < n; v++) {
        cpi_card *c = &g->ents[v].card;
        uint32_t kids = 0, kids_open = 0, rsk = 0, rsk_open = 0;
        if (c->kind == CPI_KIND_PERSON) {
            if (adult(g, v) || risky(g, v))
                c->reach = adult_reach(g, v, st[0]);
            FOR_EDGES(g, v, e)
            {
                uint32_t o = other_end(e, v);
                if (g->ents[o].card.kind != CPI_KIND_PERSON || is_school_edge(g, e))
                    continue;
                if (risky(g, o))
                    MARK(1, o, rsk);
                if (open_edge(e) && risky_open(g, o))
                    MARK(3, o, rsk_open);
            }
        } else if (c->kind == CPI_KIND_LOCATION) {
            FOR_EDGES(g, v, e)
            {
                uint32_t o = other_end(e, v);
                if (child(g, o)) {
                    MARK(0, o, kids);
                    if (open_edge(e))
                        MARK(2, o, kids_open);
                } else {
                    if (risky(g, o))
                        MARK(1, o, rsk);
                    if (open_edge(e) && risky_open(g, o))
                        MARK(3, o, rsk_open);
                }
            }
            c->reach = kids;
            c->reach_open = kids_open;
        }
        c->risky_reach = rsk;
        c->risky_reach_open = rsk_open;
    }
#undef MARK
}

/* ------------------------------------------------------------------ ranked lists */

typedef struct item {
    uint32_t v; /* entity, or a representative member for groups */
    uint64_t n1, n2, n3;
    int32_t day;
    char label[32];
    uint64_t mask; /* areas it is in (g_ent.area_mask; for a group, any member's) */
} item;

static int cmp_item(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->n1 != y->n1)
        return x->n1 > y->n1 ? -1 : 1;
    if (x->n2 != y->n2)
        return x->n2 > y->n2 ? -1 : 1;
    if (x->n3 != y->n3)
        return x->n3 > y->n3 ? -1 : 1;
    return x->v < y->v ? -1 : x->v > y->v ? 1 : 0;
}

static int cmp_item_n3(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->n3 != y->n3)
        return x->n3 > y->n3 ? -1 : 1;
    return cmp_item(a, b);
}

static void pack_s(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static cpi_status write_one(cpi_txn *txn, const g_graph *g, const char *key, size_t klen, const item *items,
                            uint32_t n, bool groups, uint64_t area_bit, cpi_error *err)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n && m < CPI_ANALYTICS_TOP; i++)
        m += !area_bit || (items[i].mask & area_bit);
    msgpack_pack_array(&pk, m);
    for (uint32_t i = 0, k = 0; i < n && k < m; i++) {
        const item *it = &items[i];
        if (area_bit && !(it->mask & area_bit))
            continue;
        k++;
        bool has = it->v != UINT32_MAX;
        const cpi_card *c = has ? &g->ents[it->v].card : NULL;
        msgpack_pack_array(&pk, 7);
        pack_s(&pk, has ? c->id : "");
        pack_s(&pk, groups ? it->label : (c->name ? c->name : ""));
        msgpack_pack_uint64(&pk, has ? c->flags : 0);
        msgpack_pack_uint64(&pk, it->n1);
        msgpack_pack_uint64(&pk, it->n2);
        msgpack_pack_uint64(&pk, it->n3);
        msgpack_pack_int32(&pk, it->day);
    }
    cpi_status s = sb.data ? cpi_txn_put(txn, CPI_DB_ANALYTICS, key, klen, sb.data, sb.size, err) : NOMEM("list");
    msgpack_sbuffer_destroy(&sb);
    return s;
}

/* The whole-force list (top CPI_ANALYTICS_TOP), then one per known area ("a\x1fNAME\x1fAREA"), each as ranked. */
static cpi_status write_list(cpi_txn *txn, const g_graph *g, cpi_alist which, const item *items, uint32_t n,
                             bool groups, cpi_error *err)
{
    char key[256];
    size_t klen = list_key(list_names[which], key, sizeof key);
    cpi_status s = write_one(txn, g, key, klen, items, n, groups, 0, err);
    for (uint32_t a = 0; a < g->area_names.count && a < CPI_AREA_MAX && !s; a++) {
        int kn = snprintf(key, sizeof key, "a%c%s%c%s", CPI_KEY_SEP, list_names[which], CPI_KEY_SEP,
                          g->area_names.strs[a]);
        if (kn > 0 && (size_t)kn < sizeof key)
            s = write_one(txn, g, key, (size_t)kn, items, n, groups, 1ull << a, err);
    }
    return s;
}

static cpi_status list_central(cpi_txn *txn, const g_graph *g, item *items, cpi_error *err)
{
    uint32_t n = 0;
    for (uint32_t v = 0; v < G_NENTS(g); v++) {
        const cpi_card *c = &g->ents[v].card;
        if (c->kind == CPI_KIND_PERSON && (adult(g, v) || risky(g, v)) && c->reach > 0)
            items[n++] = (item){v, c->reach, c->degree, risky(g, v) ? 1 : 0, c->last, "", g->ents[v].area_mask};
    }
    cpi_sort(items, n, sizeof *items, cmp_item);
    return write_list(txn, g, CPI_ALIST_CENTRAL, items, n, false, err);
}

static cpi_status list_hotspots(cpi_txn *txn, const g_graph *g, item *items, uint32_t *stamp, uint32_t *stamp2,
                                cpi_error *err)
{
    uint32_t n = 0, nent = G_NENTS(g);
    for (uint32_t v = 0; v < nent; v++)
        stamp[v] = stamp2[v] = UINT32_MAX;
    for (uint32_t v = 0; v < nent; v++) {
        const cpi_card *c = &g->ents[v].card;
        if (c->kind != CPI_KIND_LOCATION || !(c->flags & CPI_EF(CPI_EF_FOUND_AT)))
            continue;
        item it = {v, 0, 0, 0, CPI_DAY_NONE, "", g->ents[v].area_mask};
        FOR_EDGES(g, v, e)
        {
            if (!type_is(g, e, "found-at"))
                continue;
            uint32_t o = other_end(e, v);
            if (stamp[o] != v) {
                stamp[o] = v;
                it.n1++;
            }
            if (e->times > it.n2)
                it.n2 = e->times;
            it.n3 += e->count;
            if (e->last != CPI_DAY_NONE && (it.day == CPI_DAY_NONE || e->last > it.day))
                it.day = e->last;
        }
        if (it.n1)
            items[n++] = it;
    }
    cpi_sort(items, n, sizeof *items, cmp_item);
    cpi_status s = write_list(txn, g, CPI_ALIST_HOT_FOUND, items, n, false, err);
    if (s)
        return s;
    n = 0;
    for (uint32_t v = 0; v < nent; v++) {
        const cpi_card *c = &g->ents[v].card;
        if (c->kind != CPI_KIND_LOCATION || (c->flags & CPI_EF(CPI_EF_SCHOOL)))
            continue;
        item it = {v, 0, 0, 0, CPI_DAY_NONE, "", g->ents[v].area_mask};
        FOR_EDGES(g, v, e)
        {
            uint32_t o = other_end(e, v);
            bool meet_child = type_is(g, e, "found-at") || type_is(g, e, "frequents") || type_is(g, e, "victim-in");
            if (child(g, o) && meet_child && stamp[o] != v) {
                stamp[o] = v;
                it.n1++;
            } else if (risky(g, o) && !is_school_edge(g, e) && stamp2[o] != v) {
                stamp2[o] = v;
                it.n2++;
            } else {
                continue;
            }
            if (e->last != CPI_DAY_NONE && (it.day == CPI_DAY_NONE || e->last > it.day))
                it.day = e->last;
        }
        it.n3 = it.n1 * it.n2;
        if (it.n3)
            items[n++] = it;
    }
    cpi_sort(items, n, sizeof *items, cmp_item_n3);
    return write_list(txn, g, CPI_ALIST_HOT_MEET, items, n, false, err);
}

/* Networks or communities: size, children, risky adults, and the member with the widest reach. */
static cpi_status list_groups(cpi_txn *txn, const g_graph *g, cpi_alist which, const numbering *num, item *items,
                              cpi_error *err)
{
    uint32_t ng = num->ngroups;
    for (uint32_t i = 0; i < ng; i++) {
        items[i] = (item){UINT32_MAX, 0, 0, 0, (int32_t)(i + 1), "", 0};
        snprintf(items[i].label, sizeof items[i].label, "%s %u", which == CPI_ALIST_NETWORKS ? "network" : "community",
                 i + 1);
    }
    for (uint32_t v = 0; v < G_NENTS(g); v++) {
        uint32_t k = num->of[v];
        if (!k)
            continue;
        item *it = &items[k - 1];
        it->mask |= g->ents[v].area_mask;
        it->n1++;
        it->n2 += child(g, v);
        if (risky(g, v)) {
            it->n3++;
            if (it->v == UINT32_MAX || g->ents[v].card.reach > g->ents[it->v].card.reach)
                it->v = v;
        }
    }
    /* already in size order (renumber); keep it */
    return write_list(txn, g, which, items, ng, true, err);
}

static cpi_status write_summary(cpi_txn *txn, const g_graph *g, const cpi_graph_stats *st, cpi_error *err)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 7);
    pack_s(&pk, "entities");
    msgpack_pack_uint64(&pk, G_NENTS(g));
    pack_s(&pk, "edges");
    msgpack_pack_uint64(&pk, g->nedges);
    pack_s(&pk, "components");
    msgpack_pack_uint64(&pk, st->components);
    pack_s(&pk, "largest");
    msgpack_pack_uint64(&pk, st->largest_component);
    pack_s(&pk, "communities");
    msgpack_pack_uint64(&pk, st->communities);
    pack_s(&pk, "modularity");
    msgpack_pack_double(&pk, st->modularity);
    pack_s(&pk, "as_of");
    msgpack_pack_int32(&pk, g->today);
    char key[32];
    size_t klen = list_key("summary", key, sizeof key);
    cpi_status s = sb.data ? cpi_txn_put(txn, CPI_DB_ANALYTICS, key, klen, sb.data, sb.size, err) : NOMEM("summary");
    msgpack_sbuffer_destroy(&sb);
    return s;
}

cpi_status cpi_graph_analyse(g_graph *g, cpi_txn *txn, cpi_graph_stats *stats, cpi_error *err)
{
    uint32_t n = G_NENTS(g);
    numbering comp = {0}, comm = {0};
    uint32_t *stamp = malloc(sizeof *stamp * (n ? n : 1)), *stamp2 = malloc(sizeof *stamp2 * (n ? n : 1));
    uint32_t *stamp3 = malloc(sizeof *stamp3 * (n ? n : 1)), *stamp4 = malloc(sizeof *stamp4 * (n ? n : 1));
    item *items = malloc(sizeof *items * (n ? n : 1));
    cpi_status s = stamp && stamp2 && stamp3 && stamp4 && items ? CPI_OK : NOMEM("analytics");
    if (!s && n)
        s = run_igraph(g, &comp, &comm, &stats->modularity, err);
    if (!s && n) {
        for (uint32_t v = 0; v < n; v++) {
            g->ents[v].card.component = comp.of[v];
            g->ents[v].card.community = comm.of[v];
        }
        stats->components = comp.ngroups;
        stats->largest_component = comp.largest;
        stats->communities = comm.ngroups;
        uint32_t *st[4] = {stamp, stamp2, stamp3, stamp4};
        compute_reach(g, st);
        s = list_central(txn, g, items, err);
        if (!s)
            s = list_hotspots(txn, g, items, stamp, stamp2, err);
        if (!s)
            s = list_groups(txn, g, CPI_ALIST_NETWORKS, &comp, items, err);
        if (!s)
            s = list_groups(txn, g, CPI_ALIST_COMMUNITIES, &comm, items, err);
    }
    if (!s)
        s = write_summary(txn, g, stats, err);
    free(comp.of);
    free(comm.of);
    free(stamp);
    free(stamp2);
    free(stamp3);
    free(stamp4);
    free(items);
    return s;
}

/* ------------------------------------------------------------------ readers */

static cpi_status not_built(cpi_error *err)
{
    return cpi_error_set(err, CPI_NOT_FOUND, "no graph analytics in this store yet: run 'cpindex resolve' "
                                             "(it builds the graph at its end)");
}

static cpi_status bad_value(cpi_error *err, const char *what)
{
    return cpi_error_set(err, CPI_ERR_STORE, "stored analytics '%s' is malformed; rebuild with 'cpindex resolve'",
                         what);
}

cpi_status cpi_analytics_summary(cpi_txn *txn, cpi_asummary *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    char key[32];
    size_t klen = list_key("summary", key, sizeof key);
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_ANALYTICS, key, klen, &v, err);
    if (s == CPI_NOT_FOUND)
        return not_built(err);
    if (s)
        return s;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    if (msgpack_unpack_next(&up, v.data, v.len, &off) != MSGPACK_UNPACK_SUCCESS || off != v.len ||
        up.data.type != MSGPACK_OBJECT_MAP) {
        msgpack_unpacked_destroy(&up);
        return bad_value(err, "summary");
    }
    s = CPI_OK;
    for (uint32_t i = 0; i < up.data.via.map.size && !s; i++) {
        const msgpack_object *k = &up.data.via.map.ptr[i].key, *val = &up.data.via.map.ptr[i].val;
        if (k->type != MSGPACK_OBJECT_STR) {
            s = bad_value(err, "summary");
            break;
        }
        char name[16] = "";
        memcpy(name, k->via.str.ptr, k->via.str.size < 15 ? k->via.str.size : 15);
        if (strcmp(name, "modularity") == 0 && val->type == MSGPACK_OBJECT_FLOAT64) {
            out->modularity = val->via.f64;
            continue;
        }
        if (strcmp(name, "as_of") == 0 &&
            (val->type == MSGPACK_OBJECT_NEGATIVE_INTEGER || val->type == MSGPACK_OBJECT_POSITIVE_INTEGER)) {
            out->as_of = (int32_t)val->via.i64;
            continue;
        }
        if (val->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
            s = bad_value(err, "summary");
            break;
        }
        uint64_t x = val->via.u64;
        if (strcmp(name, "entities") == 0)
            out->entities = x;
        else if (strcmp(name, "edges") == 0)
            out->edges = x;
        else if (strcmp(name, "components") == 0)
            out->components = x;
        else if (strcmp(name, "largest") == 0)
            out->largest_component = x;
        else if (strcmp(name, "communities") == 0)
            out->communities = x;
        else
            s = bad_value(err, "summary");
    }
    msgpack_unpacked_destroy(&up);
    return s;
}

cpi_status cpi_analytics_list(cpi_txn *txn, cpi_alist which, cpi_arena *arena, cpi_aitem **out, uint32_t *n,
                              cpi_error *err)
{
    return cpi_analytics_list_area(txn, which, NULL, arena, out, n, err);
}

cpi_status cpi_analytics_list_area(cpi_txn *txn, cpi_alist which, const char *area, cpi_arena *arena,
                                   cpi_aitem **out, uint32_t *n, cpi_error *err)
{
    *out = NULL;
    *n = 0;
    if ((unsigned)which >= CPI_ALIST__COUNT)
        return cpi_error_set(err, CPI_ERR_USAGE, "no analytics list number %d", (int)which);
    char key[256];
    size_t klen = list_key(list_names[which], key, sizeof key);
    if (area) {
        int kn = snprintf(key, sizeof key, "a%c%s%c%s", CPI_KEY_SEP, list_names[which], CPI_KEY_SEP, area);
        klen = kn > 0 && (size_t)kn < sizeof key ? (size_t)kn : 0;
    }
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_ANALYTICS, key, klen, &v, err);
    if (s == CPI_NOT_FOUND && area)
        return cpi_error_set(err, CPI_NOT_FOUND, "no '%s' list for area %s in this store: it was built before "
                                                 "areas were; run 'cpindex resolve' again", list_names[which], area);
    if (s == CPI_NOT_FOUND)
        return not_built(err);
    if (s)
        return s;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    if (msgpack_unpack_next(&up, v.data, v.len, &off) != MSGPACK_UNPACK_SUCCESS || off != v.len ||
        up.data.type != MSGPACK_OBJECT_ARRAY) {
        msgpack_unpacked_destroy(&up);
        return bad_value(err, list_names[which]);
    }
    uint32_t cnt = up.data.via.array.size;
    cpi_aitem *items = cnt ? cpi_arena_alloc(arena, sizeof *items * cnt) : NULL;
    if (cnt && !items) {
        msgpack_unpacked_destroy(&up);
        return NOMEM("list");
    }
    for (uint32_t i = 0; i < cnt && !s; i++) {
        const msgpack_object *a = &up.data.via.array.ptr[i];
        if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size != 7 || a->via.array.ptr[0].type != MSGPACK_OBJECT_STR ||
            a->via.array.ptr[1].type != MSGPACK_OBJECT_STR) {
            s = bad_value(err, list_names[which]);
            break;
        }
        const msgpack_object *f = a->via.array.ptr;
        for (int j = 2; j < 6; j++)
            if (f[j].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
                s = bad_value(err, list_names[which]);
        if (f[6].type != MSGPACK_OBJECT_POSITIVE_INTEGER && f[6].type != MSGPACK_OBJECT_NEGATIVE_INTEGER)
            s = bad_value(err, list_names[which]);
        if (s)
            break;
        items[i].id = cpi_arena_strndup(arena, f[0].via.str.ptr, f[0].via.str.size);
        items[i].name = cpi_arena_strndup(arena, f[1].via.str.ptr, f[1].via.str.size);
        items[i].flags = f[2].via.u64;
        items[i].n1 = f[3].via.u64;
        items[i].n2 = f[4].via.u64;
        items[i].n3 = f[5].via.u64;
        items[i].day = (int32_t)f[6].via.i64;
        if (!items[i].id || !items[i].name)
            s = NOMEM("list");
    }
    msgpack_unpacked_destroy(&up);
    if (!s) {
        *out = items;
        *n = cnt;
    }
    return s;
}
