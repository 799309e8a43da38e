/*
 * env: turns the process environment into Cognito verifier settings, or
 * says that no pool is configured (dev identity). Everything is validated
 * here, at the edge: the pool id ends up inside a URL and an issuer
 * string, so only the characters Cognito itself uses are accepted, and
 * every refusal names the variable to fix.
 */
#include "auth/auth_int.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "aws/config.h"

#include <stdlib.h>
#include <string.h>

#define ENV_POOL "AWS_COGNITO_USER_POOL_ID"
#define ENV_CLIENT "AWS_COGNITO_USER_POOL_CLIENT_ID"
#define ENV_ENDPOINT "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"

/* The variable's value, or NULL when unset or empty. */
static const char *env_get(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

/* True when s is 1..max bytes, all alphanumerics or in extra. */
static bool chars_ok(const char *s, size_t max, const char *extra)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !strchr(extra, c)) return false;
    }
    return true;
}

/* Cognito's pool id pattern: [\w-]+_[0-9a-zA-Z]+, at most 55 characters. */
static bool pool_id_ok(const char *id)
{
    const char *us = strrchr(id, '_');
    if (!us || us == id || !us[1] || !chars_ok(id, 55, "_-")) return false;
    return chars_ok(us + 1, 55, "");
}

void auth_cognito_env_free(auth_cognito_env_t *env)
{
    free(env->pool_id);
    free(env->client_id);
    free(env->region);
    free(env->endpoint);
    free(env->issuer);
    free(env->jwks_url);
    memset(env, 0, sizeof *env);
}

/* The endpoint override without trailing slashes, or NULL (err set). */
static char *endpoint_from(const char *url, auth_error_t *err)
{
    bool scheme = strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
    size_t n = strlen(url);
    for (size_t i = 0; scheme && i < n; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f || url[i] == '?' || url[i] == '#')
            scheme = false;
    while (n > 0 && url[n - 1] == '/')
        n--;
    if (!scheme || n > 512 || n <= strlen("https://")) {
        auth_err_set(err, AUTH_ERR_CONFIG,
                     ENV_ENDPOINT " must be an http:// or https:// URL without query");
        return NULL;
    }
    return xstrndup(url, n);
}

/* Region from AWS_REGION, AWS_DEFAULT_REGION or the pool id; NULL (err set). */
static char *region_for(const char *pool_id, auth_error_t *err)
{
    size_t prefix = (size_t)(strrchr(pool_id, '_') - pool_id);
    const char *name;
    const char *region = aws_region_env(&name);
    if (!region) {
        char *derived = xstrndup(pool_id, prefix);
        if (derived && !chars_ok(derived, 32, "-")) {
            auth_err_set(err, AUTH_ERR_CONFIG, "set AWS_REGION: it cannot be read from " ENV_POOL);
            free(derived);
            return NULL;
        }
        return derived;
    }
    if (!chars_ok(region, 32, "-")) {
        auth_err_set(err, AUTH_ERR_CONFIG, "%s is not a region name", name);
        return NULL;
    }
    if (strlen(region) != prefix || strncmp(region, pool_id, prefix) != 0) {
        auth_err_set(err, AUTH_ERR_CONFIG,
                     ENV_POOL " belongs to region %.*s but %s is %s (set " ENV_ENDPOINT
                              " to use an emulator)",
                     (int)prefix, pool_id, name, region);
        return NULL;
    }
    return xstrdup(region);
}

enum auth_mode auth_cognito_env_load(auth_cognito_env_t *env, auth_error_t *err)
{
    memset(env, 0, sizeof *env);
    const char *pool = env_get(ENV_POOL);
    const char *client = env_get(ENV_CLIENT);
    if (!pool && !client) return AUTH_MODE_DEV;
    if (!pool) {
        auth_err_set(err, AUTH_ERR_CONFIG, ENV_CLIENT " is set but " ENV_POOL " is not");
        return AUTH_MODE_ERROR;
    }
    if (!pool_id_ok(pool)) {
        auth_err_set(err, AUTH_ERR_CONFIG,
                     ENV_POOL " must look like <region>_<id> (letters, digits, '-', '_')");
        return AUTH_MODE_ERROR;
    }
    if (!client) {
        auth_err_set(err, AUTH_ERR_CONFIG, ENV_POOL " is set but " ENV_CLIENT " is not");
        return AUTH_MODE_ERROR;
    }
    if (!chars_ok(client, 128, "_+")) {
        auth_err_set(err, AUTH_ERR_CONFIG, ENV_CLIENT " must be 1-128 letters, digits, '_' or '+'");
        return AUTH_MODE_ERROR;
    }
    env->pool_id = xstrdup(pool);
    env->client_id = xstrdup(client);
    const char *override = env_get(ENV_ENDPOINT);
    if (override) {
        env->endpoint = endpoint_from(override, err);
        if (!env->endpoint) goto fail;
    } else {
        env->region = region_for(pool, err);
        if (!env->region) goto fail;
        buf_t b = BUF_INIT;
        buf_printf(&b, "https://cognito-idp.%s.amazonaws.com", env->region);
        env->endpoint = buf_detach(&b);
    }
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s/%s", env->endpoint, env->pool_id);
    env->issuer = buf_detach(&b);
    buf_printf(&b, "%s/.well-known/jwks.json", env->issuer);
    env->jwks_url = buf_detach(&b);
    return AUTH_MODE_COGNITO;
fail:
    auth_cognito_env_free(env);
    return AUTH_MODE_ERROR;
}

void auth_config_cognito(auth_config_t *cfg, const auth_cognito_env_t *env)
{
    cfg->issuer = env->issuer;
    cfg->client_id = env->client_id;
    cfg->jwks_url = env->jwks_url;
    cfg->jwks = NULL;
}
