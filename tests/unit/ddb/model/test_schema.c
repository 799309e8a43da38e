/*
 * Unit tests for src/ddb/schema*.c: CreateTable validation (table-driven:
 * request -> ok or DynamoDB's exact error), the TableDescription shape, the
 * def round trip through ddb_table_load, and the UpdateTable,
 * UpdateTimeToLive and tag transitions.
 *
 * Requests are written with single quotes for readability; q() turns them
 * into JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"
#include "ddb/model/schema.h"
#include "testutil.h"

#define NOW 1764086718632000LL /* 2025-11-25T16:05:18.632Z */

/* JSON from a literal written with single quotes. */
static json_t *q(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    json_t *j = tu_json(s);
    free(s);
    return j;
}

static void assert_json_q(const json_t *actual, const char *expected)
{
    char *s = strdup(expected);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    tu_assert_json_eq(actual, s);
    free(s);
}

static ddb_table *create(const char *req)
{
    json_t *r = q(req);
    ddb_err err = DDB_ERR_INIT;
    ddb_table *t = ddb_table_create(r, NOW, &err);
    if (!t) fail_msg("create failed: %s", err.message);
    json_decref(r);
    return t;
}

#define KS_H "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}]"
#define KS_HR                                                                                      \
    "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'" \
    "}]"
#define AD_S "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'}]"
#define AD_SS                                                                                      \
    "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"                          \
    "{'AttributeName':'sk','AttributeType':'S'}]"
#define AD_SG                                                                                      \
    "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"                          \
    "{'AttributeName':'g','AttributeType':'S'}]"
#define PPR "'BillingMode':'PAY_PER_REQUEST'"
#define PT "'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':1}"
#define GSI(extra)                                                                                 \
    "'GlobalSecondaryIndexes':[{'IndexName':'gsi1','KeySchema':[{'AttributeName':'g',"             \
    "'KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}" extra "}]"
#define LSI(extra)                                                                                 \
    "'LocalSecondaryIndexes':[{'IndexName':'lsi1','KeySchema':[{'AttributeName':'pk',"             \
    "'KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}]," extra "}]"
#define BASE "'TableName':'tbl'," KS_H "," AD_S

static const char *BAD_NAME =
    "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and "
    "may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'";

