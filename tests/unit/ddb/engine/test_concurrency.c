/*
 * test_engine_concurrency: many threads on one embedded store. Conditional
 * counter increments on one item must add up exactly (conditions are
 * checked and applied atomically by the writer), ADD increments too,
 * concurrent puts of distinct items must all land while readers keep
 * reading, in memory and on disk. The durable case prints its throughput
 * with one thread and with eight (group commit at work); nothing asserts
 * on time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"

#define THREADS 8
#define INCREMENTS 200
#define PUTS 250

typedef struct fixture {
    char *dir;
    ddb_store *store;
} fixture;

static int open_with(void **state, bool in_memory, bool no_fsync)
{
    fixture *f = calloc(1, sizeof *f);
    if (!in_memory) f->dir = tu_tmpdir();
    ddb_embedded_options opt = {
        .dir = f->dir, .in_memory = in_memory, .no_fsync = no_fsync, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    f->store = ddb_embedded_open(&opt, &err);
    if (!f->store) fail_msg("open: %s", err.message);
    *state = f;
    return 0;
}

static int setup_mem(void **state)
{
    return open_with(state, true, false);
}

static int setup_disk_fast(void **state)
{
    return open_with(state, false, true);
}

static int setup_disk_durable(void **state)
{
    return open_with(state, false, false);
}

static int teardown(void **state)
{
    fixture *f = *state;
    ddb_store_close(f->store);
    if (f->dir) {
        tu_rmdir(f->dir);
        free(f->dir);
    }
    free(f);
    return 0;
}

/* ddb_call with a JSON text request; NULL result leaves err filled. */
static json_t *call(ddb_store *s, const char *op, const char *text, ddb_err *err)
{
    json_t *req = json_loads(text, 0, NULL);
    if (!req) return NULL;
    json_t *res = ddb_call(s, op, req, err);
    json_decref(req);
    return res;
}

static void must(ddb_store *s, const char *op, const char *text)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = call(s, op, text, &err);
    if (!res) fail_msg("%s failed: %s: %s", op, err.type, err.message);
    json_decref(res);
}

static void create_table(ddb_store *s)
{
    must(s, "CreateTable",
         "{\"TableName\": \"runtime_cc\", \"BillingMode\": \"PAY_PER_REQUEST\","
         " \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}],"
         " \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"}]}");
}

/* The counter's value, read with GetItem; -1 on error. */
static long read_counter(ddb_store *s, ddb_err *err)
{
    json_t *res = call(s, "GetItem",
                       "{\"TableName\": \"runtime_cc\", \"ConsistentRead\": true,"
                       " \"Key\": {\"pk\": {\"S\": \"ctr\"}}}",
                       err);
    if (!res) return -1;
    const char *n =
        json_string_value(json_object_get(json_object_get(json_object_get(res, "Item"), "n"), "N"));
    long v = n ? atol(n) : -1;
    json_decref(res);
    return v;
}

typedef struct worker {
    ddb_store *s;
    int id;
    bool use_add;
    long errors;  /* unexpected failures */
    long retries; /* condition failures, retried */
    char last_error[1200];
} worker;

static void note_error(worker *w, const ddb_err *err)
{
    w->errors++;
    snprintf(w->last_error, sizeof w->last_error, "%s: %s", err->type, err->message);
}

/* INCREMENTS increments, each read-modify-write guarded by a condition. */
static void *increment_main(void *arg)
{
    worker *w = arg;
    for (int done = 0; done < INCREMENTS && w->errors < 10;) {
        ddb_err err = DDB_ERR_INIT;
        json_t *res;
        if (w->use_add) {
            res = call(w->s, "UpdateItem",
                       "{\"TableName\": \"runtime_cc\", \"Key\": {\"pk\": {\"S\": \"ctr\"}},"
                       " \"UpdateExpression\": \"ADD n :one\","
                       " \"ExpressionAttributeValues\": {\":one\": {\"N\": \"1\"}}}",
                       &err);
        } else {
            long cur = read_counter(w->s, &err);
            if (cur < 0) {
                note_error(w, &err);
                ddb_err_clear(&err);
                continue;
            }
            char req[512];
            snprintf(req, sizeof req,
                     "{\"TableName\": \"runtime_cc\", \"Key\": {\"pk\": {\"S\": \"ctr\"}},"
                     " \"UpdateExpression\": \"SET n = n + :one\","
                     " \"ConditionExpression\": \"n = :expected\","
                     " \"ExpressionAttributeValues\": {\":one\": {\"N\": \"1\"},"
                     " \":expected\": {\"N\": \"%ld\"}}}",
                     cur);
            res = call(w->s, "UpdateItem", req, &err);
        }
        if (res) {
            done++;
        } else if (err.code == DDB_E_CONDITION) {
            w->retries++;
        } else {
            note_error(w, &err);
        }
        json_decref(res);
        ddb_err_clear(&err);
    }
    return NULL;
}

