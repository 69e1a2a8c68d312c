/*
 * engine.c - one CSV row -> one record, by a declarative cpi_spec_file.
 *
 * Binding resolves every column the spec names to a header index once per
 * file. A row then becomes: the record id (checked, unique in the file), the
 * record date, the mentions in slot order (empty slots skipped, so mention
 * numbers match docs/formats.md), the relations between present slots, the
 * facts (every column no mention consumed, under its lower-cased header) and
 * a content hash. Any failure rejects the whole row with a reason word; the
 * record is built in the caller's arena, so a rejected row leaves nothing.
 *
 * Content hash: BLAKE2b-256 over the row's non-empty (lower-cased header,
 * value) pairs in header order, so reordered or added empty columns do not
 * make an unchanged record look new.
 */
#include "ingest/engine.h"
#include "core/array.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/normalise/normalise.h"
#include "ingest/keys.h"
#include "ingest/kvbuf.h"

#define MAX_ALIASES 8

typedef struct bound_field {
    cpi_field field;
    int col; /* -1: the column is not in this file */
    unsigned flags;
} bound_field;

typedef struct bound_mention {
    bound_field fields[CPI_SPEC_MAX_FIELDS];
    unsigned nfields;
} bound_mention;

typedef struct bound_relation {
    int date_col, if_col;
} bound_relation;

/* A set of record ids seen in this file: open addressing over arena strings. */
typedef struct idset {
    const char **slots;
    size_t cap, count;
    cpi_arena arena;
} idset;

struct cpi_engine {
    const cpi_spec_file *spec;
    char source[CPI_SOURCE_MAX];
    const char *path;
    int id_col, date_col;
    size_t ncols;
    bound_mention mentions[CPI_SPEC_MAX_MENTIONS];
    bound_relation relations[CPI_SPEC_MAX_RELATIONS];
    bool *consumed;      /* [ncols]: column feeds the id or a mention */
    char **fact_names;   /* [ncols]: lower-cased, trimmed header */
    size_t *fact_len;    /* [ncols]: strlen(fact_names[i]) */
    size_t fact_total;   /* sum of fact_len + 1 over the columns */
    unsigned char *hbuf; /* the content hash's input for one row, reused */
    size_t hcap;
    size_t *hash_order;  /* [ncols]: columns sorted by fact name */
    int32_t today;       /* reference day for two-digit event years */
    idset seen;
};

/* ------------------------------------------------------------ column binding */

/* Split "a|b|c" into a NULL-terminated alias list in buf. */
static int find_column(cpi_csv *csv, const char *spec_col)
{
    char buf[256];
    const char *names[MAX_ALIASES + 1];
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", spec_col);
    for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok && n < MAX_ALIASES;
         tok = strtok_r(NULL, "|", &save))
        names[n++] = tok;
    names[n] = NULL;
    return cpi_csv_column(csv, names);
}

/* The first alias of a column, for messages. */
static void first_alias(const char *spec_col, char *out, size_t cap)
{
    size_t n = strcspn(spec_col, "|");
    snprintf(out, cap, "%.*s", (int)n, spec_col);
}

/* A column a mapping file names is not in the file: say which, for what, and what the file has. */
static cpi_status missing_column(cpi_csv *csv, const char *path, const char *spec_col, const char *what,
                                 unsigned mention, cpi_error *err)
{
    char a[64], found[1024], whose[48] = "";
    first_alias(spec_col, a, sizeof a);
    cpi_csv_header_list(csv, found, sizeof found);
    if (mention)
        snprintf(whose, sizeof whose, "the %s of mention %u", what, mention);
    return cpi_error_set(err, CPI_ERR_DATA,
                         "%s: column '%s' (%s in the mapping) is not in the file, so that field would be lost; "
                         "found %s",
                         path, a, mention ? whose : what, found);
}

bool cpi_engine_fits(const cpi_spec_file *spec, cpi_csv *csv)
{
    if (find_column(csv, spec->id_column) < 0)
        return false;
    for (int i = 0; i < 8 && spec->signature[i]; i++)
        if (find_column(csv, spec->signature[i]) < 0)
            return false;
    return true;
}

