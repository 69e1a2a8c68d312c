/*
 * timeline_svg.c - a person's records as an SVG time line (see
 * timeline_svg.h). Fixed geometry: 1200 pixels wide, a 150-pixel label
 * column, a lane per source 56 pixels high; marks falling on the same spot
 * are stacked within their lane so none hides another.
 */
#include "render/timeline_svg.h"

#include <stdlib.h>
#include <string.h>

#include "core/normalise/normalise.h"
#include "render/render.h"
#include "core/source.h"

#define W 1200
#define LEFT 150
#define RIGHT 30
#define TOP 84
#define LANE 56
#define MARK 5
#define LISTED 15

/* Colours per source, readable on white and apart from each other. */
static const char *src_colour(cpi_src s)
{
    static const char *const c[] = {"#1f78b4", "#6a3d9a", "#33a02c", "#b15928", "#e31a1c", "#ff7f00"};
    return (unsigned)s < sizeof c / sizeof c[0] ? c[s] : "#666666";
}


/* XML text cut to at most max characters (not bytes), with "..." when cut: a list line stays on the picture. */
static void xml_cut(FILE *f, const char *s, int max)
{
    char buf[512];
    int cols = 0;
    size_t i = 0;
    for (; s && s[i] && i + 4 < sizeof buf; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++cols > max)
            break;
        buf[i] = s[i];
    }
    buf[i] = '\0';
    cpi_xml_text(f, buf);
    if (s && s[i])
        fputs("...", f);
}

/* Whether a record is a missing episode (a MIRAF form, a Niche missing occurrence): drawn in red. */
static bool missing_event(const cpi_pf_event *e)
{
    return (e->type && strstr(e->type, "miraf")) || (e->summary && strcasestr(e->summary, "missing") != NULL);
}

/* A day as yyyy-mm-dd, or "undated": a record without a date is listed, never dropped. */
static void iso(int32_t day, char out[CPI_NORM_ISO_DATE_MAX])
{
    if (day == CPI_DAY_NONE)
        snprintf(out, CPI_NORM_ISO_DATE_MAX, "undated");
    else
        cpi_norm_date_iso(day, out);
}

