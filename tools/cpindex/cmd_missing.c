/* cmd_missing.c - `cpindex missing QUERY`: the trigger plan for a child reported missing now. */
#include <stdio.h>

#include "query/missing.h"
#include "render/missing_render.h"
#include "query_cli.h"

static void json_write(const cpi_desk_answer *a, cpi_jw *w) { cpi_missing_json_write(&a->plan, w); }
static void text(const cpi_desk_answer *a, FILE *out, int width) { cpi_missing_text(&a->plan, out, width); }

static void note(const cpi_desk_answer *a)
{
    if (!a->plan.profile.is_child)
        fprintf(stderr, "cpindex missing: %s is not recorded as a child\n", a->entity_id);
}

int cmd_missing(cli_ctx *ctx, int argc, char **argv)
{
    static const query_answer a = {CPI_DESK_MISSING, false, text, note, json_write};
    return query_command(ctx, cli_find("missing"), argc, argv, &a);
}
