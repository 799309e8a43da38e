"""BatchWriteItem, BatchGetItem, TransactWriteItems and TransactGetItems:
limits, duplicates, unprocessed maps, all-or-nothing and cancellation
reasons."""
import re

import pytest
from compatlib import error_of, expect_error, expect_error_ddb
from conftest import documented_only


def key(i, sk="s"):
    return {"pk": {"S": "k%03d" % i}, "sk": {"S": sk}}


@pytest.fixture
def table(make_table):
    return make_table("bt")


def test_batch_write_and_get(ddb, table, make_table):
    other = make_table("bt2")
    out = ddb.batch_write_item(RequestItems={
        table: [{"PutRequest": {"Item": dict(key(i), v={"N": str(i)})}} for i in range(20)],
        other: [{"PutRequest": {"Item": dict(key(i), w={"S": "x"})}} for i in range(5)]})
    assert out["UnprocessedItems"] == {}
    keys = [key(i) for i in range(0, 98)]
    out = ddb.batch_get_item(RequestItems={table: {"Keys": keys, "ProjectionExpression": "pk, v"},
                                           other: {"Keys": [key(1), key(99)], "ConsistentRead": True}})
    assert out["UnprocessedKeys"] == {}
    got = sorted(out["Responses"][table], key=lambda x: x["pk"]["S"])
    assert got == [{"pk": {"S": "k%03d" % i}, "v": {"N": str(i)}} for i in range(20)]
    assert out["Responses"][other] == [dict(key(1), w={"S": "x"})]
    out = ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": key(i)}} for i in range(0, 20, 2)]
                                             + [{"PutRequest": {"Item": dict(key(50), v={"N": "50"})}}]})
    assert out["UnprocessedItems"] == {}
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 11


def test_batch_limits(server, ddb, table):
    # (The message differs between DynamoDB's model validation and DynamoDB
    # Local: only the type is checked.)
    code, msg, _ = error_of(ddb.batch_write_item,
                            RequestItems={table: [{"PutRequest": {"Item": key(i)}} for i in range(26)]})
    assert code == "ValidationException"
    expect_error("ValidationException", "Too many items requested for the BatchGetItem call",
                 ddb.batch_get_item, RequestItems={table: {"Keys": [key(i) for i in range(101)]}})
    expect_error("ValidationException", "Provided list of item keys contains duplicates",
                 ddb.batch_get_item, RequestItems={table: {"Keys": [key(1), key(1)]}})
    expect_error("ValidationException", "Provided list of item keys contains duplicates",
                 ddb.batch_write_item, RequestItems={table: [{"PutRequest": {"Item": key(1)}},
                                                             {"DeleteRequest": {"Key": key(1)}}]})
    code, _, _ = error_of(ddb.batch_write_item, RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}]})
    assert code == "ValidationException"
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 0
    expect_error_ddb(server, "ResourceNotFoundException", "Requested resource not found",
                     ddb.batch_get_item, RequestItems={"compat-nope": {"Keys": [key(1)]}})
    expect_error_ddb(server, "ResourceNotFoundException", "Requested resource not found",
                     ddb.batch_write_item, RequestItems={"compat-nope": [{"PutRequest": {"Item": key(1)}}]})


def test_batch_duplicate_numeric_keys(server, ddb, make_table):
    documented_only(server, "numbers compare by value, so 1 and 1.0 are the same key; DynamoDB "
                            "Local (1.11.478 and 3.3.1) compares their text in its duplicate check")
    t = make_table("btn", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "N"}])
    k1, k2 = {"pk": {"S": "a"}, "sk": {"N": "1"}}, {"pk": {"S": "a"}, "sk": {"N": "1.0"}}
    expect_error("ValidationException", "Provided list of item keys contains duplicates",
                 ddb.batch_get_item, RequestItems={t: {"Keys": [k1, k2]}})
    expect_error("ValidationException", "Provided list of item keys contains duplicates",
                 ddb.batch_write_item, RequestItems={t: [{"PutRequest": {"Item": k1}},
                                                         {"PutRequest": {"Item": k2}}]})


