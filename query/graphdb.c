/*
 * graphdb.c - edge and card values, flag names, and the readers queries use
 * (see graphdb.h).
 *
 * Edge fields: t type, o other, d 1 out / 0 in, c current, f first day,
 * l last day, n count, w times, s source mask, of other's flags, r refs,
 * x more refs elsewhere. "t" comes first so an entity's dupsort edges are
 * grouped by type.
 * Card fields: k kind, nm name, dob, pc postcode, f flags, s sources, m
 * mentions, d0/d1 first/last day, mr mace risk, sf seraf, md mace day, mu
 * unflagged, mg miraf grade, ep episodes, lm last missing, dg degree, cc
 * component, cm community, rc reach, rr risky reach.
 */
#include "query/graphdb.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cpi_flag_info flag_table[CPI_EF__COUNT] = {
    [CPI_EF_CHILD] = {"child", "child", CPI_SRC_OTHER},
    [CPI_EF_ADULT] = {"adult", "adult", CPI_SRC_OTHER},
    [CPI_EF_RSO] = {"rso", "registered sex offender", CPI_SRC_NICHE},
    [CPI_EF_SHPO] = {"shpo", "sexual harm prevention order", CPI_SRC_NICHE},
    [CPI_EF_CAWN] = {"cawn", "child abduction warning notice served", CPI_SRC_MIRAF},
    [CPI_EF_VIOLENT] = {"violent", "violent warning marker", CPI_SRC_NICHE},
    [CPI_EF_MIRAF_RISK] = {"miraf-risk", "named as posing a risk on a MIRAF", CPI_SRC_MIRAF},
    [CPI_EF_MACE_ADULT] = {"mace-adult", "MACE adult of concern", CPI_SRC_MACE},
    [CPI_EF_OCG] = {"ocg-member", "organised crime group member", CPI_SRC_SOC},
    [CPI_EF_PERPETRATOR] = {"marac-perpetrator", "domestic abuse perpetrator (MARAC)", CPI_SRC_MARAC},
    [CPI_EF_POLIT_SUBJECT] = {"polit-subject", "online child abuse subject (POLIT)", CPI_SRC_POLIT},
    [CPI_EF_SUSPECT] = {"suspect", "suspect or offender in an occurrence", CPI_SRC_NICHE},
    [CPI_EF_CPP] = {"cpp", "child protection plan", CPI_SRC_NICHE},
    [CPI_EF_LAC] = {"looked-after", "looked-after child", CPI_SRC_NICHE},
    [CPI_EF_CSE_RISK] = {"cse-risk", "CSE risk marker", CPI_SRC_NICHE},
    [CPI_EF_CCE_RISK] = {"cce-risk", "CCE risk marker", CPI_SRC_NICHE},
    [CPI_EF_REPEAT_MISSING] = {"repeat-missing", "repeat missing marker", CPI_SRC_NICHE},
    [CPI_EF_MARAC_MARKER] = {"marac-marker", "MARAC marker on Niche", CPI_SRC_NICHE},
    [CPI_EF_MISSING] = {"missing", "has been missing", CPI_SRC_MIRAF},
    [CPI_EF_MACE_CHILD] = {"mace-child", "discussed at MACE", CPI_SRC_MACE},
    [CPI_EF_SOC_CHILD] = {"soc-child", "child at risk in a SOC plan", CPI_SRC_SOC},
    [CPI_EF_MARAC_CHILD] = {"marac-child", "in a MARAC household", CPI_SRC_MARAC},
    [CPI_EF_POLIT_CHILD] = {"polit-child", "POLIT victim or household child", CPI_SRC_POLIT},
    [CPI_EF_PPN] = {"ppn", "public protection notice", CPI_SRC_NICHE},
    [CPI_EF_PPN_UNSHARED] = {"ppn-unshared", "PPN not shared with social care", CPI_SRC_NICHE},
    [CPI_EF_VICTIM] = {"victim", "victim in an occurrence", CPI_SRC_NICHE},
    [CPI_EF_HOME] = {"home", "home", CPI_SRC_OTHER},
    [CPI_EF_CARE_HOME] = {"care-home", "care home", CPI_SRC_OTHER},
    [CPI_EF_FOSTER_HOME] = {"foster-home", "foster home", CPI_SRC_OTHER},
    [CPI_EF_SCHOOL] = {"school", "school", CPI_SRC_OTHER},
    [CPI_EF_CUCKOOED] = {"cuckooed", "cuckooed address", CPI_SRC_SOC},
    [CPI_EF_TRAP_HOUSE] = {"trap-house", "trap house", CPI_SRC_SOC},
    [CPI_EF_PLACE_OF_CONCERN] = {"place-of-concern", "MACE location of concern", CPI_SRC_MACE},
    [CPI_EF_FOUND_AT] = {"found-at", "missing children found here", CPI_SRC_MIRAF},
    [CPI_EF_MARAC_ADDRESS] = {"marac-address", "MARAC victim's address", CPI_SRC_MARAC},
    [CPI_EF_POLIT_ADDRESS] = {"polit-address", "POLIT subject's address", CPI_SRC_POLIT},
    [CPI_EF_OCG_ADDRESS] = {"ocg-address", "organised crime group operates from here", CPI_SRC_SOC},
    [CPI_EF_DEAL_LINE] = {"deal-line", "county-line deal line", CPI_SRC_SOC},
    [CPI_EF_RISK_PHONE] = {"risk-phone", "used by someone posing a risk", CPI_SRC_OTHER},
};

