/*
 * users_pg: the PostgreSQL driver of the users directory, through libpq.
 * Used when CONNECTION_URL is set; the table has the same columns and
 * constraints as the embedded one (uuid as a real uuid, created_at as
 * timestamptz, both rendered as text in the shapes users.h promises).
 *
 * Every statement goes through pg_run(): parameterised (PQexecParams, never
 * string-built SQL), and when the server has dropped the connection (it
 * restarted, or an administrator ended the session) the connection is reset
 * and the statement sent once more. A statement the server had already
 * committed when the connection died would be sent twice; the unique
 * columns turn that into USERS_CONFLICT, never into a duplicate row. Sessions
 * run in UTC so timestamps read back the same whatever the server's zone.
 */
#include "users/users_int.h"

#include "base/alloc.h"
#include "base/log.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS "uuid, display_name, handle, email, cognito_user_id, created_at"
#define SELECT                                                                                     \
    "SELECT uuid::text, display_name, handle, email, cognito_user_id,"                             \
    " to_char(created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') FROM users"
#define INSERT "INSERT INTO users (" COLUMNS ") VALUES ($1::uuid, $2, $3, $4, $5, $6::timestamptz)"

/* Same columns, constraints and order as the SQLite driver's table. */
static const char schema_sql[] = "CREATE TABLE IF NOT EXISTS users ("
                                 " uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
                                 " display_name text NOT NULL,"
                                 " handle text NOT NULL UNIQUE,"
                                 " email text,"
                                 " cognito_user_id text UNIQUE,"
                                 " created_at timestamptz NOT NULL DEFAULT current_timestamp)";

/* libpq prints NOTICEs ("relation already exists, skipping") to stderr by default. */
static void pg_notice(void *arg, const char *message)
{
    log_debug("users store (postgres): %s", message);
}

/* Per-session settings, on every new or reset connection. False on failure. */
static bool pg_session_setup(PGconn *pg)
{
    PQsetNoticeProcessor(pg, pg_notice, NULL);
    if (PQsetClientEncoding(pg, "UTF8") != 0) return false;
    PGresult *r = PQexec(pg, "SET TIME ZONE 'UTC'");
    bool good = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return good;
}

/* The last libpq error on one line (libpq's messages span lines and end with a newline). */
static const char *pg_message(const char *msg, char *out, size_t n)
{
    size_t len = 0;
    for (const char *p = msg && *msg ? msg : "unknown error"; *p && len + 1 < n; p++) {
        bool space = *p == '\n' || *p == '\r' || *p == '\t' || *p == ' ';
        if (space && (len == 0 || out[len - 1] == ' ')) continue;
        out[len++] = space ? ' ' : *p;
    }
    while (len > 0 && out[len - 1] == ' ')
        len--;
    out[len] = '\0';
    return out;
}

static void pg_disconnect(void *conn)
{
    PQfinish(conn);
}

static void *pg_connect(const char *conninfo, users_error_t *err)
{
    PGconn *pg = PQconnectdb(conninfo);
    char msg[200];
    if (!pg) xalloc_fail("PQconnectdb");
    if (PQstatus(pg) != CONNECTION_OK || !pg_session_setup(pg)) {
        users_fail(err, USERS_ERROR, "users store (postgres): cannot connect: %s",
                   pg_message(PQerrorMessage(pg), msg, sizeof msg));
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

static bool pg_healthy(void *conn)
{
    return PQstatus(conn) == CONNECTION_OK;
}

/*
 * True when a failed statement failed because the session is gone rather
 * than because of the statement: the socket closed, or the server said it
 * is shutting down or refusing connections (SQLSTATE classes 08 and 57P).
 */
static bool pg_connection_lost(PGconn *pg, const PGresult *r)
{
    if (PQstatus(pg) == CONNECTION_BAD) return true;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3));
}

/*
 * Runs one parameterised statement. On success returns the result (the
 * caller PQclear()s it) and *st = USERS_OK; otherwise NULL and *st/err say
 * why: USERS_CONFLICT for a unique violation, USERS_ERROR for the rest. A
 * lost connection is reset and the statement retried once: a restarted
 * server costs the caller nothing.
 */
static PGresult *pg_run(PGconn *pg, const char *sql, int nparams, const char *const *params,
                        users_status_t *st, users_error_t *err)
{
    char msg[200];
    for (int attempt = 0;; attempt++) {
        PGresult *r = PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
        ExecStatusType rs = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK) {
            *st = USERS_OK;
            return r;
        }
        if (attempt == 0 && pg_connection_lost(pg, r)) {
            log_warn("users store (postgres): connection lost (%s); reconnecting",
                     pg_message(r ? PQresultErrorMessage(r) : PQerrorMessage(pg), msg, sizeof msg));
            PQclear(r);
            PQreset(pg);
            if (PQstatus(pg) == CONNECTION_OK && pg_session_setup(pg)) continue;
            *st = users_fail(err, USERS_ERROR, "users store (postgres): cannot reconnect: %s",
                             pg_message(PQerrorMessage(pg), msg, sizeof msg));
            return NULL;
        }
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        if (state && !strcmp(state, "23505")) {
            const char *constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
            *st = users_fail(err, USERS_CONFLICT, "%s is already taken",
                             users_conflict_column(constraint));
        } else {
            *st = users_fail(
                err, USERS_ERROR, "users store (postgres): %s",
                pg_message(r ? PQresultErrorMessage(r) : PQerrorMessage(pg), msg, sizeof msg));
        }
        PQclear(r);
        return NULL;
    }
}

