/*
 * model.h - the data model: record, mention, relation, entity, and references.
 *
 * A record is one row or form from one silo, referenced as SOURCE:RECORD_ID
 * (e.g. "miraf:MF-2019-0042"). A mention is one person, place, phone or online
 * identity as that record describes it, referenced SOURCE:RECORD_ID/N with N
 * from 1 in the order docs/formats.md defines. A relation is typed and dated,
 * between two mentions of one record, so it lives inside its record. An entity
 * is a cluster of mentions that resolve to one real thing (resolve/).
 *
 * Ownership: the structs below hold borrowed pointers. Values decoded from the
 * store point into the cpi_arena passed to the decoder; values built by an
 * adapter point into that adapter's row buffers. Nothing here frees anything.
 */
#ifndef CPI_MODEL_H
#define CPI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define CPI_SOURCE_MAX 16    /* including NUL: [a-z][a-z0-9_]{0,14} */
#define CPI_RECORD_ID_MAX 64 /* including NUL: [A-Za-z0-9._-]{1,63} */
#define CPI_REF_MAX (CPI_SOURCE_MAX + CPI_RECORD_ID_MAX + 8)
/* An entity id ("P-0000001", "L-0000001") with its NUL, and room for larger numbers; resolve writes
 * them, the graph and every answer read them. */
#define CPI_ENTITY_ID_MAX 32
#define CPI_MENTION_MAX 65535
#define CPI_DAY_NONE INT32_MIN /* a date that is not known */

/* A parsed reference. mention == 0 means the reference names a record. */
typedef struct cpi_ref {
    char source[CPI_SOURCE_MAX];
    char record_id[CPI_RECORD_ID_MAX];
    uint32_t mention;
} cpi_ref;

/* Parse "source:RECORD_ID" or "source:RECORD_ID/N"; CPI_ERR_USAGE with a reason if malformed. */
cpi_status cpi_ref_parse(const char *text, cpi_ref *out, cpi_error *err);
/* Write the text form into buf; returns the length, or -1 if it does not fit. */
int cpi_ref_format(const cpi_ref *ref, char *buf, size_t cap);
/* True if s is a valid source name / record id. */
bool cpi_ref_valid_source(const char *s);
bool cpi_ref_valid_record_id(const char *s);

typedef enum cpi_kind {
    CPI_KIND_PERSON = 1,
    CPI_KIND_LOCATION = 2,
    CPI_KIND_PHONE = 3,
    CPI_KIND_ONLINE = 4,
} cpi_kind;
#define CPI_KIND_COUNT 4

const char *cpi_kind_name(cpi_kind kind);              /* "person", ... or NULL */
cpi_status cpi_kind_parse(const char *name, cpi_kind *out); /* CPI_ERR_USAGE if unknown */

/* A text key/value pair: record facts, a mention's raw values and normalised keys. */
typedef struct cpi_kv {
    const char *key;
    const char *value;
} cpi_kv;

typedef struct cpi_kvlist {
    cpi_kv *items;
    uint32_t count;
} cpi_kvlist;

/* Look up a key; NULL if absent. */
const char *cpi_kv_get(const cpi_kvlist *list, const char *key);

/* An earlier version of a record, kept when a newer one replaces it. */
typedef struct cpi_version {
    uint8_t hash[32];
    int64_t ingest_time; /* seconds since the epoch, UTC */
    uint32_t version;
} cpi_version;

/* Where a record came from and which version of it this is. */
typedef struct cpi_provenance {
    const char *file;    /* path as given to ingest */
    uint64_t line;       /* 1-based physical line where the row starts */
    uint8_t hash[32];    /* BLAKE2b-256 of the row's canonical content */
    int64_t ingest_time; /* seconds since the epoch, UTC */
    uint32_t version;    /* 1 for the first, +1 per replacement */
} cpi_provenance;

typedef struct cpi_relation {
    const char *type; /* "poses-risk-to", "found-at", "lives-at", ... */
    uint32_t from;    /* mention numbers within the record, from 1 */
    uint32_t to;
    int32_t day;      /* CPI_DAY_NONE when the relation carries no date of its own */
} cpi_relation;

typedef struct cpi_mention {
    cpi_kind kind;
    const char *role;  /* "missing-child", "person-posing-risk", "home-address", ... */
    cpi_kvlist raw;    /* values as written, for display: "forenames", "surname", "dob", ... */
    cpi_kvlist keys;   /* normalised matching keys */
} cpi_mention;

typedef struct cpi_record {
    const char *ref;       /* "source:RECORD_ID" */
    const char *type;      /* the table or form kind within the source: "nominal", "form", ... */
    int32_t day;           /* the record's own date, CPI_DAY_NONE if it has none */
    cpi_provenance prov;
    cpi_kvlist facts;      /* risk grade, flags, scores, free text, as strings */
    cpi_mention *mentions; /* mentions[i] is mention number i+1 */
    uint32_t nmentions;
    cpi_relation *relations;
    uint32_t nrelations;
    cpi_version *history;  /* earlier versions, oldest first */
    uint32_t nhistory;
} cpi_record;

#endif
