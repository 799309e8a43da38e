/*
 * expr_update_apply: applies a parsed update expression to an item. Every
 * SET value is computed from the item as it was before the update; then
 * the SET actions write (those into list elements in ascending index
 * order, so that several indexes past the end append in index order, as
 * DynamoDB does: `SET c[4] = :y, c[2] = :z` on a 2-element c appends z
 * then y), the REMOVE actions delete (list elements by their
 * positions before any removal, so later elements shift), and ADD and
 * DELETE merge numbers and sets. Errors carry DynamoDB's messages; on
 * failure the item is left half-updated, so callers apply to a copy.
 */
#include "ddb/model/expr_int.h"

#include <stdlib.h>
#include <string.h>

#include "ddb/model/number.h"
#include "ddb/model/value.h"

#include "base/alloc.h"

static bool invalid_path(ddb_err *err)
{
    ddb_err_set(err, DDB_E_VALIDATION,
                "The document path provided in the update expression is invalid for update");
    return false;
}

static json_t *bad_operand(ddb_err *err)
{
    ddb_err_set(err, DDB_E_VALIDATION,
                "An operand in the update expression has an incorrect data type");
    return NULL;
}

/* a + b or a - b on two N values. */
static json_t *arith(int op, const json_t *a, const json_t *b, ddb_err *err)
{
    if (ddb_av_type_of(a) != DDB_AV_N || ddb_av_type_of(b) != DDB_AV_N) return bad_operand(err);
    ddb_num x, y, r;
    char out[DDB_NUM_STRLEN];
    if (!ddb_num_parse(json_string_value(json_object_get(a, "N")), &x, err) ||
        !ddb_num_parse(json_string_value(json_object_get(b, "N")), &y, err))
        return NULL;
    if (!(op == TK_PLUS ? ddb_num_add(&x, &y, &r, err) : ddb_num_sub(&x, &y, &r, err))) return NULL;
    ddb_num_format(&r, out);
    return json_pack("{s:s}", "N", out);
}

/* The value of a SET operand against the original item (a new reference). */
static json_t *set_value(const expr_node *n, const json_t *item, ddb_err *err)
{
    json_t *a, *b, *out = NULL;
    switch (n->kind) {
    case EN_VALUE:
        return json_deep_copy(n->value);
    case EN_PATH:
        a = expr_path_get(item, &n->path);
        if (a) return json_deep_copy(a);
        ddb_err_set(err, DDB_E_VALIDATION,
                    "The provided expression refers to an attribute that does not exist in the "
                    "item");
        return NULL;
    case EN_FUNC:
        if (n->op == FN_IF_NOT_EXISTS) {
            a = expr_path_get(item, &n->kids[0]->path);
            return a ? json_deep_copy(a) : set_value(n->kids[1], item, err);
        }
        break;
    default:
        break;
    }
    a = set_value(n->kids[0], item, err);
    b = a ? set_value(n->kids[1], item, err) : NULL;
    if (b && n->kind == EN_ARITH) {
        out = arith(n->op, a, b, err);
    } else if (b) {
        json_t *la = json_object_get(a, "L"), *lb = json_object_get(b, "L");
        if (ddb_av_type_of(a) != DDB_AV_L || ddb_av_type_of(b) != DDB_AV_L) {
            bad_operand(err);
        } else {
            json_t *l = json_copy(la);
            json_array_extend(l, lb);
            out = json_pack("{s:o}", "L", l);
        }
    }
    json_decref(a);
    json_decref(b);
    return out;
}

/*
 * The container holding the last element of `path`: the item itself for a
 * top-level name, else the M object or L array. NULL when the parent is
 * missing or of the wrong kind.
 */
static json_t *parent_of(json_t *item, const expr_path *path)
{
    if (path->n == 1) return item;
    expr_path prefix = {path->el, path->n - 1};
    json_t *parent = expr_path_get(item, &prefix);
    bool idx = path->el[path->n - 1].is_index;
    json_t *c = parent ? json_object_get(parent, idx ? "L" : "M") : NULL;
    if (idx ? !json_is_array(c) : !json_is_object(c)) return NULL;
    return c;
}

