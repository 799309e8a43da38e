/*
 * catalog: the table operations of the embedded engine: CreateTable,
 * DeleteTable, DescribeTable, ListTables, UpdateTable, UpdateTimeToLive,
 * DescribeTimeToLive and the tag operations.
 *
 * Validation and the definition document belong to schema.c; this file
 * stores definitions in the `tables` row (bumping `version` on every
 * change, which is how every process's table cache notices), keeps the
 * stored data in step with a definition change (a new GSI is back-filled
 * from existing items, a dropped one forgets its rows, enabling TTL fills
 * the expiry column) and opens or closes streams. Changes run on the
 * writer; descriptions are read in a snapshot. Tables are ACTIVE at once.
 */
#include "ddb/engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "ddb/model/value.h"

#define TABLE_NOT_FOUND_MSG "Requested resource not found: Table: %s not found"

/* The acquire of a table an operation names, with DynamoDB's wording of
   the table operations when it does not exist. */
static const ddb_table *acquire_named(eng *e, eng_conn *c, const char *name, ddb_err *err)
{
    const ddb_table *t = eng_table_acquire(e, c, name, err);
    if (!t && err && err->code == DDB_E_NOT_FOUND)
        ddb_err_set(err, DDB_E_NOT_FOUND, TABLE_NOT_FOUND_MSG, name);
    return t;
}

/* Item count and size of every index of t: idx rows joined to the items. */
static bool index_stats(eng_conn *c, const ddb_table *t, int64_t *count, int64_t *size,
                        ddb_err *err)
{
    for (size_t i = 0; i < t->n_indexes; i++) {
        sqlite3_stmt *st =
            eng_stmt(c,
                     "SELECT count(*), coalesce(sum(i.size), 0) FROM idx x JOIN items i"
                     " ON i.tid = x.tid AND i.h = x.th AND i.hk = x.thk AND i.rk = x.trk"
                     " WHERE x.tid = ?1 AND x.ino = ?2",
                     err);
        if (!st) return false;
        sqlite3_bind_int64(st, 1, t->tid);
        sqlite3_bind_int(st, 2, t->indexes[i].ino);
        if (sqlite3_step(st) != SQLITE_ROW) {
            eng_sql_error(c, err);
            sqlite3_reset(st);
            return false;
        }
        count[i] = sqlite3_column_int64(st, 0);
        size[i] = sqlite3_column_int64(st, 1);
        sqlite3_reset(st);
    }
    return true;
}

/* The TableDescription of t with the counters of its row. */
static json_t *describe(eng *e, eng_conn *c, const ddb_table *t, const char *status, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, "SELECT item_count, size_bytes FROM tables WHERE tid = ?1", err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, t->tid);
    ddb_table_stats stats = {eng_region(e), eng_account_id(e), 0, 0, status, NULL, NULL};
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        stats.item_count = sqlite3_column_int64(st, 0);
        stats.size_bytes = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        eng_sql_error(c, err);
        return NULL;
    }
    size_t n = t->n_indexes ? t->n_indexes : 1;
    int64_t *counts = xcalloc(2 * n, sizeof *counts);
    json_t *desc = NULL;
    if (index_stats(c, t, counts, counts + n, err)) {
        stats.index_item_count = counts;
        stats.index_size_bytes = counts + n;
        desc = ddb_table_describe(t, &stats);
    }
    free(counts);
    return desc;
}

/*
 * A new definition version: larger than the last and, being a time in
 * microseconds, never handed out twice even when the change that first
 * took it was rolled back. A (tid, version) pair thus names one definition
 * for good, which the table caches of every process rely on.
 */
static int64_t next_version(int64_t last)
{
    int64_t now = clock_now_us();
    return now > last ? now : last + 1;
}

/* Stores a changed definition of t's table as its next version. */
static bool save_def(eng_conn *c, ddb_table *nt, const ddb_table *t, ddb_err *err)
{
    char *text = json_dumps(nt->def, JSON_COMPACT);
    if (!text) xalloc_fail("json_dumps");
    nt->tid = t->tid;
    nt->version = next_version(t->version);
    sqlite3_stmt *st = eng_stmt(c, "UPDATE tables SET version = ?2, def = ?3 WHERE tid = ?1", err);
    bool ok = st != NULL;
    if (ok) {
        sqlite3_bind_int64(st, 1, nt->tid);
        sqlite3_bind_int64(st, 2, nt->version);
        sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE;
        if (!ok) eng_sql_error(c, err);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    free(text);
    return ok;
}

/* Runs one row-less statement bound to a table id (and an optional int). */
static bool exec_tid(eng_conn *c, const char *sql, int64_t tid, int64_t arg, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, sql, err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, tid);
    if (sqlite3_bind_parameter_count(st) >= 2) sqlite3_bind_int64(st, 2, arg);
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    if (!ok) eng_sql_error(c, err);
    sqlite3_reset(st);
    return ok;
}

