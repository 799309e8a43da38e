/*
 * write: the single-item write shared by PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem and TransactWriteItems, and the four single-item
 * operations (PutItem, GetItem, DeleteItem, UpdateItem).
 *
 * A write is prepared on the caller's thread (eng_write_prepare: the
 * request is parsed and validated into an eng_write_req that holds only
 * immutable, self-contained pieces) and applied inside the group-commit
 * batch (eng_write_apply: load the current item, check the condition, compute
 * and store the new one). The operations add what their responses need:
 * ReturnValues, ConsumedCapacity.
 */
#include "ddb/engine/engine_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/value.h"

#include "base/alloc.h"

static const char *const return_values_set[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                                "UPDATED_NEW"};

/* The string member `key` of `obj`, NULL when absent (params.c). */
static bool opt_string(const json_t *obj, const char *key, const char **out, ddb_err *err)
{
    *out = NULL;
    return eng_param_str(obj, key, out, NULL, err);
}

/* Refuses the legacy (pre-expression) parameters that cruddur does not implement. */
static bool reject_legacy(const json_t *req, const char *const *names, const char *instead,
                          ddb_err *err)
{
    for (; *names; names++) {
        if (json_object_get(req, *names)) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "The legacy parameter %s is not supported; use %s instead", *names,
                        instead);
            return false;
        }
    }
    return true;
}

/*
 * ReturnValues: one of DynamoDB's five values (else the enum message), and
 * one the operation allows (else DynamoDB's "Return values set to invalid
 * value"). The result is a static string.
 */
static bool parse_return_values(const json_t *req, eng_write_kind kind, const char **out,
                                ddb_err *err)
{
    const char *s;
    *out = "NONE";
    if (!opt_string(req, "ReturnValues", &s, err)) return false;
    if (!s) return true;
    size_t i, n = sizeof return_values_set / sizeof return_values_set[0];
    for (i = 0; i < n && strcmp(s, return_values_set[i]) != 0; i++) {
    }
    if (i == n) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at 'returnValues' failed to "
                    "satisfy constraint: Member must satisfy enum value set: [ALL_NEW, "
                    "UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
                    s);
        return false;
    }
    bool allowed = kind == ENG_UPDATE || i <= 1; /* Put and Delete: NONE, ALL_OLD */
    if (!allowed) {
        ddb_err_set(err, DDB_E_VALIDATION, "Return values set to invalid value");
        return false;
    }
    *out = return_values_set[i];
    return true;
}

/* ReturnValuesOnConditionCheckFailure: NONE or ALL_OLD. */
static bool parse_return_on_fail(const json_t *req, bool *out, ddb_err *err)
{
    const char *s;
    *out = false;
    if (!opt_string(req, "ReturnValuesOnConditionCheckFailure", &s, err)) return false;
    if (!s || strcmp(s, "NONE") == 0) return true;
    if (strcmp(s, "ALL_OLD") == 0) {
        *out = true;
        return true;
    }
    ddb_err_set(err, DDB_E_VALIDATION,
                "1 validation error detected: Value '%s' at "
                "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member "
                "must satisfy enum value set: [ALL_OLD, NONE]",
                s);
    return false;
}

/* ReturnItemCollectionMetrics: accepted (SIZE or NONE) and otherwise ignored. */
static bool check_collection_metrics(const json_t *req, ddb_err *err)
{
    const char *s;
    if (!opt_string(req, "ReturnItemCollectionMetrics", &s, err)) return false;
    if (!s || strcmp(s, "SIZE") == 0 || strcmp(s, "NONE") == 0) return true;
    ddb_err_set(err, DDB_E_VALIDATION,
                "1 validation error detected: Value '%s' at 'returnItemCollectionMetrics' "
                "failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]",
                s);
    return false;
}

/*
 * ExpressionAttributeNames/Values in a request that has no expression at
 * all: DynamoDB's messages name the expressions that are missing.
 */
static bool check_attrs_need_expr(const json_t *req, const char *missing, ddb_err *err)
{
    if (json_object_get(req, "ExpressionAttributeNames")) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "ExpressionAttributeNames can only be specified when using expressions");
        return false;
    }
    if (json_object_get(req, "ExpressionAttributeValues")) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "ExpressionAttributeValues can only be specified when using expressions: %s",
                    missing);
        return false;
    }
    return true;
}

