/*
 * Unit tests for src/ddb/item_cache: a text decodes to the same (shared)
 * object while it stays in the table, different texts never share one,
 * large texts and invalid JSON are handled, and many threads decoding
 * colliding texts always get the item their own text describes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json_out.h"
#include "ddb/ddb.h"
#include "ddb/item_cache.h"
#include "testutil.h"

static json_t *decode(const char *text)
{
    return item_cache_decode(text, (int)strlen(text));
}

static void test_same_text_is_shared(void **state)
{
    const char *a = "{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"}}";
    json_t *x = decode(a), *y = decode(a);
    assert_non_null(x);
    assert_ptr_equal(x, y); /* the second decode was a hit */
    tu_assert_json_eq(x, a);
    json_t *z = decode("{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"2\"}}");
    assert_ptr_not_equal(x, z);
    tu_assert_json_eq(z, "{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"2\"}}");
    json_decref(x);
    json_decref(y);
    json_decref(z);
}

static void test_invalid_and_large(void **state)
{
    assert_null(decode("{not json"));
    assert_null(item_cache_decode(NULL, 3));
    assert_null(item_cache_decode("{}", -1));
    /* a large item is decoded each time (not kept) but decoded right */
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"pk\":{\"S\":\"big\"},\"v\":{\"S\":\"");
    for (int i = 0; i < 10000; i++)
        buf_putc(&b, 'x');
    buf_puts(&b, "\"}}");
    json_t *x = item_cache_decode(b.data, (int)b.len), *y = item_cache_decode(b.data, (int)b.len);
    assert_non_null(x);
    assert_ptr_not_equal(x, y);
    assert_true(json_equal(x, y));
    assert_int_equal(json_string_length(json_object_get(json_object_get(x, "v"), "S")), 10000);
    json_decref(x);
    json_decref(y);
    buf_free(&b);
    /* U+0000 inside values survives */
    json_t *nul = decode("{\"s\":{\"S\":\"a\\u0000b\"}}");
    assert_non_null(nul);
    assert_int_equal(json_string_length(json_object_get(json_object_get(nul, "s"), "S")), 3);
    json_decref(nul);
}

/* Many more distinct texts than slots, from several threads at once. */
static void *churn(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 20000; i++) {
        char text[96];
        int k = (int)((i * 7 + id * 13) % 30000);
        snprintf(text, sizeof text, "{\"pk\":{\"S\":\"k%d\"},\"n\":{\"N\":\"%d\"}}", k, k);
        json_t *item = decode(text);
        char want[16];
        snprintf(want, sizeof want, "%d", k);
        const char *got = json_string_value(json_object_get(json_object_get(item, "n"), "N"));
        if (!got || strcmp(got, want) != 0) {
            json_decref(item);
            return (void *)1;
        }
        json_decref(item);
    }
    return NULL;
}

static void test_threads_get_their_own_items(void **state)
{
    pthread_t t[6];
    for (long i = 0; i < 6; i++)
        pthread_create(&t[i], NULL, churn, (void *)i);
    for (int i = 0; i < 6; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        assert_null(bad);
    }
}

static void test_text_of_a_cached_item(void **state)
{
    /* Stored texts are json_out's text of the item. */
    json_t *orig =
        json_pack("{s:{s:s}, s:{s:s}, s:{s:b}, s:{s:[{s:s}]}}", "pk", "S", "txt", "msg", "S",
                  "caf\xc3\xa9 \"quoted\"\n", "ok", "BOOL", 1, "l", "L", "N", "1.50");
    size_t len;
    char *text = json_out_dumps(orig, &len);
    json_t *item = item_cache_decode(text, (int)len);
    assert_non_null(item);

    buf_t b = BUF_INIT;
    buf_puts(&b, "[");
    assert_true(item_cache_text(item, &b));
    assert_int_equal(b.len, 1 + len);
    assert_memory_equal(b.data + 1, text, len);

    /* An equal object that the cache did not hand out is not its item. */
    buf_reset(&b);
    json_t *copy = json_deep_copy(item);
    assert_false(item_cache_text(copy, &b));
    assert_false(item_cache_text(orig, &b));
    assert_int_equal(b.len, 0);

    /* ddb_json_append: the same text whether copied or encoded. */
    json_t *resp = json_pack("{s:[O,O,O], s:i}", "Items", item, copy, item, "Count", 3);
    buf_reset(&b);
    ddb_json_append(&b, resp);
    char *want = json_dumps(resp, JSON_COMPACT);
    assert_string_equal(buf_cstr(&b), want);
    free(want);

    json_decref(resp);
    json_decref(copy);
    json_decref(item);
    json_decref(orig);
    free(text);
    buf_free(&b);
}

