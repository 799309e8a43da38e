"""Which fault of a request DynamoDB Local 3.3.1 reports first, where
cruddur reported another; found by tests/compat/tools/error_diff.py and
measured on 3.3.1 (tests/compat/FINDINGS.md, entry 23). Both servers.

- GetItem reads its ProjectionExpression (and refuses names without it,
  or unused) before it checks the Key; BatchGetItem checks a table's keys
  before its projection.
- Query without a KeyConditionExpression still checks the other
  expressions first: values without a FilterExpression, names without any
  expression, their syntax and unused names and values; only then is it
  "Either the KeyConditions or KeyConditionExpression parameter must be
  specified in the request." (and Select after that).
- Scan checks Segment and TotalSegments last, after the expressions and
  Select; an empty FilterExpression counts as none for the values.
- TransactWriteItems parses every action's ConditionExpression and
  UpdateExpression (with their names and values) before it looks up any
  table or checks any key; action by action, each action's expressions
  and then its AttributeValues (Item or Key).
- PutItem, UpdateItem and DeleteItem refuse names or values without any
  expression before they read the Item or Key (whose values come before
  the expressions otherwise).
- An UpdateExpression's #names are resolved over all its actions first,
  then each action's :values and operands, both from the last action to
  the first.
"""
import pytest
from compatlib import expect_error

PROJ_SYNTAX = 'Invalid ProjectionExpression: Syntax error; token: ",", near: ",,b"'
FILTER_SYNTAX = 'Invalid FilterExpression: Syntax error; token: "=", near: "= = b"'
NAMES_ONLY = "ExpressionAttributeNames can only be specified when using expressions"
UNUSED_B = "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
UNUSED_Q = "Value provided in ExpressionAttributeValues unused in expressions: keys: {:q}"
NO_KCE = "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
SELECT = "Select must be ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, COUNT, or SPECIFIC_ATTRIBUTES"
X = {"S": "x"}


@pytest.fixture
def table(make_table):
    return make_table("eo")


GET_CASES = [
    ({"Key": {"pk": X}, "ProjectionExpression": "a,,b"}, PROJ_SYNTAX),
    ({"Key": {"pk": {"N": "1"}, "sk": X}, "ProjectionExpression": "a,,b"}, PROJ_SYNTAX),
    ({"Key": {"pk": X}, "ProjectionExpression": "#x"},
     "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; "
     "attribute name: #x"),
    ({"Key": {"pk": X}, "ProjectionExpression": "#a", "ExpressionAttributeNames": {"#a": "a", "#b": "b"}},
     UNUSED_B),
    ({"Key": {"pk": X}, "ExpressionAttributeNames": {"#b": "b"}}, NAMES_ONLY),
]


@pytest.mark.parametrize("args,message", GET_CASES)
def test_get_item_reads_the_projection_before_the_key(ddb, table, args, message):
    expect_error("ValidationException", message, ddb.get_item, TableName=table, **args)


def test_batch_get_item_checks_keys_before_the_projection(ddb, table):
    # the key's message differs between the two (FINDINGS.md 22): not the projection's
    resp = expect_error("ValidationException", None, ddb.batch_get_item,
                        RequestItems={table: {"Keys": [{"pk": X}], "ProjectionExpression": "a,,b"}})
    assert resp["Error"]["Message"] != PROJ_SYNTAX


QUERY_CASES = [
    ({"ExpressionAttributeValues": {":p": X}},
     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and "
     "KeyConditionExpression are null"),
    ({"ProjectionExpression": "a", "ExpressionAttributeValues": {":p": X}},
     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and "
     "KeyConditionExpression are null"),
    ({"ExpressionAttributeNames": {"#p": "x"}}, NAMES_ONLY),
    ({"FilterExpression": "a = = b"}, FILTER_SYNTAX),
    ({"FilterExpression": "a = :p"},
     "Invalid FilterExpression: An expression attribute value used in expression is not defined; "
     "attribute value: :p"),
    ({"FilterExpression": "", "ExpressionAttributeValues": {":p": X}},
     "Invalid FilterExpression: The expression can not be empty;"),
    ({"ProjectionExpression": "a,,b"}, PROJ_SYNTAX),
    ({"FilterExpression": "a = :p", "ExpressionAttributeValues": {":p": X, ":q": X}}, UNUSED_Q),
    ({"ProjectionExpression": "#a", "ExpressionAttributeNames": {"#a": "a", "#b": "b"}}, UNUSED_B),
    ({"FilterExpression": "a = :p", "ExpressionAttributeValues": {":p": X}}, NO_KCE),
    ({"ProjectionExpression": "a", "Select": "NOPE"}, NO_KCE),
]


