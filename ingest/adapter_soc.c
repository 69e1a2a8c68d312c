/*
 * adapter_soc.c - SOC exploitation plans (docs/formats.md "soc/"): one row
 * per review of the plan for one organised crime group (a county line).
 *
 * The widest row of any silo: five children at risk, five group members
 * (adult_1 is the line holder, the required field), four addresses used and
 * three deal lines. Every member poses a risk to every child; the others are
 * associates of the line holder, who uses the deal lines and operates from
 * the addresses. An address's type (CUCKOOED, TRAP HOUSE) is not one of the
 * slot's columns in the contract, so it stays a fact of the plan.
 *
 * Slots (numbers as if all present; an empty slot takes no number):
 *   1-5 child-at-risk 1-5, 6-10 group-member 1-5 (6 is the line holder),
 *   11-14 address-used 1-4, 15-17 deal-line 1-3.
 */
#include "ingest/adapter.h"

#define CHILD(k) \
    {CPI_KIND_PERSON, "child-at-risk", { \
        {CPI_F_NAME, "child_" #k "_name|child " #k " name", 0}, \
        {CPI_F_DOB, "child_" #k "_dob|child " #k " dob", 0}, \
    }, 0}

#define MEMBER(k) \
    {CPI_KIND_PERSON, "group-member", { \
        {CPI_F_NAME, "adult_" #k "_name|adult " #k " name", 0}, \
        {CPI_F_STREET_NAME, "adult_" #k "_street_name|adult " #k " street name", 0}, \
    }, 0}

#define ADDRESS(k) \
    {CPI_KIND_LOCATION, "address-used", { \
        {CPI_F_ADDRESS, "address_" #k "|address " #k, 0}, \
        {CPI_F_POSTCODE, "address_" #k "_postcode|address " #k " postcode", 0}, \
    }, 0}

#define DEAL_LINE(k) \
    {CPI_KIND_PHONE, "deal-line", { \
        {CPI_F_PHONE, "deal_line_" #k "|deal line " #k, 0}, \
    }, 0}

/* Group member in slot a poses a risk to each child (slots 1-5). */
#define RISK_TO_CHILDREN(a) \
    {"poses-risk-to", a, 1, NULL, NULL, NULL}, \
    {"poses-risk-to", a, 2, NULL, NULL, NULL}, \
    {"poses-risk-to", a, 3, NULL, NULL, NULL}, \
    {"poses-risk-to", a, 4, NULL, NULL, NULL}, \
    {"poses-risk-to", a, 5, NULL, NULL, NULL}

static const cpi_spec_file soc_files[] = {
    {
        .file_name = "soc_plans.csv",
        .record_type = "soc-plan",
        .id_column = "plan_id|plan id|plan ref|soc ref",
        .date_column = "plan_date|plan date|review date",
        .date_required = true,
        .date_hint = "dd/mm/yyyy",
        .signature = {"plan_id|plan id|plan ref|soc ref", "group_ref|group ref|ocg ref", "adult_1_name|adult 1 name"},
        .mentions = {
            /* 1 */ CHILD(1),
            /* 2 */ CHILD(2),
            /* 3 */ CHILD(3),
            /* 4 */ CHILD(4),
            /* 5 */ CHILD(5),
            /* 6: the line holder, the required field */
            {CPI_KIND_PERSON, "group-member", {
                {CPI_F_NAME, "adult_1_name|adult 1 name", CPI_SPEC_REQUIRED},
                {CPI_F_STREET_NAME, "adult_1_street_name|adult 1 street name", 0},
            }, CPI_SPEC_REQUIRED},
            /* 7 */ MEMBER(2),
            /* 8 */ MEMBER(3),
            /* 9 */ MEMBER(4),
            /* 10 */ MEMBER(5),
            /* 11 */ ADDRESS(1),
            /* 12 */ ADDRESS(2),
            /* 13 */ ADDRESS(3),
            /* 14 */ ADDRESS(4),
            /* 15 */ DEAL_LINE(1),
            /* 16 */ DEAL_LINE(2),
            /* 17 */ DEAL_LINE(3),
        },
        .nmentions = 17,
        .relations = {
            RISK_TO_CHILDREN(6),
            RISK_TO_CHILDREN(7),
            RISK_TO_CHILDREN(8),
            RISK_TO_CHILDREN(9),
            RISK_TO_CHILDREN(10),
            {"associate-of", 7, 6, NULL, NULL, NULL},
            {"associate-of", 8, 6, NULL, NULL, NULL},
            {"associate-of", 9, 6, NULL, NULL, NULL},
            {"associate-of", 10, 6, NULL, NULL, NULL},
            {"uses-phone", 6, 15, NULL, NULL, NULL},
            {"uses-phone", 6, 16, NULL, NULL, NULL},
            {"uses-phone", 6, 17, NULL, NULL, NULL},
            {"operates-from", 6, 11, NULL, NULL, NULL},
            {"operates-from", 6, 12, NULL, NULL, NULL},
            {"operates-from", 6, 13, NULL, NULL, NULL},
            {"operates-from", 6, 14, NULL, NULL, NULL},
        },
        .nrelations = 36,
    },
};

/* What its people's roles tell the resolver (ingest/adapter.h). */
static const cpi_adapter_role soc_roles[] = {
    {"child-at-risk", CPI_RF_CHILD},
    {NULL, 0},
};

const cpi_adapter cpi_adapter_soc = {
    .source = CPI_SRC_NAME_SOC,
    .description = "SOC: serious and organised crime exploitation plans (county lines)",
    .files = soc_files,
    .nfiles = sizeof soc_files / sizeof soc_files[0],
    .pick = NULL,
    .roles = soc_roles,
};
