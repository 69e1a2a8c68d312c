/* render.c - JSON values (streamed, render/jsonw.h) and text lines shared by the query renderers (see render.h). */
#include "render/render.h"

#include <string.h>

#include "core/normalise/normalise.h"

/* ------------------------------------------------------------------ JSON, streamed */

void cpi_jw_date(cpi_jw *w, int32_t day)
{
    if (day == CPI_DAY_NONE) {
        cpi_jw_null(w);
        return;
    }
    char iso[CPI_NORM_ISO_DATE_MAX];
    cpi_norm_date_iso(day, iso);
    cpi_jw_str(w, iso);
}

void cpi_jw_sources(cpi_jw *w, uint32_t mask)
{
    cpi_jw_arr(w);
    for (int s = 0; s < CPI_SRC__COUNT; s++)
        if (mask & CPI_SRC_BIT(s))
            cpi_jw_str(w, cpi_src_name((cpi_src)s));
    cpi_jw_arr_end(w);
}

void cpi_jw_flags(cpi_jw *w, uint64_t flags)
{
    cpi_jw_arr(w);
    for (unsigned f = 0; f < CPI_EF__COUNT; f++)
        if (flags & CPI_EF(f))
            cpi_jw_str(w, cpi_flag_info_get(f)->name);
    cpi_jw_arr_end(w);
}

void cpi_jw_reasons(cpi_jw *w, uint64_t flags)
{
    cpi_jw_arr(w);
    for (unsigned f = 0; f < CPI_EF__COUNT; f++)
        if (flags & CPI_EF(f) & CPI_EF_RISKY) {
            const cpi_flag_info *fi = cpi_flag_info_get(f);
            cpi_jw_obj(w);
            cpi_jw_kstr(w, "code", fi->name);
            cpi_jw_kstr(w, "text", fi->label);
            cpi_jw_kstr(w, "source", cpi_src_name(fi->source));
            cpi_jw_obj_end(w);
        }
    cpi_jw_arr_end(w);
}

void cpi_jw_refs(cpi_jw *w, const char *const *refs, uint32_t n)
{
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n; i++)
        cpi_jw_str(w, refs[i]);
    cpi_jw_arr_end(w);
}

void cpi_jw_link(cpi_jw *w, const cpi_pf_link *l)
{
    cpi_jw_obj(w);
    cpi_jw_kstr(w, "type", l->type);
    cpi_jw_kstr(w, "direction", l->out ? "out" : "in");
    cpi_jw_kbool(w, "current", l->current);
    cpi_jw_key(w, "first");
    cpi_jw_date(w, l->first);
    cpi_jw_key(w, "last");
    cpi_jw_date(w, l->last);
    cpi_jw_kint(w, "count", (int)l->count);
    cpi_jw_kint(w, "times", (int)l->times);
    cpi_jw_key(w, "sources");
    cpi_jw_sources(w, l->sources);
    cpi_jw_key(w, "refs");
    cpi_jw_refs(w, l->refs, l->nrefs);
    if (l->via_id) {
        cpi_jw_key(w, "via");
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", l->via_id);
        cpi_jw_kstr(w, "name", l->via_name);
        cpi_jw_obj_end(w);
    }
    cpi_jw_obj_end(w);
}

void cpi_jw_links(cpi_jw *w, const cpi_pf_link *l, uint32_t n)
{
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n; i++)
        cpi_jw_link(w, &l[i]);
    cpi_jw_arr_end(w);
}

void cpi_jw_warnings(cpi_jw *w, const cpi_pf_warning *wn, uint32_t n)
{
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n; i++) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "code", wn[i].code);
        cpi_jw_kstr(w, "text", wn[i].text);
        cpi_jw_kstr(w, "level", wn[i].level == 3 ? "high" : wn[i].level == 2 ? "medium" : "info");
        cpi_jw_kstr(w, "source", cpi_src_name(wn[i].source));
        cpi_jw_key(w, "date");
        cpi_jw_date(w, wn[i].day);
        cpi_jw_key(w, "end");
        cpi_jw_date(w, wn[i].end);
        cpi_jw_key(w, "refs");
        cpi_jw_refs(w, wn[i].refs, wn[i].nrefs);
        cpi_jw_kbool(w, "own", wn[i].own);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
}

