/*
 * Unit tests for src/auth/keyset.c: the JWKS is fetched over HTTP (from a
 * libmicrohttpd server started here on 127.0.0.1, random port), cached,
 * fetched again when a token names an unknown kid (key rotation), at most
 * once per refetch interval, kept when a refresh fails, and concurrent
 * verifiers meeting a new kid cause a single fetch. Time is injected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "auth/auth.h"

#include <arpa/inet.h>
#include <jose/jose.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POOL "/local_Pool1"
#define CLIENT "client-abc"
#define T0 1700000000

/* ------------------------------------------------------ the JWKS server */

static struct MHD_Daemon *g_daemon;
static char g_base[64]; /* http://127.0.0.1:<port> */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static char *g_body; /* what the server answers */
static unsigned g_status = MHD_HTTP_OK;
static int g_delay_ms;
static atomic_int g_requests;

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_len, void **req_state)
{
    if (strcmp(url, POOL "/.well-known/jwks.json") != 0) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, r);
        MHD_destroy_response(r);
        return rc;
    }
    atomic_fetch_add(&g_requests, 1);
    pthread_mutex_lock(&g_mu);
    char *body = strdup(g_body ? g_body : "");
    unsigned status = g_status;
    int delay = g_delay_ms;
    pthread_mutex_unlock(&g_mu);
    if (delay) usleep((useconds_t)delay * 1000);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static void server_delay(int ms)
{
    pthread_mutex_lock(&g_mu);
    g_delay_ms = ms;
    pthread_mutex_unlock(&g_mu);
}

static void server_set(const char *body, unsigned status)
{
    pthread_mutex_lock(&g_mu);
    free(g_body);
    g_body = strdup(body);
    g_status = status;
    pthread_mutex_unlock(&g_mu);
}

/* ----------------------------------------------------------- key material */

static json_t *g_k1, *g_k2; /* private keys, kids "k1" and "k2" */
static int64_t g_now = T0;

static int64_t test_clock(void *arg)
{
    return *(int64_t *)arg;
}

static json_t *gen_rsa(const char *kid)
{
    json_t *k = json_pack("{s:s,s:i}", "kty", "RSA", "bits", 2048);
    assert_true(jose_jwk_gen(NULL, k));
    json_object_set_new(k, "kid", json_string(kid));
    json_object_set_new(k, "alg", json_string("RS256"));
    json_object_set_new(k, "use", json_string("sig"));
    return k;
}

/* The JSON text of a key set holding the public halves of the given keys. */
static char *jwks_text(const json_t *a, const json_t *b)
{
    json_t *keys = json_array();
    const json_t *ks[] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (!ks[i]) continue;
        json_t *p = json_deep_copy(ks[i]);
        assert_true(jose_jwk_pub(NULL, p));
        json_array_append_new(keys, p);
    }
    json_t *set = json_pack("{s:o}", "keys", keys);
    char *s = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    return s;
}

static void serve_keys(const json_t *a, const json_t *b)
{
    char *s = jwks_text(a, b);
    server_set(s, MHD_HTTP_OK);
    free(s);
}

static int group_setup(void **state)
{
    g_k1 = gen_rsa("k1");
    g_k2 = gen_rsa("k2");
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                                NULL, NULL, serve, NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    if (!g_daemon) return -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(g_daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(g_base, sizeof g_base, "http://127.0.0.1:%u", (unsigned)info->port);
    return 0;
}

static int group_teardown(void **state)
{
    MHD_stop_daemon(g_daemon);
    free(g_body);
    json_decref(g_k1);
    json_decref(g_k2);
    return 0;
}

static int test_setup(void **state)
{
    atomic_store(&g_requests, 0);
    g_now = T0;
    server_delay(0);
    serve_keys(g_k1, NULL);
    return 0;
}

/* ----------------------------------------------------------- helpers */

static char g_iss[128];

static auth_verifier_t *new_verifier(const char *path, int refetch_s)
{
    snprintf(g_iss, sizeof g_iss, "%s%s", g_base, POOL);
    char url[256];
    snprintf(url, sizeof url, "%s%s/.well-known/jwks.json", g_base, path);
    auth_config_t cfg;
    auth_config_init(&cfg);
    cfg.issuer = g_iss;
    cfg.client_id = CLIENT;
    cfg.jwks_url = url;
    cfg.refetch_interval_s = refetch_s;
    cfg.http_timeout_ms = 2000;
    cfg.clock = test_clock;
    cfg.clock_arg = &g_now;
    auth_error_t err;
    auth_verifier_t *v = auth_verifier_new(&cfg, &err);
    assert_non_null(v);
    return v;
}

static char *token_for(const json_t *key, const char *kid)
{
    json_t *h = json_pack("{s:s,s:s}", "alg", "RS256", "kid", kid);
    json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s}", "sub", "u-1", "iss", g_iss, "client_id",
                          CLIENT, "token_use", "access", "iat", (json_int_t)g_now, "exp",
                          (json_int_t)(g_now + 3600), "username", "bayko");
    auth_error_t err;
    char *t = auth_jws_sign_compact(key, h, c, &err);
    assert_non_null(t);
    json_decref(h);
    json_decref(c);
    return t;
}

