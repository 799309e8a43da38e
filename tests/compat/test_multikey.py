"""Multi-attribute GSI keys (up to four HASH and four RANGE attributes):
CreateTable / UpdateTable / DescribeTable and their validation, which items
an index holds, Query with every partition attribute and a left prefix of
the sort attributes, the key condition messages, legacy KeyConditions,
projections, LastEvaluatedKey and paging, streams, and PartiQL's refusal,
all as DynamoDB Local 3.3.1 answers them."""

import pytest
from compatlib import expect_error

H, R = "HASH", "RANGE"
ORDER = ("Invalid key order. Hash Key must be specified first in key schema, Range Key must be "
         "specifed second")


def keys(*spec):
    return [{"AttributeName": n, "KeyType": k} for n, k in spec]


def defs(**types):
    return [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]


def gsi(name, ks, projection=None):
    return {"IndexName": name, "KeySchema": ks, "Projection": projection or {"ProjectionType": "ALL"}}


@pytest.mark.parametrize("ks,message", [
    (keys(("a", H), ("b", H), ("c", H), ("d", H), ("e", H)),
     "Too many partition keys. GSI can have at most 4 partition keys"),
    (keys(("a", H), ("b", R), ("c", R), ("d", R), ("e", R), ("f", R)),
     "Too many sort keys. GSI can have at most 4 sort keys"),
    (keys(("a", H), ("b", H), ("c", H), ("d", H), ("e", R), ("f", R), ("g", R), ("h", R), ("i", R)),
     "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table"),
    (keys(("a", H), ("b", R), ("c", H)), ORDER),
    (keys(("b", R), ("a", H)), ORDER),
    (keys(("a", H), ("b", R), ("b", H)), "Two keys can not have the same name"),
    (keys(("a", H), ("a", H), ("c", H), ("d", H), ("e", H)), "Two keys can not have the same name"),
    (keys(("a", H), ("b", R), ("c", H), ("d", H), ("e", H), ("f", H)), ORDER),
    (keys(("b", R), ("c", R)),
     "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key"),
    (keys(("a", H), ("x", H), ("b", R)), "Attribute x is not defined in AttributeDefinitions"),
    (keys(("x", H)), "Attribute x is not defined in AttributeDefinitions"),
])
def test_create_refuses_bad_multikey_schemas(ddb, ks, message):
    attrs = defs(pk="S", **{n: "S" for n in "abcdefgh"})
    expect_error("ValidationException", message, ddb.create_table, TableName="compat-mk-bad",
                 KeySchema=keys(("pk", H)), AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST",
                 GlobalSecondaryIndexes=[gsi("gsi1", ks)])


def test_lsi_keeps_one_sort_key(ddb):
    expect_error("ValidationException",
                 "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table",
                 ddb.create_table, TableName="compat-mk-lsi", KeySchema=keys(("pk", H), ("s", R)),
                 AttributeDefinitions=defs(pk="S", s="S", a="S"), BillingMode="PAY_PER_REQUEST",
                 LocalSecondaryIndexes=[gsi("lsi1", keys(("pk", H), ("a", R), ("s", R)))])


def test_create_update_describe(ddb, make_table):
    four = keys(("a", H), ("b", H), ("c", H), ("d", H), ("e", R), ("f", R), ("g", R), ("h", R))
    name = make_table("mk", KeySchema=keys(("pk", H)),
                      AttributeDefinitions=defs(pk="S", a="S", b="N", c="B", d="S", e="N", f="S",
                                                g="S", h="N"),
                      GlobalSecondaryIndexes=[gsi("four", four)])
    ddb.update_table(TableName=name, AttributeDefinitions=defs(pk="S", x="S", y="N", pk2="S"),
                     GlobalSecondaryIndexUpdates=[{"Create": gsi("late", keys(("x", H), ("pk", H), ("y", R), ("pk2", R)),
                                                                 {"ProjectionType": "KEYS_ONLY"})}])
    desc = ddb.describe_table(TableName=name)["Table"]
    by_name = {ix["IndexName"]: ix for ix in desc["GlobalSecondaryIndexes"]}
    assert by_name["four"]["KeySchema"] == four
    assert by_name["late"]["KeySchema"] == keys(("x", H), ("pk", H), ("y", R), ("pk2", R))
    assert {d["AttributeName"]: d["AttributeType"] for d in desc["AttributeDefinitions"]} == {
        "pk": "S", "a": "S", "b": "N", "c": "B", "d": "S", "e": "N", "f": "S", "g": "S", "h": "N",
        "x": "S", "y": "N", "pk2": "S"}


