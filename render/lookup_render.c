/*
 * lookup_render.c - a lookup's candidate list (query/lookup.h) written out:
 * as JSON (keys in lookup_render.h and docs/queries.md) and as text for a
 * person to choose one from, each candidate with what tells it apart.
 */
#include "render/lookup_render.h"

#include <stdio.h>
#include <string.h>

#include "core/normalise/normalise.h"
#include "graph/graphdb.h"
#include "render/render.h"

/* The warning flags as [{"code", "text"}] (for text, their labels joined: cpi_flag_labels). */
static void jmarkers(cpi_jw *w, uint64_t flags)
{
    cpi_jw_arr(w);
    uint64_t wf = cpi_lookup_warn_flags(flags);
    for (unsigned fl = 0; fl < CPI_EF__COUNT; fl++)
        if (wf & CPI_EF(fl)) {
            cpi_jw_obj(w);
            cpi_jw_kstr(w, "code", cpi_flag_info_get(fl)->name);
            cpi_jw_kstr(w, "text", cpi_flag_info_get(fl)->label);
            cpi_jw_obj_end(w);
        }
    cpi_jw_arr_end(w);
}

static void candidate_json(cpi_jw *w, const cpi_candidate *c)
{
    cpi_jw_obj(w);
    cpi_jw_kstr(w, "entity_id", c->entity_id);
    cpi_jw_kstr(w, "mention_ref", c->mention_ref);
    cpi_jw_kstr(w, "kind", cpi_kind_name(c->kind) ? cpi_kind_name(c->kind) : "?");
    cpi_jw_kstr(w, "type", c->type ? c->type : "?");
    cpi_jw_kstr(w, "name", c->name);
    cpi_jw_kstr(w, "dob", c->dob);
    cpi_jw_kstr(w, "home", c->home);
    cpi_jw_key(w, "flags");
    cpi_jw_flags(w, c->flags);
    cpi_jw_kint(w, "warnings", (int)c->warnings);
    cpi_jw_key(w, "markers");
    jmarkers(w, c->flags);
    cpi_jw_key(w, "sources");
    cpi_jw_sources(w, c->sources);
    cpi_jw_key(w, "first");
    cpi_jw_date(w, c->first);
    cpi_jw_kint(w, "mentions", (int)c->nmentions);
    cpi_jw_key(w, "last");
    cpi_jw_date(w, c->last);
    cpi_jw_kstr(w, "matched", c->matched ? c->matched : "");
    cpi_jw_key(w, "possibly_same_as");
    if (c->same_as) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", c->same_as);
        cpi_jw_kstr(w, "note", "possibly the same person (review)");
        cpi_jw_key(w, "probability");
        cpi_jw_prob(w, c->same_prob);
        cpi_jw_obj_end(w);
    } else
        cpi_jw_null(w);
    cpi_jw_obj_end(w);
}

void cpi_lookup_json_write(const cpi_lookup *l, const char *query, cpi_jw *w)
{
    cpi_jw_obj(w);
    cpi_jw_kstr(w, "query", query);
    cpi_jw_kstr(w, "query_kind", l->query_kind ? l->query_kind : "");
    cpi_jw_key(w, "candidates");
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < l->n; i++)
        candidate_json(w, &l->items[i]);
    cpi_jw_arr_end(w);
    cpi_jw_kint(w, "more", (int)l->more);
    cpi_jw_key(w, "differs");
    cpi_jw_refs(w, (const char *const *)l->differs, l->ndiffers);
    cpi_jw_kint(w, "withheld", (int)l->withheld);
    cpi_jw_key(w, "withheld_sources");
    cpi_jw_arr(w);
    for (int s = 0; s < CPI_SRC__COUNT; s++)
        if (l->withheld_sources & CPI_SRC_BIT(s)) {
            cpi_jw_obj(w);
            cpi_jw_kstr(w, "source", cpi_src_name((cpi_src)s));
            cpi_jw_kstr(w, "contact", l->contact[s] ? l->contact[s] : cpi_src_default_contact((cpi_src)s));
            cpi_jw_obj_end(w);
        }
    cpi_jw_arr_end(w);
    cpi_jw_kint(w, "elsewhere", (int)l->elsewhere);
    cpi_jw_kstr(w, "town", l->town);
    cpi_jw_obj_end(w);
}

