/*
 * cmd_review.c - `cpindex review`: the possible matches resolve could not
 * decide, children first, each with its probability and the two records side
 * by side, and the `cpindex link` command that settles it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render/jsonw.h"
#include "core/normalise/normalise.h"
#include "resolve/resolve.h"

typedef struct side {
    cpi_record rec;
    const cpi_mention *m;
    char date[CPI_NORM_ISO_DATE_MAX];
} side;

static cpi_status load(cpi_txn *t, const char *mref, cpi_arena *a, side *s, cpi_error *err)
{
    cpi_ref ref;
    cpi_status st = cpi_ref_parse(mref, &ref, err);
    if (st)
        return st;
    char rec[CPI_REF_MAX];
    snprintf(rec, sizeof rec, "%s:%s", ref.source, ref.record_id);
    if ((st = cpi_store_get_record(t, rec, a, &s->rec, err)))
        return st;
    if (ref.mention < 1 || ref.mention > s->rec.nmentions)
        return cpi_error_set(err, CPI_NOT_FOUND, "%s: no such mention (the record changed since resolve)", mref);
    s->m = &s->rec.mentions[ref.mention - 1];
    if (s->rec.day != CPI_DAY_NONE)
        cpi_norm_date_iso(s->rec.day, s->date);
    else
        strcpy(s->date, "-");
    return CPI_OK;
}

static const char *raw(const side *s, const char *key)
{
    const char *v = cpi_kv_get(&s->m->raw, key);
    return v ? v : "";
}

/* One row of the side-by-side table; values are cut to fit. */
static void row(FILE *out, const char *field, const char *a, const char *b)
{
    fprintf(out, "   %-14.14s %-36.36s | %-.36s\n", field, a, b);
}

static void print_pair(FILE *out, size_t i, const cpi_review_item *it, const side *a, const side *b)
{
    fprintf(out, "%zu. %s%s, match probability %.4f (weight %+.2f)\n", i, it->child ? "CHILD " : "",
            cpi_kind_name(it->kind), it->probability, it->weight);
    row(out, "", it->ref_a, it->ref_b);
    row(out, "record", a->rec.type, b->rec.type);
    row(out, "date", a->date, b->date);
    row(out, "role", a->m->role, b->m->role);
    for (uint32_t k = 0; k < a->m->raw.count; k++)
        row(out, a->m->raw.items[k].key, a->m->raw.items[k].value, raw(b, a->m->raw.items[k].key));
    for (uint32_t k = 0; k < b->m->raw.count; k++)
        if (!cpi_kv_get(&a->m->raw, b->m->raw.items[k].key))
            row(out, b->m->raw.items[k].key, "", b->m->raw.items[k].value);
    fprintf(out,
            "   decide: cpindex link %s %s --same|--different --reason \"...\"\n"
            "   why:    cpindex explain %s %s\n\n",
            it->ref_a, it->ref_b, it->ref_a, it->ref_b);
}

/* "record_a": {"role", "date", "values": {the record's raw values}} */
static void side_json(cpi_jw *w, const char *key, const side *x)
{
    cpi_jw_key(w, key);
    cpi_jw_obj(w);
    cpi_jw_kstr(w, "role", x->m->role);
    cpi_jw_kstr(w, "date", x->date);
    cpi_jw_key(w, "values");
    cpi_jw_obj(w);
    for (uint32_t k = 0; k < x->m->raw.count; k++)
        cpi_jw_kstr(w, x->m->raw.items[k].key, x->m->raw.items[k].value);
    cpi_jw_obj_end(w);
    cpi_jw_obj_end(w);
}

