/*
 * schema_create: CreateTable validation, and the checks of request pieces
 * that UpdateTable shares (attribute definitions, key schemas, throughput,
 * indexes, stream, SSE, table class, tags).
 *
 * Messages are DynamoDB's. Where DynamoDB Local words a check (the
 * checks it shares with DynamoDB), its wording is used verbatim; where Local
 * does not check (throughput given for PAY_PER_REQUEST) DynamoDB's own
 * wording is used. Checks run in the order DynamoDB runs them, so a request
 * with several faults reports the same one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"
#include "ddb/model/schema.h"
#include "ddb/model/schema_int.h"

#define NAME_LEN_MSG                                                                               \
    "Names of key attributes and attributes projected into an index must be between 1 and 255 "    \
    "characters, inclusive"

/* "1 validation error detected: ..." for a value outside an enumeration. */
static void enum_error(ddb_err *err, const char *value, const char *path, const char *set)
{
    ddb_err_set(err, DDB_E_VALIDATION,
                "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
                "Member must satisfy enum value set: [%s]",
                value, path, set);
}

static bool attr_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 1 && n <= 255;
}

json_t *sch_attr_defs(const json_t *defs, ddb_err *err)
{
    if (!sch_check_type(defs, JSON_ARRAY, "AttributeDefinitions", err)) return NULL;
    if (json_array_size(defs) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, "No Attribute Schema Defined");
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        if (!sch_check_type(d, JSON_OBJECT, "AttributeDefinition", err)) goto fail;
        const char *name = sch_str(d, "AttributeName");
        const char *type = sch_str(d, "AttributeType");
        if (!attr_name_ok(name)) {
            ddb_err_set(err, DDB_E_VALIDATION, NAME_LEN_MSG);
            goto fail;
        }
        if (!type || strlen(type) != 1 || !strchr("SNB", type[0])) {
            char path[64];
            snprintf(path, sizeof path, "attributeDefinitions.%zu.member.attributeType", i + 1);
            enum_error(err, type ? type : "null", path, "B, N, S");
            goto fail;
        }
        if (sch_attr_type(out, name)) {
            ddb_err_set(err, DDB_E_VALIDATION, "Cannot have two attributes with the same name");
            goto fail;
        }
        json_array_append_new(out,
                              json_pack("{s:s,s:s}", "AttributeName", name, "AttributeType", type));
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* The "not specified in Attribute Definitions" message for a table or LSI
   key (GSI keys: schema_gsi_keys.c). */
static void undefined_key_error(ddb_err *err, sch_key_kind kind, bool range)
{
    if (kind == SCH_KEYS_TABLE)
        ddb_err_set(err, DDB_E_VALIDATION,
                    "%s Key not specified in Attribute Definitions.  Type unknown.",
                    range ? "Range" : "Hash");
    else
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Local Secondary Index %s key not specified in Attribute Definitons.Type "
                    "unknown.",
                    range ? "range" : "hash");
}

bool sch_key_element(const json_t *e, size_t i, const char **name, bool *hash, ddb_err *err)
{
    if (!sch_check_type(e, JSON_OBJECT, "KeySchemaElement", err)) return false;
    *name = sch_str(e, "AttributeName");
    const char *kt = sch_str(e, "KeyType");
    if (!attr_name_ok(*name)) {
        ddb_err_set(err, DDB_E_VALIDATION, NAME_LEN_MSG);
        return false;
    }
    if (!kt || (strcmp(kt, "HASH") != 0 && strcmp(kt, "RANGE") != 0)) {
        char path[48];
        snprintf(path, sizeof path, "keySchema.%zu.member.keyType", i + 1);
        enum_error(err, kt ? kt : "null", path, "HASH, RANGE");
        return false;
    }
    *hash = strcmp(kt, "HASH") == 0;
    return true;
}

