/*
 * partiql_exec: ExecuteStatement, BatchExecuteStatement and
 * ExecuteTransaction on the embedded engine.
 *
 * Each statement is parsed and planned by the model layer (partiql.h) into
 * the request of a JSON API operation, which runs through that operation's
 * own function here: GetItem, Query, Scan, PutItem, UpdateItem, DeleteItem,
 * TransactGetItems or TransactWriteItems. Conditions, streams, capacity and
 * most errors are therefore the JSON API's; this file only shapes the
 * answers (Items, NextToken, per-statement errors) and translates the few
 * errors PartiQL names differently (DuplicateItemException for an INSERT
 * over an existing item).
 *
 * NextToken is the base64 text of {"i": <query number>, "k": <key>}: which
 * of the Queries of `pk IN [...]` to resume, and its ExclusiveStartKey.
 *
 * ExecuteStatement keeps the parsed trees of each thread's recent
 * statements (parsing is about a third of a SELECT by key's cost, and
 * clients send the same text with new Parameters): a small direct-mapped
 * cache per thread, so without locks; the trees are immutable.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ddb/engine/engine_int.h"
#include "ddb/model/partiql.h"
#include "ddb/model/value.h"

#include "base/alloc.h"

#define PQ_BATCH_MAX 25
#define PQ_TXN_MAX 100

static bool bad(ddb_err *err, const char *msg)
{
    ddb_err_set(err, DDB_E_VALIDATION, "%s", msg);
    return false;
}

/* ---- one statement: parse, look up the table, plan ---- */

typedef struct stmt_run {
    pq_stmt *s;
    bool cached; /* s belongs to the thread's statement cache */
    pq_plan plan;
    char *table; /* the statement's table, once parsed */
} stmt_run;

static void stmt_run_free(stmt_run *r)
{
    if (!r->cached) pq_free(r->s);
    pq_plan_clear(&r->plan);
    free(r->table);
    memset(r, 0, sizeof *r);
}

/* ---- the per-thread cache of parsed statements ---- */

#define PQ_CACHE_SLOTS 64

typedef struct cache_slot {
    uint64_t hash;
    char *text;
    size_t len;
    pq_stmt *s;
} cache_slot;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    cache_slot *slots = p;
    for (size_t i = 0; i < PQ_CACHE_SLOTS; i++) {
        free(slots[i].text);
        pq_free(slots[i].s);
    }
    free(slots);
}

static void cache_init(void)
{
    pthread_key_create(&cache_key, cache_free);
}

/* FNV-1a over the statement's bytes. */
static uint64_t text_hash(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* The parsed statement from the calling thread's cache, parsed and kept
   on a miss. It stays valid until this thread parses through the cache
   again (one statement per ExecuteStatement call). */
static pq_stmt *parse_cached(const char *text, size_t len, ddb_err *err)
{
    pthread_once(&cache_once, cache_init);
    cache_slot *slots = pthread_getspecific(cache_key);
    if (!slots) {
        slots = xcalloc(PQ_CACHE_SLOTS, sizeof *slots);
        pthread_setspecific(cache_key, slots);
    }
    uint64_t h = text_hash(text, len);
    cache_slot *c = &slots[h % PQ_CACHE_SLOTS];
    if (c->s && c->hash == h && c->len == len && !memcmp(c->text, text, len)) return c->s;
    pq_stmt *s = pq_parse(text, len, err);
    if (!s) return NULL;
    free(c->text);
    pq_free(c->s);
    c->hash = h;
    c->len = len;
    c->text = xmalloc(len ? len : 1);
    memcpy(c->text, text, len);
    c->s = s;
    return s;
}

/* A statement's text and Parameters from a request object. */
static bool statement_members(const json_t *obj, const char *member, const char **text, size_t *len,
                              const json_t **params, ddb_err *err)
{
    json_t *st = json_object_get(obj, member);
    if (!st || json_is_null(st)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at 'statement' failed to satisfy "
                    "constraint: Member must not be null");
        return false;
    }
    if (!json_is_string(st)) {
        ddb_err_member_type(err, member, "a string");
        return false;
    }
    *text = json_string_value(st);
    *len = json_string_length(st);
    if (*len > PQ_MAX_STATEMENT) {
        ddb_err_set(err, DDB_E_VALIDATION, "Member must have length less than or equal to %d",
                    PQ_MAX_STATEMENT);
        return false;
    }
    json_t *p = json_object_get(obj, "Parameters");
    *params = NULL;
    if (p && !json_is_null(p)) {
        if (!json_is_array(p)) {
            ddb_err_member_type(err, "Parameters", "a list");
            return false;
        }
        /* Each value is validated where it is used, by the operation the
           statement runs as (Key, Item, ExpressionAttributeValues), and by
           the planner for key values. */
        *params = p;
    }
    return true;
}