const cpi_flag_info *cpi_flag_info_get(unsigned flag) { return flag < CPI_EF__COUNT ? &flag_table[flag] : NULL; }

uint64_t cpi_flags_from_sources(uint64_t mask, uint32_t src_mask)
{
    uint64_t out = 0;
    for (unsigned f = 0; f < CPI_EF__COUNT; f++)
        if ((mask & CPI_EF(f)) && (src_mask & CPI_SRC_BIT(flag_table[f].source)))
            out |= CPI_EF(f);
    return out;
}

bool cpi_flags_risky(uint64_t f)
{
    return (f & CPI_EF_RISKY) && ((f & CPI_EF(CPI_EF_ADULT)) || (f & CPI_EF_RISKY & ~CPI_EF(CPI_EF_SUSPECT)));
}

cpi_kind cpi_entity_id_kind(const char *id)
{
    if (!id || !id[0] || id[1] != '-' || !id[2])
        return 0;
    for (const char *p = id + 2; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    switch (id[0]) {
    case 'P':
        return CPI_KIND_PERSON;
    case 'L':
        return CPI_KIND_LOCATION;
    case 'T':
        return CPI_KIND_PHONE;
    case 'O':
        return CPI_KIND_ONLINE;
    default:
        return 0;
    }
}

/* ---- shared decoding helpers ---- */

typedef struct dec {
    const char *what; /* "edge of P-0000001", "card P-0000001" */
    cpi_arena *arena;
    cpi_error *err;
} dec;

static cpi_status bad(dec *d, const char *field, const char *why)
{
    return cpi_error_set(d->err, CPI_ERR_STORE, "stored %s: field '%s' %s; refusing to guess (rebuild with "
                         "'cpindex resolve')", d->what, field, why);
}

static bool key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, name, n) == 0;
}

static cpi_status get_str(dec *d, const msgpack_object *o, const char *field, const char **out)
{
    if (o->type != MSGPACK_OBJECT_STR)
        return bad(d, field, "is not a string");
    *out = cpi_arena_strndup(d->arena, o->via.str.ptr, o->via.str.size);
    return *out ? CPI_OK : cpi_error_set(d->err, CPI_ERR_NOMEM, "decoding %s: out of memory", d->what);
}

static cpi_status get_int(dec *d, const msgpack_object *o, const char *field, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= (uint64_t)INT64_MAX)
        v = (int64_t)o->via.u64;
    else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        v = o->via.i64;
    else
        return bad(d, field, "is not an integer in range");
    if (v < lo || v > hi)
        return bad(d, field, "is out of range");
    *out = v;
    return CPI_OK;
}

