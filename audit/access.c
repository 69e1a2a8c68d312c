/*
 * access.c - users, roles, the permission table and restricted sources (see
 * access.h for the rules).
 *
 * The permission table below is the only place that says which role may run
 * which command at which detail level; access.conf in the store directory
 * overrides it row by row. Nothing elsewhere tests roles directly.
 */
#include "audit/access.h"

#include <errno.h>
#include <msgpack.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <utf8proc.h>

#include "audit/audit.h"

#define CONF_NAME "access.conf"
#define OWNER_NOTE "(store owner)"
#define PW_PREFIX "pw:" /* META key of a user's password hash */

static const char *const role_names[CPI_ROLE_COUNT] = {"officer", "analyst", "polit", "marac", "supervisor",
                                                      "admin"};

/* Every command the table knows. A command not listed here is refused. */
static const char *const actions[] = {"child",   "person", "address", "missing", "agenda", "analyse",
                                      "export",  "review", "explain", "ingest",  "resolve", "link",
                                      "unlink",  "purge",  "user",    "audit",   "audit-verify"};
#define NACTIONS (sizeof actions / sizeof actions[0])

/* The default permission table: (command, role) -> detail level. Absent = CPI_VIEW_NONE. */
static const struct {
    const char *action;
    cpi_role role;
    cpi_view view;
} default_rules[] = {
    {"child", CPI_ROLE_OFFICER, CPI_VIEW_SUMMARY},    {"child", CPI_ROLE_ANALYST, CPI_VIEW_FULL},
    {"person", CPI_ROLE_OFFICER, CPI_VIEW_SUMMARY},   {"person", CPI_ROLE_ANALYST, CPI_VIEW_FULL},
    {"address", CPI_ROLE_OFFICER, CPI_VIEW_SUMMARY},  {"address", CPI_ROLE_ANALYST, CPI_VIEW_FULL},
    {"missing", CPI_ROLE_OFFICER, CPI_VIEW_SUMMARY},  {"missing", CPI_ROLE_ANALYST, CPI_VIEW_FULL},
    {"agenda", CPI_ROLE_ANALYST, CPI_VIEW_FULL},      {"analyse", CPI_ROLE_ANALYST, CPI_VIEW_FULL},
    {"export", CPI_ROLE_ANALYST, CPI_VIEW_FULL},      {"review", CPI_ROLE_ANALYST, CPI_VIEW_FULL},
    {"explain", CPI_ROLE_ANALYST, CPI_VIEW_FULL},     {"ingest", CPI_ROLE_ADMIN, CPI_VIEW_FULL},
    {"resolve", CPI_ROLE_ADMIN, CPI_VIEW_FULL},       {"link", CPI_ROLE_ADMIN, CPI_VIEW_FULL},
    {"unlink", CPI_ROLE_ADMIN, CPI_VIEW_FULL},        {"purge", CPI_ROLE_ADMIN, CPI_VIEW_FULL},
    {"user", CPI_ROLE_ADMIN, CPI_VIEW_FULL},          {"audit", CPI_ROLE_SUPERVISOR, CPI_VIEW_FULL},
    {"audit-verify", CPI_ROLE_SUPERVISOR, CPI_VIEW_FULL}, {"audit-verify", CPI_ROLE_ADMIN, CPI_VIEW_FULL},
};

/* Restricted sources: content only with the role; everyone else is told it exists and whom to ask. */
static const struct {
    const char *source;
    unsigned bit;
    cpi_role role;
    const char *contact;
} restricted[CPI_RESTRICTED_COUNT] = {
    {"polit", CPI_RESTRICTED_POLIT, CPI_ROLE_POLIT, "the POLIT (online child abuse) team"},
    {"marac", CPI_RESTRICTED_MARAC, CPI_ROLE_MARAC, "the MARAC coordinator"},
};

static const char *const view_names[] = {"none", "summary", "full"};

/* The table in force: defaults, then access.conf. */
typedef struct policy {
    cpi_view view[NACTIONS][CPI_ROLE_COUNT];
    char contact[CPI_RESTRICTED_COUNT][CPI_CONTACT_MAX];
} policy;

static int role_index(cpi_role r)
{
    for (int i = 0; i < CPI_ROLE_COUNT; i++)
        if ((unsigned)r == 1u << i)
            return i;
    return -1;
}

