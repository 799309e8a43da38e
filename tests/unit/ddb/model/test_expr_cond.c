/*
 * Condition expressions: every operator and function, precedence, missing
 * attributes and type mismatches, and DynamoDB's exact error messages
 * (checked against DynamoDB Local). Each case is: expression, item,
 * names, values -> result (1/0) or the exact error message.
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

typedef struct cond_case {
    const char *expr;
    const char *item;   /* JSON item or NULL (no item) */
    const char *names;  /* JSON or NULL */
    const char *values; /* JSON or NULL */
    int want;           /* 1 true, 0 false; ignored when err is set */
    const char *err;    /* exact message expected, from parse or unused check */
} cond_case;

#define X "{\"a\":{\"S\":\"x\"}}"
#define VX "{\":v\":{\"S\":\"x\"}}"
#define P "Invalid ConditionExpression: "

static void run_case(const cond_case *c)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    json_t *names = c->names ? tu_json(c->names) : NULL;
    json_t *values = c->values ? tu_json(c->values) : NULL;
    json_t *item = c->item ? tu_json(c->item) : NULL;
    const char *got = NULL;
    int result = -2;
    if (!ddb_expr_attrs_init(&attrs, names, values, &err)) {
        got = err.message;
    } else {
        ddb_cond *cond = ddb_cond_parse(c->expr, &attrs, "ConditionExpression", &err);
        if (!cond || !ddb_expr_attrs_check_unused(&attrs, &err)) got = err.message;
        if (cond) result = ddb_cond_eval(cond, item, &err);
        ddb_cond_free(cond);
        ddb_expr_attrs_free(&attrs);
    }
    if (c->err) {
        if (!got || strcmp(got, c->err) != 0)
            fail_msg("%s\n  want error: %s\n  got: %s", c->expr, c->err, got ? got : "(none)");
        assert_int_equal(err.code, DDB_E_VALIDATION);
    } else {
        if (got) fail_msg("%s: unexpected error: %s", c->expr, got);
        if (result != c->want) fail_msg("%s: want %d, got %d", c->expr, c->want, result);
    }
    ddb_err_clear(&err);
    json_decref(names);
    json_decref(values);
    json_decref(item);
}

static void run_all(const cond_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        run_case(&cases[i]);
}

#define RUN(cases) run_all(cases, sizeof cases / sizeof cases[0])

