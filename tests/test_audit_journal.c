/*
 * test_audit_journal.c - consultations a server journals (audit/journal.h)
 * reach the audit chain whole, once and in order, whatever stops when:
 * they are read by 'audit show' and 'audit verify' before any fold; any other
 * append folds them first; a frame cut short ends the journal; a crash
 * between the fold's commit and the new generation folds nothing twice; an
 * entry too large for the journal goes to the chain in its place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/journal.h"
#include "core/store.h"
#include "testutil.h"

typedef struct fixture {
    char *dir;
    char db[4200];
    char journal[4300];
    cpi_store *st;
    cpi_audit_journal *j;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    snprintf(f->db, sizeof f->db, "%s/db", f->dir);
    snprintf(f->journal, sizeof f->journal, "%s/%s", f->db, CPI_AUDIT_JOURNAL_FILE);
    cpi_store_opts o = {.flags = CPI_STORE_CREATE};
    cpi_error err = {0};
    if (cpi_store_open(f->db, &o, &f->st, &err) != CPI_OK || cpi_audit_journal_open(f->st, &f->j, &err) != CPI_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->j)
        cpi_audit_journal_close(f->j, NULL);
    cpi_store_close(f->st);
    tu_rmrf_free(f->dir);
    free(f);
    return 0;
}

/* Entries in the chain itself, read without settling the journal first. */
static uint64_t chain_len(cpi_store *st)
{
    cpi_txn *t;
    uint64_t n = 0;
    assert_int_equal(cpi_store_read_begin(st, &t, NULL), CPI_OK);
    assert_int_equal(cpi_txn_count(t, CPI_DB_AUDIT, &n, NULL), CPI_OK);
    cpi_txn_end(t);
    return n;
}

static void consult(cpi_store *st, const char *query)
{
    cpi_grant g = {.user = "pc1234", .reason = "attending address, concern for child", .action = "child"};
    const char *ents[] = {"P-0000042"};
    const char *refs[] = {"miraf:MF-2021-000045/1"};
    cpi_error err = {0};
    assert_int_equal(cpi_audit_consultation(st, &g, query, ents, 1, refs, 1, &err), CPI_OK);
}

static void log_other(cpi_store *st, const char *command)
{
    cpi_audit_entry e = {.kind = CPI_AUDIT_COLLECTION, .user = "admin", .command = command};
    cpi_error err = {0};
    assert_int_equal(cpi_audit_log(st, &e, &err), CPI_OK);
}

typedef struct seen {
    char what[16][64];
    int n;
    int64_t last_time;
    int out_of_order;
} seen;

static cpi_status keep(void *ctx, const cpi_audit_entry *e, cpi_error *err)
{
    (void)err;
    seen *s = ctx;
    if (s->n < 16)
        snprintf(s->what[s->n], sizeof s->what[0], "%s", e->query ? e->query : e->command);
    s->n++;
    s->out_of_order += e->time < s->last_time;
    s->last_time = e->time;
    return CPI_OK;
}

static seen read_log(cpi_store *st)
{
    seen s = {0};
    assert_int_equal(cpi_audit_query(st, NULL, keep, &s, NULL), CPI_OK);
    cpi_audit_report rep;
    cpi_error err = {0};
    assert_int_equal(cpi_audit_verify(st, NULL, &rep, &err), CPI_OK);
    assert_int_equal(rep.entries, (uint64_t)s.n);
    return s;
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = tu_slurp(from, &len);
    assert_non_null(data);
    FILE *fp = fopen(to, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
    free(data);
}

/* Journalled, not yet in the chain, yet 'audit show' and 'verify' see them: they settle the journal first. */
static void test_journalled_then_read_whole(void **state)
{
    fixture *f = *state;
    consult(f->st, "child A");
    consult(f->st, "child B");
    assert_int_equal(cpi_audit_journal_pending(f->j), 2);
    assert_int_equal(chain_len(f->st), 0); /* the journal, not the chain, took them */
    seen s = read_log(f->st);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.what[0], "child A");
    assert_string_equal(s.what[1], "child B");
    assert_int_equal(chain_len(f->st), 2);
    /* the server's own fold then finds nothing more to add */
    unsigned folded = 99;
    assert_int_equal(cpi_audit_journal_fold(f->j, &folded, NULL), CPI_OK);
    assert_int_equal(folded, 0);
    assert_int_equal(read_log(f->st).n, 2);
}

/* Any other writer's entry goes after what the server journalled before it. */
static void test_other_append_folds_first(void **state)
{
    fixture *f = *state;
    consult(f->st, "child A");
    consult(f->st, "child B");
    log_other(f->st, "ingest");
    consult(f->st, "child C");
    unsigned folded = 0;
    assert_int_equal(cpi_audit_journal_fold(f->j, &folded, NULL), CPI_OK);
    assert_int_equal(folded, 1); /* A and B went in with the ingest's entry */
    seen s = read_log(f->st);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.what[0], "child A");
    assert_string_equal(s.what[1], "child B");
    assert_string_equal(s.what[2], "ingest");
    assert_string_equal(s.what[3], "child C");
    assert_int_equal(s.out_of_order, 0);
}

