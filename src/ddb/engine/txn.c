/*
 * txn: TransactWriteItems and TransactGetItems.
 *
 * TransactWriteItems prepares every action with the single-item write of
 * write.c, then applies them all in one eng_write call. Every action is
 * applied even after one failed, so that the TransactionCanceledException
 * carries one reason per action ("None" for those that would have
 * succeeded); returning NULL from the writer function then rolls the
 * savepoint back, so nothing of the transaction is stored and no stream
 * record is written. A key value of the wrong type or size fails its
 * action in the same way, as a ValidationError reason (DynamoDB Local 3.3.1
 * and the TransactWriteItems reference); every other fault found while
 * preparing (a key attribute missing, an empty key, an unknown table, two
 * actions on one item...) fails the whole call, still before anything is
 * applied. The engine is serial, so conflicts between
 * transactions cannot happen. A ClientRequestToken makes a repeat within
 * 10 minutes a no-op (engine/txn_token.c). TransactGetItems reads every item in one
 * read snapshot.
 *
 * Capacity: transactional reads and writes cost twice the units of the
 * plain ones, as in DynamoDB: a write on the table and on each secondary
 * index whose entry it adds, changes or removes (ReturnConsumedCapacity
 * INDEXES names them).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "ddb/engine/engine_int.h"
#include "ddb/model/value.h"

#include "base/alloc.h"

#define TXN_MAX_ACTIONS 100

static bool txn_fail(ddb_err *err, const char *msg)
{
    ddb_err_set(err, DDB_E_VALIDATION, "%s", msg);
    return false;
}

/* TransactItems: an array of 1..100 objects. */
static bool txn_items(const json_t *req, json_t **items, ddb_err *err)
{
    *items = json_object_get(req, "TransactItems");
    if (!*items || json_is_null(*items))
        return txn_fail(err, "1 validation error detected: Value null at 'transactItems' failed "
                             "to satisfy constraint: Member must not be null");
    if (!json_is_array(*items)) {
        ddb_err_member_type(err, "TransactItems", "a list");
        return false;
    }
    size_t n = json_array_size(*items);
    if (n < 1 || n > TXN_MAX_ACTIONS) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value at 'transactItems' failed to satisfy "
                    "constraint: Member must have length %s",
                    n < 1 ? "greater than or equal to 1" : "less than or equal to 100");
        return false;
    }
    return true;
}

/* Whether action i touches the same item as an earlier one. An action
   without a key (NULL: its key was refused) touches no item. */
static bool txn_duplicate(const ddb_table *const *tables, const eng_key *const *keys, size_t i)
{
    for (size_t j = 0; j < i && keys[i]; j++)
        if (keys[j] && tables[j]->tid == tables[i]->tid && eng_key_same(keys[j], keys[i]))
            return true;
    return false;
}

/* What the actions of a transaction spent: action i, units[i] on tables[i]
   and index_units[i][k] on that table's index k (NULL for a read). */
typedef struct txn_cost {
    const ddb_table **tables;
    double *units;
    double **index_units;
    size_t n;
} txn_cost;

static void txn_cost_init(txn_cost *cost, size_t n)
{
    cost->tables = xcalloc(n, sizeof *cost->tables);
    cost->units = xcalloc(n, sizeof *cost->units);
    cost->index_units = xcalloc(n, sizeof *cost->index_units);
    cost->n = n;
}

static void txn_cost_free(txn_cost *cost)
{
    for (size_t i = 0; i < cost->n; i++)
        free(cost->index_units[i]);
    free(cost->index_units);
    free(cost->tables);
    free(cost->units);
}

/* Action i spent `units` (of a plain read or write) on t: a transaction
   pays twice that, as in DynamoDB. */
static void txn_cost_set(txn_cost *cost, size_t i, const ddb_table *t, double units)
{
    assert(i < cost->n);
    cost->tables[i] = t;
    cost->units[i] = 2 * units;
}

/* Action i read `item` (NULL when absent) of t, strongly consistent. */
static void txn_cost_read(txn_cost *cost, size_t i, const ddb_table *t, const json_t *item)
{
    txn_cost_set(cost, i, t, eng_read_units(item ? ddb_item_size(item) : 0, true));
}

