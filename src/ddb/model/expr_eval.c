/*
 * expr_eval: condition and filter expressions: the public parse entry
 * point and the evaluation against an item. A comparison involving a
 * missing attribute or values of different types is simply false (and
 * "<>" is its negation), as in DynamoDB; the functions follow the
 * developer guide's type rules (begins_with on S and B, contains on
 * strings, sets and lists, size of S, B, sets, lists and maps).
 */
#include "ddb/model/expr_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/model/value.h"

#include "base/alloc.h"

struct ddb_cond {
    expr_node *root;
};

/* True when a node or any node below it is a path starting at `name`. */
static bool node_uses(const expr_node *n, const char *name)
{
    if (!n) return false;
    if (n->kind == EN_PATH && n->path.n > 0 && n->path.el[0].name &&
        !strcmp(n->path.el[0].name, name))
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (node_uses(n->kids[i], name)) return true;
    return false;
}

bool ddb_cond_uses(const ddb_cond *c, const char *name)
{
    return c && name && node_uses(c->root, name);
}

static void node_names(const expr_node *n, json_t *names)
{
    if (!n) return;
    if (n->kind == EN_PATH && n->path.n > 0 && n->path.el[0].name)
        json_object_set_new(names, n->path.el[0].name, json_true());
    for (int i = 0; i < n->nkids; i++)
        node_names(n->kids[i], names);
}

void ddb_cond_top_names(const ddb_cond *c, json_t *names)
{
    if (c) node_names(c->root, names);
}

ddb_cond *ddb_cond_parse(const char *text, ddb_expr_attrs *a, const char *which, ddb_err *err)
{
    expr_parser p;
    expr_node *root = NULL;
    if (expr_lex(&p, text, which, a, err)) root = expr_parse_condition(&p);
    if (root &&
        (!expr_check_words(&p, root, CTX_CONDITION) || !expr_check_tree(&p, root, CTX_CONDITION))) {
        expr_node_free(root);
        root = NULL;
    }
    if (root && root->kind == EN_FUNC && root->op == FN_SIZE) {
        expr_fail(&p, "The function is not allowed to be used this way in an expression; "
                      "function: size");
        expr_node_free(root);
        root = NULL;
    }
    expr_parser_free(&p);
    if (!root) return NULL;
    ddb_cond *c = xcalloc(1, sizeof *c);
    c->root = root;
    return c;
}

int ddb_cond_eval(const ddb_cond *c, const json_t *item, ddb_err *err)
{
    (void)err;
    return expr_eval_cond(c->root, item);
}

void ddb_cond_free(ddb_cond *c)
{
    if (!c) return;
    expr_node_free(c->root);
    free(c);
}

/* Length as DynamoDB counts it for size(): UTF-16 code units. */
static size_t utf16_units(const char *s, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80) continue;
        units += c >= 0xF0 ? 2 : 1;
    }
    return units;
}

/* A string-valued member of an AttributeValue (S, N, B) with its length. */
static const char *scalar(const json_t *av, const char *type, size_t *len)
{
    json_t *s = json_object_get(av, type);
    if (!json_is_string(s)) return NULL;
    *len = json_string_length(s);
    return json_string_value(s);
}

static json_t *eval_size(const json_t *v)
{
    size_t n = 0, len = 0;
    const char *s;
    switch (ddb_av_type_of(v)) {
    case DDB_AV_S:
        s = scalar(v, "S", &len);
        n = utf16_units(s, len);
        break;
    case DDB_AV_B: {
        unsigned char *bytes = ddb_b64_decode(json_string_value(json_object_get(v, "B")), &n);
        free(bytes);
        break;
    }
    case DDB_AV_SS:
    case DDB_AV_NS:
    case DDB_AV_BS:
    case DDB_AV_L:
        n = json_array_size(json_object_iter_value(json_object_iter((json_t *)v)));
        break;
    case DDB_AV_M:
        n = json_object_size(json_object_get(v, "M"));
        break;
    default:
        return NULL;
    }
    char num[32];
    snprintf(num, sizeof num, "%zu", n);
    return json_pack("{s:s}", "N", num);
}

json_t *expr_eval_operand(const expr_node *n, const json_t *item)
{
    if (n->kind == EN_VALUE) return json_incref(n->value);
    if (n->kind == EN_PATH) return json_incref(expr_path_get(item, &n->path));
    if (n->kind == EN_FUNC && n->op == FN_SIZE) {
        json_t *v = expr_eval_operand(n->kids[0], item);
        json_t *out = v ? eval_size(v) : NULL;
        json_decref(v);
        return out;
    }
    return NULL;
}

/* Bytes of an S or B value (B decoded; *owned set when the caller must free). */
static unsigned char *bytes_of(const json_t *v, size_t *len, bool *owned)
{
    *owned = false;
    if (ddb_av_type_of(v) == DDB_AV_S) return (unsigned char *)scalar(v, "S", len);
    *owned = true;
    return ddb_b64_decode(json_string_value(json_object_get(v, "B")), len);
}

