/*
 * desk.h - the consultation desk: the one way anyone reads a child's, a
 * person's or a place's record (issue 19). The CLI's child, person, address
 * and missing, `cpindex serve` and its browser page (which run those very
 * commands) and the benches all ask here, so there is one gate:
 *
 *   1. authorise: the user may run the command (audit/access.h), for a reason;
 *   2. shape the answer by the grant: the detail level never above the role's
 *      (an officer's --full is every list in full at the summary level), and
 *      the restricted sources the user may not read withheld, with whom to ask;
 *   3. read in one snapshot: look the query up (query/lookup.h); exactly one
 *      entity is answered (query/), anything else is a list of candidates;
 *   4. fit a brief text answer to the screen it will be shown on (render/),
 *      so the log names what is shown and nothing more;
 *   5. end the snapshot, and log the consultation (audit/audit.h: through the
 *      server's journal when one is open) with every entity id and reference
 *      the answer holds. Only a logged answer is returned: if the log cannot
 *      be written, nothing may be shown.
 *
 * What the desk does not do: print, render the answer (the caller writes it,
 * as text, JSON or a chart), or take the user and reason from options or the
 * environment (the caller says who is asking and why).
 *
 * Ownership: the answer's strings and lists live in its arena until the next
 * consultation into the same answer (which reuses the arena's blocks, as a
 * server does) or cpi_desk_answer_free(); zero an answer before its first use.
 * The request's strings are borrowed for the call.
 */
#ifndef CPI_DESK_H
#define CPI_DESK_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/access.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/store.h"
#include "query/address.h"
#include "query/lookup.h"
#include "query/missing.h"
#include "query/profile.h"
#include "render/address_screen.h"
#include "render/profile_screen.h"

/* What is asked for: each one a command of the permission table. */
typedef enum cpi_desk_kind {
    CPI_DESK_CHILD = 1, /* a person's profile, asked as a child ("child") */
    CPI_DESK_PERSON,    /* a person's profile ("person") */
    CPI_DESK_ADDRESS,   /* a place's report ("address") */
    CPI_DESK_MISSING,   /* a child's trigger plan ("missing") */
} cpi_desk_kind;

/* The permission-table command of a kind ("child", ...), or NULL. */
const char *cpi_desk_command(cpi_desk_kind kind);

typedef struct cpi_desk_request {
    cpi_desk_kind kind;
    const char *user, *reason; /* who is asking, and why (both required) */
    const char *query;         /* what to look up: a name, an entity id, a reference, ... */
    const char *logged_query;  /* the question as the log names it (e.g. the command's arguments); NULL: query */
    const char *dob;           /* narrows a name (NULL: none) */
    cpi_profile_opts opts;     /* as asked: detail (when detail_set), withhold, today, max_items */
    bool detail_set;           /* a detail level was asked for; otherwise the grant's */
    int screen_width;          /* fit a brief text answer into screen_lines lines of this width (at least 40) */
    int screen_lines;          /* ... before it is logged; 0: not fitted (JSON, a chart, a bench) */
} cpi_desk_request;

/* How far a consultation got: on an error, the step that failed. */
typedef enum cpi_desk_step {
    CPI_DESK_AUTHORISE = 1, /* refused (CPI_ERR_ACCESS names why) or access.conf unreadable: nothing read */
    CPI_DESK_READ,          /* the snapshot, the lookup or the answer failed: nothing logged, nothing to show */
    CPI_DESK_LOG,           /* the consultation could not be logged: nothing may be shown */
    CPI_DESK_DONE,          /* logged: the answer may be shown */
} cpi_desk_step;

typedef struct cpi_desk_answer {
    cpi_desk_step step;
    cpi_grant grant;          /* who asked and what they may see (from CPI_DESK_READ on) */
    cpi_profile_opts opts;    /* the options the grant shaped (contacts point into grant) */
    bool officer_full;        /* a detail above the role's was asked: every list in full, still at its level */
    const char *entity_id;    /* the one entity answered; NULL: lookup holds the candidates (maybe none) */
    cpi_lookup lookup;        /* what the query matched */
    /* the answer about entity_id, by kind: profile (child, person), place (address), plan (missing) */
    cpi_profile profile;
    cpi_place_report place;
    cpi_missing_plan plan;
    bool fitted;              /* a brief text answer was cut to the screen: print it with the screen below */
    cpi_pf_screen profile_screen;
    cpi_place_screen place_screen;
    cpi_arena arena;
} cpi_desk_answer;

/*
 * Run one consultation (steps 1-5 above) on st, which must be writable (the
 * log) and must not be under a live snapshot of this process. CPI_OK: *out is
 * logged (step CPI_DESK_DONE) and holds one entity's answer or the
 * candidates; a search that found nothing is logged too. Otherwise out->step
 * says where it stopped; err says why (CPI_ERR_ACCESS for a refusal, naming
 * the user and the roles that would do). *out (zeroed before its first use)
 * may be consulted into again; free it with cpi_desk_answer_free in the end.
 */
cpi_status cpi_desk_consult(cpi_store *st, const cpi_desk_request *rq, cpi_desk_answer *out, cpi_error *err);
void cpi_desk_answer_free(cpi_desk_answer *a);

/* ---- step 2 alone, for the consultations that are not the desk's (agenda, analyse) ---- */

/*
 * Shape o (as asked; detail_set: o->detail was asked for) by grant g: the
 * detail never above what g's view allows, the sources g may not read
 * withheld, with g's contacts. Returns whether a detail above the role's was
 * asked (then max_items is 200: every list in full at the role's level).
 */
bool cpi_desk_shape(const cpi_grant *g, bool detail_set, cpi_profile_opts *o);

/* ---- step 5: what was shown, and its log entry ---- */

/* A growing list of the entity ids and references an answer shows, without repeats. */
typedef struct cpi_desk_shown {
    const char **ids, **refs;
    size_t nids, nrefs, capids, caprefs;
} cpi_desk_shown;

void cpi_desk_shown_id(cpi_desk_shown *s, const char *id);
void cpi_desk_shown_ref(cpi_desk_shown *s, const char *ref);
void cpi_desk_shown_profile(cpi_desk_shown *s, const cpi_profile *p);
void cpi_desk_shown_place(cpi_desk_shown *s, const cpi_place_report *r);
void cpi_desk_shown_plan(cpi_desk_shown *s, const cpi_missing_plan *m);
void cpi_desk_shown_lookup(cpi_desk_shown *s, const cpi_lookup *l);

/* Free s's lists (not the strings: they are the answer's). */
void cpi_desk_shown_free(cpi_desk_shown *s);

/*
 * Log that g consulted the store asking query and was shown these entity ids
 * and references, in a write transaction of its own (or the server's journal,
 * audit/journal.h). On failure err says "this consultation could not be
 * logged, so nothing is shown: WHY" (a usage error reported as a store error).
 */
cpi_status cpi_desk_log(cpi_store *st, const cpi_grant *g, const char *query, const char *const *ids, size_t nids,
                        const char *const *refs, size_t nrefs, cpi_error *err);

#endif
