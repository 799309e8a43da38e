/*
 * user_cache: the sub -> user cache of user_cache.h, a ttl_cache whose
 * values are deep copies of users.
 */
#include "http/user_cache.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/ttl_cache.h"

struct user_cache {
    ttl_cache *c;
};

/* strdup that keeps NULL as NULL and aborts on memory exhaustion. */
static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    char *d = xstrdup(s);
    return d;
}

/* A deep copy of a user (ttl_cache_ops.copy). */
static void *user_copy(const void *v)
{
    const users_user_t *u = v;
    users_user_t *c = xmalloc(sizeof *c);
    memcpy(c->uuid, u->uuid, sizeof c->uuid);
    memcpy(c->created_at, u->created_at, sizeof c->created_at);
    c->display_name = dup_or_null(u->display_name);
    c->handle = dup_or_null(u->handle);
    c->email = dup_or_null(u->email);
    c->cognito_user_id = dup_or_null(u->cognito_user_id);
    return c;
}

static void user_free(void *v)
{
    users_user_free(v);
}

user_cache *user_cache_new(size_t capacity, int64_t ttl_us)
{
    static const ttl_cache_ops ops = {user_copy, user_free};
    user_cache *c = xmalloc(sizeof *c);
    c->c = ttl_cache_new(capacity, ttl_us, &ops);
    return c;
}

void user_cache_free(user_cache *c)
{
    if (!c) return;
    ttl_cache_free(c->c);
    free(c);
}

users_user_t *user_cache_get(user_cache *c, const char *sub, int64_t now_us)
{
    void *found = NULL;
    if (c) ttl_cache_get(c->c, sub, now_us, &found);
    return found;
}

void user_cache_put(user_cache *c, const char *sub, const users_user_t *u, int64_t now_us)
{
    if (c && sub && u) ttl_cache_put(c->c, sub, u, now_us);
}

size_t user_cache_count(user_cache *c)
{
    return ttl_cache_count(c->c);
}
