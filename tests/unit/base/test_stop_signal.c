/*
 * Unit tests for src/base/stop_signal: a stop signal sent to a process
 * that blocked it stays pending until taken, including one sent to the
 * process while another thread runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "base/stop_signal.h"

static void *idle_thread(void *arg)
{
    return arg;
}

static void test_blocked_signal_waits_to_be_taken(void **state)
{
    stop_signal_block();
    assert_false(stop_signal_pending());
    assert_int_equal(stop_signal_wait(0), 0);
    assert_int_equal(stop_signal_wait(20), 0);

    /* A thread started after the block inherits it: the process-directed
       SIGTERM stays pending instead of ending the test. */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, idle_thread, NULL), 0);
    assert_int_equal(kill(getpid(), SIGTERM), 0);
    assert_true(stop_signal_pending());
    assert_true(stop_signal_pending()); /* asking does not take it */
    assert_int_equal(stop_signal_wait(-1), SIGTERM);
    assert_false(stop_signal_pending());
    pthread_join(t, NULL);

    assert_int_equal(kill(getpid(), SIGINT), 0);
    assert_int_equal(stop_signal_wait(1000), SIGINT);
    assert_string_equal(stop_signal_name(SIGINT), "SIGINT");
    assert_string_equal(stop_signal_name(SIGTERM), "SIGTERM");
}

static void test_sigpipe_is_ignored(void **state)
{
    stop_signal_block();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    /* Without the SIG_IGN this write would end the process. */
    assert_int_equal(write(fds[1], "x", 1), -1);
    close(fds[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocked_signal_waits_to_be_taken),
        cmocka_unit_test(test_sigpipe_is_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
