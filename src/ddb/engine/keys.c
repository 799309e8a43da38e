/*
 * keys: the keys of items in the embedded engine, in one place. A key from
 * a request (Key, or the key attributes of an Item) is validated against
 * the table's schema, with DynamoDB's wording for each fault, and turned
 * into the order-preserving encodings of value.h plus DynamoDB Local's hash that
 * orders Scan (eng_key, key_hash.c); the key of an item in a secondary index is derived from
 * it; an ExclusiveStartKey becomes a position; and a key is given back as
 * JSON (Key, LastEvaluatedKey).
 */
#include "ddb/engine/engine_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "ddb/model/value.h"

#define KEY_EMPTY_MSG                                                                              \
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "   \
    "contain an empty %s value. Key: %s"
#define KEY_SCHEMA_MSG "The provided key element does not match the schema"

void eng_key_init(eng_key *k)
{
    memset(k->h, 0, sizeof k->h);
    buf_init(&k->hk);
    buf_init(&k->rk);
}

void eng_key_free(eng_key *k)
{
    buf_free(&k->hk);
    buf_free(&k->rk);
}

/* True when a key value is an empty S or B, which DynamoDB refuses in keys. */
static bool key_value_empty(const json_t *av, const char **what)
{
    const json_t *s = json_object_get(av, "S");
    if (s && json_string_length(s) == 0) {
        *what = "string";
        return true;
    }
    const json_t *b = json_object_get(av, "B");
    if (b && json_string_length(b) == 0) {
        *what = "binary";
        return true;
    }
    return false;
}

/*
 * DynamoDB's size limits for key values: 2048 bytes for a partition key,
 * 1024 for a sort key, counted as the value's size. They apply to index
 * keys too, with DynamoDB Local 3.3.1's other message there.
 */
static bool key_value_size_ok(const json_t *av, bool range, bool index, ddb_err *err)
{
    size_t size = ddb_av_size(av);
    if (size <= (range ? DDB_MAX_RANGE_KEY_SIZE : DDB_MAX_HASH_KEY_SIZE)) return true;
    if (index)
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Size limit exceeded");
    else
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Hash primary key values must be under %d bytes, and range primary key values "
                    "must be under %d bytes",
                    DDB_MAX_HASH_KEY_SIZE, DDB_MAX_RANGE_KEY_SIZE);
    return false;
}

/* True when `av` is a value of key type `type` ('S', 'N' or 'B'). */
static bool key_type_is(const json_t *av, char type)
{
    ddb_av_type at = ddb_av_type_of(av);
    return (type == 'S' && at == DDB_AV_S) || (type == 'N' && at == DDB_AV_N) ||
           (type == 'B' && at == DDB_AV_B);
}

/* Encodes both parts of a key whose attributes key_attr_check passed;
   fills k. */
static bool key_encode(const ddb_table *t, const json_t *hv, const json_t *rv, eng_key *k,
                       ddb_err *err)
{
    assert(hv && (!t->range.name || rv));
    buf_reset(&k->hk);
    buf_reset(&k->rk);
    if (!ddb_key_encode(hv, t->hash.type, &k->hk, err)) return false;
    if (t->range.name && !ddb_key_encode(rv, t->range.type, &k->rk, err)) return false;
    eng_hash(t->hash.type, buf_cstr(&k->hk), k->hk.len, k->h);
    assert(t->range.name || k->rk.len == 0); /* no sort key: rk = X'' (engine_int.h) */
    return true;
}

/* True when `av` is of a type a key can have (S, N or B). */
static bool key_type_scalar(const json_t *av)
{
    ddb_av_type at = ddb_av_type_of(av);
    return at == DDB_AV_S || at == DDB_AV_N || at == DDB_AV_B;
}

#define KEY_VALUE_TYPE_MSG "Invalid attribute value type"
#define KEY_TYPE_MISMATCH_MSG "One or more parameter values were invalid: Type mismatch for key"

/* The outcome of checking one key attribute. */
typedef enum key_check {
    KEY_OK,
    KEY_BAD,  /* the request is malformed: missing, not a key type, empty */
    KEY_UNFIT /* a value of another type than the schema's, or too long */
} key_check;