static void test_comparisons(void **state)
{
    (void)state;
    static const cond_case cases[] = {
        {"a = :v", X, NULL, VX, 1, NULL},
        {"a = :v", "{\"a\":{\"S\":\"y\"}}", NULL, VX, 0, NULL},
        {"a = :v", NULL, NULL, VX, 0, NULL},
        {"a <> :v", NULL, NULL, VX, 1, NULL},
        {"a <> :v", X, NULL, VX, 0, NULL},
        {"a <> :v", "{\"a\":{\"N\":\"1\"}}", NULL, VX, 1, NULL},
        {"a < :v", "{\"a\":{\"N\":\"1\"}}", NULL, VX, 0, NULL},
        {"NOT a < :v", "{\"a\":{\"N\":\"1\"}}", NULL, VX, 1, NULL},
        {"a <> b", NULL, NULL, NULL, 1, NULL},
        {"a = :n", "{\"a\":{\"N\":\"1.0\"}}", NULL, "{\":n\":{\"N\":\"1\"}}", 1, NULL},
        {"a < :n", "{\"a\":{\"N\":\"9\"}}", NULL, "{\":n\":{\"N\":\"10\"}}", 1, NULL},
        {"a <= :n", "{\"a\":{\"N\":\"10\"}}", NULL, "{\":n\":{\"N\":\"10\"}}", 1, NULL},
        {"a > :n", "{\"a\":{\"N\":\"-1\"}}", NULL, "{\":n\":{\"N\":\"-2\"}}", 1, NULL},
        {"a >= :n", "{\"a\":{\"N\":\"-3\"}}", NULL, "{\":n\":{\"N\":\"-2\"}}", 0, NULL},
        {"a < :v", "{\"a\":{\"S\":\"w\"}}", NULL, VX, 1, NULL},
        {"a > :v", "{\"a\":{\"S\":\"xa\"}}", NULL, VX, 1, NULL},
        {"a < :b", "{\"a\":{\"B\":\"AQ==\"}}", NULL, "{\":b\":{\"B\":\"Ag==\"}}", 1, NULL},
        {"a = :s", "{\"a\":{\"SS\":[\"a\",\"b\"]}}", NULL, "{\":s\":{\"SS\":[\"b\",\"a\"]}}", 1,
         NULL},
        {"a = :l", "{\"a\":{\"L\":[{\"N\":\"1\"}]}}", NULL, "{\":l\":{\"L\":[{\"N\":\"1.00\"}]}}",
         1, NULL},
        {"a = :m", "{\"a\":{\"M\":{\"x\":{\"N\":\"1\"}}}}", NULL,
         "{\":m\":{\"M\":{\"x\":{\"N\":\"01\"}}}}", 1, NULL},
        {"a = :v", X, NULL, "{\":v\":{\"BOOL\":true}}", 0, NULL},
        {":v = :v", NULL, NULL, VX, 1, NULL},
        {"a.b = :n", "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"}}}}", NULL, "{\":n\":{\"N\":\"1\"}}", 1,
         NULL},
        {"a[1] = :n", "{\"a\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"}]}}", NULL,
         "{\":n\":{\"N\":\"1\"}}", 1, NULL},
        {"a[1] = :n", "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"}}}}", NULL, "{\":n\":{\"N\":\"1\"}}", 0,
         NULL},
        {"a[0][1] = :n", "{\"a\":{\"L\":[{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"}]}]}}", NULL,
         "{\":n\":{\"N\":\"1\"}}", 1, NULL},
        {"#a.#b = :v", "{\"a\":{\"M\":{\"b\":{\"S\":\"x\"}}}}", "{\"#a\":\"a\",\"#b\":\"b\"}", VX,
         1, NULL},
        {"#a = :v", "{\"a.b\":{\"S\":\"x\"}}", "{\"#a\":\"a.b\"}", VX, 1, NULL},
        {"a . b = :v", "{\"a\":{\"M\":{\"b\":{\"S\":\"x\"}}}}", NULL, VX, 1, NULL},
        {"a [ 1 ] = :v", "{\"a\":{\"L\":[{\"S\":\"y\"},{\"S\":\"x\"}]}}", NULL, VX, 1, NULL},
        {"a_1 = :v", "{\"a_1\":{\"S\":\"x\"}}", NULL, VX, 1, NULL},
        {"a BETWEEN :v AND :v", X, NULL, VX, 1, NULL},
        {"a between :l and :h", "{\"a\":{\"N\":\"5\"}}", NULL,
         "{\":l\":{\"N\":\"1\"},\":h\":{\"N\":\"10\"}}", 1, NULL},
        {"a BETWEEN :l AND :h", "{\"a\":{\"N\":\"11\"}}", NULL,
         "{\":l\":{\"N\":\"1\"},\":h\":{\"N\":\"10\"}}", 0, NULL},
        {"a BETWEEN :l AND :h", "{\"a\":{\"S\":\"5\"}}", NULL,
         "{\":l\":{\"N\":\"1\"},\":h\":{\"N\":\"10\"}}", 0, NULL},
        {"a IN (:v)", X, NULL, VX, 1, NULL},
        {"a IN (:w, :v)", X, NULL, "{\":v\":{\"S\":\"x\"},\":w\":{\"N\":\"1\"}}", 1, NULL},
        {"a IN (:w)", X, NULL, "{\":w\":{\"N\":\"1\"}}", 0, NULL},
        {"a IN (:v, :v)", NULL, NULL, VX, 0, NULL},
        {"(a) = :v", X, NULL, VX, 1, NULL},
    };
    RUN(cases);
}

