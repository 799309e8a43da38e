/*
 * partiql_value: the AttributeValue of a literal in a statement: strings,
 * numbers, booleans and NULL as written, `?` from the request's Parameters,
 * [..] as L, {..} as M (its names in DynamoDB Local 3.3.1's order for a
 * literal, attr_order.c) and <<..>> as SS or NS (DynamoDB's bags hold numbers
 * or strings only, and no duplicates). The values are checked again by the
 * operation they end up in (number range, sizes), as any request's are.
 */
#include <stdio.h>
#include <string.h>

#include "ddb/model/partiql.h"
#include "ddb/model/value.h"

/* A conversion in progress: the request's Parameters, and where the value
   being converted sits, for messages: "root" is the value itself (an
   attribute's value in an INSERT, a SET value, one operand of a condition),
   then ".name" or ".index" for each step into a map or list, as DynamoDB
   Local 3.3.1 names it; `path` holds the steps after "root". */
typedef struct conv {
    const json_t *params;
    buf_t path;
    ddb_err *err;
} conv;

static json_t *convert(conv *c, const pq_node *n, bool nested);

static json_t *fail_at(const pq_node *n, const char *what, ddb_err *err)
{
    ddb_err_set(err, DDB_E_VALIDATION, "%s at %d:%d:%d", what, n->line, n->col, n->width);
    return NULL;
}

bool pq_is_value(const pq_node *n)
{
    switch (n->type) {
    case PQ_N_LIT:
    case PQ_N_PARAM:
        return true;
    case PQ_N_LIST:
    case PQ_N_MAP:
    case PQ_N_BAG:
        for (size_t i = 0; i < n->n_kids; i++)
            if (!pq_is_value(n->kids[i])) return false;
        return true;
    default:
        return false;
    }
}

static bool is_collection(const pq_node *n)
{
    return n->type == PQ_N_LIST || n->type == PQ_N_MAP || n->type == PQ_N_BAG;
}

/* A node that is no value where a value must be. DynamoDB Local names it by
   its text where it is the whole value (the name of `x`, `PATH` for a path
   of several steps, the function or the operator), by its kind inside a
   list, map or bag (VariableReference, Path, NAry), and gives no position
   for a path. */
static json_t *unsupported(conv *c, const pq_node *n, bool nested)
{
    const char *name;
    bool at = true;
    if (n->type == PQ_N_PATH && n->n_path == 1 && n->path[0].name) {
        name = nested ? "VariableReference" : n->path[0].name;
    } else if (n->type == PQ_N_PATH) {
        name = nested ? "Path" : "PATH";
        at = false;
    } else if (n->type == PQ_N_FUNC) {
        name = nested ? "NAry" : n->name;
    } else {
        name = nested ? "NAry" : n->op ? n->op : "expression";
    }
    char what[1200];
    snprintf(what, sizeof what, "Unsupported data type: %.1000s under key root%.100s", name,
             buf_cstr(&c->path));
    if (!at) {
        ddb_err_set(c->err, DDB_E_VALIDATION, "%s", what);
        return NULL;
    }
    return fail_at(n, what, c->err);
}

#define BAG_TYPES                                                                                  \
    "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"

/* <<a, b, ...>>: an SS or NS without duplicates, of literals only. The first
   member sets the type; DynamoDB Local 3.3.1 then refuses a `?`, a path or
   a member of the other type, each with its own words (a number set's
   stranger has no position), and repeats last. */
static json_t *bag_value(conv *c, const pq_node *n)
{
    const pq_node *first = n->kids[0];
    ddb_av_type t = first->type == PQ_N_LIT ? ddb_av_type_of(first->av) : DDB_AV_NULL;
    if (t != DDB_AV_S && t != DDB_AV_N) return fail_at(first, BAG_TYPES, c->err);
    const char *key = t == DDB_AV_S ? "S" : "N";
    json_t *members = json_array();
    for (size_t i = 0; i < n->n_kids; i++) {
        const pq_node *k = n->kids[i];
        bool lit = k->type == PQ_N_LIT || is_collection(k);
        if (k->type == PQ_N_PARAM) {
            char what[160];
            snprintf(what, sizeof what, "Unsupported data type: Parameter under key root%.100s",
                     buf_cstr(&c->path));
            json_decref(members);
            return fail_at(k, what, c->err);
        }
        if (!lit) {
            json_decref(members);
            return unsupported(c, k, true);
        }
        if (k->type == PQ_N_LIT && ddb_av_type_of(k->av) == t) {
            json_array_append(members, json_object_get(k->av, key));
            continue;
        }
        json_decref(members);
        if (t == DDB_AV_S) return fail_at(k, BAG_TYPES, c->err);
        if (k->type == PQ_N_LIT && ddb_av_type_of(k->av) == DDB_AV_NULL)
            ddb_err_set(
                c->err, DDB_E_VALIDATION,
                "INVALID_PARAMETER_VALUE:Numeric sets may not contain null under root%.100s",
                buf_cstr(&c->path));
        else
            ddb_err_set(c->err, DDB_E_VALIDATION, BAG_TYPES);
        return NULL;
    }
    /* every member is now a literal of the set's type: compare their values */
    for (size_t i = 1; i < n->n_kids; i++) {
        for (size_t k = 0; k < i; k++) {
            if (ddb_av_equal(n->kids[i]->av, n->kids[k]->av)) {
                json_decref(members);
                ddb_err_set(c->err, DDB_E_VALIDATION, "Input collection contains duplicates");
                return NULL;
            }
        }
    }
    return json_pack("{s:o}", t == DDB_AV_S ? "SS" : "NS", members);
}

