/*
 * profile.c - build a person's profile (see profile.h): the subject's own
 * records give identity, warnings, timeline and most gaps; query/profile_links.c
 * adds what the edges say (risky people, places, connected children). Lists
 * are then ordered most important first and cut to the detail level.
 *
 * Reads: the card, the members (one cursor), each record holding one of the
 * subject's mentions (one get each), and in full detail the Niche occurrence
 * behind each occurrence link, for the timeline.
 */
#include "query/profile.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/normalise/normalise.h"
#include "query/answer_build.h"
#include "core/sort.h"

/* ------------------------------------------------------------------ small helpers */

void *pvec_push(cpi_arena *a, pvec *v, size_t size)
{
    if (v->n == v->cap) {
        uint32_t ncap = v->cap ? v->cap * 2 : 8;
        void *ni = cpi_arena_alloc(a, size * ncap);
        if (!ni)
            return NULL;
        if (v->n)
            memcpy(ni, v->items, size * v->n);
        v->items = ni;
        v->cap = ncap;
    }
    void *slot = (char *)v->items + size * v->n++;
    memset(slot, 0, size);
    return slot;
}

cpi_status pb_nomem(pb *b) { return cpi_error_set(b->err, CPI_ERR_NOMEM, "profile: out of memory"); }

const char *pb_fmt(pb *b, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return cpi_arena_strdup(b->a, buf);
}

const char *pb_date(pb *b, int32_t day)
{
    if (day == CPI_DAY_NONE)
        return "";
    char iso[CPI_NORM_ISO_DATE_MAX];
    cpi_norm_date_iso(day, iso);
    return cpi_arena_strdup(b->a, iso);
}

cpi_status pb_withhold(pb *b, const char *section, uint32_t sources)
{
    uint32_t hidden = sources & b->o->withhold;
    for (int s = 0; s < CPI_SRC__COUNT; s++) {
        if (!(hidden & CPI_SRC_BIT(s)))
            continue;
        cpi_pf_withheld *w = b->withheld.items;
        uint32_t i = 0;
        for (; i < b->withheld.n; i++)
            if (w[i].source == (cpi_src)s && strcmp(w[i].section, section) == 0)
                break;
        if (i == b->withheld.n) {
            cpi_pf_withheld *nw = pvec_push(b->a, &b->withheld, sizeof *nw);
            if (!nw)
                return pb_nomem(b);
            nw->section = section;
            nw->source = (cpi_src)s;
            nw->contact = b->o->contact[s] ? b->o->contact[s] : cpi_src_default_contact((cpi_src)s);
            w = b->withheld.items;
        }
        w[i].items++;
    }
    return CPI_OK;
}

cpi_status pb_add_warning(pb *b, const char *code, int level, cpi_src src, int32_t day, int32_t end,
                          const char *const *refs, uint32_t nrefs, const char *text)
{
    if (!pb_visible(b, CPI_SRC_BIT(src)))
        return pb_withhold(b, "warnings", CPI_SRC_BIT(src));
    cpi_pf_warning *w = pvec_push(b->a, &b->warnings, sizeof *w);
    if (!w || !text)
        return pb_nomem(b);
    *w = (cpi_pf_warning){.code = code, .text = text, .level = level, .source = src, .day = day, .end = end};
    for (uint32_t i = 0; i < nrefs && i < CPI_PF_REFS; i++)
        w->refs[w->nrefs++] = refs[i];
    return CPI_OK;
}

cpi_status pb_add_gap(pb *b, const char *code, cpi_src src, const char *const *refs, uint32_t nrefs,
                      const char *text)
{
    if (!pb_visible(b, CPI_SRC_BIT(src)))
        return pb_withhold(b, "gaps", CPI_SRC_BIT(src));
    cpi_pf_gap *g = pvec_push(b->a, &b->gaps, sizeof *g);
    if (!g || !text)
        return pb_nomem(b);
    *g = (cpi_pf_gap){.code = code, .text = text, .source = src};
    for (uint32_t i = 0; i < nrefs && i < CPI_PF_REFS; i++)
        g->refs[g->nrefs++] = refs[i];
    return CPI_OK;
}

static bool eq(const char *a, const char *b) { return a && b && strcasecmp(a, b) == 0; }
static const char *or(const char *v, const char *dflt) { return v && *v ? v : dflt; }
static int32_t dmax(int32_t a, int32_t b) { return a == CPI_DAY_NONE ? b : b == CPI_DAY_NONE ? a : a > b ? a : b; }

/* Add a value (name, DOB, gender) to a list, counting repeats. */
static cpi_status add_value(pb *b, pvec *v, const char *text, cpi_src src)
{
    if (!text || !*text)
        return CPI_OK;
    cpi_pf_value *items = v->items;
    for (uint32_t i = 0; i < v->n; i++)
        if (strcmp(items[i].text, text) == 0) {
            items[i].count++;
            items[i].sources |= CPI_SRC_BIT(src);
            return CPI_OK;
        }
    cpi_pf_value *nv = pvec_push(b->a, v, sizeof *nv);
    if (!nv || !(nv->text = cpi_arena_strdup(b->a, text)))
        return pb_nomem(b);
    nv->count = 1;
    nv->sources = CPI_SRC_BIT(src);
    return CPI_OK;
}

/* ------------------------------------------------------------------ the subject's records */

