/*
 * expr_parse: a recursive-descent parser for DynamoDB's expression grammar,
 * producing expr_node trees and DynamoDB's syntax errors. It checks syntax
 * and the limits that do not depend on names and values (operator count,
 * IN operand count, list index range, redundant parentheses); expr_check.c
 * does the rest.
 *
 * Precedence, lowest first: OR, AND, NOT, then a comparison, BETWEEN, IN or
 * a function. A parenthesis may open a condition or an operand ("(a) = :v");
 * the parser first tries an operand quietly and falls back to a condition.
 * Recursion is bounded by EXPR_MAX_DEPTH so hostile input cannot exhaust
 * the stack.
 */
#include "ddb/model/expr_int.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

/* More nesting than any expression within the operator limit can have. */
#define EXPR_MAX_DEPTH (EXPR_MAX_OPERATORS + 20)

static const char *const keywords[] = {"AND", "OR",     "NOT", "BETWEEN", "IN",
                                       "SET", "REMOVE", "ADD", "DELETE"};

static bool is_keyword(const expr_parser *p, size_t i)
{
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
        if (expr_tok_is(p, i, keywords[k])) return true;
    return false;
}

static bool is_cmp(expr_tok_kind k)
{
    return k == TK_EQ || k == TK_NE || k == TK_LT || k == TK_LE || k == TK_GT || k == TK_GE;
}

/* An error that trying another reading cannot avoid: reported even when quiet. */
static bool fail_hard(expr_parser *p, const char *msg)
{
    int quiet = p->quiet;
    p->quiet = 0;
    expr_fail(p, "%s", msg);
    p->quiet = quiet;
    p->hard = true;
    return false;
}

bool expr_count_op(expr_parser *p)
{
    if (++p->n_ops <= EXPR_MAX_OPERATORS) return true;
    char msg[96];
    snprintf(msg, sizeof msg, "The expression contains too many operators; operator count: %d",
             p->n_ops);
    return fail_hard(p, msg);
}

static bool enter(expr_parser *p)
{
    if (++p->depth <= EXPR_MAX_DEPTH) return true;
    if (p->pos > 0 && p->toks[p->pos].kind == TK_LPAREN && p->toks[p->pos - 1].kind == TK_LPAREN)
        return fail_hard(p, "The expression has redundant parentheses;");
    char msg[96];
    snprintf(msg, sizeof msg, "The expression contains too many operators; operator count: %d",
             EXPR_MAX_OPERATORS + 1);
    return fail_hard(p, msg);
}

static bool expect(expr_parser *p, expr_tok_kind kind)
{
    if (p->toks[p->pos].kind != kind) return expr_syntax_error(p, p->pos);
    p->pos++;
    return true;
}

/* Adds one element to a path under construction. */
static void path_push(expr_path *path, const expr_pel *el)
{
    expr_pel *e = xrealloc(path->el, (size_t)(path->n + 1) * sizeof *e);
    path->el = e;
    path->el[path->n++] = *el;
}

static bool is_name_tok(const expr_parser *p, size_t i)
{
    expr_tok_kind k = p->toks[i].kind;
    return k == TK_HNAME || (k == TK_NAME && !is_keyword(p, i));
}

/* "[n]": DynamoDB accepts indexes up to 2^31 - 1. */
static bool parse_index(expr_parser *p, expr_pel *el)
{
    p->pos++; /* [ */
    const expr_tok *t = &p->toks[p->pos];
    if (t->kind != TK_INT) return expr_syntax_error(p, p->pos);
    long v = 0;
    bool big = t->len > 10;
    for (size_t i = 0; i < t->len && !big; i++)
        v = v * 10 + (p->text[t->off + i] - '0');
    if (big || v > 2147483647L) {
        char msg[128];
        snprintf(msg, sizeof msg, "List index is not within the allowable range; index: [%.*s]",
                 (int)(t->len > 40 ? 40 : t->len), p->text + t->off);
        return fail_hard(p, msg);
    }
    p->pos++;
    el->is_index = true;
    el->index = v;
    el->tok = p->pos - 1;
    return expect(p, TK_RBRACK);
}

