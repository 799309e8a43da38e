/*
 * Unit tests for src/http/static: content types, the app's routes, and a
 * web root served through the real HTTP server: files, the app shell for
 * page routes, the 404 page, conditional requests (304), methods, and
 * every way out of the root we could think of (dot segments plain,
 * encoded and double-encoded, hidden files, symbolic links to files and
 * folders outside, a FIFO, a directory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http/server.h"
#include "http/static.h"
#include "testutil.h"

#define INDEX_HTML "<!doctype html><title>app shell</title>"
#define NOT_FOUND_HTML "<!doctype html><title>custom 404</title>"
#define APP_JS "export const answer = 42;\n"
#define SECRET "TOP-SECRET-OUTSIDE-THE-ROOT"

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_dir(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%.500s/%.500s", dir, name);
    assert_int_equal(mkdir(path, 0755), 0);
}

/* ---------------------------------------------------------------- pure */

static void test_content_types(void **state)
{
    static const struct {
        const char *name, *type;
    } cases[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"js/app.js", "text/javascript; charset=utf-8"},
        {"css/app.css", "text/css; charset=utf-8"},
        {"favicon.svg", "image/svg+xml"},
        {"shot.PNG", "image/png"},
        {"data.json", "application/json"},
        {"app.webmanifest", "application/manifest+json"},
        {"font.woff2", "font/woff2"},
        {"README", "application/octet-stream"},
        {"archive.tar.gz", "application/octet-stream"},
        {"dir.js/file", "application/octet-stream"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(static_content_type(cases[i].name), cases[i].type);
}

static void test_app_routes(void **state)
{
    static const struct {
        const char *path;
        bool app;
    } cases[] = {
        {"/", true},
        {"/signin", true},
        {"/messages", true},
        {"/messages/", true},
        {"/messages/5ae290ed-55d1-47a0-bc6d-fe2bc2700399", true},
        {"/messages/new/londo", true},
        {"/messages/new", true}, /* "new" read as a (missing) conversation */
        {"/messages/new/", false},
        {"/messages/a/b", false},
        {"/messages/new/londo/x", false},
        {"/signin/x", false},
        {"/index.html", false},
        {"/js/app.js", false},
        {"/api/message_groups", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (static_is_app_route(cases[i].path) != cases[i].app)
            fail_msg("static_is_app_route(\"%s\") should be %d", cases[i].path, cases[i].app);
    }
}

/* ---------------------------------------------------------------- served */

typedef struct fixture {
    char *tmp;
    char web[1024];
    static_site *site;
    http_server *server;
    CURL *curl;
} fixture;

typedef struct reply {
    long status;
    buf_t body;
    buf_t headers;
} reply;

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
    buf_append(userdata, p, size * n);
    return size * n;
}

/* A response header's value (copied into out) or NULL. */
static const char *header(const reply *r, const char *name, char *out, size_t len)
{
    size_t n = strlen(name);
    for (const char *line = buf_cstr(&r->headers); *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end) break;
        if (!strncasecmp(line, name, n) && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, len, "%.*s", (int)(end - v), v);
            return out;
        }
        line = end + 2;
    }
    return NULL;
}

/* Sends one request exactly as written (no dot-segment cleanup by curl). */
static void request(fixture *f, const char *method, const char *path, const char *extra_header,
                    reply *out)
{
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", http_server_port(f->server), path);
    buf_init(&out->body);
    buf_init(&out->headers);
    CURL *c = f->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    struct curl_slist *hdrs = extra_header ? curl_slist_append(NULL, extra_header) : NULL;
    if (hdrs) curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hdrs);
}

static void reply_free(reply *r)
{
    buf_free(&r->body);
    buf_free(&r->headers);
}

