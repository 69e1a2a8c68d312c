/*
 * access.h - who may run which command and see how much: users and their
 * roles (kept in the store), the permission table, and the restricted sources.
 *
 * How a data command uses it (the consultations child, person, address and
 * missing go through desk/desk.h, which does all of this; other CLI commands
 * take the first step in cli_require_user(), tools/cpindex/cli.h):
 *
 *   cpi_grant g;
 *   cpi_access_authorise(st, user, reason, "child", &g, &err);   refused -> exit 2
 *   ... read; render at g.view (SUMMARY: short, warnings first; FULL: everything);
 *   for each record: cpi_access_may_read(&g, ref) ? its content
 *                    : only "restricted information exists, contact cpi_access_contact(&g, ref)"
 *   cpi_audit_consultation(st, &g, query, entity ids, refs, &err)    (audit/audit.h)
 *
 * Invariants kept here:
 *  - default deny: a user not in CPI_DB_USERS, a command the table does not
 *    name, or a role the table does not allow for that command is refused;
 *  - every use needs a reason of at least two words (what and why);
 *  - a store with no users has exactly one: the operating-system user who owns
 *    the store directory (who created it), as admin; the first 'user add'
 *    writes that user down, and the last admin cannot be removed;
 *  - content from a restricted source (polit, marac) is readable only with that
 *    source's role, whatever the command's detail level;
 *  - the permission table is one table (access.c) of (command, role) -> level,
 *    which a file "access.conf" in the store directory may change row by row
 *    (docs/operations.md); a malformed or group/world-writable file refuses
 *    every command rather than fall back to a guess.
 *
 * Note: --user names the person at the keyboard; cpindex does not authenticate
 * them. The store directory is 0700, so whoever runs cpindex runs it as the
 * store's owner; a deployment sets CPINDEX_USER from its own login (see
 * docs/operations.md).
 *
 * Ownership: cpi_grant and cpi_user are plain values; nothing to free.
 */
#ifndef CPI_ACCESS_H
#define CPI_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/store.h"

/* Roles, as bits: a user holds any combination. */
typedef enum cpi_role {
    CPI_ROLE_OFFICER = 1u << 0,    /* child, person, address, missing: summary */
    CPI_ROLE_ANALYST = 1u << 1,    /* every query and export: full (restricted content excepted) */
    CPI_ROLE_POLIT = 1u << 2,      /* POLIT content in full (added to officer or analyst) */
    CPI_ROLE_MARAC = 1u << 3,      /* MARAC content in full (added to officer or analyst) */
    CPI_ROLE_SUPERVISOR = 1u << 4, /* reads the audit log */
    CPI_ROLE_ADMIN = 1u << 5,      /* ingest, resolve, link, purge, users */
} cpi_role;
#define CPI_ROLE_COUNT 6
#define CPI_ROLES_ALL ((1u << CPI_ROLE_COUNT) - 1)

/* "officer", ... or NULL for anything but one role bit. */
const char *cpi_role_name(cpi_role role);
/* Parse "officer,polit" (commas, no spaces) into role bits; CPI_ERR_USAGE naming an unknown role. */
cpi_status cpi_roles_parse(const char *list, unsigned *out, cpi_error *err);
/* Write "officer,polit" into buf; returns the length, or -1 if it does not fit. */
int cpi_roles_format(unsigned roles, char *buf, size_t cap);

/* How much of a record a command may show. */
typedef enum cpi_view {
    CPI_VIEW_NONE = 0,    /* refused (never in a granted cpi_grant) */
    CPI_VIEW_SUMMARY = 1, /* officer: who, warnings, risk levels, whom to call; no free text */
    CPI_VIEW_FULL = 2,    /* everything the record holds */
} cpi_view;

/* The restricted sources, as bits of cpi_grant.restricted. */
#define CPI_RESTRICTED_POLIT (1u << 0)
#define CPI_RESTRICTED_MARAC (1u << 1)
#define CPI_RESTRICTED_COUNT 2

#define CPI_USER_MAX 64     /* including NUL: [A-Za-z0-9][A-Za-z0-9._@-]{0,62} */
#define CPI_REASON_MAX 512  /* including NUL */
#define CPI_ACTION_MAX 32   /* including NUL */
#define CPI_CONTACT_MAX 160 /* including NUL */

