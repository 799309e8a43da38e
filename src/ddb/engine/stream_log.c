/*
 * stream_log: the write side of DynamoDB Streams. A table's stream is a row
 * of `streams` (one per enable; disabled_us is set when the stream is turned
 * off, and the stream stays readable for 24 hours after that); every item
 * change of a table whose stream is enabled appends one row to
 * `stream_records`, in the writer's transaction, so a record exists exactly
 * when its change was committed. Records older than 24 hours are trimmed.
 *
 * Record format (the `record` column, compact JSON), for the reader
 * (streams_api.c): the GetRecords record WITHOUT eventID and
 * dynamodb.SequenceNumber, which the reader derives from `seq`:
 *
 *   {"eventName": "INSERT" | "MODIFY" | "REMOVE",
 *    "eventVersion": "1.1", "eventSource": "aws:dynamodb",
 *    "awsRegion": "<region>",
 *    "dynamodb": {"ApproximateCreationDateTime": <epoch seconds, number>,
 *                 "Keys": {<key attributes>},
 *                 "NewImage": {...},   (NEW_IMAGE, NEW_AND_OLD_IMAGES; not on REMOVE)
 *                 "OldImage": {...},   (OLD_IMAGE, NEW_AND_OLD_IMAGES; not on INSERT)
 *                 "SizeBytes": <size of Keys + the images present>,
 *                 "StreamViewType": "<view type>"},
 *    "userIdentity": {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
 *    (the Streams API spelling; Lambda events spell them type/principalId)
 *                                     (only on deletions by TTL)}
 *
 * A put that replaces an item with an identical one is still a MODIFY, as
 * in DynamoDB; a failed condition writes nothing, so it has no record.
 */
#include "ddb/engine/engine_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/json_out.h"
#include "ddb/model/value.h"

#define SQL_STREAM_CLOSE                                                                           \
    "UPDATE streams SET disabled_us = ?2 WHERE tid = ?1 AND disabled_us IS NULL"
#define SQL_STREAM_OPEN                                                                            \
    "INSERT INTO streams(tid, table_name, label, view_type, created_us)"                           \
    " VALUES(?1, ?2, ?3, ?4, ?5)"
#define SQL_STREAM_CURRENT                                                                         \
    "SELECT sid FROM streams WHERE tid = ?1 AND label = ?2 AND disabled_us IS NULL"                \
    " ORDER BY sid DESC LIMIT 1"
#define SQL_RECORD_ADD "INSERT INTO stream_records(sid, created_us, record) VALUES(?1, ?2, ?3)"
#define SQL_RECORD_TRIM "DELETE FROM stream_records WHERE created_us < ?1"
#define SQL_STREAM_TRIM "DELETE FROM streams WHERE disabled_us IS NOT NULL AND disabled_us < ?1"

/* Steps a statement to completion and resets it; reports SQLite errors. */
static bool run(eng_conn *c, sqlite3_stmt *st, ddb_err *err)
{
    int rc = sqlite3_step(st);
    bool ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    if (!ok) eng_sql_error(c, err);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ok;
}

bool eng_stream_close(eng *e, eng_conn *c, const ddb_table *t, int64_t now_us, ddb_err *err)
{
    assert(eng_conn_in_batch(c));
    sqlite3_stmt *st = eng_stmt(c, SQL_STREAM_CLOSE, err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, t->tid);
    sqlite3_bind_int64(st, 2, now_us);
    return run(c, st, err);
}

bool eng_stream_open(eng *e, eng_conn *c, const ddb_table *t, int64_t now_us, ddb_err *err)
{
    assert(eng_conn_in_batch(c));
    if (!t->stream_label || !t->stream_view_type) {
        ddb_err_set(err, DDB_E_INTERNAL, "table %s has no stream to open", t->name);
        return false;
    }
    /* A table has at most one open stream: enabling again ends the previous one. */
    if (!eng_stream_close(e, c, t, now_us, err)) return false;
    sqlite3_stmt *st = eng_stmt(c, SQL_STREAM_OPEN, err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, t->tid);
    sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, t->stream_label, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, t->stream_view_type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now_us);
    return run(c, st, err);
}

/* The id of the table's current stream, opening it if the catalog has not
   (so that an enabled stream never loses a record); 0 on error. */
