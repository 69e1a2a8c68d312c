/* cmd_ingest.c - `cpindex ingest SOURCE PATH...`: one silo's export into the store. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "heap.h"
#include "ingest/ingest.h"
#include "ingest/mapfile.h"
#include "render/jsonw.h"

typedef struct progress {
    struct timespec start;
    const char *last_file;
} progress;

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(void *vctx, const char *file, uint64_t done, uint64_t total, uint64_t rows)
{
    progress *p = vctx;
    if (p->last_file != file) {
        p->last_file = file;
        clock_gettime(CLOCK_MONOTONIC, &p->start);
    }
    double secs = since(&p->start);
    double pct = total ? 100.0 * (double)done / (double)total : 0;
    fprintf(stderr, "\r%s: %llu rows, %.0f rows/s, %.0f%%\033[K", file, (unsigned long long)rows,
            secs > 0 ? (double)rows / secs : 0.0, pct);
    if (total && done >= total)
        fputc('\n', stderr);
}

static void counts_json(cpi_jw *w, const cpi_ingest_counts *c)
{
    cpi_jw_kint(w, "read", (long long)c->read);
    cpi_jw_kint(w, "stored", (long long)c->stored);
    cpi_jw_kint(w, "unchanged", (long long)c->unchanged);
    cpi_jw_kint(w, "replaced", (long long)c->replaced);
    cpi_jw_kint(w, "rejected", (long long)c->rejected);
}

static void print_json(const char *source, const char *db, const cpi_ingest_summary *s, double secs)
{
    cpi_jw w;
    cpi_jw_init(&w, 2);
    cpi_jw_obj(&w);
    counts_json(&w, &s->total);
    cpi_jw_kstr(&w, "source", source);
    cpi_jw_kstr(&w, "store", db);
    cpi_jw_kstr(&w, "reject_file", s->reject_path[0] ? s->reject_path : NULL);
    cpi_jw_key(&w, "seconds");
    cpi_jw_real(&w, secs);
    cpi_jw_key(&w, "files");
    cpi_jw_arr(&w);
    for (unsigned i = 0; i < s->nfiles; i++) {
        const cpi_ingest_file *f = &s->files[i];
        char hex[65];
        for (int k = 0; k < 32; k++)
            snprintf(hex + 2 * k, 3, "%02x", f->file_hash[k]);
        cpi_jw_obj(&w);
        counts_json(&w, &f->counts);
        cpi_jw_kstr(&w, "path", f->path);
        cpi_jw_kstr(&w, "record_type", f->record_type[0] ? f->record_type : NULL);
        cpi_jw_kbool(&w, "ok", f->status == CPI_OK);
        cpi_jw_kstr(&w, "error", f->status == CPI_OK ? NULL : f->error);
        cpi_jw_kstr(&w, "blake2b", f->status == CPI_OK ? hex : NULL);
        cpi_jw_obj_end(&w);
    }
    cpi_jw_arr_end(&w);
    cpi_jw_obj_end(&w);
    cpi_jw_print(&w, stdout);
    cpi_jw_free(&w);
}

static void print_text(const char *source, const char *db, const cpi_ingest_summary *s, double secs)
{
    printf("ingest %s into %s (%.2f s", source, db, secs);
    if (secs > 0 && s->total.read)
        printf(", %.0f rows/s", (double)s->total.read / secs);
    printf(")\n\n");
    printf("%-44s %10s %10s %10s %10s %10s\n", "file", "read", "stored", "unchanged", "replaced", "rejected");
    for (unsigned i = 0; i < s->nfiles; i++) {
        const cpi_ingest_file *f = &s->files[i];
        char shown[48]; /* a long path keeps its end, marked as cut: "...niche/occurrence_nominals.csv" */
        const char *name = f->path;
        size_t n = strlen(name);
        if (n > 44) {
            snprintf(shown, sizeof shown, "...%s", name + n - 41);
            name = shown;
        }
        if (f->status != CPI_OK) {
            printf("%-44s NOT INGESTED (see the message below)\n", name);
            continue;
        }
        printf("%-44s %10llu %10llu %10llu %10llu %10llu\n", name, (unsigned long long)f->counts.read,
               (unsigned long long)f->counts.stored, (unsigned long long)f->counts.unchanged,
               (unsigned long long)f->counts.replaced, (unsigned long long)f->counts.rejected);
    }
    printf("%-44s %10llu %10llu %10llu %10llu %10llu\n", "total", (unsigned long long)s->total.read,
           (unsigned long long)s->total.stored, (unsigned long long)s->total.unchanged,
           (unsigned long long)s->total.replaced, (unsigned long long)s->total.rejected);
    if (s->reject_path[0])
        printf("\n%llu rows rejected, each with its file, line, column and reason: %s\n",
               (unsigned long long)s->total.rejected, s->reject_path);
}

