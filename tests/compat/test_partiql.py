"""PartiQL: ExecuteStatement (every statement form, parameters, literals,
paging with NextToken, errors and their messages), BatchExecuteStatement
(per-statement errors, limits) and ExecuteTransaction (commit, cancellation
reasons, reads, EXISTS), on both servers with the same assertions. The few
places where DynamoDB Local 3.3.1 departs from DynamoDB's documentation are
tested on cruddur alone (FINDINGS.md, "PartiQL")."""
import pytest
from compatlib import error_of, expect_error
from conftest import documented_only


@pytest.fixture
def music(ddb, make_table):
    name = make_table(
        "pq",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "g-index", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    for p in range(3):
        for i in range(5):
            it = {"pk": {"S": "p%d" % p}, "sk": {"N": str(i)}, "v": {"N": str(i % 2)},
                  "m": {"M": {"a": {"L": [{"S": "x%d" % i}, {"N": "1"}]}}}}
            if i == 2:
                it["g"] = {"S": "G%d" % p}
            ddb.put_item(TableName=name, Item=it)
    return name


def run(ddb, statement, *params, **kw):
    if params:
        kw["Parameters"] = list(params)
    return ddb.execute_statement(Statement=statement, **kw)


def items(ddb, statement, *params, **kw):
    return run(ddb, statement, *params, **kw)["Items"]


def keys(found):
    return sorted((i["pk"]["S"], int(i["sk"]["N"])) for i in found)


def test_select_forms(ddb, music):
    t = '"%s"' % music
    assert items(ddb, "SELECT v FROM %s WHERE pk = 'p1' AND sk = 3" % t) == [{"v": {"N": "1"}}]
    assert items(ddb, "SELECT * FROM %s WHERE pk = 'p1' AND sk = 9" % t) == []
    assert items(ddb, "SELECT sk FROM %s WHERE pk = 'p2' AND sk > 1 AND v = 0" % t) == \
        [{"sk": {"N": "2"}}, {"sk": {"N": "4"}}]
    assert [i["sk"]["N"] for i in items(ddb, "SELECT pk, sk FROM %s WHERE pk = 'p0' ORDER BY sk DESC" % t)] == \
        ["4", "3", "2", "1", "0"]
    assert [i["sk"]["N"] for i in items(ddb, "SELECT sk FROM %s WHERE pk = 'p0' AND sk BETWEEN 1 AND 3" % t)] == \
        ["1", "2", "3"]
    assert keys(items(ddb, "SELECT pk, sk FROM %s WHERE pk IN ['p0', 'p2'] AND sk = 4" % t)) == \
        [("p0", 4), ("p2", 4)]
    assert keys(items(ddb, "SELECT pk, sk FROM %s WHERE sk = 4 OR (sk = 0 AND pk = 'p1')" % t)) == \
        [("p0", 4), ("p1", 0), ("p1", 4), ("p2", 4)]
    # Nested paths answer under their last name (and index), not nested.
    assert items(ddb, "SELECT m.a[0], m.a[5], v FROM %s WHERE pk = 'p1' AND sk = 3" % t) == \
        [{"a[0]": {"S": "x3"}, "v": {"N": "1"}}]
    assert items(ddb, "SELECT m.a FROM %s WHERE pk = 'p1' AND sk = 3" % t) == \
        [{"a": {"L": [{"S": "x3"}, {"N": "1"}]}}]
    # Each index names its own element (the read compacts the list first).
    assert items(ddb, "SELECT m.a[1] FROM %s WHERE pk = 'p1' AND sk = 3" % t) == [{"a[1]": {"N": "1"}}]
    assert items(ddb, "SELECT m.a[1], m.a[0] FROM %s WHERE pk = 'p1' AND sk = 3" % t) == \
        [{"a[0]": {"S": "x3"}, "a[1]": {"N": "1"}}]
    assert keys(items(ddb, 'SELECT * FROM %s."g-index" WHERE g = \'G1\'' % t)) == [("p1", 2)]
    assert len(items(ddb, 'SELECT * FROM %s."g-index"' % t)) == 3
    assert keys(items(ddb, "SELECT * FROM %s WHERE g IS NOT MISSING AND begins_with(g, 'G')" % t)) == \
        [("p0", 2), ("p1", 2), ("p2", 2)]
    assert len(items(ddb, "SELECT * FROM %s WHERE g IS MISSING" % t)) == 12
    assert keys(items(ddb, "SELECT * FROM %s WHERE contains(m.a[0], '4') AND size(m.a) = 2 "
                           "AND attribute_type(v, 'N') AND NOT v <> 0" % t)) == [("p0", 4), ("p1", 4), ("p2", 4)]
    assert items(ddb, "SELECT sk FROM %s WHERE pk = ? AND sk IN [1, 3]" % t, {"S": "p2"}) == \
        [{"sk": {"N": "1"}}, {"sk": {"N": "3"}}]
    # Keywords in any case and a trailing semicolon.
    assert len(items(ddb, "select * from %s where pk = 'p0';" % t)) == 5


def test_select_paths_through_lists(ddb, music):
    """A SELECT list's path through a list element walks on into it when
    the element keeps its position once the read compacted the list (as
    DynamoDB Local 3.3.1 finds the step); otherwise it answers the element.
    BatchExecuteStatement and ExecuteTransaction answer the paths nested,
    as a ProjectionExpression does."""
    t = '"%s"' % music
    ddb.put_item(TableName=music, Item={"pk": {"S": "l"}, "sk": {"N": "0"}, "l": {"L": [
        {"N": "0"}, {"M": {"x": {"N": "7"}}}, {"M": {"y": {"N": "2"}}}]}})
    where = " FROM %s WHERE pk = 'l' AND sk = 0" % t
    assert items(ddb, "SELECT l[1].x, l[0]" + where) == [{"x": {"N": "7"}, "l[0]": {"N": "0"}}]
    assert items(ddb, "SELECT l[2].y" + where) == [{"l[2]": {"M": {"y": {"N": "2"}}}}]
    assert items(ddb, "SELECT l[0], l[2]" + where) == [{"l[0]": {"N": "0"}, "l[2]": {"M": {"y": {"N": "2"}}}}]
    nested = {"l": {"L": [{"M": {"x": {"N": "7"}}}]}}
    got = ddb.batch_execute_statement(Statements=[{"Statement": "SELECT l[1].x" + where}])
    assert got["Responses"][0]["Item"] == nested
    got = ddb.execute_transaction(TransactStatements=[{"Statement": "SELECT l[1].x" + where}])
    assert got["Responses"][0]["Item"] == nested


def test_insert_update_delete(ddb, music):
    t = '"%s"' % music
    run(ddb, "INSERT INTO %s VALUE {'pk': 'n', 'sk': 1.50, 's': 'it''s', 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>,"
             " 'l': [1, 'x', TRUE, NULL, {'k': -2}], 'b': ?, 'e': ''}" % t, {"B": b"\x00\x01"})
    got = ddb.get_item(TableName=music, Key={"pk": {"S": "n"}, "sk": {"N": "1.5"}})["Item"]
    assert got == {"pk": {"S": "n"}, "sk": {"N": "1.5"}, "s": {"S": "it's"}, "ss": {"SS": ["a", "b"]},
                   "ns": {"NS": ["1", "2"]}, "b": {"B": b"\x00\x01"}, "e": {"S": ""},
                   "l": {"L": [{"N": "1"}, {"S": "x"}, {"BOOL": True}, {"NULL": True}, {"M": {"k": {"N": "-2"}}}]}}
    assert items(ddb, "UPDATE %s SET v = v + 5 SET ns = set_add(ns, <<7>>) REMOVE m "
                      "WHERE pk = 'p0' AND sk = 1 RETURNING MODIFIED NEW *" % t) == \
        [{"v": {"N": "6"}, "ns": {"NS": ["7"]}}]
    got = ddb.get_item(TableName=music, Key={"pk": {"S": "p0"}, "sk": {"N": "1"}})["Item"]
    assert got == {"pk": {"S": "p0"}, "sk": {"N": "1"}, "v": {"N": "6"}, "ns": {"NS": ["7"]}}
    assert items(ddb, "UPDATE %s SET l = list_append(l, [9]) SET ss = set_delete(ss, <<'a'>>) "
                      "WHERE pk = 'n' AND sk = 1.5 RETURNING ALL OLD *" % t)[0]["ss"] == {"SS": ["a", "b"]}
    got = ddb.get_item(TableName=music, Key={"pk": {"S": "n"}, "sk": {"N": "1.5"}})["Item"]
    assert got["ss"] == {"SS": ["b"]} and got["l"]["L"][-1] == {"N": "9"}
    assert items(ddb, "DELETE FROM %s WHERE pk = 'p0' AND sk = 2 RETURNING ALL OLD *" % t)[0]["g"] == {"S": "G0"}
    assert "Item" not in ddb.get_item(TableName=music, Key={"pk": {"S": "p0"}, "sk": {"N": "2"}})
    # An absent item is no failure for DELETE, whatever its other terms say.
    assert items(ddb, "DELETE FROM %s WHERE pk = 'zz' AND sk = 2 AND v = 7" % t) == []
    assert items(ddb, "DELETE FROM %s WHERE pk = 'p0' AND sk = 3 AND v = 1" % t) == []
    assert "Item" not in ddb.get_item(TableName=music, Key={"pk": {"S": "p0"}, "sk": {"N": "3"}})


def test_write_failures(server, ddb, music, raw):
    t = '"%s"' % music
    code, msg, _ = error_of(run, ddb, "INSERT INTO %s VALUE {'pk': 'p0', 'sk': 0}" % t)
    assert msg == "Duplicate primary key exists in table"
    # DynamoDB's API reference names the error DuplicateItemException;
    # DynamoDB Local 3.3.1 answers DuplicateItem (FINDINGS.md).
    assert code == ("DuplicateItemException" if server.name == "cruddur" else "DuplicateItem")
    expect_error("ConditionalCheckFailedException", "The conditional request failed",
                 run, ddb, "UPDATE %s SET v = 1 WHERE pk = 'zz' AND sk = 1" % t)
    expect_error("ConditionalCheckFailedException", "The conditional request failed",
                 run, ddb, "DELETE FROM %s WHERE pk = 'p0' AND sk = 1 AND v = 0" % t)
    # botocore 1.29 lacks ReturnValuesOnConditionCheckFailure here: raw request.
    st, _, body = raw("ExecuteStatement", {
        "Statement": "UPDATE %s SET v = 5 WHERE pk = 'p1' AND sk = 1 AND v = 9" % t,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert st == 400 and body["__type"].endswith("#ConditionalCheckFailedException")
    assert body["Item"]["v"] == {"N": "1"} and body["Item"]["sk"] == {"N": "1"}
    assert ddb.get_item(TableName=music, Key={"pk": {"S": "p1"}, "sk": {"N": "1"}})["Item"]["v"] == {"N": "1"}


WF = "Statement wasn't well formed, can't be processed: "


@pytest.mark.parametrize("statement, message", [
    ("SELECT * FROM {t} WHERE pk = 1", "Key attribute's data type should match its data type in table's schema: Key pk"),
    ("SELECT * FROM {t} WHERE pk = 'a' AND begins_with(sk, 1)",
     "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
    ("SELECT * FROM {t} WHERE pk = ? AND sk = ?", "Number of parameters in request and statement don't match."),
    ("SELECT pk FROM {t} ORDER BY sk DESC", "Must have WHERE clause in the statement when using ORDER BY clause."),
    ("SELECT pk FROM {t} WHERE pk = 'a' ORDER BY v", "Variable reference v in ORDER BY clause must be part of the "
                                                     "primary key"),
    ("SELECT pk FROM {t} WHERE v = 'a' ORDER BY sk", "Must have at least one non-optional hash key condition in WHERE "
                                                     "clause when using ORDER BY clause."),
    ("SELECT pk AS x FROM {t}", "Aliasing is not supported"),
    ("SELECT COUNT(*) FROM {t}", "Unexpected path component at 1:8:5"),
    ('SELECT * FROM {t}."nope"', "The table does not have the specified index: nope"),
    ('SELECT * FROM {t}."g-index" WHERE g = \'x\'', "Consistent reads are not supported on global secondary indexes"),
    ("SELEC * FROM {t}", WF + "SELEC * FROM {t}"),
    ("SELECT * FROM {t} WHERE", WF + "SELECT * FROM {t} WHERE"),
    ("SELECT * FROM {t}; SELECT * FROM {t}", WF + "SELECT * FROM {t}; SELECT * FROM {t}"),
    ("INSERT INTO {t} VALUES {{'pk': 'a', 'sk': 1}}", WF + "INSERT INTO {t} VALUES {{'pk': 'a', 'sk': 1}}"),
    ("INSERT INTO {t} VALUE {{'pk': 'a'}}", "Key attribute should be present in the item: Key sk"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'sk': 'b'}}",
     "Key attribute's data type should match its data type in table's schema: Key sk"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'sk': 1, 'e': <<'a', 'a'>>}}", "Input collection contains duplicates"),
    ('INSERT INTO {t}."g-index" VALUE {{\'pk\': \'a\', \'sk\': 1}}',
     "FROM clause may only contain a single table name in data manipulation statements"),
    ("UPDATE {t} SET v = 1 WHERE pk = 'a'", "Where clause does not contain a mandatory equality on all key attributes"),
    ("UPDATE {t} SET v = 1 WHERE pk = 'a' AND sk > 1",
     "Where clause does not contain a mandatory equality on all key attributes"),
    ("UPDATE {t} SET sk = 9 WHERE pk = 'p0' AND sk = 1",
     "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"),
    ('UPDATE {t}."g-index" SET v = 1 WHERE pk = \'a\' AND sk = 1', "This operation is not supported on an index"),
    ("DELETE FROM {t}", "Where clause does not contain a mandatory equality on all key attributes"),
    ("EXISTS(SELECT * FROM {t} WHERE pk = 'p0' AND sk = 1 AND v = 1)",
     "EXISTS can only be used in ExecuteTransaction write requests."),
])
def test_statement_errors(ddb, music, statement, message):
    t = '"%s"' % music
    statement = statement.format(t=t)
    kw = {"ConsistentRead": True} if "g-index" in statement and "SELECT" in statement else {}
    params = [{"S": "a"}] if "?" in statement else []
    expect_error("ValidationException", message.format(t=t), run, ddb, statement, *params, **kw)


# Literal values are converted before the table is looked up, in the order
# written (an UPDATE's WHERE clause before its SET values), each `?` when its
# turn comes. `@` marks where the reported position is (it is removed);
# `{at}` is that position.
LITERAL_ERRORS = [
    # a repeated key: at the key in an INSERT's item, else at the map's brace,
    # after the value of the repeat is converted
    ("INSERT INTO {t} VALUE {{'pk': 'a', @'pk': 'b'}}", "Duplicate keys in tuple. Key: pk under root at {at}:4"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': @{{'s': 1, 's': 2}}, 'pk': 3}}",
     "Duplicate keys in tuple. Key: s under root at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': {{'s': 1, 'q': @{{'x': 1, 'x': 2}}}}}}",
     "Duplicate keys in tuple. Key: x under root.q at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': [[@{{'s': 1, 's': 2}}]]}}",
     "Duplicate keys in tuple. Key: s under root.0.0 at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': {{'s': 1, 's': @{{'x': 1, 'x': 2}}}}}}",
     "Duplicate keys in tuple. Key: x under root.s at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': @{{'u': 1, 'u': 4, 'v': {{'s': 1, 's': 2}}}}}}",
     "Duplicate keys in tuple. Key: u under root at {at}:1"),
    ("UPDATE {t} SET r = {{'s': 1, 's': 2}} WHERE pk = 'a' AND sk = 1 AND x IN [@{{'y': 1, 'y': 2}}]",
     "Duplicate keys in tuple. Key: y under root at {at}:1"),
    ("SELECT * FROM {t} WHERE pk = 'a' AND r = [@{{'s': 1, 's': 2}}]",
     "Duplicate keys in tuple. Key: s under root.0 at {at}:1"),
    ("INSERT INTO \"compat-nosuch\" VALUE {{'pk': 'a', 'r': @{{'s': 1, 's': 2}}}}",
     "Duplicate keys in tuple. Key: s under root at {at}:1"),
    # a `?` without a Parameter is refused in its turn
    ("SELECT * FROM {t} WHERE r = @{{'s': 1, 's': 2}} AND pk = ?", "Duplicate keys in tuple. Key: s under root at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': ?, 'r': {{'s': 1, 's': 2}}}}",
     "Number of parameters in request and statement don't match."),
    # bags: literal strings or numbers of one type, then no repeats
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': <<@?>>}}",
     "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': <<1, @?>>}}", "Unsupported data type: Parameter under key root at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': {{'z': <<1, @?>>}}}}",
     "Unsupported data type: Parameter under key root.z at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': <<1, 1, 'x'>>}}",
     "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': <<'a', @1>>}}",
     "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': <<1, 1>>, 'q': {{'s': 1, 's': 2}}}}",
     "Input collection contains duplicates"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': {{'z': [1, <<1, null>>]}}}}",
     "INVALID_PARAMETER_VALUE:Numeric sets may not contain null under root.z.1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'r': <<'a', @x>>}}", "Unsupported data type: VariableReference under key root at {at}:1"),
    # what is no value: named by its text as a whole value, by its kind inside
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'q': @x, 'r': {{'s': 1, 's': 2}}}}", "Unsupported data type: x under key root at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'q': {{'z': @x}}}}", "Unsupported data type: VariableReference under key root.z at {at}:1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'q': a.b}}", "Unsupported data type: PATH under key root"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'q': [1, a.b]}}", "Unsupported data type: Path under key root.1"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'q': @size(x)}}", "Unsupported data type: size under key root at {at}:4"),
    ("INSERT INTO {t} VALUE {{'pk': 'a', 'q': {{'z': 1 @- 2}}}}", "Unsupported data type: NAry under key root.z at {at}:1"),
    ("UPDATE {t} SET q = {{'z': @x}} WHERE pk = 'a' AND sk = 1",
     "Unsupported data type: VariableReference under key root.z at {at}:1"),
    ("SELECT * FROM {t} WHERE pk = 'a' AND q = {{'z': @x}}",
     "Unsupported data type: VariableReference under key root.z at {at}:1"),
]


