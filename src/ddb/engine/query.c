/*
 * query: Query and Scan, the engine's reads of many items.
 *
 * Both read one page of a table or of a secondary index in key order and
 * share everything after the request is parsed: Limit counts the items
 * evaluated (before the FilterExpression), a page also stops after 1 MB of
 * data, and LastEvaluatedKey is returned whenever a page stopped early,
 * even when no further item follows, as DynamoDB does.
 *
 * A Query is one SQL range over the encoded keys of one partition: the key
 * condition becomes the partition and bounds on `rk` (query_check.c), so
 * SQLite walks the primary key index.
 * A Scan walks (h, hk, rk) order; a Scan segment is a contiguous range of
 * the 160-bit `h` (key_hash.c), as in DynamoDB Local. Index reads walk the idx rows and fetch each
 * item by its table key, then apply the index projection (so a KEYS_ONLY or INCLUDE index shows
 * only what DynamoDB would have copied into it); a local index read that asks for more than
 * the index holds pays for reading each table item too (q_fetches). ExclusiveStartKey (keys.c)
 * becomes a row-value lower (or upper) bound that replaces the key condition's bound on that side.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "ddb/engine/engine_int.h"
#include "ddb/model/value.h"

#define Q_PAGE_BYTES (1024 * 1024)

typedef enum q_select { Q_ALL, Q_PROJECTED, Q_SPECIFIC, Q_COUNT } q_select;

/* One parsed Query or Scan request. */
typedef struct q_ctx {
    const ddb_table *t;
    const ddb_index *ix; /* NULL when reading the table itself */
    bool is_query;
    eng_query_range bounds; /* Query: the partition and bounds on rk */
    bool forward;
    unsigned char seg_lo[ENG_HASH_LEN]; /* Scan: range of h */
    unsigned char seg_hi[ENG_HASH_LEN];
    long long limit; /* 0 when none */
    ddb_cond *filter;
    ddb_proj *proj;
    q_select select;
    bool consistent;
    bool fetch; /* a local index read that reads its items from the table (q_fetches) */
    const char *cap_mode;
    bool has_start;
    eng_key start;      /* ExclusiveStartKey in the order read (index or table key) */
    eng_key start_tkey; /* its table key, for index reads */
    unsigned char start_tie[ENG_HASH_LEN]; /* its eng_index_tie, for index reads */
} q_ctx;

static void q_ctx_init(q_ctx *q)
{
    memset(q, 0, sizeof *q);
    eng_query_range_init(&q->bounds);
    eng_key_init(&q->start);
    eng_key_init(&q->start_tkey);
    q->forward = true;
    memset(q->seg_hi, 0xFF, sizeof q->seg_hi);
}

static void q_ctx_free(eng *e, q_ctx *q)
{
    eng_query_range_free(&q->bounds);
    eng_key_free(&q->start);
    eng_key_free(&q->start_tkey);
    ddb_cond_free(q->filter);
    ddb_proj_free(q->proj);
    if (q->t) eng_table_release(e, q->t);
}

static bool q_bad_start(ddb_err *err, const char *msg)
{
    ddb_err_set(err, DDB_E_VALIDATION, "%s", msg);
    return false;
}

/* Validates ExclusiveStartKey (keys.c) and turns it into a position, which
   must lie in the Query's range or the Scan's segment. */
static bool q_start(q_ctx *q, const json_t *esk, ddb_err *err)
{
    if (!eng_key_from_start(q->t, q->ix, esk, &q->start, &q->start_tkey, err)) return false;
    if (q->ix) eng_index_tie(q->t, q->ix, &q->start_tkey, q->start_tie);
    if (q->is_query && !eng_query_range_has(&q->bounds, &q->start))
        return q_bad_start(err, "The provided starting key does not match the range key predicate");
    q->has_start = true;
    return true;
}

/* A Scan segment continues only from a key of its own hash range (checked
   once the segment is known, after the key's shape). */