static enum auth_code verify(auth_verifier_t *v, const char *token, auth_error_t *err)
{
    auth_claims_t c;
    return auth_verify(v, token, &c, err) ? AUTH_OK : err->code;
}

static uint64_t fetches(auth_verifier_t *v)
{
    auth_stats_t st;
    auth_verifier_stats(v, &st);
    return st.jwks_fetches;
}

/* ----------------------------------------------------------- tests */

static void test_fetch_on_first_use_then_cached(void **state)
{
    auth_verifier_t *v = new_verifier(POOL, 30);
    assert_int_equal(atomic_load(&g_requests), 0); /* nothing fetched at creation */
    char *t = token_for(g_k1, "k1");
    auth_error_t err;
    assert_int_equal(verify(v, t, &err), AUTH_OK);
    assert_int_equal(atomic_load(&g_requests), 1);
    free(t);
    /* Other tokens with the same kid: no further request. */
    for (int i = 0; i < 5; i++) {
        g_now++;
        t = token_for(g_k1, "k1");
        assert_int_equal(verify(v, t, &err), AUTH_OK);
        free(t);
    }
    assert_int_equal(atomic_load(&g_requests), 1);
    assert_int_equal(fetches(v), 1);
    auth_verifier_free(v);
}

static void test_rotation_and_rate_limit(void **state)
{
    auth_verifier_t *v = new_verifier(POOL, 30);
    auth_error_t err;
    char *t1 = token_for(g_k1, "k1");
    assert_int_equal(verify(v, t1, &err), AUTH_OK);
    assert_int_equal(atomic_load(&g_requests), 1);

    /* The pool rotates to k2 after the first fetch: one re-fetch finds it. */
    serve_keys(g_k2, NULL);
    g_now = T0 + 31;
    char *t2 = token_for(g_k2, "k2");
    assert_int_equal(verify(v, t2, &err), AUTH_OK);
    assert_int_equal(atomic_load(&g_requests), 2);

    /* k1 left the set; the cache of verified tokens still knows t1. */
    assert_int_equal(verify(v, t1, &err), AUTH_OK);
    assert_int_equal(atomic_load(&g_requests), 2);

    /* An unknown kid within the interval: no request, refused. */
    g_now = T0 + 40;
    char *t3 = token_for(g_k1, "k3");
    for (int i = 0; i < 10; i++)
        assert_int_equal(verify(v, t3, &err), AUTH_ERR_KID_UNKNOWN);
    assert_int_equal(atomic_load(&g_requests), 2);
    assert_non_null(strstr(err.reason, "rate-limited"));

    /* Once the interval has passed, exactly one more attempt. */
    g_now = T0 + 31 + 30;
    assert_int_equal(verify(v, t3, &err), AUTH_ERR_KID_UNKNOWN);
    assert_int_equal(verify(v, t3, &err), AUTH_ERR_KID_UNKNOWN);
    assert_int_equal(atomic_load(&g_requests), 3);
    assert_int_equal(fetches(v), 3);

    /* A forced refresh ignores the rate limit. */
    assert_true(auth_verifier_refresh_keys(v, &err));
    assert_int_equal(atomic_load(&g_requests), 4);
    free(t1), free(t2), free(t3);
    auth_verifier_free(v);
}

static void test_failed_refresh_keeps_old_keys(void **state)
{
    auth_verifier_t *v = new_verifier(POOL, 0);
    auth_error_t err;
    char *t1 = token_for(g_k1, "k1");
    assert_int_equal(verify(v, t1, &err), AUTH_OK);
    server_set("{\"message\":\"boom\"}", MHD_HTTP_INTERNAL_SERVER_ERROR);
    char *t2 = token_for(g_k2, "k2");
    assert_int_equal(verify(v, t2, &err), AUTH_ERR_KID_UNKNOWN);
    assert_non_null(strstr(err.reason, "HTTP 500"));
    g_now++;
    char *t1b = token_for(g_k1, "k1"); /* new token, old key: still fine */
    assert_int_equal(verify(v, t1b, &err), AUTH_OK);
    free(t1), free(t2), free(t1b);
    auth_verifier_free(v);
}

