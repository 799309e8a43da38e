/*
 * reads_tu: helpers shared by the unit tests of the engine's multi-item
 * operations (test_engine_query, _batch, _txn, _streams, _ttl, ...): a store
 * in memory or in a folder, operations that must succeed or fail, and JSON literals
 * written with ' for " to keep them readable.
 *
 * Include after <cmocka.h> and testutil.h. Every helper is static inline
 * so a test file that does not use one still compiles warning-free.
 */
#ifndef CRUDDUR_TESTS_READS_TU_H
#define CRUDDUR_TESTS_READS_TU_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb.h"
#include "ddb/engine/embedded.h"

/* A JSON literal with ' for ", printf-formatted. New reference. */
static inline json_t *rt_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline json_t *rt_json(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) fail_msg("out of memory");
    va_end(ap);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    json_t *j = tu_json(s);
    free(s);
    return j;
}

/* Opens a store in folder `dir`, or in memory when `dir` is NULL, without
 * fsync or background work; NULL and `err` set when it cannot be opened. */
static inline ddb_store *rt_try_open(const char *dir, ddb_err *err)
{
    ddb_embedded_options opt = {
        .dir = dir, .in_memory = dir == NULL, .no_fsync = true, .no_background = true};
    return ddb_embedded_open(&opt, err);
}

/* rt_try_open that must succeed. */
static inline ddb_store *rt_open_dir(const char *dir)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_store *s = rt_try_open(dir, &err);
    if (!s) fail_msg("open failed: %s", err.message);
    return s;
}

static inline ddb_store *rt_open(void)
{
    return rt_open_dir(NULL);
}

/* Runs an operation that must succeed; takes `req`, returns the response. */
static inline json_t *rt_call(ddb_store *s, const char *op, json_t *req)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, op, req, &err);
    if (!res) {
        char *text = json_dumps(req, JSON_COMPACT);
        print_error("request: %s\n", text);
        free(text);
        fail_msg("%s failed: %s: %s", op, err.type, err.message);
    }
    json_decref(req);
    ddb_err_clear(&err);
    return res;
}

/* Runs an operation that must fail with `type` and, unless NULL, exactly
   `msg`; takes `req`, returns the error's detail (or NULL). */
static inline json_t *rt_fail(ddb_store *s, const char *op, json_t *req, const char *type,
                              const char *msg)
{
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(s, op, req, &err);
    if (res) {
        char *text = json_dumps(res, JSON_COMPACT);
        fail_msg("%s unexpectedly succeeded: %s", op, text);
    }
    if (strcmp(err.type, type) != 0 || (msg && strcmp(err.message, msg) != 0))
        fail_msg("%s: expected %s: %s\n  got %s: %s", op, type, msg ? msg : "*", err.type,
                 err.message);
    json_t *detail = json_incref(err.detail);
    ddb_err_clear(&err);
    json_decref(req);
    return detail;
}

/* The same with a ValidationException and the detail dropped. */
static inline void rt_invalid(ddb_store *s, const char *op, json_t *req, const char *msg)
{
    json_decref(rt_fail(s, op, req, "ValidationException", msg));
}

static inline void rt_ok(ddb_store *s, const char *op, json_t *req)
{
    json_decref(rt_call(s, op, req));
}

/* Sorted-key compact text of a JSON value, for messages; caller frees. */
static inline char *rt_text(const json_t *j)
{
    return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup("NULL");
}

#endif
