/*
 * items: item storage of the embedded engine (keys are keys.c's).
 *
 * An item is stored as the compact JSON of its normalised form in the
 * `items` table, next to its DynamoDB size, its TTL expiry and, when
 * DynamoDB Local would keep its names in another order than a read shows,
 * that order (attr_kept.c). eng_item_store() is the one place where an item
 * changes: it keeps the items row, one `idx` row per secondary index
 * (sparse: no row when the item lacks an index key attribute), the table's
 * item count and size, and the stream record in step, all inside the
 * writer's current transaction.
 */
#include "ddb/engine/engine_int.h"
#include "ddb/item_cache.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/json_out.h"
#include "ddb/model/value.h"

json_t *eng_item_decode(const void *text, int len)
{
    if (!text || len < 0) return NULL;
    return item_cache_decode(text, len);
}

#define SQL_ITEM_GET "SELECT item FROM items WHERE tid = ?1 AND h = ?2 AND hk = ?3 AND rk = ?4"
#define SQL_ITEM_GET_KEPT                                                                          \
    "SELECT item, kept FROM items WHERE tid = ?1 AND h = ?2 AND hk = ?3 AND rk = ?4"

/* Binds (tid, h, hk, rk) of a table key as parameters 1..4. */
static void bind_key(sqlite3_stmt *st, const ddb_table *t, const eng_key *k)
{
    sqlite3_bind_int64(st, 1, t->tid);
    sqlite3_bind_blob(st, 2, k->h, ENG_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, k->hk.data ? k->hk.data : "", (int)k->hk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, k->rk.data ? k->rk.data : "", (int)k->rk.len, SQLITE_STATIC);
}

/* The item of key k, and with `kept` its kept order too (attr_kept.c). */
static json_t *item_get(eng_conn *c, const ddb_table *t, const eng_key *k, json_t **kept,
                        ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, kept ? SQL_ITEM_GET_KEPT : SQL_ITEM_GET, err);
    if (!st) return NULL;
    bind_key(st, t, k);
    int rc = sqlite3_step(st);
    json_t *item = NULL;
    if (rc == SQLITE_ROW) {
        item = eng_item_decode(sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0));
        if (!item) ddb_err_set(err, DDB_E_INTERNAL, "stored item is not valid JSON");
        const char *shape = kept ? (const char *)sqlite3_column_text(st, 1) : NULL;
        if (item && shape) {
            json_t *sh = json_loads(shape, 0, NULL);
            *kept = ddb_attr_kept_apply(item, sh);
            json_decref(sh);
        }
    } else if (rc != SQLITE_DONE) {
        eng_sql_error(c, err);
    }
    sqlite3_reset(st);
    return item;
}

json_t *eng_item_get(eng_conn *c, const ddb_table *t, const eng_key *k, ddb_err *err)
{
    return item_get(c, t, k, NULL, err);
}

json_t *eng_item_get_kept(eng_conn *c, const ddb_table *t, const eng_key *k, json_t **kept,
                          ddb_err *err)
{
    *kept = NULL;
    return item_get(c, t, k, kept, err);
}

/* Runs a statement that returns no rows; reports SQLite errors. */
static bool step_done(eng_conn *c, sqlite3_stmt *st, ddb_err *err)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) eng_sql_error(c, err);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

/*
 * The TTL expiry of an item in epoch seconds, or false when it has none: the
 * table has TTL enabled and the TTL attribute is an N that fits in 64 bits.
 */
bool eng_item_expiry(const ddb_table *t, const json_t *item, int64_t *out)
{
    if (!t->ttl_attr) return false;
    const json_t *n = json_object_get(json_object_get(item, t->ttl_attr), "N");
    if (!json_is_string(n)) return false;
    double v = strtod(json_string_value(n), NULL);
    if (!isfinite(v) || v < -9.2e18 || v > 9.2e18) return false;
    *out = (int64_t)floor(v);
    return true;
}

#define SQL_ITEM_PUT                                                                               \
    "INSERT OR REPLACE INTO items(tid, h, hk, rk, item, size, expires, kept)"                      \
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
#define SQL_ITEM_DEL "DELETE FROM items WHERE tid = ?1 AND h = ?2 AND hk = ?3 AND rk = ?4"

/* Writes (or deletes, when item is NULL) the items row of one key, with
   the shape of its kept order when `kept` differs from it. */
static bool item_row_write(eng_conn *c, const ddb_table *t, const eng_key *k, const json_t *item,
                           const json_t *kept, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, item ? SQL_ITEM_PUT : SQL_ITEM_DEL, err);
    if (!st) return false;
    bind_key(st, t, k);
    char *text = NULL, *shape_text = NULL;
    if (item) {
        json_t *shape = kept ? ddb_attr_kept_shape(kept, item) : NULL;
        if (shape && !(shape_text = json_dumps(shape, JSON_COMPACT))) xalloc_fail("json_dumps");
        json_decref(shape);
        if (shape_text)
            sqlite3_bind_text(st, 8, shape_text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 8);
        size_t len = 0;
        text = json_out_dumps(item, &len);
        int64_t exp;
        sqlite3_bind_text(st, 5, text, (int)len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)ddb_item_size(item));
        if (eng_item_expiry(t, item, &exp))
            sqlite3_bind_int64(st, 7, exp);
        else
            sqlite3_bind_null(st, 7);
    }
    bool ok = step_done(c, st, err);
    sqlite3_clear_bindings(st);
    free(text);
    free(shape_text);
    return ok;
}

