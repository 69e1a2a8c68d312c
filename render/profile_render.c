/*
 * profile_render.c - a profile as JSON (keys documented in docs/queries.md)
 * and as text for a terminal, warnings first, wrapped to the width given.
 */
#include "render/profile_render.h"

#include <string.h>

#include "core/normalise/normalise.h"
#include "render/render.h"

/* ------------------------------------------------------------------ JSON */

/* Written straight to a streaming writer: no tree is built (render/jsonw.h says why). */

static void jvalues(cpi_jw *w, const cpi_pf_value *v, uint32_t n, const char *key)
{
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n; i++) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, key, v[i].text);
        cpi_jw_kint(w, "count", (int)v[i].count);
        cpi_jw_key(w, "sources");
        cpi_jw_sources(w, v[i].sources);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
}

static void jperson(cpi_jw *w, const cpi_pf_person *p)
{
    cpi_jw_obj(w);
    cpi_jw_kstr(w, "entity_id", p->id);
    cpi_jw_kstr(w, "name", p->name);
    cpi_jw_kstr(w, "dob", p->dob);
    cpi_jw_key(w, "why");
    cpi_jw_reasons(w, p->flags);
    cpi_jw_key(w, "flags");
    cpi_jw_flags(w, p->flags);
    cpi_jw_kint(w, "score", p->score);
    cpi_jw_key(w, "links");
    cpi_jw_links(w, p->links, p->nlinks);
    cpi_jw_key(w, "occurrences");
    cpi_jw_arr(w);
    for (uint32_t j = 0; j < p->noccurrences; j++) {
        const cpi_pf_occurrence *o = &p->occurrences[j];
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "type", o->type);
        cpi_jw_kstr(w, "entity_id", o->other_id);
        cpi_jw_kstr(w, "name", o->other_name);
        cpi_jw_key(w, "first");
        cpi_jw_date(w, o->first);
        cpi_jw_key(w, "last");
        cpi_jw_date(w, o->last);
        cpi_jw_kint(w, "count", (int)o->count);
        cpi_jw_key(w, "refs");
        cpi_jw_refs(w, o->refs, o->nrefs);
        cpi_jw_key(w, "flags");
        cpi_jw_flags(w, o->other_flags);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
    cpi_jw_person_reach(w, p);
    cpi_jw_obj_end(w);
}

static void jplace(cpi_jw *w, const cpi_pf_place *pl)
{
    cpi_jw_obj(w);
    cpi_jw_kstr(w, "entity_id", pl->id);
    cpi_jw_kstr(w, "name", pl->name);
    cpi_jw_kstr(w, "postcode", pl->postcode);
    cpi_jw_key(w, "flags");
    cpi_jw_flags(w, pl->flags);
    cpi_jw_key(w, "links");
    cpi_jw_links(w, pl->links, pl->nlinks);
    cpi_jw_kbool(w, "hub", pl->hub);
    cpi_jw_kint(w, "children", (int)pl->children);
    cpi_jw_kint(w, "risky_people", (int)pl->risky);
    cpi_jw_key(w, "risky_named");
    cpi_jw_arr(w);
    for (uint32_t j = 0; j < pl->nrisky_named; j++) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", pl->risky_ids[j]);
        cpi_jw_kstr(w, "name", pl->risky_names[j]);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
    cpi_jw_kint(w, "score", pl->score);
    cpi_jw_obj_end(w);
}

