/*
 * agenda_render.c - a MACE meeting agenda (query/agenda.h) written out: as
 * JSON (keys in docs/queries.md) and as text, one child a line with the
 * rule's parts beside the score, then the children whose area is not known.
 */
#include "render/agenda_render.h"

#include <stdio.h>

#include "core/normalise/normalise.h"
#include "render/render.h"

static json_t *items_json(const cpi_agenda *a, const cpi_agenda_item *list, uint32_t n)
{
    json_t *items = json_array();
    for (uint32_t i = 0; i < n; i++) {
        const cpi_agenda_item *it = &list[i];
        json_t *parts = json_array();
        for (uint32_t j = 0; j < it->nparts; j++)
            json_array_append_new(parts, json_pack("{s:i, s:s}", "points", it->parts[j].points, "why",
                                                   it->parts[j].why));
        json_t *o = json_pack("{s:i, s:s, s:o, s:o, s:o, s:o, s:i, s:o, s:b, s:o, s:o}", "rank", (int)i + 1,
                              "entity_id", it->id, "name", cpi_json_str(it->name), "dob", cpi_json_str(it->dob),
                              "local_authority", cpi_json_str(it->la), "area", cpi_json_str(it->area), "score",
                              it->score, "parts", parts, "discussed", it->discussed, "last_meeting",
                              cpi_json_date(it->last_meeting), "flags", cpi_json_flags(it->flags));
        json_t *same = json_array();
        for (uint32_t j = 0; j < it->nsame; j++)
            json_array_append_new(same, json_pack("{s:s, s:o, s:i, s:o, s:s}", "entity_id", it->same[j].id, "name",
                                                  cpi_json_str(it->same[j].name), "score", it->same[j].score,
                                                  "probability", it->same[j].prob ? json_real(it->same[j].prob / 1000.0)
                                                                                  : json_null(),
                                                  "note", "possibly the same person (review)"));
        json_object_set_new(o, "possibly_same", same);
        if (a->since != CPI_DAY_NONE) {
            json_t *refs = json_array();
            for (uint32_t j = 0; j < it->nnew_refs; j++)
                json_array_append_new(refs, json_string(it->new_refs[j]));
            json_object_set_new(o, "since", json_pack("{s:b, s:i, s:o, s:i, s:i}", "new", it->is_new, "records",
                                                      (int)it->new_records, "refs", refs, "score_then",
                                                      it->score_then, "change", it->score - it->score_then));
        }
        json_array_append_new(items, o);
    }
    return items;
}

json_t *cpi_agenda_json(const cpi_agenda *a)
{
    json_t *o = json_pack("{s:o, s:o, s:o, s:i, s:o}", "as_of", cpi_json_date(a->as_of), "area",
                          cpi_json_str(a->area), "since", cpi_json_date(a->since), "considered", (int)a->considered,
                          "children", items_json(a, a->items, a->n));
    if (a->since != CPI_DAY_NONE)
        json_object_set_new(o, "new", json_integer(a->nnew));
    if (a->area)
        json_object_set_new(o, "unplaced", json_pack("{s:i, s:o}", "total", (int)a->unplaced_total, "children",
                                                     items_json(a, a->unplaced, a->nunplaced)));
    return o;
}

static void items_text(const cpi_agenda *a, const cpi_agenda_item *list, uint32_t n, FILE *out, int w)
{
    char buf[2048];
    for (uint32_t i = 0; i < n; i++) {
        const cpi_agenda_item *it = &list[i];
        char lead[16], lm[CPI_NORM_ISO_DATE_MAX] = "never";
        if (it->last_meeting != CPI_DAY_NONE)
            cpi_norm_date_iso(it->last_meeting, lm);
        snprintf(lead, sizeof lead, "%3u. %3d", i + 1, it->score);
        size_t len = (size_t)snprintf(buf, sizeof buf, "%s%s (%s)%s%s; last discussed %s:",
                                      a->since != CPI_DAY_NONE && it->is_new ? "NEW " : "", it->name ? it->name : "?",
                                      it->id, it->dob ? " born " : "", it->dob ? it->dob : "", lm);
        for (uint32_t j = 0; j < it->nparts && len < sizeof buf; j++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %s +%d", j ? "," : "", it->parts[j].why,
                                    it->parts[j].points);
        if (a->since != CPI_DAY_NONE && len < sizeof buf) {
            if (it->is_new)
                len += (size_t)snprintf(buf + len, sizeof buf - len, ". Since then: %u new record%s (%s%s)",
                                        it->new_records, it->new_records == 1 ? "" : "s", it->new_refs[0],
                                        it->new_records > 1 ? ", ..." : "");
            if (len < sizeof buf && it->score != it->score_then)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%s score %d then, %+d", it->is_new ? ";" : ". Since then:",
                                        it->score_then, it->score - it->score_then);
        }
        cpi_text_wrap(out, w, lead, 10, buf);
        for (uint32_t j = 0; j < it->nsame; j++) {
            snprintf(buf, sizeof buf, "possibly the same person (review): %s (%s), scored %d on its own%s",
                     it->same[j].name ? it->same[j].name : "?", it->same[j].id, it->same[j].score,
                     it->same[j].prob ? "" : ", through another record");
            cpi_text_wrap(out, w, "          =", 12, buf);
        }
    }
}

void cpi_agenda_text(const cpi_agenda *a, FILE *out, int width)
{
    int w = width >= 40 ? width : 100;
    char d[CPI_NORM_ISO_DATE_MAX] = "?", sd[CPI_NORM_ISO_DATE_MAX] = "";
    if (a->as_of != CPI_DAY_NONE)
        cpi_norm_date_iso(a->as_of, d);
    if (a->since != CPI_DAY_NONE)
        cpi_norm_date_iso(a->since, sd);
    fprintf(out, "MACE AGENDA%s%s as of %s: %u of %u children scored (rule: docs/queries.md, 'cpindex agenda --help')\n",
            a->area ? " for " : "", a->area ? a->area : "", d, a->n, a->considered);
    if (a->since != CPI_DAY_NONE)
        fprintf(out, "%u of the children listed have records after the last meeting (%s), marked NEW\n", a->nnew, sd);
    items_text(a, a->items, a->n, out, w);
    if (a->area && a->unplaced_total) {
        fprintf(out, "\nAREA NOT KNOWN: %u children scored whose %s is not known (%s); the highest:\n",
                a->unplaced_total, a->area_kind == 1 ? "local authority" : "policing area",
                a->area_kind == 1 ? "no home on record" : "no home on record and never at MACE");
        items_text(a, a->unplaced, a->nunplaced, out, w);
    }
}
