/*
 * value: AttributeValue type names, base64, and the validation that turns
 * an AttributeValue or item from a request into its canonical form (see
 * value.h). Equality, ordering, sizes and key bytes are in value_ops.c.
 *
 * Validation follows what DynamoDB answers (checked against DynamoDB Local
 * with PutItem, and DynamoDB's documentation where Local is known to
 * differ):
 *   - Members whose value is JSON null are ignored; unknown members too.
 *     An AttributeValue that is JSON null is "The supplied Item contains
 *     a null AttributeValue" (": a is null" when a map names it), as
 *     DynamoDB Local 3.3.1 says.
 *   - Each member's value is checked first, in the order given; then an
 *     AttributeValue with no type is "Supplied AttributeValue is empty, ..."
 *     and one with several is "... has more than one datatypes set, ...".
 *   - Empty S and B values are allowed, also inside sets (DynamoDB allows
 *     them for non-key attributes since 2020; key checks are elsewhere).
 *   - Empty sets and duplicate members fail with DynamoDB's per-type texts;
 *     NS members are compared as numbers ("1" and "1.0" are duplicates).
 *   - An M or L nested at level 32 (the attribute itself is level 1) fails
 *     with "Nesting Levels have exceeded supported limits: ...".
 *   - A JSON value of the wrong kind (a number where a string belongs, a
 *     string where a map belongs) and bad base64 are SerializationExceptions,
 *     as in DynamoDB; DynamoDB Local answers these with an internal failure
 *     or quietly converts them, which the service does not do. Their texts
 *     are the service's as reported by its users (including the misspelt
 *     "dectected" of the base64 check); they could not be checked locally.
 */
#include "ddb/model/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ddb/model/number.h"

#include "base/alloc.h"

static const char *const av_names[] = {
    [DDB_AV_INVALID] = "",  [DDB_AV_S] = "S",       [DDB_AV_N] = "N",   [DDB_AV_B] = "B",
    [DDB_AV_BOOL] = "BOOL", [DDB_AV_NULL] = "NULL", [DDB_AV_M] = "M",   [DDB_AV_L] = "L",
    [DDB_AV_SS] = "SS",     [DDB_AV_NS] = "NS",     [DDB_AV_BS] = "BS",
};
#define AV_NTYPES ((int)(sizeof av_names / sizeof av_names[0]))

const char *ddb_av_type_name(ddb_av_type t)
{
    if ((int)t <= 0 || (int)t >= AV_NTYPES) return "";
    return av_names[t];
}

ddb_av_type ddb_av_type_from_name(const char *name)
{
    if (!name) return DDB_AV_INVALID;
    for (int t = 1; t < AV_NTYPES; t++)
        if (strcmp(av_names[t], name) == 0) return (ddb_av_type)t;
    return DDB_AV_INVALID;
}

/* The type of a valid (normalised) value: its only member's name. */
ddb_av_type ddb_av_type_of(const json_t *av)
{
    if (!json_is_object(av) || json_object_size(av) != 1) return DDB_AV_INVALID;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)av, key, v) return ddb_av_type_from_name(key);
    return DDB_AV_INVALID;
}

/* ---- base64 ---------------------------------------------------------- */

