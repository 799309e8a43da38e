/*
 * listen: the listening socket of an HTTP server, made here rather than by
 * libmicrohttpd so that a port in use is an error with a plain reason
 * ("cannot listen on 127.0.0.1:4567: address already in use") and so that
 * the socket options are ours: SO_REUSEADDR, so that a restart right after
 * a crash binds at once although the dead process's connections linger in
 * TIME_WAIT, and never SO_REUSEPORT, which would let a second server bind
 * the same port and take half of the connections.
 */
#ifndef CRUDDUR_HTTP_LISTEN_H
#define CRUDDUR_HTTP_LISTEN_H

#include <stddef.h>
#include <stdint.h>

/* A bound, listening, non-blocking, close-on-exec IPv4 socket on
   host:port (port 0 picks a free one; *bound_port says which), or -1 with
   the reason in errbuf. The caller owns the socket. */
int http_listen_socket(const char *host, uint16_t port, uint16_t *bound_port, char *errbuf,
                       size_t errlen);

#endif
