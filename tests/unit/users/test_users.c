/*
 * Unit tests for src/users, the users directory. The same program tests
 * both drivers: by default the embedded SQLite one (a fresh data folder per
 * test); with CRUDDUR_TEST_CONNECTION_URL set, the PostgreSQL one through
 * CONNECTION_URL (the table is dropped and re-created before each test),
 * which is how tests/users/run_postgres.sh runs it against a real server. A
 * CONNECTION_URL the developer happens to have set is ignored: these tests
 * drop tables. With CRUDDUR_PG_RESTART, CRUDDUR_PG_HALT
 * and CRUDDUR_PG_RESUME also set (shell commands that restart, stop and
 * start that server), the reconnect and server-down tests run too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "users/users.h"

typedef struct fixture {
    char *dir;
    users_db_t *db;
} fixture_t;

static bool on_postgres(void)
{
    const char *url = getenv("CONNECTION_URL");
    return url && *url;
}

/* A fresh, empty, schema-loaded directory for every test. */
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->dir = tu_tmpdir();
    users_error_t err;
    if (users_open(f->dir, &f->db, &err) != USERS_OK) fail_msg("users_open: %s", err.message);
    assert_int_equal(users_schema_drop(f->db, &err), USERS_OK);
    assert_int_equal(users_schema_load(f->db, &err), USERS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    users_close(f->db);
    tu_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Creates a user and fails the test unless that works; returns the stored user. */
static users_user_t *must_create(users_db_t *db, const char *name, const char *handle,
                                 const char *sub)
{
    users_new_t in = {
        .display_name = name, .handle = handle, .email = "x@example.com", .cognito_user_id = sub};
    users_user_t *u = NULL;
    users_error_t err;
    users_status_t st = users_create(db, &in, &u, &err);
    if (st != USERS_OK) fail_msg("users_create(%s): %s", handle, err.message);
    return u;
}

static size_t count_users(users_db_t *db)
{
    users_list_t l;
    assert_int_equal(users_list_all(db, &l, NULL), USERS_OK);
    size_t n = l.count;
    users_list_free(&l);
    return n;
}

static void test_schema_load_is_idempotent(void **state)
{
    fixture_t *f = *state;
    users_user_free(must_create(f->db, "Keep Me", "keepme", NULL));
    for (int i = 0; i < 3; i++)
        assert_int_equal(users_schema_load(f->db, NULL), USERS_OK);
    assert_int_equal(count_users(f->db), 1);
}

static void test_seed_is_idempotent(void **state)
{
    fixture_t *f = *state;
    int inserted = -1;
    assert_int_equal(users_seed(f->db, &inserted, NULL), USERS_OK);
    assert_int_equal(inserted, 3);
    assert_int_equal(users_seed(f->db, &inserted, NULL), USERS_OK);
    assert_int_equal(inserted, 0);

    static const struct {
        const char *handle, *name, *email;
    } want[] = {
        {"andrewbrown", "Andrew Brown", "andrew@exampro.co"},
        {"bayko", "Andrew Bayko", "bayko@exampro.co"},
        {"londo", "Londo Mollari", "lmollari@centari.com"},
    };
    assert_int_equal(count_users(f->db), 3);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        users_user_t *u = NULL;
        assert_int_equal(users_find_by_handle(f->db, want[i].handle, &u, NULL), USERS_OK);
        assert_string_equal(u->display_name, want[i].name);
        assert_string_equal(u->email, want[i].email);
        assert_null(u->cognito_user_id); /* unlinked until the identity is known */
        assert_true(uuid_is_valid(u->uuid));
        int64_t us;
        assert_true(clock_parse_iso(u->created_at, &us));
        users_user_free(u);
    }

    /* A linked demo user stays linked when seed runs again. */
    assert_int_equal(users_set_cognito_user_id(f->db, "bayko", "sub-bayko", NULL), USERS_OK);
    assert_int_equal(users_seed(f->db, &inserted, NULL), USERS_OK);
    users_user_t *u = NULL;
    assert_int_equal(users_find_by_handle(f->db, "bayko", &u, NULL), USERS_OK);
    assert_string_equal(u->cognito_user_id, "sub-bayko");
    users_user_free(u);
}

