/*
 * layout: brings a store written by an older cruddur to the current storage
 * layout (engine_int.h), once, when it is opened.
 *
 * Before meta('key_hash') existed, `h` and `th` held a 32-bit CRC of the
 * encoded partition key and `idx` had no `tie` column. Now they hold
 * DynamoDB Local's SHA-1 hashes (key_hash.c), which give its Scan order,
 * segments and index ties. The upgrade renames the old `items` and `idx`,
 * creates the current ones, copies every row with its hashes computed from
 * its key bytes and the key types of its table's definition, checks that no
 * row was left behind, drops the old tables and records meta('key_hash').
 * It runs inside the opener's write transaction: a failure or a crash leaves
 * the store as it was, and the next open tries again; once done, it is not
 * done again.
 *
 * A store written before items.kept existed (the order DynamoDB Local keeps
 * an item's names in, attr_kept.c) gets the column, empty: every item is
 * then kept in the order a read shows, as such a store's items were.
 */
#include "ddb/engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define LAYOUT_KEY "key_hash"
#define LAYOUT_HASH "sha1-ddblocal" /* DynamoDB Local 3.3.1's hashValue */

/* Runs SQL without results; fills err on failure. */
static bool lay_exec(sqlite3 *db, const char *sql, ddb_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return true;
    ddb_err_set(err, DDB_E_INTERNAL, "store layout upgrade: %s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return false;
}

static sqlite3_stmt *lay_prepare(sqlite3 *db, const char *sql, ddb_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        ddb_err_set(err, DDB_E_INTERNAL, "store layout upgrade: %s", sqlite3_errmsg(db));
        return NULL;
    }
    return st;
}

/* The integer result of a one-row query, or -1 on failure (err set). */
static long long lay_count(sqlite3 *db, const char *sql, ddb_err *err)
{
    sqlite3_stmt *st = lay_prepare(db, sql, err);
    if (!st) return -1;
    long long n = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    else
        ddb_err_set(err, DDB_E_INTERNAL, "store layout upgrade: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return n;
}

static void lay_bind_buf(sqlite3_stmt *st, int i, const buf_t *b)
{
    sqlite3_bind_blob(st, i, buf_cstr(b), (int)b->len, SQLITE_STATIC);
}

static void lay_read_buf(sqlite3_stmt *st, int col, buf_t *b)
{
    buf_reset(b);
    buf_append(b, sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col));
}

/* Copies one table's items rows with their hashes. */
static bool lay_copy_items(sqlite3 *db, const ddb_table *t, ddb_err *err)
{
    sqlite3_stmt *rd =
        lay_prepare(db, "SELECT hk, rk, item, size, expires FROM items_v1 WHERE tid = ?1", err);
    sqlite3_stmt *wr = rd ? lay_prepare(db,
                                        "INSERT INTO items(tid, h, hk, rk, item, size, expires)"
                                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                        err)
                          : NULL;
    bool ok = rd && wr;
    eng_key k;
    eng_key_init(&k);
    if (ok) sqlite3_bind_int64(rd, 1, t->tid);
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(rd)) == SQLITE_ROW) {
        lay_read_buf(rd, 0, &k.hk);
        lay_read_buf(rd, 1, &k.rk);
        eng_hash(t->hash.type, buf_cstr(&k.hk), k.hk.len, k.h);
        sqlite3_bind_int64(wr, 1, t->tid);
        sqlite3_bind_blob(wr, 2, k.h, ENG_HASH_LEN, SQLITE_STATIC);
        lay_bind_buf(wr, 3, &k.hk);
        lay_bind_buf(wr, 4, &k.rk);
        sqlite3_bind_value(wr, 5, sqlite3_column_value(rd, 2));
        sqlite3_bind_value(wr, 6, sqlite3_column_value(rd, 3));
        sqlite3_bind_value(wr, 7, sqlite3_column_value(rd, 4));
        ok = sqlite3_step(wr) == SQLITE_DONE;
        sqlite3_reset(wr);
    }
    if (ok && rc != SQLITE_DONE) ok = false;
    if (!ok && err->code == DDB_OK)
        ddb_err_set(err, DDB_E_INTERNAL, "store layout upgrade: %s", sqlite3_errmsg(db));
    eng_key_free(&k);
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return ok;
}

