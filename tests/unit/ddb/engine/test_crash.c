/*
 * test_engine_crash: an acknowledged write survives a crash and no write
 * is ever half done. A child process opens a durable store and writes as
 * fast as it can from several threads (PutItem, and TransactWriteItems of
 * two items), reporting each acknowledged key on a pipe once ddb_call has
 * returned. The parent kills it with SIGKILL at a random moment, reopens
 * the store and checks: every acknowledged item is there with its full
 * content; every item present (acknowledged or not) is complete, carries
 * a matching checksum attribute and has both halves of its transaction;
 * the GSI holds exactly the items that have its key; DescribeTable's count
 * matches. Repeated over several rounds on one data directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"

#define ROUNDS 10
#define CHILD_THREADS 4
#define TABLE "runtime_crash"

/* ---- the items: fully determined by their key ---- */

static uint32_t key_hash(const char *k)
{
    return (uint32_t)crc32(0L, (const Bytef *)k, (uInt)strlen(k));
}

/* The checksum of an item without its "ck" attribute. */
static char *item_checksum(const json_t *item)
{
    json_t *copy = json_copy((json_t *)item);
    json_object_del(copy, "ck");
    char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    char *out = malloc(16);
    snprintf(out, 16, "%lu", crc32(0L, (const Bytef *)text, (uInt)strlen(text)));
    free(text);
    return out;
}

/* The item a key stands for, checksum included. */
static json_t *expected_item(const char *key)
{
    uint32_t h = key_hash(key);
    size_t len = 50 + h % 2000, klen = strlen(key);
    char *body = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        body[i] = key[i % klen];
    body[len] = '\0';
    char num[16];
    snprintf(num, sizeof num, "%u", h % 100000);
    json_t *item = json_pack("{s:{s:s},s:{s:s},s:{s:s},s:{s:[{s:s},{s:s}]}}", "pk", "S", key,
                             "body", "S", body, "n", "N", num, "l", "L", "S", key, "N", "1");
    if (h % 5 != 0) {
        char g[8];
        snprintf(g, sizeof g, "g%u", h % 7);
        json_object_set_new(item, "g", json_pack("{s:s}", "S", g));
    }
    char *ck = item_checksum(item);
    json_object_set_new(item, "ck", json_pack("{s:s}", "N", ck));
    free(ck);
    free(body);
    return item;
}

/* ---- the child ---- */

typedef struct child_ctx {
    ddb_store *store;
    int round;
    int thread;
    int ack_fd;
    bool txn; /* TransactWriteItems works here */
} child_ctx;

static void ack(int fd, const char *key)
{
    char line[128];
    int n = snprintf(line, sizeof line, "%s\n", key);
    if (write(fd, line, (size_t)n) != n) _exit(3);
}

static bool child_put(ddb_store *s, const char *key)
{
    json_t *req = json_pack("{s:s,s:o}", "TableName", TABLE, "Item", expected_item(key));
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, "PutItem", req, &err);
    json_decref(req);
    json_decref(res);
    ddb_err_clear(&err);
    return res != NULL;
}

static bool child_txn(ddb_store *s, const char *ka, const char *kb)
{
    json_t *req =
        json_pack("{s:[{s:{s:s,s:o}},{s:{s:s,s:o}}]}", "TransactItems", "Put", "TableName", TABLE,
                  "Item", expected_item(ka), "Put", "TableName", TABLE, "Item", expected_item(kb));
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, "TransactWriteItems", req, &err);
    json_decref(req);
    json_decref(res);
    ddb_err_clear(&err);
    return res != NULL;
}

static void *child_writer(void *arg)
{
    child_ctx *c = arg;
    for (long i = 0;; i++) {
        char key[64], kb[64];
        if (c->txn && i % 10 == 9) {
            snprintf(key, sizeof key, "r%d-x%d-%ld-a", c->round, c->thread, i);
            snprintf(kb, sizeof kb, "r%d-x%d-%ld-b", c->round, c->thread, i);
            if (!child_txn(c->store, key, kb)) _exit(4);
            ack(c->ack_fd, key);
            ack(c->ack_fd, kb);
        } else {
            snprintf(key, sizeof key, "r%d-t%d-%ld", c->round, c->thread, i);
            if (!child_put(c->store, key)) _exit(4);
            ack(c->ack_fd, key);
        }
    }
    return NULL;
}

