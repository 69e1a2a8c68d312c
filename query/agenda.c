/*
 * agenda.c - score every child with an exploitation signal or a link to an
 * adult of concern by the rule in agenda.h, and keep the top. Cards carry the
 * figures (latest MACE level and SERAF, MIRAF grading, episodes, last missing,
 * risky people linked), so the only edges read are the adults of concern's.
 */
#include "query/agenda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/normalise/normalise.h"
#include "query/agenda_internal.h"
#include "graph/analytics.h"
#include "graph/area.h"
#include "core/intern.h"
#include "query/same.h"
#include "core/sort.h"

#define NOMEM() cpi_error_set(err, CPI_ERR_NOMEM, "agenda: out of memory")

static const uint64_t SIGNALS = CPI_EF(CPI_EF_MACE_CHILD) | CPI_EF(CPI_EF_CSE_RISK) | CPI_EF(CPI_EF_CCE_RISK) |
                                CPI_EF(CPI_EF_SOC_CHILD) | CPI_EF(CPI_EF_POLIT_CHILD);
static const uint64_t CONCERN = CPI_EF(CPI_EF_MACE_ADULT) | CPI_EF(CPI_EF_OCG) | CPI_EF(CPI_EF_MIRAF_RISK) |
                                CPI_EF(CPI_EF_CAWN);

typedef struct cand {
    cpi_card card;
    const char *adult_id, *adult_name;
} cand;

static void part(cpi_agenda_item *it, int points, const char *why, cpi_arena *a)
{
    if (points <= 0 || it->nparts >= CPI_AGENDA_PARTS)
        return;
    it->parts[it->nparts++] = (cpi_agenda_part){points, cpi_arena_strdup(a, why)};
    it->score += points;
}

static const char *level_name(unsigned l) { return l == 3 ? "HIGH" : l == 2 ? "MEDIUM" : l == 1 ? "LOW" : "none"; }

/* The rule of agenda.h, part by part (also used for the score at --since: query/agenda_since.c). */
void cpi_agenda_score(cpi_agenda_item *it, const cpi_card *k, const char *adult_id, const char *adult_name,
                      int32_t as_of, uint32_t withhold, cpi_arena *a)
{
    uint64_t f = cpi_flags_from_sources(k->flags, ~withhold);
    char why[200], d[CPI_NORM_ISO_DATE_MAX] = "?";
    if (k->mace_day != CPI_DAY_NONE)
        cpi_norm_date_iso(k->mace_day, d);
    if (k->mace_risk) {
        snprintf(why, sizeof why, "MACE risk %s (%s)", level_name(k->mace_risk), d);
        part(it, k->mace_risk == 3 ? 30 : k->mace_risk == 2 ? 15 : 5, why, a);
    }
    if (k->seraf > 0) {
        snprintf(why, sizeof why, "SERAF %d", k->seraf);
        part(it, k->seraf / 2 > 20 ? 20 : k->seraf / 2, why, a);
    }
    if (k->miraf_grade) {
        snprintf(why, sizeof why, "MIRAF grading %s", level_name(k->miraf_grade));
        part(it, k->miraf_grade == 3 ? 20 : k->miraf_grade == 2 ? 10 : 3, why, a);
    }
    if (k->episodes) {
        snprintf(why, sizeof why, "%u missing episodes", k->episodes);
        part(it, k->episodes * 2 > 20 ? 20 : k->episodes * 2, why, a);
    }
    if (k->last_missing != CPI_DAY_NONE && as_of - k->last_missing >= 0 && as_of - k->last_missing <= 90) {
        char lm[CPI_NORM_ISO_DATE_MAX];
        cpi_norm_date_iso(k->last_missing, lm);
        snprintf(why, sizeof why, "missing in the last 90 days (%s)", lm);
        part(it, 15, why, a);
    }
    if (k->risky_reach) {
        snprintf(why, sizeof why, "%u risky %s linked", k->risky_reach, k->risky_reach == 1 ? "person" : "people");
        part(it, k->risky_reach * 5 > 25 ? 25 : (int)k->risky_reach * 5, why, a);
    }
    if (f & CPI_EF(CPI_EF_SOC_CHILD))
        part(it, 15, "child at risk in a SOC plan", a);
    if ((f & CPI_EF(CPI_EF_MACE_CHILD)) &&
        (k->mace_unflagged || !(f & (CPI_EF(CPI_EF_CSE_RISK) | CPI_EF(CPI_EF_CCE_RISK)))))
        part(it, 10, "at risk per MACE but no CSE/CCE marker on Niche", a);
    if (adult_id && !(f & CPI_EF(CPI_EF_MACE_CHILD))) {
        snprintf(why, sizeof why, "linked to %s (%s), an adult of concern, never discussed at MACE",
                 adult_name ? adult_name : adult_id, adult_id);
        part(it, 10, why, a);
    }
}

static int cmp_item(const void *x, const void *y)
{
    const cpi_agenda_item *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->last_meeting != b->last_meeting) /* never or longest ago first */
        return a->last_meeting < b->last_meeting ? -1 : 1;
    return strcmp(a->id, b->id);
}