/* "restricted information held: contact the MARAC coordinator (MARAC)" for a list's withheld candidates. */
static void withheld_line(const cpi_lookup *l, FILE *out)
{
    if (!l->withheld)
        return;
    fprintf(out, "\n  restricted information held: %u more candidate%s known only to ", l->withheld,
            l->withheld == 1 ? "" : "s");
    const char *sep = "";
    for (int s = 0; s < CPI_SRC__COUNT; s++)
        if (l->withheld_sources & CPI_SRC_BIT(s)) {
            fprintf(out, "%s%s", sep, cpi_src_label((cpi_src)s));
            sep = ", ";
        }
    fprintf(out, ": contact ");
    sep = "";
    for (int s = 0; s < CPI_SRC__COUNT; s++)
        if (l->withheld_sources & CPI_SRC_BIT(s)) {
            fprintf(out, "%s%s", sep, l->contact[s] ? l->contact[s] : cpi_src_default_contact((cpi_src)s));
            sep = " or ";
        }
    fputc('\n', out);
}

void cpi_lookup_text(const cpi_lookup *l, const char *query, FILE *out)
{
    if (l->n)
        fprintf(out, "'%s' (%s) matches %u%s candidates; pick one by its id:\n\n", query, l->query_kind, l->n,
                l->more ? "+" : "");
    else
        fprintf(out, "'%s' (%s): nothing you may see matches\n", query, l->query_kind);
    for (uint32_t i = 0; i < l->n; i++) {
        const cpi_candidate *c = &l->items[i];
        char src[64] = "", d1[CPI_NORM_ISO_DATE_MAX] = "?", d2[CPI_NORM_ISO_DATE_MAX] = "?", marks[512];
        size_t n = 0;
        for (int s = 0; s < CPI_SRC__COUNT; s++)
            if (c->sources & CPI_SRC_BIT(s))
                n += (size_t)snprintf(src + n, sizeof src - n, "%s%s", n ? "," : "", cpi_src_name((cpi_src)s));
        if (c->first != CPI_DAY_NONE)
            cpi_norm_date_iso(c->first, d1);
        if (c->last != CPI_DAY_NONE)
            cpi_norm_date_iso(c->last, d2);
        cpi_flag_labels(cpi_lookup_warn_flags(c->flags), ~(uint64_t)0, marks, sizeof marks);
        const char *same = c->kind == CPI_KIND_PERSON ? "person" : "place";
        if (i + 1 < l->n && l->items[i + 1].same_as && !c->same_as) /* a group starts: say so above it */
            fprintf(out, "  +- possibly the same %s (review): the next rows, until 'cpindex review' decides\n", same);
        const char *id = c->entity_id ? c->entity_id : c->mention_ref;
        const char *kind = cpi_kind_name(c->kind) ? cpi_kind_name(c->kind) : "?";
        char what[96]; /* "person, adult"; just "person" when its type says no more */
        snprintf(what, sizeof what, "%s%s%s", kind, c->type && strcmp(c->type, kind) ? ", " : "",
                 c->type && strcmp(c->type, kind) ? c->type : "");
        if (c->kind == CPI_KIND_PERSON)
            fprintf(out, "  %-10s %s, born %s - %s%s\n", id, c->name ? c->name : "?", c->dob ? c->dob : "unknown", what,
                    c->entity_id ? "" : "  [unresolved mention]");
        else
            fprintf(out, "  %-10s %s - %s%s\n", id, c->name ? c->name : "?", what,
                    c->entity_id ? "" : "  [unresolved mention]");
        char wl[600]; /* wrapped like every other text answer, so a long list of markers stays readable */
        snprintf(wl, sizeof wl, "%u%s%s", c->warnings, marks[0] ? " - " : "", marks);
        cpi_text_wrap(out, 100, "             warnings:", 15, wl);
        if (c->kind == CPI_KIND_PERSON)
            fprintf(out, "             home: %s\n", c->home ? c->home : "none recorded");
        else if (c->kind == CPI_KIND_LOCATION)
            fprintf(out, "             postcode: %s\n", c->home ? c->home : "none recorded");
        fprintf(out, "             %u mention%s in %s, %s..%s; matched by %s\n", c->nmentions,
                c->nmentions == 1 ? "" : "s", src, d1, d2, c->matched ? c->matched : "?");
        if (c->same_as)
            fprintf(out, "             possibly the same %s as %s (review)%s\n", same, c->same_as,
                    c->same_prob ? "" : ", through another candidate");
    }
    if (l->more)
        fprintf(out, "\n  ... and %u more: narrow the search (add --dob, the forename, the town or postcode)\n",
                l->more);
    if (l->elsewhere)
        fprintf(out, "\n  %u place%s of that address elsewhere left out: %s %s given\n", l->elsewhere,
                l->elsewhere == 1 ? "" : "s", l->town ? "the town" : "the town or postcode", l->town ? l->town : "");
    withheld_line(l, out);
    if (l->ndiffers) {
        fprintf(out, "\n  they differ in:");
        for (uint32_t i = 0; i < l->ndiffers; i++)
            fprintf(out, " %s", l->differs[i]);
        fputc('\n', out);
    }
}