/* The headers a spec expects, as "a, b, c", for a refusal message. */
void cpi_engine_expected(const cpi_spec_file *spec, char *out, size_t cap)
{
    size_t off = 0;
    char a[64];
    first_alias(spec->id_column, a, sizeof a);
    off += (size_t)snprintf(out + off, cap - off, "%s", a);
    char id[64];
    first_alias(spec->id_column, id, sizeof id);
    for (int i = 0; i < 8 && spec->signature[i] && off < cap; i++) {
        first_alias(spec->signature[i], a, sizeof a);
        if (strcasecmp(a, id) != 0)
            off += (size_t)snprintf(out + off, cap - off, ", %s", a);
    }
}

static int cmp_fact(const void *a, const void *b, void *ctx)
{
    char **names = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(names[x], names[y]);
    return c ? c : (x < y ? -1 : x > y);
}

cpi_status cpi_engine_bind(const cpi_spec_file *spec, const char *source, cpi_csv *csv, const char *path,
                           cpi_engine **out, cpi_error *err)
{
    *out = NULL;
    char found[1024], expected[512];
    if (!cpi_engine_fits(spec, csv)) {
        cpi_engine_expected(spec, expected, sizeof expected);
        cpi_csv_header_list(csv, found, sizeof found);
        return cpi_error_set(err, CPI_ERR_DATA,
                             "%s: not a %s %s file: expected headers including %s; found %s", path, source,
                             spec->file_name ? spec->file_name : spec->record_type, expected, found);
    }
    cpi_engine *e = calloc(1, sizeof *e);
    if (!e)
        return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
    e->spec = spec;
    e->path = path;
    snprintf(e->source, sizeof e->source, "%s", source);
    e->ncols = cpi_csv_ncols(csv);
    e->consumed = calloc(e->ncols, sizeof *e->consumed);
    e->fact_names = calloc(e->ncols, sizeof *e->fact_names);
    e->hash_order = calloc(e->ncols, sizeof *e->hash_order);
    e->fact_len = calloc(e->ncols, sizeof *e->fact_len);
    if (!e->consumed || !e->fact_names || !e->hash_order || !e->fact_len) {
        cpi_engine_free(e);
        return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < e->ncols; i++) {
        const char *h = cpi_csv_header(csv, i);
        while (*h == ' ' || *h == '\t')
            h++;
        char *f = strdup(h);
        if (!f) {
            cpi_engine_free(e);
            return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
        }
        size_t n = strlen(f);
        while (n && (f[n - 1] == ' ' || f[n - 1] == '\t'))
            f[--n] = '\0';
        for (char *p = f; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        e->fact_names[i] = f;
        e->fact_len[i] = n;
        e->fact_total += n + 1;
        e->hash_order[i] = i;
    }
    qsort_r(e->hash_order, e->ncols, sizeof *e->hash_order, cmp_fact, e->fact_names);

    e->id_col = find_column(csv, spec->id_column);
    e->consumed[e->id_col] = true;
    e->date_col = spec->date_column ? find_column(csv, spec->date_column) : -1;
    if (spec->date_column && spec->date_required && e->date_col < 0) {
        char a[64];
        first_alias(spec->date_column, a, sizeof a);
        cpi_csv_header_list(csv, found, sizeof found);
        cpi_engine_free(e);
        return cpi_error_set(err, CPI_ERR_DATA, "%s: required column '%s' is missing; found %s", path, a, found);
    }
    if (spec->every_column && spec->date_column && e->date_col < 0) {
        cpi_status s = missing_column(csv, path, spec->date_column, "the record's date", 0, err);
        cpi_engine_free(e);
        return s;
    }
    for (unsigned m = 0; m < spec->nmentions; m++) {
        const cpi_spec_mention *sm = &spec->mentions[m];
        bound_mention *bm = &e->mentions[m];
        for (unsigned f = 0; f < CPI_SPEC_MAX_FIELDS && sm->fields[f].field != CPI_F_NONE; f++) {
            int col = find_column(csv, sm->fields[f].column);
            bool required = (sm->fields[f].flags & CPI_SPEC_REQUIRED) && (sm->flags & CPI_SPEC_REQUIRED);
            if (col < 0 && spec->every_column && !required) {
                cpi_status s = missing_column(csv, path, sm->fields[f].column, cpi_field_name(sm->fields[f].field), m + 1,
                                              err);
                cpi_engine_free(e);
                return s;
            }
            if (col < 0 && required) {
                char a[64];
                first_alias(sm->fields[f].column, a, sizeof a);
                cpi_csv_header_list(csv, found, sizeof found);
                cpi_engine_free(e);
                return cpi_error_set(err, CPI_ERR_DATA, "%s: required column '%s' is missing; found %s", path, a,
                                     found);
            }
            bm->fields[bm->nfields++] = (bound_field){sm->fields[f].field, col, sm->fields[f].flags};
            if (col >= 0 && !(sm->fields[f].flags & CPI_SPEC_STREET_NOTE)) /* a note stays a fact too */
                e->consumed[col] = true;
        }
    }
    for (unsigned r = 0; r < spec->nrelations; r++) {
        e->relations[r].date_col = spec->relations[r].date_column ? find_column(csv, spec->relations[r].date_column) : -1;
        e->relations[r].if_col = spec->relations[r].if_column ? find_column(csv, spec->relations[r].if_column) : -1;
        if (spec->every_column && spec->relations[r].date_column && e->relations[r].date_col < 0) {
            cpi_status s = missing_column(csv, path, spec->relations[r].date_column, "a relation's date", 0, err);
            cpi_engine_free(e);
            return s;
        }
    }
    e->today = cpi_norm_day_of_time(time(NULL));
    *out = e;
    return CPI_OK;
}

/* -------------------------------------------------------------- id set */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a: ids are short and not attacker-chosen collisions matter little */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool idset_has(const idset *s, const char *id, uint64_t h)
{
    if (!s->cap)
        return false;
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->slots[i])
            return false;
        if (strcmp(s->slots[i], id) == 0)
            return true;
    }
}

