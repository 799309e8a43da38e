/*
 * consumer: reads the messages table's stream and applies the fanout (see
 * consumer.h for the guarantees).
 *
 * Per shard it keeps `applied` (the last record handled) and `saved` (the
 * position in the checkpoint item). A MSG# record is applied on its own,
 * with the checkpoint set to its sequence number inside the fanout's
 * transaction. Other records (group items moved by the fanout itself, pair
 * items) need nothing; they only advance `applied`, and the position is
 * saved alone at the end of a poll when a MSG# record wrote nothing (a
 * replay) or when many records went by unsaved. Reading such records again
 * after a crash is harmless, so the checkpoint may lag behind them.
 *
 * Sequence numbers are decimal strings (compared as numbers); the stream's
 * shards are read parents first.
 */
#include "messaging/consumer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "messaging/msg_int.h"

#define SAVE_EVERY 256              /* unsaved non-message records before a save */
#define REDISCOVER_US (5 * 1000000) /* how often the stream list is read again */
#define ERROR_SLEEP_MS 500
#define STOP_CHECK_MS 100 /* how often a sleeping thread looks at the stop flag */

typedef struct shard_pos {
    char *shard_id;
    char *parent_id;  /* NULL when none */
    char *iterator;   /* NULL: get one after `applied` */
    char *applied;    /* last sequence number handled; NULL: from the oldest record */
    char *saved;      /* sequence number in the checkpoint item */
    bool loaded;      /* checkpoint read */
    bool done;        /* closed shard read to its end */
    bool from_latest; /* relay: start at the shard's end, not its start */
    int unsaved;      /* records handled since `saved` */
    bool unsaved_message;
} shard_pos;

struct msg_consumer {
    msg_service *svc;
    char *name;
    char *table; /* checkpoint table */
    int batch_limit;
    int idle_wait_ms;
    void (*on_records)(const json_t *records, void *arg); /* relay mode when set */
    void *on_records_arg;
    bool seen_stream; /* relay: a stream was found once (later shards start at their start) */
    char *stream_arn;
    int64_t discovered_us;
    shard_pos *shards;
    size_t n_shards;
    pthread_t thread;
    bool running;
    atomic_bool stop;
    pthread_mutex_t lock; /* stats */
    msg_consumer_stats stats;
};

/* ---- small helpers ---- */

static void set_str(char **dst, const char *src)
{
    char *copy = src ? xstrdup(src) : NULL;
    free(*dst);
    *dst = copy;
}

/* Compares two decimal sequence numbers by value. */
static int seq_cmp(const char *a, const char *b)
{
    while (*a == '0' && a[1])
        a++;
    while (*b == '0' && b[1])
        b++;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return la < lb ? -1 : 1;
    return strcmp(a, b);
}

static void count(msg_consumer *c, uint64_t *field, uint64_t n)
{
    pthread_mutex_lock(&c->lock);
    *field += n;
    pthread_mutex_unlock(&c->lock);
}

static void shards_clear(msg_consumer *c)
{
    for (size_t i = 0; i < c->n_shards; i++) {
        shard_pos *s = &c->shards[i];
        free(s->shard_id);
        free(s->parent_id);
        free(s->iterator);
        free(s->applied);
        free(s->saved);
    }
    free(c->shards);
    c->shards = NULL;
    c->n_shards = 0;
}

/* ---- lifecycle ---- */

