/*
 * store.c - the LMDB engine: environment, named databases, schema check, map
 * growth, transactions, cursors, counters and the sorted key-index buffer (see
 * store.h for the invariants). Records and their key index: core/records.c.
 */
#include "core/store.h"
#include "core/store_internal.h"
#include "core/array.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statvfs.h>

#include "core/bytes.h"
#include "core/codec.h"

#define DEFAULT_MAP (64ull << 20)
#define DEFAULT_MAX_MAP (1ull << 40)
#define DISK_FULL_BELOW (4ull << 20) /* an I/O error with less free than this is a full disk */

/* Name and flags of each named database, in cpi_db order. */
static const struct {
    const char *name;
    unsigned flags;
} db_table[CPI_DB__COUNT] = {
    [CPI_DB_META] = {"meta", 0},
    [CPI_DB_RECORDS] = {"records", 0},
    [CPI_DB_KEYS] = {"keys", MDB_DUPSORT},
    [CPI_DB_ENTITY_OF] = {"entity_of", 0},
    [CPI_DB_MEMBERS] = {"members", MDB_DUPSORT},
    [CPI_DB_EDGES] = {"edges", MDB_DUPSORT},
    [CPI_DB_OVERRIDES] = {"overrides", 0},
    [CPI_DB_ANALYTICS] = {"analytics", 0},
    [CPI_DB_AUDIT] = {"audit", 0},
    [CPI_DB_USERS] = {"users", 0},
    [CPI_DB_REVIEW] = {"review", 0},
};

static void keybuf_free(keybuf *kb);

/* Free bytes on the file system holding path, or UINT64_MAX if it cannot be told. */
static uint64_t free_bytes(const char *path)
{
    struct statvfs vs;
    if (statvfs(path, &vs) != 0)
        return UINT64_MAX;
    return (uint64_t)vs.f_bavail * vs.f_frsize;
}

/*
 * An LMDB failure as one message a person can act on. A full disk shows up as
 * ENOSPC or EDQUOT, or as EIO when LMDB's page write came back short, so EIO
 * with next to no free space is reported as a full disk too. LMDB writes the
 * meta page last, so a failed write or commit leaves the last committed state.
 */
cpi_status cpi_store_lmdb_err(cpi_error *err, const char *what, const char *path, int rc)
{
    uint64_t avail = rc == ENOSPC || rc == EDQUOT || rc == EFBIG || rc == EIO ? free_bytes(path) : UINT64_MAX;
    if (rc == ENOSPC || rc == EDQUOT || rc == EFBIG || (rc == EIO && avail < DISK_FULL_BELOW))
        return cpi_error_set(err, CPI_ERR_IO,
                             "store %s: the disk is full (%s: %s; %llu KiB free): nothing of this change was "
                             "kept and the store is as it was before it; free some space and run the command again",
                             path, what, mdb_strerror(rc), (unsigned long long)(avail == UINT64_MAX ? 0 : avail >> 10));
    if (rc == EROFS)
        return cpi_error_set(err, CPI_ERR_IO,
                             "store %s: %s: the store is on a read-only file system: it can be read (stats, "
                             "queries) but nothing can be added or changed",
                             path, what);
    if (rc == EACCES || rc == EPERM)
        return cpi_error_set(err, CPI_ERR_ACCESS,
                             "store %s: %s: permission denied: the store's files must be readable and writable "
                             "by the user running cpindex",
                             path, what);
    return cpi_error_set(err, CPI_ERR_STORE, "store %s: %s: %s", path, what, mdb_strerror(rc));
}

const char *cpi_store_path(const cpi_store *st) { return st->path; }
cpi_store *cpi_txn_store(cpi_txn *txn) { return txn->st; }
void cpi_store_set_journal(cpi_store *st, struct cpi_audit_journal *j) { st->journal = j; }
struct cpi_audit_journal *cpi_store_journal(const cpi_store *st) { return st->journal; }
uint64_t cpi_store_map_size(const cpi_store *st) { return st->map_size; }
unsigned cpi_store_growths(const cpi_store *st) { return st->growths; }
unsigned cpi_store_dead_readers(const cpi_store *st) { return st->dead_readers; }

/* Make sure dir exists (creating it 0700 if allowed) and is private. */
static cpi_status check_dir(const char *dir, unsigned flags, cpi_error *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT)
            return cpi_error_set(err, CPI_ERR_IO, "store %s: %s", dir, strerror(errno));
        if (!(flags & CPI_STORE_CREATE))
            return cpi_error_set(err, CPI_NOT_FOUND, "no store at %s (nothing has been ingested yet)", dir);
        if (mkdir(dir, 0700) != 0)
            return cpi_error_set(err, CPI_ERR_IO, "store %s: cannot create directory: %s", dir, strerror(errno));
        return CPI_OK;
    }
    if (!S_ISDIR(sb.st_mode))
        return cpi_error_set(err, CPI_ERR_STORE, "store %s: not a directory", dir);
    if ((sb.st_mode & 077) && !(flags & CPI_STORE_FORCE))
        return cpi_error_set(err, CPI_ERR_ACCESS,
                             "store %s: directory is readable or writable by others (mode %03o); "
                             "run 'chmod 700 %s' or pass --force",
                             dir, (unsigned)(sb.st_mode & 0777), dir);
    return CPI_OK;
}

