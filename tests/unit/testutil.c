/*
 * testutil: helpers for the unit tests. See testutil.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *tu_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    if (!j) fail_msg("bad JSON in test (%s at %d): %s", e.text, e.position, text);
    return j;
}

void tu_assert_json_eq(const json_t *actual, const char *expected)
{
    json_t *want = tu_json(expected);
    if (!actual || !json_equal(actual, want)) {
        char *got = actual ? json_dumps(actual, JSON_COMPACT | JSON_SORT_KEYS) : strdup("NULL");
        char *exp = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
        print_error("expected: %s\n  actual: %s\n", exp, got);
        free(got);
        free(exp);
        json_decref(want);
        fail();
    }
    json_decref(want);
}

char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/cruddur-test-XXXXXX";
    if (!mkdtemp(tmpl)) fail_msg("mkdtemp failed");
    return strdup(tmpl);
}

void tu_rmdir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) print_error("could not remove %s\n", dir);
}
