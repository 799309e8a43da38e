/*
 * batch_check: the table-independent checks of BatchWriteItem's and
 * BatchGetItem's items and keys (batch_check.h), in DynamoDB Local 3.3.1's
 * order, learned from its answers: table by table, request by request,
 * each one's values and then its size. BatchWriteItem counts a request
 * before it checks it (26 valid requests are "too many", an invalid first
 * one is reported as such); BatchGetItem checks a key, then whether it
 * equals an earlier key of the same table, and then counts it (100
 * distinct keys and a repeat are "duplicates", 101 distinct ones "too
 * many"). Keys are compared by value (ddb_av_equal:
 * N numerically, as the engine compares keys once it knows the table).
 */
#include "ddb/model/batch_check.h"

#include "ddb/model/value.h"

/* A valid item (or key) within DynamoDB's 400 KB; `normalized` receives
   the canonical copy (a new reference) on success. A write request's item
   or key is measured as it is read (ddb_item_normalize_limited), a
   BatchGetItem key once it is valid. */
static bool check_item(const json_t *item, bool write, json_t **normalized, ddb_err *err)
{
    json_t *norm = write ? ddb_item_normalize_limited(item, err) : ddb_item_normalize(item, err);
    if (!norm) return false;
    if (ddb_item_size(norm) > DDB_MAX_ITEM_SIZE) {
        json_decref(norm);
        ddb_err_set(err, DDB_E_VALIDATION, "Item size has exceeded the maximum allowed size");
        return false;
    }
    *normalized = norm;
    return true;
}

bool ddb_batch_write_check(const json_t *request_items, ddb_err *err)
{
    const char *table;
    json_t *list;
    size_t total = 0;
    json_object_foreach((json_t *)request_items, table, list)
    {
        if (!json_is_array(list) || json_array_size(list) == 0) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "The batch write request list for a table cannot be null or empty: %s",
                        table);
            return false;
        }
        size_t i;
        json_t *wr;
        json_array_foreach(list, i, wr)
        {
            if (++total > DDB_BATCH_MAX_WRITES) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            "Too many items requested for the BatchWriteItem call");
                return false;
            }
            json_t *put = json_object_get(wr, "PutRequest");
            json_t *del = json_object_get(wr, "DeleteRequest");
            if (!json_is_object(wr) || !put == !del) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            "Supplied WriteRequest must contain exactly one of PutRequest or "
                            "DeleteRequest");
                return false;
            }
            json_t *body = put ? json_object_get(put, "Item") : json_object_get(del, "Key");
            if (!json_is_object(body)) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            "The supplied Item contains a null "
                            "AttributeValue");
                return false;
            }
            json_t *norm = NULL;
            if (!check_item(body, true, &norm, err)) return false;
            json_decref(norm);
        }
    }
    return true;
}

/* True when two canonical keys name the same attributes with equal values. */
static bool same_key(const json_t *a, const json_t *b)
{
    if (json_object_size(a) != json_object_size(b)) return false;
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)a, name, v)
    {
        json_t *w = json_object_get(b, name);
        if (!w || !ddb_av_equal(v, w)) return false;
    }
    return true;
}

/* The keys of one table entry; `seen` collects their canonical copies,
   `total` counts the keys of all tables so far. */
static bool check_keys(const char *table, const json_t *keys, json_t *seen, size_t *total,
                       ddb_err *err)
{
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        if (!json_is_object(k) || json_object_size(k) == 0) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "The list of keys in RequestItems for BatchGetItem may not contain null "
                        "or empty values: %s has one or more empty keys",
                        table);
            return false;
        }
        json_t *norm = NULL;
        if (!check_item(k, false, &norm, err)) return false;
        for (size_t j = 0; j < json_array_size(seen); j++) {
            if (same_key(json_array_get(seen, j), norm)) {
                json_decref(norm);
                ddb_err_set(err, DDB_E_VALIDATION,
                            "Provided list of item keys contains duplicates");
                return false;
            }
        }
        json_array_append_new(seen, norm);
        if (++*total > DDB_BATCH_MAX_GETS) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Too many items requested for the BatchGetItem call");
            return false;
        }
    }
    return true;
}

bool ddb_batch_get_check(const json_t *request_items, ddb_err *err)
{
    const char *table;
    json_t *spec;
    size_t total = 0;
    json_object_foreach((json_t *)request_items, table, spec)
    {
        json_t *keys = json_object_get(spec, "Keys");
        if (!json_is_object(spec) || !json_is_array(keys) || json_array_size(keys) == 0) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "The list of keys in RequestItems for BatchGetItem is required: %s has "
                        "empty list",
                        table);
            return false;
        }
        if (json_object_get(spec, "ExpressionAttributeNames") &&
            !json_object_get(spec, "ProjectionExpression")) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "ExpressionAttributeNames can only be specified when using expressions");
            return false;
        }
        json_t *seen = json_array();
        bool ok = check_keys(table, keys, seen, &total, err);
        json_decref(seen);
        if (!ok) return false;
    }
    return true;
}
