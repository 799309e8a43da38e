/*
 * test_engine_tables: the table operations of the embedded engine through
 * ddb_call, in memory and on disk: create / describe / list / update /
 * delete, TTL, tags, their errors, ListTables paging, persistence across a
 * reopen and the item counters DescribeTable reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"

typedef struct fixture {
    bool on_disk;
    char *dir;
    ddb_store *store;
} fixture;

static ddb_store *open_store(fixture *f)
{
    ddb_embedded_options opt = {0};
    opt.in_memory = !f->on_disk;
    opt.dir = f->dir;
    opt.no_background = true;
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = ddb_embedded_open(&opt, &err);
    if (!s) fail_msg("open: %s", err.message);
    return s;
}

static int setup_mem(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->store = open_store(f);
    *state = f;
    return 0;
}

static int setup_disk(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->on_disk = true;
    f->dir = tu_tmpdir();
    f->store = open_store(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ddb_store_close(f->store);
    if (f->dir) {
        tu_rmdir(f->dir);
        free(f->dir);
    }
    free(f);
    return 0;
}

/* Runs op with a JSON request; fails the test on error. */
static json_t *ok(ddb_store *s, const char *op, const char *req_text)
{
    json_t *req = tu_json(req_text);
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, op, req, &err);
    json_decref(req);
    if (!res) fail_msg("%s %s failed: %s: %s", op, req_text, err.type, err.message);
    return res;
}

/* Runs op expecting the error `type` (and `message` when not NULL). */
static void fails(ddb_store *s, const char *op, const char *req_text, const char *type,
                  const char *message)
{
    json_t *req = tu_json(req_text);
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, op, req, &err);
    json_decref(req);
    if (res) {
        char *text = json_dumps(res, JSON_COMPACT);
        print_error("%s %s succeeded: %s\n", op, req_text, text);
        free(text);
        json_decref(res);
        fail();
    }
    if (strcmp(err.type, type) != 0) fail_msg("%s: got %s: %s", op, err.type, err.message);
    if (message && strcmp(err.message, message) != 0)
        fail_msg("%s: message %s, expected %s", op, err.message, message);
    ddb_err_clear(&err);
}

static void create_simple(ddb_store *s, const char *name)
{
    char req[512];
    snprintf(req, sizeof req,
             "{\"TableName\": \"%s\", \"BillingMode\": \"PAY_PER_REQUEST\","
             " \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}],"
             " \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"}]}",
             name);
    json_decref(ok(s, "CreateTable", req));
}

static json_int_t describe_int(ddb_store *s, const char *name, const char *member)
{
    char req[300];
    snprintf(req, sizeof req, "{\"TableName\": \"%s\"}", name);
    json_t *res = ok(s, "DescribeTable", req);
    json_t *v = json_object_get(json_object_get(res, "Table"), member);
    assert_true(json_is_integer(v));
    json_int_t n = json_integer_value(v);
    json_decref(res);
    return n;
}

static void test_create_describe_delete(void **state)
{
    fixture *f = *state;
    ddb_store *s = f->store;
    json_t *res = ok(s, "CreateTable",
                     "{\"TableName\": \"runtime_a\", \"BillingMode\": \"PAY_PER_REQUEST\","
                     " \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"},"
                     "                 {\"AttributeName\": \"sk\", \"KeyType\": \"RANGE\"}],"
                     " \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": "
                     "\"S\"}, {\"AttributeName\": \"sk\", \"AttributeType\": \"N\"}]}");
    json_t *d = json_object_get(res, "TableDescription");
    assert_string_equal(json_string_value(json_object_get(d, "TableStatus")), "ACTIVE");
    assert_string_equal(json_string_value(json_object_get(d, "TableName")), "runtime_a");
    assert_string_equal(json_string_value(json_object_get(d, "TableArn")),
                        "arn:aws:dynamodb:us-east-1:000000000000:table/runtime_a");
    json_decref(res);

    fails(s, "CreateTable",
          "{\"TableName\": \"runtime_a\", \"BillingMode\": \"PAY_PER_REQUEST\","
          " \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}],"
          " \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"}]}",
          "ResourceInUseException", "Table already exists: runtime_a");

    res = ok(s, "DescribeTable", "{\"TableName\": \"runtime_a\"}");
    d = json_object_get(res, "Table");
    assert_string_equal(json_string_value(json_object_get(d, "TableStatus")), "ACTIVE");
    assert_int_equal(json_integer_value(json_object_get(d, "ItemCount")), 0);
    tu_assert_json_eq(json_object_get(d, "KeySchema"),
                      "[{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"},"
                      " {\"AttributeName\": \"sk\", \"KeyType\": \"RANGE\"}]");
    json_decref(res);

    res = ok(s, "DeleteTable", "{\"TableName\": \"runtime_a\"}");
    d = json_object_get(res, "TableDescription");
    assert_string_equal(json_string_value(json_object_get(d, "TableName")), "runtime_a");
    json_decref(res);

    fails(s, "DescribeTable", "{\"TableName\": \"runtime_a\"}", "ResourceNotFoundException",
          "Requested resource not found: Table: runtime_a not found");
    fails(s, "DeleteTable", "{\"TableName\": \"runtime_a\"}", "ResourceNotFoundException", NULL);
    /* The name is free again. */
    create_simple(s, "runtime_a");
    assert_int_equal(describe_int(s, "runtime_a", "ItemCount"), 0);
}