/* Power lost mid-append: the frame cut short was never acknowledged; it and what follows are not read. */
static void test_cut_frame_ends_journal(void **state)
{
    fixture *f = *state;
    consult(f->st, "child A");
    consult(f->st, "child B");
    int fd = open(f->journal, O_RDWR);
    assert_true(fd >= 0);
    /* the second frame starts after the header and the first: find it by its magic */
    char buf[8192];
    assert_int_equal(pread(fd, buf, sizeof buf, 0), (ssize_t)sizeof buf);
    char *second = memmem(buf + 4096 + 4, sizeof buf - 4096 - 4, "CPJ1", 4);
    assert_non_null(second);
    off_t at = (off_t)(second - buf) + 40;
    assert_int_equal(pwrite(fd, "\xff\xff\xff\xff", 4, at), 4);
    close(fd);
    seen s = read_log(f->st);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.what[0], "child A");
}

/* Crash after the fold committed, before the new generation: the old journal comes back; nothing twice. */
static void test_crash_after_commit_folds_nothing_twice(void **state)
{
    fixture *f = *state;
    consult(f->st, "child A");
    consult(f->st, "child B");
    char saved[4400];
    snprintf(saved, sizeof saved, "%s.saved", f->journal);
    copy_file(f->journal, saved);
    assert_int_equal(cpi_audit_journal_fold(f->j, NULL, NULL), CPI_OK);
    assert_int_equal(chain_len(f->st), 2);
    assert_int_equal(cpi_audit_journal_close(f->j, NULL), CPI_OK);
    f->j = NULL;
    copy_file(saved, f->journal); /* as if the restart's header write never reached the disk */
    assert_int_equal(read_log(f->st).n, 2);
    log_other(f->st, "ingest");
    assert_int_equal(read_log(f->st).n, 3);
    /* a server started again over it folds nothing either, and journals on */
    assert_int_equal(cpi_audit_journal_open(f->st, &f->j, NULL), CPI_OK);
    consult(f->st, "child C");
    seen s = read_log(f->st);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.what[3], "child C");
}

/* A server that died with entries unfolded: 'audit show' reads them, the next server folds nothing twice. */
static void test_unfolded_left_by_dead_server(void **state)
{
    fixture *f = *state;
    assert_int_equal(cpi_audit_journal_close(f->j, NULL), CPI_OK);
    f->j = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the server: journals one consultation and dies before any fold */
        cpi_store *st;
        cpi_audit_journal *j;
        cpi_store_opts o = {0};
        if (cpi_store_open(f->db, &o, &st, NULL) != CPI_OK || cpi_audit_journal_open(st, &j, NULL) != CPI_OK)
            _exit(1);
        cpi_grant g = {.user = "pc1234", .reason = "attending address, concern for child", .action = "child"};
        _exit(cpi_audit_consultation(st, &g, "child A", NULL, 0, NULL, 0, NULL) == CPI_OK ? 0 : 1);
    }
    assert_int_equal(tu_wait(pid), 0);
    assert_int_equal(chain_len(f->st), 0);
    seen s = read_log(f->st);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.what[0], "child A");
    assert_int_equal(cpi_audit_journal_open(f->st, &f->j, NULL), CPI_OK);
    consult(f->st, "child B");
    s = read_log(f->st);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.what[1], "child B");
}

/* Too large for the space written ahead: logged to the chain instead, after what was journalled. */
static void test_too_large_goes_to_chain(void **state)
{
    fixture *f = *state;
    consult(f->st, "child A");
    size_t n = 100000; /* 1.3 MB of ids: more than the journal holds */
    const char **ents = calloc(n, sizeof *ents);
    for (size_t i = 0; i < n; i++)
        ents[i] = "P-0000000042";
    cpi_grant g = {.user = "an1", .reason = "network analysis for operation", .action = "analyse"};
    cpi_error err = {0};
    assert_int_equal(cpi_audit_consultation(f->st, &g, "analyse networks", ents, n, NULL, 0, &err), CPI_OK);
    free(ents);
    assert_int_equal(chain_len(f->st), 2); /* A folded first, then the large one */
    assert_int_equal(cpi_audit_journal_pending(f->j), 1); /* the server's count; its fold finds nothing */
    seen s = read_log(f->st);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.what[0], "child A");
    assert_string_equal(s.what[1], "analyse networks");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_journalled_then_read_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_append_folds_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_frame_ends_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_after_commit_folds_nothing_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unfolded_left_by_dead_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_goes_to_chain, setup, teardown),
    };
    return cmocka_run_group_tests_name("audit_journal", tests, NULL, NULL);
}
