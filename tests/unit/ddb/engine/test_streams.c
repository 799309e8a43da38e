/*
 * Unit tests for the Streams API (streams_api.c) through ddb_call: the
 * records of each kind of change for each view type read with every
 * iterator type, paging with Limit, ListStreams/DescribeStream shapes,
 * disabled streams, trimmed and expired positions, and the validation
 * messages. Trimming is simulated by ageing records over a second SQLite
 * connection to an on-disk store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <zlib.h>

#include "reads_tu.h"

static void create_table(ddb_store *s, const char *name, const char *view)
{
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': '%s', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'S'}],"
                  " 'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}],"
                  " 'StreamSpecification': {'StreamEnabled': true, 'StreamViewType': '%s'}}",
                  name, view));
}

/* The table's latest stream ARN (caller frees) and its shard id. */
static char *stream_of(ddb_store *s, const char *table, char shard[80])
{
    json_t *res = rt_call(s, "ListStreams", rt_json("{'TableName': '%s'}", table));
    json_t *first = json_array_get(json_object_get(res, "Streams"), 0);
    assert_non_null(first);
    char *arn = strdup(json_string_value(json_object_get(first, "StreamArn")));
    json_decref(res);
    res = rt_call(s, "DescribeStream", rt_json("{'StreamArn': '%s'}", arn));
    json_t *sh =
        json_array_get(json_object_get(json_object_get(res, "StreamDescription"), "Shards"), 0);
    snprintf(shard, 80, "%s", json_string_value(json_object_get(sh, "ShardId")));
    json_decref(res);
    return arn;
}

/* A shard iterator (caller frees); seq NULL for TRIM_HORIZON and LATEST. */
static char *iterator(ddb_store *s, const char *arn, const char *shard, const char *type,
                      const char *seq)
{
    json_t *req = rt_json("{'StreamArn': '%s', 'ShardId': '%s', 'ShardIteratorType': '%s'}", arn,
                          shard, type);
    if (seq) json_object_set_new(req, "SequenceNumber", json_string(seq));
    json_t *res = rt_call(s, "GetShardIterator", req);
    char *it = strdup(json_string_value(json_object_get(res, "ShardIterator")));
    json_decref(res);
    return it;
}

/* Every record from `it` on, reading `limit` at a time (0: default). */
static json_t *read_all(ddb_store *s, char *it, int limit)
{
    json_t *all = json_array();
    for (int calls = 0; it && calls < 100; calls++) {
        json_t *req = json_pack("{s:s}", "ShardIterator", it);
        if (limit) json_object_set_new(req, "Limit", json_integer(limit));
        free(it);
        json_t *res = rt_call(s, "GetRecords", req);
        json_t *recs = json_object_get(res, "Records");
        if (limit) assert_true(json_array_size(recs) <= (size_t)limit);
        json_array_extend(all, recs);
        const char *next = json_string_value(json_object_get(res, "NextShardIterator"));
        it = next && json_array_size(recs) ? strdup(next) : NULL;
        json_decref(res);
    }
    free(it);
    return all;
}

static const char *rec_str(const json_t *rec, const char *path1, const char *path2)
{
    json_t *v = json_object_get(rec, path1);
    if (path2) v = json_object_get(v, path2);
    return json_string_value(v);
}

/* The changes every view type test makes: INSERT, MODIFY, MODIFY (same
   item again), REMOVE; a failed condition and a cancelled transaction add
   nothing. */
static void make_changes(ddb_store *s, const char *table)
{
    rt_ok(s, "PutItem",
          rt_json("{'TableName': '%s', 'Item': {'id': {'S': 'k'}, 'v': {'N': '1'}}}", table));
    rt_ok(s, "PutItem",
          rt_json("{'TableName': '%s', 'Item': {'id': {'S': 'k'}, 'v': {'N': '2'}}}", table));
    rt_ok(s, "PutItem",
          rt_json("{'TableName': '%s', 'Item': {'id': {'S': 'k'}, 'v': {'N': '3'}}}", table));
    json_decref(rt_fail(s, "PutItem",
                        rt_json("{'TableName': '%s', 'Item': {'id': {'S': 'k'}},"
                                " 'ConditionExpression': 'attribute_not_exists(id)'}",
                                table),
                        "ConditionalCheckFailedException", NULL));
    json_decref(rt_fail(
        s, "TransactWriteItems",
        rt_json("{'TransactItems': [{'Put': {'TableName': '%s', 'Item': {'id': {'S': 'other'}}}},"
                " {'ConditionCheck': {'TableName': '%s', 'Key': {'id': {'S': 'k'}},"
                "  'ConditionExpression': 'attribute_not_exists(id)'}}]}",
                table, table),
        "TransactionCanceledException", NULL));
    rt_ok(s, "DeleteItem", rt_json("{'TableName': '%s', 'Key': {'id': {'S': 'k'}}}", table));
}

