/*
 * schema_update: the operations that change a table's definition:
 * UpdateTable (stream, GSIs, throughput, billing mode, SSE, table class,
 * deletion protection), UpdateTimeToLive and TagResource/UntagResource.
 *
 * Each works on a deep copy of the current def and returns a new table, so
 * the table being read by other threads never changes. UpdateTable creates
 * or deletes at most one GSI per call, as DynamoDB does; the engine
 * back-fills a created index and drops the rows of a deleted one.
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/model/schema.h"
#include "ddb/model/schema_int.h"

#include "base/alloc.h"

/* The state of one UpdateTable call while it is being applied. */
typedef struct upd {
    const ddb_table *t;
    const json_t *req;
    json_t *def;  /* the new def being edited */
    json_t *pool; /* current + requested attribute definitions */
    int64_t now_us;
    const char *mode;    /* billing mode after the update */
    const char *created; /* name of the GSI created, or NULL */
    int dropped_ino;
} upd;

static bool is_ppr(const char *mode)
{
    return strcmp(mode, "PAY_PER_REQUEST") == 0;
}

/* The entry of GSI `name` in a def's list (and its position), or NULL. */
static json_t *find_gsi(json_t *def, const char *name, size_t *pos)
{
    size_t i;
    json_t *ix;
    json_array_foreach(json_object_get(def, "GlobalSecondaryIndexes"), i, ix)
    {
        if (strcmp(sch_str(ix, "IndexName"), name) == 0) {
            if (pos) *pos = i;
            return ix;
        }
    }
    return NULL;
}

/* True when the request asks for any change at all. */
static bool wants_change(const json_t *req)
{
    static const char *members[] = {
        "BillingMode", "ProvisionedThroughput",     "StreamSpecification", "SSESpecification",
        "TableClass",  "DeletionProtectionEnabled", "OnDemandThroughput"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (json_object_get(req, members[i])) return true;
    return json_array_size(json_object_get(req, "GlobalSecondaryIndexUpdates")) > 0;
}

/* Current definitions plus the request's, failing on a type conflict. */
static bool merge_attr_defs(upd *u, ddb_err *err)
{
    u->pool = json_deep_copy(json_object_get(u->def, "AttributeDefinitions"));
    const json_t *given = json_object_get(u->req, "AttributeDefinitions");
    if (!given) return true;
    json_t *defs = sch_attr_defs(given, err);
    if (!defs) return false;
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        const char *name = sch_str(d, "AttributeName");
        char have = sch_attr_type(u->pool, name);
        if (have && have != sch_str(d, "AttributeType")[0]) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Attribute %s is defined with "
                        "type %c in the table and type %s in AttributeDefinitions",
                        name, have, sch_str(d, "AttributeType"));
            json_decref(defs);
            return false;
        }
        if (!have) json_array_append(u->pool, d);
    }
    json_decref(defs);
    return true;
}

/* The ProvisionedThroughput an Update action gives for GSI `name`, or NULL. */
static const json_t *gsi_update_throughput(const json_t *req, const char *name)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(req, "GlobalSecondaryIndexUpdates"), i, a)
    {
        const json_t *up = json_object_get(a, "Update");
        const char *n = sch_str(up, "IndexName");
        if (n && strcmp(n, name) == 0) return json_object_get(up, "ProvisionedThroughput");
    }
    return NULL;
}