static bool begins_with(const json_t *a, const json_t *b)
{
    ddb_av_type ta = ddb_av_type_of(a);
    if ((ta != DDB_AV_S && ta != DDB_AV_B) || ddb_av_type_of(b) != ta) return false;
    size_t la, lb;
    bool fa, fb;
    unsigned char *x = bytes_of(a, &la, &fa), *y = bytes_of(b, &lb, &fb);
    bool r = x && y && lb <= la && memcmp(x, y, lb) == 0;
    if (fa) free(x);
    if (fb) free(y);
    return r;
}

static bool contains(const json_t *a, const json_t *b)
{
    ddb_av_type ta = ddb_av_type_of(a), tb = ddb_av_type_of(b);
    if ((ta == DDB_AV_S || ta == DDB_AV_B) && tb == ta) {
        size_t la, lb;
        bool fa, fb;
        unsigned char *x = bytes_of(a, &la, &fa), *y = bytes_of(b, &lb, &fb);
        bool r = x && y && (lb == 0 || memmem(x, la, y, lb) != NULL);
        if (fa) free(x);
        if (fb) free(y);
        return r;
    }
    const char *member = ta == DDB_AV_SS   ? "S"
                         : ta == DDB_AV_NS ? "N"
                         : ta == DDB_AV_BS ? "B"
                                           : NULL;
    if (member && ddb_av_type_of(b) == ddb_av_type_from_name(member)) {
        json_t *set = json_object_get(a, ddb_av_type_name(ta)), *x;
        size_t i;
        json_array_foreach(set, i, x)
        {
            json_t *tmp = json_pack("{s:O}", member, x);
            bool eq = ddb_av_equal(tmp, b);
            json_decref(tmp);
            if (eq) return true;
        }
        return false;
    }
    if (ta == DDB_AV_L) {
        json_t *l = json_object_get(a, "L"), *x;
        size_t i;
        json_array_foreach(l, i, x) if (ddb_av_equal(x, b)) return true;
    }
    return false;
}

static bool compare(int op, const json_t *a, const json_t *b)
{
    if (op == TK_EQ) return a && b && ddb_av_equal(a, b);
    if (op == TK_NE) return !(a && b && ddb_av_equal(a, b));
    if (!a || !b) return false;
    bool ok = false;
    int c = ddb_av_compare(a, b, &ok);
    if (!ok) return false;
    switch (op) {
    case TK_LT:
        return c < 0;
    case TK_LE:
        return c <= 0;
    case TK_GT:
        return c > 0;
    default:
        return c >= 0;
    }
}

static bool eval_func(const expr_node *n, const json_t *item)
{
    json_t *a = expr_eval_operand(n->kids[0], item);
    json_t *b = n->nkids > 1 ? expr_eval_operand(n->kids[1], item) : NULL;
    bool r = false;
    switch ((expr_fn)n->op) {
    case FN_ATTRIBUTE_EXISTS:
        r = a != NULL;
        break;
    case FN_ATTRIBUTE_NOT_EXISTS:
        r = a == NULL;
        break;
    case FN_ATTRIBUTE_TYPE:
        r = a && b &&
            ddb_av_type_of(a) == ddb_av_type_from_name(json_string_value(json_object_get(b, "S")));
        break;
    case FN_BEGINS_WITH:
        r = a && b && begins_with(a, b);
        break;
    case FN_CONTAINS:
        r = a && b && contains(a, b);
        break;
    default:
        break;
    }
    json_decref(a);
    json_decref(b);
    return r;
}

int expr_eval_cond(const expr_node *n, const json_t *item)
{
    json_t *x, *y, *z;
    bool r = false;
    switch (n->kind) {
    case EN_AND:
        for (int i = 0; i < n->nkids; i++)
            if (!expr_eval_cond(n->kids[i], item)) return 0;
        return 1;
    case EN_OR:
        for (int i = 0; i < n->nkids; i++)
            if (expr_eval_cond(n->kids[i], item)) return 1;
        return 0;
    case EN_NOT:
        return !expr_eval_cond(n->kids[0], item);
    case EN_FUNC:
        return eval_func(n, item);
    case EN_CMP:
        x = expr_eval_operand(n->kids[0], item);
        y = expr_eval_operand(n->kids[1], item);
        r = compare(n->op, x, y);
        json_decref(x);
        json_decref(y);
        return r;
    case EN_BETWEEN:
        x = expr_eval_operand(n->kids[0], item);
        y = expr_eval_operand(n->kids[1], item);
        z = expr_eval_operand(n->kids[2], item);
        r = compare(TK_GE, x, y) && compare(TK_LE, x, z);
        json_decref(x);
        json_decref(y);
        json_decref(z);
        return r;
    case EN_IN:
        x = expr_eval_operand(n->kids[0], item);
        for (int i = 1; i < n->nkids && x && !r; i++) {
            y = expr_eval_operand(n->kids[i], item);
            r = compare(TK_EQ, x, y);
            json_decref(y);
        }
        json_decref(x);
        return r;
    default:
        return 0;
    }
}
