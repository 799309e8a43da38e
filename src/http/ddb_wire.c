/*
 * ddb_wire: the DynamoDB wire protocol over the store interface. Each
 * request is decoded, passed to ddb_call() under its operation name, and
 * the response or error encoded as DynamoDB does. No operation is written
 * here: the store implements them all.
 */
#include "http/ddb_wire.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <zlib.h>

#include "base/alloc.h"
#include "base/uuid.h"
#include "aws/sigv4.h"

#define TARGET_DDB "DynamoDB_20120810."
#define TARGET_STREAMS "DynamoDBStreams_20120810."
#define ERROR_PREFIX "com.amazonaws.dynamodb.v20120810#"
/* More signed headers than any SDK sends; the rest are not looked up. */
#define SIGNED_HEADERS_MAX 32

/* Sets the headers every protocol answer carries, with the body's CRC32. */
static void finish(http_response *res)
{
    char id[UUID_STR_LEN], crc[16];
    uuid_v4(id);
    snprintf(crc, sizeof crc, "%lu",
             crc32(0L, (const Bytef *)buf_cstr(&res->body), (uInt)res->body.len));
    res->content_type = "application/x-amz-json-1.0";
    http_response_header(res, "x-amzn-RequestId", id);
    http_response_header(res, "x-amz-crc32", crc);
}

static void send_json(http_response *res, int status, json_t *body)
{
    ddb_json_append(http_response_json_text(res, status), body);
    finish(res);
}

/* DynamoDB's error body: {"__type": "<prefix>#Name", "message": ..., detail...}. */
static void send_error(http_response *res, const ddb_err *err)
{
    char type[160];
    const char *name = err->type[0] ? err->type : ddb_code_name(err->code);
    /* Errors raised before the operation is known (the request's framing
       and its signature) come from AWS's front end, not from DynamoDB. */
    snprintf(type, sizeof type, "%s%s",
             err->code == DDB_E_UNKNOWN_OP || err->code == DDB_E_SERIALIZATION ||
                     err->code == DDB_E_AUTH
                 ? "com.amazon.coral.service#"
                 : ERROR_PREFIX,
             name);
    json_t *body = json_pack("{s:s, s:s}", "__type", type, "message", err->message);
    if (err->detail) json_object_update(body, err->detail);
    /* TransactionCanceledException carries its message as "Message" too (SDKs read either). */
    if (err->code == DDB_E_TXN_CANCELED)
        json_object_set_new(body, "Message", json_string(err->message));
    send_json(res, ddb_code_http_status(err->code), body);
    json_decref(body);
}

static void fail(http_response *res, ddb_code code, const char *message)
{
    ddb_err err = DDB_ERR_INIT;
    ddb_err_set(&err, code, "%s", message);
    send_error(res, &err);
    ddb_err_clear(&err);
}

/* Seconds between an x-amz-date value and now; false when unreadable. */
static bool date_skew(const char *amz_date, long *skew)
{
    struct tm tm = {0};
    const char *end = amz_date ? strptime(amz_date, "%Y%m%dT%H%M%SZ", &tm) : NULL;
    if (!end || *end) return false;
    *skew = (long)(time(NULL) - timegm(&tm));
    if (*skew < 0) *skew = -*skew;
    return true;
}

/* True when the ';'-separated list of signed header names holds `name`
   (any case). */
static bool signs(const char *signed_headers, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = signed_headers; *p;) {
        size_t len = strcspn(p, ";");
        if (len == n && !strncasecmp(p, name, n)) return true;
        p += len + (p[len] == ';');
    }
    return false;
}

/* The signature over the request as the client says it signed it: the
   headers it names, with the values this request carries. */
