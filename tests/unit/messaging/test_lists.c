/*
 * Unit tests for the list texts of src/messaging/conversations.c (the
 * bodies of GET /api/message_groups and GET /api/messages/<uuid>): valid
 * JSON in the API's shape with its keys in the reference's order, messages
 * oldest first, strings escaped, null for what an item lacks, and nothing
 * written when the list fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "msg_fixture.h"

typedef struct fixture {
    mf f;
    char group[40];
} fixture;

static int setup(void **state)
{
    fixture *x = calloc(1, sizeof *x);
    mf_open(&x->f);
    mf_start(&x->f, &MF_A, &MF_B, "one", x->group);
    json_decref(mf_append(&x->f, &MF_B, x->group, "two"));
    json_decref(mf_append(&x->f, &MF_A, x->group, "three \"quoted\"\nline\t\xc3\xa9"));
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    mf_close(&x->f);
    free(x);
    return 0;
}

/* The text a list wrote, parsed; fails the test unless it is a JSON array. */
static json_t *parsed(const buf_t *b)
{
    json_error_t e;
    json_t *v = json_loadb(b->data ? b->data : "", b->len, 0, &e);
    if (!json_is_array(v)) fail_msg("not a JSON array (%s): %s", e.text, buf_cstr(b));
    return v;
}

static void test_messages_oldest_first_in_the_api_shape(void **state)
{
    fixture *x = *state;
    buf_t b = BUF_INIT;
    char *next = NULL;
    msg_err err = {0};
    assert_true(msg_list_messages(x->f.svc, &MF_A, x->group, NULL, &b, &next, &err));
    assert_null(next);
    /* keys in the reference's order, compact */
    assert_int_equal(strncmp(buf_cstr(&b), "[{\"uuid\":\"", 10), 0);
    json_t *list = parsed(&b);
    assert_int_equal(json_array_size(list), 3);
    const char *texts[] = {"one", "two", "three \"quoted\"\nline\t\xc3\xa9"};
    const char *handles[] = {"andrewbrown", "bayko", "andrewbrown"};
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_array_get(list, i);
        assert_int_equal(json_object_size(e), 5);
        assert_string_equal(json_string_value(json_object_get(e, "message")), texts[i]);
        assert_string_equal(json_string_value(json_object_get(e, "handle")), handles[i]);
        assert_true(json_is_string(json_object_get(e, "uuid")));
        assert_true(json_is_string(json_object_get(e, "display_name")));
        assert_true(json_is_string(json_object_get(e, "created_at")));
    }
    json_decref(list);
    buf_free(&b);
}

static void test_groups_in_the_api_shape(void **state)
{
    fixture *x = *state;
    buf_t b = BUF_INIT;
    char *next = NULL;
    msg_err err = {0};
    assert_true(msg_list_groups(x->f.svc, &MF_B, NULL, &b, &next, &err));
    json_t *list = parsed(&b);
    assert_int_equal(json_array_size(list), 1);
    json_t *e = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(e, "uuid")), x->group);
    assert_string_equal(json_string_value(json_object_get(e, "handle")), "andrewbrown");
    assert_string_equal(json_string_value(json_object_get(e, "display_name")), "Andrew Brown");
    assert_true(json_is_integer(json_object_get(e, "unread"))); /* last, after created_at */
    assert_int_equal(json_object_size(e), 6);
    json_decref(list);
    buf_free(&b);

    /* Nobody's conversations: an empty array. */
    assert_true(msg_list_groups(x->f.svc, &MF_C, NULL, &b, &next, &err));
    assert_string_equal(buf_cstr(&b), "[]");
    buf_free(&b);
}

static void test_missing_attributes_are_null(void **state)
{
    fixture *x = *state;
    /* A message item written by an older tool: no sender names, and a
       message that is not a string. */
    char pk[64];
    snprintf(pk, sizeof pk, "MSG#%s", x->group);
    json_decref(mf_call(x->f.store, "PutItem",
                        json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}", "TableName",
                                  "cruddur-messages", "Item", "pk", "S", pk, "sk", "S",
                                  "2999-01-01T00:00:00.000000+00:00", "message_uuid", "S",
                                  "0d000000-0000-4000-8000-00000000000d", "message", "N", "7")));
    buf_t b = BUF_INIT;
    char *next = NULL;
    msg_err err = {0};
    assert_true(msg_list_messages(x->f.svc, &MF_A, x->group, NULL, &b, &next, &err));
    json_t *list = parsed(&b);
    json_t *last = json_array_get(list, json_array_size(list) - 1);
    assert_true(json_is_null(json_object_get(last, "display_name")));
    assert_true(json_is_null(json_object_get(last, "handle")));
    assert_true(json_is_null(json_object_get(last, "message")));
    assert_string_equal(json_string_value(json_object_get(last, "created_at")),
                        "2999-01-01T00:00:00.000000+00:00");
    json_decref(list);
    buf_free(&b);
}

static void test_nothing_written_on_failure(void **state)
{
    fixture *x = *state;
    buf_t b = BUF_INIT;
    char *next = NULL;
    msg_err err = {0};
    assert_false(msg_list_messages(x->f.svc, &MF_C, x->group, NULL, &b, &next, &err));
    assert_int_equal(err.status, MSG_NOT_FOUND);
    msg_err_clear(&err);
    assert_false(msg_list_groups(x->f.svc, &MF_A, "not a cursor", &b, &next, &err));
    assert_int_equal(err.status, MSG_BAD_REQUEST);
    msg_err_clear(&err);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_messages_oldest_first_in_the_api_shape, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_groups_in_the_api_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_attributes_are_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_written_on_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