/* BillingMode: switching drops or requires throughput on the table and GSIs. */
static bool apply_billing(upd *u, ddb_err *err)
{
    const json_t *bm = json_object_get(u->req, "BillingMode");
    u->mode = sch_str(u->def, "BillingMode");
    if (!bm) return true;
    const char *mode = json_string_value(bm);
    if (!mode || (strcmp(mode, "PROVISIONED") != 0 && !is_ppr(mode))) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at 'billingMode' failed to satisfy "
                    "constraint: Member must satisfy enum value set: [PROVISIONED, "
                    "PAY_PER_REQUEST]",
                    mode ? mode : "null");
        return false;
    }
    json_object_set_new(u->def, "BillingModeGiven", json_true());
    if (strcmp(mode, u->mode) == 0) return true;
    u->mode = is_ppr(mode) ? "PAY_PER_REQUEST" : "PROVISIONED";
    json_object_set_new(u->def, "BillingMode", json_string(u->mode));
    json_t *gsis = json_object_get(u->def, "GlobalSecondaryIndexes");
    size_t i;
    json_t *ix;
    if (is_ppr(u->mode)) {
        json_object_del(u->def, "ProvisionedThroughput");
        json_object_set_new(u->def, "PayPerRequestSinceUs", json_integer(u->now_us));
        json_array_foreach(gsis, i, ix) json_object_del(ix, "ProvisionedThroughput");
        return true;
    }
    json_t *tp = sch_throughput(json_object_get(u->req, "ProvisionedThroughput"), false, err);
    if (!tp) return false;
    json_object_set_new(u->def, "ProvisionedThroughput", tp);
    json_array_foreach(gsis, i, ix)
    {
        const char *name = sch_str(ix, "IndexName");
        const json_t *pt = gsi_update_throughput(u->req, name);
        if (!pt) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: ProvisionedThroughput must be "
                        "specified for index: %s when BillingMode is PROVISIONED",
                        name);
            return false;
        }
        json_t *gtp = sch_throughput(pt, true, err);
        if (!gtp) return false;
        json_object_set_new(ix, "ProvisionedThroughput", gtp);
    }
    return true;
}

static json_int_t units(const json_t *pt, const char *key)
{
    return json_integer_value(json_object_get(pt, key));
}

/* ProvisionedThroughput on a PROVISIONED table that stays PROVISIONED. */
static bool apply_throughput(upd *u, ddb_err *err)
{
    const json_t *pt = json_object_get(u->req, "ProvisionedThroughput");
    if (!pt) return true;
    if (is_ppr(u->mode)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                    "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        return false;
    }
    if (strcmp(sch_str(u->t->def, "BillingMode"), u->mode) != 0) return true; /* just switched */
    json_t *tp = sch_throughput(pt, false, err);
    if (!tp) return false;
    const json_t *cur = json_object_get(u->def, "ProvisionedThroughput");
    json_int_t cr = units(cur, "ReadCapacityUnits"), cw = units(cur, "WriteCapacityUnits");
    json_int_t nr = units(tp, "ReadCapacityUnits"), nw = units(tp, "WriteCapacityUnits");
    if (cr == nr && cw == nw) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "The provisioned throughput for the table will not change. The requested "
                    "value equals the current value. Current ReadCapacityUnits provisioned for "
                    "the table: %lld. Requested ReadCapacityUnits: %lld. Current "
                    "WriteCapacityUnits provisioned for the table: %lld. Requested "
                    "WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB Developer Guide for "
                    "current limits and how to request higher limits.",
                    (long long)cr, (long long)nr, (long long)cw, (long long)nw);
        json_decref(tp);
        return false;
    }
    if (nr > cr || nw > cw) json_object_set_new(u->def, "LastIncreaseUs", json_integer(u->now_us));
    if (nr < cr || nw < cw) json_object_set_new(u->def, "LastDecreaseUs", json_integer(u->now_us));
    json_object_set_new(u->def, "ProvisionedThroughput", tp);
    return true;
}

