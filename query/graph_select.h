/*
 * graph_select.h - the entities a neighbourhood or network export holds
 * (query/graph_select.c), for query/export_graph.c. Not a public interface.
 */
#ifndef CPI_GRAPH_SELECT_H
#define CPI_GRAPH_SELECT_H

#include "query/export_graph.h"
#include "query/intern.h"

/*
 * Fill set with the ids o->child's neighbourhood or o->network holds (visible
 * under o->withhold), and *ids with them sorted (malloc'd; the strings are
 * the set's). CPI_NOT_FOUND when the child or network does not exist.
 */
cpi_status cpi_graph_select(cpi_txn *txn, const cpi_export_graph_opts *o, cpi_intern *set, const char ***ids,
                            cpi_error *err);

#endif