/*
 * Fold possible matches into one row: each ranked item the resolver left as a
 * possible match of a better-ranked one joins that one's row (named in
 * `same`) instead of taking a row of its own; *n becomes the number of rows.
 */
static cpi_status fold_same(cpi_txn *txn, cpi_agenda_item *items, uint32_t *n, uint32_t withhold, cpi_arena *arena,
                            cpi_error *err)
{
    if (*n < 2)
        return CPI_OK;
    const char **ids = malloc(sizeof *ids * *n);
    uint32_t *partner = malloc(sizeof *partner * *n), *prob = malloc(sizeof *prob * *n);
    uint32_t *row = malloc(sizeof *row * *n);
    cpi_status s = ids && partner && prob && row ? CPI_OK : NOMEM();
    for (uint32_t i = 0; i < *n && !s; i++)
        ids[i] = items[i].id;
    if (!s)
        s = cpi_same_partners(txn, ids, *n, withhold, arena, partner, prob, err);
    uint32_t k = 0;
    for (uint32_t i = 0; i < *n && !s; i++) {
        if (partner[i] == CPI_SAME_NONE) { /* a row of its own; rows keep their rank order */
            row[i] = k;
            if (k != i)
                items[k] = items[i];
            k++;
            continue;
        }
        cpi_agenda_item *r = &items[row[partner[i]]]; /* the partner ranks higher, so its row is placed */
        if (r->nsame < CPI_AGENDA_SAME)
            r->same[r->nsame++] = (struct cpi_agenda_same){items[i].id, items[i].name, items[i].score, prob[i]};
    }
    if (!s)
        *n = k;
    free(ids);
    free(partner);
    free(prob);
    free(row);
    return s;
}

/* Edges by which an adult of concern reaches a child. */
static bool reaches(const cpi_edge *e)
{
    if (!e->out || !(e->other_flags & CPI_EF(CPI_EF_CHILD)))
        return false;
    return strcmp(e->type, "poses-risk-to") == 0 || strcmp(e->type, "cawn-served") == 0 ||
           strcmp(e->type, "suspect-against") == 0;
}