static bool q_start_in_segment(const q_ctx *q, ddb_err *err)
{
    if (!q->has_start || (memcmp(q->start_tkey.h, q->seg_lo, ENG_HASH_LEN) >= 0 &&
                          memcmp(q->start_tkey.h, q->seg_hi, ENG_HASH_LEN) <= 0))
        return true;
    return q_bad_start(err, "The provided Exclusive Start Key does not map to the provided "
                            "Segment");
}

static void q_bind_blob(sqlite3_stmt *st, int i, const buf_t *b)
{
    sqlite3_bind_blob(st, i, b->data ? b->data : "", (int)b->len, SQLITE_TRANSIENT);
}

/* Builds and binds the page's statement. Parameters are numbered so the
   same SQL text (cached per connection) serves every request shape. Index
   entries with equal index keys come in `tie` order (eng_index_tie), except
   in a Scan of an LSI, which DynamoDB Local walks in table sort key order.
   An index Scan's segment is a range of the items' table hash `th`. */
static sqlite3_stmt *q_statement(const q_ctx *q, eng_conn *c, ddb_err *err)
{
    buf_t sql = BUF_INIT;
    bool ix = q->ix != NULL;
    bool lsi_scan = ix && !q->is_query && !q->ix->global;
    int h_len = ix ? eng_index_h_len(q->ix) : ENG_HASH_LEN; /* of h in what is read */
    buf_printf(&sql, "SELECT %s FROM %s WHERE tid = ?1%s", ix ? "th, thk, trk" : "item, size",
               ix ? "idx" : "items", ix ? " AND ino = ?2" : "");
    const char *tail = !ix ? "" : lsi_scan ? ", trk" : ", tie, th, thk, trk";
    if (q->is_query) {
        buf_puts(&sql, " AND h = ?3 AND hk = ?4");
        /* the start position replaces the bound on its side */
        if (q->bounds.lo.set && !(q->has_start && q->forward))
            buf_printf(&sql, " AND rk %s ?5", q->bounds.lo.incl ? ">=" : ">");
        if (q->bounds.hi.set && !(q->has_start && !q->forward))
            buf_printf(&sql, " AND rk %s ?6", q->bounds.hi.incl ? "<=" : "<");
        const char *op = q->forward ? ">" : "<";
        if (q->has_start && ix)
            buf_printf(&sql, " AND (rk, tie, th, thk, trk) %s (?7, ?11, ?8, ?9, ?10)", op);
        else if (q->has_start)
            buf_printf(&sql, " AND rk %s ?7", op);
        if (q->forward)
            buf_printf(&sql, " ORDER BY rk%s", tail);
        else if (ix)
            buf_puts(&sql, " ORDER BY rk DESC, tie DESC, th DESC, thk DESC, trk DESC");
        else
            buf_puts(&sql, " ORDER BY rk DESC");
    } else {
        if (ix) buf_puts(&sql, " AND th >= ?3 AND th <= ?4");
        if (q->has_start && lsi_scan)
            buf_puts(&sql, " AND (h, hk, rk, trk) > (?5, ?6, ?7, ?10)");
        else if (q->has_start && ix)
            buf_puts(&sql, " AND (h, hk, rk, tie, th, thk, trk) > (?5, ?6, ?7, ?11, ?8, ?9, ?10)");
        else if (q->has_start)
            buf_puts(&sql, " AND (h, hk, rk) > (?5, ?6, ?7)");
        else if (!ix)
            buf_puts(&sql, " AND h >= ?3");
        buf_printf(&sql, "%s ORDER BY h, hk, rk%s", ix ? "" : " AND h <= ?4", tail);
    }
    sqlite3_stmt *st = eng_stmt(c, buf_cstr(&sql), err);
    buf_free(&sql);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, q->t->tid);
    if (ix) sqlite3_bind_int(st, 2, q->ix->ino);
    if (q->is_query) {
        sqlite3_bind_blob(st, 3, q->bounds.part.h, h_len, SQLITE_STATIC);
        q_bind_blob(st, 4, &q->bounds.part.hk);
        if (q->bounds.lo.set && !(q->has_start && q->forward)) q_bind_blob(st, 5, &q->bounds.lo.v);
        if (q->bounds.hi.set && !(q->has_start && !q->forward)) q_bind_blob(st, 6, &q->bounds.hi.v);
        if (q->has_start) q_bind_blob(st, 7, &q->start.rk);
    } else {
        if (!q->has_start || ix) sqlite3_bind_blob(st, 3, q->seg_lo, ENG_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, q->seg_hi, ENG_HASH_LEN, SQLITE_STATIC);
        if (q->has_start) {
            sqlite3_bind_blob(st, 5, q->start.h, h_len, SQLITE_STATIC);
            q_bind_blob(st, 6, &q->start.hk);
            q_bind_blob(st, 7, &q->start.rk);
        }
    }
    if (q->has_start && ix) {
        if (!lsi_scan) {
            sqlite3_bind_blob(st, 8, q->start_tkey.h, ENG_HASH_LEN, SQLITE_STATIC);
            q_bind_blob(st, 9, &q->start_tkey.hk);
            sqlite3_bind_blob(st, 11, q->start_tie, ENG_HASH_LEN, SQLITE_STATIC);
        }
        q_bind_blob(st, 10, &q->start_tkey.rk);
    }
    return st;
}

