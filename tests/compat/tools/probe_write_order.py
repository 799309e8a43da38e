#!/usr/bin/python3
"""Probe: the order of attribute names that a later read shows after each
kind of write, on two DynamoDB-protocol servers at once.

usage: probe_write_order.py ENDPOINT_A ENDPOINT_B [--rounds N] [--seed S]
  e.g. probe_write_order.py http://127.0.0.1:8000 http://127.0.0.1:8001
  (A: DynamoDB Local 3.3.1 started with -inMemory -sharedDb; B: cruddur
  dynamodb --in-memory; both with any access key)

Each round writes one new item with PutItem (random names, maps in maps,
a list of maps), then applies one to three random writes to it, each of a
kind drawn from KINDS: BatchWriteItem and TransactWriteItems puts,
TransactWriteItems updates, UpdateItem with paths into maps and lists
(SET, REMOVE, ADD) and with the legacy AttributeUpdates,
PartiQL INSERT and UPDATE through ExecuteStatement, BatchExecuteStatement
and ExecuteTransaction (map literals, parameters, nested SET and REMOVE).
After each write the item is read back with GetItem and Query on both
servers, and at the end the whole table with Scan; the order of the item's
names and of the names of every map inside it must be the same on both.
Requests are sent raw (so the order sent is known) and answers are read
with an order-keeping parser. The same seed makes the same requests on both
servers (a write is drawn from the item as server A last returned it).
Prints, per kind of write, how many reads agreed; exits 1 on a difference.
Not run by ctest: tests/compat/test_attr_order.py checks the rules found.
"""
import argparse
import http.client
import json
import random
import string
import sys
import urllib.parse

KINDS = ["batch_put", "tx_put", "tx_update", "update_paths", "legacy_update", "pq_insert", "pq_update"]
PQ_CALLS = ["ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"]


def call(endpoint, op, body):
    """One raw request; returns (status, answer with objects as pair lists)."""
    u = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request("POST", "/", body=json.dumps(body).encode(), headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
            "Authorization": "AWS4-HMAC-SHA256 Credential=probe/20240101/us-east-1/dynamodb/aws4_request, "
                             "SignedHeaders=host;x-amz-date, Signature=00",
            "X-Amz-Date": "20240101T000000Z"})
        r = conn.getresponse()
        return r.status, json.loads(r.read(), object_pairs_hook=lambda pairs: pairs)
    finally:
        conn.close()


def member(pairs, name, default=None):
    return next((v for k, v in pairs if k == name), default)


def shape(av):
    """The names of every map in an attribute value, in order, recursively."""
    if isinstance(av, list) and av and isinstance(av[0], tuple):
        (t, x), = av
        if t == "M":
            return [(k, shape(v)) for k, v in x]
        if t == "L":
            return [shape(v) for v in x]
    return None


def item_shape(item):
    return [(k, shape(v)) for k, v in item]


def first_difference(a, b, path="item"):
    """Where two shapes first differ: (path, names in a, names in b)."""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        if all(isinstance(x, tuple) for x in a + b):
            if [k for k, _ in a] != [k for k, _ in b]:
                return path, [k for k, _ in a], [k for k, _ in b]
            pairs = [("%s.%s" % (path, k), x, y) for (k, x), (_, y) in zip(a, b)]
        else:
            pairs = [("%s[%d]" % (path, i), x, y) for i, (x, y) in enumerate(zip(a, b))]
        for p, x, y in pairs:
            d = first_difference(x, y, p)
            if d:
                return d
        return None
    return None if a == b else (path, a, b)


