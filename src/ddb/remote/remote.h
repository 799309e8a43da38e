/*
 * remote: the store interface (ddb.h) over HTTP to any endpoint speaking
 * DynamoDB's JSON protocol: Amazon DynamoDB, DynamoDB Local, or
 * `cruddur dynamodb`. Requests are signed with SigV4 (sigv4.h); each
 * calling thread keeps its own libcurl handle so connections stay alive;
 * throttling, 5xx answers and dropped connections are retried with
 * exponential backoff and full jitter, as the AWS SDKs do.
 */
#ifndef CRUDDUR_DDB_REMOTE_H
#define CRUDDUR_DDB_REMOTE_H

#include "aws/config.h"
#include "ddb/ddb.h"

typedef struct ddb_remote_options {
    const aws_config *aws; /* copied; endpoints, region and credentials */
    int max_attempts;      /* 0 = 10, as the SDKs use for DynamoDB */
    int timeout_ms;        /* per attempt; 0 = 10 s */
} ddb_remote_options;

/* Fails (ValidationException-free, DDB_E_AUTH) when no credentials are configured. */
ddb_store *ddb_remote_open(const ddb_remote_options *opt, ddb_err *err);

#endif