cpi_status cpi_agenda_build(cpi_txn *txn, const cpi_agenda_opts *opts, cpi_arena *arena, cpi_agenda *out,
                            cpi_error *err)
{
    cpi_agenda_opts o = opts ? *opts : (cpi_agenda_opts){0};
    memset(out, 0, sizeof *out);
    cpi_asummary sum;
    cpi_status s = cpi_analytics_summary(txn, &sum, err);
    if (s)
        return s;
    out->as_of = o.as_of && o.as_of != CPI_DAY_NONE ? o.as_of : sum.as_of;
    out->since = o.since ? o.since : CPI_DAY_NONE;
    out->area = NULL;
    int area_kind = 0;
    if (o.area && (s = cpi_area_find(txn, o.area, arena, &out->area, &area_kind, err)))
        return s;
    out->area_kind = area_kind;
    cpi_intern index = {0};  /* child id -> candidate number */
    cand *cands = NULL;
    uint32_t ncand = 0, capcand = 0;
    const char **adults = NULL;
    uint32_t nadults = 0, capadults = 0;
    cpi_cursor *c = NULL;
    cpi_arena scratch = {0};
    s = cpi_cursor_open(txn, CPI_DB_ANALYTICS, &c, err);
    char prefix[4];
    size_t plen = cpi_card_key("P-", prefix, sizeof prefix);
    cpi_slice k, v;
    cpi_status cs = s ? s : cpi_cursor_seek(c, prefix, plen, &k, &v, err);
    while (!s && cs == CPI_OK && k.len > plen && memcmp(k.data, prefix, plen) == 0) {
        char id[CPI_ENTITY_ID_MAX];
        size_t idlen = k.len - 2 < sizeof id - 1 ? k.len - 2 : sizeof id - 1;
        memcpy(id, (const char *)k.data + 2, idlen);
        id[idlen] = '\0';
        cpi_card card;
        cpi_arena_reset(&scratch); /* most cards are looked at and dropped */
        s = cpi_card_decode(id, v.data, v.len, &scratch, &card, err);
        if (s)
            break;
        uint64_t f = cpi_flags_from_sources(card.flags, ~o.withhold);
        bool child = (card.flags & CPI_EF(CPI_EF_CHILD)) != 0;
        bool keep = (child && ((f & SIGNALS) || card.miraf_grade >= 2)) || (!child && (f & CONCERN));
        if (keep && (s = cpi_card_decode(id, v.data, v.len, arena, &card, err)))
            break;
        if (child && ((f & SIGNALS) || card.miraf_grade >= 2)) {
            if (ncand == capcand) {
                capcand = capcand ? capcand * 2 : 256;
                cand *nc = realloc(cands, sizeof *nc * capcand);
                if (!nc) {
                    s = NOMEM();
                    break;
                }
                cands = nc;
            }
            uint32_t x;
            if (cpi_intern_add(&index, card.id, strlen(card.id), &x, NULL)) {
                s = NOMEM();
                break;
            }
            cands[ncand++] = (cand){card, NULL, NULL};
        } else if (!child && (f & CONCERN)) {
            if (nadults == capadults) {
                capadults = capadults ? capadults * 2 : 256;
                const char **na = realloc(adults, sizeof *na * capadults);
                if (!na) {
                    s = NOMEM();
                    break;
                }
                adults = na;
            }
            adults[nadults++] = card.id;
        }
        cs = cpi_cursor_next(c, &k, &v, err);
    }
    cpi_cursor_close(c);
    cpi_arena_free(&scratch);
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    /* children an adult of concern reaches: on the agenda even with no signal of their own */
    for (uint32_t i = 0; i < nadults && !s; i++) {
        cpi_edge *es;
        uint32_t n, total;
        s = cpi_graph_edges(txn, adults[i], UINT32_MAX, arena, &es, &n, &total, err);
        const char *adult_name = NULL;
        for (uint32_t j = 0; j < n && !s; j++) {
            if (!reaches(&es[j]) || !(es[j].sources & ~o.withhold))
                continue;
            uint32_t x = cpi_intern_find(&index, es[j].other, strlen(es[j].other));
            if (x == CPI_INTERN_NONE) {
                cpi_card card;
                if ((s = cpi_card_get(txn, es[j].other, arena, &card, err)))
                    break;
                if (ncand == capcand) {
                    capcand = capcand ? capcand * 2 : 256;
                    cand *nc = realloc(cands, sizeof *nc * capcand);
                    if (!nc) {
                        s = NOMEM();
                        break;
                    }
                    cands = nc;
                }
                if (cpi_intern_add(&index, card.id, strlen(card.id), &x, NULL)) {
                    s = NOMEM();
                    break;
                }
                cands[ncand++] = (cand){card, NULL, NULL};
            }
            if (!cands[x].adult_id) {
                if (!adult_name) {
                    cpi_card ac;
                    cpi_error e2 = {0};
                    adult_name = cpi_card_get(txn, adults[i], arena, &ac, &e2) == CPI_OK ? ac.name : adults[i];
                }
                cands[x].adult_id = adults[i];
                cands[x].adult_name = adult_name;
            }
        }
    }
    /* in the area: items; in no area of its kind (a local authority: no home known; a policing area: no
     * home known and never at MACE): unplaced, listed apart, so the area's agendas together miss nobody */
    cpi_agenda_item *items = s || !ncand ? NULL : cpi_arena_alloc(arena, sizeof *items * ncand);
    cpi_agenda_item *unplaced = s || !ncand || !out->area ? NULL : cpi_arena_alloc(arena, sizeof *items * ncand);
    if (!s && ncand && (!items || (out->area && !unplaced)))
        s = NOMEM();
    uint32_t n = 0, nun = 0;
    for (uint32_t i = 0; i < ncand && !s; i++) {
        const cpi_card *k2 = &cands[i].card;
        bool discussed = (k2->flags & CPI_EF(CPI_EF_MACE_CHILD)) != 0;
        if (o.new_only && discussed)
            continue;
        bool placed = out->area && cpi_card_placed(k2, area_kind);
        if (out->area && placed && !cpi_card_in_area(k2, out->area))
            continue;
        cpi_agenda_item *it = out->area && !placed ? &unplaced[nun] : &items[n];
        *it = (cpi_agenda_item){.id = k2->id, .name = k2->name, .dob = k2->dob, .la = k2->la, .area = k2->area,
                                .flags = cpi_flags_from_sources(k2->flags, ~o.withhold), .discussed = discussed,
                                .last_meeting = k2->mace_day, .linked_adult_id = cands[i].adult_id,
                                .linked_adult_name = cands[i].adult_name, .card = *k2};
        cpi_agenda_score(it, k2, cands[i].adult_id, cands[i].adult_name, out->as_of, o.withhold, arena);
        if (it->score > 0)
            *(out->area && !placed ? &nun : &n) += 1;
    }
    uint32_t scored = n, scored_un = nun; /* children scored, before possible matches share rows */
    if (!s) {
        cpi_sort(items, n, sizeof *items, cmp_item);
        cpi_sort(unplaced, nun, sizeof *unplaced, cmp_item);
        s = fold_same(txn, items, &n, o.withhold, arena, err);
        if (!s)
            s = fold_same(txn, unplaced, &nun, o.withhold, arena, err);
    }
    if (!s) {
        uint32_t top = o.top ? o.top : 40;
        out->considered = scored;
        out->items = items;
        out->n = n < top ? n : top;
        out->unplaced_total = scored_un;
        out->unplaced = unplaced;
        out->nunplaced = nun < top ? nun : top;
    }
    if (!s && out->since != CPI_DAY_NONE)
        s = cpi_agenda_since(txn, out, o.withhold, arena, err);
    free(cands);
    free(adults);
    cpi_intern_free(&index);
    return s;
}