static void run_increments(ddb_store *s, bool use_add)
{
    create_table(s);
    must(s, "PutItem",
         "{\"TableName\": \"runtime_cc\", \"Item\": {\"pk\": {\"S\": \"ctr\"}, \"n\": {\"N\": "
         "\"0\"}}}");
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.s = s, .id = i, .use_add = use_add};
        pthread_create(&th[i], NULL, increment_main, &w[i]);
    }
    long retries = 0;
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        if (w[i].errors)
            fail_msg("worker %d: %ld errors, last: %s", i, w[i].errors, w[i].last_error);
        retries += w[i].retries;
    }
    ddb_err err = DDB_ERR_INIT;
    assert_int_equal(read_counter(s, &err), THREADS * INCREMENTS);
    if (!use_add) print_message("    %ld condition failures retried\n", retries);
}

static void test_conditional_increments(void **state)
{
    run_increments(((fixture *)*state)->store, false);
}

static void test_add_increments(void **state)
{
    run_increments(((fixture *)*state)->store, true);
}

typedef struct putter {
    ddb_store *s;
    int id;
    int n;
    long errors;
    char last_error[1200];
} putter;

static void *put_main(void *arg)
{
    putter *p = arg;
    for (int i = 0; i < p->n; i++) {
        char req[512];
        snprintf(req, sizeof req,
                 "{\"TableName\": \"runtime_cc\", \"Item\": {\"pk\": {\"S\": \"t%d-%d\"},"
                 " \"body\": {\"S\": \"item %d of thread %d\"}, \"i\": {\"N\": \"%d\"}}}",
                 p->id, i, i, p->id, i);
        ddb_err err = DDB_ERR_INIT;
        json_t *res = call(p->s, "PutItem", req, &err);
        if (!res) {
            p->errors++;
            snprintf(p->last_error, sizeof p->last_error, "%s: %s", err.type, err.message);
        }
        json_decref(res);
        ddb_err_clear(&err);
    }
    return NULL;
}

typedef struct reader {
    ddb_store *s;
    atomic_bool *stop;
    long reads;
    long errors;
    char last_error[1200];
} reader;