static const struct {
    const char *what;
    const char *req;
    ddb_code code;
    const char *msg; /* NULL: BAD_NAME */
} create_cases[] = {
    {"hash only, PPR", "{" BASE "," PPR "}", DDB_OK, ""},
    {"hash+range, provisioned", "{'TableName':'t.1-_'," KS_HR "," AD_SS "," PT "}", DDB_OK, ""},
    {"short name", "{'TableName':'ab'," KS_H "," AD_S "," PPR "}", DDB_E_VALIDATION, NULL},
    {"bad char", "{'TableName':'a b'," KS_H "," AD_S "," PPR "}", DDB_E_VALIDATION, NULL},
    {"no name", "{" KS_H "," AD_S "," PPR "}", DDB_E_VALIDATION, NULL},
    {"no key schema", "{'TableName':'tbl'," AD_S "," PPR "}", DDB_E_VALIDATION,
     "No defined key schema.  A key schema containing at least a hash key must be defined for "
     "all tables"},
    {"no attribute definitions", "{'TableName':'tbl'," KS_H "," PPR "}", DDB_E_VALIDATION,
     "No Attribute Schema Defined"},
    {"empty key schema", "{'TableName':'tbl','KeySchema':[]," AD_S "," PPR "}", DDB_E_VALIDATION,
     "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key"},
    {"range first",
     "{'TableName':'tbl','KeySchema':[{'AttributeName':'sk','KeyType':'RANGE'},"
     "{'AttributeName':'pk','KeyType':'HASH'}]," AD_SS "," PPR "}",
     DDB_E_VALIDATION,
     "Invalid key order.  Hash Key must be specified first in key schema, Range Key must be "
     "specifed second"},
    {"two hash keys",
     "{'TableName':'tbl','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
     "{'AttributeName':'sk','KeyType':'HASH'}]," AD_SS "," PPR "}",
     DDB_E_VALIDATION,
     "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key"},
    {"three keys",
     "{'TableName':'tbl','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
     "{'AttributeName':'sk','KeyType':'RANGE'},{'AttributeName':'x','KeyType':'RANGE'}]," AD_SS
     "," PPR "}",
     DDB_E_VALIDATION,
     "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table"},
    {"same key twice",
     "{'TableName':'tbl','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
     "{'AttributeName':'pk','KeyType':'RANGE'}]," AD_S "," PPR "}",
     DDB_E_VALIDATION, "Two keys can not have the same name"},
    {"bad key type",
     "{'TableName':'tbl','KeySchema':[{'AttributeName':'pk','KeyType':'X'}]," AD_S "," PPR "}",
     DDB_E_VALIDATION,
     "1 validation error detected: Value 'X' at 'keySchema.1.member.keyType' failed to satisfy "
     "constraint: Member must satisfy enum value set: [HASH, RANGE]"},
    {"unused definition", "{'TableName':'tbl'," KS_H "," AD_SS "," PPR "}", DDB_E_VALIDATION,
     "One or more parameter values were invalid: Number of attributes in KeySchema does not "
     "exactly match number of attributes defined in AttributeDefinitions"},
    {"range undefined", "{'TableName':'tbl'," KS_HR "," AD_S "," PPR "}", DDB_E_VALIDATION,
     "Range Key not specified in Attribute Definitions.  Type unknown."},
    {"hash undefined",
     "{'TableName':'tbl'," KS_H ",'AttributeDefinitions':[{'AttributeName':'x',"
     "'AttributeType':'S'}]," PPR "}",
     DDB_E_VALIDATION, "Hash Key not specified in Attribute Definitions.  Type unknown."},
    {"bad attribute type",
     "{'TableName':'tbl'," KS_H ",'AttributeDefinitions':[{'AttributeName':'pk',"
     "'AttributeType':'BOOL'}]," PPR "}",
     DDB_E_VALIDATION,
     "1 validation error detected: Value 'BOOL' at 'attributeDefinitions.1.member.attributeType' "
     "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"},
    {"duplicate definition",
     "{'TableName':'tbl'," KS_H ",'AttributeDefinitions':[{'AttributeName':'pk',"
     "'AttributeType':'S'},{'AttributeName':'pk','AttributeType':'N'}]," PPR "}",
     DDB_E_VALIDATION, "Cannot have two attributes with the same name"},
    {"empty attribute name",
     "{'TableName':'tbl','KeySchema':[{'AttributeName':'','KeyType':'HASH'}],"
     "'AttributeDefinitions':[{'AttributeName':'','AttributeType':'S'}]," PPR "}",
     DDB_E_VALIDATION,
     "Names of key attributes and attributes projected into an index must be between 1 and 255 "
     "characters, inclusive"},
    {"provisioned without throughput", "{" BASE ",'BillingMode':'PROVISIONED'}", DDB_E_VALIDATION,
     "No provisioned throughput specified for the table"},
    {"default billing without throughput", "{" BASE "}", DDB_E_VALIDATION,
     "No provisioned throughput specified for the table"},
    {"zero throughput",
     "{" BASE ",'ProvisionedThroughput':{'ReadCapacityUnits':0,'WriteCapacityUnits':1}}",
     DDB_E_VALIDATION, "Table read and write throughput must be at least 1, and cannot be null"},
    {"missing write units", "{" BASE ",'ProvisionedThroughput':{'ReadCapacityUnits':1}}",
     DDB_E_VALIDATION, "Table read and write throughput must be at least 1, and cannot be null"},
    {"PPR with throughput", "{" BASE "," PPR "," PT "}", DDB_E_VALIDATION,
     "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
     "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
    {"bad billing mode", "{" BASE ",'BillingMode':'FREE'}", DDB_E_VALIDATION,
     "1 validation error detected: Value 'FREE' at 'billingMode' failed to satisfy constraint: "
     "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"},
    {"gsi ok", "{'TableName':'tbl'," KS_H "," AD_SG "," PPR "," GSI("") "}", DDB_OK, ""},
    {"gsi key undefined", "{" BASE "," PPR "," GSI("") "}", DDB_E_VALIDATION,
     "Attribute g is not defined in AttributeDefinitions"},
    {"gsi short name",
     "{'TableName':'tbl'," KS_H "," AD_SG "," PPR ",'GlobalSecondaryIndexes':[{'IndexName':'g',"
     "'KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}"
     "}]}",
     DDB_E_VALIDATION, NULL},
    {"gsi duplicate name",
     "{'TableName':'tbl'," KS_H "," AD_SG "," PPR ",'GlobalSecondaryIndexes':[{'IndexName':'gsi1',"
     "'KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}"
     "},{'IndexName':'gsi1','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],'Projection':{"
     "'ProjectionType':'ALL'}}]}",
     DDB_E_VALIDATION, "Two global secondary indicies have the same name"},
    {"gsi empty list", "{" BASE "," PPR ",'GlobalSecondaryIndexes':[]}", DDB_E_VALIDATION,
     "GSI list is empty/invalid"},
    {"gsi bad projection",
     "{'TableName':'tbl'," KS_H "," AD_SG "," PPR
     ",'GlobalSecondaryIndexes':[{'IndexName':'gsi1','KeySchema':[{'AttributeName':'g',"
     "'KeyType':'HASH'}],'Projection':{'ProjectionType':'SOME'}}]}",
     DDB_E_VALIDATION, "Projection type must be INCLUDE, ALL, or KEYS_ONLY"},
    {"gsi include without attributes",
     "{'TableName':'tbl'," KS_H "," AD_SG "," PPR
     ",'GlobalSecondaryIndexes':[{'IndexName':'gsi1','KeySchema':[{'AttributeName':'g',"
     "'KeyType':'HASH'}],'Projection':{'ProjectionType':'INCLUDE'}}]}",
     DDB_E_VALIDATION,
     "If Projection type INCLUDE is specified, some non-key attributes to include in the "
     "projection must be specified as well"},
    {"gsi ALL with attributes",
     "{'TableName':'tbl'," KS_H "," AD_SG "," PPR
     ",'GlobalSecondaryIndexes':[{'IndexName':'gsi1','KeySchema':[{'AttributeName':'g',"
     "'KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL','NonKeyAttributes':['a']}}]}",
     DDB_E_VALIDATION,
     "No attributes should be specified to be projected unless projection type is INCLUDE"},
    {"gsi provisioned without throughput",
     "{'TableName':'tbl'," KS_H "," AD_SG "," PT "," GSI("") "}", DDB_E_VALIDATION,
     "No provisioned throughput specified for the global secondary index"},
    {"gsi zero throughput",
     "{'TableName':'tbl'," KS_H "," AD_SG "," PT
     "," GSI(",'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':0}") "}",
     DDB_E_VALIDATION,
     "Global Secondary Index's read and write throughput must be at least 1, and cannot be null"},
    {"gsi throughput on PPR", "{'TableName':'tbl'," KS_H "," AD_SG "," PPR "," GSI("," PT) "}",
     DDB_E_VALIDATION,
     "One or more parameter values were invalid: ProvisionedThroughput should not be specified "
     "for index: gsi1 when BillingMode is PAY_PER_REQUEST"},
    {"lsi ok",
     "{'TableName':'tbl'," KS_HR "," AD_SS "," PPR "," LSI("'Projection':{"
                                                           "'ProjectionType':'ALL'}") "}",
     DDB_OK, ""},
    {"lsi on hash table", "{" BASE "," PPR "," LSI("'Projection':{'ProjectionType':'ALL'}") "}",
     DDB_E_VALIDATION,
     "Local Secondary indices are not allowed on hash tables, only hash and range tables"},
    {"lsi other hash",
     "{'TableName':'tbl'," KS_HR ",'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':"
     "'S'},{'AttributeName':'sk','AttributeType':'S'},{'AttributeName':'q','AttributeType':'S'}],"
     "'LocalSecondaryIndexes':[{'IndexName':'lsi1','KeySchema':[{'AttributeName':'q','KeyType':"
     "'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'}}],"
     "" PPR "}",
     DDB_E_VALIDATION, "Local Secondary indices must have the same hash key as the main table"},
    {"lsi without range",
     "{'TableName':'tbl'," KS_HR "," AD_SS "," PPR ",'LocalSecondaryIndexes':[{'IndexName':"
     "'lsi1','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],'Projection':{"
     "'ProjectionType':'ALL'}}]}",
     DDB_E_VALIDATION, "Local secondary indices must have a range key"},
    {"lsi duplicate name",
     "{'TableName':'tbl'," KS_HR "," AD_SS "," PPR ",'LocalSecondaryIndexes':[{'IndexName':"
     "'lsi1','KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk',"
     "'KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'}},{'IndexName':'lsi1',"
     "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'AttributeName':'sk','KeyType':"
     "'RANGE'}],'Projection':{'ProjectionType':'ALL'}}]}",
     DDB_E_VALIDATION, "Two local secondary indicies have the same name"},
    {"gsi without projection",
     "{'TableName':'tbl'," KS_H "," AD_SG "," PPR ",'GlobalSecondaryIndexes':[{'IndexName':"
     "'gsi1','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}]}]}",
     DDB_E_VALIDATION, "Indexes must have a projection specified"},
    {"stream without view type", "{" BASE "," PPR ",'StreamSpecification':{'StreamEnabled':true}}",
     DDB_E_VALIDATION,
     "Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams."},
    {"stream bad view type",
     "{" BASE "," PPR ",'StreamSpecification':{'StreamEnabled':true,'StreamViewType':'ALL'}}",
     DDB_E_VALIDATION, "Invalid StreamViewType: ALL"},
    {"stream disabled with view type",
     "{" BASE "," PPR
     ",'StreamSpecification':{'StreamEnabled':false,'StreamViewType':'KEYS_ONLY'}}",
     DDB_E_VALIDATION,
     "Invalid StreamViewType: Stream StreamEnabled was false but a StreamViewType was present."},
    {"stream disabled", "{" BASE "," PPR ",'StreamSpecification':{'StreamEnabled':false}}", DDB_OK,
     ""},
    {"stream without enabled", "{" BASE "," PPR ",'StreamSpecification':{}}", DDB_E_VALIDATION,
     "Stream StreamEnabled was null"},
    {"bad table class", "{" BASE "," PPR ",'TableClass':'CHEAP'}", DDB_E_VALIDATION,
     "1 validation error detected: Value 'CHEAP' at 'tableClass' failed to satisfy constraint: "
     "Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]"},
    {"bad SSE type", "{" BASE "," PPR ",'SSESpecification':{'Enabled':true,'SSEType':'X'}}",
     DDB_E_VALIDATION,
     "1 validation error detected: Value 'X' at 'sSESpecification.sSEType' failed to satisfy "
     "constraint: Member must satisfy enum value set: [AES256, KMS]"},
    {"tag without value", "{" BASE "," PPR ",'Tags':[{'Key':'a'}]}", DDB_E_VALIDATION,
     "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy "
     "constraint: Member must not be null"},
    {"wrong JSON type", "{'TableName':'tbl','KeySchema':{}," AD_S "," PPR "}", DDB_E_SERIALIZATION,
     "Unexpected JSON type for KeySchema"},
};

static void test_create_validation(void **state)
{
    for (size_t i = 0; i < sizeof create_cases / sizeof create_cases[0]; i++) {
        json_t *req = q(create_cases[i].req);
        ddb_err err = DDB_ERR_INIT;
        ddb_table *t = ddb_table_create(req, NOW, &err);
        const char *want = create_cases[i].msg ? create_cases[i].msg : BAD_NAME;
        if (err.code != create_cases[i].code || (t == NULL) != (create_cases[i].code != DDB_OK) ||
            (t == NULL && strcmp(err.message, want) != 0))
            fail_msg("case '%s': got %d '%s'", create_cases[i].what, err.code, err.message);
        ddb_table_free(t);
        ddb_err_clear(&err);
        json_decref(req);
    }
}

static void test_create_limits(void **state)
{
    /* 21 GSIs, 6 LSIs, a 256-character name. */
    json_t *req = q("{'TableName':'tbl'," KS_HR ",'AttributeDefinitions':[{'AttributeName':'pk',"
                    "'AttributeType':'S'},{'AttributeName':'sk','AttributeType':'S'}]," PPR "}");
    json_t *gsis = json_array(), *lsis = json_array();
    for (int i = 0; i < 21; i++) {
        char name[16];
        snprintf(name, sizeof name, "gsi%d", i);
        json_array_append_new(gsis, json_pack("{s:s,s:[{s:s,s:s}],s:{s:s}}", "IndexName", name,
                                              "KeySchema", "AttributeName", "sk", "KeyType", "HASH",
                                              "Projection", "ProjectionType", "ALL"));
        if (i < 6) {
            snprintf(name, sizeof name, "lsi%d", i);
            json_array_append_new(lsis,
                                  json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}],s:{s:s}}", "IndexName",
                                            name, "KeySchema", "AttributeName", "pk", "KeyType",
                                            "HASH", "AttributeName", "sk", "KeyType", "RANGE",
                                            "Projection", "ProjectionType", "KEYS_ONLY"));
        }
    }
    ddb_err err = DDB_ERR_INIT;
    json_object_set(req, "GlobalSecondaryIndexes", gsis);
    assert_null(ddb_table_create(req, NOW, &err));
    assert_string_equal(err.message, "GlobalSecondaryIndex count exceeds the per-table limit");
    json_array_remove(gsis, 20);
    ddb_table *t = ddb_table_create(req, NOW, &err);
    assert_non_null(t);
    assert_int_equal(t->n_indexes, 20);
    ddb_table_free(t);
    json_object_del(req, "GlobalSecondaryIndexes");
    json_object_set(req, "LocalSecondaryIndexes", lsis);
    assert_null(ddb_table_create(req, NOW, &err));
    assert_string_equal(err.message, "Cannot have more than 5 local secondary indexes per table");
    char longname[257];
    memset(longname, 'x', 256);
    longname[256] = '\0';
    json_object_del(req, "LocalSecondaryIndexes");
    json_object_set_new(req, "TableName", json_string(longname));
    assert_null(ddb_table_create(req, NOW, &err));
    assert_string_equal(err.message, BAD_NAME);
    longname[255] = '\0';
    json_object_set_new(req, "TableName", json_string(longname));
    t = ddb_table_create(req, NOW, &err);
    assert_non_null(t);
    ddb_table_free(t);
    ddb_err_clear(&err);
    json_decref(gsis);
    json_decref(lsis);
    json_decref(req);
}

