/* serve_proto.c - frames and requests between cpindex serve and its clients (see serve_proto.h). */
#include "serve_proto.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "core/store.h"

/* The read-only queries a server answers: the rows of the command table marked servable. */
bool sp_servable(const char *command)
{
    const cli_command *c = command ? cli_find(command) : NULL;
    return c && c->servable;
}

int sp_socket_path(const char *db, char *buf, size_t cap)
{
    struct sockaddr_un a;
    if (cap > sizeof a.sun_path)
        cap = sizeof a.sun_path;
    int n = snprintf(buf, cap, "%s/" SP_SOCKET, db);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int recv_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t r = recv(fd, c, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

int sp_send(int fd, int type, const void *data, size_t len)
{
    if (len > UINT32_MAX)
        return -1;
    unsigned char h[5] = {(unsigned char)type, (unsigned char)len, (unsigned char)(len >> 8),
                          (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
    return send_all(fd, h, sizeof h) || (len && send_all(fd, data, len)) ? -1 : 0;
}

int sp_recv(int fd, int *type, char **data, size_t *len, size_t max)
{
    unsigned char h[5];
    *data = NULL;
    if (recv_all(fd, h, sizeof h))
        return -1;
    size_t n = (size_t)h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16 | (size_t)h[4] << 24;
    if (n > max)
        return -1;
    char *b = malloc(n + 1);
    if (!b)
        return -1;
    if (n && recv_all(fd, b, n)) {
        free(b);
        return -1;
    }
    b[n] = '\0';
    *type = h[0];
    *data = b;
    *len = n;
    return 0;
}

bool sp_peer_is_us(int fd, unsigned *uid)
{
    struct ucred cr;
    socklen_t l = sizeof cr;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) != 0 || l != sizeof cr) {
        *uid = (unsigned)-1;
        return false;
    }
    *uid = cr.uid;
    return cr.uid == geteuid();
}

#define STR_(x) #x
#define STR(x) STR_(x)

int sp_request_encode(bool force, const char *user, const char *reason, int argc, char *const *argv, char **out,
                      size_t *len)
{
    const char *head[] = {SP_MAGIC, SP_PROTOCOL, CPI_VERSION, STR(CPI_SCHEMA_VERSION), force ? "force" : "",
                          user ? user : "", reason ? reason : ""};
    size_t nh = sizeof head / sizeof head[0], n = 0;
    for (size_t i = 0; i < nh; i++)
        n += strlen(head[i]) + 1;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    if (n > SP_MAX_REQUEST || !(*out = malloc(n)))
        return -1;
    size_t off = 0;
    for (size_t i = 0; i < nh + (size_t)argc; i++) {
        const char *s = i < nh ? head[i] : argv[i - nh];
        size_t l = strlen(s) + 1;
        memcpy(*out + off, s, l);
        off += l;
    }
    *len = n;
    return 0;
}

int sp_request_decode(char *payload, size_t len, sp_request *r)
{
    memset(r, 0, sizeof *r);
    if (!len || payload[len - 1] != '\0')
        return -1;
    size_t nstr = 0;
    for (size_t i = 0; i < len; i++)
        nstr += payload[i] == '\0';
    if (nstr < 8) /* the 7 fixed fields and a command name */
        return -1;
    char **s = calloc(nstr + 1, sizeof *s);
    if (!s)
        return -1;
    char *p = payload;
    for (size_t i = 0; i < nstr; i++) {
        s[i] = p;
        p += strlen(p) + 1;
    }
    if (strcmp(s[0], SP_MAGIC) != 0) {
        free(s);
        return -1;
    }
    r->protocol = s[1];
    r->version = s[2];
    r->schema = s[3];
    r->force = s[4][0] != '\0';
    r->user = s[5];
    r->reason = s[6];
    r->argc = (int)(nstr - 7);
    memmove(s, s + 7, sizeof *s * (nstr - 7 + 1)); /* the argv, NULL-terminated */
    r->argv = s;
    return 0;
}

bool sp_request_matches(const sp_request *r)
{
    return strcmp(r->protocol, SP_PROTOCOL) == 0 && strcmp(r->version, CPI_VERSION) == 0 &&
           strcmp(r->schema, STR(CPI_SCHEMA_VERSION)) == 0;
}
