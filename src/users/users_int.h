/*
 * users_int: what the users directory's common code (users.c) and its two
 * drivers (users_sqlite.c, users_pg.c) share. Not for other modules.
 *
 * users.c validates every input, generates uuids and timestamps, owns the
 * connection pool and picks a connection per call; a driver only turns one
 * already-validated operation into SQL on one connection that no other
 * thread is using. Drivers build results with users_user_make() and report
 * failures with users_fail().
 */
#ifndef CRUDDUR_USERS_USERS_INT_H
#define CRUDDUR_USERS_USERS_INT_H

#include <stdbool.h>

#include "users/users.h"

/* The columns a lookup can go by; all three are unique. */
enum users_key { USERS_BY_HANDLE, USERS_BY_COGNITO, USERS_BY_UUID };

typedef struct users_driver {
    const char *name;
    /* Opens one connection to target (a path or a conninfo); NULL + err on failure. */
    void *(*connect)(const char *target, users_error_t *err);
    void (*disconnect)(void *conn);
    /* False when the connection is known to be unusable (it is then closed, not pooled). */
    bool (*healthy)(void *conn);
    users_status_t (*schema_load)(void *conn, users_error_t *err);
    users_status_t (*schema_drop)(void *conn, users_error_t *err);
    /* Runs one statement without results (BEGIN, COMMIT, ROLLBACK). */
    users_status_t (*command)(void *conn, const char *sql, users_error_t *err);
    /* Whether the users table exists and, when it does, its row count. */
    users_status_t (*schema_state)(void *conn, bool *exists, long long *rows, users_error_t *err);
    /* Where this connection points, without secrets (users_where). */
    void (*where)(void *conn, char *out, size_t n);
    users_status_t (*find)(void *conn, enum users_key key, const char *value, users_user_t **out,
                           users_error_t *err);
    users_status_t (*list)(void *conn, users_list_t *out, users_error_t *err);
    /*
     * Inserts row (all fields set except the optional email/cognito_user_id).
     * if_absent: a row with the same handle already there is not an error;
     * *inserted tells whether one was added.
     */
    users_status_t (*insert)(void *conn, const users_user_t *row, bool if_absent, bool *inserted,
                             users_error_t *err);
    /* sub NULL clears the link. NOT_FOUND when no row has that handle. */
    users_status_t (*set_cognito)(void *conn, const char *handle, const char *sub,
                                  users_error_t *err);
} users_driver_t;

extern const users_driver_t users_sqlite_driver;
extern const users_driver_t users_pg_driver;

/* Fills err (when not NULL) and returns code; the message is printf-formatted. */
users_status_t users_fail(users_error_t *err, users_status_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A heap user built from column texts (email and cognito_user_id may be
 * NULL). Fields too long for the fixed arrays are cut; the drivers only
 * hand over what they stored.
 */
users_user_t *users_user_make(const char *uuid, const char *display_name, const char *handle,
                              const char *email, const char *cognito_user_id,
                              const char *created_at);
/* Moves u into the list (u's strings now belong to l) and frees the shell. */
void users_list_take(users_list_t *l, users_user_t *u);

/* Which unique column a constraint-failure text names: "handle", ... or "uuid". */
const char *users_conflict_column(const char *text);

#endif
