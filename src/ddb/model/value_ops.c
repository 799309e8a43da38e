/*
 * value_ops: what the engine and the expression evaluator do with valid
 * AttributeValues: equality, ordering, DynamoDB's size accounting and the
 * order-preserving key bytes (see value.h). Inputs are assumed to have
 * passed ddb_av_normalize(); nothing here reports validation errors except
 * a key of the wrong type.
 *
 * Sizes follow DynamoDB's documented item size rules:
 *   - S: UTF-8 bytes; B: decoded bytes; N: ddb_num_size() (its bytes in
 *     DynamoDB Local 3.3.1's encoding: about 1 byte per two significant
 *     digits, plus 1); BOOL and NULL: 1 byte.
 *   - SS, NS, BS: the sum of their members' sizes by the rules above.
 *   - M and L: 3 bytes, plus 1 byte per element, plus the elements' sizes;
 *     an M element also counts its name's UTF-8 bytes.
 *   - An item: the sum over its attributes of name bytes + value size.
 */
#include "ddb/model/value.h"

#include <stdlib.h>
#include <string.h>

#include "ddb/model/number.h"

#include "base/alloc.h"

/* The single member of a valid AttributeValue. */
static json_t *av_payload(const json_t *av)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)av, key, v) return v;
    return NULL;
}

/* Parses a canonical number string; a non-number compares as zero. */
static void num_of(const json_t *s, ddb_num *x)
{
    if (!ddb_num_parse(json_string_value(s), x, NULL)) memset(x, 0, sizeof *x);
}

static int bytes_cmp(const void *a, size_t la, const void *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c) return c < 0 ? -1 : 1;
    return (la > lb) - (la < lb);
}

static int str_cmp(const json_t *a, const json_t *b)
{
    return bytes_cmp(json_string_value(a), json_string_length(a), json_string_value(b),
                     json_string_length(b));
}

/* Orders two base64 strings by their decoded bytes, unsigned. */
static int blob_cmp(const json_t *a, const json_t *b)
{
    if (str_cmp(a, b) == 0) return 0; /* one text per byte string */
    size_t la = 0, lb = 0;
    unsigned char *x = ddb_b64_decode(json_string_value(a), &la);
    unsigned char *y = ddb_b64_decode(json_string_value(b), &lb);
    int c =
        bytes_cmp(x ? x : (unsigned char *)"", x ? la : 0, y ? y : (unsigned char *)"", y ? lb : 0);
    free(x);
    free(y);
    return c;
}

static int num_str_cmp(const json_t *a, const json_t *b)
{
    ddb_num x, y;
    num_of(a, &x);
    num_of(b, &y);
    return ddb_num_cmp(&x, &y);
}

/* Comparison of two set members of type t (SS, NS or BS). */
static int member_cmp(ddb_av_type t, const json_t *a, const json_t *b)
{
    if (t == DDB_AV_NS) return num_str_cmp(a, b);
    if (t == DDB_AV_BS) return blob_cmp(a, b);
    return str_cmp(a, b);
}

static int member_qsort_cmp(const void *a, const void *b, void *type)
{
    return member_cmp(*(ddb_av_type *)type, *(json_t *const *)a, *(json_t *const *)b);
}

static json_t **sorted_members(ddb_av_type t, const json_t *set, size_t n)
{
    json_t **v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(set, i);
    qsort_r(v, n, sizeof *v, member_qsort_cmp, &t);
    return v;
}

/* Sets are equal when they hold the same members in any order. */
static bool set_equal(ddb_av_type t, const json_t *a, const json_t *b)
{
    size_t n = json_array_size(a);
    if (n != json_array_size(b)) return false;
    json_t **x = sorted_members(t, a, n), **y = sorted_members(t, b, n);
    bool eq = x && y;
    for (size_t i = 0; eq && i < n; i++)
        eq = member_cmp(t, x[i], y[i]) == 0;
    free(x);
    free(y);
    return eq;
}

bool ddb_av_equal(const json_t *a, const json_t *b)
{
    ddb_av_type t = ddb_av_type_of(a);
    if (t == DDB_AV_INVALID || t != ddb_av_type_of(b)) return false;
    json_t *x = av_payload(a), *y = av_payload(b);
    switch (t) {
    case DDB_AV_S:
        return str_cmp(x, y) == 0;
    case DDB_AV_N:
        return num_str_cmp(x, y) == 0;
    case DDB_AV_B:
        return blob_cmp(x, y) == 0;
    case DDB_AV_BOOL:
    case DDB_AV_NULL:
        return json_is_true(x) == json_is_true(y);
    case DDB_AV_L: {
        size_t n = json_array_size(x);
        if (n != json_array_size(y)) return false;
        for (size_t i = 0; i < n; i++)
            if (!ddb_av_equal(json_array_get(x, i), json_array_get(y, i))) return false;
        return true;
    }
    case DDB_AV_M: {
        if (json_object_size(x) != json_object_size(y)) return false;
        const char *key;
        json_t *v;
        json_object_foreach(x, key, v)
        {
            json_t *w = json_object_get(y, key);
            if (!w || !ddb_av_equal(v, w)) return false;
        }
        return true;
    }
    default:
        return set_equal(t, x, y);
    }
}

