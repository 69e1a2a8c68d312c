/*
 * cpi_igraph.c - the one piece of cpindex that calls igraph, built as its own
 * loadable module (cpindex-igraph.so) so that only the commands that compute
 * analytics (resolve, and purge's re-resolve) pay for loading igraph and the
 * libraries it pulls in (BLAS, LAPACK, GLPK, libxml2, ICU, libstdc++: 24 of
 * the binary's 31 shared libraries, most of its start-up time). Everything
 * else starts without them. The interface is plain C with no igraph or
 * cpindex types: graph/igraph_module.c loads it by name.
 */
#include <igraph.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int cpi_igraph_groups_v1(uint32_t n, const uint32_t *edges, size_t m, int64_t *comp, int64_t *comm,
                         double *modularity, char *msg, size_t cap);

static int fail(char *msg, size_t cap, const char *what)
{
    snprintf(msg, cap, "igraph: %s", what);
    return -1;
}

/*
 * Weakly connected components into comp[n] and Louvain communities (fixed
 * seed: the same store gives the same communities) into comm[n], each as
 * igraph numbers them; the final level's modularity. 0, or -1 with msg set.
 */
int cpi_igraph_groups_v1(uint32_t n, const uint32_t *edges, size_t m, int64_t *comp, int64_t *comm,
                         double *modularity, char *msg, size_t cap)
{
    igraph_error_handler_t *old_err = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_warning_handler_t *old_warn = igraph_set_warning_handler(igraph_warning_handler_ignore);
    igraph_vector_int_t el, membership;
    igraph_vector_t mod;
    igraph_t graph;
    int have_graph = 0, have_el = 0, have_mem = 0, have_mod = 0, rc = 0;
    if (igraph_vector_int_init(&el, (igraph_integer_t)m * 2)) {
        rc = fail(msg, cap, "out of memory (edge list)");
        goto out;
    }
    have_el = 1;
    for (size_t i = 0; i < 2 * m; i++)
        VECTOR(el)[i] = edges[i];
    if (igraph_create(&graph, &el, n, IGRAPH_UNDIRECTED)) {
        rc = fail(msg, cap, "could not build the graph");
        goto out;
    }
    have_graph = 1;
    if (igraph_vector_int_init(&membership, 0)) {
        rc = fail(msg, cap, "out of memory (vectors)");
        goto out;
    }
    have_mem = 1;
    if (igraph_vector_init(&mod, 0)) {
        rc = fail(msg, cap, "out of memory (vectors)");
        goto out;
    }
    have_mod = 1;
    if (igraph_connected_components(&graph, &membership, NULL, NULL, IGRAPH_WEAK)) {
        rc = fail(msg, cap, "components failed");
        goto out;
    }
    for (uint32_t v = 0; v < n; v++)
        comp[v] = VECTOR(membership)[v];
    /* Louvain visits vertices in random order: a fixed seed gives the same communities for the same store */
    igraph_rng_seed(igraph_rng_default(), 20240601);
    if (igraph_community_multilevel(&graph, NULL, 1.0, &membership, NULL, &mod)) {
        rc = fail(msg, cap, "community detection failed");
        goto out;
    }
    for (uint32_t v = 0; v < n; v++)
        comm[v] = VECTOR(membership)[v];
    *modularity = igraph_vector_size(&mod) ? VECTOR(mod)[igraph_vector_size(&mod) - 1] : 0.0;
out:
    if (have_mod)
        igraph_vector_destroy(&mod);
    if (have_mem)
        igraph_vector_int_destroy(&membership);
    if (have_graph)
        igraph_destroy(&graph);
    if (have_el)
        igraph_vector_int_destroy(&el);
    igraph_set_error_handler(old_err);
    igraph_set_warning_handler(old_warn);
    return rc;
}
