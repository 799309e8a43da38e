/*
 * engine: the embedded store's runtime. Opens the SQLite database of a
 * data directory (or a private in-memory database), hands every calling
 * thread its own connection with a statement cache, runs reads in a
 * snapshot transaction, dispatches operations by name to the eng_op_*
 * functions, counts committed changes for ddb_store_wait_change and runs
 * the background TTL sweeper. Writes go through the group-commit writer
 * (writer.c); table definitions through the table cache (table_cache.c).
 *
 * In memory, the database lives in SQLite's memdb VFS under a unique name
 * starting with '/', which lets all the engine's connections share it; a
 * "keeper" connection holds it alive between calls. memdb has no WAL, so
 * readers and the writer take turns with database-wide locks; a connection
 * that finds the lock taken retries at once and then after pauses of tens of
 * microseconds (busy_wait), because those locks are held for microseconds.
 * SQLite's own busy timeout would sleep a whole millisecond on the first
 * collision, which at concurrency 64 made most requests wait for nothing.
 */
#include "ddb/engine/engine_rt.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
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

#define ENG_BUSY_TIMEOUT_US (10LL * 1000000)
#define ENG_BUSY_YIELDS 16   /* first retries: give up the CPU only */
#define ENG_BUSY_PAUSE_US 50 /* then pause this long between retries */
#define ENG_BUSY_PAUSE_MAX_US 2000
#define ENG_STMT_BUCKETS 64

typedef struct eng_stmt_entry {
    char *sql;
    uint32_t hash;
    sqlite3_stmt *st;
    struct eng_stmt_entry *next;
} eng_stmt_entry;

struct eng_conn {
    eng *e;
    sqlite3 *db;
    eng_stmt_entry *buckets[ENG_STMT_BUCKETS];
    struct eng_conn *next; /* in the process-wide list of live connections */
};

struct eng {
    ddb_store store; /* first: the store pointer is the engine pointer */
    char *db_path;   /* file path or memdb URI */
    int open_flags;
    bool in_memory;
    bool no_fsync;
    char region[64];
    char account_id[32];
    pthread_key_t conn_key;
    sqlite3 *keeper; /* in memory: keeps the database alive */
    eng_writer *writer;
    eng_tcache *tables;

    pthread_mutex_t change_mu;
    pthread_cond_t change_cv;
    uint64_t changes;

    bool ttl_running;
    bool ttl_stop;
    pthread_t ttl_thread;
    pthread_mutex_t ttl_mu;
    pthread_cond_t ttl_cv;
};

/*
 * Every live connection of every engine, under one lock: a thread that
 * exits closes its connection from the key destructor, and close() closes
 * the rest; the list makes sure exactly one of them does it.
 */
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static eng_conn *conns;

const char *eng_region(const eng *e)
{
    return e->region;
}

const char *eng_account_id(const eng *e)
{
    return e->account_id;
}

eng_writer *eng_writer_of(eng *e)
{
    return e->writer;
}

eng_tcache *eng_tcache_of(eng *e)
{
    return e->tables;
}

/* ---- connections and statements ---- */

static void conn_free(eng_conn *c)
{
    for (int i = 0; i < ENG_STMT_BUCKETS; i++) {
        eng_stmt_entry *s = c->buckets[i];
        while (s) {
            eng_stmt_entry *next = s->next;
            sqlite3_finalize(s->st);
            free(s->sql);
            free(s);
            s = next;
        }
    }
    sqlite3_close_v2(c->db);
    free(c);
}

/* Removes c from the live list; false when someone else already did. */
static bool conn_unlink(eng_conn *c)
{
    for (eng_conn **p = &conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            return true;
        }
    }
    return false;
}

/* Thread exit: the thread's connection goes with it. */
static void conn_destructor(void *p)
{
    pthread_mutex_lock(&conns_mu);
    bool mine = conn_unlink(p);
    pthread_mutex_unlock(&conns_mu);
    if (mine) conn_free(p);
}

