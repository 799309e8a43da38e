/*
 * params: reading the members of a request object: optional strings,
 * booleans and integers with their JSON type checked, and the
 * ProjectionExpression of a Get-like object (BatchGetItem's table entry,
 * TransactGetItems' Get). The operations read their members through these
 * so that one fault is worded one way.
 */
#include "ddb/engine/engine_int.h"

/* A member of the wrong JSON type, in the one wording of ddb.h. */
static bool param_type_error(const char *name, const char *want, ddb_err *err)
{
    ddb_err_member_type(err, name, want);
    return false;
}

bool eng_param_str(const json_t *req, const char *name, const char **out, bool *present,
                   ddb_err *err)
{
    json_t *v = json_object_get(req, name);
    if (present) *present = false;
    if (!v || json_is_null(v)) return true;
    if (!json_is_string(v)) return param_type_error(name, "a string", err);
    *out = json_string_value(v);
    if (present) *present = true;
    return true;
}

bool eng_param_bool(const json_t *req, const char *name, bool *out, ddb_err *err)
{
    json_t *v = json_object_get(req, name);
    if (!v || json_is_null(v)) return true;
    if (!json_is_boolean(v)) return param_type_error(name, "a boolean", err);
    *out = json_is_true(v);
    return true;
}

bool eng_param_int(const json_t *req, const char *name, long long *out, bool *present, ddb_err *err)
{
    json_t *v = json_object_get(req, name);
    if (present) *present = false;
    if (!v || json_is_null(v)) return true;
    if (!json_is_integer(v)) return param_type_error(name, "an integer", err);
    *out = (long long)json_integer_value(v);
    if (present) *present = true;
    return true;
}

bool eng_param_projection(const json_t *obj, ddb_proj **proj, ddb_err *err)
{
    *proj = NULL;
    const char *text = NULL;
    bool present = false;
    if (!eng_param_str(obj, "ProjectionExpression", &text, &present, err)) return false;
    json_t *names = json_object_get(obj, "ExpressionAttributeNames");
    if (!present && names) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "ExpressionAttributeNames can only be specified when using expressions");
        return false;
    }
    if (!present) return true;
    ddb_expr_attrs attrs;
    if (!ddb_expr_attrs_init(&attrs, names, NULL, err)) return false;
    *proj = ddb_proj_parse(text, &attrs, err);
    bool ok = *proj && ddb_expr_attrs_check_unused(&attrs, err);
    ddb_expr_attrs_free(&attrs);
    if (!ok) {
        ddb_proj_free(*proj);
        *proj = NULL;
    }
    return ok;
}
