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

void cpi_missing_json_write(const cpi_missing_plan *m, cpi_jw *w)
{
    const cpi_profile *p = &m->profile;
    cpi_jw_obj(w);
    cpi_jw_kstr(w, "entity_id", p->entity_id);
    cpi_jw_kstr(w, "name", p->name);
    cpi_jw_kstr(w, "dob", p->dob);
    cpi_jw_key(w, "as_of");
    cpi_jw_date(w, p->as_of);
    cpi_jw_kstr(w, "miraf_grading",
                m->miraf_grade ? m->miraf_grade == 3 ? "HIGH" : m->miraf_grade == 2 ? "MEDIUM" : "LOW" : NULL);
    cpi_jw_kint(w, "episodes", m->episodes);
    cpi_jw_key(w, "last_missing");
    cpi_jw_date(w, m->last_missing);
    cpi_jw_key(w, "start");
    if (m->home_id) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", m->home_id);
        cpi_jw_kstr(w, "name", m->home_name);
        cpi_jw_obj_end(w);
    } else
        cpi_jw_null(w);
    cpi_jw_key(w, "search");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < m->nplaces; i++) {
        const cpi_plan_place *pl = &m->places[i];
        cpi_jw_obj(w);
        cpi_jw_kint(w, "rank", (int)i + 1);
        cpi_jw_kstr(w, "entity_id", pl->id);
        cpi_jw_kstr(w, "name", pl->name);
        cpi_jw_kstr(w, "postcode", pl->postcode);
        cpi_jw_key(w, "flags");
        cpi_jw_flags(w, pl->flags);
        cpi_jw_kint(w, "score", pl->score);
        cpi_jw_kstr(w, "why", pl->why);
        cpi_jw_key(w, "last");
        cpi_jw_date(w, pl->last);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
    cpi_jw_key(w, "people_to_locate");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < p->nrisky_people; i++) {
        const cpi_pf_person *r = &p->risky_people[i];
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", r->id);
        cpi_jw_kstr(w, "name", r->name);
        cpi_jw_kstr(w, "dob", r->dob);
        cpi_jw_key(w, "why");
        cpi_jw_reasons(w, r->flags);
        cpi_jw_person_reach(w, r);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
    cpi_jw_key(w, "children_who_may_be_with_them");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < p->nconnected_children; i++) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", p->connected_children[i].id);
        cpi_jw_kstr(w, "name", p->connected_children[i].name);
        cpi_jw_kstr(w, "dob", p->connected_children[i].dob);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
    cpi_jw_key(w, "warnings");
    cpi_jw_warnings(w, p->warnings, p->nwarnings);
    cpi_jw_key(w, "withheld");
    cpi_jw_withheld(w, p->withheld, p->nwithheld);
    cpi_jw_obj_end(w);
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
