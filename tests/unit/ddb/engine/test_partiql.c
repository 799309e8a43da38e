/*
 * ExecuteStatement, BatchExecuteStatement and ExecuteTransaction
 * (partiql_exec.c) through ddb_call on an in-memory store: each statement
 * form against stored items, the errors PartiQL names (DuplicateItem,
 * missing key terms), paging with NextToken across the Queries of an IN,
 * capacity, per-statement batch errors and transactions that commit or
 * cancel with their reasons.
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
          rt_json("{'TableName': 'music', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'StreamSpecification': {'StreamEnabled': true, 'StreamViewType': 'NEW_IMAGE'},"
                  " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'sk', 'AttributeType': 'N'}],"
                  " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                  "  {'AttributeName': 'sk', 'KeyType': 'RANGE'}]}"));
    for (int p = 0; p < 3; p++)
        for (int i = 0; i < 4; i++)
            rt_ok(s, "PutItem",
                  rt_json("{'TableName': 'music', 'Item': {'pk': {'S': 'p%d'}, 'sk': {'N': '%d'},"
                          " 'v': {'N': '%d'}}}",
                          p, i, i % 2));
    return s;
}

/* [{"Statement": text}, ...] of the NULL-terminated texts (which keep
   their single quotes, unlike rt_json's). */
static json_t *stmts(const char *first, ...)
{
    json_t *list = json_array();
    va_list ap;
    va_start(ap, first);
    for (const char *t = first; t; t = va_arg(ap, const char *))
        json_array_append_new(list, json_pack("{s:s}", "Statement", t));
    va_end(ap);
    return list;
}

static json_t *stmt(ddb_store *s, const char *text)
{
    return rt_call(s, "ExecuteStatement", json_pack("{s:s}", "Statement", text));
}

static void stmt_fails(ddb_store *s, const char *text, const char *type, const char *msg)
{
    json_decref(rt_fail(s, "ExecuteStatement", json_pack("{s:s}", "Statement", text), type, msg));
}

/* Checks a response's Items against JSON written with ' for ". */
static void assert_items(json_t *res, const char *want)
{
    char *text = strdup(want);
    for (char *p = text; *p; p++)
        if (*p == '\'') *p = '"';
    tu_assert_json_eq(json_object_get(res, "Items"), text);
    free(text);
    json_decref(res);
}

static void test_select_forms(void **state)
{
    ddb_store *s = setup();
    assert_items(stmt(s, "SELECT v FROM music WHERE pk = 'p1' AND sk = 3"), "[{'v': {'N': '1'}}]");
    assert_items(stmt(s, "SELECT * FROM music WHERE pk = 'p1' AND sk = 9"), "[]");
    assert_items(stmt(s, "SELECT sk FROM music WHERE pk = 'p2' AND sk >= 1 AND v = 1"),
                 "[{'sk': {'N': '1'}}, {'sk': {'N': '3'}}]");
    assert_items(
        stmt(s, "SELECT sk FROM music WHERE pk = 'p2' ORDER BY sk DESC"),
        "[{'sk': {'N': '3'}}, {'sk': {'N': '2'}}, {'sk': {'N': '1'}}, {'sk': {'N': '0'}}]");
    assert_items(stmt(s, "SELECT pk FROM music WHERE sk = 3 AND pk IN ['p0', 'p2', 'zz']"),
                 "[{'pk': {'S': 'p0'}}, {'pk': {'S': 'p2'}}]");
    json_t *res = stmt(s, "SELECT * FROM music WHERE v = 1 AND sk > 2");
    assert_int_equal(json_array_size(json_object_get(res, "Items")), 3);
    json_decref(res);
    stmt_fails(s, "SELECT * FROM music WHERE pk = 3", "ValidationException",
               "Key attribute's data type should match its data type in table's schema: Key pk");
    stmt_fails(s, "SELECT * FROM nothere", "ResourceNotFoundException",
               "Cannot do operations on a non-existent table");
    ddb_store_close(s);
}

