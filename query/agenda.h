/*
 * agenda.h - a MACE meeting agenda: the children to discuss, highest risk
 * first, each with the points that put them there.
 *
 * A meeting with forty children has time for the highest few, and when one
 * adult approaches several children the others were not followed up. So the
 * agenda takes every child with an exploitation signal AND every child linked
 * to an adult of concern, scores each by a fixed, published rule, and shows
 * the rule's parts beside the total:
 *
 *   latest MACE risk level            HIGH 30, MEDIUM 15, LOW 5
 *   latest SERAF score                score / 2 (0-20)
 *   latest MIRAF risk grading         HIGH 20, MEDIUM 10, LOW 3
 *   missing episodes (latest form)    2 each, at most 20
 *   missing in the 90 days to as-of   15
 *   risky people linked directly      5 each, at most 25
 *   child at risk in a SOC plan       15
 *   at risk per MACE, no CSE/CCE marker on Niche (or recorded not flagged)  10
 *   linked to an adult of concern (MACE, SOC, MIRAF or CAWN) but never
 *   discussed at MACE                 10
 *
 * Ties: the most recent MACE meeting last (the longest unreviewed first),
 * then the entity id. Restricted sources in opts.withhold neither add points
 * nor put a child on the agenda.
 *
 * Reads: every person card once (one cursor), then the edges of each adult of
 * concern. An analyst's command, not a latency target.
 */
#ifndef CPI_AGENDA_H
#define CPI_AGENDA_H

#include "query/profile.h"

#define CPI_AGENDA_PARTS 9

typedef struct cpi_agenda_part {
    int points;
    const char *why;
} cpi_agenda_part;

typedef struct cpi_agenda_item {
    const char *id, *name, *dob;
    uint64_t flags;
    int score;
    bool discussed;        /* ever discussed at MACE */
    int32_t last_meeting;
    cpi_agenda_part parts[CPI_AGENDA_PARTS];
    uint32_t nparts;
    const char *linked_adult_id, *linked_adult_name; /* an adult of concern linked to them, if any */
} cpi_agenda_item;

typedef struct cpi_agenda_opts {
    uint32_t top;          /* children kept (0: 40) */
    bool new_only;         /* only children never discussed at MACE */
    int32_t as_of;         /* 0 or CPI_DAY_NONE: the graph's as-of day */
    uint32_t withhold;     /* CPI_SRC_BIT mask */
} cpi_agenda_opts;

typedef struct cpi_agenda {
    int32_t as_of;
    cpi_agenda_item *items;
    uint32_t n;
    uint32_t considered;   /* children scored */
} cpi_agenda;

cpi_status cpi_agenda_build(cpi_txn *txn, const cpi_agenda_opts *opts, cpi_arena *arena, cpi_agenda *out,
                            cpi_error *err);
json_t *cpi_agenda_json(const cpi_agenda *a);
void cpi_agenda_text(const cpi_agenda *a, FILE *out, int width);

#endif
