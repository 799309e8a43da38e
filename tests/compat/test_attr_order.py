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
Answers built from a stored item (S, its GetItem order) or from a request:
  - UpdateItem ALL_NEW: S through the copy, then the answer's map;
  - UpdateItem ALL_OLD: S through a map grown from 16, the copy, the answer's;
  - UPDATED_OLD / UPDATED_NEW: an UpdateExpression's names sorted, through
    16, the copy, 16, the answer's map; AttributeUpdates' names in the order
    sent, through 16 and the answer's map;
  - a failed condition's Item: UpdateItem S through 16; a transaction S;
  - a stream image: S through 16, and each map inside it too;
  - a projection: each map it builds as an updated item is stored.
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
def find_item(server, t, pk):
    """The item, or None when there is none."""
    out = call(server, "GetItem", {"TableName": t, "Key": {"pk": {"S": pk}}})
    return next((v for k, v in out if k == "Item"), None)


def hm16(names):
    return through(names, grown(16, len(names)))


def copied(names):
    return through(names, copy_cap(len(names)))


def stored_names(server, t, pk):
    item = find_item(server, t, pk)
    return names_of(item) if item is not None else None


def test_update_answer_order(server, ddb, make_table):
    """Every ReturnValues answer of UpdateItem, of an UpdateExpression and
    of legacy AttributeUpdates, against the item's stored order."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(31)
    for i in range(40):
        pk = "r%d" % i
        names = ["pk"] + random_names(rng, rng.randint(0, 24))
        rng.shuffle(names)
        call(server, "PutItem", {"TableName": t,
                                 "Item": {x: {"S": pk} if x == "pk" else {"N": "1"} for x in names}})
        for step in range(4):
            old = stored_names(server, t, pk)
            olds = [x for x in old if x != "pk"]
            new_names = random_names(rng, rng.randint(0, 8), avoid=old)
            changed = rng.sample(olds, min(len(olds), rng.randint(0, 6)))
            rest = [x for x in olds if x not in changed]
            gone = rng.sample(rest, min(len(rest), rng.randint(0, 3)))
            if not new_names + changed + gone:
                continue
            rv = ["ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"][(i + step) % 4]
            body = {"TableName": t, "Key": {"pk": {"S": pk}}, "ReturnValues": rv}
            legacy = (i + step // 2) % 2 == 1
            if legacy:
                ups = [(x, {"Action": "PUT", "Value": {"N": "2"}}) for x in new_names + changed]
                ups += [(x, {"Action": "DELETE"}) for x in gone]
                rng.shuffle(ups)
                body["AttributeUpdates"] = dict(ups)
                sent = [x for x, _ in ups]
            else:
                ean = {"#n%d" % k: x for k, x in enumerate(new_names + changed + gone)}
                sets = ["#n%d = :v" % k for k in range(len(new_names + changed))]
                removes = ["#n%d" % k for k in range(len(new_names + changed), len(ean))]
                body["UpdateExpression"] = " ".join(
                    p for p in ("SET " + ", ".join(sets) if sets else "",
                                "REMOVE " + ", ".join(removes) if removes else "") if p)
                body["ExpressionAttributeNames"] = ean
                if sets:
                    body["ExpressionAttributeValues"] = {":v": {"N": "2"}}
            got = next((v for k, v in call(server, "UpdateItem", body) if k == "Attributes"), None)
            new = stored_names(server, t, pk)
            if rv == "ALL_OLD":
                want = written(copied(hm16(old)))
            elif rv == "ALL_NEW":
                want = written(copied(new))
            else:
                have = old if rv == "UPDATED_OLD" else new
                names_in = [x for x in (sent if legacy else new_names + changed + gone) if x in have]
                if legacy:
                    want = written(hm16(names_in))
                else:
                    want = written(hm16(copied(hm16(sorted(names_in, key=utf16_key)))))
            assert (names_of(got) if got is not None else []) == want, (rv, body)


def test_condition_failed_item_order(server, ddb, make_table):
    """ReturnValuesOnConditionCheckFailure ALL_OLD: UpdateItem answers its
    copy of the old item (through a map grown from 16); PutItem and
    DeleteItem the item in the order 3.3.1 keeps it (a written item as
    stored; an updated one its names sorted through a map grown from 16,
    before a read's map: test_kept_order has more); a transaction's
    CancellationReasons the stored order."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(37)
    ops = ["UpdateItem", "PutItem", "UpdateItem", "DeleteItem", "Put", "UpdateItem", "Update", "Delete",
           "ConditionCheck"]
    for i in range(54):
        pk = "f%d" % i
        names = ["pk"] + random_names(rng, rng.randint(2, 24))
        rng.shuffle(names)
        call(server, "PutItem", {"TableName": t,
                                 "Item": {x: {"S": pk} if x == "pk" else {"N": "1"} for x in names}})
        op = ops[i % len(ops)]
        updated = i % 2 == 1
        if updated:
            ean = {"#a%d" % k: x for k, x in enumerate(random_names(rng, rng.randint(1, 6), avoid=names))}
            call(server, "UpdateItem", {"TableName": t, "Key": {"pk": {"S": pk}},
                                        "UpdateExpression": "SET " + ", ".join("%s = :v" % k for k in ean),
                                        "ExpressionAttributeNames": ean,
                                        "ExpressionAttributeValues": {":v": {"N": "3"}}})
        stored = stored_names(server, t, pk)
        body = {"TableName": t, "ConditionExpression": "attribute_not_exists(pk)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        if op in ("PutItem", "Put"):
            body["Item"] = {"pk": {"S": pk}, "zz": {"N": "1"}}
        else:
            body["Key"] = {"pk": {"S": pk}}
        if op in ("UpdateItem", "Update"):
            body.update(UpdateExpression="SET zz = :v", ExpressionAttributeValues={":v": {"N": "1"}})
        if op.endswith("Item"):
            st, _, out = raw_call(server.endpoint, "DynamoDB_20120810." + op, json.dumps(body).encode())
            got = member(json.loads(out, object_pairs_hook=lambda pairs: pairs), "Item")
            if op == "UpdateItem":
                want = hm16(stored)
            else:
                want = hm16(sorted(stored, key=utf16_key)) if updated else stored
        else:
            st, _, out = raw_call(server.endpoint, "DynamoDB_20120810.TransactWriteItems",
                                  json.dumps({"TransactItems": [{op: body}]}).encode())
            reasons = member(json.loads(out, object_pairs_hook=lambda pairs: pairs), "CancellationReasons")
            got = member(reasons[0], "Item")
            want = stored
        assert st == 400
        assert names_of(got) == want, op


def kept_shown(kept):
    """What a read shows of an item 3.3.1 keeps as `kept` (pairs of a name
    and, for a map, its own kept pairs): every map through a written map."""
    d = dict(kept)
    return [(k, kept_shown(d[k]) if d[k] is not None else None) for k in written(list(d))]


def names_tree(pairs):
    """An answer's item as pairs of a name and, for a map, its names tree."""
    out = []
    for k, v in pairs:
        m = next((x for kk, x in v if kk == "M"), None)
        out.append((k, names_tree(m) if m is not None else None))
    return out


def kept_wire(kept, pk=None):
    """The item (or map) of that shape as a request sends it, in that order."""
    out = {k: {"M": kept_wire(v)} if v is not None else {"N": "1"} for k, v in kept}
    if pk is not None:
        out["pk"] = {"S": pk}
    return out


def test_kept_order(server, ddb, make_table):
    """3.3.1 keeps an item's names in an order of its own, K (FINDINGS.md,
    "a second legacy update"), and a read shows every map of K through a
    written map. A PutItem keeps what a read shows; an UpdateExpression keeps
    the item's names sorted through a map grown from 16, and so each map
    its paths step into, other maps as they were kept; AttributeUpdates
    change K in place: the names left where they were, then the new names
    in the order sent (a map value as written); an item that an update of
    either kind makes is kept as a read shows it. A failed PutItem or
    DeleteItem condition answers K itself, and K shows in reads after
    legacy updates that shrink the item across a capacity; the other
    answers (ALL_OLD, ALL_NEW, a transaction's reason, stream images)
    follow from what a read shows."""
    t = make_hash_table(ddb, make_table)
    ddb.update_table(TableName=t, StreamSpecification={"StreamEnabled": True,
                                                       "StreamViewType": "NEW_AND_OLD_IMAGES"})
    rng = random.Random(43)
    images = []  # the NewImage each write should leave, in order

    def image(shown):
        d = dict(shown)
        return [(k, image(d[k]) if d[k] is not None else None) for k in hm16(list(d))]

    def new_map():
        return [(x, None) for x in random_names(rng, rng.randint(1, 6))]

    for i in range(36):
        pk = "k%d" % i
        kept = [(x, None) for x in random_names(rng, rng.randint(1, 9), avoid=["pk"])] + [("pk", None)]
        rng.shuffle(kept)
        if i % 2:
            kept.append(("mm", new_map()))
        if i % 3 == 2:  # an item that the first update makes
            kept = None
        else:
            call(server, "PutItem", {"TableName": t, "Item": kept_wire(kept, pk)})
            kept = kept_shown(kept)
            images.append(image(kept))
        for step in range(4):
            old = kept
            names = [k for k, _ in old or []]
            olds = [k for k in names if k not in ("pk", "mm")]
            rv = ["ALL_OLD", "ALL_NEW", "NONE", "UPDATED_NEW"][(i + step) % 4]
            body = {"TableName": t, "Key": {"pk": {"S": pk}}, "ReturnValues": rv}
            d = dict(old or [("pk", None)])
            if step % 3 == 2 or (old is None and i % 2):  # an UpdateExpression
                add = random_names(rng, rng.randint(0, 2), avoid=names)
                gone = rng.sample(olds, min(len(olds), rng.randint(0, 3)))
                ean = {"#a%d" % k: x for k, x in enumerate(add)}
                sets = ["#a%d = :v" % k for k in range(len(add))]
                if d.get("mm") is not None:
                    mx = random_names(rng, 1, avoid=[k for k, _ in d["mm"]])[0]
                    ean.update({"#m": "mm", "#mx": mx})
                    sets.append("#m.#mx = :v")
                    d["mm"] = [(x, None) for x in hm16(sorted([k for k, _ in d["mm"]] + [mx], key=utf16_key))]
                ean.update({"#r%d" % k: x for k, x in enumerate(gone)})
                body["UpdateExpression"] = " ".join(p for p in (
                    "SET " + ", ".join(sets) if sets else "",
                    "REMOVE " + ", ".join("#r%d" % k for k in range(len(gone))) if gone else "") if p)
                if not body["UpdateExpression"]:
                    continue
                body["ExpressionAttributeNames"] = ean
                if sets:
                    body["ExpressionAttributeValues"] = {":v": {"N": "3"}}
                d.update((x, None) for x in add)
                for x in gone:
                    del d[x]
                kept = [(k, d[k]) for k in hm16(sorted(d, key=utf16_key))]
            else:  # legacy: grow, then shrink across 6/7 or 12/13 names
                grow = step == 0
                add = random_names(rng, rng.randint(2, 8) if grow else rng.randint(0, 1), avoid=names)
                changed = rng.sample(olds, min(len(olds), rng.randint(0, 2)))
                rest = [x for x in olds if x not in changed]
                gone = rng.sample(rest, min(len(rest), rng.randint(0, 1) if grow else rng.randint(2, 6)))
                ups, values = [], {}
                for x in add + changed:
                    if rng.random() < 0.25:
                        m = new_map()
                        values[x] = [(k, None) for k in written([k for k, _ in m])]
                        ups.append((x, {"Action": "PUT", "Value": {"M": kept_wire(m)}}))
                    else:
                        values[x] = None  # a new number: every update changes the item
                        ups.append((x, {"Action": "PUT", "Value": {"N": str(10 * i + step + 2)}}))
                ups += [(x, {"Action": "DELETE"}) for x in gone]
                if not ups:
                    continue
                rng.shuffle(ups)
                body["AttributeUpdates"] = dict(ups)
                kept = [(k, values.get(k, v)) for k, v in old or [("pk", None)] if k not in gone]
                kept += [(x, values[x]) for x, _ in ups if x in values and x not in d]
            if old is None:  # a new item is kept as a read shows it
                kept = kept_shown(kept)
            got = next((v for k, v in call(server, "UpdateItem", body) if k == "Attributes"), None)
            shown_old, shown = kept_shown(old or []), kept_shown(kept)
            if rv == "ALL_OLD" and old is None:
                assert got is None
            elif rv in ("ALL_OLD", "ALL_NEW"):  # maps inside as a read shows them
                src = shown_old if rv == "ALL_OLD" else shown
                top = [k for k, _ in src]
                want = written(copied(hm16(top) if rv == "ALL_OLD" else top))
                assert names_tree(got) == [(k, dict(src)[k]) for k in want], (rv, body)
            assert names_tree(get_item(server, t, pk)) == shown, body
            images.append(image(shown))
            for op in ("PutItem", "DeleteItem", "Put"):
                fail = {"TableName": t, "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
                fail["Item" if "Put" in op else "Key"] = {"pk": {"S": pk}}
                if op == "Put":
                    out = call_status(server, "TransactWriteItems", {"TransactItems": [{op: fail}]})
                    item = member(member(out, "CancellationReasons")[0], "Item")
                    assert names_tree(item) == shown, (op, body)
                else:
                    assert names_tree(member(call_status(server, op, fail), "Item")) == kept, (op, body)
        if kept is not None:  # an UpdateItem without an update changes neither order
            call(server, "UpdateItem", {"TableName": t, "Key": {"pk": {"S": pk}}})
            assert names_tree(get_item(server, t, pk)) == kept_shown(kept)
            fail = {"TableName": t, "Key": {"pk": {"S": pk}}, "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
            assert names_tree(member(call_status(server, "DeleteItem", fail), "Item")) == kept
    new_images = []
    for shard in member(member(stream_call(server, "DescribeStream", {"StreamArn": member(member(
            call(server, "DescribeTable", {"TableName": t}), "Table"), "LatestStreamArn")}),
            "StreamDescription"), "Shards"):
        it = member(stream_call(server, "GetShardIterator", {
            "StreamArn": member(member(call(server, "DescribeTable", {"TableName": t}), "Table"),
                                "LatestStreamArn"),
            "ShardId": member(shard, "ShardId"), "ShardIteratorType": "TRIM_HORIZON"}), "ShardIterator")
        while it:
            out = stream_call(server, "GetRecords", {"ShardIterator": it})
            recs = member(out, "Records")
            new_images += [names_tree(member(member(r, "dynamodb"), "NewImage")) for r in recs]
            nxt = member(out, "NextShardIterator")
            if not recs or nxt == it:
                break
            it = nxt
    assert new_images == images



def test_insert_kept_order(server, ddb, make_table):
    """3.3.1 keeps the item of a PartiQL INSERT in its literal's order: each
    map literal's names as written through a map grown from 16 (the item's,
    a map's inside it, one's in a list), where a read shows each through a
    written map on top; a map sent as a parameter is kept as a read shows
    it. So a failed PutItem or DeleteItem condition answers that order,
    and a legacy update that removes names changes it in place, which a
    read then shows (FINDINGS.md, "a second legacy update"). The same for
    ExecuteStatement, BatchExecuteStatement and ExecuteTransaction."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(47)
    differs = 0
    for i in range(30):
        how = PQ_CALLS[i % 3]
        pk = "n%d" % i
        plain = random_names(rng, rng.randint(2, 9), avoid=["ll", "pp", "zz"])
        top = plain + ["pk", "mm", "ll", "pp"]
        rng.shuffle(top)
        mid, deep, inlist, param = (random_names(rng, rng.randint(2, 8)) for _ in range(4))
        values = {"pk": "'%s'" % pk, "mm": map_lit(mid, map_lit(deep)), "ll": "[%s]" % map_lit(inlist), "pp": "?"}
        stmt = 'INSERT INTO "%s" VALUE {%s}' % (t, ", ".join("'%s': %s" % (x, values.get(x, "1")) for x in top))
        pq_call(server, how, stmt, [{"M": {x: {"N": "2"} for x in param}}])
        subs = {"mm": [(x, [(y, None) for y in hm16(deep)] if x == mid[0] else None) for x in hm16(mid)],
                "pp": [(x, None) for x in written(param)]}
        kept = [(x, subs.get(x)) for x in hm16(top)]
        differs += kept != kept_shown(kept)
        assert names_tree(get_item(server, t, pk)) == kept_shown(kept)
        for op in ("PutItem", "DeleteItem"):
            fail = {"TableName": t, "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
            fail["Item" if op == "PutItem" else "Key"] = {"pk": {"S": pk}}
            item = member(call_status(server, op, fail), "Item")
            assert names_tree(item) == kept, (op, stmt)
            assert names_of(member(member(member(item, "ll"), "L")[0], "M")) == hm16(inlist), (op, stmt)
        # a legacy update removing names, so the item may shrink across a
        # capacity: the rest stay where they were kept, the new name last
        gone = rng.sample(plain, rng.randint(1, len(plain)))
        ups = [(x, {"Action": "DELETE"}) for x in gone] + [("zz", {"Action": "PUT", "Value": {"N": "5"}})]
        rng.shuffle(ups)
        call(server, "UpdateItem", {"TableName": t, "Key": {"pk": {"S": pk}}, "AttributeUpdates": dict(ups)})
        kept = [(k, v) for k, v in kept if k not in gone] + [("zz", None)]
        assert names_tree(get_item(server, t, pk)) == kept_shown(kept), (gone, stmt)
        fail = {"TableName": t, "Key": {"pk": {"S": pk}}, "ConditionExpression": "attribute_not_exists(pk)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        assert names_tree(member(call_status(server, "DeleteItem", fail), "Item")) == kept, stmt
    assert differs >= 15  # enough items whose kept order is not what a read shows


def call_status(server, op, body):
    """A request that must fail with a ConditionalCheckFailedException or a
    cancelled transaction; its parsed answer."""
    st, _, out = raw_call(server.endpoint, "DynamoDB_20120810." + op, json.dumps(body).encode())
    assert st == 400, out
    return json.loads(out, object_pairs_hook=lambda pairs: pairs)


def shape_of(pairs):
    """The names of an item and of every map in it (in lists too), in order."""
    def av(v):
        kind, inner = v[0]
        if kind == "M":
            return ("M", shape_of(inner))
        if kind == "L":
            return ("L", [av(x) for x in inner])
        return kind
    return [(k, av(v)) for k, v in pairs]


def image_of(shape):
    """A stream image of an item of that shape: every map through 16."""
    def av(v):
        if isinstance(v, tuple) and v[0] == "M":
            return ("M", image_of(v[1]))
        if isinstance(v, tuple) and v[0] == "L":
            return ("L", [av(x) for x in v[1]])
        return v
    order = hm16([k for k, _ in shape])
    d = dict(shape)
    return [(k, av(d[k])) for k in order]


def stream_call(server, op, body):
    st, _, out = raw_call(server.endpoint, "DynamoDBStreams_20120810." + op, json.dumps(body).encode())
    parsed = json.loads(out, object_pairs_hook=lambda pairs: pairs)
    assert st == 200, parsed
    return parsed


def test_stream_image_order(server, ddb, make_table):
    """NewImage and OldImage: the stored item, and each map in it, through
    a map grown from 16 (PutItem, both kinds of UpdateItem, DeleteItem)."""
    t = make_table("images", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    rng = random.Random(41)

    def value(depth=0):
        r = rng.random()
        if depth < 2 and r < 0.25:
            return {"M": {x: value(depth + 1) for x in random_names(rng, rng.randint(1, 9))}}
        if depth < 2 and r < 0.35:
            return {"L": [value(depth + 1) for _ in range(rng.randint(1, 3))]}
        return {"N": "1"}

    shapes = []  # (old shape, new shape) of each write, in order
    for i in range(60):
        pk = "s%d" % (i % 12)
        item = find_item(server, t, pk)
        before = shape_of(item) if item is not None else None
        kind = i % 4 if item is not None else 0
        if kind == 0:
            names = ["pk"] + random_names(rng, rng.randint(1, 16))  # a put that changes nothing has no record
            rng.shuffle(names)
            call(server, "PutItem", {"TableName": t,
                                     "Item": {x: {"S": pk} if x == "pk" else value() for x in names}})
        elif kind == 1:
            have = [k for k, _ in item]  # new names: a write that changes nothing has no record
            ean = {"#a%d" % k: x for k, x in enumerate(random_names(rng, rng.randint(1, 5), avoid=have))}
            vals = {":v%d" % k: value() for k in range(len(ean))}
            call(server, "UpdateItem", {"TableName": t, "Key": {"pk": {"S": pk}},
                                        "UpdateExpression": "SET " + ", ".join(
                                            "#a%d = :v%d" % (k, k) for k in range(len(ean))),
                                        "ExpressionAttributeNames": ean, "ExpressionAttributeValues": vals})
        elif kind == 2:
            call(server, "UpdateItem", {"TableName": t, "Key": {"pk": {"S": pk}}, "AttributeUpdates": {
                x: {"Action": "PUT", "Value": value()}
                for x in random_names(rng, rng.randint(1, 5), avoid=[k for k, _ in item])}})
        else:
            call(server, "DeleteItem", {"TableName": t, "Key": {"pk": {"S": pk}}})
        after = find_item(server, t, pk)
        shapes.append((before, shape_of(after) if after is not None else None))
    arn = member(member(call(server, "DescribeTable", {"TableName": t}), "Table"), "LatestStreamArn")
    shards = member(member(stream_call(server, "DescribeStream", {"StreamArn": arn}), "StreamDescription"),
                    "Shards")
    images = []
    for shard in shards:
        it = member(stream_call(server, "GetShardIterator", {
            "StreamArn": arn, "ShardId": member(shard, "ShardId"), "ShardIteratorType": "TRIM_HORIZON"}),
            "ShardIterator")
        while it:
            out = stream_call(server, "GetRecords", {"ShardIterator": it})
            recs = member(out, "Records")
            for r in recs:
                d = member(r, "dynamodb")
                images.append(tuple(shape_of(dict(d)[k]) if k in dict(d) else None
                                    for k in ("OldImage", "NewImage")))
            nxt = member(out, "NextShardIterator")
            if not recs or nxt == it:
                break
            it = nxt
    assert len(images) == len(shapes)
    for (old, new), (got_old, got_new) in zip(shapes, images):
        assert got_old == (image_of(old) if old is not None else None)
        assert got_new == (image_of(new) if new is not None else None)


def test_projection_order(server, ddb, make_table):
    """A ProjectionExpression's answer (GetItem, Query, Scan, BatchGetItem,
    TransactGetItems): the item and each map the projection builds list
    their names as an updated item is stored, whatever the order of the
    paths or of the stored item."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(43)
    for i in range(30):
        pk = "j%d" % i
        names = ["pk"] + random_names(rng, rng.randint(0, 24))
        nested = random_names(rng, rng.randint(1, 12))
        rng.shuffle(names)
        item = {x: {"S": pk} if x == "pk" else {"N": "1"} for x in names}
        item["mm"] = {"M": {x: {"N": "1"} for x in nested}}
        call(server, "PutItem", {"TableName": t, "Item": item})
        tops = rng.sample(names, rng.randint(1, len(names)))
        inner = rng.sample(nested, rng.randint(0, len(nested)))
        paths = tops + ["mm." + x for x in inner]
        rng.shuffle(paths)
        ean, parts = {}, []
        for path in paths:
            segs = []
            for seg in path.split("."):
                ean["#p%d" % len(ean)] = seg
                segs.append("#p%d" % (len(ean) - 1))
            parts.append(".".join(segs))
        proj = {"ProjectionExpression": ", ".join(parts), "ExpressionAttributeNames": ean}
        key = {"pk": {"S": pk}}
        op = ["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"][i % 5]
        if op == "GetItem":
            got = member(call(server, "GetItem", dict(proj, TableName=t, Key=key)), "Item")
        elif op == "Query":
            q = dict(proj, TableName=t, KeyConditionExpression="#k = :k",
                     ExpressionAttributeValues={":k": {"S": pk}})
            q["ExpressionAttributeNames"] = dict(ean, **{"#k": "pk"})
            got = member(call(server, "Query", q), "Items")[0]
        elif op == "Scan":
            s = dict(proj, TableName=t, FilterExpression="#k = :k",
                     ExpressionAttributeValues={":k": {"S": pk}})
            s["ExpressionAttributeNames"] = dict(ean, **{"#k": "pk"})
            got = member(call(server, "Scan", s), "Items")[0]
        elif op == "BatchGetItem":
            out = call(server, "BatchGetItem", {"RequestItems": {t: dict(proj, Keys=[key])}})
            got = member(member(out, "Responses"), t)[0]
        else:
            out = call(server, "TransactGetItems", {"TransactItems": [{"Get": dict(proj, TableName=t, Key=key)}]})
            got = member(member(out, "Responses")[0], "Item")
        want_top = list(dict.fromkeys(path.split(".")[0] for path in paths))
        assert names_of(got) == rebuilt(want_top), (op, paths)
        if inner:
            assert names_of(member(member(got, "mm"), "M")) == rebuilt(inner), (op, paths)


def test_index_projection_order(server, ddb, make_table):
    """An item read from a KEYS_ONLY or INCLUDE index (Query and Scan, of a
    GSI and of an LSI): the table key, the index key, then the INCLUDE names
    as the index lists them, through a map grown from 16 and the answer's."""
    rng = random.Random(47)
    for n in range(6):
        hk, rk, gh, gr, lr = random_names(rng, 5)
        nonkey = random_names(rng, rng.randint(1, 8), avoid=(hk, rk, gh, gr, lr))
        kind = "INCLUDE" if n % 3 else "KEYS_ONLY"
        proj = {"ProjectionType": kind}
        if kind == "INCLUDE":
            proj["NonKeyAttributes"] = nonkey
        t = make_table("ixorder", KeySchema=[{"AttributeName": hk, "KeyType": "HASH"},
                                             {"AttributeName": rk, "KeyType": "RANGE"}],
                       AttributeDefinitions=[{"AttributeName": x, "AttributeType": "S"}
                                             for x in (hk, rk, gh, gr, lr)],
                       GlobalSecondaryIndexes=[{"IndexName": "gsi", "Projection": proj, "KeySchema": [
                           {"AttributeName": gh, "KeyType": "HASH"}, {"AttributeName": gr, "KeyType": "RANGE"}]}],
                       LocalSecondaryIndexes=[{"IndexName": "lsi", "Projection": proj, "KeySchema": [
                           {"AttributeName": hk, "KeyType": "HASH"}, {"AttributeName": lr, "KeyType": "RANGE"}]}])
        for i in range(8):
            item = {hk: {"S": "h"}, rk: {"S": "r%d" % i}, gh: {"S": "g"}, gr: {"S": "x%d" % i},
                    lr: {"S": "l%d" % i}}
            for x in rng.sample(nonkey, rng.randint(0, len(nonkey))) + \
                    random_names(rng, rng.randint(0, 4), avoid=[hk, rk, gh, gr, lr] + nonkey):
                item[x] = {"N": "1"}
            pairs = list(item.items())
            rng.shuffle(pairs)
            call(server, "PutItem", {"TableName": t, "Item": dict(pairs)})
        for index, index_key, value in (("gsi", [gh, gr], "g"), ("lsi", [hk, lr], "h")):
            q = call(server, "Query", {"TableName": t, "IndexName": index, "KeyConditionExpression": "#k = :v",
                                       "ExpressionAttributeNames": {"#k": index_key[0]},
                                       "ExpressionAttributeValues": {":v": {"S": value}}})
            s = call(server, "Scan", {"TableName": t, "IndexName": index})
            for got in member(q, "Items") + member(s, "Items"):
                names = names_of(got)
                listed = [hk, rk] + [x for x in index_key if x != hk] + \
                    ([x for x in nonkey if x in names] if kind == "INCLUDE" else [])
                assert sorted(names) == sorted(listed)
                assert names == written(hm16(listed)), (kind, index)


def test_attributes_to_get_order(server, ddb, make_table):
    """A legacy AttributesToGet (GetItem, Query, Scan, BatchGetItem) answers
    the names found in the order listed, through a new HashMap() and the
    answer's map, not as a ProjectionExpression builds its answer."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(53)
    for i in range(40):
        pk = "a%d" % i
        names = ["pk"] + random_names(rng, rng.randint(0, 24))
        rng.shuffle(names)
        call(server, "PutItem", {"TableName": t, "Item": {x: {"S": pk} if x == "pk" else {"N": "1"}
                                                          for x in names}})
        listed = rng.sample(names, rng.randint(1, len(names))) + (["absent"] if i % 3 == 0 else [])
        key = {"pk": {"S": pk}}
        eq = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": pk}]}}
        op = ["GetItem", "Query", "Scan", "BatchGetItem"][i % 4]
        if op == "GetItem":
            got = member(call(server, op, {"TableName": t, "Key": key, "AttributesToGet": listed}), "Item")
        elif op == "Query":
            got = member(call(server, op, {"TableName": t, "KeyConditions": eq, "AttributesToGet": listed}),
                         "Items")[0]
        elif op == "Scan":
            got = member(call(server, op, {"TableName": t, "ScanFilter": eq, "AttributesToGet": listed}),
                         "Items")[0]
        else:
            out = call(server, op, {"RequestItems": {t: {"Keys": [key], "AttributesToGet": listed}}})
            got = member(member(out, "Responses"), t)[0]
        assert names_of(got) == written(hm16([x for x in listed if x in names])), (op, listed)


def path_hash(name):
    """The spread hash of a DocPathMapElement: commons-lang's
    HashCodeBuilder(8191, 127) over the name, 8191 * 127 + its hashCode."""
    h = 0
    units = name.encode("utf-16-be")
    for i in range(0, len(units), 2):
        h = (31 * h + (units[i] << 8 | units[i + 1])) & 0xFFFFFFFF
    h = (h + 8191 * 127) & 0xFFFFFFFF
    return h ^ (h >> 16)


def select_walk(paths):
    """The names ExecuteStatement answers for SELECT `paths` (tuples of
    names and list indexes; every list step here is found at its position,
    as when a list's steps are 0, 1, ...), in the order the tree of the
    paths is walked: at each node the list steps by index, then the map
    steps through a HashMap keyed by path elements (grown from 16)."""
    root = {}
    for p in paths:
        node = root
        for step in p:
            node = node.setdefault(step, {})
    out = []

    def visit(node, name):
        if not node:
            out.append(name)
            return
        keys = [k for k in node if isinstance(k, str)]
        cap = grown(16, len(keys))
        for i in sorted(k for k in node if isinstance(k, int)):
            visit(node[i], "%s[%d]" % (name, i))
        for k in sorted(keys, key=lambda s: path_hash(s) & (cap - 1)):
            visit(node[k], k)
    visit(root, "")
    return written(hm16(out))


def test_partiql_select_order(server, ddb, make_table):
    """A PartiQL SELECT list. ExecuteStatement answers each path's value
    under its last name, in the order select_walk gives; a
    BatchExecuteStatement or ExecuteTransaction SELECT answers the paths as
    a ProjectionExpression does (nested, each map built as an updated item
    is stored)."""
    t = make_hash_table(ddb, make_table)
    rng = random.Random(59)
    for i in range(45):
        pk = "s%d" % i
        tops = random_names(rng, rng.randint(1, 14))
        inner_pool = random_names(rng, 30, avoid=tops)
        item, paths = {"pk": {"S": pk}}, []
        for x in tops:
            kind = rng.choice("ssml")
            if kind == "s":
                item[x] = {"N": "1"}
                paths.append((x,))
            elif kind == "m":
                inner = [inner_pool.pop() for _ in range(rng.randint(1, 4))]
                item[x] = {"M": {y: {"N": "2"} for y in inner}}
                paths += [(x, y) for y in rng.sample(inner, rng.randint(1, len(inner)))]
            else:
                item[x] = {"L": [{"N": str(j)} for j in range(3)]}
                paths += [(x, j) for j in range(rng.randint(1, 3))]
        if i % 2:
            paths.append(("pk",))
        rng.shuffle(paths)
        call(server, "PutItem", {"TableName": t, "Item": item})
        cols = ", ".join('"%s"' % p[0] + "".join("[%d]" % s if isinstance(s, int) else '."%s"' % s
                                                   for s in p[1:]) for p in paths)
        stmt = "SELECT %s FROM \"%s\" WHERE pk = '%s'" % (cols, t, pk)
        how = PQ_CALLS[i % 3]
        if how == "ExecuteStatement":
            got = member(call(server, how, {"Statement": stmt}), "Items")[0]
            assert names_of(got) == select_walk(paths), stmt
            values = {}
            for p in paths:
                v = item[p[0]]
                if len(p) > 1:
                    v = v["L"][p[1]] if isinstance(p[1], int) else v["M"][p[1]]
                name = "%s[%d]" % p if len(p) > 1 and isinstance(p[1], int) else p[-1]
                values[name] = [(k, x) for k, x in v.items()]
            assert dict(got) == values, stmt
            continue
        if how == "BatchExecuteStatement":
            out = call(server, how, {"Statements": [{"Statement": stmt}]})
            got = member(member(out, "Responses")[0], "Item")
        else:
            out = call(server, how, {"TransactStatements": [{"Statement": stmt}]})
            got = member(member(out, "Responses")[0], "Item")
        assert names_of(got) == rebuilt(list(dict.fromkeys(p[0] for p in paths))), stmt
        for name, v in got:
            steps = [p[1] for p in paths if p[0] == name and len(p) > 1]
            if steps and isinstance(steps[0], str):
                assert names_of(member(v, "M")) == rebuilt(steps), stmt
            elif steps:
                assert [x for x in member(v, "L")] == [[("N", str(j))] for j in sorted(steps)], stmt
