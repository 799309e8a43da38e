/*
 * Key condition expressions for Query: the accepted shapes (hash = :v and
 * one range condition, in either order, operands either side) and
 * DynamoDB's messages for everything else (checked against DynamoDB Local).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <string.h>

#include "ddb/model/expr.h"

typedef struct kc_case {
    const char *expr;
    const char *range;   /* range key name or NULL */
    const char *values;  /* JSON */
    ddb_range_op op;     /* expected when err is NULL */
    const char *v1, *v2; /* expected range values (S strings) */
    const char *err;
} kc_case;

#define W "{\":v\":{\"S\":\"k\"},\":w\":{\"S\":\"s\"}}"
#define V "{\":v\":{\"S\":\"k\"}}"
#define P "Invalid KeyConditionExpression: "
#define DUP "KeyConditionExpressions must only contain one condition per key"
#define MISSED "Query condition missed key schema element"
#define UNSUP "Query key condition not supported"
#define LEN "Conditions can be of length 1 or 2 only"
#define NESTED "KeyConditionExpressions cannot have conditions on nested attributes"
/* Nine and seventeen conditions on attributes of no key. */
#define T9                                                                                         \
    "a = :v AND b = :v AND c = :v AND d = :v AND e = :v AND f = :v AND g = :v AND h = :v AND i = " \
    ":v"
#define T17                                                                                        \
    T9 " AND j = :v AND k = :v AND l = :v AND m = :v AND n = :v AND o = :v AND p = :v AND q = :v"

static void run_case(const kc_case *c)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    ddb_keycond kc;
    json_t *values = tu_json(c->values);
    assert_true(ddb_expr_attrs_init(&attrs, NULL, values, &err));
    bool ok = ddb_keycond_parse(c->expr, &attrs, "pk", c->range, &kc, &err);
    if (c->err) {
        if (ok || strcmp(err.message, c->err) != 0)
            fail_msg("%s\n  want error: %s\n  got: %s", c->expr, c->err,
                     ok ? "(none)" : err.message);
        assert_int_equal(err.code, DDB_E_VALIDATION);
    } else {
        if (!ok) fail_msg("%s: unexpected error: %s", c->expr, err.message);
        tu_assert_json_eq(kc.hash_value, "{\"S\":\"k\"}");
        assert_int_equal(kc.range_op, c->op);
        if (c->v1)
            tu_assert_json_eq(kc.range_v1, c->v1);
        else
            assert_null(kc.range_v1);
        if (c->v2)
            tu_assert_json_eq(kc.range_v2, c->v2);
        else
            assert_null(kc.range_v2);
        ddb_keycond_free(&kc);
    }
    ddb_expr_attrs_free(&attrs);
    ddb_err_clear(&err);
    json_decref(values);
}

#define SW "{\"S\":\"s\"}"
#define SK "{\"S\":\"k\"}"

