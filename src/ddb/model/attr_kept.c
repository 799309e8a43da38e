/*
 * attr_kept: the order DynamoDB Local 3.3.1 keeps an item's names in, when
 * it is not the order a read shows.
 *
 * 3.3.1 stores an item as the text of a Java map and reads it back into an
 * order-keeping map: a read's answer then puts each map through a HashMap
 * of the small capacity (DDB_ORDER_WRITTEN, attr_order.c), but a failed
 * PutItem or DeleteItem condition answers the kept order itself, and a
 * legacy AttributeUpdates update changes the kept item in place (its new
 * names after the old ones, in the order sent). An UpdateExpression keeps
 * the item, and each map its paths step into, rebuilt
 * (DDB_ORDER_REBUILT_KEPT), other maps as they were; a written item or
 * value is kept as a read shows it, except a PartiQL INSERT's item, kept
 * in the order its plan gives (each map literal's names through a new
 * HashMap(), DDB_ORDER_HASHMAP; write.c eng_write_keep_given).
 * tests/compat/FINDINGS.md ("a second legacy update") has the
 * measurements.
 *
 * The read path never needs the kept order, so the engine stores it only
 * when it differs, as a shape: an object with the kept item's names in
 * order, each mapped to the shape of its value: an object for an M, an
 * array for an L that holds a map somewhere, 0 for anything else.
 */
#include "ddb/model/value.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

/* The shape of one attribute value: 0 when it holds no map. */
static json_t *av_shape(const json_t *av);

static json_t *map_shape(const json_t *m)
{
    json_t *out = json_object();
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)m, name, v)
    {
        json_object_set_new(out, name, av_shape(v));
    }
    return out;
}

static json_t *av_shape(const json_t *av)
{
    const json_t *m = json_object_get(av, "M");
    const json_t *l = json_object_get(av, "L");
    if (json_is_object(m)) return map_shape(m);
    if (!json_is_array(l)) return json_integer(0);
    json_t *out = json_array();
    bool any = false;
    size_t i;
    const json_t *x;
    json_array_foreach(l, i, x)
    {
        json_t *sub = av_shape(x);
        any = any || !json_is_integer(sub);
        json_array_append_new(out, sub);
    }
    if (any) return out;
    json_decref(out);
    return json_integer(0);
}

static bool same_order_av(const json_t *a, const json_t *b);

/* True when maps a and b (the same names) list them in the same order, and
   so does every map inside them. */
static bool same_order_map(const json_t *a, const json_t *b)
{
    void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
    while (ia && ib) {
        if (strcmp(json_object_iter_key(ia), json_object_iter_key(ib)) != 0) return false;
        if (!same_order_av(json_object_iter_value(ia), json_object_iter_value(ib))) return false;
        ia = json_object_iter_next((json_t *)a, ia);
        ib = json_object_iter_next((json_t *)b, ib);
    }
    return !ia && !ib;
}

static bool same_order_av(const json_t *a, const json_t *b)
{
    const json_t *ma = json_object_get(a, "M"), *mb = json_object_get(b, "M");
    if (json_is_object(ma) && json_is_object(mb)) return same_order_map(ma, mb);
    const json_t *la = json_object_get(a, "L"), *lb = json_object_get(b, "L");
    if (!json_is_array(la) || !json_is_array(lb)) return true;
    if (json_array_size(la) != json_array_size(lb)) return false;
    for (size_t i = 0; i < json_array_size(la); i++)
        if (!same_order_av(json_array_get(la, i), json_array_get(lb, i))) return false;
    return true;
}

json_t *ddb_attr_kept_shape(const json_t *kept, const json_t *shown)
{
    assert(json_is_object(kept) && json_is_object(shown));
    return same_order_map(kept, shown) ? NULL : map_shape(kept);
}

static json_t *av_apply(const json_t *av, const json_t *shape);

/* A new map: the members of m in the shape's order, then the others. */
static json_t *map_apply(const json_t *m, const json_t *shape)
{
    json_t *out = json_object();
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)shape, name, v)
    {
        const json_t *x = json_object_get(m, name);
        if (x) json_object_set_new(out, name, av_apply(x, v));
    }
    json_object_foreach((json_t *)m, name, v)
    {
        if (!json_object_get(out, name)) json_object_set(out, name, v);
    }
    return out;
}

static json_t *av_apply(const json_t *av, const json_t *shape)
{
    const json_t *m = json_object_get(av, "M");
    const json_t *l = json_object_get(av, "L");
    if (json_is_object(m) && json_is_object(shape))
        return json_pack("{s:o}", "M", map_apply(m, shape));
    if (!json_is_array(l) || !json_is_array(shape)) return json_incref((json_t *)av);
    json_t *out = json_array();
    size_t i;
    const json_t *x;
    json_array_foreach(l, i, x)
    {
        const json_t *sub = json_array_get(shape, i);
        json_array_append_new(out, sub ? av_apply(x, sub) : json_incref((json_t *)x));
    }
    return json_pack("{s:o}", "L", out);
}

json_t *ddb_attr_kept_apply(const json_t *item, const json_t *shape)
{
    assert(json_is_object(item));
    if (!json_is_object(shape)) return json_incref((json_t *)item);
    return map_apply(item, shape);
}
