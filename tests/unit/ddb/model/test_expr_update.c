/*
 * Update expressions: SET (+, -, if_not_exists, list_append), REMOVE,
 * ADD, DELETE, clause rules, overlapping paths, and DynamoDB's messages
 * for parse-time and apply-time errors (checked against DynamoDB Local).
 * Each case is: expression, item before, values -> item after or error.
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

#include "ddb/model/expr.h"
#include "ddb/model/value.h"

typedef struct upd_case {
    const char *expr;
    const char *item;   /* before; NULL means {} */
    const char *values; /* JSON or NULL */
    const char *want;   /* item after, or NULL when err is set */
    const char *err;
} upd_case;

#define P "Invalid UpdateExpression: "
#define N1 "{\":n\":{\"N\":\"1\"}}"
#define N2 "{\":n\":{\"N\":\"2\"}}"
#define BADTYPE "An operand in the update expression has an incorrect data type"
#define BADPATH "The document path provided in the update expression is invalid for update"
#define MISSING "The provided expression refers to an attribute that does not exist in the item"

static void run_case(const upd_case *c)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    json_t *values = c->values ? tu_json(c->values) : NULL;
    json_t *item = tu_json(c->item ? c->item : "{}");
    const char *got = NULL;
    assert_true(ddb_expr_attrs_init(&attrs, NULL, values, &err));
    ddb_update *u = ddb_update_parse(c->expr, &attrs, &err);
    if (!u || !ddb_expr_attrs_check_unused(&attrs, &err) || !ddb_update_apply(u, item, &err))
        got = err.message;
    if (c->err) {
        if (!got || strcmp(got, c->err) != 0)
            fail_msg("%s\n  want error: %s\n  got: %s", c->expr, c->err, got ? got : "(none)");
        assert_int_equal(err.code, DDB_E_VALIDATION);
    } else {
        if (got) fail_msg("%s: unexpected error: %s", c->expr, got);
        tu_assert_json_eq(item, c->want);
    }
    ddb_update_free(u);
    ddb_expr_attrs_free(&attrs);
    ddb_err_clear(&err);
    json_decref(values);
    json_decref(item);
}

#define RUN(cases)                                                                                 \
    for (size_t i_ = 0; i_ < sizeof cases / sizeof cases[0]; i_++)                                 \
    run_case(&cases[i_])

static void test_set(void **state)
{
    (void)state;
    static const upd_case cases[] = {
        {"SET a = :n", NULL, N1, "{\"a\":{\"N\":\"1\"}}", NULL},
        {"set a = :n, b = :n", NULL, N1, "{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"1\"}}", NULL},
        {"SET a = a + :n", "{\"a\":{\"N\":\"1\"}}", N2, "{\"a\":{\"N\":\"3\"}}", NULL},
        {"SET a = :n - a", "{\"a\":{\"N\":\"1\"}}", N2, "{\"a\":{\"N\":\"1\"}}", NULL},
        {"SET a = (:n + :n)", NULL, N2, "{\"a\":{\"N\":\"4\"}}", NULL},
        {"SET a = :n - :n", NULL, N2, "{\"a\":{\"N\":\"0\"}}", NULL},
        {"SET a = a + :n", "{\"a\":{\"N\":\"99999999999999999999999999999999999999\"}}", N1,
         "{\"a\":{\"N\":\"100000000000000000000000000000000000000\"}}", NULL},
        {"SET a = if_not_exists(a, :n)", NULL, N2, "{\"a\":{\"N\":\"2\"}}", NULL},
        {"SET a = if_not_exists(a, :n)", "{\"a\":{\"N\":\"1\"}}", N2, "{\"a\":{\"N\":\"1\"}}",
         NULL},
        {"SET a = if_not_exists(a, :n) + :n", "{\"a\":{\"N\":\"1\"}}", N2, "{\"a\":{\"N\":\"3\"}}",
         NULL},
        {"SET a = if_not_exists(b, a)", "{\"a\":{\"N\":\"1\"}}", NULL, "{\"a\":{\"N\":\"1\"}}",
         NULL},
        {"SET a = list_append(a, :l)", "{\"a\":{\"L\":[{\"N\":\"1\"}]}}",
         "{\":l\":{\"L\":[{\"N\":\"2\"}]}}", "{\"a\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]}}", NULL},
        {"SET a = list_append(:l, a)", "{\"a\":{\"L\":[{\"N\":\"1\"}]}}",
         "{\":l\":{\"L\":[{\"N\":\"2\"}]}}", "{\"a\":{\"L\":[{\"N\":\"2\"},{\"N\":\"1\"}]}}", NULL},
        {"SET a = list_append(if_not_exists(a, :l), :l)", NULL, "{\":l\":{\"L\":[{\"N\":\"2\"}]}}",
         "{\"a\":{\"L\":[{\"N\":\"2\"},{\"N\":\"2\"}]}}", NULL},
        {"SET a = b", "{\"b\":{\"N\":\"1\"}}", NULL, "{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"1\"}}",
         NULL},
        {"SET a = b[0]", "{\"b\":{\"L\":[{\"N\":\"1\"}]}}", NULL,
         "{\"a\":{\"N\":\"1\"},\"b\":{\"L\":[{\"N\":\"1\"}]}}", NULL},
        {"SET a.b = a.c", "{\"a\":{\"M\":{\"c\":{\"N\":\"1\"}}}}", NULL,
         "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"},\"c\":{\"N\":\"1\"}}}}", NULL},
        {"SET a[0] = :n, a[1] = :n", "{\"a\":{\"L\":[{\"N\":\"5\"},{\"N\":\"6\"}]}}", N1,
         "{\"a\":{\"L\":[{\"N\":\"1\"},{\"N\":\"1\"}]}}", NULL},
        {"SET a[5] = :n", "{\"a\":{\"L\":[{\"N\":\"1\"}]}}", N2,
         "{\"a\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]}}", NULL},
        {"SET a[0] = :n", "{\"a\":{\"L\":[]}}", N1, "{\"a\":{\"L\":[{\"N\":\"1\"}]}}", NULL},
        {"SET a = :n, b = a", "{\"a\":{\"N\":\"7\"}}", N1,
         "{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"7\"}}", NULL},
    };
    RUN(cases);
}

