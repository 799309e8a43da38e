/*
 * Unit tests for src/auth/verify.c with a fixed key set: every token
 * attack of the sign-in issue is refused with its own code, valid tokens
 * pass, the verified-token cache answers repeats without RSA and never
 * outlives exp, and the Bearer header parsing. Time is injected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "auth/auth.h"

#include <jose/jose.h>
#include <jose/openssl.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ISS "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test1"
#define CLIENT "client123"
#define T0 1700000000

static json_t *g_key;   /* private, kid "k1", in the set */
static json_t *g_other; /* private, kid "k1" too, but NOT the set's key */
static json_t *g_jwks;  /* {"keys":[pub(k1), an EC key "ec1", a 1024-bit RSA "small"]} */
static int64_t g_now = T0;

static int64_t test_clock(void *arg)
{
    (void)arg;
    return g_now;
}

static json_t *gen_rsa(const char *kid, int bits)
{
    json_t *k;
    if (bits >= 2048) {
        k = json_pack("{s:s,s:i}", "kty", "RSA", "bits", bits);
        assert_true(jose_jwk_gen(NULL, k));
    } else { /* libjose refuses to generate weak keys; OpenSSL still can */
        EVP_PKEY *pkey = EVP_RSA_gen((unsigned)bits);
        assert_non_null(pkey);
        k = jose_openssl_jwk_from_EVP_PKEY(NULL, pkey);
        EVP_PKEY_free(pkey);
        assert_non_null(k);
    }
    json_object_set_new(k, "kid", json_string(kid));
    return k;
}

static json_t *public_of(const json_t *k)
{
    json_t *p = json_deep_copy(k);
    assert_true(jose_jwk_pub(NULL, p));
    return p;
}

static int group_setup(void **state)
{
    g_key = gen_rsa("k1", 2048);
    g_other = gen_rsa("k1", 2048);
    json_t *small = gen_rsa("small", 1024);
    json_t *ec = json_pack("{s:s,s:s}", "kty", "EC", "crv", "P-256");
    assert_true(jose_jwk_gen(NULL, ec));
    json_object_set_new(ec, "kid", json_string("ec1"));
    g_jwks = json_pack("{s:[o,o,o]}", "keys", public_of(g_key), public_of(ec), public_of(small));
    json_decref(small);
    json_decref(ec);
    return 0;
}

static int group_teardown(void **state)
{
    json_decref(g_key);
    json_decref(g_other);
    json_decref(g_jwks);
    return 0;
}

static auth_verifier_t *new_verifier(size_t cache_entries)
{
    auth_config_t cfg;
    auth_config_init(&cfg);
    cfg.issuer = ISS;
    cfg.client_id = CLIENT;
    cfg.jwks = g_jwks;
    cfg.cache_entries = cache_entries;
    cfg.clock = test_clock;
    auth_error_t err;
    auth_verifier_t *v = auth_verifier_new(&cfg, &err);
    assert_non_null(v);
    return v;
}

static json_t *valid_claims(void)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s}", "sub",
                     "7f1c7b5e-0c1d-4d6e-9f00-aaaaaaaaaaaa", "iss", ISS, "client_id", CLIENT,
                     "token_use", "access", "scope", "aws.cognito.signin.user.admin", "auth_time",
                     (json_int_t)g_now, "iat", (json_int_t)g_now, "exp", (json_int_t)(g_now + 3600),
                     "jti", "j1", "username", "andrew");
}

static json_t *valid_header(void)
{
    return json_pack("{s:s,s:s}", "alg", "RS256", "kid", "k1");
}

/* Signs header/claims with key and drops the references passed in. */
static char *sign(const json_t *key, json_t *header, json_t *claims)
{
    auth_error_t err;
    char *t = auth_jws_sign_compact(key, header, claims, &err);
    if (!t) fail_msg("signing failed: %s", err.reason);
    json_decref(header);
    json_decref(claims);
    return t;
}

static char *valid_token(void)
{
    return sign(g_key, valid_header(), valid_claims());
}

