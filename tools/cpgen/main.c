/*
 * main.c - cpgen's command line: parse the arguments, build the population,
 * stream every silo's export and the truth, and write manifest.json.
 *
 *   cpgen --seed S --children N --out DIR [--messiness 0|1|2] [--bad-rows R]
 *         [--start YYYY-MM-DD --end YYYY-MM-DD]
 *
 * Exit status: 0 done, 2 usage error, 3 could not write the output.
 */
#include "tools/cpgen/gen.h"
#include "render/jsonw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CPI_VERSION
#define CPI_VERSION "0"
#endif

static const char USAGE[] =
    "usage: cpgen --seed S --children N --out DIR [--messiness 0|1|2] [--bad-rows R]\n"
    "             [--start YYYY-MM-DD --end YYYY-MM-DD]\n"
    "Writes a synthetic force's silo exports under DIR (niche/ miraf/ mace/ marac/ polit/ soc/),\n"
    "truth.csv, truth_entities.csv, truth_relations.csv and manifest.json. See docs/formats.md.\n"
    "  --seed S        any unsigned integer (default 1); same seed and arguments, same bytes\n"
    "  --children N    children in the force, 100 or more; total records are about 10 x N\n"
    "  --messiness M   0 clean, 1 realistic recording errors (default), 2 hostile\n"
    "  --bad-rows R    about R per mille of rows in each file malformed on purpose (default 0)\n"
    "  --start/--end   the period records fall in (default 2019-01-01 .. 2024-12-31)\n";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "cpgen: %s%s%s\n%s", msg, arg ? ": " : "", arg ? arg : "", USAGE);
    return 2;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static int parse_args(gen_ctx *g, int argc, char **argv)
{
    g->seed = 1;
    g->mess = 1;
    strcpy(g->start_s, "2019-01-01");
    strcpy(g->end_s, "2024-12-31");
    bool have_children = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            exit(0);
        }
        if (i + 1 >= argc)
            return usage_error("missing value for", a);
        const char *v = argv[++i];
        uint64_t n;
        if (!strcmp(a, "--seed")) {
            if (!parse_u64(v, &g->seed))
                return usage_error("--seed needs an unsigned integer", v);
        } else if (!strcmp(a, "--children")) {
            if (!parse_u64(v, &n) || n < 100 || n > 20000000)
                return usage_error("--children needs an integer from 100 to 20000000", v);
            g->children = (uint32_t)n;
            have_children = true;
        } else if (!strcmp(a, "--out")) {
            g->out = v;
        } else if (!strcmp(a, "--messiness")) {
            if (!parse_u64(v, &n) || n > 2)
                return usage_error("--messiness must be 0, 1 or 2", v);
            g->mess = (int)n;
        } else if (!strcmp(a, "--bad-rows")) {
            if (!parse_u64(v, &n) || n > 1000)
                return usage_error("--bad-rows must be 0 to 1000 (per mille)", v);
            g->bad_permille = (uint32_t)n;
        } else if (!strcmp(a, "--start") || !strcmp(a, "--end")) {
            if (strlen(v) != 10)
                return usage_error("dates are YYYY-MM-DD", v);
            strcpy(a[2] == 's' ? g->start_s : g->end_s, v);
        } else {
            return usage_error("unknown option", a);
        }
    }
    if (!have_children || !g->out)
        return usage_error("--children and --out are required", NULL);
    if (!day_parse_iso(g->start_s, &g->start))
        return usage_error("--start is not a valid YYYY-MM-DD date", g->start_s);
    if (!day_parse_iso(g->end_s, &g->end))
        return usage_error("--end is not a valid YYYY-MM-DD date", g->end_s);
    if (g->end - g->start < 60)
        return usage_error("--end must be at least 60 days after --start", NULL);
    return 0;
}

/* A CSV field for the truth files (values may hold commas). */
static void csv_field(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, fp);
        return;
    }
    putc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', fp);
        putc(*s, fp);
    }
    putc('"', fp);
}

static const char *const PSUB[] = {"child", "looked-after-child", "parent", "adult", "rso", "cse-suspect",
                                   "ocg-member", "da-perpetrator", "online-offender"};
static const char *const LSUB[] = {"home", "care-home", "foster-home", "school", "park", "takeaway",
                                   "hotel", "station", "cuckooed", "trap-house", "shop"};

