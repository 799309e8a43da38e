/*
 * Unit tests for TransactWriteItems and TransactGetItems (txn.c) through
 * ddb_call on an in-memory store: all-or-nothing writes, one cancellation
 * reason per action (with the old item for ALL_OLD, or a key's wrong type
 * or size), validation errors, and reads in request order.
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
          rt_json("{'TableName': 'acct', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'S'}],"
                  " 'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}]}"));
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'log', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'sk', 'AttributeType': 'N'}],"
                  " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                  "  {'AttributeName': 'sk', 'KeyType': 'RANGE'}]}"));
    for (int i = 0; i < 3; i++)
        rt_ok(
            s, "PutItem",
            rt_json("{'TableName': 'acct', 'Item': {'id': {'S': 'a%d'}, 'bal': {'N': '100'}}}", i));
    return s;
}

/* The item `id` of acct, or JSON null text when absent; caller frees. */
static char *acct(ddb_store *s, const char *id)
{
    json_t *res =
        rt_call(s, "GetItem", rt_json("{'TableName': 'acct', 'Key': {'id': {'S': '%s'}}}", id));
    char *text = rt_text(json_object_get(res, "Item"));
    json_decref(res);
    return text;
}

static void assert_acct(ddb_store *s, const char *id, const char *want)
{
    char *got = acct(s, id);
    if (strcmp(got, want) != 0) fail_msg("%s: got %s want %s", id, got, want);
    free(got);
}

static void test_txn_write_commits_all(void **state)
{
    ddb_store *s = setup();
    json_t *res = rt_call(
        s, "TransactWriteItems",
        rt_json(
            "{'ClientRequestToken': 'tok-1', 'ReturnConsumedCapacity': 'TOTAL', 'TransactItems': ["
            " {'Update': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}},"
            "  'UpdateExpression': 'SET bal = bal - :x', 'ConditionExpression': 'bal >= :x',"
            "  'ExpressionAttributeValues': {':x': {'N': '30'}}}},"
            " {'Update': {'TableName': 'acct', 'Key': {'id': {'S': 'a1'}},"
            "  'UpdateExpression': 'SET bal = bal + :x', 'ExpressionAttributeValues': {':x': {'N': "
            "'30'}}}},"
            " {'Put': {'TableName': 'log', 'Item': {'pk': {'S': 'a0'}, 'sk': {'N': '1'}}}},"
            " {'Delete': {'TableName': 'acct', 'Key': {'id': {'S': 'a2'}}}},"
            " {'ConditionCheck': {'TableName': 'log', 'Key': {'pk': {'S': 'x'}, 'sk': {'N': '0'}},"
            "  'ConditionExpression': 'attribute_not_exists(pk)'}}]}"));
    assert_int_equal(json_array_size(json_object_get(res, "ConsumedCapacity")), 2);
    json_decref(res);
    assert_acct(s, "a0", "{\"bal\":{\"N\":\"70\"},\"id\":{\"S\":\"a0\"}}");
    assert_acct(s, "a1", "{\"bal\":{\"N\":\"130\"},\"id\":{\"S\":\"a1\"}}");
    assert_acct(s, "a2", "NULL");
    ddb_store_close(s);
}

/* A transactional write pays twice the plain units on the table and on
   each index whose entry it adds, changes or removes; INDEXES names them. */
