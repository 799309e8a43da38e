"""Messages for key attributes and key conditions that DynamoDB Local 3.3.1
gives and cruddur now matches (tests/compat/FINDINGS.md, entries 18, 21
and 22). Every test runs on both servers.

- A Query's key condition may not step into an attribute (`y.z`, `y[0]`).
  First, before the conditions are read, each key attribute of the table
  (hash, range), of its local indexes and of its global indexes (each kind
  in the order of DynamoDB Local's HashMap of index names) is looked for
  behind such a path: "Key attributes must be scalars; ... Key: pk", or
  "IndexKey: g" for an index's key, even when the Query reads the table.
  A path into any other attribute is "KeyConditionExpressions cannot have
  conditions on nested attributes" where its condition stands among the
  conditions read left to right.
- An item's key attributes: the table's key attribute by attribute, then
  the indexes' keys index by index (local, then global, in that HashMap
  order), each with 3.3.1's messages.
- An item is validated and measured in one pass, attribute by attribute.
"""
import json

import pytest
from compatlib import expect_error

S = {"S": "a"}
SCALARS = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
NESTED = "KeyConditionExpressions cannot have conditions on nested attributes"
DUP = "KeyConditionExpressions must only contain one condition per key"
MULTI = "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
NESTED_OP = "KeyConditionExpressions cannot contain nested operations"


def defs(*names):
    return [{"AttributeName": n, "AttributeType": "S"} for n in names]


def keys(*spec):
    return [{"AttributeName": n, "KeyType": k} for n, k in spec]


def index(name, *spec):
    return {"IndexName": name, "KeySchema": keys(*spec), "Projection": {"ProjectionType": "ALL"}}


@pytest.fixture
def paths_table(make_table):
    """pk, sk; LSIs "llll" (sk2) and "aaam" (sk3); GSIs "aaan" (g1),
    "mkix" (g2 + g3, two partition attributes) and "sgix" (g4). In a
    HashMap of 16 buckets "aaam" comes before "llll", and "aaan", "sgix",
    "mkix" come in that order (buckets 0, 6, 14)."""
    return make_table("kp", KeySchema=keys(("pk", "HASH"), ("sk", "RANGE")),
                      AttributeDefinitions=defs("pk", "sk", "sk2", "sk3", "g1", "g2", "g3", "g4"),
                      LocalSecondaryIndexes=[index("llll", ("pk", "HASH"), ("sk2", "RANGE")),
                                             index("aaam", ("pk", "HASH"), ("sk3", "RANGE"))],
                      GlobalSecondaryIndexes=[index("aaan", ("g1", "HASH")),
                                              index("mkix", ("g2", "HASH"), ("g3", "HASH")),
                                              index("sgix", ("g4", "HASH"))])


PATH_CASES = [
    # a path into an attribute of no key: where its condition stands
    ("y.z = :a", None, NESTED),
    ("pk = :a AND y[0] = :a", None, NESTED),
    ("#n.z = :a", None, NESTED),
    (":a = y.z", None, NESTED),
    ("pk = :a AND y.z BETWEEN :a AND :a", None, NESTED),
    ("pk = :a AND begins_with(y.z, :a)", None, NESTED),
    ("pk = :a AND y.z = :a AND sk > :a AND sk < :a", None, NESTED),
    ("pk = :a AND sk > :a AND sk < :a AND y.z = :a", None, DUP),
    ("pk = :a AND x = :a AND w = :a AND y.z = :a", None, NESTED),
    ("pk = :a AND y.z = y.q", None, NESTED),
    ("pk = :a AND x = y.z", None, MULTI),
    ("y.z = size(x)", None, NESTED),
    ("size(x) = y.z", None, NESTED_OP),
    ("g1 = :a AND y.z = :a", "aaan", NESTED),
    # a path into a key attribute: before any condition is read
    ("pk = :a AND sk > :a AND sk < :a AND pk.q = :a", None, SCALARS + "Key: pk"),
    ("y.z <> :a AND pk.q = :a", None, SCALARS + "Key: pk"),
    ("pk.q = :a OR x = :a", None, SCALARS + "Key: pk"),
    ("size(pk.q) = :a", None, SCALARS + "Key: pk"),
    ("y.z = :a AND sk[1] = :a", None, SCALARS + "Key: sk"),
    ("sk.q = :a AND pk.q = :a", None, SCALARS + "Key: pk"),
    ("pk.z = :a", "sgix", SCALARS + "Key: pk"),
    ("g4.z = :a", None, SCALARS + "IndexKey: g4"),
    ("g4.z = :a", "sgix", SCALARS + "IndexKey: g4"),
    ("g3[2] = :a", "mkix", SCALARS + "IndexKey: g3"),
    # the table's keys, then the local indexes', then the global ones'
    ("g1.q = :a AND sk.q = :a", None, SCALARS + "Key: sk"),
    ("g1.q = :a AND sk2.q = :a", None, SCALARS + "IndexKey: sk2"),
    ("sk2.q = :a AND sk3.q = :a", None, SCALARS + "IndexKey: sk3"),
    ("g2.q = :a AND g4.q = :a AND g1.q = :a", None, SCALARS + "IndexKey: g1"),
    ("g2.q = :a AND g4.q = :a", None, SCALARS + "IndexKey: g4"),
    ("g3.q = :a AND g2.q = :a", None, SCALARS + "IndexKey: g2"),
]


