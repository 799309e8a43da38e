/*
 * stream_worker_cmd: `cruddur stream-worker`. When the messages table lives
 * in Amazon DynamoDB (or DynamoDB Local, or `cruddur dynamodb` on another
 * machine), the in-process consumer of `cruddur serve` cannot see its
 * writes; this command runs the same consumer (messaging/consumer.h) over
 * the remote driver instead: it reads the table's stream through
 * DynamoDB Streams' API, applies the fanout to every new message, and keeps
 * its position in the checkpoint table so that a restart resumes where it
 * stopped. It is the long-running alternative to the Lambda (src/lambda/).
 *
 * Settings come from the AWS environment (aws/config.h): endpoint,
 * region and credentials; the table from DDB_MESSAGE_TABLE. SIGTERM and
 * SIGINT stop it after the record in hand. `--once` reads the stream to its
 * current end and exits, for scripts and tests.
 */
#include "tools/stream_worker_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/opts.h"
#include "base/stop_signal.h"
#include "aws/config.h"
#include "ddb/open/store_open.h"
#include "messaging/consumer.h"
#include "messaging/table.h"

#define PROG "cruddur stream-worker"
#define POLL_INTERVAL_MS 1000 /* DynamoDB Streams allows 5 GetRecords a second per shard */
#define PROGRESS_EVERY_S 30

static void usage(FILE *out)
{
    fprintf(out,
            "usage: " PROG " [--once] [--help]\n"
            "\n"
            "Applies the message-group fanout (each new message moves its conversation's\n"
            "group items) from the messages table's DynamoDB stream, for deployments where\n"
            "the table lives in DynamoDB instead of cruddur's data folder. Its position is\n"
            "saved in the table %s after every record, so a restart\n"
            "resumes where it stopped and nothing is applied twice.\n"
            "\n"
            "  --once   read the stream to its current end, then exit\n"
            "  --help   this text\n"
            "\n"
            "environment:\n"
            "  AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL   a local server such as\n"
            "           `cruddur dynamodb` or DynamoDB Local (default: Amazon DynamoDB)\n"
            "  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE,\n"
            "  AWS_REGION   credentials and region, as for the aws cli\n"
            "  DDB_MESSAGE_TABLE   the messages table (default cruddur-messages)\n"
            "\n"
            "It needs the table to have a stream with new images (NEW_AND_OLD_IMAGES, as\n"
            "`cruddur ddb schema-load` creates it). SIGTERM or Ctrl-C stops it cleanly.\n",
            MSG_CONSUMER_TABLE);
}

/* Opens the remote store from the AWS environment; NULL after printing why. */
static ddb_store *open_remote(void)
{
    /* Without an endpoint variable, ddb_store_open would pick the embedded
       store: the worker is for a remote table, so it asks for AWS itself. */
    ddb_open_options opt = {.aws = !aws_config_wants_remote()};
    ddb_err err = DDB_ERR_INIT;
    char *what = NULL;
    ddb_store *store = ddb_store_open(&opt, &what, &err);
    if (!store) {
        fprintf(stderr,
                PROG ": %s (set AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL to use a local "
                     "server such as `cruddur dynamodb` instead of Amazon DynamoDB)\n",
                err.message);
    } else {
        log_info("stream-worker: %s", what);
    }
    free(what);
    ddb_err_clear(&err);
    return store;
}

/*
 * Checks that the messages table exists and streams new images: without
 * them the consumer would wait forever for records it can never get.
 */
static bool table_streams_new_images(ddb_store *store, const char *table)
{
    json_t *req = json_pack("{s:s}", "TableName", table);
    ddb_err err = DDB_ERR_INIT;
    json_t *res = ddb_call(store, "DescribeTable", req, &err);
    json_decref(req);
    if (!res) {
        if (err.code == DDB_E_NOT_FOUND)
            fprintf(stderr,
                    PROG ": table %s does not exist; create it first (`cruddur ddb "
                         "schema-load`, or set DDB_MESSAGE_TABLE)\n",
                    table);
        else
            fprintf(stderr, PROG ": cannot read table %s: %s: %s\n", table, err.type, err.message);
        ddb_err_clear(&err);
        return false;
    }
    json_t *spec = json_object_get(json_object_get(res, "Table"), "StreamSpecification");
    const char *view = json_string_value(json_object_get(spec, "StreamViewType"));
    bool ok = json_is_true(json_object_get(spec, "StreamEnabled")) && view &&
              (!strcmp(view, "NEW_IMAGE") || !strcmp(view, "NEW_AND_OLD_IMAGES"));
    if (!ok)
        fprintf(stderr,
                PROG ": table %s has no stream with new images (stream view type: %s); "
                     "enable one with StreamViewType NEW_AND_OLD_IMAGES\n",
                table, view ? view : "no stream");
    json_decref(res);
    return ok;
}

