/*
 * token_cache: remembers tokens that passed verification, keyed by the
 * SHA-256 of the token text, until they expire, so a client repeating its
 * token does not cost an RSA verification per request.
 *
 * Layout: a fixed array of sets of AUTH_CACHE_WAYS entries (set-associative,
 * like a CPU cache). A token can only live in the set its hash picks, so a
 * lookup compares at most AUTH_CACHE_WAYS keys, the memory is bounded from
 * the start, and eviction is local: a full set gives up the entry that
 * expires first. Sets are guarded by a small array of striped mutexes, so
 * threads only contend when they touch the same stripe.
 *
 * Only verified tokens enter the cache and an entry never outlives the
 * token's exp (plus leeway), so a hit is exactly as good as a fresh check
 * that the verifier's configuration would pass.
 */
#include "auth/auth_int.h"

#include "base/alloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_CACHE_WAYS 8
#define AUTH_CACHE_STRIPES 64

typedef struct cache_entry {
    unsigned char key[AUTH_SHA256_LEN];
    int64_t valid_until; /* 0: empty slot */
    auth_claims_t claims;
} cache_entry_t;

struct auth_token_cache {
    size_t nsets;
    cache_entry_t *entries; /* nsets * AUTH_CACHE_WAYS */
    pthread_mutex_t locks[AUTH_CACHE_STRIPES];
};

auth_token_cache_t *auth_token_cache_new(size_t entries)
{
    if (entries == 0) return NULL;
    auth_token_cache_t *c = xcalloc(1, sizeof *c);
    c->nsets = (entries + AUTH_CACHE_WAYS - 1) / AUTH_CACHE_WAYS;
    c->entries = xcalloc(c->nsets * AUTH_CACHE_WAYS, sizeof *c->entries);
    for (int i = 0; i < AUTH_CACHE_STRIPES; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    return c;
}

void auth_token_cache_free(auth_token_cache_t *c)
{
    if (!c) return;
    for (int i = 0; i < AUTH_CACHE_STRIPES; i++)
        pthread_mutex_destroy(&c->locks[i]);
    free(c->entries);
    free(c);
}

/* The set a key belongs to: the hash is uniform, so its first bytes do. */
static size_t cache_set_of(const auth_token_cache_t *c, const unsigned char *key)
{
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = (h << 8) | key[i];
    return (size_t)(h % c->nsets);
}

bool auth_token_cache_get(auth_token_cache_t *c, const unsigned char key[AUTH_SHA256_LEN],
                          int64_t now, auth_claims_t *out)
{
    if (!c) return false;
    size_t set = cache_set_of(c, key);
    cache_entry_t *e = &c->entries[set * AUTH_CACHE_WAYS];
    bool hit = false;
    pthread_mutex_lock(&c->locks[set % AUTH_CACHE_STRIPES]);
    for (int w = 0; w < AUTH_CACHE_WAYS; w++) {
        if (e[w].valid_until != 0 && memcmp(e[w].key, key, AUTH_SHA256_LEN) == 0) {
            if (now <= e[w].valid_until) {
                *out = e[w].claims;
                hit = true;
            } else {
                e[w].valid_until = 0; /* expired: free the slot */
            }
            break;
        }
    }
    pthread_mutex_unlock(&c->locks[set % AUTH_CACHE_STRIPES]);
    return hit;
}

/*
 * Picks the slot for key in its set: the key's own slot if present, else
 * an empty one, else the one that expires first (it has the least value
 * left).
 */
static cache_entry_t *cache_victim(cache_entry_t *e, const unsigned char *key)
{
    cache_entry_t *best = &e[0];
    for (int w = 0; w < AUTH_CACHE_WAYS; w++) {
        if (e[w].valid_until != 0 && memcmp(e[w].key, key, AUTH_SHA256_LEN) == 0) return &e[w];
    }
    for (int w = 0; w < AUTH_CACHE_WAYS; w++) {
        if (e[w].valid_until == 0) return &e[w];
        if (e[w].valid_until < best->valid_until) best = &e[w];
    }
    return best;
}

void auth_token_cache_put(auth_token_cache_t *c, const unsigned char key[AUTH_SHA256_LEN],
                          int64_t valid_until, const auth_claims_t *claims)
{
    if (!c || valid_until <= 0) return;
    size_t set = cache_set_of(c, key);
    pthread_mutex_lock(&c->locks[set % AUTH_CACHE_STRIPES]);
    cache_entry_t *slot = cache_victim(&c->entries[set * AUTH_CACHE_WAYS], key);
    memcpy(slot->key, key, AUTH_SHA256_LEN);
    slot->valid_until = valid_until;
    slot->claims = *claims;
    pthread_mutex_unlock(&c->locks[set % AUTH_CACHE_STRIPES]);
}
