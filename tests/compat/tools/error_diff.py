#!/usr/bin/python3
"""Error differential: random invalid and hostile requests over the
DynamoDB operations, sent to two servers, comparing what they refuse and
how (HTTP status, the error's __type and its message).

usage: error_diff.py ENDPOINT_A ENDPOINT_B [--seed S] [--count N] [--all]
  e.g. error_diff.py http://127.0.0.1:8000 http://127.0.0.1:8001
  (A: DynamoDB Local 3.3.1 started with -inMemory; B: cruddur dynamodb
  --in-memory; both with any access key)

It creates three tables on both servers (names end in the seed), writes a
few items, then sends COUNT requests: each is a valid request of a random
operation with one or two random faults in it (a member missing, of the
wrong JSON type or with a value out of its range; an AttributeValue that is
malformed; a key with a wrong, missing, extra, empty or oversized
attribute; an expression with a syntax error, an unknown or unused name or
value, a reserved word, a document path into a key; an item over 400 KB; a
table or index that does not exist). Each request touches only its own
item keys, so a fault that one server accepts cannot change what later
requests see on the other. The same seed makes the same requests.

Answers that differ are printed grouped by operation and fault, with one
request each; those that FINDINGS.md records as deliberate (cruddur follows
DynamoDB's documented behaviour or wording there) are counted apart, and
--all prints them too. Exits 1 when an undocumented difference remains.
Not run by ctest: the cases it found and were fixed are compat tests
(test_errors_keys.py, test_query_check_order.py, test_validation_order.py).
"""
import argparse
import base64
import collections
import http.client
import json
import random
import re
import sys
import urllib.parse

# Differences FINDINGS.md records as deliberate: (pattern on A's answer,
# pattern on B's answer), matched against "status type: message".
DOCUMENTED = [
    # DynamoDB's wording for a missing table (3.3.1: "Cannot do operations
    # on a non-existent table")
    (r"ResourceNotFoundException", r"ResourceNotFoundException: Requested resource not found"),
    # 3.3.1 fails with a 500 where DynamoDB documents a client error
    (r"^500 ", r"^400 "),
    # JSON of the wrong type is a SerializationException in DynamoDB
    (r"", r"SerializationException"),
    # a Key that does not fit the schema keeps DynamoDB's wording
    (r"Type mismatch for key$|Invalid attribute value type|The number of conditions on the keys",
     r"The provided key element does not match the schema"),
    # a table name's constraint keeps DynamoDB's wording
    (r"Invalid table/index name", r"1 validation error detected: Value .* at 'tableName'"),
]


def documented_difference(a, b):
    """True when answers a (DynamoDB Local) and b (cruddur) differ only as
    DOCUMENTED says, or only by DynamoDB's "1 validation error detected: "
    prefix of a member constraint, which DynamoDB Local leaves out."""
    if b.replace("1 validation error detected: ", "", 1) == a:
        return True
    return any(re.search(pa, a) and re.search(pb, b) for pa, pb in DOCUMENTED)


def call(endpoint, op, body):
    """One raw request; returns "status type: message", "200 OK", or
    "connection closed" when the server hung up before it had read the
    whole body (DynamoDB Local does so on bodies of about 20 MB)."""
    u = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        conn.request("POST", "/", body=data, headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
            "Authorization": "AWS4-HMAC-SHA256 Credential=probe/20240101/us-east-1/dynamodb/aws4_request, "
                             "SignedHeaders=host;x-amz-date, Signature=00",
            "X-Amz-Date": "20240101T000000Z"})
        r = conn.getresponse()
        raw = r.read()
    except (BrokenPipeError, ConnectionResetError):
        return "connection closed"
    finally:
        conn.close()
    try:
        out = json.loads(raw)
    except ValueError:
        return "%d (not JSON)" % r.status
    if r.status == 200:
        return "200 OK"
    kind = str(out.get("__type", "?")).split("#")[-1]
    return "%d %s: %s" % (r.status, kind, out.get("message") or out.get("Message") or "")


