"""Query and Scan: key conditions, order, Limit and paging, filters after
Limit, projections, Select COUNT, GSI (sparse, KEYS_ONLY, INCLUDE) and LSI
queries, parallel scan segments, number and binary ordering, and errors."""
import random
import string

import pytest
from compatlib import error_of, expect_error, expect_error_ddb
from conftest import documented_only


@pytest.fixture
def qtable(ddb, make_table):
    name = make_table(
        "q",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"},
                              {"AttributeName": "l", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "g-all", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                 {"AttributeName": "sk", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "g-keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "g-incl", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                  {"AttributeName": "sk", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}],
        LocalSecondaryIndexes=[
            {"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "l", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}}])
    with_batches(ddb, name, [item(i) for i in range(40)])
    return name


def item(i):
    it = {"pk": {"S": "p%d" % (i % 2)}, "sk": {"N": str(i * 5 - 50)}, "v": {"N": str(i % 7)},
          "w": {"S": "w%02d" % i}}
    if i % 3 == 0:
        it["g"] = {"S": "G"}
    if i % 4 == 0:
        it["l"] = {"S": "l%02d" % (40 - i)}
    return it


def with_batches(ddb, table, items):
    for i in range(0, len(items), 25):
        out = ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": x}} for x in items[i:i + 25]]})
        assert out["UnprocessedItems"] == {}


def sks(items):
    return [int(x["sk"]["N"]) for x in items]


def q(ddb, table, expr, values, **kw):
    return ddb.query(TableName=table, KeyConditionExpression=expr, ExpressionAttributeValues=values, **kw)


P0 = {":p": {"S": "p0"}}
EVEN = [i * 5 - 50 for i in range(0, 40, 2)]


@pytest.mark.parametrize("cond,values,expected", [
    ("pk = :p", {}, EVEN),
    ("pk = :p AND sk = :a", {":a": {"N": "0"}}, [0]),
    ("pk = :p AND sk < :a", {":a": {"N": "-30"}}, [-50, -40]),
    ("pk = :p AND sk <= :a", {":a": {"N": "-30"}}, [-50, -40, -30]),
    ("pk = :p AND sk > :a", {":a": {"N": "130"}}, [140]),
    ("pk = :p AND sk >= :a", {":a": {"N": "130"}}, [130, 140]),
    ("pk = :p AND sk BETWEEN :a AND :b", {":a": {"N": "-1"}, ":b": {"N": "20.0"}}, [0, 10, 20]),
    ("#k = :p AND (#s BETWEEN :a AND :b)", {":a": {"N": "100"}, ":b": {"N": "1E+3"}}, [100, 110, 120, 130, 140]),
    (":p = pk", {}, EVEN),
    ("pk = :p AND sk > :a AND sk < :b", {":a": {"N": "1"}, ":b": {"N": "9"}}, None),
])
def test_key_conditions(ddb, qtable, cond, values, expected):
    kw = {}
    if "#" in cond:
        kw["ExpressionAttributeNames"] = {"#k": "pk", "#s": "sk"}
    if expected is None:
        code, _, _ = error_of(q, ddb, qtable, cond, dict(P0, **values), **kw)
        assert code == "ValidationException"
        return
    out = q(ddb, qtable, cond, dict(P0, **values), **kw)
    assert sks(out["Items"]) == expected
    assert out["Count"] == out["ScannedCount"] == len(expected)
    assert "LastEvaluatedKey" not in out


def test_begins_with_on_string_sort_key(ddb, make_table):
    t = make_table("bw")
    for s in ["a", "ab", "abc", "b", "a\u00e9", "A"]:
        ddb.put_item(TableName=t, Item={"pk": {"S": "x"}, "sk": {"S": s}})
    out = q(ddb, t, "pk = :p AND begins_with(sk, :b)", {":p": {"S": "x"}, ":b": {"S": "a"}})
    # begins_with compares bytes (case-sensitive; DynamoDB Local 1.11.478 also returned "A").
    assert [x["sk"]["S"] for x in out["Items"]] == ["a", "ab", "abc", "a\u00e9"]
    out = q(ddb, t, "pk = :p", {":p": {"S": "x"}}, ScanIndexForward=False)
    assert [x["sk"]["S"] for x in out["Items"]] == ["b", "a\u00e9", "abc", "ab", "a", "A"]


def test_binary_sort_key_order(ddb, make_table):
    t = make_table("bin", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "B"},
                                                {"AttributeName": "sk", "AttributeType": "B"}])
    vals = [b"\x80", b"\x00", b"\x7f\xff", b"\x01", b"\xff", b"\x00\x00"]
    for v in vals:
        ddb.put_item(TableName=t, Item={"pk": {"B": b"\x00k"}, "sk": {"B": v}})
    out = q(ddb, t, "pk = :p", {":p": {"B": b"\x00k"}})
    assert [x["sk"]["B"] for x in out["Items"]] == sorted(vals)
    out = q(ddb, t, "pk = :p AND begins_with(sk, :b)", {":p": {"B": b"\x00k"}, ":b": {"B": b"\x00"}})
    assert [x["sk"]["B"] for x in out["Items"]] == [b"\x00", b"\x00\x00"]


def test_number_sort_order(ddb, make_table):
    t = make_table("num", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "N"}])
    nums = ["9", "10", "-1", "-10", "0.5", "1E+30", "-1E-30", "0", "99999999999999999999999999999999999999",
            "1.0000000000000000000000000000000000001"]
    for n in nums:
        ddb.put_item(TableName=t, Item={"pk": {"S": "x"}, "sk": {"N": n}})
    got = [x["sk"]["N"] for x in q(ddb, t, "pk = :p", {":p": {"S": "x"}})["Items"]]
    assert got == ["-10", "-1", "-0.000000000000000000000000000001", "0", "0.5",
                   "1.0000000000000000000000000000000000001", "9", "10", "1000000000000000000000000000000",
                   "99999999999999999999999999999999999999"]


def test_reverse_limit_paging(ddb, qtable):
    pages, start, got = 0, None, []
    while True:
        kw = {"Limit": 3, "ScanIndexForward": False}
        if start:
            kw["ExclusiveStartKey"] = start
        out = q(ddb, qtable, "pk = :p", P0, **kw)
        pages += 1
        got += sks(out["Items"])
        start = out.get("LastEvaluatedKey")
        if not start:
            break
        assert start == {"pk": out["Items"][-1]["pk"], "sk": out["Items"][-1]["sk"]}
    assert got == EVEN[::-1]
    # 20 items in pages of 3: the 7th page holds 2 and ends the query.
    assert pages == 7


def test_limit_exact_multiple_returns_last_key(ddb, qtable):
    out = q(ddb, qtable, "pk = :p", P0, Limit=20)
    assert len(out["Items"]) == 20
    assert "LastEvaluatedKey" in out
    out = q(ddb, qtable, "pk = :p", P0, ExclusiveStartKey=out["LastEvaluatedKey"])
    assert out["Items"] == [] and out["Count"] == 0 and "LastEvaluatedKey" not in out


def test_filter_after_limit(ddb, qtable):
    out = q(ddb, qtable, "pk = :p", dict(P0, **{":v": {"N": "3"}}), Limit=10, FilterExpression="v >= :v")
    assert out["ScannedCount"] == 10
    expect = [s for i, s in enumerate(EVEN[:10]) if (i * 2) % 7 >= 3]
    assert sks(out["Items"]) == expect and out["Count"] == len(expect)
    assert out["LastEvaluatedKey"]["sk"] == {"N": str(EVEN[9])}


def test_select_count_and_projection(ddb, qtable):
    out = q(ddb, qtable, "pk = :p", P0, Select="COUNT")
    assert "Items" not in out and out["Count"] == 20 and out["ScannedCount"] == 20
    out = q(ddb, qtable, "pk = :p", P0, ProjectionExpression="w, #v", ExpressionAttributeNames={"#v": "v"},
            Limit=2)
    assert out["Items"] == [{"w": {"S": "w00"}, "v": {"N": "0"}}, {"w": {"S": "w02"}, "v": {"N": "2"}}]
    out = q(ddb, qtable, "pk = :p", P0, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="w", Limit=1)
    assert out["Items"] == [{"w": {"S": "w00"}}]
    expect_error("ValidationException",
                 "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
                 q, ddb, qtable, "pk = :p", P0, Select="ALL_ATTRIBUTES", ProjectionExpression="w")


def test_gsi_queries(ddb, qtable):
    g = {":g": {"S": "G"}}
    out = q(ddb, qtable, "g = :g", g, IndexName="g-all")
    expect = sorted(i * 5 - 50 for i in range(40) if i % 3 == 0)
    assert sks(out["Items"]) == expect
    assert all(set(x) >= {"pk", "sk", "v", "w", "g"} for x in out["Items"])
    out = q(ddb, qtable, "g = :g AND sk > :s", dict(g, **{":s": {"N": "100"}}), IndexName="g-all",
            ScanIndexForward=False, Limit=2)
    assert sks(out["Items"]) == [145, 130]
    assert out["LastEvaluatedKey"] == {"g": {"S": "G"}, "sk": {"N": "130"}, "pk": {"S": "p0"}}
    out = q(ddb, qtable, "g = :g", g, IndexName="g-keys")
    assert out["Count"] == len(expect)
    assert all(set(x) == {"pk", "sk", "g"} for x in out["Items"])
    out = q(ddb, qtable, "g = :g", g, IndexName="g-incl")
    assert all(set(x) == {"pk", "sk", "g", "v"} for x in out["Items"])
    # "Global secondary index queries cannot fetch attributes from the parent
    # table" (developer guide; DynamoDB Local 1.11.478 fetched them anyway).
    expect_error("ValidationException", "One or more parameter values were invalid: Select type "
                 "ALL_ATTRIBUTES is not supported for global secondary index g-keys because its "
                 "projection type is not ALL",
                 q, ddb, qtable, "g = :g", g, IndexName="g-keys", Select="ALL_ATTRIBUTES")
    # DynamoDB rejects strongly consistent reads on a GSI, Query and Scan
    # (DynamoDB Local 1.11.478 accepted them).
    expect_error("ValidationException", "Consistent reads are not supported on global secondary indexes",
                 q, ddb, qtable, "g = :g", g, IndexName="g-all", ConsistentRead=True)
    expect_error("ValidationException", "Consistent reads are not supported on global secondary indexes",
                 ddb.scan, TableName=qtable, IndexName="g-all", ConsistentRead=True)
    # ... and accepts them on an LSI.
    assert q(ddb, qtable, "pk = :p", P0, IndexName="lsi", ConsistentRead=True)["Count"] == 10
    # Sparse: a scan of the GSI sees only the items that have g.
    assert ddb.scan(TableName=qtable, IndexName="g-keys")["Count"] == len(expect)


def test_lsi_query(ddb, qtable):
    out = q(ddb, qtable, "pk = :p AND l > :l", dict(P0, **{":l": {"S": "l20"}}), IndexName="lsi")
    ls = [x["l"]["S"] for x in out["Items"]]
    assert ls == sorted(ls) and ls == ["l24", "l28", "l32", "l36", "l40"]
    assert ddb.scan(TableName=qtable, IndexName="lsi", Select="COUNT")["Count"] == 10


def test_query_empty_key_values_and_between_message(ddb, qtable):
    # An empty string can be no key's value, so a key condition with one is
    # refused (also in begins_with); BETWEEN's bounds are printed as
    # "AttributeValue: {N:5}".
    empty = ("One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
             "contain an empty string value. Key: %s")
    expect_error("ValidationException", empty % "pk", q, ddb, qtable, "pk = :p", {":p": {"S": ""}})
    expect_error("ValidationException",
                 "One or more parameter values are not valid. A value specified for a secondary index key is not "
                 "supported. The AttributeValue for a key attribute cannot contain an empty string value. "
                 "IndexName: lsi, IndexKey: l",
                 q, ddb, qtable, "pk = :p AND begins_with(l, :s)", dict(P0, **{":s": {"S": ""}}), IndexName="lsi")
    expect_error("ValidationException",
                 "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
                 "equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: "
                 "AttributeValue: {N:1}",
                 q, ddb, qtable, "pk = :p AND sk BETWEEN :a AND :b", dict(P0, **{":a": {"N": "5"}, ":b": {"N": "1"}}))


def test_query_errors(server, ddb, qtable):
    expect_error_ddb(server, "ValidationException",
                     "Query condition missed key schema element: pk",
                     q, ddb, qtable, "sk = :a", {":a": {"N": "1"}})
    code, _, _ = error_of(q, ddb, qtable, "pk = :p AND v = :a", dict(P0, **{":a": {"N": "1"}}))
    assert code == "ValidationException"
    code, _, _ = error_of(q, ddb, qtable, "pk = :p OR sk = :a", dict(P0, **{":a": {"N": "1"}}))
    assert code == "ValidationException"
    code, msg, _ = error_of(q, ddb, qtable, "pk = :p", P0, IndexName="nope")
    assert code == "ValidationException"
    assert msg == "The table does not have the specified index: nope"
    expect_error("ValidationException",
                 "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
                 q, ddb, qtable, "pk = :p", dict(P0, **{":a": {"N": "1"}}), FilterExpression="sk > :a")
    expect_error_ddb(server, "ValidationException",
                     "The provided starting key is invalid: The provided key element does not match the schema",
                     q, ddb, qtable, "pk = :p", P0, ExclusiveStartKey={"pk": {"S": "p0"}})


def test_scan_paging_filter_and_segments(ddb, qtable):
    got, start = [], None
    while True:
        kw = {"Limit": 7}
        if start:
            kw["ExclusiveStartKey"] = start
        out = ddb.scan(TableName=qtable, **kw)
        assert out["ScannedCount"] <= 7
        got += out["Items"]
        start = out.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(sks(got)) == [i * 5 - 50 for i in range(40)]
    out = ddb.scan(TableName=qtable, FilterExpression="v = :v AND begins_with(w, :w)",
                   ExpressionAttributeValues={":v": {"N": "2"}, ":w": {"S": "w1"}})
    assert sorted(x["w"]["S"] for x in out["Items"]) == ["w16"]
    assert out["ScannedCount"] == 40 and out["Count"] == 1
    seen = []
    for seg in range(3):
        start = None
        while True:
            kw = {"Segment": seg, "TotalSegments": 3, "Limit": 5}
            if start:
                kw["ExclusiveStartKey"] = start
            out = ddb.scan(TableName=qtable, **kw)
            seen += sks(out["Items"])
            start = out.get("LastEvaluatedKey")
            if not start:
                break
    assert sorted(seen) == [i * 5 - 50 for i in range(40)]
    out = ddb.scan(TableName=qtable, Select="COUNT", FilterExpression="attribute_exists(g)")
    assert out["Count"] == 14 and out["ScannedCount"] == 40 and "Items" not in out
    code, _, _ = error_of(ddb.scan, TableName=qtable, Segment=3, TotalSegments=3)
    assert code == "ValidationException"
    code, _, _ = error_of(ddb.scan, TableName=qtable, Segment=1)
    assert code == "ValidationException"


def test_scan_query_missing_table(server, ddb):
    expect_error_ddb(server, "ResourceNotFoundException", "Requested resource not found",
                     ddb.scan, TableName="compat-nope")
    expect_error_ddb(server, "ResourceNotFoundException", "Requested resource not found",
                     q, ddb, "compat-nope", "pk = :p", P0)


def test_resource_level_query_with_conditions(resource, qtable):
    from boto3.dynamodb.conditions import Attr, Key
    t = resource.Table(qtable)
    out = t.query(KeyConditionExpression=Key("pk").eq("p1") & Key("sk").between(-45, 0),
                  FilterExpression=Attr("v").gt(2))
    assert [int(x["sk"]) for x in out["Items"]] == [-35, -25]
    out = t.scan(FilterExpression=Attr("g").exists() & Attr("w").begins_with("w3"))
    assert sorted(x["w"] for x in out["Items"]) == ["w30", "w33", "w36", "w39"]


@pytest.fixture
def narrow(ddb, make_table):
    """A table with a KEYS_ONLY and an INCLUDE GSI and a KEYS_ONLY LSI, and one item."""
    name = make_table(
        "narrow",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g", "l")],
        GlobalSecondaryIndexes=[
            {"IndexName": "keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "some", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]}}],
        LocalSecondaryIndexes=[
            {"IndexName": "local", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                 {"AttributeName": "l", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"S": "s"}, "g": {"S": "G"}, "l": {"S": "L"},
                                       "a": {"S": "A"}, "c": {"M": {"d": {"S": "x"}}}})
    return name


NOT_PROJECTED = "One or more parameter values were invalid: Global secondary index %s does not project [%s]"
NOT_FILTERED = ("One or more parameter values were invalid: Secondary index %s does not project one or more "
                "filter attributes: [%s]")
G = {":g": {"S": "G"}}
P = {":g": {"S": "p"}}


@pytest.mark.parametrize("op, args, message", [
    # a global index answers only what it holds; names listed as 3.3.1's HashSet lists them
    ("query", dict(IndexName="keys", KeyConditionExpression="g = :g", ExpressionAttributeValues=G,
                   ProjectionExpression="pk, a, c.d, zz"), NOT_PROJECTED % ("keys", "zz, a, c")),
    ("query", dict(IndexName="some", KeyConditionExpression="g = :g", ExpressionAttributeValues=G,
                   ProjectionExpression="#a, c", ExpressionAttributeNames={"#a": "a"}), NOT_PROJECTED % ("some", "c")),
    ("scan", dict(IndexName="keys", AttributesToGet=["a", "pk"]), NOT_PROJECTED % ("keys", "a")),
    # a Query filters on what any secondary index holds (a Scan is not checked)
    ("query", dict(IndexName="local", KeyConditionExpression="pk = :g", ExpressionAttributeValues=P,
                   FilterExpression="g = :g"), NOT_FILTERED % ("local", "g")),
    ("query", dict(IndexName="some", KeyConditionExpression="g = :g", ExpressionAttributeValues=G,
                   FilterExpression="a = :g AND b = :g AND pk = :g AND sk = :g AND l = :g"),
     NOT_FILTERED % ("some", "l")),
    # their order: after the key condition and ExclusiveStartKey; the filter before Select,
    # the projection after it (and after a Scan's segments)
    ("query", dict(IndexName="keys", KeyConditionExpression="g = :g", ExpressionAttributeValues=G,
                   ProjectionExpression="zz", FilterExpression="a = :g"), NOT_FILTERED % ("keys", "a")),
    ("query", dict(IndexName="keys", KeyConditionExpression="g = :g", ExpressionAttributeValues=G,
                   FilterExpression="a = :g", Select="ALL_ATTRIBUTES"), NOT_FILTERED % ("keys", "a")),
    ("query", dict(IndexName="keys", KeyConditionExpression="g = :g", ExpressionAttributeValues=G,
                   ProjectionExpression="a", Select="COUNT"),
     "Cannot specify the ProjectionExpression when choosing to get only the Count"),
    ("query", dict(IndexName="keys", KeyConditionExpression="g = :g AND zz = :g", ExpressionAttributeValues=G,
                   ProjectionExpression="a"), "Query key condition not supported"),
    ("scan", dict(IndexName="keys", ProjectionExpression="a", Segment=3, TotalSegments=2),
     "1 validation error detected: Value '3' at 'segment' failed to satisfy constraint: Member must have value "
     "less than or equal to 1"),
])
def test_index_does_not_project(ddb, narrow, op, args, message):
    expect_error("ValidationException", message, getattr(ddb, op), TableName=narrow, **args)


def _java_hash(name, base=0):
    h = 0
    units = name.encode("utf-16-be")
    for i in range(0, len(units), 2):
        h = (31 * h + (units[i] << 8 | units[i + 1])) & 0xFFFFFFFF
    h = (h + base) & 0xFFFFFFFF
    return h ^ (h >> 16)


def _hash_set(names, base=0):
    """The iteration order of a new HashSet() (or HashMap) filled with
    `names` in that order; `base` 8191 * 127 for keys that are document
    path elements (their hash is that plus the name's)."""
    cap = 16
    while len(names) * 4 > cap * 3:
        cap *= 2
    return sorted(names, key=lambda s: _java_hash(s, base) & (cap - 1))


def test_index_does_not_project_long_lists(ddb, narrow):
    """The "does not project" lists for many names, as DynamoDB Local 3.3.1
    builds them: a projection's top-level names go into its projection
    tree (a HashMap keyed by path elements, the paths taken last to first;
    AttributesToGet as listed), from there into a HashSet, and the names
    the index holds are removed; a Query filter's names are sorted."""
    rng = random.Random(61)
    for i in range(24):
        names = list(dict.fromkeys("n%s" % "".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(1, 5)))
                                   for _ in range(rng.randint(13, 30))))
        names += rng.sample(["pk", "sk", "g"], rng.randint(0, 3))
        rng.shuffle(names)
        kind = ["projection", "attributes", "filter"][i % 3]
        op = "scan" if i % 2 and kind != "filter" else "query"
        args = dict(IndexName="keys")
        if op == "query":
            args.update(KeyConditionExpression="g = :g", ExpressionAttributeValues=G)
        if kind == "projection":
            paths = [[x] for x in names] + [["nest%d" % rng.randint(0, 3), "x%d" % k] for k in range(rng.randint(0, 5))]
            rng.shuffle(paths)
            ean = {}
            for p in paths:
                for x in p:
                    ean.setdefault("#" + x, x)
            args.update(ProjectionExpression=", ".join(".".join("#" + x for x in p) for p in paths),
                         ExpressionAttributeNames=ean)
            tops = list(dict.fromkeys(p[0] for p in reversed(paths)))
            want = [x for x in _hash_set(_hash_set(tops, 8191 * 127)) if x not in ("pk", "sk", "g")]
            message = NOT_PROJECTED % ("keys", ", ".join(want))
        elif kind == "attributes":
            if op == "query":
                args = dict(IndexName="keys", KeyConditions={"g": {"ComparisonOperator": "EQ",
                                                                   "AttributeValueList": [{"S": "G"}]}})
            args.update(AttributesToGet=names, Select="SPECIFIC_ATTRIBUTES")
            want = [x for x in _hash_set(names) if x not in ("pk", "sk", "g")]
            message = NOT_PROJECTED % ("keys", ", ".join(want))
        else:
            held = [x for x in names if x in ("pk", "sk", "g")]
            filt = [x for x in names if x not in held]
            args.update(FilterExpression=" OR ".join("attribute_exists(#%s)" % x for x in filt),
                        ExpressionAttributeNames={"#" + x: x for x in filt})
            message = NOT_FILTERED % ("keys", ", ".join(sorted(filt, key=lambda s: s.encode("utf-16-be"))))
        expect_error("ValidationException", message, getattr(ddb, op), TableName=narrow, **args)


def test_index_projection_within_reach(ddb, narrow):
    """What the index holds is answered; a local index reads the rest from the table."""
    q = ddb.query(TableName=narrow, IndexName="keys", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues=G, ProjectionExpression="pk, sk, g")
    assert q["Items"] == [{"pk": {"S": "p"}, "sk": {"S": "s"}, "g": {"S": "G"}}]
    q = ddb.query(TableName=narrow, IndexName="local", KeyConditionExpression="pk = :g",
                  ExpressionAttributeValues=P, ProjectionExpression="a")
    assert q["Items"] == [{"a": {"S": "A"}}]
    s = ddb.scan(TableName=narrow, IndexName="keys", FilterExpression="a = :g", ExpressionAttributeValues=G)
    assert s["Items"] == []


def test_start_key_is_checked_before_select(ddb, narrow):
    """DynamoDB Local 3.3.1 checks ExclusiveStartKey before Select and a Scan's segments
    (the wording of the starting-key refusal differs: cruddur keeps DynamoDB's)."""
    for op, extra in (("query", dict(KeyConditionExpression="g = :g", ExpressionAttributeValues=G)), ("scan", {}),
                      ("scan", dict(Segment=3, TotalSegments=2))):
        _, msg, _ = error_of(getattr(ddb, op), TableName=narrow, IndexName="keys", Select="ALL_ATTRIBUTES",
                             ExclusiveStartKey={"zz": {"S": "x"}}, **extra)
        assert msg.startswith("The provided starting key is invalid"), msg


@pytest.fixture
def fetch_table(ddb, make_table):
    """A table with a KEYS_ONLY and an INCLUDE local index over 6 items of
    a partition: the odd ones 2 read units (about 5 KB), the even ones 1."""
    name = make_table(
        "qf", AttributeDefinitions=[{"AttributeName": a, "AttributeType": t}
                                    for a, t in (("pk", "S"), ("sk", "N"), ("l", "N"))],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[
            {"IndexName": "keys", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                {"AttributeName": "l", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "inc", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "l", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}])
    for i in range(6):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "l": {"N": str(i)},
                                           "a": {"S": "b" if i in (1, 3) else "a"},
                                           "v": {"S": "x" * (5000 if i % 2 else 500)}})
    return name


@pytest.mark.parametrize("index,args,table_units", [
    ("keys", {"Select": "ALL_ATTRIBUTES"}, 4.5),
    ("keys", {"Select": "ALL_ATTRIBUTES", "ConsistentRead": True}, 9.0),
    ("keys", {"Select": "ALL_ATTRIBUTES", "Limit": 2}, 1.5),
    ("keys", {"Select": "ALL_ATTRIBUTES", "Limit": 3, "ScanIndexForward": False}, 2.5),
    ("keys", {"ProjectionExpression": "v"}, 4.5),
    ("inc", {"ProjectionExpression": "a, v"}, 4.5),
    # filtered out items were read from the table all the same
    ("inc", {"Select": "ALL_ATTRIBUTES", "FilterExpression": "a = :b"}, 4.5),
    ("keys", {"Select": "ALL_PROJECTED_ATTRIBUTES"}, 0.0),
    ("inc", {"Select": "COUNT"}, 0.0),
])
def test_local_index_fetch_capacity(ddb, fetch_table, index, args, table_units):
    # A Query of a local index that asks for attributes the index does not
    # hold reads each item from the table too: its own read units (each item
    # rounded up to 4 KB), under Table, besides the index's.
    args = dict(args)
    values = {":p": {"S": "p"}}
    if "FilterExpression" in args:
        values[":b"] = {"S": "b"}
    out = ddb.query(TableName=fetch_table, IndexName=index, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues=values, ReturnConsumedCapacity="INDEXES", **args)
    index_units = 1.0 if args.get("ConsistentRead") else 0.5
    assert out["ConsumedCapacity"] == {
        "TableName": fetch_table, "CapacityUnits": table_units + index_units, "Table": {"CapacityUnits": table_units},
        "LocalSecondaryIndexes": {index: {"CapacityUnits": index_units}}}


def test_local_index_fetch_only_when_needed(server, ddb, fetch_table):
    documented_only(server, "it charges a table read for every ProjectionExpression on a local index, also one "
                            "that names only attributes the index holds; a Scan of a local index counts whole "
                            "items as index units and never the table")
    q = dict(TableName=fetch_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
             ReturnConsumedCapacity="INDEXES")
    out = ddb.query(IndexName="inc", ProjectionExpression="a, l, sk", **q)
    assert out["ConsumedCapacity"]["Table"] == {"CapacityUnits": 0.0}
    out = ddb.scan(TableName=fetch_table, IndexName="keys", ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {"TableName": fetch_table, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
                                       "LocalSecondaryIndexes": {"keys": {"CapacityUnits": 0.5}}}
    out = ddb.scan(TableName=fetch_table, IndexName="keys", Select="ALL_ATTRIBUTES", ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"]["Table"] == {"CapacityUnits": 4.5}