/* ReturnValuesOnConditionCheckFailure: NONE, ALL_OLD or absent. */
static bool on_fail_member(const json_t *obj, const char **out, ddb_err *err)
{
    bool present = false;
    *out = NULL;
    if (!eng_param_str(obj, "ReturnValuesOnConditionCheckFailure", out, &present, err))
        return false;
    if (present && strcmp(*out, "NONE") && strcmp(*out, "ALL_OLD")) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at "
                    "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member "
                    "must satisfy enum value set: [ALL_OLD, NONE]",
                    *out);
        return false;
    }
    return true;
}

/* Parses the statement (through the thread's cache when r->cached) and
   plans it against its table. EXISTS is for transactions only (`in_txn`). */
static bool stmt_parse(stmt_run *r, const char *text, size_t len, bool in_txn, ddb_err *err)
{
    r->s = r->cached ? parse_cached(text, len, err) : pq_parse(text, len, err);
    if (!r->s) return false;
    if (r->s->kind == PQ_EXISTS && !in_txn)
        return bad(err, "EXISTS can only be used in ExecuteTransaction write requests.");
    r->table = xstrdup(r->s->table);
    return true;
}

/* Plans a parsed statement against its table. */
static bool stmt_plan(eng *e, stmt_run *r, const pq_opts *o, ddb_err *err)
{
    if (!pq_check_values(r->s, o->params, err)) return false;
    eng_conn *c = eng_conn_get(e, err);
    if (!c) return false;
    const ddb_table *t = eng_table_acquire(e, c, r->s->table, err);
    if (!t) {
        if (err->code == DDB_E_NOT_FOUND || err->code == DDB_E_VALIDATION)
            ddb_err_set(err, DDB_E_NOT_FOUND, "Cannot do operations on a non-existent table");
        return false;
    }
    bool ok = pq_plan_make(r->s, t, o, &r->plan, err);
    eng_table_release(e, t);
    return ok;
}

static bool stmt_prepare(eng *e, stmt_run *r, const char *text, size_t len, const pq_opts *o,
                         bool in_txn, ddb_err *err)
{
    return stmt_parse(r, text, len, in_txn, err) && stmt_plan(e, r, o, err);
}

/* ---- NextToken ---- */

static char *token_make(size_t query_no, const json_t *key)
{
    json_t *j = json_pack("{s:I, s:O}", "i", (json_int_t)query_no, "k", key);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    char *tok = ddb_b64_encode((const unsigned char *)text, strlen(text));
    free(text);
    return tok;
}

/* The query number and ExclusiveStartKey a NextToken resumes from. */
static bool token_read(const char *tok, size_t *query_no, json_t **key, ddb_err *err)
{
    size_t n = 0;
    unsigned char *raw = *tok ? ddb_b64_decode(tok, &n) : NULL;
    json_t *j = raw ? json_loadb((const char *)raw, n, 0, NULL) : NULL;
    free(raw);
    json_t *i = json_object_get(j, "i"), *k = json_object_get(j, "k");
    if (!json_is_integer(i) || json_integer_value(i) < 0 || !json_is_object(k)) {
        json_decref(j);
        return bad(err, "Invalid NextToken");
    }
    *query_no = (size_t)json_integer_value(i);
    *key = json_incref(k);
    json_decref(j);
    return true;
}

/* ---- capacity ---- */

/* Adds the units of `add` (a ConsumedCapacity) into *sum (created from
   the first one). */
static void capacity_add(json_t **sum, const json_t *add)
{
    if (!add) return;
    if (!*sum) {
        *sum = json_deep_copy(add);
        return;
    }
    static const char *const members[] = {"CapacityUnits", "ReadCapacityUnits",
                                          "WriteCapacityUnits"};
    for (size_t i = 0; i < 3; i++) {
        json_t *a = json_object_get(*sum, members[i]), *b = json_object_get(add, members[i]);
        if (json_is_number(b))
            json_object_set_new(*sum, members[i],
                                json_real((a ? json_number_value(a) : 0) + json_number_value(b)));
    }
}

