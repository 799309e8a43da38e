/*
 * user_cache: the sub -> user cache of user_cache.h. The table is set
 * associative: a sub hashes to one set of USER_CACHE_WAYS slots, and a put
 * takes the slot already holding that sub, else an empty one, else an
 * expired one, else the one that was written longest ago. The number of
 * entries is thus bounded by the number of slots without any list upkeep.
 *
 * Each set has its own mutex, so that requests for different users rarely
 * wait for each other. The critical sections only compare and copy a few
 * short strings; allocations of a put and frees of a replaced entry happen
 * outside the lock.
 */
#include "http/user_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define USER_CACHE_WAYS 4

typedef struct slot {
    char *sub;          /* NULL: empty */
    users_user_t *user; /* the cache's own copy */
    int64_t stored_us;  /* when it was put */
} slot;

typedef struct cache_set {
    pthread_mutex_t lock;
    slot slots[USER_CACHE_WAYS];
} cache_set;

struct user_cache {
    cache_set *sets;
    size_t n_sets;
    int64_t ttl_us;
};

/* strdup that keeps NULL as NULL and aborts on memory exhaustion. */
static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

/* A deep copy of a user. */
static users_user_t *user_copy(const users_user_t *u)
{
    users_user_t *c = malloc(sizeof *c);
    if (!c) abort();
    memcpy(c->uuid, u->uuid, sizeof c->uuid);
    memcpy(c->created_at, u->created_at, sizeof c->created_at);
    c->display_name = dup_or_null(u->display_name);
    c->handle = dup_or_null(u->handle);
    c->email = dup_or_null(u->email);
    c->cognito_user_id = dup_or_null(u->cognito_user_id);
    return c;
}

/* FNV-1a: subs are uuids or similar, spread well enough for this. */
static uint64_t hash_sub(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static cache_set *set_for(user_cache *c, const char *sub)
{
    return &c->sets[hash_sub(sub) % c->n_sets];
}

user_cache *user_cache_new(size_t capacity, int64_t ttl_us)
{
    user_cache *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->n_sets = capacity < USER_CACHE_WAYS ? 1 : capacity / USER_CACHE_WAYS;
    c->ttl_us = ttl_us;
    c->sets = calloc(c->n_sets, sizeof *c->sets);
    if (!c->sets) abort();
    for (size_t i = 0; i < c->n_sets; i++)
        pthread_mutex_init(&c->sets[i].lock, NULL);
    return c;
}

void user_cache_free(user_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_sets; i++) {
        for (int w = 0; w < USER_CACHE_WAYS; w++) {
            free(c->sets[i].slots[w].sub);
            users_user_free(c->sets[i].slots[w].user);
        }
        pthread_mutex_destroy(&c->sets[i].lock);
    }
    free(c->sets);
    free(c);
}

users_user_t *user_cache_get(user_cache *c, const char *sub, int64_t now_us)
{
    if (!c || !sub) return NULL;
    cache_set *set = set_for(c, sub);
    users_user_t *found = NULL;
    pthread_mutex_lock(&set->lock);
    for (int w = 0; w < USER_CACHE_WAYS; w++) {
        const slot *s = &set->slots[w];
        if (s->sub && !strcmp(s->sub, sub)) {
            if (now_us - s->stored_us < c->ttl_us) found = user_copy(s->user);
            break;
        }
    }
    pthread_mutex_unlock(&set->lock);
    return found;
}

/* The slot of a set that a put for sub should take (see the file comment). */
static slot *victim(cache_set *set, const char *sub, int64_t now_us, int64_t ttl_us)
{
    slot *pick = NULL;
    for (int w = 0; w < USER_CACHE_WAYS; w++) {
        slot *s = &set->slots[w];
        if (s->sub && !strcmp(s->sub, sub)) return s;
    }
    for (int w = 0; w < USER_CACHE_WAYS; w++) {
        slot *s = &set->slots[w];
        if (!s->sub || now_us - s->stored_us >= ttl_us) return s;
        if (!pick || s->stored_us < pick->stored_us) pick = s;
    }
    return pick;
}

void user_cache_put(user_cache *c, const char *sub, const users_user_t *u, int64_t now_us)
{
    if (!c || !sub || !u) return;
    char *new_sub = dup_or_null(sub);
    users_user_t *new_user = user_copy(u);
    cache_set *set = set_for(c, sub);
    pthread_mutex_lock(&set->lock);
    slot *s = victim(set, sub, now_us, c->ttl_us);
    char *old_sub = s->sub;
    users_user_t *old_user = s->user;
    s->sub = new_sub;
    s->user = new_user;
    s->stored_us = now_us;
    pthread_mutex_unlock(&set->lock);
    free(old_sub);
    users_user_free(old_user);
}

size_t user_cache_count(user_cache *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_sets; i++) {
        pthread_mutex_lock(&c->sets[i].lock);
        for (int w = 0; w < USER_CACHE_WAYS; w++)
            n += c->sets[i].slots[w].sub != NULL;
        pthread_mutex_unlock(&c->sets[i].lock);
    }
    return n;
}
