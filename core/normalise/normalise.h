/*
 * core/normalise/normalise.h - raw values from silo exports -> the keys record linkage and
 * lookup compare: names, forename nicknames, phonetic codes, dates and
 * approximate ages, UK postcodes, addresses, phones, emails and usernames.
 *
 * The raw value is kept elsewhere for display; these functions only make
 * keys. They run on the ingest hot path, so none of them allocates: every
 * result goes into a caller-provided buffer or fixed-size struct, and the
 * library's own tables are static and read-only (thread-safe).
 *
 * Errors: a value that cannot be normalised returns CPI_ERR_DATA with a
 * message that quotes the value and says what is wrong with it ("date
 * '31/02/2010': day 31 out of range for month 2"); the caller adds file, line
 * and field. A result buffer too small returns CPI_ERR_USAGE. On any error
 * the outputs hold an empty string / zeroed struct, never a half-built key.
 *
 * Folding used by every text key ("fold" below): Unicode NFKC, case fold,
 * combining marks stripped (Siân -> sian, Llŷr -> llyr, ß -> ss). Invalid
 * UTF-8 is CPI_ERR_DATA. Pure-ASCII input takes a fast path with the same
 * result.
 */
#ifndef CPI_NORMALISE_H
#define CPI_NORMALISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* ---------------------------------------------------------------- names */

#define CPI_NORM_NAME_MAX 64     /* bytes incl. NUL of one name key */
#define CPI_NORM_FORENAMES_MAX 4 /* forenames kept; later ones are dropped */

/*
 * Fold a name fragment into a key: letters only, apostrophes dropped
 * (O'Brien -> "obrien"), every run of spaces, hyphens, dots, commas, digits
 * and other non-letters becomes one space, trimmed ("Rees-Jones" ->
 * "rees jones"). No Mc/Mac folding here (see cpi_norm_surname_key).
 * Writes a NUL-terminated key of at most cap-1 bytes to out.
 */
cpi_status cpi_norm_name_key(const char *raw, size_t len, char *out, size_t cap, cpi_error *err);

/*
 * A surname column -> the surname key: cpi_norm_name_key with the parts
 * joined ("Rees-Jones" and "Rees Jones" -> "reesjones", "O'Brien" and
 * "O Brien" -> "obrien"), and a leading "mac" folded to "mc" when at least
 * three letters follow it, so McDonald = Mc Donald = MacDonald = Mac Donald
 * = "mcdonald" (Mack, Macey stay as they are). Folding Mac is a choice: it
 * makes the few true Mac/Mc spelling variants meet, and the rare non-Gaelic
 * Mac- names (Machin -> "mchin") gain no false partner because nothing else
 * folds to them.
 */
cpi_status cpi_norm_surname_key(const char *raw, size_t len, char *out, size_t cap, cpi_error *err);

/*
 * A person's name split into keys. All strings are keys as above and live in
 * the struct (no pointers). surname uses cpi_norm_surname_key rules.
 * surname_alt is a second surname key worth matching on, or "":
 *   - for a multi-part surname, its last part ("Rees-Jones" -> "jones");
 *   - for a full name whose surname was only guessed as the last word (rule 4) and
 *     which has at least three words, the last two joined ("Mary Rees Jones"
 *     -> surname "jones", alt "reesjones"),
 * so "Mary Rees-Jones" and "Mary Rees Jones" meet by comparing surname with
 * the other's surname_alt.
 */
typedef struct cpi_person_name {
    char forenames[CPI_NORM_FORENAMES_MAX][CPI_NORM_NAME_MAX]; /* each joined like a surname */
    int n_forenames;
    char surname[CPI_NORM_NAME_MAX];
    char surname_alt[CPI_NORM_NAME_MAX];
} cpi_person_name;