static int b64_index(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/*
 * Strict check of standard padded base64, the only form DynamoDB accepts:
 * length a multiple of 4, alphabet characters, at most two '=' and only at
 * the end, and zero bits after the last byte (so each byte string has one
 * text). Returns true when valid; otherwise writes DynamoDB's reason.
 */
static bool b64_check(const char *s, size_t len, char *why, size_t whylen)
{
    if (len % 4) {
        snprintf(why, whylen,
                 "Base64 encoded length is expected a multiple of 4 bytes but found: %zu", len);
        return false;
    }
    size_t pad = 0;
    if (len >= 1 && s[len - 1] == '=') pad++;
    if (len >= 2 && s[len - 2] == '=') pad++;
    for (size_t i = 0; i < len - pad; i++) {
        if (b64_index((unsigned char)s[i]) < 0) {
            snprintf(why, whylen, "Invalid Base64 character: '%c'", s[i]);
            return false;
        }
    }
    if (pad) {
        int last = b64_index((unsigned char)s[len - pad - 1]);
        if ((pad == 1 && (last & 0x03)) || (pad == 2 && (last & 0x0F))) {
            snprintf(why, whylen, "Invalid last non-pad Base64 character dectected");
            return false;
        }
    }
    return true;
}

unsigned char *ddb_b64_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    char why[128];
    if (!b64_check(s, n, why, sizeof why)) return NULL;
    unsigned char *out = xmalloc(n / 4 * 3 + 1);
    int got = n ? EVP_DecodeBlock(out, (const unsigned char *)s, (int)n) : 0;
    if (got < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts padding as zero bytes. */
    size_t pad = (n && s[n - 1] == '=') + (n > 1 && s[n - 2] == '=');
    *len = (size_t)got - pad;
    out[*len] = 0;
    return out;
}

char *ddb_b64_encode(const unsigned char *p, size_t len)
{
    char *out = xmalloc((len + 2) / 3 * 4 + 1);
    int n = len ? EVP_EncodeBlock((unsigned char *)out, p, (int)len) : 0;
    out[n] = '\0';
    return out;
}

/* ---- normalisation --------------------------------------------------- */

#define MSG_INVALID "One or more parameter values were invalid: "

static json_t *av_normalize(const json_t *av, int depth, ddb_err *err);

/* Requires a JSON string where DynamoDB's model has a String or Blob. */
static bool need_string(const json_t *v, const char *what, ddb_err *err)
{
    if (json_is_string(v)) return true;
    ddb_err_value_type(err, v, what);
    return false;
}

/* A B value or BS member: a string holding strict base64. */
static bool check_blob(const json_t *v, ddb_err *err)
{
    if (!need_string(v, "Blob", err)) return false;
    char why[128];
    if (b64_check(json_string_value(v), json_string_length(v), why, sizeof why)) return true;
    ddb_err_set(err, DDB_E_SERIALIZATION, "'%s' can not be converted to a Blob: %s",
                json_string_value(v), why);
    return false;
}

/* Parses an N value or NS member and returns its canonical text. */
static json_t *norm_number(const json_t *v, ddb_err *err)
{
    if (!need_string(v, "String", err)) return NULL;
    const char *s = json_string_value(v);
    ddb_num x;
    if (strlen(s) != json_string_length(v)) {
        ddb_err_set(err, DDB_E_VALIDATION, "A value provided cannot be converted into a number");
        return NULL;
    }
    if (!ddb_num_parse(s, &x, err)) return NULL;
    char text[DDB_NUM_STRLEN];
    ddb_num_format(&x, text);
    return json_string(text);
}

/* Requires a JSON array (the wire form of L and the sets). */
static bool need_array(const json_t *v, ddb_err *err)
{
    if (json_is_array(v)) return true;
    ddb_err_value_type(err, v, "list");
    return false;
}

static int cmp_json_strings(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    size_t lx = json_string_length(x), ly = json_string_length(y);
    int c = memcmp(json_string_value(x), json_string_value(y), lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* True when the (canonical) string members of `set` are not all distinct. */
static bool set_has_duplicates(const json_t *set)
{
    size_t n = json_array_size(set);
    if (n < 2) return false;
    json_t **v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(set, i);
    qsort(v, n, sizeof *v, cmp_json_strings);
    bool dup = false;
    for (size_t i = 1; i < n && !dup; i++)
        dup = cmp_json_strings(&v[i - 1], &v[i]) == 0;
    free(v);
    return dup;
}

/* "[a, b, a]" as DynamoDB lists a string set in its duplicates message. */
static void list_members(const json_t *set, buf_t *out)
{
    size_t i;
    json_t *m;
    buf_putc(out, '[');
    json_array_foreach(set, i, m)
    {
        if (i) buf_puts(out, ", ");
        buf_puts(out, json_string_value(m));
    }
    buf_putc(out, ']');
}

/* Validates SS, NS or BS members; returns the canonical member array. */
static json_t *norm_set(ddb_av_type t, const json_t *v, ddb_err *err)
{
    if (!need_array(v, err)) return NULL;
    json_t *out = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m)
    {
        json_t *c = NULL;
        if (t == DDB_AV_NS) {
            c = norm_number(m, err);
        } else if (t == DDB_AV_BS ? check_blob(m, err) : need_string(m, "String", err)) {
            c = json_incref(m);
        }
        if (!c) {
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, c);
    }
    if (json_array_size(out) == 0) {
        if (t == DDB_AV_SS)
            ddb_err_set(err, DDB_E_VALIDATION, MSG_INVALID "An string set  may not be empty");
        else if (t == DDB_AV_NS)
            ddb_err_set(err, DDB_E_VALIDATION, MSG_INVALID "An number set  may not be empty");
        else
            ddb_err_set(err, DDB_E_VALIDATION, MSG_INVALID "Binary sets should not be empty");
        json_decref(out);
        return NULL;
    }
    if (set_has_duplicates(out)) {
        if (t == DDB_AV_SS) {
            buf_t b = BUF_INIT;
            list_members(out, &b);
            ddb_err_set(err, DDB_E_VALIDATION,
                        MSG_INVALID "Input collection %s contains duplicates", buf_cstr(&b));
            buf_free(&b);
        } else if (t == DDB_AV_NS) {
            ddb_err_set(err, DDB_E_VALIDATION, "Input collection contains duplicates");
        } else {
            ddb_err_set(err, DDB_E_VALIDATION,
                        MSG_INVALID "Input collection of type BS contains duplicates.");
        }
        json_decref(out);
        return NULL;
    }
    ddb_set_sort(t, out);
    return out;
}

/* Validates the members of an M (or an item) one level below `depth`, in
   the order sent (so the first bad member is the one reported), and keeps
   them in the order DynamoDB Local returns them (attr_order.c). `limit`
   (an item's, 0 for none) is checked as they come: each member's value is
   validated, then its size added, so an invalid value after the limit was
   passed is not reached (DynamoDB Local 3.3.1 reads and measures an item in
   one pass). */
static json_t *norm_map(const json_t *v, int depth, size_t limit, ddb_err *err)
{
    if (!json_is_object(v)) {
        ddb_err_value_type(err, v, "structure");
        return NULL;
    }
    size_t n = json_object_size(v), i = 0, size = 0;
    const char **names = xcalloc(n ? n : 1, sizeof *names);
    json_t **vals = xcalloc(n ? n : 1, sizeof *vals);
    json_t *out = NULL;
    const char *name;
    json_t *m;
    json_object_foreach((json_t *)v, name, m)
    {
        if (name[0] == '\0') {
            ddb_err_set(err, DDB_E_VALIDATION, "Empty attribute name");
            goto done;
        }
        if (json_is_null(m)) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "The supplied Item contains a null AttributeValue: %s is null", name);
            goto done;
        }
        if (!(vals[i] = av_normalize(m, depth + 1, err))) goto done;
        names[i++] = name;
        if (limit && (size += strlen(name) + ddb_av_size(vals[i - 1])) > limit) {
            ddb_err_set(err, DDB_E_VALIDATION, "Item size has exceeded the maximum allowed size");
            goto done;
        }
    }
    size_t *perm = xcalloc(n ? n : 1, sizeof *perm);
    ddb_attr_order_perm(names, n, DDB_ORDER_WRITTEN, perm);
    out = json_object();
    for (size_t k = 0; k < n; k++) {
        json_object_set_new(out, names[perm[k]], vals[perm[k]]);
        vals[perm[k]] = NULL;
    }
    free(perm);
done:
    for (size_t k = 0; k < i; k++)
        json_decref(vals[k]);
    free(vals);
    free(names);
    return out;
}

