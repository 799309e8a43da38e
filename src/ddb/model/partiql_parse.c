/*
 * partiql_parse: the statement tree of one PartiQL statement, by recursive
 * descent over the tokens of partiql_lex.c. The grammar is DynamoDB's
 * subset:
 *
 *   SELECT (* | path, ...) FROM from [WHERE expr] [ORDER BY path [ASC|DESC]]
 *   INSERT INTO from VALUE {...}
 *   UPDATE from (SET path = expr, ... | REMOVE path, ...)... [WHERE expr]
 *          [RETURNING (ALL|MODIFIED) (OLD|NEW) *]
 *   DELETE FROM from [WHERE expr] [RETURNING ALL OLD *]
 *   EXISTS (SELECT * FROM from WHERE expr)
 *
 *   from := name ["." name]        name := identifier | "quoted"
 *   expr := OR / AND / NOT over comparisons (= <> != < <= > >=),
 *           BETWEEN, IN, IS [NOT] MISSING|NULL, function calls, + and -,
 *           paths (a.b[0]), ?, literals ('s', 1.5, TRUE, NULL, [..], {..},
 *           <<..>>)
 *
 * Syntax errors are DynamoDB Local's "Statement wasn't well formed, can't
 * be processed: <statement>"; a few semantic refusals carry its own
 * messages. Nesting deeper than PQ_MAX_DEPTH is refused, never recursed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ddb/model/partiql.h"

#include "base/alloc.h"

typedef struct parser {
    pq_toks t;
    size_t pos;
    const char *text;
    size_t len;
    ddb_err *err;
    int depth;
    int n_params;
    bool failed;
} parser;

/* ---- errors ---- */

static void *fail_syntax(parser *p)
{
    if (!p->failed)
        ddb_err_set(p->err, DDB_E_VALIDATION,
                    "Statement wasn't well formed, can't be processed: %.*s",
                    (int)(p->len > 900 ? 900 : p->len), p->text);
    p->failed = true;
    return NULL;
}

static void *fail_at(parser *p, const pq_tok *at, const char *what)
{
    if (!p->failed)
        ddb_err_set(p->err, DDB_E_VALIDATION, "%s at %d:%d:%d", what, at->line, at->col, at->width);
    p->failed = true;
    return NULL;
}

static void *fail_msg(parser *p, const char *what)
{
    if (!p->failed) ddb_err_set(p->err, DDB_E_VALIDATION, "%s", what);
    p->failed = true;
    return NULL;
}

/* ---- tokens ---- */

static const pq_tok *peek(const parser *p)
{
    return &p->t.v[p->pos];
}

static const pq_tok *peek2(const parser *p)
{
    return p->pos + 1 < p->t.n ? &p->t.v[p->pos + 1] : &p->t.v[p->t.n - 1];
}

static const pq_tok *next(parser *p)
{
    const pq_tok *t = &p->t.v[p->pos];
    if (t->type != PQ_T_END) p->pos++;
    return t;
}

static bool is_kw(const pq_tok *t, const char *kw)
{
    return t->type == PQ_T_IDENT && !strcasecmp(t->text, kw);
}

static bool is_punct(const pq_tok *t, const char *s)
{
    return (t->type == PQ_T_PUNCT || t->type == PQ_T_OP2) && !strcmp(t->text, s);
}

static bool accept_kw(parser *p, const char *kw)
{
    if (!is_kw(peek(p), kw)) return false;
    next(p);
    return true;
}

static bool accept(parser *p, const char *s)
{
    if (!is_punct(peek(p), s)) return false;
    next(p);
    return true;
}

static bool expect_kw(parser *p, const char *kw)
{
    if (accept_kw(p, kw)) return true;
    fail_syntax(p);
    return false;
}

static bool expect(parser *p, const char *s)
{
    if (accept(p, s)) return true;
    fail_syntax(p);
    return false;
}

