/*
 * stream_int: what server.c needs of stream.c to run streaming responses
 * on libmicrohttpd. Not for use outside src/http/server.c and stream.c.
 *
 * A server keeps its live streams in a set so that stopping it can end
 * them all first: libmicrohttpd refuses to stop while a connection is
 * suspended.
 */
#ifndef CRUDDUR_HTTP_STREAM_INT_H
#define CRUDDUR_HTTP_STREAM_INT_H

#include <microhttpd.h>

#include "http/stream.h"

typedef struct http_stream_set http_stream_set;

http_stream_set *http_stream_set_new(void);
/* Ends every stream of the set (they resume and finish). */
void http_stream_set_end_all(http_stream_set *set);
/* Frees the set; its streams' connections must all be finished. */
void http_stream_set_free(http_stream_set *set);

/* The stream a handler made of `res`, or NULL. */
http_stream *http_response_stream_of(const http_response *res);
/* The status the handler gave the stream. */
int http_stream_status(const http_stream *st);
/*
 * A libmicrohttpd response that sends the stream on `conn` (the server's
 * reference moves into it, and out again when the connection is done), or
 * NULL when one cannot be made (the server's reference is then released).
 */
struct MHD_Response *http_stream_mhd_response(http_stream *st, struct MHD_Connection *conn,
                                              http_stream_set *set);
/* Drops the server's reference of a stream that was never handed over. */
void http_stream_abandon(http_stream *st);

#endif
