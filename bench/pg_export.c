/*
 * pg_export.c - write a store's records, mentions (with their entity ids)
 * and relations as three CSV files for PostgreSQL's COPY, so the benchmark's
 * SQL baseline (bench/pg/) answers from exactly the rows cpindex holds.
 *
 *   cpi-pg-export STORE OUTDIR
 *
 * Writes OUTDIR/record.csv (ref, source, type, day, facts), mention.csv
 * (record_ref, n, kind, role, entity_id, fn, sn, dob, keys, raw) and
 * relation.csv (record_ref, type, from_n, to_n, day); days are cpindex day
 * numbers (days since 1970-01-01, empty when unknown); facts, keys and raw
 * are JSON objects (keys: name -> array of values, since a key name may carry
 * several). entity_id is empty for a mention nobody has resolved yet. fn, sn
 * and dob are the normalised forename, surname and DOB keys, also what the
 * exact-match baseline (bench/run) links on.
 *
 * Every field is quoted and '"' doubled, which is what COPY ... CSV reads.
 * render/csvout is not used on purpose: it prefixes a field starting with + - @
 * for spreadsheets, and COPY must get the values unchanged.
 *
 * Prints one JSON line {records, mentions, resolved, relations, seconds}.
 * Exit status 0, 2 usage, 3 store or file error. Reads one snapshot; the
 * store is not changed. Synthetic (cpgen) stores only: the files hold every
 * personal detail the store does, unlogged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codec.h"
#include "core/sort.h"
#include "core/store.h"
#include "ingest/csv.h"
#include "render/jsonw.h"

typedef struct out {
    FILE *rec, *men, *rel;
    uint64_t records, mentions, resolved, relations;
} out;

/* One quoted field (NULL: an empty, unquoted field, which COPY reads as NULL). */
static void field(FILE *f, const char *s, bool last)
{
    if (s) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    }
    fputc(last ? '\n' : ',', f);
}

static void field_int(FILE *f, long long v, bool known, bool last)
{
    if (known)
        fprintf(f, "%lld", v);
    fputc(last ? '\n' : ',', f);
}

/* Order of kvs items: by key (bytes, as jansson's JSON_SORT_KEYS wrote them), then as listed. */
static int by_key(const void *x, const void *y, void *ctx)
{
    const cpi_kvlist *l = ctx;
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    int c = strcmp(l->items[i].key, l->items[j].key);
    return c ? c : (i > j) - (i < j);
}

/* kvs as a JSON object, keys sorted; multi: every value in an array (keys may repeat a name), else a
 * repeated name keeps its last value. The text is malloc'd (free it); NULL when out of memory. */
static char *kv_json(const cpi_kvlist *l, bool multi)
{
    uint32_t *ord = malloc((l->count ? l->count : 1) * sizeof *ord), n = 0;
    if (!ord)
        return NULL;
    for (uint32_t i = 0; i < l->count; i++)
        if (cpi_csv_utf8_valid(l->items[i].key, strlen(l->items[i].key)))
            ord[n++] = i;
    cpi_sort_r(ord, n, sizeof *ord, by_key, (void *)l);
    cpi_jw w;
    cpi_jw_init(&w, 0);
    cpi_jw_obj(&w);
    for (uint32_t g = 0, e; g < n; g = e) {
        const char *key = l->items[ord[g]].key;
        for (e = g + 1; e < n && strcmp(l->items[ord[e]].key, key) == 0;)
            e++;
        cpi_jw_key(&w, key);
        if (multi)
            cpi_jw_arr(&w);
        for (uint32_t k = multi ? g : e - 1; k < e; k++) {
            const char *v = l->items[ord[k]].value;
            /* not UTF-8: the store holds only valid UTF-8, so this is a decoder bug, kept visible */
            cpi_jw_str(&w, v && cpi_csv_utf8_valid(v, strlen(v)) ? v : "\xef\xbf\xbd");
        }
        if (multi)
            cpi_jw_arr_end(&w);
    }
    cpi_jw_obj_end(&w);
    free(ord);
    char *text = cpi_jw_text(&w, NULL) ? w.buf : NULL; /* the writer's buffer, handed to the caller */
    if (!text)
        cpi_jw_free(&w);
    return text;
}