static void expect(auth_verifier_t *v, const char *token, enum auth_code code)
{
    auth_claims_t c;
    auth_error_t err = {AUTH_ERR_INTERNAL, ""};
    bool ok = auth_verify(v, token, &c, &err);
    if (code == AUTH_OK) {
        if (!ok) fail_msg("expected success, got %s: %s", auth_code_name(err.code), err.reason);
        assert_int_equal(err.code, AUTH_OK);
    } else {
        if (ok) fail_msg("expected %s, token was accepted", auth_code_name(code));
        if (err.code != code)
            fail_msg("expected %s, got %s: %s", auth_code_name(code), auth_code_name(err.code),
                     err.reason);
        assert_true(err.reason[0] != '\0');
    }
}

static void test_valid_token_accepted(void **state)
{
    auth_verifier_t *v = new_verifier(0);
    char *t = valid_token();
    auth_claims_t c;
    auth_error_t err;
    assert_true(auth_verify(v, t, &c, &err));
    assert_string_equal(c.sub, "7f1c7b5e-0c1d-4d6e-9f00-aaaaaaaaaaaa");
    assert_string_equal(c.username, "andrew");
    assert_int_equal(c.exp, T0 + 3600);
    assert_true(auth_verify(v, t, &c, NULL)); /* err is optional */
    free(t);
    auth_verifier_free(v);
}

/* ------------------------------------------- header and claim mutations */

static void m_kid_missing(json_t *h, json_t *c)
{
    json_object_del(h, "kid");
}
static void m_kid_empty(json_t *h, json_t *c)
{
    json_object_set_new(h, "kid", json_string(""));
}
static void m_kid_number(json_t *h, json_t *c)
{
    json_object_set_new(h, "kid", json_integer(1));
}
static void m_kid_unknown(json_t *h, json_t *c)
{
    json_object_set_new(h, "kid", json_string("nope"));
}
static void m_kid_ec(json_t *h, json_t *c)
{
    json_object_set_new(h, "kid", json_string("ec1"));
}
static void m_kid_small(json_t *h, json_t *c)
{
    json_object_set_new(h, "kid", json_string("small"));
}
static void m_crit(json_t *h, json_t *c)
{
    json_object_set_new(h, "crit", json_pack("[s]", "exp"));
}
static void m_expired(json_t *h, json_t *c)
{
    json_object_set_new(c, "exp", json_integer(T0 - 61));
}
static void m_within_leeway(json_t *h, json_t *c)
{
    json_object_set_new(c, "exp", json_integer(T0 - 59));
}
static void m_exp_missing(json_t *h, json_t *c)
{
    json_object_del(c, "exp");
}
static void m_exp_string(json_t *h, json_t *c)
{
    json_object_set_new(c, "exp", json_string("9999999999"));
}
static void m_exp_huge(json_t *h, json_t *c)
{
    json_object_set_new(c, "exp", json_integer(INT64_MAX));
}
static void m_exp_negative(json_t *h, json_t *c)
{
    json_object_set_new(c, "exp", json_integer(INT64_MIN));
}
static void m_iat_huge_negative(json_t *h, json_t *c)
{
    json_object_set_new(c, "iat", json_integer(INT64_MIN));
}
static void m_iat_future(json_t *h, json_t *c)
{
    json_object_set_new(c, "iat", json_integer(T0 + 600));
}
static void m_nbf_future(json_t *h, json_t *c)
{
    json_object_set_new(c, "nbf", json_integer(T0 + 600));
}
static void m_iat_skewed_ok(json_t *h, json_t *c)
{
    json_object_set_new(c, "iat", json_integer(T0 + 30));
}
static void m_wrong_iss(json_t *h, json_t *c)
{
    json_object_set_new(c, "iss", json_string(ISS "x"));
}
static void m_other_pool(json_t *h, json_t *c)
{
    json_object_set_new(c, "iss",
                        json_string("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"));
}
static void m_iss_missing(json_t *h, json_t *c)
{
    json_object_del(c, "iss");
}
static void m_wrong_client(json_t *h, json_t *c)
{
    json_object_set_new(c, "client_id", json_string("other-client"));
}
static void m_client_missing(json_t *h, json_t *c)
{
    json_object_del(c, "client_id");
}
/* An ID token: token_use id, aud instead of client_id. */
static void m_id_token(json_t *h, json_t *c)
{
    json_object_set_new(c, "token_use", json_string("id"));
    json_object_del(c, "client_id");
    json_object_set_new(c, "aud", json_string(CLIENT));
}
static void m_token_use_id_only(json_t *h, json_t *c)
{
    json_object_set_new(c, "token_use", json_string("id"));
}
static void m_token_use_missing(json_t *h, json_t *c)
{
    json_object_del(c, "token_use");
}
static void m_sub_missing(json_t *h, json_t *c)
{
    json_object_del(c, "sub");
}
static void m_sub_too_long(json_t *h, json_t *c)
{
    char s[200];
    memset(s, 'a', sizeof s - 1);
    s[sizeof s - 1] = '\0';
    json_object_set_new(c, "sub", json_string(s));
}
static void m_username_missing(json_t *h, json_t *c)
{
    json_object_del(c, "username");
}
static void m_typ_jwt(json_t *h, json_t *c)
{
    json_object_set_new(h, "typ", json_string("JWT"));
}

