/*
 * engine_int: internals shared by the files of the embedded engine
 * (engine.c, conn.c, params.c, catalog.c, keys.c, items.c, query.c,
 * query_check.c,
 * batch.c, txn.c, streams.c, ttl.c, capacity.c, key_hash.c, layout.c).
 * Nothing outside
 * src/ddb/ includes this header.
 *
 * Storage layout (one SQLite database, WAL mode). Key columns hold
 * order-preserving encodings (value.h: ddb_key_encode) so that SQLite's
 * BLOB order (memcmp) is DynamoDB's order. `h` is DynamoDB Local's 20-byte
 * hash of the partition key (key_hash.c: eng_hash): Scan walks items in
 * (h, hk, rk) order and a Scan segment is a contiguous range of h, both
 * exactly as in DynamoDB Local 3.3.1. In `idx`, `th` is the item's table
 * `h`, `tie` orders entries with equal index keys as DynamoDB Local does
 * (eng_index_tie), and `h` leads the order of an index Scan: for an LSI the
 * partition's hash, for a GSI empty (X''), since DynamoDB Local walks a GSI
 * in index key order; both cut index Scan segments by `th`. A table without a
 * range key stores rk = X''. meta('key_hash') names the hash in use; stores
 * written before it existed (a 32-bit CRC in `h`, no `tie`) are rewritten on
 * open (layout.c). `items.kept` is NULL, or the shape of the order DynamoDB
 * Local keeps the item's names in when a read shows another (attr_kept.c);
 * only writes read it, and layout.c adds the column to an older store.
 *
 * Threads: every thread that calls the store gets its own connection for
 * reads (eng_conn_get). Writes are queued and run one batch at a time, by
 * whichever caller leads the batch (writer.c), which groups the writes
 * waiting in the queue into one transaction and one fsync
 * (group commit); each write runs in its own savepoint so that a failed
 * write (a false condition, a cancelled transaction) changes nothing and
 * does not disturb the others.
 */
#ifndef CRUDDUR_DDB_ENGINE_INT_H
#define CRUDDUR_DDB_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"
#include "ddb/model/expr.h"
#include "ddb/model/schema.h"

