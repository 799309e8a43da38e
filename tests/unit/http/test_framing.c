/*
 * Unit tests for src/http/framing: which framing headers make a request's
 * length ambiguous (RFC 9112 section 6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/framing.h"

static int verdict(const char *version, const char *cl1, const char *cl2, const char *te1,
                   const char *te2)
{
    http_framing f = {.version = version};
    if (cl1) f.content_length[f.n_content_length++] = cl1;
    if (cl2) f.content_length[f.n_content_length++] = cl2;
    if (te1) f.transfer_encoding[f.n_transfer_encoding++] = te1;
    if (te2) f.transfer_encoding[f.n_transfer_encoding++] = te2;
    const char *why = NULL;
    int status = http_framing_verdict(&f, &why);
    if (status) assert_non_null(why);
    return status;
}

static void test_one_framing_is_accepted(void **state)
{
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, NULL, NULL), 0);
    assert_int_equal(verdict("HTTP/1.1", "12", NULL, NULL, NULL), 0);
    assert_int_equal(verdict("HTTP/1.1", "12", "12", NULL, NULL), 0);
    assert_int_equal(verdict("HTTP/1.1", "12", "012", NULL, NULL), 0);
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, "chunked", NULL), 0);
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, " CHUNKED ", NULL), 0);
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, "chunked,", NULL), 0);
    assert_int_equal(verdict("HTTP/1.0", "3", NULL, NULL, NULL), 0);
}

static void test_two_framings_are_refused(void **state)
{
    assert_int_equal(verdict("HTTP/1.1", "12", NULL, "chunked", NULL), 400);
    assert_int_equal(verdict("HTTP/1.1", "12", "13", NULL, NULL), 400);
    assert_int_equal(verdict("HTTP/1.1", "0", "", NULL, NULL), 400);
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, "chunked", "chunked"), 400);
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, "chunked, chunked", NULL), 400);
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, "", NULL), 400);
    assert_int_equal(verdict("HTTP/1.0", NULL, NULL, "chunked", NULL), 400);
}

static void test_unknown_codings_are_not_implemented(void **state)
{
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, "gzip", NULL), 501);
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, "gzip, chunked", NULL), 501);
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, "gzip", "chunked"), 501);
    assert_int_equal(verdict("HTTP/1.1", NULL, NULL, "chunkedx", NULL), 501);
}

static void test_many_headers_are_counted_past_the_kept_values(void **state)
{
    http_framing f = {.version = "HTTP/1.1", .n_content_length = 9};
    for (int i = 0; i < 4; i++)
        f.content_length[i] = "5";
    const char *why;
    assert_int_equal(http_framing_verdict(&f, &why), 400);
    http_framing g = {.version = "HTTP/1.1", .n_transfer_encoding = 6};
    for (int i = 0; i < 4; i++)
        g.transfer_encoding[i] = "chunked";
    assert_true(http_framing_verdict(&g, &why) >= 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_framing_is_accepted),
        cmocka_unit_test(test_two_framings_are_refused),
        cmocka_unit_test(test_unknown_codings_are_not_implemented),
        cmocka_unit_test(test_many_headers_are_counted_past_the_kept_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