typedef struct mutation {
    const char *name;
    void (*mutate)(json_t *header, json_t *claims);
    enum auth_code code;
} mutation_t;

static const mutation_t mutations[] = {
    {"kid missing", m_kid_missing, AUTH_ERR_KID_MISSING},
    {"kid empty", m_kid_empty, AUTH_ERR_KID_MISSING},
    {"kid not a string", m_kid_number, AUTH_ERR_KID_MISSING},
    {"kid unknown", m_kid_unknown, AUTH_ERR_KID_UNKNOWN},
    {"kid names an EC key", m_kid_ec, AUTH_ERR_KEY},
    {"kid names a 1024-bit key", m_kid_small, AUTH_ERR_KEY},
    {"crit header", m_crit, AUTH_ERR_MALFORMED},
    {"expired beyond leeway", m_expired, AUTH_ERR_EXPIRED},
    {"expired within leeway", m_within_leeway, AUTH_OK},
    {"exp missing", m_exp_missing, AUTH_ERR_CLAIMS},
    {"exp a string", m_exp_string, AUTH_ERR_CLAIMS},
    {"exp at INT64_MAX", m_exp_huge, AUTH_ERR_CLAIMS},
    {"exp at INT64_MIN", m_exp_negative, AUTH_ERR_CLAIMS},
    {"iat at INT64_MIN", m_iat_huge_negative, AUTH_OK},
    {"iat in the future", m_iat_future, AUTH_ERR_NOT_YET_VALID},
    {"nbf in the future", m_nbf_future, AUTH_ERR_NOT_YET_VALID},
    {"iat slightly ahead", m_iat_skewed_ok, AUTH_OK},
    {"wrong iss", m_wrong_iss, AUTH_ERR_ISSUER},
    {"another pool", m_other_pool, AUTH_ERR_ISSUER},
    {"iss missing", m_iss_missing, AUTH_ERR_ISSUER},
    {"wrong client_id", m_wrong_client, AUTH_ERR_CLIENT_ID},
    {"client_id missing", m_client_missing, AUTH_ERR_CLIENT_ID},
    {"ID token", m_id_token, AUTH_ERR_TOKEN_USE},
    {"token_use id", m_token_use_id_only, AUTH_ERR_TOKEN_USE},
    {"token_use missing", m_token_use_missing, AUTH_ERR_TOKEN_USE},
    {"sub missing", m_sub_missing, AUTH_ERR_CLAIMS},
    {"sub too long", m_sub_too_long, AUTH_ERR_CLAIMS},
    {"username missing", m_username_missing, AUTH_ERR_CLAIMS},
    {"typ JWT is fine", m_typ_jwt, AUTH_OK},
};

static void test_mutations(void **state)
{
    auth_verifier_t *v = new_verifier(AUTH_DEFAULT_CACHE_ENTRIES);
    for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
        json_t *h = valid_header(), *c = valid_claims();
        mutations[i].mutate(h, c);
        char *t = sign(g_key, h, c);
        print_message("  case: %s\n", mutations[i].name);
        expect(v, t, mutations[i].code);
        free(t);
    }
    auth_verifier_free(v);
}

/* ------------------------------------------------------- forged tokens */

/* base64url of the exact text (so duplicate members survive). */
static char *b64_json(const char *json_text)
{
    json_t *s = jose_b64_enc(json_text, strlen(json_text));
    char *out = strdup(json_string_value(s));
    json_decref(s);
    return out;
}

/* header.payload.sig from JSON texts, signature given as raw text. */
static char *assemble(const char *header_json, const json_t *claims, const char *sig)
{
    char *h = b64_json(header_json);
    char *ctext = json_dumps(claims, JSON_COMPACT);
    char *p = b64_json(ctext);
    size_t n = strlen(h) + strlen(p) + strlen(sig) + 3;
    char *t = malloc(n);
    snprintf(t, n, "%s.%s.%s", h, p, sig);
    free(h);
    free(p);
    free(ctext);
    return t;
}

