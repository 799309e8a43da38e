/*
 * expr_proj: projection expressions ("a, b.c, d[2]"). The paths go into a
 * trie (expr_path.c), which rejects overlapping or conflicting paths and
 * later copies the selected parts of an item, compacting projected list
 * elements in index order as DynamoDB returns them.
 */
#include "ddb/model/expr_int.h"

#include "base/alloc.h"
#include "ddb/model/value.h"

#include <stdlib.h>

ddb_proj *ddb_proj_parse(const char *text, ddb_expr_attrs *a, ddb_err *err)
{
    expr_parser p;
    expr_node **paths = NULL;
    size_t n = 0;
    bool ok = expr_lex(&p, text, "ProjectionExpression", a, err);
    while (ok) {
        expr_node *x = expr_parse_path(&p);
        if (!x) {
            ok = false;
            break;
        }
        expr_node **grown = xrealloc(paths, (n + 1) * sizeof *grown);
        paths = grown;
        paths[n++] = x;
        if (p.toks[p.pos].kind == TK_COMMA) {
            p.pos++;
            continue;
        }
        if (p.toks[p.pos].kind != TK_EOF) ok = expr_syntax_error(&p, p.pos);
        break;
    }
    for (size_t i = 0; ok && i < n; i++)
        ok = expr_check_words(&p, paths[i], CTX_PROJECTION);
    for (size_t i = 0; ok && i < n; i++)
        ok = expr_check_path(&p, paths[i]);
    ddb_proj *proj = NULL;
    if (ok) {
        proj = xcalloc(1, sizeof *proj);
        proj->trie = expr_trie_new();
        for (size_t i = 0; ok && i < n; i++)
            ok = expr_trie_add(proj->trie, &paths[i]->path, "ProjectionExpression", err);
        if (!ok) {
            ddb_proj_free(proj);
            proj = NULL;
        }
    }
    for (size_t i = 0; i < n; i++)
        expr_node_free(paths[i]);
    free(paths);
    expr_parser_free(&p);
    return proj;
}

json_t *ddb_proj_apply(const ddb_proj *p, const json_t *item)
{
    json_t *out = expr_trie_project(p->trie, item);
    if (!p->listed) return out;
    /* the names found, in the order written (the trie's), then the rule */
    json_t *names = json_object(), *found = json_object();
    expr_trie_top_names(p->trie, names);
    const char *name;
    json_t *v;
    json_object_foreach(names, name, v)
    {
        json_t *got = json_object_get(out, name);
        if (got) json_object_set(found, name, got);
    }
    json_t *listed = ddb_attr_reordered(found, DDB_ORDER_LISTED);
    json_decref(found);
    json_decref(names);
    json_decref(out);
    return listed;
}

void ddb_proj_set_listed(ddb_proj *p)
{
    p->listed = true;
}

void ddb_proj_top_names(const ddb_proj *p, json_t *names)
{
    expr_trie_top_names(p->trie, names);
}

void ddb_proj_tree_names(const ddb_proj *p, json_t *names)
{
    if (p->listed) {
        expr_trie_top_names(p->trie, names);
        return;
    }
    json_t *backwards = json_object();
    expr_trie_top_names_backwards(p->trie, backwards);
    json_t *tree = ddb_attr_reordered(backwards, DDB_ORDER_DOC_PATH);
    json_object_update(names, tree);
    json_decref(tree);
    json_decref(backwards);
}

void ddb_proj_free(ddb_proj *p)
{
    if (!p) return;
    expr_trie_free(p->trie);
    free(p);
}