static void expected_signature(const http_request *req, const sigv4_parsed *p, const char *amz_date,
                               const char *secret, char sig[65])
{
    sigv4_header hs[SIGNED_HEADERS_MAX];
    size_t n = 0;
    char *names = xstrdup(p->signed_headers);
    char *save = NULL;
    for (char *t = strtok_r(names, ";", &save); t && n < SIGNED_HEADERS_MAX;
         t = strtok_r(NULL, ";", &save)) {
        hs[n].name = t;
        hs[n].value = http_request_header(req, t);
        n++;
    }
    sigv4_input in = {
        .method = req->method,
        .path = req->path,
        .headers = hs,
        .n_headers = n,
        .payload = req->body,
        .payload_len = req->body_len,
        .amz_date = amz_date,
        .region = p->region,
        .service = p->service,
        .access_key = p->access_key,
        .secret_key = secret,
    };
    free(sigv4_authorization(&in, sig));
    free(names);
}

/*
 * Checks the request's SigV4 signature against the configured keys, in
 * the order AWS does: is there one, is it complete, does it cover what
 * must not change (host, date, operation), is the key known, is the
 * scope this server's, is it fresh, and does it match. Fills err with
 * DynamoDB's error when it does not verify.
 */
static bool verify_signature(const ddb_wire *w, const http_request *req, ddb_err *err)
{
    assert(w->region && w->keys);
    const char *auth = http_request_header(req, "Authorization");
    if (!auth) {
        ddb_err_set_type(err, DDB_E_AUTH, "MissingAuthenticationTokenException",
                         "Request is missing Authentication Token");
        return false;
    }
    sigv4_parsed p;
    if (!sigv4_parse_authorization(auth, &p)) {
        ddb_err_set_type(err, DDB_E_AUTH, "IncompleteSignatureException",
                         "Authorization header requires 'Credential', 'Signature' and "
                         "'SignedHeaders' parameters");
        return false;
    }
    static const char *const required[][2] = {
        {"host", "'Host' or ':authority'"},
        {"x-amz-date", "'X-Amz-Date'"},
        {"x-amz-target", "'X-Amz-Target'"},
    };
    const char *secret = ddb_keys_secret(w->keys, p.access_key);
    const char *amz_date = http_request_header(req, "X-Amz-Date");
    long skew = 0;
    bool ok = false;
    char msg[256];
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (signs(p.signed_headers, required[i][0])) continue;
        snprintf(msg, sizeof msg, "%s must be a 'SignedHeader' in the AWS Authorization.",
                 required[i][1]);
        ddb_err_set_type(err, DDB_E_AUTH, "InvalidSignatureException", msg);
        sigv4_parsed_free(&p);
        return false;
    }
    if (!secret) {
        ddb_err_set_type(err, DDB_E_AUTH, "UnrecognizedClientException",
                         "The security token included in the request is invalid.");
    } else if (!date_skew(amz_date, &skew) || strncmp(amz_date, p.date, 8) != 0) {
        ddb_err_set_type(err, DDB_E_AUTH, "IncompleteSignatureException",
                         "Date must be in ISO-8601 'basic format' and match the credential "
                         "scope");
    } else if (strcmp(p.service, "dynamodb") != 0) {
        /* The Streams API is signed for "dynamodb" too. */
        ddb_err_set_type(err, DDB_E_AUTH, "InvalidSignatureException",
                         "Credential should be scoped to correct service: 'dynamodb'. ");
    } else if (strcmp(p.region, w->region) != 0) {
        snprintf(msg, sizeof msg, "Credential should be scoped to a valid region, not '%.64s'. ",
                 p.region);
        ddb_err_set_type(err, DDB_E_AUTH, "InvalidSignatureException", msg);
    } else if (skew > 15 * 60) {
        ddb_err_set_type(err, DDB_E_AUTH, "InvalidSignatureException",
                         "Signature expired: the request time is more than 15 minutes from the "
                         "server time.");
    } else {
        char sig[65];
        expected_signature(req, &p, amz_date, secret, sig);
        ok = sigv4_signature_equal(sig, p.signature);
        if (!ok)
            ddb_err_set_type(err, DDB_E_AUTH, "InvalidSignatureException",
                             "The request signature we calculated does not match the signature "
                             "you provided. Check your AWS Secret Access Key and signing method. "
                             "Consult the service documentation for details.");
    }
    sigv4_parsed_free(&p);
    return ok;
}