static void test_streams_view_types(void **state)
{
    static const struct {
        const char *view;
        bool new_image, old_image;
    } cases[] = {{"KEYS_ONLY", false, false},
                 {"NEW_IMAGE", true, false},
                 {"OLD_IMAGE", false, true},
                 {"NEW_AND_OLD_IMAGES", true, true}};
    static const char *const names[] = {"INSERT", "MODIFY", "MODIFY", "REMOVE"};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ddb_store *s = rt_open();
        create_table(s, "stab", cases[c].view);
        char shard[80];
        char *arn = stream_of(s, "stab", shard);
        char *latest_before = iterator(s, arn, shard, "LATEST", NULL);
        make_changes(s, "stab");
        json_t *all = read_all(s, iterator(s, arn, shard, "TRIM_HORIZON", NULL), 0);
        assert_int_equal(json_array_size(all), 4);
        char prev_seq[32] = "";
        for (size_t i = 0; i < 4; i++) {
            json_t *r = json_array_get(all, i);
            json_t *d = json_object_get(r, "dynamodb");
            assert_string_equal(rec_str(r, "eventName", NULL), names[i]);
            assert_string_equal(rec_str(r, "eventSource", NULL), "aws:dynamodb");
            assert_string_equal(rec_str(r, "eventVersion", NULL), "1.1");
            assert_int_equal(strlen(rec_str(r, "eventID", NULL)), 36);
            assert_string_equal(rec_str(d, "StreamViewType", NULL), cases[c].view);
            tu_assert_json_eq(json_object_get(d, "Keys"), "{\"id\": {\"S\": \"k\"}}");
            const char *seq = rec_str(d, "SequenceNumber", NULL);
            assert_int_equal(strlen(seq), 21);
            assert_true(strcmp(seq, prev_seq) > 0);
            snprintf(prev_seq, sizeof prev_seq, "%s", seq);
            assert_int_equal(json_object_get(d, "NewImage") != NULL, cases[c].new_image && i < 3);
            assert_int_equal(json_object_get(d, "OldImage") != NULL, cases[c].old_image && i > 0);
            assert_null(json_object_get(r, "userIdentity"));
        }
        if (cases[c].new_image)
            tu_assert_json_eq(
                json_object_get(json_object_get(json_array_get(all, 1), "dynamodb"), "NewImage"),
                "{\"id\": {\"S\": \"k\"}, \"v\": {\"N\": \"2\"}}");
        /* the same records from a LATEST taken before the changes, one at a time */
        json_t *again = read_all(s, latest_before, 1);
        assert_true(json_equal(all, again));
        json_decref(again);
        /* AT and AFTER the second record's sequence number */
        const char *seq2 =
            rec_str(json_object_get(json_array_get(all, 1), "dynamodb"), "SequenceNumber", NULL);
        json_t *at = read_all(s, iterator(s, arn, shard, "AT_SEQUENCE_NUMBER", seq2), 2);
        assert_int_equal(json_array_size(at), 3);
        assert_true(json_equal(json_array_get(at, 0), json_array_get(all, 1)));
        json_decref(at);
        json_t *after = read_all(s, iterator(s, arn, shard, "AFTER_SEQUENCE_NUMBER", seq2), 0);
        assert_int_equal(json_array_size(after), 2);
        assert_true(json_equal(json_array_get(after, 0), json_array_get(all, 2)));
        json_decref(after);
        /* LATEST now: nothing */
        json_t *none = read_all(s, iterator(s, arn, shard, "LATEST", NULL), 0);
        assert_int_equal(json_array_size(none), 0);
        json_decref(none);
        json_decref(all);
        free(arn);
        ddb_store_close(s);
    }
}

