/*
 * partiql: DynamoDB's dialect of PartiQL (the statements of
 * ExecuteStatement, BatchExecuteStatement and ExecuteTransaction), parsed
 * into a statement tree and planned onto the JSON API's own operations:
 *
 *   SELECT ... WHERE <every key> = v          -> GetItem
 *   SELECT ... WHERE <partition key> = v ...  -> Query (IN: one per value)
 *   other SELECTs                             -> Scan
 *   INSERT INTO t VALUE {...}                 -> PutItem, attribute_not_exists
 *   UPDATE t SET/REMOVE ... WHERE <key> ...   -> UpdateItem, attribute_exists
 *   DELETE FROM t WHERE <key> ...             -> DeleteItem
 *   EXISTS(SELECT ... WHERE <key> ...)        -> a ConditionCheck (transactions)
 *
 * The plan is a request object in the JSON API's shape (expressions with
 * ExpressionAttributeNames and ExpressionAttributeValues), so conditions,
 * streams, capacity and errors are the engine's one code path. Nothing here
 * touches storage: the planner reads the table's key schema only.
 *
 * Files: partiql_lex.c (tokens), partiql_parse.c (statement tree),
 * partiql_value.c (literals and parameters to AttributeValues),
 * partiql_plan.c (the request of the operation a statement runs as).
 *
 * Ownership: pq_parse() returns a tree the caller frees with pq_free();
 * pq_plan() fills a pq_plan whose `req` the caller json_decref()s
 * (pq_plan_clear()). Errors are ValidationExceptions with DynamoDB Local's
 * wording.
 */
#ifndef CRUDDUR_DDB_MODEL_PARTIQL_H
#define CRUDDUR_DDB_MODEL_PARTIQL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ddb/ddb.h"
#include "ddb/model/schema.h"

/* Longest statement DynamoDB accepts (PartiQLStatement, 8192 characters). */
#define PQ_MAX_STATEMENT 8192
/* Nesting limit of expressions and literals (deeper is refused, not recursed). */
#define PQ_MAX_DEPTH 64

/* ---- tokens (partiql_lex.c) ---- */

typedef enum pq_tok_type {
    PQ_T_END = 0,
    PQ_T_IDENT,  /* bare identifier or keyword (text as written) */
    PQ_T_QIDENT, /* "quoted identifier" (text unescaped) */
    PQ_T_STRING, /* 'string' (text unescaped) */
    PQ_T_NUMBER, /* 12, 1.5, 1e3 (text as written) */
    PQ_T_ION,    /* `ion literal` */
    PQ_T_PUNCT,  /* ( ) [ ] { } , . : ; * ? = < > + - / % and the pairs below */
    PQ_T_OP2,    /* <= >= <> != << >> || */
} pq_tok_type;

typedef struct pq_tok {
    pq_tok_type type;
    char *text; /* NUL-terminated; owned by the token list */
    size_t len; /* text length (strings may hold U+0000) */
    int line, col, width;
} pq_tok;

typedef struct pq_toks {
    pq_tok *v;
    size_t n;
} pq_toks;

/* Splits a statement into tokens (the last one PQ_T_END). False with
   err set on an unterminated string or identifier or a stray character. */
bool pq_lex(const char *text, size_t len, pq_toks *out, ddb_err *err);
void pq_toks_free(pq_toks *t);

/* ---- the statement tree (partiql_parse.c) ---- */

typedef enum pq_node_type {
    PQ_N_LIT,     /* a literal value: `av` */
    PQ_N_PARAM,   /* `?` number `param` (0-based, in statement order) */
    PQ_N_PATH,    /* `path` */
    PQ_N_CMP,     /* kids[0] op kids[1]; op "=", "<>", "<", "<=", ">", ">=" */
    PQ_N_BETWEEN, /* kids[0] BETWEEN kids[1] AND kids[2] */
    PQ_N_IN,      /* kids[0] IN (kids[1..]) */
    PQ_N_AND,
    PQ_N_OR,
    PQ_N_NOT,
    PQ_N_IS,    /* kids[0] IS [NOT] MISSING/NULL: op "MISSING" or "NULL", `negated` */
    PQ_N_FUNC,  /* name(kids...): lower-case `name` */
    PQ_N_ARITH, /* kids[0] op kids[1]; op "+" or "-" */
    PQ_N_LIST,  /* [kids...] */
    PQ_N_MAP,   /* {keys[i]: kids[i]} */
    PQ_N_BAG,   /* <<kids...>> */
} pq_node_type;

typedef struct pq_step {
    char *name; /* attribute or map key; NULL for a list index */
    long index;
} pq_step;

/* Where a token is written, for messages (1-based). */
typedef struct pq_pos {
    int line, col, width;
} pq_pos;

typedef struct pq_node {
    pq_node_type type;
    const char *op; /* static text */
    bool negated;
    char *name; /* PQ_N_FUNC */
    json_t *av; /* PQ_N_LIT: AttributeValue (own ref) */
    int param;  /* PQ_N_PARAM */
    pq_step *path;
    size_t n_path;
    struct pq_node **kids;
    char **keys;    /* PQ_N_MAP */
    pq_pos *key_at; /* PQ_N_MAP: where each key is written */
    size_t n_kids;
    int line, col, width; /* where it starts, for messages */
} pq_node;

