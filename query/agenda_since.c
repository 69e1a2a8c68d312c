/*
 * agenda_since.c - what is new on the agenda since the last meeting: for
 * each listed child, their own records dated after `since`, and the score
 * the rule of agenda.h gave on that day.
 *
 * The card holds only the latest figures, so the score then is re-derived
 * from the child's records dated up to `since` (the latest MACE meeting and
 * MIRAF form then, the markers then, missing reports then) and from their
 * edges first dated up to it (risky people linked then, the adult of concern
 * linked then), the same way the graph build derives the card (graph/graph.c
 * record_facts). Whether a linked person counted as risky is judged by what
 * is known of them now: the graph keeps no history of other people's flags.
 *
 * Reads per listed child: the members cursor, each distinct record once, and
 * one edge cursor. Only the listed children (--top) are read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/normalise/normalise.h"
#include "query/agenda_internal.h"
#include "core/source.h"

static bool eq(const char *a, const char *b) { return a && b && strcasecmp(a, b) == 0; }

static int grade_of(const char *v)
{
    if (eq(v, "HIGH") || eq(v, "VERY HIGH"))
        return 3;
    if (eq(v, "MEDIUM"))
        return 2;
    if (eq(v, "LOW") || eq(v, "STANDARD"))
        return 1;
    return 0;
}

static int32_t dmax(int32_t a, int32_t b) { return a == CPI_DAY_NONE ? b : b == CPI_DAY_NONE ? a : a > b ? a : b; }

/* Flags the child's own records give and the score reads; re-derived as of since. */
static const uint64_t DERIVED = CPI_EF(CPI_EF_MACE_CHILD) | CPI_EF(CPI_EF_CSE_RISK) | CPI_EF(CPI_EF_CCE_RISK) |
                                CPI_EF(CPI_EF_SOC_CHILD) | CPI_EF(CPI_EF_POLIT_CHILD);

typedef struct then {
    cpi_card card;     /* the figures as of since */
    int32_t miraf_day; /* the latest MIRAF form up to since */
} then;

/* One record of the child (role: the child's mention's role in it), dated up to since. */
static void absorb(then *t, const cpi_record *r, const char *role)
{
    cpi_src src = cpi_src_of_ref(r->ref);
    cpi_card *c = &t->card;
    const cpi_kvlist *x = &r->facts;
    if (src == CPI_SRC_MACE && strcmp(role, "child-discussed") == 0) {
        c->flags |= CPI_EF(CPI_EF_MACE_CHILD);
        if (c->mace_day == CPI_DAY_NONE || r->day >= c->mace_day) {
            c->mace_day = r->day;
            c->mace_risk = (uint8_t)grade_of(cpi_kv_get(x, "risk_level"));
            const char *sf = cpi_kv_get(x, "seraf_score");
            c->seraf = sf && *sf ? (int16_t)strtol(sf, NULL, 10) : -1;
            c->mace_unflagged = eq(cpi_kv_get(x, "flagged_on_niche"), "No");
        }
    } else if (src == CPI_SRC_MIRAF && strcmp(role, "missing-child") == 0) {
        const char *lm = cpi_kv_get(x, "last_missing_date");
        int32_t day;
        cpi_error e = {0};
        if (lm && *lm && cpi_norm_date(lm, r->day, CPI_DATE_EVENT, &day, &e) == CPI_OK)
            c->last_missing = dmax(c->last_missing, day);
        if (t->miraf_day == CPI_DAY_NONE || r->day >= t->miraf_day) {
            t->miraf_day = r->day;
            c->miraf_grade = (uint8_t)grade_of(cpi_kv_get(x, "risk_grading"));
            const char *ep = cpi_kv_get(x, "episodes");
            long n = ep ? strtol(ep, NULL, 10) : 0;
            c->episodes = (uint16_t)(n < 0 ? 0 : n > 65535 ? 65535 : n);
        }
    } else if (src == CPI_SRC_NICHE && strcmp(r->type, "warning") == 0) {
        const char *w = cpi_kv_get(x, "warning_type");
        if (eq(w, "CSE RISK"))
            c->flags |= CPI_EF(CPI_EF_CSE_RISK);
        else if (eq(w, "CCE RISK"))
            c->flags |= CPI_EF(CPI_EF_CCE_RISK);
    } else if (src == CPI_SRC_NICHE && strcmp(r->type, "occurrence-nominal") == 0) {
        if (eq(cpi_kv_get(x, "involvement"), "MISSING PERSON"))
            c->last_missing = dmax(c->last_missing, r->day);
    } else if (src == CPI_SRC_SOC && strcmp(role, "child-at-risk") == 0) {
        c->flags |= CPI_EF(CPI_EF_SOC_CHILD);
    } else if (src == CPI_SRC_POLIT && (strcmp(role, "victim") == 0 || strcmp(role, "household-child") == 0)) {
        c->flags |= CPI_EF(CPI_EF_POLIT_CHILD);
    }
}