/* A seed that fails part-way leaves nothing behind: setup seeds only an empty
   directory, so a partial set of demo users would never be completed. */
static void test_seed_is_all_or_nothing(void **state)
{
    fixture_t *f = *state;
    if (on_postgres()) skip();
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, USERS_SQLITE_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TRIGGER refuse_londo BEFORE INSERT ON users "
                     "WHEN NEW.handle = 'londo' BEGIN SELECT RAISE(ABORT, 'refused'); END",
                     NULL, NULL, NULL),
        SQLITE_OK);
    int inserted = -1;
    users_error_t err;
    assert_int_not_equal(users_seed(f->db, &inserted, &err), USERS_OK);
    assert_int_equal(inserted, 0);
    assert_int_equal(count_users(f->db), 0);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER refuse_londo", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(users_seed(f->db, &inserted, NULL), USERS_OK);
    assert_int_equal(inserted, 3);
}

static void test_unique_constraints(void **state)
{
    fixture_t *f = *state;
    users_user_t *first = must_create(f->db, "Alice", "alice", "sub-alice");
    struct {
        users_new_t in;
        const char *column;
    } cases[] = {
        {{"Other Alice", "alice", NULL, NULL, NULL}, "handle"},
        {{"Bob", "bob", NULL, "sub-alice", NULL}, "cognito_user_id"},
        {{"Carol", "carol", NULL, NULL, first->uuid}, "uuid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        users_error_t err;
        users_user_t *u = (users_user_t *)1;
        assert_int_equal(users_create(f->db, &cases[i].in, &u, &err), USERS_CONFLICT);
        assert_int_equal(err.code, USERS_CONFLICT);
        assert_null(u);
        if (!strstr(err.message, cases[i].column))
            fail_msg("case %zu: '%s' does not name %s", i, err.message, cases[i].column);
    }
    /* Unlinked users (NULL cognito_user_id) are not duplicates of each other. */
    users_user_free(must_create(f->db, "Dan", "dan", NULL));
    users_user_free(must_create(f->db, "Eve", "eve", NULL));
    assert_int_equal(count_users(f->db), 3);
    users_user_free(first);
}

static void test_create_validates_input(void **state)
{
    fixture_t *f = *state;
    char longer[USERS_FIELD_MAX + 10];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    const users_new_t bad[] = {
        {NULL, "h1", NULL, NULL, NULL},           {"", "h2", NULL, NULL, NULL},
        {"Name", NULL, NULL, NULL, NULL},         {"Name", "", NULL, NULL, NULL},
        {"Name", "two words", NULL, NULL, NULL},  {"Name", longer, NULL, NULL, NULL},
        {"Bad\x01Name", "h3", NULL, NULL, NULL},  {"Bad \xc3\x28 UTF-8", "h4", NULL, NULL, NULL},
        {"Name", "h5", NULL, NULL, "not-a-uuid"}, {"Name", "h6", longer, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        users_error_t err = {0};
        if (users_create(f->db, &bad[i], NULL, &err) != USERS_INVALID)
            fail_msg("case %zu was accepted or failed otherwise (%s)", i, err.message);
        assert_true(strlen(err.message) > 0);
    }
    assert_int_equal(count_users(f->db), 0);
}

static void test_lookups_return_what_was_stored(void **state)
{
    fixture_t *f = *state;
    users_new_t in = {.display_name = "Londo Mollari \xe2\x98\x83",
                      .handle = "londo2",
                      .email = "l@centari.com",
                      .uuid = "5AE290ED-55D1-47A0-BC6D-FE2BC2700399"};
    users_user_t *made = NULL;
    assert_int_equal(users_create(f->db, &in, &made, NULL), USERS_OK);
    assert_string_equal(made->uuid, "5ae290ed-55d1-47a0-bc6d-fe2bc2700399");
    assert_int_equal(users_set_cognito_user_id(f->db, "londo2", "sub-123", NULL), USERS_OK);

    users_user_t *got[3] = {NULL};
    assert_int_equal(users_find_by_handle(f->db, "londo2", &got[0], NULL), USERS_OK);
    assert_int_equal(
        users_find_by_uuid(f->db, "5ae290ed-55d1-47a0-bc6d-FE2BC2700399", &got[1], NULL), USERS_OK);
    assert_int_equal(users_find_by_cognito_user_id(f->db, "sub-123", &got[2], NULL), USERS_OK);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(got[i]->uuid, made->uuid);
        assert_string_equal(got[i]->display_name, in.display_name);
        assert_string_equal(got[i]->handle, "londo2");
        assert_string_equal(got[i]->email, "l@centari.com");
        assert_string_equal(got[i]->cognito_user_id, "sub-123");
        assert_string_equal(got[i]->created_at, made->created_at);
        users_user_free(got[i]);
    }
    users_user_free(made);

    /* list_all: oldest first. */
    users_user_free(must_create(f->db, "Later", "later", NULL));
    users_list_t l;
    assert_int_equal(users_list_all(f->db, &l, NULL), USERS_OK);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.items[0].handle, "londo2");
    assert_string_equal(l.items[1].handle, "later");
    assert_null(l.items[1].cognito_user_id);
    users_list_free(&l);
}

