/*
 * value: DynamoDB AttributeValues as jansson objects in the wire shape
 * ({"S": "x"}, {"N": "1"}, {"B": "<base64>"}, {"BOOL": true}, {"NULL": true},
 * {"M": {...}}, {"L": [...]}, {"SS": [...]}, {"NS": [...]}, {"BS": [...]}),
 * and items as objects of name -> AttributeValue.
 *
 * Values from outside are validated once (ddb_av_normalize /
 * ddb_item_normalize), which also canonicalises numbers; everything else
 * here assumes valid input. Functions returning json_t* return new
 * references.
 */
#ifndef CRUDDUR_DDB_VALUE_H
#define CRUDDUR_DDB_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/buf.h"
#include "ddb/ddb.h"

typedef enum ddb_av_type {
    DDB_AV_INVALID = 0,
    DDB_AV_S,
    DDB_AV_N,
    DDB_AV_B,
    DDB_AV_BOOL,
    DDB_AV_NULL,
    DDB_AV_M,
    DDB_AV_L,
    DDB_AV_SS,
    DDB_AV_NS,
    DDB_AV_BS,
} ddb_av_type;

#define DDB_MAX_ITEM_SIZE (400 * 1024)
#define DDB_MAX_HASH_KEY_SIZE 2048
#define DDB_MAX_RANGE_KEY_SIZE 1024
#define DDB_MAX_DEPTH 32

ddb_av_type ddb_av_type_of(const json_t *av); /* of a valid value; INVALID otherwise */
const char *ddb_av_type_name(ddb_av_type t);  /* "S", "N", ... */
ddb_av_type ddb_av_type_from_name(const char *name);

/*
 * Validates an AttributeValue from a request and returns a canonical copy
 * (numbers canonical, set members unique). Fails with DynamoDB's
 * ValidationException messages: not exactly one type, wrong JSON type,
 * bad base64, bad number, empty set, duplicate set members, too deep.
 * A SerializationException is reported for JSON-level type mismatches.
 */
json_t *ddb_av_normalize(const json_t *av, ddb_err *err);
/* The same for an item (object of name -> AttributeValue). */
json_t *ddb_item_normalize(const json_t *item, ddb_err *err);
/* The same for an item to be written, measured as it is read: its
   attributes are validated and counted in the order sent, and once their
   size passes DDB_MAX_ITEM_SIZE it is "Item size has exceeded the maximum
   allowed size", whatever follows (DynamoDB Local 3.3.1's order). */
json_t *ddb_item_normalize_limited(const json_t *item, ddb_err *err);

/* Sorts the members of an SS, NS or BS (the member array, in place) into
   the order DynamoDB Local returns them (set_order.c); other types: no-op. */
void ddb_set_sort(ddb_av_type t, json_t *members);
/* Compares two UTF-8 strings by their UTF-16 code units, as Java's
   String.compareTo does (set_order.c). */
int ddb_utf16_cmp(const char *a, size_t an, const char *b, size_t bn);

/*
 * The order of the names of an item or an M value (attr_order.c), as
 * DynamoDB Local 3.3.1 returns them: the iteration order of the Java
 * HashMaps it keeps them in.
 *   DDB_ORDER_WRITTEN  a map as a request sent it (PutItem and every other
 *                      whole item or value): the names as sent, through
 *                      one HashMap;
 *   DDB_ORDER_REBUILT  an item after an UpdateExpression as it stores it:
 *                      the names sorted, through two HashMaps; also each
 *                      map a ProjectionExpression builds;
 *   DDB_ORDER_ALL_NEW  the same item as UpdateItem's ALL_NEW answer shows
 *                      it (one HashMap copy more);
 *   DDB_ORDER_REBUILT_KEPT  the same item as 3.3.1 keeps it in its store
 *                      (its names sorted, through one new HashMap(): a read
 *                      shows that through a WRITTEN map; attr_kept.c);
 *   DDB_ORDER_HASHMAP  names put in the order given into one new HashMap()
 *                      (as 3.3.1 keeps a table's indexes by name, and the
 *                      members of a PartiQL {...} literal before the
 *                      operation orders the value as any map it is sent);
 *   DDB_ORDER_KEY      a LastEvaluatedKey: its names given in key schema
 *                      order (table key, then index key), through a
 *                      new HashMap() and then a small one;
 *   DDB_ORDER_LISTED   the answer of a legacy AttributesToGet: the names
 *                      in the order listed, through the same two maps;
 *   DDB_ORDER_DOC_PATH the names of one step of a PartiQL SELECT list, in
 *                      the order written, through one new HashMap() keyed
 *                      by a document path element (a hash of its own);
 * and, applied to an item in its stored order:
 *   DDB_ORDER_COPIED      UpdateItem's ALL_NEW answer (both kinds of update);
 *   DDB_ORDER_OLD_COPIED  UpdateItem's ALL_OLD answer;
 *   DDB_ORDER_UPDATED     UPDATED_OLD / UPDATED_NEW of an UpdateExpression
 *                         (by name: any order in);
 *   DDB_ORDER_HASHMAP     also a stream record's NewImage / OldImage (every
 *                         map in it) and the Item of a failed UpdateItem
 *                         condition;
 *   DDB_ORDER_KEY         also UPDATED_OLD / UPDATED_NEW of a legacy
 *                         AttributeUpdates update, applied to the names in
 *                         the order they were sent.
 */