#define FULL_REQ                                                                                   \
    "{'TableName':'full'," KS_HR ",'AttributeDefinitions':[{'AttributeName':'pk',"                 \
    "'AttributeType':'S'},{'AttributeName':'sk','AttributeType':'N'},{'AttributeName':'g',"        \
    "'AttributeType':'B'},{'AttributeName':'l','AttributeType':'S'}],"                             \
    "'BillingMode':'PROVISIONED','ProvisionedThroughput':{'ReadCapacityUnits':5,"                  \
    "'WriteCapacityUnits':6},'GlobalSecondaryIndexes':[{'IndexName':'byG','KeySchema':[{"          \
    "'AttributeName':'g','KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],"             \
    "'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['a','b']},"                      \
    "'ProvisionedThroughput':{'ReadCapacityUnits':2,'WriteCapacityUnits':3}}],"                    \
    "'LocalSecondaryIndexes':[{'IndexName':'byL','KeySchema':[{'AttributeName':'pk',"              \
    "'KeyType':'HASH'},{'AttributeName':'l','KeyType':'RANGE'}],'Projection':{"                    \
    "'ProjectionType':'KEYS_ONLY'}}],'StreamSpecification':{'StreamEnabled':true,"                 \
    "'StreamViewType':'NEW_AND_OLD_IMAGES'},'SSESpecification':{'Enabled':true,'SSEType':'KMS',"   \
    "'KMSMasterKeyId':'k1'},'TableClass':'STANDARD_INFREQUENT_ACCESS',"                            \
    "'DeletionProtectionEnabled':true,'Tags':[{'Key':'env','Value':'dev'}]}"

