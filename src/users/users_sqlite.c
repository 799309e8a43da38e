/*
 * users_sqlite: the embedded driver of the users directory, one SQLite
 * database file (normally <data>/users.sqlite) in WAL mode so readers never
 * wait for a writer. Each pooled connection keeps its prepared statements,
 * made on first use, for its lifetime; a writer that meets another writer
 * waits up to SQLITE_BUSY_MS for the lock instead of failing.
 */
#include "users/users_int.h"

#include "base/alloc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQLITE_BUSY_MS 5000

#define COLUMNS "uuid, display_name, handle, email, cognito_user_id, created_at"

enum stmt_id {
    ST_BY_HANDLE,
    ST_BY_COGNITO,
    ST_BY_UUID,
    ST_LIST,
    ST_INSERT,
    ST_INSERT_IF_ABSENT,
    ST_SET_COGNITO,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BY_HANDLE] = "SELECT " COLUMNS " FROM users WHERE handle = ?1",
    [ST_BY_COGNITO] = "SELECT " COLUMNS " FROM users WHERE cognito_user_id = ?1",
    [ST_BY_UUID] = "SELECT " COLUMNS " FROM users WHERE uuid = ?1",
    [ST_LIST] = "SELECT " COLUMNS " FROM users ORDER BY created_at, handle",
    [ST_INSERT] = "INSERT INTO users (" COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_INSERT_IF_ABSENT] = "INSERT INTO users (" COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                            " ON CONFLICT (handle) DO NOTHING",
    [ST_SET_COGNITO] = "UPDATE users SET cognito_user_id = ?2 WHERE handle = ?1",
};

/* Same columns, constraints and order as the PostgreSQL driver's table. */
static const char schema_sql[] = "CREATE TABLE IF NOT EXISTS users ("
                                 " uuid TEXT PRIMARY KEY NOT NULL,"
                                 " display_name TEXT NOT NULL,"
                                 " handle TEXT NOT NULL UNIQUE,"
                                 " email TEXT,"
                                 " cognito_user_id TEXT UNIQUE,"
                                 " created_at TEXT NOT NULL)";

typedef struct sq_conn {
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_COUNT];
} sq_conn_t;

/* Reports the connection's last error: a unique violation is a conflict. */
static users_status_t sq_fail(sq_conn_t *c, int rc, users_error_t *err)
{
    const char *msg = sqlite3_errmsg(c->db);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return users_fail(err, USERS_CONFLICT, "%s is already taken", users_conflict_column(msg));
    return users_fail(err, USERS_ERROR, "users store (sqlite): %s", msg);
}

static void sq_disconnect(void *conn)
{
    sq_conn_t *c = conn;
    if (!c) return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
    free(c);
}

/* Runs SQL whose result rows, if any, are not needed. */
static int sq_exec(sq_conn_t *c, const char *sql)
{
    return sqlite3_exec(c->db, sql, NULL, NULL, NULL);
}

static void *sq_connect(const char *path, users_error_t *err)
{
    sq_conn_t *c = xcalloc(1, sizeof *c);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path ? path : ":memory:", &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        users_fail(err, USERS_ERROR, "users store (sqlite): cannot open %s: %s",
                   path ? path : ":memory:", c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sq_disconnect(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->db, SQLITE_BUSY_MS);
    sqlite3_extended_result_codes(c->db, 1);
    if (path && (rc = sq_exec(c, "PRAGMA journal_mode=WAL")) != SQLITE_OK) {
        users_fail(err, USERS_ERROR, "users store (sqlite): cannot use %s: %s", path,
                   sqlite3_errmsg(c->db));
        sq_disconnect(c);
        return NULL;
    }
    return c;
}

static bool sq_healthy(void *conn)
{
    return conn != NULL;
}

/* The cached statement id, prepared now if this is its first use; NULL + err on failure. */
static sqlite3_stmt *sq_stmt(sq_conn_t *c, enum stmt_id id, users_error_t *err)
{
    if (!c->stmt[id]) {
        int rc = sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                    &c->stmt[id], NULL);
        if (rc != SQLITE_OK) {
            sq_fail(c, rc, err);
            return NULL;
        }
    }
    return c->stmt[id];
}

