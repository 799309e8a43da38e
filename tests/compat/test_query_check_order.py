"""Query's order of checks and its key condition messages, as DynamoDB Local
3.3.1 answers them.

A Query reads its FilterExpression, then its ProjectionExpression, then its
KeyConditionExpression (syntax, names and values, operands); refuses unused
ExpressionAttributeNames, then unused ExpressionAttributeValues; then checks
the key condition against the key schema, the values against the key's
types, the filter against the key, and last Select. The key condition's conditions
are read left to right (a second condition on one attribute, or an operator
that is not allowed, fails where it stands); then more than two conditions
are "Conditions can be of length 1 or 2 only" on a table or an index with a
single-attribute key, whatever their number, and more conditions than key
attributes are "Query key condition not supported", before a missing key
attribute is named. A multi-attribute GSI key takes up to eight conditions.
Both servers give the same answers; where DynamoDB names the missed key
attribute and DynamoDB Local does not, the message is checked on cruddur
only (expect_error_ddb)."""
import pytest
from compatlib import error_of, expect_error, expect_error_ddb

S = {"S": "a"}
N = {"N": "1"}
UNUSED_V = "Value provided in ExpressionAttributeValues unused in expressions: keys: {:z}"
UNUSED_N = "Value provided in ExpressionAttributeNames unused in expressions: keys: {#z}"
LEN = "Conditions can be of length 1 or 2 only"
DUP = "KeyConditionExpressions must only contain one condition per key"
UNSUP = "Query key condition not supported"
HASH4 = "HASH key attributes h1, h2, h3, h4 must have equality conditions specified in the query"
FILTER_SYNTAX = 'Invalid FilterExpression: Syntax error; token: "=", near: "= = :a"'
PROJ_SYNTAX = 'Invalid ProjectionExpression: Syntax error; token: ",", near: ",,"'
OVERLAP = ("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
           "rewrite one of these paths; path one: [a], path two: [a]")
FILTER_KEY = "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
TYPE = "One or more parameter values were invalid: Condition parameter type does not match schema type"
EMPTY = ("One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
         "contain an empty string value. Key: pk")
BETWEEN = ("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than "
           "or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: "
           "AttributeValue: {N:1}")


def defs(**types):
    return [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]


def keys(*spec):
    return [{"AttributeName": n, "KeyType": k} for n, k in spec]


def gsi(name, *spec):
    return {"IndexName": name, "KeySchema": keys(*spec), "Projection": {"ProjectionType": "ALL"}}


@pytest.fixture
def tables(ddb, make_table):
    """Three tables: "hash" (pk), "range" (pk, sk; GSIs on g and on g, sk)
    and "multi" (pk; GSIs on h1..h4 + r1..r4 and on h1, h2)."""
    hash_only = make_table("ko-h", KeySchema=keys(("pk", "HASH")), AttributeDefinitions=defs(pk="S"))
    ranged = make_table("ko-r", KeySchema=keys(("pk", "HASH"), ("sk", "RANGE")),
                        AttributeDefinitions=defs(pk="S", sk="N", g="S"),
                        GlobalSecondaryIndexes=[gsi("g-only", ("g", "HASH")),
                                                gsi("g-sk", ("g", "HASH"), ("sk", "RANGE"))])
    names = ["h1", "h2", "h3", "h4", "r1", "r2", "r3", "r4"]
    multi = make_table("ko-m", KeySchema=keys(("pk", "HASH")),
                       AttributeDefinitions=defs(pk="S", **{n: "S" for n in names}),
                       GlobalSecondaryIndexes=[
                           gsi("eight", *[(n, "HASH" if n[0] == "h" else "RANGE") for n in names]),
                           gsi("two-hash", ("h1", "HASH"), ("h2", "HASH"))])
    return {"hash": hash_only, "range": ranged, "multi": multi}


def query(ddb, table, kce, values, **kw):
    return ddb.query(TableName=table, KeyConditionExpression=kce, ExpressionAttributeValues=values, **kw)