static int action_index(const char *a)
{
    for (size_t i = 0; i < NACTIONS; i++)
        if (strcmp(actions[i], a) == 0)
            return (int)i;
    return -1;
}

const char *cpi_role_name(cpi_role role)
{
    int i = role_index(role);
    return i < 0 ? NULL : role_names[i];
}

cpi_status cpi_roles_parse(const char *list, unsigned *out, cpi_error *err)
{
    *out = 0;
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int found = -1;
        for (int i = 0; i < CPI_ROLE_COUNT; i++)
            if (strlen(role_names[i]) == n && memcmp(role_names[i], p, n) == 0)
                found = i;
        if (found < 0)
            return cpi_error_set(err, CPI_ERR_USAGE,
                                 "unknown role '%.*s' (roles: officer, analyst, polit, marac, supervisor, admin)",
                                 (int)(n > 40 ? 40 : n), p);
        *out |= 1u << found;
        if (!end)
            return CPI_OK;
        p = end + 1;
    }
}

int cpi_roles_format(unsigned roles, char *buf, size_t cap)
{
    size_t off = 0;
    if (cap)
        buf[0] = '\0';
    for (int i = 0; i < CPI_ROLE_COUNT; i++) {
        if (!(roles & 1u << i))
            continue;
        int w = snprintf(buf + off, cap - off, "%s%s", off ? "," : "", role_names[i]);
        if (w < 0 || (size_t)w >= cap - off)
            return -1;
        off += (size_t)w;
    }
    return (int)off;
}

/* ---------------------------------------------------------------- checks */

cpi_status cpi_access_check_user_name(const char *name, cpi_error *err)
{
    size_t n = name ? strlen(name) : 0;
    bool ok = n > 0 && n < CPI_USER_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        ok = alnum || (i > 0 && (c == '.' || c == '_' || c == '@' || c == '-'));
    }
    if (!ok)
        return cpi_error_set(err, CPI_ERR_USAGE,
                             "a user name is 1 to %d letters, digits and . _ @ - (starting with a letter or "
                             "digit)",
                             CPI_USER_MAX - 1);
    return CPI_OK;
}

cpi_status cpi_access_check_reason(const char *reason, cpi_error *err)
{
    size_t n = reason ? strlen(reason) : 0;
    if (n == 0)
        return cpi_error_set(err, CPI_ERR_ACCESS, "a reason is required");
    if (n >= CPI_REASON_MAX)
        return cpi_error_set(err, CPI_ERR_ACCESS, "the reason is longer than %d bytes", CPI_REASON_MAX - 1);
    unsigned words = 0;
    bool in_word = false;
    for (utf8proc_ssize_t i = 0; i < (utf8proc_ssize_t)n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)reason + i, (utf8proc_ssize_t)n - i, &cp);
        if (len <= 0)
            return cpi_error_set(err, CPI_ERR_ACCESS, "the reason is not valid UTF-8");
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat == UTF8PROC_CATEGORY_CC && cp != '\t')
            return cpi_error_set(err, CPI_ERR_ACCESS, "the reason holds a control character (keep it to one line)");
        bool space = cp == '\t' || cat == UTF8PROC_CATEGORY_ZS;
        if (!space && !in_word)
            words++;
        in_word = !space;
        i += len;
    }
    if (words < 2)
        return cpi_error_set(err, CPI_ERR_ACCESS,
                             "a reason needs more than one word: say what you are doing and why");
    return CPI_OK;
}

/* ---------------------------------------------------------------- policy */

static void policy_defaults(policy *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < sizeof default_rules / sizeof default_rules[0]; i++)
        p->view[action_index(default_rules[i].action)][role_index(default_rules[i].role)] = default_rules[i].view;
    for (int i = 0; i < CPI_RESTRICTED_COUNT; i++)
        snprintf(p->contact[i], sizeof p->contact[i], "%s", restricted[i].contact);
}

/* Split the next whitespace-delimited word off *p; NULL at the end of the line. */
static char *next_word(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return NULL;
    char *w = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    if (*s)
        *s++ = '\0';
    *p = s;
    return w;
}