/* Names or values in a request without any expression, refused before its
   Item or Key is read, as DynamoDB Local 3.3.1 does. */
static bool check_attrs_without_exprs(eng_write_kind kind, const json_t *req, ddb_err *err)
{
    const json_t *cond = json_object_get(req, "ConditionExpression");
    const json_t *upd = kind == ENG_UPDATE ? json_object_get(req, "UpdateExpression") : NULL;
    if ((cond && !json_is_null(cond)) || (upd && !json_is_null(upd))) return true;
    return check_attrs_need_expr(req,
                                 kind == ENG_UPDATE
                                     ? "UpdateExpression and ConditionExpression are null"
                                     : "ConditionExpression is null",
                                 err);
}

/* A required object member (Item or Key), with DynamoDB's null message. */
static const json_t *required_object(const json_t *req, const char *key, const char *wire,
                                     ddb_err *err)
{
    const json_t *v = json_object_get(req, key);
    if (!v || json_is_null(v)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at '%s' failed to satisfy "
                    "constraint: Member must not be null",
                    wire);
        return NULL;
    }
    if (!json_is_object(v)) {
        ddb_err_member_type(err, key, "an object");
        return NULL;
    }
    return v;
}

/* Item (Put) or Key (the others): normalised, keyed and checked into w;
   `unfit` as eng_write_prepare's `key_unfit`. */
static bool prepare_target(eng_write_kind kind, const json_t *req, eng_write_req *w, bool *unfit,
                           ddb_err *err)
{
    if (kind == ENG_PUT) {
        const json_t *item = required_object(req, "Item", "item", err);
        if (!item || !(w->item = ddb_item_normalize_limited(item, err))) return false;
        if (!eng_key_from_item(w->t, w->item, &w->key, unfit, err)) return false;
        if (!eng_item_check(w->t, w->item, unfit, err)) return false;
        w->key_json = eng_key_json(w->t, w->item);
        return true;
    }
    const json_t *key = required_object(req, "Key", "key", err);
    if (!key || !eng_key_from_key(w->t, key, &w->key, unfit, err)) return false;
    w->key_json = ddb_item_normalize(key, err);
    return w->key_json != NULL;
}

/* Refuses an update of a key attribute, as DynamoDB does. */
static bool check_update_keys(const ddb_table *t, const ddb_update *u, ddb_err *err)
{
    const char *keys[] = {t->hash.name, t->range.name};
    for (size_t i = 0; i < 2; i++) {
        if (keys[i] && ddb_update_touches(u, keys[i])) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Cannot update attribute %s. "
                        "This attribute is part of the key",
                        keys[i]);
            return false;
        }
    }
    return true;
}

/* ConditionExpression and UpdateExpression with their attribute maps. */
bool eng_write_parse_expressions(eng_write_kind kind, const json_t *req, ddb_cond **cond_out,
                                 ddb_update **update_out, ddb_err *err)
{
    const char *cond, *upd = NULL;
    *cond_out = NULL;
    *update_out = NULL;
    if (!opt_string(req, "ConditionExpression", &cond, err)) return false;
    if (kind == ENG_UPDATE && !opt_string(req, "UpdateExpression", &upd, err)) return false;
    if (!cond && !upd)
        return check_attrs_need_expr(req,
                                     kind == ENG_UPDATE
                                         ? "UpdateExpression and ConditionExpression are null"
                                         : "ConditionExpression is null",
                                     err);
    ddb_expr_attrs a;
    if (!ddb_expr_attrs_init(&a, json_object_get(req, "ExpressionAttributeNames"),
                             json_object_get(req, "ExpressionAttributeValues"), err))
        return false;
    bool ok = true;
    if (upd) ok = (*update_out = ddb_update_parse(upd, &a, err)) != NULL;
    if (ok && cond) ok = (*cond_out = ddb_cond_parse(cond, &a, "ConditionExpression", err)) != NULL;
    if (ok) ok = ddb_expr_attrs_check_unused(&a, err);
    ddb_expr_attrs_free(&a);
    if (!ok) {
        ddb_cond_free(*cond_out);
        ddb_update_free(*update_out);
        *cond_out = NULL;
        *update_out = NULL;
    }
    return ok;
}