static cpi_status open_dbs_and_check_schema(cpi_store *st, bool create, cpi_error *err)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(st->env, NULL, create ? 0 : MDB_RDONLY, &txn);
    if (rc)
        return cpi_store_lmdb_err(err, "begin", st->path, rc);
    if (!create) {
        /* No named database at all: the first write never committed (an ingest killed
         * before its first file). That is an empty store, not someone else's. */
        MDB_dbi main_dbi;
        MDB_stat ms;
        if (mdb_dbi_open(txn, NULL, 0, &main_dbi) == 0 && mdb_stat(txn, main_dbi, &ms) == 0 && ms.ms_entries == 0) {
            mdb_txn_abort(txn);
            return cpi_error_set(err, CPI_NOT_FOUND, "no store at %s (nothing has been ingested yet)", st->path);
        }
    }
    for (int i = 0; i < CPI_DB__COUNT; i++) {
        rc = mdb_dbi_open(txn, db_table[i].name, db_table[i].flags | (create ? MDB_CREATE : 0), &st->dbi[i]);
        if (rc == MDB_NOTFOUND) {
            mdb_txn_abort(txn);
            return cpi_error_set(err, CPI_ERR_SCHEMA,
                                 "store %s: database '%s' is missing; it was not made by this cpindex "
                                 "(schema %d)",
                                 st->path, db_table[i].name, CPI_SCHEMA_VERSION);
        }
        if (rc) {
            mdb_txn_abort(txn);
            return cpi_store_lmdb_err(err, "open database", st->path, rc);
        }
    }
    MDB_val k = {6, "schema"}, v;
    rc = mdb_get(txn, st->dbi[CPI_DB_META], &k, &v);
    if (rc == MDB_NOTFOUND) {
        MDB_stat ms;
        mdb_stat(txn, st->dbi[CPI_DB_RECORDS], &ms);
        if (ms.ms_entries > 0) {
            mdb_txn_abort(txn);
            return cpi_error_set(err, CPI_ERR_SCHEMA, "store %s: holds records but no schema version", st->path);
        }
        if (create) {
            unsigned char be[4] = {0, 0, 0, CPI_SCHEMA_VERSION};
            MDB_val sv = {4, be};
            rc = mdb_put(txn, st->dbi[CPI_DB_META], &k, &sv, 0);
        }
    } else if (rc == 0) {
        const unsigned char *p = v.mv_data;
        uint32_t ver = v.mv_size == 4 ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
                                      : 0;
        st->schema_on_disk = ver;
        if (ver != CPI_SCHEMA_VERSION && ver != 1) {
            mdb_txn_abort(txn);
            if (ver == 0)
                return cpi_error_set(err, CPI_ERR_SCHEMA, "store %s: schema version is unreadable", st->path);
            return cpi_error_set(err, CPI_ERR_SCHEMA,
                                 "store %s: schema version %u, but this cpindex understands only version %d%s",
                                 st->path, ver, CPI_SCHEMA_VERSION,
                                 ver > CPI_SCHEMA_VERSION ? " (it was written by a newer cpindex)" : "");
        }
    }
    if (rc && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return cpi_store_lmdb_err(err, "read schema", st->path, rc);
    }
    rc = mdb_txn_commit(txn);
    return rc ? cpi_store_lmdb_err(err, "commit", st->path, rc) : CPI_OK;
}

/*
 * Create and open the LMDB environment. NOTLS: read snapshots are tied to the
 * handle, not the thread, so a thread may hold a read snapshot while it writes.
 * No MDB_WRITEMAP: with it LMDB extends data.mdb to the map size as a sparse
 * file and writes through the map, so a full disk killed the writer with
 * SIGBUS in the middle of a put (tests/test_faults.c); without it pages are
 * written at commit and a full disk is an error to report. With the key index
 * written sorted, WRITEMAP no longer paid for itself (docs/architecture.md).
 */
static int env_open(cpi_store *st, const char *dir, uint64_t map, unsigned flags)
{
    int rc = mdb_env_create(&st->env);
    if (!rc)
        rc = mdb_env_set_maxdbs(st->env, CPI_DB__COUNT + 4);
    if (!rc)
        rc = mdb_env_set_maxreaders(st->env, 126);
    if (!rc)
        rc = mdb_env_set_mapsize(st->env, map);
    if (!rc)
        rc = mdb_env_open(st->env, dir, MDB_NOTLS | flags, 0600);
    if (rc && st->env) {
        mdb_env_close(st->env);
        st->env = NULL;
    }
    return rc;
}

/*
 * Free the reader slots of processes that died holding a snapshot (killed
 * mid-query): LMDB frees them only when the last process closes the store, and
 * until then each one pins its snapshot's pages, so the file grows at every
 * write. Cheap (one lock test per slot's process), so done at open and before
 * each write.
 */
static void clear_dead_readers(cpi_store *st)
{
    int dead = 0;
    if (!st->readonly_errno && mdb_reader_check(st->env, &dead) == 0)
        st->dead_readers += (unsigned)dead;
}

/*
 * Schema 1 stores also indexed sx, street, street_k, pcd, place, email and user,
 * which no lookup reads (query/lookup.c, resolve/explain.c; resolve reads the
 * keys from the records). Schema 2 dropped them from the index to cut ingest's
 * B-tree inserts; a schema 1 store is upgraded the first time it is opened
 * writable: their entries are deleted and the version set, in one transaction,
 * so verify's count and purge's removals agree with what the index holds.
 */