/* Apply one line of access.conf. */
static cpi_status conf_line(policy *p, const char *path, unsigned lineno, char *line, cpi_error *err)
{
    char *rest = line;
    char *first = next_word(&rest);
    if (!first || first[0] == '#')
        return CPI_OK;
    if (strcmp(first, "contact") == 0) {
        char *src = next_word(&rest);
        while (*rest == ' ' || *rest == '\t')
            rest++;
        for (int i = 0; src && i < CPI_RESTRICTED_COUNT; i++)
            if (strcmp(src, restricted[i].source) == 0) {
                if (!*rest || strlen(rest) >= CPI_CONTACT_MAX)
                    return cpi_error_set(err, CPI_ERR_DATA, "%s:%u: contact needs a text of 1 to %d bytes", path,
                                         lineno, CPI_CONTACT_MAX - 1);
                snprintf(p->contact[i], sizeof p->contact[i], "%s", rest);
                return CPI_OK;
            }
        return cpi_error_set(err, CPI_ERR_DATA, "%s:%u: contact names a restricted source (polit or marac)", path,
                             lineno);
    }
    int a = action_index(first);
    if (a < 0)
        return cpi_error_set(err, CPI_ERR_DATA, "%s:%u: unknown command '%.40s' (a line is COMMAND ROLE LEVEL or "
                             "contact SOURCE TEXT)", path, lineno, first);
    char *role = next_word(&rest), *level = next_word(&rest);
    unsigned bits;
    if (!role || cpi_roles_parse(role, &bits, NULL) != CPI_OK || role_index((cpi_role)bits) < 0)
        return cpi_error_set(err, CPI_ERR_DATA, "%s:%u: say one role (officer, analyst, polit, marac, supervisor, "
                             "admin) after '%s'", path, lineno, first);
    int v = -1;
    for (int i = 0; level && i < 3; i++)
        if (strcmp(level, view_names[i]) == 0)
            v = i;
    if (v < 0 || next_word(&rest))
        return cpi_error_set(err, CPI_ERR_DATA, "%s:%u: the level is none, summary or full, and ends the line",
                             path, lineno);
    p->view[a][role_index((cpi_role)bits)] = (cpi_view)v;
    return CPI_OK;
}

/* The table in force for the store at dir. */
static cpi_status policy_load(const char *dir, policy *p, cpi_error *err)
{
    policy_defaults(p);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, CONF_NAME);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (errno == ENOENT)
            return CPI_OK;
        return cpi_error_set(err, CPI_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    }
    struct stat sb;
    if (fstat(fileno(fp), &sb) == 0 && (sb.st_mode & 022)) {
        fclose(fp);
        return cpi_error_set(err, CPI_ERR_DATA,
                             "%s can be changed by others (mode %03o), so it cannot be trusted to grant access; "
                             "run 'chmod 600 %s'",
                             path, (unsigned)(sb.st_mode & 0777), path);
    }
    char line[1024];
    unsigned lineno = 0;
    cpi_status s = CPI_OK;
    while (!s && fgets(line, sizeof line, fp)) {
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        else if (!feof(fp))
            s = cpi_error_set(err, CPI_ERR_DATA, "%s:%u: line too long", path, lineno);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (!s)
            s = conf_line(p, path, lineno, line, err);
    }
    if (!s && ferror(fp))
        s = cpi_error_set(err, CPI_ERR_IO, "cannot read %s", path);
    fclose(fp);
    return s;
}

/* ---------------------------------------------------------------- users */

cpi_status cpi_access_owner(cpi_store *st, char out[CPI_USER_MAX], cpi_error *err)
{
    struct stat sb;
    if (stat(cpi_store_path(st), &sb) != 0)
        return cpi_error_set(err, CPI_ERR_IO, "store %s: %s", cpi_store_path(st), strerror(errno));
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(sb.st_uid, &pw, buf, sizeof buf, &res) == 0 && res &&
        cpi_access_check_user_name(res->pw_name, NULL) == CPI_OK)
        snprintf(out, CPI_USER_MAX, "%s", res->pw_name);
    else
        snprintf(out, CPI_USER_MAX, "uid-%u", (unsigned)sb.st_uid); /* no passwd entry: still one stable name */
    return CPI_OK;
}

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static cpi_status user_put(cpi_txn *txn, const cpi_user *u, cpi_error *err)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    unsigned nroles = 0;
    for (int i = 0; i < CPI_ROLE_COUNT; i++)
        nroles += (u->roles >> i) & 1;
    msgpack_pack_map(&pk, 3);
    pack_str(&pk, "r");
    msgpack_pack_array(&pk, nroles);
    for (int i = 0; i < CPI_ROLE_COUNT; i++)
        if (u->roles & 1u << i)
            pack_str(&pk, role_names[i]);
    pack_str(&pk, "t");
    msgpack_pack_int64(&pk, u->added);
    pack_str(&pk, "b");
    pack_str(&pk, u->added_by);
    cpi_status s = sb.data ? cpi_txn_put(txn, CPI_DB_USERS, u->name, strlen(u->name), sb.data, sb.size, err)
                           : cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
    msgpack_sbuffer_destroy(&sb);
    return s;
}

