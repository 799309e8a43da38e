"""The legacy parameters (from before expressions): KeyConditions,
QueryFilter, ScanFilter, ConditionalOperator, Expected, AttributesToGet and
AttributeUpdates, with their validation and the refusal to mix them with
expressions. Raw JSON, so that both servers see exactly the same request."""
import pytest
from conftest import documented_only

T_KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
          "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                   {"AttributeName": "sk", "AttributeType": "N"}]}
K1 = {"pk": {"S": "p"}, "sk": {"N": "1"}}


@pytest.fixture
def lt(make_table, raw):
    name = make_table("legacy", **T_KEYS)
    for i in range(6):
        st, _, out = raw("PutItem", {"TableName": name, "Item": {
            "pk": {"S": "p"}, "sk": {"N": str(i)}, "n": {"N": str(i * 10)}, "s": {"S": "ab%d" % i},
            "ss": {"SS": ["x", "y%d" % i]}}})
        assert st == 200, out
    return name


def ok(raw, op, body):
    st, _, out = raw(op, body)
    assert st == 200, out
    return out


def fails(raw, op, body, code, message):
    st, _, out = raw(op, body)
    assert st == 400, out
    assert out["__type"].split("#")[1] == code, out
    assert (out.get("message") or out.get("Message")) == message
    return out


def sks(out):
    return [int(i["sk"]["N"]) for i in out["Items"]]


def test_query_and_scan(raw, lt):
    eq_p = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}}
    out = ok(raw, "Query", {"TableName": lt, "KeyConditions": dict(eq_p, sk={
        "ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "3"}]})})
    assert sks(out) == [1, 2, 3]
    out = ok(raw, "Query", {"TableName": lt, "KeyConditions": eq_p, "ConditionalOperator": "OR",
                            "QueryFilter": {"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "35"}]},
                                            "s": {"ComparisonOperator": "BEGINS_WITH",
                                                  "AttributeValueList": [{"S": "ab1"}]}},
                            "AttributesToGet": ["sk", "n"]})
    assert out["Items"] == [{"sk": {"N": str(i)}, "n": {"N": str(i * 10)}} for i in (1, 4, 5)]
    out = ok(raw, "Query", {"TableName": lt, "KeyConditions": dict(eq_p, sk={
        "ComparisonOperator": "GE", "AttributeValueList": [{"N": "4"}]}),
        "QueryFilter": {"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "y5"}]}}})
    assert sks(out) == [5] and out["ScannedCount"] == 2
    out = ok(raw, "Scan", {"TableName": lt, "ScanFilter": {
        "n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "10"}, {"N": "30"}]}}})
    assert sorted(sks(out)) == [1, 3]
    out = ok(raw, "Scan", {"TableName": lt, "ScanFilter": {
        "zz": {"ComparisonOperator": "NULL"}, "n": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "20"}]}}})
    assert sorted(sks(out)) == [0, 1]
    # NOT_CONTAINS is false on a missing attribute (NOT contains() is true).
    out = ok(raw, "Scan", {"TableName": lt, "Select": "COUNT", "ScanFilter": {
        "s": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "3"}]},
        "n": {"ComparisonOperator": "NOT_NULL"}}})
    assert out["Count"] == 5
    out = ok(raw, "Scan", {"TableName": lt, "Select": "COUNT", "ScanFilter": {
        "zz": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "3"}]}}})
    assert out["Count"] == 0


def test_get_and_batch_get_attributes_to_get(raw, lt):
    out = ok(raw, "GetItem", {"TableName": lt, "Key": K1, "AttributesToGet": ["n", "s", "nope"]})
    assert out["Item"] == {"n": {"N": "10"}, "s": {"S": "ab1"}}
    out = ok(raw, "BatchGetItem", {"RequestItems": {lt: {"Keys": [K1], "AttributesToGet": ["s"]}}})
    assert out["Responses"] == {lt: [{"s": {"S": "ab1"}}]}
    fails(raw, "GetItem", {"TableName": lt, "Key": K1, "AttributesToGet": ["n", "n"]},
          "ValidationException", "Cannot have two attributes with the same name")


def test_expected(raw, lt):
    put = {"TableName": lt, "Item": dict(K1, v={"N": "1"})}
    out = ok(raw, "PutItem", dict(put, ReturnValues="ALL_OLD", Expected={
        "n": {"Value": {"N": "10"}}, "s": {"Exists": True, "Value": {"S": "ab1"}}}))
    assert out["Attributes"]["n"] == {"N": "10"}
    fails(raw, "PutItem", dict(put, Expected={"v": {"Exists": False}}),
          "ConditionalCheckFailedException", "The conditional request failed")
    ok(raw, "PutItem", dict(put, Expected={"v": {"Exists": False}, "zz": {"Exists": False}}, ConditionalOperator="OR"))
    ok(raw, "PutItem", dict(put, Expected={"v": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "1"}]}}))
    fails(raw, "DeleteItem", {"TableName": lt, "Key": K1, "Expected": {"v": {"Value": {"N": "99"}}}},
          "ConditionalCheckFailedException", "The conditional request failed")
    out = ok(raw, "DeleteItem", {"TableName": lt, "Key": K1, "ReturnValues": "ALL_OLD", "Expected": {
        "v": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "99"}]}}})
    assert out["Attributes"] == dict(K1, v={"N": "1"})