static void test_not_found_is_not_an_error(void **state)
{
    fixture_t *f = *state;
    users_user_free(must_create(f->db, "Someone", "someone", "sub-someone"));
    static const struct {
        int by; /* 0 handle, 1 cognito, 2 uuid */
        const char *key;
    } cases[] = {
        {0, "nobody"},
        {0, ""},
        {0, NULL},
        {0, "Someone"},
        {1, "sub-none"},
        {1, ""},
        {1, NULL},
        {1, "MOCK"},
        {2, NULL},
        {2, "garbage"},
        {2, "00000000-0000-4000-8000-000000000000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        users_user_t *u = (users_user_t *)1;
        users_error_t err = {0};
        users_status_t st = cases[i].by == 0 ? users_find_by_handle(f->db, cases[i].key, &u, &err)
                            : cases[i].by == 1
                                ? users_find_by_cognito_user_id(f->db, cases[i].key, &u, &err)
                                : users_find_by_uuid(f->db, cases[i].key, &u, &err);
        if (st != USERS_NOT_FOUND) fail_msg("case %zu: %s", i, users_status_name(st));
        assert_int_equal(err.code, USERS_NOT_FOUND);
        assert_null(u);
    }
    assert_int_equal(users_set_cognito_user_id(f->db, "nobody", "sub-x", NULL), USERS_NOT_FOUND);
}

static void test_missing_table_is_an_error(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(users_schema_drop(f->db, NULL), USERS_OK);
    users_user_t *u = NULL;
    users_error_t err;
    assert_int_equal(users_find_by_handle(f->db, "andrewbrown", &u, &err), USERS_ERROR);
    assert_int_equal(err.code, USERS_ERROR);
    assert_null(u);
    assert_int_equal(users_seed(f->db, NULL, NULL), USERS_ERROR);
    users_list_t l;
    assert_int_equal(users_list_all(f->db, &l, NULL), USERS_ERROR);
    assert_int_equal(l.count, 0);
}

/* Setup decides from the store: is the table there, how many users does it hold. */
static void test_schema_state(void **state)
{
    fixture_t *f = *state;
    bool exists = false;
    long long rows = -1;
    assert_int_equal(users_schema_state(f->db, &exists, &rows, NULL), USERS_OK);
    assert_true(exists);
    assert_int_equal(rows, 0);
    users_user_free(must_create(f->db, "Keep Me", "keepme", NULL));
    assert_int_equal(users_schema_state(f->db, &exists, &rows, NULL), USERS_OK);
    assert_true(exists);
    assert_int_equal(rows, 1);
    assert_int_equal(users_schema_drop(f->db, NULL), USERS_OK);
    assert_int_equal(users_schema_state(f->db, &exists, &rows, NULL), USERS_OK);
    assert_false(exists);
    assert_int_equal(rows, 0);
}

/* users_where names the store and never a password. */
static void test_where(void **state)
{
    fixture_t *f = *state;
    char where[512];
    users_where(f->db, where, sizeof where);
    if (!on_postgres()) {
        char expected[600];
        snprintf(expected, sizeof expected, "SQLite file %s/users.sqlite", f->dir);
        assert_string_equal(where, expected);
        return;
    }
    /* postgresql://USER:PASSWORD@HOST:PORT/DB, as tests/lib/pg.sh writes it */
    const char *url = getenv("CONNECTION_URL");
    const char *user = strstr(url, "://") + 3, *at = strchr(user, '@');
    const char *colon = strchr(user, ':');
    assert_non_null(at);
    assert_true(colon && colon < at);
    char password[256], expected[600];
    snprintf(password, sizeof password, "%.*s", (int)(at - colon - 1), colon + 1);
    assert_null(strstr(where, password));
    const char *db = strchr(at, '/') + 1;
    snprintf(expected, sizeof expected, "PostgreSQL database %s on %.*s as %.*s", db,
             (int)(db - 1 - at - 1), at + 1, (int)(colon - user), user);
    assert_string_equal(where, expected);
}

static void test_set_cognito_user_id(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(users_seed(f->db, NULL, NULL), USERS_OK);
    users_error_t err;
    assert_int_equal(users_set_cognito_user_id(f->db, "andrewbrown", "dev-sub-1", &err), USERS_OK);
    /* Setting the value it already has is fine; taking another user's is not. */
    assert_int_equal(users_set_cognito_user_id(f->db, "andrewbrown", "dev-sub-1", &err), USERS_OK);
    assert_int_equal(users_set_cognito_user_id(f->db, "bayko", "dev-sub-1", &err), USERS_CONFLICT);
    assert_non_null(strstr(err.message, "cognito_user_id"));
    assert_int_equal(users_set_cognito_user_id(f->db, "bayko", "bad\nsub", &err), USERS_INVALID);

    users_user_t *u = NULL;
    assert_int_equal(users_find_by_cognito_user_id(f->db, "dev-sub-1", &u, NULL), USERS_OK);
    assert_string_equal(u->handle, "andrewbrown");
    users_user_free(u);

    /* Unlinking frees the sub for someone else. */
    assert_int_equal(users_set_cognito_user_id(f->db, "andrewbrown", NULL, &err), USERS_OK);
    assert_int_equal(users_find_by_cognito_user_id(f->db, "dev-sub-1", &u, NULL), USERS_NOT_FOUND);
    assert_int_equal(users_set_cognito_user_id(f->db, "bayko", "dev-sub-1", &err), USERS_OK);
}

static void test_data_survives_reopen(void **state)
{
    fixture_t *f = *state;
    users_user_t *made = must_create(f->db, "Persist", "persist", "sub-p");
    users_close(f->db);
    assert_int_equal(users_open(f->dir, &f->db, NULL), USERS_OK);
    users_user_t *u = NULL;
    assert_int_equal(users_find_by_uuid(f->db, made->uuid, &u, NULL), USERS_OK);
    assert_string_equal(u->created_at, made->created_at);
    users_user_free(u);
    users_user_free(made);
}

/* The embedded store is the file the header promises, in WAL mode. */
static void test_embedded_file_is_wal(void **state)
{
    fixture_t *f = *state;
    if (on_postgres()) skip();
    assert_string_equal(users_driver_name(f->db), "sqlite");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, USERS_SQLITE_FILE);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(db);

    /* users_open creates a missing data folder. */
    char sub[512];
    snprintf(sub, sizeof sub, "%s/fresh", f->dir);
    users_db_t *db2 = NULL;
    assert_int_equal(users_open(sub, &db2, NULL), USERS_OK);
    struct stat st;
    assert_int_equal(stat(sub, &st), 0);
    users_close(db2);
}

