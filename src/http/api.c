/*
 * api: routing for the Cruddur API. A request is matched against the route
 * table (method + path pattern); an unknown path is 404, a known path with
 * another method 405 with Allow (OPTIONS under /api/ is the CORS preflight),
 * an oversized body 413, and routes that need a user authenticate it
 * (Bearer access token -> users.cognito_user_id) before their handler runs,
 * answering 401 {} for every failure, whatever its cause: clients learn
 * nothing about why a token was refused (the log does). The sub -> user
 * step goes through a short-lived cache (user_cache.h) when the api_ctx has
 * one, saving a users-directory round trip per request. Paths outside
 * /api that no route owns belong to the browser UI (static_site_handle).
 *
 * CORS (under /api/ only): the request's Origin is echoed when it is one of
 * FRONTEND_URL and BACKEND_URL, with the headers the reference allowed;
 * X-Next-Cursor is exposed so that browser code can page.
 */
#include "http/api_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"

enum route_flags {
    ROUTE_AUTH = 1, /* needs a signed-in user */
    ROUTE_DEV = 2,  /* exists only in dev identity mode */
};

typedef struct route {
    const char *method;
    const char *pattern; /* "{}" matches one non-empty path segment */
    api_fn fn;
    int flags;
} route;

static const route routes[] = {
    {"GET", "/api/message_groups", api_list_groups, ROUTE_AUTH},
    {"GET", "/api/messages/{}", api_list_messages, ROUTE_AUTH},
    {"POST", "/api/messages", api_post_message, ROUTE_AUTH},
    {"POST", "/api/message_groups/{}/read", api_mark_read, ROUTE_AUTH},
    {"GET", "/api/users/@{}/short", api_user_short, 0},
    {"POST", "/api/dev/signin", api_dev_signin, ROUTE_DEV},
    {"GET", "/api/config", api_config, 0},
    {"GET", "/api/events", api_events, ROUTE_AUTH},
    {"GET", "/.well-known/jwks.json", api_dev_jwks, ROUTE_DEV},
};

#define N_ROUTES (sizeof routes / sizeof routes[0])
#define PARAM_MAX 256

/* ---- responses shared by the handlers ---- */

void api_error(http_response *res, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *body = json_pack("{s:s}", "error", msg);
    /* The message may quote the request (its method), which need not be
       UTF-8: then it is left out. */
    if (!body) body = json_pack("{s:s}", "error", "invalid request");
    http_response_json(res, status, body);
    json_decref(body);
}

void api_not_found(http_response *res)
{
    api_error(res, 404, "not found");
}

void api_internal_error(http_response *res, const char *what, const char *detail)
{
    log_error("api: %s: %s", what, detail);
    api_error(res, 500, "internal error");
}

void api_msg_error(http_response *res, const msg_err *err)
{
    switch (err->status) {
    case MSG_INVALID:
        http_response_json(res, 422, err->codes ? err->codes : json_array());
        break;
    case MSG_NOT_FOUND:
        api_not_found(res);
        break;
    case MSG_BAD_REQUEST:
        api_error(res, 400, "%s", err->message);
        break;
    default:
        api_internal_error(res, "messaging", err->message);
        break;
    }
}

json_t *api_body_object(const api_call *call, http_response *res)
{
    json_error_t je;
    json_t *body = json_loadb(call->req->body, call->req->body_len, 0, &je);
    if (!body) {
        api_error(res, 400, "malformed JSON: %s", je.text);
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        api_error(res, 400, "the request body must be a JSON object");
        return NULL;
    }
    return body;
}

