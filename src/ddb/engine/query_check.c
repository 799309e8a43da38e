/*
 * query_check: a Query's key condition, checked in DynamoDB Local 3.3.1's
 * order and turned into what query.c reads.
 *
 * The key condition names the partition key of the table or index read
 * (every partition attribute of a multi-attribute index) and at most a
 * range on its sort key (for an index with several sort attributes, a
 * prefix of them with `=` and then one range). Its values must have the
 * key's types and may not be empty strings or binaries. The result is one
 * partition (eng_key: h, hk) and bounds on the encoded sort key `rk`; a
 * begins_with on S or B becomes a prefix range of the bytes. The filter of
 * a Query may not read the key it queries by. Before any of that, a path
 * into a key attribute of the table or of any of its indexes is refused.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "ddb/engine/engine_int.h"
#include "ddb/model/value.h"

void eng_query_range_init(eng_query_range *r)
{
    eng_key_init(&r->part);
    r->lo.set = r->lo.incl = r->hi.set = r->hi.incl = false;
    buf_init(&r->lo.v);
    buf_init(&r->hi.v);
}

void eng_query_range_free(eng_query_range *r)
{
    eng_key_free(&r->part);
    buf_free(&r->lo.v);
    buf_free(&r->hi.v);
}

/* memcmp order of two byte strings, the shorter first on a common prefix. */
static int qc_cmp(const void *a, size_t an, const void *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int r = n ? memcmp(a, b, n) : 0;
    if (r) return r;
    return an < bn ? -1 : an > bn;
}

bool eng_query_range_has(const eng_query_range *r, const eng_key *k)
{
    if (qc_cmp(k->hk.data, k->hk.len, r->part.hk.data, r->part.hk.len) != 0) return false;
    if (r->lo.set) {
        int c = qc_cmp(k->rk.data, k->rk.len, r->lo.v.data, r->lo.v.len);
        if (c < 0 || (c == 0 && !r->lo.incl)) return false;
    }
    if (r->hi.set) {
        int c = qc_cmp(k->rk.data, k->rk.len, r->hi.v.data, r->hi.v.len);
        if (c > 0 || (c == 0 && !r->hi.incl)) return false;
    }
    return true;
}

/* What a Query reads: the table or one of its indexes (`ix` NULL for the
   table), with the key schema of what is read. */
typedef struct qc_target {
    const ddb_table *t;
    const ddb_index *ix;
    const ddb_keydef *hash;
    const ddb_keydef *range;
} qc_target;

static bool qc_check_type(const json_t *av, char type, ddb_err *err)
{
    if (ddb_av_type_of(av) == ddb_av_type_from_name((char[]){type, 0})) return true;
    ddb_err_set(err, DDB_E_VALIDATION,
                "One or more parameter values were invalid: Condition parameter type does not "
                "match schema type");
    return false;
}

/* A key attribute's value in a key condition may not be an empty string
   or binary, as DynamoDB Local 3.3.1 answers (naming the index when the
   attribute is one of an index's own keys). */
static bool qc_check_not_empty(const qc_target *q, const json_t *av, const char *name, ddb_err *err)
{
    const json_t *v = json_object_get(av, ddb_av_type_of(av) == DDB_AV_S ? "S" : "B");
    if (!json_is_string(v) || json_string_length(v) > 0) return true;
    bool table_key =
        !strcmp(name, q->t->hash.name) || (q->t->range.name && !strcmp(name, q->t->range.name));
    if (q->ix && !table_key)
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    "attribute cannot contain an empty string value. IndexName: %s, IndexKey: %s",
                    q->ix->name, name);
    else
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values are not valid. The AttributeValue for a key "
                    "attribute cannot contain an empty string value. Key: %s",
                    name);
    return false;
}

/* A key condition value for key attribute `kd`: its type, and not empty. */
static bool qc_check_value(const qc_target *q, const json_t *av, const ddb_keydef *kd, ddb_err *err)
{
    return qc_check_type(av, kd->type, err) && qc_check_not_empty(q, av, kd->name, err);
}

static bool qc_begins_with_number(const ddb_keycond *kc, ddb_err *err)
{
    if (kc->range_op != DDB_RANGE_BEGINS_WITH || ddb_av_type_of(kc->range_v1) != DDB_AV_N)
        return false;
    ddb_err_set(err, DDB_E_VALIDATION,
                "Invalid KeyConditionExpression: Incorrect operand type for operator or "
                "function; operator or function: begins_with, operand type: N");
    return true;
}

/* The sort key bounds of a Query on an index with several sort attributes:
   a prefix of equal tuple elements, then a range (index_keys.c). */