/* Words that end or shape a clause: never an attribute name when bare. */
static bool is_reserved(const pq_tok *t)
{
    static const char *const words[] = {
        "SELECT", "FROM",   "WHERE", "AND",    "OR",    "NOT",      "BETWEEN",   "IN",     "IS",
        "ORDER",  "BY",     "VALUE", "VALUES", "SET",   "REMOVE",   "RETURNING", "INSERT", "INTO",
        "DELETE", "UPDATE", "TRUE",  "FALSE",  "NULL",  "MISSING",  "EXISTS",    "AS",     "ASC",
        "DESC",   "LIMIT",  "GROUP", "HAVING", "UNION", "DISTINCT", NULL};
    if (t->type != PQ_T_IDENT) return false;
    for (int i = 0; words[i]; i++)
        if (!strcasecmp(t->text, words[i])) return true;
    return false;
}

/* ---- nodes ---- */

static pq_node *node_new(pq_node_type type, const pq_tok *at)
{
    pq_node *n = xcalloc(1, sizeof *n);
    n->type = type;
    n->line = at->line;
    n->col = at->col;
    n->width = at->width;
    return n;
}

static void node_add(pq_node *n, pq_node *kid)
{
    n->kids = xrealloc(n->kids, (n->n_kids + 1) * sizeof *n->kids);
    n->kids[n->n_kids++] = kid;
}

void pq_node_free(pq_node *n)
{
    if (!n) return;
    json_decref(n->av);
    free(n->name);
    for (size_t i = 0; i < n->n_path; i++)
        free(n->path[i].name);
    free(n->path);
    for (size_t i = 0; i < n->n_kids; i++) {
        pq_node_free(n->kids[i]);
        if (n->keys) free(n->keys[i]);
    }
    free(n->kids);
    free(n->key_at);
    free(n->keys);
    free(n);
}

static pq_node *node_bin(pq_node_type type, const char *op, pq_node *a, pq_node *b)
{
    pq_node *n = xcalloc(1, sizeof *n);
    n->type = type;
    n->op = op;
    n->line = a->line;
    n->col = a->col;
    n->width = a->width;
    node_add(n, a);
    node_add(n, b);
    return n;
}

/* ---- names and paths ---- */

/* An identifier or quoted identifier; NULL (syntax error) otherwise. */
static const pq_tok *name_tok(parser *p)
{
    const pq_tok *t = peek(p);
    if (t->type == PQ_T_QIDENT || (t->type == PQ_T_IDENT && !is_reserved(t))) return next(p);
    return fail_syntax(p);
}

static void path_push(pq_node *n, char *name, long index)
{
    n->path = xrealloc(n->path, (n->n_path + 1) * sizeof *n->path);
    n->path[n->n_path].name = name;
    n->path[n->n_path].index = index;
    n->n_path++;
}

/* name ( . name | [ number ] | [ 'key' ] )*, the first name already read. */
static pq_node *path_rest(parser *p, const pq_tok *first)
{
    pq_node *n = node_new(PQ_N_PATH, first);
    path_push(n, xstrdup(first->text), 0);
    for (;;) {
        if (accept(p, ".")) {
            const pq_tok *t = name_tok(p);
            if (!t) break;
            path_push(n, xstrdup(t->text), 0);
        } else if (is_punct(peek(p), "[")) {
            next(p);
            const pq_tok *t = next(p);
            if (t->type == PQ_T_NUMBER && strspn(t->text, "0123456789") == t->len && t->len < 10) {
                path_push(n, NULL, strtol(t->text, NULL, 10));
            } else if (t->type == PQ_T_STRING) {
                path_push(n, xstrdup(t->text), 0);
            } else {
                fail_syntax(p);
                break;
            }
            if (!expect(p, "]")) break;
        } else {
            return n;
        }
    }
    pq_node_free(n);
    return NULL;
}

static pq_node *path(parser *p)
{
    const pq_tok *t = name_tok(p);
    return t ? path_rest(p, t) : NULL;
}

/* ---- expressions ---- */

static pq_node *expr(parser *p);

static bool enter(parser *p)
{
    if (++p->depth <= PQ_MAX_DEPTH) return true;
    fail_msg(p, "Statement is too deeply nested");
    return false;
}

/* kids up to the closing `close`, separated by commas (none allowed). */
static pq_node *collection(parser *p, pq_node *n, const char *close)
{
    if (accept(p, close)) return n;
    do {
        pq_node *kid = expr(p);
        if (!kid) {
            pq_node_free(n);
            return NULL;
        }
        node_add(n, kid);
    } while (accept(p, ","));
    if (!expect(p, close)) {
        pq_node_free(n);
        return NULL;
    }
    return n;
}

