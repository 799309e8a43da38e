/*
 * partiql_plan: the JSON API request a PartiQL statement runs as.
 *
 * The WHERE clause is split into its top-level AND terms. A term
 * `key = value` on a key attribute names the item (GetItem, UpdateItem,
 * DeleteItem) or the partition (Query); with the partition key missing a
 * SELECT is a Scan. Every other term becomes a condition or filter
 * expression, written with #n placeholders for names and :v placeholders
 * for values, so that the engine evaluates it with the JSON API's own code.
 * Which operation a SELECT becomes is what DynamoDB documents: an equality
 * (or IN) on the partition key makes it a Query, anything else a Scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/partiql.h"
#include "ddb/model/value.h"

#include "base/alloc.h"

/* Placeholders and the text being written. */
typedef struct ectx {
    json_t *names;  /* #nK -> name */
    json_t *lookup; /* name -> #nK */
    json_t *values; /* :vK -> AttributeValue */
    const json_t *params;
    buf_t out;
    ddb_err *err;
    bool failed;
} ectx;

static void ectx_init(ectx *x, const json_t *params, ddb_err *err)
{
    memset(x, 0, sizeof *x);
    x->params = params; /* the three maps are made on first use */
    x->err = err;
    buf_init(&x->out);
}

static void ectx_free(ectx *x)
{
    json_decref(x->names);
    json_decref(x->lookup);
    json_decref(x->values);
    buf_free(&x->out);
}

static bool bad(ectx *x, const char *msg)
{
    if (!x->failed) ddb_err_set(x->err, DDB_E_VALIDATION, "%s", msg);
    x->failed = true;
    return false;
}

/* Takes the text written so far (for one expression) and starts afresh. */
static char *take(ectx *x)
{
    return buf_detach(&x->out);
}

static void put_name(ectx *x, const char *name)
{
    if (!x->names) {
        x->names = json_object();
        x->lookup = json_object();
    }
    json_t *ph = json_object_get(x->lookup, name);
    if (!ph) {
        char id[32];
        snprintf(id, sizeof id, "#n%zu", json_object_size(x->names));
        json_object_set_new(x->names, id, json_string(name));
        ph = json_string(id);
        json_object_set_new(x->lookup, name, ph);
    }
    buf_puts(&x->out, json_string_value(ph));
}

static bool put_path(ectx *x, const pq_node *n)
{
    for (size_t i = 0; i < n->n_path; i++) {
        if (n->path[i].name) {
            if (i) buf_putc(&x->out, '.');
            put_name(x, n->path[i].name);
        } else {
            buf_printf(&x->out, "[%ld]", n->path[i].index);
        }
    }
    return true;
}

/* Adds a value under the next :vK placeholder and writes its name. */
static void add_value(ectx *x, json_t *v)
{
    if (!x->values) x->values = json_object();
    char id[32];
    snprintf(id, sizeof id, ":v%zu", json_object_size(x->values));
    json_object_set_new(x->values, id, v);
    buf_puts(&x->out, id);
}

static bool put_value(ectx *x, const pq_node *n)
{
    json_t *v = pq_value(n, x->params, x->err);
    if (!v) {
        x->failed = true;
        return false;
    }
    add_value(x, v);
    return true;
}

/* A comparison operand: a path, a value or size(path). */
static bool put_operand(ectx *x, const pq_node *n)
{
    if (n->type == PQ_N_PATH) return put_path(x, n);
    if (pq_is_value(n)) return put_value(x, n);
    if (n->type == PQ_N_FUNC && !strcmp(n->name, "size") && n->n_kids == 1 &&
        n->kids[0]->type == PQ_N_PATH) {
        buf_puts(&x->out, "size(");
        put_path(x, n->kids[0]);
        buf_putc(&x->out, ')');
        return true;
    }
    if (n->type == PQ_N_FUNC) {
        char msg[160];
        snprintf(msg, sizeof msg, "Unsupported function in expression: %.100s", n->name);
        return bad(x, msg);
    }
    return bad(x, "Unsupported expression in the where clause");
}