# The query table: GSI "mkx" with a (S), b (N) as partition and c (S), d (N)
# as sort attributes, KEYS_ONLY; GSI "inc" (a; c, d) INCLUDE w. No two items
# share a whole index key, so the order of results is fully defined.
ROWS = [("i1", "m", "5"), ("i2", "m", "3"), ("i3", "ma", "1"), ("i4", "l", "9"), ("i5", "m", "-2"),
        ("i6", "m", "10"), ("i7", "m", "2.5"), ("i8", "m", "-10")]
SORTED = ["i4", "i8", "i5", "i7", "i2", "i1", "i6", "i3"]


@pytest.fixture
def mktable(ddb, make_table):
    name = make_table("mkq", KeySchema=keys(("pk", H)),
                      AttributeDefinitions=defs(pk="S", a="S", b="N", c="S", d="N"),
                      StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                      GlobalSecondaryIndexes=[
                          gsi("mkx", keys(("a", H), ("b", H), ("c", R), ("d", R)), {"ProjectionType": "KEYS_ONLY"}),
                          gsi("inc", keys(("a", H), ("c", R), ("d", R)),
                              {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["w"]})])
    for pk, c, d in ROWS:
        ddb.put_item(TableName=name, Item={"pk": {"S": pk}, "a": {"S": "x"}, "b": {"N": "1"}, "c": {"S": c},
                                           "d": {"N": d}, "w": {"S": "w" + pk}, "z": {"S": "z"}})
    # not in "mkx": another partition, a missing sort attribute, a missing partition attribute
    ddb.put_item(TableName=name, Item={"pk": {"S": "o"}, "a": {"S": "x"}, "b": {"N": "2"}, "c": {"S": "m"}, "d": {"N": "0"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "s1"}, "a": {"S": "x"}, "b": {"N": "1"}, "c": {"S": "m"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "s2"}, "a": {"S": "x"}, "c": {"S": "m"}, "d": {"N": "7"}})
    return name


XB = {":a": {"S": "x"}, ":b": {"N": "1"}}


def pks(items):
    return [i["pk"]["S"] for i in items]


def query(ddb, table, kce, values, index="mkx", **kw):
    return ddb.query(TableName=table, IndexName=index, KeyConditionExpression=kce,
                     ExpressionAttributeValues=values, **kw)


@pytest.mark.parametrize("kce,extra,want", [
    ("a = :a AND b = :b", {}, SORTED),
    ("b = :b AND a = :a AND c = :c", {":c": {"S": "m"}}, ["i8", "i5", "i7", "i2", "i1", "i6"]),
    ("a = :a AND b = :b AND c > :c", {":c": {"S": "m"}}, ["i3"]),
    ("a = :a AND b = :b AND c >= :c", {":c": {"S": "m"}}, ["i8", "i5", "i7", "i2", "i1", "i6", "i3"]),
    ("a = :a AND b = :b AND c < :c", {":c": {"S": "m"}}, ["i4"]),
    ("a = :a AND b = :b AND c <= :c", {":c": {"S": "m"}}, ["i4", "i8", "i5", "i7", "i2", "i1", "i6"]),
    ("a = :a AND b = :b AND begins_with(c, :c)", {":c": {"S": "m"}}, ["i8", "i5", "i7", "i2", "i1", "i6", "i3"]),
    ("a = :a AND b = :b AND c BETWEEN :c AND :e", {":c": {"S": "a"}, ":e": {"S": "m"}},
     ["i4", "i8", "i5", "i7", "i2", "i1", "i6"]),
    ("a = :a AND b = :b AND c = :c AND d = :d", {":c": {"S": "m"}, ":d": {"N": "2.50"}}, ["i7"]),
    ("a = :a AND b = :b AND c = :c AND d > :d", {":c": {"S": "m"}, ":d": {"N": "2.5"}}, ["i2", "i1", "i6"]),
    ("a = :a AND b = :b AND c = :c AND d <= :d", {":c": {"S": "m"}, ":d": {"N": "3"}}, ["i8", "i5", "i7", "i2"]),
    ("a = :a AND b = :b AND c = :c AND d BETWEEN :d AND :e", {":c": {"S": "m"}, ":d": {"N": "-2"}, ":e": {"N": "5"}},
     ["i5", "i7", "i2", "i1"]),
])
def test_query_order_and_operators(ddb, mktable, kce, extra, want):
    values = dict(XB, **extra)
    assert pks(query(ddb, mktable, kce, values)["Items"]) == want
    assert pks(query(ddb, mktable, kce, values, ScanIndexForward=False)["Items"]) == want[::-1]