/* Requests that must fail, and how. */
static const struct {
    const char *op;
    const char *req;
    const char *type;
} bad_requests[] = {
    {"DescribeTable", "{}", "ValidationException"},
    {"DescribeTable", "{\"TableName\": \"ab\"}", "ValidationException"},
    {"DescribeTable", "{\"TableName\": \"a b c\"}", "ValidationException"},
    {"DescribeTable", "{\"TableName\": 12}", "SerializationException"},
    {"DescribeTable", "{\"TableName\": \"runtime_nope\"}", "ResourceNotFoundException"},
    {"DeleteTable", "{\"TableName\": \"runtime_nope\"}", "ResourceNotFoundException"},
    {"UpdateTable", "{\"TableName\": \"runtime_nope\", \"BillingMode\": \"PAY_PER_REQUEST\"}",
     "ResourceNotFoundException"},
    {"DescribeTimeToLive", "{\"TableName\": \"runtime_nope\"}", "ResourceNotFoundException"},
    {"UpdateTimeToLive",
     "{\"TableName\": \"runtime_nope\", \"TimeToLiveSpecification\": {\"Enabled\": true,"
     " \"AttributeName\": \"exp\"}}",
     "ResourceNotFoundException"},
    {"UpdateTimeToLive", "{\"TableName\": \"runtime_nope\"}", "ValidationException"},
    {"CreateTable", "{\"TableName\": \"runtime_b\"}", "ValidationException"},
    {"CreateTable",
     "{\"TableName\": \"runtime_b\", \"BillingMode\": \"PAY_PER_REQUEST\","
     " \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}],"
     " \"AttributeDefinitions\": [{\"AttributeName\": \"other\", \"AttributeType\": \"S\"}]}",
     "ValidationException"},
    {"ListTables", "{\"Limit\": 0}", "ValidationException"},
    {"ListTables", "{\"Limit\": 101}", "ValidationException"},
    {"ListTagsOfResource", "{\"ResourceArn\": \"nonsense\"}", "ValidationException"},
    {"ListTagsOfResource",
     "{\"ResourceArn\": \"arn:aws:dynamodb:us-east-1:000000000000:table/runtime_nope\"}",
     "ResourceNotFoundException"},
    {"NoSuchOperation", "{}", "UnknownOperationException"},
};