static void test_writes(void **state)
{
    ddb_store *s = setup();
    assert_items(stmt(s, "INSERT INTO music VALUE {'pk': 'n', 'sk': 1, 'tags': <<'a', 'b'>>}"),
                 "[]");
    stmt_fails(s, "INSERT INTO music VALUE {'pk': 'n', 'sk': 1}", "DuplicateItemException",
               "Duplicate primary key exists in table");
    assert_items(stmt(s, "UPDATE music SET v = v + 5 SET tags = set_add(tags, <<'c'>>) WHERE pk = "
                         "'p0' AND sk = 1 RETURNING MODIFIED NEW *"),
                 "[{'v': {'N': '6'}, 'tags': {'SS': ['c']}}]");
    stmt_fails(s, "UPDATE music SET v = 1 WHERE pk = 'zz' AND sk = 1",
               "ConditionalCheckFailedException", "The conditional request failed");
    stmt_fails(s, "UPDATE music SET v = 1 WHERE pk = 'p0'", "ValidationException",
               "Where clause does not contain a mandatory equality on all key attributes");
    stmt_fails(s, "DELETE FROM music WHERE pk = 'p0' AND sk = 2 AND v = 7",
               "ConditionalCheckFailedException", "The conditional request failed");
    assert_items(stmt(s, "DELETE FROM music WHERE pk = 'p0' AND sk = 2 RETURNING ALL OLD *"),
                 "[{'pk': {'S': 'p0'}, 'sk': {'N': '2'}, 'v': {'N': '0'}}]");
    /* An absent item is no failure for DELETE, whatever its other terms. */
    assert_items(stmt(s, "DELETE FROM music WHERE pk = 'zz' AND sk = 2 AND v = 7"), "[]");
    assert_items(stmt(s, "SELECT * FROM music WHERE pk = 'p0' AND sk = 2"), "[]");
    /* The writes went through the JSON API's path: each left its stream record. */
    json_t *streams = rt_call(s, "ListStreams", rt_json("{'TableName': 'music'}"));
    assert_int_equal(json_array_size(json_object_get(streams, "Streams")), 1);
    json_decref(streams);
    ddb_store_close(s);
}

static void test_parameters_and_failure_values(void **state)
{
    ddb_store *s = setup();
    assert_items(rt_call(s, "ExecuteStatement",
                         rt_json("{'Statement': 'SELECT v FROM music WHERE pk = ? AND sk = ?',"
                                 " 'Parameters': [{'S': 'p1'}, {'N': '1'}]}")),
                 "[{\"v\": {\"N\": \"1\"}}]");
    rt_invalid(s, "ExecuteStatement",
               rt_json("{'Statement': 'SELECT v FROM music WHERE pk = ? AND sk = ?',"
                       " 'Parameters': [{'S': 'p1'}]}"),
               "Number of parameters in request and statement don't match.");
    /* The same text again (the thread's cache of parsed statements) with
       other Parameters, and a malformed one. */
    assert_items(rt_call(s, "ExecuteStatement",
                         rt_json("{'Statement': 'SELECT v FROM music WHERE pk = ? AND sk = ?',"
                                 " 'Parameters': [{'S': 'p2'}, {'N': '2'}]}")),
                 "[{'v': {'N': '0'}}]");
    rt_invalid(s, "ExecuteStatement",
               rt_json("{'Statement': 'SELECT v FROM music WHERE pk = ? AND sk = ?',"
                       " 'Parameters': [{}, {'N': '2'}]}"),
               "Supplied AttributeValue is empty, must contain exactly one of the supported "
               "datatypes");
    rt_invalid(s, "ExecuteStatement",
               rt_json("{'Statement': 'SELECT v FROM music WHERE v = ?',"
                       " 'Parameters': [{'N': 'x'}]}"),
               "A value provided cannot be converted into a number");
    json_t *detail = rt_fail(
        s, "ExecuteStatement",
        rt_json("{'Statement': 'UPDATE music SET v = 5 WHERE pk = ? AND sk = 0 AND v = 9',"
                " 'Parameters': [{'S': 'p1'}], 'ReturnValuesOnConditionCheckFailure': 'ALL_OLD'}"),
        "ConditionalCheckFailedException", "The conditional request failed");
    tu_assert_json_eq(json_object_get(detail, "Item"),
                      "{\"pk\": {\"S\": \"p1\"}, \"sk\": {\"N\": \"0\"}, \"v\": {\"N\": \"0\"}}");
    json_decref(detail);
    ddb_store_close(s);
}

