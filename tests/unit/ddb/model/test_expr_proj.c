/*
 * Projection expressions: nested maps, list elements (compacted in index
 * order), missing paths, and the overlap/conflict/reserved-word errors
 * (checked against DynamoDB Local).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "ddb/model/expr.h"

typedef struct proj_case {
    const char *expr;
    const char *names;
    const char *want; /* projected item, or NULL when err is set */
    const char *err;
} proj_case;

#define P "Invalid ProjectionExpression: "

static const char *item_text =
    "{\"pk\":{\"S\":\"k\"},"
    "\"a\":{\"M\":{\"b\":{\"N\":\"1\"},\"c\":{\"L\":[{\"N\":\"0\"},"
    "{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"2\"}}},{\"N\":\"2\"}]}}},"
    "\"d\":{\"L\":[{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]},{\"L\":[{\"N\":\"3\"}]}]},"
    "\"e\":{\"S\":\"x\"}}";

static void run_case(const proj_case *c)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    json_t *names = c->names ? tu_json(c->names) : NULL;
    json_t *item = tu_json(item_text);
    const char *got = NULL;
    assert_true(ddb_expr_attrs_init(&attrs, names, NULL, &err));
    ddb_proj *p = ddb_proj_parse(c->expr, &attrs, &err);
    if (!p || !ddb_expr_attrs_check_unused(&attrs, &err)) got = err.message;
    if (c->err) {
        if (!got || strcmp(got, c->err) != 0)
            fail_msg("%s\n  want error: %s\n  got: %s", c->expr, c->err, got ? got : "(none)");
    } else {
        if (got) fail_msg("%s: unexpected error: %s", c->expr, got);
        json_t *out = ddb_proj_apply(p, item);
        tu_assert_json_eq(out, c->want);
        json_decref(out);
    }
    ddb_proj_free(p);
    ddb_expr_attrs_free(&attrs);
    ddb_err_clear(&err);
    json_decref(names);
    json_decref(item);
}

static void test_projection(void **state)
{
    (void)state;
    static const proj_case cases[] = {
        {"a.b", NULL, "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"}}}}", NULL},
        {"a.c[1].x", NULL, "{\"a\":{\"M\":{\"c\":{\"L\":[{\"M\":{\"x\":{\"N\":\"1\"}}}]}}}}", NULL},
        {"a.c[2], a.c[0]", NULL, "{\"a\":{\"M\":{\"c\":{\"L\":[{\"N\":\"0\"},{\"N\":\"2\"}]}}}}",
         NULL},
        {"a.c[1].x, a.c[1].y", NULL,
         "{\"a\":{\"M\":{\"c\":{\"L\":[{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"2\"}}}]}}}}",
         NULL},
        {"a.c[5]", NULL, "{}", NULL},
        {"d[1][0], d[0][1]", NULL,
         "{\"d\":{\"L\":[{\"L\":[{\"N\":\"2\"}]},{\"L\":[{\"N\":\"3\"}]}]}}", NULL},
        {"e.x", NULL, "{}", NULL},
        {"e[0]", NULL, "{}", NULL},
        {"zz", NULL, "{}", NULL},
        {"a.c[0].x", NULL, "{}", NULL},
        {"pk, a.zz", NULL, "{\"pk\":{\"S\":\"k\"}}", NULL},
        {"a.c[1].x, a.b", NULL,
         "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"},\"c\":{\"L\":[{\"M\":{\"x\":{\"N\":\"1\"}}}]}}}}",
         NULL},
        {"#s", "{\"#s\":\"e\"}", "{\"e\":{\"S\":\"x\"}}", NULL},
        {" pk ,e ", NULL, "{\"pk\":{\"S\":\"k\"},\"e\":{\"S\":\"x\"}}", NULL},
        {"a.b, a", NULL, NULL,
         P "Two document paths overlap with each other; must remove or rewrite one of these "
           "paths; path one: [a, b], path two: [a]"},
        {"a, a.b", NULL, NULL,
         P "Two document paths overlap with each other; must remove or rewrite one of these "
           "paths; path one: [a], path two: [a, b]"},
        {"a.c[0], a.c[0]", NULL, NULL,
         P "Two document paths overlap with each other; must remove or rewrite one of these "
           "paths; path one: [a, c, [0]], path two: [a, c, [0]]"},
        {"a.b, a[0]", NULL, NULL,
         P "Two document paths conflict with each other; must remove or rewrite one of these "
           "paths; path one: [a, b], path two: [a, [0]]"},
        {"status", NULL, NULL, P "Attribute name is a reserved keyword; reserved keyword: status"},
        {"", NULL, NULL, P "The expression can not be empty;"},
        {"a,", NULL, NULL, P "Syntax error; token: \"<EOF>\", near: \",\""},
        {"a b", NULL, NULL, P "Syntax error; token: \"b\", near: \"a b\""},
        {"a = b", NULL, NULL, P "Syntax error; token: \"=\", near: \"a = b\""},
        {"size(a)", NULL, NULL, P "Syntax error; token: \"(\", near: \"size(a\""},
        {":v", NULL, NULL, P "Syntax error; token: \":v\", near: \":v\""},
        {"#x", "{\"#y\":\"y\"}", NULL,
         P "An expression attribute name used in the document path is not defined; attribute "
           "name: #x"},
        {"e", "{\"#y\":\"y\"}", NULL,
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#y}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

/* Many paths: the overlap check stays linear and the apply works. */
static void test_many_paths(void **state)
{
    (void)state;
    char text[4096];
    size_t n = 0;
    for (int i = 0; i < 400; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%sx%d", i ? "," : "", i);
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    assert_true(ddb_expr_attrs_init(&attrs, NULL, NULL, &err));
    ddb_proj *p = ddb_proj_parse(text, &attrs, &err);
    assert_non_null(p);
    json_t *item = tu_json("{\"x7\":{\"N\":\"7\"},\"y\":{\"N\":\"1\"}}");
    json_t *out = ddb_proj_apply(p, item);
    tu_assert_json_eq(out, "{\"x7\":{\"N\":\"7\"}}");
    json_decref(out);
    json_decref(item);
    ddb_proj_free(p);
    ddb_expr_attrs_free(&attrs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_many_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