static void test_bad_requests(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof bad_requests / sizeof bad_requests[0]; i++)
        fails(f->store, bad_requests[i].op, bad_requests[i].req, bad_requests[i].type, NULL);
    /* A member of the wrong JSON type: the one wording every operation uses
       (ddb_err_member_type), whichever reader finds it; inside an
       AttributeValue, the parser's (ddb_err_value_type). */
    static const struct {
        const char *op, *req, *message;
    } wrong_type[] = {
        {"ListTables", "{\"Limit\": \"3\"}",
         "Unexpected value type for Limit: expected an integer"},
        {"ListTables", "{\"ExclusiveStartTableName\": 5}",
         "Unexpected value type for ExclusiveStartTableName: expected a string"},
        {"DescribeTable", "{\"TableName\": true}",
         "Unexpected value type for TableName: expected a string"},
        {"GetItem",
         "{\"TableName\": \"runtime_wt\", \"Key\": {\"pk\": {\"S\": \"a\"}},"
         " \"ConsistentRead\": \"yes\"}",
         "Unexpected value type for ConsistentRead: expected a boolean"},
        {"GetItem",
         "{\"TableName\": \"runtime_wt\", \"Key\": {\"pk\": {\"S\": \"a\"}},"
         " \"ProjectionExpression\": [\"pk\"]}",
         "Unexpected value type for ProjectionExpression: expected a string"},
        {"PutItem",
         "{\"TableName\": \"runtime_wt\", \"Item\": {\"pk\": {\"S\": \"a\"}},"
         " \"ReturnValues\": false}",
         "Unexpected value type for ReturnValues: expected a string"},
        {"PutItem", "{\"TableName\": \"runtime_wt\", \"Item\": [1]}",
         "Unexpected value type for Item: expected an object"},
        {"PutItem", "{\"TableName\": \"runtime_wt\", \"Item\": {\"pk\": {\"S\": true}}}",
         "TRUE_VALUE cannot be converted to String"},
        {"Query",
         "{\"TableName\": \"runtime_wt\", \"KeyConditionExpression\": \"pk = :a\","
         " \"ExpressionAttributeNames\": {\"#a\": 1},"
         " \"ExpressionAttributeValues\": {\":a\": {\"S\": \"a\"}}}",
         "Unexpected value type for ExpressionAttributeNames: expected a string"},
        {"TransactWriteItems", "{\"TransactItems\": \"x\"}",
         "Unexpected value type for TransactItems: expected a list"},
        {"ExecuteStatement", "{\"Statement\": 5}",
         "Unexpected value type for Statement: expected a string"},
        {"BatchExecuteStatement", "{\"Statements\": {}}",
         "Unexpected value type for Statements: expected a list"},
    };
    create_simple(f->store, "runtime_wt");
    for (size_t i = 0; i < sizeof wrong_type / sizeof wrong_type[0]; i++)
        fails(f->store, wrong_type[i].op, wrong_type[i].req, "SerializationException",
              wrong_type[i].message);
    json_decref(ok(f->store, "DeleteTable", "{\"TableName\": \"runtime_wt\"}"));
    /* A request that is not an object. */
    json_t *arr = json_array();
    ddb_err err = DDB_ERR_INIT;
    assert_null(ddb_call(f->store, "ListTables", arr, &err));
    assert_int_equal(err.code, DDB_E_SERIALIZATION);
    assert_string_equal(err.message, "Start of structure or map found where not expected");
    ddb_err_clear(&err);
    json_decref(arr);
    /* No table was created by any of them. */
    json_t *res = ok(f->store, "ListTables", "{}");
    tu_assert_json_eq(res, "{\"TableNames\": []}");
    json_decref(res);
}

static void test_list_paging(void **state)
{
    fixture *f = *state;
    const char *names[] = {"runtime_p5", "runtime_p1", "runtime_p7", "runtime_p3",
                           "runtime_p2", "runtime_p6", "runtime_p4"};
    for (size_t i = 0; i < 7; i++)
        create_simple(f->store, names[i]);

    json_t *res = ok(f->store, "ListTables", "{}");
    tu_assert_json_eq(res, "{\"TableNames\": [\"runtime_p1\", \"runtime_p2\", \"runtime_p3\","
                           " \"runtime_p4\", \"runtime_p5\", \"runtime_p6\", \"runtime_p7\"]}");
    json_decref(res);

    res = ok(f->store, "ListTables", "{\"Limit\": 3}");
    tu_assert_json_eq(res, "{\"TableNames\": [\"runtime_p1\", \"runtime_p2\", \"runtime_p3\"],"
                           " \"LastEvaluatedTableName\": \"runtime_p3\"}");
    json_decref(res);
    res = ok(f->store, "ListTables", "{\"Limit\": 3, \"ExclusiveStartTableName\": \"runtime_p3\"}");
    tu_assert_json_eq(res, "{\"TableNames\": [\"runtime_p4\", \"runtime_p5\", \"runtime_p6\"],"
                           " \"LastEvaluatedTableName\": \"runtime_p6\"}");
    json_decref(res);
    res = ok(f->store, "ListTables", "{\"Limit\": 3, \"ExclusiveStartTableName\": \"runtime_p6\"}");
    tu_assert_json_eq(res, "{\"TableNames\": [\"runtime_p7\"]}");
    json_decref(res);
    /* Exactly a full last page: no LastEvaluatedTableName when nothing follows. */
    res = ok(f->store, "ListTables", "{\"Limit\": 1, \"ExclusiveStartTableName\": \"runtime_p6\"}");
    tu_assert_json_eq(res, "{\"TableNames\": [\"runtime_p7\"]}");
    json_decref(res);
}

