/*
 * http_page.c - the HTML of the control-room page (see http_page.h). Every
 * value that comes from the store, the request or a command's output goes
 * through hp_esc; the only markup written raw is this file's own.
 */
#include "http_page.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "graph/graphdb.h"
#include "query/profile.h"
#include "render/profile_render.h"
#include "render/render.h"
#include "query_cli.h"

void hp_esc(FILE *f, const char *s, size_t n)
{
    if (!s)
        return;
    if (n == SIZE_MAX)
        n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        case '\0': break; /* a NUL in data would end the text a browser shows */
        default: fputc(s[i], f);
        }
    }
}

/* Shorthand for a whole NUL-terminated value. */
static void esc(FILE *f, const char *s) { hp_esc(f, s, SIZE_MAX); }

/* The style lives in the page (no second request, nothing to cache); no script anywhere. */
static const char STYLE[] =
    "body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#111}"
    "header{background:#0b2545;color:#fff;padding:.6em 1em;display:flex;justify-content:space-between;"
    "align-items:center}header h1{font-size:1.15em;margin:0}header form{display:inline}"
    "main{max-width:1100px;margin:0 auto;padding:1em}"
    "form.lookup{background:#fff;padding:1em;border-radius:6px;display:grid;"
    "grid-template-columns:auto 1fr;gap:.5em 1em;align-items:center}"
    "label{font-weight:600}input,select,button{font:inherit;padding:.35em}"
    "button{background:#0b2545;color:#fff;border:0;border-radius:4px;padding:.45em 1.2em;cursor:pointer}"
    ".notice{background:#fff3cd;border-left:5px solid #b8860b;padding:.6em 1em;margin:1em 0}"
    ".refused{background:#fde2e1;border-left-color:#b00020}"
    "section{background:#fff;border-radius:6px;margin:1em 0;padding:.5em 1em}"
    "section h2,section h3{margin:.3em 0;font-size:1.05em}"
    "section.warn{border-left:6px solid #b00020;background:#fff6f6}section.warn h3{color:#b00020}"
    "section.restricted{border-left:6px solid #6a1b9a;background:#f7f0fb}"
    "pre{white-space:pre-wrap;margin:.2em 0;font:14px/1.35 ui-monospace,monospace}"
    ".high{color:#b00020;font-weight:700}.med{color:#a15c00;font-weight:600}"
    "svg{max-width:100%;height:auto;background:#fff}"
    ".login{max-width:380px;margin:4em auto;background:#fff;padding:1.5em;border-radius:6px;display:grid;gap:.6em}"
    "small{color:#555}";

void hp_begin(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
          f);
    esc(f, title);
    fprintf(f, "</title><style>%s</style></head><body>\n", STYLE);
}

void hp_end(FILE *f) { fputs("</main></body></html>\n", f); }

void hp_login(FILE *f, const char *csrf, const char *msg)
{
    fputs("<main><form class=\"login\" method=\"post\" action=\"/login\">"
          "<h1>cpindex: child protection lookup</h1>",
          f);
    if (msg) {
        fputs("<div class=\"notice refused\" id=\"login-error\">", f);
        esc(f, msg);
        fputs("</div>", f);
    }
    fputs("<label for=\"user\">User name</label><input id=\"user\" name=\"user\" autocomplete=\"username\" "
          "required autofocus>"
          "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required>"
          "<input type=\"hidden\" name=\"csrf\" value=\"",
          f);
    esc(f, csrf);
    fputs("\"><button id=\"login\" type=\"submit\">Log in</button>"
          "<small>Every lookup is logged with your name and reason (Data Protection Act 2018, s.62).</small>"
          "</form>",
          f);
}

/* One <option>, selected when it is the form's kind. */
static void option(FILE *f, const char *value, const char *label, const char *kind)
{
    fprintf(f, "<option value=\"%s\"%s>%s</option>", value, kind && strcmp(kind, value) == 0 ? " selected" : "",
            label);
}

