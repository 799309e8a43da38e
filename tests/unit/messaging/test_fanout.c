/*
 * Unit tests for the fanout handler (msg_fanout_apply, spec 5 and 8.5) on
 * an embedded in-memory store: group items follow the newest message,
 * replays and out-of-order records change nothing, duplicate group items
 * of one owner are collapsed, other records are ignored, and a checkpoint
 * action is written exactly when the fanout writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "msg_fixture.h"

/* A stream record of a message item, as GetRecords / Lambda deliver it. */
static json_t *message_record(const char *event, const char *group, const char *sk,
                              const char *text)
{
    char pk[64];
    snprintf(pk, sizeof pk, "MSG#%s", group);
    json_t *image =
        json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "pk", "S", pk, "sk", "S", sk, "message",
                  "S", text, "message_uuid", "S", "11111111-2222-4333-8444-555555555555");
    return json_pack("{s:s, s:{s:{s:{s:s}, s:{s:s}}, s:o, s:s}}", "eventName", event, "dynamodb",
                     "Keys", "pk", "S", pk, "sk", "S", sk,
                     strcmp(event, "REMOVE") ? "NewImage" : "OldImage", image, "SequenceNumber",
                     "100");
}

/* The records of a reply from msg_append, as a one-record batch. */
static json_t *record_of(const char *group, const json_t *reply)
{
    return message_record("INSERT", group, json_string_value(json_object_get(reply, "created_at")),
                          json_string_value(json_object_get(reply, "message")));
}

/* Applies each record of `records` in turn, as the consumer does; the
   number of records that failed (none, or the test fails). */
static int apply(mf *f, json_t *records, int *writes)
{
    int failed = 0, total = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec)
    {
        msg_err err = {0};
        int w = 0;
        if (!msg_fanout_apply(f->svc, rec, NULL, &w, &err)) {
            failed++;
            fail_msg("msg_fanout_apply: %s", err.message);
        }
        msg_err_clear(&err);
        total += w;
    }
    if (writes) *writes = total;
    return failed;
}

/* A conversation of A and B with n appended (not yet fanned out) messages;
   `records` receives their INSERT records in order. */
static void conversation(mf *f, char group[40], int n, json_t *records)
{
    mf_start(f, &MF_A, &MF_B, "first", group);
    for (int i = 0; i < n; i++) {
        char text[32];
        snprintf(text, sizeof text, "message %d", i);
        json_t *r = mf_append(f, i % 2 ? &MF_A : &MF_B, group, text);
        json_array_append_new(records, record_of(group, r));
        json_decref(r);
    }
}

static const char *last_sk(json_t *records)
{
    json_t *last = json_array_get(records, json_array_size(records) - 1);
    return json_string_value(json_object_get(
        json_object_get(json_object_get(json_object_get(last, "dynamodb"), "NewImage"), "sk"),
        "S"));
}

/* Asserts that A's and B's group items are exactly one each, at sk/text. */
static void expect_at(mf *f, const char *group, const char *sk, const char *text)
{
    char want[512];
    snprintf(want, sizeof want, "GRP#%s %s %s\nGRP#%s %s %s\n", MF_A.uuid, sk, text, MF_B.uuid, sk,
             text);
    char *now = mf_groups(f, group);
    assert_string_equal(now, want);
    free(now);
}

static void test_moves_every_group_item_forward(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    json_t *records = json_array();
    conversation(&f, group, 5, records);
    char *before = mf_groups(&f, group);
    assert_non_null(strstr(before, " first\n"));

    int writes;
    apply(&f, records, &writes);
    assert_int_equal(writes, 5);
    expect_at(&f, group, last_sk(records), "message 4");
    free(before);
    json_decref(records);
    mf_close(&f);
}

static void test_replay_changes_nothing(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    json_t *records = json_array();
    conversation(&f, group, 4, records);
    apply(&f, records, NULL);
    char *once = mf_groups(&f, group);
    for (int round = 0; round < 3; round++) {
        int writes;
        apply(&f, records, &writes);
        assert_int_equal(writes, 0);
        char *again = mf_groups(&f, group);
        assert_string_equal(again, once);
        free(again);
    }
    free(once);
    json_decref(records);
    mf_close(&f);
}

/* Every order of the same records ends in the same state. */
static void test_out_of_order_changes_nothing(void **state)
{
    static const int orders[][4] = {{3, 2, 1, 0}, {1, 3, 0, 2}, {3, 0, 1, 2}, {0, 1, 2, 3}};
    for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
        mf f;
        mf_open(&f);
        char group[40];
        json_t *records = json_array();
        conversation(&f, group, 4, records);
        for (int i = 0; i < 4; i++) {
            json_t *one = json_pack("[O]", json_array_get(records, (size_t)orders[o][i]));
            apply(&f, one, NULL);
            json_decref(one);
        }
        expect_at(&f, group, last_sk(records), "message 3");
        json_decref(records);
        mf_close(&f);
    }
}

