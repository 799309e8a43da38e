/*
 * Unit tests for src/base/alloc: the x* allocators return what their libc
 * namesakes would, and a failure is one line on stderr and an abort (the
 * one allocation policy of the program).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/alloc.h"

static void test_copies_and_formats(void **state)
{
    char *s = xstrdup("hello");
    assert_string_equal(s, "hello");
    free(s);
    s = xstrndup("hello", 3);
    assert_string_equal(s, "hel");
    free(s);
    s = xasprintf("%s/%d", "dir", 42);
    assert_string_equal(s, "dir/42");
    free(s);
    int *z = xcalloc(8, sizeof *z);
    for (int i = 0; i < 8; i++)
        assert_int_equal(z[i], 0);
    z = xreallocarray(z, 1000, sizeof *z);
    z[999] = 7;
    free(z);
    /* Zero bytes is a valid request: a pointer that free() takes. */
    void *p = xmalloc(0);
    assert_non_null(p);
    free(p);
}

/* Runs fn in a child with stderr captured; returns the text and the status. */
static int run_child(void (*fn)(void), char *text, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t got;
    while (n + 1 < cap && (got = read(fds[0], text + n, cap - 1 - n)) > 0)
        n += (size_t)got;
    text[n] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void overflow(void)
{
    /* count * size does not fit in size_t: refused before asking libc. */
    (void)xreallocarray(NULL, SIZE_MAX / 2, 4);
}

static void test_failure_is_one_line_and_an_abort(void **state)
{
    char text[4096];
    int status = run_child(overflow, text, sizeof text);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(text, "cruddur: out of memory (array size overflow)\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copies_and_formats),
        cmocka_unit_test(test_failure_is_one_line_and_an_abort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
