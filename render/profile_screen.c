/*
 * profile_screen.c - the one-screen brief profile (see profile_screen.h).
 * Every item is one line cut to the width, so the fit can count lines
 * exactly before anything is printed.
 */
#include "render/profile_screen.h"

#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "render/screen.h"

/* The last line: where everything is (cpi_scr_footer). */
static int footer(FILE *f, const cpi_profile *p, const cpi_pf_screen *s, int width)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "cpindex %s %s --full)", s->command ? s->command : "child", p->entity_id);
    return cpi_scr_footer(f, width, "(every list, references, timeline:", cmd);
}

static void render_withheld(FILE *f, int width, const void *arg)
{
    const cpi_profile *p = arg;
    cpi_text_withheld(f, width, p->withheld, p->nwithheld);
}

/* Lines the restricted notes take at width (they wrap: whom to call must be read whole). */
static int withheld_lines(const cpi_profile *p, int width)
{
    return cpi_scr_lines_of(render_withheld, p, width, 3 * (int)p->nwithheld);
}

/*
 * The text of item i of list sec and the lead it is printed after: one
 * function for the fit (which measures) and the print, so both agree.
 */
static const char *item_text(const cpi_profile *p, int sec, uint32_t i, char *buf, size_t cap, char *lead, size_t lcap)
{
    buf[0] = '\0';
    lead[0] = '\0';
    if (sec == CPI_SCR_WARNINGS) {
        const cpi_pf_warning *x = &p->warnings[i];
        snprintf(lead, lcap, "%s", x->level == 3 ? "  !! " : x->level == 2 ? "  ! " : "  - ");
        if (x->nrefs) /* the reference names its source: "niche:WRN-..." */
            snprintf(buf, cap, "%s [%s]", x->text, x->refs[0]);
        else
            snprintf(buf, cap, "%s [%s]", x->text, cpi_src_name(x->source));
    } else if (sec == CPI_SCR_GAPS) {
        snprintf(lead, lcap, "  ? ");
        snprintf(buf, cap, "%s", p->gaps[i].text);
    } else if (sec == CPI_SCR_RISKY) {
        const cpi_pf_person *r = &p->risky_people[i];
        char why[512];
        cpi_flag_labels(r->flags, CPI_EF_RISKY, why, sizeof why);
        snprintf(lead, lcap, "  %u. ", i + 1);
        size_t n = (size_t)snprintf(buf, cap, "%s (%s)%s%s: %s", r->name ? r->name : "?", r->id, r->dob ? " b. " : "",
                                    r->dob ? r->dob : "", why[0] ? why : "linked as posing a risk");
        if (r->nlinks && n < cap)
            snprintf(buf + n, cap - n, " - %s%s%s", r->links[0].type, r->links[0].via_name ? " via " : "",
                     r->links[0].via_name ? r->links[0].via_name : "");
    } else if (sec == CPI_SCR_PLACES) {
        const cpi_pf_place *pl = &p->places[i];
        char fl[512];
        cpi_flag_labels(pl->flags, ~(uint64_t)0, fl, sizeof fl);
        snprintf(lead, lcap, "  * ");
        size_t n = (size_t)snprintf(buf, cap, "%s%s%s (%s)%s%s", pl->name ? pl->name : "?", pl->postcode ? ", " : "",
                                    pl->postcode ? pl->postcode : "", pl->id, fl[0] ? " - " : "", fl);
        if (pl->nlinks && n < cap) {
            const cpi_pf_link *l = &pl->links[0];
            if (strcmp(l->type, "found-at") == 0)
                snprintf(buf + n, cap - n, "; found here %u time%s", l->times, l->times == 1 ? "" : "s");
            else
                snprintf(buf + n, cap - n, "; %s", l->type);
        }
    } else {
        const cpi_pf_child *c = &p->connected_children[i];
        snprintf(lead, lcap, "  - ");
        size_t n = (size_t)snprintf(buf, cap, "%s (%s)%s%s", c->name ? c->name : "?", c->id, c->dob ? " b. " : "",
                                    c->dob ? c->dob : "");
        if (c->nvias && n < cap)
            snprintf(buf + n, cap - n, ", via %s %s", c->vias[0].kind, c->vias[0].name ? c->vias[0].name : c->vias[0].id);
    }
    return buf;
}

