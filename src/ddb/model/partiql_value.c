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

/* <<a, b, ...>>: an SS or NS without duplicates. */
static json_t *bag_value(const pq_node *n, const json_t *params, ddb_err *err)
{
    json_t *members = json_array();
    const char *set_type = NULL;
    for (size_t i = 0; i < n->n_kids; i++) {
        json_t *v = pq_value(n->kids[i], params, err);
        if (!v) {
            json_decref(members);
            return NULL;
        }
        ddb_av_type t = ddb_av_type_of(v);
        const char *type = t == DDB_AV_S ? "SS" : t == DDB_AV_N ? "NS" : NULL;
        if (!type || (set_type && strcmp(type, set_type))) {
            json_decref(v);
            json_decref(members);
            return fail_at(n->kids[i],
                           "Unsupported data type in Bag. DynamoDB only supports either "
                           "numbers or strings in bags",
                           err);
        }
        set_type = type;
        for (size_t k = 0; k < json_array_size(members); k++) {
            json_t *prev =
                json_pack("{s:O}", t == DDB_AV_S ? "S" : "N", json_array_get(members, k));
            bool same = ddb_av_equal(prev, v);
            json_decref(prev);
            if (same) {
                json_decref(v);
                json_decref(members);
                ddb_err_set(err, DDB_E_VALIDATION, "Input collection contains duplicates");
                return NULL;
            }
        }
        json_array_append(members, json_object_get(v, t == DDB_AV_S ? "S" : "N"));
        json_decref(v);
    }
    return json_pack("{s:o}", set_type, members);
}

json_t *pq_value(const pq_node *n, const json_t *params, ddb_err *err)
{
    switch (n->type) {
    /* Literals and parameters are shared, not copied: nothing that
       receives a value changes it. */
    case PQ_N_LIT:
        return json_incref(n->av);
    case PQ_N_PARAM: {
        json_t *v = json_array_get(params, (size_t)n->param);
        if (!v) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Number of parameters in request and statement don't match.");
            return NULL;
        }
        return json_incref(v);
    }
    case PQ_N_LIST: {
        json_t *l = json_array();
        for (size_t i = 0; i < n->n_kids; i++) {
            json_t *v = pq_value(n->kids[i], params, err);
            if (!v) {
                json_decref(l);
                return NULL;
            }
            json_array_append_new(l, v);
        }
        return json_pack("{s:o}", "L", l);
    }
    case PQ_N_MAP: {
        json_t *m = json_object();
        for (size_t i = 0; i < n->n_kids; i++) {
            json_t *v = pq_value(n->kids[i], params, err);
            if (!v) {
                json_decref(m);
                return NULL;
            }
            json_object_set_new(m, n->keys[i], v);
        }
        /* its names in the order DynamoDB Local keeps a literal's */
        json_t *ordered = ddb_attr_reordered(m, DDB_ORDER_HASHMAP);
        json_decref(m);
        return json_pack("{s:o}", "M", ordered);
    }
    case PQ_N_BAG:
        return bag_value(n, params, err);
    case PQ_N_ARITH: {
        char what[64];
        snprintf(what, sizeof what, "Unsupported data type: %s under key root", n->op);
        return fail_at(n, what, err);
    }
    default:
        return fail_at(n, "Unsupported data type: path under key root", err);
    }
}

/* The value at one column's path, and the name it is answered under: the
   last attribute name, with "[i]" when an index follows it; the walk stops
   after the first index, as DynamoDB Local 3.3.1 answers. */
static const json_t *column_value(const pq_node *col, const json_t *item, buf_t *name)
{
    const json_t *v = NULL;
    for (size_t i = 0; i < col->n_path; i++) {
        const pq_step *st = &col->path[i];
        if (st->name) {
            const json_t *m = i == 0 ? item : json_object_get(v, "M");
            v = json_object_get(m, st->name);
            buf_reset(name);
            buf_puts(name, st->name);
        } else {
            v = json_array_get(json_object_get(v, "L"), (size_t)st->index);
            buf_printf(name, "[%ld]", st->index);
            break;
        }
        if (!v) break;
    }
    return v;
}

json_t *pq_project(const pq_stmt *s, const json_t *item)
{
    if (!s->n_columns) return json_incref((json_t *)item);
    json_t *out = json_object();
    buf_t name = BUF_INIT;
    for (size_t i = 0; i < s->n_columns; i++) {
        const json_t *v = column_value(s->columns[i], item, &name);
        if (v) json_object_set(out, buf_cstr(&name), (json_t *)v);
    }
    buf_free(&name);
    return out;
}
