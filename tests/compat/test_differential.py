"""Differential run: one seeded random sequence of operations (puts,
conditional updates, deletes, gets, queries, scans, batch calls and
transactions over unicode S, many-digit N and B keys; the same in the
legacy parameters; transactions with ClientRequestToken and their repeats;
tables named by ARN; PartiQL statements; Queries on a GSI whose key has
two partition and two sort attributes, on GSIs keyed by the table's key
attributes alone and on an LSI, and Scans of every index, whole or in
segments) is sent to both
servers; their normalised responses must be identical, and so must the
final table contents and the stream records. Request ids, ARNs, times and
ConsumedCapacity are left out of the comparison; Scan and Query results
(parallel-scan segments, index entries with equal keys and index Scans too) are compared
in order, since cruddur's orders are DynamoDB Local's
(test_order.py); the order of an item's attribute names, and of the names
of every map in it, where cruddur copies it (test_attr_order.py):
every ReturnValues answer of PutItem, UpdateItem and DeleteItem, and
GetItem, TransactGetItems, Scan and Query answers (with a
ProjectionExpression or without, of the table or of any index; not
AttributesToGet), whichever write made the item (PutItem,
batches, transactions, UpdateExpressions into maps and lists, legacy
AttributeUpdates, PartiQL INSERT and UPDATE with map literals);
BatchGetItem results, which DynamoDB returns in no
promised order, as sets; set members in order, and numbers by
value: DynamoDB only promises to trim zeros, and DynamoDB Local returns some
numbers as sent ("5E-130") and others rewritten (test_items.py checks the
text of stored numbers on its own). The few known documented differences
are kept out of the generated operations.

Several seeds run, each on tables of its own: by default two fixed ones
(which have matched, so a change that breaks them shows at once) and one
taken from the commit being tested (its value is in the test's name), each
of COMPAT_OPS operations (default 1000). The third seed explores anew with
every commit, yet a clean clone of a commit (CI) runs exactly what ran
before it was pushed, so a mismatch it finds is never a matter of chance. COMPAT_SEED=N[,N...] runs those
seeds instead. On a mismatch the operation index, the request and both
responses are printed."""
import decimal
import json
import os
import random
import re
import subprocess
import time

import pytest
from botocore.exceptions import ClientError
from conftest import SERVERS, make_client

PKS = ["a", "b", "A", "\u00e9t\u00e9", "\u65e5\u672c", "\U0001F600", "a b", "z" * 40]
# Several spellings of the same numbers: they must land on the same keys.
SKS = [["1", "1.0", "01", "1E0", "0.1E1"], ["-3.25", "-3.250", "-325E-2"], ["100", "1E+2", "100.000"],
       ["12345678901234567890123456789012345678"], ["0.000001", "1E-6"], ["-1E-10"],
       ["99999999999999999999999999999999999999E+87"], ["0", "-0", "0.0"], ["7"], ["123.456"],
       ["-98765432109876543210.123456789"], ["5E-130"]]
BKEYS = [b"\x00", b"\xff", b"\x00\x01", b"\x7f", b"abc", b"\x80\x00", b"\xff\xfe\xfd"]
GVALS = ["x", "y", "\u03b6"]
# The multi-attribute index "bymk": partition (g, gn), sort (gs, sk).
GNS = ["1", "2", "1.0"]
GSS = ["m", "ma", "l", "m\u00e9", "mb", "\U0001F431"]
# (U+0000 inside strings has its own test, test_items.py::test_nul_in_strings.)
WORDS = ["alpha", "beta", "\u00e9cole", "\u65e5", "\U0001F431cat", "Zed", "a", "ab", "b~c", "\u007f"]


