/*
 * graph_select.h - the entities a neighbourhood or network export holds
 * (render/graph_select.c), for render/export_graph.c. Not a public interface.
 */
#ifndef CPI_GRAPH_SELECT_H
#define CPI_GRAPH_SELECT_H

#include "render/export_graph.h"
#include "core/intern.h"

/* What a selection held before it was bounded, and how far each kept entity is from the child. */
typedef struct cpi_graph_sel_info {
    uint32_t total;  /* entities the selection reached (before o->max_nodes) */
    uint8_t *hop;    /* malloc'd, per number in set: hops from the child (0: the child, or a group member) */
} cpi_graph_sel_info;

/*
 * Fill set with the ids o->child's neighbourhood (within o->hops), o->network
 * or o->community holds (visible under o->withhold), at most o->max_nodes of
 * them when that is set (the child, then the highest risk nearest the child,
 * each kept with the entities that join it to the child), and *ids with them
 * sorted (malloc'd; the strings are the set's). info (may be NULL) gets the
 * count before bounding and each kept entity's distance (free info->hop).
 * CPI_NOT_FOUND when the child, network or community does not exist.
 */
cpi_status cpi_graph_select(cpi_txn *txn, const cpi_export_graph_opts *o, cpi_intern *set, const char ***ids,
                            cpi_graph_sel_info *info, cpi_error *err);

/*
 * How much risk an entity's (visible) flags record, for a chart's colour and
 * for which entities a bounded chart keeps: 3 high (a person posing a risk to
 * children, a cuckooed or trap house, a place of concern or an OCG address, a
 * deal line), 2 medium (a child with a risk marker - CPP, CSE/CCE, missing,
 * MACE, SOC, PPN - a place missing children were found, a phone used by a
 * risky person), 1 low (any other child), 0 none.
 */
int cpi_graph_risk(cpi_kind kind, uint64_t flags);

#endif