void cpi_profile_json_write(const cpi_profile *p, cpi_jw *w)
{
    cpi_jw_obj(w);
    cpi_jw_kstr(w, "entity_id", p->entity_id);
    cpi_jw_kstr(w, "kind", cpi_kind_name(p->kind));
    cpi_jw_kstr(w, "name", p->name);
    cpi_jw_kstr(w, "dob", p->dob);
    cpi_jw_kbool(w, "is_child", p->is_child);
    cpi_jw_key(w, "flags");
    cpi_jw_flags(w, p->flags);
    cpi_jw_kstr(w, "detail", p->detail == CPI_DETAIL_FULL ? "full" : "brief");
    cpi_jw_key(w, "as_of");
    cpi_jw_date(w, p->as_of);
    cpi_jw_key(w, "names");
    jvalues(w, p->names, p->nnames, "name");
    cpi_jw_key(w, "dobs");
    jvalues(w, p->dobs, p->ndobs, "dob");
    cpi_jw_key(w, "genders");
    jvalues(w, p->genders, p->ngenders, "gender");

    cpi_jw_key(w, "addresses");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < p->naddresses; i++) {
        const cpi_pf_address *ad = &p->addresses[i];
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", ad->id);
        cpi_jw_kstr(w, "address", ad->name);
        cpi_jw_kstr(w, "postcode", ad->postcode);
        cpi_jw_kstr(w, "status", ad->status);
        cpi_jw_kstr(w, "kind", ad->kind);
        cpi_jw_key(w, "first");
        cpi_jw_date(w, ad->first);
        cpi_jw_key(w, "last");
        cpi_jw_date(w, ad->last);
        cpi_jw_key(w, "sources");
        cpi_jw_sources(w, ad->sources);
        cpi_jw_key(w, "flags");
        cpi_jw_flags(w, ad->flags);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);

    cpi_jw_key(w, "references");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < p->nreferences; i++) {
        const cpi_pf_reference *r = &p->references[i];
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "ref", r->ref);
        cpi_jw_kstr(w, "source", cpi_src_name(r->source));
        cpi_jw_kstr(w, "type", r->type);
        cpi_jw_kstr(w, "role", r->role);
        cpi_jw_key(w, "date");
        cpi_jw_date(w, r->day);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
    cpi_jw_key(w, "warnings");
    cpi_jw_warnings(w, p->warnings, p->nwarnings);

    cpi_jw_key(w, "risky_people");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < p->nrisky_people; i++)
        jperson(w, &p->risky_people[i]);
    cpi_jw_arr_end(w);

    cpi_jw_key(w, "places");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < p->nplaces; i++)
        jplace(w, &p->places[i]);
    cpi_jw_arr_end(w);

    cpi_jw_key(w, "connected_children");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < p->nconnected_children; i++) {
        const cpi_pf_child *c = &p->connected_children[i];
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", c->id);
        cpi_jw_kstr(w, "name", c->name);
        cpi_jw_kstr(w, "dob", c->dob);
        cpi_jw_key(w, "flags");
        cpi_jw_flags(w, c->flags);
        cpi_jw_key(w, "via");
        cpi_jw_arr(w);
        for (uint32_t j = 0; j < c->nvias; j++) {
            cpi_jw_obj(w);
            cpi_jw_kstr(w, "kind", c->vias[j].kind);
            cpi_jw_kstr(w, "entity_id", c->vias[j].id);
            cpi_jw_kstr(w, "name", c->vias[j].name);
            if (c->vias[j].flags) { /* a place: its type and risk markers */
                cpi_jw_key(w, "flags");
                cpi_jw_flags(w, c->vias[j].flags);
            }
            cpi_jw_obj_end(w);
        }
        cpi_jw_arr_end(w);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);

    cpi_jw_key(w, "timeline");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < p->ntimeline; i++) {
        const cpi_pf_event *e = &p->timeline[i];
        cpi_jw_obj(w);
        cpi_jw_key(w, "date");
        cpi_jw_date(w, e->day);
        cpi_jw_kstr(w, "ref", e->ref);
        cpi_jw_kstr(w, "source", cpi_src_name(e->source));
        cpi_jw_kstr(w, "type", e->type);
        cpi_jw_kstr(w, "role", e->role);
        cpi_jw_kstr(w, "summary", e->summary);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);

    cpi_jw_key(w, "possible_matches");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < p->npossible_matches; i++) {
        const cpi_pf_match *m = &p->possible_matches[i];
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", m->id);
        cpi_jw_kstr(w, "name", m->name);
        cpi_jw_kstr(w, "dob", m->dob);
        cpi_jw_key(w, "flags");
        cpi_jw_flags(w, m->flags);
        cpi_jw_key(w, "probability");
        cpi_jw_real(w, m->probability);
        cpi_jw_kstr(w, "mention", m->mention_a);
        cpi_jw_kstr(w, "other_mention", m->mention_b);
        cpi_jw_kint(w, "pairs", (int)m->pairs);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
    cpi_jw_gaps_withheld(w, p->gaps, p->ngaps, p->withheld, p->nwithheld);
    cpi_jw_kint(w, "truncated", p->truncated);
    cpi_jw_obj_end(w);
}