static const char *const dropped_kinds[] = {"sx", "street", "street_k", "pcd", "place", "email", "user"};


static cpi_status upgrade_from_1(cpi_txn *t, void *ctx, cpi_error *err)
{
    (void)ctx;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, t->st->dbi[CPI_DB_KEYS], &cur);
    if (rc)
        return cpi_store_lmdb_err(err, "open cursor", t->st->path, rc);
    cpi_status s = CPI_OK;
    for (size_t i = 0; i < sizeof dropped_kinds / sizeof dropped_kinds[0] && s == CPI_OK; i++) {
        char prefix[16];
        size_t pl = strlen(dropped_kinds[i]);
        memcpy(prefix, dropped_kinds[i], pl);
        prefix[pl++] = CPI_KEY_SEP;
        for (;;) {
            MDB_val k = {pl, prefix}, v;
            rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
            if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size < pl || memcmp(k.mv_data, prefix, pl) != 0)))
                break;
            if (rc == 0)
                rc = mdb_cursor_del(cur, MDB_NODUPDATA); /* the key and all its mentions */
            if (rc) {
                s = cpi_store_data_rc(t, rc, "upgrade key index", err);
                break;
            }
        }
    }
    mdb_cursor_close(cur);
    if (s)
        return s;
    unsigned char be[4] = {0, 0, 0, CPI_SCHEMA_VERSION};
    MDB_val k = {6, "schema"}, v = {4, be};
    return cpi_store_data_rc(t, mdb_put(t->txn, t->st->dbi[CPI_DB_META], &k, &v, 0), "upgrade schema", err);
}

cpi_status cpi_store_open(const char *dir, const cpi_store_opts *opts, cpi_store **out, cpi_error *err)
{
    cpi_store_opts o = opts ? *opts : (cpi_store_opts){0};
    *out = NULL;
    cpi_status s = check_dir(dir, o.flags, err);
    if (s)
        return s;
    cpi_store *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(dir))) {
        free(st);
        return cpi_error_set(err, CPI_ERR_NOMEM, "store %s: out of memory", dir);
    }
    st->max_map_size = o.max_map_size ? o.max_map_size : DEFAULT_MAX_MAP;
    uint64_t map = o.initial_map_size ? o.initial_map_size : DEFAULT_MAP;
    if (map > st->max_map_size)
        map = st->max_map_size;
    /* An existing store opens at the map size its writers recorded (LMDB keeps the largest any
     * of them grew to): asked for DEFAULT_MAP, LMDB raised it only to the pages in use, so every
     * write that needed a new page met MDB_MAP_FULL, unmapped and mapped the store again at twice
     * the size and started over - each `cpindex child` paid that for its audit entry (2-3 ms at
     * 1M records). 0 asks LMDB for the recorded size. */
    char data[4096];
    struct stat sb;
    if (!o.initial_map_size && (size_t)snprintf(data, sizeof data, "%s/data.mdb", dir) < sizeof data &&
        stat(data, &sb) == 0 && (uint64_t)sb.st_size > map)
        map = 0;
    int rc = env_open(st, dir, map, 0);
    /* A reader of a store on read-only media opens it read-only; LMDB then reads without its
     * lock file, which is safe because nothing can write there. (A handle opened for reading
     * may still append to the audit log, so this is the fallback, not the rule.) Files this
     * user may not write are refused instead: another user could be writing them, and a
     * reader without a lock slot could see pages reused under it. */
    if (rc == EROFS && (o.flags & CPI_STORE_READONLY)) {
        st->readonly_errno = rc;
        rc = env_open(st, dir, map, MDB_RDONLY);
    }
    if (rc) {
        s = cpi_store_lmdb_err(err, "open", dir, rc);
        cpi_store_close(st);
        return s;
    }
    clear_dead_readers(st);
    MDB_envinfo info;
    mdb_env_info(st->env, &info);
    st->map_size = info.me_mapsize; /* may be larger than asked if another process grew it */
    s = open_dbs_and_check_schema(st, (o.flags & CPI_STORE_CREATE) != 0, err);
    if (s == CPI_OK && st->schema_on_disk == 1 && !st->readonly_errno &&
        (s = cpi_store_write(st, upgrade_from_1, NULL, err)) == CPI_OK)
        st->schema_on_disk = CPI_SCHEMA_VERSION;
    if (s) {
        cpi_store_close(st);
        return s;
    }
    *out = st;
    return CPI_OK;
}

void cpi_store_keep(cpi_store *st, bool keep) { st->kept = keep; }

void cpi_store_close(cpi_store *st)
{
    if (!st || st->kept)
        return;
    if (st->env)
        mdb_env_close(st->env);
    keybuf_free(&st->spare_kb);
    free(st->spare_enc.data);
    free(st->path);
    free(st);
}

/* Begin a transaction, adopting a map size another process has grown to. */
static int begin(cpi_store *st, unsigned flags, MDB_txn **txn)
{
    int rc = mdb_txn_begin(st->env, NULL, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(st->env, 0);
        MDB_envinfo info;
        mdb_env_info(st->env, &info);
        st->map_size = info.me_mapsize;
        rc = mdb_txn_begin(st->env, NULL, flags, txn);
    }
    return rc;
}

