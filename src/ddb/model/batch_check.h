/*
 * batch_check: what BatchWriteItem and BatchGetItem check of their items
 * and keys before they look up a table.
 *
 * DynamoDB Local 3.3.1 validates every item and key of a batch (their
 * AttributeValues, their sizes, and in BatchGetItem duplicate keys) before
 * it looks up any table, so a bad value is reported even when a table does
 * not exist. What needs the key schema (the key's attributes, duplicates
 * in BatchWriteItem) is checked later, by the operation.
 *
 * Both take the request's RequestItems, a non-empty object whose JSON
 * types have been checked (request_shape.h), and go through it in
 * DynamoDB Local's order (batch_check.c), counting the requests against
 * DynamoDB's limits as they go. Nothing is kept; the request is only read.
 */
#ifndef CRUDDUR_DDB_BATCH_CHECK_H
#define CRUDDUR_DDB_BATCH_CHECK_H

#include <stdbool.h>

#include <jansson.h>

#include "ddb/ddb.h"

#define DDB_BATCH_MAX_WRITES 25
#define DDB_BATCH_MAX_GETS 100

/* Every table's list non-empty, at most DDB_BATCH_MAX_WRITES requests in
   all; each request exactly one Put/Delete, its Item or Key present, with
   valid AttributeValues within DynamoDB's item size. */
bool ddb_batch_write_check(const json_t *request_items, ddb_err *err);

/* Every table entry: a non-empty Keys list of non-empty, valid keys within
   the item size and without duplicates, at most DDB_BATCH_MAX_GETS keys in
   all;
   ExpressionAttributeNames only with a ProjectionExpression. */
bool ddb_batch_get_check(const json_t *request_items, ddb_err *err);

#endif
