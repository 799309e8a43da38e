/*
 * Unit tests for Query and Scan (query.c) through ddb_call on an
 * in-memory store: paging that returns every item exactly once (Limit
 * 1..N, both directions, filters, indexes with duplicate keys, Scan
 * segments), sort key order and key conditions for S, N and B, Select and
 * projections on tables and indexes, sparse indexes, 1 MB pages, and the
 * validation messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "reads_tu.h"

#define N_ITEMS 12

/* Table q: pk S + sk N; GSI gk (g, KEYS_ONLY), GSI gi (g + sk, INCLUDE x),
   LSI ls (pk + l, ALL). Partition "a" holds sk 0..N_ITEMS-1 with g = G(i%3)
   except every 4th item (sparse), l = L(N-1-i); partition "b" one item. */
static ddb_store *setup_q(void)
{
    ddb_store *s = rt_open();
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'qtab', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'sk', 'AttributeType': 'N'},"
                  "  {'AttributeName': 'g', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'l', 'AttributeType': 'S'}],"
                  " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                  "  {'AttributeName': 'sk', 'KeyType': 'RANGE'}],"
                  " 'GlobalSecondaryIndexes': ["
                  "  {'IndexName': 'gkk', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}],"
                  "   'Projection': {'ProjectionType': 'KEYS_ONLY'}},"
                  "  {'IndexName': 'gii', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'},"
                  "   {'AttributeName': 'sk', 'KeyType': 'RANGE'}],"
                  "   'Projection': {'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['x']}}],"
                  " 'LocalSecondaryIndexes': ["
                  "  {'IndexName': 'lss', 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                  "   {'AttributeName': 'l', 'KeyType': 'RANGE'}],"
                  "   'Projection': {'ProjectionType': 'ALL'}}]}"));
    for (int i = 0; i < N_ITEMS; i++) {
        if (i % 4 == 3)
            rt_ok(s, "PutItem",
                  rt_json("{'TableName': 'qtab', 'Item': {'pk': {'S': 'a'}, 'sk': {'N': '%d'},"
                          " 'l': {'S': 'L%02d'}, 'x': {'S': 'x%d'}, 'y': {'S': 'y'}}}",
                          i, N_ITEMS - 1 - i, i));
        else
            rt_ok(s, "PutItem",
                  rt_json("{'TableName': 'qtab', 'Item': {'pk': {'S': 'a'}, 'sk': {'N': '%d'},"
                          " 'g': {'S': 'G%d'}, 'l': {'S': 'L%02d'}, 'x': {'S': 'x%d'},"
                          " 'y': {'S': 'y'}}}",
                          i, i % 3, N_ITEMS - 1 - i, i));
    }
    rt_ok(s, "PutItem",
          rt_json("{'TableName': 'qtab', 'Item': {'pk': {'S': 'b'}, 'sk': {'N': '1'},"
                  " 'g': {'S': 'G1'}}}"));
    return s;
}

static int sk_of(const json_t *item)
{
    return atoi(json_string_value(json_object_get(json_object_get(item, "sk"), "N")));
}

/*
 * Pages through `req` (a Query or Scan without Limit) with every Limit from
 * 1 to N_ITEMS + 1, and checks each run returns the same sk sequence as one
 * unlimited read, each item once, and that Limit bounds each page.
 */
static void check_paging(ddb_store *s, const char *op, const char *req_text, const int *want,
                         size_t n_want)
{
    for (int limit = 0; limit <= N_ITEMS + 1; limit++) {
        json_t *esk = NULL;
        size_t got = 0;
        long scanned = 0;
        int pages = 0;
        do {
            json_t *req = rt_json("%s", req_text);
            if (limit) json_object_set_new(req, "Limit", json_integer(limit));
            if (esk) json_object_set_new(req, "ExclusiveStartKey", esk);
            json_t *res = rt_call(s, op, req);
            json_t *items = json_object_get(res, "Items");
            size_t i;
            json_t *it;
            json_array_foreach(items, i, it)
            {
                assert_true(got < n_want);
                assert_int_equal(sk_of(it), want[got]);
                got++;
            }
            assert_int_equal(json_integer_value(json_object_get(res, "Count")),
                             json_array_size(items));
            long sc = (long)json_integer_value(json_object_get(res, "ScannedCount"));
            if (limit) assert_true(sc <= limit);
            scanned += sc;
            esk = json_incref(json_object_get(res, "LastEvaluatedKey"));
            /* a page that stopped at Limit always says where it stopped */
            if (limit && sc == limit) assert_non_null(esk);
            json_decref(res);
            assert_true(++pages < 100);
        } while (esk);
        assert_int_equal(got, n_want);
        (void)scanned;
    }
}