int cmd_ingest(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *self = cli_find("ingest");
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"map", required_argument, NULL, 'm'},
                                             {"rejects", required_argument, NULL, 'r'},
                                             CLI_COMMON_LONGOPTS,
                                             {0}};
    bool json = false;
    const char *map = NULL, *rejects_dir = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'j') {
            json = true;
            continue;
        }
        if (opt == 'm') {
            map = optarg;
            continue;
        }
        if (opt == 'r') {
            rejects_dir = optarg;
            continue;
        }
        int rc = cli_common_opt(ctx, self, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    /* GNU getopt moves options after the source and paths to the front, so both orders work */
    const char *const *args = (const char *const *)argv + optind;
    int nargs = argc - optind;
    if (nargs < 1)
        return cli_usage_error(self, "say which silo: ingest SOURCE PATH... (SOURCE is niche, miraf, mace, "
                                     "marac, polit, soc, or csv --map FILE)");
    if (nargs < 2)
        return cli_usage_error(self, "say which file or folder to ingest after '%s'", args[0]);

    cpi_error err = {0};
    const cpi_adapter *ad = NULL;
    cpi_mapfile *mf = NULL;
    if (strcmp(args[0], "csv") == 0) {
        if (!map)
            return cli_usage_error(self, "'ingest csv' needs --map FILE naming which columns hold what "
                                         "(see docs/mapping.md)");
        if (cpi_mapfile_load(map, &mf, &err) != CPI_OK)
            return cli_fail(&err);
        ad = &mf->adapter;
    } else {
        if (map)
            return cli_usage_error(self, "--map is only for 'ingest csv'; '%s' has a built-in adapter", args[0]);
        ad = cpi_adapter_find(args[0]);
        if (!ad) {
            char known[256] = "";
            size_t off = 0;
            for (const cpi_adapter *const *a = cpi_adapters; *a && off < sizeof known; a++)
                off += (size_t)snprintf(known + off, sizeof known - off, "%s, ", (*a)->source);
            return cli_usage_error(self, "unknown source '%s' (known: %scsv --map FILE)", args[0], known);
        }
    }

    cli_heap_prepare(512u << 20); /* before the store's first page copy: see heap.c */
    /* an admin, named with a reason; the store's creator is its first admin */
    cpi_store *st;
    cpi_grant g;
    cpi_store_opts so = {.flags = CPI_STORE_CREATE, .initial_map_size = 256ull << 20};
    int rc = cli_require_user(ctx, "ingest", &so, &st, &g);
    if (rc) {
        cpi_mapfile_free(mf);
        return rc;
    }
    progress pg = {0};
    clock_gettime(CLOCK_MONOTONIC, &pg.start);
    struct timespec t0 = pg.start;
    cpi_ingest_opts io = {.rejects_dir = rejects_dir, .audit_user = g.user, .audit_reason = g.reason};
    if (isatty(STDERR_FILENO)) {
        io.progress = show_progress;
        io.progress_ctx = &pg;
    }
    static cpi_ingest_summary sum; /* large: keep it off the stack */
    cpi_status s = cpi_ingest(st, ad, args + 1, (size_t)(nargs - 1), &io, &sum, &err);
    double secs = since(&t0);
    cpi_store_close(st);
    if (json)
        print_json(ad->source, ctx->db_path, &sum, secs);
    else if (sum.nfiles)
        print_text(ad->source, ctx->db_path, &sum, secs);
    cpi_mapfile_free(mf);
    if (s != CPI_OK)
        return cli_fail(&err);
    return EXIT_OK_;
}
