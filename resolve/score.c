/*
 * resolve/score.c - the comparison vectors of candidate pairs and the
 * models they are scored with (resolve/fs.h: Fellegi-Sunter as Splink does it).
 *
 * People, in model order (levels strongest agreement first, null last):
 *   forename  exact / nickname / (part) / JW >= 0.92 / JW >= 0.85 / phonetic / else
 *             term-frequency adjusted on exact
 *   surname   exact / part of a double-barrelled name / JW bands / phonetic / else, TF on exact
 *   dob       exact / day-month swapped / one part differs / inside an age range / else
 *   gender, nominal id, PNC id   same / different
 *   home      the two reach one resolved place by lives-at (their own record's, their
 *             nominal's, or a household member's) / both have homes, none shared
 *   phone     the two use one resolved phone / both use phones, none shared
 *   street    the same street name / different
 *   related   both are recorded with one resolved person (two MACE rows naming an adult
 *             as a risk to one child, one Niche occurrence naming both) / not shared, whether different or unknown: an
 *             adult who targets many children is recorded with different ones, so a
 *             difference is not the strong evidence against it would be for a home
 *             (the null level is never produced)
 * Forename and surname written the other way round ("JONES Iwan" read as
 * forename jones) are compared crosswise when that agrees better.
 *
 * Places: address (cpi_cmp_address_parts), postcode full / sector / district,
 * flat same / on one side only / different, house number same / different,
 * the place's name (a premises or school) exact / close, town same /
 * different.
 *
 * Level ordinals are the enums of resolve/compare.h where one exists, so a
 * stored model keeps its meaning; the comparisons written here (context,
 * flat, place name) are defined in resolve/internal.h.
 */
#include <string.h>

#include "resolve/compare.h"
#include "core/normalise/normalise.h"
#include "resolve/internal.h"

static const char *const NAME_LEVELS[] = {"exact", "nickname", "part", "jw_high", "jw_mid", "phonetic", "else", "null"};
static const char *const DOB_LEVELS[] = {"exact", "swap", "one_part", "in_range", "within_year", "within_10y", "else", "null"};
static const char *const SAME_LEVELS[] = {"same", "different", "null"};
static const char *const ADDRESS_LEVELS[] = {"exact", "same_building", "street_jw", "else", "null"};
static const char *const POSTCODE_LEVELS[] = {"full", "sector", "district", "else", "null"};
static const char *const FLAT_LEVELS[] = {"same", "one_side", "different", "none"};
static const char *const PLACE_LEVELS[] = {"exact", "jw", "else", "null"};
static const char *const RELATED_LEVELS[] = {"shared", "not_shared", "null"};
static const char *const EMAIL_LEVELS[] = {"exact", "local_part", "jw", "else", "null"};

/* The model shapes cannot fail to build: names and counts are fixed here. */
static void add(cpi_fs_model *m, const char *name, uint8_t n, const char *const *levels, uint8_t null_level)
{
    cpi_error err;
    (void)cpi_fs_model_add(m, name, n, levels, null_level, &err);
}

