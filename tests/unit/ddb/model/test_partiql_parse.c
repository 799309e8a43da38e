/*
 * PartiQL front end (partiql_lex.c, partiql_parse.c, partiql_value.c,
 * partiql_plan.c): tokens and their positions, the statement forms and
 * DynamoDB Local's messages for what it refuses, literals and parameters
 * as AttributeValues, and the JSON API request each statement is planned
 * into (which operation, key, expressions, placeholders).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/partiql.h"

/* ---- lexer ---- */

static void test_lex_tokens_and_positions(void **state)
{
    const char *text = "SELECT \"a\"\"b\", 'it''s' FROM t\n  WHERE x <= 1.5e3 -- note\n AND y <> ?";
    pq_toks t;
    ddb_err err = DDB_ERR_INIT;
    assert_true(pq_lex(text, strlen(text), &t, &err));
    const struct {
        pq_tok_type type;
        const char *text;
        int line, col, width;
    } want[] = {
        {PQ_T_IDENT, "SELECT", 1, 1, 6}, {PQ_T_QIDENT, "a\"b", 1, 8, 6},
        {PQ_T_PUNCT, ",", 1, 14, 1},     {PQ_T_STRING, "it's", 1, 16, 7},
        {PQ_T_IDENT, "FROM", 1, 24, 4},  {PQ_T_IDENT, "t", 1, 29, 1},
        {PQ_T_IDENT, "WHERE", 2, 3, 5},  {PQ_T_IDENT, "x", 2, 9, 1},
        {PQ_T_OP2, "<=", 2, 11, 2},      {PQ_T_NUMBER, "1.5e3", 2, 14, 5},
        {PQ_T_IDENT, "AND", 3, 2, 3},    {PQ_T_IDENT, "y", 3, 6, 1},
        {PQ_T_OP2, "<>", 3, 8, 2},       {PQ_T_PUNCT, "?", 3, 11, 1},
        {PQ_T_END, "", 3, 12, 0},
    };
    assert_int_equal(t.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < t.n; i++) {
        if (t.v[i].type != want[i].type || strcmp(t.v[i].text, want[i].text) ||
            t.v[i].line != want[i].line || t.v[i].col != want[i].col ||
            t.v[i].width != want[i].width)
            fail_msg("token %zu: got %d '%s' %d:%d:%d want %d '%s' %d:%d:%d", i, t.v[i].type,
                     t.v[i].text, t.v[i].line, t.v[i].col, t.v[i].width, want[i].type, want[i].text,
                     want[i].line, want[i].col, want[i].width);
    }
    pq_toks_free(&t);
}

static void test_lex_refuses_unterminated(void **state)
{
    const char *bad[] = {"SELECT 'abc", "SELECT \"abc", "SELECT `1", "SELECT # FROM t",
                         "SELECT 12ab FROM t"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pq_toks t;
        ddb_err err = DDB_ERR_INIT;
        if (pq_lex(bad[i], strlen(bad[i]), &t, &err)) fail_msg("%s: lexed", bad[i]);
        char want[128];
        snprintf(want, sizeof want, "Statement wasn't well formed, can't be processed: %s", bad[i]);
        assert_string_equal(err.message, want);
        ddb_err_clear(&err);
    }
}

/* Only a direct caller can pass bytes that are no UTF-8 (requests are
   JSON); they are refused before any name is made of them. Found by
   fuzz_partiql (fuzz/regressions/partiql/invalid-utf8-in-quoted-name). */
static void test_lex_refuses_invalid_utf8(void **state)
{
    const char text[] = "SELECT \"a\xcd\xff\" FROM t";
    pq_toks t;
    ddb_err err = DDB_ERR_INIT;
    assert_false(pq_lex(text, sizeof text - 1, &t, &err));
    assert_string_equal(err.message, "Statement wasn't well formed, can't be processed: ");
    ddb_err_clear(&err);
    assert_null(pq_parse(text, sizeof text - 1, &err));
    ddb_err_clear(&err);
}

/* ---- parser ---- */

typedef struct parse_case {
    const char *text;
    const char *err; /* exact message, NULL when it parses */
} parse_case;

#define WF "Statement wasn't well formed, can't be processed: "

