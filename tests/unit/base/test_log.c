/*
 * Unit tests for src/base/log: one event is one line on stderr, whatever
 * the message holds (control characters, invalid UTF-8, C1 controls are
 * escaped; valid UTF-8 and printable ASCII pass through).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

/* Runs log_info("%s", msg) with stderr sent to a temporary file; returns
   what was written after the level (malloc'd). */
static char *logged(const char *msg)
{
    char path[] = "/tmp/cruddur-test-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    log_info("%s", msg);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char *out = calloc(1, 4096);
    ssize_t n = pread(fd, out, 4095, 0);
    assert_true(n > 0);
    close(fd);
    unlink(path);
    char *text = strstr(out, "INFO  ");
    assert_non_null(text);
    char *result = strdup(text + 6);
    free(out);
    return result;
}

static void check(const char *msg, const char *expected_line)
{
    char *got = logged(msg);
    assert_string_equal(got, expected_line);
    free(got);
}

static void test_plain_text_passes_through(void **state)
{
    check("GET /api/messages 200", "GET /api/messages 200\n");
    check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n");
}

static void test_a_newline_cannot_forge_a_line(void **state)
{
    check("GET /x\n2026-01-01T00:00:00.000Z ERROR forged 200",
          "GET /x\\x0a2026-01-01T00:00:00.000Z ERROR forged 200\n");
    check("a\rb\tc", "a\\x0db\\x09c\n");
}

static void test_terminal_controls_are_escaped(void **state)
{
    check("\x1b[31mred\x7f", "\\x1b[31mred\\x7f\n");
    check("csi \xc2\x9b c1", "csi \\xc2\\x9b c1\n");       /* U+009B as UTF-8 */
    check("lone \x9b byte", "lone \\x9b byte\n");          /* not UTF-8 at all */
    check("cut \xe2\x82", "cut \\xe2\\x82\n");             /* a truncated sequence */
    check("over \xc0\xaf long", "over \\xc0\\xaf long\n"); /* an overlong '/' */
    check("back\\slash", "back\\\\slash\n");
}

static void test_a_trailing_newline_is_not_doubled(void **state)
{
    check("libmicrohttpd says\n", "libmicrohttpd says\n");
}

int main(void)
{
    setenv("CRUDDUR_LOG", "info", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_passes_through),
        cmocka_unit_test(test_a_newline_cannot_forge_a_line),
        cmocka_unit_test(test_terminal_controls_are_escaped),
        cmocka_unit_test(test_a_trailing_newline_is_not_doubled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
