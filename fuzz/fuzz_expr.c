/*
 * fuzz_expr: libFuzzer target for DynamoDB's expression language (expr.h):
 * condition/filter expressions (parse + evaluate), projections (parse +
 * apply), update expressions (parse + apply + the paths they touch) and
 * key conditions, each against fuzzed ExpressionAttributeNames/Values.
 *
 * Input: four lines, the last ones optional.
 *   1. a mode letter then the expression text: 'c' condition, 'p'
 *      projection, 'u' update, 'k' key condition; any other letter runs
 *      the whole text through every parser
 *   2. ExpressionAttributeNames as JSON (empty: none)
 *   3. ExpressionAttributeValues as JSON (empty: none)
 *   4. the item to evaluate against, as JSON (empty: a built-in item)
 * Values and items go through the same validation a request gets, so
 * whatever reaches evaluation is what the engine could hand it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/expr.h"
#include "ddb/model/value.h"

#define FIELDS 4

static const char default_item[] =
    "{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"7\"},\"a\":{\"N\":\"1\"},"
    "\"s\":{\"S\":\"hello\"},\"b\":{\"B\":\"AAEC\"},\"t\":{\"BOOL\":true},"
    "\"z\":{\"NULL\":true},\"l\":{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"},{\"L\":[]}]},"
    "\"m\":{\"M\":{\"a\":{\"N\":\"2\"},\"n\":{\"M\":{\"x\":{\"SS\":[\"q\"]}}}}},"
    "\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2.5\"]},\"bs\":{\"BS\":[\"AQ==\"]}}";

/* Parses a JSON field; NULL when empty or not JSON. */
static json_t *load_field(const char *text)
{
    if (!*text) return NULL;
    return json_loads(text, JSON_DECODE_ANY, NULL);
}

/* The item to evaluate against, validated like a stored item. */
static json_t *load_item(const char *text)
{
    json_t *raw = json_loads(*text ? text : default_item, 0, NULL);
    if (!raw) return NULL;
    ddb_err err = DDB_ERR_INIT;
    json_t *item = ddb_item_normalize(raw, &err);
    ddb_err_clear(&err);
    json_decref(raw);
    return item;
}

/*
 * What an expression produces must be a valid item again (the engine
 * stores it as is): otherwise the evaluator made a value DynamoDB could
 * not hold, which is a bug even when nothing crashed.
 */
static void check_item(const json_t *item, const char *what, const char *text)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *again = ddb_item_normalize(item, &err);
    if (!again) {
        char *dump = json_dumps(item, JSON_COMPACT);
        fprintf(stderr, "fuzz_expr: %s of \"%s\" made an invalid item: %s\n  %s\n", what, text,
                err.message, dump ? dump : "?");
        abort();
    }
    json_decref(again);
    ddb_err_clear(&err);
}

static void run_cond(const char *text, ddb_expr_attrs *attrs, const json_t *item)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_cond *c = ddb_cond_parse(text, attrs, "ConditionExpression", &err);
    if (c) {
        ddb_expr_attrs_check_unused(attrs, &err);
        ddb_err_clear(&err);
        ddb_cond_eval(c, item, &err);
        ddb_err_clear(&err);
        ddb_cond_eval(c, NULL, &err);
    }
    ddb_err_clear(&err);
    ddb_cond_free(c);
}

static void run_proj(const char *text, ddb_expr_attrs *attrs, const json_t *item)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_proj *p = ddb_proj_parse(text, attrs, &err);
    if (p) {
        json_t *out = ddb_proj_apply(p, item);
        check_item(out, "projection", text);
        json_decref(out);
    }
    ddb_err_clear(&err);
    ddb_proj_free(p);
}

/* Applies the update to a copy of the item and to an empty item. */
static void run_update(const char *text, ddb_expr_attrs *attrs, const json_t *item)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_update *u = ddb_update_parse(text, attrs, &err);
    if (u) {
        ddb_update_touches(u, "a");
        ddb_update_touches(u, "pk");
        json_t *copies[2] = {json_deep_copy(item), json_object()};
        for (int i = 0; i < 2; i++) {
            if (ddb_update_apply(u, copies[i], &err)) {
                check_item(copies[i], "update", text);
                json_t *paths = ddb_proj_apply(ddb_update_paths(u), copies[i]);
                check_item(paths, "projection of the updated paths", text);
                json_decref(paths);
            }
            ddb_err_clear(&err);
            json_decref(copies[i]);
        }
    }
    ddb_err_clear(&err);
    ddb_update_free(u);
}

/* Key conditions for a table with a range key and for one without. */
static void run_keycond(const char *text, ddb_expr_attrs *attrs)
{
    static const char *ranges[] = {"sk", NULL};
    for (int i = 0; i < 2; i++) {
        ddb_err err = DDB_ERR_INIT;
        ddb_keycond kc;
        memset(&kc, 0, sizeof kc);
        if (ddb_keycond_parse(text, attrs, "pk", ranges[i], &kc, &err)) ddb_keycond_free(&kc);
        ddb_err_clear(&err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384) return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    /* Cut into fields at newlines; missing fields are empty. */
    char *field[FIELDS] = {text + 1, "", "", ""};
    for (int i = 1; i < FIELDS; i++) {
        char *nl = strchr(field[i - 1], '\n');
        if (!nl) break;
        *nl = '\0';
        field[i] = nl + 1;
    }
    char mode = text[0];
    json_t *names = load_field(field[1]);
    json_t *values = load_field(field[2]);
    json_t *item = load_item(field[3]);
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    if (item && ddb_expr_attrs_init(&attrs, names, values, &err)) {
        switch (mode) {
        case 'c':
            run_cond(field[0], &attrs, item);
            break;
        case 'p':
            run_proj(field[0], &attrs, item);
            break;
        case 'u':
            run_update(field[0], &attrs, item);
            break;
        case 'k':
            run_keycond(field[0], &attrs);
            break;
        default:
            run_cond(field[0], &attrs, item);
            run_proj(field[0], &attrs, item);
            run_update(field[0], &attrs, item);
            run_keycond(field[0], &attrs);
            break;
        }
        ddb_expr_attrs_free(&attrs);
    }
    ddb_err_clear(&err);
    json_decref(names);
    json_decref(values);
    json_decref(item);
    free(text);
    return 0;
}