@pytest.mark.parametrize("kce,index,message", PATH_CASES)
def test_key_condition_paths(ddb, paths_table, kce, index, message):
    kw = {"IndexName": index} if index else {}
    if "#n" in kce:
        kw["ExpressionAttributeNames"] = {"#n": "y"}
    if ":a" in kce:
        kw["ExpressionAttributeValues"] = {":a": S}
    expect_error("ValidationException", message, ddb.query, TableName=paths_table,
                 KeyConditionExpression=kce, **kw)


# ---- an item's key attributes (FINDINGS.md entry 22) ----

TYPE_KEY = "One or more parameter values were invalid: Type mismatch for key"
TYPE_INDEX = "One or more parameter values were invalid: Type mismatch for Index Key"
VALUE_TYPE = "Invalid attribute value type"
KEY_SIZE = ("Hash primary key values must be under 2048 bytes, and range primary key values must be under "
            "1024 bytes")
INDEX_SIZE = "One or more parameter values were invalid: Size limit exceeded"
ITEM_SIZE = "Item size has exceeded the maximum allowed size"
MISSING = "One of the required keys was not given a value"


def empty_index(index, key):
    return ("One or more parameter values are not valid. A value specified for a secondary index key is not "
            "supported. The AttributeValue for a key attribute cannot contain an empty string value. "
            "IndexName: %s, IndexKey: %s" % (index, key))


EMPTY_PK = ("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
            "an empty string value. Key: pk")

K = {"pk": {"S": "a"}, "sk": {"S": "b"}}


def big(n):
    return {"S": "x" * n}


ITEM_CASES = [
    # the table's key: each attribute in turn (present, a key type, the
    # schema's type, not empty, its size), the hash key first
    ({"sk": {"S": "b"}}, MISSING),
    ({"pk": {"SS": ["a"]}}, VALUE_TYPE),
    ({"pk": {"N": "1"}, "sk": {"SS": ["a"]}}, TYPE_KEY),
    ({"pk": {"S": "a"}, "sk": {"M": {}}}, VALUE_TYPE),
    ({"pk": {"S": ""}, "sk": {"N": "1"}}, EMPTY_PK),
    ({"pk": big(2049), "sk": {"N": "1"}}, KEY_SIZE),
    ({"pk": {"S": "a"}, "sk": big(1025)}, KEY_SIZE),
    ({"pk": {"N": "1"}, "sk": {"S": "b"}, "g1": {"SS": ["1"]}}, TYPE_KEY),
    # index keys: a type no key has, the index's type, empty, size
    (dict(K, g1={"N": "1"}), TYPE_INDEX),
    (dict(K, g4={"B": ""}), TYPE_INDEX),
    (dict(K, g1={"NULL": True}), VALUE_TYPE),
    (dict(K, sk2={"L": []}), VALUE_TYPE),
    (dict(K, g1=big(2049)), INDEX_SIZE),
    (dict(K, sk2=big(1025)), INDEX_SIZE),
    # index by index: the local ones, then the global ones, each in the
    # order of the HashMap of their names (aaam, llll; aaan, sgix, mkix)
    (dict(K, g1={"N": "1"}, sk2={"S": ""}), empty_index("llll", "sk2")),
    (dict(K, sk2={"S": ""}, sk3={"N": "1"}), TYPE_INDEX),
    (dict(K, sk3={"S": ""}, sk2={"N": "1"}), empty_index("aaam", "sk3")),
    (dict(K, g4={"S": ""}, g1={"N": "1"}), TYPE_INDEX),
    (dict(K, g2={"N": "1"}, g3={"S": "x"}, g4={"S": ""}), empty_index("sgix", "g4")),
]


@pytest.mark.parametrize("item,message", ITEM_CASES)
def test_item_key_attributes(ddb, paths_table, item, message):
    expect_error("ValidationException", message, ddb.put_item, TableName=paths_table, Item=item)
    expect_error("ValidationException", message, ddb.batch_write_item,
                 RequestItems={paths_table: [{"PutRequest": {"Item": item}}]})


def test_index_key_type_in_update(ddb, paths_table):
    expect_error("ValidationException", TYPE_INDEX, ddb.update_item, TableName=paths_table, Key=K,
                 UpdateExpression="SET g4 = :v", ExpressionAttributeValues={":v": {"N": "1"}})
    expect_error("ValidationException", INDEX_SIZE, ddb.update_item, TableName=paths_table, Key=K,
                 UpdateExpression="SET g1 = :v", ExpressionAttributeValues={":v": big(2049)})


