"""What is checked before a table is looked up.

BatchWriteItem and BatchGetItem check their items and keys (values, sizes,
counts, duplicate keys in BatchGetItem) before they look up any table, as
DynamoDB Local 3.3.1 does: both servers give the same answers for requests
naming a table that does not exist. A member of the wrong JSON type is a
SerializationException before anything else, in every operation, as
DynamoDB documents; DynamoDB Local answers those with unrelated errors, a
500, or accepts them (FINDINGS.md), so that test runs on cruddur only."""
import json

import pytest
from conftest import documented_only

MISSING = "compat-no-such-table"
BIG = "x" * (400 * 1024 + 1)
EMPTY_AV = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
MULTI_AV = ("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
            "supported datatypes")
NOT_NUM = "A value provided cannot be converted into a number"
TOO_BIG = "Item size has exceeded the maximum allowed size"
DUPS = "Provided list of item keys contains duplicates"


def k(i):
    return {"pk": {"S": "k%d" % i}}


def put(item):
    return {"PutRequest": {"Item": item}}


def message(out):
    return out.get("message") or out.get("Message")


def assert_error(raw, op, body, etype, msg):
    st, _, out = raw(op, body)
    assert st == 400, out
    assert out["__type"].split("#")[-1] == etype, out
    if msg is not None:
        assert message(out) == msg


@pytest.mark.parametrize("items,msg", [
    ({MISSING: [put({"pk": {"S": "a"}, "d": {"S": BIG}})]}, TOO_BIG),
    ({MISSING: [{"DeleteRequest": {"Key": {"pk": {"S": BIG}}}}]}, TOO_BIG),
    ({MISSING: [put({"pk": {"X": "a"}})]}, EMPTY_AV),
    ({MISSING: [{"DeleteRequest": {"Key": {"pk": {"X": "a"}}}}]}, EMPTY_AV),
    ({MISSING: [put({"pk": {"S": "a", "N": "1"}})]}, MULTI_AV),
    ({MISSING: [put({"pk": {"N": "abc"}})]}, NOT_NUM),
    ({MISSING: [put({"pk": {"SS": []}})]},
     "One or more parameter values were invalid: An string set  may not be empty"),
    ({MISSING: [put({"pk": {"S": "a"}, "m": {"M": {"x": {"SS": ["a", "a"]}}}})]},
     "One or more parameter values were invalid: Input collection [a, a] contains duplicates"),
    ({MISSING: [put({"pk": {"S": "a"}, "l": {"L": [{"NULL": False}]}})]},
     "One or more parameter values were invalid: Null attribute value types must have the value of true"),
    ({MISSING: [{"PutRequest": {}}]}, "The supplied Item contains a null AttributeValue"),
    ({MISSING: [{"DeleteRequest": {}}]}, "The supplied Item contains a null AttributeValue"),
    # every table's requests are checked before any table is looked up
    ({MISSING: [put(k(1))], MISSING + "-2": [put({"pk": {"N": "x"}})]}, NOT_NUM),
    # a request is counted before it is checked
    ({MISSING: [put(k(i)) for i in range(25)] + [put({"pk": {"N": "x"}})]},
     "Too many items requested for the BatchWriteItem call"),
    ({MISSING: [put({"pk": {"N": "x"}})] + [put(k(i)) for i in range(25)]}, NOT_NUM),
    # and tables are taken in request order
    ({MISSING: [put({"pk": {"N": "x"}})], MISSING + "-2": []}, NOT_NUM),
    ({MISSING: [put(k(1))], MISSING + "-2": []},
     "The batch write request list for a table cannot be null or empty: " + MISSING + "-2"),
])
def test_batch_write_checks_items_before_the_table(server, raw, items, msg):
    assert_error(raw, "BatchWriteItem", {"RequestItems": items}, "ValidationException", msg)


