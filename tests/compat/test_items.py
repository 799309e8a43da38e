"""Single-item operations: PutItem, GetItem, DeleteItem, UpdateItem with
every ReturnValues, conditions, update expressions, projections, number
normalisation, capacity, and their validation errors."""
import base64

import pytest
from botocore.exceptions import ClientError
from compatlib import error_of, expect_error, expect_error_ddb, strip_meta
from conftest import documented_only

K = {"pk": {"S": "p"}, "sk": {"S": "s"}}

ALL_TYPES = {
    "pk": {"S": "p"}, "sk": {"S": "s"},
    "s": {"S": "h\u00e9llo \u2603 \U0001F600"}, "n": {"N": "12345678901234567890123456789012345678"},
    "neg": {"N": "-0.000000000000000000000000000000000001"}, "b": {"B": b"\x00\xff\x10"},
    "t": {"BOOL": True}, "f": {"BOOL": False}, "nul": {"NULL": True},
    "m": {"M": {"x": {"S": "y"}, "deep": {"M": {"l": {"L": [{"N": "1"}, {"S": "two"}]}}}}},
    "l": {"L": [{"S": "a"}, {"N": "2"}, {"M": {}}, {"L": []}]},
    "ss": {"SS": ["b", "a", "c"]}, "ns": {"NS": ["3", "1", "2.5"]}, "bs": {"BS": [b"\x01", b"\x02"]},
}


def norm_sets(item):
    """Sets come back in any order: sort them for comparison."""
    out = {}
    for k, v in item.items():
        (t, x), = v.items()
        if t in ("SS", "BS"):
            out[k] = {t: sorted(x)}
        elif t == "NS":
            out[k] = {t: sorted(x, key=float)}
        elif t == "M":
            out[k] = {"M": norm_sets(x)}
        else:
            out[k] = v
    return out


@pytest.fixture
def table(make_table):
    return make_table("items")


def test_put_get_all_types(ddb, table):
    assert strip_meta(ddb.put_item(TableName=table, Item=ALL_TYPES)) == {}
    got = ddb.get_item(TableName=table, Key=K)
    assert norm_sets(got["Item"]) == norm_sets(ALL_TYPES)
    assert strip_meta(got).keys() == {"Item"}
    got = ddb.get_item(TableName=table, Key=K, ConsistentRead=True)
    assert norm_sets(got["Item"]) == norm_sets(ALL_TYPES)


def test_get_missing_item_has_no_item(ddb, table):
    assert strip_meta(ddb.get_item(TableName=table, Key={"pk": {"S": "zz"}, "sk": {"S": "zz"}})) == {}


@pytest.mark.parametrize("given,stored", [
    ("1.0", "1"), ("0.10", "0.1"), ("1E+2", "100"), ("-0", "0"), ("00012", "12"),
    ("1.5e-3", "0.0015"), ("123456789012345678901234567890.12345678", "123456789012345678901234567890.12345678"),
    ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + "0" * 88),
    ("1E-130", "0." + "0" * 129 + "1"),
])
def test_number_normalisation(ddb, table, given, stored):
    ddb.put_item(TableName=table, Item=dict(K, n={"N": given}, ns={"NS": [given, "7"]}))
    item = ddb.get_item(TableName=table, Key=K)["Item"]
    assert item["n"] == {"N": stored}
    assert sorted(item["ns"]["NS"]) == sorted([stored, "7"])


@pytest.mark.parametrize("bad", ["1E+126", "1E-131", "123456789012345678901234567890123456789", "abc", "1..2", ""])
def test_number_out_of_range(ddb, table, bad):
    code, msg, _ = error_of(ddb.put_item, TableName=table, Item=dict(K, n={"N": bad}))
    assert code == "ValidationException"


def test_number_too_many_digits_message(ddb, table):
    expect_error("ValidationException", "DynamoDB only supports precision up to 38 digits",
                 ddb.put_item, TableName=table, Item=dict(K, n={"N": "123456789012345678901234567890123456789"}))


