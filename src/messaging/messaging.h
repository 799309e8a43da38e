/*
 * messaging: Cruddur's direct messages over the store interface (ddb.h):
 * the access patterns of spec section 2, the create and append rules with
 * the fixes of spec section 8, and the message-group fanout handler.
 *
 * It knows nothing of HTTP, tokens or where users are kept: callers pass
 * the signed-in user and the other participant as msg_user values they
 * looked up, and map msg_status to HTTP statuses. It does not know whether
 * the store is embedded or remote.
 *
 * Ownership: functions returning json_t* return new references; msg_err
 * owns its `codes` array (msg_err_clear). A msg_service is thread-safe.
 */
#ifndef CRUDDUR_MESSAGING_MESSAGING_H
#define CRUDDUR_MESSAGING_MESSAGING_H

#include <stdbool.h>

#include <jansson.h>

#include "base/buf.h"

#include "ddb/ddb.h"

#define MSG_MAX_CHARS 1024 /* code points */
#define MSG_PAGE_SIZE 20

typedef struct msg_user {
    const char *uuid;
    const char *handle;
    const char *display_name;
} msg_user;

typedef enum msg_status {
    MSG_OK = 0,
    MSG_INVALID,     /* 422: `codes` lists the validation codes */
    MSG_NOT_FOUND,   /* 404: no such conversation for this user, or unknown user */
    MSG_BAD_REQUEST, /* 400: malformed input such as a bad cursor */
    MSG_STORE,       /* 500/503: the store failed; `message` says why */
} msg_status;

typedef struct msg_err {
    msg_status status;
    json_t *codes;     /* MSG_INVALID: array of strings, e.g. ["message_blank"] */
    char message[512]; /* for logs and 4xx/5xx bodies */
} msg_err;

void msg_err_clear(msg_err *err);

typedef struct msg_service msg_service;

/* `table` is the messages table (DDB_MESSAGE_TABLE, default cruddur-messages). */
msg_service *msg_service_new(ddb_store *store, const char *table);
void msg_service_free(msg_service *svc);
/* Creates the table, its GSI and a NEW_AND_OLD_IMAGES stream when missing. */
bool msg_ensure_table(msg_service *svc, msg_err *err);
/* The CreateTable request of spec section 1 (new reference), for tools. */
json_t *msg_table_definition(const char *table);

/*
 * Lists: append the JSON text of an array in the API's shape (spec section
 * 4) to `out` and return true; on failure append nothing and return false
 * with err set. `before` is an opaque cursor from a previous page or NULL
 * for the first page; `*next_cursor` is set (caller frees) when older
 * items exist.
 */
/* Conversations newest first, each with `unread`: messages from others
   after `me`'s read position (unread.c), at most 100. */
bool msg_list_groups(msg_service *svc, const msg_user *me, const char *before, buf_t *out,
                     char **next_cursor, msg_err *err);
/* Messages oldest first; MSG_NOT_FOUND unless `me` is a member. */
bool msg_list_messages(msg_service *svc, const msg_user *me, const char *group_uuid,
                       const char *before, buf_t *out, char **next_cursor, msg_err *err);

/*
 * Moves `me`'s read position in a conversation forward to `upto` (the
 * created_at of the newest message seen; NULL: now). MSG_NOT_FOUND unless
 * `me` is a member, MSG_BAD_REQUEST when `upto` is not a timestamp. A
 * position is never moved back; `read_at` gets the one kept.
 */
bool msg_mark_read(msg_service *svc, const msg_user *me, const char *group_uuid, const char *upto,
                   char read_at[40], msg_err *err);

/* Appends to a conversation `me` belongs to (else MSG_NOT_FOUND). */
json_t *msg_append(msg_service *svc, const msg_user *me, const char *group_uuid, const char *text,
                   msg_err *err);
/* Starts a conversation with `other`, or appends to the one the pair has. */
json_t *msg_start(msg_service *svc, const msg_user *me, const msg_user *other, const char *text,
                  msg_err *err);
/* Validation shared by both: fills MSG_INVALID codes. */
bool msg_validate_text(const char *text, msg_err *err);

/*
 * The fanout handler (spec section 5, fixed): applies one DynamoDB stream
 * record (the GetRecords / Lambda event record shape); its callers (the
 * consumer, the Lambda) walk their batches themselves, because each record
 * is retried, reported or checkpointed on its own. For an INSERT of a MSG#
 * item it moves every group item of the conversation to the message's sk
 * and text in one transaction (delete old + put new), only forward, and
 * removes duplicate group items of one owner. Replays, duplicates,
 * out-of-order records and records of other items change nothing.
 *
 * `checkpoint`, when not NULL, is a TransactWriteItems action (e.g.
 * {"Put": {...}}) added to every transaction the record makes, so that a
 * consumer's stream position is saved atomically with the writes; the
 * number of transactions made is returned in `*writes` (when not NULL) so
 * the consumer can save the position alone when there were none.
 *
 * Returns false with err filled when the record could not be applied.
 */
bool msg_fanout_apply(msg_service *svc, const json_t *record, const json_t *checkpoint, int *writes,
                      msg_err *err);

#endif