class Gen:
    """Random requests against the two tables, from one seeded generator."""

    def __init__(self, seed, t1, t2):
        self.r = random.Random(seed)
        self.t1, self.t2 = t1, t2
        self.last_txn = None

    def number(self):
        r = self.r
        kind = r.random()
        if kind < 0.3:
            return str(r.randint(-50, 50))
        if kind < 0.5:
            return r.choice(r.choice(SKS))
        digits = "".join(r.choice("0123456789") for _ in range(r.randint(1, 38))).lstrip("0") or "0"
        exp = r.randint(-40, 40)
        sign = r.choice(["", "-"])
        form = r.random()
        if form < 0.4:
            return "%s%sE%+d" % (sign, digits, exp)
        if form < 0.7 and len(digits) > 1:
            cut = r.randint(1, len(digits) - 1)
            return "%s%s.%s" % (sign, digits[:cut], digits[cut:])
        return sign + digits

    def string(self):
        r = self.r
        return "".join(r.choice(WORDS) for _ in range(r.randint(1, 3)))

    def scalar(self):
        r = self.r
        k = r.random()
        if k < 0.35:
            return {"S": self.string()}
        if k < 0.65:
            return {"N": self.number()}
        if k < 0.75:
            return {"B": bytes(r.randint(0, 255) for _ in range(r.randint(1, 6)))}
        if k < 0.85:
            return {"BOOL": r.random() < 0.5}
        return {"NULL": True}

    def strset(self):
        return sorted({self.string() for _ in range(self.r.randint(1, 4))})

    def numset(self):
        seen, out = set(), []
        for _ in range(self.r.randint(1, 4)):
            n = self.number()
            d = decimal.Decimal(n)
            if d not in seen:
                seen.add(d)
                out.append(n)
        return out

    def value(self, depth=0):
        r = self.r
        k = r.random()
        if depth > 2 or k < 0.55:
            return self.scalar()
        if k < 0.7:
            return {"L": [self.value(depth + 1) for _ in range(r.randint(0, 3))]}
        if k < 0.85:
            return {"M": {r.choice(["k", "m", "x", "\u00fc"]) + str(i): self.value(depth + 1)
                          for i in range(r.randint(0, 3))}}
        if k < 0.92:
            return {"SS": self.strset()}
        if k < 0.97:
            return {"NS": self.numset()}
        return {"BS": sorted({bytes([r.randint(0, 255)]) for _ in range(r.randint(1, 3))})}

    def map_names(self):
        """2 to 6 member names: the sizes where a map sent as JSON and a
        PartiQL map literal are ordered differently."""
        return ["%s%d" % (self.r.choice(["k", "m", "x", "\u00fc"]), i) for i in range(self.r.randint(2, 6))]

    def map_literal(self):
        """A PartiQL map literal of numbers, e.g. {'k0': 3, 'x1': 7}."""
        return "{%s}" % ", ".join("'%s': %d" % (x, self.r.randint(0, 9)) for x in self.map_names())

    def key1(self):
        return {"pk": {"S": self.r.choice(PKS)}, "sk": {"N": self.r.choice(self.r.choice(SKS))}}

    def key2(self):
        return {"id": {"B": self.r.choice(BKEYS)}}

    def item1(self):
        r = self.r
        it = self.key1()
        if r.random() < 0.8:
            it["n"] = {"N": self.number()}
        if r.random() < 0.6:
            it["a"] = self.value()
        if r.random() < 0.5:
            it["s"] = {"S": self.string()}
        if r.random() < 0.4:
            it["l"] = {"L": [self.value(1) for _ in range(r.randint(0, 3))]}
        if r.random() < 0.3:
            it["m"] = {"M": {"k": self.value(1)}}
        if r.random() < 0.4:
            it["ss"] = {"SS": self.strset()}
        if r.random() < 0.3:
            it["ns"] = {"NS": self.numset()}
        if r.random() < 0.5:
            it["g"] = {"S": r.choice(GVALS)}
        if r.random() < 0.7:
            it["gn"] = {"N": r.choice(GNS)}
        if r.random() < 0.7:
            it["gs"] = {"S": r.choice(GSS)}
        return it

    def item2(self):
        it = self.key2()
        if self.r.random() < 0.7:
            it["v"] = self.value()
        return it

    CONDITIONS = [
        (None, ()), (None, ()), (None, ()), (None, ()), (None, ()), (None, ()), ("attribute_exists(pk)", ()), ("attribute_not_exists(pk)", ()),
        ("n > :c0", (":c0",)), ("attribute_type(a, :c1)", (":c1",)), ("contains(ss, :c2)", (":c2",)),
        ("size(l) >= :c3", (":c3",)), ("a = :c4", (":c4",)), ("NOT attribute_exists(m.k)", ()),
        ("n BETWEEN :c5 AND :c6", (":c5", ":c6")), ("begins_with(s, :c7)", (":c7",)),
        ("#s IN (:c8, :c9) OR n < :c0", (":c8", ":c9", ":c0")),
        ("attribute_exists(g) AND g <> :c10", (":c10",)),
    ]

    def condition(self, names, values):
        """A ConditionExpression over the item's attributes (or None); fills names and values."""
        r = self.r
        c, used = r.choice(self.CONDITIONS)
        if c is None:
            return None
        pool = {":c0": lambda: {"N": self.number()},
                ":c1": lambda: {"S": r.choice(["S", "N", "B", "L", "M", "SS", "NULL"])},
                ":c2": lambda: {"S": self.string()}, ":c3": lambda: {"N": str(r.randint(0, 3))},
                ":c4": self.scalar, ":c5": lambda: {"N": str(r.randint(-60, 0))},
                ":c6": lambda: {"N": str(r.randint(0, 60))}, ":c7": lambda: {"S": r.choice(WORDS)[:2]},
                ":c8": lambda: {"S": self.string()}, ":c9": lambda: {"S": self.string()},
                ":c10": lambda: {"S": r.choice(GVALS)}}
        for k in used:
            values[k] = pool[k]()
        if "#s" in c:
            names["#s"] = "s"
        return c

    def with_expr(self, args, expr_key, expr, names, values):
        if expr:
            args[expr_key] = expr
        if names:
            args["ExpressionAttributeNames"] = names
        if values:
            args["ExpressionAttributeValues"] = values
        return args

    def put(self):
        r = self.r
        names, values = {}, {}
        if r.random() < 0.2:
            args = {"TableName": self.t2, "Item": self.item2()}
        else:
            args = {"TableName": self.t1, "Item": self.item1()}
        cond = self.condition(names, values) if args["TableName"] == self.t1 else None
        args["ReturnValues"] = r.choice(["NONE", "ALL_OLD"])
        return "put_item", self.with_expr(args, "ConditionExpression", cond, names, values)

    UPDATES = [
        ("SET n = :u0", "NONE ALL_OLD ALL_NEW UPDATED_OLD UPDATED_NEW"),
        ("SET n = n + :u1", "NONE ALL_NEW UPDATED_OLD UPDATED_NEW"),
        ("SET n = if_not_exists(n, :u0) - :u1, cnt = if_not_exists(cnt, :z) + :one", "ALL_NEW UPDATED_NEW"),
        ("SET l = list_append(if_not_exists(l, :empty), :u2)", "ALL_NEW UPDATED_OLD"),
        ("SET l = list_append(:u2, l)", "UPDATED_NEW NONE"),
        ("REMOVE a, s", "ALL_OLD UPDATED_OLD NONE"),
        ("ADD ns :u3, cnt :one", "UPDATED_NEW ALL_NEW"),
        ("DELETE ss :u4", "UPDATED_OLD UPDATED_NEW"),
        ("ADD ss :u4 SET a = :u5", "ALL_NEW NONE"),
        ("SET m.k = :u5", "ALL_NEW NONE ALL_OLD"),
        ("SET m = if_not_exists(m, :emptym) REMOVE l[0]", "ALL_NEW ALL_OLD"),
        ("SET #g = :u6", "UPDATED_NEW ALL_NEW"),
        ("REMOVE #g SET s = :u7", "UPDATED_OLD ALL_NEW"),
        ("SET a = :u5, s = :u7 REMOVE cnt ADD n :u1", "ALL_NEW UPDATED_NEW UPDATED_OLD"),
        ("SET gn = :u8, gs = :u9", "ALL_OLD UPDATED_NEW"),
        ("REMOVE gs SET gn = :u8", "UPDATED_OLD ALL_NEW"),
        ("SET m.k.d = :u0", "ALL_NEW NONE"),
        ("SET l[0].k = :u0, m.#g = :u5", "ALL_NEW NONE"),
        ("SET m = :u10", "ALL_NEW ALL_OLD"),
    ]

    def update(self):
        r = self.r
        if r.random() < 0.15:
            args = {"TableName": self.t2, "Key": self.key2(), "UpdateExpression": "SET v = :u5",
                    "ExpressionAttributeValues": {":u5": self.value()},
                    "ReturnValues": r.choice(["ALL_OLD", "ALL_NEW", "UPDATED_NEW"])}
            return "update_item", args
        expr, rvs = r.choice(self.UPDATES)
        pool = {":u0": {"N": self.number()}, ":u1": {"N": self.number()}, ":z": {"N": "0"}, ":one": {"N": "1"},
                ":empty": {"L": []}, ":u2": {"L": [self.value(1) for _ in range(r.randint(1, 2))]},
                ":u3": {"NS": self.numset()}, ":u4": {"SS": self.strset()}, ":u5": self.value(),
                ":u6": {"S": r.choice(GVALS)}, ":u7": {"S": self.string()}, ":emptym": {"M": {}},
                ":u8": {"N": r.choice(GNS)}, ":u9": {"S": r.choice(GSS)},
                ":u10": {"M": {x: self.value(1) for x in self.map_names()}}}
        names = {}
        values = {k: v for k, v in pool.items() if re.search(re.escape(k) + r"(?![A-Za-z0-9_])", expr)}
        if "#g" in expr:
            names["#g"] = "g"
        cond = self.condition(names, values)
        args = {"TableName": self.t1, "Key": self.key1(), "UpdateExpression": expr,
                "ReturnValues": r.choice(rvs.split())}
        return "update_item", self.with_expr(args, "ConditionExpression", cond, names, values)

    def delete(self):
        r = self.r
        if r.random() < 0.2:
            return "delete_item", {"TableName": self.t2, "Key": self.key2(),
                                   "ReturnValues": r.choice(["NONE", "ALL_OLD"])}
        names, values = {}, {}
        cond = self.condition(names, values)
        args = {"TableName": self.t1, "Key": self.key1(), "ReturnValues": r.choice(["NONE", "ALL_OLD"])}
        return "delete_item", self.with_expr(args, "ConditionExpression", cond, names, values)

    def get(self):
        r = self.r
        if r.random() < 0.2:
            return "get_item", {"TableName": self.t2, "Key": self.key2()}
        args = {"TableName": self.t1, "Key": self.key1(), "ConsistentRead": r.random() < 0.5}
        if r.random() < 0.4:
            args["ProjectionExpression"] = r.choice(["n, s", "l[0], m.k, #g", "a, ss, nope", "pk"])
            if "#g" in args["ProjectionExpression"]:
                args["ExpressionAttributeNames"] = {"#g": "g"}
        return "get_item", args

    def query(self):
        r = self.r
        values = {":p": {"S": r.choice(PKS)}}
        cond = "pk = :p"
        kind = r.choice(["", "=", "<", "<=", ">", ">=", "between"])
        if kind == "between":
            lo, hi = sorted([r.choice(r.choice(SKS)), r.choice(r.choice(SKS))], key=decimal.Decimal)
            cond += " AND sk BETWEEN :lo AND :hi"
            values[":lo"], values[":hi"] = {"N": lo}, {"N": hi}
        elif kind:
            cond += " AND sk %s :s" % kind
            values[":s"] = {"N": r.choice(r.choice(SKS))}
        args = {"TableName": self.t1, "KeyConditionExpression": cond, "ScanIndexForward": r.random() < 0.5}
        if r.random() < 0.5:
            args["Limit"] = r.randint(1, 6)
        if r.random() < 0.4:
            f = r.choice(["attribute_exists(a)", "n > :f", "begins_with(s, :fs)", "size(l) > :fk",
                          "attribute_type(a, :ft)"])
            args["FilterExpression"] = f
            if ":f)" in f or f.endswith(":f"):
                values[":f"] = {"N": str(r.randint(-20, 20))}
            if ":fs" in f:
                values[":fs"] = {"S": r.choice(WORDS)[:1]}
            if ":fk" in f:
                values[":fk"] = {"N": "1"}
            if ":ft" in f:
                values[":ft"] = {"S": r.choice(["S", "N", "M"])}
        if r.random() < 0.2:
            args["Select"] = "COUNT"
        elif r.random() < 0.3:
            args["ProjectionExpression"] = "sk, n, ss"
        args["ExpressionAttributeValues"] = values
        return "query", args

    def gsi_query(self):
        r = self.r
        args = {"TableName": self.t1, "IndexName": "byg", "KeyConditionExpression": "g = :g",
                "ExpressionAttributeValues": {":g": {"S": r.choice(GVALS)}}}
        if r.random() < 0.5:
            args["KeyConditionExpression"] += " AND sk >= :s"
            args["ExpressionAttributeValues"][":s"] = {"N": r.choice(r.choice(SKS))}
        return "query_all", args

    def mk_query(self):
        """A Query on the multi-attribute index: = on g and gn, then gs and
        sk left to right; now and then a condition DynamoDB refuses."""
        r = self.r
        values = {":g": {"S": r.choice(GVALS)}, ":gn": {"N": r.choice(GNS)}}
        conds = ["g = :g", "gn = :gn"]
        ops = ["=", "<", "<=", ">", ">=", "between", "begins_with"]
        shape = r.random()
        if shape < 0.05:  # a partition attribute missing (and its value, which
            # DynamoDB Local would report as unused before the key condition)
            dropped = conds.pop(r.randrange(2))
            del values[dropped.split(" = ")[1]]
        if 0.2 < shape < 0.6:
            op = r.choice(ops)
            if op == "between":
                lo, hi = sorted([r.choice(GSS), r.choice(GSS)], key=lambda x: x.encode())
                conds.append("gs BETWEEN :lo AND :hi")
                values[":lo"], values[":hi"] = {"S": lo}, {"S": hi}
            elif op == "begins_with":
                conds.append("begins_with(gs, :s)")
                values[":s"] = {"S": r.choice(GSS)[:1]}
            else:
                conds.append("gs %s :s" % op)
                values[":s"] = {"S": r.choice(GSS)}
        elif shape >= 0.6:
            if shape < 0.95:  # else: sk without gs, which DynamoDB refuses
                conds.append("gs = :s")
                values[":s"] = {"S": r.choice(GSS)}
            op = r.choice(ops[:-1])
            if op == "between":
                lo, hi = sorted([r.choice(r.choice(SKS)), r.choice(r.choice(SKS))], key=decimal.Decimal)
                conds.append("sk BETWEEN :lo AND :hi")
                values[":lo"], values[":hi"] = {"N": lo}, {"N": hi}
            else:
                conds.append("sk %s :k" % op)
                values[":k"] = {"N": r.choice(r.choice(SKS))}
        r.shuffle(conds)
        args = {"TableName": self.t1, "IndexName": "bymk", "KeyConditionExpression": " AND ".join(conds),
                "ExpressionAttributeValues": values, "ScanIndexForward": r.random() < 0.5}
        if r.random() < 0.5:
            args["Limit"] = r.randint(1, 5)
        return "query_all", args

    def index_query(self):
        """A Query of an index whose key is table key attributes alone
        (bypk, bysk, byskpk) or of the LSI bylsi, either way, paged: entries
        with equal keys come in DynamoDB Local's tie order."""
        r = self.r
        name = r.choice(["bypk", "bysk", "byskpk", "bylsi"])
        if name in ("bypk", "bylsi"):
            cond, values = "pk = :p", {":p": {"S": r.choice(PKS)}}
            if name == "bylsi" and r.random() < 0.4:
                cond += r.choice([" AND gs >= :r", " AND begins_with(gs, :r)"])
                values[":r"] = {"S": r.choice(GSS)[:r.randint(1, 2)]}
        else:
            cond, values = "sk = :s", {":s": {"N": r.choice(r.choice(SKS))}}
            if name == "byskpk" and r.random() < 0.4:
                cond += r.choice([" AND pk > :r", " AND pk BETWEEN :r AND :r2"])
                values[":r"] = {"S": r.choice(PKS)}
                values[":r2"] = {"S": "\U0010FFFF"}
                if ":r2" not in cond:
                    del values[":r2"]
        args = {"TableName": self.t1, "IndexName": name, "KeyConditionExpression": cond,
                "ExpressionAttributeValues": values, "ScanIndexForward": r.random() < 0.5}
        if r.random() < 0.6:
            args["Limit"] = r.randint(1, 5)
        return "query_all", args

    def index_scan(self):
        """A Scan of an index, whole or in parallel segments, paged: index
        key order, then the tie order, each segment cut by the item's table
        hash."""
        r = self.r
        args = {"TableName": self.t1, "IndexName": r.choice(["byg", "bymk", "bypk", "bysk", "byskpk", "bylsi"])}
        if r.random() < 0.6:
            args["Limit"] = r.randint(1, 12)
        if r.random() < 0.5:
            args["TotalSegments"] = r.randint(1, 5)
        return "scan_all", args

    def scan(self):
        r = self.r
        args = {"TableName": r.choice([self.t1, self.t1, self.t2])}
        if r.random() < 0.5:
            args["Limit"] = r.randint(1, 20)
        if r.random() < 0.3 and args["TableName"] == self.t1:
            args["FilterExpression"] = "contains(ss, :e) OR n < :n"
            args["ExpressionAttributeValues"] = {":e": {"S": r.choice(WORDS)}, ":n": {"N": "0"}}
        if r.random() < 0.3:
            args["TotalSegments"] = r.randint(1, 4)
        return "scan_all", args

    def batch_write(self):
        r = self.r
        reqs, keys = {self.t1: [], self.t2: []}, set()
        for _ in range(r.randint(1, 25)):
            t = self.t1 if r.random() < 0.8 else self.t2
            if r.random() < 0.7:
                it = self.item1() if t == self.t1 else self.item2()
                req = {"PutRequest": {"Item": it}}
                key = {k: it[k] for k in (("pk", "sk") if t == self.t1 else ("id",))}
            else:
                key = self.key1() if t == self.t1 else self.key2()
                req = {"DeleteRequest": {"Key": key}}
            ident = (t, canon(key))
            if ident in keys and r.random() < 0.9:
                continue  # keep most batches valid; a few carry duplicates on purpose
            keys.add(ident)
            reqs[t].append(req)
        return "batch_write_item", {"RequestItems": {t: v for t, v in reqs.items() if v}}

    def batch_get(self):
        r = self.r
        keys, seen = [], set()
        for _ in range(r.randint(1, 30)):
            k = self.key1()
            if canon(k) not in seen:
                seen.add(canon(k))
                keys.append(k)
        req = {self.t1: {"Keys": keys}}
        if r.random() < 0.3:
            req[self.t1]["ProjectionExpression"] = "pk, sk, n"
        if r.random() < 0.3:
            req[self.t2] = {"Keys": [{"id": {"B": b}} for b in r.sample(BKEYS, 3)]}
        return "batch_get_item", {"RequestItems": req}

    def transact_write(self):
        r = self.r
        acts, seen = [], set()
        for _ in range(r.randint(1, 5)):
            kind = r.choice(["Put", "Update", "Delete", "ConditionCheck"])
            names, values = {}, {}
            if kind == "Put":
                it = self.item1()
                key = {"pk": it["pk"], "sk": it["sk"]}
                act = {"TableName": self.t1, "Item": it}
            else:
                key = self.key1()
                act = {"TableName": self.t1, "Key": key}
            if canon(key) in seen:
                continue
            seen.add(canon(key))
            cond = self.condition(names, values) if kind == "ConditionCheck" or r.random() < 0.3 else None
            if kind == "ConditionCheck" and not cond:
                cond = "attribute_exists(pk)"
            if kind == "Update":
                # (cnt stays small: a 38-digit n + 1 is a ValidationError reason in
                # DynamoDB but a plain ValidationException in DynamoDB Local; see
                # test_batch_txn.py::test_transaction_validation_error_reason.)
                act["UpdateExpression"] = "SET cnt = if_not_exists(cnt, :tz) + :tone, s = :ts"
                values.update({":tz": {"N": "0"}, ":tone": {"N": "1"}, ":ts": {"S": self.string()}})
            self.with_expr(act, "ConditionExpression", cond, names, values)
            acts.append({kind: act})
        args = {"TransactItems": acts, "ClientRequestToken": "tok-%d" % r.randint(0, 10 ** 9)}
        self.last_txn = args
        return "transact_write_items", args

    def transact_repeat(self):
        """The last transaction again with its token (an SDK's retry): a
        no-op; or other items with that token: refused on both."""
        if not self.last_txn:
            return self.transact_write()
        if self.r.random() < 0.7:
            return "transact_write_items", self.last_txn
        _, other = self.transact_write()
        other["ClientRequestToken"] = self.last_txn["ClientRequestToken"]
        return "transact_write_items", other

    def legacy(self):
        """The same kinds of requests in the legacy parameters."""
        r = self.r
        kind = r.choice(["put", "update", "delete", "get", "query", "scan"])
        n = {"N": self.number()}
        expected = r.choice([{}, {"n": {"Exists": False}}, {"n": {"Value": n}},
                             {"n": {"ComparisonOperator": r.choice(["GT", "LE", "NE"]), "AttributeValueList": [n]}},
                             {"s": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "a"}]},
                              "a": {"ComparisonOperator": "NULL"}}])
        args = {"TableName": self.t1}
        if expected:
            args["Expected"] = expected
            if len(expected) > 1:
                args["ConditionalOperator"] = r.choice(["AND", "OR"])
        if kind == "put":
            return "put_item", dict(args, Item=self.item1(), ReturnValues=r.choice(["NONE", "ALL_OLD"]))
        if kind == "delete":
            return "delete_item", dict(args, Key=self.key1(), ReturnValues=r.choice(["NONE", "ALL_OLD"]))
        if kind == "update":
            ups = {"n": {"Action": "PUT", "Value": {"N": self.number()}}}
            if r.random() < 0.5:
                ups["cnt"] = {"Action": "ADD", "Value": {"N": "1"}}
            if r.random() < 0.4:
                ups["s"] = {"Action": "DELETE"}
            if r.random() < 0.4:
                ups["l"] = {"Action": "ADD", "Value": {"L": [self.value(1)]}}
            return "update_item", dict(args, Key=self.key1(), AttributeUpdates=ups,
                                       ReturnValues=r.choice(["NONE", "ALL_NEW", "UPDATED_OLD"]))
        if kind == "get":
            return "get_item", {"TableName": self.t1, "Key": self.key1(),
                                "AttributesToGet": r.choice([["n", "s"], ["pk", "a", "nope"], ["l"]])}
        filt = {"n": {"ComparisonOperator": r.choice(["GT", "LT", "NOT_NULL", "BETWEEN"]),
                      "AttributeValueList": [{"N": "-10"}, {"N": "10"}]}}
        if filt["n"]["ComparisonOperator"] == "NOT_NULL":
            filt["n"]["AttributeValueList"] = []
        elif filt["n"]["ComparisonOperator"] != "BETWEEN":
            filt["n"]["AttributeValueList"] = [{"N": str(r.randint(-20, 20))}]
        if kind == "scan":
            args = {"TableName": self.t1, "ScanFilter": filt}
            if r.random() < 0.5:
                args["Limit"] = r.randint(1, 20)
            if r.random() < 0.3:
                args["TotalSegments"] = r.randint(1, 4)
            return "scan_all", args
        keys = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": r.choice(PKS)}]}}
        if r.random() < 0.5:
            keys["sk"] = {"ComparisonOperator": r.choice(["GE", "LT"]),
                          "AttributeValueList": [{"N": r.choice(r.choice(SKS))}]}
        args = {"TableName": self.t1, "KeyConditions": keys, "ScanIndexForward": r.random() < 0.5}
        if r.random() < 0.5:
            args["QueryFilter"] = filt
        if r.random() < 0.3:
            args["AttributesToGet"] = ["pk", "sk", "n"]
        return "query", args

    def by_arn(self):
        """A request that names its table by ARN (each server's own), also
        as a key of a batch's RequestItems. (Not in transactions: DynamoDB
        takes ARNs there, DynamoDB Local 3.3.1 answers
        ResourceNotFoundException; test_tables.py checks them on cruddur.)"""
        op, args = self.r.choice([self.get, self.put, self.query, self.delete, self.update, self.scan,
                                  self.batch_write, self.batch_get])()
        if args.get("TableName") in (self.t1, self.t2):
            args = dict(args, TableName="arn-of:" + args["TableName"])
        if "RequestItems" in args:
            args = dict(args, RequestItems={"arn-of:" + t: v for t, v in args["RequestItems"].items()})
        return op, args

    def transact_get(self):
        keys, seen = [], set()
        for _ in range(self.r.randint(1, 6)):
            k = self.key1()
            if canon(k) not in seen:
                seen.add(canon(k))
                keys.append({"Get": {"TableName": self.t1, "Key": k}})
        return "transact_get_items", {"TransactItems": keys}

    def partiql(self):
        """An ExecuteStatement on t1: SELECT by key or partition, INSERT,
        UPDATE or DELETE, its values as Parameters."""
        r = self.r
        t = '"%s"' % self.t1
        k = self.key1()
        key = [k["pk"], k["sk"]]
        kind = r.choice(["get", "get", "query", "insert", "insert", "update", "update", "delete"])
        if kind == "get":
            cols = r.choice(["*", "n, s", "pk, sk, g", "a, ss, nope"])
            return "execute_statement", {"Statement": "SELECT %s FROM %s WHERE pk = ? AND sk = ?" % (cols, t),
                                         "Parameters": key, "ConsistentRead": r.random() < 0.5}
        if kind == "query":
            op = r.choice(["<", "<=", ">", ">="])
            extra = r.choice(["", " AND n > ?", " AND g IS MISSING", " AND begins_with(s, 'a')"])
            params = [k["pk"], {"N": r.choice(r.choice(SKS))}]
            if "?" in extra:
                params.append({"N": self.number()})
            return "execute_statement", {"Statement": "SELECT pk, sk, n, g FROM %s WHERE pk = ? AND sk %s ?%s"
                                                      % (t, op, extra), "Parameters": params}
        if kind == "insert":
            it = self.item1()
            names = sorted(it)
            members = ["'%s': ?" % n for n in names]
            if r.random() < 0.5:
                members.insert(r.randint(0, len(members)), "'lm': " + self.map_literal())
            return "execute_statement", {
                "Statement": "INSERT INTO %s VALUE {%s}" % (t, ", ".join(members)),
                "Parameters": [it[n] for n in names]}
        if kind == "update":
            stmt, params = r.choice([
                ("UPDATE %s SET n = ? WHERE pk = ? AND sk = ?", [{"N": self.number()}]),
                ("UPDATE %s SET lm = " + self.map_literal() + " WHERE pk = ? AND sk = ?", []),
                ("UPDATE %s SET m.k2 = ? WHERE pk = ? AND sk = ?", [self.value(1)]),
                ("UPDATE %s SET s = ? REMOVE a WHERE pk = ? AND sk = ? RETURNING ALL OLD *", [{"S": self.string()}]),
                ("UPDATE %s SET ns = set_add(ns, ?) WHERE pk = ? AND sk = ? RETURNING MODIFIED NEW *",
                 [{"NS": self.numset()}]),
                ("UPDATE %s SET l = list_append(l, ?) WHERE pk = ? AND sk = ? AND attribute_type(l, 'L')",
                 [{"L": [self.value(1)]}]),
            ])
            return "execute_statement", {"Statement": stmt % t, "Parameters": params + key}
        return "execute_statement", {
            "Statement": "DELETE FROM %s WHERE pk = ? AND sk = ?%s" % (t, r.choice(["", " RETURNING ALL OLD *"])),
            "Parameters": key}

    def next(self):
        ops = [(self.put, 22), (self.update, 22), (self.delete, 8), (self.get, 10), (self.query, 12),
               (self.gsi_query, 4), (self.scan, 4), (self.batch_write, 5), (self.batch_get, 5),
               (self.transact_write, 8), (self.transact_get, 3), (self.transact_repeat, 3),
               (self.legacy, 12), (self.by_arn, 4), (self.partiql, 10), (self.mk_query, 8),
               (self.index_query, 6), (self.index_scan, 4)]
        x = self.r.uniform(0, sum(w for _, w in ops))
        for fn, w in ops:
            x -= w
            if x <= 0:
                return fn()
        return ops[0][0]()


