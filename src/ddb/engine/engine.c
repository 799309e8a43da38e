/*
 * engine: the embedded store's lifecycle and operation table. Opens the
 * SQLite database of a data directory (or a private in-memory database),
 * creates the writer and the table cache, dispatches operations by name to
 * the eng_op_* functions, answers ddb_store_wait_change from the count of
 * committed batches, runs the background TTL sweeper, and closes it all.
 * Connections and statements are conn.c's; writes go through the
 * group-commit writer (writer.c); table definitions through the table
 * cache (table_cache.c).
 */
#include "ddb/engine/engine_rt.h"
#include "ddb/model/request_shape.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/private_fs.h"
#include "base/uuid.h"

/* ---- change counter ---- */

/* An absolute CLOCK_MONOTONIC deadline ms milliseconds from now. */
static struct timespec deadline_in(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static uint64_t store_wait_change(ddb_store *store, uint64_t since, int timeout_ms)
{
    eng *e = (eng *)store;
    struct timespec until = deadline_in(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&e->change_mu);
    while (e->changes <= since) {
        if (pthread_cond_timedwait(&e->change_cv, &e->change_mu, &until) == ETIMEDOUT) break;
    }
    uint64_t now = e->changes;
    pthread_mutex_unlock(&e->change_mu);
    return now;
}

static uint64_t store_change_counter(ddb_store *store)
{
    eng *e = (eng *)store;
    pthread_mutex_lock(&e->change_mu);
    uint64_t now = e->changes;
    pthread_mutex_unlock(&e->change_mu);
    return now;
}

/* ---- dispatch ---- */

/*
 * Operations marked `snapshot` only read: each runs whole inside one read
 * transaction, so the table definition and the items it reads come from
 * the same snapshot, and a Query costs one transaction instead of two (the
 * table lookup used to take one of its own: file-lock system calls on
 * every read).
 */
static const struct {
    const char *name;
    eng_op_fn fn;
    bool snapshot;
} ops[] = {
    {"CreateTable", eng_op_create_table, false},
    {"DeleteTable", eng_op_delete_table, false},
    {"DescribeTable", eng_op_describe_table, false},
    {"ListTables", eng_op_list_tables, false},
    {"DescribeLimits", eng_op_describe_limits, true},
    {"UpdateTable", eng_op_update_table, false},
    {"UpdateTimeToLive", eng_op_update_ttl, false},
    {"DescribeTimeToLive", eng_op_describe_ttl, false},
    {"TagResource", eng_op_tag_resource, false},
    {"UntagResource", eng_op_untag_resource, false},
    {"ListTagsOfResource", eng_op_list_tags, false},
    {"PutItem", eng_op_put_item, false},
    {"GetItem", eng_op_get_item, true},
    {"DeleteItem", eng_op_delete_item, false},
    {"UpdateItem", eng_op_update_item, false},
    {"Query", eng_op_query, true},
    {"Scan", eng_op_scan, true},
    {"BatchWriteItem", eng_op_batch_write, false},
    {"BatchGetItem", eng_op_batch_get, true},
    {"TransactWriteItems", eng_op_transact_write, false},
    {"TransactGetItems", eng_op_transact_get, true},
    {"ExecuteStatement", eng_op_execute_statement, false},
    {"BatchExecuteStatement", eng_op_batch_execute_statement, false},
    {"ExecuteTransaction", eng_op_execute_transaction, false},
    {"ListStreams", eng_op_list_streams, false},
    {"DescribeStream", eng_op_describe_stream, false},
    {"GetShardIterator", eng_op_get_shard_iterator, false},
    {"GetRecords", eng_op_get_records, false},
};

/* The reads that keep a legacy member's rules in their answers or messages
   (legacy.c), called instead when the request had one. */
static const struct {
    const char *name;
    eng_op_legacy_fn fn;
} legacy_ops[] = {
    {"GetItem", eng_op_get_item_legacy},
    {"Query", eng_op_query_legacy},
    {"Scan", eng_op_scan_legacy},
    {"BatchGetItem", eng_op_batch_get_legacy},
};

typedef struct op_call {
    eng_op_fn fn;
    eng_op_legacy_fn legacy_fn; /* when set, called instead of fn */
    const eng_legacy *lg;
    json_t *req;
} op_call;

static json_t *op_run(eng *e, const op_call *call, ddb_err *err)
{
    return call->legacy_fn ? call->legacy_fn(e, call->req, call->lg, err)
                           : call->fn(e, call->req, err);
}

/* An eng_fn that runs an operation (inside eng_read's transaction). */
static json_t *op_in_snapshot(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    (void)c;
    return op_run(e, arg, err);
}

static json_t *store_call(ddb_store *store, const char *op, json_t *req, ddb_err *err)
{
    eng *e = (eng *)store;
    if (!json_is_object(req)) {
        ddb_err_set(err, DDB_E_SERIALIZATION, "Start of structure or map found where not expected");
        return NULL;
    }
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (op && !strcmp(ops[i].name, op)) {
            /* JSON types first: DynamoDB reads the request before it looks
               anything up (request_shape.h). */
            if (!ddb_request_shape_check(op, req, err)) return NULL;
            eng_legacy lg;
            json_t *rewritten = eng_legacy_rewrite(op, req, &lg, err);
            if (!rewritten) return NULL;
            op_call call = {lg.put_order ? eng_op_update_item_put_order : ops[i].fn, NULL, &lg,
                            rewritten};
            for (size_t k = 0; rewritten != req && k < sizeof legacy_ops / sizeof *legacy_ops; k++)
                if (!strcmp(legacy_ops[k].name, op)) call.legacy_fn = legacy_ops[k].fn;
            json_t *res =
                ops[i].snapshot ? eng_read(e, op_in_snapshot, &call, err) : op_run(e, &call, err);
            eng_legacy_free(&lg);
            json_decref(rewritten);
            /* An operation may have left a statement stepping outside a
               transaction; finish it so the next call sees fresh data. */
            eng_conn *c = pthread_getspecific(e->conn_key);
            if (c) eng_conn_settle(c);
            if (!res && err && err->code == DDB_OK)
                ddb_err_set(err, DDB_E_INTERNAL, "Internal server error");
            return res;
        }
    }
    ddb_err_set(err, DDB_E_UNKNOWN_OP, "An unknown operation was requested.");
    return NULL;
}