static const parse_case parse_cases[] = {
    {"SELECT * FROM t", NULL},
    {"select a, b.c[2], \"d e\".f FROM \"t\".\"ix\" WHERE a = 1 ORDER BY s DESC", NULL},
    {"SELECT * FROM t WHERE a BETWEEN 1 AND 2 AND b IN [1, 2] AND c NOT IN ('x')", NULL},
    {"SELECT * FROM t WHERE NOT (a = 1 OR b <> 2) AND c IS MISSING AND d IS NOT NULL", NULL},
    {"SELECT * FROM t WHERE begins_with(a, 'x') AND size(b) > 3 AND contains(c, ?)", NULL},
    {"SELECT * FROM t;", NULL},
    {"INSERT INTO t VALUE {'a': 1, 'b': [true, null, <<'x', 'y'>>], 'c': {'d': -2.5}}", NULL},
    {"UPDATE t SET a = a + 1, b = list_append(b, [1]) REMOVE c SET d = ? WHERE k = 1 "
     "RETURNING ALL NEW *",
     NULL},
    {"DELETE FROM t WHERE k = 1 RETURNING ALL OLD *", NULL},
    {"EXISTS(SELECT * FROM t WHERE k = 1 AND a = 2)", NULL},
    {"", WF},
    {"SELEC * FROM t", WF "SELEC * FROM t"},
    {"SELECT * FROM t WHERE", WF "SELECT * FROM t WHERE"},
    {"SELECT * FROM t; SELECT * FROM t", WF "SELECT * FROM t; SELECT * FROM t"},
    {"INSERT INTO t VALUES {'a': 1}", WF "INSERT INTO t VALUES {'a': 1}"},
    {"INSERT INTO t VALUE {'a': 1} WHERE a = 1", WF "INSERT INTO t VALUE {'a': 1} WHERE a = 1"},
    {"SELECT COUNT(*) FROM t", "Unexpected path component at 1:8:5"},
    {"SELECT a AS b FROM t", "Aliasing is not supported"},
    {"SELECT a FROM t ORDER BY a", "Must have WHERE clause in the statement when using ORDER BY "
                                   "clause."},
    {"SELECT * FROM t WHERE EXISTS(SELECT * FROM t)",
     "Unsupported token in expression: SELECT at 1:30:6"},
    {"INSERT INTO t VALUE ?", "Unsupported format in item expression. Please use struct format "
                              "{...} to express item values for insert statement. at 1:21:1"},
    {"INSERT INTO t VALUE {\"a\": 1}", "Tuple keys must be of type String. Actual type: "
                                       "VariableReference under root at 1:22:3"},
    {"INSERT INTO t VALUE {'a': <<>>}", "Empty bags are not supported at 1:27:2"},
    {"INSERT INTO t VALUE {'a': MISSING}", "Unsupported data type: MISSING under key root at "
                                           "1:27:7"},
    {"INSERT INTO t VALUE {'a': `1`}", "Ion Literals are not supported at 1:27:3"},
    {"INSERT INTO \"t\".\"ix\" VALUE {'a': 1}", "FROM clause may only contain a single table "
                                                "name in data manipulation statements"},
    {"DELETE FROM t WHERE k = 1 RETURNING ALL NEW *", "Delete statement only supports ALL OLD * "
                                                      "as returning clause"},
};

static void test_parse_forms_and_errors(void **state)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const parse_case *c = &parse_cases[i];
        ddb_err err = DDB_ERR_INIT;
        pq_stmt *s = pq_parse(c->text, strlen(c->text), &err);
        if (!c->err && !s) fail_msg("%s: %s", c->text, err.message);
        if (c->err && s) fail_msg("%s: parsed", c->text);
        if (c->err && strcmp(err.message, c->err))
            fail_msg("%s\n  want: %s\n  got:  %s", c->text, c->err, err.message);
        if (c->err) assert_int_equal(err.code, DDB_E_VALIDATION);
        pq_free(s);
        ddb_err_clear(&err);
    }
}

