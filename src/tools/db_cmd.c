/*
 * db_cmd: `cruddur db`, the users directory's operator commands (spec
 * sections 3 and 6): create the table, insert the demo users, start over
 * (only `reset`, only once confirmed), and link users to their Cognito
 * identities. The directory is SQLite in the data folder or PostgreSQL
 * when CONNECTION_URL is set, as for `cruddur serve`.
 */
#include "tools/tools.h"
#include "tools/tools_int.h"

#include <stdio.h>
#include <string.h>

/*
 * Creates the users table unless the store has it; never drops or empties
 * it. *rows receives how many users it holds. Says which it was and where.
 */
static bool ensure_schema(const tools_opts *o, users_db_t *db, long long *rows)
{
    users_error_t err = {0};
    char where[512];
    bool exists;
    users_where(db, where, sizeof where);
    if (users_schema_state(db, &exists, rows, &err) != USERS_OK) {
        tools_fail(o, "cannot read the users directory (%s): %s", where, err.message);
        return false;
    }
    if (exists) {
        printf("users table: already in the %s (%lld users, kept)\n", where, *rows);
        return true;
    }
    if (users_schema_load(db, &err) != USERS_OK) {
        tools_fail(o, "cannot create the users table in the %s: %s", where, err.message);
        return false;
    }
    printf("users table: created in the %s\n", where);
    return true;
}

static bool seed(const tools_opts *o, users_db_t *db)
{
    users_error_t err = {0};
    int inserted = 0;
    size_t count;
    users_demo(&count);
    if (users_seed(db, &inserted, &err) != USERS_OK) {
        tools_fail(o,
                   "cannot insert the demo users (`cruddur db setup` creates the users table if "
                   "it is missing): %s",
                   err.message);
        return false;
    }
    printf("demo users: %d inserted, %zu already present\n", inserted, count - (size_t)inserted);
    return true;
}

static int cmd_schema_load(const tools_opts *o)
{
    users_db_t *db = tools_users_open(o);
    if (!db) return 1;
    long long rows;
    bool ok = ensure_schema(o, db, &rows);
    users_close(db);
    return ok ? 0 : 1;
}

static int cmd_seed(const tools_opts *o)
{
    users_db_t *db = tools_users_open(o);
    if (!db) return 1;
    bool ok = seed(o, db);
    users_close(db);
    return ok ? 0 : 1;
}

/*
 * What is missing, from the store itself: the table when it is not there,
 * the demo users when the table is empty. A directory with users in it is
 * left exactly as it is.
 */
static int cmd_setup(const tools_opts *o)
{
    users_db_t *db = tools_users_open(o);
    if (!db) return 1;
    long long rows = 0;
    bool ok = ensure_schema(o, db, &rows);
    if (ok && rows == 0)
        ok = seed(o, db);
    else if (ok)
        printf("demo users: not added, the table has users already (`cruddur db seed` adds the "
               "missing ones)\n");
    users_close(db);
    return ok ? 0 : 1;
}

/* Drop, create, seed: the one command that deletes users, and only once confirmed. */
static int cmd_reset(const tools_opts *o)
{
    users_db_t *db = tools_users_open(o);
    if (!db) return 1;
    users_error_t err = {0};
    char where[512], what[128];
    bool exists;
    long long rows = 0;
    users_where(db, where, sizeof where);
    bool ok = users_schema_state(db, &exists, &rows, &err) == USERS_OK;
    if (!ok) tools_fail(o, "cannot read the users directory (%s): %s", where, err.message);
    snprintf(what, sizeof what, "the users table and its %lld users (Cognito links included)",
             rows);
    ok = ok && (!exists || tools_confirm(o, what, where)); /* nothing to lose, no question */
    if (ok && exists) {
        printf("deleting the users table (%lld users) from the %s\n", rows, where);
        fflush(stdout);
        ok = users_schema_drop(db, &err) == USERS_OK;
        if (!ok) tools_fail(o, "cannot drop the users table: %s", err.message);
    }
    ok = ok && ensure_schema(o, db, &rows) && seed(o, db);
    users_close(db);
    return ok ? 0 : 1;
}

/*
 * The Cognito user whose preferred_username is `handle`: NULL when none;
 * *ambiguous is set when several claim it (nothing is linked then).
 */
static const json_t *cognito_user_for(const json_t *cognito, const char *handle, bool *ambiguous)
{
    const json_t *found = NULL;
    size_t i;
    json_t *u;
    *ambiguous = false;
    json_array_foreach(cognito, i, u)
    {
        const char *pref = json_string_value(json_object_get(u, "preferred_username"));
        if (!pref || strcmp(pref, handle)) continue;
        if (found) *ambiguous = true;
        found = u;
    }
    return found;
}