@pytest.mark.parametrize("statement, message", LITERAL_ERRORS)
def test_literal_errors(ddb, music, statement, message):
    statement = statement.format(t='"%s"' % music)
    at = statement.find("@")
    if at >= 0:
        statement = statement[:at] + statement[at + 1:]
        message = message.format(at="1:%d" % (at + 1))
    params = [{"N": "1"}] if "?" in statement and "Number of" not in message else []
    expect_error("ValidationException", message, run, ddb, statement, *params)


def test_request_errors(ddb, music):
    expect_error("ResourceNotFoundException", "Cannot do operations on a non-existent table",
                 run, ddb, "SELECT * FROM \"compat-nope\"")
    expect_error("ValidationException", "Invalid NextToken",
                 run, ddb, 'SELECT * FROM "%s"' % music, NextToken="abc")
    expect_error("ValidationException", "Member must have length less than or equal to 8192",
                 run, ddb, "SELECT * FROM x WHERE a = '%s'" % ("y" * 8192))
    # More Parameters than `?` are accepted.
    assert items(ddb, "SELECT v FROM \"%s\" WHERE pk = ? AND sk = 1" % music, {"S": "p0"}, {"S": "extra"}) == \
        [{"v": {"N": "1"}}]


@pytest.mark.parametrize("statement", [
    "SELECT * FROM {t}",
    "SELECT * FROM {t} WHERE v = 1",
    "SELECT * FROM {t} WHERE pk = 'p1'",
    "SELECT * FROM {t} WHERE pk IN ['p0', 'p1', 'p2'] AND sk < 4",
])
def test_paging(ddb, music, statement):
    statement = statement.format(t='"%s"' % music)
    want = keys(items(ddb, statement))
    got, token, pages = [], None, 0
    while True:
        kw = {"Limit": 2}
        if token:
            kw["NextToken"] = token
        out = run(ddb, statement, **kw)
        got += out["Items"]
        pages += 1
        token = out.get("NextToken")
        if not token or pages > 20:
            break
    assert keys(got) == want and len(got) == len(want)
    assert pages > 1


