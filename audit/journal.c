/*
 * audit/journal.c - consultations logged with one flush, folded into the
 * audit chain later (the design and its crash cases are in audit/journal.h).
 */
#include "audit/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "audit/internal.h"
#include "core/bytes.h"

#define HEADER_LEN 4096u
#define FRAME_HEAD 16u /* "CPJ1" | generation u64 | length u32 */
#define MAX_VALUE (CPI_AUDIT_JOURNAL_SIZE - HEADER_LEN - FRAME_HEAD)
static const char HEADER_MAGIC[4] = {'C', 'P', 'I', 'J'};
static const char FRAME_MAGIC[4] = {'C', 'P', 'J', '1'};
static const char MARK_KEY[] = "audit:journal"; /* META: generation u64 BE, offset folded to u64 BE */

struct cpi_audit_journal {
    cpi_store *st;
    int fd;            /* O_RDWR | O_DSYNC: each write durable when it returns */
    uint64_t gen;      /* the generation frames are written with */
    uint64_t end;      /* where the next frame goes */
    uint64_t capacity; /* the file's size: space written ahead */
    unsigned pending;  /* frames appended since the last fold */
};

static cpi_status journal_path(const cpi_store *st, char *buf, size_t n, cpi_error *err)
{
    int w = snprintf(buf, n, "%s/%s", cpi_store_path(st), CPI_AUDIT_JOURNAL_FILE);
    if (w < 0 || (size_t)w >= n)
        return cpi_error_set(err, CPI_ERR_USAGE, "audit journal: the store path is too long");
    return CPI_OK;
}

/* Read exactly n bytes at off; false on a short read or an error. */
static bool read_at(int fd, void *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static cpi_status write_header(int fd, const char *path, uint64_t gen, cpi_error *err)
{
    unsigned char h[HEADER_LEN] = {0};
    memcpy(h, HEADER_MAGIC, 4);
    cpi_be32_put(h + 4, 1);
    cpi_be64_put(h + 8, gen);
    if (pwrite(fd, h, sizeof h, 0) != (ssize_t)sizeof h)
        return cpi_error_set(err, CPI_ERR_IO, "audit journal %s: cannot write its header: %s", path,
                             strerror(errno ? errno : EIO));
    return CPI_OK;
}

static cpi_status read_header(int fd, const char *path, uint64_t *gen, cpi_error *err)
{
    unsigned char h[16];
    if (!read_at(fd, h, sizeof h, 0) || memcmp(h, HEADER_MAGIC, 4) != 0 || cpi_be32_get(h + 4) != 1)
        return cpi_error_set(err, CPI_ERR_DATA,
                             "audit journal %s: not a cpindex audit journal (its header is damaged); consultations "
                             "it held cannot be read: move it aside and report it",
                             path);
    *gen = cpi_be64_get(h + 8);
    return CPI_OK;
}

/*
 * The frame at off, if it is a whole one of generation gen: its entry decoded
 * into e (strings in arena) and its length in *len. false ends the journal.
 */
static bool read_frame(int fd, uint64_t size, uint64_t gen, uint64_t off, cpi_arena *arena, cpi_audit_entry *e,
                       uint64_t *len)
{
    unsigned char head[FRAME_HEAD];
    if (off + FRAME_HEAD > size || !read_at(fd, head, sizeof head, off) || memcmp(head, FRAME_MAGIC, 4) != 0 ||
        cpi_be64_get(head + 4) != gen)
        return false;
    uint32_t vlen = cpi_be32_get(head + 12);
    if (vlen == 0 || vlen > MAX_VALUE || off + FRAME_HEAD + vlen > size)
        return false;
    void *v = cpi_arena_alloc(arena, vlen);
    if (!v || !read_at(fd, v, vlen, off + FRAME_HEAD))
        return false;
    if (cpi_audit_decode(0, v, vlen, arena, e, NULL) != CPI_OK)
        return false; /* cut short or damaged: it was never acknowledged, so never shown */
    *len = FRAME_HEAD + vlen;
    return true;
}

/* META's mark: the generation and offset folded so far; (0, 0) when none. */
static cpi_status mark_get(cpi_txn *txn, uint64_t *gen, uint64_t *off, cpi_error *err)
{
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_META, MARK_KEY, sizeof MARK_KEY - 1, &v, err);
    *gen = *off = 0;
    if (s == CPI_NOT_FOUND)
        return CPI_OK;
    if (s)
        return s;
    if (v.len != 16)
        return cpi_error_set(err, CPI_ERR_STORE, "audit log: the journal mark in meta is malformed");
    *gen = cpi_be64_get(v.data);
    *off = cpi_be64_get((const unsigned char *)v.data + 8);
    return CPI_OK;
}

