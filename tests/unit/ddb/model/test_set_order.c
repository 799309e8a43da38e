/*
 * Unit tests for src/ddb/model/set_order.c: set members in the order
 * DynamoDB Local 3.3.1 returns them (observed with PutItem then GetItem):
 * SS by UTF-16 code units, NS by value, BS by signed bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ddb/model/value.h"
#include "testutil.h"

static void check(const char *in, const char *want)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *av = tu_json(in);
    json_t *out = ddb_av_normalize(av, &err);
    if (!out) fail_msg("%s: %s", in, err.message);
    tu_assert_json_eq(out, want);
    json_decref(out);
    json_decref(av);
}

static void test_string_sets(void **state)
{
    (void)state;
    /* As DynamoDB Local answered ["two","three","b","B","é","a","ab","Z"]. */
    check("{\"SS\": [\"two\", \"three\", \"b\", \"B\", \"\\u00e9\", \"a\", \"ab\", \"Z\"]}",
          "{\"SS\": [\"B\", \"Z\", \"a\", \"ab\", \"b\", \"three\", \"two\", \"\\u00e9\"]}");
    /* UTF-16 order: U+1F600 (surrogates D83D DE00) sorts below U+FF21. */
    check("{\"SS\": [\"\\uff21\", \"\\ud83d\\ude00\", \"\\ud7ff\"]}",
          "{\"SS\": [\"\\ud7ff\", \"\\ud83d\\ude00\", \"\\uff21\"]}");
}

static void test_number_sets(void **state)
{
    (void)state;
    check(
        "{\"NS\": [\"10\", \"9\", \"-1\", \"1.5\", \"100\", \"-20\", \"0.01\", \"1E+3\", \"2\"]}",
        "{\"NS\": [\"-20\", \"-1\", \"0.01\", \"1.5\", \"2\", \"9\", \"10\", \"100\", \"1000\"]}");
}

static void test_binary_sets(void **state)
{
    (void)state;
    /* 0x01, 0x00, 0xff, 0x0001, 0x80 -> 0x80, 0xff, 0x00, 0x0001, 0x01 */
    check("{\"BS\": [\"AQ==\", \"AA==\", \"/w==\", \"AAE=\", \"gA==\"]}",
          "{\"BS\": [\"gA==\", \"/w==\", \"AA==\", \"AAE=\", \"AQ==\"]}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_sets),
        cmocka_unit_test(test_number_sets),
        cmocka_unit_test(test_binary_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
