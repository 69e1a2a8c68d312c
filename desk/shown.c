/*
 * desk/shown.c - what an answer shows, as the consultation log names it: every
 * entity id and record or mention reference of a profile, a place report, a
 * trigger plan or a candidate list, without repeats; and the log entry itself
 * (desk.h, step 5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "desk/desk.h"

static void push(const char ***arr, size_t *n, size_t *cap, const char *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*arr)[i], v) == 0)
            return;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        const char **na = realloc(*arr, sizeof *na * ncap);
        if (!na)
            return; /* the log then names fewer items; never more than were shown */
        *arr = na;
        *cap = ncap;
    }
    (*arr)[(*n)++] = v;
}

void cpi_desk_shown_id(cpi_desk_shown *s, const char *id) { push(&s->ids, &s->nids, &s->capids, id); }
void cpi_desk_shown_ref(cpi_desk_shown *s, const char *ref) { push(&s->refs, &s->nrefs, &s->caprefs, ref); }

static void link_refs(cpi_desk_shown *s, const cpi_pf_link *l, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        cpi_desk_shown_id(s, l[i].via_id);
        for (uint32_t r = 0; r < l[i].nrefs; r++)
            cpi_desk_shown_ref(s, l[i].refs[r]);
    }
}

void cpi_desk_shown_profile(cpi_desk_shown *s, const cpi_profile *p)
{
    cpi_desk_shown_id(s, p->entity_id);
    for (uint32_t i = 0; i < p->nrisky_people; i++) {
        const cpi_pf_person *r = &p->risky_people[i];
        cpi_desk_shown_id(s, r->id);
        link_refs(s, r->links, r->nlinks);
        for (uint32_t j = 0; j < r->noccurrences; j++) {
            cpi_desk_shown_id(s, r->occurrences[j].other_id);
            for (uint32_t k = 0; k < r->occurrences[j].nrefs; k++)
                cpi_desk_shown_ref(s, r->occurrences[j].refs[k]);
        }
        for (uint32_t j = 0; j < r->naddresses; j++)
            cpi_desk_shown_id(s, r->address_ids[j]);
    }
    for (uint32_t i = 0; i < p->nplaces; i++) {
        cpi_desk_shown_id(s, p->places[i].id);
        link_refs(s, p->places[i].links, p->places[i].nlinks);
        for (uint32_t j = 0; j < p->places[i].nrisky_named; j++)
            cpi_desk_shown_id(s, p->places[i].risky_ids[j]);
    }
    for (uint32_t i = 0; i < p->nconnected_children; i++) {
        cpi_desk_shown_id(s, p->connected_children[i].id);
        for (uint32_t j = 0; j < p->connected_children[i].nvias; j++)
            cpi_desk_shown_id(s, p->connected_children[i].vias[j].id);
    }
    for (uint32_t i = 0; i < p->naddresses; i++)
        cpi_desk_shown_id(s, p->addresses[i].id);
    for (uint32_t i = 0; i < p->nreferences; i++)
        cpi_desk_shown_ref(s, p->references[i].ref);
    for (uint32_t i = 0; i < p->nwarnings; i++)
        for (uint32_t r = 0; r < p->warnings[i].nrefs; r++)
            cpi_desk_shown_ref(s, p->warnings[i].refs[r]);
    for (uint32_t i = 0; i < p->ngaps; i++)
        for (uint32_t r = 0; r < p->gaps[i].nrefs; r++)
            cpi_desk_shown_ref(s, p->gaps[i].refs[r]);
    for (uint32_t i = 0; i < p->ntimeline; i++)
        cpi_desk_shown_ref(s, p->timeline[i].ref);
}

/* the place, everyone listed at it, and the records behind each link and warning */
void cpi_desk_shown_place(cpi_desk_shown *s, const cpi_place_report *r)
{
    cpi_desk_shown_id(s, r->entity_id);
    const cpi_place_person *lists[3] = {r->risky_people, r->children, r->residents};
    uint32_t ns[3] = {r->nrisky_people, r->nchildren, r->nresidents};
    for (int k = 0; k < 3; k++)
        for (uint32_t i = 0; i < ns[k]; i++) {
            cpi_desk_shown_id(s, lists[k][i].id);
            for (uint32_t j = 0; j < lists[k][i].nlinks; j++)
                for (uint32_t x = 0; x < lists[k][i].links[j].nrefs; x++)
                    cpi_desk_shown_ref(s, lists[k][i].links[j].refs[x]);
        }
    for (uint32_t i = 0; i < r->nwarnings; i++)
        for (uint32_t x = 0; x < r->warnings[i].nrefs; x++)
            cpi_desk_shown_ref(s, r->warnings[i].refs[x]);
}

/* the child's profile and every place the plan lists */
void cpi_desk_shown_plan(cpi_desk_shown *s, const cpi_missing_plan *m)
{
    cpi_desk_shown_profile(s, &m->profile);
    for (uint32_t i = 0; i < m->nplaces; i++)
        cpi_desk_shown_id(s, m->places[i].id);
}

void cpi_desk_shown_lookup(cpi_desk_shown *s, const cpi_lookup *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        cpi_desk_shown_id(s, l->items[i].entity_id);
        cpi_desk_shown_ref(s, l->items[i].mention_ref);
    }
}

void cpi_desk_shown_free(cpi_desk_shown *s)
{
    free(s->ids);
    free(s->refs);
    memset(s, 0, sizeof *s);
}

cpi_status cpi_desk_log(cpi_store *st, const cpi_grant *g, const char *query, const char *const *ids, size_t nids,
                        const char *const *refs, size_t nrefs, cpi_error *err)
{
    cpi_error e = {0};
    if (cpi_audit_consultation(st, g, query, ids, nids, refs, nrefs, &e) != CPI_OK)
        return cpi_error_set(err, e.status == CPI_ERR_USAGE ? CPI_ERR_STORE : e.status,
                             "this consultation could not be logged, so nothing is shown: %s", e.msg);
    return CPI_OK;
}