def canon(v):
    """A canonical, hashable form of a value (numbers by value)."""
    return json.dumps(normalise(by_value(v)), sort_keys=True, default=repr)


CTX = decimal.Context(prec=80, Emax=999, Emin=-999)


def num_text(n):
    d = CTX.create_decimal(n)
    return "0" if d == 0 else str(d.normalize(CTX))


def by_value(v):
    if isinstance(v, dict):
        if set(v) == {"N"} and isinstance(v["N"], str):
            return {"N": num_text(v["N"])}
        if set(v) == {"NS"} and isinstance(v["NS"], list):
            # (in the order given: set members come back sorted on both)
            return {"NS": [num_text(x) for x in v["NS"]]}
        return {k: by_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [by_value(x) for x in v]
    return v


def normalise(v):
    if isinstance(v, dict):
        if len(v) == 1:
            (t, x), = v.items()
            if t == "N" and isinstance(x, str):
                return {"N": x}
            if t in ("SS", "NS", "BS") and isinstance(x, list):
                return {t: [normalise(m) for m in x]}
        return {k: normalise(x) for k, x in v.items() if k not in ("ResponseMetadata", "ConsumedCapacity")}
    if isinstance(v, list):
        return [normalise(x) for x in v]
    if isinstance(v, bytes):
        return "b64:" + v.hex()
    return v


def run_op(client, op, args):
    """One operation; returns its normalised outcome (errors included)."""
    try:
        if op in ("query_all", "scan_all"):
            return paged(client, op, args)
        out = getattr(client, op)(**args)
        out = drop_final_last_key(client, op, args, out)
    except ClientError as e:
        err = {"error": e.response["Error"].get("Code"), "message": e.response["Error"].get("Message")}
        if err["error"] == "IdempotentParameterMismatchException":
            del err["message"]  # DynamoDB Local's is empty; see FINDINGS.md
        if err["error"] == "DuplicateItem":  # DynamoDB Local's name for it (FINDINGS.md)
            err["error"] = "DuplicateItemException"
        if "CancellationReasons" in e.response:
            err["reasons"] = e.response["CancellationReasons"]
        return normalise(by_value(err))
    out = normalise(by_value(out))
    order = name_order(op, args, out)
    if order is not None:
        out["NameOrder"] = order
    if op == "batch_get_item":
        out["Responses"] = {t: sorted(canon(i) for i in items) for t, items in out["Responses"].items()}
    return out


def compares_order(args):
    """Whether a read's answer has its names' order compared: every item or
    projection (an index's too) but AttributesToGet's, whose order cruddur
    does not copy (FINDINGS.md, "Answers built from a stored item")."""
    return "AttributesToGet" not in args and args.get("Select") != "COUNT"


def names_tree(item):
    """The names of an item and of every map inside it, in their order."""
    def value(v):
        if isinstance(v, dict) and len(v) == 1:
            (t, x), = v.items()
            if t == "M" and isinstance(x, dict):
                return [[k, value(y)] for k, y in x.items()]
            if t == "L" and isinstance(x, list):
                return [value(y) for y in x]
        return None
    return [[k, value(v)] for k, v in item.items()]


def name_order(op, args, out):
    """The order of an answer's attribute names, and of the names of every
    map inside it, where cruddur copies DynamoDB Local's (FINDINGS.md,
    "Attributes of an item"): an item as stored, whichever write made it
    (GetItem, TransactGetItems, Query; every page of a Query or Scan in
    paged()), projections and index projections, and the ReturnValues
    answers of PutItem, UpdateItem (both kinds) and DeleteItem. None where
    it is not compared: AttributesToGet, and PartiQL's answers."""
    if op in ("put_item", "update_item", "delete_item") and "Attributes" in out:
        return names_tree(out["Attributes"])
    if op == "get_item" and "Item" in out and compares_order(args):
        return names_tree(out["Item"])
    if op == "query" and "Items" in out and compares_order(args):
        return [names_tree(i) for i in out["Items"]]
    if op == "transact_get_items":
        return [names_tree(r["Item"]) for r in out.get("Responses", []) if "Item" in r]
    return None


def drop_final_last_key(client, op, args, out):
    """A Query that stops at Limit returns LastEvaluatedKey even when nothing
    follows ("If DynamoDB processes the number of items up to the limit ...
    it stops the operation and returns ... a key in LastEvaluatedKey");
    DynamoDB Local leaves it out in some of those cases. Where the next page
    is empty and final, the key is dropped on both sides before comparing."""
    lek = out.get("LastEvaluatedKey")
    if op != "query" or not lek or out.get("ScannedCount") != args.get("Limit"):
        return out
    nxt = client.query(**dict(args, ExclusiveStartKey=lek))
    if nxt["ScannedCount"] == 0 and "LastEvaluatedKey" not in nxt:
        out = dict(out)
        del out["LastEvaluatedKey"]
    return out


def paged(client, op, args):
    """Every page of a Query or Scan (each segment of a parallel scan in
    turn): the items in the order returned, the counts, and the ScannedCount
    of every page: Limit bounds the items a page looks at, so the pages must
    be cut alike (a last page that looked at nothing is left out: the key
    that led to it is optional when a Limit ends exactly at the end)."""
    items, count, scanned, pages = [], 0, 0, []
    segments = args.pop("TotalSegments", None)
    for seg in range(segments or 1):
        start = None
        seg_pages = []
        while True:
            a = dict(args)
            if segments:
                a.update(Segment=seg, TotalSegments=segments)
            if start:
                a["ExclusiveStartKey"] = start
            out = getattr(client, "scan" if op == "scan_all" else "query")(**a)
            items += out.get("Items", [])
            count += out["Count"]
            scanned += out["ScannedCount"]
            seg_pages.append(out["ScannedCount"])
            start = out.get("LastEvaluatedKey")
            if not start:
                break
        while len(seg_pages) > 1 and seg_pages[-1] == 0:
            seg_pages.pop()
        pages.append(seg_pages)
    listed = [canon(i) for i in items]
    res = {"Items": listed, "Count": count,
           "ScannedCount": scanned, "Pages": pages}
    if compares_order(args):
        res["NameOrders"] = [names_tree(i) for i in items]
    if segments:
        args["TotalSegments"] = segments
    return res


class StreamTail:
    """Follows a table's stream (one shard is enough for these tables) from
    its start; new() returns the records written since the last call."""

    def __init__(self, ddb, streams, table, server):
        self.streams = streams
        self.server = server
        self.arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shards = streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        assert len(shards) == 1, shards
        self.shard = shards[0]["ShardId"]
        self.last = None
        self.it = self.iterator()

    def iterator(self):
        if self.last:
            return self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=self.shard,
                                                   ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                                   SequenceNumber=self.last)["ShardIterator"]
        return self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=self.shard,
                                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def new(self):
        out = []
        while self.it:
            try:
                page = self.streams.get_records(ShardIterator=self.it, Limit=1000)
            except ClientError as e:
                # DynamoDB Local now and then refuses its own NextShardIterator
                # with TrimmedDataAccessException: resume after the last record.
                if e.response["Error"]["Code"] != "TrimmedDataAccessException":
                    raise
                self.it = self.iterator()
                page = self.streams.get_records(ShardIterator=self.it, Limit=1000)
            self.it = page.get("NextShardIterator")
            for rec in page["Records"]:
                self.last = rec["dynamodb"]["SequenceNumber"]
                d = rec["dynamodb"]
                images = {k: d.get(k) for k in ("NewImage", "OldImage")}
                if self.server == "ddblocal":
                    # DynamoDB Local 3.3.1 writes an empty map as {} (no type)
                    # in stream records; see FINDINGS.md.
                    images = {k: typed_empty_maps(v) for k, v in images.items()}
                out.append(canon(dict(images, eventName=rec["eventName"], Keys=d["Keys"])))
            if not page["Records"]:
                break
        return out