#define SQL_IDX_PUT                                                                                \
    "INSERT OR REPLACE INTO idx(tid, ino, h, hk, rk, th, thk, trk, tie)"                           \
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
#define SQL_IDX_DEL                                                                                \
    "DELETE FROM idx WHERE tid = ?1 AND ino = ?2 AND h = ?3 AND hk = ?4 AND rk = ?5"               \
    " AND tie = ?9 AND th = ?6 AND thk = ?7 AND trk = ?8"

/* Inserts or deletes the idx row of index key `ik` pointing at table key `tk`. */
bool eng_index_row_write(eng_conn *c, const ddb_table *t, const ddb_index *ix, const eng_key *ik,
                         const eng_key *tk, bool insert, ddb_err *err)
{
    assert(eng_conn_in_batch(c));
    sqlite3_stmt *st = eng_stmt(c, insert ? SQL_IDX_PUT : SQL_IDX_DEL, err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, t->tid);
    sqlite3_bind_int(st, 2, ix->ino);
    unsigned char tie[ENG_HASH_LEN];
    eng_index_tie(t, ix, tk, tie);
    sqlite3_bind_blob(st, 3, ik->h, eng_index_h_len(ix), SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, buf_cstr(&ik->hk), (int)ik->hk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, buf_cstr(&ik->rk), (int)ik->rk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, tk->h, ENG_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, buf_cstr(&tk->hk), (int)tk->hk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, buf_cstr(&tk->rk), (int)tk->rk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, tie, ENG_HASH_LEN, SQLITE_STATIC);
    bool ok = step_done(c, st, err);
    sqlite3_clear_bindings(st);
    return ok;
}

/* Moves the entry of one index from the old item's key to the new item's:
   nothing when the index key did not change. */
static bool index_update(eng_conn *c, const ddb_table *t, const ddb_index *ix, const eng_key *tk,
                         const json_t *old_item, const json_t *new_item, ddb_err *err)
{
    eng_key oldk, newk;
    eng_key_init(&oldk);
    eng_key_init(&newk);
    bool had = old_item && eng_index_key(ix, tk, old_item, &oldk);
    bool has = new_item && eng_index_key(ix, tk, new_item, &newk);
    bool ok = true;
    if (!(had && has && eng_key_same(&oldk, &newk))) {
        if (had) ok = eng_index_row_write(c, t, ix, &oldk, tk, false, err);
        if (ok && has) ok = eng_index_row_write(c, t, ix, &newk, tk, true, err);
    }
    eng_key_free(&oldk);
    eng_key_free(&newk);
    return ok;
}

#define SQL_TABLE_COUNT                                                                            \
    "UPDATE tables SET item_count = item_count + ?2, size_bytes = size_bytes + ?3 WHERE tid = ?1"

/* Adjusts the table's item count and size; fails when the table is gone. */
static bool table_counters(eng_conn *c, const ddb_table *t, const json_t *old_item,
                           const json_t *new_item, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, SQL_TABLE_COUNT, err);
    if (!st) return false;
    int64_t dn = (new_item ? 1 : 0) - (old_item ? 1 : 0);
    int64_t ds = (int64_t)(new_item ? ddb_item_size(new_item) : 0) -
                 (int64_t)(old_item ? ddb_item_size(old_item) : 0);
    sqlite3_bind_int64(st, 1, t->tid);
    sqlite3_bind_int64(st, 2, dn);
    sqlite3_bind_int64(st, 3, ds);
    if (!step_done(c, st, err)) return false;
    if (sqlite3_changes(eng_conn_db(c)) == 0) {
        ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found");
        return false;
    }
    return true;
}

/* True when two items hold the same data (DynamoDB equality: sets unordered,
   numbers by value). */
static bool same_item(const json_t *a, const json_t *b)
{
    json_t *ma = json_pack("{s:O}", "M", a), *mb = json_pack("{s:O}", "M", b);
    bool same = ddb_av_equal(ma, mb);
    json_decref(ma);
    json_decref(mb);
    return same;
}

bool eng_item_store(eng *e, eng_conn *c, const ddb_table *t, const eng_key *k,
                    const json_t *old_item, const json_t *new_item, const json_t *new_kept,
                    const eng_origin *origin, ddb_err *err)
{
    assert(eng_conn_in_batch(c));
    if (!old_item && !new_item) return true; /* deleting what is not there changes nothing */
    if (!table_counters(c, t, old_item, new_item, err)) return false;
    if (!item_row_write(c, t, k, new_item, new_kept, err)) return false;
    for (size_t i = 0; i < t->n_indexes; i++)
        if (!index_update(c, t, &t->indexes[i], k, old_item, new_item, err)) return false;
    /* A write that changes no data leaves no stream record (as DynamoDB
       Streams documents, and DynamoDB Local does). */
    bool changed = !old_item || !new_item || !same_item(old_item, new_item);
    if (t->stream_enabled && changed &&
        !eng_stream_append(e, c, t, old_item, new_item, origin, err))
        return false;
    return true;
}