cpi_status cpi_store_read_begin(cpi_store *st, cpi_txn **out, cpi_error *err)
{
    cpi_txn *t = calloc(1, sizeof *t);
    if (!t)
        return cpi_error_set(err, CPI_ERR_NOMEM, "store %s: out of memory", st->path);
    t->st = st;
    int rc = begin(st, MDB_RDONLY, &t->txn);
    if (rc) {
        free(t);
        *out = NULL;
        return cpi_store_lmdb_err(err, "begin read", st->path, rc);
    }
    *out = t;
    return CPI_OK;
}

void cpi_txn_end(cpi_txn *txn)
{
    if (!txn)
        return;
    if (txn->rec_cur)
        mdb_cursor_close(txn->rec_cur);
    if (txn->txn)
        mdb_txn_abort(txn->txn);
    free(txn->enc.data);
    free(txn);
}

static cpi_status grow(cpi_store *st, cpi_error *err)
{
    if (st->map_size >= st->max_map_size)
        return cpi_error_set(err, CPI_ERR_STORE,
                             "store %s: the store is full at its size limit of %llu MiB: nothing of this change "
                             "was kept and the store is as it was before it; raise the limit with "
                             "CPINDEX_MAP_LIMIT (docs/operations.md)",
                             st->path, (unsigned long long)(st->max_map_size >> 20));
    uint64_t next = st->map_size * 2;
    if (next > st->max_map_size)
        next = st->max_map_size;
    int rc = mdb_env_set_mapsize(st->env, next);
    if (rc)
        return cpi_store_lmdb_err(err, "grow map", st->path, rc);
    st->map_size = next;
    st->growths++;
    return CPI_OK;
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14; older headers lack it */
#endif

/*
 * Where this process mapped the data file. LMDB does not say (mdb_env_info's
 * me_mapaddr is only set for MDB_FIXEDMAP), so find the mapping of the file's
 * inode at offset 0 in /proc/self/maps. NULL if it is not there.
 */
static char *map_base(cpi_store *st)
{
    int fd;
    struct stat sb;
    if (mdb_env_get_fd(st->env, &fd) || fstat(fd, &sb))
        return NULL;
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return NULL;
    char line[512], *base = NULL;
    while (!base && fgets(line, sizeof line, f)) {
        unsigned long long start, end, off, ino;
        char perms[8];
        unsigned dmaj, dmin;
        if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &start, &end, perms, &off, &dmaj, &dmin, &ino) == 7 &&
            ino == (unsigned long long)sb.st_ino && off == 0 && dmaj == major(sb.st_dev) && dmin == minor(sb.st_dev))
            base = (char *)(uintptr_t)start;
    }
    fclose(f);
    return base;
}

/* The bytes of the data file in use (pages up to the last one written), the map's size and the page size. */
static int extent(cpi_store *st, uint64_t *used, uint64_t *mapsize, uint64_t *psize)
{
    MDB_envinfo info;
    MDB_stat ms;
    int rc = mdb_env_info(st->env, &info);
    if (!rc)
        rc = mdb_env_stat(st->env, &ms);
    if (rc)
        return rc;
    *used = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
    *mapsize = info.me_mapsize;
    *psize = ms.ms_psize;
    return 0;
}

cpi_status cpi_store_prefault(cpi_store *st, uint64_t *done, cpi_error *err)
{
    uint64_t end, mapsize, psize;
    int rc = extent(st, &end, &mapsize, &psize);
    if (rc)
        return cpi_store_lmdb_err(err, "read the map's extent", st->path, rc);
    if (end > mapsize)
        end = mapsize;
    if (end <= *done)
        return CPI_OK;
    char *base = map_base(st);
    if (!base)
        return cpi_error_set(err, CPI_ERR_IO, "%s: cannot find where the store is mapped in /proc/self/maps",
                             st->path);
    /* madvise wants a page-aligned start; LMDB pages are the system page size */
    uint64_t from = *done - *done % psize;
    if (madvise(base + from, end - from, MADV_POPULATE_READ) != 0)
        return cpi_error_set(err, CPI_ERR_IO, "%s: cannot map the store's pages ahead (madvise: %s)", st->path,
                             strerror(errno));
    *done = end;
    return CPI_OK;
}

cpi_status cpi_store_reserve(cpi_store *st, uint64_t bytes, cpi_error *err)
{
    if (st->readonly_errno)
        return CPI_OK;
    uint64_t used, mapsize, psize;
    if (extent(st, &used, &mapsize, &psize))
        return CPI_OK;
    if (mapsize > st->map_size)
        st->map_size = mapsize; /* another process grew it */
    uint64_t want = used + bytes;
    uint64_t next = st->map_size;
    while (next < want && next < st->max_map_size)
        next = next * 2 > st->max_map_size ? st->max_map_size : next * 2;
    if (next == st->map_size)
        return CPI_OK;
    int rc = mdb_env_set_mapsize(st->env, next);
    if (rc)
        return cpi_store_lmdb_err(err, "grow map", st->path, rc);
    st->map_size = next;
    st->growths++;
    return CPI_OK;
}


static void keybuf_free(keybuf *kb)
{
    free(kb->bytes);
    free(kb->offs);
    free(kb->tmp);
    free(kb->count);
    memset(kb, 0, sizeof *kb);
}