def with_arns(args, arns):
    """args with a TableName (or a RequestItems key) "arn-of:T" replaced by
    this server's ARN of T."""
    name = args.get("TableName")
    if isinstance(name, str) and name.startswith("arn-of:"):
        args["TableName"] = arns[name[len("arn-of:"):]]
    if "RequestItems" in args:
        args["RequestItems"] = {arns[t[len("arn-of:"):]] if t.startswith("arn-of:") else t: v
                                for t, v in args["RequestItems"].items()}
    return args


def typed_empty_maps(image):
    """An item image with every untyped {} attribute value read as {"M": {}}."""
    def value(v):
        if v == {}:
            return {"M": {}}
        if set(v) == {"M"}:
            return {"M": {k: value(x) for k, x in v["M"].items()}}
        if set(v) == {"L"}:
            return {"L": [value(x) for x in v["L"]]}
        return v
    return None if image is None else {k: value(v) for k, v in image.items()}


WRITES = {"put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items",
          "execute_statement"}


def make_tables(client, t1, t2):
    client.create_table(
        TableName=t1, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"},
                              {"AttributeName": "gn", "AttributeType": "N"},
                              {"AttributeName": "gs", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "ALL"}},
                                {"IndexName": "bymk",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "gn", "KeyType": "HASH"},
                                               {"AttributeName": "gs", "KeyType": "RANGE"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n", "ss"]}},
                                # keyed by table key attributes alone (no SQLite index in
                                # DynamoDB Local; ordered like the others all the same)
                                {"IndexName": "bypk", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}},
                                {"IndexName": "bysk", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}},
                                {"IndexName": "byskpk", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"},
                                                                      {"AttributeName": "pk", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["g"]}}],
        LocalSecondaryIndexes=[{"IndexName": "bylsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                    {"AttributeName": "gs", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    client.create_table(TableName=t2, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "B"}],
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])


