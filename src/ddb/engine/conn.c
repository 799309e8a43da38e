/*
 * conn: the embedded engine's SQLite connections and prepared statements.
 * Every calling thread gets its own connection (eng_conn_get), opened on
 * first use with the settings every connection needs, and a cache of its
 * prepared statements keyed by their SQL text; reads run in a snapshot
 * transaction on it (eng_read). The engine's lifecycle (engine.c) opens and
 * closes them; the writer (writer.c) runs its batches on one of its own.
 *
 * This file calls no other file of the engine, so that every other file
 * may call it without making a circle: the settings the operations read
 * (region, account) are answered here for the same reason.
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

#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/log.h"

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
    uint64_t snapshot;  /* inside eng_read's transaction: its number, else 0 */
    uint64_t snapshots; /* eng_read transactions begun so far */
    eng_table_memo memo;
    struct eng_conn *next; /* in the process-wide list of live connections */
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

sqlite3 *eng_db_open(eng *e, ddb_err *err)
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
    sqlite3 *db = eng_db_open(e, err);
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

/* The connection of the write batch this thread leads, handed over by the
   writer (eng_conn_lend), and the engine it belongs to. */
static __thread eng *lent_e;
static __thread eng_conn *lent_c;

void eng_conn_lend(eng *e, eng_conn *c)
{
    assert(!c || !lent_c); /* a thread leads one batch at a time */
    lent_e = c ? e : NULL;
    lent_c = c;
}

bool eng_conn_in_batch(const eng_conn *c)
{
    return c && c == lent_c;
}

eng_conn *eng_conn_get(eng *e, ddb_err *err)
{
    /* While this thread leads a write batch, everything it reads or
       writes goes through the batch's connection and transaction. */
    if (lent_e == e) return lent_c;
    eng_conn *c = pthread_getspecific(e->conn_key);
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
    c->snapshot = ++c->snapshots;
    json_t *res = fn(e, c, arg, err);
    c->snapshot = 0;
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

uint64_t eng_conn_snapshot(const eng_conn *c)
{
    return c->snapshot;
}

eng_table_memo *eng_conn_table_memo(eng_conn *c)
{
    return &c->memo;
}

/* ---- the engine's connections, opened and closed with it ---- */

void eng_conns_init(eng *e)
{
    pthread_key_create(&e->conn_key, conn_destructor);
}

void eng_conns_close(eng *e)
{
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
}
