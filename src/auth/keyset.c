/*
 * keyset: the public keys a verifier trusts, looked up by kid. Either
 * fixed (the dev issuer hands its key set over) or fetched with libcurl
 * from a JWKS URL (Cognito: <issuer>/.well-known/jwks.json).
 *
 * A URL-backed set is fetched on first use. When a token names a kid the
 * set does not hold (the pool rotated its keys), the set is fetched again,
 * but at most once per refetch interval, so a stream of tokens with made-up
 * kids cannot turn the server into a request amplifier against the issuer.
 * Fetches are serialised by fetch_lock; threads that queue behind a fetch
 * look again before fetching themselves, so a rotation costs one request.
 * The current "keys" array is swapped under state_lock and never mutated,
 * and lookups hand out private copies of single keys.
 */
#include "auth/auth_int.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_JWKS_MAX_BYTES (256 * 1024)
#define AUTH_JWKS_MAX_KEYS 100

struct auth_keyset {
    char *url; /* NULL: fixed set */
    int timeout_ms;
    int refetch_interval_s;
    pthread_mutex_t state_lock; /* guards keys */
    json_t *keys;               /* the "keys" array, or NULL before a fetch */
    pthread_mutex_t fetch_lock; /* one fetch at a time; guards the two below */
    bool fetched_once;
    int64_t last_fetch; /* monotonic seconds of the last attempt */
    atomic_uint_fast64_t fetches;
};

json_t *auth_jwks_keys(const json_t *jwks, auth_error_t *err)
{
    json_t *keys = json_object_get(jwks, "keys");
    if (!json_is_object(jwks) || !json_is_array(keys)) {
        auth_err_set(err, AUTH_ERR_JWKS, "key set is not a JSON object with a \"keys\" array");
        return NULL;
    }
    if (json_array_size(keys) > AUTH_JWKS_MAX_KEYS) {
        auth_err_set(err, AUTH_ERR_JWKS, "key set holds more than %d keys", AUTH_JWKS_MAX_KEYS);
        return NULL;
    }
    return json_incref(keys);
}

static auth_keyset_t *keyset_alloc(void)
{
    auth_keyset_t *ks = xcalloc(1, sizeof *ks);
    pthread_mutex_init(&ks->state_lock, NULL);
    pthread_mutex_init(&ks->fetch_lock, NULL);
    atomic_init(&ks->fetches, 0);
    return ks;
}

auth_keyset_t *auth_keyset_new_fixed(const json_t *jwks, auth_error_t *err)
{
    json_t *copy = json_deep_copy(jwks);
    json_t *keys = copy ? auth_jwks_keys(copy, err) : NULL;
    json_decref(copy);
    if (!keys) return NULL;
    auth_keyset_t *ks = keyset_alloc();
    ks->keys = keys;
    return ks;
}

auth_keyset_t *auth_keyset_new_url(const char *url, int timeout_ms, int refetch_interval_s)
{
    auth_keyset_t *ks = keyset_alloc();
    ks->url = xstrdup(url);
    ks->timeout_ms = timeout_ms;
    ks->refetch_interval_s = refetch_interval_s;
    return ks;
}

void auth_keyset_free(auth_keyset_t *ks)
{
    if (!ks) return;
    pthread_mutex_destroy(&ks->state_lock);
    pthread_mutex_destroy(&ks->fetch_lock);
    json_decref(ks->keys);
    free(ks->url);
    free(ks);
}

uint64_t auth_keyset_fetches(auth_keyset_t *ks)
{
    return atomic_load(&ks->fetches);
}

/* A private copy of the key named kid in the current set, or NULL. */
static json_t *keyset_lookup(auth_keyset_t *ks, const char *kid, bool *loaded)
{
    json_t *found = NULL;
    pthread_mutex_lock(&ks->state_lock);
    *loaded = ks->keys != NULL;
    size_t i;
    json_t *key;
    json_array_foreach(ks->keys, i, key)
    {
        const char *k = json_string_value(json_object_get(key, "kid"));
        if (k && strcmp(k, kid) == 0) {
            found = json_deep_copy(key);
            break;
        }
    }
    pthread_mutex_unlock(&ks->state_lock);
    return found;
}

/* ------------------------------------------------------------ HTTP fetch */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct fetch_body {
    buf_t buf;
    bool too_big;
} fetch_body_t;

/* Collects the response body, refusing (by returning short) past the cap. */
static size_t fetch_write(char *p, size_t size, size_t n, void *arg)
{
    fetch_body_t *body = arg;
    size_t len = size * n;
    if (body->buf.len + len > AUTH_JWKS_MAX_BYTES) {
        body->too_big = true;
        return 0;
    }
    buf_append(&body->buf, p, len);
    return len;
}

