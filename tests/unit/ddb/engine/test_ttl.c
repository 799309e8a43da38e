/*
 * Unit tests for the TTL sweep (ttl.c) through ddb_embedded_sweep_ttl on
 * an in-memory store: expired items go (over several batches), others
 * stay, indexes follow, tables without TTL are untouched, and each
 * deletion shows in the stream as a REMOVE by the TTL service.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "reads_tu.h"

#define N_EXPIRED 230

static void create(ddb_store *s, const char *name)
{
    rt_ok(s, "CreateTable",
          rt_json("{'TableName': '%s', 'BillingMode': 'PAY_PER_REQUEST',"
                  " 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'S'},"
                  "  {'AttributeName': 'g', 'AttributeType': 'S'}],"
                  " 'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}],"
                  " 'GlobalSecondaryIndexes': [{'IndexName': 'by_g',"
                  "  'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}],"
                  "  'Projection': {'ProjectionType': 'ALL'}}],"
                  " 'StreamSpecification': {'StreamEnabled': true,"
                  "  'StreamViewType': 'NEW_AND_OLD_IMAGES'}}",
                  name));
}

static long count(ddb_store *s, const char *table, const char *index)
{
    json_t *req = rt_json("{'TableName': '%s', 'Select': 'COUNT'}", table);
    if (index) json_object_set_new(req, "IndexName", json_string(index));
    json_t *res = rt_call(s, "Scan", req);
    long n = (long)json_integer_value(json_object_get(res, "Count"));
    json_decref(res);
    return n;
}

/* Every stream record of the table's stream. */
static json_t *stream_records(ddb_store *s, const char *table)
{
    json_t *res = rt_call(s, "ListStreams", rt_json("{'TableName': '%s'}", table));
    char *arn = strdup(json_string_value(
        json_object_get(json_array_get(json_object_get(res, "Streams"), 0), "StreamArn")));
    json_decref(res);
    res = rt_call(s, "DescribeStream", rt_json("{'StreamArn': '%s'}", arn));
    json_t *sh =
        json_array_get(json_object_get(json_object_get(res, "StreamDescription"), "Shards"), 0);
    json_t *req = json_pack("{s:s, s:O, s:s}", "StreamArn", arn, "ShardId",
                            json_object_get(sh, "ShardId"), "ShardIteratorType", "TRIM_HORIZON");
    json_decref(res);
    free(arn);
    res = rt_call(s, "GetShardIterator", req);
    json_t *all = json_array();
    char *it = strdup(json_string_value(json_object_get(res, "ShardIterator")));
    json_decref(res);
    while (it) {
        res = rt_call(s, "GetRecords", json_pack("{s:s}", "ShardIterator", it));
        free(it);
        json_t *recs = json_object_get(res, "Records");
        json_array_extend(all, recs);
        it = json_array_size(recs)
                 ? strdup(json_string_value(json_object_get(res, "NextShardIterator")))
                 : NULL;
        json_decref(res);
    }
    return all;
}

static void test_ttl_sweep_deletes_expired(void **state)
{
    ddb_store *s = rt_open();
    create(s, "ttl_on");
    create(s, "ttl_off");
    rt_ok(s, "UpdateTimeToLive",
          rt_json("{'TableName': 'ttl_on', 'TimeToLiveSpecification':"
                  " {'AttributeName': 'exp', 'Enabled': true}}"));
    for (int i = 0; i < N_EXPIRED; i++)
        rt_ok(s, "PutItem",
              rt_json("{'TableName': 'ttl_on', 'Item': {'id': {'S': 'old%d'}, 'g': {'S': 'G'},"
                      " 'exp': {'N': '%d'}}}",
                      i, 1000 + i % 1000));
    /* at the limit (<= now), in the future, not a number, absent */
    rt_ok(s, "PutItem",
          rt_json("{'TableName': 'ttl_on', 'Item': {'id': {'S': 'edge'}, 'exp': {'N': '2000'}}}"));
    rt_ok(s, "PutItem",
          rt_json("{'TableName': 'ttl_on', 'Item': {'id': {'S': 'later'}, 'g': {'S': 'G'}, 'exp': "
                  "{'N': '2001'}}}"));
    rt_ok(s, "PutItem",
          rt_json("{'TableName': 'ttl_on', 'Item': {'id': {'S': 'text'}, 'exp': {'S': '10'}}}"));
    rt_ok(s, "PutItem", rt_json("{'TableName': 'ttl_on', 'Item': {'id': {'S': 'none'}}}"));
    rt_ok(s, "PutItem",
          rt_json("{'TableName': 'ttl_off', 'Item': {'id': {'S': 'x'}, 'exp': {'N': '5'}}}"));

    ddb_err err = DDB_ERR_INIT;
    assert_int_equal(ddb_embedded_sweep_ttl(s, 2000, &err), N_EXPIRED + 1);
    assert_int_equal(count(s, "ttl_on", NULL), 3);
    assert_int_equal(count(s, "ttl_on", "by_g"), 1);
    assert_int_equal(count(s, "ttl_off", NULL), 1);
    assert_int_equal(ddb_embedded_sweep_ttl(s, 2000, &err), 0);
    assert_int_equal(ddb_embedded_sweep_ttl(s, 2001, &err), 1);

    json_t *recs = stream_records(s, "ttl_on");
    assert_int_equal(json_array_size(recs), N_EXPIRED + 4 + N_EXPIRED + 2);
    size_t removes = 0;
    size_t i;
    json_t *r;
    json_array_foreach(recs, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "eventName"));
        if (strcmp(name, "REMOVE") != 0) {
            assert_null(json_object_get(r, "userIdentity"));
            continue;
        }
        removes++;
        tu_assert_json_eq(json_object_get(r, "userIdentity"),
                          "{\"Type\": \"Service\", \"PrincipalId\": \"dynamodb.amazonaws.com\"}");
        assert_non_null(json_object_get(json_object_get(r, "dynamodb"), "OldImage"));
        assert_null(json_object_get(json_object_get(r, "dynamodb"), "NewImage"));
    }
    assert_int_equal(removes, N_EXPIRED + 2);
    json_decref(recs);
    ddb_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ttl_sweep_deletes_expired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