/* { 'key': value, ... } */
static pq_node *map_literal(parser *p, const pq_tok *open)
{
    pq_node *n = node_new(PQ_N_MAP, open);
    if (accept(p, "}")) return n;
    do {
        const pq_tok *k = next(p);
        if (k->type == PQ_T_QIDENT || k->type == PQ_T_IDENT) {
            char what[128];
            snprintf(what, sizeof what,
                     "Tuple keys must be of type String. Actual type: VariableReference under "
                     "root");
            pq_node_free(n);
            return fail_at(p, k, what);
        }
        if (k->type != PQ_T_STRING || !expect(p, ":")) {
            pq_node_free(n);
            return fail_syntax(p);
        }
        /* A repeated key is refused when the map is converted
           (partiql_value.c), in DynamoDB Local's order of checks. */
        pq_node *v = expr(p);
        if (!v) {
            pq_node_free(n);
            return NULL;
        }
        n->keys = xrealloc(n->keys, (n->n_kids + 1) * sizeof *n->keys);
        n->keys[n->n_kids] = xstrdup(k->text);
        n->key_at = xrealloc(n->key_at, (n->n_kids + 1) * sizeof *n->key_at);
        n->key_at[n->n_kids] = (pq_pos){k->line, k->col, k->width};
        node_add(n, v);
    } while (accept(p, ","));
    if (!expect(p, "}")) {
        pq_node_free(n);
        return NULL;
    }
    return n;
}

/* A literal node; NULL (syntax error) when the text was no valid UTF-8. */
static pq_node *literal(parser *p, const pq_tok *t, json_t *av)
{
    if (!av) return fail_syntax(p);
    pq_node *n = node_new(PQ_N_LIT, t);
    n->av = av;
    return n;
}

