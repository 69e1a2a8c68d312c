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
#include "render/render.h"
#include "core/sort.h"

/* Children linked to the missing child only through a place, listed in the text plan (the rest counted). */
#define MISSING_PLACE_ONLY_MAX 10

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

/* ------------------------------------------------------------------ rendering */

json_t *cpi_missing_json(const cpi_missing_plan *m)
{
    const cpi_profile *p = &m->profile;
    json_t *places = json_array();
    for (uint32_t i = 0; i < m->nplaces; i++) {
        const cpi_plan_place *pl = &m->places[i];
        json_array_append_new(places, json_pack("{s:i, s:s, s:o, s:o, s:o, s:i, s:s, s:o}", "rank", (int)i + 1,
                                                "entity_id", pl->id, "name", cpi_json_str(pl->name), "postcode",
                                                cpi_json_str(pl->postcode), "flags", cpi_json_flags(pl->flags),
                                                "score", pl->score, "why", pl->why, "last", cpi_json_date(pl->last)));
    }
    json_t *people = json_array();
    for (uint32_t i = 0; i < p->nrisky_people; i++) {
        const cpi_pf_person *r = &p->risky_people[i];
        json_t *phones = json_array(), *addr = json_array();
        for (uint32_t j = 0; j < r->nphones; j++)
            json_array_append_new(phones, json_string(r->phones[j]));
        for (uint32_t j = 0; j < r->naddresses; j++)
            json_array_append_new(addr, json_pack("{s:s, s:s, s:o, s:o}", "entity_id", r->address_ids[j], "type",
                                                  r->address_types[j], "address", cpi_json_str(r->address_names[j]),
                                                  "flags", cpi_json_flags(r->address_flags[j])));
        json_array_append_new(people, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "entity_id", r->id, "name",
                                                cpi_json_str(r->name), "dob", cpi_json_str(r->dob), "why",
                                                cpi_json_reasons(r->flags), "phones", phones, "addresses", addr));
    }
    json_t *kids = json_array();
    for (uint32_t i = 0; i < p->nconnected_children; i++)
        json_array_append_new(kids, json_pack("{s:s, s:o, s:o}", "entity_id", p->connected_children[i].id, "name",
                                              cpi_json_str(p->connected_children[i].name), "dob",
                                              cpi_json_str(p->connected_children[i].dob)));
    json_t *o = json_object();
    json_object_set_new(o, "entity_id", json_string(p->entity_id));
    json_object_set_new(o, "name", cpi_json_str(p->name));
    json_object_set_new(o, "dob", cpi_json_str(p->dob));
    json_object_set_new(o, "as_of", cpi_json_date(p->as_of));
    json_object_set_new(o, "miraf_grading", m->miraf_grade ? json_string(m->miraf_grade == 3 ? "HIGH" : m->miraf_grade == 2
                                                                          ? "MEDIUM" : "LOW") : json_null());
    json_object_set_new(o, "episodes", json_integer(m->episodes));
    json_object_set_new(o, "last_missing", cpi_json_date(m->last_missing));
    json_object_set_new(o, "start", m->home_id ? json_pack("{s:s, s:o}", "entity_id", m->home_id, "name",
                                                             cpi_json_str(m->home_name)) : json_null());
    json_object_set_new(o, "search", places);
    json_object_set_new(o, "people_to_locate", people);
    json_object_set_new(o, "children_who_may_be_with_them", kids);
    json_object_set_new(o, "warnings", cpi_json_warnings(p->warnings, p->nwarnings));
    json_object_set_new(o, "withheld", cpi_json_withheld(p->withheld, p->nwithheld));
    return o;
}