static void test_query_paging_table(void **state)
{
    ddb_store *s = setup_q();
    int fwd[N_ITEMS], rev[N_ITEMS], odd[N_ITEMS], odd_rev[N_ITEMS];
    size_t n_odd = 0;
    for (int i = 0; i < N_ITEMS; i++) {
        fwd[i] = i;
        rev[i] = N_ITEMS - 1 - i;
    }
    for (int i = 0; i < N_ITEMS; i++)
        if (i % 4 != 3 && i % 3 == 1) odd[n_odd++] = i;
    for (size_t i = 0; i < n_odd; i++)
        odd_rev[i] = odd[n_odd - 1 - i];
    check_paging(s, "Query",
                 "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p',"
                 " 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
                 fwd, N_ITEMS);
    check_paging(
        s, "Query",
        "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'ScanIndexForward': false,"
        " 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
        rev, N_ITEMS);
    check_paging(
        s, "Query",
        "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'FilterExpression': 'g = :g',"
        " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':g': {'S': 'G1'}}}",
        odd, n_odd);
    check_paging(
        s, "Query",
        "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'FilterExpression': 'g = :g',"
        " 'ScanIndexForward': false,"
        " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':g': {'S': 'G1'}}}",
        odd_rev, n_odd);
    /* a range condition with paging: 3 < sk <= 9 */
    check_paging(
        s, "Query",
        "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p AND sk BETWEEN :a AND :b',"
        " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':a': {'N': '4'}, ':b': {'N': '9'}}}",
        fwd + 4, 6);
    check_paging(s, "Query",
                 "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p AND sk < :b',"
                 " 'ScanIndexForward': false,"
                 " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':b': {'N': '5'}}}",
                 rev + N_ITEMS - 5, 5);
    ddb_store_close(s);
}

static void test_query_paging_indexes(void **state)
{
    ddb_store *s = setup_q();
    /* gk: hash-only GSI, many items per key (G1 in a: 1, 10 ... plus b's) */
    int g1[N_ITEMS];
    size_t n = 0;
    for (int i = 0; i < N_ITEMS; i++)
        if (i % 4 != 3 && i % 3 == 1) g1[n++] = i;
    int g1_rev[N_ITEMS];
    for (size_t i = 0; i < n; i++)
        g1_rev[i] = g1[n - 1 - i];
    check_paging(s, "Query",
                 "{'TableName': 'qtab', 'IndexName': 'gii', 'KeyConditionExpression': 'g = :g',"
                 " 'FilterExpression': 'pk = :p',"
                 " 'ExpressionAttributeValues': {':g': {'S': 'G1'}, ':p': {'S': 'a'}}}",
                 g1, n);
    check_paging(s, "Query",
                 "{'TableName': 'qtab', 'IndexName': 'gii', 'KeyConditionExpression': 'g = :g',"
                 " 'FilterExpression': 'pk = :p', 'ScanIndexForward': false,"
                 " 'ExpressionAttributeValues': {':g': {'S': 'G1'}, ':p': {'S': 'a'}}}",
                 g1_rev, n);
    /* LSI ls orders by l, which runs opposite to sk */
    int rev[N_ITEMS];
    for (int i = 0; i < N_ITEMS; i++)
        rev[i] = N_ITEMS - 1 - i;
    check_paging(s, "Query",
                 "{'TableName': 'qtab', 'IndexName': 'lss', 'KeyConditionExpression': 'pk = :p',"
                 " 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
                 rev, N_ITEMS);

    /* duplicate keys in a hash-only GSI: every item exactly once, any Limit */
    for (int limit = 1; limit <= 6; limit++) {
        json_t *esk = NULL;
        int seen_a[N_ITEMS] = {0}, seen_b = 0, total = 0;
        do {
            json_t *req = rt_json("{'TableName': 'qtab', 'IndexName': 'gkk', 'Limit': %d,"
                                  " 'KeyConditionExpression': 'g = :g',"
                                  " 'ExpressionAttributeValues': {':g': {'S': 'G1'}}}",
                                  limit);
            if (esk) json_object_set_new(req, "ExclusiveStartKey", esk);
            json_t *res = rt_call(s, "Query", req);
            size_t i;
            json_t *it;
            json_array_foreach(json_object_get(res, "Items"), i, it)
            {
                /* KEYS_ONLY: table keys and index key only */
                assert_int_equal(json_object_size(it), 3);
                const char *pk = json_string_value(json_object_get(json_object_get(it, "pk"), "S"));
                if (strcmp(pk, "b") == 0)
                    seen_b++;
                else
                    seen_a[sk_of(it)]++;
                total++;
            }
            esk = json_incref(json_object_get(res, "LastEvaluatedKey"));
            if (esk) assert_int_equal(json_object_size(esk), 3);
            json_decref(res);
        } while (esk);
        assert_int_equal(seen_b, 1);
        for (int i = 0; i < N_ITEMS; i++)
            assert_int_equal(seen_a[i], (i % 4 != 3 && i % 3 == 1) ? 1 : 0);
        assert_int_equal(total, (int)n + 1);
    }
    ddb_store_close(s);
}