static bool key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, name, n) == 0;
}

/* Decode a users value strictly; name is the key. */
static cpi_status user_decode(const char *name, size_t nlen, const void *data, size_t len, cpi_user *out,
                              cpi_error *err)
{
    memset(out, 0, sizeof *out);
    if (nlen == 0 || nlen >= CPI_USER_MAX)
        return cpi_error_set(err, CPI_ERR_STORE, "users: a stored user name is empty or too long");
    memcpy(out->name, name, nlen);
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    unsigned seen = 0;
    bool ok = msgpack_unpack_next(&up, data, len, &off) == MSGPACK_UNPACK_SUCCESS && off == len &&
              up.data.type == MSGPACK_OBJECT_MAP;
    for (uint32_t i = 0; ok && i < up.data.via.map.size; i++) {
        const msgpack_object *k = &up.data.via.map.ptr[i].key, *v = &up.data.via.map.ptr[i].val;
        if (key_is(k, "r") && v->type == MSGPACK_OBJECT_ARRAY) {
            for (uint32_t j = 0; ok && j < v->via.array.size; j++) {
                const msgpack_object *r = &v->via.array.ptr[j];
                int found = -1;
                for (int x = 0; r->type == MSGPACK_OBJECT_STR && x < CPI_ROLE_COUNT; x++)
                    if (strlen(role_names[x]) == r->via.str.size &&
                        memcmp(role_names[x], r->via.str.ptr, r->via.str.size) == 0)
                        found = x;
                ok = found >= 0;
                if (ok)
                    out->roles |= 1u << found;
            }
            seen |= 1;
        } else if (key_is(k, "t") && (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
                                      v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)) {
            out->added = v->via.i64;
            seen |= 2;
        } else if (key_is(k, "b") && v->type == MSGPACK_OBJECT_STR && v->via.str.size < CPI_USER_MAX) {
            memcpy(out->added_by, v->via.str.ptr, v->via.str.size);
            out->added_by[v->via.str.size] = '\0';
            seen |= 4;
        } else {
            ok = false;
        }
    }
    msgpack_unpacked_destroy(&up);
    if (!ok || seen != 7)
        return cpi_error_set(err, CPI_ERR_STORE, "users: the entry for '%s' is malformed; refusing to guess",
                             out->name);
    return CPI_OK;
}

/* Look name up; CPI_NOT_FOUND if absent. *table_empty says whether there are no users at all. */
static cpi_status user_get(cpi_txn *txn, const char *name, cpi_user *out, bool *table_empty, cpi_error *err)
{
    uint64_t n;
    cpi_status s = cpi_txn_count(txn, CPI_DB_USERS, &n, err);
    if (s)
        return s;
    *table_empty = n == 0;
    cpi_slice v;
    s = cpi_txn_get(txn, CPI_DB_USERS, name, strlen(name), &v, err);
    if (s)
        return s;
    return user_decode(name, strlen(name), v.data, v.len, out, err);
}

/* ---------------------------------------------------------------- authorise */

/* The roles that would give any view of action, for the refusal message. */
static void roles_for(const policy *p, int a, char *buf, size_t cap)
{
    unsigned bits = 0;
    for (int r = 0; r < CPI_ROLE_COUNT; r++)
        if (p->view[a][r] != CPI_VIEW_NONE)
            bits |= 1u << r;
    if (!bits)
        snprintf(buf, cap, "no role (access.conf allows it to nobody)");
    else
        cpi_roles_format(bits, buf, cap);
}

