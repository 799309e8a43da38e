/*
 * runtime_api: the Lambda Runtime API client (see runtime_api.h).
 *
 * Lambda answers GET /runtime/invocation/next only when an event arrives,
 * so that request has no time limit; a progress callback lets a stop
 * signal end the wait. The other calls are short and are given a few
 * seconds: the Runtime API is on loopback, and if it stops answering the
 * environment is being torn down anyway.
 */
#include "lambda/runtime_api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/stop_signal.h"

#define API_VERSION "2018-06-01"
#define POST_TIMEOUT_MS 10000L

struct lambda_runtime {
    CURL *curl;
    char *base; /* http://host:port/2018-06-01/runtime */
};

/* What one call collects: the body and, for `next`, the invocation headers. */
typedef struct reply {
    buf_t body;
    lambda_invocation *inv;
    bool stoppable; /* the long poll: a pending stop signal ends it */
} reply;

void lambda_invocation_clear(lambda_invocation *inv)
{
    free(inv->request_id);
    free(inv->function_arn);
    free(inv->trace_id);
    free(inv->body);
    memset(inv, 0, sizeof *inv);
}

lambda_runtime *lambda_runtime_new(const char *api, char *why, size_t why_len)
{
    lambda_runtime *rt = xcalloc(1, sizeof *rt);
    rt->curl = curl_easy_init();
    if (!rt->curl) {
        snprintf(why, why_len, "libcurl could not start");
        free(rt);
        return NULL;
    }
    buf_t b = BUF_INIT;
    buf_printf(&b, "http://%s/" API_VERSION "/runtime", api);
    rt->base = buf_detach(&b);
    return rt;
}

void lambda_runtime_free(lambda_runtime *rt)
{
    if (!rt) return;
    curl_easy_cleanup(rt->curl);
    free(rt->base);
    free(rt);
}

static size_t collect_body(char *p, size_t size, size_t n, void *arg)
{
    reply *r = arg;
    buf_append(&r->body, p, size * n);
    return size * n;
}

/* Copies a header's value (trimmed) when its name is `name`; NULL otherwise. */
static char *header_value(const char *line, size_t len, const char *name)
{
    size_t nl = strlen(name);
    if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0) return NULL;
    const char *v = line + nl + 1, *end = line + len;
    while (v < end && isspace((unsigned char)*v))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    return xstrndup(v, (size_t)(end - v));
}

static size_t collect_header(char *p, size_t size, size_t n, void *arg)
{
    reply *r = arg;
    size_t len = size * n;
    lambda_invocation *inv = r->inv;
    char *v;
    if (!inv) return len;
    if ((v = header_value(p, len, "Lambda-Runtime-Aws-Request-Id"))) {
        free(inv->request_id);
        inv->request_id = v;
    } else if ((v = header_value(p, len, "Lambda-Runtime-Invoked-Function-Arn"))) {
        free(inv->function_arn);
        inv->function_arn = v;
    } else if ((v = header_value(p, len, "Lambda-Runtime-Trace-Id"))) {
        free(inv->trace_id);
        inv->trace_id = v;
    } else if ((v = header_value(p, len, "Lambda-Runtime-Deadline-Ms"))) {
        inv->deadline_ms = strtoll(v, NULL, 10);
        free(v);
    }
    return len;
}

/* Called by libcurl about once a second while waiting: non-zero aborts. */
static int check_stop(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                      curl_off_t ulnow)
{
    const reply *r = arg;
    return r->stoppable && stop_signal_pending() ? 1 : 0;
}

/*
 * One request to base + path: a GET when `json` is NULL, else a POST of it
 * with the extra header `header` (may be NULL). Returns the HTTP status, 0
 * when stopped by a stop signal, or -1 with a reason.
 */
static long request(lambda_runtime *rt, const char *path, const char *json, const char *header,
                    reply *r, char *why, size_t why_len)
{
    CURL *c = rt->curl;
    buf_t url = BUF_INIT;
    buf_printf(&url, "%s%s", rt->base, path);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url.data);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_stop);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, r);
    struct curl_slist *hdrs = NULL;
    if (json) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        if (header) hdrs = curl_slist_append(hdrs, header);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, POST_TIMEOUT_MS);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(hdrs);
    long status = -1;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        status = 0;
    } else {
        snprintf(why, why_len, "%s %s: %s", json ? "POST" : "GET", url.data,
                 curl_easy_strerror(rc));
    }
    buf_free(&url);
    return status;
}

/* The Runtime API's error bodies are JSON with errorType/errorMessage. */
static void describe_status(const char *what, long status, const buf_t *body, char *why,
                            size_t why_len)
{
    json_t *j = body->len ? json_loadb(body->data, body->len, 0, NULL) : NULL;
    const char *type = json_string_value(json_object_get(j, "errorType"));
    const char *msg = json_string_value(json_object_get(j, "errorMessage"));
    snprintf(why, why_len, "%s: HTTP %ld%s%s%s%s", what, status, type ? " " : "", type ? type : "",
             msg ? ": " : "", msg ? msg : "");
    json_decref(j);
}

int lambda_runtime_next(lambda_runtime *rt, lambda_invocation *inv, char *why, size_t why_len)
{
    memset(inv, 0, sizeof *inv);
    reply r = {.body = BUF_INIT, .inv = inv, .stoppable = true};
    long status = request(rt, "/invocation/next", NULL, NULL, &r, why, why_len);
    int out = -1;
    if (status == 0) {
        out = 0;
    } else if (status == 200 && inv->request_id && *inv->request_id) {
        inv->body_len = r.body.len;
        inv->body = buf_detach(&r.body);
        out = 1;
    } else if (status == 200) {
        snprintf(why, why_len, "next invocation: no Lambda-Runtime-Aws-Request-Id header");
    } else if (status > 0) {
        describe_status("next invocation", status, &r.body, why, why_len);
    }
    buf_free(&r.body);
    if (out != 1) lambda_invocation_clear(inv);
    return out;
}

/* A POST whose success is 202 Accepted. */
static bool post(lambda_runtime *rt, const char *path, const char *json, const char *header,
                 const char *what, char *why, size_t why_len)
{
    reply r = {.body = BUF_INIT};
    long status = request(rt, path, json, header, &r, why, why_len);
    bool ok = status == 202;
    if (!ok && status >= 0) describe_status(what, status, &r.body, why, why_len);
    buf_free(&r.body);
    return ok;
}

bool lambda_runtime_respond(lambda_runtime *rt, const char *request_id, const char *json, char *why,
                            size_t why_len)
{
    buf_t path = BUF_INIT;
    buf_printf(&path, "/invocation/%s/response", request_id);
    bool ok = post(rt, path.data, json, NULL, "invocation response", why, why_len);
    buf_free(&path);
    return ok;
}

bool lambda_runtime_error(lambda_runtime *rt, const char *request_id, const char *type,
                          const char *message, char *why, size_t why_len)
{
    json_t *body =
        json_pack("{s:s, s:s, s:[]}", "errorType", type, "errorMessage", message, "stackTrace");
    char *json = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    buf_t path = BUF_INIT, header = BUF_INIT;
    if (request_id)
        buf_printf(&path, "/invocation/%s/error", request_id);
    else
        buf_puts(&path, "/init/error");
    buf_printf(&header, "Lambda-Runtime-Function-Error-Type: %s", type);
    bool ok = post(rt, path.data, json ? json : "{}", header.data,
                   request_id ? "invocation error" : "init error", why, why_len);
    buf_free(&path);
    buf_free(&header);
    free(json);
    return ok;
}
