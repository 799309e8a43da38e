/*
 * engine_rt: the runtime's own seams between engine.c (open/close,
 * connections, reads, dispatch), writer.c (the group commit)
 * and table_cache.c (parsed table definitions shared between threads).
 * Only these three files and catalog.c include it; the rest of the engine
 * sees engine_int.h alone.
 *
 * Ownership: the eng owns one eng_writer and one eng_tcache; both are
 * created by ddb_embedded_open and destroyed by the store's close.
 */
#ifndef CRUDDUR_DDB_ENGINE_RT_H
#define CRUDDUR_DDB_ENGINE_RT_H

#include "ddb/engine/engine_int.h"

/* ---- engine.c, for the writer and the table cache ---- */

typedef struct eng_writer eng_writer;
typedef struct eng_tcache eng_tcache;

eng_writer *eng_writer_of(eng *e);
eng_tcache *eng_tcache_of(eng *e);
/* Counts one committed batch and wakes ddb_store_wait_change waiters. */
void eng_changed(eng *e);
/* Resets every statement of the connection that is still stepping, so
   that no statement keeps an old read snapshot (or, in memory, a shared
   lock) open past the end of a read or a write. */
void eng_conn_settle(eng_conn *c);
/* Runs one SQL statement without result rows through the cache. */
int eng_exec(eng_conn *c, const char *sql);
/* A new connection bound to no thread (the writer's); the store's close
   frees it with the others. */
eng_conn *eng_conn_open(eng *e, ddb_err *err);

/* ---- writer.c ---- */

/* Creates the group-commit writer (no thread: callers lead batches). */
eng_writer *eng_writer_start(eng *e, ddb_err *err);
/* The batch connection when the calling thread leads a batch of e, else NULL. */
eng_conn *eng_writer_conn_if_leading(eng *e);
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