class Gen:
    """Valid requests of each operation, and faults to put into them."""

    def __init__(self, rnd, suffix):
        self.r = rnd
        self.plain = "ed-plain-" + suffix   # pk S, sk N
        self.idx = "ed-idx-" + suffix       # pk S, sk S; LSI l1; GSIs g1, g2+g3
        self.hash = "ed-hash-" + suffix     # pk B
        self.n = 0

    def tables(self):
        d = lambda **t: [{"AttributeName": k, "AttributeType": v} for k, v in t.items()]
        ks = lambda *s: [{"AttributeName": k, "KeyType": t} for k, t in s]
        allp = {"ProjectionType": "ALL"}
        return [
            {"TableName": self.plain, "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": d(pk="S", sk="N"),
             "KeySchema": ks(("pk", "HASH"), ("sk", "RANGE"))},
            {"TableName": self.idx, "BillingMode": "PAY_PER_REQUEST",
             "AttributeDefinitions": d(pk="S", sk="S", l1="S", g1="S", g2="N", g3="S"),
             "KeySchema": ks(("pk", "HASH"), ("sk", "RANGE")),
             "LocalSecondaryIndexes": [{"IndexName": "lsi1", "KeySchema": ks(("pk", "HASH"), ("l1", "RANGE")),
                                        "Projection": allp}],
             "GlobalSecondaryIndexes": [
                 {"IndexName": "gsi1", "KeySchema": ks(("g1", "HASH")), "Projection": allp},
                 {"IndexName": "gsimk", "KeySchema": ks(("g2", "HASH"), ("g3", "HASH")),
                  "Projection": {"ProjectionType": "KEYS_ONLY"}}]},
            {"TableName": self.hash, "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": d(pk="B"),
             "KeySchema": ks(("pk", "HASH"))},
        ]

    # ---- valid parts ----
    def key(self, table):
        self.n += 1
        if table == self.plain:
            return {"pk": {"S": "r%d" % self.n}, "sk": {"N": str(self.r.randint(-5, 5))}}
        if table == self.idx:
            return {"pk": {"S": "r%d" % self.n}, "sk": {"S": "s%d" % self.r.randint(0, 3)}}
        return {"pk": {"B": base64.b64encode(b"r%d" % self.n).decode()}}

    def value(self):
        return self.r.choice([{"S": "v"}, {"N": "12.5"}, {"B": "AAE="}, {"BOOL": True}, {"NULL": True},
                              {"SS": ["a", "b"]}, {"NS": ["1", "2"]}, {"L": [{"S": "x"}, {"N": "1"}]},
                              {"M": {"a": {"S": "x"}, "b": {"M": {"c": {"N": "3"}}}}}])

    def item(self, table):
        it = dict(self.key(table))
        for name in self.r.sample(["a", "b", "c", "l1", "g1", "g2", "g3", "m"], self.r.randint(0, 4)):
            if table == self.idx and name in ("l1", "g1", "g3"):
                it[name] = {"S": "i%d" % self.r.randint(0, 3)}
            elif table == self.idx and name == "g2":
                it[name] = {"N": str(self.r.randint(0, 3))}
            else:
                it[name] = self.value()
        return it

    def table(self):
        return self.r.choice([self.plain, self.idx, self.hash])

    def base(self, op):
        t = self.table()
        if op == "PutItem":
            return {"TableName": t, "Item": self.item(t)}
        if op == "GetItem":
            return {"TableName": t, "Key": self.key(t), "ProjectionExpression": "a, #b",
                    "ExpressionAttributeNames": {"#b": "b"}}
        if op == "DeleteItem":
            return {"TableName": t, "Key": self.key(t), "ConditionExpression": "attribute_not_exists(a)"}
        if op == "UpdateItem":
            return {"TableName": t, "Key": self.key(t), "UpdateExpression": "SET a = :a, #c = :c REMOVE b",
                    "ExpressionAttributeNames": {"#c": "c"},
                    "ExpressionAttributeValues": {":a": self.value(), ":c": {"N": "1"}},
                    "ReturnValues": "ALL_NEW"}
        if op == "Query":
            t = self.r.choice([self.plain, self.idx])
            q = {"TableName": t, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {
                ":p": {"S": "r1"}}, "Limit": 5, "FilterExpression": "attribute_exists(a)"}
            if t == self.idx and self.r.random() < 0.4:
                q.update(IndexName="gsi1", KeyConditionExpression="g1 = :p")
            return q
        if op == "Scan":
            return {"TableName": t, "Limit": 3, "Segment": 0, "TotalSegments": 2,
                    "FilterExpression": "size(a) > :z", "ExpressionAttributeValues": {":z": {"N": "0"}}}
        if op == "BatchGetItem":
            return {"RequestItems": {t: {"Keys": [self.key(t), self.key(t)]}}}
        if op == "BatchWriteItem":
            return {"RequestItems": {t: [{"PutRequest": {"Item": self.item(t)}},
                                         {"DeleteRequest": {"Key": self.key(t)}}]}}
        if op == "TransactGetItems":
            return {"TransactItems": [{"Get": {"TableName": t, "Key": self.key(t)}}]}
        if op == "TransactWriteItems":
            return {"TransactItems": [
                {"Put": {"TableName": t, "Item": self.item(t)}},
                {"Update": {"TableName": t, "Key": self.key(t), "UpdateExpression": "SET a = :a",
                            "ExpressionAttributeValues": {":a": {"S": "x"}}}},
                {"ConditionCheck": {"TableName": t, "Key": self.key(t),
                                    "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Delete": {"TableName": t, "Key": self.key(t)}}]}
        if op == "CreateTable":
            self.n += 1
            return {"TableName": "ed-new-%d-%s" % (self.n, self.plain[9:]), "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]}
        if op == "DescribeTable":
            return {"TableName": t}
        if op == "ExecuteStatement":
            return {"Statement": 'SELECT * FROM "%s" WHERE pk = ?' % t, "Parameters": [self.key(t)["pk"]]}
        raise ValueError(op)

    # ---- faults: each changes the request in place and names itself ----
    def members(self, req):
        """(container, name) of every member, recursively."""
        out = []

        def walk(x):
            if isinstance(x, dict):
                for k in list(x):
                    out.append((x, k))
                    walk(x[k])
            elif isinstance(x, list):
                for v in x:
                    walk(v)
        walk(req)
        return out

    def fault(self, req):
        r = self.r
        kinds = ["drop", "json_type", "bad_av", "key", "expr", "name", "big", "enum", "count"]
        kind = r.choice(kinds)
        mem = self.members(req)
        if kind == "drop" and mem:
            c, k = r.choice(mem)
            del c[k]
            return "drop %s" % k
        if kind == "json_type" and mem:
            c, k = r.choice(mem)
            c[k] = r.choice(["x", 5, True, [], {}, None, -1])
            return "json type of %s" % k
        avs = [(c, k) for c, k in mem if isinstance(c[k], dict) and len(c[k]) == 1
               and next(iter(c[k])) in ("S", "N", "B", "SS", "NS", "BS", "M", "L", "BOOL", "NULL")]
        if kind == "bad_av" and avs:
            c, k = r.choice(avs)
            c[k] = r.choice([{}, {"S": "a", "N": "1"}, {"N": "x"}, {"N": "1e200"}, {"SS": []},
                             {"NS": ["1", "1.0"]}, {"B": "!!"}, {"NULL": False}, {"BOOL": "yes"},
                             {"L": [{"N": ""}]}, {"M": {"": {"S": "x"}}}, {"Q": "x"}, {"S": 5}])
            return "bad AttributeValue"
        keys = [(c, k) for c, k in mem if k in ("Key", "Item") and isinstance(c[k], dict)]
        if kind == "key" and keys:
            c, k = r.choice(keys)
            obj = c[k]
            what = r.choice(["type", "missing", "extra", "empty", "big", "set", "index_type",
                             "index_empty", "index_big"])
            name = r.choice(["pk", "sk"]) if "sk" in obj else "pk"
            old = obj.get(name) if isinstance(obj.get(name), dict) else {}
            if what == "type":
                obj[name] = {"N": "1"} if "S" in old else {"S": "1"}
            elif what == "missing":
                obj.pop(name, None)
            elif what == "extra" and k == "Key":
                obj["zz"] = {"S": "x"}
            elif what == "empty":
                obj[name] = {"S": ""} if "S" in old else {"B": ""}
            elif what == "big":
                obj[name] = {"S": "x" * r.choice([1025, 2049])}
            elif what == "set":
                obj[name] = {"SS": ["a"]}
            elif what == "index_type":
                obj[r.choice(["l1", "g1", "g2", "g3"])] = r.choice([{"N": "1"}, {"S": "1"}, {"BOOL": True}])
            elif what == "index_empty":
                obj[r.choice(["l1", "g1", "g3"])] = {"S": ""}
            elif what == "index_big":
                obj[r.choice(["l1", "g1", "g3"])] = {"S": "x" * 2049}
            return "key %s" % what
        exprs = [(c, k) for c, k in mem if k.endswith("Expression") and isinstance(c[k], str)]
        if kind == "expr" and exprs:
            c, k = r.choice(exprs)
            c[k] = self.bad_expr(c[k])
            return "expression %s" % k
        if kind == "name":
            tabs = [(c, k) for c, k in mem if k in ("TableName", "IndexName")]
            if tabs:
                c, k = r.choice(tabs)
                c[k] = r.choice(["nope-%d" % self.n, "ab", "bad name!", "x" * 256,
                                 "arn:aws:dynamodb:us-east-1:000000000000:table/" + str(c[k])])
                return "%s value" % k
        if kind == "big":
            items = [(c, k) for c, k in mem if k == "Item" and isinstance(c[k], dict)]
            if items:
                c, k = r.choice(items)
                pos = r.choice(["first", "last"])
                extra = {"big": {"S": "x" * 410000}}
                c[k] = dict(extra, **c[k]) if pos == "first" else dict(c[k], **extra)
                return "item over 400 KB (%s)" % pos
        if kind == "enum":
            c, k = r.choice([(req, "ReturnValues"), (req, "Select"), (req, "ReturnConsumedCapacity"),
                             (req, "Limit"), (req, "TotalSegments"), (req, "Segment"),
                             (req, "ReturnItemCollectionMetrics"), (req, "ConsistentRead")])
            c[k] = r.choice(["NOPE", "", 0, -1, 1000001, "ALL_OLD", "COUNT", "INDEXES", "SIZE", True])
            return "value of %s" % k
        if kind == "count":
            for c, k in mem:
                if isinstance(c[k], list) and c[k] and k in ("TransactItems", "Keys"):
                    c[k] = c[k] * r.choice([0, 34, 51])
                    return "%s count" % k
                if isinstance(c[k], list) and c[k] and isinstance(c, dict) and k not in ("SS", "NS", "L"):
                    if r.random() < 0.3:
                        c[k] = c[k] * 30
                        return "%s count" % k
        c, k = r.choice(mem) if mem else (req, "X")
        c["Unknown" + k] = 1
        return "unknown member"

    def bad_expr(self, text):
        r = self.r
        choices = [
            text + " AND", "(" + text, text.replace(" ", "", 1), text + " #nope", text + " :nope",
            text.replace("a", "a.b[1]", 1), text.replace("pk", "pk.x", 1), text.replace("pk", "size(pk)", 1),
            "status = :p", "", "  ", text + " OR pk = :p", text.replace("=", "<>", 1),
            text.replace("SET", "ADD", 1), "SET a = list_append(a)", "REMOVE a, a", "a BETWEEN :p AND :p",
            "begins_with(pk, :p) AND sk = :p", "pk IN (:p)", "#x.y = :p", text + ", a",
        ]
        return r.choice(choices)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--all", action="store_true", help="print the documented differences too")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    g = Gen(rnd, str(args.seed))
    for t in g.tables():
        for ep in (args.a, args.b):
            call(ep, "CreateTable", t)
    for _ in range(10):  # a few items to read
        t = g.table()
        item = g.item(t)
        item["pk"] = {"S": "r1"} if "S" in item["pk"] else {"B": "cjE="}
        for ep in (args.a, args.b):
            call(ep, "PutItem", {"TableName": t, "Item": item})
    ops = ["PutItem", "GetItem", "DeleteItem", "UpdateItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
           "TransactGetItems", "TransactWriteItems", "CreateTable", "DescribeTable", "ExecuteStatement"]
    diffs = collections.OrderedDict()
    documented = collections.Counter()
    same = 0
    for _ in range(args.count):
        op = rnd.choice(ops)
        req = g.base(op)
        faults = [g.fault(req) for _ in range(rnd.choice([1, 1, 2]))]
        body = json.dumps(req).encode()
        a, b = call(args.a, op, body), call(args.b, op, body)
        if a == b:
            same += 1
            continue
        if documented_difference(a, b):
            documented[op] += 1
            if not args.all:
                continue
        key = (op, " + ".join(faults), a, b)
        diffs.setdefault(key, body)
    print("seed %d: %d requests, %d same answers, %d documented differences, %d other differences"
          % (args.seed, args.count, same, sum(documented.values()), len(diffs)))
    for (op, faults, a, b), body in diffs.items():
        text = body.decode()
        print("\n%s [%s]\n  A: %s\n  B: %s\n  request: %s" % (op, faults, a[:300], b[:300],
                                                            text if len(text) < 600 else text[:600] + "..."))
    undocumented = [k for k in diffs if not documented_difference(k[2], k[3])]
    return 1 if undocumented else 0


if __name__ == "__main__":
    sys.exit(main())
