/*
 * Multi-attribute GSI keys in the embedded engine (index_keys.c, items.c,
 * query.c) through ddb_call on a store on disk: the tuple order of index
 * entries (S prefixes, negative and fractional numbers), every sort-key
 * operator on the last sort attribute used, both directions, paging one
 * item at a time, sparse entries (an attribute missing), an entry that
 * moves when a key attribute changes, KEYS_ONLY holding every key
 * attribute, an index created by UpdateTable over existing items, and all
 * of it again after the store is closed and reopened; PartiQL's refusal
 * of such an index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "reads_tu.h"

/* The partition a="x", b=1 holds these (c, d) by pk; pk "o" is in another
   partition (b=2), "s1" and "s2" miss a sort attribute. */
static const struct {
    const char *pk, *c, *d;
} ITEMS[] = {
    {"i1", "m", "5"},  {"i2", "m", "3"},  {"i3", "ma", "1"},  {"i4", "l", "9"},
    {"i5", "m", "-2"}, {"i6", "m", "10"}, {"i7", "m", "2.5"}, {"i8", "m", "-10"},
    {"o", "m", "1"},   {"s1", NULL, "1"}, {"s2", "m", NULL},
};

/* The order DynamoDB sorts the partition in: by c, then by d. */
#define ALL "i4 i8 i5 i7 i2 i1 i6 i3"

static void put_items(ddb_store *s)
{
    for (size_t i = 0; i < sizeof ITEMS / sizeof ITEMS[0]; i++) {
        json_t *item = rt_json("{'pk': {'S': '%s'}, 'a': {'S': 'x'}, 'b': {'N': '%s'},"
                               " 'z': {'S': 'other'}}",
                               ITEMS[i].pk, ITEMS[i].pk[0] == 'o' ? "2" : "1");
        if (ITEMS[i].c) json_object_set_new(item, "c", rt_json("{'S': '%s'}", ITEMS[i].c));
        if (ITEMS[i].d) json_object_set_new(item, "d", rt_json("{'N': '%s'}", ITEMS[i].d));
        json_t *req = json_pack("{s:s,s:o}", "TableName", "mktab", "Item", item);
        rt_ok(s, "PutItem", req);
    }
}

/* The pks of a Query's items, space-separated, paging with `limit` (0:
   none) until no LastEvaluatedKey; `index` is the index read. */
static char *query_pks(ddb_store *s, const char *index, const char *kce, const char *values,
                       bool forward, int limit)
{
    char *out = calloc(1, 1024);
    json_t *esk = NULL;
    do {
        json_t *req = rt_json("{'TableName': 'mktab', 'IndexName': '%s', 'KeyConditionExpression':"
                              " '%s', 'ExpressionAttributeValues': %s}",
                              index, kce, values);
        json_object_set_new(req, "ScanIndexForward", json_boolean(forward));
        if (limit) json_object_set_new(req, "Limit", json_integer(limit));
        if (esk) json_object_set_new(req, "ExclusiveStartKey", esk);
        json_t *res = rt_call(s, "Query", req);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(res, "Items"), i, it)
        {
            const char *pk = json_string_value(json_object_get(json_object_get(it, "pk"), "S"));
            if (*out) strcat(out, " ");
            strcat(out, pk);
            /* KEYS_ONLY holds the table key and every index key attribute */
            if (strcmp(index, "gmk") == 0) assert_int_equal(json_object_size(it), 5);
        }
        esk = json_incref(json_object_get(res, "LastEvaluatedKey"));
        json_decref(res);
    } while (esk);
    return out;
}

static void expect(ddb_store *s, const char *index, const char *kce, const char *values,
                   const char *want)
{
    for (int limit = 0; limit <= 2; limit++) {
        char *got = query_pks(s, index, kce, values, true, limit);
        if (strcmp(got, want) != 0)
            fail_msg("%s (Limit %d)\n  want: %s\n  got:  %s", kce, limit, want, got);
        free(got);
    }
    /* backwards: the same items in reverse */
    char *back = query_pks(s, index, kce, values, false, 0);
    char rev[1024] = "";
    char *copy = strdup(want);
    for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " ")) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s%s%s", tok, *rev ? " " : "", rev);
        strcpy(rev, tmp);
    }
    free(copy);
    if (strcmp(back, rev) != 0) fail_msg("%s backwards\n  want: %s\n  got:  %s", kce, rev, back);
    free(back);
}