static int64_t current_stream(eng *e, eng_conn *c, const ddb_table *t, int64_t now_us, ddb_err *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        sqlite3_stmt *st = eng_stmt(c, SQL_STREAM_CURRENT, err);
        if (!st) return 0;
        sqlite3_bind_int64(st, 1, t->tid);
        sqlite3_bind_text(st, 2, t->stream_label ? t->stream_label : "", -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        int64_t sid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) eng_sql_error(c, err);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return 0;
        if (sid) return sid;
        if (attempt == 0 && !eng_stream_open(e, c, t, now_us, err)) return 0;
    }
    ddb_err_set(err, DDB_E_INTERNAL, "no open stream for table %s", t->name);
    return 0;
}

/* The record of one change, as documented at the top of this file. */
static json_t *build_record(eng *e, const ddb_table *t, const json_t *old_item,
                            const json_t *new_item, const eng_origin *origin, int64_t now_us)
{
    const char *view = t->stream_view_type ? t->stream_view_type : "KEYS_ONLY";
    bool want_new = strcmp(view, "NEW_IMAGE") == 0 || strcmp(view, "NEW_AND_OLD_IMAGES") == 0;
    bool want_old = strcmp(view, "OLD_IMAGE") == 0 || strcmp(view, "NEW_AND_OLD_IMAGES") == 0;
    const char *name = !old_item ? "INSERT" : !new_item ? "REMOVE" : "MODIFY";

    /* Keys: the key schema's names through one new HashMap(), as 3.3.1
       lists them (90 of 90 random tables). */
    json_t *key = eng_key_json(t, new_item ? new_item : old_item);
    json_t *keys = ddb_attr_reordered(key, DDB_ORDER_HASHMAP);
    json_decref(key);
    size_t size = ddb_item_size(keys);
    json_t *ddb = json_pack("{s:I,s:o}", "ApproximateCreationDateTime",
                            (json_int_t)(now_us / 1000000), "Keys", keys);
    /* Images list the names of the item and of every map in it as DynamoDB
       Local 3.3.1 does (attr_order.c). */
    if (want_new && new_item) {
        json_object_set_new(ddb, "NewImage", ddb_attr_reordered_deep(new_item, DDB_ORDER_HASHMAP));
        size += ddb_item_size(new_item);
    }
    if (want_old && old_item) {
        json_object_set_new(ddb, "OldImage", ddb_attr_reordered_deep(old_item, DDB_ORDER_HASHMAP));
        size += ddb_item_size(old_item);
    }
    json_object_set_new(ddb, "SizeBytes", json_integer((json_int_t)size));
    json_object_set_new(ddb, "StreamViewType", json_string(view));

    json_t *rec =
        json_pack("{s:s,s:s,s:s,s:s,s:o}", "eventName", name, "eventVersion", "1.1", "eventSource",
                  "aws:dynamodb", "awsRegion", eng_region(e), "dynamodb", ddb);
    if (origin && origin->ttl_service)
        json_object_set_new(
            rec, "userIdentity",
            json_pack("{s:s,s:s}", "Type", "Service", "PrincipalId", "dynamodb.amazonaws.com"));
    return rec;
}

bool eng_stream_append(eng *e, eng_conn *c, const ddb_table *t, const json_t *old_item,
                       const json_t *new_item, const eng_origin *origin, ddb_err *err)
{
    assert(eng_conn_in_batch(c));
    if (!old_item && !new_item) return true;
    int64_t now_us = clock_now_us();
    int64_t sid = current_stream(e, c, t, now_us, err);
    if (!sid) return false;
    json_t *rec = build_record(e, t, old_item, new_item, origin, now_us);
    char *text = json_out_dumps(rec, NULL);
    json_decref(rec);
    sqlite3_stmt *st = eng_stmt(c, SQL_RECORD_ADD, err);
    if (!st) {
        free(text);
        return false;
    }
    sqlite3_bind_int64(st, 1, sid);
    sqlite3_bind_int64(st, 2, now_us);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    bool ok = run(c, st, err);
    free(text);
    return ok;
}

bool eng_stream_trim(eng *e, eng_conn *c, int64_t now_us, ddb_err *err)
{
    assert(eng_conn_in_batch(c));
    const char *sqls[] = {SQL_RECORD_TRIM, SQL_STREAM_TRIM};
    for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++) {
        sqlite3_stmt *st = eng_stmt(c, sqls[i], err);
        if (!st) return false;
        sqlite3_bind_int64(st, 1, now_us - ENG_STREAM_RETENTION_US);
        if (!run(c, st, err)) return false;
    }
    return true;
}
