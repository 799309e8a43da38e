/*
 * Unit tests for src/base/ttl_cache as a set of keys (no values): a key is
 * present until its ttl has passed, a put refreshes it, and the number of
 * keys stays within the capacity however many are put. Values, copies and
 * threads are covered through http/user_cache (tests/unit/http).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include "base/ttl_cache.h"

#define TTL 1000

static void test_keys_expire_after_the_ttl(void **state)
{
    ttl_cache *c = ttl_cache_new(64, TTL, NULL);
    void *v = (void *)1;
    assert_false(ttl_cache_get(c, "a b", 0, &v));
    assert_null(v);
    ttl_cache_put(c, "a b", NULL, 100);
    assert_true(ttl_cache_get(c, "a b", 100 + TTL - 1, &v));
    assert_null(v); /* a set of keys has no values */
    assert_false(ttl_cache_get(c, "a c", 100, NULL));
    assert_false(ttl_cache_get(c, "a b", 100 + TTL, NULL));
    ttl_cache_put(c, "a b", NULL, 100 + TTL); /* refreshed */
    assert_true(ttl_cache_get(c, "a b", 100 + 2 * TTL - 1, NULL));
    ttl_cache_free(c);
}

static void test_capacity_bounds_the_entries(void **state)
{
    ttl_cache *c = ttl_cache_new(32, TTL, NULL);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "user-%d group", i);
        ttl_cache_put(c, key, NULL, i);
        assert_true(ttl_cache_get(c, key, i, NULL)); /* the newest is always kept */
    }
    assert_true(ttl_cache_count(c) <= 32);
    ttl_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_expire_after_the_ttl),
        cmocka_unit_test(test_capacity_bounds_the_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