int cmd_review(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("review");
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"limit", required_argument, NULL, 'n'},
                                             {"kind", required_argument, NULL, 'k'},
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    bool json = false;
    long limit = 20;
    cpi_kind kind = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'j') {
            json = true;
            continue;
        }
        if (opt == 'n') {
            char *end;
            limit = strtol(optarg, &end, 10);
            if (*end || limit < 0)
                return cli_usage_error(self, "--limit needs a number (0 for all), not '%s'", optarg);
            continue;
        }
        if (opt == 'k') {
            if (cpi_kind_parse(optarg, &kind) || (kind != CPI_KIND_PERSON && kind != CPI_KIND_LOCATION))
                return cli_usage_error(self, "--kind is person or location, not '%s'", optarg);
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);

    cpi_error err = {0};
    cpi_store *st;
    cpi_grant g;
    int rc = cli_require_user(ctx, "review", NULL, &st, &g);
    if (rc)
        return rc;
    cpi_review_item *items;
    size_t n;
    cpi_txn *t = NULL;
    cpi_status s = cpi_review_list(st, &items, &n, &err);
    if (!s)
        s = cpi_store_read_begin(st, &t, &err);
    if (s) {
        cpi_store_close(st);
        return cli_fail(&err);
    }
    /* render into memory: nothing is printed until the consultation is logged, after the snapshot */
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    const char **refs = malloc((2 * (n ? n : 1)) * sizeof *refs);
    size_t nrefs = 0;
    if (!out || !refs) {
        if (out)
            fclose(out);
        free(text);
        free(refs);
        free(items);
        cpi_txn_end(t);
        cpi_store_close(st);
        fprintf(stderr, "cpindex: out of memory\n");
        return EXIT_DATA;
    }
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        total += !kind || items[i].kind == kind;
    cpi_jw w;
    cpi_jw_init(&w, 2);
    if (json) { /* every pair the loop below reaches is shown, a failed one only in the text */
        cpi_jw_obj(&w);
        cpi_jw_kint(&w, "total", (long long)total);
        cpi_jw_kint(&w, "shown", (long long)(limit && (size_t)limit < total ? (size_t)limit : total));
        cpi_jw_key(&w, "pairs");
        cpi_jw_arr(&w);
    } else
        fprintf(out, "%zu possible match%s to review%s\n\n", total, total == 1 ? "" : "es",
                total ? ", children first" : " (run 'cpindex resolve' first if you expected some)");
    cpi_arena arena = {0};
    for (size_t i = 0; i < n && (!limit || shown < (size_t)limit); i++) {
        if (kind && items[i].kind != kind)
            continue;
        refs[nrefs++] = items[i].ref_a;
        refs[nrefs++] = items[i].ref_b;
        side a, b;
        cpi_arena_reset(&arena);
        cpi_error e2 = {0};
        if (load(t, items[i].ref_a, &arena, &a, &e2) || load(t, items[i].ref_b, &arena, &b, &e2)) {
            if (!json)
                fprintf(out, "%zu. %s / %s: %s\n\n", shown + 1, items[i].ref_a, items[i].ref_b, e2.msg);
            shown++;
            continue;
        }
        shown++;
        if (json) {
            cpi_jw_obj(&w);
            cpi_jw_kstr(&w, "a", items[i].ref_a);
            cpi_jw_kstr(&w, "b", items[i].ref_b);
            cpi_jw_kstr(&w, "kind", cpi_kind_name(items[i].kind));
            cpi_jw_kbool(&w, "child", items[i].child);
            cpi_jw_kreal(&w, "probability", items[i].probability);
            cpi_jw_kreal(&w, "weight", items[i].weight);
            side_json(&w, "record_a", &a);
            side_json(&w, "record_b", &b);
            cpi_jw_obj_end(&w);
        }
        else
            print_pair(out, shown, &items[i], &a, &b);
    }
    if (json) {
        cpi_jw_arr_end(&w);
        cpi_jw_obj_end(&w);
        cpi_jw_print(&w, out);
    } else if (shown < total) {
        fprintf(out, "(%zu more; --limit 0 shows all)\n", total - shown);
    }
    cpi_jw_free(&w);
    fclose(out);
    cpi_arena_free(&arena);
    cpi_txn_end(t);
    rc = cli_log_consultation(ctx, st, &g, NULL, 0, refs, nrefs);
    cpi_store_close(st);
    if (rc == EXIT_OK_)
        fwrite(text, 1, text_len, stdout);
    free(text);
    free(refs);
    free(items);
    return rc;
}