void cpi_missing_text(const cpi_missing_plan *m, FILE *out, int width)
{
    int w = width >= 40 ? width : 100;
    const cpi_profile *p = &m->profile;
    char buf[2048], d[CPI_NORM_ISO_DATE_MAX] = "unknown";
    if (m->last_missing != CPI_DAY_NONE)
        cpi_norm_date_iso(m->last_missing, d);
    snprintf(buf, sizeof buf, "MISSING CHILD TRIGGER PLAN  %s  %s  born %s", p->entity_id, p->name ? p->name : "?",
             p->dob ? p->dob : "unknown");
    cpi_text_wrap(out, w, "", 2, buf);
    snprintf(buf, sizeof buf, "MIRAF grading %s; %u episodes on the latest form; last missing %s",
             m->miraf_grade == 3 ? "HIGH" : m->miraf_grade == 2 ? "MEDIUM" : m->miraf_grade == 1 ? "LOW" : "none held",
             m->episodes, d);
    cpi_text_wrap(out, w, " ", 2, buf);
    if (m->home_id) {
        snprintf(buf, sizeof buf, "%s (%s)", m->home_name ? m->home_name : "?", m->home_id);
        cpi_text_wrap(out, w, "  start: home or placement:", 4, buf);
    }
    /* warnings first, as every answer an officer reads (the profile's, the address report's) */
    cpi_text_warnings(out, w, p->warnings, p->nwarnings, p->withheld, p->nwithheld);
    cpi_text_heading(out, "SEARCH FIRST (most likely first)", m->nplaces);
    for (uint32_t i = 0; i < m->nplaces; i++) {
        const cpi_plan_place *pl = &m->places[i];
        char lead[16];
        snprintf(lead, sizeof lead, "  %2u.", i + 1);
        char marks[256];
        cpi_text_place_marks(pl->flags, marks, sizeof marks);
        snprintf(buf, sizeof buf, "%s%s%s (%s)%s: %s", pl->name ? pl->name : "?", pl->postcode ? ", " : "",
                 pl->postcode ? pl->postcode : "", pl->id, marks, pl->why);
        cpi_text_wrap(out, w, lead, 6, buf);
    }
    cpi_text_heading(out, "PEOPLE TO LOCATE", p->nrisky_people);
    for (uint32_t i = 0; i < p->nrisky_people; i++) {
        const cpi_pf_person *r = &p->risky_people[i];
        char why[512];
        cpi_text_flags(r->flags, CPI_EF_RISKY, why, sizeof why);
        size_t n = (size_t)snprintf(buf, sizeof buf, "%s (%s): %s", r->name ? r->name : "?", r->id, why);
        for (uint32_t j = 0; j < r->nphones && n < sizeof buf; j++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", j ? ", " : "; phone ", r->phones[j]);
        for (uint32_t j = 0; j < r->naddresses && n < sizeof buf; j++) {
            char marks[256];
            cpi_text_place_marks(r->address_flags[j], marks, sizeof marks);
            n += (size_t)snprintf(buf + n, sizeof buf - n, "; %s %s%s", r->address_types[j],
                                  r->address_names[j] ? r->address_names[j] : r->address_ids[j], marks);
        }
        /* when and where they were linked to the child, so an officer can find the record */
        for (uint32_t j = 0; j < r->nlinks && j < 2 && n < sizeof buf; j++) {
            const cpi_pf_link *l = &r->links[j];
            char d1[CPI_NORM_ISO_DATE_MAX] = "", d2[CPI_NORM_ISO_DATE_MAX] = "";
            if (l->first != CPI_DAY_NONE)
                cpi_norm_date_iso(l->first, d1);
            if (l->last != CPI_DAY_NONE && l->last != l->first)
                cpi_norm_date_iso(l->last, d2);
            n += (size_t)snprintf(buf + n, sizeof buf - n, "; %s %s%s%s%s", l->type ? l->type : "linked",
                                  d1[0] ? d1 : "undated", d2[0] ? ".." : "", d2, l->nrefs ? " [" : "");
            for (uint32_t k = 0; k < l->nrefs && k < 2 && n < sizeof buf; k++)
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", k ? ", " : "", l->refs[k]);
            if (l->nrefs && n < sizeof buf)
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s]", l->nrefs > 2 ? ", ..." : "");
        }
        cpi_text_wrap(out, w, "  -", 4, buf);
    }
    cpi_text_heading(out, "CHILDREN WHO MAY BE WITH THEM", p->nconnected_children);
    /* Children reached through a person first: one busy place (a takeaway every child passes through)
     * links dozens of children who have nothing else to do with this one. Those reached only through
     * places are listed after, MISSING_PLACE_ONLY_MAX of them, the rest counted. */
    uint32_t place_only = 0, shown_place_only = 0;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < p->nconnected_children; i++) {
            const cpi_pf_child *c = &p->connected_children[i];
            bool via_person = false;
            for (uint32_t j = 0; j < c->nvias; j++)
                via_person |= c->vias[j].kind && strcmp(c->vias[j].kind, "place") != 0;
            if (via_person != (pass == 0))
                continue;
            if (!via_person && ++place_only > MISSING_PLACE_ONLY_MAX)
                continue;
            shown_place_only += !via_person;
            size_t n = (size_t)snprintf(buf, sizeof buf, "%s (%s), via", c->name ? c->name : "?", c->id);
            for (uint32_t j = 0; j < c->nvias && n < sizeof buf; j++) {
                char marks[256];
                cpi_text_place_marks(c->vias[j].flags, marks, sizeof marks);
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s %s%s", j ? "," : "",
                                      c->vias[j].name ? c->vias[j].name : c->vias[j].id, marks);
            }
            cpi_text_wrap(out, w, "  -", 4, buf);
        }
    if (place_only > shown_place_only) {
        snprintf(buf, sizeof buf, "+ %u more linked only through a place (--json lists every one)",
                 place_only - shown_place_only);
        cpi_text_wrap(out, w, "   ", 4, buf);
    }
}
