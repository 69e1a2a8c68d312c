/*
 * mapfile.c - the mapping-file parser behind `cpindex ingest csv --map FILE`
 * (see mapfile.h; the format is docs/mapping.md).
 *
 * Why hand-written rather than an INI library: the format is a dozen keys in
 * three sections, and the point of the parser is what it refuses. A mapping
 * that silently drops a column (a mis-typed key, a key given twice, a field
 * that the mention's kind never reads) would load a spreadsheet with people
 * missing from it and nobody would notice, so every such slip is an error
 * naming the file, line and key, and nothing is guessed.
 *
 * One pass over the lines. Checks that need a whole section (kind and role
 * present, fields fit the kind, `require` names mapped fields) run when the
 * section ends; checks that need the whole file (relation ends within the
 * number of mentions) run at the end, with the line of the offending key
 * remembered for the message.
 *
 * Invariants of a returned cpi_mapfile: adapter.files == &spec, nfiles 1,
 * pick NULL; spec.file_name NULL, signature empty, every_column set (a
 * column the mapping names must be in the file); every string the spec
 * points to lives in m->arena; column values are "A|B" with each alias
 * trimmed and non-empty; 1 <= from, to <= nmentions and from != to.
 */
#include "ingest/mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ingest/csv.h"

#define MAP_MAX_BYTES (1u << 20) /* a mapping file is a page of text; more is a wrong file */
#define MAP_MAX_LINE 4096u

/* A built-in silo's name (core/source.h, the adapter table) or "csv": a mapped file must not write records
 * under their prefixes. core/source.h keeps the names reserved even for a build without a silo. */
static bool reserved_source(const char *v)
{
    cpi_src s;
    return strcmp(v, "csv") == 0 || (cpi_src_parse(v, &s) && s != CPI_SRC_OTHER) || cpi_adapter_find(v);
}

typedef enum section { SEC_NONE, SEC_FILE, SEC_MENTION, SEC_RELATION } section;

static const char *const section_names[] = {[SEC_FILE] = "file", [SEC_MENTION] = "mention",
                                            [SEC_RELATION] = "relation"};

/* Keys of [file] and [relation], and the non-field keys of [mention]; fields are looked up by cpi_field_parse. */
enum { FK_SOURCE, FK_RECORD_TYPE, FK_ID, FK_DATE, FK_DATE_REQUIRED, FK__COUNT };
static const char *const file_keys[FK__COUNT] = {"source", "record_type", "id", "date", "date_required"};
enum { MK_KIND, MK_ROLE, MK_REQUIRED, MK_REQUIRE, MK__COUNT };
static const char *const mention_keys[MK__COUNT] = {"kind", "role", "required", "require"};
enum { RK_TYPE, RK_FROM, RK_TO, RK_DATE, RK__COUNT };
static const char *const relation_keys[RK__COUNT] = {"type", "from", "to", "date"};

typedef struct parser {
    const char *name; /* for messages */
    cpi_mapfile *m;
    cpi_error *err;
    unsigned line;       /* current line, from 1 */
    section sec;
    unsigned sec_line;   /* line of the current section header */
    unsigned file_line;  /* line of [file], 0 if none yet */
    unsigned seen[8];    /* line where each key of the current section was set, 0 if not */
    unsigned field_seen[CPI_F__COUNT];
    cpi_field require[CPI_F__COUNT];
    unsigned nrequire;
    unsigned rel_line[CPI_SPEC_MAX_RELATIONS][2]; /* lines of from / to, for the end-of-file range check */
} parser;