static pq_node *primary(parser *p)
{
    const pq_tok *t = peek(p);
    switch (t->type) {
    case PQ_T_STRING:
        next(p);
        return literal(p, t, json_pack("{s:s%}", "S", t->text, t->len));
    case PQ_T_NUMBER:
        next(p);
        return literal(p, t, json_pack("{s:s}", "N", t->text));
    case PQ_T_ION:
        return fail_at(p, t, "Ion Literals are not supported");
    case PQ_T_QIDENT:
        return path(p);
    case PQ_T_END:
        return fail_syntax(p);
    default:
        break;
    }
    if (is_punct(t, "-") && peek2(p)->type == PQ_T_NUMBER) {
        next(p);
        const pq_tok *num = next(p);
        char *text = xmalloc(num->len + 2);
        text[0] = '-';
        memcpy(text + 1, num->text, num->len + 1);
        pq_node *n = literal(p, t, json_pack("{s:s}", "N", text));
        free(text);
        return n;
    }
    if (accept(p, "?")) {
        pq_node *n = node_new(PQ_N_PARAM, t);
        n->param = p->n_params++;
        return n;
    }
    if (accept(p, "[")) return collection(p, node_new(PQ_N_LIST, t), "]");
    if (accept(p, "<<")) {
        pq_node *n = collection(p, node_new(PQ_N_BAG, t), ">>");
        if (n && n->n_kids == 0) {
            pq_node_free(n);
            return fail_at(p, t, "Empty bags are not supported");
        }
        return n;
    }
    if (accept(p, "{")) return map_literal(p, t);
    if (accept(p, "(")) {
        pq_node *first = expr(p);
        if (!first) return NULL;
        if (accept(p, ")")) return first;
        /* (a, b, ...): a list, as the right side of IN. */
        pq_node *n = node_new(PQ_N_LIST, t);
        node_add(n, first);
        if (!expect(p, ",")) {
            pq_node_free(n);
            return NULL;
        }
        return collection(p, n, ")");
    }
    if (t->type != PQ_T_IDENT) return fail_syntax(p);
    if (is_kw(t, "TRUE") || is_kw(t, "FALSE")) {
        next(p);
        return literal(p, t, json_pack("{s:b}", "BOOL", is_kw(t, "TRUE")));
    }
    if (is_kw(t, "NULL")) {
        next(p);
        return literal(p, t, json_pack("{s:b}", "NULL", 1));
    }
    if (is_kw(t, "MISSING")) return fail_at(p, t, "Unsupported data type: MISSING under key root");
    if (is_kw(t, "SELECT")) {
        char what[64];
        snprintf(what, sizeof what, "Unsupported token in expression: SELECT");
        return fail_at(p, t, what);
    }
    if (is_punct(peek2(p), "(") && (!is_reserved(t) || is_kw(t, "EXISTS"))) {
        next(p);
        next(p);
        pq_node *n = node_new(PQ_N_FUNC, t);
        n->name = xstrdup(t->text);
        for (char *c = n->name; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        return collection(p, n, ")");
    }
    return path(p);
}

/* primary (+|- primary)* */
static pq_node *additive(parser *p)
{
    pq_node *a = primary(p);
    while (a && (is_punct(peek(p), "+") || is_punct(peek(p), "-"))) {
        const pq_tok *at = next(p);
        const char *op = is_punct(at, "+") ? "+" : "-";
        pq_node *b = primary(p);
        if (!b) {
            pq_node_free(a);
            return NULL;
        }
        a = node_bin(PQ_N_ARITH, op, a, b);
        a->line = at->line;
        a->col = at->col;
        a->width = at->width;
    }
    return a;
}

static const char *cmp_op(const pq_tok *t)
{
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    if (is_punct(t, "!=")) return "<>";
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (is_punct(t, ops[i])) return ops[i];
    return NULL;
}

/* additive [cmp additive | [NOT] BETWEEN a AND b | [NOT] IN list | IS [NOT] X] */
static pq_node *predicate(parser *p)
{
    pq_node *a = additive(p);
    if (!a) return NULL;
    const char *op = cmp_op(peek(p));
    if (op) {
        next(p);
        pq_node *b = additive(p);
        if (!b) {
            pq_node_free(a);
            return NULL;
        }
        return node_bin(PQ_N_CMP, op, a, b);
    }
    bool negated = false;
    if (is_kw(peek(p), "NOT") && (is_kw(peek2(p), "BETWEEN") || is_kw(peek2(p), "IN"))) {
        next(p);
        negated = true;
    }
    pq_node *n = NULL;
    if (accept_kw(p, "BETWEEN")) {
        pq_node *lo = additive(p), *hi = NULL;
        if (lo && expect_kw(p, "AND")) hi = additive(p);
        if (!hi) {
            pq_node_free(a);
            pq_node_free(lo);
            return NULL;
        }
        n = node_bin(PQ_N_BETWEEN, "BETWEEN", a, lo);
        node_add(n, hi);
    } else if (accept_kw(p, "IN")) {
        const pq_tok *open = peek(p);
        pq_node *list = NULL;
        if (accept(p, "[")) {
            list = collection(p, node_new(PQ_N_LIST, open), "]");
        } else if (accept(p, "(")) {
            list = collection(p, node_new(PQ_N_LIST, open), ")");
        } else {
            fail_syntax(p);
        }
        if (!list || list->n_kids == 0) {
            pq_node_free(a);
            pq_node_free(list);
            return fail_syntax(p);
        }
        n = node_new(PQ_N_IN, open);
        node_add(n, a);
        for (size_t i = 0; i < list->n_kids; i++)
            node_add(n, list->kids[i]);
        list->n_kids = 0;
        pq_node_free(list);
    } else if (!negated && accept_kw(p, "IS")) {
        n = node_new(PQ_N_IS, peek(p));
        n->negated = accept_kw(p, "NOT");
        if (accept_kw(p, "MISSING")) {
            n->op = "MISSING";
        } else if (accept_kw(p, "NULL")) {
            n->op = "NULL";
        } else {
            pq_node_free(n);
            pq_node_free(a);
            return fail_syntax(p);
        }
        node_add(n, a);
        return n;
    } else {
        return a;
    }
    if (!negated) return n;
    pq_node *not = node_new(PQ_N_NOT, peek(p));
    node_add(not, n);
    return not ;
}

static pq_node *not_expr(parser *p)
{
    if (!enter(p)) return NULL;
    pq_node *n;
    const pq_tok *t = peek(p);
    if (accept_kw(p, "NOT")) {
        pq_node *kid = not_expr(p);
        n = kid ? node_new(PQ_N_NOT, t) : NULL;
        if (n) node_add(n, kid);
    } else {
        n = predicate(p);
    }
    p->depth--;
    return n;
}

static pq_node *and_expr(parser *p)
{
    pq_node *a = not_expr(p);
    while (a && accept_kw(p, "AND")) {
        pq_node *b = not_expr(p);
        if (!b) {
            pq_node_free(a);
            return NULL;
        }
        a = node_bin(PQ_N_AND, "AND", a, b);
    }
    return a;
}

static pq_node *expr(parser *p)
{
    if (!enter(p)) return NULL;
    pq_node *a = and_expr(p);
    while (a && accept_kw(p, "OR")) {
        pq_node *b = and_expr(p);
        if (!b) {
            pq_node_free(a);
            a = NULL;
            break;
        }
        a = node_bin(PQ_N_OR, "OR", a, b);
    }
    p->depth--;
    return a;
}

/* ---- statements ---- */

static bool from_clause(parser *p, pq_stmt *s)
{
    const pq_tok *t = name_tok(p);
    if (!t) return false;
    s->table = xstrdup(t->text);
    if (accept(p, ".")) {
        t = name_tok(p);
        if (!t) return false;
        s->index = xstrdup(t->text);
    }
    return true;
}

static bool where_clause(parser *p, pq_stmt *s, bool required)
{
    if (!accept_kw(p, "WHERE")) return !required || fail_syntax(p);
    s->where = expr(p);
    return s->where != NULL;
}

static bool select_stmt(parser *p, pq_stmt *s)
{
    s->kind = PQ_SELECT;
    if (!accept(p, "*")) {
        do {
            const pq_tok *at = peek(p);
            if (at->type != PQ_T_IDENT && at->type != PQ_T_QIDENT) {
                if (is_punct(at, "*")) return fail_syntax(p);
                return fail_at(p, at, "Unexpected path component");
            }
            if (at->type == PQ_T_IDENT && is_punct(peek2(p), "("))
                return fail_at(p, at, "Unexpected path component");
            pq_node *col = path(p);
            if (!col) return false;
            s->columns = xrealloc(s->columns, (s->n_columns + 1) * sizeof *s->columns);
            s->columns[s->n_columns++] = col;
            if (is_kw(peek(p), "AS") || (peek(p)->type == PQ_T_IDENT && !is_reserved(peek(p))))
                return fail_msg(p, "Aliasing is not supported");
        } while (accept(p, ","));
    }
    if (!expect_kw(p, "FROM") || !from_clause(p, s)) return false;
    if (is_kw(peek(p), "WHERE") && !where_clause(p, s, true)) return false;
    if (accept_kw(p, "ORDER")) {
        if (!expect_kw(p, "BY") || !(s->order_by = path(p))) return false;
        if (accept_kw(p, "DESC"))
            s->order_desc = true;
        else
            accept_kw(p, "ASC");
        if (!s->where)
            return fail_msg(p, "Must have WHERE clause in the statement when using ORDER BY "
                               "clause.");
    }
    return true;
}

static bool insert_stmt(parser *p, pq_stmt *s)
{
    s->kind = PQ_INSERT;
    if (!expect_kw(p, "INTO") || !from_clause(p, s) || !expect_kw(p, "VALUE")) return false;
    const pq_tok *at = peek(p);
    if (!(s->value = expr(p))) return false;
    if (s->value->type != PQ_N_MAP)
        return fail_at(p, at,
                       "Unsupported format in item expression. Please use struct format {...} "
                       "to express item values for insert statement.");
    if (s->index)
        return fail_msg(p, "FROM clause may only contain a single table name in data "
                           "manipulation statements");
    return true;
}

static bool assign_push(pq_stmt *s, pq_node *target, pq_node *value)
{
    s->assigns = xrealloc(s->assigns, (s->n_assigns + 1) * sizeof *s->assigns);
    s->assigns[s->n_assigns].target = target;
    s->assigns[s->n_assigns].value = value;
    s->n_assigns++;
    return true;
}

static bool returning_clause(parser *p, pq_stmt *s)
{
    if (!accept_kw(p, "RETURNING")) return true;
    bool all = accept_kw(p, "ALL");
    if (!all && !expect_kw(p, "MODIFIED")) return false;
    bool old = accept_kw(p, "OLD");
    if (!old && !expect_kw(p, "NEW")) return false;
    if (!expect(p, "*")) return false;
    s->returning = all ? (old ? PQ_RET_ALL_OLD : PQ_RET_ALL_NEW)
                       : (old ? PQ_RET_MODIFIED_OLD : PQ_RET_MODIFIED_NEW);
    return true;
}

static bool update_stmt(parser *p, pq_stmt *s)
{
    s->kind = PQ_UPDATE;
    if (!from_clause(p, s)) return false;
    bool any = false;
    for (;;) {
        if (accept_kw(p, "SET")) {
            do {
                pq_node *target = path(p);
                if (!target) return false;
                if (!expect(p, "=")) {
                    pq_node_free(target);
                    return false;
                }
                pq_node *value = expr(p);
                if (!value) {
                    pq_node_free(target);
                    return false;
                }
                assign_push(s, target, value);
            } while (accept(p, ","));
        } else if (accept_kw(p, "REMOVE")) {
            do {
                pq_node *target = path(p);
                if (!target) return false;
                assign_push(s, target, NULL);
            } while (accept(p, ","));
        } else {
            break;
        }
        any = true;
    }
    if (!any) return fail_syntax(p);
    if (is_kw(peek(p), "WHERE") && !where_clause(p, s, true)) return false;
    return returning_clause(p, s);
}

static bool delete_stmt(parser *p, pq_stmt *s)
{
    s->kind = PQ_DELETE;
    if (!expect_kw(p, "FROM") || !from_clause(p, s)) return false;
    if (is_kw(peek(p), "WHERE") && !where_clause(p, s, true)) return false;
    if (!returning_clause(p, s)) return false;
    if (s->returning != PQ_RET_NONE && s->returning != PQ_RET_ALL_OLD)
        return fail_msg(p, "Delete statement only supports ALL OLD * as returning clause");
    return true;
}

static bool exists_stmt(parser *p, pq_stmt *s)
{
    if (!expect(p, "(") || !expect_kw(p, "SELECT") || !select_stmt(p, s)) return false;
    s->kind = PQ_EXISTS;
    return expect(p, ")");
}

pq_stmt *pq_parse(const char *text, size_t len, ddb_err *err)
{
    parser p = {.text = text, .len = len, .err = err};
    if (!pq_lex(text, len, &p.t, err)) return NULL;
    pq_stmt *s = xcalloc(1, sizeof *s);
    bool ok;
    if (accept_kw(&p, "SELECT"))
        ok = select_stmt(&p, s);
    else if (accept_kw(&p, "INSERT"))
        ok = insert_stmt(&p, s);
    else if (accept_kw(&p, "UPDATE"))
        ok = update_stmt(&p, s);
    else if (accept_kw(&p, "DELETE"))
        ok = delete_stmt(&p, s);
    else if (accept_kw(&p, "EXISTS"))
        ok = exists_stmt(&p, s);
    else
        ok = fail_syntax(&p);
    if (ok) {
        accept(&p, ";");
        if (peek(&p)->type != PQ_T_END) ok = fail_syntax(&p);
    }
    s->n_params = p.n_params;
    pq_toks_free(&p.t);
    if (!ok) {
        if (!p.failed) fail_syntax(&p);
        pq_free(s);
        return NULL;
    }
    return s;
}

void pq_free(pq_stmt *s)
{
    if (!s) return;
    free(s->table);
    free(s->index);
    for (size_t i = 0; i < s->n_columns; i++)
        pq_node_free(s->columns[i]);
    free(s->columns);
    pq_node_free(s->where);
    pq_node_free(s->order_by);
    pq_node_free(s->value);
    for (size_t i = 0; i < s->n_assigns; i++) {
        pq_node_free(s->assigns[i].target);
        pq_node_free(s->assigns[i].value);
    }
    free(s->assigns);
    free(s);
}
