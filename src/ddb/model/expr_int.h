/*
 * expr_int: the internals shared by the expression files (expr_*.c).
 *
 * An expression is handled in three steps: expr_lex.c cuts the text into
 * tokens, expr_parse.c builds a tree of expr_node from them (syntax only),
 * and expr_check.c walks the tree in source order to resolve #names and
 * :values, reject reserved words and unknown functions, and apply
 * DynamoDB's static rules (operand types, distinct operands, nesting).
 * Paths are then plain arrays of resolved elements (expr_path), used by
 * evaluation (expr_eval.c), projection (expr_proj.c), updates
 * (expr_update.c) and key conditions (expr_keycond.c). expr_path.c holds
 * the path helpers and the path trie that detects overlapping paths.
 *
 * Ownership: a node owns its children, its path elements' names and a
 * reference to its value. Nothing points into the request's JSON.
 */
#ifndef CRUDDUR_DDB_EXPR_INT_H
#define CRUDDUR_DDB_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ddb/model/expr.h"

#define EXPR_MAX_TEXT 4096     /* bytes of one expression string */
#define EXPR_MAX_OPERATORS 300 /* operators and functions in one expression */
#define EXPR_MAX_IN 100        /* operands on the right of IN */
#define EXPR_MAX_PATH_DEPTH 32 /* elements of one document path */

/* ---- tokens (expr_lex.c) ---- */
typedef enum expr_tok_kind {
    TK_EOF = 0,
    TK_NAME,  /* a bare identifier (also keywords and function names) */
    TK_HNAME, /* #name */
    TK_VALUE, /* :value */
    TK_INT,   /* unsigned decimal, no leading zeros */
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACK,
    TK_RBRACK,
    TK_DOT,
    TK_COMMA,
    TK_EQ,
    TK_NE,
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
    TK_PLUS,
    TK_MINUS,
    TK_BAD, /* a character the language does not know */
} expr_tok_kind;

typedef struct expr_tok {
    expr_tok_kind kind;
    size_t off, len; /* bytes of the source text */
} expr_tok;

/* ---- tree ---- */
typedef enum expr_kind {
    EN_PATH,
    EN_VALUE,
    EN_FUNC,    /* op: expr_fn; kids: arguments */
    EN_CMP,     /* op: TK_EQ..TK_GE; kids[0] op kids[1] */
    EN_BETWEEN, /* kids[0] BETWEEN kids[1] AND kids[2] */
    EN_IN,      /* kids[0] IN (kids[1..]) */
    EN_AND,
    EN_OR,
    EN_NOT,
    EN_ARITH, /* op: TK_PLUS or TK_MINUS (update SET values) */
} expr_kind;

typedef enum expr_fn {
    FN_UNKNOWN = 0,
    FN_ATTRIBUTE_EXISTS,
    FN_ATTRIBUTE_NOT_EXISTS,
    FN_ATTRIBUTE_TYPE,
    FN_BEGINS_WITH,
    FN_CONTAINS,
    FN_SIZE,
    FN_IF_NOT_EXISTS,
    FN_LIST_APPEND,
} expr_fn;

/* One element of a document path: a map key (name != NULL) or a list index. */
typedef struct expr_pel {
    char *name; /* resolved name; NULL for an index */
    size_t tok; /* token of the element (name or #name), for checks */
    long index; /* list index when name is NULL */
    bool is_index;
} expr_pel;

typedef struct expr_path {
    expr_pel *el;
    int n;
} expr_path;

typedef struct expr_node {
    expr_kind kind;
    int op;     /* expr_tok_kind of the operator, or expr_fn */
    size_t tok; /* first token (function name, value, ...) */
    bool paren; /* written inside its own parentheses */
    struct expr_node **kids;
    int nkids;
    expr_path path; /* EN_PATH */
    json_t *value;  /* EN_VALUE after checking (own ref) */
} expr_node;

/* ---- parser state (expr_parse.c) ---- */
typedef struct expr_parser {
    const char *text;
    size_t len;
    expr_tok *toks;
    size_t ntoks; /* including the final TK_EOF */
    size_t pos;
    const char *which; /* "ConditionExpression", ... */
    ddb_expr_attrs *attrs;
    ddb_err *err;
    int quiet; /* > 0 while trying an alternative: errors are not reported */
    bool failed;
    bool hard; /* an error that no alternative can avoid */
    int n_ops;
    int depth; /* nesting of parentheses, NOT and function calls */
} expr_parser;

