/*
 * items: keys and item storage of the embedded engine.
 *
 * A key is validated against the table's schema and turned into the
 * order-preserving encodings of value.h (eng_key); an item is stored as the
 * compact JSON of its normalised form in the `items` table, next to its
 * DynamoDB size and its TTL expiry. eng_item_store() is the one place where
 * an item changes: it keeps the items row, one `idx` row per secondary index
 * (sparse: no row when the item lacks an index key attribute), the table's
 * item count and size, and the stream record in step, all inside the
 * writer's current transaction.
 */
#include "ddb/engine/engine_int.h"
#include "ddb/item_cache.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "base/json_out.h"
#include "ddb/model/value.h"

#define KEY_EMPTY_MSG                                                                              \
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "   \
    "contain an empty %s value. Key: %s"
#define KEY_SCHEMA_MSG "The provided key element does not match the schema"

uint32_t eng_hash(const void *p, size_t n)
{
    return (uint32_t)crc32(0L, (const Bytef *)p, (uInt)n);
}

void eng_key_init(eng_key *k)
{
    k->h = 0;
    buf_init(&k->hk);
    buf_init(&k->rk);
}

void eng_key_free(eng_key *k)
{
    buf_free(&k->hk);
    buf_free(&k->rk);
}

/* True when a key value is an empty S or B, which DynamoDB refuses in keys. */
static bool key_value_empty(const json_t *av, const char **what)
{
    const json_t *s = json_object_get(av, "S");
    if (s && json_string_length(s) == 0) {
        *what = "string";
        return true;
    }
    const json_t *b = json_object_get(av, "B");
    if (b && json_string_length(b) == 0) {
        *what = "binary";
        return true;
    }
    return false;
}

/*
 * DynamoDB's size limits for key values: 2048 bytes for a partition key,
 * 1024 for a sort key, counted as the value's size. They apply to index
 * keys too.
 */
static bool key_value_size_ok(const json_t *av, bool range, ddb_err *err)
{
    size_t size = ddb_av_size(av);
    if (!range && size > DDB_MAX_HASH_KEY_SIZE) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Size of hashkey has exceeded the "
                    "maximum size limit of%d bytes",
                    DDB_MAX_HASH_KEY_SIZE);
        return false;
    }
    if (range && size > DDB_MAX_RANGE_KEY_SIZE) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Aggregated size of all range keys "
                    "has exceeded the size limit of %d bytes",
                    DDB_MAX_RANGE_KEY_SIZE);
        return false;
    }
    return true;
}

/* Checks emptiness and size of one key value of the right type and appends
   its encoding to `out`. */
static bool key_value_encode(const ddb_keydef *kd, const json_t *av, bool range, buf_t *out,
                             ddb_err *err)
{
    const char *what;
    if (key_value_empty(av, &what)) {
        ddb_err_set(err, DDB_E_VALIDATION, KEY_EMPTY_MSG, what, kd->name);
        return false;
    }
    return key_value_size_ok(av, range, err) && ddb_key_encode(av, kd->type, out, err);
}

/* True when `av` is a value of key type `type` ('S', 'N' or 'B'). */
static bool key_type_is(const json_t *av, char type)
{
    ddb_av_type at = ddb_av_type_of(av);
    return (type == 'S' && at == DDB_AV_S) || (type == 'N' && at == DDB_AV_N) ||
           (type == 'B' && at == DDB_AV_B);
}

/* Encodes both parts of a key whose attributes are known to be present with
   the right types; fills k. */
static bool key_encode(const ddb_table *t, const json_t *hv, const json_t *rv, eng_key *k,
                       ddb_err *err)
{
    buf_reset(&k->hk);
    buf_reset(&k->rk);
    if (!key_value_encode(&t->hash, hv, false, &k->hk, err)) return false;
    if (t->range.name && !key_value_encode(&t->range, rv, true, &k->rk, err)) return false;
    k->h = eng_hash(k->hk.data, k->hk.len);
    return true;
}