/* Action i changed an item of t from old_item to new_item (either NULL
   when absent): twice the units of the plain write, on the table and on
   each index whose entry it adds, changes or removes. */
static void txn_cost_write(txn_cost *cost, size_t i, const ddb_table *t, const json_t *old_item,
                           const json_t *new_item)
{
    double *ix = xcalloc(t->n_indexes + 1, sizeof *ix);
    txn_cost_set(cost, i, t, eng_write_change_units(t, old_item, new_item, ix));
    for (size_t k = 0; k < t->n_indexes; k++)
        ix[k] *= 2;
    cost->index_units[i] = ix;
}

/* One ConsumedCapacity per table, in the order tables first appear: the
   sums of its actions' table units and of their units on each index. */
static json_t *txn_cost_json(const txn_cost *cost, const char *mode)
{
    const ddb_table **tables = cost->tables;
    json_t *caps = json_array();
    for (size_t i = 0; i < cost->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = tables[j]->tid == tables[i]->tid;
        if (seen) continue;
        const ddb_table *t = tables[i];
        double sum = 0;
        double *ix = xcalloc(t->n_indexes + 1, sizeof *ix);
        for (size_t j = i; j < cost->n; j++) {
            if (tables[j]->tid != t->tid) continue;
            sum += cost->units[j];
            for (size_t k = 0; cost->index_units[j] && k < t->n_indexes; k++)
                ix[k] += cost->index_units[j][k];
        }
        json_t *cap = eng_capacity_split_json(t, mode, sum, ix);
        free(ix);
        if (cap) json_array_append_new(caps, cap);
    }
    return caps;
}

/* Prepares action i of TransactItems into the operation's context `ctx`
   and names the table and key it touches (NULL when there is none). */
typedef bool (*txn_prepare_fn)(eng *e, eng_conn *c, const json_t *action, size_t i, void *ctx,
                               const ddb_table **t, const eng_key **k, ddb_err *err);

/*
 * Prepares every action of TransactItems in order with `prepare` and
 * refuses two actions on one item. Stops at the first failure; `prepare`
 * counts in ctx what it prepared, so that the caller frees just that.
 */
static bool txn_prepare_all(eng *e, eng_conn *c, const json_t *items, txn_prepare_fn prepare,
                            void *ctx, ddb_err *err)
{
    size_t n = json_array_size(items);
    const ddb_table **tables = xcalloc(n, sizeof *tables);
    const eng_key **keys = xcalloc(n, sizeof *keys);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        ok = prepare(e, c, json_array_get(items, i), i, ctx, &tables[i], &keys[i], err);
        if (ok && txn_duplicate(tables, keys, i))
            ok = txn_fail(err, "Transaction request cannot include multiple operations on one "
                               "item");
    }
    free(tables);
    free(keys);
    return ok;
}

/* ---- TransactWriteItems ---- */

typedef struct tw_ctx {
    eng_write_req *w;
    char **key_faults; /* per action: why its key was refused, else NULL */
    size_t n;
    const char *cap_mode;
    const char *token; /* ClientRequestToken or NULL */
    bool puts_kept;    /* Put items kept as given (eng_write_keep_given) */
    char digest[ENG_TOKEN_DIGEST_LEN];
    int64_t now_us;
} tw_ctx;

/* Frees what a tw_ctx holds: the x->n writes prepared, the key faults. */
static void tw_ctx_free(eng *e, tw_ctx *x)
{
    for (size_t i = 0; i < x->n; i++)
        eng_write_req_free(e, &x->w[i]);
    for (size_t i = 0; i < x->n; i++)
        free(x->key_faults[i]);
    free(x->key_faults);
    free(x->w);
}

static const char *const tw_kinds[] = {[ENG_PUT] = "Put",
                                       [ENG_UPDATE] = "Update",
                                       [ENG_DELETE] = "Delete",
                                       [ENG_CHECK] = "ConditionCheck"};