void cpi_profile_screen_fit(cpi_profile *p, int width, int lines, uint32_t max_items, const char *command,
                            cpi_pf_screen *s)
{
    memset(s, 0, sizeof *s);
    if (lines < 12)
        lines = 12;
    s->lines = lines;
    s->width = width;
    s->command = command;
    uint32_t max = max_items ? max_items : 5;
    uint32_t n[CPI_SCR__COUNT] = {p->nwarnings, p->ngaps, p->nrisky_people, p->nplaces, p->nconnected_children};
    uint32_t alloc[CPI_SCR__COUNT] = {0};
    uint32_t high = 0, medium = 0;
    for (uint32_t i = 0; i < p->nwarnings; i++) /* sorted by level, highest first (profile.c) */
        high += p->warnings[i].level >= 3, medium += p->warnings[i].level >= 2;
    bool home = false;
    for (uint32_t i = 0; i < p->naddresses && !home; i++)
        home = strcmp(p->addresses[i].status, "current") == 0;
    /* header, a DOB conflict, the restricted notes, the current home, the --full pointer */
    int fixed = 1 + (p->ndobs > 1) + withheld_lines(p, width) + home + footer(NULL, p, s, width);
    /* what matters most first: high warnings, a first risky person and place, then the rest in turn */
    const cpi_scr_step steps[] = {
        {CPI_SCR_WARNINGS, high}, {CPI_SCR_RISKY, 1},    {CPI_SCR_PLACES, 1},     {CPI_SCR_WARNINGS, medium},
        {CPI_SCR_RISKY, 3},       {CPI_SCR_PLACES, 2},   {CPI_SCR_CHILDREN, 1},   {CPI_SCR_GAPS, 1},
        {CPI_SCR_WARNINGS, 1000}, {CPI_SCR_RISKY, 5},    {CPI_SCR_PLACES, 4},     {CPI_SCR_CHILDREN, 3},
        {CPI_SCR_GAPS, 3},        {CPI_SCR_RISKY, 1000}, {CPI_SCR_PLACES, 1000},  {CPI_SCR_CHILDREN, 1000},
        {CPI_SCR_GAPS, 1000}};
    /* warnings, risky people and places are always headed ("- none" says so); gaps and children share a line */
    static const uint8_t mode[CPI_SCR__COUNT] = {CPI_SCR_ALWAYS, CPI_SCR_MERGE, CPI_SCR_ALWAYS, CPI_SCR_ALWAYS,
                                                 CPI_SCR_MERGE};
    int left = cpi_scr_allocate(n, mode, CPI_SCR__COUNT, fixed, lines, steps, sizeof steps / sizeof steps[0], alloc);
    /* lines left over let the most important items wrap (up to 3 lines) instead of being cut */
    static const int order[] = {CPI_SCR_WARNINGS, CPI_SCR_RISKY, CPI_SCR_PLACES, CPI_SCR_GAPS, CPI_SCR_CHILDREN};
    for (size_t k = 0; k < sizeof order / sizeof order[0] && left > 0; k++) {
        int sec = order[k];
        for (uint32_t i = 0; i < alloc[sec] && i < CPI_SCR_ITEMS && left > 0; i++) {
            char buf[2048], lead[32];
            item_text(p, sec, i, buf, sizeof buf, lead, sizeof lead);
            int need = cpi_scr_wrap(NULL, width, lead, cpi_scr_columns(lead), buf, 3);
            int add = (need > 3 ? 3 : need) - 1;
            if (add > left)
                add = left;
            s->extra[sec][i] = (uint8_t)add;
            left -= add;
        }
    }
    for (int i = 0; i < CPI_SCR__COUNT; i++) {
        s->more[i] = n[i] - alloc[i];
        /* the brief build keeps max per list (twice that of warnings): a full list may hold more */
        s->at_least[i] = p->truncated && n[i] >= (i == CPI_SCR_WARNINGS ? 2 * max : max);
    }
    /* cut the lists to what is printed, and inside each item to what its line names */
    p->nwarnings = alloc[CPI_SCR_WARNINGS];
    for (uint32_t i = 0; i < p->nwarnings; i++)
        if (p->warnings[i].nrefs > 1)
            p->warnings[i].nrefs = 1; /* the line quotes the first reference */
    p->ngaps = alloc[CPI_SCR_GAPS];
    for (uint32_t i = 0; i < p->ngaps; i++)
        p->gaps[i].nrefs = 0;
    p->nrisky_people = alloc[CPI_SCR_RISKY];
    for (uint32_t i = 0; i < p->nrisky_people; i++) {
        cpi_pf_person *r = &p->risky_people[i];
        r->nlinks = r->nlinks ? 1 : 0; /* the line says how, by the first link: its type and place */
        if (r->nlinks)
            r->links[0].nrefs = 0;
        r->noccurrences = 0;
        r->nphones = 0;
        r->naddresses = 0;
    }
    p->nplaces = alloc[CPI_SCR_PLACES];
    for (uint32_t i = 0; i < p->nplaces; i++) {
        cpi_pf_place *pl = &p->places[i];
        pl->nlinks = pl->nlinks ? 1 : 0;
        if (pl->nlinks)
            pl->links[0].nrefs = 0;
        pl->nrisky_named = 0;
    }
    p->nconnected_children = alloc[CPI_SCR_CHILDREN];
    for (uint32_t i = 0; i < p->nconnected_children; i++)
        if (p->connected_children[i].nvias > 1)
            p->connected_children[i].nvias = 1;
    uint32_t keep = 0; /* the current home only */
    for (uint32_t i = 0; i < p->naddresses; i++)
        if (strcmp(p->addresses[i].status, "current") == 0) {
            p->addresses[keep++] = p->addresses[i];
            break;
        }
    p->naddresses = keep;
    p->nreferences = 0; /* every system's reference: --full */
    p->ntimeline = 0;
    p->npossible_matches = 0;
}