def test_put_return_values(ddb, table):
    item1 = dict(K, v={"N": "1"})
    assert "Attributes" not in ddb.put_item(TableName=table, Item=item1, ReturnValues="ALL_OLD")
    item2 = dict(K, v={"N": "2"}, w={"S": "x"})
    out = ddb.put_item(TableName=table, Item=item2, ReturnValues="ALL_OLD")
    assert out["Attributes"] == item1
    out = ddb.put_item(TableName=table, Item=item1, ReturnValues="NONE")
    assert "Attributes" not in out
    for rv in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"):
        expect_error("ValidationException", "Return values set to invalid value",
                     ddb.put_item, TableName=table, Item=item1, ReturnValues=rv)


def test_delete_return_values(ddb, table):
    item = dict(K, v={"N": "1"})
    ddb.put_item(TableName=table, Item=item)
    assert ddb.delete_item(TableName=table, Key=K, ReturnValues="ALL_OLD")["Attributes"] == item
    assert "Attributes" not in ddb.delete_item(TableName=table, Key=K, ReturnValues="ALL_OLD")
    # (DynamoDB Local adds ConsumedCapacity here although it was not asked for.)
    assert "Attributes" not in ddb.delete_item(TableName=table, Key=K)
    expect_error("ValidationException", "Return values set to invalid value",
                 ddb.delete_item, TableName=table, Key=K, ReturnValues="ALL_NEW")


@pytest.mark.parametrize("rv,expected", [
    ("NONE", None),
    ("ALL_OLD", {"pk": {"S": "p"}, "sk": {"S": "s"}, "a": {"N": "1"}, "b": {"S": "keep"}, "c": {"S": "gone"}}),
    ("ALL_NEW", {"pk": {"S": "p"}, "sk": {"S": "s"}, "a": {"N": "6"}, "b": {"S": "keep"}, "d": {"S": "new"}}),
    ("UPDATED_OLD", {"a": {"N": "1"}, "c": {"S": "gone"}}),
    ("UPDATED_NEW", {"a": {"N": "6"}, "d": {"S": "new"}}),
])
def test_update_return_values(ddb, table, rv, expected):
    ddb.put_item(TableName=table, Item=dict(K, a={"N": "1"}, b={"S": "keep"}, c={"S": "gone"}))
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="SET a = a + :five, d = :d REMOVE c",
                          ExpressionAttributeValues={":five": {"N": "5"}, ":d": {"S": "new"}},
                          ReturnValues=rv)
    assert out.get("Attributes") == expected