/*
 * GETs url and returns its "keys" array (new reference). HTTP(S) only, no
 * redirects, a whole-request timeout, status 200 required, the body capped
 * and parsed as a key set.
 */
static json_t *jwks_fetch(const char *url, int timeout_ms, auth_error_t *err)
{
    pthread_once(&curl_once, curl_init_once);
    CURL *curl = curl_easy_init();
    if (!curl) {
        auth_err_set(err, AUTH_ERR_INTERNAL, "curl_easy_init failed");
        return NULL;
    }
    fetch_body_t body = {BUF_INIT, false};
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "cruddur-auth");
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);

    json_t *keys = NULL;
    if (body.too_big) {
        auth_err_set(err, AUTH_ERR_JWKS, "JWKS from %s is larger than %d bytes", url,
                     AUTH_JWKS_MAX_BYTES);
    } else if (rc != CURLE_OK) {
        auth_err_set(err, AUTH_ERR_JWKS, "JWKS fetch from %s failed: %s", url,
                     cerr[0] ? cerr : curl_easy_strerror(rc));
    } else if (status != 200) {
        auth_err_set(err, AUTH_ERR_JWKS, "JWKS fetch from %s answered HTTP %ld", url, status);
    } else {
        json_error_t jerr;
        json_t *doc = json_loadb(body.buf.data ? body.buf.data : "", body.buf.len, 0, &jerr);
        if (!doc)
            auth_err_set(err, AUTH_ERR_JWKS, "JWKS from %s is not JSON: %s", url, jerr.text);
        else
            keys = auth_jwks_keys(doc, err);
        json_decref(doc);
    }
    buf_free(&body.buf);
    return keys;
}

/* Fetches and installs a new set; the caller holds fetch_lock. */
static bool keyset_fetch_locked(auth_keyset_t *ks, int64_t now, auth_error_t *err)
{
    ks->fetched_once = true;
    ks->last_fetch = now;
    atomic_fetch_add(&ks->fetches, 1);
    json_t *keys = jwks_fetch(ks->url, ks->timeout_ms, err);
    if (!keys) {
        log_warn("auth: %s", err ? err->reason : "JWKS fetch failed");
        return false;
    }
    pthread_mutex_lock(&ks->state_lock);
    json_t *old = ks->keys;
    ks->keys = keys;
    pthread_mutex_unlock(&ks->state_lock);
    json_decref(old);
    log_info("auth: loaded %zu key(s) from %s", json_array_size(keys), ks->url);
    return true;
}

bool auth_keyset_refresh(auth_keyset_t *ks, int64_t now, auth_error_t *err)
{
    if (!ks->url) return true;
    pthread_mutex_lock(&ks->fetch_lock);
    bool ok = keyset_fetch_locked(ks, now, err);
    pthread_mutex_unlock(&ks->fetch_lock);
    return ok;
}

json_t *auth_keyset_find(auth_keyset_t *ks, const char *kid, int64_t now, auth_error_t *err)
{
    bool loaded;
    json_t *key = keyset_lookup(ks, kid, &loaded);
    if (key) return key;

    auth_error_t fetch_err = {AUTH_OK, ""};
    bool tried = false;
    if (ks->url) {
        pthread_mutex_lock(&ks->fetch_lock);
        /* Another thread may have fetched while this one waited. */
        key = keyset_lookup(ks, kid, &loaded);
        if (!key &&
            (!ks->fetched_once || now - ks->last_fetch >= (int64_t)ks->refetch_interval_s)) {
            tried = true;
            if (keyset_fetch_locked(ks, now, &fetch_err)) key = keyset_lookup(ks, kid, &loaded);
        }
        pthread_mutex_unlock(&ks->fetch_lock);
        if (key) return key;
    }

    char safe[65];
    auth_sanitize(kid, 64, safe);
    if (!loaded)
        auth_err_set(err, AUTH_ERR_JWKS, "no key set available: %s",
                     fetch_err.reason[0] ? fetch_err.reason : "fetch rate-limited");
    else if (tried && fetch_err.code != AUTH_OK)
        auth_err_set(err, AUTH_ERR_KID_UNKNOWN, "kid %s not in the key set (refresh failed: %s)",
                     safe, fetch_err.reason);
    else
        auth_err_set(err, AUTH_ERR_KID_UNKNOWN, "kid %s not in the key set%s", safe,
                     ks->url && !tried ? " (re-fetch rate-limited)" : "");
    return NULL;
}