static void put(ddb_store *s, const char *table, const char *pk, const char *extra)
{
    char req[1024];
    snprintf(req, sizeof req, "{\"TableName\": \"%s\", \"Item\": {\"pk\": {\"S\": \"%s\"}%s}}",
             table, pk, extra);
    json_decref(ok(s, "PutItem", req));
}

static void test_describe_counts(void **state)
{
    fixture *f = *state;
    create_simple(f->store, "runtime_c");
    put(f->store, "runtime_c", "a", ", \"v\": {\"S\": \"hello\"}");
    put(f->store, "runtime_c", "b", "");
    put(f->store, "runtime_c", "c", ", \"n\": {\"N\": \"12\"}");
    assert_int_equal(describe_int(f->store, "runtime_c", "ItemCount"), 3);
    json_int_t size = describe_int(f->store, "runtime_c", "TableSizeBytes");
    assert_true(size > 0);
    json_decref(ok(f->store, "DeleteItem",
                   "{\"TableName\": \"runtime_c\", \"Key\": {\"pk\": {\"S\": \"a\"}}}"));
    assert_int_equal(describe_int(f->store, "runtime_c", "ItemCount"), 2);
    assert_true(describe_int(f->store, "runtime_c", "TableSizeBytes") < size);
}

static void test_reopen_persists(void **state)
{
    fixture *f = *state;
    create_simple(f->store, "runtime_r");
    put(f->store, "runtime_r", "kept", ", \"v\": {\"S\": \"x\"}");
    ddb_store_close(f->store);
    f->store = open_store(f);
    json_t *res = ok(f->store, "ListTables", "{}");
    tu_assert_json_eq(res, "{\"TableNames\": [\"runtime_r\"]}");
    json_decref(res);
    assert_int_equal(describe_int(f->store, "runtime_r", "ItemCount"), 1);
    res = ok(f->store, "GetItem",
             "{\"TableName\": \"runtime_r\", \"Key\": {\"pk\": {\"S\": \"kept\"}}}");
    tu_assert_json_eq(res, "{\"Item\": {\"pk\": {\"S\": \"kept\"}, \"v\": {\"S\": \"x\"}}}");
    json_decref(res);
}

static void test_update_table(void **state)
{
    fixture *f = *state;
    create_simple(f->store, "runtime_u");
    put(f->store, "runtime_u", "1", ", \"g\": {\"S\": \"red\"}");
    put(f->store, "runtime_u", "2", ", \"g\": {\"S\": \"red\"}");
    put(f->store, "runtime_u", "3", ", \"g\": {\"N\": \"7\"}"); /* wrong type: not indexed */
    put(f->store, "runtime_u", "4", "");                        /* no attribute: not indexed */

    json_t *res = ok(f->store, "UpdateTable",
                     "{\"TableName\": \"runtime_u\", \"StreamSpecification\": {\"StreamEnabled\":"
                     " true, \"StreamViewType\": \"NEW_AND_OLD_IMAGES\"}}");
    assert_non_null(json_object_get(json_object_get(res, "TableDescription"), "LatestStreamArn"));
    json_decref(res);

    res = ok(f->store, "UpdateTable",
             "{\"TableName\": \"runtime_u\", \"AttributeDefinitions\": [{\"AttributeName\": \"g\","
             " \"AttributeType\": \"S\"}], \"GlobalSecondaryIndexUpdates\": [{\"Create\": {"
             "\"IndexName\": \"by_g\", \"KeySchema\": [{\"AttributeName\": \"g\", \"KeyType\":"
             " \"HASH\"}], \"Projection\": {\"ProjectionType\": \"ALL\"}}}]}");
    json_decref(res);

    res = ok(f->store, "DescribeTable", "{\"TableName\": \"runtime_u\"}");
    json_t *gsis = json_object_get(json_object_get(res, "Table"), "GlobalSecondaryIndexes");
    assert_int_equal(json_array_size(gsis), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(gsis, 0), "ItemCount")), 2);
    json_decref(res);

    res = ok(f->store, "Query",
             "{\"TableName\": \"runtime_u\", \"IndexName\": \"by_g\", \"KeyConditionExpression\":"
             " \"g = :g\", \"ExpressionAttributeValues\": {\":g\": {\"S\": \"red\"}}}");
    assert_int_equal(json_integer_value(json_object_get(res, "Count")), 2);
    json_decref(res);

    res = ok(f->store, "UpdateTable",
             "{\"TableName\": \"runtime_u\", \"StreamSpecification\": {\"StreamEnabled\": false}}");
    assert_null(json_object_get(json_object_get(res, "TableDescription"), "StreamSpecification"));
    json_decref(res);

    json_decref(ok(f->store, "UpdateTable",
                   "{\"TableName\": \"runtime_u\", \"GlobalSecondaryIndexUpdates\": [{\"Delete\":"
                   " {\"IndexName\": \"by_g\"}}]}"));
    res = ok(f->store, "DescribeTable", "{\"TableName\": \"runtime_u\"}");
    assert_null(json_object_get(json_object_get(res, "Table"), "GlobalSecondaryIndexes"));
    json_decref(res);
}