/* Adds a ConsumedCapacity into a list holding one entry per table. */
static void capacity_list_add(json_t *list, const json_t *add)
{
    if (!add) return;
    const char *name = json_string_value(json_object_get(add, "TableName"));
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        const char *have = json_string_value(json_object_get(c, "TableName"));
        if (have && name && !strcmp(have, name)) {
            json_t *sum = c;
            capacity_add(&sum, add);
            return;
        }
    }
    json_array_append_new(list, json_deep_copy(add));
}

/* ---- running one plan ---- */

/* PartiQL's messages for a bad WHERE term or value lack the name of the
   JSON API parameter the planner put it in... */
static void strip_prefixes(ddb_err *err)
{
    static const char *const prefixes[] = {
        "Invalid KeyConditionExpression: ", "Invalid FilterExpression: ",
        "ExpressionAttributeValues contains invalid value: "};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (!strncmp(err->message, prefixes[i], n))
            memmove(err->message, err->message + n, strlen(err->message + n) + 1);
    }
    /* ... nor the planner's placeholder (" for key :v0"). */
    char *key = strstr(err->message, " for key :");
    if (key) *key = '\0';
}

/* GetItem, Query or Scan page(s): {"Items": [...], "NextToken"?}; with
   `unnest` (ExecuteStatement) each item is pq_project's answer, else the
   projection's (BatchExecuteStatement, as DynamoDB Local 3.3.1 answers). */
static json_t *run_read(eng *e, stmt_run *r, bool unnest, long long limit, const char *next_token,
                        ddb_err *err)
{
    json_t *req = r->plan.req;
    if (r->plan.op == PQ_OP_GET) {
        json_t *res = eng_op_get_item(e, req, err);
        if (!res) return NULL;
        json_t *items = json_array();
        json_t *item = json_object_get(res, "Item");
        if (item) json_array_append_new(items, unnest ? pq_project(r->s, item) : json_incref(item));
        json_t *out = json_pack("{s:o}", "Items", items);
        json_t *cc = json_object_get(res, "ConsumedCapacity");
        if (cc) json_object_set(out, "ConsumedCapacity", cc);
        json_decref(res);
        return out;
    }
    size_t query_no = 0;
    json_t *start = NULL;
    if (next_token && !token_read(next_token, &query_no, &start, err)) return NULL;
    size_t n_queries = r->plan.op == PQ_OP_QUERY ? json_array_size(r->plan.keys) : 1;
    if (query_no >= n_queries) {
        json_decref(start);
        bad(err, "Invalid NextToken");
        return NULL;
    }
    json_t *items = json_array(), *cap = NULL, *out = NULL;
    for (; query_no < n_queries; query_no++) {
        if (start) json_object_set_new(req, "ExclusiveStartKey", start);
        start = NULL;
        if (limit > 0) json_object_set_new(req, "Limit", json_integer(limit));
        json_t *res;
        if (r->plan.op == PQ_OP_QUERY) {
            json_object_set(json_object_get(req, "ExpressionAttributeValues"), ":pk",
                            json_array_get(r->plan.keys, query_no));
            res = eng_query_where(e, req, err);
        } else {
            res = eng_op_scan(e, req, err);
        }
        json_object_del(req, "ExclusiveStartKey");
        if (!res) goto fail;
        size_t k;
        json_t *item;
        json_array_foreach(json_object_get(res, "Items"), k, item)
        {
            json_array_append_new(items, unnest ? pq_project(r->s, item) : json_incref(item));
        }
        capacity_add(&cap, json_object_get(res, "ConsumedCapacity"));
        json_t *lek = json_object_get(res, "LastEvaluatedKey");
        if (limit > 0) limit -= (long long)json_integer_value(json_object_get(res, "ScannedCount"));
        if (lek || (limit <= 0 && json_object_get(req, "Limit") && query_no + 1 < n_queries)) {
            char *tok = lek ? token_make(query_no, lek) : NULL;
            if (!lek) {
                json_t *none = json_object();
                tok = token_make(query_no + 1, none);
                json_decref(none);
            }
            out = json_pack("{s:o, s:s}", "Items", items, "NextToken", tok);
            free(tok);
            json_decref(res);
            items = NULL;
            break;
        }
        json_decref(res);
    }
    if (!out) out = json_pack("{s:o}", "Items", items);
    if (cap) json_object_set_new(out, "ConsumedCapacity", cap);
    return out;
fail:
    json_decref(items);
    json_decref(cap);
    return NULL;
}

