/*
 * item_cache: the engine keeps items as JSON text, and decoding that text
 * dominates every read path (bench/analysis.md: jansson and malloc were
 * about two thirds of an in-process Query). The same text always decodes
 * to the same item, so a small process-wide table maps recently decoded
 * texts to their jansson objects: a hit costs a CRC, a compare and an
 * atomic reference count instead of a parse. Nothing is ever invalidated:
 * a changed item is a different text. Correctness rests on the items being
 * immutable once handed out; jansson's reference counts are atomic, so the
 * objects may be shared between threads.
 *
 * The table is direct-mapped (a new text replaces whatever shared its
 * slot), bounded in slots and in the size of the texts it keeps, and its
 * slots are guarded by striped locks.
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

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define SLOTS 8192
#define STRIPES 64
#define MAX_TEXT 4096 /* larger items are decoded every time */

typedef struct slot {
    uLong crc;
    size_t len;
    char *text; /* owned copy of the stored text */
    json_t *item;
} slot;

static slot slots[SLOTS];
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

static json_t *decode(const void *text, size_t len)
{
    return json_loadb(text, len, JSON_ALLOW_NUL, NULL);
}

json_t *item_cache_decode(const void *text, int len)
{
    if (!text || len < 0) return NULL;
    size_t n = (size_t)len;
    if (n > MAX_TEXT) return decode(text, n);
    pthread_once(&once, init_locks);
    uLong crc = crc32(0L, text, (uInt)n);
    size_t at = (size_t)(crc % SLOTS);
    pthread_mutex_t *lock = &locks[at % STRIPES];
    slot *s = &slots[at];

    pthread_mutex_lock(lock);
    if (s->item && s->crc == crc && s->len == n && !memcmp(s->text, text, n)) {
        json_t *hit = json_incref(s->item);
        pthread_mutex_unlock(lock);
        return hit;
    }
    pthread_mutex_unlock(lock);

    json_t *item = decode(text, n);
    char *copy = item ? malloc(n ? n : 1) : NULL;
    if (!copy) return item;
    memcpy(copy, text, n);
    pthread_mutex_lock(lock);
    char *old_text = s->text;
    json_t *old_item = s->item;
    s->crc = crc;
    s->len = n;
    s->text = copy;
    __atomic_store_n(&s->item, json_incref(item), __ATOMIC_RELAXED);
    __atomic_store_n(&slot_of_item[address_hash(item)], (unsigned)at, __ATOMIC_RELAXED);
    pthread_mutex_unlock(lock);
    free(old_text);
    json_decref(old_item);
    return item;
}

bool item_cache_text(const json_t *item, buf_t *b)
{
    size_t at = __atomic_load_n(&slot_of_item[address_hash(item)], __ATOMIC_RELAXED);
    slot *s = &slots[at];
    if (__atomic_load_n(&s->item, __ATOMIC_RELAXED) != item) return false; /* the usual miss */
    pthread_once(&once, init_locks);
    pthread_mutex_t *lock = &locks[at % STRIPES];
    pthread_mutex_lock(lock);
    bool hit = s->item == item;
    if (hit) buf_append(b, s->text, s->len);
    pthread_mutex_unlock(lock);
    return hit;
}