/* Describes t with fixed stats and checks the TableId, then drops it. */
static json_t *describe(const ddb_table *t)
{
    int64_t counts[2] = {7, 8}, sizes[2] = {70, 80};
    ddb_table_stats st = {.region = "us-east-1",
                          .account_id = "123456789012",
                          .item_count = 9,
                          .size_bytes = 900,
                          .status = "ACTIVE",
                          .index_item_count = counts,
                          .index_size_bytes = sizes};
    json_t *d = ddb_table_describe(t, &st);
    assert_true(uuid_is_valid(json_string_value(json_object_get(d, "TableId"))));
    json_object_del(d, "TableId");
    return d;
}

static void test_describe_full(void **state)
{
    ddb_table *t = create(FULL_REQ);
    assert_string_equal(t->name, "full");
    assert_string_equal(t->hash.name, "pk");
    assert_int_equal(t->hash.type, 'S');
    assert_int_equal(t->range.type, 'N');
    assert_int_equal(t->n_indexes, 2);
    assert_true(t->indexes[0].global);
    assert_int_equal(t->indexes[0].hash.type, 'B');
    assert_int_equal(t->indexes[0].projection, DDB_PROJECT_INCLUDE);
    assert_int_equal(t->indexes[0].n_include, 2);
    assert_string_equal(t->indexes[0].include[1], "b");
    assert_false(t->indexes[1].global);
    assert_string_equal(t->indexes[1].range.name, "l");
    assert_int_not_equal(t->indexes[0].ino, t->indexes[1].ino);
    assert_true(t->stream_enabled);
    assert_string_equal(t->stream_view_type, "NEW_AND_OLD_IMAGES");
    assert_string_equal(t->stream_label, "2025-11-25T16:05:18.632");
    assert_true(t->deletion_protection);
    assert_null(t->ttl_attr);
    json_t *d = describe(t);
    assert_json_q(
        d,
        "{'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},{'AttributeName':"
        "'sk','AttributeType':'N'},{'AttributeName':'g','AttributeType':'B'},{'AttributeName':'l',"
        "'AttributeType':'S'}],'TableName':'full'," KS_HR ",'TableStatus':'ACTIVE',"
        "'CreationDateTime':1764086718.632,'ProvisionedThroughput':{'NumberOfDecreasesToday':0,"
        "'ReadCapacityUnits':5,'WriteCapacityUnits':6},'TableSizeBytes':900,'ItemCount':9,"
        "'TableArn':'arn:aws:dynamodb:us-east-1:123456789012:table/full',"
        "'BillingModeSummary':{'BillingMode':'PROVISIONED'},"
        "'LocalSecondaryIndexes':[{'IndexName':'byL','KeySchema':[{'AttributeName':'pk','KeyType':"
        "'HASH'},{'AttributeName':'l','KeyType':'RANGE'}],'Projection':{'ProjectionType':"
        "'KEYS_ONLY'},'IndexSizeBytes':80,'ItemCount':8,'IndexArn':"
        "'arn:aws:dynamodb:us-east-1:123456789012:table/full/index/byL'}],"
        "'GlobalSecondaryIndexes':[{'IndexName':'byG','KeySchema':[{'AttributeName':'g','KeyType':"
        "'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],'Projection':{'ProjectionType':"
        "'INCLUDE','NonKeyAttributes':['a','b']},'IndexStatus':'ACTIVE','ProvisionedThroughput':{"
        "'NumberOfDecreasesToday':0,'ReadCapacityUnits':2,'WriteCapacityUnits':3},"
        "'IndexSizeBytes':70,'ItemCount':7,'IndexArn':"
        "'arn:aws:dynamodb:us-east-1:123456789012:table/full/index/byG'}],"
        "'StreamSpecification':{'StreamEnabled':true,'StreamViewType':'NEW_AND_OLD_IMAGES'},"
        "'LatestStreamLabel':'2025-11-25T16:05:18.632','LatestStreamArn':"
        "'arn:aws:dynamodb:us-east-1:123456789012:table/full/stream/2025-11-25T16:05:18.632',"
        "'SSEDescription':{'Status':'ENABLED','SSEType':'KMS','KMSMasterKeyArn':"
        "'arn:aws:kms:us-east-1:123456789012:key/k1'},'TableClassSummary':{'TableClass':"
        "'STANDARD_INFREQUENT_ACCESS'},'DeletionProtectionEnabled':true}");
    json_decref(d);
    ddb_table_free(t);
}

