/*
 * profile_render.c - a profile as JSON (keys documented in docs/queries.md)
 * and as text for a terminal, warnings first, wrapped to the width given.
 */
#include <string.h>

#include "core/normalise.h"
#include "query/render.h"

/* ------------------------------------------------------------------ JSON */

static json_t *jvalues(const cpi_pf_value *v, uint32_t n, const char *key)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:i, s:o}", key, v[i].text, "count", (int)v[i].count, "sources",
                                           cpi_json_sources(v[i].sources)));
    return a;
}

static json_t *jpeople(const cpi_pf_person *ps, uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n; i++) {
        const cpi_pf_person *p = &ps[i];
        json_t *occ = json_array();
        for (uint32_t j = 0; j < p->noccurrences; j++) {
            const cpi_pf_occurrence *o = &p->occurrences[j];
            json_array_append_new(occ, json_pack("{s:s, s:s, s:o, s:o, s:o, s:i, s:o}", "type", o->type,
                                                 "entity_id", o->other_id, "name", cpi_json_str(o->other_name),
                                                 "first", cpi_json_date(o->first), "last", cpi_json_date(o->last),
                                                 "count", (int)o->count, "refs", cpi_json_refs(o->refs, o->nrefs)));
        }
        json_t *phones = json_array(), *addrs = json_array();
        for (uint32_t j = 0; j < p->nphones; j++)
            json_array_append_new(phones, json_string(p->phones[j]));
        for (uint32_t j = 0; j < p->naddresses; j++)
            json_array_append_new(addrs, json_pack("{s:s, s:s, s:o}", "entity_id", p->address_ids[j], "type",
                                                   p->address_types[j], "address", cpi_json_str(p->address_names[j])));
        json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o}", "entity_id", p->id,
                                           "name", cpi_json_str(p->name), "dob", cpi_json_str(p->dob), "why",
                                           cpi_json_reasons(p->flags), "flags", cpi_json_flags(p->flags), "score",
                                           p->score, "links", cpi_json_links(p->links, p->nlinks), "occurrences", occ,
                                           "phones", phones, "addresses", addrs));
    }
    return a;
}

