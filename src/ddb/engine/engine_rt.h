/*
 * engine_rt: the runtime's own seams between engine.c (open/close, the
 * operation table), conn.c (connections, statements, reads), writer.c
 * (the group commit) and table_cache.c (parsed table definitions shared
 * between threads). Only these four files include it; the rest of the
 * engine sees engine_int.h alone.
 *
 * Ownership: the eng owns one eng_writer and one eng_tcache; both are
 * created by ddb_embedded_open and destroyed by the store's close, which
 * also closes every connection conn.c opened for the engine.
 */
#ifndef CRUDDUR_DDB_ENGINE_RT_H
#define CRUDDUR_DDB_ENGINE_RT_H

#include <pthread.h>

#include "ddb/engine/engine_int.h"

typedef struct eng_writer eng_writer;
typedef struct eng_tcache eng_tcache;

/* The engine's state. engine.c creates and frees it; conn.c, writer.c and
   table_cache.c read the fields they own or need. */
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

/* ---- conn.c, for engine.c, the writer and the table cache ---- */

/* The last table a connection looked up inside one eng_read transaction
   (table_cache.c): within one snapshot the tables row cannot change. */
typedef struct eng_table_memo {
    uint64_t snapshot; /* eng_conn_snapshot() when it was filled; 0: empty */
    int64_t tid, version;
    char name[256]; /* table names are at most 255 bytes */
} eng_table_memo;

/* Creates the key of the threads' connections (at open) / closes every
   connection of e still open (at close, after the writer stopped). */
void eng_conns_init(eng *e);
void eng_conns_close(eng *e);
/* A configured SQLite connection to e's database, not registered
   anywhere (the in-memory keeper, the schema's creation). */
sqlite3 *eng_db_open(eng *e, ddb_err *err);
/* Resets every statement of the connection that is still stepping, so
   that no statement keeps an old read snapshot (or, in memory, a shared
   lock) open past the end of a read or a write. */
void eng_conn_settle(eng_conn *c);
/* Nonzero, and the same for every call, while the connection runs inside
   one eng_read transaction (not inside a write's); 0 otherwise. */
uint64_t eng_conn_snapshot(const eng_conn *c);
/* The connection's memo of its last table lookup. */
eng_table_memo *eng_conn_table_memo(eng_conn *c);
/* Runs one SQL statement without result rows through the cache. */
int eng_exec(eng_conn *c, const char *sql);
/* A new connection bound to no thread (the writer's); the store's close
   frees it with the others. */
eng_conn *eng_conn_open(eng *e, ddb_err *err);
/* The writer lends the calling thread its batch connection while the
   thread leads a batch of e (eng_conn_get answers it), and takes it back
   with c NULL. */
void eng_conn_lend(eng *e, eng_conn *c);

/* ---- writer.c ---- */

/* Creates the group-commit writer (no thread: callers lead batches). */
eng_writer *eng_writer_start(eng *e, ddb_err *err);
/* Refuses new writes, waits for queued ones to finish, frees the writer. */
void eng_writer_stop(eng_writer *w);

/* ---- table_cache.c ---- */

eng_tcache *eng_tcache_new(void);
void eng_tcache_free(eng_tcache *tc);
/* Forgets every cached definition (entries in use stay valid until they
   are released). Called when a whole write transaction was lost: a table
   created in it may get its tid again, and the writer may have cached it. */
void eng_tcache_invalidate(eng_tcache *tc);

#endif
