/*
 * users: the driver-independent half of the users directory. See users.h.
 *
 * Every public call validates its inputs here, takes a connection from the
 * pool, hands one operation to the driver and gives the connection back.
 * The pool opens connections on demand (so each concurrently calling thread
 * ends up with its own), keeps the idle ones for the next caller, makes
 * callers wait when USERS_POOL_MAX are busy, and drops a connection the
 * driver reports as broken so the next caller gets a fresh one.
 */
#include "users/users_int.h"

#include "base/alloc.h"
#include "base/log.h"
#include "base/private_fs.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct users_db {
    const users_driver_t *driver;
    char *target; /* SQLite path (NULL = in memory) or PostgreSQL conninfo */
    int max_conns;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    void *idle[USERS_POOL_MAX];
    int n_idle;
    int n_open; /* idle + in use */
};

static const users_new_t demo_users[] = {
    {"Andrew Brown", "andrewbrown", "andrew@exampro.co", NULL, NULL},
    {"Andrew Bayko", "bayko", "bayko@exampro.co", NULL, NULL},
    {"Londo Mollari", "londo", "lmollari@centari.com", NULL, NULL},
};

users_status_t users_fail(users_error_t *err, users_status_t code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

static users_status_t ok(users_error_t *err)
{
    if (err) {
        err->code = USERS_OK;
        err->message[0] = '\0';
    }
    return USERS_OK;
}

const char *users_status_name(users_status_t s)
{
    switch (s) {
    case USERS_OK:
        return "ok";
    case USERS_NOT_FOUND:
        return "not_found";
    case USERS_CONFLICT:
        return "conflict";
    case USERS_INVALID:
        return "invalid";
    case USERS_ERROR:
        return "error";
    }
    return "error";
}

const users_new_t *users_demo(size_t *count)
{
    if (count) *count = sizeof demo_users / sizeof demo_users[0];
    return demo_users;
}

/* strdup that keeps NULL as NULL and aborts on memory exhaustion like buf.h. */
static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    char *d = xstrdup(s);
    return d;
}

users_user_t *users_user_make(const char *uuid, const char *display_name, const char *handle,
                              const char *email, const char *cognito_user_id,
                              const char *created_at)
{
    users_user_t *u = xcalloc(1, sizeof *u);
    snprintf(u->uuid, sizeof u->uuid, "%s", uuid ? uuid : "");
    for (char *p = u->uuid; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    u->display_name = dup_or_null(display_name ? display_name : "");
    u->handle = dup_or_null(handle ? handle : "");
    u->email = dup_or_null(email);
    u->cognito_user_id = dup_or_null(cognito_user_id);
    snprintf(u->created_at, sizeof u->created_at, "%s", created_at ? created_at : "");
    return u;
}

void users_user_free(users_user_t *u)
{
    if (!u) return;
    free(u->display_name);
    free(u->handle);
    free(u->email);
    free(u->cognito_user_id);
    free(u);
}

void users_list_take(users_list_t *l, users_user_t *u)
{
    users_user_t *grown = xrealloc(l->items, (l->count + 1) * sizeof *grown);
    l->items = grown;
    l->items[l->count++] = *u;
    free(u);
}

void users_list_free(users_list_t *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].display_name);
        free(l->items[i].handle);
        free(l->items[i].email);
        free(l->items[i].cognito_user_id);
    }
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

const char *users_conflict_column(const char *text)
{
    if (!text) return "uuid";
    if (strstr(text, "cognito_user_id")) return "cognito_user_id";
    if (strstr(text, "handle")) return "handle";
    return "uuid";
}

/* ---- the pool ---------------------------------------------------------- */

static users_status_t db_new(const users_driver_t *driver, const char *target, int max_conns,
                             users_db_t **out, users_error_t *err)
{
    users_db_t *db = xcalloc(1, sizeof *db);
    db->driver = driver;
    db->target = dup_or_null(target);
    db->max_conns = max_conns;
    pthread_mutex_init(&db->lock, NULL);
    pthread_cond_init(&db->freed, NULL);
    /* One connection now, so a wrong path or URL is reported at open time. */
    void *conn = driver->connect(target, err);
    if (!conn) {
        users_close(db);
        *out = NULL;
        return err ? err->code : USERS_ERROR;
    }
    db->idle[db->n_idle++] = conn;
    db->n_open = 1;
    *out = db;
    return ok(err);
}

