/*
 * front.c - `cpindex` itself: a small static program that hands a servable
 * query (child, person, address, missing) to a running `cpindex serve` and
 * prints its answer, and otherwise runs the full program, cpindex-full,
 * beside it (exec: same process, same arguments and environment).
 *
 * Why (issue 6: a child's profile as a whole process in <= 10 ms): starting
 * the full program - the dynamic loader, libc and libm, relocating and
 * faulting in a 3.5 MB executable - was most of a served answer's time on the
 * shared VM (`cpindex --version` ~2.9 ms at p50). This program links only the
 * client (serve_client.c, serve_proto.c) and libc, statically: it starts in
 * about a millisecond. A served profile went from 4.6-4.9 ms to 2.2 ms at p50
 * and from 9.3-10.4 ms to 6.9-7.3 ms at p99 (bench/serve_compare.sh).
 *
 * It reads the global options as main.c does (global_opts.c); anything else
 * (--help, --version, a mistyped option) goes to the full program, which owns
 * every message. When no server answers, the full program runs the query
 * itself, told by CLI_SERVE_ASKED not to ask again.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "serve_proto.h"

/* Run cpindex-full from this program's own directory with our argv; returns only on failure. */
static int run_full(char **argv)
{
    char self[PATH_MAX], full[PATH_MAX + sizeof CLI_FULL_NAME + 1];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "cpindex: cannot find where this program is (/proc/self/exe): %s\n", strerror(errno));
        return EXIT_DATA;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    snprintf(full, sizeof full, "%s/%s", self, CLI_FULL_NAME);
    execv(full, argv);
    fprintf(stderr, "cpindex: cannot run %s: %s (it is installed beside cpindex)\n", full, strerror(errno));
    return EXIT_DATA;
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {.prog = "cpindex"};
    int i = cli_global_opts(&ctx, argc, argv);
    if (i < argc && argv[i][0] == '-')
        return run_full(argv); /* --help, --version, or a mistake the full program explains */
    const char *off = getenv("CPINDEX_SERVE");
    if (i < argc && sp_servable(argv[i]) && !(off && strcmp(off, "off") == 0)) {
        int rc = serve_ask(&ctx, argc - i, argv + i);
        if (rc >= 0)
            return rc;
        setenv(CLI_SERVE_ASKED, "1", 1);
    }
    return run_full(argv);
}