/* The kind and body of an action: exactly one of Put, Update, Delete,
   ConditionCheck, an object, without ReturnValues. */
static bool tw_action(const json_t *action, eng_write_kind *kind_out, json_t **body_out,
                      ddb_err *err)
{
    int kind = -1, found = 0;
    for (int k = 0; k < 4; k++) {
        if (json_object_get(action, tw_kinds[k])) {
            kind = k;
            found++;
        }
    }
    if (found > 1)
        return txn_fail(err, "TransactItems can only contain one of Check, Put, Update or Delete");
    if (found == 0)
        return txn_fail(err, "Invalid Request: TransactWriteRequest should contain Delete or Put "
                             "or Update request");
    json_t *body = json_object_get(action, tw_kinds[kind]);
    if (!json_is_object(body)) {
        ddb_err_member_type(err, tw_kinds[kind], "an object");
        return false;
    }
    if (json_object_get(body, "ReturnValues")) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "ReturnValues is not supported in TransactWriteItems; use "
                    "ReturnValuesOnConditionCheckFailure");
        return false;
    }
    *kind_out = (eng_write_kind)kind;
    *body_out = body;
    return true;
}

static const char *const tw_paths[] = {[ENG_PUT] = "put",
                                       [ENG_UPDATE] = "update",
                                       [ENG_DELETE] = "delete",
                                       [ENG_CHECK] = "conditionCheck"};

/* A member of action i that must not be null, named by its path in the
   request as DynamoDB names it. */
static bool tw_null_member(ddb_err *err, size_t i, eng_write_kind kind, const char *wire)
{
    ddb_err_set(err, DDB_E_VALIDATION,
                "1 validation error detected: Value null at 'transactItems.%zu.member.%s.%s' "
                "failed to satisfy constraint: Member must not be null",
                i + 1, tw_paths[kind], wire);
    return false;
}

/* Prepares action i against its table; `key_unfit` as eng_write_prepare's. */
static bool tw_prepare(eng *e, eng_conn *c, const json_t *action, size_t i, eng_write_req *w,
                       bool puts_kept, bool *key_unfit, ddb_err *err)
{
    eng_write_kind kind;
    json_t *body;
    if (!tw_action(action, &kind, &body, err)) return false;
    if (kind == ENG_CHECK && !json_is_string(json_object_get(body, "ConditionExpression")))
        return tw_null_member(err, i, kind, "conditionExpression");
    const json_t *target = json_object_get(body, kind == ENG_PUT ? "Item" : "Key");
    if (!target || json_is_null(target)) {
        /* after the action's table is found, as in 3.3.1 */
        const char *name;
        if (!eng_check_table_name(body, &name, err)) return false;
        const ddb_table *t = eng_table_acquire(e, c, name, err);
        if (!t) return false;
        eng_table_release(e, t);
        return tw_null_member(err, i, kind, kind == ENG_PUT ? "item" : "key");
    }
    if (!eng_write_prepare(e, c, kind, body, w, key_unfit, err)) return false;
    if (puts_kept && kind == ENG_PUT) eng_write_keep_given(w, body);
    return true;
}

/* Every action's TableName is present (DynamoDB Local 3.3.1 looks for all
   of them before it prepares the first action). The shapes were checked
   before. */
static bool tw_check_table_names(const json_t *items, ddb_err *err)
{
    size_t i;
    json_t *action;
    json_array_foreach(items, i, action)
    {
        eng_write_kind kind;
        json_t *body;
        if (!tw_action(action, &kind, &body, err)) return false;
        const json_t *v = json_object_get(body, "TableName");
        if (!v || json_is_null(v)) return tw_null_member(err, i, kind, "tableName");
    }
    return true;
}

/* Every action's shape and expressions, then its AttributeValues (Item or
   Key), action by action, before any table is looked up or any key
   checked (DynamoDB Local 3.3.1's order). */
