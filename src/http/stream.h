/*
 * stream: streaming HTTP responses, for Server-Sent Events and the like.
 * A handler answers with http_response_stream() instead of a body; the
 * server then sends whatever is written to the stream, from any thread, as
 * it arrives (chunked transfer coding), until the stream is ended or the
 * client goes away.
 *
 * While nothing is waiting to be sent, the connection is suspended in
 * libmicrohttpd: it holds no thread and is not polled, only its socket and
 * its memory pool. A write resumes it. A client that has gone away is
 * noticed on the next write (a heartbeat, for a stream that is otherwise
 * quiet), which then returns false.
 *
 * Bounded: a client that does not read gets at most HTTP_STREAM_MAX_PENDING
 * bytes queued; the write that would pass it ends the stream instead.
 *
 * Ownership: reference counted. http_response_stream() hands the caller a
 * reference (give it back with http_stream_release) and the server keeps
 * its own until the connection is finished, so either side may outlive the
 * other. Every function is thread-safe.
 */
#ifndef CRUDDUR_HTTP_STREAM_H
#define CRUDDUR_HTTP_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "http/server.h"

#define HTTP_STREAM_MAX_PENDING (1024 * 1024)

typedef struct http_stream http_stream;

/*
 * Makes `res` a streaming response with the given status and content type
 * (a static string) and returns the caller's reference. Headers added to
 * `res` are sent as usual; its body is ignored. Data written before the
 * handler returns is sent first.
 */
http_stream *http_response_stream(http_response *res, int status, const char *content_type);

/* Queues data to send; false (and nothing queued) once the stream has
   ended, the client has gone, or the client is too far behind. */
bool http_stream_write(http_stream *st, const void *data, size_t len);
/* Ends the stream once what is queued has been sent. Idempotent. */
void http_stream_end(http_stream *st);
/* True until the stream has ended or its connection is finished. */
bool http_stream_is_open(http_stream *st);
/* Gives back a reference; NULL is a no-op. */
void http_stream_release(http_stream *st);

#endif