/* "+ 3 more risky people" (or "3 or more"), pointing at --full; after a list's shown items only. */
static void more_line(FILE *f, int width, const cpi_pf_screen *s, int sec, uint32_t shown, const char *what,
                      const char *id)
{
    if (!s->more[sec] || !shown)
        return;
    char buf[256];
    (void)id;
    snprintf(buf, sizeof buf, "%u%s more %s (--full)", s->more[sec], s->at_least[sec] ? " or" : "", what);
    cpi_scr_line(f, width, "  + ", buf);
}

/* A heading: "WARNINGS (3)", " - none", or for a list none of whose items fit, "PLACES: 12 (--full)". */
static void heading(FILE *f, int width, const char *title, uint32_t shown, uint32_t more, bool at_least)
{
    char buf[128];
    if (shown)
        snprintf(buf, sizeof buf, "%s (%u%s)", title, shown + more, at_least ? " or more" : "");
    else if (more)
        snprintf(buf, sizeof buf, "%s: %u%s (--full)", title, more, at_least ? " or more" : "");
    else
        snprintf(buf, sizeof buf, "%s - none", title);
    cpi_scr_line(f, width, "", buf);
}

/* The items of one list, each in the lines the fit gave it. */
static void items(FILE *out, int w, const cpi_profile *p, const cpi_pf_screen *s, int sec, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        char buf[2048], lead[32];
        item_text(p, sec, i, buf, sizeof buf, lead, sizeof lead);
        cpi_scr_wrap(out, w, lead, cpi_scr_columns(lead), buf, 1 + (i < CPI_SCR_ITEMS ? s->extra[sec][i] : 0));
    }
}

