"""Orders that DynamoDB Local 3.3.1 makes deterministic and cruddur copies:
Scan order, the items of each parallel-scan segment, the order of index
entries with equal index keys (GSI and LSI, Query and Scan) and the order
of an index Scan.

Each test runs on both servers against one model of the rule (FINDINGS.md,
"DynamoDB Local 3.3.1's orders"): an item's place is SHA-1("LocalDdb" || K)
of its partition key K (S: UTF-8, B: raw bytes, N: encodeBigDecimal), and
segment s of n holds the hashes from q*s to q*(s+1)-1 with
q = (2^160-1) // n (the last one up to 2^160-1). Passing on DynamoDB Local
shows the model is its rule; passing on cruddur shows cruddur follows it.
Every read pages with a small Limit, so ExclusiveStartKey is exercised too.
"""
import base64
import hashlib
import random
from decimal import Decimal, getcontext

getcontext().prec = 60
SALT = b"LocalDdb"
MAX_HASH = (1 << 160) - 1


def sha(b):
    return hashlib.sha1(SALT + b).digest()


def encode_number(text):
    """DynamoDB Local's encodeBigDecimal, from its bytecode."""
    d = Decimal(text)
    if d == 0:
        return b"\x80"
    neg = d < 0
    t = abs(d).normalize().as_tuple()
    digits = "".join(map(str, t.digits))
    e = len(digits) + t.exponent  # digits before the decimal point
    pad = e % 2 != 0
    e += 1 if pad else 0
    digits = ("0" if pad else "") + digits
    first = (192 + e // 2) & 0xFF
    out = [(~first) & 0xFF if neg else first]
    for i in range(0, len(digits), 2):
        pair = digits[i:i + 2]
        v = int(pair[0]) * 10 + (int(pair[1]) if len(pair) > 1 else 0)
        out.append(101 - v if neg else v + 1)
    if neg and len(out) - 1 < 20:
        out.append(102)
    return bytes(out)


def key_hash(av):
    (t, v), = av.items()
    if t == "S":
        return sha(v.encode())
    if t == "B":
        return sha(v if isinstance(v, bytes) else base64.b64decode(v))
    return sha(encode_number(v))


def sort_value(av):
    (t, v), = av.items()
    if t == "N":
        return Decimal(v)
    if t == "S":
        return v.encode()
    return v


def segment_of(h, n):
    q = MAX_HASH // n
    return min(int.from_bytes(h, "big") // q, n - 1)


def scan_all(ddb, **kw):
    out, esk = [], None
    while True:
        args = dict(kw)
        if esk:
            args["ExclusiveStartKey"] = esk
        r = ddb.scan(**args)
        out += r["Items"]
        esk = r.get("LastEvaluatedKey")
        if not esk:
            return out


def query_all(ddb, **kw):
    out, esk = [], None
    while True:
        args = dict(kw)
        if esk:
            args["ExclusiveStartKey"] = esk
        r = ddb.query(**args)
        out += r["Items"]
        esk = r.get("LastEvaluatedKey")
        if not esk:
            return out


def keys_of(items, *names):
    return [tuple(sort_value(i[n]) if n in i else None for n in names) for i in items]


NUMBERS = ["0", "1", "-1", "10", "-100", "0.5", "1E-130", "-1E-130", "12.5", "-2.5E-10",
           "12345678901234567890123456789012345678", "-12345678901234567890123456789012345678",
           "1234567890123456789012345678901234567.8", "-0.1234567890123456789012345678901234567",
           "99999999999999999999999999999999999999", "-9.9999999999999999999999999999999999999E+125",
           "9.9999999999999999999999999999999999999E+125", "123456789012345678901234567890123456.7"]


def random_numbers(rng, n):
    out = []
    while len(out) < n:
        ndig = rng.randint(1, 38)
        digits = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(ndig - 1))
        text = "%s%sE%d" % ("-" if rng.random() < 0.5 else "", digits, rng.randint(-129, 125 - ndig))
        if Decimal("1E-130") <= abs(Decimal(text)) < Decimal("1E126"):
            out.append(text)
    return out


def test_scan_order_string_keys_with_sort_key(ddb, make_table):
    t = make_table("ord-s")
    rng = random.Random(5)
    for i in range(60):
        ddb.put_item(TableName=t, Item={"pk": {"S": "p%d" % rng.randint(0, 25)},
                                         "sk": {"S": "s%d" % rng.randint(0, 40)}})
    items = scan_all(ddb, TableName=t, Limit=7)
    want = sorted(items, key=lambda i: (key_hash(i["pk"]), sort_value(i["sk"])))
    assert keys_of(items, "pk", "sk") == keys_of(want, "pk", "sk")


def test_scan_order_number_keys(ddb, make_table):
    t = make_table("ord-n", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "N"}])
    nums = NUMBERS + random_numbers(random.Random(7), 80)
    for n in nums:
        ddb.put_item(TableName=t, Item={"k": {"N": n}})
    items = scan_all(ddb, TableName=t, Limit=9)
    want = sorted({Decimal(n): n for n in nums}.values(), key=lambda n: key_hash({"N": n}))
    assert [Decimal(i["k"]["N"]) for i in items] == [Decimal(n) for n in want]


