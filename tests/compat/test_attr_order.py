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
  - a PartiQL map literal (an INSERT's item too): its names as written
    through a map grown from 16, then through the first rule's map.
The other write paths (BatchWriteItem and TransactWriteItems puts and
updates, PartiQL UPDATE, paths deep into maps and lists) follow these
rules; tests/compat/tools/probe_write_order.py compares them server
against server.
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


def literal(names):
    """A PartiQL map literal ({'a': ..., ...}) as stored: its names as
    written through a new HashMap() (grown from 16), then as any map a
    request sends. It differs from written() only for 2 to 6 names."""
    return written(through(names, grown(16, len(names))))


def pq_call(server, how, stmt, params=None):
    """One statement through ExecuteStatement, BatchExecuteStatement or
    ExecuteTransaction."""
    one = {"Statement": stmt}
    if params:
        one["Parameters"] = params
    if how == "ExecuteStatement":
        call(server, how, one)
    elif how == "BatchExecuteStatement":
        out = call(server, how, {"Statements": [one]})
        assert "Error" not in names_of(member(out, "Responses")[0]), out
    else:
        call(server, how, {"TransactStatements": [one]})


PQ_CALLS = ["ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"]


def map_lit(names, inner=None):
    return "{" + ", ".join("'%s': %s" % (x, inner if inner and x == names[0] else "1") for x in names) + "}"


def test_partiql_literal_order(server, ddb, make_table):
    """A map literal of a PartiQL statement (an INSERT's item, a map inside
    it, one in a list, a SET's value) is stored in the literal order, not
    in the order of the same map sent as JSON."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(31)
    differs = 0
    for i in range(24):
        how = PQ_CALLS[i % 3]
        pk = "q%d" % i
        top = ["pk"] + random_names(rng, rng.randint(1, 5))
        rng.shuffle(top)
        if top[0] == "pk":
            top = top[1:] + ["pk"]
        mid, deep, inlist, setv = (random_names(rng, rng.randint(2, 6)) for _ in range(4))
        values = {x: "'%s'" % pk if x == "pk" else map_lit(mid, map_lit(deep)) if x == top[0] else
                  "[%s]" % map_lit(inlist) if x == top[1] else "1" for x in top}
        pq_call(server, how, 'INSERT INTO "%s" VALUE {%s}' % (t, ", ".join("'%s': %s" % (x, values[x]) for x in top)))
        got = get_item(server, t, pk)
        assert names_of(got) == literal(top)
        m = member(got, top[0])
        assert names_of(member(m, "M")) == literal(mid)
        assert names_of(member(member(member(m, "M"), mid[0]), "M")) == literal(deep)
        if top[1] != "pk":
            assert names_of(member(member(member(got, top[1]), "L")[0], "M")) == literal(inlist)
        pq_call(server, how, "UPDATE \"%s\" SET mv = %s WHERE pk = '%s'" % (t, map_lit(setv), pk))
        assert names_of(member(member(get_item(server, t, pk), "mv"), "M")) == literal(setv)
        differs += sum(literal(x) != written(x) for x in (top, mid, deep, inlist, setv))
    assert differs >= 10  # enough samples that tell the two rules apart


def test_partiql_update_order(server, ddb, make_table):
    """PartiQL UPDATE (SET and REMOVE, at the top and in maps, through all
    three calls) stores the item as an UpdateExpression does: the item and
    each map a path steps into rebuilt, the others as they were."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(37)
    for i in range(24):
        how = PQ_CALLS[i % 3]
        pk = "r%d" % i
        names = ["pk", "a", "l"] + random_names(rng, rng.randint(0, 12), avoid=["a", "l"])
        rng.shuffle(names)
        inner, other, first = (random_names(rng, rng.randint(1, 10)) for _ in range(3))
        item = {x: {"S": pk} if x == "pk" else {"N": "1"} for x in names}
        item["a"] = {"M": {"b": {"M": {x: {"N": "1"} for x in inner}}, "c": {"M": {x: {"N": "1"} for x in other}}}}
        item["l"] = {"L": [{"M": {x: {"N": "1"} for x in first}}]}
        call(server, "PutItem", {"TableName": t, "Item": item})
        added = random_names(rng, rng.randint(1, 3), avoid=names)
        olds = [x for x in names if x not in ("pk", "a", "l")]
        removed = rng.sample(olds, min(len(olds), rng.randint(0, 2)))
        nb, nl = random_names(rng, 1, avoid=inner)[0], random_names(rng, 1, avoid=first)[0]
        gone = rng.choice(inner) if len(inner) > 1 else None
        parts = ['SET "%s" = 2' % x for x in added] + ['REMOVE "%s"' % x for x in removed]
        parts += ['SET a.b."%s" = 3' % nb, 'SET l[0]."%s" = 4' % nl] + (['REMOVE a.b."%s"' % gone] if gone else [])
        rng.shuffle(parts)
        stmt = 'UPDATE "%s" %s WHERE pk = \'%s\'' % (t, " ".join(parts), pk)
        pq_call(server, how, stmt)
        got = get_item(server, t, pk)
        assert names_of(got) == rebuilt([x for x in names if x not in removed] + added), stmt
        a = member(member(got, "a"), "M")
        assert names_of(a) == rebuilt(["b", "c"])
        assert names_of(member(member(a, "b"), "M")) == rebuilt([x for x in inner if x != gone] + [nb]), stmt
        assert names_of(member(member(a, "c"), "M")) == written(other)
        assert names_of(member(member(member(got, "l"), "L")[0], "M")) == rebuilt(first + [nl]), stmt


def test_batch_and_transaction_write_order(server, ddb, make_table):
    """BatchWriteItem's and TransactWriteItems' puts store an item as
    PutItem does; TransactWriteItems' updates as UpdateItem does (the item
    and the maps a path steps into rebuilt)."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(41)
    for i in range(24):
        pk = "w%d" % i
        names = ["pk", "mm"] + random_names(rng, rng.randint(0, 20))
        rng.shuffle(names)
        nested = random_names(rng, rng.randint(1, 10))
        item = {x: {"S": pk} if x == "pk" else {"M": {y: {"N": "1"} for y in nested}} if x == "mm" else {"N": "1"}
                for x in names}
        if i % 2:
            call(server, "TransactWriteItems", {"TransactItems": [{"Put": {"TableName": t, "Item": item}}]})
        else:
            call(server, "BatchWriteItem", {"RequestItems": {t: [{"PutRequest": {"Item": item}}]}})
        got = get_item(server, t, pk)
        assert names_of(got) == written(names)
        assert names_of(member(member(got, "mm"), "M")) == written(nested)
        added = random_names(rng, rng.randint(1, 4), avoid=names)
        olds = [x for x in names if x not in ("pk", "mm")]
        removed = rng.sample(olds, min(len(olds), rng.randint(0, 2)))
        new_inner = random_names(rng, 1, avoid=nested)[0]
        ean = {"#m": "mm", "#q": new_inner}
        sets, removes = ["#m.#q = :v"], []
        for x in added:
            ean["#n%d" % len(ean)] = x
            sets.append("#n%d = :v" % (len(ean) - 1))
        for x in removed:
            ean["#n%d" % len(ean)] = x
            removes.append("#n%d" % (len(ean) - 1))
        expr = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        call(server, "TransactWriteItems", {"TransactItems": [{"Update": {
            "TableName": t, "Key": {"pk": {"S": pk}}, "UpdateExpression": expr,
            "ExpressionAttributeNames": ean, "ExpressionAttributeValues": {":v": {"N": "2"}}}}]})
        got = get_item(server, t, pk)
        assert names_of(got) == rebuilt([x for x in names if x not in removed] + added), expr
        assert names_of(member(member(got, "mm"), "M")) == rebuilt(nested + [new_inner]), expr


def test_update_deep_paths_order(server, ddb, make_table):
    """UpdateExpression paths deeper than one map: every map on the path
    (a.b.c, a map in a list, l[0].k) is rebuilt and a map below the target
    is not; a map value that the update SETs whole, and the maps of a
    list_append's result, keep the order of a map as sent."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(43)
    for i in range(24):
        pk = "d%d" % i
        outer = random_names(rng, rng.randint(0, 8), avoid=["b"]) + ["b"]
        rng.shuffle(outer)
        inner, below, first, second, whole, appended, nested_set = (
            random_names(rng, rng.randint(1, 10)) for _ in range(7))
        nm = lambda ns: {"M": {x: {"N": "1"} for x in ns}}  # noqa: E731
        b = {x: nm(below) if x == inner[0] else {"N": "1"} for x in inner}
        a = {x: {"M": b} if x == "b" else {"N": "1"} for x in outer}
        call(server, "PutItem", {"TableName": t, "Item": {
            "pk": {"S": pk}, "a": {"M": a}, "l": {"L": [nm(first), nm(second)]},
            "s": {"M": {x: {"SS": ["x"]} if x == nested_set[0] else {"N": "1"} for x in nested_set}}}})
        new_b, new_l = random_names(rng, 1, avoid=inner)[0], random_names(rng, 1, avoid=first)[0]
        call(server, "UpdateItem", {
            "TableName": t, "Key": {"pk": {"S": pk}},
            "UpdateExpression": "SET a.b.#nb = :v, l[0].#nl = :v, #w = :whole ADD s.#ns :ss",
            "ExpressionAttributeNames": {"#nb": new_b, "#nl": new_l, "#w": "w", "#ns": nested_set[0]},
            "ExpressionAttributeValues": {":v": {"N": "2"}, ":whole": nm(whole), ":ss": {"SS": ["y"]}}})
        call(server, "UpdateItem", {
            "TableName": t, "Key": {"pk": {"S": pk}}, "UpdateExpression": "SET l = list_append(l, :app)",
            "ExpressionAttributeValues": {":app": {"L": [nm(appended)]}}})
        got = get_item(server, t, pk)
        ga = member(member(got, "a"), "M")
        assert names_of(ga) == rebuilt(outer)
        gb = member(member(ga, "b"), "M")
        assert names_of(gb) == rebuilt(inner + [new_b])
        assert names_of(member(member(gb, inner[0]), "M")) == written(below)
        lst = member(member(got, "l"), "L")
        assert [names_of(member(x, "M")) for x in lst] == [
            rebuilt(first + [new_l]), written(second), written(appended)]
        assert names_of(member(member(got, "w"), "M")) == written(whole)
        assert names_of(member(member(got, "s"), "M")) == rebuilt(nested_set)
