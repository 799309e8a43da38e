/*
 * streams_api: the read side of DynamoDB Streams (ListStreams,
 * DescribeStream, GetShardIterator, GetRecords) over the `streams` and
 * `stream_records` tables that stream_log.c writes.
 *
 * Each stream has exactly one shard, named from the stream's creation time
 * and id ("shardId-<20-digit creation µs>-<8 hex>"); it never splits, so
 * DescribeStream's ShardFilter CHILD_SHARDS always finds none. A record's
 * SequenceNumber is its `seq` as a 21-digit zero-padded decimal and its
 * eventID is derived from (sid, seq), so both are stable across reads.
 *
 * Shard iterators are opaque strings "<stream arn>|<sid>|<position>|
 * <issued µs>|<crc32>": position is the first seq the next GetRecords may
 * return, and the CRC guards against edited or truncated iterators. They
 * expire after 15 minutes, as in DynamoDB. Records older than 24 hours are
 * trimmed: they are invisible even before stream_log.c deletes them, and a
 * position before them fails with TrimmedDataAccessException.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "base/clock.h"
#include "ddb/engine/engine_int.h"

#define ST_ITERATOR_LIFE_US (15LL * 60 * 1000000)
#define ST_MAX_RECORDS_BYTES (1024 * 1024)
#define ST_SEQ_DIGITS 21

/* One row of `streams`. */
typedef struct st_stream {
    int64_t sid;
    int64_t tid;
    char table_name[256];
    char label[64];
    char view_type[32];
    int64_t created_us;
    int64_t disabled_us; /* 0 while enabled */
} st_stream;

static bool st_validation(ddb_err *err, const char *msg)
{
    ddb_err_set(err, DDB_E_VALIDATION, "%s", msg);
    return false;
}

static char *st_arn(eng *e, const char *table_name, const char *label)
{
    ddb_table t;
    memset(&t, 0, sizeof t);
    t.name = table_name;
    return ddb_stream_arn(&t, label, eng_region(e), eng_account_id(e));
}

static void st_shard_id(const st_stream *s, char out[64])
{
    char text[96];
    int n = snprintf(text, sizeof text, "%" PRId64 ":%s", s->sid, s->label);
    uLong crc = crc32(0L, (const Bytef *)text, (uInt)n);
    snprintf(out, 64, "shardId-%020" PRId64 "-%08lx", s->created_us, (unsigned long)crc);
}

static void st_seq_text(int64_t seq, char out[32])
{
    snprintf(out, 32, "%0*" PRId64, ST_SEQ_DIGITS, seq);
}

#define ST_COLS "sid, tid, table_name, label, view_type, created_us, disabled_us"

static void st_row(sqlite3_stmt *st, st_stream *s)
{
    s->sid = sqlite3_column_int64(st, 0);
    s->tid = sqlite3_column_int64(st, 1);
    snprintf(s->table_name, sizeof s->table_name, "%s", (const char *)sqlite3_column_text(st, 2));
    snprintf(s->label, sizeof s->label, "%s", (const char *)sqlite3_column_text(st, 3));
    snprintf(s->view_type, sizeof s->view_type, "%s", (const char *)sqlite3_column_text(st, 4));
    s->created_us = sqlite3_column_int64(st, 5);
    s->disabled_us = sqlite3_column_int64(st, 6);
}

/* Finds a stream by ARN (or by sid when arn is NULL); false with
   ResourceNotFoundException when there is none. */
static bool st_find(eng *e, eng_conn *c, const char *arn, int64_t sid, st_stream *s, ddb_err *err)
{
    const char *tab = arn ? strstr(arn, ":table/") : NULL;
    const char *mark = tab ? strstr(tab, "/stream/") : NULL;
    sqlite3_stmt *st;
    if (arn && !mark) goto missing;
    st = eng_stmt(c,
                  arn ? "SELECT " ST_COLS " FROM streams WHERE table_name = ?1 AND label = ?2"
                        " ORDER BY sid DESC"
                      : "SELECT " ST_COLS " FROM streams WHERE sid = ?1",
                  err);
    if (!st) return false;
    if (arn) {
        tab += strlen(":table/");
        sqlite3_bind_text(st, 1, tab, (int)(mark - tab), SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, mark + strlen("/stream/"), -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_int64(st, 1, sid);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) st_row(st, s);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        eng_sql_error(c, err);
        return false;
    }
    if (rc == SQLITE_ROW) {
        char *want = st_arn(e, s->table_name, s->label);
        bool same = !arn || strcmp(want, arn) == 0;
        free(want);
        if (same) return true;
    }
missing:
    ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found: Stream: %s not found",
                arn ? arn : "");
    return false;
}

