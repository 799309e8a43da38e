/*
 * Unit tests for the embedded engine's single-item operations (write.c),
 * key and item storage (items.c) and capacity units (capacity.c), driven
 * through ddb_call on an in-memory store, and on an on-disk store whose
 * index rows are read back over a second SQLite connection.
 *
 * JSON literals are written with single quotes (turned into double quotes
 * by J) to keep them readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"
#include "ddb/model/schema.h"
#include "ddb/model/value.h"
#include "testutil.h"

/* A JSON literal with ' for ". */
static json_t *J(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    json_t *j = tu_json(s);
    free(s);
    return j;
}

/* Runs an operation that must succeed; returns its response. */
static json_t *ok_call(ddb_store *s, const char *op, json_t *req)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, op, req, &err);
    if (!res) fail_msg("%s failed: %s: %s", op, err.type, err.message);
    json_decref(req);
    ddb_err_clear(&err);
    return res;
}

static void ok(ddb_store *s, const char *op, const char *req)
{
    json_decref(ok_call(s, op, J(req)));
}

/* Runs an operation that must fail with `type` and `msg`; returns the
   error's detail (or NULL). */
static json_t *fails(ddb_store *s, const char *op, json_t *req, const char *type, const char *msg)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, op, req, &err);
    if (res) {
        char *t = json_dumps(res, JSON_COMPACT);
        fail_msg("%s unexpectedly succeeded: %s", op, t);
    }
    if (strcmp(err.type, type) != 0)
        fail_msg("%s: %s: %s (wanted %s)", op, err.type, err.message, type);
    if (msg) assert_string_equal(err.message, msg);
    json_t *detail = json_incref(err.detail);
    ddb_err_clear(&err);
    json_decref(req);
    return detail;
}

static void fails_str(ddb_store *s, const char *op, const char *req, const char *msg)
{
    json_decref(fails(s, op, J(req), "ValidationException", msg));
}

/* The response member `key` of an operation, compared with `want` ('-quoted;
   "null" for absent). */
static void expect_member(ddb_store *s, const char *op, const char *req, const char *key,
                          const char *want)
{
    json_t *res = ok_call(s, op, J(req));
    json_t *v = json_object_get(res, key);
    json_t *w = J(want);
    if (json_is_null(w)) {
        if (v) fail_msg("%s: unexpected %s", op, key);
    } else {
        char *ws = json_dumps(w, JSON_COMPACT);
        tu_assert_json_eq(v, ws);
        free(ws);
    }
    json_decref(w);
    json_decref(res);
}

#define TABLE_ITEMS                                                                                \
    "{'TableName': 'items', 'BillingMode': 'PAY_PER_REQUEST',"                                     \
    " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"                                   \
    "               {'AttributeName': 'sk', 'KeyType': 'RANGE'}],"                                 \
    " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"                     \
    "   {'AttributeName': 'sk', 'AttributeType': 'S'},"                                            \
    "   {'AttributeName': 'g', 'AttributeType': 'S'},"                                             \
    "   {'AttributeName': 'gn', 'AttributeType': 'N'},"                                            \
    "   {'AttributeName': 'l', 'AttributeType': 'B'}],"                                            \
    " 'GlobalSecondaryIndexes': [{'IndexName': 'by_g',"                                            \
    "   'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'},"                                  \
    "                 {'AttributeName': 'gn', 'KeyType': 'RANGE'}],"                               \
    "   'Projection': {'ProjectionType': 'ALL'}}],"                                                \
    " 'LocalSecondaryIndexes': [{'IndexName': 'by_l',"                                             \
    "   'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"                                 \
    "                 {'AttributeName': 'l', 'KeyType': 'RANGE'}],"                                \
    "   'Projection': {'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['a']}}]}"

#define TABLE_SIMPLE                                                                               \
    "{'TableName': 'simple', 'BillingMode': 'PAY_PER_REQUEST',"                                    \
    " 'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}],"                                  \
    " 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'N'}]}"

typedef struct fixture {
    ddb_store *s;
    char *dir; /* on-disk stores only */
} fixture;