static void test_logic_and_precedence(void **state)
{
    (void)state;
    static const cond_case cases[] = {
        {"a = :v OR b = :v AND c = :v", X, NULL, VX, 1, NULL},
        {"(a = :v OR b = :v) AND c = :v", X, NULL, VX, 0, NULL},
        {"NOT a = :v OR a = :v", X, NULL, VX, 1, NULL},
        {"NOT (a = :v OR a = :v)", X, NULL, VX, 0, NULL},
        {"NOT NOT a = :v", X, NULL, VX, 1, NULL},
        {"NOT (NOT (a = :v))", X, NULL, VX, 1, NULL},
        {"a = :v and b = :v", X, NULL, VX, 0, NULL},
        {"a = :v AnD attribute_not_exists(b)", X, NULL, VX, 1, NULL},
        {"((a = :v) AND (a = :v))", X, NULL, VX, 1, NULL},
        {"(a = :v)", X, NULL, VX, 1, NULL},
        {"NOT attribute_exists(a) OR NOT contains(a, :v)", X, NULL, VX, 0, NULL},
    };
    RUN(cases);
}

static void test_functions(void **state)
{
    (void)state;
    static const cond_case cases[] = {
        {"attribute_exists(a)", X, NULL, NULL, 1, NULL},
        {"attribute_exists(a)", NULL, NULL, NULL, 0, NULL},
        {"attribute_not_exists(a)", "{}", NULL, NULL, 1, NULL},
        {"attribute_not_exists(a.b)", "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"}}}}", NULL, NULL, 0, NULL},
        {"attribute_exists(a[0].x)", "{\"a\":{\"L\":[{\"M\":{\"x\":{\"N\":\"1\"}}}]}}", NULL, NULL,
         1, NULL},
        {"attribute_type(a, :t)", "{\"a\":{\"SS\":[\"x\"]}}", NULL, "{\":t\":{\"S\":\"SS\"}}", 1,
         NULL},
        {"attribute_type(a, :t)", "{\"a\":{\"N\":\"1\"}}", NULL, "{\":t\":{\"S\":\"S\"}}", 0, NULL},
        {"attribute_type(a, :t)", "{}", NULL, "{\":t\":{\"S\":\"N\"}}", 0, NULL},
        {"begins_with(a, :v)", "{\"a\":{\"S\":\"xy\"}}", NULL, VX, 1, NULL},
        {"begins_with(a, :v)", "{\"a\":{\"S\":\"yx\"}}", NULL, VX, 0, NULL},
        {"begins_with(:v, a)", "{\"a\":{\"S\":\"xy\"}}", NULL, VX, 0, NULL},
        {"begins_with(a, b)", "{\"a\":{\"S\":\"xy\"},\"b\":{\"S\":\"x\"}}", NULL, NULL, 1, NULL},
        {"begins_with(a, b)", "{\"a\":{\"S\":\"xy\"},\"b\":{\"N\":\"1\"}}", NULL, NULL, 0, NULL},
        {"begins_with(a, :b)", "{\"a\":{\"B\":\"AQID\"}}", NULL, "{\":b\":{\"B\":\"AQI=\"}}", 1,
         NULL},
        {"begins_with(a, :v)", "{\"a\":{\"L\":[{\"S\":\"x\"}]}}", NULL, VX, 0, NULL},
        {"begins_with(a, :v)", "{\"a\":{\"SS\":[\"x\"]}}", NULL, VX, 0, NULL},
        {"contains(a, :v)", "{\"a\":{\"S\":\"axb\"}}", NULL, VX, 1, NULL},
        {"contains(a, :v)", "{\"a\":{\"S\":\"ab\"}}", NULL, VX, 0, NULL},
        {"contains(a, :v)", "{\"a\":{\"SS\":[\"x\",\"y\"]}}", NULL, VX, 1, NULL},
        {"contains(a, :v)", "{\"a\":{\"SS\":[\"xy\"]}}", NULL, VX, 0, NULL},
        {"contains(a, :n)", "{\"a\":{\"NS\":[\"1.0\"]}}", NULL, "{\":n\":{\"N\":\"1\"}}", 1, NULL},
        {"contains(a, :n)", "{\"a\":{\"SS\":[\"1\"]}}", NULL, "{\":n\":{\"N\":\"1\"}}", 0, NULL},
        {"contains(a, :v)", "{\"a\":{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}}", NULL, VX, 1, NULL},
        {"contains(a, :v)", "{\"a\":{\"L\":[{\"S\":\"xy\"}]}}", NULL, VX, 0, NULL},
        {"contains(a, :l)", "{\"a\":{\"L\":[{\"L\":[{\"N\":\"1\"}]}]}}", NULL,
         "{\":l\":{\"L\":[{\"N\":\"1\"}]}}", 1, NULL},
        {"contains(a, :v)", "{\"a\":{\"M\":{\"x\":{\"S\":\"x\"}}}}", NULL, VX, 0, NULL},
        {"contains(a, :v)", NULL, NULL, VX, 0, NULL},
        {"contains(:v, a)", X, NULL, VX, 1, NULL},
        {"contains(a, :b)", "{\"a\":{\"BS\":[\"AQ==\"]}}", NULL, "{\":b\":{\"B\":\"AQ==\"}}", 1,
         NULL},
        {"size(a) = :n", X, NULL, "{\":n\":{\"N\":\"1\"}}", 1, NULL},
        {"size(a) = :n", "{\"a\":{\"S\":\"h\xc3\xa9llo\"}}", NULL, "{\":n\":{\"N\":\"5\"}}", 1,
         NULL},
        {"size(a) = :n", "{\"a\":{\"B\":\"AAA=\"}}", NULL, "{\":n\":{\"N\":\"2\"}}", 1, NULL},
        {"size(a) < :n", "{\"a\":{\"L\":[{\"S\":\"1\"},{\"S\":\"2\"}]}}", NULL,
         "{\":n\":{\"N\":\"3\"}}", 1, NULL},
        {"size(a) = :n", "{\"a\":{\"M\":{\"x\":{\"S\":\"1\"}}}}", NULL, "{\":n\":{\"N\":\"1\"}}", 1,
         NULL},
        {"size(a) = :n", "{\"a\":{\"NS\":[\"1\",\"2\"]}}", NULL, "{\":n\":{\"N\":\"2\"}}", 1, NULL},
        {"size(a) = :n", "{\"a\":{\"N\":\"123\"}}", NULL, "{\":n\":{\"N\":\"3\"}}", 0, NULL},
        {"size(a) <> :n", "{\"a\":{\"N\":\"123\"}}", NULL, "{\":n\":{\"N\":\"3\"}}", 1, NULL},
        {"size(a) <> :n", "{}", NULL, "{\":n\":{\"N\":\"3\"}}", 1, NULL},
        {"size(a) = :n", "{\"a\":{\"BOOL\":true}}", NULL, "{\":n\":{\"N\":\"1\"}}", 0, NULL},
        {"size(a) > :v", "{\"a\":{\"S\":\"abc\"}}", NULL, VX, 0, NULL},
        {"size(a) BETWEEN :l AND :h", "{\"a\":{\"S\":\"abc\"}}", NULL,
         "{\":l\":{\"N\":\"1\"},\":h\":{\"N\":\"3\"}}", 1, NULL},
        {"size(a) IN (:n)", "{\"a\":{\"S\":\"abc\"}}", NULL, "{\":n\":{\"N\":\"3\"}}", 1, NULL},
        {"size(:v) = :n", NULL, NULL, "{\":v\":{\"S\":\"ab\"},\":n\":{\"N\":\"2\"}}", 1, NULL},
    };
    RUN(cases);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const cond_case cases[] = {
        {"a = :v AND", NULL, NULL, VX, 0, P "Syntax error; token: \"<EOF>\", near: \"AND\""},
        {"a = :v)", NULL, NULL, VX, 0, P "Syntax error; token: \")\", near: \":v)\""},
        {"(a = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"<EOF>\", near: \":v\""},
        {"   ", NULL, NULL, NULL, 0, P "Syntax error; token: \"<EOF>\", near: \"   \""},
        {"", NULL, NULL, NULL, 0, P "The expression can not be empty;"},
        {"a == :v", NULL, NULL, VX, 0, P "Syntax error; token: \"=\", near: \"== :v\""},
        {"a = :v :v", NULL, NULL, VX, 0, P "Syntax error; token: \":v\", near: \":v :v\""},
        {"a[-1] = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"-\", near: \"[-1\""},
        {"a[x] = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"x\", near: \"[x]\""},
        {"a[01] = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"1\", near: \"01]\""},
        {"a.1 = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"1\", near: \".1 =\""},
        {"1a = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"1\", near: \"1a\""},
        {"a-b = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"-\", near: \"a-b\""},
        {"_a = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"_\", near: \"_a\""},
        {"\xc3\xa9 = :v", NULL, NULL, VX, 0,
         P "Syntax error; token: \"\xc3\xa9\", near: \"\xc3\xa9 =\""},
        {"a = :v$", NULL, NULL, VX, 0, P "Syntax error; token: \"$\", near: \":v$\""},
        {"a = #", NULL, NULL, NULL, 0, P "Syntax error; token: \"#\", near: \"= #\""},
        {"a = :", NULL, NULL, NULL, 0, P "Syntax error; token: \":\", near: \"= :\""},
        {"a in ()", NULL, NULL, NULL, 0, P "Syntax error; token: \")\", near: \"()\""},
        {"()", NULL, NULL, NULL, 0, P "Syntax error; token: \")\", near: \"()\""},
        {"a", NULL, NULL, NULL, 0, P "Syntax error; token: \"<EOF>\", near: \"a\""},
        {":v", NULL, NULL, VX, 0, P "Syntax error; token: \"<EOF>\", near: \":v\""},
        {"a = b = c", NULL, NULL, NULL, 0, P "Syntax error; token: \"=\", near: \"b = c\""},
        {"a < b < c", NULL, NULL, NULL, 0, P "Syntax error; token: \"<\", near: \"b < c\""},
        {"a between :v and :v and :v", NULL, NULL, VX, 0,
         P "Syntax error; token: \"<EOF>\", near: \":v\""},
        {"a = :v a", NULL, NULL, VX, 0, P "Syntax error; token: \"a\", near: \":v a\""},
        {"and = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"and\", near: \"and =\""},
        {"set = :v", NULL, NULL, VX, 0, P "Syntax error; token: \"set\", near: \"set =\""},
        {"status = :v AND", NULL, NULL, VX, 0, P "Syntax error; token: \"<EOF>\", near: \"AND\""},
        {"((a = :v))", NULL, NULL, VX, 0, P "The expression has redundant parentheses;"},
        {"((a)) = :v", NULL, NULL, VX, 0, P "The expression has redundant parentheses;"},
        {"NOT ((a = :v))", NULL, NULL, VX, 0, P "The expression has redundant parentheses;"},
        {"(a = :v) AND ((a = :v))", NULL, NULL, VX, 0,
         P "The expression has redundant parentheses;"},
    };
    RUN(cases);
}