static void test_streams_list_describe_disable(void **state)
{
    ddb_store *s = rt_open();
    create_table(s, "sone", "KEYS_ONLY");
    create_table(s, "stwo", "NEW_IMAGE");
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': 'snone', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'S'}],"
                  " 'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}]}"));
    json_t *res = rt_call(s, "ListStreams", rt_json("{}"));
    assert_int_equal(json_array_size(json_object_get(res, "Streams")), 2);
    assert_null(json_object_get(res, "LastEvaluatedStreamArn"));
    json_decref(res);
    /* paging by one */
    res = rt_call(s, "ListStreams", rt_json("{'Limit': 1}"));
    json_t *first = json_array_get(json_object_get(res, "Streams"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "TableName")), "stwo");
    const char *lek = json_string_value(json_object_get(res, "LastEvaluatedStreamArn"));
    assert_non_null(lek);
    json_t *res2 =
        rt_call(s, "ListStreams", rt_json("{'Limit': 1, 'ExclusiveStartStreamArn': '%s'}", lek));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(res2, "Streams"), 0), "TableName")),
                        "sone");
    json_decref(res2);
    json_decref(res);
    res = rt_call(s, "ListStreams", rt_json("{'TableName': 'snone'}"));
    tu_assert_json_eq(res, "{\"Streams\": []}");
    json_decref(res);

    char shard[80];
    char *arn = stream_of(s, "sone", shard);
    assert_int_equal(strncmp(shard, "shardId-", 8), 0);
    assert_int_equal(strlen(shard), 8 + 20 + 1 + 8);
    rt_ok(s, "PutItem", rt_json("{'TableName': 'sone', 'Item': {'id': {'S': 'a'}}}"));
    rt_ok(s, "PutItem", rt_json("{'TableName': 'sone', 'Item': {'id': {'S': 'b'}}}"));
    char *mid = iterator(s, arn, shard, "TRIM_HORIZON", NULL);
    res = rt_call(s, "DescribeStream", rt_json("{'StreamArn': '%s'}", arn));
    json_t *d = json_object_get(res, "StreamDescription");
    assert_string_equal(json_string_value(json_object_get(d, "StreamStatus")), "ENABLED");
    assert_string_equal(json_string_value(json_object_get(d, "StreamViewType")), "KEYS_ONLY");
    assert_string_equal(json_string_value(json_object_get(d, "TableName")), "sone");
    assert_string_equal(json_string_value(json_object_get(d, "StreamArn")), arn);
    assert_true(json_is_number(json_object_get(d, "CreationRequestDateTime")));
    tu_assert_json_eq(json_object_get(d, "KeySchema"),
                      "[{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}]");
    json_t *range =
        json_object_get(json_array_get(json_object_get(d, "Shards"), 0), "SequenceNumberRange");
    assert_non_null(json_object_get(range, "StartingSequenceNumber"));
    assert_null(json_object_get(range, "EndingSequenceNumber"));
    json_decref(res);

    rt_ok(s, "UpdateTable",
          rt_json("{'TableName': 'sone', 'StreamSpecification': {'StreamEnabled': false}}"));
    res = rt_call(s, "DescribeStream", rt_json("{'StreamArn': '%s'}", arn));
    d = json_object_get(res, "StreamDescription");
    assert_string_equal(json_string_value(json_object_get(d, "StreamStatus")), "DISABLED");
    range = json_object_get(json_array_get(json_object_get(d, "Shards"), 0), "SequenceNumberRange");
    assert_non_null(json_object_get(range, "EndingSequenceNumber"));
    json_decref(res);
    /* a disabled stream read to its end has no NextShardIterator */
    res = rt_call(s, "GetRecords", json_pack("{s:s}", "ShardIterator", mid));
    assert_int_equal(json_array_size(json_object_get(res, "Records")), 2);
    assert_null(json_object_get(res, "NextShardIterator"));
    json_decref(res);
    free(mid);
    free(arn);
    ddb_store_close(s);
}