json_t *sch_key_schema(const json_t *ks, const json_t *defs, sch_key_kind kind, ddb_err *err)
{
    if (!sch_check_type(ks, JSON_ARRAY, "KeySchema", err)) return NULL;
    if (!ks) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "No defined key schema.  A key schema containing at least a hash key must be "
                    "defined for all tables");
        return NULL;
    }
    if (kind == SCH_KEYS_GSI) return sch_gsi_key_schema(ks, defs, err);
    size_t n = json_array_size(ks);
    if (n > 2) {
        ddb_err_set(err, DDB_E_VALIDATION, SCH_KEYS_TOO_BIG_MSG);
        return NULL;
    }
    const char *names[2] = {NULL, NULL};
    int hashes = 0, hash_at = -1;
    for (size_t i = 0; i < n; i++) {
        bool hash;
        if (!sch_key_element(json_array_get(ks, i), i, &names[i], &hash, err)) return NULL;
        if (hash) {
            hashes++;
            hash_at = (int)i;
        }
    }
    if (hashes == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, SCH_NO_HASH_MSG);
        return NULL;
    }
    if (hashes > 1) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Too many hash keys specified.  All Dynamo DB tables must have exactly one "
                    "hash key");
        return NULL;
    }
    if (hash_at != 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Invalid key order.  Hash Key must be specified first in key schema, Range "
                    "Key must be specifed second");
        return NULL;
    }
    if (n == 2 && strcmp(names[0], names[1]) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, SCH_SAME_NAME_MSG);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!sch_attr_type(defs, names[i])) {
            undefined_key_error(err, kind, i == 1);
            return NULL;
        }
    }
    json_t *out = json_pack("[{s:s,s:s}]", "AttributeName", names[0], "KeyType", "HASH");
    if (n == 2)
        json_array_append_new(
            out, json_pack("{s:s,s:s}", "AttributeName", names[1], "KeyType", "RANGE"));
    return out;
}

/* A capacity unit count: a positive JSON integer. */
static bool units_ok(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 1;
}

json_t *sch_throughput(const json_t *pt, bool index, ddb_err *err)
{
    if (!sch_check_type(pt, JSON_OBJECT, "ProvisionedThroughput", err)) return NULL;
    if (!pt) {
        ddb_err_set(err, DDB_E_VALIDATION, "No provisioned throughput specified for the %s",
                    index ? "global secondary index" : "table");
        return NULL;
    }
    const json_t *r = json_object_get(pt, "ReadCapacityUnits");
    const json_t *w = json_object_get(pt, "WriteCapacityUnits");
    if (!units_ok(r) || !units_ok(w)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "%s read and write throughput must be at least 1, and cannot be null",
                    index ? "Global Secondary Index's" : "Table");
        return NULL;
    }
    return json_pack("{s:I,s:I}", "ReadCapacityUnits", (json_int_t)json_integer_value(r),
                     "WriteCapacityUnits", (json_int_t)json_integer_value(w));
}

/* Validates a Projection and returns it normalised. */
static json_t *projection(const json_t *p, ddb_err *err)
{
    if (!sch_check_type(p, JSON_OBJECT, "Projection", err)) return NULL;
    const char *type = sch_str(p, "ProjectionType");
    const json_t *nka = json_object_get(p, "NonKeyAttributes");
    if (!sch_check_type(nka, JSON_ARRAY, "NonKeyAttributes", err)) return NULL;
    if (!type || (strcmp(type, "ALL") != 0 && strcmp(type, "KEYS_ONLY") != 0 &&
                  strcmp(type, "INCLUDE") != 0)) {
        ddb_err_set(err, DDB_E_VALIDATION, "Projection type must be INCLUDE, ALL, or KEYS_ONLY");
        return NULL;
    }
    bool include = strcmp(type, "INCLUDE") == 0;
    if (include && json_array_size(nka) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "If Projection type INCLUDE is specified, some non-key attributes to include "
                    "in the projection must be specified as well");
        return NULL;
    }
    if (!include && nka) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "No attributes should be specified to be projected unless projection type is "
                    "INCLUDE");
        return NULL;
    }
    json_t *out = json_pack("{s:s}", "ProjectionType", type);
    if (!include) return out;
    json_t *list = json_array();
    json_object_set_new(out, "NonKeyAttributes", list);
    for (size_t i = 0; i < json_array_size(nka); i++) {
        const char *name = json_string_value(json_array_get(nka, i));
        if (!attr_name_ok(name)) {
            ddb_err_set(err, DDB_E_VALIDATION, NAME_LEN_MSG);
            goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(json_string_value(json_array_get(list, j)), name) == 0) {
                ddb_err_set(err, DDB_E_VALIDATION, "Cannot have two attributes with the same name");
                goto fail;
            }
        }
        json_array_append_new(list, json_string(name));
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* The LSI-only checks: a RANGE key, and the table's hash key. */
static bool lsi_keys_ok(const json_t *ks, const json_t *table_ks, ddb_err *err)
{
    if (json_array_size(ks) != 2) {
        ddb_err_set(err, DDB_E_VALIDATION, "Local secondary indices must have a range key");
        return false;
    }
    const char *h = sch_str(json_array_get(ks, 0), "AttributeName");
    const char *th = sch_str(json_array_get(table_ks, 0), "AttributeName");
    if (strcmp(h, th) != 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Local Secondary indices must have the same hash key as the main table");
        return false;
    }
    return true;
}

