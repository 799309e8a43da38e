/*
 * writer: the embedded engine's group commit, with no thread of its own.
 *
 * Callers of eng_write() queue a job. When no batch is running, the caller
 * leads: it takes every job waiting in the queue at once (its own among
 * them) and runs them on its own connection in one SQLite transaction:
 * BEGIN IMMEDIATE, then per job SAVEPOINT / fn / RELEASE (ROLLBACK TO first
 * when fn failed, so a failed write changes nothing), then one COMMIT,
 * which is the batch's single fsync. Only then are the other callers woken,
 * each on its own condition variable, so a result is never returned
 * before it is durable; the oldest job still queued is woken to lead the
 * next batch. With many concurrent writers the batches grow and the cost
 * of the fsync is shared; a lone writer runs its write at once, without
 * handing it to another thread and waiting to be woken (two context
 * switches per write, which the in-memory engine paid for nothing).
 *
 * Another process may hold the database's write lock (cruddur serve and
 * cruddur dynamodb on one directory): BEGIN IMMEDIATE then waits with the
 * connection's busy timeout and retries with a growing pause.
 */
#include "ddb/engine/engine_rt.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"

#define WRITER_BEGIN_TRIES 8
#define WRITER_TRIM_EVERY_US (60LL * 1000000)
#define WRITER_MAX_RUNS 4 /* batches one leader runs before handing over */

typedef struct eng_job {
    eng_fn fn;
    void *arg;
    json_t *result;
    ddb_err err;
    bool done;
    struct eng_job *next;
    pthread_cond_t cv; /* done, or this job's thread is to lead the next batch */
} eng_job;

struct eng_writer {
    eng *e;
    pthread_mutex_t mu;
    pthread_cond_t idle_cv; /* stopping: the last batch finished */
    eng_job *head, *tail;   /* queued jobs, not yet taken by a leader */
    bool leading;           /* a thread is running a batch */
    bool stop;
    eng_conn *conn;       /* the batches' connection, opened by the first leader */
    int64_t last_trim_us; /* only the leader touches it */
};

/* The engine whose batch this thread is running, if any. */
static __thread eng *writing;

/* Counts one committed batch and wakes ddb_store_wait_change waiters. */
static void changed(eng *e)
{
    pthread_mutex_lock(&e->change_mu);
    e->changes++;
    pthread_cond_broadcast(&e->change_cv);
    pthread_mutex_unlock(&e->change_mu);
}

/* Fails a job whose changes were lost (its transaction did not commit). */
static void job_fail(eng_job *j, eng_conn *c)
{
    json_decref(j->result);
    j->result = NULL;
    if (c)
        eng_sql_error(c, &j->err);
    else
        ddb_err_set(&j->err, DDB_E_INTERNAL, "Internal server error: no database connection");
}