def test_projection_and_paging(ddb, mktable):
    out = query(ddb, mktable, "a = :a AND b = :b", XB)
    # KEYS_ONLY: the table key and every index key attribute
    assert all(set(i) == {"pk", "a", "b", "c", "d"} for i in out["Items"])
    seen, esk = [], None
    while True:
        kw = {"Limit": 3}
        if esk:
            kw["ExclusiveStartKey"] = esk
        page = query(ddb, mktable, "a = :a AND b = :b", XB, **kw)
        seen += pks(page["Items"])
        esk = page.get("LastEvaluatedKey")
        if not esk:
            break
        assert set(esk) == {"pk", "a", "b", "c", "d"}
    assert seen == SORTED
    inc = query(ddb, mktable, "a = :a AND c = :c AND d < :d", {":a": {"S": "x"}, ":c": {"S": "m"}, ":d": {"N": "0"}},
                index="inc")
    assert pks(inc["Items"]) == ["i8", "i5"]
    assert all(set(i) == {"pk", "a", "c", "d", "w"} for i in inc["Items"])


def test_index_entries_follow_writes(ddb, mktable):
    def upd(pk, expr, values=None):
        kw = {"ExpressionAttributeValues": values} if values else {}
        ddb.update_item(TableName=mktable, Key={"pk": {"S": pk}}, UpdateExpression=expr, **kw)

    upd("s1", "SET d = :d", {":d": {"N": "4"}})          # now complete: joins the index
    upd("i4", "SET c = :c", {":c": {"S": "mb"}})         # moves
    upd("i3", "REMOVE b")                                # leaves
    ddb.delete_item(TableName=mktable, Key={"pk": {"S": "i1"}})
    got = pks(query(ddb, mktable, "a = :a AND b = :b AND c >= :c", dict(XB, **{":c": {"S": "m"}}))["Items"])
    assert got == ["i8", "i5", "i7", "i2", "s1", "i6", "i4"]


def test_wrong_type_in_any_key_attribute_is_refused(ddb, mktable):
    expect_error("ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key",
                 ddb.put_item, TableName=mktable,
                 Item={"pk": {"S": "t"}, "a": {"S": "x"}, "b": {"S": "1"}})
    expect_error("ValidationException",
                 "One or more parameter values are not valid. A value specified for a secondary index key is not "
                 "supported. The AttributeValue for a key attribute cannot contain an empty string value. "
                 "IndexName: mkx, IndexKey: c",
                 ddb.put_item, TableName=mktable,
                 Item={"pk": {"S": "t"}, "a": {"S": "x"}, "b": {"N": "1"}, "c": {"S": ""}})


