/*
 * Unit tests for src/messaging/table: the messages table's layout written
 * once: the table name's one reader, the key builders and readers, the item
 * builders, and the one answer to "is this stream record a new message".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "messaging/table.h"

static void test_table_name_has_one_reader(void **state)
{
    unsetenv("DDB_MESSAGE_TABLE");
    assert_string_equal(msg_table_name(), "cruddur-messages");
    setenv("DDB_MESSAGE_TABLE", "", 1);
    assert_string_equal(msg_table_name(), "cruddur-messages");
    setenv("DDB_MESSAGE_TABLE", "other-table", 1);
    assert_string_equal(msg_table_name(), "other-table");
    unsetenv("DDB_MESSAGE_TABLE");
}

static void test_keys_and_their_readers(void **state)
{
    char k[MSG_KEY_LEN];
    msg_key_inbox(k, "u1");
    assert_string_equal(k, "GRP#u1");
    assert_string_equal(msg_key_inbox_user(k), "u1");
    assert_null(msg_key_messages_group(k));
    msg_key_messages(k, "g1");
    assert_string_equal(k, "MSG#g1");
    assert_string_equal(msg_key_messages_group(k), "g1");
    assert_null(msg_key_inbox_user(k));
    msg_key_reads(k, "u2");
    assert_string_equal(k, "READ#u2");
    assert_string_equal(msg_key_reads_user(k), "u2");
    assert_null(msg_key_reads_user(NULL));
    /* The pair key is the same whichever user asks. */
    char a[MSG_KEY_LEN], b[MSG_KEY_LEN];
    msg_key_pair(a, "bbb", "aaa");
    msg_key_pair(b, "aaa", "bbb");
    assert_string_equal(a, "PAIR#aaa#bbb");
    assert_string_equal(a, b);
}

static void test_item_builders(void **state)
{
    msg_user who = {.uuid = "u1", .handle = "andrew", .display_name = "Andrew"};
    json_t *g = msg_group_item("u2", &who, "g1", "2024-01-01T00:00:00.000000+00:00", "hi");
    assert_string_equal(msg_item_str(g, "pk"), "GRP#u2");
    assert_string_equal(msg_item_str(g, "message_group_uuid"), "g1");
    assert_string_equal(msg_item_str(g, "user_handle"), "andrew");
    json_t *m = msg_message_item("g1", "2024-01-01T00:00:00.000000+00:00", "m1", &who, "hi");
    assert_string_equal(msg_item_str(m, "pk"), "MSG#g1");
    assert_string_equal(msg_item_str(m, "message_uuid"), "m1");
    assert_string_equal(msg_item_str(m, "message"), "hi");
    assert_null(msg_item_str(m, "absent"));
    json_decref(g);
    json_decref(m);
}

static json_t *record(const char *event, json_t *image)
{
    return json_pack("{s:s, s:{s:s, s:{s:O}, s:o}}", "eventName", event, "dynamodb",
                     "SequenceNumber", "100", "Keys", "pk", json_object_get(image, "pk"),
                     "NewImage", image);
}

static void test_new_message_in_one_place(void **state)
{
    msg_user who = {.uuid = "u1", .handle = "andrew", .display_name = "Andrew"};
    const char *sk = "2024-01-01T00:00:00.000000+00:00";
    msg_record r;
    msg_new_message m;

    json_t *rec = record("INSERT", msg_message_item("g1", sk, "m1", &who, "hi"));
    msg_record_read(rec, &r);
    assert_string_equal(r.event, "INSERT");
    assert_string_equal(r.seq, "100");
    assert_string_equal(r.pk, "MSG#g1");
    assert_true(msg_record_new_message(&r, &m));
    assert_string_equal(m.group, "g1");
    assert_string_equal(m.sk, sk);
    assert_string_equal(m.text, "hi");
    json_decref(rec);

    /* A change to a message, or an inbox entry, is not a new message. */
    rec = record("MODIFY", msg_message_item("g1", sk, "m1", &who, "hi"));
    msg_record_read(rec, &r);
    assert_false(msg_record_new_message(&r, &m));
    json_decref(rec);
    rec = record("INSERT", msg_group_item("u2", &who, "g1", sk, "hi"));
    msg_record_read(rec, &r);
    assert_false(msg_record_new_message(&r, &m));
    json_decref(rec);

    /* An item under MSG# without its text, or with an empty group, is not one the app wrote. */
    json_t *img = msg_message_item("g1", sk, "m1", &who, "hi");
    json_object_del(img, "message");
    rec = record("INSERT", img);
    msg_record_read(rec, &r);
    assert_false(msg_record_new_message(&r, &m));
    json_decref(rec);
    rec = record("INSERT", msg_message_item("", sk, "m1", &who, "hi"));
    msg_record_read(rec, &r);
    assert_false(msg_record_new_message(&r, &m));
    json_decref(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_name_has_one_reader),
        cmocka_unit_test(test_keys_and_their_readers),
        cmocka_unit_test(test_item_builders),
        cmocka_unit_test(test_new_message_in_one_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
