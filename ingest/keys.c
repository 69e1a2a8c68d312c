/*
 * keys.c - a mention's normalised matching keys from its raw values (see
 * keys.h for the key names). Every key is produced by core/normalise; this
 * file only decides which normaliser feeds which key, so the resolver and the
 * store index see the same keys whichever silo a mention came from.
 */
#include "ingest/keys.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/normalise/normalise.h"

#define BAD(f) (*bad |= 1ul << (f))

/* Case-insensitive search for an ASCII phrase. */
static const char *find_phrase(const char *s, const char *phrase)
{
    size_t n = strlen(phrase);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && tolower((unsigned char)s[i]) == phrase[i])
            i++;
        if (i == n)
            return s + n;
    }
    return NULL;
}

const char *cpi_keys_street_from_note(const char *note, cpi_arena *arena, bool *nomem)
{
    static const char *const lead[] = {"on the street as", "street name:", "street name is"};
    *nomem = false;
    if (!note)
        return NULL;
    for (size_t k = 0; k < sizeof lead / sizeof lead[0]; k++) {
        const char *p = find_phrase(note, lead[k]);
        if (!p)
            continue;
        while (*p == ' ' || *p == '\t' || *p == '\'' || *p == ':')
            p++;
        const char *e = p;
        while (*e && !strchr(".,;(\"", *e))
            e++;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\''))
            e--;
        if (e == p)
            continue;
        char *out = cpi_arena_alloc(arena, (size_t)(e - p) + 1);
        if (!out) {
            *nomem = true;
            return NULL;
        }
        memcpy(out, p, (size_t)(e - p));
        out[e - p] = 0;
        return out;
    }
    return NULL;
}

static const char *val(const char *const values[CPI_F__COUNT], cpi_field f)
{
    const char *v = values[f];
    return v && *v ? v : NULL;
}

static cpi_status add(cpi_kvbuf *keys, cpi_arena *a, const char *key, const char *value)
{
    if (!value || !*value)
        return CPI_OK;
    /* one value once per key name: aliases and canonicals repeat */
    for (uint32_t i = 0; i < keys->count; i++)
        if (keys->items[i].value[0] == value[0] && keys->items[i].key[0] == key[0] &&
            strcmp(keys->items[i].key, key) == 0 && strcmp(keys->items[i].value, value) == 0)
            return CPI_OK;
    return cpi_kvbuf_add(keys, a, key, value, strlen(value));
}

#define ADD(k, v)                                                                                    \
    do {                                                                                             \
        cpi_status s_ = add(keys, arena, (k), (v));                                                  \
        if (s_ != CPI_OK)                                                                            \
            return cpi_error_set(err, s_, "out of memory building keys");                           \
    } while (0)

