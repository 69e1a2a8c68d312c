/* cmd_address.c - `cpindex address QUERY`: what is held on a place, warnings first, before attending. */
#include <stdio.h>

#include "query/address.h"
#include "render/address_render.h"
#include "render/address_screen.h"
#include "query_cli.h"

/* A place report, and when its text is the one-screen brief, how it was fitted (render/address_screen.h). */
typedef struct place_answer {
    cpi_place_report r; /* first: the answer is a cpi_place_report to everything but the text */
    cpi_place_screen screen;
    bool fitted;
} place_answer;

static cpi_status build(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena, void *out,
                        cpi_error *err)
{
    return cpi_address_build(txn, id, opts, arena, out, err);
}

/* logged as shown: the place, everyone listed at it, and the records behind each link and warning */
static void shown_place(shown *sh, const void *answer)
{
    const cpi_place_report *r = answer;
    shown_id(sh, r->entity_id);
    const cpi_place_person *lists[3] = {r->risky_people, r->children, r->residents};
    uint32_t ns[3] = {r->nrisky_people, r->nchildren, r->nresidents};
    for (int k = 0; k < 3; k++)
        for (uint32_t i = 0; i < ns[k]; i++) {
            shown_id(sh, lists[k][i].id);
            for (uint32_t j = 0; j < lists[k][i].nlinks; j++)
                for (uint32_t x = 0; x < lists[k][i].links[j].nrefs; x++)
                    shown_ref(sh, lists[k][i].links[j].refs[x]);
        }
    for (uint32_t i = 0; i < r->nwarnings; i++)
        for (uint32_t x = 0; x < r->warnings[i].nrefs; x++)
            shown_ref(sh, r->warnings[i].refs[x]);
}

static json_t *json(const void *answer) { return cpi_address_json(answer); }
static void text(const void *answer, FILE *out, int width)
{
    const place_answer *pa = answer;
    if (pa->fitted)
        cpi_address_screen_text(&pa->r, &pa->screen, out, width);
    else
        cpi_address_text(&pa->r, out, width);
}

/* An officer's brief answer before attending fits one screen, warnings first (issue 18), as a child's does. */
static void fit(void *answer, const query_opts *q, const cli_term *t, const char *command)
{
    (void)command;
    place_answer *pa = answer;
    if (pa->r.detail != CPI_DETAIL_BRIEF || q->officer_full)
        return;
    cpi_address_screen_fit(&pa->r, t->width >= 40 ? t->width : 40, query_screen_lines(t), q->profile.max_items,
                           &pa->screen);
    pa->fitted = true;
}

int cmd_address(cli_ctx *ctx, int argc, char **argv)
{
    static const query_answer a = {CPI_KIND_LOCATION, sizeof(place_answer), build, shown_place, json, text,
                                   NULL, NULL, fit};
    return query_command(ctx, cli_find("address"), argc, argv, &a);
}
