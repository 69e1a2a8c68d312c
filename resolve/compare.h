/*
 * compare.h - field comparisons for record linkage.
 *
 * Entity resolution compares a candidate pair of mentions field by field and
 * turns each field into a comparison LEVEL (exact, nickname, close spelling,
 * ... , else, null); the Fellegi-Sunter model (resolve/fs.h) then gives each
 * level its weight. This module only computes levels and string
 * similarities. Inputs are keys already normalised elsewhere (core/normalise/normalise.h:
 * lower case, diacritics folded, postcodes as "NP20 1AB", dates as day
 * numbers), so the functions here never parse and never allocate.
 *
 * Ownership: every function takes borrowed, NUL-terminated strings (NULL is
 * allowed wherever a value may be missing and means "missing", like "") and
 * keeps nothing. All functions are pure and thread-safe.
 *
 * Level enums are ordered from strongest agreement to weakest, with the NULL
 * (missing) level last; the ordinal is what goes into a cpi_fs vector, so the
 * values are part of the stored model's meaning: append, never reorder.
 */
#ifndef CPI_COMPARE_H
#define CPI_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Jaro and Jaro-Winkler similarity compare BYTES, which is right for keys
 * (folded to lower-case ASCII letters by the normaliser) and merely
 * approximate for other UTF-8. Only the first CPI_CMP_KEY_MAX bytes of each
 * string are considered (keys are far shorter), which keeps them
 * allocation-free.
 */
#define CPI_CMP_KEY_MAX 256

/*
 * Jaro similarity in [0, 1]. Identical strings (including two empty ones)
 * give 1.0; one empty and one non-empty give 0.0. Callers that need "missing"
 * to mean something other than agreement must test for emptiness first, as
 * the cpi_cmp_* level functions below do.
 */
double cpi_jaro(const char *a, const char *b);

/*
 * Jaro-Winkler in [0, 1]: jaro + l * 0.1 * (1 - jaro), where l is the length
 * of the common prefix, at most 4. The boost is applied whatever the Jaro
 * value (Winkler's 1990 paper only boosts above 0.7; the Wikipedia form and
 * Splink apply it always, and so do we, so the published examples match).
 */
double cpi_jaro_winkler(const char *a, const char *b);

/*
 * Levenshtein (insert / delete / substitute, unit costs) distance bounded by
 * max >= 0: returns the distance when it is <= max, else max + 1, and stops
 * early once the bound is certain. Bytes, first CPI_CMP_KEY_MAX of each.
 */
int cpi_levenshtein(const char *a, const char *b, int max);

/* ---------------------------------------------------------------- names */

/* Jaro-Winkler thresholds of the name levels. */
#define CPI_CMP_NAME_JW_HIGH 0.92
#define CPI_CMP_NAME_JW_MID 0.85

typedef enum cpi_name_level {
    CPI_NAME_EXACT = 0,   /* keys equal */
    CPI_NAME_NICKNAME,    /* the caller's nickname table says the two are one name */
    CPI_NAME_PART,        /* surnames only: one is part of the other's multi-part name */
    CPI_NAME_JW_HIGH,     /* Jaro-Winkler >= 0.92 */
    CPI_NAME_JW_MID,      /* Jaro-Winkler >= 0.85 */
    CPI_NAME_PHONETIC,    /* phonetic keys equal (and non-empty) */
    CPI_NAME_ELSE,
    CPI_NAME_NULL,        /* either side missing */
    CPI_NAME_NLEVELS
} cpi_name_level;

/*
 * Level of two forename (or any single-name) keys. nickname_equiv is the
 * caller's answer from the nickname table (core/normalise/normalise.h), which this
 * module does not consult. phon_a / phon_b are the two phonetic keys (e.g.
 * Double Metaphone primaries), NULL or "" when unknown. The first level that
 * holds wins, in enum order. Never returns CPI_NAME_PART.
 */
cpi_name_level cpi_cmp_name(const char *a, const char *b, bool nickname_equiv, const char *phon_a,
                            const char *phon_b);

/*
 * Level of two surname keys, aware of double-barrelled names. The normaliser
 * joins the parts ("Rees-Jones" -> "reesjones") and gives the last part as
 * surname_alt ("jones"); keys that still hold '-' or ' ' between parts are
 * split on them as well. a_alt / b_alt may be NULL or "".
 *
 * CPI_NAME_PART is returned, when the keys are not equal, if
 *   - one side's alt equals the other's surname ("reesjones"/"jones" vs "jones"), or
 *   - one side's parts are a subset of the other's: "rees-jones" vs "jones",
 *     vs "rees", vs "jones-rees" (the same parts reversed).
 * Sharing only one part of two different double-barrelled names
 * ("rees-jones" vs "smith-jones") is NOT a part match: it falls through to
 * the spelling levels. A joined key is split into (surname minus alt, alt)
 * when it ends with its alt. Otherwise as cpi_cmp_name without nicknames.
 */
cpi_name_level cpi_cmp_surname(const char *a, const char *a_alt, const char *b, const char *b_alt,
                               const char *phon_a, const char *phon_b);

/* ------------------------------------------------------------------ dates */

/* A missing day number. */
#define CPI_CMP_DAY_NONE INT32_MIN

/* Day numbers are core/normalise's (cpi_norm_days_from_ymd): days since 1970-01-01. */

