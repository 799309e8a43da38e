/*
 * Unit tests for the table lookup memo (table_cache.c, eng_table_memo in
 * conn.c): inside one read transaction a second lookup of the same table
 * does not read the tables row again; outside one, or in the next one,
 * every lookup does, so a table dropped and created again between two
 * reads is seen as the new table. The row reads are counted with SQLite's
 * own counter of the lookup statement's runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"
#include "ddb/engine/engine_int.h"
#include "testutil.h"

#define LOOKUP_SQL "SELECT tid, version FROM tables WHERE name = ?1"

static void call(ddb_store *s, const char *op, const char *req)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *r = tu_json(req);
    json_t *res = ddb_call(s, op, r, &err);
    json_decref(r);
    if (!res) fail_msg("%s failed: %s: %s", op, err.type, err.message);
    json_decref(res);
}

static void create(ddb_store *s, const char *name)
{
    char req[512];
    snprintf(req, sizeof req,
             "{\"TableName\":\"%s\",\"BillingMode\":\"PAY_PER_REQUEST\","
             "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
             "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]}",
             name);
    call(s, "CreateTable", req);
}

/* How many times the connection has run the lookup statement. */
static int lookups(eng_conn *c)
{
    sqlite3_stmt *st = eng_stmt(c, LOOKUP_SQL, NULL);
    assert_non_null(st);
    return sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 0);
}

typedef struct probe {
    const char *names[3]; /* looked up in this order */
    int runs;             /* lookup statement runs they took */
    int64_t tid;          /* of the last one */
} probe;

static void acquire_all(eng *e, eng_conn *c, probe *p)
{
    int before = lookups(c);
    for (int i = 0; i < 3 && p->names[i]; i++) {
        ddb_err err = DDB_ERR_INIT;
        const ddb_table *t = eng_table_acquire(e, c, p->names[i], &err);
        if (!t) fail_msg("acquire %s: %s", p->names[i], err.message);
        p->tid = t->tid;
        eng_table_release(e, t);
    }
    p->runs = lookups(c) - before;
}

static json_t *in_snapshot(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    (void)err;
    acquire_all(e, c, arg);
    return json_object();
}

static void read_probe(eng *e, probe *p)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = eng_read(e, in_snapshot, p, &err);
    if (!res) fail_msg("eng_read: %s", err.message);
    json_decref(res);
}

static void test_memo(void **state)
{
    (void)state;
    ddb_embedded_options opt = {.in_memory = true, .no_background = true};
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = ddb_embedded_open(&opt, &err);
    if (!s) fail_msg("open: %s", err.message);
    eng *e = (eng *)s; /* the store pointer is the engine pointer */
    create(s, "memo-a");
    create(s, "memo-b");

    /* one read transaction: the repeat of a table costs nothing */
    probe p = {{"memo-a", "memo-a", NULL}, 0, 0};
    read_probe(e, &p);
    assert_int_equal(p.runs, 1);
    int64_t first_tid = p.tid;
    /* the memo holds the last table only */
    p = (probe){{"memo-a", "memo-b", "memo-a"}, 0, 0};
    read_probe(e, &p);
    assert_int_equal(p.runs, 3);

    /* outside a read transaction every lookup reads the row */
    eng_conn *c = eng_conn_get(e, &err);
    assert_non_null(c);
    p = (probe){{"memo-a", "memo-a", NULL}, 0, 0};
    acquire_all(e, c, &p);
    assert_int_equal(p.runs, 2);

    /* the next read transaction asks again, and sees a table made anew */
    p = (probe){{"memo-a", NULL, NULL}, 0, 0};
    read_probe(e, &p);
    assert_int_equal(p.runs, 1);
    call(s, "DeleteTable", "{\"TableName\":\"memo-a\"}");
    create(s, "memo-a");
    p = (probe){{"memo-a", NULL, NULL}, 0, 0};
    read_probe(e, &p);
    assert_int_equal(p.runs, 1);
    assert_true(p.tid != first_tid);

    ddb_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