void cpi_rs_person_model(cpi_fs_model *model)
{
    cpi_fs_model_init(model, 1e-4);
    add(model, "forename", CPI_NAME_NLEVELS, NAME_LEVELS, CPI_NAME_NULL);
    add(model, "surname", CPI_NAME_NLEVELS, NAME_LEVELS, CPI_NAME_NULL);
    add(model, "dob", CPI_DOB_NLEVELS, DOB_LEVELS, CPI_DOB_NULL);
    add(model, "gender", CPI_GENDER_NLEVELS, SAME_LEVELS, CPI_GENDER_NULL);
    add(model, "nominal_id", CPI_IDENT_NLEVELS, SAME_LEVELS, CPI_IDENT_NULL);
    add(model, "pnc_id", CPI_IDENT_NLEVELS, SAME_LEVELS, CPI_IDENT_NULL);
    add(model, "home", RS_CTX_NLEVELS, SAME_LEVELS, RS_CTX_NULL);
    add(model, "phone", RS_CTX_NLEVELS, SAME_LEVELS, RS_CTX_NULL);
    add(model, "street_name", CPI_IDENT_NLEVELS, SAME_LEVELS, CPI_IDENT_NULL);
    add(model, "related", RS_REL_NLEVELS, RELATED_LEVELS, RS_REL_NULL);
    add(model, "email", CPI_EMAIL_NLEVELS, EMAIL_LEVELS, CPI_EMAIL_NULL);
    add(model, "home_house", CPI_IDENT_NLEVELS, SAME_LEVELS, CPI_IDENT_NULL);
    add(model, "home_street", RS_PLACE_NLEVELS, PLACE_LEVELS, RS_PLACE_NULL);
    add(model, "home_postcode", CPI_POSTCODE_NLEVELS, POSTCODE_LEVELS, CPI_POSTCODE_NULL);
    add(model, "home_town", RS_PLACE_NLEVELS, PLACE_LEVELS, RS_PLACE_NULL);
    model->cmp[RS_PC_FORENAME].tf_level = CPI_NAME_EXACT;
    model->cmp[RS_PC_FORENAME].tf_floor = CPI_FS_TF_FLOOR_DEFAULT;
    model->cmp[RS_PC_SURNAME].tf_level = CPI_NAME_EXACT;
    model->cmp[RS_PC_SURNAME].tf_floor = CPI_FS_TF_FLOOR_DEFAULT;
}

void cpi_rs_location_model(cpi_fs_model *model)
{
    cpi_fs_model_init(model, 1e-3);
    add(model, "address", CPI_ADDRESS_NLEVELS, ADDRESS_LEVELS, CPI_ADDRESS_NULL);
    add(model, "postcode", CPI_POSTCODE_NLEVELS, POSTCODE_LEVELS, CPI_POSTCODE_NULL);
    add(model, "flat", RS_FLAT_NLEVELS, FLAT_LEVELS, RS_FLAT_NONE);
    add(model, "house", CPI_IDENT_NLEVELS, SAME_LEVELS, CPI_IDENT_NULL);
    add(model, "place_name", RS_PLACE_NLEVELS, PLACE_LEVELS, RS_PLACE_NULL);
    add(model, "town", CPI_IDENT_NLEVELS, SAME_LEVELS, CPI_IDENT_NULL);
}

static bool present(const char *s) { return s && *s; }

/* Phonetic codes for cpi_cmp_name: a shared code (primary or alternate) if there is one. */
static void phon(const char *a1, const char *a2, const char *b1, const char *b2, const char **pa, const char **pb)
{
    const char *as[2] = {a1, a2}, *bs[2] = {b1, b2};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            if (present(as[i]) && present(bs[j]) && strcmp(as[i], bs[j]) == 0) {
                *pa = *pb = as[i];
                return;
            }
    *pa = a1;
    *pb = b1;
}

static cpi_name_level fore_level(const char *a, const char *b, const char *pa, const char *pb)
{
    if (!present(a) || !present(b))
        return CPI_NAME_NULL;
    bool nick = strcmp(a, b) != 0 && cpi_norm_forenames_equivalent(a, b);
    return cpi_cmp_name(a, b, nick, pa, pb);
}

/*
 * A second surname key where the store has none: when one surname begins or
 * ends with the other (at least three letters each side), the rest is the
 * other part of a double-barrelled name, so cpi_cmp_surname can see the part.
 */
static const char *derived_alt(const char *a, const char *b, char *buf, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (lb < 3 || la < lb + 3 || la >= cap)
        return NULL;
    if (strcmp(a + la - lb, b) == 0)
        return b; /* "reesjones" ends with "jones" */
    if (strncmp(a, b, lb) == 0) {
        memcpy(buf, a + lb, la - lb + 1);
        return buf; /* "reesjones" begins with "rees": alt "jones" */
    }
    return NULL;
}

static cpi_name_level sur_level(const char *a, const char *a_alt, const char *b, const char *b_alt, const char *pa,
                                const char *pb)
{
    if (!present(a) || !present(b))
        return CPI_NAME_NULL;
    char ba[CPI_NORM_NAME_MAX], bb[CPI_NORM_NAME_MAX];
    if (!present(a_alt))
        a_alt = derived_alt(a, b, ba, sizeof ba);
    if (!present(b_alt))
        b_alt = derived_alt(b, a, bb, sizeof bb);
    return cpi_cmp_surname(a, a_alt, b, b_alt, pa, pb);
}

