/*
 * fuzz_http: fake HTTP requests for the fuzz targets that drive cruddur's
 * HTTP handlers (api_handle, ddb_wire_handle) in-process, with no socket
 * and no libmicrohttpd connection behind them.
 *
 * The handlers read headers and query arguments through
 * http_request_header()/http_request_arg() (server.c), which ask
 * libmicrohttpd's MHD_lookup_connection_value() about req->conn. The fuzz
 * executables define that function themselves (fuzz_http.c), which the
 * linker prefers to the shared library's: given a fuzz_request as the
 * "connection", it answers from the request's own lists.
 *
 * Ownership: a fuzz_request owns all its strings; fuzz_request_free().
 */
#ifndef CRUDDUR_FUZZ_HTTP_H
#define CRUDDUR_FUZZ_HTTP_H

#include <stddef.h>

#include "http/server.h"

#define FUZZ_HTTP_MAX_FIELDS 16

typedef struct fuzz_request {
    http_request req; /* req.conn points back at this struct */
    char *method, *path, *body;
    int n_headers, n_args;
    char *header_names[FUZZ_HTTP_MAX_FIELDS], *header_values[FUZZ_HTTP_MAX_FIELDS];
    char *arg_names[FUZZ_HTTP_MAX_FIELDS], *arg_values[FUZZ_HTTP_MAX_FIELDS];
} fuzz_request;

/*
 * Reads a request written like HTTP/1.1 without the version:
 *     METHOD /path?name=value&...\n
 *     Header-Name: value\n
 *     ...
 *     \n
 *     body bytes (any, up to the end)
 * Query arguments are percent-decoded ('+' is a space) as libmicrohttpd
 * does; the path is kept as sent. Never fails: missing parts are empty.
 */
void fuzz_request_parse(fuzz_request *fr, const char *data, size_t size);
/* Adds (or replaces) a header, copying both strings. */
void fuzz_request_set_header(fuzz_request *fr, const char *name, const char *value);
void fuzz_request_free(fuzz_request *fr);

/*
 * Copies len bytes of `in`, replacing each occurrence of vars[i] by
 * values[i] (first match wins, in order): how the targets let an input
 * refer to things only known at run time (tokens, uuids, iterators).
 * Caller frees; *out_len receives the length (the copy is NUL-terminated).
 */
char *fuzz_substitute(const char *in, size_t len, const char *const *vars,
                      const char *const *values, size_t n, size_t *out_len);

/* A blank response for a handler to fill; free with fuzz_response_free. */
void fuzz_response_init(http_response *res);
void fuzz_response_free(http_response *res);

#endif