/* Reads while the writers write: must never fail (memdb takes turns). */
static void *read_main(void *arg)
{
    reader *r = arg;
    while (!atomic_load(r->stop)) {
        ddb_err err = DDB_ERR_INIT;
        json_t *res =
            call(r->s, r->reads % 2 ? "DescribeTable" : "GetItem",
                 "{\"TableName\": \"runtime_cc\", \"Key\": {\"pk\": {\"S\": \"t0-0\"}}}", &err);
        if (!res) {
            r->errors++;
            snprintf(r->last_error, sizeof r->last_error, "%s: %s", err.type, err.message);
        }
        r->reads++;
        json_decref(res);
        ddb_err_clear(&err);
    }
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Puts n_threads x per_thread distinct items (with two readers running)
   and checks every one of them; returns the put rate. Odd threads write
   through `alt` when it is not NULL (a second store on the same files). */
static double run_puts(ddb_store *s, ddb_store *alt, int n_threads, int per_thread, int first_id)
{
    pthread_t th[THREADS], rth[2];
    putter p[THREADS];
    reader r[2];
    atomic_bool stop = false;
    for (int i = 0; i < 2; i++) {
        r[i] = (reader){.s = s, .stop = &stop};
        pthread_create(&rth[i], NULL, read_main, &r[i]);
    }
    double t0 = now_s();
    for (int i = 0; i < n_threads; i++) {
        p[i] = (putter){.s = alt && i % 2 ? alt : s, .id = first_id + i, .n = per_thread};
        pthread_create(&th[i], NULL, put_main, &p[i]);
    }
    for (int i = 0; i < n_threads; i++)
        pthread_join(th[i], NULL);
    double secs = now_s() - t0;
    atomic_store(&stop, true);
    for (int i = 0; i < 2; i++) {
        pthread_join(rth[i], NULL);
        if (r[i].errors) fail_msg("reader: %ld errors, last: %s", r[i].errors, r[i].last_error);
        assert_true(r[i].reads > 0);
    }
    for (int i = 0; i < n_threads; i++)
        if (p[i].errors) fail_msg("putter: %ld errors, last: %s", p[i].errors, p[i].last_error);

    for (int i = 0; i < n_threads; i++) {
        for (int j = 0; j < per_thread; j++) {
            char req[256], body[64];
            snprintf(req, sizeof req,
                     "{\"TableName\": \"runtime_cc\", \"Key\": {\"pk\": {\"S\": \"t%d-%d\"}}}",
                     first_id + i, j);
            ddb_err err = DDB_ERR_INIT;
            json_t *res = call(s, "GetItem", req, &err);
            if (!res) fail_msg("GetItem: %s", err.message);
            snprintf(body, sizeof body, "item %d of thread %d", j, first_id + i);
            const char *got = json_string_value(
                json_object_get(json_object_get(json_object_get(res, "Item"), "body"), "S"));
            if (!got || strcmp(got, body) != 0) fail_msg("item t%d-%d missing", first_id + i, j);
            json_decref(res);
        }
    }
    return n_threads * per_thread / secs;
}

static long item_count(ddb_store *s)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = call(s, "DescribeTable", "{\"TableName\": \"runtime_cc\"}", &err);
    if (!res) fail_msg("DescribeTable: %s", err.message);
    long n = (long)json_integer_value(json_object_get(json_object_get(res, "Table"), "ItemCount"));
    json_decref(res);
    return n;
}

static void test_concurrent_puts(void **state)
{
    ddb_store *s = ((fixture *)*state)->store;
    create_table(s);
    run_puts(s, NULL, THREADS, PUTS, 0);
    assert_int_equal(item_count(s), THREADS * PUTS);
}

/* Two stores on one directory (as two processes would be): their writers
   take turns on the database's write lock and nothing is lost. */
static void test_two_stores_one_dir(void **state)
{
    fixture *f = *state;
    ddb_embedded_options opt = {.dir = f->dir, .no_fsync = true, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *other = ddb_embedded_open(&opt, &err);
    if (!other) fail_msg("open: %s", err.message);
    create_table(f->store);
    run_puts(f->store, other, THREADS, PUTS / 2, 0);
    assert_int_equal(item_count(other), THREADS * PUTS / 2);
    ddb_store_close(other);
}

/* Durable writes: one writer pays one fsync per put; eight writers share
   each fsync. Prints both rates. */
static void test_durable_group_commit(void **state)
{
    ddb_store *s = ((fixture *)*state)->store;
    create_table(s);
    double one = run_puts(s, NULL, 1, PUTS, 100);
    double many = run_puts(s, NULL, THREADS, PUTS, 200);
    print_message("    durable puts: 1 thread %.0f/s, %d threads %.0f/s (x%.1f)\n", one, THREADS,
                  many, many / one);
    assert_int_equal(item_count(s), PUTS + THREADS * PUTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_conditional_increments, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_conditional_increments, setup_disk_fast, teardown),
        cmocka_unit_test_setup_teardown(test_add_increments, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_add_increments, setup_disk_fast, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_puts, setup_mem, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_puts, setup_disk_fast, teardown),
        cmocka_unit_test_setup_teardown(test_two_stores_one_dir, setup_disk_fast, teardown),
        cmocka_unit_test_setup_teardown(test_durable_group_commit, setup_disk_durable, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
