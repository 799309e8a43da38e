/*
 * Unit tests for the order of index entries with equal keys (key_hash.c:
 * eng_index_tie). The expected values were read from DynamoDB Local
 * 3.3.1's SQLite file (-dbPath) for one stored item: its `hashValue`,
 * `rangeValue` and `hashRangeValue` columns. Which of them orders an index
 * is the last column of the index's CREATE INDEX in that file, or, for the
 * GSIs it makes no SQLite index for, the last column of the ORDER BY its
 * Query and Scan build (SQLiteDBAccess.getTrailingHashColumnName, read with
 * javap). Each index shape below must get the column 3.3.1 uses for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ddb/engine/engine_int.h"
#include "testutil.h"

/* The item {pk: "p1", sk: 5} of table vtie1 in 3.3.1's file. */
static const char vtie1_hash[] = "e8b8aed4b300bfb617a7eb113e05ae6c8dd07055";
static const char vtie1_range[] = "3c9ccc56f3763c723e2fc84e5f988c134b3b9cd6";
static const char vtie1_hash_range[] = "7b5fa728fef4d4d055307f1d8d7587833cd47401";
/* The item {pk: -12.5} of table vtie2 (no sort key). */
static const char vtie2_hash[] = "33ff94bd9d54a9dbb850d3b44ef0c866bc188f47";

/* The CreateTable requests sent to 3.3.1 (' for "). */
#define KO "'Projection': {'ProjectionType': 'KEYS_ONLY'}, "
static const char vtie1_create[] =
    "{'TableName': 'vtie1', 'BillingMode': 'PAY_PER_REQUEST',"
    " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
    "  {'AttributeName': 'sk', 'AttributeType': 'N'}, {'AttributeName': 'g', 'AttributeType': 'S'},"
    "  {'AttributeName': 'a', 'AttributeType': 'S'}, {'AttributeName': 'b', 'AttributeType': 'N'}],"
    " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
    "  {'AttributeName': 'sk', 'KeyType': 'RANGE'}],"
    " 'GlobalSecondaryIndexes': ["
    "  {" KO "'IndexName': 'g_only', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}]},"
    "  {" KO "'IndexName': 'k_pk', 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'}]},"
    "  {" KO "'IndexName': 'k_sk', 'KeySchema': [{'AttributeName': 'sk', 'KeyType': 'HASH'}]},"
    "  {" KO "'IndexName': 'pk_g', 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
    "   {'AttributeName': 'g', 'KeyType': 'RANGE'}]},"
    "  {" KO "'IndexName': 'g_sk', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'},"
    "   {'AttributeName': 'sk', 'KeyType': 'RANGE'}]},"
    "  {" KO "'IndexName': 'mk_a_pk_b', 'KeySchema': [{'AttributeName': 'a', 'KeyType': 'HASH'},"
    "   {'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'b', 'KeyType': 'RANGE'}]},"
    "  {" KO "'IndexName': 'mk_ab', 'KeySchema': [{'AttributeName': 'a', 'KeyType': 'HASH'},"
    "   {'AttributeName': 'b', 'KeyType': 'HASH'}]},"
    "  {" KO "'IndexName': 'mk_a_b_sk', 'KeySchema': [{'AttributeName': 'a', 'KeyType': 'HASH'},"
    "   {'AttributeName': 'b', 'KeyType': 'RANGE'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}]}],"
    " 'LocalSecondaryIndexes': ["
    "  {" KO "'IndexName': 'lsi_a', 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
    "   {'AttributeName': 'a', 'KeyType': 'RANGE'}]}]}";

static const char vtie2_create[] =
    "{'TableName': 'vtie2', 'BillingMode': 'PAY_PER_REQUEST',"
    " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'N'},"
    "  {'AttributeName': 'g', 'AttributeType': 'S'}],"
    " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'}],"
    " 'GlobalSecondaryIndexes': ["
    "  {" KO "'IndexName': 'g_only', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}]}]}";

/* `text` with ' for ". */
static json_t *create_req(const char *text)
{
    char buf[4096];
    size_t n = strlen(text);
    assert_true(n < sizeof buf);
    for (size_t i = 0; i <= n; i++)
        buf[i] = text[i] == '\'' ? '"' : text[i];
    return tu_json(buf);
}

static ddb_table *make_table(const char *text)
{
    json_t *req = create_req(text);
    ddb_err err = DDB_ERR_INIT;
    ddb_table *t = ddb_table_create(req, 0, &err);
    if (!t) fail_msg("CreateTable refused: %s", err.message);
    json_decref(req);
    return t;
}

/* The tie hash of index `name` for the item with Key `key`, as hex. */
static void tie_of(const ddb_table *t, const char *name, const char *key, char out[41])
{
    const ddb_index *ix = ddb_table_find_index(t, name);
    assert_non_null(ix);
    json_t *k = tu_json(key);
    eng_key tk;
    eng_key_init(&tk);
    ddb_err err = DDB_ERR_INIT;
    assert_true(eng_key_from_key(t, k, &tk, NULL, &err));
    unsigned char tie[ENG_HASH_LEN];
    eng_index_tie(t, ix, &tk, tie);
    for (int i = 0; i < ENG_HASH_LEN; i++)
        sprintf(out + 2 * i, "%02x", tie[i]);
    eng_key_free(&tk);
    json_decref(k);
}

static const char vtie1_key[] = "{\"pk\": {\"S\": \"p1\"}, \"sk\": {\"N\": \"5\"}}";

/* An index key without the table's key attributes: hashRangeValue. */
static void test_tie_without_table_keys(void **state)
{
    (void)state;
    ddb_table *t = make_table(vtie1_create);
    char tie[41];
    tie_of(t, "g_only", vtie1_key, tie);
    assert_string_equal(tie, vtie1_hash_range);
    tie_of(t, "mk_ab", vtie1_key, tie);
    assert_string_equal(tie, vtie1_hash_range);
    ddb_table_free(t);
}

/* An index key holding the partition key (every LSI): rangeValue. */
static void test_tie_with_partition_key(void **state)
{
    (void)state;
    ddb_table *t = make_table(vtie1_create);
    char tie[41];
    const char *names[] = {"k_pk", "pk_g", "mk_a_pk_b", "lsi_a"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        tie_of(t, names[i], vtie1_key, tie);
        assert_string_equal(tie, vtie1_range);
    }
    ddb_table_free(t);
}

/* An index key holding the sort key but not the partition key: hashValue. */
static void test_tie_with_sort_key(void **state)
{
    (void)state;
    ddb_table *t = make_table(vtie1_create);
    char tie[41];
    const char *names[] = {"k_sk", "g_sk", "mk_a_b_sk"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        tie_of(t, names[i], vtie1_key, tie);
        assert_string_equal(tie, vtie1_hash);
    }
    ddb_table_free(t);
}

/* A table without a sort key: hashValue, here of a negative number. */
static void test_tie_without_sort_key(void **state)
{
    (void)state;
    ddb_table *t = make_table(vtie2_create);
    char tie[41];
    tie_of(t, "g_only", "{\"pk\": {\"N\": \"-12.5\"}}", tie);
    assert_string_equal(tie, vtie2_hash);
    ddb_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tie_without_table_keys),
        cmocka_unit_test(test_tie_with_partition_key),
        cmocka_unit_test(test_tie_with_sort_key),
        cmocka_unit_test(test_tie_without_sort_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
