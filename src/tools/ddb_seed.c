/*
 * ddb_seed: `cruddur ddb seed`, the demo conversation of spec section 6.
 * The two users come from the users directory; the message and group items
 * are built by the messaging module's own builders (messaging/table.h), so the seed
 * has exactly the layout the service writes. The seed only adds: when the
 * demo conversation is there already it is left as it is, so seeding again
 * neither piles a second copy beside it nor deletes what users wrote.
 */
#include "tools/tools_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/uuid.h"
#include "messaging/table.h"
#include "messaging/table.h"

#define BATCH_MAX 25     /* BatchWriteItem's limit */
#define BATCH_RETRIES 10 /* rounds for unprocessed items before giving up */
#define MINUTE_US (60LL * 1000000)

/*
 * Writes an array of WriteRequests ({"PutRequest": ...} or
 * {"DeleteRequest": ...}) in batches, retrying what the store leaves
 * unprocessed. `label` non-NULL shows progress.
 */
static bool write_all(const tools_opts *o, ddb_store *store, const char *table,
                      const json_t *requests, const char *label)
{
    size_t total = json_array_size(requests);
    for (size_t done = 0; done < total;) {
        size_t n = total - done < BATCH_MAX ? total - done : BATCH_MAX;
        json_t *batch = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append(batch, json_array_get(requests, done + i));
        json_t *pending = json_pack("{s:o}", table, batch);
        for (int round = 0; json_object_size(pending) > 0; round++) {
            if (round == BATCH_RETRIES) {
                json_decref(pending);
                tools_fail(o, "the store left writes unprocessed %d times; try again",
                           BATCH_RETRIES);
                return false;
            }
            if (round) usleep(50000u << (round < 5 ? round : 5));
            json_t *req = json_pack("{s:O}", "RequestItems", pending);
            json_t *res = tools_call(o, store, "BatchWriteItem", req);
            json_decref(req);
            json_decref(pending);
            if (!res) return false;
            pending = json_incref(json_object_get(res, "UnprocessedItems"));
            if (!pending) pending = json_object();
            json_decref(res);
        }
        json_decref(pending);
        done += n;
        if (label) tools_progress(label, done, total);
    }
    return true;
}

/* True when the demo conversation has a message already; *failed on a store error. */
static bool conversation_exists(const tools_opts *o, ddb_store *store, const char *table,
                                bool *failed)
{
    char pk[MSG_KEY_LEN];
    msg_key_messages(pk, TOOLS_SEED_GROUP);
    json_t *req = json_pack("{s:s, s:s, s:{s:{s:s}}, s:i, s:s}", "TableName", table,
                            "KeyConditionExpression", "pk = :pk", "ExpressionAttributeValues",
                            ":pk", "S", pk, "Limit", 1, "Select", "COUNT");
    json_t *res = tools_call(o, store, "Query", req);
    json_decref(req);
    *failed = !res;
    bool found = json_integer_value(json_object_get(res, "Count")) > 0;
    json_decref(res);
    return found;
}

/* The seed's messages, one minute apart, the last one at `now_us`. */
static json_t *message_puts(const msg_user *who[2], int64_t now_us, char last_sk[CLOCK_ISO_LEN])
{
    json_t *puts_ = json_array();
    for (size_t i = 0; i < tools_seed_count; i++) {
        char sk[CLOCK_ISO_LEN], id[UUID_STR_LEN];
        clock_format_iso(now_us - (int64_t)(tools_seed_count - 1 - i) * MINUTE_US, sk);
        uuid_v4(id);
        json_t *item = msg_message_item(TOOLS_SEED_GROUP, sk, id, who[i % 2], tools_seed_lines[i]);
        json_array_append_new(puts_, json_pack("{s:{s:o}}", "PutRequest", "Item", item));
        memcpy(last_sk, sk, CLOCK_ISO_LEN);
    }
    return puts_;
}

/* Copies a directory user into the messaging module's view of a user. */
static msg_user as_msg_user(const users_user_t *u)
{
    return (msg_user){.uuid = u->uuid, .handle = u->handle, .display_name = u->display_name};
}

/*
 * The conversation's two users into *andrew and *bayko. Returns 0 when both
 * are there, 1 after printing why not, or -1 (for setup, after a note) when
 * the directory simply does not hold them.
 */
static int demo_users(const tools_opts *o, bool for_setup, users_user_t **andrew,
                      users_user_t **bayko)
{
    *andrew = *bayko = NULL;
    users_db_t *users = tools_users_open(o);
    if (!users) return 1;
    users_error_t err = {0};
    const char *handle = "andrewbrown";
    users_status_t st = users_find_by_handle(users, handle, andrew, &err);
    if (st == USERS_OK) st = users_find_by_handle(users, handle = "bayko", bayko, &err);
    int rc = 0;
    if (st == USERS_NOT_FOUND && for_setup) {
        char where[512];
        users_where(users, where, sizeof where);
        printf("not seeded: the demo users andrewbrown and bayko are not in the users directory "
               "(%s)\n",
               where);
        rc = -1;
    } else if (st != USERS_OK) {
        tools_report_user(o, users, handle, st, &err);
        rc = 1;
    }
    users_close(users);
    if (rc) {
        users_user_free(*andrew);
        users_user_free(*bayko);
        *andrew = *bayko = NULL;
    }
    return rc;
}

int tools_seed_run(const tools_opts *o, ddb_store *store, bool for_setup)
{
    const char *table = msg_table_name();
    if (!tools_table_exists(o, store, table)) return 1;
    bool failed;
    if (conversation_exists(o, store, table, &failed)) {
        printf("the demo conversation %s is already there: left as it is\n", TOOLS_SEED_GROUP);
        return 0;
    }
    if (failed) return 1;
    users_user_t *andrew, *bayko;
    int found = demo_users(o, for_setup, &andrew, &bayko);
    if (found) return found < 0 ? 0 : 1;
    msg_user a = as_msg_user(andrew), b = as_msg_user(bayko);
    const msg_user *who[2] = {&a, &b};
    int rc = 1;
    char last_sk[CLOCK_ISO_LEN];
    json_t *writes = message_puts(who, clock_now_us(), last_sk);
    if (!write_all(o, store, table, writes, "seeding messages")) goto done;
    json_decref(writes);

    /* Each participant's inbox row names the other one and the last message. */
    const char *last = tools_seed_lines[tools_seed_count - 1];
    writes = json_pack("[{s:{s:o}}, {s:{s:o}}]", "PutRequest", "Item",
                       msg_group_item(a.uuid, &b, TOOLS_SEED_GROUP, last_sk, last), "PutRequest",
                       "Item", msg_group_item(b.uuid, &a, TOOLS_SEED_GROUP, last_sk, last));
    if (!write_all(o, store, table, writes, NULL)) goto done;
    printf("seeded %zu messages between %s and %s in conversation %s\n", tools_seed_count, a.handle,
           b.handle, TOOLS_SEED_GROUP);
    rc = 0;
done:
    json_decref(writes);
    users_user_free(andrew);
    users_user_free(bayko);
    return rc;
}