static void test_describe_pay_per_request(void **state)
{
    ddb_table *t = create("{" BASE "," PPR "}");
    json_t *d = describe(t);
    assert_json_q(d, "{" AD_S ",'TableName':'tbl'," KS_H ",'TableStatus':'ACTIVE',"
                     "'CreationDateTime':1764086718.632,'ProvisionedThroughput':{"
                     "'NumberOfDecreasesToday':0,'ReadCapacityUnits':0,'WriteCapacityUnits':0},"
                     "'TableSizeBytes':900,'ItemCount':9,"
                     "'TableArn':'arn:aws:dynamodb:us-east-1:123456789012:table/tbl',"
                     "'BillingModeSummary':{'BillingMode':'PAY_PER_REQUEST',"
                     "'LastUpdateToPayPerRequestDateTime':1764086718.632},"
                     "'DeletionProtectionEnabled':false}");
    json_decref(d);
    char *arn = ddb_stream_arn(t, "L", "r", "a");
    assert_string_equal(arn, "arn:aws:dynamodb:r:a:table/tbl/stream/L");
    free(arn);
    ddb_table_free(t);
}

/* load(def) gives a table whose def and fields equal the original's. */
static void assert_round_trip(const ddb_table *t)
{
    char *text = json_dumps(t->def, JSON_COMPACT);
    json_t *parsed = tu_json(text);
    ddb_err err = DDB_ERR_INIT;
    ddb_table *u = ddb_table_load(parsed, &err);
    assert_non_null(u);
    assert_true(json_equal(u->def, t->def));
    assert_string_equal(u->name, t->name);
    assert_string_equal(u->hash.name, t->hash.name);
    assert_int_equal(u->range.type, t->range.type);
    assert_int_equal(u->n_indexes, t->n_indexes);
    for (size_t i = 0; i < t->n_indexes; i++) {
        assert_string_equal(u->indexes[i].name, t->indexes[i].name);
        assert_int_equal(u->indexes[i].ino, t->indexes[i].ino);
        assert_int_equal(u->indexes[i].global, t->indexes[i].global);
        assert_int_equal(u->indexes[i].projection, t->indexes[i].projection);
        assert_int_equal(u->indexes[i].n_include, t->indexes[i].n_include);
    }
    assert_int_equal(u->stream_enabled, t->stream_enabled);
    assert_int_equal(u->deletion_protection, t->deletion_protection);
    json_t *a = ddb_table_describe(t, NULL), *b = ddb_table_describe(u, NULL);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    ddb_table_free(u);
    json_decref(parsed);
    free(text);
}

static void test_load_round_trip(void **state)
{
    ddb_table *t = create(FULL_REQ);
    assert_round_trip(t);
    ddb_table_free(t);
    t = create("{" BASE "," PPR "}");
    assert_round_trip(t);
    ddb_table_free(t);

    ddb_err err = DDB_ERR_INIT;
    json_t *bad = q("{'Format':99}");
    assert_null(ddb_table_load(bad, &err));
    assert_int_equal(err.code, DDB_E_INTERNAL);
    json_decref(bad);
    bad = q("{'Format':1,'TableName':'x'}");
    assert_null(ddb_table_load(bad, &err));
    json_decref(bad);
    ddb_err_clear(&err);
}

/* Runs UpdateTable; on success frees *t and replaces it with the result. */
static bool update(ddb_table **t, const char *req, int64_t now, ddb_err *err, int *dropped,
                   const char **created)
{
    json_t *r = q(req);
    const ddb_index *ni;
    int di;
    ddb_table *nt = ddb_table_update(*t, r, now, &ni, &di, err);
    json_decref(r);
    if (!nt) return false;
    if (dropped) *dropped = di;
    if (created) *created = ni ? ni->name : NULL;
    assert_round_trip(nt);
    ddb_table_free(*t);
    *t = nt;
    return true;
}

