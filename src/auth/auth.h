/*
 * auth: who is calling. Verifies Amazon Cognito access tokens (compact JWS,
 * RS256, keys from the pool's JWKS) and, when no pool is configured, acts as
 * cruddur's own "dev issuer" that mints Cognito-shaped access tokens with a
 * key kept in the data folder. Both modes share one verification path: a
 * verifier only differs in where its key set comes from (fetched from a
 * JWKS URL, or handed over in memory by the dev issuer).
 *
 * Typical use by the server:
 *
 *     auth_cognito_env_t env;
 *     auth_config_t cfg;
 *     auth_config_init(&cfg);
 *     switch (auth_cognito_env_load(&env, &err)) {
 *     case AUTH_MODE_COGNITO: auth_config_cognito(&cfg, &env); break;
 *     case AUTH_MODE_DEV: dev = auth_dev_issuer_open(data_dir, NULL, &err);
 *                         auth_config_dev(&cfg, dev); break;
 *     case AUTH_MODE_ERROR: ... report err.reason ...
 *     }
 *     v = auth_verifier_new(&cfg, &err);   (cfg and env may go after this)
 *     ... per request, from any thread:
 *     if (!auth_verify_bearer(v, authorization_header, &claims, &err)) 401 {}
 *
 * Ownership: every _new or _open function has a matching _free or _close; strings
 * returned as `char *` are the caller's to free(); `const` pointers are
 * borrowed from the object they came from and live as long as it.
 * auth_config_t only borrows: auth_verifier_new() copies what it needs.
 * Results (auth_claims_t) and errors (auth_error_t) are caller-owned
 * fixed-size structs: nothing to free.
 *
 * Thread safety: auth_verify() and auth_verify_bearer() may be called from
 * any number of threads on one verifier; the JWKS fetch and the cache of
 * verified tokens are internally locked. A dev issuer is immutable once
 * open, so minting tokens from several threads is fine too.
 */
#ifndef CRUDDUR_AUTH_AUTH_H
#define CRUDDUR_AUTH_AUTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- errors */

/*
 * Why a token was refused (or a setup step failed). The API answers 401 {}
 * whatever the code; the code and reason are for logs and tests.
 */
enum auth_code {
    AUTH_OK = 0,
    AUTH_ERR_MISSING,       /* no Authorization header / empty token */
    AUTH_ERR_SCHEME,        /* Authorization scheme is not "Bearer" */
    AUTH_ERR_TOO_LARGE,     /* token longer than AUTH_TOKEN_MAX bytes */
    AUTH_ERR_MALFORMED,     /* not a compact JWS with JSON header and claims */
    AUTH_ERR_ALG,           /* header alg is not RS256 (none, HS256, ...) */
    AUTH_ERR_KID_MISSING,   /* header has no usable kid */
    AUTH_ERR_KID_UNKNOWN,   /* kid not in the key set (even after a re-fetch) */
    AUTH_ERR_KEY,           /* the kid's key is not an RSA signing key >= 2048 bits */
    AUTH_ERR_SIGNATURE,     /* signature does not verify */
    AUTH_ERR_EXPIRED,       /* exp is in the past (beyond the leeway) */
    AUTH_ERR_NOT_YET_VALID, /* iat/nbf is in the future (beyond the leeway) */
    AUTH_ERR_ISSUER,        /* iss differs from the configured issuer */
    AUTH_ERR_TOKEN_USE,     /* token_use is not "access" (e.g. an ID token) */
    AUTH_ERR_CLIENT_ID,     /* client_id differs from the configured app client */
    AUTH_ERR_CLAIMS,        /* exp, sub or username missing, mistyped or too long */
    AUTH_ERR_JWKS,          /* no key set: fetch failed, bad status, bad JSON */
    AUTH_ERR_CONFIG,        /* bad configuration or environment */
    AUTH_ERR_IO,            /* dev issuer key file could not be read/written */
    AUTH_ERR_INTERNAL,      /* library failure (allocation, crypto backend) */
};

#define AUTH_REASON_MAX 256

typedef struct auth_error {
    enum auth_code code;
    char reason[AUTH_REASON_MAX]; /* one human sentence, NUL-terminated */
} auth_error_t;

/* Stable snake_case name of a code ("expired", "kid_unknown", ...) for logs. */
const char *auth_code_name(enum auth_code code);

/* ---------------------------------------------------------------- claims */

#define AUTH_TOKEN_MAX 8192   /* longer tokens are refused before any parsing */
#define AUTH_SUB_MAX 129      /* bytes incl. NUL; a Cognito sub is a UUID */
#define AUTH_USERNAME_MAX 513 /* 128 code points of UTF-8 incl. NUL */