/* The attributes an index holds for `item`: its keys, the table keys and
   the INCLUDE attributes (everything for ALL). DynamoDB Local 3.3.1 lists
   them as the table key, the index key and the INCLUDE names as listed,
   through a new HashMap() and the answer's map (attr_order.c's KEY rule). */
static json_t *q_index_project(const ddb_table *t, const ddb_index *ix, json_t *item)
{
    if (ix->projection == DDB_PROJECT_ALL) return json_incref(item);
    json_t *out = eng_index_key_json(t, ix, item);
    for (size_t i = 0; i < ix->n_include; i++) {
        json_t *v = json_object_get(item, ix->include[i]);
        if (v) json_object_set(out, ix->include[i], v);
    }
    json_t *ordered = ddb_attr_reordered(out, DDB_ORDER_KEY);
    json_decref(out);
    return ordered;
}

static bool q_blob_key(sqlite3_stmt *st, int col, eng_key *k)
{
    eng_key_read_hash(st, col, k->h);
    buf_reset(&k->hk);
    buf_reset(&k->rk);
    buf_append(&k->hk, sqlite3_column_blob(st, col + 1), (size_t)sqlite3_column_bytes(st, col + 1));
    buf_append(&k->rk, sqlite3_column_blob(st, col + 2), (size_t)sqlite3_column_bytes(st, col + 2));
    return true;
}

/* Loads the item of the current row: the item as the request sees it
   (`*full`: the whole item; `*seen`: what the index holds) and its size. */
static bool q_row_item(const q_ctx *q, eng_conn *c, sqlite3_stmt *st, json_t **full, json_t **seen,
                       size_t *size, ddb_err *err)
{
    *full = *seen = NULL;
    if (!q->ix) {
        *full = eng_item_decode(sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0));
        if (!*full) {
            ddb_err_set(err, DDB_E_INTERNAL, "stored item is not valid JSON");
            return false;
        }
        *seen = json_incref(*full);
        *size = (size_t)sqlite3_column_int64(st, 1);
        return true;
    }
    eng_key k;
    eng_key_init(&k);
    q_blob_key(st, 0, &k);
    *full = eng_item_get(c, q->t, &k, err);
    eng_key_free(&k);
    if (!*full) return err->code == DDB_OK; /* index row without item: skip */
    *seen = q_index_project(q->t, q->ix, *full);
    *size = ddb_item_size(*seen);
    /* a local index can fetch the rest of the item from the table */
    if (!q->ix->global) {
        json_decref(*seen);
        *seen = json_incref(*full);
    }
    return true;
}