def test_update_creates_item(ddb, table):
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="SET x = :x",
                          ExpressionAttributeValues={":x": {"S": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in out
    assert ddb.get_item(TableName=table, Key=K)["Item"] == dict(K, x={"S": "1"})
    # An update with only REMOVE on a missing item still creates the key-only item.
    k2 = {"pk": {"S": "p"}, "sk": {"S": "t"}}
    ddb.update_item(TableName=table, Key=k2, UpdateExpression="REMOVE nothing")
    assert ddb.get_item(TableName=table, Key=k2)["Item"] == k2


def test_update_expression_features(server, ddb, table):
    ddb.put_item(TableName=table, Item=dict(
        K, n={"N": "10"}, l={"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]},
        m={"M": {"a": {"M": {"b": {"S": "x"}}}}}, ss={"SS": ["a", "b"]}, ss2={"SS": ["b"]},
        ns={"NS": ["1"]}))
    out = ddb.update_item(
        TableName=table, Key=K, ReturnValues="ALL_NEW",
        UpdateExpression="SET n = n - :one, l = list_append(:front, l), m.a.c = :c, "
                         "#cnt = if_not_exists(#cnt, :zero) + :one, keep = if_not_exists(n, :zero) "
                         "REMOVE m.a.b ADD ss2 :more, ns :two, newn :one DELETE ss :less",
        ExpressionAttributeNames={"#cnt": "count"},
        ExpressionAttributeValues={":one": {"N": "1"}, ":front": {"L": [{"S": "f"}]}, ":c": {"BOOL": True},
                                   ":zero": {"N": "0"}, ":more": {"SS": ["c"]},
                                   ":two": {"NS": ["2"]}, ":less": {"SS": ["a"]}})
    a = out["Attributes"]
    assert a["n"] == {"N": "9"}
    assert a["l"] == {"L": [{"S": "f"}, {"N": "1"}, {"N": "2"}, {"N": "3"}]}
    assert a["m"] == {"M": {"a": {"M": {"c": {"BOOL": True}}}}}
    assert a["count"] == {"N": "1"}
    assert a["keep"] == {"N": "10"}
    assert a["ss"] == {"SS": ["b"]}
    assert sorted(a["ss2"]["SS"]) == ["b", "c"]
    assert sorted(a["ns"]["NS"]) == ["1", "2"]
    assert a["newn"] == {"N": "1"}
    # Deleting every element of a set removes the attribute.
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="SET l[1] = :v REMOVE l[3]",
                          ReturnValues="UPDATED_NEW", ExpressionAttributeValues={":v": {"S": "v"}})
    if server.name == "cruddur":
        # DynamoDB returns only the updated paths (l[1]) for UPDATED_NEW on nested
        # paths; DynamoDB Local returns the whole top-level attribute.
        assert out["Attributes"] == {"l": {"L": [{"S": "v"}]}}
    assert ddb.get_item(TableName=table, Key=K)["Item"]["l"] == {"L": [{"S": "f"}, {"S": "v"}, {"N": "2"}]}
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="DELETE ss :all", ReturnValues="UPDATED_NEW",
                          ExpressionAttributeValues={":all": {"SS": ["b", "zz"]}})
    assert "Attributes" not in out
    assert "ss" not in ddb.get_item(TableName=table, Key=K)["Item"]


def test_update_list_indexes_past_the_end_append_in_index_order(ddb, table):
    # Several indexes past the end of a list append in ascending index order,
    # whatever their order in the expression; indexes inside it replace.
    ddb.put_item(TableName=table, Item=dict(K, c={"L": [{"N": "1"}, {"N": "3"}]}))
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="SET c[4] = :y, c[2] = :z",
                          ExpressionAttributeValues={":y": {"S": "Y"}, ":z": {"S": "Z"}}, ReturnValues="ALL_NEW")
    assert out["Attributes"]["c"] == {"L": [{"N": "1"}, {"N": "3"}, {"S": "Z"}, {"S": "Y"}]}
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="SET c[9] = :a, c[0] = :b, c[7] = :c, c[5] = :d",
                          ExpressionAttributeValues={":a": {"S": "a"}, ":b": {"S": "b"}, ":c": {"S": "c"},
                                                     ":d": {"S": "d"}}, ReturnValues="ALL_NEW")
    assert out["Attributes"]["c"] == {"L": [{"S": "b"}, {"N": "3"}, {"S": "Z"}, {"S": "Y"}, {"S": "d"}, {"S": "c"},
                                            {"S": "a"}]}


def test_set_members_come_back_sorted(ddb, table):
    # DynamoDB Local 3.3.1 returns set members sorted (SS by UTF-16 code
    # units, NS by value, BS by signed bytes), at any depth, and libraries'
    # tests compare sets as lists.
    item = dict(K, ss={"SS": ["two", "three", "b", "B", "\u00e9", "a", "\uff21", "\U0001F600"]},
                ns={"NS": ["10", "9", "-1", "1.5", "100", "-20", "0.01", "2"]},
                bs={"BS": [b"\x01", b"\x00", b"\xff", b"\x00\x01", b"\x80"]},
                m={"M": {"ss": {"SS": ["b", "a"]}}}, l={"L": [{"NS": ["3", "1"]}]})
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key=K)["Item"]
    assert got["ss"]["SS"] == ["B", "a", "b", "three", "two", "\u00e9", "\U0001F600", "\uff21"]
    assert got["ns"]["NS"] == ["-20", "-1", "0.01", "1.5", "2", "9", "10", "100"]
    assert got["bs"]["BS"] == [b"\x80", b"\xff", b"\x00", b"\x00\x01", b"\x01"]
    assert got["m"]["M"]["ss"]["SS"] == ["a", "b"] and got["l"]["L"][0]["NS"] == ["1", "3"]
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="ADD s2 :a", ReturnValues="UPDATED_NEW",
                          ExpressionAttributeValues={":a": {"SS": ["two", "three"]}})
    assert out["Attributes"]["s2"]["SS"] == ["three", "two"]
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="ADD s2 :a", ReturnValues="UPDATED_NEW",
                          ExpressionAttributeValues={":a": {"SS": ["four", "one"]}})
    assert out["Attributes"]["s2"]["SS"] == ["four", "one", "three", "two"]
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="SET n2 = :v", ReturnValues="UPDATED_NEW",
                          ExpressionAttributeValues={":v": {"NS": ["5", "-3", "4"]}})
    assert out["Attributes"]["n2"]["NS"] == ["-3", "4", "5"]


