/*
 * Unit tests for src/auth/dev_issuer.c: the key is created once (0600) and
 * reused across reopen, tokens are Cognito-shaped and pass the verifier
 * through the same path as Cognito's, the public JWKS carries no private
 * parts, and bad key files, folders and URLs are refused clearly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "auth/auth.h"

#include <jose/jose.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static auth_verifier_t *verifier_for(const auth_dev_issuer_t *dev)
{
    auth_config_t cfg;
    auth_config_init(&cfg);
    auth_config_dev(&cfg, dev);
    auth_error_t err;
    auth_verifier_t *v = auth_verifier_new(&cfg, &err);
    if (!v) fail_msg("verifier: %s", err.reason);
    return v;
}

static char *key_path(const char *dir)
{
    size_t n = strlen(dir) + sizeof AUTH_DEV_KEY_FILE + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, AUTH_DEV_KEY_FILE);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Decodes segment i (0 header, 1 claims) of a compact token. */
static json_t *segment_json(const char *token, int i)
{
    const char *p = token;
    for (int k = 0; k < i; k++)
        p = strchr(p, '.') + 1;
    const char *end = strchr(p, '.');
    json_t *s = json_stringn(p, (size_t)(end - p));
    json_t *j = jose_b64_dec_load(s);
    json_decref(s);
    assert_non_null(j);
    return j;
}

static void test_key_created_once_and_reused(void **state)
{
    char *dir = tu_tmpdir();
    char *path = key_path(dir);
    auth_error_t err;
    auth_dev_issuer_t *dev = auth_dev_issuer_open(dir, "http://localhost:4567", &err);
    if (!dev) fail_msg("open: %s", err.reason);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *kid = strdup(auth_dev_issuer_kid(dev));
    assert_true(strlen(kid) >= 43); /* SHA-256 thumbprint, base64url */
    char *token = auth_dev_issuer_token(dev, "sub-1", "andrewbrown", &err);
    assert_non_null(token);
    auth_dev_issuer_close(dev);

    /* Reopen: same key, and the old token still verifies. */
    dev = auth_dev_issuer_open(dir, "http://localhost:4567", &err);
    assert_non_null(dev);
    assert_string_equal(auth_dev_issuer_kid(dev), kid);
    auth_verifier_t *v = verifier_for(dev);
    auth_claims_t c;
    assert_true(auth_verify(v, token, &c, &err));
    assert_string_equal(c.sub, "sub-1");
    assert_string_equal(c.username, "andrewbrown");
    auth_verifier_free(v);
    auth_dev_issuer_close(dev);

    /* Another folder: another key, the token is refused there. */
    char *dir2 = tu_tmpdir();
    dev = auth_dev_issuer_open(dir2, "http://localhost:4567", &err);
    assert_non_null(dev);
    assert_string_not_equal(auth_dev_issuer_kid(dev), kid);
    v = verifier_for(dev);
    assert_false(auth_verify(v, token, &c, &err));
    assert_int_equal(err.code, AUTH_ERR_KID_UNKNOWN);
    auth_verifier_free(v);
    auth_dev_issuer_close(dev);

    free(token);
    free(kid);
    free(path);
    tu_rmdir(dir);
    tu_rmdir(dir2);
    free(dir);
    free(dir2);
}

static void test_token_shape(void **state)
{
    char *dir = tu_tmpdir();
    auth_error_t err;
    auth_dev_issuer_t *dev = auth_dev_issuer_open(dir, "http://localhost:4567/", &err);
    assert_non_null(dev);
    assert_string_equal(auth_dev_issuer_iss(dev), "http://localhost:4567");
    time_t before = time(NULL);
    char *token = auth_dev_issuer_token(dev, "0b9e-sub", "londo", &err);
    assert_non_null(token);

    json_t *h = segment_json(token, 0);
    json_t *want_h = json_pack("{s:s,s:s}", "alg", "RS256", "kid", auth_dev_issuer_kid(dev));
    assert_true(json_equal(h, want_h));
    json_t *c = segment_json(token, 1);
    json_int_t iat = json_integer_value(json_object_get(c, "iat"));
    assert_true(iat >= before && iat <= before + 5);
    assert_int_equal(json_integer_value(json_object_get(c, "exp")), iat + 3600);
    assert_int_equal(json_integer_value(json_object_get(c, "auth_time")), iat);
    assert_string_equal(json_string_value(json_object_get(c, "sub")), "0b9e-sub");
    assert_string_equal(json_string_value(json_object_get(c, "username")), "londo");
    assert_string_equal(json_string_value(json_object_get(c, "iss")), "http://localhost:4567");
    assert_string_equal(json_string_value(json_object_get(c, "client_id")), AUTH_DEV_CLIENT_ID);
    assert_string_equal(json_string_value(json_object_get(c, "token_use")), "access");
    assert_string_equal(json_string_value(json_object_get(c, "scope")),
                        "aws.cognito.signin.user.admin");
    assert_int_equal(strlen(json_string_value(json_object_get(c, "jti"))), 36);
    assert_int_equal(json_object_size(c), 10);

    /* Two tokens for one user differ (jti). */
    char *token2 = auth_dev_issuer_token(dev, "0b9e-sub", "londo", &err);
    assert_string_not_equal(token, token2);

    /* Bad inputs. */
    assert_null(auth_dev_issuer_token(dev, "", "x", &err));
    assert_int_equal(err.code, AUTH_ERR_CLAIMS);
    assert_null(auth_dev_issuer_token(dev, "s", NULL, &err));
    assert_int_equal(err.code, AUTH_ERR_CLAIMS);

    json_decref(h), json_decref(want_h), json_decref(c);
    free(token), free(token2);
    auth_dev_issuer_close(dev);
    tu_rmdir(dir);
    free(dir);
}