static void test_parse_tree(void **state)
{
    const char *text = "UPDATE \"t\" SET a.b[1] = 5 REMOVE c WHERE k = ? AND NOT x < ? "
                       "RETURNING MODIFIED OLD *";
    ddb_err err = DDB_ERR_INIT;
    pq_stmt *s = pq_parse(text, strlen(text), &err);
    assert_non_null(s);
    assert_int_equal(s->kind, PQ_UPDATE);
    assert_string_equal(s->table, "t");
    assert_null(s->index);
    assert_int_equal(s->n_params, 2);
    assert_int_equal(s->returning, PQ_RET_MODIFIED_OLD);
    assert_int_equal(s->n_assigns, 2);
    const pq_node *target = s->assigns[0].target;
    assert_int_equal(target->n_path, 3);
    assert_string_equal(target->path[0].name, "a");
    assert_string_equal(target->path[1].name, "b");
    assert_null(target->path[2].name);
    assert_int_equal(target->path[2].index, 1);
    assert_null(s->assigns[1].value);
    assert_int_equal(s->where->type, PQ_N_AND);
    assert_int_equal(s->where->kids[1]->type, PQ_N_NOT);
    assert_int_equal(s->where->kids[1]->kids[0]->kids[1]->param, 1);
    pq_free(s);
}

static void test_parse_depth_is_limited(void **state)
{
    char text[2048] = "SELECT * FROM t WHERE ";
    for (int i = 0; i < 300; i++)
        strcat(text, "(");
    ddb_err err = DDB_ERR_INIT;
    pq_stmt *s = pq_parse(text, strlen(text), &err);
    assert_null(s);
    assert_string_equal(err.message, "Statement is too deeply nested");
    ddb_err_clear(&err);
}

/* ---- values ---- */

static json_t *value_of(const char *literal, const char *params, ddb_err *err)
{
    char text[512];
    snprintf(text, sizeof text, "INSERT INTO t VALUE {'v': %s}", literal);
    pq_stmt *s = pq_parse(text, strlen(text), err);
    if (!s) return NULL;
    json_t *p = params ? tu_json(params) : NULL;
    json_t *v = pq_value(s->value->kids[0], p, err);
    json_decref(p);
    pq_free(s);
    return v;
}

