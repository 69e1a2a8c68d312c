/*
 * graph_area.c - the graph build's area pass: each entity's local authority
 * and policing area by the rule in graph/area.h, learned from the store's
 * own Niche rows rather than a table of one force's postcodes.
 *
 * During the scan each record leaves notes: a Niche location row its
 * authority (for the place, and a vote for its postcode district and town),
 * a Niche occurrence a vote for which policing area its authority is in, a
 * MACE row the area of the meeting that discussed the child. After the
 * adjacency is built the votes are settled (most votes; ties by name, so a
 * store always gives the same answer), places get theirs, then people through
 * their home. The known areas and their counts are written for the readers
 * (graph/area.c) and the per-area analytics (graph/analytics.c).
 */
#include <ctype.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph/area.h"
#include "core/array.h"
#include "graph/internal.h"
#include "core/sort.h"

#define NOMEM(what) cpi_error_set(err, CPI_ERR_NOMEM, "graph build: out of memory (%s)", what)

static cpi_status vote(g_graph *g, char kind, const char *key, const char *value, cpi_error *err)
{
    if (!key || !*key || !value || !*value)
        return CPI_OK;
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%c%c%s%c%s", kind, CPI_KEY_SEP, key, CPI_KEY_SEP, value);
    if (n < 0 || (size_t)n >= sizeof buf)
        return CPI_OK; /* an absurdly long name is no evidence of anything */
    uint32_t x;
    int added;
    if (cpi_intern_add(&g->area_votes, buf, (size_t)n, &x, &added))
        return NOMEM("area votes");
    if (CPI_GROW(g->votes, g->votes_cap, (size_t)x + 1, 256))
        return NOMEM("area votes");
    if (added)
        g->votes[x] = 0;
    g->votes[x]++;
    return CPI_OK;
}

/* A policing area is a code: upper case, so "East" and "EAST" are one area. */
static const char *area_code(g_graph *g, const char *v)
{
    if (!v || !*v)
        return NULL;
    char buf[64];
    size_t i = 0;
    for (; v[i] && i < sizeof buf - 1; i++)
        buf[i] = (char)toupper((unsigned char)v[i]);
    buf[i] = '\0';
    return cpi_arena_strdup(&g->arena, buf);
}

cpi_status g_area_note(g_graph *g, const cpi_record *r, cpi_src src, const uint32_t *ent, cpi_error *err)
{
    cpi_status s = CPI_OK;
    for (uint32_t i = 0; i < r->nmentions; i++) /* a place's town, from the first mention that has one */
        if (ent[i] != CPI_INTERN_NONE && r->mentions[i].kind == CPI_KIND_LOCATION && !g->ents[ent[i]].town) {
            const char *t = cpi_kv_get(&r->mentions[i].keys, "town");
            if (t && *t)
                g->ents[ent[i]].town = cpi_arena_strdup(&g->arena, t);
        }
    if (src == CPI_SRC_NICHE && strcmp(r->type, "location") == 0 && r->nmentions) {
        const char *la = cpi_kv_get(&r->facts, "local_authority");
        if (la && *la) {
            if (ent[0] != CPI_INTERN_NONE && !g->ents[ent[0]].la_own)
                g->ents[ent[0]].la_own = cpi_arena_strdup(&g->arena, la);
            s = vote(g, 'd', cpi_kv_get(&r->mentions[0].keys, "pcd"), la, err);
            if (!s)
                s = vote(g, 't', cpi_kv_get(&r->mentions[0].keys, "town"), la, err);
        }
    } else if (src == CPI_SRC_NICHE && strcmp(r->type, "occurrence") == 0) {
        const char *code = area_code(g, cpi_kv_get(&r->facts, "area"));
        s = vote(g, 'a', cpi_kv_get(&r->facts, "local_authority"), code, err);
    } else if (src == CPI_SRC_MACE) {
        const char *code = area_code(g, cpi_kv_get(&r->facts, "area"));
        for (uint32_t i = 0; code && i < r->nmentions; i++) {
            if (ent[i] == CPI_INTERN_NONE || strcmp(r->mentions[i].role, "child-discussed") != 0)
                continue;
            g_ent *e = &g->ents[ent[i]];
            if (e->mace_area_day == CPI_DAY_NONE || r->day >= e->mace_area_day) {
                e->mace_area = code;
                e->mace_area_day = r->day;
            }
        }
    }
    return s;
}

