/*
 * conversations: the access patterns of spec section 2 with the fixes of
 * section 8: listing a user's conversations and a conversation's messages
 * (with an opaque cursor for older pages), appending to a conversation the
 * user belongs to, and starting a conversation (reusing the pair's existing
 * one).
 *
 * A pair of users has at most one conversation: its id is recorded in a
 * pair item (pk "PAIR#<lower uuid>#<higher uuid>", sk "PAIR"), created in
 * the same transaction as the conversation with a condition that it does
 * not exist yet, so two users starting a conversation with each other at
 * the same moment end up in one. Conversations created by older tools have
 * no pair item; they are found through the user's group items and the pair
 * item is added then.
 *
 * Message and group items are keyed by time; a write whose key is already
 * taken (two messages in the same microsecond) retries with the next
 * microsecond, so no message overwrites another.
 */
#include "messaging/msg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/json_out.h"
#include "base/uuid.h"

#define MAX_KEY_RETRIES 1000

/* ---- cursors: base64url of the sort key of the last item shown ---- */

static char *cursor_encode(const char *sk)
{
    size_t n = strlen(sk);
    char *out = xmalloc(4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)sk, (int)n);
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    return out;
}

/* Decodes a cursor into a sort key; false when it is not one we made. */
static bool cursor_decode(const char *cursor, char *sk, size_t cap)
{
    size_t n = strlen(cursor);
    if (n == 0 || n > 64) return false;
    char in[72];
    size_t i;
    for (i = 0; i < n; i++) {
        char c = cursor[i];
        in[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    while (i % 4)
        in[i++] = '=';
    in[i] = '\0';
    unsigned char out[64];
    int len = EVP_DecodeBlock(out, (unsigned char *)in, (int)i);
    if (len < 0) return false;
    while (len > 0 && out[len - 1] == '\0')
        len--; /* EVP_DecodeBlock keeps padding zeros */
    if ((size_t)len >= cap) return false;
    memcpy(sk, out, (size_t)len);
    sk[len] = '\0';
    int64_t us;
    return clock_parse_iso(sk, &us);
}

/*
 * One page of a partition, newest first: Query pk = :pk [AND sk < :before],
 * one item more than a page to learn whether older items exist.
 */
static json_t *query_page(msg_service *svc, const char *pk, const char *before, char **next_cursor,
                          msg_err *err)
{
    char before_sk[64];
    if (before && !cursor_decode(before, before_sk, sizeof before_sk)) {
        msg_fail(err, MSG_BAD_REQUEST, "invalid cursor");
        return NULL;
    }
    json_t *req = json_pack(
        "{s:s, s:s, s:{s:o}, s:b, s:i}", "TableName", svc->table, "KeyConditionExpression",
        before ? "pk = :pk AND sk < :before" : "pk = :pk", "ExpressionAttributeValues", ":pk",
        msg_s(pk), "ScanIndexForward", 0, "Limit", MSG_PAGE_SIZE + 1);
    if (before)
        json_object_set_new(json_object_get(req, "ExpressionAttributeValues"), ":before",
                            msg_s(before_sk));
    json_t *res = msg_call(svc, "Query", req, NULL, err);
    json_decref(req);
    if (!res) return NULL;
    json_t *items = json_incref(json_object_get(res, "Items"));
    json_decref(res);
    if (!json_is_array(items)) {
        json_decref(items);
        msg_fail(err, MSG_STORE, "Query returned no Items");
        return NULL;
    }
    *next_cursor = NULL;
    if (json_array_size(items) > MSG_PAGE_SIZE) {
        json_array_remove(items, MSG_PAGE_SIZE);
        const char *last = msg_item_str(json_array_get(items, MSG_PAGE_SIZE - 1), "sk");
        if (last) *next_cursor = cursor_encode(last);
    }
    return items;
}

/*
 * Appends an item's entry of the API's lists (spec section 4) as JSON text:
 * {"uuid", "display_name", "handle", "message", "created_at"}, each the
 * item's string (uuid from `uuid_attr`, created_at from sk) or null. The
 * page is written straight from the items' strings: building a jansson
 * object per entry and encoding it was a third of GET /api/messages'
 * CPU (malloc and jansson), for text that is only ever sent.
 */
static void entry_append(buf_t *b, const json_t *item, const char *uuid_attr, int unread)
{
    const char *const fields[][2] = {{"uuid", uuid_attr},
                                     {"display_name", "user_display_name"},
                                     {"handle", "user_handle"},
                                     {"message", "message"},
                                     {"created_at", "sk"}};
    buf_putc(b, '{');
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        buf_puts(b, i ? ",\"" : "\"");
        buf_puts(b, fields[i][0]);
        buf_puts(b, "\":");
        json_out_append(b, msg_item_sval(item, fields[i][1])); /* NULL: null */
    }
    if (unread >= 0) buf_printf(b, ",\"unread\":%d", unread);
    buf_putc(b, '}');
}

/* Appends the entries of a page of items as a JSON array, in storage order
   or reversed, with the unread counts when `unread` is not NULL. */
static void page_append(buf_t *b, const json_t *items, const char *uuid_attr, bool reversed,
                        const int *unread)
{
    size_t n = json_array_size(items);
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(b, ',');
        size_t k = reversed ? n - 1 - i : i;
        entry_append(b, json_array_get(items, k), uuid_attr, unread ? unread[k] : -1);
    }
    buf_putc(b, ']');
}

