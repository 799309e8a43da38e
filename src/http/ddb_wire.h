/*
 * ddb_wire: DynamoDB's JSON 1.0 protocol served over a store (ddb.h):
 * POST / with X-Amz-Target "DynamoDB_20120810.<Op>" or
 * "DynamoDBStreams_20120810.<Op>", answered with DynamoDB's bodies, error
 * shapes, x-amzn-RequestId and x-amz-crc32 headers, and CORS headers for
 * the origins it is told to allow (none by default). It is an
 * http_handler; the store and the origin list are borrowed.
 */
#ifndef CRUDDUR_HTTP_DDB_WIRE_H
#define CRUDDUR_HTTP_DDB_WIRE_H

#include "ddb/ddb.h"
#include "http/cors.h"
#include "http/ddb_keys.h"
#include "http/server.h"

typedef struct ddb_wire {
    ddb_store *store;
    /* When keys holds any, every request must carry a valid SigV4
       signature made with one of them, covering host, x-amz-date and
       x-amz-target, scoped to `region` and the "dynamodb" service;
       otherwise signatures are accepted unchecked, as DynamoDB Local does. */
    const ddb_keys *keys;
    const char *region;
    /* Web origins whose pages may call the server (Access-Control-*
       headers); NULL sends no CORS headers at all. */
    const http_cors *cors;
} ddb_wire;

/* The http_handler: ctx is a ddb_wire. */
void ddb_wire_handle(void *ctx, const http_request *req, http_response *res);

#endif