/* Back-fill and TTL refill walk the table in chunks: more items than one chunk. */
static void test_backfill_and_refill_many(void **state)
{
    fixture *f = *state;
    create_simple(f->store, "runtime_many");
    long now = (long)time(NULL);
    char key[32], extra[128];
    for (int i = 0; i < 700; i++) {
        snprintf(key, sizeof key, "k%04d", i);
        snprintf(extra, sizeof extra, ", \"g\": {\"%s\": \"%s\"}, \"exp\": {\"N\": \"%ld\"}",
                 i % 3 ? "S" : "N", i % 3 ? "blue" : "1", i % 2 ? now - 10 : now + 3600);
        put(f->store, "runtime_many", key, extra);
    }
    json_decref(ok(f->store, "UpdateTable",
                   "{\"TableName\": \"runtime_many\", \"AttributeDefinitions\": [{"
                   "\"AttributeName\": \"g\", \"AttributeType\": \"S\"}],"
                   " \"GlobalSecondaryIndexUpdates\": [{\"Create\": {\"IndexName\": \"by_g\","
                   " \"KeySchema\": [{\"AttributeName\": \"g\", \"KeyType\": \"HASH\"}],"
                   " \"Projection\": {\"ProjectionType\": \"KEYS_ONLY\"}}}]}"));
    json_t *res = ok(f->store, "Query",
                     "{\"TableName\": \"runtime_many\", \"IndexName\": \"by_g\", \"Select\":"
                     " \"COUNT\", \"KeyConditionExpression\": \"g = :g\","
                     " \"ExpressionAttributeValues\": {\":g\": {\"S\": \"blue\"}}}");
    /* i % 3 != 0 for 466 of 0..699 */
    assert_int_equal(json_integer_value(json_object_get(res, "Count")), 466);
    json_decref(res);
    json_decref(ok(f->store, "UpdateTimeToLive",
                   "{\"TableName\": \"runtime_many\", \"TimeToLiveSpecification\":"
                   " {\"Enabled\": true, \"AttributeName\": \"exp\"}}"));
    ddb_err err = DDB_ERR_INIT;
    assert_int_equal(ddb_embedded_sweep_ttl(f->store, now, &err), 350);
    assert_int_equal(describe_int(f->store, "runtime_many", "ItemCount"), 350);
}

static void test_deletion_protection(void **state)
{
    fixture *f = *state;
    json_decref(ok(f->store, "CreateTable",
                   "{\"TableName\": \"runtime_d\", \"BillingMode\": \"PAY_PER_REQUEST\","
                   " \"DeletionProtectionEnabled\": true,"
                   " \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}],"
                   " \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\":"
                   " \"S\"}]}"));
    fails(f->store, "DeleteTable", "{\"TableName\": \"runtime_d\"}", "ValidationException", NULL);
    json_decref(ok(f->store, "UpdateTable",
                   "{\"TableName\": \"runtime_d\", \"DeletionProtectionEnabled\": false}"));
    json_decref(ok(f->store, "DeleteTable", "{\"TableName\": \"runtime_d\"}"));
}

