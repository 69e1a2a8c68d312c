/*
 * adapter_miraf.c - MIRAF, the missing-individual risk assessment forms
 * (docs/formats.md "miraf/"): one form per missing child, in one file.
 *
 * A form names the child, the home or placement, up to three people posing a
 * risk (one "Forename Surname" text each, with a phone) and up to four places
 * the child was found before ("name and/or address" in one text, so it is an
 * ADDRESS field: the address normaliser keeps a premises name apart).
 * Interviews and the risk grading are facts.
 *
 * Slots (numbers as if all present; an empty slot takes no number):
 *   1 missing-child, 2 home-address,
 *   3/4 risk person 1 and phone, 5/6 risk person 2 and phone,
 *   7/8 risk person 3 and phone, 9-12 found-at 1-4.
 * A CAWN is a relation only when the form says it was served (cawn = Y),
 * dated by its own column.
 */
#include "ingest/adapter.h"

#define RISK_PERSON(k) \
    {CPI_KIND_PERSON, "person-posing-risk", { \
        {CPI_F_NAME, "risk_person_" #k "_name|risk person " #k " name", 0}, \
        {CPI_F_DOB, "risk_person_" #k "_dob|risk person " #k " dob", 0}, \
    }, 0}, \
    {CPI_KIND_PHONE, "risk-person-phone", { \
        {CPI_F_PHONE, "risk_person_" #k "_phone|risk person " #k " phone", 0}, \
    }, 0}

#define FOUND_AT(k) \
    {CPI_KIND_LOCATION, "found-at", { \
        {CPI_F_ADDRESS, "found_" #k "_place|found " #k " place", 0}, \
        {CPI_F_POSTCODE, "found_" #k "_postcode|found " #k " postcode", 0}, \
    }, 0}

/* Relations of risk person k, whose person slot is p and phone slot p + 1. */
#define RISK_RELATIONS(k, p) \
    {"poses-risk-to", p, 1, NULL, NULL, NULL}, \
    {"uses-phone", p, p + 1, NULL, NULL, NULL}, \
    {"cawn-served", p, 1, "risk_person_" #k "_cawn_date|risk person " #k " cawn date", \
     "risk_person_" #k "_cawn|risk person " #k " cawn", "Y"}

static const cpi_spec_file miraf_files[] = {
    {
        .file_name = "miraf_forms.csv",
        .record_type = "miraf-form",
        .id_column = "form_ref|form ref|form id|miraf ref",
        .date_column = "form_date|form date|date reviewed",
        .date_required = true,
        .date_hint = "yyyy-mm-dd",
        .signature = {"form_ref|form ref|form id|miraf ref", "child_surname|child surname", "risk_grading|risk grading"},
        .mentions = {
            /* 1 */ {CPI_KIND_PERSON, "missing-child", {
                {CPI_F_FORENAMES, "child_forenames|child forenames|child forename|child first name", 0},
                {CPI_F_SURNAME, "child_surname|child surname", CPI_SPEC_REQUIRED},
                {CPI_F_DOB, "child_dob|child dob|child date of birth", 0},
                {CPI_F_GENDER, "gender|sex", 0},
                {CPI_F_NOMINAL_ID, "niche_nominal_id|niche nominal id|nominal_id|nominal id", 0},
            }, CPI_SPEC_REQUIRED},
            /* 2 */ {CPI_KIND_LOCATION, "home-address", {
                {CPI_F_ADDRESS, "home_address|home address", 0},
                {CPI_F_POSTCODE, "home_postcode|home postcode", 0},
            }, 0},
            /* 3, 4 */ RISK_PERSON(1),
            /* 5, 6 */ RISK_PERSON(2),
            /* 7, 8 */ RISK_PERSON(3),
            /* 9 */ FOUND_AT(1),
            /* 10 */ FOUND_AT(2),
            /* 11 */ FOUND_AT(3),
            /* 12 */ FOUND_AT(4),
        },
        .nmentions = 12,
        .relations = {
            {"lives-at", 1, 2, NULL, NULL, NULL},
            RISK_RELATIONS(1, 3),
            RISK_RELATIONS(2, 5),
            RISK_RELATIONS(3, 7),
            {"found-at", 1, 9, NULL, NULL, NULL},
            {"found-at", 1, 10, NULL, NULL, NULL},
            {"found-at", 1, 11, NULL, NULL, NULL},
            {"found-at", 1, 12, NULL, NULL, NULL},
        },
        .nrelations = 14,
    },
};

/* What its people's roles tell the resolver (ingest/adapter.h). */
static const cpi_adapter_role miraf_roles[] = {
    {"missing-child", CPI_RF_CHILD},
    {NULL, 0},
};

const cpi_adapter cpi_adapter_miraf = {
    .source = CPI_SRC_NAME_MIRAF,
    .description = "MIRAF: missing-individual risk assessment forms",
    .files = miraf_files,
    .nfiles = sizeof miraf_files / sizeof miraf_files[0],
    .pick = NULL,
    .roles = miraf_roles,
};