def test_capacity_is_reported(server, ddb, music):
    documented_only(server, "DynamoDB Local 3.3.1 leaves ConsumedCapacity out of PartiQL answers")
    out = run(ddb, "SELECT * FROM \"%s\" WHERE pk = 'p0' AND sk = 0" % music,
              ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert out["ConsumedCapacity"] == {"TableName": music, "CapacityUnits": 1.0}


def test_literal_on_the_left(server, ddb, music):
    documented_only(server, "DynamoDB Local 3.3.1 reads `3 < sk` as `sk < 3` in a key condition")
    assert [i["sk"]["N"] for i in items(ddb, "SELECT sk FROM \"%s\" WHERE 3 < sk AND pk = 'p0'" % music)] == ["4"]


def stmts(*texts):
    return [{"Statement": s} for s in texts]


def test_batch(ddb, music):
    t = '"%s"' % music
    out = ddb.batch_execute_statement(Statements=stmts(
        "INSERT INTO %s VALUE {'pk': 'p0', 'sk': 0}" % t,
        "INSERT INTO %s VALUE {'pk': 'b', 'sk': 0, 'v': 5}" % t,
        "UPDATE %s SET v = 1 WHERE pk = 'zz' AND sk = 1" % t,
        "DELETE FROM \"compat-nope\" WHERE pk = 'a' AND sk = 1",
        "UPDATE %s SET v = 1 WHERE pk = 'p1'" % t,
        "UPDATE %s SET v = 7 WHERE pk = 'p1' AND sk = 1 RETURNING ALL NEW *" % t,
        "SELEC * FROM %s" % t))["Responses"]
    assert out[0] == {"TableName": music, "Error": {"Code": "DuplicateItem",
                                                    "Message": "Duplicate primary key exists in table"}}
    assert out[1] == {"TableName": music}
    assert out[2] == {"TableName": music, "Error": {"Code": "ConditionalCheckFailed",
                                                    "Message": "The conditional request failed"}}
    assert out[3] == {"Error": {"Code": "ResourceNotFound", "Message": "Cannot do operations on a non-existent table"}}
    assert out[4] == {"Error": {"Code": "ValidationError", "Message":
                                "Where clause does not contain a mandatory equality on all key attributes"}}
    assert out[5]["TableName"] == music and out[5]["Item"]["v"] == {"N": "7"}
    assert out[6] == {"Error": {"Code": "ValidationError", "Message": WF + "SELEC * FROM %s" % t}}
    out = ddb.batch_execute_statement(Statements=stmts(
        "SELECT v FROM %s WHERE pk = 'b' AND sk = 0" % t,
        "SELECT * FROM %s WHERE pk = 'b' AND sk = 9" % t,
        "SELECT * FROM %s WHERE pk = 'p1'" % t) + [
        {"Statement": "SELECT v FROM %s WHERE pk = ? AND sk = ?" % t, "Parameters": [{"S": "p1"}, {"N": "1"}],
         "ConsistentRead": True}])["Responses"]
    assert out == [{"TableName": music, "Item": {"v": {"N": "5"}}}, {"TableName": music},
                   {"Error": {"Code": "ValidationError", "Message": "Only single item select is supported"}},
                   {"TableName": music, "Item": {"v": {"N": "7"}}}]
    expect_error("ValidationException", "Read and write requests together in the same batch is not supported.",
                 ddb.batch_execute_statement, Statements=stmts(
                     "SELECT * FROM %s WHERE pk = 'b' AND sk = 0" % t,
                     "DELETE FROM %s WHERE pk = 'b' AND sk = 1" % t))
    expect_error("ValidationException", "Provided list of item keys contains duplicates",
                 ddb.batch_execute_statement, Statements=stmts(
                     "SELECT * FROM %s WHERE pk = 'b' AND sk = 0" % t,
                     "SELECT * FROM %s WHERE pk = 'b' AND sk = 0" % t))
    expect_error("ValidationException", "BatchGetItem cannot fetch more than 25 items",
                 ddb.batch_execute_statement, Statements=stmts(*["SELECT * FROM %s" % t] * 26))
    expect_error("ValidationException", "BatchWriteItem cannot write more than 25 items",
                 ddb.batch_execute_statement,
                 Statements=stmts(*["INSERT INTO %s VALUE {'pk': 'w', 'sk': %d}" % (t, i) for i in range(26)]))
    assert "Item" not in ddb.get_item(TableName=music, Key={"pk": {"S": "w"}, "sk": {"N": "0"}})


def test_transaction(ddb, music):
    t = '"%s"' % music
    out = ddb.execute_transaction(TransactStatements=stmts(
        "INSERT INTO %s VALUE {'pk': 't', 'sk': 1}" % t,
        "UPDATE %s SET v = 9 WHERE pk = 'p0' AND sk = 0" % t,
        "DELETE FROM %s WHERE pk = 'p0' AND sk = 4" % t,
        "EXISTS(SELECT * FROM %s WHERE pk = 'p1' AND sk = 1 AND v = 1)" % t), ClientRequestToken="pq-1")
    assert out["Responses"] == []
    code, msg, resp = error_of(ddb.execute_transaction, TransactStatements=stmts(
        "INSERT INTO %s VALUE {'pk': 't', 'sk': 1}" % t,
        "UPDATE %s SET v = 10 WHERE pk = 'p0' AND sk = 0" % t,
        "EXISTS(SELECT * FROM %s WHERE pk = 'p1' AND sk = 1 AND v = 0)" % t,
        "UPDATE %s SET v = 10 WHERE pk = 'zz' AND sk = 0" % t))
    assert code == "TransactionCanceledException"
    assert msg == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                   "[ValidationError, None, ConditionalCheckFailed, ConditionalCheckFailed]")
    assert resp["CancellationReasons"] == [
        {"Code": "ValidationError", "Message": "Duplicate primary key exists in table"}, {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed."},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}]
    out = ddb.execute_transaction(TransactStatements=stmts(
        "SELECT v FROM %s WHERE pk = 'p0' AND sk = 0" % t,
        "SELECT * FROM %s WHERE pk = 'p0' AND sk = 4" % t,
        "SELECT * FROM %s WHERE pk = 't' AND sk = 1" % t))
    assert out["Responses"] == [{"Item": {"v": {"N": "9"}}}, {}, {"Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}]
    expect_error("ValidationException",
                 "ExecuteTransaction API does not support both read and write operations in the same request.",
                 ddb.execute_transaction, TransactStatements=stmts(
                     "SELECT * FROM %s WHERE pk = 'p0' AND sk = 0" % t,
                     "DELETE FROM %s WHERE pk = 'p0' AND sk = 1" % t))
    expect_error("ValidationException",
                 "Validation failed in TransactStatements[1]: Select statements within ExecuteTransaction must "
                 "specify the primary key in the where clause.",
                 ddb.execute_transaction, TransactStatements=stmts(
                     "SELECT * FROM %s WHERE pk = 'p0' AND sk = 0" % t, "SELECT * FROM %s WHERE pk = 'p0'" % t))
    expect_error("ValidationException",
                 "Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with "
                 "additional condition",
                 ddb.execute_transaction, TransactStatements=stmts(
                     "EXISTS(SELECT * FROM %s WHERE pk = 'p0' AND sk = 0)" % t,
                     "DELETE FROM %s WHERE pk = 'p0' AND sk = 1" % t))
    expect_error("ValidationException", "Transaction request cannot include multiple operations on one item",
                 ddb.execute_transaction, TransactStatements=stmts(
                     "UPDATE %s SET v = 3 WHERE pk = 'p0' AND sk = 1" % t,
                     "DELETE FROM %s WHERE pk = 'p0' AND sk = 1" % t))
    expect_error("ResourceNotFoundException", "Requested resource not found",
                 ddb.execute_transaction, TransactStatements=stmts(
                     "DELETE FROM \"compat-nope\" WHERE pk = 'p0' AND sk = 1"))
    code, msg, resp = error_of(ddb.execute_transaction, TransactStatements=stmts(
        "INSERT INTO %s VALUE {'pk': 'u', 'sk': 'x'}" % t, "DELETE FROM %s WHERE pk = 'p0' AND sk = 1" % t))
    assert code == "TransactionCanceledException"
    assert resp["CancellationReasons"][0] == {
        "Code": "ValidationError",
        "Message": "Key attribute's data type should match its data type in table's schema: Key sk"}
    # An oversized key value is its statement's reason, as in TransactWriteItems.
    code, msg, resp = error_of(ddb.execute_transaction, TransactStatements=stmts(
        "DELETE FROM %s WHERE pk = '%s' AND sk = 1" % (t, "x" * 2049),
        "DELETE FROM %s WHERE pk = 'p0' AND sk = 1" % t))
    assert code == "TransactionCanceledException"
    assert resp["CancellationReasons"] == [
        {"Code": "ValidationError", "Message": "Hash primary key values must be under 2048 bytes, and range "
                                               "primary key values must be under 1024 bytes"},
        {"Code": "None"}]
    assert ddb.get_item(TableName=music, Key={"pk": {"S": "p0"}, "sk": {"N": "1"}})["Item"]["v"] == {"N": "1"}


def test_transaction_token(ddb, music):
    t = '"%s"' % music
    bump = stmts("UPDATE %s SET v = v + 1 WHERE pk = 'p2' AND sk = 3" % t,
                 "INSERT INTO %s VALUE {'pk': 'tok', 'sk': 1}" % t)
    assert ddb.execute_transaction(TransactStatements=bump, ClientRequestToken="pq-tok")["Responses"] == []
    # The same statements with the same token: done once, answered again.
    assert ddb.execute_transaction(TransactStatements=bump, ClientRequestToken="pq-tok")["Responses"] == []
    assert ddb.get_item(TableName=music, Key={"pk": {"S": "p2"}, "sk": {"N": "3"}})["Item"]["v"] == {"N": "2"}
    expect_error("IdempotentParameterMismatchException",
                 "Specified idempotent token was used with different request parameters within the "
                 "idempotency window",
                 ddb.execute_transaction, TransactStatements=bump[:1], ClientRequestToken="pq-tok")