def test_key_size_in_every_key(ddb, paths_table):
    key = {"pk": big(2049), "sk": {"S": "b"}}
    expect_error("ValidationException", KEY_SIZE, ddb.get_item, TableName=paths_table, Key=key)
    expect_error("ValidationException", KEY_SIZE, ddb.delete_item, TableName=paths_table, Key=key)
    expect_error("ValidationException", KEY_SIZE, ddb.batch_get_item,
                 RequestItems={paths_table: {"Keys": [key]}})
    expect_error("ValidationException", KEY_SIZE, ddb.batch_write_item,
                 RequestItems={paths_table: [{"DeleteRequest": {"Key": key}}]})


# ---- an item is validated and measured in one pass (FINDINGS.md 18) ----

def ordered(pairs):
    """An Item as raw JSON text with its attributes in the order given."""
    return "{" + ",".join('"%s":%s' % (k, json.dumps(v)) for k, v in pairs) + "}"


NOT_A_NUMBER = "A value provided cannot be converted into a number"
SIZE_ORDER_CASES = [
    ([("pk", {"S": "a"}), ("b1", big(300000)), ("b2", big(300000)), ("bad", {"N": "x"})], ITEM_SIZE),
    ([("pk", {"S": "a"}), ("b1", big(300000)), ("bad", {"N": "x"}), ("b2", big(300000))], NOT_A_NUMBER),
    ([("bad", {"N": "x"}), ("big", big(410000))], NOT_A_NUMBER),
    ([("big", big(410000)), ("bad", {"SS": []})], ITEM_SIZE),
    ([("b1", big(409500)), ("x", big(200)), ("bad", {"S": "a", "N": "1"})], ITEM_SIZE),
    # the value that passes the limit is checked whole before it counts
    ([("b1", big(409590)), ("bad", {"N": "x"})], NOT_A_NUMBER),
    ([("b1", big(409500)), ("m", {"L": [big(200), {"N": "x"}]})], NOT_A_NUMBER),
]


@pytest.mark.parametrize("pairs,message", SIZE_ORDER_CASES)
def test_item_size_is_measured_as_read(raw, paths_table, pairs, message):
    item = ordered(pairs)
    # the batch's items before any table; PutItem's once its table is found
    for target, body in [
            ("BatchWriteItem", '{"RequestItems":{"compat-absent":[{"PutRequest":{"Item":%s}}]}}' % item),
            ("BatchWriteItem", '{"RequestItems":{"compat-absent":[{"DeleteRequest":{"Key":%s}}]}}' % item),
            ("PutItem", '{"TableName":"%s","Item":%s}' % (paths_table, item))]:
        st, _, out = raw(target, body.encode())
        assert st == 400, (target, out)
        assert out["__type"].endswith("ValidationException"), (target, out)
        assert (out.get("message") or out.get("Message")) == message, (target, out)


# ---- a null AttributeValue (FINDINGS.md entry 23) ----

NULL_AV = "The supplied Item contains a null AttributeValue"
NULL_CASES = [
    ("PutItem", '{"TableName":"%s","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"x":null}}', NULL_AV + ": x is null"),
    ("PutItem", '{"TableName":"%s","Item":{"pk":null,"sk":{"S":"b"}}}', NULL_AV + ": pk is null"),
    ("PutItem", '{"TableName":"%s","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"m":{"M":{"q":null}}}}',
     NULL_AV + ": q is null"),
    ("PutItem", '{"TableName":"%s","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"l":{"L":[null]}}}', NULL_AV),
    ("GetItem", '{"TableName":"%s","Key":{"pk":{"S":"a"},"sk":null}}', NULL_AV + ": sk is null"),
    # the values are read before the key is compared with the schema
    ("GetItem", '{"TableName":"%s","Key":{"pk":{"S":"a"},"sk":{"S":"b"},"x":null}}', NULL_AV + ": x is null"),
    ("UpdateItem", '{"TableName":"%s","Key":{"pk":{"S":"a"},"sk":{"S":"b"}},"UpdateExpression":"SET a = :a",'
     '"ExpressionAttributeValues":{":a":null}}',
     "ExpressionAttributeValues contains invalid value: " + NULL_AV + " for key :a"),
    ("BatchWriteItem", '{"RequestItems":{"compat-absent":[{"PutRequest":{"Item":{"pk":{"S":"a"},"x":null}}}]}}',
     NULL_AV + ": x is null"),
]


@pytest.mark.parametrize("target,body,message", NULL_CASES)
def test_null_attribute_value(raw, paths_table, target, body, message):
    st, _, out = raw(target, (body % paths_table if "%s" in body else body).encode())
    assert st == 400 and out["__type"].endswith("ValidationException"), out
    assert (out.get("message") or out.get("Message")) == message
