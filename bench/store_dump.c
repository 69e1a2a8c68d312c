/*
 * store_dump.c - every key and value of every named database of a store, as
 * hex, one pair a line, in LMDB's order (built as build/cpi-store-dump).
 *
 *   cpi-store-dump STORE_DIR [DB...]      (default: every named database)
 *   cpi-store-dump --stat STORE_DIR       pages and entries per database
 *
 * Lines: "DB<TAB>KEY-HEX<TAB>VALUE-HEX". Two stores hold the same data exactly
 * when their dumps are equal, whatever their page layout: bench/ingest_same.sh
 * compares the stores an old and a new cpindex build from one input with it.
 * It reads LMDB directly (read-only snapshot), not through the library, so a
 * change to the library's codec cannot hide in the dump.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(FILE *out, const MDB_val *v)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = v->mv_data;
    for (size_t i = 0; i < v->mv_size; i++) {
        putc(digits[p[i] >> 4], out);
        putc(digits[p[i] & 15], out);
    }
}

static int stat_only;

static int dump_db(MDB_txn *txn, const char *name)
{
    MDB_dbi dbi;
    int rc = mdb_dbi_open(txn, name, 0, &dbi);
    if (rc) {
        fprintf(stderr, "cpi-store-dump: database %s: %s\n", name, mdb_strerror(rc));
        return 1;
    }
    if (stat_only) {
        MDB_stat ms;
        if ((rc = mdb_stat(txn, dbi, &ms)))
            return 1;
        size_t pages = ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages;
        printf("%-10s entries %10zu  depth %u  branch %8zu  leaf %8zu  overflow %8zu  (%.1f MiB)\n", name,
               ms.ms_entries, ms.ms_depth, ms.ms_branch_pages, ms.ms_leaf_pages, ms.ms_overflow_pages,
               pages * ms.ms_psize / 1048576.0);
        return 0;
    }
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, dbi, &cur))) {
        fprintf(stderr, "cpi-store-dump: cursor on %s: %s\n", name, mdb_strerror(rc));
        return 1;
    }
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        fputs(name, stdout);
        putchar('\t');
        hex(stdout, &k);
        putchar('\t');
        hex(stdout, &v);
        putchar('\n');
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND) {
        fprintf(stderr, "cpi-store-dump: reading %s: %s\n", name, mdb_strerror(rc));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--stat") == 0) {
        stat_only = 1;
        argv++;
        argc--;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: cpi-store-dump [--stat] STORE_DIR [DB...]\n");
        return 2;
    }
    MDB_env *env;
    MDB_txn *txn;
    int rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_set_maxdbs(env, 64);
    if (!rc)
        rc = mdb_env_set_mapsize(env, 1ull << 40);
    if (!rc)
        rc = mdb_env_open(env, argv[1], MDB_RDONLY | MDB_NOTLS, 0600);
    if (!rc)
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc) {
        fprintf(stderr, "cpi-store-dump: %s: %s\n", argv[1], mdb_strerror(rc));
        return 1;
    }
    int bad = 0;
    if (argc > 2) {
        for (int i = 2; i < argc; i++)
            bad |= dump_db(txn, argv[i]);
    } else {
        /* the main database lists the named ones */
        MDB_dbi main_dbi;
        MDB_cursor *cur;
        MDB_val k, v;
        char *names[64];
        int n = 0;
        if (mdb_dbi_open(txn, NULL, 0, &main_dbi) || mdb_cursor_open(txn, main_dbi, &cur)) {
            fprintf(stderr, "cpi-store-dump: %s: cannot list databases\n", argv[1]);
            return 1;
        }
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && n < 64;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            names[n] = malloc(k.mv_size + 1);
            if (!names[n])
                return 1;
            memcpy(names[n], k.mv_data, k.mv_size);
            names[n++][k.mv_size] = '\0';
        }
        mdb_cursor_close(cur);
        for (int i = 0; i < n; i++) {
            bad |= dump_db(txn, names[i]);
            free(names[i]);
        }
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return bad;
}
