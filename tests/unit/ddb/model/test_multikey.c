/*
 * Multi-attribute GSI keys in the model: CreateTable's KeySchema rules for
 * a GSI (up to four HASH and four RANGE attributes, HASH first), the
 * parsed index (hashes/ranges in order, kept through ddb_table_load), and
 * the key condition rules of a Query on such an index. Messages and the
 * order of the checks are DynamoDB Local 3.3.1's, as it answered requests
 * with the same faults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/expr.h"
#include "ddb/model/schema.h"
#include "testutil.h"

#define NOW 1764086718632000LL

/* A CreateTable request with one GSI whose KeySchema is `ks` ("a:H,b:R"),
   every attribute of a..i defined as S unless `defs` is given. */
static json_t *gsi_request(const char *ks, const char *defs)
{
    json_t *keys = json_array();
    char *copy = strdup(ks);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        char name[32], kind;
        assert_int_equal(sscanf(tok, "%31[^:]:%c", name, &kind), 2);
        json_array_append_new(keys, json_pack("{s:s,s:s}", "AttributeName", name, "KeyType",
                                              kind == 'H'   ? "HASH"
                                              : kind == 'R' ? "RANGE"
                                                            : "FOO"));
    }
    free(copy);
    json_t *ad = json_array();
    const char *names = defs ? defs : "pk,a,b,c,d,e,f,g,h,i";
    copy = strdup(names);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
        json_array_append_new(ad, json_pack("{s:s,s:s}", "AttributeName", tok, "AttributeType",
                                            strcmp(tok, "b") == 0 ? "N" : "S"));
    free(copy);
    return json_pack("{s:s,s:[{s:s,s:s}],s:o,s:s,s:[{s:s,s:o,s:{s:s}}]}", "TableName", "tbl",
                     "KeySchema", "AttributeName", "pk", "KeyType", "HASH", "AttributeDefinitions",
                     ad, "BillingMode", "PAY_PER_REQUEST", "GlobalSecondaryIndexes", "IndexName",
                     "gsi1", "KeySchema", keys, "Projection", "ProjectionType", "ALL");
}

static const struct {
    const char *ks;
    const char *defs; /* NULL: pk and a..i; otherwise exactly these */
    const char *msg;  /* NULL: accepted */
} schema_cases[] = {
    {"a:H,b:H", "pk,a,b", NULL},
    {"a:H,b:H,c:H,d:H", "pk,a,b,c,d", NULL},
    {"a:H,b:R,c:R,d:R,e:R", "pk,a,b,c,d,e", NULL},
    {"a:H,b:H,c:H,d:H,e:R,f:R,g:R,h:R", "pk,a,b,c,d,e,f,g,h", NULL},
    {"pk:H,b:H", "pk,b", NULL},
    {"a:H,pk:R", "pk,a", NULL},
    {"a:H,b:H,c:H,d:H,e:H", NULL, "Too many partition keys. GSI can have at most 4 partition keys"},
    {"a:H,b:R,c:R,d:R,e:R,f:R", NULL, "Too many sort keys. GSI can have at most 4 sort keys"},
    {"a:H,b:R,c:R,d:R,e:R,f:R,g:R,h:R", NULL,
     "Too many sort keys. GSI can have at most 4 sort keys"},
    {"a:H,b:H,c:H,d:H,e:R,f:R,g:R,h:R,i:R", NULL,
     "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table"},
    {"b:R,c:R", NULL,
     "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key"},
    {"a:H,b:R,c:H", NULL,
     "Invalid key order. Hash Key must be specified first in key schema, Range Key must be "
     "specifed second"},
    {"b:R,a:H,a:H", NULL,
     "Invalid key order. Hash Key must be specified first in key schema, Range Key must be "
     "specifed second"},
    /* duplicates are found before the order and the counts */
    {"a:H,b:R,b:H", NULL, "Two keys can not have the same name"},
    {"a:H,a:H,c:H,d:H,e:H", NULL, "Two keys can not have the same name"},
    {"a:H,b:R,c:H,d:H,e:H,f:H", NULL,
     "Invalid key order. Hash Key must be specified first in key schema, Range Key must be "
     "specifed second"},
    /* the counts come before the definitions */
    {"a:H,b:H,c:H,d:H,e:H,f:R", "pk",
     "Too many partition keys. GSI can have at most 4 partition keys"},
    {"a:H,x:H,b:R", "pk,a,b", "Attribute x is not defined in AttributeDefinitions"},
    {"x:H", "pk,a", "Attribute x is not defined in AttributeDefinitions"},
    {"a:H,b:F", NULL,
     "1 validation error detected: Value 'FOO' at 'keySchema.2.member.keyType' failed to satisfy "
     "constraint: Member must satisfy enum value set: [HASH, RANGE]"},
};