json_t *cpi_profile_json(const cpi_profile *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "entity_id", json_string(p->entity_id));
    json_object_set_new(o, "kind", json_string(cpi_kind_name(p->kind)));
    json_object_set_new(o, "name", cpi_json_str(p->name));
    json_object_set_new(o, "dob", cpi_json_str(p->dob));
    json_object_set_new(o, "is_child", json_boolean(p->is_child));
    json_object_set_new(o, "flags", cpi_json_flags(p->flags));
    json_object_set_new(o, "detail", json_string(p->detail == CPI_DETAIL_FULL ? "full" : "brief"));
    json_object_set_new(o, "as_of", cpi_json_date(p->as_of));
    json_object_set_new(o, "names", jvalues(p->names, p->nnames, "name"));
    json_object_set_new(o, "dobs", jvalues(p->dobs, p->ndobs, "dob"));
    json_object_set_new(o, "genders", jvalues(p->genders, p->ngenders, "gender"));

    json_t *a = json_array();
    for (uint32_t i = 0; i < p->naddresses; i++) {
        const cpi_pf_address *ad = &p->addresses[i];
        json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o}", "entity_id", ad->id,
                                           "address", cpi_json_str(ad->name), "postcode", cpi_json_str(ad->postcode),
                                           "status", ad->status, "kind", ad->kind, "first", cpi_json_date(ad->first),
                                           "last", cpi_json_date(ad->last), "sources", cpi_json_sources(ad->sources)));
    }
    json_object_set_new(o, "addresses", a);

    a = json_array();
    for (uint32_t i = 0; i < p->nreferences; i++) {
        const cpi_pf_reference *r = &p->references[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:o}", "ref", r->ref, "source",
                                           cpi_src_name(r->source), "type", r->type, "role", r->role, "date",
                                           cpi_json_date(r->day)));
    }
    json_object_set_new(o, "references", a);
    json_object_set_new(o, "warnings", cpi_json_warnings(p->warnings, p->nwarnings));
    json_object_set_new(o, "risky_people", jpeople(p->risky_people, p->nrisky_people));

    a = json_array();
    for (uint32_t i = 0; i < p->nplaces; i++) {
        const cpi_pf_place *pl = &p->places[i];
        json_t *risky = json_array();
        for (uint32_t j = 0; j < pl->nrisky_named; j++)
            json_array_append_new(risky, json_pack("{s:s, s:o}", "entity_id", pl->risky_ids[j], "name",
                                                   cpi_json_str(pl->risky_names[j])));
        json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:i, s:i, s:o, s:i}", "entity_id", pl->id,
                                           "name", cpi_json_str(pl->name), "postcode", cpi_json_str(pl->postcode),
                                           "flags", cpi_json_flags(pl->flags), "links",
                                           cpi_json_links(pl->links, pl->nlinks), "hub", pl->hub, "children",
                                           (int)pl->children, "risky_people", (int)pl->risky, "risky_named", risky,
                                           "score", pl->score));
    }
    json_object_set_new(o, "places", a);

    a = json_array();
    for (uint32_t i = 0; i < p->nconnected_children; i++) {
        const cpi_pf_child *c = &p->connected_children[i];
        json_t *via = json_array();
        for (uint32_t j = 0; j < c->nvias; j++)
            json_array_append_new(via, json_pack("{s:s, s:s, s:o}", "kind", c->vias[j].kind, "entity_id",
                                                 c->vias[j].id, "name", cpi_json_str(c->vias[j].name)));
        json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o}", "entity_id", c->id, "name",
                                           cpi_json_str(c->name), "dob", cpi_json_str(c->dob), "flags",
                                           cpi_json_flags(c->flags), "via", via));
    }
    json_object_set_new(o, "connected_children", a);

    a = json_array();
    for (uint32_t i = 0; i < p->ntimeline; i++) {
        const cpi_pf_event *e = &p->timeline[i];
        json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "date", cpi_json_date(e->day), "ref",
                                           e->ref, "source", cpi_src_name(e->source), "type", e->type, "role",
                                           e->role, "summary", e->summary));
    }
    json_object_set_new(o, "timeline", a);
    a = json_array();
    for (uint32_t i = 0; i < p->npossible_matches; i++) {
        const cpi_pf_match *m = &p->possible_matches[i];
        json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:f, s:o, s:o, s:i}", "entity_id", m->id, "name",
                                           cpi_json_str(m->name), "dob", cpi_json_str(m->dob), "flags",
                                           cpi_json_flags(m->flags), "probability", m->probability, "mention",
                                           cpi_json_str(m->mention_a), "other_mention", cpi_json_str(m->mention_b),
                                           "pairs", (int)m->pairs));
    }
    json_object_set_new(o, "possible_matches", a);
    json_object_set_new(o, "gaps", cpi_json_gaps(p->gaps, p->ngaps));
    json_object_set_new(o, "withheld", cpi_json_withheld(p->withheld, p->nwithheld));
    json_object_set_new(o, "truncated", json_integer(p->truncated));
    return o;
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
    cpi_text_flags(r->flags, CPI_EF_RISKY, why, sizeof why);
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
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s %s %s", j ? "; " : "", r->occurrences[j].type,
                                  r->occurrences[j].other_name ? r->occurrences[j].other_name : "?", sp);
        }
        if (shown < total && n < sizeof buf)
            snprintf(buf + n, sizeof buf - n, "; and %u more", total - shown);
        cpi_text_wrap(f, width, "      occurrences:", 10, buf);
    }
    if (r->naddresses) {
        size_t n = 0;
        for (uint32_t j = 0; j < r->naddresses && n < sizeof buf; j++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s %s", j ? "; " : "", r->address_types[j],
                                  r->address_names[j] ? r->address_names[j] : r->address_ids[j]);
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
    cpi_text_warnings(out, w, p->warnings, p->nwarnings);
    cpi_text_gaps(out, w, p->gaps, p->ngaps);

    cpi_text_heading(out, p->is_child ? "RISKY PEOPLE" : "RISKY PEOPLE LINKED", p->nrisky_people);
    for (uint32_t i = 0; i < p->nrisky_people; i++)
        person_text(out, w, &p->risky_people[i], i, p->is_child, brief);

    cpi_text_heading(out, "PLACES", p->nplaces);
    for (uint32_t i = 0; i < p->nplaces; i++) {
        const cpi_pf_place *pl = &p->places[i];
        char fl[512];
        cpi_text_flags(pl->flags, ~(uint64_t)0, fl, sizeof fl);
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
        for (uint32_t j = 0; j < c->nvias && n < sizeof buf; j++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s %s %s", j ? ";" : "", c->vias[j].kind,
                                  c->vias[j].name ? c->vias[j].name : c->vias[j].id);
        cpi_text_wrap(out, w, "  -", 4, buf);
    }

    cpi_text_heading(out, "ADDRESSES", p->naddresses);
    for (uint32_t i = 0; i < p->naddresses; i++) {
        const cpi_pf_address *a = &p->addresses[i];
        char sp[64];
        cpi_text_span(sp, sizeof sp, a->first, a->last);
        snprintf(buf, sizeof buf, "%s: %s%s%s (%s, %s) %s", a->status, a->name ? a->name : "?",
                 a->postcode ? ", " : "", a->postcode ? a->postcode : "", a->kind, a->id, sp);
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
