/* testutil.c - helpers shared by the cmocka tests (see testutil.h). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/cpi-test-XXXXXX", base && *base ? base : "/tmp");
    char *p = mkdtemp(tmpl);
    return p ? strdup(p) : NULL;
}

void tu_rmrf_free(char *path)
{
    if (!path)
        return;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "testutil: could not remove %s\n", path);
    free(path);
}

static char *join(const char *env, const char *fallback, const char *rel)
{
    const char *base = getenv(env);
    if (!base || !*base)
        base = fallback;
    size_t n = strlen(base) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", base, rel);
    return p;
}

char *tu_build_path(const char *rel) { return join("CPI_BUILD_DIR", "build", rel); }
char *tu_source_path(const char *rel) { return join("CPI_SOURCE_DIR", ".", rel); }

char *tu_run(const char *cmd, int *exit_status)
{
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[len] = '\0';
    int st = pclose(f);
    if (exit_status)
        *exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return buf;
}