/* Do two sorted id sets share a member? */
static uint8_t ctx_level(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
    if (!na || !nb)
        return RS_CTX_NULL;
    for (uint32_t i = 0, j = 0; i < na && j < nb;) {
        if (a[i] == b[j])
            return RS_CTX_SAME;
        if (a[i] < b[j])
            i++;
        else
            j++;
    }
    return RS_CTX_DIFFERENT;
}

static uint8_t place_level(const char *a, const char *b);

uint8_t cpi_rs_postcode_level(const char *a, const char *b)
{
    /* Normalised UK postcodes hold a space; one kept whole from elsewhere ("4011") does not and has no
     * sector or district to agree on. */
    if (present(a) && present(b) && (!strchr(a, ' ') || !strchr(b, ' ')))
        return strcmp(a, b) == 0 ? CPI_POSTCODE_FULL : CPI_POSTCODE_ELSE;
    return (uint8_t)cpi_cmp_postcode(a, b);
}

/*
 * The addresses two people's own records give, part by part, as a spreadsheet with address columns
 * is linked: house number, street, postcode and town each their own evidence (a typo in one leaves
 * the others). When their homes are already one resolved place the home comparison has said it, and
 * the parts would count the same agreement again: they are then null.
 */
static void home_parts(const cpi_rs_lview *a, const cpi_rs_lview *b, bool same_place, cpi_fs_vec *v)
{
    v->levels[RS_PC_ADDR_HOUSE] = CPI_IDENT_NULL;
    v->levels[RS_PC_ADDR_STREET] = RS_PLACE_NULL;
    v->levels[RS_PC_ADDR_POSTCODE] = CPI_POSTCODE_NULL;
    v->levels[RS_PC_ADDR_TOWN] = RS_PLACE_NULL;
    if (same_place)
        return;
    v->levels[RS_PC_ADDR_HOUSE] = (uint8_t)cpi_cmp_ident(a->house, b->house);
    v->levels[RS_PC_ADDR_STREET] = place_level(a->street, b->street);
    v->levels[RS_PC_ADDR_POSTCODE] = cpi_rs_postcode_level(a->pc, b->pc);
    v->levels[RS_PC_ADDR_TOWN] = place_level(a->town, b->town);
}

void cpi_rs_person_vec(const cpi_rs_pview *a, const cpi_rs_pview *b, cpi_fs_vec *v, double tf[CPI_FS_MAX_CMP])
{
    memset(v, 0, sizeof *v);
    for (int c = 0; c < CPI_FS_MAX_CMP; c++)
        tf[c] = 0;
    const char *pa, *pb;
    phon(a->fx, a->fx2, b->fx, b->fx2, &pa, &pb);
    cpi_name_level fl = fore_level(a->fn, b->fn, pa, pb);
    phon(a->sx, a->sx2, b->sx, b->sx2, &pa, &pb);
    cpi_name_level sl = sur_level(a->sn, a->sa, b->sn, b->sa, pa, pb);
    if (fl == CPI_NAME_EXACT)
        tf[RS_PC_FORENAME] = a->tf_fn;
    if (sl == CPI_NAME_EXACT)
        tf[RS_PC_SURNAME] = a->tf_sn;
    /* forename and surname the other way round on one side */
    if (fl >= CPI_NAME_PHONETIC && fl != CPI_NAME_NULL && present(a->sn) && present(b->sn)) {
        phon(a->fx, a->fx2, b->sx, b->sx2, &pa, &pb);
        cpi_name_level xf = cpi_cmp_name(a->fn, b->sn, false, pa, pb);
        phon(a->sx, a->sx2, b->fx, b->fx2, &pa, &pb);
        cpi_name_level xs = cpi_cmp_name(a->sn, b->fn, false, pa, pb);
        if (xf <= CPI_NAME_JW_HIGH && xs <= CPI_NAME_JW_HIGH) {
            fl = xf;
            sl = xs;
            tf[RS_PC_FORENAME] = tf[RS_PC_SURNAME] = 0;
        }
    }
    v->levels[RS_PC_FORENAME] = (uint8_t)fl;
    v->levels[RS_PC_SURNAME] = (uint8_t)sl;
    v->levels[RS_PC_DOB] = (uint8_t)cpi_cmp_dob(a->dob_lo, a->dob_hi, b->dob_lo, b->dob_hi);
    v->levels[RS_PC_GENDER] = (uint8_t)cpi_cmp_gender(a->gender, b->gender);
    v->levels[RS_PC_NID] = (uint8_t)cpi_cmp_ident(a->nid, b->nid);
    v->levels[RS_PC_PNC] = (uint8_t)cpi_cmp_ident(a->pnc, b->pnc);
    v->levels[RS_PC_HOME] = ctx_level(a->homes, a->nhomes, b->homes, b->nhomes);
    v->levels[RS_PC_PHONE] = ctx_level(a->phones, a->nphones, b->phones, b->nphones);
    v->levels[RS_PC_STREET] = (uint8_t)cpi_cmp_ident(a->street, b->street);
    v->levels[RS_PC_RELATED] = cpi_rs_related_level(a, b);
    v->levels[RS_PC_EMAIL] = (uint8_t)cpi_cmp_email(a->email, b->email);
    home_parts(&a->home, &b->home, v->levels[RS_PC_HOME] == RS_CTX_SAME, v);
}