static void test_update_stream(void **state)
{
    ddb_table *t = create("{" BASE "," PPR "}");
    ddb_err err = DDB_ERR_INIT;
    assert_null(t->stream_label);
    assert_false(update(&t, "{'TableName':'tbl'}", NOW, &err, NULL, NULL));
    assert_string_equal(err.message, "Nothing to update");
    assert_false(update(&t, "{'TableName':'tbl'," AD_S "}", NOW, &err, NULL, NULL));
    assert_string_equal(err.message, "Nothing to update");
    assert_false(
        update(&t, "{'StreamSpecification':{'StreamEnabled':false}}", NOW, &err, NULL, NULL));
    assert_string_equal(err.message, "Table has no stream to disable");
    assert_true(
        update(&t, "{'StreamSpecification':{'StreamEnabled':true,'StreamViewType':'NEW_IMAGE'}}",
               NOW + 1000000, &err, NULL, NULL));
    assert_true(t->stream_enabled);
    assert_string_equal(t->stream_view_type, "NEW_IMAGE");
    assert_string_equal(t->stream_label, "2025-11-25T16:05:19.632");
    assert_false(
        update(&t, "{'StreamSpecification':{'StreamEnabled':true,'StreamViewType':'KEYS_ONLY'}}",
               NOW, &err, NULL, NULL));
    assert_string_equal(err.message, "Table already has an enabled stream: TableName: tbl");
    assert_true(
        update(&t, "{'StreamSpecification':{'StreamEnabled':false}}", NOW, &err, NULL, NULL));
    assert_false(t->stream_enabled);
    assert_null(t->stream_view_type);
    assert_string_equal(t->stream_label, "2025-11-25T16:05:19.632"); /* kept for Describe */
    json_t *d = ddb_table_describe(t, NULL);
    assert_null(json_object_get(d, "StreamSpecification"));
    assert_string_equal(json_string_value(json_object_get(d, "LatestStreamArn")),
                        "arn:aws:dynamodb:ddblocal:000000000000:table/tbl/stream/"
                        "2025-11-25T16:05:19.632");
    json_decref(d);
    /* Re-enabled in the same millisecond: still a new label. */
    assert_true(
        update(&t, "{'StreamSpecification':{'StreamEnabled':true,'StreamViewType':'KEYS_ONLY'}}",
               NOW + 1000000, &err, NULL, NULL));
    assert_string_equal(t->stream_label, "2025-11-25T16:05:19.633");
    ddb_err_clear(&err);
    ddb_table_free(t);
}

static void test_update_gsi(void **state)
{
    ddb_table *t = create("{'TableName':'tbl'," KS_H "," AD_SG "," PPR "," GSI("") "}");
    ddb_err err = DDB_ERR_INIT;
    int dropped = 0;
    const char *created = NULL;
    int ino1 = t->indexes[0].ino;
#define CREATE_G2                                                                                  \
    "'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'gsi2','KeySchema':[{"                  \
    "'AttributeName':'h','KeyType':'HASH'}],'Projection':{'ProjectionType':'KEYS_ONLY'}}}]"
    assert_false(update(&t, "{" CREATE_G2 "}", NOW, &err, NULL, NULL));
    assert_string_equal(err.message, "No Attribute Schema Defined");
    assert_false(update(&t, "{" AD_S "," CREATE_G2 "}", NOW, &err, NULL, NULL));
    assert_string_equal(err.message, "Attribute h is not defined in AttributeDefinitions");
    assert_false(update(&t,
                        "{'AttributeDefinitions':[{'AttributeName':'g','AttributeType':'N'}],"
                        "'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'gsi2',"
                        "'KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],'Projection':{"
                        "'ProjectionType':'ALL'}}}]}",
                        NOW, &err, NULL, NULL));
    assert_int_equal(err.code, DDB_E_VALIDATION);
    assert_true(update(&t,
                       "{'AttributeDefinitions':[{'AttributeName':'h','AttributeType':'N'},"
                       "{'AttributeName':'pk','AttributeType':'S'}]," CREATE_G2 "}",
                       NOW, &err, &dropped, &created));
    assert_string_equal(created, "gsi2");
    assert_int_equal(dropped, -1);
    const ddb_index *g2 = ddb_table_find_index(t, "gsi2");
    assert_non_null(g2);
    assert_int_equal(g2->hash.type, 'N');
    assert_int_equal(g2->projection, DDB_PROJECT_KEYS_ONLY);
    assert_int_equal(ddb_table_find_index(t, "gsi1")->ino, ino1);
    int ino2 = g2->ino;
    assert_true(ino2 > ino1);
    assert_json_q(json_object_get(t->def, "AttributeDefinitions"),
                  "[{'AttributeName':'pk','AttributeType':'S'},{'AttributeName':'g',"
                  "'AttributeType':'S'},{'AttributeName':'h','AttributeType':'N'}]");
    assert_false(update(&t,
                        "{'AttributeDefinitions':[{'AttributeName':'h','AttributeType':'N'}],"
                        "" CREATE_G2 "}",
                        NOW, &err, NULL, NULL));
    assert_string_equal(err.message,
                        "One or more parameter values were invalid: Index already exists: gsi2");
    assert_false(update(&t,
                        "{'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'gsi1'}},"
                        "{'Delete':{'IndexName':'gsi2'}}]}",
                        NOW, &err, NULL, NULL));
    assert_int_equal(err.code, DDB_E_LIMIT_EXCEEDED);
    assert_false(update(&t, "{'GlobalSecondaryIndexUpdates':[{}]}", NOW, &err, NULL, NULL));
    assert_string_equal(err.message, "Update global secondary index action is null");
    assert_false(update(&t, "{'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'nope'}}]}",
                        NOW, &err, NULL, NULL));
    assert_int_equal(err.code, DDB_E_NOT_FOUND);
    assert_true(update(&t, "{'GlobalSecondaryIndexUpdates':[{'Delete':{'IndexName':'gsi1'}}]}", NOW,
                       &err, &dropped, &created));
    assert_int_equal(dropped, ino1);
    assert_null(created);
    assert_null(ddb_table_find_index(t, "gsi1"));
    assert_int_equal(ddb_table_find_index(t, "gsi2")->ino, ino2);
    /* g is no longer used by any key: its definition goes. */
    assert_json_q(json_object_get(t->def, "AttributeDefinitions"),
                  "[{'AttributeName':'pk','AttributeType':'S'},{'AttributeName':'h',"
                  "'AttributeType':'N'}]");
    /* A re-created index gets a fresh number, never a dropped one. */
    assert_true(update(&t,
                       "{" AD_SG ",'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'gsi1',"
                       "'KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],'Projection':{"
                       "'ProjectionType':'ALL'}}}]}",
                       NOW, &err, &dropped, &created));
    assert_string_equal(created, "gsi1");
    assert_true(ddb_table_find_index(t, "gsi1")->ino > ino2);
    ddb_err_clear(&err);
    ddb_table_free(t);
}

