/*
 * remote: the remote DynamoDB driver. See remote.h.
 *
 * One operation is one POST of the request JSON with X-Amz-Target set to
 * the API's prefix and the operation name; the Streams operations go to the
 * streams endpoint under their own prefix. Errors come back as
 * {"__type": "...#Name", "message": ...} and are mapped to ddb_code by name.
 */
#include "ddb/remote/remote.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "aws/http.h"

typedef struct endpoint {
    char *url;
    char *host; /* the Host header: host[:port] as curl sends it */
} endpoint;

typedef struct remote {
    ddb_store base;
    aws_config aws;
    endpoint ddb, streams;
    int max_attempts;
    long timeout_ms;
    pthread_key_t curl_key;
} remote;

static const char *const stream_ops[] = {"ListStreams", "DescribeStream", "GetShardIterator",
                                         "GetRecords"};

static bool is_stream_op(const char *op)
{
    for (size_t i = 0; i < sizeof stream_ops / sizeof stream_ops[0]; i++)
        if (!strcmp(op, stream_ops[i])) return true;
    return false;
}

/* Keeps an endpoint URL with the Host header the signature covers. */
static bool endpoint_init(endpoint *e, const char *url, ddb_err *err)
{
    e->host = aws_host_of(url);
    if (!e->host) {
        ddb_err_set(err, DDB_E_VALIDATION, "invalid endpoint URL '%s'", url);
        return false;
    }
    e->url = xstrdup(url);
    return true;
}

static void endpoint_free(endpoint *e)
{
    free(e->url);
    free(e->host);
}

static void curl_destroy(void *p)
{
    curl_easy_cleanup(p);
}

/* The calling thread's curl handle (kept for keep-alive connections). */
static CURL *thread_curl(remote *r)
{
    CURL *c = pthread_getspecific(r->curl_key);
    if (!c) {
        c = curl_easy_init();
        if (!c) return NULL;
        pthread_setspecific(r->curl_key, c);
    }
    return c;
}

/* Maps an error name from a response to our code. */
static ddb_code code_for(const char *name, long status)
{
    static const struct {
        const char *name;
        ddb_code code;
    } extra[] = {
        {"ProvisionedThroughputExceededException", DDB_E_THROTTLED},
        {"RequestLimitExceeded", DDB_E_THROTTLED},
        {"ThrottlingException", DDB_E_THROTTLED},
        {"UnrecognizedClientException", DDB_E_AUTH},
        {"InvalidSignatureException", DDB_E_AUTH},
        {"IncompleteSignatureException", DDB_E_AUTH},
        {"MissingAuthenticationTokenException", DDB_E_AUTH},
        {"AccessDeniedException", DDB_E_AUTH},
        {"ExpiredTokenException", DDB_E_AUTH},
        {"InternalFailure", DDB_E_INTERNAL},
        {"ServiceUnavailable", DDB_E_UNAVAILABLE},
    };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (!strcmp(name, extra[i].name)) return extra[i].code;
    for (int c = DDB_E_VALIDATION; c <= DDB_E_INTERNAL; c++)
        if (!strcmp(name, ddb_code_name((ddb_code)c))) return (ddb_code)c;
    return status >= 500 ? DDB_E_INTERNAL : DDB_E_VALIDATION;
}

/* Turns an error answer into err; the body's other members become detail. */
static void decode_error(const buf_t *body, long status, ddb_err *err)
{
    json_t *j = json_loadb(body->data ? body->data : "", body->len, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "__type"));
    const char *name = type ? strrchr(type, '#') : NULL;
    name = name ? name + 1 : type ? type : status >= 500 ? "InternalServerError" : "HttpError";
    const char *msg = json_string_value(json_object_get(j, "message"));
    if (!msg) msg = json_string_value(json_object_get(j, "Message"));
    char fallback[64];
    if (!msg) {
        snprintf(fallback, sizeof fallback, "HTTP status %ld", status);
        msg = fallback;
    }
    ddb_err_set_type(err, code_for(name, status), name, msg);
    if (json_is_object(j)) {
        json_object_del(j, "__type");
        json_object_del(j, "message");
        json_object_del(j, "Message");
        if (json_object_size(j)) err->detail = json_incref(j);
    }
    json_decref(j);
}

static bool retryable(const ddb_err *err, long status)
{
    return status >= 500 || status == 0 || err->code == DDB_E_THROTTLED ||
           !strcmp(err->type, "TransactionInProgressException");
}

