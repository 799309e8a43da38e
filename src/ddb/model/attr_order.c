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
 * measurements). Putting a sequence into a map and iterating it is a
 * stable sort by bucket, so a chain of maps is one sort whose key is the
 * buckets of the last map first, then those of the one before, ..., then
 * the first sequence's own order (as it came, or sorted by name). The
 * capacities:
 *   small  the smallest power of two from 2 up with n <= 0.75 * cap (the
 *          map that answers an item; also the map a request's item is
 *          validated into);
 *   g16    the same from 16 up (a new HashMap() filled one put at a time);
 *   copy   tableSizeFor((int)(n / 0.75 + 1)) (new HashMap(map), putAll).
 * The rules (`how`), last map first:
 *   WRITTEN      small, as sent: a map as a request sent it;
 *   REBUILT      small, g16, sorted: an item an UpdateExpression rebuilt,
 *                as a read shows it; also each map a projection builds;
 *   REBUILT_KEPT g16, sorted: the same item as 3.3.1 keeps it (attr_kept.c);
 *   ALL_NEW      small, copy, g16, sorted: UpdateItem's ALL_NEW answer
 *                (the same as COPIED on the stored order);
 *   COPIED       small, copy, as stored: UpdateItem's ALL_NEW answer;
 *   OLD_COPIED   small, copy, g16, as stored: UpdateItem's ALL_OLD answer
 *                (the old item is first copied into a new HashMap());
 *   UPDATED      small, g16, copy, sorted: UPDATED_OLD / UPDATED_NEW of an
 *                UpdateExpression;
 *   HASHMAP      g16, as given: names 3.3.1 keeps in one new HashMap() (a
 *                table's indexes, the members of a PartiQL map literal
 *                such as an INSERT's item, before the request's map rule
 *                applies to that order; 3.3.1 keeps an INSERT's item so,
 *                attr_kept.c); a stream record's NewImage and
 *                OldImage (as stored; each map in them too), and
 *                UpdateItem's ReturnValuesOnConditionCheckFailure Item;
 *   KEY          small, g16, as given: a LastEvaluatedKey (its names in key
 *                schema order: table hash and range, then the index's);
 *                UPDATED_OLD / UPDATED_NEW of a legacy update (the names in
 *                the order the AttributeUpdates were sent);
 *   LISTED       small, g16, as given: the answer of a legacy
 *                AttributesToGet, its names in the order listed (the same
 *                chain as KEY: the answer is built in a new HashMap());
 *   DOC_PATH     g16 keyed by a DocPathMapElement, as given: the names of
 *                one step of a PartiQL SELECT list (its projection tree
 *                keeps each node's children in a new HashMap() whose keys
 *                hash as 8191 * 127 + String.hashCode, commons-lang's
 *                HashCodeBuilder over the name).
 */
#include "ddb/model/value.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

enum cap_kind { CAP_NONE, CAP_SMALL, CAP_G16, CAP_COPY };

#define MAX_MAPS 3

/* HashCodeBuilder(8191, 127).append(name).toHashCode(): a DocPathMapElement's
   hash, the name's String.hashCode added to 8191 * 127. */
#define DOC_PATH_HASH_BASE (8191u * 127u)

/* Each rule: the capacities of its maps, last map first, whether the
   first sequence is the names sorted (else the order they came in), and
   whether the maps are keyed by a DocPathMapElement (else by the name). */
static const struct rule {
    enum cap_kind caps[MAX_MAPS];
    bool sorted;
    bool doc_path;
} rules[] = {
    [DDB_ORDER_WRITTEN] = {{CAP_SMALL}, false},
    [DDB_ORDER_REBUILT] = {{CAP_SMALL, CAP_G16}, true},
    [DDB_ORDER_ALL_NEW] = {{CAP_SMALL, CAP_COPY, CAP_G16}, true},
    [DDB_ORDER_HASHMAP] = {{CAP_G16}, false},
    [DDB_ORDER_KEY] = {{CAP_SMALL, CAP_G16}, false},
    [DDB_ORDER_COPIED] = {{CAP_SMALL, CAP_COPY}, false},
    [DDB_ORDER_OLD_COPIED] = {{CAP_SMALL, CAP_COPY, CAP_G16}, false},
    [DDB_ORDER_UPDATED] = {{CAP_SMALL, CAP_G16, CAP_COPY}, true},
    [DDB_ORDER_LISTED] = {{CAP_SMALL, CAP_G16}, false},
    [DDB_ORDER_DOC_PATH] = {{CAP_G16}, false, true},
    [DDB_ORDER_REBUILT_KEPT] = {{CAP_G16}, true},
};

typedef struct entry {
    const char *name;
    size_t len;
    size_t pos;             /* position as it came */
    uint32_t key[MAX_MAPS]; /* buckets, most significant first */
    bool sorted;            /* ties by name, else by pos */
} entry;

/* Java's String.hashCode of a UTF-8 name, over its UTF-16 code units. */
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
    return h;
}