expr_node *expr_parse_path(expr_parser *p)
{
    if (!is_name_tok(p, p->pos)) {
        expr_syntax_error(p, p->pos);
        return NULL;
    }
    expr_node *n = expr_node_new(EN_PATH, 0, p->pos);
    expr_pel el = {NULL, p->pos++, 0, false};
    path_push(&n->path, &el);
    for (;;) {
        expr_tok_kind k = p->toks[p->pos].kind;
        memset(&el, 0, sizeof el);
        if (k == TK_DOT) {
            p->pos++;
            if (!is_name_tok(p, p->pos)) {
                expr_syntax_error(p, p->pos);
                break;
            }
            el.tok = p->pos++;
        } else if (k == TK_LBRACK) {
            if (!parse_index(p, &el)) break;
        } else {
            return n;
        }
        path_push(&n->path, &el);
    }
    expr_node_free(n);
    return NULL;
}

expr_node *expr_parse_value_token(expr_parser *p)
{
    if (p->toks[p->pos].kind != TK_VALUE) {
        expr_syntax_error(p, p->pos);
        return NULL;
    }
    return expr_node_new(EN_VALUE, 0, p->pos++);
}

static expr_node *parse_operand(expr_parser *p, bool update);

/* name(arg, ...): the arguments are operands, or SET values in updates. */
static expr_node *parse_call(expr_parser *p, bool update)
{
    if (!expr_count_op(p) || !enter(p)) return NULL;
    expr_node *n = expr_node_new(EN_FUNC, FN_UNKNOWN, p->pos);
    p->pos += 2;
    for (;;) {
        expr_node *arg = update ? expr_parse_set_value(p) : parse_operand(p, false);
        if (!arg) goto fail;
        expr_node_add(n, arg);
        if (p->toks[p->pos].kind != TK_COMMA) break;
        p->pos++;
    }
    if (!expect(p, TK_RPAREN)) goto fail;
    p->depth--;
    return n;
fail:
    expr_node_free(n);
    return NULL;
}

/* Wraps what was parsed inside "( ... )", rejecting "((x))". */
static expr_node *close_paren(expr_parser *p, expr_node *inner)
{
    if (!expect(p, TK_RPAREN)) {
        expr_node_free(inner);
        return NULL;
    }
    if (inner->paren) {
        expr_node_free(inner);
        fail_hard(p, "The expression has redundant parentheses;");
        return NULL;
    }
    inner->paren = true;
    p->depth--;
    return inner;
}

static expr_node *parse_operand(expr_parser *p, bool update)
{
    const expr_tok *t = &p->toks[p->pos];
    if (t->kind == TK_VALUE) return expr_parse_value_token(p);
    if (t->kind == TK_NAME && p->toks[p->pos + 1].kind == TK_LPAREN && !is_keyword(p, p->pos))
        return parse_call(p, update);
    if (t->kind == TK_LPAREN) {
        if (!enter(p)) return NULL;
        p->pos++;
        expr_node *inner = update ? expr_parse_set_value(p) : parse_operand(p, false);
        return inner ? close_paren(p, inner) : NULL;
    }
    return expr_parse_path(p);
}

expr_node *expr_parse_set_value(expr_parser *p)
{
    expr_node *left = parse_operand(p, true);
    if (!left) return NULL;
    expr_tok_kind k = p->toks[p->pos].kind;
    if (k != TK_PLUS && k != TK_MINUS) return left;
    expr_node *n = expr_node_new(EN_ARITH, k, p->pos);
    expr_node_add(n, left);
    if (!expr_count_op(p)) goto fail;
    p->pos++;
    expr_node *right = parse_operand(p, true);
    if (!right) goto fail;
    expr_node_add(n, right);
    return n;
fail:
    expr_node_free(n);
    return NULL;
}

static bool at_comparison(const expr_parser *p)
{
    return is_cmp(p->toks[p->pos].kind) || expr_tok_is(p, p->pos, "BETWEEN") ||
           expr_tok_is(p, p->pos, "IN");
}