/* The item as returned under the request's Select. */
static json_t *q_output(const q_ctx *q, json_t *full, json_t *seen)
{
    switch (q->select) {
    case Q_ALL:
        return json_incref(full);
    case Q_PROJECTED:
        return q->ix ? q_index_project(q->t, q->ix, full) : json_incref(full);
    case Q_SPECIFIC:
        return ddb_proj_apply(q->proj, seen);
    default:
        return NULL;
    }
}

/* Reads one page (on the reader's snapshot) and builds the response. */
static json_t *q_run(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    q_ctx *q = arg;
    sqlite3_stmt *st = q_statement(q, c, err);
    if (!st) return NULL;
    json_t *items = json_array();
    json_t *last = NULL;
    long long count = 0, scanned = 0;
    size_t bytes = 0;
    double fetch_units = 0; /* the table reads of a local index read (q->fetch) */
    bool early = false, failed = false;
    int rc = SQLITE_DONE;
    while (!early && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *full, *seen;
        size_t size = 0;
        if (!q_row_item(q, c, st, &full, &seen, &size, err)) {
            failed = true;
            break;
        }
        if (!full) continue;
        scanned++;
        bytes += size;
        if (q->fetch) fetch_units += eng_read_units(ddb_item_size(full), q->consistent);
        int pass = q->filter ? ddb_cond_eval(q->filter, seen, err) : 1;
        if (pass < 0) {
            json_decref(full);
            json_decref(seen);
            failed = true;
            break;
        }
        if (pass) {
            count++;
            json_t *out = q_output(q, full, seen);
            if (out) json_array_append_new(items, out);
        }
        json_decref(last);
        last = json_incref(full);
        json_decref(full);
        json_decref(seen);
        early = (q->limit > 0 && scanned >= q->limit) || bytes >= Q_PAGE_BYTES;
    }
    if (!failed && !early && rc != SQLITE_DONE) {
        eng_sql_error(c, err);
        failed = true;
    }
    sqlite3_reset(st);
    if (failed) {
        json_decref(items);
        json_decref(last);
        return NULL;
    }
    json_t *resp = json_object();
    if (q->select != Q_COUNT) json_object_set(resp, "Items", items);
    json_decref(items);
    json_object_set_new(resp, "Count", json_integer(count));
    json_object_set_new(resp, "ScannedCount", json_integer(scanned));
    /* a Query of a table without a sort key reads at most one item */
    bool single = q->is_query && !q->ix && !q->t->range.name;
    if (early && last && !single) {
        /* key schema order, then DynamoDB Local 3.3.1's (attr_order.c) */
        json_t *key = q->ix ? eng_index_key_json(q->t, q->ix, last) : eng_key_json(q->t, last);
        json_object_set_new(resp, "LastEvaluatedKey", ddb_attr_reordered(key, DDB_ORDER_KEY));
        json_decref(key);
    }
    json_decref(last);
    json_t *cap;
    if (q->fetch) {
        /* the index entries read, and each item read from the table */
        double *ix_units = xcalloc(q->t->n_indexes, sizeof *ix_units);
        ix_units[q->ix - q->t->indexes] = eng_read_units(bytes, q->consistent);
        cap = eng_capacity_split_json(q->t, q->cap_mode, fetch_units, ix_units);
        free(ix_units);
    } else {
        cap = eng_capacity_json(q->t, q->cap_mode, eng_read_units(bytes, q->consistent),
                                q->ix ? q->ix->name : NULL, false);
    }
    if (cap) json_object_set_new(resp, "ConsumedCapacity", cap);
    return resp;
}

static bool q_reject_legacy(const json_t *req, const char *const *names, ddb_err *err)
{
    for (; *names; names++) {
        if (json_object_get(req, *names)) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "The legacy parameter %s is not supported; use expressions instead",
                        *names);
            return false;
        }
    }
    return true;
}