#define XY "':a': {'S': 'x'}, ':b': {'N': '1'}"

static void check_queries(ddb_store *s)
{
    expect(s, "gmk", "a = :a AND b = :b", "{" XY "}", ALL);
    expect(s, "gmk", "a = :a AND b = :b", "{':a': {'S': 'x'}, ':b': {'N': '2'}}", "o");
    expect(s, "gmk", "a = :a AND b = :b AND c = :c", "{" XY ", ':c': {'S': 'm'}}",
           "i8 i5 i7 i2 i1 i6");
    expect(s, "gmk", "a = :a AND b = :b AND c > :c", "{" XY ", ':c': {'S': 'm'}}", "i3");
    expect(s, "gmk", "a = :a AND b = :b AND c >= :c", "{" XY ", ':c': {'S': 'm'}}",
           "i8 i5 i7 i2 i1 i6 i3");
    expect(s, "gmk", "a = :a AND b = :b AND c < :c", "{" XY ", ':c': {'S': 'm'}}", "i4");
    expect(s, "gmk", "a = :a AND b = :b AND c <= :c", "{" XY ", ':c': {'S': 'm'}}",
           "i4 i8 i5 i7 i2 i1 i6");
    expect(s, "gmk", "a = :a AND b = :b AND begins_with(c, :c)", "{" XY ", ':c': {'S': 'm'}}",
           "i8 i5 i7 i2 i1 i6 i3");
    expect(s, "gmk", "a = :a AND b = :b AND c BETWEEN :c AND :e",
           "{" XY ", ':c': {'S': 'l'}, ':e': {'S': 'm'}}", "i4 i8 i5 i7 i2 i1 i6");
    expect(s, "gmk", "a = :a AND b = :b AND c = :c AND d = :d",
           "{" XY ", ':c': {'S': 'm'}, ':d': {'N': '2.50'}}", "i7");
    expect(s, "gmk", "a = :a AND b = :b AND c = :c AND d > :d",
           "{" XY ", ':c': {'S': 'm'}, ':d': {'N': '2.5'}}", "i2 i1 i6");
    expect(s, "gmk", "a = :a AND b = :b AND c = :c AND d >= :d",
           "{" XY ", ':c': {'S': 'm'}, ':d': {'N': '2.5'}}", "i7 i2 i1 i6");
    expect(s, "gmk", "a = :a AND b = :b AND c = :c AND d < :d",
           "{" XY ", ':c': {'S': 'm'}, ':d': {'N': '3'}}", "i8 i5 i7");
    expect(s, "gmk", "a = :a AND b = :b AND c = :c AND d <= :d",
           "{" XY ", ':c': {'S': 'm'}, ':d': {'N': '3'}}", "i8 i5 i7 i2");
    expect(s, "gmk", "a = :a AND b = :b AND c = :c AND d BETWEEN :d AND :e",
           "{" XY ", ':c': {'S': 'm'}, ':d': {'N': '-2'}, ':e': {'N': '5'}}", "i5 i7 i2 i1");
    /* an index created later over the items: a alone, then d before c */
    expect(s, "guk", "a = :a", "{':a': {'S': 'x'}}", "i8 i5 o i3 i7 i2 i1 i4 i6");
    expect(s, "guk", "a = :a AND d = :d AND c < :c",
           "{':a': {'S': 'x'}, ':d': {'N': '1'}, ':c': {'S': 'ma'}}", "o");
}