void hp_lookup_form(FILE *f, const hp_form *form)
{
    fputs("<header><h1>cpindex: what do we hold on this child, and who and what around them is a risk?</h1>"
          "<div>",
          f);
    esc(f, form->user);
    fputs(" <small style=\"color:#cde\">(", f);
    esc(f, form->roles);
    fputs(")</small>", f);
    if (form->logout) {
        fputs(" <form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"", f);
        esc(f, form->csrf);
        fputs("\"><button type=\"submit\" id=\"logout\">Log out</button></form>", f);
    }
    fputs("</div></header><main>\n<form class=\"lookup\" method=\"post\" action=\"/lookup\">"
          "<label for=\"kind\">Look up</label><span><select id=\"kind\" name=\"kind\">",
          f);
    option(f, "child", "child", form->kind);
    option(f, "person", "person", form->kind);
    option(f, "address", "address", form->kind);
    option(f, "phone", "phone", form->kind);
    fputs("</select> <input id=\"q\" name=\"q\" size=\"50\" required placeholder=\"a name, date of birth with "
          "--dob, an id (P-0000001), an address, a phone\" value=\"",
          f);
    esc(f, form->query);
    fputs("\"></span><label for=\"incident\">Incident number</label><input id=\"incident\" name=\"incident\" "
          "size=\"24\" placeholder=\"e.g. INC-20240605-0142\" value=\"",
          f);
    esc(f, form->incident);
    fputs("\"><label for=\"reason\">Reason (required)</label><input id=\"reason\" name=\"reason\" size=\"60\" "
          "placeholder=\"what you are doing and why, e.g. attending concern for welfare\" value=\"",
          f);
    esc(f, form->reason);
    fputs("\"><input type=\"hidden\" name=\"csrf\" value=\"", f);
    esc(f, form->csrf);
    fputs("\"><span></span><span><button id=\"go\" type=\"submit\">Look up</button> "
          "<small>logged with your name, the incident and the reason</small></span></form>\n",
          f);
    if (form->notice) {
        fputs("<div class=\"notice refused\" id=\"notice\">", f);
        esc(f, form->notice);
        fputs("</div>\n", f);
    }
}

/* Is the line a section heading of the text renderer ("WARNINGS", "RISKY PEOPLE LINKED - none")? */
static bool is_heading(const char *s, size_t n)
{
    size_t caps = 0, i = 0;
    while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || s[i] == ' ')) {
        caps += s[i] != ' ';
        i++;
    }
    return caps >= 3 && s[0] != ' ' && (i == n || s[i] == '-' || s[i] == '(' || (s[i] >= '0' && s[i] <= '9'));
}

/* Does s[i..] hold an entity id ("P-0000546") that starts a word? Its length, else 0. */
static size_t entity_id_at(const char *s, size_t n, size_t i)
{
    if (i + 9 > n || !(s[i] >= 'A' && s[i] <= 'Z') || s[i + 1] != '-')
        return 0;
    if (i > 0 && ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') || (s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
                  (s[i - 1] >= '0' && s[i - 1] <= '9') || s[i - 1] == ':'))
        return 0; /* inside a reference like niche:OCC-19-000123 */
    size_t d = 0;
    while (i + 2 + d < n && s[i + 2 + d] >= '0' && s[i + 2 + d] <= '9')
        d++;
    return d >= 5 && d <= 10 ? 2 + d : 0;
}

/*
 * One line of an answer, escaped, entity ids as links that fill the form (GET: no lookup runs). A warning's
 * level ("  !!" high, "  ! " medium) colours it and the lines it wraps onto (*cls carries it to them).
 */