/* Select against ProjectionExpression and the index, as DynamoDB rules. */
static bool q_parse_select(q_ctx *q, const json_t *req, ddb_err *err)
{
    const char *sel = NULL;
    bool present = false;
    if (!eng_param_str(req, "Select", &sel, &present, err)) return false;
    if (!present)
        q->select = q->proj ? Q_SPECIFIC : q->ix ? Q_PROJECTED : Q_ALL;
    else if (strcmp(sel, "ALL_ATTRIBUTES") == 0)
        q->select = Q_ALL;
    else if (strcmp(sel, "ALL_PROJECTED_ATTRIBUTES") == 0)
        q->select = Q_PROJECTED;
    else if (strcmp(sel, "SPECIFIC_ATTRIBUTES") == 0)
        q->select = Q_SPECIFIC;
    else if (strcmp(sel, "COUNT") == 0)
        q->select = Q_COUNT;
    else
        return q_bad_start(err, "Select must be ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, COUNT, "
                                "or SPECIFIC_ATTRIBUTES");
    if (q->select == Q_PROJECTED && !q->ix)
        return q_bad_start(err, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using "
                                "an IndexName");
    static const char *const what[] = {[Q_ALL] = "ALL_ATTRIBUTES",
                                       [Q_PROJECTED] = "ALL_PROJECTED_ATTRIBUTES",
                                       [Q_COUNT] = "only the Count"};
    if (q->proj && q->select != Q_SPECIFIC) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "Cannot specify the ProjectionExpression when choosing to get %s",
                    what[q->select]);
        return false;
    }
    if (q->select == Q_SPECIFIC && !q->proj)
        return q_bad_start(err, "Must specify the AttributesToGet or ProjectionExpression when "
                                "choosing to get SPECIFIC_ATTRIBUTES");
    if (q->select == Q_ALL && q->ix && q->ix->global && q->ix->projection != DDB_PROJECT_ALL) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                    "not supported for global secondary index %s because its projection type "
                    "is not ALL",
                    q->ix->name);
        return false;
    }
    return true;
}

/* The parameters Query and Scan share, up to the expressions. */
static bool q_parse_head(q_ctx *q, eng *e, const json_t *req, ddb_err *err)
{
    const char *name, *index = NULL;
    bool has_index = false;
    if (!eng_check_table_name(req, &name, err)) return false;
    if (!eng_param_str(req, "IndexName", &index, &has_index, err)) return false;
    long long limit = 0;
    bool has_limit = false;
    if (!eng_param_int(req, "Limit", &limit, &has_limit, err)) return false;
    if (has_limit && limit < 1) return q_bad_start(err, "Limit must be greater than or equal to 1");
    q->limit = limit;
    if (!eng_param_bool(req, "ConsistentRead", &q->consistent, err)) return false;
    if (!eng_capacity_mode(req, &q->cap_mode, err)) return false;
    eng_conn *c = eng_conn_get(e, err);
    if (!c) return false;
    q->t = eng_table_acquire(e, c, name, err);
    if (!q->t) return false;
    if (has_index) {
        q->ix = ddb_table_find_index(q->t, index);
        if (!q->ix) {
            ddb_err_set(err, DDB_E_VALIDATION, "The table does not have the specified index: %s",
                        index);
            return false;
        }
        if (q->ix->global && q->consistent) {
            ddb_err_set(err, DDB_E_VALIDATION,
                        "Consistent reads are not supported on global secondary indexes");
            return false;
        }
    }
    return true;
}

/* ExpressionAttributeNames and ExpressionAttributeValues only with the
   expressions that can use them, as DynamoDB Local 3.3.1 words it: values
   need a FilterExpression (an empty one counts as none in a Scan) or a
   KeyConditionExpression `kce` (Query), names any expression. */
static bool q_attrs_need_exprs(const json_t *req, const json_t *names, const json_t *values,
                               const char *kce, ddb_err *err)
{
    const json_t *filter = json_object_get(req, "FilterExpression");
    bool is_query = kce != NULL;
    bool has_filter = is_query ? filter != NULL : json_string_length(filter) > 0;
    if (values && !has_filter && !(kce && *kce)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "ExpressionAttributeValues can only be specified when using expressions: %s",
                    is_query ? "FilterExpression and KeyConditionExpression are null"
                             : "FilterExpression is null");
        return false;
    }
    if (names && !filter && !json_object_get(req, "ProjectionExpression") && !(kce && *kce)) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "ExpressionAttributeNames can only be specified when using expressions");
        return false;
    }
    return true;
}

