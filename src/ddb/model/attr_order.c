/*
 * attr_order: the order of the names of an item or an M value.
 *
 * DynamoDB promises no order for an item's attributes, but DynamoDB Local
 * 3.3.1 returns them in the iteration order of the java.util.HashMap that
 * holds them, and libraries that call attribute hooks in answer order
 * depend on it. A HashMap iterates its buckets in ascending order, and the
 * names of one bucket in the order they were put. A name's bucket is
 * (h ^ (h >>> 16)) & (cap - 1), h being String.hashCode over the name's
 * UTF-16 code units; cap is a power of two that depends on how the map was
 * made (tests/compat/FINDINGS.md, "Attributes of an item", has the
 * measurements):
 *   - a map as a request sent it goes through one map of capacity
 *     small_cap(n) (grown from 2), the names put in the order sent;
 *   - an item rebuilt by an UpdateExpression: its names sorted (by
 *     String.compareTo), put into a map of default_cap(n) (a new HashMap()),
 *     that one's order put into a map of small_cap(n);
 *   - UpdateItem's ALL_NEW answer: between those two, one copy more, of
 *     copy_cap(n) (the HashMap(Map) constructor);
 *   - other names 3.3.1 keeps in one new HashMap() (a table's indexes, the
 *     members of a PartiQL map literal such as an INSERT's item):
 *     default_cap(n), the names put in the order given (for a literal the
 *     request's map rule above then applies to that order);
 *   - a LastEvaluatedKey: its names in key schema order (table hash and
 *     range, then the index's), put into a map of default_cap(n), that
 *     one's order put into a map of small_cap(n).
 * Putting a sequence into a map and iterating it is a stable sort by
 * bucket, so each order is one sort with a key of buckets.
 */
#include "ddb/model/value.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

typedef struct entry {
    const char *name;
    size_t len;
    size_t pos;      /* position as sent */
    uint32_t key[3]; /* buckets, most significant first */
} entry;

/* Java's String.hashCode of a UTF-8 name, over its UTF-16 code units,
   spread as HashMap.hash does. */
static uint32_t java_hash(const char *name, size_t len)
{
    const unsigned char *p = (const unsigned char *)name;
    uint32_t h = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t c = p[i++];
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (more) c &= 0x3Fu >> more;
        while (more-- > 0 && i < len)
            c = (c << 6) | (p[i++] & 0x3Fu);
        if (c >= 0x10000) {
            h = 31 * h + (0xD800 + ((c - 0x10000) >> 10));
            c = 0xDC00 + ((c - 0x10000) & 0x3FF);
        }
        h = 31 * h + c;
    }
    return h ^ (h >> 16);
}

/* The smallest power of two from `start` up that holds n entries at load
   factor 0.75 (a map grown by doubling as entries are put). */
static uint32_t grown_cap(uint32_t start, size_t n)
{
    uint64_t cap = start;
    while ((uint64_t)n * 4 > cap * 3)
        cap *= 2;
    return (uint32_t)cap;
}

static uint32_t small_cap(size_t n)
{
    return grown_cap(2, n);
}

static uint32_t default_cap(size_t n)
{
    return grown_cap(16, n);
}

/* new HashMap(map) of n entries: tableSizeFor((int)(n / 0.75f + 1)). */
static uint32_t copy_cap(size_t n)
{
    uint64_t want = (uint64_t)((float)n / 0.75f + 1.0f), cap = 1;
    while (cap < want)
        cap *= 2;
    return (uint32_t)cap;
}

static int cmp_written(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->key[0] != y->key[0]) return x->key[0] < y->key[0] ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_key(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    for (int i = 0; i < 2; i++)
        if (x->key[i] != y->key[i]) return x->key[i] < y->key[i] ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_rebuilt(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    for (int i = 0; i < 3; i++)
        if (x->key[i] != y->key[i]) return x->key[i] < y->key[i] ? -1 : 1;
    return ddb_utf16_cmp(x->name, x->len, y->name, y->len);
}

void ddb_attr_order_perm(const char *const *names, size_t n, ddb_attr_order how, size_t *perm)
{
    if (n == 0) return;
    entry *v = xcalloc(n, sizeof *v);
    uint32_t last = small_cap(n) - 1, mid = copy_cap(n) - 1, first = default_cap(n) - 1;
    for (size_t i = 0; i < n; i++) {
        v[i].name = names[i];
        v[i].len = strlen(names[i]);
        v[i].pos = i;
        uint32_t h = java_hash(v[i].name, v[i].len);
        v[i].key[0] = h & (how == DDB_ORDER_HASHMAP ? first : last);
        if (how == DDB_ORDER_ALL_NEW) {
            v[i].key[1] = h & mid;
            v[i].key[2] = h & first;
        } else {
            v[i].key[1] = v[i].key[2] = h & first;
        }
    }
    qsort(v, n, sizeof *v,
          how == DDB_ORDER_WRITTEN || how == DDB_ORDER_HASHMAP ? cmp_written
          : how == DDB_ORDER_KEY                               ? cmp_key
                                                               : cmp_rebuilt);
    for (size_t i = 0; i < n; i++)
        perm[i] = v[i].pos;
    free(v);
}

json_t *ddb_attr_reordered(const json_t *obj, ddb_attr_order how)
{
    assert(json_is_object(obj));
    size_t n = json_object_size(obj);
    const char **names = xcalloc(n ? n : 1, sizeof *names);
    size_t *perm = xcalloc(n ? n : 1, sizeof *perm);
    size_t i = 0;
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)obj, name, v)
    {
        names[i++] = name;
    }
    ddb_attr_order_perm(names, n, how, perm);
    json_t *out = json_object();
    for (i = 0; i < n; i++)
        json_object_set(out, names[perm[i]], json_object_get(obj, names[perm[i]]));
    free(perm);
    free(names);
    return out;
}