static void test_open_failures(void **state)
{
    fixture_t *f = *state;
    users_db_t *db = (users_db_t *)1;
    users_error_t err;
    /* A data "folder" that is a file. */
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, "plain-file");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    if (!on_postgres()) {
        assert_int_equal(users_open(path, &db, &err), USERS_ERROR);
        assert_null(db);
    }
    db = (users_db_t *)1;
    assert_int_equal(users_open_sqlite("/nonexistent-dir/x/users.sqlite", &db, &err), USERS_ERROR);
    assert_null(db);
    assert_non_null(strstr(err.message, "cannot open"));
    /* Nothing listens on port 1. */
    db = (users_db_t *)1;
    assert_int_equal(
        users_open_postgres("postgresql://127.0.0.1:1/none?connect_timeout=2", &db, &err),
        USERS_ERROR);
    assert_null(db);
    assert_non_null(strstr(err.message, "cannot connect"));
    assert_int_equal(users_open_postgres("", &db, &err), USERS_INVALID);
}

/* ---- concurrency --------------------------------------------------------- */

#define THREADS 8
#define PER_THREAD 25

typedef struct worker {
    users_db_t *db;
    int id;
    int failures;
    int contested_wins;
} worker_t;

/* Creates its own users, looks them up, and races the others for one handle. */
static void *worker_main(void *arg)
{
    worker_t *w = arg;
    users_status_t st;
    users_new_t contested = {.display_name = "Winner", .handle = "contested"};
    st = users_create(w->db, &contested, NULL, NULL);
    if (st == USERS_OK)
        w->contested_wins++;
    else if (st != USERS_CONFLICT)
        w->failures++;
    for (int i = 0; i < PER_THREAD; i++) {
        char handle[32], sub[32];
        snprintf(handle, sizeof handle, "t%d-u%d", w->id, i);
        snprintf(sub, sizeof sub, "sub-%d-%d", w->id, i);
        users_new_t in = {.display_name = handle, .handle = handle, .cognito_user_id = sub};
        users_user_t *made = NULL, *got = NULL;
        if (users_create(w->db, &in, &made, NULL) != USERS_OK) {
            w->failures++;
            continue;
        }
        if (users_find_by_cognito_user_id(w->db, sub, &got, NULL) != USERS_OK ||
            strcmp(got->uuid, made->uuid) != 0)
            w->failures++;
        users_user_free(got);
        got = NULL;
        if (users_find_by_handle(w->db, "andrewbrown", &got, NULL) != USERS_OK) w->failures++;
        users_user_free(got);
        users_user_free(made);
    }
    return NULL;
}

