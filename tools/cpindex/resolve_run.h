/*
 * resolve_run.h - the end of every resolve the CLI runs (cpindex resolve, and
 * the re-resolve inside cpindex purge): inside resolve's own write transaction,
 * derive the graph (graph/graph.h), then append the audit log's combination
 * entry, so entities, graph and log commit together or not at all.
 */
#ifndef CPI_CLI_RESOLVE_RUN_H
#define CPI_CLI_RESOLVE_RUN_H

#include "audit/access.h"
#include "resolve/resolve.h"
#include "graph/graph.h"

typedef struct cli_resolve_after {
    const cpi_grant *g;      /* who and why, for the log */
    const char *command;     /* "resolve" or "purge" */
    cpi_graph_stats graph;   /* filled: what the graph build made */
} cli_resolve_after;

/* A cpi_resolve_opts.after_write; ctx is a cli_resolve_after. */
cpi_status cli_resolve_after_write(cpi_txn *txn, const cpi_resolve_report *rep, void *ctx, cpi_error *err);

#endif