def conds(n, first=0):
    return " AND ".join("a%d = :a" % i for i in range(first, first + n))


CASES = [
    # unused values and names come before every key condition rule
    ("x = :a", {":a": S, ":z": S}, None, UNUSED_V),
    ("pk > :a", {":a": S, ":z": S}, None, UNUSED_V),
    ("x = :a", {":a": S}, {"#z": "z"}, UNUSED_N),
    ("pk = :a", {":a": S, ":z": S}, {"#z": "z"}, UNUSED_N),
    ("pk = :a OR pk = :a", {":a": S, ":z": S}, None, UNUSED_V),
    ("pk = :a AND size(pk) = :n", {":a": S, ":n": N, ":z": S}, None, UNUSED_V),
    ("pk = sk", {":z": S}, None, UNUSED_V),
    (":a = :a", {":a": S, ":z": S}, None, UNUSED_V),
    ("pk = :a AND pk = :a", {":a": S, ":z": S}, None, UNUSED_V),
    ("pk = :a AND x = :a AND y = :a", {":a": S, ":z": S}, None, UNUSED_V),
    ("pk.x = :a", {":a": S, ":z": S}, None, UNUSED_V),
    ("pk = :e", {":e": {"S": ""}, ":z": S}, None, UNUSED_V),
    # but not before what reading the key condition finds
    ("pk = = :a", {":a": S, ":z": S}, None,
     'Invalid KeyConditionExpression: Syntax error; token: "=", near: "= = :a"'),
    ("pk = :b", {":a": S}, None,
     "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; "
     "attribute value: :b"),
    ("size(pk)", {":z": S}, None,
     "Invalid KeyConditionExpression: The function is not allowed to be used this way in an expression; "
     "function: size"),
    # more than two conditions, on any table or index with single-attribute keys
    ("x = :a AND y = :a AND z = :a", {":a": S}, None, None),
    (conds(9), {":a": S}, None, None),
    (conds(17), {":a": S}, None, None),
    # conditions are read left to right: a repeated attribute or a refused
    # operator fails where it stands, before their number is counted
    (conds(17) + " AND a3 = :a", {":a": S}, None, DUP),
    ("x = :a AND x = :a AND (y = :a OR z = :a)", {":a": S}, None, DUP),
    ("x = :a AND y = :a AND (y = :a OR z = :a)", {":a": S}, None,
     "Invalid operator used in KeyConditionExpression: OR"),
    ("x = :a AND y = :a AND size(z) = :n", {":a": S, ":n": N}, None,
     "KeyConditionExpressions cannot contain nested operations"),
    ("x = :a AND y = :a AND z = w", {":a": S}, None,
     "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    (":a = :a AND x = :a AND x = :a", {":a": S}, None,
     "Invalid condition in KeyConditionExpression: No key attribute specified"),
]


@pytest.mark.parametrize("table,index", [("hash", None), ("range", None), ("range", "g-only"),
                                         ("range", "g-sk"), ("multi", "eight")])
def test_key_condition_order(ddb, tables, table, index):
    wrong = []
    for kce, values, names, message in CASES:
        kw = {"IndexName": index} if index else {}
        if names:
            kw["ExpressionAttributeNames"] = names
        if message is None:
            # too many conditions: a single-attribute key allows two, the
            # eight-attribute index eight (within those, its partition rule)
            message = LEN
            if index == "eight":
                message = UNSUP if kce.count(" AND ") >= 8 else HASH4
        got = error_of(query, ddb, tables[table], kce, values, **kw)
        if got[:2] != ("ValidationException", message):
            wrong.append((kce, got[:2], message))
    assert wrong == []