bool msg_list_groups(msg_service *svc, const msg_user *me, const char *before, buf_t *out,
                     char **next_cursor, msg_err *err)
{
    char pk[MSG_KEY_LEN];
    msg_key_inbox(pk, me->uuid);
    json_t *items = query_page(svc, pk, before, next_cursor, err);
    if (!items) return false;
    int *unread = xcalloc(json_array_size(items) + 1, sizeof *unread);
    bool ok = msg_unread_counts(svc, me, items, unread, err);
    if (ok) page_append(out, items, "message_group_uuid", false, unread);
    free(unread);
    json_decref(items);
    if (!ok) {
        free(*next_cursor);
        *next_cursor = NULL;
    }
    return ok;
}

/* True when `me` has a group item for the conversation. A passed check is
   remembered for a while (svc->members): the API checks it on every read
   of a conversation, and the web UI polls. */
bool msg_is_member(msg_service *svc, const msg_user *me, const char *group, bool *member,
                   msg_err *err)
{
    *member = false;
    if (!uuid_is_valid(group)) return true; /* no such conversation */
    char key[128];
    snprintf(key, sizeof key, "%s %s", me->uuid, group);
    int64_t now = clock_mono_us();
    if (ttl_cache_get(svc->members, key, now, NULL)) {
        *member = true;
        return true;
    }
    json_t *items = msg_group_items(svc, group, err);
    if (!items) return false;
    char pk[MSG_KEY_LEN];
    msg_key_inbox(pk, me->uuid);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *p = msg_item_str(it, "pk");
        if (p && !strcmp(p, pk)) *member = true;
    }
    json_decref(items);
    if (*member) ttl_cache_put(svc->members, key, NULL, now);
    return true;
}

bool msg_list_messages(msg_service *svc, const msg_user *me, const char *group_uuid,
                       const char *before, buf_t *out, char **next_cursor, msg_err *err)
{
    bool member;
    if (!msg_is_member(svc, me, group_uuid, &member, err)) return false;
    if (!member) {
        msg_fail(err, MSG_NOT_FOUND, "no such conversation");
        return false;
    }
    char pk[MSG_KEY_LEN];
    msg_key_messages(pk, group_uuid);
    json_t *items = query_page(svc, pk, before, next_cursor, err);
    if (!items) return false;
    page_append(out, items, "message_uuid", true, NULL); /* oldest first */
    json_decref(items);
    return true;
}

/* The API's reply for a message written by `me`. */
static json_t *message_reply(const char *group, const char *message_uuid, const msg_user *me,
                             const char *text, const char *sk)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "message_group_uuid", group, "uuid",
                     message_uuid, "display_name", me->display_name ? me->display_name : "",
                     "handle", me->handle, "message", text, "created_at", sk);
}

