/*
 * server: the HTTP server cruddur's APIs run on (libmicrohttpd, epoll,
 * a thread pool, keep-alive). It knows nothing of routes: the owner passes
 * one handler that receives a complete request (body fully read, up to a
 * limit) and fills in a response. The handler runs on a pool thread and
 * must be thread-safe.
 *
 * Ownership: the request and everything it points to belong to the server
 * and live until the handler returns. The response owns its body and
 * headers; the server sends and frees them.
 */
#ifndef CRUDDUR_HTTP_SERVER_H
#define CRUDDUR_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"

typedef struct http_request {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* URL path without the query string, %-decoded by libmicrohttpd */
    const char *body;   /* NUL-terminated; "" when none */
    size_t body_len;
    bool body_too_large; /* over the server's body limit: body is empty */
    void *conn;          /* internal: the connection (for headers and query args) */
} http_request;

/* A request header (case-insensitive name) or NULL. */
const char *http_request_header(const http_request *req, const char *name);
/* A query-string argument (decoded) or NULL. */
const char *http_request_arg(const http_request *req, const char *name);

#define HTTP_MAX_HEADERS 16

typedef struct http_response {
    int status;
    buf_t body;
    const char *content_type; /* static string; default application/json */
    int n_headers;
    char *header_names[HTTP_MAX_HEADERS]; /* owned */
    char *header_values[HTTP_MAX_HEADERS];
    struct http_stream *stream; /* a streaming response (stream.h); NULL: send `body` */
} http_response;

/* Adds a header to the response (copied). Extra headers past the limit are dropped. */
void http_response_header(http_response *res, const char *name, const char *value);
/* Sets status and a JSON body (compact); steals nothing: the caller keeps `body`. */
void http_response_json(http_response *res, int status, const json_t *body);
/* Sets status and the JSON content type, empties the body and returns it,
   for a caller that writes the JSON text itself. */
buf_t *http_response_json_text(http_response *res, int status);
/* Sets status and a body of the given type (copied). */
void http_response_body(http_response *res, int status, const char *content_type, const void *data,
                        size_t len);

typedef void (*http_handler)(void *ctx, const http_request *req, http_response *res);

typedef struct http_config {
    const char *host;         /* listen address; default 127.0.0.1 */
    uint16_t port;            /* 0 picks a free port (see http_server_port) */
    unsigned threads;         /* thread pool size; 0 = number of cores */
    size_t max_body;          /* larger bodies are flagged body_too_large; default 64 KB */
    bool quiet;               /* no request log lines */
    unsigned max_connections; /* 0: what the open-files limit allows (RLIMIT_NOFILE) */
    const char *name;         /* for log lines, e.g. "api" */
} http_config;

typedef struct http_server http_server;

/* Starts listening; NULL with a message in `errbuf` on failure. */
http_server *http_server_start(const http_config *cfg, http_handler handler, void *ctx,
                               char *errbuf, size_t errlen);
uint16_t http_server_port(const http_server *s);
/* Stops accepting, lets requests in flight finish, frees the server. */
void http_server_stop(http_server *s);

/* Blocks until SIGINT or SIGTERM arrives (for commands that serve until told
   to stop); the command must have called stop_signal_block() first thing,
   before it started any thread (base/stop_signal.h). */
void http_wait_for_shutdown_signal(void);

#endif