def test_more_conditions_than_key_attributes(server, ddb, tables):
    h, r, m = tables["hash"], tables["range"], tables["multi"]
    # a hash-only key takes one condition
    expect_error("ValidationException", UNSUP, query, ddb, h, "x = :a AND y = :a", {":a": S})
    expect_error("ValidationException", UNSUP, query, ddb, h, "pk = :a AND x > :a", {":a": S})
    expect_error("ValidationException", UNSUP, query, ddb, r, "g = :a AND x = :a", {":a": S}, IndexName="g-only")
    # more than two on a single-attribute key, even with the hash key's
    # equality first or with a hash condition that is not one
    expect_error("ValidationException", LEN, query, ddb, r, "pk = :a AND sk > :n AND x < :n", {":a": S, ":n": N})
    expect_error("ValidationException", LEN, query, ddb, r, "pk > :a AND x = :a AND y = :a", {":a": S})
    expect_error("ValidationException", LEN, query, ddb, m, "pk = :a AND b = :a AND c = :a", {":a": S})
    # two conditions on the range key are one condition too many per key
    expect_error("ValidationException", DUP, query, ddb, r, "pk = :a AND sk > :n AND sk < :n", {":a": S, ":n": N})
    # multi-attribute keys: beyond their count of attributes, before the
    # partition rule; within it, the partition rule
    expect_error("ValidationException", UNSUP, query, ddb, m, "x = :a AND y = :a AND z = :a", {":a": S},
                 IndexName="two-hash")
    expect_error("ValidationException", UNSUP, query, ddb, m, "h1 = :a AND h2 = :a AND z = :a", {":a": S},
                 IndexName="two-hash")
    expect_error("ValidationException", HASH4, query, ddb, m, "x = :a AND y = :a AND z = :a", {":a": S},
                 IndexName="eight")
    eight = " AND ".join("%s = :a" % n for n in ["h1", "h2", "h3", "h4", "r1", "r2", "r3", "r4"])
    assert query(ddb, m, eight, {":a": S}, IndexName="eight")["Count"] == 0
    expect_error("ValidationException", UNSUP, query, ddb, m, eight + " AND x = :a", {":a": S}, IndexName="eight")
    expect_error("ValidationException", DUP, query, ddb, m, eight + " AND h1 = :a", {":a": S}, IndexName="eight")
    # within the count, a missing key attribute (DynamoDB names it)
    expect_error_ddb(server, "ValidationException", "Query condition missed key schema element: pk",
                     query, ddb, h, "x = :a", {":a": S})
    expect_error_ddb(server, "ValidationException", "Query condition missed key schema element: sk",
                     query, ddb, r, "pk = :a AND x = :a", {":a": S})