static ddb_store *open_store(const char *dir)
{
    ddb_embedded_options opt = {
        .dir = dir, .in_memory = dir == NULL, .no_fsync = true, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = ddb_embedded_open(&opt, &err);
    if (!s) fail_msg("open: %s", err.message);
    ok(s, "CreateTable", TABLE_ITEMS);
    ok(s, "CreateTable", TABLE_SIMPLE);
    return s;
}

static int setup_mem(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->s = open_store(NULL);
    *state = f;
    return 0;
}

static int setup_disk(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_tmpdir();
    f->s = open_store(f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ddb_store_close(f->s);
    if (f->dir) {
        tu_rmdir(f->dir);
        free(f->dir);
    }
    free(f);
    return 0;
}

#define KEY_A "{'pk': {'S': 'a'}, 'sk': {'S': '1'}}"
#define ITEM_A "{'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'a': {'N': '1'}, 'b': {'S': 'x'}}"

static void test_put_get_delete(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    expect_member(s, "GetItem", "{'TableName': 'items', 'Key': " KEY_A "}", "Item", "null");
    expect_member(s, "PutItem", "{'TableName': 'items', 'Item': " ITEM_A "}", "Attributes", "null");
    expect_member(s, "GetItem", "{'TableName': 'items', 'Key': " KEY_A "}", "Item", ITEM_A);
    expect_member(s, "GetItem", "{'TableName': 'items', 'Key': " KEY_A ", 'ConsistentRead': true}",
                  "Item", ITEM_A);
    /* numbers are stored canonical */
    ok(s, "PutItem", "{'TableName': 'simple', 'Item': {'id': {'N': '01.50'}, 'v': {'N': '1e2'}}}");
    expect_member(s, "GetItem", "{'TableName': 'simple', 'Key': {'id': {'N': '1.5'}}}", "Item",
                  "{'id': {'N': '1.5'}, 'v': {'N': '100'}}");
    expect_member(s, "DeleteItem",
                  "{'TableName': 'items', 'Key': " KEY_A ", 'ReturnValues': 'ALL_OLD'}",
                  "Attributes", ITEM_A);
    expect_member(s, "GetItem", "{'TableName': 'items', 'Key': " KEY_A "}", "Item", "null");
    expect_member(s, "DeleteItem",
                  "{'TableName': 'items', 'Key': " KEY_A ", 'ReturnValues': 'ALL_OLD'}",
                  "Attributes", "null");
    fails(s, "GetItem", J("{'TableName': 'nope', 'Key': " KEY_A "}"), "ResourceNotFoundException",
          NULL);
}

static void test_put_delete_return_values(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    expect_member(s, "PutItem",
                  "{'TableName': 'items', 'Item': " ITEM_A ", 'ReturnValues': 'ALL_OLD'}",
                  "Attributes", "null");
    expect_member(s, "PutItem",
                  "{'TableName': 'items', 'Item': {'pk': {'S': 'a'}, 'sk': {'S': '1'}},"
                  " 'ReturnValues': 'ALL_OLD'}",
                  "Attributes", ITEM_A);
    expect_member(s, "PutItem",
                  "{'TableName': 'items', 'Item': " ITEM_A ", 'ReturnValues': 'NONE'}",
                  "Attributes", "null");
    static const char *bad[] = {"ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"};
    for (size_t i = 0; i < 3; i++) {
        char req[256];
        snprintf(req, sizeof req,
                 "{'TableName': 'items', 'Item': " ITEM_A ", 'ReturnValues': '%s'}", bad[i]);
        fails_str(s, "PutItem", req, "Return values set to invalid value");
        snprintf(req, sizeof req, "{'TableName': 'items', 'Key': " KEY_A ", 'ReturnValues': '%s'}",
                 bad[i]);
        fails_str(s, "DeleteItem", req, "Return values set to invalid value");
    }
    fails_str(s, "PutItem",
              "{'TableName': 'items', 'Item': " ITEM_A
              ", 'ReturnValuesOnConditionCheckFailure': 'ALL_NEW'}",
              "1 validation error detected: Value 'ALL_NEW' at "
              "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must "
              "satisfy enum value set: [ALL_OLD, NONE]");
    ok(s, "PutItem",
       "{'TableName': 'items', 'Item': " ITEM_A ", 'ReturnItemCollectionMetrics': 'SIZE',"
       " 'ReturnValuesOnConditionCheckFailure': 'NONE'}");
    fails_str(s, "PutItem", "{'TableName': 'items', 'Item': " ITEM_A ", 'ReturnValues': 'BOGUS'}",
              "1 validation error detected: Value 'BOGUS' at 'returnValues' failed to satisfy "
              "constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, "
              "NONE, UPDATED_NEW]");
}

static void test_update_return_values(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    static const struct {
        const char *rv, *want;
    } cases[] = {
        {"NONE", "null"},
        {"ALL_OLD", ITEM_A},
        {"UPDATED_OLD", "{'a': {'N': '1'}}"},
        {"ALL_NEW", "{'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'a': {'N': '3'}, 'b': {'S': 'x'},"
                    " 'c': {'S': 'y'}}"},
        {"UPDATED_NEW", "{'a': {'N': '3'}, 'c': {'S': 'y'}}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ok(s, "PutItem", "{'TableName': 'items', 'Item': " ITEM_A "}");
        char req[512];
        snprintf(req, sizeof req,
                 "{'TableName': 'items', 'Key': " KEY_A ", 'UpdateExpression': 'SET a = a + :two, "
                 "c = :c', 'ExpressionAttributeValues': {':two': {'N': '2'}, ':c': {'S': 'y'}},"
                 " 'ReturnValues': '%s'}",
                 cases[i].rv);
        expect_member(s, "UpdateItem", req, "Attributes", cases[i].want);
    }
    /* UPDATED_OLD of attributes that did not exist: nothing */
    expect_member(
        s, "UpdateItem",
        "{'TableName': 'items', 'Key': " KEY_A ", 'UpdateExpression': 'SET z = :c',"
        " 'ExpressionAttributeValues': {':c': {'S': 'y'}}, 'ReturnValues': 'UPDATED_OLD'}",
        "Attributes", "null");
}

static void test_update_creates_item_and_refuses_keys(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    expect_member(s, "UpdateItem",
                  "{'TableName': 'items', 'Key': {'pk': {'S': 'n'}, 'sk': {'S': '1'}},"
                  " 'UpdateExpression': 'SET v = :v', 'ExpressionAttributeValues': {':v': "
                  "{'BOOL': true}}, 'ReturnValues': 'ALL_NEW'}",
                  "Attributes", "{'pk': {'S': 'n'}, 'sk': {'S': '1'}, 'v': {'BOOL': true}}");
    expect_member(s, "UpdateItem",
                  "{'TableName': 'items', 'Key': {'pk': {'S': 'm'}, 'sk': {'S': '1'}},"
                  " 'ReturnValues': 'ALL_NEW'}",
                  "Attributes", "{'pk': {'S': 'm'}, 'sk': {'S': '1'}}");
    fails_str(s, "UpdateItem",
              "{'TableName': 'items', 'Key': " KEY_A ", 'UpdateExpression': 'SET pk = :v',"
              " 'ExpressionAttributeValues': {':v': {'S': 'b'}}}",
              "One or more parameter values were invalid: Cannot update attribute pk. This "
              "attribute is part of the key");
    fails_str(s, "UpdateItem",
              "{'TableName': 'items', 'Key': " KEY_A ", 'UpdateExpression': 'REMOVE sk'}",
              "One or more parameter values were invalid: Cannot update attribute sk. This "
              "attribute is part of the key");
    /* the legacy parameters (legacy.c): not mixed with expressions */
    fails_str(s, "UpdateItem",
              "{'TableName': 'items', 'Key': " KEY_A ", 'AttributeUpdates': {},"
              " 'UpdateExpression': 'REMOVE a'}",
              "Can not use both expression and non-expression parameters in the same request: "
              "Non-expression parameters: {AttributeUpdates} Expression parameters: "
              "{UpdateExpression}");
    fails_str(s, "PutItem",
              "{'TableName': 'items', 'Item': " ITEM_A ", 'Expected': {},"
              " 'ExpressionAttributeNames': {'#a': 'a'}}",
              "ExpressionAttributeNames can only be specified when using expressions");
    fails_str(s, "GetItem",
              "{'TableName': 'items', 'Key': " KEY_A ", 'AttributesToGet': ['a', 'a']}",
              "Cannot have two attributes with the same name");
    fails_str(s, "PutItem",
              "{'TableName': 'items', 'Item': " ITEM_A
              ", 'ExpressionAttributeValues': {':v': {'S': 'b'}}}",
              "ExpressionAttributeValues can only be specified when using expressions: "
              "ConditionExpression is null");
}

static void test_conditions(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    const char *cfe = "ConditionalCheckFailedException";
    ok(s, "PutItem",
       "{'TableName': 'items', 'Item': " ITEM_A ", 'ConditionExpression': "
       "'attribute_not_exists(pk)'}");
    json_t *d = fails(s, "PutItem",
                      J("{'TableName': 'items', 'Item': " KEY_A ", 'ConditionExpression': "
                        "'attribute_not_exists(pk)'}"),
                      cfe, "The conditional request failed");
    assert_null(d);
    d = fails(s, "PutItem",
              J("{'TableName': 'items', 'Item': " KEY_A ", 'ConditionExpression': "
                "'attribute_not_exists(pk)', 'ReturnValuesOnConditionCheckFailure': 'ALL_OLD'}"),
              cfe, "The conditional request failed");
    tu_assert_json_eq(d, "{\"Item\": {\"pk\": {\"S\": \"a\"}, \"sk\": {\"S\": \"1\"}, \"a\": "
                         "{\"N\": \"1\"}, \"b\": {\"S\": \"x\"}}}");
    json_decref(d);
    /* a false condition changes nothing */
    d = fails(s, "DeleteItem",
              J("{'TableName': 'items', 'Key': " KEY_A ", 'ConditionExpression': 'a = :v',"
                " 'ExpressionAttributeValues': {':v': {'N': '2'}}}"),
              cfe, NULL);
    json_decref(d);
    d = fails(s, "UpdateItem",
              J("{'TableName': 'items', 'Key': {'pk': {'S': 'q'}, 'sk': {'S': '1'}},"
                " 'UpdateExpression': 'SET a = :v', 'ConditionExpression': 'attribute_exists(pk)',"
                " 'ExpressionAttributeValues': {':v': {'N': '2'}}}"),
              cfe, NULL);
    json_decref(d);
    expect_member(s, "GetItem",
                  "{'TableName': 'items', 'Key': {'pk': {'S': 'q'}, 'sk': {'S': '1'}}}", "Item",
                  "null");
    expect_member(s, "GetItem", "{'TableName': 'items', 'Key': " KEY_A "}", "Item", ITEM_A);
    /* true conditions apply */
    expect_member(s, "UpdateItem",
                  "{'TableName': 'items', 'Key': " KEY_A ", 'UpdateExpression': 'SET a = :v',"
                  " 'ConditionExpression': 'a = :one', 'ExpressionAttributeValues': "
                  "{':v': {'N': '5'}, ':one': {'N': '1.0'}}, 'ReturnValues': 'UPDATED_NEW'}",
                  "Attributes", "{'a': {'N': '5'}}");
    expect_member(s, "DeleteItem",
                  "{'TableName': 'items', 'Key': " KEY_A ", 'ConditionExpression': "
                  "'attribute_exists(b)', 'ReturnValues': 'ALL_OLD'}",
                  "Attributes",
                  "{'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'a': {'N': '5'}, 'b': {'S': 'x'}}");
}

static void test_get_projection(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    ok(s, "PutItem",
       "{'TableName': 'items', 'Item': {'pk': {'S': 'p'}, 'sk': {'S': '1'}, 'm': {'M': {'x': "
       "{'N': '1'}, 'y': {'N': '2'}}}, 'lst': {'L': [{'S': 'a'}, {'S': 'b'}]}, 'c': {'S': 'z'}}}");
    expect_member(s, "GetItem",
                  "{'TableName': 'items', 'Key': {'pk': {'S': 'p'}, 'sk': {'S': '1'}},"
                  " 'ProjectionExpression': 'c, #m.x, lst[1]', 'ExpressionAttributeNames': "
                  "{'#m': 'm'}}",
                  "Item",
                  "{'c': {'S': 'z'}, 'm': {'M': {'x': {'N': '1'}}}, 'lst': {'L': [{'S': 'b'}]}}");
    expect_member(s, "GetItem",
                  "{'TableName': 'items', 'Key': {'pk': {'S': 'p'}, 'sk': {'S': '1'}},"
                  " 'ProjectionExpression': 'nope'}",
                  "Item", "{}");
    fails_str(s, "GetItem",
              "{'TableName': 'items', 'Key': {'pk': {'S': 'p'}, 'sk': {'S': '1'}},"
              " 'ExpressionAttributeNames': {'#m': 'm'}}",
              "ExpressionAttributeNames can only be specified when using expressions");
}

static void test_key_validation(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    const char *schema = "The provided key element does not match the schema";
    static const struct {
        const char *op, *req, *msg;
    } cases[] = {
        {"GetItem", "{'TableName': 'items', 'Key': {'pk': {'S': 'a'}}}", NULL},
        {"GetItem", "{'TableName': 'items', 'Key': {'pk': {'S': 'a'}, 'sk': {'N': '1'}}}", NULL},
        {"GetItem",
         "{'TableName': 'items', 'Key': {'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'x': {'S': '1'}}}",
         NULL},
        {"DeleteItem", "{'TableName': 'items', 'Key': {'pk': {'S': 'a'}, 'x': {'S': '1'}}}", NULL},
        {"UpdateItem", "{'TableName': 'simple', 'Key': {'id': {'S': '1'}}}", NULL},
        {"GetItem", "{'TableName': 'items', 'Key': {'pk': {'S': ''}, 'sk': {'S': '1'}}}",
         "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: pk"},
        {"PutItem", "{'TableName': 'items', 'Item': {'pk': {'S': 'a'}, 'sk': {'S': ''}}}",
         "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: sk"},
        {"PutItem", "{'TableName': 'items', 'Item': {'pk': {'S': 'a'}}}",
         "One of the required keys was not given a value"},
        {"PutItem", "{'TableName': 'items', 'Item': {'sk': {'S': 'a'}}}",
         "One of the required keys was not given a value"},
        {"PutItem", "{'TableName': 'items', 'Item': {'pk': {'N': '1'}, 'sk': {'S': 'a'}}}",
         "One or more parameter values were invalid: Type mismatch for key"},
        {"PutItem", "{'TableName': 'simple', 'Item': {'id': {'B': 'AQ=='}}}",
         "One or more parameter values were invalid: Type mismatch for key"},
        /* DynamoDB Local 3.3.1's order: each key attribute in turn, and a
           type no key can have before the schema's type */
        {"PutItem", "{'TableName': 'items', 'Item': {'pk': {'SS': ['a']}}}",
         "Invalid attribute value type"},
        {"PutItem", "{'TableName': 'items', 'Item': {'pk': {'S': ''}, 'sk': {'N': '1'}}}",
         "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: pk"},
        /* and a Key's the same way: the hash key's empty value before the
           sort key's type */
        {"GetItem", "{'TableName': 'items', 'Key': {'pk': {'S': ''}, 'sk': {'N': '1'}}}",
         "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: pk"},
        {"PutItem", "{'TableName': 'items'}",
         "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
         "Member must not be null"},
        {"DeleteItem", "{'TableName': 'items'}",
         "1 validation error detected: Value null at 'key' failed to satisfy constraint: "
         "Member must not be null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fails_str(s, cases[i].op, cases[i].req, cases[i].msg ? cases[i].msg : schema);
}

/* {"pk": {"S": <n x 'h'>}, "sk": {"S": <m x 'r'>}} plus `pad` bytes of attribute "x". */
static json_t *sized_item(size_t hash_len, size_t range_len, size_t pad)
{
    char *h = malloc(hash_len + 1), *r = malloc(range_len + 1), *x = malloc(pad + 1);
    memset(h, 'h', hash_len);
    memset(r, 'r', range_len);
    memset(x, 'x', pad);
    h[hash_len] = r[range_len] = x[pad] = '\0';
    json_t *item = json_pack("{s:{s:s},s:{s:s}}", "pk", "S", h, "sk", "S", r);
    if (pad) json_object_set_new(item, "x", json_pack("{s:s}", "S", x));
    free(h);
    free(r);
    free(x);
    return item;
}

static json_t *put_req(json_t *item)
{
    return json_pack("{s:s,s:o}", "TableName", "items", "Item", item);
}

#define KEY_SIZE_MSG                                                                               \
    "Hash primary key values must be under 2048 bytes, and range primary key values must be "      \
    "under 1024 bytes"
#define INDEX_TYPE_MSG "One or more parameter values were invalid: Type mismatch for Index Key"

static void test_size_limits(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    json_decref(ok_call(s, "PutItem", put_req(sized_item(2048, 1024, 0))));
    json_decref(
        fails(s, "PutItem", put_req(sized_item(2049, 1, 0)), "ValidationException", KEY_SIZE_MSG));
    json_decref(
        fails(s, "PutItem", put_req(sized_item(1, 1025, 0)), "ValidationException", KEY_SIZE_MSG));
    json_t *key = sized_item(2049, 1, 0);
    json_decref(fails(s, "GetItem", json_pack("{s:s,s:o}", "TableName", "items", "Key", key),
                      "ValidationException", KEY_SIZE_MSG));

    /* exactly 400 KB is allowed, one byte more is not */
    json_t *probe = sized_item(1, 1, 1);
    size_t base = ddb_item_size(probe) - 1;
    json_decref(probe);
    size_t pad = DDB_MAX_ITEM_SIZE - base;
    json_t *big = sized_item(1, 1, pad);
    assert_int_equal(ddb_item_size(big), DDB_MAX_ITEM_SIZE);
    json_decref(ok_call(s, "PutItem", put_req(big)));
    json_decref(fails(s, "PutItem", put_req(sized_item(1, 1, pad + 1)), "ValidationException",
                      "Item size has exceeded the maximum allowed size"));
    /* an update that grows the item past the limit */
    json_t *req = json_pack("{s:s,s:{s:{s:s},s:{s:s}},s:s,s:{s:{s:s}}}", "TableName", "items",
                            "Key", "pk", "S", "h", "sk", "S", "r", "UpdateExpression", "SET y = :y",
                            "ExpressionAttributeValues", ":y", "S", "more");
    json_decref(fails(s, "UpdateItem", req, "ValidationException",
                      "Item size to update has exceeded the maximum allowed size"));
}

static void test_index_key_validation(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    fails_str(s, "PutItem",
              "{'TableName': 'items', 'Item': {'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'g': {'N': "
              "'1'}}}",
              INDEX_TYPE_MSG);
    fails_str(s, "PutItem",
              "{'TableName': 'items', 'Item': {'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'l': {'S': "
              "'1'}}}",
              INDEX_TYPE_MSG);
    fails_str(s, "PutItem",
              "{'TableName': 'items', 'Item': {'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'g': {'L': "
              "[]}}}",
              "Invalid attribute value type");
    fails_str(s, "PutItem",
              "{'TableName': 'items', 'Item': {'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'g': {'S': "
              "''}}}",
              "One or more parameter values are not valid. A value specified for a secondary "
              "index key is not supported. The AttributeValue for a key attribute cannot contain "
              "an empty string value. IndexName: by_g, IndexKey: g");
    fails_str(s, "UpdateItem",
              "{'TableName': 'items', 'Key': " KEY_A ", 'UpdateExpression': 'SET gn = :v',"
              " 'ExpressionAttributeValues': {':v': {'S': 'x'}}}",
              INDEX_TYPE_MSG);
    /* index keys have the key size limits */
    json_t *item = sized_item(1, 1, 0);
    char g[2050];
    memset(g, 'g', 2049);
    g[2049] = '\0';
    json_object_set_new(item, "g", json_pack("{s:s}", "S", g));
    json_decref(fails(s, "PutItem", put_req(item), "ValidationException",
                      "One or more parameter values were invalid: Size limit exceeded"));
    /* an item may lack index keys (sparse), and keep any type elsewhere */
    ok(s, "PutItem",
       "{'TableName': 'items', 'Item': {'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'gn': {'N': '1'},"
       " 'other': {'S': ''}}}");
}

static void test_capacity(void **state)
{
    ddb_store *s = ((fixture *)*state)->s;
    /* a new item in the GSI and the LSI: 1 unit each */
    expect_member(s, "PutItem",
                  "{'TableName': 'items', 'ReturnConsumedCapacity': 'INDEXES', 'Item': {'pk': "
                  "{'S': 'c'}, 'sk': {'S': '1'}, 'g': {'S': 'x'}, 'gn': {'N': '1'}, 'l': {'B': "
                  "'AQ=='}}}",
                  "ConsumedCapacity",
                  "{'TableName': 'items', 'CapacityUnits': 3.0, 'Table': {'CapacityUnits': 1.0},"
                  " 'GlobalSecondaryIndexes': {'by_g': {'CapacityUnits': 1.0}},"
                  " 'LocalSecondaryIndexes': {'by_l': {'CapacityUnits': 1.0}}}");
    /* the GSI key moves (2 units); the LSI entry (keys + a) is unchanged */
    expect_member(s, "PutItem",
                  "{'TableName': 'items', 'ReturnConsumedCapacity': 'INDEXES', 'Item': {'pk': "
                  "{'S': 'c'}, 'sk': {'S': '1'}, 'g': {'S': 'y'}, 'gn': {'N': '1'}, 'l': {'B': "
                  "'AQ=='}}}",
                  "ConsumedCapacity",
                  "{'TableName': 'items', 'CapacityUnits': 3.0, 'Table': {'CapacityUnits': 1.0},"
                  " 'GlobalSecondaryIndexes': {'by_g': {'CapacityUnits': 2.0}}}");
    expect_member(s, "UpdateItem",
                  "{'TableName': 'items', 'ReturnConsumedCapacity': 'TOTAL', 'Key': {'pk': "
                  "{'S': 'c'}, 'sk': {'S': '1'}}, 'UpdateExpression': 'SET a = :a',"
                  " 'ExpressionAttributeValues': {':a': {'N': '1'}}}",
                  "ConsumedCapacity", "{'TableName': 'items', 'CapacityUnits': 3.0}");
    expect_member(s, "GetItem",
                  "{'TableName': 'items', 'ReturnConsumedCapacity': 'INDEXES', 'Key': {'pk': "
                  "{'S': 'c'}, 'sk': {'S': '1'}}}",
                  "ConsumedCapacity",
                  "{'TableName': 'items', 'CapacityUnits': 0.5, 'Table': {'CapacityUnits': 0.5}}");
    expect_member(s, "GetItem",
                  "{'TableName': 'items', 'ReturnConsumedCapacity': 'TOTAL', 'ConsistentRead': "
                  "true, 'Key': {'pk': {'S': 'zz'}, 'sk': {'S': '1'}}}",
                  "ConsumedCapacity", "{'TableName': 'items', 'CapacityUnits': 1.0}");
    expect_member(s, "DeleteItem",
                  "{'TableName': 'items', 'ReturnConsumedCapacity': 'NONE', 'Key': {'pk': "
                  "{'S': 'c'}, 'sk': {'S': '1'}}}",
                  "ConsumedCapacity", "null");
    expect_member(s, "DeleteItem",
                  "{'TableName': 'items', 'ReturnConsumedCapacity': 'INDEXES', 'Key': {'pk': "
                  "{'S': 'c'}, 'sk': {'S': '1'}}}",
                  "ConsumedCapacity",
                  "{'TableName': 'items', 'CapacityUnits': 1.0, 'Table': {'CapacityUnits': 1.0}}");
    fails_str(s, "GetItem",
              "{'TableName': 'items', 'ReturnConsumedCapacity': 'ALL', 'Key': " KEY_A "}",
              "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to "
              "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]");

    /* sizes: a 5 KB item is 5 write units, 2 read units (1 eventually consistent) */
    json_t *item = sized_item(1, 1, 5000);
    json_t *req = put_req(item);
    json_object_set_new(req, "ReturnConsumedCapacity", json_string("TOTAL"));
    json_t *res = ok_call(s, "PutItem", req);
    tu_assert_json_eq(json_object_get(res, "ConsumedCapacity"),
                      "{\"TableName\": \"items\", \"CapacityUnits\": 5.0}");
    json_decref(res);
    expect_member(s, "GetItem",
                  "{'TableName': 'items', 'ReturnConsumedCapacity': 'TOTAL', 'Key': {'pk': "
                  "{'S': 'h'}, 'sk': {'S': 'r'}}}",
                  "ConsumedCapacity", "{'TableName': 'items', 'CapacityUnits': 1.0}");
    /* shrinking the item still costs the larger size */
    expect_member(s, "UpdateItem",
                  "{'TableName': 'items', 'ReturnConsumedCapacity': 'TOTAL', 'Key': {'pk': "
                  "{'S': 'h'}, 'sk': {'S': 'r'}}, 'UpdateExpression': 'REMOVE x'}",
                  "ConsumedCapacity", "{'TableName': 'items', 'CapacityUnits': 5.0}");
}

/* ---- on disk: index rows read back over a second connection ---- */

/* The table definition as stored, for index numbers. */
static ddb_table *stored_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT def, tid FROM tables WHERE name = ?1", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    json_t *def = tu_json((const char *)sqlite3_column_text(st, 0));
    ddb_err err = DDB_ERR_INIT;
    ddb_table *t = ddb_table_load(def, &err);
    if (!t) fail_msg("load: %s", err.message);
    t->tid = sqlite3_column_int64(st, 1);
    json_decref(def);
    sqlite3_finalize(st);
    return t;
}

/* The values of attribute `attr` of the items in index `ino`, in index order,
   joined into "v1,v2,...". */
static char *index_order(sqlite3 *db, int64_t tid, int ino, const char *attr)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT i.item FROM idx x JOIN items i ON i.tid = x.tid AND i.h = x.th"
                           " AND i.hk = x.thk AND i.rk = x.trk WHERE x.tid = ?1 AND x.ino = ?2"
                           " ORDER BY x.h, x.hk, x.rk",
                           -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, tid);
    sqlite3_bind_int(st, 2, ino);
    char *out = calloc(1, 4096);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *item = tu_json((const char *)sqlite3_column_text(st, 0));
        json_t *av = json_object_get(item, attr);
        const char *v = json_string_value(json_object_iter_value(json_object_iter(av)));
        if (*out) strcat(out, ",");
        strcat(out, v ? v : "?");
        json_decref(item);
    }
    sqlite3_finalize(st);
    return out;
}

static int64_t count_rows(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static sqlite3 *open_side(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ddb.sqlite", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void put_g(ddb_store *s, const char *sk, const char *g, const char *gn, const char *l)
{
    json_t *item = json_pack("{s:{s:s},s:{s:s}}", "pk", "S", "p", "sk", "S", sk);
    if (g) json_object_set_new(item, "g", json_pack("{s:s}", "S", g));
    if (gn) json_object_set_new(item, "gn", json_pack("{s:s}", "N", gn));
    if (l) json_object_set_new(item, "l", json_pack("{s:s}", "B", l));
    json_decref(ok_call(s, "PutItem", put_req(item)));
}

static void test_index_rows_on_disk(void **state)
{
    fixture *f = *state;
    ddb_store *s = f->s;
    /* N order in the GSI's sort key, B order (unsigned) in the LSI's, S in the table's */
    put_g(s, "b", "G", "10", "gA==");  /* l = 0x80 */
    put_g(s, "a", "G", "-5", "/w==");  /* l = 0xff */
    put_g(s, "c", "G", "9.5", "AQ=="); /* l = 0x01 */
    put_g(s, "B", "G", "100", NULL);   /* not in the LSI */
    put_g(s, "e", NULL, "1", "AA==");  /* not in the GSI: no g; l = 0x00 */
    put_g(s, "f", "G", NULL, NULL);    /* not in the GSI: no gn */

    sqlite3 *db = open_side(f->dir);
    ddb_table *t = stored_table(db, "items");
    int g_ino = ddb_table_find_index(t, "by_g")->ino;
    int l_ino = ddb_table_find_index(t, "by_l")->ino;
    char *order = index_order(db, t->tid, g_ino, "gn");
    assert_string_equal(order, "-5,9.5,10,100");
    free(order);
    order = index_order(db, t->tid, l_ino, "sk");
    assert_string_equal(order, "e,c,b,a");
    free(order);
    order = index_order(db, t->tid, -12345, "sk");
    assert_string_equal(order, "");
    free(order);
    /* the same order through Query */
    json_t *res = ok_call(s, "Query",
                          J("{'TableName': 'items', 'IndexName': 'by_g', 'KeyConditionExpression':"
                            " 'g = :g', 'ExpressionAttributeValues': {':g': {'S': 'G'}},"
                            " 'ProjectionExpression': 'gn'}"));
    tu_assert_json_eq(json_object_get(res, "Items"),
                      "[{\"gn\": {\"N\": \"-5\"}}, {\"gn\": {\"N\": \"9.5\"}}, {\"gn\": {\"N\": "
                      "\"10\"}}, {\"gn\": {\"N\": \"100\"}}]");
    json_decref(res);

    /* a key change moves the row; removing the attribute drops it */
    ok(s, "UpdateItem",
       "{'TableName': 'items', 'Key': {'pk': {'S': 'p'}, 'sk': {'S': 'a'}},"
       " 'UpdateExpression': 'SET gn = :v', 'ExpressionAttributeValues': {':v': {'N': '50'}}}");
    order = index_order(db, t->tid, g_ino, "gn");
    assert_string_equal(order, "9.5,10,50,100");
    free(order);
    ok(s, "UpdateItem",
       "{'TableName': 'items', 'Key': {'pk': {'S': 'p'}, 'sk': {'S': 'b'}},"
       " 'UpdateExpression': 'REMOVE g'}");
    ok(s, "DeleteItem", "{'TableName': 'items', 'Key': {'pk': {'S': 'p'}, 'sk': {'S': 'c'}}}");
    order = index_order(db, t->tid, g_ino, "gn");
    assert_string_equal(order, "50,100");
    free(order);
    order = index_order(db, t->tid, l_ino, "sk");
    assert_string_equal(order, "e,b,a");
    free(order);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM idx WHERE tid = %lld", (long long)t->tid);
    assert_int_equal(count_rows(db, sql), 5);

    /* table order and counters */
    snprintf(sql, sizeof sql, "SELECT item_count FROM tables WHERE tid = %lld", (long long)t->tid);
    assert_int_equal(count_rows(db, sql), 5);
    snprintf(sql, sizeof sql,
             "SELECT size_bytes = (SELECT sum(size) FROM items WHERE tid = %lld) FROM tables"
             " WHERE tid = %lld",
             (long long)t->tid, (long long)t->tid);
    assert_int_equal(count_rows(db, sql), 1);
    order = index_order(db, t->tid, l_ino, "sk");
    free(order);
    ddb_table_free(t);

    /* TTL is off: no expiry is recorded */
    assert_int_equal(count_rows(db, "SELECT count(*) FROM items WHERE expires IS NOT NULL"), 0);
    sqlite3_close(db);

    /* everything is still there after reopening */
    ddb_store_close(s);
    ddb_embedded_options opt = {.dir = f->dir, .no_fsync = true, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    f->s = ddb_embedded_open(&opt, &err);
    assert_non_null(f->s);
    expect_member(f->s, "GetItem",
                  "{'TableName': 'items', 'Key': {'pk': {'S': 'p'}, 'sk': {'S': 'e'}}}", "Item",
                  "{'pk': {'S': 'p'}, 'sk': {'S': 'e'}, 'gn': {'N': '1'}, 'l': {'B': 'AA=='}}");
}

static void test_ttl_expiry_column(void **state)
{
    fixture *f = *state;
    ddb_store *s = f->s;
    ok(s, "UpdateTimeToLive",
       "{'TableName': 'simple', 'TimeToLiveSpecification': {'Enabled': true, 'AttributeName': "
       "'exp'}}");
    ok(s, "PutItem",
       "{'TableName': 'simple', 'Item': {'id': {'N': '1'}, 'exp': {'N': '1700000000.7'}}}");
    ok(s, "PutItem",
       "{'TableName': 'simple', 'Item': {'id': {'N': '2'}, 'exp': {'S': '1700000000'}}}");
    ok(s, "PutItem", "{'TableName': 'simple', 'Item': {'id': {'N': '3'}}}");
    sqlite3 *db = open_side(f->dir);
    assert_int_equal(count_rows(db, "SELECT count(*) FROM items WHERE expires IS NOT NULL"), 1);
    assert_int_equal(count_rows(db, "SELECT max(expires) FROM items"), 1700000000);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_delete, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_put_delete_return_values, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_update_return_values, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_update_creates_item_and_refuses_keys, setup_mem,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_conditions, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_get_projection, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_key_validation, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_size_limits, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_index_key_validation, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_capacity, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_index_rows_on_disk, setup_disk, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_expiry_column, setup_disk, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