/* Every way the first fetch can fail ends in AUTH_ERR_JWKS, not a crash. */
static void test_fetch_failures(void **state)
{
    const struct {
        const char *body;
        unsigned status;
        const char *path;
        const char *reason_part;
    } cases[] = {
        {"{}", MHD_HTTP_INTERNAL_SERVER_ERROR, POOL, "HTTP 500"},
        {"{\"keys\":[]}", MHD_HTTP_OK, "/other_Pool", "HTTP 404"},
        {"not json", MHD_HTTP_OK, POOL, "not JSON"},
        {"{\"keys\":{}}", MHD_HTTP_OK, POOL, "keys"},
        {"[]", MHD_HTTP_OK, POOL, "keys"},
        {"", MHD_HTTP_OK, POOL, "not JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        server_set(cases[i].body, cases[i].status);
        auth_verifier_t *v = new_verifier(cases[i].path, 30);
        char *t = token_for(g_k1, "k1");
        auth_error_t err;
        assert_int_equal(verify(v, t, &err), AUTH_ERR_JWKS);
        if (!strstr(err.reason, cases[i].reason_part))
            fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, err.reason, cases[i].reason_part);
        assert_false(auth_verifier_refresh_keys(v, &err));
        assert_int_equal(err.code, AUTH_ERR_JWKS);
        free(t);
        auth_verifier_free(v);
    }
    /* Key set too large to be a JWKS. */
    size_t n = 300 * 1024;
    char *huge = malloc(n + 1);
    memset(huge, ' ', n);
    huge[n] = '\0';
    server_set(huge, MHD_HTTP_OK);
    free(huge);
    auth_verifier_t *v = new_verifier(POOL, 30);
    auth_error_t err;
    assert_false(auth_verifier_refresh_keys(v, &err));
    assert_non_null(strstr(err.reason, "larger"));
    auth_verifier_free(v);
}

static void test_unreachable_server(void **state)
{
    /* Port 1 (tcpmux) is privileged and not served here: connection refused. */
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:1%s/.well-known/jwks.json", POOL);
    auth_config_t cfg;
    auth_config_init(&cfg);
    cfg.issuer = "http://127.0.0.1:1" POOL;
    cfg.client_id = CLIENT;
    cfg.jwks_url = url;
    cfg.http_timeout_ms = 1000;
    auth_error_t err;
    auth_verifier_t *v = auth_verifier_new(&cfg, &err);
    assert_non_null(v);
    assert_false(auth_verifier_refresh_keys(v, &err));
    assert_int_equal(err.code, AUTH_ERR_JWKS);
    auth_claims_t c;
    char *t = token_for(g_k1, "k1");
    assert_false(auth_verify(v, t, &c, &err));
    assert_int_equal(err.code, AUTH_ERR_JWKS); /* never loaded, fetch rate-limited */
    free(t);
    auth_verifier_free(v);
}

typedef struct race_arg {
    auth_verifier_t *v;
    const char *token;
    enum auth_code code;
} race_arg_t;

static void *race(void *p)
{
    race_arg_t *a = p;
    auth_error_t err;
    a->code = verify(a->v, a->token, &err);
    return NULL;
}

/* Many threads meet a rotated kid at once: one fetch serves them all. */
static void test_concurrent_rotation_single_fetch(void **state)
{
    auth_verifier_t *v = new_verifier(POOL, 30);
    auth_error_t err;
    assert_true(auth_verifier_refresh_keys(v, &err));
    assert_int_equal(atomic_load(&g_requests), 1);
    serve_keys(g_k1, g_k2);
    server_delay(200); /* keep the fetch in flight while the others arrive */
    g_now = T0 + 100;
    enum { N = 8 };
    char *tokens[N];
    pthread_t th[N];
    race_arg_t args[N];
    for (int i = 0; i < N; i++) {
        g_now++;
        tokens[i] = token_for(g_k2, "k2");
    }
    for (int i = 0; i < N; i++) {
        args[i] = (race_arg_t){v, tokens[i], AUTH_ERR_INTERNAL};
        pthread_create(&th[i], NULL, race, &args[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].code, AUTH_OK);
        free(tokens[i]);
    }
    assert_int_equal(atomic_load(&g_requests), 2);
    auth_verifier_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_fetch_on_first_use_then_cached, test_setup),
        cmocka_unit_test_setup(test_rotation_and_rate_limit, test_setup),
        cmocka_unit_test_setup(test_failed_refresh_keeps_old_keys, test_setup),
        cmocka_unit_test_setup(test_fetch_failures, test_setup),
        cmocka_unit_test_setup(test_unreachable_server, test_setup),
        cmocka_unit_test_setup(test_concurrent_rotation_single_fetch, test_setup),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