/* ---- CreateTable ---- */

typedef struct create_arg {
    ddb_table *t;
    int64_t now_us;
} create_arg;

static json_t *create_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    create_arg *a = arg;
    ddb_table *t = a->t;
    sqlite3_stmt *st = eng_stmt(c, "SELECT 1 FROM tables WHERE name = ?1", err);
    if (!st) return NULL;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) {
        ddb_err_set(err, DDB_E_IN_USE, "Table already exists: %s", t->name);
        return NULL;
    }
    char *text = json_dumps(t->def, JSON_COMPACT);
    if (!text) xalloc_fail("json_dumps");
    st = eng_stmt(c, "INSERT INTO tables(name, version, def) VALUES(?1, ?3, ?2)", err);
    bool ok = st != NULL;
    t->version = next_version(0);
    if (ok) {
        sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, t->version);
        ok = sqlite3_step(st) == SQLITE_DONE;
        if (!ok) eng_sql_error(c, err);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    free(text);
    if (!ok) return NULL;
    t->tid = sqlite3_last_insert_rowid(eng_conn_db(c));
    if (t->stream_enabled && !eng_stream_open(e, c, t, a->now_us, err)) return NULL;
    json_t *desc = describe(e, c, t, "ACTIVE", err);
    return desc ? json_pack("{s:o}", "TableDescription", desc) : NULL;
}

json_t *eng_op_create_table(eng *e, json_t *req, ddb_err *err)
{
    create_arg a = {NULL, clock_now_us()};
    a.t = ddb_table_create(req, a.now_us, err);
    if (!a.t) return NULL;
    json_t *res = eng_write(e, create_fn, &a, err);
    ddb_table_free(a.t);
    return res;
}

/* ---- DeleteTable ---- */

static json_t *delete_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    const ddb_table *t = acquire_named(e, c, arg, err);
    if (!t) return NULL;
    json_t *desc = NULL;
    if (t->deletion_protection) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Resource cannot be deleted as it is currently protected against deletion. "
                    "Disable deletion protection first.");
    } else if ((desc = describe(e, c, t, "DELETING", err)) &&
               exec_tid(c, "DELETE FROM items WHERE tid = ?1", t->tid, 0, err) &&
               exec_tid(c, "DELETE FROM idx WHERE tid = ?1", t->tid, 0, err) &&
               exec_tid(c, "DELETE FROM tables WHERE tid = ?1", t->tid, 0, err) &&
               (!t->stream_enabled || eng_stream_close(e, c, t, clock_now_us(), err))) {
        eng_table_release(e, t);
        return json_pack("{s:o}", "TableDescription", desc);
    }
    json_decref(desc);
    eng_table_release(e, t);
    return NULL;
}

json_t *eng_op_delete_table(eng *e, json_t *req, ddb_err *err)
{
    const char *name;
    if (!eng_check_table_name(req, &name, err)) return NULL;
    return eng_write(e, delete_fn, (void *)name, err);
}

/* ---- DescribeTable ---- */

static json_t *describe_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    const ddb_table *t = acquire_named(e, c, arg, err);
    if (!t) return NULL;
    json_t *desc = describe(e, c, t, "ACTIVE", err);
    eng_table_release(e, t);
    return desc ? json_pack("{s:o}", "Table", desc) : NULL;
}

json_t *eng_op_describe_table(eng *e, json_t *req, ddb_err *err)
{
    const char *name;
    if (!eng_check_table_name(req, &name, err)) return NULL;
    return eng_read(e, describe_fn, (void *)name, err);
}

/* ---- ListTables ---- */

typedef struct list_arg {
    const char *start; /* ExclusiveStartTableName or NULL */
    long long limit;
} list_arg;

