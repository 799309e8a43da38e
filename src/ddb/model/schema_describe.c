/*
 * schema_describe: DescribeTable's TableDescription (also the body of
 * CreateTable, UpdateTable and DeleteTable responses), built from a table's
 * def and the engine's counters, in the member order DynamoDB uses.
 *
 * Times are epoch seconds as JSON numbers, as DynamoDB's JSON protocol
 * sends them. Throughput change times appear only once a change happened;
 * a PAY_PER_REQUEST table reports 0/0 throughput, as DynamoDB does.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "ddb/model/schema.h"
#include "ddb/model/schema_int.h"

#define DEFAULT_REGION "ddblocal"
#define DEFAULT_ACCOUNT "000000000000"

/* Epoch seconds with millisecond precision, as DynamoDB reports them. */
static json_t *epoch(int64_t us)
{
    return json_real((double)(us / 1000) / 1000.0);
}

/* Copies def member `key` into out (when present). */
static void copy(json_t *out, const json_t *def, const char *key)
{
    json_t *v = json_object_get(def, key);
    if (v) json_object_set_new(out, key, json_deep_copy(v));
}

/* ProvisionedThroughput of the table (index NULL) or of a GSI. */
static json_t *throughput(const json_t *def, const json_t *index)
{
    const json_t *src = json_object_get(index ? index : def, "ProvisionedThroughput");
    json_t *out = json_object();
    if (!index) {
        const json_t *inc = json_object_get(def, "LastIncreaseUs");
        const json_t *dec = json_object_get(def, "LastDecreaseUs");
        if (inc) json_object_set_new(out, "LastIncreaseDateTime", epoch(json_integer_value(inc)));
        if (dec) json_object_set_new(out, "LastDecreaseDateTime", epoch(json_integer_value(dec)));
    }
    json_object_set_new(out, "NumberOfDecreasesToday", json_integer(0));
    json_object_set_new(
        out, "ReadCapacityUnits",
        json_integer(json_integer_value(json_object_get(src, "ReadCapacityUnits"))));
    json_object_set_new(
        out, "WriteCapacityUnits",
        json_integer(json_integer_value(json_object_get(src, "WriteCapacityUnits"))));
    return out;
}

/* The position of index `name` in t->indexes (for the per-index counters). */
static size_t index_pos(const ddb_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (strcmp(t->indexes[i].name, name) == 0) return i;
    return 0;
}

/* One GlobalSecondaryIndexes / LocalSecondaryIndexes entry. */
static json_t *index_desc(const ddb_table *t, const json_t *ix, bool global,
                          const ddb_table_stats *st, const char *table_arn)
{
    const char *name = sch_str(ix, "IndexName");
    size_t pos = index_pos(t, name);
    json_t *out = json_object();
    copy(out, ix, "IndexName");
    copy(out, ix, "KeySchema");
    copy(out, ix, "Projection");
    if (global) {
        json_object_set_new(out, "IndexStatus", json_string("ACTIVE"));
        json_object_set_new(out, "ProvisionedThroughput", throughput(t->def, ix));
    }
    int64_t size = st && st->index_size_bytes ? st->index_size_bytes[pos] : 0;
    int64_t count = st && st->index_item_count ? st->index_item_count[pos] : 0;
    json_object_set_new(out, "IndexSizeBytes", json_integer(size));
    json_object_set_new(out, "ItemCount", json_integer(count));
    buf_t arn = BUF_INIT;
    buf_printf(&arn, "%s/index/%s", table_arn, name);
    json_object_set_new(out, "IndexArn", json_string(buf_cstr(&arn)));
    buf_free(&arn);
    if (global) copy(out, ix, "OnDemandThroughput");
    return out;
}

static json_t *index_list(const ddb_table *t, const char *member, const ddb_table_stats *st,
                          const char *table_arn)
{
    json_t *out = json_array();
    size_t i;
    json_t *ix;
    bool global = strcmp(member, "GlobalSecondaryIndexes") == 0;
    json_array_foreach(json_object_get(t->def, member), i, ix)
    {
        json_array_append_new(out, index_desc(t, ix, global, st, table_arn));
    }
    return out;
}

