/*
 * cognito: a minimal client of Amazon Cognito user pools for the operator
 * commands: ListUsers over Cognito's JSON 1.1 API, every page, signed with
 * AWS Signature Version 4 through aws_http.h (the signer the DynamoDB driver
 * uses). Endpoint, region, pool and credentials come from the environment
 * and files the AWS tools use, so the same command talks to Cognito or to
 * cognito-local.
 */
#include "tools/tools_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "aws/http.h"

#define TARGET_PREFIX "AWSCognitoIdentityProviderService."
#define PAGE_MAX 60 /* ListUsers' Limit bound */
#define MAX_PAGES 100000

/* The variable's value, or NULL when unset or empty. */
static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

void tools_cognito_free(tools_cognito *c)
{
    free(c->pool_id);
    free(c->endpoint);
    free(c->host);
    aws_config_free(&c->aws);
    memset(c, 0, sizeof *c);
}

bool tools_cognito_limit_ok(long limit)
{
    return limit >= 1 && limit <= PAGE_MAX;
}

bool tools_cognito_from_env(tools_cognito *c, char *why, size_t why_len)
{
    memset(c, 0, sizeof *c);
    const char *pool = env("AWS_COGNITO_USER_POOL_ID");
    if (!pool) {
        snprintf(why, why_len, "AWS_COGNITO_USER_POOL_ID is not set");
        return false;
    }
    aws_config_load(&c->aws, NULL);
    c->pool_id = xstrdup(pool);
    if (!c->aws.access_key || !c->aws.secret_key) {
        snprintf(why, why_len,
                 "%s is not set (nor are credentials of profile '%s' in ~/.aws/credentials)",
                 c->aws.access_key ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID", c->aws.profile);
        tools_cognito_free(c);
        return false;
    }
    /* A pool lives in the region its id names ("us-east-1_AbC"), unless the
       environment says otherwise. */
    const char *us = strchr(pool, '_');
    if (!aws_region_env(NULL) && us && us > pool) {
        free(c->aws.region);
        c->aws.region = xstrndup(pool, (size_t)(us - pool));
    }
    if (strpbrk(c->aws.region, ":/ ")) {
        snprintf(why, why_len, "no usable region: set AWS_REGION");
        tools_cognito_free(c);
        return false;
    }
    const char *url = env("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER");
    if (url) {
        if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
            snprintf(why, why_len,
                     "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER must start with http:// or "
                     "https://");
            tools_cognito_free(c);
            return false;
        }
        size_t n = strlen(url);
        while (n > 0 && url[n - 1] == '/')
            n--;
        c->endpoint = xstrndup(url, n);
    } else {
        buf_t b = BUF_INIT;
        buf_printf(&b, "https://cognito-idp.%s.amazonaws.com", c->aws.region);
        c->endpoint = buf_detach(&b);
    }
    c->host = aws_host_of(c->endpoint);
    if (!c->host) {
        snprintf(why, why_len, "invalid Cognito endpoint '%s'", c->endpoint);
        tools_cognito_free(c);
        return false;
    }
    return true;
}

/* Cognito's error body {"__type": "...#Name", "message": "..."} as one line. */
static void describe_error(long status, const char *body, char *why, size_t why_len)
{
    json_t *j = json_loads(body, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "__type"));
    const char *msg = json_string_value(json_object_get(j, "message"));
    if (!msg) msg = json_string_value(json_object_get(j, "Message"));
    if (type && strchr(type, '#')) type = strchr(type, '#') + 1;
    if (type || msg)
        snprintf(why, why_len, "Cognito answered %ld %s: %s", status, type ? type : "error",
                 msg ? msg : "(no message)");
    else
        snprintf(why, why_len, "Cognito answered HTTP %ld", status);
    json_decref(j);
}

/*
 * One call of Cognito's JSON API: POST `body` with X-Amz-Target
 * AWSCognitoIdentityProviderService.<op>, signed. Returns the parsed answer
 * or NULL with a reason.
 */