static void test_ttl(void **state)
{
    fixture *f = *state;
    create_simple(f->store, "runtime_t");
    json_t *res = ok(f->store, "DescribeTimeToLive", "{\"TableName\": \"runtime_t\"}");
    tu_assert_json_eq(res, "{\"TimeToLiveDescription\": {\"TimeToLiveStatus\": \"DISABLED\"}}");
    json_decref(res);

    long now = (long)time(NULL);
    char extra[128];
    snprintf(extra, sizeof extra, ", \"exp\": {\"N\": \"%ld\"}", now - 100);
    put(f->store, "runtime_t", "old", extra); /* written before TTL was enabled */
    snprintf(extra, sizeof extra, ", \"exp\": {\"N\": \"%ld\"}", now + 3600);
    put(f->store, "runtime_t", "young", extra);
    put(f->store, "runtime_t", "forever", "");

    res = ok(f->store, "UpdateTimeToLive",
             "{\"TableName\": \"runtime_t\", \"TimeToLiveSpecification\": {\"Enabled\": true,"
             " \"AttributeName\": \"exp\"}}");
    tu_assert_json_eq(res, "{\"TimeToLiveSpecification\": {\"Enabled\": true,"
                           " \"AttributeName\": \"exp\"}}");
    json_decref(res);
    res = ok(f->store, "DescribeTimeToLive", "{\"TableName\": \"runtime_t\"}");
    tu_assert_json_eq(res, "{\"TimeToLiveDescription\": {\"TimeToLiveStatus\": \"ENABLED\","
                           " \"AttributeName\": \"exp\"}}");
    json_decref(res);

    ddb_err err = DDB_ERR_INIT;
    assert_int_equal(ddb_embedded_sweep_ttl(f->store, now, &err), 1);
    assert_int_equal(describe_int(f->store, "runtime_t", "ItemCount"), 2);
    res = ok(f->store, "GetItem",
             "{\"TableName\": \"runtime_t\", \"Key\": {\"pk\": {\"S\": \"old\"}}}");
    tu_assert_json_eq(res, "{}");
    json_decref(res);
}

static void test_tags(void **state)
{
    fixture *f = *state;
    create_simple(f->store, "runtime_g");
    const char *arn = "arn:aws:dynamodb:us-east-1:000000000000:table/runtime_g";
    char req[512];
    snprintf(req, sizeof req,
             "{\"ResourceArn\": \"%s\", \"Tags\": [{\"Key\": \"team\", \"Value\": \"a\"},"
             " {\"Key\": \"env\", \"Value\": \"dev\"}]}",
             arn);
    json_decref(ok(f->store, "TagResource", req));
    snprintf(req, sizeof req, "{\"ResourceArn\": \"%s\"}", arn);
    json_t *res = ok(f->store, "ListTagsOfResource", req);
    assert_int_equal(json_array_size(json_object_get(res, "Tags")), 2);
    json_decref(res);
    snprintf(req, sizeof req, "{\"ResourceArn\": \"%s\", \"TagKeys\": [\"team\"]}", arn);
    json_decref(ok(f->store, "UntagResource", req));
    snprintf(req, sizeof req, "{\"ResourceArn\": \"%s\"}", arn);
    res = ok(f->store, "ListTagsOfResource", req);
    tu_assert_json_eq(res, "{\"Tags\": [{\"Key\": \"env\", \"Value\": \"dev\"}]}");
    json_decref(res);
}

static void test_change_counter(void **state)
{
    fixture *f = *state;
    uint64_t before = ddb_store_change_counter(f->store);
    /* Nothing happens: the wait times out and reports the same counter. */
    assert_int_equal(ddb_store_wait_change(f->store, before, 20), before);
    create_simple(f->store, "runtime_w");
    uint64_t after = ddb_store_wait_change(f->store, before, 1000);
    assert_true(after > before);
    /* A failed write commits nothing new. */
    fails(f->store, "CreateTable",
          "{\"TableName\": \"runtime_w\", \"BillingMode\": \"PAY_PER_REQUEST\","
          " \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}],"
          " \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"}]}",
          "ResourceInUseException", NULL);
}

