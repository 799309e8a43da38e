/*
 * capacity: DynamoDB's capacity units and the ConsumedCapacity member of
 * responses.
 *
 * Reads cost one unit per 4 KB (rounded up, at least one), half of that
 * when eventually consistent; writes one unit per 1 KB. A write also costs
 * units on every secondary index whose entry it adds, changes or removes
 * (two when the index key moves: a delete and a put), which
 * ReturnConsumedCapacity=INDEXES reports per index. The engine never
 * throttles; the numbers only tell clients what DynamoDB would charge, and
 * DescribeLimits answers DynamoDB's default quotas for a new account.
 */
#include "ddb/engine/engine_int.h"

#include <math.h>
#include <string.h>

#include "ddb/model/value.h"

double eng_read_units(size_t bytes, bool consistent)
{
    double units = ceil((double)bytes / 4096.0);
    if (units < 1) units = 1;
    return consistent ? units : units / 2;
}

double eng_write_units(size_t bytes)
{
    double units = ceil((double)bytes / 1024.0);
    return units < 1 ? 1 : units;
}

bool eng_capacity_mode(const json_t *req, const char **mode, ddb_err *err)
{
    const json_t *v = json_object_get(req, "ReturnConsumedCapacity");
    *mode = NULL;
    if (!v || json_is_null(v)) return true;
    const char *s = json_string_value(v);
    if (s && strcmp(s, "INDEXES") == 0) {
        *mode = "INDEXES";
    } else if (s && strcmp(s, "TOTAL") == 0) {
        *mode = "TOTAL";
    } else if (!s || strcmp(s, "NONE") != 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at 'returnConsumedCapacity' failed "
                    "to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, "
                    "NONE]",
                    s ? s : "null");
        return false;
    }
    return true;
}

/* {"CapacityUnits": units} */
static json_t *units_json(double units)
{
    return json_pack("{s:f}", "CapacityUnits", units);
}

/* Adds one index's units under GlobalSecondaryIndexes or LocalSecondaryIndexes. */
static void add_index_units(json_t *cc, const ddb_index *ix, double units)
{
    const char *group = ix->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
    json_t *g = json_object_get(cc, group);
    if (!g) {
        g = json_object();
        json_object_set_new(cc, group, g);
    }
    json_object_set_new(g, ix->name, units_json(units));
}

json_t *eng_capacity_json(const ddb_table *t, const char *mode, double units,
                          const char *index_name, bool write)
{
    if (!mode) return NULL;
    json_t *cc = json_pack("{s:s,s:f}", "TableName", t->name, "CapacityUnits", units);
    if (strcmp(mode, "INDEXES") != 0) return cc;
    const ddb_index *ix = index_name ? ddb_table_find_index(t, index_name) : NULL;
    json_object_set_new(cc, "Table", units_json(ix ? 0.0 : units));
    if (ix) add_index_units(cc, ix, units);
    return cc;
}

json_t *eng_capacity_split_json(const ddb_table *t, const char *mode, double table_units,
                                const double *index_units)
{
    if (!mode) return NULL;
    double total = table_units;
    for (size_t i = 0; index_units && i < t->n_indexes; i++)
        total += index_units[i];
    json_t *cc = json_pack("{s:s,s:f}", "TableName", t->name, "CapacityUnits", total);
    if (strcmp(mode, "INDEXES") != 0) return cc;
    json_object_set_new(cc, "Table", units_json(table_units));
    for (size_t i = 0; index_units && i < t->n_indexes; i++)
        if (index_units[i] > 0) add_index_units(cc, &t->indexes[i], index_units[i]);
    return cc;
}

/*
 * The entry of `item` in index `ix` (the attributes the index projects), or
 * NULL when the item is not in the index because an index key attribute is
 * missing. New reference.
 */
static json_t *index_entry(const ddb_table *t, const ddb_index *ix, const json_t *item)
{
    if (!item) return NULL;
    for (int i = 0; i < ix->n_hash; i++)
        if (!json_object_get(item, ix->hashes[i].name)) return NULL;
    for (int i = 0; i < ix->n_range; i++)
        if (!json_object_get(item, ix->ranges[i].name)) return NULL;
    if (ix->projection == DDB_PROJECT_ALL) return json_incref((json_t *)item);
    json_t *e = eng_index_key_json(t, ix, item);
    for (size_t i = 0; ix->projection == DDB_PROJECT_INCLUDE && i < ix->n_include; i++) {
        json_t *v = json_object_get(item, ix->include[i]);
        if (v && !eng_is_index_key_attr(t, ix, ix->include[i]))
            json_object_set(e, ix->include[i], v);
    }
    return e;
}

/* True when the index key attributes of two entries are equal. */
static bool same_index_key(const ddb_index *ix, const json_t *a, const json_t *b)
{
    for (int i = 0; i < ix->n_hash; i++)
        if (!ddb_av_equal(json_object_get(a, ix->hashes[i].name),
                          json_object_get(b, ix->hashes[i].name)))
            return false;
    for (int i = 0; i < ix->n_range; i++)
        if (!ddb_av_equal(json_object_get(a, ix->ranges[i].name),
                          json_object_get(b, ix->ranges[i].name)))
            return false;
    return true;
}

/* Units one item change costs on one index. */
static double index_change_units(const ddb_table *t, const ddb_index *ix, const json_t *old_item,
                                 const json_t *new_item)
{
    json_t *oe = index_entry(t, ix, old_item);
    json_t *ne = index_entry(t, ix, new_item);
    double units = 0;
    size_t os = oe ? ddb_item_size(oe) : 0, ns = ne ? ddb_item_size(ne) : 0;
    if (oe && ne) {
        if (!same_index_key(ix, oe, ne))
            units = eng_write_units(os) + eng_write_units(ns);
        else if (!json_equal(oe, ne))
            units = eng_write_units(os > ns ? os : ns);
    } else if (oe || ne) {
        units = eng_write_units(oe ? os : ns);
    }
    json_decref(oe);
    json_decref(ne);
    return units;
}

double eng_write_change_units(const ddb_table *t, const json_t *old_item, const json_t *new_item,
                              double *index_units)
{
    size_t os = old_item ? ddb_item_size(old_item) : 0;
    size_t ns = new_item ? ddb_item_size(new_item) : 0;
    for (size_t i = 0; index_units && i < t->n_indexes; i++)
        index_units[i] = index_change_units(t, &t->indexes[i], old_item, new_item);
    return eng_write_units(os > ns ? os : ns);
}

json_t *eng_op_describe_limits(eng *e, json_t *req, ddb_err *err)
{
    (void)e;
    (void)req;
    (void)err;
    /* The default provisioned-capacity quotas of an account in a region. */
    return json_pack("{s:i, s:i, s:i, s:i}", "AccountMaxReadCapacityUnits", 80000,
                     "AccountMaxWriteCapacityUnits", 80000, "TableMaxReadCapacityUnits", 40000,
                     "TableMaxWriteCapacityUnits", 40000);
}
