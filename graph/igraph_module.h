/*
 * igraph_module.h - graph analytics through the cpindex-igraph module
 * (graph/igraph/cpi_igraph.c), loaded on first use, so that commands which
 * never compute analytics start without igraph and its libraries.
 *
 * The module is looked for, in order: $CPINDEX_IGRAPH_MODULE (a path); beside
 * the running executable; in the build tree the library was built in.
 */
#ifndef CPI_IGRAPH_MODULE_H
#define CPI_IGRAPH_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define CPI_IGRAPH_MODULE_NAME "cpindex-igraph.so"

/*
 * Weakly connected components (comp[n]) and Louvain communities (comm[n],
 * fixed seed) of the undirected graph on n vertices with the m edges
 * edges[2i], edges[2i+1]; group numbers as igraph gives them. *modularity:
 * the communities' modularity. CPI_ERR_IO when the module
 * cannot be loaded (the message says where it was looked for), CPI_ERR_NOMEM
 * when igraph fails.
 */
cpi_status cpi_igraph_groups(uint32_t n, const uint32_t *edges, size_t m, int64_t *comp, int64_t *comm,
                             double *modularity, cpi_error *err);

#endif