/* PutItem, UpdateItem or DeleteItem: {"Items": [] or [returned values]}. */
static json_t *run_write(eng *e, stmt_run *r, ddb_err *err)
{
    json_t *res;
    switch (r->plan.op) {
    case PQ_OP_PUT:
        res = eng_op_put_item_kept(e, r->plan.req, err); /* in its literal's order */
        if (!res && err->code == DDB_E_CONDITION)
            ddb_err_set(err, DDB_E_DUPLICATE_ITEM, "Duplicate primary key exists in table");
        break;
    case PQ_OP_UPDATE:
        res = eng_op_update_item(e, r->plan.req, err);
        break;
    case PQ_OP_DELETE:
        res = eng_op_delete_item(e, r->plan.req, err);
        break;
    default:
        bad(err, "EXISTS can only be used in ExecuteTransaction write requests.");
        return NULL;
    }
    if (!res) return NULL;
    json_t *items = json_array();
    json_t *attrs = json_object_get(res, "Attributes");
    if (attrs) json_array_append(items, attrs);
    json_t *out = json_pack("{s:o}", "Items", items);
    json_t *cc = json_object_get(res, "ConsumedCapacity");
    if (cc) json_object_set(out, "ConsumedCapacity", cc);
    json_decref(res);
    return out;
}

static bool is_read(const stmt_run *r)
{
    return r->s->kind == PQ_SELECT;
}

/* ---- ExecuteStatement ---- */

typedef struct read_call {
    stmt_run *r;
    const pq_opts *o;
    long long limit;
    const char *next_token;
} read_call;

/* A SELECT's planning and reads in one read transaction (eng_read): the
   table definition and the items come from one snapshot, as for the JSON
   API's reads, and the table lookups cost no transaction of their own. */
static json_t *read_in_snapshot(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    (void)c;
    read_call *call = arg;
    if (!stmt_plan(e, call->r, call->o, err)) return NULL;
    return run_read(e, call->r, true, call->limit, call->next_token, err);
}

json_t *eng_op_execute_statement(eng *e, json_t *req, ddb_err *err)
{
    const char *text;
    size_t len;
    pq_opts o = {0};
    if (!statement_members(req, "Statement", &text, &len, &o.params, err)) return NULL;
    if (!eng_param_bool(req, "ConsistentRead", &o.consistent, err)) return NULL;
    if (!eng_capacity_mode(req, &o.capacity, err)) return NULL;
    if (!on_fail_member(req, &o.on_fail, err)) return NULL;
    long long limit = 0;
    bool has_limit = false;
    if (!eng_param_int(req, "Limit", &limit, &has_limit, err)) return NULL;
    if (has_limit && limit < 1) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%lld' at 'limit' failed to satisfy "
                    "constraint: Member must have value greater than or equal to 1",
                    limit);
        return NULL;
    }
    const char *next_token = NULL;
    if (!eng_param_str(req, "NextToken", &next_token, NULL, err)) return NULL;
    stmt_run r = {.cached = true};
    json_t *out = NULL;
    if (stmt_parse(&r, text, len, false, err)) {
        if (is_read(&r)) {
            read_call call = {&r, &o, has_limit ? limit : 0, next_token};
            out = eng_read(e, read_in_snapshot, &call, err);
        } else if (stmt_plan(e, &r, &o, err)) {
            out = run_write(e, &r, err);
        }
    }
    if (!out) strip_prefixes(err);
    stmt_run_free(&r);
    return out;
}

/* ---- BatchExecuteStatement ---- */

static json_t *batch_error(const char *code, const char *message, const char *table,
                           const json_t *item)
{
    json_t *e = json_pack("{s:s, s:s}", "Code", code, "Message", message);
    if (item) json_object_set(e, "Item", (json_t *)item);
    json_t *r = json_pack("{s:o}", "Error", e);
    if (table) json_object_set_new(r, "TableName", json_string(table));
    return r;
}

