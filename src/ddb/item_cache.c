/*
 * item_cache: the engine keeps items as JSON text, and decoding that text
 * dominates every read path (bench/analysis.md: jansson and malloc were
 * about two thirds of an in-process Query). The same text always decodes
 * to the same item, so a small process-wide table maps recently decoded
 * texts to their jansson objects: a hit costs a hash, a compare and an
 * atomic reference count instead of a parse. Nothing is ever invalidated:
 * a changed item is a different text. Correctness rests on the items being
 * immutable once handed out; jansson's reference counts are atomic, so the
 * objects may be shared between threads.
 *
 * The table is set associative (a text hashes to a set of WAYS slots, and
 * a new text replaces the set's slots in turn), bounded in slots and in
 * the size of the texts it keeps, and its sets are guarded by striped
 * locks. (Direct-mapped, one slot per text, a tenth of the items of a
 * 2,560-item working set kept evicting each other.)
 *
 * The way back, from an item to its text, serves the wire protocol: a
 * Query answer is mostly items this cache handed out, and copying their
 * stored text is much cheaper than encoding them again (item_cache_text).
 * A second direct-mapped array, indexed by a hash of the item's address,
 * names the slot that holds it; the slot itself is the truth, checked under
 * its lock, and while a slot holds an item the item cannot be freed (the
 * slot owns a reference), so its address cannot be reused by another.
 */
#include "ddb/item_cache.h"

#include "base/alloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 8192
#define WAYS 4 /* slots per set: a text may live in any slot of its set */
#define SETS (SLOTS / WAYS)
#define STRIPES 64    /* locks, each guarding the sets congruent to it */
#define MAX_TEXT 4096 /* larger items are decoded every time */
/* Bytes of text kept in all: their decoded items take about ten times as
   much, so this bounds the memo near 40 MiB whatever the items' sizes
   (small items reach the slot count first: 8192 of 300 bytes is 2.4 MB). */
#define TEXT_BUDGET (4u << 20)

typedef struct slot {
    uint64_t hash;
    size_t len;
    char *text; /* owned copy of the stored text */
    json_t *item;
} slot;

static slot slots[SLOTS];
static size_t kept_bytes;            /* text bytes the slots hold; updated atomically */
static unsigned char next_way[SETS]; /* the slot of the set to replace next */
static unsigned slot_of_item[SLOTS]; /* by address hash; read and written atomically */
static pthread_mutex_t locks[STRIPES];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_locks(void)
{
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&locks[i], NULL);
}

/* Where an item's address is looked up in slot_of_item. */
static size_t address_hash(const json_t *item)
{
    uintptr_t a = (uintptr_t)item;
    return (size_t)((a >> 4) ^ (a >> 17)) % SLOTS;
}

/*
 * The hash that picks a text's slot. It runs over every item a read
 * returns, so it takes eight bytes per step (a multiply-and-rotate mix);
 * zlib's CRC32 here was the biggest single user of the CPU in a Query
 * after the kernel. Collisions only cost a miss: a hit compares the text.
 */
static uint64_t text_hash(const unsigned char *p, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = n * k;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = ((h << 5 | h >> 59) ^ w) * k;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = ((h << 5 | h >> 59) ^ w) * k;
    /* A multiply only carries differences upwards: fold the high bits,
       where the last words' differences are, into the low ones. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static json_t *decode(const void *text, size_t len)
{
    return json_loadb(text, len, JSON_ALLOW_NUL, NULL);
}

/* The slot of the set that holds this text, or NULL; under the set's lock. */
static slot *find(size_t set, uint64_t hash, const void *text, size_t n)
{
    for (size_t w = 0; w < WAYS; w++) {
        slot *s = &slots[set * WAYS + w];
        if (s->item && s->hash == hash && s->len == n && !memcmp(s->text, text, n)) return s;
    }
    return NULL;
}

json_t *item_cache_decode(const void *text, int len)
{
    if (!text || len < 0) return NULL;
    size_t n = (size_t)len;
    if (n > MAX_TEXT) return decode(text, n);
    pthread_once(&once, init_locks);
    uint64_t hash = text_hash(text, n);
    size_t set = (size_t)(hash % SETS);
    pthread_mutex_t *lock = &locks[set % STRIPES];

    pthread_mutex_lock(lock);
    slot *s = find(set, hash, text, n);
    if (s) {
        json_t *hit = json_incref(s->item);
        pthread_mutex_unlock(lock);
        return hit;
    }
    pthread_mutex_unlock(lock);

    json_t *item = decode(text, n);
    char *copy = item ? xmalloc(n ? n : 1) : NULL;
    if (!copy) return item;
    memcpy(copy, text, n);
    pthread_mutex_lock(lock);
    if (find(set, hash, text, n)) { /* another thread was quicker */
        pthread_mutex_unlock(lock);
        free(copy);
        return item;
    }
    size_t at = set * WAYS + next_way[set];
    next_way[set] = (unsigned char)((next_way[set] + 1) % WAYS);
    s = &slots[at];
    char *old_text = s->text;
    json_t *old_item = s->item;
    size_t old_len = old_item ? s->len : 0;
    __atomic_sub_fetch(&kept_bytes, old_len, __ATOMIC_RELAXED);
    if (__atomic_load_n(&kept_bytes, __ATOMIC_RELAXED) + n > TEXT_BUDGET) {
        /* Over the budget: the victim goes (room for the next ones), this
           text is not kept. Threads of other stripes may overshoot the
           budget by an item each; that is all. */
        s->text = NULL;
        __atomic_store_n(&s->item, NULL, __ATOMIC_RELAXED);
        free(copy);
    } else {
        __atomic_add_fetch(&kept_bytes, n, __ATOMIC_RELAXED);
        s->hash = hash;
        s->len = n;
        s->text = copy;
        __atomic_store_n(&s->item, json_incref(item), __ATOMIC_RELAXED);
        __atomic_store_n(&slot_of_item[address_hash(item)], (unsigned)at, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(lock);
    free(old_text);
    json_decref(old_item);
    return item;
}

bool item_cache_text(const json_t *item, buf_t *b)
{
    size_t at = __atomic_load_n(&slot_of_item[address_hash(item)], __ATOMIC_RELAXED);
    slot *s = &slots[at];
    /* The usual miss. A slot that holds an item was filled by
       item_cache_decode, which initialised the locks. */
    if (__atomic_load_n(&s->item, __ATOMIC_RELAXED) != item) return false;
    pthread_mutex_t *lock = &locks[(at / WAYS) % STRIPES];
    pthread_mutex_lock(lock);
    bool hit = s->item == item;
    if (hit) buf_append(b, s->text, s->len);
    pthread_mutex_unlock(lock);
    return hit;
}

size_t item_cache_kept_bytes(void)
{
    return __atomic_load_n(&kept_bytes, __ATOMIC_RELAXED);
}