static json_t *cognito_call(const tools_cognito *c, const char *op, const json_t *body, char *why,
                            size_t why_len)
{
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(why, why_len, "cannot start libcurl");
        return NULL;
    }
    char *payload = json_dumps(body, JSON_COMPACT);
    buf_t url = BUF_INIT, target = BUF_INIT;
    buf_printf(&url, "%s/", c->endpoint);
    buf_printf(&target, TARGET_PREFIX "%s", op);
    aws_request rq = {
        .url = buf_cstr(&url),
        .host = c->host,
        .service = "cognito-idp",
        .content_type = "application/x-amz-json-1.1",
        .target = buf_cstr(&target),
        .payload = payload,
        .timeout_ms = 60000,
    };
    aws_reply reply;
    char fail[256];
    json_t *res = NULL;
    if (!aws_post(curl, &c->aws, &rq, &reply, fail, sizeof fail)) {
        snprintf(why, why_len, "cannot reach Cognito at %s: %s", c->endpoint, fail);
    } else if (reply.status != 200) {
        describe_error(reply.status, buf_cstr(&reply.body), why, why_len);
    } else if (!(res = json_loads(buf_cstr(&reply.body), 0, NULL)) || !json_is_object(res)) {
        snprintf(why, why_len, "Cognito's %s answer is not a JSON object", op);
        json_decref(res);
        res = NULL;
    }
    buf_free(&reply.body);
    curl_easy_cleanup(curl);
    free(payload);
    buf_free(&url);
    buf_free(&target);
    return res;
}

/* The value of a user's attribute (Attributes: [{Name, Value}]), or NULL. */
static json_t *attribute(const json_t *user, const char *name)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(user, "Attributes"), i, a)
    {
        const char *n = json_string_value(json_object_get(a, "Name"));
        json_t *v = json_object_get(a, "Value");
        if (n && !strcmp(n, name) && json_is_string(v)) return json_incref(v);
    }
    return json_null();
}

/* The part of a ListUsers user the tools show. */
static json_t *summarize(const json_t *user)
{
    json_t *name = json_object_get(user, "Username");
    json_t *enabled = json_object_get(user, "Enabled");
    json_t *status = json_object_get(user, "UserStatus");
    return json_pack("{s:O, s:o, s:o, s:O, s:O}", "username", name ? name : json_null(),
                     "preferred_username", attribute(user, "preferred_username"), "sub",
                     attribute(user, "sub"), "status", status ? status : json_null(), "enabled",
                     enabled ? enabled : json_null());
}

json_t *tools_cognito_list_users(const tools_cognito *c, long page_size, char *why, size_t why_len)
{
    json_t *all = json_array();
    json_t *token = NULL;
    for (int page = 0;; page++) {
        if (page == MAX_PAGES) {
            snprintf(why, why_len, "ListUsers did not end after %d pages", MAX_PAGES);
            json_decref(token);
            break;
        }
        json_t *req = json_pack("{s:s, s:i}", "UserPoolId", c->pool_id, "Limit",
                                (int)(page_size > 0 ? page_size : PAGE_MAX));
        if (token) json_object_set_new(req, "PaginationToken", token);
        json_t *res = cognito_call(c, "ListUsers", req, why, why_len);
        json_decref(req);
        if (!res) break;
        json_t *users = json_object_get(res, "Users");
        if (!json_is_array(users)) {
            snprintf(why, why_len, "Cognito's ListUsers answer has no Users array");
            json_decref(res);
            break;
        }
        size_t i;
        json_t *u;
        json_array_foreach(users, i, u)
        {
            json_array_append_new(all, summarize(u));
        }
        token = json_object_get(res, "PaginationToken");
        token = json_is_string(token) && *json_string_value(token) ? json_incref(token) : NULL;
        json_decref(res);
        if (!token) return all;
    }
    json_decref(all);
    return NULL;
}
