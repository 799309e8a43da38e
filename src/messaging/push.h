/*
 * push: what each user is told, at once, as the messages table changes.
 * A relay (consumer.h in relay mode) reads the table's stream and turns
 * its records into events for the users they concern:
 *
 *   message  a new message (MSG# INSERT), for every member of its
 *            conversation: {message_group_uuid, uuid, handle, display_name,
 *            message, created_at}, the shape of POST /api/messages' answer
 *   group    a row of a user's conversation list was written (GRP# INSERT
 *            or MODIFY), for its owner: {uuid, handle, display_name,
 *            message, created_at}, the shape of GET /api/message_groups
 *   read     a user's read position moved (POST /api/message_groups/<uuid>/
 *            read), for that user: {message_group_uuid, read_at}
 *
 * Members are the owners of the conversation's group items (found through
 * the GSI, remembered while they last), plus the sender, so that the
 * membership rule is the API's own. Each event carries the record's
 * sequence number as its id; every `cruddur serve` reading one stream
 * gives the same ids, so a client can resume on another instance.
 *
 * Nothing is checkpointed: a relay starts at the stream's end and only
 * hands records on; several relays may read one stream.
 *
 * Ownership: the relay borrows the service (which must outlive it); an
 * event and its strings live only during the callback. The callback runs
 * on the relay's thread, one event at a time, in stream order.
 */
#ifndef CRUDDUR_MESSAGING_PUSH_H
#define CRUDDUR_MESSAGING_PUSH_H

#include "messaging/messaging.h"

typedef struct msg_event {
    const char *id;   /* the stream record's sequence number */
    const char *type; /* "message", "group" or "read" */
    const char *user; /* uuid of the user it is for */
    const char *data; /* JSON text (one line) */
} msg_event;

typedef void (*msg_event_fn)(const msg_event *ev, void *arg);

typedef struct msg_push msg_push;

msg_push *msg_push_new(msg_service *svc, msg_event_fn fn, void *arg);
/* Takes its place at the end of the stream, then starts the relay's thread
   (it reads the stream until msg_push_free). */
bool msg_push_start(msg_push *p, msg_err *err);
/* Stops the thread if running, then frees. NULL is a no-op. */
void msg_push_free(msg_push *p);

/* Turns a batch of stream records (GetRecords' shape) into events, as the
   relay's thread does with what it reads. */
void msg_push_records(msg_push *p, const json_t *records);

#endif