cpi_status cpi_access_authorise(cpi_store *st, const char *user, const char *reason, const char *action,
                                cpi_grant *out, cpi_error *err)
{
    memset(out, 0, sizeof *out);
    cpi_status s;
    if (!user || !*user)
        return cpi_error_set(err, CPI_ERR_ACCESS, "say who you are: a user name is required");
    cpi_error e2 = {0};
    if (cpi_access_check_user_name(user, &e2))
        return cpi_error_set(err, CPI_ERR_ACCESS, "%s", e2.msg);
    if ((s = cpi_access_check_reason(reason, err)))
        return s;
    int a = action_index(action ? action : "");
    if (a < 0)
        return cpi_error_set(err, CPI_ERR_ACCESS, "'%.40s' is not in the permission table, so nobody may run it",
                             action ? action : "");
    policy p;
    if ((s = policy_load(cpi_store_path(st), &p, err)))
        return s;

    cpi_user u;
    bool empty;
    cpi_txn *txn;
    if ((s = cpi_store_read_begin(st, &txn, err)))
        return s;
    s = user_get(txn, user, &u, &empty, err);
    cpi_txn_end(txn);
    if (s == CPI_NOT_FOUND && empty) {
        char owner[CPI_USER_MAX];
        if ((s = cpi_access_owner(st, owner, err)))
            return s;
        if (strcmp(owner, user) == 0) {
            memset(&u, 0, sizeof u);
            snprintf(u.name, sizeof u.name, "%s", owner);
            u.roles = CPI_ROLE_ADMIN;
        } else {
            s = CPI_NOT_FOUND;
        }
    }
    if (s == CPI_NOT_FOUND)
        return cpi_error_set(err, CPI_ERR_ACCESS,
                             "user '%s' is not known to this store; an admin can add them with "
                             "'cpindex user add %s --role ROLE'",
                             user, user);
    if (s)
        return s;

    cpi_view view = CPI_VIEW_NONE;
    for (int r = 0; r < CPI_ROLE_COUNT; r++)
        if ((u.roles & 1u << r) && p.view[a][r] > view)
            view = p.view[a][r];
    if (view == CPI_VIEW_NONE) {
        char have[96], need[96];
        cpi_roles_format(u.roles, have, sizeof have);
        roles_for(&p, a, need, sizeof need);
        return cpi_error_set(err, CPI_ERR_ACCESS, "user '%s' (%s) may not run '%s'; it needs the role %s", user,
                             have[0] ? have : "no roles", action, need);
    }
    snprintf(out->user, sizeof out->user, "%s", user);
    snprintf(out->reason, sizeof out->reason, "%s", reason);
    snprintf(out->action, sizeof out->action, "%s", action);
    out->roles = u.roles;
    out->view = view;
    for (int i = 0; i < CPI_RESTRICTED_COUNT; i++) {
        if (u.roles & restricted[i].role)
            out->restricted |= restricted[i].bit;
        snprintf(out->contact[i], sizeof out->contact[i], "%s", p.contact[i]);
    }
    return CPI_OK;
}

/* Index of ref's source in restricted[], or -1. */
static int restricted_index(const char *ref)
{
    const char *colon = strchr(ref, ':');
    size_t n = colon ? (size_t)(colon - ref) : strlen(ref);
    for (int i = 0; i < CPI_RESTRICTED_COUNT; i++)
        if (strlen(restricted[i].source) == n && memcmp(restricted[i].source, ref, n) == 0)
            return i;
    return -1;
}

bool cpi_access_may_read(const cpi_grant *g, const char *ref)
{
    int i = restricted_index(ref);
    return i < 0 || (g->restricted & restricted[i].bit);
}

const char *cpi_access_contact(const cpi_grant *g, const char *ref)
{
    int i = restricted_index(ref);
    return i < 0 ? NULL : g->contact[i];
}

/* ---------------------------------------------------------------- user management */

static cpi_status require_user_action(const cpi_grant *g, cpi_error *err)
{
    if (strcmp(g->action, "user") != 0)
        return cpi_error_set(err, CPI_ERR_ACCESS, "user management needs a grant for 'user', not '%s'", g->action);
    return CPI_OK;
}

