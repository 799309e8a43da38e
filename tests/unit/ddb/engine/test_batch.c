/*
 * Unit tests for BatchWriteItem and BatchGetItem (batch.c) through
 * ddb_call on an in-memory store: the 25/100 limits, duplicate keys,
 * malformed requests, a failing batch writing nothing, per-table
 * projections, Responses/UnprocessedKeys shapes and ConsumedCapacity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "reads_tu.h"

static ddb_store *setup(void)
{
    ddb_store *s = rt_open();
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'one', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'S'}],"
                  " 'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}]}"));
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'two', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'sk', 'AttributeType': 'N'}],"
                  " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                  "  {'AttributeName': 'sk', 'KeyType': 'RANGE'}]}"));
    return s;
}

/* A BatchWriteItem request of n puts into `one` (ids from `first`) and m into `two`. */
static json_t *puts_req(int first, int n, int m)
{
    json_t *one = json_array(), *two = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(one, rt_json("{'PutRequest': {'Item': {'id': {'S': 'i%d'},"
                                           " 'v': {'N': '%d'}}}}",
                                           first + i, i));
    for (int i = 0; i < m; i++)
        json_array_append_new(two, rt_json("{'PutRequest': {'Item': {'pk': {'S': 'p'},"
                                           " 'sk': {'N': '%d'}}}}",
                                           i));
    json_t *items = json_object();
    if (n)
        json_object_set_new(items, "one", one);
    else
        json_decref(one);
    if (m)
        json_object_set_new(items, "two", two);
    else
        json_decref(two);
    return json_pack("{s:o}", "RequestItems", items);
}

static long count_items(ddb_store *s, const char *table)
{
    json_t *res = rt_call(s, "Scan", rt_json("{'TableName': '%s', 'Select': 'COUNT'}", table));
    long n = (long)json_integer_value(json_object_get(res, "Count"));
    json_decref(res);
    return n;
}

static void test_batch_write_limits(void **state)
{
    ddb_store *s = setup();
    json_t *res = rt_call(s, "BatchWriteItem", puts_req(0, 20, 5));
    tu_assert_json_eq(res, "{\"UnprocessedItems\": {}}");
    json_decref(res);
    assert_int_equal(count_items(s, "one"), 20);
    assert_int_equal(count_items(s, "two"), 5);
    rt_invalid(s, "BatchWriteItem", puts_req(100, 20, 6),
               "Too many items requested for the BatchWriteItem call");
    assert_int_equal(count_items(s, "one"), 20);
    /* deletes and puts mixed; capacity per table */
    res = rt_call(
        s, "BatchWriteItem",
        rt_json("{'ReturnConsumedCapacity': 'TOTAL', 'RequestItems': {"
                " 'one': [{'DeleteRequest': {'Key': {'id': {'S': 'i0'}}}},"
                "  {'DeleteRequest': {'Key': {'id': {'S': 'nope'}}}},"
                "  {'PutRequest': {'Item': {'id': {'S': 'new'}}}}],"
                " 'two': [{'DeleteRequest': {'Key': {'pk': {'S': 'p'}, 'sk': {'N': '1'}}}}]}}"));
    json_t *caps = json_object_get(res, "ConsumedCapacity");
    assert_int_equal(json_array_size(caps), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(caps, 0), "TableName")),
                        "one");
    json_decref(res);
    assert_int_equal(count_items(s, "one"), 20);
    assert_int_equal(count_items(s, "two"), 4);
    ddb_store_close(s);
}

