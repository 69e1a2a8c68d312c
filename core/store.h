/*
 * store.h - the embedded store: an LMDB environment of named databases with
 * msgpack values.
 *
 * Invariants kept here, not by callers:
 *  - a store is a directory (mode 0700) holding data.mdb and lock.mdb (0600);
 *    one left readable by others is refused unless CPI_STORE_FORCE;
 *  - meta/"schema" holds the schema version; an unknown or newer one is refused;
 *  - every mention's lookup keys (fn nn sn sa dob nid pnc addr pc lid tel: the
 *    ones query/lookup.c and explain start from; see indexed_key in store.c) are indexed in
 *    CPI_DB_KEYS and the index changes in the same transaction as the record, so
 *    it never disagrees (additions are buffered and written sorted before commit
 *    or before anything in the transaction reads CPI_DB_KEYS);
 *  - a replaced record keeps its earlier versions' hash and ingest time; a
 *    mention it no longer has, or whose kind changed, leaves its entity
 *    (entity_of, members) and META CPI_META_RESOLVE_DUE is set;
 *  - writes happen in cpi_store_write(), which grows the map and re-runs the
 *    whole batch when LMDB reports MDB_MAP_FULL, so callers never see it.
 *
 * Ownership: cpi_store_open() returns a handle freed by cpi_store_close().
 * Slices returned by get/cursor calls point into LMDB's map and stay valid
 * until the transaction ends. Records decoded with cpi_store_get_record()
 * point into the caller's arena.
 */
#ifndef CPI_STORE_H
#define CPI_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/model.h"

#define CPI_SCHEMA_VERSION 2 /* 2: fewer key kinds indexed; a version 1 store is upgraded at open */

/* Named databases. Keys are text or big-endian integers so cursors iterate in order. */
typedef enum cpi_db {
    CPI_DB_META,      /* "schema" -> u32 BE; "n:..." -> i64 BE counters; other settings */
    CPI_DB_RECORDS,   /* "source:RECORD_ID" -> msgpack record (mentions, relations inside) */
    CPI_DB_KEYS,      /* "name\x1fvalue" -> mention reference (dupsort): lookup and blocking */
    CPI_DB_ENTITY_OF, /* mention reference -> entity id */
    CPI_DB_MEMBERS,   /* entity id -> mention reference (dupsort) */
    CPI_DB_EDGES,     /* entity id -> msgpack edge (dupsort) */
    CPI_DB_OVERRIDES, /* "refA\x1frefB" -> msgpack human link/unlink decision */
    CPI_DB_ANALYTICS, /* analytics results written back after graph runs */
    CPI_DB_AUDIT,     /* u64 BE sequence -> msgpack audit entry (append only) */
    CPI_DB_USERS,     /* user name -> msgpack roles */
    CPI_DB_REVIEW,    /* "refA\x1frefB" -> msgpack possible-band pair left by resolve for human review */
    CPI_DB__COUNT
} cpi_db;

/* META key holding why a resolve is due (text; purge.h, put_record), absent when none is. */
#define CPI_META_RESOLVE_DUE "resolve:due"

/* Open flags. */
#define CPI_STORE_CREATE 1u   /* create the directory and databases if missing */
#define CPI_STORE_READONLY 2u /* the caller only reads (a store on a read-only file system opens) */
#define CPI_STORE_FORCE 4u    /* open even if the directory is readable by others */

typedef struct cpi_store_opts {
    unsigned flags;
    uint64_t initial_map_size; /* bytes; 0 = default (64 MiB) */
    uint64_t max_map_size;     /* growth stops here; 0 = default (1 TiB) */
} cpi_store_opts;

typedef struct cpi_store cpi_store;
typedef struct cpi_txn cpi_txn;
typedef struct cpi_cursor cpi_cursor;

typedef struct cpi_slice {
    const void *data;
    size_t len;
} cpi_slice;