/* Opening fails cleanly (no leak, an error message) without a usable
   directory. */
static void test_open_errors(void **state)
{
    (void)state;
    const char *dirs[] = {NULL, "", "/dev/null/cannot-be-a-dir"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        ddb_embedded_options opt = {.dir = dirs[i], .no_background = true};
        ddb_err err = DDB_ERR_INIT;
        assert_null(ddb_embedded_open(&opt, &err));
        assert_true(err.code != DDB_OK);
        assert_true(strlen(err.message) > 0);
        ddb_err_clear(&err);
    }
}

/* The background sweeper (on unless no_background) deletes expired items
   by itself within a few seconds. */
static void test_background_ttl(void **state)
{
    (void)state;
    ddb_embedded_options opt = {.in_memory = true};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = ddb_embedded_open(&opt, &err);
    assert_non_null(s);
    create_simple(s, "runtime_bg");
    json_decref(ok(s, "UpdateTimeToLive",
                   "{\"TableName\": \"runtime_bg\", \"TimeToLiveSpecification\": {\"Enabled\": "
                   "true, \"AttributeName\": \"exp\"}}"));
    char extra[64];
    snprintf(extra, sizeof extra, ", \"exp\": {\"N\": \"%ld\"}", (long)time(NULL) - 5);
    put(s, "runtime_bg", "gone", extra);
    json_int_t left = 1;
    for (int i = 0; i < 50 && left; i++) {
        ddb_store_wait_change(s, ddb_store_change_counter(s), 100);
        left = describe_int(s, "runtime_bg", "ItemCount");
    }
    assert_int_equal(left, 0);
    ddb_store_close(s);
}

/* Two stores on one directory behave like two processes (cruddur serve
   and cruddur dynamodb): each sees the other's tables and definition
   changes at once, despite its own table cache. */
static void test_two_stores_one_dir(void **state)
{
    fixture *f = *state;
    ddb_store *other = open_store(f);
    create_simple(f->store, "runtime_s");
    put(other, "runtime_s", "from-other", "");
    assert_int_equal(describe_int(f->store, "runtime_s", "ItemCount"), 1);

    json_t *res = ok(f->store, "DescribeTimeToLive", "{\"TableName\": \"runtime_s\"}");
    json_decref(res); /* cached in f->store now */
    json_decref(ok(other, "UpdateTimeToLive",
                   "{\"TableName\": \"runtime_s\", \"TimeToLiveSpecification\": {\"Enabled\": "
                   "true, \"AttributeName\": \"exp\"}}"));
    res = ok(f->store, "DescribeTimeToLive", "{\"TableName\": \"runtime_s\"}");
    tu_assert_json_eq(res, "{\"TimeToLiveDescription\": {\"TimeToLiveStatus\": \"ENABLED\","
                           " \"AttributeName\": \"exp\"}}");
    json_decref(res);

    json_decref(ok(other, "DeleteTable", "{\"TableName\": \"runtime_s\"}"));
    fails(f->store, "PutItem", "{\"TableName\": \"runtime_s\", \"Item\": {\"pk\": {\"S\": \"x\"}}}",
          "ResourceNotFoundException", NULL);
    create_simple(f->store, "runtime_s"); /* same name, new table: no stale cache */
    assert_int_equal(describe_int(other, "runtime_s", "ItemCount"), 0);
    ddb_store_close(other);
}

/* Both storage modes run every test. */
#define BOTH(fn)                                                                                   \
    cmocka_unit_test_setup_teardown(fn, setup_mem, teardown),                                      \
        cmocka_unit_test_setup_teardown(fn, setup_disk, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_create_describe_delete),
        BOTH(test_bad_requests),
        BOTH(test_list_paging),
        BOTH(test_describe_counts),
        cmocka_unit_test_setup_teardown(test_reopen_persists, setup_disk, teardown),
        BOTH(test_update_table),
        cmocka_unit_test_setup_teardown(test_backfill_and_refill_many, setup_mem, teardown),
        BOTH(test_deletion_protection),
        BOTH(test_ttl),
        BOTH(test_tags),
        BOTH(test_change_counter),
        cmocka_unit_test_setup_teardown(test_two_stores_one_dir, setup_disk, teardown),
        cmocka_unit_test(test_background_ttl),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
