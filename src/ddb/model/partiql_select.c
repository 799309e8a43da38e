/*
 * partiql_select: the answer of an ExecuteStatement SELECT with a list of
 * paths, built as DynamoDB Local 3.3.1 builds it (its
 * SelectProjectionUnnester, read with javap and measured: see
 * tests/compat/FINDINGS.md, "A PartiQL SELECT list").
 *
 * The statement's paths are first a ProjectionExpression, which the read
 * answers (lists compacted to the projected elements). The paths also form
 * a tree, and the projected item is walked along it: a step into a map
 * names its value after the map key; a step into a list appends "[i]" to
 * the name reached so far. At each node the list steps come first, in
 * index order, then the map steps in the order of a HashMap keyed by
 * document path elements (attr_order.c's DDB_ORDER_DOC_PATH). A step that
 * ends a path, or whose value is not a map or list, answers its value
 * under the name reached. 3.3.1 reads the element of a list step by its
 * position in the compacted list, and looks the step's subtree up by that
 * position too: so `l[0].x` answers {"x": ...}, but `l[2].x` answers the
 * projected element whole, {"l[2]": {"M": {"x": ...}}}. The names are then
 * put into a new HashMap() and the answer's own map (DDB_ORDER_LISTED).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "ddb/model/partiql.h"
#include "ddb/model/value.h"

/* One step of the tree of a SELECT's paths; `kids` NULL ends a path. */
typedef struct sel_node {
    const pq_step *step;
    struct sel_node **kids;
    size_t n_kids;
} sel_node;

static bool same_step(const pq_step *a, const pq_step *b)
{
    if (!a->name || !b->name) return !a->name && !b->name && a->index == b->index;
    return strcmp(a->name, b->name) == 0;
}

static sel_node *sel_kid(sel_node *n, const pq_step *step)
{
    for (size_t i = 0; i < n->n_kids; i++)
        if (same_step(n->kids[i]->step, step)) return n->kids[i];
    sel_node *k = xcalloc(1, sizeof *k);
    k->step = step;
    n->kids = xrealloc(n->kids, (n->n_kids + 1) * sizeof *n->kids);
    n->kids[n->n_kids++] = k;
    return k;
}

static void sel_free(sel_node *n)
{
    for (size_t i = 0; i < n->n_kids; i++)
        sel_free(n->kids[i]);
    free(n->kids);
    free(n);
}

/* The tree of the statement's paths, children in the order first written. */
static sel_node *sel_tree(const pq_stmt *s)
{
    sel_node *root = xcalloc(1, sizeof *root);
    for (size_t i = 0; i < s->n_columns; i++) {
        sel_node *n = root;
        for (size_t k = 0; k < s->columns[i]->n_path; k++)
            n = sel_kid(n, &s->columns[i]->path[k]);
    }
    return root;
}

static int by_index(const void *a, const void *b)
{
    const sel_node *x = *(sel_node *const *)a, *y = *(sel_node *const *)b;
    return (x->step->index > y->step->index) - (x->step->index < y->step->index);
}

static void sel_walk(const json_t *m, const json_t *l, const sel_node *n, const char *prefix,
                     json_t *out);

/* One step from a node: its value `v` (NULL: nothing answered), the name
   reached, and the subtree to walk from it (NULL: answer the value). */
static void sel_step(const json_t *v, const char *name, const sel_node *sub, json_t *out)
{
    if (!v) return;
    if (!sub || !sub->kids) {
        json_object_set(out, name, (json_t *)v);
        return;
    }
    const json_t *m = json_object_get(v, "M"), *l = json_object_get(v, "L");
    if (json_is_object(m) || json_is_array(l)) sel_walk(m, l, sub, name, out);
}

/* Walks a map (`m`, names to values) or a list (`l`) along node `n`. */
static void sel_walk(const json_t *m, const json_t *l, const sel_node *n, const char *prefix,
                     json_t *out)
{
    sel_node **idx = xcalloc(n->n_kids + 1, sizeof *idx);
    const char **names = xcalloc(n->n_kids + 1, sizeof *names);
    sel_node **named = xcalloc(n->n_kids + 1, sizeof *named);
    size_t n_idx = 0, n_named = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        if (n->kids[i]->step->name) {
            names[n_named] = n->kids[i]->step->name;
            named[n_named++] = n->kids[i];
        } else {
            idx[n_idx++] = n->kids[i];
        }
    }
    qsort(idx, n_idx, sizeof *idx, by_index);
    buf_t name = BUF_INIT;
    for (size_t pos = 0; pos < n_idx; pos++) {
        /* the element and its subtree are found by the position */
        const sel_node *sub = NULL;
        for (size_t k = 0; k < n_idx; k++)
            if (idx[k]->step->index == (long)pos) sub = idx[k];
        buf_reset(&name);
        buf_printf(&name, "%s[%ld]", prefix, idx[pos]->step->index);
        sel_step(json_array_get(l, pos), buf_cstr(&name), sub, out);
    }
    size_t *perm = xcalloc(n_named + 1, sizeof *perm);
    ddb_attr_order_perm(names, n_named, DDB_ORDER_DOC_PATH, perm);
    for (size_t i = 0; i < n_named; i++) {
        const sel_node *kid = named[perm[i]];
        sel_step(json_object_get(m, kid->step->name), kid->step->name, kid, out);
    }
    buf_free(&name);
    free(perm);
    free(named);
    free(names);
    free(idx);
}

json_t *pq_project(const pq_stmt *s, const json_t *item)
{
    if (!s->n_columns) return json_incref((json_t *)item);
    sel_node *root = sel_tree(s);
    json_t *walked = json_object();
    sel_walk(item, NULL, root, "", walked);
    json_t *out = ddb_attr_reordered(walked, DDB_ORDER_LISTED);
    json_decref(walked);
    sel_free(root);
    return out;
}
