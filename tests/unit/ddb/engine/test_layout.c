/*
 * Unit tests for DynamoDB Local's hashes (key_hash.c) and the upgrade of
 * stores written before them (layout.c): number keys hash as its
 * encodeBigDecimal form, segment bounds cut the 160-bit space as its
 * ScanFunction does, and a data folder written with the old layout (a
 * 32-bit CRC in `h`, no `tie` in idx) opens with every row kept and
 * answers exactly as a store written with the new layout, once; a store
 * whose rows cannot all be carried over is refused and left unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <zlib.h>

#include "ddb/engine/engine_int.h"
#include "ddb/model/number.h"
#include "testutil.h"

#include "reads_tu.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* The encodeBigDecimal bytes of `text` as hex. */
static void local_bytes(const char *text, char *out)
{
    ddb_num x;
    ddb_err err = DDB_ERR_INIT;
    assert_true(ddb_num_parse(text, &x, &err));
    buf_t b = BUF_INIT;
    ddb_num_local_encode(&x, &b);
    hex((const unsigned char *)b.data, b.len, out);
    buf_free(&b);
}

static void test_number_local_encoding(void **state)
{
    (void)state;
    char h[2 * DDB_NUM_LOCAL_MAX + 1];
    local_bytes("0", h);
    assert_string_equal(h, "80");
    local_bytes("1", h); /* one digit before the point: padded to "01" */
    assert_string_equal(h, "c102");
    local_bytes("-1", h); /* inverted class, 101 - 1, then the end byte 102 */
    assert_string_equal(h, "3e6466");
    local_bytes("12.5", h);
    assert_string_equal(h, "c10d33");
    local_bytes("1E-130", h); /* exponent -129 -> -128: class 192 - 64 */
    assert_string_equal(h, "8002");
    /* 38 digits with an odd count before the point: 20 pairs, no end byte */
    local_bytes("-1234567890123456789012345678901234567.8", h);
    assert_string_equal(h, "2c644e38220c644e38220c644e38220c644e382215");
    /* 38 digits, an even count: 19 pairs and the end byte */
    local_bytes("-12345678901234567890123456789012345678", h);
    assert_string_equal(h, "2c59432d170b59432d170b59432d170b59432d1766");
}

static void test_hash_values(void **state)
{
    (void)state;
    unsigned char out[ENG_HASH_LEN];
    char h[2 * ENG_HASH_LEN + 1];
    eng_hash('S', "a", 1, out); /* read from DynamoDB Local's SQLite file */
    hex(out, 4, h);
    assert_string_equal(h, "ff7ab1ad");
    eng_hash('S', "abc", 3, out);
    hex(out, 4, h);
    assert_string_equal(h, "464a387c");
    buf_t k = BUF_INIT;
    ddb_num one;
    ddb_err err = DDB_ERR_INIT;
    assert_true(ddb_num_parse("1", &one, &err));
    ddb_num_key_encode(&one, &k);
    eng_hash('N', k.data, k.len, out);
    hex(out, 4, h);
    assert_string_equal(h, "2daa972c");
    buf_free(&k);
}