def test_update_errors(server, ddb, table):
    ddb.put_item(TableName=table, Item=dict(K, s={"S": "x"}, m={"M": {}}))
    # DynamoDB Local leaves out the first sentence.
    expect_error_ddb(server, "ValidationException",
                 "One or more parameter values were invalid: Cannot update attribute pk. "
                 "This attribute is part of the key",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET pk = :v",
                 ExpressionAttributeValues={":v": {"S": "q"}})
    expect_error("ValidationException",
                 "An operand in the update expression has an incorrect data type",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="ADD s :one",
                 ExpressionAttributeValues={":one": {"N": "1"}})
    expect_error("ValidationException",
                 "The provided expression refers to an attribute that does not exist in the item",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET z = nope + :one",
                 ExpressionAttributeValues={":one": {"N": "1"}})
    expect_error("ValidationException",
                 "The document path provided in the update expression is invalid for update",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET nope.x = :one",
                 ExpressionAttributeValues={":one": {"N": "1"}})
    expect_error("ValidationException",
                 "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
                 "rewrite one of these paths; path one: [m], path two: [m, a]",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET m = :one, m.a = :one",
                 ExpressionAttributeValues={":one": {"N": "1"}})
    expect_error("ValidationException",
                 "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET a = :one SET b = :one",
                 ExpressionAttributeValues={":one": {"N": "1"}})
    expect_error("ValidationException",
                 "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                 "operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="ADD m :m",
                 ExpressionAttributeValues={":m": {"M": {}}})