/*
 * One key attribute `av` (NULL when absent) of an item or a Key, in
 * DynamoDB Local 3.3.1's order: present, of a key type, of the schema's
 * type, not empty, within its size. `schema_words` gives both type faults
 * DynamoDB's "The provided key element does not match the schema" (a Key
 * outside a transaction); otherwise they have 3.3.1's words.
 */
static key_check key_attr_check(const ddb_keydef *kd, bool range, const json_t *av,
                                bool schema_words, ddb_err *err)
{
    const char *what;
    if (!av) {
        ddb_err_set(err, DDB_E_VALIDATION, "One of the required keys was not given a value");
        return KEY_BAD;
    }
    if (!key_type_scalar(av)) {
        ddb_err_set(err, DDB_E_VALIDATION, "%s",
                    schema_words ? KEY_SCHEMA_MSG : KEY_VALUE_TYPE_MSG);
        return KEY_BAD;
    }
    if (!key_type_is(av, kd->type)) {
        ddb_err_set(err, DDB_E_VALIDATION, "%s",
                    schema_words ? KEY_SCHEMA_MSG : KEY_TYPE_MISMATCH_MSG);
        return KEY_UNFIT;
    }
    if (key_value_empty(av, &what)) {
        ddb_err_set(err, DDB_E_VALIDATION, KEY_EMPTY_MSG, what, kd->name);
        return KEY_BAD;
    }
    return key_value_size_ok(av, range, false, err) ? KEY_OK : KEY_UNFIT;
}

/*
 * The key attributes of `obj` (an item, or a Key already known to hold
 * exactly them), the hash key first, then the key itself into k. The first
 * fault ends the check; *unfit (when given) says whether it was KEY_UNFIT.
 */
static bool key_from_attrs(const ddb_table *t, const json_t *obj, bool schema_words, eng_key *k,
                           bool *unfit, ddb_err *err)
{
    const json_t *hv = json_object_get(obj, t->hash.name);
    const json_t *rv = t->range.name ? json_object_get(obj, t->range.name) : NULL;
    key_check r = key_attr_check(&t->hash, false, hv, schema_words, err);
    if (r == KEY_OK && t->range.name) r = key_attr_check(&t->range, true, rv, schema_words, err);
    if (unfit) *unfit = r == KEY_UNFIT;
    return r == KEY_OK && key_encode(t, hv, rv, k, err);
}

bool eng_key_from_key(const ddb_table *t, const json_t *key, eng_key *k, bool *unfit, ddb_err *err)
{
    if (unfit) *unfit = false;
    if (!json_is_object(key)) {
        ddb_err_set(err, DDB_E_VALIDATION, KEY_SCHEMA_MSG);
        return false;
    }
    /* Every value is validated first (callers may pass a raw Key), as
       DynamoDB Local 3.3.1 reads them before it compares the schema. */
    json_t *norm = ddb_item_normalize(key, err);
    if (!norm) return false;
    size_t want = t->range.name ? 2 : 1;
    bool ok = json_object_size(norm) == want && json_object_get(norm, t->hash.name) &&
              (!t->range.name || json_object_get(norm, t->range.name));
    if (!ok)
        ddb_err_set(err, DDB_E_VALIDATION, KEY_SCHEMA_MSG);
    else
        ok = key_from_attrs(t, norm, unfit == NULL, k, unfit, err);
    json_decref(norm);
    return ok;
}

bool eng_key_from_item(const ddb_table *t, const json_t *item, eng_key *k, bool *unfit,
                       ddb_err *err)
{
    return key_from_attrs(t, item, false, k, unfit, err);
}

/* Copies attribute `name` of `item` into `out` when present. */
static void copy_attr(json_t *out, const json_t *item, const char *name)
{
    json_t *v = name ? json_object_get(item, name) : NULL;
    if (v) json_object_set(out, name, v);
}

json_t *eng_key_json(const ddb_table *t, const json_t *item)
{
    json_t *out = json_object();
    copy_attr(out, item, t->hash.name);
    copy_attr(out, item, t->range.name);
    return out;
}

bool eng_is_index_key_attr(const ddb_table *t, const ddb_index *ix, const char *name)
{
    const char *keys[] = {t->hash.name, t->range.name};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i] && strcmp(keys[i], name) == 0) return true;
    return ddb_index_has_key(ix, name);
}