/* What a verified token says about its bearer. */
typedef struct auth_claims {
    char sub[AUTH_SUB_MAX];           /* users.cognito_user_id */
    char username[AUTH_USERNAME_MAX]; /* Cognito user name */
    int64_t exp;                      /* expiry, Unix seconds */
} auth_claims_t;

/* ---------------------------------------------------------------- config */

#define AUTH_DEFAULT_LEEWAY_S 60
#define AUTH_DEFAULT_REFETCH_S 30
#define AUTH_DEFAULT_CACHE_ENTRIES 10000
#define AUTH_DEFAULT_HTTP_TIMEOUT_MS 5000

/* A clock in Unix seconds; tests inject one to move time. */
typedef int64_t (*auth_clock_fn)(void *arg);

/*
 * What a verifier checks and where its keys come from. Exactly one of
 * jwks_url and jwks is set. All pointers are borrowed until
 * auth_verifier_new() returns.
 */
typedef struct auth_config {
    const char *issuer;     /* required: exact "iss" */
    const char *client_id;  /* required: exact "client_id" */
    const char *jwks_url;   /* http(s) URL of {"keys":[...]}, fetched lazily */
    const json_t *jwks;     /* or a fixed key set {"keys":[...]} */
    int leeway_s;           /* clock skew allowed on exp/iat/nbf */
    int refetch_interval_s; /* at most one JWKS fetch per this many seconds */
    size_t cache_entries;   /* verified-token cache capacity; 0 disables it */
    int http_timeout_ms;    /* whole JWKS request, connect included */
    auth_clock_fn clock;    /* NULL: the real clock */
    void *clock_arg;
} auth_config_t;

/* Zeroes cfg and sets the AUTH_DEFAULT_* values. */
void auth_config_init(auth_config_t *cfg);

/* ----------------------------------------------------- Cognito from env */

enum auth_mode {
    AUTH_MODE_ERROR = -1,  /* environment inconsistent; see the error */
    AUTH_MODE_DEV = 0,     /* no pool configured: use the dev issuer */
    AUTH_MODE_COGNITO = 1, /* a pool is configured */
};

/* The Cognito settings read from the environment; all strings owned. */
typedef struct auth_cognito_env {
    char *pool_id;   /* AWS_COGNITO_USER_POOL_ID, e.g. "us-east-1_AbC123" */
    char *client_id; /* AWS_COGNITO_USER_POOL_CLIENT_ID */
    char *region;    /* AWS_REGION, else AWS_DEFAULT_REGION, else the pool id's
                        prefix; NULL when an endpoint override is set */
    char *endpoint;  /* AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER without a
                        trailing '/', else https://cognito-idp.<region>.amazonaws.com */
    char *issuer;    /* endpoint + "/" + pool_id */
    char *jwks_url;  /* issuer + "/.well-known/jwks.json" */
} auth_cognito_env_t;

/*
 * Reads the variables above. Returns AUTH_MODE_DEV (env zeroed) when
 * AWS_COGNITO_USER_POOL_ID is unset or empty and no client id is set;
 * AUTH_MODE_COGNITO with env filled; AUTH_MODE_ERROR (env zeroed, err
 * code AUTH_ERR_CONFIG naming the variable) on a missing client id, a pool
 * id or client id with characters Cognito never uses, an endpoint that is
 * not http(s)://, no region, or a region that contradicts the pool id.
 */
enum auth_mode auth_cognito_env_load(auth_cognito_env_t *env, auth_error_t *err);
void auth_cognito_env_free(auth_cognito_env_t *env);

/* Points cfg's issuer, client_id and jwks_url at env's strings. */
void auth_config_cognito(auth_config_t *cfg, const auth_cognito_env_t *env);

/* -------------------------------------------------------------- verifier */

typedef struct auth_verifier auth_verifier_t;

/* NULL (err set, AUTH_ERR_CONFIG/INTERNAL) on a bad config. No I/O here. */
auth_verifier_t *auth_verifier_new(const auth_config_t *cfg, auth_error_t *err);
void auth_verifier_free(auth_verifier_t *v);

/*
 * Verifies one access token (the bare compact JWS). On success fills out
 * and returns true. Checks, in order: size, three base64url segments, JSON
 * header, alg == RS256, kid, key lookup (an unknown kid triggers one JWKS
 * re-fetch, at most one per refetch_interval_s), RSA signature (libjose),
 * JSON claims, exp/iat/nbf against the leeway, iss, token_use == "access",
 * client_id, sub, username. A token verified before and not yet expired is
 * answered from the cache without the RSA step. err may be NULL.
 */