/* BEGIN IMMEDIATE, waiting for other processes that hold the write lock. */
static int begin_write(eng_conn *c)
{
    int rc = SQLITE_OK;
    long pause_us = 1000;
    for (int i = 0; i < WRITER_BEGIN_TRIES; i++) {
        rc = eng_exec(c, "BEGIN IMMEDIATE");
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) break;
        log_warn("ddb engine: database busy, retrying the write transaction");
        struct timespec ts = {pause_us / 1000000, (pause_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
        if (pause_us < 500000) pause_us *= 4;
    }
    return rc;
}

/* Drops stream records older than the retention, now and then. */
static void maybe_trim(eng_writer *w, eng_conn *c)
{
    int64_t now = clock_mono_us();
    if (w->last_trim_us && now - w->last_trim_us < WRITER_TRIM_EVERY_US) return;
    w->last_trim_us = now;
    ddb_err err = DDB_ERR_INIT;
    if (eng_exec(c, "SAVEPOINT trim") != SQLITE_OK) return;
    if (!eng_stream_trim(w->e, c, clock_now_us(), &err)) {
        log_warn("ddb engine: stream trim failed: %s", err.message);
        eng_exec(c, "ROLLBACK TO trim");
    }
    eng_conn_settle(c);
    eng_exec(c, "RELEASE trim");
    ddb_err_clear(&err);
}

/* Runs one job in its own savepoint. False when SQLite rolled back the
   whole transaction (I/O error, disk full): the batch must start over. */
static bool run_job(eng_writer *w, eng_conn *c, eng_job *j)
{
    assert(eng_conn_in_batch(c) && !sqlite3_get_autocommit(eng_conn_db(c)));
    if (eng_exec(c, "SAVEPOINT job") != SQLITE_OK) return false;
    j->result = j->fn(w->e, c, j->arg, &j->err);
    eng_conn_settle(c);
    if (sqlite3_get_autocommit(eng_conn_db(c))) return false;
    if (!j->result) {
        if (j->err.code == DDB_OK) ddb_err_set(&j->err, DDB_E_INTERNAL, "Internal server error");
        eng_exec(c, "ROLLBACK TO job");
    }
    return eng_exec(c, "RELEASE job") == SQLITE_OK;
}

/*
 * Runs a batch of jobs in one transaction. Jobs are marked done by the
 * caller of run_batch; here each gets its result or its error. Returns
 * whether anything was committed.
 */
static bool run_batch(eng_writer *w, eng_conn *c, eng_job *batch)
{
    bool committed = false;
    eng_job *todo = batch;
    while (todo) {
        if (!c || begin_write(c) != SQLITE_OK) {
            for (eng_job *j = todo; j; j = j->next)
                job_fail(j, c);
            return committed;
        }
        eng_job *j = todo, *failed_at = NULL;
        for (; j; j = j->next) {
            if (!run_job(w, c, j)) {
                failed_at = j;
                break;
            }
        }
        if (failed_at) {
            /* The transaction is gone: everything done so far in it is
               lost. Fail those jobs and start again after the culprit. */
            for (eng_job *k = todo; k != failed_at->next; k = k->next) {
                if (k->result || k == failed_at) job_fail(k, c);
            }
            if (!sqlite3_get_autocommit(eng_conn_db(c))) eng_exec(c, "ROLLBACK");
            eng_tcache_invalidate(w->e->tables);
            todo = failed_at->next;
            continue;
        }
        maybe_trim(w, c);
        if (eng_exec(c, "COMMIT") != SQLITE_OK) {
            for (eng_job *k = todo; k; k = k->next)
                if (k->result) job_fail(k, c);
            if (!sqlite3_get_autocommit(eng_conn_db(c))) eng_exec(c, "ROLLBACK");
            eng_tcache_invalidate(w->e->tables);
        } else {
            committed = true;
        }
        todo = NULL;
    }
    return committed;
}

/* Runs every job queued so far as one batch, on the calling thread (the
   leader), then wakes their callers. Called and returns with w->mu held. */
static void lead(eng_writer *w)
{
    /* One leader at a time, and it has work: the caller's own job is still
       queued (a leader takes the whole queue and marks it all done before
       it lets go of `leading`). */
    assert(!w->leading && w->head);
    eng_job *batch = w->head;
    w->head = w->tail = NULL;
    w->leading = true;
    pthread_mutex_unlock(&w->mu);

    if (!w->conn) {
        ddb_err err = DDB_ERR_INIT;
        w->conn = eng_conn_open(w->e, &err);
        if (!w->conn) log_error("ddb engine: writer has no connection: %s", err.message);
        ddb_err_clear(&err);
    }
    writing = w->e;
    eng_conn_lend(w->e, w->conn);
    bool committed = run_batch(w, w->conn, batch);
    eng_conn_lend(w->e, NULL);
    writing = NULL;
    if (committed) changed(w->e);

    pthread_mutex_lock(&w->mu);
    w->leading = false;
    for (eng_job *j = batch; j;) {
        eng_job *next = j->next; /* j may vanish once done is seen */
        j->done = true;
        pthread_cond_signal(&j->cv);
        j = next;
    }
}

/*
 * After its own batch, a leader goes on with the jobs queued meanwhile, up
 * to WRITER_MAX_RUNS batches in all, so that commits follow each other
 * without waiting for another thread to be scheduled (on a busy machine
 * that gap cost durable writes a tenth of their rate); then it hands the
 * queue to the oldest waiting job's thread, so that no caller's own answer
 * waits behind too many batches of others.
 */
static void lead_on(eng_writer *w)
{
    for (int runs = 1; w->head && !w->leading && runs < WRITER_MAX_RUNS; runs++)
        lead(w);
    if (w->leading) return; /* another thread leads now: it hands over */
    if (w->head)
        pthread_cond_signal(&w->head->cv);
    else if (w->stop)
        pthread_cond_broadcast(&w->idle_cv);
}

json_t *eng_write(eng *e, eng_fn fn, void *arg, ddb_err *err)
{
    eng_writer *w = e->writer;
    if (writing == e) {
        /* A write from within a write (this thread leads a batch): it
           joins the current transaction in a nested savepoint. */
        eng_conn *c = eng_conn_get(e, err);
        assert(c == w->conn); /* the batch's, lent by lead() */
        if (!c || eng_exec(c, "SAVEPOINT nested") != SQLITE_OK) {
            if (c) eng_sql_error(c, err);
            return NULL;
        }
        json_t *res = fn(e, c, arg, err);
        eng_conn_settle(c);
        if (!res) eng_exec(c, "ROLLBACK TO nested");
        eng_exec(c, "RELEASE nested");
        return res;
    }
    /* The caller's own statements must not hold a snapshot (in memory, a
       lock) while its write waits to be committed. */
    eng_conn *mine = eng_conn_get(e, NULL);
    if (mine) eng_conn_settle(mine);

    eng_job job = {.fn = fn, .arg = arg, .err = DDB_ERR_INIT};
    pthread_cond_init(&job.cv, NULL);
    pthread_mutex_lock(&w->mu);
    if (w->stop) {
        pthread_mutex_unlock(&w->mu);
        pthread_cond_destroy(&job.cv);
        ddb_err_set(err, DDB_E_INTERNAL, "Internal server error: the store is closing");
        return NULL;
    }
    if (w->tail)
        w->tail->next = &job;
    else
        w->head = &job;
    w->tail = &job;
    while (!job.done) {
        if (!w->leading)
            lead(w); /* takes this job with every other one queued */
        else
            pthread_cond_wait(&job.cv, &w->mu);
    }
    lead_on(w);
    pthread_mutex_unlock(&w->mu);
    pthread_cond_destroy(&job.cv);

    if (!job.result) ddb_err_move(err, &job.err);
    ddb_err_clear(&job.err);
    return job.result;
}

eng_writer *eng_writer_start(eng *e, ddb_err *err)
{
    (void)err;
    eng_writer *w = xcalloc(1, sizeof *w);
    w->e = e;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->idle_cv, NULL);
    return w;
}

void eng_writer_stop(eng_writer *w)
{
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    while (w->leading || w->head)
        pthread_cond_wait(&w->idle_cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->idle_cv);
    free(w);
}