static json_t *norm_list(const json_t *v, int depth, ddb_err *err)
{
    if (!need_array(v, err)) return NULL;
    json_t *out = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m)
    {
        json_t *c = av_normalize(m, depth + 1, err);
        if (!c) {
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, c);
    }
    return out;
}

/* Validates one member (type t, JSON value v) of an AttributeValue. */
static json_t *norm_member(ddb_av_type t, const json_t *v, int depth, ddb_err *err)
{
    switch (t) {
    case DDB_AV_S:
        return need_string(v, "String", err) ? json_incref((json_t *)v) : NULL;
    case DDB_AV_N:
        return norm_number(v, err);
    case DDB_AV_B:
        return check_blob(v, err) ? json_incref((json_t *)v) : NULL;
    case DDB_AV_BOOL:
    case DDB_AV_NULL:
        if (!json_is_boolean(v)) {
            ddb_err_value_type(err, v, "Boolean");
            return NULL;
        }
        if (t == DDB_AV_NULL && !json_is_true(v)) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        MSG_INVALID "Null attribute value types must have the value of true");
            return NULL;
        }
        return json_incref((json_t *)v);
    case DDB_AV_M:
    case DDB_AV_L:
        if (depth >= DDB_MAX_DEPTH) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Nesting Levels have exceeded supported limits: Attributes in the item "
                        "have nested levels beyond supported limit");
            return NULL;
        }
        return t == DDB_AV_M ? norm_map(v, depth, 0, err) : norm_list(v, depth, err);
    default:
        return norm_set(t, v, err);
    }
}

/* Validates an AttributeValue at nesting level `depth` (top level 1). */
static json_t *av_normalize(const json_t *av, int depth, ddb_err *err)
{
    if (!json_is_object(av)) {
        if (json_is_null(av)) /* DynamoDB Local 3.3.1's words; a map names it */
            ddb_err_set(err, DDB_E_VALIDATION, "The supplied Item contains a null AttributeValue");
        else
            ddb_err_value_type(err, av, "structure");
        return NULL;
    }
    json_t *out = NULL;
    int types = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)av, key, v)
    {
        ddb_av_type t = ddb_av_type_from_name(key);
        if (t == DDB_AV_INVALID || json_is_null(v)) continue;
        json_t *c = norm_member(t, v, depth, err);
        if (!c) {
            json_decref(out);
            return NULL;
        }
        if (++types == 1) {
            out = json_object();
            json_object_set_new(out, key, c);
        } else {
            json_decref(c);
        }
    }
    if (types == 0)
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Supplied AttributeValue is empty, must contain exactly one of the supported "
                    "datatypes");
    else if (types > 1)
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Supplied AttributeValue has more than one datatypes set, must contain "
                    "exactly one of the supported datatypes");
    if (types != 1) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *ddb_av_normalize(const json_t *av, ddb_err *err)
{
    return av_normalize(av, 1, err);
}

json_t *ddb_item_normalize(const json_t *item, ddb_err *err)
{
    return norm_map(item, 0, 0, err);
}

json_t *ddb_item_normalize_limited(const json_t *item, ddb_err *err)
{
    return norm_map(item, 0, DDB_MAX_ITEM_SIZE, err);
}