/* Log a change to the users table. */
static cpi_status log_access(cpi_txn *txn, const cpi_grant *g, const char *command, const char *name,
                             unsigned roles, const char *note, cpi_error *err)
{
    char rbuf[96];
    cpi_roles_format(roles, rbuf, sizeof rbuf);
    cpi_kv kv[3] = {{"user", name}, {"roles", rbuf}, {"note", note}};
    cpi_audit_entry e = {
        .kind = CPI_AUDIT_ACCESS,
        .user = g->user,
        .reason = g->reason,
        .command = command,
        .details = {kv, note ? 3 : 2},
    };
    return cpi_audit_append(txn, &e, err);
}

/* Number of users holding admin. */
static cpi_status count_admins(cpi_txn *txn, uint64_t *out, cpi_error *err)
{
    *out = 0;
    cpi_cursor *c;
    cpi_status s = cpi_cursor_open(txn, CPI_DB_USERS, &c, err);
    if (s)
        return s;
    cpi_slice k, v;
    cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &v, err);
    for (; cs == CPI_OK; cs = cpi_cursor_next(c, &k, &v, err)) {
        cpi_user u;
        if ((s = user_decode(k.data, k.len, v.data, v.len, &u, err)))
            break;
        if (u.roles & CPI_ROLE_ADMIN)
            (*out)++;
    }
    cpi_cursor_close(c);
    if (!s && cs != CPI_NOT_FOUND)
        s = cs;
    return s;
}

typedef struct user_job {
    cpi_store *st;
    const cpi_grant *g;
    const char *name;
    unsigned roles;
    int64_t now;
} user_job;

/* On an empty table, write the implicit owner down as admin (logged) before anything else changes. */
static cpi_status materialise_owner(cpi_txn *txn, user_job *j, cpi_error *err)
{
    uint64_t n;
    cpi_status s = cpi_txn_count(txn, CPI_DB_USERS, &n, err);
    if (s || n)
        return s;
    cpi_user o = {.roles = CPI_ROLE_ADMIN, .added = j->now};
    if ((s = cpi_access_owner(j->st, o.name, err)))
        return s;
    snprintf(o.added_by, sizeof o.added_by, "%s", OWNER_NOTE);
    if ((s = user_put(txn, &o, err)))
        return s;
    return log_access(txn, j->g, "user add", o.name, o.roles, "the store's owner, its first admin", err);
}

static cpi_status add_fn(cpi_txn *txn, void *ctx, cpi_error *err)
{
    user_job *j = ctx;
    cpi_status s = materialise_owner(txn, j, err);
    if (s)
        return s;
    cpi_user u = {.roles = j->roles, .added = j->now};
    snprintf(u.name, sizeof u.name, "%s", j->name);
    snprintf(u.added_by, sizeof u.added_by, "%s", j->g->user);
    cpi_user old;
    bool empty;
    s = user_get(txn, j->name, &old, &empty, err);
    if (s && s != CPI_NOT_FOUND)
        return s;
    bool existed = s == CPI_OK;
    char note[128] = "";
    if (existed) {
        char was[96];
        cpi_roles_format(old.roles, was, sizeof was);
        snprintf(note, sizeof note, "roles changed, were %s", was);
    }
    if ((s = user_put(txn, &u, err)))
        return s;
    uint64_t admins;
    if ((s = count_admins(txn, &admins, err)))
        return s;
    if (admins == 0)
        return cpi_error_set(err, CPI_ERR_ACCESS,
                             "'%s' is the last admin; add another admin before taking the role away", j->name);
    return log_access(txn, j->g, "user add", j->name, j->roles, existed ? note : NULL, err);
}

cpi_status cpi_access_user_add(cpi_store *st, const cpi_grant *g, const char *name, unsigned roles, cpi_error *err)
{
    cpi_status s = require_user_action(g, err);
    if (s)
        return s;
    if ((s = cpi_access_check_user_name(name, err)))
        return s;
    if (roles == 0 || (roles & ~CPI_ROLES_ALL))
        return cpi_error_set(err, CPI_ERR_USAGE, "give '%s' at least one role", name);
    user_job j = {.st = st, .g = g, .name = name, .roles = roles, .now = (int64_t)time(NULL)};
    return cpi_store_write(st, add_fn, &j, err);
}