static void test_txn_write_capacity_on_indexes(void **state)
{
    ddb_store *s = rt_open();
    rt_ok(
        s, "CreateTable",
        rt_json("{'TableName': 'ixt', 'BillingMode': 'PAY_PER_REQUEST',"
                " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
                "  {'AttributeName': 'sk', 'AttributeType': 'N'},"
                "  {'AttributeName': 'g', 'AttributeType': 'S'},"
                "  {'AttributeName': 'l', 'AttributeType': 'N'}],"
                " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                "  {'AttributeName': 'sk', 'KeyType': 'RANGE'}],"
                " 'GlobalSecondaryIndexes': [{'IndexName': 'byg', 'KeySchema':"
                "  [{'AttributeName': 'g', 'KeyType': 'HASH'}],"
                "  'Projection': {'ProjectionType': 'KEYS_ONLY'}}],"
                " 'LocalSecondaryIndexes': [{'IndexName': 'byl', 'KeySchema':"
                "  [{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'l', 'KeyType': "
                "'RANGE'}], 'Projection': {'ProjectionType': 'ALL'}}]}"));
    rt_ok(s, "PutItem",
          rt_json("{'TableName': 'ixt', 'Item': {'pk': {'S': 'a'}, 'sk': {'N': '1'},"
                  " 'g': {'S': 'x'}, 'l': {'N': '5'}}}"));
    /* a new item in both indexes, an item in none, a change of an LSI-only
       attribute, a GSI key moved (a delete and a put there) */
    json_t *res = rt_call(
        s, "TransactWriteItems",
        rt_json("{'ReturnConsumedCapacity': 'INDEXES', 'TransactItems': ["
                " {'Put': {'TableName': 'ixt', 'Item': {'pk': {'S': 'b'}, 'sk': {'N': '1'},"
                "  'g': {'S': 'y'}, 'l': {'N': '1'}}}},"
                " {'Put': {'TableName': 'ixt', 'Item': {'pk': {'S': 'c'}, 'sk': {'N': '1'}}}},"
                " {'Update': {'TableName': 'ixt', 'Key': {'pk': {'S': 'a'}, 'sk': {'N': '1'}},"
                "  'UpdateExpression': 'SET g = :g', 'ExpressionAttributeValues': {':g': {'S': "
                "'z'}}}},"
                " {'ConditionCheck': {'TableName': 'ixt', 'Key': {'pk': {'S': 'c'}, 'sk': {'N': "
                "'9'}},"
                "  'ConditionExpression': 'attribute_not_exists(pk)'}}]}"));
    tu_assert_json_eq(json_object_get(res, "ConsumedCapacity"),
                      "[{\"TableName\": \"ixt\", \"CapacityUnits\": 18.0,"
                      " \"Table\": {\"CapacityUnits\": 8.0},"
                      " \"GlobalSecondaryIndexes\": {\"byg\": {\"CapacityUnits\": 6.0}},"
                      " \"LocalSecondaryIndexes\": {\"byl\": {\"CapacityUnits\": 4.0}}}]");
    json_decref(res);
    /* TOTAL counts the indexes too: a delete from both */
    res = rt_call(s, "TransactWriteItems",
                  rt_json("{'ReturnConsumedCapacity': 'TOTAL', 'TransactItems': ["
                          " {'Delete': {'TableName': 'ixt', 'Key': {'pk': {'S': 'b'}, 'sk': {'N': "
                          "'1'}}}}]}"));
    tu_assert_json_eq(json_object_get(res, "ConsumedCapacity"),
                      "[{\"TableName\": \"ixt\", \"CapacityUnits\": 6.0}]");
    json_decref(res);
    ddb_store_close(s);
}

