/*
 * expr_keycond_multi: the key condition of a Query on a global secondary
 * index whose key has several partition or sort attributes.
 *
 * Every partition attribute needs an equality; the sort attributes are used
 * left to right, each with an equality except the last one used, which may
 * have any of = < <= > >= BETWEEN begins_with. The checks and messages are
 * DynamoDB Local 3.3.1's, in its order: one condition per attribute
 * (expr_key_collect), "not supported" when there are more conditions than
 * key attributes, the partition attributes (all of those without an
 * equality named at once), the sort attributes before the last one used,
 * then conditions on other attributes ("missed key schema element").
 */
#include <string.h>

#include "base/buf.h"
#include "ddb/model/expr_int.h"

/* The term on `attr`, or NULL. */
static const expr_key_term *term_on(const expr_key_term *terms, int nt, const char *attr)
{
    for (int i = 0; i < nt; i++)
        if (strcmp(terms[i].attr, attr) == 0) return &terms[i];
    return NULL;
}

/* "a, b, c": the names of `names` whose term is missing or not `=`. */
static int not_equal(const expr_key_term *terms, int nt, const char *const *names, int n,
                     buf_t *list)
{
    int count = 0;
    for (int i = 0; i < n; i++) {
        const expr_key_term *t = term_on(terms, nt, names[i]);
        if (t && t->op == DDB_RANGE_EQ) continue;
        buf_printf(list, "%s%s", count ? ", " : "", names[i]);
        count++;
    }
    return count;
}

static bool is_one_of(const char *attr, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], attr) == 0) return true;
    return false;
}

/* The partition and sort-prefix rules; false with 3.3.1's message. */
static bool key_shape_ok(const expr_key_term *terms, int nt, const ddb_keycond_schema *ks,
                         int *last, ddb_err *err)
{
    buf_t list = BUF_INIT;
    bool ok = true;
    if (not_equal(terms, nt, ks->hash, ks->n_hash, &list) > 0) {
        ok = expr_key_fail(
            err, "HASH key attributes %s must have equality conditions specified in the query",
            buf_cstr(&list));
        goto done;
    }
    *last = -1;
    for (int i = 0; i < ks->n_range; i++)
        if (term_on(terms, nt, ks->range[i])) *last = i;
    if (*last > 0 && not_equal(terms, nt, ks->range, *last, &list) > 0)
        ok = expr_key_fail(err,
                           "RANGE key attributes %s must have equality conditions specified in "
                           "the query because a condition is present on key attribute %s",
                           buf_cstr(&list), ks->range[*last]);
done:
    buf_free(&list);
    return ok;
}

bool expr_key_reduce_multi(const expr_key_term *terms, int nt, const ddb_keycond_schema *ks,
                           ddb_keycond *out, ddb_err *err)
{
    if (nt > ks->n_hash + ks->n_range)
        return expr_key_fail(err, "Query key condition not supported");
    int last = -1;
    if (!key_shape_ok(terms, nt, ks, &last, err)) return false;
    /* A condition on an attribute of no key "missed" a key attribute. */
    for (int i = 0; i < nt; i++) {
        const char *a = terms[i].attr;
        if (is_one_of(a, ks->hash, ks->n_hash) || is_one_of(a, ks->range, ks->n_range)) continue;
        return expr_key_fail(err, "Query condition missed key schema element");
    }
    for (int i = 0; i < ks->n_hash; i++)
        out->hash_values[i] = json_incref((json_t *)term_on(terms, nt, ks->hash[i])->v1);
    out->n_hash = ks->n_hash;
    out->hash_value = out->hash_values[0];
    if (last < 0) return true;
    for (int i = 0; i < last; i++)
        out->range_eq[i] = json_incref((json_t *)term_on(terms, nt, ks->range[i])->v1);
    out->n_range_eq = last;
    const expr_key_term *t = term_on(terms, nt, ks->range[last]);
    out->range_op = t->op;
    out->range_v1 = json_incref((json_t *)t->v1);
    out->range_v2 = t->v2 ? json_incref((json_t *)t->v2) : NULL;
    return true;
}