static void test_alg_none(void **state)
{
    auth_verifier_t *v = new_verifier(0);
    json_t *c = valid_claims();
    char *t1 = assemble("{\"alg\":\"none\",\"kid\":\"k1\"}", c, "");
    char *t2 = assemble("{\"alg\":\"none\"}", c, "");
    char *t3 = assemble("{\"alg\":\"None\",\"kid\":\"k1\"}", c, "c2ln");
    char *t4 = assemble("{\"kid\":\"k1\"}", c, "c2ln");
    char *t5 = assemble("{\"alg\":\"RS512\",\"kid\":\"k1\"}", c, "c2ln");
    expect(v, t1, AUTH_ERR_ALG);
    expect(v, t2, AUTH_ERR_ALG);
    expect(v, t3, AUTH_ERR_ALG);
    expect(v, t4, AUTH_ERR_ALG);
    expect(v, t5, AUTH_ERR_ALG);
    /* RS256 claimed but no signature at all. */
    char *t6 = assemble("{\"alg\":\"RS256\",\"kid\":\"k1\"}", c, "");
    expect(v, t6, AUTH_ERR_SIGNATURE);
    free(t1), free(t2), free(t3), free(t4), free(t5), free(t6);
    json_decref(c);
    auth_verifier_free(v);
}

/* The classic key-confusion attack: HMAC keyed with the public key. */
static void test_hs256_with_public_key(void **state)
{
    auth_verifier_t *v = new_verifier(0);
    json_t *pub = public_of(g_key);
    EVP_PKEY *pkey = jose_openssl_jwk_to_EVP_PKEY(NULL, pub);
    assert_non_null(pkey);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PUBKEY(bio, pkey), 1);
    char *pem;
    long pem_len = BIO_get_mem_data(bio, &pem);
    char *pub_text = json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS);
    const struct {
        const void *secret;
        size_t len;
    } secrets[] = {{pem, (size_t)pem_len}, {pub_text, strlen(pub_text)}};
    for (size_t i = 0; i < 2; i++) {
        json_t *oct = json_pack("{s:s,s:o}", "kty", "oct", "k",
                                jose_b64_enc(secrets[i].secret, secrets[i].len));
        char *t = sign(oct, json_pack("{s:s,s:s}", "alg", "HS256", "kid", "k1"), valid_claims());
        expect(v, t, AUTH_ERR_ALG);
        free(t);
        json_decref(oct);
    }
    free(pub_text);
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    json_decref(pub);
    auth_verifier_free(v);
}

static void test_garbage_and_shape(void **state)
{
    auth_verifier_t *v = new_verifier(0);
    expect(v, NULL, AUTH_ERR_MISSING);
    expect(v, "", AUTH_ERR_MISSING);
    const char *malformed[] = {
        "garbage",
        "not a token at all",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",
        "..",
        "...",
        ".e30.",
        "e30..sig",
        "!!!.e30.sig",
        "e30.e30.s/g=",
        "eyJhbGciOiJSUzI1NiJ9", /* header only */
        "W10.e30.c2ln",         /* header is [] */
        "bm90IGpzb24.e30.c2ln", /* header "not json" */
        "e30.e30.c2ln",         /* header {} -> no alg */
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        print_message("  case: %s\n", malformed[i]);
        expect(v, malformed[i],
               i == sizeof malformed / sizeof malformed[0] - 1 ? AUTH_ERR_ALG : AUTH_ERR_MALFORMED);
    }
    /* Header duplicates a member: refused rather than guessed. */
    json_t *c = valid_claims();
    char *t = assemble("{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"k1\"}", c, "c2ln");
    expect(v, t, AUTH_ERR_MALFORMED);
    free(t);
    json_decref(c);
    auth_verifier_free(v);
}

/* Flips one base64url character in the middle of segment seg. */
static void flip_in_segment(char *t, int seg)
{
    char *p = t;
    for (int i = 0; i < seg; i++)
        p = strchr(p, '.') + 1;
    char *end = strchr(p, '.');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char *c = p + len / 2;
    *c = *c == 'A' ? 'B' : 'A';
}

