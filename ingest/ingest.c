/*
 * ingest.c - one silo's export files into the store (see ingest.h).
 *
 * Per file: pick the adapter's spec for it (by file name, else by headers),
 * bind the engine, then run one write transaction that reads every row and
 * either stores the record or writes the row to the reject file. The reject
 * file is written inside the attempt and cut back to where the attempt began
 * if the store re-runs it (map growth), so a row is rejected once; it is
 * flushed to disk before the transaction commits, so a committed file never
 * has rejects that were not written.
 */
#include "core/sort.h"
#include "ingest/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "ingest/engine.h"

#define REJECT_HEADER "file,line,column,reason,detail,raw\n"
#define ALTERATION_LIST_MAX 999 /* replaced references listed in the audit log per file */

typedef struct rejects {
    char path[4096];
    char dir[4096];
    const char *source;
    int64_t now;
    FILE *fp;
} rejects;

typedef struct file_job {
    cpi_store *st;
    const cpi_spec_file *spec;
    const cpi_ingest_opts *opts;
    cpi_ingest_file *file;
    const char *source;
    cpi_engine *engine;
    cpi_csv *csv;
    rejects *rj;
    cpi_arena arena;
    int64_t now;
    char **replaced; /* references replaced in this attempt, for the audit log (malloc'd) */
    size_t nreplaced;
} file_job;

/* ------------------------------------------------------------ reject file */

/* Write s as one CSV field: quoted, formulas neutralised, bytes that are not UTF-8 (and NUL) as \xHH. */
static void put_field(FILE *fp, const char *s, size_t n)
{
    fputc('"', fp);
    if (n && strchr("=+-@\t\r", s[0]))
        fputc('\'', fp);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (c == 0 || len == 0 || i + len > n || !cpi_csv_utf8_valid(s + i, len)) {
            fprintf(fp, "\\x%02X", c);
            i++;
            continue;
        }
        if (c == '"')
            fputc('"', fp);
        fwrite(s + i, 1, len, fp);
        i += len;
    }
    fputc('"', fp);
}