static void test_txn_write_cancels_all(void **state)
{
    ddb_store *s = setup();
    json_t *detail = rt_fail(
        s, "TransactWriteItems",
        rt_json("{'TransactItems': ["
                " {'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'new'}}}},"
                " {'ConditionCheck': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}},"
                "  'ConditionExpression': 'attribute_not_exists(id)',"
                "  'ReturnValuesOnConditionCheckFailure': 'ALL_OLD'}},"
                " {'Delete': {'TableName': 'acct', 'Key': {'id': {'S': 'a1'}},"
                "  'ConditionExpression': 'bal > :z', 'ExpressionAttributeValues': {':z': {'N': "
                "'1000'}}}},"
                " {'Update': {'TableName': 'acct', 'Key': {'id': {'S': 'a2'}},"
                "  'UpdateExpression': 'SET bal = :z', 'ExpressionAttributeValues': {':z': {'N': "
                "'0'}}}}]}"),
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, "
        "ConditionalCheckFailed, ConditionalCheckFailed, None]");
    tu_assert_json_eq(
        detail,
        "{\"CancellationReasons\": [{\"Code\": \"None\"},"
        " {\"Code\": \"ConditionalCheckFailed\", \"Message\": \"The conditional request failed.\","
        "  \"Item\": {\"id\": {\"S\": \"a0\"}, \"bal\": {\"N\": \"100\"}}},"
        " {\"Code\": \"ConditionalCheckFailed\", \"Message\": \"The conditional request failed\"},"
        " {\"Code\": \"None\"}]}");
    json_decref(detail);
    /* nothing of it happened */
    assert_acct(s, "new", "NULL");
    assert_acct(s, "a1", "{\"bal\":{\"N\":\"100\"},\"id\":{\"S\":\"a1\"}}");
    assert_acct(s, "a2", "{\"bal\":{\"N\":\"100\"},\"id\":{\"S\":\"a2\"}}");

    /* an update that cannot apply is a ValidationError reason */
    detail = rt_fail(s, "TransactWriteItems",
                     rt_json("{'TransactItems': ["
                             " {'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'new'}}}},"
                             " {'Update': {'TableName': 'acct', 'Key': {'id': {'S': 'a2'}},"
                             "  'UpdateExpression': 'SET x = list_append(bal, :l)',"
                             "  'ExpressionAttributeValues': {':l': {'L': []}}}}]}"),
                     "TransactionCanceledException",
                     "Transaction cancelled, please refer cancellation reasons for specific "
                     "reasons [None, ValidationError]");
    json_t *reasons = json_object_get(detail, "CancellationReasons");
    assert_int_equal(json_array_size(reasons), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(reasons, 1), "Code")),
                        "ValidationError");
    assert_non_null(json_object_get(json_array_get(reasons, 1), "Message"));
    json_decref(detail);
    assert_acct(s, "new", "NULL");
    ddb_store_close(s);
}

/* The one reason of `detail` at `i`, as JSON text. */
static void assert_reason(const json_t *detail, size_t i, const char *want)
{
    tu_assert_json_eq(json_array_get(json_object_get(detail, "CancellationReasons"), i), want);
}

#define TYPE_REASON                                                                                \
    "{\"Code\": \"ValidationError\", \"Message\": \"One or more parameter values were invalid: "   \
    "Type mismatch for key\"}"

/*
 * A key value of the wrong type or size cancels the transaction with that
 * action's ValidationError reason, beside the reasons of the others
 * (DynamoDB Local 3.3.1); other faults of a key are a plain
 * ValidationException. Either way nothing is written.
 */