/* FilterExpression and ProjectionExpression, parsed against `attrs`; a
   projection that was AttributesToGet (legacy.c) answers as one. */
static bool q_parse_exprs(q_ctx *q, const json_t *req, ddb_expr_attrs *attrs, const eng_legacy *lg,
                          ddb_err *err)
{
    const char *text = NULL;
    bool present = false;
    if (!eng_param_str(req, "FilterExpression", &text, &present, err)) return false;
    if (present && !(q->filter = ddb_cond_parse(text, attrs, "FilterExpression", err)))
        return false;
    if (!eng_param_str(req, "ProjectionExpression", &text, &present, err)) return false;
    if (present && !(q->proj = ddb_proj_parse(text, attrs, err))) return false;
    if (q->proj && lg && lg->listed) ddb_proj_set_listed(q->proj);
    return true;
}

/* ExclusiveStartKey, when present. */
static bool q_parse_start(q_ctx *q, const json_t *req, ddb_err *err)
{
    json_t *esk = json_object_get(req, "ExclusiveStartKey");
    return !esk || json_is_null(esk) || q_start(q, esk, err);
}

/* True when index `ix` holds attribute `name` of its items. */
static bool q_index_holds(const ddb_table *t, const ddb_index *ix, const char *name)
{
    if (ix->projection == DDB_PROJECT_ALL || eng_is_index_key_attr(t, ix, name)) return true;
    for (size_t i = 0; i < ix->n_include; i++)
        if (!strcmp(ix->include[i], name)) return true;
    return false;
}

/* Adds `name` to the list of a "does not project" message. */
static void q_list_name(buf_t *list, const char *name)
{
    buf_printf(list, "%s%s", list->len ? ", " : "", name);
}

/* The refusal of the names in `list` (not empty) that the index does not
   hold: in a Query's filter (`filter`), or in the projection. */
static bool q_not_held(const q_ctx *q, const buf_t *list, bool filter, ddb_err *err)
{
    if (filter)
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Secondary index %s does not "
                    "project one or more filter attributes: [%.2000s]",
                    q->ix->name, buf_cstr(list));
    else
        ddb_err_set(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Global secondary index %s "
                    "does not project [%.2000s]",
                    q->ix->name, buf_cstr(list));
    return false;
}

static int q_cmp_names(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return ddb_utf16_cmp(x, strlen(x), y, strlen(y));
}

/* A Query of a secondary index filters on what the index holds only. The
   names it does not hold are listed sorted, as DynamoDB Local 3.3.1 sorts
   them (Collections.sort). */
static bool q_check_filter_held(const q_ctx *q, ddb_err *err)
{
    if (!q->ix || !q->filter) return true;
    json_t *names = json_object();
    ddb_cond_top_names(q->filter, names);
    const char **missing = xcalloc(json_object_size(names) + 1, sizeof *missing);
    size_t n = 0;
    const char *name;
    json_t *v;
    json_object_foreach(names, name, v)
    {
        if (!q_index_holds(q->t, q->ix, name)) missing[n++] = name;
    }
    qsort(missing, n, sizeof *missing, q_cmp_names);
    buf_t list = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        q_list_name(&list, missing[i]);
    bool ok = n == 0 || q_not_held(q, &list, true, err);
    buf_free(&list);
    free(missing);
    json_decref(names);
    return ok;
}

/* A global index answers only what it holds (a local one reads the rest
   from the table). 3.3.1 puts every top-level name of the projection into
   a HashSet in the order its projection tree holds them
   (ddb_proj_tree_names), removes those the index holds, and lists the
   rest. */
