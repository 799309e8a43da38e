/*
 * expr: DynamoDB's expression language: condition and filter expressions,
 * key condition expressions, projection expressions and update
 * expressions, with ExpressionAttributeNames (#n) and
 * ExpressionAttributeValues (:v), reserved words and DynamoDB's
 * ValidationException messages.
 *
 * Usage for one request: ddb_expr_attrs_init() once, parse each expression
 * the request carries against it, then ddb_expr_attrs_check_unused() to
 * reject names/values no expression used. Parsed expressions are immutable
 * and may be evaluated many times; the caller frees them. They keep no
 * pointer into the attrs, which may be freed first.
 */
#ifndef CRUDDUR_DDB_EXPR_H
#define CRUDDUR_DDB_EXPR_H

#include <stdbool.h>

#include <jansson.h>

#include "ddb/ddb.h"
#include "ddb/model/value.h"

typedef struct ddb_expr_attrs {
    json_t *names;  /* ExpressionAttributeNames (own ref) or NULL */
    json_t *values; /* validated, normalised ExpressionAttributeValues or NULL */
    json_t *used;   /* internal: which #names and :values were referenced */
} ddb_expr_attrs;

/* Validates the two maps of a request (either may be NULL). */
bool ddb_expr_attrs_init(ddb_expr_attrs *a, const json_t *names, const json_t *values,
                         ddb_err *err);
/* "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}" etc. */
bool ddb_expr_attrs_check_unused(const ddb_expr_attrs *a, ddb_err *err);
void ddb_expr_attrs_free(ddb_expr_attrs *a);

/* ---- condition / filter ---- */
typedef struct ddb_cond ddb_cond;
/* `which` names the parameter in messages: "ConditionExpression", "FilterExpression". */
ddb_cond *ddb_cond_parse(const char *text, ddb_expr_attrs *a, const char *which, ddb_err *err);
/* 1 true, 0 false, -1 error (err set). `item` NULL means "no item". */
int ddb_cond_eval(const ddb_cond *c, const json_t *item, ddb_err *err);
/* True when the expression reads the top-level attribute `name` anywhere. */
bool ddb_cond_uses(const ddb_cond *c, const char *name);
/* Adds each top-level attribute the expression reads, in the order first
   written, as keys of the object `names` (values true). */
void ddb_cond_top_names(const ddb_cond *c, json_t *names);
void ddb_cond_free(ddb_cond *c);

/* ---- projection ---- */
typedef struct ddb_proj ddb_proj;
ddb_proj *ddb_proj_parse(const char *text, ddb_expr_attrs *a, ddb_err *err);
/* A new item with only the projected paths present in `item`. */
json_t *ddb_proj_apply(const ddb_proj *p, const json_t *item);
/* Makes `p` answer its top-level names in the order its paths were
   written, as DynamoDB Local 3.3.1 answers a legacy AttributesToGet
   (DDB_ORDER_LISTED), instead of as a projection builds them. */
void ddb_proj_set_listed(ddb_proj *p);
/* As ddb_cond_top_names, for the projected paths. */
void ddb_proj_top_names(const ddb_proj *p, json_t *names);
/* The same names in the order DynamoDB Local 3.3.1's projection tree
   holds them, which a message listing them as a HashSet filled from the
   tree shows: a legacy AttributesToGet's as listed (ddb_proj_set_listed);
   else the paths taken last to first, each name once, through a HashMap
   keyed by document path elements (DDB_ORDER_DOC_PATH). */
void ddb_proj_tree_names(const ddb_proj *p, json_t *names);
void ddb_proj_free(ddb_proj *p);

/* ---- update ---- */
typedef struct ddb_update ddb_update;
ddb_update *ddb_update_parse(const char *text, ddb_expr_attrs *a, ddb_err *err);
/*
 * Applies the update to `item` in place (an empty object when the item did
 * not exist). Fails with DynamoDB's messages for type mismatches (ADD to a
 * string, list_append on a non-list, arithmetic on non-numbers, a path
 * through a missing or wrong-typed parent, ...). On failure `item` is
 * unspecified: apply to a copy.
 */
bool ddb_update_apply(const ddb_update *u, json_t *item, ddb_err *err);
/* True if the update writes or removes the top-level attribute `name`. */
bool ddb_update_touches(const ddb_update *u, const char *name);
/* Puts the names of every nested map the update stepped into (a map that
   holds a SET or REMOVE target, at any depth) in the order `how` gives a
   map an update rebuilt (attr_order.c: REBUILT as a read shows it,
   REBUILT_KEPT as DynamoDB Local 3.3.1 keeps it); other maps keep their
   order. `item` is the updated item, changed in place. */