void cpi_jw_gaps(cpi_jw *w, const cpi_pf_gap *g, uint32_t n)
{
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n; i++) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "code", g[i].code);
        cpi_jw_kstr(w, "text", g[i].text);
        cpi_jw_kstr(w, "source", cpi_src_name(g[i].source));
        cpi_jw_key(w, "refs");
        cpi_jw_refs(w, g[i].refs, g[i].nrefs);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
}

void cpi_jw_withheld(cpi_jw *w, const cpi_pf_withheld *wh, uint32_t n)
{
    cpi_jw_arr(w);
    for (uint32_t i = 0; i < n; i++) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "section", wh[i].section);
        cpi_jw_kstr(w, "source", cpi_src_name(wh[i].source));
        cpi_jw_kint(w, "items", (int)wh[i].items);
        cpi_jw_kstr(w, "contact", wh[i].contact);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
}

void cpi_jw_person_reach(cpi_jw *w, const cpi_pf_person *p)
{
    cpi_jw_key(w, "phones");
    cpi_jw_refs(w, (const char *const *)p->phones, p->nphones);
    cpi_jw_key(w, "addresses");
    cpi_jw_arr(w);
    for (uint32_t j = 0; j < p->naddresses; j++) {
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "entity_id", p->address_ids[j]);
        cpi_jw_kstr(w, "type", p->address_types[j]);
        cpi_jw_kstr(w, "address", p->address_names[j]);
        cpi_jw_key(w, "flags");
        cpi_jw_flags(w, p->address_flags[j]);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
}

void cpi_jw_gaps_withheld(cpi_jw *w, const cpi_pf_gap *g, uint32_t ng, const cpi_pf_withheld *wh, uint32_t nwh)
{
    cpi_jw_key(w, "gaps");
    cpi_jw_gaps(w, g, ng);
    cpi_jw_key(w, "withheld");
    cpi_jw_withheld(w, wh, nwh);
}

void cpi_jw_prob(cpi_jw *w, uint32_t thousandths)
{
    if (thousandths)
        cpi_jw_real(w, thousandths / 1000.0);
    else
        cpi_jw_null(w);
}

/* ------------------------------------------------------------------ text */

/* Display columns of n bytes of UTF-8: one per code point (continuation bytes take none). */
static int text_columns(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Bytes of s holding at most cols columns, never ending inside a character. */
static size_t bytes_for_columns(const char *s, size_t n, int cols)
{
    size_t i = 0;
    int c = 0;
    while (i < n) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (c == cols)
                break;
            c++;
        }
        i++;
    }
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/*
 * Words are kept whole where they fit; a word wider than a whole line (a long
 * reference, an address written without spaces) is cut across lines, so no
 * line ever passes width: an officer's terminal never wraps it for us.
 * Columns are counted per character, not per byte (Welsh names: ŵ, ŷ).
 */
void cpi_text_wrap(FILE *f, int width, const char *lead, int indent, const char *text)
{
    if (indent >= width)
        indent = width / 2;
    fputs(lead, f);
    int col = text_columns(lead, strlen(lead));
    bool line_start = col == 0;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        size_t wb = (size_t)(e - p);
        int wl = text_columns(p, wb);
        if (!line_start && col + 1 + wl > width && col > indent) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
            line_start = true;
        }
        while (col + (line_start ? 0 : 1) + wl > width && wl > 0) { /* wider than any line: cut it */
            int room = width - col - (line_start ? 0 : 1);
            if (room > 0) {
                if (!line_start)
                    fputc(' ', f);
                size_t k = bytes_for_columns(p, wb, room);
                fwrite(p, 1, k, f);
                p += k;
                wb -= k;
                wl = text_columns(p, wb);
                col += room + (line_start ? 0 : 1);
                line_start = false;
                if (!wl)
                    break;
            }
            fprintf(f, "\n%*s", indent, "");
            col = indent;
            line_start = true;
        }
        if (!wb) {
            p = e;
            continue;
        }
        if (!line_start) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, wb, f);
        col += wl;
        line_start = false;
        p = e;
    }
    fputc('\n', f);
}

