/* waterfall.h - a score's waterfall (resolve/fs.h) written as JSON. */
#ifndef CPI_WATERFALL_H
#define CPI_WATERFALL_H

#include "render/jsonw.h"
#include "resolve/fs.h"

/*
 * One value: {"prior", "terms": [{"comparison", "level", "level_index", "null", "tf_applied",
 * "m", "u", "log2_bf"}...], "total", "probability"}; m and u are null for a null level.
 */
void cpi_jw_fs_explain(cpi_jw *w, const cpi_fs_explanation *ex);

#endif
