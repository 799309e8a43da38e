/*
 * ddb: the store interface. Everything above src/ddb/ (messaging, tools, the
 * wire endpoint) talks to DynamoDB's data model through this header only,
 * without knowing whether the store is the embedded engine or a remote
 * DynamoDB endpoint.
 *
 * Requests and responses are jansson objects in DynamoDB's own JSON shape
 * (the bodies of the DynamoDB_20120810 and DynamoDBStreams_20120810 APIs),
 * so that each operation is written once and the wire endpoint and the
 * remote driver are thin.
 *
 * Ownership: ddb_call() borrows `req` and returns a new reference (the
 * caller json_decref()s it), or NULL with `err` filled in. ddb_err owns
 * `detail`; release it with ddb_err_clear(). A store is safe to use from
 * many threads at once.
 */
#ifndef CRUDDUR_DDB_DDB_H
#define CRUDDUR_DDB_DDB_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"

/* Machine codes for the errors DynamoDB defines (and a few of the client's). */
typedef enum ddb_code {
    DDB_OK = 0,
    DDB_E_VALIDATION,          /* ValidationException */
    DDB_E_NOT_FOUND,           /* ResourceNotFoundException */
    DDB_E_IN_USE,              /* ResourceInUseException */
    DDB_E_CONDITION,           /* ConditionalCheckFailedException */
    DDB_E_DUPLICATE_ITEM,      /* DuplicateItemException (PartiQL INSERT) */
    DDB_E_TXN_CANCELED,        /* TransactionCanceledException */
    DDB_E_TXN_CONFLICT,        /* TransactionConflictException */
    DDB_E_IDEMPOTENT_MISMATCH, /* IdempotentParameterMismatchException */
    DDB_E_COLLECTION_SIZE,     /* ItemCollectionSizeLimitExceededException */
    DDB_E_SERIALIZATION,       /* SerializationException */
    DDB_E_UNKNOWN_OP,          /* UnknownOperationException */
    DDB_E_LIMIT_EXCEEDED,      /* LimitExceededException */
    DDB_E_EXPIRED_ITERATOR,    /* ExpiredIteratorException (streams) */
    DDB_E_TRIMMED,             /* TrimmedDataAccessException (streams) */
    DDB_E_THROTTLED,           /* ThrottlingException / ProvisionedThroughputExceededException */
    DDB_E_AUTH,                /* signature / credential errors */
    DDB_E_UNAVAILABLE,         /* endpoint unreachable (client side) */
    DDB_E_INTERNAL,            /* InternalServerError: never expected */
} ddb_code;

typedef struct ddb_err {
    ddb_code code;
    char type[96];      /* DynamoDB's error name, e.g. "ValidationException" */
    char message[1024]; /* human message, DynamoDB's wording where practical */
    json_t *detail;     /* extra members of the error body, e.g. {"Item": ...} or
                           {"CancellationReasons": [...]}; NULL when none */
} ddb_err;

#define DDB_ERR_INIT                                                                               \
    {                                                                                              \
        DDB_OK, "", "", NULL                                                                       \
    }

void ddb_err_set(ddb_err *err, ddb_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like ddb_err_set but with an explicit DynamoDB error name (remote errors). */
void ddb_err_set_type(ddb_err *err, ddb_code code, const char *type, const char *message);
void ddb_err_clear(ddb_err *err);
const char *ddb_code_name(ddb_code code); /* "ValidationException", ... */
int ddb_code_http_status(ddb_code code);  /* 400, 500, ... as DynamoDB answers */
/* Moves src into dst (dst cleared first); src is left empty. */
void ddb_err_move(ddb_err *dst, ddb_err *src);
/*
 * The two wordings of a JSON value of the wrong kind in a request
 * (SerializationException), each written once:
 * - a request member, or an element of one, that is not the `want` ("a
 *   string", "a boolean", "an integer", "an object", "a list") its shape
 *   asks for: "Unexpected value type for Limit: expected an integer";
 * - a value inside an AttributeValue, in the words of DynamoDB's JSON
 *   parser: where a `want` scalar ("String", "Boolean", "Blob") belongs,
 *   "NUMBER_VALUE cannot be converted to String" (the token's name), "Start
 *   of structure or map found where not expected." for an object, "Start of
 *   list found where not expected" for an array; where a "structure" or
 *   "list" belongs, "Unexpected value type in payload" for a scalar.
 */
void ddb_err_member_type(ddb_err *err, const char *member, const char *want);
void ddb_err_value_type(ddb_err *err, const json_t *v, const char *want);

typedef struct ddb_store ddb_store;

/*
 * Runs one operation by its API name ("PutItem", "Query", "GetRecords", ...).
 * Streams operations (ListStreams, DescribeStream, GetShardIterator,
 * GetRecords) go through the same call.
 */
json_t *ddb_call(ddb_store *store, const char *op, json_t *req, ddb_err *err);

/*
 * Runs a Query or Scan page after page, following LastEvaluatedKey, and
 * calls each(item, arg) for every item in order. `req` is borrowed and not
 * changed. Stops early (returning true) when `each` returns false; returns
 * false with err set when a call fails.
 */
typedef bool (*ddb_item_fn)(const json_t *item, void *arg);
bool ddb_each_item(ddb_store *store, const char *op, const json_t *req, ddb_item_fn each, void *arg,
                   ddb_err *err);
/* Every item of every page as one array (new reference), or NULL with err set. */
json_t *ddb_all_items(ddb_store *store, const char *op, const json_t *req, ddb_err *err);

/*
 * Appends the compact JSON text of a response (or any value) to b, the
 * text json_out writes, for a wire protocol answer. Items that the
 * embedded engine returned are copied from their stored text rather than
 * encoded again (they are the bulk of read answers).
 */
void ddb_json_append(buf_t *b, const json_t *v);

/*
 * Blocks until the store has committed a change after `since` (a value from
 * ddb_store_change_counter), or timeout_ms passes. Lets stream consumers wake
 * at once in-process; remote stores simply sleep. Returns the new counter.
 */
uint64_t ddb_store_wait_change(ddb_store *store, uint64_t since, int timeout_ms);
uint64_t ddb_store_change_counter(ddb_store *store);

void ddb_store_close(ddb_store *store);

/* The driver table every store implementation fills in. */
typedef struct ddb_store_ops {
    json_t *(*call)(ddb_store *store, const char *op, json_t *req, ddb_err *err);
    uint64_t (*wait_change)(ddb_store *store, uint64_t since, int timeout_ms);
    uint64_t (*change_counter)(ddb_store *store);
    void (*close)(ddb_store *store);
} ddb_store_ops;

struct ddb_store {
    const ddb_store_ops *ops;
};

#endif
