/*
 * schema_int: helpers shared by the files of the schema module
 * (schema.c: the def format, loading and ARNs; schema_create.c: CreateTable
 * validation; schema_update.c: UpdateTable, UpdateTimeToLive and tags;
 * schema_describe.c: TableDescription). Nothing outside these files
 * includes it.
 *
 * Validation helpers take the request piece and a ddb_err, return false
 * with DynamoDB's ValidationException message filled in, and never take
 * ownership of their arguments. Builders return new references.
 */
#ifndef CRUDDUR_DDB_SCHEMA_INT_H
#define CRUDDUR_DDB_SCHEMA_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ddb/ddb.h"
#include "ddb/model/schema.h"

#define SCH_DEF_FORMAT 1
#define SCH_MAX_GSI 20
#define SCH_MAX_LSI 5
#define SCH_MAX_PROJECTED 100 /* NonKeyAttributes over all indexes of a table */
#define SCH_MAX_TAGS 50
#define SCH_LABEL_LEN 32

/* DynamoDB's wording for a bad table or index name. */
#define SCH_BAD_NAME_MSG                                                                           \
    "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, "     \
    "and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'"

/* 3..255 characters of [a-zA-Z0-9_.-]. */
bool sch_valid_name(const char *name);
/* The string member `key` of `obj`, or NULL when absent or not a string. */
const char *sch_str(const json_t *obj, const char *key);
/* Fails with SerializationException when `v` is present but not of `type`. */
bool sch_check_type(const json_t *v, json_type type, const char *what, ddb_err *err);

/* The stream label for a time: "2026-11-25T16:01:02.123" (UTC, milliseconds). */
void sch_stream_label(int64_t us, char out[SCH_LABEL_LEN]);

/*
 * Validates AttributeDefinitions and returns them normalised (new array),
 * failing on bad types, bad names and duplicate names.
 */
json_t *sch_attr_defs(const json_t *defs, ddb_err *err);
/* The type ('S', 'N', 'B') of attribute `name` in normalised defs, or 0. */
char sch_attr_type(const json_t *defs, const char *name);

/* Which kind of key schema is being checked: the wording of errors differs. */
typedef enum sch_key_kind { SCH_KEYS_TABLE, SCH_KEYS_GSI, SCH_KEYS_LSI } sch_key_kind;

/* DynamoDB's wording of key schema faults shared by tables and GSIs. */
#define SCH_KEYS_TOO_BIG_MSG                                                                       \
    "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table"
#define SCH_NO_HASH_MSG                                                                            \
    "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key"
#define SCH_SAME_NAME_MSG "Two keys can not have the same name"

/*
 * Validates a KeySchema (HASH first, optional RANGE, names defined in
 * `defs`; a GSI's may hold up to four of each, see sch_gsi_key_schema) and
 * returns it normalised (new array).
 */
json_t *sch_key_schema(const json_t *ks, const json_t *defs, sch_key_kind kind, ddb_err *err);
/* The checks of element `i` of a KeySchema: an object, a name of 1..255
   characters, KeyType HASH or RANGE (*hash tells which). */
bool sch_key_element(const json_t *e, size_t i, const char **name, bool *hash, ddb_err *err);
/* A GSI's KeySchema (schema_gsi_keys.c), `ks` an array. */
json_t *sch_gsi_key_schema(const json_t *ks, const json_t *defs, ddb_err *err);

/*
 * Validates ProvisionedThroughput ("what" is "table" or "index" for the
 * wording) and returns {ReadCapacityUnits, WriteCapacityUnits}.
 */
json_t *sch_throughput(const json_t *pt, bool index, ddb_err *err);

/*
 * Validates one GlobalSecondaryIndexes / LocalSecondaryIndexes element (or
 * an UpdateTable Create) against the normalised table key schema and
 * attribute definitions and returns the index as stored in the def,
 * without "Ino" (new object).
 */
json_t *sch_index(const json_t *ix, bool global, const json_t *table_ks, const json_t *defs,
                  bool provisioned, ddb_err *err);

/* Validates a StreamSpecification; *enabled and *view_type tell the result. */
bool sch_stream_spec(const json_t *spec, bool *enabled, const char **view_type, ddb_err *err);
/* Validates SSESpecification, TableClass and Tags members. */
bool sch_sse_spec(const json_t *spec, ddb_err *err);
bool sch_table_class(const json_t *tc, ddb_err *err);
/* Validates a Tags array and merges it into `into` (array of {Key, Value}). */
bool sch_tags_merge(json_t *into, const json_t *tags, ddb_err *err);

/*
 * Rebuilds AttributeDefinitions of a def so that it holds exactly the
 * attributes used by the table and index key schemas, taking types from
 * `pool` (normalised definitions); existing order is kept.
 */
void sch_prune_attr_defs(json_t *def, const json_t *pool);

/* Builds the table struct from a def it takes ownership of (NULL on a bad def). */
ddb_table *sch_table_from_def(json_t *def, ddb_err *err);

#endif
