/*
 * unread: each member's read position in a conversation, and the unread
 * counts of the conversation list.
 *
 * A read position is an item of its own beside the group items (docs/
 * data-model.md): pk "READ#<member uuid>", sk "<group uuid>", read_at (the
 * created_at of the newest message the member has seen), updated_at. It is
 * not kept in the group item because the fanout replaces group items
 * (delete + put, the key holds the time) and would race with it.
 *
 * A conversation's unread count is the number of messages from others
 * after the read position (all of them when there is none), counted with a
 * Query (Select COUNT, filtered on the sender) and capped at MSG_UNREAD_CAP;
 * a conversation whose last message is not after the position costs no
 * Query at all.
 */
#include "messaging/msg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

static json_t *read_key(const char *user_uuid, const char *group)
{
    char pk[MSG_KEY_LEN];
    msg_key_reads(pk, user_uuid);
    return json_pack("{s:o, s:o}", "pk", msg_s(pk), "sk", msg_s(group));
}

/* The read positions of `me` for the groups of `items`: an object group
   uuid -> read_at (new reference), or NULL on a store error. */
static json_t *read_positions(msg_service *svc, const msg_user *me, const json_t *items,
                              msg_err *err)
{
    json_t *positions = json_object();
    json_t *keys = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *group = msg_item_str(it, "message_group_uuid");
        if (group && !json_object_get(positions, group)) {
            json_object_set_new(positions, group, json_null()); /* dedupe the keys */
            json_array_append_new(keys, read_key(me->uuid, group));
        }
    }
    json_object_clear(positions);
    /* BatchGetItem may answer part and leave the rest unprocessed: ask again. */
    for (int round = 0; json_array_size(keys) > 0; round++) {
        if (round == 10) {
            msg_fail(err, MSG_STORE, "BatchGetItem kept leaving keys unprocessed");
            break;
        }
        json_t *req = json_pack("{s:{s:{s:O, s:b}}}", "RequestItems", svc->table, "Keys", keys,
                                "ConsistentRead", 1);
        json_t *res = msg_call(svc, "BatchGetItem", req, NULL, err);
        json_decref(req);
        if (!res) break;
        json_t *found = json_object_get(json_object_get(res, "Responses"), svc->table);
        json_array_foreach(found, i, it)
        {
            const char *group = msg_item_str(it, "sk"), *at = msg_item_str(it, "read_at");
            if (group && at) json_object_set_new(positions, group, json_string(at));
        }
        json_t *rest = json_object_get(json_object_get(res, "UnprocessedKeys"), svc->table);
        json_decref(keys);
        keys = json_is_array(json_object_get(rest, "Keys"))
                   ? json_incref(json_object_get(rest, "Keys"))
                   : json_array();
        json_decref(res);
    }
    bool ok = json_array_size(keys) == 0;
    json_decref(keys);
    if (!ok) {
        json_decref(positions);
        return NULL;
    }
    return positions;
}

/* Messages of `group` from others than `me` after `after` (NULL: all), up
   to MSG_UNREAD_CAP; -1 on a store error. */
static int count_unread(msg_service *svc, const msg_user *me, const char *group, const char *after,
                        msg_err *err)
{
    char pk[MSG_KEY_LEN];
    msg_key_messages(pk, group);
    json_t *req = json_pack("{s:s, s:s, s:s, s:{s:o, s:o}, s:s, s:i}", "TableName", svc->table,
                            "KeyConditionExpression",
                            after ? "pk = :pk AND sk > :after" : "pk = :pk", "FilterExpression",
                            "user_uuid <> :me", "ExpressionAttributeValues", ":pk", msg_s(pk),
                            ":me", msg_s(me->uuid), "Select", "COUNT", "Limit", 4 * MSG_UNREAD_CAP);
    if (after)
        json_object_set_new(json_object_get(req, "ExpressionAttributeValues"), ":after",
                            msg_s(after));
    int total = 0;
    for (;;) {
        json_t *res = msg_call(svc, "Query", req, NULL, err);
        if (!res) {
            json_decref(req);
            return -1;
        }
        total += (int)json_integer_value(json_object_get(res, "Count"));
        json_t *next = json_object_get(res, "LastEvaluatedKey");
        if (!next || total >= MSG_UNREAD_CAP) {
            json_decref(res);
            break;
        }
        json_object_set(req, "ExclusiveStartKey", next);
        json_decref(res);
    }
    json_decref(req);
    return total < MSG_UNREAD_CAP ? total : MSG_UNREAD_CAP;
}

bool msg_unread_counts(msg_service *svc, const msg_user *me, const json_t *items, int *counts,
                       msg_err *err)
{
    json_t *positions = read_positions(svc, me, items, err);
    if (!positions) return false;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *group = msg_item_str(it, "message_group_uuid");
        const char *last = msg_item_str(it, "sk");
        const char *read = json_string_value(json_object_get(positions, group));
        counts[i] = 0;
        if (!group || !last || (read && strcmp(last, read) <= 0)) continue;
        counts[i] = count_unread(svc, me, group, read, err);
        if (counts[i] < 0) {
            json_decref(positions);
            return false;
        }
    }
    json_decref(positions);
    return true;
}

bool msg_mark_read(msg_service *svc, const msg_user *me, const char *group_uuid, const char *upto,
                   char read_at[40], msg_err *err)
{
    bool member;
    if (!msg_is_member(svc, me, group_uuid, &member, err)) return false;
    if (!member) return msg_fail(err, MSG_NOT_FOUND, "no such conversation");
    int64_t us;
    if (upto && (strlen(upto) >= 40 || !clock_parse_iso(upto, &us)))
        return msg_fail(err, MSG_BAD_REQUEST, "created_at must be a timestamp of a message");
    char now[40];
    msg_sk_now(now);
    snprintf(read_at, 40, "%s", upto ? upto : now);
    json_t *req = json_pack("{s:s, s:o, s:s, s:s, s:{s:o, s:o}}", "TableName", svc->table, "Key",
                            read_key(me->uuid, group_uuid), "UpdateExpression",
                            "SET read_at = :r, updated_at = :now", "ConditionExpression",
                            "attribute_not_exists(read_at) OR read_at < :r",
                            "ExpressionAttributeValues", ":r", msg_s(read_at), ":now", msg_s(now));
    ddb_err e = DDB_ERR_INIT;
    json_t *res = msg_call(svc, "UpdateItem", req, &e, err);
    json_decref(req);
    if (res) {
        json_decref(res);
        return true;
    }
    if (e.code != DDB_E_CONDITION) {
        msg_fail(err, MSG_STORE, "UpdateItem failed: %s: %s", e.type, e.message);
        ddb_err_clear(&e);
        return false;
    }
    ddb_err_clear(&e);
    /* Already further: only forward. Answer the position kept. */
    req = json_pack("{s:s, s:o, s:b}", "TableName", svc->table, "Key",
                    read_key(me->uuid, group_uuid), "ConsistentRead", 1);
    res = msg_call(svc, "GetItem", req, NULL, err);
    json_decref(req);
    if (!res) return false;
    const char *kept = msg_item_str(json_object_get(res, "Item"), "read_at");
    if (kept) snprintf(read_at, 40, "%s", kept);
    json_decref(res);
    return true;
}