class Gen:
    """Random names, values and writes from one seeded generator."""

    def __init__(self, seed, table):
        self.r = random.Random(seed)
        self.t = table

    def name(self, avoid=()):
        while True:
            s = "".join(self.r.choice(string.ascii_letters + string.digits + "_")
                        for _ in range(self.r.randint(1, 6)))
            if s not in avoid and s != "pk":
                return s

    def names(self, n, avoid=()):
        out = []
        while len(out) < n:
            out.append(self.name(avoid=list(avoid) + out))
        return out

    def value(self, depth=0):
        r = self.r
        k = r.random()
        if depth >= 3 or k < 0.5:
            return {"N": str(r.randint(0, 9))}
        if k < 0.65:
            return {"L": [self.value(depth + 1) for _ in range(r.randint(0, 3))]}
        return {"M": {x: self.value(depth + 1) for x in self.names(r.randint(0, 12))}}

    def new_item(self, pk):
        names = self.names(self.r.randint(0, 20), avoid=["a", "l"]) + ["pk", "a", "l"]
        self.r.shuffle(names)
        inner = {x: self.value(2) for x in self.names(self.r.randint(1, 10))}
        return {x: {"S": pk} if x == "pk" else
                {"M": dict({"b": {"M": inner}}, **{y: self.value(2) for y in self.names(self.r.randint(0, 6), ["b"])})}
                if x == "a" else
                {"L": [{"M": {y: self.value(2) for y in self.names(self.r.randint(1, 10))}}
                       for _ in range(self.r.randint(1, 3))]} if x == "l" else self.value()
                for x in names}

    def targets(self, item):
        """Paths into the item (as name lists, ints for list indexes) that
        lead to a map: where a SET of a new member or a REMOVE can go."""
        out = []

        def walk(path, av):
            t, x = av[0]
            if t == "M":
                out.append(path)
                for k, v in x:
                    if len(path) < 4:
                        walk(path + [k], v)
            elif t == "L":
                for i, v in enumerate(x):
                    if len(path) < 4:
                        walk(path + [i], v)

        for k, v in item:
            if k != "pk":
                walk([k], v)
        return out

    def members(self, item, path):
        av = member(item, path[0])
        for step in path[1:]:
            (t, x), = av
            av = x[step] if isinstance(step, int) else member(x, step)
        return [k for k, _ in av[0][1]]

    def update_parts(self, item):
        """Random SET / REMOVE clauses over the item: (sets, removes), each
        clause a (path, value) pair (value None for REMOVE); no two on
        overlapping paths."""
        r = self.r
        top = [k for k, _ in item if k != "pk"]
        sets, removes, used = [], [], []

        def free(path):
            return all(p[:len(path)] != path and path[:len(p)] != p for p in used)

        for _ in range(r.randint(1, 4)):
            k = r.random()
            maps = self.targets(item)
            if k < 0.25:
                p = [self.name(avoid=top)]
                v = self.value() if r.random() < 0.6 else {"M": {x: self.value(2) for x in self.names(r.randint(1, 14))}}
            elif k < 0.6 and maps:
                base = r.choice(maps)
                p, v = base + [self.name(avoid=self.members(item, base))], self.value(1)
            elif k < 0.75 and maps:
                base = r.choice(maps)
                inside = self.members(item, base)
                if not inside:
                    continue
                p, v = base + [r.choice(inside)], None
            elif k < 0.85 and top:
                p, v = [r.choice(top)], None
            elif k < 0.95:
                p = [r.choice(top + ["zz"])]
                v = {"M": {x: self.value(2) for x in self.names(r.randint(0, 14))}}
            else:
                p, v = ["l"], "append"
            if not free(p):
                continue
            used.append(p)
            (removes if v is None else sets).append((p, v))
        return sets, removes

    def update_expression(self, item):
        sets, removes = self.update_parts(item)
        ean, eav = {}, {}

        def path_text(p):
            out = ""
            for step in p:
                if isinstance(step, int):
                    out += "[%d]" % step
                else:
                    ean["#n%d" % len(ean)] = step
                    out += ("." if out else "") + "#n%d" % (len(ean) - 1)
            return out

        clauses = []
        for p, v in sets:
            text = path_text(p)
            eav[":v%d" % len(eav)] = ({"L": [{"M": {x: self.value(2) for x in self.names(self.r.randint(1, 8))}}]}
                                      if v == "append" else v)
            if v == "append":
                clauses.append("%s = list_append(if_not_exists(%s, :e), :v%d)" % (text, text, len(eav) - 1))
                eav[":e"] = {"L": []}
            else:
                clauses.append("%s = :v%d" % (text, len(eav) - 1))
        expr = "SET " + ", ".join(clauses) if clauses else ""
        if removes:
            expr += (" " if expr else "") + "REMOVE " + ", ".join(path_text(p) for p, _ in removes)
        used = [p for p, _ in sets + removes]
        maps = [m for m in self.targets(item)
                if all(u[:len(m)] != m and m[:len(u)] != u for u in used)]
        if maps and self.r.random() < 0.3:  # ADD a number to a new member of a map
            base = self.r.choice(maps)
            eav[":one"] = {"N": "1"}
            expr += " ADD %s :one" % path_text(base + [self.name(avoid=self.members(item, base))])
        body = {"UpdateExpression": expr, "ExpressionAttributeNames": ean}
        if eav:
            body["ExpressionAttributeValues"] = eav
        return body

    def literal(self, av, params, top=False):
        """A PartiQL literal for an attribute value, maps as {...}; some
        whole values (an INSERT item's members, a SET's value) as ? with
        their parameter appended (3.3.1 takes no ? inside a literal
        collection of an INSERT)."""
        (t, x), = av.items()
        if top is True and self.r.random() < 0.2:
            params.append(av)
            return "?"
        if t == "M":
            return "{" + ", ".join("'%s': %s" % (k, self.literal(v, params, top=top == "item"))
                                   for k, v in x.items()) + "}"
        if t == "L":
            return "[" + ", ".join(self.literal(v, params) for v in x) + "]"
        return "'%s'" % x if t == "S" else x

    def pq_update(self, item, pk):
        sets, removes = self.update_parts(item)
        params = []

        def path_text(p):
            return "".join("[%d]" % s if isinstance(s, int) else ("." if i else "") + '"%s"' % s
                           for i, s in enumerate(p))

        parts = []
        for p, v in sets:
            if v == "append":
                v = {"L": [{"M": {x: self.value(2) for x in self.names(self.r.randint(1, 8))}}]}
                params.append(v)
                parts.append("SET %s = list_append(%s, ?)" % (path_text(p), path_text(p)))
            else:
                parts.append("SET %s = %s" % (path_text(p), self.literal(v, params, top=True)))
        parts += ["REMOVE %s" % path_text(p) for p, _ in removes]
        params.append({"S": pk})
        return 'UPDATE "%s" %s WHERE pk = ?' % (self.t, " ".join(parts)), params

    def write(self, kind, item, pk):
        """(operation, body) of one write of this kind to the item."""
        r = self.r
        key = {"pk": {"S": pk}}
        if kind in ("batch_put", "tx_put", "pq_insert"):
            new = self.new_item(pk)
            if kind == "batch_put":
                return "BatchWriteItem", {"RequestItems": {self.t: [{"PutRequest": {"Item": new}}]}}
            if kind == "tx_put":
                return "TransactWriteItems", {"TransactItems": [{"Put": {"TableName": self.t, "Item": new}}]}
            params = []
            text = self.literal({"M": new}, params, top="item")
            return self.partiql('INSERT INTO "%s" VALUE %s' % (self.t, text), params, delete_first=pk)
        if kind == "tx_update":
            body = dict(self.update_expression(item), TableName=self.t, Key=key)
            return "TransactWriteItems", {"TransactItems": [{"Update": body}]}
        if kind == "update_paths":
            body = dict(self.update_expression(item), TableName=self.t, Key=key)
            return "UpdateItem", body
        if kind == "legacy_update":
            top = [k for k, _ in item if k != "pk"]
            ups = {x: {"Action": "PUT", "Value": self.value()} for x in self.names(r.randint(0, 4), avoid=top)}
            for x in r.sample(top, min(len(top), r.randint(0, 3))):
                ups[x] = r.choice([{"Action": "DELETE"}, {"Action": "PUT", "Value": self.value()}])
            ups["cnt"] = {"Action": "ADD", "Value": {"N": "1"}}
            return "UpdateItem", {"TableName": self.t, "Key": key, "AttributeUpdates": ups}
        stmt, params = self.pq_update(item, pk)
        return self.partiql(stmt, params)

    def partiql(self, stmt, params, delete_first=None):
        how = self.r.choice(PQ_CALLS)
        one = {"Statement": stmt}
        if params:
            one["Parameters"] = params
        if how == "ExecuteStatement":
            body = one
        elif how == "BatchExecuteStatement":
            body = {"Statements": [one]}
        else:
            body = {"TransactStatements": [one]}
        return how, dict(body, _delete_first=delete_first)


