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
 * component, cm community, rc reach, rr risky reach, ro / qo the same two on
 * open sources.
 */
#include "graph/graphdb.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/mpread.h"

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

void cpi_flag_labels(uint64_t flags, uint64_t mask, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (unsigned f = 0; f < CPI_EF__COUNT && n < cap; f++)
        if (flags & mask & CPI_EF(f))
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "; " : "", flag_table[f].label);
}

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

/* What is being decoded, for messages: "<what> <key>", e.g. "edge of" "P-0000001" (formatted only on error). */
typedef struct dec {
    const char *what, *key;
    cpi_arena *arena;
    cpi_error *err;
} dec;

static cpi_status bad(dec *d, const char *field, const char *why)
{
    return cpi_error_set(d->err, CPI_ERR_STORE, "stored %s %s: field '%s' %s; refusing to guess (rebuild with "
                         "'cpindex resolve')", d->what, d->key, field, why);
}

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void pack_key(msgpack_packer *pk, const char *k) { pack_str(pk, k); }

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

/* A string field copied into the arena, NUL-terminated. */
static cpi_status take_str(dec *d, mpr *r, const char *field, const char **out)
{
    const char *p;
    uint32_t n;
    if (!mpr_str(r, &p, &n))
        return bad(d, field, "is not a string");
    *out = cpi_arena_strndup(d->arena, p, n);
    return *out ? CPI_OK : cpi_error_set(d->err, CPI_ERR_NOMEM, "decoding %s %s: out of memory", d->what, d->key);
}

static cpi_status take_int(dec *d, mpr *r, const char *field, int64_t lo, int64_t hi, int64_t *out)
{
    if (!mpr_int(r, out))
        return bad(d, field, "is not an integer in range");
    return *out < lo || *out > hi ? bad(d, field, "is out of range") : CPI_OK;
}

static cpi_status unknown_key(dec *d, const char *k, uint32_t n)
{
    return cpi_error_set(d->err, CPI_ERR_STORE,
                         "stored %s %s: unknown field '%.*s' (written by a newer cpindex?); refusing to guess", d->what,
                         d->key, (int)(n < 31 ? n : 31), k);
}

