/*
 * keyname.h - the names of a mention's normalised keys (cpi_mention.keys), written down once.
 *
 * ingest/keys.c writes them, the store indexes the ones a lookup starts from
 * (core/store.c, cpi_store_key_indexed), and the resolver, the graph and the
 * queries read them. Stable: every store holds them, so a name is never
 * changed, only added. cpi_key_names lists them all, with the kinds of
 * mention that carry each and whether the store indexes it;
 * test_keyname holds the store and ingest to the table.
 *
 * A key name may carry several values (nn for an ambiguous short form, fx / sx
 * for a Double Metaphone alternate); a value is never repeated under one name.
 */
#ifndef CPI_KEYNAME_H
#define CPI_KEYNAME_H

#include <stdbool.h>
#include <stddef.h>

/* person */
#define CPI_KEY_FN "fn"         /* first forename */
#define CPI_KEY_FM "fm"         /* middle names */
#define CPI_KEY_NN "nn"         /* nickname-canonical forename */
#define CPI_KEY_SN "sn"         /* surname */
#define CPI_KEY_SA "sa"         /* a second surname key: the last part of a double-barrelled one */
#define CPI_KEY_FX "fx"         /* phonetic forename (Double Metaphone) */
#define CPI_KEY_SX "sx"         /* phonetic surname */
#define CPI_KEY_DOB "dob"       /* yyyy-mm-dd */
#define CPI_KEY_BY "by"         /* birth year, yyyy (with an exact dob) */
#define CPI_KEY_DOB_LO "dob_lo" /* birth range from an approximate age, yyyy-mm-dd */
#define CPI_KEY_DOB_HI "dob_hi"
#define CPI_KEY_NID "nid"       /* Niche nominal id */
#define CPI_KEY_PNC "pnc"       /* PNC id */
#define CPI_KEY_GENDER "gender" /* m, f or u */
#define CPI_KEY_STREET "street" /* street name: what an adult is called on the street */
/* location */
#define CPI_KEY_ADDR "addr"         /* address match key */
#define CPI_KEY_HOUSE "house"       /* house number or name */
#define CPI_KEY_FLAT "flat"
#define CPI_KEY_STREET_K "street_k" /* the street */
#define CPI_KEY_TOWN "town"
#define CPI_KEY_LOCALITY "locality"
#define CPI_KEY_REGION "region"
#define CPI_KEY_PREMISES "premises"
#define CPI_KEY_PC "pc"             /* postcode */
#define CPI_KEY_PCS "pcs"           /* postcode sector */
#define CPI_KEY_PCD "pcd"           /* postcode district */
#define CPI_KEY_PLACE "place"       /* a place's name */
#define CPI_KEY_LID "lid"           /* Niche location id */
/* phone */
#define CPI_KEY_TEL "tel" /* E.164 */
/* online, and a person's own email */
#define CPI_KEY_EMAIL "email"
#define CPI_KEY_USER "user"

#define CPI_KEY_KIND(k) (1u << (k)) /* cpi_key_name.kinds: a set of cpi_kind */

typedef struct cpi_key_name {
    const char *name;
    unsigned kinds; /* CPI_KEY_KIND(CPI_KIND_PERSON) | ... */
    bool indexed;   /* in the store's key index (a lookup starts from it) */
} cpi_key_name;

extern const cpi_key_name cpi_key_names[];
extern const size_t cpi_key_names_count;

/* The row for name; NULL if it is no key name. */
const cpi_key_name *cpi_key_name_find(const char *name);

#endif
