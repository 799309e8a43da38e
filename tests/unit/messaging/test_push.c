/*
 * Unit tests for src/messaging/push.c (msg_push_records): which stream
 * records become which events, for whom. A new message goes to the
 * members of its conversation (the owners of its group items) and to its
 * sender, and to nobody else; a list row to its owner; a read position to
 * its member; removals and other items to nobody. The records are built
 * here in the GetRecords shape, as the relay hands them on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "testutil.h"

#include "msg_fixture.h"
#include "messaging/push.h"

typedef struct fixture {
    mf f;
    char group[40];
    json_t *events; /* [{"id", "type", "user", "data"}] */
    msg_push *push;
} fixture;

static void collect(const msg_event *ev, void *arg)
{
    fixture *x = arg;
    json_error_t e;
    json_t *data = json_loads(ev->data, 0, &e);
    if (!data) fail_msg("event data is not JSON: %s", ev->data);
    json_array_append_new(x->events, json_pack("{s:s, s:s, s:s, s:o}", "id", ev->id, "type",
                                               ev->type, "user", ev->user, "data", data));
}

static int setup(void **state)
{
    fixture *x = calloc(1, sizeof *x);
    mf_open(&x->f);
    mf_start(&x->f, &MF_A, &MF_B, "hello", x->group);
    x->events = json_array();
    x->push = msg_push_new(x->f.svc, collect, x);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;
    msg_push_free(x->push);
    json_decref(x->events);
    mf_close(&x->f);
    free(x);
    return 0;
}

/* One record: eventName, sequence number and a NewImage of S attributes
   given as "name", "value" pairs (NULL-terminated). */
static json_t *record(const char *event, const char *seq, ...)
{
    json_t *img = json_object();
    va_list ap;
    va_start(ap, seq);
    for (const char *k; (k = va_arg(ap, const char *));)
        json_object_set_new(img, k, json_pack("{s:s}", "S", va_arg(ap, const char *)));
    va_end(ap);
    json_t *keys =
        json_pack("{s:O, s:O}", "pk", json_object_get(img, "pk"), "sk", json_object_get(img, "sk"));
    json_t *ddb = json_pack("{s:s, s:o}", "SequenceNumber", seq, "Keys", keys);
    if (strcmp(event, "REMOVE") != 0)
        json_object_set_new(ddb, "NewImage", img);
    else
        json_decref(img);
    return json_pack("{s:s, s:o}", "eventName", event, "dynamodb", ddb);
}

static json_t *message_record(const char *seq, const char *group, const msg_user *from)
{
    char pk[64];
    snprintf(pk, sizeof pk, "MSG#%s", group);
    return record("INSERT", seq, "pk", pk, "sk", "2026-01-01T00:00:00.000001+00:00", "message_uuid",
                  "0e000000-0000-4000-8000-00000000000e", "message", "hi \"you\"", "user_uuid",
                  from->uuid, "user_handle", from->handle, "user_display_name", from->display_name,
                  NULL);
}

/* The users the collected events of a type went to, in order, space-separated. */
static void users_of(const fixture *x, const char *type, char *out, size_t cap)
{
    out[0] = '\0';
    size_t i;
    json_t *e;
    json_array_foreach(x->events, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "type")), type) != 0) continue;
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", n ? " " : "",
                 json_string_value(json_object_get(e, "user")));
    }
}

static void test_a_message_goes_to_the_members_only(void **state)
{
    fixture *x = *state;
    json_t *batch = json_pack("[o]", message_record("000000000000000000042", x->group, &MF_A));
    msg_push_records(x->push, batch);
    json_decref(batch);
    assert_int_equal(json_array_size(x->events), 2);
    char to[256];
    users_of(x, "message", to, sizeof to);
    /* the members from the GSI (in its order), the sender already among them */
    assert_true(strstr(to, MF_A.uuid) && strstr(to, MF_B.uuid));
    assert_null(strstr(to, MF_C.uuid));
    json_t *e = json_array_get(x->events, 0);
    assert_string_equal(json_string_value(json_object_get(e, "id")), "000000000000000000042");
    char expected[512];
    snprintf(expected, sizeof expected,
             "{\"message_group_uuid\": \"%s\", \"uuid\": \"0e000000-0000-4000-8000-00000000000e\","
             " \"handle\": \"andrewbrown\", \"display_name\": \"Andrew Brown\", \"message\": "
             "\"hi \\\"you\\\"\", \"created_at\": \"2026-01-01T00:00:00.000001+00:00\"}",
             x->group);
    tu_assert_json_eq(json_object_get(e, "data"), expected);
}

static void test_a_message_of_an_unknown_conversation_goes_to_its_sender(void **state)
{
    fixture *x = *state;
    json_t *batch =
        json_pack("[o]", message_record("7", "0f000000-0000-4000-8000-00000000000f", &MF_C));
    msg_push_records(x->push, batch);
    json_decref(batch);
    char to[256];
    users_of(x, "message", to, sizeof to);
    assert_string_equal(to, MF_C.uuid);
}

static void test_rows_and_read_positions_go_to_their_owner(void **state)
{
    fixture *x = *state;
    char grp_pk[64], read_pk[64];
    snprintf(grp_pk, sizeof grp_pk, "GRP#%s", MF_B.uuid);
    snprintf(read_pk, sizeof read_pk, "READ#%s", MF_C.uuid);
    json_t *batch = json_pack(
        "[o, o, o, o]",
        record("INSERT", "1", "pk", grp_pk, "sk", "2026-01-01T00:00:00.000001+00:00",
               "message_group_uuid", x->group, "message", "last", "user_handle", "andrewbrown",
               "user_display_name", "Andrew Brown", "user_uuid", MF_A.uuid, NULL),
        record("MODIFY", "2", "pk", read_pk, "sk", x->group, "read_at",
               "2026-01-01T00:00:00.000001+00:00", NULL),
        record("REMOVE", "3", "pk", grp_pk, "sk", "2020-01-01T00:00:00.000000+00:00", NULL),
        record("INSERT", "4", "pk", "PAIR#a#b", "sk", "PAIR", NULL));
    msg_push_records(x->push, batch);
    json_decref(batch);
    assert_int_equal(json_array_size(x->events), 2);
    char to[256];
    users_of(x, "group", to, sizeof to);
    assert_string_equal(to, MF_B.uuid);
    users_of(x, "read", to, sizeof to);
    assert_string_equal(to, MF_C.uuid);
    char expected[256];
    snprintf(expected, sizeof expected,
             "{\"message_group_uuid\": \"%s\", \"read_at\": \"2026-01-01T00:00:00.000001+00:00\"}",
             x->group);
    tu_assert_json_eq(json_object_get(json_array_get(x->events, 1), "data"), expected);
    json_t *row = json_object_get(json_array_get(x->events, 0), "data");
    assert_string_equal(json_string_value(json_object_get(row, "uuid")), x->group);
    assert_string_equal(json_string_value(json_object_get(row, "handle")), "andrewbrown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_message_goes_to_the_members_only, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_message_of_an_unknown_conversation_goes_to_its_sender, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_and_read_positions_go_to_their_owner, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