static cpi_status decode_edge(const char *key, const void *data, size_t len, cpi_arena *arena, cpi_edge *out,
                              bool with_refs, cpi_error *err)
{
    dec d = {"edge of", key, arena, err};
    memset(out, 0, sizeof *out);
    out->first = out->last = CPI_DAY_NONE;
    mpr r = {data, (const uint8_t *)data + len};
    uint32_t nfields;
    if (!mpr_map(&r, &nfields))
        return cpi_error_set(err, CPI_ERR_STORE, "stored edge of %s: value is not a msgpack map", key);
    enum { T = 1, O = 2, D = 4, C = 8, N = 16, W = 32, S = 64, OF = 128, R = 256, X = 512, ALL = 1023 };
    unsigned seen = 0;
    cpi_status s = CPI_OK;
    for (uint32_t i = 0; i < nfields && !s; i++) {
        const char *k;
        uint32_t kn;
        int64_t x = 0;
        if (!mpr_str(&r, &k, &kn))
            return bad(&d, "(key)", "is not a string or is cut short");
        /* one- and two-letter names: dispatch on the letters, not on string compares */
        int key = kn == 1 ? (unsigned char)k[0] : kn == 2 && k[0] == 'o' && k[1] == 'f' ? 'F' : 0;
        switch (key) {
        case 't':
            s = take_str(&d, &r, "t", &out->type);
            seen |= T;
            break;
        case 'o':
            s = take_str(&d, &r, "o", &out->other);
            seen |= O;
            break;
        case 'd':
            s = take_int(&d, &r, "d", 0, 1, &x);
            out->out = x == 1;
            seen |= D;
            break;
        case 'c':
            if (!mpr_bool(&r, &out->current))
                s = bad(&d, "c", "is not true/false");
            seen |= C;
            break;
        case 'f':
            s = take_int(&d, &r, "f", INT32_MIN + 1, INT32_MAX, &x);
            out->first = (int32_t)x;
            break;
        case 'l':
            s = take_int(&d, &r, "l", INT32_MIN + 1, INT32_MAX, &x);
            out->last = (int32_t)x;
            break;
        case 'n':
            s = take_int(&d, &r, "n", 0, UINT32_MAX, &x);
            out->count = (uint32_t)x;
            seen |= N;
            break;
        case 'w':
            s = take_int(&d, &r, "w", 0, UINT32_MAX, &x);
            out->times = (uint32_t)x;
            seen |= W;
            break;
        case 's':
            s = take_int(&d, &r, "s", 0, CPI_SRC_ALL, &x);
            out->sources = (uint32_t)x;
            seen |= S;
            break;
        case 'F':
            if (!mpr_uint(&r, &out->other_flags))
                s = bad(&d, "of", "is not an unsigned integer");
            seen |= OF;
            break;
        case 'r': {
            uint32_t nr = 0;
            if (!mpr_array(&r, &nr) || nr > CPI_EDGE_REFS_MAX)
                s = bad(&d, "r", "is not an array of at most 4 references");
            for (uint32_t j = 0; !s && j < nr; j++) {
                const char *rp;
                uint32_t rn;
                if (with_refs)
                    s = take_str(&d, &r, "r", &out->refs[j]);
                else if (!mpr_str(&r, &rp, &rn)) /* checked, not copied */
                    s = bad(&d, "r", "is not a string");
            }
            if (!s)
                out->nrefs = with_refs ? nr : 0;
            out->refs_skipped = !with_refs && nr > 0;
            seen |= R;
            break;
        }
        case 'x':
            if (!mpr_bool(&r, &out->more))
                s = bad(&d, "x", "is not true/false");
            seen |= X;
            break;
        default:
            s = unknown_key(&d, k, kn);
        }
        if (seen & ~ALL)
            break;
    }
    if (!s && r.p != r.end)
        s = cpi_error_set(err, CPI_ERR_STORE, "stored edge of %s: trailing bytes after the value", key);
    if (!s && seen != ALL)
        s = bad(&d, "(root)", "lacks required fields");
    if (!s && (out->first == CPI_DAY_NONE) != (out->last == CPI_DAY_NONE))
        s = bad(&d, "f/l", "has a first date without a last or the reverse");
    return s;
}

cpi_status cpi_edge_decode(const char *key, const void *data, size_t len, cpi_arena *arena, cpi_edge *out,
                           cpi_error *err)
{
    return decode_edge(key, data, len, arena, out, true, err);
}

cpi_status cpi_edge_fill_refs(cpi_edge *e, const char *key, cpi_arena *arena, cpi_error *err)
{
    if (!e->refs_skipped)
        return CPI_OK;
    cpi_edge full;
    cpi_status s = decode_edge(key, e->raw, e->raw_len, arena, &full, true, err);
    if (s)
        return s;
    memcpy(e->refs, full.refs, sizeof e->refs);
    e->nrefs = full.nrefs;
    e->refs_skipped = false;
    return CPI_OK;
}

/* Append the edge in v to *out (growing it in the arena). */
static cpi_status push_edge(const char *id, cpi_slice v, cpi_arena *arena, cpi_edge **out, uint32_t *n, uint32_t *cap,
                            uint32_t max, bool with_refs, cpi_error *err)
{
    if (*n == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 16;
        if (ncap > max)
            ncap = max;
        cpi_edge *grown = cpi_arena_alloc(arena, sizeof *grown * ncap);
        if (!grown)
            return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory reading the edges of %s", id);
        if (*n)
            memcpy(grown, *out, sizeof *grown * *n);
        *out = grown;
        *cap = ncap;
    }
    cpi_status s = decode_edge(id, v.data, v.len, arena, &(*out)[*n], with_refs, err);
    if (s)
        return s;
    (*out)[*n].raw = v.data;
    (*out)[*n].raw_len = v.len;
    (*n)++;
    return CPI_OK;
}

/*
 * Every edge of id, or (types != NULL) only those of the given types: an
 * entity's values are sorted bytewise and every value starts with its map
 * header (10 fields, or 12 when dated) then "t" and the type, so the edges of
 * one type are two runs that a dupsort seek finds directly, without stepping
 * over the others (a busy place has thousands of occurrence edges).
 */
