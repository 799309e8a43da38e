/*
 * expr_check: the static rules of an expression, applied after a
 * successful parse in DynamoDB's order: first reserved words and function
 * names over the whole text, then one walk in source order that resolves
 * #names and :values (marking them used), checks path nesting, and checks
 * each operator's and function's operands (count, kind and constant
 * types, "first operand must be distinct", BETWEEN bounds).
 */
#include "ddb/model/expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/value.h"

#include "base/alloc.h"

static const struct {
    const char *name;
    expr_fn fn;
    int nargs;
    bool update; /* allowed in update expressions (else in conditions) */
} functions[] = {
    {"attribute_exists", FN_ATTRIBUTE_EXISTS, 1, false},
    {"attribute_not_exists", FN_ATTRIBUTE_NOT_EXISTS, 1, false},
    {"attribute_type", FN_ATTRIBUTE_TYPE, 2, false},
    {"begins_with", FN_BEGINS_WITH, 2, false},
    {"contains", FN_CONTAINS, 2, false},
    {"size", FN_SIZE, 1, false},
    {"if_not_exists", FN_IF_NOT_EXISTS, 2, true},
    {"list_append", FN_LIST_APPEND, 2, true},
};

#define N_FUNCTIONS (sizeof functions / sizeof functions[0])

static const char *tok_text(const expr_parser *p, size_t i, int *len)
{
    *len = (int)p->toks[i].len;
    return p->text + p->toks[i].off;
}

static int fn_index(expr_fn fn)
{
    for (size_t i = 0; i < N_FUNCTIONS; i++)
        if (functions[i].fn == fn) return (int)i;
    return 0;
}

static const char *fn_name(expr_fn fn)
{
    return functions[fn_index(fn)].name;
}

const char *expr_type_name(const json_t *av)
{
    return ddb_av_type_name(ddb_av_type_of(av));
}

bool expr_check_words(expr_parser *p, expr_node *n, expr_ctx ctx)
{
    int len;
    const char *s;
    if (n->kind == EN_PATH) {
        for (int k = 0; k < n->path.n; k++) {
            const expr_pel *el = &n->path.el[k];
            if (el->is_index || p->toks[el->tok].kind != TK_NAME) continue;
            s = tok_text(p, el->tok, &len);
            if (ddb_is_reserved_word(s, (size_t)len))
                return expr_fail(p, "Attribute name is a reserved keyword; reserved keyword: %.*s",
                                 len, s);
        }
    }
    if (n->kind == EN_FUNC) {
        s = tok_text(p, n->tok, &len);
        n->op = FN_UNKNOWN;
        for (size_t i = 0; i < N_FUNCTIONS; i++)
            if (strlen(functions[i].name) == (size_t)len && memcmp(functions[i].name, s, len) == 0)
                n->op = functions[i].fn;
        if (n->op == FN_UNKNOWN)
            return expr_fail(p, "Invalid function name; function: %.*s", len, s);
        if (functions[fn_index(n->op)].update != (ctx == CTX_UPDATE))
            return expr_fail(p, "The function is not allowed in %s expression; function: %.*s",
                             ctx == CTX_UPDATE ? "an update" : "a condition", len, s);
    }
    for (int i = 0; i < n->nkids; i++)
        if (!expr_check_words(p, n->kids[i], ctx)) return false;
    return true;
}

bool expr_check_path(expr_parser *p, expr_node *n)
{
    for (int k = 0; k < n->path.n; k++) {
        expr_pel *el = &n->path.el[k];
        if (el->is_index || el->name) continue;
        const expr_tok *t = &p->toks[el->tok];
        const char *s = p->text + t->off;
        if (t->kind == TK_HNAME) {
            const char *name = expr_attrs_name(p->attrs, s, t->len);
            if (!name)
                return expr_fail(p,
                                 "An expression attribute name used in the document path is not "
                                 "defined; attribute name: %.*s",
                                 (int)t->len, s);
            el->name = xstrdup(name);
        } else {
            el->name = xstrndup(s, t->len);
        }
    }
    if (n->path.n > EXPR_MAX_PATH_DEPTH)
        return expr_fail(p, "The document path has too many nesting levels; nesting levels: %d",
                         n->path.n);
    return true;
}

bool expr_check_paths(expr_parser *p, expr_node *n)
{
    if (n->kind == EN_PATH) return expr_check_path(p, n);
    for (int i = 0; i < n->nkids; i++)
        if (!expr_check_paths(p, n->kids[i])) return false;
    return true;
}

bool expr_check_value(expr_parser *p, expr_node *n)
{
    const expr_tok *t = &p->toks[n->tok];
    json_t *v = expr_attrs_value(p->attrs, p->text + t->off, t->len);
    if (!v)
        return expr_fail(p,
                         "An expression attribute value used in expression is not defined; "
                         "attribute value: %.*s",
                         (int)t->len, p->text + t->off);
    json_decref(n->value);
    n->value = json_incref(v);
    return true;
}

