/*
 * adapter_niche.c - the Niche records-management export (docs/formats.md
 * "niche/"): seven tables, each a spec the engine runs row by row.
 *
 * Niche keys people and places by its own ids (NOM-, LOC-), so the link
 * tables (occurrence_nominals, nominal_locations, warnings, ppns) carry a
 * mention holding only that id: the resolver joins it to the nominal or
 * location row through the strong nid / lid keys. In nominals.csv and
 * locations.csv the record id is also the mention's identifier, so the id
 * column appears in the mention as well.
 *
 * Mention slots and relations are numbered exactly as docs/formats.md and
 * cpgen's truth.csv number them; tests/test_adapters.c holds them to it.
 * Columns not named here (summary, involvement, link_type, ...) are kept as
 * facts by the engine; a nominal's notes are kept as a fact too, and the
 * street name they may give ("Known on the street as Smokey") is also the
 * mention's street_name, the key MACE and SOC know an adult by.
 *
 * Signatures are the id column and one header no other Niche table has (the
 * link tables share link_id, nominal_id and location_id): enough to pick the
 * table from its headers, short enough that a refusal listing all seven
 * stays readable.
 */
#include "ingest/adapter.h"

/* Aliases a force's own Niche extract may use for the shared id columns. */
#define NOMINAL_ID "nominal_id|nominal id|nominal ref|nominal_ref|nominal no"
#define LOCATION_ID "location_id|location id|location ref|location_ref|loc id"
#define LINK_ID "link_id|link id|link ref"
#define URN "urn|occurrence ref|occurrence_ref|occurrence no"