/* Binds text or NULL to parameter i. */
static void sq_bind(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

static users_user_t *sq_row(sqlite3_stmt *s)
{
    const char *col[6];
    for (int i = 0; i < 6; i++)
        col[i] = (const char *)sqlite3_column_text(s, i);
    return users_user_make(col[0], col[1], col[2], col[3], col[4], col[5]);
}

static users_status_t sq_schema_load(void *conn, users_error_t *err)
{
    sq_conn_t *c = conn;
    int rc = sq_exec(c, schema_sql);
    return rc == SQLITE_OK ? USERS_OK : sq_fail(c, rc, err);
}

static users_status_t sq_command(void *conn, const char *sql, users_error_t *err)
{
    sq_conn_t *c = conn;
    int rc = sq_exec(c, sql);
    return rc == SQLITE_OK ? USERS_OK : sq_fail(c, rc, err);
}

static users_status_t sq_schema_drop(void *conn, users_error_t *err)
{
    return sq_command(conn, "DROP TABLE IF EXISTS users", err);
}

static users_status_t sq_schema_state(void *conn, bool *exists, long long *rows, users_error_t *err)
{
    sq_conn_t *c = conn;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(
        c->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'users'", -1, &s,
        NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        *exists = sqlite3_column_int(s, 0) > 0;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    if (rc == SQLITE_OK && *exists) {
        rc = sqlite3_prepare_v2(c->db, "SELECT count(*) FROM users", -1, &s, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
            *rows = sqlite3_column_int64(s, 0);
            rc = SQLITE_OK;
        }
        sqlite3_finalize(s);
    }
    return rc == SQLITE_OK ? USERS_OK : sq_fail(c, rc, err);
}

static void sq_where(void *conn, char *out, size_t n)
{
    const char *file = sqlite3_db_filename(((sq_conn_t *)conn)->db, "main");
    snprintf(out, n, "SQLite %s%s", file && *file ? "file " : "database ",
             file && *file ? file : "in memory");
}

static users_status_t sq_find(void *conn, enum users_key key, const char *value, users_user_t **out,
                              users_error_t *err)
{
    sq_conn_t *c = conn;
    enum stmt_id id = key == USERS_BY_HANDLE    ? ST_BY_HANDLE
                      : key == USERS_BY_COGNITO ? ST_BY_COGNITO
                                                : ST_BY_UUID;
    sqlite3_stmt *s = sq_stmt(c, id, err);
    if (!s) return USERS_ERROR;
    sq_bind(s, 1, value);
    int rc = sqlite3_step(s);
    users_status_t st = USERS_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        *out = sq_row(s);
        st = USERS_OK;
    } else if (rc != SQLITE_DONE) {
        st = sq_fail(c, rc, err);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return st;
}

static users_status_t sq_list(void *conn, users_list_t *out, users_error_t *err)
{
    sq_conn_t *c = conn;
    sqlite3_stmt *s = sq_stmt(c, ST_LIST, err);
    if (!s) return USERS_ERROR;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        users_list_take(out, sq_row(s));
    users_status_t st = rc == SQLITE_DONE ? USERS_OK : sq_fail(c, rc, err);
    sqlite3_reset(s);
    return st;
}

static users_status_t sq_insert(void *conn, const users_user_t *row, bool if_absent, bool *inserted,
                                users_error_t *err)
{
    sq_conn_t *c = conn;
    sqlite3_stmt *s = sq_stmt(c, if_absent ? ST_INSERT_IF_ABSENT : ST_INSERT, err);
    if (!s) return USERS_ERROR;
    sq_bind(s, 1, row->uuid);
    sq_bind(s, 2, row->display_name);
    sq_bind(s, 3, row->handle);
    sq_bind(s, 4, row->email);
    sq_bind(s, 5, row->cognito_user_id);
    sq_bind(s, 6, row->created_at);
    int rc = sqlite3_step(s);
    users_status_t st = rc == SQLITE_DONE ? USERS_OK : sq_fail(c, rc, err);
    *inserted = st == USERS_OK && sqlite3_changes(c->db) > 0;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return st;
}

static users_status_t sq_set_cognito(void *conn, const char *handle, const char *sub,
                                     users_error_t *err)
{
    sq_conn_t *c = conn;
    sqlite3_stmt *s = sq_stmt(c, ST_SET_COGNITO, err);
    if (!s) return USERS_ERROR;
    sq_bind(s, 1, handle);
    sq_bind(s, 2, sub);
    int rc = sqlite3_step(s);
    users_status_t st = rc == SQLITE_DONE ? USERS_OK : sq_fail(c, rc, err);
    if (st == USERS_OK && sqlite3_changes(c->db) == 0) st = USERS_NOT_FOUND;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return st;
}

const users_driver_t users_sqlite_driver = {
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .healthy = sq_healthy,
    .schema_load = sq_schema_load,
    .schema_drop = sq_schema_drop,
    .command = sq_command,
    .schema_state = sq_schema_state,
    .where = sq_where,
    .find = sq_find,
    .list = sq_list,
    .insert = sq_insert,
    .set_cognito = sq_set_cognito,
};
