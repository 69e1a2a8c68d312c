/*
 * adapter_polit.c - POLIT, the online child abuse intelligence log
 * (docs/formats.md "polit/"): one row per intelligence entry on a subject.
 *
 * The subject's online identities are one slot each (two usernames, one
 * email) so each resolves on its own; victims are often a first name with an
 * age in years (an AGE field). Dates are yyyymmdd.
 *
 * Slots (numbers as if all present; an empty slot takes no number):
 *   1 subject, 2 subject-address, 3 subject-phone, 4-6 online-identity
 *   (username_1, username_2, email_1), 7-8 household-child 1-2, 9-11 victim 1-3.
 */
#include "ingest/adapter.h"

#define HOUSEHOLD_CHILD(k) \
    {CPI_KIND_PERSON, "household-child", { \
        {CPI_F_NAME, "household_child_" #k "_name|household child " #k " name", 0}, \
        {CPI_F_DOB, "household_child_" #k "_dob|household child " #k " dob", 0}, \
    }, 0}

#define VICTIM(k) \
    {CPI_KIND_PERSON, "victim", { \
        {CPI_F_NAME, "victim_" #k "_name|victim " #k " name", 0}, \
        {CPI_F_AGE, "victim_" #k "_age|victim " #k " age", 0}, \
    }, 0}

static const cpi_spec_file polit_files[] = {
    {
        .file_name = "polit_intel.csv",
        .record_type = "polit-intel",
        .id_column = "intel_ref|intel ref|intelligence ref|intel id",
        .date_column = "intel_date|intel date|intelligence date",
        .date_required = true,
        .date_hint = "yyyymmdd",
        .signature = {"intel_ref|intel ref|intelligence ref|intel id", "subject_surname|subject surname",
                      "lives_with_children|lives with children"},
        .mentions = {
            /* 1 */ {CPI_KIND_PERSON, "subject", {
                {CPI_F_SURNAME, "subject_surname|subject surname", CPI_SPEC_REQUIRED},
                {CPI_F_FORENAMES, "subject_forenames|subject forenames|subject forename|subject first name", 0},
                {CPI_F_DOB, "subject_dob|subject dob|subject date of birth", 0},
            }, CPI_SPEC_REQUIRED},
            /* 2 */ {CPI_KIND_LOCATION, "subject-address", {
                {CPI_F_ADDRESS, "subject_address|subject address", 0},
                {CPI_F_POSTCODE, "subject_postcode|subject postcode", 0},
            }, 0},
            /* 3 */ {CPI_KIND_PHONE, "subject-phone", {
                {CPI_F_PHONE, "subject_phone|subject phone", 0},
            }, 0},
            /* 4 */ {CPI_KIND_ONLINE, "online-identity", {
                {CPI_F_USERNAME, "username_1|username 1", 0},
            }, 0},
            /* 5 */ {CPI_KIND_ONLINE, "online-identity", {
                {CPI_F_USERNAME, "username_2|username 2", 0},
            }, 0},
            /* 6 */ {CPI_KIND_ONLINE, "online-identity", {
                {CPI_F_EMAIL, "email_1|email 1|email", 0},
            }, 0},
            /* 7 */ HOUSEHOLD_CHILD(1),
            /* 8 */ HOUSEHOLD_CHILD(2),
            /* 9 */ VICTIM(1),
            /* 10 */ VICTIM(2),
            /* 11 */ VICTIM(3),
        },
        .nmentions = 11,
        .relations = {
            {"lives-at", 1, 2, NULL, NULL, NULL},
            {"uses-phone", 1, 3, NULL, NULL, NULL},
            {"uses-identity", 1, 4, NULL, NULL, NULL},
            {"uses-identity", 1, 5, NULL, NULL, NULL},
            {"uses-identity", 1, 6, NULL, NULL, NULL},
            {"household-member", 7, 1, NULL, NULL, NULL},
            {"household-member", 8, 1, NULL, NULL, NULL},
            {"poses-risk-to", 1, 9, NULL, NULL, NULL},
            {"poses-risk-to", 1, 10, NULL, NULL, NULL},
            {"poses-risk-to", 1, 11, NULL, NULL, NULL},
        },
        .nrelations = 10,
    },
};

/* What its people's roles tell the resolver (ingest/adapter.h). */
static const cpi_adapter_role polit_roles[] = {
    {"victim", CPI_RF_CHILD | CPI_RF_OWN_VICTIM},
    {"household-child", CPI_RF_CHILD | CPI_RF_OWN_HOUSEHOLD},
    {NULL, 0},
};

const cpi_adapter cpi_adapter_polit = {
    .source = CPI_SRC_NAME_POLIT,
    .description = "POLIT: online child abuse intelligence",
    .files = polit_files,
    .nfiles = sizeof polit_files / sizeof polit_files[0],
    .pick = NULL,
    .roles = polit_roles,
};
