/*
 * Unit tests for ddb_each_item / ddb_all_items: every page of a Query or
 * Scan is followed (small Limit, many pages), items come in order exactly
 * once, a callback can stop early, and errors are reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ddb/engine/embedded.h"
#include "testutil.h"

static ddb_store *store_with_items(int n)
{
    ddb_embedded_options opt = {.in_memory = true, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = ddb_embedded_open(&opt, &err);
    assert_non_null(s);
    json_t *req = tu_json("{\"TableName\": \"pages\", \"BillingMode\": \"PAY_PER_REQUEST\","
                          " \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"},"
                          " {\"AttributeName\": \"sk\", \"KeyType\": \"RANGE\"}],"
                          " \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", "
                          "\"AttributeType\": \"S\"}, {\"AttributeName\": \"sk\", "
                          "\"AttributeType\": \"N\"}]}");
    json_t *created = ddb_call(s, "CreateTable", req, &err);
    if (!created) fail_msg("CreateTable: %s: %s", err.type, err.message);
    json_decref(created);
    json_decref(req);
    for (int i = 0; i < n; i++) {
        char sk[16];
        snprintf(sk, sizeof sk, "%d", i);
        req = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "TableName", "pages", "Item", "pk", "S", "a",
                        "sk", "N", sk);
        json_t *res = ddb_call(s, "PutItem", req, &err);
        if (!res) fail_msg("PutItem: %s: %s", err.type, err.message);
        json_decref(res);
        json_decref(req);
    }
    return s;
}

static void test_all_pages_in_order(void **state)
{
    ddb_store *s = store_with_items(50);
    json_t *req =
        tu_json("{\"TableName\": \"pages\", \"KeyConditionExpression\": \"pk = :a\","
                " \"ExpressionAttributeValues\": {\":a\": {\"S\": \"a\"}}, \"Limit\": 7}");
    ddb_err err = DDB_ERR_INIT;
    json_t *all = ddb_all_items(s, "Query", req, &err);
    assert_non_null(all);
    assert_int_equal(json_array_size(all), 50);
    for (size_t i = 0; i < 50; i++) {
        char want[16];
        snprintf(want, sizeof want, "%zu", i);
        json_t *sk = json_object_get(json_object_get(json_array_get(all, i), "sk"), "N");
        assert_string_equal(json_string_value(sk), want);
    }
    /* the request is not changed (no ExclusiveStartKey left behind) */
    assert_null(json_object_get(req, "ExclusiveStartKey"));
    json_decref(all);
    json_decref(req);
    req = tu_json("{\"TableName\": \"pages\", \"Limit\": 3}");
    all = ddb_all_items(s, "Scan", req, &err);
    assert_int_equal(json_array_size(all), 50);
    json_decref(all);
    json_decref(req);
    ddb_store_close(s);
}

static bool stop_at_ten(const json_t *item, void *arg)
{
    return ++*(int *)arg < 10;
}

static void test_early_stop_and_errors(void **state)
{
    ddb_store *s = store_with_items(30);
    json_t *req = tu_json("{\"TableName\": \"pages\", \"Limit\": 4}");
    ddb_err err = DDB_ERR_INIT;
    int seen = 0;
    assert_true(ddb_each_item(s, "Scan", req, stop_at_ten, &seen, &err));
    assert_int_equal(seen, 10);
    json_decref(req);
    req = tu_json("{\"TableName\": \"missing\"}");
    assert_null(ddb_all_items(s, "Scan", req, &err));
    assert_int_equal(err.code, DDB_E_NOT_FOUND);
    ddb_err_clear(&err);
    json_decref(req);
    ddb_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_pages_in_order),
        cmocka_unit_test(test_early_stop_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