/*
 * Parse one full-name field. Rules, in order:
 *   1. a comma means surname first: "SMITH, John Paul";
 *   2. otherwise, when some words are in capitals (two or more letters, no
 *      lower case) and others are not, the capitalised words are the surname:
 *      "John SMITH", "SMITH John";
 *   3. a single word is a forename ("Rhiannon": MARAC often records children by first
 *      name only) unless it is in capitals ("EVANS"), which makes it a surname;
 *   4. otherwise the last word is the surname, with a particle before it
 *      joined on (mc, mac, o, ap, ab, de, del, der, van, von, le, la, du, di, da).
 * A leading title (Mr, Mrs, Ms, Miss, Master, Dr) is dropped. Hyphenated and
 * apostrophised words stay one word. A name with no letters is CPI_ERR_DATA.
 */
cpi_status cpi_norm_person_name(const char *raw, cpi_person_name *out, cpi_error *err);

/*
 * The same, from separate forename and surname columns (either may be NULL
 * or empty, not both).
 */
cpi_status cpi_norm_person_parts(const char *forenames, const char *surname, cpi_person_name *out,
                                 cpi_error *err);

/* ---------------------------------------------------------- nicknames */

/*
 * The forename table (core/normalise/nicknames.c: about 240 short forms in 300 rows, English and Welsh).
 * Keys are name keys (folded, as cpi_norm_name_key / forenames[] produce).
 * An ambiguous short form maps to every canonical it may stand for: Sam ->
 * samuel and samantha, Beth -> elizabeth and bethan, Alex -> alexander and
 * alexandra. Bethan, Rhiannon, Dafydd... are canonical names of their own.
 */

/* The one canonical for an unambiguous short form ("liz" -> "elizabeth"); NULL if key is
 * not a short form or is ambiguous. The result is a static string. */
const char *cpi_norm_forename_canonical(const char *key);

/* All canonicals of key, up to max, into out (static strings); returns how many. A name that
 * is not a short form has none. */
size_t cpi_norm_forename_canonicals(const char *key, const char **out, size_t max);

/*
 * True if a and b are the same forename or nickname-equivalent: their sets of
 * {itself} + canonicals intersect. "beth"~"elizabeth" and "beth"~"bethan"
 * but not "bethan"~"elizabeth": the relation is not transitive, on purpose.
 */
bool cpi_norm_forenames_equivalent(const char *key_a, const char *key_b);

/* As cpi_norm_forenames_equivalent, but a Welsh and an English form (tomos, thomas) are two names. */
bool cpi_norm_forenames_one_name(const char *key_a, const char *key_b);

/* As cpi_norm_forename_canonicals, leaving out the translations (tomos -> thomas). */
size_t cpi_norm_forename_short_of(const char *key, const char **out, size_t max);

/* True when fn(name, ctx) is true for some forename the table knows (a short form or a canonical). */
bool cpi_norm_forename_any(bool (*fn)(const char *name, void *ctx), void *ctx);

/* ----------------------------------------------------------- phonetic */

#define CPI_NORM_DMETA_MAX 8 /* buffer size for one code; codes are at most 4 letters */

/*
 * Double Metaphone (Lawrence Philips, 2000), implemented from the published
 * algorithm, codes cut at 4 letters as in the original. key is a name key
 * (lower- or upper-case ASCII letters; spaces and other bytes are skipped).
 * alternate equals primary when the name has no alternate. Smith -> SM0/XMT.
 */
void cpi_norm_dmetaphone(const char *key, char primary[CPI_NORM_DMETA_MAX], char alternate[CPI_NORM_DMETA_MAX]);

/* -------------------------------------------------------------- dates */

/*
 * A date is an int32 day number: days since 1970-01-01 in the proleptic
 * Gregorian calendar (negative before 1970). CPI_DAY_NONE (model.h,
 * INT32_MIN) means unknown.
 */
#define CPI_NORM_ISO_DATE_MAX 11 /* "yyyy-mm-dd" + NUL */

/* y/m/d -> day number. The date must be valid (use cpi_norm_date_valid first). */
int32_t cpi_norm_days_from_ymd(int y, int m, int d);
void cpi_norm_ymd_from_days(int32_t day, int *y, int *m, int *d);
/* The day (UTC) of a time in seconds since 1970-01-01T00:00Z: today is cpi_norm_day_of_time(time(NULL)). */
int32_t cpi_norm_day_of_time(int64_t t);
bool cpi_norm_date_valid(int y, int m, int d);
/* "yyyy-mm-dd" into out (at least CPI_NORM_ISO_DATE_MAX bytes). */
void cpi_norm_date_iso(int32_t day, char out[CPI_NORM_ISO_DATE_MAX]);
/* day moved by whole years, a 29 February landing in a common year becoming 28 February. */
int32_t cpi_norm_add_years(int32_t day, int years);

