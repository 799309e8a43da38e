/*
 * verify: the one verification path for access tokens, Cognito's or the
 * dev issuer's. A token is trusted only after every check of auth.h has
 * passed, in an order where nothing the token says is believed before its
 * signature is: size, shape, header (alg pinned to RS256, kid), key,
 * signature, then the claims. libjose does the base64url decoding and the
 * RSA verification; this file only decides what to ask it and what the
 * answers mean.
 *
 * Successful results are cached (token_cache.c) by the token's SHA-256
 * until exp + leeway, which is also exactly when a fresh check would start
 * to fail, so a cache hit never accepts what the full path would refuse.
 */
#include "auth/auth_int.h"

#include "base/alloc.h"
#include "base/clock.h"

#include <jose/jose.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AUTH_KID_MAX 256
#define AUTH_RSA_MIN_BYTES 256           /* 2048-bit modulus */
#define AUTH_TIME_MAX ((int64_t)1 << 40) /* seconds: year ~36800, far past any exp */

struct auth_verifier {
    char *issuer;
    char *client_id;
    int leeway_s;
    auth_clock_fn clock;
    void *clock_arg;
    auth_keyset_t *keys;
    auth_token_cache_t *cache;
    atomic_uint_fast64_t verified, rejected, cache_hits;
};

void auth_config_init(auth_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->leeway_s = AUTH_DEFAULT_LEEWAY_S;
    cfg->refetch_interval_s = AUTH_DEFAULT_REFETCH_S;
    cfg->cache_entries = AUTH_DEFAULT_CACHE_ENTRIES;
    cfg->http_timeout_ms = AUTH_DEFAULT_HTTP_TIMEOUT_MS;
}

/* Wall-clock seconds, for exp/iat/nbf and the cache. */
static int64_t now_wall(const auth_verifier_t *v)
{
    return v->clock ? v->clock(v->clock_arg) : clock_now_us() / 1000000;
}

/* Monotonic seconds, for the JWKS rate limit (unaffected by clock steps). */
static int64_t now_mono(const auth_verifier_t *v)
{
    return v->clock ? v->clock(v->clock_arg) : clock_mono_us() / 1000000;
}

auth_verifier_t *auth_verifier_new(const auth_config_t *cfg, auth_error_t *err)
{
    if (!cfg->issuer || !cfg->issuer[0] || !cfg->client_id || !cfg->client_id[0]) {
        auth_err_set(err, AUTH_ERR_CONFIG, "verifier needs an issuer and a client id");
        return NULL;
    }
    if ((cfg->jwks_url == NULL) == (cfg->jwks == NULL)) {
        auth_err_set(err, AUTH_ERR_CONFIG, "verifier needs exactly one of a JWKS URL or key set");
        return NULL;
    }
    if (cfg->jwks_url && strncmp(cfg->jwks_url, "http://", 7) != 0 &&
        strncmp(cfg->jwks_url, "https://", 8) != 0) {
        auth_err_set(err, AUTH_ERR_CONFIG, "JWKS URL must be http:// or https://");
        return NULL;
    }
    if (cfg->leeway_s < 0 || cfg->refetch_interval_s < 0 || cfg->http_timeout_ms <= 0) {
        auth_err_set(err, AUTH_ERR_CONFIG, "negative leeway/refetch interval or no HTTP timeout");
        return NULL;
    }
    auth_verifier_t *v = xcalloc(1, sizeof *v);
    v->issuer = xstrdup(cfg->issuer);
    v->client_id = xstrdup(cfg->client_id);
    v->leeway_s = cfg->leeway_s;
    v->clock = cfg->clock;
    v->clock_arg = cfg->clock_arg;
    if (cfg->jwks) {
        v->keys = auth_keyset_new_fixed(cfg->jwks, err);
        if (!v->keys) {
            auth_verifier_free(v);
            return NULL;
        }
    } else {
        v->keys = auth_keyset_new_url(cfg->jwks_url, cfg->http_timeout_ms, cfg->refetch_interval_s);
    }
    v->cache = auth_token_cache_new(cfg->cache_entries); /* NULL: no cache */
    return v;
}

void auth_verifier_free(auth_verifier_t *v)
{
    if (!v) return;
    auth_keyset_free(v->keys);
    auth_token_cache_free(v->cache);
    free(v->issuer);
    free(v->client_id);
    free(v);
}

