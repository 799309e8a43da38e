/*
 * request_shape: the JSON types of every operation's request members.
 *
 * DynamoDB reads a request into its model before it does anything else, so
 * a member of the wrong JSON type (`"Limit": "x"`, `{"S": 5}`,
 * `"ConsistentRead": 1`) is a SerializationException whatever the table,
 * also when the table does not exist. ddb_request_shape_check runs that
 * check alone, before an operation looks anything up; the operations then
 * read members knowing their JSON types, and keep their own checks of
 * values (ValidationException) in the order DynamoDB applies them.
 *
 * The legacy members (legacy.c checks them, also before any look-up)
 * and members the table does not name are ignored (as DynamoDB ignores
 * unknown members), and so are JSON nulls (an absent member).
 * Nothing is allocated; the request is only read.
 */
#ifndef CRUDDUR_DDB_REQUEST_SHAPE_H
#define CRUDDUR_DDB_REQUEST_SHAPE_H

#include <stdbool.h>

#include <jansson.h>

#include "ddb/ddb.h"

/* True when every member `op` defines has its JSON type in `req` (an
   object); a SerializationException naming the member otherwise. An
   operation without a table passes. */
bool ddb_request_shape_check(const char *op, const json_t *req, ddb_err *err);

#endif