static bool prepare_expressions(eng_write_kind kind, const json_t *req, eng_write_req *w,
                                ddb_err *err)
{
    if (!eng_write_parse_expressions(kind, req, &w->cond, &w->update, err)) return false;
    return !w->update || check_update_keys(w->t, w->update, err);
}

bool eng_write_prepare(eng *e, eng_conn *c, eng_write_kind kind, const json_t *req,
                       eng_write_req *w, bool *key_unfit, ddb_err *err)
{
    static const char *const legacy_cond[] = {"Expected", "ConditionalOperator", NULL};
    static const char *const legacy_update[] = {"AttributeUpdates", NULL};
    memset(w, 0, sizeof *w);
    if (key_unfit) *key_unfit = false;
    w->kind = kind;
    w->return_values = "NONE";
    eng_key_init(&w->key);

    const char *name;
    if (!eng_check_table_name(req, &name, err)) return false;
    if (!reject_legacy(req, legacy_cond, "ConditionExpression", err)) return false;
    if (!reject_legacy(req, legacy_update, "UpdateExpression", err)) return false;
    if (!parse_return_values(req, kind, &w->return_values, err)) return false;
    if (!parse_return_on_fail(req, &w->return_old_on_cond_fail, err)) return false;
    if (!check_collection_metrics(req, err)) return false;
    if (!(w->t = eng_table_acquire(e, c, name, err))) return false;
    return check_attrs_without_exprs(kind, req, err) &&
           prepare_target(kind, req, w, key_unfit, err) && prepare_expressions(kind, req, w, err);
}

void eng_write_req_free(eng *e, eng_write_req *w)
{
    if (!w) return;
    if (w->t) eng_table_release(e, w->t);
    eng_key_free(&w->key);
    json_decref(w->key_json);
    json_decref(w->item);
    ddb_cond_free(w->cond);
    ddb_update_free(w->update);
    json_decref(w->legacy_names);
    json_decref(w->put_kept);
    json_decref(w->old_item);
    json_decref(w->new_item);
    json_decref(w->old_kept);
    memset(w, 0, sizeof *w);
}

#define SQL_TABLE_VERSION "SELECT version FROM tables WHERE tid = ?1"

/*
 * Makes sure w->t is the committed definition of the table: the write was
 * prepared against a definition that an UpdateTable (new index, stream or
 * TTL change) or a DeleteTable may have replaced since.
 */
static bool refresh_table(eng *e, eng_conn *c, eng_write_req *w, ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, SQL_TABLE_VERSION, err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, w->t->tid);
    int rc = sqlite3_step(st);
    int64_t version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        eng_sql_error(c, err);
        return false;
    }
    if (version < 0) {
        ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found");
        return false;
    }
    if (version == w->t->version) return true;
    const ddb_table *t = eng_table_acquire(e, c, w->t->name, err);
    if (!t) return false;
    bool same = t->tid == w->t->tid;
    eng_table_release(e, w->t);
    w->t = t;
    if (!same) {
        ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found");
        return false;
    }
    return w->kind != ENG_PUT || eng_item_check(t, w->item, NULL, err);
}

/*
 * A legacy update's item in the order DynamoDB Local keeps it: the names
 * of `base` (the kept item it changed) that are left, where they were, then
 * the new names in the order the AttributeUpdates sent them.
 */
static json_t *legacy_kept(const json_t *item, const json_t *base, const json_t *sent)
{
    json_t *out = json_object();
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)item, name, v)
    {
        if (json_object_get(base, name)) json_object_set(out, name, v);
    }
    size_t i;
    json_t *s;
    json_array_foreach(sent, i, s)
    {
        const char *n = json_string_value(s);
        if (n && !json_object_get(out, n) && (v = json_object_get(item, n)))
            json_object_set(out, n, v);
    }
    assert(json_object_size(out) == json_object_size(item));
    return out;
}