json_t *cpi_profile_json(const cpi_profile *p)
{
    cpi_jw w;
    cpi_jw_init(&w, 0);
    cpi_profile_json_write(p, &w);
    size_t len;
    const char *text = cpi_jw_text(&w, &len);
    json_t *j = text ? json_loadb(text, len, 0, NULL) : NULL;
    cpi_jw_free(&w);
    return j;
}

/* ------------------------------------------------------------------ text */

/* One way a person is linked, read from that person towards the subject ("poses-risk-to this child"). */
static void link_text(const cpi_pf_link *l, bool child, char *out, size_t cap)
{
    char sp[64];
    cpi_text_span(sp, sizeof sp, l->first, l->last);
    const char *who = child ? "this child" : "this person";
    size_t n;
    if (l->via_name)
        n = (size_t)snprintf(out, cap, "%s %s (%s's place) %s", l->type, l->via_name, who, sp);
    else if (!l->out)
        n = (size_t)snprintf(out, cap, "%s %s %s", l->type, who, sp);
    else
        n = (size_t)snprintf(out, cap, "%s %s them %s", who, l->type, sp);
    if (l->count > 1 && n < cap)
        n += (size_t)snprintf(out + n, cap - n, " (%u records)", l->count);
    if (l->nrefs && n < cap)
        snprintf(out + n, cap - n, " [%s%s]", l->refs[0], l->nrefs > 1 || l->count > 1 ? ", ..." : "");
}

static void person_text(FILE *f, int width, const cpi_pf_person *r, uint32_t i, bool child, bool brief)
{
    char buf[2048], why[512], lead[16];
    cpi_flag_labels(r->flags, CPI_EF_RISKY, why, sizeof why);
    snprintf(buf, sizeof buf, "%s (%s)%s%s: %s", r->name ? r->name : "?", r->id, r->dob ? ", born " : "",
             r->dob ? r->dob : "", why[0] ? why : "linked as posing a risk");
    snprintf(lead, sizeof lead, "  %2u.", i + 1);
    cpi_text_wrap(f, width, lead, 6, buf);
    for (uint32_t j = 0; j < r->nlinks; j++) {
        link_text(&r->links[j], child, buf, sizeof buf);
        cpi_text_wrap(f, width, "      how:", 10, buf);
    }
    if (r->noccurrences) {
        size_t n = 0;
        uint32_t shown = brief && r->noccurrences > 4 ? 4 : r->noccurrences;
        uint32_t total = r->noccurrences_total > r->noccurrences ? r->noccurrences_total : r->noccurrences;
        for (uint32_t j = 0; j < shown && n < sizeof buf; j++) {
            char sp[64];
            cpi_text_span(sp, sizeof sp, r->occurrences[j].first, r->occurrences[j].last);
            char marks[256];
            cpi_text_place_marks(r->occurrences[j].other_flags, marks, sizeof marks);
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s %s%s %s", j ? "; " : "", r->occurrences[j].type,
                                  r->occurrences[j].other_name ? r->occurrences[j].other_name : "?", marks, sp);
        }
        if (shown < total && n < sizeof buf)
            snprintf(buf + n, sizeof buf - n, "; and %u more", total - shown);
        cpi_text_wrap(f, width, "      occurrences:", 10, buf);
    }
    if (r->naddresses) {
        size_t n = 0;
        for (uint32_t j = 0; j < r->naddresses && n < sizeof buf; j++) {
            char marks[256];
            cpi_text_place_marks(r->address_flags[j], marks, sizeof marks);
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s %s%s", j ? "; " : "", r->address_types[j],
                                  r->address_names[j] ? r->address_names[j] : r->address_ids[j], marks);
        }
        cpi_text_wrap(f, width, "      places:", 10, buf);
    }
    if (r->nphones) {
        size_t n = 0;
        for (uint32_t j = 0; j < r->nphones && n < sizeof buf; j++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", j ? ", " : "", r->phones[j]);
        cpi_text_wrap(f, width, "      phones:", 10, buf);
    }
}

