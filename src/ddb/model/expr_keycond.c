/*
 * expr_keycond: Query's KeyConditionExpression. It is parsed and checked as
 * a condition first (ddb_keycond_expr_parse), then, once Query has checked
 * its other expressions and the unused names and values, reduced to
 * DynamoDB's shape: an equality on the hash key, optionally AND one of
 * = < <= > >= BETWEEN begins_with on the range key, with DynamoDB's messages
 * for everything else. "x < :v" written as ":v > x" is turned around.
 *
 * The reduction follows DynamoDB Local 3.3.1: the conditions are read left
 * to right (an operator that is not allowed, or a second condition on one
 * attribute, fails where it stands), then more than two conditions are
 * "Conditions can be of length 1 or 2 only" for a single-attribute key and
 * more conditions than key attributes are "Query key condition not
 * supported", before any key attribute is looked for. Before all that, a
 * path into a key attribute of the table or of any of its indexes is
 * refused ("Key attributes must be scalars"), key by key; a path into any
 * other attribute is refused where its condition stands.
 */
#include "base/alloc.h"
#include "ddb/model/expr_int.h"

#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool expr_key_fail(ddb_err *err, const char *fmt, ...)
{
    char msg[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ddb_err_set(err, DDB_E_VALIDATION, "%s", msg);
    return false;
}

static ddb_range_op range_op_of(int tok, bool flipped)
{
    switch (tok) {
    case TK_EQ:
        return DDB_RANGE_EQ;
    case TK_LT:
        return flipped ? DDB_RANGE_GT : DDB_RANGE_LT;
    case TK_LE:
        return flipped ? DDB_RANGE_GE : DDB_RANGE_LE;
    case TK_GT:
        return flipped ? DDB_RANGE_LT : DDB_RANGE_GT;
    default:
        return flipped ? DDB_RANGE_LE : DDB_RANGE_GE;
    }
}

/* Checks one condition's operands and fills a term from it. */
static bool make_term(const expr_node *n, expr_key_term *t, ddb_err *err)
{
    const expr_node *path = NULL;
    int paths = 0, at = -1;
    for (int i = 0; i < n->nkids; i++) {
        const expr_node *x = n->kids[i];
        if (x->kind == EN_FUNC)
            return expr_key_fail(err, "KeyConditionExpressions cannot contain nested operations");
        if (x->kind != EN_PATH) continue;
        if (paths++ > 0)
            return expr_key_fail(err, "Invalid condition in KeyConditionExpression: Multiple "
                                      "attribute names used in one condition");
        /* a path into a key attribute was refused before (ddb_keycond_check_key_paths) */
        if (x->path.n > 1)
            return expr_key_fail(
                err, "KeyConditionExpressions cannot have conditions on nested attributes");
        path = x;
        at = i;
    }
    if (paths == 0)
        return expr_key_fail(err, "Invalid condition in KeyConditionExpression: No key attribute "
                                  "specified");
    if (n->kind != EN_CMP && at != 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Invalid condition in KeyConditionExpression: %s operator must have the key "
                    "attribute as its first operand",
                    n->kind == EN_BETWEEN ? "BETWEEN" : "begins_with");
        return false;
    }
    t->node = n;
    t->attr = path->path.el[0].name;
    if (n->kind == EN_CMP) {
        t->op = range_op_of(n->op, at == 1);
        t->v1 = n->kids[1 - at]->value;
    } else {
        t->op = n->kind == EN_BETWEEN ? DDB_RANGE_BETWEEN : DDB_RANGE_BEGINS_WITH;
        t->v1 = n->kids[1]->value;
        t->v2 = n->kind == EN_BETWEEN ? n->kids[2]->value : NULL;
    }
    return true;
}