/* Puts a message item under a key no other message has. */
static json_t *put_message(msg_service *svc, const msg_user *me, const char *group,
                           const char *text, msg_err *err)
{
    char sk[40], message_uuid[UUID_STR_LEN];
    msg_sk_now(sk);
    uuid_v4(message_uuid);
    for (int attempt = 0; attempt < MAX_KEY_RETRIES; attempt++) {
        json_t *req = json_pack("{s:s, s:o, s:s}", "TableName", svc->table, "Item",
                                msg_message_item(group, sk, message_uuid, me, text),
                                "ConditionExpression", "attribute_not_exists(pk)");
        ddb_err e = DDB_ERR_INIT;
        json_t *res = msg_call(svc, "PutItem", req, &e, err);
        json_decref(req);
        if (res) {
            json_decref(res);
            return message_reply(group, message_uuid, me, text, sk);
        }
        if (e.code != DDB_E_CONDITION) {
            msg_fail(err, MSG_STORE, "PutItem failed: %s: %s", e.type, e.message);
            ddb_err_clear(&e);
            return NULL;
        }
        ddb_err_clear(&e);
        msg_sk_advance(sk);
    }
    msg_fail(err, MSG_STORE, "could not find a free key for the message");
    return NULL;
}

json_t *msg_append(msg_service *svc, const msg_user *me, const char *group_uuid, const char *text,
                   msg_err *err)
{
    if (!msg_validate_text(text, err)) return NULL;
    bool member;
    if (!msg_is_member(svc, me, group_uuid, &member, err)) return NULL;
    if (!member) {
        msg_fail(err, MSG_NOT_FOUND, "no such conversation");
        return NULL;
    }
    return put_message(svc, me, group_uuid, text, err);
}

/* The pair item's key for two users, in a fixed order. */
static json_t *pair_key(const msg_user *a, const msg_user *b)
{
    char pk[MSG_KEY_LEN];
    msg_key_pair(pk, a->uuid, b->uuid);
    return json_pack("{s:o, s:o}", "pk", msg_s(pk), "sk", msg_s(MSG_PAIR_SK));
}

/* The pair's conversation id from its pair item (caller frees), or NULL. */
static char *pair_lookup(msg_service *svc, const msg_user *me, const msg_user *other, bool *failed,
                         msg_err *err)
{
    json_t *req = json_pack("{s:s, s:o, s:b}", "TableName", svc->table, "Key", pair_key(me, other),
                            "ConsistentRead", 1);
    json_t *res = msg_call(svc, "GetItem", req, NULL, err);
    json_decref(req);
    *failed = !res;
    const char *g = msg_item_str(json_object_get(res, "Item"), "group_uuid");
    char *out = g ? xstrdup(g) : NULL;
    json_decref(res);
    return out;
}

/* Records the pair's conversation, unless a pair item exists already. */
static void pair_record(msg_service *svc, const msg_user *me, const msg_user *other,
                        const char *group)
{
    json_t *item = pair_key(me, other);
    json_object_set_new(item, "group_uuid", msg_s(group));
    json_t *req = json_pack("{s:s, s:o, s:s}", "TableName", svc->table, "Item", item,
                            "ConditionExpression", "attribute_not_exists(pk)");
    ddb_err e = DDB_ERR_INIT;
    msg_err ignored = {0};
    json_decref(msg_call(svc, "PutItem", req, &e, &ignored));
    json_decref(req);
    ddb_err_clear(&e);
    msg_err_clear(&ignored);
}

/* A conversation of `me` with `other` found through me's group items
   (conversations made before pair items existed); caller frees. */
static char *scan_groups_for(msg_service *svc, const msg_user *me, const msg_user *other,
                             bool *failed, msg_err *err)
{
    char pk[MSG_KEY_LEN];
    msg_key_inbox(pk, me->uuid);
    json_t *start = NULL;
    char *found = NULL;
    *failed = false;
    do {
        json_t *req = json_pack("{s:s, s:s, s:s, s:{s:o, s:o}}", "TableName", svc->table,
                                "KeyConditionExpression", "pk = :pk", "FilterExpression",
                                "user_uuid = :other", "ExpressionAttributeValues", ":pk", msg_s(pk),
                                ":other", msg_s(other->uuid));
        if (start) json_object_set_new(req, "ExclusiveStartKey", start);
        json_t *res = msg_call(svc, "Query", req, NULL, err);
        json_decref(req);
        if (!res) {
            *failed = true;
            return NULL;
        }
        const char *g =
            msg_item_str(json_array_get(json_object_get(res, "Items"), 0), "message_group_uuid");
        if (g) found = xstrdup(g);
        start = found ? NULL : json_incref(json_object_get(res, "LastEvaluatedKey"));
        json_decref(res);
    } while (start);
    return found;
}