void cpi_profile_text(const cpi_profile *p, FILE *out, int width)
{
    int w = width >= 40 ? width : 100;
    bool brief = p->detail == CPI_DETAIL_BRIEF;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s %s  %s  born %s", p->is_child ? "CHILD" : "PERSON", p->entity_id,
             p->name ? p->name : "(no name)", p->dob ? p->dob : "unknown");
    cpi_text_wrap(out, w, "", 2, buf);
    if (p->nnames > 1) {
        size_t n = 0;
        for (uint32_t i = 0; i < p->nnames && n < sizeof buf; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? "; " : "", p->names[i].text);
        cpi_text_wrap(out, w, "  names written:", 4, buf);
    }
    if (p->ndobs > 1) {
        size_t n = 0;
        for (uint32_t i = 0; i < p->ndobs && n < sizeof buf; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s (%u)", i ? "; " : "", p->dobs[i].text,
                                  p->dobs[i].count);
        cpi_text_wrap(out, w, "  dates of birth recorded:", 4, buf);
    }
    cpi_text_withheld(out, w, p->withheld, p->nwithheld);
    cpi_text_warnings(out, w, p->warnings, p->nwarnings, p->withheld, p->nwithheld);
    cpi_text_gaps(out, w, p->gaps, p->ngaps);

    cpi_text_heading(out, p->is_child ? "RISKY PEOPLE" : "RISKY PEOPLE LINKED", p->nrisky_people);
    for (uint32_t i = 0; i < p->nrisky_people; i++)
        person_text(out, w, &p->risky_people[i], i, p->is_child, brief);

    cpi_text_heading(out, "PLACES", p->nplaces);
    for (uint32_t i = 0; i < p->nplaces; i++) {
        const cpi_pf_place *pl = &p->places[i];
        char fl[512];
        cpi_flag_labels(pl->flags, ~(uint64_t)0, fl, sizeof fl);
        snprintf(buf, sizeof buf, "%s%s%s (%s)%s%s", pl->name ? pl->name : "?", pl->postcode ? ", " : "",
                 pl->postcode ? pl->postcode : "", pl->id, fl[0] ? " - " : "", fl);
        cpi_text_wrap(out, w, "  *", 4, buf);
        size_t n = 0;
        for (uint32_t j = 0; j < pl->nlinks && n < sizeof buf; j++) {
            const cpi_pf_link *l = &pl->links[j];
            char sp[64];
            cpi_text_span(sp, sizeof sp, l->first, l->last);
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s%s %s", j ? "; " : "", l->type,
                                  strcmp(l->type, "lives-at") == 0 ? (l->current ? " (current)" : " (previous)") : "",
                                  sp);
            if (strcmp(l->type, "found-at") == 0 && n < sizeof buf)
                n += (size_t)snprintf(buf + n, sizeof buf - n, ", found here %u time%s", l->times,
                                      l->times == 1 ? "" : "s");
        }
        cpi_text_wrap(out, w, p->is_child ? "    this child:" : "    this person:", 6, buf);
        if (pl->children || pl->risky) {
            n = (size_t)snprintf(buf, sizeof buf, "%s%u other child%s, %u risky %s%s", pl->hub ? "about " : "",
                                 pl->children, pl->children == 1 ? "" : "ren", pl->risky,
                                 pl->risky == 1 ? "person" : "people", pl->hub ? " (a busy place: not listed)" : "");
            for (uint32_t j = 0; j < pl->nrisky_named && n < sizeof buf; j++)
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s (%s)", j ? ", " : ": ", pl->risky_names[j],
                                      pl->risky_ids[j]);
            cpi_text_wrap(out, w, "    others:", 6, buf);
        }
    }

    cpi_text_heading(out, p->is_child ? "CONNECTED CHILDREN" : "CHILDREN LINKED", p->nconnected_children);
    for (uint32_t i = 0; i < p->nconnected_children; i++) {
        const cpi_pf_child *c = &p->connected_children[i];
        size_t n = (size_t)snprintf(buf, sizeof buf, "%s (%s)%s%s, via", c->name ? c->name : "?", c->id,
                                    c->dob ? " born " : "", c->dob ? c->dob : "");
        for (uint32_t j = 0; j < c->nvias && n < sizeof buf; j++) {
            char marks[256];
            cpi_text_place_marks(c->vias[j].flags, marks, sizeof marks);
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s %s %s%s", j ? ";" : "", c->vias[j].kind,
                                  c->vias[j].name ? c->vias[j].name : c->vias[j].id, marks);
        }
        cpi_text_wrap(out, w, "  -", 4, buf);
    }

    cpi_text_heading(out, "ADDRESSES", p->naddresses);
    for (uint32_t i = 0; i < p->naddresses; i++) {
        const cpi_pf_address *a = &p->addresses[i];
        char sp[64];
        cpi_text_span(sp, sizeof sp, a->first, a->last);
        char marks[256];
        cpi_text_place_marks(a->flags, marks, sizeof marks);
        snprintf(buf, sizeof buf, "%s: %s%s%s (%s, %s)%s %s", a->status, a->name ? a->name : "?",
                 a->postcode ? ", " : "", a->postcode ? a->postcode : "", a->kind, a->id, marks, sp);
        cpi_text_wrap(out, w, "  -", 4, buf);
    }

    cpi_text_heading(out, "REFERENCES", p->nreferences);
    for (int s = 0; s < CPI_SRC__COUNT; s++) {
        size_t n = 0;
        uint32_t count = 0;
        for (uint32_t i = 0; i < p->nreferences && n < sizeof buf; i++)
            if (p->references[i].source == (cpi_src)s) {
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", count ? ", " : "",
                                      strchr(p->references[i].ref, ':') + 1);
                count++;
            }
        if (count) {
            char lead[32];
            snprintf(lead, sizeof lead, "  %-6s", cpi_src_name((cpi_src)s));
            cpi_text_wrap(out, w, lead, 9, buf);
        }
    }

    if (p->ntimeline) {
        cpi_text_heading(out, "TIMELINE (newest first)", p->ntimeline);
        for (uint32_t i = 0; i < p->ntimeline; i++) {
            const cpi_pf_event *e = &p->timeline[i];
            char lead[80], sp[64];
            cpi_text_span(sp, sizeof sp, e->day, e->day);
            snprintf(buf, sizeof buf, "%s %s", e->summary, e->ref);
            snprintf(lead, sizeof lead, "  %-10s", sp);
            cpi_text_wrap(out, w, lead, 13, buf);
        }
    }
    cpi_text_heading(out, "POSSIBLE MATCHES (decide: cpindex review)",
                     p->npossible_matches);
    for (uint32_t i = 0; i < p->npossible_matches; i++) {
        const cpi_pf_match *m = &p->possible_matches[i];
        snprintf(buf, sizeof buf, "%s (%s)%s%s, probability %.2f: %s ~ %s", m->name ? m->name : "?", m->id,
                 m->dob ? " born " : "", m->dob ? m->dob : "", m->probability, m->mention_a ? m->mention_a : "?",
                 m->mention_b ? m->mention_b : "?");
        cpi_text_wrap(out, w, "  ~", 4, buf);
    }
    if (p->truncated)
        fprintf(out, "\n(%u more items not shown at this detail level; use --full)\n", p->truncated);
}