/* Scan of the table and of the sparse indexes, whole and in segments. */
static void test_scan_segments(void **state)
{
    ddb_store *s = setup_q();
    static const struct {
        const char *index;
        int expect; /* items */
        int with_b; /* whether b (no l attribute) is in it */
    } cases[] = {
        {NULL, N_ITEMS + 1, 1}, {"gkk", N_ITEMS - N_ITEMS / 4 + 1, 1}, {"lss", N_ITEMS, 0}};
    static const int totals[] = {1, 2, 3, 7, 1000000};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (size_t ti = 0; ti < sizeof totals / sizeof totals[0]; ti++) {
            for (int limit = 0; limit <= 3; limit++) {
                int seen[2][N_ITEMS] = {{0}};
                int total = 0;
                int nseg = totals[ti] > 8 ? 3 : totals[ti]; /* a few of a million */
                for (int seg = 0; seg < nseg; seg++) {
                    json_t *esk = NULL;
                    do {
                        json_t *req = rt_json("{'TableName': 'qtab'}");
                        if (cases[c].index)
                            json_object_set_new(req, "IndexName", json_string(cases[c].index));
                        if (totals[ti] > 1) {
                            json_object_set_new(req, "Segment", json_integer(seg));
                            json_object_set_new(req, "TotalSegments", json_integer(totals[ti]));
                        }
                        if (limit) json_object_set_new(req, "Limit", json_integer(limit));
                        if (esk) json_object_set_new(req, "ExclusiveStartKey", esk);
                        json_t *res = rt_call(s, "Scan", req);
                        size_t i;
                        json_t *it;
                        json_array_foreach(json_object_get(res, "Items"), i, it)
                        {
                            const char *pk =
                                json_string_value(json_object_get(json_object_get(it, "pk"), "S"));
                            seen[pk[0] == 'b'][sk_of(it)]++;
                            total++;
                        }
                        esk = json_incref(json_object_get(res, "LastEvaluatedKey"));
                        json_decref(res);
                    } while (esk);
                }
                if (totals[ti] > 8) continue; /* only part of the segments read */
                assert_int_equal(total, cases[c].expect);
                for (int i = 0; i < N_ITEMS; i++)
                    assert_true(seen[0][i] <= 1);
                assert_int_equal(seen[1][1], cases[c].with_b);
            }
        }
    }
    /* a segment's LastEvaluatedKey does not continue another segment */
    int refused = 0;
    for (int seg = 0; seg < 2; seg++) {
        json_t *res = rt_call(s, "Scan",
                              rt_json("{'TableName': 'qtab', 'Segment': %d, 'TotalSegments': 2,"
                                      " 'Limit': 1}",
                                      seg));
        json_t *lek = json_object_get(res, "LastEvaluatedKey");
        if (lek) {
            json_t *req =
                rt_json("{'TableName': 'qtab', 'Segment': %d, 'TotalSegments': 2}", 1 - seg);
            json_object_set(req, "ExclusiveStartKey", lek);
            rt_invalid(s, "Scan", req,
                       "The provided Exclusive Start Key does not map to the provided Segment");
            refused++;
        }
        json_decref(res);
    }
    assert_true(refused > 0);
    ddb_store_close(s);
}