def test_expression_attribute_errors(ddb, table):
    expect_error("ValidationException",
                 "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET a = :a",
                 ExpressionAttributeValues={":a": {"N": "1"}, ":unused": {"N": "2"}})
    expect_error("ValidationException",
                 "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET a = :a",
                 ExpressionAttributeNames={"#u": "u"}, ExpressionAttributeValues={":a": {"N": "1"}})
    expect_error("ValidationException",
                 "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET name = :a",
                 ExpressionAttributeValues={":a": {"N": "1"}})
    expect_error("ValidationException",
                 "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status",
                 ddb.put_item, TableName=table, Item=K, ConditionExpression="status = :a",
                 ExpressionAttributeValues={":a": {"N": "1"}})
    expect_error("ValidationException",
                 "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
                 "attribute value: :nope",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET a = :nope")
    expect_error("ValidationException",
                 "Invalid UpdateExpression: An expression attribute name used in the document path is not "
                 "defined; attribute name: #nope",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET #nope = :a",
                 ExpressionAttributeValues={":a": {"N": "1"}})
    code, msg, _ = error_of(ddb.update_item, TableName=table, Key=K, UpdateExpression="SET a = = :a",
                            ExpressionAttributeValues={":a": {"N": "1"}})
    assert code == "ValidationException"
    assert msg.startswith("Invalid UpdateExpression: Syntax error; token: \"=\", near: \"= = :a\"")
    expect_error("ValidationException",
                 "ExpressionAttributeValues must not be empty",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="REMOVE a",
                 ExpressionAttributeValues={})


def test_conditions(ddb, table):
    item = dict(K, n={"N": "5"}, s={"S": "hello"}, l={"L": [{"S": "a"}]}, ss={"SS": ["x", "y"]})
    ddb.put_item(TableName=table, Item=item)
    passing = [
        ("attribute_exists(n)", {}), ("attribute_not_exists(zz)", {}),
        ("n = :v", {":v": {"N": "5.0"}}), ("n <> :v", {":v": {"N": "6"}}),
        ("n BETWEEN :a AND :b", {":a": {"N": "5"}, ":b": {"N": "50"}}),
        ("n IN (:a, :b)", {":a": {"N": "1"}, ":b": {"N": "5"}}),
        ("begins_with(s, :p)", {":p": {"S": "he"}}), ("contains(s, :p)", {":p": {"S": "ll"}}),
        ("contains(ss, :p)", {":p": {"S": "y"}}), ("contains(l, :p)", {":p": {"S": "a"}}),
        ("size(s) = :v", {":v": {"N": "5"}}), ("size(ss) > :v", {":v": {"N": "1"}}),
        ("attribute_type(n, :t)", {":t": {"S": "N"}}),
        ("NOT (n < :v) AND (s > :s OR n = :v)", {":v": {"N": "5"}, ":s": {"S": "a"}}),
        ("l[0] = :a", {":a": {"S": "a"}}),
    ]
    for expr, values in passing:
        kw = {"ExpressionAttributeValues": values} if values else {}
        ddb.put_item(TableName=table, Item=item, ConditionExpression=expr, **kw)
    failing = [
        ("attribute_not_exists(n)", {}), ("n > :v", {":v": {"N": "5"}}),
        ("s < :v", {":v": {"S": "apple"}}), ("n = :v", {":v": {"S": "5"}}),
        ("size(zz) = :v", {":v": {"N": "0"}}), ("attribute_type(n, :t)", {":t": {"S": "S"}}),
    ]
    for expr, values in failing:
        kw = {"ExpressionAttributeValues": values} if values else {}
        expect_error("ConditionalCheckFailedException", "The conditional request failed",
                     ddb.put_item, TableName=table, Item=dict(item, n={"N": "99"}), ConditionExpression=expr, **kw)
    assert ddb.get_item(TableName=table, Key=K)["Item"]["n"] == {"N": "5"}
    expect_error("ConditionalCheckFailedException", "The conditional request failed",
                 ddb.delete_item, TableName=table, Key=K, ConditionExpression="attribute_not_exists(pk)")
    expect_error("ConditionalCheckFailedException", "The conditional request failed",
                 ddb.update_item, TableName=table, Key={"pk": {"S": "nope"}, "sk": {"S": "s"}},
                 UpdateExpression="SET a = :a", ConditionExpression="attribute_exists(pk)",
                 ExpressionAttributeValues={":a": {"N": "1"}})
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "nope"}, "sk": {"S": "s"}})
    code, msg, _ = error_of(ddb.put_item, TableName=table, Item=item,
                            ConditionExpression="attribute_type(n, :t)", ExpressionAttributeValues={":t": {"S": "X"}})
    assert code == "ValidationException"


