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
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codec.h"
#include "core/store.h"

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

/* kvs as a JSON object; multi: every value in an array (keys may repeat a name). */
static char *kv_json(const cpi_kvlist *l, bool multi)
{
    json_t *o = json_object();
    for (uint32_t i = 0; i < l->count; i++) {
        json_t *v = json_string(l->items[i].value);
        if (!v) /* not UTF-8: the store holds only valid UTF-8, so this is a decoder bug, kept visible */
            v = json_string("\xef\xbf\xbd");
        if (!multi) {
            json_object_set_new(o, l->items[i].key, v);
            continue;
        }
        json_t *a = json_object_get(o, l->items[i].key);
        if (!a) {
            a = json_array();
            json_object_set_new(o, l->items[i].key, a);
        }
        json_array_append_new(a, v);
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
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