/* Converts kid `i` of list or map `n` one step deeper in the path. */
static json_t *convert_kid(conv *c, const pq_node *n, size_t i)
{
    size_t len = c->path.len;
    if (n->type == PQ_N_MAP)
        buf_printf(&c->path, ".%s", n->keys[i]);
    else
        buf_printf(&c->path, ".%zu", i);
    json_t *v = convert(c, n->kids[i], true);
    c->path.len = len;
    c->path.data[len] = '\0';
    return v;
}

/* The duplicate-key refusal, once a map's key `i` repeats an earlier one. */
static bool key_repeats(const pq_node *n, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (!strcmp(n->keys[j], n->keys[i])) return true;
    return false;
}

static void fail_repeat(conv *c, const char *key, pq_pos at)
{
    ddb_err_set(c->err, DDB_E_VALIDATION,
                "Duplicate keys in tuple. Key: %.1000s under root%.100s at %d:%d:%d", key,
                buf_cstr(&c->path), at.line, at.col, at.width);
}

/* A map's names and values; each value is converted before its key is
   checked against the earlier ones, as DynamoDB Local does. A repeat is
   placed at the key (`at_keys`, an INSERT's item) or at the map's brace. */
static json_t *map_fields(conv *c, const pq_node *n, bool at_keys)
{
    json_t *m = json_object();
    for (size_t i = 0; i < n->n_kids; i++) {
        json_t *v = at_keys ? convert(c, n->kids[i], false) : convert_kid(c, n, i);
        if (!v) {
            json_decref(m);
            return NULL;
        }
        if (key_repeats(n, i)) {
            json_decref(v);
            json_decref(m);
            fail_repeat(c, n->keys[i],
                        at_keys ? n->key_at[i] : (pq_pos){n->line, n->col, n->width});
            return NULL;
        }
        json_object_set_new(m, n->keys[i], v);
    }
    /* its names in the order DynamoDB Local keeps a literal's */
    json_t *ordered = ddb_attr_reordered(m, DDB_ORDER_HASHMAP);
    json_decref(m);
    return ordered;
}

static json_t *convert(conv *c, const pq_node *n, bool nested)
{
    switch (n->type) {
    /* Literals and parameters are shared, not copied (but a parameter's
       maps reordered): nothing that receives a value changes it. */
    case PQ_N_LIT:
        return json_incref(n->av);
    case PQ_N_PARAM: {
        json_t *v = json_array_get(c->params, (size_t)n->param);
        if (!v) {
            ddb_err_set(c->err, DDB_E_VALIDATION,
                        "Number of parameters in request and statement don't match.");
            return NULL;
        }
        /* a map sent as a parameter is kept as any map a request sends
           (through a written map, each map inside it too), not as a
           literal: its names in that order, so that an INSERT keeps them
           so (eng_write_keep_given); any other value is shared as it is */
        return ddb_av_reordered_deep(v, DDB_ORDER_WRITTEN);
    }
    case PQ_N_LIST: {
        json_t *l = json_array();
        for (size_t i = 0; i < n->n_kids; i++) {
            json_t *v = convert_kid(c, n, i);
            if (!v) {
                json_decref(l);
                return NULL;
            }
            json_array_append_new(l, v);
        }
        return json_pack("{s:o}", "L", l);
    }
    case PQ_N_MAP: {
        json_t *m = map_fields(c, n, false);
        return m ? json_pack("{s:o}", "M", m) : NULL;
    }
    case PQ_N_BAG:
        return bag_value(c, n);
    default:
        return unsupported(c, n, nested);
    }
}

static void conv_start(conv *c, const json_t *params, ddb_err *err)
{
    c->params = params;
    c->err = err;
    buf_init(&c->path); /* no allocation until a step into a list or map */
}

json_t *pq_value(const pq_node *n, const json_t *params, ddb_err *err)
{
    conv c;
    conv_start(&c, params, err);
    json_t *v = convert(&c, n, false);
    buf_free(&c.path);
    return v;
}

json_t *pq_item(const pq_node *map, const json_t *params, ddb_err *err)
{
    conv c;
    conv_start(&c, params, err);
    json_t *item = map_fields(&c, map, true);
    buf_free(&c.path);
    return item;
}

/* Converts each `?` and each list, map and bag literal of a condition or
   SET value, in the order written (the members of IN one by one), and drops
   them. */
static bool check_tree(const pq_node *n, const json_t *params, ddb_err *err)
{
    if (!n) return true;
    if (n->type == PQ_N_PARAM || is_collection(n)) {
        json_t *v = pq_value(n, params, err);
        json_decref(v);
        return v != NULL;
    }
    for (size_t i = 0; i < n->n_kids; i++)
        if (!check_tree(n->kids[i], params, err)) return false;
    return true;
}

bool pq_check_values(const pq_stmt *s, const json_t *params, ddb_err *err)
{
    if (s->kind == PQ_INSERT) {
        json_t *item = pq_item(s->value, params, err);
        json_decref(item);
        if (!item) return false;
    } else {
        if (!check_tree(s->where, params, err)) return false;
        for (size_t i = 0; i < s->n_assigns; i++)
            if (!check_tree(s->assigns[i].value, params, err)) return false;
    }
    /* a `?` in a bag is refused above, and none is left unconverted; the
       count is checked once more for a statement with a `?` elsewhere */
    return pq_check_params(s, params, err);
}
