/*
 * api_messages: the handlers of the Cruddur API routes (spec section 4):
 * they read the request, call the messaging service or the users
 * directory, and shape the answer. Routing, CORS and authentication have
 * happened in api.c before a handler runs.
 */
#include "http/api_int.h"

#include <stdlib.h>
#include <string.h>

#include "http/dev_identity.h"

/* True when s is NULL or only white space. */
static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (!strchr(" \t\r\n\f\v", *s)) return false;
    return true;
}

/* The optional ?before= cursor; an empty value means the first page. */
static const char *before_arg(const api_call *call)
{
    const char *before = http_request_arg(call->req, "before");
    return before && *before ? before : NULL;
}

/* A list the messaging service wrote into the response's body: 200 with
   X-Next-Cursor when older items exist, else the service's error. */
static void send_page(http_response *res, bool ok, char *next_cursor, const msg_err *err)
{
    if (!ok) {
        api_msg_error(res, err);
        return;
    }
    if (next_cursor) http_response_header(res, "X-Next-Cursor", next_cursor);
    free(next_cursor);
}

void api_list_groups(api_call *call, http_response *res)
{
    msg_err err = {0};
    char *next = NULL;
    buf_t *body = http_response_json_text(res, 200);
    bool ok = msg_list_groups(call->api->msg, &call->me, before_arg(call), body, &next, &err);
    send_page(res, ok, next, &err);
    msg_err_clear(&err);
}

void api_list_messages(api_call *call, http_response *res)
{
    msg_err err = {0};
    char *next = NULL;
    buf_t *body = http_response_json_text(res, 200);
    bool ok = msg_list_messages(call->api->msg, &call->me, call->param, before_arg(call), body,
                                &next, &err);
    send_page(res, ok, next, &err);
    msg_err_clear(&err);
}

/* Looks up a user by handle; false after answering 404 or 500. */
static bool find_user(api_call *call, const char *handle, users_user_t **out, http_response *res)
{
    users_error_t uerr = {0};
    users_status_t st = users_find_by_handle(call->api->users, handle, out, &uerr);
    if (st == USERS_OK) return true;
    if (st == USERS_NOT_FOUND)
        api_not_found(res);
    else
        api_internal_error(res, "users lookup", uerr.message);
    return false;
}

/* Starts (or reuses) the conversation of the caller with `handle`. */
static json_t *start_with(api_call *call, const char *handle, const char *text, msg_err *err,
                          http_response *res, bool *answered)
{
    users_user_t *other = NULL;
    if (!find_user(call, handle, &other, res)) {
        *answered = true;
        return NULL;
    }
    msg_user o = {other->uuid, other->handle, other->display_name};
    json_t *out = msg_start(call->api->msg, &call->me, &o, text, err);
    users_user_free(other);
    return out;
}

/*
 * POST /api/messages. As in the reference, the presence of
 * message_group_uuid selects appending; otherwise a conversation is
 * started with `handle`. All validation codes are answered together
 * (422) before anything is looked up.
 */
void api_post_message(api_call *call, http_response *res)
{
    json_t *body = api_body_object(call, res);
    if (!body) return;
    const char *text, *group, *handle;
    if (!api_opt_string(body, "message", &text, res) ||
        !api_opt_string(body, "message_group_uuid", &group, res) ||
        !api_opt_string(body, "handle", &handle, res)) {
        json_decref(body);
        return;
    }
    bool append = group != NULL;
    json_t *codes = json_array();
    if (append && blank(group))
        json_array_append_new(codes, json_string("message_group_uuid_blank"));
    if (!append && blank(handle))
        json_array_append_new(codes, json_string("user_receiver_handle_blank"));
    msg_err err = {0};
    if (!msg_validate_text(text, &err)) json_array_extend(codes, err.codes);
    msg_err_clear(&err);
    if (json_array_size(codes) > 0) {
        http_response_json(res, 422, codes);
        json_decref(codes);
        json_decref(body);
        return;
    }
    json_decref(codes);

    bool answered = false;
    json_t *out = append ? msg_append(call->api->msg, &call->me, group, text, &err)
                         : start_with(call, handle, text, &err, res, &answered);
    if (out)
        http_response_json(res, 200, out);
    else if (!answered)
        api_msg_error(res, &err);
    json_decref(out);
    msg_err_clear(&err);
    json_decref(body);
}