static json_t *list_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    list_arg *a = arg;
    sqlite3_stmt *st = eng_stmt(c,
                                "SELECT name FROM tables WHERE ?1 IS NULL OR name > ?1"
                                " ORDER BY name LIMIT ?2",
                                err);
    if (!st) return NULL;
    if (a->start) sqlite3_bind_text(st, 1, a->start, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, a->limit + 1);
    json_t *names = json_array();
    json_t *res = json_pack("{s:o}", "TableNames", names);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if ((long long)json_array_size(names) == a->limit) {
            /* One more exists: the page ends at the previous name. */
            json_object_set(res, "LastEvaluatedTableName", json_array_get(names, a->limit - 1));
            break;
        }
        json_array_append_new(names, json_string(name));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        eng_sql_error(c, err);
        json_decref(res);
        res = NULL;
    }
    sqlite3_reset(st);
    return res;
}

json_t *eng_op_list_tables(eng *e, json_t *req, ddb_err *err)
{
    list_arg a = {NULL, 100};
    bool has_limit = false;
    if (!eng_param_int(req, "Limit", &a.limit, &has_limit, err) ||
        !eng_param_str(req, "ExclusiveStartTableName", &a.start, NULL, err))
        return NULL;
    if (has_limit && (a.limit < 1 || a.limit > 100)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%lld' at 'limit' failed to satisfy "
                    "constraint: Member must have value %s",
                    a.limit,
                    a.limit < 1 ? "greater than or equal to 1" : "less than or equal to 100");
        return NULL;
    }
    return eng_read(e, list_fn, &a, err);
}

/* ---- UpdateTable ---- */

/*
 * Visits every item of a table in key order, a chunk at a time: the rows of
 * a chunk are read first and visited after the read statement is done, so a
 * visitor may write to the items table without disturbing the scan.
 */
typedef bool (*item_visitor)(eng_conn *c, const ddb_table *t, const eng_key *k, const json_t *item,
                             void *arg, ddb_err *err);

#define VISIT_CHUNK 256