@pytest.mark.parametrize("kce,values,message", [
    ("a = :a", {":a": {"S": "x"}}, "HASH key attributes b must have equality conditions specified in the query"),
    ("a > :a AND b = :b", XB, "HASH key attributes a must have equality conditions specified in the query"),
    ("c = :c", {":c": {"S": "m"}}, "HASH key attributes a, b must have equality conditions specified in the query"),
    ("a = :a AND b = :b AND d = :d", dict(XB, **{":d": {"N": "1"}}),
     "RANGE key attributes c must have equality conditions specified in the query because a condition is "
     "present on key attribute d"),
    ("a = :a AND b = :b AND c > :c AND d = :d", dict(XB, **{":c": {"S": "m"}, ":d": {"N": "1"}}),
     "RANGE key attributes c must have equality conditions specified in the query because a condition is "
     "present on key attribute d"),
    # a condition on no key: "not supported" beyond the count of key attributes, else "missed"
    ("a = :a AND b = :b AND z = :z", dict(XB, **{":z": {"S": "z"}}), "Query condition missed key schema element"),
    ("a = :a AND b = :b AND c = :c AND z = :z", dict(XB, **{":c": {"S": "m"}, ":z": {"S": "z"}}),
     "Query condition missed key schema element"),
    ("a = :a AND b = :b AND c = :c AND d = :d AND z = :z",
     dict(XB, **{":c": {"S": "m"}, ":d": {"N": "1"}, ":z": {"S": "z"}}), "Query key condition not supported"),
    ("a = :a AND b = :b AND c = :c AND d = :d AND pk = :z",
     dict(XB, **{":c": {"S": "m"}, ":d": {"N": "1"}, ":z": {"S": "z"}}), "Query key condition not supported"),
    ("a = :a AND b = :b AND pk = :z", dict(XB, **{":z": {"S": "z"}}), "Query condition missed key schema element"),
    ("a = :a AND b = :b AND c = :c AND c = :c", dict(XB, **{":c": {"S": "m"}}),
     "KeyConditionExpressions must only contain one condition per key"),
    ("a = :a AND b = :b AND c = :c", dict(XB, **{":c": {"N": "1"}}),
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("a = :a AND b = :b AND c = :c AND begins_with(d, :d)", dict(XB, **{":c": {"S": "m"}, ":d": {"N": "1"}}),
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: "
     "begins_with, operand type: N"),
])
def test_key_condition_errors(ddb, mktable, kce, values, message):
    expect_error("ValidationException", message, query, ddb, mktable, kce, values)


def test_filter_may_not_read_index_keys(ddb, mktable):
    expect_error("ValidationException",
                 "Filter Expression can only contain non-primary key attributes: Primary key attribute: d",
                 query, ddb, mktable, "a = :a AND b = :b", XB, FilterExpression="d > :b")
    out = query(ddb, mktable, "a = :a AND b = :b", dict(XB, **{":p": {"S": "i5"}}), FilterExpression="pk = :p")
    assert pks(out["Items"]) == ["i5"]


def test_legacy_key_conditions(ddb, mktable):
    def eq(v):
        return {"ComparisonOperator": "EQ", "AttributeValueList": [v]}
    out = ddb.query(TableName=mktable, IndexName="mkx",
                    KeyConditions={"a": eq({"S": "x"}), "b": eq({"N": "1"}), "c": eq({"S": "m"}),
                                   "d": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "3"}]}})
    assert pks(out["Items"]) == ["i2", "i1", "i6"]
    expect_error("ValidationException",
                 "RANGE key attributes c must have equality conditions specified in the query because a condition "
                 "is present on key attribute d",
                 ddb.query, TableName=mktable, IndexName="mkx",
                 KeyConditions={"a": eq({"S": "x"}), "b": eq({"N": "1"}), "d": eq({"N": "3"})})


def test_partiql_refuses_a_multikey_index(ddb, mktable):
    expect_error("ValidationException",
                 "PartiQL statements cannot be executed on tables with composite HASH keys or composite RANGE keys.",
                 ddb.execute_statement, Statement='SELECT * FROM "%s"."mkx" WHERE a = \'x\' AND b = 1' % mktable)
    out = ddb.execute_statement(Statement='SELECT * FROM "%s" WHERE pk = \'i1\'' % mktable)
    assert pks(out["Items"]) == ["i1"]


def test_stream_records(ddb, streams, mktable):
    arn = ddb.describe_table(TableName=mktable)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=it)["Records"]
    # one INSERT per PutItem, keyed by the table key only
    assert [r["eventName"] for r in records] == ["INSERT"] * (len(ROWS) + 3)
    assert [r["dynamodb"]["Keys"] for r in records[:2]] == [{"pk": {"S": "i1"}}, {"pk": {"S": "i2"}}]