void cpi_profile_screen_text(const cpi_profile *p, const cpi_pf_screen *s, FILE *out, int width)
{
    int w = width >= 20 ? width : 80;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s %s  %s  born %s", p->is_child ? "CHILD" : "PERSON", p->entity_id,
             p->name ? p->name : "(no name)", p->dob ? p->dob : "unknown");
    cpi_scr_line(out, w, "", buf);
    if (p->ndobs > 1) {
        size_t n = 0;
        for (uint32_t i = 0; i < p->ndobs && n < sizeof buf; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s (%u)", i ? "; " : "", p->dobs[i].text,
                                  p->dobs[i].count);
        cpi_scr_line(out, w, "  dates of birth recorded: ", buf);
    }
    cpi_text_withheld(out, w, p->withheld, p->nwithheld);

    uint32_t mw = s->more[CPI_SCR_WARNINGS];
    if (!p->nwarnings && !mw && p->nwithheld)
        cpi_scr_line(out, w, "", "WARNINGS - none you may see; restricted information is held (above)");
    else
        heading(out, w, "WARNINGS", p->nwarnings, mw, s->at_least[CPI_SCR_WARNINGS]);
    items(out, w, p, s, CPI_SCR_WARNINGS, p->nwarnings);
    more_line(out, w, s, CPI_SCR_WARNINGS, p->nwarnings, "warnings", p->entity_id);

    if (p->ngaps)
        heading(out, w, "GAPS", p->ngaps, s->more[CPI_SCR_GAPS], false);
    items(out, w, p, s, CPI_SCR_GAPS, p->ngaps);
    more_line(out, w, s, CPI_SCR_GAPS, p->ngaps, "gaps between systems", p->entity_id);

    heading(out, w, p->is_child ? "RISKY PEOPLE" : "RISKY PEOPLE LINKED", p->nrisky_people, s->more[CPI_SCR_RISKY],
            s->at_least[CPI_SCR_RISKY]);
    items(out, w, p, s, CPI_SCR_RISKY, p->nrisky_people);
    more_line(out, w, s, CPI_SCR_RISKY, p->nrisky_people, "risky people", p->entity_id);

    heading(out, w, "PLACES", p->nplaces, s->more[CPI_SCR_PLACES], s->at_least[CPI_SCR_PLACES]);
    items(out, w, p, s, CPI_SCR_PLACES, p->nplaces);
    more_line(out, w, s, CPI_SCR_PLACES, p->nplaces, "places", p->entity_id);

    const char *kids = p->is_child ? "CONNECTED CHILDREN" : "CHILDREN LINKED";
    if (p->nconnected_children)
        heading(out, w, kids, p->nconnected_children, s->more[CPI_SCR_CHILDREN], s->at_least[CPI_SCR_CHILDREN]);
    items(out, w, p, s, CPI_SCR_CHILDREN, p->nconnected_children);
    more_line(out, w, s, CPI_SCR_CHILDREN, p->nconnected_children, p->is_child ? "connected children" : "children linked",
              p->entity_id);
    /* the lists none of whose items fit, on one line */
    bool gaps_only = !p->ngaps && s->more[CPI_SCR_GAPS], kids_only = !p->nconnected_children && s->more[CPI_SCR_CHILDREN];
    if (gaps_only || kids_only) {
        size_t n = (size_t)snprintf(buf, sizeof buf, "ALSO HELD:");
        if (gaps_only)
            n += (size_t)snprintf(buf + n, sizeof buf - n, " %u gap%s between systems%s", s->more[CPI_SCR_GAPS],
                                  s->more[CPI_SCR_GAPS] == 1 ? "" : "s", kids_only ? ";" : "");
        if (kids_only && n < sizeof buf)
            n += (size_t)snprintf(buf + n, sizeof buf - n, " %u%s %s", s->more[CPI_SCR_CHILDREN],
                                  s->at_least[CPI_SCR_CHILDREN] ? " or more" : "",
                                  p->is_child ? "connected children" : "children linked");
        if (n < sizeof buf)
            snprintf(buf + n, sizeof buf - n, " (--full)");
        cpi_scr_line(out, w, "", buf);
    }
    if (p->naddresses) {
        const cpi_pf_address *a = &p->addresses[0];
        snprintf(buf, sizeof buf, "%s%s%s (%s, %s)", a->name ? a->name : "?", a->postcode ? ", " : "",
                 a->postcode ? a->postcode : "", a->kind, a->id);
        cpi_scr_line(out, w, "HOME: ", buf);
    }
    footer(out, p, s, w);
}
