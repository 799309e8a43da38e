/*
 * expr_update: parsing of update expressions: clauses SET, REMOVE, ADD and
 * DELETE, each at most once and in any order, their actions in source
 * order, DynamoDB's static checks (operand types of ADD, DELETE, "+", "-"
 * and list_append; function placement) and the rule that no two target
 * paths overlap or conflict. Applying is in expr_update_apply.c.
 */
#include "ddb/model/expr_int.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const clause_names[] = {"SET", "REMOVE", "ADD", "DELETE"};

static int clause_at(const expr_parser *p)
{
    for (int k = 0; k < 4; k++)
        if (expr_tok_is(p, p->pos, clause_names[k])) return k;
    return -1;
}

static void add_action(ddb_update *u, expr_action_kind kind, expr_node *path, expr_node *value)
{
    expr_action *a = xrealloc(u->acts, (size_t)(u->n + 1) * sizeof *a);
    u->acts = a;
    u->acts[u->n++] = (expr_action){kind, path, value};
}

/* One clause's comma-separated actions. */
static bool parse_clause(expr_parser *p, ddb_update *u, expr_action_kind kind)
{
    for (;;) {
        expr_node *path = expr_parse_path(p), *value = NULL;
        if (!path) return false;
        if (kind == UA_SET) {
            if (p->toks[p->pos].kind != TK_EQ) {
                expr_node_free(path);
                return expr_syntax_error(p, p->pos);
            }
            p->pos++;
            value = expr_parse_set_value(p);
        } else if (kind != UA_REMOVE) {
            value = expr_parse_value_token(p);
        }
        if (kind != UA_REMOVE && !value) {
            expr_node_free(path);
            return false;
        }
        add_action(u, kind, path, value);
        if (p->toks[p->pos].kind != TK_COMMA) return true;
        p->pos++;
    }
}

static bool parse_clauses(expr_parser *p, ddb_update *u)
{
    bool seen[4] = {false, false, false, false};
    do {
        int k = clause_at(p);
        if (k < 0) return expr_syntax_error(p, p->pos);
        if (seen[k])
            return expr_fail(p, "The \"%s\" section can only be used once in an update expression;",
                             clause_names[k]);
        seen[k] = true;
        p->pos++;
        if (!parse_clause(p, u, (expr_action_kind)k)) return false;
    } while (p->toks[p->pos].kind != TK_EOF);
    return true;
}

/* How ADD and DELETE name a constant's type in their messages. */
static const char *long_type_name(const json_t *v)
{
    static const char *const names[][2] = {
        {"S", "STRING"}, {"N", "NUMBER"}, {"B", "BINARY"}, {"BOOL", "BOOLEAN"}, {"NULL", "NULL"},
        {"L", "LIST"},   {"M", "MAP"},    {"SS", "SS"},    {"NS", "NS"},        {"BS", "BS"},
    };
    const char *t = expr_type_name(v);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], t) == 0) return names[i][1];
    return t;
}

static bool check_action(expr_parser *p, const expr_action *a)
{
    if (!expr_check_tree(p, a->path, CTX_UPDATE)) return false;
    if (!a->value || !expr_check_tree(p, a->value, CTX_UPDATE)) return !a->value;
    if (a->kind == UA_ADD || a->kind == UA_DELETE) {
        const char *t = expr_type_name(a->value->value);
        bool sets = !strcmp(t, "SS") || !strcmp(t, "NS") || !strcmp(t, "BS");
        if (!sets && (a->kind == UA_DELETE || strcmp(t, "N") != 0))
            return expr_fail(p,
                             "Incorrect operand type for operator or function; operator: %s, "
                             "operand type: %s, typeSet: ALLOWED_FOR_%s_OPERAND",
                             a->kind == UA_ADD ? "ADD" : "DELETE", long_type_name(a->value->value),
                             a->kind == UA_ADD ? "ADD" : "DELETE");
    }
    return true;
}

ddb_update *ddb_update_parse(const char *text, ddb_expr_attrs *a, ddb_err *err)
{
    expr_parser p;
    ddb_update *u = xcalloc(1, sizeof *u);
    bool ok = expr_lex(&p, text, "UpdateExpression", a, err) && parse_clauses(&p, u);
    for (int i = 0; ok && i < u->n; i++) {
        ok = expr_check_words(&p, u->acts[i].path, CTX_UPDATE) &&
             (!u->acts[i].value || expr_check_words(&p, u->acts[i].value, CTX_UPDATE));
    }
    /* DynamoDB Local 3.3.1's order: every action's #names, from the last
       action to the first; then overlapping paths; then each action's
       :values and operands, again from the last action to the first
       (test_errors_order.py::test_update_expression_fault_order). */
    for (int i = u->n - 1; ok && i >= 0; i--) {
        ok = expr_check_paths(&p, u->acts[i].path) &&
             (!u->acts[i].value || expr_check_paths(&p, u->acts[i].value));
    }
    if (ok) {
        u->paths.trie = expr_trie_new();
        for (int i = 0; ok && i < u->n; i++)
            ok = expr_trie_add(u->paths.trie, &u->acts[i].path->path, "UpdateExpression", err);
    }
    for (int i = u->n - 1; ok && i >= 0; i--)
        ok = check_action(&p, &u->acts[i]);
    expr_parser_free(&p);
    if (!ok) {
        ddb_update_free(u);
        return NULL;
    }
    return u;
}

bool ddb_update_touches(const ddb_update *u, const char *name)
{
    return expr_trie_has_top(u->paths.trie, name);
}

void ddb_update_order_maps(const ddb_update *u, json_t *item, ddb_attr_order how)
{
    expr_trie_reorder_maps(u->paths.trie, item, how);
}

const ddb_proj *ddb_update_paths(const ddb_update *u)
{
    return &u->paths;
}

void ddb_update_free(ddb_update *u)
{
    if (!u) return;
    for (int i = 0; i < u->n; i++) {
        expr_node_free(u->acts[i].path);
        expr_node_free(u->acts[i].value);
    }
    free(u->acts);
    expr_trie_free(u->paths.trie);
    free(u);
}
