/*
 * Unit tests for the stream consumer (src/messaging/consumer.c) on an
 * embedded in-memory store: it applies the fanout from the table's real
 * stream, saves its position, resumes after a restart without applying
 * anything twice, heals a message written while no consumer ran, retries
 * a failed write without losing the record, and its thread wakes at once
 * on a change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <time.h>

#include "messaging/consumer.h"
#include "msg_fixture.h"

/* A store that fails TransactWriteItems while `fail` > 0 (injected faults). */
typedef struct flaky_store {
    ddb_store base;
    ddb_store *inner;
    int fail;
} flaky_store;

static json_t *flaky_call(ddb_store *s, const char *op, json_t *req, ddb_err *err)
{
    flaky_store *f = (flaky_store *)s;
    if (!strcmp(op, "TransactWriteItems") && f->fail > 0) {
        f->fail--;
        ddb_err_set(err, DDB_E_INTERNAL, "injected failure");
        return NULL;
    }
    return ddb_call(f->inner, op, req, err);
}

static uint64_t flaky_wait(ddb_store *s, uint64_t since, int timeout_ms)
{
    return ddb_store_wait_change(((flaky_store *)s)->inner, since, timeout_ms);
}

static uint64_t flaky_counter(ddb_store *s)
{
    return ddb_store_change_counter(((flaky_store *)s)->inner);
}

static void flaky_close(ddb_store *s) {}

static const ddb_store_ops flaky_ops = {flaky_call, flaky_wait, flaky_counter, flaky_close};

static msg_consumer *consumer(mf *f)
{
    msg_consumer *c = msg_consumer_new(f->svc, NULL);
    msg_err err = {0};
    if (!msg_consumer_ensure_table(c, &err)) fail_msg("ensure_table: %s", err.message);
    return c;
}

static long poll_ok(msg_consumer *c)
{
    msg_err err = {0};
    long n = msg_consumer_poll(c, &err);
    if (n < 0) fail_msg("msg_consumer_poll: %s", err.message);
    return n;
}

/* The message of A's group item for the conversation ("" when none). */
static char *group_message(mf *f, const char *group)
{
    char *all = mf_groups(f, group), pk[64];
    snprintf(pk, sizeof pk, "GRP#%s ", MF_A.uuid);
    char *line = strstr(all, pk), *out;
    if (!line) {
        out = strdup("");
    } else {
        char *sk_end = strchr(line + strlen(pk), ' ');
        size_t n = strcspn(sk_end + 1, "\n");
        out = strndup(sk_end + 1, n);
    }
    free(all);
    return out;
}

static void assert_group_message(mf *f, const char *group, const char *text)
{
    char *m = group_message(f, group);
    assert_string_equal(m, text);
    free(m);
    assert_int_equal(mf_owner_items(f, &MF_A, group), 1);
    assert_int_equal(mf_owner_items(f, &MF_B, group), 1);
}

static void test_poll_applies_and_saves_position(void **state)
{
    mf f;
    mf_open(&f);
    msg_consumer *c = consumer(&f);
    assert_int_equal(poll_ok(c), 0); /* an empty stream */
    char group[40];
    mf_start(&f, &MF_A, &MF_B, "first", group);
    json_decref(mf_append(&f, &MF_B, group, "second"));
    json_decref(mf_append(&f, &MF_A, group, "third"));
    assert_true(poll_ok(c) > 0);
    assert_group_message(&f, group, "third");
    msg_consumer_stats st;
    msg_consumer_get_stats(c, &st);
    assert_int_equal(st.message_records, 3);
    /* One batch: "first" and "second" are superseded by "third", so one write. */
    assert_int_equal(st.fanout_writes, 1);

    json_t *res = mf_call(f.store, "Scan", json_pack("{s:s}", "TableName", MSG_CONSUMER_TABLE));
    assert_int_equal(json_array_size(json_object_get(res, "Items")), 1);
    json_decref(res);
    msg_consumer_free(c);
    mf_close(&f);
}

static void test_resume_applies_nothing_twice(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    mf_start(&f, &MF_A, &MF_B, "first", group);
    for (int i = 0; i < 5; i++)
        json_decref(mf_append(&f, i % 2 ? &MF_A : &MF_B, group, "more"));
    msg_consumer *c = consumer(&f);
    poll_ok(c);
    msg_consumer_free(c);

    /* A restarted consumer starts after the saved position. */
    c = consumer(&f);
    poll_ok(c);
    msg_consumer_stats st;
    msg_consumer_get_stats(c, &st);
    assert_int_equal(st.message_records, 0);
    assert_int_equal(st.fanout_writes, 0);

    /* And goes on with what comes next. */
    json_decref(mf_append(&f, &MF_B, group, "after the restart"));
    poll_ok(c);
    assert_group_message(&f, group, "after the restart");
    msg_consumer_get_stats(c, &st);
    assert_int_equal(st.message_records, 1);
    assert_int_equal(st.fanout_writes, 1);
    msg_consumer_free(c);
    mf_close(&f);
}