static void answer_line(FILE *f, const char *s, size_t n, const char **carry)
{
    const char *cls = n >= 4 && memcmp(s, "  !!", 4) == 0 ? "high" : n >= 3 && memcmp(s, "  !", 3) == 0 ? "med" : NULL;
    if (!cls && *carry && n >= 5 && memcmp(s, "     ", 5) == 0)
        cls = *carry; /* the renderer wraps an item's text with a deeper indent */
    *carry = cls;
    if (cls)
        fprintf(f, "<span class=\"%s\">", cls);
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = entity_id_at(s, n, i);
        if (!l)
            continue;
        hp_esc(f, s + from, i - from);
        fprintf(f, "<a href=\"/?kind=%s&amp;q=", s[i] == 'L' ? "address" : "person");
        hp_esc(f, s + i, l);
        fputs("\">", f);
        hp_esc(f, s + i, l);
        fputs("</a>", f);
        i += l - 1;
        from = i + 1;
    }
    hp_esc(f, s + from, n - from);
    if (cls)
        fputs("</span>", f);
    fputc('\n', f);
}

/* Close the open section, if any. */
static void section_end(FILE *f, bool *open)
{
    if (*open)
        fputs("</pre></section>\n", f);
    *open = false;
}

void hp_answer(FILE *f, const char *out, size_t nout, const char *errs, size_t nerr, int status, const char *svg,
               size_t nsvg)
{
    /* the command's own messages first: a refusal or "nothing matches" is the answer */
    for (size_t i = 0; i < nerr;) {
        const char *nl = memchr(errs + i, '\n', nerr - i);
        size_t l = nl ? (size_t)(nl - errs - i) : nerr - i;
        if (l) {
            bool refused = memmem(errs + i, l, "refused", 7) != NULL;
            fprintf(f, "<div class=\"notice%s\">", refused || status >= 2 ? " refused" : "");
            hp_esc(f, errs + i, l);
            fputs("</div>\n", f);
        }
        i += l + 1;
    }
    if (!nout)
        return;
    fputs("<div id=\"answer\">\n", f);
    bool open = false, first = true, in_warnings = false;
    const char *carry = NULL; /* a warning's level, for the lines it wraps onto */
    /* the renderer says RESTRICTED in the subject's lines when a withheld source holds warnings; an officer
     * must then never read "WARNINGS - none" (issue 18): restricted information is held */
    bool warnings_withheld = memmem(out, nout, "RESTRICTED:", 11) && memmem(out, nout, "(warnings", 9);
    for (size_t i = 0; i < nout;) {
        const char *nl = memchr(out + i, '\n', nout - i);
        size_t l = nl ? (size_t)(nl - out - i) : nout - i;
        const char *s = out + i;
        i += l + 1;
        if (first && l) { /* the subject's line: who or what this is about */
            first = false;
            fputs("<section class=\"subject\"><h2>", f);
            hp_esc(f, s, l);
            fputs("</h2><pre>", f);
            open = true;
            continue;
        }
        if (l && is_heading(s, l)) {
            section_end(f, &open);
            if (in_warnings && nsvg) { /* the chart right under the warnings: seen without scrolling */
                hp_chart(f, svg, nsvg);
                nsvg = 0;
            }
            in_warnings = l >= 8 && memcmp(s, "WARNINGS", 8) == 0;
            bool warn = l >= 8 && memcmp(s, "WARNINGS", 8) == 0;
            bool none = memmem(s, l, " - none", 7) != NULL;
            fprintf(f, "<section class=\"%s\"><h3>", warn && (!none || warnings_withheld) ? "warn" : "plain");
            if (warn && none && warnings_withheld)
                fputs("WARNINGS - restricted information held: contact as the RESTRICTED line above says", f);
            else
                hp_esc(f, s, l);
            fputs("</h3><pre>", f);
            open = true;
            continue;
        }
        if (!l && !open)
            continue;
        if (!open) {
            fputs("<section class=\"plain\"><pre>", f);
            open = true;
        }
        if (l >= 13 && memmem(s, l, "RESTRICTED:", 11)) {
            fputs("</pre><div class=\"notice restricted\">", f);
            hp_esc(f, s, l);
            fputs("</div><pre>", f);
            continue;
        }
        answer_line(f, s, l, &carry);
    }
    section_end(f, &open);
    hp_chart(f, svg, nsvg); /* no section after the warnings: at the end */
    fputs("</div>\n", f);
}

