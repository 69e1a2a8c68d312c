/*
 * address_screen.c - the one-screen brief place report (see
 * address_screen.h), on the same fit as the child's (render/screen.h).
 */
#include "render/address_screen.h"

#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "render/screen.h"

static void render_header(FILE *f, int width, const void *arg)
{
    const cpi_place_report *r = arg;
    char line[1024], fl[512];
    cpi_flag_labels(r->flags, ~(uint64_t)0, fl, sizeof fl);
    snprintf(line, sizeof line, "PLACE %s  %s%s%s%s%s", r->entity_id, r->name ? r->name : "?",
             r->postcode ? ", " : "", r->postcode ? r->postcode : "", fl[0] ? " - " : "", fl);
    cpi_text_wrap(f, width, "", 2, line);
}

static void render_withheld(FILE *f, int width, const void *arg)
{
    const cpi_place_report *r = arg;
    cpi_text_withheld(f, width, r->withheld, r->nwithheld);
}

/* Lines the header or the restricted notes take when wrapped (they must be read whole). */
static int counted(const cpi_place_report *r, int width, bool header)
{
    return cpi_scr_lines_of(header ? render_header : render_withheld, r, width, 4);
}

/* The last line: the command for everything (cpi_scr_footer). Returns the lines. */
static int footer(FILE *f, const cpi_place_report *r, int width)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "cpindex address %s --full)", r->entity_id);
    return cpi_scr_footer(f, width, "(everything held:", cmd);
}

/* The people lists: risky people, children, other residents. */
static const cpi_place_person *people(const cpi_place_report *r, int sec, uint32_t *n)
{
    *n = sec == CPI_ASCR_RISKY ? r->nrisky_people : sec == CPI_ASCR_CHILDREN ? r->nchildren : r->nresidents;
    return sec == CPI_ASCR_RISKY ? r->risky_people : sec == CPI_ASCR_CHILDREN ? r->children : r->residents;
}

/* Item i of list sec as one line's text, and its lead: one function for the fit and the print. */
static void item_text(const cpi_place_report *r, int sec, uint32_t i, char *buf, size_t cap, char *lead, size_t lcap)
{
    buf[0] = lead[0] = '\0';
    if (sec == CPI_ASCR_WARNINGS) {
        const cpi_pf_warning *x = &r->warnings[i];
        snprintf(lead, lcap, "%s", x->level == 3 ? "  !! " : x->level == 2 ? "  ! " : "  - ");
        snprintf(buf, cap, "%s [%s]", x->text, x->nrefs ? x->refs[0] : cpi_src_name(x->source));
    } else if (sec == CPI_ASCR_GAPS) {
        snprintf(lead, lcap, "  ? ");
        snprintf(buf, cap, "%s", r->gaps[i].text);
    } else if (sec == CPI_ASCR_ACTIVITY) {
        const cpi_place_activity *a = &r->activity[i];
        char sp[64];
        cpi_text_span(sp, sizeof sp, a->last, a->last);
        snprintf(lead, lcap, "  - ");
        snprintf(buf, cap, "%s: %u %s, %u record%s, last %s", a->type, a->people, a->people == 1 ? "person" : "people",
                 a->records, a->records == 1 ? "" : "s", sp);
    } else {
        uint32_t n;
        const cpi_place_person *p = &people(r, sec, &n)[i];
        uint64_t mask = sec == CPI_ASCR_RISKY      ? CPI_EF_RISKY
                        : sec == CPI_ASCR_CHILDREN ? ~CPI_EF(CPI_EF_CHILD)
                                                   : ~(CPI_EF(CPI_EF_ADULT) | CPI_EF(CPI_EF_CHILD));
        char fl[512];
        cpi_flag_labels(p->flags, mask, fl, sizeof fl);
        snprintf(lead, lcap, "  - ");
        size_t k = (size_t)snprintf(buf, cap, "%s (%s)%s%s%s%s%s", p->name ? p->name : "?", p->id, p->dob ? " b. " : "",
                                    p->dob ? p->dob : "", p->resident ? ", lives here" : "", fl[0] ? ": " : "", fl);
        if (p->nlinks && k < cap)
            snprintf(buf + k, cap - k, " - %s", p->links[0].type);
    }
}