def describe(a, b):
    """Both responses; for long item lists only the items that differ."""
    if isinstance(a.get("Items"), list) and isinstance(b.get("Items"), list) and len(show(a)) > 2000:
        only_a = [x for x in a["Items"] if x not in b["Items"]]
        only_b = [x for x in b["Items"] if x not in a["Items"]]
        rest = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if k != "Items" and a.get(k) != b.get(k)}
        first = next((i for i, (x, y) in enumerate(zip(a["Items"], b["Items"])) if x != y), None)
        order = "" if first is None else "\nfirst item out of order, at %d:\ncruddur:  %s\nddblocal: %s" % (
            first, a["Items"][first], b["Items"][first])
        return "items only from cruddur: %s\nitems only from ddblocal: %s\nother differences: %s%s" % (
            show(only_a), show(only_b), show(rest), order)
    return "cruddur:  %s\nddblocal: %s" % (show(a), show(b))


def show(x):
    return json.dumps(x, sort_keys=True, default=repr, ensure_ascii=False)


def seeds():
    """The seeds of this run: COMPAT_SEED's, or 11, 12345 and the commit's."""
    given = os.environ.get("COMPAT_SEED")
    if given:
        return [int(x) for x in given.split(",") if x.strip()]
    return [11, 12345, commit_seed()]


