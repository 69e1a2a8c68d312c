/*
 * query_parse.h - what an officer typed, read without the store: which form
 * of QUERY it is (lookup.h lists them) and its normalised parts, so that
 * cpi_lookup_run only has to look things up. Kept apart from the lookup so
 * it can be fuzzed and unit-tested alone (tests/fuzz/fuzz_query.c).
 *
 * One form needs the store to decide: a text that is neither an entity id
 * nor a reference is first tried as a system's own id (Niche nominal or
 * location id, PNC id: `ident`), and only when the store holds no such id is
 * it read as `form` (phone, postcode, address or name). A text that is none
 * of those is CPI_QF_INVALID, with the message to give if the identifier
 * lookup finds nothing too.
 *
 * Ownership: the result is a plain value (no pointers); it is big (a few
 * KiB), so callers keep it off small stacks in loops.
 */
#ifndef CPI_QUERY_PARSE_H
#define CPI_QUERY_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/model.h"
#include "core/normalise/normalise.h"

#define CPI_QUERY_MAX 512 /* bytes of query text kept (longer text is cut) */

typedef enum cpi_qform {
    CPI_QF_ENTITY_ID = 1, /* P-0000042 */
    CPI_QF_REFERENCE,     /* niche:NOM-0000123, miraf:MF-2021-000045/1 */
    CPI_QF_PHONE,         /* tel: canonical phone key */
    CPI_QF_POSTCODE,      /* postcode */
    CPI_QF_ADDRESS,       /* address */
    CPI_QF_NAME,          /* name: forename (maybe ""), surname (maybe "") */
    CPI_QF_INVALID,       /* none of them: invalid holds why */
} cpi_qform;

typedef struct cpi_query_parsed {
    char text[CPI_QUERY_MAX]; /* the query without leading and trailing spaces */
    bool has_dob;
    int32_t dob_day;          /* CPI_DAY_NONE without --dob */
    char dob_iso[CPI_NORM_ISO_DATE_MAX];
    cpi_qform form;
    cpi_ref ref;              /* CPI_QF_REFERENCE */
    bool try_ident;           /* forms after REFERENCE: look `ident` up as a system id first */
    char ident[96];           /* the text upper-cased without spaces (NOM-0000123, 19/482213K) */
    char tel[CPI_NORM_PHONE_MAX];
    cpi_postcode postcode;
    cpi_address address;
    char forename[CPI_NORM_NAME_MAX]; /* first forename key, "" if none */
    char surname[CPI_NORM_NAME_MAX];  /* surname key, "" if none */
    bool swap;                /* one forename and a surname: also try them the other way round */
    char swap_surname[CPI_NORM_NAME_MAX]; /* the forename as a surname key, for that second try */
    bool single_word;         /* one word and no comma ("Jones"): a surname as often as a forename, so the
                                 lookup tries it as both (swap_surname holds it as a surname key) */
    char invalid[200];        /* CPI_QF_INVALID: the message */
} cpi_query_parsed;

/*
 * Parse query (NUL-terminated) for a lookup of `kind` (CPI_KIND_PERSON: never
 * a place; 0 or CPI_KIND_LOCATION: postcodes and addresses too), with an
 * optional dob text (NULL or "": none). CPI_ERR_USAGE with a message for an
 * empty query, a malformed reference or an unreadable --dob; CPI_OK
 * otherwise (even for CPI_QF_INVALID, which is decided after the identifier
 * lookup).
 */
cpi_status cpi_query_parse(const char *query, cpi_kind kind, const char *dob, cpi_query_parsed *out, cpi_error *err);

#endif