/*
 * Links each directory user to the Cognito user whose preferred_username is
 * its handle. Returns false when any link failed.
 */
static bool link_users(const tools_opts *o, users_db_t *db, const json_t *cognito)
{
    users_list_t list;
    users_error_t err = {0};
    if (users_list_all(db, &list, &err) != USERS_OK) {
        tools_fail(o,
                   "cannot list the users (`cruddur db setup` creates the table if it is "
                   "missing): %s",
                   err.message);
        return false;
    }
    size_t updated = 0, same = 0, absent = 0, failed = 0;
    for (size_t i = 0; i < list.count; i++) {
        const users_user_t *u = &list.items[i];
        bool ambiguous;
        const json_t *c = cognito_user_for(cognito, u->handle, &ambiguous);
        const char *sub = json_string_value(json_object_get(c, "sub"));
        if (ambiguous) {
            fprintf(stderr, "%s: several Cognito users have preferred_username %s; not linked\n",
                    o->prog, u->handle);
            failed++;
        } else if (!c || !sub || !*sub) {
            printf("not in Cognito: %s (left unchanged)\n", u->handle);
            absent++;
        } else if (u->cognito_user_id && !strcmp(u->cognito_user_id, sub)) {
            same++;
        } else if (users_set_cognito_user_id(db, u->handle, sub, &err) != USERS_OK) {
            fprintf(stderr, "%s: cannot link %s to %s: %s\n", o->prog, u->handle, sub, err.message);
            failed++;
        } else {
            printf("updated %s: cognito_user_id = %s\n", u->handle, sub);
            updated++;
        }
    }
    printf("%zu users: %zu updated, %zu already linked, %zu not in Cognito, %zu failed\n",
           list.count, updated, same, absent, failed);
    users_list_free(&list);
    return failed == 0;
}

static int cmd_update_cognito_user_ids(const tools_opts *o)
{
    tools_cognito c;
    char why[512];
    if (!tools_cognito_from_env(&c, why, sizeof why)) return tools_fail(o, "%s", why);
    users_db_t *db = tools_users_open(o);
    if (!db) {
        tools_cognito_free(&c);
        return 1;
    }
    json_t *cognito = tools_cognito_list_users(&c, o->limit, why, sizeof why);
    tools_cognito_free(&c);
    bool ok = cognito && link_users(o, db, cognito);
    if (!cognito) tools_fail(o, "%s", why);
    json_decref(cognito);
    users_close(db);
    return ok ? 0 : 1;
}

static const tools_cmd db_cmds[] = {
    {"schema-load", "", "create the users table if it does not exist (deletes nothing)", NULL, 0, 0,
     0, cmd_schema_load, NULL},
    {"seed", "", "insert the demo users (andrewbrown, bayko, londo) that are missing", NULL, 0, 0,
     0, cmd_seed, NULL},
    {"setup", "", "create the users table if missing; add the demo users if it is empty",
     "Decides from the store itself: a missing users table is created, an empty one\n"
     "gets the demo users, and a table that holds users is left exactly as it is.\n"
     "Never deletes anything (`cruddur db reset` starts over).\n",
     0, 0, 0, cmd_setup, NULL},
    {"reset", "[--yes]", "DELETE the users table and every user in it, then set it up again",
     "Says what it deletes and where (the SQLite file, or the PostgreSQL database,\n"
     "host and user of CONNECTION_URL; never the password), then asks for `yes`.\n"
     "When stdin is not a terminal it refuses unless --yes is given. Links to\n"
     "Cognito go too: run `cruddur db update-cognito-user-ids` again afterwards.\n"
     "With no users table there is nothing to delete: it is created without asking.\n",
     TOOLS_OPT_YES, 0, 0, cmd_reset, NULL},
    {"update-cognito-user-ids", "[--limit N]",
     "set cognito_user_id = sub for each user whose handle is a Cognito preferred_username",
     "Reads every user of the Cognito pool (see `cruddur cognito list-users --help`\n"
     "for the environment). Prints one line per user changed and per user not in\n"
     "Cognito (those are left unchanged), then a summary.\n",
     TOOLS_OPT_LIMIT, 0, 0, cmd_update_cognito_user_ids, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL},
};

int tools_db_main(int argc, char **argv)
{
    return tools_dispatch("cruddur db", db_cmds, argc, argv);
}
