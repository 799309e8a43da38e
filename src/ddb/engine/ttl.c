/*
 * ttl: deletion of expired items for tables with Time to Live enabled.
 *
 * items.c keeps each item's expiry (the TTL attribute, epoch seconds) in
 * the `expires` column, indexed per table. A sweep deletes, table by
 * table, the items whose expiry is at or before `now`, in batches of
 * TTL_BATCH items per write so that the writer is never held for long and
 * user writes interleave. Each deletion goes through eng_item_store with
 * the TTL service as origin, so indexes and counters follow and the stream
 * shows a REMOVE with the service's userIdentity, as in DynamoDB.
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/engine/engine_int.h"

#define TTL_BATCH 100

typedef struct ttl_job {
    const char *table;
    int64_t now_s;
    long deleted; /* by this job */
} ttl_job;

/*
 * Deletes up to TTL_BATCH expired items of one table, on the writer
 * thread. Candidates are collected first and the statement reset before
 * any deletion, so no SELECT is stepping while its rows change.
 */
static json_t *ttl_delete_batch(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    ttl_job *j = arg;
    j->deleted = 0;
    const ddb_table *t = eng_table_acquire(e, c, j->table, err);
    if (!t) {
        /* the table was deleted meanwhile: nothing to do */
        if (err->code != DDB_E_NOT_FOUND) return NULL;
        ddb_err_clear(err);
        return json_object();
    }
    if (!t->ttl_attr) {
        eng_table_release(e, t);
        return json_object();
    }
    sqlite3_stmt *st = eng_stmt(c,
                                "SELECT h, hk, rk, item FROM items WHERE tid = ?1"
                                " AND expires IS NOT NULL AND expires <= ?2 LIMIT ?3",
                                err);
    if (!st) {
        eng_table_release(e, t);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, t->tid);
    sqlite3_bind_int64(st, 2, j->now_s);
    sqlite3_bind_int(st, 3, TTL_BATCH);
    eng_key keys[TTL_BATCH];
    json_t *items[TTL_BATCH];
    size_t n = 0;
    int rc = SQLITE_DONE;
    while (n < TTL_BATCH && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        eng_key_init(&keys[n]);
        eng_key_read_hash(st, 0, keys[n].h);
        buf_append(&keys[n].hk, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
        buf_append(&keys[n].rk, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
        items[n] = eng_item_decode(sqlite3_column_text(st, 3), sqlite3_column_bytes(st, 3));
        n++;
    }
    bool ok = n == TTL_BATCH || rc == SQLITE_DONE;
    if (!ok) eng_sql_error(c, err);
    sqlite3_reset(st);
    eng_origin origin = {.ttl_service = true};
    for (size_t i = 0; i < n; i++) {
        if (ok && items[i]) {
            ok = eng_item_store(e, c, t, &keys[i], items[i], NULL, NULL, &origin, err);
            if (ok) j->deleted++;
        }
        json_decref(items[i]);
        eng_key_free(&keys[i]);
    }
    eng_table_release(e, t);
    return ok ? json_object() : NULL;
}

/* The names of the tables that have TTL enabled, as a JSON array. */
static json_t *ttl_tables(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, "SELECT name FROM tables ORDER BY tid", err);
    if (!st) return NULL;
    json_t *names = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(names, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        eng_sql_error(c, err);
        json_decref(names);
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *name;
    json_array_foreach(names, i, name)
    {
        const ddb_table *t = eng_table_acquire(e, c, json_string_value(name), err);
        if (!t) {
            ddb_err_clear(err);
            continue;
        }
        if (t->ttl_attr) json_array_append(out, name);
        eng_table_release(e, t);
    }
    json_decref(names);
    return out;
}

long eng_ttl_sweep(eng *e, int64_t now_s, ddb_err *err)
{
    json_t *tables = eng_read(e, ttl_tables, NULL, err);
    if (!tables) return -1;
    long total = 0;
    size_t i;
    json_t *name;
    json_array_foreach(tables, i, name)
    {
        ttl_job j = {json_string_value(name), now_s, 0};
        do {
            json_t *r = eng_write(e, ttl_delete_batch, &j, err);
            if (!r) {
                json_decref(tables);
                return -1;
            }
            json_decref(r);
            total += j.deleted;
        } while (j.deleted == TTL_BATCH);
    }
    json_decref(tables);
    return total;
}