/*
 * tmp/outside/secret.txt            a file no request may read
 * tmp/web/{index.html,404.html}     the root
 * tmp/web/js/app.js
 * tmp/web/.hidden                   dot files are never served
 * tmp/web/link-out -> ../outside/secret.txt
 * tmp/web/linkdir  -> ../outside
 * tmp/web/fifo                      must not block a worker
 */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->tmp = tu_tmpdir();
    make_dir(f->tmp, "outside");
    make_dir(f->tmp, "web");
    char outside[1024];
    snprintf(outside, sizeof outside, "%s/outside", f->tmp);
    snprintf(f->web, sizeof f->web, "%s/web", f->tmp);
    write_file(outside, "secret.txt", SECRET);
    write_file(f->web, "index.html", INDEX_HTML);
    write_file(f->web, "404.html", NOT_FOUND_HTML);
    write_file(f->web, ".hidden", SECRET);
    make_dir(f->web, "js");
    char js[1100];
    snprintf(js, sizeof js, "%s/js", f->web);
    write_file(js, "app.js", APP_JS);
    char link[1100], fifo[1100];
    snprintf(link, sizeof link, "%s/link-out", f->web);
    assert_int_equal(symlink("../outside/secret.txt", link), 0);
    snprintf(link, sizeof link, "%s/linkdir", f->web);
    assert_int_equal(symlink("../outside", link), 0);
    snprintf(fifo, sizeof fifo, "%s/fifo", f->web);
    assert_int_equal(mkfifo(fifo, 0644), 0);

    char err[256];
    f->site = static_site_open(f->web, err, sizeof err);
    assert_non_null(f->site);
    http_config cfg = {.port = 0, .threads = 2, .quiet = true};
    f->server = http_server_start(&cfg, static_site_handle, f->site, err, sizeof err);
    assert_non_null(f->server);
    f->curl = curl_easy_init();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    curl_easy_cleanup(f->curl);
    http_server_stop(f->server);
    static_site_close(f->site);
    tu_rmdir(f->tmp);
    free(f->tmp);
    free(f);
    return 0;
}

static void test_files_and_types(void **state)
{
    fixture *f = *state;
    char v[256];
    reply r;
    request(f, "GET", "/js/app.js", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), APP_JS);
    assert_string_equal(header(&r, "Content-Type", v, sizeof v), "text/javascript; charset=utf-8");
    assert_string_equal(header(&r, "Cache-Control", v, sizeof v), "no-cache");
    assert_string_equal(header(&r, "X-Content-Type-Options", v, sizeof v), "nosniff");
    assert_non_null(header(&r, "ETag", v, sizeof v));
    assert_non_null(header(&r, "Last-Modified", v, sizeof v));
    assert_null(header(&r, "Content-Security-Policy", v, sizeof v)); /* only on pages */
    reply_free(&r);

    request(f, "GET", "/index.html", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
    assert_non_null(header(&r, "Content-Security-Policy", v, sizeof v));
    reply_free(&r);
}