def test_transact_write_all_or_nothing(ddb, table):
    ddb.put_item(TableName=table, Item=dict(key(1), n={"N": "1"}))
    ddb.put_item(TableName=table, Item=dict(key(2), n={"N": "2"}))
    ddb.put_item(TableName=table, Item=key(5))
    out = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": dict(key(3), n={"N": "3"}),
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": table, "Key": key(1), "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": table, "Key": key(2)}},
        {"ConditionCheck": {"TableName": table, "Key": key(5), "ConditionExpression": "attribute_exists(pk)"}},
    ], ClientRequestToken="tok-1")
    assert "ConsumedCapacity" not in out or out["ConsumedCapacity"]
    items = {i["pk"]["S"]: i for i in ddb.scan(TableName=table)["Items"]}
    assert sorted(items) == ["k001", "k003", "k005"]
    assert items["k001"]["n"] == {"N": "2"}
    code, msg, resp = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table, "Item": dict(key(4), n={"N": "4"})}},
        {"Update": {"TableName": table, "Key": key(1), "UpdateExpression": "SET n = :z",
                    "ConditionExpression": "n = :wrong",
                    "ExpressionAttributeValues": {":z": {"N": "0"}, ":wrong": {"N": "99"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Delete": {"TableName": table, "Key": key(3)}},
    ])
    assert code == "TransactionCanceledException"
    assert msg == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                   "[None, ConditionalCheckFailed, None]")
    reasons = resp["CancellationReasons"]
    assert reasons[0] == {"Code": "None"} and reasons[2] == {"Code": "None"}
    assert reasons[1]["Code"] == "ConditionalCheckFailed"
    assert reasons[1]["Message"] == "The conditional request failed"
    assert reasons[1]["Item"] == dict(key(1), n={"N": "2"})
    # A failed ConditionCheck's reason ends with a full stop, and only that
    # one (libraries compare the text DynamoDB Local writes).
    code, msg, resp = error_of(ddb.transact_write_items, TransactItems=[
        {"ConditionCheck": {"TableName": table, "Key": key(1), "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Put": {"TableName": table, "Item": key(9), "ConditionExpression": "attribute_exists(pk)"}},
    ])
    assert code == "TransactionCanceledException"
    assert resp["CancellationReasons"] == [
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed."},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}]
    items = {i["pk"]["S"]: i for i in ddb.scan(TableName=table)["Items"]}
    assert sorted(items) == ["k001", "k003", "k005"] and items["k001"]["n"] == {"N": "2"}


def test_transact_write_validation(server, ddb, table):
    expect_error("ValidationException", "Transaction request cannot include multiple operations on one item",
                 ddb.transact_write_items, TransactItems=[
                     {"Put": {"TableName": table, "Item": key(1)}},
                     {"Delete": {"TableName": table, "Key": key(1)}}])
    code, _, _ = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table, "Item": key(i)}} for i in range(101)])
    assert code == "ValidationException"
    expect_error_ddb(server, "ResourceNotFoundException", "Requested resource not found",
                     ddb.transact_write_items, TransactItems=[{"Put": {"TableName": "compat-nope", "Item": key(1)}}])
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 0


def test_transaction_validation_error_reason(server, ddb, table):
    documented_only(server, "an update that fails on the stored item (here a number overflow) "
                            "cancels the transaction with a ValidationError reason (TransactWriteItems "
                            "reference, cancellation reason codes); DynamoDB Local answers a plain "
                            "ValidationException")
    ddb.put_item(TableName=table, Item=dict(key(1), n={"N": "1" + "0" * 36 + "1"}))
    code, msg, resp = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table, "Item": key(2)}},
        {"Update": {"TableName": table, "Key": key(1), "UpdateExpression": "SET n = n + :d",
                    "ExpressionAttributeValues": {":d": {"N": "0.1"}}}}])
    assert code == "TransactionCanceledException"
    assert [r["Code"] for r in resp["CancellationReasons"]] == ["None", "ValidationError"]


def test_transact_get(ddb, table, make_table):
    other = make_table("bt3")
    ddb.put_item(TableName=table, Item=dict(key(1), a={"S": "x"}, b={"S": "y"}))
    ddb.put_item(TableName=other, Item=dict(key(2), c={"N": "1"}))
    out = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table, "Key": key(1), "ProjectionExpression": "a"}},
        {"Get": {"TableName": table, "Key": key(9)}},
        {"Get": {"TableName": other, "Key": key(2)}}])
    assert out["Responses"] == [{"Item": {"a": {"S": "x"}}}, {}, {"Item": dict(key(2), c={"N": "1"})}]
    expect_error("ValidationException", "Transaction request cannot include multiple operations on one item",
                 ddb.transact_get_items, TransactItems=[{"Get": {"TableName": table, "Key": key(1)}},
                                                        {"Get": {"TableName": table, "Key": key(1)}}])