static cpi_status remove_fn(cpi_txn *txn, void *ctx, cpi_error *err)
{
    user_job *j = ctx;
    cpi_user old;
    bool empty = false;
    cpi_status s = user_get(txn, j->name, &old, &empty, err);
    if (s == CPI_NOT_FOUND) {
        char owner[CPI_USER_MAX];
        if (empty && cpi_access_owner(j->st, owner, NULL) == CPI_OK && strcmp(owner, j->name) == 0)
            return cpi_error_set(err, CPI_ERR_ACCESS, "'%s' owns the store and is its only admin", j->name);
        return cpi_error_set(err, CPI_NOT_FOUND, "no user '%s' in this store", j->name);
    }
    if (s)
        return s;
    if ((s = cpi_txn_del(txn, CPI_DB_USERS, j->name, strlen(j->name), NULL, 0, err)))
        return s;
    char pwkey[CPI_USER_MAX + 8];
    int pl = snprintf(pwkey, sizeof pwkey, PW_PREFIX "%s", j->name); /* a removed user's password goes too */
    s = cpi_txn_del(txn, CPI_DB_META, pwkey, (size_t)pl, NULL, 0, err);
    if (s && s != CPI_NOT_FOUND)
        return s;
    uint64_t admins;
    if ((s = count_admins(txn, &admins, err)))
        return s;
    if (admins == 0)
        return cpi_error_set(err, CPI_ERR_ACCESS, "'%s' is the last admin; add another admin first", j->name);
    return log_access(txn, j->g, "user remove", j->name, old.roles, NULL, err);
}

cpi_status cpi_access_user_remove(cpi_store *st, const cpi_grant *g, const char *name, cpi_error *err)
{
    cpi_status s = require_user_action(g, err);
    if (s)
        return s;
    if ((s = cpi_access_check_user_name(name, err)))
        return s;
    user_job j = {.st = st, .g = g, .name = name, .now = (int64_t)time(NULL)};
    return cpi_store_write(st, remove_fn, &j, err);
}

cpi_status cpi_access_user_list(cpi_store *st, const cpi_grant *g, cpi_user **out, size_t *n, cpi_error *err)
{
    *out = NULL;
    *n = 0;
    cpi_status s = require_user_action(g, err);
    if (s)
        return s;
    cpi_txn *txn;
    if ((s = cpi_store_read_begin(st, &txn, err)))
        return s;
    uint64_t count;
    cpi_user *v = NULL;
    s = cpi_txn_count(txn, CPI_DB_USERS, &count, err);
    if (!s && !(v = calloc(count ? count : 1, sizeof *v)))
        s = cpi_error_set(err, CPI_ERR_NOMEM, "out of memory");
    size_t got = 0;
    cpi_cursor *c = NULL;
    if (!s)
        s = cpi_cursor_open(txn, CPI_DB_USERS, &c, err);
    if (!s) {
        cpi_slice k, val;
        cpi_status cs = cpi_cursor_seek(c, NULL, 0, &k, &val, err);
        for (; cs == CPI_OK && got < count; cs = cpi_cursor_next(c, &k, &val, err))
            if ((s = user_decode(k.data, k.len, val.data, val.len, &v[got++], err)))
                break;
        if (!s && cs != CPI_OK && cs != CPI_NOT_FOUND)
            s = cs;
        cpi_cursor_close(c);
    }
    cpi_txn_end(txn);
    if (!s && count == 0) {
        v[0].roles = CPI_ROLE_ADMIN;
        s = cpi_access_owner(st, v[0].name, err);
        got = 1;
    }
    if (!s) {
        char cnt[24];
        snprintf(cnt, sizeof cnt, "%zu", got);
        cpi_kv kv[] = {{"users", cnt}};
        cpi_audit_entry e = {.kind = CPI_AUDIT_CONSULTATION, .user = g->user, .reason = g->reason,
                             .command = "user list", .details = {kv, 1}};
        s = cpi_audit_log(st, &e, err);
    }
    if (s) {
        free(v);
        return s;
    }
    *out = v;
    *n = got;
    return CPI_OK;
}

/* ---------------------------------------------------------------- passwords */

typedef struct pw_job {
    user_job u;
    const char *hash; /* crypto_pwhash_str output, computed before the write: argon2 must not hold the writer */
} pw_job;