static cpi_status get_u64(dec *d, const msgpack_object *o, const char *field, uint64_t *out)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return bad(d, field, "is not an unsigned integer");
    *out = o->via.u64;
    return CPI_OK;
}

static cpi_status get_bool(dec *d, const msgpack_object *o, const char *field, bool *out)
{
    if (o->type != MSGPACK_OBJECT_BOOLEAN)
        return bad(d, field, "is not true/false");
    *out = o->via.boolean;
    return CPI_OK;
}

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void pack_key(msgpack_packer *pk, const char *k) { pack_str(pk, k); }

/* Parse one msgpack value that must fill exactly len bytes. */
static cpi_status unpack_one(dec *d, const void *data, size_t len, msgpack_unpacked *up)
{
    size_t off = 0;
    msgpack_unpacked_init(up);
    if (msgpack_unpack_next(up, data, len, &off) != MSGPACK_UNPACK_SUCCESS)
        return cpi_error_set(d->err, CPI_ERR_STORE, "stored %s: value is not valid msgpack", d->what);
    if (off != len)
        return cpi_error_set(d->err, CPI_ERR_STORE, "stored %s: trailing bytes after the value", d->what);
    if (up->data.type != MSGPACK_OBJECT_MAP)
        return cpi_error_set(d->err, CPI_ERR_STORE, "stored %s: value is not a map", d->what);
    return CPI_OK;
}

static cpi_status unknown_field(dec *d, const msgpack_object *k)
{
    char name[32] = "?";
    if (k->type == MSGPACK_OBJECT_STR) {
        size_t n = k->via.str.size < sizeof name - 1 ? k->via.str.size : sizeof name - 1;
        memcpy(name, k->via.str.ptr, n);
        name[n] = '\0';
    }
    return cpi_error_set(d->err, CPI_ERR_STORE,
                         "stored %s: unknown field '%s' (written by a newer cpindex?); refusing to guess", d->what,
                         name);
}

/* ---- edges ---- */

static void pack_edge(msgpack_packer *pk, const cpi_edge *e, uint32_t nrefs, bool more)
{
    bool dated = e->first != CPI_DAY_NONE;
    msgpack_pack_map(pk, 10 + (dated ? 2 : 0));
    pack_key(pk, "t");
    pack_str(pk, e->type);
    pack_key(pk, "o");
    pack_str(pk, e->other);
    pack_key(pk, "d");
    msgpack_pack_uint8(pk, e->out ? 1 : 0);
    pack_key(pk, "c");
    e->current ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
    if (dated) {
        pack_key(pk, "f");
        msgpack_pack_int32(pk, e->first);
        pack_key(pk, "l");
        msgpack_pack_int32(pk, e->last);
    }
    pack_key(pk, "n");
    msgpack_pack_uint32(pk, e->count);
    pack_key(pk, "w");
    msgpack_pack_uint32(pk, e->times);
    pack_key(pk, "s");
    msgpack_pack_uint32(pk, e->sources);
    pack_key(pk, "of");
    msgpack_pack_uint64(pk, e->other_flags);
    pack_key(pk, "r");
    msgpack_pack_array(pk, nrefs);
    for (uint32_t i = 0; i < nrefs; i++)
        pack_str(pk, e->refs[i]);
    pack_key(pk, "x");
    more ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
}

cpi_status cpi_edge_encode(const cpi_edge *e, char *buf, size_t cap, size_t *len, cpi_error *err)
{
    if (cap > CPI_EDGE_VALUE_MAX)
        cap = CPI_EDGE_VALUE_MAX;
    uint32_t nrefs = e->nrefs < CPI_EDGE_REFS_MAX ? e->nrefs : CPI_EDGE_REFS_MAX;
    for (;;) {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        pack_edge(&pk, e, nrefs, e->more || nrefs < e->nrefs);
        if (!sb.data) {
            msgpack_sbuffer_destroy(&sb);
            return cpi_error_set(err, CPI_ERR_NOMEM, "encoding an edge of type %s: out of memory", e->type);
        }
        if (sb.size <= cap) {
            memcpy(buf, sb.data, sb.size);
            *len = sb.size;
            msgpack_sbuffer_destroy(&sb);
            return CPI_OK;
        }
        msgpack_sbuffer_destroy(&sb);
        if (nrefs == 0)
            return cpi_error_set(err, CPI_ERR_DATA, "edge %s -> %s: type or entity id too long to store", e->type,
                                 e->other);
        nrefs--;
    }
}