static void test_public_jwks(void **state)
{
    char *dir = tu_tmpdir();
    auth_error_t err;
    auth_dev_issuer_t *dev = auth_dev_issuer_open(dir, NULL, &err);
    assert_non_null(dev);
    char *text = auth_dev_issuer_jwks_json(dev);
    json_t *set = tu_json(text);
    assert_true(json_equal(set, auth_dev_issuer_jwks(dev)));
    json_t *keys = json_object_get(set, "keys");
    assert_int_equal(json_array_size(keys), 1);
    json_t *k = json_array_get(keys, 0);
    assert_string_equal(json_string_value(json_object_get(k, "kty")), "RSA");
    assert_string_equal(json_string_value(json_object_get(k, "alg")), "RS256");
    assert_string_equal(json_string_value(json_object_get(k, "use")), "sig");
    assert_string_equal(json_string_value(json_object_get(k, "kid")), auth_dev_issuer_kid(dev));
    assert_non_null(json_object_get(k, "n"));
    assert_non_null(json_object_get(k, "e"));
    const char *priv[] = {"d", "p", "q", "dp", "dq", "qi"};
    for (size_t i = 0; i < 6; i++)
        assert_null(json_object_get(k, priv[i]));
    json_decref(set);
    free(text);
    auth_dev_issuer_close(dev);
    tu_rmdir(dir);
    free(dir);
}

static void test_issuer_from_backend_url(void **state)
{
    char *dir = tu_tmpdir();
    auth_error_t err;
    unsetenv("BACKEND_URL");
    auth_dev_issuer_t *dev = auth_dev_issuer_open(dir, NULL, &err);
    assert_string_equal(auth_dev_issuer_iss(dev), AUTH_DEV_DEFAULT_BACKEND_URL);
    auth_dev_issuer_close(dev);

    setenv("BACKEND_URL", "https://cruddur.example.com//", 1);
    dev = auth_dev_issuer_open(dir, NULL, &err);
    assert_string_equal(auth_dev_issuer_iss(dev), "https://cruddur.example.com");
    char *token = auth_dev_issuer_token(dev, "s", "u", &err);
    auth_dev_issuer_close(dev);

    /* A server with another BACKEND_URL refuses the token: wrong issuer. */
    unsetenv("BACKEND_URL");
    dev = auth_dev_issuer_open(dir, NULL, &err);
    auth_verifier_t *v = verifier_for(dev);
    auth_claims_t c;
    assert_false(auth_verify(v, token, &c, &err));
    assert_int_equal(err.code, AUTH_ERR_ISSUER);
    auth_verifier_free(v);
    auth_dev_issuer_close(dev);
    free(token);

    const char *bad[] = {"ftp://x", "localhost:4567", "http://", "http://a b"};
    for (size_t i = 0; i < 4; i++) {
        assert_null(auth_dev_issuer_open(dir, bad[i], &err));
        assert_int_equal(err.code, AUTH_ERR_CONFIG);
    }
    tu_rmdir(dir);
    free(dir);
}

static void test_bad_key_files(void **state)
{
    char *dir = tu_tmpdir();
    char *path = key_path(dir);
    auth_error_t err;
    const char *bad[] = {
        "not json",
        "{\"kty\":\"oct\",\"k\":\"AAAA\"}",
        "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", /* no private part, tiny */
        "[]",
    };
    for (size_t i = 0; i < 4; i++) {
        write_file(path, bad[i]);
        chmod(path, 0600);
        assert_null(auth_dev_issuer_open(dir, NULL, &err));
        assert_int_equal(err.code, AUTH_ERR_CONFIG);
        /* Never replaced behind the operator's back. */
        FILE *f = fopen(path, "r");
        char buf[128] = "";
        assert_non_null(fgets(buf, sizeof buf, f));
        fclose(f);
        assert_string_equal(buf, bad[i]);
    }
    free(path);
    tu_rmdir(dir);
    free(dir);

    /* A data folder that cannot be created (missing parents are created,
       so the parent here is a file, even for root). */
    assert_null(auth_dev_issuer_open("/dev/null/cruddur-auth-test", NULL, &err));
    assert_int_equal(err.code, AUTH_ERR_IO);
}

typedef struct open_arg {
    const char *dir;
    char kid[128];
} open_arg_t;

static void *open_in(void *p)
{
    open_arg_t *a = p;
    auth_error_t err;
    auth_dev_issuer_t *dev = auth_dev_issuer_open(a->dir, NULL, &err);
    snprintf(a->kid, sizeof a->kid, "%s", dev ? auth_dev_issuer_kid(dev) : "FAILED");
    auth_dev_issuer_close(dev);
    return NULL;
}

/* Openers racing on a fresh folder agree on one key. */
static void test_concurrent_first_open(void **state)
{
    char *dir = tu_tmpdir();
    enum { N = 4 };
    pthread_t th[N];
    open_arg_t args[N];
    for (int i = 0; i < N; i++) {
        args[i].dir = dir;
        pthread_create(&th[i], NULL, open_in, &args[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        assert_string_not_equal(args[i].kid, "FAILED");
        assert_string_equal(args[i].kid, args[0].kid);
    }
    /* No temporary files left behind. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);
    tu_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_created_once_and_reused),
        cmocka_unit_test(test_token_shape),
        cmocka_unit_test(test_public_jwks),
        cmocka_unit_test(test_issuer_from_backend_url),
        cmocka_unit_test(test_bad_key_files),
        cmocka_unit_test(test_concurrent_first_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