static void test_remove_add_delete(void **state)
{
    (void)state;
    static const upd_case cases[] = {
        {"REMOVE a", "{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"1\"}}", NULL, "{\"b\":{\"N\":\"1\"}}",
         NULL},
        {"REMOVE a", NULL, NULL, "{}", NULL},
        {"REMOVE a[0], a[2]",
         "{\"a\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"},{\"N\":\"3\"},{\"N\":\"4\"}]}}", NULL,
         "{\"a\":{\"L\":[{\"N\":\"2\"},{\"N\":\"4\"}]}}", NULL},
        {"REMOVE a[9]", "{\"a\":{\"L\":[{\"N\":\"1\"}]}}", NULL, "{\"a\":{\"L\":[{\"N\":\"1\"}]}}",
         NULL},
        {"REMOVE a.b", "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"},\"c\":{\"N\":\"1\"}}}}", NULL,
         "{\"a\":{\"M\":{\"c\":{\"N\":\"1\"}}}}", NULL},
        {"SET a[1] = :n REMOVE a[0]", "{\"a\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]}}",
         "{\":n\":{\"N\":\"9\"}}", "{\"a\":{\"L\":[{\"N\":\"9\"},{\"N\":\"2\"}]}}", NULL},
        {"SET a.b = :n REMOVE a.c", "{\"a\":{\"M\":{\"c\":{\"N\":\"1\"}}}}", N1,
         "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"}}}}", NULL},
        {"ADD a :n", NULL, N2, "{\"a\":{\"N\":\"2\"}}", NULL},
        {"ADD a :n", "{\"a\":{\"N\":\"5\"}}", N2, "{\"a\":{\"N\":\"7\"}}", NULL},
        {"ADD a :s", "{\"a\":{\"SS\":[\"x\"]}}", "{\":s\":{\"SS\":[\"y\",\"x\"]}}",
         "{\"a\":{\"SS\":[\"x\",\"y\"]}}", NULL},
        {"ADD a :s", "{\"a\":{\"NS\":[\"1\"]}}", "{\":s\":{\"NS\":[\"1.0\",\"2\"]}}",
         "{\"a\":{\"NS\":[\"1\",\"2\"]}}", NULL},
        {"ADD a.b :n", "{\"a\":{\"M\":{}}}", N2, "{\"a\":{\"M\":{\"b\":{\"N\":\"2\"}}}}", NULL},
        {"ADD a[0] :n", "{\"a\":{\"L\":[{\"N\":\"1\"}]}}", N2, "{\"a\":{\"L\":[{\"N\":\"3\"}]}}",
         NULL},
        {"ADD a :n, b :n", NULL, N2, "{\"a\":{\"N\":\"2\"},\"b\":{\"N\":\"2\"}}", NULL},
        {"DELETE a :s", "{\"a\":{\"SS\":[\"x\",\"y\"]}}", "{\":s\":{\"SS\":[\"y\",\"z\"]}}",
         "{\"a\":{\"SS\":[\"x\"]}}", NULL},
        {"DELETE a :s", "{\"a\":{\"SS\":[\"x\"]}}", "{\":s\":{\"SS\":[\"x\"]}}", "{}", NULL},
        {"DELETE a :s", NULL, "{\":s\":{\"SS\":[\"x\"]}}", "{}", NULL},
        {"DELETE a.b :s", "{\"a\":{\"M\":{\"b\":{\"SS\":[\"x\"]}}}}", "{\":s\":{\"SS\":[\"x\"]}}",
         "{\"a\":{\"M\":{}}}", NULL},
        {"SET a = :n REMOVE b ADD c :n DELETE d :s", "{\"b\":{\"N\":\"1\"}}",
         "{\":n\":{\"N\":\"1\"},\":s\":{\"SS\":[\"x\"]}}",
         "{\"a\":{\"N\":\"1\"},\"c\":{\"N\":\"1\"}}", NULL},
        {"DELETE d :s SET a = :n ADD c :n REMOVE b", NULL,
         "{\":n\":{\"N\":\"1\"},\":s\":{\"SS\":[\"x\"]}}",
         "{\"a\":{\"N\":\"1\"},\"c\":{\"N\":\"1\"}}", NULL},
    };
    RUN(cases);
}