/*
 * SQLite's busy handler: called with the number of retries so far when the
 * lock a statement needs is held by another connection; nonzero retries.
 * Yields first, then pauses that grow from ENG_BUSY_PAUSE_US to
 * ENG_BUSY_PAUSE_MAX_US, and gives up (SQLITE_BUSY) after about
 * ENG_BUSY_TIMEOUT_US in all.
 */
static int busy_wait(void *arg, int tries)
{
    (void)arg;
    if (tries < ENG_BUSY_YIELDS) {
        sched_yield();
        return 1;
    }
    int64_t pause = (int64_t)ENG_BUSY_PAUSE_US
                    << ((tries - ENG_BUSY_YIELDS) / 4 < 6 ? (tries - ENG_BUSY_YIELDS) / 4 : 6);
    if (pause > ENG_BUSY_PAUSE_MAX_US) pause = ENG_BUSY_PAUSE_MAX_US;
    /* The pauses up to the cap add up to well under a second: counting
       retries at the cap is close enough to the time spent. */
    if ((int64_t)(tries - ENG_BUSY_YIELDS) * ENG_BUSY_PAUSE_MAX_US > ENG_BUSY_TIMEOUT_US) return 0;
    struct timespec ts = {0, (long)pause * 1000};
    nanosleep(&ts, NULL);
    return 1;
}

