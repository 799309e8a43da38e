/*
 * Unit tests for src/ddb/model/request_shape.c and batch_check.c: the
 * JSON types of request members (SerializationException with the member's
 * name), and the checks of batch items and keys that need no table, in
 * DynamoDB Local 3.3.1's order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/batch_check.h"
#include "ddb/model/request_shape.h"
#include "testutil.h"

static const struct {
    const char *op;
    const char *req;
    const char *msg; /* NULL: accepted */
} shape_cases[] = {
    {"GetItem", "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConsistentRead\":true}",
     NULL},
    /* nulls are absent members; unknown members are ignored */
    {"GetItem", "{\"TableName\":\"t\",\"ConsistentRead\":null,\"Other\":5}", NULL},
    {"GetItem", "{\"Key\":{\"pk\":{\"S\":\"a\",\"X\":5}}}", NULL},
    {"GetItem", "{\"ConsistentRead\":1}",
     "Unexpected value type for ConsistentRead: expected a boolean"},
    {"GetItem", "{\"Key\":{\"pk\":{\"S\":5}}}", "NUMBER_VALUE cannot be converted to String"},
    {"GetItem", "{\"Key\":{\"pk\":\"a\"}}", "Unexpected value type in payload"},
    {"GetItem", "{\"Key\":[]}", "Unexpected value type for Key: expected an object"},
    {"PutItem", "{\"Item\":{\"m\":{\"M\":{\"l\":{\"L\":[{\"BOOL\":\"x\"}]}}}}}",
     "STRING_VALUE cannot be converted to Boolean"},
    {"PutItem", "{\"Item\":{\"s\":{\"NS\":[\"1\",2]}}}",
     "NUMBER_VALUE cannot be converted to String"},
    {"PutItem", "{\"Item\":{\"s\":{\"BS\":\"x\"}}}", "Unexpected value type in payload"},
    {"PutItem", "{\"Item\":{\"s\":{\"B\":{}}}}",
     "Start of structure or map found where not expected."},
    {"PutItem", "{\"Item\":{\"s\":{\"S\":[]}}}", "Start of list found where not expected"},
    {"PutItem", "{\"ReturnValues\":5}",
     "Unexpected value type for ReturnValues: expected a string"},
    {"UpdateItem", "{\"ExpressionAttributeValues\":{\":v\":{\"N\":1}}}",
     "NUMBER_VALUE cannot be converted to String"},
    {"Query", "{\"Limit\":\"5\"}", "Unexpected value type for Limit: expected an integer"},
    {"Query", "{\"Limit\":1.5}", "Unexpected value type for Limit: expected an integer"},
    {"Query", "{\"ExclusiveStartKey\":{\"pk\":{\"S\":\"a\"}},\"Limit\":5}", NULL},
    {"Scan", "{\"TotalSegments\":\"2\"}",
     "Unexpected value type for TotalSegments: expected an integer"},
    {"Scan", "{\"ExpressionAttributeNames\":{\"#a\":1}}",
     "Unexpected value type for ExpressionAttributeNames: expected a string"},
    {"BatchGetItem", "{\"RequestItems\":{\"t\":{\"Keys\":[{\"pk\":{\"S\":1}}]}}}",
     "NUMBER_VALUE cannot be converted to String"},
    {"BatchGetItem", "{\"RequestItems\":{\"t\":[]}}",
     "Unexpected value type for RequestItems: expected an object"},
    {"BatchWriteItem",
     "{\"RequestItems\":{\"t\":[{\"DeleteRequest\":{\"Key\":{\"pk\":{\"N\":true}}}}]}}",
     "TRUE_VALUE cannot be converted to String"},
    {"TransactWriteItems", "{\"TransactItems\":[{\"Update\":{\"UpdateExpression\":1}}]}",
     "Unexpected value type for UpdateExpression: expected a string"},
    {"TransactWriteItems", "{\"ClientRequestToken\":5}",
     "Unexpected value type for ClientRequestToken: expected a string"},
    {"ExecuteStatement", "{\"Parameters\":[{\"S\":\"a\"},{\"N\":2}]}",
     "NUMBER_VALUE cannot be converted to String"},
    {"BatchExecuteStatement", "{\"Statements\":[{\"ConsistentRead\":\"x\"}]}",
     "Unexpected value type for ConsistentRead: expected a boolean"},
    {"UpdateTimeToLive", "{\"TimeToLiveSpecification\":{\"Enabled\":\"yes\"}}",
     "Unexpected value type for Enabled: expected a boolean"},
    {"ListTables", "{\"Limit\":\"x\"}", "Unexpected value type for Limit: expected an integer"},
    /* an operation the table does not know passes */
    {"NoSuchOperation", "{\"Limit\":\"x\"}", NULL},
};