bool eng_key_from_key(const ddb_table *t, const json_t *key, eng_key *k, ddb_err *err)
{
    size_t want = t->range.name ? 2 : 1;
    const json_t *hv = json_object_get(key, t->hash.name);
    const json_t *rv = t->range.name ? json_object_get(key, t->range.name) : NULL;
    if (!json_is_object(key) || json_object_size(key) != want || !hv || (t->range.name && !rv)) {
        ddb_err_set(err, DDB_E_VALIDATION, KEY_SCHEMA_MSG);
        return false;
    }
    /* Validate the two values here so that callers may pass a raw Key. */
    json_t *nh = ddb_av_normalize(hv, err);
    json_t *nr = NULL;
    bool ok = nh != NULL;
    if (ok && rv) ok = (nr = ddb_av_normalize(rv, err)) != NULL;
    if (ok && (!key_type_is(nh, t->hash.type) || (rv && !key_type_is(nr, t->range.type)))) {
        ddb_err_set(err, DDB_E_VALIDATION, KEY_SCHEMA_MSG);
        ok = false;
    }
    if (ok) ok = key_encode(t, nh, nr, k, err);
    json_decref(nh);
    json_decref(nr);
    return ok;
}

/* Presence and type of one key attribute of an item, with PutItem's messages. */
static bool item_key_attr(const ddb_keydef *kd, const json_t *item, ddb_err *err)
{
    const json_t *av = json_object_get(item, kd->name);
    if (!av) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Missing the key %s in the item",
                    kd->name);
        return false;
    }
    if (!key_type_is(av, kd->type)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Type mismatch for key %s "
                    "expected: %c actual: %s",
                    kd->name, kd->type, ddb_av_type_name(ddb_av_type_of(av)));
        return false;
    }
    return true;
}

bool eng_key_from_item(const ddb_table *t, const json_t *item, eng_key *k, ddb_err *err)
{
    if (!item_key_attr(&t->hash, item, err)) return false;
    if (t->range.name && !item_key_attr(&t->range, item, err)) return false;
    return key_encode(t, json_object_get(item, t->hash.name),
                      t->range.name ? json_object_get(item, t->range.name) : NULL, k, err);
}

/* Copies attribute `name` of `item` into `out` when present. */
static void copy_attr(json_t *out, const json_t *item, const char *name)
{
    json_t *v = name ? json_object_get(item, name) : NULL;
    if (v) json_object_set(out, name, v);
}

json_t *eng_key_json(const ddb_table *t, const json_t *item)
{
    json_t *out = json_object();
    copy_attr(out, item, t->hash.name);
    copy_attr(out, item, t->range.name);
    return out;
}

json_t *eng_index_key_json(const ddb_table *t, const ddb_index *ix, const json_t *item)
{
    json_t *out = eng_key_json(t, item);
    copy_attr(out, item, ix->hash.name);
    copy_attr(out, item, ix->range.name);
    return out;
}

/* Type and emptiness of one index key attribute of an item (absent is fine:
   the index is sparse). */
static bool index_key_attr_ok(const ddb_index *ix, const ddb_keydef *kd, bool range,
                              const json_t *item, ddb_err *err)
{
    const json_t *av = kd->name ? json_object_get(item, kd->name) : NULL;
    if (!av) return true;
    if (!key_type_is(av, kd->type)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Type mismatch for Index Key %s "
                    "Expected: %c Actual: %s IndexName: %s",
                    kd->name, kd->type, ddb_av_type_name(ddb_av_type_of(av)), ix->name);
        return false;
    }
    const char *what;
    if (key_value_empty(av, &what)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    "attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                    what, ix->name, kd->name);
        return false;
    }
    return key_value_size_ok(av, range, err);
}

bool eng_item_check(const ddb_table *t, const json_t *item, ddb_err *err)
{
    if (ddb_item_size(item) > DDB_MAX_ITEM_SIZE) {
        ddb_err_set(err, DDB_E_VALIDATION, "Item size has exceeded the maximum allowed size");
        return false;
    }
    for (size_t i = 0; i < t->n_indexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ix->global && !index_key_attr_ok(ix, &ix->hash, false, item, err)) return false;
        if (!index_key_attr_ok(ix, &ix->range, true, item, err)) return false;
    }
    return true;
}

json_t *eng_item_decode(const void *text, int len)
{
    if (!text || len < 0) return NULL;
    return item_cache_decode(text, len);
}

#define SQL_ITEM_GET "SELECT item FROM items WHERE tid = ?1 AND h = ?2 AND hk = ?3 AND rk = ?4"

/* Binds (tid, h, hk, rk) of a table key as parameters 1..4. */
static void bind_key(sqlite3_stmt *st, const ddb_table *t, const eng_key *k)
{
    sqlite3_bind_int64(st, 1, t->tid);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)k->h);
    sqlite3_bind_blob(st, 3, k->hk.data ? k->hk.data : "", (int)k->hk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, k->rk.data ? k->rk.data : "", (int)k->rk.len, SQLITE_STATIC);
}