void hp_chart(FILE *f, const char *svg, size_t n)
{
    if (!n)
        return;
    fputs("<section class=\"chart\" id=\"chart\"><h3>LINK CHART</h3>"
          "<small>the child (blue), the people posing a risk and the places linked to them, as this answer "
          "holds them; red: recorded risk, amber: suspect only, grey: no risk recorded</small>\n",
          f);
    fwrite(svg, 1, n, f); /* written by chart_svg below, every value in it escaped */
    fputs("</section>\n", f);
}

/* ------------------------------------------------------------------ the child's link chart */

#define CHART_MAX 14 /* nodes around the child: a chart an officer reads at a glance */
#define CHART_W 960
#define CHART_H 560

/* Write at most max bytes of s, escaped, cut at a UTF-8 character boundary with an ellipsis. */
static void esc_cut(FILE *f, const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n <= max) {
        esc(f, s);
        return;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    hp_esc(f, s, max);
    fputs("\xE2\x80\xA6", f);
}

/* A person's risk for the chart's colour: a risk recorded by a silo, or only being an occurrence suspect. */
static const char *person_style(uint64_t flags)
{
    uint64_t strong = CPI_EF_RISKY & ~CPI_EF(CPI_EF_SUSPECT);
    return flags & strong ? "#b00020" : flags & CPI_EF(CPI_EF_SUSPECT) ? "#e08a00" : "#8a8f98";
}

typedef struct chart_node {
    const char *id, *name, *color;
    uint64_t flags;
    bool place;
    double x, y;
} chart_node;

/*
 * The chart: the child at the centre, the risky people and places around it
 * on one circle (a radial layout needs no solver and cannot overlap the
 * centre), an edge from the child to each, and from a person to a place the
 * profile says they live at or operate from.
 */