static void test_multikey_index(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ddb_store *s = rt_open_dir(dir);
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'mktab', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'a', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'b', 'AttributeType': 'N'},"
                  "  {'AttributeName': 'c', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'd', 'AttributeType': 'N'}],"
                  " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'}],"
                  " 'GlobalSecondaryIndexes': [{'IndexName': 'gmk', 'KeySchema': ["
                  "  {'AttributeName': 'a', 'KeyType': 'HASH'},"
                  "  {'AttributeName': 'b', 'KeyType': 'HASH'},"
                  "  {'AttributeName': 'c', 'KeyType': 'RANGE'},"
                  "  {'AttributeName': 'd', 'KeyType': 'RANGE'}],"
                  "  'Projection': {'ProjectionType': 'KEYS_ONLY'}}]}"));
    put_items(s);
    rt_ok(s, "UpdateTable",
          rt_json("{'TableName': 'mktab', 'AttributeDefinitions': ["
                  "  {'AttributeName': 'a', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'c', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'd', 'AttributeType': 'N'}],"
                  " 'GlobalSecondaryIndexUpdates': [{'Create': {'IndexName': 'guk', 'KeySchema': ["
                  "  {'AttributeName': 'a', 'KeyType': 'HASH'},"
                  "  {'AttributeName': 'd', 'KeyType': 'RANGE'},"
                  "  {'AttributeName': 'c', 'KeyType': 'RANGE'}],"
                  "  'Projection': {'ProjectionType': 'ALL'}}}]}"));
    check_queries(s);

    /* a key attribute that changes moves the entry; one removed drops it */
    rt_ok(s, "UpdateItem",
          rt_json("{'TableName': 'mktab', 'Key': {'pk': {'S': 'i4'}}, 'UpdateExpression':"
                  " 'SET c = :c', 'ExpressionAttributeValues': {':c': {'S': 'mb'}}}"));
    expect(s, "gmk", "a = :a AND b = :b AND c > :c", "{" XY ", ':c': {'S': 'm'}}", "i3 i4");
    rt_ok(s, "UpdateItem",
          rt_json("{'TableName': 'mktab', 'Key': {'pk': {'S': 'i4'}}, 'UpdateExpression':"
                  " 'REMOVE b'}"));
    expect(s, "gmk", "a = :a AND b = :b AND c > :c", "{" XY ", ':c': {'S': 'm'}}", "i3");
    rt_ok(s, "UpdateItem",
          rt_json("{'TableName': 'mktab', 'Key': {'pk': {'S': 'i4'}}, 'UpdateExpression':"
                  " 'SET b = :b, c = :c', 'ExpressionAttributeValues': {':b': {'N': '1'},"
                  " ':c': {'S': 'l'}}}"));

    /* everything is still there after a reopen */
    ddb_store_close(s);
    s = rt_open_dir(dir);
    check_queries(s);
    json_t *desc = rt_call(s, "DescribeTable", rt_json("{'TableName': 'mktab'}"));
    json_t *gsis = json_object_get(json_object_get(desc, "Table"), "GlobalSecondaryIndexes");
    assert_int_equal(json_array_size(gsis), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *ix = json_array_get(gsis, i);
        const char *name = json_string_value(json_object_get(ix, "IndexName"));
        assert_int_equal(json_array_size(json_object_get(ix, "KeySchema")),
                         strcmp(name, "gmk") == 0 ? 4 : 3);
    }
    json_decref(desc);

    /* a wrong type in any key attribute is refused */
    rt_invalid(s, "PutItem",
               rt_json("{'TableName': 'mktab', 'Item': {'pk': {'S': 'w'}, 'a': {'S': 'x'},"
                       " 'b': {'S': '1'}}}"),
               "One or more parameter values were invalid: Type mismatch for Index Key");
    rt_invalid(s, "Query",
               rt_json("{'TableName': 'mktab', 'IndexName': 'gmk', 'KeyConditionExpression':"
                       " 'a = :a AND b = :b AND d = :d', 'ExpressionAttributeValues': {" XY
                       ", ':d': {'N': '1'}}}"),
               "RANGE key attributes c must have equality conditions specified in the query "
               "because a condition is present on key attribute d");
    rt_invalid(s, "Query",
               rt_json("{'TableName': 'mktab', 'IndexName': 'gmk', 'KeyConditionExpression':"
                       " 'a = :a AND b = :b', 'FilterExpression': 'd > :a',"
                       " 'ExpressionAttributeValues': {" XY "}}"),
               "Filter Expression can only contain non-primary key attributes: Primary key "
               "attribute: d");
    /* PartiQL runs nothing on such an index (as DynamoDB Local 3.3.1), but
       still runs on the table */
    rt_invalid(s, "ExecuteStatement",
               rt_json("{'Statement': 'SELECT * FROM \\\"mktab\\\".\\\"gmk\\\" WHERE a = 1'}"),
               "PartiQL statements cannot be executed on tables with composite HASH keys or "
               "composite RANGE keys.");
    rt_ok(
        s, "ExecuteStatement",
        rt_json("{'Statement': 'SELECT * FROM mktab WHERE pk = ?', 'Parameters': [{'S': 'i1'}]}"));
    ddb_store_close(s);
    tu_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multikey_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