static void test_keycond(void **state)
{
    (void)state;
    static const kc_case cases[] = {
        {"pk = :v", "sk", V, DDB_RANGE_NONE, NULL, NULL, NULL},
        {"pk = :v", NULL, V, DDB_RANGE_NONE, NULL, NULL, NULL},
        {":v = pk", "sk", V, DDB_RANGE_NONE, NULL, NULL, NULL},
        {"pk = :v AND sk = :w", "sk", W, DDB_RANGE_EQ, SW, NULL, NULL},
        {"sk = :w AND pk = :v", "sk", W, DDB_RANGE_EQ, SW, NULL, NULL},
        {"pk = :v and sk < :w", "sk", W, DDB_RANGE_LT, SW, NULL, NULL},
        {"pk = :v AND sk <= :w", "sk", W, DDB_RANGE_LE, SW, NULL, NULL},
        {"pk = :v AND sk > :w", "sk", W, DDB_RANGE_GT, SW, NULL, NULL},
        {"pk = :v AND sk >= :w", "sk", W, DDB_RANGE_GE, SW, NULL, NULL},
        {"pk = :v AND :w < sk", "sk", W, DDB_RANGE_GT, SW, NULL, NULL},
        {"pk = :v AND :w >= sk", "sk", W, DDB_RANGE_LE, SW, NULL, NULL},
        {"pk = :v AND begins_with(sk, :w)", "sk", W, DDB_RANGE_BEGINS_WITH, SW, NULL, NULL},
        {"pk = :v AND sk BETWEEN :v AND :w", "sk", W, DDB_RANGE_BETWEEN, SK, SW, NULL},
        {"(pk = :v) AND (sk = :w)", "sk", W, DDB_RANGE_EQ, SW, NULL, NULL},
        {"(pk = :v AND sk = :w)", "sk", W, DDB_RANGE_EQ, SW, NULL, NULL},
        {"pk = :v AND sk <> :w", "sk", W, 0, NULL, NULL,
         "Invalid operator used in KeyConditionExpression: <>"},
        {"pk = :v OR sk = :w", "sk", W, 0, NULL, NULL,
         "Invalid operator used in KeyConditionExpression: OR"},
        {"NOT pk = :v", "sk", V, 0, NULL, NULL,
         "Invalid operator used in KeyConditionExpression: NOT"},
        {"pk IN (:v)", "sk", V, 0, NULL, NULL,
         "Invalid operator used in KeyConditionExpression: IN"},
        {"pk = :v AND attribute_exists(sk)", "sk", V, 0, NULL, NULL,
         "Invalid operator used in KeyConditionExpression: attribute_exists"},
        {"contains(pk, :v)", "sk", V, 0, NULL, NULL,
         "Invalid operator used in KeyConditionExpression: contains"},
        {"pk < :v", "sk", V, 0, NULL, NULL, UNSUP},
        {"begins_with(pk, :v)", "sk", V, 0, NULL, NULL, UNSUP},
        {"sk = :w AND pk < :v", "sk", W, 0, NULL, NULL, UNSUP},
        {"pk = :v AND sk = :w", NULL, W, 0, NULL, NULL, UNSUP},
        {"sk = :w", "sk", W, 0, NULL, NULL, MISSED ": pk"},
        {"x = :v", "sk", V, 0, NULL, NULL, MISSED ": pk"},
        {"pk = :v AND x = :w", "sk", W, 0, NULL, NULL, MISSED ": sk"},
        {"pk = :v AND pk = :v", "sk", V, 0, NULL, NULL, DUP},
        /* DynamoDB Local 3.3.1: conditions are read left to right (a second
           condition on one attribute or a refused operator fails where it
           stands), then more than two is LEN, then more than the key has
           attributes is UNSUP, and only then is a key attribute missed. */
        {"pk = :v AND sk > :w AND sk < :w", "sk", W, 0, NULL, NULL, DUP},
        {"pk = :v AND sk > :w AND x < :w", "sk", W, 0, NULL, NULL, LEN},
        {"pk < :v AND sk > :w AND x < :w", "sk", W, 0, NULL, NULL, LEN},
        {"x = :v AND y = :v AND z = :v", "sk", V, 0, NULL, NULL, LEN},
        {"x = :v AND y = :v AND z = :v", NULL, V, 0, NULL, NULL, LEN},
        {"x = :v AND y = :v", NULL, V, 0, NULL, NULL, UNSUP},
        {"pk = :v AND pk = :v AND (sk = :w OR sk = :v)", "sk", W, 0, NULL, NULL, DUP},
        {"pk = :v AND x = :w AND (y = :w OR z = :v)", "sk", W, 0, NULL, NULL,
         "Invalid operator used in KeyConditionExpression: OR"},
        {T9, "sk", V, 0, NULL, NULL, LEN},
        {T17, "sk", V, 0, NULL, NULL, LEN},
        {T17, NULL, V, 0, NULL, NULL, LEN},
        {T17 " AND a = :v", "sk", V, 0, NULL, NULL, DUP},
        {"pk = :v AND sk = :w AND sk = :w", "sk", W, 0, NULL, NULL, DUP},
        {"pk < :v AND sk = :w AND sk = :w", "sk", W, 0, NULL, NULL, DUP},
        {"pk = pk", "sk", V, 0, NULL, NULL,
         P "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: =, first operand: [pk]"},
        {"pk = :v AND sk = pk", "sk", V, 0, NULL, NULL,
         "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
         "condition"},
        {"pk = :v AND begins_with(sk, pk)", "sk", V, 0, NULL, NULL,
         "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
         "condition"},
        {":v = :w", "sk", W, 0, NULL, NULL,
         "Invalid condition in KeyConditionExpression: No key attribute specified"},
        {"size(pk) = :v", "sk", V, 0, NULL, NULL,
         "KeyConditionExpressions cannot contain nested operations"},
        {"pk.x = :v", "sk", V, 0, NULL, NULL,
         "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
         "allowed: Key: pk"},
        {"pk[0] = :v", "sk", V, 0, NULL, NULL,
         "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
         "allowed: Key: pk"},
        /* a path into another attribute fails where its condition stands,
           a path into a key attribute before every condition is read */
        {"y.z = :v", "sk", V, 0, NULL, NULL, NESTED},
        {"pk = :v AND y[0] = :v", "sk", V, 0, NULL, NULL, NESTED},
        {"pk = :v AND y.z = :v AND sk > :w AND sk < :w", "sk", W, 0, NULL, NULL, NESTED},
        {"pk = :v AND sk > :w AND sk < :w AND y.z = :v", "sk", W, 0, NULL, NULL, DUP},
        {"pk = :v AND x = :v AND w = :v AND y.z = :v", "sk", V, 0, NULL, NULL, NESTED},
        {"pk = :v AND y.z = y.q", "sk", V, 0, NULL, NULL, NESTED},
        {"y.z = size(x)", "sk", V, 0, NULL, NULL, NESTED},
        {"pk = :v AND x = y.z", "sk", V, 0, NULL, NULL,
         "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
         "condition"},
        {"pk = :v AND sk > :w AND sk < :w AND pk.q = :v", "sk", W, 0, NULL, NULL,
         "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
         "allowed: Key: pk"},
        {"y.z = :v OR size(sk.q) = :v", "sk", V, 0, NULL, NULL,
         "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
         "allowed: Key: sk"},
        {"pk = :v AND begins_with(:w, sk)", "sk", W, 0, NULL, NULL,
         "Invalid condition in KeyConditionExpression: begins_with operator must have the key "
         "attribute as its first operand"},
        {"pk = :v AND :w BETWEEN sk AND :v", "sk", W, 0, NULL, NULL,
         "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
         "attribute as its first operand"},
        {"pk = :v AND sk BETWEEN :w AND :v", "sk", W, 0, NULL, NULL,
         P "The BETWEEN operator requires upper bound to be greater than or equal to lower "
           "bound; lower bound operand: AttributeValue: {S:s}, upper bound operand: "
           "AttributeValue: {S:k}"},
        {"pk = :v AND begins_with(sk, :n)", "sk", "{\":v\":{\"S\":\"k\"},\":n\":{\"N\":\"1\"}}", 0,
         NULL, NULL,
         P "Incorrect operand type for operator or function; operator or function: begins_with, "
           "operand type: N"},
        {"", "sk", V, 0, NULL, NULL, P "The expression can not be empty;"},
        {"((pk = :v)) AND sk = :w", "sk", W, 0, NULL, NULL,
         P "The expression has redundant parentheses;"},
        {"status = :v", "sk", V, 0, NULL, NULL,
         P "Attribute name is a reserved keyword; reserved keyword: status"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

/* Paths into key attributes are refused key by key in the order given,
   whatever their order in the expression; an index's key says IndexKey. */
static void test_key_paths(void **state)
{
    (void)state;
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    json_t *values = tu_json(V);
    assert_true(ddb_expr_attrs_init(&attrs, NULL, values, &err));
    ddb_keycond_expr *x =
        ddb_keycond_expr_parse("g.a = :v AND y.z = :v AND sk.b = :v", &attrs, &err);
    assert_non_null(x);
    const char *keys[] = {"pk", NULL, "sk", "g"};
    const bool index_key[] = {false, false, true, true};
    assert_false(ddb_keycond_check_key_paths(x, keys, index_key, 4, &err));
    assert_string_equal(err.message, "Key attributes must be scalars; list random access '[]' and "
                                     "map lookup '.' are not allowed: IndexKey: sk");
    ddb_err_clear(&err);
    assert_false(ddb_keycond_check_key_paths(x, keys + 3, index_key + 3, 1, &err));
    assert_string_equal(err.message, "Key attributes must be scalars; list random access '[]' and "
                                     "map lookup '.' are not allowed: IndexKey: g");
    ddb_err_clear(&err);
    assert_true(ddb_keycond_check_key_paths(x, keys, index_key, 2, &err));
    ddb_keycond_expr_free(x);
    ddb_expr_attrs_free(&attrs);
    json_decref(values);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keycond),
        cmocka_unit_test(test_key_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