static void test_tampering(void **state)
{
    auth_verifier_t *v = new_verifier(0);
    /* Payload replaced by other claims, header and signature kept. */
    char *good = valid_token();
    json_t *c = valid_claims();
    json_object_set_new(c, "sub", json_string("someone-else"));
    char *ctext = json_dumps(c, JSON_COMPACT);
    char *p = b64_json(ctext);
    char *dot1 = strchr(good, '.'), *dot2 = strchr(dot1 + 1, '.');
    size_t n = (size_t)(dot1 - good) + strlen(p) + strlen(dot2) + 2;
    char *t = malloc(n);
    snprintf(t, n, "%.*s.%s%s", (int)(dot1 - good), good, p, dot2);
    expect(v, t, AUTH_ERR_SIGNATURE);
    free(t), free(p), free(ctext);
    json_decref(c);

    /* One character changed in the payload, in the signature. */
    char *t1 = strdup(good), *t2 = strdup(good);
    flip_in_segment(t1, 1);
    flip_in_segment(t2, 2);
    expect(v, t1, AUTH_ERR_SIGNATURE);
    expect(v, t2, AUTH_ERR_SIGNATURE);
    free(t1), free(t2);

    /* Signed by another key that claims the set's kid. */
    char *t3 = sign(g_other, valid_header(), valid_claims());
    expect(v, t3, AUTH_ERR_SIGNATURE);
    free(t3);

    /* Signature of one valid token glued to another's header.payload. */
    g_now += 1;
    char *other = valid_token();
    g_now -= 1;
    char *sig = strrchr(other, '.');
    char *mix = strdup(good);
    strcpy(strrchr(mix, '.'), sig); /* same length: same key size */
    expect(v, mix, AUTH_ERR_SIGNATURE);
    expect(v, good, AUTH_OK);
    free(mix), free(other), free(good);
    auth_verifier_free(v);
}

/* Signs the exact claims text (json_t cannot hold duplicate members). */
static char *sign_raw_claims(const char *claims_text)
{
    json_t *jws = json_pack("{s:o}", "payload", jose_b64_enc(claims_text, strlen(claims_text)));
    json_t *tmpl = json_pack("{s:o}", "protected", valid_header());
    assert_true(jose_jws_sig(NULL, jws, tmpl, g_key));
    size_t n = 4096;
    char *t = malloc(n);
    snprintf(t, n, "%s.%s.%s", json_string_value(json_object_get(jws, "protected")),
             json_string_value(json_object_get(jws, "payload")),
             json_string_value(json_object_get(jws, "signature")));
    json_decref(jws);
    json_decref(tmpl);
    return t;
}

static void test_signed_but_odd_claims(void **state)
{
    auth_verifier_t *v = new_verifier(0);
    char text[1024];
    /* Two subs: a reader keeping the first and one keeping the last differ. */
    snprintf(text, sizeof text,
             "{\"sub\":\"victim\",\"sub\":\"attacker\",\"iss\":\"%s\",\"client_id\":\"%s\","
             "\"token_use\":\"access\",\"exp\":%d,\"username\":\"u\"}",
             ISS, CLIENT, T0 + 100);
    char *t = sign_raw_claims(text);
    expect(v, t, AUTH_ERR_MALFORMED);
    free(t);
    t = sign_raw_claims("[1,2,3]");
    expect(v, t, AUTH_ERR_MALFORMED);
    free(t);
    t = sign_raw_claims("not json");
    expect(v, t, AUTH_ERR_MALFORMED);
    free(t);

    /* Attacker text quoted in a reason cannot break the log line. */
    json_t *c = valid_claims();
    json_object_set_new(c, "iss", json_string("evil\n2026-01-01T00:00:00Z INFO forged"));
    t = sign(g_key, valid_header(), c);
    auth_claims_t out;
    auth_error_t err;
    assert_false(auth_verify(v, t, &out, &err));
    assert_int_equal(err.code, AUTH_ERR_ISSUER);
    assert_null(strchr(err.reason, '\n'));
    free(t);
    auth_verifier_free(v);
}