/* Functions that are conditions, with the argument kinds they take. */
static bool put_cond_func(ectx *x, const pq_node *n)
{
    static const struct {
        const char *name;
        size_t args;
    } funcs[] = {{"begins_with", 2},
                 {"contains", 2},
                 {"attribute_type", 2},
                 {"attribute_exists", 1},
                 {"attribute_not_exists", 1}};
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
        if (strcmp(n->name, funcs[i].name)) continue;
        if (n->n_kids != funcs[i].args) {
            char msg[160];
            snprintf(msg, sizeof msg, "Incorrect number of arguments for function: %s", n->name);
            return bad(x, msg);
        }
        buf_printf(&x->out, "%s(", n->name);
        for (size_t k = 0; k < n->n_kids; k++) {
            if (k) buf_puts(&x->out, ", ");
            if (!put_operand(x, n->kids[k])) return false;
        }
        buf_putc(&x->out, ')');
        return true;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "Unsupported function in expression: %.100s", n->name);
    return bad(x, msg);
}

static bool put_cond(ectx *x, const pq_node *n);

/* AND and OR inside parentheses, everything else as it is: never "((x))",
   which the JSON API refuses as redundant. */
static bool is_compound(const pq_node *n)
{
    return n->type == PQ_N_AND || n->type == PQ_N_OR;
}

static bool put_term(ectx *x, const pq_node *n)
{
    if (!is_compound(n)) return put_cond(x, n);
    buf_putc(&x->out, '(');
    if (!put_cond(x, n)) return false;
    buf_putc(&x->out, ')');
    return true;
}

/* A condition in the JSON API's syntax. */
static bool put_cond(ectx *x, const pq_node *n)
{
    switch (n->type) {
    case PQ_N_AND:
    case PQ_N_OR:
        if (!put_term(x, n->kids[0])) return false;
        buf_printf(&x->out, " %s ", n->op);
        return put_term(x, n->kids[1]);
    case PQ_N_NOT:
        buf_puts(&x->out, "NOT (");
        if (!put_cond(x, n->kids[0])) return false;
        buf_putc(&x->out, ')');
        return true;
    case PQ_N_CMP:
        if (!put_operand(x, n->kids[0])) return false;
        buf_printf(&x->out, " %s ", n->op);
        return put_operand(x, n->kids[1]);
    case PQ_N_BETWEEN:
        if (!put_operand(x, n->kids[0])) return false;
        buf_puts(&x->out, " BETWEEN ");
        if (!put_operand(x, n->kids[1])) return false;
        buf_puts(&x->out, " AND ");
        return put_operand(x, n->kids[2]);
    case PQ_N_IN:
        if (!put_operand(x, n->kids[0])) return false;
        buf_puts(&x->out, " IN (");
        for (size_t i = 1; i < n->n_kids; i++) {
            if (i > 1) buf_puts(&x->out, ", ");
            if (!put_operand(x, n->kids[i])) return false;
        }
        buf_putc(&x->out, ')');
        return true;
    case PQ_N_IS:
        if (n->kids[0]->type != PQ_N_PATH) return bad(x, "IS requires an attribute path");
        if (!strcmp(n->op, "MISSING")) {
            buf_puts(&x->out, n->negated ? "attribute_exists(" : "attribute_not_exists(");
            put_path(x, n->kids[0]);
            buf_putc(&x->out, ')');
            return true;
        }
        if (n->negated) buf_puts(&x->out, "NOT ");
        buf_puts(&x->out, "attribute_type(");
        put_path(x, n->kids[0]);
        buf_puts(&x->out, ", ");
        add_value(x, json_pack("{s:s}", "S", "NULL"));
        buf_putc(&x->out, ')');
        return true;
    case PQ_N_FUNC:
        return put_cond_func(x, n);
    default:
        return bad(x, "Unsupported expression in the where clause");
    }
}

/* ---- the WHERE clause's top-level AND terms ---- */

typedef struct terms {
    const pq_node **v;
    bool *used;
    size_t n;
} terms;

static void terms_collect(terms *t, const pq_node *n)
{
    if (!n) return;
    if (n->type == PQ_N_AND) {
        terms_collect(t, n->kids[0]);
        terms_collect(t, n->kids[1]);
        return;
    }
    t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
    t->used = xrealloc(t->used, (t->n + 1) * sizeof *t->used);
    t->v[t->n] = n;
    t->used[t->n] = false;
    t->n++;
}

