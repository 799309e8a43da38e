/*
 * schema: table definitions. Validates CreateTable and UpdateTable requests
 * as DynamoDB does, keeps the definition as a JSON document (the `def`,
 * persisted by the engine and the single source of truth) plus a parsed
 * struct for fast access, and renders DescribeTable's TableDescription.
 *
 * A ddb_table is immutable once built and shared read-only between
 * threads; UpdateTable builds a new one. ddb_table_free() releases it.
 */
#ifndef CRUDDUR_DDB_SCHEMA_H
#define CRUDDUR_DDB_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ddb/ddb.h"

typedef struct ddb_keydef {
    const char *name; /* NULL when absent (no range key) */
    char type;        /* 'S', 'N' or 'B'; 0 when absent */
} ddb_keydef;

typedef enum ddb_projection {
    DDB_PROJECT_ALL,
    DDB_PROJECT_KEYS_ONLY,
    DDB_PROJECT_INCLUDE,
} ddb_projection;

/* A GSI key has up to four partition and four sort attributes
   ("multi-attribute keys"); tables and LSIs have one of each at most. */
#define DDB_INDEX_KEY_ATTRS 4

typedef struct ddb_index {
    const char *name;
    int ino;          /* stable number of the index within its table (storage key) */
    bool global;      /* GSI (true) or LSI (false) */
    ddb_keydef hash;  /* the first partition attribute; for an LSI the table's hash key */
    ddb_keydef range; /* the first sort attribute (name NULL when none) */
    /* Every key attribute in KeySchema order: hashes[0] is `hash` and
       ranges[0] is `range`; n_hash >= 1, n_range >= 0. */
    ddb_keydef hashes[DDB_INDEX_KEY_ATTRS];
    ddb_keydef ranges[DDB_INDEX_KEY_ATTRS];
    int n_hash, n_range;
    ddb_projection projection;
    const char **include; /* NonKeyAttributes for INCLUDE */
    size_t n_include;
} ddb_index;

typedef struct ddb_table {
    int64_t tid;     /* storage id, never reused; set by the engine */
    int64_t version; /* bumped by the engine on every definition change */
    const char *name;
    ddb_keydef hash;
    ddb_keydef range;
    ddb_index *indexes;
    size_t n_indexes;
    bool stream_enabled;
    const char *stream_view_type; /* KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES */
    const char *stream_label;     /* the current stream's label (creation time), or NULL */
    const char *ttl_attr;         /* TTL attribute when TTL is enabled, else NULL */
    json_t *def;                  /* the whole definition; the strings above point into it */
    bool deletion_protection;     /* DeletionProtectionEnabled: DeleteTable must refuse */
} ddb_table;

/* Validates a CreateTable request and builds its definition. */
ddb_table *ddb_table_create(const json_t *req, int64_t now_us, ddb_err *err);
/* Rebuilds a table from a persisted definition (ddb_table.def). */
ddb_table *ddb_table_load(const json_t *def, ddb_err *err);
/*
 * Validates an UpdateTable request against `t` and returns the new table
 * (stream enabled/disabled with a new label, GSIs created/deleted,
 * throughput and billing mode). `*new_index` is set to the index that must
 * be back-filled from existing items (NULL if none); `*dropped_ino` to the
 * dropped index number (-1 if none).
 */
ddb_table *ddb_table_update(const ddb_table *t, const json_t *req, int64_t now_us,
                            const ddb_index **new_index, int *dropped_ino, ddb_err *err);
/* A new table with TTL set (attr NULL disables it); validates as DynamoDB's
   UpdateTimeToLive does against the current state. */
ddb_table *ddb_table_set_ttl(const ddb_table *t, const json_t *spec, ddb_err *err);
/* Tags: returns a new table with the tags merged / removed. */
ddb_table *ddb_table_tag(const ddb_table *t, const json_t *tags, ddb_err *err);
ddb_table *ddb_table_untag(const ddb_table *t, const json_t *keys, ddb_err *err);

typedef struct ddb_table_stats {
    const char *region;
    const char *account_id;
    int64_t item_count;
    int64_t size_bytes;
    const char *status; /* "ACTIVE" or "DELETING" */
    /* Per index, in t->indexes order; NULL reports 0 for every index. */
    const int64_t *index_item_count;
    const int64_t *index_size_bytes;
} ddb_table_stats;

/* DescribeTable's TableDescription (new reference). */
json_t *ddb_table_describe(const ddb_table *t, const ddb_table_stats *stats);
/* "arn:aws:dynamodb:<region>:<account>:table/<name>" and the stream ARN. */
char *ddb_table_arn(const ddb_table *t, const char *region, const char *account_id);
char *ddb_stream_arn(const ddb_table *t, const char *label, const char *region,
                     const char *account_id);

const ddb_index *ddb_table_find_index(const ddb_table *t, const char *name);
/* True when the index key has more than one partition or sort attribute. */
bool ddb_index_multikey(const ddb_index *ix);
/* True when `name` is one of the index's key attributes. */
bool ddb_index_has_key(const ddb_index *ix, const char *name);
void ddb_table_free(ddb_table *t);

#endif