static void test_shapes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof shape_cases / sizeof shape_cases[0]; i++) {
        json_t *req = tu_json(shape_cases[i].req);
        ddb_err err = DDB_ERR_INIT;
        bool ok = ddb_request_shape_check(shape_cases[i].op, req, &err);
        if (!shape_cases[i].msg) {
            if (!ok) fail_msg("%s %s: %s", shape_cases[i].op, shape_cases[i].req, err.message);
        } else {
            assert_false(ok);
            assert_int_equal(err.code, DDB_E_SERIALIZATION);
            assert_string_equal(err.message, shape_cases[i].msg);
        }
        ddb_err_clear(&err);
        json_decref(req);
    }
}

#define TOO_BIG "Item size has exceeded the maximum allowed size"
#define DUPS "Provided list of item keys contains duplicates"
#define NOT_NUM "A value provided cannot be converted into a number"

/* {"pk": {"<type>": "<i>"}} */
static json_t *key_of(const char *type, int i)
{
    char n[16];
    snprintf(n, sizeof n, "%d", i);
    return json_pack("{s:{s:s}}", "pk", type, n);
}

/* A JSON list of n write requests, each putting key_of("S", i). */
static json_t *puts_of(int n)
{
    json_t *l = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(l, json_pack("{s:{s:o}}", "PutRequest", "Item", key_of("S", i)));
    return l;
}

static void expect(bool ok, ddb_err *err, const char *msg)
{
    if (!msg) {
        if (!ok) fail_msg("unexpected error: %s", err->message);
    } else {
        assert_false(ok);
        assert_int_equal(err->code, DDB_E_VALIDATION);
        assert_string_equal(err->message, msg);
    }
    ddb_err_clear(err);
}

static void test_batch_write(void **state)
{
    (void)state;
    ddb_err err = DDB_ERR_INIT;
    json_t *r = tu_json("{\"t\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"N\":\"1.50\"}}}},"
                        "{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"a\"}}}}]}");
    expect(ddb_batch_write_check(r, &err), &err, NULL);
    json_decref(r);
    r = tu_json("{\"t\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"N\":\"x\"}}}}]}");
    expect(ddb_batch_write_check(r, &err), &err, NOT_NUM);
    json_decref(r);
    r = tu_json("{\"t\":[{}]}");
    expect(ddb_batch_write_check(r, &err), &err,
           "Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest");
    json_decref(r);
    r = tu_json("{\"t\":[{\"PutRequest\":{}}]}");
    expect(ddb_batch_write_check(r, &err), &err,
           "The supplied Item contains a null AttributeValue");
    json_decref(r);

    /* 400 KB counts names and values: one byte over is refused */
    char *big = malloc(400 * 1024 + 1);
    memset(big, 'x', 400 * 1024);
    big[400 * 1024 - 3] = '\0'; /* "pk" + "d" + value = 400 KB exactly */
    json_t *item = json_pack("{s:{s:s}, s:{s:s}}", "pk", "S", "", "d", "S", big);
    json_t *ok = json_pack("{s:[{s:{s:O}}]}", "t", "PutRequest", "Item", item);
    expect(ddb_batch_write_check(ok, &err), &err, NULL);
    json_object_set_new(json_object_get(item, "pk"), "S", json_string("a"));
    expect(ddb_batch_write_check(ok, &err), &err, TOO_BIG);
    json_decref(ok);
    json_decref(item);
    free(big);

    /* the 26th request is "too many" before it is looked at */
    json_t *list = puts_of(25);
    json_array_append_new(list, tu_json("{\"PutRequest\":{\"Item\":{\"pk\":{\"N\":\"x\"}}}}"));
    r = json_pack("{s:o}", "t", list);
    expect(ddb_batch_write_check(r, &err), &err,
           "Too many items requested for the BatchWriteItem call");
    json_decref(r);
    r = tu_json("{\"t\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"a\"}}}}], \"u\":[]}");
    expect(ddb_batch_write_check(r, &err), &err,
           "The batch write request list for a table cannot be null or empty: u");
    json_decref(r);
}