static bool visit_items(eng_conn *c, const ddb_table *t, item_visitor visit, void *arg,
                        ddb_err *err)
{
    eng_key keys[VISIT_CHUNK];
    json_t *items[VISIT_CHUNK];
    for (int i = 0; i < VISIT_CHUNK; i++)
        eng_key_init(&keys[i]);
    bool ok = true, more = true, first = true;
    while (ok && more) {
        sqlite3_stmt *st = eng_stmt(
            c,
            first
                ? "SELECT h, hk, rk, item FROM items WHERE tid = ?1 ORDER BY h, hk, rk LIMIT ?5"
                : "SELECT h, hk, rk, item FROM items WHERE tid = ?1 AND (h, hk, rk) > (?2, ?3, ?4)"
                  " ORDER BY h, hk, rk LIMIT ?5",
            err);
        if (!st) {
            ok = false;
            break;
        }
        sqlite3_bind_int64(st, 1, t->tid);
        sqlite3_bind_int(st, 5, VISIT_CHUNK);
        if (!first) {
            eng_key *prev = &keys[VISIT_CHUNK - 1];
            sqlite3_bind_blob(st, 2, prev->h, ENG_HASH_LEN, SQLITE_TRANSIENT);
            sqlite3_bind_blob(st, 3, buf_cstr(&prev->hk), (int)prev->hk.len, SQLITE_TRANSIENT);
            sqlite3_bind_blob(st, 4, buf_cstr(&prev->rk), (int)prev->rk.len, SQLITE_TRANSIENT);
        }
        int n = 0, rc;
        while (n < VISIT_CHUNK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            eng_key *k = &keys[n];
            buf_reset(&k->hk);
            buf_reset(&k->rk);
            eng_key_read_hash(st, 0, k->h);
            buf_append(&k->hk, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
            buf_append(&k->rk, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
            items[n] = eng_item_decode(sqlite3_column_text(st, 3), sqlite3_column_bytes(st, 3));
            n++;
        }
        if (n < VISIT_CHUNK && rc != SQLITE_DONE) {
            eng_sql_error(c, err);
            ok = false;
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        for (int i = 0; i < n; i++) {
            if (ok && items[i]) ok = visit(c, t, &keys[i], items[i], arg, err);
            json_decref(items[i]);
        }
        more = n == VISIT_CHUNK;
        first = false;
    }
    for (int i = 0; i < VISIT_CHUNK; i++)
        eng_key_free(&keys[i]);
    return ok;
}

/* Adds an item's entry to the new index `arg` (nothing when sparse). */
static bool backfill_one(eng_conn *c, const ddb_table *t, const eng_key *k, const json_t *item,
                         void *arg, ddb_err *err)
{
    const ddb_index *ix = arg;
    eng_key ik;
    eng_key_init(&ik);
    bool ok = !eng_index_key(ix, k, item, &ik) || eng_index_row_write(c, t, ix, &ik, k, true, err);
    eng_key_free(&ik);
    return ok;
}

typedef struct update_arg {
    const char *name;
    const json_t *req;
    int64_t now_us;
} update_arg;

/* Brings streams and index rows in step with the change from t to nt. */
static bool apply_table_change(eng *e, eng_conn *c, const ddb_table *t, const ddb_table *nt,
                               const ddb_index *new_index, int dropped_ino, int64_t now_us,
                               ddb_err *err)
{
    bool relabelled =
        !t->stream_label || !nt->stream_label || strcmp(t->stream_label, nt->stream_label) != 0;
    if (t->stream_enabled && (!nt->stream_enabled || relabelled) &&
        !eng_stream_close(e, c, t, now_us, err))
        return false;
    if (nt->stream_enabled && (!t->stream_enabled || relabelled) &&
        !eng_stream_open(e, c, nt, now_us, err))
        return false;
    if (dropped_ino >= 0 &&
        !exec_tid(c, "DELETE FROM idx WHERE tid = ?1 AND ino = ?2", t->tid, dropped_ino, err))
        return false;
    return !new_index || !new_index->global ||
           visit_items(c, nt, backfill_one, (void *)new_index, err);
}

static json_t *update_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    update_arg *a = arg;
    const ddb_table *t = acquire_named(e, c, a->name, err);
    if (!t) return NULL;
    const ddb_index *new_index = NULL;
    int dropped_ino = -1;
    ddb_table *nt = ddb_table_update(t, a->req, a->now_us, &new_index, &dropped_ino, err);
    json_t *res = NULL;
    if (nt && save_def(c, nt, t, err) &&
        apply_table_change(e, c, t, nt, new_index, dropped_ino, a->now_us, err)) {
        json_t *desc = describe(e, c, nt, "ACTIVE", err);
        if (desc) res = json_pack("{s:o}", "TableDescription", desc);
    }
    ddb_table_free(nt);
    eng_table_release(e, t);
    return res;
}

json_t *eng_op_update_table(eng *e, json_t *req, ddb_err *err)
{
    update_arg a = {NULL, req, clock_now_us()};
    if (!eng_check_table_name(req, &a.name, err)) return NULL;
    return eng_write(e, update_fn, &a, err);
}

/* ---- TTL ---- */

/* Sets an item's expiry column by the table's (new) TTL setting. */
static bool refill_one(eng_conn *c, const ddb_table *t, const eng_key *k, const json_t *item,
                       void *arg, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(
        c, "UPDATE items SET expires = ?5 WHERE tid = ?1 AND h = ?2 AND hk = ?3 AND rk = ?4", err);
    if (!st) return false;
    int64_t exp;
    sqlite3_bind_int64(st, 1, t->tid);
    sqlite3_bind_blob(st, 2, k->h, ENG_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, buf_cstr(&k->hk), (int)k->hk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, buf_cstr(&k->rk), (int)k->rk.len, SQLITE_STATIC);
    if (eng_item_expiry(t, item, &exp))
        sqlite3_bind_int64(st, 5, exp);
    else
        sqlite3_bind_null(st, 5);
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    if (!ok) eng_sql_error(c, err);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ok;
}

/* Recomputes the expiry column of every item after TTL was enabled or
   disabled, by the same rule items.c applies to the items it writes. */
static bool ttl_refill(eng_conn *c, const ddb_table *nt, ddb_err *err)
{
    if (!nt->ttl_attr)
        return exec_tid(c, "UPDATE items SET expires = NULL WHERE tid = ?1 AND expires IS NOT NULL",
                        nt->tid, 0, err);
    return visit_items(c, nt, refill_one, NULL, err);
}

/*
 * The shared shape of UpdateTimeToLive, TagResource and UntagResource: a
 * new definition built by `change` from the current one and `what`.
 */
typedef ddb_table *(*def_change_fn)(const ddb_table *t, const json_t *what, ddb_err *err);

typedef struct def_arg {
    const char *name;
    const json_t *what;
    def_change_fn change;
    json_t *reply; /* returned (a new reference) on success */
} def_arg;

static json_t *def_change_fn_run(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    def_arg *a = arg;
    const ddb_table *t = acquire_named(e, c, a->name, err);
    if (!t) return NULL;
    ddb_table *nt = a->change(t, a->what, err);
    bool ok = nt && save_def(c, nt, t, err);
    if (ok && a->change == ddb_table_set_ttl) ok = ttl_refill(c, nt, err);
    ddb_table_free(nt);
    eng_table_release(e, t);
    return ok ? json_incref(a->reply) : NULL;
}

json_t *eng_op_update_ttl(eng *e, json_t *req, ddb_err *err)
{
    def_arg a = {NULL, json_object_get(req, "TimeToLiveSpecification"), ddb_table_set_ttl, NULL};
    if (!eng_check_table_name(req, &a.name, err)) return NULL;
    if (!json_is_object(a.what)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at 'timeToLiveSpecification' "
                    "failed to satisfy constraint: Member must not be null");
        return NULL;
    }
    a.reply = json_pack("{s:O}", "TimeToLiveSpecification", a.what);
    json_t *res = eng_write(e, def_change_fn_run, &a, err);
    json_decref(a.reply);
    return res;
}

static json_t *describe_ttl_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    const ddb_table *t = acquire_named(e, c, arg, err);
    if (!t) return NULL;
    json_t *d = t->ttl_attr ? json_pack("{s:s,s:s}", "TimeToLiveStatus", "ENABLED", "AttributeName",
                                        t->ttl_attr)
                            : json_pack("{s:s}", "TimeToLiveStatus", "DISABLED");
    eng_table_release(e, t);
    return json_pack("{s:o}", "TimeToLiveDescription", d);
}