/* Facts gathered across the subject's records, turned into warnings and gaps at the end. */
typedef struct rec_facts {
    /* MIRAF: the latest form, and whether any form records a prevention interview done */
    const cpi_record *miraf_latest;
    uint32_t miraf_forms;
    bool prevention_done, rhi_missed;
    const char *no_prevention_refs[CPI_PF_REFS];
    uint32_t nno_prevention;
    /* Niche missing-person reports */
    uint32_t niche_missing;
    int32_t niche_missing_last;
    const char *niche_missing_refs[CPI_PF_REFS];
    uint32_t nniche_missing_refs;
    /* Niche victim */
    uint32_t victim_in;
    int32_t victim_last;
    const char *victim_refs[CPI_PF_REFS];
    uint32_t nvictim_refs;
    /* MACE: latest meeting */
    const cpi_record *mace_latest;
    /* SOC: one warning per organised crime group, from its latest plan review */
    struct soc_group {
        const char *group;
        const cpi_record *latest;
        uint32_t reviews;
    } soc[8];
    uint32_t nsoc;
    bool lac_miraf, lac_niche;
    const char *placement;
    /* the subject's own risk roles, one accumulator per row of own_roles[] */
    struct role_acc {
        uint32_t records;
        const cpi_record *latest;
        const char *refs[CPI_PF_REFS];
        uint32_t nrefs;
        const char *groups[4]; /* SOC: the organised crime groups named */
        uint32_t ngroups;
    } roles[6];
} rec_facts;

/*
 * The roles in which a record names the subject as a risk to others, and the
 * warning each gives: these are the person's own risk flags, so they open
 * the WARNINGS (the graph's card flags say the same, as CPI_EF_RISKY).
 */
static const struct own_role {
    const char *role; /* the mention's role; "suspect" stands for a Niche SUSPECT or OFFENDER involvement */
    cpi_src src;
    const char *code;
    int level;
} own_roles[] = {
    {"group-member", CPI_SRC_SOC, "ocg-member", 3},
    {"person-posing-risk", CPI_SRC_MIRAF, "miraf-risk", 3},
    {"adult-of-concern", CPI_SRC_MACE, "mace-adult", 3},
    {"perpetrator", CPI_SRC_MARAC, "marac-perpetrator", 3},
    {"subject", CPI_SRC_POLIT, "polit-subject", 3},
    {"suspect", CPI_SRC_NICHE, "suspect", 2},
};

static void keep_ref(const char **refs, uint32_t *n, const char *ref)
{
    if (*n < CPI_PF_REFS)
        refs[(*n)++] = ref;
}