static void test_gsi_key_schema(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof schema_cases / sizeof schema_cases[0]; i++) {
        json_t *req = gsi_request(schema_cases[i].ks, schema_cases[i].defs);
        ddb_err err = DDB_ERR_INIT;
        ddb_table *t = ddb_table_create(req, NOW, &err);
        const char *want = schema_cases[i].msg;
        if (want ? (t || strcmp(err.message, want) != 0) : !t)
            fail_msg("%s: got '%s'", schema_cases[i].ks, t ? "(accepted)" : err.message);
        ddb_table_free(t);
        ddb_err_clear(&err);
        json_decref(req);
    }
}

/* An LSI keeps one sort attribute. */
static void test_lsi_stays_single(void **state)
{
    (void)state;
    json_t *req = tu_json(
        "{\"TableName\":\"tbl\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
        "{\"AttributeName\":\"s\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":["
        "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"s\","
        "\"AttributeType\":\"S\"},{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
        "\"BillingMode\":\"PAY_PER_REQUEST\",\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\","
        "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"a\","
        "\"KeyType\":\"RANGE\"},{\"AttributeName\":\"s\",\"KeyType\":\"RANGE\"}],\"Projection\":"
        "{\"ProjectionType\":\"ALL\"}}]}");
    ddb_err err = DDB_ERR_INIT;
    assert_null(ddb_table_create(req, NOW, &err));
    assert_string_equal(err.message, "Key Schema too big.  Key Schema must at most consist of "
                                     "the hash and range key of a table");
    ddb_err_clear(&err);
    json_decref(req);
}

/* The parsed index lists its attributes in order, with their types, and
   a reload from the def gives the same. */
static void test_index_keys_parsed_and_reloaded(void **state)
{
    (void)state;
    json_t *req = gsi_request("a:H,b:H,c:R,d:R,e:R", "pk,a,b,c,d,e");
    ddb_err err = DDB_ERR_INIT;
    ddb_table *t = ddb_table_create(req, NOW, &err);
    assert_non_null(t);
    for (int pass = 0; pass < 2; pass++) {
        const ddb_index *ix = ddb_table_find_index(t, "gsi1");
        assert_non_null(ix);
        assert_true(ddb_index_multikey(ix));
        assert_int_equal(ix->n_hash, 2);
        assert_int_equal(ix->n_range, 3);
        assert_string_equal(ix->hashes[1].name, "b");
        assert_int_equal(ix->hashes[1].type, 'N');
        assert_string_equal(ix->ranges[2].name, "e");
        assert_string_equal(ix->hash.name, "a");
        assert_string_equal(ix->range.name, "c");
        assert_true(ddb_index_has_key(ix, "d"));
        assert_false(ddb_index_has_key(ix, "pk"));
        json_t *desc = ddb_table_describe(t, NULL);
        json_t *ks = json_object_get(
            json_array_get(json_object_get(desc, "GlobalSecondaryIndexes"), 0), "KeySchema");
        assert_int_equal(json_array_size(ks), 5);
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(ks, 3), "AttributeName")), "d");
        json_decref(desc);
        ddb_table *again = ddb_table_load(t->def, &err);
        assert_non_null(again);
        ddb_table_free(t);
        t = again;
    }
    ddb_table_free(t);
    json_decref(req);
}

/* ---- key conditions ---- */

static const ddb_keycond_schema KS = {
    .hash = {"a", "b"}, .n_hash = 2, .range = {"c", "d", "e"}, .n_range = 3};

#define VALS                                                                                       \
    "{\":a\":{\"S\":\"1\"},\":b\":{\"S\":\"2\"},\":c\":{\"S\":\"3\"},\":d\":{\"S\":\"4\"},"        \
    "\":e\":{\"S\":\"5\"},\":w\":{\"S\":\"6\"}}"