static void test_segment_bounds(void **state)
{
    (void)state;
    unsigned char lo[ENG_HASH_LEN], hi[ENG_HASH_LEN];
    char a[2 * ENG_HASH_LEN + 1], b[2 * ENG_HASH_LEN + 1];
    eng_segment_bounds(0, 1, lo, hi);
    hex(lo, ENG_HASH_LEN, a);
    hex(hi, ENG_HASH_LEN, b);
    assert_string_equal(a, "0000000000000000000000000000000000000000");
    assert_string_equal(b, "ffffffffffffffffffffffffffffffffffffffff");
    eng_segment_bounds(0, 2, lo, hi);
    hex(hi, ENG_HASH_LEN, b);
    assert_string_equal(b, "7ffffffffffffffffffffffffffffffffffffffe");
    eng_segment_bounds(1, 2, lo, hi);
    hex(lo, ENG_HASH_LEN, a);
    hex(hi, ENG_HASH_LEN, b);
    assert_string_equal(a, "7fffffffffffffffffffffffffffffffffffffff");
    assert_string_equal(b, "ffffffffffffffffffffffffffffffffffffffff");
    eng_segment_bounds(1, 3, lo, hi); /* q = (2^160-1)/3 = 0x5555... */
    hex(lo, ENG_HASH_LEN, a);
    hex(hi, ENG_HASH_LEN, b);
    assert_string_equal(a, "5555555555555555555555555555555555555555");
    assert_string_equal(b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa9");
    eng_segment_bounds(6, 7, lo, hi);
    hex(hi, ENG_HASH_LEN, b);
    assert_string_equal(b, "ffffffffffffffffffffffffffffffffffffffff");
}

/* ---- the upgrade of an old store ---- */

static void fill(ddb_store *s)
{
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'old', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'sk', 'AttributeType': 'N'},"
                  "  {'AttributeName': 'g', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'l', 'AttributeType': 'S'}],"
                  " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                  "  {'AttributeName': 'sk', 'KeyType': 'RANGE'}],"
                  " 'GlobalSecondaryIndexes': [{'IndexName': 'by_g',"
                  "  'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}],"
                  "  'Projection': {'ProjectionType': 'ALL'}}],"
                  " 'LocalSecondaryIndexes': [{'IndexName': 'by_l',"
                  "  'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
                  "   {'AttributeName': 'l', 'KeyType': 'RANGE'}],"
                  "  'Projection': {'ProjectionType': 'KEYS_ONLY'}}]}"));
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'nums', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'k', 'AttributeType': 'N'}],"
                  " 'KeySchema': [{'AttributeName': 'k', 'KeyType': 'HASH'}]}"));
    for (int i = 0; i < 40; i++) {
        rt_ok(s, "PutItem",
              rt_json("{'TableName': 'old', 'Item': {'pk': {'S': 'p%d'}, 'sk': {'N': '%d'},"
                      " 'g': {'S': 'g%d'}, 'l': {'S': 'l%d'}}}",
                      i % 7, i, i % 2, i % 3));
        rt_ok(s, "PutItem",
              rt_json("{'TableName': 'nums', 'Item': {'k': {'N': '-%d.%d'}}}", i * 37, i));
    }
}

/* Every answer the test compares, as one JSON text (caller frees). */
static char *answers(ddb_store *s)
{
    json_t *all = json_array();
    json_array_append_new(all, rt_call(s, "Scan", rt_json("{'TableName': 'old', 'Limit': 100}")));
    json_array_append_new(all, rt_call(s, "Scan", rt_json("{'TableName': 'nums'}")));
    json_array_append_new(
        all, rt_call(s, "Scan", rt_json("{'TableName': 'old', 'Segment': 1, 'TotalSegments': 3}")));
    json_array_append_new(all, rt_call(s, "Scan",
                                       rt_json("{'TableName': 'old', 'IndexName': "
                                               "'by_g'}")));
    json_array_append_new(all, rt_call(s, "Scan",
                                       rt_json("{'TableName': 'old', 'IndexName': "
                                               "'by_l'}")));
    json_array_append_new(
        all, rt_call(s, "Query",
                     rt_json("{'TableName': 'old', 'IndexName': 'by_g', 'KeyConditionExpression':"
                             " 'g = :g', 'ExpressionAttributeValues': {':g': {'S': 'g1'}}}")));
    json_array_append_new(
        all, rt_call(s, "Query",
                     rt_json("{'TableName': 'old', 'IndexName': 'by_l', 'KeyConditionExpression':"
                             " 'pk = :p', 'ExpressionAttributeValues': {':p': {'S': 'p3'}}}")));
    json_array_append_new(
        all, rt_call(s, "GetItem",
                     rt_json("{'TableName': 'old', 'Key': {'pk': {'S': 'p2'}, 'sk': {'N': "
                             "'9'}}}")));
    char *text = json_dumps(all, JSON_COMPACT);
    json_decref(all);
    return text;
}

static void crc_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const void *p = sqlite3_value_blob(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    sqlite3_result_int64(ctx, (sqlite3_int64)crc32(0L, p ? p : (const void *)"", (uInt)n));
}

/* Rewrites the store in `dir` into the layout cruddur wrote before the
   hashes: h and th a CRC-32 of the encoded partition key, no tie, no meta. */
