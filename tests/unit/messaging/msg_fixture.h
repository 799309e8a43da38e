/*
 * msg_fixture: what the messaging unit tests share: an embedded in-memory
 * store with the messages table, three users, and readers of the group
 * items. Header-only (static functions): each test file is one program.
 * Include after <cmocka.h> and "testutil.h".
 */
#ifndef CRUDDUR_TESTS_MSG_FIXTURE_H
#define CRUDDUR_TESTS_MSG_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/engine/embedded.h"
#include "messaging/messaging.h"

static const msg_user MF_A = {"0a000000-0000-4000-8000-00000000000a", "andrewbrown",
                              "Andrew Brown"};
static const msg_user MF_B = {"0b000000-0000-4000-8000-00000000000b", "bayko", "Andrew Bayko"};
static const msg_user MF_C = {"0c000000-0000-4000-8000-00000000000c", "londo", "Londo Mollari"};

typedef struct mf {
    ddb_store *store;
    msg_service *svc;
} mf;

static inline void mf_open(mf *f)
{
    ddb_embedded_options opt = {.in_memory = true, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    f->store = ddb_embedded_open(&opt, &err);
    if (!f->store) fail_msg("ddb_embedded_open: %s", err.message);
    f->svc = msg_service_new(f->store, "cruddur-messages");
    msg_err merr = {0};
    if (!msg_ensure_table(f->svc, &merr)) fail_msg("msg_ensure_table: %s", merr.message);
}

static inline void mf_close(mf *f)
{
    msg_service_free(f->svc);
    ddb_store_close(f->store);
}

/* ddb_call that must succeed. */
static inline json_t *mf_call(ddb_store *store, const char *op, json_t *req)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(store, op, req, &err);
    json_decref(req);
    if (!res) fail_msg("%s: %s: %s", op, err.type, err.message);
    return res;
}

/* msg_start that must succeed; returns the conversation id (static buffer per call site). */
static inline void mf_start(mf *f, const msg_user *me, const msg_user *other, const char *text,
                            char group[40])
{
    msg_err err = {0};
    json_t *r = msg_start(f->svc, me, other, text, &err);
    if (!r) fail_msg("msg_start: %s", err.message);
    snprintf(group, 40, "%s", json_string_value(json_object_get(r, "message_group_uuid")));
    json_decref(r);
}

/* msg_append that must succeed; returns the reply. */
static inline json_t *mf_append(mf *f, const msg_user *me, const char *group, const char *text)
{
    msg_err err = {0};
    json_t *r = msg_append(f->svc, me, group, text, &err);
    if (!r) fail_msg("msg_append: %s", err.message);
    return r;
}

/* Every group item of a conversation as "owner-pk sk message" lines, sorted. */
static inline char *mf_groups(mf *f, const char *group)
{
    json_t *res = mf_call(f->store, "Query",
                          json_pack("{s:s, s:s, s:s, s:{s:{s:s}}}", "TableName", "cruddur-messages",
                                    "IndexName", "message-group-sk-index", "KeyConditionExpression",
                                    "message_group_uuid = :g", "ExpressionAttributeValues", ":g",
                                    "S", group));
    json_t *items = json_object_get(res, "Items");
    size_t n = json_array_size(items);
    char **lines = calloc(n + 1, sizeof *lines);
    size_t total = 1;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        const char *pk = json_string_value(json_object_get(json_object_get(it, "pk"), "S"));
        const char *sk = json_string_value(json_object_get(json_object_get(it, "sk"), "S"));
        const char *m = json_string_value(json_object_get(json_object_get(it, "message"), "S"));
        size_t len = strlen(pk) + strlen(sk) + strlen(m) + 4;
        lines[i] = malloc(len);
        snprintf(lines[i], len, "%s %s %s\n", pk, sk, m);
        total += len;
    }
    for (size_t i = 0; i + 1 < n; i++) /* a few items: insertion sort */
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(lines[j], lines[i]) < 0) {
                char *t = lines[i];
                lines[i] = lines[j];
                lines[j] = t;
            }
    char *out = calloc(1, total);
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        free(lines[i]);
    }
    free(lines);
    json_decref(res);
    return out;
}

/* How many group items `owner` has for the conversation. */
static inline int mf_owner_items(mf *f, const msg_user *owner, const char *group)
{
    char *all = mf_groups(f, group), pk[64];
    snprintf(pk, sizeof pk, "GRP#%s ", owner->uuid);
    int n = 0;
    for (char *p = all; (p = strstr(p, pk)); p++)
        n++;
    free(all);
    return n;
}

#endif
