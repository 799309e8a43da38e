/*
 * table: the layout of the messages table, for every reader and writer of
 * it (the messaging service, the fanout and its consumer, server push, and
 * the operator tools). Each rule of the layout is written here once:
 *
 *   pk "GRP#<user uuid>"   sk <time>  a member's inbox entry for a conversation
 *   pk "MSG#<group uuid>"  sk <time>  a message of a conversation
 *   pk "PAIR#<lo>#<hi>"    sk "PAIR"  the conversation of two users (uuids in order)
 *   pk "READ#<user uuid>"  sk <group> how far a member has read
 *
 * and the table's name has one reader, msg_table_name().
 *
 * Ownership: the item and key builders return new references; the readers
 * return strings and values borrowed from the item or record they are given.
 */
#ifndef CRUDDUR_MESSAGING_TABLE_H
#define CRUDDUR_MESSAGING_TABLE_H

#include <stdbool.h>

#include <jansson.h>

#include "messaging/messaging.h"

#define MSG_TABLE_DEFAULT "cruddur-messages"

/* DDB_MESSAGE_TABLE when set and not empty, else "cruddur-messages". */
const char *msg_table_name(void);

/* Partition keys, written into out (MSG_KEY_LEN bytes; uuids are 36). */
#define MSG_KEY_LEN 128
void msg_key_inbox(char out[MSG_KEY_LEN], const char *user_uuid);     /* GRP#<user> */
void msg_key_messages(char out[MSG_KEY_LEN], const char *group_uuid); /* MSG#<group> */
void msg_key_reads(char out[MSG_KEY_LEN], const char *user_uuid);     /* READ#<user> */
/* PAIR#<lower uuid>#<higher uuid>: the same for (a, b) and (b, a). */
void msg_key_pair(char out[MSG_KEY_LEN], const char *a_uuid, const char *b_uuid);
#define MSG_PAIR_SK "PAIR"

/* What a partition key is: the uuid after its prefix (borrowed from pk),
   or NULL when pk is NULL or of another kind. */
const char *msg_key_inbox_user(const char *pk);
const char *msg_key_messages_group(const char *pk);
const char *msg_key_reads_user(const char *pk);

/* The string value of attribute `name` of an item, or NULL. */
const char *msg_item_str(const json_t *item, const char *name);
/* The same as the item's own jansson string (borrowed), or NULL. */
const json_t *msg_item_sval(const json_t *item, const char *name);
/* {"S": s} as a new reference ("" for NULL). */
json_t *msg_s(const char *s);

/* Group item of `owner`'s inbox for conversation `group` with `other`. */
json_t *msg_group_item(const char *owner_uuid, const msg_user *other, const char *group,
                       const char *sk, const char *text);
/* Message item of `sender` in `group`. */
json_t *msg_message_item(const char *group, const char *sk, const char *message_uuid,
                         const msg_user *sender, const char *text);

/* A stream record of the table (DynamoDB Streams' shape), read once. */
typedef struct msg_record {
    const char *event;   /* "INSERT", "MODIFY", "REMOVE", or NULL */
    const char *seq;     /* SequenceNumber, or NULL */
    const json_t *keys;  /* dynamodb.Keys */
    const json_t *image; /* dynamodb.NewImage, or NULL */
    const char *pk;      /* the pk of Keys, else of NewImage, or NULL */
} msg_record;
void msg_record_read(const json_t *rec, msg_record *r);

/* The one answer to "is this record a new message": an INSERT of an item
   under MSG#. Fills group (borrowed), sk and text when it is one that has
   them all; false otherwise (nothing for the fanout to do). */
typedef struct msg_new_message {
    const char *group;
    const char *sk;
    const char *text;
} msg_new_message;
bool msg_record_new_message(const msg_record *r, msg_new_message *m);

#endif
