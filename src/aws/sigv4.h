/*
 * sigv4: AWS Signature Version 4 (HMAC-SHA256 over a canonical request),
 * one implementation for both sides: the remote driver and the Cognito tool
 * sign their requests with it, and `cruddur dynamodb --credentials`
 * verifies incoming signatures with it. Hashing and HMAC come from OpenSSL.
 */
#ifndef CRUDDUR_DDB_SIGV4_H
#define CRUDDUR_DDB_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sigv4_header {
    const char *name; /* any case; signed in lower case */
    const char *value;
} sigv4_header;

typedef struct sigv4_input {
    const char *method;          /* "POST" */
    const char *path;            /* "/" (already URI-encoded) */
    const char *query;           /* raw query string without '?', or NULL */
    const sigv4_header *headers; /* exactly the headers to sign; must include host and x-amz-date */
    size_t n_headers;
    const void *payload;
    size_t payload_len;
    const char *amz_date; /* "20260101T000000Z" */
    const char *region;   /* "us-east-1" */
    const char *service;  /* "dynamodb" */
    const char *access_key;
    const char *secret_key;
} sigv4_input;

/* The Authorization header value (caller frees); `signature` receives the
   64 hex digits. */
char *sigv4_authorization(const sigv4_input *in, char signature[65]);

/* The current time in the x-amz-date form. */
void sigv4_amz_date(char out[17]);

/* Parsed Authorization header of a signed request. All strings are copies
   owned by the struct; sigv4_parsed_free releases them. */
typedef struct sigv4_parsed {
    char *access_key, *date, *region,
        *service;         /* from Credential=AK/date/region/service/aws4_request */
    char *signed_headers; /* "content-type;host;x-amz-date" */
    char *signature;
} sigv4_parsed;

bool sigv4_parse_authorization(const char *value, sigv4_parsed *out);
void sigv4_parsed_free(sigv4_parsed *p);
/* Constant-time comparison of two signatures. */
bool sigv4_signature_equal(const char *a, const char *b);

#endif
