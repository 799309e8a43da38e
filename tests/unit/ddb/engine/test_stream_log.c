/*
 * Unit tests for the write side of streams (stream_log.c): the record each
 * item change appends for every StreamViewType, none for failed conditions
 * or no-op deletes, TTL deletions marked as the service's, trimming, and the
 * assert that keeps changes on the write batch's connection.
 * Records are read back over a second SQLite connection to an on-disk
 * store, so the stored format itself is what is checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/clock.h"
#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"
#include "ddb/engine/engine_int.h"
#include "ddb/model/value.h"
#include "testutil.h"

/* A JSON literal with ' for ". */
static json_t *J(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    json_t *j = tu_json(s);
    free(s);
    return j;
}

/* Runs an operation; returns whether it succeeded (and its error type). */
static bool call(ddb_store *s, const char *op, const char *req, char type[96])
{
    ddb_err err = DDB_ERR_INIT;
    json_t *r = J(req);
    json_t *res = ddb_call(s, op, r, &err);
    json_decref(r);
    if (type) snprintf(type, 96, "%s", err.type);
    if (!res && !type) fail_msg("%s failed: %s: %s", op, err.type, err.message);
    ddb_err_clear(&err);
    json_decref(res);
    return res != NULL;
}

typedef struct fixture {
    ddb_store *s;
    char *dir;
    sqlite3 *db; /* read-only side connection */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_tmpdir();
    ddb_embedded_options opt = {
        .dir = f->dir, .no_fsync = true, .no_background = true, .region = "eu-west-3"};
    ddb_err err = DDB_ERR_INIT;
    f->s = ddb_embedded_open(&opt, &err);
    if (!f->s) fail_msg("open: %s", err.message);
    char path[512];
    snprintf(path, sizeof path, "%s/ddb.sqlite", f->dir);
    assert_int_equal(sqlite3_open_v2(path, &f->db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(f->db, 5000);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sqlite3_close(f->db);
    ddb_store_close(f->s);
    tu_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void create_table(ddb_store *s, const char *name, const char *view)
{
    char req[1024];
    snprintf(req, sizeof req,
             "{'TableName': '%s', 'BillingMode': 'PAY_PER_REQUEST',"
             " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
             "   {'AttributeName': 'sk', 'KeyType': 'RANGE'}],"
             " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
             "   {'AttributeName': 'sk', 'AttributeType': 'N'}],"
             " 'StreamSpecification': {'StreamEnabled': true, 'StreamViewType': '%s'}}",
             name, view);
    call(s, "CreateTable", req, NULL);
}

/* The records of a table's streams, oldest first (new reference: an array). */
static json_t *records(sqlite3 *db, const char *table)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT r.record FROM stream_records r JOIN streams s"
                                        " ON s.sid = r.sid WHERE s.table_name = ?1 ORDER BY r.seq",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    json_t *out = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(out, tu_json((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    return out;
}

#define ITEM1 "{'pk': {'S': 'a'}, 'sk': {'N': '1'}, 'v': {'S': 'one'}}"
#define ITEM2 "{'pk': {'S': 'a'}, 'sk': {'N': '1'}, 'v': {'S': 'two'}}"
#define KEY "{'pk': {'S': 'a'}, 'sk': {'N': '1'}}"

/* The sequence of changes every view type is checked with. */
static void run_changes(ddb_store *s, const char *table)
{
    char req[512], type[96];
    snprintf(req, sizeof req, "{'TableName': '%s', 'Item': " ITEM1 "}", table);
    call(s, "PutItem", req, NULL); /* INSERT */
    call(s, "PutItem", req, NULL); /* nothing: an identical item changes no data */
    snprintf(req, sizeof req,
             "{'TableName': '%s', 'Item': " ITEM2 ", 'ConditionExpression': "
             "'attribute_not_exists(pk)'}",
             table);
    assert_false(call(s, "PutItem", req, type)); /* nothing */
    assert_string_equal(type, "ConditionalCheckFailedException");
    snprintf(req, sizeof req,
             "{'TableName': '%s', 'Key': " KEY ", 'UpdateExpression': 'SET v = :v',"
             " 'ExpressionAttributeValues': {':v': {'S': 'two'}}}",
             table);
    call(s, "UpdateItem", req, NULL); /* MODIFY */
    call(s, "UpdateItem", req, NULL); /* nothing: the same value again */
    snprintf(req, sizeof req, "{'TableName': '%s', 'Key': " KEY "}", table);
    call(s, "DeleteItem", req, NULL); /* REMOVE */
    call(s, "DeleteItem", req, NULL); /* nothing */
}

static void check_view(fixture *f, const char *table, const char *view)
{
    create_table(f->s, table, view);
    int64_t before = clock_now_us() / 1000000;
    run_changes(f->s, table);
    json_t *recs = records(f->db, table);
    assert_int_equal(json_array_size(recs), 3);

    bool want_new = !strcmp(view, "NEW_IMAGE") || !strcmp(view, "NEW_AND_OLD_IMAGES");
    bool want_old = !strcmp(view, "OLD_IMAGE") || !strcmp(view, "NEW_AND_OLD_IMAGES");
    static const char *names[] = {"INSERT", "MODIFY", "REMOVE"};
    /* old/new image of each change: 0 none, 1 ITEM1, 2 ITEM2 */
    static const int olds[] = {0, 1, 2}, news[] = {1, 2, 0};
    json_t *items[3] = {NULL, J(ITEM1), J(ITEM2)};
    json_t *keys = J(KEY);
    for (size_t i = 0; i < 3; i++) {
        json_t *r = json_array_get(recs, i);
        assert_string_equal(json_string_value(json_object_get(r, "eventName")), names[i]);
        assert_string_equal(json_string_value(json_object_get(r, "eventVersion")), "1.1");
        assert_string_equal(json_string_value(json_object_get(r, "eventSource")), "aws:dynamodb");
        assert_string_equal(json_string_value(json_object_get(r, "awsRegion")), "eu-west-3");
        assert_null(json_object_get(r, "eventID"));
        assert_null(json_object_get(r, "userIdentity"));
        json_t *d = json_object_get(r, "dynamodb");
        assert_null(json_object_get(d, "SequenceNumber"));
        assert_string_equal(json_string_value(json_object_get(d, "StreamViewType")), view);
        json_int_t when = json_integer_value(json_object_get(d, "ApproximateCreationDateTime"));
        assert_true(when >= before && when <= before + 60);
        assert_true(json_equal(json_object_get(d, "Keys"), keys));
        size_t size = ddb_item_size(keys);
        json_t *ni = json_object_get(d, "NewImage"), *oi = json_object_get(d, "OldImage");
        if (want_new && news[i]) {
            assert_true(json_equal(ni, items[news[i]]));
            size += ddb_item_size(ni);
        } else {
            assert_null(ni);
        }
        if (want_old && olds[i]) {
            assert_true(json_equal(oi, items[olds[i]]));
            size += ddb_item_size(oi);
        } else {
            assert_null(oi);
        }
        assert_int_equal(json_integer_value(json_object_get(d, "SizeBytes")), size);
    }
    json_decref(items[1]);
    json_decref(items[2]);
    json_decref(keys);
    json_decref(recs);
}

static void test_keys_only(void **state)
{
    check_view(*state, "s_keys", "KEYS_ONLY");
}

static void test_new_image(void **state)
{
    check_view(*state, "s_new", "NEW_IMAGE");
}

static void test_old_image(void **state)
{
    check_view(*state, "s_old", "OLD_IMAGE");
}

static void test_new_and_old(void **state)
{
    check_view(*state, "s_both", "NEW_AND_OLD_IMAGES");
}

static void test_no_stream_no_records(void **state)
{
    fixture *f = *state;
    call(f->s, "CreateTable",
         "{'TableName': 'plain', 'BillingMode': 'PAY_PER_REQUEST',"
         " 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'},"
         "   {'AttributeName': 'sk', 'KeyType': 'RANGE'}],"
         " 'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'},"
         "   {'AttributeName': 'sk', 'AttributeType': 'N'}]}",
         NULL);
    run_changes(f->s, "plain");
    json_t *recs = records(f->db, "plain");
    assert_int_equal(json_array_size(recs), 0);
    json_decref(recs);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(f->db, "SELECT count(*) FROM stream_records", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
}

static void test_ttl_delete_is_service(void **state)
{
    fixture *f = *state;
    create_table(f->s, "s_ttl", "KEYS_ONLY");
    call(f->s, "UpdateTimeToLive",
         "{'TableName': 's_ttl', 'TimeToLiveSpecification': {'Enabled': true,"
         " 'AttributeName': 'exp'}}",
         NULL);
    call(f->s, "PutItem",
         "{'TableName': 's_ttl', 'Item': {'pk': {'S': 'a'}, 'sk': {'N': '1'}, 'exp': {'N': "
         "'1000'}}}",
         NULL);
    ddb_err err = DDB_ERR_INIT;
    assert_int_equal(ddb_embedded_sweep_ttl(f->s, 2000, &err), 1);
    json_t *recs = records(f->db, "s_ttl");
    assert_int_equal(json_array_size(recs), 2);
    json_t *r = json_array_get(recs, 1);
    assert_string_equal(json_string_value(json_object_get(r, "eventName")), "REMOVE");
    tu_assert_json_eq(json_object_get(r, "userIdentity"),
                      "{\"Type\": \"Service\", \"PrincipalId\": \"dynamodb.amazonaws.com\"}");
    assert_null(json_object_get(json_array_get(recs, 0), "userIdentity"));
    json_decref(recs);
}

/* Trims as if `ahead_us` had passed, on the writer thread. */
static json_t *trim_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    int64_t now = clock_now_us() + *(int64_t *)arg;
    return eng_stream_trim(e, c, now, err) ? json_object() : NULL;
}

static void test_trim(void **state)
{
    fixture *f = *state;
    create_table(f->s, "s_trim", "NEW_IMAGE");
    run_changes(f->s, "s_trim");
    eng *e = (eng *)f->s; /* the store is the engine's first member */
    ddb_err err = DDB_ERR_INIT;
    int64_t ahead = 3600LL * 1000000; /* an hour later: everything stays */
    json_decref(eng_write(e, trim_fn, &ahead, &err));
    json_t *recs = records(f->db, "s_trim");
    assert_int_equal(json_array_size(recs), 3);
    json_decref(recs);
    ahead = ENG_STREAM_RETENTION_US + 60LL * 1000000; /* a day and a minute later: all gone */
    json_t *res = eng_write(e, trim_fn, &ahead, &err);
    assert_non_null(res);
    json_decref(res);
    recs = records(f->db, "s_trim");
    assert_int_equal(json_array_size(recs), 0);
    json_decref(recs);
}

/*
 * The functions that change the database assert that they run on the
 * connection of the write batch (eng_conn_in_batch), and asserts are on
 * in the test build: a trim from inside a read, not a write, aborts. Run
 * in a child process, which the abort ends.
 */
static void test_change_outside_batch_asserts(void **state)
{
    fixture *f = *state;
    eng *e = (eng *)f->s;
    int64_t ahead = 0;
    ddb_err err = DDB_ERR_INIT;
    json_decref(eng_write(e, trim_fn, &ahead, &err)); /* on the batch: fine */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        json_t *res = eng_read(e, trim_fn, &ahead, &err);
        (void)res;
        _exit(0); /* not reached when the assert holds */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_disable_stops_records(void **state)
{
    fixture *f = *state;
    create_table(f->s, "s_off", "KEYS_ONLY");
    call(f->s, "PutItem", "{'TableName': 's_off', 'Item': " ITEM1 "}", NULL);
    call(f->s, "UpdateTable",
         "{'TableName': 's_off', 'StreamSpecification': {'StreamEnabled': false}}", NULL);
    call(f->s, "PutItem", "{'TableName': 's_off', 'Item': " ITEM2 "}", NULL);
    json_t *recs = records(f->db, "s_off");
    assert_int_equal(json_array_size(recs), 1);
    json_decref(recs);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(f->db,
                                        "SELECT count(*) FROM streams WHERE table_name = 's_off'"
                                        " AND disabled_us IS NOT NULL",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_and_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_stream_no_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_delete_is_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_stops_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_outside_batch_asserts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
