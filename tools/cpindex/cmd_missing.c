/* cmd_missing.c - `cpindex missing QUERY`: the trigger plan for a child reported missing now. */
#include <stdio.h>

#include "query/missing.h"
#include "render/missing_render.h"
#include "query_cli.h"

static cpi_status build(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena, void *out,
                        cpi_error *err)
{
    return cpi_missing_build(txn, id, opts, arena, out, err);
}

/* logged as shown: the child's profile and every place the plan lists */
static void shown_plan(shown *sh, const void *answer)
{
    const cpi_missing_plan *m = answer;
    shown_profile(sh, &m->profile);
    for (uint32_t i = 0; i < m->nplaces; i++)
        shown_id(sh, m->places[i].id);
}

static json_t *json(const void *answer) { return cpi_missing_json(answer); }
static void text(const void *answer, FILE *out, int width) { cpi_missing_text(answer, out, width); }

static void note(const void *answer, const char *id)
{
    const cpi_missing_plan *m = answer;
    if (!m->profile.is_child)
        fprintf(stderr, "cpindex missing: %s is not recorded as a child\n", id);
}

int cmd_missing(cli_ctx *ctx, int argc, char **argv)
{
    static const query_answer a = {CPI_KIND_PERSON, sizeof(cpi_missing_plan), build, shown_plan, json, text, note, NULL, NULL};
    return query_command(ctx, cli_find("missing"), argc, argv, &a);
}
