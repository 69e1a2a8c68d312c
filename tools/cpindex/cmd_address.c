/* cmd_address.c - `cpindex address QUERY`: what is held on a place, warnings first, before attending. */
#include <stdio.h>

#include "query/address.h"
#include "query_cli.h"

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
static void text(const void *answer, FILE *out, int width) { cpi_address_text(answer, out, width); }

int cmd_address(cli_ctx *ctx, int argc, char **argv)
{
    static const query_answer a = {CPI_KIND_LOCATION, sizeof(cpi_place_report), build, shown_place, json, text,
                                   NULL, NULL, NULL};
    return query_command(ctx, cli_find("address"), argc, argv, &a);
}