cpi_status cpi_edge_decode(const char *key, const void *data, size_t len, cpi_arena *arena, cpi_edge *out,
                           cpi_error *err)
{
    char what[96];
    snprintf(what, sizeof what, "edge of %s", key);
    dec d = {what, arena, err};
    memset(out, 0, sizeof *out);
    out->first = out->last = CPI_DAY_NONE;
    msgpack_unpacked up;
    cpi_status s = unpack_one(&d, data, len, &up);
    enum { T = 1, O = 2, D = 4, C = 8, N = 16, W = 32, S = 64, OF = 128, R = 256, X = 512, ALL = 1023 };
    unsigned seen = 0;
    const msgpack_object_map *m = &up.data.via.map;
    for (uint32_t i = 0; !s && i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
        int64_t x = 0;
        uint64_t u = 0;
        if (key_is(k, "t")) {
            s = get_str(&d, v, "t", &out->type);
            seen |= T;
        } else if (key_is(k, "o")) {
            s = get_str(&d, v, "o", &out->other);
            seen |= O;
        } else if (key_is(k, "d")) {
            s = get_int(&d, v, "d", 0, 1, &x);
            out->out = x == 1;
            seen |= D;
        } else if (key_is(k, "c")) {
            s = get_bool(&d, v, "c", &out->current);
            seen |= C;
        } else if (key_is(k, "f")) {
            s = get_int(&d, v, "f", INT32_MIN + 1, INT32_MAX, &x);
            out->first = (int32_t)x;
        } else if (key_is(k, "l")) {
            s = get_int(&d, v, "l", INT32_MIN + 1, INT32_MAX, &x);
            out->last = (int32_t)x;
        } else if (key_is(k, "n")) {
            s = get_int(&d, v, "n", 0, UINT32_MAX, &x);
            out->count = (uint32_t)x;
            seen |= N;
        } else if (key_is(k, "w")) {
            s = get_int(&d, v, "w", 0, UINT32_MAX, &x);
            out->times = (uint32_t)x;
            seen |= W;
        } else if (key_is(k, "s")) {
            s = get_int(&d, v, "s", 0, CPI_SRC_ALL, &x);
            out->sources = (uint32_t)x;
            seen |= S;
        } else if (key_is(k, "of")) {
            s = get_u64(&d, v, "of", &u);
            out->other_flags = u;
            seen |= OF;
        } else if (key_is(k, "r")) {
            if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size > CPI_EDGE_REFS_MAX)
                s = bad(&d, "r", "is not an array of at most 4 references");
            for (uint32_t j = 0; !s && j < v->via.array.size; j++)
                s = get_str(&d, &v->via.array.ptr[j], "r", &out->refs[j]);
            if (!s)
                out->nrefs = v->via.array.size;
            seen |= R;
        } else if (key_is(k, "x")) {
            s = get_bool(&d, v, "x", &out->more);
            seen |= X;
        } else {
            s = unknown_field(&d, k);
        }
    }
    if (!s && seen != ALL)
        s = bad(&d, "(root)", "lacks required fields");
    if (!s && (out->first == CPI_DAY_NONE) != (out->last == CPI_DAY_NONE))
        s = bad(&d, "f/l", "has a first date without a last or the reverse");
    msgpack_unpacked_destroy(&up);
    return s;
}