/* Open the store at dir. CPI_NOT_FOUND if it does not exist and CPI_STORE_CREATE is not set. */
cpi_status cpi_store_open(const char *dir, const cpi_store_opts *opts, cpi_store **out, cpi_error *err);
void cpi_store_close(cpi_store *st);
/*
 * Keep st open: while kept, cpi_store_close(st) does nothing. For a process
 * that answers many commands from one open store (cpindex serve), whose
 * commands close the store they were given as they would their own. Unkeep
 * it, then close it, to close it.
 */
void cpi_store_keep(cpi_store *st, bool keep);
const char *cpi_store_path(const cpi_store *st);
/* The store a transaction belongs to. */
cpi_store *cpi_txn_store(cpi_txn *txn);
/* The audit journal (audit/journal.h) this process logs consultations to first; NULL: none. */
struct cpi_audit_journal;
void cpi_store_set_journal(cpi_store *st, struct cpi_audit_journal *j);
struct cpi_audit_journal *cpi_store_journal(const cpi_store *st);
/*
 * Map the store's pages in use into this process's page tables now, from
 * *done bytes (0 at first) to the end of the pages in use, and set *done to
 * that end. For a long-lived reader (cpindex serve): without it, the first
 * question that touches each page pays a page fault (tens of microseconds on
 * a virtual machine), so the first answer about each child is the slowest.
 * Reads only pages already in the page cache or readable from disk; changes
 * nothing. CPI_ERR_IO with the reason if the kernel refuses (before Linux
 * 5.14 there is no MADV_POPULATE_READ).
 */
cpi_status cpi_store_prefault(cpi_store *st, uint64_t *done, cpi_error *err);
uint64_t cpi_store_map_size(const cpi_store *st);

/* A read-only snapshot: sees the state at begin, whatever writers do meanwhile. */
cpi_status cpi_store_read_begin(cpi_store *st, cpi_txn **out, cpi_error *err);
/* End a read transaction (or abandon any transaction). */
void cpi_txn_end(cpi_txn *txn);

/*
 * Run fn inside one write transaction and commit it. If the map fills, the
 * transaction is aborted, the map grown and fn run again from the start, so
 * fn must be restartable (it must not keep state from an aborted attempt).
 * If fn fails, nothing it wrote is kept.
 */
typedef cpi_status (*cpi_write_fn)(cpi_txn *txn, void *ctx, cpi_error *err);
cpi_status cpi_store_write(cpi_store *st, cpi_write_fn fn, void *ctx, cpi_error *err);
/* How many times the map was grown since open (for reports and tests). */
unsigned cpi_store_growths(const cpi_store *st);

/*
 * Before a write expected to add about `bytes`, grow the map (doubling, as a
 * full map would, never past the limit) so the pages in use plus `bytes` fit.
 * Growth met inside cpi_store_write() aborts and re-runs the whole batch: an
 * ingest file's transaction done twice. An estimate only: a write that needs
 * more still grows and re-runs, and one at the limit fails there as before.
 * Call with no transaction of this handle open.
 */
cpi_status cpi_store_reserve(cpi_store *st, uint64_t bytes, cpi_error *err);
/*
 * Reader slots of dead processes freed since open (for reports and tests).
 * A process killed while it held a snapshot leaves its slot behind, pinning
 * that snapshot's pages; the store frees such slots at open and before each
 * write.
 */
unsigned cpi_store_dead_readers(const cpi_store *st);

/* Raw access. get: CPI_NOT_FOUND if absent. put on a dupsort db adds a value. */
cpi_status cpi_txn_get(cpi_txn *txn, cpi_db db, const void *key, size_t klen, cpi_slice *val, cpi_error *err);
cpi_status cpi_txn_put(cpi_txn *txn, cpi_db db, const void *key, size_t klen, const void *val, size_t vlen,
                       cpi_error *err);
/* Delete key (all its values), or only the (key, val) pair when val is non-NULL on a dupsort db. */
cpi_status cpi_txn_del(cpi_txn *txn, cpi_db db, const void *key, size_t klen, const void *val, size_t vlen,
                       cpi_error *err);