static void terms_free(terms *t)
{
    free(t->v);
    free(t->used);
}

static bool is_attr(const pq_node *n, const char *name)
{
    return name && n->type == PQ_N_PATH && n->n_path == 1 && n->path[0].name &&
           !strcmp(n->path[0].name, name);
}

/* The index of the first unused term `name = value`, and the value node. */
static long find_eq(const terms *t, const char *name, const pq_node **value)
{
    for (size_t i = 0; i < t->n; i++) {
        const pq_node *n = t->v[i];
        if (t->used[i] || n->type != PQ_N_CMP || strcmp(n->op, "=")) continue;
        for (int side = 0; side < 2; side++) {
            if (is_attr(n->kids[side], name) && pq_is_value(n->kids[1 - side])) {
                *value = n->kids[1 - side];
                return (long)i;
            }
        }
    }
    return -1;
}

/* `name IN [values]` at the top level. */
static long find_in(const terms *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++) {
        const pq_node *n = t->v[i];
        if (t->used[i] || n->type != PQ_N_IN || !is_attr(n->kids[0], name)) continue;
        bool values = true;
        for (size_t k = 1; k < n->n_kids; k++)
            values = values && pq_is_value(n->kids[k]);
        if (values) return (long)i;
    }
    return -1;
}

/* The AND of the unused terms as a condition; true with nothing written
   when there is none. *wrapped: the text is one parenthesized term. */
static bool put_rest(ectx *x, const terms *t, bool *any, bool *wrapped)
{
    size_t n = 0;
    bool last_compound = false;
    for (size_t i = 0; i < t->n; i++) {
        if (t->used[i]) continue;
        if (n++) buf_puts(&x->out, " AND ");
        if (!put_term(x, t->v[i])) return false;
        last_compound = is_compound(t->v[i]);
    }
    *any = n > 0;
    if (wrapped) *wrapped = n == 1 && last_compound;
    return true;
}

/* ---- keys ---- */

static bool key_type_ok(const json_t *v, const ddb_keydef *k, ddb_err *err)
{
    ddb_av_type want = ddb_av_type_from_name((char[]){k->type, 0});
    if (ddb_av_type_of(v) == want) return true;
    /* A malformed value (a parameter) gets the AttributeValue's own message. */
    json_t *valid = ddb_av_normalize(v, err);
    if (!valid) return false;
    json_decref(valid);
    ddb_err_set(err, DDB_E_VALIDATION,
                "Key attribute's data type should match its data type in table's schema: Key %s",
                k->name);
    return false;
}

/* The item's key from `key = value` terms on every key attribute (marked
   used). False with err set when one is missing or has the wrong type. */
static json_t *item_key(const ddb_table *t, terms *tm, const json_t *params, ddb_err *err)
{
    const ddb_keydef *keys[2] = {&t->hash, &t->range};
    long at[2] = {-1, -1};
    const pq_node *vals[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        if (!keys[i]->name) continue;
        at[i] = find_eq(tm, keys[i]->name, &vals[i]);
        if (at[i] < 0) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Where clause does not contain a mandatory equality on all key "
                        "attributes");
            return NULL;
        }
    }
    json_t *key = json_object();
    for (int i = 0; i < 2; i++) {
        if (!keys[i]->name) continue;
        json_t *v = pq_value(vals[i], params, err);
        if (!v || !key_type_ok(v, keys[i], err)) {
            json_decref(v);
            json_decref(key);
            return NULL;
        }
        json_object_set_new(key, keys[i]->name, v);
        tm->used[at[i]] = true;
    }
    return key;
}

/* ---- requests ---- */

/* Moves the placeholders into the request (when any were used). */
static void set_attrs(json_t *req, ectx *x)
{
    if (json_object_size(x->names)) json_object_set(req, "ExpressionAttributeNames", x->names);
    if (json_object_size(x->values)) json_object_set(req, "ExpressionAttributeValues", x->values);
}

static json_t *base_req(const pq_stmt *s, const pq_opts *o)
{
    json_t *req = json_pack("{s:s}", "TableName", s->table);
    if (o->capacity) json_object_set_new(req, "ReturnConsumedCapacity", json_string(o->capacity));
    return req;
}