json_t *sch_index(const json_t *ix, bool global, const json_t *table_ks, const json_t *defs,
                  bool provisioned, ddb_err *err)
{
    if (!sch_check_type(ix, JSON_OBJECT, "index", err)) return NULL;
    const char *name = sch_str(ix, "IndexName");
    if (!sch_valid_name(name)) {
        ddb_err_set(err, DDB_E_VALIDATION, SCH_BAD_NAME_MSG);
        return NULL;
    }
    json_t *out = json_pack("{s:s}", "IndexName", name);
    json_t *ks = sch_key_schema(json_object_get(ix, "KeySchema"), defs,
                                global ? SCH_KEYS_GSI : SCH_KEYS_LSI, err);
    if (!ks) goto fail;
    json_object_set_new(out, "KeySchema", ks);
    if (!global && !lsi_keys_ok(ks, table_ks, err)) goto fail;
    const json_t *p = json_object_get(ix, "Projection");
    if (!p) {
        ddb_err_set(err, DDB_E_VALIDATION, "Indexes must have a projection specified");
        goto fail;
    }
    json_t *proj = projection(p, err);
    if (!proj) goto fail;
    json_object_set_new(out, "Projection", proj);
    if (!global) return out;
    const json_t *pt = json_object_get(ix, "ProvisionedThroughput");
    if (provisioned) {
        json_t *tp = sch_throughput(pt, true, err);
        if (!tp) goto fail;
        json_object_set_new(out, "ProvisionedThroughput", tp);
    } else if (pt) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: ProvisionedThroughput should not "
                    "be specified for index: %s when BillingMode is PAY_PER_REQUEST",
                    name);
        goto fail;
    }
    const json_t *odt = json_object_get(ix, "OnDemandThroughput");
    if (json_is_object(odt)) json_object_set(out, "OnDemandThroughput", (json_t *)odt);
    return out;
fail:
    json_decref(out);
    return NULL;
}

bool sch_stream_spec(const json_t *spec, bool *enabled, const char **view_type, ddb_err *err)
{
    if (!sch_check_type(spec, JSON_OBJECT, "StreamSpecification", err)) return false;
    const json_t *en = json_object_get(spec, "StreamEnabled");
    const char *vt = sch_str(spec, "StreamViewType");
    if (!json_is_boolean(en)) {
        ddb_err_set(err, DDB_E_VALIDATION, "Stream StreamEnabled was null");
        return false;
    }
    *enabled = json_is_true(en);
    *view_type = NULL;
    if (!*enabled) {
        if (vt) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Invalid StreamViewType: Stream StreamEnabled was false but a "
                        "StreamViewType was present.");
            return false;
        }
        return true;
    }
    if (!vt || !*vt) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Invalid StreamViewType: Stream ViewType must not be null or empty when "
                    "enabling streams.");
        return false;
    }
    static const char *types[] = {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(vt, types[i]) == 0) {
            *view_type = types[i];
            return true;
        }
    }
    ddb_err_set(err, DDB_E_VALIDATION, "Invalid StreamViewType: %s", vt);
    return false;
}

bool sch_sse_spec(const json_t *spec, ddb_err *err)
{
    if (!sch_check_type(spec, JSON_OBJECT, "SSESpecification", err)) return false;
    const json_t *en = json_object_get(spec, "Enabled");
    if (en && !sch_check_type(en, JSON_TRUE, "SSESpecification.Enabled", err)) return false;
    const char *type = sch_str(spec, "SSEType");
    if (type && strcmp(type, "AES256") != 0 && strcmp(type, "KMS") != 0) {
        enum_error(err, type, "sSESpecification.sSEType", "AES256, KMS");
        return false;
    }
    return true;
}

