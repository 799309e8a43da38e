/*
 * auth_int: the pieces behind auth.h that its files share and nothing
 * outside src/auth/ may use: error helpers, the key set a verifier trusts
 * (fixed, or fetched from a JWKS URL) and the cache of verified tokens.
 */
#ifndef CRUDDUR_AUTH_AUTH_INT_H
#define CRUDDUR_AUTH_AUTH_INT_H

#include "auth/auth.h"

#define AUTH_SHA256_LEN 32

/* Sets err (when not NULL) to code and a printf-formatted reason. */
void auth_err_set(auth_error_t *err, enum auth_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Copies at most max bytes of untrusted text into out (size max + 1),
 * replacing anything but printable ASCII with '?', so that attacker
 * strings quoted in reasons cannot forge log lines. Returns out.
 */
char *auth_sanitize(const char *in, size_t max, char *out);

/* ------------------------------------------------------------ key set */

typedef struct auth_keyset auth_keyset_t;

/* A key set that never changes (the dev issuer's). jwks is copied. */
auth_keyset_t *auth_keyset_new_fixed(const json_t *jwks, auth_error_t *err);
/* A key set fetched from url on first use and when an unknown kid shows up. */
auth_keyset_t *auth_keyset_new_url(const char *url, int timeout_ms, int refetch_interval_s);
void auth_keyset_free(auth_keyset_t *ks);

/*
 * The key with this kid, as a new reference the caller owns (a private
 * copy, so callers never share JSON across threads). When it is missing
 * from a URL-backed set and the last fetch began at least
 * refetch_interval_s before now (monotonic seconds), fetches once more.
 * NULL with AUTH_ERR_KID_UNKNOWN, or AUTH_ERR_JWKS when no set could ever
 * be loaded.
 */
json_t *auth_keyset_find(auth_keyset_t *ks, const char *kid, int64_t now, auth_error_t *err);

/* Fetches now regardless of the rate limit (no-op for a fixed set). */
bool auth_keyset_refresh(auth_keyset_t *ks, int64_t now, auth_error_t *err);

uint64_t auth_keyset_fetches(auth_keyset_t *ks);

/*
 * Checks that jwks is a key set {"keys":[...]} and returns a new
 * reference to its "keys" array; NULL with AUTH_ERR_JWKS otherwise.
 */
json_t *auth_jwks_keys(const json_t *jwks, auth_error_t *err);

/* -------------------------------------------------- verified-token cache */

typedef struct auth_token_cache auth_token_cache_t;

/* NULL when entries is 0 (caching disabled); the functions accept NULL. */
auth_token_cache_t *auth_token_cache_new(size_t entries);
void auth_token_cache_free(auth_token_cache_t *c);

/* True and *out filled when key is cached and now <= its valid_until. */
bool auth_token_cache_get(auth_token_cache_t *c, const unsigned char key[AUTH_SHA256_LEN],
                          int64_t now, auth_claims_t *out);
/* Remembers claims for key until valid_until (Unix seconds). */
void auth_token_cache_put(auth_token_cache_t *c, const unsigned char key[AUTH_SHA256_LEN],
                          int64_t valid_until, const auth_claims_t *claims);

#endif