static void test_concurrent_use(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(users_seed(f->db, NULL, NULL), USERS_OK);
    pthread_t t[THREADS];
    worker_t w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker_t){.db = f->db, .id = i};
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    int wins = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
        wins += w[i].contested_wins;
    }
    assert_int_equal(wins, 1);
    assert_int_equal(count_users(f->db), 3 + 1 + THREADS * PER_THREAD);
}

/* ---- PostgreSQL reconnect ------------------------------------------------- */

static void *lookup_main(void *arg)
{
    users_user_t *u = NULL;
    users_status_t st = users_find_by_handle(arg, "londo", &u, NULL);
    users_user_free(u);
    return (void *)(intptr_t)st;
}

/* Runs n lookups at once so the pool holds n connections; returns how many failed. */
static int parallel_lookups(users_db_t *db, int n)
{
    pthread_t t[THREADS];
    int failed = 0;
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_create(&t[i], NULL, lookup_main, db), 0);
    for (int i = 0; i < n; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        if ((intptr_t)rv != USERS_OK) failed++;
    }
    return failed;
}

/* `serve --in-memory`: a private database that lives as long as the handle. */
static void test_in_memory(void **state)
{
    users_db_t *db = NULL;
    assert_int_equal(users_open_sqlite(NULL, &db, NULL), USERS_OK);
    assert_int_equal(users_schema_load(db, NULL), USERS_OK);
    int n = 0;
    assert_int_equal(users_seed(db, &n, NULL), USERS_OK);
    assert_int_equal(n, 3);
    /* One connection only: concurrent callers take turns instead of failing. */
    assert_int_equal(parallel_lookups(db, THREADS), 0);
    users_close(db);
}

