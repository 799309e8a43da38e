/*
 * expr_attrs: ExpressionAttributeNames and ExpressionAttributeValues of one
 * request. Validates both maps as DynamoDB does (non-empty, "#name" and
 * ":value" keys, names non-empty and under 64 KB, values valid
 * AttributeValues), remembers which entries the request's expressions used,
 * and reports the unused ones.
 */
#include "ddb/model/expr_int.h"

#include <stdio.h>
#include <string.h>

#include "ddb/model/value.h"

#define EXPR_MAX_NAME_BYTES 65535

/* "#name" / ":value": the sigil and then at least one [A-Za-z0-9_]. */
static bool key_ok(const char *key, char sigil)
{
    if (key[0] != sigil || key[1] == '\0') return false;
    for (const char *s = key + 1; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

static bool check_names(ddb_expr_attrs *a, const json_t *names, ddb_err *err)
{
    const char *key;
    json_t *v;
    if (!json_is_object(names)) {
        ddb_err_member_type(err, "ExpressionAttributeNames", "an object");
        return false;
    }
    if (json_object_size(names) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, "ExpressionAttributeNames must not be empty");
        return false;
    }
    json_object_foreach((json_t *)names, key, v)
    {
        if (!key_ok(key, '#')) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"",
                        key);
            return false;
        }
        if (!json_is_string(v)) {
            ddb_err_member_type(err, "ExpressionAttributeNames", "a string");
            return false;
        }
        if (json_string_length(v) == 0) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "ExpressionAttributeNames contains invalid value: Empty attribute name "
                        "for key %s",
                        key);
            return false;
        }
        if (json_string_length(v) > EXPR_MAX_NAME_BYTES) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "ExpressionAttributeNames contains invalid value: Attribute name is too "
                        "large, must be less than 65536 bytes for key %s",
                        key);
            return false;
        }
    }
    a->names = json_incref((json_t *)names);
    return true;
}

static bool check_values(ddb_expr_attrs *a, const json_t *values, ddb_err *err)
{
    const char *key;
    json_t *v;
    if (!json_is_object(values)) {
        ddb_err_member_type(err, "ExpressionAttributeValues", "an object");
        return false;
    }
    if (json_object_size(values) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, "ExpressionAttributeValues must not be empty");
        return false;
    }
    a->values = json_object();
    json_object_foreach((json_t *)values, key, v)
    {
        if (!key_ok(key, ':')) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"",
                        key);
            return false;
        }
        ddb_err e = DDB_ERR_INIT;
        json_t *norm = ddb_av_normalize(v, &e);
        if (!norm) {
            if (e.code == DDB_E_VALIDATION)
                ddb_err_set(err, DDB_E_VALIDATION,
                            "ExpressionAttributeValues contains invalid value: %s for key %s",
                            e.message, key);
            else
                ddb_err_move(err, &e);
            ddb_err_clear(&e);
            return false;
        }
        json_object_set_new(a->values, key, norm);
    }
    return true;
}

bool ddb_expr_attrs_init(ddb_expr_attrs *a, const json_t *names, const json_t *values, ddb_err *err)
{
    memset(a, 0, sizeof *a);
    a->used = json_object();
    if ((names && !json_is_null(names) && !check_names(a, names, err)) ||
        (values && !json_is_null(values) && !check_values(a, values, err))) {
        ddb_expr_attrs_free(a);
        return false;
    }
    return true;
}

/* Lists the keys of `map` not in `used` as "{#a, #b}"; false when none. */
static bool unused_keys(const json_t *map, const json_t *used, char *out, size_t size)
{
    const char *key;
    json_t *v;
    size_t n = 0;
    int count = 0;
    n += (size_t)snprintf(out, size, "{");
    json_object_foreach((json_t *)map, key, v)
    {
        if (json_object_get(used, key)) continue;
        if (n < size) n += (size_t)snprintf(out + n, size - n, "%s%s", count ? ", " : "", key);
        count++;
    }
    if (n < size) snprintf(out + n, size - n, "}");
    return count > 0;
}

bool ddb_expr_attrs_check_unused(const ddb_expr_attrs *a, ddb_err *err)
{
    char keys[900];
    if (a->names && unused_keys(a->names, a->used, keys, sizeof keys)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Value provided in ExpressionAttributeNames unused in expressions: keys: %s",
                    keys);
        return false;
    }
    if (a->values && unused_keys(a->values, a->used, keys, sizeof keys)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Value provided in ExpressionAttributeValues unused in expressions: keys: %s",
                    keys);
        return false;
    }
    return true;
}

void ddb_expr_attrs_free(ddb_expr_attrs *a)
{
    if (!a) return;
    json_decref(a->names);
    json_decref(a->values);
    json_decref(a->used);
    a->names = a->values = a->used = NULL;
}

/* Looks up a map entry by a key given as (pointer, length) and marks it used. */
static json_t *lookup(ddb_expr_attrs *a, json_t *map, const char *key, size_t len)
{
    char buf[EXPR_MAX_TEXT + 1];
    if (!a || !map || len > EXPR_MAX_TEXT) return NULL;
    memcpy(buf, key, len);
    buf[len] = '\0';
    json_t *v = json_object_get(map, buf);
    if (v && a->used) json_object_set_new(a->used, buf, json_true());
    return v;
}

const char *expr_attrs_name(ddb_expr_attrs *a, const char *key, size_t len)
{
    return json_string_value(lookup(a, a ? a->names : NULL, key, len));
}

json_t *expr_attrs_value(ddb_expr_attrs *a, const char *key, size_t len)
{
    return lookup(a, a ? a->values : NULL, key, len);
}