/* One integer from a query over stream_records of a stream (0 when NULL). */
static bool st_scalar(eng_conn *c, const char *sql, int64_t sid, int64_t arg, int64_t *out,
                      ddb_err *err)
{
    sqlite3_stmt *st = eng_stmt(c, sql, err);
    if (!st) return false;
    sqlite3_bind_int64(st, 1, sid);
    sqlite3_bind_int64(st, 2, arg);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        eng_sql_error(c, err);
        return false;
    }
    return true;
}

/* The last seq that is trimmed (older than 24 hours but not yet deleted;
   0 if none) and the stream's first and last remaining seq. */
#define SQL_TRIMMED "SELECT MAX(seq) FROM stream_records WHERE sid = ?1 AND created_us < ?2"
#define SQL_FIRST "SELECT MIN(seq) FROM stream_records WHERE sid = ?1 AND seq >= ?2"
#define SQL_LAST "SELECT MAX(seq) FROM stream_records WHERE sid = ?1 AND seq >= ?2"

static int64_t st_horizon_us(void)
{
    return clock_now_us() - ENG_STREAM_RETENTION_US;
}

/* ---- ListStreams ---- */

typedef struct ls_args {
    const char *table;
    long long limit;
    const char *start_arn;
} ls_args;

static json_t *ls_read(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    ls_args *a = arg;
    int64_t after = INT64_MAX;
    if (a->start_arn) {
        st_stream s;
        if (!st_find(e, c, a->start_arn, 0, &s, err)) {
            ddb_err_clear(err);
            return json_pack("{s:[]}", "Streams");
        }
        after = s.sid;
    }
    sqlite3_stmt *st = eng_stmt(c,
                                a->table ? "SELECT " ST_COLS " FROM streams WHERE sid < ?1"
                                           " AND table_name = ?2 ORDER BY sid DESC"
                                         : "SELECT " ST_COLS " FROM streams WHERE sid < ?1"
                                           " ORDER BY sid DESC",
                                err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, after);
    if (a->table) sqlite3_bind_text(st, 2, a->table, -1, SQLITE_TRANSIENT);
    json_t *list = json_array();
    char *last = NULL;
    bool more = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((long long)json_array_size(list) == a->limit) {
            more = true;
            break;
        }
        st_stream s;
        st_row(st, &s);
        free(last);
        last = st_arn(e, s.table_name, s.label);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "StreamArn", last, "TableName",
                                              s.table_name, "StreamLabel", s.label));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        eng_sql_error(c, err);
        json_decref(list);
        free(last);
        return NULL;
    }
    json_t *resp = json_pack("{s:o}", "Streams", list);
    if (more && last) json_object_set_new(resp, "LastEvaluatedStreamArn", json_string(last));
    free(last);
    return resp;
}

/* Limit for ListStreams and DescribeStream: 1..100, default 100. */
static bool st_limit(const json_t *req, long long max, long long *limit, ddb_err *err)
{
    bool present = false;
    *limit = max;
    if (!eng_param_int(req, "Limit", limit, &present, err)) return false;
    if (present && *limit < 1) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%lld' at 'limit' failed to satisfy "
                    "constraint: Member must have value greater than or equal to 1",
                    *limit);
        return false;
    }
    if (present && *limit > max) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    max == 100 ? "One or more parameter values were invalid: Limit cannot be "
                                 "greater than the maximum allowed size: 100"
                               : "One or more parameter values were invalid: Limit should be "
                                 "less than or equal to %lld",
                    max);
        return false;
    }
    return true;
}