bool sch_table_class(const json_t *tc, ddb_err *err)
{
    const char *v = json_string_value(tc);
    if (!v || (strcmp(v, "STANDARD") != 0 && strcmp(v, "STANDARD_INFREQUENT_ACCESS") != 0)) {
        enum_error(err, v ? v : "null", "tableClass", "STANDARD, STANDARD_INFREQUENT_ACCESS");
        return false;
    }
    return true;
}

/* Validates one tag; `pos` is its 1-based position for the message. */
static bool tag_ok(const json_t *tag, size_t pos, ddb_err *err)
{
    const char *k = sch_str(tag, "Key");
    const char *v = sch_str(tag, "Value");
    size_t kn = k ? strlen(k) : 0;
    if (!json_is_object(tag) || !k || !v) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at 'tags.%zu.member.%s' failed to "
                    "satisfy constraint: Member must not be null",
                    pos, k ? "value" : "key");
        return false;
    }
    if (kn < 1 || kn > 128 || strlen(v) > 256) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at 'tags.%zu.member.%s' failed to "
                    "satisfy constraint: Member must have length %s",
                    kn < 1 || kn > 128 ? k : v, pos, kn < 1 || kn > 128 ? "key" : "value",
                    kn < 1     ? "greater than or equal to 1"
                    : kn > 128 ? "less than or equal to 128"
                               : "less than or equal to 256");
        return false;
    }
    if (strncmp(k, "aws:", 4) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Tag keys starting with the "
                    "reserved prefix 'aws:' are not allowed");
        return false;
    }
    return true;
}

bool sch_tags_merge(json_t *into, const json_t *tags, ddb_err *err)
{
    if (!sch_check_type(tags, JSON_ARRAY, "Tags", err)) return false;
    size_t i;
    json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        if (!tag_ok(tag, i + 1, err)) return false;
    }
    json_array_foreach(tags, i, tag)
    {
        const char *k = sch_str(tag, "Key");
        json_t *entry = json_pack("{s:s,s:s}", "Key", k, "Value", sch_str(tag, "Value"));
        size_t j;
        json_t *old;
        bool replaced = false;
        json_array_foreach(into, j, old)
        {
            if (strcmp(sch_str(old, "Key"), k) == 0) {
                json_array_set(into, j, entry);
                replaced = true;
                break;
            }
        }
        if (!replaced) json_array_append(into, entry);
        json_decref(entry);
    }
    if (json_array_size(into) > SCH_MAX_TAGS) {
        ddb_err_set(err, DDB_E_LIMIT_EXCEEDED,
                    "The number of tags for the resource would exceed the limit of %d",
                    SCH_MAX_TAGS);
        return false;
    }
    return true;
}

/* Counts the distinct key attribute names of the table and its indexes. */
/*
 * How many AttributeDefinitions a table may have, counted as DynamoDB Local
 * 3.3.1 counts them: its own key attributes, plus the LSI key attributes
 * that are not the table's, plus the GSI key attributes that are not the
 * table's, each kind counted on its own. An attribute keyed by both an LSI
 * and a GSI therefore counts twice, which leaves room for one definition
 * that no key uses (libraries' tables rely on DynamoDB Local accepting
 * that). Every key attribute must be defined (sch_key_schema checks), so
 * more definitions than this always include one that no key uses.
 */
static size_t allowed_attr_defs(const json_t *def)
{
    const json_t *table_keys = json_object_get(def, "KeySchema");
    const json_t *lists[2] = {json_object_get(def, "LocalSecondaryIndexes"),
                              json_object_get(def, "GlobalSecondaryIndexes")};
    size_t n = json_array_size(table_keys);
    for (size_t l = 0; l < 2; l++) {
        json_t *seen = json_object();
        size_t i, j, k;
        json_t *ix, *e, *te;
        json_array_foreach(lists[l], i, ix)
        {
            json_array_foreach(json_object_get(ix, "KeySchema"), j, e)
            {
                const char *name = sch_str(e, "AttributeName");
                bool table_key = false;
                json_array_foreach(table_keys, k, te)
                {
                    table_key = table_key || strcmp(sch_str(te, "AttributeName"), name) == 0;
                }
                if (!table_key) json_object_set_new(seen, name, json_true());
            }
        }
        n += json_object_size(seen);
        json_decref(seen);
    }
    return n;
}