json_t *eng_op_describe_ttl(eng *e, json_t *req, ddb_err *err)
{
    const char *name;
    if (!eng_check_table_name(req, &name, err)) return NULL;
    return eng_read(e, describe_ttl_fn, (void *)name, err);
}

/* ---- tags ---- */

/*
 * The table named by a ResourceArn, which must be this engine's ARN of an
 * existing table; *name is left pointing into the request.
 */
static bool arn_table(eng *e, const json_t *req, char **name, ddb_err *err)
{
    const json_t *v = json_object_get(req, "ResourceArn");
    if (!json_is_string(v)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at 'resourceArn' failed to satisfy "
                    "constraint: Member must not be null");
        return false;
    }
    const char *arn = json_string_value(v);
    buf_t prefix = BUF_INIT;
    buf_printf(&prefix, "arn:aws:dynamodb:%s:%s:table/", eng_region(e), eng_account_id(e));
    const char *rest = strncmp(arn, "arn:aws:dynamodb:", 17) ? NULL : strstr(arn, ":table/");
    bool ours = !strncmp(arn, buf_cstr(&prefix), prefix.len);
    buf_free(&prefix);
    if (!rest || strchr(rest + 7, '/') || !rest[7]) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Invalid TableArn: Invalid ResourceArn provided as input %s", arn);
        return false;
    }
    if (!ours) {
        ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found: ResourceArn: %s not found",
                    arn);
        return false;
    }
    *name = xstrdup(rest + 7);
    return true;
}

/* Runs a tag change (`member` of the request fed to `change`). */
static json_t *tag_op(eng *e, json_t *req, const char *member, def_change_fn change, ddb_err *err)
{
    char *name = NULL;
    if (!arn_table(e, req, &name, err)) return NULL;
    def_arg a = {name, json_object_get(req, member), change, json_object()};
    json_t *res = eng_write(e, def_change_fn_run, &a, err);
    if (!res && err && err->code == DDB_E_NOT_FOUND)
        ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found: ResourceArn: %s not found",
                    json_string_value(json_object_get(req, "ResourceArn")));
    json_decref(a.reply);
    free(name);
    return res;
}

json_t *eng_op_tag_resource(eng *e, json_t *req, ddb_err *err)
{
    return tag_op(e, req, "Tags", ddb_table_tag, err);
}

json_t *eng_op_untag_resource(eng *e, json_t *req, ddb_err *err)
{
    return tag_op(e, req, "TagKeys", ddb_table_untag, err);
}

static json_t *list_tags_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    const ddb_table *t = eng_table_acquire(e, c, arg, err);
    if (!t) return NULL;
    const json_t *tags = json_object_get(t->def, "Tags");
    json_t *res = json_pack("{s:o}", "Tags", tags ? json_deep_copy(tags) : json_array());
    eng_table_release(e, t);
    return res;
}

json_t *eng_op_list_tags(eng *e, json_t *req, ddb_err *err)
{
    char *name = NULL;
    if (!arn_table(e, req, &name, err)) return NULL;
    json_t *res = eng_read(e, list_tags_fn, name, err);
    if (!res && err && err->code == DDB_E_NOT_FOUND)
        ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found: ResourceArn: %s not found",
                    json_string_value(json_object_get(req, "ResourceArn")));
    free(name);
    return res;
}