static void test_batch_write_errors(void **state)
{
    ddb_store *s = setup();
    static const struct {
        const char *req, *msg;
    } cases[] = {
        {"{'RequestItems': {}}", "BatchWriteItem cannot have a null or no requests set"},
        {"{}", "BatchWriteItem cannot have a null or no requests set"},
        {"{'RequestItems': {'one': []}}",
         "The batch write request list for a table cannot be null or empty: one"},
        {"{'RequestItems': {'one': [{'PutRequest': {'Item': {'id': {'S': 'a'}}}},"
         " {'PutRequest': {'Item': {'id': {'S': 'a'}, 'x': {'S': 'y'}}}}]}}",
         "Provided list of item keys contains duplicates"},
        {"{'RequestItems': {'one': [{'PutRequest': {'Item': {'id': {'S': 'a'}}}},"
         " {'DeleteRequest': {'Key': {'id': {'S': 'a'}}}}]}}",
         "Provided list of item keys contains duplicates"},
        {"{'RequestItems': {'one': [{'PutRequest': {'Item': {'id': {'S': 'a'}}},"
         " 'DeleteRequest': {'Key': {'id': {'S': 'b'}}}}]}}",
         "Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest"},
        {"{'RequestItems': {'one': [{}]}}",
         "Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest"},
        {"{'RequestItems': {'one': [{'DeleteRequest': {'Key': {'id': {'N': '1'}}}}]}}", NULL},
        {"{'RequestItems': {'one': [{'PutRequest': {'Item': {'v': {'N': '1'}}}}]}}", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        rt_invalid(s, "BatchWriteItem", rt_json("%s", cases[i].req), cases[i].msg);
    /* an unknown table anywhere: nothing of the batch is written */
    json_decref(
        rt_fail(s, "BatchWriteItem",
                rt_json("{'RequestItems': {'one': [{'PutRequest': {'Item': {'id': {'S': 'a'}}}}],"
                        " 'nope': [{'PutRequest': {'Item': {'id': {'S': 'a'}}}}]}}"),
                "ResourceNotFoundException", NULL));
    assert_int_equal(count_items(s, "one"), 0);
    ddb_store_close(s);
}

static void test_batch_get(void **state)
{
    ddb_store *s = setup();
    for (int b = 0; b < 4; b++)
        rt_ok(s, "BatchWriteItem", puts_req(b * 25, 25, 0));
    rt_ok(s, "BatchWriteItem", puts_req(1000, 0, 3));
    /* 100 keys across two tables, some missing, projection on one table */
    json_t *keys = json_array();
    for (int i = 0; i < 97; i++)
        json_array_append_new(keys, rt_json("{'id': {'S': 'i%d'}}", i * 2));
    json_t *req =
        rt_json("{'ReturnConsumedCapacity': 'TOTAL', 'RequestItems': {"
                " 'one': {'ProjectionExpression': '#v', 'ExpressionAttributeNames': {'#v': 'v'}},"
                " 'two': {'ConsistentRead': true, 'Keys': [{'pk': {'S': 'p'}, 'sk': {'N': '0'}},"
                "  {'pk': {'S': 'p'}, 'sk': {'N': '2'}}, {'pk': {'S': 'q'}, 'sk': {'N': '0'}}]}}}");
    json_object_set_new(json_object_get(json_object_get(req, "RequestItems"), "one"), "Keys", keys);
    json_t *res = rt_call(s, "BatchGetItem", req);
    json_t *one = json_object_get(json_object_get(res, "Responses"), "one");
    assert_int_equal(json_array_size(one), 50); /* even ids below 100 */
    size_t i;
    json_t *it;
    json_array_foreach(one, i, it)
    {
        assert_int_equal(json_object_size(it), 1);
        assert_non_null(json_object_get(it, "v"));
    }
    tu_assert_json_eq(json_object_get(json_object_get(res, "Responses"), "two"),
                      "[{\"pk\": {\"S\": \"p\"}, \"sk\": {\"N\": \"0\"}},"
                      " {\"pk\": {\"S\": \"p\"}, \"sk\": {\"N\": \"2\"}}]");
    tu_assert_json_eq(json_object_get(res, "UnprocessedKeys"), "{}");
    assert_int_equal(json_array_size(json_object_get(res, "ConsumedCapacity")), 2);
    json_decref(res);
    /* nothing found: an empty list for the table */
    res = rt_call(s, "BatchGetItem",
                  rt_json("{'RequestItems': {'one': {'Keys': [{'id': {'S': 'zz'}}]}}}"));
    tu_assert_json_eq(res, "{\"Responses\": {\"one\": []}, \"UnprocessedKeys\": {}}");
    json_decref(res);
    ddb_store_close(s);
}

static void test_batch_get_errors(void **state)
{
    ddb_store *s = setup();
    json_t *keys = json_array();
    for (int i = 0; i < 101; i++)
        json_array_append_new(keys, rt_json("{'id': {'S': 'k%d'}}", i));
    json_t *req = rt_json("{'RequestItems': {'one': {}}}");
    json_object_set_new(json_object_get(json_object_get(req, "RequestItems"), "one"), "Keys", keys);
    rt_invalid(s, "BatchGetItem", req, "Too many items requested for the BatchGetItem call");
    static const struct {
        const char *req, *msg;
    } cases[] = {
        {"{'RequestItems': {}}", "BatchGetItem must have some requests set"},
        {"{'RequestItems': {'one': {'Keys': [{'id': {'S': 'a'}}, {'id': {'S': 'a'}}]}}}",
         "Provided list of item keys contains duplicates"},
        {"{'RequestItems': {'one': {'Keys': []}}}",
         "The list of keys in RequestItems for BatchGetItem is required: one has empty list"},
        {"{'RequestItems': {'one': {'Keys': [{'id': {'N': '1'}}]}}}", NULL},
        {"{'RequestItems': {'one': {'Keys': [{'id': {'S': 'a'}}], 'ProjectionExpression': 'v',"
         " 'ExpressionAttributeNames': {'#v': 'v'}}}}",
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#v}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        rt_invalid(s, "BatchGetItem", rt_json("%s", cases[i].req), cases[i].msg);
    json_decref(rt_fail(s, "BatchGetItem",
                        rt_json("{'RequestItems': {'nope': {'Keys': [{'id': {'S': 'a'}}]}}}"),
                        "ResourceNotFoundException", NULL));
    ddb_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_write_limits),
        cmocka_unit_test(test_batch_write_errors),
        cmocka_unit_test(test_batch_get),
        cmocka_unit_test(test_batch_get_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
