/*
 * schema_gsi_keys: the KeySchema of a global secondary index. Since late
 * 2025 a GSI key may be made of up to four partition (HASH) attributes and
 * up to four sort (RANGE) attributes ("multi-attribute keys"), all HASH
 * elements first; tables and LSIs keep one of each (schema_create.c).
 *
 * The checks and their order are DynamoDB Local 3.3.1's, found by sending
 * it requests with several faults at once: the size of the list, each
 * element, a HASH element first, duplicate names, every HASH before every
 * RANGE, at most four of each kind, then every name defined in
 * AttributeDefinitions.
 */
#include <string.h>

#include "ddb/model/schema.h"
#include "ddb/model/schema_int.h"

/* Two of each kind at most: 2 * DDB_INDEX_KEY_ATTRS elements. */
#define GSI_KEY_ELEMENTS (2 * DDB_INDEX_KEY_ATTRS)

#define KEY_ORDER_MSG                                                                              \
    "Invalid key order. Hash Key must be specified first in key schema, Range Key must be "        \
    "specifed second"

json_t *sch_gsi_key_schema(const json_t *ks, const json_t *defs, ddb_err *err)
{
    size_t n = json_array_size(ks);
    if (n > GSI_KEY_ELEMENTS) {
        ddb_err_set(err, DDB_E_VALIDATION, SCH_KEYS_TOO_BIG_MSG);
        return NULL;
    }
    const char *names[GSI_KEY_ELEMENTS];
    bool hash[GSI_KEY_ELEMENTS];
    int hashes = 0;
    for (size_t i = 0; i < n; i++) {
        if (!sch_key_element(json_array_get(ks, i), i, &names[i], &hash[i], err)) return NULL;
        hashes += hash[i];
    }
    if (hashes == 0) {
        ddb_err_set(err, DDB_E_VALIDATION, SCH_NO_HASH_MSG);
        return NULL;
    }
    if (!hash[0]) {
        ddb_err_set(err, DDB_E_VALIDATION, KEY_ORDER_MSG);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(names[i], names[j]) == 0) {
                ddb_err_set(err, DDB_E_VALIDATION, SCH_SAME_NAME_MSG);
                return NULL;
            }
        }
    }
    for (size_t i = 1; i < n; i++) {
        if (hash[i] && !hash[i - 1]) {
            ddb_err_set(err, DDB_E_VALIDATION, KEY_ORDER_MSG);
            return NULL;
        }
    }
    if (hashes > DDB_INDEX_KEY_ATTRS) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Too many partition keys. GSI can have at most %d partition keys",
                    DDB_INDEX_KEY_ATTRS);
        return NULL;
    }
    if ((int)n - hashes > DDB_INDEX_KEY_ATTRS) {
        ddb_err_set(err, DDB_E_VALIDATION, "Too many sort keys. GSI can have at most %d sort keys",
                    DDB_INDEX_KEY_ATTRS);
        return NULL;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!sch_attr_type(defs, names[i])) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Attribute %s is not defined in AttributeDefinitions", names[i]);
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, json_pack("{s:s,s:s}", "AttributeName", names[i], "KeyType",
                                             hash[i] ? "HASH" : "RANGE"));
    }
    return out;
}