#define ENG_SCHEMA_SQL                                                                             \
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v);"                                      \
    "CREATE TABLE IF NOT EXISTS tables("                                                           \
    " tid INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"                           \
    " version INTEGER NOT NULL, def TEXT NOT NULL,"                                                \
    " item_count INTEGER NOT NULL DEFAULT 0, size_bytes INTEGER NOT NULL DEFAULT 0);"              \
    "CREATE TABLE IF NOT EXISTS items("                                                            \
    " tid INTEGER NOT NULL, h BLOB NOT NULL, hk BLOB NOT NULL, rk BLOB NOT NULL,"                  \
    " item TEXT NOT NULL, size INTEGER NOT NULL, expires INTEGER, kept TEXT,"                      \
    " PRIMARY KEY(tid, h, hk, rk)) WITHOUT ROWID;"                                                 \
    "CREATE INDEX IF NOT EXISTS items_expiry ON items(tid, expires) WHERE expires IS NOT NULL;"    \
    "CREATE TABLE IF NOT EXISTS idx("                                                              \
    " tid INTEGER NOT NULL, ino INTEGER NOT NULL, h BLOB NOT NULL, hk BLOB NOT NULL,"              \
    " rk BLOB NOT NULL, tie BLOB NOT NULL, th BLOB NOT NULL, thk BLOB NOT NULL,"                   \
    " trk BLOB NOT NULL, PRIMARY KEY(tid, ino, h, hk, rk, tie, th, thk, trk)) WITHOUT ROWID;"      \
    "CREATE TABLE IF NOT EXISTS streams("                                                          \
    " sid INTEGER PRIMARY KEY AUTOINCREMENT, tid INTEGER NOT NULL, table_name TEXT NOT NULL,"      \
    " label TEXT NOT NULL, view_type TEXT NOT NULL, created_us INTEGER NOT NULL,"                  \
    " disabled_us INTEGER);"                                                                       \
    "CREATE TABLE IF NOT EXISTS stream_records("                                                   \
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, sid INTEGER NOT NULL,"                                \
    " created_us INTEGER NOT NULL, record TEXT NOT NULL);"                                         \
    "CREATE INDEX IF NOT EXISTS stream_records_sid ON stream_records(sid, seq);"                   \
    "CREATE TABLE IF NOT EXISTS txn_tokens("                                                       \
    " token TEXT PRIMARY KEY, digest TEXT NOT NULL, created_us INTEGER NOT NULL) WITHOUT ROWID;"   \
    "CREATE INDEX IF NOT EXISTS txn_tokens_created ON txn_tokens(created_us);"

#define ENG_STREAM_RETENTION_US (24LL * 3600 * 1000000)

typedef struct eng eng;
typedef struct eng_conn eng_conn;

/* The engine's own settings and state that other engine files read. */
const char *eng_region(const eng *e);
const char *eng_account_id(const eng *e);

/* ---- connections and statements (conn.c) ---- */

/* The calling thread's connection (created on first use). */
eng_conn *eng_conn_get(eng *e, ddb_err *err);
sqlite3 *eng_conn_db(eng_conn *c);
/* A prepared statement cached per connection by its SQL text; returned
   reset with bindings cleared. Never finalize it. */
sqlite3_stmt *eng_stmt(eng_conn *c, const char *sql, ddb_err *err);
/* Fills err with InternalServerError from the connection's last SQLite error. */
void eng_sql_error(eng_conn *c, ddb_err *err);
/* True when c is the connection of the write batch the calling thread
   leads (writer.c lends it): the functions that change the database run
   only there, and assert it. */
bool eng_conn_in_batch(const eng_conn *c);

/* ---- reads and writes ---- */

typedef json_t *(*eng_fn)(eng *e, eng_conn *c, void *arg, ddb_err *err);

/* Runs fn in a read transaction on the calling thread's connection: a
   consistent snapshot that includes every acknowledged write. */
json_t *eng_read(eng *e, eng_fn fn, void *arg, ddb_err *err);
/* Runs fn inside the group transaction (on the thread leading it), in its own
   savepoint. NULL from fn rolls its changes back and returns err; otherwise
   the result is returned once the transaction holding it is durable. */
json_t *eng_write(eng *e, eng_fn fn, void *arg, ddb_err *err);

/* ---- tables ---- */

/* The current definition of a table, or NULL with ResourceNotFoundException.
   The caller releases it; it stays valid until then even if the table is
   updated or deleted meanwhile. */
const ddb_table *eng_table_acquire(eng *e, eng_conn *c, const char *name, ddb_err *err);
void eng_table_release(eng *e, const ddb_table *t);
/* Validates a TableName parameter (3..255 chars of [a-zA-Z0-9_.-], or a
   table ARN holding such a name); *name points into the request's string. */
bool eng_check_table_name(const json_t *req, const char **name, ddb_err *err);
/* The same for a name given as a C string (BatchGetItem/BatchWriteItem's
   RequestItems keys): *name is `s` or the part of it after "table/". */
bool eng_table_name_resolve(const char *s, const char **name, ddb_err *err);

/* ---- keys (keys.c) ---- */

#define ENG_HASH_LEN 20 /* SHA-1 */

typedef struct eng_key {
    unsigned char h[ENG_HASH_LEN]; /* eng_hash of hk */
    buf_t hk;                      /* encoded partition key */
    buf_t rk;                      /* encoded sort key; empty when the table has none */
} eng_key;

/* ---- DynamoDB Local's hashes (key_hash.c) ---- */

/* The hash of one key value of type `type` ('S', 'N', 'B') given as its
   ddb_key_encode bytes: DynamoDB Local's hashValue for a partition key. */
void eng_hash(char type, const void *key, size_t n, unsigned char out[ENG_HASH_LEN]);
/* The order of index entries with equal index keys, from the item's table
   key `tk`, as DynamoDB Local orders them (key_hash.c). */
void eng_index_tie(const ddb_table *t, const ddb_index *ix, const eng_key *tk,
                   unsigned char out[ENG_HASH_LEN]);
/* The inclusive range of h that Scan segment `seg` of `total` covers
   (0 <= seg < total <= 1000000). */
void eng_segment_bounds(long long seg, long long total, unsigned char lo[ENG_HASH_LEN],
                        unsigned char hi[ENG_HASH_LEN]);
/* The length of idx.h for index `ix`: ENG_HASH_LEN for an LSI, 0 for a GSI. */
int eng_index_h_len(const ddb_index *ix);
/* Copies the hash in column `col` of the current row (zeros if it is not a
   20-byte blob, which only a damaged store holds). */
void eng_key_read_hash(sqlite3_stmt *st, int col, unsigned char out[ENG_HASH_LEN]);
/* Brings a store written with an older layout to the current one, inside
   the caller's write transaction (layout.c); false with err on failure. */
bool eng_layout_upgrade(sqlite3 *db, ddb_err *err);
void eng_key_init(eng_key *k);
void eng_key_free(eng_key *k);
/*
 * From an item, or a request's Key. Each key attribute in turn, the hash
 * key first, is checked as DynamoDB Local 3.3.1 does: present ("One of the
 * required keys was not given a value"), of a key type, of the schema's type,
 * not empty, within its size; a Key must first hold exactly the key
 * attributes ("The provided key element does not match the schema").
 *
 * A value of another type than the schema's, or over its size limit, leaves
 * the request well formed but names no possible item: TransactWriteItems
 * reports it as the action's cancellation reason. A caller that does so
 * passes `unfit`, set to whether the fault was of that kind. A Key's wrong
 * types have DynamoDB's words above when `unfit` is NULL (GetItem, batches,
 * ...), 3.3.1's otherwise ("Invalid attribute value type", "One or more
 * parameter values were invalid: Type mismatch for key"), as an item's
 * always do.
 */
bool eng_key_from_key(const ddb_table *t, const json_t *key, eng_key *k, bool *unfit, ddb_err *err);
bool eng_key_from_item(const ddb_table *t, const json_t *item, eng_key *k, bool *unfit,
                       ddb_err *err);
/* The key attributes of `item` as a Key object (new reference). */
json_t *eng_key_json(const ddb_table *t, const json_t *item);
/* The key of `item` in index `ix` plus the table key: LastEvaluatedKey for
   an index Query/Scan (new reference). */
json_t *eng_index_key_json(const ddb_table *t, const ddb_index *ix, const json_t *item);
/* True when `name` is a key attribute of the table or of index `ix`. */
bool eng_is_index_key_attr(const ddb_table *t, const ddb_index *ix, const char *name);
/* The table's indexes (t->n_indexes of them, into `out`) in DynamoDB Local
   3.3.1's order: the local ones, then the global ones, each in the order
   of its HashMap of index names. */
size_t eng_index_order(const ddb_table *t, const ddb_index **out);
/* Checks a whole item before it is stored: 400 KB size limit, then the
   secondary index key attributes (types, empty values, sizes), index by
   index in eng_index_order. `unfit`, when given, is set to whether the
   fault was an index key value of another type than the index's, which
   TransactWriteItems reports as the action's cancellation reason (as
   eng_key_from_item's). */
bool eng_item_check(const ddb_table *t, const json_t *item, bool *unfit, ddb_err *err);
/* The encoded key of `item` in index `ix` (tk: the item's table key), or
   false when the item has no entry in it (sparse index). */
bool eng_index_key(const ddb_index *ix, const eng_key *tk, const json_t *item, eng_key *out);
/* An ExclusiveStartKey of a read of table t or of its index ix (NULL):
   exactly the table key plus the index key, else ValidationException.
   *tkey gets the table key, *pos the key in the order read (the index key
   of an index read); both are the caller's, initialised. */
bool eng_key_from_start(const ddb_table *t, const ddb_index *ix, const json_t *esk, eng_key *pos,
                        eng_key *tkey, ddb_err *err);
/* True when two keys of the same table are the same item. */
bool eng_key_same(const eng_key *a, const eng_key *b);

/* ---- items (items.c) ---- */

/* Loads an item by key: new reference (shared, read-only: see
   eng_item_decode), or NULL (err untouched) when absent, or NULL with err
   set on failure. */
json_t *eng_item_get(eng_conn *c, const ddb_table *t, const eng_key *k, ddb_err *err);
/* The same, for a write: also sets *kept to the item in DynamoDB Local's
   kept order (a new reference, attr_kept.c) when the store holds one, else
   to NULL. Only writes read the kept order, so reads never pay for it. */
json_t *eng_item_get_kept(eng_conn *c, const ddb_table *t, const eng_key *k, json_t **kept,
                          ddb_err *err);
/* Decodes a stored item (the items.item column). The item may be shared
   with other readers (item_cache.h): never modify it; copy it first. */
json_t *eng_item_decode(const void *text, int len);

/* Who made a change, for stream records: NULL for a user request, or the
   TTL service (userIdentity {"type": "Service", "principalId": "dynamodb.amazonaws.com"}). */
typedef struct eng_origin {
    bool ttl_service;
} eng_origin;

/*
 * Stores a change of one item, inside the write batch: new_item NULL deletes.
 * `old_item` is the item as it was (NULL when absent). `new_kept` is
 * new_item in DynamoDB Local's kept order (attr_kept.c), or NULL when that
 * is the order of new_item; its shape is stored only when the two differ.
 * Maintains the items row, every index row, the table's counters, the TTL
 * expiry column and the stream record, all in the current transaction.
 */
bool eng_item_store(eng *e, eng_conn *c, const ddb_table *t, const eng_key *k,
                    const json_t *old_item, const json_t *new_item, const json_t *new_kept,
                    const eng_origin *origin, ddb_err *err);

/* The TTL expiry of an item in epoch seconds; false when it has none (TTL
   disabled, or the attribute is not an N in range). */
bool eng_item_expiry(const ddb_table *t, const json_t *item, int64_t *out);

/* ---- multi-attribute index keys (index_keys.c) ---- */

/* Appends the key encoding of `av` (type 'S', 'N' or 'B') to a key part:
   as is, or as one element of a tuple when the part has several
   attributes. */
bool eng_key_part_add(buf_t *out, const json_t *av, char type, bool tuple, ddb_err *err);
/* The bounds on a tuple sort key (several sort attributes `ranges`) for a
   key condition: *lo inclusive, *hi exclusive, each only when *has_*. */
bool eng_tuple_bounds(const ddb_keydef *ranges, const ddb_keycond *kc, buf_t *lo, bool *has_lo,
                      buf_t *hi, bool *has_hi, ddb_err *err);
/* Inserts or deletes the idx row of index key `ik` pointing at table key `tk`. */
bool eng_index_row_write(eng_conn *c, const ddb_table *t, const ddb_index *ix, const eng_key *ik,
                         const eng_key *tk, bool insert, ddb_err *err);

/* ---- a Query's key condition (query_check.c) ---- */

/* One side of a Query's range of encoded sort keys `rk`. */
typedef struct eng_bound {
    bool set;
    bool incl;
    buf_t v;
} eng_bound;

/* What a Query reads: one partition (h, hk) and a range of rk in it. */
typedef struct eng_query_range {
    eng_key part;
    eng_bound lo, hi;
} eng_query_range;

void eng_query_range_init(eng_query_range *r);
void eng_query_range_free(eng_query_range *r);
/* True when key `k` (in the order read) is in r's partition and bounds. */
bool eng_query_range_has(const eng_query_range *r, const eng_key *k);
/* Parses KeyConditionExpression `kce` against `attrs`, refuses unused
   names and values, and checks it against the key schema of table `t` or
   its index `ix` (NULL), its values against the key's types, and
   `filter` (NULL: none, or one that may read the keys) against the key,
   in DynamoDB Local 3.3.1's order; fills *r (initialised by the caller).
   `filter_member` names the filter in that refusal: "Filter Expression",
   or "QueryFilter" when the filter was one (legacy.c). */
bool eng_query_keys(const ddb_table *t, const ddb_index *ix, const char *kce, ddb_expr_attrs *attrs,
                    const ddb_cond *filter, const char *filter_member, eng_query_range *r,
                    ddb_err *err);

/* ---- the single-item write shared by PutItem, UpdateItem, DeleteItem,
        BatchWriteItem and TransactWriteItems ---- */

typedef enum eng_write_kind { ENG_PUT, ENG_UPDATE, ENG_DELETE, ENG_CHECK } eng_write_kind;

typedef struct eng_write_req {
    eng_write_kind kind;
    const ddb_table *t; /* acquired by eng_write_prepare; released by _free */
    eng_key key;
    json_t *key_json;             /* the item's key attributes */
    json_t *item;                 /* ENG_PUT: the normalised item */
    ddb_cond *cond;               /* ConditionExpression or NULL */
    ddb_update *update;           /* ENG_UPDATE */
    const char *return_values;    /* NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW */
    bool return_old_on_cond_fail; /* ReturnValuesOnConditionCheckFailure=ALL_OLD */
    json_t *legacy_names;         /* ENG_UPDATE from AttributeUpdates: their
                                     names in the order sent (legacy.c) */
    json_t *put_kept;             /* ENG_PUT kept as given (eng_write_keep_given):
                                     item in the order its request gave, or NULL */
    /* results, filled by eng_write_apply */
    json_t *old_item;
    json_t *new_item;
    json_t *old_kept; /* old_item in DynamoDB Local's kept order, when that
                         differs (attr_kept.c), else NULL */
} eng_write_req;

/*
 * Parses and validates one write from its request object (the body of
 * PutItem/UpdateItem/DeleteItem, or a Put/Update/Delete/ConditionCheck of
 * TransactWriteItems; a BatchWriteItem PutRequest/DeleteRequest is passed
 * as {"TableName": ..., "Item"/"Key": ...}). Runs on the caller's thread.
 * `key_unfit` is NULL except in a transaction, where it is set when the
 * write failed on a key value of the wrong type or size (eng_key_from_key),
 * or on a Put's index key value of the wrong type (eng_item_check): w->t is
 * then acquired and nothing after the item's keys is prepared.
 */
bool eng_write_prepare(eng *e, eng_conn *c, eng_write_kind kind, const json_t *req,
                       eng_write_req *w, bool *key_unfit, ddb_err *err);
/* The ConditionExpression and UpdateExpression (kind ENG_UPDATE) of a write
   request, parsed against its names and values with unused ones refused,
   all without its table: the caller's (*cond_out, *update_out; NULL when
   absent or on failure). TransactWriteItems parses every action's this way
   before it looks anything up, as DynamoDB Local 3.3.1 does. */
bool eng_write_parse_expressions(eng_write_kind kind, const json_t *req, ddb_cond **cond_out,
                                 ddb_update **update_out, ddb_err *err);
/* Applies it inside the write batch: loads the current item, checks the
   condition (ConditionalCheckFailedException), computes and stores the new
   item. */
bool eng_write_apply(eng *e, eng_conn *c, eng_write_req *w, ddb_err *err);
/* Makes a prepared ENG_PUT keep its item in the order `req`'s Item gives
   the names of each map (attr_kept.c), not as a read shows it: how
   DynamoDB Local 3.3.1 keeps the item of a PartiQL INSERT, whose plan
   gives them in its literal's order (partiql_value.c, DDB_ORDER_HASHMAP). */
void eng_write_keep_given(eng_write_req *w, const json_t *req);
void eng_write_req_free(eng *e, eng_write_req *w);

/* ---- capacity ---- */

/* Capacity units as DynamoDB counts them. */
double eng_read_units(size_t bytes, bool consistent); /* per 4 KB, halved when eventual */
double eng_write_units(size_t bytes);                 /* per 1 KB */
/* ConsumedCapacity for ReturnConsumedCapacity = TOTAL or INDEXES (NULL for
   NONE/absent). index_name NULL means the units were spent on the table. */
json_t *eng_capacity_json(const ddb_table *t, const char *mode, double units,
                          const char *index_name, bool write);
/* Validates a request's ReturnConsumedCapacity: *mode = "TOTAL", "INDEXES"
   or NULL (NONE/absent). */
bool eng_capacity_mode(const json_t *req, const char **mode, ddb_err *err);
/* Write units of one item change (old/new NULL when absent): returns the
   table's (the larger item counts); fills index_units[i] for each of
   t->indexes (0 when the index entry did not change) unless NULL. */
double eng_write_change_units(const ddb_table *t, const json_t *old_item, const json_t *new_item,
                              double *index_units);
/* ConsumedCapacity with a per-index breakdown (index_units as above, or
   NULL); CapacityUnits is the sum. NULL when mode is NULL. */
json_t *eng_capacity_split_json(const ddb_table *t, const char *mode, double table_units,
                                const double *index_units);

/* ---- operations (request object in, response object out) ---- */

typedef json_t *(*eng_op_fn)(eng *e, json_t *req, ddb_err *err);

json_t *eng_op_create_table(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_delete_table(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_describe_table(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_list_tables(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_describe_limits(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_update_table(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_update_ttl(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_describe_ttl(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_tag_resource(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_untag_resource(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_list_tags(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_put_item(eng *e, json_t *req, ddb_err *err);
/* PutItem whose item is kept as given (eng_write_keep_given): a PartiQL INSERT. */
json_t *eng_op_put_item_kept(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_get_item(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_delete_item(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_update_item(eng *e, json_t *req, ddb_err *err);
/* UpdateItem whose update came from AttributeUpdates (eng_legacy_rewrite's
   put_order): the update changes the kept item in place (attr_kept.c). */
json_t *eng_op_update_item_put_order(eng *e, json_t *req, ddb_err *err);
/* The reads whose answers or messages keep a legacy member's rules: `lg`
   says what eng_legacy_rewrite rewrote in `req`. */
typedef struct eng_legacy eng_legacy;
typedef json_t *(*eng_op_legacy_fn)(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err);
json_t *eng_op_get_item_legacy(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err);
json_t *eng_op_query_legacy(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err);
json_t *eng_op_scan_legacy(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err);
json_t *eng_op_batch_get_legacy(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err);
json_t *eng_op_query(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_scan(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_batch_write(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_batch_get(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_transact_write(eng *e, json_t *req, ddb_err *err);
/* TransactWriteItems whose Put items are kept as given: ExecuteTransaction,
   whose Puts are INSERTs. */
json_t *eng_op_transact_write_kept(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_transact_get(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_execute_statement(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_batch_execute_statement(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_execute_transaction(eng *e, json_t *req, ddb_err *err);
/* A Query whose FilterExpression may read the key attributes: a PartiQL
   WHERE clause keeps every term, key terms included, in its filter. */
json_t *eng_query_where(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_list_streams(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_describe_stream(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_get_shard_iterator(eng *e, json_t *req, ddb_err *err);
json_t *eng_op_get_records(eng *e, json_t *req, ddb_err *err);

/* ---- streams (written by eng_item_store, read by the Streams operations) ---- */

/* Opens a new stream for a table (stream enabled or re-enabled) / marks the
   current one disabled; inside the write batch. */
bool eng_stream_open(eng *e, eng_conn *c, const ddb_table *t, int64_t now_us, ddb_err *err);
bool eng_stream_close(eng *e, eng_conn *c, const ddb_table *t, int64_t now_us, ddb_err *err);
/* Appends the record of one change; inside the write batch. */
bool eng_stream_append(eng *e, eng_conn *c, const ddb_table *t, const json_t *old_item,
                       const json_t *new_item, const eng_origin *origin, ddb_err *err);
/* Deletes records older than 24 hours. */
bool eng_stream_trim(eng *e, eng_conn *c, int64_t now_us, ddb_err *err);

/* ---- the legacy parameters (legacy.c) ---- */

/* What eng_legacy_rewrite turned into expressions, for the answers and
   messages that keep the legacy member's own rules in DynamoDB Local
   3.3.1. */
struct eng_legacy {
    /* AttributeUpdates became UpdateItem's UpdateExpression: 3.3.1 applies
       them to the item it keeps in place (its new names after the old
       ones, in the order sent: attr_kept.c), so a read shows it in a
       written item's order, not in the order of an item an
       UpdateExpression rebuilt */
    bool put_order;
    /* AttributesToGet became the ProjectionExpression (GetItem, Query,
       Scan): the answer lists its names in the order listed
       (DDB_ORDER_LISTED), not as a projection builds them */
    bool listed;
    /* QueryFilter became the FilterExpression: its refusal of a key
       attribute names QueryFilter */
    bool query_filter;
    /* BatchGetItem: the tables (names as keys of RequestItems) whose entry's
       AttributesToGet became its ProjectionExpression; NULL when none */
    json_t *listed_tables;
};

/* The request with its legacy members (KeyConditions, QueryFilter,
   ScanFilter, ConditionalOperator, Expected, AttributesToGet,
   AttributeUpdates) rewritten as expressions: a new reference (the request
   itself when it has none), or NULL with a ValidationException. *flags
   says what was rewritten (free it with eng_legacy_free). */
json_t *eng_legacy_rewrite(const char *op, json_t *req, eng_legacy *flags, ddb_err *err);
/* True when BatchGetItem's entry for `table` had AttributesToGet. */
bool eng_legacy_listed_table(const eng_legacy *flags, const char *table);
void eng_legacy_free(eng_legacy *flags);
/* The names of the AttributeUpdates that `req` was rewritten from, in the
   order they were sent (a new array; empty when it has none). */
json_t *eng_legacy_update_names(const json_t *req);

/* ---- ClientRequestToken of TransactWriteItems (txn_token.c) ---- */

#define ENG_TOKEN_WINDOW_US (10LL * 60 * 1000000) /* DynamoDB's 10 minutes */
#define ENG_TOKEN_DIGEST_LEN 65                   /* SHA-256 in hex, NUL */

/* The digest that tells whether a repeat carries the same TransactItems. */
bool eng_txn_token_digest(const json_t *items, char out[ENG_TOKEN_DIGEST_LEN]);
/* Inside the write: *replay when `token` was recorded with `digest` within
   the window; IdempotentParameterMismatchException when with another
   digest; neither when unknown or expired. */
bool eng_txn_token_check(eng_conn *c, const char *token, const char *digest, int64_t now_us,
                         bool *replay, ddb_err *err);
/* Inside the write of a transaction that succeeded: records the token and
   forgets those older than the window. */
bool eng_txn_token_record(eng_conn *c, const char *token, const char *digest, int64_t now_us,
                          ddb_err *err);

/* ---- TTL ---- */
long eng_ttl_sweep(eng *e, int64_t now_s, ddb_err *err);

/* ---- request members (params.c) ---- */

/* Optional members of a request object with their JSON type checked
   (SerializationException otherwise); absent members leave *out untouched
   and set *present (when not NULL) to false. */
bool eng_param_str(const json_t *req, const char *name, const char **out, bool *present,
                   ddb_err *err);
bool eng_param_bool(const json_t *req, const char *name, bool *out, ddb_err *err);
bool eng_param_int(const json_t *req, const char *name, long long *out, bool *present,
                   ddb_err *err);
/* ProjectionExpression with ExpressionAttributeNames of a Get-like object
   (BatchGetItem table entry, TransactGetItems Get): *proj NULL when absent.
   Rejects unused names, and names without a ProjectionExpression. */
bool eng_param_projection(const json_t *obj, ddb_proj **proj, ddb_err *err);

#endif