/* An older record arriving after a newer one is a no-op. */
static void test_late_record_is_ignored(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    json_t *records = json_array();
    conversation(&f, group, 2, records);
    json_t *newest = json_pack("[O]", json_array_get(records, 1));
    json_t *older = json_pack("[O]", json_array_get(records, 0));
    apply(&f, newest, NULL);
    char *at_newest = mf_groups(&f, group);
    int writes;
    apply(&f, older, &writes);
    assert_int_equal(writes, 0);
    char *after = mf_groups(&f, group);
    assert_string_equal(after, at_newest);
    free(at_newest);
    free(after);
    json_decref(newest);
    json_decref(older);
    json_decref(records);
    mf_close(&f);
}

/* Puts an extra group item for A (what the reference's handler could leave). */
static void put_duplicate(mf *f, const char *group, const char *sk, const char *text)
{
    char pk[64];
    snprintf(pk, sizeof pk, "GRP#%s", MF_A.uuid);
    json_decref(mf_call(
        f->store, "PutItem",
        json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}",
                  "TableName", "cruddur-messages", "Item", "pk", "S", pk, "sk", "S", sk,
                  "message_group_uuid", "S", group, "message", "S", text, "user_uuid", "S",
                  MF_B.uuid, "user_handle", "S", MF_B.handle, "user_display_name", "S",
                  MF_B.display_name)));
}

static void test_duplicates_are_collapsed(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    json_t *records = json_array();
    conversation(&f, group, 2, records);
    put_duplicate(&f, group, "2001-01-01T00:00:00.000000+00:00", "stale copy");
    put_duplicate(&f, group, "2002-01-01T00:00:00", "older form, stale too");
    assert_int_equal(mf_owner_items(&f, &MF_A, group), 3);

    apply(&f, records, NULL);
    assert_int_equal(mf_owner_items(&f, &MF_A, group), 1);
    assert_int_equal(mf_owner_items(&f, &MF_B, group), 1);
    char *now = mf_groups(&f, group);
    assert_null(strstr(now, "stale"));
    free(now);

    /* A duplicate that is already at the newest message: the others still go. */
    put_duplicate(&f, group, "2003-01-01T00:00:00.000000+00:00", "stale again");
    json_t *last = json_pack("[O]", json_array_get(records, 1));
    apply(&f, last, NULL);
    assert_int_equal(mf_owner_items(&f, &MF_A, group), 1);
    json_decref(last);
    json_decref(records);
    mf_close(&f);
}

/*
 * One owner, two conversations, whose latest messages share a microsecond:
 * the second group item cannot take the same key, so it moves to the next
 * free microsecond instead of failing forever (and nothing is overwritten).
 */
static void test_same_microsecond_in_two_conversations(void **state)
{
    mf f;
    mf_open(&f);
    char g1[40], g2[40];
    mf_start(&f, &MF_A, &MF_B, "hello b", g1);
    mf_start(&f, &MF_A, &MF_C, "hello c", g2);
    const char *sk = "2030-01-01T00:00:00.000000+00:00";
    json_t *records = json_pack("[o, o]", message_record("INSERT", g1, sk, "to b"),
                                message_record("INSERT", g2, sk, "to c"));
    int writes;
    assert_int_equal(apply(&f, records, &writes), 0);
    assert_int_equal(writes, 2);
    char *one = mf_groups(&f, g1), *two = mf_groups(&f, g2), want[256];
    snprintf(want, sizeof want, "GRP#%s %s to b\n", MF_A.uuid, sk);
    assert_non_null(strstr(one, want));
    snprintf(want, sizeof want, "GRP#%s 2030-01-01T00:00:00.000001+00:00 to c\n", MF_A.uuid);
    assert_non_null(strstr(two, want));
    assert_int_equal(mf_owner_items(&f, &MF_A, g1), 1);
    assert_int_equal(mf_owner_items(&f, &MF_A, g2), 1);
    free(one);
    free(two);
    /* A replay changes nothing: both items are at or past their message. */
    assert_int_equal(apply(&f, records, &writes), 0);
    assert_int_equal(writes, 0);
    json_decref(records);
    mf_close(&f);
}