def test_expressions_are_read_before_the_key_condition(ddb, tables):
    r = tables["range"]
    a, an = {":a": S}, {":a": S, ":n": N}
    between = {":a": S, ":n": N, ":five": {"N": "5"}}
    # filter, then projection, then key condition
    expect_error("ValidationException", FILTER_SYNTAX, query, ddb, r, "x = = :a", a, FilterExpression="x = = :a")
    expect_error("ValidationException", FILTER_SYNTAX, query, ddb, r, "pk = :a", a,
                 FilterExpression="x = = :a", ProjectionExpression="a,,")
    expect_error("ValidationException", PROJ_SYNTAX, query, ddb, r, "x = = :a", a, ProjectionExpression="a,,")
    expect_error("ValidationException", PROJ_SYNTAX, query, ddb, r, "x = :a", a, ProjectionExpression="a,,")
    expect_error("ValidationException", FILTER_SYNTAX, query, ddb, r, "x = :a", a, FilterExpression="x = = :a")
    expect_error("ValidationException",
                 "Invalid FilterExpression: An expression attribute value used in expression is not defined; "
                 "attribute value: :r", query, ddb, r, "pk = :q", a, FilterExpression="x = :r")
    expect_error("ValidationException",
                 "Invalid ProjectionExpression: An expression attribute name used in the document path is not "
                 "defined; attribute name: #n", query, ddb, r, "pk = :q", a, ProjectionExpression="#n")
    expect_error("ValidationException", FILTER_SYNTAX, query, ddb, r, "pk = :a AND sk BETWEEN :five AND :n",
                 between, FilterExpression="x = = :a")
    expect_error("ValidationException", OVERLAP, query, ddb, r, "pk = :a AND sk BETWEEN :five AND :n",
                 between, ProjectionExpression="a,a")
    # what reading finds comes before the unused values
    expect_error("ValidationException", OVERLAP, query, ddb, r, "pk = :a", dict(a, **{":z": S}),
                 ProjectionExpression="a,a")
    expect_error("ValidationException", OVERLAP, query, ddb, r, "x = :a", a, ProjectionExpression="a,a")
    expect_error("ValidationException", BETWEEN, query, ddb, r, "pk = :a AND sk BETWEEN :five AND :n",
                 dict(between, **{":z": S}))
    # the filter's key attributes come last: after the unused values, the
    # key condition rules, the key values' types and empty key values
    expect_error("ValidationException", UNUSED_V, query, ddb, r, "pk = :a", dict(an, **{":z": S}),
                 FilterExpression="sk > :n")
    expect_error("ValidationException", LEN, query, ddb, r, "x = :a AND y = :a AND z = :a", an,
                 FilterExpression="sk > :n")
    expect_error("ValidationException", TYPE, query, ddb, r, "pk = :n", an, FilterExpression="sk > :a")
    expect_error("ValidationException", EMPTY, query, ddb, r, "pk = :e", {":e": {"S": ""}, ":n": N},
                 FilterExpression="sk > :n")
    expect_error("ValidationException", FILTER_KEY, query, ddb, r, "pk = :a", an, FilterExpression="sk > :n")
    expect_error("ValidationException", OVERLAP, query, ddb, r, "pk = :a", an,
                 FilterExpression="sk > :n", ProjectionExpression="a,a")


def test_select_is_checked_last(ddb, tables, make_table):
    r = tables["range"]
    an = {":a": S, ":n": N}
    count_proj = "Cannot specify the ProjectionExpression when choosing to get only the Count"
    specific = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
    expect_error("ValidationException", TYPE, query, ddb, r, "pk = :n", {":n": N}, Select="COUNT",
                 ProjectionExpression="a")
    expect_error("ValidationException", FILTER_KEY, query, ddb, r, "pk = :a", an, Select="COUNT",
                 ProjectionExpression="a", FilterExpression="sk > :n")
    expect_error("ValidationException", FILTER_KEY, query, ddb, r, "pk = :a", an, Select="SPECIFIC_ATTRIBUTES",
                 FilterExpression="sk > :n")
    expect_error("ValidationException", LEN, query, ddb, r, "x = :a AND y = :a AND z = :a", {":a": S}, Select="NOPE")
    expect_error("ValidationException", count_proj, query, ddb, r, "pk = :a", {":a": S}, Select="COUNT",
                 ProjectionExpression="a")
    expect_error("ValidationException", specific, query, ddb, r, "pk = :a", {":a": S}, Select="SPECIFIC_ATTRIBUTES")
    k = make_table("ko-k", KeySchema=keys(("pk", "HASH")), AttributeDefinitions=defs(pk="S", g="S"),
                   GlobalSecondaryIndexes=[{"IndexName": "g-keys", "KeySchema": keys(("g", "HASH")),
                                            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    expect_error("ValidationException", TYPE, query, ddb, k, "g = :n", {":n": N}, IndexName="g-keys",
                 Select="ALL_ATTRIBUTES")
    expect_error("ValidationException",
                 "Filter Expression can only contain non-primary key attributes: Primary key attribute: g",
                 query, ddb, k, "g = :a", {":a": S}, IndexName="g-keys", Select="ALL_ATTRIBUTES",
                 FilterExpression="g > :a")
    expect_error("ValidationException",
                 "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
                 "global secondary index g-keys because its projection type is not ALL",
                 query, ddb, k, "g = :a", {":a": S}, IndexName="g-keys", Select="ALL_ATTRIBUTES")
