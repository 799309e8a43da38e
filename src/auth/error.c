/*
 * error: the auth module's failure codes, their names, and the helpers
 * that fill an auth_error_t. Reasons end up in log lines, so anything an
 * attacker controls is sanitized before it is quoted.
 */
#include "auth/auth_int.h"

#include <stdarg.h>
#include <stdio.h>

const char *auth_code_name(enum auth_code code)
{
    switch (code) {
    case AUTH_OK:
        return "ok";
    case AUTH_ERR_MISSING:
        return "missing";
    case AUTH_ERR_SCHEME:
        return "scheme";
    case AUTH_ERR_TOO_LARGE:
        return "too_large";
    case AUTH_ERR_MALFORMED:
        return "malformed";
    case AUTH_ERR_ALG:
        return "alg";
    case AUTH_ERR_KID_MISSING:
        return "kid_missing";
    case AUTH_ERR_KID_UNKNOWN:
        return "kid_unknown";
    case AUTH_ERR_KEY:
        return "key";
    case AUTH_ERR_SIGNATURE:
        return "signature";
    case AUTH_ERR_EXPIRED:
        return "expired";
    case AUTH_ERR_NOT_YET_VALID:
        return "not_yet_valid";
    case AUTH_ERR_ISSUER:
        return "issuer";
    case AUTH_ERR_TOKEN_USE:
        return "token_use";
    case AUTH_ERR_CLIENT_ID:
        return "client_id";
    case AUTH_ERR_CLAIMS:
        return "claims";
    case AUTH_ERR_JWKS:
        return "jwks";
    case AUTH_ERR_CONFIG:
        return "config";
    case AUTH_ERR_IO:
        return "io";
    case AUTH_ERR_INTERNAL:
        return "internal";
    }
    return "unknown";
}

void auth_err_set(auth_error_t *err, enum auth_code code, const char *fmt, ...)
{
    if (!err) return;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->reason, sizeof err->reason, fmt, ap);
    va_end(ap);
}

char *auth_sanitize(const char *in, size_t max, char *out)
{
    size_t i = 0;
    for (; in && in[i] && i < max; i++)
        out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
    out[i] = '\0';
    return out;
}
