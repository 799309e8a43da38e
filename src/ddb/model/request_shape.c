/*
 * request_shape: the JSON types of every operation's request members
 * (request_shape.h), written as one table per operation, after the
 * shapes of DynamoDB's API reference.
 *
 * A shape is a kind (string, boolean, integer, AttributeValue, structure,
 * list or map) and, for the containers, the shape of their elements or the
 * members of the structure. AttributeValues are walked to the bottom (M
 * and L hold AttributeValues), checking only the JSON kinds of the type
 * members DynamoDB defines; what a value means (one type only, numbers,
 * empty sets) is value.c's ValidationException, after this.
 *
 * Messages: a scalar of the wrong kind in an AttributeValue is worded as
 * value.c words it ("NUMBER_VALUE cannot be converted to String"); a
 * request member of the wrong kind as the engine's other request readers
 * word it ("Unexpected value type for Limit: expected an integer"); both
 * wordings are ddb.h's (ddb_err_value_type, ddb_err_member_type).
 */
#include "ddb/model/request_shape.h"

#include <string.h>

/* Deeper than DynamoDB's 32 levels of nesting: value.c refuses the item,
   so the walk need not go further. */
#define SHAPE_MAX_DEPTH 40

typedef enum shape_kind {
    SH_STR,
    SH_BOOL,
    SH_INT,
    SH_AV,     /* one AttributeValue */
    SH_STRUCT, /* members[] */
    SH_LIST,   /* elem */
    SH_MAP,    /* name -> elem */
} shape_kind;

typedef struct shape shape;
typedef struct member {
    const char *name;
    const shape *shape;
} member;

struct shape {
    shape_kind kind;
    const shape *elem;     /* SH_LIST, SH_MAP */
    const member *members; /* SH_STRUCT: ends with {NULL, NULL} */
};

/* ---- the shapes ---- */

static const shape STR = {SH_STR, NULL, NULL};
static const shape BOOL = {SH_BOOL, NULL, NULL};
static const shape INT = {SH_INT, NULL, NULL};
static const shape AV = {SH_AV, NULL, NULL};
static const shape ITEM = {SH_MAP, &AV, NULL};     /* Item, Key, ExpressionAttributeValues */
static const shape STR_MAP = {SH_MAP, &STR, NULL}; /* ExpressionAttributeNames */
static const shape STR_LIST = {SH_LIST, &STR, NULL};
static const shape AV_LIST = {SH_LIST, &AV, NULL}; /* PartiQL Parameters */
static const shape ITEM_LIST = {SH_LIST, &ITEM, NULL};

#define EXPR_MEMBERS                                                                               \
    {"ExpressionAttributeNames", &STR_MAP},                                                        \
    {                                                                                              \
        "ExpressionAttributeValues", &ITEM                                                         \
    }

static const member get_item[] = {
    {"TableName", &STR},
    {"Key", &ITEM},
    {"ConsistentRead", &BOOL},
    {"ProjectionExpression", &STR},
    {"ExpressionAttributeNames", &STR_MAP},
    {"ReturnConsumedCapacity", &STR},
    {NULL, NULL},
};

#define WRITE_MEMBERS                                                                              \
    {"TableName", &STR}, {"ConditionExpression", &STR}, EXPR_MEMBERS, {"ReturnValues", &STR},      \
        {"ReturnConsumedCapacity", &STR}, {"ReturnItemCollectionMetrics", &STR},                   \
    {                                                                                              \
        "ReturnValuesOnConditionCheckFailure", &STR                                                \
    }

static const member put_item[] = {WRITE_MEMBERS, {"Item", &ITEM}, {NULL, NULL}};
static const member delete_item[] = {WRITE_MEMBERS, {"Key", &ITEM}, {NULL, NULL}};
static const member update_item[] = {
    WRITE_MEMBERS, {"Key", &ITEM}, {"UpdateExpression", &STR}, {NULL, NULL}};

#define READ_MEMBERS                                                                               \
    {"TableName", &STR}, {"IndexName", &STR}, {"Select", &STR}, {"Limit", &INT},                   \
        {"ConsistentRead", &BOOL}, {"ExclusiveStartKey", &ITEM}, {"ReturnConsumedCapacity", &STR}, \
        {"ProjectionExpression", &STR}, {"FilterExpression", &STR}, EXPR_MEMBERS

static const member query[] = {
    READ_MEMBERS, {"KeyConditionExpression", &STR}, {"ScanIndexForward", &BOOL}, {NULL, NULL}};
static const member scan[] = {
    READ_MEMBERS, {"Segment", &INT}, {"TotalSegments", &INT}, {NULL, NULL}};