/* Sort key order and every key condition operator, for S, N and B keys. */
static void test_query_key_types(void **state)
{
    static const struct {
        char type;
        const char *sorted[7]; /* values in DynamoDB order */
        const char *cond;      /* key condition on sk */
        const char *v1, *v2;
        const char *want; /* indexes into sorted of the matches, as digits */
    } cases[] = {
        {'N', {"-10", "-1.5", "0", "2", "9", "10", "1000"}, "sk < :a", "2", NULL, "012"},
        {'N', {"-10", "-1.5", "0", "2", "9", "10", "1000"}, "sk <= :a", "2", NULL, "0123"},
        {'N', {"-10", "-1.5", "0", "2", "9", "10", "1000"}, "sk > :a", "9", NULL, "56"},
        {'N', {"-10", "-1.5", "0", "2", "9", "10", "1000"}, "sk >= :a", "9", NULL, "456"},
        {'N', {"-10", "-1.5", "0", "2", "9", "10", "1000"}, "sk = :a", "10.0", NULL, "5"},
        {'N',
         {"-10", "-1.5", "0", "2", "9", "10", "1000"},
         "sk BETWEEN :a AND :b",
         "-1.5",
         "9",
         "1234"},
        {'S',
         {"A", "Z", "a", "ab", "abc", "b", "\xc3\xa9"},
         "begins_with(sk, :a)",
         "ab",
         NULL,
         "34"},
        {'S',
         {"A", "Z", "a", "ab", "abc", "b", "\xc3\xa9"},
         "sk BETWEEN :a AND :b",
         "a",
         "abc",
         "234"},
        {'S', {"A", "Z", "a", "ab", "abc", "b", "\xc3\xa9"}, "sk > :a", "b", NULL, "6"},
        {'S', {"A", "Z", "a", "ab", "abc", "b", "\xc3\xa9"}, "sk < :a", "a", NULL, "01"},
        /* B: 00, 01, 01 ff, 02, 7f, 80, ff (base64) */
        {'B',
         {"AA==", "AQ==", "Af8=", "Ag==", "fw==", "gA==", "/w=="},
         "begins_with(sk, :a)",
         "AQ==",
         NULL,
         "12"},
        {'B',
         {"AA==", "AQ==", "Af8=", "Ag==", "fw==", "gA==", "/w=="},
         "begins_with(sk, :a)",
         "/w==",
         NULL,
         "6"},
        {'B',
         {"AA==", "AQ==", "Af8=", "Ag==", "fw==", "gA==", "/w=="},
         "sk BETWEEN :a AND :b",
         "Af8=",
         "gA==",
         "2345"},
        {'B',
         {"AA==", "AQ==", "Af8=", "Ag==", "fw==", "gA==", "/w=="},
         "sk >= :a",
         "fw==",
         NULL,
         "456"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ddb_store *s = rt_open();
        char t = cases[c].type;
        rt_ok(s, "CreateTable",
              rt_json("{'TableName': 'ktab', 'BillingMode': 'PAY_PER_REQUEST',"
                      " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
                      "  {'AttributeName': 'sk', 'AttributeType': '%c'}],"
                      " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                      "  {'AttributeName': 'sk', 'KeyType': 'RANGE'}]}",
                      t));
        /* insert in a scrambled order */
        static const int order[7] = {3, 6, 0, 5, 1, 4, 2};
        for (int i = 0; i < 7; i++)
            rt_ok(s, "PutItem",
                  rt_json("{'TableName': 'ktab', 'Item': {'pk': {'S': 'p'}, 'sk': {'%c': '%s'},"
                          " 'i': {'N': '%d'}}}",
                          t, cases[c].sorted[order[i]], order[i]));
        /* the whole partition in order, both ways */
        for (int fwd = 0; fwd < 2; fwd++) {
            json_t *res =
                rt_call(s, "Query",
                        rt_json("{'TableName': 'ktab', 'KeyConditionExpression': 'pk = :p',"
                                " 'ScanIndexForward': %s,"
                                " 'ExpressionAttributeValues': {':p': {'S': 'p'}}}",
                                fwd ? "true" : "false"));
            json_t *items = json_object_get(res, "Items");
            assert_int_equal(json_array_size(items), 7);
            for (int i = 0; i < 7; i++) {
                json_t *it = json_array_get(items, (size_t)(fwd ? i : 6 - i));
                assert_int_equal(
                    atoi(json_string_value(json_object_get(json_object_get(it, "i"), "N"))), i);
            }
            json_decref(res);
        }
        json_t *req = rt_json("{'TableName': 'ktab', 'KeyConditionExpression': 'pk = :p AND %s',"
                              " 'ExpressionAttributeValues': {':p': {'S': 'p'},"
                              " ':a': {'%c': '%s'}}}",
                              cases[c].cond, t, cases[c].v1);
        if (cases[c].v2)
            json_object_set_new(json_object_get(req, "ExpressionAttributeValues"), ":b",
                                json_pack("{s:s}", (char[]){t, 0}, cases[c].v2));
        json_t *res = rt_call(s, "Query", req);
        json_t *items = json_object_get(res, "Items");
        size_t want_n = strlen(cases[c].want);
        if (json_array_size(items) != want_n)
            fail_msg("case %zu (%s): %zu items, want %zu", c, cases[c].cond, json_array_size(items),
                     want_n);
        for (size_t i = 0; i < want_n; i++) {
            json_t *it = json_array_get(items, i);
            assert_int_equal(
                atoi(json_string_value(json_object_get(json_object_get(it, "i"), "N"))),
                cases[c].want[i] - '0');
        }
        json_decref(res);
        ddb_store_close(s);
    }
}

