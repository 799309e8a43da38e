/*
 * service: the messaging service object, the table definition of spec
 * section 1, validation, and the small helpers the other messaging files
 * share (store calls, item builders, time keys).
 */
#include "messaging/msg_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"

msg_service *msg_service_new(ddb_store *store, const char *table)
{
    msg_service *svc = xcalloc(1, sizeof *svc);
    svc->store = store;
    svc->table = xstrdup(table && *table ? table : msg_table_name());
    svc->members = ttl_cache_new(MSG_MEMBERS_CAPACITY, MSG_MEMBERS_TTL_US, NULL);
    return svc;
}

void msg_service_free(msg_service *svc)
{
    if (!svc) return;
    free(svc->table);
    ttl_cache_free(svc->members);
    free(svc);
}

void msg_err_clear(msg_err *err)
{
    if (!err) return;
    json_decref(err->codes);
    err->codes = NULL;
    err->status = MSG_OK;
    err->message[0] = '\0';
}

bool msg_fail(msg_err *err, msg_status status, const char *fmt, ...)
{
    if (!err) return false;
    msg_err_clear(err);
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

json_t *msg_call(msg_service *svc, const char *op, json_t *req, ddb_err *keep, msg_err *err)
{
    ddb_err e = DDB_ERR_INIT;
    json_t *res = ddb_call(svc->store, op, req, &e);
    if (!res) {
        if (keep) {
            ddb_err_move(keep, &e);
        } else {
            msg_fail(err, MSG_STORE, "%s failed: %s: %s", op, e.type, e.message);
            ddb_err_clear(&e);
        }
    }
    return res;
}

json_t *msg_group_items(msg_service *svc, const char *group, msg_err *err)
{
    json_t *req = json_pack("{s:s, s:s, s:s, s:{s:o}}", "TableName", svc->table, "IndexName",
                            MSG_GSI_NAME, "KeyConditionExpression", "message_group_uuid = :g",
                            "ExpressionAttributeValues", ":g", msg_s(group));
    ddb_err e = DDB_ERR_INIT;
    json_t *all = ddb_all_items(svc->store, "Query", req, &e);
    json_decref(req);
    if (!all) {
        msg_fail(err, MSG_STORE, "Query failed: %s: %s", e.type, e.message);
        ddb_err_clear(&e);
    }
    return all;
}

void msg_sk_now(char out[40])
{
    clock_format_iso(clock_now_us(), out);
}

void msg_sk_advance(char sk[40])
{
    char next[40];
    int64_t us;
    if (clock_parse_iso(sk, &us)) {
        clock_format_iso(us + 1, next);
        /* A key of an older, shorter form may still sort after the new one. */
        if (strcmp(next, sk) > 0) {
            memcpy(sk, next, sizeof next);
            return;
        }
    }
    size_t n = strlen(sk);
    if (n < 39) { /* a longer string with the same prefix sorts after it */
        sk[n] = '0';
        sk[n + 1] = '\0';
    }
}

/* Counts UTF-8 code points; invalid sequences count one per byte. */
static size_t code_points(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++;
    return n;
}

/* True when the text has something other than white space. */
static bool has_content(const char *s)
{
    for (; *s; s++)
        if (!strchr(" \t\r\n\f\v", *s)) return true;
    return false;
}

bool msg_validate_text(const char *text, msg_err *err)
{
    if (!text || !has_content(text)) {
        msg_fail(err, MSG_INVALID, "message is blank");
        err->codes = json_pack("[s]", "message_blank");
        return false;
    }
    if (code_points(text) > MSG_MAX_CHARS) {
        msg_fail(err, MSG_INVALID, "message is longer than %d characters", MSG_MAX_CHARS);
        err->codes = json_pack("[s]", "message_exceed_max_chars");
        return false;
    }
    return true;
}

json_t *msg_table_definition(const char *table)
{
    return json_pack(
        "{s:s, s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}], s:[{s:s,s:s},{s:s,s:s}],"
        " s:[{s:s, s:[{s:s,s:s},{s:s,s:s}], s:{s:s}, s:{s:i,s:i}}],"
        " s:s, s:{s:i,s:i}, s:{s:b,s:s}}",
        "TableName", table, "AttributeDefinitions", "AttributeName", "message_group_uuid",
        "AttributeType", "S", "AttributeName", "pk", "AttributeType", "S", "AttributeName", "sk",
        "AttributeType", "S", "KeySchema", "AttributeName", "pk", "KeyType", "HASH",
        "AttributeName", "sk", "KeyType", "RANGE", "GlobalSecondaryIndexes", "IndexName",
        MSG_GSI_NAME, "KeySchema", "AttributeName", "message_group_uuid", "KeyType", "HASH",
        "AttributeName", "sk", "KeyType", "RANGE", "Projection", "ProjectionType", "ALL",
        "ProvisionedThroughput", "ReadCapacityUnits", 5, "WriteCapacityUnits", 5, "BillingMode",
        "PROVISIONED", "ProvisionedThroughput", "ReadCapacityUnits", 5, "WriteCapacityUnits", 5,
        "StreamSpecification", "StreamEnabled", 1, "StreamViewType", "NEW_AND_OLD_IMAGES");
}

/* DescribeTable's TableStatus ("ACTIVE", "CREATING", ...) or NULL when the
   table does not exist; false on another error. Caller frees *status. */
static bool table_status(msg_service *svc, const char *table, char **status, msg_err *err)
{
    json_t *req = json_pack("{s:s}", "TableName", table);
    ddb_err e = DDB_ERR_INIT;
    json_t *res = msg_call(svc, "DescribeTable", req, &e, err);
    json_decref(req);
    *status = NULL;
    if (!res) {
        bool missing = e.code == DDB_E_NOT_FOUND;
        if (!missing) msg_fail(err, MSG_STORE, "DescribeTable failed: %s: %s", e.type, e.message);
        ddb_err_clear(&e);
        return missing;
    }
    const char *s =
        json_string_value(json_object_get(json_object_get(res, "Table"), "TableStatus"));
    *status = xstrdup(s ? s : "ACTIVE");
    json_decref(res);
    return true;
}

bool msg_create_table_if_missing(msg_service *svc, json_t *create, msg_err *err)
{
    const char *table = json_string_value(json_object_get(create, "TableName"));
    char *status;
    if (!table_status(svc, table, &status, err)) return false;
    if (!status) {
        ddb_err e = DDB_ERR_INIT;
        json_t *res = msg_call(svc, "CreateTable", create, &e, err);
        /* IN_USE: another process created it first. */
        if (!res && e.code != DDB_E_IN_USE) {
            msg_fail(err, MSG_STORE, "cannot create %s: %s: %s", table, e.type, e.message);
            ddb_err_clear(&e);
            return false;
        }
        ddb_err_clear(&e);
        json_decref(res);
    }
    /* Amazon DynamoDB creates tables in the background: wait until usable. */
    for (int i = 0; i < 600 && (!status || strcmp(status, "ACTIVE") != 0); i++) {
        /* The store decides how to wait (a remote store sleeps). */
        if (status) ddb_store_wait_change(svc->store, ddb_store_change_counter(svc->store), 200);
        free(status);
        if (!table_status(svc, table, &status, err)) return false;
    }
    bool active = status && !strcmp(status, "ACTIVE");
    if (!active) msg_fail(err, MSG_STORE, "table %s did not become ACTIVE", table);
    free(status);
    return active;
}

bool msg_ensure_table(msg_service *svc, msg_err *err)
{
    json_t *req = msg_table_definition(svc->table);
    bool ok = msg_create_table_if_missing(svc, req, err);
    json_decref(req);
    return ok;
}
