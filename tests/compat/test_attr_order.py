"""The order of an item's attribute names in answers, which DynamoDB Local
3.3.1 makes deterministic and cruddur copies (FINDINGS.md, "Attributes of an
item"; src/ddb/model/attr_order.c).

Each test runs on both servers against one model of the rule, so passing on
DynamoDB Local shows the model is its rule and passing on cruddur shows
cruddur follows it. Requests are sent raw (so the order sent is known) and
answers are read with an order-keeping JSON parser.

The model: a java.util.HashMap iterates its buckets in ascending order and
the names of one bucket in the order they were put; a name's bucket is
(h ^ (h >>> 16)) & (cap - 1), h its String.hashCode over UTF-16 units.
  - an item as sent (PutItem), and each map in it: one map whose capacity is
    the smallest power of two from 2 with n <= 0.75 * cap;
  - an item after an UpdateExpression, as stored (GetItem): its names
    sorted, through a map grown from 16, then through the one above;
  - UpdateItem's ALL_NEW answer: between those two, a HashMap(Map) copy of
    capacity tableSizeFor(int(n / 0.75 + 1)).
"""
import json
import random
import string

from compatlib import raw_call


def java_hash(name):
    h = 0
    units = name.encode("utf-16-be")
    for i in range(0, len(units), 2):
        h = (31 * h + (units[i] << 8 | units[i + 1])) & 0xFFFFFFFF
    return h ^ (h >> 16)


def grown(start, n):
    cap = start
    while n * 4 > cap * 3:
        cap *= 2
    return cap


def copy_cap(n):
    want, cap = int(n / 0.75 + 1.0), 1
    while cap < want:
        cap *= 2
    return cap


def through(names, cap):
    """The order of a HashMap of capacity cap filled in the order given."""
    return sorted(names, key=lambda s: java_hash(s) & (cap - 1))


def utf16_key(name):
    return name.encode("utf-16-be")


def written(names):
    return through(names, grown(2, len(names)))


def rebuilt(names, all_new=False):
    n = len(names)
    seq = through(sorted(names, key=utf16_key), grown(16, n))
    if all_new:
        seq = through(seq, copy_cap(n))
    return through(seq, grown(2, n))


def call(server, op, body):
    st, _, out = raw_call(server.endpoint, "DynamoDB_20120810." + op, json.dumps(body).encode())
    parsed = json.loads(out, object_pairs_hook=lambda pairs: pairs)
    assert st == 200, parsed
    return parsed


def member(pairs, name):
    return next(v for k, v in pairs if k == name)


def names_of(pairs):
    return [k for k, _ in pairs]


def random_names(rng, n, avoid=()):
    out = []
    while len(out) < n:
        s = "".join(rng.choice(string.ascii_letters + string.digits + "_")
                    for _ in range(rng.randint(1, 6)))
        if s not in out and s not in avoid and s not in ("pk", "mm"):
            out.append(s)
    return out


def make_hash_table(ddb, make_table):
    return make_table("attrs", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                      AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])


def get_item(server, t, pk):
    return member(call(server, "GetItem", {"TableName": t, "Key": {"pk": {"S": pk}}}), "Item")


def test_put_item_order(server, ddb, make_table):
    t = make_hash_table(ddb, make_table)
    rng = random.Random(13)
    for i in range(40):
        pk = "p%d" % i
        nested = random_names(rng, rng.randint(1, 10))
        names = ["pk", "mm"] + random_names(rng, rng.randint(0, 28))
        rng.shuffle(names)
        item = {}
        for name in names:
            item[name] = ({"S": pk} if name == "pk" else
                          {"M": {x: {"N": "1"} for x in nested}} if name == "mm" else {"N": "1"})
        call(server, "PutItem", {"TableName": t, "Item": item})
        got = get_item(server, t, pk)
        assert names_of(got) == written(names)
        assert names_of(member(member(got, "mm"), "M")) == written(nested)
        q = call(server, "Query", {"TableName": t, "KeyConditionExpression": "pk = :p",
                                   "ExpressionAttributeValues": {":p": {"S": pk}}})
        assert names_of(member(q, "Items")[0]) == written(names)
        old = call(server, "PutItem", {"TableName": t, "Item": item, "ReturnValues": "ALL_OLD"})
        assert names_of(member(old, "Attributes")) == written(names)