static void test_errors(void **state)
{
    (void)state;
    static const upd_case cases[] = {
        {"SET a = :n SET b = :n", NULL, N1, NULL,
         P "The \"SET\" section can only be used once in an update expression;"},
        {"SET a = :n REMOVE a", NULL, N1, NULL,
         P "Two document paths overlap with each other; must remove or rewrite one of these "
           "paths; path one: [a], path two: [a]"},
        {"SET a.b = :n, a = :n", NULL, N1, NULL,
         P "Two document paths overlap with each other; must remove or rewrite one of these "
           "paths; path one: [a, b], path two: [a]"},
        {"SET a[0] = :n, a[0].b = :n", NULL, N1, NULL,
         P "Two document paths overlap with each other; must remove or rewrite one of these "
           "paths; path one: [a, [0]], path two: [a, [0], b]"},
        {"SET a.b = :n, a[0] = :n", NULL, N1, NULL,
         P "Two document paths conflict with each other; must remove or rewrite one of these "
           "paths; path one: [a, b], path two: [a, [0]]"},
        {"ADD a.b :n DELETE a :s", NULL, "{\":n\":{\"N\":\"1\"},\":s\":{\"SS\":[\"x\"]}}", NULL,
         P "Two document paths overlap with each other; must remove or rewrite one of these "
           "paths; path one: [a, b], path two: [a]"},
        {"REMOVE a[0], a[0]", NULL, NULL, NULL,
         P "Two document paths overlap with each other; must remove or rewrite one of these "
           "paths; path one: [a, [0]], path two: [a, [0]]"},
        {"SET a = :n + :n + :n", NULL, N1, NULL, P "Syntax error; token: \"+\", near: \":n + :n\""},
        {"SET", NULL, NULL, NULL, P "Syntax error; token: \"<EOF>\", near: \"SET\""},
        {"SET a", NULL, NULL, NULL, P "Syntax error; token: \"<EOF>\", near: \"a\""},
        {"SET a =", NULL, NULL, NULL, P "Syntax error; token: \"<EOF>\", near: \"=\""},
        {"REMOVE a,", NULL, NULL, NULL, P "Syntax error; token: \"<EOF>\", near: \",\""},
        {"UPDATE a = :n", NULL, N1, NULL, P "Syntax error; token: \"UPDATE\", near: \"UPDATE a\""},
        {"ADD a a", NULL, NULL, NULL, P "Syntax error; token: \"a\", near: \"a a\""},
        {"SET if_not_exists(a, :n) = :n", NULL, N1, NULL,
         P "Syntax error; token: \"(\", near: \"if_not_exists(a\""},
        {"", NULL, NULL, NULL, P "The expression can not be empty;"},
        {"SET status = :n", NULL, N1, NULL,
         P "Attribute name is a reserved keyword; reserved keyword: status"},
        {"SET a = if_not_exists(a)", NULL, NULL, NULL,
         P "Incorrect number of operands for operator or function; operator or function: "
           "if_not_exists, number of operands: 1"},
        {"SET a = foo(a)", NULL, NULL, NULL, P "Invalid function name; function: foo"},
        {"SET a = size(b)", NULL, NULL, NULL,
         P "The function is not allowed in an update expression; function: size"},
        {"SET a = if_not_exists(:n, a)", NULL, N1, NULL,
         P "Operator or function requires a document path; operator or function: if_not_exists"},
        {"SET a = list_append(list_append(a, :l), :l)", NULL, "{\":l\":{\"L\":[]}}", NULL,
         P "The function is not allowed to be used this way in an expression; function: "
           "list_append"},
        {"SET a = list_append(:l, :n)", NULL, "{\":l\":{\"L\":[]},\":n\":{\"N\":\"1\"}}", NULL,
         P "Incorrect operand type for operator or function; operator or function: list_append, "
           "operand type: N"},
        {"SET a = :s + :n", NULL, "{\":s\":{\"S\":\"1\"},\":n\":{\"N\":\"1\"}}", NULL,
         P "Incorrect operand type for operator or function; operator or function: +, operand "
           "type: S"},
        {"ADD a :s", NULL, "{\":s\":{\"S\":\"x\"}}", NULL,
         P "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, "
           "typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {"ADD a :s", NULL, "{\":s\":{\"L\":[]}}", NULL,
         P "Incorrect operand type for operator or function; operator: ADD, operand type: LIST, "
           "typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {"ADD a :s", NULL, "{\":s\":{\"BOOL\":true}}", NULL,
         P "Incorrect operand type for operator or function; operator: ADD, operand type: "
           "BOOLEAN, typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {"DELETE a :s", NULL, "{\":s\":{\"N\":\"1\"}}", NULL,
         P "Incorrect operand type for operator or function; operator: DELETE, operand type: "
           "NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
        {"SET a = a + :n", NULL, N1, NULL, MISSING},
        {"SET a = b.c", "{\"b\":{\"N\":\"1\"}}", NULL, NULL, MISSING},
        {"SET a = list_append(a, :l)", NULL, "{\":l\":{\"L\":[]}}", NULL, MISSING},
        {"SET a = a + :n", "{\"a\":{\"S\":\"1\"}}", N1, NULL, BADTYPE},
        {"SET a = list_append(a, :l)", "{\"a\":{\"S\":\"x\"}}", "{\":l\":{\"L\":[]}}", NULL,
         BADTYPE},
        {"ADD a :n", "{\"a\":{\"S\":\"5\"}}", N1, NULL, BADTYPE},
        {"ADD a :s", "{\"a\":{\"SS\":[\"x\"]}}", "{\":s\":{\"NS\":[\"1\"]}}", NULL, BADTYPE},
        {"ADD a :s", "{\"a\":{\"N\":\"1\"}}", "{\":s\":{\"NS\":[\"1\"]}}", NULL, BADTYPE},
        {"DELETE a :s", "{\"a\":{\"S\":\"x\"}}", "{\":s\":{\"SS\":[\"x\"]}}", NULL, BADTYPE},
        {"SET a.b = :n", NULL, N1, NULL, BADPATH},
        {"SET a.b = :n", "{\"a\":{\"S\":\"x\"}}", N1, NULL, BADPATH},
        {"SET a[0] = :n", "{\"a\":{\"M\":{}}}", N1, NULL, BADPATH},
        {"REMOVE a.b", NULL, NULL, NULL, BADPATH},
        {"REMOVE a[0]", "{\"a\":{\"S\":\"x\"}}", NULL, NULL, BADPATH},
        {"ADD a.b :n", NULL, N1, NULL, BADPATH},
        {"SET a = a + :n", "{\"a\":{\"N\":\"1E+125\"}}", "{\":n\":{\"N\":\"9E+125\"}}", NULL,
         "Number overflow. Attempting to store a number with magnitude larger than supported "
         "range"},
    };
    RUN(cases);
}

static void test_touches_and_paths(void **state)
{
    (void)state;
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    json_t *values = tu_json("{\":n\":{\"N\":\"1\"},\":s\":{\"SS\":[\"x\"]}}");
    json_t *names = tu_json("{\"#c\":\"c\"}");
    assert_true(ddb_expr_attrs_init(&attrs, names, values, &err));
    ddb_update *u =
        ddb_update_parse("SET a.b = :n REMOVE #c[1] ADD d :n DELETE e :s", &attrs, &err);
    assert_non_null(u);
    assert_true(ddb_expr_attrs_check_unused(&attrs, &err));
    assert_true(ddb_update_touches(u, "a"));
    assert_true(ddb_update_touches(u, "c"));
    assert_true(ddb_update_touches(u, "d"));
    assert_true(ddb_update_touches(u, "e"));
    assert_false(ddb_update_touches(u, "b"));
    assert_false(ddb_update_touches(u, "#c"));
    json_t *item = tu_json("{\"a\":{\"M\":{\"b\":{\"N\":\"0\"},\"x\":{\"N\":\"0\"}}},"
                           "\"c\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},"
                           "\"z\":{\"N\":\"0\"}}");
    json_t *old = ddb_proj_apply(ddb_update_paths(u), item);
    tu_assert_json_eq(old, "{\"a\":{\"M\":{\"b\":{\"N\":\"0\"}}},\"c\":{\"L\":[{\"N\":\"1\"}]}}");
    assert_true(ddb_update_apply(u, item, &err));
    json_t *new_ = ddb_proj_apply(ddb_update_paths(u), item);
    tu_assert_json_eq(new_, "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"}}},\"c\":{\"L\":[{\"N\":\"2\"}]},"
                            "\"d\":{\"N\":\"1\"}}");
    json_decref(old);
    json_decref(new_);
    json_decref(item);
    ddb_update_free(u);
    ddb_expr_attrs_free(&attrs);
    json_decref(values);
    json_decref(names);
}

/* {"M":{"a":{"M":{"a": ... {"S":"x"}}}}} with `levels` maps; caller frees. */
static char *nested_map(int levels)
{
    size_t cap = (size_t)levels * 16 + 16, n = 0;
    char *s = malloc(cap);
    for (int i = 0; i < levels; i++)
        n += (size_t)snprintf(s + n, cap - n, "{\"M\":{\"a\":");
    n += (size_t)snprintf(s + n, cap - n, "{\"S\":\"x\"}");
    for (int i = 0; i < levels; i++)
        n += (size_t)snprintf(s + n, cap - n, "}}");
    return s;
}

/*
 * An update may not nest maps and lists deeper than an item may hold (32
 * levels): `SET d.a...a = :v` with the path `depth` elements long and :v
 * holding `height` maps (checked against DynamoDB Local). Found by
 * fuzz_expr (fuzz/regressions/expr/update-nesting-limit).
 */
static void test_nesting_limit(void **state)
{
    (void)state;
    static const struct {
        int depth, height;
        bool ok;
    } cases[] = {{32, 1, false}, {32, 0, true},  {31, 1, true}, {30, 2, true},
                 {27, 5, true},  {27, 6, false}, {1, 31, true}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char expr[256] = "SET d", *d = nested_map(31);
        for (int k = 1; k < cases[i].depth; k++)
            strcat(expr, ".a");
        strcat(expr, " = :v");
        json_t *item = json_pack("{s:{s:s}, s:o}", "pk", "S", "p", "d", tu_json(d));
        char *v = nested_map(cases[i].height);
        json_t *values = json_pack("{s:o}", ":v", tu_json(v));
        ddb_err err = DDB_ERR_INIT;
        ddb_expr_attrs attrs;
        assert_true(ddb_expr_attrs_init(&attrs, NULL, values, &err));
        ddb_update *u = ddb_update_parse(expr, &attrs, &err);
        assert_non_null(u);
        bool ok = ddb_update_apply(u, item, &err);
        if (ok != cases[i].ok)
            fail_msg("depth %d height %d: want %s, got %s", cases[i].depth, cases[i].height,
                     cases[i].ok ? "success" : "an error", ok ? "success" : err.message);
        if (!ok) {
            assert_string_equal(err.message, "Nesting Levels have exceeded supported limits");
        } else {
            json_t *again = ddb_item_normalize(item, &err);
            assert_non_null(again);
            json_decref(again);
        }
        ddb_update_free(u);
        ddb_expr_attrs_free(&attrs);
        ddb_err_clear(&err);
        json_decref(values);
        json_decref(item);
        free(v);
        free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set),           cmocka_unit_test(test_remove_add_delete),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_touches_and_paths),
        cmocka_unit_test(test_nesting_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
