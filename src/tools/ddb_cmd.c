/*
 * ddb_cmd: `cruddur ddb`, the messages table's operator commands (spec
 * section 6): create, drop, list and describe tables, print every item,
 * seed the demo conversation, set up what is missing, start over (`reset`,
 * `drop`: only once confirmed), and the `patterns` group (ddb_patterns.c).
 * Every command works on the store tools_store_open() gives it, so the same
 * code serves the local store and, with `prod`, the real DynamoDB.
 */
#include "tools/tools.h"
#include "tools/tools_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "messaging/messaging.h"
#include "messaging/table.h"

#include "base/alloc.h"

#define WAIT_POLLS 120 /* half-second polls: a minute for DynamoDB to finish */

/*
 * Waits until `table` is ACTIVE (gone == false) or deleted (gone == true).
 * The embedded store answers at once; DynamoDB creates and deletes tables
 * in the background, so `setup` on the real service must wait between steps.
 */
static bool wait_for_table(const tools_opts *o, ddb_store *store, const char *table, bool gone)
{
    for (int i = 0; i < WAIT_POLLS; i++) {
        json_t *req = json_pack("{s:s}", "TableName", table);
        ddb_err err = DDB_ERR_INIT;
        json_t *res = ddb_call(store, "DescribeTable", req, &err);
        json_decref(req);
        const char *status =
            json_string_value(json_object_get(json_object_get(res, "Table"), "TableStatus"));
        bool done =
            gone ? (!res && err.code == DDB_E_NOT_FOUND) : (status && !strcmp(status, "ACTIVE"));
        bool failed = !res && err.code != DDB_E_NOT_FOUND;
        if (failed) tools_fail(o, "DescribeTable failed: %s: %s", err.type, err.message);
        json_decref(res);
        ddb_err_clear(&err);
        if (done) return true;
        if (failed) return false;
        usleep(500000);
    }
    tools_fail(o, "table %s did not become %s in time", table, gone ? "deleted" : "ACTIVE");
    return false;
}

/* Creates the messages table; prints the CreateTable response or one line. */
static bool create_table(const tools_opts *o, ddb_store *store, const char *where, bool verbose)
{
    const char *table = msg_table_name();
    json_t *req = msg_table_definition(table);
    json_t *res = tools_call(o, store, "CreateTable", req);
    json_decref(req);
    if (!res) return false;
    if (verbose)
        tools_print_json(res);
    else
        printf("created table: %s (%s)\n", table, where);
    json_decref(res);
    return true;
}

/* Deletes `table` after saying so, and waits until it is gone. */
static bool drop_table(const tools_opts *o, ddb_store *store, const char *table, const char *where)
{
    printf("deleting table: %s (%s)\n", table, where);
    fflush(stdout);
    json_t *req = json_pack("{s:s}", "TableName", table);
    json_t *res = tools_call(o, store, "DeleteTable", req);
    json_decref(req);
    json_decref(res);
    return res && wait_for_table(o, store, table, true);
}

/* DescribeTable: 1 when `table` exists, 0 when it does not, -1 after printing an error. */
static int table_state(const tools_opts *o, ddb_store *store, const char *table)
{
    json_t *req = json_pack("{s:s}", "TableName", table);
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(store, "DescribeTable", req, &err);
    int state = res ? 1 : 0;
    if (!res && err.code != DDB_E_NOT_FOUND) {
        tools_report(o, "DescribeTable", req, &err);
        state = -1;
    }
    ddb_err_clear(&err);
    json_decref(req);
    json_decref(res);
    return state;
}

/* 1 when `table` holds no item, 0 when it holds one, -1 after printing an error. */
static int table_is_empty(const tools_opts *o, ddb_store *store, const char *table)
{
    json_t *req = json_pack("{s:s, s:i}", "TableName", table, "Limit", 1);
    json_t *res = tools_call(o, store, "Scan", req);
    json_decref(req);
    int empty = !res ? -1
                     : json_array_size(json_object_get(res, "Items")) == 0 &&
                           !json_object_get(res, "LastEvaluatedKey");
    json_decref(res);
    return empty;
}

static int cmd_schema_load(const tools_opts *o)
{
    ddb_store *store = tools_store_open(o);
    if (!store) return 1;
    bool ok = create_table(o, store, NULL, true);
    ddb_store_close(store);
    return ok ? 0 : 1;
}

static int cmd_drop(const tools_opts *o)
{
    char *where = NULL;
    ddb_store *store = tools_store_open_where(o, &where);
    if (!store) return 1;
    const char *table = o->args[0];
    char what[320];
    snprintf(what, sizeof what, "table %s and every item in it", table);
    bool ok = tools_table_exists(o, store, table) && tools_confirm(o, what, where) &&
              drop_table(o, store, table, where);
    ddb_store_close(store);
    free(where);
    return ok ? 0 : 1;
}