/* Creates the conversation and its first message in one transaction.
   Returns NULL with *pair_taken set when the pair got a conversation first. */
static json_t *create_conversation(msg_service *svc, const msg_user *me, const msg_user *other,
                                   const char *text, bool *pair_taken, msg_err *err)
{
    char group[UUID_STR_LEN], message_uuid[UUID_STR_LEN], sk[40];
    uuid_v4(group);
    uuid_v4(message_uuid);
    msg_sk_now(sk);
    *pair_taken = false;
    for (int attempt = 0; attempt < MAX_KEY_RETRIES; attempt++) {
        json_t *pair = pair_key(me, other);
        json_object_set_new(pair, "group_uuid", msg_s(group));
        const char *absent = "attribute_not_exists(pk)";
        json_t *req = json_pack(
            "{s:[{s:{s:s,s:o,s:s}}, {s:{s:s,s:o,s:s}}, {s:{s:s,s:o,s:s}}, {s:{s:s,s:o,s:s}}]}",
            "TransactItems", "Put", "TableName", svc->table, "Item", pair, "ConditionExpression",
            absent, "Put", "TableName", svc->table, "Item",
            msg_group_item(me->uuid, other, group, sk, text), "ConditionExpression", absent, "Put",
            "TableName", svc->table, "Item", msg_group_item(other->uuid, me, group, sk, text),
            "ConditionExpression", absent, "Put", "TableName", svc->table, "Item",
            msg_message_item(group, sk, message_uuid, me, text), "ConditionExpression", absent);
        ddb_err e = DDB_ERR_INIT;
        json_t *res = msg_call(svc, "TransactWriteItems", req, &e, err);
        json_decref(req);
        if (res) {
            json_decref(res);
            return message_reply(group, message_uuid, me, text, sk);
        }
        if (e.code != DDB_E_TXN_CANCELED) {
            msg_fail(err, MSG_STORE, "TransactWriteItems failed: %s: %s", e.type, e.message);
            ddb_err_clear(&e);
            return NULL;
        }
        json_t *reasons = json_object_get(e.detail, "CancellationReasons");
        const char *first = json_string_value(json_object_get(json_array_get(reasons, 0), "Code"));
        bool pair_failed = first && !strcmp(first, "ConditionalCheckFailed");
        ddb_err_clear(&e);
        if (pair_failed) {
            *pair_taken = true;
            return NULL;
        }
        /* A group item's time key was taken by another conversation: next microsecond. */
        msg_sk_advance(sk);
    }
    msg_fail(err, MSG_STORE, "could not find free keys for the conversation");
    return NULL;
}

json_t *msg_start(msg_service *svc, const msg_user *me, const msg_user *other, const char *text,
                  msg_err *err)
{
    if (!msg_validate_text(text, err)) return NULL;
    if (!strcmp(me->uuid, other->uuid)) {
        msg_fail(err, MSG_INVALID, "you cannot message yourself");
        err->codes = json_pack("[s]", "user_receiver_is_self");
        return NULL;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
        bool failed;
        char *group = pair_lookup(svc, me, other, &failed, err);
        if (failed) return NULL;
        if (!group) {
            group = scan_groups_for(svc, me, other, &failed, err);
            if (failed) return NULL;
            if (group) pair_record(svc, me, other, group);
        }
        if (group) {
            json_t *out = put_message(svc, me, group, text, err);
            free(group);
            return out;
        }
        bool pair_taken;
        json_t *out = create_conversation(svc, me, other, text, &pair_taken, err);
        if (out || !pair_taken) return out;
    }
    msg_fail(err, MSG_STORE, "the conversation changed too often while it was being started");
    return NULL;
}