/* Takes an idle connection, opens a new one, or waits for one to be freed. */
static void *conn_acquire(users_db_t *db, users_error_t *err)
{
    pthread_mutex_lock(&db->lock);
    while (db->n_idle == 0 && db->n_open >= db->max_conns)
        pthread_cond_wait(&db->freed, &db->lock);
    if (db->n_idle > 0) {
        void *conn = db->idle[--db->n_idle];
        pthread_mutex_unlock(&db->lock);
        return conn;
    }
    db->n_open++; /* reserve the slot, then connect without holding the lock */
    pthread_mutex_unlock(&db->lock);
    void *conn = db->driver->connect(db->target, err);
    if (!conn) {
        pthread_mutex_lock(&db->lock);
        db->n_open--;
        pthread_cond_signal(&db->freed);
        pthread_mutex_unlock(&db->lock);
    }
    return conn;
}

/* Returns a connection to the pool, or closes it when the driver says it is broken. */
static void conn_release(users_db_t *db, void *conn)
{
    bool keep = db->driver->healthy(conn);
    if (!keep) db->driver->disconnect(conn);
    pthread_mutex_lock(&db->lock);
    assert(db->n_idle < db->n_open && db->n_open <= db->max_conns);
    if (keep)
        db->idle[db->n_idle++] = conn;
    else
        db->n_open--;
    pthread_cond_signal(&db->freed);
    pthread_mutex_unlock(&db->lock);
}

/* ---- opening ----------------------------------------------------------- */

users_status_t users_open_sqlite(const char *path, users_db_t **out, users_error_t *err)
{
    /* An in-memory database lives as long as its one connection: never open a second. */
    return db_new(&users_sqlite_driver, path, path ? USERS_POOL_MAX : 1, out, err);
}

users_status_t users_open_postgres(const char *conninfo, users_db_t **out, users_error_t *err)
{
    if (!conninfo || !*conninfo) {
        *out = NULL;
        return users_fail(err, USERS_INVALID, "empty PostgreSQL connection string");
    }
    return db_new(&users_pg_driver, conninfo, USERS_POOL_MAX, out, err);
}

users_status_t users_open(const char *data_dir, users_db_t **out, users_error_t *err)
{
    const char *url = getenv("CONNECTION_URL");
    if (url && *url) return users_open_postgres(url, out, err);
    if (!data_dir) return users_open_sqlite(NULL, out, err);
    /* Owner-only folder and file; SQLite gives -wal and -shm the file's mode. */
    int rc = private_fs_mkdirs(data_dir);
    if (rc) {
        *out = NULL;
        return users_fail(err, USERS_ERROR, "cannot create data folder %s: %s", data_dir,
                          strerror(rc));
    }
    char *path = xasprintf("%s/%s", data_dir, USERS_SQLITE_FILE);
    if ((rc = private_fs_create_file(path)) != 0) {
        users_status_t st =
            users_fail(err, USERS_ERROR, "cannot create %s: %s", path, strerror(rc));
        free(path);
        *out = NULL;
        return st;
    }
    users_status_t st = users_open_sqlite(path, out, err);
    free(path);
    return st;
}

void users_close(users_db_t *db)
{
    if (!db) return;
    if (db->n_idle != db->n_open)
        log_warn("users_close: %d connection(s) still in use", db->n_open - db->n_idle);
    for (int i = 0; i < db->n_idle; i++)
        db->driver->disconnect(db->idle[i]);
    pthread_mutex_destroy(&db->lock);
    pthread_cond_destroy(&db->freed);
    free(db->target);
    free(db);
}

const char *users_driver_name(const users_db_t *db)
{
    return db->driver->name;
}

/* ---- validation --------------------------------------------------------- */

/* True when s is well-formed UTF-8 with no control characters. */
static bool text_is_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int extra = *p < 0x80             ? 0
                    : (*p & 0xe0) == 0xc0 ? 1
                    : (*p & 0xf0) == 0xe0 ? 2
                    : (*p & 0xf8) == 0xf0 ? 3
                                          : -1;
        if (extra < 0 || (extra == 1 && *p < 0xc2) || (extra == 3 && *p > 0xf4)) return false;
        if (extra == 0 && (*p < 0x20 || *p == 0x7f)) return false;
        for (int i = 1; i <= extra; i++)
            if ((p[i] & 0xc0) != 0x80) return false;
        /* overlong forms, UTF-16 surrogates and code points past U+10FFFF */
        if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
            (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
            return false;
        p += extra + 1;
    }
    return true;
}