static const char *warning_code(const char *type, int *level)
{
    static const struct {
        const char *type, *code;
        int level;
    } t[] = {
        {"CHILD PROTECTION PLAN", "cpp", 3},  {"LOOKED AFTER CHILD", "looked-after", 2},
        {"CSE RISK", "cse-risk", 3},          {"CCE RISK", "cce-risk", 3},
        {"REPEAT MISSING", "repeat-missing", 2}, {"REGISTERED SEX OFFENDER", "rso", 3},
        {"SHPO", "shpo", 3},                  {"CAWN", "cawn", 3},
        {"MARAC", "marac", 3},                {"VIOLENT", "violent", 2},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (eq(type, t[i].type)) {
            *level = t[i].level;
            return t[i].code;
        }
    *level = 1;
    return "warning-marker";
}

/* The one-line timeline summary of a record, by silo and type. */
static const char *summarise(pb *b, const cpi_record *r, cpi_src src, const cpi_record *occ)
{
    const cpi_kvlist *x = &r->facts;
    const char *t = r->type;
    if (src == CPI_SRC_NICHE) {
        if (strcmp(t, "nominal") == 0)
            return "Niche nominal record";
        if (strcmp(t, "warning") == 0) {
            const char *end = cpi_kv_get(x, "end_date");
            return pb_fmt(b, "%s marker%s%s%s%s", or(cpi_kv_get(x, "warning_type"), "warning"),
                          end && *end ? " (ended " : "", end && *end ? end : "", end && *end ? ")" : "",
                          cpi_kv_get(x, "details") ? pb_fmt(b, ": %s", cpi_kv_get(x, "details")) : "");
        }
        if (strcmp(t, "ppn") == 0)
            return pb_fmt(b, "PPN: %s, %s risk; shared with social care: %s", or(cpi_kv_get(x, "concern"), "?"),
                          or(cpi_kv_get(x, "risk"), "?"), or(cpi_kv_get(x, "shared_with_social_care"), "?"));
        if (strcmp(t, "occurrence-nominal") == 0) {
            const char *cls = occ ? cpi_kv_get(&occ->facts, "classification") : NULL;
            return pb_fmt(b, "%s in occurrence %s%s%s", or(cpi_kv_get(x, "involvement"), "involved"),
                          or(cpi_kv_get(x, "urn"), "?"), cls ? ": " : "", cls ? cls : "");
        }
        if (strcmp(t, "nominal-location") == 0)
            return pb_fmt(b, "address linked (%s)%s%s", or(cpi_kv_get(x, "link_type"), "?"),
                          cpi_kv_get(x, "to_date") ? " until " : "", or(cpi_kv_get(x, "to_date"), ""));
        if (strcmp(t, "occurrence") == 0)
            return pb_fmt(b, "occurrence: %s", or(cpi_kv_get(x, "classification"), "?"));
        if (strcmp(t, "location") == 0)
            return "Niche location record";
    } else if (src == CPI_SRC_MIRAF) {
        return pb_fmt(b, "MIRAF form: grading %s, %s episodes, last missing %s", or(cpi_kv_get(x, "risk_grading"), "?"),
                      or(cpi_kv_get(x, "episodes"), "?"), or(cpi_kv_get(x, "last_missing_date"), "?"));
    } else if (src == CPI_SRC_MACE) {
        return pb_fmt(b, "MACE %s: %s risk %s%s%s", or(cpi_kv_get(x, "meeting_ref"), ""),
                      or(cpi_kv_get(x, "exploitation_type"), "?"), or(cpi_kv_get(x, "risk_level"), "?"),
                      cpi_kv_get(x, "seraf_score") ? ", SERAF " : "", or(cpi_kv_get(x, "seraf_score"), ""));
    } else if (src == CPI_SRC_MARAC) {
        return pb_fmt(b, "MARAC case: DASH %s%s", or(cpi_kv_get(x, "dash_score"), "?"),
                      eq(cpi_kv_get(x, "repeat_case"), "Y") ? ", repeat case" : "");
    } else if (src == CPI_SRC_POLIT) {
        return pb_fmt(b, "POLIT intelligence: risk %s, status %s", or(cpi_kv_get(x, "risk_grade"), "?"),
                      or(cpi_kv_get(x, "status"), "?"));
    } else if (src == CPI_SRC_SOC) {
        return pb_fmt(b, "SOC plan %s%s%s%s", or(cpi_kv_get(x, "group_ref"), "?"),
                      cpi_kv_get(x, "line_name") ? " (" : "", or(cpi_kv_get(x, "line_name"), ""),
                      cpi_kv_get(x, "line_name") ? ")" : "");
    }
    return pb_fmt(b, "%s record", t);
}

/* Identity values from one of the subject's mentions. */
static cpi_status identity(pb *b, const cpi_mention *m, cpi_src src)
{
    const char *fore = cpi_kv_get(&m->raw, "forenames"), *sur = cpi_kv_get(&m->raw, "surname");
    cpi_status s = CPI_OK;
    if (sur)
        s = add_value(b, &b->names, fore ? pb_fmt(b, "%s %s", fore, sur) : sur, src);
    else if (cpi_kv_get(&m->raw, "name"))
        s = add_value(b, &b->names, cpi_kv_get(&m->raw, "name"), src);
    const char *alias = cpi_kv_get(&m->raw, "alias");
    if (!s && alias)
        s = add_value(b, &b->names, pb_fmt(b, "%s (alias)", alias), src);
    const char *dob = cpi_kv_get(&m->keys, "dob");
    const char *lo = cpi_kv_get(&m->keys, "dob_lo"), *hi = cpi_kv_get(&m->keys, "dob_hi");
    if (!s && dob)
        s = add_value(b, &b->dobs, dob, src);
    else if (!s && lo && hi)
        s = add_value(b, &b->dobs, pb_fmt(b, "between %s and %s (from an age)", lo, hi), src);
    const char *g = cpi_kv_get(&m->keys, "gender");
    if (!s && g)
        s = add_value(b, &b->genders, eq(g, "m") ? "male" : eq(g, "f") ? "female" : "unknown", src);
    return s;
}

static cpi_status one_record(pb *b, const cpi_record *r, const char *role, rec_facts *rf)
{
    cpi_src src = cpi_src_of_ref(r->ref);
    const cpi_kvlist *x = &r->facts;
    bool visible = pb_visible(b, CPI_SRC_BIT(src)) != 0;
    cpi_status s = CPI_OK;
    /* references and timeline: every record, withheld ones counted */
    if (visible) {
        cpi_pf_reference *ref = pvec_push(b->a, &b->references, sizeof *ref);
        if (!ref)
            return pb_nomem(b);
        *ref = (cpi_pf_reference){r->ref, r->type, role, r->day, src};
    } else if ((s = pb_withhold(b, "references", CPI_SRC_BIT(src)))) {
        return s;
    }
    const cpi_record *occ = NULL;
    cpi_record occ_rec;
    if (visible && b->o->detail == CPI_DETAIL_FULL && src == CPI_SRC_NICHE &&
        strcmp(r->type, "occurrence-nominal") == 0 && cpi_kv_get(x, "urn")) {
        cpi_error e2 = {0};
        if (cpi_store_get_record(b->txn, pb_fmt(b, "niche:%s", cpi_kv_get(x, "urn")), b->a, &occ_rec, &e2) == CPI_OK)
            occ = &occ_rec;
    }
    if (visible) {
        cpi_pf_event *ev = pvec_push(b->a, &b->timeline, sizeof *ev);
        if (!ev)
            return pb_nomem(b);
        *ev = (cpi_pf_event){r->day, r->ref, r->type, role, summarise(b, r, src, occ), src};
    } else if ((s = pb_withhold(b, "timeline", CPI_SRC_BIT(src)))) {
        return s;
    }
    const char *refs[1] = {r->ref};
    const char *inv = src == CPI_SRC_NICHE && strcmp(r->type, "occurrence-nominal") == 0
                          ? cpi_kv_get(x, "involvement") : NULL;
    const char *as_role = eq(inv, "SUSPECT") || eq(inv, "OFFENDER") ? "suspect" : role;
    for (size_t i = 0; i < sizeof own_roles / sizeof own_roles[0]; i++) {
        if (own_roles[i].src != src || strcmp(own_roles[i].role, as_role) != 0)
            continue;
        struct role_acc *ra = &rf->roles[i];
        ra->records++;
        if (!ra->latest || r->day >= ra->latest->day)
            ra->latest = r;
        keep_ref(ra->refs, &ra->nrefs, r->ref);
        const char *group = src == CPI_SRC_SOC ? cpi_kv_get(x, "group_ref") : NULL;
        bool known = !group;
        for (uint32_t g = 0; g < ra->ngroups && !known; g++)
            known = strcmp(ra->groups[g], group) == 0;
        if (!known && ra->ngroups < sizeof ra->groups / sizeof ra->groups[0])
            ra->groups[ra->ngroups++] = group;
    }
    if (src == CPI_SRC_NICHE && strcmp(r->type, "warning") == 0) {
        int level;
        const char *type = or(cpi_kv_get(x, "warning_type"), "WARNING");
        const char *code = warning_code(type, &level);
        /* free text only in the full view: the brief one is who, what and how serious */
        const char *details = b->o->detail == CPI_DETAIL_FULL ? cpi_kv_get(x, "details") : NULL;
        int32_t end = CPI_DAY_NONE;
        const char *endraw = cpi_kv_get(x, "end_date");
        cpi_error e2 = {0};
        if (endraw && *endraw && cpi_norm_date(endraw, r->day, CPI_DATE_EVENT, &end, &e2) != CPI_OK)
            end = CPI_DAY_NONE;
        if (end != CPI_DAY_NONE && level > 1)
            level--; /* an ended marker is history, not a live warning */
        b->niche_cse_marker |= strcmp(code, "cse-risk") == 0;
        b->niche_cce_marker |= strcmp(code, "cce-risk") == 0;
        rf->lac_niche |= strcmp(code, "looked-after") == 0;
        uint32_t before = b->warnings.n;
        s = pb_add_warning(b, code, level, src, r->day, end, refs, 1,
                           pb_fmt(b, "%s (Niche marker) since %s%s%s%s%s", type, pb_date(b, r->day),
                                  end != CPI_DAY_NONE ? ", ended " : "", pb_date(b, end), details ? ": " : "",
                                  details ? details : ""));
        /* a marker saying the subject is a risk to others is one of their own risk flags */
        if (!s && b->warnings.n > before && (strcmp(code, "rso") == 0 || strcmp(code, "shpo") == 0 ||
                                             strcmp(code, "violent") == 0 || strcmp(code, "cawn") == 0))
            ((cpi_pf_warning *)b->warnings.items)[b->warnings.n - 1].own = true;
    } else if (src == CPI_SRC_NICHE && strcmp(r->type, "ppn") == 0) {
        bool unshared = eq(cpi_kv_get(x, "shared_with_social_care"), "N");
        const char *risk = or(cpi_kv_get(x, "risk"), "?"), *concern = or(cpi_kv_get(x, "concern"), "?");
        s = pb_add_warning(b, "ppn", eq(risk, "HIGH") ? 3 : eq(risk, "MEDIUM") ? 2 : 1, src, r->day, CPI_DAY_NONE,
                           refs, 1, pb_fmt(b, "PPN %s: %s concern, %s risk%s", pb_date(b, r->day), concern, risk,
                                           unshared ? " - NOT shared with social care" : ""));
        if (!s && unshared)
            s = pb_add_gap(b, "ppn-not-shared", src, refs, 1,
                           pb_fmt(b, "PPN %s (%s, %s risk) was never shared with social care", pb_date(b, r->day),
                                  concern, risk));
    } else if (src == CPI_SRC_NICHE && strcmp(r->type, "occurrence-nominal") == 0) {
        if (eq(inv, "MISSING PERSON")) {
            rf->niche_missing++;
            rf->niche_missing_last = dmax(rf->niche_missing_last, r->day);
            keep_ref(rf->niche_missing_refs, &rf->nniche_missing_refs, r->ref);
        } else if (eq(inv, "VICTIM")) {
            rf->victim_in++;
            rf->victim_last = dmax(rf->victim_last, r->day);
            keep_ref(rf->victim_refs, &rf->nvictim_refs, r->ref);
        }
    } else if (src == CPI_SRC_MIRAF && strcmp(role, "missing-child") == 0) {
        rf->miraf_forms++;
        if (!rf->miraf_latest || r->day >= rf->miraf_latest->day)
            rf->miraf_latest = r;
        if (eq(cpi_kv_get(x, "looked_after"), "Y")) {
            rf->lac_miraf = true;
            rf->placement = cpi_kv_get(x, "placement_type");
        }
        bool prevention = false;
        for (int k = 1; k <= 2; k++) {
            char tn[32], dn[32];
            snprintf(tn, sizeof tn, "interview_%d_type", k);
            snprintf(dn, sizeof dn, "interview_%d_done", k);
            const char *type = cpi_kv_get(x, tn), *done = cpi_kv_get(x, dn);
            if (eq(type, "PREVENTION") && eq(done, "Y"))
                prevention = true;
            if (eq(type, "RHI") && eq(done, "N"))
                rf->rhi_missed = true;
        }
        rf->prevention_done |= prevention;
        if (!prevention)
            keep_ref(rf->no_prevention_refs, &rf->nno_prevention, r->ref);
    } else if (src == CPI_SRC_MACE && strcmp(role, "child-discussed") == 0) {
        b->mace_meetings++;
        if (!rf->mace_latest || r->day >= rf->mace_latest->day)
            rf->mace_latest = r;
    } else if (src == CPI_SRC_MARAC && strcmp(role, "household-child") == 0) {
        b->marac_household = true;
        b->marac_case = r->ref;
        s = pb_add_warning(b, "marac-household", 3, src, r->day, CPI_DAY_NONE, refs, 1,
                           pb_fmt(b, "In a MARAC household: case %s heard %s, DASH %s%s", strchr(r->ref, ':') + 1,
                                  pb_date(b, r->day), or(cpi_kv_get(x, "dash_score"), "?"),
                                  eq(cpi_kv_get(x, "repeat_case"), "Y") ? ", repeat case" : ""));
    } else if (src == CPI_SRC_POLIT && (strcmp(role, "victim") == 0 || strcmp(role, "household-child") == 0)) {
        s = pb_add_warning(b, strcmp(role, "victim") == 0 ? "polit-victim" : "polit-household", 3, src, r->day,
                           CPI_DAY_NONE, refs, 1,
                           pb_fmt(b, "%s (POLIT %s, risk %s, status %s)",
                                  strcmp(role, "victim") == 0 ? "Identified as a victim of online abuse"
                                                              : "Lives with an online child abuse subject",
                                  strchr(r->ref, ':') + 1, or(cpi_kv_get(x, "risk_grade"), "?"),
                                  or(cpi_kv_get(x, "status"), "?")));
    } else if (src == CPI_SRC_SOC && strcmp(role, "child-at-risk") == 0) {
        const char *group = or(cpi_kv_get(x, "group_ref"), "?");
        uint32_t i = 0;
        while (i < rf->nsoc && strcmp(rf->soc[i].group, group) != 0)
            i++;
        if (i == rf->nsoc && rf->nsoc < sizeof rf->soc / sizeof rf->soc[0])
            rf->soc[rf->nsoc++] = (struct soc_group){group, NULL, 0};
        if (i < rf->nsoc) {
            rf->soc[i].reviews++;
            if (!rf->soc[i].latest || r->day >= rf->soc[i].latest->day)
                rf->soc[i].latest = r;
        }
    }
    return s;
}

/* The text of an own-role warning: what the records say the subject is, how often, the latest. */
static const char *own_role_text(pb *b, size_t i, const struct role_acc *ra)
{
    const cpi_record *r = ra->latest;
    const cpi_kvlist *x = &r->facts;
    const char *id = strchr(r->ref, ':') + 1, *date = pb_date(b, r->day);
    uint32_t n = ra->records;
    const char *more = n > 1 ? pb_fmt(b, " (%u records)", n) : "";
    switch (i) {
    case 0: {
        const char *groups = ra->ngroups ? ra->groups[0] : "?";
        for (uint32_t g = 1; g < ra->ngroups; g++)
            groups = pb_fmt(b, "%s, %s", groups, ra->groups[g]);
        const char *line = cpi_kv_get(x, "line_name");
        return pb_fmt(b, "Organised crime group member: %s%s%s%s, SOC plan %s %s%s", groups, line ? " (" : "",
                      line ? line : "", line ? ")" : "", id, date, more);
    }
    case 1:
        return pb_fmt(b, "Named as posing a risk to a missing child on MIRAF %s %s%s", id, date, more);
    case 2:
        return pb_fmt(b, "MACE adult of concern: %s %s%s%s%s", or(cpi_kv_get(x, "meeting_ref"), id), date,
                      cpi_kv_get(x, "exploitation_type") ? ", " : "", or(cpi_kv_get(x, "exploitation_type"), ""),
                      more);
    case 3:
        return pb_fmt(b, "Domestic abuse perpetrator at MARAC: case %s heard %s, DASH %s%s", id, date,
                      or(cpi_kv_get(x, "dash_score"), "?"), more);
    case 4: {
        bool lives = eq(cpi_kv_get(x, "lives_with_children"), "Y"), works = eq(cpi_kv_get(x, "works_with_children"), "Y");
        return pb_fmt(b, "Online child abuse subject (POLIT %s %s, risk %s, status %s)%s%s%s", id, date,
                      or(cpi_kv_get(x, "risk_grade"), "?"), or(cpi_kv_get(x, "status"), "?"),
                      lives ? "; lives with children" : "", works ? "; works with children" : "", more);
    }
    default:
        return pb_fmt(b, "Suspect or offender in %u occurrence%s, last %s (%s)", n, n == 1 ? "" : "s", date, id);
    }
}

/* The subject's own risk flags, as warnings that open the list (see own_roles[]). */
static cpi_status own_role_warnings(pb *b, const rec_facts *rf)
{
    cpi_status s = CPI_OK;
    for (size_t i = 0; i < sizeof own_roles / sizeof own_roles[0] && !s; i++) {
        const struct role_acc *ra = &rf->roles[i];
        if (!ra->records)
            continue;
        /* a child suspect in a fight is not a risk to other children (cpi_flags_risky says the same) */
        if (strcmp(own_roles[i].code, "suspect") == 0 && b->p->is_child)
            continue;
        /* the latest record first (the one the text names), then the others kept */
        const char *refs[CPI_PF_REFS] = {ra->latest->ref};
        uint32_t nrefs = 1;
        for (uint32_t k = 0; k < ra->nrefs && nrefs < CPI_PF_REFS; k++)
            if (strcmp(ra->refs[k], ra->latest->ref) != 0)
                refs[nrefs++] = ra->refs[k];
        uint32_t before = b->warnings.n;
        s = pb_add_warning(b, own_roles[i].code, own_roles[i].level, own_roles[i].src, ra->latest->day, CPI_DAY_NONE,
                           refs, nrefs, own_role_text(b, i, ra));
        if (!s && b->warnings.n > before)
            ((cpi_pf_warning *)b->warnings.items)[b->warnings.n - 1].own = true;
    }
    return s;
}

/* Warnings and gaps that need every record seen first. */
static cpi_status record_summaries(pb *b, rec_facts *rf)
{
    cpi_status s = own_role_warnings(b, rf);
    if (!s && rf->miraf_latest) {
        const cpi_record *r = rf->miraf_latest;
        const cpi_kvlist *x = &r->facts;
        const char *grade = or(cpi_kv_get(x, "risk_grading"), "?");
        const char *factors = b->o->detail == CPI_DETAIL_FULL ? cpi_kv_get(x, "risk_factors") : NULL;
        const char *refs[1] = {r->ref};
        s = pb_add_warning(b, "missing", eq(grade, "HIGH") ? 3 : 2, CPI_SRC_MIRAF, r->day, CPI_DAY_NONE, refs, 1,
                           pb_fmt(b, "Missing: %s episodes, last %s; MIRAF risk grading %s (%s, %u form%s)%s%s",
                                  or(cpi_kv_get(x, "episodes"), "?"), or(cpi_kv_get(x, "last_missing_date"), "?"),
                                  grade, strchr(r->ref, ':') + 1, rf->miraf_forms, rf->miraf_forms == 1 ? "" : "s",
                                  factors ? "; risk factors: " : "", or(factors, "")));
        if (!s && !rf->prevention_done)
            s = pb_add_gap(b, "missing-no-prevention-interview", CPI_SRC_MIRAF, rf->no_prevention_refs,
                           rf->nno_prevention,
                           pb_fmt(b, "Missing %s times but no prevention interview recorded as done on %s MIRAF "
                                     "form%s%s", or(cpi_kv_get(x, "episodes"), "?"), rf->miraf_forms == 1 ? "its" : "any",
                                  rf->miraf_forms == 1 ? "" : "s", rf->rhi_missed ? "; a return-home interview was not done" : ""));
    }
    if (!s && rf->niche_missing) {
        s = pb_add_warning(b, "missing-reports", rf->niche_missing >= 3 ? 3 : 2, CPI_SRC_NICHE, rf->niche_missing_last,
                           CPI_DAY_NONE, rf->niche_missing_refs, rf->nniche_missing_refs,
                           pb_fmt(b, "Reported missing %u time%s on Niche, last %s", rf->niche_missing,
                                  rf->niche_missing == 1 ? "" : "s", pb_date(b, rf->niche_missing_last)));
        if (!s && !rf->miraf_latest && pb_visible(b, CPI_SRC_BIT(CPI_SRC_MIRAF)))
            s = pb_add_gap(b, "missing-no-miraf", CPI_SRC_NICHE, rf->niche_missing_refs, rf->nniche_missing_refs,
                           pb_fmt(b, "Reported missing %u time%s on Niche but no MIRAF risk assessment is held",
                                  rf->niche_missing, rf->niche_missing == 1 ? "" : "s"));
    }
    if (!s && rf->lac_miraf && !rf->lac_niche) { /* a Niche marker is a warning of its own already */
        const char *refs[1] = {rf->miraf_latest->ref};
        s = pb_add_warning(b, "looked-after", 2, CPI_SRC_MIRAF, rf->miraf_latest->day, CPI_DAY_NONE, refs, 1,
                           pb_fmt(b, "Looked after (MIRAF)%s%s", rf->placement ? "; placement: " : "",
                                  rf->placement ? rf->placement : ""));
    }
    if (!s && rf->mace_latest) {
        const cpi_record *r = rf->mace_latest;
        const cpi_kvlist *x = &r->facts;
        const char *level = or(cpi_kv_get(x, "risk_level"), "?"), *type = or(cpi_kv_get(x, "exploitation_type"), "?");
        const char *seraf = cpi_kv_get(x, "seraf_score");
        const char *refs[1] = {r->ref};
        s = pb_add_warning(b, "exploitation", eq(level, "HIGH") ? 3 : 2, CPI_SRC_MACE, r->day, CPI_DAY_NONE, refs, 1,
                           pb_fmt(b, "Exploitation (%s) risk %s at MACE %s%s%s; discussed at %u meeting%s", type, level,
                                  pb_date(b, r->day), seraf ? ", SERAF " : "", seraf ? seraf : "", b->mace_meetings,
                                  b->mace_meetings == 1 ? "" : "s"));
        bool cse = strstr(type, "CSE") != NULL, cce = strstr(type, "CCE") != NULL;
        bool marked = (cse && b->niche_cse_marker) || (cce && b->niche_cce_marker) || (!cse && !cce &&
                      (b->niche_cse_marker || b->niche_cce_marker));
        if (!s && !marked)
            s = pb_add_gap(b, "mace-not-flagged", CPI_SRC_MACE, refs, 1,
                           pb_fmt(b, "At %s risk of %s per MACE (%s) but no %s risk marker on Niche%s", level, type,
                                  pb_date(b, r->day), cse && !cce ? "CSE" : cce && !cse ? "CCE" : "CSE/CCE",
                                  eq(cpi_kv_get(x, "flagged_on_niche"), "No") ? " (the meeting recorded it as not flagged)"
                                                                               : ""));
    }
    for (uint32_t i = 0; i < rf->nsoc && !s; i++) {
        const cpi_record *r = rf->soc[i].latest;
        const char *line = cpi_kv_get(&r->facts, "line_name");
        const char *refs[1] = {r->ref};
        s = pb_add_warning(b, "soc-child", 3, CPI_SRC_SOC, r->day, CPI_DAY_NONE, refs, 1,
                           pb_fmt(b, "Child at risk in the SOC plan for %s%s%s%s: %u review%s, latest %s",
                                  rf->soc[i].group, line ? " (" : "", line ? line : "", line ? ")" : "",
                                  rf->soc[i].reviews, rf->soc[i].reviews == 1 ? "" : "s", pb_date(b, r->day)));
    }
    if (!s && rf->victim_in)
        s = pb_add_warning(b, "victim", 2, CPI_SRC_NICHE, rf->victim_last, CPI_DAY_NONE, rf->victim_refs,
                           rf->nvictim_refs,
                           pb_fmt(b, "Victim in %u occurrence%s, last %s", rf->victim_in, rf->victim_in == 1 ? "" : "s",
                                  pb_date(b, rf->victim_last)));
    return s;
}

/* Walk the subject's members: one record read per distinct record. */
static cpi_status records_pass(pb *b)
{
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(b->txn, CPI_DB_MEMBERS, &c, b->err);
    if (s)
        return s;
    size_t idlen = strlen(b->p->entity_id);
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, b->p->entity_id, idlen, &k, &v, b->err);
    if (cs == CPI_OK && (k.len != idlen || memcmp(k.data, b->p->entity_id, idlen) != 0))
        cs = CPI_NOT_FOUND;
    rec_facts rf = {.niche_missing_last = CPI_DAY_NONE, .victim_last = CPI_DAY_NONE};
    char last_ref[CPI_REF_MAX + 8] = "";
    cpi_record *rec = NULL;
    while (!s && cs == CPI_OK) {
        char mref[CPI_REF_MAX + 8];
        if (v.len >= sizeof mref) {
            s = cpi_error_set(b->err, CPI_ERR_STORE, "members of %s: a mention reference is too long", b->p->entity_id);
            break;
        }
        memcpy(mref, v.data, v.len);
        mref[v.len] = '\0';
        char *slash = strrchr(mref, '/');
        if (!slash) {
            s = cpi_error_set(b->err, CPI_ERR_STORE, "members of %s: '%s' is not a mention reference",
                              b->p->entity_id, mref);
            break;
        }
        *slash = '\0';
        unsigned long mno = strtoul(slash + 1, NULL, 10);
        if (strcmp(mref, last_ref) != 0) { /* dupsort keeps one record's mentions together */
            snprintf(last_ref, sizeof last_ref, "%s", mref);
            rec = cpi_arena_alloc(b->a, sizeof *rec);
            if (!rec)
                return pb_nomem(b);
            s = cpi_store_get_record(b->txn, mref, b->a, rec, b->err);
            if (s == CPI_NOT_FOUND) { /* a member whose record is gone: say so rather than guess */
                s = cpi_error_set(b->err, CPI_ERR_STORE, "entity %s lists a mention of %s, which is not stored; "
                                  "re-run 'cpindex resolve'", b->p->entity_id, mref);
                break;
            }
            if (s)
                break;
            if (mno < 1 || mno > rec->nmentions) {
                s = cpi_error_set(b->err, CPI_ERR_STORE, "entity %s lists mention %lu of %s, which has %u",
                                  b->p->entity_id, mno, mref, rec->nmentions);
                break;
            }
            const cpi_mention *m = &rec->mentions[mno - 1];
            cpi_src src = cpi_src_of_ref(rec->ref);
            if (pb_visible(b, CPI_SRC_BIT(src)))
                s = identity(b, m, src);
            if (!s)
                s = one_record(b, rec, m->role, &rf);
        } else if (rec && mno >= 1 && mno <= rec->nmentions && pb_visible(b, CPI_SRC_BIT(cpi_src_of_ref(rec->ref)))) {
            s = identity(b, &rec->mentions[mno - 1], cpi_src_of_ref(rec->ref));
        }
        if (!s)
            cs = cpi_cursor_next_dup(c, &k, &v, b->err);
    }
    cpi_cursor_close(c);
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    if (!s)
        s = record_summaries(b, &rf);
    return s;
}