def test_scan_order_binary_keys(ddb, make_table):
    t = make_table("ord-b", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "B"}])
    rng = random.Random(11)
    keys = {bytes(rng.randrange(256) for _ in range(rng.randint(1, 12))) for _ in range(40)}
    keys |= {b"\x00", b"\xff", b"a"}
    for k in keys:
        ddb.put_item(TableName=t, Item={"k": {"B": k}})
    items = scan_all(ddb, TableName=t, Limit=6)
    assert [i["k"]["B"] for i in items] == sorted(keys, key=lambda k: sha(k))


def test_parallel_scan_segments_1_to_13(ddb, make_table):
    t = make_table("ord-seg", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    keys = ["k%03d" % i for i in range(90)]
    for k in keys:
        ddb.put_item(TableName=t, Item={"k": {"S": k}})
    for n in range(1, 14):
        for s in range(n):
            items = scan_all(ddb, TableName=t, Segment=s, TotalSegments=n, Limit=4)
            want = sorted((k for k in keys if segment_of(sha(k.encode()), n) == s),
                          key=lambda k: sha(k.encode()))
            assert [i["k"]["S"] for i in items] == want, (s, n)


def tie_table(make_table, ddb, range_key):
    defs = [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "g", "gr")]
    kw = {}
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        defs += [{"AttributeName": "sk", "AttributeType": "N"},
                 {"AttributeName": "l", "AttributeType": "S"}]
        kw["LocalSecondaryIndexes"] = [{
            "IndexName": "lsi", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "l", "KeyType": "RANGE"}]}]
    return make_table("ord-tie", KeySchema=schema, AttributeDefinitions=defs,
                      GlobalSecondaryIndexes=[
                          {"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"},
                           "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                         {"AttributeName": "gr", "KeyType": "RANGE"}]},
                          {"IndexName": "gsi1", "Projection": {"ProjectionType": "KEYS_ONLY"},
                           "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}], **kw)


def gsi_tie(item, range_key):
    """Equal GSI keys: the hash of the table key (of the partition key alone
    when the table has no sort key)."""
    h = key_hash(item["pk"])
    return sha(h + key_hash(item["sk"])) if range_key else h


def fill_tie_table(ddb, t, range_key):
    rng = random.Random(13 if range_key else 17)
    for i in range(50):
        item = {"pk": {"S": "p%d" % rng.randint(0, 6)}, "g": {"S": "G%d" % rng.randint(0, 1)},
                "gr": {"S": "r%d" % rng.randint(0, 1)}, "l": {"S": "l%d" % rng.randint(0, 1)}}
        if range_key:
            item["sk"] = {"N": str(rng.randint(-20, 120))}
        else:
            item["pk"] = {"S": "p%d" % i}
        ddb.put_item(TableName=t, Item=item)


def test_gsi_ties_query_and_scan(ddb, make_table):
    for range_key in (True, False):
        t = tie_table(make_table, ddb, range_key)
        fill_tie_table(ddb, t, range_key)
        names = ("pk", "sk") if range_key else ("pk",)
        for g in ("G0", "G1"):
            for fwd in (True, False):
                got = query_all(ddb, TableName=t, IndexName="gsi", KeyConditionExpression="g = :g",
                                ExpressionAttributeValues={":g": {"S": g}}, ScanIndexForward=fwd,
                                Limit=3)
                want = sorted(got, key=lambda i: (sort_value(i["gr"]), gsi_tie(i, range_key)),
                              reverse=not fwd)
                assert keys_of(got, *names) == keys_of(want, *names), (range_key, g, fwd)
            got = query_all(ddb, TableName=t, IndexName="gsi1", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": {"S": g}}, Limit=4)
            want = sorted(got, key=lambda i: gsi_tie(i, range_key))
            assert keys_of(got, *names) == keys_of(want, *names), (range_key, g)
        # a Scan of a GSI walks it in index key order (not by hash)
        got = scan_all(ddb, TableName=t, IndexName="gsi", Limit=5)
        want = sorted(got, key=lambda i: (sort_value(i["g"]), sort_value(i["gr"]),
                                          gsi_tie(i, range_key)))
        assert len(got) == len(scan_all(ddb, TableName=t))
        assert keys_of(got, *names) == keys_of(want, *names), range_key


def test_lsi_ties_query_and_scan(ddb, make_table):
    t = tie_table(make_table, ddb, True)
    fill_tie_table(ddb, t, True)
    for p in range(7):
        for fwd in (True, False):
            got = query_all(ddb, TableName=t, IndexName="lsi", KeyConditionExpression="pk = :p",
                            ExpressionAttributeValues={":p": {"S": "p%d" % p}},
                            ScanIndexForward=fwd, Limit=2)
            # a Query of an LSI: equal keys in the order of the sort key's hash
            want = sorted(got, key=lambda i: (sort_value(i["l"]), key_hash(i["sk"])),
                          reverse=not fwd)
            assert keys_of(got, "pk", "sk") == keys_of(want, "pk", "sk"), (p, fwd)
    got = scan_all(ddb, TableName=t, IndexName="lsi", Limit=5)
    # a Scan of an LSI: equal keys in sort key order
    want = sorted(got, key=lambda i: (key_hash(i["pk"]), sort_value(i["l"]), sort_value(i["sk"])))
    assert keys_of(got, "pk", "sk") == keys_of(want, "pk", "sk")


def table_key_tie(item, index_keys):
    """Equal keys in a GSI whose key holds a table key attribute: by the
    partition key's hash when it holds the sort key, by the sort key's hash
    when it holds the partition key."""
    if "sk" in index_keys and "pk" not in index_keys:
        return key_hash(item["pk"])
    return key_hash(item["sk"])


def test_gsi_ties_when_the_index_key_holds_a_table_key(ddb, make_table):
    shapes = {"gsk": ("g", "sk"), "skg": ("sk", "g"), "pkg": ("pk", "g"), "gpk": ("g", "pk")}
    t = make_table("ord-tk", AttributeDefinitions=[
        {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": name, "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": h, "KeyType": "HASH"},
                                               {"AttributeName": r, "KeyType": "RANGE"}]}
                                for name, (h, r) in shapes.items()])
    rng = random.Random(19)
    for i in range(60):
        ddb.put_item(TableName=t, Item={"pk": {"S": "p%d" % rng.randint(0, 5)},
                                         "sk": {"N": str(rng.randint(0, 4))},
                                         "g": {"S": "g%d" % rng.randint(0, 2)}})
    table = scan_all(ddb, TableName=t)
    for name, (h, r) in shapes.items():
        for hv in sorted({canon_key(i[h]) for i in table}):
            values = {":v": dict([hv])}
            for fwd in (True, False):
                got = query_all(ddb, TableName=t, IndexName=name, KeyConditionExpression="%s = :v" % h,
                                ExpressionAttributeValues=values, ScanIndexForward=fwd, Limit=3)
                want = sorted(got, key=lambda i: (sort_value(i[r]), table_key_tie(i, (h, r))),
                              reverse=not fwd)
                assert keys_of(got, "pk", "sk") == keys_of(want, "pk", "sk"), (name, hv, fwd)
        got = scan_all(ddb, TableName=t, IndexName=name, Limit=7)
        want = sorted(got, key=lambda i: (sort_value(i[h]), sort_value(i[r]), table_key_tie(i, (h, r))))
        assert len(got) == len(table)
        assert keys_of(got, "pk", "sk") == keys_of(want, "pk", "sk"), name


def canon_key(av):
    (t, v), = av.items()
    return (t, v)


def test_index_scan_segments(ddb, make_table):
    """A parallel Scan of an index cuts by the items' table hash; each
    segment then comes in the index's scan order."""
    t = tie_table(make_table, ddb, True)
    fill_tie_table(ddb, t, True)
    for n in (1, 2, 3, 5, 13):
        for s in range(n):
            got = scan_all(ddb, TableName=t, IndexName="gsi", Segment=s, TotalSegments=n, Limit=3)
            assert all(segment_of(key_hash(i["pk"]), n) == s for i in got), (s, n)
            want = sorted(got, key=lambda i: (sort_value(i["g"]), sort_value(i["gr"]), gsi_tie(i, True)))
            assert keys_of(got, "pk", "sk") == keys_of(want, "pk", "sk"), (s, n)
            got = scan_all(ddb, TableName=t, IndexName="lsi", Segment=s, TotalSegments=n, Limit=3)
            assert all(segment_of(key_hash(i["pk"]), n) == s for i in got), (s, n)
            want = sorted(got, key=lambda i: (key_hash(i["pk"]), sort_value(i["l"]), sort_value(i["sk"])))
            assert keys_of(got, "pk", "sk") == keys_of(want, "pk", "sk"), (s, n)
        total = sum(len(scan_all(ddb, TableName=t, IndexName="gsi", Segment=s, TotalSegments=n))
                    for s in range(n))
        assert total == len(scan_all(ddb, TableName=t)), n
