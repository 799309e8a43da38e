/*
 * Unit tests for src/base/opts: the commands' one option parser walks argv,
 * reads values and numbers, and words every mistake the same way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/opts.h"

/* Runs the parser over argv with messages captured into msg. */
typedef struct run {
    opts_iter it;
    char *msg;
    size_t len;
} run;

static void start(run *r, int argc, char **argv)
{
    opts_init(&r->it, "cruddur x", argc, argv);
    r->msg = NULL;
    r->len = 0;
    r->it.err = open_memstream(&r->msg, &r->len);
    assert_non_null(r->it.err);
}

static const char *said(run *r)
{
    fflush(r->it.err);
    return r->msg ? r->msg : "";
}

static void done(run *r)
{
    fclose(r->it.err);
    free(r->msg);
}

static void test_walks_options_and_values(void **state)
{
    char *argv[] = {"x", "--port", "80", "--data", "", "word", "--quiet", "-h", NULL};
    run r;
    start(&r, 8, argv);
    long port = 0;
    assert_true(opts_next(&r.it));
    assert_true(opts_is(&r.it, "--port"));
    assert_true(opts_long(&r.it, 0, 65535, &port));
    assert_int_equal(port, 80);
    assert_true(opts_next(&r.it));
    assert_true(opts_is(&r.it, "--data"));
    assert_string_equal(opts_value(&r.it), ""); /* empty is the command's to judge */
    assert_true(opts_next(&r.it));
    assert_false(opts_is_option(&r.it));
    assert_string_equal(r.it.arg, "word");
    assert_true(opts_next(&r.it));
    assert_true(opts_is_option(&r.it));
    assert_true(opts_next(&r.it));
    assert_true(opts_is_help(&r.it));
    assert_false(opts_next(&r.it));
    assert_string_equal(said(&r), "");
    done(&r);
}

static void test_missing_value(void **state)
{
    char *argv[] = {"x", "--port", NULL};
    run r;
    start(&r, 2, argv);
    long v = 7;
    assert_true(opts_next(&r.it));
    assert_false(opts_long(&r.it, 0, 65535, &v));
    assert_int_equal(v, 7);
    assert_string_equal(said(&r), "cruddur x: --port: missing value\n");
    done(&r);
}

static void test_invalid_numbers(void **state)
{
    const char *bad[] = {"", "x", "4x", "70000", "-1", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {"x", "--port", (char *)bad[i], NULL};
        run r;
        start(&r, 3, argv);
        long v;
        assert_true(opts_next(&r.it));
        assert_false(opts_long(&r.it, 0, 65535, &v));
        char want[200];
        snprintf(want, sizeof want,
                 "cruddur x: --port: invalid value '%s' (a whole number from 0 to 65535)\n",
                 bad[i]);
        assert_string_equal(said(&r), want);
        done(&r);
    }
}

static void test_unknown(void **state)
{
    char *argv[] = {"x", "--bogus", "stray", NULL};
    run r;
    start(&r, 3, argv);
    assert_true(opts_next(&r.it));
    opts_unknown(&r.it);
    assert_true(opts_next(&r.it));
    opts_unknown(&r.it);
    assert_string_equal(said(&r), "cruddur x: unknown option '--bogus'\n"
                                  "cruddur x: unexpected argument 'stray'\n");
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walks_options_and_values),
        cmocka_unit_test(test_missing_value),
        cmocka_unit_test(test_invalid_numbers),
        cmocka_unit_test(test_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