/* A key's hash as HashMap.hash spreads it. */
static uint32_t spread(uint32_t h)
{
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

/* new HashMap(map) of n entries: tableSizeFor((int)(n / 0.75f + 1)). */
static uint32_t copy_cap(size_t n)
{
    uint64_t want = (uint64_t)((float)n / 0.75f + 1.0f), cap = 1;
    while (cap < want)
        cap *= 2;
    return (uint32_t)cap;
}

static uint32_t cap_of(enum cap_kind k, size_t n)
{
    switch (k) {
    case CAP_SMALL:
        return grown_cap(2, n);
    case CAP_G16:
        return grown_cap(16, n);
    case CAP_COPY:
        return copy_cap(n);
    case CAP_NONE:
        break;
    }
    return 1; /* no map: every name in bucket 0 */
}

static int cmp_entries(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    for (int i = 0; i < MAX_MAPS; i++)
        if (x->key[i] != y->key[i]) return x->key[i] < y->key[i] ? -1 : 1;
    if (x->sorted) return ddb_utf16_cmp(x->name, x->len, y->name, y->len);
    return (x->pos > y->pos) - (x->pos < y->pos);
}

void ddb_attr_order_perm(const char *const *names, size_t n, ddb_attr_order how, size_t *perm)
{
    assert((size_t)how < sizeof rules / sizeof rules[0]);
    if (n == 0) return;
    const struct rule *r = &rules[how];
    uint32_t mask[MAX_MAPS];
    for (int k = 0; k < MAX_MAPS; k++)
        mask[k] = cap_of(r->caps[k], n) - 1;
    entry *v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i].name = names[i];
        v[i].len = strlen(names[i]);
        v[i].pos = i;
        v[i].sorted = r->sorted;
        uint32_t h = java_hash(v[i].name, v[i].len);
        h = spread(r->doc_path ? h + DOC_PATH_HASH_BASE : h);
        for (int k = 0; k < MAX_MAPS; k++)
            v[i].key[k] = h & mask[k];
    }
    qsort(v, n, sizeof *v, cmp_entries);
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

json_t *ddb_av_reordered_deep(const json_t *av, ddb_attr_order how)
{
    /* one type only: a malformed value keeps what its validation refuses */
    if (json_object_size(av) != 1) return json_incref((json_t *)av);
    const json_t *m = json_object_get(av, "M");
    const json_t *l = json_object_get(av, "L");
    if (json_is_object(m)) return json_pack("{s:o}", "M", ddb_attr_reordered_deep(m, how));
    if (!json_is_array(l)) return json_incref((json_t *)av);
    json_t *out = json_array();
    size_t i;
    const json_t *x;
    json_array_foreach(l, i, x)
    {
        json_array_append_new(out, ddb_av_reordered_deep(x, how));
    }
    return json_pack("{s:o}", "L", out);
}

json_t *ddb_attr_reordered_deep(const json_t *obj, ddb_attr_order how)
{
    json_t *top = ddb_attr_reordered(obj, how);
    const char *name;
    json_t *v;
    json_object_foreach(top, name, v)
    {
        json_object_set_new(top, name, ddb_av_reordered_deep(v, how));
    }
    return top;
}