static cpi_status fail(parser *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefix every message with "FILE: line N: " (N 0 means the file as a whole). */
static cpi_status fail(parser *p, unsigned line, const char *fmt, ...)
{
    char what[CPI_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line)
        return cpi_error_set(p->err, CPI_ERR_USAGE, "%s: line %u: %s", p->name, line, what);
    return cpi_error_set(p->err, CPI_ERR_USAGE, "%s: %s", p->name, what);
}

static cpi_status nomem(parser *p) { return cpi_error_set(p->err, CPI_ERR_NOMEM, "%s: out of memory", p->name); }

static bool is_space(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s))
        (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Lower-case words joined by single hyphens ("home-address"); roles and relation types. */
static bool hyphenated(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return false;
    for (; *s; s++) {
        bool alnum = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9');
        if (!alnum && !(*s == '-' && s[1] && s[1] != '-'))
            return false;
    }
    return true;
}

static cpi_status parse_bool(parser *p, const char *key, const char *v, bool *out)
{
    if (strcasecmp(v, "yes") == 0)
        *out = true;
    else if (strcasecmp(v, "no") == 0)
        *out = false;
    else
        return fail(p, p->line, "key '%s': '%.40s' is not yes or no", key, v);
    return CPI_OK;
}

/*
 * A column value: one header name or "A|B|C" aliases. Each alias is trimmed
 * (the engine matches ignoring surrounding spaces anyway) and must be
 * non-empty, since "A||B" or a trailing '|' is a typing slip.
 */
static cpi_status parse_columns(parser *p, const char *key, const char *v, const char **out)
{
    size_t n = strlen(v);
    char *buf = cpi_arena_alloc(&p->m->arena, n + 1);
    if (!buf)
        return nomem(p);
    size_t len = 0;
    const char *s = v;
    for (;;) {
        const char *bar = strchr(s, '|');
        size_t an = bar ? (size_t)(bar - s) : strlen(s);
        const char *a = s;
        trim(&a, &an);
        if (an == 0)
            return fail(p, p->line, "key '%s': empty column name in '%.80s'", key, v);
        if (len)
            buf[len++] = '|';
        memcpy(buf + len, a, an);
        len += an;
        if (!bar)
            break;
        s = bar + 1;
    }
    buf[len] = '\0';
    *out = buf;
    return CPI_OK;
}

/* A mention or relation number as written in from/to: 1..CPI_SPEC_MAX_MENTIONS, digits only. */
static cpi_status parse_slot(parser *p, const char *key, const char *v, unsigned *out)
{
    unsigned n = 0;
    const char *s = v;
    if (*s < '1' || *s > '9')
        goto bad;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            goto bad;
        n = n * 10 + (unsigned)(*s - '0');
        if (n > CPI_SPEC_MAX_MENTIONS)
            return fail(p, p->line, "key '%s': mention %.20s is out of range (at most %d mentions)", key, v,
                        CPI_SPEC_MAX_MENTIONS);
    }
    *out = n;
    return CPI_OK;
bad:
    return fail(p, p->line, "key '%s': '%.40s' is not a mention number (1, 2, ...)", key, v);
}

static int key_index(const char *const *keys, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(keys[i], key) == 0)
            return i;
    return -1;
}

/* Which kind reads a field: a field of another kind would be carried but never matched on. An email
 * belongs to an online identity, and a person's own email column is compared as the person's. */
static cpi_kind field_kind(cpi_field f)
{
    if (f >= CPI_F_NAME && f <= CPI_F_STREET_NAME)
        return CPI_KIND_PERSON;
    if ((f >= CPI_F_ADDRESS && f <= CPI_F_PLACE_TYPE) || (f >= CPI_F_HOUSE && f <= CPI_F_REGION))
        return CPI_KIND_LOCATION;
    if (f == CPI_F_PHONE)
        return CPI_KIND_PHONE;
    return CPI_KIND_ONLINE;
}

static bool field_fits(cpi_field f, cpi_kind kind)
{
    return field_kind(f) == kind || (f == CPI_F_EMAIL && kind == CPI_KIND_PERSON);
}

static cpi_status once(parser *p, unsigned *seen, const char *key)
{
    if (*seen)
        return fail(p, p->line, "key '%s' given twice in this [%s] section (first at line %u)", key,
                    section_names[p->sec], *seen);
    *seen = p->line;
    return CPI_OK;
}

