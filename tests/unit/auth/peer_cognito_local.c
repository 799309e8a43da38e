/*
 * Real tokens from cognito-local (an Amazon Cognito emulator) through the
 * environment-configured verifier: an access token from the configured
 * pool passes, its ID token and an access token from another pool do not.
 * Driven by tests/auth/run_cognito_local.sh, which starts the emulator and
 * passes the tokens in CRUDDUR_TEST_* variables; fails when run alone.
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

static void test_cognito_local_tokens(void **state)
{
    const char *access = getenv("CRUDDUR_TEST_ACCESS_TOKEN");
    const char *id = getenv("CRUDDUR_TEST_ID_TOKEN");
    const char *other = getenv("CRUDDUR_TEST_OTHER_POOL_TOKEN");
    const char *user = getenv("CRUDDUR_TEST_USERNAME");
    if (!access || !id || !other || !user) {
        fail_msg("no cognito-local tokens: this program is run by tests/auth/run_cognito_local.sh");
    }
    auth_cognito_env_t env;
    auth_error_t err;
    assert_int_equal(auth_cognito_env_load(&env, &err), AUTH_MODE_COGNITO);
    auth_config_t cfg;
    auth_config_init(&cfg);
    auth_config_cognito(&cfg, &env);
    auth_verifier_t *v = auth_verifier_new(&cfg, &err);
    assert_non_null(v);
    assert_true(auth_verifier_refresh_keys(v, &err));

    auth_claims_t c;
    if (!auth_verify(v, access, &c, &err)) fail_msg("access token refused: %s", err.reason);
    assert_string_equal(c.username, user);
    assert_int_equal(strlen(c.sub), 36);

    char header[AUTH_TOKEN_MAX + 16];
    snprintf(header, sizeof header, "Bearer %s", access);
    assert_true(auth_verify_bearer(v, header, &c, &err));

    assert_false(auth_verify(v, id, &c, &err));
    assert_int_equal(err.code, AUTH_ERR_TOKEN_USE);
    assert_false(auth_verify(v, other, &c, &err));
    assert_int_equal(err.code, AUTH_ERR_ISSUER);

    auth_stats_t st;
    auth_verifier_stats(v, &st);
    assert_int_equal(st.jwks_fetches, 1);
    auth_verifier_free(v);
    auth_cognito_env_free(&env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cognito_local_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