static bool tw_check_expressions(const json_t *items, ddb_err *err)
{
    size_t i;
    json_t *action;
    json_array_foreach(items, i, action)
    {
        eng_write_kind kind;
        json_t *body;
        if (!tw_action(action, &kind, &body, err)) return false;
        /* names or values without an expression are refused later */
        if (json_object_get(body, "ConditionExpression") ||
            (kind == ENG_UPDATE && json_object_get(body, "UpdateExpression"))) {
            ddb_cond *cond = NULL;
            ddb_update *update = NULL;
            bool ok = eng_write_parse_expressions(kind, body, &cond, &update, err);
            ddb_cond_free(cond);
            ddb_update_free(update);
            if (!ok) return false;
        }
        /* a Put's Item is measured too (its 400 KB limit) */
        const json_t *target = json_object_get(body, kind == ENG_PUT ? "Item" : "Key");
        if (json_is_object(target)) {
            json_t *read = kind == ENG_PUT ? ddb_item_normalize_limited(target, err)
                                           : ddb_item_normalize(target, err);
            if (!read) return false;
            json_decref(read);
        }
    }
    return tw_check_table_names(items, err);
}

/* txn_prepare_fn of TransactWriteItems: the next write of the tw_ctx. A
   key value of the wrong type or size is kept as the action's fault for
   tw_apply, and preparing goes on with the next action. */
static bool tw_prepare_next(eng *e, eng_conn *c, const json_t *action, size_t i, void *ctx,
                            const ddb_table **t, const eng_key **k, ddb_err *err)
{
    tw_ctx *x = ctx;
    eng_write_req *w = &x->w[x->n++];
    bool key_unfit = false;
    assert(i == x->n - 1);
    if (!tw_prepare(e, c, action, i, w, x->puts_kept, &key_unfit, err)) {
        if (!key_unfit) return false;
        assert(w->t && err->code == DDB_E_VALIDATION);
        x->key_faults[i] = xstrdup(err->message);
        ddb_err_clear(err);
        *t = w->t;
        *k = NULL;
        return true;
    }
    *t = w->t;
    *k = &w->key;
    return true;
}

/* A ValidationError cancellation reason. */
static json_t *tw_validation_reason(const char *message)
{
    return json_pack("{s:s, s:s}", "Code", "ValidationError", "Message", message);
}

/* The reason of one failed action, or NULL when err is not one that
   cancels the transaction (then the whole call fails with err). */
static json_t *tw_reason(const eng_write_req *w, ddb_err *err)
{
    json_t *r;
    if (err->code == DDB_E_CONDITION) {
        /* DynamoDB Local ends this message with a full stop for a failed
           ConditionCheck, and only there; libraries compare the text. */
        r = json_pack("{s:s, s:s}", "Code", "ConditionalCheckFailed", "Message",
                      w->kind == ENG_CHECK ? "The conditional request failed."
                                           : "The conditional request failed");
        json_t *item = err->detail ? json_object_get(err->detail, "Item") : NULL;
        if (!item && w->return_old_on_cond_fail) item = w->old_item;
        if (item) json_object_set(r, "Item", item);
    } else if (err->code == DDB_E_VALIDATION) {
        r = tw_validation_reason(err->message);
    } else {
        return NULL;
    }
    ddb_err_clear(err);
    return r;
}

/* The answer to a repeat of a transaction already applied: nothing changes;
   ConsumedCapacity counts reading the items, as DynamoDB documents. */
static json_t *tw_replay(eng_conn *c, tw_ctx *x, ddb_err *err)
{
    json_t *resp = json_object();
    if (!x->cap_mode) return resp;
    txn_cost cost;
    txn_cost_init(&cost, x->n);
    bool ok = true;
    for (size_t i = 0; i < x->n && ok; i++) {
        /* (an action with a refused key cannot have been applied before,
           unless its table was since made anew with other key types) */
        json_t *item = x->key_faults[i] ? NULL : eng_item_get(c, x->w[i].t, &x->w[i].key, err);
        ok = item || err->code == DDB_OK;
        txn_cost_read(&cost, i, x->w[i].t, item);
        json_decref(item);
    }
    if (ok) json_object_set_new(resp, "ConsumedCapacity", txn_cost_json(&cost, x->cap_mode));
    txn_cost_free(&cost);
    if (!ok) {
        json_decref(resp);
        return NULL;
    }
    return resp;
}