static const member keys_and_attributes[] = {
    {"Keys", &ITEM_LIST},
    {"ConsistentRead", &BOOL},
    {"ProjectionExpression", &STR},
    {"ExpressionAttributeNames", &STR_MAP},
    {NULL, NULL},
};
static const shape KEYS_AND_ATTRIBUTES = {SH_STRUCT, NULL, keys_and_attributes};
static const shape GET_TABLES = {SH_MAP, &KEYS_AND_ATTRIBUTES, NULL};
static const member batch_get[] = {
    {"RequestItems", &GET_TABLES}, {"ReturnConsumedCapacity", &STR}, {NULL, NULL}};

static const member put_request[] = {{"Item", &ITEM}, {NULL, NULL}};
static const member delete_request[] = {{"Key", &ITEM}, {NULL, NULL}};
static const shape PUT_REQUEST = {SH_STRUCT, NULL, put_request};
static const shape DELETE_REQUEST = {SH_STRUCT, NULL, delete_request};
static const member write_request[] = {
    {"PutRequest", &PUT_REQUEST}, {"DeleteRequest", &DELETE_REQUEST}, {NULL, NULL}};
static const shape WRITE_REQUEST = {SH_STRUCT, NULL, write_request};
static const shape WRITE_REQUESTS = {SH_LIST, &WRITE_REQUEST, NULL};
static const shape WRITE_TABLES = {SH_MAP, &WRITE_REQUESTS, NULL};
static const member batch_write[] = {
    {"RequestItems", &WRITE_TABLES},
    {"ReturnConsumedCapacity", &STR},
    {"ReturnItemCollectionMetrics", &STR},
    {NULL, NULL},
};

static const member tx_get[] = {
    {"TableName", &STR},
    {"Key", &ITEM},
    {"ProjectionExpression", &STR},
    {"ExpressionAttributeNames", &STR_MAP},
    {NULL, NULL},
};
static const shape TX_GET = {SH_STRUCT, NULL, tx_get};
static const member tx_get_item[] = {{"Get", &TX_GET}, {NULL, NULL}};
static const shape TX_GET_ITEM = {SH_STRUCT, NULL, tx_get_item};
static const shape TX_GET_ITEMS = {SH_LIST, &TX_GET_ITEM, NULL};
static const member transact_get[] = {
    {"TransactItems", &TX_GET_ITEMS}, {"ReturnConsumedCapacity", &STR}, {NULL, NULL}};

#define TX_WRITE_MEMBERS                                                                           \
    {"TableName", &STR}, {"ConditionExpression", &STR}, EXPR_MEMBERS,                              \
    {                                                                                              \
        "ReturnValuesOnConditionCheckFailure", &STR                                                \
    }
static const member tx_check[] = {TX_WRITE_MEMBERS, {"Key", &ITEM}, {NULL, NULL}};
static const member tx_put[] = {TX_WRITE_MEMBERS, {"Item", &ITEM}, {NULL, NULL}};
static const member tx_delete[] = {TX_WRITE_MEMBERS, {"Key", &ITEM}, {NULL, NULL}};
static const member tx_update[] = {
    TX_WRITE_MEMBERS, {"Key", &ITEM}, {"UpdateExpression", &STR}, {NULL, NULL}};
static const shape TX_CHECK = {SH_STRUCT, NULL, tx_check};
static const shape TX_PUT = {SH_STRUCT, NULL, tx_put};
static const shape TX_DELETE = {SH_STRUCT, NULL, tx_delete};
static const shape TX_UPDATE = {SH_STRUCT, NULL, tx_update};
static const member tx_write_item[] = {
    {"ConditionCheck", &TX_CHECK}, {"Put", &TX_PUT}, {"Delete", &TX_DELETE},
    {"Update", &TX_UPDATE},        {NULL, NULL},
};
static const shape TX_WRITE_ITEM = {SH_STRUCT, NULL, tx_write_item};
static const shape TX_WRITE_ITEMS = {SH_LIST, &TX_WRITE_ITEM, NULL};
static const member transact_write[] = {
    {"TransactItems", &TX_WRITE_ITEMS},
    {"ClientRequestToken", &STR},
    {"ReturnConsumedCapacity", &STR},
    {"ReturnItemCollectionMetrics", &STR},
    {NULL, NULL},
};

