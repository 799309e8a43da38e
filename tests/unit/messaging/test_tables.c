/*
 * Unit tests for creating the messaging tables on a store that, like Amazon
 * DynamoDB, creates tables in the background: msg_ensure_table returns only
 * once the table is ACTIVE, and reports a store that never gets there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "messaging/messaging.h"
#include "testutil.h"

/* A store that knows one table, CREATING for `creating_polls` describes. */
typedef struct slow_store {
    ddb_store base;
    bool created;
    int creating_polls;
    int describes;
    int creates;
} slow_store;

static json_t *slow_call(ddb_store *store, const char *op, json_t *req, ddb_err *err)
{
    slow_store *s = (slow_store *)store;
    if (!strcmp(op, "CreateTable")) {
        s->creates++;
        s->created = true;
        return json_pack("{s:{s:s}}", "TableDescription", "TableStatus", "CREATING");
    }
    if (!strcmp(op, "DescribeTable")) {
        s->describes++;
        if (!s->created) {
            ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found");
            return NULL;
        }
        const char *status = s->creating_polls-- > 0 ? "CREATING" : "ACTIVE";
        return json_pack("{s:{s:s}}", "Table", "TableStatus", status);
    }
    ddb_err_set(err, DDB_E_UNKNOWN_OP, "%s", op);
    return NULL;
}

static uint64_t slow_wait(ddb_store *store, uint64_t since, int timeout_ms)
{
    return since;
}

static uint64_t slow_counter(ddb_store *store)
{
    return 0;
}

static void slow_close(ddb_store *store) {}

static const ddb_store_ops slow_ops = {slow_call, slow_wait, slow_counter, slow_close};

static void test_waits_until_active(void **state)
{
    slow_store s = {.base = {&slow_ops}, .creating_polls = 3};
    msg_service *svc = msg_service_new(&s.base, "cruddur-messages");
    msg_err err = {0};
    assert_true(msg_ensure_table(svc, &err));
    assert_int_equal(s.creates, 1);
    /* not found, then three CREATING polls, then ACTIVE */
    assert_int_equal(s.describes, 5);
    assert_true(msg_ensure_table(svc, &err)); /* exists: no second create */
    assert_int_equal(s.creates, 1);
    msg_service_free(svc);
}

static void test_never_active_fails(void **state)
{
    slow_store s = {.base = {&slow_ops}, .creating_polls = 1000000};
    msg_service *svc = msg_service_new(&s.base, "cruddur-messages");
    msg_err err = {0};
    assert_false(msg_ensure_table(svc, &err));
    assert_int_equal(err.status, MSG_STORE);
    assert_non_null(strstr(err.message, "did not become ACTIVE"));
    msg_err_clear(&err);
    msg_service_free(svc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waits_until_active),
        cmocka_unit_test(test_never_active_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