static bool gsi_create(upd *u, const json_t *spec, ddb_err *err)
{
    if (!json_object_get(u->req, "AttributeDefinitions")) {
        ddb_err_set(err, DDB_E_VALIDATION, "No Attribute Schema Defined");
        return false;
    }
    json_t *ix =
        sch_index(spec, true, json_object_get(u->def, "KeySchema"), u->pool, !is_ppr(u->mode), err);
    if (!ix) return false;
    const char *name = sch_str(ix, "IndexName");
    if (ddb_table_find_index(u->t, name) || find_gsi(u->def, name, NULL)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Index already exists: %s", name);
        json_decref(ix);
        return false;
    }
    json_t *gsis = json_object_get(u->def, "GlobalSecondaryIndexes");
    if (!gsis) {
        gsis = json_array();
        json_object_set_new(u->def, "GlobalSecondaryIndexes", gsis);
    }
    if (json_array_size(gsis) >= SCH_MAX_GSI) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "GlobalSecondaryIndex count exceeds the per-table limit");
        json_decref(ix);
        return false;
    }
    json_int_t ino = json_integer_value(json_object_get(u->def, "NextIno"));
    json_object_set_new(ix, "Ino", json_integer(ino));
    json_object_set_new(u->def, "NextIno", json_integer(ino + 1));
    json_array_append_new(gsis, ix);
    u->created = sch_str(ix, "IndexName");
    return true;
}

static bool gsi_update(upd *u, const json_t *spec, ddb_err *err)
{
    const char *name = sch_str(spec, "IndexName");
    json_t *ix = name ? find_gsi(u->def, name, NULL) : NULL;
    if (!ix) {
        ddb_err_set(err, DDB_E_VALIDATION, "Invalid global secondary index name");
        return false;
    }
    const json_t *pt = json_object_get(spec, "ProvisionedThroughput");
    if (is_ppr(u->mode)) {
        if (!pt) return true;
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: ProvisionedThroughput should not "
                    "be specified for index: %s when BillingMode is PAY_PER_REQUEST",
                    name);
        return false;
    }
    json_t *tp = sch_throughput(pt, true, err);
    if (!tp) return false;
    json_object_set_new(ix, "ProvisionedThroughput", tp);
    return true;
}

static bool gsi_delete(upd *u, const json_t *spec, ddb_err *err)
{
    const char *name = sch_str(spec, "IndexName");
    size_t pos;
    json_t *ix = name ? find_gsi(u->def, name, &pos) : NULL;
    if (!ix) {
        ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found");
        return false;
    }
    u->dropped_ino = (int)json_integer_value(json_object_get(ix, "Ino"));
    json_array_remove(json_object_get(u->def, "GlobalSecondaryIndexes"), pos);
    return true;
}

/* Checks the shape of GlobalSecondaryIndexUpdates before applying any. */
static bool gsi_updates_ok(const json_t *list, ddb_err *err)
{
    size_t i, j, online = 0;
    json_t *a, *b;
    json_array_foreach(list, i, a)
    {
        if (!sch_check_type(a, JSON_OBJECT, "GlobalSecondaryIndexUpdate", err)) return false;
        const char *acts[] = {"Create", "Update", "Delete"};
        const json_t *act = NULL;
        for (size_t k = 0; k < 3 && !act; k++) {
            act = json_object_get(a, acts[k]);
            if (act && k != 1) online++;
        }
        if (!json_is_object(act)) {
            ddb_err_set(err, DDB_E_VALIDATION, "Update global secondary index action is null");
            return false;
        }
    }
    json_array_foreach(list, i, a)
    {
        for (j = 0; j < i; j++) {
            b = json_array_get(list, j);
            const char *na = NULL, *nb = NULL;
            void *it;
            for (it = json_object_iter(a); it && !na; it = json_object_iter_next(a, it))
                na = sch_str(json_object_iter_value(it), "IndexName");
            for (it = json_object_iter(b); it && !nb; it = json_object_iter_next(b, it))
                nb = sch_str(json_object_iter_value(it), "IndexName");
            if (na && nb && strcmp(na, nb) == 0) {
                ddb_err_set(err, DDB_E_VALIDATION,
                            "Only one global secondary index update per index is allowed "
                            "simultaneously.");
                return false;
            }
        }
    }
    if (online > 1) {
        ddb_err_set(err, DDB_E_LIMIT_EXCEEDED,
                    "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                    "simultaneously per table");
        return false;
    }
    return true;
}

static bool apply_gsi_updates(upd *u, ddb_err *err)
{
    const json_t *list = json_object_get(u->req, "GlobalSecondaryIndexUpdates");
    if (!sch_check_type(list, JSON_ARRAY, "GlobalSecondaryIndexUpdates", err)) return false;
    if (!gsi_updates_ok(list, err)) return false;
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        const json_t *c = json_object_get(a, "Create");
        const json_t *up = json_object_get(a, "Update");
        bool ok = c    ? gsi_create(u, c, err)
                  : up ? gsi_update(u, up, err)
                       : gsi_delete(u, json_object_get(a, "Delete"), err);
        if (!ok) return false;
    }
    return true;
}