/* A message written while no consumer ran (a crash before its fanout). */
static void test_heals_a_missed_fanout(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    mf_start(&f, &MF_A, &MF_B, "first", group);
    msg_consumer *c = consumer(&f);
    poll_ok(c);
    msg_consumer_free(c); /* "crash" */
    json_decref(mf_append(&f, &MF_B, group, "written while down"));
    assert_group_message(&f, group, "first");
    c = consumer(&f);
    poll_ok(c);
    assert_group_message(&f, group, "written while down");
    msg_consumer_free(c);
    mf_close(&f);
}

/*
 * What is read again after a restart: never a message record, and only a
 * bounded tail of the group-item records the fanout's own writes made
 * (they are no-ops; the consumer saves its position alone every 256 of them).
 */
static void test_replay_window_is_bounded(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    mf_start(&f, &MF_A, &MF_B, "first", group);
    for (int i = 0; i < 100; i++)
        json_decref(mf_append(&f, &MF_A, group, "chatter"));
    msg_consumer *c = consumer(&f);
    /* the 101 messages (read in one batch, so only the newest moves the group
       items), then the moves it caused */
    assert_true(poll_ok(c) >= 101 + 4);
    poll_ok(c);
    msg_consumer_free(c);
    c = consumer(&f);
    long again = poll_ok(c);
    assert_true(again < 256);
    msg_consumer_stats st;
    msg_consumer_get_stats(c, &st);
    assert_int_equal(st.message_records, 0);
    assert_int_equal(st.fanout_writes, 0);
    msg_consumer_free(c);
    mf_close(&f);
}

static void test_failed_write_is_retried(void **state)
{
    mf f;
    mf_open(&f);
    flaky_store flaky = {.base = {&flaky_ops}, .inner = f.store};
    msg_service *svc = msg_service_new(&flaky.base, "cruddur-messages");
    msg_consumer *c = msg_consumer_new(svc, NULL);
    msg_err err = {0};
    assert_true(msg_consumer_ensure_table(c, &err));
    char group[40];
    mf_start(&f, &MF_A, &MF_B, "first", group);
    json_decref(mf_append(&f, &MF_B, group, "second"));
    json_decref(mf_append(&f, &MF_A, group, "third"));

    flaky.fail = 1000; /* every attempt of the fanout fails */
    assert_int_equal(msg_consumer_poll(c, &err), -1);
    assert_int_equal(err.status, MSG_STORE);
    msg_err_clear(&err);
    assert_group_message(&f, group, "first");

    flaky.fail = 0;
    assert_true(msg_consumer_poll(c, &err) > 0);
    assert_group_message(&f, group, "third");
    msg_consumer_free(c);
    msg_service_free(svc);
    mf_close(&f);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_thread_wakes_on_change(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    mf_start(&f, &MF_A, &MF_B, "first", group);
    msg_consumer_options opt = {.idle_wait_ms = 5000}; /* a wake-up must not wait for this */
    msg_consumer *c = msg_consumer_new(f.svc, &opt);
    msg_err err = {0};
    assert_true(msg_consumer_ensure_table(c, &err));
    assert_true(msg_consumer_start(c, &err));
    for (int round = 0; round < 5; round++) {
        char text[32];
        snprintf(text, sizeof text, "live %d", round);
        int64_t t0 = now_ms();
        json_decref(mf_append(&f, &MF_B, group, text));
        char *m = NULL;
        while (now_ms() - t0 < 2000) {
            free(m);
            m = group_message(&f, group);
            if (!strcmp(m, text)) break;
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
        assert_string_equal(m, text);
        free(m);
    }
    int64_t t0 = now_ms();
    msg_consumer_stop(c);
    assert_true(now_ms() - t0 < 1000); /* stops without waiting out the idle sleep */
    msg_consumer_free(c);
    mf_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poll_applies_and_saves_position),
        cmocka_unit_test(test_resume_applies_nothing_twice),
        cmocka_unit_test(test_heals_a_missed_fanout),
        cmocka_unit_test(test_replay_window_is_bounded),
        cmocka_unit_test(test_failed_write_is_retried),
        cmocka_unit_test(test_thread_wakes_on_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
