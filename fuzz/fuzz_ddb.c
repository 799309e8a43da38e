/*
 * fuzz_ddb: libFuzzer target for the DynamoDB JSON protocol: request
 * bodies of any operation go through the wire handler (ddb_wire_handle:
 * target header, JSON decoding, error shapes) into ddb_call on a fresh
 * in-memory embedded store, so value validation, request validation and
 * every operation see arbitrary input.
 *
 * Input: up to MAX_CALLS requests separated by lines "---"; each is the
 * operation name on its first line ("PutItem", "GetRecords", ...) and the
 * body after it. A call can use what an earlier one answered: "$ITER" in a
 * body becomes the last ShardIterator/NextShardIterator seen, "$ARN" the
 * last stream ARN and "$SHARD" the last shard id, so stream reads are
 * reachable.
 *
 * FUZZ_VERBOSE=1 in the environment prints every call and its answer
 * (for writing seeds and reading a crash input).
 *
 * After the calls every stored item must still be a valid item.
 *
 * Every input starts from the same store: two tables (see setup_tables)
 * with a few items, so runs are independent and every crash reproduces
 * from its input alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "ddb/engine/embedded.h"
#include "ddb/model/value.h"
#include "fuzz_http.h"
#include "http/ddb_wire.h"

#define MAX_CALLS 8
#define SEPARATOR "\n---\n"

/* The store every input starts from. */
static const char *const setup[][2] = {
    {"CreateTable",
     "{\"TableName\":\"tab1\",\"BillingMode\":\"PAY_PER_REQUEST\","
     "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
     "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
     "{\"AttributeName\":\"gs\",\"AttributeType\":\"S\"},"
     "{\"AttributeName\":\"ls\",\"AttributeType\":\"B\"}],"
     "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
     "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
     "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi1\",\"KeySchema\":["
     "{\"AttributeName\":\"gs\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":"
     "\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"a\"]}}],"
     "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi1\",\"KeySchema\":["
     "{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"ls\",\"KeyType\":"
     "\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
     "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}}"},
    {"CreateTable", "{\"TableName\":\"tab2\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,"
                    "\"WriteCapacityUnits\":5},"
                    "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"B\"}],"
                    "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]}"},
    {"UpdateTimeToLive", "{\"TableName\":\"tab1\",\"TimeToLiveSpecification\":"
                         "{\"Enabled\":true,\"AttributeName\":\"ttl\"}}"},
    {"BatchWriteItem",
     "{\"RequestItems\":{\"tab1\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"a\"},"
     "\"sk\":{\"N\":\"1\"},\"gs\":{\"S\":\"g\"},\"a\":{\"L\":[{\"N\":\"1\"},{\"M\":{\"x\":"
     "{\"SS\":[\"y\"]}}}]},\"ls\":{\"B\":\"AAE=\"},\"ttl\":{\"N\":\"1\"}}}},"
     "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"-2.5\"},"
     "\"gs\":{\"S\":\"g\"},\"n\":{\"NS\":[\"1\",\"2\"]},\"s\":{\"S\":\"text\"}}}}],"
     "\"tab2\":[{\"PutRequest\":{\"Item\":{\"id\":{\"B\":\"AQID\"},\"v\":{\"BOOL\":true}}}}]}}"},
};

/* What earlier answers offer to later bodies. */
typedef struct carry {
    char iter[2048], arn[512], shard[256];
} carry;

/* Remembers the stream handles an answer holds (one level down at most). */
static void remember(carry *c, const json_t *out)
{
    static const char *keys[] = {"ShardIterator", "NextShardIterator", "LatestStreamArn",
                                 "StreamArn", "ShardId"};
    const json_t *objs[4] = {out, json_object_get(out, "StreamDescription"),
                             json_object_get(out, "TableDescription"),
                             json_object_get(json_object_get(out, "Table"), "LatestStreamArn")};
    for (int o = 0; o < 3; o++) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            const char *v = json_string_value(json_object_get(objs[o], keys[k]));
            if (!v) continue;
            char *dst = k < 2 ? c->iter : k < 4 ? c->arn : c->shard;
            size_t cap = k < 2 ? sizeof c->iter : k < 4 ? sizeof c->arn : sizeof c->shard;
            snprintf(dst, cap, "%s", v);
        }
    }
    const char *arn = json_string_value(objs[3]);
    if (arn) snprintf(c->arn, sizeof c->arn, "%s", arn);
    const json_t *streams = json_object_get(out, "Streams");
    const char *first = json_string_value(json_object_get(json_array_get(streams, 0), "StreamArn"));
    if (first) snprintf(c->arn, sizeof c->arn, "%s", first);
    const json_t *shards = json_object_get(json_object_get(out, "StreamDescription"), "Shards");
    const char *shard = json_string_value(json_object_get(json_array_get(shards, 0), "ShardId"));
    if (shard) snprintf(c->shard, sizeof c->shard, "%s", shard);
}