int ddb_av_compare(const json_t *a, const json_t *b, bool *comparable)
{
    ddb_av_type t = ddb_av_type_of(a);
    bool ok = t == ddb_av_type_of(b) && (t == DDB_AV_S || t == DDB_AV_N || t == DDB_AV_B);
    if (comparable) *comparable = ok;
    if (!ok) return 0;
    json_t *x = av_payload(a), *y = av_payload(b);
    if (t == DDB_AV_N) return num_str_cmp(x, y);
    if (t == DDB_AV_B) return blob_cmp(x, y);
    return str_cmp(x, y);
}

/* Decoded length of a strict base64 string, from its length and padding. */
static size_t blob_size(const json_t *s)
{
    size_t n = json_string_length(s);
    const char *p = json_string_value(s);
    if (n < 4) return 0;
    return n / 4 * 3 - (p[n - 1] == '=') - (p[n - 2] == '=');
}

static size_t num_size(const json_t *s)
{
    ddb_num x;
    num_of(s, &x);
    return ddb_num_size(&x);
}

size_t ddb_av_size(const json_t *av)
{
    ddb_av_type t = ddb_av_type_of(av);
    json_t *v = av_payload(av);
    size_t size = 0, i;
    json_t *m;
    const char *key;
    switch (t) {
    case DDB_AV_S:
        return json_string_length(v);
    case DDB_AV_N:
        return num_size(v);
    case DDB_AV_B:
        return blob_size(v);
    case DDB_AV_BOOL:
    case DDB_AV_NULL:
        return 1;
    case DDB_AV_L:
        size = 3;
        json_array_foreach(v, i, m) size += 1 + ddb_av_size(m);
        return size;
    case DDB_AV_M:
        size = 3;
        json_object_foreach(v, key, m) size += 1 + strlen(key) + ddb_av_size(m);
        return size;
    case DDB_AV_SS:
    case DDB_AV_NS:
    case DDB_AV_BS:
        json_array_foreach(v, i, m)
        {
            size += t == DDB_AV_SS   ? json_string_length(m)
                    : t == DDB_AV_NS ? num_size(m)
                                     : blob_size(m);
        }
        return size;
    default:
        return 0;
    }
}

size_t ddb_item_size(const json_t *item)
{
    size_t size = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)item, key, v) size += strlen(key) + ddb_av_size(v);
    return size;
}

/*
 * Key bytes: S as its UTF-8 bytes and B as its decoded bytes (memcmp order
 * is then DynamoDB's order for both), N as ddb_num_key_encode().
 */
bool ddb_key_encode(const json_t *av, char type, buf_t *out, ddb_err *err)
{
    ddb_av_type want = type == 'S' ? DDB_AV_S : type == 'N' ? DDB_AV_N : DDB_AV_B;
    ddb_av_type got = ddb_av_type_of(av);
    if (got != want || (type != 'S' && type != 'N' && type != 'B')) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Type mismatch for key expected: "
                    "%c actual: %s",
                    type, got == DDB_AV_INVALID ? "NULL" : ddb_av_type_name(got));
        return false;
    }
    json_t *v = av_payload(av);
    if (want == DDB_AV_S) {
        buf_append(out, json_string_value(v), json_string_length(v));
    } else if (want == DDB_AV_N) {
        ddb_num x;
        num_of(v, &x);
        ddb_num_key_encode(&x, out);
    } else {
        size_t len = 0;
        unsigned char *bytes = ddb_b64_decode(json_string_value(v), &len);
        if (bytes) buf_append(out, bytes, len);
        free(bytes);
    }
    return true;
}

json_t *ddb_key_decode(char type, const unsigned char *p, size_t n)
{
    if (type == 'S') return json_pack("{s:s%}", "S", (const char *)p, n);
    if (type == 'N') {
        ddb_num x;
        if (!ddb_num_key_decode(p, n, &x)) return NULL;
        char text[DDB_NUM_STRLEN];
        ddb_num_format(&x, text);
        return json_pack("{s:s}", "N", text);
    }
    if (type == 'B') {
        char *s = ddb_b64_encode(p, n);
        if (!s) return NULL;
        json_t *av = json_pack("{s:s}", "B", s);
        free(s);
        return av;
    }
    return NULL;
}