/* ------------------------------------------------------------------ settling the votes */

typedef struct best {
    cpi_intern keys;      /* "K\x1fKEY" -> number */
    const char **value;   /* [keys.count] the winning value */
    uint32_t *n;          /* [keys.count] its votes */
} best;

static cpi_status settle(g_graph *g, best *b, cpi_error *err)
{
    uint32_t nv = g->area_votes.count;
    b->value = calloc(nv ? nv : 1, sizeof *b->value);
    b->n = calloc(nv ? nv : 1, sizeof *b->n);
    if (!b->value || !b->n)
        return NOMEM("area votes");
    for (uint32_t i = 0; i < nv; i++) {
        const char *k = g->area_votes.strs[i];
        const char *sep = strrchr(k, CPI_KEY_SEP); /* K, SEP, KEY, SEP, VALUE: values hold no SEP */
        uint32_t x;
        if (cpi_intern_add(&b->keys, k, (size_t)(sep - k), &x, NULL))
            return NOMEM("area votes");
        const char *v = sep + 1;
        if (g->votes[i] > b->n[x] || (g->votes[i] == b->n[x] && b->value[x] && strcmp(v, b->value[x]) < 0)) {
            b->n[x] = g->votes[i];
            b->value[x] = v;
        }
    }
    return CPI_OK;
}

static const char *lookup(const best *b, char kind, const char *key)
{
    if (!key || !*key)
        return NULL;
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%c%c%s", kind, CPI_KEY_SEP, key);
    if (n < 0 || (size_t)n >= sizeof buf)
        return NULL;
    uint32_t x = cpi_intern_find(&b->keys, buf, (size_t)n);
    return x == CPI_INTERN_NONE ? NULL : b->value[x];
}

static cpi_status name_add(g_graph *g, const char *name, int kind, uint32_t *out, cpi_error *err)
{
    int added;
    if (cpi_intern_add(&g->area_names, name, strlen(name), out, &added))
        return NOMEM("areas");
    if (added) {
        uint32_t n = g->area_names.count;
        uint8_t *k = realloc(g->area_kind, n);
        uint32_t *c = realloc(g->area_children, sizeof *c * n);
        if (k)
            g->area_kind = k;
        if (c)
            g->area_children = c;
        uint32_t *p = c ? realloc(g->area_people, sizeof *p * n) : NULL;
        if (p)
            g->area_people = p;
        uint32_t *q = p ? realloc(g->area_places, sizeof *q * n) : NULL;
        if (q)
            g->area_places = q;
        if (!k || !c || !p || !q)
            return NOMEM("areas");
        g->area_kind[*out] = (uint8_t)kind;
        g->area_children[*out] = g->area_people[*out] = g->area_places[*out] = 0;
    }
    return CPI_OK;
}

/* Give entity v its local authority and area; count it and set its mask. */
static cpi_status place_in(g_graph *g, uint32_t v, const char *la, const char *area, cpi_error *err)
{
    cpi_card *c = &g->ents[v].card;
    c->la = la;
    c->area = area;
    const char *names[2] = {la, area};
    for (int i = 0; i < 2; i++) {
        if (!names[i])
            continue;
        uint32_t x;
        cpi_status s = name_add(g, names[i], i ? CPI_AREA_POLICING : CPI_AREA_LA, &x, err);
        if (s)
            return s;
        if (x < CPI_AREA_MAX)
            g->ents[v].area_mask |= 1ull << x;
        if (c->kind == CPI_KIND_LOCATION)
            g->area_places[x]++;
        else if (c->kind == CPI_KIND_PERSON) {
            g->area_people[x]++;
            g->area_children[x] += (c->flags & CPI_EF(CPI_EF_CHILD)) != 0;
        }
    }
    return CPI_OK;
}

