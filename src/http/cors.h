/*
 * cors: the list of web origins a server lets browsers read answers from,
 * as given on a command line ("https://a.example,http://localhost:3000",
 * or "*" for every origin), and the Access-Control-Allow-Origin value a
 * request's Origin earns. An empty list (the default) allows no origin.
 *
 * Ownership: http_cors owns its strings; http_cors_free releases them.
 */
#ifndef CRUDDUR_HTTP_CORS_H
#define CRUDDUR_HTTP_CORS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct http_cors {
    bool any;       /* "*": every origin */
    char **origins; /* "scheme://host[:port]", no trailing '/' */
    size_t n_origins;
} http_cors;

/*
 * Parses a comma list of origins, or "*". Each origin is
 * scheme://host[:port] (a trailing '/' is dropped) or the literal "null";
 * spaces around commas are ignored. On a malformed list returns false,
 * leaves `out` empty and writes the reason to `errbuf`.
 */
bool http_cors_parse(const char *spec, http_cors *out, char *errbuf, size_t errlen);

/* The Access-Control-Allow-Origin value for a request's Origin header
   ("*", or the origin itself when listed), or NULL when it is not allowed
   or absent. The result points into `origin` or is a static string. */
const char *http_cors_allow(const http_cors *c, const char *origin);

void http_cors_free(http_cors *c);

#endif