cpi_status cpi_graph_edges(cpi_txn *txn, const char *id, uint32_t max, cpi_arena *arena, cpi_edge **out,
                           uint32_t *n, uint32_t *total, cpi_error *err)
{
    *out = NULL;
    *n = *total = 0;
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_EDGES, &c, err);
    if (s)
        return s;
    size_t idlen = strlen(id);
    cpi_slice k, v;
    uint32_t cap = 0;
    cpi_status cs = cpi_cursor_seek(c, id, idlen, &k, &v, err);
    if (cs == CPI_OK && (k.len != idlen || memcmp(k.data, id, idlen) != 0))
        cs = CPI_NOT_FOUND;
    while (cs == CPI_OK) {
        if (*n < max) {
            if (*n == cap) {
                uint32_t ncap = cap ? cap * 2 : 16;
                if (ncap > max)
                    ncap = max;
                cpi_edge *grown = cpi_arena_alloc(arena, sizeof *grown * ncap);
                if (!grown) {
                    s = cpi_error_set(err, CPI_ERR_NOMEM, "out of memory reading the edges of %s", id);
                    break;
                }
                if (*n)
                    memcpy(grown, *out, sizeof *grown * *n);
                *out = grown;
                cap = ncap;
            }
            s = cpi_edge_decode(id, v.data, v.len, arena, &(*out)[*n], err);
            if (s)
                break;
            (*n)++;
        }
        (*total)++;
        cs = cpi_cursor_next_dup(c, &k, &v, err);
    }
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    cpi_cursor_close(c);
    return s;
}

/* ---- cards ---- */

size_t cpi_card_key(const char *id, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "e%c%s", CPI_KEY_SEP, id);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

cpi_status cpi_card_encode(const cpi_card *c, char **out, size_t *len, cpi_error *err)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    unsigned n = 19 + (c->dob != NULL) + (c->postcode != NULL);
    msgpack_pack_map(&pk, n);
    pack_key(&pk, "k");
    msgpack_pack_uint8(&pk, (uint8_t)c->kind);
    pack_key(&pk, "nm");
    pack_str(&pk, c->name ? c->name : "");
    if (c->dob) {
        pack_key(&pk, "dob");
        pack_str(&pk, c->dob);
    }
    if (c->postcode) {
        pack_key(&pk, "pc");
        pack_str(&pk, c->postcode);
    }
    pack_key(&pk, "f");
    msgpack_pack_uint64(&pk, c->flags);
    pack_key(&pk, "s");
    msgpack_pack_uint32(&pk, c->sources);
    pack_key(&pk, "m");
    msgpack_pack_uint32(&pk, c->nmentions);
    pack_key(&pk, "d0");
    msgpack_pack_int32(&pk, c->first);
    pack_key(&pk, "d1");
    msgpack_pack_int32(&pk, c->last);
    pack_key(&pk, "mr");
    msgpack_pack_uint8(&pk, c->mace_risk);
    pack_key(&pk, "sf");
    msgpack_pack_int16(&pk, c->seraf);
    pack_key(&pk, "md");
    msgpack_pack_int32(&pk, c->mace_day);
    pack_key(&pk, "mu");
    c->mace_unflagged ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
    pack_key(&pk, "mg");
    msgpack_pack_uint8(&pk, c->miraf_grade);
    pack_key(&pk, "ep");
    msgpack_pack_uint16(&pk, c->episodes);
    pack_key(&pk, "lm");
    msgpack_pack_int32(&pk, c->last_missing);
    pack_key(&pk, "dg");
    msgpack_pack_uint32(&pk, c->degree);
    pack_key(&pk, "cc");
    msgpack_pack_uint32(&pk, c->component);
    pack_key(&pk, "cm");
    msgpack_pack_uint32(&pk, c->community);
    pack_key(&pk, "rc");
    msgpack_pack_uint32(&pk, c->reach);
    pack_key(&pk, "rr");
    msgpack_pack_uint32(&pk, c->risky_reach);
    if (!sb.data) {
        msgpack_sbuffer_destroy(&sb);
        return cpi_error_set(err, CPI_ERR_NOMEM, "encoding card %s: out of memory", c->id);
    }
    *out = sb.data;
    *len = sb.size;
    return CPI_OK;
}

