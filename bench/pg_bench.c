/*
 * pg_bench.c - how long PostgreSQL takes to answer the child profile
 * (bench/pg/profile.sql) for the same targets cpindex is timed on, from a
 * client in another process over a Unix socket: the best case for a client
 * of a database server (one connection kept open, a prepared statement, one
 * round trip per answer).
 *
 *   cpi-pg-bench CONNINFO PROFILE_SQL TARGETS STATEMENT [--warm] [--raw FILE]
 *
 * Runs PROFILE_SQL (its PREPARE statements) once, then for every "child ID"
 * line of TARGETS (cpi-query-bench targets) executes STATEMENT(ID) and times
 * it from sending to having the whole JSON document in hand. Prints one JSON
 * line as bench/latency.h does; --warm answers every target once, untimed,
 * first; --raw writes every sample in microseconds. Exit status 0, 2 usage,
 * 3 connection or query error.
 */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/latency.h"

/* The whole file as a NUL-terminated string (malloc'd), or NULL after saying why. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    char *buf = NULL;
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (len >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len + 1)) &&
        fread(buf, 1, (size_t)len, f) == (size_t)len)
        buf[len] = '\0';
    else {
        fprintf(stderr, "cpi-pg-bench: %s: cannot read\n", path);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: cpi-pg-bench CONNINFO PROFILE_SQL TARGETS STATEMENT [--warm] [--raw FILE]\n");
        return 2;
    }
    bool warm = false;
    const char *raw_path = NULL;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--warm") == 0)
            warm = true;
        else if (strcmp(argv[i], "--raw") == 0 && i + 1 < argc)
            raw_path = argv[++i];
        else {
            fprintf(stderr, "cpi-pg-bench: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    char *sql = slurp(argv[2]);
    if (!sql)
        return 3;

    /* targets: the "child ID" lines */
    FILE *tf = fopen(argv[3], "r");
    if (!tf) {
        perror(argv[3]);
        return 3;
    }
    char line[256], **ids = NULL;
    size_t n = 0, cap = 0;
    while (fgets(line, sizeof line, tf)) {
        char q[32], id[64];
        if (sscanf(line, "%31s %63s", q, id) != 2 || strcmp(q, "child") != 0)
            continue;
        if (n == cap) {
            char **p = realloc(ids, (cap = cap ? cap * 2 : 1024) * sizeof *p);
            if (!p)
                break;
            ids = p;
        }
        if (!(ids[n] = strdup(id)))
            break;
        n++;
    }
    fclose(tf);
    if (n == 0) {
        fprintf(stderr, "cpi-pg-bench: %s: no child targets\n", argv[3]);
        return 3;
    }

    PGconn *conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "cpi-pg-bench: %s", PQerrorMessage(conn));
        return 3;
    }
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "cpi-pg-bench: %s: %s", argv[2], PQerrorMessage(conn));
        return 3;
    }
    PQclear(r);
    free(sql);

    lat_samples lat = {0};
    unsigned long errors = 0;
    size_t bytes = 0;
    for (int pass = warm ? 0 : 1; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            const char *params[1] = {ids[i]};
            uint64_t t0 = lat_now_ns();
            r = PQexecPrepared(conn, argv[4], 1, params, NULL, NULL, 0);
            uint64_t t1 = lat_now_ns();
            if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
                if (errors++ < 3)
                    fprintf(stderr, "cpi-pg-bench: %s(%s): %s", argv[4], ids[i], PQerrorMessage(conn));
            } else if (pass == 1) {
                bytes += (size_t)PQgetlength(r, 0, 0);
                lat_add(&lat, t1 - t0);
            }
            PQclear(r);
        }
    }
    PQfinish(conn);
    if (lat.n)
        fprintf(stderr, "cpi-pg-bench: %s: mean answer %zu bytes of JSON\n", argv[4], bytes / lat.n);
    FILE *raw = raw_path ? fopen(raw_path, "w") : NULL;
    if (raw_path && !raw)
        perror(raw_path);
    lat_report(&lat, errors, stdout, raw);
    putchar('\n');
    if (raw)
        fclose(raw);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    free(lat.ns);
    return errors && !lat.n ? 3 : 0;
}