/* Validates a list of GSIs or LSIs into def; numbers them from NextIno. */
static bool add_indexes(json_t *def, const json_t *list, bool global, bool provisioned,
                        ddb_err *err)
{
    const char *member = global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
    if (!list) return true;
    if (!sch_check_type(list, JSON_ARRAY, member, err)) return false;
    const json_t *ks = json_object_get(def, "KeySchema");
    if (json_array_size(list) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, "%s list is empty/invalid", global ? "GSI" : "LSI");
        return false;
    }
    if (!global && json_array_size(ks) < 2) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Local Secondary indices are not allowed on hash tables, only hash and range "
                    "tables");
        return false;
    }
    if (global && json_array_size(list) > SCH_MAX_GSI) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "GlobalSecondaryIndex count exceeds the per-table limit");
        return false;
    }
    if (!global && json_array_size(list) > SCH_MAX_LSI) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Cannot have more than 5 local secondary indexes per table");
        return false;
    }
    const json_t *defs = json_object_get(def, "AttributeDefinitions");
    json_t *out = json_array();
    json_object_set_new(def, member, out);
    size_t i;
    json_t *ix;
    json_array_foreach(list, i, ix)
    {
        json_t *one = sch_index(ix, global, ks, defs, provisioned, err);
        if (!one) return false;
        const char *name = sch_str(one, "IndexName");
        size_t j;
        json_t *prev;
        json_array_foreach(out, j, prev)
        {
            if (strcmp(sch_str(prev, "IndexName"), name) == 0) {
                ddb_err_set(err, DDB_E_VALIDATION, "Two %s secondary indicies have the same name",
                            global ? "global" : "local");
                json_decref(one);
                return false;
            }
        }
        json_int_t ino = json_integer_value(json_object_get(def, "NextIno"));
        json_object_set_new(one, "Ino", json_integer(ino));
        json_object_set_new(def, "NextIno", json_integer(ino + 1));
        json_array_append_new(out, one);
    }
    return true;
}

/* True when a GSI and an LSI share a name. */
static bool names_clash(const json_t *def)
{
    size_t i, j;
    json_t *g, *l;
    json_array_foreach(json_object_get(def, "GlobalSecondaryIndexes"), i, g)
    {
        json_array_foreach(json_object_get(def, "LocalSecondaryIndexes"), j, l)
        {
            if (strcmp(sch_str(g, "IndexName"), sch_str(l, "IndexName")) == 0) return true;
        }
    }
    return false;
}

/* Total NonKeyAttributes over all indexes of a def. */
static size_t count_projected(const json_t *def)
{
    size_t n = 0;
    const char *lists[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(def, lists[l]), i, ix)
        {
            n += json_array_size(
                json_object_get(json_object_get(ix, "Projection"), "NonKeyAttributes"));
        }
    }
    return n;
}

/* Billing mode and table throughput of a CreateTable request into def. */
static bool create_billing(json_t *def, const json_t *req, int64_t now_us, ddb_err *err)
{
    const json_t *bm = json_object_get(req, "BillingMode");
    const char *mode = json_string_value(bm);
    if (bm &&
        (!mode || (strcmp(mode, "PROVISIONED") != 0 && strcmp(mode, "PAY_PER_REQUEST") != 0))) {
        enum_error(err, mode ? mode : "null", "billingMode", "PROVISIONED, PAY_PER_REQUEST");
        return false;
    }
    if (!mode) mode = "PROVISIONED";
    json_object_set_new(def, "BillingMode", json_string(mode));
    json_object_set_new(def, "BillingModeGiven", json_boolean(bm != NULL));
    const json_t *pt = json_object_get(req, "ProvisionedThroughput");
    if (strcmp(mode, "PAY_PER_REQUEST") == 0) {
        if (pt) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                        "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
            return false;
        }
        json_object_set_new(def, "PayPerRequestSinceUs", json_integer(now_us));
    } else {
        json_t *tp = sch_throughput(pt, false, err);
        if (!tp) return false;
        json_object_set_new(def, "ProvisionedThroughput", tp);
    }
    const json_t *odt = json_object_get(req, "OnDemandThroughput");
    if (json_is_object(odt)) json_object_set(def, "OnDemandThroughput", (json_t *)odt);
    return true;
}