/* Appends a term for `n` unless one on the same attribute came before. */
static bool add_term(const expr_node *n, expr_key_terms *ts, ddb_err *err)
{
    expr_key_term t;
    memset(&t, 0, sizeof t);
    if (!make_term(n, &t, err)) return false;
    for (int i = 0; i < ts->n; i++)
        if (strcmp(ts->v[i].attr, t.attr) == 0)
            return expr_key_fail(err,
                                 "KeyConditionExpressions must only contain one condition per key");
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? 2 * ts->cap : 4;
        ts->v = xreallocarray(ts->v, (size_t)ts->cap, sizeof *ts->v);
    }
    ts->v[ts->n++] = t;
    return true;
}

bool expr_key_collect(const expr_node *n, expr_key_terms *ts, ddb_err *err)
{
    const char *bad = NULL;
    switch (n->kind) {
    case EN_AND:
        for (int i = 0; i < n->nkids; i++)
            if (!expr_key_collect(n->kids[i], ts, err)) return false;
        return true;
    case EN_OR:
        bad = "OR";
        break;
    case EN_NOT:
        bad = "NOT";
        break;
    case EN_IN:
        bad = "IN";
        break;
    case EN_CMP:
        bad = n->op == TK_NE ? "<>" : NULL;
        break;
    case EN_FUNC:
        if (n->op == FN_ATTRIBUTE_EXISTS) bad = "attribute_exists";
        if (n->op == FN_ATTRIBUTE_NOT_EXISTS) bad = "attribute_not_exists";
        if (n->op == FN_ATTRIBUTE_TYPE) bad = "attribute_type";
        if (n->op == FN_CONTAINS) bad = "contains";
        break;
    default:
        break;
    }
    if (bad) {
        ddb_err_set(err, DDB_E_VALIDATION, "Invalid operator used in KeyConditionExpression: %s",
                    bad);
        return false;
    }
    return add_term(n, ts, err);
}

/* True when a path anywhere in `n` steps into attribute `name`. */
static bool steps_into(const expr_node *n, const char *name)
{
    if (n->kind == EN_PATH && n->path.n > 1 && strcmp(n->path.el[0].name, name) == 0) return true;
    for (int i = 0; i < n->nkids; i++)
        if (steps_into(n->kids[i], name)) return true;
    return false;
}

static bool reduce(const expr_key_term *terms, int nt, const char *hash_attr,
                   const char *range_attr, ddb_keycond *out, ddb_err *err)
{
    const expr_key_term *hash = NULL, *range = NULL;
    if (nt > 2) return expr_key_fail(err, "Conditions can be of length 1 or 2 only");
    if (nt > (range_attr ? 2 : 1)) return expr_key_fail(err, "Query key condition not supported");
    for (int i = 0; i < nt; i++) {
        if (strcmp(terms[i].attr, hash_attr) != 0) continue;
        if (terms[i].op != DDB_RANGE_EQ)
            return expr_key_fail(err, "Query key condition not supported");
        hash = &terms[i];
    }
    if (!hash)
        return expr_key_fail(err, "Query condition missed key schema element: %s", hash_attr);
    for (int i = 0; i < nt; i++) {
        if (&terms[i] == hash) continue;
        if (!range_attr) return expr_key_fail(err, "Query key condition not supported");
        if (strcmp(terms[i].attr, range_attr) != 0)
            return expr_key_fail(err, "Query condition missed key schema element: %s", range_attr);
        range = &terms[i];
    }
    out->hash_value = json_incref((json_t *)hash->v1);
    out->hash_values[0] = out->hash_value;
    out->n_hash = 1;
    if (range) {
        out->range_op = range->op;
        out->range_v1 = json_incref((json_t *)range->v1);
        out->range_v2 = range->v2 ? json_incref((json_t *)range->v2) : NULL;
    }
    return true;
}

struct ddb_keycond_expr {
    expr_parser p;
    expr_node *root;
};