static void chart_svg(FILE *f, const cpi_profile *p)
{
    chart_node nodes[CHART_MAX];
    uint32_t n = 0, left = 0;
    uint32_t np = p->nrisky_people, nl = p->nplaces;
    uint32_t take_p = np < CHART_MAX / 2 ? np : CHART_MAX / 2;
    if (nl < CHART_MAX - take_p && np > take_p) /* room left by few places goes to people */
        take_p = np < CHART_MAX - nl ? np : CHART_MAX - nl;
    for (uint32_t i = 0; i < np; i++) {
        if (i >= take_p) {
            left++;
            continue;
        }
        const cpi_pf_person *r = &p->risky_people[i];
        nodes[n++] = (chart_node){r->id, r->name, person_style(r->flags), r->flags, false, 0, 0};
    }
    for (uint32_t i = 0; i < nl; i++) {
        if (n >= CHART_MAX) {
            left++;
            continue;
        }
        const cpi_pf_place *pl = &p->places[i];
        nodes[n++] = (chart_node){pl->id, pl->name, pl->flags & CPI_EF_PLACE_RISK ? "#b00020" : "#8a8f98",
                                  pl->flags, true, 0, 0};
    }
    double cx = CHART_W / 2.0, cy = CHART_H / 2.0, rad = 290;
    for (uint32_t i = 0; i < n; i++) {
        double a = -M_PI / 2 + 2 * M_PI * i / (n ? n : 1);
        nodes[i].x = cx + rad * cos(a);
        nodes[i].y = cy + rad * 0.78 * sin(a);
    }
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
               "role=\"img\" aria-label=\"link chart\" font-family=\"sans-serif\" font-size=\"12\">\n",
            CHART_W, CHART_H, CHART_W, CHART_H);
    fputs("<style>text{paint-order:stroke;stroke:#fff;stroke-width:3px}</style>\n", f); /* labels over lines */
    /* edges first, so nodes sit on top */
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"2\"/>\n", cx,
                cy, nodes[i].x, nodes[i].y, nodes[i].color);
    for (uint32_t i = 0; i < n && i < take_p; i++) {
        const cpi_pf_person *r = &p->risky_people[i];
        for (uint32_t a = 0; a < r->naddresses; a++)
            for (uint32_t j = take_p; j < n; j++)
                if (r->address_ids[a] && strcmp(r->address_ids[a], nodes[j].id) == 0)
                    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#555\" "
                               "stroke-dasharray=\"4 3\"/>\n",
                            nodes[i].x, nodes[i].y, nodes[j].x, nodes[j].y);
    }
    for (uint32_t i = 0; i < n; i++) {
        char why[600];
        cpi_flag_labels(nodes[i].flags, UINT64_MAX, why, sizeof why);
        fputs("<g class=\"node\"><title>", f);
        esc(f, nodes[i].name);
        fputs(" (", f);
        esc(f, nodes[i].id);
        fputs(")", f);
        if (why[0]) {
            fputs(": ", f);
            esc(f, why);
        }
        fputs("</title>", f);
        if (nodes[i].place)
            fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"22\" height=\"22\" rx=\"3\" fill=\"%s\"/>",
                    nodes[i].x - 11, nodes[i].y - 11, nodes[i].color);
        else
            fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"12\" fill=\"%s\"/>", nodes[i].x, nodes[i].y,
                    nodes[i].color);
        /* labels point away from the centre: to the side for nodes left and right, above or below the rest */
        double dx = nodes[i].x - cx, tx = nodes[i].x, ty;
        const char *anchor = "middle";
        if (dx < -60 || dx > 60) {
            anchor = dx < 0 ? "end" : "start";
            tx += dx < 0 ? -17 : 17;
            ty = nodes[i].y - 2;
        } else {
            ty = nodes[i].y + (nodes[i].y >= cy ? 28 : -30);
        }
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"%s\">", tx, ty, anchor);
        esc_cut(f, nodes[i].name, 24);
        fputs("</text>", f);
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"%s\" fill=\"#555\" font-size=\"10\">", tx, ty + 12,
                anchor);
        esc(f, nodes[i].id);
        fputs("</text></g>\n", f);
    }
    /* the child last: highlighted, on top of every line */
    fprintf(f, "<g class=\"subject\"><circle cx=\"%.0f\" cy=\"%.0f\" r=\"24\" fill=\"#1565c0\" stroke=\"#ffd600\" "
               "stroke-width=\"5\"/><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" font-weight=\"bold\" "
               "font-size=\"14\">",
            cx, cy, cx, cy + 44);
    esc_cut(f, p->name, 40);
    fprintf(f, "</text><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"11\">", cx, cy + 58);
    esc(f, p->entity_id);
    fputs("</text></g>\n", f);
    if (left)
        fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#555\">%u more not drawn (see the lists above)</text>\n",
                CHART_H - 10, left);
    if (!n)
        fprintf(f, "<text x=\"10\" y=\"20\" fill=\"#555\">no risky people or places linked in this answer</text>\n");
    fputs("</svg>\n", f);
}

static FILE *chart_out;

void hp_chart_sink(FILE *f) { chart_out = f; }

static void chart_json_write(const cpi_desk_answer *a, cpi_jw *w) { cpi_profile_json_write(&a->profile, w); }

/* The answer's text as the CLI prints it, and the chart beside it: both after the consultation was logged. */
static void chart_text(const cpi_desk_answer *a, FILE *out, int width)
{
    cpi_profile_text(&a->profile, out, width);
    if (chart_out)
        chart_svg(chart_out, &a->profile);
}

/* As `cpindex child` says it: someone not recorded as a child is shown all the same, with a note. */
static void chart_note(const cpi_desk_answer *a)
{
    if (!a->profile.is_child)
        fprintf(stderr, "cpindex child: %s is not recorded as a child; showing what is held on them\n", a->entity_id);
}

int hp_child_chart_command(cli_ctx *ctx, int argc, char **argv)
{
    const query_answer a = {CPI_DESK_CHILD, false, chart_text, chart_note, chart_json_write};
    return query_command(ctx, cli_find("child"), argc, argv, &a);
}
