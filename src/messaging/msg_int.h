/*
 * msg_int: internals shared by the messaging files (service.c,
 * conversations.c, fanout.c): the store call wrapper, membership and time
 * keys (the table's layout is the public table.h). Not for use outside src/messaging/.
 */
#ifndef CRUDDUR_MESSAGING_MSG_INT_H
#define CRUDDUR_MESSAGING_MSG_INT_H

#include <stdint.h>

#include "base/ttl_cache.h"
#include "messaging/messaging.h"
#include "messaging/table.h"

struct msg_service {
    ddb_store *store;
    char *table;
    ttl_cache *members; /* "<user uuid> <group uuid>" of recent membership checks that passed */
};

/* How long a passed membership check is remembered: nothing in the app
   takes a member out of a conversation, so this only bounds how long an
   operator's deletion of a conversation's data takes to be noticed. */
#define MSG_MEMBERS_TTL_US (30 * 1000000LL)
#define MSG_MEMBERS_CAPACITY 16384

#define MSG_GSI_NAME "message-group-sk-index"
#define MSG_UNREAD_CAP 100 /* unread counts stop here: 100 means 100 or more */

/* Fills err (MSG_STORE, or MSG_INVALID/MSG_NOT_FOUND as given) and returns false. */
bool msg_fail(msg_err *err, msg_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A store call; a store error becomes MSG_STORE unless the caller wants to
   see it (`keep` non-NULL: the ddb error is moved there, err untouched). */
json_t *msg_call(msg_service *svc, const char *op, json_t *req, ddb_err *keep, msg_err *err);

/* Creates a table from a CreateTable request (borrowed) unless it exists,
   and waits until it is ACTIVE. */
bool msg_create_table_if_missing(msg_service *svc, json_t *create, msg_err *err);

/* True in *member when `me` has a group item for the conversation (a passed
   check is remembered for a while); false on a store error. */
bool msg_is_member(msg_service *svc, const msg_user *me, const char *group, bool *member,
                   msg_err *err);
/* The unread count of each group item of `items` (a page of the list) into
   counts[i]; false on a store error. */
bool msg_unread_counts(msg_service *svc, const msg_user *me, const json_t *items, int *counts,
                       msg_err *err);

/* Every group item of a conversation (GSI query, all pages): a new array of
   items, or NULL on store error. */
json_t *msg_group_items(msg_service *svc, const char *group, msg_err *err);

/* Times as sort keys: ISO-8601 with microseconds (base/clock.h). A key read
   from older data may lack them; msg_sk_advance moves `sk` to a key strictly
   later in string order, for retrying a colliding write. */
void msg_sk_now(char out[40]);
void msg_sk_advance(char sk[40]);

#endif
