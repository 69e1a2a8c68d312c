/*
 * graph/verify.c - confirm that the graph a resolve wrote (edges and entity
 * cards, graphdb.h) stands on the entities it names: no edge to nothing, no
 * card for an entity without members (see cpi_graph_verify in graph.h).
 *
 * The graph is rebuilt in resolve's own transaction, so in a committed state
 * it matches entity_of / members exactly. The one allowed gap: a purge
 * removes a record's mentions from their entities and leaves the derived
 * graph to the resolve it marks due (purge.h), so while META resolve:due is
 * set an entity a purge emptied may keep its card and edges.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ingest/purge.h"
#include "graph/graph.h"
#include "graph/graphdb.h"

/* Has entity id members (or, when a resolve is due, at least a card)? */
static cpi_status entity_exists(cpi_txn *txn, const char *id, bool due, bool *yes, cpi_error *err)
{
    uint64_t n;
    cpi_status s = cpi_txn_count_dups(txn, CPI_DB_MEMBERS, id, strlen(id), &n, err);
    if (s)
        return s;
    *yes = n > 0;
    if (*yes || !due)
        return CPI_OK;
    char key[CPI_ENTITY_ID_MAX + 4];
    size_t kl = cpi_card_key(id, key, sizeof key);
    cpi_slice v;
    s = cpi_txn_get(txn, CPI_DB_ANALYTICS, key, kl, &v, err);
    *yes = s == CPI_OK;
    return s == CPI_NOT_FOUND ? CPI_OK : s;
}

/* Every card decodes and is an entity with members (unless a purge emptied it since the last resolve). */
static cpi_status check_cards(cpi_txn *txn, bool due, cpi_arena *arena, cpi_graph_verify_report *rep, cpi_error *err)
{
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_ANALYTICS, &c, err);
    if (s)
        return s;
    static const char prefix[] = "e\x1f";
    const size_t pl = sizeof prefix - 1;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, prefix, pl, &k, &v, err);
    for (; cs == CPI_OK && !s && k.len > pl && memcmp(k.data, prefix, pl) == 0; cs = cpi_cursor_next(c, &k, &v, err)) {
        char id[CPI_ENTITY_ID_MAX];
        if (k.len - pl >= sizeof id) {
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: a card key of %zu bytes names no entity", k.len);
            break;
        }
        memcpy(id, (const char *)k.data + pl, k.len - pl);
        id[k.len - pl] = '\0';
        cpi_card card;
        cpi_error derr = {0};
        cpi_arena_reset(arena);
        if (cpi_card_decode(id, v.data, v.len, arena, &card, &derr) != CPI_OK) {
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: card %s: %s", id, derr.msg);
            break;
        }
        uint64_t n;
        if ((s = cpi_txn_count_dups(txn, CPI_DB_MEMBERS, id, strlen(id), &n, err)) != CPI_OK)
            break;
        if (n == 0 && !due)
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: the graph has a card for %s, an entity with no members", id);
        rep->cards++;
    }
    cpi_cursor_close(c);
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    return s;
}

/* Every edge decodes, and both its ends are entities. */
static cpi_status check_edges(cpi_txn *txn, bool due, cpi_arena *arena, cpi_graph_verify_report *rep, cpi_error *err)
{
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_EDGES, &c, err);
    if (s)
        return s;
    char from[CPI_ENTITY_ID_MAX] = "", last_other[CPI_ENTITY_ID_MAX] = "";
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK && !s; cs = cpi_cursor_next(c, &k, &v, err)) {
        if (k.len == 0 || k.len >= sizeof from) {
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: an edge key of %zu bytes names no entity", k.len);
            break;
        }
        if (strlen(from) != k.len || memcmp(from, k.data, k.len) != 0) { /* a new entity's edges */
            memcpy(from, k.data, k.len);
            from[k.len] = '\0';
            bool yes;
            if ((s = entity_exists(txn, from, due, &yes, err)) != CPI_OK)
                break;
            if (!yes) {
                s = cpi_error_set(err, CPI_ERR_STORE, "verify: %s has edges but is not an entity (no members)", from);
                break;
            }
            last_other[0] = '\0';
        }
        cpi_edge e;
        cpi_error derr = {0};
        cpi_arena_reset(arena);
        if (cpi_edge_decode(from, v.data, v.len, arena, &e, &derr) != CPI_OK) {
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: an edge of %s: %s", from, derr.msg);
            break;
        }
        rep->edges++;
        if (strcmp(e.other, last_other) == 0)
            continue; /* the same neighbour as the last edge: already confirmed */
        bool yes;
        if ((s = entity_exists(txn, e.other, due, &yes, err)) != CPI_OK)
            break;
        if (!yes) {
            s = cpi_error_set(err, CPI_ERR_STORE, "verify: %s has a %s edge to %s, which is not an entity (no members)",
                              from, e.type, e.other);
            break;
        }
        snprintf(last_other, sizeof last_other, "%s", e.other);
    }
    cpi_cursor_close(c);
    if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
        s = cs;
    return s;
}

cpi_status cpi_graph_verify(cpi_txn *txn, cpi_graph_verify_report *rep, cpi_error *err)
{
    memset(rep, 0, sizeof *rep);
    cpi_slice v;
    cpi_status s = cpi_txn_get(txn, CPI_DB_META, CPI_META_RESOLVE_DUE, sizeof CPI_META_RESOLVE_DUE - 1, &v, err);
    if (s != CPI_OK && s != CPI_NOT_FOUND)
        return s;
    rep->resolve_due = s == CPI_OK;
    cpi_arena arena = {0};
    s = check_cards(txn, rep->resolve_due, &arena, rep, err);
    if (!s)
        s = check_edges(txn, rep->resolve_due, &arena, rep, err);
    cpi_arena_free(&arena);
    return s;
}