/* Select, ProjectionExpression and the index projections. */
static void test_query_select_projection(void **state)
{
    ddb_store *s = setup_q();
    json_t *res;
    /* COUNT: no Items */
    res = rt_call(
        s, "Query",
        rt_json("{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'Select': 'COUNT',"
                " 'ExpressionAttributeValues': {':p': {'S': 'a'}}}"));
    assert_null(json_object_get(res, "Items"));
    assert_int_equal(json_integer_value(json_object_get(res, "Count")), N_ITEMS);
    assert_null(json_object_get(res, "LastEvaluatedKey"));
    json_decref(res);
    /* Limit = number of items: LastEvaluatedKey all the same */
    res = rt_call(
        s, "Query",
        rt_json("{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'Select': 'COUNT',"
                " 'Limit': %d, 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
                N_ITEMS));
    tu_assert_json_eq(json_object_get(res, "LastEvaluatedKey"),
                      "{\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"11\"}}");
    json_decref(res);
    /* projection */
    res = rt_call(
        s, "Query",
        rt_json("{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p AND sk = :s',"
                " 'ProjectionExpression': 'x, #n', 'ExpressionAttributeNames': {'#n': 'nope'},"
                " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':s': {'N': '2'}}}"));
    tu_assert_json_eq(json_object_get(res, "Items"), "[{\"x\": {\"S\": \"x2\"}}]");
    json_decref(res);
    /* INCLUDE index: keys + x by default, y is not there */
    res = rt_call(s, "Query",
                  rt_json("{'TableName': 'qtab', 'IndexName': 'gii', 'KeyConditionExpression': 'g "
                          "= :g AND sk = :s',"
                          " 'ExpressionAttributeValues': {':g': {'S': 'G2'}, ':s': {'N': '2'}}}"));
    tu_assert_json_eq(json_object_get(res, "Items"),
                      "[{\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"2\"}, \"g\": {\"S\": \"G2\"},"
                      " \"x\": {\"S\": \"x2\"}}]");
    json_decref(res);
    res = rt_call(s, "Query",
                  rt_json("{'TableName': 'qtab', 'IndexName': 'gii', 'KeyConditionExpression': 'g "
                          "= :g AND sk = :s',"
                          " 'ProjectionExpression': 'x',"
                          " 'ExpressionAttributeValues': {':g': {'S': 'G2'}, ':s': {'N': '2'}}}"));
    tu_assert_json_eq(json_object_get(res, "Items"), "[{\"x\": {\"S\": \"x2\"}}]");
    json_decref(res);
    /* a global index answers only what it holds */
    rt_invalid(s, "Query",
               rt_json("{'TableName': 'qtab', 'IndexName': 'gii', 'KeyConditionExpression': 'g "
                       "= :g AND sk = :s',"
                       " 'ProjectionExpression': 'x, y',"
                       " 'ExpressionAttributeValues': {':g': {'S': 'G2'}, ':s': {'N': '2'}}}"),
               "One or more parameter values were invalid: Global secondary index gii does not "
               "project [y]");
    /* LSI: ALL_ATTRIBUTES and projections reach the whole item */
    res = rt_call(s, "Query",
                  rt_json("{'TableName': 'qtab', 'IndexName': 'lss', 'KeyConditionExpression': 'pk "
                          "= :p AND l = :l',"
                          " 'Select': 'ALL_ATTRIBUTES', 'ConsistentRead': true,"
                          " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':l': {'S': 'L09'}}}"));
    tu_assert_json_eq(json_object_get(res, "Items"),
                      "[{\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"2\"}, \"g\": {\"S\": \"G2\"},"
                      " \"l\": {\"S\": \"L09\"}, \"x\": {\"S\": \"x2\"}, \"y\": {\"S\": \"y\"}}]");
    json_decref(res);
    /* capacity */
    res = rt_call(
        s, "Scan",
        rt_json("{'TableName': 'qtab', 'Select': 'COUNT', 'ReturnConsumedCapacity': 'TOTAL'}"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res, "ConsumedCapacity"), "TableName")),
        "qtab");
    assert_int_equal(json_integer_value(json_object_get(res, "ScannedCount")), N_ITEMS + 1);
    json_decref(res);
    ddb_store_close(s);
}

