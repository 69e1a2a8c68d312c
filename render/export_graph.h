/*
 * export_graph.h - the entity graph, or one child's neighbourhood or one
 * network of it, out of the store for link-chart tools: GraphML (Gephi, yEd,
 * Cytoscape), DOT (Graphviz) or a CSV of links (one row per edge naming both
 * entities, the shape i2-style charting imports).
 *
 * Nodes are entities (id, kind, name, DOB or postcode, flags, network and
 * community); edges are the graph build's aggregated edges (type, first and
 * last date, records, sources, up to four references), each written once in
 * the direction the relation reads. Sources in `withhold` are left out edge by
 * edge and flag by flag as in a profile (query/profile.h); an entity known
 * only to withheld sources is left out. The table-shaped entry points
 * (cpi_export_graph, cpi_export_links) withhold MARAC and POLIT: an export
 * leaves the building, and the command's own access check decides whether a
 * user may have more (cpi_export_graph_ex).
 *
 * Ownership: the stream stays the caller's.
 */
#ifndef CPI_EXPORT_GRAPH_H
#define CPI_EXPORT_GRAPH_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "core/store.h"

typedef enum cpi_graph_format {
    CPI_GRAPH_GRAPHML,
    CPI_GRAPH_LINKS_CSV, /* from_id,from_kind,from_name,type,to_id,to_kind,to_name,first,last,records,sources,refs */
    CPI_GRAPH_DOT,       /* Graphviz: a digraph, nodes with label and attributes, edges labelled by type */
} cpi_graph_format;

/*
 * A selection instead of the whole graph (at most one of child / network):
 *  - child: the person, every entity linked to them (people, places, phones,
 *    online ids; not the resolver's possible matches), and one hop beyond as
 *    a profile's connected children are found: from each linked risky
 *    person, place of concern (found-at, frequents, victim-in, or flagged),
 *    phone or online id that is not a hub (over CPI_ANALYTICS_HUB links),
 *    the children and risky people linked to it (school attendance left out);
 *    further hops (o->hops) walk on the same way from the risky people,
 *    places of concern, phones and online ids reached;
 *  - network: every entity of that network (`cpindex analyse networks`);
 *  - community: every entity of that Louvain community.
 * The edges written are those between two selected entities.
 *
 * A selection is a link chart, so it is styled: in DOT each node's colour
 * says its risk (cpi_graph_risk: red high, orange medium, yellow a child,
 * grey none), its shape its kind (person ellipse, place house, phone
 * diamond, online id hexagon), the child is blue with a double border, the
 * layout is radial from the child (twopi) or spring (neato) for a group, and
 * the drawing is capped at a readable size; GraphML carries the same as
 * node data (risk, colour, shape, subject, hop) for Gephi, yEd or Cytoscape.
 */
typedef struct cpi_export_graph_opts {
    cpi_graph_format format;
    uint32_t withhold;  /* CPI_SRC_BIT mask (core/source.h) */
    const char *child;  /* entity id of a person, or NULL */
    uint32_t network;   /* network number, or 0 */
    uint32_t community; /* community number (`cpindex analyse communities`), or 0 */
    uint32_t hops;      /* child: how far to walk; 0 = 2, the neighbourhood described above; 1 = direct links */
    uint32_t max_nodes; /* a selection: at most this many entities (0: all). The child first, then the
                           nearest, the highest risk (cpi_graph_risk) first at each distance, each kept with
                           the entities joining it to the child; for a network or community, by risk */
} cpi_export_graph_opts;

/* *rows: nodes + edges written (GraphML) or data rows (CSV). CPI_NOT_FOUND if no graph has been built. */
cpi_status cpi_export_graph_ex(cpi_store *st, FILE *out, const cpi_export_graph_opts *opts, uint64_t *rows,
                               cpi_error *err);
/* How many entities a selection holds (for the disclosure log written before the export). */
cpi_status cpi_export_graph_count(cpi_store *st, const cpi_export_graph_opts *opts, uint64_t *nodes,
                                  cpi_error *err);
/* GraphML, MARAC and POLIT withheld (the export table's shape: tools/cpindex/cmd_export.c). */
cpi_status cpi_export_graph(cpi_store *st, FILE *out, uint64_t *rows, cpi_error *err);
/* Links CSV, MARAC and POLIT withheld. */
cpi_status cpi_export_links(cpi_store *st, FILE *out, uint64_t *rows, cpi_error *err);

#endif
