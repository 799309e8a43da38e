/*
 * dev_issuer: cruddur as its own identity provider when no Cognito pool is
 * configured. It keeps one RSA-2048 private JWK in the data folder and
 * mints access tokens shaped like Cognito's, so the verifier (verify.c)
 * treats them exactly like real ones; only the key set differs.
 *
 * The key file is created once with mode 0600 through a private temporary
 * file and link(2), which never replaces an existing file: two processes
 * starting together on a fresh folder both end up using whichever key won.
 * Every open, first or not, then reads the key back from the file, so
 * there is a single loading path that validates what it reads.
 */
#include "auth/auth_int.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/private_fs.h"
#include "base/uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <jose/jose.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEV_KEY_MAX_BYTES (64 * 1024)
#define DEV_RSA_BITS 2048
#define DEV_SCOPE "aws.cognito.signin.user.admin"

struct auth_dev_issuer {
    char *iss;
    json_t *jwk;  /* private key with kid, alg, use */
    json_t *jwks; /* {"keys":[public jwk]} */
};

/* ------------------------------------------------------------- signing */

char *auth_jws_sign_compact(const json_t *jwk, const json_t *header, const json_t *claims,
                            auth_error_t *err)
{
    char *out = NULL;
    json_t *jws = json_pack("{s:o}", "payload", jose_b64_enc_dump(claims));
    json_t *tmpl = json_pack("{s:O}", "protected", (json_t *)header);
    if (jws && tmpl && jose_jws_sig(NULL, jws, tmpl, jwk)) {
        const char *p = json_string_value(json_object_get(jws, "protected"));
        const char *b = json_string_value(json_object_get(jws, "payload"));
        const char *s = json_string_value(json_object_get(jws, "signature"));
        if (p && b && s) {
            buf_t t = BUF_INIT;
            buf_printf(&t, "%s.%s.%s", p, b, s);
            out = buf_detach(&t);
        }
    }
    json_decref(jws);
    json_decref(tmpl);
    if (!out) auth_err_set(err, AUTH_ERR_INTERNAL, "JWS signing failed");
    return out;
}

/* -------------------------------------------------------------- key file */

/* Writes a new key to a temporary file and links it in place unless one exists. */
static bool key_create(const char *path, auth_error_t *err)
{
    json_t *jwk = json_pack("{s:s,s:i}", "kty", "RSA", "bits", DEV_RSA_BITS);
    if (!jwk || !jose_jwk_gen(NULL, jwk)) {
        json_decref(jwk);
        auth_err_set(err, AUTH_ERR_INTERNAL, "RSA key generation failed");
        return false;
    }
    char *text = json_dumps(jwk, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(jwk);
    char rnd[UUID_STR_LEN];
    uuid_v4(rnd);
    buf_t tmp = BUF_INIT;
    buf_printf(&tmp, "%s.%s.tmp", path, rnd);
    bool ok = false;
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0 && fchmod(fd, 0600) != 0) { /* exactly 0600, whatever the umask */
        close(fd);
        unlink(tmp.data);
        fd = -1;
    }
    if (fd < 0) {
        auth_err_set(err, AUTH_ERR_IO, "cannot create %s: %s", tmp.data, strerror(errno));
    } else {
        size_t len = text ? strlen(text) : 0;
        bool written = text && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
        int saved = errno;
        close(fd);
        if (!written) {
            auth_err_set(err, AUTH_ERR_IO, "cannot write %s: %s", tmp.data, strerror(saved));
        } else if (link(tmp.data, path) == 0) {
            ok = true;
            log_info("auth: created dev issuer key %s", path);
        } else if (errno == EEXIST) {
            ok = true; /* another process won the race: use its key */
        } else {
            auth_err_set(err, AUTH_ERR_IO, "cannot create %s: %s", path, strerror(errno));
        }
        unlink(tmp.data);
    }
    free(text);
    buf_free(&tmp);
    return ok;
}

/* Reads the key file: a regular file, bounded, holding JSON. NULL if absent. */
static json_t *key_read(const char *path, bool *absent, auth_error_t *err)
{
    *absent = false;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        *absent = errno == ENOENT;
        if (!*absent) auth_err_set(err, AUTH_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    json_t *jwk = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > DEV_KEY_MAX_BYTES) {
        auth_err_set(err, AUTH_ERR_CONFIG, "%s is not a regular file of at most %d bytes", path,
                     DEV_KEY_MAX_BYTES);
    } else {
        if (st.st_mode & 077)
            log_warn("auth: %s is readable by others (mode %o); it should be 0600", path,
                     (unsigned)(st.st_mode & 0777));
        json_error_t jerr;
        jwk = json_loadfd(fd, 0, &jerr);
        if (!jwk) auth_err_set(err, AUTH_ERR_CONFIG, "%s is not JSON: %s", path, jerr.text);
    }
    close(fd);
    return jwk;
}

/*
 * Checks a loaded private key and completes it: kid (RFC 7638 thumbprint),
 * alg and use, so that tokens and the JWKS name the key consistently.
 */