static json_t *tw_apply(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    tw_ctx *x = arg;
    if (x->token) {
        bool replay = false;
        if (!eng_txn_token_check(c, x->token, x->digest, x->now_us, &replay, err)) return NULL;
        if (replay) return tw_replay(c, x, err);
    }
    json_t *reasons = json_array();
    bool cancelled = false;
    for (size_t i = 0; i < x->n; i++) {
        if (x->key_faults[i]) {
            json_array_append_new(reasons, tw_validation_reason(x->key_faults[i]));
            cancelled = true;
            continue;
        }
        if (eng_write_apply(e, c, &x->w[i], err)) {
            json_array_append_new(reasons, json_pack("{s:s}", "Code", "None"));
            continue;
        }
        json_t *r = tw_reason(&x->w[i], err);
        if (!r) {
            json_decref(reasons);
            return NULL;
        }
        json_array_append_new(reasons, r);
        cancelled = true;
    }
    if (cancelled) {
        buf_t m = BUF_INIT;
        buf_puts(&m, "Transaction cancelled, please refer cancellation reasons for specific "
                     "reasons [");
        size_t i;
        json_t *r;
        json_array_foreach(reasons, i, r)
        {
            buf_printf(&m, "%s%s", i ? ", " : "", json_string_value(json_object_get(r, "Code")));
        }
        buf_putc(&m, ']');
        ddb_err_set(err, DDB_E_TXN_CANCELED, "%s", buf_cstr(&m));
        err->detail = json_pack("{s:o}", "CancellationReasons", reasons);
        buf_free(&m);
        return NULL;
    }
    json_decref(reasons);
    if (x->token && !eng_txn_token_record(c, x->token, x->digest, x->now_us, err)) return NULL;
    json_t *resp = json_object();
    if (x->cap_mode) {
        txn_cost cost;
        txn_cost_init(&cost, x->n);
        for (size_t i = 0; i < x->n; i++) {
            const eng_write_req *w = &x->w[i];
            if (w->kind == ENG_CHECK)
                txn_cost_read(&cost, i, w->t, w->old_item);
            else
                txn_cost_write(&cost, i, w->t, w->old_item, w->new_item);
        }
        json_object_set_new(resp, "ConsumedCapacity", txn_cost_json(&cost, x->cap_mode));
        txn_cost_free(&cost);
    }
    return resp;
}

static json_t *transact_write(eng *e, json_t *req, bool puts_kept, ddb_err *err)
{
    json_t *items;
    if (!txn_items(req, &items, err)) return NULL;
    const char *token = NULL;
    bool has_token = false;
    if (!eng_param_str(req, "ClientRequestToken", &token, &has_token, err)) return NULL;
    if (has_token && (strlen(token) < 1 || strlen(token) > 36)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at 'clientRequestToken' failed to "
                    "satisfy constraint: Member must have length %s",
                    token, *token ? "less than or equal to 36" : "greater than or equal to 1");
        return NULL;
    }
    size_t n = json_array_size(items);
    tw_ctx x = {.w = xcalloc(n, sizeof(eng_write_req)),
                .key_faults = xcalloc(n, sizeof(char *)),
                .token = has_token ? token : NULL,
                .puts_kept = puts_kept};
    if (x.token && !eng_txn_token_digest(items, x.digest)) {
        ddb_err_set(err, DDB_E_INTERNAL, "could not digest TransactItems");
        tw_ctx_free(e, &x);
        return NULL;
    }
    x.now_us = clock_now_us();
    json_t *resp = NULL;
    eng_conn *c = eng_conn_get(e, err);
    if (c && eng_capacity_mode(req, &x.cap_mode, err) && tw_check_expressions(items, err) &&
        txn_prepare_all(e, c, items, tw_prepare_next, &x, err))
        resp = eng_write(e, tw_apply, &x, err);
    tw_ctx_free(e, &x);
    return resp;
}

json_t *eng_op_transact_write(eng *e, json_t *req, ddb_err *err)
{
    return transact_write(e, req, false, err);
}