static void write_person_entity(gen_ctx *g, FILE *fp, uint32_t i)
{
    const person *p = &g->p[i];
    char dob[16];
    date_fmt_day(dob, sizeof dob, DF_ISO, p->dob);
    fprintf(fp, "P%07u,person,%s,", i + 1, PSUB[p->sub]);
    csv_field(fp, name_fore(p->fore));
    putc(',', fp);
    csv_field(fp, name_sur(p->sur));
    fprintf(fp, ",%s,%c,L%07u,,,,", dob, p->gender, p->home + 1);
    if (p->twin != NONE)
        fprintf(fp, "P%07u", p->twin + 1);
    putc(',', fp);
    if (p->namesake != NONE)
        fprintf(fp, "P%07u", p->namesake + 1);
    fprintf(fp, ",H%07u,", p->household + 1);
    static const struct { uint32_t f; const char *n; } FL[] = {
        {PF_SHPO, "shpo"}, {PF_CARE_HOME, "care-home"}, {PF_FOSTER, "foster"}, {PF_SIBLING, "sibling"},
        {PF_COMMON, "common-name"}, {PF_MISSING, "missing"}, {PF_EXPLOITED, "exploited"}};
    bool first = true;
    for (size_t k = 0; k < sizeof FL / sizeof FL[0]; k++)
        if (p->flags & FL[k].f) {
            fprintf(fp, "%s%s", first ? "" : ";", FL[k].n);
            first = false;
        }
    putc('\n', fp);
}

int truth_write_entities(gen_ctx *g)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/truth_entities.csv", g->out);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    fputs("true_id,kind,subtype,forenames,surname,dob,gender,home_id,address,postcode,value,twin_of,namesake_of,household,flags\n", fp);
    for (uint32_t i = 0; i < g->np; i++)
        write_person_entity(g, fp, i);
    for (uint32_t i = 0; i < g->nl; i++) {
        const location *l = &g->l[i];
        char name[128], addr[256];
        place_name(l->type, l->name, l->la, l->town, name, sizeof name);
        clean_address_line(g, i, addr, sizeof addr);
        fprintf(fp, "L%07u,location,%s,", i + 1, LSUB[l->type]);
        csv_field(fp, name);
        fputs(",,,,,", fp);
        csv_field(fp, addr);
        fprintf(fp, ",%s,,,,,\n", l->pc);
    }
    for (uint32_t i = 0; i < g->nt; i++)
        fprintf(fp, "T%07u,phone,%s,,,,,,,,%s,,,,\n", i + 1, g->t[i].digits[1] == '7' ? "mobile" : "landline",
                g->t[i].digits);
    for (uint32_t i = 0; i < g->no; i++)
        fprintf(fp, "O%07u,online,%s,,,,,,,,%s,,,,\n", i + 1, g->o[i].email ? "email" : "username", g->o[i].value);
    int rc = ferror(fp) ? -1 : 0;
    return fclose(fp) ? -1 : rc;
}

static int truth_write_relations(gen_ctx *g)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/truth_relations.csv", g->out);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    fputs("from_id,type,to_id\n", fp);
    for (uint32_t i = 0; i < g->ne; i++)
        fprintf(fp, "P%07u,poses-risk-to,P%07u\n", g->e[i].adult + 1, g->e[i].child + 1);
    for (uint32_t hi = 0; hi < g->nh; hi++) {
        const household *h = &g->h[hi];
        for (uint32_t m = h->first; m < h->first + h->n; m++) {
            if (g->p[m].sub != PS_CHILD)
                continue;
            if (h->mother != NONE && g->l[h->home].type == LT_HOME)
                fprintf(fp, "P%07u,parent-of,P%07u\n", h->mother + 1, m + 1);
            if (h->father != NONE && g->l[h->home].type == LT_HOME && !(g->p[m].flags & PF_STEP))
                fprintf(fp, "P%07u,parent-of,P%07u\n", h->father + 1, m + 1);
        }
    }
    for (uint32_t i = 0; i < g->np; i++) {
        const person *p = &g->p[i];
        fprintf(fp, "P%07u,lives-at,L%07u\n", i + 1, p->home + 1);
        if (p->twin != NONE)
            fprintf(fp, "P%07u,twin-of,P%07u\n", i + 1, p->twin + 1);
        if (p->group != NONE && p->sub == PS_OCG)
            fprintf(fp, "P%07u,member-of,G%07u\n", i + 1, p->group + 1);
    }
    for (uint32_t i = 0; i < g->nt; i++)
        fprintf(fp, "P%07u,uses-phone,T%07u\n", g->t[i].owner + 1, i + 1);
    for (uint32_t i = 0; i < g->no; i++)
        fprintf(fp, "P%07u,uses-identity,O%07u\n", g->o[i].owner + 1, i + 1);
    int rc = ferror(fp) ? -1 : 0;
    return fclose(fp) ? -1 : rc;
}

