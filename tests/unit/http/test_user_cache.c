/*
 * Unit tests for src/http/user_cache: a hit returns an independent copy of
 * what was put, entries expire after the ttl, a put for the same sub
 * replaces it, the number of entries stays within the capacity while many
 * more subs are put, and many threads can get and put at once while
 * entries are replaced (every hit must still be its sub's user; ASan checks
 * the copies).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/user_cache.h"
#include "testutil.h"

#define TTL 1000 /* microseconds; the tests pass their own times */

/* A user on the stack whose strings are literals or the given buffers. */
static users_user_t make_user(const char *uuid, char *handle, char *display_name)
{
    users_user_t u = {.display_name = display_name, .handle = handle};
    snprintf(u.uuid, sizeof u.uuid, "%s", uuid);
    snprintf(u.created_at, sizeof u.created_at, "2026-01-02T03:04:05.000000+00:00");
    return u;
}

static void test_hit_is_a_copy(void **state)
{
    (void)state;
    user_cache *c = user_cache_new(16, TTL);
    char handle[] = "bayko", name[] = "Andrew Bayko";
    users_user_t u = make_user("1b5c3f3e-7d3a-4f1e-9a55-0c1a2b3c4d5e", handle, name);
    u.email = "bayko@example.com";
    assert_null(user_cache_get(c, "sub-1", 0));
    user_cache_put(c, "sub-1", &u, 0);
    handle[0] = 'X'; /* the cache holds its own copy */
    users_user_t *got = user_cache_get(c, "sub-1", 10);
    assert_non_null(got);
    assert_string_equal(got->handle, "bayko");
    assert_string_equal(got->display_name, "Andrew Bayko");
    assert_string_equal(got->email, "bayko@example.com");
    assert_null(got->cognito_user_id);
    assert_string_equal(got->uuid, "1b5c3f3e-7d3a-4f1e-9a55-0c1a2b3c4d5e");
    assert_string_equal(got->created_at, "2026-01-02T03:04:05.000000+00:00");
    users_user_t *again = user_cache_get(c, "sub-1", 20);
    assert_non_null(again);
    assert_ptr_not_equal(again, got);
    users_user_free(got);
    assert_string_equal(again->handle, "bayko");
    users_user_free(again);
    assert_null(user_cache_get(c, "sub-2", 20)); /* another sub misses */
    assert_null(user_cache_get(c, NULL, 20));
    user_cache_free(c);
}

static void test_expiry_and_replace(void **state)
{
    (void)state;
    user_cache *c = user_cache_new(16, TTL);
    users_user_t a = make_user("00000000-0000-4000-8000-000000000001", "andrew", "Andrew");
    users_user_t b = make_user("00000000-0000-4000-8000-000000000002", "londo", "Londo");
    user_cache_put(c, "sub", &a, 5000);
    users_user_t *got = user_cache_get(c, "sub", 5000 + TTL - 1);
    assert_non_null(got);
    users_user_free(got);
    assert_null(user_cache_get(c, "sub", 5000 + TTL)); /* expired */
    assert_null(user_cache_get(c, "sub", 5000 + 10 * TTL));
    /* a put for the same sub replaces the entry instead of adding one */
    user_cache_put(c, "sub", &a, 9000);
    user_cache_put(c, "sub", &b, 9001);
    assert_int_equal(user_cache_count(c), 1);
    got = user_cache_get(c, "sub", 9002);
    assert_non_null(got);
    assert_string_equal(got->handle, "londo");
    users_user_free(got);
    user_cache_free(c);
}

static void test_bounded(void **state)
{
    (void)state;
    static const struct {
        size_t capacity, bound;
    } cases[] = {{64, 64}, {10, 8}, {1, 4}, {4096, 4096}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        user_cache *c = user_cache_new(cases[k].capacity, TTL);
        users_user_t u = make_user("00000000-0000-4000-8000-000000000003", "h", "n");
        size_t puts = cases[k].capacity * 8 + 100;
        for (size_t i = 0; i < puts; i++) {
            char sub[32];
            snprintf(sub, sizeof sub, "sub-%zu", i);
            user_cache_put(c, sub, &u, (int64_t)i);
        }
        size_t n = user_cache_count(c);
        assert_true(n <= cases[k].bound);
        assert_true(n > 0);
        /* the newest entry was kept: it replaced an older one in its set */
        char last[32];
        snprintf(last, sizeof last, "sub-%zu", puts - 1);
        users_user_t *got = user_cache_get(c, last, (int64_t)puts);
        assert_non_null(got);
        users_user_free(got);
        user_cache_free(c);
    }
}

#define N_THREADS 8
#define N_SUBS 200
#define N_ROUNDS 3000

typedef struct worker {
    user_cache *c;
    int id;
    int hits;
    int bad;
} worker;

/* Puts and gets a shared set of subs; every hit must be the user of its sub. */
static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < N_ROUNDS; i++) {
        int k = (i * 7 + w->id * 13) % N_SUBS;
        char sub[32], handle[32];
        snprintf(sub, sizeof sub, "sub-%d", k);
        snprintf(handle, sizeof handle, "user-%d", k);
        users_user_t *got = user_cache_get(w->c, sub, i);
        if (got) {
            w->hits++;
            if (strcmp(got->handle, handle) != 0) w->bad++;
            users_user_free(got);
        } else {
            users_user_t u = make_user("00000000-0000-4000-8000-000000000004", handle, "N");
            user_cache_put(w->c, sub, &u, i);
        }
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    /* smaller than the working set, so that replacement races with gets */
    user_cache *c = user_cache_new(64, 1000000);
    pthread_t t[N_THREADS];
    worker w[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        w[i] = (worker){.c = c, .id = i};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    int hits = 0;
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].bad, 0);
        hits += w[i].hits;
    }
    assert_true(hits > 0);
    assert_true(user_cache_count(c) <= 64);
    user_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_is_a_copy),
        cmocka_unit_test(test_expiry_and_replace),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