static bool key_complete(json_t *jwk, const char *path, auth_error_t *err)
{
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const json_t *n = json_object_get(jwk, "n");
    size_t bytes = json_is_string(n) ? jose_b64_dec(n, NULL, 0) : SIZE_MAX;
    if (!json_is_object(jwk) || !kty || strcmp(kty, "RSA") != 0 ||
        !json_is_string(json_object_get(jwk, "d")) || bytes == SIZE_MAX ||
        bytes * 8 < DEV_RSA_BITS) {
        auth_err_set(err, AUTH_ERR_CONFIG, "%s is not an RSA private key of >= %d bits", path,
                     DEV_RSA_BITS);
        return false;
    }
    json_t *thp = jose_jwk_thp(NULL, jwk, "S256");
    if (!thp || json_object_set_new(jwk, "kid", thp) != 0 ||
        json_object_set_new(jwk, "alg", json_string("RS256")) != 0 ||
        json_object_set_new(jwk, "use", json_string("sig")) != 0) {
        auth_err_set(err, AUTH_ERR_INTERNAL, "cannot derive the key id");
        return false;
    }
    return true;
}

/* The issuer: the backend URL without trailing slashes; NULL if unusable. */
static char *issuer_from(const char *backend_url, auth_error_t *err)
{
    const char *url = backend_url;
    if (!url) url = getenv("BACKEND_URL");
    if (!url || !url[0]) url = AUTH_DEV_DEFAULT_BACKEND_URL;
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    bool ok = (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) &&
              n > strlen("https://") && n <= 512;
    for (size_t i = 0; ok && i < n; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f) ok = false;
    if (!ok) {
        auth_err_set(err, AUTH_ERR_CONFIG, "BACKEND_URL must be an http:// or https:// URL");
        return NULL;
    }
    return xstrndup(url, n);
}

auth_dev_issuer_t *auth_dev_issuer_open(const char *data_dir, const char *backend_url,
                                        auth_error_t *err)
{
    char *iss = issuer_from(backend_url, err);
    if (!iss) return NULL;
    /* With the store and the users elsewhere (a DynamoDB endpoint, PostgreSQL),
       nothing else has created the data folder. */
    int rc = private_fs_mkdirs(data_dir);
    if (rc) {
        auth_err_set(err, AUTH_ERR_IO, "cannot create data folder %s: %s", data_dir, strerror(rc));
        free(iss);
        return NULL;
    }
    buf_t path = BUF_INIT;
    buf_printf(&path, "%s/%s", data_dir, AUTH_DEV_KEY_FILE);
    bool absent;
    json_t *jwk = key_read(path.data, &absent, err);
    if (!jwk && absent && key_create(path.data, err)) jwk = key_read(path.data, &absent, err);
    if (jwk && !key_complete(jwk, path.data, err)) {
        json_decref(jwk);
        jwk = NULL;
    }
    buf_free(&path);

    json_t *pub = jwk ? json_deep_copy(jwk) : NULL;
    if (pub && !jose_jwk_pub(NULL, pub)) {
        json_decref(pub);
        pub = NULL;
    }
    auth_dev_issuer_t *dev = pub ? xcalloc(1, sizeof *dev) : NULL;
    if (dev) dev->jwks = json_pack("{s:[o]}", "keys", pub);
    if (!dev || !dev->jwks) {
        if (jwk) auth_err_set(err, AUTH_ERR_INTERNAL, "cannot build the public key set");
        if (!dev) json_decref(pub);
        free(dev);
        json_decref(jwk);
        free(iss);
        return NULL;
    }
    dev->iss = iss;
    dev->jwk = jwk;
    return dev;
}

void auth_dev_issuer_close(auth_dev_issuer_t *dev)
{
    if (!dev) return;
    json_decref(dev->jwk);
    json_decref(dev->jwks);
    free(dev->iss);
    free(dev);
}

const char *auth_dev_issuer_iss(const auth_dev_issuer_t *dev)
{
    return dev->iss;
}

const char *auth_dev_issuer_kid(const auth_dev_issuer_t *dev)
{
    return json_string_value(json_object_get(dev->jwk, "kid"));
}

const json_t *auth_dev_issuer_jwks(const auth_dev_issuer_t *dev)
{
    return dev->jwks;
}

char *auth_dev_issuer_jwks_json(const auth_dev_issuer_t *dev)
{
    char *s = json_dumps(dev->jwks, JSON_COMPACT);
    if (!s) xalloc_fail("json_dumps");
    return s;
}

char *auth_dev_issuer_token(const auth_dev_issuer_t *dev, const char *sub, const char *username,
                            auth_error_t *err)
{
    if (!sub || !sub[0] || strlen(sub) >= AUTH_SUB_MAX || !username || !username[0] ||
        strlen(username) >= AUTH_USERNAME_MAX) {
        auth_err_set(err, AUTH_ERR_CLAIMS, "sub and username must be non-empty and short");
        return NULL;
    }
    char jti[UUID_STR_LEN];
    uuid_v4(jti);
    json_int_t now = (json_int_t)(clock_now_us() / 1000000);
    json_t *header = json_pack("{s:s,s:s}", "alg", "RS256", "kid", auth_dev_issuer_kid(dev));
    json_t *claims = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s}", "sub", sub, "iss",
                               dev->iss, "client_id", AUTH_DEV_CLIENT_ID, "token_use", "access",
                               "scope", DEV_SCOPE, "auth_time", now, "iat", now, "exp",
                               now + AUTH_DEV_TOKEN_TTL_S, "jti", jti, "username", username);
    char *token = header && claims ? auth_jws_sign_compact(dev->jwk, header, claims, err) : NULL;
    if (!header || !claims) auth_err_set(err, AUTH_ERR_INTERNAL, "out of memory");
    json_decref(header);
    json_decref(claims);
    return token;
}

void auth_config_dev(auth_config_t *cfg, const auth_dev_issuer_t *dev)
{
    cfg->issuer = dev->iss;
    cfg->client_id = AUTH_DEV_CLIENT_ID;
    cfg->jwks = dev->jwks;
    cfg->jwks_url = NULL;
}