static cpi_status idset_add(idset *s, const char *id, uint64_t h)
{
    if ((s->count + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        const char **slots = calloc(cap, sizeof *slots);
        if (!slots)
            return CPI_ERR_NOMEM;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i]) {
                size_t j = hash_str(s->slots[i]) & (cap - 1);
                while (slots[j])
                    j = (j + 1) & (cap - 1);
                slots[j] = s->slots[i];
            }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    char *copy = cpi_arena_strdup(&s->arena, id);
    if (!copy)
        return CPI_ERR_NOMEM;
    size_t j = h & (s->cap - 1);
    while (s->slots[j])
        j = (j + 1) & (s->cap - 1);
    s->slots[j] = copy;
    s->count++;
    return CPI_OK;
}

void cpi_engine_reset(cpi_engine *e)
{
    free(e->seen.slots);
    cpi_arena_free(&e->seen.arena);
    memset(&e->seen, 0, sizeof e->seen);
}

void cpi_engine_free(cpi_engine *e)
{
    if (!e)
        return;
    cpi_engine_reset(e);
    if (e->fact_names)
        for (size_t i = 0; i < e->ncols; i++)
            free(e->fact_names[i]);
    free(e->fact_names);
    free(e->fact_len);
    free(e->consumed);
    free(e->hash_order);
    free(e->hbuf);
    free(e);
}

/* --------------------------------------------------------------- rows */

static cpi_status reject(cpi_reject *rej, const char *reason, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static cpi_status reject(cpi_reject *rej, const char *reason, int col, const char *fmt, ...)
{
    rej->reason = reason;
    rej->column = col >= 0 ? (size_t)col + 1 : 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rej->detail, sizeof rej->detail, fmt, ap);
    va_end(ap);
    return CPI_ERR_DATA;
}

/* A field with surrounding spaces trimmed, copied into the arena ("" if the column is absent). */
static const char *cell(const cpi_csv_row *row, int col, cpi_arena *a)
{
    if (col < 0 || (size_t)col >= row->nfields)
        return "";
    const char *s = row->field[col];
    size_t n = row->len[col];
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == row->len[col])
        return s; /* the reader's buffer is valid until the next row: callers copy what they keep */
    return cpi_arena_strndup(a, s, n);
}

#define NOMEM() cpi_error_set(err, CPI_ERR_NOMEM, "out of memory building a record")