json_t *eng_op_list_streams(eng *e, json_t *req, ddb_err *err)
{
    ls_args a = {NULL, 100, NULL};
    if (!eng_param_str(req, "TableName", &a.table, NULL, err) ||
        !eng_param_str(req, "ExclusiveStartStreamArn", &a.start_arn, NULL, err) ||
        !st_limit(req, 100, &a.limit, err))
        return NULL;
    return eng_read(e, ls_read, &a, err);
}

/* ---- DescribeStream ---- */

typedef struct ds_args {
    const char *arn;
    const char *start_shard;
    bool child_shards; /* ShardFilter CHILD_SHARDS: only the children of a shard */
} ds_args;

/* ShardFilter: {"Type": "CHILD_SHARDS", "ShardId": parent}. A stream here
   has one shard that never splits, so no shard has children. */
static bool ds_shard_filter(const json_t *req, ds_args *a, ddb_err *err)
{
    const json_t *f = json_object_get(req, "ShardFilter");
    if (!f || json_is_null(f)) return true;
    if (!json_is_object(f)) {
        ddb_err_member_type(err, "ShardFilter", "an object");
        return false;
    }
    const char *type = NULL, *parent = NULL;
    bool has_parent = false;
    if (!eng_param_str(f, "Type", &type, NULL, err) ||
        !eng_param_str(f, "ShardId", &parent, &has_parent, err))
        return false;
    if (!type || strcmp(type, "CHILD_SHARDS") != 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at 'shardFilter.type' failed to "
                    "satisfy constraint: Member must be CHILD_SHARDS",
                    type ? type : "null");
        return false;
    }
    size_t n = has_parent ? strlen(parent) : 28;
    if (n < 28 || n > 65) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at 'shardFilter.shardId' failed to "
                    "satisfy constraint: Member must have length %s",
                    parent, n < 28 ? "greater than or equal to 28" : "less than or equal to 65");
        return false;
    }
    a->child_shards = true;
    return true;
}

static json_t *ds_read(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    ds_args *a = arg;
    st_stream s;
    if (!st_find(e, c, a->arn, 0, &s, err)) return NULL;
    int64_t trimmed, first, last;
    if (!st_scalar(c, SQL_TRIMMED, s.sid, st_horizon_us(), &trimmed, err) ||
        !st_scalar(c, SQL_FIRST, s.sid, trimmed + 1, &first, err) ||
        !st_scalar(c, SQL_LAST, s.sid, trimmed + 1, &last, err))
        return NULL;
    /* an empty stream starts where the next record of any stream will */
    if (!first &&
        !st_scalar(c, "SELECT COALESCE(MAX(seq), 0) + 1 FROM stream_records", 0, 0, &first, err))
        return NULL;
    char shard[64], seq[32];
    st_shard_id(&s, shard);
    json_t *range = json_object();
    st_seq_text(first, seq);
    json_object_set_new(range, "StartingSequenceNumber", json_string(seq));
    if (s.disabled_us && last) {
        st_seq_text(last, seq);
        json_object_set_new(range, "EndingSequenceNumber", json_string(seq));
    }
    json_t *shards = json_array();
    if (!a->child_shards && (!a->start_shard || strcmp(a->start_shard, shard) != 0))
        json_array_append_new(
            shards, json_pack("{s:s, s:o}", "ShardId", shard, "SequenceNumberRange", range));
    else
        json_decref(range);
    json_t *keys = NULL;
    const ddb_table *t = eng_table_acquire(e, c, s.table_name, err);
    if (t && t->tid == s.tid) keys = json_deep_copy(json_object_get(t->def, "KeySchema"));
    if (t) eng_table_release(e, t);
    ddb_err_clear(err);
    json_t *desc =
        json_pack("{s:s, s:s, s:s, s:s, s:f, s:s, s:o, s:o}", "StreamArn", a->arn, "StreamLabel",
                  s.label, "StreamStatus", s.disabled_us ? "DISABLED" : "ENABLED", "StreamViewType",
                  s.view_type, "CreationRequestDateTime", (double)s.created_us / 1e6, "TableName",
                  s.table_name, "KeySchema", keys ? keys : json_array(), "Shards", shards);
    return json_pack("{s:o}", "StreamDescription", desc);
}

