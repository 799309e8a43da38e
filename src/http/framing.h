/*
 * framing: whether a request's length can be trusted (RFC 9112 section 6).
 * libmicrohttpd 0.9.75 reads a body framed by both Content-Length and
 * Transfer-Encoding, or by two different Content-Lengths, by one of them,
 * which lets a proxy in front that reads it by the other one pass a second
 * request hidden in the body; and it waits forever for the body of a
 * transfer coding it does not know. The server asks this module about
 * every request as soon as its headers have arrived, before reading the
 * body or dispatching, and answers a refused one at once and closes the
 * connection.
 */
#ifndef CRUDDUR_HTTP_FRAMING_H
#define CRUDDUR_HTTP_FRAMING_H

#include <stddef.h>

/* The framing headers of one request, as sent (a header line each). */
typedef struct http_framing {
    const char *version;           /* "HTTP/1.1", "HTTP/1.0" */
    const char *content_length[4]; /* the first values; n_content_length counts them all */
    size_t n_content_length;
    const char *transfer_encoding[4];
    size_t n_transfer_encoding;
} http_framing;

/* 0 when the body's length is unambiguous; else the status to answer
   (400 faulty framing, 501 a transfer coding other than chunked) with the
   reason in *why (a static string). */
int http_framing_verdict(const http_framing *f, const char **why);

#endif