static int keybuf_cmp(const void *a, const void *b, void *ctx)
{
    const keyent *ea = a, *eb = b;
    if (ea->prefix != eb->prefix)
        return ea->prefix < eb->prefix ? -1 : 1;
    if (ea->prefix2 != eb->prefix2)
        return ea->prefix2 < eb->prefix2 ? -1 : 1;
    const unsigned char *base = ctx;
    const unsigned char *x = base + ea->off, *y = base + eb->off;
    size_t xk = (size_t)x[0] << 8 | x[1], xv = (size_t)x[2] << 8 | x[3];
    size_t yk = (size_t)y[0] << 8 | y[1], yv = (size_t)y[2] << 8 | y[3];
    int c = memcmp(x + 4, y + 4, xk < yk ? xk : yk); /* LMDB's default order: bytes, then length */
    if (c || xk != yk)
        return c ? c : (xk < yk ? -1 : 1);
    c = memcmp(x + 4 + xk, y + 4 + yk, xv < yv ? xv : yv);
    return c ? c : (xv < yv ? -1 : xv > yv);
}

/*
 * Sort the entries: LSD radix sort on the key's first 16 bytes (16-bit digits,
 * a pass skipped when every entry has the same digit), then a comparison sort
 * of each run of equal prefixes (16 bytes: "nid\x1fNOM-" alone is 8). Measured with callgrind: the comparison sort alone
 * was a tenth of an ingest's instructions.
 */
static cpi_status keybuf_sort(keybuf *kb)
{
    size_t n = kb->n;
    if (n < 64) {
        qsort_r(kb->offs, n, sizeof *kb->offs, keybuf_cmp, kb->bytes);
        return CPI_OK;
    }
    if (!kb->tmp && !(kb->tmp = malloc(kb->offcap * sizeof *kb->tmp)))
        return CPI_ERR_NOMEM;
    if (!kb->count && !(kb->count = malloc(65536 * sizeof *kb->count)))
        return CPI_ERR_NOMEM;
    keyent *tmp = kb->tmp;
    size_t *count = kb->count;
    keyent *src = kb->offs, *dst = tmp;
    for (int pass = 0; pass < 8; pass++) { /* least significant first: prefix2, then prefix */
        int shift = (pass % 4) * 16;
        bool low = pass < 4;
#define DIGIT(e) ((size_t)(((low ? (e).prefix2 : (e).prefix) >> shift) & 0xFFFF))
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[DIGIT(src[i])]++;
        if (count[DIGIT(src[0])] == n)
            continue; /* one digit for all: this pass would change nothing */
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[DIGIT(src[i])]++] = src[i];
#undef DIGIT
        keyent *t = src;
        src = dst;
        dst = t;
    }
    if (src != kb->offs)
        memcpy(kb->offs, src, n * sizeof *src);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && kb->offs[j].prefix == kb->offs[i].prefix && kb->offs[j].prefix2 == kb->offs[i].prefix2)
            j++;
        size_t sorted = i + 1; /* the radix sort is stable: a run often keeps row order, already sorted */
        while (sorted < j && keybuf_cmp(&kb->offs[sorted - 1], &kb->offs[sorted], kb->bytes) <= 0)
            sorted++;
        if (sorted < j && j - i > 24) {
            qsort_r(kb->offs + i, j - i, sizeof *kb->offs, keybuf_cmp, kb->bytes);
        } else if (sorted < j) { /* most runs are a few mentions of one key: qsort_r's set-up cost more */
            for (size_t a = sorted; a < j; a++) {
                keyent x = kb->offs[a];
                size_t b = a;
                for (; b > i && keybuf_cmp(&kb->offs[b - 1], &x, kb->bytes) > 0; b--)
                    kb->offs[b] = kb->offs[b - 1];
                kb->offs[b] = x;
            }
        }
        i = j;
    }
    return CPI_OK;
}

/* Write the buffered key-index additions in sorted order and empty the buffer. */
static cpi_status keybuf_flush(cpi_txn *txn, cpi_error *err)
{
    keybuf *kb = &txn->kb;
    if (!kb->n)
        return CPI_OK;
    if (keybuf_sort(kb) != CPI_OK)
        return cpi_error_set(err, CPI_ERR_NOMEM, "store %s: out of memory", txn->st->path);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn->txn, txn->st->dbi[CPI_DB_KEYS], &cur);
    if (rc)
        return cpi_store_lmdb_err(err, "open cursor", txn->st->path, rc);
    cpi_status s = CPI_OK;
    for (size_t i = 0; i < kb->n; i++) {
        unsigned char *e = kb->bytes + kb->offs[i].off;
        size_t kl = (size_t)e[0] << 8 | e[1], vl = (size_t)e[2] << 8 | e[3];
        MDB_val k = {kl, e + 4}, v = {vl, e + 4 + kl};
        rc = mdb_cursor_put(cur, &k, &v, MDB_NODUPDATA);
        if (rc == MDB_KEYEXIST)
            continue;
        if ((s = cpi_store_data_rc(txn, rc, "put", err)) != CPI_OK)
            break;
    }
    mdb_cursor_close(cur);
    kb->len = kb->n = 0;
    return s;
}

