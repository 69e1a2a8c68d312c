/* model.c - reference parsing and small helpers over the data model (see model.h). */
#include "core/model.h"

#include <stdio.h>
#include <string.h>

bool cpi_ref_valid_source(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= CPI_SOURCE_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Letters, digits, '.', '_' and '-': a table, as every row's id and every identifier key is checked. */
static const unsigned char id_chars[256] = {
    ['.'] = 1, ['_'] = 1, ['-'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
    ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

bool cpi_ref_valid_record_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!id_chars[(unsigned char)s[n]] || n + 1 >= CPI_RECORD_ID_MAX)
            return false;
    return n > 0;
}

cpi_status cpi_ref_parse(const char *text, cpi_ref *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    const char *colon = strchr(text, ':');
    if (!colon)
        return cpi_error_set(err, CPI_ERR_USAGE,
                             "reference '%.80s': expected SOURCE:RECORD_ID or SOURCE:RECORD_ID/N", text);
    size_t slen = (size_t)(colon - text);
    if (slen == 0 || slen >= CPI_SOURCE_MAX)
        return cpi_error_set(err, CPI_ERR_USAGE, "reference '%.80s': source name missing or too long", text);
    memcpy(out->source, text, slen);
    if (!cpi_ref_valid_source(out->source))
        return cpi_error_set(err, CPI_ERR_USAGE,
                             "reference '%.80s': source must be lower-case letters, digits or _", text);
    const char *id = colon + 1;
    const char *slash = strchr(id, '/');
    size_t idlen = slash ? (size_t)(slash - id) : strlen(id);
    if (idlen == 0 || idlen >= CPI_RECORD_ID_MAX)
        return cpi_error_set(err, CPI_ERR_USAGE, "reference '%.80s': record id missing or too long", text);
    memcpy(out->record_id, id, idlen);
    if (!cpi_ref_valid_record_id(out->record_id))
        return cpi_error_set(err, CPI_ERR_USAGE,
                             "reference '%.80s': record id may hold only letters, digits, '.', '_' and '-'",
                             text);
    if (slash) {
        const char *p = slash + 1;
        if (*p < '1' || *p > '9')
            return cpi_error_set(err, CPI_ERR_USAGE,
                                 "reference '%.80s': mention number must be a whole number from 1", text);
        uint32_t n = 0;
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return cpi_error_set(err, CPI_ERR_USAGE, "reference '%.80s': mention number is not a number",
                                     text);
            n = n * 10 + (uint32_t)(*p - '0');
            if (n > CPI_MENTION_MAX)
                return cpi_error_set(err, CPI_ERR_USAGE, "reference '%.80s': mention number above %d", text,
                                     CPI_MENTION_MAX);
        }
        out->mention = n;
    }
    return CPI_OK;
}

int cpi_ref_format(const cpi_ref *ref, char *buf, size_t cap)
{
    int n = ref->mention ? snprintf(buf, cap, "%s:%s/%u", ref->source, ref->record_id, ref->mention)
                         : snprintf(buf, cap, "%s:%s", ref->source, ref->record_id);
    return (n < 0 || (size_t)n >= cap) ? -1 : n;
}

static const char *const kind_names[] = {
    [CPI_KIND_PERSON] = "person",
    [CPI_KIND_LOCATION] = "location",
    [CPI_KIND_PHONE] = "phone",
    [CPI_KIND_ONLINE] = "online",
};

const char *cpi_kind_name(cpi_kind kind)
{
    if (kind >= CPI_KIND_PERSON && kind <= CPI_KIND_ONLINE)
        return kind_names[kind];
    return NULL;
}

cpi_status cpi_kind_parse(const char *name, cpi_kind *out)
{
    for (int k = CPI_KIND_PERSON; k <= CPI_KIND_ONLINE; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (cpi_kind)k;
            return CPI_OK;
        }
    return CPI_ERR_USAGE;
}

const char *cpi_kv_get(const cpi_kvlist *list, const char *key)
{
    for (uint32_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i].key, key) == 0)
            return list->items[i].value;
    return NULL;
}