typedef enum pq_kind { PQ_SELECT, PQ_INSERT, PQ_UPDATE, PQ_DELETE, PQ_EXISTS } pq_kind;

typedef enum pq_returning {
    PQ_RET_NONE = 0,
    PQ_RET_ALL_OLD,
    PQ_RET_MODIFIED_OLD,
    PQ_RET_ALL_NEW,
    PQ_RET_MODIFIED_NEW,
} pq_returning;

/* One SET target = value or REMOVE target of an UPDATE, in statement order. */
typedef struct pq_assign {
    pq_node *target; /* a PQ_N_PATH */
    pq_node *value;  /* NULL for REMOVE */
} pq_assign;

typedef struct pq_stmt {
    pq_kind kind;
    char *table;
    char *index;       /* "table"."index"; NULL when none */
    pq_node **columns; /* SELECT paths; NULL with n_columns 0 for `*` */
    size_t n_columns;
    pq_node *where;     /* NULL when absent */
    pq_node *order_by;  /* SELECT ... ORDER BY path */
    bool order_desc;    /* ... DESC */
    pq_node *value;     /* INSERT ... VALUE */
    pq_assign *assigns; /* UPDATE */
    size_t n_assigns;
    pq_returning returning;
    int n_params; /* number of `?` */
} pq_stmt;

/* Parses one statement. NULL with err set (ValidationException). */
pq_stmt *pq_parse(const char *text, size_t len, ddb_err *err);
void pq_free(pq_stmt *s);
void pq_node_free(pq_node *n);

/* ---- literals and parameters (partiql_value.c) ---- */

/* The AttributeValue of a literal node (a literal, a parameter, or a list,
   map or bag of them); NULL with err set (DynamoDB Local 3.3.1's words and
   order) when it holds anything else, a repeated map key, or a bag that is
   not a set of string or number literals. `params` is the request's
   Parameters (may be NULL). New reference. */
json_t *pq_value(const pq_node *n, const json_t *params, ddb_err *err);
/* The item of an INSERT (a PQ_N_MAP): name -> AttributeValue, a repeated
   name placed at its key. New reference; NULL with err set. */
json_t *pq_item(const pq_node *map, const json_t *params, ddb_err *err);
/* Converts every value of the statement once, in the order DynamoDB Local
   3.3.1 does before it looks up the table (an INSERT's item; else the
   WHERE clause, then the SET values), so that their refusals come first; a
   `?` without a Parameter is refused when its turn comes. */
bool pq_check_values(const pq_stmt *s, const json_t *params, ddb_err *err);
/* True when the node is a value (no attribute path anywhere inside). */
bool pq_is_value(const pq_node *n);

/* ---- a SELECT's answer (partiql_select.c) ---- */

/* ExecuteStatement's answer for one item, from `item` as the read answered
   the statement's paths as a ProjectionExpression: the item itself for
   `*`, else each path's value under its last name (`SELECT m.b` answers
   {"b": ...}; `a[0]` keeps its index: {"a[0]": ...}), walked and ordered
   as DynamoDB Local 3.3.1 does. BatchExecuteStatement and
   ExecuteTransaction answer the projection itself. New reference. */
json_t *pq_project(const pq_stmt *s, const json_t *item);

/* ---- planning (partiql_plan.c) ---- */

/* What a statement runs as. */
typedef enum pq_op {
    PQ_OP_GET,    /* GetItem */
    PQ_OP_QUERY,  /* Query (one per value of `pk IN [...]`) */
    PQ_OP_SCAN,   /* Scan */
    PQ_OP_PUT,    /* PutItem with attribute_not_exists */
    PQ_OP_UPDATE, /* UpdateItem with attribute_exists */
    PQ_OP_DELETE, /* DeleteItem */
    PQ_OP_CHECK,  /* ConditionCheck (EXISTS) */
} pq_op;

typedef struct pq_plan {
    pq_op op;
    /* The request in the JSON API's shape. For PQ_OP_QUERY with IN, the
       KeyConditionExpression's partition value is :pk, one of `keys`. */
    json_t *req;
    json_t *keys; /* PQ_OP_QUERY: the partition values to query in order */
    json_t *key;  /* GET/PUT/UPDATE/DELETE/CHECK: the item's key (own ref) */
} pq_plan;

/* Options of the request that shape the plan. */
typedef struct pq_opts {
    const json_t *params; /* Parameters; NULL when absent */
    bool consistent;      /* ConsistentRead */
    const char *capacity; /* ReturnConsumedCapacity as sent; NULL when absent */
    const char *on_fail;  /* ReturnValuesOnConditionCheckFailure; NULL when absent */
} pq_opts;

/*
 * Checks the statement's parameter count, then builds the request of the
 * operation it runs as on table `t` (the table the statement names,
 * already looked up by the caller). False with err set.
 */
bool pq_plan_make(const pq_stmt *s, const ddb_table *t, const pq_opts *o, pq_plan *out,
                  ddb_err *err);
void pq_plan_clear(pq_plan *p);

/* The refusal of an EXISTS that does not read one item with a condition. */
#define PQ_EXISTS_SHAPE "EXISTS() must contain a single item read with additional condition"

/* "Number of parameters in request and statement don't match." when the
   request has fewer Parameters than the statement has `?`s. */
bool pq_check_params(const pq_stmt *s, const json_t *params, ddb_err *err);

#endif