typedef enum cpi_date_kind {
    CPI_DATE_EVENT, /* two-digit year: the century nearest the reference date */
    CPI_DATE_DOB    /* two-digit year: the latest century not after the reference date */
} cpi_date_kind;

/*
 * Parse a date, day always before month (never US order):
 *   dd/mm/yyyy d/m/yy dd-mm-yyyy dd.mm.yyyy (same separator twice)
 *   yyyy-mm-dd yyyy/mm/dd yyyymmdd
 *   d MMM yyyy, d MMMM yyyy, d-MMM-yy ... (month names and 3-letter abbreviations, any
 *   case; "Sept" too; an ordinal suffix "3rd" and a comma after the month are allowed)
 * Surrounding spaces, and a trailing time ("10:15", "T10:15:00Z") after the date, are ignored.
 * Four-digit years must be 1800-2199. A two-digit year needs ref_day (else CPI_ERR_DATA)
 * and is resolved by kind. For CPI_DATE_DOB, when ref_day is known, a date more than 110
 * years before it is CPI_ERR_DATA; a four-digit date after it is accepted (a record may be
 * created before a birth: pre-birth safeguarding), so callers compare if they care.
 */
cpi_status cpi_norm_date(const char *raw, int32_t ref_day, cpi_date_kind kind, int32_t *day_out,
                         cpi_error *err);

/*
 * A date-of-birth field: an exact date, a year, or an approximate age.
 * exact: lo == hi == the date. Otherwise [lo, hi] is the inclusive range of
 * possible birth days.
 */
typedef struct cpi_dob {
    bool exact;
    bool approx; /* the text said approx / c. / circa / about / ~ / ? (range widened) */
    int age;     /* the age given, or -1 */
    int32_t lo, hi;
} cpi_dob;

/*
 * Parse a DOB field given the record's date (record_day, needed for ages and
 * two-digit years). Accepted:
 *   - any date cpi_norm_date accepts (kind CPI_DATE_DOB);
 *   - a four-digit year "2009": lo = 1 Jan, hi = 31 Dec;
 *   - an age 0-110: "15", "15 yrs", "15 years", "15 years old", "15y", "aged 15",
 *     "age 15", "approx 15", "approx. 15 yrs", "c.15", "c 15", "circa 15", "about 15",
 *     "~15", "15?".
 * Someone aged N on day D was born in (D - (N+1) years, D - N years], so
 * lo = D - (N+1)y + 1 day and hi = D - Ny. An uncertain age (approx, c., circa,
 * about, ~, or a trailing ?) is widened by one year each side: born in
 * (D - (N+2)y, D - (N-1)y], hi never after D.
 */
cpi_status cpi_norm_dob(const char *raw, int32_t record_day, cpi_dob *out, cpi_error *err);

/* ----------------------------------------------------------- postcode */

/*
 * A UK postcode in its keys. Input may be any case, with or without the
 * space, with extra spaces. Shapes (outward code then inward "9AA"):
 * A9, A99, A9A, AA9, AA99, AA9A; GIR 0AA also accepted.
 *   full     "NP20 1AB"  outward, one space, inward
 *   outward  "NP20"      the outward code
 *   sector   "NP20 1"    outward, space, the inward digit
 *   district "NP20"      defined here as the outward code (so equal to outward;
 *                        kept as its own field so callers name what they mean)
 *   area     "NP"        the leading letters of the outward code
 */
typedef struct cpi_postcode {
    char full[9];
    char outward[5];
    char sector[7];
    char district[5];
    char area[3];
} cpi_postcode;

cpi_status cpi_norm_postcode(const char *raw, cpi_postcode *out, cpi_error *err);

/* ------------------------------------------------------------ address */

#define CPI_NORM_ADDR_PART_MAX 96
#define CPI_NORM_ADDR_KEY_MAX 224

