/*
 * Unit tests for the membership check of src/messaging/conversations.c:
 * only the two members of a conversation may read or append to it (404
 * otherwise, as for a conversation that does not exist), and a check that
 * passed is remembered, so that a member's next reads do not query the
 * GSI again, while a failed check is never remembered. The store is
 * wrapped to count the GSI Queries the service makes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "msg_fixture.h"

/* A store that forwards to the embedded one and counts GSI Queries. */
typedef struct counting_store {
    ddb_store base;
    ddb_store *inner;
    int gsi_queries;
} counting_store;

static json_t *counting_call(ddb_store *store, const char *op, json_t *req, ddb_err *err)
{
    counting_store *s = (counting_store *)store;
    if (!strcmp(op, "Query") && json_object_get(req, "IndexName")) s->gsi_queries++;
    return ddb_call(s->inner, op, req, err);
}

static const ddb_store_ops counting_ops = {.call = counting_call};

typedef struct fixture {
    mf f;
    counting_store counted;
    msg_service *svc; /* over the counting store */
    char group[40];
} fixture;

static int setup(void **state)
{
    fixture *x = calloc(1, sizeof *x);
    mf_open(&x->f);
    x->counted.base.ops = &counting_ops;
    x->counted.inner = x->f.store;
    x->svc = msg_service_new(&x->counted.base, "cruddur-messages");
    mf_start(&x->f, &MF_A, &MF_B, "hello bayko", x->group);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    msg_service_free(x->svc);
    mf_close(&x->f);
    free(x);
    return 0;
}

/* Lists the conversation as `me`; returns the status (MSG_OK or the error's). */
static msg_status list_as(fixture *x, const msg_user *me, const char *group)
{
    msg_err err = {0};
    char *next = NULL;
    buf_t list = BUF_INIT;
    bool ok = msg_list_messages(x->svc, me, group, NULL, &list, &next, &err);
    msg_status st = ok ? MSG_OK : err.status;
    if (!ok) assert_int_equal(list.len, 0); /* nothing written on failure */
    buf_free(&list);
    free(next);
    msg_err_clear(&err);
    return st;
}

static void test_members_read_and_others_get_404(void **state)
{
    fixture *x = *state;
    assert_int_equal(list_as(x, &MF_A, x->group), MSG_OK);
    assert_int_equal(list_as(x, &MF_B, x->group), MSG_OK);
    assert_int_equal(list_as(x, &MF_C, x->group), MSG_NOT_FOUND);
    assert_int_equal(list_as(x, &MF_A, "5ae290ed-55d1-47a0-bc6d-fe2bc2700399"), MSG_NOT_FOUND);
    assert_int_equal(list_as(x, &MF_A, "not-a-uuid"), MSG_NOT_FOUND);

    msg_err err = {0};
    json_t *r = msg_append(x->svc, &MF_C, x->group, "let me in", &err);
    assert_null(r);
    assert_int_equal(err.status, MSG_NOT_FOUND);
    msg_err_clear(&err);
}

static void test_a_passed_check_is_remembered_per_user(void **state)
{
    fixture *x = *state;
    assert_int_equal(list_as(x, &MF_A, x->group), MSG_OK);
    assert_int_equal(x->counted.gsi_queries, 1);
    for (int i = 0; i < 5; i++)
        assert_int_equal(list_as(x, &MF_A, x->group), MSG_OK);
    json_decref(mf_append(&x->f, &MF_A, x->group, "still here")); /* other service */
    assert_int_equal(x->counted.gsi_queries, 1);

    /* The other member's check is its own. */
    assert_int_equal(list_as(x, &MF_B, x->group), MSG_OK);
    assert_int_equal(list_as(x, &MF_B, x->group), MSG_OK);
    assert_int_equal(x->counted.gsi_queries, 2);
}

static void test_a_failed_check_is_not_remembered(void **state)
{
    fixture *x = *state;
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(list_as(x, &MF_C, x->group), MSG_NOT_FOUND);
        assert_int_equal(x->counted.gsi_queries, i);
    }
    /* Once C is in a conversation of its own, that one passes at once. */
    char mine[40];
    mf_start(&x->f, &MF_C, &MF_B, "hi, it is londo", mine);
    assert_int_equal(list_as(x, &MF_C, mine), MSG_OK);
    assert_int_equal(list_as(x, &MF_C, x->group), MSG_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_members_read_and_others_get_404, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_passed_check_is_remembered_per_user, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_failed_check_is_not_remembered, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
