/*
 * schema: the table definition document (the `def`), the struct built from
 * it, and ARNs. CreateTable validation lives in schema_create.c,
 * UpdateTable / UpdateTimeToLive / tags in schema_update.c and
 * DescribeTable's TableDescription in schema_describe.c.
 *
 * The def is the single source of truth: the engine persists it as text and
 * ddb_table_load() rebuilds the struct from it, whose string fields point
 * into it. Members (those in DynamoDB's own shape keep DynamoDB's names):
 *
 *   "Format"                 1 (version of this layout)
 *   "TableName"              string
 *   "TableId"                uuid, fixed at creation
 *   "CreatedUs"              creation time, microseconds since the epoch
 *   "KeySchema"              [{AttributeName, KeyType}], HASH first
 *   "AttributeDefinitions"   [{AttributeName, AttributeType}], exactly the
 *                            attributes used by the table and index keys
 *   "BillingMode"            "PROVISIONED" or "PAY_PER_REQUEST"
 *   "BillingModeGiven"       true when the client named a billing mode
 *                            (BillingModeSummary is reported then)
 *   "ProvisionedThroughput"  {ReadCapacityUnits, WriteCapacityUnits};
 *                            absent for PAY_PER_REQUEST
 *   "LastIncreaseUs", "LastDecreaseUs"   last throughput changes (optional)
 *   "PayPerRequestSinceUs"   when the table last became PAY_PER_REQUEST
 *   "OnDemandThroughput"     as the client sent it (optional)
 *   "NextIno"                next index number; numbers are never reused
 *   "GlobalSecondaryIndexes" [{IndexName, Ino, KeySchema, Projection,
 *                            ProvisionedThroughput?, OnDemandThroughput?}]
 *   "LocalSecondaryIndexes"  [{IndexName, Ino, KeySchema, Projection}]
 *   "StreamSpecification"    {StreamEnabled: true, StreamViewType} while a
 *                            stream is enabled; absent otherwise
 *   "LatestStreamLabel"      label of the latest stream; kept after the
 *                            stream is disabled, as DynamoDB reports it
 *   "SSESpecification"       as the client sent it (optional)
 *   "TableClass"             as the client sent it (optional)
 *   "DeletionProtectionEnabled"  bool
 *   "Tags"                   [{Key, Value}] (optional)
 *   "TimeToLive"             {AttributeName} while TTL is enabled
 *
 * Every change builds a new def (a deep copy edited) and a new struct, so a
 * ddb_table never changes after it is built.
 */
#include "ddb/model/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "ddb/model/schema_int.h"

bool sch_valid_name(const char *name)
{
    if (!name) return false;
    size_t n = strlen(name);
    if (n < 3 || n > 255) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

const char *sch_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

char sch_attr_type(const json_t *defs, const char *name)
{
    size_t i;
    json_t *d;
    if (!name) return 0;
    json_array_foreach(defs, i, d)
    {
        const char *n = sch_str(d, "AttributeName");
        if (n && strcmp(n, name) == 0) return sch_str(d, "AttributeType")[0];
    }
    return 0;
}

bool sch_check_type(const json_t *v, json_type type, const char *what, ddb_err *err)
{
    if (!v || json_typeof(v) == type) return true;
    bool want_bool = type == JSON_TRUE || type == JSON_FALSE;
    if (want_bool && json_is_boolean(v)) return true;
    ddb_err_set(err, DDB_E_SERIALIZATION, "Unexpected JSON type for %s", what);
    return false;
}

void sch_stream_label(int64_t us, char out[SCH_LABEL_LEN])
{
    if (us < 0) us = 0;
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char date[24];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, SCH_LABEL_LEN, "%.19s.%03u", date, (unsigned)((us / 1000) % 1000));
}

/* True when attribute `name` is a key attribute of the table or an index. */
static bool key_uses(const json_t *ks, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(ks, i, e)
    {
        const char *n = sch_str(e, "AttributeName");
        if (n && strcmp(n, name) == 0) return true;
    }
    return false;
}

static bool def_uses(const json_t *def, const char *name)
{
    if (key_uses(json_object_get(def, "KeySchema"), name)) return true;
    const char *lists[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(def, lists[l]), i, ix)
        {
            if (key_uses(json_object_get(ix, "KeySchema"), name)) return true;
        }
    }
    return false;
}

void sch_prune_attr_defs(json_t *def, const json_t *pool)
{
    json_t *out = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(pool, i, d)
    {
        const char *name = sch_str(d, "AttributeName");
        if (def_uses(def, name) && !sch_attr_type(out, name)) json_array_append(out, d);
    }
    json_object_set_new(def, "AttributeDefinitions", out);
}

/* Fills a keydef from a KeySchema array: the element with KeyType `kt`. */
static void keydef_from(ddb_keydef *k, const json_t *ks, const json_t *defs, const char *kt)
{
    k->name = NULL;
    k->type = 0;
    size_t i;
    json_t *e;
    json_array_foreach(ks, i, e)
    {
        const char *t = sch_str(e, "KeyType");
        if (t && strcmp(t, kt) == 0) {
            k->name = sch_str(e, "AttributeName");
            k->type = sch_attr_type(defs, k->name);
        }
    }
}

/* Fills the index's key attributes from its KeySchema, in order. */
static void keys_from(ddb_index *ix, const json_t *ks, const json_t *defs)
{
    memset(ix->hashes, 0, sizeof ix->hashes);
    memset(ix->ranges, 0, sizeof ix->ranges);
    ix->n_hash = ix->n_range = 0;
    size_t i;
    json_t *e;
    json_array_foreach(ks, i, e)
    {
        const char *kt = sch_str(e, "KeyType");
        bool hash = kt && strcmp(kt, "HASH") == 0;
        int *n = hash ? &ix->n_hash : &ix->n_range;
        if (*n == DDB_INDEX_KEY_ATTRS) continue;
        ddb_keydef *k = hash ? &ix->hashes[*n] : &ix->ranges[*n];
        k->name = sch_str(e, "AttributeName");
        k->type = sch_attr_type(defs, k->name);
        (*n)++;
    }
    ix->hash = ix->hashes[0];
    ix->range = ix->ranges[0];
}