ddb_keycond_expr *ddb_keycond_expr_parse(const char *text, ddb_expr_attrs *a, ddb_err *err)
{
    ddb_keycond_expr *x = xcalloc(1, sizeof *x);
    expr_parser *p = &x->p;
    if (expr_lex(p, text, "KeyConditionExpression", a, err)) x->root = expr_parse_condition(p);
    bool ok = x->root && expr_check_words(p, x->root, CTX_CONDITION) &&
              expr_check_tree(p, x->root, CTX_CONDITION);
    if (ok && x->root->kind == EN_FUNC && x->root->op == FN_SIZE)
        ok = expr_fail(p, "The function is not allowed to be used this way in an expression; "
                          "function: size");
    if (ok) return x;
    ddb_keycond_expr_free(x);
    return NULL;
}

bool ddb_keycond_check_key_paths(const ddb_keycond_expr *x, const char *const *keys,
                                 const bool *index_key, int n, ddb_err *err)
{
    for (int i = 0; i < n; i++) {
        if (!keys[i] || !steps_into(x->root, keys[i])) continue;
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Key attributes must be scalars; list random access '[]' and map lookup '.' "
                    "are not allowed: %s: %s",
                    index_key[i] ? "IndexKey" : "Key", keys[i]);
        return false;
    }
    return true;
}

void ddb_keycond_expr_free(ddb_keycond_expr *x)
{
    if (!x) return;
    expr_node_free(x->root);
    expr_parser_free(&x->p);
    free(x);
}

/* The end of a reduction: frees the flattened terms, and the result on a
   failure. */
static bool keycond_reduced(expr_key_terms *ts, bool ok, ddb_keycond *out)
{
    free(ts->v);
    if (!ok) ddb_keycond_free(out);
    return ok;
}

bool ddb_keycond_reduce(const ddb_keycond_expr *x, const char *hash_attr, const char *range_attr,
                        ddb_keycond *out, ddb_err *err)
{
    expr_key_terms ts = {0};
    memset(out, 0, sizeof *out);
    bool ok =
        expr_key_collect(x->root, &ts, err) && reduce(ts.v, ts.n, hash_attr, range_attr, out, err);
    return keycond_reduced(&ts, ok, out);
}

bool ddb_keycond_reduce_multi(const ddb_keycond_expr *x, const ddb_keycond_schema *ks,
                              ddb_keycond *out, ddb_err *err)
{
    expr_key_terms ts = {0};
    memset(out, 0, sizeof *out);
    bool ok =
        expr_key_collect(x->root, &ts, err) && expr_key_reduce_multi(ts.v, ts.n, ks, out, err);
    return keycond_reduced(&ts, ok, out);
}

bool ddb_keycond_parse(const char *text, ddb_expr_attrs *a, const char *hash_attr,
                       const char *range_attr, ddb_keycond *out, ddb_err *err)
{
    memset(out, 0, sizeof *out);
    ddb_keycond_expr *x = ddb_keycond_expr_parse(text, a, err);
    const char *keys[2] = {hash_attr, range_attr};
    const bool index_key[2] = {false, false};
    bool ok = x && ddb_keycond_check_key_paths(x, keys, index_key, 2, err) &&
              ddb_keycond_reduce(x, hash_attr, range_attr, out, err);
    ddb_keycond_expr_free(x);
    return ok;
}

bool ddb_keycond_parse_multi(const char *text, ddb_expr_attrs *a, const ddb_keycond_schema *ks,
                             ddb_keycond *out, ddb_err *err)
{
    memset(out, 0, sizeof *out);
    ddb_keycond_expr *x = ddb_keycond_expr_parse(text, a, err);
    bool ok = x && ddb_keycond_reduce_multi(x, ks, out, err);
    ddb_keycond_expr_free(x);
    return ok;
}

void ddb_keycond_free(ddb_keycond *k)
{
    if (!k) return;
    for (int i = 0; i < k->n_hash; i++)
        json_decref(k->hash_values[i]);
    if (!k->n_hash) json_decref(k->hash_value);
    for (int i = 0; i < k->n_range_eq; i++)
        json_decref(k->range_eq[i]);
    json_decref(k->range_v1);
    json_decref(k->range_v2);
    memset(k, 0, sizeof *k);
}