@pytest.mark.parametrize("items,msg", [
    ({MISSING: {"Keys": [k(1), k(1)]}}, DUPS),
    ({MISSING: {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}}, {"sk": {"N": "1"}, "pk": {"S": "a"}}]}}, DUPS),
    ({MISSING: {"Keys": [k(1)]}, MISSING + "-2": {"Keys": [k(1), k(1)]}}, DUPS),
    ({MISSING: {"Keys": [{"pk": {"X": "a"}}]}}, EMPTY_AV),
    ({MISSING: {"Keys": [{"pk": {"N": "x"}}]}}, NOT_NUM),
    ({MISSING: {"Keys": [{"pk": {"SS": []}}]}},
     "One or more parameter values were invalid: An string set  may not be empty"),
    ({MISSING: {"Keys": [{"pk": {"S": BIG}}]}}, TOO_BIG),
    ({MISSING: {"Keys": [{}]}},
     "The list of keys in RequestItems for BatchGetItem may not contain null or empty values: "
     + MISSING + " has one or more empty keys"),
    ({MISSING: {"Keys": [k(1)], "ExpressionAttributeNames": {"#a": "x"}}},
     "ExpressionAttributeNames can only be specified when using expressions"),
    # keys are checked one by one, a repeat when it is reached, then counted
    ({MISSING: {"Keys": [k(1), {"pk": {"N": "x"}}, k(1)]}}, NOT_NUM),
    ({MISSING: {"Keys": [k(1), k(1), {"pk": {"N": "x"}}]}}, DUPS),
    ({MISSING: {"Keys": [k(i) for i in range(100)] + [{"pk": {"N": "x"}}]}}, NOT_NUM),
    ({MISSING: {"Keys": [k(i) for i in range(100)] + [k(0)]}}, DUPS),
    ({MISSING: {"Keys": [k(1)] * 101}}, DUPS),
    ({MISSING: {"Keys": [k(i) for i in range(60)]}, MISSING + "-2": {"Keys": [k(i) for i in range(41)] + [k(0)]}},
     "Too many items requested for the BatchGetItem call"),
    ({MISSING + "-2": {"Keys": [k(i) for i in range(101)]}, MISSING: {"Keys": []}},
     "Too many items requested for the BatchGetItem call"),
    ({MISSING: {"Keys": []}, MISSING + "-2": {"Keys": [k(i) for i in range(101)]}},
     "The list of keys in RequestItems for BatchGetItem is required: " + MISSING + " has empty list"),
])
def test_batch_get_checks_keys_before_the_table(server, raw, items, msg):
    assert_error(raw, "BatchGetItem", {"RequestItems": items}, "ValidationException", msg)


@pytest.mark.parametrize("projection", ["a b", "#a"])
def test_batch_get_parses_its_projection_after_the_table(server, raw, projection):
    # DynamoDB Local finds the table before it reads the projection.
    assert_error(raw, "BatchGetItem", {"RequestItems": {MISSING: {
        "Keys": [k(1)], "ProjectionExpression": projection}}}, "ResourceNotFoundException", None)