static bool apply_stream(upd *u, ddb_err *err)
{
    const json_t *ss = json_object_get(u->req, "StreamSpecification");
    if (!ss) return true;
    bool enabled;
    const char *vt;
    if (!sch_stream_spec(ss, &enabled, &vt, err)) return false;
    if (enabled && u->t->stream_enabled) {
        ddb_err_set(err, DDB_E_VALIDATION, "Table already has an enabled stream: TableName: %s",
                    u->t->name);
        return false;
    }
    if (!enabled && !u->t->stream_enabled) {
        ddb_err_set(err, DDB_E_VALIDATION, "Table has no stream to disable");
        return false;
    }
    if (!enabled) {
        json_object_del(u->def, "StreamSpecification");
        return true;
    }
    /* A new stream gets a new label, even within the old one's millisecond. */
    char label[SCH_LABEL_LEN];
    int64_t at = u->now_us;
    do {
        sch_stream_label(at, label);
        at += 1000;
    } while (u->t->stream_label && strcmp(label, u->t->stream_label) <= 0);
    json_object_set_new(u->def, "StreamSpecification",
                        json_pack("{s:b,s:s}", "StreamEnabled", 1, "StreamViewType", vt));
    json_object_set_new(u->def, "LatestStreamLabel", json_string(label));
    return true;
}

/* SSESpecification, TableClass, DeletionProtectionEnabled, OnDemandThroughput. */
static bool apply_options(upd *u, ddb_err *err)
{
    const json_t *sse = json_object_get(u->req, "SSESpecification");
    if (sse) {
        if (!sch_sse_spec(sse, err)) return false;
        json_object_set(u->def, "SSESpecification", (json_t *)sse);
    }
    const json_t *tc = json_object_get(u->req, "TableClass");
    if (tc) {
        if (!sch_table_class(tc, err)) return false;
        json_object_set(u->def, "TableClass", (json_t *)tc);
    }
    const json_t *dp = json_object_get(u->req, "DeletionProtectionEnabled");
    if (dp) {
        if (!sch_check_type(dp, JSON_TRUE, "DeletionProtectionEnabled", err)) return false;
        json_object_set(u->def, "DeletionProtectionEnabled", (json_t *)dp);
    }
    const json_t *odt = json_object_get(u->req, "OnDemandThroughput");
    if (json_is_object(odt)) json_object_set(u->def, "OnDemandThroughput", (json_t *)odt);
    return true;
}

ddb_table *ddb_table_update(const ddb_table *t, const json_t *req, int64_t now_us,
                            const ddb_index **new_index, int *dropped_ino, ddb_err *err)
{
    *new_index = NULL;
    *dropped_ino = -1;
    if (!sch_check_type(req, JSON_OBJECT, "request", err)) return NULL;
    if (!wants_change(req)) {
        ddb_err_set(err, DDB_E_VALIDATION, "Nothing to update");
        return NULL;
    }
    upd u = {
        .t = t, .req = req, .def = json_deep_copy(t->def), .now_us = now_us, .dropped_ino = -1};
    bool ok = merge_attr_defs(&u, err) && apply_billing(&u, err) && apply_throughput(&u, err) &&
              apply_gsi_updates(&u, err) && apply_stream(&u, err) && apply_options(&u, err);
    ddb_table *nt = NULL;
    if (ok) {
        sch_prune_attr_defs(u.def, u.pool);
        char *created = u.created ? xstrdup(u.created) : NULL;
        nt = sch_table_from_def(u.def, err);
        u.def = NULL;
        if (nt && created) *new_index = ddb_table_find_index(nt, created);
        if (nt) *dropped_ino = u.dropped_ino;
        free(created);
    }
    json_decref(u.def);
    json_decref(u.pool);
    return nt;
}