def test_attribute_updates(raw, lt):
    out = ok(raw, "UpdateItem", {"TableName": lt, "Key": K1, "ReturnValues": "ALL_NEW", "AttributeUpdates": {
        "a": {"Action": "PUT", "Value": {"S": "x"}}, "n": {"Action": "ADD", "Value": {"N": "5"}},
        "ss": {"Action": "DELETE", "Value": {"SS": ["x"]}}, "s": {"Action": "DELETE"},
        "l": {"Action": "ADD", "Value": {"L": [{"N": "1"}]}}}})
    assert out["Attributes"] == dict(K1, a={"S": "x"}, n={"N": "15"}, ss={"SS": ["y1"]}, l={"L": [{"N": "1"}]})
    # ADD of a list appends; the update may be conditional.
    out = ok(raw, "UpdateItem", {"TableName": lt, "Key": K1, "ReturnValues": "UPDATED_NEW", "AttributeUpdates": {
        "l": {"Action": "ADD", "Value": {"L": [{"N": "2"}]}}, "ss": {"Action": "ADD", "Value": {"SS": ["a"]}}},
        "Expected": {"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "15"}]}}})
    # (DynamoDB Local appends a legacy ADD's set members unsorted, where an
    # expression's ADD sorts them; cruddur sorts both: compared as sets.)
    assert out["Attributes"]["l"] == {"L": [{"N": "1"}, {"N": "2"}]}
    assert sorted(out["Attributes"]["ss"]["SS"]) == ["a", "y1"]


@pytest.mark.parametrize("op,body,message", [
    ("Query", {"KeyConditions": {"pk": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "p"}]}}},
     "Query key condition not supported"),
    ("Query", {"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
               "KeyConditionExpression": "pk = :p"},
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"),
    ("Scan", {"ScanFilter": {"n": {"ComparisonOperator": "EQ", "AttributeValueList": []}}},
     "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"),
    ("Scan", {"ScanFilter": {"n": {"ComparisonOperator": "LT", "AttributeValueList": [{"SS": ["a"]}]}}},
     "One or more parameter values were invalid: ComparisonOperator LT is not valid for SS AttributeValue type"),
    ("Scan", {"ConditionalOperator": "OR"}, "ConditionalOperator cannot be used without Filter or Expected"),
    ("PutItem", {"Item": K1, "Expected": {"v": {"Exists": True}}},
     "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: v"),
    ("PutItem", {"Item": K1, "Expected": {"v": {"Exists": True, "ComparisonOperator": "EQ",
                                                "AttributeValueList": [{"N": "1"}]}}},
     "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together "
     "for Attribute: v"),
    ("PutItem", {"Item": K1, "Expected": {"v": {"Exists": False}}, "ExpressionAttributeNames": {"#a": "b"}},
     "ExpressionAttributeNames can only be specified when using expressions"),
    ("PutItem", {"Item": K1, "Expected": {"v": {"Exists": False}}, "ConditionExpression": "attribute_exists(v)"},
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"),
    ("UpdateItem", {"Key": K1, "AttributeUpdates": {"n": {"Action": "ADD"}}},
     "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is "
     "specified"),
    ("UpdateItem", {"Key": K1, "AttributeUpdates": {"n": {"Action": "DELETE", "Value": {"N": "1"}}}},
     "One or more parameter values were invalid: DELETE action with value is not supported for the type NUMBER"),
    ("UpdateItem", {"Key": K1, "AttributeUpdates": {"n": {"Action": "PUT", "Value": {"N": "1"}}},
                    "UpdateExpression": "SET a = :b"},
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"),
    ("UpdateItem", {"Key": K1, "AttributeUpdates": {"sk": {"Action": "PUT", "Value": {"N": "1"}}}},
     "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"),
])
def test_validation(raw, lt, op, body, message):
    fails(raw, op, dict(body, TableName=lt), "ValidationException", message)


def test_attribute_update_without_action_is_a_put(server, raw, lt):
    documented_only(server, "AttributeValueUpdate's Action defaults to PUT; DynamoDB Local 3.3.1 "
                            "ignores an update without Action and answers 200")
    out = ok(raw, "UpdateItem", {"TableName": lt, "Key": K1, "ReturnValues": "UPDATED_NEW",
                                 "AttributeUpdates": {"b": {"Value": {"S": "y"}}}})
    assert out["Attributes"] == {"b": {"S": "y"}}