static bool bad_type(expr_parser *p, const char *op, const char *type)
{
    return expr_fail(p,
                     "Incorrect operand type for operator or function; operator or function: %s, "
                     "operand type: %s",
                     op, type);
}

static bool misused(expr_parser *p, const expr_node *f)
{
    return expr_fail(p,
                     "The function is not allowed to be used this way in an expression; "
                     "function: %s",
                     fn_name((expr_fn)f->op));
}

/* The static type of an operand when known: a constant's, or N for size(). */
static const char *static_type(const expr_node *x)
{
    if (x->kind == EN_VALUE) return expr_type_name(x->value);
    if (x->kind == EN_FUNC && x->op == FN_SIZE) return "N";
    return NULL;
}

/* True when the type name `t` is one of the space-separated `types`. */
static bool type_in(const char *types, const char *t)
{
    size_t n = strlen(t);
    for (const char *s = types; (s = strstr(s, t)) != NULL; s += n)
        if ((s == types || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0')) return true;
    return false;
}

/* Operands of comparisons: paths, values and size(); constants of `types`. */
static bool check_operand(expr_parser *p, const expr_node *x, const char *op, const char *types)
{
    if (x->kind == EN_FUNC && x->op != FN_SIZE) return misused(p, x);
    const char *t = static_type(x);
    if (types && t && !type_in(types, t)) return bad_type(p, op, t);
    return true;
}

static bool is_condition(const expr_node *x)
{
    if (x->kind == EN_FUNC) return x->op != FN_SIZE;
    return x->kind != EN_PATH && x->kind != EN_VALUE && x->kind != EN_ARITH;
}

/* "The first operand must be distinct from the remaining operands". */
static bool check_distinct(expr_parser *p, const expr_node *n, const char *op)
{
    const expr_node *first = n->kids[0];
    if (first->kind != EN_PATH) return true;
    for (int i = 1; i < n->nkids; i++) {
        if (n->kids[i]->kind != EN_PATH || !expr_path_equal(&first->path, &n->kids[i]->path))
            continue;
        char path[400];
        expr_path_format(&first->path, path, sizeof path);
        return expr_fail(p,
                         "The first operand must be distinct from the remaining operands for "
                         "this operator or function; operator: %s, first operand: %s",
                         op, path);
    }
    return true;
}

/* "AttributeValue: {S:x}": how DynamoDB (and DynamoDB Local 3.3.1) prints a
   scalar constant in BETWEEN messages. */
static void scalar_text(const json_t *v, char *out, size_t size)
{
    const char *key = expr_type_name(v);
    const char *s = json_string_value(json_object_get(v, key));
    snprintf(out, size, "AttributeValue: {%s:%.300s}", key, s ? s : "");
}

static bool check_between(expr_parser *p, const expr_node *n)
{
    for (int i = 0; i < 3; i++)
        if (!check_operand(p, n->kids[i], "BETWEEN", "S N B")) return false;
    const expr_node *lo = n->kids[1], *hi = n->kids[2];
    if (lo->kind == EN_VALUE && hi->kind == EN_VALUE) {
        char a[400], b[400];
        bool comparable = false;
        int c = ddb_av_compare(lo->value, hi->value, &comparable);
        scalar_text(lo->value, a, sizeof a);
        scalar_text(hi->value, b, sizeof b);
        if (!comparable)
            return expr_fail(p,
                             "The BETWEEN operator requires same data type for lower and upper "
                             "bounds; lower bound operand: %s, upper bound operand: %s",
                             a, b);
        if (c > 0)
            return expr_fail(p,
                             "The BETWEEN operator requires upper bound to be greater than or "
                             "equal to lower bound; lower bound operand: %s, upper bound "
                             "operand: %s",
                             a, b);
    }
    return check_distinct(p, n, "BETWEEN");
}

static bool check_arity(expr_parser *p, const expr_node *n)
{
    if (n->nkids == functions[fn_index((expr_fn)n->op)].nargs) return true;
    return expr_fail(p,
                     "Incorrect number of operands for operator or function; operator or "
                     "function: %s, number of operands: %d",
                     fn_name((expr_fn)n->op), n->nkids);
}

static bool need_path(expr_parser *p, const expr_node *n)
{
    if (n->kids[0]->kind == EN_PATH) return true;
    return expr_fail(p, "Operator or function requires a document path; operator or function: %s",
                     fn_name((expr_fn)n->op));
}

static const char *const type_names = "{NS,M,N,BS,NULL,BOOL,S,SS,B,L}";

/* The functions of condition expressions. */
static bool check_cond_func(expr_parser *p, const expr_node *n)
{
    const char *name = fn_name((expr_fn)n->op);
    if (!check_arity(p, n)) return false;
    switch ((expr_fn)n->op) {
    case FN_ATTRIBUTE_EXISTS:
    case FN_ATTRIBUTE_NOT_EXISTS:
        return need_path(p, n);
    case FN_ATTRIBUTE_TYPE: {
        if (!need_path(p, n)) return false;
        const expr_node *t = n->kids[1];
        if (t->kind != EN_VALUE) {
            if (t->kind == EN_FUNC && t->op != FN_SIZE) return misused(p, t);
            return bad_type(p, name, t->kind == EN_FUNC ? "N" : type_names);
        }
        const char *s = json_string_value(json_object_get(t->value, "S"));
        if (!s) return bad_type(p, name, expr_type_name(t->value));
        if (ddb_av_type_from_name(s) == DDB_AV_INVALID)
            return expr_fail(p, "Invalid attribute type name found; type: %.100s, valid types: %s",
                             s, type_names);
        return true;
    }
    case FN_BEGINS_WITH:
        for (int i = 0; i < 2; i++)
            if (!check_operand(p, n->kids[i], name, "S B")) return false;
        return check_distinct(p, n, name);
    case FN_CONTAINS:
        for (int i = 0; i < 2; i++)
            if (!check_operand(p, n->kids[i], name, NULL)) return false;
        return check_distinct(p, n, name);
    case FN_SIZE:
        return check_operand(p, n->kids[0], name, "S B SS NS BS L M");
    default:
        return true;
    }
}

/* The functions and arithmetic of update SET values. */
static bool check_update_node(expr_parser *p, const expr_node *n)
{
    if (n->kind == EN_ARITH) {
        const char *op = n->op == TK_PLUS ? "+" : "-";
        for (int i = 0; i < 2; i++) {
            const expr_node *x = n->kids[i];
            if (x->kind == EN_FUNC && x->op != FN_IF_NOT_EXISTS) return misused(p, x);
            if (x->kind == EN_VALUE && strcmp(expr_type_name(x->value), "N") != 0)
                return bad_type(p, op, expr_type_name(x->value));
        }
        return true;
    }
    if (n->kind != EN_FUNC) return true;
    if (!check_arity(p, n)) return false;
    for (int i = 0; i < 2; i++) {
        const expr_node *x = n->kids[i];
        if (n->op == FN_IF_NOT_EXISTS && i == 0) {
            if (!need_path(p, n)) return false;
            continue;
        }
        if ((x->kind == EN_FUNC && (n->op != FN_LIST_APPEND || x->op != FN_IF_NOT_EXISTS)) ||
            x->kind == EN_ARITH)
            return x->kind == EN_FUNC ? misused(p, x) : bad_type(p, fn_name(n->op), "N");
        if (n->op == FN_LIST_APPEND && x->kind == EN_VALUE &&
            strcmp(expr_type_name(x->value), "L") != 0)
            return bad_type(p, "list_append", expr_type_name(x->value));
    }
    return true;
}

static const char *cmp_text(int op)
{
    switch (op) {
    case TK_EQ:
        return "=";
    case TK_NE:
        return "<>";
    case TK_LT:
        return "<";
    case TK_LE:
        return "<=";
    case TK_GT:
        return ">";
    default:
        return ">=";
    }
}

bool expr_check_tree(expr_parser *p, expr_node *n, expr_ctx ctx)
{
    if (n->kind == EN_PATH) return expr_check_path(p, n);
    if (n->kind == EN_VALUE) return expr_check_value(p, n);
    for (int i = 0; i < n->nkids; i++)
        if (!expr_check_tree(p, n->kids[i], ctx)) return false;
    if (ctx == CTX_UPDATE) return check_update_node(p, n);
    switch (n->kind) {
    case EN_CMP: {
        const char *op = cmp_text(n->op);
        const char *types = n->op == TK_EQ || n->op == TK_NE ? NULL : "S N B";
        for (int i = 0; i < 2; i++)
            if (!check_operand(p, n->kids[i], op, types)) return false;
        return check_distinct(p, n, op);
    }
    case EN_BETWEEN:
        return check_between(p, n);
    case EN_IN:
        for (int i = 0; i < n->nkids; i++)
            if (!check_operand(p, n->kids[i], "IN", NULL)) return false;
        return check_distinct(p, n, "IN");
    case EN_AND:
    case EN_OR:
    case EN_NOT:
        for (int i = 0; i < n->nkids; i++)
            if (!is_condition(n->kids[i])) return misused(p, n->kids[i]);
        return true;
    case EN_FUNC:
        return check_cond_func(p, n);
    default:
        return true;
    }
}