/* The ConsumedCapacity of a read of local index `lko` (KEYS_ONLY) of
   table 'fqt', with `extra` members; caller frees. */
static json_t *fetch_capacity(ddb_store *s, const char *op, const char *extra)
{
    json_t *res = rt_call(s, op,
                          rt_json("{'TableName': 'fqt', 'IndexName': 'lko',"
                                  " 'ReturnConsumedCapacity': 'INDEXES'%s}",
                                  extra));
    json_t *cap = json_incref(json_object_get(res, "ConsumedCapacity"));
    json_decref(res);
    return cap;
}

/* A local index read that asks for attributes the index does not hold
   reads each item from the table too, and pays for it under Table. */
static void test_local_index_fetch_capacity(void **state)
{
    ddb_store *s = rt_open();
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'fqt', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'sk', 'AttributeType': 'N'},"
                  "  {'AttributeName': 'l', 'AttributeType': 'N'}],"
                  " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                  "  {'AttributeName': 'sk', 'KeyType': 'RANGE'}],"
                  " 'LocalSecondaryIndexes': ["
                  "  {'IndexName': 'lko', 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                  "   {'AttributeName': 'l', 'KeyType': 'RANGE'}],"
                  "   'Projection': {'ProjectionType': 'KEYS_ONLY'}}]}"));
    for (int i = 0; i < 3; i++)
        rt_ok(s, "PutItem",
              rt_json("{'TableName': 'fqt', 'Item': {'pk': {'S': 'a'}, 'sk': {'N': '%d'},"
                      " 'l': {'N': '%d'}, 'v': {'S': 'v'}}}",
                      i, i));
    const char *q = ", 'KeyConditionExpression': 'pk = :p', 'ExpressionAttributeValues': {':p': "
                    "{'S': 'a'}}";
    char extra[256];
    snprintf(extra, sizeof extra, "%s, 'Select': 'ALL_ATTRIBUTES'", q);
    json_t *cap = fetch_capacity(s, "Query", extra);
    tu_assert_json_eq(cap, "{\"TableName\": \"fqt\", \"CapacityUnits\": 2.0,"
                           " \"Table\": {\"CapacityUnits\": 1.5},"
                           " \"LocalSecondaryIndexes\": {\"lko\": {\"CapacityUnits\": 0.5}}}");
    json_decref(cap);
    /* what the index holds, or a count: the index alone */
    snprintf(extra, sizeof extra, "%s, 'ProjectionExpression': 'l, sk'", q);
    cap = fetch_capacity(s, "Query", extra);
    tu_assert_json_eq(cap, "{\"TableName\": \"fqt\", \"CapacityUnits\": 0.5,"
                           " \"Table\": {\"CapacityUnits\": 0.0},"
                           " \"LocalSecondaryIndexes\": {\"lko\": {\"CapacityUnits\": 0.5}}}");
    json_decref(cap);
    snprintf(extra, sizeof extra, "%s, 'Select': 'COUNT'", q);
    cap = fetch_capacity(s, "Query", extra);
    assert_true(json_real_value(json_object_get(json_object_get(cap, "Table"), "CapacityUnits")) ==
                0.0);
    json_decref(cap);
    /* a Scan's projection or filter beyond the index */
    cap = fetch_capacity(s, "Scan", ", 'ProjectionExpression': 'v', 'ConsistentRead': true");
    tu_assert_json_eq(cap, "{\"TableName\": \"fqt\", \"CapacityUnits\": 4.0,"
                           " \"Table\": {\"CapacityUnits\": 3.0},"
                           " \"LocalSecondaryIndexes\": {\"lko\": {\"CapacityUnits\": 1.0}}}");
    json_decref(cap);
    cap = fetch_capacity(s, "Scan",
                         ", 'FilterExpression': 'v = :v', 'ExpressionAttributeValues': {':v': "
                         "{'S': 'w'}}, 'Select': 'ALL_PROJECTED_ATTRIBUTES'");
    tu_assert_json_eq(cap, "{\"TableName\": \"fqt\", \"CapacityUnits\": 2.0,"
                           " \"Table\": {\"CapacityUnits\": 1.5},"
                           " \"LocalSecondaryIndexes\": {\"lko\": {\"CapacityUnits\": 0.5}}}");
    json_decref(cap);
    ddb_store_close(s);
}