static void test_update_throughput_and_billing(void **state)
{
    ddb_table *t = create("{'TableName':'tbl'," KS_H "," AD_SG "," PT "," GSI("," PT) "}");
    ddb_err err = DDB_ERR_INIT;
    assert_false(update(&t, "{" PT "}", NOW, &err, NULL, NULL));
    assert_string_equal(
        err.message,
        "The provisioned throughput for the table will not change. The requested value equals "
        "the current value. Current ReadCapacityUnits provisioned for the table: 1. Requested "
        "ReadCapacityUnits: 1. Current WriteCapacityUnits provisioned for the table: 1. Requested "
        "WriteCapacityUnits: 1. Refer to the Amazon DynamoDB Developer Guide for current limits "
        "and how to request higher limits.");
    assert_false(update(&t,
                        "{'ProvisionedThroughput':{'ReadCapacityUnits':0,'WriteCapacityUnits':1}}",
                        NOW, &err, NULL, NULL));
    assert_string_equal(err.message,
                        "Table read and write throughput must be at least 1, and cannot be null");
    assert_true(update(&t,
                       "{'ProvisionedThroughput':{'ReadCapacityUnits':4,'WriteCapacityUnits':1}}",
                       NOW + 2000000, &err, NULL, NULL));
    json_t *d = ddb_table_describe(t, NULL);
    assert_json_q(json_object_get(d, "ProvisionedThroughput"),
                  "{'LastIncreaseDateTime':1764086720.632,'NumberOfDecreasesToday':0,"
                  "'ReadCapacityUnits':4,'WriteCapacityUnits':1}");
    json_decref(d);
    assert_true(update(&t,
                       "{'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'gsi1',"
                       "'ProvisionedThroughput':{'ReadCapacityUnits':9,'WriteCapacityUnits':8}}}]}",
                       NOW, &err, NULL, NULL));
    assert_json_q(
        json_object_get(json_array_get(json_object_get(t->def, "GlobalSecondaryIndexes"), 0),
                        "ProvisionedThroughput"),
        "{'ReadCapacityUnits':9,'WriteCapacityUnits':8}");
    assert_false(
        update(&t,
               "{'GlobalSecondaryIndexUpdates':[{'Update':{'IndexName':'nope',"
               "'ProvisionedThroughput':{'ReadCapacityUnits':9,'WriteCapacityUnits':8}}}]}",
               NOW, &err, NULL, NULL));
    assert_string_equal(err.message, "Invalid global secondary index name");
    assert_false(update(&t, "{" PPR "," PT "}", NOW, &err, NULL, NULL));
    assert_int_equal(err.code, DDB_E_VALIDATION);
    assert_true(update(&t, "{" PPR "}", NOW + 3000000, &err, NULL, NULL));
    d = ddb_table_describe(t, NULL);
    assert_json_q(json_object_get(d, "BillingModeSummary"),
                  "{'BillingMode':'PAY_PER_REQUEST','LastUpdateToPayPerRequestDateTime':"
                  "1764086721.632}");
    assert_json_q(json_object_get(json_array_get(json_object_get(d, "GlobalSecondaryIndexes"), 0),
                                  "ProvisionedThroughput"),
                  "{'NumberOfDecreasesToday':0,'ReadCapacityUnits':0,'WriteCapacityUnits':0}");
    json_decref(d);
    assert_false(update(&t, "{'BillingMode':'PROVISIONED'}", NOW, &err, NULL, NULL));
    assert_string_equal(err.message, "No provisioned throughput specified for the table");
    assert_false(update(&t, "{'BillingMode':'PROVISIONED'," PT "}", NOW, &err, NULL, NULL));
    assert_string_equal(err.message,
                        "One or more parameter values were invalid: ProvisionedThroughput must be "
                        "specified for index: gsi1 when BillingMode is PROVISIONED");
    assert_true(update(&t,
                       "{'BillingMode':'PROVISIONED'," PT ",'GlobalSecondaryIndexUpdates':[{"
                       "'Update':{'IndexName':'gsi1'," PT "}}]}",
                       NOW, &err, NULL, NULL));
    assert_string_equal(json_string_value(json_object_get(t->def, "BillingMode")), "PROVISIONED");
    ddb_err_clear(&err);
    ddb_table_free(t);
}