/* Checks one text field; NULL or "" is accepted only when optional. */
static users_status_t check_field(const char *name, const char *value, bool required,
                                  users_error_t *err)
{
    if (!value || !*value) {
        if (!required) return USERS_OK;
        return users_fail(err, USERS_INVALID, "%s is required", name);
    }
    if (strlen(value) >= USERS_FIELD_MAX)
        return users_fail(err, USERS_INVALID, "%s is longer than %d bytes", name,
                          USERS_FIELD_MAX - 1);
    if (!text_is_clean(value))
        return users_fail(err, USERS_INVALID, "%s must be UTF-8 text without control characters",
                          name);
    return USERS_OK;
}

/* A lookup key that no stored row can hold is simply not found. */
static bool key_can_exist(enum users_key key, const char *value)
{
    if (!value || !*value || strlen(value) >= USERS_FIELD_MAX || !text_is_clean(value))
        return false;
    return key != USERS_BY_UUID || uuid_is_valid(value);
}

static bool has_space(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s)) return true;
    return false;
}

/* ---- operations ---------------------------------------------------------- */

users_status_t users_schema_load(users_db_t *db, users_error_t *err)
{
    void *conn = conn_acquire(db, err);
    if (!conn) return USERS_ERROR;
    users_status_t st = db->driver->schema_load(conn, err);
    conn_release(db, conn);
    return st == USERS_OK ? ok(err) : st;
}

users_status_t users_schema_drop(users_db_t *db, users_error_t *err)
{
    void *conn = conn_acquire(db, err);
    if (!conn) return USERS_ERROR;
    users_status_t st = db->driver->schema_drop(conn, err);
    conn_release(db, conn);
    return st == USERS_OK ? ok(err) : st;
}

users_status_t users_schema_state(users_db_t *db, bool *exists, long long *rows, users_error_t *err)
{
    *exists = false;
    *rows = 0;
    void *conn = conn_acquire(db, err);
    if (!conn) return USERS_ERROR;
    users_status_t st = db->driver->schema_state(conn, exists, rows, err);
    conn_release(db, conn);
    return st == USERS_OK ? ok(err) : st;
}

void users_where(users_db_t *db, char *out, size_t n)
{
    assert(n > 0);
    users_error_t err = {0};
    void *conn = conn_acquire(db, &err);
    if (!conn) {
        snprintf(out, n, "%s (unreachable: %s)", db->driver->name, err.message);
        return;
    }
    db->driver->where(conn, out, n);
    conn_release(db, conn);
}

static users_status_t find(users_db_t *db, enum users_key key, const char *value,
                           users_user_t **out, users_error_t *err)
{
    *out = NULL;
    if (!key_can_exist(key, value)) return users_fail(err, USERS_NOT_FOUND, "no such user");
    char lower[UUID_STR_LEN];
    if (key == USERS_BY_UUID) {
        for (int i = 0; i < UUID_STR_LEN; i++)
            lower[i] = (char)tolower((unsigned char)value[i]);
        value = lower;
    }
    void *conn = conn_acquire(db, err);
    if (!conn) return USERS_ERROR;
    users_status_t st = db->driver->find(conn, key, value, out, err);
    conn_release(db, conn);
    if (st == USERS_NOT_FOUND) return users_fail(err, USERS_NOT_FOUND, "no such user");
    return st == USERS_OK ? ok(err) : st;
}

users_status_t users_find_by_handle(users_db_t *db, const char *handle, users_user_t **out,
                                    users_error_t *err)
{
    return find(db, USERS_BY_HANDLE, handle, out, err);
}

users_status_t users_find_by_cognito_user_id(users_db_t *db, const char *sub, users_user_t **out,
                                             users_error_t *err)
{
    return find(db, USERS_BY_COGNITO, sub, out, err);
}

users_status_t users_find_by_uuid(users_db_t *db, const char *uuid, users_user_t **out,
                                  users_error_t *err)
{
    return find(db, USERS_BY_UUID, uuid, out, err);
}