static void test_paging(void **state)
{
    ddb_store *s = setup();
    /* Three Queries of two items each, two items a page. */
    json_t *seen = json_array();
    const char *token = NULL;
    json_t *res = NULL;
    int pages = 0;
    do {
        json_t *req = json_pack(
            "{s:s, s:i}", "Statement",
            "SELECT pk, sk FROM music WHERE pk IN ['p0', 'p1', 'p2'] AND sk < 2", "Limit", 2);
        if (token) json_object_set_new(req, "NextToken", json_string(token));
        json_t *next = rt_call(s, "ExecuteStatement", req);
        json_decref(res);
        res = next;
        json_array_extend(seen, json_object_get(res, "Items"));
        token = json_string_value(json_object_get(res, "NextToken"));
        pages++;
    } while (token && pages < 10);
    json_decref(res);
    assert_int_equal(json_array_size(seen), 6);
    tu_assert_json_eq(json_array_get(seen, 5), "{\"pk\": {\"S\": \"p2\"}, \"sk\": {\"N\": \"1\"}}");
    json_decref(seen);
    rt_invalid(s, "ExecuteStatement",
               rt_json("{'Statement': 'SELECT * FROM music', 'NextToken': 'garbage'}"),
               "Invalid NextToken");
    rt_invalid(s, "ExecuteStatement", rt_json("{'Statement': 'SELECT * FROM music', 'Limit': 0}"),
               "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
               "Member must have value greater than or equal to 1");
    ddb_store_close(s);
}

static void test_capacity(void **state)
{
    ddb_store *s = setup();
    json_t *res = rt_call(s, "ExecuteStatement",
                          json_pack("{s:s, s:s, s:b}", "Statement",
                                    "SELECT * FROM music WHERE pk = 'p0' AND sk = 0",
                                    "ReturnConsumedCapacity", "TOTAL", "ConsistentRead", 1));
    tu_assert_json_eq(json_object_get(res, "ConsumedCapacity"),
                      "{\"TableName\": \"music\", \"CapacityUnits\": 1.0}");
    json_decref(res);
    ddb_store_close(s);
}

static json_t *batch(ddb_store *s, json_t *list)
{
    return rt_call(s, "BatchExecuteStatement", json_pack("{s:o}", "Statements", list));
}

static void test_batch(void **state)
{
    ddb_store *s = setup();
    json_t *res = batch(s, stmts("INSERT INTO music VALUE {'pk': 'p0', 'sk': 0}",
                                 "INSERT INTO music VALUE {'pk': 'b', 'sk': 0}",
                                 "UPDATE music SET v = 1 WHERE pk = 'zz' AND sk = 1",
                                 "DELETE FROM nothere WHERE pk = 'a' AND sk = 1",
                                 "UPDATE music SET v = 1 WHERE pk = 'p1'", "SELEC", NULL));
    tu_assert_json_eq(
        res, "{\"Responses\": ["
             " {\"TableName\": \"music\", \"Error\": {\"Code\": \"DuplicateItem\","
             "  \"Message\": \"Duplicate primary key exists in table\"}},"
             " {\"TableName\": \"music\"},"
             " {\"TableName\": \"music\", \"Error\": {\"Code\": \"ConditionalCheckFailed\","
             "  \"Message\": \"The conditional request failed\"}},"
             " {\"Error\": {\"Code\": \"ResourceNotFound\","
             "  \"Message\": \"Cannot do operations on a non-existent table\"}},"
             " {\"Error\": {\"Code\": \"ValidationError\", \"Message\": \"Where clause does not "
             "contain a mandatory equality on all key attributes\"}},"
             " {\"Error\": {\"Code\": \"ValidationError\", \"Message\": \"Statement wasn't well "
             "formed, can't be processed: SELEC\"}}]}");
    json_decref(res);
    res = batch(s, stmts("SELECT v FROM music WHERE pk = 'b' AND sk = 0",
                         "SELECT v FROM music WHERE pk = 'p1' AND sk = 1",
                         "SELECT * FROM music WHERE pk = 'p1'", NULL));
    tu_assert_json_eq(res, "{\"Responses\": [{\"TableName\": \"music\", \"Item\": {}},"
                           " {\"TableName\": \"music\", \"Item\": {\"v\": {\"N\": \"1\"}}},"
                           " {\"Error\": {\"Code\": \"ValidationError\","
                           "  \"Message\": \"Only single item select is supported\"}}]}");
    json_decref(res);
    rt_invalid(s, "BatchExecuteStatement",
               json_pack("{s:o}", "Statements",
                         stmts("SELECT v FROM music WHERE pk = 'b' AND sk = 0",
                               "DELETE FROM music WHERE pk = 'b' AND sk = 0", NULL)),
               "Read and write requests together in the same batch is not supported.");
    rt_invalid(s, "BatchExecuteStatement",
               json_pack("{s:o}", "Statements",
                         stmts("UPDATE music SET v = 2 WHERE pk = 'b' AND sk = 0",
                               "DELETE FROM music WHERE pk = 'b' AND sk = 0", NULL)),
               "Provided list of item keys contains duplicates");
    json_t *many = json_array();
    for (int i = 0; i < 26; i++)
        json_array_append_new(many, json_pack("{s:s}", "Statement", "SELECT * FROM music"));
    rt_invalid(s, "BatchExecuteStatement", json_pack("{s:o}", "Statements", many),
               "BatchGetItem cannot fetch more than 25 items");
    ddb_store_close(s);
}