static const member execute_statement[] = {
    {"Statement", &STR},
    {"Parameters", &AV_LIST},
    {"ConsistentRead", &BOOL},
    {"NextToken", &STR},
    {"Limit", &INT},
    {"ReturnConsumedCapacity", &STR},
    {"ReturnValuesOnConditionCheckFailure", &STR},
    {NULL, NULL},
};
static const member batch_statement[] = {
    {"Statement", &STR},
    {"Parameters", &AV_LIST},
    {"ConsistentRead", &BOOL},
    {"ReturnValuesOnConditionCheckFailure", &STR},
    {NULL, NULL},
};
static const shape BATCH_STATEMENT = {SH_STRUCT, NULL, batch_statement};
static const shape BATCH_STATEMENTS = {SH_LIST, &BATCH_STATEMENT, NULL};
static const member batch_execute[] = {
    {"Statements", &BATCH_STATEMENTS}, {"ReturnConsumedCapacity", &STR}, {NULL, NULL}};
static const member tx_statement[] = {
    {"Statement", &STR},
    {"Parameters", &AV_LIST},
    {"ReturnValuesOnConditionCheckFailure", &STR},
    {NULL, NULL},
};
static const shape TX_STATEMENT = {SH_STRUCT, NULL, tx_statement};
static const shape TX_STATEMENTS = {SH_LIST, &TX_STATEMENT, NULL};
static const member execute_transaction[] = {
    {"TransactStatements", &TX_STATEMENTS},
    {"ClientRequestToken", &STR},
    {"ReturnConsumedCapacity", &STR},
    {NULL, NULL},
};

static const member table_only[] = {{"TableName", &STR}, {NULL, NULL}};
static const member list_tables[] = {
    {"ExclusiveStartTableName", &STR}, {"Limit", &INT}, {NULL, NULL}};

static const member ttl_spec[] = {{"Enabled", &BOOL}, {"AttributeName", &STR}, {NULL, NULL}};
static const shape TTL_SPEC = {SH_STRUCT, NULL, ttl_spec};
static const member update_ttl[] = {
    {"TableName", &STR}, {"TimeToLiveSpecification", &TTL_SPEC}, {NULL, NULL}};

static const member stream_spec[] = {
    {"StreamEnabled", &BOOL}, {"StreamViewType", &STR}, {NULL, NULL}};
static const shape STREAM_SPEC = {SH_STRUCT, NULL, stream_spec};
static const member update_table[] = {
    {"TableName", &STR},
    {"BillingMode", &STR},
    {"StreamSpecification", &STREAM_SPEC},
    {"TableClass", &STR},
    {"DeletionProtectionEnabled", &BOOL},
    {NULL, NULL},
};

static const member tag[] = {{"Key", &STR}, {"Value", &STR}, {NULL, NULL}};
static const shape TAG = {SH_STRUCT, NULL, tag};
static const shape TAGS = {SH_LIST, &TAG, NULL};
static const member tag_resource[] = {{"ResourceArn", &STR}, {"Tags", &TAGS}, {NULL, NULL}};
static const member untag_resource[] = {
    {"ResourceArn", &STR}, {"TagKeys", &STR_LIST}, {NULL, NULL}};
static const member list_tags[] = {{"ResourceArn", &STR}, {"NextToken", &STR}, {NULL, NULL}};

static const member list_streams[] = {
    {"TableName", &STR}, {"Limit", &INT}, {"ExclusiveStartStreamArn", &STR}, {NULL, NULL}};
static const member shard_filter[] = {{"Type", &STR}, {"ShardId", &STR}, {NULL, NULL}};
static const shape SHARD_FILTER = {SH_STRUCT, NULL, shard_filter};
static const member describe_stream[] = {
    {"StreamArn", &STR},
    {"Limit", &INT},
    {"ExclusiveStartShardId", &STR},
    {"ShardFilter", &SHARD_FILTER},
    {NULL, NULL},
};
static const member get_shard_iterator[] = {
    {"StreamArn", &STR},      {"ShardId", &STR}, {"ShardIteratorType", &STR},
    {"SequenceNumber", &STR}, {NULL, NULL},
};
static const member get_records[] = {{"ShardIterator", &STR}, {"Limit", &INT}, {NULL, NULL}};

static const struct {
    const char *op;
    const member *members;
} ops[] = {
    {"GetItem", get_item},
    {"PutItem", put_item},
    {"DeleteItem", delete_item},
    {"UpdateItem", update_item},
    {"Query", query},
    {"Scan", scan},
    {"BatchGetItem", batch_get},
    {"BatchWriteItem", batch_write},
    {"TransactGetItems", transact_get},
    {"TransactWriteItems", transact_write},
    {"ExecuteStatement", execute_statement},
    {"BatchExecuteStatement", batch_execute},
    {"ExecuteTransaction", execute_transaction},
    {"DescribeTable", table_only},
    {"DeleteTable", table_only},
    {"DescribeTimeToLive", table_only},
    {"ListTables", list_tables},
    {"UpdateTimeToLive", update_ttl},
    {"UpdateTable", update_table},
    {"TagResource", tag_resource},
    {"UntagResource", untag_resource},
    {"ListTagsOfResource", list_tags},
    {"ListStreams", list_streams},
    {"DescribeStream", describe_stream},
    {"GetShardIterator", get_shard_iterator},
    {"GetRecords", get_records},
};

