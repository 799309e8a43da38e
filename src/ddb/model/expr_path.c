/*
 * expr_path: document paths (a.b[2].c) once resolved: looking one up in an
 * item, printing it as DynamoDB does in messages ("[a, b, [2], c]"), and a
 * trie of paths. The trie serves two purposes: it rejects overlapping and
 * conflicting paths in projection and update expressions in time linear in
 * the text, and it applies a projection to an item.
 */
#include "ddb/model/expr_int.h"

#include "base/alloc.h"
#include "ddb/model/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *expr_path_get(const json_t *item, const expr_path *path)
{
    if (!item || path->n == 0 || path->el[0].is_index) return NULL;
    json_t *cur = json_object_get(item, path->el[0].name);
    for (int k = 1; k < path->n && cur; k++) {
        const expr_pel *el = &path->el[k];
        if (el->is_index) {
            json_t *l = json_object_get(cur, "L");
            cur = json_is_array(l) ? json_array_get(l, (size_t)el->index) : NULL;
        } else {
            json_t *m = json_object_get(cur, "M");
            cur = json_is_object(m) ? json_object_get(m, el->name) : NULL;
        }
    }
    return cur;
}

void expr_path_format(const expr_path *path, char *out, size_t size)
{
    size_t n = 0;
    n += (size_t)snprintf(out, size, "[");
    for (int k = 0; k < path->n && n < size; k++) {
        const expr_pel *el = &path->el[k];
        const char *sep = k ? ", " : "";
        if (el->is_index)
            n += (size_t)snprintf(out + n, size - n, "%s[%ld]", sep, el->index);
        else
            n += (size_t)snprintf(out + n, size - n, "%s%s", sep, el->name);
    }
    if (n < size) snprintf(out + n, size - n, "]");
}

static bool pel_equal(const expr_pel *a, const expr_pel *b)
{
    if (a->is_index != b->is_index) return false;
    return a->is_index ? a->index == b->index : strcmp(a->name, b->name) == 0;
}

bool expr_path_equal(const expr_path *a, const expr_path *b)
{
    if (a->n != b->n) return false;
    for (int k = 0; k < a->n; k++)
        if (!pel_equal(&a->el[k], &b->el[k])) return false;
    return true;
}

void expr_path_free(expr_path *path)
{
    for (int k = 0; k < path->n; k++)
        free(path->el[k].name);
    free(path->el);
    path->el = NULL;
    path->n = 0;
}

bool expr_path_copy(expr_path *dst, const expr_path *src)
{
    dst->n = src->n;
    dst->el = xcalloc((size_t)src->n + 1, sizeof *dst->el);
    for (int k = 0; k < src->n; k++) {
        dst->el[k] = src->el[k];
        if (src->el[k].name) {
            dst->el[k].name = xstrdup(src->el[k].name);
        }
    }
    return true;
}

/* ---- trie ---- */

typedef struct trie_node {
    expr_pel el;   /* el.name borrowed from the path stored in the trie */
    int first;     /* the first path that went through this node */
    bool terminal; /* a path ends here */
    struct trie_node **kids;
    int nkids;
} trie_node;

struct expr_trie {
    trie_node root;
    expr_path *paths; /* copies of the inserted paths, in order */
    int npaths;
};

expr_trie *expr_trie_new(void)
{
    expr_trie *t = xcalloc(1, sizeof *t);
    return t;
}

static void node_free(trie_node *n)
{
    for (int i = 0; i < n->nkids; i++) {
        node_free(n->kids[i]);
        free(n->kids[i]);
    }
    free(n->kids);
}

void expr_trie_free(expr_trie *t)
{
    if (!t) return;
    node_free(&t->root);
    for (int i = 0; i < t->npaths; i++)
        expr_path_free(&t->paths[i]);
    free(t->paths);
    free(t);
}

static bool clash(expr_trie *t, int one, const expr_path *two, const char *what, const char *which,
                  ddb_err *err)
{
    char a[400], b[400];
    expr_path_format(&t->paths[one], a, sizeof a);
    expr_path_format(two, b, sizeof b);
    ddb_err_set(err, DDB_E_VALIDATION,
                "Invalid %s: Two document paths %s with each other; must remove or rewrite one "
                "of these paths; path one: %s, path two: %s",
                which, what, a, b);
    return false;
}

bool expr_trie_add(expr_trie *t, const expr_path *path, const char *which, ddb_err *err)
{
    int me = t->npaths;
    expr_path *ps = xrealloc(t->paths, (size_t)(me + 1) * sizeof *ps);
    t->paths = ps;
    expr_path_copy(&t->paths[me], path);
    t->npaths++;
    const expr_path *mine = &t->paths[me];
    trie_node *node = &t->root;
    for (int k = 0; k < mine->n; k++) {
        if (node->terminal) return clash(t, node->first, mine, "overlap", which, err);
        const expr_pel *el = &mine->el[k];
        trie_node *next = NULL;
        for (int i = 0; i < node->nkids && !next; i++)
            if (pel_equal(&node->kids[i]->el, el)) next = node->kids[i];
        if (!next) {
            if (node->nkids > 0 && node->kids[0]->el.is_index != el->is_index)
                return clash(t, node->kids[0]->first, mine, "conflict", which, err);
            next = xcalloc(1, sizeof *next);
            trie_node **kids = xrealloc(node->kids, (size_t)(node->nkids + 1) * sizeof *kids);
            next->el = *el;
            next->first = me;
            node->kids = kids;
            node->kids[node->nkids++] = next;
        }
        node = next;
    }
    if (node->terminal || node->nkids > 0)
        return clash(t, node->first, mine, "overlap", which, err);
    node->terminal = true;
    return true;
}

