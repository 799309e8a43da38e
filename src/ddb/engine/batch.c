/*
 * batch: BatchWriteItem and BatchGetItem.
 *
 * BatchWriteItem prepares every Put/Delete with the single-item write of
 * write.c (eng_write_prepare) on the caller's thread, then applies them all
 * in one eng_write call: the batch is one savepoint inside the writer's
 * group transaction, so it is never half done and UnprocessedItems is
 * always {}. BatchGetItem reads every key in one read transaction; keys
 * that would push the response past DynamoDB's 16 MB are handed back in
 * UnprocessedKeys.
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/engine/engine_int.h"
#include "ddb/model/batch_check.h"
#include "ddb/model/value.h"

#include "base/alloc.h"

#define BATCH_MAX_RESPONSE (16 * 1024 * 1024)

/* ---- BatchWriteItem ---- */

typedef struct bw_ctx {
    eng_write_req *w;
    size_t n;
    const char *cap_mode;
} bw_ctx;

static bool bw_fail(ddb_err *err, const char *msg)
{
    ddb_err_set(err, DDB_E_VALIDATION, "%s", msg);
    return false;
}

/* Prepares one PutRequest/DeleteRequest of table `name` into w. */
static bool bw_prepare_one(eng *e, eng_conn *c, const char *name, const json_t *wr,
                           eng_write_req *w, ddb_err *err)
{
    json_t *put = json_object_get(wr, "PutRequest");
    json_t *del = json_object_get(wr, "DeleteRequest");
    if (!json_is_object(wr) || !put == !del)
        return bw_fail(err, "Supplied WriteRequest must contain exactly one of PutRequest or "
                            "DeleteRequest");
    json_t *body = put ? json_object_get(put, "Item") : json_object_get(del, "Key");
    if (!json_is_object(body))
        return bw_fail(err, put ? "One of the required keys was not given a value"
                                : "The provided key element does not match the schema");
    json_t *req = json_pack("{s:s, s:O}", "TableName", name, put ? "Item" : "Key", body);
    bool ok = eng_write_prepare(e, c, put ? ENG_PUT : ENG_DELETE, req, w, NULL, err);
    json_decref(req);
    return ok;
}

/* Applies every prepared write; any failure rolls the whole batch back. */
static json_t *bw_apply(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    bw_ctx *b = arg;
    json_t *caps = json_array();
    for (size_t i = 0; i < b->n; i++) {
        if (!eng_write_apply(e, c, &b->w[i], err)) {
            json_decref(caps);
            return NULL;
        }
    }
    /* one ConsumedCapacity entry per table, in request order */
    for (size_t i = 0; b->cap_mode && i < b->n; i++) {
        const ddb_table *t = b->w[i].t;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = b->w[j].t->tid == t->tid;
        if (seen) continue;
        double units = 0;
        double *ix_units = xcalloc(t->n_indexes + 1, sizeof *ix_units);
        double *one = xcalloc(t->n_indexes + 1, sizeof *one);
        for (size_t j = i; j < b->n; j++) {
            if (b->w[j].t->tid != t->tid) continue;
            units += eng_write_change_units(t, b->w[j].old_item, b->w[j].new_item, one);
            for (size_t k = 0; k < t->n_indexes; k++)
                ix_units[k] += one[k];
        }
        json_t *cap = eng_capacity_split_json(t, b->cap_mode, units, ix_units);
        if (cap) json_array_append_new(caps, cap);
        free(ix_units);
        free(one);
    }
    json_t *resp = json_pack("{s:{}}", "UnprocessedItems");
    if (b->cap_mode) json_object_set(resp, "ConsumedCapacity", caps);
    json_decref(caps);
    return resp;
}

json_t *eng_op_batch_write(eng *e, json_t *req, ddb_err *err)
{
    json_t *items = json_object_get(req, "RequestItems");
    if (!json_is_object(items) || json_object_size(items) == 0) {
        bw_fail(err, "BatchWriteItem cannot have a null or no requests set");
        return NULL;
    }
    if (!ddb_batch_write_check(items, err)) return NULL;
    size_t total = 0;
    const char *name;
    json_t *list;
    json_object_foreach(items, name, list) total += json_array_size(list);
    bw_ctx b = {xcalloc(total, sizeof(eng_write_req)), 0, NULL};
    json_t *resp = NULL;
    eng_conn *c = eng_conn_get(e, err);
    if (!c || !eng_capacity_mode(req, &b.cap_mode, err)) goto done;
    json_object_foreach(items, name, list)
    {
        size_t i;
        json_t *wr;
        json_array_foreach(list, i, wr)
        {
            /* counted before preparing: a failed prepare is still freed */
            if (!bw_prepare_one(e, c, name, wr, &b.w[b.n++], err)) goto done;
            for (size_t j = 0; j + 1 < b.n; j++) {
                if (b.w[j].t->tid == b.w[b.n - 1].t->tid &&
                    eng_key_same(&b.w[j].key, &b.w[b.n - 1].key)) {
                    bw_fail(err, "Provided list of item keys contains duplicates");
                    goto done;
                }
            }
        }
    }
    resp = eng_write(e, bw_apply, &b, err);
done:
    for (size_t i = 0; i < b.n; i++)
        eng_write_req_free(e, &b.w[i]);
    free(b.w);
    return resp;
}

/* ---- BatchGetItem ---- */