typedef enum ddb_attr_order {
    DDB_ORDER_WRITTEN,
    DDB_ORDER_REBUILT,
    DDB_ORDER_ALL_NEW,
    DDB_ORDER_HASHMAP,
    DDB_ORDER_KEY,
    DDB_ORDER_COPIED,
    DDB_ORDER_OLD_COPIED,
    DDB_ORDER_UPDATED,
    DDB_ORDER_LISTED,
    DDB_ORDER_DOC_PATH,
    DDB_ORDER_REBUILT_KEPT,
} ddb_attr_order;
/* Fills perm[0..n) with the positions of `names` (n names, in the order
   they came) in the order `how` gives them. */
void ddb_attr_order_perm(const char *const *names, size_t n, ddb_attr_order how, size_t *perm);
/* A new object with the members of `obj` in the order `how` gives them
   (values shared, not copied); nested maps are left as they are. */
json_t *ddb_attr_reordered(const json_t *obj, ddb_attr_order how);
/* The same, and every M value inside it (in lists too) reordered by `how`
   as well (values other than maps and lists shared). */
json_t *ddb_attr_reordered_deep(const json_t *obj, ddb_attr_order how);
/* An attribute value with every M inside it (in lists too) reordered by
   `how` (a new reference; anything else is shared, and a value that is not
   a well-formed M or L is returned as it is). */
json_t *ddb_av_reordered_deep(const json_t *av, ddb_attr_order how);

/*
 * The kept order (attr_kept.c). Beside the order a read shows, DynamoDB
 * Local 3.3.1 keeps the order it stored an item's names in: a read shows
 * each map of the kept item through a WRITTEN map, a failed PutItem or
 * DeleteItem condition answers the kept item itself, and a legacy
 * AttributeUpdates update starts from it. cruddur stores what a read shows
 * and, only when the kept order differs somewhere, a shape: the kept
 * item's names at every depth, without values.
 */
/* The shape of `kept` (a new JSON value), or NULL when every map of `kept`
   has its names in the order of the same map in `shown` (the same item in
   the order a read shows). */
json_t *ddb_attr_kept_shape(const json_t *kept, const json_t *shown);
/* A new item: `item` with each map's names in the order `shape` gives them
   (names the shape lacks follow in their own order); values shared. */
json_t *ddb_attr_kept_apply(const json_t *item, const json_t *shape);

/* DynamoDB equality: same type and value; sets ignore order; N numeric. */
bool ddb_av_equal(const json_t *a, const json_t *b);
/* Ordering for S (UTF-8 bytes), N (numeric) and B (unsigned bytes) of the
   same type; sets *comparable = false for anything else. */
int ddb_av_compare(const json_t *a, const json_t *b, bool *comparable);

/* Sizes as DynamoDB counts them (for the 400 KB limit and capacity units). */
size_t ddb_av_size(const json_t *av);
size_t ddb_item_size(const json_t *item); /* sum of name lengths + value sizes */

/* Decoded bytes of a B value (or a BS member string); caller frees. */
unsigned char *ddb_b64_decode(const char *s, size_t *len);
char *ddb_b64_encode(const unsigned char *p, size_t len); /* caller frees */

/*
 * Key encoding: bytes whose memcmp order is DynamoDB's order for the key
 * type ('S', 'N' or 'B'). `av` must be a valid value; a type that does not
 * match `type` fails with ValidationException.
 */
bool ddb_key_encode(const json_t *av, char type, buf_t *out, ddb_err *err);
json_t *ddb_key_decode(char type, const unsigned char *p, size_t n);

#endif