cpi_status cpi_store_keybuf_add(cpi_txn *txn, const void *key, size_t klen, const void *val, size_t vlen,
                                cpi_error *err)
{
    keybuf *kb = &txn->kb;
    size_t need = 4 + klen + vlen;
    if (klen > 0xFFFF || vlen > 0xFFFF)
        return cpi_error_set(err, CPI_ERR_DATA, "store %s: index entry too long", txn->st->path);
    if (kb->len + need > KEYBUF_MAX && keybuf_flush(txn, err) != CPI_OK)
        return err->status;
    if (CPI_GROW(kb->bytes, kb->cap, kb->len + need, 1u << 20))
        return cpi_error_set(err, CPI_ERR_NOMEM, "store %s: out of memory", txn->st->path);
    if (kb->n == kb->offcap) {
        if (CPI_GROW(kb->offs, kb->offcap, kb->n + 1, 65536))
            return cpi_error_set(err, CPI_ERR_NOMEM, "store %s: out of memory", txn->st->path);
        free(kb->tmp); /* the sort's second array follows the first's size */
        kb->tmp = NULL;
    }
    unsigned char *e = kb->bytes + kb->len;
    e[0] = (unsigned char)(klen >> 8);
    e[1] = (unsigned char)klen;
    e[2] = (unsigned char)(vlen >> 8);
    e[3] = (unsigned char)vlen;
    memcpy(e + 4, key, klen);
    memcpy(e + 4 + klen, val, vlen);
    uint64_t prefix = 0, prefix2 = 0;
    for (size_t i = 0; i < 8; i++) {
        prefix = prefix << 8 | (i < klen ? ((const unsigned char *)key)[i] : 0u);
        prefix2 = prefix2 << 8 | (i + 8 < klen ? ((const unsigned char *)key)[i + 8] : 0u);
    }
    kb->offs[kb->n++] = (keyent){prefix, prefix2, kb->len};
    kb->len += need;
    return CPI_OK;
}

/* Anything that reads, deletes from or counts CPI_DB_KEYS sees the buffered additions first. */
static cpi_status counters_flush(cpi_txn *txn, cpi_error *err);
#define KEYS_SYNC(txn, db, err)                                                                      \
    do {                                                                                             \
        if ((db) == CPI_DB_KEYS && (txn)->kb.n && keybuf_flush((txn), (err)) != CPI_OK)              \
            return (err)->status;                                                                    \
        if ((db) == CPI_DB_META && (txn)->npend && counters_flush((txn), (err)) != CPI_OK)           \
            return (err)->status;                                                                    \
    } while (0)

cpi_status cpi_store_write(cpi_store *st, cpi_write_fn fn, void *ctx, cpi_error *err)
{
    if (st->readonly_errno)
        return cpi_store_lmdb_err(err, "write", st->path, st->readonly_errno);
    clear_dead_readers(st);
    for (;;) {
        cpi_txn t = {.st = st, .kb = st->spare_kb, .enc = st->spare_enc};
        st->spare_kb = (keybuf){0};
        st->spare_enc = (cpi_buf){0};
        int rc = begin(st, 0, &t.txn);
        if (rc) {
            st->spare_kb = t.kb;
            st->spare_enc = t.enc;
            return cpi_store_lmdb_err(err, "begin write", st->path, rc);
        }
        cpi_status s = fn(&t, ctx, err);
        if (s == CPI_OK && !t.map_full)
            s = keybuf_flush(&t, err);
        if (s == CPI_OK && !t.map_full)
            s = counters_flush(&t, err);
        t.kb.len = t.kb.n = 0; /* the buffers wait for the next write */
        st->spare_kb = t.kb;
        st->spare_enc = t.enc;
        if (t.rec_cur)
            mdb_cursor_close(t.rec_cur);
        if (s == CPI_OK && !t.map_full) {
            rc = mdb_txn_commit(t.txn);
            if (rc == 0)
                return CPI_OK;
            if (rc != MDB_MAP_FULL)
                return cpi_store_lmdb_err(err, "commit", st->path, rc);
            t.map_full = true;
            t.txn = NULL; /* commit frees the transaction even when it fails */
        }
        if (t.txn)
            mdb_txn_abort(t.txn);
        if (!t.map_full)
            return s;
        s = grow(st, err);
        if (s)
            return s;
        cpi_error_clear(err);
    }
}

/* Map an LMDB return code from a data operation to a status, noting a full map. */
cpi_status cpi_store_data_rc(cpi_txn *txn, int rc, const char *what, cpi_error *err)
{
    if (rc == 0)
        return CPI_OK;
    if (rc == MDB_NOTFOUND)
        return CPI_NOT_FOUND;
    if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL)
        txn->map_full = rc == MDB_MAP_FULL;
    return cpi_store_lmdb_err(err, what, txn->st->path, rc);
}

cpi_status cpi_txn_get(cpi_txn *txn, cpi_db db, const void *key, size_t klen, cpi_slice *val, cpi_error *err)
{
    KEYS_SYNC(txn, db, err);
    MDB_val k = {klen, (void *)key}, v;
    cpi_status s = cpi_store_data_rc(txn, mdb_get(txn->txn, txn->st->dbi[db], &k, &v), "get", err);
    if (s == CPI_OK) {
        val->data = v.mv_data;
        val->len = v.mv_size;
    }
    return s;
}

cpi_status cpi_txn_put(cpi_txn *txn, cpi_db db, const void *key, size_t klen, const void *val, size_t vlen,
                       cpi_error *err)
{
    KEYS_SYNC(txn, db, err);
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    int rc = mdb_put(txn->txn, txn->st->dbi[db], &k, &v, 0);
    if (rc == MDB_KEYEXIST) /* a dupsort pair already present: nothing to add */
        rc = 0;
    return cpi_store_data_rc(txn, rc, "put", err);
}