/* A page stops after 1 MB of items read, with the item that crossed it. */
static void test_query_1mb_pages(void **state)
{
    ddb_store *s = setup_q();
    char *big = malloc(100001);
    memset(big, 'v', 100000);
    big[100000] = '\0';
    for (int i = 0; i < 25; i++)
        rt_ok(s, "PutItem",
              rt_json("{'TableName': 'qtab', 'Item': {'pk': {'S': 'big'}, 'sk': {'N': '%d'},"
                      " 'v': {'S': '%s'}}}",
                      i, big));
    free(big);
    static const char *const filters[] = {NULL, "v = :no"};
    for (size_t f = 0; f < 2; f++) {
        json_t *esk = NULL;
        int pages = 0, scanned = 0;
        do {
            json_t *req = rt_json("{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p',"
                                  " 'ExpressionAttributeValues': {':p': {'S': 'big'}}}");
            if (filters[f]) {
                json_object_set_new(req, "FilterExpression", json_string(filters[f]));
                json_object_set_new(json_object_get(req, "ExpressionAttributeValues"), ":no",
                                    json_pack("{s:s}", "S", "no"));
            }
            if (esk) json_object_set_new(req, "ExclusiveStartKey", esk);
            json_t *res = rt_call(s, "Query", req);
            int sc = (int)json_integer_value(json_object_get(res, "ScannedCount"));
            if (pages < 2) assert_int_equal(sc, 11);
            scanned += sc;
            esk = json_incref(json_object_get(res, "LastEvaluatedKey"));
            json_decref(res);
            pages++;
        } while (esk);
        assert_int_equal(pages, 3);
        assert_int_equal(scanned, 25);
    }
    ddb_store_close(s);
}

