/*
 * fuzz_partiql: libFuzzer target for the PartiQL front end (partiql.h):
 * the lexer and parser, literal values with parameters, the planner against
 * a built-in table (hash pk S, range sk N, a GSI on g), and the projection
 * of a SELECT's answer.
 *
 * Input: the first line is the request's Parameters as JSON (empty: none),
 * the rest the statement.
 *
 * Besides crashes and sanitizer reports it checks the planner's output:
 * every expression it writes must parse with the JSON API's own parsers
 * (expr.h). A value the engine refuses (a bad number, too many IN operands)
 * is a fair refusal; a syntax error in generated text is a planner bug and
 * aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/expr.h"
#include "ddb/model/partiql.h"
#include "ddb/model/value.h"

static const char table_def[] =
    "{\"TableName\":\"tab\",\"BillingMode\":\"PAY_PER_REQUEST\","
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},"
    "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gix\",\"KeySchema\":"
    "[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}";

static const char item_text[] =
    "{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"7\"},\"a\":{\"N\":\"1\"},"
    "\"l\":{\"L\":[{\"N\":\"1\"},{\"M\":{\"x\":{\"S\":\"y\"}}}]},"
    "\"m\":{\"M\":{\"a\":{\"N\":\"2\"},\"b\":{\"L\":[{\"BOOL\":true}]}}}}";

static ddb_table *table;
static json_t *item;

static void setup(void)
{
    if (table) return;
    json_t *req = json_loads(table_def, 0, NULL);
    ddb_err err = DDB_ERR_INIT;
    table = ddb_table_create(req, 0, &err);
    json_decref(req);
    item = json_loads(item_text, 0, NULL);
    if (!table || !item) abort();
}

/* A generated expression that the JSON API's parser calls a syntax error. */
static void check_parse(const json_t *req, const char *member, const char *text, ddb_err *err)
{
    /* "Invalid <member>: Syntax error; token: ..." (a value's text may
       hold those words too, further on). */
    const char *colon = strstr(err->message, ": ");
    if (err->code == DDB_OK || !colon || strncmp(colon + 2, "Syntax error", 12)) return;
    char *dump = json_dumps(req, JSON_COMPACT);
    fprintf(stderr, "fuzz_partiql: the planner wrote a bad %s \"%s\": %s\n  %s\n", member, text,
            err->message, dump ? dump : "?");
    abort();
}

/* Parses every expression of a planned request with expr.h. */
static void check_plan(const pq_plan *p)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_expr_attrs attrs;
    const json_t *req = p->req;
    if (!ddb_expr_attrs_init(&attrs, json_object_get(req, "ExpressionAttributeNames"),
                             json_object_get(req, "ExpressionAttributeValues"), &err)) {
        ddb_err_clear(&err);
        return;
    }
    static const char *const conds[] = {"ConditionExpression", "FilterExpression"};
    for (size_t i = 0; i < 2; i++) {
        const char *text = json_string_value(json_object_get(req, conds[i]));
        if (!text) continue;
        ddb_cond *c = ddb_cond_parse(text, &attrs, conds[i], &err);
        check_parse(req, conds[i], text, &err);
        if (c) ddb_cond_eval(c, item, &err);
        ddb_cond_free(c);
        ddb_err_clear(&err);
    }
    const char *text = json_string_value(json_object_get(req, "UpdateExpression"));
    if (text) {
        ddb_update *u = ddb_update_parse(text, &attrs, &err);
        check_parse(req, "UpdateExpression", text, &err);
        ddb_update_free(u);
        ddb_err_clear(&err);
    }
    text = json_string_value(json_object_get(req, "ProjectionExpression"));
    if (text) {
        ddb_proj *pr = ddb_proj_parse(text, &attrs, &err);
        check_parse(req, "ProjectionExpression", text, &err);
        ddb_proj_free(pr);
        ddb_err_clear(&err);
    }
    text = json_string_value(json_object_get(req, "KeyConditionExpression"));
    if (text) {
        ddb_keycond kc;
        memset(&kc, 0, sizeof kc);
        const char *hash = json_object_get(req, "IndexName") ? "g" : "pk";
        const char *range = json_object_get(req, "IndexName") ? NULL : "sk";
        ddb_keycond_parse(text, &attrs, hash, range, &kc, &err);
        check_parse(req, "KeyConditionExpression", text, &err);
        ddb_keycond_free(&kc);
        ddb_err_clear(&err);
    }
    ddb_expr_attrs_check_unused(&attrs, &err);
    ddb_err_clear(&err);
    ddb_expr_attrs_free(&attrs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > PQ_MAX_STATEMENT + 1024) return 0;
    setup();
    const char *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)((const uint8_t *)nl - data) : 0;
    const char *stmt = nl ? nl + 1 : (const char *)data;
    size_t slen = size - (nl ? plen + 1 : 0);
    json_t *params = plen ? json_loadb((const char *)data, plen, 0, NULL) : NULL;
    /* Parameters are validated before planning, as ExecuteStatement does. */
    size_t i;
    json_t *v;
    json_array_foreach(params, i, v)
    {
        ddb_err verr = DDB_ERR_INIT;
        json_t *ok = ddb_av_normalize(v, &verr);
        ddb_err_clear(&verr);
        if (!ok) break;
        json_decref(ok);
    }
    if (params && (!json_is_array(params) || i < json_array_size(params))) {
        json_decref(params);
        params = NULL;
    }
    ddb_err err = DDB_ERR_INIT;
    pq_stmt *s = pq_parse(stmt, slen, &err);
    ddb_err_clear(&err);
    if (s) {
        pq_opts o = {.params = params, .consistent = (size & 1) != 0, .capacity = "TOTAL"};
        pq_plan p;
        if (pq_plan_make(s, table, &o, &p, &err)) {
            check_plan(&p);
            pq_plan_clear(&p);
        }
        ddb_err_clear(&err);
        if (s->kind == PQ_SELECT) json_decref(pq_project(s, item));
        pq_free(s);
    }
    json_decref(params);
    return 0;
}