static cpi_status read_edges(cpi_txn *txn, const char *id, const char *const *types, uint32_t max, cpi_arena *arena,
                             cpi_edge **out, uint32_t *n, uint32_t *total, bool with_refs, cpi_error *err)
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
    if (!types) {
        cpi_status cs = cpi_cursor_seek(c, id, idlen, &k, &v, err);
        if (cs == CPI_OK && (k.len != idlen || memcmp(k.data, id, idlen) != 0))
            cs = CPI_NOT_FOUND;
        while (cs == CPI_OK && !s) {
            if (*n < max)
                s = push_edge(id, v, arena, out, n, &cap, max, with_refs, err);
            (*total)++;
            cs = cpi_cursor_next_dup(c, &k, &v, err);
        }
        if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
            s = cs;
        cpi_cursor_close(c);
        return s;
    }
    static const uint8_t headers[] = {0x8a, 0x8c}; /* fixmap of 10 and of 12 fields: see pack_edge */
    for (const char *const *t = types; *t && !s && *total < max; t++) {
        size_t tn = strlen(*t);
        if (tn > 31)
            continue; /* a fixstr holds at most 31 bytes; the encoder never writes longer types */
        uint8_t prefix[40];
        for (size_t h = 0; h < sizeof headers && !s && *total < max; h++) {
            prefix[0] = headers[h];
            prefix[1] = 0xa1;
            prefix[2] = 't';
            prefix[3] = (uint8_t)(0xa0 | tn);
            memcpy(prefix + 4, *t, tn);
            size_t plen = 4 + tn;
            cpi_status cs = cpi_cursor_seek_dup(c, id, idlen, prefix, plen, &k, &v, err);
            while (cs == CPI_OK && !s && v.len >= plen && memcmp(v.data, prefix, plen) == 0 && *total < max) {
                s = push_edge(id, v, arena, out, n, &cap, max, with_refs, err);
                (*total)++;
                cs = cpi_cursor_next_dup(c, &k, &v, err);
            }
            if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
                s = cs;
        }
    }
    cpi_cursor_close(c);
    return s;
}

cpi_status cpi_graph_edges(cpi_txn *txn, const char *id, uint32_t max, cpi_arena *arena, cpi_edge **out,
                           uint32_t *n, uint32_t *total, cpi_error *err)
{
    return read_edges(txn, id, NULL, max, arena, out, n, total, true, err);
}