static json_t *txn_req(json_t *list)
{
    return json_pack("{s:o}", "TransactStatements", list);
}

static void test_transaction(void **state)
{
    ddb_store *s = setup();
    json_t *req =
        txn_req(stmts("INSERT INTO music VALUE {'pk': 't', 'sk': 1}",
                      "UPDATE music SET v = 9 WHERE pk = 'p0' AND sk = 0",
                      "EXISTS(SELECT * FROM music WHERE pk = 'p1' AND sk = 1 AND v = 1)", NULL));
    json_object_set_new(req, "ClientRequestToken", json_string("tok"));
    json_t *res = rt_call(s, "ExecuteTransaction", req);
    tu_assert_json_eq(res, "{\"Responses\": []}");
    json_decref(res);
    json_t *detail = rt_fail(
        s, "ExecuteTransaction",
        txn_req(stmts("INSERT INTO music VALUE {'pk': 't', 'sk': 1}",
                      "UPDATE music SET v = 10 WHERE pk = 'p0' AND sk = 0",
                      "EXISTS(SELECT * FROM music WHERE pk = 'p1' AND sk = 1 AND v = 0)", NULL)),
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ValidationError, None, ConditionalCheckFailed]");
    tu_assert_json_eq(detail, "{\"CancellationReasons\": ["
                              " {\"Code\": \"ValidationError\","
                              "  \"Message\": \"Duplicate primary key exists in table\"},"
                              " {\"Code\": \"None\"},"
                              " {\"Code\": \"ConditionalCheckFailed\","
                              "  \"Message\": \"The conditional request failed.\"}]}");
    json_decref(detail);
    assert_items(stmt(s, "SELECT v FROM music WHERE pk = 'p0' AND sk = 0"),
                 "[{\"v\": {\"N\": \"9\"}}]");
    res = rt_call(s, "ExecuteTransaction",
                  txn_req(stmts("SELECT v FROM music WHERE pk = 'p0' AND sk = 0",
                                "SELECT * FROM music WHERE pk = 'x' AND sk = 0", NULL)));
    tu_assert_json_eq(res, "{\"Responses\": [{\"Item\": {\"v\": {\"N\": \"9\"}}}, {}]}");
    json_decref(res);
    rt_invalid(s, "ExecuteTransaction",
               txn_req(stmts("SELECT v FROM music WHERE pk = 'p0' AND sk = 0",
                             "DELETE FROM music WHERE pk = 'p0' AND sk = 1", NULL)),
               "ExecuteTransaction API does not support both read and write operations in the "
               "same request.");
    rt_invalid(s, "ExecuteTransaction", txn_req(stmts("SELECT v FROM music WHERE pk = 'p0'", NULL)),
               "Validation failed in TransactStatements[0]: Select statements within "
               "ExecuteTransaction must specify the primary key in the where clause.");
    rt_invalid(s, "ExecuteTransaction",
               txn_req(stmts("EXISTS(SELECT * FROM music WHERE pk = 'p0' AND sk = 0)", NULL)),
               "Validation failed in TransactStatements[0]: EXISTS() must contain a single item "
               "read with additional condition");
    stmt_fails(s, "EXISTS(SELECT * FROM music WHERE pk = 'p0' AND sk = 0 AND v = 1)",
               "ValidationException",
               "EXISTS can only be used in ExecuteTransaction write requests.");
    ddb_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_forms),
        cmocka_unit_test(test_writes),
        cmocka_unit_test(test_parameters_and_failure_values),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_transaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