static cpi_status file_key(parser *p, const char *key, const char *v)
{
    cpi_spec_file *sp = &p->m->spec;
    int k = key_index(file_keys, FK__COUNT, key);
    if (k < 0)
        return fail(p, p->line, "unknown key '%.40s' in [file] (source, record_type, id, date, date_required)",
                    key);
    cpi_status s = once(p, &p->seen[k], file_keys[k]);
    if (s != CPI_OK)
        return s;
    switch (k) {
    case FK_SOURCE:
        if (!cpi_ref_valid_source(v))
            return fail(p, p->line,
                        "key 'source': '%.40s' is not a source name (a lower-case letter, then up to %d "
                        "lower-case letters, digits or _)",
                        v, CPI_SOURCE_MAX - 2);
        if (reserved_source(v))
            return fail(p, p->line, "key 'source': '%s' is a built-in silo; a mapped file needs its own name", v);
        memcpy(p->m->source, v, strlen(v) + 1);
        return CPI_OK;
    case FK_RECORD_TYPE: {
        size_t n = strlen(v);
        bool ok = n < 32 && v[0] >= 'a' && v[0] <= 'z';
        for (size_t i = 0; ok && i < n; i++)
            ok = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-';
        if (!ok)
            return fail(p, p->line,
                        "key 'record_type': '%.40s' must be lower-case letters, digits, _ or -, under 32 "
                        "characters",
                        v);
        sp->record_type = cpi_arena_strdup(&p->m->arena, v);
        return sp->record_type ? CPI_OK : nomem(p);
    }
    case FK_ID:
        return parse_columns(p, "id", v, &sp->id_column);
    case FK_DATE:
        return parse_columns(p, "date", v, &sp->date_column);
    default:
        return parse_bool(p, "date_required", v, &sp->date_required);
    }
}

static cpi_status mention_key(parser *p, const char *key, const char *v)
{
    cpi_spec_file *sp = &p->m->spec;
    cpi_spec_mention *mn = &sp->mentions[sp->nmentions - 1];
    int k = key_index(mention_keys, MK__COUNT, key);
    if (k < 0) {
        cpi_field f = cpi_field_parse(key);
        if (f == CPI_F_NONE)
            return fail(p, p->line,
                        "unknown key '%.40s' in [mention] (kind, role, required, require, or a field: name, "
                        "forenames, surname, dob, age, gender, nominal_id, pnc, alias, street_name, email, address, "
                        "house, street, town, locality, region, postcode, location_id, place_name, place_type, "
                        "phone, username)",
                        key);
        if (f != CPI_F_ADDRESS) {
            cpi_status s = once(p, &p->field_seen[f], cpi_field_name(f));
            if (s != CPI_OK)
                return s;
        } else if (!p->field_seen[f]) {
            p->field_seen[f] = p->line;
        }
        unsigned nf = 0;
        while (nf < CPI_SPEC_MAX_FIELDS && mn->fields[nf].field != CPI_F_NONE)
            nf++;
        if (nf == CPI_SPEC_MAX_FIELDS)
            return fail(p, p->line, "key '%s': more than %d fields in one mention", cpi_field_name(f),
                        CPI_SPEC_MAX_FIELDS);
        mn->fields[nf].field = f;
        return parse_columns(p, cpi_field_name(f), v, &mn->fields[nf].column);
    }
    cpi_status s = once(p, &p->seen[k], mention_keys[k]);
    if (s != CPI_OK)
        return s;
    switch (k) {
    case MK_KIND: {
        char low[16];
        size_t n = strlen(v);
        for (size_t i = 0; i < n && i < sizeof low - 1; i++)
            low[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] - 'A' + 'a' : v[i]);
        low[n < sizeof low - 1 ? n : sizeof low - 1] = '\0';
        if (n >= sizeof low || cpi_kind_parse(low, &mn->kind) != CPI_OK)
            return fail(p, p->line, "key 'kind': '%.40s' is not a kind (person, location, phone, online)", v);
        return CPI_OK;
    }
    case MK_ROLE:
        if (!hyphenated(v))
            return fail(p, p->line, "key 'role': '%.40s' must be lower-case words joined by '-' (home-address)",
                        v);
        mn->role = cpi_arena_strdup(&p->m->arena, v);
        return mn->role ? CPI_OK : nomem(p);
    case MK_REQUIRED: {
        bool yes = false;
        s = parse_bool(p, "required", v, &yes);
        if (s == CPI_OK && yes)
            mn->flags |= CPI_SPEC_REQUIRED;
        return s;
    }
    default: /* require: field names, checked against the mapped fields when the section ends */
        for (const char *e = v;;) {
            const char *comma = strchr(e, ',');
            size_t n = comma ? (size_t)(comma - e) : strlen(e);
            const char *w = e;
            trim(&w, &n);
            char fname[32];
            if (n == 0 || n >= sizeof fname)
                return fail(p, p->line, "key 'require': '%.80s' is not a comma-separated list of fields", v);
            memcpy(fname, w, n);
            fname[n] = '\0';
            cpi_field f = cpi_field_parse(fname);
            if (f == CPI_F_NONE)
                return fail(p, p->line, "key 'require': '%s' is not a field name", fname);
            unsigned r = 0;
            while (r < p->nrequire && p->require[r] != f)
                r++;
            if (r == p->nrequire) /* a field listed twice is still one requirement, so nrequire < CPI_F__COUNT */
                p->require[p->nrequire++] = f;
            if (!comma)
                break;
            e = comma + 1;
        }
        return CPI_OK;
    }
}

