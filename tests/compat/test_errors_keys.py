"""Messages for key attributes and key conditions that DynamoDB Local 3.3.1
gives and cruddur now matches (tests/compat/FINDINGS.md, entry 21).

- A Query's key condition may not step into an attribute (`y.z`, `y[0]`).
  First, before the conditions are read, each key attribute of the table
  (hash, range), of its local indexes and of its global indexes (each kind
  in the order of DynamoDB Local's HashMap of index names) is looked for
  behind such a path: "Key attributes must be scalars; ... Key: pk", or
  "IndexKey: g" for an index's key, even when the Query reads the table.
  A path into any other attribute is "KeyConditionExpressions cannot have
  conditions on nested attributes" where its condition stands among the
  conditions read left to right.
"""
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