void ddb_update_order_maps(const ddb_update *u, json_t *item, ddb_attr_order how);
/* The paths the update touches, as a projection (for UPDATED_OLD/UPDATED_NEW). */
const ddb_proj *ddb_update_paths(const ddb_update *u);
void ddb_update_free(ddb_update *u);

/* ---- key condition (Query) ---- */
typedef enum ddb_range_op {
    DDB_RANGE_NONE = 0,
    DDB_RANGE_EQ,
    DDB_RANGE_LT,
    DDB_RANGE_LE,
    DDB_RANGE_GT,
    DDB_RANGE_GE,
    DDB_RANGE_BETWEEN,
    DDB_RANGE_BEGINS_WITH,
} ddb_range_op;

/* At most this many partition and sort attributes in a key (multi-attribute
   GSI keys; schema.h's DDB_INDEX_KEY_ATTRS). */
#define DDB_KEYCOND_ATTRS 4

typedef struct ddb_keycond {
    json_t *hash_value; /* value for `hash_attr = :v` (own ref); hash_values[0] */
    /* Every partition attribute's value, in key schema order (own refs). */
    json_t *hash_values[DDB_KEYCOND_ATTRS];
    int n_hash;
    /* Multi-attribute sort keys: equalities on the first n_range_eq sort
       attributes (own refs); range_op applies to the next one. Always 0
       for a single sort key. */
    json_t *range_eq[DDB_KEYCOND_ATTRS];
    int n_range_eq;
    ddb_range_op range_op;
    json_t *range_v1; /* own refs, NULL when unused */
    json_t *range_v2; /* BETWEEN's upper bound */
} ddb_keycond;

/*
 * Parses a KeyConditionExpression for a key schema (range_attr NULL when the
 * table/index has none). Enforces DynamoDB's rules: exactly one equality on
 * the hash key, at most one condition on the range key, only AND, and the
 * allowed operators; attributes that are not key attributes are rejected.
 * Value types are checked by the caller against the schema.
 */
bool ddb_keycond_parse(const char *text, ddb_expr_attrs *a, const char *hash_attr,
                       const char *range_attr, ddb_keycond *out, ddb_err *err);

/* The key a multi-attribute key condition is checked against. */
typedef struct ddb_keycond_schema {
    const char *hash[DDB_KEYCOND_ATTRS]; /* partition attributes, in order */
    int n_hash;
    const char *range[DDB_KEYCOND_ATTRS]; /* sort attributes, in order */
    int n_range;
} ddb_keycond_schema;

/*
 * The same for an index key with several partition or sort attributes
 * (expr_keycond_multi.c): every partition attribute with `=`, then sort
 * attributes left to right with `=`, the last one used possibly with
 * < <= > >= BETWEEN begins_with; DynamoDB Local 3.3.1's messages.
 */
bool ddb_keycond_parse_multi(const char *text, ddb_expr_attrs *a, const ddb_keycond_schema *ks,
                             ddb_keycond *out, ddb_err *err);

/*
 * The same in two steps, for Query's order of checks (DynamoDB Local
 * 3.3.1's): ddb_keycond_expr_parse reads the expression against `a`
 * (syntax, names and values, operands; marking what it uses) without a key
 * schema, and returns it (the caller's, for ddb_keycond_expr_free) or NULL
 * with `err` set; ddb_keycond_reduce and _reduce_multi then check it
 * against a key schema and fill `out` (freed by ddb_keycond_free). The
 * values in `out` are the caller's own; `a` must outlive the parsed
 * expression.
 */
typedef struct ddb_keycond_expr ddb_keycond_expr;
ddb_keycond_expr *ddb_keycond_expr_parse(const char *text, ddb_expr_attrs *a, ddb_err *err);
bool ddb_keycond_reduce(const ddb_keycond_expr *x, const char *hash_attr, const char *range_attr,
                        ddb_keycond *out, ddb_err *err);
bool ddb_keycond_reduce_multi(const ddb_keycond_expr *x, const ddb_keycond_schema *ks,
                              ddb_keycond *out, ddb_err *err);
/* Refuses a path in the key condition that steps into (`k.x`, `k[0]`) one
   of `keys` (n names, NULL entries skipped), checked key by key in that
   order: "Key attributes must be scalars; ... Key: k", or "IndexKey: k"
   when index_key[i]. DynamoDB Local 3.3.1 does this before it reduces the
   conditions. */
bool ddb_keycond_check_key_paths(const ddb_keycond_expr *x, const char *const *keys,
                                 const bool *index_key, int n, ddb_err *err);
void ddb_keycond_expr_free(ddb_keycond_expr *x);
void ddb_keycond_free(ddb_keycond *k);

/* True when `word` (any case) is one of DynamoDB's reserved words. */
bool ddb_is_reserved_word(const char *word, size_t len);

#endif
