/*
 * ddb: the store interface's shared parts: errors and dispatch to the
 * driver. See ddb.h.
 */
#include "ddb/ddb.h"

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

#include "base/json_out.h"
#include "ddb/item_cache.h"

static const struct {
    const char *name;
    int status;
} codes[] = {
    [DDB_OK] = {"", 200},
    [DDB_E_VALIDATION] = {"ValidationException", 400},
    [DDB_E_NOT_FOUND] = {"ResourceNotFoundException", 400},
    [DDB_E_IN_USE] = {"ResourceInUseException", 400},
    [DDB_E_CONDITION] = {"ConditionalCheckFailedException", 400},
    [DDB_E_DUPLICATE_ITEM] = {"DuplicateItemException", 400},
    [DDB_E_TXN_CANCELED] = {"TransactionCanceledException", 400},
    [DDB_E_TXN_CONFLICT] = {"TransactionConflictException", 400},
    [DDB_E_IDEMPOTENT_MISMATCH] = {"IdempotentParameterMismatchException", 400},
    [DDB_E_COLLECTION_SIZE] = {"ItemCollectionSizeLimitExceededException", 400},
    [DDB_E_SERIALIZATION] = {"SerializationException", 400},
    [DDB_E_UNKNOWN_OP] = {"UnknownOperationException", 400},
    [DDB_E_LIMIT_EXCEEDED] = {"LimitExceededException", 400},
    [DDB_E_EXPIRED_ITERATOR] = {"ExpiredIteratorException", 400},
    [DDB_E_TRIMMED] = {"TrimmedDataAccessException", 400},
    [DDB_E_THROTTLED] = {"ThrottlingException", 400},
    [DDB_E_AUTH] = {"UnrecognizedClientException", 400},
    [DDB_E_UNAVAILABLE] = {"ServiceUnavailable", 503},
    [DDB_E_INTERNAL] = {"InternalServerError", 500},
};

const char *ddb_code_name(ddb_code code)
{
    if ((size_t)code >= sizeof codes / sizeof codes[0]) return "InternalServerError";
    return codes[code].name;
}

int ddb_code_http_status(ddb_code code)
{
    if ((size_t)code >= sizeof codes / sizeof codes[0]) return 500;
    return codes[code].status;
}

void ddb_err_clear(ddb_err *err)
{
    if (!err) return;
    json_decref(err->detail);
    err->detail = NULL;
    err->code = DDB_OK;
    err->type[0] = '\0';
    err->message[0] = '\0';
}

void ddb_err_set(ddb_err *err, ddb_code code, const char *fmt, ...)
{
    if (!err) return;
    ddb_err_clear(err);
    err->code = code;
    snprintf(err->type, sizeof err->type, "%s", ddb_code_name(code));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void ddb_err_set_type(ddb_err *err, ddb_code code, const char *type, const char *message)
{
    if (!err) return;
    ddb_err_clear(err);
    err->code = code;
    snprintf(err->type, sizeof err->type, "%s", type ? type : ddb_code_name(code));
    snprintf(err->message, sizeof err->message, "%s", message ? message : "");
}

void ddb_err_move(ddb_err *dst, ddb_err *src)
{
    if (!dst) {
        ddb_err_clear(src);
        return;
    }
    ddb_err_clear(dst);
    *dst = *src;
    src->detail = NULL;
    ddb_err_clear(src);
}

/* The JSON token name DynamoDB's parser uses in its conversion errors. */
static const char *json_token_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return "STRING_VALUE";
    case JSON_INTEGER:
    case JSON_REAL:
        return "NUMBER_VALUE";
    case JSON_TRUE:
        return "TRUE_VALUE";
    case JSON_FALSE:
        return "FALSE_VALUE";
    case JSON_OBJECT:
        return "START_OBJECT";
    case JSON_ARRAY:
        return "START_ARRAY";
    default:
        return "VALUE_NULL";
    }
}

void ddb_err_member_type(ddb_err *err, const char *member, const char *want)
{
    ddb_err_set(err, DDB_E_SERIALIZATION, "Unexpected value type for %s: expected %s", member,
                want);
}

void ddb_err_value_type(ddb_err *err, const json_t *v, const char *want)
{
    if (json_is_object(v))
        ddb_err_set(err, DDB_E_SERIALIZATION,
                    "Start of structure or map found where not expected.");
    else if (json_is_array(v))
        ddb_err_set(err, DDB_E_SERIALIZATION, "Start of list found where not expected");
    else if (!strcmp(want, "structure") || !strcmp(want, "list"))
        ddb_err_set(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
    else
        ddb_err_set(err, DDB_E_SERIALIZATION, "%s cannot be converted to %s", json_token_name(v),
                    want);
}

json_t *ddb_call(ddb_store *store, const char *op, json_t *req, ddb_err *err)
{
    if (!json_is_object(req)) {
        ddb_err_set(err, DDB_E_SERIALIZATION, "Start of structure or map found where not expected");
        return NULL;
    }
    return store->ops->call(store, op, req, err);
}

bool ddb_each_item(ddb_store *store, const char *op, const json_t *req, ddb_item_fn each, void *arg,
                   ddb_err *err)
{
    json_t *page = json_deep_copy(req);
    bool more = true, ok = true;
    while (ok && more) {
        json_t *res = ddb_call(store, op, page, err);
        if (!res) {
            ok = false;
            break;
        }
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(res, "Items"), i, item)
        {
            if (!each(item, arg)) {
                more = false;
                break;
            }
        }
        json_t *next = json_object_get(res, "LastEvaluatedKey");
        if (more && next)
            json_object_set(page, "ExclusiveStartKey", next);
        else
            more = false;
        json_decref(res);
    }
    json_decref(page);
    return ok;
}

static bool append_item(const json_t *item, void *arg)
{
    json_array_append((json_t *)arg, (json_t *)item);
    return true;
}

json_t *ddb_all_items(ddb_store *store, const char *op, const json_t *req, ddb_err *err)
{
    json_t *all = json_array();
    if (ddb_each_item(store, op, req, append_item, all, err)) return all;
    json_decref(all);
    return NULL;
}

uint64_t ddb_store_wait_change(ddb_store *store, uint64_t since, int timeout_ms)
{
    return store->ops->wait_change(store, since, timeout_ms);
}

uint64_t ddb_store_change_counter(ddb_store *store)
{
    return store->ops->change_counter(store);
}

void ddb_store_close(ddb_store *store)
{
    if (store) store->ops->close(store);
}

void ddb_json_append(buf_t *b, const json_t *v)
{
    json_out_append_with(b, v, item_cache_text);
}
