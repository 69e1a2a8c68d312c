/*
 * testutil.h - small helpers shared by the cmocka tests: temporary
 * directories that clean themselves up, paths to the build and source trees
 * (set by ctest through CPI_BUILD_DIR / CPI_SOURCE_DIR), running child
 * processes, private mounts, and checking or dumping a whole store.
 */
#ifndef CPI_TESTUTIL_H
#define CPI_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Make a fresh private temp dir; returns a malloc'd path. */
char *tu_mkdtemp(void);
/* rm -rf path (best effort) and free it. */
void tu_rmrf_free(char *path);
/* Path under the build dir / source dir, malloc'd. */
char *tu_build_path(const char *rel);
char *tu_source_path(const char *rel);
/* Run a shell command, capture stdout (malloc'd, NUL-terminated) and exit status. */
char *tu_run(const char *cmd, int *exit_status);
/*
 * A generated force loaded through the CLI: `cpgen --seed SEED --children N`
 * into DIR/force, then `cpindex --db DB ingest` of all six silos as the
 * store's owner (the OS user, its first admin). Returns 0, or -1 with the
 * failing step's output on stderr.
 */
int tu_cli_force(const char *cli, const char *cpgen, const char *dir, const char *db, unsigned seed,
                 unsigned children);

/*
 * Start argv[0] (a path) with argv, stdout to out_path and stderr to
 * err_path (NULL: /dev/null), without a shell, so paths need no quoting.
 * Returns the child's pid (the test fails if it cannot fork).
 */
pid_t tu_spawn(char *const argv[], const char *out_path, const char *err_path);
/* Wait for pid; returns its exit status, or 128 + the signal that ended it. */
int tu_wait(pid_t pid);
/* Monotonic clock in seconds. */
double tu_now(void);
/* Read a whole file (malloc'd, NUL-terminated; *len if non-NULL); NULL if unreadable. */
char *tu_slurp(const char *path, size_t *len);

/*
 * Put this process in a mount namespace of its own (as root, or as root of a
 * new user namespace otherwise), so a test may mount a small tmpfs or a
 * read-only file system that vanishes with the process. Children inherit it.
 * Returns 0, or -1 with why in why[] (the caller skips).
 */
int tu_private_mounts(char *why, size_t cap);

/*
 * Open the store at db read-only and check it: cpi_store_verify (records,
 * key index, counters, entities, review pairs), cpi_graph_verify (no card or
 * edge without its entity) and the audit chain. Returns NULL if intact, else a
 * malloc'd message saying what is wrong.
 */
char *tu_store_check(const char *db);
/*
 * One line per record, in key order: "REF HASH vVERSION mMENTIONS", where
 * HASH is the content hash in hex (malloc'd; the test fails if the store
 * cannot be read).
 */
char *tu_store_dump(const char *db);

#endif