static void test_query_errors(void **state)
{
    ddb_store *s = setup_q();
    static const struct {
        const char *op, *req, *msg;
    } cases[] = {
        {"Query", "{'TableName': 'qtab'}",
         "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
         "request."},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'Limit': 0,"
         " 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "Limit must be greater than or equal to 1"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p',"
         " 'ExpressionAttributeValues': {':p': {'N': '1'}}}",
         "One or more parameter values were invalid: Condition parameter type does not match "
         "schema type"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p AND sk > :s',"
         " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':s': {'S': '1'}}}",
         "One or more parameter values were invalid: Condition parameter type does not match "
         "schema type"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p AND begins_with(sk, :s)',"
         " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':s': {'N': '1'}}}",
         "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
         "operator or function: begins_with, operand type: N"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p AND sk BETWEEN :a AND :b',"
         " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':a': {'N': '5'}, ':b': {'N': '1'}}}",
         "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater "
         "than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound "
         "operand: "
         "AttributeValue: {N:1}"},
        {"Query",
         "{'TableName': 'qtab', 'IndexName': 'nope', 'KeyConditionExpression': 'pk = :p',"
         " 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "The table does not have the specified index: nope"},
        {"Query",
         "{'TableName': 'qtab', 'IndexName': 'gkk', 'KeyConditionExpression': 'g = :p',"
         " 'ConsistentRead': true, 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "Consistent reads are not supported on global secondary indexes"},
        {"Scan", "{'TableName': 'qtab', 'IndexName': 'gkk', 'ConsistentRead': true}",
         "Consistent reads are not supported on global secondary indexes"},
        {"Query",
         "{'TableName': 'qtab', 'IndexName': 'gkk', 'KeyConditionExpression': 'g = :p',"
         " 'Select': 'ALL_ATTRIBUTES', 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
         "for global secondary index gkk because its projection type is not ALL"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'Select': "
         "'ALL_PROJECTED_ATTRIBUTES', 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'Select': "
         "'SPECIFIC_ATTRIBUTES', 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
         "SPECIFIC_ATTRIBUTES"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'Select': 'COUNT',"
         " 'ProjectionExpression': 'x', 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "Cannot specify the ProjectionExpression when choosing to get only the Count"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'Select': 'ALL_ATTRIBUTES',"
         " 'ProjectionExpression': 'x', 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'Select': 'FOO',"
         " 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "Select must be ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, COUNT, or SPECIFIC_ATTRIBUTES"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'ExclusiveStartKey':"
         " {'pk': {'S': 'a'}}, 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "The provided starting key is invalid: The provided key element does not match the "
         "schema"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p', 'ExclusiveStartKey':"
         " {'pk': {'S': 'b'}, 'sk': {'N': '1'}}, 'ExpressionAttributeValues': {':p': {'S': 'a'}}}",
         "The provided starting key does not match the range key predicate"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p AND sk > :s', "
         "'ExclusiveStartKey':"
         " {'pk': {'S': 'a'}, 'sk': {'N': '1'}},"
         " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':s': {'N': '5'}}}",
         "The provided starting key does not match the range key predicate"},
        {"Query",
         "{'TableName': 'qtab', 'IndexName': 'gkk', 'KeyConditionExpression': 'g = :p',"
         " 'ExclusiveStartKey': {'pk': {'S': 'a'}, 'sk': {'N': '1'}},"
         " 'ExpressionAttributeValues': {':p': {'S': 'G1'}}}",
         "The provided starting key is invalid: The provided key element does not match the "
         "schema"},
        {"Query",
         "{'TableName': 'qtab', 'KeyConditionExpression': 'pk = :p',"
         " 'ExpressionAttributeValues': {':p': {'S': 'a'}, ':x': {'S': 'a'}}}",
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"},
        {"Scan", "{'TableName': 'qtab', 'Segment': 0}",
         "If segment is specified, total segment must also be specified"},
        {"Scan", "{'TableName': 'qtab', 'TotalSegments': 2}",
         "If total segments is specified, a particular segment must also be specified for this "
         "request"},
        {"Scan", "{'TableName': 'qtab', 'Segment': 2, 'TotalSegments': 2}",
         "1 validation error detected: Value '2' at 'segment' failed to satisfy constraint: "
         "Member must have value less than or equal to 1"},
        {"Scan", "{'TableName': 'qtab', 'Segment': 0, 'TotalSegments': 1000001}",
         "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy "
         "constraint: Member must have value less than or equal to 1000000"},
        {"Scan", "{'TableName': 'qtab', 'Select': 'ALL_PROJECTED_ATTRIBUTES'}",
         "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"},
        {"Scan", "{'TableName': 'qtab', 'ExpressionAttributeValues': {':a': {'S': 'x'}}}",
         "ExpressionAttributeValues can only be specified when using expressions: "
         "FilterExpression is null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        rt_invalid(s, cases[i].op, rt_json("%s", cases[i].req), cases[i].msg);
    json_decref(rt_fail(s, "Query",
                        rt_json("{'TableName': 'nope', 'KeyConditionExpression': 'pk = :p',"
                                " 'ExpressionAttributeValues': {':p': {'S': 'a'}}}"),
                        "ResourceNotFoundException", NULL));
    ddb_store_close(s);
}

/* A table without a sort key: Query finds the one item and has no LEK. */
static void test_query_hash_only(void **state)
{
    ddb_store *s = rt_open();
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'htab', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'S'}],"
                  " 'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}]}"));
    for (int i = 0; i < 5; i++)
        rt_ok(s, "PutItem", rt_json("{'TableName': 'htab', 'Item': {'id': {'S': 'i%d'}}}", i));
    json_t *res =
        rt_call(s, "Query",
                rt_json("{'TableName': 'htab', 'KeyConditionExpression': 'id = :i',"
                        " 'Limit': 1, 'ExpressionAttributeValues': {':i': {'S': 'i3'}}}"));
    tu_assert_json_eq(res, "{\"Items\": [{\"id\": {\"S\": \"i3\"}}], \"Count\": 1,"
                           " \"ScannedCount\": 1}");
    json_decref(res);
    int seen = 0;
    json_t *esk = NULL;
    do {
        json_t *req = rt_json("{'TableName': 'htab', 'Limit': 2}");
        if (esk) json_object_set_new(req, "ExclusiveStartKey", esk);
        res = rt_call(s, "Scan", req);
        seen += (int)json_array_size(json_object_get(res, "Items"));
        esk = json_incref(json_object_get(res, "LastEvaluatedKey"));
        json_decref(res);
    } while (esk);
    assert_int_equal(seen, 5);
    rt_invalid(s, "Query",
               rt_json("{'TableName': 'htab', 'KeyConditionExpression': 'id = :i AND v > :v',"
                       " 'ExpressionAttributeValues': {':i': {'S': 'x'}, ':v': {'N': '1'}}}"),
               NULL);
    ddb_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_paging_table),
        cmocka_unit_test(test_query_paging_indexes),
        cmocka_unit_test(test_scan_segments),
        cmocka_unit_test(test_query_key_types),
        cmocka_unit_test(test_query_select_projection),
        cmocka_unit_test(test_query_1mb_pages),
        cmocka_unit_test(test_local_index_fetch_capacity),
        cmocka_unit_test(test_query_errors),
        cmocka_unit_test(test_query_hash_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