@pytest.mark.parametrize("args,message", QUERY_CASES)
def test_query_without_key_condition_checks_the_rest_first(raw, table, args, message):
    st, _, out = raw("Query", dict(TableName=table, **args))
    assert st == 400 and out["__type"].endswith("ValidationException"), out
    assert (out.get("message") or out.get("Message")) == message


SCAN_CASES = [
    ({"TotalSegments": 2, "FilterExpression": "a = = b"}, FILTER_SYNTAX),
    ({"Segment": 3, "TotalSegments": 2, "FilterExpression": "a = = b"}, FILTER_SYNTAX),
    ({"TotalSegments": 0, "Segment": 0, "FilterExpression": "a = = b"}, FILTER_SYNTAX),
    ({"TotalSegments": 2, "ExpressionAttributeValues": {":p": {}}},
     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"),
    ({"FilterExpression": "", "ExpressionAttributeValues": {":p": X}},
     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"),
    ({"FilterExpression": ""}, "Invalid FilterExpression: The expression can not be empty;"),
    ({"TotalSegments": 2, "ExpressionAttributeNames": {"#a": "a"}}, NAMES_ONLY),
    ({"TotalSegments": 2, "ProjectionExpression": "#a", "ExpressionAttributeNames": {"#a": "a", "#b": "b"}},
     UNUSED_B),
    ({"Segment": 1, "Select": "NOPE"}, SELECT),
    ({"Segment": 1, "ProjectionExpression": "a", "Select": "COUNT"},
     "Cannot specify the ProjectionExpression when choosing to get only the Count"),
    ({"TotalSegments": 2},
     "If total segments is specified, a particular segment must also be specified for this request"),
    ({"Segment": 1}, "If segment is specified, total segment must also be specified"),
]


@pytest.mark.parametrize("args,message", SCAN_CASES)
def test_scan_checks_segments_last(raw, table, args, message):
    st, _, out = raw("Scan", dict(TableName=table, **args))
    assert st == 400 and out["__type"].endswith("ValidationException"), out
    assert (out.get("message") or out.get("Message")) == message


# ---- TransactWriteItems reads every action's expressions first ----

K = {"pk": {"S": "a"}, "sk": {"S": "b"}}
V = {":v": X}
COND_SYNTAX = 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = b"'


def bad_put(table):
    return {"Put": {"TableName": table, "Item": K, "ConditionExpression": "a = = b"}}


TXN_CASES = [
    # a later action's expression before an earlier action's table or key
    (lambda t: [{"Put": {"TableName": "compat-absent", "Item": K}}, bad_put(t)], COND_SYNTAX),
    (lambda t: [{"Put": {"TableName": t, "Item": {"pk": {"N": "1"}}}},
                {"Update": {"TableName": t, "Key": K, "UpdateExpression": "SET a = = b"}}],
     'Invalid UpdateExpression: Syntax error; token: "=", near: "= = b"'),
    (lambda t: [{"Put": {"TableName": t, "Item": K}}, bad_put("compat-absent")], COND_SYNTAX),
    (lambda t: [{"Put": {"TableName": "ab", "Item": K}}, bad_put(t)], COND_SYNTAX),
    # before two actions on one item, a key attribute update, names or
    # values without an expression, a ConditionCheck without one
    (lambda t: [{"Put": {"TableName": t, "Item": K}}, {"Put": {"TableName": t, "Item": K}},
                {"Delete": {"TableName": t, "Key": K, "ConditionExpression": "#q = :v",
                            "ExpressionAttributeValues": V}}],
     "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
     "attribute name: #q"),
    (lambda t: [{"Update": {"TableName": t, "Key": K, "UpdateExpression": "SET pk = :v",
                            "ExpressionAttributeValues": V}}, bad_put(t)], COND_SYNTAX),
    (lambda t: [{"Put": {"TableName": t, "Item": K, "ExpressionAttributeValues": V}}, bad_put(t)], COND_SYNTAX),
    (lambda t: [{"ConditionCheck": {"TableName": t, "Key": K}}, bad_put(t)], COND_SYNTAX),
    (lambda t: [{"Put": {"TableName": "compat-absent", "Item": K}},
                {"Update": {"TableName": t, "Key": K, "UpdateExpression": "SET a = :v",
                            "ExpressionAttributeValues": V, "ExpressionAttributeNames": {"#n": "x"}}}],
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"),
]


NULL_FALSE = "One or more parameter values were invalid: Null attribute value types must have the value of true"
UPDATE_SYNTAX = 'Invalid UpdateExpression: Syntax error; token: "a", near: "a BETWEEN"'
NOT_NUMBER = "A value provided cannot be converted into a number"
TOO_BIG = "Item size has exceeded the maximum allowed size"
TXN_CASES += [
    # an earlier action's AttributeValues before a later action's expression
    (lambda t: [{"Put": {"TableName": t, "Item": dict(K, b={"NULL": False})}},
                {"Update": {"TableName": t, "Key": K, "UpdateExpression": "a BETWEEN :p"}}], NULL_FALSE),
    (lambda t: [{"Delete": {"TableName": t, "Key": {"pk": {"N": "abc"}, "sk": X}}},
                {"Update": {"TableName": t, "Key": K, "UpdateExpression": "a BETWEEN :p"}}], NOT_NUMBER),
    (lambda t: [{"Update": {"TableName": t, "Key": {"pk": {"NULL": False}, "sk": X}, "UpdateExpression": "SET a = :v",
                            "ExpressionAttributeValues": V}}, bad_put(t)], NULL_FALSE),
    # an action's own expression before its AttributeValues
    (lambda t: [{"Put": {"TableName": t, "Item": dict(K, b={"NULL": False}), "ConditionExpression": "a = = b"}}],
     COND_SYNTAX),
    (lambda t: [{"ConditionCheck": {"TableName": t, "Key": {"pk": {"N": "abc"}, "sk": X},
                                    "ConditionExpression": "a = = b"}}], COND_SYNTAX),
    (lambda t: [{"Update": {"TableName": t, "Key": {"pk": {"NULL": False}, "sk": X},
                            "UpdateExpression": "a BETWEEN :p"}}], UPDATE_SYNTAX),
    # a Put's item size with its values, attribute by attribute
    (lambda t: [{"Put": {"TableName": t, "Item": dict(K, big={"S": "x" * 410000})}},
                {"ConditionCheck": {"TableName": t, "Key": K, "ConditionExpression": "a = :p"}}], TOO_BIG),
    (lambda t: [{"Put": {"TableName": t, "Item": dict(K, big={"S": "x" * 410000}, x={"NULL": False})}}], TOO_BIG),
    (lambda t: [{"Put": {"TableName": t, "Item": dict(K, x={"NULL": False}, big={"S": "x" * 410000})}}],
     NULL_FALSE),
    (lambda t: [{"Put": {"TableName": "compat-absent", "Item": dict(K, big={"S": "x" * 410000})}}], TOO_BIG),
    # AttributeValues before the table and before names without an expression
    (lambda t: [{"Put": {"TableName": "compat-absent", "Item": dict(K, b={"NULL": False})}}], NULL_FALSE),
    (lambda t: [{"Put": {"TableName": t, "Item": dict(K, b={"NULL": False}),
                         "ExpressionAttributeNames": {"#c": "c"}}}], NULL_FALSE),
]


@pytest.mark.parametrize("case", range(len(TXN_CASES)))
def test_transaction_reads_every_expression_first(raw, table, case):
    actions, message = TXN_CASES[case]
    st, _, out = raw("TransactWriteItems", {"TransactItems": actions(table)})
    assert st == 400 and out["__type"].endswith("ValidationException"), out
    assert (out.get("message") or out.get("Message")) == message


# ---- single writes: names or values without an expression come first ----

VALUES_ONLY = "ExpressionAttributeValues can only be specified when using expressions: "
WRITE_CASES = [
    ("UpdateItem", {"Key": {"pk": {"N": "1"}, "sk": X}, "ExpressionAttributeNames": {"#c": "c"}}, NAMES_ONLY),
    ("UpdateItem", {"Key": {"pk": {"NULL": False}, "sk": X}, "ExpressionAttributeNames": {"#c": "c"}}, NAMES_ONLY),
    ("UpdateItem", {"Key": {"pk": {}, "sk": X}, "ExpressionAttributeValues": V},
     VALUES_ONLY + "UpdateExpression and ConditionExpression are null"),
    ("PutItem", {"Item": dict(K, x={"SS": []}), "ExpressionAttributeValues": V},
     VALUES_ONLY + "ConditionExpression is null"),
    ("PutItem", {"Item": dict(K, x={"NULL": False}), "ExpressionAttributeNames": {"#c": "c"}}, NAMES_ONLY),
    ("DeleteItem", {"Key": dict(K, zz=X), "ExpressionAttributeValues": V}, VALUES_ONLY + "ConditionExpression is null"),
    # with an expression, the Item's values come before it
    ("PutItem", {"Item": dict(K, x={"NULL": False}), "ConditionExpression": "a = = b"}, NULL_FALSE),
    ("PutItem", {"Item": dict(K, x={"N": "abc"}), "ConditionExpression": "a = = b"}, NOT_NUMBER),
]


@pytest.mark.parametrize("op,args,message", WRITE_CASES)
def test_write_refuses_names_without_expressions_first(raw, table, op, args, message):
    st, _, out = raw(op, dict(TableName=table, **args))
    assert st == 400 and out["__type"].endswith("ValidationException"), out
    assert (out.get("message") or out.get("Message")) == message


# ---- TransactWriteItems: members that must not be null, by their path ----

def null_at(path):
    return "Value null at 'transactItems.%s' failed to satisfy constraint: Member must not be null" % path


NULL_CASES = [
    # every action's TableName before the first action is prepared
    (lambda t: [{"Delete": {"TableName": t}}, {"Put": {"Item": K}}], null_at("2.member.put.tableName")),
    (lambda t: [{"ConditionCheck": {"Key": K}}, {"Delete": {"TableName": t}}],
     null_at("1.member.conditionCheck.tableName")),
    # an Item or Key with its action, after its table
    (lambda t: [{"Delete": {"TableName": t, "Key": K}}, {"Put": {"TableName": t}}], null_at("2.member.put.item")),
    (lambda t: [{"Delete": {"TableName": t}}, {"ConditionCheck": {"TableName": t, "Key": K}}],
     null_at("1.member.delete.key")),
    (lambda t: [{"ConditionCheck": {"TableName": t, "Key": K}}, {"Delete": {"TableName": t}}],
     null_at("1.member.conditionCheck.conditionExpression")),
    (lambda t: [{"Update": {"TableName": t, "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": V}}],
     null_at("1.member.update.key")),
    # after the expressions and AttributeValues of every action
    (lambda t: [{"Update": {"TableName": t, "Key": K, "UpdateExpression": "a BETWEEN :p"}},
                {"Delete": {"TableName": t}}], UPDATE_SYNTAX),
    (lambda t: [{"Put": {"TableName": t, "Item": dict(K, n={"NULL": False})}}, {"Delete": {"Key": K}}], NULL_FALSE),
]


@pytest.mark.parametrize("case", range(len(NULL_CASES)))
def test_transaction_names_the_path_of_a_missing_member(raw, table, case):
    actions, message = NULL_CASES[case]
    st, _, out = raw("TransactWriteItems", {"TransactItems": actions(table)})
    assert st == 400 and out["__type"].endswith("ValidationException"), out
    # (DynamoDB's constraint messages start "1 validation error detected: ",
    # which 3.3.1 leaves out)
    assert (out.get("message") or out.get("Message")).replace("1 validation error detected: ", "") == message


def test_transaction_missing_key_after_missing_table(raw, table):
    st, _, out = raw("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "compat-absent", "Item": K}},
                                                              {"Delete": {"TableName": table}}]})
    assert st == 400 and out["__type"].endswith("ResourceNotFoundException"), out


UNDEF_NAME = "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: %s"
UNDEF_VALUE = "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: %s"
ADD_TYPE = ("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: %s, "
            "typeSet: ALLOWED_FOR_ADD_OPERAND")
PLUS_TYPE = "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: %s"
UPDATE_ORDER_CASES = [
    # every #name first, from the last action to the first, left to right in one
    ("SET #a = :x, #b = :y", UNDEF_NAME % "#b"),
    ("REMOVE #q, #r", UNDEF_NAME % "#r"),
    ("SET a = :x, b = :y REMOVE #r", UNDEF_NAME % "#r"),
    ("SET b = :x, #a = :v", UNDEF_NAME % "#a"),
    ("ADD #q :n, a :s", UNDEF_NAME % "#q"),
    ("SET #a = :x + #b", UNDEF_NAME % "#a"),
    # then each action's :values and operands, from the last action to the first
    ("SET a = :x, b = :y", UNDEF_VALUE % ":y"),
    ("SET a = :x, b = :n, c = :y", UNDEF_VALUE % ":y"),
    ("SET a = :x REMOVE c ADD d :y", UNDEF_VALUE % ":y"),
    ("ADD d :y SET a = :x", UNDEF_VALUE % ":x"),
    ("SET a = :x, b = :y + :w", UNDEF_VALUE % ":y"),
    ("ADD a :s, b :t", ADD_TYPE % "BOOLEAN"),
    ("ADD a :x, b :s", ADD_TYPE % "STRING"),
    ("ADD a :s, b :x", UNDEF_VALUE % ":x"),
    ("SET a = :n + :s, b = :x", UNDEF_VALUE % ":x"),
    ("SET a = :n + :s, b = :n + :t", PLUS_TYPE % "BOOL"),
]


@pytest.mark.parametrize("expression,message", UPDATE_ORDER_CASES)
def test_update_expression_fault_order(ddb, table, expression, message):
    # DynamoDB Local 3.3.1 resolves an UpdateExpression's #names over all
    # its actions before any :value, each pass from the last action to the
    # first; cruddur checked the actions first to last, names and values
    # together.
    expect_error("ValidationException", message, ddb.update_item, TableName=table, Key={"pk": X, "sk": X},
                 UpdateExpression=expression, ExpressionAttributeNames={"#z": "z"},
                 ExpressionAttributeValues={":s": {"S": "1"}, ":t": {"BOOL": True}, ":n": {"N": "1"}})
