/*
 * spec.h - declarative row mappings: how one CSV file's columns become a
 * record, its mentions and the relations between them.
 *
 * Every silo adapter is a table of these (one per export file), and the
 * generic `csv --map FILE` adapter builds one from a mapping file, so the
 * same engine (ingest/engine.c) turns every row of every silo into a record.
 * Column names are matched case-insensitively; "a|b|c" lists aliases.
 *
 * Mention numbering (the contract with docs/formats.md and cpgen's truth):
 * mentions are numbered from 1 in slot order; a slot whose columns are all
 * empty in a row produces no mention and takes no number. A relation whose
 * slot produced no mention is not stored.
 *
 * Every column not consumed by the record id or a mention field is kept as a
 * fact under its lower-cased header name, so nothing in a row is lost.
 *
 * Ownership: specs are static tables (silo adapters) or owned by the
 * cpi_mapfile that parsed them; the engine only reads them.
 */
#ifndef CPI_SPEC_H
#define CPI_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

/* What a column holds, for a mention. */
typedef enum cpi_field {
    CPI_F_NONE = 0,
    /* person */
    CPI_F_NAME,        /* full name, "Forename SURNAME" or "SURNAME, Forename" */
    CPI_F_FORENAMES,
    CPI_F_SURNAME,
    CPI_F_DOB,         /* a date of birth, or an approximate age ("approx 15", "15 yrs") */
    CPI_F_AGE,         /* an age in years at the record's date */
    CPI_F_GENDER,
    CPI_F_NOMINAL_ID,  /* Niche nominal id: a strong identifier */
    CPI_F_PNC,         /* PNC id: a strong identifier */
    CPI_F_ALIAS,
    CPI_F_STREET_NAME, /* what an adult is called on the street */
    /* location */
    CPI_F_ADDRESS,     /* one address text; several ADDRESS fields are joined with ", " */
    CPI_F_POSTCODE,
    CPI_F_LOCATION_ID, /* Niche location id: a strong identifier */
    CPI_F_PLACE_NAME,
    CPI_F_PLACE_TYPE,
    /* phone */
    CPI_F_PHONE,
    /* online */
    CPI_F_EMAIL,
    CPI_F_USERNAME,
    /* location, as separate columns (a spreadsheet that splits the address) */
    CPI_F_HOUSE,       /* house number or name */
    CPI_F_STREET,      /* street (with or without the number) */
    CPI_F_TOWN,        /* town or city */
    CPI_F_LOCALITY,    /* a locality or suburb inside the town; kept and shown, compared as the town */
    CPI_F_REGION,      /* a county, state or region: kept and shown, not compared */
    CPI_F__COUNT
} cpi_field;

/* Name of a field as written in mapping files ("forenames", "dob", ...), and back. */
const char *cpi_field_name(cpi_field f);
cpi_field cpi_field_parse(const char *name);

#define CPI_SPEC_REQUIRED 1u /* an empty value rejects the row (empty-required-field) */
/* A free-text column (Niche's notes) that may name the person's street name: the field takes
 * only the name after "known on the street as" / "street name:", and the column stays a fact. */
#define CPI_SPEC_STREET_NOTE 2u

typedef struct cpi_spec_field {
    cpi_field field;
    const char *column; /* header name, "a|b" for aliases */
    unsigned flags;
} cpi_spec_field;

#define CPI_SPEC_MAX_FIELDS 8

typedef struct cpi_spec_mention {
    cpi_kind kind;
    const char *role;
    cpi_spec_field fields[CPI_SPEC_MAX_FIELDS]; /* ends at the first CPI_F_NONE */
    unsigned flags; /* CPI_SPEC_REQUIRED: the row is rejected if this mention is absent */
} cpi_spec_mention;

typedef struct cpi_spec_relation {
    const char *type;
    unsigned from, to;       /* slot numbers from 1 (not mention numbers) */
    const char *date_column; /* optional: the relation's own date */
    const char *if_column;   /* optional: the relation holds only when this column... */
    const char *if_value;    /* ...equals this value (case-insensitive), e.g. cawn = "Y" */
} cpi_spec_relation;

#define CPI_SPEC_MAX_MENTIONS 48
#define CPI_SPEC_MAX_RELATIONS 64

typedef struct cpi_spec_file {
    const char *file_name;   /* the export's file name, "nominals.csv"; NULL for any */
    const char *record_type; /* "nominal", "form", ... */
    const char *id_column;   /* required, a valid record id */
    const char *date_column; /* optional: the record's own date */
    bool date_required;
    const char *date_hint;   /* documented format, for messages only */
    const char *signature[8];/* headers that must be present for a file to be this one; NULL-ended */
    bool every_column;       /* every column named here must be in the file: set for mapping files,
                                where a missing one would drop data unnoticed (silo exports vary
                                between versions, so the built-in adapters leave it false) */
    cpi_spec_mention mentions[CPI_SPEC_MAX_MENTIONS];
    unsigned nmentions;
    cpi_spec_relation relations[CPI_SPEC_MAX_RELATIONS];
    unsigned nrelations;
} cpi_spec_file;

#endif
