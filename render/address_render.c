/*
 * address_render.c - the report on one place (query/address.h) written out:
 * as JSON (keys in docs/queries.md) and as text for a terminal, warnings first,
 * wrapped to the width given. The one-screen form is render/address_screen.c.
 */
#include "render/address_render.h"

#include "render/render.h"

static json_t *jpeople(const cpi_place_person *ps, uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:b, s:o, s:o, s:o}", "entity_id", ps[i].id, "name",
                                           cpi_json_str(ps[i].name), "dob", cpi_json_str(ps[i].dob), "resident",
                                           ps[i].resident, "flags", cpi_json_flags(ps[i].flags), "why",
                                           cpi_json_reasons(ps[i].flags), "links",
                                           cpi_json_links(ps[i].links, ps[i].nlinks)));
    return a;
}

json_t *cpi_address_json(const cpi_place_report *r)
{
    json_t *act = json_array();
    for (uint32_t i = 0; i < r->nactivity; i++)
        json_array_append_new(act, json_pack("{s:s, s:i, s:i, s:o}", "type", r->activity[i].type, "people",
                                             (int)r->activity[i].people, "records", (int)r->activity[i].records,
                                             "last", cpi_json_date(r->activity[i].last)));
    json_t *o = json_object();
    json_object_set_new(o, "entity_id", json_string(r->entity_id));
    json_object_set_new(o, "kind", json_string("location"));
    json_object_set_new(o, "address", cpi_json_str(r->name));
    json_object_set_new(o, "postcode", cpi_json_str(r->postcode));
    json_object_set_new(o, "flags", cpi_json_flags(r->flags));
    json_object_set_new(o, "detail", json_string(r->detail == CPI_DETAIL_FULL ? "full" : "brief"));
    json_object_set_new(o, "as_of", cpi_json_date(r->as_of));
    json_object_set_new(o, "warnings", cpi_json_warnings(r->warnings, r->nwarnings));
    json_object_set_new(o, "risky_people", jpeople(r->risky_people, r->nrisky_people));
    json_object_set_new(o, "children", jpeople(r->children, r->nchildren));
    json_object_set_new(o, "residents", jpeople(r->residents, r->nresidents));
    json_object_set_new(o, "activity", act);
    json_object_set_new(o, "gaps", cpi_json_gaps(r->gaps, r->ngaps));
    json_object_set_new(o, "withheld", cpi_json_withheld(r->withheld, r->nwithheld));
    json_object_set_new(o, "truncated", json_integer(r->truncated));
    return o;
}

static void people_text(FILE *f, int w, const char *title, const cpi_place_person *ps, uint32_t n, uint64_t mask)
{
    char buf[2048];
    cpi_text_heading(f, title, n);
    for (uint32_t i = 0; i < n; i++) {
        char fl[512];
        cpi_flag_labels(ps[i].flags, mask, fl, sizeof fl);
        size_t k = (size_t)snprintf(buf, sizeof buf, "%s (%s)%s%s%s%s%s", ps[i].name ? ps[i].name : "?", ps[i].id,
                                    ps[i].dob ? ", born " : "", ps[i].dob ? ps[i].dob : "",
                                    ps[i].resident ? ", lives here" : "", fl[0] ? ": " : "", fl);
        for (uint32_t j = 0; j < ps[i].nlinks && k < sizeof buf; j++) {
            char sp[64];
            cpi_text_span(sp, sizeof sp, ps[i].links[j].first, ps[i].links[j].last);
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s %s%s", j ? "; " : " - ", ps[i].links[j].type, sp,
                                  ps[i].links[j].count > 1 ? " (several records)" : "");
        }
        cpi_text_wrap(f, w, "  -", 4, buf);
    }
}

void cpi_address_text(const cpi_place_report *r, FILE *out, int width)
{
    int w = width >= 40 ? width : 100;
    char buf[1024], fl[512];
    cpi_flag_labels(r->flags, ~(uint64_t)0, fl, sizeof fl);
    snprintf(buf, sizeof buf, "PLACE %s  %s%s%s%s%s", r->entity_id, r->name ? r->name : "?", r->postcode ? ", " : "",
             r->postcode ? r->postcode : "", fl[0] ? " - " : "", fl);
    cpi_text_wrap(out, w, "", 2, buf);
    cpi_text_withheld(out, w, r->withheld, r->nwithheld);
    cpi_text_warnings(out, w, r->warnings, r->nwarnings, r->withheld, r->nwithheld);
    cpi_text_gaps(out, w, r->gaps, r->ngaps);
    people_text(out, w, "RISKY PEOPLE LINKED", r->risky_people, r->nrisky_people, CPI_EF_RISKY);
    people_text(out, w, "CHILDREN LINKED", r->children, r->nchildren, ~CPI_EF(CPI_EF_CHILD));
    people_text(out, w, "OTHER RESIDENTS", r->residents, r->nresidents, ~(CPI_EF(CPI_EF_ADULT) | CPI_EF(CPI_EF_CHILD)));
    cpi_text_heading(out, "WHAT HAPPENED HERE", r->nactivity);
    for (uint32_t i = 0; i < r->nactivity; i++) {
        char sp[64];
        cpi_text_span(sp, sizeof sp, r->activity[i].last, r->activity[i].last);
        snprintf(buf, sizeof buf, "%s: %u %s, %u record%s, last %s", r->activity[i].type, r->activity[i].people,
                 r->activity[i].people == 1 ? "person" : "people", r->activity[i].records,
                 r->activity[i].records == 1 ? "" : "s", sp);
        cpi_text_wrap(out, w, "  -", 4, buf);
    }
    if (r->truncated)
        fprintf(out, "\n(%u more people not shown at this detail level; use --full)\n", r->truncated);
}