/*
 * The item an update produces from `old` (or from the key alone), as a
 * read shows it; *kept is set to the same item in DynamoDB Local's kept
 * order (attr_kept.c), or to NULL when that is the order a read shows (an
 * item the update creates). The update changes the kept item, `old_kept`
 * (NULL: the same as `old`).
 */
static json_t *updated_item(const eng_write_req *w, const json_t *old, const json_t *old_kept,
                            json_t **kept, ddb_err *err)
{
    const json_t *base = w->update && old_kept ? old_kept : old ? old : w->key_json;
    json_t *item = json_deep_copy(base);
    *kept = w->update ? NULL : json_incref((json_t *)old_kept); /* no update: as it was */
    if (w->update && !ddb_update_apply(w->update, item, err)) {
        json_decref(item);
        return NULL;
    }
    if (w->update) {
        json_t *k;
        if (w->legacy_names && old) {
            k = legacy_kept(item, base, w->legacy_names);
        } else if (w->legacy_names) {
            k = json_incref(item); /* the key, then the names in the order sent */
        } else {
            ddb_update_order_maps(w->update, item, DDB_ORDER_REBUILT_KEPT);
            k = ddb_attr_reordered(item, DDB_ORDER_REBUILT_KEPT);
        }
        json_decref(item);
        /* a read shows each map of the kept item through a written map */
        item = ddb_attr_reordered_deep(k, DDB_ORDER_WRITTEN);
        if (old)
            *kept = k;
        else
            json_decref(k); /* a new item is kept as a read shows it */
    }
    if (ddb_item_size(item) > DDB_MAX_ITEM_SIZE) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Item size to update has exceeded the maximum allowed size");
    } else if (eng_item_check(w->t, item, NULL, err)) {
        return item;
    }
    json_decref(item);
    json_decref(*kept);
    *kept = NULL;
    return NULL;
}

bool eng_write_apply(eng *e, eng_conn *c, eng_write_req *w, ddb_err *err)
{
    json_decref(w->old_item);
    json_decref(w->new_item);
    json_decref(w->old_kept);
    w->old_item = w->new_item = w->old_kept = NULL;
    if (!refresh_table(e, c, w, err)) return false;

    ddb_err local = DDB_ERR_INIT;
    w->old_item = eng_item_get_kept(c, w->t, &w->key, &w->old_kept, &local);
    if (!w->old_item && local.code != DDB_OK) {
        ddb_err_move(err, &local);
        return false;
    }
    if (w->cond) {
        int r = ddb_cond_eval(w->cond, w->old_item, err);
        if (r < 0) return false;
        if (r == 0) {
            ddb_err_set(err, DDB_E_CONDITION, "The conditional request failed");
            if (w->return_old_on_cond_fail && w->old_item)
                err->detail = json_pack("{s:O}", "Item", w->old_item);
            return false;
        }
    }
    json_t *kept = NULL;
    switch (w->kind) {
    case ENG_CHECK:
        return true;
    case ENG_PUT:
        w->new_item = json_incref(w->item);
        kept = json_incref(w->put_kept);
        break;
    case ENG_UPDATE:
        if (!(w->new_item = updated_item(w, w->old_item, w->old_kept, &kept, err))) return false;
        break;
    case ENG_DELETE:
        break;
    }
    bool ok = eng_item_store(e, c, w->t, &w->key, w->old_item, w->new_item, kept, NULL, err);
    json_decref(kept);
    return ok;
}

void eng_write_keep_given(eng_write_req *w, const json_t *req)
{
    assert(w->kind == ENG_PUT && json_is_object(w->item));
    const json_t *given = json_object_get(req, "Item");
    assert(json_is_object(given)); /* eng_write_prepare took it */
    json_t *shape = ddb_attr_kept_shape(given, w->item);
    json_decref(w->put_kept);
    w->put_kept = shape ? ddb_attr_kept_apply(w->item, shape) : NULL;
    json_decref(shape);
}

/* ---- the operations ---- */

/* Runs a prepared write inside the write batch. */
static json_t *apply_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    return eng_write_apply(e, c, arg, err) ? json_object() : NULL;
}

/* A new object with the members of `got` named in `names`, in that order
   (values shared). */