users_status_t users_list_all(users_db_t *db, users_list_t *out, users_error_t *err)
{
    out->items = NULL;
    out->count = 0;
    void *conn = conn_acquire(db, err);
    if (!conn) return USERS_ERROR;
    users_status_t st = db->driver->list(conn, out, err);
    conn_release(db, conn);
    if (st != USERS_OK) {
        users_list_free(out);
        return st;
    }
    return ok(err);
}

/* Validates a new user and builds the row to store (uuid and created_at filled in). */
static users_status_t new_row(const users_new_t *in, users_user_t **row, users_error_t *err)
{
    *row = NULL;
    users_status_t st;
    if ((st = check_field("display_name", in->display_name, true, err)) != USERS_OK ||
        (st = check_field("handle", in->handle, true, err)) != USERS_OK ||
        (st = check_field("email", in->email, false, err)) != USERS_OK ||
        (st = check_field("cognito_user_id", in->cognito_user_id, false, err)) != USERS_OK)
        return st;
    if (has_space(in->handle))
        return users_fail(err, USERS_INVALID, "handle must not contain whitespace");
    if (in->uuid && !uuid_is_valid(in->uuid))
        return users_fail(err, USERS_INVALID, "uuid is not a valid UUID");
    char uuid[UUID_STR_LEN], now[CLOCK_ISO_LEN];
    if (in->uuid)
        snprintf(uuid, sizeof uuid, "%s", in->uuid);
    else
        uuid_v4(uuid);
    clock_format_iso(clock_now_us(), now);
    *row = users_user_make(
        uuid, in->display_name, in->handle, in->email && *in->email ? in->email : NULL,
        in->cognito_user_id && *in->cognito_user_id ? in->cognito_user_id : NULL, now);
    return USERS_OK;
}

users_status_t users_create(users_db_t *db, const users_new_t *in, users_user_t **out,
                            users_error_t *err)
{
    if (out) *out = NULL;
    users_user_t *row;
    users_status_t st = new_row(in, &row, err);
    if (st != USERS_OK) return st;
    void *conn = conn_acquire(db, err);
    if (!conn) {
        users_user_free(row);
        return USERS_ERROR;
    }
    bool inserted = false;
    st = db->driver->insert(conn, row, false, &inserted, err);
    conn_release(db, conn);
    if (st != USERS_OK) {
        users_user_free(row);
        return st;
    }
    if (out)
        *out = row;
    else
        users_user_free(row);
    return ok(err);
}

users_status_t users_seed(users_db_t *db, int *inserted, users_error_t *err)
{
    if (inserted) *inserted = 0;
    size_t n;
    const users_new_t *demo = users_demo(&n);
    void *conn = conn_acquire(db, err);
    if (!conn) return USERS_ERROR;
    /* All or nothing: a crash between two inserts must not leave a partial
       set, since setup seeds only an empty directory and would never finish it. */
    users_status_t st = db->driver->command(conn, "BEGIN", err);
    for (size_t i = 0; i < n && st == USERS_OK; i++) {
        users_user_t *row;
        st = new_row(&demo[i], &row, err);
        if (st != USERS_OK) break;
        bool added = false;
        st = db->driver->insert(conn, row, true, &added, err);
        if (st == USERS_OK && added && inserted) (*inserted)++;
        users_user_free(row);
    }
    if (st == USERS_OK)
        st = db->driver->command(conn, "COMMIT", err);
    else
        db->driver->command(conn, "ROLLBACK", NULL);
    if (st != USERS_OK && inserted) *inserted = 0;
    conn_release(db, conn);
    return st == USERS_OK ? ok(err) : st;
}

users_status_t users_set_cognito_user_id(users_db_t *db, const char *handle, const char *sub,
                                         users_error_t *err)
{
    if (!key_can_exist(USERS_BY_HANDLE, handle))
        return users_fail(err, USERS_NOT_FOUND, "no user with that handle");
    if (sub && !*sub) sub = NULL;
    users_status_t st = check_field("cognito_user_id", sub, false, err);
    if (st != USERS_OK) return st;
    void *conn = conn_acquire(db, err);
    if (!conn) return USERS_ERROR;
    st = db->driver->set_cognito(conn, handle, sub, err);
    conn_release(db, conn);
    if (st == USERS_NOT_FOUND) return users_fail(err, USERS_NOT_FOUND, "no user with that handle");
    return st == USERS_OK ? ok(err) : st;
}