static void test_semantic_errors(void **state)
{
    (void)state;
    static const cond_case cases[] = {
        {"a = a", NULL, NULL, NULL, 0,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: =, first operand: [a]"},
        {"a.b = a.b", NULL, NULL, NULL, 0,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: =, first operand: [a, b]"},
        {"a[0] = a[0]", NULL, NULL, NULL, 0,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: =, first operand: [a, [0]]"},
        {"#n = a", NULL, "{\"#n\":\"a\"}", NULL, 0,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: =, first operand: [a]"},
        {"a IN (:v, a)", NULL, NULL, VX, 0,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: IN, first operand: [a]"},
        {"a BETWEEN :v AND a", NULL, NULL, VX, 0,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: BETWEEN, first operand: [a]"},
        {"begins_with(a, a)", NULL, NULL, NULL, 0,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: begins_with, first operand: [a]"},
        {"contains(a, a)", NULL, NULL, NULL, 0,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: contains, first operand: [a]"},
        {"status = :v", NULL, NULL, VX, 0,
         P "Attribute name is a reserved keyword; reserved keyword: status"},
        {"a.status = :v", NULL, NULL, VX, 0,
         P "Attribute name is a reserved keyword; reserved keyword: status"},
        {"#x = status", NULL, NULL, NULL, 0,
         P "Attribute name is a reserved keyword; reserved keyword: status"},
        {"a = a AND status = :v", NULL, NULL, VX, 0,
         P "Attribute name is a reserved keyword; reserved keyword: status"},
        {"a = :w", NULL, NULL, VX, 0,
         P "An expression attribute value used in expression is not defined; attribute value: :w"},
        {"#a = :v", NULL, NULL, VX, 0,
         P "An expression attribute name used in the document path is not defined; attribute "
           "name: #a"},
        {":zz = #x", NULL, NULL, VX, 0,
         P "An expression attribute value used in expression is not defined; attribute value: :zz"},
        {"a = a AND b = :zz", NULL, NULL, VX, 0,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: =, first operand: [a]"},
        {"a = a AND foo(b)", NULL, NULL, NULL, 0, P "Invalid function name; function: foo"},
        {"ATTRIBUTE_EXISTS(a)", NULL, NULL, NULL, 0,
         P "Invalid function name; function: ATTRIBUTE_EXISTS"},
        {"size(a)", NULL, NULL, NULL, 0,
         P "The function is not allowed to be used this way in an expression; function: size"},
        {"attribute_exists(a) = :v", NULL, NULL, VX, 0,
         P "The function is not allowed to be used this way in an expression; function: "
           "attribute_exists"},
        {"attribute_exists(:v)", NULL, NULL, VX, 0,
         P "Operator or function requires a document path; operator or function: "
           "attribute_exists"},
        {"attribute_exists(a, b)", NULL, NULL, NULL, 0,
         P "Incorrect number of operands for operator or function; operator or function: "
           "attribute_exists, number of operands: 2"},
        {"attribute_exists(size(a))", NULL, NULL, NULL, 0,
         P "Operator or function requires a document path; operator or function: "
           "attribute_exists"},
        {"size(size(a)) = :v", NULL, NULL, VX, 0,
         P "Incorrect operand type for operator or function; operator or function: size, "
           "operand type: N"},
        {"size(:n) = :n", NULL, NULL, "{\":n\":{\"N\":\"1\"}}", 0,
         P "Incorrect operand type for operator or function; operator or function: size, "
           "operand type: N"},
        {"begins_with(size(a), :v)", NULL, NULL, VX, 0,
         P "Incorrect operand type for operator or function; operator or function: begins_with, "
           "operand type: N"},
        {"begins_with(a, :n)", NULL, NULL, "{\":n\":{\"N\":\"1\"}}", 0,
         P "Incorrect operand type for operator or function; operator or function: begins_with, "
           "operand type: N"},
        {"begins_with(a, :s)", NULL, NULL, "{\":s\":{\"SS\":[\"a\"]}}", 0,
         P "Incorrect operand type for operator or function; operator or function: begins_with, "
           "operand type: SS"},
        {"a < :v", NULL, NULL, "{\":v\":{\"BOOL\":true}}", 0,
         P "Incorrect operand type for operator or function; operator or function: <, operand "
           "type: BOOL"},
        {"a < :m", NULL, NULL, "{\":m\":{\"M\":{}}}", 0,
         P "Incorrect operand type for operator or function; operator or function: <, operand "
           "type: M"},
        {"a >= :z", NULL, NULL, "{\":z\":{\"NULL\":true}}", 0,
         P "Incorrect operand type for operator or function; operator or function: >=, operand "
           "type: NULL"},
        {"a < :l", NULL, NULL, "{\":l\":{\"L\":[]}}", 0,
         P "Incorrect operand type for operator or function; operator or function: <, operand "
           "type: L"},
        {"a BETWEEN :m AND :m", NULL, NULL, "{\":m\":{\"M\":{}}}", 0,
         P "Incorrect operand type for operator or function; operator or function: BETWEEN, "
           "operand type: M"},
        {"a BETWEEN :w AND :v", NULL, NULL, "{\":v\":{\"S\":\"x\"},\":w\":{\"S\":\"y\"}}", 0,
         P "The BETWEEN operator requires upper bound to be greater than or equal to lower "
           "bound; lower bound operand: AttributeValue: {S:y}, upper bound operand: "
           "AttributeValue: {S:x}"},
        {"a BETWEEN :v AND :w", NULL, NULL, "{\":v\":{\"S\":\"x\"},\":w\":{\"N\":\"1\"}}", 0,
         P "The BETWEEN operator requires same data type for lower and upper bounds; lower "
           "bound operand: AttributeValue: {S:x}, upper bound operand: AttributeValue: {N:1}"},
        {"attribute_type(a, :t)", NULL, NULL, "{\":t\":{\"S\":\"XX\"}}", 0,
         P "Invalid attribute type name found; type: XX, valid types: "
           "{NS,M,N,BS,NULL,BOOL,S,SS,B,L}"},
        {"attribute_type(a, :t)", NULL, NULL, "{\":t\":{\"N\":\"1\"}}", 0,
         P "Incorrect operand type for operator or function; operator or function: "
           "attribute_type, operand type: N"},
        {"if_not_exists(a, :v) = :v", NULL, NULL, VX, 0,
         P "The function is not allowed in a condition expression; function: if_not_exists"},
        {"a[2147483648] = :v", NULL, NULL, VX, 0,
         P "List index is not within the allowable range; index: [2147483648]"},
        {"a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a = :v", NULL, NULL, VX,
         0, P "The document path has too many nesting levels; nesting levels: 33"},
    };
    RUN(cases);
}

static void test_attribute_maps(void **state)
{
    (void)state;
    static const cond_case cases[] = {
        {"a = :v", NULL, "{\"#b\":\"x\"}", VX, 0,
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"},
        {"a = :v", NULL, NULL, "{\":v\":{\"S\":\"x\"},\":u\":{\"S\":\"y\"}}", 0,
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}"},
        {"a = :v", NULL, "{\"#b\":\"x\",\"#c\":\"y\"}",
         "{\":v\":{\"S\":\"x\"},\":u\":{\"S\":\"y\"}}", 0,
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}"},
        {"a = :v", NULL, "{}", VX, 0, "ExpressionAttributeNames must not be empty"},
        {"a = :v", NULL, NULL, "{}", 0, "ExpressionAttributeValues must not be empty"},
        {"a = :v", NULL, "{\"b\":\"x\"}", VX, 0,
         "ExpressionAttributeNames contains invalid key: Syntax error; key: \"b\""},
        {"a = :v", NULL, "{\"#\":\"x\"}", VX, 0,
         "ExpressionAttributeNames contains invalid key: Syntax error; key: \"#\""},
        {"a = :v", NULL, "{\"#a-b\":\"x\"}", VX, 0,
         "ExpressionAttributeNames contains invalid key: Syntax error; key: \"#a-b\""},
        {"a = :v", NULL, "{\"#x\":\"\"}", VX, 0,
         "ExpressionAttributeNames contains invalid value: Empty attribute name for key #x"},
        {"a = :v", NULL, NULL, "{\":v\":{\"S\":\"x\"},\"u\":{\"S\":\"y\"}}", 0,
         "ExpressionAttributeValues contains invalid key: Syntax error; key: \"u\""},
        {"a = :v", NULL, NULL, "{\":v\":{}}", 0,
         "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, "
         "must contain exactly one of the supported datatypes for key :v"},
        {"#a1_ = :v1_", "{\"x\":{\"S\":\"x\"}}", "{\"#a1_\":\"x\"}", "{\":v1_\":{\"S\":\"x\"}}", 1,
         NULL},
    };
    RUN(cases);
}

/* Builds "a = :v AND a = :v AND ..." with `n` ANDs. */
static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
    size_t len = strlen(head) + strlen(unit) * (size_t)n + strlen(tail) + 1;
    char *s = malloc(len);
    assert_non_null(s);
    strcpy(s, head);
    for (int i = 0; i < n; i++)
        strcat(s, unit);
    strcat(s, tail);
    return s;
}

static void test_limits(void **state)
{
    (void)state;
    char *s = repeat("", "a = :v AND ", 150, "a = :v");
    cond_case c = {s,  X, NULL,
                   VX, 0, P "The expression contains too many operators; operator count: 301"};
    run_case(&c);
    free(s);
    s = repeat("", "a = :v AND ", 149, "a = :v");
    c = (cond_case){s, X, NULL, VX, 1, NULL};
    run_case(&c);
    free(s);
    s = repeat("", "NOT ", 299, "a = :v");
    c = (cond_case){s, X, NULL, VX, 0, NULL};
    run_case(&c);
    free(s);
    s = repeat("a IN (:v", ", :v", 99, ")");
    c = (cond_case){
        s,  X, NULL,
        VX, 0, P "The IN operator is provided with too many operands; number of operands: 101"};
    run_case(&c);
    free(s);
    s = repeat("a IN (:v", ", :v", 98, ")");
    c = (cond_case){s, X, NULL, VX, 1, NULL};
    run_case(&c);
    free(s);
    s = repeat("a = :v AND ", "x", 5000, " = :v");
    c = (cond_case){
        s,  X, NULL,
        VX, 0, P "Expression size has exceeded the maximum allowed size; expression size: 5016"};
    run_case(&c);
    free(s);
}

/* Hostile input: deep nesting and junk must fail cleanly, quickly, without a crash. */
static void test_hostile(void **state)
{
    (void)state;
    const char *units[] = {"(", "NOT (",  "size(",          "a[", "a.", ")", "((a) = :v AND ", "[",
                           "#", "a IN (", "begins_with(a, "};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        int n = (int)(4000 / strlen(units[u]));
        char *s = repeat("", units[u], n, "a = :v");
        if (strlen(s) > 4096) s[4096] = '\0';
        ddb_err err = DDB_ERR_INIT;
        ddb_expr_attrs attrs;
        json_t *values = tu_json(VX);
        assert_true(ddb_expr_attrs_init(&attrs, NULL, values, &err));
        ddb_cond *cond = ddb_cond_parse(s, &attrs, "ConditionExpression", &err);
        assert_null(cond);
        assert_int_equal(err.code, DDB_E_VALIDATION);
        assert_non_null(strstr(err.message, "Invalid ConditionExpression: "));
        ddb_err_clear(&err);
        ddb_expr_attrs_free(&attrs);
        json_decref(values);
        free(s);
    }
    /* A large number of paths and a huge list index. */
    char *s = repeat("a[99999999999999999999999999] = :v OR ", "b = :v OR ", 300, "c = :v");
    cond_case c = {s,
                   NULL,
                   NULL,
                   VX,
                   0,
                   P "List index is not within the allowable range; index: "
                     "[99999999999999999999999999]"};
    assert_true(strlen(s) < 4096); /* under the expression size limit */
    run_case(&c);
    free(s);
}

static void test_reserved_words(void **state)
{
    (void)state;
    assert_true(ddb_is_reserved_word("status", 6));
    assert_true(ddb_is_reserved_word("ABORT", 5));
    assert_true(ddb_is_reserved_word("zone", 4));
    assert_true(ddb_is_reserved_word("Name", 4));
    assert_true(ddb_is_reserved_word("LOCALTIMESTAMP", 14));
    assert_true(ddb_is_reserved_word("statusx", 6)); /* length bounds the word */
    assert_false(ddb_is_reserved_word("statu", 5));
    assert_false(ddb_is_reserved_word("statuses", 8));
    assert_false(ddb_is_reserved_word("handle", 6));
    assert_false(ddb_is_reserved_word("", 0));
    assert_false(ddb_is_reserved_word("a", 1));
    assert_false(ddb_is_reserved_word("zzzz", 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comparisons),     cmocka_unit_test(test_logic_and_precedence),
        cmocka_unit_test(test_functions),       cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_semantic_errors), cmocka_unit_test(test_attribute_maps),
        cmocka_unit_test(test_limits),          cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_reserved_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