/* Write name's hash beside the users table; the user must exist (the implicit owner is written down first). */
static cpi_status passwd_fn(cpi_txn *txn, void *ctx, cpi_error *err)
{
    pw_job *j = ctx;
    cpi_status s = materialise_owner(txn, &j->u, err);
    if (s)
        return s;
    cpi_user u;
    bool empty;
    s = user_get(txn, j->u.name, &u, &empty, err);
    if (s == CPI_NOT_FOUND)
        return cpi_error_set(err, CPI_NOT_FOUND, "no user '%s' in this store; add them first with 'cpindex user add "
                             "%s --role ROLE'", j->u.name, j->u.name);
    if (s)
        return s;
    char key[CPI_USER_MAX + 8];
    int kl = snprintf(key, sizeof key, PW_PREFIX "%s", j->u.name);
    if ((s = cpi_txn_put(txn, CPI_DB_META, key, (size_t)kl, j->hash, strlen(j->hash), err)))
        return s;
    return log_access(txn, j->u.g, "user passwd", j->u.name, u.roles, "password set", err);
}

cpi_status cpi_access_password_set(cpi_store *st, const cpi_grant *g, const char *name, const char *password,
                                   cpi_error *err)
{
    cpi_status s = require_user_action(g, err);
    if (s)
        return s;
    if ((s = cpi_access_check_user_name(name, err)))
        return s;
    size_t n = password ? strlen(password) : 0;
    if (n < CPI_PASSWORD_MIN || n > CPI_PASSWORD_MAX)
        return cpi_error_set(err, CPI_ERR_USAGE, "a password is %d to %d bytes (a passphrase of a few words will do)",
                             CPI_PASSWORD_MIN, CPI_PASSWORD_MAX);
    if (sodium_init() < 0)
        return cpi_error_set(err, CPI_ERR_IO, "libsodium could not start (no random source?)");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE))
        return cpi_error_set(err, CPI_ERR_NOMEM, "hashing the password needs %zu MiB of memory, which is not there",
                             (size_t)(crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20));
    pw_job j = {.u = {.st = st, .g = g, .name = name, .now = (int64_t)time(NULL)}, .hash = hash};
    s = cpi_store_write(st, passwd_fn, &j, err);
    sodium_memzero(hash, sizeof hash);
    return s;
}

cpi_status cpi_access_password_check(cpi_store *st, const char *name, const char *password, cpi_error *err)
{
    /* a hash to check against when the user has none, so an unknown name costs what a wrong password costs */
    static char dummy[crypto_pwhash_STRBYTES];
    if (sodium_init() < 0)
        return cpi_error_set(err, CPI_ERR_IO, "libsodium could not start (no random source?)");
    if (!dummy[0] && crypto_pwhash_str(dummy, "not a password of anyone", 24, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE))
        return cpi_error_set(err, CPI_ERR_NOMEM, "out of memory checking a password");
    char hash[crypto_pwhash_STRBYTES] = "";
    bool known = false;
    size_t n = password ? strlen(password) : 0;
    if (name && cpi_access_check_user_name(name, NULL) == CPI_OK && n <= CPI_PASSWORD_MAX) {
        cpi_txn *txn;
        cpi_status s = cpi_store_read_begin(st, &txn, err);
        if (s)
            return s;
        char key[CPI_USER_MAX + 8];
        int kl = snprintf(key, sizeof key, PW_PREFIX "%s", name);
        cpi_slice v, uv;
        s = cpi_txn_get(txn, CPI_DB_META, key, (size_t)kl, &v, err);
        if (s == CPI_OK && v.len < sizeof hash &&
            cpi_txn_get(txn, CPI_DB_USERS, name, strlen(name), &uv, NULL) == CPI_OK) { /* removed users never log in */
            memcpy(hash, v.data, v.len);
            hash[v.len] = '\0';
            known = true;
        }
        cpi_txn_end(txn);
        if (s && s != CPI_NOT_FOUND)
            return s;
    }
    bool ok = crypto_pwhash_str_verify(known ? hash : dummy, password ? password : "", n) == 0 && known;
    sodium_memzero(hash, sizeof hash);
    return ok ? CPI_OK : cpi_error_set(err, CPI_ERR_ACCESS, "wrong user name or password");
}
