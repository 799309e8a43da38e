/*
 * Unit tests for src/http/server: complete requests reach the handler,
 * oversized bodies are flagged or refused, headers and query arguments are
 * readable, connections are kept alive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http/server.h"
#include "testutil.h"

/* Echoes what it saw as JSON. */
static void echo(void *ctx, const http_request *req, http_response *res)
{
    const char *h = http_request_header(req, "X-Test");
    const char *a = http_request_arg(req, "before");
    json_t *body = json_pack("{s:s, s:s, s:I, s:b, s:s?, s:s?}", "method", req->method, "path",
                             req->path, "len", (json_int_t)req->body_len, "too_large",
                             req->body_too_large, "header", h, "arg", a);
    http_response_header(res, "X-Echo", "yes");
    http_response_json(res, req->body_too_large ? 413 : 200, body);
    json_decref(body);
}

typedef struct reply {
    long status;
    buf_t body;
} reply;

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
    buf_append(&((reply *)userdata)->body, p, size * n);
    return size * n;
}

static void request(CURL *c, uint16_t port, const char *method, const char *path, const char *body,
                    size_t len, reply *out)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    buf_init(&out->body);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    struct curl_slist *hdrs = curl_slist_append(NULL, "X-Test: hello");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hdrs);
}

static http_server *start(void)
{
    char err[256];
    http_config cfg = {.port = 0, .threads = 2, .max_body = 1024, .quiet = true};
    http_server *s = http_server_start(&cfg, echo, NULL, err, sizeof err);
    assert_non_null(s);
    assert_true(http_server_port(s) > 0);
    return s;
}

static void test_get_with_header_and_arg(void **state)
{
    http_server *s = start();
    CURL *c = curl_easy_init();
    reply r;
    request(c, http_server_port(s), "GET", "/api/x?before=abc%20d", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    json_t *j = tu_json(r.body.data);
    tu_assert_json_eq(j, "{\"method\":\"GET\",\"path\":\"/api/x\",\"len\":0,\"too_large\":false,"
                         "\"header\":\"hello\",\"arg\":\"abc d\"}");
    json_decref(j);
    buf_free(&r.body);
    curl_easy_cleanup(c);
    http_server_stop(s);
}

static void test_body_limit(void **state)
{
    http_server *s = start();
    CURL *c = curl_easy_init();
    char *big = malloc(5000);
    memset(big, 'x', 5000);
    reply r;
    request(c, http_server_port(s), "POST", "/p", big, 1024, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "\"len\":1024"));
    buf_free(&r.body);
    request(c, http_server_port(s), "POST", "/p", big, 1025, &r);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body.data, "\"too_large\":true"));
    buf_free(&r.body);
    free(big);
    curl_easy_cleanup(c);
    http_server_stop(s);
}

static void test_keep_alive_reuses_connection(void **state)
{
    http_server *s = start();
    CURL *c = curl_easy_init();
    for (int i = 0; i < 20; i++) {
        reply r;
        request(c, http_server_port(s), "POST", "/k", "{}", 2, &r);
        assert_int_equal(r.status, 200);
        buf_free(&r.body);
    }
    long connects = -1;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    assert_int_equal(connects, 0); /* the last request opened no new connection */
    curl_easy_cleanup(c);
    http_server_stop(s);
}

static void test_bad_listen_address(void **state)
{
    char err[256];
    http_config cfg = {.host = "not-an-ip", .quiet = true};
    assert_null(http_server_start(&cfg, echo, NULL, err, sizeof err));
    assert_non_null(strstr(err, "not-an-ip"));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_with_header_and_arg),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_keep_alive_reuses_connection),
        cmocka_unit_test(test_bad_listen_address),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
