/*
 * fanout: keeps each conversation's group items pointing at its latest
 * message (spec section 5, with the fixes of section 8.5). It is a plain
 * function of stream records to store writes, so the in-process consumer,
 * the stream worker and the Lambda all call it unchanged.
 *
 * For a MSG# INSERT, every group item of the conversation whose sk is older
 * than the message moves to the message's sk and text: the old item is
 * deleted and the new one put in one transaction, with conditions that the
 * old one still exists and the new key is free. An owner's older duplicate
 * group items (left by the reference's non-transactional handler) are
 * deleted in the same transaction. Only forward: a record older than the
 * group item's sk changes nothing, so replays and late records are no-ops.
 *
 * Group items of one owner are keyed by time, so two of an owner's
 * conversations whose latest messages share a microsecond would want the
 * same key: the later mover takes the next free microsecond instead.
 */
#include "messaging/msg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATTEMPTS 20

/* Adds {"Delete": key-of-item, condition: still there} to actions. */
static void add_delete(json_t *actions, const char *table, const json_t *item)
{
    json_array_append_new(actions, json_pack("{s:{s:s, s:{s:O, s:O}, s:s}}", "Delete", "TableName",
                                             table, "Key", "pk", json_object_get(item, "pk"), "sk",
                                             json_object_get(item, "sk"), "ConditionExpression",
                                             "attribute_exists(pk)"));
}

/* True when a cancelled transaction failed on one of its Put actions: a
   moved group item's key was taken (see move_groups). */
static bool put_was_refused(const ddb_err *e, const json_t *actions)
{
    const json_t *reasons = json_object_get(e->detail, "CancellationReasons");
    size_t i;
    const json_t *r;
    json_array_foreach(reasons, i, r)
    {
        const char *code = json_string_value(json_object_get(r, "Code"));
        if (code && !strcmp(code, "ConditionalCheckFailed") &&
            json_object_get(json_array_get(actions, i), "Put"))
            return true;
    }
    return false;
}

/*
 * One attempt at moving the group items of one conversation to the
 * message's time key advanced by `bump` microseconds. Returns 1 when done
 * (written or nothing to do), 0 when a concurrent change cancelled the
 * transaction (try again), 2 when a moved item's key is taken by another
 * conversation's group item of the same owner (two conversations'
 * messages in one microsecond: try again with a larger bump), -1 on error.
 */
static int move_groups(msg_service *svc, const msg_new_message *m, int bump,
                       const json_t *checkpoint, int *writes, msg_err *err)
{
    char target[40];
    snprintf(target, sizeof target, "%s", m->sk);
    for (int i = 0; i < bump; i++)
        msg_sk_advance(target);
    json_t *items = msg_group_items(svc, m->group, err);
    if (!items) return -1;
    json_t *actions = json_array();
    /* Per owner (pk): the newest group item is kept and moved, the rest deleted. */
    size_t n = json_array_size(items);
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        const char *pk = msg_item_str(it, "pk"), *sk = msg_item_str(it, "sk");
        if (!msg_key_inbox_user(pk) || !sk) continue;
        bool newest = true;
        for (size_t j = 0; j < n && newest; j++) {
            json_t *o = json_array_get(items, j);
            const char *opk = msg_item_str(o, "pk"), *osk = msg_item_str(o, "sk");
            if (j == i || !opk || !osk || strcmp(opk, pk) != 0) continue;
            int c = strcmp(osk, sk);
            if (c > 0 || (c == 0 && j < i)) newest = false;
        }
        if (!newest) {
            add_delete(actions, svc->table, it);
            continue;
        }
        if (strcmp(sk, m->sk) >= 0) continue; /* already at this message or later */
        add_delete(actions, svc->table, it);
        json_t *moved = json_deep_copy(it);
        json_object_set_new(moved, "sk", msg_s(target));
        json_object_set_new(moved, "message", msg_s(m->text));
        json_array_append_new(actions, json_pack("{s:{s:s, s:o, s:s}}", "Put", "TableName",
                                                 svc->table, "Item", moved, "ConditionExpression",
                                                 "attribute_not_exists(pk)"));
    }
    json_decref(items);
    if (json_array_size(actions) == 0) {
        json_decref(actions);
        return 1;
    }
    if (checkpoint) json_array_append(actions, (json_t *)checkpoint);
    json_t *req = json_pack("{s:O}", "TransactItems", actions);
    ddb_err e = DDB_ERR_INIT;
    json_t *res = msg_call(svc, "TransactWriteItems", req, &e, err);
    json_decref(req);
    int rc;
    if (res) {
        json_decref(res);
        (*writes)++;
        rc = 1;
    } else if (e.code == DDB_E_TXN_CANCELED && put_was_refused(&e, actions)) {
        rc = 2;
    } else if (e.code == DDB_E_TXN_CANCELED || e.code == DDB_E_TXN_CONFLICT) {
        rc = 0;
    } else {
        msg_fail(err, MSG_STORE, "TransactWriteItems failed: %s: %s", e.type, e.message);
        rc = -1;
    }
    json_decref(actions);
    ddb_err_clear(&e);
    return rc;
}

bool msg_fanout_apply(msg_service *svc, const json_t *record, const json_t *checkpoint, int *writes,
                      msg_err *err)
{
    int n_writes = 0, rc = 1, bump = 0;
    msg_record r;
    msg_new_message m;
    msg_record_read(record, &r);
    if (msg_record_new_message(&r, &m)) {
        rc = 0;
        for (int attempt = 0; attempt < MAX_ATTEMPTS && (rc == 0 || rc == 2); attempt++) {
            if (rc == 2) bump++;
            rc = move_groups(svc, &m, bump, checkpoint, &n_writes, err);
        }
        if (rc == 0 || rc == 2) msg_fail(err, MSG_STORE, "group items kept changing; gave up");
    }
    if (writes) *writes = n_writes;
    return rc == 1;
}