/* ------------------------------------------------------------------ ordering and cutting */

static int cmp_value(const void *a, const void *b)
{
    const cpi_pf_value *x = a, *y = b;
    return x->count != y->count ? (x->count > y->count ? -1 : 1) : strcmp(x->text, y->text);
}

static int cmp_day_desc(int32_t x, int32_t y)
{
    if (x == y)
        return 0;
    if (x == CPI_DAY_NONE)
        return 1;
    if (y == CPI_DAY_NONE)
        return -1;
    return x > y ? -1 : 1;
}

static int cmp_warning(const void *a, const void *b)
{
    const cpi_pf_warning *x = a, *y = b;
    if (x->own != y->own) /* the subject's own risk flags first, then what is linked to them */
        return x->own ? -1 : 1;
    if (x->level != y->level)
        return x->level > y->level ? -1 : 1;
    int d = cmp_day_desc(x->day, y->day);
    return d ? d : strcmp(x->code, y->code);
}

static int cmp_event(const void *a, const void *b)
{
    const cpi_pf_event *x = a, *y = b;
    int d = cmp_day_desc(x->day, y->day);
    return d ? d : strcmp(x->ref, y->ref);
}

static int cmp_reference(const void *a, const void *b)
{
    const cpi_pf_reference *x = a, *y = b;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    return strcmp(x->ref, y->ref);
}

