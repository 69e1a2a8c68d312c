/* export.c - CSV tables out of the store (see export.h). */
#include "render/export.h"

#include <errno.h>
#include <string.h>

#include "core/codec.h"
#include "render/csvout.h"
#include "resolve/resolve.h"

cpi_status cpi_export_entities(cpi_store *st, FILE *out, uint64_t *rows, cpi_error *err)
{
    cpi_txn *t;
    cpi_status s = cpi_store_read_begin(st, &t, err);
    if (s)
        return s;
    cpi_cursor *c;
    if ((s = cpi_cursor_open(t, CPI_DB_RECORDS, &c, err))) {
        cpi_txn_end(t);
        return s;
    }
    uint64_t n = 0;
    fputs("reference,entity_id\n", out);
    cpi_arena arena = {0};
    cpi_slice k, v;
    char ref[CPI_REF_MAX], mref[CPI_REF_MAX + 8], id[CPI_ENTITY_ID_MAX];
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK && !s; cs = cpi_cursor_next(c, &k, &v, err)) {
        if (k.len >= sizeof ref) {
            s = cpi_error_set(err, CPI_ERR_STORE, "export: a record key of %zu bytes is too long", k.len);
            break;
        }
        memcpy(ref, k.data, k.len);
        ref[k.len] = '\0';
        cpi_record rec;
        cpi_arena_reset(&arena);
        if ((s = cpi_codec_decode_record(ref, v.data, v.len, &arena, &rec, err)))
            break;
        for (uint32_t i = 0; i < rec.nmentions && !s; i++) {
            int ml = snprintf(mref, sizeof mref, "%s/%u", ref, i + 1);
            cpi_slice e;
            cpi_status g = cpi_txn_get(t, CPI_DB_ENTITY_OF, mref, (size_t)ml, &e, err);
            if (g == CPI_OK && e.len < sizeof id) {
                memcpy(id, e.data, e.len);
                id[e.len] = '\0';
            } else if (g == CPI_OK || g == CPI_NOT_FOUND) {
                id[0] = '\0';
            } else {
                s = g;
                break;
            }
            cpi_csv_write_field(out, mref, strlen(mref));
            fputc(',', out);
            cpi_csv_write_field(out, id, strlen(id));
            fputc('\n', out);
            n++;
        }
    }
    if (!s && cs != CPI_NOT_FOUND)
        s = cs;
    cpi_arena_free(&arena);
    cpi_cursor_close(c);
    cpi_txn_end(t);
    if (!s && (fflush(out) != 0 || ferror(out)))
        s = cpi_error_set(err, CPI_ERR_IO, "export: could not write: %s", strerror(errno));
    if (rows)
        *rows = n;
    return s;
}
