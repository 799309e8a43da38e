/*
 * Unit tests for src/http/stream: a handler's streaming response sends
 * what other threads write, as they write it; ending it finishes the
 * response; a client that is gone makes writes fail; a client that does
 * not read is cut off at the pending limit; a server stops with streams
 * open (libmicrohttpd refuses to stop with a suspended connection).
 *
 * The client is a plain socket, so that the test sees the bytes as sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "http/stream.h"
#include "testutil.h"

/* The stream the handler made, handed to the test thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t made = PTHREAD_COND_INITIALIZER;
static http_stream *current;

static void handler(void *ctx, const http_request *req, http_response *res)
{
    (void)ctx;
    (void)req;
    http_response_header(res, "X-Kind", "stream");
    http_stream *st = http_response_stream(res, 200, "text/event-stream");
    assert_true(http_stream_write(st, "first\n", 6)); /* before the hand-over */
    pthread_mutex_lock(&lock);
    current = st;
    pthread_cond_signal(&made);
    pthread_mutex_unlock(&lock);
}

static http_stream *take_stream(void)
{
    pthread_mutex_lock(&lock);
    while (!current)
        pthread_cond_wait(&made, &lock);
    http_stream *st = current;
    current = NULL;
    pthread_mutex_unlock(&lock);
    return st;
}

static http_server *start(void)
{
    char err[256];
    http_config cfg = {.port = 0, .threads = 2, .quiet = true};
    http_server *s = http_server_start(&cfg, handler, NULL, err, sizeof err);
    assert_non_null(s);
    return s;
}

static int connect_get(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    const char *req = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    return fd;
}

/* Reads until `want` has arrived (or the peer closes, or 10 s pass). */
static bool read_until(int fd, buf_t *got, const char *want)
{
    int64_t deadline = clock_mono_us() + 10 * 1000000LL;
    while (!strstr(buf_cstr(got), want)) {
        int left = (int)((deadline - clock_mono_us()) / 1000);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0) return false;
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0) return strstr(buf_cstr(got), want) != NULL;
        buf_append(got, chunk, (size_t)n);
    }
    return true;
}

static void test_writes_arrive_as_written_and_end_finishes(void **state)
{
    (void)state;
    http_server *s = start();
    int fd = connect_get(http_server_port(s));
    http_stream *st = take_stream();
    buf_t got = BUF_INIT;
    assert_true(read_until(fd, &got, "first\n"));
    assert_non_null(strstr(got.data, "HTTP/1.1 200"));
    assert_non_null(strstr(got.data, "Content-Type: text/event-stream"));
    assert_non_null(strstr(got.data, "X-Kind: stream"));
    assert_non_null(strstr(got.data, "Transfer-Encoding: chunked"));
    /* The connection is idle (suspended) now; a write from here wakes it. */
    assert_true(http_stream_write(st, "second\n", 7));
    assert_true(read_until(fd, &got, "second\n"));
    assert_true(http_stream_is_open(st));
    http_stream_end(st);
    assert_true(read_until(fd, &got, "\r\n0\r\n\r\n")); /* the last chunk */
    assert_false(http_stream_write(st, "late\n", 5));
    assert_false(http_stream_is_open(st));
    http_stream_release(st);
    buf_free(&got);
    close(fd);
    http_server_stop(s);
}

static void test_a_gone_client_makes_writes_fail(void **state)
{
    (void)state;
    http_server *s = start();
    int fd = connect_get(http_server_port(s));
    http_stream *st = take_stream();
    buf_t got = BUF_INIT;
    assert_true(read_until(fd, &got, "first\n"));
    close(fd);
    /* The server notices on a write: the first may still be taken by the
       kernel, a later one finds the connection finished. */
    int64_t deadline = clock_mono_us() + 10 * 1000000LL;
    while (http_stream_write(st, "ping\n", 5)) {
        assert_true(clock_mono_us() < deadline);
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_false(http_stream_is_open(st));
    http_stream_release(st);
    buf_free(&got);
    http_server_stop(s);
}

static void test_a_client_that_does_not_read_is_cut_off(void **state)
{
    (void)state;
    http_server *s = start();
    int fd = connect_get(http_server_port(s));
    http_stream *st = take_stream();
    char *block = malloc(64 * 1024);
    memset(block, 'x', 64 * 1024);
    /* The socket buffers take some; past them, at most the pending limit
       is queued, then writes fail and the stream ends. */
    size_t written = 0;
    while (http_stream_write(st, block, 64 * 1024)) {
        written += 64 * 1024;
        assert_true(written < 64 * 1024 * 1024);
    }
    assert_false(http_stream_is_open(st));
    free(block);
    http_stream_release(st);
    close(fd);
    http_server_stop(s);
}

static void test_the_server_stops_with_streams_open(void **state)
{
    (void)state;
    http_server *s = start();
    int fd1 = connect_get(http_server_port(s));
    http_stream *a = take_stream();
    int fd2 = connect_get(http_server_port(s));
    http_stream *b = take_stream();
    buf_t got = BUF_INIT;
    assert_true(read_until(fd1, &got, "first\n"));
    http_server_stop(s); /* both are suspended, waiting for writes */
    assert_false(http_stream_is_open(a));
    assert_false(http_stream_write(b, "x", 1));
    http_stream_release(a);
    http_stream_release(b);
    buf_free(&got);
    close(fd1);
    close(fd2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writes_arrive_as_written_and_end_finishes),
        cmocka_unit_test(test_a_gone_client_makes_writes_fail),
        cmocka_unit_test(test_a_client_that_does_not_read_is_cut_off),
        cmocka_unit_test(test_the_server_stops_with_streams_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