def test_transact_write_client_request_token(server, ddb, table):
    # A repeat with the same ClientRequestToken and TransactItems (an SDK
    # retry after a lost answer) changes nothing; the same token with other
    # TransactItems is refused; a cancelled transaction leaves its token unused.
    def add(token, by, **kw):
        return ddb.transact_write_items(ClientRequestToken=token, TransactItems=[
            {"Update": {"TableName": table, "Key": key(1), "UpdateExpression": "ADD n :by",
                        "ConditionExpression": "attribute_not_exists(stop)",
                        "ExpressionAttributeValues": {":by": {"N": str(by)}}}}], **kw)

    token = "tok-" + server.name
    add(token, 1)
    add(token, 1)
    assert ddb.get_item(TableName=table, Key=key(1))["Item"]["n"] == {"N": "1"}
    # Other members than TransactItems do not count; the repeat's capacity
    # is that of reading the item (2 units for a transactional read <= 4 KB).
    out = add(token, 1, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 2.0}]
    code, _, _ = error_of(add, token, 2)
    assert code == "IdempotentParameterMismatchException"
    assert ddb.get_item(TableName=table, Key=key(1))["Item"]["n"] == {"N": "1"}

    ddb.put_item(TableName=table, Item=dict(key(1), n={"N": "1"}, stop={"BOOL": True}))
    code, _, _ = error_of(add, token + "-2", 5)
    assert code == "TransactionCanceledException"
    ddb.put_item(TableName=table, Item=dict(key(1), n={"N": "1"}))
    add(token + "-2", 5)
    add(token + "-2", 5)
    assert ddb.get_item(TableName=table, Key=key(1))["Item"]["n"] == {"N": "6"}
    expect_error("ValidationException",
                 re.compile("at 'clientRequestToken' failed to satisfy constraint: Member must have length less "
                            "than or equal to 36$"),
                 add, "x" * 37, 1)


def test_transact_write_empty_client_request_token(server, raw, table):
    documented_only(server, "the API reference gives ClientRequestToken a length of 1 to 36; "
                            "DynamoDB Local 3.3.1 accepts an empty one")
    # (raw JSON: botocore checks the minimum length itself.)
    st, _, out = raw("TransactWriteItems", {"ClientRequestToken": "", "TransactItems": [
        {"Put": {"TableName": table, "Item": key(1)}}]})
    assert st == 400 and out["__type"].endswith("#ValidationException")
    assert out["message"] == ("1 validation error detected: Value '' at 'clientRequestToken' failed to "
                              "satisfy constraint: Member must have length greater than or equal to 1")


