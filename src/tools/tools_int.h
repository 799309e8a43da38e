/*
 * tools_int: what the files of src/tools/ share: the command table and
 * option parser every subcommand uses (cli.c), opening the store and the
 * users directory (store.c), the seed (ddb_seed.c) and the Cognito client
 * (cognito.c). Not for use outside src/tools/.
 *
 * Conventions: a command prints its results on stdout and, on failure, one
 * line "cruddur <command>: <reason>" on stderr (tools_fail), returning 1.
 * Usage errors return 2, except a missing required argument, which prints
 * the usage line and returns 1 (what the reference's drop script did).
 */
#ifndef CRUDDUR_TOOLS_TOOLS_INT_H
#define CRUDDUR_TOOLS_TOOLS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "aws/config.h"
#include "ddb/ddb.h"
#include "users/users.h"

/* Options a command accepts besides --help and --data. */
enum {
    TOOLS_OPT_PROD = 1 << 0,  /* the word `prod`: the real AWS service */
    TOOLS_OPT_JSON = 1 << 1,  /* --json */
    TOOLS_OPT_LIMIT = 1 << 2, /* --limit N */
    TOOLS_OPT_YES = 1 << 3,   /* --yes: a destructive command goes on without asking */
};

#define TOOLS_MAX_ARGS 4

/* What the parser found; strings are borrowed from argv or the environment. */
typedef struct tools_opts {
    char prog[96];    /* "cruddur ddb scan", for messages */
    const char *data; /* --data, else $CRUDDUR_DATA, else ./data */
    bool prod;
    bool json;
    bool yes;
    long limit; /* --limit; 0 when not given */
    int nargs;  /* positional arguments other than `prod` */
    const char *args[TOOLS_MAX_ARGS];
} tools_opts;

typedef struct tools_cmd tools_cmd;

/*
 * One subcommand. A group of them is an array ended by an entry whose name
 * is NULL. An entry with `subs` is itself a group (`ddb patterns`).
 */
struct tools_cmd {
    const char *name;    /* "scan" */
    const char *args;    /* usage after the name: "[prod] [--json]" */
    const char *summary; /* one line for the group's list */
    const char *help;    /* more text for --help, or NULL */
    unsigned opts;       /* TOOLS_OPT_* */
    int min_args, max_args;
    int (*run)(const tools_opts *o);
    const tools_cmd *subs;
};

/*
 * Runs the subcommand of `cmds` named by argv[1] (argv[0] is the group's own
 * name, `prefix` its full name, e.g. "cruddur ddb"). Handles --help at
 * every level. Returns the exit code.
 */
int tools_dispatch(const char *prefix, const tools_cmd *cmds, int argc, char **argv);

/* Prints "<o->prog>: <message>" on stderr; returns 1. */
int tools_fail(const tools_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints a JSON value indented by 2 with sorted keys, then a newline. */
void tools_print_json(const json_t *v);

/*
 * The gate of every command that deletes: `what` ("table X and every item
 * in it") and `where` ("embedded store in ./data") are said before anything
 * happens. With --yes it goes on; on a terminal it asks for "yes"; with
 * stdin not a terminal it refuses. False (after one line on stderr saying
 * what was not deleted and why) means: delete nothing.
 */
bool tools_confirm(const tools_opts *o, const char *what, const char *where);

/* Writes progress "label n/total" on stderr when it is a terminal. */
void tools_progress(const char *label, size_t n, size_t total);

/* ---------------------------------------------------------------- store */

/*
 * The store a ddb command works on: the embedded engine in o->data, or the
 * real DynamoDB when o->prod. NULL after printing the reason.
 */
ddb_store *tools_store_open(const tools_opts *o);
/* The same, and *where (caller frees) says which store: "remote DynamoDB at URL (region R)". */
ddb_store *tools_store_open_where(const tools_opts *o, char **where);

/*
 * One store call. On failure prints the operation, DynamoDB's error name and
 * message (and, for a missing table, which command creates it) and returns
 * NULL. `req` is borrowed.
 */
json_t *tools_call(const tools_opts *o, ddb_store *store, const char *op, json_t *req);
/* Prints the one-line reason for a failed store call (as tools_call does); clears err. */
void tools_report(const tools_opts *o, const char *op, const json_t *req, ddb_err *err);
/* Every item of a Query or Scan, all pages (ddb_all_items), or NULL after printing why. */
json_t *tools_all_items(const tools_opts *o, ddb_store *store, const char *op, json_t *req);

/* True when the table exists; false after printing why (missing or error). */
bool tools_table_exists(const tools_opts *o, ddb_store *store, const char *table);

/* The users directory (SQLite in o->data, or CONNECTION_URL); NULL after printing why. */
users_db_t *tools_users_open(const tools_opts *o);

/*
 * Looks a user up; on failure prints a reason naming the command that adds
 * the demo users without deleting anything (`cruddur db seed`), or, when
 * the directory cannot be read, `cruddur db setup`.
 */
users_user_t *tools_user_by_handle(const tools_opts *o, users_db_t *users, const char *handle);
/* Prints tools_user_by_handle's reason for a lookup of `handle` that ended with st. */
void tools_report_user(const tools_opts *o, users_db_t *users, const char *handle,
                       users_status_t st, const users_error_t *err);

/* `cruddur ddb patterns ...` (ddb_patterns.c). */
extern const tools_cmd tools_ddb_patterns_cmds[];

/* ----------------------------------------------------------------- seed */

#define TOOLS_SEED_GROUP "5ae290ed-55d1-47a0-bc6d-fe2bc2700399"

/* The demo conversation (ddb_seed_text.c): lines alternate, first sender first. */
extern const char *const tools_seed_lines[];
extern const size_t tools_seed_count;

/*
 * Writes the demo conversation into an open store unless it is there
 * already (then it says so and changes nothing). Never deletes. The users
 * come from the users directory: when andrewbrown or bayko is missing,
 * `ddb seed` fails (for_setup false) while `ddb setup` says why it did not
 * seed and succeeds (for_setup true: a directory of real users is fine).
 * Returns the exit code.
 */
int tools_seed_run(const tools_opts *o, ddb_store *store, bool for_setup);

/* -------------------------------------------------------------- cognito */

/* Where and how to call Cognito, from the environment; strings owned. */
typedef struct tools_cognito {
    char *pool_id;  /* AWS_COGNITO_USER_POOL_ID */
    char *endpoint; /* AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER or the AWS one */
    char *host;     /* the endpoint's Host header */
    aws_config aws; /* credentials (env or ~/.aws) and the pool's region */
} tools_cognito;

/* Fills c; false with a one-line reason naming the missing variable. */
bool tools_cognito_from_env(tools_cognito *c, char *why, size_t why_len);
void tools_cognito_free(tools_cognito *c);

/*
 * Every user of the pool (ListUsers, following PaginationToken, `page_size`
 * users per request, 0 for Cognito's maximum): a new array of objects
 * {"username", "preferred_username", "sub", "status", "enabled"} (absent
 * attributes are null), or NULL with a one-line reason.
 */
json_t *tools_cognito_list_users(const tools_cognito *c, long page_size, char *why, size_t why_len);

/* Parses --limit values: 1..60 (Cognito's page size bounds). */
bool tools_cognito_limit_ok(long limit);

#endif