cpi_status cpi_graph_edges_light(cpi_txn *txn, const char *id, const char *const *types, uint32_t max,
                                 cpi_arena *arena, cpi_edge **out, uint32_t *n, uint32_t *total, cpi_error *err)
{
    return read_edges(txn, id, types, max, arena, out, n, total, false, err);
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
    unsigned n = 21 + (c->dob != NULL) + (c->postcode != NULL) + (c->la != NULL) + (c->area != NULL);
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
    if (c->la) {
        pack_key(&pk, "la");
        pack_str(&pk, c->la);
    }
    if (c->area) {
        pack_key(&pk, "ar");
        pack_str(&pk, c->area);
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
    pack_key(&pk, "ro");
    msgpack_pack_uint32(&pk, c->reach_open);
    pack_key(&pk, "qo");
    msgpack_pack_uint32(&pk, c->risky_reach_open);
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
    dec d = {"card", id, arena, err};
    memset(out, 0, sizeof *out);
    out->id = cpi_arena_strdup(arena, id);
    if (!out->id)
        return cpi_error_set(err, CPI_ERR_NOMEM, "decoding card %s: out of memory", id);
    /* integer fields: name, range */
    static const struct {
        const char name[4];
        int64_t lo, hi;
    } ints[] = {
        {"k", CPI_KIND_PERSON, CPI_KIND_ONLINE}, {"s", 0, CPI_SRC_ALL},      {"m", 0, UINT32_MAX},
        {"d0", INT32_MIN, INT32_MAX},          {"d1", INT32_MIN, INT32_MAX}, {"mr", 0, 3},
        {"sf", -1, 1000},                      {"md", INT32_MIN, INT32_MAX}, {"mg", 0, 3},
        {"ep", 0, UINT16_MAX},                 {"lm", INT32_MIN, INT32_MAX}, {"dg", 0, UINT32_MAX},
        {"cc", 0, UINT32_MAX},                 {"cm", 0, UINT32_MAX},        {"rc", 0, UINT32_MAX},
        {"rr", 0, UINT32_MAX},                 {"ro", 0, UINT32_MAX},        {"qo", 0, UINT32_MAX},
    };
    const unsigned ALL = (1u << 21) - 1;
    unsigned seen = 0;
    mpr r = {data, (const uint8_t *)data + len};
    uint32_t nfields;
    if (!mpr_map(&r, &nfields))
        return cpi_error_set(err, CPI_ERR_STORE, "stored card %s: value is not a msgpack map", id);
    cpi_status s = CPI_OK;
    for (uint32_t i = 0; i < nfields && !s; i++) {
        const char *k;
        uint32_t kn;
        if (!mpr_str(&r, &k, &kn))
            return bad(&d, "(key)", "is not a string or is cut short");
        int which = -1;
        if (kn <= 2) /* every integer field has a one- or two-letter name */
            for (int j = 0; j < (int)(sizeof ints / sizeof ints[0]); j++)
                if (ints[j].name[0] == k[0] && ints[j].name[kn] == '\0' && (kn == 1 || ints[j].name[1] == k[1])) {
                    which = j;
                    break;
                }
        if (which >= 0) {
            int64_t x;
            s = take_int(&d, &r, ints[which].name, ints[which].lo, ints[which].hi, &x);
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
            case 16: out->reach_open = (uint32_t)x; break;
            case 17: out->risky_reach_open = (uint32_t)x; break;
            }
            seen |= 1u << which;
        } else if (MPR_KEY(k, kn, "nm")) {
            s = take_str(&d, &r, "nm", &out->name);
            seen |= 1u << 18;
        } else if (MPR_KEY(k, kn, "f")) {
            if (!mpr_uint(&r, &out->flags))
                s = bad(&d, "f", "is not an unsigned integer");
            seen |= 1u << 19;
        } else if (MPR_KEY(k, kn, "mu")) {
            if (!mpr_bool(&r, &out->mace_unflagged))
                s = bad(&d, "mu", "is not true/false");
            seen |= 1u << 20;
        } else if (MPR_KEY(k, kn, "dob")) {
            s = take_str(&d, &r, "dob", &out->dob);
        } else if (MPR_KEY(k, kn, "pc")) {
            s = take_str(&d, &r, "pc", &out->postcode);
        } else if (MPR_KEY(k, kn, "la")) {
            s = take_str(&d, &r, "la", &out->la);
        } else if (MPR_KEY(k, kn, "ar")) {
            s = take_str(&d, &r, "ar", &out->area);
        } else {
            s = unknown_key(&d, k, kn);
        }
    }
    if (!s && r.p != r.end)
        s = cpi_error_set(err, CPI_ERR_STORE, "stored card %s: trailing bytes after the value", id);
    if (!s && seen != ALL)
        s = bad(&d, "(root)", "lacks required fields");
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

cpi_status cpi_cards_each(cpi_txn *txn, cpi_card_fn fn, void *ctx, cpi_error *err)
{
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_ANALYTICS, &c, err);
    if (s)
        return s;
    char prefix[4];
    size_t plen = cpi_card_key("", prefix, sizeof prefix);
    cpi_arena a = {0};
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, prefix, plen, &k, &v, err);
    for (; !s && cs == CPI_OK && k.len > plen && memcmp(k.data, prefix, plen) == 0; cs = cpi_cursor_next(c, &k, &v, err)) {
        char id[CPI_ENTITY_ID_MAX];
        if (k.len - plen >= sizeof id)
            continue;
        memcpy(id, (const char *)k.data + plen, k.len - plen);
        id[k.len - plen] = '\0';
        cpi_card card;
        cpi_arena_reset(&a);
        if (!(s = cpi_card_decode(id, v.data, v.len, &a, &card, err)))
            s = fn(&card, ctx, err);
    }
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    cpi_arena_free(&a);
    cpi_cursor_close(c);
    return s;
}