static void test_values(void **state)
{
    const struct {
        const char *literal, *params, *want, *err;
    } cases[] = {
        {"'x'", NULL, "{\"S\": \"x\"}", NULL},
        {"-12.50", NULL, "{\"N\": \"-12.50\"}", NULL},
        {"TRUE", NULL, "{\"BOOL\": true}", NULL},
        {"null", NULL, "{\"NULL\": true}", NULL},
        {"[1, 'a', {'b': false}]", NULL,
         "{\"L\": [{\"N\": \"1\"}, {\"S\": \"a\"}, {\"M\": {\"b\": {\"BOOL\": false}}}]}", NULL},
        {"<<'a', 'b'>>", NULL, "{\"SS\": [\"a\", \"b\"]}", NULL},
        {"<<1, 2.0>>", NULL, "{\"NS\": [\"1\", \"2.0\"]}", NULL},
        {"?", "[{\"B\": \"AAE=\"}]", "{\"B\": \"AAE=\"}", NULL},
        {"[?, ?]", "[{\"S\": \"p\"}, {\"N\": \"3\"}]", "{\"L\": [{\"S\": \"p\"}, {\"N\": \"3\"}]}",
         NULL},
        {"<<'a', 1>>", NULL, NULL,
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
         "bags at 1:34:1"},
        {"<<1, 1.0>>", NULL, NULL, "Input collection contains duplicates"},
        {"<<true>>", NULL, NULL,
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
         "bags at 1:29:4"},
        {"1 + 1", NULL, NULL, "Unsupported data type: + under key root at 1:29:1"},
        {"?", NULL, NULL, "Number of parameters in request and statement don't match."},
        /* DynamoDB Local 3.3.1's words: a repeat at its map's brace, after
           its value; a bag's stranger of a number set has no position */
        {"{'s': 1, 's': {'x': 1, 'x': 2}}", NULL, NULL,
         "Duplicate keys in tuple. Key: x under root.s at 1:41:1"},
        {"[1, {'y': 1, 'y': 2}]", NULL, NULL,
         "Duplicate keys in tuple. Key: y under root.1 at 1:31:1"},
        {"<<?>>", "[{\"S\": \"x\"}]", NULL,
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
         "bags at 1:29:1"},
        {"<<1, ?>>", "[{\"N\": \"2\"}]", NULL,
         "Unsupported data type: Parameter under key root at 1:32:1"},
        {"<<1, 'a'>>", NULL, NULL,
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
         "bags"},
        {"<<1, 1, 'a'>>", NULL, NULL,
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
         "bags"},
        {"[<<1, null>>]", NULL, NULL,
         "INVALID_PARAMETER_VALUE:Numeric sets may not contain null under root.0"},
        {"x", NULL, NULL, "Unsupported data type: x under key root at 1:27:1"},
        {"{'z': x}", NULL, NULL,
         "Unsupported data type: VariableReference under key root.z at 1:33:1"},
        {"a.b", NULL, NULL, "Unsupported data type: PATH under key root"},
        {"[a.b]", NULL, NULL, "Unsupported data type: Path under key root.0"},
        {"size(x)", NULL, NULL, "Unsupported data type: size under key root at 1:27:4"},
        {"[size(x)]", NULL, NULL, "Unsupported data type: NAry under key root.0 at 1:28:4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ddb_err err = DDB_ERR_INIT;
        json_t *v = value_of(cases[i].literal, cases[i].params, &err);
        if (cases[i].want) {
            if (!v) fail_msg("%s: %s", cases[i].literal, err.message);
            tu_assert_json_eq(v, cases[i].want);
        } else {
            if (v) fail_msg("%s: got a value", cases[i].literal);
            if (strcmp(err.message, cases[i].err))
                fail_msg("%s\n  want: %s\n  got:  %s", cases[i].literal, cases[i].err, err.message);
        }
        json_decref(v);
        ddb_err_clear(&err);
    }
}

/* A statement's values are converted in DynamoDB Local 3.3.1's order: an
   INSERT's item name by name (a repeated name at its key, after its value),
   an UPDATE's WHERE clause before its SET values, each `?` in its turn. */
static void test_check_values(void **state)
{
    const struct {
        const char *text, *err;
    } cases[] = {
        {"INSERT INTO t VALUE {'a': 1, 'a': 2}",
         "Duplicate keys in tuple. Key: a under root at 1:30:3"},
        {"INSERT INTO t VALUE {'a': {'s': 1, 's': 2}, 'a': 2}",
         "Duplicate keys in tuple. Key: s under root at 1:27:1"},
        {"INSERT INTO t VALUE {'a': 1, 'a': {'s': 1, 's': 2}}",
         "Duplicate keys in tuple. Key: s under root at 1:35:1"},
        {"UPDATE t SET a = {'s': 1, 's': 2} WHERE k = 1 AND b IN [1, {'y': 1, 'y': 2}]",
         "Duplicate keys in tuple. Key: y under root at 1:60:1"},
        {"SELECT * FROM t WHERE b = {'s': 1, 's': 2} AND k = ?",
         "Duplicate keys in tuple. Key: s under root at 1:27:1"},
        {"SELECT * FROM t WHERE k = ? AND b = {'s': 1, 's': 2}",
         "Number of parameters in request and statement don't match."},
        {"UPDATE t SET a = ? WHERE k = 1",
         "Number of parameters in request and statement don't match."},
        {"SELECT * FROM t WHERE k = 1 AND b = [1, 2]", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ddb_err err = DDB_ERR_INIT;
        pq_stmt *s = pq_parse(cases[i].text, strlen(cases[i].text), &err);
        if (!s) fail_msg("%s: %s", cases[i].text, err.message);
        bool ok = pq_check_values(s, NULL, &err);
        if (!cases[i].err && !ok) fail_msg("%s: %s", cases[i].text, err.message);
        if (cases[i].err && ok) fail_msg("%s: passed", cases[i].text);
        if (cases[i].err && strcmp(err.message, cases[i].err))
            fail_msg("%s\n  want: %s\n  got:  %s", cases[i].text, cases[i].err, err.message);
        pq_free(s);
        ddb_err_clear(&err);
    }
}

static void test_project(void **state)
{
    const char *text = "SELECT a, m.b, m.l[1].x, top[0], nope.x, m.l[7] FROM t";
    ddb_err err = DDB_ERR_INIT;
    pq_stmt *s = pq_parse(text, strlen(text), &err);
    assert_non_null(s);
    /* the item as the read answered these paths: m.l compacted to its
       projected element, whose subtree (at index 1) is not found at its
       position (0), so it is answered whole, as DynamoDB Local 3.3.1 does */
    json_t *item = tu_json("{\"a\": {\"S\": \"1\"}, \"top\": {\"L\": [{\"N\": \"7\"}]},"
                           " \"m\": {\"M\": {\"b\": {\"BOOL\": true},"
                           "  \"l\": {\"L\": [{\"M\": {\"x\": {\"N\": \"2\"}}}]}}}}");
    json_t *got = pq_project(s, item);
    tu_assert_json_eq(got, "{\"a\": {\"S\": \"1\"}, \"b\": {\"BOOL\": true},"
                           " \"l[1]\": {\"M\": {\"x\": {\"N\": \"2\"}}},"
                           " \"top[0]\": {\"N\": \"7\"}}");
    json_decref(got);
    pq_free(s);
    s = pq_parse("SELECT * FROM t", 15, &err);
    got = pq_project(s, item);
    assert_ptr_equal(got, item);
    json_decref(got);
    json_decref(item);
    pq_free(s);
}

/* ---- plans ---- */

static ddb_table *table(void)
{
    json_t *req =
        tu_json("{\"TableName\": \"tab\", \"BillingMode\": \"PAY_PER_REQUEST\","
                " \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"},"
                "  {\"AttributeName\": \"sk\", \"AttributeType\": \"N\"},"
                "  {\"AttributeName\": \"g\", \"AttributeType\": \"S\"}],"
                " \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"},"
                "  {\"AttributeName\": \"sk\", \"KeyType\": \"RANGE\"}],"
                " \"GlobalSecondaryIndexes\": [{\"IndexName\": \"gix\", \"KeySchema\": "
                "  [{\"AttributeName\": \"g\", \"KeyType\": \"HASH\"}], \"Projection\": "
                "{\"ProjectionType\": "
                "\"ALL\"}}]}");
    ddb_err err = DDB_ERR_INIT;
    ddb_table *t = ddb_table_create(req, 0, &err);
    if (!t) fail_msg("table: %s", err.message);
    json_decref(req);
    return t;
}