static void log_stats(msg_consumer *c, const char *when)
{
    msg_consumer_stats s;
    msg_consumer_get_stats(c, &s);
    log_info("stream-worker: %s: %llu records read, %llu new messages, %llu fanout writes, "
             "%llu positions saved alone, %llu failed polls",
             when, (unsigned long long)s.records, (unsigned long long)s.message_records,
             (unsigned long long)s.fanout_writes, (unsigned long long)s.checkpoints,
             (unsigned long long)s.errors);
}

/* --once: polls until a poll reads nothing. */
static int run_once(msg_consumer *c)
{
    for (;;) {
        if (stop_signal_wait(0)) {
            log_info("stream-worker: stopped by a signal");
            break;
        }
        msg_err err = {0};
        long n = msg_consumer_poll(c, &err);
        if (n < 0) {
            fprintf(stderr, PROG ": %s\n", err.message);
            msg_err_clear(&err);
            log_stats(c, "failed");
            return 1;
        }
        msg_err_clear(&err);
        if (n == 0) break;
    }
    log_stats(c, "caught up");
    return 0;
}

/*
 * The service: the consumer's own thread polls (it retries failed polls
 * and logs them); this thread waits for a stop signal, logging progress
 * now and then.
 */
static int run_forever(msg_consumer *c)
{
    msg_err err = {0};
    if (!msg_consumer_start(c, &err)) {
        fprintf(stderr, PROG ": %s\n", err.message);
        msg_err_clear(&err);
        return 1;
    }
    log_info("stream-worker: running (SIGTERM or Ctrl-C stops it)");
    msg_consumer_stats last = {0};
    for (;;) {
        int sig = stop_signal_wait(PROGRESS_EVERY_S * 1000);
        if (sig) {
            log_info("stream-worker: %s received, stopping", stop_signal_name(sig));
            break;
        }
        msg_consumer_stats now;
        msg_consumer_get_stats(c, &now);
        if (now.records != last.records || now.errors != last.errors) log_stats(c, "progress");
        last = now;
    }
    msg_consumer_stop(c);
    log_stats(c, "stopped");
    return 0;
}

int stream_worker_cmd_main(int argc, char **argv)
{
    stop_signal_block(); /* before any thread: see base/stop_signal.h */
    bool once = false;
    opts_iter it;
    opts_init(&it, PROG, argc, argv);
    while (opts_next(&it)) {
        if (opts_is_help(&it)) {
            usage(stdout);
            return 0;
        } else if (opts_is(&it, "--once")) {
            once = true;
        } else {
            opts_unknown(&it);
            usage(stderr);
            return 2;
        }
    }
    const char *table = msg_table_name();

    ddb_store *store = open_remote();
    if (!store) return 1;
    int rc = 1;
    msg_service *svc = msg_service_new(store, table);
    msg_consumer_options copt = {.idle_wait_ms = POLL_INTERVAL_MS};
    msg_consumer *c = msg_consumer_new(svc, &copt);
    msg_err err = {0};
    if (!table_streams_new_images(store, table)) {
        /* said why */
    } else if (!msg_consumer_ensure_table(c, &err)) {
        fprintf(stderr, PROG ": %s\n", err.message);
    } else {
        log_info("stream-worker: table %s, positions in %s", table, MSG_CONSUMER_TABLE);
        rc = once ? run_once(c) : run_forever(c);
    }
    msg_err_clear(&err);
    msg_consumer_free(c);
    msg_service_free(svc);
    ddb_store_close(store);
    return rc;
}
