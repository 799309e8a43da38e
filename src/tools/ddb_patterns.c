/*
 * ddb_patterns: `cruddur ddb patterns`, the two read access patterns of
 * spec section 2 run by hand against the table, as the reference's
 * get-conversation and list-conversations scripts did, with its defects
 * fixed: no year filter, every page of a user's conversations, and any
 * timestamp form the store may hold printed without crashing.
 */
#include "tools/tools_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/uuid.h"
#include "messaging/table.h"
#include "messaging/table.h"

#define PREVIEW_CHARS 40

/* "2023-03-20 10:52 PM" (UTC) for a sort key; the key itself if unparsable. */
static void format_time(const char *sk, char *out, size_t n)
{
    int64_t us;
    time_t t;
    struct tm tm;
    if (sk && clock_parse_iso(sk, &us)) {
        t = (time_t)(us / 1000000 - (us % 1000000 < 0));
        if (gmtime_r(&t, &tm) && strftime(out, n, "%Y-%m-%d %I:%M %p", &tm) > 0) return;
    }
    snprintf(out, n, "%s", sk ? sk : "");
}

/*
 * Prints the first PREVIEW_CHARS code points of a message then "...", with
 * line breaks and tabs as spaces so that each message stays on its line.
 */
static void print_preview(const char *text)
{
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        if ((*p & 0xC0) != 0x80 && ++chars > PREVIEW_CHARS) break;
        putchar(*p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p);
    }
    fputs("...\n", stdout);
}

/* One line: handle in 12 columns, time in 22, then `extra` and the preview. */
static void print_line(const json_t *item, const char *extra)
{
    char when[64];
    format_time(msg_item_str(item, "sk"), when, sizeof when);
    const char *handle = msg_item_str(item, "user_handle");
    printf("%-12s%-22s%s", handle ? handle : "?", when, extra ? extra : "");
    print_preview(msg_item_str(item, "message"));
}

static int cmd_get_conversation(const tools_opts *o)
{
    const char *group = o->nargs ? o->args[0] : TOOLS_SEED_GROUP;
    if (!uuid_is_valid(group)) return tools_fail(o, "'%s' is not a conversation uuid", group);
    ddb_store *store = tools_store_open(o);
    if (!store) return 1;
    char pk[MSG_KEY_LEN];
    msg_key_messages(pk, group);
    json_t *req =
        json_pack("{s:s, s:s, s:{s:{s:s}}, s:b, s:i, s:s}", "TableName", msg_table_name(),
                  "KeyConditionExpression", "pk = :pk", "ExpressionAttributeValues", ":pk", "S", pk,
                  "ScanIndexForward", 0, "Limit", MSG_PAGE_SIZE, "ReturnConsumedCapacity", "TOTAL");
    json_t *res = tools_call(o, store, "Query", req);
    json_decref(req);
    if (res && o->json) {
        tools_print_json(res);
    } else if (res) {
        json_t *items = json_object_get(res, "Items");
        for (size_t i = json_array_size(items); i-- > 0;)
            print_line(json_array_get(items, i), NULL);
        tools_print_json(json_object_get(res, "ConsumedCapacity"));
    }
    json_decref(res);
    ddb_store_close(store);
    return res ? 0 : 1;
}

/* Every group item of `uuid`'s inbox, newest first, following every page. */
static json_t *inbox_items(const tools_opts *o, ddb_store *store, const char *uuid)
{
    char pk[MSG_KEY_LEN];
    msg_key_inbox(pk, uuid);
    json_t *req = json_pack("{s:s, s:s, s:{s:{s:s}}, s:b, s:i}", "TableName", msg_table_name(),
                            "KeyConditionExpression", "pk = :pk", "ExpressionAttributeValues",
                            ":pk", "S", pk, "ScanIndexForward", 0, "Limit", MSG_PAGE_SIZE);
    json_t *all = tools_all_items(o, store, "Query", req);
    json_decref(req);
    return all;
}

static int cmd_list_conversations(const tools_opts *o)
{
    const char *handle = o->nargs ? o->args[0] : "andrewbrown";
    users_db_t *users = tools_users_open(o);
    if (!users) return 1;
    users_user_t *me = tools_user_by_handle(o, users, handle);
    users_close(users);
    if (!me) return 1;
    ddb_store *store = tools_store_open(o);
    json_t *items = store ? inbox_items(o, store, me->uuid) : NULL;
    if (items) printf("my-uuid: %s\n", me->uuid);
    if (items && o->json) {
        tools_print_json(items);
    } else if (items) {
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item)
        {
            char extra[UUID_STR_LEN + 2];
            const char *group = msg_item_str(item, "message_group_uuid");
            snprintf(extra, sizeof extra, "%-36s ", group ? group : "?");
            print_line(item, extra);
        }
    }
    json_decref(items);
    if (store) ddb_store_close(store);
    users_user_free(me);
    return items ? 0 : 1;
}

const tools_cmd tools_ddb_patterns_cmds[] = {
    {"get-conversation", "[GROUP_UUID] [--json]",
     "the latest 20 messages of a conversation, oldest first, and the consumed capacity",
     "GROUP_UUID defaults to the seeded conversation " TOOLS_SEED_GROUP ".\n"
     "Each line: the sender's handle (12 columns), the time in UTC as\n"
     "YYYY-MM-DD HH:MM AM (22 columns), the first 40 characters and `...`.\n"
     "--json prints the Query response instead.\n",
     TOOLS_OPT_JSON, 0, 1, cmd_get_conversation, NULL},
    {"list-conversations", "[HANDLE] [--json]",
     "`my-uuid: <uuid>` of a user, then that user's conversations, newest first",
     "HANDLE defaults to andrewbrown; the user comes from the users directory.\n"
     "Each line: the other participant's handle (12 columns), the time of the last\n"
     "message (22 columns), the conversation uuid and the last message's first\n"
     "40 characters. --json prints the group items as a JSON array instead.\n",
     TOOLS_OPT_JSON, 0, 1, cmd_list_conversations, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL},
};
