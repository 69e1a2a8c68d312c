/*
 * adapter_mace.c - MACE, the multi-agency child exploitation meeting records
 * (docs/formats.md "mace/"): one row per child discussed at one meeting.
 *
 * Names are one text ("Forename SURNAME"); an adult of concern may be known
 * only by a street name, which is still one mention. The school is a place
 * name; a place of concern is "name and/or address" in one text, so it is an
 * ADDRESS field (the address normaliser keeps a premises name apart).
 *
 * Slots (numbers as if all present; an empty slot takes no number):
 *   1 child-discussed, 2 school, 3/4 adult 1 and phone, 5/6 adult 2 and
 *   phone, 7/8 adult 3 and phone, 9-10 location-of-concern 1-2.
 */
#include "ingest/adapter.h"

#define ADULT(k) \
    {CPI_KIND_PERSON, "adult-of-concern", { \
        {CPI_F_NAME, "adult_" #k "_name|adult " #k " name", 0}, \
        {CPI_F_STREET_NAME, "adult_" #k "_street_name|adult " #k " street name", 0}, \
    }, 0}, \
    {CPI_KIND_PHONE, "adult-phone", { \
        {CPI_F_PHONE, "adult_" #k "_phone|adult " #k " phone", 0}, \
    }, 0}

#define PLACE(k) \
    {CPI_KIND_LOCATION, "location-of-concern", { \
        {CPI_F_ADDRESS, "location_" #k "|location " #k, 0}, \
        {CPI_F_POSTCODE, "location_" #k "_postcode|location " #k " postcode", 0}, \
    }, 0}

static const cpi_spec_file mace_files[] = {
    {
        .file_name = "mace_children.csv",
        .record_type = "mace-child",
        .id_column = "mace_id|mace id|mace ref",
        .date_column = "meeting_date|meeting date",
        .date_required = true,
        .date_hint = "d MMM yyyy",
        .signature = {"mace_id|mace id|mace ref", "meeting_ref|meeting ref", "child_name|child name"},
        .mentions = {
            /* 1 */ {CPI_KIND_PERSON, "child-discussed", {
                {CPI_F_NAME, "child_name|child name", CPI_SPEC_REQUIRED},
                {CPI_F_DOB, "child_dob|child dob|child date of birth", 0},
            }, CPI_SPEC_REQUIRED},
            /* 2 */ {CPI_KIND_LOCATION, "school", {
                {CPI_F_PLACE_NAME, "school", 0},
            }, 0},
            /* 3, 4 */ ADULT(1),
            /* 5, 6 */ ADULT(2),
            /* 7, 8 */ ADULT(3),
            /* 9 */ PLACE(1),
            /* 10 */ PLACE(2),
        },
        .nmentions = 10,
        .relations = {
            {"attends-school", 1, 2, NULL, NULL, NULL},
            {"poses-risk-to", 3, 1, NULL, NULL, NULL},
            {"uses-phone", 3, 4, NULL, NULL, NULL},
            {"poses-risk-to", 5, 1, NULL, NULL, NULL},
            {"uses-phone", 5, 6, NULL, NULL, NULL},
            {"poses-risk-to", 7, 1, NULL, NULL, NULL},
            {"uses-phone", 7, 8, NULL, NULL, NULL},
            {"frequents", 1, 9, NULL, NULL, NULL},
            {"frequents", 1, 10, NULL, NULL, NULL},
        },
        .nrelations = 9,
    },
};

/* What its people's roles tell the resolver (ingest/adapter.h). */
static const cpi_adapter_role mace_roles[] = {
    {"child-discussed", CPI_RF_CHILD},
    {"adult-of-concern", CPI_RF_ACTOR},
    {NULL, 0},
};

const cpi_adapter cpi_adapter_mace = {
    .source = CPI_SRC_NAME_MACE,
    .description = "MACE: multi-agency child exploitation meeting records",
    .files = mace_files,
    .nfiles = sizeof mace_files / sizeof mace_files[0],
    .pick = NULL,
    .roles = mace_roles,
};
