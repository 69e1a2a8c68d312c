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
 * Area (opts.area): only children in that local authority or policing area
 * by the rule of graph/area.h (their latest MACE meeting's area, else their
 * home's). Adults of concern anywhere still bring the children they reach
 * onto the area's agenda. Children whose area of that kind is not known (for
 * a local authority: no home on record; for a policing area: no home and
 * never at MACE) cannot be placed: they are listed apart (unplaced), never
 * dropped, so the agendas of every area of a kind, with the unplaced, hold
 * the whole force's.
 *
 * Since (opts.since, the last meeting's date): for each child listed, their
 * own records dated after it (new: true, how many, the latest references)
 * and the score as the same rule gave it on that day from the records dated
 * up to it (score_then; query/agenda_since.c), so the meeting sees what is
 * new and whose risk rose.
 *
 * Possible matches: two children the resolver left as a possible match
 * (review) are one row, the better-scored one's, naming the other as
 * "possibly the same person (review)"; the row's score is its own (the
 * entities are not merged until review decides).
 * Reads: every person card once (one cursor), then the edges of each adult of
 * concern; with since, the listed children's records and edges. An analyst's
 * command, not a latency target.
 */
#ifndef CPI_AGENDA_H
#define CPI_AGENDA_H

#include "query/profile.h"

#define CPI_AGENDA_PARTS 9

typedef struct cpi_agenda_part {
    int points;
    const char *why;
} cpi_agenda_part;

#define CPI_AGENDA_NEW_REFS 5
#define CPI_AGENDA_SAME 3 /* possible matches named in one row (more are folded in but not named) */

typedef struct cpi_agenda_item {
    const char *id, *name, *dob;
    const char *la, *area;  /* the child's local authority and policing area (graph/area.h), NULL if unknown */
    uint64_t flags;
    int score;
    bool discussed;        /* ever discussed at MACE */
    int32_t last_meeting;
    cpi_agenda_part parts[CPI_AGENDA_PARTS];
    uint32_t nparts;
    const char *linked_adult_id, *linked_adult_name; /* an adult of concern linked to them, if any */
    cpi_card card;         /* the card it was scored from */
    /* with since */
    bool is_new;           /* a record of this child dated after since */
    uint32_t new_records;  /* how many (open sources only) */
    const char *new_refs[CPI_AGENDA_NEW_REFS]; /* the latest of them, newest first */
    uint32_t nnew_refs;
    int score_then;        /* the rule applied to the records dated up to since, as of since */
    /* possibly the same child (a pair the resolver left for review, query/same.h): listed in this row, the
     * better-scored one's, rather than as rows of their own, so a meeting does not discuss one child twice */
    struct cpi_agenda_same {
        const char *id, *name;
        int score;
        uint32_t prob;     /* the pair's probability in thousandths; 0 when linked through another */
    } same[CPI_AGENDA_SAME];
    uint32_t nsame;
} cpi_agenda_item;

typedef struct cpi_agenda_opts {
    uint32_t top;          /* children kept (0: 40) */
    bool new_only;         /* only children never discussed at MACE */
    int32_t as_of;         /* 0 or CPI_DAY_NONE: the graph's as-of day */
    uint32_t withhold;     /* CPI_SRC_BIT mask */
    const char *area;      /* NULL: the whole force; else a local authority or policing area (any case) */
    int32_t since;         /* 0 or CPI_DAY_NONE: none; else the last meeting's day */
} cpi_agenda_opts;

typedef struct cpi_agenda {
    int32_t as_of;
    cpi_agenda_item *items;
    uint32_t n;
    uint32_t considered;   /* children scored (in the area, with one) */
    const char *area;      /* the stored area name opts.area matched, NULL for the whole force */
    int area_kind;         /* CPI_AREA_LA or CPI_AREA_POLICING (graph/area.h), 0 without an area */
    int32_t since;         /* CPI_DAY_NONE if not asked */
    uint32_t nnew;         /* listed children (items and unplaced) with records after since */
    cpi_agenda_item *unplaced; /* with an area: scored children in no area, ranked the same way */
    uint32_t nunplaced, unplaced_total;
} cpi_agenda;

/* CPI_ERR_USAGE (listing the known areas) when opts.area names none. */
cpi_status cpi_agenda_build(cpi_txn *txn, const cpi_agenda_opts *opts, cpi_arena *arena, cpi_agenda *out,
                            cpi_error *err);

#endif