static cpi_status relation_key(parser *p, const char *key, const char *v)
{
    cpi_spec_file *sp = &p->m->spec;
    cpi_spec_relation *r = &sp->relations[sp->nrelations - 1];
    int k = key_index(relation_keys, RK__COUNT, key);
    if (k < 0)
        return fail(p, p->line, "unknown key '%.40s' in [relation] (type, from, to, date)", key);
    cpi_status s = once(p, &p->seen[k], relation_keys[k]);
    if (s != CPI_OK)
        return s;
    switch (k) {
    case RK_TYPE:
        if (!hyphenated(v))
            return fail(p, p->line, "key 'type': '%.40s' must be lower-case words joined by '-' (lives-at)", v);
        r->type = cpi_arena_strdup(&p->m->arena, v);
        return r->type ? CPI_OK : nomem(p);
    case RK_FROM:
        p->rel_line[sp->nrelations - 1][0] = p->line;
        return parse_slot(p, "from", v, &r->from);
    case RK_TO:
        p->rel_line[sp->nrelations - 1][1] = p->line;
        return parse_slot(p, "to", v, &r->to);
    default:
        return parse_columns(p, "date", v, &r->date_column);
    }
}

/* Checks that need the whole section; called at the next section header and at end of file. */
static cpi_status end_section(parser *p)
{
    cpi_spec_file *sp = &p->m->spec;
    const char *sec = section_names[p->sec];
    switch (p->sec) {
    case SEC_NONE:
        return CPI_OK;
    case SEC_FILE:
        if (!p->seen[FK_SOURCE])
            return fail(p, p->sec_line, "[file] has no 'source' key (required)");
        if (!p->seen[FK_ID])
            return fail(p, p->sec_line, "[file] has no 'id' key (required)");
        if (sp->date_required && !p->seen[FK_DATE])
            return fail(p, p->seen[FK_DATE_REQUIRED], "key 'date_required': yes needs a 'date' column");
        return CPI_OK;
    case SEC_MENTION: {
        unsigned n = sp->nmentions;
        cpi_spec_mention *mn = &sp->mentions[n - 1];
        if (!p->seen[MK_KIND])
            return fail(p, p->sec_line, "[mention] %u has no 'kind' key (required)", n);
        if (!p->seen[MK_ROLE])
            return fail(p, p->sec_line, "[mention] %u has no 'role' key (required)", n);
        if (mn->fields[0].field == CPI_F_NONE)
            return fail(p, p->sec_line, "[mention] %u maps no column (give at least one field key)", n);
        for (unsigned i = 0; i < CPI_SPEC_MAX_FIELDS && mn->fields[i].field != CPI_F_NONE; i++) {
            cpi_field f = mn->fields[i].field;
            if (!field_fits(f, mn->kind))
                return fail(p, p->field_seen[f], "key '%s': a %s field, but [mention] %u is a %s", cpi_field_name(f),
                            cpi_kind_name(field_kind(f)), n, cpi_kind_name(mn->kind));
        }
        /* `require = address` marks the first address line: the one a row cannot do without. */
        for (unsigned r = 0; r < p->nrequire; r++) {
            unsigned i = 0;
            while (i < CPI_SPEC_MAX_FIELDS && mn->fields[i].field != CPI_F_NONE &&
                   mn->fields[i].field != p->require[r])
                i++;
            if (i == CPI_SPEC_MAX_FIELDS || mn->fields[i].field == CPI_F_NONE)
                return fail(p, p->seen[MK_REQUIRE], "key 'require': [mention] %u does not map '%s'", n,
                            cpi_field_name(p->require[r]));
            mn->fields[i].flags |= CPI_SPEC_REQUIRED;
        }
        return CPI_OK;
    }
    case SEC_RELATION: {
        unsigned n = sp->nrelations;
        for (int k = 0; k < RK_DATE; k++)
            if (!p->seen[k])
                return fail(p, p->sec_line, "[relation] %u has no '%s' key (required)", n, relation_keys[k]);
        return CPI_OK;
    }
    }
    return fail(p, p->sec_line, "internal: unknown section [%s]", sec);
}

