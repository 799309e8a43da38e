/*
 * aws_http: one signed POST to an AWS JSON-protocol API (DynamoDB's JSON
 * 1.0, Cognito's JSON 1.1): the X-Amz-Target header, a SigV4 signature from
 * sigv4.h (the same signer `cruddur dynamodb --credentials` verifies with),
 * the session token and CA bundle of the configuration. The remote
 * DynamoDB driver and the Cognito tool both send their requests through it.
 */
#ifndef CRUDDUR_DDB_AWS_HTTP_H
#define CRUDDUR_DDB_AWS_HTTP_H

#include <stdbool.h>

#include <curl/curl.h>

#include "base/buf.h"
#include "aws/config.h"

typedef struct aws_request {
    const char *url;          /* the endpoint, e.g. "https://dynamodb.us-east-1.amazonaws.com" */
    const char *host;         /* the Host header curl sends for it (aws_host_of) */
    const char *service;      /* signing name: "dynamodb", "cognito-idp" */
    const char *content_type; /* "application/x-amz-json-1.0" */
    const char *target;       /* X-Amz-Target, e.g. "DynamoDB_20120810.GetItem" */
    const char *payload;      /* the JSON body */
    long timeout_ms;
} aws_request;

typedef struct aws_reply {
    long status;     /* HTTP status; 0 when no answer came */
    buf_t body;      /* caller frees (buf_free) */
    long long crc32; /* the x-amz-crc32 header, -1 when absent */
} aws_reply;

/*
 * Sends the request on `curl` (a handle the caller may reuse for
 * keep-alive; it is reset first). True when an answer came, whatever its
 * status; false with `why` (e.g. "Couldn't connect to server") otherwise.
 */
bool aws_post(CURL *curl, const aws_config *aws, const aws_request *rq, aws_reply *out, char *why,
              size_t why_len);

/* The Host header value for an endpoint URL (host[:port] when the port is
   given), or NULL when the URL is not one; caller frees. */
char *aws_host_of(const char *url);

#endif
