/*
 * api: the Cruddur HTTP API of spec section 4 (message groups, messages,
 * public user profiles), the public sign-in settings (GET /api/config)
 * plus, in dev identity mode, the dev sign-in and the dev issuer's key set; every other path
 * outside /api goes to the browser UI (static.h) when one is mounted. api_handle() is the
 * http_server handler; the routes, CORS and the mapping of errors to statuses live in api.c, the
 * handlers in api_messages.c.
 *
 * Ownership: an api_ctx only borrows its services; whoever filled it in
 * (serve_cmd.c) keeps them alive until the server has stopped and frees
 * them. Every service it points to is thread-safe, so requests run on the
 * server's pool threads without locks here.
 */
#ifndef CRUDDUR_HTTP_API_H
#define CRUDDUR_HTTP_API_H

#include "auth/auth.h"
#include "http/events.h"
#include "http/server.h"
#include "http/static.h"
#include "http/user_cache.h"
#include "messaging/messaging.h"
#include "users/users.h"

#define API_MAX_ORIGINS 4

typedef struct api_ctx {
    msg_service *msg;
    users_db_t *users;
    auth_verifier_t *verifier;
    const auth_dev_issuer_t *dev; /* dev identity mode; NULL with a Cognito pool */
    char *jwks_json;              /* dev mode: the key set served at /.well-known/jwks.json */
    const static_site *web;       /* the browser UI for paths outside the API; NULL: none */
    json_t *cognito_config;       /* Cognito mode: {"region", "client_id", "endpoint"} for
                                     the browser's sign-in (GET /api/config); owned */
    user_cache *user_cache;       /* sub -> user for authentication; NULL: none; owned */
    events_hub *events;           /* GET /api/events; NULL: the route answers 503 */
    /* CORS: allowed origins (FRONTEND_URL, BACKEND_URL), without a trailing '/' */
    char *origins[API_MAX_ORIGINS];
    int n_origins;
} api_ctx;

/* Fills the CORS origins from FRONTEND_URL and BACKEND_URL. */
void api_ctx_load_origins(api_ctx *api);
/* Frees what api_ctx owns (origins, jwks_json, cognito_config, user_cache), not the
   services. */
void api_ctx_free_owned(api_ctx *api);

/* The http_server handler; ctx is an api_ctx. */
void api_handle(void *ctx, const http_request *req, http_response *res);

#endif