/* The response entry of a statement that failed with err (cleared). */
static json_t *batch_failure(const stmt_run *r, ddb_err *err)
{
    json_t *out;
    strip_prefixes(err);
    const json_t *item = err->detail ? json_object_get(err->detail, "Item") : NULL;
    switch (err->code) {
    case DDB_E_CONDITION:
        out = batch_error("ConditionalCheckFailed", err->message, r->table, item);
        break;
    case DDB_E_DUPLICATE_ITEM:
        out = batch_error("DuplicateItem", err->message, r->table, NULL);
        break;
    case DDB_E_NOT_FOUND:
        out = batch_error("ResourceNotFound", err->message, NULL, NULL);
        break;
    case DDB_E_VALIDATION:
    case DDB_E_SERIALIZATION:
        out = batch_error("ValidationError", err->message, NULL, NULL);
        break;
    default:
        return NULL;
    }
    ddb_err_clear(err);
    return out;
}

/* Two statements on one item. */
static bool same_item(const stmt_run *a, const stmt_run *b)
{
    return a->plan.key && b->plan.key && !strcmp(a->table, b->table) &&
           json_equal(a->plan.key, b->plan.key);
}

/* The list of statements of a batch or a transaction: member `name`
   ("Statements", "TransactStatements"; `wire` as validation messages spell
   it), present and a list; NULL with the error otherwise. */
static json_t *statement_list(const json_t *req, const char *name, const char *wire, ddb_err *err)
{
    json_t *list = json_object_get(req, name);
    if (!list || json_is_null(list))
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at '%s' failed to satisfy "
                    "constraint: Member must not be null",
                    wire);
    else if (!json_is_array(list))
        ddb_err_member_type(err, name, "a list");
    else
        return list;
    return NULL;
}