static json_t *in_order_of(const json_t *got, const json_t *names)
{
    json_t *out = json_object();
    size_t i;
    json_t *name, *v;
    json_array_foreach(names, i, name)
    {
        if ((v = json_object_get(got, json_string_value(name))))
            json_object_set(out, json_string_value(name), v);
    }
    return out;
}

/*
 * The Attributes member of a write's response for its ReturnValues, or NULL
 * when there is nothing to return (no old item, nothing updated). The names
 * come in DynamoDB Local 3.3.1's order for each answer (attr_order.c):
 * UpdateItem answers copies of the item; PutItem and DeleteItem the stored
 * item itself.
 */
static json_t *return_attributes(const eng_write_req *w)
{
    const char *rv = w->return_values;
    json_t *out = NULL;
    if (strcmp(rv, "ALL_OLD") == 0 && w->old_item) {
        out = w->update ? ddb_attr_reordered(w->old_item, DDB_ORDER_OLD_COPIED)
                        : json_incref(w->old_item);
    } else if (strcmp(rv, "ALL_NEW") == 0 && w->new_item) {
        out = w->update ? ddb_attr_reordered(w->new_item, DDB_ORDER_COPIED)
                        : json_incref(w->new_item);
    } else if (w->update && (strcmp(rv, "UPDATED_OLD") == 0 || strcmp(rv, "UPDATED_NEW") == 0)) {
        const json_t *src = strcmp(rv, "UPDATED_OLD") == 0 ? w->old_item : w->new_item;
        if (src) {
            json_t *got = ddb_proj_apply(ddb_update_paths(w->update), src);
            if (w->legacy_names) { /* their names in the order sent */
                json_t *sent = in_order_of(got, w->legacy_names);
                json_decref(got);
                got = sent;
            }
            out = ddb_attr_reordered(got, w->legacy_names ? DDB_ORDER_KEY : DDB_ORDER_UPDATED);
            json_decref(got);
        }
    }
    if (out && json_object_size(out) == 0) {
        json_decref(out);
        out = NULL;
    }
    return out;
}

/* PutItem, UpdateItem and DeleteItem: prepare, apply on the writer, answer.
   `put_order`: the item is kept in the order the request gives (an update
   from AttributeUpdates, a PartiQL INSERT's item; attr_kept.c). */
static json_t *single_write(eng *e, eng_write_kind kind, bool put_order, json_t *req, ddb_err *err)
{
    const char *mode;
    if (!eng_capacity_mode(req, &mode, err)) return NULL;
    eng_conn *c = eng_conn_get(e, err);
    if (!c) return NULL;
    eng_write_req w;
    json_t *res = NULL;
    if (eng_write_prepare(e, c, kind, req, &w, NULL, err)) {
        if (put_order && kind == ENG_UPDATE) w.legacy_names = eng_legacy_update_names(req);
        if (put_order && kind == ENG_PUT) eng_write_keep_given(&w, req);
        res = eng_write(e, apply_fn, &w, err);
        /* UpdateItem's failed condition answers its copy of the old item
           (attr_order.c); PutItem and DeleteItem the item in the order
           DynamoDB Local keeps it (attr_kept.c). */
        json_t *old = !res && err && err->detail ? json_object_get(err->detail, "Item") : NULL;
        if (json_is_object(old) && kind == ENG_UPDATE)
            json_object_set_new(err->detail, "Item", ddb_attr_reordered(old, DDB_ORDER_HASHMAP));
        else if (json_is_object(old) && w.old_kept)
            json_object_set(err->detail, "Item", w.old_kept);
    }
    if (res) {
        json_t *attrs = return_attributes(&w);
        if (attrs) json_object_set_new(res, "Attributes", attrs);
        double *iu = w.t->n_indexes ? xcalloc(w.t->n_indexes, sizeof *iu) : NULL;
        double tu = eng_write_change_units(w.t, w.old_item, w.new_item, iu);
        json_t *cc = eng_capacity_split_json(w.t, mode, tu, iu);
        if (cc) json_object_set_new(res, "ConsumedCapacity", cc);
        free(iu);
    }
    eng_write_req_free(e, &w);
    return res;
}

json_t *eng_op_put_item(eng *e, json_t *req, ddb_err *err)
{
    return single_write(e, ENG_PUT, false, req, err);
}