typedef enum cpi_dob_level {
    CPI_DOB_EXACT = 0,
    CPI_DOB_SWAP,       /* day and month swapped, both <= 12 and different, same year */
    CPI_DOB_ONE_PART,   /* exactly one of day, month, year differs, by a one-digit typo or, for
                           the year, by one */
    CPI_DOB_IN_RANGE,   /* a range (from an age or a bare year) contains the other's exact date,
                           or two ranges overlap */
    CPI_DOB_YEAR,       /* two exact dates no typo above explains, at most CPI_CMP_DOB_YEAR_DAYS apart */
    CPI_DOB_DECADE,     /* ...at most CPI_CMP_DOB_DECADE_DAYS apart (several digits mistyped) */
    CPI_DOB_ELSE,
    CPI_DOB_NULL,       /* either side missing */
    CPI_DOB_NLEVELS
} cpi_dob_level;

/*
 * Level of two dates of birth, each given as an inclusive range of day
 * numbers [lo, hi]: an exact date has lo == hi (as cpi_dob from the
 * normaliser). A side is missing when lo or hi is CPI_CMP_DAY_NONE or
 * lo > hi. EXACT, SWAP and ONE_PART need both sides exact; IN_RANGE needs at
 * least one range. "One-digit typo" means the zero-padded decimal forms
 * (2 digits for day and month, 4 for the year) differ in exactly one digit:
 * 12 vs 13 or 02 vs 12, not 19 vs 20. A year one apart also counts (2009
 * vs 2010).
 */
cpi_dob_level cpi_cmp_dob(int32_t a_lo, int32_t a_hi, int32_t b_lo, int32_t b_hi);
#define CPI_CMP_DOB_YEAR_DAYS 366
#define CPI_CMP_DOB_DECADE_DAYS 3653

/* -------------------------------------------------------------- postcodes */

typedef enum cpi_postcode_level {
    CPI_POSTCODE_FULL = 0,  /* whole postcode equal */
    CPI_POSTCODE_SECTOR,    /* outward code and inward digit equal: "NP20 1" */
    CPI_POSTCODE_DISTRICT,  /* outward code equal: "NP20" */
    CPI_POSTCODE_ELSE,
    CPI_POSTCODE_NULL,
    CPI_POSTCODE_NLEVELS
} cpi_postcode_level;

/*
 * Level of two normalised postcodes ("NP20 1AB"). Partial forms are
 * accepted: an outward code alone ("NP20") can reach DISTRICT at most, a
 * sector ("NP20 1") SECTOR at most; FULL needs two full, equal postcodes.
 */
cpi_postcode_level cpi_cmp_postcode(const char *a, const char *b);

/* ------------------------------------------------------------------ email */

typedef enum cpi_email_level {
    CPI_EMAIL_EXACT = 0,  /* whole addresses equal */
    CPI_EMAIL_LOCAL,      /* the part before '@' equal (CPI_CMP_EMAIL_LOCAL_MIN letters and digits at
                             least), another domain */
    CPI_EMAIL_JW,         /* Jaro-Winkler of the whole addresses >= CPI_CMP_EMAIL_JW (a typo) */
    CPI_EMAIL_ELSE,
    CPI_EMAIL_NULL,
    CPI_EMAIL_NLEVELS
} cpi_email_level;

#define CPI_CMP_EMAIL_JW 0.9
#define CPI_CMP_EMAIL_LOCAL_MIN 4

/* Level of two normalised (case-folded) email addresses. */
cpi_email_level cpi_cmp_email(const char *a, const char *b);

/* -------------------------------------------------------------- addresses */

/* The parts of a normalised address compared here (borrowed; NULL or "" = absent). */
typedef struct cpi_cmp_address {
    const char *flat;
    const char *number;
    const char *street;   /* the street key */
    const char *postcode; /* full normalised postcode */
} cpi_cmp_address;

#define CPI_CMP_STREET_JW 0.9

typedef enum cpi_address_level {
    CPI_ADDRESS_EXACT = 0,      /* flat, number, street and postcode all equal */
    CPI_ADDRESS_SAME_BUILDING,  /* number, street and postcode equal, flat differs or is on one side */
    CPI_ADDRESS_STREET_JW,      /* number equal, street Jaro-Winkler >= 0.9 */
    CPI_ADDRESS_ELSE,
    CPI_ADDRESS_NULL,           /* either side has no street */
    CPI_ADDRESS_NLEVELS
} cpi_address_level;

/*
 * Level of two addresses. EXACT and SAME_BUILDING need a postcode on both
 * sides, because "12 high street" recurs in every town. An absent flat
 * equals an absent flat and an absent number an absent number (a named
 * house the caller may pass in number), so EXACT holds for two number-less
 * addresses with the same street and postcode; but SAME_BUILDING and
 * STREET_JW need a house number present on both sides, because "same
 * street, no number" says nothing about the building.
 */
cpi_address_level cpi_cmp_address_parts(const cpi_cmp_address *a, const cpi_cmp_address *b);

/* ------------------------------------------------- identifiers and gender */

/*
 * Exact-or-else for strong identifiers (E.164 phone, Niche nominal id, PNC
 * id, email, username): two present and different identifiers of one kind are
 * strong evidence AGAINST a match, so DIFFERENT is a level of its own.
 */
typedef enum cpi_ident_level {
    CPI_IDENT_SAME = 0,
    CPI_IDENT_DIFFERENT,
    CPI_IDENT_NULL,
    CPI_IDENT_NLEVELS
} cpi_ident_level;

cpi_ident_level cpi_cmp_ident(const char *a, const char *b);

typedef enum cpi_gender_level {
    CPI_GENDER_SAME = 0,
    CPI_GENDER_DIFFERENT,
    CPI_GENDER_NULL,
    CPI_GENDER_NLEVELS
} cpi_gender_level;

/*
 * Gender codes compared case-insensitively; NULL, "", "u" and "unknown"
 * are missing (not evidence either way).
 */
cpi_gender_level cpi_cmp_gender(const char *a, const char *b);

#endif