/* Open the journal beside the store for reading, locked shared; -1 with no error when there is none. */
static cpi_status open_shared(const cpi_store *st, char *path, size_t n, int *fd, uint64_t *size, cpi_error *err)
{
    cpi_status s = journal_path(st, path, n, err);
    if (s)
        return s;
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return errno == ENOENT ? CPI_OK
                               : cpi_error_set(err, CPI_ERR_IO, "audit journal %s: %s", path, strerror(errno));
    struct stat sb;
    if (flock(*fd, LOCK_SH) != 0 || fstat(*fd, &sb) != 0) {
        s = cpi_error_set(err, CPI_ERR_IO, "audit journal %s: %s", path, strerror(errno));
        close(*fd);
        *fd = -1;
        return s;
    }
    *size = (uint64_t)sb.st_size;
    return CPI_OK;
}

cpi_status cpi_audit_journal_fold_txn(cpi_txn *txn, unsigned *folded, cpi_error *err)
{
    if (folded)
        *folded = 0;
    char path[PATH_MAX];
    int fd = -1;
    uint64_t size = 0, gen, mgen, moff;
    cpi_status s = open_shared(cpi_txn_store(txn), path, sizeof path, &fd, &size, err);
    if (s || fd < 0)
        return s;
    if ((s = read_header(fd, path, &gen, err)) || (s = mark_get(txn, &mgen, &moff, err))) {
        close(fd);
        return s;
    }
    uint64_t off = mgen == gen && moff >= HEADER_LEN ? moff : HEADER_LEN;
    cpi_arena arena = {0};
    unsigned n = 0;
    for (;;) {
        cpi_audit_entry e;
        uint64_t len;
        cpi_arena_reset(&arena);
        if (!read_frame(fd, size, gen, off, &arena, &e, &len))
            break;
        if ((s = cpi_audit_append_chain(txn, &e, err)))
            break;
        off += len;
        n++;
    }
    cpi_arena_free(&arena);
    close(fd); /* the lock goes with it */
    if (!s && (n || mgen != gen)) {
        unsigned char v[16];
        cpi_be64_put(v, gen);
        cpi_be64_put(v + 8, off);
        s = cpi_txn_put(txn, CPI_DB_META, MARK_KEY, sizeof MARK_KEY - 1, v, sizeof v, err);
    }
    if (!s && folded)
        *folded = n;
    return s;
}

static cpi_status fold_fn(cpi_txn *txn, void *ctx, cpi_error *err) { return cpi_audit_journal_fold_txn(txn, ctx, err); }

cpi_status cpi_audit_journal_settle(cpi_store *st, cpi_error *err)
{
    char path[PATH_MAX];
    int fd = -1;
    uint64_t size = 0, gen, mgen = 0, moff = 0;
    cpi_status s = open_shared(st, path, sizeof path, &fd, &size, err);
    if (s || fd < 0)
        return s;
    cpi_txn *txn;
    if (!(s = read_header(fd, path, &gen, err)) && !(s = cpi_store_read_begin(st, &txn, err))) {
        s = mark_get(txn, &mgen, &moff, err);
        cpi_txn_end(txn);
    }
    bool waiting = false;
    if (!s) {
        cpi_arena arena = {0};
        cpi_audit_entry e;
        uint64_t len;
        waiting = read_frame(fd, size, gen, mgen == gen && moff >= HEADER_LEN ? moff : HEADER_LEN, &arena, &e, &len);
        cpi_arena_free(&arena);
    }
    close(fd);
    if (s || !waiting)
        return s;
    unsigned n;
    return cpi_store_write(st, fold_fn, &n, err);
}

/* Write a new journal at path: header, then zeros to its size, synced, renamed into place. */
static cpi_status make_journal(const char *path, cpi_error *err)
{
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return cpi_error_set(err, CPI_ERR_IO, "audit journal %s: cannot create it: %s", tmp, strerror(errno));
    uint64_t gen;
    randombytes_buf(&gen, sizeof gen); /* never one a mark in META could name from an earlier journal */
    cpi_status s = write_header(fd, tmp, gen, err);
    static const unsigned char zeros[65536];
    for (uint64_t off = HEADER_LEN; !s && off < CPI_AUDIT_JOURNAL_SIZE; off += sizeof zeros) {
        size_t n = CPI_AUDIT_JOURNAL_SIZE - off < sizeof zeros ? CPI_AUDIT_JOURNAL_SIZE - off : sizeof zeros;
        if (pwrite(fd, zeros, n, (off_t)off) != (ssize_t)n)
            s = cpi_error_set(err, CPI_ERR_IO, "audit journal %s: cannot write it: %s", tmp,
                              strerror(errno ? errno : ENOSPC));
    }
    if (!s && fsync(fd) != 0)
        s = cpi_error_set(err, CPI_ERR_IO, "audit journal %s: fsync: %s", tmp, strerror(errno));
    close(fd);
    if (!s && rename(tmp, path) != 0)
        s = cpi_error_set(err, CPI_ERR_IO, "audit journal %s: cannot put it in place: %s", path, strerror(errno));
    if (s) {
        unlink(tmp);
        return s;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* the name survives a crash too */
        close(dfd);
    }
    return CPI_OK;
}

