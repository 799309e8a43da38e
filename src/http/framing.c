/*
 * framing: the checks of RFC 9112 section 6 on a request's framing
 * headers (see framing.h).
 */
#include "http/framing.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define MAX_VALUES (sizeof((http_framing *)0)->content_length / sizeof(const char *))

/* Content-Length values say the same length: "5" and "5" (a list such as
   "5, 5" libmicrohttpd refuses itself). Compared as text after leading
   zeros, which is what the number means. */
static bool same_length(const char *a, const char *b)
{
    while (*a == '0' && a[1])
        a++;
    while (*b == '0' && b[1])
        b++;
    return strcmp(a, b) == 0;
}

/* Counts the codings of one Transfer-Encoding value, and how many of them
   are "chunked" (case-insensitive, spaces and empty list items ignored). */
static void count_codings(const char *v, size_t *codings, size_t *chunked)
{
    while (*v) {
        while (*v == ' ' || *v == '\t' || *v == ',')
            v++;
        if (!*v) break;
        const char *start = v;
        while (*v && *v != ',')
            v++;
        const char *end = v;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        (*codings)++;
        if (end - start == 7 && strncasecmp(start, "chunked", 7) == 0) (*chunked)++;
    }
}

int http_framing_verdict(const http_framing *f, const char **why)
{
    size_t n_cl = f->n_content_length < MAX_VALUES ? f->n_content_length : MAX_VALUES;
    size_t n_te = f->n_transfer_encoding < MAX_VALUES ? f->n_transfer_encoding : MAX_VALUES;
    if (f->n_content_length && f->n_transfer_encoding) {
        *why = "a request must not have both Content-Length and Transfer-Encoding";
        return 400;
    }
    for (size_t i = 1; i < n_cl; i++)
        if (!same_length(f->content_length[0], f->content_length[i])) {
            *why = "the request has different Content-Length values";
            return 400;
        }
    if (f->n_content_length > MAX_VALUES) {
        *why = "the request repeats Content-Length too often";
        return 400;
    }
    if (!f->n_transfer_encoding) return 0;
    if (f->version && strcmp(f->version, "HTTP/1.0") == 0) {
        *why = "Transfer-Encoding is not part of HTTP/1.0";
        return 400;
    }
    size_t codings = 0, chunked = 0;
    for (size_t i = 0; i < n_te; i++)
        count_codings(f->transfer_encoding[i], &codings, &chunked);
    if (f->n_transfer_encoding > MAX_VALUES || codings != chunked) {
        *why = "only the chunked transfer coding is supported";
        return 501;
    }
    if (chunked != 1) {
        *why = "the chunked transfer coding must be applied exactly once";
        return 400;
    }
    return 0;
}