/* Remove every entry of a database (it stays open and empty). */
cpi_status cpi_txn_clear(cpi_txn *txn, cpi_db db, cpi_error *err);
/* Number of values under key in a dupsort database (0 if the key is absent). */
cpi_status cpi_txn_count_dups(cpi_txn *txn, cpi_db db, const void *key, size_t klen, uint64_t *out, cpi_error *err);
/* Is the (key, val) pair in a dupsort db? CPI_OK if so, CPI_NOT_FOUND if not. */
cpi_status cpi_txn_get_pair(cpi_txn *txn, cpi_db db, const void *key, size_t klen, const void *val, size_t vlen,
                            cpi_error *err);
/* Number of entries in a database. */
cpi_status cpi_txn_count(cpi_txn *txn, cpi_db db, uint64_t *out, cpi_error *err);
/* Signed 64-bit counters in CPI_DB_META under "n:NAME" (absent = 0). */
cpi_status cpi_txn_counter_add(cpi_txn *txn, const char *name, int64_t delta, cpi_error *err);
cpi_status cpi_txn_counter_get(cpi_txn *txn, const char *name, int64_t *out, cpi_error *err);

/* Cursors: seek to the first key >= key (NULL: the first key), then step. CPI_NOT_FOUND at the end. */
cpi_status cpi_cursor_open(cpi_txn *txn, cpi_db db, cpi_cursor **out, cpi_error *err);
cpi_status cpi_cursor_seek(cpi_cursor *c, const void *key, size_t klen, cpi_slice *k, cpi_slice *v,
                           cpi_error *err);
cpi_status cpi_cursor_next(cpi_cursor *c, cpi_slice *k, cpi_slice *v, cpi_error *err);
/* On a dupsort db: position at key's first value >= val (bytewise); CPI_NOT_FOUND if there is none. */
cpi_status cpi_cursor_seek_dup(cpi_cursor *c, const void *key, size_t klen, const void *val, size_t vlen,
                               cpi_slice *k, cpi_slice *v, cpi_error *err);
/* Next value of the same key on a dupsort db. */
cpi_status cpi_cursor_next_dup(cpi_cursor *c, cpi_slice *k, cpi_slice *v, cpi_error *err);
void cpi_cursor_close(cpi_cursor *c);

/* What storing a record did. */
typedef enum cpi_put_result {
    CPI_PUT_STORED,    /* new reference */
    CPI_PUT_UNCHANGED, /* same reference, same content hash: nothing written */
    CPI_PUT_REPLACED,  /* same reference, new content: old version kept in history */
} cpi_put_result;

/*
 * Store a record under rec->ref, with its mentions' keys indexed. The caller
 * sets prov.hash and prov.ingest_time; version and history are set here.
 */
cpi_status cpi_store_put_record(cpi_txn *txn, const cpi_record *rec, cpi_put_result *result, cpi_error *err);
/* Fetch and decode a record. CPI_NOT_FOUND if absent. */
cpi_status cpi_store_get_record(cpi_txn *txn, const char *ref, cpi_arena *arena, cpi_record *out,
                                cpi_error *err);
/* Remove a record and its key index entries. CPI_NOT_FOUND if absent. */
cpi_status cpi_store_delete_record(cpi_txn *txn, const char *ref, cpi_error *err);

/* Separator between a key name and its value in CPI_DB_KEYS. */
#define CPI_KEY_SEP '\x1f'
/*
 * Does CPI_DB_KEYS hold a mention key of this name with a value this long?
 * (A lookup name, and short enough for LMDB; see indexed_key in store.c.)
 */
bool cpi_store_key_indexed(const char *name, size_t value_len);

/* What the store holds, for `cpindex stats`. */
typedef struct cpi_source_count {
    char source[CPI_SOURCE_MAX];
    uint64_t records;
} cpi_source_count;

typedef struct cpi_store_stats {
    uint32_t schema_version;
    uint64_t records, mentions, entities, edges, audit_entries;
    cpi_source_count sources[32];
    unsigned nsources;
    uint64_t map_size, file_bytes;
} cpi_store_stats;

cpi_status cpi_store_stats_get(cpi_store *st, cpi_store_stats *out, cpi_error *err);

#endif