/* An identifier: trimmed, upper case, inner spaces dropped ("nom-0000123 " -> "NOM-0000123"). */
static void ident_key(const char *raw, char *out, size_t cap)
{
    /* the C locale's isspace and toupper (cpindex never sets a locale), without the calls */
    size_t n = 0;
    for (const char *p = raw; *p && n + 1 < cap; p++) {
        char c = *p;
        if (c == ' ' || (c >= '\t' && c <= '\r'))
            continue;
        out[n++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    out[n] = '\0';
}

static cpi_status phonetic(cpi_kvbuf *keys, cpi_arena *arena, const char *name, const char *key, cpi_error *err)
{
    char p[CPI_NORM_DMETA_MAX], alt[CPI_NORM_DMETA_MAX];
    cpi_norm_dmetaphone(name, p, alt);
    ADD(key, p);
    ADD(key, alt);
    return CPI_OK;
}

static cpi_status person_name_keys(const cpi_person_name *pn, cpi_kvbuf *keys, cpi_arena *arena, cpi_error *err)
{
    if (pn->n_forenames > 0) {
        const char *fn = pn->forenames[0];
        ADD(CPI_KEY_FN, fn);
        char middle[CPI_NORM_NAME_MAX * CPI_NORM_FORENAMES_MAX] = "";
        size_t off = 0;
        for (int i = 1; i < pn->n_forenames; i++)
            off += (size_t)snprintf(middle + off, sizeof middle - off, "%s%s", off ? " " : "", pn->forenames[i]);
        ADD(CPI_KEY_FM, middle);
        const char *canon[8];
        size_t nc = cpi_norm_forename_canonicals(fn, canon, 8);
        if (nc == 0)
            ADD(CPI_KEY_NN, fn);
        for (size_t i = 0; i < nc; i++)
            ADD(CPI_KEY_NN, canon[i]);
        if (phonetic(keys, arena, fn, CPI_KEY_FX, err) != CPI_OK)
            return err->status;
    }
    if (pn->surname[0]) {
        ADD(CPI_KEY_SN, pn->surname);
        ADD(CPI_KEY_SA, pn->surname_alt);
        if (phonetic(keys, arena, pn->surname, CPI_KEY_SX, err) != CPI_OK)
            return err->status;
    }
    return CPI_OK;
}

static cpi_status dob_keys(const char *raw, int32_t record_day, bool is_age, cpi_kvbuf *keys, cpi_arena *arena,
                           bool *ok, cpi_error *err)
{
    cpi_dob d;
    cpi_error *e2 = NULL; /* why a value is unreadable is not kept: its field is marked bad */
    *ok = false;
    if (is_age) {
        /* an age column holds a bare number of years; anything else is not an age */
        const char *p = raw;
        while (*p == ' ')
            p++;
        if (!isdigit((unsigned char)*p))
            return CPI_OK;
    }
    if (cpi_norm_dob(raw, record_day, &d, e2) != CPI_OK)
        return CPI_OK;
    char iso[CPI_NORM_ISO_DATE_MAX];
    if (d.exact) {
        cpi_norm_date_iso(d.lo, iso);
        ADD(CPI_KEY_DOB, iso);
        iso[4] = '\0';
        ADD(CPI_KEY_BY, iso);
    } else {
        cpi_norm_date_iso(d.lo, iso);
        ADD(CPI_KEY_DOB_LO, iso);
        cpi_norm_date_iso(d.hi, iso);
        ADD(CPI_KEY_DOB_HI, iso);
    }
    *ok = true;
    return CPI_OK;
}

static const char *gender_key(const char *raw)
{
    while (*raw == ' ')
        raw++;
    switch (tolower((unsigned char)raw[0])) {
    case 'm':
        return "m";
    case 'f':
        return "f";
    case 'u':
        return "u";
    default:
        return NULL;
    }
}

static cpi_status person(const char *const values[CPI_F__COUNT], int32_t record_day, cpi_arena *arena,
                         cpi_kvbuf *keys, unsigned long *bad, cpi_error *err)
{
    cpi_person_name pn;
    cpi_error *e2 = NULL; /* why a value is unreadable is not kept: its field is marked bad */
    const char *name = val(values, CPI_F_NAME);
    const char *fore = val(values, CPI_F_FORENAMES), *sur = val(values, CPI_F_SURNAME);
    if (name) {
        if (cpi_norm_person_name(name, &pn, e2) == CPI_OK) {
            if (person_name_keys(&pn, keys, arena, err) != CPI_OK)
                return err->status;
        } else {
            BAD(CPI_F_NAME);
        }
    }
    if (fore || sur) {
        if (cpi_norm_person_parts(fore, sur, &pn, e2) == CPI_OK) {
            if (person_name_keys(&pn, keys, arena, err) != CPI_OK)
                return err->status;
        } else {
            BAD(sur ? CPI_F_SURNAME : CPI_F_FORENAMES);
        }
    }
    const char *street = val(values, CPI_F_STREET_NAME);
    if (street) {
        char k[CPI_NORM_NAME_MAX];
        if (cpi_norm_name_key(street, strlen(street), k, sizeof k, e2) == CPI_OK && k[0])
            ADD(CPI_KEY_STREET, k);
        else
            BAD(CPI_F_STREET_NAME);
    }
    bool ok;
    const char *dob = val(values, CPI_F_DOB);
    if (dob) {
        if (dob_keys(dob, record_day, false, keys, arena, &ok, err) != CPI_OK)
            return err->status;
        if (!ok)
            BAD(CPI_F_DOB);
    }
    const char *age = val(values, CPI_F_AGE);
    if (age) {
        if (dob_keys(age, record_day, true, keys, arena, &ok, err) != CPI_OK)
            return err->status;
        if (!ok)
            BAD(CPI_F_AGE);
    }
    char id[CPI_RECORD_ID_MAX];
    const char *nid = val(values, CPI_F_NOMINAL_ID);
    if (nid) {
        ident_key(nid, id, sizeof id);
        if (id[0] && cpi_ref_valid_record_id(id))
            ADD(CPI_KEY_NID, id);
        else
            BAD(CPI_F_NOMINAL_ID);
    }
    const char *pnc = val(values, CPI_F_PNC);
    if (pnc) {
        ident_key(pnc, id, sizeof id);
        if (id[0])
            ADD(CPI_KEY_PNC, id);
        else
            BAD(CPI_F_PNC);
    }
    const char *em = val(values, CPI_F_EMAIL);
    if (em) {
        char k[CPI_NORM_IDENT_MAX];
        if (cpi_norm_email(em, k, sizeof k, e2) == CPI_OK)
            ADD(CPI_KEY_EMAIL, k);
        else
            BAD(CPI_F_EMAIL);
    }
    const char *g = val(values, CPI_F_GENDER);
    if (g) {
        const char *gk = gender_key(g);
        if (gk)
            ADD(CPI_KEY_GENDER, gk);
        else
            BAD(CPI_F_GENDER);
    }
    return CPI_OK;
}

/*
 * A postcode that is not a UK one (a spreadsheet from elsewhere: "4011", "2600 ACT", "75008") is kept
 * whole as upper-case letters and digits, 3 to 10 of them, so two rows can still agree on it; only UK
 * postcodes have sectors and districts. It must begin with a digit, which no UK postcode does: a
 * mistyped UK postcode ("NP2O 1AB") kept whole would count as disagreeing with the right one.
 * Returns false when it is not one.
 */
static bool other_postcode(const char *raw, char *out, size_t cap)
{
    size_t n = 0;
    bool digit = false;
    for (const char *p = raw; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || n + 1 >= cap || n >= 10)
            return false;
        digit |= c >= '0' && c <= '9';
        out[n++] = c;
    }
    out[n] = '\0';
    if (n < 3 || !digit || !(out[0] >= '0' && out[0] <= '9')) {
        out[0] = '\0';
        return false;
    }
    return true;
}

static cpi_status location(const char *const values[CPI_F__COUNT], cpi_arena *arena, cpi_kvbuf *keys,
                           unsigned long *bad, cpi_error *err)
{
    cpi_error *e2 = NULL; /* why a value is unreadable is not kept: its field is marked bad */
    const char *addr = val(values, CPI_F_ADDRESS);
    const char *house = val(values, CPI_F_HOUSE), *street = val(values, CPI_F_STREET);
    const char *town = val(values, CPI_F_TOWN), *locality = val(values, CPI_F_LOCALITY);
    char addr_pc[9] = "";
    char town_k[CPI_NORM_NAME_MAX] = "";
    /* A town of its own column is the town, whatever the address text ends with; a locality (a
     * suburb) stands in for a missing town. */
    const char *town_raw = town ? town : locality;
    if (town_raw) {
        if (cpi_norm_name_key(town_raw, strlen(town_raw), town_k, sizeof town_k, e2) != CPI_OK || !town_k[0]) {
            BAD(town ? CPI_F_TOWN : CPI_F_LOCALITY);
            town_k[0] = '\0';
        }
    }
    if (locality && town) {
        char k[CPI_NORM_NAME_MAX];
        if (cpi_norm_name_key(locality, strlen(locality), k, sizeof k, e2) == CPI_OK && k[0])
            ADD(CPI_KEY_LOCALITY, k);
        else
            BAD(CPI_F_LOCALITY);
    }
    const char *region = val(values, CPI_F_REGION);
    if (region) {
        char k[CPI_NORM_NAME_MAX];
        if (cpi_norm_name_key(region, strlen(region), k, sizeof k, e2) == CPI_OK && k[0])
            ADD(CPI_KEY_REGION, k);
        else
            BAD(CPI_F_REGION);
    }
    /* House and street in columns of their own are read as one address line ("12 High St"), so the
     * number and the folded street are the same keys an address text gives. */
    char line[2 * CPI_NORM_ADDR_PART_MAX + 8];
    int line_field = CPI_F_ADDRESS;
    if (!addr && (house || street)) {
        snprintf(line, sizeof line, "%s%s%s", house ? house : "", house && street ? " " : "", street ? street : "");
        addr = line;
        line_field = street ? CPI_F_STREET : CPI_F_HOUSE;
    }
    if (addr) {
        cpi_address a;
        if (cpi_norm_address(addr, &a, e2) == CPI_OK) {
            ADD(CPI_KEY_ADDR, a.key);
            ADD(CPI_KEY_HOUSE, a.number[0] ? a.number : a.house_name);
            ADD(CPI_KEY_FLAT, a.flat);
            ADD(CPI_KEY_STREET_K, a.street);
            if (!town_k[0])
                ADD(CPI_KEY_TOWN, a.town);
            ADD(CPI_KEY_PREMISES, a.premises);
            memcpy(addr_pc, a.postcode, sizeof addr_pc);
        } else if (house && !street) {
            /* a house number with its street left empty is still a house number */
            char hk[CPI_NORM_ADDR_PART_MAX];
            size_t n = 0;
            for (const char *c = house; *c && n + 1 < sizeof hk; c++)
                if (isalnum((unsigned char)*c) || *c == '-' || *c == '/')
                    hk[n++] = (char)tolower((unsigned char)*c);
            hk[n] = '\0';
            if (n)
                ADD(CPI_KEY_HOUSE, hk);
            else
                BAD(CPI_F_HOUSE);
        } else {
            BAD(line_field);
        }
    }
    if (town_k[0])
        ADD(CPI_KEY_TOWN, town_k);
    const char *pcraw = val(values, CPI_F_POSTCODE);
    cpi_postcode pc;
    bool have_pc = false;
    char other_pc[CPI_NORM_IDENT_MAX] = "";
    if (pcraw) {
        if (cpi_norm_postcode(pcraw, &pc, e2) == CPI_OK)
            have_pc = true;
        else if (!other_postcode(pcraw, other_pc, sizeof other_pc))
            BAD(CPI_F_POSTCODE);
    }
    if (!have_pc && addr_pc[0] && cpi_norm_postcode(addr_pc, &pc, e2) == CPI_OK)
        have_pc = true;
    if (have_pc) {
        ADD(CPI_KEY_PC, pc.full);
        ADD(CPI_KEY_PCS, pc.sector);
        ADD(CPI_KEY_PCD, pc.district);
    } else if (other_pc[0]) {
        ADD(CPI_KEY_PC, other_pc); /* no sector or district: it is compared whole */
    }
    const char *place = val(values, CPI_F_PLACE_NAME);
    if (place) {
        char k[CPI_NORM_NAME_MAX];
        if (cpi_norm_name_key(place, strlen(place), k, sizeof k, e2) == CPI_OK && k[0])
            ADD(CPI_KEY_PLACE, k);
        else
            BAD(CPI_F_PLACE_NAME);
    }
    const char *lid = val(values, CPI_F_LOCATION_ID);
    if (lid) {
        char id[CPI_RECORD_ID_MAX];
        ident_key(lid, id, sizeof id);
        if (id[0] && cpi_ref_valid_record_id(id))
            ADD(CPI_KEY_LID, id);
        else
            BAD(CPI_F_LOCATION_ID);
    }
    return CPI_OK;
}

cpi_status cpi_keys_build(cpi_kind kind, const char *const values[CPI_F__COUNT], int32_t record_day,
                          cpi_arena *arena, cpi_kvbuf *keys, unsigned long *bad, cpi_error *err)
{
    cpi_error *e2 = NULL; /* why a value is unreadable is not kept: its field is marked bad */
    switch (kind) {
    case CPI_KIND_PERSON:
        return person(values, record_day, arena, keys, bad, err);
    case CPI_KIND_LOCATION:
        return location(values, arena, keys, bad, err);
    case CPI_KIND_PHONE: {
        const char *p = val(values, CPI_F_PHONE);
        if (p) {
            char tel[CPI_NORM_PHONE_MAX];
            if (cpi_norm_phone(p, tel, e2) == CPI_OK)
                ADD(CPI_KEY_TEL, tel);
            else
                BAD(CPI_F_PHONE);
        }
        return CPI_OK;
    }
    case CPI_KIND_ONLINE: {
        char id[CPI_NORM_IDENT_MAX];
        const char *em = val(values, CPI_F_EMAIL), *us = val(values, CPI_F_USERNAME);
        if (em) {
            if (cpi_norm_email(em, id, sizeof id, e2) == CPI_OK)
                ADD(CPI_KEY_EMAIL, id);
            else
                BAD(CPI_F_EMAIL);
        }
        if (us) {
            /* an email written in a username column is still an email */
            if (strchr(us, '@') && us[0] != '@' && cpi_norm_email(us, id, sizeof id, e2) == CPI_OK)
                ADD(CPI_KEY_EMAIL, id);
            else if (cpi_norm_username(us, id, sizeof id, e2) == CPI_OK)
                ADD(CPI_KEY_USER, id);
            else
                BAD(CPI_F_USERNAME);
        }
        return CPI_OK;
    }
    }
    return cpi_error_set(err, CPI_ERR_USAGE, "unknown mention kind %d", (int)kind);
}