static bool qc_tuple_bounds(const qc_target *q, const ddb_keycond *kc, eng_query_range *r,
                            ddb_err *err)
{
    const ddb_keydef *ranges = q->ix->ranges;
    for (int i = 0; i < kc->n_range_eq; i++)
        if (!qc_check_value(q, kc->range_eq[i], &ranges[i], err)) return false;
    const ddb_keydef *kd = &ranges[kc->n_range_eq];
    if (qc_begins_with_number(kc, err)) return false;
    if (kc->range_op != DDB_RANGE_NONE &&
        (!qc_check_value(q, kc->range_v1, kd, err) ||
         (kc->range_v2 && !qc_check_value(q, kc->range_v2, kd, err))))
        return false;
    if (!eng_tuple_bounds(ranges, kc, &r->lo.v, &r->lo.set, &r->hi.v, &r->hi.set, err))
        return false;
    r->lo.incl = true;
    r->hi.incl = false;
    return true;
}

/* The bounds of one sort key condition with encoded operand `v1`. */
static bool qc_range_bounds(const qc_target *q, const ddb_keycond *kc, buf_t *v1,
                            eng_query_range *r, ddb_err *err)
{
    eng_bound *lo = &r->lo, *hi = &r->hi;
    switch (kc->range_op) {
    case DDB_RANGE_EQ:
        buf_append(&lo->v, v1->data, v1->len);
        buf_append(&hi->v, v1->data, v1->len);
        lo->set = hi->set = lo->incl = hi->incl = true;
        break;
    case DDB_RANGE_LT:
    case DDB_RANGE_LE:
        buf_append(&hi->v, v1->data, v1->len);
        hi->set = true;
        hi->incl = kc->range_op == DDB_RANGE_LE;
        break;
    case DDB_RANGE_GT:
    case DDB_RANGE_GE:
        buf_append(&lo->v, v1->data, v1->len);
        lo->set = true;
        lo->incl = kc->range_op == DDB_RANGE_GE;
        break;
    case DDB_RANGE_BETWEEN:
        buf_append(&lo->v, v1->data, v1->len);
        lo->set = lo->incl = true;
        /* ddb_keycond_parse has checked that v1 <= v2 */
        if (!ddb_key_encode(kc->range_v2, q->range->type, &hi->v, err)) return false;
        hi->set = hi->incl = true;
        break;
    case DDB_RANGE_BEGINS_WITH:
        /* [prefix, successor of prefix): drop trailing 0xFF bytes and
           increment the last; no upper bound if nothing is left. */
        buf_append(&lo->v, v1->data, v1->len);
        lo->set = lo->incl = true;
        while (v1->len > 0 && (unsigned char)v1->data[v1->len - 1] == 0xFF)
            v1->len--;
        if (v1->len > 0) {
            v1->data[v1->len - 1] = (char)((unsigned char)v1->data[v1->len - 1] + 1);
            buf_append(&hi->v, v1->data, v1->len);
            hi->set = true;
            hi->incl = false;
        }
        break;
    default:
        break;
    }
    return true;
}

/* Turns the reduced key condition into the partition key and rk bounds. */
static bool qc_key_bounds(const qc_target *q, const ddb_keycond *kc, eng_query_range *r,
                          ddb_err *err)
{
    const ddb_keydef *hashes = q->ix ? q->ix->hashes : q->hash;
    int n_hash = q->ix ? q->ix->n_hash : 1;
    for (int i = 0; i < n_hash; i++) {
        if (!qc_check_value(q, kc->hash_values[i], &hashes[i], err)) return false;
        if (!eng_key_part_add(&r->part.hk, kc->hash_values[i], hashes[i].type, n_hash > 1, err))
            return false;
    }
    if (!q->ix || !q->ix->global) /* a GSI's idx.h is empty (engine_int.h) */
        eng_hash(q->hash->type, buf_cstr(&r->part.hk), r->part.hk.len, r->part.h);
    if (q->ix && q->ix->n_range > 1) return qc_tuple_bounds(q, kc, r, err);
    if (kc->range_op == DDB_RANGE_NONE) return true;
    if (qc_begins_with_number(kc, err)) return false;
    if (!qc_check_type(kc->range_v1, q->range->type, err)) return false;
    if (kc->range_v2 && !qc_check_type(kc->range_v2, q->range->type, err)) return false;
    if (!qc_check_not_empty(q, kc->range_v1, q->range->name, err) ||
        (kc->range_v2 && !qc_check_not_empty(q, kc->range_v2, q->range->name, err)))
        return false;
    buf_t v1 = BUF_INIT;
    bool ok = ddb_key_encode(kc->range_v1, q->range->type, &v1, err) &&
              qc_range_bounds(q, kc, &v1, r, err);
    buf_free(&v1);
    return ok;
}