def test_update_item_order(server, ddb, make_table):
    t = make_hash_table(ddb, make_table)
    rng = random.Random(17)
    for i in range(25):
        pk = "u%d" % i
        names = ["pk"] + random_names(rng, rng.randint(0, 20))
        if i % 5:  # every fifth item is made by the UpdateItem itself
            call(server, "PutItem", {"TableName": t,
                                     "Item": {x: {"S": pk} if x == "pk" else {"N": "1"} for x in names}})
        else:
            names = ["pk"]
        for _ in range(3):
            ean, sets, removes, adds = {}, [], [], []
            for x in random_names(rng, rng.randint(0, 5), avoid=names):
                ean["#n%d" % len(ean)] = x
                sets.append("#n%d = :v" % (len(ean) - 1))
            for x in random_names(rng, rng.randint(0, 2), avoid=names + list(ean.values())):
                ean["#n%d" % len(ean)] = x
                adds.append("#n%d :v" % (len(ean) - 1))
            olds = [x for x in names if x != "pk"]
            for x in rng.sample(olds, min(len(olds), rng.randint(0, 3))):
                ean["#n%d" % len(ean)] = x
                removes.append("#n%d" % (len(ean) - 1))
            if not ean:
                continue
            expr = " ".join(part for part in (
                "SET " + ", ".join(sets) if sets else "", "REMOVE " + ", ".join(removes) if removes else "",
                "ADD " + ", ".join(adds) if adds else "") if part)
            body = {"TableName": t, "Key": {"pk": {"S": pk}}, "UpdateExpression": expr,
                    "ExpressionAttributeNames": ean, "ReturnValues": "ALL_NEW"}
            if sets or adds:
                body["ExpressionAttributeValues"] = {":v": {"N": "2"}}
            got = names_of(member(call(server, "UpdateItem", body), "Attributes"))
            names = [x for x in names + list(ean.values()) if not ean_removed(ean, removes, x)]
            names = list(dict.fromkeys(names))
            assert sorted(got) == sorted(names)
            assert got == rebuilt(names, all_new=True), expr
            assert names_of(get_item(server, t, pk)) == rebuilt(names), expr


def ean_removed(ean, removes, name):
    return any(ean[r] == name for r in removes)


def test_update_nested_map_order(server, ddb, make_table):
    """A map that an update steps into (SET mm.x, REMOVE mm.y) is stored as
    a changed item is; a map it does not touch keeps the order it was put
    in, and ALL_NEW copies only the item, not the maps in it."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(23)
    for i in range(30):
        pk = "n%d" % i
        nested = random_names(rng, rng.randint(1, 10))
        kept = random_names(rng, rng.randint(2, 10))
        call(server, "PutItem", {"TableName": t, "Item": {
            "pk": {"S": pk}, "mm": {"M": {x: {"N": "1"} for x in nested}},
            "kk": {"M": {x: {"N": "1"} for x in kept}}}})
        added = random_names(rng, rng.randint(1, 3), avoid=nested)
        removed = rng.sample(nested, min(len(nested) - 1, rng.randint(0, 2)))
        ean = {"#m": "mm"}
        sets, removes = [], []
        for k, x in enumerate(added + removed):
            ean["#n%d" % k] = x
            (sets if k < len(added) else removes).append("#m.#n%d" % k)
        sets = [s + " = :v" for s in sets]
        expr = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        body = {"TableName": t, "Key": {"pk": {"S": pk}}, "UpdateExpression": expr,
                "ExpressionAttributeNames": ean, "ExpressionAttributeValues": {":v": {"N": "2"}},
                "ReturnValues": "ALL_NEW"}
        want = rebuilt([x for x in nested if x not in removed] + added)
        answer = member(call(server, "UpdateItem", body), "Attributes")
        assert names_of(member(member(answer, "mm"), "M")) == want, expr
        got = get_item(server, t, pk)
        assert names_of(got) == rebuilt(["pk", "mm", "kk"])
        assert names_of(member(member(got, "mm"), "M")) == want, expr
        assert names_of(member(member(got, "kk"), "M")) == written(kept)


def test_legacy_update_order(server, ddb, make_table):
    """UpdateItem with the legacy AttributeUpdates changes the stored item
    in place: the old order, the new names after it, through the map of a
    written item (not the sorted order of an UpdateExpression)."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(29)
    for i in range(20):
        pk = "l%d" % i
        names = ["pk"] + random_names(rng, rng.randint(0, 20))
        rng.shuffle(names)
        call(server, "PutItem", {"TableName": t,
                                 "Item": {x: {"S": pk} if x == "pk" else {"N": "1"} for x in names}})
        order = written(names)
        for _ in range(3):
            olds = [x for x in order if x != "pk"]
            added = random_names(rng, rng.randint(1, 4), avoid=order)
            changed = rng.sample(olds, min(len(olds), rng.randint(0, 2)))
            deleted = rng.sample([x for x in olds if x not in changed],
                                 min(len(olds) - len(changed), rng.randint(0, 2)))
            ups = {}
            for x in added + changed:
                ups[x] = {"Action": "PUT", "Value": {"N": "2"}}
            for x in deleted:
                ups[x] = {"Action": "DELETE"}
            call(server, "UpdateItem", {"TableName": t, "Key": {"pk": {"S": pk}},
                                        "AttributeUpdates": ups})
            order = written([x for x in order + added if x not in deleted])
            assert names_of(get_item(server, t, pk)) == order, ups