void cpi_address_screen_fit(cpi_place_report *r, int width, int lines, uint32_t max_items, cpi_place_screen *s)
{
    memset(s, 0, sizeof *s);
    s->lines = lines < 12 ? 12 : lines;
    s->width = width;
    uint32_t max = max_items ? max_items : 5;
    uint32_t n[CPI_ASCR__COUNT] = {r->nwarnings, r->ngaps, r->nrisky_people, r->nchildren, r->nresidents,
                                   r->nactivity};
    uint32_t high = 0, medium = 0;
    for (uint32_t i = 0; i < r->nwarnings; i++)
        high += r->warnings[i].level >= 3, medium += r->warnings[i].level >= 2;
    int fixed = counted(r, width, true) + counted(r, width, false) + footer(NULL, r, width); /* header, notes, footer */
    /* before attending a place: its warnings, who there poses a risk, which children are linked */
    const cpi_scr_step steps[] = {
        {CPI_ASCR_WARNINGS, high},  {CPI_ASCR_RISKY, 2},        {CPI_ASCR_CHILDREN, 2}, {CPI_ASCR_WARNINGS, medium},
        {CPI_ASCR_RISKY, 4},        {CPI_ASCR_CHILDREN, 3},     {CPI_ASCR_RESIDENTS, 2}, {CPI_ASCR_ACTIVITY, 2},
        {CPI_ASCR_GAPS, 1},         {CPI_ASCR_WARNINGS, 1000},  {CPI_ASCR_RISKY, 1000}, {CPI_ASCR_CHILDREN, 1000},
        {CPI_ASCR_RESIDENTS, 1000}, {CPI_ASCR_ACTIVITY, 1000},  {CPI_ASCR_GAPS, 1000}};
    static const uint8_t mode[CPI_ASCR__COUNT] = {CPI_SCR_ALWAYS, CPI_SCR_MERGE, CPI_SCR_ALWAYS,
                                                  CPI_SCR_ALWAYS, CPI_SCR_MERGE, CPI_SCR_MERGE};
    uint32_t alloc[CPI_ASCR__COUNT];
    cpi_scr_allocate(n, mode, CPI_ASCR__COUNT, fixed, s->lines, steps, sizeof steps / sizeof steps[0], alloc);
    for (int i = 0; i < CPI_ASCR__COUNT; i++) {
        s->more[i] = n[i] - alloc[i];
        s->at_least[i] = r->truncated && i >= CPI_ASCR_RISKY && i <= CPI_ASCR_RESIDENTS && n[i] >= max;
    }
    /* cut to what is printed, and inside each item to what its line names */
    r->nwarnings = alloc[CPI_ASCR_WARNINGS];
    for (uint32_t i = 0; i < r->nwarnings; i++)
        if (r->warnings[i].nrefs > 1)
            r->warnings[i].nrefs = 1;
    r->ngaps = alloc[CPI_ASCR_GAPS];
    r->nrisky_people = alloc[CPI_ASCR_RISKY];
    r->nchildren = alloc[CPI_ASCR_CHILDREN];
    r->nresidents = alloc[CPI_ASCR_RESIDENTS];
    r->nactivity = alloc[CPI_ASCR_ACTIVITY];
    for (int sec = CPI_ASCR_RISKY; sec <= CPI_ASCR_RESIDENTS; sec++) {
        uint32_t k;
        cpi_place_person *ps = (cpi_place_person *)people(r, sec, &k);
        for (uint32_t i = 0; i < k; i++) {
            ps[i].nlinks = ps[i].nlinks ? 1 : 0; /* the line names the first link's type, no reference */
            if (ps[i].nlinks)
                ps[i].links[0].nrefs = 0;
        }
    }
}