/* Whether TransactWriteItems is implemented (a harmless probe). */
static bool txn_available(ddb_store *s, int round)
{
    char ka[32], kb[32];
    snprintf(ka, sizeof ka, "r%d-probe-a", round);
    snprintf(kb, sizeof kb, "r%d-probe-b", round);
    return child_txn(s, ka, kb);
}

static void child_main(const char *dir, int round, int ack_fd)
{
    ddb_embedded_options opt = {.dir = dir, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = ddb_embedded_open(&opt, &err);
    if (!s) _exit(2);
    json_t *req =
        json_pack("{s:s,s:s,s:[{s:s,s:s}],s:[{s:s,s:s},{s:s,s:s}],s:[{s:s,s:[{s:s,s:s}],s:{s:s}}]}",
                  "TableName", TABLE, "BillingMode", "PAY_PER_REQUEST", "KeySchema",
                  "AttributeName", "pk", "KeyType", "HASH", "AttributeDefinitions", "AttributeName",
                  "pk", "AttributeType", "S", "AttributeName", "g", "AttributeType", "S",
                  "GlobalSecondaryIndexes", "IndexName", "by_g", "KeySchema", "AttributeName", "g",
                  "KeyType", "HASH", "Projection", "ProjectionType", "ALL");
    json_t *res = ddb_call(s, "CreateTable", req, &err); /* exists after round 1 */
    json_decref(res);
    json_decref(req);
    ddb_err_clear(&err);
    bool txn = txn_available(s, round);
    if (write(ack_fd, txn ? "TXN\n" : "NOTXN\n", txn ? 4 : 6) < 0) _exit(3);

    pthread_t th[CHILD_THREADS];
    child_ctx ctx[CHILD_THREADS];
    for (int i = 0; i < CHILD_THREADS; i++) {
        ctx[i] = (child_ctx){s, round, i, ack_fd, txn};
        pthread_create(&th[i], NULL, child_writer, &ctx[i]);
    }
    for (int i = 0; i < CHILD_THREADS; i++)
        pthread_join(th[i], NULL);
    _exit(0);
}

/* ---- the parent ---- */

typedef struct acks {
    char *data;
    size_t len, cap;
} acks;

/* Appends whatever the child wrote; false at end of file. */
static bool acks_read(int fd, acks *a)
{
    if (a->cap - a->len < 4096) {
        a->cap = a->cap * 2 + 8192;
        a->data = realloc(a->data, a->cap);
    }
    ssize_t n = read(fd, a->data + a->len, a->cap - a->len - 1);
    if (n <= 0) return false;
    a->len += (size_t)n;
    a->data[a->len] = '\0';
    return true;
}

/* Runs a child for `ms` milliseconds, kills it and returns its acks. */
static void run_child(const char *dir, int round, int ms, acks *a)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_main(dir, round, fds[1]);
    }
    close(fds[1]);
    /* The kill timer starts once the child has its table (its first line):
       on a loaded machine opening the store can take longer than the whole
       run, and a child killed before CreateTable leaves nothing to check. */
    while (!memchr(a->data ? a->data : "", '\n', a->len) && acks_read(fds[0], a)) {
    }
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0) break;
        struct pollfd p = {fds[0], POLLIN, 0};
        if (poll(&p, 1, (int)left) > 0 && !acks_read(fds[0], a)) break;
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    while (acks_read(fds[0], a)) {
    }
    close(fds[0]);
    /* Killed by us, not dead of its own accord. */
    if (!WIFSIGNALED(status)) fail_msg("child exited with %d", WEXITSTATUS(status));
}

static json_t *call_ok(ddb_store *s, const char *op, json_t *req)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, op, req, &err);
    if (!res) fail_msg("%s: %s: %s", op, err.type, err.message);
    json_decref(req);
    return res;
}