/* After the left operand: "op x", "BETWEEN x AND y" or "IN (x, ...)". */
static expr_node *parse_comparison(expr_parser *p, expr_node *left)
{
    expr_node *n = NULL;
    size_t at = p->pos;
    if (!at_comparison(p)) {
        expr_syntax_error(p, p->pos);
        expr_node_free(left);
        return NULL;
    }
    if (is_cmp(p->toks[at].kind))
        n = expr_node_new(EN_CMP, p->toks[at].kind, at);
    else if (expr_tok_is(p, at, "BETWEEN"))
        n = expr_node_new(EN_BETWEEN, 0, at);
    else
        n = expr_node_new(EN_IN, 0, at);
    expr_node_add(n, left);
    if (!expr_count_op(p)) goto fail;
    p->pos++;
    if (n->kind == EN_IN && !expect(p, TK_LPAREN)) goto fail;
    for (;;) {
        expr_node *x = parse_operand(p, false);
        if (!x) goto fail;
        expr_node_add(n, x);
        if (n->kind == EN_CMP) break;
        if (n->kind == EN_BETWEEN) {
            if (n->nkids == 3) break;
            if (!expr_tok_is(p, p->pos, "AND")) {
                expr_syntax_error(p, p->pos);
                goto fail;
            }
            p->pos++;
            continue;
        }
        if (p->toks[p->pos].kind != TK_COMMA) break;
        p->pos++;
    }
    if (n->kind == EN_IN) {
        if (!expect(p, TK_RPAREN)) goto fail;
        if (n->nkids > EXPR_MAX_IN) {
            char msg[128];
            snprintf(msg, sizeof msg,
                     "The IN operator is provided with too many operands; number of operands: %d",
                     n->nkids);
            fail_hard(p, msg);
            goto fail;
        }
    }
    return n;
fail:
    expr_node_free(n);
    return NULL;
}

static expr_node *parse_or(expr_parser *p);

static expr_node *parse_primary(expr_parser *p)
{
    if (p->toks[p->pos].kind == TK_LPAREN) {
        /* "(operand) op ..." is tried first, quietly. */
        size_t pos = p->pos;
        int ops = p->n_ops, depth = p->depth;
        p->quiet++;
        expr_node *x = parse_operand(p, false);
        p->quiet--;
        if (x && at_comparison(p)) return parse_comparison(p, x);
        expr_node_free(x);
        if (p->hard) return NULL;
        p->failed = false;
        p->pos = pos;
        p->n_ops = ops;
        p->depth = depth;
        if (!enter(p)) return NULL;
        p->pos++;
        expr_node *inner = parse_or(p);
        return inner ? close_paren(p, inner) : NULL;
    }
    expr_node *left = parse_operand(p, false);
    if (!left) return NULL;
    if (left->kind == EN_FUNC && !at_comparison(p)) return left;
    return parse_comparison(p, left);
}

static expr_node *parse_not(expr_parser *p)
{
    if (!expr_tok_is(p, p->pos, "NOT")) return parse_primary(p);
    size_t at = p->pos;
    if (!expr_count_op(p) || !enter(p)) return NULL;
    p->pos++;
    expr_node *kid = parse_not(p);
    if (!kid) return NULL;
    p->depth--;
    expr_node *n = expr_node_new(EN_NOT, 0, at);
    expr_node_add(n, kid);
    return n;
}

/* One level of AND or OR: a flat node with all the operands of the chain. */
static expr_node *parse_chain(expr_parser *p, const char *word, expr_kind kind,
                              expr_node *(*next)(expr_parser *))
{
    expr_node *first = next(p);
    if (!first || !expr_tok_is(p, p->pos, word)) return first;
    expr_node *n = expr_node_new(kind, 0, p->pos);
    expr_node_add(n, first);
    while (expr_tok_is(p, p->pos, word)) {
        if (!expr_count_op(p)) goto fail;
        p->pos++;
        expr_node *x = next(p);
        if (!x) goto fail;
        expr_node_add(n, x);
    }
    return n;
fail:
    expr_node_free(n);
    return NULL;
}

static expr_node *parse_and(expr_parser *p)
{
    return parse_chain(p, "AND", EN_AND, parse_not);
}

static expr_node *parse_or(expr_parser *p)
{
    return parse_chain(p, "OR", EN_OR, parse_and);
}

expr_node *expr_parse_condition(expr_parser *p)
{
    expr_node *n = parse_or(p);
    if (n && p->toks[p->pos].kind != TK_EOF) {
        expr_syntax_error(p, p->pos);
        expr_node_free(n);
        return NULL;
    }
    return n;
}