json_t *eng_index_key_json(const ddb_table *t, const ddb_index *ix, const json_t *item)
{
    json_t *out = eng_key_json(t, item);
    for (int i = 0; i < ix->n_hash; i++)
        copy_attr(out, item, ix->hashes[i].name);
    for (int i = 0; i < ix->n_range; i++)
        copy_attr(out, item, ix->ranges[i].name);
    return out;
}

/* Type and emptiness of one index key attribute of an item (absent is fine:
   the index is sparse). A value of another type than the index's is
   KEY_UNFIT, as a table key's; the other faults are KEY_BAD. */
static key_check index_key_attr_check(const ddb_index *ix, const ddb_keydef *kd, bool range,
                                      const json_t *item, ddb_err *err)
{
    const json_t *av = kd->name ? json_object_get(item, kd->name) : NULL;
    if (!av) return KEY_OK;
    if (!key_type_scalar(av)) {
        ddb_err_set(err, DDB_E_VALIDATION, KEY_VALUE_TYPE_MSG);
        return KEY_BAD;
    }
    if (!key_type_is(av, kd->type)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Type mismatch for Index Key");
        return KEY_UNFIT;
    }
    const char *what;
    if (key_value_empty(av, &what)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    "attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                    what, ix->name, kd->name);
        return KEY_BAD;
    }
    return key_value_size_ok(av, range, true, err) ? KEY_OK : KEY_BAD;
}

size_t eng_index_order(const ddb_table *t, const ddb_index **out)
{
    const char **names = xcalloc(t->n_indexes + 1, sizeof *names);
    const ddb_index **ixs = xcalloc(t->n_indexes + 1, sizeof *ixs);
    size_t *perm = xcalloc(t->n_indexes + 1, sizeof *perm), n = 0;
    for (int global = 0; global < 2; global++) {
        size_t m = 0;
        for (size_t i = 0; i < t->n_indexes; i++) {
            if (t->indexes[i].global != (bool)global) continue;
            ixs[m] = &t->indexes[i];
            names[m++] = t->indexes[i].name;
        }
        ddb_attr_order_perm(names, m, DDB_ORDER_HASHMAP, perm);
        for (size_t i = 0; i < m; i++)
            out[n++] = ixs[perm[i]];
    }
    assert(n == t->n_indexes);
    free(perm);
    free(ixs);
    free(names);
    return n;
}

bool eng_item_check(const ddb_table *t, const json_t *item, bool *unfit, ddb_err *err)
{
    if (unfit) *unfit = false;
    if (ddb_item_size(item) > DDB_MAX_ITEM_SIZE) {
        ddb_err_set(err, DDB_E_VALIDATION, "Item size has exceeded the maximum allowed size");
        return false;
    }
    const ddb_index **order = xcalloc(t->n_indexes + 1, sizeof *order);
    size_t n = eng_index_order(t, order);
    key_check r = KEY_OK;
    for (size_t i = 0; i < n && r == KEY_OK; i++) {
        const ddb_index *ix = order[i];
        for (int j = 0; r == KEY_OK && ix->global && j < ix->n_hash; j++)
            r = index_key_attr_check(ix, &ix->hashes[j], false, item, err);
        for (int j = 0; r == KEY_OK && j < ix->n_range; j++)
            r = index_key_attr_check(ix, &ix->ranges[j], true, item, err);
    }
    free(order);
    if (unfit) *unfit = r == KEY_UNFIT;
    return r == KEY_OK;
}

/* The part of an index key made of keys[0..n) of `item`, in the tuple form
   of index_keys.c when n > 1; false when one of them is missing, empty or
   not of its type (the item is not in the index). */
static bool index_part(const ddb_keydef *keys, int n, const json_t *item, buf_t *out)
{
    ddb_err ignore = DDB_ERR_INIT;
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        const json_t *av = json_object_get(item, keys[i].name);
        const char *what;
        ok = av && !key_value_empty(av, &what) &&
             eng_key_part_add(out, av, keys[i].type, n > 1, &ignore);
    }
    ddb_err_clear(&ignore);
    return ok;
}

/*
 * The encoded key of `item` in index `ix`, or false when the item has no
 * entry in it (an index key attribute is missing or, for items written
 * before the index existed, not of the index's type or empty). An LSI's
 * partition is the table's, so its hash part is the table key's.
 */
