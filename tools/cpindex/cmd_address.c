/* cmd_address.c - `cpindex address QUERY`: what is held on a place, warnings first, before attending. */
#include <stdio.h>

#include "query/address.h"
#include "render/address_render.h"
#include "render/address_screen.h"
#include "query_cli.h"

static void json_write(const cpi_desk_answer *a, cpi_jw *w) { cpi_address_json_write(&a->place, w); }
/* An officer's brief answer before attending fits one screen, warnings first (issue 18), as a child's does. */
static void text(const cpi_desk_answer *a, FILE *out, int width)
{
    if (a->fitted)
        cpi_address_screen_text(&a->place, &a->place_screen, out, width);
    else
        cpi_address_text(&a->place, out, width);
}

int cmd_address(cli_ctx *ctx, int argc, char **argv)
{
    static const query_answer a = {CPI_DESK_ADDRESS, true, text, NULL, json_write};
    return query_command(ctx, cli_find("address"), argc, argv, &a);
}