cpi_status g_area_assign(g_graph *g, cpi_error *err)
{
    best b = {0};
    cpi_status s = settle(g, &b, err);
    uint16_t lives = UINT16_MAX;
    uint32_t t = cpi_intern_find(&g->types, "lives-at", 8);
    if (t != CPI_INTERN_NONE)
        lives = (uint16_t)t;
    /* places first: people take their home's */
    for (uint32_t v = 0; v < G_NENTS(g) && !s; v++) {
        g_ent *e = &g->ents[v];
        if (e->card.kind != CPI_KIND_LOCATION)
            continue;
        const char *la = e->la_own;
        if (!la && e->card.postcode) {
            char district[16];
            snprintf(district, sizeof district, "%s", e->card.postcode);
            char *sp = strchr(district, ' ');
            if (sp)
                *sp = '\0';
            la = lookup(&b, 'd', district);
        }
        if (!la)
            la = lookup(&b, 't', e->town);
        s = place_in(g, v, la, la ? lookup(&b, 'a', la) : NULL, err);
    }
    for (uint32_t v = 0; v < G_NENTS(g) && !s; v++) {
        g_ent *e = &g->ents[v];
        if (e->card.kind != CPI_KIND_PERSON)
            continue;
        const g_edge *home = NULL;
        for (uint32_t k = g->adj_start[v]; k < g->adj_start[v + 1]; k++) {
            const g_edge *x = &g->edges[g->adj[k]];
            if (x->type != lives || x->a != v || g->ents[x->b].card.kind != CPI_KIND_LOCATION)
                continue;
            if (!home || (x->current && !home->current) ||
                (x->current == home->current &&
                 (x->last > home->last || (x->last == home->last && x->b < home->b))))
                home = x;
        }
        const char *la = home ? g->ents[home->b].card.la : NULL;
        const char *area = e->mace_area ? e->mace_area : la ? lookup(&b, 'a', la) : NULL;
        s = place_in(g, v, la, area, err);
    }
    cpi_intern_free(&b.keys);
    free(b.value);
    free(b.n);
    return s;
}

/* ------------------------------------------------------------------ the list of areas */

static int cmp_area(const void *a, const void *b, void *ctx)
{
    const g_graph *g = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (g->area_kind[x] != g->area_kind[y])
        return g->area_kind[x] < g->area_kind[y] ? -1 : 1;
    return strcmp(g->area_names.strs[x], g->area_names.strs[y]);
}

cpi_status g_area_write(const g_graph *g, cpi_txn *txn, cpi_error *err)
{
    uint32_t n = g->area_names.count;
    uint32_t *order = malloc(sizeof *order * (n ? n : 1));
    if (!order)
        return NOMEM("areas");
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    cpi_sort_r(order, n, sizeof *order, cmp_area, (void *)g);
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = order[i];
        const char *name = g->area_names.strs[x];
        msgpack_pack_array(&pk, 5);
        msgpack_pack_str(&pk, strlen(name));
        msgpack_pack_str_body(&pk, name, strlen(name));
        msgpack_pack_uint8(&pk, g->area_kind[x]);
        msgpack_pack_uint32(&pk, g->area_children[x]);
        msgpack_pack_uint32(&pk, g->area_people[x]);
        msgpack_pack_uint32(&pk, g->area_places[x]);
    }
    free(order);
    char key[16];
    int klen = snprintf(key, sizeof key, "a%careas", CPI_KEY_SEP);
    cpi_status s = sb.data ? cpi_txn_put(txn, CPI_DB_ANALYTICS, key, (size_t)klen, sb.data, sb.size, err)
                           : NOMEM("areas");
    msgpack_sbuffer_destroy(&sb);
    return s;
}

void g_area_free(g_graph *g)
{
    cpi_intern_free(&g->area_votes);
    cpi_intern_free(&g->area_names);
    free(g->votes);
    free(g->area_kind);
    free(g->area_children);
    free(g->area_people);
    free(g->area_places);
}