static void test_txn_write_key_faults(void **state)
{
    ddb_store *s = setup();
    char long_id[2050];
    memset(long_id, 'x', 2049);
    long_id[2049] = '\0';
    json_t *detail = rt_fail(
        s, "TransactWriteItems",
        rt_json("{'ClientRequestToken': 'tok-k', 'TransactItems': ["
                " {'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'new'}}}},"
                " {'Put': {'TableName': 'log', 'Item': {'pk': {'S': 'a'}, 'sk': {'S': '1'}}}},"
                " {'Delete': {'TableName': 'acct', 'Key': {'id': {'S': '%s'}}}},"
                " {'ConditionCheck': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}},"
                "  'ConditionExpression': 'attribute_not_exists(id)'}},"
                " {'Update': {'TableName': 'log', 'Key': {'pk': {'N': '1'}, 'sk': {'S': ''}},"
                "  'UpdateExpression': 'SET pk = :v', 'ExpressionAttributeValues': {':v': {'S': "
                "'v'}}}}]}",
                long_id),
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, "
        "ValidationError, ValidationError, ConditionalCheckFailed, ValidationError]");
    assert_reason(detail, 0, "{\"Code\": \"None\"}");
    assert_reason(detail, 1, TYPE_REASON);
    assert_reason(detail, 2,
                  "{\"Code\": \"ValidationError\", \"Message\": \"Hash primary key values must be "
                  "under 2048 bytes, and range primary key values must be under 1024 bytes\"}");
    /* the hash key's fault ends the checks of that key: its empty sort key
       and its update of a key attribute go unseen */
    assert_reason(detail, 4, TYPE_REASON);
    json_decref(detail);
    assert_acct(s, "new", "NULL");
    assert_acct(s, "a0", "{\"bal\":{\"N\":\"100\"},\"id\":{\"S\":\"a0\"}}");

    /* the same actions with the same token: still cancelled, not a repeat */
    json_decref(rt_fail(s, "TransactWriteItems",
                        rt_json("{'ClientRequestToken': 'tok-k', 'TransactItems': ["
                                " {'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'new'}}}},"
                                " {'Put': {'TableName': 'log', 'Item': {'pk': {'S': 'a'},"
                                "  'sk': {'S': '1'}}}}]}"),
                        "TransactionCanceledException", NULL));
    assert_acct(s, "new", "NULL");

    /* two actions with the same wrongly typed key are not one item twice */
    detail = rt_fail(s, "TransactWriteItems",
                     rt_json("{'TransactItems': ["
                             " {'Put': {'TableName': 'acct', 'Item': {'id': {'N': '1'}}}},"
                             " {'Delete': {'TableName': 'acct', 'Key': {'id': {'N': '1'}}}}]}"),
                     "TransactionCanceledException", NULL);
    assert_reason(detail, 0, TYPE_REASON);
    assert_reason(detail, 1, TYPE_REASON);
    json_decref(detail);

    /* the other faults of a key fail the call, wherever the wrong type is */
    static const struct {
        const char *req, *msg;
    } cases[] = {
        {"{'TransactItems': [{'Put': {'TableName': 'acct', 'Item': {'id': {'N': '1'}}}},"
         " {'Put': {'TableName': 'log', 'Item': {'pk': {'S': 'a'}}}}]}",
         "One of the required keys was not given a value"},
        {"{'TransactItems': [{'Put': {'TableName': 'acct', 'Item': {'id': {'N': '1'}}}},"
         " {'Delete': {'TableName': 'log', 'Key': {'pk': {'S': ''}, 'sk': {'S': '1'}}}}]}",
         "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: pk"},
        {"{'TransactItems': [{'Put': {'TableName': 'acct', 'Item': {'id': {'N': '1'}}}},"
         " {'Delete': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}, 'x': {'S': '1'}}}}]}",
         "The provided key element does not match the schema"},
        {"{'TransactItems': [{'Delete': {'TableName': 'acct', 'Key': {'id': {'SS': ['a']}}}},"
         " {'Put': {'TableName': 'acct', 'Item': {'id': {'N': '1'}}}}]}",
         "Invalid attribute value type"},
        {"{'TransactItems': [{'Put': {'TableName': 'acct', 'Item': {'id': {'N': '1'}}}},"
         " {'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'a0'}}}},"
         " {'Delete': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}}}}]}",
         "Transaction request cannot include multiple operations on one item"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        rt_invalid(s, "TransactWriteItems", rt_json("%s", cases[i].req), cases[i].msg);
    json_decref(rt_fail(s, "TransactWriteItems",
                        rt_json("{'TransactItems': ["
                                " {'Put': {'TableName': 'acct', 'Item': {'id': {'N': '1'}}}},"
                                " {'Put': {'TableName': 'nope', 'Item': {'id': {'S': 'a'}}}}]}"),
                        "ResourceNotFoundException", NULL));

    /* the token was not used up by the cancelled transaction */
    json_decref(
        rt_call(s, "TransactWriteItems",
                rt_json("{'ClientRequestToken': 'tok-k', 'TransactItems': ["
                        " {'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'new'}}}}]}")));
    assert_acct(s, "new", "{\"id\":{\"S\":\"new\"}}");
    ddb_store_close(s);
}

static void test_txn_write_errors(void **state)
{
    ddb_store *s = setup();
    json_t *many = json_array();
    for (int i = 0; i < 101; i++)
        json_array_append_new(
            many, rt_json("{'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'm%d'}}}}", i));
    rt_invalid(s, "TransactWriteItems", json_pack("{s:o}", "TransactItems", many),
               "1 validation error detected: Value at 'transactItems' failed to satisfy "
               "constraint: Member must have length less than or equal to 100");
    static const struct {
        const char *req, *msg;
    } cases[] = {
        {"{'TransactItems': []}",
         "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
         "Member must have length greater than or equal to 1"},
        {"{'TransactItems': [{'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'a0'}}}},"
         " {'Delete': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}}}}]}",
         "Transaction request cannot include multiple operations on one item"},
        {"{'TransactItems': [{'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'a0'}}},"
         " 'Delete': {'TableName': 'acct', 'Key': {'id': {'S': 'a1'}}}}]}",
         "TransactItems can only contain one of Check, Put, Update or Delete"},
        {"{'TransactItems': [{}]}",
         "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"},
        {"{'TransactItems': [{'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'z'}}}},"
         " {'ConditionCheck': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}}}}]}",
         "1 validation error detected: Value null at "
         "'transactItems.2.member.conditionCheck.conditionExpression' failed to satisfy "
         "constraint: Member must not be null"},
        /* every TableName first, then an Item or Key with its action */
        {"{'TransactItems': [{'Delete': {'TableName': 'acct'}}, {'Put': {'Item': {'id': {'S': "
         "'z'}}}}]}",
         "1 validation error detected: Value null at 'transactItems.2.member.put.tableName' "
         "failed to satisfy constraint: Member must not be null"},
        {"{'TransactItems': [{'Put': {'TableName': 'acct', 'Item': {'id': {'S': 'z'}}}},"
         " {'Update': {'TableName': 'acct', 'UpdateExpression': 'REMOVE a'}}]}",
         "1 validation error detected: Value null at 'transactItems.2.member.update.key' failed "
         "to satisfy constraint: Member must not be null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        rt_invalid(s, "TransactWriteItems", rt_json("%s", cases[i].req), cases[i].msg);
    json_decref(rt_fail(s, "TransactWriteItems",
                        rt_json("{'TransactItems': [{'Put': {'TableName': 'nope',"
                                " 'Item': {'id': {'S': 'a'}}}}]}"),
                        "ResourceNotFoundException", NULL));
    assert_acct(s, "z", "NULL");
    ddb_store_close(s);
}

static void test_txn_get(void **state)
{
    ddb_store *s = setup();
    json_t *res = rt_call(s, "TransactGetItems",
                          rt_json("{'TransactItems': ["
                                  " {'Get': {'TableName': 'acct', 'Key': {'id': {'S': 'a2'}}}},"
                                  " {'Get': {'TableName': 'acct', 'Key': {'id': {'S': 'none'}}}},"
                                  " {'Get': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}},"
                                  "  'ProjectionExpression': 'bal'}}]}"));
    tu_assert_json_eq(
        res, "{\"Responses\": [{\"Item\": {\"id\": {\"S\": \"a2\"}, \"bal\": {\"N\": \"100\"}}},"
             " {}, {\"Item\": {\"bal\": {\"N\": \"100\"}}}]}");
    json_decref(res);
    static const struct {
        const char *req, *msg;
    } cases[] = {
        {"{'TransactItems': [{'Get': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}}}},"
         " {'Get': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}}}}]}",
         "Transaction request cannot include multiple operations on one item"},
        {"{'TransactItems': []}",
         "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
         "Member must have length greater than or equal to 1"},
        {"{'TransactItems': [{}]}",
         "1 validation error detected: Value null at 'transactItems' failed to satisfy "
         "constraint: Member must not be null"},
        {"{'TransactItems': [{'Get': {'TableName': 'acct', 'Key': {'id': {'N': '1'}}}}]}", NULL},
        {"{'TransactItems': [{'Get': {'TableName': 'acct', 'Key': {'id': {'S': 'a0'}}}},"
         " {'Get': {'TableName': 'acct'}}]}",
         "1 validation error detected: Value null at 'transactItems.2.member.get.key' failed to "
         "satisfy constraint: Member must not be null"},
        {"{'TransactItems': [{'Get': {'Key': {'id': {'S': 'a0'}}}}]}",
         "1 validation error detected: Value null at 'transactItems.1.member.get.tableName' "
         "failed to satisfy constraint: Member must not be null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        rt_invalid(s, "TransactGetItems", rt_json("%s", cases[i].req), cases[i].msg);
    ddb_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_txn_write_commits_all),
        cmocka_unit_test(test_txn_write_capacity_on_indexes),
        cmocka_unit_test(test_txn_write_cancels_all),
        cmocka_unit_test(test_txn_write_key_faults),
        cmocka_unit_test(test_txn_write_errors),
        cmocka_unit_test(test_txn_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