/* Settings every connection needs, whoever opens it. */
static int conn_configure(eng *e, sqlite3 *db)
{
    sqlite3_busy_handler(db, busy_wait, NULL);
    sqlite3_extended_result_codes(db, 1);
    const char *sql = e->in_memory  ? "PRAGMA journal_mode=MEMORY; PRAGMA foreign_keys=OFF;"
                                      "PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY;"
                      : e->no_fsync ? "PRAGMA foreign_keys=OFF; PRAGMA synchronous=NORMAL;"
                                    : "PRAGMA foreign_keys=OFF; PRAGMA synchronous=FULL;";
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static sqlite3 *db_open(eng *e, ddb_err *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(e->db_path, &db, e->open_flags, NULL);
    if (rc == SQLITE_OK) rc = conn_configure(e, db);
    if (rc != SQLITE_OK) {
        ddb_err_set(err, DDB_E_INTERNAL, "cannot open database %s: %s", e->db_path,
                    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return NULL;
    }
    return db;
}

eng_conn *eng_conn_open(eng *e, ddb_err *err)
{
    sqlite3 *db = db_open(e, err);
    if (!db) return NULL;
    eng_conn *c = xcalloc(1, sizeof *c);
    c->e = e;
    c->db = db;
    pthread_mutex_lock(&conns_mu);
    c->next = conns;
    conns = c;
    pthread_mutex_unlock(&conns_mu);
    return c;
}

eng_conn *eng_conn_get(eng *e, ddb_err *err)
{
    /* While this thread leads a write batch, everything it reads or
       writes goes through the batch's connection and transaction. */
    eng_conn *c = eng_writer_conn_if_leading(e);
    if (c) return c;
    c = pthread_getspecific(e->conn_key);
    if (c) return c;
    c = eng_conn_open(e, err);
    if (c) pthread_setspecific(e->conn_key, c);
    return c;
}

sqlite3 *eng_conn_db(eng_conn *c)
{
    return c->db;
}

/* FNV-1a over the SQL text: the statement cache's bucket. */
static uint32_t sql_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

sqlite3_stmt *eng_stmt(eng_conn *c, const char *sql, ddb_err *err)
{
    uint32_t h = sql_hash(sql);
    eng_stmt_entry **head = &c->buckets[h % ENG_STMT_BUCKETS];
    for (eng_stmt_entry *s = *head; s; s = s->next) {
        if (s->hash == h && !strcmp(s->sql, sql)) {
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
            return s->st;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        eng_sql_error(c, err);
        return NULL;
    }
    eng_stmt_entry *s = xmalloc(sizeof *s);
    s->sql = xstrdup(sql);
    s->hash = h;
    s->st = st;
    s->next = *head;
    *head = s;
    return st;
}

void eng_sql_error(eng_conn *c, ddb_err *err)
{
    const char *msg = sqlite3_errmsg(c->db);
    log_warn("ddb engine: sqlite: %s", msg);
    ddb_err_set(err, DDB_E_INTERNAL, "Internal server error: %s", msg);
}

void eng_conn_settle(eng_conn *c)
{
    for (sqlite3_stmt *st = sqlite3_next_stmt(c->db, NULL); st; st = sqlite3_next_stmt(c->db, st))
        if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
}

int eng_exec(eng_conn *c, const char *sql)
{
    sqlite3_stmt *st = eng_stmt(c, sql, NULL);
    if (!st) return sqlite3_errcode(c->db);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* ---- reads ---- */

json_t *eng_read(eng *e, eng_fn fn, void *arg, ddb_err *err)
{
    eng_conn *c = eng_conn_get(e, err);
    if (!c) return NULL;
    /* Already inside a transaction (a read from within a write, on the
       write batch this thread leads): that transaction is the snapshot. */
    if (!sqlite3_get_autocommit(c->db)) return fn(e, c, arg, err);
    eng_conn_settle(c);
    if (eng_exec(c, "BEGIN") != SQLITE_OK) {
        eng_sql_error(c, err);
        return NULL;
    }
    json_t *res = fn(e, c, arg, err);
    eng_conn_settle(c);
    if (eng_exec(c, "COMMIT") != SQLITE_OK) {
        eng_exec(c, "ROLLBACK");
        if (res) {
            eng_sql_error(c, err);
            json_decref(res);
            res = NULL;
        }
    }
    return res;
}

/* ---- change counter ---- */

void eng_changed(eng *e)
{
    pthread_mutex_lock(&e->change_mu);
    e->changes++;
    pthread_cond_broadcast(&e->change_cv);
    pthread_mutex_unlock(&e->change_mu);
}

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

typedef struct op_call {
    eng_op_fn fn;
    json_t *req;
} op_call;

/* An eng_fn that runs an operation (inside eng_read's transaction). */
static json_t *op_in_snapshot(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    (void)c;
    op_call *call = arg;
    return call->fn(e, call->req, err);
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
            json_t *rewritten = eng_legacy_rewrite(op, req, err);
            if (!rewritten) return NULL;
            op_call call = {ops[i].fn, rewritten};
            json_t *res = ops[i].snapshot ? eng_read(e, op_in_snapshot, &call, err)
                                          : ops[i].fn(e, rewritten, err);
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

    /* Connections of threads still alive: close them here. */
    pthread_mutex_lock(&conns_mu);
    pthread_key_delete(e->conn_key);
    eng_conn *mine = NULL;
    for (eng_conn **p = &conns; *p;) {
        eng_conn *c = *p;
        if (c->e == e) {
            *p = c->next;
            c->next = mine;
            mine = c;
        } else {
            p = &c->next;
        }
    }
    pthread_mutex_unlock(&conns_mu);
    while (mine) {
        eng_conn *next = mine->next;
        conn_free(mine);
        mine = next;
    }

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
    sqlite3 *db = db_open(e, err);
    if (!db) return false;
    const char *sql = e->in_memory ? "BEGIN IMMEDIATE;" ENG_SCHEMA_SQL "COMMIT;"
                                   : "PRAGMA journal_mode=WAL; BEGIN IMMEDIATE;" ENG_SCHEMA_SQL
                                     "COMMIT;";
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        ddb_err_set(err, DDB_E_INTERNAL, "cannot initialise database %s: %s", e->db_path,
                    msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
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
    pthread_key_create(&e->conn_key, conn_destructor);
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