uint8_t cpi_rs_related_level(const cpi_rs_pview *a, const cpi_rs_pview *b)
{
    /* positive evidence only: an adult who targets many children is recorded with different ones */
    return ctx_level(a->related, a->nrelated, b->related, b->nrelated) == RS_CTX_SAME ? RS_REL_SHARED : RS_REL_NONE;
}

static uint8_t flat_level(const char *a, const char *b)
{
    bool pa = present(a), pb = present(b);
    if (!pa && !pb)
        return RS_FLAT_NONE;
    if (pa != pb)
        return RS_FLAT_ONE_SIDE;
    return strcmp(a, b) == 0 ? RS_FLAT_SAME : RS_FLAT_DIFFERENT;
}

static uint8_t place_level(const char *a, const char *b)
{ /* exact / Jaro-Winkler >= 0.92 / else: a place's name, a street, a town */
    if (!present(a) || !present(b))
        return RS_PLACE_NULL;
    if (strcmp(a, b) == 0)
        return RS_PLACE_EXACT;
    return cpi_jaro_winkler(a, b) >= CPI_CMP_NAME_JW_HIGH ? RS_PLACE_JW : RS_PLACE_ELSE;
}

/*
 * A numberless address whose street is the other side's place name names that place: a MIRAF or
 * MACE form writes a park, station or takeaway by its name and postcode ("Parc Rogerstone, NP10
 * 9TW" for the park Niche keeps at 26 High Street), and the address normaliser takes the name for
 * a street. Such a form (the same text in dozens of rows at 1M records) met the Niche location in
 * no block and scored as a different street when it did.
 */
static bool street_is_name(const cpi_rs_lview *a, const cpi_rs_lview *b)
{
    return !present(a->house) && !present(a->place) && present(a->street) && present(b->place) &&
           strcmp(a->street, b->place) == 0;
}

void cpi_rs_location_vec(const cpi_rs_lview *va, const cpi_rs_lview *vb, cpi_fs_vec *v)
{
    memset(v, 0, sizeof *v);
    cpi_rs_lview na = *va, nb = *vb, *a = &na, *b = &nb;
    if (street_is_name(va, vb)) {
        na.place = na.street;
        na.street = NULL;
    } else if (street_is_name(vb, va)) {
        nb.place = nb.street;
        nb.street = NULL;
    }
    cpi_cmp_address aa = {a->flat, a->house, a->street, a->pc}, ab = {b->flat, b->house, b->street, b->pc};
    v->levels[RS_LC_ADDRESS] = (uint8_t)cpi_cmp_address_parts(&aa, &ab);
    /* a house number written on one side only ("Ringland Circle" for "37 Ringland Circle") says
     * nothing about the address either way; the house comparison is missing too */
    if (present(a->house) != present(b->house))
        v->levels[RS_LC_ADDRESS] = CPI_ADDRESS_NULL;
    v->levels[RS_LC_POSTCODE] = cpi_rs_postcode_level(a->pc, b->pc);
    v->levels[RS_LC_FLAT] = flat_level(a->flat, b->flat);
    v->levels[RS_LC_HOUSE] = (uint8_t)cpi_cmp_ident(a->house, b->house);
    v->levels[RS_LC_NAME] = place_level(a->place, b->place);
    v->levels[RS_LC_TOWN] = (uint8_t)cpi_cmp_ident(a->town, b->town);
}