cpi_status cpi_txn_del(cpi_txn *txn, cpi_db db, const void *key, size_t klen, const void *val, size_t vlen,
                       cpi_error *err)
{
    KEYS_SYNC(txn, db, err);
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    return cpi_store_data_rc(txn, mdb_del(txn->txn, txn->st->dbi[db], &k, val ? &v : NULL), "delete", err);
}

cpi_status cpi_txn_clear(cpi_txn *txn, cpi_db db, cpi_error *err)
{
    if (db == CPI_DB_KEYS) /* buffered additions go with the rest */
        txn->kb.len = txn->kb.n = 0;
    if (db == CPI_DB_META)
        txn->npend = 0;
    return cpi_store_data_rc(txn, mdb_drop(txn->txn, txn->st->dbi[db], 0), "clear", err);
}

cpi_status cpi_txn_count_dups(cpi_txn *txn, cpi_db db, const void *key, size_t klen, uint64_t *out, cpi_error *err)
{
    MDB_cursor *cur;
    *out = 0;
    int rc = mdb_cursor_open(txn->txn, txn->st->dbi[db], &cur);
    if (rc)
        return cpi_store_lmdb_err(err, "cursor", txn->st->path, rc);
    MDB_val k = {klen, (void *)key}, v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET);
    if (rc == 0) {
        size_t n = 0;
        rc = mdb_cursor_count(cur, &n);
        *out = n;
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        return CPI_OK;
    return rc ? cpi_store_lmdb_err(err, "count", txn->st->path, rc) : CPI_OK;
}

cpi_status cpi_txn_get_pair(cpi_txn *txn, cpi_db db, const void *key, size_t klen, const void *val, size_t vlen,
                            cpi_error *err)
{
    KEYS_SYNC(txn, db, err);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn->txn, txn->st->dbi[db], &cur);
    if (rc)
        return cpi_store_lmdb_err(err, "open cursor", txn->st->path, rc);
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    rc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH);
    mdb_cursor_close(cur);
    return cpi_store_data_rc(txn, rc, "get", err);
}

cpi_status cpi_txn_count(cpi_txn *txn, cpi_db db, uint64_t *out, cpi_error *err)
{
    KEYS_SYNC(txn, db, err);
    MDB_stat ms;
    int rc = mdb_stat(txn->txn, txn->st->dbi[db], &ms);
    if (rc)
        return cpi_store_lmdb_err(err, "stat", txn->st->path, rc);
    *out = ms.ms_entries;
    return CPI_OK;
}

static int counter_key(const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name);
    if (n + 3 > cap)
        n = cap - 3;
    buf[0] = 'n';
    buf[1] = ':';
    memcpy(buf + 2, name, n);
    buf[n + 2] = '\0';
    return (int)n + 2;
}

static cpi_status counter_get_stored(cpi_txn *txn, const char *name, int64_t *out, cpi_error *err)
{
    char key[128];
    int n = counter_key(name, key, sizeof key);
    cpi_slice v = {0};
    cpi_status s = cpi_txn_get(txn, CPI_DB_META, key, (size_t)n, &v, err);
    *out = 0;
    if (s == CPI_NOT_FOUND)
        return CPI_OK;
    if (s)
        return s;
    if (v.len != 8)
        return cpi_error_set(err, CPI_ERR_STORE, "store %s: counter '%s' is malformed", txn->st->path, name);
    *out = (int64_t)cpi_be64_get(v.data);
    return CPI_OK;
}

static cpi_status counter_write(cpi_txn *txn, const char *name, int64_t delta, cpi_error *err)
{
    int64_t cur;
    cpi_status s = counter_get_stored(txn, name, &cur, err);
    if (s)
        return s;
    char key[128];
    int n = counter_key(name, key, sizeof key);
    unsigned char be[8];
    cpi_be64_put(be, (uint64_t)(cur + delta));
    return cpi_txn_put(txn, CPI_DB_META, key, (size_t)n, be, 8, err);
}

static cpi_status counters_flush(cpi_txn *txn, cpi_error *err)
{
    unsigned n = txn->npend;
    txn->npend = 0; /* before writing: cpi_txn_put on META would flush again */
    for (unsigned i = 0; i < n; i++)
        if (txn->pend[i].delta && counter_write(txn, txn->pend[i].name, txn->pend[i].delta, err) != CPI_OK)
            return err->status;
    return CPI_OK;
}

cpi_status cpi_txn_counter_get(cpi_txn *txn, const char *name, int64_t *out, cpi_error *err)
{
    cpi_status s = counter_get_stored(txn, name, out, err);
    if (s)
        return s;
    for (unsigned i = 0; i < txn->npend; i++)
        if (strcmp(txn->pend[i].name, name) == 0)
            *out += txn->pend[i].delta;
    return CPI_OK;
}

cpi_status cpi_txn_counter_add(cpi_txn *txn, const char *name, int64_t delta, cpi_error *err)
{
    for (unsigned i = 0; i < txn->npend; i++)
        if (strcmp(txn->pend[i].name, name) == 0) {
            txn->pend[i].delta += delta;
            return CPI_OK;
        }
    if (txn->npend < sizeof txn->pend / sizeof txn->pend[0] && strlen(name) < sizeof txn->pend[0].name) {
        snprintf(txn->pend[txn->npend].name, sizeof txn->pend[0].name, "%s", name);
        txn->pend[txn->npend++].delta = delta;
        return CPI_OK;
    }
    return counter_write(txn, name, delta, err);
}