static int cmd_list_tables(const tools_opts *o)
{
    ddb_store *store = tools_store_open(o);
    if (!store) return 1;
    int rc = 0;
    json_t *start = NULL;
    do {
        json_t *req = json_object();
        if (start) json_object_set_new(req, "ExclusiveStartTableName", start);
        json_t *res = tools_call(o, store, "ListTables", req);
        json_decref(req);
        if (!res) {
            rc = 1;
            break;
        }
        size_t i;
        json_t *name;
        json_array_foreach(json_object_get(res, "TableNames"), i, name)
            puts(json_string_value(name));
        start = json_incref(json_object_get(res, "LastEvaluatedTableName"));
        json_decref(res);
    } while (start);
    ddb_store_close(store);
    return rc;
}

static int cmd_describe_table(const tools_opts *o)
{
    ddb_store *store = tools_store_open(o);
    if (!store) return 1;
    json_t *req = json_pack("{s:s}", "TableName", o->nargs ? o->args[0] : msg_table_name());
    json_t *res = tools_call(o, store, "DescribeTable", req);
    json_decref(req);
    if (res) tools_print_json(res);
    json_decref(res);
    ddb_store_close(store);
    return res ? 0 : 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The member names of a JSON object in byte order; caller frees the array. */
static const char **sorted_names(const json_t *obj, size_t *n)
{
    const char **names = xmalloc((json_object_size(obj) + 1) * sizeof *names);
    *n = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        names[(*n)++] = k;
    }
    qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

/*
 * Writes an attribute value as plain JSON (what the reference's scan printed
 * through boto3's resource layer): strings as strings, numbers as their
 * exact decimal text, sets and lists as arrays, maps as objects, binaries as
 * their base64 text.
 */
static void print_plain(FILE *out, const json_t *av)
{
    const char *type = NULL;
    json_t *v = NULL;
    void *it = json_object_iter((json_t *)av);
    if (it) {
        type = json_object_iter_key(it);
        v = json_object_iter_value(it);
    }
    if (!type) {
        fputs("null", out);
    } else if (!strcmp(type, "N")) {
        fputs(json_string_value(v), out);
    } else if (!strcmp(type, "BOOL")) {
        fputs(json_is_true(v) ? "true" : "false", out);
    } else if (!strcmp(type, "NULL")) {
        fputs("null", out);
    } else if (!strcmp(type, "M")) {
        size_t n;
        const char **names = sorted_names(v, &n);
        fputc('{', out);
        for (size_t i = 0; i < n; i++) {
            json_t *key = json_string(names[i]);
            char *ks = json_dumps(key, JSON_ENCODE_ANY);
            fprintf(out, "%s%s: ", i ? ", " : "", ks);
            free(ks);
            json_decref(key);
            print_plain(out, json_object_get(v, names[i]));
        }
        fputc('}', out);
        free(names);
    } else if (!strcmp(type, "L")) {
        fputc('[', out);
        size_t i;
        json_t *sub;
        json_array_foreach(v, i, sub)
        {
            if (i) fputs(", ", out);
            print_plain(out, sub);
        }
        fputc(']', out);
    } else if (!strcmp(type, "NS")) {
        fputc('[', out);
        size_t i;
        json_t *sub;
        json_array_foreach(v, i, sub)
        {
            fprintf(out, "%s%s", i ? ", " : "", json_string_value(sub));
        }
        fputc(']', out);
    } else { /* S, B, SS, BS: JSON strings or arrays of them as they are */
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        fputs(s ? s : "null", out);
        free(s);
    }
}

/* One item per line: plain JSON with sorted names, or DynamoDB JSON (--json). */
static void print_item(const json_t *item, bool typed)
{
    if (typed) {
        char *s = json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS);
        if (s) puts(s);
        free(s);
        return;
    }
    json_t *m = json_pack("{s:O}", "M", item);
    print_plain(stdout, m);
    fputc('\n', stdout);
    json_decref(m);
}

/* ddb_each_item's callback: one item per line, as it arrives. */
static bool print_each(const json_t *item, void *arg)
{
    print_item(item, ((const tools_opts *)arg)->json);
    return true;
}

static int cmd_scan(const tools_opts *o)
{
    ddb_store *store = tools_store_open(o);
    if (!store) return 1;
    json_t *req = json_pack("{s:s}", "TableName", msg_table_name());
    ddb_err err = DDB_ERR_INIT;
    bool ok = ddb_each_item(store, "Scan", req, print_each, (void *)o, &err);
    if (!ok) tools_report(o, "Scan", req, &err);
    json_decref(req);
    ddb_store_close(store);
    return ok ? 0 : 1;
}

static int cmd_seed(const tools_opts *o)
{
    ddb_store *store = tools_store_open(o);
    if (!store) return 1;
    int rc = tools_seed_run(o, store, false);
    ddb_store_close(store);
    return rc;
}

