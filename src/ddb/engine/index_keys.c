/*
 * index_keys: the stored form of index keys made of several attributes
 * (multi-attribute GSI keys), and the bounds a Query puts on them.
 *
 * An idx row keeps one partition blob (hk) and one sort blob (rk). A part
 * made of one attribute is that attribute's key encoding (value.h:
 * ddb_key_encode), as for tables and single-key indexes. A part made of
 * several is a tuple: each attribute's encoding with every 0x00 byte
 * written as 0x00 0xFF, followed by 0x00 0x01. The terminator sorts below
 * any byte that can follow inside a value, so memcmp order of tuples is the
 * order of their first attribute, then their second, and so on, each in
 * DynamoDB's order for its type; a shorter value sorts before the longer
 * values it begins. Equality on the first sort attributes is then a prefix
 * of rk, and a condition on the next one a range inside that prefix, so a
 * Query stays one SQL range over the primary key.
 */
#include <string.h>

#include "ddb/engine/engine_int.h"
#include "ddb/model/value.h"

/* Appends one attribute's encoding to a tuple. */
static void tuple_append(buf_t *out, const buf_t *v, bool terminate)
{
    static const unsigned char zero[2] = {0x00, 0xFF}, end[2] = {0x00, 0x01};
    for (size_t i = 0; i < v->len; i++) {
        if (v->data[i] == 0)
            buf_append(out, zero, 2);
        else
            buf_append(out, &v->data[i], 1);
    }
    if (terminate) buf_append(out, end, 2);
}

bool eng_key_part_add(buf_t *out, const json_t *av, char type, bool tuple, ddb_err *err)
{
    if (!tuple) return ddb_key_encode(av, type, out, err);
    buf_t v = BUF_INIT;
    bool ok = ddb_key_encode(av, type, &v, err);
    if (ok) tuple_append(out, &v, true);
    buf_free(&v);
    return ok;
}

/* The smallest byte string above every string that begins with `b`: drop
   trailing 0xFF bytes and increment the last; false when nothing is left
   (no upper bound). */
static bool successor(buf_t *b)
{
    while (b->len > 0 && (unsigned char)b->data[b->len - 1] == 0xFF)
        b->len--;
    if (b->len == 0) return false;
    b->data[b->len - 1] = (char)((unsigned char)b->data[b->len - 1] + 1);
    return true;
}

/* out = prefix + the tuple encoding of av (terminated unless `open`). */
static bool prefixed(buf_t *out, const buf_t *prefix, const json_t *av, char type, bool open,
                     ddb_err *err)
{
    buf_reset(out);
    buf_append(out, prefix->data ? prefix->data : "", prefix->len);
    if (!open) return eng_key_part_add(out, av, type, true, err);
    buf_t v = BUF_INIT;
    bool ok = ddb_key_encode(av, type, &v, err);
    if (ok) tuple_append(out, &v, false);
    buf_free(&v);
    return ok;
}

bool eng_tuple_bounds(const ddb_keydef *ranges, const ddb_keycond *kc, buf_t *lo, bool *has_lo,
                      buf_t *hi, bool *has_hi, ddb_err *err)
{
    buf_t p = BUF_INIT, x = BUF_INIT;
    bool ok = true;
    for (int i = 0; i < kc->n_range_eq && ok; i++)
        ok = eng_key_part_add(&p, kc->range_eq[i], ranges[i].type, true, err);
    const ddb_keydef *kd = &ranges[kc->n_range_eq];
    *has_lo = *has_hi = false;
    buf_reset(lo);
    buf_reset(hi);
    /* [P, succ(P)) holds every key with the equal prefix P */
    if (ok && p.len > 0) {
        buf_append(lo, p.data, p.len);
        *has_lo = true;
        buf_append(hi, p.data, p.len);
        *has_hi = successor(hi);
    }
    if (!ok || kc->range_op == DDB_RANGE_NONE) goto done;
    ok = prefixed(&x, &p, kc->range_v1, kd->type, kc->range_op == DDB_RANGE_BEGINS_WITH, err);
    if (!ok) goto done;
    switch (kc->range_op) {
    case DDB_RANGE_EQ:
    case DDB_RANGE_BEGINS_WITH:
    case DDB_RANGE_GE:
    case DDB_RANGE_BETWEEN:
        buf_reset(lo);
        buf_append(lo, x.data, x.len);
        *has_lo = true;
        if (kc->range_op == DDB_RANGE_GE) break;
        if (kc->range_op == DDB_RANGE_BETWEEN &&
            !(ok = prefixed(&x, &p, kc->range_v2, kd->type, false, err)))
            break;
        buf_reset(hi);
        buf_append(hi, x.data, x.len);
        *has_hi = successor(hi);
        break;
    case DDB_RANGE_LT:
    case DDB_RANGE_LE:
        buf_reset(hi);
        buf_append(hi, x.data, x.len);
        *has_hi = kc->range_op == DDB_RANGE_LT || successor(hi);
        break;
    case DDB_RANGE_GT:
        /* x ends with the terminator 0x00 0x01, so it has a successor */
        buf_reset(lo);
        buf_append(lo, x.data, x.len);
        *has_lo = successor(lo);
        break;
    default:
        break;
    }
done:
    buf_free(&p);
    buf_free(&x);
    return ok;
}