static void test_batch_get(void **state)
{
    (void)state;
    ddb_err err = DDB_ERR_INIT;
    json_t *r = tu_json("{\"t\":{\"Keys\":[{\"pk\":{\"N\":\"1\"}},{\"pk\":{\"N\":\"2\"}}]},"
                        "\"u\":{\"Keys\":[{\"pk\":{\"N\":\"1\"}}]}}");
    expect(ddb_batch_get_check(r, &err), &err, NULL);
    json_decref(r);
    /* equal by value, whatever the member order */
    r = tu_json("{\"t\":{\"Keys\":[{\"pk\":{\"N\":\"1\"},\"sk\":{\"S\":\"a\"}},"
                "{\"sk\":{\"S\":\"a\"},\"pk\":{\"N\":\"1.0\"}}]}}");
    expect(ddb_batch_get_check(r, &err), &err, DUPS);
    json_decref(r);
    r = tu_json("{\"t\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}},{\"pk\":{\"N\":\"x\"}},{\"pk\":{\"S\":"
                "\"a\"}}]}}");
    expect(ddb_batch_get_check(r, &err), &err, NOT_NUM);
    json_decref(r);
    r = tu_json("{\"t\":{\"Keys\":[{}]}}");
    expect(ddb_batch_get_check(r, &err), &err,
           "The list of keys in RequestItems for BatchGetItem may not contain null or empty "
           "values: t has one or more empty keys");
    json_decref(r);
    r = tu_json("{\"t\":{\"Keys\":[]}}");
    expect(ddb_batch_get_check(r, &err), &err,
           "The list of keys in RequestItems for BatchGetItem is required: t has empty list");
    json_decref(r);
    r = tu_json("{\"t\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}}],\"ExpressionAttributeNames\":{}}}");
    expect(ddb_batch_get_check(r, &err), &err,
           "ExpressionAttributeNames can only be specified when using expressions");
    json_decref(r);

    /* 100 distinct keys pass; a repeat as the 101st is a duplicate, a new
       one is too many */
    json_t *keys = json_array();
    for (int i = 0; i < 100; i++)
        json_array_append_new(keys, key_of("N", i));
    r = json_pack("{s:{s:O}}", "t", "Keys", keys);
    expect(ddb_batch_get_check(r, &err), &err, NULL);
    json_array_append_new(keys, tu_json("{\"pk\":{\"N\":\"7\"}}"));
    expect(ddb_batch_get_check(r, &err), &err, DUPS);
    json_array_set_new(keys, 100, tu_json("{\"pk\":{\"N\":\"100\"}}"));
    expect(ddb_batch_get_check(r, &err), &err,
           "Too many items requested for the BatchGetItem call");
    json_decref(r);
    json_decref(keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_batch_write),
        cmocka_unit_test(test_batch_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
