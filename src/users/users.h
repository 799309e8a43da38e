/*
 * users: the users directory, the one place that knows who a handle, a
 * Cognito sub or a user uuid belongs to. One interface, two drivers:
 *
 *   - embedded (default): a SQLite file <data>/users.sqlite in WAL mode;
 *   - PostgreSQL through libpq when the environment variable CONNECTION_URL
 *     is set (a libpq connection string or postgresql:// URI).
 *
 * Both drivers hold the same table:
 *
 *   users(uuid          primary key (uuid on PostgreSQL, TEXT on SQLite),
 *         display_name  text not null,
 *         handle        text not null unique,
 *         email         text,
 *         cognito_user_id text unique,   -- NULL until linked
 *         created_at    timestamptz on PostgreSQL, ISO-8601 TEXT on SQLite)
 *
 * cognito_user_id: the reference filled it with the placeholder 'MOCK' for
 * every demo user, which a unique column cannot hold twice. Here an unlinked
 * user has NULL (both SQLite and PostgreSQL let a unique column hold many
 * NULLs); users_seed() inserts the demo users unlinked and
 * users_set_cognito_user_id() links a handle to its identity (a Cognito or
 * dev-issuer `sub`) later. No user can be found by a NULL or empty sub.
 *
 * Threads: a users_db_t may be used by any number of threads at once. It
 * keeps a small pool of connections (one per concurrently calling thread,
 * at most USERS_POOL_MAX); a PostgreSQL connection lost because the server
 * restarted is reset and the statement retried once, transparently. Every
 * statement is parameterised.
 *
 * Ownership: results are heap objects owned by the caller (users_user_free,
 * users_list_free); inputs are only borrowed for the duration of the call.
 * Every function reports through a users_status_t; USERS_NOT_FOUND is an
 * ordinary answer, distinct from USERS_ERROR (the store failed). When an
 * users_error_t is passed it receives the code and a human message.
 */
#ifndef CRUDDUR_USERS_USERS_H
#define CRUDDUR_USERS_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/clock.h"
#include "base/uuid.h"

#define USERS_POOL_MAX 16   /* connections open at once per users_db_t */
#define USERS_FIELD_MAX 256 /* bytes, for display_name/handle/email/sub */
#define USERS_SQLITE_FILE "users.sqlite"

typedef enum users_status {
    USERS_OK = 0,
    USERS_NOT_FOUND, /* no such user: an answer, not a failure */
    USERS_CONFLICT,  /* the handle, cognito_user_id or uuid is taken */
    USERS_INVALID,   /* an argument failed validation (message says which) */
    USERS_ERROR,     /* the store failed: I/O, connection, SQL */
} users_status_t;

typedef struct users_error {
    users_status_t code;
    char message[256];
} users_error_t;

typedef struct users_user {
    char uuid[UUID_STR_LEN]; /* lower-case canonical form */
    char *display_name;
    char *handle;
    char *email;                    /* NULL when not known */
    char *cognito_user_id;          /* NULL until linked */
    char created_at[CLOCK_ISO_LEN]; /* "2023-03-20T22:52:11.123456+00:00" */
} users_user_t;

typedef struct users_list {
    users_user_t *items; /* count users ordered by created_at, then handle */
    size_t count;
} users_list_t;

/* What users_create() needs; NULL optional fields are left empty. */
typedef struct users_new {
    const char *display_name;    /* required, non-empty */
    const char *handle;          /* required, non-empty, no whitespace */
    const char *email;           /* optional */
    const char *cognito_user_id; /* optional: NULL = not linked yet */
    const char *uuid;            /* optional: NULL = a fresh version 4 uuid */
} users_new_t;

typedef struct users_db users_db_t;

/*
 * Opens the directory configured by the environment: PostgreSQL when
 * CONNECTION_URL is set and non-empty, else SQLite in data_dir (created if
 * missing). data_dir NULL means an in-memory SQLite store (for
 * `serve --in-memory`; one connection, calls are serialised). Opening checks
 * that the store can be reached but does not create the schema.
 */
users_status_t users_open(const char *data_dir, users_db_t **out, users_error_t *err);
/* The two drivers, chosen explicitly. path NULL = in-memory SQLite. */
users_status_t users_open_sqlite(const char *path, users_db_t **out, users_error_t *err);
users_status_t users_open_postgres(const char *conninfo, users_db_t **out, users_error_t *err);
/* Closes every connection. No call may be in flight. NULL is a no-op. */
void users_close(users_db_t *db);
/* "sqlite" or "postgres". */
const char *users_driver_name(const users_db_t *db);

/* Creates the table if it does not exist; safe to run any number of times. */
users_status_t users_schema_load(users_db_t *db, users_error_t *err);
/* Drops the table and everything in it (tests, `db reset`). */
users_status_t users_schema_drop(users_db_t *db, users_error_t *err);
/*
 * What the store holds, so that setup can decide from the store itself:
 * *exists tells whether the users table is there and *rows (when it is)
 * how many users it holds. Reads only.
 */
users_status_t users_schema_state(users_db_t *db, bool *exists, long long *rows,
                                  users_error_t *err);
/*
 * Where the directory lives, for messages that must say what they touch:
 * "SQLite file DIR/users.sqlite" or "PostgreSQL database NAME on HOST:PORT
 * as USER" (never the password). Written into out (n bytes).
 */
void users_where(users_db_t *db, char *out, size_t n);

/*
 * Inserts the three demo users of the spec (andrewbrown, bayko, londo),
 * unlinked, unless a user with that handle exists already: running it again
 * changes nothing. *inserted (optional) receives how many were added.
 */
users_status_t users_seed(users_db_t *db, int *inserted, users_error_t *err);
/* The demo users users_seed() inserts, for tools that link or list them. */
const users_new_t *users_demo(size_t *count);

/* Lookups: USERS_OK with *out set (free it), or USERS_NOT_FOUND. */
users_status_t users_find_by_handle(users_db_t *db, const char *handle, users_user_t **out,
                                    users_error_t *err);
users_status_t users_find_by_cognito_user_id(users_db_t *db, const char *sub, users_user_t **out,
                                             users_error_t *err);
/* A malformed uuid cannot name a user: USERS_NOT_FOUND. Case-insensitive. */
users_status_t users_find_by_uuid(users_db_t *db, const char *uuid, users_user_t **out,
                                  users_error_t *err);
/* Every user; *out is filled (free with users_list_free) only on USERS_OK. */
users_status_t users_list_all(users_db_t *db, users_list_t *out, users_error_t *err);

/*
 * Adds a user; created_at is now. USERS_CONFLICT when the handle,
 * cognito_user_id or uuid is taken (the message names which). out is
 * optional: when given it receives the stored user.
 */
users_status_t users_create(users_db_t *db, const users_new_t *in, users_user_t **out,
                            users_error_t *err);

/*
 * Links the user with this handle to an identity: cognito_user_id = sub
 * (NULL unlinks). USERS_NOT_FOUND for an unknown handle, USERS_CONFLICT when
 * another user holds that sub already. Setting the value it has is OK.
 */
users_status_t users_set_cognito_user_id(users_db_t *db, const char *handle, const char *sub,
                                         users_error_t *err);

void users_user_free(users_user_t *u);
void users_list_free(users_list_t *l); /* frees the items; l itself is the caller's */
/* "ok", "not_found", "conflict", "invalid", "error". */
const char *users_status_name(users_status_t s);

#endif
