/*
 * adapter_marac.c - MARAC, the domestic-abuse risk assessment conference
 * cases (docs/formats.md "marac/"): one row per case heard.
 *
 * Adults are "SURNAME, Forename" in one text; children of the household are
 * often a first name only, with an age in years at the meeting (an AGE field:
 * the key builder turns it into a birth-date range from the record date).
 * Dates are d/m/yy: 00-29 mean 20yy, 30-99 mean 19yy.
 *
 * Slots (numbers as if all present; an empty slot takes no number):
 *   1 victim, 2 victim-address, 3 perpetrator, 4-7 household-child 1-4.
 */
#include "ingest/adapter.h"

#define CHILD(k) \
    {CPI_KIND_PERSON, "household-child", { \
        {CPI_F_NAME, "child_" #k "_name|child " #k " name", 0}, \
        {CPI_F_AGE, "child_" #k "_age|child " #k " age", 0}, \
    }, 0}

/* Relations of household child in slot c. */
#define CHILD_RELATIONS(c) \
    {"household-member", c, 1, NULL, NULL, NULL}, \
    {"poses-risk-to", 3, c, NULL, NULL, NULL}

static const cpi_spec_file marac_files[] = {
    {
        .file_name = "marac_cases.csv",
        .record_type = "marac-case",
        .id_column = "case_id|case id|case ref|marac ref",
        .date_column = "meeting_date|meeting date|conference date",
        .date_required = true,
        .date_hint = "d/m/yy",
        .signature = {"case_id|case id|case ref|marac ref", "victim_name|victim name", "dash_score|dash score"},
        .mentions = {
            /* 1 */ {CPI_KIND_PERSON, "victim", {
                {CPI_F_NAME, "victim_name|victim name", CPI_SPEC_REQUIRED},
                {CPI_F_DOB, "victim_dob|victim dob|victim date of birth", 0},
            }, CPI_SPEC_REQUIRED},
            /* 2 */ {CPI_KIND_LOCATION, "victim-address", {
                {CPI_F_ADDRESS, "victim_address|victim address", 0},
                {CPI_F_POSTCODE, "victim_postcode|victim postcode", 0},
            }, 0},
            /* 3 */ {CPI_KIND_PERSON, "perpetrator", {
                {CPI_F_NAME, "perpetrator_name|perpetrator name", 0},
                {CPI_F_DOB, "perpetrator_dob|perpetrator dob|perpetrator date of birth", 0},
            }, 0},
            /* 4 */ CHILD(1),
            /* 5 */ CHILD(2),
            /* 6 */ CHILD(3),
            /* 7 */ CHILD(4),
        },
        .nmentions = 7,
        .relations = {
            {"lives-at", 1, 2, NULL, NULL, NULL},
            {"poses-risk-to", 3, 1, NULL, NULL, NULL},
            CHILD_RELATIONS(4),
            CHILD_RELATIONS(5),
            CHILD_RELATIONS(6),
            CHILD_RELATIONS(7),
        },
        .nrelations = 10,
    },
};

/* What its people's roles tell the resolver (ingest/adapter.h). */
static const cpi_adapter_role marac_roles[] = {
    {"household-child", CPI_RF_CHILD},
    {"perpetrator", CPI_RF_ACTOR},
    {"victim", 0}, /* the adult at risk of domestic abuse */
    {NULL, 0},
};

const cpi_adapter cpi_adapter_marac = {
    .source = CPI_SRC_NAME_MARAC,
    .description = "MARAC: domestic-abuse risk assessment conference cases",
    .files = marac_files,
    .nfiles = sizeof marac_files / sizeof marac_files[0],
    .pick = NULL,
    .roles = marac_roles,
};