/* What one user may do in one command: filled by cpi_access_authorise(). */
typedef struct cpi_grant {
    char user[CPI_USER_MAX];
    char reason[CPI_REASON_MAX];
    char action[CPI_ACTION_MAX]; /* the permission-table command: "child", "ingest", ... */
    unsigned roles;              /* CPI_ROLE_* bits */
    cpi_view view;               /* SUMMARY or FULL */
    unsigned restricted;         /* CPI_RESTRICTED_* sources whose content the user may read */
    char contact[CPI_RESTRICTED_COUNT][CPI_CONTACT_MAX]; /* whom to ask, per restricted source */
} cpi_grant;

/*
 * Decide whether user may run action (a command name from the permission table:
 * child, person, address, missing, agenda, analyse, export, review, explain,
 * ingest, resolve, link, unlink, purge, user, audit, audit-verify) giving
 * reason. CPI_OK fills *out; CPI_ERR_ACCESS says why not in one line (naming
 * the user and the roles that would do, never the reason's text); CPI_ERR_DATA
 * for a malformed access.conf. Reads the store in its own snapshot.
 */
cpi_status cpi_access_authorise(cpi_store *st, const char *user, const char *reason, const char *action,
                                cpi_grant *out, cpi_error *err);

/* True if g may read the content of the record (or mention) ref: always, unless its source is restricted. */
bool cpi_access_may_read(const cpi_grant *g, const char *ref);
/* Whom to contact about ref's restricted source; NULL if the source is not restricted. */
const char *cpi_access_contact(const cpi_grant *g, const char *ref);

/* The checks cpi_access_authorise makes on its inputs, for callers that check before opening a store. */
cpi_status cpi_access_check_user_name(const char *name, cpi_error *err);
cpi_status cpi_access_check_reason(const char *reason, cpi_error *err);

/* ---- users (CPI_DB_USERS: user name -> msgpack {r: [role names], t: added, b: added by}) ---- */

typedef struct cpi_user {
    char name[CPI_USER_MAX];
    unsigned roles;
    int64_t added;               /* seconds since the epoch, UTC; 0 for the implicit owner */
    char added_by[CPI_USER_MAX]; /* "" for the implicit owner */
} cpi_user;

/* The name of the OS user owning the store directory (the implicit first admin). */
cpi_status cpi_access_owner(cpi_store *st, char out[CPI_USER_MAX], cpi_error *err);

/*
 * Add name with roles (or change an existing user's roles to roles), as admin
 * g, in one write transaction with its audit entry. On an empty table the
 * owner is written down as admin first (and logged), so adding a user never
 * locks the owner out.
 */
cpi_status cpi_access_user_add(cpi_store *st, const cpi_grant *g, const char *name, unsigned roles, cpi_error *err);
/* Remove name, logged. CPI_NOT_FOUND if unknown; CPI_ERR_ACCESS if it is the last admin. */
cpi_status cpi_access_user_remove(cpi_store *st, const cpi_grant *g, const char *name, cpi_error *err);
/*
 * Every user, in name order, into a malloc'd array (free() it); the implicit
 * owner when the table is empty. Logged as a consultation by g.
 */
cpi_status cpi_access_user_list(cpi_store *st, const cpi_grant *g, cpi_user **out, size_t *n, cpi_error *err);

/* ---- passwords (META "pw:NAME" -> libsodium crypto_pwhash_str, argon2id), for `cpindex serve --http` ---- */

#define CPI_PASSWORD_MIN 10  /* bytes: a passphrase, not a PIN */
#define CPI_PASSWORD_MAX 256 /* bytes, excluding NUL */

/*
 * Set (or replace) the password of user name, as admin g (a grant for "user"),
 * hashed with argon2id at libsodium's interactive limits, in one write
 * transaction with its audit entry (kind access, command "user passwd"; the
 * password never reaches the log). name must be a user of the store (or its
 * implicit owner, who is then written down as admin first). CPI_ERR_USAGE for
 * a password shorter than CPI_PASSWORD_MIN or longer than CPI_PASSWORD_MAX.
 */
cpi_status cpi_access_password_set(cpi_store *st, const cpi_grant *g, const char *name, const char *password,
                                   cpi_error *err);

/*
 * Is password name's? CPI_OK when it is; CPI_ERR_ACCESS ("wrong user name or
 * password") when it is not, when name has no password or is not a user, with
 * the same cost either way so a caller cannot tell which. Reads in its own snapshot.
 */
cpi_status cpi_access_password_check(cpi_store *st, const char *name, const char *password, cpi_error *err);

#endif