/*
 * CORS, only with --cors: a listed Origin (or any, with "*") gets
 * Access-Control-Allow-Origin on every answer, and on a preflight the
 * methods and headers it asked for. Without --cors, or for another origin,
 * no Access-Control-* header is sent, so browsers keep other sites' pages
 * from reading or changing the tables (DynamoDB Local does the same).
 */
static void cors_headers(const ddb_wire *w, const http_request *req, http_response *res,
                         bool preflight)
{
    if (!w->cors) return;
    /* The answer depends on Origin unless every origin gets the same one. */
    if (!w->cors->any) http_response_header(res, "Vary", "Origin");
    const char *allow = http_cors_allow(w->cors, http_request_header(req, "Origin"));
    if (!allow) return;
    http_response_header(res, "Access-Control-Allow-Origin", allow);
    if (!preflight) {
        http_response_header(res, "Access-Control-Expose-Headers", "x-amzn-RequestId,x-amz-crc32");
        return;
    }
    const char *asked = http_request_header(req, "Access-Control-Request-Headers");
    http_response_header(res, "Access-Control-Allow-Methods", "POST, GET");
    http_response_header(res, "Access-Control-Allow-Headers",
                         asked ? asked
                               : "Content-Type, X-Amz-Target, X-Amz-Date, Authorization, "
                                 "X-Amz-Security-Token, X-Amz-User-Agent, amz-sdk-invocation-id, "
                                 "amz-sdk-request");
    http_response_header(res, "Access-Control-Max-Age", "172800");
}

void ddb_wire_handle(void *ctx, const http_request *req, http_response *res)
{
    ddb_wire *w = ctx;
    bool preflight = !strcmp(req->method, "OPTIONS");
    cors_headers(w, req, res, preflight);
    if (preflight) {
        /* 200 with no body whether or not the origin is allowed: the
           Access-Control-* headers (or their absence) are the answer. */
        http_response_header(res, "Allow", "GET, POST, OPTIONS");
        http_response_body(res, 200, "text/plain", "", 0);
        return;
    }
    if (!strcmp(req->method, "GET") && !strcmp(req->path, "/")) {
        const char *text = "healthy: dynamodb.us-east-1.amazonaws.com ";
        http_response_body(res, 200, "text/plain", text, strlen(text));
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        fail(res, DDB_E_UNKNOWN_OP, "Only POST is supported");
        return;
    }
    if (req->body_too_large) {
        ddb_err err = DDB_ERR_INIT;
        ddb_err_set(&err, DDB_E_VALIDATION, "Request size exceeded the maximum allowed size");
        send_error(res, &err);
        ddb_err_clear(&err);
        return;
    }
    if (w->keys && w->keys->n) {
        ddb_err err = DDB_ERR_INIT;
        if (!verify_signature(w, req, &err)) {
            send_error(res, &err);
            ddb_err_clear(&err);
            return;
        }
    }
    const char *target = http_request_header(req, "X-Amz-Target");
    const char *op = NULL;
    if (target && !strncmp(target, TARGET_DDB, strlen(TARGET_DDB)))
        op = target + strlen(TARGET_DDB);
    else if (target && !strncmp(target, TARGET_STREAMS, strlen(TARGET_STREAMS)))
        op = target + strlen(TARGET_STREAMS);
    if (!op || !*op) {
        fail(res, DDB_E_UNKNOWN_OP, "");
        return;
    }
    json_error_t jerr;
    json_t *body =
        json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!body && req->body_len == 0) body = json_object();
    if (!json_is_object(body)) {
        json_decref(body);
        fail(res, DDB_E_SERIALIZATION, "Start of structure or map found where not expected");
        return;
    }
    ddb_err err = DDB_ERR_INIT;
    json_t *out = ddb_call(w->store, op, body, &err);
    json_decref(body);
    if (out) {
        send_json(res, 200, out);
        json_decref(out);
    } else {
        send_error(res, &err);
    }
    ddb_err_clear(&err);
}