bool ddb_index_multikey(const ddb_index *ix)
{
    return ix->n_hash > 1 || ix->n_range > 1;
}

bool ddb_index_has_key(const ddb_index *ix, const char *name)
{
    for (int i = 0; i < ix->n_hash; i++)
        if (strcmp(ix->hashes[i].name, name) == 0) return true;
    for (int i = 0; i < ix->n_range; i++)
        if (strcmp(ix->ranges[i].name, name) == 0) return true;
    return false;
}

static ddb_projection projection_of(const char *type)
{
    if (type && strcmp(type, "KEYS_ONLY") == 0) return DDB_PROJECT_KEYS_ONLY;
    if (type && strcmp(type, "INCLUDE") == 0) return DDB_PROJECT_INCLUDE;
    return DDB_PROJECT_ALL;
}

/* Fills one index of the struct from its def entry; false on a bad entry. */
static bool index_from(ddb_index *ix, const json_t *e, bool global, const ddb_table *t)
{
    const json_t *defs = json_object_get(t->def, "AttributeDefinitions");
    const json_t *ks = json_object_get(e, "KeySchema");
    const json_t *proj = json_object_get(e, "Projection");
    ix->name = sch_str(e, "IndexName");
    ix->ino = (int)json_integer_value(json_object_get(e, "Ino"));
    ix->global = global;
    keys_from(ix, ks, defs);
    ix->projection = projection_of(sch_str(proj, "ProjectionType"));
    const json_t *nka = json_object_get(proj, "NonKeyAttributes");
    ix->n_include = json_array_size(nka);
    ix->include = NULL;
    if (ix->n_include) {
        ix->include = xcalloc(ix->n_include, sizeof *ix->include);
        for (size_t i = 0; i < ix->n_include; i++)
            ix->include[i] = json_string_value(json_array_get(nka, i));
    }
    return ix->name && ix->ino > 0 && ix->hash.name && ix->hash.type;
}

ddb_table *sch_table_from_def(json_t *def, ddb_err *err)
{
    ddb_table *t = xcalloc(1, sizeof *t);
    t->def = def;
    const json_t *ks = json_object_get(def, "KeySchema");
    const json_t *defs = json_object_get(def, "AttributeDefinitions");
    t->name = sch_str(def, "TableName");
    keydef_from(&t->hash, ks, defs, "HASH");
    keydef_from(&t->range, ks, defs, "RANGE");
    const json_t *gsis = json_object_get(def, "GlobalSecondaryIndexes");
    const json_t *lsis = json_object_get(def, "LocalSecondaryIndexes");
    size_t n = json_array_size(gsis) + json_array_size(lsis);
    bool ok = t->name && t->hash.name && t->hash.type;
    if (n) {
        t->indexes = xcalloc(n, sizeof *t->indexes);
        for (size_t i = 0; i < json_array_size(gsis); i++)
            ok = index_from(&t->indexes[t->n_indexes++], json_array_get(gsis, i), true, t) && ok;
        for (size_t i = 0; i < json_array_size(lsis); i++)
            ok = index_from(&t->indexes[t->n_indexes++], json_array_get(lsis, i), false, t) && ok;
    }
    const json_t *ss = json_object_get(def, "StreamSpecification");
    t->stream_enabled = json_is_true(json_object_get(ss, "StreamEnabled"));
    t->stream_view_type = t->stream_enabled ? sch_str(ss, "StreamViewType") : NULL;
    t->stream_label = sch_str(def, "LatestStreamLabel");
    t->ttl_attr = sch_str(json_object_get(def, "TimeToLive"), "AttributeName");
    t->deletion_protection = json_is_true(json_object_get(def, "DeletionProtectionEnabled"));
    if (!ok || (t->stream_enabled && (!t->stream_view_type || !t->stream_label))) {
        ddb_err_set(err, DDB_E_INTERNAL, "Corrupt table definition");
        ddb_table_free(t);
        return NULL;
    }
    return t;
}

ddb_table *ddb_table_load(const json_t *def, ddb_err *err)
{
    if (!json_is_object(def) ||
        json_integer_value(json_object_get(def, "Format")) != SCH_DEF_FORMAT) {
        ddb_err_set(err, DDB_E_INTERNAL, "Unknown table definition format");
        return NULL;
    }
    return sch_table_from_def(json_deep_copy(def), err);
}

const ddb_index *ddb_table_find_index(const ddb_table *t, const char *name)
{
    if (!t || !name) return NULL;
    for (size_t i = 0; i < t->n_indexes; i++)
        if (strcmp(t->indexes[i].name, name) == 0) return &t->indexes[i];
    return NULL;
}

void ddb_table_free(ddb_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n_indexes; i++)
        free(t->indexes[i].include);
    free(t->indexes);
    json_decref(t->def);
    free(t);
}

char *ddb_table_arn(const ddb_table *t, const char *region, const char *account_id)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "arn:aws:dynamodb:%s:%s:table/%s", region, account_id, t->name);
    return buf_detach(&b);
}

char *ddb_stream_arn(const ddb_table *t, const char *label, const char *region,
                     const char *account_id)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "arn:aws:dynamodb:%s:%s:table/%s/stream/%s", region, account_id, t->name, label);
    return buf_detach(&b);
}