void cpi_text_span(char *out, size_t cap, int32_t first, int32_t last)
{
    char a[CPI_NORM_ISO_DATE_MAX], b[CPI_NORM_ISO_DATE_MAX];
    if (first == CPI_DAY_NONE) {
        snprintf(out, cap, "undated");
        return;
    }
    cpi_norm_date_iso(first, a);
    cpi_norm_date_iso(last == CPI_DAY_NONE ? first : last, b);
    if (strcmp(a, b) == 0)
        snprintf(out, cap, "%s", a);
    else
        snprintf(out, cap, "%s..%s", a, b);
}

void cpi_text_place_marks(uint64_t flags, char *out, size_t cap)
{
    char fl[400];
    cpi_flag_labels(flags, CPI_EF_PLACE_MARKS, fl, sizeof fl);
    snprintf(out, cap, "%s%s%s", fl[0] ? " [" : "", fl, fl[0] ? "]" : "");
}

void cpi_text_heading(FILE *f, const char *title, uint32_t n) { fprintf(f, "\n%s%s\n", title, n ? "" : " - none"); }

/*
 * "contact the MARAC coordinator (MARAC) or ..." for every source something was withheld from, into out:
 * the words an officer needs when a list is empty or short only because of their role.
 */
static bool held_contacts(const cpi_pf_withheld *wh, uint32_t nwh, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
    for (int src = 0; src < CPI_SRC__COUNT; src++)
        for (uint32_t i = 0; i < nwh; i++)
            if (wh[i].source == (cpi_src)src && wh[i].items) {
                if (k < cap)
                    k += (size_t)snprintf(out + k, cap - k, "%s%s (%s)", k ? " or " : "contact ", wh[i].contact,
                                          cpi_src_label((cpi_src)src));
                break;
            }
    return k > 0;
}

void cpi_text_warnings(FILE *f, int width, const cpi_pf_warning *w, uint32_t n, const cpi_pf_withheld *wh,
                       uint32_t nwh)
{
    char buf[1400], held[600];
    /* never "none" when the role hid something: that would be false; say what is held and whom to ask */
    bool restricted = held_contacts(wh, nwh, held, sizeof held);
    if (n == 0 && restricted) {
        snprintf(buf, sizeof buf, "WARNINGS - restricted information held: %s", held);
        fputc('\n', f);
        cpi_text_wrap(f, width, "", 2, buf);
        return;
    }
    cpi_text_heading(f, "WARNINGS", n);
    if (restricted) { /* first: what is withheld may be the most serious of them */
        snprintf(buf, sizeof buf, "restricted information held: %s", held);
        cpi_text_wrap(f, width, "  !!", 6, buf);
    }
    for (uint32_t i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "%s [%s%s%s]", w[i].text, cpi_src_name(w[i].source), w[i].nrefs ? " " : "",
                 w[i].nrefs ? w[i].refs[0] : "");
        cpi_text_wrap(f, width, w[i].level == 3 ? "  !!" : w[i].level == 2 ? "  ! " : "  - ", 6, buf);
    }
}

void cpi_text_gaps(FILE *f, int width, const cpi_pf_gap *g, uint32_t n)
{
    if (!n)
        return;
    cpi_text_heading(f, "GAPS (held somewhere, not acted on or not shared)", n);
    for (uint32_t i = 0; i < n; i++)
        cpi_text_wrap(f, width, "  ? ", 6, g[i].text);
}

void cpi_text_withheld(FILE *f, int width, const cpi_pf_withheld *w, uint32_t n)
{
    /* one line per source: what kinds of thing it holds, and whom to ask */
    for (int src = 0; src < CPI_SRC__COUNT; src++) {
        char buf[768];
        size_t k = 0;
        const char *contact = NULL;
        for (uint32_t i = 0; i < n && k < sizeof buf; i++) {
            if (w[i].source != (cpi_src)src)
                continue;
            contact = w[i].contact;
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s %u", k ? ", " : "", w[i].section, w[i].items);
        }
        if (!contact)
            continue;
        char line[1024];
        snprintf(line, sizeof line, "%s holds more (%s): ask %s", cpi_src_name((cpi_src)src), buf, contact);
        cpi_text_wrap(f, width, "  RESTRICTED:", 4, line);
    }
}

/* XML text: the five special characters escaped, control characters (not allowed in XML 1.0) dropped. */
void cpi_xml_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            if (c >= 0x20 || c == '\t')
                fputc(c, f);
        }
    }
}