def _index_table(make_table):
    return make_table(
        "btix", AttributeDefinitions=[{"AttributeName": a, "AttributeType": t}
                                      for a, t in (("pk", "S"), ("sk", "N"), ("g", "S"), ("l", "N"))],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        LocalSecondaryIndexes=[{"IndexName": "byl", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                  {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}])


def test_transact_write_capacity_counts_indexes(ddb, make_table):
    # A transactional write pays twice the plain units on the table and on
    # each index whose entry it adds, changes or removes (a GSI key moved is
    # a delete and a put there); INDEXES names the indexes, TOTAL sums them.
    t = _index_table(make_table)
    ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}, "l": {"N": "5"}})
    out = ddb.transact_write_items(ReturnConsumedCapacity="INDEXES", TransactItems=[
        {"Put": {"TableName": t, "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}, "g": {"S": "y"}, "l": {"N": "1"}}}},
        {"Put": {"TableName": t, "Item": {"pk": {"S": "c"}, "sk": {"N": "1"}}}},
        {"Update": {"TableName": t, "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "UpdateExpression": "SET g = :g",
                    "ExpressionAttributeValues": {":g": {"S": "z"}}}}])
    assert out["ConsumedCapacity"] == [{
        "TableName": t, "CapacityUnits": 16.0, "Table": {"CapacityUnits": 6.0},
        "GlobalSecondaryIndexes": {"byg": {"CapacityUnits": 6.0}},
        "LocalSecondaryIndexes": {"byl": {"CapacityUnits": 4.0}}}]
    out = ddb.transact_write_items(ReturnConsumedCapacity="TOTAL", TransactItems=[
        {"Delete": {"TableName": t, "Key": {"pk": {"S": "b"}, "sk": {"N": "1"}}}}])
    assert out["ConsumedCapacity"] == [{"TableName": t, "CapacityUnits": 6.0}]


def test_transact_write_index_key_type_reason(ddb, make_table):
    # A Put whose GSI or LSI key attribute has another type than the index's
    # is that action's ValidationError reason, as a wrongly typed table key
    # is (DynamoDB Local 3.3.1), beside the others' reasons; it names no
    # item, so a later action on the same key is not "one item twice". Other
    # faults of an index key (a set, an empty string) fail the whole call.
    table = _index_table(make_table)
    index_type = "One or more parameter values were invalid: Type mismatch for Index Key"
    code, msg, resp = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table, "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"N": "5"}}}},
        {"Put": {"TableName": table, "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}, "l": {"S": "x"}}}},
        {"Delete": {"TableName": table, "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "z"}, "sk": {"N": "1"}},
                            "ConditionExpression": "attribute_exists(pk)"}}])
    assert code == "TransactionCanceledException"
    assert msg == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                   "[ValidationError, ValidationError, None, ConditionalCheckFailed]")
    assert resp["CancellationReasons"] == [
        {"Code": "ValidationError", "Message": index_type},
        {"Code": "ValidationError", "Message": index_type},
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed."}]
    code, _, resp = error_of(ddb.execute_transaction, TransactStatements=[
        {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 'q', 'sk': 1, 'g': 5}" % table},
        {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 'r', 'sk': 1}" % table}])
    assert code == "TransactionCanceledException"
    assert resp["CancellationReasons"] == [{"Code": "ValidationError", "Message": index_type},
                                           {"Code": "None"}]
    expect_error("ValidationException", "Invalid attribute value type", ddb.transact_write_items,
                 TransactItems=[{"Put": {"TableName": table, "Item": {
                     "pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"SS": ["x"]}}}}])
    expect_error("ValidationException", index_type, ddb.put_item, TableName=table,
                 Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"N": "5"}})
    assert ddb.scan(TableName=table)["Items"] == []


def test_transact_write_capacity_sums_equal_actions(server, ddb, make_table):
    documented_only(server, "its transactions count actions of equal cost once (a set of"
                            " ConsumedCapacity values): two Puts of small items cost 2 units, not 4")
    t = _index_table(make_table)
    out = ddb.transact_write_items(ReturnConsumedCapacity="INDEXES", TransactItems=[
        {"Put": {"TableName": t, "Item": {"pk": {"S": "b"}, "sk": {"N": str(i)}}}} for i in range(3)]
        + [{"ConditionCheck": {"TableName": t, "Key": {"pk": {"S": "c"}, "sk": {"N": "1"}},
                               "ConditionExpression": "attribute_not_exists(pk)"}}])
    assert out["ConsumedCapacity"] == [{"TableName": t, "CapacityUnits": 8.0, "Table": {"CapacityUnits": 8.0}}]


TYPE_MISMATCH = "One or more parameter values were invalid: Type mismatch for key"
KEY_TOO_LONG = ("Hash primary key values must be under 2048 bytes, and range primary key values must be "
                "under 1024 bytes")


def test_transact_write_key_value_reasons(ddb, table):
    # A key value of the wrong type or over its size limit, in any kind of
    # action, is that action's ValidationError cancellation reason beside the
    # others' reasons, in action order (DynamoDB Local 3.3.1; the
    # TransactWriteItems reference lists these among the ValidationError
    # messages). Nothing is written.
    ddb.put_item(TableName=table, Item=dict(key(1), n={"N": "1"}))
    code, msg, resp = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table, "Item": key(2)}},
        {"Put": {"TableName": table, "Item": {"pk": {"N": "1"}, "sk": {"S": "s"}}}},
        {"Update": {"TableName": table, "Key": {"pk": {"S": "k001"}, "sk": {"S": "y" * 1025}},
                    "UpdateExpression": "SET n = :v", "ExpressionAttributeValues": {":v": {"N": "2"}}}},
        {"ConditionCheck": {"TableName": table, "Key": key(1), "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Delete": {"TableName": table, "Key": {"pk": {"S": "k003"}, "sk": {"B": b"x"}}}},
        {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "x" * 2049}, "sk": {"S": "s"}},
                            "ConditionExpression": "attribute_exists(pk)"}},
    ])
    assert code == "TransactionCanceledException"
    assert msg == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                   "[None, ValidationError, ValidationError, ConditionalCheckFailed, ValidationError, "
                   "ValidationError]")
    assert resp["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ValidationError", "Message": TYPE_MISMATCH},
        {"Code": "ValidationError", "Message": KEY_TOO_LONG},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed."},
        {"Code": "ValidationError", "Message": TYPE_MISMATCH},
        {"Code": "ValidationError", "Message": KEY_TOO_LONG}]
    # The first fault of a key ends its checks: the hash key's wrong type
    # hides the empty sort key and the update of a key attribute.
    code, _, resp = error_of(ddb.transact_write_items, TransactItems=[
        {"Update": {"TableName": table, "Key": {"pk": {"N": "1"}, "sk": {"S": ""}},
                    "UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": {":v": {"S": "v"}}}},
        {"Put": {"TableName": table, "Item": {"pk": {"S": "x" * 2049}, "sk": {"N": "1"}}}}])
    assert code == "TransactionCanceledException"
    assert resp["CancellationReasons"] == [{"Code": "ValidationError", "Message": TYPE_MISMATCH},
                                           {"Code": "ValidationError", "Message": KEY_TOO_LONG}]
    # Two actions with the same wrongly typed key are not one item twice.
    code, _, resp = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table, "Item": {"pk": {"N": "1"}, "sk": {"S": "s"}}}},
        {"Delete": {"TableName": table, "Key": {"pk": {"N": "1"}, "sk": {"S": "s"}}}}])
    assert code == "TransactionCanceledException"
    assert [r["Code"] for r in resp["CancellationReasons"]] == ["ValidationError", "ValidationError"]
    assert ddb.scan(TableName=table)["Items"] == [dict(key(1), n={"N": "1"})]