bool auth_verifier_refresh_keys(auth_verifier_t *v, auth_error_t *err)
{
    return auth_keyset_refresh(v->keys, now_mono(v), err);
}

void auth_verifier_stats(auth_verifier_t *v, auth_stats_t *out)
{
    out->verified = atomic_load(&v->verified);
    out->rejected = atomic_load(&v->rejected);
    out->cache_hits = atomic_load(&v->cache_hits);
    out->jwks_fetches = auth_keyset_fetches(v->keys);
}

/* ------------------------------------------------------------- parsing */

typedef struct segment {
    const char *p;
    size_t len;
} segment_t;

static bool is_b64url(const segment_t *s)
{
    for (size_t i = 0; i < s->len; i++) {
        char c = s->p[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

/* Splits a compact JWS into header, payload and signature. */
static bool split_compact(const char *token, size_t len, segment_t seg[3], auth_error_t *err)
{
    int n = 0;
    const char *start = token;
    for (const char *p = token; p <= token + len; p++) {
        if (p == token + len || *p == '.') {
            if (n < 3) seg[n] = (segment_t){start, (size_t)(p - start)};
            n++;
            start = p + 1;
        }
    }
    if (n != 3) {
        auth_err_set(err, AUTH_ERR_MALFORMED, "expected 3 dot-separated segments, found %d", n);
        return false;
    }
    for (int i = 0; i < 3; i++) {
        if (!is_b64url(&seg[i])) {
            auth_err_set(err, AUTH_ERR_MALFORMED, "segment %d is not base64url", i + 1);
            return false;
        }
    }
    if (seg[0].len == 0 || seg[1].len == 0) {
        auth_err_set(err, AUTH_ERR_MALFORMED, "empty header or payload segment");
        return false;
    }
    return true;
}

/*
 * Decodes a base64url segment (libjose) holding a JSON object. Duplicate
 * member names are refused so that no two readers of one token can
 * disagree about what it says.
 */
static json_t *decode_object(const segment_t *s)
{
    json_t *str = json_stringn(s->p, s->len);
    if (!str) return NULL;
    json_t *obj = NULL;
    size_t n = jose_b64_dec(str, NULL, 0);
    char *raw = n == SIZE_MAX ? NULL : xmalloc(n + 1);
    if (raw && jose_b64_dec(str, raw, n) == n) {
        obj = json_loadb(raw, n, JSON_REJECT_DUPLICATES, NULL);
        if (obj && !json_is_object(obj)) {
            json_decref(obj);
            obj = NULL;
        }
    }
    free(raw);
    json_decref(str);
    return obj;
}

/* Checks the protected header; on success *kid points into header. */
static bool check_header(const json_t *header, const char **kid, auth_error_t *err)
{
    const char *alg = json_string_value(json_object_get(header, "alg"));
    char safe[33];
    if (!alg) {
        auth_err_set(err, AUTH_ERR_ALG, "header has no alg");
        return false;
    }
    if (strcmp(alg, "RS256") != 0) {
        auth_err_set(err, AUTH_ERR_ALG, "alg %s is not allowed (only RS256)",
                     auth_sanitize(alg, 32, safe));
        return false;
    }
    if (json_object_get(header, "crit")) {
        auth_err_set(err, AUTH_ERR_MALFORMED, "header has crit extensions, none are supported");
        return false;
    }
    *kid = json_string_value(json_object_get(header, "kid"));
    if (!*kid || !(*kid)[0] || strlen(*kid) > AUTH_KID_MAX) {
        auth_err_set(err, AUTH_ERR_KID_MISSING, "header has no usable kid");
        return false;
    }
    return true;
}

/* The key must be able to verify RS256 and be at least 2048 bits. */
static bool check_key(const json_t *key, auth_error_t *err)
{
    const char *kty = json_string_value(json_object_get(key, "kty"));
    const char *use = json_string_value(json_object_get(key, "use"));
    const char *alg = json_string_value(json_object_get(key, "alg"));
    const json_t *n = json_object_get(key, "n");
    if (!kty || strcmp(kty, "RSA") != 0 || (use && strcmp(use, "sig") != 0) ||
        (alg && strcmp(alg, "RS256") != 0)) {
        auth_err_set(err, AUTH_ERR_KEY, "key is not an RSA signing key for RS256");
        return false;
    }
    size_t bytes = json_is_string(n) ? jose_b64_dec(n, NULL, 0) : SIZE_MAX;
    if (bytes == SIZE_MAX || bytes < AUTH_RSA_MIN_BYTES) {
        auth_err_set(err, AUTH_ERR_KEY, "RSA key is shorter than 2048 bits");
        return false;
    }
    return true;
}

static bool check_signature(const segment_t seg[3], const json_t *key, auth_error_t *err)
{
    if (seg[2].len == 0) {
        auth_err_set(err, AUTH_ERR_SIGNATURE, "signature is empty");
        return false;
    }
    json_t *jws = json_pack("{s:s%,s:s%,s:s%}", "protected", seg[0].p, seg[0].len, "payload",
                            seg[1].p, seg[1].len, "signature", seg[2].p, seg[2].len);
    if (!jws) {
        auth_err_set(err, AUTH_ERR_INTERNAL, "out of memory");
        return false;
    }
    bool ok = jose_jws_ver(NULL, jws, NULL, key, false);
    json_decref(jws);
    if (!ok) auth_err_set(err, AUTH_ERR_SIGNATURE, "signature does not verify");
    return ok;
}

/* An optional time claim must be an integer no later than now + leeway. */
static bool check_not_future(const auth_verifier_t *v, const json_t *claims, const char *name,
                             int64_t now, auth_error_t *err)
{
    const json_t *t = json_object_get(claims, name);
    if (!t) return true;
    if (!json_is_integer(t)) {
        auth_err_set(err, AUTH_ERR_CLAIMS, "%s is not an integer", name);
        return false;
    }
    if (json_integer_value(t) > now + v->leeway_s) {
        auth_err_set(err, AUTH_ERR_NOT_YET_VALID, "%s is %lld s in the future", name,
                     (long long)(json_integer_value(t) - now));
        return false;
    }
    return true;
}

/* A required string claim equal to want; code on mismatch. */
static bool check_equal(const json_t *claims, const char *name, const char *want,
                        enum auth_code code, auth_error_t *err)
{
    const char *got = json_string_value(json_object_get(claims, name));
    if (got && strcmp(got, want) == 0) return true;
    char safe[81];
    auth_err_set(err, code, "%s %s%s%s does not match", name, got ? "\"" : "(missing)",
                 got ? auth_sanitize(got, 80, safe) : "", got ? "\"" : "");
    return false;
}

/* A required string claim copied into out (size cap incl. NUL). */
static bool copy_string_claim(const json_t *claims, const char *name, char *out, size_t cap,
                              auth_error_t *err)
{
    const char *s = json_string_value(json_object_get(claims, name));
    size_t len = s ? strlen(s) : 0;
    if (!s || len == 0 || len >= cap) {
        auth_err_set(err, AUTH_ERR_CLAIMS, "%s missing, empty or longer than %zu bytes", name,
                     cap - 1);
        return false;
    }
    memcpy(out, s, len + 1);
    return true;
}

static bool check_claims(const auth_verifier_t *v, const json_t *claims, int64_t now,
                         auth_claims_t *out, auth_error_t *err)
{
    const json_t *exp = json_object_get(claims, "exp");
    if (!json_is_integer(exp)) {
        auth_err_set(err, AUTH_ERR_CLAIMS, "exp missing or not an integer");
        return false;
    }
    out->exp = json_integer_value(exp);
    if (out->exp < 0 || out->exp > AUTH_TIME_MAX) { /* keeps the arithmetic below in range */
        auth_err_set(err, AUTH_ERR_CLAIMS, "exp out of range");
        return false;
    }
    if (now > out->exp + v->leeway_s) {
        auth_err_set(err, AUTH_ERR_EXPIRED, "token expired %lld s ago",
                     (long long)(now - out->exp));
        return false;
    }
    return check_not_future(v, claims, "iat", now, err) &&
           check_not_future(v, claims, "nbf", now, err) &&
           check_equal(claims, "iss", v->issuer, AUTH_ERR_ISSUER, err) &&
           check_equal(claims, "token_use", "access", AUTH_ERR_TOKEN_USE, err) &&
           check_equal(claims, "client_id", v->client_id, AUTH_ERR_CLIENT_ID, err) &&
           copy_string_claim(claims, "sub", out->sub, sizeof out->sub, err) &&
           copy_string_claim(claims, "username", out->username, sizeof out->username, err);
}

/* -------------------------------------------------------- verification */

/* Everything after the cache: the full check of a token never seen before. */
static bool verify_full(auth_verifier_t *v, const char *token, size_t len, int64_t now,
                        auth_claims_t *out, auth_error_t *err)
{
    segment_t seg[3];
    if (!split_compact(token, len, seg, err)) return false;
    json_t *header = decode_object(&seg[0]);
    if (!header) {
        auth_err_set(err, AUTH_ERR_MALFORMED, "header is not a base64url JSON object");
        return false;
    }
    const char *kid;
    bool ok = check_header(header, &kid, err);
    json_t *key = ok ? auth_keyset_find(v->keys, kid, now_mono(v), err) : NULL;
    json_decref(header); /* kid is not used past this point */
    if (!key) return false;
    ok = check_key(key, err) && check_signature(seg, key, err);
    json_decref(key);
    if (!ok) return false;

    json_t *claims = decode_object(&seg[1]);
    if (!claims) {
        auth_err_set(err, AUTH_ERR_MALFORMED, "payload is not a base64url JSON object");
        return false;
    }
    ok = check_claims(v, claims, now, out, err);
    json_decref(claims);
    return ok;
}

static bool verify_token(auth_verifier_t *v, const char *token, auth_claims_t *out,
                         auth_error_t *err)
{
    if (!token || !token[0]) {
        auth_err_set(err, AUTH_ERR_MISSING, "no token");
        return false;
    }
    size_t len = strnlen(token, AUTH_TOKEN_MAX + 1);
    if (len > AUTH_TOKEN_MAX) {
        auth_err_set(err, AUTH_ERR_TOO_LARGE, "token longer than %d bytes", AUTH_TOKEN_MAX);
        return false;
    }
    unsigned char hash[AUTH_SHA256_LEN];
    if (!EVP_Digest(token, len, hash, NULL, EVP_sha256(), NULL)) {
        auth_err_set(err, AUTH_ERR_INTERNAL, "SHA-256 failed");
        return false;
    }
    int64_t now = now_wall(v);
    if (auth_token_cache_get(v->cache, hash, now, out)) {
        atomic_fetch_add(&v->cache_hits, 1);
        return true;
    }
    auth_claims_t claims;
    memset(&claims, 0, sizeof claims);
    if (!verify_full(v, token, len, now, &claims, err)) return false;
    auth_token_cache_put(v->cache, hash, claims.exp + v->leeway_s, &claims);
    *out = claims;
    return true;
}

bool auth_verify(auth_verifier_t *v, const char *token, auth_claims_t *out, auth_error_t *err)
{
    auth_error_t local;
    if (!err) err = &local;
    bool ok = verify_token(v, token, out, err);
    if (ok) {
        err->code = AUTH_OK;
        err->reason[0] = '\0';
    }
    atomic_fetch_add(ok ? &v->verified : &v->rejected, 1);
    return ok;
}

bool auth_verify_bearer(auth_verifier_t *v, const char *authorization, auth_claims_t *out,
                        auth_error_t *err)
{
    auth_error_t local;
    if (!err) err = &local;
    const char *p = authorization;
    while (p && (*p == ' ' || *p == '\t'))
        p++;
    if (!p || !*p) {
        auth_err_set(err, AUTH_ERR_MISSING, "no Authorization header");
        atomic_fetch_add(&v->rejected, 1);
        return false;
    }
    if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t' && p[6] != '\0')) {
        auth_err_set(err, AUTH_ERR_SCHEME, "Authorization scheme is not Bearer");
        atomic_fetch_add(&v->rejected, 1);
        return false;
    }
    p += 6;
    while (*p == ' ' || *p == '\t')
        p++;
    /* Trailing whitespace is not part of the token. */
    size_t len = strnlen(p, AUTH_TOKEN_MAX + 2);
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    if (len > AUTH_TOKEN_MAX) return auth_verify(v, p, out, err);
    char token[AUTH_TOKEN_MAX + 1];
    memcpy(token, p, len);
    token[len] = '\0';
    return auth_verify(v, token, out, err);
}
