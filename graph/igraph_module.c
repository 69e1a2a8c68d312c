/*
 * igraph_module.c - find and load cpindex-igraph.so once, and call it
 * (igraph_module.h says why igraph lives in a module of its own).
 */
#include "graph/igraph_module.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*groups_fn)(uint32_t n, const uint32_t *edges, size_t m, int64_t *comp, int64_t *comm,
                         double *modularity, char *msg, size_t cap);

static groups_fn groups; /* loaded once per process; the module stays for the process's life */

/* dir of the running executable + the module's name, in buf (false if it cannot be told) */
static bool beside_executable(char *buf, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    int w = snprintf(buf, cap, "%s/%s", exe, CPI_IGRAPH_MODULE_NAME);
    return w > 0 && (size_t)w < cap;
}

static cpi_status load(cpi_error *err)
{
    char here[PATH_MAX + 64] = "";
    const char *tried[3];
    int ntried = 0;
    const char *env = getenv("CPINDEX_IGRAPH_MODULE");
    if (env && *env)
        tried[ntried++] = env;
    if (beside_executable(here, sizeof here))
        tried[ntried++] = here;
#ifdef CPI_IGRAPH_MODULE_BUILD_PATH
    if (strcmp(here, CPI_IGRAPH_MODULE_BUILD_PATH) != 0)
        tried[ntried++] = CPI_IGRAPH_MODULE_BUILD_PATH;
#endif
    const char *last = "no place to look";
    for (int i = 0; i < ntried; i++) {
        void *h = dlopen(tried[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            last = dlerror();
            continue;
        }
        groups = (groups_fn)(uintptr_t)dlsym(h, "cpi_igraph_groups_v1");
        if (groups)
            return CPI_OK;
        last = "it has no cpi_igraph_groups_v1 (a module from another version?)";
        dlclose(h);
    }
    return cpi_error_set(err, CPI_ERR_IO,
                         "graph analytics need %s (igraph), which could not be loaded from %s%s%s%s%s "
                         "(set CPINDEX_IGRAPH_MODULE to its path): %s",
                         CPI_IGRAPH_MODULE_NAME, ntried > 0 ? tried[0] : "", ntried > 1 ? ", " : "",
                         ntried > 1 ? tried[1] : "", ntried > 2 ? ", " : "", ntried > 2 ? tried[2] : "", last);
}

cpi_status cpi_igraph_groups(uint32_t n, const uint32_t *edges, size_t m, int64_t *comp, int64_t *comm,
                             double *modularity, cpi_error *err)
{
    cpi_status s = groups ? CPI_OK : load(err);
    if (s)
        return s;
    char msg[256] = "";
    if (groups(n, edges, m, comp, comm, modularity, msg, sizeof msg))
        return cpi_error_set(err, CPI_ERR_NOMEM, "analytics: %s", msg);
    return CPI_OK;
}