def test_transact_write_key_faults_that_fail_the_call(server, ddb, table):
    # Every other fault of a key fails the whole call, even after an action
    # whose key has the wrong type (DynamoDB Local 3.3.1).
    wrong = {"Put": {"TableName": table, "Item": {"pk": {"N": "1"}, "sk": {"S": "s"}}}}
    expect_error("ValidationException", "One of the required keys was not given a value",
                 ddb.transact_write_items, TransactItems=[wrong, {"Put": {"TableName": table, "Item": {"pk": {"S": "a"}}}}])
    expect_error("ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                 "contain an empty string value. Key: pk",
                 ddb.transact_write_items, TransactItems=[
                     wrong, {"Delete": {"TableName": table, "Key": {"pk": {"S": ""}, "sk": {"N": "1"}}}}])
    # (3.3.1: "The number of conditions on the keys is invalid")
    expect_error_ddb(server, "ValidationException", "The provided key element does not match the schema",
                     ddb.transact_write_items, TransactItems=[
                         wrong, {"Delete": {"TableName": table, "Key": dict(key(1), x={"S": "1"})}}])
    expect_error("ValidationException", "Invalid attribute value type",
                 ddb.transact_write_items, TransactItems=[
                     wrong, {"Delete": {"TableName": table, "Key": {"pk": {"SS": ["a"]}, "sk": {"N": "1"}}}}])
    expect_error("ValidationException", "Transaction request cannot include multiple operations on one item",
                 ddb.transact_write_items, TransactItems=[
                     wrong, {"Put": {"TableName": table, "Item": key(1)}},
                     {"Delete": {"TableName": table, "Key": key(1)}}])
    expect_error_ddb(server, "ResourceNotFoundException", "Requested resource not found",
                     ddb.transact_write_items, TransactItems=[
                         wrong, {"Put": {"TableName": "compat-nope", "Item": key(1)}}])
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 0


def test_transact_write_key_fault_keeps_token_unused(ddb, table):
    # A transaction cancelled for a key's type is not remembered under its
    # ClientRequestToken: a repeat is cancelled again, and the token still
    # serves other TransactItems (DynamoDB Local 3.3.1).
    bad = [{"Put": {"TableName": table, "Item": key(1)}},
           {"Put": {"TableName": table, "Item": {"pk": {"N": "1"}, "sk": {"S": "s"}}}}]
    for _ in range(2):
        code, _, resp = error_of(ddb.transact_write_items, TransactItems=bad, ClientRequestToken="tok-key")
        assert code == "TransactionCanceledException"
        assert resp["CancellationReasons"] == [{"Code": "None"},
                                               {"Code": "ValidationError", "Message": TYPE_MISMATCH}]
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 0
    ddb.transact_write_items(TransactItems=bad[:1], ClientRequestToken="tok-key")
    ddb.transact_write_items(TransactItems=bad[:1], ClientRequestToken="tok-key")
    assert ddb.scan(TableName=table)["Items"] == [key(1)]
    code, _, _ = error_of(ddb.transact_write_items, TransactItems=bad, ClientRequestToken="tok-key")
    assert code == "IdempotentParameterMismatchException"