static void test_oversized(void **state)
{
    auth_verifier_t *v = new_verifier(0);
    char *big = malloc(AUTH_TOKEN_MAX + 2);
    memset(big, 'a', AUTH_TOKEN_MAX + 1);
    big[AUTH_TOKEN_MAX + 1] = '\0';
    expect(v, big, AUTH_ERR_TOO_LARGE);
    free(big);
    /* Validly signed, but padded past the limit. */
    json_t *c = valid_claims();
    char pad[7000];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    json_object_set_new(c, "pad", json_string(pad));
    char *t = sign(g_key, valid_header(), c);
    assert_true(strlen(t) > AUTH_TOKEN_MAX);
    expect(v, t, AUTH_ERR_TOO_LARGE);
    free(t);
    auth_verifier_free(v);
}

static void test_bearer_header(void **state)
{
    auth_verifier_t *v = new_verifier(0);
    char *t = valid_token();
    auth_claims_t c;
    auth_error_t err;
    assert_false(auth_verify_bearer(v, NULL, &c, &err));
    assert_int_equal(err.code, AUTH_ERR_MISSING);
    assert_false(auth_verify_bearer(v, "", &c, &err));
    assert_int_equal(err.code, AUTH_ERR_MISSING);
    assert_false(auth_verify_bearer(v, "Bearer", &c, &err));
    assert_int_equal(err.code, AUTH_ERR_MISSING);
    assert_false(auth_verify_bearer(v, "Bearer   ", &c, &err));
    assert_int_equal(err.code, AUTH_ERR_MISSING);

    char hdr[AUTH_TOKEN_MAX + 64];
    snprintf(hdr, sizeof hdr, "Basic %s", t);
    assert_false(auth_verify_bearer(v, hdr, &c, &err));
    assert_int_equal(err.code, AUTH_ERR_SCHEME);
    snprintf(hdr, sizeof hdr, "Bearer%s", t);
    assert_false(auth_verify_bearer(v, hdr, &c, &err));
    assert_int_equal(err.code, AUTH_ERR_SCHEME);
    assert_false(auth_verify_bearer(v, t, &c, &err)); /* bare token: no scheme */
    assert_int_equal(err.code, AUTH_ERR_SCHEME);

    snprintf(hdr, sizeof hdr, "Bearer %s", t);
    assert_true(auth_verify_bearer(v, hdr, &c, &err));
    assert_string_equal(c.username, "andrew");
    snprintf(hdr, sizeof hdr, "  bearer \t%s  ", t);
    assert_true(auth_verify_bearer(v, hdr, &c, &err));
    snprintf(hdr, sizeof hdr, "Bearer %s x", t);
    assert_false(auth_verify_bearer(v, hdr, &c, &err));
    assert_int_equal(err.code, AUTH_ERR_MALFORMED);
    free(t);
    auth_verifier_free(v);
}

static void test_cache_hits_and_expiry(void **state)
{
    auth_verifier_t *v = new_verifier(AUTH_DEFAULT_CACHE_ENTRIES);
    char *t = valid_token();
    auth_stats_t st;
    expect(v, t, AUTH_OK);
    auth_verifier_stats(v, &st);
    assert_int_equal(st.cache_hits, 0);
    for (int i = 0; i < 5; i++)
        expect(v, t, AUTH_OK);
    auth_verifier_stats(v, &st);
    assert_int_equal(st.cache_hits, 5);
    assert_int_equal(st.verified, 6);

    /* A cached token still expires: exp + leeway is the last valid second. */
    g_now = T0 + 3600 + AUTH_DEFAULT_LEEWAY_S;
    expect(v, t, AUTH_OK);
    g_now = T0 + 3600 + AUTH_DEFAULT_LEEWAY_S + 1;
    expect(v, t, AUTH_ERR_EXPIRED);
    g_now = T0;
    auth_verifier_stats(v, &st);
    assert_int_equal(st.rejected, 1);

    /* Rejections are never cached: a tampered copy keeps failing. */
    char *bad = strdup(t);
    flip_in_segment(bad, 2);
    expect(v, bad, AUTH_ERR_SIGNATURE);
    expect(v, bad, AUTH_ERR_SIGNATURE);
    free(bad);
    free(t);
    auth_verifier_free(v);

    /* With the cache disabled, every call takes the full path. */
    v = new_verifier(0);
    t = valid_token();
    expect(v, t, AUTH_OK);
    expect(v, t, AUTH_OK);
    auth_verifier_stats(v, &st);
    assert_int_equal(st.cache_hits, 0);
    assert_int_equal(st.verified, 2);
    free(t);
    auth_verifier_free(v);
}

