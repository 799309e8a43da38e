/*
 * ddb_wire: the DynamoDB wire protocol over the store interface. Each
 * request is decoded, passed to ddb_call() under its operation name, and
 * the response or error encoded as DynamoDB does. No operation is written
 * here: the store implements them all.
 */
#include "http/ddb_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "base/uuid.h"

#define TARGET_DDB "DynamoDB_20120810."
#define TARGET_STREAMS "DynamoDBStreams_20120810."
#define ERROR_PREFIX "com.amazonaws.dynamodb.v20120810#"

/* Sets the headers every protocol answer carries and the body's CRC32. */
static void finish(http_response *res, int status, const char *body, size_t len)
{
    char id[UUID_STR_LEN], crc[16];
    uuid_v4(id);
    snprintf(crc, sizeof crc, "%lu", crc32(0L, (const Bytef *)body, (uInt)len));
    http_response_body(res, status, "application/x-amz-json-1.0", body, len);
    http_response_header(res, "x-amzn-RequestId", id);
    http_response_header(res, "x-amz-crc32", crc);
    http_response_header(res, "Access-Control-Allow-Origin", "*");
    http_response_header(res, "Access-Control-Expose-Headers", "x-amzn-RequestId,x-amz-crc32");
}

static void send_json(http_response *res, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    finish(res, status, text, strlen(text));
    free(text);
}

/* DynamoDB's error body: {"__type": "<prefix>#Name", "message": ..., detail...}. */
static void send_error(http_response *res, const ddb_err *err)
{
    char type[160];
    const char *name = err->type[0] ? err->type : ddb_code_name(err->code);
    snprintf(type, sizeof type, "%s%s",
             err->code == DDB_E_UNKNOWN_OP || err->code == DDB_E_SERIALIZATION
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

/* Answers a CORS preflight for browser SDKs. */
static void preflight(const http_request *req, http_response *res)
{
    const char *asked = http_request_header(req, "Access-Control-Request-Headers");
    http_response_body(res, 200, "text/plain", "", 0);
    http_response_header(res, "Access-Control-Allow-Origin", "*");
    http_response_header(res, "Access-Control-Allow-Methods", "POST, GET, OPTIONS");
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
    if (!strcmp(req->method, "OPTIONS")) {
        preflight(req, res);
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
    json_t *body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
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