static cpi_status rejects_open(rejects *rj, cpi_error *err)
{
    if (rj->fp)
        return CPI_OK;
    if (mkdir(rj->dir, 0700) != 0 && errno != EEXIST)
        return cpi_error_set(err, CPI_ERR_IO, "cannot create reject folder %s: %s", rj->dir, strerror(errno));
    struct tm tm;
    time_t t = (time_t)rj->now;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (int n = 0; n < 1000; n++) {
        int w = n == 0 ? snprintf(rj->path, sizeof rj->path, "%s/%s-%s.csv", rj->dir, rj->source, stamp)
                       : snprintf(rj->path, sizeof rj->path, "%s/%s-%s-%d.csv", rj->dir, rj->source, stamp, n);
        if (w < 0 || (size_t)w >= sizeof rj->path)
            return cpi_error_set(err, CPI_ERR_USAGE, "reject folder path too long: %s", rj->dir);
        int fd = open(rj->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return cpi_error_set(err, CPI_ERR_IO, "cannot create reject file %s: %s", rj->path, strerror(errno));
        rj->fp = fdopen(fd, "w+");
        if (!rj->fp) {
            close(fd);
            return cpi_error_set(err, CPI_ERR_IO, "cannot open reject file %s: %s", rj->path, strerror(errno));
        }
        fputs(REJECT_HEADER, rj->fp);
        return CPI_OK;
    }
    return cpi_error_set(err, CPI_ERR_IO, "cannot find a free reject file name in %s", rj->dir);
}

static cpi_status rejects_write(rejects *rj, const char *file, const cpi_csv_row *row, const char *reason,
                                size_t column, const char *detail, cpi_error *err)
{
    if (rejects_open(rj, err) != CPI_OK)
        return err->status;
    put_field(rj->fp, file, strlen(file));
    fprintf(rj->fp, ",%llu,", (unsigned long long)row->line);
    if (column)
        fprintf(rj->fp, "%zu", column);
    fputc(',', rj->fp);
    put_field(rj->fp, reason, strlen(reason));
    fputc(',', rj->fp);
    put_field(rj->fp, detail, strlen(detail));
    fputc(',', rj->fp);
    put_field(rj->fp, row->raw ? row->raw : "", row->raw ? row->raw_len : 0);
    fputc('\n', rj->fp);
    if (ferror(rj->fp))
        return cpi_error_set(err, CPI_ERR_IO, "cannot write reject file %s: %s", rj->path, strerror(errno));
    return CPI_OK;
}

/* ---------------------------------------------------------------- a file */

static void replaced_clear(file_job *j)
{
    for (size_t i = 0; i < j->nreplaced; i++)
        free(j->replaced[i]);
    j->nreplaced = 0;
}

/* Note a replaced reference for the alteration entry (only the first ALTERATION_LIST_MAX are listed). */
static cpi_status replaced_note(file_job *j, const char *ref, cpi_error *err)
{
    if (!j->opts->audit_user || j->nreplaced >= ALTERATION_LIST_MAX)
        return CPI_OK;
    if (!j->replaced && !(j->replaced = malloc(sizeof *j->replaced * ALTERATION_LIST_MAX)))
        return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
    if (!(j->replaced[j->nreplaced] = strdup(ref)))
        return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
    j->nreplaced++;
    return CPI_OK;
}

/* The file's collection entry, and its alteration entry if it replaced records, in the file's transaction. */
static cpi_status log_file(cpi_txn *txn, file_job *j, cpi_error *err)
{
    const cpi_ingest_file *f = j->file;
    char hash[65], nums[5][24];
    for (int k = 0; k < 32; k++)
        snprintf(hash + 2 * k, 3, "%02x", f->file_hash[k]);
    const uint64_t counts[5] = {f->counts.read, f->counts.stored, f->counts.unchanged, f->counts.replaced,
                                f->counts.rejected};
    for (int k = 0; k < 5; k++)
        snprintf(nums[k], sizeof nums[k], "%llu", (unsigned long long)counts[k]);
    cpi_kv kv[] = {{"source", j->source}, {"file", f->path},   {"blake2b", hash},    {"record_type", f->record_type},
                   {"read", nums[0]},     {"stored", nums[1]}, {"unchanged", nums[2]}, {"replaced", nums[3]},
                   {"rejected", nums[4]}};
    cpi_audit_entry e = {.time = j->now, .kind = CPI_AUDIT_COLLECTION, .user = j->opts->audit_user,
                         .reason = j->opts->audit_reason, .command = "ingest", .details = {kv, 9}};
    cpi_status s = cpi_audit_append(txn, &e, err);
    if (s || f->counts.replaced == 0)
        return s;
    bool listed = f->counts.replaced <= ALTERATION_LIST_MAX;
    cpi_kv akv[] = {{"file", f->path}, {"replaced", nums[3]}, {"listed", listed ? "all" : "none (1000 or more)"}};
    cpi_audit_entry a = {.time = j->now, .kind = CPI_AUDIT_ALTERATION, .user = j->opts->audit_user,
                         .reason = j->opts->audit_reason, .command = "ingest", .details = {akv, 3},
                         .refs = (const char *const *)j->replaced, .nrefs = listed ? (uint32_t)j->nreplaced : 0};
    return cpi_audit_append(txn, &a, err);
}

static cpi_status file_attempt(cpi_txn *txn, void *vctx, cpi_error *err)
{
    file_job *j = vctx;
    cpi_ingest_file *f = j->file;
    memset(&f->counts, 0, sizeof f->counts);
    cpi_engine_reset(j->engine);
    replaced_clear(j);

    if (j->csv) {
        cpi_csv_close(j->csv);
        j->csv = NULL;
    }
    cpi_csv_opts co = {.name = f->path};
    if (cpi_csv_open(f->path, &co, &j->csv, err) != CPI_OK)
        return err->status;

    cpi_csv_row row;
    cpi_status s;
    uint64_t since = 0;
    while ((s = cpi_csv_next(j->csv, &row, err)) == CPI_OK) {
        f->counts.read++;
        cpi_arena_reset(&j->arena);
        const char *reason = row.reject_reason;
        size_t column = row.reject_column;
        char detail[320] = "";
        cpi_record rec;
        if (!reason) {
            cpi_reject rej;
            s = cpi_engine_row(j->engine, &row, j->now, &j->arena, &rec, &rej, err);
            if (s == CPI_ERR_DATA) {
                reason = rej.reason;
                column = rej.column;
                snprintf(detail, sizeof detail, "%s", rej.detail);
            } else if (s != CPI_OK) {
                return s;
            }
        }
        if (reason) {
            f->counts.rejected++;
            if (rejects_write(j->rj, f->path, &row, reason, column, detail, err) != CPI_OK)
                return err->status;
        } else {
            cpi_put_result r;
            if (cpi_store_put_record(txn, &rec, &r, err) != CPI_OK)
                return err->status;
            if (r == CPI_PUT_STORED)
                f->counts.stored++;
            else if (r == CPI_PUT_UNCHANGED)
                f->counts.unchanged++;
            else {
                f->counts.replaced++;
                if (replaced_note(j, rec.ref, err) != CPI_OK)
                    return err->status;
            }
        }
        if (j->opts->progress && ++since == 16384) {
            since = 0;
            j->opts->progress(j->opts->progress_ctx, f->path, cpi_csv_bytes_read(j->csv), cpi_csv_file_size(j->csv),
                              f->counts.read);
        }
    }
    if (s != CPI_NOT_FOUND)
        return s;
    if (j->opts->progress)
        j->opts->progress(j->opts->progress_ctx, f->path, cpi_csv_bytes_read(j->csv), cpi_csv_file_size(j->csv),
                          f->counts.read);
    if (j->opts->audit_user && log_file(txn, j, err) != CPI_OK)
        return err->status;
    /* rejects reach the disk before the records they go with commit */
    if (j->rj->fp && (fflush(j->rj->fp) != 0 || fsync(fileno(j->rj->fp)) != 0))
        return cpi_error_set(err, CPI_ERR_IO, "cannot write reject file %s: %s", j->rj->path, strerror(errno));
    return CPI_OK;
}

/* Cut the reject file back to mark (the length it had before this file began). */
static cpi_status rejects_rewind(rejects *rj, long mark, cpi_error *err)
{
    if (!rj->fp)
        return CPI_OK;
    fflush(rj->fp);
    if (ftruncate(fileno(rj->fp), mark) != 0 || fseek(rj->fp, mark, SEEK_SET) != 0)
        return cpi_error_set(err, CPI_ERR_IO, "cannot rewind reject file %s: %s", rj->path, strerror(errno));
    return CPI_OK;
}

/* The store re-runs an attempt after growing the map: cut the reject file back first. */
typedef struct attempt_ctx {
    file_job *job;
    long mark;
} attempt_ctx;

static cpi_status attempt(cpi_txn *txn, void *vctx, cpi_error *err)
{
    attempt_ctx *a = vctx;
    if (rejects_rewind(a->job->rj, a->mark, err) != CPI_OK)
        return err->status;
    return file_attempt(txn, a->job, err);
}

/*
 * BLAKE2b-256 of the file's bytes. A hole in a sparse file reads as NUL bytes,
 * so it is hashed as such without being read: reading a hole costs as much as
 * reading the disk on these machines (a 10 GB sparse file took over a minute
 * to read; hashing its zeros takes a few seconds). Where SEEK_DATA is not
 * supported the file is simply read.
 */
/*
 * Room to reserve in the map per byte of CSV before a file's transaction: a
 * niche force of 65.6 MB of CSV made a 587 MB store (records with their
 * normalised keys, the key index, B-tree slack), about 9 to 1. Growing inside
 * the transaction instead aborts it and runs the whole file again: at 100,000
 * children the store grew from 256 MiB twice during the niche ingest, so two
 * files were read, normalised and stored twice. Over-reserving costs only
 * address space (the file grows as pages are written, not to the map size).
 */
#define RESERVE_PER_CSV_BYTE 16u

/* The file's size in bytes, 0 if it cannot be told (the reservation is only an estimate). */
static uint64_t file_bytes(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && sb.st_size > 0 ? (uint64_t)sb.st_size : 0;
}

static cpi_status hash_file(const char *path, uint8_t out[32], cpi_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cpi_error_set(err, CPI_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, NULL, 0, 32);
    static unsigned char buf[1 << 16];
    static const unsigned char zeros[1 << 16];
    off_t off = 0;
    for (;;) {
        off_t data = lseek(fd, off, SEEK_DATA);
        if (data < 0 && errno == ENXIO)
            data = lseek(fd, 0, SEEK_END); /* nothing but a hole is left */
        while (data > off) {
            size_t n = data - off < (off_t)sizeof zeros ? (size_t)(data - off) : sizeof zeros;
            crypto_generichash_update(&hs, zeros, n);
            off += (off_t)n;
        }
        off_t hole = data < 0 ? -1 : lseek(fd, off, SEEK_HOLE);
        bool eof = false;
        while (hole < 0 || off < hole) { /* the data up to the next hole (to the end where holes are not told) */
            size_t want = sizeof buf;
            if (hole >= 0 && hole - off < (off_t)want)
                want = (size_t)(hole - off);
            ssize_t n = pread(fd, buf, want, off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                int e = errno;
                close(fd);
                return cpi_error_set(err, CPI_ERR_IO, "cannot read %s: %s", path, strerror(e));
            }
            if (n == 0) {
                eof = true;
                break;
            }
            crypto_generichash_update(&hs, buf, (size_t)n);
            off += n;
        }
        if (eof || hole < 0)
            break;
    }
    close(fd);
    crypto_generichash_final(&hs, out, 32);
    return CPI_OK;
}

static cpi_status ingest_one(cpi_store *st, const cpi_adapter *ad, const cpi_ingest_opts *opts, rejects *rj,
                             int64_t now, cpi_ingest_file *f, cpi_error *err)
{
    cpi_csv *csv = NULL;
    cpi_csv_opts co = {.name = f->path};
    if (cpi_csv_open(f->path, &co, &csv, err) != CPI_OK)
        return err->status;
    char namebuf[1024];
    snprintf(namebuf, sizeof namebuf, "%s", f->path);
    const char *base = basename(namebuf);
    const cpi_spec_file *spec = ad->pick ? ad->pick(ad, base, csv) : cpi_adapter_pick_default(ad, base, csv);
    if (!spec) {
        /* the file's own headers first and cut short, so a long expected list (niche has seven
           files) cannot push them out of the message */
        char found[112];
        cpi_csv_header_list(csv, found, sizeof found);
        char expected[2048];
        size_t off = 0;
        for (unsigned i = 0; i < ad->nfiles && off < sizeof expected; i++) {
            char hdrs[256];
            cpi_engine_expected(&ad->files[i], hdrs, sizeof hdrs);
            off += (size_t)snprintf(expected + off, sizeof expected - off, "%s%s (%s)", i ? "; " : "",
                                    ad->files[i].file_name ? ad->files[i].file_name : ad->files[i].record_type, hdrs);
        }
        cpi_csv_close(csv);
        return cpi_error_set(err, CPI_ERR_DATA,
                             "%s: not a %s export: found %s; expected the headers of %s", f->path, ad->source,
                             found, expected);
    }
    snprintf(f->record_type, sizeof f->record_type, "%s", spec->record_type);
    file_job job = {.st = st, .spec = spec, .opts = opts, .file = f, .source = ad->source, .rj = rj, .now = now};
    cpi_status s = cpi_engine_bind(spec, ad->source, csv, f->path, &job.engine, err);
    cpi_csv_close(csv);
    if (s != CPI_OK)
        return s;
    if ((s = hash_file(f->path, f->file_hash, err)) == CPI_OK &&
        (opts->no_reserve || (s = cpi_store_reserve(st, file_bytes(f->path) * RESERVE_PER_CSV_BYTE, err)) == CPI_OK)) {
        attempt_ctx a = {.job = &job, .mark = (long)strlen(REJECT_HEADER)};
        if (rj->fp) {
            fflush(rj->fp);
            a.mark = ftell(rj->fp);
        }
        s = cpi_store_write(st, attempt, &a, err);
        if (s != CPI_OK) {
            cpi_error e2 = {0};
            rejects_rewind(rj, a.mark, &e2); /* the file's rows are not in the store: neither are its rejects */
        }
    }
    if (job.csv)
        cpi_csv_close(job.csv);
    cpi_engine_free(job.engine);
    cpi_arena_free(&job.arena);
    replaced_clear(&job);
    free(job.replaced);
    if (s != CPI_OK)
        memset(&f->counts, 0, sizeof f->counts); /* nothing of this file was kept */
    return s;
}

/* ------------------------------------------------------------- the paths */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool is_csv(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".csv") == 0 && name[0] != '.';
}