json_t *eng_op_describe_stream(eng *e, json_t *req, ddb_err *err)
{
    ds_args a = {NULL, NULL, false};
    long long limit;
    bool has_arn = false;
    if (!eng_param_str(req, "StreamArn", &a.arn, &has_arn, err) ||
        !eng_param_str(req, "ExclusiveStartShardId", &a.start_shard, NULL, err) ||
        !st_limit(req, 100, &limit, err) || !ds_shard_filter(req, &a, err))
        return NULL;
    if (!has_arn) {
        st_validation(err, "1 validation error detected: Value null at 'streamArn' failed to "
                           "satisfy constraint: Member must not be null");
        return NULL;
    }
    return eng_read(e, ds_read, &a, err);
}

/* ---- shard iterators ---- */

static char *it_make(eng *e, const st_stream *s, int64_t pos)
{
    char *arn = st_arn(e, s->table_name, s->label);
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s|%" PRId64 "|%" PRId64 "|%" PRId64, arn, s->sid, pos, clock_now_us());
    uLong crc = crc32(0L, (const Bytef *)b.data, (uInt)b.len);
    buf_printf(&b, "|%08lx", (unsigned long)crc);
    free(arn);
    return buf_detach(&b);
}

/* Parses and checks an iterator: its stream id, position and age. */
static bool it_parse(const char *text, int64_t *sid, int64_t *pos, int64_t *issued, ddb_err *err)
{
    const char *bar = text ? strrchr(text, '|') : NULL;
    unsigned long crc = 0;
    char tail;
    if (!bar || sscanf(bar + 1, "%8lx%c", &crc, &tail) != 1 ||
        crc32(0L, (const Bytef *)text, (uInt)(bar - text)) != crc)
        return st_validation(err, "Invalid ShardIterator");
    const char *p = bar;
    int fields = 0;
    while (p > text && fields < 3)
        if (*--p == '|') fields++;
    if (fields != 3 || sscanf(p, "|%" SCNd64 "|%" SCNd64 "|%" SCNd64 "|", sid, pos, issued) != 3)
        return st_validation(err, "Invalid ShardIterator");
    int64_t now = clock_now_us();
    if (now - *issued > ST_ITERATOR_LIFE_US) {
        ddb_err_set(err, DDB_E_EXPIRED_ITERATOR,
                    "Iterator expired. The iterator was created at time %" PRId64
                    " while right now it is %" PRId64
                    " which is further in the future than the tolerated delay of 900000 "
                    "milliseconds.",
                    *issued / 1000, now / 1000);
        return false;
    }
    return true;
}

static bool st_trimmed(ddb_err *err)
{
    ddb_err_set(err, DDB_E_TRIMMED,
                "The operation attempted to read past the oldest stream record in a shard.");
    return false;
}

typedef struct gsi_args {
    const char *arn;
    const char *shard;
    const char *type;
    int64_t seq; /* AT/AFTER_SEQUENCE_NUMBER */
} gsi_args;

static json_t *gsi_read(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    gsi_args *a = arg;
    st_stream s;
    if (!st_find(e, c, a->arn, 0, &s, err)) return NULL;
    char shard[64];
    st_shard_id(&s, shard);
    if (strcmp(shard, a->shard) != 0) {
        ddb_err_set(err, DDB_E_NOT_FOUND, "Requested resource not found: Shard does not exist");
        return NULL;
    }
    int64_t trimmed, first, pos;
    if (!st_scalar(c, SQL_TRIMMED, s.sid, st_horizon_us(), &trimmed, err) ||
        !st_scalar(c, SQL_FIRST, s.sid, 0, &first, err))
        return NULL;
    if (strcmp(a->type, "TRIM_HORIZON") == 0) {
        pos = trimmed + 1;
    } else if (strcmp(a->type, "LATEST") == 0) {
        if (!st_scalar(c, SQL_LAST, s.sid, 0, &pos, err)) return NULL;
        pos = pos ? pos + 1 : trimmed + 1;
    } else {
        /* a position at or before a trimmed record, or before every
           remaining one of a stream old enough to have lost records */
        bool old = s.created_us < st_horizon_us();
        if (a->seq <= trimmed || (old && (!first || a->seq < first))) {
            st_trimmed(err);
            return NULL;
        }
        pos = strcmp(a->type, "AT_SEQUENCE_NUMBER") == 0 ? a->seq : a->seq + 1;
    }
    char *it = it_make(e, &s, pos);
    json_t *resp = json_pack("{s:s}", "ShardIterator", it);
    free(it);
    return resp;
}