static bool set_projection(json_t *req, const pq_stmt *s, ectx *x)
{
    if (!s->n_columns) return true;
    for (size_t i = 0; i < s->n_columns; i++) {
        if (i) buf_puts(&x->out, ", ");
        put_path(x, s->columns[i]);
    }
    char *text = take(x);
    json_object_set_new(req, "ProjectionExpression", json_string(text));
    free(text);
    return true;
}

/* A sort-key term usable in a KeyConditionExpression, written into x. */
static bool put_range_cond(ectx *x, const terms *tm, const char *range, long *used)
{
    *used = -1;
    for (size_t i = 0; range && i < tm->n; i++) {
        const pq_node *n = tm->v[i];
        if (tm->used[i]) continue;
        if (n->type == PQ_N_CMP && strcmp(n->op, "<>")) {
            int side = is_attr(n->kids[0], range) ? 0 : is_attr(n->kids[1], range) ? 1 : -1;
            if (side < 0 || !pq_is_value(n->kids[1 - side])) continue;
            static const struct {
                const char *op, *flipped;
            } flip[] = {{"=", "="}, {"<", ">"}, {"<=", ">="}, {">", "<"}, {">=", "<="}};
            const char *op = n->op;
            for (size_t k = 0; side == 1 && k < sizeof flip / sizeof flip[0]; k++)
                if (!strcmp(flip[k].op, n->op)) op = flip[k].flipped;
            buf_puts(&x->out, " AND ");
            put_path(x, n->kids[side]);
            buf_printf(&x->out, " %s ", op);
            if (!put_value(x, n->kids[1 - side])) return false;
        } else if (n->type == PQ_N_BETWEEN && is_attr(n->kids[0], range) &&
                   pq_is_value(n->kids[1]) && pq_is_value(n->kids[2])) {
            buf_puts(&x->out, " AND ");
            if (!put_cond(x, n)) return false;
        } else if (n->type == PQ_N_FUNC && !strcmp(n->name, "begins_with") && n->n_kids == 2 &&
                   is_attr(n->kids[0], range) && pq_is_value(n->kids[1])) {
            buf_puts(&x->out, " AND ");
            if (!put_cond(x, n)) return false;
        } else {
            continue;
        }
        *used = (long)i;
        return true;
    }
    return true;
}

/* The start of a Query/Scan or keyed plan: the terms of the WHERE clause,
   the expression context, and the request (new) they build. */
static json_t *plan_start(const pq_stmt *s, const pq_opts *o, terms *tm, ectx *x, ddb_err *err)
{
    memset(tm, 0, sizeof *tm);
    terms_collect(tm, s->where);
    ectx_init(x, o->params, err);
    return base_req(s, o);
}

/* The end of one: frees what plan_start made, and hands the request to
   the plan when it was built (`ok`) or drops it. Returns ok. */
static bool plan_finish(terms *tm, ectx *x, json_t *req, bool ok, pq_plan *out)
{
    terms_free(tm);
    ectx_free(x);
    if (ok)
        out->req = req;
    else
        json_decref(req);
    return ok;
}

