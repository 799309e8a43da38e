/*
 * events: the hub behind GET /api/events. It holds each signed-in user's
 * open event streams (Server-Sent Events, stream.h) and writes to them
 * what the relay (messaging/push.h) says concerns that user, and nothing
 * else: an event reaches only the streams of the user it names.
 *
 * On a stream, in order:
 *   retry: 2000                      reconnect after 2 s
 *   the events missed since Last-Event-ID (a resume), or `event: resync`
 *     when they are no longer known (the client then reloads what it shows)
 *   id: <newest id>  event: ready    the stream is live
 *   id: <seq>  event: message|group  as they happen
 *   a comment (": ping") every heartbeat interval, which also finds
 *     streams whose client has gone
 *   event: expired                   when the access token expires; then
 *     the stream ends (the client reconnects with a fresh token)
 *
 * Missed events come from a ring of the most recent events (EVENTS_RING
 * entries). An id is found by position, so resuming works on any server
 * that reads the same stream and still holds the id. The id "0" (what a
 * ready event carries before any event) resumes from the ring's start as
 * long as it has not wrapped.
 *
 * Ownership: the hub takes over the stream references given to it and
 * releases them when the stream ends. Thread-safe; a thread of its own
 * sends heartbeats and closes expired streams.
 */
#ifndef CRUDDUR_HTTP_EVENTS_H
#define CRUDDUR_HTTP_EVENTS_H

#include <stdint.h>

#include "http/stream.h"
#include "messaging/push.h"

#define EVENTS_RING 8192
#define EVENTS_HEARTBEAT_MS_DEFAULT 15000

typedef struct events_hub events_hub;

/* heartbeat_ms 0: EVENTS_HEARTBEAT_MS_DEFAULT. */
events_hub *events_hub_new(int heartbeat_ms);
/* Ends every stream and frees the hub. NULL is a no-op. */
void events_hub_free(events_hub *h);

/* A msg_event_fn: records the event and writes it to its user's streams. */
void events_hub_publish(const msg_event *ev, void *hub);

/*
 * Adds a stream of `user` (taking the caller's reference) that ends when
 * the clock passes `expires_s` (Unix seconds). `last_id` is the client's
 * Last-Event-ID or NULL.
 */
void events_hub_subscribe(events_hub *h, http_stream *st, const char *user, int64_t expires_s,
                          const char *last_id);

/* How many streams are open (tests, the benchmark). */
size_t events_hub_count(events_hub *h);

#endif
