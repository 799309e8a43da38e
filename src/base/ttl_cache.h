/*
 * ttl_cache: a small, bounded, thread-safe cache from string keys to
 * values that stay valid for a fixed time (the ttl) after they were put.
 * The program uses it where a short staleness buys a lot: the users
 * directory's answer for a token's subject (http/user_cache.h) and
 * conversation membership (messaging).
 *
 * Bounded: the cache is set associative. A key hashes to one set of a few
 * slots, and a put takes the slot already holding that key, else an empty
 * one, else an expired one, else the one written longest ago. The number
 * of entries is thus bounded by the number of slots without any list
 * upkeep, and each set has its own mutex.
 *
 * Times are passed in (monotonic microseconds, clock_mono_us()) so that
 * expiry can be tested without waiting.
 *
 * Ownership: the cache keeps its own copies of keys and values, made with
 * the ops given at creation; ttl_cache_get hands out a new copy that the
 * caller frees with the same ops' free. Without ops the cache holds keys
 * only (a set of recently seen keys). Any number of threads may call get
 * and put at once.
 */
#ifndef CRUDDUR_BASE_TTL_CACHE_H
#define CRUDDUR_BASE_TTL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ttl_cache_ops {
    void *(*copy)(const void *value); /* a deep copy (never NULL) */
    void (*free)(void *value);        /* frees a copy; NULL is a no-op */
} ttl_cache_ops;

typedef struct ttl_cache ttl_cache;

/* A cache of at most capacity entries (rounded down to a multiple of the
   set size, at least one set), each valid for ttl_us. ops may be NULL. */
ttl_cache *ttl_cache_new(size_t capacity, int64_t ttl_us, const ttl_cache_ops *ops);
/* Frees the cache and its entries. NULL is a no-op. No call may be in flight. */
void ttl_cache_free(ttl_cache *c);

/* True when key has an entry still fresh at now_us; then, when value is
   not NULL, *value is a new copy of it (NULL for a cache without ops). */
bool ttl_cache_get(ttl_cache *c, const char *key, int64_t now_us, void **value);
/* Caches key (with a copy of value, when the cache has ops) from now_us
   on, replacing any entry for key. */
void ttl_cache_put(ttl_cache *c, const char *key, const void *value, int64_t now_us);

/* How many entries the cache holds, fresh or not (tests). */
size_t ttl_cache_count(ttl_cache *c);

#endif