/* ---- cursors ---- */

cpi_status cpi_cursor_open(cpi_txn *txn, cpi_db db, cpi_cursor **out, cpi_error *err)
{
    KEYS_SYNC(txn, db, err);
    cpi_cursor *c = calloc(1, sizeof *c);
    if (!c)
        return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
    int rc = mdb_cursor_open(txn->txn, txn->st->dbi[db], &c->cur);
    if (rc) {
        free(c);
        return cpi_store_lmdb_err(err, "cursor", txn->st->path, rc);
    }
    *out = c;
    return CPI_OK;
}

static cpi_status cursor_get(cpi_cursor *c, MDB_val *k, MDB_val *v, MDB_cursor_op op, cpi_slice *ko,
                             cpi_slice *vo, cpi_error *err)
{
    int rc = mdb_cursor_get(c->cur, k, v, op);
    if (rc == MDB_NOTFOUND)
        return CPI_NOT_FOUND;
    if (rc)
        return cpi_error_set(err, CPI_ERR_STORE, "store cursor: %s", mdb_strerror(rc));
    if (ko)
        *ko = (cpi_slice){k->mv_data, k->mv_size};
    if (vo)
        *vo = (cpi_slice){v->mv_data, v->mv_size};
    return CPI_OK;
}

cpi_status cpi_cursor_seek(cpi_cursor *c, const void *key, size_t klen, cpi_slice *k, cpi_slice *v,
                           cpi_error *err)
{
    MDB_val mk = {klen, (void *)key}, mv = {0, NULL};
    return cursor_get(c, &mk, &mv, key ? MDB_SET_RANGE : MDB_FIRST, k, v, err);
}

cpi_status cpi_cursor_next(cpi_cursor *c, cpi_slice *k, cpi_slice *v, cpi_error *err)
{
    MDB_val mk, mv;
    return cursor_get(c, &mk, &mv, MDB_NEXT, k, v, err);
}

cpi_status cpi_cursor_seek_dup(cpi_cursor *c, const void *key, size_t klen, const void *val, size_t vlen,
                               cpi_slice *k, cpi_slice *v, cpi_error *err)
{
    MDB_val mk = {klen, (void *)key}, mv = {vlen, (void *)val};
    return cursor_get(c, &mk, &mv, MDB_GET_BOTH_RANGE, k, v, err);
}

cpi_status cpi_cursor_next_dup(cpi_cursor *c, cpi_slice *k, cpi_slice *v, cpi_error *err)
{
    MDB_val mk, mv;
    return cursor_get(c, &mk, &mv, MDB_NEXT_DUP, k, v, err);
}

void cpi_cursor_close(cpi_cursor *c)
{
    if (c) {
        mdb_cursor_close(c->cur);
        free(c);
    }
}

/* ---- stats ---- */

cpi_status cpi_store_stats_get(cpi_store *st, cpi_store_stats *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    cpi_txn *t;
    cpi_status s = cpi_store_read_begin(st, &t, err);
    if (s)
        return s;
    out->schema_version = CPI_SCHEMA_VERSION; /* open refused any other */
    int64_t mentions, ents;
    if (!(s = cpi_txn_count(t, CPI_DB_RECORDS, &out->records, err)) &&
        !(s = cpi_txn_counter_get(t, "mentions", &mentions, err)) &&
        !(s = cpi_txn_count(t, CPI_DB_EDGES, &out->edges, err)) &&
        !(s = cpi_txn_count(t, CPI_DB_AUDIT, &out->audit_entries, err)) &&
        !(s = cpi_txn_counter_get(t, "entities", &ents, err))) {
        out->mentions = (uint64_t)mentions;
        out->entities = (uint64_t)ents;
    }
    cpi_cursor *c = NULL;
    if (!s)
        s = cpi_cursor_open(t, CPI_DB_META, &c, err);
    if (!s) {
        static const char prefix[] = "n:rec:";
        cpi_slice k = {0}, v = {0};
        cpi_status cs = cpi_cursor_seek(c, prefix, sizeof prefix - 1, &k, &v, err);
        while (cs == CPI_OK && k.len > sizeof prefix - 1 && memcmp(k.data, prefix, sizeof prefix - 1) == 0 &&
               out->nsources < sizeof out->sources / sizeof out->sources[0]) {
            size_t n = k.len - (sizeof prefix - 1);
            if (n < CPI_SOURCE_MAX && v.len == 8) {
                int64_t cnt = (int64_t)cpi_be64_get(v.data);
                if (cnt > 0) {
                    cpi_source_count *sc = &out->sources[out->nsources++];
                    memcpy(sc->source, (const char *)k.data + sizeof prefix - 1, n);
                    sc->source[n] = '\0';
                    sc->records = (uint64_t)cnt;
                }
            }
            cs = cpi_cursor_next(c, &k, &v, err);
        }
        if (cs != CPI_OK && cs != CPI_NOT_FOUND)
            s = cs;
        cpi_cursor_close(c);
    }
    cpi_txn_end(t);
    out->map_size = st->map_size;
    char path[4096];
    snprintf(path, sizeof path, "%s/data.mdb", st->path);
    struct stat sb;
    if (stat(path, &sb) == 0)
        out->file_bytes = (uint64_t)sb.st_blocks * 512;
    return s;
}