msg_consumer *msg_consumer_new(msg_service *svc, const msg_consumer_options *opt)
{
    msg_consumer *c = xcalloc(1, sizeof *c);
    c->svc = svc;
    set_str(&c->name, opt && opt->name ? opt->name : "fanout");
    set_str(&c->table, opt && opt->checkpoint_table ? opt->checkpoint_table : MSG_CONSUMER_TABLE);
    c->batch_limit = opt && opt->batch_limit > 0 ? opt->batch_limit : 1000;
    c->idle_wait_ms = opt && opt->idle_wait_ms > 0 ? opt->idle_wait_ms : 200;
    c->on_records = opt ? opt->on_records : NULL;
    c->on_records_arg = opt ? opt->on_records_arg : NULL;
    atomic_init(&c->stop, false);
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void msg_consumer_free(msg_consumer *c)
{
    if (!c) return;
    msg_consumer_stop(c);
    shards_clear(c);
    free(c->stream_arn);
    free(c->name);
    free(c->table);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void msg_consumer_get_stats(msg_consumer *c, msg_consumer_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
}

bool msg_consumer_ensure_table(msg_consumer *c, msg_err *err)
{
    json_t *req = json_pack("{s:s, s:[{s:s,s:s},{s:s,s:s}], s:[{s:s,s:s},{s:s,s:s}], s:s}",
                            "TableName", c->table, "AttributeDefinitions", "AttributeName", "pk",
                            "AttributeType", "S", "AttributeName", "sk", "AttributeType", "S",
                            "KeySchema", "AttributeName", "pk", "KeyType", "HASH", "AttributeName",
                            "sk", "KeyType", "RANGE", "BillingMode", "PAY_PER_REQUEST");
    bool ok = msg_create_table_if_missing(c->svc, req, err);
    json_decref(req);
    return ok;
}

/* ---- checkpoints ---- */

static json_t *checkpoint_key(const msg_consumer *c, const shard_pos *s)
{
    size_t n = strlen(c->name) + strlen(c->stream_arn) + 2;
    char *pk = xmalloc(n);
    snprintf(pk, n, "%s#%s", c->name, c->stream_arn);
    json_t *key = json_pack("{s:o, s:o}", "pk", msg_s(pk), "sk", msg_s(s->shard_id));
    free(pk);
    return key;
}

/* The Put action that records `seq` as the shard's position. */
static json_t *checkpoint_put(const msg_consumer *c, const shard_pos *s, const char *seq)
{
    char now[CLOCK_ISO_LEN];
    clock_format_iso(clock_now_us(), now);
    json_t *item = checkpoint_key(c, s);
    json_object_set_new(item, "sequence_number", msg_s(seq));
    json_object_set_new(item, "updated_at", msg_s(now));
    return json_pack("{s:{s:s, s:o}}", "Put", "TableName", c->table, "Item", item);
}

/* Reads the shard's saved position (none: from the oldest record). */
static bool checkpoint_load(msg_consumer *c, shard_pos *s, msg_err *err)
{
    json_t *req = json_pack("{s:s, s:o, s:b}", "TableName", c->table, "Key", checkpoint_key(c, s),
                            "ConsistentRead", 1);
    json_t *res = msg_call(c->svc, "GetItem", req, NULL, err);
    json_decref(req);
    if (!res) return false;
    const char *seq = msg_item_str(json_object_get(res, "Item"), "sequence_number");
    set_str(&s->saved, seq);
    set_str(&s->applied, seq);
    json_decref(res);
    s->loaded = true;
    return true;
}

static void mark_saved(shard_pos *s, const char *seq)
{
    set_str(&s->saved, seq);
    s->unsaved = 0;
    s->unsaved_message = false;
}

/* Saves `applied` alone when the rules of the file comment ask for it. */
static bool checkpoint_save_if_due(msg_consumer *c, shard_pos *s, msg_err *err)
{
    if (!s->applied || s->unsaved == 0) return true;
    if (!s->unsaved_message && s->unsaved < SAVE_EVERY) return true;
    json_t *put = checkpoint_put(c, s, s->applied);
    json_t *req = json_incref(json_object_get(put, "Put"));
    json_decref(put);
    json_t *res = msg_call(c->svc, "PutItem", req, NULL, err);
    json_decref(req);
    if (!res) return false;
    json_decref(res);
    mark_saved(s, s->applied);
    count(c, &c->stats.checkpoints, 1);
    return true;
}

/* ---- the stream and its shards ---- */

/* The table's current stream (the newest label), or NULL when it has none. */
static char *latest_stream(msg_consumer *c, bool *failed, msg_err *err)
{
    char *best = NULL, *best_label = NULL;
    json_t *start = NULL;
    *failed = false;
    do {
        json_t *req = json_pack("{s:s}", "TableName", c->svc->table);
        if (start) json_object_set_new(req, "ExclusiveStartStreamArn", start);
        json_t *res = msg_call(c->svc, "ListStreams", req, NULL, err);
        json_decref(req);
        if (!res) {
            *failed = true;
            break;
        }
        size_t i;
        json_t *st;
        json_array_foreach(json_object_get(res, "Streams"), i, st)
        {
            const char *arn = json_string_value(json_object_get(st, "StreamArn"));
            const char *label = json_string_value(json_object_get(st, "StreamLabel"));
            if (!arn || !label || (best_label && strcmp(label, best_label) <= 0)) continue;
            set_str(&best, arn);
            set_str(&best_label, label);
        }
        start = json_incref(json_object_get(res, "LastEvaluatedStreamArn"));
        json_decref(res);
    } while (start);
    free(best_label);
    if (*failed) {
        free(best);
        return NULL;
    }
    return best;
}

static shard_pos *find_shard(msg_consumer *c, const char *id)
{
    for (size_t i = 0; i < c->n_shards; i++)
        if (!strcmp(c->shards[i].shard_id, id)) return &c->shards[i];
    return NULL;
}

/* Adds the stream's shards not known yet (DescribeStream, all pages). */
static bool describe_shards(msg_consumer *c, msg_err *err)
{
    json_t *start = NULL;
    do {
        json_t *req = json_pack("{s:s}", "StreamArn", c->stream_arn);
        if (start) json_object_set_new(req, "ExclusiveStartShardId", start);
        json_t *res = msg_call(c->svc, "DescribeStream", req, NULL, err);
        json_decref(req);
        if (!res) return false;
        json_t *desc = json_object_get(res, "StreamDescription");
        size_t i;
        json_t *sh;
        json_array_foreach(json_object_get(desc, "Shards"), i, sh)
        {
            const char *id = json_string_value(json_object_get(sh, "ShardId"));
            if (!id || find_shard(c, id)) continue;
            c->shards = xrealloc(c->shards, (c->n_shards + 1) * sizeof *c->shards);
            shard_pos *s = &c->shards[c->n_shards++];
            memset(s, 0, sizeof *s);
            set_str(&s->shard_id, id);
            set_str(&s->parent_id, json_string_value(json_object_get(sh, "ParentShardId")));
            s->from_latest = c->on_records && !c->seen_stream;
        }
        start = json_incref(json_object_get(desc, "LastEvaluatedShardId"));
        json_decref(res);
    } while (start);
    return true;
}

/* Finds the current stream and its shards (again, every few seconds). */
static bool discover(msg_consumer *c, msg_err *err)
{
    int64_t now = clock_mono_us();
    if (c->stream_arn && now - c->discovered_us < REDISCOVER_US) return true;
    bool failed;
    char *arn = latest_stream(c, &failed, err);
    if (failed) return false;
    c->discovered_us = now;
    if (!arn || !c->stream_arn || strcmp(arn, c->stream_arn) != 0) {
        shards_clear(c);
        free(c->stream_arn);
        c->stream_arn = arn;
    } else {
        free(arn);
    }
    if (!c->stream_arn) return true;
    if (!describe_shards(c, err)) return false;
    c->seen_stream = true;
    return true;
}

/* ---- reading records ---- */

/* The conversation a record's message belongs to ("MSG#<group>"), or NULL. */
static const char *message_pk(const json_t *rec)
{
    const char *pk = msg_item_str(json_object_get(json_object_get(rec, "dynamodb"), "Keys"), "pk");
    return msg_key_messages_group(pk) ? pk : NULL;
}

/*
 * Marks the message records of a batch that a later record of the same
 * conversation in the batch supersedes: the fanout only moves group items
 * forward, so only each conversation's newest message needs applying.
 * Skipping the others is safe with the checkpoints: when a conversation's
 * newest record is applied at position P, every skipped record before P
 * belongs to a conversation whose own newest record lies after P, and is
 * read again (and applied) after a crash. Under load this turns one
 * transaction per message into one per conversation and batch.
 */
static bool *superseded_records(const json_t *records)
{
    size_t n = json_array_size(records);
    bool *skip = xcalloc(n ? n : 1, sizeof *skip);
    for (size_t i = 0; i < n; i++) {
        const char *pk = message_pk(json_array_get(records, i));
        if (!pk) continue;
        for (size_t j = i + 1; j < n && !skip[i]; j++) {
            const char *later = message_pk(json_array_get(records, j));
            const char *event =
                json_string_value(json_object_get(json_array_get(records, j), "eventName"));
            if (later && !strcmp(later, pk) && event && !strcmp(event, "INSERT")) skip[i] = true;
        }
    }
    return skip;
}

/* Handles one record; false on a fanout failure (it will be retried).
   A superseded record is passed over like a record that changes nothing. */
static bool handle_record(msg_consumer *c, shard_pos *s, const json_t *rec, bool superseded,
                          msg_err *err)
{
    const json_t *ddb = json_object_get(rec, "dynamodb");
    const char *seq = json_string_value(json_object_get(ddb, "SequenceNumber"));
    if (!seq) return true;
    if (s->applied && seq_cmp(seq, s->applied) <= 0) return true;
    if (superseded) {
        count(c, &c->stats.message_records, 1);
        s->unsaved++;
        s->unsaved_message = true;
    } else if (message_pk(rec)) {
        json_t *ckpt = checkpoint_put(c, s, seq);
        int writes = 0;
        bool applied = msg_fanout_apply(c->svc, rec, ckpt, &writes, err);
        json_decref(ckpt);
        if (!applied) return false;
        count(c, &c->stats.message_records, 1);
        if (writes > 0) {
            count(c, &c->stats.fanout_writes, (uint64_t)writes);
            mark_saved(s, seq);
        } else {
            s->unsaved++;
            s->unsaved_message = true;
        }
    } else {
        s->unsaved++;
    }
    set_str(&s->applied, seq);
    return true;
}

/* Gets an iterator after `applied` (or at the oldest record). */
static bool get_iterator(msg_consumer *c, shard_pos *s, msg_err *err)
{
    const char *type = s->applied       ? "AFTER_SEQUENCE_NUMBER"
                       : s->from_latest ? "LATEST"
                                        : "TRIM_HORIZON";
    json_t *req = json_pack("{s:s, s:s, s:s}", "StreamArn", c->stream_arn, "ShardId", s->shard_id,
                            "ShardIteratorType", type);
    if (s->applied) json_object_set_new(req, "SequenceNumber", json_string(s->applied));
    ddb_err e = DDB_ERR_INIT;
    json_t *res = msg_call(c->svc, "GetShardIterator", req, &e, err);
    json_decref(req);
    if (!res && e.code == DDB_E_TRIMMED && s->applied) {
        /* The position is older than the stream keeps: start at the oldest. */
        log_warn("fanout: records after %s were trimmed from the stream; reading from the oldest",
                 s->applied);
        ddb_err_clear(&e);
        set_str(&s->applied, NULL);
        return get_iterator(c, s, err);
    }
    if (!res) {
        msg_fail(err, MSG_STORE, "GetShardIterator failed: %s: %s", e.type, e.message);
        ddb_err_clear(&e);
        return false;
    }
    set_str(&s->iterator, json_string_value(json_object_get(res, "ShardIterator")));
    json_decref(res);
    if (!s->iterator) return msg_fail(err, MSG_STORE, "GetShardIterator returned no iterator");
    return true;
}

/* Reads one shard to its current end; records read, or -1. */
static long poll_shard(msg_consumer *c, shard_pos *s, msg_err *err)
{
    if (c->on_records) s->loaded = true; /* a relay keeps no checkpoint */
    if (!s->loaded && !checkpoint_load(c, s, err)) return -1;
    long total = 0;
    for (int expired = 0; !atomic_load(&c->stop);) {
        if (!s->iterator && !get_iterator(c, s, err)) return -1;
        json_t *req =
            json_pack("{s:s, s:i}", "ShardIterator", s->iterator, "Limit", c->batch_limit);
        ddb_err e = DDB_ERR_INIT;
        json_t *res = msg_call(c->svc, "GetRecords", req, &e, err);
        json_decref(req);
        if (!res) {
            set_str(&s->iterator, NULL);
            if (e.code == DDB_E_EXPIRED_ITERATOR && expired++ < 3) {
                ddb_err_clear(&e);
                continue;
            }
            msg_fail(err, MSG_STORE, "GetRecords failed: %s: %s", e.type, e.message);
            ddb_err_clear(&e);
            return -1;
        }
        json_t *records = json_object_get(res, "Records");
        size_t n = json_array_size(records), got = n;
        if (c->on_records && n > 0) {
            c->on_records(records, c->on_records_arg);
            const json_t *last = json_object_get(json_array_get(records, n - 1), "dynamodb");
            set_str(&s->applied, json_string_value(json_object_get(last, "SequenceNumber")));
            n = 0; /* handed on: nothing for the fanout below */
            total += (long)got;
            count(c, &c->stats.records, got);
        }
        bool *superseded = n ? superseded_records(records) : NULL;
        size_t done = 0;
        /* a stop is taken between records, not after the whole page */
        for (; done < n && !atomic_load(&c->stop); done++) {
            if (!handle_record(c, s, json_array_get(records, done), superseded[done], err)) {
                set_str(&s->iterator, NULL); /* read again from the failed record */
                free(superseded);
                json_decref(res);
                count(c, &c->stats.records, done);
                return -1;
            }
        }
        free(superseded);
        count(c, &c->stats.records, done);
        total += (long)done;
        if (done < n) {
            set_str(&s->iterator, NULL); /* the rest is read again after `applied` */
            json_decref(res);
            break;
        }
        set_str(&s->iterator, json_string_value(json_object_get(res, "NextShardIterator")));
        json_decref(res);
        if (!s->iterator) s->done = true; /* a closed shard, read to its end */
        if (got == 0 || s->done) break;
    }
    if (c->on_records) return total;
    return checkpoint_save_if_due(c, s, err) ? total : -1;
}

long msg_consumer_poll(msg_consumer *c, msg_err *err)
{
    if (!discover(c, err)) return -1;
    if (!c->stream_arn) return 0;
    long total = 0;
    bool closed_one = false;
    for (size_t i = 0; i < c->n_shards; i++) {
        shard_pos *s = &c->shards[i];
        if (s->done) continue;
        shard_pos *parent = s->parent_id ? find_shard(c, s->parent_id) : NULL;
        if (parent && !parent->done) continue; /* parents first */
        long n = poll_shard(c, s, err);
        if (n < 0) {
            c->discovered_us = 0; /* the stream may have changed: look again */
            return -1;
        }
        total += n;
        closed_one |= s->done;
    }
    if (closed_one) c->discovered_us = 0; /* its children may be new */
    return total;
}

/* ---- the background thread ---- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *consumer_thread(void *arg)
{
    msg_consumer *c = arg;
    ddb_store *store = c->svc->store;
    uint64_t failures = 0;
    while (!atomic_load(&c->stop)) {
        uint64_t before = ddb_store_change_counter(store);
        msg_err err = {0};
        long n = msg_consumer_poll(c, &err);
        if (n < 0) {
            count(c, &c->stats.errors, 1);
            if (failures++ % 100 == 0)
                log_warn("fanout: %s (retrying every %d ms)", err.message, ERROR_SLEEP_MS);
            msg_err_clear(&err);
            for (int slept = 0; slept < ERROR_SLEEP_MS && !atomic_load(&c->stop);
                 slept += STOP_CHECK_MS)
                sleep_ms(STOP_CHECK_MS);
            continue;
        }
        if (failures)
            log_info("fanout: recovered after %llu failed polls", (unsigned long long)failures);
        failures = 0;
        msg_err_clear(&err);
        /* Sleep until a change, in slices so that a stop is seen quickly. */
        for (int waited = 0; waited < c->idle_wait_ms && !atomic_load(&c->stop);
             waited += STOP_CHECK_MS) {
            int slice = c->idle_wait_ms - waited;
            if (slice > STOP_CHECK_MS) slice = STOP_CHECK_MS;
            if (ddb_store_wait_change(store, before, slice) != before) break;
        }
    }
    return NULL;
}

bool msg_consumer_start(msg_consumer *c, msg_err *err)
{
    if (c->running) return true;
    atomic_store(&c->stop, false);
    if (pthread_create(&c->thread, NULL, consumer_thread, c) != 0)
        return msg_fail(err, MSG_STORE, "cannot start the fanout thread");
    c->running = true;
    return true;
}

void msg_consumer_stop(msg_consumer *c)
{
    if (!c || !c->running) return;
    atomic_store(&c->stop, true);
    pthread_join(c->thread, NULL);
    c->running = false;
}
