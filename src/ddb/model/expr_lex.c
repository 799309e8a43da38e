/*
 * expr_lex: the tokenizer of DynamoDB's expression language, the error
 * messages tied to the source text ("Syntax error; token: ..., near: ...")
 * and the tree nodes' memory. The whole text is cut into tokens up front
 * (the text is at most 4 KB), so the parser can look ahead and back freely.
 */
#include "ddb/model/expr_int.h"

#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
    return is_alpha(c) || is_digit(c) || c == '_';
}

/* Length of the UTF-8 character starting at s (1 for stray bytes). */
static size_t utf8_len(const char *s, size_t left)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n > left ? left : n;
}

/* Cuts one token at `i`; returns its end. */
static size_t lex_one(const char *s, size_t len, size_t i, expr_tok *t)
{
    size_t j = i + 1;
    char c = s[i];
    t->off = i;
    t->kind = TK_BAD;
    if (is_alpha(c)) {
        while (j < len && is_word(s[j]))
            j++;
        t->kind = TK_NAME;
    } else if ((c == '#' || c == ':') && j < len && is_word(s[j])) {
        while (j < len && is_word(s[j]))
            j++;
        t->kind = c == '#' ? TK_HNAME : TK_VALUE;
    } else if (c == '0') {
        t->kind = TK_INT;
    } else if (is_digit(c)) {
        while (j < len && is_digit(s[j]))
            j++;
        t->kind = TK_INT;
    } else {
        static const char singles[] = "()[].,=+-";
        static const expr_tok_kind kinds[] = {TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_DOT,
                                              TK_COMMA,  TK_EQ,     TK_PLUS,   TK_MINUS};
        const char *hit = c ? strchr(singles, c) : NULL;
        if (hit) {
            t->kind = kinds[hit - singles];
        } else if (c == '<') {
            t->kind = TK_LT;
            if (j < len && s[j] == '=') {
                t->kind = TK_LE;
                j++;
            } else if (j < len && s[j] == '>') {
                t->kind = TK_NE;
                j++;
            }
        } else if (c == '>') {
            t->kind = TK_GT;
            if (j < len && s[j] == '=') {
                t->kind = TK_GE;
                j++;
            }
        } else {
            j = i + utf8_len(s + i, len - i);
        }
    }
    t->len = j - i;
    return j;
}

bool expr_lex(expr_parser *p, const char *text, const char *which, ddb_expr_attrs *a, ddb_err *err)
{
    memset(p, 0, sizeof *p);
    p->which = which;
    p->attrs = a;
    p->err = err;
    p->text = text ? text : "";
    p->len = strlen(p->text);
    if (p->len == 0) return expr_fail(p, "The expression can not be empty;");
    if (p->len > EXPR_MAX_TEXT)
        return expr_fail(p,
                         "Expression size has exceeded the maximum allowed size; "
                         "expression size: %zu",
                         p->len);
    p->toks = xcalloc(p->len + 1, sizeof *p->toks);
    size_t i = 0;
    while (i < p->len) {
        char c = p->text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
            continue;
        }
        i = lex_one(p->text, p->len, i, &p->toks[p->ntoks++]);
    }
    p->toks[p->ntoks].kind = TK_EOF;
    p->toks[p->ntoks].off = p->len;
    p->toks[p->ntoks].len = 0;
    p->ntoks++;
    return true;
}

void expr_parser_free(expr_parser *p)
{
    free(p->toks);
    p->toks = NULL;
}

bool expr_fail(expr_parser *p, const char *fmt, ...)
{
    p->failed = true;
    if (p->quiet) return false;
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ddb_err_set(p->err, DDB_E_VALIDATION, "Invalid %s: %s", p->which, msg);
    return false;
}

/*
 * DynamoDB names the offending token and quotes the source from the start
 * of the token before it to the end of the token after it.
 */
bool expr_syntax_error(expr_parser *p, size_t i)
{
    if (p->quiet) {
        p->failed = true;
        return false;
    }
    const expr_tok *t = &p->toks[i];
    size_t from = i > 0 ? p->toks[i - 1].off : 0;
    size_t to = p->len;
    if (t->kind != TK_EOF && p->toks[i + 1].kind != TK_EOF)
        to = p->toks[i + 1].off + p->toks[i + 1].len;
    if (t->kind == TK_EOF)
        return expr_fail(p, "Syntax error; token: \"<EOF>\", near: \"%.*s\"", (int)(to - from),
                         p->text + from);
    return expr_fail(p, "Syntax error; token: \"%.*s\", near: \"%.*s\"", (int)t->len,
                     p->text + t->off, (int)(to - from), p->text + from);
}

bool expr_tok_is(const expr_parser *p, size_t i, const char *word)
{
    const expr_tok *t = &p->toks[i];
    return t->kind == TK_NAME && strlen(word) == t->len &&
           strncasecmp(p->text + t->off, word, t->len) == 0;
}

const expr_tok *expr_peek(const expr_parser *p)
{
    return &p->toks[p->pos];
}

expr_node *expr_node_new(expr_kind kind, int op, size_t tok)
{
    expr_node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->op = op;
    n->tok = tok;
    return n;
}

void expr_node_add(expr_node *n, expr_node *kid)
{
    expr_node **k = xrealloc(n->kids, (size_t)(n->nkids + 1) * sizeof *k);
    n->kids = k;
    n->kids[n->nkids++] = kid;
}

void expr_node_free(expr_node *n)
{
    if (!n) return;
    for (int i = 0; i < n->nkids; i++)
        expr_node_free(n->kids[i]);
    free(n->kids);
    expr_path_free(&n->path);
    json_decref(n->value);
    free(n);
}