json_t *eng_op_batch_execute_statement(eng *e, json_t *req, ddb_err *err)
{
    json_t *list = statement_list(req, "Statements", "statements", err);
    if (!list) return NULL;
    size_t n = json_array_size(list);
    if (n == 0) return bad(err, "The statement was empty."), NULL;
    if (n > PQ_BATCH_MAX) {
        /* DynamoDB Local names the operation a batch of reads or writes is. */
        const char *first =
            json_string_value(json_object_get(json_array_get(list, 0), "Statement"));
        while (first && (*first == ' ' || *first == '\t' || *first == '\n'))
            first++;
        bool reads = first && !strncasecmp(first, "SELECT", 6);
        ddb_err_set(err, DDB_E_VALIDATION, "%s more than %d items",
                    reads ? "BatchGetItem cannot fetch" : "BatchWriteItem cannot write",
                    PQ_BATCH_MAX);
        return NULL;
    }
    const char *cap_mode = NULL;
    if (!eng_capacity_mode(req, &cap_mode, err)) return NULL;
    const char *capacity = json_string_value(json_object_get(req, "ReturnConsumedCapacity"));
    stmt_run *runs = xcalloc(n, sizeof *runs);
    json_t **early = xcalloc(n, sizeof *early); /* entries of statements that failed to plan */
    json_t *out = NULL, *responses = json_array(), *caps = json_array();
    bool reads = false, writes = false;
    for (size_t i = 0; i < n; i++) {
        json_t *st = json_array_get(list, i);
        if (!json_is_object(st)) {
            ddb_err_member_type(err, "Statements", "an object");
            goto done;
        }
        const char *text;
        size_t len;
        pq_opts o = {.capacity = capacity};
        if (!statement_members(st, "Statement", &text, &len, &o.params, err) ||
            !eng_param_bool(st, "ConsistentRead", &o.consistent, err) ||
            !on_fail_member(st, &o.on_fail, err))
            goto done;
        ddb_err serr = DDB_ERR_INIT;
        if (!stmt_prepare(e, &runs[i], text, len, &o, false, &serr)) {
            early[i] = batch_failure(&runs[i], &serr);
            if (!early[i]) {
                ddb_err_move(err, &serr);
                goto done;
            }
        } else if (is_read(&runs[i]) && runs[i].plan.op != PQ_OP_GET) {
            early[i] =
                batch_error("ValidationError", "Only single item select is supported", NULL, NULL);
        }
        if (runs[i].s) {
            if (is_read(&runs[i]))
                reads = true;
            else
                writes = true;
        }
    }
    if (reads && writes) {
        bad(err, "Read and write requests together in the same batch is not supported.");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; !early[i] && k < i; k++) {
            if (!early[k] && same_item(&runs[i], &runs[k])) {
                bad(err, "Provided list of item keys contains duplicates");
                goto done;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (early[i]) {
            json_array_append_new(responses, early[i]);
            early[i] = NULL;
            continue;
        }
        ddb_err serr = DDB_ERR_INIT;
        json_t *res = is_read(&runs[i]) ? run_read(e, &runs[i], false, 0, NULL, &serr)
                                        : run_write(e, &runs[i], &serr);
        json_t *entry;
        if (res) {
            entry = json_pack("{s:s}", "TableName", runs[i].table);
            json_t *item = json_array_get(json_object_get(res, "Items"), 0);
            if (item) json_object_set(entry, "Item", item);
            capacity_list_add(caps, json_object_get(res, "ConsumedCapacity"));
            json_decref(res);
        } else if (!(entry = batch_failure(&runs[i], &serr))) {
            ddb_err_move(err, &serr);
            goto done;
        }
        json_array_append_new(responses, entry);
    }
    out = json_pack("{s:O}", "Responses", responses);
    if (cap_mode) json_object_set(out, "ConsumedCapacity", caps);
done:
    for (size_t i = 0; i < n; i++) {
        stmt_run_free(&runs[i]);
        json_decref(early[i]);
    }
    free(runs);
    free(early);
    json_decref(responses);
    json_decref(caps);
    return out;
}

/* ---- ExecuteTransaction ---- */

/* The body of one TransactWriteItems action from a write statement's plan. */
static json_t *txn_action(const stmt_run *r)
{
    static const char *const kinds[] = {[PQ_OP_PUT] = "Put",
                                        [PQ_OP_UPDATE] = "Update",
                                        [PQ_OP_DELETE] = "Delete",
                                        [PQ_OP_CHECK] = "ConditionCheck"};
    json_t *body = json_deep_copy(r->plan.req);
    json_object_del(body, "ReturnConsumedCapacity");
    json_object_del(body, "ReturnValues");
    return json_pack("{s:o}", kinds[r->plan.op], body);
}

/* A cancelled transaction's reasons as PartiQL reports them: an INSERT
   over an existing item is a ValidationError "Duplicate primary key". */
static void txn_reasons(const stmt_run *runs, size_t n, ddb_err *err)
{
    json_t *reasons = err->detail ? json_object_get(err->detail, "CancellationReasons") : NULL;
    if (!json_is_array(reasons)) return;
    buf_t m = BUF_INIT;
    buf_puts(&m, "Transaction cancelled, please refer cancellation reasons for specific reasons [");
    for (size_t i = 0; i < json_array_size(reasons) && i < n; i++) {
        json_t *r = json_array_get(reasons, i);
        const char *code = json_string_value(json_object_get(r, "Code"));
        if (code && !strcmp(code, "ConditionalCheckFailed") && runs[i].plan.op == PQ_OP_PUT) {
            json_object_clear(r);
            json_object_set_new(r, "Code", json_string("ValidationError"));
            json_object_set_new(r, "Message", json_string("Duplicate primary key exists in table"));
            code = "ValidationError";
        }
        buf_printf(&m, "%s%s", i ? ", " : "", code ? code : "None");
    }
    buf_putc(&m, ']');
    snprintf(err->message, sizeof err->message, "%s", buf_cstr(&m));
    buf_free(&m);
}

json_t *eng_op_execute_transaction(eng *e, json_t *req, ddb_err *err)
{
    json_t *list = statement_list(req, "TransactStatements", "transactStatements", err);
    if (!list) return NULL;
    size_t n = json_array_size(list);
    if (n == 0) return bad(err, "ExecutePartiQLTransaction can not have empty statement."), NULL;
    if (n > PQ_TXN_MAX) return bad(err, "Member must have length less than or equal to 100"), NULL;
    const char *cap_mode = NULL;
    if (!eng_capacity_mode(req, &cap_mode, err)) return NULL;
    const char *capacity = json_string_value(json_object_get(req, "ReturnConsumedCapacity"));
    stmt_run *runs = xcalloc(n, sizeof *runs);
    json_t *out = NULL, *inner = NULL, *invalid = NULL;
    bool reads = false, writes = false;
    for (size_t i = 0; i < n; i++) {
        json_t *st = json_array_get(list, i);
        if (!json_is_object(st)) {
            ddb_err_member_type(err, "TransactStatements", "an object");
            goto done;
        }
        const char *text;
        size_t len;
        pq_opts o = {.capacity = capacity};
        if (!statement_members(st, "Statement", &text, &len, &o.params, err) ||
            !on_fail_member(st, &o.on_fail, err))
            goto done;
        if (!stmt_prepare(e, &runs[i], text, len, &o, true, err)) {
            if (err->code == DDB_E_NOT_FOUND)
                ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found");
            if (err->code == DDB_E_VALIDATION && !strcmp(err->message, PQ_EXISTS_SHAPE)) {
                char msg[sizeof err->message];
                snprintf(msg, sizeof msg, "%s", err->message);
                ddb_err_set(err, DDB_E_VALIDATION,
                            "Validation failed in TransactStatements[%zu]: %s", i, msg);
                goto done;
            }
            /* A write that names a bad item cancels the transaction with
               its reason, as the operation's own checks would. */
            if (err->code != DDB_E_VALIDATION || !runs[i].s || is_read(&runs[i])) goto done;
            if (!invalid) invalid = json_array();
            while (json_array_size(invalid) < i)
                json_array_append_new(invalid, json_pack("{s:s}", "Code", "None"));
            json_array_append_new(invalid, json_pack("{s:s, s:s}", "Code", "ValidationError",
                                                     "Message", err->message));
            ddb_err_clear(err);
            writes = true;
            continue;
        }
        if (is_read(&runs[i])) {
            reads = true;
            if (runs[i].plan.op != PQ_OP_GET) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            "Validation failed in TransactStatements[%zu]: Select statements "
                            "within ExecuteTransaction must specify the primary key in the "
                            "where clause.",
                            i);
                goto done;
            }
        } else {
            writes = true;
        }
    }
    if (reads && writes) {
        bad(err, "ExecuteTransaction API does not support both read and write operations in the "
                 "same request.");
        goto done;
    }
    if (invalid) {
        while (json_array_size(invalid) < n)
            json_array_append_new(invalid, json_pack("{s:s}", "Code", "None"));
        ddb_err_set(err, DDB_E_TXN_CANCELED, "x");
        err->detail = json_pack("{s:O}", "CancellationReasons", invalid);
        txn_reasons(runs, n, err);
        goto done;
    }
    json_t *actions = json_array();
    inner = json_pack("{s:o}", "TransactItems", actions);
    if (capacity) json_object_set_new(inner, "ReturnConsumedCapacity", json_string(capacity));
    if (reads) {
        for (size_t i = 0; i < n; i++) {
            json_t *get = json_deep_copy(runs[i].plan.req);
            json_object_del(get, "ReturnConsumedCapacity");
            json_object_del(get, "ConsistentRead");
            json_array_append_new(actions, json_pack("{s:o}", "Get", get));
        }
        /* the projection's answer, as DynamoDB Local 3.3.1 gives it */
        out = eng_op_transact_get(e, inner, err);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(actions, txn_action(&runs[i]));
    json_t *token = json_object_get(req, "ClientRequestToken");
    if (token) json_object_set(inner, "ClientRequestToken", token);
    json_t *res = eng_op_transact_write_kept(e, inner, err); /* INSERTs as written */
    if (!res) {
        if (err->code == DDB_E_TXN_CANCELED) txn_reasons(runs, n, err);
        if (err->code == DDB_E_IDEMPOTENT_MISMATCH)
            ddb_err_set(err, DDB_E_IDEMPOTENT_MISMATCH,
                        "Specified idempotent token was used with different request parameters "
                        "within the idempotency window");
        goto done;
    }
    out = json_pack("{s:[]}", "Responses");
    json_t *cc = json_object_get(res, "ConsumedCapacity");
    if (cc) json_object_set(out, "ConsumedCapacity", cc);
    json_decref(res);
done:
    for (size_t i = 0; i < n; i++)
        stmt_run_free(&runs[i]);
    free(runs);
    json_decref(inner);
    json_decref(invalid);
    return out;
}