static void test_no_text_once_replaced(void **state)
{
    /* Fill the table with other texts until the item's slot was taken:
       the item (still alive here) must no longer be found. */
    const char *text = "{\"pk\":{\"S\":\"soon replaced\"}}";
    json_t *item = decode(text);
    buf_t b = BUF_INIT;
    assert_true(item_cache_text(item, &b));
    char other[64];
    for (int i = 0; i < 100000; i++) {
        snprintf(other, sizeof other, "{\"pk\":{\"S\":\"filler %d\"}}", i);
        json_decref(decode(other));
    }
    buf_reset(&b);
    assert_false(item_cache_text(item, &b));
    assert_int_equal(b.len, 0);
    json_decref(item);
    buf_free(&b);
}

/* A working set of a third of the table's size mostly stays in it: texts
   that hash alike share a set instead of evicting each other (measured:
   95% kept; a direct-mapped table of the same size kept about 75%). */
static void test_working_set_is_kept(void **state)
{
    enum { N = 2560 };
    json_t **first = calloc(N, sizeof *first);
    char text[256];
    for (int pass = 0; pass < 2; pass++) {
        int hits = 0;
        for (int i = 0; i < N; i++) {
            snprintf(text, sizeof text,
                     "{\"pk\":{\"S\":\"MSG#group-%d\"},\"sk\":{\"S\":\"2026-01-01T00:00:00.%06d\"},"
                     "\"message\":{\"S\":\"hello there\"}}",
                     i / 40, i % 40);
            json_t *item = decode(text);
            if (pass == 0)
                first[i] = item;
            else {
                hits += item == first[i];
                json_decref(item);
            }
        }
        if (pass == 1) assert_true(hits >= N * 90 / 100);
    }
    for (int i = 0; i < N; i++)
        json_decref(first[i]);
    free(first);
}

/* Large items fill the text budget before the slots: the memo stays near
   4 MiB of text (about 40 MiB decoded) however many are read, and still
   takes new items afterwards. */
static void test_text_budget_bounds_memory(void **state)
{
    buf_t b = BUF_INIT;
    for (int i = 0; i < 3000; i++) {
        buf_reset(&b);
        buf_printf(&b, "{\"pk\":{\"S\":\"big %d\"},\"v\":{\"S\":\"", i);
        for (int j = 0; j < 3500; j++)
            buf_putc(&b, (char)('a' + (i + j) % 26));
        buf_puts(&b, "\"}}");
        json_decref(item_cache_decode(b.data, (int)b.len));
        assert_true(item_cache_kept_bytes() <= (4u << 20) + 4096);
    }
    assert_true(item_cache_kept_bytes() > (3u << 20)); /* it was used, up to the budget */
    /* New small items are still kept. */
    int hits = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 100; i++) {
            buf_reset(&b);
            buf_printf(&b, "{\"pk\":{\"S\":\"small %d\"}}", i);
            json_t *x = item_cache_decode(b.data, (int)b.len);
            json_t *y = item_cache_decode(b.data, (int)b.len);
            if (pass == 1) hits += x == y;
            json_decref(x);
            json_decref(y);
        }
    }
    assert_true(hits >= 90);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_text_is_shared),
        cmocka_unit_test(test_invalid_and_large),
        cmocka_unit_test(test_threads_get_their_own_items),
        cmocka_unit_test(test_text_of_a_cached_item),
        cmocka_unit_test(test_no_text_once_replaced),
        cmocka_unit_test(test_working_set_is_kept),
        cmocka_unit_test(test_text_budget_bounds_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