json_t *eng_op_put_item_kept(eng *e, json_t *req, ddb_err *err)
{
    return single_write(e, ENG_PUT, true, req, err);
}

json_t *eng_op_update_item(eng *e, json_t *req, ddb_err *err)
{
    return single_write(e, ENG_UPDATE, false, req, err);
}

json_t *eng_op_update_item_put_order(eng *e, json_t *req, ddb_err *err)
{
    return single_write(e, ENG_UPDATE, true, req, err);
}

json_t *eng_op_delete_item(eng *e, json_t *req, ddb_err *err)
{
    return single_write(e, ENG_DELETE, false, req, err);
}

/* ---- GetItem ---- */

typedef struct get_req {
    const ddb_table *t;
    eng_key key;
    ddb_proj *proj;
    bool consistent;
    json_t *item; /* the stored item, filled by get_fn */
} get_req;

/* Parses GetItem's parameters on the caller's thread; `listed`: the
   projection came from AttributesToGet (legacy.c). */
static bool get_prepare(eng *e, eng_conn *c, const json_t *req, bool listed, get_req *g,
                        ddb_err *err)
{
    static const char *const legacy[] = {"AttributesToGet", NULL};
    const char *name, *proj;
    if (!eng_check_table_name(req, &name, err)) return false;
    if (!reject_legacy(req, legacy, "ProjectionExpression", err)) return false;
    g->consistent = false;
    if (!eng_param_bool(req, "ConsistentRead", &g->consistent, err)) return false;
    if (!opt_string(req, "ProjectionExpression", &proj, err)) return false;
    if (!(g->t = eng_table_acquire(e, c, name, err))) return false;
    /* DynamoDB Local 3.3.1 reads the projection before it checks the key */
    if (!proj) {
        if (!check_attrs_need_expr(req, "ProjectionExpression is null", err)) return false;
    } else {
        ddb_expr_attrs a;
        if (!ddb_expr_attrs_init(&a, json_object_get(req, "ExpressionAttributeNames"),
                                 json_object_get(req, "ExpressionAttributeValues"), err))
            return false;
        bool ok = (g->proj = ddb_proj_parse(proj, &a, err)) != NULL &&
                  ddb_expr_attrs_check_unused(&a, err);
        ddb_expr_attrs_free(&a);
        if (!ok) return false;
        if (listed) ddb_proj_set_listed(g->proj);
    }
    const json_t *key = required_object(req, "Key", "key", err);
    return key && eng_key_from_key(g->t, key, &g->key, NULL, err);
}

/* Loads the item inside the read snapshot. */
static json_t *get_fn(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    get_req *g = arg;
    ddb_err local = DDB_ERR_INIT;
    g->item = eng_item_get(c, g->t, &g->key, &local);
    if (!g->item && local.code != DDB_OK) {
        ddb_err_move(err, &local);
        return NULL;
    }
    return json_object();
}

static json_t *get_item(eng *e, json_t *req, bool listed, ddb_err *err)
{
    const char *mode;
    if (!eng_capacity_mode(req, &mode, err)) return NULL;
    eng_conn *c = eng_conn_get(e, err);
    if (!c) return NULL;
    get_req g = {0};
    eng_key_init(&g.key);
    json_t *res = NULL;
    if (get_prepare(e, c, req, listed, &g, err)) res = eng_read(e, get_fn, &g, err);
    if (res) {
        if (g.item)
            json_object_set_new(res, "Item",
                                g.proj ? ddb_proj_apply(g.proj, g.item) : json_incref(g.item));
        double units = eng_read_units(g.item ? ddb_item_size(g.item) : 0, g.consistent);
        json_t *cc = eng_capacity_json(g.t, mode, units, NULL, false);
        if (cc) json_object_set_new(res, "ConsumedCapacity", cc);
    }
    json_decref(g.item);
    ddb_proj_free(g.proj);
    eng_key_free(&g.key);
    if (g.t) eng_table_release(e, g.t);
    return res;
}

json_t *eng_op_get_item(eng *e, json_t *req, ddb_err *err)
{
    return get_item(e, req, false, err);
}

json_t *eng_op_get_item_legacy(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err)
{
    return get_item(e, req, lg->listed, err);
}
