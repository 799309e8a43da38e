/*
 * bench_engine: throughput of the embedded engine through the store
 * interface, on the access patterns cruddur uses: PutItem of a message,
 * GetItem by key, the 20-item reverse Query of a conversation, and the
 * GSI Query of a group; and the same read by key as a PartiQL SELECT
 * (ExecuteStatement with parameters), whose cost over GetItem is the
 * PartiQL layer's. Durable (fsync) and in-memory modes.
 *
 *   bench_engine [--threads N] [--ops N] [--in-memory] [--dir DIR] [--no-fsync]
 *
 * Prints one line per phase: "<mode> <phase> threads=N ops=N secs=S ops/s=R".
 * Numbers are for comparison between builds and with peers (bench/run); no
 * threshold is asserted anywhere.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"

#define GROUPS 64

static ddb_store *store;
static int n_threads = 4;
static long n_ops = 20000;

typedef enum { PH_PUT, PH_GET, PH_QUERY, PH_GSI, PH_PQ_GET } phase;
static const char *phase_names[] = {"put", "get", "query20", "gsi-query", "partiql-get"};

typedef struct worker {
    int id;
    phase ph;
    long done;
    long errors;
} worker;

static json_t *must_call(const char *op, json_t *req)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(store, op, req, &err);
    if (!res) {
        fprintf(stderr, "bench: %s failed: %s: %s\n", op, err.type, err.message);
        exit(1);
    }
    ddb_err_clear(&err);
    return res;
}

static void create_table(void)
{
    json_t *req = json_pack(
        "{s:s, s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}], s:[{s:s,s:s},{s:s,s:s}], s:s,"
        " s:[{s:s, s:[{s:s,s:s},{s:s,s:s}], s:{s:s}}], s:{s:b,s:s}}",
        "TableName", "bench", "AttributeDefinitions", "AttributeName", "pk", "AttributeType", "S",
        "AttributeName", "sk", "AttributeType", "S", "AttributeName", "message_group_uuid",
        "AttributeType", "S", "KeySchema", "AttributeName", "pk", "KeyType", "HASH",
        "AttributeName", "sk", "KeyType", "RANGE", "BillingMode", "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes", "IndexName", "message-group-sk-index", "KeySchema",
        "AttributeName", "message_group_uuid", "KeyType", "HASH", "AttributeName", "sk", "KeyType",
        "RANGE", "Projection", "ProjectionType", "ALL", "StreamSpecification", "StreamEnabled", 1,
        "StreamViewType", "NEW_AND_OLD_IMAGES");
    json_decref(must_call("CreateTable", req));
    json_decref(req);
}

/* One request of the phase, for operation number i of worker w. */
static void one_op(worker *w, long i)
{
    char pk[64], sk[64], grp[32];
    unsigned g = (unsigned)((i * 7919 + w->id) % GROUPS);
    snprintf(grp, sizeof grp, "group-%u", g);
    json_t *req = NULL;
    const char *op = NULL;
    switch (w->ph) {
    case PH_PUT:
        snprintf(pk, sizeof pk, "MSG#%s", grp);
        snprintf(sk, sizeof sk, "2026-01-01T00:00:00.%03d%06ld", w->id, i);
        op = "PutItem";
        req = json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}", "TableName",
                        "bench", "Item", "pk", "S", pk, "sk", "S", sk, "message_group_uuid", "S",
                        grp, "message", "S", "hello there, this is a benchmark message body",
                        "user_handle", "S", "andrewbrown");
        break;
    case PH_GET:
        snprintf(pk, sizeof pk, "MSG#group-%u", (unsigned)(i % GROUPS));
        snprintf(sk, sizeof sk, "2026-01-01T00:00:00.%03d%06ld", (int)(i % n_threads),
                 (i / n_threads) % (n_ops / n_threads));
        op = "GetItem";
        req = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "TableName", "bench", "Key", "pk", "S", pk,
                        "sk", "S", sk);
        break;
    case PH_PQ_GET:
        snprintf(pk, sizeof pk, "MSG#group-%u", (unsigned)(i % GROUPS));
        snprintf(sk, sizeof sk, "2026-01-01T00:00:00.%03d%06ld", (int)(i % n_threads),
                 (i / n_threads) % (n_ops / n_threads));
        op = "ExecuteStatement";
        req = json_pack("{s:s, s:[{s:s}, {s:s}]}", "Statement",
                        "SELECT * FROM \"bench\" WHERE pk = ? AND sk = ?", "Parameters", "S", pk,
                        "S", sk);
        break;
    case PH_QUERY:
        snprintf(pk, sizeof pk, "MSG#%s", grp);
        op = "Query";
        req = json_pack("{s:s, s:s, s:{s:{s:s}}, s:b, s:i}", "TableName", "bench",
                        "KeyConditionExpression", "pk = :pk", "ExpressionAttributeValues", ":pk",
                        "S", pk, "ScanIndexForward", 0, "Limit", 20);
        break;
    case PH_GSI:
        op = "Query";
        req = json_pack("{s:s, s:s, s:s, s:{s:{s:s}}, s:b, s:i}", "TableName", "bench", "IndexName",
                        "message-group-sk-index", "KeyConditionExpression",
                        "message_group_uuid = :g", "ExpressionAttributeValues", ":g", "S", grp,
                        "ScanIndexForward", 0, "Limit", 20);
        break;
    }
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(store, op, req, &err);
    if (!res) w->errors++;
    json_decref(res);
    json_decref(req);
    ddb_err_clear(&err);
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    long per = n_ops / n_threads;
    for (long i = 0; i < per; i++)
        one_op(w, i);
    w->done = per;
    return NULL;
}