static const struct {
    const char *expr;
    const char *msg; /* NULL: accepted */
    int n_range_eq;
    ddb_range_op op;
} kc_cases[] = {
    {"a = :a AND b = :b", NULL, 0, DDB_RANGE_NONE},
    {":b = b AND a = :a AND c = :c", NULL, 0, DDB_RANGE_EQ},
    {"a = :a AND b = :b AND c = :c AND d > :d", NULL, 1, DDB_RANGE_GT},
    {"a = :a AND b = :b AND c = :c AND d = :d AND e BETWEEN :e AND :w", NULL, 2, DDB_RANGE_BETWEEN},
    {"a = :a AND b = :b AND begins_with(c, :c)", NULL, 0, DDB_RANGE_BEGINS_WITH},
    {"a = :a", "HASH key attributes b must have equality conditions specified in the query", 0,
     DDB_RANGE_NONE},
    {"c = :c AND d = :d",
     "HASH key attributes a, b must have equality conditions specified in "
     "the query",
     0, DDB_RANGE_NONE},
    {"a > :a AND b = :b",
     "HASH key attributes a must have equality conditions specified in the "
     "query",
     0, DDB_RANGE_NONE},
    {"a = :a AND b = :b AND e = :e",
     "RANGE key attributes c, d must have equality conditions "
     "specified in the query because a condition is present on "
     "key attribute e",
     0, DDB_RANGE_NONE},
    {"a = :a AND b = :b AND c > :c AND d = :d",
     "RANGE key attributes c must have equality conditions specified in the query because a "
     "condition is present on key attribute d",
     0, DDB_RANGE_NONE},
    {"a = :a AND b = :b AND c = :c AND c = :d",
     "KeyConditionExpressions must only contain one condition per key", 0, DDB_RANGE_NONE},
    /* a condition on no key: "not supported" beyond the count of key
       attributes, else "missed" */
    {"a = :a AND b = :b AND w = :w", "Query condition missed key schema element", 0,
     DDB_RANGE_NONE},
    {"a = :a AND b = :b AND c = :c AND d = :d AND e = :e AND w = :w",
     "Query key condition not supported", 0, DDB_RANGE_NONE},
    {"a = :a AND b = :b AND w = :w AND pk = :c", "Query condition missed key schema element", 0,
     DDB_RANGE_NONE},
    /* more conditions than key attributes comes first (DynamoDB Local
       3.3.1), however many there are; a second condition on one attribute
       before that */
    {"u = :w AND v = :w AND w = :w AND x = :w AND y = :w AND z = :w",
     "Query key condition not supported", 0, DDB_RANGE_NONE},
    {"a = :a AND b = :b AND c = :c AND d = :d AND e = :e AND f = :w AND g = :w AND h = :w AND "
     "i = :w AND j = :w AND k = :w AND l = :w AND m = :w AND n = :w AND o = :w AND p = :w AND "
     "q = :w",
     "Query key condition not supported", 0, DDB_RANGE_NONE},
    {"a = :a AND b = :b AND c = :c AND d = :d AND e = :e AND f = :w AND g = :w AND h = :w AND "
     "i = :w AND j = :w AND k = :w AND l = :w AND m = :w AND n = :w AND o = :w AND p = :w AND "
     "q = :w AND a = :a",
     "KeyConditionExpressions must only contain one condition per key", 0, DDB_RANGE_NONE},
    /* the partition rule comes before the attributes that are no key */
    {"a = :a AND w = :w",
     "HASH key attributes b must have equality conditions specified in the "
     "query",
     0, DDB_RANGE_NONE},
};

static void test_keycond_multi(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kc_cases / sizeof kc_cases[0]; i++) {
        json_t *values = tu_json(VALS);
        ddb_err err = DDB_ERR_INIT;
        ddb_expr_attrs attrs;
        ddb_keycond kc;
        assert_true(ddb_expr_attrs_init(&attrs, NULL, values, &err));
        bool ok = ddb_keycond_parse_multi(kc_cases[i].expr, &attrs, &KS, &kc, &err);
        if (kc_cases[i].msg) {
            if (ok || strcmp(err.message, kc_cases[i].msg) != 0)
                fail_msg("%s: got '%s'", kc_cases[i].expr, ok ? "(accepted)" : err.message);
        } else {
            if (!ok) fail_msg("%s: %s", kc_cases[i].expr, err.message);
            assert_int_equal(kc.n_hash, 2);
            tu_assert_json_eq(kc.hash_values[1], "{\"S\":\"2\"}");
            assert_int_equal(kc.n_range_eq, kc_cases[i].n_range_eq);
            assert_int_equal(kc.range_op, kc_cases[i].op);
            ddb_keycond_free(&kc);
        }
        ddb_expr_attrs_free(&attrs);
        ddb_err_clear(&err);
        json_decref(values);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gsi_key_schema),
        cmocka_unit_test(test_lsi_stays_single),
        cmocka_unit_test(test_index_keys_parsed_and_reloaded),
        cmocka_unit_test(test_keycond_multi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