/* ---- the walk ---- */

/* A scalar inside an AttributeValue of the wrong JSON kind (ddb.h). */
static bool av_scalar_error(const json_t *v, const char *what, ddb_err *err)
{
    ddb_err_value_type(err, v, what);
    return false;
}

static bool check_av(const json_t *av, int depth, ddb_err *err);

/* The members of an SS, NS or BS: a list of strings. */
static bool check_set(const json_t *v, const char *what, ddb_err *err)
{
    if (!json_is_array(v)) {
        ddb_err_set(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
        return false;
    }
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m)
    {
        if (!json_is_null(m) && !json_is_string(m)) return av_scalar_error(m, what, err);
    }
    return true;
}

/* One AttributeValue: the JSON kind of each type member it holds. */
static bool check_av(const json_t *av, int depth, ddb_err *err)
{
    if (depth > SHAPE_MAX_DEPTH) return true;
    if (!json_is_object(av)) {
        ddb_err_set(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
        return false;
    }
    const char *type;
    json_t *v;
    json_object_foreach((json_t *)av, type, v)
    {
        if (json_is_null(v)) continue;
        if (!strcmp(type, "S") || !strcmp(type, "N")) {
            if (!json_is_string(v)) return av_scalar_error(v, "String", err);
        } else if (!strcmp(type, "B")) {
            if (!json_is_string(v)) return av_scalar_error(v, "Blob", err);
        } else if (!strcmp(type, "BOOL") || !strcmp(type, "NULL")) {
            if (!json_is_boolean(v)) return av_scalar_error(v, "Boolean", err);
        } else if (!strcmp(type, "SS") || !strcmp(type, "NS")) {
            if (!check_set(v, "String", err)) return false;
        } else if (!strcmp(type, "BS")) {
            if (!check_set(v, "Blob", err)) return false;
        } else if (!strcmp(type, "M")) {
            if (!json_is_object(v)) {
                ddb_err_set(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
                return false;
            }
            const char *name;
            json_t *m;
            json_object_foreach(v, name, m)
            {
                if (!json_is_null(m) && !check_av(m, depth + 1, err)) return false;
            }
        } else if (!strcmp(type, "L")) {
            if (!json_is_array(v)) {
                ddb_err_set(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
                return false;
            }
            size_t i;
            json_t *m;
            json_array_foreach(v, i, m)
            {
                if (!json_is_null(m) && !check_av(m, depth + 1, err)) return false;
            }
        }
    }
    return true;
}

static bool member_error(const char *name, const char *want, ddb_err *err)
{
    ddb_err_member_type(err, name, want);
    return false;
}

static bool check_members(const json_t *obj, const member *members, ddb_err *err);

/* A value `v` of member `name` against shape `s`; nulls are absent. */
static bool check(const json_t *v, const char *name, const shape *s, ddb_err *err)
{
    if (json_is_null(v)) return true;
    switch (s->kind) {
    case SH_STR:
        return json_is_string(v) || member_error(name, "a string", err);
    case SH_BOOL:
        return json_is_boolean(v) || member_error(name, "a boolean", err);
    case SH_INT:
        return json_is_integer(v) || member_error(name, "an integer", err);
    case SH_AV:
        return check_av(v, 0, err);
    case SH_STRUCT:
        if (!json_is_object(v)) return member_error(name, "an object", err);
        return check_members(v, s->members, err);
    case SH_LIST: {
        if (!json_is_array(v)) return member_error(name, "a list", err);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!check(e, name, s->elem, err)) return false;
        }
        return true;
    }
    case SH_MAP: {
        if (!json_is_object(v)) return member_error(name, "an object", err);
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            if (!check(e, name, s->elem, err)) return false;
        }
        return true;
    }
    }
    return true;
}

static bool check_members(const json_t *obj, const member *members, ddb_err *err)
{
    for (const member *m = members; m->name; m++) {
        json_t *v = json_object_get(obj, m->name);
        if (v && !check(v, m->name, m->shape, err)) return false;
    }
    return true;
}

bool ddb_request_shape_check(const char *op, const json_t *req, ddb_err *err)
{
    if (!op) return true;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(ops[i].op, op)) return check_members(req, ops[i].members, err);
    return true;
}