/* Keep ref among the newest CPI_AGENDA_NEW_REFS (by day, then reference). */
static void keep_new(cpi_agenda_item *it, int32_t *days, const char *ref, int32_t day, cpi_arena *a)
{
    uint32_t n = it->nnew_refs, at = n;
    while (at > 0 && (days[at - 1] < day || (days[at - 1] == day && strcmp(it->new_refs[at - 1], ref) > 0)))
        at--;
    if (at >= CPI_AGENDA_NEW_REFS)
        return;
    uint32_t last = n < CPI_AGENDA_NEW_REFS ? n : CPI_AGENDA_NEW_REFS - 1;
    for (uint32_t i = last; i > at; i--) {
        it->new_refs[i] = it->new_refs[i - 1];
        days[i] = days[i - 1];
    }
    it->new_refs[at] = cpi_arena_strdup(a, ref);
    days[at] = day;
    if (n < CPI_AGENDA_NEW_REFS)
        it->nnew_refs++;
}

/* The child's records: new ones counted, the others absorbed into t. */
static cpi_status records(cpi_txn *txn, cpi_agenda_item *it, int32_t since, uint32_t withhold, then *t,
                          cpi_arena *arena, cpi_error *err)
{
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_MEMBERS, &c, err);
    if (s)
        return s;
    size_t idlen = strlen(it->id);
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, it->id, idlen, &k, &v, err);
    if (cs == CPI_OK && (k.len != idlen || memcmp(k.data, it->id, idlen) != 0))
        cs = CPI_NOT_FOUND;
    char last_ref[CPI_REF_MAX + 8] = "";
    int32_t days[CPI_AGENDA_NEW_REFS];
    cpi_arena scratch = {0};
    while (!s && cs == CPI_OK) {
        char mref[CPI_REF_MAX + 8];
        char *slash = NULL;
        if (v.len < sizeof mref) {
            memcpy(mref, v.data, v.len);
            mref[v.len] = '\0';
            slash = strrchr(mref, '/');
        }
        if (!slash) {
            s = cpi_error_set(err, CPI_ERR_STORE, "members of %s: a value is not a mention reference", it->id);
            break;
        }
        *slash = '\0';
        unsigned long mno = strtoul(slash + 1, NULL, 10);
        if (strcmp(mref, last_ref) != 0) { /* dupsort keeps one record's mentions together */
            snprintf(last_ref, sizeof last_ref, "%s", mref);
            cpi_record rec;
            cpi_arena_reset(&scratch);
            s = cpi_store_get_record(txn, mref, &scratch, &rec, err);
            if (s == CPI_NOT_FOUND)
                s = cpi_error_set(err, CPI_ERR_STORE, "entity %s lists a mention of %s, which is not stored; "
                                  "re-run 'cpindex resolve'", it->id, mref);
            if (s)
                break;
            bool open = (CPI_SRC_BIT(cpi_src_of_ref(rec.ref)) & ~withhold) != 0;
            if (rec.day != CPI_DAY_NONE && rec.day > since) {
                if (open) {
                    it->new_records++;
                    keep_new(it, days, rec.ref, rec.day, arena);
                }
            } else if (mno >= 1 && mno <= rec.nmentions) {
                absorb(t, &rec, rec.mentions[mno - 1].role);
            }
        }
        cs = cpi_cursor_next_dup(c, &k, &v, err);
    }
    cpi_cursor_close(c);
    cpi_arena_free(&scratch);
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    return s;
}