static bool plan_select(const pq_stmt *s, const ddb_table *t, const pq_opts *o, pq_plan *out,
                        ddb_err *err)
{
    const ddb_keydef *hash = &t->hash, *range = &t->range;
    if (s->index) {
        const ddb_index *ix = ddb_table_find_index(t, s->index);
        if (!ix) {
            ddb_err_set(err, DDB_E_VALIDATION, "The table does not have the specified index: %s",
                        s->index);
            return false;
        }
        /* DynamoDB Local 3.3.1 runs no statement on a multi-attribute key */
        if (ddb_index_multikey(ix)) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "PartiQL statements cannot be executed on tables with composite HASH "
                        "keys or composite RANGE keys.");
            return false;
        }
        hash = &ix->hash;
        range = &ix->range;
    }
    terms tm;
    ectx x;
    json_t *req = plan_start(s, o, &tm, &x, err);
    bool ok = false;
    const pq_node *hv = NULL;
    long h_at = find_eq(&tm, hash->name, &hv), in_at = h_at < 0 ? find_in(&tm, hash->name) : -1;
    if (o->consistent) json_object_set_new(req, "ConsistentRead", json_true());

    if (s->order_by && !is_attr(s->order_by, hash->name) && !is_attr(s->order_by, range->name)) {
        const pq_step *first = &s->order_by->path[0];
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Variable reference %s in ORDER BY clause must be part of the primary key",
                    first->name ? first->name : "");
        goto done;
    }
    if (s->order_by && h_at < 0 && in_at < 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Must have at least one non-optional hash key condition in WHERE clause when "
                    "using ORDER BY clause.");
        goto done;
    }
    if (h_at < 0 && in_at < 0) { /* Scan */
        out->op = PQ_OP_SCAN;
        if (s->index) json_object_set_new(req, "IndexName", json_string(s->index));
        bool any = false;
        if (!put_rest(&x, &tm, &any, NULL)) goto done;
        char *filter = take(&x);
        if (any) json_object_set_new(req, "FilterExpression", json_string(filter));
        free(filter);
        set_projection(req, s, &x);
        set_attrs(req, &x);
        ok = true;
        goto done;
    }
    json_t *hval = NULL;
    if (h_at >= 0) {
        if (!(hval = pq_value(hv, o->params, err)) || !key_type_ok(hval, hash, err)) {
            json_decref(hval);
            goto done;
        }
        tm.used[h_at] = true;
    }
    const pq_node *rv = NULL;
    long r_at = range->name ? find_eq(&tm, range->name, &rv) : -1;
    bool single = !s->index && h_at >= 0 && (!range->name || r_at >= 0) &&
                  tm.n == (range->name ? 2u : 1u) && !s->order_by;
    if (single) { /* GetItem */
        out->op = PQ_OP_GET;
        json_t *rval = range->name ? pq_value(rv, o->params, err) : NULL;
        if (range->name && (!rval || !key_type_ok(rval, range, err))) {
            json_decref(rval);
            json_decref(hval);
            goto done;
        }
        out->key = json_pack("{s:o}", hash->name, hval);
        if (rval) json_object_set_new(out->key, range->name, rval);
        json_object_set(req, "Key", out->key);
        set_projection(req, s, &x);
        set_attrs(req, &x);
        ok = true;
        goto done;
    }
    /* Query, once per partition value. */
    out->op = PQ_OP_QUERY;
    out->keys = json_array();
    if (hval) {
        json_array_append_new(out->keys, hval);
    } else {
        const pq_node *in = tm.v[in_at];
        for (size_t k = 1; k < in->n_kids; k++) {
            json_t *v = pq_value(in->kids[k], o->params, err);
            if (!v || !key_type_ok(v, hash, err)) {
                json_decref(v);
                goto done;
            }
            json_array_append_new(out->keys, v);
        }
        tm.used[in_at] = true;
    }
    if (s->index) json_object_set_new(req, "IndexName", json_string(s->index));
    put_name(&x, hash->name);
    buf_puts(&x.out, " = :pk");
    long used = -1;
    if (!put_range_cond(&x, &tm, range->name, &used)) goto done;
    if (used >= 0) tm.used[used] = true;
    char *kce = take(&x);
    json_object_set_new(req, "KeyConditionExpression", json_string(kce));
    free(kce);
    bool any = false;
    if (!put_rest(&x, &tm, &any, NULL)) goto done;
    char *filter = take(&x);
    if (any) json_object_set_new(req, "FilterExpression", json_string(filter));
    free(filter);
    if (s->order_desc) json_object_set_new(req, "ScanIndexForward", json_false());
    set_projection(req, s, &x);
    if (!x.values) x.values = json_object();
    json_object_set(x.values, ":pk", json_array_get(out->keys, 0));
    set_attrs(req, &x);
    ok = true;
done:
    return plan_finish(&tm, &x, req, ok, out);
}