static cpi_ingest_file *add_file(cpi_ingest_summary *out, const char *path, cpi_error *err)
{
    if (out->nfiles >= CPI_INGEST_MAX_FILES) {
        cpi_error_set(err, CPI_ERR_USAGE, "too many files in one ingest (at most %d)", CPI_INGEST_MAX_FILES);
        return NULL;
    }
    if (strlen(path) >= sizeof out->files[0].path) {
        cpi_error_set(err, CPI_ERR_USAGE, "path too long (over %zu bytes): %.60s...", sizeof out->files[0].path - 1,
                      path);
        return NULL;
    }
    cpi_ingest_file *f = &out->files[out->nfiles++];
    memset(f, 0, sizeof *f);
    memcpy(f->path, path, strlen(path) + 1);
    return f;
}

/* Expand a folder into its *.csv files, sorted by name. */
static cpi_status expand(const char *path, cpi_ingest_summary *out, cpi_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return add_file(out, path, err) ? CPI_OK : err->status; /* reported when opened */
    if (!S_ISDIR(sb.st_mode))
        return add_file(out, path, err) ? CPI_OK : err->status;
    DIR *d = opendir(path);
    if (!d)
        return cpi_error_set(err, CPI_ERR_IO, "cannot read folder %s: %s", path, strerror(errno));
    char *names[CPI_INGEST_MAX_FILES + 1];
    size_t n = 0;
    struct dirent *de;
    cpi_status s = CPI_OK;
    while ((de = readdir(d))) {
        if (!is_csv(de->d_name))
            continue;
        if (n == CPI_INGEST_MAX_FILES) {
            s = cpi_error_set(err, CPI_ERR_USAGE, "%s holds more than %d CSV files", path, CPI_INGEST_MAX_FILES);
            break;
        }
        if (!(names[n] = strdup(de->d_name))) {
            s = cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (s == CPI_OK && n == 0)
        s = cpi_error_set(err, CPI_ERR_DATA, "%s holds no .csv files", path);
    cpi_sort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && s == CPI_OK; i++) {
        char full[2048];
        size_t pl = strlen(path);
        int w = snprintf(full, sizeof full, "%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/", names[i]);
        if (w < 0 || (size_t)w >= sizeof full || w >= (int)sizeof out->files[0].path)
            s = cpi_error_set(err, CPI_ERR_USAGE, "path too long: %s/%s", path, names[i]);
        else if (!add_file(out, full, err))
            s = err->status;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    return s;
}

cpi_status cpi_ingest(cpi_store *st, const cpi_adapter *ad, const char *const *paths, size_t npaths,
                      const cpi_ingest_opts *opts, cpi_ingest_summary *out, cpi_error *err)
{
    static const cpi_ingest_opts defaults = {0};
    cpi_error scratch = {0};
    if (!opts)
        opts = &defaults;
    if (!err)
        err = &scratch; /* callers may pass NULL and read the per-file errors in the summary */
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return cpi_error_set(err, CPI_ERR_NOMEM, "libsodium failed to initialise");
    cpi_status first = CPI_OK;
    for (size_t i = 0; i < npaths; i++) {
        cpi_error e2 = {0};
        if (expand(paths[i], out, &e2) != CPI_OK) {
            if (first == CPI_OK) {
                first = e2.status;
                *err = e2;
            }
            if (e2.status == CPI_ERR_USAGE)
                return first;
        }
    }
    rejects rj = {.source = ad->source, .now = opts->now ? opts->now : (int64_t)time(NULL)};
    if (opts->rejects_dir) {
        snprintf(rj.dir, sizeof rj.dir, "%s", opts->rejects_dir);
    } else {
        char sp[4096];
        snprintf(sp, sizeof sp, "%s", cpi_store_path(st));
        size_t n = strlen(sp);
        while (n > 1 && sp[n - 1] == '/')
            sp[--n] = '\0';
        snprintf(rj.dir, sizeof rj.dir, "%s/rejects", dirname(sp));
    }
    for (unsigned i = 0; i < out->nfiles; i++) {
        cpi_ingest_file *f = &out->files[i];
        cpi_error e2 = {0};
        f->status = ingest_one(st, ad, opts, &rj, rj.now, f, &e2);
        if (f->status != CPI_OK) {
            snprintf(f->error, sizeof f->error, "%s", e2.msg);
            if (first == CPI_OK) {
                first = f->status;
                *err = e2;
            }
            continue;
        }
        out->total.read += f->counts.read;
        out->total.stored += f->counts.stored;
        out->total.unchanged += f->counts.unchanged;
        out->total.replaced += f->counts.replaced;
        out->total.rejected += f->counts.rejected;
    }
    if (rj.fp) {
        if (fclose(rj.fp) != 0 && first == CPI_OK)
            first = cpi_error_set(err, CPI_ERR_IO, "cannot write reject file %s: %s", rj.path, strerror(errno));
        snprintf(out->reject_path, sizeof out->reject_path, "%s", rj.path);
    }
    return first;
}
