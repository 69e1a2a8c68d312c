/*
 * desk_bench.h - what the in-process benchmarks (bench/profile_bench.c,
 * bench/query_bench.c) share to read answers the only way anyone may: through
 * the desk (desk/desk.h), authorised and logged, as `cpindex serve` answers
 * them. Who asks and why come from CPINDEX_USER and CPINDEX_REASON (bench/run
 * grants that user analyst, polit and marac); each consultation goes to the
 * audit journal beside the store with one flush (audit/journal.h), and the
 * journal is folded into the chain between answers, untimed, as the server
 * folds it between questions. Header-only: each driver is one translation unit.
 */
#ifndef CPI_BENCH_DESK_BENCH_H
#define CPI_BENCH_DESK_BENCH_H

#include <stdio.h>
#include <stdlib.h>

#include "audit/journal.h"
#include "desk/desk.h"

#define DESK_BENCH_FOLD_AT 256 /* as cmd_serve.c's SERVE_FOLD_AT */

typedef struct desk_bench {
    const char *user, *reason;
    cpi_audit_journal *journal;
} desk_bench;

/* Who asks (refused with exit 2 when unset, as the CLI refuses) and the journal on st; 0, or an exit status. */
static inline int desk_bench_open(desk_bench *b, cpi_store *st, const char *prog)
{
    b->user = getenv("CPINDEX_USER");
    b->reason = getenv("CPINDEX_REASON");
    if (!b->user || !*b->user || !b->reason || !*b->reason) {
        fprintf(stderr, "%s: refused: set CPINDEX_USER (a user with the analyst role) and CPINDEX_REASON\n", prog);
        return 2;
    }
    cpi_error err = {0};
    if (cpi_audit_journal_open(st, &b->journal, &err) != CPI_OK) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return 3;
    }
    return 0;
}

/* Between answers, untimed: fold the journal once it holds DESK_BENCH_FOLD_AT consultations. */
static inline cpi_status desk_bench_settle(desk_bench *b, cpi_error *err)
{
    return cpi_audit_journal_pending(b->journal) >= DESK_BENCH_FOLD_AT ? cpi_audit_journal_fold(b->journal, NULL, err)
                                                                         : CPI_OK;
}

/* Fold what is left and close the journal (before the store). */
static inline cpi_status desk_bench_close(desk_bench *b, cpi_error *err)
{
    return cpi_audit_journal_close(b->journal, err);
}

#endif