/* A tiny cache keeps working when far more tokens pass than it holds. */
static void test_cache_bounded(void **state)
{
    auth_verifier_t *v = new_verifier(16);
    enum { N = 60 };
    char *tokens[N];
    for (int i = 0; i < N; i++) {
        json_t *c = valid_claims();
        char jti[16];
        snprintf(jti, sizeof jti, "j%d", i);
        json_object_set_new(c, "jti", json_string(jti));
        tokens[i] = sign(g_key, valid_header(), c);
        expect(v, tokens[i], AUTH_OK);
    }
    for (int i = 0; i < N; i++)
        expect(v, tokens[i], AUTH_OK);
    auth_stats_t st;
    auth_verifier_stats(v, &st);
    assert_int_equal(st.verified, 2 * N);
    assert_true(st.cache_hits <= 16);
    for (int i = 0; i < N; i++)
        free(tokens[i]);
    auth_verifier_free(v);
}

typedef struct thread_arg {
    auth_verifier_t *v;
    char **tokens;
    int ntokens;
    int ok;
} thread_arg_t;

static void *verify_many(void *p)
{
    thread_arg_t *a = p;
    for (int i = 0; i < 200; i++) {
        auth_claims_t c;
        if (auth_verify(a->v, a->tokens[i % a->ntokens], &c, NULL) &&
            strcmp(c.username, "andrew") == 0)
            a->ok++;
    }
    return NULL;
}

static void test_threads_share_a_verifier(void **state)
{
    auth_verifier_t *v = new_verifier(AUTH_DEFAULT_CACHE_ENTRIES);
    char *tokens[4];
    for (int i = 0; i < 4; i++) {
        json_t *c = valid_claims();
        json_object_set_new(c, "jti", json_integer(i));
        tokens[i] = sign(g_key, valid_header(), c);
    }
    pthread_t th[8];
    thread_arg_t args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (thread_arg_t){v, tokens, 4, 0};
        pthread_create(&th[i], NULL, verify_many, &args[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].ok, 200);
    }
    auth_stats_t st;
    auth_verifier_stats(v, &st);
    assert_int_equal(st.verified, 1600);
    assert_true(st.cache_hits >= 1600 - 8 * 4);
    for (int i = 0; i < 4; i++)
        free(tokens[i]);
    auth_verifier_free(v);
}

static void test_config_errors(void **state)
{
    auth_config_t cfg;
    auth_error_t err;
    auth_config_init(&cfg);
    assert_null(auth_verifier_new(&cfg, &err));
    assert_int_equal(err.code, AUTH_ERR_CONFIG);
    cfg.issuer = ISS;
    cfg.client_id = CLIENT;
    assert_null(auth_verifier_new(&cfg, &err)); /* no key source */
    assert_int_equal(err.code, AUTH_ERR_CONFIG);
    cfg.jwks = g_jwks;
    cfg.jwks_url = "http://127.0.0.1:1/jwks.json";
    assert_null(auth_verifier_new(&cfg, &err)); /* both key sources */
    assert_int_equal(err.code, AUTH_ERR_CONFIG);
    cfg.jwks = NULL;
    cfg.jwks_url = "file:///etc/passwd";
    assert_null(auth_verifier_new(&cfg, &err));
    assert_int_equal(err.code, AUTH_ERR_CONFIG);
    json_t *bad = tu_json("{\"keys\": {}}");
    cfg.jwks_url = NULL;
    cfg.jwks = bad;
    assert_null(auth_verifier_new(&cfg, &err));
    assert_int_equal(err.code, AUTH_ERR_JWKS);
    json_decref(bad);
}

static void test_code_names(void **state)
{
    for (int c = AUTH_OK; c <= AUTH_ERR_INTERNAL; c++)
        assert_string_not_equal(auth_code_name((enum auth_code)c), "unknown");
    assert_string_equal(auth_code_name(AUTH_ERR_EXPIRED), "expired");
    assert_string_equal(auth_code_name(AUTH_ERR_KID_UNKNOWN), "kid_unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_token_accepted),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_alg_none),
        cmocka_unit_test(test_hs256_with_public_key),
        cmocka_unit_test(test_garbage_and_shape),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_signed_but_odd_claims),
        cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_bearer_header),
        cmocka_unit_test(test_cache_hits_and_expiry),
        cmocka_unit_test(test_cache_bounded),
        cmocka_unit_test(test_threads_share_a_verifier),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_code_names),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