/* Runs the pg.sh command named by the environment variable var; false when unset. */
static bool pg_command(const char *var)
{
    const char *cmd = getenv(var);
    if (!on_postgres() || !cmd || !*cmd) return false;
    if (system(cmd) != 0) fail_msg("%s failed: %s", var, cmd);
    return true;
}

/*
 * The server restarts between two calls: every pooled connection is dead,
 * and each caller must still get its answer (reset + retry inside users).
 */
static void test_reconnect_after_server_restart(void **state)
{
    fixture_t *f = *state;
    const char *restart = getenv("CRUDDUR_PG_RESTART");
    if (!on_postgres() || !restart || !*restart) skip();
    assert_int_equal(users_seed(f->db, NULL, NULL), USERS_OK);
    assert_int_equal(parallel_lookups(f->db, THREADS), 0);

    for (int round = 0; round < 2; round++) {
        pg_command("CRUDDUR_PG_RESTART");
        users_user_t *u = NULL;
        users_error_t err;
        if (users_find_by_handle(f->db, "bayko", &u, &err) != USERS_OK)
            fail_msg("after restart: %s", err.message);
        users_user_free(u);
        assert_int_equal(parallel_lookups(f->db, THREADS), 0);
        users_user_free(must_create(f->db, "After", round ? "after1" : "after0", NULL));
    }
    assert_int_equal(count_users(f->db), 5);
}

/*
 * While the server is down a lookup is an error, never "not found", and the
 * directory recovers by itself once the server is back.
 */
static void test_server_down_is_an_error(void **state)
{
    fixture_t *f = *state;
    if (!getenv("CRUDDUR_PG_RESUME") || !on_postgres()) skip();
    assert_int_equal(users_seed(f->db, NULL, NULL), USERS_OK);
    assert_int_equal(parallel_lookups(f->db, 4), 0);
    if (!pg_command("CRUDDUR_PG_HALT")) skip();
    users_user_t *u = NULL;
    users_error_t err;
    assert_int_equal(users_find_by_handle(f->db, "londo", &u, &err), USERS_ERROR);
    assert_null(u);
    assert_int_equal(err.code, USERS_ERROR);
    assert_int_equal(parallel_lookups(f->db, 4), 4);
    pg_command("CRUDDUR_PG_RESUME");
    assert_int_equal(users_find_by_handle(f->db, "londo", &u, &err), USERS_OK);
    users_user_free(u);
    assert_int_equal(parallel_lookups(f->db, THREADS), 0);
}

int main(void)
{
    const char *test_url = getenv("CRUDDUR_TEST_CONNECTION_URL");
    if (test_url && *test_url)
        setenv("CONNECTION_URL", test_url, 1);
    else
        unsetenv("CONNECTION_URL");
    fprintf(stderr, "users driver under test: %s\n", on_postgres() ? "postgres" : "sqlite");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_load_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique_constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_validates_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookups_return_what_was_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_is_not_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_table_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_where, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_cognito_user_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_survives_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_embedded_file_is_wal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_failures, setup, teardown),
        cmocka_unit_test(test_in_memory),
        cmocka_unit_test_setup_teardown(test_concurrent_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect_after_server_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_down_is_an_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