static bool plan_insert(const pq_stmt *s, const ddb_table *t, const pq_opts *o, pq_plan *out,
                        ddb_err *err)
{
    json_t *item = pq_item(s->value, o->params, err);
    if (!item) return false;
    const ddb_keydef *keys[2] = {&t->hash, &t->range};
    for (int i = 0; i < 2; i++) {
        if (!keys[i]->name) continue;
        json_t *kv = json_object_get(item, keys[i]->name);
        if (!kv) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Key attribute should be present in the item: Key %s", keys[i]->name);
            json_decref(item);
            return false;
        }
        if (!key_type_ok(kv, keys[i], err)) {
            json_decref(item);
            return false;
        }
    }
    out->op = PQ_OP_PUT;
    out->key = json_object();
    for (int i = 0; i < 2; i++)
        if (keys[i]->name)
            json_object_set(out->key, keys[i]->name, json_object_get(item, keys[i]->name));
    out->req = base_req(s, o);
    json_object_set_new(out->req, "Item", item);
    json_object_set_new(out->req, "ConditionExpression", json_string("attribute_not_exists(#k)"));
    json_object_set_new(out->req, "ExpressionAttributeNames",
                        json_pack("{s:s}", "#k", t->hash.name));
    return true;
}

/* One SET value: a value, a path, a + b, list_append or if_not_exists. */
static bool put_set_value(ectx *x, const pq_node *n)
{
    if (n->type == PQ_N_ARITH) {
        if (!put_operand(x, n->kids[0])) return false;
        buf_printf(&x->out, " %s ", n->op);
        return put_operand(x, n->kids[1]);
    }
    if (n->type == PQ_N_FUNC &&
        (!strcmp(n->name, "list_append") || !strcmp(n->name, "if_not_exists"))) {
        if (n->n_kids != 2) return bad(x, "Incorrect number of arguments for function");
        buf_printf(&x->out, "%s(", n->name);
        for (size_t k = 0; k < 2; k++) {
            if (k) buf_puts(&x->out, ", ");
            if (!put_set_value(x, n->kids[k])) return false;
        }
        buf_putc(&x->out, ')');
        return true;
    }
    if (n->type == PQ_N_PATH) return put_path(x, n);
    if (pq_is_value(n)) return put_value(x, n);
    return bad(x, "Unsupported expression in the set clause");
}

static bool same_path(const pq_node *a, const pq_node *b)
{
    if (a->type != PQ_N_PATH || b->type != PQ_N_PATH || a->n_path != b->n_path) return false;
    for (size_t i = 0; i < a->n_path; i++) {
        const pq_step *x = &a->path[i], *y = &b->path[i];
        if (!x->name != !y->name) return false;
        if (x->name ? strcmp(x->name, y->name) : x->index != y->index) return false;
    }
    return true;
}

/* The UpdateExpression of the SET and REMOVE clauses (set_add and
   set_delete become ADD and DELETE). */
static char *update_text(const pq_stmt *s, ectx *x)
{
    static const char *const sections[] = {"SET", "REMOVE", "ADD", "DELETE"};
    buf_t all = BUF_INIT;
    for (int sec = 0; sec < 4; sec++) {
        bool first = true;
        for (size_t i = 0; i < s->n_assigns; i++) {
            const pq_assign *a = &s->assigns[i];
            const pq_node *v = a->value;
            bool set_fn = v && v->type == PQ_N_FUNC &&
                          (!strcmp(v->name, "set_add") || !strcmp(v->name, "set_delete"));
            int want = !v ? 1 : !set_fn ? 0 : !strcmp(v->name, "set_add") ? 2 : 3;
            if (want != sec) continue;
            buf_reset(&x->out);
            put_path(x, a->target);
            if (sec == 0) {
                buf_puts(&x->out, " = ");
                if (!put_set_value(x, v)) goto fail;
            } else if (sec >= 2) {
                if (v->n_kids != 2 || !same_path(v->kids[0], a->target) ||
                    !pq_is_value(v->kids[1])) {
                    bad(x, "The first argument of set_add and set_delete must be the path "
                           "being set, the second a set value");
                    goto fail;
                }
                buf_putc(&x->out, ' ');
                if (!put_value(x, v->kids[1])) goto fail;
            }
            if (first)
                buf_printf(&all, "%s%s ", all.len ? " " : "", sections[sec]);
            else
                buf_puts(&all, ", ");
            buf_puts(&all, buf_cstr(&x->out));
            first = false;
        }
    }
    buf_reset(&x->out);
    return buf_detach(&all);
fail:
    buf_free(&all);
    return NULL;
}