/* A heading with its count, " - none", or for a list none of whose items fit, "TITLE: N (--full)". */
static void heading(FILE *f, int w, const char *title, uint32_t shown, uint32_t more, bool at_least)
{
    char buf[128];
    if (shown)
        snprintf(buf, sizeof buf, "%s (%u%s)", title, shown + more, at_least ? " or more" : "");
    else if (more)
        snprintf(buf, sizeof buf, "%s: %u%s (--full)", title, more, at_least ? " or more" : "");
    else
        snprintf(buf, sizeof buf, "%s - none", title);
    cpi_scr_line(f, w, "", buf);
}

/* One list: heading (when it has items shown, or always), items, and "+ N more" when cut. */
static void list(FILE *f, int w, const cpi_place_report *r, const cpi_place_screen *s, int sec, uint32_t shown,
                 const char *title, const char *what, bool always)
{
    if (shown || always)
        heading(f, w, title, shown, s->more[sec], s->at_least[sec]);
    for (uint32_t i = 0; i < shown; i++) {
        char buf[2048], lead[32];
        item_text(r, sec, i, buf, sizeof buf, lead, sizeof lead);
        cpi_scr_line(f, w, lead, buf);
    }
    if (shown && s->more[sec]) {
        char buf[128];
        snprintf(buf, sizeof buf, "%u%s more %s (--full)", s->more[sec], s->at_least[sec] ? " or" : "", what);
        cpi_scr_line(f, w, "  + ", buf);
    }
}

void cpi_address_screen_text(const cpi_place_report *r, const cpi_place_screen *s, FILE *out, int width)
{
    int w = width >= 20 ? width : 80;
    char buf[1024];
    render_header(out, w, r); /* the same lines the fit counted */
    render_withheld(out, w, r);
    if (!r->nwarnings && !s->more[CPI_ASCR_WARNINGS] && r->nwithheld)
        cpi_scr_line(out, w, "", "WARNINGS - none you may see; restricted information is held (above)");
    else
        list(out, w, r, s, CPI_ASCR_WARNINGS, r->nwarnings, "WARNINGS", "warnings", true);
    list(out, w, r, s, CPI_ASCR_GAPS, r->ngaps, "GAPS", "gaps between systems", false);
    list(out, w, r, s, CPI_ASCR_RISKY, r->nrisky_people, "RISKY PEOPLE LINKED", "risky people", true);
    list(out, w, r, s, CPI_ASCR_CHILDREN, r->nchildren, "CHILDREN LINKED", "children", true);
    list(out, w, r, s, CPI_ASCR_RESIDENTS, r->nresidents, "OTHER RESIDENTS", "residents", false);
    list(out, w, r, s, CPI_ASCR_ACTIVITY, r->nactivity, "WHAT HAPPENED HERE", "kinds of event", false);
    /* the merge lists none of whose items fit, on one line */
    static const struct {
        int sec;
        const char *what;
    } merged[] = {{CPI_ASCR_GAPS, "gaps between systems"}, {CPI_ASCR_RESIDENTS, "other residents"},
                  {CPI_ASCR_ACTIVITY, "kinds of event"}};
    uint32_t shown[CPI_ASCR__COUNT] = {r->nwarnings, r->ngaps, r->nrisky_people, r->nchildren, r->nresidents,
                                       r->nactivity};
    size_t n = 0;
    for (size_t i = 0; i < sizeof merged / sizeof merged[0] && n < sizeof buf; i++)
        if (!shown[merged[i].sec] && s->more[merged[i].sec])
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s %u%s %s", n ? ";" : "ALSO HELD:", s->more[merged[i].sec],
                                  s->at_least[merged[i].sec] ? " or more" : "", merged[i].what);
    if (n && n < sizeof buf) {
        snprintf(buf + n, sizeof buf - n, " (--full)");
        cpi_scr_line(out, w, "", buf);
    }
    footer(out, r, w);
}