void cpi_rs_pview_keys(cpi_rs_pview *v, const cpi_intern *str, const cpi_rs_mention *m)
{
    const uint32_t *k = m->key;
    v->fn = cpi_intern_id_str(str, k[RS_P_FN]);
    v->sn = cpi_intern_id_str(str, k[RS_P_SN]);
    v->sa = cpi_intern_id_str(str, k[RS_P_SA]);
    v->fx = cpi_intern_id_str(str, k[RS_P_FX]);
    v->fx2 = cpi_intern_id_str(str, k[RS_P_FX2]);
    v->sx = cpi_intern_id_str(str, k[RS_P_SX]);
    v->sx2 = cpi_intern_id_str(str, k[RS_P_SX2]);
    v->nid = cpi_intern_id_str(str, k[RS_P_NID]);
    v->pnc = cpi_intern_id_str(str, k[RS_P_PNC]);
    v->gender = cpi_intern_id_str(str, k[RS_P_GENDER]);
    v->street = cpi_intern_id_str(str, k[RS_P_STREET]);
    v->email = cpi_intern_id_str(str, k[RS_P_EMAIL]);
    v->dob_lo = m->dob_lo;
    v->dob_hi = m->dob_hi;
}

void cpi_rs_pview_of(const cpi_rs_data *d, uint32_t i, uint32_t home_m, cpi_rs_pview *v)
{
    memset(v, 0, sizeof *v);
    const cpi_rs_mention *m = &d->m[i];
    cpi_rs_pview_keys(v, &d->str, m);
    if (home_m != UINT32_MAX)
        cpi_rs_lview_of(d, home_m, &v->home);
    if (m->key[RS_P_FN] && d->n_fn)
        v->tf_fn = (double)d->fn_count[m->key[RS_P_FN]] / (double)d->n_fn;
    if (m->key[RS_P_SN] && d->n_sn)
        v->tf_sn = (double)d->sn_count[m->key[RS_P_SN]] / (double)d->n_sn;
}

void cpi_rs_lview_set(cpi_rs_lview *v, const char *house, const char *flat, const char *street, const char *pc,
                      const char *town, const char *place, const char *premises)
{
    v->flat = flat;
    v->street = street;
    v->pc = pc;
    v->town = town;
    v->place = present(place) ? place : premises;
    v->house = house;
    /* A "house" that is not a number is a name - a named house, or a shop whose address lost its
     * number ("Malpas Convenience Store, Somerton Road"): compare it as the place's name. */
    if (present(house) && !(house[0] >= '0' && house[0] <= '9')) {
        if (!present(v->place))
            v->place = house;
        v->house = NULL;
    }
}

void cpi_rs_lview_keys(cpi_rs_lview *v, const cpi_intern *str, const cpi_rs_mention *m)
{
    const uint32_t *k = m->key;
    cpi_rs_lview_set(v, cpi_intern_id_str(str, k[RS_L_HOUSE]), cpi_intern_id_str(str, k[RS_L_FLAT]),
                     cpi_intern_id_str(str, k[RS_L_STREET]), cpi_intern_id_str(str, k[RS_L_PC]),
                     cpi_intern_id_str(str, k[RS_L_TOWN]), cpi_intern_id_str(str, k[RS_L_PLACE]),
                     cpi_intern_id_str(str, k[RS_L_PREMISES]));
}

void cpi_rs_lview_of(const cpi_rs_data *d, uint32_t i, cpi_rs_lview *v) { cpi_rs_lview_keys(v, &d->str, &d->m[i]); }
