/*
 * user_cache: a small, bounded, thread-safe cache from a token's `sub` to
 * the user it names, so that an authenticated request does not need a
 * users-directory lookup (a network round trip with PostgreSQL) every time.
 *
 * Entries live for a short, fixed time (the ttl): a change made by
 * `cruddur db update-cognito-user-ids` or to a user's profile is seen within
 * that time. Only users that were found are cached; a sub that names nobody
 * is looked up again on every request, so that linking a new user takes
 * effect at once. The cache holds at most `capacity` entries (a ttl_cache,
 * base/ttl_cache.h, whose values are copies of users).
 *
 * Times are passed in (monotonic microseconds, clock_mono_us()) so that
 * expiry can be tested without waiting.
 *
 * Ownership: the cache keeps its own copies; user_cache_get() returns a new
 * copy that the caller frees with users_user_free(). Any number of threads
 * may call get and put at once.
 */
#ifndef CRUDDUR_HTTP_USER_CACHE_H
#define CRUDDUR_HTTP_USER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "users/users.h"

#define USER_CACHE_DEFAULT_CAPACITY 4096
#define USER_CACHE_DEFAULT_TTL_US (30 * 1000000LL) /* 30 s */

typedef struct user_cache user_cache;

/* A cache of at most capacity entries (rounded down to a multiple of 4, at
   least 4), each valid for ttl_us. */
user_cache *user_cache_new(size_t capacity, int64_t ttl_us);
/* Frees the cache and its entries. NULL is a no-op. No call may be in flight. */
void user_cache_free(user_cache *c);

/* A copy of the user cached for sub that is still fresh at now_us, or NULL. */
users_user_t *user_cache_get(user_cache *c, const char *sub, int64_t now_us);
/* Caches a copy of u for sub from now_us on (replacing any entry for sub). */
void user_cache_put(user_cache *c, const char *sub, const users_user_t *u, int64_t now_us);

/* How many entries the cache holds, fresh or not (tests). */
size_t user_cache_count(user_cache *c);

#endif