/*
 * What is missing, from the store itself: the table when it is not there,
 * the demo conversation when the table is empty. A table that holds items
 * is left exactly as it is, wherever it is (local, an endpoint, `prod`).
 */
static int cmd_setup(const tools_opts *o)
{
    char *where = NULL;
    ddb_store *store = tools_store_open_where(o, &where);
    if (!store) return 1;
    const char *table = msg_table_name();
    int rc = 1, state = table_state(o, store, table), empty = -1;
    if (state < 0) goto done;
    if (state == 0 && !create_table(o, store, where, false)) goto done;
    if (state == 1) printf("table %s: already in the %s (kept)\n", table, where);
    if (!wait_for_table(o, store, table, false)) goto done;
    empty = table_is_empty(o, store, table);
    if (empty < 0) goto done;
    if (empty) {
        rc = tools_seed_run(o, store, true);
    } else {
        printf("not seeded: table %s has items (the demo conversation goes only into an empty "
               "table)\n",
               table);
        rc = 0;
    }
done:
    ddb_store_close(store);
    free(where);
    return rc;
}

/* Delete, create, seed: a fresh demo table, only once confirmed. */
static int cmd_reset(const tools_opts *o)
{
    char *where = NULL;
    ddb_store *store = tools_store_open_where(o, &where);
    if (!store) return 1;
    const char *table = msg_table_name();
    char what[320];
    snprintf(what, sizeof what, "table %s and every item in it", table);
    int rc = 1, state = table_state(o, store, table);
    /* A missing table has nothing to lose: no question then. */
    if (state < 0 || (state == 1 && !tools_confirm(o, what, where))) goto done;
    if (state == 1 && !drop_table(o, store, table, where)) goto done;
    if (!create_table(o, store, where, false) || !wait_for_table(o, store, table, false)) goto done;
    rc = tools_seed_run(o, store, true);
done:
    ddb_store_close(store);
    free(where);
    return rc;
}

static const tools_cmd ddb_cmds[] = {
    {"schema-load", "[prod]",
     "create the messages table and its GSI (spec section 1); print the description", NULL,
     TOOLS_OPT_PROD, 0, 0, cmd_schema_load, NULL},
    {"drop", "TABLE [prod] [--yes]", "DELETE a table and every item in it",
     "Says which table and which store (the data folder, the endpoint and region)\n"
     "first, then asks for `yes`; when stdin is not a terminal it refuses unless\n"
     "--yes is given.\n",
     TOOLS_OPT_PROD | TOOLS_OPT_YES, 1, 1, cmd_drop, NULL},
    {"list-tables", "[prod]", "print the table names, one per line", NULL, TOOLS_OPT_PROD, 0, 0,
     cmd_list_tables, NULL},
    {"describe-table", "[TABLE] [prod]",
     "print a table's description (default: the messages "
     "table)",
     NULL, TOOLS_OPT_PROD, 0, 1, cmd_describe_table, NULL},
    {"scan", "[prod] [--json]", "print every item of the messages table, one per line",
     "Follows LastEvaluatedKey through every page. Items are printed as plain JSON\n"
     "objects with sorted names; --json prints them in DynamoDB's typed JSON.\n",
     TOOLS_OPT_PROD | TOOLS_OPT_JSON, 0, 0, cmd_scan, NULL},
    {"seed", "[prod]", "write the demo conversation between andrewbrown and bayko",
     "Group " TOOLS_SEED_GROUP ": about 100 alternating messages one minute\n"
     "apart ending now, and both users' group items pointing at the last one.\n"
     "When that conversation is there already it is left as it is: seeding never\n"
     "deletes. The users come from the users directory (`cruddur db setup`).\n",
     TOOLS_OPT_PROD, 0, 0, cmd_seed, NULL},
    {"setup", "[prod]", "create the messages table if missing; seed it if it is empty",
     "Decides from the store itself: a missing table is created (with its GSI and\n"
     "stream) and an empty one gets the demo conversation (when the users directory\n"
     "has andrewbrown and bayko). A table that holds items is left exactly as it\n"
     "is. Never deletes anything (`cruddur ddb reset` starts over).\n",
     TOOLS_OPT_PROD, 0, 0, cmd_setup, NULL},
    {"reset", "[prod] [--yes]", "DELETE the messages table, create it again and seed it",
     "Says which table and which store (the data folder, the endpoint and region)\n"
     "first, then asks for `yes`; when stdin is not a terminal it refuses unless\n"
     "--yes is given. With no table there is nothing to delete: it creates and\n"
     "seeds the table without asking.\n",
     TOOLS_OPT_PROD | TOOLS_OPT_YES, 0, 0, cmd_reset, NULL},
    {"patterns", "<command>", "the access patterns: get-conversation, list-conversations", NULL, 0,
     0, 0, NULL, tools_ddb_patterns_cmds},
    {NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL},
};

int tools_ddb_main(int argc, char **argv)
{
    return tools_dispatch("cruddur ddb", ddb_cmds, argc, argv);
}
