/*
 * Unit tests for src/auth/env.c: which mode the environment selects, the
 * issuer and JWKS URL built for real Cognito and for an emulator endpoint,
 * and a clear AUTH_ERR_CONFIG naming the variable for every bad setting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

static const char *const VARS[] = {
    "AWS_COGNITO_USER_POOL_ID",
    "AWS_COGNITO_USER_POOL_CLIENT_ID",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
};

typedef struct env_case {
    const char *name;
    const char *pool, *client, *region, *default_region, *endpoint;
    enum auth_mode mode;
    const char *issuer;      /* expected for AUTH_MODE_COGNITO */
    const char *reason_part; /* expected in the error for AUTH_MODE_ERROR */
} env_case_t;

static const env_case_t cases[] = {
    {"nothing set: dev", NULL, NULL, NULL, NULL, NULL, AUTH_MODE_DEV, NULL, NULL},
    {"empty pool: dev", "", "", NULL, NULL, NULL, AUTH_MODE_DEV, NULL, NULL},
    {"region from AWS_REGION", "us-east-1_AbC123", "5abc", "us-east-1", "eu-west-1", NULL,
     AUTH_MODE_COGNITO, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123", NULL},
    {"region from AWS_DEFAULT_REGION", "eu-west-1_X", "c", NULL, "eu-west-1", NULL,
     AUTH_MODE_COGNITO, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X", NULL},
    {"region from pool id", "ca-central-1_Zz9", "c", NULL, NULL, NULL, AUTH_MODE_COGNITO,
     "https://cognito-idp.ca-central-1.amazonaws.com/ca-central-1_Zz9", NULL},
    {"emulator endpoint", "local_4oBnSuVj", "7h4ck", "us-east-1", NULL, "http://localhost:9229/",
     AUTH_MODE_COGNITO, "http://localhost:9229/local_4oBnSuVj", NULL},
    {"client without pool", NULL, "c", NULL, NULL, NULL, AUTH_MODE_ERROR, NULL,
     "AWS_COGNITO_USER_POOL_ID is not"},
    {"pool without client", "us-east-1_A", NULL, NULL, NULL, NULL, AUTH_MODE_ERROR, NULL,
     "AWS_COGNITO_USER_POOL_CLIENT_ID is not"},
    {"pool with a slash", "us-east-1_A/../x", "c", NULL, NULL, NULL, AUTH_MODE_ERROR, NULL,
     "AWS_COGNITO_USER_POOL_ID must"},
    {"pool without underscore", "useast1A", "c", NULL, NULL, NULL, AUTH_MODE_ERROR, NULL,
     "AWS_COGNITO_USER_POOL_ID must"},
    {"client with a space", "us-east-1_A", "a b", NULL, NULL, NULL, AUTH_MODE_ERROR, NULL,
     "AWS_COGNITO_USER_POOL_CLIENT_ID must"},
    {"region contradicts pool", "us-west-2_A", "c", "us-east-1", NULL, NULL, AUTH_MODE_ERROR, NULL,
     "belongs to region us-west-2"},
    {"bad region", "us-east-1_A", "c", "us east", NULL, NULL, AUTH_MODE_ERROR, NULL,
     "AWS_REGION is not"},
    {"region read from any pool prefix", "local_A", "c", NULL, NULL, NULL, AUTH_MODE_COGNITO,
     "https://cognito-idp.local.amazonaws.com/local_A", NULL},
    {"pool prefix not a region", "a_b_C", "c", NULL, NULL, NULL, AUTH_MODE_ERROR, NULL,
     "set AWS_REGION"},
    {"endpoint not http", "local_A", "c", NULL, NULL, "ftp://x", AUTH_MODE_ERROR, NULL,
     "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER must"},
    {"endpoint with query", "local_A", "c", NULL, NULL, "http://x/?a=b", AUTH_MODE_ERROR, NULL,
     "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER must"},
};

static void set_or_unset(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

static void test_env_cases(void **state)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const env_case_t *c = &cases[i];
        print_message("  case: %s\n", c->name);
        const char *values[] = {c->pool, c->client, c->region, c->default_region, c->endpoint};
        for (int k = 0; k < 5; k++)
            set_or_unset(VARS[k], values[k]);
        auth_cognito_env_t env;
        auth_error_t err = {AUTH_OK, ""};
        enum auth_mode mode = auth_cognito_env_load(&env, &err);
        if (mode != c->mode)
            fail_msg("%s: mode %d, expected %d (%s)", c->name, mode, c->mode, err.reason);
        if (mode == AUTH_MODE_COGNITO) {
            assert_string_equal(env.issuer, c->issuer);
            char jwks[256];
            snprintf(jwks, sizeof jwks, "%s/.well-known/jwks.json", c->issuer);
            assert_string_equal(env.jwks_url, jwks);
            assert_string_equal(env.client_id, c->client);
            assert_string_equal(env.pool_id, c->pool);
            /* The config points at env's strings and builds a verifier. */
            auth_config_t cfg;
            auth_config_init(&cfg);
            auth_config_cognito(&cfg, &env);
            assert_ptr_equal(cfg.issuer, env.issuer);
            assert_ptr_equal(cfg.jwks_url, env.jwks_url);
            auth_verifier_t *v = auth_verifier_new(&cfg, &err);
            assert_non_null(v);
            auth_verifier_free(v);
        } else {
            assert_null(env.issuer);
            assert_null(env.pool_id);
        }
        if (mode == AUTH_MODE_ERROR) {
            assert_int_equal(err.code, AUTH_ERR_CONFIG);
            if (!strstr(err.reason, c->reason_part))
                fail_msg("%s: reason \"%s\" lacks \"%s\"", c->name, err.reason, c->reason_part);
        }
        auth_cognito_env_free(&env);
    }
    for (int k = 0; k < 5; k++)
        unsetenv(VARS[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