/* The optional members: stream, SSE, table class, deletion protection, tags. */
static bool create_options(json_t *def, const json_t *req, int64_t now_us, ddb_err *err)
{
    const json_t *ss = json_object_get(req, "StreamSpecification");
    if (ss) {
        bool enabled;
        const char *vt;
        if (!sch_stream_spec(ss, &enabled, &vt, err)) return false;
        if (enabled) {
            char label[SCH_LABEL_LEN];
            sch_stream_label(now_us, label);
            json_object_set_new(def, "StreamSpecification",
                                json_pack("{s:b,s:s}", "StreamEnabled", 1, "StreamViewType", vt));
            json_object_set_new(def, "LatestStreamLabel", json_string(label));
        }
    }
    const json_t *sse = json_object_get(req, "SSESpecification");
    if (sse) {
        if (!sch_sse_spec(sse, err)) return false;
        json_object_set(def, "SSESpecification", (json_t *)sse);
    }
    const json_t *tc = json_object_get(req, "TableClass");
    if (tc) {
        if (!sch_table_class(tc, err)) return false;
        json_object_set(def, "TableClass", (json_t *)tc);
    }
    const json_t *dp = json_object_get(req, "DeletionProtectionEnabled");
    if (!sch_check_type(dp, JSON_TRUE, "DeletionProtectionEnabled", err)) return false;
    json_object_set_new(def, "DeletionProtectionEnabled", json_boolean(json_is_true(dp)));
    const json_t *tags = json_object_get(req, "Tags");
    if (tags) {
        json_t *list = json_array();
        json_object_set_new(def, "Tags", list);
        if (!sch_tags_merge(list, tags, err)) return false;
    }
    return true;
}

/* Builds the def of a CreateTable request; NULL with err on a fault. */
static json_t *create_def(const json_t *req, int64_t now_us, ddb_err *err)
{
    if (!sch_check_type(req, JSON_OBJECT, "request", err)) return NULL;
    const char *name = sch_str(req, "TableName");
    if (!sch_valid_name(name)) {
        ddb_err_set(err, DDB_E_VALIDATION, SCH_BAD_NAME_MSG);
        return NULL;
    }
    char id[UUID_STR_LEN];
    uuid_v4(id);
    json_t *def = json_pack("{s:i,s:s,s:s,s:I,s:i}", "Format", SCH_DEF_FORMAT, "TableName", name,
                            "TableId", id, "CreatedUs", (json_int_t)now_us, "NextIno", 1);
    const json_t *ks_in = json_object_get(req, "KeySchema");
    if (!ks_in) {
        sch_key_schema(NULL, NULL, SCH_KEYS_TABLE, err);
        goto fail;
    }
    json_t *defs = sch_attr_defs(json_object_get(req, "AttributeDefinitions"), err);
    if (!defs) goto fail;
    json_object_set_new(def, "AttributeDefinitions", defs);
    json_t *ks = sch_key_schema(ks_in, defs, SCH_KEYS_TABLE, err);
    if (!ks) goto fail;
    json_object_set_new(def, "KeySchema", ks);
    if (!create_billing(def, req, now_us, err)) goto fail;
    bool provisioned = strcmp(sch_str(def, "BillingMode"), "PROVISIONED") == 0;
    if (!add_indexes(def, json_object_get(req, "LocalSecondaryIndexes"), false, false, err))
        goto fail;
    if (!add_indexes(def, json_object_get(req, "GlobalSecondaryIndexes"), true, provisioned, err))
        goto fail;
    if (names_clash(def)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Local Secondary Indices AND Global Secondary Indices must have different "
                    "names");
        goto fail;
    }
    if (count_projected(def) > SCH_MAX_PROJECTED) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Number of projected attributes in "
                    "all indexes exceeds limit of %d, number of projected attributes: %zu",
                    SCH_MAX_PROJECTED, count_projected(def));
        goto fail;
    }
    if (json_array_size(defs) > allowed_attr_defs(def)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Number of attributes in KeySchema "
                    "does not exactly match number of attributes defined in AttributeDefinitions");
        goto fail;
    }
    if (!create_options(def, req, now_us, err)) goto fail;
    return def;
fail:
    json_decref(def);
    return NULL;
}

ddb_table *ddb_table_create(const json_t *req, int64_t now_us, ddb_err *err)
{
    json_t *def = create_def(req, now_us, err);
    return def ? sch_table_from_def(def, err) : NULL;
}