/* Start a new generation: frames of the last one, all folded, no longer count. */
static cpi_status restart(cpi_audit_journal *j, cpi_error *err)
{
    char path[PATH_MAX];
    cpi_status s = journal_path(j->st, path, sizeof path, err);
    if (s)
        return s;
    if (flock(j->fd, LOCK_EX) != 0)
        return cpi_error_set(err, CPI_ERR_IO, "audit journal %s: lock: %s", path, strerror(errno));
    s = write_header(j->fd, path, j->gen + 1, err);
    flock(j->fd, LOCK_UN);
    if (s)
        return s;
    j->gen++;
    j->end = HEADER_LEN;
    j->pending = 0;
    return CPI_OK;
}

cpi_status cpi_audit_journal_fold(cpi_audit_journal *j, unsigned *folded, cpi_error *err)
{
    unsigned n = 0;
    cpi_status s = cpi_store_write(j->st, fold_fn, &n, err);
    if (folded)
        *folded = s ? 0 : n;
    /* committed with the mark: a crash before the restart skips them by the mark, never folds them twice */
    return s ? s : restart(j, err);
}

cpi_status cpi_audit_journal_open(cpi_store *st, cpi_audit_journal **out, cpi_error *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return cpi_error_set(err, CPI_ERR_NOMEM, "libsodium failed to initialise");
    char path[PATH_MAX];
    cpi_status s = journal_path(st, path, sizeof path, err);
    if (s)
        return s;
    int fd = open(path, O_RDWR | O_DSYNC | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if ((s = make_journal(path, err)))
            return s;
        fd = open(path, O_RDWR | O_DSYNC | O_CLOEXEC);
    }
    if (fd < 0)
        return cpi_error_set(err, CPI_ERR_IO, "audit journal %s: %s", path, strerror(errno));
    struct stat sb;
    cpi_audit_journal *j = calloc(1, sizeof *j);
    if (!j) {
        close(fd);
        return cpi_error_set(err, CPI_ERR_NOMEM, "audit journal: out of memory");
    }
    *j = (cpi_audit_journal){.st = st, .fd = fd, .end = HEADER_LEN};
    if (fstat(fd, &sb) != 0)
        s = cpi_error_set(err, CPI_ERR_IO, "audit journal %s: %s", path, strerror(errno));
    else
        j->capacity = (uint64_t)sb.st_size;
    if (!s)
        s = read_header(fd, path, &j->gen, err);
    if (!s) /* what a server that stopped unexpectedly left */
        s = cpi_audit_journal_fold(j, NULL, err);
    if (s) {
        close(fd);
        free(j);
        return s;
    }
    cpi_store_set_journal(st, j);
    *out = j;
    return CPI_OK;
}

cpi_status cpi_audit_journal_close(cpi_audit_journal *j, cpi_error *err)
{
    if (!j)
        return CPI_OK;
    cpi_status s = j->pending ? cpi_audit_journal_fold(j, NULL, err) : CPI_OK;
    if (cpi_store_journal(j->st) == j)
        cpi_store_set_journal(j->st, NULL);
    close(j->fd);
    free(j);
    return s;
}

unsigned cpi_audit_journal_pending(const cpi_audit_journal *j) { return j->pending; }

cpi_status cpi_audit_journal_append(cpi_audit_journal *j, cpi_audit_entry *e, bool *fitted, cpi_error *err)
{
    *fitted = false;
    if (!e->user || !*e->user || !e->command || !*e->command || !cpi_audit_kind_name(e->kind))
        return cpi_error_set(err, CPI_ERR_USAGE, "audit entry: a kind, a user and a command are required");
    if (e->time == 0)
        e->time = (int64_t)time(NULL);
    e->seq = 0;
    memset(e->prev, 0, sizeof e->prev);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    cpi_status s = cpi_audit_encode(e, &sb, err);
    if (s || sb.size > MAX_VALUE || j->end + FRAME_HEAD + sb.size > j->capacity) {
        msgpack_sbuffer_destroy(&sb);
        return s; /* does not fit: the caller logs it to the chain */
    }
    unsigned char head[FRAME_HEAD];
    memcpy(head, FRAME_MAGIC, 4);
    cpi_be64_put(head + 4, j->gen);
    cpi_be32_put(head + 12, (uint32_t)sb.size);
    struct iovec iov[2] = {{head, sizeof head}, {sb.data, sb.size}};
    ssize_t want = (ssize_t)(sizeof head + sb.size);
    if (flock(j->fd, LOCK_EX) != 0) {
        msgpack_sbuffer_destroy(&sb);
        return cpi_error_set(err, CPI_ERR_IO, "audit journal: lock: %s", strerror(errno));
    }
    ssize_t w = pwritev(j->fd, iov, 2, (off_t)j->end); /* O_DSYNC: on disk when it returns */
    int saved = errno;
    flock(j->fd, LOCK_UN);
    msgpack_sbuffer_destroy(&sb);
    if (w != want) /* a part written is overwritten by the next append: end has not moved */
        return cpi_error_set(err, CPI_ERR_IO, "audit journal: cannot log the consultation: %s",
                             w < 0 ? strerror(saved) : "short write");
    j->end += (uint64_t)want;
    j->pending++;
    *fitted = true;
    return CPI_OK;
}