static int write_manifest(gen_ctx *g)
{
    cpi_jw w;
    cpi_jw_init(&w, 2);
    cpi_jw_obj(&w);
    cpi_jw_kstr(&w, "generator", "cpgen");
    cpi_jw_kstr(&w, "version", CPI_VERSION);
    cpi_jw_kint(&w, "seed", (long long)g->seed);
    cpi_jw_key(&w, "arguments");
    cpi_jw_obj(&w);
    cpi_jw_kint(&w, "children", g->children);
    cpi_jw_kint(&w, "messiness", g->mess);
    cpi_jw_kint(&w, "bad_rows", g->bad_permille);
    cpi_jw_kstr(&w, "start", g->start_s);
    cpi_jw_kstr(&w, "end", g->end_s);
    cpi_jw_obj_end(&w);
    cpi_jw_key(&w, "files");
    cpi_jw_arr(&w);
    uint64_t rejects = 0;
    for (int i = 0; i < g->nfiles; i++) {
        const gen_file *f = &g->files[i];
        char path[256];
        snprintf(path, sizeof path, "%s/%s", f->source, f->name);
        cpi_jw_obj(&w);
        cpi_jw_kstr(&w, "file", path);
        cpi_jw_kstr(&w, "source", f->source);
        cpi_jw_kint(&w, "rows", (long long)f->rows);
        cpi_jw_kint(&w, "records", (long long)(f->rows - f->rejects));
        cpi_jw_kint(&w, "rejects", (long long)f->rejects);
        cpi_jw_obj_end(&w);
        rejects += f->rejects;
    }
    cpi_jw_arr_end(&w);
    cpi_jw_key(&w, "totals");
    cpi_jw_obj(&w);
    cpi_jw_kint(&w, "rows", (long long)g->total_rows);
    cpi_jw_kint(&w, "records", (long long)g->total_records);
    cpi_jw_kint(&w, "rejects", (long long)rejects);
    cpi_jw_kint(&w, "mentions", (long long)g->total_mentions);
    cpi_jw_kint(&w, "people", g->np);
    cpi_jw_kint(&w, "locations", g->nl);
    cpi_jw_kint(&w, "phones", g->nt);
    cpi_jw_kint(&w, "online", g->no);
    cpi_jw_kint(&w, "households", g->nh);
    cpi_jw_kint(&w, "groups", g->ng);
    cpi_jw_obj_end(&w);
    cpi_jw_obj_end(&w);
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", g->out);
    size_t len;
    const char *text = cpi_jw_text(&w, &len);
    FILE *fp = text ? fopen(path, "w") : NULL; /* no newline after the document, as json_dump_file wrote it */
    int rc = fp && fwrite(text, 1, len, fp) == len ? 0 : -1;
    if (fp && fclose(fp))
        rc = -1;
    cpi_jw_free(&w);
    return rc;
}

int main(int argc, char **argv)
{
    gen_ctx g;
    memset(&g, 0, sizeof g);
    int rc = parse_args(&g, argc, argv);
    if (rc)
        return rc;
    if (mkdir(g.out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "cpgen: cannot create %s: %s\n", g.out, strerror(errno));
        return 3;
    }
    g.progress = isatty(2);
    rng_seed(&g.bad, g.seed, 7);
    pop_build(&g);
    char path[4096];
    snprintf(path, sizeof path, "%s/truth.csv", g.out);
    g.truth = fopen(path, "wb");
    if (!g.truth) {
        fprintf(stderr, "cpgen: cannot write %s: %s\n", path, strerror(errno));
        return 3;
    }
    setvbuf(g.truth, NULL, _IOFBF, 1 << 20);
    fputs("reference,kind,true_id,role\n", g.truth);
    /* One after another: truth.csv is written in this order (the order of docs/formats.md). */
    int (*const silos[])(gen_ctx *) = {silo_niche, silo_miraf, silo_mace, silo_marac, silo_polit, silo_soc};
    int err = 0;
    for (size_t i = 0; i < sizeof silos / sizeof silos[0]; i++)
        err |= silos[i](&g);
    if (ferror(g.truth))
        err = -1;
    if (fclose(g.truth))
        err = -1;
    err |= truth_write_entities(&g);
    err |= truth_write_relations(&g);
    err |= write_manifest(&g);
    if (g.progress)
        fprintf(stderr, "\rcpgen: done: %llu rows, %llu records, %llu mentions\n", (unsigned long long)g.total_rows,
                (unsigned long long)g.total_records, (unsigned long long)g.total_mentions);
    gen_free(&g);
    if (err) {
        fprintf(stderr, "cpgen: could not write the output under %s: %s\n", g.out, strerror(errno));
        return 3;
    }
    return 0;
}