static json_t *billing_summary(const json_t *def)
{
    const char *mode = sch_str(def, "BillingMode");
    const json_t *since = json_object_get(def, "PayPerRequestSinceUs");
    bool ppr = strcmp(mode, "PAY_PER_REQUEST") == 0;
    if (!ppr && !json_is_true(json_object_get(def, "BillingModeGiven")) && !since) return NULL;
    json_t *out = json_pack("{s:s}", "BillingMode", mode);
    if (since)
        json_object_set_new(out, "LastUpdateToPayPerRequestDateTime",
                            epoch(json_integer_value(since)));
    return out;
}

/* SSEDescription for a table encrypted with a KMS key (NULL otherwise). */
static json_t *sse_description(const json_t *def, const char *region, const char *account)
{
    const json_t *spec = json_object_get(def, "SSESpecification");
    if (!json_is_true(json_object_get(spec, "Enabled"))) return NULL;
    const char *type = sch_str(spec, "SSEType");
    json_t *out = json_pack("{s:s,s:s}", "Status", "ENABLED", "SSEType", type ? type : "KMS");
    const char *key = sch_str(spec, "KMSMasterKeyId");
    if (key) {
        buf_t arn = BUF_INIT;
        if (strncmp(key, "arn:", 4) == 0)
            buf_puts(&arn, key);
        else
            buf_printf(&arn, "arn:aws:kms:%s:%s:key/%s", region, account, key);
        json_object_set_new(out, "KMSMasterKeyArn", json_string(buf_cstr(&arn)));
        buf_free(&arn);
    }
    return out;
}

/* Sets member `key` to `v` unless v is NULL or an empty array. */
static void set_some(json_t *out, const char *key, json_t *v)
{
    if (v && !(json_is_array(v) && json_array_size(v) == 0))
        json_object_set_new(out, key, v);
    else
        json_decref(v);
}

json_t *ddb_table_describe(const ddb_table *t, const ddb_table_stats *stats)
{
    const json_t *def = t->def;
    const char *region = stats && stats->region ? stats->region : DEFAULT_REGION;
    const char *account = stats && stats->account_id ? stats->account_id : DEFAULT_ACCOUNT;
    char *arn = ddb_table_arn(t, region, account);
    json_t *out = json_object();
    copy(out, def, "AttributeDefinitions");
    copy(out, def, "TableName");
    copy(out, def, "KeySchema");
    json_object_set_new(out, "TableStatus",
                        json_string(stats && stats->status ? stats->status : "ACTIVE"));
    json_object_set_new(out, "CreationDateTime",
                        epoch(json_integer_value(json_object_get(def, "CreatedUs"))));
    json_object_set_new(out, "ProvisionedThroughput", throughput(def, NULL));
    json_object_set_new(out, "TableSizeBytes", json_integer(stats ? stats->size_bytes : 0));
    json_object_set_new(out, "ItemCount", json_integer(stats ? stats->item_count : 0));
    json_object_set_new(out, "TableArn", json_string(arn));
    copy(out, def, "TableId");
    set_some(out, "BillingModeSummary", billing_summary(def));
    set_some(out, "LocalSecondaryIndexes", index_list(t, "LocalSecondaryIndexes", stats, arn));
    set_some(out, "GlobalSecondaryIndexes", index_list(t, "GlobalSecondaryIndexes", stats, arn));
    copy(out, def, "StreamSpecification");
    if (t->stream_label) {
        char *sarn = ddb_stream_arn(t, t->stream_label, region, account);
        json_object_set_new(out, "LatestStreamLabel", json_string(t->stream_label));
        json_object_set_new(out, "LatestStreamArn", json_string(sarn));
        free(sarn);
    }
    set_some(out, "SSEDescription", sse_description(def, region, account));
    const char *tc = sch_str(def, "TableClass");
    if (tc) json_object_set_new(out, "TableClassSummary", json_pack("{s:s}", "TableClass", tc));
    json_object_set_new(out, "DeletionProtectionEnabled", json_boolean(t->deletion_protection));
    copy(out, def, "OnDemandThroughput");
    free(arn);
    return out;
}