/* The keys asked of one table. */
typedef struct bg_table {
    const char *name;
    const json_t *spec; /* the request's entry for the table */
    const ddb_table *t;
    ddb_proj *proj;
    bool consistent;
    size_t n;
    eng_key *keys;
    json_t **key_json; /* borrowed from the request */
} bg_table;

typedef struct bg_ctx {
    bg_table *tables;
    size_t n;
    const char *cap_mode;
} bg_ctx;

/* One table's entry; `listed`: its projection came from AttributesToGet
   (legacy.c). */
static bool bg_parse_table(eng *e, eng_conn *c, const char *name, const json_t *spec, bool listed,
                           bg_table *bt, ddb_err *err)
{
    bt->name = name;
    bt->spec = spec;
    json_t *keys = json_object_get(spec, "Keys"); /* checked by ddb_batch_get_check */
    if (json_object_get(spec, "AttributesToGet"))
        return bw_fail(err, "The legacy parameter AttributesToGet is not supported; use "
                            "expressions instead");
    /* Responses are keyed by the table's name also when the request named
       it by its ARN, as in DynamoDB Local, which parses the projection
       only once it has found the table and checked the keys. */
    if (!eng_param_bool(spec, "ConsistentRead", &bt->consistent, err) ||
        !eng_table_name_resolve(name, &bt->name, err) ||
        !(bt->t = eng_table_acquire(e, c, bt->name, err)))
        return false;
    bt->keys = xcalloc(json_array_size(keys), sizeof *bt->keys);
    bt->key_json = xcalloc(json_array_size(keys), sizeof *bt->key_json);
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        eng_key_init(&bt->keys[i]);
        bt->n++;
        if (!eng_key_from_key(bt->t, k, &bt->keys[i], NULL, err)) return false;
        bt->key_json[i] = k;
        for (size_t j = 0; j < i; j++)
            if (eng_key_same(&bt->keys[j], &bt->keys[i]))
                return bw_fail(err, "Provided list of item keys contains duplicates");
    }
    if (!eng_param_projection(spec, &bt->proj, err)) return false;
    if (listed && bt->proj) ddb_proj_set_listed(bt->proj);
    return true;
}

/* Reads every key; past 16 MB of response the remaining keys of the
   table go to UnprocessedKeys with the table's other parameters. */
static json_t *bg_read(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    bg_ctx *g = arg;
    json_t *responses = json_object(), *unprocessed = json_object(), *caps = json_array();
    size_t bytes = 0;
    for (size_t ti = 0; ti < g->n; ti++) {
        bg_table *bt = &g->tables[ti];
        json_t *found = json_array();
        json_t *left = NULL;
        double units = 0;
        json_object_set_new(responses, bt->name, found);
        for (size_t i = 0; i < bt->n; i++) {
            if (bytes >= BATCH_MAX_RESPONSE) {
                if (!left) {
                    json_t *rest = json_deep_copy(bt->spec);
                    left = json_array();
                    json_object_set_new(rest, "Keys", left);
                    json_object_set_new(unprocessed, bt->name, rest);
                }
                json_array_append(left, bt->key_json[i]);
                continue;
            }
            json_t *item = eng_item_get(c, bt->t, &bt->keys[i], err);
            if (!item && err->code != DDB_OK) {
                json_decref(responses);
                json_decref(unprocessed);
                json_decref(caps);
                return NULL;
            }
            if (!item) continue;
            size_t size = ddb_item_size(item);
            bytes += size;
            units += eng_read_units(size, bt->consistent);
            json_array_append_new(found,
                                  bt->proj ? ddb_proj_apply(bt->proj, item) : json_incref(item));
            json_decref(item);
        }
        json_t *cap = eng_capacity_json(bt->t, g->cap_mode, units, NULL, false);
        if (cap) json_array_append_new(caps, cap);
    }
    json_t *resp = json_pack("{s:o, s:o}", "Responses", responses, "UnprocessedKeys", unprocessed);
    if (g->cap_mode) json_object_set(resp, "ConsumedCapacity", caps);
    json_decref(caps);
    return resp;
}

static json_t *batch_get(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err)
{
    json_t *items = json_object_get(req, "RequestItems");
    if (!json_is_object(items) || json_object_size(items) == 0) {
        bw_fail(err, "BatchGetItem must have some requests set");
        return NULL;
    }
    if (!ddb_batch_get_check(items, err)) return NULL;
    const char *name;
    json_t *spec;
    bg_ctx g = {xcalloc(json_object_size(items), sizeof(bg_table)), 0, NULL};
    json_t *resp = NULL;
    eng_conn *c = eng_conn_get(e, err);
    if (!c || !eng_capacity_mode(req, &g.cap_mode, err)) goto done;
    json_object_foreach(items, name, spec)
    {
        bool listed = eng_legacy_listed_table(lg, name);
        if (!bg_parse_table(e, c, name, spec, listed, &g.tables[g.n++], err)) goto done;
    }
    resp = eng_read(e, bg_read, &g, err);
done:
    for (size_t i = 0; i < g.n; i++) {
        bg_table *bt = &g.tables[i];
        for (size_t j = 0; j < bt->n; j++)
            eng_key_free(&bt->keys[j]);
        free(bt->keys);
        free(bt->key_json);
        ddb_proj_free(bt->proj);
        if (bt->t) eng_table_release(e, bt->t);
    }
    free(g.tables);
    return resp;
}

json_t *eng_op_batch_get(eng *e, json_t *req, ddb_err *err)
{
    return batch_get(e, req, NULL, err);
}

json_t *eng_op_batch_get_legacy(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err)
{
    return batch_get(e, req, lg, err);
}