static void downgrade(const char *dir, const char *extra_sql)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/ddb.sqlite", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_create_function(db, "crc", 1, SQLITE_UTF8, NULL, crc_fn, NULL, NULL);
    char *msg = NULL;
    int rc = sqlite3_exec(
        db,
        "BEGIN;"
        "CREATE TABLE items_old(tid INTEGER NOT NULL, h INTEGER NOT NULL, hk BLOB NOT NULL,"
        " rk BLOB NOT NULL, item TEXT NOT NULL, size INTEGER NOT NULL, expires INTEGER,"
        " PRIMARY KEY(tid, h, hk, rk)) WITHOUT ROWID;"
        "INSERT INTO items_old SELECT tid, crc(hk), hk, rk, item, size, expires FROM items;"
        "DROP TABLE items; ALTER TABLE items_old RENAME TO items;"
        "CREATE INDEX items_expiry ON items(tid, expires) WHERE expires IS NOT NULL;"
        "CREATE TABLE idx_old(tid INTEGER NOT NULL, ino INTEGER NOT NULL, h INTEGER NOT NULL,"
        " hk BLOB NOT NULL, rk BLOB NOT NULL, th INTEGER NOT NULL, thk BLOB NOT NULL,"
        " trk BLOB NOT NULL, PRIMARY KEY(tid, ino, h, hk, rk, th, thk, trk)) WITHOUT ROWID;"
        "INSERT INTO idx_old SELECT tid, ino, crc(hk), hk, rk, crc(thk), thk, trk FROM idx;"
        "DROP TABLE idx; ALTER TABLE idx_old RENAME TO idx;"
        "DELETE FROM meta;"
        "COMMIT;",
        NULL, NULL, &msg);
    if (rc != SQLITE_OK) fail_msg("downgrade: %s", msg);
    if (extra_sql) assert_int_equal(sqlite3_exec(db, extra_sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static long long query_int(const char *dir, const char *sql)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/ddb.sqlite", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void test_old_store_is_upgraded_once(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = rt_try_open(dir, &err);
    assert_non_null(s);
    fill(s);
    char *want = answers(s);
    ddb_store_close(s);
    long long items = query_int(dir, "SELECT count(*) FROM items");
    long long entries = query_int(dir, "SELECT count(*) FROM idx");
    assert_int_equal(items, 80);
    assert_true(entries > 40);

    downgrade(dir, NULL);
    assert_int_equal(query_int(dir, "SELECT count(*) FROM items WHERE typeof(h) = 'integer'"),
                     items);
    for (int round = 0; round < 2; round++) { /* the second open finds nothing to do */
        s = rt_try_open(dir, &err);
        if (!s) fail_msg("reopen: %s", err.message);
        char *got = answers(s);
        assert_string_equal(got, want);
        free(got);
        ddb_store_close(s);
        assert_int_equal(query_int(dir, "SELECT count(*) FROM items WHERE length(h) = 20"), items);
        assert_int_equal(query_int(dir, "SELECT count(*) FROM idx WHERE length(th) = 20"
                                        " AND length(tie) = 20"),
                         entries);
        /* the GSI's 40 entries have an empty h, the LSI's their partition's */
        assert_int_equal(query_int(dir, "SELECT count(*) FROM idx WHERE length(h) = 0"), 40);
        assert_int_equal(query_int(dir, "SELECT count(*) FROM idx WHERE length(h) = 20"),
                         entries - 40);
        assert_int_equal(query_int(dir, "SELECT count(*) FROM meta WHERE k = 'key_hash'"), 1);
        assert_int_equal(query_int(dir, "SELECT count(*) FROM sqlite_master WHERE name IN"
                                        " ('items_v1', 'idx_v1')"),
                         0);
    }
    free(want);
    tu_rmdir(dir);
    free(dir);
}

/* A store written before items.kept existed gains the column, empty, once,
   with every item kept; writes then keep the order DynamoDB Local keeps. */
static void test_store_gains_kept_column(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = rt_try_open(dir, &err);
    assert_non_null(s);
    fill(s);
    char *want = answers(s);
    ddb_store_close(s);
    char path[4096];
    snprintf(path, sizeof path, "%s/ddb.sqlite", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "ALTER TABLE items DROP COLUMN kept", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    const char *has_kept = "SELECT count(*) FROM pragma_table_info('items') WHERE name = 'kept'";
    assert_int_equal(query_int(dir, has_kept), 0);
    for (int round = 0; round < 2; round++) { /* the second open finds nothing to do */
        s = rt_try_open(dir, &err);
        if (!s) fail_msg("reopen: %s", err.message);
        char *got = answers(s);
        assert_string_equal(got, want);
        free(got);
        ddb_store_close(s);
        assert_int_equal(query_int(dir, has_kept), 1);
        assert_int_equal(query_int(dir, "SELECT count(*) FROM items"), 80);
        assert_int_equal(query_int(dir, "SELECT count(*) FROM items WHERE kept IS NOT NULL"), 0);
    }
    /* AttributeUpdates after an UpdateExpression: the kept order differs
       from the one a read shows, and a failed PutItem answers it (as
       DynamoDB Local 3.3.1 answered these requests) */
    s = rt_try_open(dir, &err);
    assert_non_null(s);
    rt_ok(s, "UpdateItem",
          rt_json("{'TableName': 'old', 'Key': {'pk': {'S': 'p2'}, 'sk': {'N': '9'}},"
                  " 'UpdateExpression': 'SET ww = :v', 'ExpressionAttributeValues': {':v': {'N': "
                  "'1'}}}"));
    rt_ok(s, "UpdateItem",
          rt_json("{'TableName': 'old', 'Key': {'pk': {'S': 'p2'}, 'sk': {'N': '9'}},"
                  " 'AttributeUpdates': {'k2': {'Action': 'PUT', 'Value': {'N': '1'}},"
                  " 'ww': {'Action': 'DELETE'}, 'a1': {'Action': 'PUT', 'Value': {'N': '1'}}}}"));
    json_t *detail = rt_fail(s, "PutItem",
                             rt_json("{'TableName': 'old', 'Item': {'pk': {'S': 'p2'}, 'sk': "
                                     "{'N': '9'}}, 'ConditionExpression': "
                                     "'attribute_not_exists(pk)',"
                                     " 'ReturnValuesOnConditionCheckFailure': 'ALL_OLD'}"),
                             "ConditionalCheckFailedException", NULL);
    /* kept: g, l, pk, sk, ww sorted through a new HashMap(), less ww, then
       k2 and a1 as sent; a read shows {sk, a1, pk, l, g, k2} */
    const char *name;
    json_t *v;
    char got[64] = "";
    json_object_foreach(json_object_get(detail, "Item"), name, v)
    {
        strcat(got, got[0] ? "," : "");
        strcat(got, name);
    }
    assert_string_equal(got, "g,sk,pk,l,k2,a1");
    json_decref(detail);
    ddb_store_close(s);
    assert_int_equal(query_int(dir, "SELECT count(*) FROM items WHERE kept IS NOT NULL"), 1);
    free(want);
    tu_rmdir(dir);
    free(dir);
}

static void test_upgrade_refuses_rows_of_no_table(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = rt_try_open(dir, &err);
    assert_non_null(s);
    fill(s);
    ddb_store_close(s);
    /* a row whose table is gone: the upgrade cannot hash it, so it refuses */
    downgrade(dir, "INSERT INTO items VALUES(999, 1, X'61', X'', '{}', 0, NULL)");
    s = rt_try_open(dir, &err);
    assert_null(s);
    assert_non_null(strstr(err.message, "1 of 81 items"));
    ddb_err_clear(&err);
    /* nothing changed: the old tables are intact, no half-done copy */
    assert_int_equal(query_int(dir, "SELECT count(*) FROM items WHERE typeof(h) = 'integer'"), 81);
    assert_int_equal(query_int(dir, "SELECT count(*) FROM meta"), 0);
    assert_int_equal(query_int(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'items_v1'"),
                     0);
    tu_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_local_encoding),
        cmocka_unit_test(test_hash_values),
        cmocka_unit_test(test_segment_bounds),
        cmocka_unit_test(test_old_store_is_upgraded_once),
        cmocka_unit_test(test_upgrade_refuses_rows_of_no_table),
        cmocka_unit_test(test_store_gains_kept_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