typedef struct plan_case {
    const char *text;
    const char *params;
    pq_op op;
    const char *req; /* the planned request, or NULL */
    const char *err; /* the exact message, or NULL */
} plan_case;

static const plan_case plan_cases[] = {
    {"SELECT * FROM tab WHERE pk = 'a' AND sk = 1", NULL, PQ_OP_GET,
     "{\"TableName\": \"tab\", \"Key\": {\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"1\"}}}", NULL},
    {"SELECT a.b, c[0] FROM tab WHERE 1 = sk AND pk = ?", "[{\"S\": \"p\"}]", PQ_OP_GET,
     "{\"TableName\": \"tab\", \"Key\": {\"pk\": {\"S\": \"p\"}, \"sk\": {\"N\": \"1\"}},"
     " \"ProjectionExpression\": \"#n0.#n1, #n2[0]\","
     " \"ExpressionAttributeNames\": {\"#n0\": \"a\", \"#n1\": \"b\", \"#n2\": \"c\"}}",
     NULL},
    {"SELECT * FROM tab WHERE pk = 'a' AND 3 < sk AND v = 'x' ORDER BY sk DESC", NULL, PQ_OP_QUERY,
     "{\"TableName\": \"tab\", \"KeyConditionExpression\": \"#n0 = :pk AND #n1 > :v0\","
     " \"FilterExpression\": \"#n2 = :v1\", \"ScanIndexForward\": false,"
     " \"ExpressionAttributeNames\": {\"#n0\": \"pk\", \"#n1\": \"sk\", \"#n2\": \"v\"},"
     " \"ExpressionAttributeValues\": {\":v0\": {\"N\": \"3\"}, \":v1\": {\"S\": \"x\"},"
     "  \":pk\": {\"S\": \"a\"}}}",
     NULL},
    {"SELECT * FROM tab WHERE pk IN ['a', 'b'] AND (sk = 1 OR sk = 2)", NULL, PQ_OP_QUERY,
     "{\"TableName\": \"tab\", \"KeyConditionExpression\": \"#n0 = :pk\","
     " \"FilterExpression\": \"(#n1 = :v0 OR #n1 = :v1)\","
     " \"ExpressionAttributeNames\": {\"#n0\": \"pk\", \"#n1\": \"sk\"},"
     " \"ExpressionAttributeValues\": {\":v0\": {\"N\": \"1\"}, \":v1\": {\"N\": \"2\"},"
     "  \":pk\": {\"S\": \"a\"}}}",
     NULL},
    {"SELECT * FROM \"tab\".\"gix\" WHERE g = 'x'", NULL, PQ_OP_QUERY,
     "{\"TableName\": \"tab\", \"IndexName\": \"gix\", \"KeyConditionExpression\": \"#n0 = :pk\","
     " \"ExpressionAttributeNames\": {\"#n0\": \"g\"},"
     " \"ExpressionAttributeValues\": {\":pk\": {\"S\": \"x\"}}}",
     NULL},
    {"SELECT * FROM tab WHERE sk = 1 OR pk = 'a'", NULL, PQ_OP_SCAN,
     "{\"TableName\": \"tab\", \"FilterExpression\": \"(#n0 = :v0 OR #n1 = :v1)\","
     " \"ExpressionAttributeNames\": {\"#n0\": \"sk\", \"#n1\": \"pk\"},"
     " \"ExpressionAttributeValues\": {\":v0\": {\"N\": \"1\"}, \":v1\": {\"S\": \"a\"}}}",
     NULL},
    {"SELECT * FROM tab WHERE v IS MISSING AND NOT w IS NULL", NULL, PQ_OP_SCAN,
     "{\"TableName\": \"tab\", \"FilterExpression\":"
     " \"attribute_not_exists(#n0) AND NOT (attribute_type(#n1, :v0))\","
     " \"ExpressionAttributeNames\": {\"#n0\": \"v\", \"#n1\": \"w\"},"
     " \"ExpressionAttributeValues\": {\":v0\": {\"S\": \"NULL\"}}}",
     NULL},
    {"SELECT * FROM tab WHERE pk = 1", NULL, PQ_OP_GET, NULL,
     "Key attribute's data type should match its data type in table's schema: Key pk"},
    {"SELECT * FROM tab WHERE pk = 'a' ORDER BY v", NULL, PQ_OP_GET, NULL,
     "Variable reference v in ORDER BY clause must be part of the primary key"},
    {"SELECT * FROM tab WHERE v = 'a' ORDER BY sk", NULL, PQ_OP_GET, NULL,
     "Must have at least one non-optional hash key condition in WHERE clause when using ORDER "
     "BY clause."},
    {"SELECT * FROM \"tab\".\"nope\"", NULL, PQ_OP_GET, NULL,
     "The table does not have the specified index: nope"},
    {"INSERT INTO tab VALUE {'pk': 'a', 'sk': 1, 'v': ?}", "[{\"S\": \"x\"}]", PQ_OP_PUT,
     "{\"TableName\": \"tab\", \"Item\": {\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"1\"},"
     " \"v\": {\"S\": \"x\"}}, \"ConditionExpression\": \"attribute_not_exists(#k)\","
     " \"ExpressionAttributeNames\": {\"#k\": \"pk\"}}",
     NULL},
    {"INSERT INTO tab VALUE {'pk': 'a'}", NULL, PQ_OP_PUT, NULL,
     "Key attribute should be present in the item: Key sk"},
    {"UPDATE tab SET v = v + 1 SET s = set_add(s, <<'x'>>) REMOVE w WHERE pk = 'a' AND sk = 1 "
     "AND v < 10 RETURNING MODIFIED NEW *",
     NULL, PQ_OP_UPDATE,
     "{\"TableName\": \"tab\", \"Key\": {\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"1\"}},"
     " \"UpdateExpression\": \"SET #n0 = #n0 + :v0 REMOVE #n1 ADD #n2 :v1\","
     " \"ConditionExpression\": \"attribute_exists(#n3) AND (#n0 < :v2)\","
     " \"ReturnValues\": \"UPDATED_NEW\","
     " \"ExpressionAttributeNames\": {\"#n0\": \"v\", \"#n1\": \"w\", \"#n2\": \"s\","
     "  \"#n3\": \"pk\"},"
     " \"ExpressionAttributeValues\": {\":v0\": {\"N\": \"1\"}, \":v1\": {\"SS\": [\"x\"]},"
     "  \":v2\": {\"N\": \"10\"}}}",
     NULL},
    {"UPDATE tab SET v = 1 WHERE pk = 'a'", NULL, PQ_OP_UPDATE, NULL,
     "Where clause does not contain a mandatory equality on all key attributes"},
    {"UPDATE \"tab\".\"gix\" SET v = 1 WHERE pk = 'a' AND sk = 1", NULL, PQ_OP_UPDATE, NULL,
     "This operation is not supported on an index"},
    {"DELETE FROM tab WHERE pk = 'a' AND sk = 1", NULL, PQ_OP_DELETE,
     "{\"TableName\": \"tab\", \"Key\": {\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"1\"}}}", NULL},
    {"DELETE FROM tab WHERE pk = 'a' AND sk = 1 AND (v = 1 OR v = 2) RETURNING ALL OLD *", NULL,
     PQ_OP_DELETE,
     "{\"TableName\": \"tab\", \"Key\": {\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"1\"}},"
     " \"ConditionExpression\": \"attribute_not_exists(#n1) OR (#n0 = :v0 OR #n0 = :v1)\","
     " \"ReturnValues\": \"ALL_OLD\", \"ExpressionAttributeNames\": {\"#n0\": \"v\", \"#n1\": "
     "\"pk\"}, \"ExpressionAttributeValues\": {\":v0\": {\"N\": \"1\"}, \":v1\": {\"N\": \"2\"}}}",
     NULL},
    {"EXISTS(SELECT * FROM tab WHERE pk = 'a' AND sk = 1)", NULL, PQ_OP_CHECK, NULL,
     PQ_EXISTS_SHAPE},
    {"SELECT * FROM tab WHERE pk = ? AND sk = ?", "[{\"S\": \"a\"}]", PQ_OP_GET, NULL,
     "Number of parameters in request and statement don't match."},
};

