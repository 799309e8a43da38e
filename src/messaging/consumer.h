/*
 * consumer: the fanout's stream consumer. It reads the messages table's
 * stream through the store interface (ListStreams, DescribeStream,
 * GetShardIterator, GetRecords), hands every record to msg_fanout_apply
 * and keeps its position in a checkpoint item, so that `cruddur serve`
 * keeps conversation lists current without a Lambda.
 *
 * Exactly-once effect: a record whose fanout writes something saves its
 * sequence number in the same transaction as those writes (the
 * `checkpoint` action of msg_fanout_apply); records that write nothing
 * advance the checkpoint alone. After a crash the consumer resumes after
 * the saved position: nothing is lost, and what is read again is a no-op
 * because the fanout only moves group items forward.
 *
 * A relay (msg_consumer_options.on_records) reads the same way but only
 * hands the records on, keeping no checkpoint (push.h).
 *
 * Checkpoints live in their own table (MSG_CONSUMER_TABLE, no stream, so
 * saving a position makes no stream record of its own), one item per
 * (consumer name, stream, shard).
 *
 * Threads: msg_consumer_poll may be called by one thread at a time;
 * msg_consumer_start runs it on a thread of its own that wakes at once on
 * every committed change (ddb_store_wait_change). Ownership: the consumer
 * borrows the service (and its store), which must outlive it.
 */
#ifndef CRUDDUR_MESSAGING_CONSUMER_H
#define CRUDDUR_MESSAGING_CONSUMER_H

#include <stdint.h>

#include "messaging/messaging.h"

#define MSG_CONSUMER_TABLE "cruddur-stream-checkpoints"

typedef struct msg_consumer_options {
    const char *name;             /* checkpoint owner; default "fanout" */
    const char *checkpoint_table; /* default MSG_CONSUMER_TABLE */
    int batch_limit;              /* GetRecords Limit; default 1000 */
    int idle_wait_ms;             /* longest sleep of the thread between polls; default 200 */
    /*
     * Relay mode (set on_records): no fanout and no checkpoints; every batch
     * of records read goes to on_records(records, arg) instead. Shards that
     * exist when the consumer first finds the stream are read from their
     * end (LATEST), shards found later from their start, and positions live
     * only in memory: what a relay misses while it is not running is not
     * read again.
     */
    void (*on_records)(const json_t *records, void *arg);
    void *on_records_arg;
} msg_consumer_options;

typedef struct msg_consumer_stats {
    uint64_t records;         /* stream records read */
    uint64_t message_records; /* of which MSG# items (the ones the fanout acts on) */
    uint64_t fanout_writes;   /* transactions the fanout committed */
    uint64_t checkpoints;     /* positions saved alone */
    uint64_t errors;          /* polls that failed (retried) */
} msg_consumer_stats;

typedef struct msg_consumer msg_consumer;

/* opt may be NULL for the defaults; strings are copied. */
msg_consumer *msg_consumer_new(msg_service *svc, const msg_consumer_options *opt);
/* Stops the thread if running, then frees. NULL is a no-op. */
void msg_consumer_free(msg_consumer *c);

/* Creates the checkpoint table when missing. */
bool msg_consumer_ensure_table(msg_consumer *c, msg_err *err);

/*
 * Reads every shard of the table's current stream up to its end, applying
 * the fanout and saving positions. Returns the number of records read
 * (0 when caught up or when the table has no stream yet), -1 on error
 * (err set; the next poll retries from the last record applied).
 */
long msg_consumer_poll(msg_consumer *c, msg_err *err);

/* Runs polls on a background thread until msg_consumer_stop. */
bool msg_consumer_start(msg_consumer *c, msg_err *err);
/* Asks the thread to stop and waits for it (it finishes the record in hand). */
void msg_consumer_stop(msg_consumer *c);

void msg_consumer_get_stats(msg_consumer *c, msg_consumer_stats *out);

#endif
