/*
 * store: how the operator commands reach their data. The ddb commands talk
 * to a ddb_store (ddb.h) and never know which driver is behind it: the
 * embedded engine in the data folder, a DynamoDB endpoint named by
 * AWS_ENDPOINT_URL(_DYNAMODB), or, with `prod`, Amazon DynamoDB itself
 * (ddb_store_open decides). The users directory is opened the way `cruddur serve`
 * opens it (SQLite in the data folder, or PostgreSQL via CONNECTION_URL).
 */
#include "tools/tools_int.h"

#include <stdlib.h>
#include <string.h>

#include "ddb/open/store_open.h"
#include "messaging/table.h"

ddb_store *tools_store_open(const tools_opts *o)
{
    return tools_store_open_where(o, NULL);
}

ddb_store *tools_store_open_where(const tools_opts *o, char **where)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_open_options opt = {
        .data_dir = o->data,
        .aws = o->prod,
        .no_background = true, /* a tool runs for a moment: no TTL sweeper */
    };
    ddb_store *store = ddb_store_open(&opt, where, &err);
    if (!store) {
        if (ddb_store_is_remote(&opt))
            tools_fail(o, "cannot use the remote DynamoDB: %s", err.message);
        else
            tools_fail(o, "cannot open the store in %s: %s", o->data, err.message);
        ddb_err_clear(&err);
    }
    return store;
}

void tools_report(const tools_opts *o, const char *op, const json_t *req, ddb_err *err)
{
    const char *table = json_string_value(json_object_get(req, "TableName"));
    if (err->code == DDB_E_NOT_FOUND && table && !strcmp(table, msg_table_name()))
        tools_fail(o, "table %s does not exist (create it with `cruddur ddb schema-load`): %s: %s",
                   table, err->type, err->message);
    else if (err->code == DDB_E_NOT_FOUND && table)
        tools_fail(o, "table %s does not exist: %s: %s", table, err->type, err->message);
    else
        tools_fail(o, "%s failed: %s: %s", op, err->type, err->message);
    ddb_err_clear(err);
}

json_t *tools_call(const tools_opts *o, ddb_store *store, const char *op, json_t *req)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(store, op, req, &err);
    if (!res) tools_report(o, op, req, &err);
    return res;
}

json_t *tools_all_items(const tools_opts *o, ddb_store *store, const char *op, json_t *req)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *all = ddb_all_items(store, op, req, &err);
    if (!all) tools_report(o, op, req, &err);
    return all;
}

bool tools_table_exists(const tools_opts *o, ddb_store *store, const char *table)
{
    json_t *req = json_pack("{s:s}", "TableName", table);
    json_t *res = tools_call(o, store, "DescribeTable", req);
    json_decref(req);
    json_decref(res);
    return res != NULL;
}

users_db_t *tools_users_open(const tools_opts *o)
{
    users_db_t *db = NULL;
    users_error_t err = {0};
    if (users_open(o->data, &db, &err) != USERS_OK) {
        const char *url = getenv("CONNECTION_URL");
        tools_fail(o, "cannot open the users directory (%s): %s",
                   url && *url ? "CONNECTION_URL" : o->data, err.message);
        return NULL;
    }
    return db;
}

void tools_report_user(const tools_opts *o, users_db_t *users, const char *handle,
                       users_status_t st, const users_error_t *err)
{
    if (st == USERS_NOT_FOUND) {
        char where[512];
        users_where(users, where, sizeof where);
        tools_fail(o,
                   "user '%s' is not in the users directory (%s); `cruddur db seed` adds the "
                   "demo users andrewbrown, bayko and londo and deletes nothing",
                   handle, where);
    } else {
        tools_fail(o,
                   "cannot read user '%s' (if the users table is missing, `cruddur db setup` "
                   "creates it and deletes nothing): %s",
                   handle, err->message);
    }
}

users_user_t *tools_user_by_handle(const tools_opts *o, users_db_t *users, const char *handle)
{
    users_user_t *u = NULL;
    users_error_t err = {0};
    users_status_t st = users_find_by_handle(users, handle, &u, &err);
    if (st == USERS_OK) return u;
    tools_report_user(o, users, handle, st, &err);
    return NULL;
}