bool expr_trie_has_top(const expr_trie *t, const char *name)
{
    for (int i = 0; i < t->root.nkids; i++)
        if (strcmp(t->root.kids[i]->el.name, name) == 0) return true;
    return false;
}

void expr_trie_top_names(const expr_trie *t, json_t *names)
{
    for (int i = 0; i < t->root.nkids; i++)
        json_object_set_new(names, t->root.kids[i]->el.name, json_true());
}

void expr_trie_top_names_backwards(const expr_trie *t, json_t *names)
{
    for (int i = t->npaths - 1; i >= 0; i--)
        if (!json_object_get(names, t->paths[i].el[0].name))
            json_object_set_new(names, t->paths[i].el[0].name, json_true());
}

static int by_index(const void *a, const void *b)
{
    const trie_node *x = *(trie_node *const *)a, *y = *(trie_node *const *)b;
    return (x->el.index > y->el.index) - (x->el.index < y->el.index);
}

/* A map a projection built (takes `m`): DynamoDB Local 3.3.1 builds it
   from its paths sorted by name, through two HashMaps, as it rebuilds an
   updated item (attr_order.c), whatever order the paths came in. */
static json_t *projected_order(json_t *m)
{
    json_t *out = ddb_attr_reordered(m, DDB_ORDER_REBUILT);
    json_decref(m);
    return out;
}
/* The parts of `av` selected by node's children, or NULL when none exist. */
static json_t *project_av(const trie_node *node, const json_t *av)
{
    if (node->terminal) return json_deep_copy(av);
    if (node->nkids == 0) return NULL;
    if (node->kids[0]->el.is_index) {
        json_t *l = json_object_get(av, "L");
        if (!json_is_array(l)) return NULL;
        trie_node **kids = xmalloc((size_t)node->nkids * sizeof *kids);
        memcpy(kids, node->kids, (size_t)node->nkids * sizeof *kids);
        qsort(kids, (size_t)node->nkids, sizeof *kids, by_index);
        json_t *out = json_array();
        for (int i = 0; i < node->nkids; i++) {
            json_t *x = json_array_get(l, (size_t)kids[i]->el.index);
            json_t *sub = x ? project_av(kids[i], x) : NULL;
            if (sub) json_array_append_new(out, sub);
        }
        free(kids);
        if (json_array_size(out) == 0) {
            json_decref(out);
            return NULL;
        }
        return json_pack("{s:o}", "L", out);
    }
    json_t *m = json_object_get(av, "M");
    if (!json_is_object(m)) return NULL;
    json_t *out = json_object();
    for (int i = 0; i < node->nkids; i++) {
        json_t *x = json_object_get(m, node->kids[i]->el.name);
        json_t *sub = x ? project_av(node->kids[i], x) : NULL;
        if (sub) json_object_set_new(out, node->kids[i]->el.name, sub);
    }
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return json_pack("{s:o}", "M", projected_order(out));
}

json_t *expr_trie_project(const expr_trie *t, const json_t *item)
{
    json_t *out = json_object();
    if (!item) return out;
    for (int i = 0; i < t->root.nkids; i++) {
        const trie_node *kid = t->root.kids[i];
        json_t *x = json_object_get(item, kid->el.name);
        json_t *sub = x ? project_av(kid, x) : NULL;
        if (sub) json_object_set_new(out, kid->el.name, sub);
    }
    return projected_order(out);
}

/* Puts the names of each map that node's children step into in the order
   `how` gives a map an update rebuilt (attr_order.c). */
static void reorder_av(const trie_node *node, json_t *av, ddb_attr_order how)
{
    if (node->terminal || node->nkids == 0 || !json_is_object(av)) return;
    if (node->kids[0]->el.is_index) {
        json_t *l = json_object_get(av, "L");
        for (int i = 0; i < node->nkids && json_is_array(l); i++) {
            json_t *x = json_array_get(l, (size_t)node->kids[i]->el.index);
            if (x) reorder_av(node->kids[i], x, how);
        }
        return;
    }
    json_t *m = json_object_get(av, "M");
    if (!json_is_object(m)) return;
    for (int i = 0; i < node->nkids; i++) {
        json_t *x = json_object_get(m, node->kids[i]->el.name);
        if (x) reorder_av(node->kids[i], x, how);
    }
    json_object_set_new(av, "M", ddb_attr_reordered(m, how));
}

void expr_trie_reorder_maps(const expr_trie *t, json_t *item, ddb_attr_order how)
{
    for (int i = 0; i < t->root.nkids; i++) {
        const trie_node *kid = t->root.kids[i];
        json_t *x = json_object_get(item, kid->el.name);
        if (x) reorder_av(kid, x, how);
    }
}