cpi_status cpi_engine_row(cpi_engine *e, const cpi_csv_row *row, int64_t now, cpi_arena *arena, cpi_record *rec,
                          cpi_reject *rej, cpi_error *err)
{
    const cpi_spec_file *spec = e->spec;
    memset(rec, 0, sizeof *rec);
    memset(rej, 0, sizeof *rej);

    /* the record id */
    const char *id = cell(row, e->id_col, arena);
    if (!id)
        return NOMEM();
    if (!*id)
        return reject(rej, "empty-required-field", e->id_col, "the record id (%s) is empty",
                      e->fact_names[e->id_col]);
    if (!cpi_ref_valid_record_id(id))
        return reject(rej, "invalid-record-id", e->id_col,
                      "record id is not 1-63 letters, digits, '.', '_' or '-'");
    uint64_t idhash = hash_str(id);
    if (idset_has(&e->seen, id, idhash))
        return reject(rej, "duplicate-record-id", e->id_col, "record id %s appears earlier in this file", id);

    /* the record date */
    rec->day = CPI_DAY_NONE;
    if (e->date_col >= 0) {
        const char *d = cell(row, e->date_col, arena);
        if (!d)
            return NOMEM();
        cpi_error de; /* only its message is read, and only when the date fails */
        de.msg[0] = '\0';
        if (!*d) {
            if (spec->date_required)
                return reject(rej, "empty-required-field", e->date_col, "the record date (%s) is empty",
                              e->fact_names[e->date_col]);
        } else if (cpi_norm_date(d, e->today, CPI_DATE_EVENT, &rec->day, &de) != CPI_OK) {
            rec->day = CPI_DAY_NONE;
            if (spec->date_required)
                return reject(rej, "impossible-date", e->date_col, "%s: %s (expected %s)",
                              e->fact_names[e->date_col], de.msg, spec->date_hint ? spec->date_hint : "a date");
        }
    }

    /* mentions, in slot order; empty slots take no number */
    cpi_mention *mentions = cpi_arena_alloc(arena, sizeof *mentions * (spec->nmentions ? spec->nmentions : 1));
    uint32_t slot_to_mention[CPI_SPEC_MAX_MENTIONS];
    if (!mentions)
        return NOMEM();
    uint32_t nm = 0;
    for (unsigned m = 0; m < spec->nmentions; m++) {
        const cpi_spec_mention *sm = &spec->mentions[m];
        const bound_mention *bm = &e->mentions[m];
        const char *values[CPI_F__COUNT] = {0};
        int first_col = -1;
        bool present = false;
        bool filled[CPI_SPEC_MAX_FIELDS] = {false}; /* this field's own column, before address lines join */
        cpi_kvbuf raw = {0};
        for (unsigned f = 0; f < bm->nfields; f++) {
            const bound_field *bf = &bm->fields[f];
            if (first_col < 0)
                first_col = bf->col;
            const char *v = cell(row, bf->col, arena);
            if (!v)
                return NOMEM();
            if (*v && (bf->flags & CPI_SPEC_STREET_NOTE)) {
                bool nomem;
                v = cpi_keys_street_from_note(v, arena, &nomem);
                if (nomem)
                    return NOMEM();
                if (!v)
                    continue; /* a note naming no street name: nothing for this field */
            }
            if (*v) {
                present = true;
                filled[f] = true;
                const char *prev = values[bf->field];
                if (prev && *prev) { /* several columns of one field: address lines */
                    size_t a = strlen(prev), b = strlen(v);
                    char *j = cpi_arena_alloc(arena, a + b + 3);
                    if (!j)
                        return NOMEM();
                    memcpy(j, prev, a);
                    memcpy(j + a, ", ", 2);
                    memcpy(j + a + 2, v, b + 1);
                    values[bf->field] = j;
                } else {
                    values[bf->field] = v;
                }
            }
        }
        slot_to_mention[m] = 0;
        if (!present) {
            if (sm->flags & CPI_SPEC_REQUIRED)
                return reject(rej, "empty-required-field", first_col, "the %s (%s) is empty", sm->role,
                              first_col >= 0 ? e->fact_names[first_col] : "no column");
            continue;
        }
        for (unsigned f = 0; f < bm->nfields; f++) {
            const bound_field *bf = &bm->fields[f];
            if ((bf->flags & CPI_SPEC_REQUIRED) && !filled[f])
                return reject(rej, "empty-required-field", bf->col, "%s is empty",
                              bf->col >= 0 ? e->fact_names[bf->col] : cpi_field_name(bf->field));
        }
        for (int f = 1; f < CPI_F__COUNT; f++) /* values are the row's cells or arena strings */
            if (values[f] && cpi_kvbuf_add_ref(&raw, arena, cpi_field_name((cpi_field)f), values[f]) != CPI_OK)
                return NOMEM();
        cpi_kvbuf keys = {0};
        unsigned long bad = 0;
        if (cpi_keys_build(sm->kind, values, rec->day, arena, &keys, &bad, err) != CPI_OK)
            return err->status;
        for (unsigned f = 0; f < bm->nfields; f++) {
            const bound_field *bf = &bm->fields[f];
            if ((bf->flags & CPI_SPEC_REQUIRED) && (bad & (1ul << bf->field))) {
                bool date = bf->field == CPI_F_DOB || bf->field == CPI_F_AGE;
                return reject(rej, date ? "impossible-date" : "invalid-value", bf->col, "%s: cannot read '%s'",
                              bf->col >= 0 ? e->fact_names[bf->col] : cpi_field_name(bf->field),
                              values[bf->field]);
            }
        }
        mentions[nm] = (cpi_mention){.kind = sm->kind, .role = sm->role, .raw = cpi_kvbuf_list(&raw),
                                     .keys = cpi_kvbuf_list(&keys)};
        slot_to_mention[m] = ++nm;
    }

    /* relations between present slots */
    cpi_relation *rels = cpi_arena_alloc(arena, sizeof *rels * (spec->nrelations ? spec->nrelations : 1));
    if (!rels)
        return NOMEM();
    uint32_t nr = 0;
    for (unsigned r = 0; r < spec->nrelations; r++) {
        const cpi_spec_relation *sr = &spec->relations[r];
        if (sr->from < 1 || sr->from > spec->nmentions || sr->to < 1 || sr->to > spec->nmentions)
            return cpi_error_set(err, CPI_ERR_SCHEMA, "spec %s: relation %u names slot %u->%u of %u",
                                 spec->record_type, r + 1, sr->from, sr->to, spec->nmentions);
        uint32_t from = slot_to_mention[sr->from - 1], to = slot_to_mention[sr->to - 1];
        if (!from || !to)
            continue;
        if (sr->if_column) {
            const char *v = cell(row, e->relations[r].if_col, arena);
            if (!v)
                return NOMEM();
            if (strcasecmp(v, sr->if_value ? sr->if_value : "Y") != 0)
                continue;
        }
        int32_t day = CPI_DAY_NONE;
        if (e->relations[r].date_col >= 0) {
            const char *d = cell(row, e->relations[r].date_col, arena);
            if (!d)
                return NOMEM();
            if (*d && cpi_norm_date(d, e->today, CPI_DATE_EVENT, &day, NULL) != CPI_OK)
                day = CPI_DAY_NONE; /* the raw text stays a fact */
        }
        rels[nr++] = (cpi_relation){.type = sr->type, .from = from, .to = to, .day = day};
    }

    /* facts, and the content hash over every non-empty column: each (name, value) pair with
     * its NUL, in name order, hashed in one call (one update per string cost more than the
     * hashing itself) */
    size_t need = e->fact_total;
    for (size_t c = 0; c < row->nfields && c < e->ncols; c++)
        need += row->len[c] + 1;
    if (CPI_GROW(e->hbuf, e->hcap, need, 4096))
        return NOMEM();
    size_t hlen = 0;
    cpi_kvbuf facts = {0};
    for (size_t k = 0; k < e->ncols; k++) {
        size_t c = e->hash_order[k];
        const char *v = cell(row, (int)c, arena);
        if (!v)
            return NOMEM();
        if (!*v)
            continue;
        size_t vl = strlen(v);
        memcpy(e->hbuf + hlen, e->fact_names[c], e->fact_len[c] + 1);
        hlen += e->fact_len[c] + 1;
        memcpy(e->hbuf + hlen, v, vl + 1);
        hlen += vl + 1;
        if (!e->consumed[c] && cpi_kvbuf_add_ref(&facts, arena, e->fact_names[c], v) != CPI_OK)
            return NOMEM();
    }
    crypto_generichash(rec->prov.hash, sizeof rec->prov.hash, e->hbuf, hlen, NULL, 0);

    size_t reflen = strlen(e->source) + 1 + strlen(id) + 1;
    char *ref = cpi_arena_alloc(arena, reflen);
    if (!ref)
        return NOMEM();
    size_t sl = strlen(e->source);
    memcpy(ref, e->source, sl);
    ref[sl] = ':';
    memcpy(ref + sl + 1, id, reflen - sl - 1); /* id and its NUL */
    if (idset_add(&e->seen, id, idhash) != CPI_OK)
        return NOMEM();

    rec->ref = ref;
    rec->type = spec->record_type;
    rec->prov.file = e->path;
    rec->prov.line = row->line;
    rec->prov.ingest_time = now;
    rec->facts = cpi_kvbuf_list(&facts);
    rec->mentions = mentions;
    rec->nmentions = nm;
    rec->relations = rels;
    rec->nrelations = nr;
    return CPI_OK;
}