/* Every item of the table or of one index, all pages. */
static json_t *scan_all(ddb_store *s, const char *index)
{
    json_t *all = json_array();
    json_t *start = NULL;
    do {
        json_t *req = json_pack("{s:s}", "TableName", TABLE);
        if (index) json_object_set_new(req, "IndexName", json_string(index));
        if (start) json_object_set_new(req, "ExclusiveStartKey", start);
        json_t *res = call_ok(s, "Scan", req);
        json_array_extend(all, json_object_get(res, "Items"));
        start = json_incref(json_object_get(res, "LastEvaluatedKey"));
        json_decref(res);
    } while (start);
    return all;
}

static const char *pk_of(const json_t *item)
{
    return json_string_value(json_object_get(json_object_get(item, "pk"), "S"));
}

/* Checks the whole store after a crash; returns the number of items. */
static size_t verify(const char *dir, const acks *a, bool *txn_seen)
{
    ddb_embedded_options opt = {.dir = dir, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = ddb_embedded_open(&opt, &err);
    if (!s) fail_msg("reopen: %s", err.message);

    /* 1. Every acknowledged item, complete. */
    char *copy = strndup(a->data ? a->data : "", a->len);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strcmp(line, "TXN")) *txn_seen = true;
        if (line[0] != 'r') continue;
        json_t *res =
            call_ok(s, "GetItem",
                    json_pack("{s:s,s:{s:{s:s}}}", "TableName", TABLE, "Key", "pk", "S", line));
        json_t *want = expected_item(line);
        if (!json_equal(json_object_get(res, "Item"), want))
            fail_msg("acknowledged item %s lost or damaged", line);
        json_decref(want);
        json_decref(res);
    }
    free(copy);

    /* 2. Every stored item, acknowledged or not, whole and checksummed;
          transactions whole. */
    json_t *items = scan_all(s, NULL);
    json_t *by_key = json_object();
    size_t with_g = 0, i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *pk = pk_of(it);
        json_t *want = expected_item(pk);
        char *ck = item_checksum(it);
        const char *stored_ck = json_string_value(json_object_get(json_object_get(it, "ck"), "N"));
        if (!stored_ck || strcmp(ck, stored_ck) != 0 || !json_equal(it, want))
            fail_msg("item %s is partially written", pk);
        free(ck);
        json_decref(want);
        if (json_object_get(it, "g")) with_g++;
        json_object_set(by_key, pk, it);
    }
    json_array_foreach(items, i, it)
    {
        const char *pk = pk_of(it);
        size_t n = strlen(pk);
        if (n > 2 && pk[n - 2] == '-' && (pk[n - 1] == 'a' || pk[n - 1] == 'b')) {
            char other[64];
            snprintf(other, sizeof other, "%.*s-%c", (int)(n - 2), pk,
                     pk[n - 1] == 'a' ? 'b' : 'a');
            if (!json_object_get(by_key, other))
                fail_msg("transaction half-applied: %s without %s", pk, other);
        }
    }

    /* 3. The index holds exactly the items with its key, as stored. */
    json_t *indexed = scan_all(s, "by_g");
    assert_int_equal(json_array_size(indexed), with_g);
    json_array_foreach(indexed, i, it)
    {
        if (!json_equal(it, json_object_get(by_key, pk_of(it))))
            fail_msg("index entry of %s does not match the item", pk_of(it));
    }

    /* 4. The table's counter agrees. */
    json_t *res = call_ok(s, "DescribeTable", json_pack("{s:s}", "TableName", TABLE));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(res, "Table"), "ItemCount")),
        json_array_size(items));
    json_decref(res);

    size_t n = json_array_size(items);
    json_decref(indexed);
    json_decref(by_key);
    json_decref(items);
    ddb_store_close(s);
    return n;
}

static void test_crash_rounds(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    print_message("    seed %u\n", seed);
    bool txn_seen = false;
    size_t total_acks = 0, items = 0;
    for (int round = 1; round <= ROUNDS; round++) {
        acks a = {0};
        int ms = 1;
        run_child(dir, round, ms, &a);
        for (size_t i = 0; i < a.len; i++)
            total_acks += a.data[i] == '\n';
        items = verify(dir, &a, &txn_seen);
        free(a.data);
    }
    print_message("    %d rounds, %zu acknowledged writes, %zu items at the end%s\n", ROUNDS,
                  total_acks, items, txn_seen ? ", with transactions" : ", NO transactions");
    assert_true(items > 0);
    tu_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