static bool q_check_projection_held(const q_ctx *q, ddb_err *err)
{
    if (!q->ix || !q->ix->global || !q->proj) return true;
    json_t *names = json_object();
    ddb_proj_tree_names(q->proj, names);
    json_t *set = ddb_attr_reordered(names, DDB_ORDER_HASHMAP);
    buf_t list = BUF_INIT;
    const char *name;
    json_t *v;
    json_object_foreach(set, name, v)
    {
        if (!q_index_holds(q->t, q->ix, name)) q_list_name(&list, name);
    }
    bool ok = list.len == 0 || q_not_held(q, &list, false, err);
    buf_free(&list);
    json_decref(set);
    json_decref(names);
    return ok;
}

/*
 * Whether a read of a local index reads its items from the table: when it
 * asks for attributes the index does not hold (Select ALL_ATTRIBUTES, a
 * projection or a Scan's filter naming one), as DynamoDB documents. Each
 * item read then costs a read of the whole table item besides its index
 * entry. (A Select COUNT reads the index alone.)
 */
static bool q_fetches(const q_ctx *q)
{
    if (!q->ix || q->ix->global || q->ix->projection == DDB_PROJECT_ALL) return false;
    if (q->select == Q_ALL) return true;
    if (q->select == Q_COUNT) return false;
    json_t *names = json_object();
    if (q->select == Q_SPECIFIC && q->proj) ddb_proj_top_names(q->proj, names);
    if (q->filter) ddb_cond_top_names(q->filter, names);
    bool fetch = false;
    const char *name;
    json_t *v;
    json_object_foreach(names, name, v)
    {
        if (!q_index_holds(q->t, q->ix, name)) fetch = true;
    }
    json_decref(names);
    return fetch;
}

/* A Query; `key_filter_ok` lets its FilterExpression read key attributes;
   `lg` (NULL: none) says which legacy members the request had. */
static json_t *query(eng *e, json_t *req, bool key_filter_ok, const eng_legacy *lg, ddb_err *err)
{
    static const char *const legacy[] = {"KeyConditions", "QueryFilter", "AttributesToGet",
                                         "ConditionalOperator", NULL};
    q_ctx q;
    q_ctx_init(&q);
    q.is_query = true;
    ddb_expr_attrs attrs;
    bool attrs_ok = false;
    json_t *resp = NULL;
    const char *kce = NULL;
    bool has_kce = false;
    if (!q_reject_legacy(req, legacy, err) || !q_parse_head(&q, e, req, err)) goto done;
    if (!eng_param_bool(req, "ScanIndexForward", &q.forward, err)) goto done;
    if (!eng_param_str(req, "KeyConditionExpression", &kce, &has_kce, err)) goto done;
    json_t *names = json_object_get(req, "ExpressionAttributeNames");
    json_t *values = json_object_get(req, "ExpressionAttributeValues");
    if (!has_kce) {
        /* without a key condition DynamoDB Local 3.3.1 still reads and
           checks the other expressions first */
        if (!q_attrs_need_exprs(req, names, values, "", err)) goto done;
        attrs_ok = ddb_expr_attrs_init(&attrs, names, values, err);
        if (attrs_ok && q_parse_exprs(&q, req, &attrs, lg, err) &&
            ddb_expr_attrs_check_unused(&attrs, err))
            q_bad_start(err, "Either the KeyConditions or KeyConditionExpression parameter must "
                             "be specified in the request.");
        goto done;
    }
    attrs_ok = ddb_expr_attrs_init(&attrs, names, values, err);
    if (!attrs_ok) goto done;
    /* DynamoDB Local 3.3.1's order: the three expressions are read (filter,
       projection, key condition), then checked (eng_query_keys), then
       ExclusiveStartKey, the filter against the index, Select, and last the
       projection against the index. */
    if (!q_parse_exprs(&q, req, &attrs, lg, err)) goto done;
    const char *filter_member = lg && lg->query_filter ? "QueryFilter" : "Filter Expression";
    if (!eng_query_keys(q.t, q.ix, kce, &attrs, key_filter_ok ? NULL : q.filter, filter_member,
                        &q.bounds, err))
        goto done;
    if (!q_parse_start(&q, req, err) || (!key_filter_ok && !q_check_filter_held(&q, err)) ||
        !q_parse_select(&q, req, err) || !q_check_projection_held(&q, err))
        goto done;
    q.fetch = q_fetches(&q);
    resp = eng_read(e, q_run, &q, err);
done:
    if (attrs_ok) ddb_expr_attrs_free(&attrs);
    q_ctx_free(e, &q);
    return resp;
}

