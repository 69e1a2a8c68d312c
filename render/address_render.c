/*
 * address_render.c - the report on one place (query/address.h) written out:
 * as JSON (keys in docs/queries.md) and as text for a terminal, warnings first,
 * wrapped to the width given. The one-screen form is render/address_screen.c.
 */
#include "render/address_render.h"

#include "render/render.h"

static void jpeople(cpi_jw *w, const cpi_place_person *ps, uint32_t n)
{
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n; i++) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", ps[i].id);
        cpi_jw_kstr(w, "name", ps[i].name);
        cpi_jw_kstr(w, "dob", ps[i].dob);
        cpi_jw_kbool(w, "resident", ps[i].resident);
        cpi_jw_key(w, "flags");
        cpi_jw_flags(w, ps[i].flags);
        cpi_jw_key(w, "why");
        cpi_jw_reasons(w, ps[i].flags);
        cpi_jw_key(w, "links");
        cpi_jw_links(w, ps[i].links, ps[i].nlinks);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
}

void cpi_address_json_write(const cpi_place_report *r, cpi_jw *w)
{
    cpi_jw_obj(w);
    cpi_jw_kstr(w, "entity_id", r->entity_id);
    cpi_jw_kstr(w, "kind", "location");
    cpi_jw_kstr(w, "address", r->name);
    cpi_jw_kstr(w, "postcode", r->postcode);
    cpi_jw_key(w, "flags");
    cpi_jw_flags(w, r->flags);
    cpi_jw_kstr(w, "detail", r->detail == CPI_DETAIL_FULL ? "full" : "brief");
    cpi_jw_key(w, "as_of");
    cpi_jw_date(w, r->as_of);
    cpi_jw_key(w, "warnings");
    cpi_jw_warnings(w, r->warnings, r->nwarnings);
    cpi_jw_key(w, "risky_people");
    jpeople(w, r->risky_people, r->nrisky_people);
    cpi_jw_key(w, "children");
    jpeople(w, r->children, r->nchildren);
    cpi_jw_key(w, "residents");
    jpeople(w, r->residents, r->nresidents);
    cpi_jw_key(w, "activity");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < r->nactivity; i++) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "type", r->activity[i].type);
        cpi_jw_kint(w, "people", (int)r->activity[i].people);
        cpi_jw_kint(w, "records", (int)r->activity[i].records);
        cpi_jw_key(w, "last");
        cpi_jw_date(w, r->activity[i].last);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
    cpi_jw_gaps_withheld(w, r->gaps, r->ngaps, r->withheld, r->nwithheld);
    cpi_jw_kint(w, "truncated", r->truncated);
    cpi_jw_obj_end(w);
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
