/*
 * api_int: what api.c (routing, CORS, authentication) shares with the
 * handlers in api_messages.c. Not for use outside src/http/api*.c.
 */
#ifndef CRUDDUR_HTTP_API_INT_H
#define CRUDDUR_HTTP_API_INT_H

#include "http/api.h"

/* One request on its way through a route. */
typedef struct api_call {
    api_ctx *api;
    const http_request *req;
    const char *param; /* the route's {} path segment, or NULL */
    msg_user me;       /* the signed-in user, on routes that need one */
    int64_t token_exp; /* when the bearer's token expires (Unix seconds), on those routes */
} api_call;

typedef void (*api_fn)(api_call *call, http_response *res);

/* {"error": message} with the given status. */
void api_error(http_response *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 404 {"error": "not found"}: unknown routes, conversations, users. */
void api_not_found(http_response *res);
/* Maps a messaging error to its status and body (422 codes, 404, 400, 500). */
void api_msg_error(http_response *res, const msg_err *err);
/* 500 for a failure of ours; the details go to the log, not the client. */
void api_internal_error(http_response *res, const char *what, const char *detail);
/* The body as a JSON object; NULL after answering 400 when it is not one. */
json_t *api_body_object(const api_call *call, http_response *res);
/*
 * Reads an optional string member: true with *out NULL when absent or
 * null; false after answering 400 when it has another type.
 */
bool api_opt_string(const json_t *body, const char *name, const char **out, http_response *res);

/* The handlers (api_messages.c). */
void api_list_groups(api_call *call, http_response *res);
void api_list_messages(api_call *call, http_response *res);
void api_post_message(api_call *call, http_response *res);
void api_mark_read(api_call *call, http_response *res);
void api_user_short(api_call *call, http_response *res);
void api_dev_signin(api_call *call, http_response *res);
void api_dev_jwks(api_call *call, http_response *res);
void api_config(api_call *call, http_response *res);
/* The event stream (api_events.c). */
void api_events(api_call *call, http_response *res);

#endif