/* Risky people linked then, and whether the adult of concern was linked then (edges first dated up to since). */
static cpi_status links_then(cpi_txn *txn, const cpi_agenda_item *it, int32_t since, then *t, bool *adult_then,
                             cpi_arena *arena, cpi_error *err)
{
    cpi_edge *es;
    uint32_t n, total;
    cpi_status s = cpi_graph_edges(txn, it->id, UINT32_MAX, arena, &es, &n, &total, err);
    if (s)
        return s;
    *adult_then = false;
    t->card.risky_reach = 0;
    for (uint32_t i = 0; i < n; i++) {
        const cpi_edge *e = &es[i];
        bool then_ = e->first == CPI_DAY_NONE || e->first <= since;
        if (!then_ || cpi_entity_id_kind(e->other) != CPI_KIND_PERSON || strcmp(e->type, "attends-school") == 0 ||
            strcmp(e->type, "possible-match") == 0)
            continue;
        if (it->linked_adult_id && strcmp(e->other, it->linked_adult_id) == 0 && !e->out &&
            (strcmp(e->type, "poses-risk-to") == 0 || strcmp(e->type, "cawn-served") == 0 ||
             strcmp(e->type, "suspect-against") == 0))
            *adult_then = true;
        if (!cpi_flags_risky(e->other_flags))
            continue;
        bool seen = false; /* edges come by type, then other: one person may appear under several types */
        for (uint32_t j = 0; j < i && !seen; j++)
            seen = strcmp(es[j].other, e->other) == 0 && (es[j].first == CPI_DAY_NONE || es[j].first <= since) &&
                   strcmp(es[j].type, "attends-school") != 0 && strcmp(es[j].type, "possible-match") != 0;
        if (!seen)
            t->card.risky_reach++;
    }
    return CPI_OK;
}

static cpi_status one(cpi_txn *txn, cpi_agenda_item *it, int32_t since, uint32_t withhold, cpi_arena *arena,
                      cpi_error *err)
{
    then t = {.card = it->card, .miraf_day = CPI_DAY_NONE};
    cpi_card *c = &t.card;
    c->flags &= ~DERIVED;
    c->mace_risk = 0;
    c->seraf = -1;
    c->mace_day = CPI_DAY_NONE;
    c->mace_unflagged = false;
    c->miraf_grade = 0;
    c->episodes = 0;
    c->last_missing = CPI_DAY_NONE;
    cpi_status s = records(txn, it, since, withhold, &t, arena, err);
    bool adult_then = false;
    if (!s)
        s = links_then(txn, it, since, &t, &adult_then, arena, err);
    if (s)
        return s;
    it->is_new = it->new_records > 0;
    cpi_agenda_item then_item = {0};
    cpi_agenda_score(&then_item, c, adult_then ? it->linked_adult_id : NULL, it->linked_adult_name, since, withhold,
                     arena);
    it->score_then = then_item.score;
    return CPI_OK;
}

cpi_status cpi_agenda_since(cpi_txn *txn, cpi_agenda *a, uint32_t withhold, cpi_arena *arena, cpi_error *err)
{
    cpi_status s = CPI_OK;
    a->nnew = 0;
    for (uint32_t i = 0; i < a->n && !s; i++)
        if (!(s = one(txn, &a->items[i], a->since, withhold, arena, err)))
            a->nnew += a->items[i].is_new;
    for (uint32_t i = 0; i < a->nunplaced && !s; i++)
        if (!(s = one(txn, &a->unplaced[i], a->since, withhold, arena, err)))
            a->nnew += a->unplaced[i].is_new;
    return s;
}