def test_condition_failure_returns_old_item(raw, table):
    item = dict(K, v={"N": "1"})
    assert raw("PutItem", {"TableName": table, "Item": item})[0] == 200
    st, _, out = raw("PutItem", {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)",
                                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert st == 400
    assert out["__type"] == "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"
    assert out["Item"] == item
    st, _, out = raw("DeleteItem", {"TableName": table, "Key": K, "ConditionExpression": "v = :two",
                                    "ExpressionAttributeValues": {":two": {"N": "2"}}})
    assert st == 400 and "Item" not in out


def test_projection_expression(ddb, table):
    ddb.put_item(TableName=table, Item=dict(
        K, a={"M": {"b": {"L": [{"N": "0"}, {"N": "1"}, {"M": {"c": {"S": "deep"}, "d": {"S": "no"}}}]}}},
        x={"S": "x"}, y={"S": "y"}))
    got = ddb.get_item(TableName=table, Key=K, ProjectionExpression="a.b[2].c, #y, nope, a.b[7]",
                       ExpressionAttributeNames={"#y": "y"})["Item"]
    assert got == {"a": {"M": {"b": {"L": [{"M": {"c": {"S": "deep"}}}]}}}, "y": {"S": "y"}}
    got = ddb.get_item(TableName=table, Key=K, ProjectionExpression="a.b[0], a.b[2].d")["Item"]
    assert got == {"a": {"M": {"b": {"L": [{"N": "0"}, {"M": {"d": {"S": "no"}}}]}}}}
    expect_error("ValidationException",
                 "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
                 "rewrite one of these paths; path one: [a, b], path two: [a]",
                 ddb.get_item, TableName=table, Key=K, ProjectionExpression="a.b, a")


def test_key_validation(server, ddb, table):
    # DynamoDB Local: "The number of conditions on the keys is invalid".
    expect_error_ddb(server, "ValidationException", "The provided key element does not match the schema",
                     ddb.get_item, TableName=table, Key={"pk": {"S": "p"}})
    # DynamoDB Local: "Type mismatch for attribute to update".
    expect_error_ddb(server, "ValidationException", "The provided key element does not match the schema",
                     ddb.get_item, TableName=table, Key={"pk": {"N": "1"}, "sk": {"S": "s"}})
    expect_error_ddb(server, "ValidationException", "The provided key element does not match the schema",
                     ddb.delete_item, TableName=table, Key=dict(K, extra={"S": "x"}))
    # An item's key attributes: DynamoDB Local 3.3.1's messages (FINDINGS.md 22).
    expect_error("ValidationException", "One of the required keys was not given a value",
                 ddb.put_item, TableName=table, Item={"pk": {"S": "p"}})
    expect_error("ValidationException", "One or more parameter values were invalid: Type mismatch for key",
                 ddb.put_item, TableName=table, Item={"pk": {"N": "1"}, "sk": {"S": "s"}})
    expect_error_ddb(server, "ValidationException",
                     "One or more parameter values are not valid. The AttributeValue for a key attribute "
                     "cannot contain an empty string value. Key: pk",
                     ddb.put_item, TableName=table, Item={"pk": {"S": ""}, "sk": {"S": "s"}})
    expect_error_ddb(server, "ResourceNotFoundException",
                     "Requested resource not found", ddb.get_item, TableName="compat-nope", Key=K)
    # A Key's attributes are checked one by one, the hash key first (3.3.1's
    # order): its empty or oversized value comes before the sort key's type.
    expect_error("ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key attribute "
                 "cannot contain an empty string value. Key: pk",
                 ddb.get_item, TableName=table, Key={"pk": {"S": ""}, "sk": {"N": "1"}})
    expect_error("ValidationException",
                 "Hash primary key values must be under 2048 bytes, and range primary key values must be "
                 "under 1024 bytes",
                 ddb.delete_item, TableName=table, Key={"pk": {"S": "p" * 2049}, "sk": {"N": "1"}})


def test_key_sizes(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "p" * 2048}, "sk": {"S": "s" * 1024}})
    msg = ("Hash primary key values must be under 2048 bytes, and range primary key values must be under "
           "1024 bytes")
    expect_error("ValidationException", msg,
                 ddb.put_item, TableName=table, Item={"pk": {"S": "p" * 2049}, "sk": {"S": "s"}})
    expect_error("ValidationException", msg,
                 ddb.put_item, TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "s" * 1025}})
    expect_error("ValidationException", msg,
                 ddb.get_item, TableName=table, Key={"pk": {"S": "p" * 2049}, "sk": {"S": "s"}})


def test_item_size_limit(ddb, table):
    # 400 KB counts names and values: 409600 minus the other bytes fits exactly.
    overhead = len("pk") + 1 + len("sk") + 1 + len("big")
    ddb.put_item(TableName=table, Item=dict(K, big={"S": "x" * (409600 - overhead)}))
    expect_error("ValidationException", "Item size has exceeded the maximum allowed size",
                 ddb.put_item, TableName=table, Item=dict(K, big={"S": "x" * (409601 - overhead)}))
    expect_error("ValidationException", "Item size to update has exceeded the maximum allowed size",
                 ddb.update_item, TableName=table, Key=K, UpdateExpression="SET more = :m",
                 ExpressionAttributeValues={":m": {"S": "y" * 10}})