/* Full jitter: a random wait up to min(cap, base * 2^attempt). */
static void backoff(int attempt)
{
    long cap_ms = 5000, base_ms = 25;
    long ceiling = base_ms << (attempt < 10 ? attempt : 10);
    if (ceiling > cap_ms) ceiling = cap_ms;
    unsigned int r = 0;
    RAND_bytes((unsigned char *)&r, sizeof r);
    long ms = (long)(r % (unsigned)(ceiling + 1));
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* One HTTP attempt. Returns the parsed answer, or NULL with err set and
 *status the HTTP status (0 when no answer came). */
static json_t *attempt(remote *r, const endpoint *ep, const char *target, const char *payload,
                       long *status, ddb_err *err)
{
    CURL *c = thread_curl(r);
    if (!c) {
        ddb_err_set(err, DDB_E_INTERNAL, "cannot create an HTTP client");
        return NULL;
    }
    aws_request rq = {
        .url = ep->url,
        .host = ep->host,
        .service = "dynamodb",
        .content_type = "application/x-amz-json-1.0",
        .target = target,
        .payload = payload,
        .timeout_ms = r->timeout_ms,
    };
    aws_reply reply;
    char why[256];
    bool answered = aws_post(c, &r->aws, &rq, &reply, why, sizeof why);
    buf_t body = reply.body;
    long long crc = reply.crc32;
    *status = 0;
    json_t *out = NULL;
    if (!answered) {
        ddb_err_set(err, DDB_E_UNAVAILABLE, "cannot reach %s: %s", ep->url, why);
    } else {
        *status = reply.status;
        uLong actual = crc32(0L, (const Bytef *)(body.data ? body.data : ""), (uInt)body.len);
        if (crc >= 0 && (uLong)crc != actual) {
            ddb_err_set(err, DDB_E_UNAVAILABLE, "response CRC32 mismatch from %s", ep->url);
            *status = 0; /* retry, as the SDKs do */
        } else if (*status == 200) {
            out = json_loadb(body.data ? body.data : "", body.len, JSON_ALLOW_NUL, NULL);
            if (!json_is_object(out)) {
                json_decref(out);
                out = NULL;
                ddb_err_set(err, DDB_E_INTERNAL, "unreadable answer from %s", ep->url);
            }
        } else {
            decode_error(&body, *status, err);
        }
    }
    buf_free(&body);
    return out;
}

static json_t *remote_call(ddb_store *store, const char *op, json_t *req, ddb_err *err)
{
    remote *r = (remote *)store;
    bool streams = is_stream_op(op);
    const endpoint *ep = streams ? &r->streams : &r->ddb;
    char target[128];
    snprintf(target, sizeof target, "%s.%s",
             streams ? "DynamoDBStreams_20120810" : "DynamoDB_20120810", op);
    char *payload = json_dumps(req, JSON_COMPACT);
    json_t *out = NULL;
    for (int i = 0; i < r->max_attempts; i++) {
        long status = 0;
        ddb_err_clear(err);
        out = attempt(r, ep, target, payload, &status, err);
        if (out || !retryable(err, status)) break;
        /* An endpoint that does not answer at all is reported soon. */
        if (status == 0 && i >= 2) break;
        if (i + 1 < r->max_attempts) {
            log_debug("remote %s: %s (%s), retrying", op, err->type, err->message);
            backoff(i);
        }
    }
    free(payload);
    return out;
}

/*
 * A remote store cannot see changes coming: it sleeps the whole timeout and
 * reports none (the counter stays at 0), so that a stream consumer polls at
 * its own idle pace. Reporting a change after every sleep made consumers
 * poll at the pace of their shortest wait slice instead (ten GetRecords a
 * second per shard, twice what DynamoDB Streams allows).
 */
static uint64_t remote_wait_change(ddb_store *store, uint64_t since, int timeout_ms)
{
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
    return since;
}

static uint64_t remote_change_counter(ddb_store *store)
{
    return 0;
}

static void remote_close(ddb_store *store)
{
    remote *r = (remote *)store;
    CURL *c = pthread_getspecific(r->curl_key);
    if (c) {
        pthread_setspecific(r->curl_key, NULL);
        curl_easy_cleanup(c);
    }
    pthread_key_delete(r->curl_key);
    endpoint_free(&r->ddb);
    endpoint_free(&r->streams);
    aws_config_free(&r->aws);
    free(r);
}

static const ddb_store_ops remote_ops = {
    .call = remote_call,
    .wait_change = remote_wait_change,
    .change_counter = remote_change_counter,
    .close = remote_close,
};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

ddb_store *ddb_remote_open(const ddb_remote_options *opt, ddb_err *err)
{
    const aws_config *a = opt->aws;
    if (!a->access_key || !a->secret_key) {
        ddb_err_set(err, DDB_E_AUTH,
                    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or "
                    "configure profile '%s' in ~/.aws/credentials",
                    a->profile ? a->profile : "default");
        return NULL;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    remote *r = xcalloc(1, sizeof *r);
    r->base.ops = &remote_ops;
    r->aws.profile = dup_or_null(a->profile);
    r->aws.region = dup_or_null(a->region);
    r->aws.access_key = dup_or_null(a->access_key);
    r->aws.secret_key = dup_or_null(a->secret_key);
    r->aws.session_token = dup_or_null(a->session_token);
    r->aws.endpoint_dynamodb = dup_or_null(a->endpoint_dynamodb);
    r->aws.endpoint_streams = dup_or_null(a->endpoint_streams);
    r->aws.custom_endpoint = a->custom_endpoint;
    r->aws.ca_bundle = dup_or_null(a->ca_bundle);
    r->max_attempts = opt->max_attempts > 0 ? opt->max_attempts : 10;
    r->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 10000;
    if (pthread_key_create(&r->curl_key, curl_destroy) != 0 ||
        !endpoint_init(&r->ddb, r->aws.endpoint_dynamodb, err) ||
        !endpoint_init(&r->streams, r->aws.endpoint_streams, err)) {
        if (!err || err->code == DDB_OK) ddb_err_set(err, DDB_E_INTERNAL, "remote setup failed");
        endpoint_free(&r->ddb);
        endpoint_free(&r->streams);
        aws_config_free(&r->aws);
        free(r);
        return NULL;
    }
    return &r->base;
}