static void test_streams_errors(void **state)
{
    ddb_store *s = rt_open();
    create_table(s, "serr", "KEYS_ONLY");
    char shard[80];
    char *arn = stream_of(s, "serr", shard);
    char *it = iterator(s, arn, shard, "TRIM_HORIZON", NULL);
    static const struct {
        const char *op, *req, *type, *msg;
    } cases[] = {
        {"GetShardIterator", "{'StreamArn': '%s', 'ShardId': '%s', 'ShardIteratorType': 'FOO'}",
         "ValidationException",
         "1 validation error detected: Value 'FOO' at 'shardIteratorType' failed to satisfy "
         "constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, "
         "AT_SEQUENCE_NUMBER, TRIM_HORIZON]"},
        {"GetShardIterator",
         "{'StreamArn': '%s', 'ShardId': '%s', 'ShardIteratorType': 'AT_SEQUENCE_NUMBER'}",
         "ValidationException",
         "One or more parameter values were invalid: Invalid SequenceNumber"},
        {"GetShardIterator",
         "{'StreamArn': '%s', 'ShardId': '%s', 'ShardIteratorType': 'LATEST',"
         " 'SequenceNumber': '000000000000000000001'}",
         "ValidationException",
         "One or more parameter values were invalid: SequenceNumber should not be passed for this "
         "iterator type"},
        {"GetShardIterator",
         "{'StreamArn': '%s', 'ShardId': '%s', 'ShardIteratorType': 'AT_SEQUENCE_NUMBER',"
         " 'SequenceNumber': '1'}",
         "ValidationException",
         "1 validation error detected: Value '1' at 'sequenceNumber' failed to satisfy "
         "constraint: Member must have length greater than or equal to 21"},
        {"GetShardIterator",
         "{'StreamArn': '%s', 'ShardId': '%s-x', 'ShardIteratorType': 'LATEST'}",
         "ResourceNotFoundException", "Requested resource not found: Shard does not exist"},
        {"DescribeStream", "{'StreamArn': '%s-nope', 'ExclusiveStartShardId': '%s'}",
         "ResourceNotFoundException", NULL},
        {"ListStreams", "{'Limit': 0, 'TableName': '%s%s'}", "ValidationException",
         "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
         "Member must have value greater than or equal to 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        json_decref(rt_fail(s, cases[i].op, rt_json(cases[i].req, arn, shard), cases[i].type,
                            cases[i].msg));
    rt_invalid(s, "GetRecords", rt_json("{'ShardIterator': 'garbage'}"), "Invalid ShardIterator");
    /* a changed iterator is refused */
    char *bad = strdup(it);
    bad[strlen(arn) + 1] = bad[strlen(arn) + 1] == '9' ? '8' : '9';
    rt_invalid(s, "GetRecords", json_pack("{s:s}", "ShardIterator", bad), "Invalid ShardIterator");
    free(bad);
    rt_invalid(s, "GetRecords", json_pack("{s:s, s:i}", "ShardIterator", it, "Limit", 1001),
               "One or more parameter values were invalid: Limit should be less than or equal to "
               "1000");
    /* an iterator issued more than 15 minutes ago has expired */
    int64_t sid, pos, issued;
    const char *tail = it + strlen(arn);
    assert_int_equal(sscanf(tail, "|%" SCNd64 "|%" SCNd64 "|%" SCNd64, &sid, &pos, &issued), 3);
    char old[512];
    int n = snprintf(old, sizeof old, "%s|%" PRId64 "|%" PRId64 "|%" PRId64, arn, sid, pos,
                     issued - (int64_t)16 * 60 * 1000000);
    snprintf(old + n, sizeof old - (size_t)n, "|%08lx",
             (unsigned long)crc32(0L, (const Bytef *)old, (uInt)n));
    json_decref(rt_fail(s, "GetRecords", json_pack("{s:s}", "ShardIterator", old),
                        "ExpiredIteratorException", NULL));
    free(it);
    free(arn);
    ddb_store_close(s);
}

/* Records older than 24 hours are gone, and so are positions before them. */
static void test_streams_trim_horizon(void **state)
{
    char *dir = tu_tmpdir();
    ddb_embedded_options opt = {0};
    opt.dir = dir;
    opt.no_fsync = true;
    opt.no_background = true;
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = ddb_embedded_open(&opt, &err);
    assert_non_null(s);
    create_table(s, "strim", "KEYS_ONLY");
    char shard[80];
    char *arn = stream_of(s, "strim", shard);
    for (int i = 0; i < 4; i++)
        rt_ok(s, "PutItem", rt_json("{'TableName': 'strim', 'Item': {'id': {'S': 'k%d'}}}", i));
    char *early = iterator(s, arn, shard, "TRIM_HORIZON", NULL);
    json_t *all = read_all(s, iterator(s, arn, shard, "TRIM_HORIZON", NULL), 0);
    assert_int_equal(json_array_size(all), 4);
    char seq1[32];
    snprintf(seq1, sizeof seq1, "%s",
             rec_str(json_object_get(json_array_get(all, 0), "dynamodb"), "SequenceNumber", NULL));

    /* age the first two records past the retention, over a second connection */
    char path[512];
    snprintf(path, sizeof path, "%s/ddb.sqlite", dir);
    sqlite3 *db = NULL;
    char *sql =
        sqlite3_mprintf("UPDATE stream_records SET created_us = created_us - %lld"
                        " WHERE seq IN (SELECT seq FROM stream_records ORDER BY seq LIMIT 2)",
                        25LL * 3600 * 1000000);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 2);
    sqlite3_free(sql);
    sqlite3_close(db);

    json_t *rest = read_all(s, iterator(s, arn, shard, "TRIM_HORIZON", NULL), 0);
    assert_int_equal(json_array_size(rest), 2);
    assert_true(json_equal(json_array_get(rest, 0), json_array_get(all, 2)));
    json_decref(rest);
    json_decref(rt_fail(s, "GetShardIterator",
                        rt_json("{'StreamArn': '%s', 'ShardId': '%s', 'ShardIteratorType':"
                                " 'AT_SEQUENCE_NUMBER', 'SequenceNumber': '%s'}",
                                arn, shard, seq1),
                        "TrimmedDataAccessException", NULL));
    json_decref(rt_fail(s, "GetRecords", json_pack("{s:s}", "ShardIterator", early),
                        "TrimmedDataAccessException", NULL));
    free(early);
    json_decref(all);
    free(arn);
    ddb_store_close(s);
    tu_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_view_types),
        cmocka_unit_test(test_streams_list_describe_disable),
        cmocka_unit_test(test_streams_errors),
        cmocka_unit_test(test_streams_trim_horizon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