static void run_phase(const char *mode, phase ph)
{
    pthread_t tids[256];
    worker ws[256];
    int64_t t0 = clock_mono_us();
    for (int i = 0; i < n_threads; i++) {
        ws[i] = (worker){.id = i, .ph = ph};
        pthread_create(&tids[i], NULL, run_worker, &ws[i]);
    }
    long done = 0, errors = 0;
    for (int i = 0; i < n_threads; i++) {
        pthread_join(tids[i], NULL);
        done += ws[i].done;
        errors += ws[i].errors;
    }
    double secs = (double)(clock_mono_us() - t0) / 1e6;
    printf("%s %s threads=%d ops=%ld secs=%.3f ops/s=%.0f errors=%ld\n", mode, phase_names[ph],
           n_threads, done, secs, (double)done / secs, errors);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    ddb_embedded_options opt = {.no_background = true};
    char tmpl[] = "/tmp/cruddur-bench-XXXXXX";
    const char *dir = NULL;
    const char *only = NULL; /* run the put phase (it loads the data), then only this one */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            n_threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
            n_ops = atol(argv[++i]);
        else if (!strcmp(argv[i], "--in-memory"))
            opt.in_memory = true;
        else if (!strcmp(argv[i], "--no-fsync"))
            opt.no_fsync = true;
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr,
                    "usage: bench_engine [--threads N] [--ops N] [--in-memory] "
                    "[--dir DIR] [--no-fsync] [--only put|get|query20|gsi-query|partiql-get]\n");
            return 2;
        }
    }
    if (n_threads < 1 || n_threads > 256 || n_ops < n_threads) {
        fprintf(stderr, "bench_engine: need 1..256 threads and ops >= threads\n");
        return 2;
    }
    if (!opt.in_memory && !dir) {
        if (!mkdtemp(tmpl)) return 1;
        dir = tmpl;
    }
    opt.dir = dir;
    ddb_err err = DDB_ERR_INIT;
    store = ddb_embedded_open(&opt, &err);
    if (!store) {
        fprintf(stderr, "bench_engine: open failed: %s\n", err.message);
        return 1;
    }
    const char *mode = opt.in_memory ? "in-memory" : opt.no_fsync ? "no-fsync" : "durable";
    create_table();
    run_phase(mode, PH_PUT);
    for (phase ph = PH_GET; ph <= PH_PQ_GET; ph++)
        if (!only || !strcmp(only, phase_names[ph])) run_phase(mode, ph);
    ddb_store_close(store);
    if (dir == tmpl) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
        if (system(cmd) != 0) fprintf(stderr, "bench_engine: could not remove %s\n", tmpl);
    }
    return 0;
}