static cpi_status begin_section(parser *p, const char *name)
{
    cpi_status s = end_section(p);
    if (s != CPI_OK)
        return s;
    cpi_spec_file *sp = &p->m->spec;
    memset(p->seen, 0, sizeof p->seen);
    memset(p->field_seen, 0, sizeof p->field_seen);
    p->nrequire = 0;
    p->sec_line = p->line;
    if (strcasecmp(name, "file") == 0) {
        if (p->file_line)
            return fail(p, p->line, "a second [file] section (the first is at line %u)", p->file_line);
        p->file_line = p->line;
        p->sec = SEC_FILE;
    } else if (strcasecmp(name, "mention") == 0) {
        if (sp->nmentions == CPI_SPEC_MAX_MENTIONS)
            return fail(p, p->line, "more than %d [mention] sections", CPI_SPEC_MAX_MENTIONS);
        sp->nmentions++;
        p->sec = SEC_MENTION;
    } else if (strcasecmp(name, "relation") == 0) {
        if (sp->nrelations == CPI_SPEC_MAX_RELATIONS)
            return fail(p, p->line, "more than %d [relation] sections", CPI_SPEC_MAX_RELATIONS);
        sp->nrelations++;
        p->sec = SEC_RELATION;
    } else {
        return fail(p, p->line, "unknown section [%.40s] (file, mention, relation)", name);
    }
    return CPI_OK;
}

/* One line, line end already removed. */
static cpi_status parse_line(parser *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
            return fail(p, p->line, "control character (byte 0x%02x) at column %zu", (unsigned char)s[i], i + 1);
    if (!cpi_csv_utf8_valid(s, n))
        return fail(p, p->line, "not valid UTF-8");
    trim(&s, &n);
    if (n == 0 || s[0] == '#' || s[0] == ';')
        return CPI_OK;
    char buf[MAP_MAX_LINE + 1];
    if (s[0] == '[') {
        if (s[n - 1] != ']')
            return fail(p, p->line, "a section header must be [name] alone on its line");
        const char *name = s + 1;
        size_t nn = n - 2;
        trim(&name, &nn);
        memcpy(buf, name, nn);
        buf[nn] = '\0';
        return begin_section(p, buf);
    }
    const char *eq = memchr(s, '=', n);
    if (!eq)
        return fail(p, p->line, "expected 'key = value' or a [section]");
    const char *key = s, *val = eq + 1;
    size_t kn = (size_t)(eq - s), vn = n - kn - 1;
    trim(&key, &kn);
    trim(&val, &vn);
    if (kn == 0)
        return fail(p, p->line, "expected 'key = value': nothing before '='");
    char kbuf[64];
    if (kn >= sizeof kbuf)
        return fail(p, p->line, "unknown key '%.40s...'", key);
    memcpy(kbuf, key, kn);
    kbuf[kn] = '\0';
    if (p->sec == SEC_NONE)
        return fail(p, p->line, "key '%s' before any [section]", kbuf);
    if (vn == 0)
        return fail(p, p->line, "key '%s' has no value", kbuf);
    memcpy(buf, val, vn);
    buf[vn] = '\0';
    switch (p->sec) {
    case SEC_FILE: return file_key(p, kbuf, buf);
    case SEC_MENTION: return mention_key(p, kbuf, buf);
    default: return relation_key(p, kbuf, buf);
    }
}