int cpi_timeline_svg(const cpi_profile *p, FILE *out)
{
    /* the lanes: the sources with a dated record, in the sources' order */
    int lane_of[CPI_SRC__COUNT], nlanes = 0;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    uint32_t undated = 0;
    for (int s = 0; s < CPI_SRC__COUNT; s++)
        lane_of[s] = -1;
    for (uint32_t i = 0; i < p->ntimeline; i++) {
        const cpi_pf_event *e = &p->timeline[i];
        if (e->day == CPI_DAY_NONE) {
            undated++;
            continue;
        }
        if (lane_of[e->source] < 0)
            lane_of[e->source] = 0;
        lo = e->day < lo ? e->day : lo;
        hi = e->day > hi ? e->day : hi;
    }
    for (int s = 0; s < CPI_SRC__COUNT; s++)
        if (lane_of[s] == 0)
            lane_of[s] = ++nlanes - 1;
    if (lo > hi) /* nothing dated */
        lo = hi = 0;
    /* whole years either side, so the first and last marks are not on the edge */
    int y0, m0, d0, y1, m1, d1;
    char a[CPI_NORM_ISO_DATE_MAX], b[CPI_NORM_ISO_DATE_MAX];
    iso(lo, a);
    iso(hi, b);
    if (sscanf(a, "%d-%d-%d", &y0, &m0, &d0) != 3 || sscanf(b, "%d-%d-%d", &y1, &m1, &d1) != 3)
        y0 = y1 = 2000;
    int32_t from = cpi_norm_days_from_ymd(y0, 1, 1), to = cpi_norm_days_from_ymd(y1 + 1, 1, 1);
    if (to <= from)
        to = from + 365;
    int lanes_h = (nlanes ? nlanes : 1) * LANE;
    uint32_t listed = p->ntimeline < LISTED ? p->ntimeline : LISTED;
    int list_top = TOP + lanes_h + 50;
    int height = list_top + 24 + (int)listed * 18 + 40;

    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
                 "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            W, height, W, height);
    char span[64];
    cpi_norm_date_iso(lo, a);
    fprintf(out, "<text x=\"20\" y=\"30\" font-size=\"18\" font-weight=\"bold\">Timeline: ");
    cpi_xml_text(out, p->entity_id);
    fputs(" ", out);
    cpi_xml_text(out, p->name ? p->name : "(no name)");
    if (p->dob) {
        fputs(", born ", out);
        cpi_xml_text(out, p->dob);
    }
    fputs("</text>\n", out);
    iso(hi, b);
    snprintf(span, sizeof span, "%s to %s", p->ntimeline > undated ? a : "-", p->ntimeline > undated ? b : "-");
    fprintf(out, "<text x=\"20\" y=\"52\" fill=\"#444\">%u records, %s%s%s; red marks: missing episodes; hover "
                 "over a mark for the record</text>\n",
            p->ntimeline, span, undated ? ", undated: " : "", undated ? "listed below" : "");
    for (uint32_t i = 0; i < p->nwithheld; i++) { /* say what is left out, and whom to ask: once per source */
        bool seen = false;
        for (uint32_t j = 0; j < i; j++)
            seen |= p->withheld[j].source == p->withheld[i].source;
        if (seen)
            continue;
        fprintf(out, "<text x=\"%d\" y=\"52\" text-anchor=\"end\" fill=\"#a50026\">%s withheld: ask ", W - RIGHT,
                cpi_src_name(p->withheld[i].source));
        cpi_xml_text(out, p->withheld[i].contact);
        fputs("</text>\n", out);
        break; /* one line of room; the rest are in the profile */
    }

    /* years */
    int plot_w = W - LEFT - RIGHT;
    for (int y = y0; y <= y1 + 1; y++) {
        int32_t d = cpi_norm_days_from_ymd(y, 1, 1);
        int x = LEFT + (int)((int64_t)(d - from) * plot_w / (to - from));
        fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#dddddd\"/>\n", x, TOP - 6, x,
                TOP + lanes_h);
        if (y <= y1)
            fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#666\">%d</text>\n", x + 4, TOP - 10, y);
    }
    /* lanes */
    for (int s = 0; s < CPI_SRC__COUNT; s++) {
        if (lane_of[s] < 0)
            continue;
        int y = TOP + lane_of[s] * LANE;
        uint32_t count = 0;
        for (uint32_t i = 0; i < p->ntimeline; i++)
            count += p->timeline[i].source == (cpi_src)s && p->timeline[i].day != CPI_DAY_NONE;
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" fill-opacity=\"0.05\"/>\n"
                     "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbbbbb\"/>\n"
                     "<text x=\"20\" y=\"%d\" font-weight=\"bold\" fill=\"%s\">%s</text>\n"
                     "<text x=\"20\" y=\"%d\" fill=\"#666\">%u record%s</text>\n",
                LEFT, y, plot_w, LANE, src_colour((cpi_src)s), LEFT, y + LANE, W - RIGHT, y + LANE,
                y + 24, src_colour((cpi_src)s), cpi_src_name((cpi_src)s), y + 40, count, count == 1 ? "" : "s");
    }
    /* marks, stacked where they would fall on one another */
    int *used = calloc((size_t)plot_w + 1, sizeof *used * (size_t)CPI_SRC__COUNT);
    for (uint32_t i = 0; i < p->ntimeline; i++) {
        const cpi_pf_event *e = &p->timeline[i];
        if (e->day == CPI_DAY_NONE || lane_of[e->source] < 0)
            continue;
        int x = LEFT + (int)((int64_t)(e->day - from) * plot_w / (to - from));
        int slot = 0;
        if (used) {
            int bucket = (x - LEFT) / (2 * MARK + 1);
            int *u = &used[e->source * (plot_w + 1) + bucket];
            slot = (*u)++;
        }
        int rows = (LANE - 8) / (2 * MARK + 2); /* marks per column before they overlap */
        int k = slot % rows, off = (k + 1) / 2 * (k % 2 ? -1 : 1); /* the centre, then above, below, ... */
        int y = TOP + lane_of[e->source] * LANE + LANE / 2 + off * (2 * MARK + 2);
        char d[CPI_NORM_ISO_DATE_MAX];
        iso(e->day, d);
        bool miss = missing_event(e);
        if (miss)
            fprintf(out, "<path d=\"M%d %d l%d %d l%d 0 z\" fill=\"#d7191c\" stroke=\"#7f0000\">", x, y - MARK - 1,
                    MARK + 1, 2 * MARK + 2, -2 * MARK - 2);
        else
            fprintf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"%d\" fill=\"%s\" fill-opacity=\"0.85\" stroke=\"white\">", x,
                    y, MARK, src_colour(e->source));
        fprintf(out, "<title>%s ", d);
        cpi_xml_text(out, e->summary ? e->summary : e->type);
        fputs(" (", out);
        cpi_xml_text(out, e->ref);
        fputs(")</title>", out);
        fputs(miss ? "</path>\n" : "</circle>\n", out);
    }
    free(used);

    /* the latest records, as text: a picture is read, not hovered, in a case file */
    fprintf(out, "<text x=\"20\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">Latest records (newest first%s",
            list_top, p->ntimeline > listed ? "; every record: cpindex child " : "");
    if (p->ntimeline > listed) {
        cpi_xml_text(out, p->entity_id);
        fputs(" --full", out);
    }
    fputs(")</text>\n", out);
    for (uint32_t i = 0; i < listed; i++) {
        const cpi_pf_event *e = &p->timeline[i];
        char d[CPI_NORM_ISO_DATE_MAX];
        iso(e->day, d);
        int y = list_top + 24 + (int)i * 18;
        fprintf(out, "<text x=\"20\" y=\"%d\"><tspan fill=\"#666\">%s</tspan> <tspan font-weight=\"bold\" "
                     "fill=\"%s\">%s</tspan> ",
                y, d, src_colour(e->source), cpi_src_name(e->source));
        xml_cut(out, e->summary ? e->summary : e->type, 120);
        fputs(" <tspan fill=\"#666\">", out);
        cpi_xml_text(out, e->ref);
        fputs("</tspan></text>\n", out);
    }
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}