/*
 * An address split into folded parts (lower case, punctuation dropped):
 *   flat       "3", "2a", "2/1" - from "Flat 3", "Apartment 3", "Apt 3", "Flat No. 3",
 *              "Unit 3", "Room 3", "Maisonette 3", or the "3/12 High St" form, which is
 *              read as flat 3 at number 12 (the flat-first convention of "Flat 3, 12
 *              High St"; Edinburgh's number-first "12/3" is therefore NOT equal to it).
 *              A designator may come before or after the street.
 *   number     "12", "12a", "12-14"
 *   house_name when the address has no number: the parts before the first part that
 *              looks like a street (English type word last, "Mill Lane"; Welsh first,
 *              "Heol Fawr", "Stryd Fawr", "Maes y Deri"): "Ty Gwyn, Heol Fawr". With no
 *              part looking like a street, the first part is the street and there is no
 *              house name ("Stryd Fawr, Cwmbran"). A premises name before a numbered
 *              line is kept in premises instead and is not in the key
 *   street     words folded, abbreviations expanded: rd road, ave avenue, cres crescent,
 *              ln lane, dr drive, cl close, ct court, pl place, sq square, ter/terr/tce
 *              terrace, gdns gardens, gr/gro grove, pk park, hse house, wk walk, mt mount;
 *              "st" is "street" as the last word and "saint" anywhere else
 *              ("St Mary's Rd" -> "saint marys road", "High St" -> "high street")
 *   town       the last part, when there is one after the street
 *   postcode   the full postcode when the text ends with a valid one, else ""
 *   key        "flat|number-or-house_name|street": "3|12|high street", "|12|high street"
 * Lines may be separated by commas or newlines.
 */
typedef struct cpi_address {
    char flat[16];
    char number[16];
    char house_name[CPI_NORM_ADDR_PART_MAX];
    char premises[CPI_NORM_ADDR_PART_MAX];
    char street[CPI_NORM_ADDR_PART_MAX];
    char town[CPI_NORM_ADDR_PART_MAX];
    char postcode[9];
    char key[CPI_NORM_ADDR_KEY_MAX];
} cpi_address;

/* CPI_ERR_DATA when no street and no house name can be found, or a part is too long. */
cpi_status cpi_norm_address(const char *raw, cpi_address *out, cpi_error *err);

/* -------------------------------------------------------------- phone */

#define CPI_NORM_PHONE_MAX 20

/*
 * A phone number -> E.164 "+447700900123". Accepted: 07700 900123,
 * +44 7700 900123, +44 (0)7700 900123, 0044 7700 900123, 447700900123,
 * (01633) 123456, 07700-900-123, 07700.900.123, and a UK number whose leading
 * 0 a spreadsheet dropped (7700900123: ten digits not starting with 0). UK
 * numbers must have 10 digits after the 0 (9 allowed for 01 and 08 numbers). Other countries (+ or 00
 * then a code other than 44) are kept as + and 8-15 digits. Letters, too few
 * or too many digits are CPI_ERR_DATA.
 */
cpi_status cpi_norm_phone(const char *raw, char out[CPI_NORM_PHONE_MAX], cpi_error *err);

/* -------------------------------------------------- emails, usernames */

#define CPI_NORM_IDENT_MAX 256

/*
 * Email: trimmed, "mailto:" dropped, NFKC + case fold (marks kept: they are
 * part of the address), then shape-checked: one @, a local part of 1-64
 * bytes, a domain of dot-separated non-empty labels with at least one dot,
 * no spaces or control characters, 254 bytes at most.
 */
cpi_status cpi_norm_email(const char *raw, char *out, size_t cap, cpi_error *err);

/* Username / online handle: trimmed, NFKC + case fold, one leading @ dropped; must be
 * non-empty and free of spaces and control characters.
 * For both: a folded value that does not fit in cap-1 bytes is CPI_ERR_DATA (the value, not
 * the buffer, is at fault when cap is CPI_NORM_IDENT_MAX). */
cpi_status cpi_norm_username(const char *raw, char *out, size_t cap, cpi_error *err);

#endif
