/*
 * missing.c - the missing-child trigger plan (see missing.h for the ranking
 * rule): the child's profile, re-read as places to search, people to locate
 * and children who may be with them.
 */
#include "query/missing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/normalise/normalise.h"
#include "core/sort.h"

typedef struct plan_acc {
    cpi_plan_place *items;
    uint32_t n, cap;
    cpi_arena *a;
    int32_t today;
} plan_acc;

static const char *date_of(cpi_arena *a, int32_t day)
{
    if (day == CPI_DAY_NONE)
        return "undated";
    char iso[CPI_NORM_ISO_DATE_MAX];
    cpi_norm_date_iso(day, iso);
    return cpi_arena_strdup(a, iso);
}

/* Add score and a reason to place id, creating it. */
static cpi_status credit(plan_acc *p, const char *id, const char *name, const char *postcode, uint64_t flags,
                         int score, int32_t last, const char *why)
{
    uint32_t i = 0;
    for (; i < p->n; i++)
        if (strcmp(p->items[i].id, id) == 0)
            break;
    if (i == p->n) {
        if (p->n == p->cap) {
            uint32_t ncap = p->cap ? p->cap * 2 : 16;
            cpi_plan_place *ni = cpi_arena_alloc(p->a, sizeof *ni * ncap);
            if (!ni)
                return CPI_ERR_NOMEM;
            if (p->n)
                memcpy(ni, p->items, sizeof *ni * p->n);
            p->items = ni;
            p->cap = ncap;
        }
        p->items[p->n++] = (cpi_plan_place){id, name, postcode, flags, 0, NULL, CPI_DAY_NONE};
    }
    cpi_plan_place *pl = &p->items[i];
    bool recent = last != CPI_DAY_NONE && p->today - last <= 365;
    pl->score += score + (recent ? 20 : 0);
    if (last != CPI_DAY_NONE && (pl->last == CPI_DAY_NONE || last > pl->last))
        pl->last = last;
    char buf[600];
    snprintf(buf, sizeof buf, "%s%s%s", pl->why ? pl->why : "", pl->why ? "; " : "", why);
    pl->why = cpi_arena_strdup(p->a, buf);
    return pl->why ? CPI_OK : CPI_ERR_NOMEM;
}

static int cmp_plan(const void *x, const void *y)
{
    const cpi_plan_place *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->last != b->last)
        return a->last > b->last ? -1 : 1;
    return strcmp(a->id, b->id);
}

cpi_status cpi_missing_build(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena,
                             cpi_missing_plan *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    cpi_profile_opts o = opts ? *opts : (cpi_profile_opts){0};
    o.detail = CPI_DETAIL_FULL; /* every place and person counts when ranking where to look */
    if (!o.max_items)
        o.max_items = 200;
    cpi_status s = cpi_profile_build(txn, id, &o, arena, &out->profile, err);
    if (s)
        return s;
    const cpi_profile *p = &out->profile;
    cpi_card card;
    if ((s = cpi_card_get(txn, id, arena, &card, err)))
        return s;
    out->miraf_grade = card.miraf_grade;
    out->episodes = card.episodes;
    out->last_missing = card.last_missing;
    plan_acc acc = {.a = arena, .today = p->as_of};
    char why[300];
    for (uint32_t i = 0; i < p->nplaces && !s; i++) {
        const cpi_pf_place *pl = &p->places[i];
        for (uint32_t k = 0; k < pl->nlinks && !s; k++) {
            const cpi_pf_link *l = &pl->links[k];
            if (strcmp(l->type, "lives-at") == 0 && l->current && !out->home_id) {
                out->home_id = pl->id;
                out->home_name = pl->name;
            } else if (strcmp(l->type, "found-at") == 0) {
                uint32_t t = l->times ? l->times : 1;
                snprintf(why, sizeof why, "found here %u time%s (MIRAF), last %s", t, t == 1 ? "" : "s",
                         date_of(arena, l->last));
                s = credit(&acc, pl->id, pl->name, pl->postcode, pl->flags, 100 + (int)(t > 5 ? 50 : 10 * t), l->last, why);
            } else if (strcmp(l->type, "frequents") == 0) {
                snprintf(why, sizeof why, "frequents it, per MACE (%s)", date_of(arena, l->last));
                s = credit(&acc, pl->id, pl->name, pl->postcode, pl->flags, 60, l->last, why);
            } else if (strcmp(l->type, "victim-in") == 0) {
                snprintf(why, sizeof why, "victim in an occurrence here (%s)", date_of(arena, l->last));
                s = credit(&acc, pl->id, pl->name, pl->postcode, pl->flags, 30, l->last, why);
            }
        }
    }
    for (uint32_t i = 0; i < p->nrisky_people && !s; i++) {
        const cpi_pf_person *r = &p->risky_people[i];
        bool direct = false;
        int32_t last = CPI_DAY_NONE;
        for (uint32_t k = 0; k < r->nlinks; k++) {
            const char *t = r->links[k].type;
            if (!r->links[k].via_id && (strcmp(t, "poses-risk-to") == 0 || strcmp(t, "cawn-served") == 0))
                direct = true;
            if (r->links[k].last != CPI_DAY_NONE && (last == CPI_DAY_NONE || r->links[k].last > last))
                last = r->links[k].last;
        }
        for (uint32_t k = 0; k < r->naddresses && !s; k++) {
            if (strcmp(r->address_types[k], "lived-at") == 0 ||
                (out->home_id && strcmp(r->address_ids[k], out->home_id) == 0))
                continue; /* a previous address is not where to look; the home is the start */
            snprintf(why, sizeof why, "%s %s (%s)", strcmp(r->address_types[k], "operates-from") == 0
                                                        ? "a county line operates from here:" : "home of",
                     r->name ? r->name : r->id, r->id);
            s = credit(&acc, r->address_ids[k], r->address_names[k], NULL, 0, 50 + (direct ? 20 : 0), last, why);
        }
    }
    if (s)
        return cpi_error_set(err, CPI_ERR_NOMEM, "missing plan: out of memory");
    cpi_sort(acc.items, acc.n, sizeof *acc.items, cmp_plan);
    out->places = acc.items;
    out->nplaces = acc.n;
    return CPI_OK;
}
