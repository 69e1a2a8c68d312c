/*
 * testutil.h - small helpers shared by the cmocka tests: temporary
 * directories that clean themselves up, and paths to the build and source
 * trees (set by ctest through CPI_BUILD_DIR / CPI_SOURCE_DIR).
 */
#ifndef CPI_TESTUTIL_H
#define CPI_TESTUTIL_H

#include <stddef.h>

/* Make a fresh private temp dir; returns a malloc'd path. */
char *tu_mkdtemp(void);
/* rm -rf path (best effort) and free it. */
void tu_rmrf_free(char *path);
/* Path under the build dir / source dir, malloc'd. */
char *tu_build_path(const char *rel);
char *tu_source_path(const char *rel);
/* Run a shell command, capture stdout (malloc'd, NUL-terminated) and exit status. */
char *tu_run(const char *cmd, int *exit_status);

#endif