cpi_status cpi_card_decode(const char *id, const void *data, size_t len, cpi_arena *arena, cpi_card *out,
                           cpi_error *err)
{
    char what[64];
    snprintf(what, sizeof what, "card %s", id);
    dec d = {what, arena, err};
    memset(out, 0, sizeof *out);
    out->id = cpi_arena_strdup(arena, id);
    msgpack_unpacked up;
    cpi_status s = unpack_one(&d, data, len, &up);
    const unsigned ALL = (1u << 19) - 1;
    unsigned seen = 0;
    const msgpack_object_map *m = &up.data.via.map;
    for (uint32_t i = 0; !s && i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
        int64_t x = 0;
        uint64_t u = 0;
        /* integer fields: name, bit, range, destination setter */
        static const struct {
            const char *name;
            int64_t lo, hi;
        } ints[] = {
            {"k", CPI_KIND_PERSON, CPI_KIND_ONLINE}, {"s", 0, CPI_SRC_ALL},      {"m", 0, UINT32_MAX},
            {"d0", INT32_MIN, INT32_MAX},          {"d1", INT32_MIN, INT32_MAX}, {"mr", 0, 3},
            {"sf", -1, 1000},                      {"md", INT32_MIN, INT32_MAX}, {"mg", 0, 3},
            {"ep", 0, UINT16_MAX},                 {"lm", INT32_MIN, INT32_MAX}, {"dg", 0, UINT32_MAX},
            {"cc", 0, UINT32_MAX},                 {"cm", 0, UINT32_MAX},        {"rc", 0, UINT32_MAX},
            {"rr", 0, UINT32_MAX},
        };
        int which = -1;
        for (int j = 0; j < (int)(sizeof ints / sizeof ints[0]); j++)
            if (key_is(k, ints[j].name)) {
                which = j;
                break;
            }
        if (which >= 0) {
            s = get_int(&d, v, ints[which].name, ints[which].lo, ints[which].hi, &x);
            if (s)
                break;
            switch (which) {
            case 0: out->kind = (cpi_kind)x; break;
            case 1: out->sources = (uint32_t)x; break;
            case 2: out->nmentions = (uint32_t)x; break;
            case 3: out->first = (int32_t)x; break;
            case 4: out->last = (int32_t)x; break;
            case 5: out->mace_risk = (uint8_t)x; break;
            case 6: out->seraf = (int16_t)x; break;
            case 7: out->mace_day = (int32_t)x; break;
            case 8: out->miraf_grade = (uint8_t)x; break;
            case 9: out->episodes = (uint16_t)x; break;
            case 10: out->last_missing = (int32_t)x; break;
            case 11: out->degree = (uint32_t)x; break;
            case 12: out->component = (uint32_t)x; break;
            case 13: out->community = (uint32_t)x; break;
            case 14: out->reach = (uint32_t)x; break;
            case 15: out->risky_reach = (uint32_t)x; break;
            }
            seen |= 1u << which;
        } else if (key_is(k, "nm")) {
            s = get_str(&d, v, "nm", &out->name);
            seen |= 1u << 16;
        } else if (key_is(k, "f")) {
            s = get_u64(&d, v, "f", &u);
            out->flags = u;
            seen |= 1u << 17;
        } else if (key_is(k, "mu")) {
            s = get_bool(&d, v, "mu", &out->mace_unflagged);
            seen |= 1u << 18;
        } else if (key_is(k, "dob")) {
            s = get_str(&d, v, "dob", &out->dob);
        } else if (key_is(k, "pc")) {
            s = get_str(&d, v, "pc", &out->postcode);
        } else {
            s = unknown_field(&d, k);
        }
    }
    if (!s && seen != ALL)
        s = bad(&d, "(root)", "lacks required fields");
    msgpack_unpacked_destroy(&up);
    return s;
}

cpi_status cpi_card_get(cpi_txn *txn, const char *id, cpi_arena *arena, cpi_card *out, cpi_error *err)
{
    char key[CPI_ENTITY_ID_MAX + 4];
    size_t klen = cpi_card_key(id, key, sizeof key);
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_ANALYTICS, key, klen, &v, err);
    if (s == CPI_NOT_FOUND)
        return cpi_error_set(err, CPI_NOT_FOUND, "no entity %s in the graph (run 'cpindex resolve' after ingest)",
                             id);
    if (s)
        return s;
    return cpi_card_decode(id, v.data, v.len, arena, out, err);
}