static int cmp_person(const void *a, const void *b)
{
    const cpi_pf_person *x = a, *y = b;
    return x->score != y->score ? (x->score > y->score ? -1 : 1) : strcmp(x->id, y->id);
}

static int cmp_place(const void *a, const void *b)
{
    const cpi_pf_place *x = a, *y = b;
    return x->score != y->score ? (x->score > y->score ? -1 : 1) : strcmp(x->id, y->id);
}

static int cmp_child(const void *a, const void *b)
{
    const cpi_pf_child *x = a, *y = b;
    return x->nvias != y->nvias ? (x->nvias > y->nvias ? -1 : 1) : strcmp(x->id, y->id);
}

static int cmp_match(const void *a, const void *b)
{
    const cpi_pf_match *x = a, *y = b;
    if (x->probability != y->probability)
        return x->probability > y->probability ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int gap_rank(const char *code)
{
    static const char *const order[] = {"rso-at-marac-address", "mace-not-flagged", "missing-no-prevention-interview",
                                        "missing-no-miraf", "ppn-not-shared"};
    for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
        if (strcmp(order[i], code) == 0)
            return i;
    return 99;
}

static int cmp_gap(const void *a, const void *b)
{
    const cpi_pf_gap *x = a, *y = b;
    int rx = gap_rank(x->code), ry = gap_rank(y->code);
    return rx != ry ? (rx < ry ? -1 : 1) : strcmp(x->text, y->text);
}

static int cmp_address(const void *a, const void *b)
{
    const cpi_pf_address *x = a, *y = b;
    bool cx = strcmp(x->status, "current") == 0, cy = strcmp(y->status, "current") == 0;
    if (cx != cy)
        return cx ? -1 : 1;
    int d = cmp_day_desc(x->last, y->last);
    return d ? d : strcmp(x->id, y->id);
}

/* Sort a list and cut it to max (unlimited lists pass UINT32_MAX), counting what was cut. */
#define FINISH(field, vec, T, cmp, limit)                                                                    \
    do {                                                                                                     \
        cpi_sort((vec).items, (vec).n, sizeof(T), cmp);                                                         \
        uint32_t lim_ = (limit);                                                                             \
        if ((vec).n > lim_) {                                                                                \
            p->truncated += (vec).n - lim_;                                                                  \
            (vec).n = lim_;                                                                                  \
        }                                                                                                    \
        p->field = (vec).items;                                                                              \
        p->n##field = (vec).n;                                                                               \
    } while (0)

static void finish(pb *b)
{
    cpi_profile *p = b->p;
    uint32_t max = b->max;
    bool full = b->o->detail == CPI_DETAIL_FULL;
    FINISH(names, b->names, cpi_pf_value, cmp_value, full ? UINT32_MAX : max);
    FINISH(dobs, b->dobs, cpi_pf_value, cmp_value, UINT32_MAX);
    FINISH(genders, b->genders, cpi_pf_value, cmp_value, UINT32_MAX);
    FINISH(addresses, b->addresses, cpi_pf_address, cmp_address, full ? UINT32_MAX : max);
    FINISH(references, b->references, cpi_pf_reference, cmp_reference, full ? UINT32_MAX : max * 4);
    p->truncated = 0;
    FINISH(warnings, b->warnings, cpi_pf_warning, cmp_warning, full ? UINT32_MAX : max * 2);
    FINISH(risky_people, b->risky, cpi_pf_person, cmp_person, max);
    FINISH(places, b->places, cpi_pf_place, cmp_place, max);
    FINISH(connected_children, b->children, cpi_pf_child, cmp_child, max);
    uint32_t cut = p->truncated; /* the brief timeline and reference list are left off by design */
    FINISH(timeline, b->timeline, cpi_pf_event, cmp_event, full ? UINT32_MAX : 0);
    p->truncated = cut;
    FINISH(gaps, b->gaps, cpi_pf_gap, cmp_gap, UINT32_MAX);
    p->withheld = b->withheld.items;
    p->nwithheld = b->withheld.n;
    FINISH(possible_matches, b->possible, cpi_pf_match, cmp_match, max);
}

cpi_status cpi_profile_build(cpi_txn *txn, const char *id, const cpi_profile_opts *opts, cpi_arena *arena,
                             cpi_profile *out, cpi_error *err)
{
    static const cpi_profile_opts defaults = {.detail = CPI_DETAIL_FULL};
    const cpi_profile_opts *o = opts ? opts : &defaults;
    memset(out, 0, sizeof *out);
    pb b = {.txn = txn, .a = arena, .o = o, .p = out, .err = err};
    cpi_status s = cpi_card_get(txn, id, arena, &b.card, err);
    if (s)
        return s;
    if (b.card.kind != CPI_KIND_PERSON)
        return cpi_error_set(err, CPI_ERR_USAGE, "%s is a %s, not a person; use 'cpindex address' for places", id,
                             cpi_kind_name(b.card.kind));
    b.max = o->max_items ? o->max_items : o->detail == CPI_DETAIL_FULL ? 200 : 5;
    b.today = o->today && o->today != CPI_DAY_NONE ? o->today : b.card.last;
    out->entity_id = b.card.id;
    out->kind = b.card.kind;
    out->name = b.card.name;
    out->dob = b.card.dob;
    out->flags = cpi_flags_from_sources(b.card.flags, ~o->withhold);
    out->is_child = (b.card.flags & CPI_EF(CPI_EF_CHILD)) != 0;
    out->detail = o->detail;
    out->as_of = b.today;
    uint32_t total; /* a person's own edges are read whole: a hub person is still one profile */
    s = cpi_graph_edges(txn, id, UINT32_MAX, arena, &b.edges, &b.nedges, &total, err);
    if (!s)
        s = records_pass(&b);
    if (!s)
        s = pb_links(&b);
    if (!s)
        finish(&b);
    return s;
}
