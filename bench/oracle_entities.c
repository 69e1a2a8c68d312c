/*
 * oracle_entities.c - resolve a store by cpgen's ground truth, then build the
 * graph: an oracle resolver for query benchmarks and development.
 *
 * The query layer's speed and output should be measurable without depending
 * on how well the real resolver does, so this writes CPI_DB_ENTITY_OF and
 * CPI_DB_MEMBERS straight from DIR/truth.csv (true id P0000042 becomes entity
 * P-0000042) and runs cpi_graph_build(). Mentions truth.csv does not list
 * (rejected rows) stay unresolved. Never use it on anything but cpgen output.
 *
 * Built with the tree (not part of ctest):
 *   build/oracle_entities STORE FORCE_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/store.h"
#include "graph/graph.h"

typedef struct ctx {
    const char *truth;
    uint64_t mentions, entities;
} ctx;

static cpi_status load(cpi_txn *txn, void *vctx, cpi_error *err)
{
    ctx *c = vctx;
    c->mentions = c->entities = 0;
    FILE *f = fopen(c->truth, "r");
    if (!f)
        return cpi_error_set(err, CPI_ERR_IO, "%s: cannot open", c->truth);
    char line[1024];
    cpi_status s = cpi_txn_clear(txn, CPI_DB_ENTITY_OF, err);
    if (!s)
        s = cpi_txn_clear(txn, CPI_DB_MEMBERS, err);
    if (!fgets(line, sizeof line, f)) /* header */
        s = s ? s : cpi_error_set(err, CPI_ERR_DATA, "%s: empty", c->truth);
    while (!s && fgets(line, sizeof line, f)) {
        char *ref = strtok(line, ","), *kind = strtok(NULL, ","), *tid = strtok(NULL, ",\n");
        if (!ref || !kind || !tid || strcmp(kind, "reject") == 0 || strlen(tid) < 2)
            continue;
        char eid[32];
        snprintf(eid, sizeof eid, "%c-%s", tid[0], tid + 1);
        cpi_slice old;
        bool fresh = cpi_txn_get(txn, CPI_DB_MEMBERS, eid, strlen(eid), &old, NULL) == CPI_NOT_FOUND;
        s = cpi_txn_put(txn, CPI_DB_ENTITY_OF, ref, strlen(ref), eid, strlen(eid), err);
        if (!s)
            s = cpi_txn_put(txn, CPI_DB_MEMBERS, eid, strlen(eid), ref, strlen(ref), err);
        c->mentions++;
        c->entities += fresh;
    }
    fclose(f);
    if (!s) {
        int64_t cur;
        s = cpi_txn_counter_get(txn, "entities", &cur, err);
        if (!s)
            s = cpi_txn_counter_add(txn, "entities", (int64_t)c->entities - cur, err);
    }
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: oracle_entities STORE FORCE_DIR\n");
        return 2;
    }
    char truth[4096];
    snprintf(truth, sizeof truth, "%s/truth.csv", argv[2]);
    cpi_error err = {0};
    cpi_store *st;
    cpi_store_opts o = {.flags = 0};
    if (cpi_store_open(argv[1], &o, &st, &err)) {
        fprintf(stderr, "oracle_entities: %s\n", err.msg);
        return 3;
    }
    ctx c = {truth, 0, 0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cpi_status s = cpi_store_write(st, load, &c, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (s) {
        fprintf(stderr, "oracle_entities: %s\n", err.msg);
        cpi_store_close(st);
        return 3;
    }
    printf("entities: %llu mentions in %llu entities (%.2f s)\n", (unsigned long long)c.mentions,
           (unsigned long long)c.entities, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    cpi_graph_stats gs;
    s = cpi_graph_build(st, NULL, &gs, &err);
    cpi_store_close(st);
    if (s) {
        fprintf(stderr, "oracle_entities: graph: %s\n", err.msg);
        return 3;
    }
    printf("graph: %llu records, %llu mentions (%llu unresolved), %llu entities, %llu edges "
           "(%llu relations, %llu occurrences, %llu households; %llu occurrence links unmatched, %llu big "
           "households skipped)\n"
           "       %llu networks (largest %llu), %llu communities (modularity %.3f)\n"
           "       scan %.2f s, analytics %.2f s, write %.2f s\n",
           (unsigned long long)gs.records, (unsigned long long)gs.mentions, (unsigned long long)gs.unresolved,
           (unsigned long long)gs.entities, (unsigned long long)gs.edges,
           (unsigned long long)gs.edges_from_relations, (unsigned long long)gs.edges_from_occurrences,
           (unsigned long long)gs.edges_from_households, (unsigned long long)gs.occurrence_links_unmatched,
           (unsigned long long)gs.households_skipped, (unsigned long long)gs.components,
           (unsigned long long)gs.largest_component, (unsigned long long)gs.communities, gs.modularity,
           gs.seconds_scan, gs.seconds_analytics, gs.seconds_write);
    return 0;
}