static void test_app_routes_serve_the_shell(void **state)
{
    fixture *f = *state;
    static const char *const paths[] = {
        "/",
        "/signin",
        "/messages",
        "/messages/5ae290ed-55d1-47a0-bc6d-fe2bc2700399",
        "/messages/new/londo",
        "/signin?next=%2Fmessages",
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        reply r;
        char v[256];
        request(f, "GET", paths[i], NULL, &r);
        if (r.status != 200) fail_msg("%s answered %ld", paths[i], r.status);
        assert_string_equal(buf_cstr(&r.body), INDEX_HTML);
        assert_string_equal(header(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
        assert_string_equal(header(&r, "Cache-Control", v, sizeof v), "no-cache");
        reply_free(&r);
    }
}

static void test_unknown_files_get_the_404_page(void **state)
{
    fixture *f = *state;
    static const char *const paths[] = {"/missing.js", "/js", "/js/", "/js/missing.css",
                                        "/messages/a/b"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        reply r;
        char v[256];
        request(f, "GET", paths[i], NULL, &r);
        if (r.status != 404) fail_msg("%s answered %ld", paths[i], r.status);
        assert_string_equal(buf_cstr(&r.body), NOT_FOUND_HTML);
        assert_string_equal(header(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
        assert_null(header(&r, "ETag", v, sizeof v));
        reply_free(&r);
    }
}

static void test_nothing_outside_the_root(void **state)
{
    fixture *f = *state;
    static const char *const paths[] = {
        "/../outside/secret.txt",
        "/js/../../outside/secret.txt",
        "/%2e%2e/outside/secret.txt",
        "/%2E%2E/outside/secret.txt",
        "/js/%2e%2e/%2e%2e/outside/secret.txt",
        "/%252e%252e/outside/secret.txt",
        "/..%2foutside%2fsecret.txt",
        "/..%5coutside%5csecret.txt",
        "/.hidden",
        "/%2ehidden",
        "/link-out",
        "/linkdir/secret.txt",
        "//outside/secret.txt",
        "/js//app.js",
        "/./js/app.js",
        "/js/./app.js",
        "/index.html%2500.js",
        "/fifo",
        "/%zz",
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        reply r;
        request(f, "GET", paths[i], NULL, &r);
        if (r.status != 404) fail_msg("%s answered %ld", paths[i], r.status);
        if (strstr(buf_cstr(&r.body), SECRET)) fail_msg("%s leaked the secret", paths[i]);
        reply_free(&r);
    }
}

static void test_conditional_requests(void **state)
{
    fixture *f = *state;
    char etag[128], modified[128], h[300];
    reply r;
    request(f, "GET", "/js/app.js", NULL, &r);
    assert_non_null(header(&r, "ETag", etag, sizeof etag));
    assert_non_null(header(&r, "Last-Modified", modified, sizeof modified));
    reply_free(&r);

    snprintf(h, sizeof h, "If-None-Match: %s", etag);
    request(f, "GET", "/js/app.js", h, &r);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.body.len, 0);
    reply_free(&r);

    snprintf(h, sizeof h, "If-None-Match: \"other\", W/%s", etag);
    request(f, "GET", "/js/app.js", h, &r);
    assert_int_equal(r.status, 304);
    reply_free(&r);

    request(f, "GET", "/js/app.js", "If-None-Match: \"other\"", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), APP_JS);
    reply_free(&r);

    snprintf(h, sizeof h, "If-Modified-Since: %s", modified);
    request(f, "GET", "/js/app.js", h, &r);
    assert_int_equal(r.status, 304);
    reply_free(&r);

    request(f, "GET", "/js/app.js", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    request(f, "GET", "/js/app.js", "If-Modified-Since: not a date", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    /* a changed file gets a new tag, so the old one no longer matches */
    char js[1100];
    snprintf(js, sizeof js, "%s/js", f->web);
    write_file(js, "app.js", "export const answer = 43; // changed\n");
    snprintf(h, sizeof h, "If-None-Match: %s", etag);
    request(f, "GET", "/js/app.js", h, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "43"));
    reply_free(&r);
}

static void test_methods(void **state)
{
    fixture *f = *state;
    char v[64];
    reply r;
    request(f, "HEAD", "/", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    assert_string_equal(header(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
    reply_free(&r);

    request(f, "POST", "/index.html", NULL, &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(header(&r, "Allow", v, sizeof v), "GET, HEAD");
    reply_free(&r);

    request(f, "DELETE", "/messages", NULL, &r);
    assert_int_equal(r.status, 405);
    reply_free(&r);
}

/* Without a 404.html the answer is still a 404, in plain text. */
static void test_plain_404_without_page(void **state)
{
    fixture *f = *state;
    char path[1100];
    snprintf(path, sizeof path, "%s/404.html", f->web);
    assert_int_equal(unlink(path), 0);
    reply r;
    request(f, "GET", "/missing", NULL, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(buf_cstr(&r.body), "not found\n");
    reply_free(&r);
}

/* ---------------------------------------------------------------- roots */

static void test_open_roots(void **state)
{
    char err[256];
    char *tmp = tu_tmpdir();

    /* a folder without index.html is refused, with a reason */
    assert_null(static_site_open(tmp, err, sizeof err));
    assert_non_null(strstr(err, "index.html"));
    assert_null(static_site_open("/nonexistent/web", err, sizeof err));

    /* $CRUDDUR_WEB is used when no root is given */
    write_file(tmp, "index.html", INDEX_HTML);
    setenv("CRUDDUR_WEB", tmp, 1);
    static_site *site = static_site_open(NULL, err, sizeof err);
    assert_non_null(site);
    char *real = realpath(tmp, NULL);
    assert_string_equal(static_site_root(site), real);
    free(real);
    static_site_close(site);

    setenv("CRUDDUR_WEB", "/nonexistent/web", 1);
    assert_null(static_site_open(NULL, err, sizeof err));
    assert_non_null(strstr(err, "CRUDDUR_WEB"));

    /* by default, the source tree's web/ folder (the app itself) */
    unsetenv("CRUDDUR_WEB");
    site = static_site_open(NULL, err, sizeof err);
    assert_non_null(site);
    const char *root = static_site_root(site);
    assert_string_equal(root + strlen(root) - 4, "/web");
    static_site_close(site);

    tu_rmdir(tmp);
    free(tmp);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_app_routes),
        cmocka_unit_test_setup_teardown(test_files_and_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app_routes_serve_the_shell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_files_get_the_404_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_outside_the_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conditional_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_404_without_page, setup, teardown),
        cmocka_unit_test(test_open_roots),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
