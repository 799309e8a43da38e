/*
 * Unit tests for src/base: buffers, ISO-8601 time, UUIDs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"

static void test_buf_grows_and_formats(void **state)
{
    buf_t b = BUF_INIT;
    assert_string_equal(buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i);
    assert_true(b.len > 1000);
    assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
    char *s = buf_detach(&b);
    assert_null(b.data);
    free(s);
    /* An empty buffer detaches as "" (it once gave unterminated memory). */
    s = buf_detach(&b);
    assert_string_equal(s, "");
    free(s);
}

static void test_clock_format_fixed_width(void **state)
{
    char out[CLOCK_ISO_LEN];
    clock_format_iso(1679352731123456LL, out);
    assert_string_equal(out, "2023-03-20T22:52:11.123456+00:00");
    clock_format_iso(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000000+00:00");
}

static void test_clock_parse_variants(void **state)
{
    int64_t us;
    assert_true(clock_parse_iso("2023-03-20T22:52:11.123456+00:00", &us));
    assert_int_equal(us, 1679352731123456LL);
    assert_true(clock_parse_iso("2023-03-20T22:52:11", &us));
    assert_int_equal(us, 1679352731000000LL);
    assert_true(clock_parse_iso("2023-03-20 22:52:11.5Z", &us));
    assert_int_equal(us, 1679352731500000LL);
    assert_true(clock_parse_iso("2023-03-21T00:52:11+02:00", &us));
    assert_int_equal(us, 1679352731000000LL);
    assert_false(clock_parse_iso("2023-03-20", &us));
    assert_false(clock_parse_iso("2023-13-20T22:52:11", &us));
    assert_false(clock_parse_iso("2023-03-20T22:52:11.+00:00", &us));
    assert_false(clock_parse_iso("garbage", &us));
}

static void test_uuid_v4_shape(void **state)
{
    char a[UUID_STR_LEN], b[UUID_STR_LEN];
    uuid_v4(a);
    uuid_v4(b);
    assert_true(uuid_is_valid(a));
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '4');
    assert_false(uuid_is_valid("5ae290ed-55d1-47a0-bc6d-fe2bc270039"));
    assert_false(uuid_is_valid("5ae290ed-55d1-47a0-bc6d-fe2bc270039g"));
    assert_true(uuid_is_valid("5ae290ed-55d1-47a0-bc6d-fe2bc2700399"));
}

/* Many ids (several refills of the per-thread pool) are all distinct and
   carry the version and variant bits. */
static void test_uuid_v4_many_distinct(void **state)
{
    enum { N = 5000 };
    char(*ids)[UUID_STR_LEN] = malloc(N * sizeof *ids);
    for (int i = 0; i < N; i++) {
        uuid_v4(ids[i]);
        assert_true(uuid_is_valid(ids[i]));
        assert_int_equal(ids[i][14], '4');
        assert_non_null(strchr("89ab", ids[i][19]));
    }
    qsort(ids, N, sizeof *ids, (int (*)(const void *, const void *))strcmp);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
}

/* A forked child does not hand out the ids its parent will. */
static void test_uuid_v4_fork_does_not_repeat(void **state)
{
    char first[UUID_STR_LEN], parent[UUID_STR_LEN], child[UUID_STR_LEN] = "";
    uuid_v4(first); /* the pool now holds bytes both would share */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char id[UUID_STR_LEN];
        uuid_v4(id);
        ssize_t w = write(fds[1], id, sizeof id);
        _exit(w == (ssize_t)sizeof id ? 0 : 1);
    }
    uuid_v4(parent);
    assert_int_equal(read(fds[0], child, sizeof child), (ssize_t)sizeof child);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(uuid_is_valid(child));
    assert_string_not_equal(parent, child);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows_and_formats),
        cmocka_unit_test(test_clock_format_fixed_width),
        cmocka_unit_test(test_clock_parse_variants),
        cmocka_unit_test(test_uuid_v4_shape),
        cmocka_unit_test(test_uuid_v4_many_distinct),
        cmocka_unit_test(test_uuid_v4_fork_does_not_repeat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