/* Checks that need the whole file. */
static cpi_status end_file(parser *p)
{
    cpi_status s = end_section(p);
    if (s != CPI_OK)
        return s;
    cpi_spec_file *sp = &p->m->spec;
    if (!p->file_line)
        return fail(p, 0, "no [file] section (it names the source and the id column)");
    if (sp->nmentions == 0)
        return fail(p, 0, "no [mention] section: rows would mention nobody and link to nothing");
    for (unsigned i = 0; i < sp->nrelations; i++) {
        const cpi_spec_relation *r = &sp->relations[i];
        if (r->from > sp->nmentions)
            return fail(p, p->rel_line[i][0], "key 'from': mention %u, but the file has only %u [mention] section(s)",
                        r->from, sp->nmentions);
        if (r->to > sp->nmentions)
            return fail(p, p->rel_line[i][1], "key 'to': mention %u, but the file has only %u [mention] section(s)", r->to,
                        sp->nmentions);
        if (r->from == r->to)
            return fail(p, p->rel_line[i][1], "key 'to': a relation from mention %u to itself", r->to);
    }
    if (!sp->record_type)
        sp->record_type = "row";
    return CPI_OK;
}

cpi_status cpi_mapfile_parse(const char *name, const char *text, size_t len, cpi_mapfile **out, cpi_error *err)
{
    *out = NULL;
    if (!name)
        name = "<mapping>";
    if (len > MAP_MAX_BYTES)
        return cpi_error_set(err, CPI_ERR_USAGE, "%s: %zu bytes; a mapping file is at most %u bytes", name, len,
                             MAP_MAX_BYTES);
    cpi_mapfile *m = calloc(1, sizeof *m);
    if (!m)
        return cpi_error_set(err, CPI_ERR_NOMEM, "%s: out of memory", name);
    parser p = {.name = name, .m = m, .err = err};
    const char *s = text, *end = text + len;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) /* Notepad's byte-order mark */
        s += 3;
    cpi_status st = CPI_OK;
    while (st == CPI_OK && s < end) {
        p.line++;
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        if (n && s[n - 1] == '\r')
            n--;
        if (n > MAP_MAX_LINE)
            st = fail(&p, p.line, "line longer than %u bytes", MAP_MAX_LINE);
        else
            st = parse_line(&p, s, n);
        s = nl ? nl + 1 : end;
    }
    if (st == CPI_OK)
        st = end_file(&p);
    if (st != CPI_OK) {
        cpi_mapfile_free(m);
        return st;
    }
    m->spec.file_name = NULL;
    m->spec.signature[0] = NULL;
    m->spec.every_column = true; /* a mapped column missing from the file refuses it rather than drop the field */
    m->adapter.source = m->source;
    m->adapter.description = "a CSV file loaded by a mapping file (--map)";
    m->adapter.files = &m->spec;
    m->adapter.nfiles = 1;
    m->adapter.pick = NULL;
    *out = m;
    return CPI_OK;
}

cpi_status cpi_mapfile_load(const char *path, cpi_mapfile **out, cpi_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cpi_error_set(err, CPI_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    /* Read one byte past the cap so an oversized file is told apart without trusting st_size (pipes). */
    char *buf = malloc(MAP_MAX_BYTES + 1);
    if (!buf) {
        close(fd);
        return cpi_error_set(err, CPI_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t len = 0;
    while (len < MAP_MAX_BYTES + 1) {
        ssize_t r = read(fd, buf + len, MAP_MAX_BYTES + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return cpi_error_set(err, CPI_ERR_IO, "%s: read error: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    cpi_status s;
    if (len > MAP_MAX_BYTES)
        s = cpi_error_set(err, CPI_ERR_USAGE, "%s: larger than %u bytes; is this really a mapping file?", path,
                          MAP_MAX_BYTES);
    else
        s = cpi_mapfile_parse(path, buf, len, out, err);
    free(buf);
    return s;
}

void cpi_mapfile_free(cpi_mapfile *m)
{
    if (!m)
        return;
    cpi_arena_free(&m->arena);
    free(m);
}