json_t *eng_op_transact_write_kept(eng *e, json_t *req, ddb_err *err)
{
    return transact_write(e, req, true, err);
}

/* ---- TransactGetItems ---- */

typedef struct tg_get {
    const ddb_table *t;
    eng_key key;
    ddb_proj *proj;
} tg_get;

typedef struct tg_ctx {
    tg_get *g;
    size_t n;
    const char *cap_mode;
} tg_ctx;

static bool tg_prepare(eng *e, eng_conn *c, const json_t *action, size_t i, tg_get *g, ddb_err *err)
{
    json_t *get = json_object_get(action, "Get");
    if (!json_is_object(get))
        return txn_fail(err, "1 validation error detected: Value null at 'transactItems' failed "
                             "to satisfy constraint: Member must not be null");
    const json_t *tname = json_object_get(get, "TableName");
    if (!tname || json_is_null(tname)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at "
                    "'transactItems.%zu.member.get.tableName' failed to satisfy constraint: Member "
                    "must not be null",
                    i + 1);
        return false;
    }
    const char *name;
    if (!eng_check_table_name(get, &name, err)) return false;
    if (!eng_param_projection(get, &g->proj, err)) return false;
    if (!(g->t = eng_table_acquire(e, c, name, err))) return false;
    json_t *key = json_object_get(get, "Key");
    if (!json_is_object(key)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at 'transactItems.%zu.member.get.key' "
                    "failed to satisfy constraint: Member must not be null",
                    i + 1);
        return false;
    }
    return eng_key_from_key(g->t, key, &g->key, NULL, err);
}

/* txn_prepare_fn of TransactGetItems: the next get of the tg_ctx. */
static bool tg_prepare_next(eng *e, eng_conn *c, const json_t *action, size_t i, void *ctx,
                            const ddb_table **t, const eng_key **k, ddb_err *err)
{
    tg_ctx *x = ctx;
    tg_get *g = &x->g[x->n++];
    eng_key_init(&g->key);
    if (!tg_prepare(e, c, action, i, g, err)) return false;
    *t = g->t;
    *k = &g->key;
    return true;
}

static json_t *tg_read(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    tg_ctx *x = arg;
    json_t *responses = json_array();
    txn_cost cost;
    txn_cost_init(&cost, x->n);
    for (size_t i = 0; i < x->n; i++) {
        tg_get *g = &x->g[i];
        json_t *item = eng_item_get(c, g->t, &g->key, err);
        if (!item && err->code != DDB_OK) {
            json_decref(responses);
            responses = NULL;
            break;
        }
        txn_cost_read(&cost, i, g->t, item);
        json_t *r = json_object();
        if (item) json_object_set_new(r, "Item", g->proj ? ddb_proj_apply(g->proj, item) : item);
        if (item && g->proj) json_decref(item);
        json_array_append_new(responses, r);
    }
    json_t *resp = NULL;
    if (responses) {
        resp = json_pack("{s:o}", "Responses", responses);
        if (x->cap_mode)
            json_object_set_new(resp, "ConsumedCapacity", txn_cost_json(&cost, x->cap_mode));
    }
    txn_cost_free(&cost);
    return resp;
}

json_t *eng_op_transact_get(eng *e, json_t *req, ddb_err *err)
{
    json_t *items;
    if (!txn_items(req, &items, err)) return NULL;
    size_t n = json_array_size(items);
    tg_ctx x = {xcalloc(n, sizeof(tg_get)), 0, NULL};
    json_t *resp = NULL;
    eng_conn *c = eng_conn_get(e, err);
    if (c && eng_capacity_mode(req, &x.cap_mode, err) &&
        txn_prepare_all(e, c, items, tg_prepare_next, &x, err))
        resp = eng_read(e, tg_read, &x, err);
    for (size_t k = 0; k < x.n; k++) {
        if (x.g[k].t) eng_table_release(e, x.g[k].t);
        eng_key_free(&x.g[k].key);
        ddb_proj_free(x.g[k].proj);
    }
    free(x.g);
    return resp;
}