static void test_plans(void **state)
{
    ddb_table *t = table();
    for (size_t i = 0; i < sizeof plan_cases / sizeof plan_cases[0]; i++) {
        const plan_case *c = &plan_cases[i];
        ddb_err err = DDB_ERR_INIT;
        pq_stmt *s = pq_parse(c->text, strlen(c->text), &err);
        if (!s) fail_msg("%s: %s", c->text, err.message);
        json_t *params = c->params ? tu_json(c->params) : NULL;
        pq_opts o = {.params = params};
        pq_plan plan;
        bool ok = pq_plan_make(s, t, &o, &plan, &err);
        if (c->req) {
            if (!ok) fail_msg("%s: %s", c->text, err.message);
            if (plan.op != c->op) fail_msg("%s: op %d, want %d", c->text, plan.op, c->op);
            tu_assert_json_eq(plan.req, c->req);
            pq_plan_clear(&plan);
        } else {
            if (ok) fail_msg("%s: planned", c->text);
            if (strcmp(err.message, c->err))
                fail_msg("%s\n  want: %s\n  got:  %s", c->text, c->err, err.message);
        }
        json_decref(params);
        ddb_err_clear(&err);
        pq_free(s);
    }
    ddb_table_free(t);
}

static void test_plan_query_in_keys(void **state)
{
    ddb_table *t = table();
    const char *text = "SELECT * FROM tab WHERE pk IN ['a', ?, 'c']";
    ddb_err err = DDB_ERR_INIT;
    pq_stmt *s = pq_parse(text, strlen(text), &err);
    json_t *params = tu_json("[{\"S\": \"b\"}]");
    pq_opts o = {.params = params, .consistent = true, .capacity = "TOTAL"};
    pq_plan plan;
    assert_true(pq_plan_make(s, t, &o, &plan, &err));
    assert_int_equal(plan.op, PQ_OP_QUERY);
    tu_assert_json_eq(plan.keys, "[{\"S\": \"a\"}, {\"S\": \"b\"}, {\"S\": \"c\"}]");
    tu_assert_json_eq(json_object_get(plan.req, "ConsistentRead"), "true");
    tu_assert_json_eq(json_object_get(plan.req, "ReturnConsumedCapacity"), "\"TOTAL\"");
    pq_plan_clear(&plan);
    json_decref(params);
    pq_free(s);
    ddb_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lex_tokens_and_positions),
        cmocka_unit_test(test_lex_refuses_unterminated),
        cmocka_unit_test(test_lex_refuses_invalid_utf8),
        cmocka_unit_test(test_parse_forms_and_errors),
        cmocka_unit_test(test_parse_tree),
        cmocka_unit_test(test_parse_depth_is_limited),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_check_values),
        cmocka_unit_test(test_project),
        cmocka_unit_test(test_plans),
        cmocka_unit_test(test_plan_query_in_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