json_t *eng_item_get(eng_conn *c, const ddb_table *t, const eng_key *k, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, SQL_ITEM_GET, err);
    if (!st) return NULL;
    bind_key(st, t, k);
    int rc = sqlite3_step(st);
    json_t *item = NULL;
    if (rc == SQLITE_ROW) {
        item = eng_item_decode(sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0));
        if (!item) ddb_err_set(err, DDB_E_INTERNAL, "stored item is not valid JSON");
    } else if (rc != SQLITE_DONE) {
        eng_sql_error(c, err);
    }
    sqlite3_reset(st);
    return item;
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
    "INSERT OR REPLACE INTO items(tid, h, hk, rk, item, size, expires)"                            \
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
#define SQL_ITEM_DEL "DELETE FROM items WHERE tid = ?1 AND h = ?2 AND hk = ?3 AND rk = ?4"

/* Writes (or deletes, when item is NULL) the items row of one key. */
static bool item_row_write(eng_conn *c, const ddb_table *t, const eng_key *k, const json_t *item,
                           ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, item ? SQL_ITEM_PUT : SQL_ITEM_DEL, err);
    if (!st) return false;
    bind_key(st, t, k);
    char *text = NULL;
    if (item) {
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
    return ok;
}

/*
 * The encoded key of `item` in index `ix`, or false when the item has no
 * entry in it (an index key attribute is missing or, for items written
 * before the index existed, not of the index's type or empty). An LSI's
 * partition is the table's, so its hash part is the table key's.
 */
bool eng_index_key(const ddb_index *ix, const eng_key *tk, const json_t *item, eng_key *out)
{
    ddb_err ignore = DDB_ERR_INIT;
    bool ok = true;
    buf_reset(&out->hk);
    buf_reset(&out->rk);
    if (ix->global) {
        const json_t *hv = json_object_get(item, ix->hash.name);
        const char *what;
        ok = hv && !key_value_empty(hv, &what) &&
             ddb_key_encode(hv, ix->hash.type, &out->hk, &ignore);
        if (ok) out->h = eng_hash(out->hk.data, out->hk.len);
    } else {
        buf_append(&out->hk, tk->hk.data ? tk->hk.data : "", tk->hk.len);
        out->h = tk->h;
    }
    if (ok && ix->range.name) {
        const json_t *rv = json_object_get(item, ix->range.name);
        const char *what;
        ok = rv && !key_value_empty(rv, &what) &&
             ddb_key_encode(rv, ix->range.type, &out->rk, &ignore);
    }
    ddb_err_clear(&ignore);
    return ok;
}

#define SQL_IDX_PUT                                                                                \
    "INSERT OR REPLACE INTO idx(tid, ino, h, hk, rk, th, thk, trk)"                                \
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
#define SQL_IDX_DEL                                                                                \
    "DELETE FROM idx WHERE tid = ?1 AND ino = ?2 AND h = ?3 AND hk = ?4 AND rk = ?5"               \
    " AND th = ?6 AND thk = ?7 AND trk = ?8"

/* Inserts or deletes the idx row of index key `ik` pointing at table key `tk`. */
bool eng_index_row_write(eng_conn *c, const ddb_table *t, const ddb_index *ix, const eng_key *ik,
                         const eng_key *tk, bool insert, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, insert ? SQL_IDX_PUT : SQL_IDX_DEL, err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, t->tid);
    sqlite3_bind_int(st, 2, ix->ino);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)ik->h);
    sqlite3_bind_blob(st, 4, buf_cstr(&ik->hk), (int)ik->hk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, buf_cstr(&ik->rk), (int)ik->rk.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)tk->h);
    sqlite3_bind_blob(st, 7, buf_cstr(&tk->hk), (int)tk->hk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, buf_cstr(&tk->rk), (int)tk->rk.len, SQLITE_STATIC);
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
                    const json_t *old_item, const json_t *new_item, const eng_origin *origin,
                    ddb_err *err)
{
    if (!old_item && !new_item) return true; /* deleting what is not there changes nothing */
    if (!table_counters(c, t, old_item, new_item, err)) return false;
    if (!item_row_write(c, t, k, new_item, err)) return false;
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