def test_invalid_attribute_values(ddb, table):
    for bad in ({"SS": []}, {"NS": []}, {"SS": ["a", "a"]}, {"NS": ["1", "1.0"]}, {"NULL": False}):
        code, msg, _ = error_of(ddb.put_item, TableName=table, Item=dict(K, a=bad))
        assert code == "ValidationException", bad


def test_empty_strings_in_non_key_attributes(ddb, table):
    item = dict(K, e={"S": ""}, b={"B": b""}, m={"M": {"e": {"S": ""}}}, l={"L": [{"S": ""}]})
    ddb.put_item(TableName=table, Item=item)
    assert ddb.get_item(TableName=table, Key=K)["Item"] == item
    out = ddb.update_item(TableName=table, Key=K, UpdateExpression="SET z = :e", ReturnValues="UPDATED_NEW",
                          ExpressionAttributeValues={":e": {"S": ""}})
    assert out["Attributes"] == {"z": {"S": ""}}
    # "empty string and binary values are allowed within a set" (developer guide, data types).
    ddb.put_item(TableName=table, Item=dict(K, ss={"SS": ["", "a"]}, bs={"BS": [b""]}))
    got = ddb.get_item(TableName=table, Key=K)["Item"]
    assert sorted(got["ss"]["SS"]) == ["", "a"] and got["bs"] == {"BS": [b""]}


def test_consumed_capacity(ddb, table):
    item = dict(K, big={"S": "x" * 1500})
    out = ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 2.0}
    out = ddb.get_item(TableName=table, Key=K, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 0.5}
    out = ddb.get_item(TableName=table, Key=K, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert out["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}
    out = ddb.delete_item(TableName=table, Key=K, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 2.0
    assert out["ConsumedCapacity"]["Table"] == {"CapacityUnits": 2.0}


def test_binary_roundtrip_raw(raw, table):
    blob = bytes(range(256))
    b64 = base64.b64encode(blob).decode()
    st, _, _ = raw("PutItem", {"TableName": table, "Item": {"pk": {"S": "p"}, "sk": {"S": "s"}, "b": {"B": b64}}})
    assert st == 200
    st, _, out = raw("GetItem", {"TableName": table, "Key": K})
    assert out["Item"]["b"] == {"B": b64}


def test_missing_table(server, ddb):
    for fn, kw in ((ddb.put_item, {"Item": K}), (ddb.delete_item, {"Key": K}),
                   (ddb.update_item, {"Key": K, "UpdateExpression": "REMOVE a"})):
        expect_error_ddb(server, "ResourceNotFoundException", "Requested resource not found",
                         fn, TableName="compat-nope", **kw)


def test_nul_in_strings(ddb, make_table):
    # U+0000 is a valid character of S values, keys included (JSON "\u0000").
    t = make_table("nul", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    for item in ({"pk": {"S": "a"}, "s": {"S": "b\u0000c"}}, {"pk": {"S": "a\u0000"}},
                 {"pk": {"S": "b"}, "ss": {"SS": ["b\u0000c", "b"]}, "m": {"M": {"k": {"S": "\u0000"}}}}):
        ddb.put_item(TableName=t, Item=item)
        assert norm_sets(ddb.get_item(TableName=t, Key={"pk": item["pk"]})["Item"]) == norm_sets(item)
    assert "Item" in ddb.get_item(TableName=t, Key={"pk": {"S": "a"}})


def test_nul_in_attribute_names_is_refused_clearly(server, ddb, make_table):
    # A known limit of cruddur's JSON library (jansson): object keys cannot
    # hold U+0000, so an attribute name with it is refused with a clear 400
    # (SerializationException) instead of being stored; DynamoDB accepts it.
    if server.name != "cruddur":
        pytest.skip("documents a cruddur limitation; DynamoDB accepts such names")
    t = make_table("nulname", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=t, Item={"pk": {"S": "x"}, "k\u0000": {"S": "v"}})
    assert e.value.response["Error"]["Code"] == "SerializationException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Item" not in ddb.get_item(TableName=t, Key={"pk": {"S": "x"}})
