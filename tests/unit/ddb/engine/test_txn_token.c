/*
 * Unit tests for ClientRequestToken idempotency of TransactWriteItems
 * (engine/txn_token.c) on a store in a data folder: a repeat within the
 * window changes nothing, also after a restart; other TransactItems with
 * the same token are refused; a cancelled transaction does not use its
 * token up; past the 10-minute window (the recorded time moved back in the
 * database file while the store is closed) the token applies again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "testutil.h"

#include "reads_tu.h"

/* TransactWriteItems adding `by` to counter n of item c, with `token`. */
static json_t *add(const char *token, int by)
{
    return rt_json("{'ClientRequestToken': '%s', 'TransactItems': [{'Update': {'TableName': "
                   "'cnt', 'Key': {'id': {'S': 'c'}}, 'UpdateExpression': 'ADD n :by',"
                   " 'ConditionExpression': 'attribute_not_exists(stop)',"
                   " 'ExpressionAttributeValues': {':by': {'N': '%d'}}}}]}",
                   token, by);
}

static void assert_count(ddb_store *s, const char *n)
{
    json_t *out = rt_call(s, "GetItem", rt_json("{'TableName': 'cnt', 'Key': {'id': {'S': 'c'}}}"));
    char want[64];
    snprintf(want, sizeof want, "{\"id\": {\"S\": \"c\"}, \"n\": {\"N\": \"%s\"}}", n);
    tu_assert_json_eq(json_object_get(out, "Item"), want);
    json_decref(out);
}

/* Moves every recorded token's time back by `us` (store closed). */
static void age_tokens(const char *dir, long long us)
{
    char path[512], sql[128];
    snprintf(path, sizeof path, "%s/ddb.sqlite", dir);
    snprintf(sql, sizeof sql, "UPDATE txn_tokens SET created_us = created_us - %lld", us);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 2); /* t1 and t2 */
    sqlite3_close(db);
}

static void test_token_is_idempotent_durable_and_expires(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ddb_store *s = rt_open_dir(dir);
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'cnt', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'S'}],"
                  " 'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}]}"));
    for (int i = 0; i < 2; i++) {
        json_t *out = rt_call(s, "TransactWriteItems", add("t1", 1));
        tu_assert_json_eq(out, "{}");
        json_decref(out);
    }
    assert_count(s, "1");
    json_decref(rt_fail(s, "TransactWriteItems", add("t1", 2),
                        "IdempotentParameterMismatchException", NULL));
    assert_count(s, "1");

    /* A cancelled transaction leaves its token unused. */
    rt_ok(s, "PutItem",
          rt_json("{'TableName': 'cnt', 'Item': {'id': {'S': 'c'}, 'n': {'N': '1'}, 'stop': "
                  "{'BOOL': true}}}"));
    json_decref(
        rt_fail(s, "TransactWriteItems", add("t2", 5), "TransactionCanceledException", NULL));
    rt_ok(s, "PutItem",
          rt_json("{'TableName': 'cnt', 'Item': {'id': {'S': 'c'}, 'n': {'N': '1'}}}"));
    rt_ok(s, "TransactWriteItems", add("t2", 5));
    assert_count(s, "6");

    /* The token survives a restart. */
    ddb_store_close(s);
    s = rt_open_dir(dir);
    rt_ok(s, "TransactWriteItems", add("t2", 5));
    assert_count(s, "6");
    json_decref(rt_fail(s, "TransactWriteItems", add("t2", 1),
                        "IdempotentParameterMismatchException", NULL));
    ddb_store_close(s);

    /* Just inside the window it still holds; past it the token is new. */
    age_tokens(dir, 10LL * 60 * 1000000 - 5 * 1000000);
    s = rt_open_dir(dir);
    rt_ok(s, "TransactWriteItems", add("t2", 5));
    assert_count(s, "6");
    ddb_store_close(s);
    age_tokens(dir, 10 * 1000000);
    s = rt_open_dir(dir);
    rt_ok(s, "TransactWriteItems", add("t2", 5));
    assert_count(s, "11");
    ddb_store_close(s);
    tu_rmdir(dir);
    free(dir);
}

static void test_token_validation(void **state)
{
    (void)state;
    ddb_store *s = rt_open();
    rt_invalid(s, "TransactWriteItems", add("", 1),
               "1 validation error detected: Value '' at 'clientRequestToken' failed to satisfy "
               "constraint: Member must have length greater than or equal to 1");
    rt_invalid(s, "TransactWriteItems", add("0123456789012345678901234567890123456", 1),
               "1 validation error detected: Value '0123456789012345678901234567890123456' at "
               "'clientRequestToken' failed to satisfy constraint: Member must have length less "
               "than or equal to 36");
    ddb_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_is_idempotent_durable_and_expires),
        cmocka_unit_test(test_token_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