/* A SequenceNumber parameter: 21..40 digits that fit an int64. */
static bool gsi_parse_seq(const char *text, int64_t *out, ddb_err *err)
{
    size_t n = strlen(text);
    if (n < ST_SEQ_DIGITS || n > 40) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at 'sequenceNumber' failed to "
                    "satisfy constraint: Member must have length %s",
                    text,
                    n < ST_SEQ_DIGITS ? "greater than or equal to 21" : "less than or equal to 40");
        return false;
    }
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9' || v > (INT64_MAX - 9) / 10)
            return st_validation(
                err, "One or more parameter values were invalid: Invalid SequenceNumber");
        v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
}

json_t *eng_op_get_shard_iterator(eng *e, json_t *req, ddb_err *err)
{
    gsi_args a = {NULL, NULL, NULL, 0};
    const char *seq = NULL;
    bool has_arn = false, has_shard = false, has_type = false, has_seq = false;
    if (!eng_param_str(req, "StreamArn", &a.arn, &has_arn, err) ||
        !eng_param_str(req, "ShardId", &a.shard, &has_shard, err) ||
        !eng_param_str(req, "ShardIteratorType", &a.type, &has_type, err) ||
        !eng_param_str(req, "SequenceNumber", &seq, &has_seq, err))
        return NULL;
    if (!has_arn || !has_shard || !has_type) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value null at '%s' failed to satisfy "
                    "constraint: Member must not be null",
                    !has_arn     ? "streamArn"
                    : !has_shard ? "shardId"
                                 : "shardIteratorType");
        return NULL;
    }
    bool positional =
        strcmp(a.type, "AT_SEQUENCE_NUMBER") == 0 || strcmp(a.type, "AFTER_SEQUENCE_NUMBER") == 0;
    if (!positional && strcmp(a.type, "TRIM_HORIZON") != 0 && strcmp(a.type, "LATEST") != 0) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%s' at 'shardIteratorType' failed to "
                    "satisfy constraint: Member must satisfy enum value set: "
                    "[AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]",
                    a.type);
        return NULL;
    }
    if (positional && !has_seq) {
        st_validation(err, "One or more parameter values were invalid: Invalid SequenceNumber");
        return NULL;
    }
    if (!positional && has_seq) {
        st_validation(err, "One or more parameter values were invalid: SequenceNumber should "
                           "not be passed for this iterator type");
        return NULL;
    }
    if (positional && !gsi_parse_seq(seq, &a.seq, err)) return NULL;
    return eng_read(e, gsi_read, &a, err);
}

/* ---- GetRecords ---- */

typedef struct gr_args {
    int64_t sid;
    int64_t pos;
    long long limit;
} gr_args;

/* A stable pseudo-random UUID-shaped id for record (sid, seq). */
static void gr_event_id(int64_t sid, int64_t seq, char out[40])
{
    uint64_t a = (uint64_t)seq * 0x9E3779B97F4A7C15ULL ^ (uint64_t)sid;
    uint64_t b = ((uint64_t)sid << 32 ^ (uint64_t)seq) * 0xC2B2AE3D27D4EB4FULL;
    snprintf(out, 40, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xffff, (unsigned)(b >> 48),
             (unsigned long long)(b & 0xffffffffffffULL));
}