/* The key condition, checked against the key schema of what is read. */
static bool qc_reduce(const qc_target *q, const ddb_keycond_expr *x, ddb_keycond *kc, ddb_err *err)
{
    if (!q->ix || !ddb_index_multikey(q->ix))
        return ddb_keycond_reduce(x, q->hash->name, q->range->name, kc, err);
    ddb_keycond_schema ks = {.n_hash = q->ix->n_hash, .n_range = q->ix->n_range};
    for (int i = 0; i < ks.n_hash; i++)
        ks.hash[i] = q->ix->hashes[i].name;
    for (int i = 0; i < ks.n_range; i++)
        ks.range[i] = q->ix->ranges[i].name;
    return ddb_keycond_reduce_multi(x, &ks, kc, err);
}

/* A Query's filter may not read the key it queries by; `member` names the
   filter in the refusal. */
static bool qc_filter_keys_ok(const qc_target *q, const ddb_cond *filter, const char *member,
                              ddb_err *err)
{
    const ddb_keydef *keys[2 * DDB_INDEX_KEY_ATTRS] = {q->hash, q->range};
    int n_keys = 2;
    if (q->ix && ddb_index_multikey(q->ix)) {
        n_keys = 0;
        for (int i = 0; i < q->ix->n_hash; i++)
            keys[n_keys++] = &q->ix->hashes[i];
        for (int i = 0; i < q->ix->n_range; i++)
            keys[n_keys++] = &q->ix->ranges[i];
    }
    for (int i = 0; filter && i < n_keys; i++) {
        if (keys[i]->name && ddb_cond_uses(filter, keys[i]->name)) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "%s can only contain non-primary key attributes: Primary key "
                        "attribute: %s",
                        member, keys[i]->name);
            return false;
        }
    }
    return true;
}

/* A path into a key attribute of the table or of any of its indexes is
   refused first, as DynamoDB Local 3.3.1 does: the table's keys, then the
   indexes' keys in eng_index_order. */
static bool qc_check_key_paths(const ddb_table *t, const ddb_keycond_expr *kx, ddb_err *err)
{
    size_t cap = 2 + t->n_indexes * 2 * DDB_INDEX_KEY_ATTRS;
    const char **keys = xcalloc(cap, sizeof *keys);
    bool *index_key = xcalloc(cap, sizeof *index_key);
    const ddb_index **order = xcalloc(t->n_indexes + 1, sizeof *order);
    keys[0] = t->hash.name;
    keys[1] = t->range.name;
    int n = 2;
    size_t n_ix = eng_index_order(t, order);
    for (size_t i = 0; i < n_ix; i++) {
        const ddb_index *ix = order[i];
        for (int j = 0; j < ix->n_hash; j++, n++) {
            keys[n] = ix->hashes[j].name;
            index_key[n] = true;
        }
        for (int j = 0; j < ix->n_range; j++, n++) {
            keys[n] = ix->ranges[j].name;
            index_key[n] = true;
        }
    }
    assert((size_t)n <= cap);
    bool ok = ddb_keycond_check_key_paths(kx, keys, index_key, n, err);
    free(order);
    free(index_key);
    free(keys);
    return ok;
}

bool eng_query_keys(const ddb_table *t, const ddb_index *ix, const char *kce, ddb_expr_attrs *attrs,
                    const ddb_cond *filter, const char *filter_member, eng_query_range *r,
                    ddb_err *err)
{
    qc_target q = {
        .t = t, .ix = ix, .hash = ix ? &ix->hash : &t->hash, .range = ix ? &ix->range : &t->range};
    ddb_keycond kc;
    memset(&kc, 0, sizeof kc);
    /* DynamoDB Local 3.3.1's order, after the filter and the projection
       were read: the key condition is read, the unused names and values
       refused, then paths into key attributes, and only then the key
       condition checked against the key schema, its values against the
       key's types, and the filter against the key. */
    ddb_keycond_expr *kx = ddb_keycond_expr_parse(kce, attrs, err);
    bool ok = kx && ddb_expr_attrs_check_unused(attrs, err) && qc_check_key_paths(t, kx, err) &&
              qc_reduce(&q, kx, &kc, err) && qc_key_bounds(&q, &kc, r, err) &&
              qc_filter_keys_ok(&q, filter, filter_member, err);
    ddb_keycond_free(&kc);
    ddb_keycond_expr_free(kx);
    return ok;
}