static void test_other_records_are_ignored(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    json_t *records = json_array();
    conversation(&f, group, 1, records);
    char *before = mf_groups(&f, group);
    const char *sk = "2999-01-01T00:00:00.000000+00:00";
    json_t *batch = json_array();
    json_array_append_new(batch, message_record("REMOVE", group, sk, "removed"));
    json_array_append_new(batch, message_record("MODIFY", group, sk, "modified"));
    json_t *grp = message_record("INSERT", group, sk, "a group item");
    char pk[64];
    snprintf(pk, sizeof pk, "GRP#%s", MF_A.uuid);
    json_object_set_new(json_object_get(json_object_get(grp, "dynamodb"), "NewImage"), "pk",
                        json_pack("{s:s}", "S", pk));
    json_array_append_new(batch, grp);
    json_array_append_new(batch, json_pack("{s:s}", "eventName", "INSERT")); /* no image */
    int writes;
    apply(&f, batch, &writes);
    assert_int_equal(writes, 0);
    char *after = mf_groups(&f, group);
    assert_string_equal(after, before);
    free(before);
    free(after);
    json_decref(batch);
    json_decref(records);
    mf_close(&f);
}

/* The checkpoint action rides along with the fanout's writes, and only then. */
static void test_checkpoint_rides_along(void **state)
{
    mf f;
    mf_open(&f);
    char group[40];
    json_t *records = json_array();
    conversation(&f, group, 1, records);
    json_t *ckpt = json_pack("{s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}}", "Put", "TableName",
                             "cruddur-messages", "Item", "pk", "S", "TEST#checkpoint", "sk", "S",
                             "shard", "seq", "S", "42");
    json_t *get = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "TableName", "cruddur-messages", "Key",
                            "pk", "S", "TEST#checkpoint", "sk", "S", "shard");
    msg_err err = {0};
    int writes = 0;
    assert_int_equal(json_array_size(records), 1);
    const json_t *record = json_array_get(records, 0);
    assert_true(msg_fanout_apply(f.svc, record, ckpt, &writes, &err));
    assert_int_equal(writes, 1);
    json_t *res = mf_call(f.store, "GetItem", json_incref(get));
    assert_non_null(json_object_get(res, "Item"));
    json_decref(res);

    json_decref(mf_call(f.store, "DeleteItem", json_incref(get)));
    assert_true(msg_fanout_apply(f.svc, record, ckpt, &writes, &err));
    assert_int_equal(writes, 0);
    res = mf_call(f.store, "GetItem", json_incref(get));
    assert_null(json_object_get(res, "Item"));
    json_decref(res);

    json_decref(get);
    json_decref(ckpt);
    json_decref(records);
    mf_close(&f);
}

/* Text validation: code points, not bytes; blank is white space only. */
static void test_validate_text(void **state)
{
    static const struct {
        const char *unit; /* repeated `times` times */
        int times;
        const char *code; /* NULL: valid */
    } cases[] = {
        {"x", 1, NULL},
        {"x", 1024, NULL},
        {"x", 1025, "message_exceed_max_chars"},
        {"\xc3\xa9", 1024, NULL}, /* é: 2 bytes */
        {"\xc3\xa9", 1025, "message_exceed_max_chars"},
        {"\xf0\x9f\x98\x80", 1024, NULL}, /* an emoji: 4 bytes */
        {"\xf0\x9f\x98\x80", 1025, "message_exceed_max_chars"},
        {"", 1, "message_blank"},
        {" \t\r\n", 3, "message_blank"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].unit) * (size_t)cases[i].times;
        char *text = calloc(1, len + 1);
        for (int k = 0; k < cases[i].times; k++)
            strcat(text, cases[i].unit);
        msg_err err = {0};
        bool ok = msg_validate_text(text, &err);
        if (!cases[i].code) {
            assert_true(ok);
        } else {
            assert_false(ok);
            assert_int_equal(err.status, MSG_INVALID);
            assert_string_equal(json_string_value(json_array_get(err.codes, 0)), cases[i].code);
        }
        msg_err_clear(&err);
        free(text);
    }
    msg_err err = {0};
    assert_false(msg_validate_text(NULL, &err));
    msg_err_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moves_every_group_item_forward),
        cmocka_unit_test(test_replay_changes_nothing),
        cmocka_unit_test(test_out_of_order_changes_nothing),
        cmocka_unit_test(test_late_record_is_ignored),
        cmocka_unit_test(test_duplicates_are_collapsed),
        cmocka_unit_test(test_same_microsecond_in_two_conversations),
        cmocka_unit_test(test_other_records_are_ignored),
        cmocka_unit_test(test_checkpoint_rides_along),
        cmocka_unit_test(test_validate_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