/* ---- TTL sweeper ---- */

/* Deletes expired items once a second until the engine closes. */
static void *ttl_main(void *arg)
{
    eng *e = arg;
    pthread_mutex_lock(&e->ttl_mu);
    while (!e->ttl_stop) {
        struct timespec until = deadline_in(1000);
        pthread_cond_timedwait(&e->ttl_cv, &e->ttl_mu, &until);
        if (e->ttl_stop) break;
        pthread_mutex_unlock(&e->ttl_mu);
        ddb_err err = DDB_ERR_INIT;
        if (eng_ttl_sweep(e, clock_now_us() / 1000000, &err) < 0)
            log_warn("ddb engine: TTL sweep failed: %s", err.message);
        ddb_err_clear(&err);
        pthread_mutex_lock(&e->ttl_mu);
    }
    pthread_mutex_unlock(&e->ttl_mu);
    return NULL;
}

long ddb_embedded_sweep_ttl(ddb_store *store, int64_t now_s, ddb_err *err)
{
    return eng_ttl_sweep((eng *)store, now_s, err);
}

/* ---- open and close ---- */

static void store_close(ddb_store *store)
{
    eng *e = (eng *)store;
    if (e->ttl_running) {
        pthread_mutex_lock(&e->ttl_mu);
        e->ttl_stop = true;
        pthread_cond_signal(&e->ttl_cv);
        pthread_mutex_unlock(&e->ttl_mu);
        pthread_join(e->ttl_thread, NULL);
    }
    if (e->writer) eng_writer_stop(e->writer);

    eng_conns_close(e);

    if (e->tables) eng_tcache_free(e->tables);
    sqlite3_close_v2(e->keeper);
    pthread_mutex_destroy(&e->change_mu);
    pthread_cond_destroy(&e->change_cv);
    pthread_mutex_destroy(&e->ttl_mu);
    pthread_cond_destroy(&e->ttl_cv);
    free(e->db_path);
    free(e);
}

