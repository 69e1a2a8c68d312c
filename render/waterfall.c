/* waterfall.c - a score's waterfall as JSON (see waterfall.h). */
#include "render/waterfall.h"

void cpi_jw_fs_explain(cpi_jw *w, const cpi_fs_explanation *ex)
{
    cpi_jw_obj(w);
    cpi_jw_kreal(w, "prior", ex->prior);
    cpi_jw_key(w, "terms");
    cpi_jw_arr(w);
    for (size_t i = 0; i < ex->n_terms; i++) {
        const cpi_fs_term *t = &ex->terms[i];
        cpi_jw_obj(w);
        cpi_jw_kstr(w, "comparison", t->comparison);
        cpi_jw_kstr(w, "level", t->level);
        cpi_jw_kint(w, "level_index", t->level_index);
        cpi_jw_kbool(w, "null", t->is_null);
        cpi_jw_kbool(w, "tf_applied", t->tf_applied);
        cpi_jw_key(w, "m");
        t->is_null ? cpi_jw_null(w) : cpi_jw_real(w, t->m);
        cpi_jw_key(w, "u");
        t->is_null ? cpi_jw_null(w) : cpi_jw_real(w, t->u);
        cpi_jw_kreal(w, "log2_bf", t->log2_bf);
        cpi_jw_obj_end(w);
    }
    cpi_jw_arr_end(w);
    cpi_jw_kreal(w, "total", ex->total);
    cpi_jw_kreal(w, "probability", ex->probability);
    cpi_jw_obj_end(w);
}