/* A stored record as GetRecords shows it: eventID first, SequenceNumber added. */
static json_t *gr_record(int64_t sid, int64_t seq, const char *text, ddb_err *err)
{
    json_t *stored = json_loads(text, JSON_ALLOW_NUL, NULL);
    if (!json_is_object(stored)) {
        json_decref(stored);
        ddb_err_set(err, DDB_E_INTERNAL, "stream record %" PRId64 " is not valid JSON", seq);
        return NULL;
    }
    char id[40], seqtext[32];
    gr_event_id(sid, seq, id);
    st_seq_text(seq, seqtext);
    json_t *rec = json_pack("{s:s}", "eventID", id);
    json_object_update(rec, stored);
    json_decref(stored);
    json_t *ddb = json_object_get(rec, "dynamodb");
    if (json_is_object(ddb)) json_object_set_new(ddb, "SequenceNumber", json_string(seqtext));
    return rec;
}

static json_t *gr_read(eng *e, eng_conn *c, void *arg, ddb_err *err)
{
    gr_args *a = arg;
    st_stream s;
    if (!st_find(e, c, NULL, a->sid, &s, err)) return NULL;
    int64_t trimmed, last;
    if (!st_scalar(c, SQL_TRIMMED, s.sid, st_horizon_us(), &trimmed, err) ||
        !st_scalar(c, SQL_LAST, s.sid, 0, &last, err))
        return NULL;
    if (a->pos <= trimmed) {
        st_trimmed(err);
        return NULL;
    }
    sqlite3_stmt *st = eng_stmt(c,
                                "SELECT seq, record FROM stream_records WHERE sid = ?1"
                                " AND seq >= ?2 ORDER BY seq LIMIT ?3",
                                err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, s.sid);
    sqlite3_bind_int64(st, 2, a->pos);
    sqlite3_bind_int64(st, 3, a->limit);
    json_t *records = json_array();
    int64_t next = a->pos;
    size_t bytes = 0;
    int rc = SQLITE_DONE;
    while (bytes < ST_MAX_RECORDS_BYTES && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 1);
        bytes += (size_t)sqlite3_column_bytes(st, 1);
        json_t *rec = gr_record(s.sid, seq, text, err);
        if (!rec) {
            sqlite3_reset(st);
            json_decref(records);
            return NULL;
        }
        json_array_append_new(records, rec);
        next = seq + 1;
    }
    sqlite3_reset(st);
    if (bytes < ST_MAX_RECORDS_BYTES && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        eng_sql_error(c, err);
        json_decref(records);
        return NULL;
    }
    json_t *resp = json_pack("{s:o}", "Records", records);
    /* a disabled stream read to its end has no next iterator */
    if (!(s.disabled_us && next > last)) {
        char *it = it_make(e, &s, next);
        json_object_set_new(resp, "NextShardIterator", json_string(it));
        free(it);
    }
    return resp;
}

json_t *eng_op_get_records(eng *e, json_t *req, ddb_err *err)
{
    gr_args a = {0, 0, 1000};
    const char *it = NULL;
    bool has_it = false, has_limit = false;
    if (!eng_param_str(req, "ShardIterator", &it, &has_it, err) ||
        !eng_param_int(req, "Limit", &a.limit, &has_limit, err))
        return NULL;
    if (!has_it) {
        st_validation(err, "1 validation error detected: Value null at 'shardIterator' failed "
                           "to satisfy constraint: Member must not be null");
        return NULL;
    }
    if (has_limit && a.limit < 1) {
        ddb_err_set(err, DDB_E_VALIDATION,
                    "1 validation error detected: Value '%lld' at 'limit' failed to satisfy "
                    "constraint: Member must have value greater than or equal to 1",
                    a.limit);
        return NULL;
    }
    if (has_limit && a.limit > 1000) {
        st_validation(err, "One or more parameter values were invalid: Limit should be less "
                           "than or equal to 1000");
        return NULL;
    }
    int64_t issued;
    if (!it_parse(it, &a.sid, &a.pos, &issued, err)) return NULL;
    return eng_read(e, gr_read, &a, err);
}