/*
 * POST /api/message_groups/<uuid>/read [{"created_at": newest message seen}]:
 * moves the caller's read position forward (now, without a body); 404
 * unless the caller is a member, as for reading the messages.
 */
void api_mark_read(api_call *call, http_response *res)
{
    const char *upto = NULL;
    json_t *body = NULL;
    if (call->req->body_len > 0) {
        body = api_body_object(call, res);
        if (!body) return;
        if (!api_opt_string(body, "created_at", &upto, res)) {
            json_decref(body);
            return;
        }
    }
    msg_err err = {0};
    char read_at[40];
    if (msg_mark_read(call->api->msg, &call->me, call->param, upto, read_at, &err)) {
        json_t *out =
            json_pack("{s:s, s:s}", "message_group_uuid", call->param, "read_at", read_at);
        http_response_json(res, 200, out);
        json_decref(out);
    } else {
        api_msg_error(res, &err);
    }
    msg_err_clear(&err);
    json_decref(body);
}

void api_user_short(api_call *call, http_response *res)
{
    users_user_t *u = NULL;
    if (!find_user(call, call->param, &u, res)) return;
    json_t *out = json_pack("{s:s, s:s, s:s}", "uuid", u->uuid, "handle", u->handle, "display_name",
                            u->display_name ? u->display_name : "");
    http_response_json(res, 200, out);
    json_decref(out);
    users_user_free(u);
}

/* POST /api/dev/signin {"handle": ...}: a dev access token for the web UI. */
void api_dev_signin(api_call *call, http_response *res)
{
    json_t *body = api_body_object(call, res);
    if (!body) return;
    const char *handle;
    if (!api_opt_string(body, "handle", &handle, res)) {
        json_decref(body);
        return;
    }
    if (blank(handle)) {
        api_error(res, 400, "handle is required");
        json_decref(body);
        return;
    }
    char *token = NULL;
    users_error_t uerr = {0};
    users_status_t st = dev_identity_token(call->api->users, call->api->dev, handle, &token, &uerr);
    if (st == USERS_OK) {
        json_t *out = json_pack("{s:s, s:s, s:i}", "access_token", token, "token_type", "Bearer",
                                "expires_in", AUTH_DEV_TOKEN_TTL_S);
        http_response_json(res, 200, out);
        json_decref(out);
    } else if (st == USERS_NOT_FOUND) {
        api_not_found(res);
    } else {
        api_internal_error(res, "dev sign-in", uerr.message);
    }
    free(token);
    json_decref(body);
}

void api_dev_jwks(api_call *call, http_response *res)
{
    const char *jwks = call->api->jwks_json ? call->api->jwks_json : "{\"keys\":[]}";
    http_response_body(res, 200, "application/json", jwks, strlen(jwks));
    http_response_header(res, "Cache-Control", "public, max-age=300");
}

/*
 * The public sign-in settings the browser needs: in dev identity mode the
 * users it may pick; with a Cognito pool, where to send InitiateAuth.
 */
void api_config(api_call *call, http_response *res)
{
    const api_ctx *api = call->api;
    json_t *out;
    if (!api->dev) {
        out = json_pack("{s:s, s:O}", "auth", "cognito", "cognito", api->cognito_config);
    } else {
        users_list_t list = {0};
        users_error_t uerr = {0};
        if (users_list_all(api->users, &list, &uerr) != USERS_OK) {
            api_internal_error(res, "config", uerr.message);
            return;
        }
        json_t *users = json_array();
        for (size_t i = 0; i < list.count; i++)
            json_array_append_new(users, json_pack("{s:s, s:s}", "handle", list.items[i].handle,
                                                   "display_name", list.items[i].display_name));
        users_list_free(&list);
        out = json_pack("{s:s, s:o}", "auth", "dev", "dev_users", users);
    }
    http_response_json(res, 200, out);
    json_decref(out);
}