json_t *eng_op_query(eng *e, json_t *req, ddb_err *err)
{
    return query(e, req, false, NULL, err);
}

json_t *eng_op_query_legacy(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err)
{
    return query(e, req, false, lg, err);
}

json_t *eng_query_where(eng *e, json_t *req, ddb_err *err)
{
    return query(e, req, true, NULL, err);
}

/* Segment/TotalSegments: both or neither; segment i of n covers the i-th
   n-th of the 160-bit hash space, cut as DynamoDB Local cuts it. */
static bool q_parse_segment(q_ctx *q, const json_t *req, ddb_err *err)
{
    long long seg = 0, total = 0;
    bool has_seg = false, has_total = false;
    if (!eng_param_int(req, "Segment", &seg, &has_seg, err) ||
        !eng_param_int(req, "TotalSegments", &total, &has_total, err))
        return false;
    if (has_seg && !has_total)
        return q_bad_start(err, "If segment is specified, total segment must also be specified");
    if (has_total && !has_seg)
        return q_bad_start(err, "If total segments is specified, a particular segment must also "
                                "be specified for this request");
    if (!has_seg) return true;
    if (total < 1 || total > 1000000) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%lld' at 'totalSegments' failed to "
                    "satisfy constraint: Member must have value %s",
                    total,
                    total < 1 ? "greater than or equal to 1" : "less than or equal to 1000000");
        return false;
    }
    if (seg < 0 || seg >= total) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%lld' at 'segment' failed to satisfy "
                    "constraint: Member must have value %s %lld",
                    seg, seg < 0 ? "greater than or equal to" : "less than or equal to",
                    seg < 0 ? 0LL : total - 1);
        return false;
    }
    eng_segment_bounds(seg, total, q->seg_lo, q->seg_hi);
    return true;
}

/* A Scan; `lg` as for query(). */
static json_t *scan(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err)
{
    static const char *const legacy[] = {"ScanFilter", "AttributesToGet", "ConditionalOperator",
                                         NULL};
    q_ctx q;
    q_ctx_init(&q);
    ddb_expr_attrs attrs;
    bool attrs_ok = false;
    json_t *resp = NULL;
    if (!q_reject_legacy(req, legacy, err) || !q_parse_head(&q, e, req, err)) goto done;
    json_t *names = json_object_get(req, "ExpressionAttributeNames");
    json_t *values = json_object_get(req, "ExpressionAttributeValues");
    if (!q_attrs_need_exprs(req, names, values, NULL, err)) goto done;
    attrs_ok = ddb_expr_attrs_init(&attrs, names, values, err);
    if (!attrs_ok) goto done;
    if (!q_parse_exprs(&q, req, &attrs, lg, err) || !ddb_expr_attrs_check_unused(&attrs, err))
        goto done;
    /* DynamoDB Local 3.3.1's order: ExclusiveStartKey, Select, Segment and
       TotalSegments, and last the projection against the index (a Scan
       filters whatever the index holds) */
    if (!q_parse_start(&q, req, err) || !q_parse_select(&q, req, err) ||
        !q_parse_segment(&q, req, err) || !q_start_in_segment(&q, err) ||
        !q_check_projection_held(&q, err))
        goto done;
    q.fetch = q_fetches(&q);
    resp = eng_read(e, q_run, &q, err);
done:
    if (attrs_ok) ddb_expr_attrs_free(&attrs);
    q_ctx_free(e, &q);
    return resp;
}

json_t *eng_op_scan(eng *e, json_t *req, ddb_err *err)
{
    return scan(e, req, NULL, err);
}

json_t *eng_op_scan_legacy(eng *e, json_t *req, const eng_legacy *lg, ddb_err *err)
{
    return scan(e, req, lg, err);
}