static cpi_status write_record(cpi_txn *txn, out *o, const cpi_record *r, cpi_error *err)
{
    char source[CPI_SOURCE_MAX] = "";
    const char *colon = strchr(r->ref, ':');
    if (colon && (size_t)(colon - r->ref) < sizeof source)
        memcpy(source, r->ref, (size_t)(colon - r->ref));
    char *facts = kv_json(&r->facts, false);
    if (!facts)
        return cpi_error_set(err, CPI_ERR_NOMEM, "%s: facts as JSON", r->ref);
    field(o->rec, r->ref, false);
    field(o->rec, source, false);
    field(o->rec, r->type, false);
    field_int(o->rec, r->day, r->day != CPI_DAY_NONE, false);
    field(o->rec, facts, true);
    free(facts);
    o->records++;

    for (uint32_t i = 0; i < r->nmentions; i++) {
        const cpi_mention *m = &r->mentions[i];
        char mref[CPI_REF_MAX + 16], eid[64];
        snprintf(mref, sizeof mref, "%s/%u", r->ref, i + 1);
        cpi_slice v;
        cpi_status s = cpi_txn_get(txn, CPI_DB_ENTITY_OF, mref, strlen(mref), &v, err);
        if (s && s != CPI_NOT_FOUND)
            return s;
        bool resolved = s == CPI_OK && v.len < sizeof eid;
        if (resolved) {
            memcpy(eid, v.data, v.len);
            eid[v.len] = '\0';
            o->resolved++;
        }
        char *keys = kv_json(&m->keys, true), *raw = kv_json(&m->raw, false);
        if (!keys || !raw) {
            free(keys);
            free(raw);
            return cpi_error_set(err, CPI_ERR_NOMEM, "%s: mention as JSON", mref);
        }
        field(o->men, r->ref, false);
        field_int(o->men, i + 1, true, false);
        field(o->men, cpi_kind_name(m->kind), false);
        field(o->men, m->role, false);
        field(o->men, resolved ? eid : NULL, false);
        field(o->men, cpi_kv_get(&m->keys, "fn"), false);
        field(o->men, cpi_kv_get(&m->keys, "sn"), false);
        field(o->men, cpi_kv_get(&m->keys, "dob"), false);
        field(o->men, keys, false);
        field(o->men, raw, true);
        free(keys);
        free(raw);
        o->mentions++;
    }
    for (uint32_t i = 0; i < r->nrelations; i++) {
        const cpi_relation *rel = &r->relations[i];
        field(o->rel, r->ref, false);
        field(o->rel, rel->type, false);
        field_int(o->rel, rel->from, true, false);
        field_int(o->rel, rel->to, true, false);
        field_int(o->rel, rel->day, rel->day != CPI_DAY_NONE, true);
        o->relations++;
    }
    return CPI_OK;
}

static cpi_status export_all(cpi_store *st, out *o, cpi_error *err)
{
    cpi_txn *txn;
    cpi_status s = cpi_store_read_begin(st, &txn, err);
    if (s)
        return s;
    cpi_cursor *c;
    if ((s = cpi_cursor_open(txn, CPI_DB_RECORDS, &c, err))) {
        cpi_txn_end(txn);
        return s;
    }
    cpi_arena arena = {0};
    cpi_slice k, v;
    char ref[CPI_REF_MAX];
    for (s = cpi_cursor_seek(c, NULL, 0, &k, &v, err); s == CPI_OK; s = cpi_cursor_next(c, &k, &v, err)) {
        if (k.len >= sizeof ref) {
            s = cpi_error_set(err, CPI_ERR_DATA, "records: a key of %zu bytes is longer than any reference", k.len);
            break;
        }
        memcpy(ref, k.data, k.len);
        ref[k.len] = '\0';
        cpi_record r;
        cpi_arena_reset(&arena);
        if ((s = cpi_codec_decode_record(ref, v.data, v.len, &arena, &r, err)))
            break;
        r.ref = ref;
        if ((s = write_record(txn, o, &r, err)))
            break;
    }
    if (s == CPI_NOT_FOUND)
        s = CPI_OK;
    cpi_arena_free(&arena);
    cpi_cursor_close(c);
    cpi_txn_end(txn);
    return s;
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        perror(path);
    return f;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: cpi-pg-export STORE OUTDIR\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cpi_error err = {0};
    cpi_store *st;
    cpi_store_opts so = {.flags = CPI_STORE_READONLY};
    if (cpi_store_open(argv[1], &so, &st, &err)) {
        fprintf(stderr, "cpi-pg-export: %s\n", err.msg);
        return 3;
    }
    out o = {open_out(argv[2], "record.csv"), open_out(argv[2], "mention.csv"), open_out(argv[2], "relation.csv"),
             0, 0, 0, 0};
    int rc = 0;
    if (!o.rec || !o.men || !o.rel)
        rc = 3;
    else if (export_all(st, &o, &err)) {
        fprintf(stderr, "cpi-pg-export: %s\n", err.msg);
        rc = 3;
    }
    FILE *fs[] = {o.rec, o.men, o.rel};
    for (int i = 0; i < 3; i++)
        if (fs[i] && fclose(fs[i]) != 0 && rc == 0) {
            perror("cpi-pg-export: writing");
            rc = 3;
        }
    cpi_store_close(st);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == 0)
        printf("{\"records\": %llu, \"mentions\": %llu, \"resolved\": %llu, \"relations\": %llu, \"seconds\": %.3f}\n",
               (unsigned long long)o.records, (unsigned long long)o.mentions, (unsigned long long)o.resolved,
               (unsigned long long)o.relations,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return rc;
}