bool eng_index_key(const ddb_index *ix, const eng_key *tk, const json_t *item, eng_key *out)
{
    buf_reset(&out->hk);
    buf_reset(&out->rk);
    bool ok = true;
    if (ix->global) {
        ok = index_part(ix->hashes, ix->n_hash, item, &out->hk);
        memset(out->h, 0, ENG_HASH_LEN); /* unused: a GSI's idx.h is empty */
    } else {
        buf_append(&out->hk, tk->hk.data ? tk->hk.data : "", tk->hk.len);
        memcpy(out->h, tk->h, ENG_HASH_LEN);
    }
    return ok && index_part(ix->ranges, ix->n_range, item, &out->rk);
}

/*
 * ExclusiveStartKey of a Query or Scan of table `t` or of its index `ix`
 * (NULL for the table): exactly the table key plus, for an index, the
 * index key. *tkey gets the table key and *pos the position in what is
 * read (the index key for an index, else the table key).
 */
bool eng_key_from_start(const ddb_table *t, const ddb_index *ix, const json_t *esk, eng_key *pos,
                        eng_key *tkey, ddb_err *err)
{
    const char *names[2 + 2 * DDB_INDEX_KEY_ATTRS] = {t->hash.name, t->range.name};
    int n_names = 2;
    for (int i = 0; ix && i < ix->n_hash; i++)
        names[n_names++] = ix->hashes[i].name;
    for (int i = 0; ix && i < ix->n_range; i++)
        names[n_names++] = ix->ranges[i].name;
    size_t want = 0;
    for (int i = 0; i < n_names; i++) {
        bool dup = !names[i];
        for (int j = 0; j < i && !dup; j++)
            dup = names[j] && strcmp(names[i], names[j]) == 0;
        if (!dup) want++;
    }
    if (!json_is_object(esk) || json_object_size(esk) != want) {
        ddb_err_set(err, DDB_E_VALIDATION, "The provided starting key is invalid: " KEY_SCHEMA_MSG);
        return false;
    }
    json_t *key = ddb_item_normalize(esk, err);
    if (!key) return false;
    json_t *tkey_json = json_object();
    bool ok = true;
    for (int i = 0; i < n_names && ok; i++) {
        json_t *v = names[i] ? json_object_get(key, names[i]) : NULL;
        if (names[i] && !v) {
            ddb_err_set(err, DDB_E_VALIDATION, KEY_SCHEMA_MSG);
            ok = false;
        } else if (v && i < 2) {
            json_object_set(tkey_json, names[i], v);
        }
    }
    if (ok) ok = eng_key_from_key(t, tkey_json, tkey, NULL, err);
    if (ok && ix && ddb_index_multikey(ix)) {
        ok = eng_index_key(ix, tkey, key, pos);
        if (!ok) ddb_err_set(err, DDB_E_VALIDATION, KEY_SCHEMA_MSG);
    } else if (ok && ix) {
        ok = ddb_key_encode(json_object_get(key, ix->hash.name), ix->hash.type, &pos->hk, err);
        if (ok && ix->range.name)
            ok =
                ddb_key_encode(json_object_get(key, ix->range.name), ix->range.type, &pos->rk, err);
        /* an LSI's idx.h is its partition's; a GSI's is empty */
        if (ok && !ix->global) memcpy(pos->h, tkey->h, ENG_HASH_LEN);
    } else if (ok) {
        buf_append(&pos->hk, tkey->hk.data, tkey->hk.len);
        buf_append(&pos->rk, tkey->rk.data, tkey->rk.len);
        memcpy(pos->h, tkey->h, ENG_HASH_LEN);
    }
    json_decref(tkey_json);
    json_decref(key);
    return ok;
}

/* True when two keys of the same table are the same item. */
bool eng_key_same(const eng_key *a, const eng_key *b)
{
    return memcmp(a->h, b->h, ENG_HASH_LEN) == 0 && a->hk.len == b->hk.len &&
           a->rk.len == b->rk.len &&
           (a->hk.len == 0 || memcmp(a->hk.data, b->hk.data, a->hk.len) == 0) &&
           (a->rk.len == 0 || memcmp(a->rk.data, b->rk.data, a->rk.len) == 0);
}