/* Copies the idx rows of one index with their hashes and ties. */
static bool lay_copy_index(sqlite3 *db, const ddb_table *t, const ddb_index *ix, ddb_err *err)
{
    sqlite3_stmt *rd =
        lay_prepare(db, "SELECT hk, rk, thk, trk FROM idx_v1 WHERE tid = ?1 AND ino = ?2", err);
    sqlite3_stmt *wr = rd ? lay_prepare(db,
                                        "INSERT INTO idx(tid, ino, h, hk, rk, tie, th, thk, trk)"
                                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                        err)
                          : NULL;
    bool ok = rd && wr;
    eng_key ik, tk;
    eng_key_init(&ik);
    eng_key_init(&tk);
    unsigned char tie[ENG_HASH_LEN];
    if (ok) {
        sqlite3_bind_int64(rd, 1, t->tid);
        sqlite3_bind_int(rd, 2, ix->ino);
    }
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(rd)) == SQLITE_ROW) {
        lay_read_buf(rd, 0, &ik.hk);
        lay_read_buf(rd, 1, &ik.rk);
        lay_read_buf(rd, 2, &tk.hk);
        lay_read_buf(rd, 3, &tk.rk);
        eng_hash(t->hash.type, buf_cstr(&tk.hk), tk.hk.len, tk.h);
        memcpy(ik.h, tk.h, ENG_HASH_LEN); /* an LSI's; a GSI binds none */
        eng_index_tie(t, ix, &tk, tie);
        sqlite3_bind_int64(wr, 1, t->tid);
        sqlite3_bind_int(wr, 2, ix->ino);
        sqlite3_bind_blob(wr, 3, ik.h, eng_index_h_len(ix), SQLITE_STATIC);
        lay_bind_buf(wr, 4, &ik.hk);
        lay_bind_buf(wr, 5, &ik.rk);
        sqlite3_bind_blob(wr, 6, tie, ENG_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(wr, 7, tk.h, ENG_HASH_LEN, SQLITE_STATIC);
        lay_bind_buf(wr, 8, &tk.hk);
        lay_bind_buf(wr, 9, &tk.rk);
        ok = sqlite3_step(wr) == SQLITE_DONE;
        sqlite3_reset(wr);
    }
    if (ok && rc != SQLITE_DONE) ok = false;
    if (!ok && err->code == DDB_OK)
        ddb_err_set(err, DDB_E_INTERNAL, "store layout upgrade: %s", sqlite3_errmsg(db));
    eng_key_free(&ik);
    eng_key_free(&tk);
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return ok;
}

/* Copies the rows of every table, by its definition. */
static bool lay_copy_all(sqlite3 *db, ddb_err *err)
{
    sqlite3_stmt *st = lay_prepare(db, "SELECT tid, def FROM tables ORDER BY tid", err);
    if (!st) return false;
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 1);
        json_t *def = text ? json_loads(text, 0, NULL) : NULL;
        ddb_table *t = def ? ddb_table_load(def, err) : NULL;
        json_decref(def);
        if (!t) {
            if (err->code == DDB_OK)
                ddb_err_set(err, DDB_E_INTERNAL,
                            "store layout upgrade: a table definition is "
                            "not valid JSON");
            ok = false;
            break;
        }
        t->tid = sqlite3_column_int64(st, 0); /* the engine's, not in the def */
        ok = lay_copy_items(db, t, err);
        for (size_t i = 0; ok && i < t->n_indexes; i++)
            ok = lay_copy_index(db, t, &t->indexes[i], err);
        ddb_table_free(t);
    }
    sqlite3_finalize(st);
    return ok;
}

/* True when every old row has its copy. */
static bool lay_counts_match(sqlite3 *db, long long *items, long long *entries, ddb_err *err)
{
    long long old_items = lay_count(db, "SELECT count(*) FROM items_v1", err);
    long long old_idx = old_items < 0 ? -1 : lay_count(db, "SELECT count(*) FROM idx_v1", err);
    *items = old_idx < 0 ? -1 : lay_count(db, "SELECT count(*) FROM items", err);
    *entries = *items < 0 ? -1 : lay_count(db, "SELECT count(*) FROM idx", err);
    if (*entries < 0) return false;
    if (old_items == *items && old_idx == *entries) return true;
    ddb_err_set(err, DDB_E_INTERNAL,
                "store layout upgrade: %lld of %lld items and %lld of %lld index entries belong "
                "to no table; the store is left as it was",
                old_items - *items, old_items, old_idx - *entries, old_idx);
    return false;
}

/* Rebuilds a store written before the key hashes (see the top). */
static bool lay_key_hash(sqlite3 *db, ddb_err *err)
{
    long long done = lay_count(
        db, "SELECT count(*) FROM meta WHERE k = '" LAYOUT_KEY "' AND v = '" LAYOUT_HASH "'", err);
    if (done != 0) return done > 0;
    long long has_tie =
        lay_count(db, "SELECT count(*) FROM pragma_table_info('idx') WHERE name = 'tie'", err);
    if (has_tie < 0) return false;
    if (has_tie == 0) {
        /* Written before the hashes: rebuild items and idx. */
        long long items = 0, entries = 0;
        if (!lay_exec(db,
                      "DROP INDEX items_expiry; ALTER TABLE items RENAME TO items_v1;"
                      " ALTER TABLE idx RENAME TO idx_v1;" ENG_SCHEMA_SQL,
                      err) ||
            !lay_copy_all(db, err) || !lay_counts_match(db, &items, &entries, err) ||
            !lay_exec(db, "DROP TABLE items_v1; DROP TABLE idx_v1;", err))
            return false;
        log_info("store upgraded: key hashes of %lld items and %lld index entries rewritten "
                 "(DynamoDB Local 3.3.1's scan order)",
                 items, entries);
    }
    return lay_exec(
        db, "INSERT OR REPLACE INTO meta(k, v) VALUES('" LAYOUT_KEY "', '" LAYOUT_HASH "')", err);
}

/* Adds items.kept (engine_int.h) to a store written before it existed:
   NULL, the kept order of every item being the order a read shows. */
static bool lay_kept_column(sqlite3 *db, ddb_err *err)
{
    long long has =
        lay_count(db, "SELECT count(*) FROM pragma_table_info('items') WHERE name = 'kept'", err);
    if (has < 0) return false;
    return has > 0 || lay_exec(db, "ALTER TABLE items ADD COLUMN kept TEXT", err);
}

bool eng_layout_upgrade(sqlite3 *db, ddb_err *err)
{
    return lay_key_hash(db, err) && lay_kept_column(db, err);
}
