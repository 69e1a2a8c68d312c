/*
 * store_internal.h - what core/store.c (the LMDB engine) and core/records.c (records and their
 * key index) share, and nothing else: the store's and a transaction's structs, LMDB error
 * mapping, and the sorted key-index buffer a record put adds to.
 */
#ifndef CPI_CORE_STORE_INTERNAL_H
#define CPI_CORE_STORE_INTERNAL_H

#include <lmdb.h>

#include "core/codec.h"
#include "core/store.h"

/*
 * Key-index additions made in a write transaction are buffered and written in
 * sorted order (before commit, before anything reads or deletes CPI_DB_KEYS,
 * or when the buffer passes KEYBUF_MAX): inserting 10 million random keys one
 * by one touches a random B-tree page each time, sorted runs touch each page
 * about once. Entries: [u16 key length][u16 value length][key][value].
 */
#define KEYBUF_MAX (64u << 20)

typedef struct keyent {
    uint64_t prefix, prefix2; /* the key's bytes 0-7 and 8-15, big-endian, zero-padded */
    size_t off;
} keyent;

typedef struct keybuf {
    unsigned char *bytes;
    size_t len, cap;
    keyent *offs;
    size_t n, offcap;
    keyent *tmp;   /* the radix sort's second array, offcap entries */
    size_t *count; /* its 65536 digit counters */
} keybuf;

struct cpi_store {
    MDB_env *env;
    MDB_dbi dbi[CPI_DB__COUNT];
    char *path;
    uint64_t map_size, max_map_size;
    unsigned growths;
    unsigned dead_readers; /* stale reader slots freed since open */
    int readonly_errno;    /* EROFS: opened read-only because the file system is */
    unsigned schema_on_disk; /* meta "schema" as opened (0: a new store); 1 is upgraded at open */
    /* A write transaction's key buffer and encoding buffer, kept from one transaction to the
     * next: an ingest is one transaction per file, and fresh buffers each time cost a page
     * fault per 4 KiB touched again (a tenth of an ingest's time on a virtual machine). */
    keybuf spare_kb;
    cpi_buf spare_enc;
    bool kept; /* cpi_store_keep: cpi_store_close leaves it open (cpindex serve) */
    struct cpi_audit_journal *journal; /* cpi_store_set_journal: where consultations go first */
};


struct cpi_txn {
    cpi_store *st;
    MDB_txn *txn;
    bool map_full; /* set by a put that met MDB_MAP_FULL; cpi_store_write grows and retries */
    keybuf kb;     /* write transactions only */
    MDB_cursor *rec_cur; /* cpi_store_put_record's cursor on CPI_DB_RECORDS (write transactions) */
    cpi_buf enc;         /* cpi_store_put_record's encoding buffer */
    /* counter deltas not yet written (a record put adds to two counters: 4 B-tree operations
     * per record otherwise); written before commit or before anything reads CPI_DB_META */
    struct {
        char name[48];
        int64_t delta;
    } pend[8];
    unsigned npend;
};

struct cpi_cursor {
    MDB_cursor *cur;
};

/* An LMDB failure as the library's error: what was being done, on which store. */
cpi_status cpi_store_lmdb_err(cpi_error *err, const char *what, const char *path, int rc);
/* A data operation's LMDB return code: MDB_MAP_FULL marks the transaction for growth (cpi_store_write retries). */
cpi_status cpi_store_data_rc(cpi_txn *txn, int rc, const char *what, cpi_error *err);
/* Buffer one key-index entry (written sorted before commit or before anything reads the index). */
cpi_status cpi_store_keybuf_add(cpi_txn *txn, const void *key, size_t klen, const void *val, size_t vlen,
                                cpi_error *err);

#endif