def commit_seed():
    """A seed drawn from the commit of the source tree (404 outside git)."""
    try:
        head = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)),
                               "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=30).stdout.strip()
        return int(head[:8], 16) % (2 ** 31 - 1) + 1
    except (OSError, ValueError, subprocess.SubprocessError):
        return 404


@pytest.mark.parametrize("seed", seeds(), ids=lambda s: "seed%d" % s)
def test_differential(servers, seed):
    if not {"cruddur", "ddblocal"} <= set(SERVERS):
        pytest.skip("needs both servers")
    nops = int(os.environ.get("COMPAT_OPS", "1000"))
    print("differential: seed %d, %d operations (rerun with COMPAT_SEED=%d)" % (seed, nops, seed))
    clients = {n: make_client(servers(n)) for n in ("cruddur", "ddblocal")}
    suffix = "%d-%d" % (seed, time.time_ns() % 100000)
    t1, t2 = "compat-diff1-" + suffix, "compat-diff2-" + suffix
    for c in clients.values():
        make_tables(c, t1, t2)
    gen = Gen(seed, t1, t2)
    arns = {n: {t: c.describe_table(TableName=t)["Table"]["TableArn"] for t in (t1, t2)} for n, c in clients.items()}
    t0 = time.time()
    kinds = {}
    tails = {n: StreamTail(c, make_client(servers(n), "dynamodbstreams"), t1, n) for n, c in clients.items()}
    nrecs = 0
    try:
        for i in range(nops):
            op, args = gen.next()
            res = {n: run_op(c, op, with_arns(json.loads(json.dumps(args, default=_enc), object_hook=_dec),
                                              arns[n]))
                   for n, c in clients.items()}
            kinds.setdefault(op, [0, 0])[0] += 1
            if "error" in res["cruddur"]:
                kinds[op][1] += 1
            if res["cruddur"] != res["ddblocal"]:
                pytest.fail("differential mismatch at operation %d (seed %d)\nrequest: %s %s\n%s"
                            % (i, seed, op, show(normalise(args)), describe(res["cruddur"], res["ddblocal"])))
            if op in WRITES:
                recs = {}
                for n, t in tails.items():
                    try:
                        recs[n] = t.new()
                    except ClientError as e:
                        pytest.fail("GetRecords on %s after operation %d failed (seed %d): %s\nrequest: %s %s"
                                    % (n, i, seed, e, op, show(normalise(args))))
                if op in ("batch_write_item", "transact_write_items"):
                    # Different items of one call: no order between their records.
                    recs = {n: sorted(r) for n, r in recs.items()}
                nrecs += len(recs["cruddur"])
                if recs["cruddur"] != recs["ddblocal"]:
                    pytest.fail("stream records of operation %d differ (seed %d)\nrequest: %s %s\n"
                                "response: %s\ncruddur records:  %s\nddblocal records: %s"
                                % (i, seed, op, show(normalise(args)), show(res["cruddur"]),
                                   show(recs["cruddur"]), show(recs["ddblocal"])))
        final = {n: (paged(c, "scan_all", {"TableName": t1}), paged(c, "scan_all", {"TableName": t2}))
                 for n, c in clients.items()}
        assert final["cruddur"] == final["ddblocal"], "final table contents differ (seed %d)" % seed
        print("differential: %d ops in %.1f s; per op [count, errors]: %s; %d items, %d stream records"
              % (nops, time.time() - t0, kinds, final["cruddur"][0]["Count"], nrecs))
    finally:
        for c in clients.values():
            for t in (t1, t2):
                try:
                    c.delete_table(TableName=t)
                except ClientError:
                    pass


def _enc(x):
    if isinstance(x, bytes):
        return {"__bytes__": x.hex()}
    raise TypeError(x)


def _dec(d):
    if set(d) == {"__bytes__"}:
        return bytes.fromhex(d["__bytes__"])
    return d