ddb_table *ddb_table_set_ttl(const ddb_table *t, const json_t *spec, ddb_err *err)
{
    if (!spec) {
        ddb_err_set(err, DDB_E_VALIDATION, "TimeToLiveSpecification cannot be null");
        return NULL;
    }
    if (!sch_check_type(spec, JSON_OBJECT, "TimeToLiveSpecification", err)) return NULL;
    const json_t *en = json_object_get(spec, "Enabled");
    const char *attr = sch_str(spec, "AttributeName");
    if (!json_is_boolean(en)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at "
                    "'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must "
                    "not be null");
        return NULL;
    }
    bool enable = json_is_true(en);
    if (!attr) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    enable ? "AttributeName cannot be null when time to live is being enabled"
                           : "1 validation error detected: Value null at "
                             "'timeToLiveSpecification.attributeName' failed to satisfy "
                             "constraint: Member must not be null");
        return NULL;
    }
    size_t n = strlen(attr);
    if (n < 1 || n > 255) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Names of key attributes and attributes projected into an index must be "
                    "between 1 and 255 characters, inclusive");
        return NULL;
    }
    if (t->ttl_attr && strcmp(t->ttl_attr, attr) != 0) {
        ddb_err_set(err, DDB_E_VALIDATION, "TimeToLive is active on a different AttributeName");
        return NULL;
    }
    if (enable == (t->ttl_attr != NULL)) {
        ddb_err_set(err, DDB_E_VALIDATION, "TimeToLive is already %s",
                    enable ? "enabled" : "disabled");
        return NULL;
    }
    json_t *def = json_deep_copy(t->def);
    if (enable)
        json_object_set_new(def, "TimeToLive", json_pack("{s:s}", "AttributeName", attr));
    else
        json_object_del(def, "TimeToLive");
    return sch_table_from_def(def, err);
}

ddb_table *ddb_table_tag(const ddb_table *t, const json_t *tags, ddb_err *err)
{
    if (!sch_check_type(tags, JSON_ARRAY, "Tags", err)) return NULL;
    if (json_array_size(tags) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '[]' at 'tags' failed to satisfy "
                    "constraint: Member must have length greater than or equal to 1");
        return NULL;
    }
    json_t *def = json_deep_copy(t->def);
    json_t *list = json_object_get(def, "Tags");
    if (!list) {
        list = json_array();
        json_object_set_new(def, "Tags", list);
    }
    if (!sch_tags_merge(list, tags, err)) {
        json_decref(def);
        return NULL;
    }
    return sch_table_from_def(def, err);
}

ddb_table *ddb_table_untag(const ddb_table *t, const json_t *keys, ddb_err *err)
{
    if (!sch_check_type(keys, JSON_ARRAY, "TagKeys", err)) return NULL;
    if (json_array_size(keys) == 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy "
                    "constraint: Member must have length greater than or equal to 1");
        return NULL;
    }
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        size_t n = json_is_string(k) ? strlen(json_string_value(k)) : 0;
        if (n < 1 || n > 128) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "1 validation error detected: Value '%s' at 'tagKeys.%zu.member' failed "
                        "to satisfy constraint: Member must have length %s",
                        json_is_string(k) ? json_string_value(k) : "null", i + 1,
                        n < 1 ? "greater than or equal to 1" : "less than or equal to 128");
            return NULL;
        }
    }
    json_t *def = json_deep_copy(t->def);
    json_t *list = json_object_get(def, "Tags");
    for (size_t j = json_array_size(list); j-- > 0;) {
        const char *key = sch_str(json_array_get(list, j), "Key");
        json_array_foreach(keys, i, k)
        {
            if (strcmp(json_string_value(k), key) == 0) {
                json_array_remove(list, j);
                break;
            }
        }
    }
    return sch_table_from_def(def, err);
}