static const cpi_spec_file niche_files[] = {
    {
        .file_name = "nominals.csv",
        .record_type = "nominal",
        .id_column = NOMINAL_ID,
        .date_column = "created|created date|date created",
        .date_required = true,
        .date_hint = "dd/mm/yyyy",
        .signature = {NOMINAL_ID, "surname|family name|last name"},
        .mentions = {
            /* 1 */ {CPI_KIND_PERSON, "nominal", {
                {CPI_F_NOMINAL_ID, NOMINAL_ID, 0},
                {CPI_F_SURNAME, "surname|family name|last name", CPI_SPEC_REQUIRED},
                {CPI_F_FORENAMES, "forenames|forename|first names|given names", 0},
                {CPI_F_DOB, "dob|date of birth|date_of_birth", 0},
                {CPI_F_GENDER, "gender|sex", 0},
                {CPI_F_PNC, "pnc_id|pnc id|pnc|pnc number", 0},
                {CPI_F_ALIAS, "aliases|alias", 0},
                /* "Known on the street as Smokey": what MACE and SOC call the same adult */
                {CPI_F_STREET_NAME, "notes|note|comments", CPI_SPEC_STREET_NOTE},
            }, CPI_SPEC_REQUIRED},
        },
        .nmentions = 1,
    },
    {
        .file_name = "locations.csv",
        .record_type = "location",
        .id_column = LOCATION_ID,
        .date_column = "created|created date|date created",
        .date_required = true,
        .date_hint = "dd/mm/yyyy",
        .signature = {LOCATION_ID, "address_1|address 1|address line 1"},
        .mentions = {
            /* 1 */ {CPI_KIND_LOCATION, "location", {
                {CPI_F_LOCATION_ID, LOCATION_ID, 0},
                {CPI_F_PLACE_NAME, "premises_name|premises name|premises", 0},
                {CPI_F_ADDRESS, "address_1|address 1|address line 1", CPI_SPEC_REQUIRED},
                {CPI_F_ADDRESS, "address_2|address 2|address line 2|locality", 0},
                {CPI_F_ADDRESS, "town|post town", 0},
                {CPI_F_POSTCODE, "postcode|post code", 0},
                {CPI_F_PLACE_TYPE, "location_type|location type", 0},
            }, CPI_SPEC_REQUIRED},
        },
        .nmentions = 1,
    },
    {
        .file_name = "occurrences.csv",
        .record_type = "occurrence",
        .id_column = URN,
        .date_column = "occurrence_date|occurrence date",
        .date_required = true,
        .date_hint = "dd/mm/yyyy",
        .signature = {URN, "occurrence_date|occurrence date"},
        .mentions = {
            /* 1 */ {CPI_KIND_LOCATION, "occurrence-location", {
                {CPI_F_LOCATION_ID, LOCATION_ID, CPI_SPEC_REQUIRED},
            }, CPI_SPEC_REQUIRED},
        },
        .nmentions = 1,
    },
    {
        .file_name = "occurrence_nominals.csv",
        .record_type = "occurrence-nominal",
        .id_column = LINK_ID,
        .date_column = "linked_date|linked date",
        .date_required = true,
        .date_hint = "dd/mm/yyyy",
        .signature = {LINK_ID, URN},
        .mentions = {
            /* 1 */ {CPI_KIND_PERSON, "occurrence-nominal", {
                {CPI_F_NOMINAL_ID, NOMINAL_ID, CPI_SPEC_REQUIRED},
            }, CPI_SPEC_REQUIRED},
        },
        .nmentions = 1,
    },
    {
        .file_name = "nominal_locations.csv",
        .record_type = "nominal-location",
        .id_column = LINK_ID,
        .date_column = "from_date|from date|date from",
        .date_required = true,
        .date_hint = "dd/mm/yyyy",
        .signature = {LINK_ID, LOCATION_ID},
        .mentions = {
            /* 1 */ {CPI_KIND_PERSON, "nominal", {
                {CPI_F_NOMINAL_ID, NOMINAL_ID, CPI_SPEC_REQUIRED},
            }, CPI_SPEC_REQUIRED},
            /* 2 */ {CPI_KIND_LOCATION, "linked-address", {
                {CPI_F_LOCATION_ID, LOCATION_ID, 0},
            }, 0},
        },
        .nmentions = 2,
        .relations = {
            {"lives-at", 1, 2, "from_date|from date|date from", NULL, NULL},
        },
        .nrelations = 1,
    },
    {
        .file_name = "warnings.csv",
        .record_type = "warning",
        .id_column = "warning_id|warning id|warning ref|marker id",
        .date_column = "start_date|start date|date from",
        .date_required = true,
        .date_hint = "dd/mm/yyyy",
        .signature = {"warning_id|warning id|warning ref|marker id", "warning_type|warning type"},
        .mentions = {
            /* 1 */ {CPI_KIND_PERSON, "warning-subject", {
                {CPI_F_NOMINAL_ID, NOMINAL_ID, CPI_SPEC_REQUIRED},
            }, CPI_SPEC_REQUIRED},
        },
        .nmentions = 1,
    },
    {
        .file_name = "ppns.csv",
        .record_type = "ppn",
        .id_column = "ppn_id|ppn id|ppn ref",
        .date_column = "ppn_date|ppn date",
        .date_required = true,
        .date_hint = "dd/mm/yyyy",
        .signature = {"ppn_id|ppn id|ppn ref", "child_surname|child surname"},
        .mentions = {
            /* 1 */ {CPI_KIND_PERSON, "ppn-subject", {
                {CPI_F_NOMINAL_ID, "child_nominal_id|child nominal id|child nominal ref", 0},
                {CPI_F_SURNAME, "child_surname|child surname", CPI_SPEC_REQUIRED},
                {CPI_F_FORENAMES, "child_forenames|child forenames|child forename|child first name", 0},
                {CPI_F_DOB, "child_dob|child dob|child date of birth", 0},
            }, CPI_SPEC_REQUIRED},
            /* 2 */ {CPI_KIND_LOCATION, "ppn-address", {
                {CPI_F_LOCATION_ID, LOCATION_ID, 0},
            }, 0},
        },
        .nmentions = 2,
        .relations = {
            {"lives-at", 1, 2, NULL, NULL, NULL},
        },
        .nrelations = 1,
    },
};

/* What its people's roles tell the resolver (ingest/adapter.h). */
static const cpi_adapter_role niche_roles[] = {
    {"ppn-subject", CPI_RF_CHILD}, /* the child a PPN (public protection notice) is about */
    {NULL, 0},
};

const cpi_adapter cpi_adapter_niche = {
    .source = CPI_SRC_NAME_NICHE,
    .description = "Niche RMS: nominals, locations, occurrences and their links, warnings, PPNs",
    .files = niche_files,
    .nfiles = sizeof niche_files / sizeof niche_files[0],
    .pick = NULL,
    .roles = niche_roles,
};