static const ddb_store_ops eng_store_ops = {
    .call = store_call,
    .wait_change = store_wait_change,
    .change_counter = store_change_counter,
    .close = store_close,
};

/* The data folder and the database file, private to their owner
   (base/private_fs.h): SQLite gives -wal and -shm the database's mode. */
static bool make_private(const char *dir, const char *db_path, ddb_err *err)
{
    int rc = private_fs_mkdirs(dir);
    if (rc) {
        ddb_err_set(err, DDB_E_INTERNAL, "cannot create data directory %s: %s", dir, strerror(rc));
        return false;
    }
    if ((rc = private_fs_create_file(db_path)) != 0) {
        ddb_err_set(err, DDB_E_INTERNAL, "cannot create %s: %s", db_path, strerror(rc));
        return false;
    }
    return true;
}

static void cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}

/* Creates the tables on first use; WAL is a property of the file. */
static bool db_init(eng *e, ddb_err *err)
{
    sqlite3 *db = eng_db_open(e, err);
    if (!db) return false;
    const char *sql = e->in_memory ? "BEGIN IMMEDIATE;" ENG_SCHEMA_SQL
                                   : "PRAGMA journal_mode=WAL; BEGIN IMMEDIATE;" ENG_SCHEMA_SQL;
    char *msg = NULL;
    bool ok = sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK;
    if (!ok)
        ddb_err_set(err, DDB_E_INTERNAL, "cannot initialise database %s: %s", e->db_path,
                    msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    msg = NULL;
    if (ok) ok = eng_layout_upgrade(db, err);
    if (ok && sqlite3_exec(db, "COMMIT;", NULL, NULL, &msg) != SQLITE_OK) {
        ddb_err_set(err, DDB_E_INTERNAL, "cannot initialise database %s: %s", e->db_path,
                    msg ? msg : sqlite3_errmsg(db));
        ok = false;
    }
    sqlite3_free(msg);
    if (!ok) {
        sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
        sqlite3_close_v2(db);
        return false;
    }
    if (e->in_memory) {
        e->keeper = db;
    } else {
        sqlite3_close_v2(db);
    }
    return true;
}

ddb_store *ddb_embedded_open(const ddb_embedded_options *opt, ddb_err *err)
{
    if (!opt || (!opt->in_memory && (!opt->dir || !*opt->dir))) {
        ddb_err_set(err, DDB_E_VALIDATION, "embedded store: a data directory is required");
        return NULL;
    }
    eng *e = xcalloc(1, sizeof *e);
    e->store.ops = &eng_store_ops;
    e->in_memory = opt->in_memory;
    e->no_fsync = opt->no_fsync;
    snprintf(e->region, sizeof e->region, "%s", opt->region ? opt->region : "us-east-1");
    snprintf(e->account_id, sizeof e->account_id, "%s",
             opt->account_id ? opt->account_id : "000000000000");
    pthread_mutex_init(&e->change_mu, NULL);
    cond_init_monotonic(&e->change_cv);
    pthread_mutex_init(&e->ttl_mu, NULL);
    cond_init_monotonic(&e->ttl_cv);
    eng_conns_init(e);
    e->tables = eng_tcache_new();
    e->open_flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    buf_t path = BUF_INIT;
    if (e->in_memory) {
        /* A name starting with '/' makes the memdb database shared by all
           connections of this process that open it; the uuid keeps two
           in-memory stores apart. */
        char id[UUID_STR_LEN];
        uuid_v4(id);
        buf_printf(&path, "file:/cruddur-%s?vfs=memdb", id);
        e->open_flags |= SQLITE_OPEN_URI;
    } else {
        buf_printf(&path, "%s/ddb.sqlite", opt->dir);
    }
    e->db_path = buf_detach(&path);
    if (!e->in_memory && !make_private(opt->dir, e->db_path, err)) {
        store_close(&e->store);
        return NULL;
    }

    if (!db_init(e, err) || !(e->writer = eng_writer_start(e, err))) {
        store_close(&e->store);
        return NULL;
    }
    if (!opt->no_background) {
        if (pthread_create(&e->ttl_thread, NULL, ttl_main, e) == 0)
            e->ttl_running = true;
        else
            log_warn("ddb engine: cannot start the TTL sweeper");
    }
    return &e->store;
}
