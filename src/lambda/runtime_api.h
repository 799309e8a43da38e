/*
 * runtime_api: a client of AWS Lambda's Runtime API (version 2018-06-01),
 * the HTTP interface a custom runtime (provided.al2023) uses inside the
 * execution environment: fetch the next invocation, post its response or
 * its error, or report that initialization failed. The endpoint is
 * $AWS_LAMBDA_RUNTIME_API (host:port, plain HTTP on loopback).
 *
 * One libcurl handle is kept so the connection stays alive between calls.
 * Not thread-safe: one runtime loop per process, as Lambda runs it.
 *
 * Ownership: lambda_invocation owns its strings (lambda_invocation_clear);
 * `why` buffers are the caller's.
 */
#ifndef CRUDDUR_LAMBDA_RUNTIME_API_H
#define CRUDDUR_LAMBDA_RUNTIME_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lambda_runtime lambda_runtime;

/* What GET /runtime/invocation/next answered. */
typedef struct lambda_invocation {
    char *request_id;    /* Lambda-Runtime-Aws-Request-Id */
    char *function_arn;  /* Lambda-Runtime-Invoked-Function-Arn, or NULL */
    char *trace_id;      /* Lambda-Runtime-Trace-Id, or NULL */
    int64_t deadline_ms; /* Lambda-Runtime-Deadline-Ms (Unix ms), 0 when absent */
    char *body;          /* the event, NUL-terminated */
    size_t body_len;
} lambda_invocation;

void lambda_invocation_clear(lambda_invocation *inv);

/* `api` is host:port. NULL with a reason when libcurl cannot start. */
lambda_runtime *lambda_runtime_new(const char *api, char *why, size_t why_len);
void lambda_runtime_free(lambda_runtime *rt);

/*
 * Waits for the next invocation (a long poll: no time limit). Returns 1
 * with `inv` filled, 0 when a stop signal became pending while waiting
 * (base/stop_signal.h; checked about every second), -1 with a reason when
 * the Runtime API failed.
 */
int lambda_runtime_next(lambda_runtime *rt, lambda_invocation *inv, char *why, size_t why_len);

/* POST /runtime/invocation/<id>/response with a JSON body. */
bool lambda_runtime_respond(lambda_runtime *rt, const char *request_id, const char *json, char *why,
                            size_t why_len);

/*
 * Reports an error: of one invocation (POST .../<id>/error), or, with
 * request_id NULL, of initialization (POST /runtime/init/error, after which
 * the runtime should exit). `type` is e.g. "Runtime.InvalidEvent".
 */
bool lambda_runtime_error(lambda_runtime *rt, const char *request_id, const char *type,
                          const char *message, char *why, size_t why_len);

#endif
