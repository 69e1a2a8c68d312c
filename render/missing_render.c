/*
 * missing_render.c - the missing-child trigger plan (query/missing.h) written
 * out: as JSON (keys in docs/queries.md) and as text for a terminal, warnings
 * first, then where to search, whom to locate and who may be with the child.
 */
#include "render/missing_render.h"

#include <stdio.h>
#include <string.h>

#include "core/normalise/normalise.h"
#include "render/render.h"

/* Children linked to the missing child only through a place, listed in the text plan (the rest counted). */
#define MISSING_PLACE_ONLY_MAX 10

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
        cpi_flag_labels(r->flags, CPI_EF_RISKY, why, sizeof why);
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