static users_user_t *pg_row(const PGresult *r, int row)
{
    const char *col[6];
    for (int i = 0; i < 6; i++)
        col[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
    return users_user_make(col[0], col[1], col[2], col[3], col[4], col[5]);
}

/* A statement whose only interest is whether it worked. */
static users_status_t pg_command(void *conn, const char *sql, users_error_t *err)
{
    users_status_t st;
    PQclear(pg_run(conn, sql, 0, NULL, &st, err));
    return st;
}

static users_status_t pg_schema_load(void *conn, users_error_t *err)
{
    return pg_command(conn, schema_sql, err);
}

static users_status_t pg_schema_drop(void *conn, users_error_t *err)
{
    return pg_command(conn, "DROP TABLE IF EXISTS users", err);
}

/* to_regclass follows search_path, as CREATE TABLE IF NOT EXISTS users does. */
static users_status_t pg_schema_state(void *conn, bool *exists, long long *rows, users_error_t *err)
{
    users_status_t st;
    PGresult *r = pg_run(conn, "SELECT to_regclass('users') IS NOT NULL", 0, NULL, &st, err);
    if (!r) return st;
    *exists = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (!*exists) return USERS_OK;
    r = pg_run(conn, "SELECT count(*) FROM users", 0, NULL, &st, err);
    if (!r) return st;
    *rows = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return USERS_OK;
}

/* What the live connection reached (libpq's own view, defaults applied), never the password. */
static void pg_where(void *conn, char *out, size_t n)
{
    PGconn *pg = conn;
    const char *host = PQhost(pg), *port = PQport(pg), *db = PQdb(pg), *user = PQuser(pg);
    bool socket = host && host[0] == '/';
    snprintf(out, n, "PostgreSQL database %s on %s%s%s%s as %s", db ? db : "?",
             socket ? "the socket in " : "", host && *host ? host : "localhost", socket ? "" : ":",
             socket ? "" : (port && *port ? port : "5432"), user ? user : "?");
}

static users_status_t pg_find(void *conn, enum users_key key, const char *value, users_user_t **out,
                              users_error_t *err)
{
    const char *sql = key == USERS_BY_HANDLE    ? SELECT " WHERE handle = $1"
                      : key == USERS_BY_COGNITO ? SELECT " WHERE cognito_user_id = $1"
                                                : SELECT " WHERE uuid = $1::uuid";
    users_status_t st;
    PGresult *r = pg_run(conn, sql, 1, &value, &st, err);
    if (!r) return st;
    if (PQntuples(r) > 0)
        *out = pg_row(r, 0);
    else
        st = USERS_NOT_FOUND;
    PQclear(r);
    return st;
}

static users_status_t pg_list(void *conn, users_list_t *out, users_error_t *err)
{
    users_status_t st;
    PGresult *r = pg_run(conn, SELECT " ORDER BY created_at, handle", 0, NULL, &st, err);
    if (!r) return st;
    for (int i = 0; i < PQntuples(r); i++)
        users_list_take(out, pg_row(r, i));
    PQclear(r);
    return USERS_OK;
}

static users_status_t pg_insert(void *conn, const users_user_t *row, bool if_absent, bool *inserted,
                                users_error_t *err)
{
    const char *params[6] = {row->uuid,  row->display_name,    row->handle,
                             row->email, row->cognito_user_id, row->created_at};
    const char *sql = if_absent ? INSERT " ON CONFLICT (handle) DO NOTHING" : INSERT;
    users_status_t st;
    PGresult *r = pg_run(conn, sql, 6, params, &st, err);
    *inserted = r && atoi(PQcmdTuples(r)) > 0;
    PQclear(r);
    return st;
}

static users_status_t pg_set_cognito(void *conn, const char *handle, const char *sub,
                                     users_error_t *err)
{
    const char *params[2] = {handle, sub};
    users_status_t st;
    PGresult *r = pg_run(conn, "UPDATE users SET cognito_user_id = $2 WHERE handle = $1", 2, params,
                         &st, err);
    if (!r) return st;
    if (atoi(PQcmdTuples(r)) == 0) st = USERS_NOT_FOUND;
    PQclear(r);
    return st;
}

const users_driver_t users_pg_driver = {
    .name = "postgres",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .healthy = pg_healthy,
    .schema_load = pg_schema_load,
    .schema_drop = pg_schema_drop,
    .command = pg_command,
    .schema_state = pg_schema_state,
    .where = pg_where,
    .find = pg_find,
    .list = pg_list,
    .insert = pg_insert,
    .set_cognito = pg_set_cognito,
};