static bool is_streams_op(const char *op)
{
    return !strcmp(op, "ListStreams") || !strcmp(op, "DescribeStream") ||
           !strcmp(op, "GetShardIterator") || !strcmp(op, "GetRecords");
}

/*
 * Sends one request through the wire handler; returns the parsed answer, or
 * NULL for an error answer (fatal when must_succeed: the setup calls).
 */
static json_t *call(ddb_wire *w, const char *op, const char *body, size_t body_len,
                    bool must_succeed)
{
    buf_t raw;
    buf_init(&raw);
    buf_printf(&raw, "POST /\nX-Amz-Target: %s.%s\nContent-Type: application/x-amz-json-1.0\n\n",
               is_streams_op(op) ? "DynamoDBStreams_20120810" : "DynamoDB_20120810", op);
    buf_append(&raw, body, body_len);
    fuzz_request fr;
    fuzz_request_parse(&fr, raw.data, raw.len);
    http_response res;
    fuzz_response_init(&res);
    int64_t start_us = clock_mono_us();
    ddb_wire_handle(w, &fr.req, &res);
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "%s -> %d (%lld us) %.*s\n", op, res.status,
                (long long)(clock_mono_us() - start_us), (int)res.body.len, res.body.data);
    json_t *out = NULL;
    if (res.status == 200) out = json_loadb(res.body.data, res.body.len, 0, NULL);
    /* Every answer, error or not, must be one JSON document. */
    json_t *check = out ? NULL : json_loadb(res.body.data, res.body.len, 0, NULL);
    if (!out && !check) {
        fprintf(stderr, "fuzz_ddb: %s answered %d with a body that is not JSON\n", op, res.status);
        abort();
    }
    json_decref(check);
    if (!out && must_succeed) {
        fprintf(stderr, "fuzz_ddb: setup call %s failed: %.*s\n", op, (int)res.body.len,
                res.body.data);
        abort();
    }
    fuzz_response_free(&res);
    fuzz_request_free(&fr);
    buf_free(&raw);
    return out;
}

/*
 * The store must only ever hold valid items: scans every table and checks
 * each item as a request's item would be checked. An invalid item means a
 * write path (UpdateItem, transactions, batches) produced something
 * DynamoDB would have refused, which is a bug even when nothing crashed.
 */
static void check_stored_items(ddb_store *store)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *req = json_object();
    json_t *tables = ddb_call(store, "ListTables", req, &err);
    json_decref(req);
    ddb_err_clear(&err);
    size_t i;
    json_t *name;
    json_array_foreach(json_object_get(tables, "TableNames"), i, name)
    {
        req = json_pack("{s:O}", "TableName", name);
        json_t *out = ddb_call(store, "Scan", req, &err);
        json_decref(req);
        ddb_err_clear(&err);
        size_t j;
        json_t *item;
        json_array_foreach(json_object_get(out, "Items"), j, item)
        {
            json_t *again = ddb_item_normalize(item, &err);
            if (!again || ddb_item_size(item) > DDB_MAX_ITEM_SIZE) {
                char *dump = json_dumps(item, JSON_COMPACT);
                fprintf(stderr, "fuzz_ddb: table %s holds an invalid item (%s): %.2000s\n",
                        json_string_value(name), again ? "too large" : err.message,
                        dump ? dump : "?");
                abort();
            }
            json_decref(again);
        }
        json_decref(out);
    }
    json_decref(tables);
}

static ddb_store *open_store(ddb_wire *w)
{
    ddb_embedded_options opt = {.in_memory = true, .no_fsync = true, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *store = ddb_embedded_open(&opt, &err);
    if (!store) {
        fprintf(stderr, "fuzz_ddb: cannot open the store: %s\n", err.message);
        abort();
    }
    *w = (ddb_wire){.store = store};
    for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
        json_decref(call(w, setup[i][0], setup[i][1], strlen(setup[i][1]), true));
    }
    return store;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    ddb_wire w;
    ddb_store *store = open_store(&w);
    carry c = {"", "", ""};
    const char *p = text, *end = text + size;
    for (int n = 0; n < MAX_CALLS && p < end; n++) {
        const char *sep = memmem(p, (size_t)(end - p), SEPARATOR, strlen(SEPARATOR));
        const char *stop = sep ? sep : end;
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        const char *body = nl ? nl + 1 : stop;
        char op[64];
        snprintf(op, sizeof op, "%.*s", (int)((nl ? nl : stop) - p), p);
        size_t len;
        const char *vars[] = {"$ITER", "$ARN", "$SHARD"};
        const char *values[] = {c.iter, c.arn, c.shard};
        char *sub = fuzz_substitute(body, (size_t)(stop - body), vars, values, 3, &len);
        json_t *out = call(&w, op, sub, len, false);
        if (out) remember(&c, out);
        json_decref(out);
        free(sub);
        p = sep ? sep + strlen(SEPARATOR) : end;
    }
    check_stored_items(store);
    ddb_store_close(store);
    free(text);
    return 0;
}
