/*
 * Unit tests for src/base/json_out: its text must be byte for byte what
 * json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) writes, for hand-picked
 * values (every escape, extremes of integers, reals, empty containers) and
 * for many random nested values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_out.h"

/* Fails unless json_out's text of v equals jansson's. Consumes v. */
static void assert_same_text(json_t *v)
{
    char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(want);
    size_t len = 0;
    char *got = json_out_dumps(v, &len);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(got, want, len);
    assert_int_equal(got[len], '\0');
    free(got);
    free(want);
    json_decref(v);
}

static void test_scalars(void **state)
{
    assert_same_text(json_true());
    assert_same_text(json_false());
    assert_same_text(json_null());
    assert_same_text(json_integer(0));
    assert_same_text(json_integer(-1));
    assert_same_text(json_integer(INT64_MAX));
    assert_same_text(json_integer(INT64_MIN));
    assert_same_text(json_real(0.5));
    assert_same_text(json_real(-1e300));
    assert_same_text(json_real(3.0));
    assert_same_text(json_string(""));
    assert_same_text(json_string("plain text"));
}

static void test_every_escape(void **state)
{
    /* Every byte below 0x20, the quote, the backslash, the slash and DEL,
       with UTF-8 (two-, three- and four-byte) between them. */
    char s[256];
    size_t n = 0;
    for (int c = 1; c < 0x20; c++) {
        s[n++] = (char)c;
        s[n++] = 'a';
    }
    const char *tail = "\"\\/\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    memcpy(s + n, tail, strlen(tail));
    n += strlen(tail);
    assert_same_text(json_stringn(s, n));
    /* A NUL inside a string (JSON_ALLOW_NUL input) and as the only byte. */
    assert_same_text(json_stringn("a\0b", 3));
    assert_same_text(json_stringn("\0", 1));
}

static void test_containers(void **state)
{
    assert_same_text(json_object());
    assert_same_text(json_array());
    assert_same_text(json_pack("{s:[i,s,{}],s:{s:b,s:n},s:[[],[[]]]}", "L", 1, "x", "M", "BOOL", 1,
                               "NULL", "a\"b", ""));
    /* Keys with escapes and a NUL, in insertion order (not sorted). */
    json_t *o = json_object();
    json_object_set_new(o, "z", json_integer(1));
    json_object_set_new(o, "a\nb", json_integer(2));
    json_object_setn_new(o, "k\0ey", 4, json_integer(3));
    json_object_set_new(o, "m", json_integer(4));
    assert_same_text(o);
}

/* A random value of depth at most `depth` from a fixed generator. */
static json_t *random_value(unsigned *seed, int depth)
{
    int kind = rand_r(seed) % (depth > 0 ? 9 : 7);
    switch (kind) {
    case 0:
        return json_true();
    case 1:
        return json_false();
    case 2:
        return json_null();
    case 3:
        return json_integer((json_int_t)rand_r(seed) - RAND_MAX / 2);
    case 4:
        return json_real((double)rand_r(seed) / 7.0);
    case 5:
    case 6: {
        char s[24];
        size_t n = (size_t)(rand_r(seed) % (int)sizeof s);
        for (size_t i = 0; i < n; i++)
            s[i] = (char)(rand_r(seed) % 0x80); /* ASCII, controls and NUL included */
        return json_stringn(s, n);
    }
    case 7: {
        json_t *a = json_array();
        for (int i = rand_r(seed) % 5; i > 0; i--)
            json_array_append_new(a, random_value(seed, depth - 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (int i = rand_r(seed) % 5; i > 0; i--) {
            char key[8];
            snprintf(key, sizeof key, "k%d", rand_r(seed) % 100);
            json_object_set_new(o, key, random_value(seed, depth - 1));
        }
        return o;
    }
    }
}

static void test_random_values(void **state)
{
    unsigned seed = 20261202;
    for (int i = 0; i < 2000; i++)
        assert_same_text(random_value(&seed, 4));
}

/* NULL (a jansson constructor that failed) is written as null, as the
   API always answered it: never a crash (found by fuzz_api). */
static void test_null_is_null(void **state)
{
    buf_t b = BUF_INIT;
    json_out_append(&b, NULL);
    assert_string_equal(buf_cstr(&b), "null");
    buf_free(&b);
    size_t len = 0;
    char *s = json_out_dumps(NULL, &len);
    assert_string_equal(s, "null");
    assert_int_equal(len, 4);
    free(s);
}

static void test_append_keeps_what_is_there(void **state)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "[");
    json_t *v = json_pack("{s:s}", "S", "hi");
    json_out_append(&b, v);
    buf_putc(&b, ']');
    assert_string_equal(buf_cstr(&b), "[{\"S\":\"hi\"}]");
    json_decref(v);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),      cmocka_unit_test(test_every_escape),
        cmocka_unit_test(test_containers),   cmocka_unit_test(test_random_values),
        cmocka_unit_test(test_null_is_null), cmocka_unit_test(test_append_keeps_what_is_there),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