/* UPDATE, DELETE and EXISTS: the item's key and the condition. */
static bool plan_keyed(const pq_stmt *s, const ddb_table *t, const pq_opts *o, pq_plan *out,
                       ddb_err *err)
{
    if (s->index) {
        ddb_err_set(err, DDB_E_VALIDATION, "This operation is not supported on an index");
        return false;
    }
    terms tm;
    ectx x;
    json_t *req = plan_start(s, o, &tm, &x, err);
    bool ok = false;
    char *update = NULL;
    json_t *key = item_key(t, &tm, o->params, err);
    if (!key && s->kind == PQ_EXISTS && err->code == DDB_E_VALIDATION &&
        !strncmp(err->message, "Where clause", 12))
        ddb_err_set(err, DDB_E_VALIDATION, PQ_EXISTS_SHAPE);
    if (!key) goto done;
    out->key = key;
    json_object_set(req, "Key", key);
    if (s->kind == PQ_UPDATE && !(update = update_text(s, &x))) goto done;
    /* UPDATE and EXISTS need the item. A DELETE of an absent item
       succeeds whatever its other terms say, as in DynamoDB Local. */
    bool any = false, wrapped = false;
    if (!put_rest(&x, &tm, &any, &wrapped)) goto done;
    char *rest = take(&x);
    if (s->kind == PQ_EXISTS && !any) {
        free(rest);
        ddb_err_set(err, DDB_E_VALIDATION, PQ_EXISTS_SHAPE);
        goto done;
    }
    if (s->kind != PQ_DELETE || any) {
        buf_puts(&x.out, s->kind == PQ_DELETE ? "attribute_not_exists(" : "attribute_exists(");
        put_name(&x, t->hash.name);
        buf_putc(&x.out, ')');
        if (any)
            buf_printf(&x.out, wrapped ? " %s %s" : " %s (%s)", s->kind == PQ_DELETE ? "OR" : "AND",
                       rest);
        char *cond = take(&x);
        json_object_set_new(req, "ConditionExpression", json_string(cond));
        free(cond);
    }
    free(rest);
    if (update) json_object_set_new(req, "UpdateExpression", json_string(update));
    static const char *const rv[] = {[PQ_RET_NONE] = NULL,
                                     [PQ_RET_ALL_OLD] = "ALL_OLD",
                                     [PQ_RET_MODIFIED_OLD] = "UPDATED_OLD",
                                     [PQ_RET_ALL_NEW] = "ALL_NEW",
                                     [PQ_RET_MODIFIED_NEW] = "UPDATED_NEW"};
    if (rv[s->returning]) json_object_set_new(req, "ReturnValues", json_string(rv[s->returning]));
    if (o->on_fail)
        json_object_set_new(req, "ReturnValuesOnConditionCheckFailure", json_string(o->on_fail));
    set_attrs(req, &x);
    out->op = s->kind == PQ_UPDATE   ? PQ_OP_UPDATE
              : s->kind == PQ_DELETE ? PQ_OP_DELETE
                                     : PQ_OP_CHECK;
    ok = true;
done:
    free(update);
    return plan_finish(&tm, &x, req, ok, out);
}

bool pq_check_params(const pq_stmt *s, const json_t *params, ddb_err *err)
{
    /* DynamoDB Local ignores Parameters beyond the statement's `?`s. */
    if ((size_t)s->n_params <= json_array_size(params)) return true;
    ddb_err_set(err, DDB_E_VALIDATION,
                "Number of parameters in request and statement don't match.");
    return false;
}

bool pq_plan_make(const pq_stmt *s, const ddb_table *t, const pq_opts *o, pq_plan *out,
                  ddb_err *err)
{
    memset(out, 0, sizeof *out);
    if (!pq_check_params(s, o->params, err)) return false;
    bool ok;
    switch (s->kind) {
    case PQ_SELECT:
        ok = plan_select(s, t, o, out, err);
        break;
    case PQ_INSERT:
        ok = plan_insert(s, t, o, out, err);
        break;
    default:
        ok = plan_keyed(s, t, o, out, err);
        break;
    }
    if (!ok) pq_plan_clear(out);
    return ok;
}

void pq_plan_clear(pq_plan *p)
{
    json_decref(p->req);
    json_decref(p->keys);
    json_decref(p->key);
    memset(p, 0, sizeof *p);
}