def run(endpoints, rounds, seed):
    table = "probe-order-%d" % seed
    for ep in endpoints:
        st, out = call(ep, "CreateTable", {
            "TableName": table, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
        if st != 200:
            sys.exit("%s: CreateTable: %s" % (ep, out))
    gen = Gen(seed, table)
    counts, diffs, refused = {}, [], [0]

    def compare(kind, what, a, b):
        c = counts.setdefault(kind, [0, 0])
        c[1] += 1
        if a == b:
            c[0] += 1
        elif len(diffs) < 10:
            diffs.append((kind, what) + first_difference(a, b))

    def get(ep, pk):
        st, out = call(ep, "GetItem", {"TableName": table, "Key": {"pk": {"S": pk}}})
        assert st == 200, (ep, out)
        return member(out, "Item", [])

    def query(ep, pk):
        st, out = call(ep, "Query", {"TableName": table, "KeyConditionExpression": "pk = :p",
                                     "ExpressionAttributeValues": {":p": {"S": pk}}})
        assert st == 200, (ep, out)
        return (member(out, "Items") or [[]])[0]

    for i in range(rounds):
        pk = "p%d" % i
        item = gen.new_item(pk)
        for ep in endpoints:
            st, out = call(ep, "PutItem", {"TableName": table, "Item": item})
            assert st == 200, (ep, out)
        compare("put", pk, *(item_shape(get(ep, pk)) for ep in endpoints))
        for _ in range(gen.r.randint(1, 3)):
            kind = gen.r.choice(KINDS)
            current = get(endpoints[0], pk)
            op, body = gen.write(kind, current, pk)
            first = body.pop("_delete_first", None)
            answers = []
            for ep in endpoints:
                if first:  # an INSERT needs the key free
                    call(ep, "DeleteItem", {"TableName": table, "Key": {"pk": {"S": first}}})
                st, out = call(ep, op, body)
                bad = member(member(out, "Responses", [[]])[0], "Error") if op == "BatchExecuteStatement" else None
                answers.append((st, bad is not None))
            name = kind + ("" if op == "TransactWriteItems" or not kind.startswith("pq") else ":" + op)
            if answers[0] != answers[1]:
                diffs.append((name, "%s %s" % (pk, op), "the answer (status, error)", answers[0], answers[1]))
                counts.setdefault(name, [0, 0])[1] += 1
                continue
            if answers[0] != (200, False):
                refused[0] += 1
                continue
            compare(name, pk + " GetItem", *(item_shape(get(ep, pk)) for ep in endpoints))
            compare(name, pk + " Query", *(item_shape(query(ep, pk)) for ep in endpoints))
    scans = []
    for ep in endpoints:
        items, start = [], None
        while True:
            body = {"TableName": table}
            if start:
                body["ExclusiveStartKey"] = start
            st, out = call(ep, "Scan", body)
            assert st == 200, (ep, out)
            items += [item_shape(x) for x in member(out, "Items")]
            start = member(out, "LastEvaluatedKey")
            if not start:
                break
        scans.append(items)
    compare("scan (all items)", "Scan", *scans)
    for ep in endpoints:
        call(ep, "DeleteTable", {"TableName": table})
    return counts, diffs, refused[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("endpoints", nargs=2)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    counts, diffs, refused = run(a.endpoints, a.rounds, a.seed)
    print("name order of the item and its maps, as read back after each kind of write:")
    for kind in sorted(counts):
        same, total = counts[kind]
        print("  %-38s %5d of %5d reads the same" % (kind, same, total))
    print("writes refused by both servers (not compared): %d" % refused)
    for d in diffs:
        print("DIFFERENT: %s %s at %s\n  A: %s\n  B: %s" % d)
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
