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
static pthread_mutex_t locks[STRIPES];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_locks(void)
{
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&locks[i], NULL);
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
    s->item = json_incref(item);
    pthread_mutex_unlock(lock);
    free(old_text);
    json_decref(old_item);
    return item;
}
