/*
 * agenda_render.c - a MACE meeting agenda (query/agenda.h) written out: as
 * JSON (keys in docs/queries.md) and as text, one child a line with the
 * rule's parts beside the score, then the children whose area is not known.
 */
#include "render/agenda_render.h"

#include <stdio.h>

#include "core/normalise/normalise.h"
#include "render/render.h"

static void items_json(cpi_jw *w, const cpi_agenda *a, const cpi_agenda_item *list, uint32_t n)
{
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n; i++) {
        const cpi_agenda_item *it = &list[i];
        cpi_jw_obj(w);
        cpi_jw_kint(w, "rank", (int)i + 1);
        cpi_jw_kstr(w, "entity_id", it->id);
        cpi_jw_kstr(w, "name", it->name);
        cpi_jw_kstr(w, "dob", it->dob);
        cpi_jw_kstr(w, "local_authority", it->la);
        cpi_jw_kstr(w, "area", it->area);
        cpi_jw_kint(w, "score", it->score);
        cpi_jw_key(w, "parts");
        cpi_jw_arr(w);
        for (uint32_t j = 0; j < it->nparts; j++) {
            cpi_jw_obj(w);
            cpi_jw_kint(w, "points", it->parts[j].points);
            cpi_jw_kstr(w, "why", it->parts[j].why);
            cpi_jw_obj_end(w);
        }
        cpi_jw_arr_end(w);
        cpi_jw_kbool(w, "discussed", it->discussed);
        cpi_jw_key(w, "last_meeting");
        cpi_jw_date(w, it->last_meeting);
        cpi_jw_key(w, "flags");
        cpi_jw_flags(w, it->flags);
        cpi_jw_key(w, "possibly_same");
        cpi_jw_arr(w);
        for (uint32_t j = 0; j < it->nsame; j++) {
            cpi_jw_obj(w);
            cpi_jw_kstr(w, "entity_id", it->same[j].id);
            cpi_jw_kstr(w, "name", it->same[j].name);
            cpi_jw_kint(w, "score", it->same[j].score);
            cpi_jw_key(w, "probability");
            cpi_jw_prob(w, it->same[j].prob);
            cpi_jw_kstr(w, "note", "possibly the same person (review)");
            cpi_jw_obj_end(w);
        }
        cpi_jw_arr_end(w);
        if (a->since != CPI_DAY_NONE) {
            cpi_jw_key(w, "since");
            cpi_jw_obj(w);
            cpi_jw_kbool(w, "new", it->is_new);
            cpi_jw_kint(w, "records", (int)it->new_records);
            cpi_jw_key(w, "refs");
            cpi_jw_refs(w, it->new_refs, it->nnew_refs);
            cpi_jw_kint(w, "score_then", it->score_then);
            cpi_jw_kint(w, "change", it->score - it->score_then);
            cpi_jw_obj_end(w);
        }
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
}

void cpi_agenda_json_write(const cpi_agenda *a, cpi_jw *w)
{
    cpi_jw_obj(w);
    cpi_jw_key(w, "as_of");
    cpi_jw_date(w, a->as_of);
    cpi_jw_kstr(w, "area", a->area);
    cpi_jw_key(w, "since");
    cpi_jw_date(w, a->since);
    cpi_jw_kint(w, "considered", (int)a->considered);
    cpi_jw_key(w, "children");
    items_json(w, a, a->items, a->n);
    if (a->since != CPI_DAY_NONE)
        cpi_jw_kint(w, "new", a->nnew);
    if (a->area) {
        cpi_jw_key(w, "unplaced");
        cpi_jw_obj(w);
        cpi_jw_kint(w, "total", (int)a->unplaced_total);
        cpi_jw_key(w, "children");
        items_json(w, a, a->unplaced, a->nunplaced);
        cpi_jw_obj_end(w);
    }
    cpi_jw_obj_end(w);
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