bool auth_verify(auth_verifier_t *v, const char *token, auth_claims_t *out, auth_error_t *err);

/*
 * The same for an Authorization header value: "Bearer <token>" (scheme
 * case-insensitive). NULL or empty -> AUTH_ERR_MISSING, another scheme ->
 * AUTH_ERR_SCHEME.
 */
bool auth_verify_bearer(auth_verifier_t *v, const char *authorization, auth_claims_t *out,
                        auth_error_t *err);

/*
 * Fetches the JWKS now, ignoring the rate limit (for a startup check).
 * False with AUTH_ERR_JWKS on failure; true at once for a fixed key set.
 */
bool auth_verifier_refresh_keys(auth_verifier_t *v, auth_error_t *err);

/* Counters since creation, for logs, metrics and tests. */
typedef struct auth_stats {
    uint64_t verified;     /* successful auth_verify calls */
    uint64_t rejected;     /* failed auth_verify calls */
    uint64_t cache_hits;   /* successes answered without RSA */
    uint64_t jwks_fetches; /* JWKS HTTP requests attempted */
} auth_stats_t;

void auth_verifier_stats(auth_verifier_t *v, auth_stats_t *out);

/* ------------------------------------------------------------ dev issuer */

/*
 * The dev issuer (no Cognito pool configured). Its issuer string is the
 * backend URL without a trailing '/' (BACKEND_URL, default
 * "http://localhost:4567"), so that, as with Cognito, the key set lives at
 * iss + "/.well-known/jwks.json" (served by the HTTP server). Its app
 * client id is AUTH_DEV_CLIENT_ID. Tokens minted with one BACKEND_URL are
 * refused by a server running with another (wrong issuer).
 *
 * The signing key is an RSA-2048 private JWK in <data_dir>/AUTH_DEV_KEY_FILE
 * (mode 0600), created on first open (atomically: a concurrent opener
 * ends up with the same key) and reused afterwards. Its kid is the key's
 * RFC 7638 SHA-256 thumbprint.
 */
#define AUTH_DEV_CLIENT_ID "cruddur-dev-client"
#define AUTH_DEV_KEY_FILE "dev-issuer-key.jwk"
#define AUTH_DEV_DEFAULT_BACKEND_URL "http://localhost:4567"
#define AUTH_DEV_TOKEN_TTL_S 3600

typedef struct auth_dev_issuer auth_dev_issuer_t;

/*
 * Opens (creating if needed) the key in data_dir, created (0700) when it
 * is missing (its parent must exist).
 * backend_url NULL means $BACKEND_URL or the default. NULL on error
 * (AUTH_ERR_IO, AUTH_ERR_CONFIG for a bad URL or an unusable key file).
 */
auth_dev_issuer_t *auth_dev_issuer_open(const char *data_dir, const char *backend_url,
                                        auth_error_t *err);
void auth_dev_issuer_close(auth_dev_issuer_t *dev);

const char *auth_dev_issuer_iss(const auth_dev_issuer_t *dev);
const char *auth_dev_issuer_kid(const auth_dev_issuer_t *dev);
/* The public key set {"keys":[{kty,kid,alg,use,n,e}]}; borrowed. */
const json_t *auth_dev_issuer_jwks(const auth_dev_issuer_t *dev);
/* The same as compact JSON text, for GET /.well-known/jwks.json; caller frees. */
char *auth_dev_issuer_jwks_json(const auth_dev_issuer_t *dev);

/*
 * Mints a Cognito-shaped access token for sub/username valid for
 * AUTH_DEV_TOKEN_TTL_S from now: header {alg RS256, kid}; claims sub, iss,
 * client_id, token_use "access", scope "aws.cognito.signin.user.admin",
 * auth_time, iat, exp, jti (random UUID), username. Caller frees. NULL on
 * error (empty or oversized sub/username: AUTH_ERR_CLAIMS).
 */
char *auth_dev_issuer_token(const auth_dev_issuer_t *dev, const char *sub, const char *username,
                            auth_error_t *err);

/* Points cfg's issuer, client_id and jwks at the dev issuer's. */
void auth_config_dev(auth_config_t *cfg, const auth_dev_issuer_t *dev);

/* ------------------------------------------------------------ signing */

/*
 * Signs claims as a compact JWS with jwk (a private JWK) and the given
 * protected header (must hold "alg"; libjose checks it fits the key).
 * Used by the dev issuer; tests use it to forge tokens. Caller frees;
 * NULL on error (AUTH_ERR_INTERNAL).
 */
char *auth_jws_sign_compact(const json_t *jwk, const json_t *header, const json_t *claims,
                            auth_error_t *err);

#endif
