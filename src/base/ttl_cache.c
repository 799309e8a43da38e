/*
 * ttl_cache: the set-associative cache of ttl_cache.h. The critical
 * sections only compare short keys and swap pointers: copies for a put
 * are made before taking the set's lock, and a replaced entry is freed
 * after releasing it; a get copies the value under the lock (a reader
 * must not see it freed by a concurrent put).
 */
#include "base/alloc.h"
#include "base/ttl_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TTL_CACHE_WAYS 4

typedef struct slot {
    char *key;   /* NULL: empty */
    void *value; /* the cache's own copy (NULL without ops) */
    int64_t stored_us;
} slot;

typedef struct cache_set {
    pthread_mutex_t lock;
    slot slots[TTL_CACHE_WAYS];
} cache_set;

struct ttl_cache {
    cache_set *sets;
    size_t n_sets;
    int64_t ttl_us;
    ttl_cache_ops ops; /* zeroed: keys only */
};

/* FNV-1a: keys are uuids and the like, spread well enough for this. */
static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static cache_set *set_for(ttl_cache *c, const char *key)
{
    return &c->sets[hash_key(key) % c->n_sets];
}

static void *value_copy(const ttl_cache *c, const void *v)
{
    return c->ops.copy && v ? c->ops.copy(v) : NULL;
}

static void value_free(const ttl_cache *c, void *v)
{
    if (c->ops.free && v) c->ops.free(v);
}

ttl_cache *ttl_cache_new(size_t capacity, int64_t ttl_us, const ttl_cache_ops *ops)
{
    ttl_cache *c = xcalloc(1, sizeof *c);
    c->n_sets = capacity < TTL_CACHE_WAYS ? 1 : capacity / TTL_CACHE_WAYS;
    c->ttl_us = ttl_us;
    if (ops) c->ops = *ops;
    c->sets = xcalloc(c->n_sets, sizeof *c->sets);
    for (size_t i = 0; i < c->n_sets; i++)
        pthread_mutex_init(&c->sets[i].lock, NULL);
    return c;
}

void ttl_cache_free(ttl_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_sets; i++) {
        for (int w = 0; w < TTL_CACHE_WAYS; w++) {
            free(c->sets[i].slots[w].key);
            value_free(c, c->sets[i].slots[w].value);
        }
        pthread_mutex_destroy(&c->sets[i].lock);
    }
    free(c->sets);
    free(c);
}

bool ttl_cache_get(ttl_cache *c, const char *key, int64_t now_us, void **value)
{
    if (value) *value = NULL;
    if (!c || !key) return false;
    cache_set *set = set_for(c, key);
    bool hit = false;
    pthread_mutex_lock(&set->lock);
    for (int w = 0; w < TTL_CACHE_WAYS; w++) {
        const slot *s = &set->slots[w];
        if (s->key && !strcmp(s->key, key)) {
            hit = now_us - s->stored_us < c->ttl_us;
            if (hit && value) *value = value_copy(c, s->value);
            break;
        }
    }
    pthread_mutex_unlock(&set->lock);
    return hit;
}

/* The slot of a set that a put for key should take (see ttl_cache.h). */
static slot *victim(cache_set *set, const char *key, int64_t now_us, int64_t ttl_us)
{
    slot *pick = NULL;
    for (int w = 0; w < TTL_CACHE_WAYS; w++) {
        slot *s = &set->slots[w];
        if (s->key && !strcmp(s->key, key)) return s;
    }
    for (int w = 0; w < TTL_CACHE_WAYS; w++) {
        slot *s = &set->slots[w];
        if (!s->key || now_us - s->stored_us >= ttl_us) return s;
        if (!pick || s->stored_us < pick->stored_us) pick = s;
    }
    return pick;
}

void ttl_cache_put(ttl_cache *c, const char *key, const void *value, int64_t now_us)
{
    if (!c || !key) return;
    char *new_key = xstrdup(key);
    void *new_value = value_copy(c, value);
    cache_set *set = set_for(c, key);
    pthread_mutex_lock(&set->lock);
    slot *s = victim(set, key, now_us, c->ttl_us);
    char *old_key = s->key;
    void *old_value = s->value;
    s->key = new_key;
    s->value = new_value;
    s->stored_us = now_us;
    pthread_mutex_unlock(&set->lock);
    free(old_key);
    value_free(c, old_value);
}

size_t ttl_cache_count(ttl_cache *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_sets; i++) {
        pthread_mutex_lock(&c->sets[i].lock);
        for (int w = 0; w < TTL_CACHE_WAYS; w++)
            n += c->sets[i].slots[w].key != NULL;
        pthread_mutex_unlock(&c->sets[i].lock);
    }
    return n;
}
