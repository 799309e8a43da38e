/*
 * store_open: the one place that decides which store a command uses, by the
 * conventions of the README: with AWS_ENDPOINT_URL or
 * AWS_ENDPOINT_URL_DYNAMODB set, the remote driver at that endpoint;
 * otherwise the embedded engine in the data folder (or in memory). `aws`
 * (the tools' `prod`) means Amazon DynamoDB itself, whatever the endpoint
 * variables say.
 */
#ifndef CRUDDUR_DDB_STORE_OPEN_H
#define CRUDDUR_DDB_STORE_OPEN_H

#include <stdbool.h>

#include "ddb/ddb.h"

typedef struct ddb_open_options {
    const char *data_dir; /* embedded: the data folder */
    bool in_memory;       /* embedded: nothing on disk */
    bool aws;             /* remote: Amazon DynamoDB's own endpoint */
    bool no_background;   /* embedded: no TTL sweeper thread */
} ddb_open_options;

/* `*description` (caller frees; may be NULL) says what was opened, for logs:
   "embedded store in ./data", "remote DynamoDB at http://...". */
ddb_store *ddb_store_open(const ddb_open_options *opt, char **description, ddb_err *err);
/* True when ddb_store_open would choose the remote driver. */
bool ddb_store_is_remote(const ddb_open_options *opt);

#endif