/* How many levels of M and L `v` nests (0 for scalars and sets). */
static int nesting_height(const json_t *v)
{
    ddb_av_type t = ddb_av_type_of(v);
    if (t != DDB_AV_M && t != DDB_AV_L) return 0;
    const json_t *c = json_object_get(v, t == DDB_AV_M ? "M" : "L"), *kid;
    const char *key;
    size_t i;
    int h = 0;
    if (t == DDB_AV_M) {
        json_object_foreach((json_t *)c, key, kid)
        {
            int k = nesting_height(kid);
            h = k > h ? k : h;
        }
    } else {
        json_array_foreach(c, i, kid)
        {
            int k = nesting_height(kid);
            h = k > h ? k : h;
        }
    }
    return h + 1;
}

/*
 * Stores `v` (stolen) at `path`; an index past the end appends. A value
 * whose maps and lists would reach below DynamoDB's nesting limit once
 * placed at that depth is refused, as for a PutItem of the result.
 */
static bool put(json_t *item, const expr_path *path, json_t *v, ddb_err *err)
{
    json_t *c = parent_of(item, path);
    const expr_pel *last = &path->el[path->n - 1];
    if (!c) {
        json_decref(v);
        return invalid_path(err);
    }
    if ((int)path->n + nesting_height(v) > DDB_MAX_DEPTH) {
        json_decref(v);
        ddb_err_set(err, DDB_E_VALIDATION, "Nesting Levels have exceeded supported limits");
        return false;
    }
    if (!last->is_index) {
        json_object_set_new(c, last->name, v);
    } else if ((size_t)last->index < json_array_size(c)) {
        json_array_set_new(c, (size_t)last->index, v);
    } else {
        json_array_append_new(c, v);
    }
    return true;
}

typedef struct list_removal {
    json_t *list;
    long index;
} list_removal;

static int removal_order(const void *a, const void *b)
{
    const list_removal *x = a, *y = b;
    if (x->list != y->list) return x->list < y->list ? -1 : 1;
    return (x->index < y->index) - (x->index > y->index); /* descending */
}

/* All REMOVE actions: map keys at once, list elements highest index first. */
static bool apply_removes(const ddb_update *u, json_t *item, ddb_err *err)
{
    list_removal *lr = xcalloc((size_t)u->n + 1, sizeof *lr);
    size_t nlr = 0;
    bool ok = true;
    for (int i = 0; i < u->n && ok; i++) {
        const expr_path *path = &u->acts[i].path->path;
        if (u->acts[i].kind != UA_REMOVE) continue;
        json_t *c = parent_of(item, path);
        const expr_pel *last = &path->el[path->n - 1];
        if (!c)
            ok = invalid_path(err);
        else if (last->is_index)
            lr[nlr++] = (list_removal){c, last->index};
    }
    for (int i = 0; i < u->n && ok; i++) {
        const expr_path *path = &u->acts[i].path->path;
        const expr_pel *last = &path->el[path->n - 1];
        if (u->acts[i].kind == UA_REMOVE && !last->is_index)
            json_object_del(parent_of(item, path), last->name);
    }
    qsort(lr, nlr, sizeof *lr, removal_order);
    for (size_t i = 0; i < nlr && ok; i++)
        if ((size_t)lr[i].index < json_array_size(lr[i].list))
            json_array_remove(lr[i].list, (size_t)lr[i].index);
    free(lr);
    return ok;
}

/* The key identifying a set member: numbers canonical, others as they are. */
static void member_key(const char *type, const json_t *m, char *num, const char **key, size_t *len)
{
    *key = json_string_value(m);
    *len = json_string_length(m);
    ddb_num x;
    if (strcmp(type, "NS") == 0 && ddb_num_parse(*key, &x, NULL)) {
        ddb_num_format(&x, num);
        *key = num;
        *len = strlen(num);
    }
}