bool api_opt_string(const json_t *body, const char *name, const char **out, http_response *res)
{
    const json_t *v = json_object_get(body, name);
    *out = NULL;
    if (!v || json_is_null(v)) return true;
    if (!json_is_string(v)) {
        api_error(res, 400, "%s must be a string", name);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

/* ---- CORS ---- */

/* Adds `url` (without a trailing '/') to the allowed origins. */
static void add_origin(api_ctx *api, const char *url)
{
    if (!url || !*url || api->n_origins >= API_MAX_ORIGINS) return;
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    api->origins[api->n_origins++] = xstrndup(url, n);
}

void api_ctx_load_origins(api_ctx *api)
{
    add_origin(api, getenv("FRONTEND_URL"));
    add_origin(api, getenv("BACKEND_URL"));
}

void api_ctx_free_owned(api_ctx *api)
{
    for (int i = 0; i < api->n_origins; i++)
        free(api->origins[i]);
    api->n_origins = 0;
    free(api->jwks_json);
    api->jwks_json = NULL;
    json_decref(api->cognito_config);
    api->cognito_config = NULL;
    user_cache_free(api->user_cache);
    api->user_cache = NULL;
}

/* The request's Origin when it is allowed, else NULL. */
static const char *allowed_origin(const api_ctx *api, const http_request *req)
{
    const char *origin = http_request_header(req, "Origin");
    if (!origin) return NULL;
    for (int i = 0; i < api->n_origins; i++)
        if (!strcmp(origin, api->origins[i])) return origin;
    return NULL;
}

static void cors_headers(const api_ctx *api, const http_request *req, http_response *res,
                         bool preflight)
{
    const char *origin = allowed_origin(api, req);
    http_response_header(res, "Vary", "Origin");
    if (!origin) return;
    http_response_header(res, "Access-Control-Allow-Origin", origin);
    if (preflight) {
        http_response_header(res, "Access-Control-Allow-Methods", "OPTIONS, GET, HEAD, POST");
        http_response_header(res, "Access-Control-Allow-Headers",
                             "Content-Type, Authorization, Last-Event-ID");
        http_response_header(res, "Access-Control-Max-Age", "600");
    } else {
        http_response_header(res, "Access-Control-Expose-Headers", "X-Next-Cursor");
    }
}

/* ---- routing ---- */

/* Matches a path (already %-decoded by libmicrohttpd: it is not decoded
   again) against a pattern; the {} segment goes to param. */
static bool match(const char *pattern, const char *path, char *param, size_t cap)
{
    const char *hole = strstr(pattern, "{}");
    if (!hole) return !strcmp(pattern, path);
    size_t head = (size_t)(hole - pattern);
    if (strncmp(pattern, path, head) != 0) return false;
    const char *tail = hole + 2, *seg = path + head;
    size_t seg_len = strcspn(seg, "/");
    if (seg_len == 0 || seg_len >= cap || strcmp(seg + seg_len, tail) != 0) return false;
    memcpy(param, seg, seg_len);
    param[seg_len] = '\0';
    return true;
}

/* The user a verified sub names: from the cache when fresh there, else from
   the users directory (then cached; a sub that names nobody is not). */
static users_status_t find_user(api_ctx *api, const char *sub, users_user_t **user,
                                users_error_t *err)
{
    int64_t now = clock_mono_us();
    *user = user_cache_get(api->user_cache, sub, now);
    if (*user) return USERS_OK;
    users_status_t st = users_find_by_cognito_user_id(api->users, sub, user, err);
    if (st == USERS_OK) user_cache_put(api->user_cache, sub, *user, now);
    return st;
}

/* Authenticates the bearer; false after answering 401 (or 500). */
static bool authenticate(api_call *call, users_user_t **user, http_response *res)
{
    auth_claims_t claims;
    auth_error_t aerr;
    const char *authz = http_request_header(call->req, "Authorization");
    if (!auth_verify_bearer(call->api->verifier, authz, &claims, &aerr)) {
        log_debug("api: token refused: %s: %s", auth_code_name(aerr.code), aerr.reason);
        http_response_header(res, "WWW-Authenticate", "Bearer");
        http_response_body(res, 401, "application/json", "{}", 2);
        return false;
    }
    users_error_t uerr = {0};
    users_status_t st = find_user(call->api, claims.sub, user, &uerr);
    if (st == USERS_NOT_FOUND) {
        log_debug("api: token of %s (sub %s) names no user", claims.username, claims.sub);
        http_response_header(res, "WWW-Authenticate", "Bearer");
        http_response_body(res, 401, "application/json", "{}", 2);
        return false;
    }
    if (st != USERS_OK) {
        api_internal_error(res, "users lookup", uerr.message);
        return false;
    }
    call->token_exp = claims.exp;
    call->me.uuid = (*user)->uuid;
    call->me.handle = (*user)->handle;
    call->me.display_name = (*user)->display_name;
    return true;
}

/* Appends a route's methods to an Allow list. */
static void allow_add(char *allow, size_t cap, const char *method)
{
    size_t n = strlen(allow);
    snprintf(allow + n, cap - n, "%s%s", n ? ", " : "", method);
    if (!strcmp(method, "GET")) allow_add(allow, cap, "HEAD");
}

void api_handle(void *ctx, const http_request *req, http_response *res)
{
    api_ctx *api = ctx;
    bool cors = !strncmp(req->path, "/api/", 5);
    bool preflight = cors && !strcmp(req->method, "OPTIONS");
    if (cors) cors_headers(api, req, res, preflight);

    const char *method = strcmp(req->method, "HEAD") ? req->method : "GET";
    const route *found = NULL;
    char param[PARAM_MAX], tmp[PARAM_MAX], allow[64] = "";
    if (cors) allow_add(allow, sizeof allow, "OPTIONS");
    bool known = false;
    for (size_t i = 0; i < N_ROUTES; i++) {
        const route *r = &routes[i];
        if ((r->flags & ROUTE_DEV) && !api->dev) continue;
        if (!match(r->pattern, req->path, tmp, sizeof tmp)) continue;
        known = true;
        allow_add(allow, sizeof allow, r->method);
        if (!found && !strcmp(r->method, method)) {
            found = r;
            memcpy(param, tmp, sizeof param);
        }
    }
    if (!known) {
        bool api_path = cors || !strcmp(req->path, "/api");
        if (!api_path && api->web)
            static_site_handle((void *)api->web, req, res);
        else
            api_not_found(res);
        return;
    }
    if (preflight) {
        http_response_body(res, 204, "text/plain", "", 0);
        return;
    }
    if (!found) {
        http_response_header(res, "Allow", allow);
        api_error(res, 405, "method %s not allowed; allowed: %s", req->method, allow);
        return;
    }
    if (req->body_too_large) {
        api_error(res, 413, "the request body is too large");
        return;
    }
    api_call call = {.api = api, .req = req, .param = strstr(found->pattern, "{}") ? param : NULL};
    users_user_t *user = NULL;
    if ((found->flags & ROUTE_AUTH) && !authenticate(&call, &user, res)) return;
    found->fn(&call, res);
    users_user_free(user);
}