def wrongly_typed(table):
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    return [
        ("GetItem", {"TableName": table, "Key": {"pk": {"S": 5}, "sk": {"S": "b"}}}),
        ("GetItem", {"TableName": table, "Key": key, "ConsistentRead": 1}),
        ("GetItem", {"TableName": table, "Key": key, "ConsistentRead": "true"}),
        ("GetItem", {"TableName": table, "Key": key, "ExpressionAttributeNames": {"#a": 5},
                     "ProjectionExpression": "#a"}),
        ("PutItem", {"TableName": table, "Item": dict(key, b={"BOOL": "x"})}),
        ("PutItem", {"TableName": table, "Item": dict(key, l={"L": [{"N": 1}]})}),
        ("PutItem", {"TableName": table, "Item": dict(key, m={"M": {"x": {"SS": [1]}}})}),
        ("PutItem", {"TableName": table, "Item": dict(key, v="plain")}),
        ("PutItem", {"TableName": table, "Item": []}),
        ("PutItem", {"TableName": table, "Item": key, "ReturnValues": 5}),
        ("PutItem", {"TableName": table, "Item": key, "ConditionExpression": "attribute_exists(#p)",
                     "ExpressionAttributeNames": {"#p": "pk"}, "ExpressionAttributeValues": {":v": {"N": 5}}}),
        ("DeleteItem", {"TableName": table, "Key": key, "ReturnValues": True}),
        ("UpdateItem", {"TableName": table, "Key": key, "UpdateExpression": ["SET a = :v"]}),
        ("Query", {"TableName": table, "KeyConditionExpression": "pk = :v",
                   "ExpressionAttributeValues": {":v": {"S": "a"}}, "Limit": "x"}),
        ("Query", {"TableName": table, "KeyConditionExpression": "pk = :v",
                   "ExpressionAttributeValues": {":v": {"S": "a"}}, "Limit": "5"}),
        ("Query", {"TableName": table, "KeyConditionExpression": "pk = :v",
                   "ExpressionAttributeValues": {":v": {"S": "a"}}, "Limit": 1.5}),
        ("Query", {"TableName": table, "KeyConditionExpression": "pk = :v",
                   "ExpressionAttributeValues": {":v": {"S": "a"}}, "ScanIndexForward": "no"}),
        ("Query", {"TableName": table, "KeyConditionExpression": 5}),
        ("Query", {"TableName": table, "KeyConditionExpression": "pk = :v",
                   "ExpressionAttributeValues": {":v": {"S": "a"}}, "ExclusiveStartKey": {"pk": "a"}}),
        ("Scan", {"TableName": table, "Limit": "x"}),
        ("Scan", {"TableName": table, "Segment": "0", "TotalSegments": 2}),
        ("Scan", {"TableName": table, "ExpressionAttributeNames": []}),
        ("BatchGetItem", {"RequestItems": {table: {"Keys": [key], "ConsistentRead": "x"}}}),
        ("BatchGetItem", {"RequestItems": {table: {"Keys": [{"pk": {"S": 5}, "sk": {"S": "b"}}]}}}),
        ("BatchGetItem", {"RequestItems": {table: {"Keys": {"pk": {"S": "a"}}}}}),
        ("BatchWriteItem", {"RequestItems": {table: [put(dict(key, n={"N": 5}))]}}),
        ("BatchWriteItem", {"RequestItems": {table: {"PutRequest": {"Item": key}}}}),
        ("TransactGetItems", {"TransactItems": [{"Get": {"TableName": table, "Key": {"pk": {"S": 5}}}}]}),
        ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": table, "Item": dict(key, n={"N": 5})}}]}),
        ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": table, "Item": key}}],
                                "ClientRequestToken": 5}),
        ("ExecuteStatement", {"Statement": 'SELECT * FROM "%s"' % table, "Limit": "x"}),
        ("ExecuteStatement", {"Statement": 'SELECT * FROM "%s"' % table, "ConsistentRead": 1}),
        ("ExecuteStatement", {"Statement": 'INSERT INTO "%s" VALUE {\'pk\': ?, \'sk\': ?}' % table,
                              "Parameters": [{"S": "a"}, {"S": 5}]}),
        ("BatchExecuteStatement", {"Statements": [{"Statement": 'SELECT * FROM "%s"' % table,
                                                   "ConsistentRead": "yes"}]}),
        ("ExecuteTransaction", {"TransactStatements": [{"Statement": 'SELECT * FROM "%s"' % table,
                                                        "Parameters": {"S": "a"}}]}),
        ("UpdateTable", {"TableName": table, "BillingMode": 5}),
        ("UpdateTimeToLive", {"TableName": table,
                              "TimeToLiveSpecification": {"Enabled": "yes", "AttributeName": "t"}}),
        ("DescribeTable", {"TableName": 5}),
        ("ListTables", {"Limit": "x"}),
    ]


@pytest.mark.parametrize("existing", [False, True], ids=["missing-table", "existing-table"])
def test_wrongly_typed_members_are_serialization_errors(server, raw, make_table, existing):
    documented_only(server, "DynamoDB reads the request into its model first, so a member of the "
                            "wrong JSON type is a SerializationException; DynamoDB Local 3.3.1 answers "
                            "ResourceNotFoundException, a 500 InternalFailure, or accepts the value")
    table = make_table("vo") if existing else MISSING
    for op, body in wrongly_typed(table):
        st, _, out = raw(op, body)
        assert st == 400, (op, body, out)
        assert out["__type"].endswith("#SerializationException"), (op, json.dumps(body), out)
    if existing:
        st, _, out = raw("Scan", {"TableName": table})
        assert st == 200 and out["Count"] == 0  # nothing was written