/* Set union (add) or difference (!add) of two sets of the same type, in place on `cur`. */
static void set_merge(json_t *cur, const json_t *v, bool add)
{
    const char *type = expr_type_name(cur);
    json_t *have = json_object_get(cur, type), *other = json_object_get(v, type), *m;
    json_t *index = json_object();
    char num[DDB_NUM_STRLEN];
    const char *key;
    size_t len, i;
    json_array_foreach(add ? have : other, i, m)
    {
        member_key(type, m, num, &key, &len);
        json_object_setn_new(index, key, len, json_true());
    }
    if (add) {
        json_array_foreach(other, i, m)
        {
            member_key(type, m, num, &key, &len);
            if (json_object_getn(index, key, len)) continue;
            json_object_setn_new(index, key, len, json_true());
            json_array_append(have, m);
        }
        ddb_set_sort(ddb_av_type_of(cur), have);
    } else {
        json_t *kept = json_array();
        json_array_foreach(have, i, m)
        {
            member_key(type, m, num, &key, &len);
            if (!json_object_getn(index, key, len)) json_array_append(kept, m);
        }
        json_object_set_new(cur, type, kept);
    }
    json_decref(index);
}

static bool apply_add_delete(const expr_action *a, json_t *item, ddb_err *err)
{
    const expr_path *path = &a->path->path;
    const json_t *v = a->value->value;
    json_t *cur = expr_path_get(item, path);
    if (!cur) {
        if (a->kind == UA_ADD) return put(item, path, json_deep_copy(v), err);
        return parent_of(item, path) ? true : invalid_path(err);
    }
    ddb_av_type tc = ddb_av_type_of(cur), tv = ddb_av_type_of(v);
    if (a->kind == UA_ADD && tc == DDB_AV_N && tv == DDB_AV_N) {
        json_t *sum = arith(TK_PLUS, cur, v, err);
        return sum && put(item, path, sum, err);
    }
    if (tc != tv || (tc != DDB_AV_SS && tc != DDB_AV_NS && tc != DDB_AV_BS)) {
        bad_operand(err);
        return false;
    }
    set_merge(cur, v, a->kind == UA_ADD);
    if (json_array_size(json_object_get(cur, expr_type_name(cur))) == 0) {
        const expr_pel *last = &path->el[path->n - 1];
        json_t *c = parent_of(item, path);
        if (last->is_index)
            json_array_remove(c, (size_t)last->index);
        else
            json_object_del(c, last->name);
    }
    return true;
}

/* The list index a SET action writes, or -1 when it writes a map member. */
static long set_index(const expr_action *a)
{
    const expr_pel *last = &a->path->path.el[a->path->path.n - 1];
    return last->is_index ? last->index : -1;
}

/* The order of the SET actions: map members first, as written; then list
   elements by ascending index (ties as written). Fills order[0..*n). */
static void set_order(const ddb_update *u, int *order, int *n)
{
    *n = 0;
    for (int i = 0; i < u->n; i++)
        if (u->acts[i].kind == UA_SET && set_index(&u->acts[i]) < 0) order[(*n)++] = i;
    int first = *n;
    for (int i = 0; i < u->n; i++) {
        if (u->acts[i].kind != UA_SET || set_index(&u->acts[i]) < 0) continue;
        int j = (*n)++;
        long idx = set_index(&u->acts[i]);
        while (j > first && set_index(&u->acts[order[j - 1]]) > idx) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

bool ddb_update_apply(const ddb_update *u, json_t *item, ddb_err *err)
{
    json_t **values = xcalloc((size_t)u->n + 1, sizeof *values);
    int *order = xcalloc((size_t)u->n + 1, sizeof *order);
    int nset = 0;
    bool ok = true;
    for (int i = 0; i < u->n && ok; i++)
        if (u->acts[i].kind == UA_SET) {
            values[i] = set_value(u->acts[i].value, item, err);
            ok = values[i] != NULL;
        }
    set_order(u, order, &nset);
    for (int k = 0; k < nset && ok; k++) {
        int i = order[k];
        ok = put(item, &u->acts[i].path->path, values[i], err);
        values[i] = NULL;
    }
    for (int i = 0; i < u->n; i++)
        json_decref(values[i]);
    free(values);
    free(order);
    ok = ok && apply_removes(u, item, err);
    for (int i = 0; i < u->n && ok; i++)
        if (u->acts[i].kind == UA_ADD || u->acts[i].kind == UA_DELETE)
            ok = apply_add_delete(&u->acts[i], item, err);
    return ok;
}