/* Tokenises `text` into p->toks. Fails on the size limits. */
bool expr_lex(expr_parser *p, const char *text, const char *which, ddb_expr_attrs *a, ddb_err *err);
void expr_parser_free(expr_parser *p);
/* "Invalid <which>: <message>" (unless quiet). Always returns false. */
bool expr_fail(expr_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Syntax error; token: ..., near: ..." at token i. */
bool expr_syntax_error(expr_parser *p, size_t i);
bool expr_tok_is(const expr_parser *p, size_t i, const char *word); /* keyword, any case */
const expr_tok *expr_peek(const expr_parser *p);

expr_node *expr_node_new(expr_kind kind, int op, size_t tok);
void expr_node_add(expr_node *n, expr_node *kid);
void expr_node_free(expr_node *n);

/* Grammar entry points: each returns NULL on error (p->err set). */
expr_node *expr_parse_condition(expr_parser *p);
expr_node *expr_parse_path(expr_parser *p);
/* A SET value: operand, or operand + operand, or operand - operand. */
expr_node *expr_parse_set_value(expr_parser *p);
expr_node *expr_parse_value_token(expr_parser *p);
/* Counts one operator; fails past EXPR_MAX_OPERATORS. */
bool expr_count_op(expr_parser *p);

/* ---- checks (expr_check.c) ---- */
typedef enum expr_ctx { CTX_CONDITION, CTX_UPDATE, CTX_PROJECTION } expr_ctx;
/* Reserved words and function names, in source order. */
bool expr_check_words(expr_parser *p, expr_node *n, expr_ctx ctx);
/* Resolution of #names and :values and the static rules, in source order. */
bool expr_check_tree(expr_parser *p, expr_node *n, expr_ctx ctx);
/* Resolves a path's elements (names, nesting limit). */
bool expr_check_path(expr_parser *p, expr_node *n);
/* Resolves the paths of a whole tree, in source order, and nothing else
   (expr_check_tree then finds them resolved). */
bool expr_check_paths(expr_parser *p, expr_node *n);
bool expr_check_value(expr_parser *p, expr_node *n);
/* The DynamoDB type-name used in operand-type messages ("S", "NS", ...). */
const char *expr_type_name(const json_t *av);

/* ---- attrs (expr_attrs.c) ---- */
const char *expr_attrs_name(ddb_expr_attrs *a, const char *key, size_t len);
json_t *expr_attrs_value(ddb_expr_attrs *a, const char *key, size_t len);

/* ---- paths (expr_path.c) ---- */
/* The value at `path` in item (borrowed), or NULL when absent. */
json_t *expr_path_get(const json_t *item, const expr_path *path);
/* "[a, [0], b]" into out. */
void expr_path_format(const expr_path *path, char *out, size_t size);
bool expr_path_equal(const expr_path *a, const expr_path *b);
void expr_path_free(expr_path *path);
bool expr_path_copy(expr_path *dst, const expr_path *src);

/*
 * A trie of paths. Inserting a path that overlaps an earlier one (one is a
 * prefix of the other) or conflicts with it (the same parent used as a map
 * and as a list) fails with DynamoDB's message.
 */
typedef struct expr_trie expr_trie;
expr_trie *expr_trie_new(void);
bool expr_trie_add(expr_trie *t, const expr_path *path, const char *which, ddb_err *err);
/* Keeps only the paths of the trie that exist in `item`; lists are compacted. */
json_t *expr_trie_project(const expr_trie *t, const json_t *item);
bool expr_trie_has_top(const expr_trie *t, const char *name);
/* Adds the top-level name of each path, in the order first written, as
   keys of the object `names`. */
void expr_trie_top_names(const expr_trie *t, json_t *names);
/* The same, taking the paths last to first (each name once). */
void expr_trie_top_names_backwards(const expr_trie *t, json_t *names);
/* Reorders, in place, every map of `item` that a path steps into (not the
   paths' targets) by `how`, as DynamoDB Local orders a map an update
   rebuilt. */
void expr_trie_reorder_maps(const expr_trie *t, json_t *item, ddb_attr_order how);
void expr_trie_free(expr_trie *t);

/* ---- evaluation (expr_eval.c) ---- */
/* The value of an operand (path, value, size()); a new reference or NULL. */
json_t *expr_eval_operand(const expr_node *n, const json_t *item);
int expr_eval_cond(const expr_node *n, const json_t *item);

struct ddb_proj {
    expr_trie *trie;
    bool listed; /* ddb_proj_set_listed */
};

/* ---- updates (expr_update.c parses, expr_update_apply.c applies) ---- */
typedef enum expr_action_kind { UA_SET, UA_REMOVE, UA_ADD, UA_DELETE } expr_action_kind;

typedef struct expr_action {
    expr_action_kind kind;
    expr_node *path;  /* the target */
    expr_node *value; /* SET value, ADD/DELETE constant; NULL for REMOVE */
} expr_action;

struct ddb_update {
    expr_action *acts; /* in source order */
    int n;
    ddb_proj paths; /* every target, for ddb_update_paths and _touches */
};

/* ---- key conditions (expr_keycond.c, expr_keycond_multi.c) ---- */

/* One condition of a KeyConditionExpression, on one key attribute. */
typedef struct expr_key_term {
    const expr_node *node;
    const char *attr; /* the key attribute named */
    ddb_range_op op;
    const json_t *v1, *v2; /* borrowed from the parse tree */
} expr_key_term;

/* The terms of a key condition, in source order (v is the caller's to
   free). */
typedef struct expr_key_terms {
    expr_key_term *v;
    int n, cap;
} expr_key_terms;

/* A ValidationException with a formatted message; returns false. */
bool expr_key_fail(ddb_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Flattens the ANDs of a key condition into terms, left to right, failing
   at the first operator that is not allowed or the second condition on one
   attribute. */
bool expr_key_collect(const expr_node *n, expr_key_terms *ts, ddb_err *err);
/* Checks the terms against a multi-attribute key and fills `out`. */
bool expr_key_reduce_multi(const expr_key_term *terms, int nt, const ddb_keycond_schema *ks,
                           ddb_keycond *out, ddb_err *err);

#endif