static void test_update_options(void **state)
{
    ddb_table *t = create("{" BASE "," PPR "}");
    ddb_err err = DDB_ERR_INIT;
    assert_false(t->deletion_protection);
    assert_true(update(&t,
                       "{'DeletionProtectionEnabled':true,'TableClass':'STANDARD',"
                       "'SSESpecification':{'Enabled':true}}",
                       NOW, &err, NULL, NULL));
    assert_true(t->deletion_protection);
    json_t *d = ddb_table_describe(t, NULL);
    assert_json_q(json_object_get(d, "TableClassSummary"), "{'TableClass':'STANDARD'}");
    assert_json_q(json_object_get(d, "SSEDescription"), "{'Status':'ENABLED','SSEType':'KMS'}");
    assert_true(json_is_true(json_object_get(d, "DeletionProtectionEnabled")));
    json_decref(d);
    assert_false(update(&t, "{'TableClass':'X'}", NOW, &err, NULL, NULL));
    assert_int_equal(err.code, DDB_E_VALIDATION);
    assert_true(update(&t, "{'DeletionProtectionEnabled':false}", NOW, &err, NULL, NULL));
    assert_false(t->deletion_protection);
    ddb_err_clear(&err);
    ddb_table_free(t);
}

/* Runs a ttl/tag/untag step: replaces *t on success. */
typedef ddb_table *(*change_fn)(const ddb_table *, const json_t *, ddb_err *);
static bool change(ddb_table **t, change_fn fn, const char *arg, ddb_err *err)
{
    json_t *a = arg ? q(arg) : NULL;
    ddb_table *nt = fn(*t, a, err);
    json_decref(a);
    if (!nt) return false;
    assert_round_trip(nt);
    ddb_table_free(*t);
    *t = nt;
    return true;
}

static void test_ttl(void **state)
{
    static const struct {
        const char *spec; /* NULL: no specification */
        const char *msg;  /* NULL: succeeds */
        const char *attr; /* ttl_attr afterwards */
    } steps[] = {
        {NULL, "TimeToLiveSpecification cannot be null", NULL},
        {"{'Enabled':false,'AttributeName':'exp'}", "TimeToLive is already disabled", NULL},
        {"{'Enabled':true}", "AttributeName cannot be null when time to live is being enabled",
         NULL},
        {"{'Enabled':true,'AttributeName':''}",
         "Names of key attributes and attributes projected into an index must be between 1 and "
         "255 characters, inclusive",
         NULL},
        {"{'Enabled':true,'AttributeName':'exp'}", NULL, "exp"},
        {"{'Enabled':true,'AttributeName':'exp'}", "TimeToLive is already enabled", "exp"},
        {"{'Enabled':true,'AttributeName':'other'}",
         "TimeToLive is active on a different AttributeName", "exp"},
        {"{'Enabled':false,'AttributeName':'other'}",
         "TimeToLive is active on a different AttributeName", "exp"},
        {"{'Enabled':false,'AttributeName':'exp'}", NULL, NULL},
        {"{'Enabled':true,'AttributeName':'other'}", NULL, "other"},
    };
    ddb_table *t = create("{" BASE "," PPR "}");
    ddb_err err = DDB_ERR_INIT;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        bool ok = change(&t, ddb_table_set_ttl, steps[i].spec, &err);
        if (ok != (steps[i].msg == NULL) || (!ok && strcmp(err.message, steps[i].msg) != 0))
            fail_msg("ttl step %zu: got '%s'", i, ok ? "ok" : err.message);
        if (steps[i].attr)
            assert_string_equal(t->ttl_attr, steps[i].attr);
        else
            assert_null(t->ttl_attr);
    }
    ddb_err_clear(&err);
    ddb_table_free(t);
}

static void test_tags(void **state)
{
    ddb_table *t = create("{" BASE "," PPR ",'Tags':[{'Key':'a','Value':'1'}]}");
    ddb_err err = DDB_ERR_INIT;
    assert_true(
        change(&t, ddb_table_tag, "[{'Key':'b','Value':''},{'Key':'a','Value':'2'}]", &err));
    assert_json_q(json_object_get(t->def, "Tags"),
                  "[{'Key':'a','Value':'2'},{'Key':'b','Value':''}]");
    assert_false(change(&t, ddb_table_tag, "[]", &err));
    assert_false(change(&t, ddb_table_tag, "[{'Key':'','Value':'x'}]", &err));
    assert_string_equal(err.message,
                        "1 validation error detected: Value '' at 'tags.1.member.key' failed to "
                        "satisfy constraint: Member must have length greater than or equal to 1");
    assert_false(change(&t, ddb_table_tag, "[{'Key':'aws:x','Value':'x'}]", &err));
    assert_int_equal(err.code, DDB_E_VALIDATION);
    json_t *many = json_array();
    for (int i = 0; i < 49; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        json_array_append_new(many, json_pack("{s:s,s:s}", "Key", k, "Value", "v"));
    }
    ddb_table *nt = ddb_table_tag(t, many, &err);
    assert_null(nt); /* 2 + 49 > 50 */
    assert_int_equal(err.code, DDB_E_LIMIT_EXCEEDED);
    json_decref(many);
    assert_true(change(&t, ddb_table_untag, "['a','zz']", &err));
    assert_json_q(json_object_get(t->def, "Tags"), "[{'Key':'b','Value':''}]");
    assert_false(change(&t, ddb_table_untag, "[]", &err));
    assert_int_equal(err.code, DDB_E_VALIDATION);
    ddb_err_clear(&err);
    ddb_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_validation),
        cmocka_unit_test(test_create_limits),
        cmocka_unit_test(test_describe_full),
        cmocka_unit_test(test_describe_pay_per_request),
        cmocka_unit_test(test_load_round_trip),
        cmocka_unit_test(test_update_stream),
        cmocka_unit_test(test_update_gsi),
        cmocka_unit_test(test_update_throughput_and_billing),
        cmocka_unit_test(test_update_options),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test(test_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
