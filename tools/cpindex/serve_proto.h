/*
 * serve_proto.h - the protocol between `cpindex serve` (cmd_serve.c) and the
 * cpindex client (serve_client.c), on the Unix stream socket DIR/serve.sock in the
 * store directory DIR.
 *
 * Every message is a frame: one type byte, a 4-byte little-endian length,
 * then that many bytes. One request per connection:
 *
 *   client -> server  'R'  NUL-terminated strings: "cpindex-serve", the
 *                          protocol version, CPI_VERSION, the store schema,
 *                          "force" or "", the user, the reason (as the
 *                          client resolved them: --user/--reason, else the
 *                          environment; "" when none), then the command's
 *                          argv from its name on
 *   server -> client  'V'  refused before running anything (another version,
 *                          a command it does not serve): the client answers
 *                          in-process instead. The payload says why.
 *                     'A'  accepted: the command runs now. From here a
 *                          failure is an error, never a silent re-run.
 *                     'O'  bytes the command wrote to stdout (any number)
 *                     'E'  bytes the command wrote to stderr (any number)
 *                     'S'  the exit status, as decimal text; the last frame
 */
#ifndef CPI_SERVE_PROTO_H
#define CPI_SERVE_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define SP_PROTOCOL "1"
#define SP_MAGIC "cpindex-serve"
#define SP_SOCKET "serve.sock"
#define SP_MAX_REQUEST (256u * 1024)   /* a request's payload */
#define SP_MAX_FRAME (64u * 1024 * 1024) /* any frame the client accepts */

enum { SP_REQUEST = 'R', SP_REFUSED = 'V', SP_ACCEPTED = 'A', SP_STDOUT = 'O', SP_STDERR = 'E', SP_STATUS = 'S' };

/* Is command one a server answers (read-only queries: child, person, address, missing)? */
bool sp_servable(const char *command);

/* DIR/serve.sock into buf; -1 when it does not fit a socket address. */
int sp_socket_path(const char *db, char *buf, size_t cap);

/* Send one frame (no SIGPIPE); 0, or -1 with errno. */
int sp_send(int fd, int type, const void *data, size_t len);

/* Receive one frame of at most max bytes into *data (malloc'd, NUL-terminated); 0, or -1 (EOF, error, too long). */
int sp_recv(int fd, int *type, char **data, size_t *len, size_t max);

/* Is the process at the other end of fd running as our effective uid (SO_PEERCRED)? Its uid into *uid. */
bool sp_peer_is_us(int fd, unsigned *uid);

/* Build a request payload (malloc'd into *out); 0, or -1 when out of memory or too long. */
int sp_request_encode(bool force, const char *user, const char *reason, int argc, char *const *argv, char **out,
                      size_t *len);

typedef struct sp_request {
    const char *protocol, *version, *schema;
    bool force;
    const char *user, *reason;
    int argc;
    char **argv; /* malloc'd, NULL-terminated, pointing into the payload */
} sp_request;

/* Split a payload (NUL-terminated past len, as sp_recv leaves it); 0, or -1 when malformed. */
int sp_request_decode(char *payload, size_t len, sp_request *r);

/* Does r come from a client of exactly this build (protocol, version, schema)? */
bool sp_request_matches(const sp_request *r);

#endif
